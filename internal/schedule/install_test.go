package schedule_test

import (
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/schedule"
	"github.com/ladderapp/ladder/internal/store"
)

// TestRevokedTokenStopsTheQueue: the uninstall's events went elsewhere (to
// another replica, or while the app was down), and the first the queue hears
// of it is Slack refusing the token. The queue stops at once, keeps the
// prompt unsent and uncounted rather than failing it, records the uninstall
// for every replica, and sends it when the app is installed again.
func TestRevokedTokenStopsTheQueue(t *testing.T) {
	slot := time.Date(2026, time.November, 30, 9, 30, 0, 0, time.UTC) // a Monday
	e := newEnv(t, slot.Add(-time.Hour), schedule.Config{})
	e.enroll("UALICE", "UTC", ladder.Slot{Day: time.Monday, Minute: 9*60 + 30, On: true})
	e.slack.RevokeTokens()

	e.tick(slot)
	if n := len(e.slack.CallsTo("chat.postMessage")); n != 1 {
		t.Fatalf("%d calls to chat.postMessage, want the one Slack refused", n)
	}
	us, err := e.db.Uninstalled(e.ctx)
	if err != nil || len(us) != 1 || us[0].Reason != "token_revoked" || !us[0].At.Equal(slot) {
		t.Fatalf("uninstall recorded = %+v, %v; want token_revoked at the slot", us, err)
	}
	if u, ok := e.sched.Uninstalled(); !ok || !u.At.Equal(slot) {
		t.Errorf("scheduler's state = %+v, %v; want uninstalled", u, ok)
	}
	rows, err := e.db.Outbox(e.ctx, store.OutboxPrompt)
	if err != nil || len(rows) != 1 || rows[0].State != store.OutboxPending || rows[0].Attempts != 0 {
		t.Fatalf("outbox = %+v, %v; want the prompt pending, no attempt counted", rows, err)
	}
	// Later ticks while uninstalled call Slack no more.
	e.tick(slot.Add(10 * time.Minute))
	e.tick(slot.Add(20 * time.Minute))
	if n := len(e.slack.CallsTo("chat.postMessage")); n != 1 {
		t.Errorf("%d calls to chat.postMessage while uninstalled, want still 1", n)
	}

	// Installed again: the start records it (slackapp does, when auth.test
	// answers), and the next tick sends the prompt.
	e.slack.Reinstall()
	if was, err := e.db.MarkInstalled(e.ctx, ""); err != nil || !was {
		t.Fatalf("MarkInstalled = %v, %v", was, err)
	}
	e.tick(slot.Add(30 * time.Minute))
	if got := e.posts("UALICE", weeklyText); len(got) != 1 {
		t.Errorf("weekly prompts after the reinstall: %d, want 1", len(got))
	}
	if _, ok := e.sched.Uninstalled(); ok {
		t.Error("the scheduler still thinks it is uninstalled")
	}
}
