package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones the mission uses, wherever it runs

	"github.com/ladderapp/ladder/internal/clocktest"
	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// TestMission walks the product through run, as it is deployed, on a clock
// the test sets: a weekly prompt arrives at the member's slot, the reply is
// kept as evidence, /ladder gaps shows it, and the member's manager gets a
// digest with it.
//
// The scheduler's minute tick follows the real clock, so the test does not
// wait for it: it starts run at the moment it wants looked at, and the tick
// every start runs at once sends what is due then, as after a restart. The
// first start is at the member's slot; the second is some days later, when the
// manager looks at the digest.
//
// Which month a digest covers depends on the date (SPEC, README): in the
// first week of a month, the month just ended; from the 8th, the month so far.
// The /ladder digest preview always shows the month so far. So the mission
// runs as if on the 1st, the 7th and the 8th, with answers given across a
// month end and, in Tokyo, on a Monday that is still Sunday in UTC.
func TestMission(t *testing.T) {
	const answer = "Ran the cross-team incident review with platform and payments"
	for _, tc := range []struct {
		name string
		zone string // of the member and their manager
		// slot is the member's weekly slot: the prompt arrives then, the answer
		// a minute later.
		slot time.Time
		week int // the member's ISO week at slot
		// look is when the app starts again and the manager runs /ladder digest.
		look time.Time
		// preview is what /ladder digest shows at look: its month, its count
		// of answered weeks and its excerpt of the answer, if any. Only
		// weeks with a weekly prompt count, and the app runs only at the
		// slot and at look: one prompt in all.
		preview, previewWeeks, previewExcerpt string
		// digest is the same for the scheduled digest the start at look sends.
		digest, digestWeeks, digestExcerpt string
	}{{
		// The digest fires at 09:00 on the 1st and covers November, with the
		// answer from the 30th.
		name: "the 1st", zone: "Europe/Berlin",
		slot: date("Europe/Berlin", 2026, 11, 30, 9, 30), week: 49,
		look:    date("Europe/Berlin", 2026, 12, 1, 9, 0),
		preview: "December so far", previewWeeks: "Weeks answered: no weekly question yet",
		digest: "November 2026", digestWeeks: "Weeks answered: 1 of 1\n", digestExcerpt: "(Nov 30)",
	}, {
		// Monday 08:00 in Tokyo is Sunday 23:00 in UTC: the answer is in the
		// member's week 49, not UTC's 48. The app was down from the 1st to the
		// evening of the 7th; the digest due on the 1st goes out late, still
		// covering November.
		name: "the 7th", zone: "Asia/Tokyo",
		slot: date("Asia/Tokyo", 2026, 11, 30, 8, 0), week: 49,
		look:    date("Asia/Tokyo", 2026, 12, 7, 21, 0),
		preview: "December so far", previewWeeks: "Weeks answered: no weekly question yet",
		digest: "November 2026", digestWeeks: "Weeks answered: 1 of 1\n", digestExcerpt: "(Nov 30)",
	}, {
		// Tuesday 1 December 07:00 in Auckland is still 30 November in UTC:
		// the answer belongs to December where the manager is. On the 8th the
		// preview covers December so far, with the answer; November's digest,
		// due on the 1st and sent late by this start (less than 7 days late),
		// does not have it.
		name: "the 8th", zone: "Pacific/Auckland",
		slot: date("Pacific/Auckland", 2026, 12, 1, 7, 0), week: 49,
		look:    date("Pacific/Auckland", 2026, 12, 8, 6, 30),
		preview: "December so far", previewWeeks: "Weeks answered: 1 of 1\n", previewExcerpt: "(Dec 1)",
		digest: "November 2026", digestWeeks: "Weeks answered: no weekly question in November",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			clk := clocktest.Frozen(time.Time{})
			fake := fakeslack.New(fakeslack.WithClock(clk.Now))
			defer fake.Close()
			defer func() {
				for _, r := range fake.Rejected() {
					t.Errorf("Slack would have refused this Block Kit: %s", r)
				}
			}()
			for _, id := range []string{"UALICE", "UBOB", "UADMIN"} {
				fake.AddUser(fakeslack.User{ID: id, Name: strings.ToLower(id[1:]), TZ: tc.zone})
			}
			dbFile := filepath.Join(t.TempDir(), "ladder.db")
			enroll(t, dbFile,
				ladder.Member{UserID: "UALICE", Name: "alice", TZ: tc.zone, Level: ladder.EM, Target: ladder.SeniorEM, Track: "broad",
					Slot:    ladder.Slot{Day: tc.slot.Weekday(), Minute: tc.slot.Hour()*60 + tc.slot.Minute(), On: true},
					Manager: "UBOB", Share: ladder.ShareFull, EnrolledAt: tc.slot.AddDate(0, -1, 0)},
				// The manager is a member too, with no weekly slot of their own.
				ladder.Member{UserID: "UBOB", Name: "bob", TZ: tc.zone, Level: ladder.SeniorEM, Target: ladder.Director, Track: "broad",
					Share: ladder.ShareSummary, EnrolledAt: tc.slot.AddDate(0, -1, 0)},
			)
			for k, v := range map[string]string{
				"SLACK_APP_TOKEN": fake.AppToken, "SLACK_BOT_TOKEN": fake.BotToken, "SLACK_API_URL": fake.APIURL(),
				"LADDER_DB": dbFile, "LADDER_HTTP_ADDR": "", "LADDER_ADMINS": "UADMIN", "LADDER_LOG_LEVEL": "debug",
			} {
				t.Setenv(k, v)
			}
			find := func(what string, ok func(fakeslack.Message) bool) fakeslack.Message {
				t.Helper()
				var got fakeslack.Message
				err := fake.WaitFor(ctx, func(s *fakeslack.Snapshot) bool {
					for _, m := range s.Messages {
						if ok(m) {
							got = m
							return true
						}
					}
					return false
				})
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				return got
			}
			// visible is a reply to a slash command, shown only to user.
			visible := func(user string) func(fakeslack.Message) bool {
				return func(m fakeslack.Message) bool {
					return (m.Kind == "response" || m.Kind == "ack") && m.User == user
				}
			}

			// At the slot: the prompt, the answer, the gaps.
			clk.Set(tc.slot)
			stop := start(t, ctx, fake, clk)
			prompt := find("the weekly prompt", func(m fakeslack.Message) bool {
				return m.Kind == "post" && m.Channel == "DUALICE" && strings.HasPrefix(m.Text, "Weekly reflection")
			})
			if at := tsTime(prompt.TS); !at.Equal(tc.slot) {
				t.Errorf("the weekly prompt arrived at %s; want the slot, %s", at.In(tc.slot.Location()), tc.slot)
			}
			area := promptArea(prompt.Text)
			clk.Add(time.Minute)
			if _, err := fake.SendEvent("", fake.ThreadReplyEvent("UALICE", answer, fake.NewTS(), prompt.TS), 0); err != nil {
				t.Fatal(err)
			}
			saved := find("the confirmation", func(m fakeslack.Message) bool {
				return m.ThreadTS == prompt.TS && strings.HasPrefix(m.Text, "Saved to")
			})
			if want := "Saved to " + area + " (week " + strconv.Itoa(tc.week) + ")."; !strings.HasPrefix(saved.Text, want) {
				t.Errorf("confirmation %q; want it to start %q", saved.Text, want)
			}
			clk.Add(time.Hour)
			if _, err := fake.SendSlash(fakeslack.SlashCommand{UserID: "UALICE", Text: "gaps"}); err != nil {
				t.Fatal(err)
			}
			gaps := find("the gaps reply", visible("UALICE"))
			// An area is two lines: its status, then its weeks with evidence.
			_, entry, _ := strings.Cut(gaps.Text, "*"+area+"*")
			if lines := strings.SplitN(entry, "\n", 3); len(lines) >= 2 {
				entry = lines[0] + "\n" + lines[1]
			}
			if !strings.Contains(gaps.Text, "Readiness for Senior EM") ||
				!strings.Contains(entry, "Evidence in 1 of ") || !strings.Contains(entry, "last today") {
				t.Errorf("gaps: the %s entry is %q; want evidence in 1 week, last today, in:\n%s", area, entry, gaps.Text)
			}
			stop()

			// Days later: the scheduled digest, and the manager's preview.
			clk.Set(tc.look)
			stop = start(t, ctx, fake, clk)
			digest := find("the scheduled digest", func(m fakeslack.Message) bool {
				return m.Kind == "post" && m.Channel == "DUBOB" && strings.Contains(m.Text, "Monthly digest")
			})
			checkDigest(t, "scheduled digest", digest.Text, tc.digest, tc.digestWeeks, answer, tc.digestExcerpt)
			if _, err := fake.SendSlash(fakeslack.SlashCommand{UserID: "UBOB", Text: "digest"}); err != nil {
				t.Fatal(err)
			}
			preview := find("the digest preview", visible("UBOB"))
			if !strings.HasPrefix(preview.Text, "Preview") {
				t.Errorf("preview: %q", preview.Text)
			}
			checkDigest(t, "preview", preview.Text, tc.preview, tc.previewWeeks, answer, tc.previewExcerpt)
			stop()

			counts := map[string]int{}
			for _, m := range fake.Messages() {
				if m.Kind == "post" {
					counts[m.Channel+" "+strings.SplitN(m.Text, " ·", 2)[0]]++
				}
			}
			if counts["DUALICE Weekly reflection"] != 1 || counts["DUBOB *Monthly digest"] != 1 {
				t.Errorf("posts: %v; want one weekly prompt to alice and one digest to bob", counts)
			}
		})
	}
}

// date is a wall-clock time in the named zone.
func date(zone string, y int, mo time.Month, d, h, mi int) time.Time {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		panic(err)
	}
	return time.Date(y, mo, d, h, mi, 0, 0, loc)
}

// enroll stores members in the database at path, as earlier runs would have.
func enroll(t *testing.T, path string, ms ...ladder.Member) {
	t.Helper()
	db, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, m := range ms {
		if _, _, err := db.Enroll(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
}

// start runs bot serve against the fake Slack, on clk, and returns once the
// app has connected, so that events reach it. The first tick runs as the app
// starts: what is due at clk's time is being sent. stop cancels run and checks
// that it returned cleanly.
func start(t *testing.T, ctx context.Context, fake *fakeslack.Server, clk *clocktest.Clock) (stop func()) {
	t.Helper()
	conns := fake.Connections()
	stop = serveOn(t, ctx, clk)
	if err := fake.WaitConnections(ctx, conns+1); err != nil {
		stop()
		t.Fatalf("the app never connected: %v", err)
	}
	return stop
}

// serveOn runs bot serve on clk without waiting for it to connect (an
// uninstalled app never does), and returns a stop that cancels it and checks
// that it returned cleanly.
func serveOn(t *testing.T, ctx context.Context, clk *clocktest.Clock) (stop func()) {
	t.Helper()
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- run(runCtx, []string{"serve"}, os.Getenv, clk.Now, nil, io.Discard, io.Discard) }()
	return func() {
		t.Helper()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run after cancel: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("run did not return within 10s")
		}
	}
}

// checkDigest checks the digest text a manager sees: its month, the report's
// entry with the weeks answered, and the excerpt of the answer if want is not
// empty, or no excerpt if it is.
func checkDigest(t *testing.T, what, text, month, weeks, answer, excerpt string) {
	t.Helper()
	if want := "*Monthly digest · " + month + " · your reports*"; !strings.Contains(text, want) {
		t.Errorf("%s: want the month %q in:\n%s", what, month, text)
	}
	if entry := blockWith(text, "<@UALICE>"); !strings.Contains(entry, weeks) {
		t.Errorf("%s: alice's entry %q; want %q", what, entry, weeks)
	}
	quoted := "“" + answer + "” " + excerpt
	switch {
	case excerpt != "" && !strings.Contains(text, quoted):
		t.Errorf("%s: want the answer, %s, in:\n%s", what, quoted, text)
	case excerpt == "" && strings.Contains(text, answer):
		t.Errorf("%s: the answer, from another month, is in:\n%s", what, text)
	}
}

// promptArea reads the area from a prompt's text, "Weekly reflection · Area · …".
func promptArea(text string) string {
	f := strings.Split(text, " · ")
	if len(f) < 2 {
		return ""
	}
	return f[1]
}

// blockWith returns the digest entry that contains s: its lines from that
// one to the next blank line, with the line break that ends each.
func blockWith(text, s string) string {
	i := strings.Index(text, s)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(text[:i], "\n") + 1
	if end := strings.Index(text[start:], "\n\n"); end >= 0 {
		return text[start : start+end+1]
	}
	return text[start:]
}

// tsTime reads a Slack timestamp, which the fake Slack takes from the clock.
func tsTime(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, _ := strconv.ParseInt(sec, 10, 64)
	us, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return time.Unix(s, us*1000)
}
