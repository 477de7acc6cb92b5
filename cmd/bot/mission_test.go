package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/slacktest"
	"github.com/ladderapp/ladder/internal/store"
)

// TestMission walks the product through run, as it is deployed: a weekly
// prompt arrives at the member's slot, the reply is kept as evidence, /ladder
// gaps shows it, and the member's manager gets a digest with it.
func TestMission(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	fake := slacktest.New(slacktest.WithPingInterval(2 * time.Second))
	defer fake.Close()

	// The member's slot was two minutes ago, in a zone where that is not
	// across the start of an ISO week, so catch-up sends it on start.
	now := time.Now()
	zone := "UTC"
	for _, z := range []string{"UTC", "Asia/Tokyo"} {
		loc, _ := time.LoadLocation(z)
		if l := now.In(loc); ladder.WeekOf(l) == ladder.WeekOf(l.Add(-10*time.Minute)) {
			zone = z
			break
		}
	}
	loc, _ := time.LoadLocation(zone)
	slotAt := now.In(loc).Add(-2 * time.Minute)
	fake.AddUser(slacktest.User{ID: "UALICE", Name: "alice", TZ: zone})
	fake.AddUser(slacktest.User{ID: "UBOB", Name: "bob", TZ: zone})
	fake.AddUser(slacktest.User{ID: "UADMIN", Name: "admin", TZ: zone})

	dbFile := filepath.Join(t.TempDir(), "ladder.db")
	db, err := store.Open(ctx, dbFile)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = db.Enroll(ctx, ladder.Member{
		UserID: "UALICE", Name: "alice", TZ: zone, Level: ladder.EM, Target: ladder.SeniorEM, Track: "broad",
		Slot:    ladder.Slot{Day: slotAt.Weekday(), Minute: slotAt.Hour()*60 + slotAt.Minute(), On: true},
		Manager: "UBOB", Share: ladder.ShareFull, EnrolledAt: now.AddDate(0, -1, 0),
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	for k, v := range map[string]string{
		"SLACK_APP_TOKEN": fake.AppToken, "SLACK_BOT_TOKEN": fake.BotToken, "SLACK_API_URL": fake.APIURL(),
		"LADDER_DB": dbFile, "LADDER_HTTP_ADDR": "", "LADDER_ADMINS": "UADMIN", "LADDER_LOG_LEVEL": "debug",
	} {
		t.Setenv(k, v)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- run(runCtx, []string{"serve"}, os.Getenv, nil, io.Discard, io.Discard) }()

	find := func(what string, ok func(slacktest.Message) bool) slacktest.Message {
		t.Helper()
		var got slacktest.Message
		err := fake.WaitFor(ctx, func(s *slacktest.Snapshot) bool {
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

	prompt := find("the weekly prompt", func(m slacktest.Message) bool {
		return m.Kind == "post" && m.Channel == "DUALICE" && strings.HasPrefix(m.Text, "Weekly reflection")
	})
	ts := fake.NewTS()
	fake.SendEvent("", fake.ThreadReplyEvent("UALICE", "Ran the cross-team incident review with platform and payments", ts, prompt.TS), 0)
	saved := find("the confirmation", func(m slacktest.Message) bool {
		return m.ThreadTS == prompt.TS && strings.HasPrefix(m.Text, "Saved to")
	})
	if !strings.Contains(saved.Text, "evidence in 1 of the last 26 weeks") {
		t.Errorf("confirmation: %q", saved.Text)
	}

	fake.SendSlash(slacktest.SlashCommand{UserID: "UALICE", Text: "gaps"})
	gaps := find("the gaps reply", func(m slacktest.Message) bool { return m.Kind == "response" && m.User == "UALICE" })
	if !strings.Contains(gaps.Text, "Readiness for Senior EM") || !strings.Contains(gaps.Text, "1 week ") {
		t.Errorf("gaps: %q", gaps.Text)
	}

	fake.SendSlash(slacktest.SlashCommand{UserID: "UADMIN", Text: "admin digest send"})
	digest := find("the digest", func(m slacktest.Message) bool {
		return m.Kind == "post" && m.Channel == "DUBOB" && strings.Contains(m.Text, "Monthly digest")
	})
	if !strings.Contains(digest.Text, "<@UALICE>") || !strings.Contains(digest.Text, "Ran the cross-team incident review") {
		t.Errorf("digest: %q", digest.Text)
	}

	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return within 10s")
	}
	weekly := 0
	for _, m := range fake.Messages() {
		if strings.HasPrefix(m.Text, "Weekly reflection") {
			weekly++
		}
	}
	if weekly != 1 {
		t.Errorf("weekly prompts: got %d, want 1", weekly)
	}
}
