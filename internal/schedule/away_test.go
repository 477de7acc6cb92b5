package schedule_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/schedule"
)

var vacation = fakeslack.Status{Text: "On vacation", Emoji: ":palm_tree:"}

// welcomeText is how the note on the first question back begins.
const welcomeText = "Welcome back! Ladder held"

// TestAwayHoldsTheWeek sets a member's status to ":palm_tree: On vacation"
// over their slot: no question and no reminder that week, and the week is
// never counted as asked. The week after, with the status cleared, the
// question says once which week was held; the one after does not.
func TestAwayHoldsTheWeek(t *testing.T) {
	t.Parallel()
	e := newEnv(t, monday.Add(-time.Hour), schedule.Config{})
	e.enroll("U1", "UTC", slotAt(time.Monday, 9, 30))
	e.slack.SetStatus("U1", vacation)

	e.run(monday.Add(-time.Hour), monday.Add(72*time.Hour), time.Hour, nil)
	if ps := e.posts("U1", ""); len(ps) != 0 {
		t.Fatalf("posts in the away week = %q; want none, not even a reminder", texts(ps))
	}
	off, err := e.db.WeeksOff(e.ctx, "U1", monday.AddDate(0, 0, -1))
	if err != nil || !off[ladder.WeekOf(monday)] {
		t.Errorf("weeks off = %v, %v; want %s", off, err, ladder.WeekOf(monday))
	}

	e.slack.SetStatus("U1", fakeslack.Status{}) // back
	next := monday.AddDate(0, 0, 7)
	e.run(next.Add(-time.Hour), next.Add(time.Hour), time.Hour, nil)
	ps := e.posts("U1", weeklyText)
	if len(ps) != 1 {
		t.Fatalf("weekly posts after coming back = %q; want 1", texts(ps))
	}
	if want := "Welcome back! Ladder held your question for the week of 16 Nov while your Slack status said you were away. Those weeks never count as missed."; !strings.Contains(ps[0].Text, want) || !strings.Contains(string(ps[0].Blocks), want) {
		t.Errorf("first question back = %q; want it to say %q", ps[0].Text, want)
	}

	third := monday.AddDate(0, 0, 14)
	e.run(third.Add(-time.Hour), third.Add(time.Hour), time.Hour, nil)
	ps = e.posts("U1", weeklyText)
	if len(ps) != 2 || strings.Contains(ps[1].Text, welcomeText) || strings.Contains(string(ps[1].Blocks), welcomeText) {
		t.Errorf("second question back = %q; want it without the note: told once only", texts(ps))
	}

	// The digest counts the weeks asked: the two after, not the one held.
	asked, err := e.db.Asked(e.ctx, "U1", monday.AddDate(0, 0, -1), third.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := e.db.Member(e.ctx, "U1")
	s := ladder.DigestStats(e.ladder, m, e.ladder.DefaultTrack(), nil, asked, ladder.Period{From: monday.AddDate(0, 0, -1), To: third.Add(time.Hour)})
	if s.Weeks != 2 || s.Answered != 0 {
		t.Errorf("digest weeks = %d answered %d; want 2 and 0: the away week is not one", s.Weeks, s.Answered)
	}
}

// TestAwayStatusThatExpiredIsNotAway: a status whose expiration passed
// yesterday, which Slack has not cleared yet, does not hold the question.
func TestAwayStatusThatExpiredIsNotAway(t *testing.T) {
	t.Parallel()
	e := newEnv(t, monday.Add(-time.Hour), schedule.Config{})
	e.enroll("U1", "UTC", slotAt(time.Monday, 9, 30))
	st := vacation
	st.Expiration = monday.Add(-24 * time.Hour)
	e.slack.SetStatus("U1", st)
	e.run(monday.Add(-time.Hour), monday.Add(time.Hour), time.Hour, nil)
	if ps := e.posts("U1", weeklyText); len(ps) != 1 {
		t.Errorf("weekly posts = %q; want 1: the vacation ended yesterday", texts(ps))
	}
}

// TestAwayUnreadableStatusSendsTheQuestion: when users.info fails, the
// question goes out all the same; after a 429 it goes out once the
// Retry-After is over, and users.info is paused meanwhile.
func TestAwayUnreadableStatusSendsTheQuestion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		fail fakeslack.Failure
		at   time.Duration // when the question goes out, after the slot
	}{
		{"error", fakeslack.Failure{Error: "internal_error"}, 0},
		{"server error", fakeslack.Failure{Status: 500}, 0},
		{"rate limited", fakeslack.RateLimited(30), 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, monday.Add(-time.Hour), schedule.Config{})
			e.enroll("U1", "UTC", slotAt(time.Monday, 9, 30))
			e.slack.SetStatus("U1", vacation)
			e.tick(monday.Add(-time.Hour)) // the zone is read now, not at the slot
			e.slack.FailNext("users.info", 1, tc.fail)
			e.tick(monday)
			if tc.at > 0 {
				if ps := e.posts("U1", ""); len(ps) != 0 {
					t.Fatalf("posted during the 429's pause: %q", texts(ps))
				}
				e.clock.Set(monday.Add(tc.at))
				e.sched.Flush(e.ctx)
				// Read again after the pause: the status says away.
				if ps := e.posts("U1", ""); len(ps) != 0 {
					t.Errorf("posts after the pause = %q; want none: the status was read and says away", texts(ps))
				}
				return
			}
			ps := e.posts("U1", weeklyText)
			if len(ps) != 1 || !ps[0].At.Equal(monday) {
				t.Errorf("weekly posts = %q; want 1 at the slot: a status that cannot be read holds nothing", texts(ps))
			}
		})
	}
}

// TestAwayAtTheReminder: a member who sets an away status after the question
// went out gets no reminder, and the week is marked paused.
func TestAwayAtTheReminder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, monday.Add(-time.Hour), schedule.Config{})
	e.enroll("U1", "UTC", slotAt(time.Monday, 9, 30))
	e.run(monday.Add(-time.Hour), monday.Add(time.Hour), time.Hour, nil)
	if ps := e.posts("U1", weeklyText); len(ps) != 1 {
		t.Fatalf("weekly posts = %q; want 1", texts(ps))
	}
	e.slack.SetStatus("U1", fakeslack.Status{Text: "OOO", Emoji: ":face_with_thermometer:"})
	e.run(monday.Add(time.Hour), monday.Add(72*time.Hour), time.Hour, nil)
	if ps := e.posts("U1", reminderText); len(ps) != 0 {
		t.Errorf("reminders = %q; want none while away", texts(ps))
	}
	off, err := e.db.WeeksOff(e.ctx, "U1", monday.AddDate(0, 0, -1))
	if err != nil || !off[ladder.WeekOf(monday)] {
		t.Errorf("weeks off = %v, %v; want the week marked", off, err)
	}
}

func texts(ps []post) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Text)
	}
	return out
}

// TestPausedWeekIsRecorded: a member paused over their slot gets no
// question, and the week is recorded as off, so that the Home tab's streak
// leaves it out; it is not one Ladder tells them it held.
func TestPausedWeekIsRecorded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, monday.Add(-time.Hour), schedule.Config{})
	e.enroll("U1", "UTC", slotAt(time.Monday, 9, 30), func(m *ladder.Member) { m.PausedUntil = monday.Add(48 * time.Hour) })
	e.enroll("U2", "UTC", slotAt(time.Monday, 9, 30))
	e.run(monday.Add(-time.Hour), monday.Add(3*time.Hour), 30*time.Minute, nil)
	if ps := e.posts("U1", ""); len(ps) != 0 {
		t.Fatalf("posts to the paused member = %q", texts(ps))
	}
	for user, want := range map[string]bool{"U1": true, "U2": false} {
		off, err := e.db.WeeksOff(e.ctx, user, monday.AddDate(0, 0, -1))
		if err != nil || off[ladder.WeekOf(monday)] != want {
			t.Errorf("%s's weeks off = %v, %v; want this week off: %v", user, off, err, want)
		}
	}
	if untold, err := e.db.UntoldAway(e.ctx, "U1"); err != nil || len(untold) != 0 {
		t.Errorf("away weeks to tell = %v, %v; want none: a pause is the member's own", untold, err)
	}
}

// TestAwayFanOutGoesByTheKeptStatus: with users.info's budget spent by the
// zone reads, the questions do not wait for it: the status read with each
// zone decides. users.info is not called at the slot.
func TestAwayFanOutGoesByTheKeptStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t, monday.Add(-time.Hour), schedule.Config{
		Budgets: map[string]schedule.Budget{"users.info": {PerSecond: 1.0 / 86400, Burst: 3}},
	})
	for _, id := range []string{"U1", "U2", "U3"} {
		e.enroll(id, "UTC", slotAt(time.Monday, 9, 30))
	}
	e.slack.SetStatus("U2", vacation)
	e.tick(monday.Add(-time.Hour)) // reads the three zones and statuses: the budget is spent
	before := len(e.slack.CallsTo("users.info"))
	if before != 3 {
		t.Fatalf("users.info calls at the zone read = %d, want 3", before)
	}
	e.tick(monday)
	for user, want := range map[string]int{"U1": 1, "U2": 0, "U3": 1} {
		if ps := e.posts(user, weeklyText); len(ps) != want {
			t.Errorf("%s's weekly posts = %d, want %d", user, len(ps), want)
		}
	}
	if n := len(e.slack.CallsTo("users.info")) - before; n != 0 {
		t.Errorf("users.info calls at the slot = %d, want 0: the budget was spent", n)
	}
	off, err := e.db.WeeksOff(e.ctx, "U2", monday.AddDate(0, 0, -1))
	if err != nil || !off[ladder.WeekOf(monday)] {
		t.Errorf("U2's weeks off = %v, %v; want this week", off, err)
	}
}
