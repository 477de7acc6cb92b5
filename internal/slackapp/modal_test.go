package slackapp_test

import (
	"fmt"
	"hash/fnv"
	"strings"
	"testing"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

// defaultWorkers is slackapp.Config's default worker count, which the harness
// uses.
const defaultWorkers = 8

// workerOf is the worker that runs user's envelopes, as pool.go shards them:
// FNV-1a of the user id, modulo the worker count.
func workerOf(user string) int {
	h := fnv.New32a()
	h.Write([]byte(user))
	return int(h.Sum32() % defaultWorkers)
}

// TestAnswerOpensModalWhileEveryWorkerWaitsOn429: a member on every worker
// has a question waiting on a 429 with Retry-After: 5, longer than a
// trigger_id lives (3 s). alice then presses Answer on her question, and
// Answer now on her Home tab: each modal opens before those questions have
// gone out, so a click never waits behind the pool or the send queue.
func TestAnswerOpensModalWhileEveryWorkerWaitsOn429(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.prompt(alice)
	sent, err := h.db.LatestPrompt(h.ctx, alice, monday.AddDate(0, 0, -1))
	if err != nil {
		t.Fatal(err)
	}

	// One member on each worker, alice's included.
	busy, before := h.holdEveryWorker()
	posted := postedOK
	if err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		n := 0
		for _, m := range s.Messages {
			if isReply(m) && strings.Contains(m.Text, "sent you a question") {
				n++
			}
		}
		return n >= len(busy)
	}); err != nil {
		t.Fatalf("the busy members' commands were not all answered: %v", err)
	}

	for _, click := range []map[string]any{
		h.fake.BlockAction(alice, "answer", sent.PromptID, "", sent.TS),
		h.fake.BlockAction(alice, "home_answer", "", "", ""),
	} {
		opened := len(h.fake.CallsTo("views.open"))
		if _, err := h.fake.SendInteractive(click); err != nil {
			t.Fatal(err)
		}
		calls, err := h.fake.WaitCalls(h.ctx, "views.open", opened+1)
		if err != nil {
			t.Fatal(err)
		}
		if c := calls[opened]; c.Error != "" || c.Status != 200 {
			t.Errorf("views.open: status %d, error %q; want it to open the modal", c.Status, c.Error)
		}
	}
	var modals int
	for _, v := range h.fake.Views() {
		if v.Kind == "open" && v.UserID == alice {
			modals++
		}
	}
	if modals != 2 {
		t.Errorf("modals opened for alice: got %d, want 2", modals)
	}

	// The order: both modals opened while the busy posts waited out the
	// 429, that is before they had all gone out. (A post or two already in
	// flight when Slack said "wait" goes out meanwhile.)
	calls := h.fake.Calls()
	for i, c := range calls {
		if c.Method == "views.open" {
			if n := posted(calls[:i]); n >= before+len(busy) {
				t.Errorf("views.open came after %d posts, want it before the busy members' prompts had all gone out (%d)", n, before+len(busy))
			}
		}
	}
	h.drainSends()
	if n := posted(h.fake.Calls()); n != before+len(busy) {
		t.Errorf("posts after the 429: %d, want each busy member's prompt once (%d)", n, before+len(busy))
	}
}

// postedOK counts the chat.postMessage calls that Slack accepted.
func postedOK(calls []fakeslack.Call) int {
	n := 0
	for _, c := range calls {
		if c.Method == "chat.postMessage" && c.Status == 200 {
			n++
		}
	}
	return n
}

// holdEveryWorker enrols a member on each worker and has each ask for a
// question while Slack answers the first post with a 429 whose Retry-After,
// 5 s, is longer than a trigger_id lives: the send queue holds every post for
// that long. It returns the members and the posts Slack accepted before.
func (h *harness) holdEveryWorker() (busy []string, before int) {
	h.t.Helper()
	covered := map[int]bool{}
	for i := 0; len(covered) < defaultWorkers; i++ {
		u := fmt.Sprintf("UBUSY%02d", i)
		if w := workerOf(u); !covered[w] {
			covered[w] = true
			busy = append(busy, u)
			h.fake.AddUser(fakeslack.User{ID: u, Name: u, TZ: "UTC"})
			h.slash(u, "start")
		}
	}
	h.drainSends() // the welcome DMs
	before = postedOK(h.fake.Calls())
	h.fake.FailNext("chat.postMessage", 1, fakeslack.RateLimited(5))
	for _, u := range busy {
		if _, err := h.fake.SendSlash(fakeslack.SlashCommand{UserID: u, Text: "prompt"}); err != nil {
			h.t.Fatal(err)
		}
	}
	err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		for _, c := range s.Calls {
			if c.Method == "chat.postMessage" && c.Status == 429 {
				return true
			}
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("the busy members' posts never met the 429: %v", err)
	}
	return busy, before
}
