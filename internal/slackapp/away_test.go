package slackapp_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// queueWeekly queues alice's weekly prompt of the week it is now, as the
// scheduler does at her slot, and has the send queue deal with it.
func (h *harness) queueWeekly() {
	h.t.Helper()
	now := h.clock.Now()
	week := ladder.WeekOf(now.In(h.member(alice).Location()))
	it := store.OutboxItem{
		Key: fmt.Sprintf("prompt:%s:%s", alice, week), Kind: store.OutboxPrompt, Method: "chat.postMessage",
		UserID: alice, Period: week.String(), TZ: "Europe/Berlin", DueAt: now, Created: now,
	}
	if _, err := h.db.Enqueue(h.ctx, it); err != nil {
		h.t.Fatal(err)
	}
	h.sendQueued()
}

// weeklyPosts returns the weekly prompts posted to user.
func (h *harness) weeklyPosts(user string) []fakeslack.Message {
	var out []fakeslack.Message
	for _, m := range h.fake.Messages() {
		if m.Kind == "post" && m.Channel == "D"+user && strings.HasPrefix(m.Text, "Weekly reflection") {
			out = append(out, m)
		}
	}
	return out
}

// TestAwayWeekIsNotMissed follows alice through a week on holiday: her
// ":palm_tree: On vacation" status holds that week's question; the first
// question back says once which week was held; her manager's digest does
// not count the week as one she was asked; and her Home tab's streak leaves
// it out.
func TestAwayWeekIsNotMissed(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.nameAndAccept(alice, bob)
	_, picker := h.dm(alice, "I ran the incident review and wrote up what we changed.")
	h.pressArea(alice, picker, ladder.People)

	// Monday 30 Nov, her slot: on holiday.
	h.clock.Set(time.Date(2026, 11, 30, 8, 30, 0, 0, time.UTC))
	h.fake.SetStatus(alice, fakeslack.Status{Text: "On vacation", Emoji: ":palm_tree:"})
	h.queueWeekly()
	if ps := h.weeklyPosts(alice); len(ps) != 0 {
		t.Fatalf("weekly questions while on vacation: %q", ps[0].Text)
	}

	// The digest of November so far counts her first week, answered, and
	// not the week she is away: 1 of 1, not 1 of 2.
	digest := h.slash(bob, "digest")
	contains(t, "digest", digest, "Weeks answered: 1 of 1")
	lacks(t, "digest", digest, "1 of 2")

	// Monday 7 Dec: back, the status cleared.
	h.clock.Set(time.Date(2026, 12, 7, 8, 30, 0, 0, time.UTC))
	h.fake.SetStatus(alice, fakeslack.Status{})
	h.queueWeekly()
	ps := h.weeklyPosts(alice)
	if len(ps) != 1 {
		t.Fatalf("weekly questions after coming back: %d, want 1", len(ps))
	}
	contains(t, "first question back", string(ps[0].Blocks),
		"Welcome back! Ladder held your question for the week of 30 Nov while your Slack status said you were away. Those weeks never count as missed.")

	// Wednesday 16 Dec: of her weeks since she joined, the away week and
	// this one (not over, no evidence yet) are left out.
	h.clock.Set(time.Date(2026, 12, 16, 12, 0, 0, 0, time.UTC))
	h.home(alice, "Evidence in 1 of the last 2 weeks you were here.")

	// The week after, a question with no note: told once.
	h.clock.Set(time.Date(2026, 12, 21, 8, 30, 0, 0, time.UTC))
	h.queueWeekly()
	ps = h.weeklyPosts(alice)
	if len(ps) != 2 {
		t.Fatalf("weekly questions: %d, want 2", len(ps))
	}
	lacks(t, "second question back", string(ps[1].Blocks)+ps[1].Text, "Welcome back")
}
