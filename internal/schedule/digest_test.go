package schedule_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/schedule"
)

// TestDigestCronEveryMinute runs a digest cron that fires every minute,
// ticking every minute over two days that cross a month boundary, with a
// restart in the middle: each manager gets one digest per calendar month of
// their own timezone, and what it shows of each report follows their share
// level.
func TestDigestCronEveryMinute(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	to := from.Add(48 * time.Hour)
	e := newEnv(t, from, schedule.Config{DigestCron: "* * * * *"})
	off := ladder.Slot{}
	report := func(id, manager string, share ladder.Share) {
		e.enroll(id, "UTC", off, func(m *ladder.Member) { m.Manager, m.Share = manager, share })
	}
	// UMGRK is not enrolled: their zone comes from users.info.
	e.slack.AddUser(fakeslack.User{ID: "UMGRK", Name: "UMGRK", TZ: "Asia/Kolkata"})
	report("URFULL", "UMGRK", ladder.ShareFull)
	report("URSUM", "UMGRK", ladder.ShareSummary)
	report("UROFF", "UMGRK", ladder.ShareOff)
	e.enroll("UMGRU", "UTC", off)
	report("URX", "UMGRU", ladder.ShareSummary)
	evidence := map[string]string{
		"URFULL": "Ran the cross-team incident review with platform and payments",
		"URSUM":  "A private note the manager must not read",
		"UROFF":  "Another private note",
	}
	for id, text := range evidence {
		_, _, err := e.db.AddEvidence(e.ctx, ladder.Evidence{UserID: id, Area: ladder.People, Text: text,
			Channel: "D" + id, TS: e.slack.NewTS(), Created: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
	}

	restart := from.Add(36 * time.Hour)
	e.run(from, restart, time.Minute, nil)
	e.restart()
	e.run(restart, to, time.Minute, nil)

	kolkata := mustLoc(t, "Asia/Kolkata")
	for _, tc := range []struct {
		manager string
		loc     *time.Location
		want    []string
	}{
		// The first tick catches up on November; December starts at
		// midnight in each manager's own zone.
		{"UMGRK", kolkata, []string{"Mon 2026-11-30 05:30 +0530", "Tue 2026-12-01 00:00 +0530"}},
		{"UMGRU", time.UTC, []string{"Mon 2026-11-30 00:00 +0000", "Tue 2026-12-01 00:00 +0000"}},
	} {
		if got := localTimes(e.posts(tc.manager, digestText), tc.loc); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: digests at %q; want %q", tc.manager, got, tc.want)
		}
	}

	ds := e.posts("UMGRK", digestText)
	if len(ds) != 2 {
		t.Fatalf("UMGRK got %d digests", len(ds))
	}
	dec := ds[1].Text
	lines := map[string]string{}
	for _, l := range strings.Split(dec, "\n") {
		for _, id := range []string{"URFULL", "URSUM", "UROFF"} {
			if strings.HasPrefix(l, "*<@"+id+">*") {
				lines[id] = l
			}
		}
	}
	if !strings.Contains(dec, "November 2026") {
		t.Errorf("December's digest does not cover November:\n%s", dec)
	}
	if !strings.Contains(dec, evidence["URFULL"]) || !strings.Contains(lines["URFULL"], "shares full") {
		t.Errorf("a report sharing full shows no excerpt:\n%s", dec)
	}
	if !strings.Contains(lines["URSUM"], "shares summary") || strings.Contains(dec, evidence["URSUM"]) {
		t.Errorf("a report sharing a summary shows text, or no summary:\n%s", dec)
	}
	if lines["UROFF"] != "*<@UROFF>* · not sharing" || strings.Contains(dec, evidence["UROFF"]) {
		t.Errorf("a report sharing nothing shows more than \"not sharing\":\n%s", dec)
	}

	// admin digest send after the schedule: nothing more goes out.
	queued, already, err := e.sched.QueueDigests(e.ctx)
	if err != nil || queued != 0 || already != 2 {
		t.Errorf("QueueDigests = %d queued, %d already, %v; want 0 and 2", queued, already, err)
	}
}

// TestDigestDefaultCron sends the digest at 09:00 on the 1st in the
// manager's zone, and once only.
func TestDigestDefaultCron(t *testing.T) {
	t.Parallel()
	chatham := mustLoc(t, "Pacific/Chatham")
	from := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	e := newEnv(t, from, schedule.Config{})
	e.enroll("UMGR", "Pacific/Chatham", ladder.Slot{})
	e.enroll("UREP", "UTC", ladder.Slot{}, func(m *ladder.Member) { m.Manager = "UMGR" })
	e.run(from, from.Add(3*24*time.Hour), 15*time.Minute, nil)
	got := localTimes(e.posts("UMGR", digestText), chatham)
	if want := []string{"Tue 2026-12-01 09:00 +1345"}; !reflect.DeepEqual(got, want) {
		t.Errorf("digests at %q; want %q", got, want)
	}
}

// TestQueueDigestsNow is admin digest send through the outbox: once a month,
// however often it is asked, and never on top of the scheduled one.
func TestQueueDigestsNow(t *testing.T) {
	now := time.Date(2026, 11, 12, 15, 0, 0, 0, time.UTC)
	e := newEnv(t, now, schedule.Config{})
	e.enroll("UMGR", "Europe/Berlin", ladder.Slot{})
	e.enroll("UREP", "UTC", ladder.Slot{}, func(m *ladder.Member) { m.Manager = "UMGR" })
	for i := range 3 {
		n, already, err := e.sched.QueueDigests(e.ctx)
		if want := map[bool]int{true: 1, false: 0}[i == 0]; err != nil || n != want || already != 1-want {
			t.Fatalf("QueueDigests #%d = %d, %d already, %v; want %d, %d", i+1, n, already, err, want, 1-want)
		}
		e.sched.Flush(e.ctx)
	}
	if n := len(e.posts("UMGR", digestText)); n != 1 {
		t.Fatalf("%d digests; want 1", n)
	}
	if queued, already, err := e.sched.QueueDigests(e.ctx); err != nil || queued != 0 || already != 1 {
		t.Errorf("QueueDigests = %d, %d, %v; want nothing more queued", queued, already, err)
	}
	// December's scheduled digest still goes out.
	e.run(time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), 15*time.Minute, nil)
	if got := localTimes(e.posts("UMGR", digestText), mustLoc(t, "Europe/Berlin")); len(got) != 2 || got[1] != "Tue 2026-12-01 09:00 +0100" {
		t.Errorf("digests at %q; want November's and December's at 09:00 on the 1st", got)
	}
}
