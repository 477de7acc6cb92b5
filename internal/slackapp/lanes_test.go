package slackapp_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/schedule"
	"github.com/ladderapp/ladder/internal/slackapp"
	"github.com/ladderapp/ladder/internal/store"
)

// TestAnswerConfirmedDuringFanOut: 10,000 weekly messages (3,000 under the
// race detector) drain through the
// send queue behind a workspace that takes 5 posts a second, with the queue
// at its production settings (it is not told the limit). Meanwhile alice
// answers three times: each confirmation, in the interactive lane, arrives
// within 2 s, and the fan-out is still going when the last one does.
func TestAnswerConfirmedDuringFanOut(t *testing.T) {
	// Queueing 10,000 rows takes a while under the race detector on a
	// loaded machine: the deadline is for the whole test, not the answers.
	h := newHarnessWithin(t, 2*time.Minute)
	h.slash(alice, "start")
	h.prompt(alice)
	h.drainSends()

	// The production queue: no budgets of the harness's.
	h.stopSends()
	h.startSendsWith(schedule.Config{SendOnly: true})
	h.fake.Limit("chat.postMessage", 5)

	fanout := 10000
	if slackapp.RaceEnabled {
		// Under the race detector queueing alone takes most of a minute;
		// 3,000 posts at 5 a second still outlast the test tenfold.
		fanout = 3000
	}
	payload, _ := json.Marshal(map[string]any{"text": "Weekly reflection · a bulk message"})
	items := make([]store.OutboxItem, fanout)
	now := h.clock.Now()
	for i := range items {
		u := fmt.Sprintf("UFAN%05d", i)
		h.fake.AddUser(fakeslack.User{ID: u, Name: u, TZ: "UTC"})
		items[i] = store.OutboxItem{Key: "bulk:" + u, Kind: store.OutboxDM, Method: "chat.postMessage", UserID: u,
			Lane: store.LaneBulk, Payload: payload, DueAt: now, Created: now}
	}
	if _, err := h.db.Enqueue(h.ctx, items...); err != nil {
		t.Fatal(err)
	}
	h.sched.Wake()
	// The fan-out is under way, and has met the workspace's limit.
	if err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		for _, c := range s.Calls {
			if c.Method == "chat.postMessage" && c.Status == 429 {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("the fan-out never met the limit: %v", err)
	}

	for i := range 3 {
		start := time.Now()
		_, reply := h.dm(alice, fmt.Sprintf("Answer %d, sent while ten thousand messages go out.", i+1))
		took := time.Since(start)
		contains(t, "confirmation", reply.Text, "Saved to")
		t.Logf("answer %d confirmed in %v", i+1, took.Round(time.Millisecond))
		if took > 2*time.Second {
			t.Errorf("answer %d confirmed after %v, want under 2s during the fan-out", i+1, took)
		}
	}
	bulk := h.count(func(m fakeslack.Message) bool {
		return m.Kind == "post" && strings.HasPrefix(m.Text, "Weekly reflection · a bulk")
	})
	if bulk >= fanout/2 {
		t.Fatalf("%d of %d bulk messages out already: the answers did not come during the fan-out", bulk, fanout)
	}
	t.Logf("%d of %d bulk messages out when the last answer was confirmed", bulk, fanout)
	h.stopSends() // not the 30 minutes the rest takes
}
