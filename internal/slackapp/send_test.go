package slackapp_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

// TestPostLookupRateLimitedPostsOnce: a confirmation goes through, but the
// client gives up waiting for Slack's answer; the search of the thread for it
// then meets a 429. The app waits as Slack asks and looks again, and finds
// it: the member gets exactly one confirmation. Before, a failed search
// counted as "not found", and the confirmation was posted a second time.
func TestPostLookupRateLimitedPostsOnce(t *testing.T) {
	h := newHarness(t, slack.OptionHTTPClient(&http.Client{Timeout: 300 * time.Millisecond}))
	h.prompt(alice)
	h.clock.Add(time.Minute) // the DM's budget of posts refills
	h.fake.FailNext("chat.postMessage", 1, fakeslack.Delayed(10*time.Second))
	h.fake.FailNext("conversations.replies", 1, fakeslack.RateLimited(1))
	ts := h.sendDMNoWait(alice, "an answer whose confirmation times out")
	h.waitThreadReplies(ts)
	h.waitConfirmed(alice, "an answer whose confirmation times out")
	h.drainSends() // the queue's retry looks for the post it lost
	got := h.threadReplies(ts)
	if len(got) != 1 {
		t.Fatalf("confirmations in the answer's thread: got %d, want 1:%s\nlogs:\n%s", len(got), h.dump(), h.logs)
	}
	contains(t, "confirmation", got[0].Text, "Saved to")
	if n := h.fake.RateLimited429s("conversations.replies"); n != 1 {
		t.Errorf("429s on conversations.replies: got %d, want the one forced", n)
	}
	var looked int
	for _, c := range h.fake.CallsTo("conversations.replies") {
		if strings.Contains(c.Params.Get("ts"), ts) {
			looked++
		}
	}
	if looked < 2 {
		t.Errorf("searches of the thread: got %d, want the one refused and at least one more", looked)
	}
}

// waitConfirmed waits until user's evidence text is recorded as confirmed.
func (h *harness) waitConfirmed(user, text string) {
	h.t.Helper()
	for {
		for _, e := range h.evidence(user) {
			if e.Text == text && !e.Confirmed.IsZero() {
				return
			}
		}
		if h.ctx.Err() != nil {
			h.t.Fatalf("%q never confirmed:%s\nlogs:\n%s", text, h.dump(), h.logs)
		}
		// Each step towards the confirmation is a call to Slack.
		wctx, cancel := context.WithTimeout(h.ctx, 50*time.Millisecond)
		n := len(h.fake.Calls())
		_ = h.fake.WaitFor(wctx, func(s *fakeslack.Snapshot) bool { return len(s.Calls) > n })
		cancel()
	}
}
