package schedule_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/schedule"
	"github.com/ladderapp/ladder/internal/store"
)

// answer stores a piece of evidence from user at the clock's now.
func (e *env) answer(user string) {
	e.t.Helper()
	_, _, err := e.db.AddEvidence(e.ctx, ladder.Evidence{
		UserID: user, Text: "an answer", Channel: "D" + user, TS: e.slack.NewTS(), Created: e.clock.Now(),
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// TestReminders ticks every 10 minutes for ten days: the one reminder goes
// out 48 hours after an unanswered weekly prompt, never a second, and none
// for a prompt that was answered, skipped, or whose member paused.
func TestReminders(t *testing.T) {
	t.Parallel()
	from := monday.Add(-30 * time.Minute)
	e := newEnv(t, from, schedule.Config{})
	for _, id := range []string{"UQUIET", "UANSWERS", "USKIPS", "UPAUSES", "UPAUSEDBRIEFLY", "UREPLIESLATE"} {
		e.enroll(id, "UTC", slotAt(time.Monday, 9, 30))
	}
	tuesday := monday.Add(24 * time.Hour)
	e.run(from, monday.Add(10*24*time.Hour), 10*time.Minute, func(now time.Time) {
		switch now {
		case tuesday:
			e.answer("UANSWERS")
			if err := e.db.SkipWeek(e.ctx, "USKIPS", ladder.WeekOf(now)); err != nil {
				t.Fatal(err)
			}
			e.update("UPAUSES", func(m *ladder.Member) { m.PausedUntil = now.Add(5 * 24 * time.Hour) })
			// A pause that is over before the reminder is due still
			// makes the week a paused one.
			e.update("UPAUSEDBRIEFLY", func(m *ladder.Member) { m.PausedUntil = now.Add(time.Hour) })
		case tuesday.Add(2 * 24 * time.Hour):
			e.answer("UREPLIESLATE")
		}
	})
	want := map[string][]string{
		"UQUIET":       {"Wed 2026-11-18 09:30 +0000", "Wed 2026-11-25 09:30 +0000"},
		"UREPLIESLATE": {"Wed 2026-11-18 09:30 +0000", "Wed 2026-11-25 09:30 +0000"},
		// Answered, skipped or paused in week 47; reminded in week 48.
		"UANSWERS":       {"Wed 2026-11-25 09:30 +0000"},
		"USKIPS":         {"Wed 2026-11-25 09:30 +0000"},
		"UPAUSEDBRIEFLY": {"Wed 2026-11-25 09:30 +0000"},
		// The pause ends on Sunday, before week 48's slot: that week has its
		// prompt and its reminder.
		"UPAUSES": {"Wed 2026-11-25 09:30 +0000"},
	}
	for id, w := range want {
		if got := localTimes(e.posts(id, reminderText), time.UTC); !reflect.DeepEqual(got, w) {
			t.Errorf("%s: reminders at %q; want %q", id, got, w)
		}
		if n := len(e.posts(id, weeklyText)); n != 2 {
			t.Errorf("%s: %d weekly prompts; want 2", id, n)
		}
	}
}

// TestReminderDroppedWhenAnsweredMeanwhile answers between the moment the
// reminder is queued and the moment it would go out: it does not go out.
func TestReminderDroppedWhenAnsweredMeanwhile(t *testing.T) {
	e := newEnv(t, monday, schedule.Config{ReminderAfter: time.Hour})
	e.enroll("U1", "UTC", slotAt(time.Monday, 9, 30))
	e.tick(monday)
	e.clock.Set(monday.Add(time.Hour))
	if err := e.sched.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.answer("U1")
	e.sched.Flush(e.ctx)
	e.run(monday.Add(time.Hour), monday.Add(12*time.Hour), 10*time.Minute, nil)
	if n := len(e.posts("U1", reminderText)); n != 0 {
		t.Errorf("%d reminders after the answer; want none", n)
	}
	its, err := e.db.Outbox(e.ctx, store.OutboxReminder)
	if err != nil || len(its) != 1 || its[0].State != store.OutboxDropped {
		t.Errorf("reminder rows = %+v, %v; want one, dropped", its, err)
	}
}

// TestNoReminderAfterPauseAndResume sends a weekly prompt; one member pauses
// the next day and resumes an hour later, as /ladder pause and /ladder resume
// do, the other does nothing. Past the reminder time, the member who paused
// gets no reminder: the week had paused time, even though the pause is over
// and its end was erased. The other gets exactly one.
func TestNoReminderAfterPauseAndResume(t *testing.T) {
	from := monday.Add(-10 * time.Minute)
	e := newEnv(t, from, schedule.Config{})
	e.enroll("UPAUSES", "UTC", slotAt(time.Monday, 9, 30))
	e.enroll("USTAYS", "UTC", slotAt(time.Monday, 9, 30))
	tuesday := monday.Add(24 * time.Hour)
	e.run(from, monday.Add(4*24*time.Hour), 10*time.Minute, func(now time.Time) {
		switch now {
		case tuesday:
			e.update("UPAUSES", func(m *ladder.Member) { m.PausedUntil = now.Add(14 * 24 * time.Hour) })
		case tuesday.Add(time.Hour):
			e.update("UPAUSES", func(m *ladder.Member) { m.PausedUntil = time.Time{} })
		}
	})
	for id, want := range map[string]int{"UPAUSES": 0, "USTAYS": 1} {
		if n := len(e.posts(id, weeklyText)); n != 1 {
			t.Errorf("%s: %d weekly prompts; want 1", id, n)
		}
		if n := len(e.posts(id, reminderText)); n != want {
			t.Errorf("%s: %d reminders; want %d", id, n, want)
		}
	}
	p, err := e.db.WeeklyPrompt(e.ctx, "UPAUSES", ladder.WeekOf(monday))
	if err != nil {
		t.Fatal(err)
	}
	if paused, err := e.db.WeekPaused(e.ctx, p.ID); err != nil || !paused {
		t.Errorf("WeekPaused = %v, %v; want the week recorded as paused, never missed", paused, err)
	}
}
