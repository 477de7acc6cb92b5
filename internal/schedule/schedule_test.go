package schedule_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/schedule"
	"github.com/ladderapp/ladder/internal/store"
)

// TestWeeklyPromptsAcrossDST ticks every 30 minutes through clock changes in
// New York and Berlin: a Monday 09:30 slot stays 09:30 local on both sides, a
// slot in the skipped hour fires once, and one in the repeated hour fires once.
func TestWeeklyPromptsAcrossDST(t *testing.T) {
	type member struct {
		id, zone string
		slot     ladder.Slot
		want     []string // local times of the weekly prompts
	}
	for _, tc := range []struct {
		name     string
		from, to time.Time
		members  []member
	}{
		{
			name: "spring forward in New York, 2026-03-08",
			from: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC),
			members: []member{
				{"UNYMON", "America/New_York", slotAt(time.Monday, 9, 30),
					[]string{"Mon 2026-03-02 09:30 -0500", "Mon 2026-03-09 09:30 -0400"}},
				// 02:30 does not happen that night; time.Date takes it as 01:30 EST.
				{"UNYSKIP", "America/New_York", slotAt(time.Sunday, 2, 30), []string{"Sun 2026-03-08 01:30 -0500"}},
			},
		},
		{
			name: "spring forward in Berlin, 2026-03-29",
			from: time.Date(2026, 3, 23, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC),
			members: []member{
				{"UBEMON", "Europe/Berlin", slotAt(time.Monday, 9, 30),
					[]string{"Mon 2026-03-23 09:30 +0100", "Mon 2026-03-30 09:30 +0200"}},
				// 02:30 does not happen that night; time.Date takes it as 03:30 CEST.
				{"UBESKIP", "Europe/Berlin", slotAt(time.Sunday, 2, 30), []string{"Sun 2026-03-29 03:30 +0200"}},
			},
		},
		{
			name: "fall back in Berlin (2026-10-25) and New York (2026-11-01)",
			from: time.Date(2026, 10, 19, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC),
			members: []member{
				{"UBEMON", "Europe/Berlin", slotAt(time.Monday, 9, 30),
					[]string{"Mon 2026-10-19 09:30 +0200", "Mon 2026-10-26 09:30 +0100", "Mon 2026-11-02 09:30 +0100"}},
				// 02:30 happens twice that night: once only, ticks at both.
				{"UBEREPEAT", "Europe/Berlin", slotAt(time.Sunday, 2, 30),
					[]string{"Sun 2026-10-25 02:30 +0100", "Sun 2026-11-01 02:30 +0100"}},
				{"UNYMON", "America/New_York", slotAt(time.Monday, 9, 30),
					[]string{"Mon 2026-10-19 09:30 -0400", "Mon 2026-10-26 09:30 -0400", "Mon 2026-11-02 09:30 -0500"}},
				{"UNYREPEAT", "America/New_York", slotAt(time.Sunday, 1, 30),
					[]string{"Sun 2026-10-25 01:30 -0400", "Sun 2026-11-01 01:30 -0400"}},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.from, schedule.Config{})
			for _, m := range tc.members {
				e.enroll(m.id, m.zone, m.slot)
			}
			e.run(tc.from, tc.to, 30*time.Minute, nil)
			for _, m := range tc.members {
				got := localTimes(e.posts(m.id, weeklyText), mustLoc(t, m.zone))
				if !reflect.DeepEqual(got, m.want) {
					t.Errorf("%s (%s %s): weekly prompts at\n%q\nwant\n%q", m.id, m.slot, m.zone, got, m.want)
				}
			}
		})
	}
}

// TestEveryMinuteForAWeek ticks every minute for eight days, with members in
// zones a quarter and half an hour off UTC, and on-demand prompts in between:
// each member gets exactly one weekly prompt per week of their own, at their
// local slot, and an on-demand prompt does not take its place.
func TestEveryMinuteForAWeek(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("11,520 ticks")
	}
	from := time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC) // a Sunday
	to := from.Add(8 * 24 * time.Hour)
	e := newEnv(t, from, schedule.Config{Workers: 2})
	members := []struct {
		id, zone string
		slot     ladder.Slot
		want     []string
	}{
		// Monday 09:30 in Chatham (+13:45) is Sunday 19:45 UTC: week 47 there
		// starts while UTC is still in week 46.
		{"UCHATHAM", "Pacific/Chatham", slotAt(time.Monday, 9, 30),
			[]string{"Mon 2026-11-16 09:30 +1345", "Mon 2026-11-23 09:30 +1345"}},
		{"UKOLKATA", "Asia/Kolkata", slotAt(time.Monday, 0, 15),
			[]string{"Mon 2026-11-16 00:15 +0530", "Mon 2026-11-23 00:15 +0530"}},
		{"UBERLIN", "Europe/Berlin", slotAt(time.Monday, 9, 30), []string{"Mon 2026-11-16 09:30 +0100"}},
		// Sunday 23:45 in Honolulu is Monday 09:45 UTC: week 46 there, 47 in UTC.
		{"UHONOLULU", "Pacific/Honolulu", slotAt(time.Sunday, 23, 45), []string{"Sun 2026-11-15 23:45 -1000"}},
		{"UUTC", "", slotAt(time.Wednesday, 17, 5), []string{"Wed 2026-11-18 17:05 +0000"}},
	}
	for _, m := range members {
		e.enroll(m.id, m.zone, m.slot)
	}
	ondemand := map[time.Time]string{
		time.Date(2026, 11, 16, 8, 0, 0, 0, time.UTC):  "UBERLIN",  // an hour before the slot
		time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC): "UUTC",     // the same day, before the slot
		time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC): "UKOLKATA", // between two weekly ones
	}
	e.run(from, to, time.Minute, func(now time.Time) {
		if id, ok := ondemand[now]; ok {
			if err := e.app.SendPrompt(e.ctx, id, ""); err != nil {
				t.Fatal(err)
			}
		}
	})
	for _, m := range members {
		loc := time.UTC
		if m.zone != "" {
			loc = mustLoc(t, m.zone)
		}
		got := localTimes(e.posts(m.id, weeklyText), loc)
		if !reflect.DeepEqual(got, m.want) {
			t.Errorf("%s: weekly prompts at %q; want %q", m.id, got, m.want)
		}
	}
	for _, id := range ondemand {
		if n := len(e.posts(id, ondemandText)); n != 1 {
			t.Errorf("%s got %d on-demand prompts; want 1", id, n)
		}
	}
}

// TestCatchUpOnStart starts the scheduler after downtime: a slot 3 hours past
// goes out at once; one 13 hours past, or 3 hours past but in the previous
// ISO week of the member, does not.
func TestCatchUpOnStart(t *testing.T) {
	now := time.Date(2026, 11, 16, 2, 0, 0, 0, time.UTC) // Monday; Sunday 14:00 at UTC-12
	e := newEnv(t, now, schedule.Config{})
	e.enroll("U3H", "Etc/GMT+12", slotAt(time.Sunday, 11, 0))
	e.enroll("U13H", "Etc/GMT+12", slotAt(time.Sunday, 1, 0))
	e.enroll("ULASTWEEK", "UTC", slotAt(time.Sunday, 23, 0))
	e.enroll("UNOTYET", "UTC", slotAt(time.Monday, 9, 0))
	if err := e.sched.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
	defer cancel()
	_, err := e.slack.WaitMessages(ctx, 1)
	// Stop waits for the sends in flight, so what follows sees them recorded.
	if err := e.sched.Stop(e.ctx); err != nil {
		t.Error(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := e.posts("U3H", weeklyText); len(got) != 1 || !got[0].At.Equal(now) {
		t.Errorf("slot 3h ago: %d prompts; want one, sent on start", len(got))
	}
	for _, id := range []string{"U13H", "ULASTWEEK", "UNOTYET"} {
		if got := e.posts(id, weeklyText); len(got) != 0 {
			t.Errorf("%s: %d prompts; want none (too late, last week, or not yet)", id, len(got))
		}
	}
	its, err := e.db.Outbox(e.ctx, store.OutboxPrompt)
	if err != nil || len(its) != 1 || its[0].State != store.OutboxSent || its[0].UserID != "U3H" {
		t.Errorf("outbox = %+v, %v; want U3H's prompt, sent", its, err)
	}
}

// TestPauseTwoWeeks pauses a member for two weeks right after a prompt: no
// prompt and no reminder in those weeks, and prompts resume by themselves.
func TestPauseTwoWeeks(t *testing.T) {
	t.Parallel()
	berlin := mustLoc(t, "Europe/Berlin")
	from := time.Date(2026, 11, 16, 0, 0, 0, 0, berlin)
	e := newEnv(t, from, schedule.Config{})
	e.enroll("U1", "Europe/Berlin", slotAt(time.Monday, 9, 30))
	e.run(from, from.Add(28*24*time.Hour), 30*time.Minute, func(now time.Time) {
		if now.Equal(time.Date(2026, 11, 16, 10, 0, 0, 0, berlin)) {
			// What /ladder pause 2 does.
			e.update("U1", func(m *ladder.Member) { m.PausedUntil = now.Add(14 * 24 * time.Hour) })
		}
	})
	got := localTimes(e.posts("U1", weeklyText), berlin)
	want := []string{"Mon 2026-11-16 09:30 +0100", "Mon 2026-12-07 09:30 +0100"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("weekly prompts at %q; want %q (weeks 48 and 49 paused)", got, want)
	}
	reminders := localTimes(e.posts("U1", reminderText), berlin)
	if want := []string{"Wed 2026-12-09 09:30 +0100"}; !reflect.DeepEqual(reminders, want) {
		t.Errorf("reminders at %q; want %q (none for the week paused after its prompt)", reminders, want)
	}
}

// TestTimezonesKeptFresh reads each zone from users.info at most once a day,
// and a member who moved gets the prompt at their new local time.
func TestTimezonesKeptFresh(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)
	e := newEnv(t, from, schedule.Config{})
	e.enroll("U1", "Europe/Berlin", slotAt(time.Monday, 9, 30))
	e.enroll("U2", "Europe/Berlin", slotAt(time.Monday, 9, 30), func(m *ladder.Member) { m.Manager = "UM1" })
	// U1 moved to New York; the manager is not enrolled at all.
	e.slack.AddUser(fakeslack.User{ID: "U1", Name: "U1", TZ: "America/New_York"})
	e.slack.AddUser(fakeslack.User{ID: "UM1", Name: "UM1", TZ: "Asia/Kolkata"})
	e.run(from, from.Add(48*time.Hour), 10*time.Minute, nil)
	m, err := e.db.Member(e.ctx, "U1")
	if err != nil || m.TZ != "America/New_York" {
		t.Fatalf("U1's zone = %q, %v; want America/New_York", m.TZ, err)
	}
	got := localTimes(e.posts("U1", weeklyText), mustLoc(t, "America/New_York"))
	if want := []string{"Mon 2026-11-16 09:30 -0500"}; !reflect.DeepEqual(got, want) {
		t.Errorf("U1's prompt at %q; want %q", got, want)
	}
	zones, err := e.db.Zones(e.ctx)
	if err != nil || zones["UM1"].TZ != "Asia/Kolkata" {
		t.Errorf("manager's zone = %q, %v; want Asia/Kolkata", zones["UM1"].TZ, err)
	}
	calls := map[string]int{}
	for _, c := range e.slack.CallsTo("users.info") {
		calls[c.Params.Get("user")]++
	}
	// Twice for the zone, once a day, and for the members once more: their
	// status, read before their weekly prompt.
	for id, want := range map[string]int{"U1": 3, "U2": 3, "UM1": 2} {
		if calls[id] != want {
			t.Errorf("users.info for %s: %d calls in 48 hours; want %d", id, calls[id], want)
		}
	}
}

// TestForgetDropsQueuedSends forgets a member whose prompt is queued: nothing
// is posted, and the outbox keeps nothing of them.
func TestForgetDropsQueuedSends(t *testing.T) {
	now := time.Date(2026, 11, 16, 9, 30, 0, 0, time.UTC)
	e := newEnv(t, now, schedule.Config{})
	e.enroll("U1", "", slotAt(time.Monday, 9, 30))
	e.enroll("U2", "", slotAt(time.Monday, 9, 30))
	if err := e.sched.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.db.Forget(e.ctx, "U1"); err != nil {
		t.Fatal(err)
	}
	e.sched.Flush(e.ctx)
	if n := len(e.posts("U1", "")); n != 0 {
		t.Errorf("forgotten member got %d posts", n)
	}
	e.onePerChannel([]string{"U2"}, weeklyText)
	its, err := e.db.Outbox(e.ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range its {
		if it.UserID == "U1" {
			t.Errorf("outbox still holds %s", it.Key)
		}
	}
	if fmt.Sprint(len(its)) != "1" {
		t.Errorf("outbox has %d rows; want U2's only", len(its))
	}
}

func TestTickPrunesOldEventIDs(t *testing.T) {
	start := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	e := newEnv(t, start, schedule.Config{})
	// receive takes an event into the inbox and, at done, marks it handled; it
	// reports whether the inbox took it as new.
	receive := func(id string, done time.Time) bool {
		t.Helper()
		ids, err := e.db.Receive(e.ctx, []store.InboxEvent{{EventID: id, Payload: []byte(`{}`), Received: done}})
		if err != nil {
			t.Fatalf("Receive %s: %v", id, err)
		}
		if ids[0] == 0 {
			return false
		}
		if err := e.db.EventDone(e.ctx, ids[0], done); err != nil {
			t.Fatal(err)
		}
		return true
	}
	for id, at := range map[string]time.Time{"Ev-OLD": start.Add(-25 * time.Hour), "Ev-NEW": start.Add(-time.Hour)} {
		if !receive(id, at) {
			t.Fatalf("%s was not new", id)
		}
	}
	e.tick(start)
	// An event id handled a day ago is forgotten; one handled an hour ago is still a duplicate.
	if !receive("Ev-OLD", start) {
		t.Error("an event id handled 25 hours ago was not pruned")
	}
	if receive("Ev-NEW", start) {
		t.Error("an event id handled an hour ago was pruned")
	}
}

// zoneHook wraps the app to interfere with reading zones.
type zoneHook struct {
	schedule.Poster
	sync func(ctx context.Context, userID string) (string, error)
}

func (h zoneHook) SyncZone(ctx context.Context, userID string) (string, error) {
	return h.sync(ctx, userID)
}

var _ schedule.Poster = zoneHook{}

// TestZoneSyncReadsErrorCodes fails the first users.info of a member with
// each kind of *ladder.Error, ticks every minute, and checks when the zone is
// read again: after a 429 not before its Retry-After, after a refusal not that
// day, and after any other failure at the next tick.
func TestZoneSyncReadsErrorCodes(t *testing.T) {
	cause := errors.New("boom")
	for _, tc := range []struct {
		name string
		err  error
		want []time.Duration // when users.info is called, from the first tick
	}{
		{"rate limited", &ladder.Error{Code: ladder.ERateLimited, Op: "users.info", RetryAfter: 150 * time.Second, Err: cause},
			[]time.Duration{0, 3 * time.Minute}},
		{"permanent", &ladder.Error{Code: ladder.EPermanent, Op: "users.info", Err: cause}, []time.Duration{0}},
		{"transient", &ladder.Error{Code: ladder.ETransient, Op: "users.info", MaySent: true, Err: cause},
			[]time.Duration{0, time.Minute}},
		{"no code", cause, []time.Duration{0, time.Minute}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from := time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)
			e := newEnv(t, from, schedule.Config{})
			var (
				mu    sync.Mutex
				calls []time.Duration
			)
			e.wrap = func(sl schedule.Poster) schedule.Poster {
				return zoneHook{sl, func(ctx context.Context, userID string) (string, error) {
					mu.Lock()
					calls = append(calls, e.clock.Now().Sub(from))
					first := len(calls) == 1
					mu.Unlock()
					if first {
						return "", tc.err
					}
					return sl.SyncZone(ctx, userID)
				}}
			}
			e.open()
			e.enroll("U1", "Europe/Berlin", slotAt(time.Monday, 9, 30))
			e.run(from, from.Add(5*time.Minute), time.Minute, nil)
			mu.Lock()
			defer mu.Unlock()
			if !reflect.DeepEqual(calls, tc.want) {
				t.Errorf("users.info called at %v; want %v", calls, tc.want)
			}
		})
	}
}
