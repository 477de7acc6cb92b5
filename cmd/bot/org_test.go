package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/clocktest"
	"github.com/ladderapp/ladder/internal/fakeslack"
)

// TestServeOrgWide runs bot serve against an org-wide install on an
// Enterprise Grid org (issue 16): the token's auth.test says so, and the DMs
// of a member who uses Ladder from one workspace, then another, go out naming
// the workspace, as Slack requires of an org token; the fake refuses them
// otherwise. This is the wiring of serveWith: the app's own test
// (slackapp.TestOrgWideInstall) covers the rest.
func TestServeOrgWide(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	clk := clocktest.Frozen(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	fake := fakeslack.New(fakeslack.WithClock(clk.Now), fakeslack.WithEnterprise("E1", "T1", "T2"))
	defer fake.Close()
	fake.AddOrgUser(fakeslack.User{ID: "WALICE", Name: "alice", TZ: "UTC"}, "T1", "T2")
	for k, v := range map[string]string{
		"SLACK_APP_TOKEN": fake.AppToken, "SLACK_BOT_TOKEN": fake.BotToken, "SLACK_API_URL": fake.APIURL(),
		"LADDER_DB": filepath.Join(t.TempDir(), "ladder.db"), "LADDER_HTTP_ADDR": "",
	} {
		t.Setenv(k, v)
	}
	stop := start(t, ctx, fake, clk)
	defer stop()

	for _, team := range []string{"T1", "T2"} {
		// A minute apart: Slack allows about one post a second in a DM.
		clk.Add(time.Minute)
		before := len(fake.Messages())
		if _, err := fake.SendSlash(fakeslack.SlashCommand{UserID: "WALICE", Text: "prompt", Team: team}); err != nil {
			t.Fatal(err)
		}
		err := fake.WaitFor(ctx, func(s *fakeslack.Snapshot) bool {
			for _, m := range s.Messages[before:] {
				if m.Kind == "post" && strings.Contains(m.Text, "Reflection") {
					return true
				}
			}
			return false
		})
		if err != nil {
			t.Fatalf("no question in alice's DM after /ladder prompt from %s: %v", team, err)
		}
		var named string
		for _, c := range fake.CallsTo("chat.postMessage") {
			named = c.Params.Get("team_id")
		}
		if named != team {
			t.Errorf("the question after /ladder prompt from %s named team_id %q", team, named)
		}
	}
	for _, r := range fake.Rejected() {
		t.Errorf("Slack would have refused: %s", r)
	}
}
