package slackapp_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/slackapp"
)

// These tests are about the order of a member's events: Slack does not keep
// it across retries, and one member's events must be handled as they arrived.

// sendEvent sends event with Slack's event id and retry attempt, and waits for
// its ack.
func (h *harness) sendEvent(eventID string, event map[string]any, retry int) {
	h.t.Helper()
	env, err := h.fake.SendEvent(eventID, event, retry)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.fake.WaitAck(h.ctx, env); err != nil {
		h.t.Fatalf("event %s not acked: %v", eventID, err)
	}
}

// restart stops the app, draining its work in flight, and starts it again
// with cfg, waiting for its new connection: the fake sends envelopes on the
// newest.
func (h *harness) restart(cfg slackapp.Config) {
	h.t.Helper()
	h.shutdown()
	n := h.fake.Connections()
	h.startWith(cfg)
	if err := h.fake.WaitConnections(h.ctx, n+1); err != nil {
		h.t.Fatalf("no new connection: %v", err)
	}
}

// shown reports whether text is in anything the member can see of their
// evidence: /ladder evidence and every Home tab published for them.
func (h *harness) shown(user, text string) bool {
	h.t.Helper()
	if strings.Contains(h.slash(user, "evidence"), text) {
		return true
	}
	for _, v := range h.fake.Views() {
		if v.UserID == user && strings.Contains(string(v.View), text) {
			return true
		}
	}
	return false
}

func TestADeleteDoesNotOvertakeItsMessage(t *testing.T) {
	h := newHarness(t)
	h.fastDMs() // this test is about order, not pace
	h.prompt(alice)
	// Alice's earlier answers are slow to confirm, so the message and its
	// deletion wait in her worker's queue behind them.
	h.fake.FailNext("chat.postMessage", 2, fakeslack.Delayed(1500*time.Millisecond))
	earlier := []string{h.sendDMNoWait(alice, "earlier answer one"), h.sendDMNoWait(alice, "earlier answer two")}
	ts := h.fake.NewTS()
	msg := h.fake.DMEvent(alice, "sent to the wrong person, deleted at once", ts)
	del := h.fake.DeletionEvent(alice, ts)
	h.sendEvent("EvMsg", msg, 0)
	h.sendEvent("EvDel", del, 0)
	h.waitThreadReplies(earlier...)
	h.restart(slackapp.Config{}) // drains the work in flight

	for _, e := range h.evidence(alice) {
		if e.TS == ts {
			t.Errorf("the deleted message is stored: %+v", e)
		}
	}
	if rs := h.threadReplies(ts); len(rs) != 0 {
		t.Errorf("the deleted message was confirmed: %q", rs[0].Text)
	}
	if h.shown(alice, "wrong person") {
		t.Error("the deleted message is shown")
	}
	h.storedOnce(alice, "earlier answer one", "earlier answer two")
}

func TestAnEditBeforeItsMessageIsKept(t *testing.T) {
	h := newHarness(t)
	h.prompt(alice)
	ts := h.fake.NewTS()
	original := h.fake.DMEvent(alice, "Fired Dave for the outage", ts)
	edit := h.fake.MessageChangedEvent(alice, ts, "Ran the outage review with the team")
	// The first delivery of the message timed out; its edit arrives, and
	// then Slack's retry of the original.
	h.sendEvent("EvEdit", edit, 0)
	h.sendEvent("EvOriginal", original, 1)
	reply := h.waitPost(alice, func(m fakeslack.Message) bool { return m.ThreadTS == ts })
	contains(t, "confirmation", reply.Text, "Saved to")
	h.restart(slackapp.Config{})

	es := h.evidence(alice)
	if len(es) != 1 || es[0].Text != "Ran the outage review with the team" {
		t.Fatalf("evidence = %+v; want the edited text only", es)
	}
	if h.shown(alice, "Fired Dave") {
		t.Error("the text the member edited away is shown")
	}
	if rs := h.threadReplies(ts); len(rs) != 1 {
		t.Errorf("confirmations: %d, want 1", len(rs))
	}
}

func TestADeleteBeforeItsMessageKeepsItOut(t *testing.T) {
	h := newHarness(t)
	h.prompt(alice)
	ts := h.fake.NewTS()
	original := h.fake.DMEvent(alice, "Not meant for Ladder", ts)
	del := h.fake.MessageDeletedEvent(alice, ts)
	h.sendEvent("EvDelete", del, 0)
	h.sendEvent("EvOriginal", original, 1)
	h.restart(slackapp.Config{}) // drains the work in flight

	if es := h.evidence(alice); len(es) != 0 {
		t.Errorf("evidence = %+v; want none", es)
	}
	if rs := h.threadReplies(ts); len(rs) != 0 {
		t.Errorf("the deleted message was answered: %q", rs[0].Text)
	}
	if h.shown(alice, "Not meant for Ladder") {
		t.Error("the deleted message is shown")
	}
}

// TestTheDrainLosesNothingAcked stops the app while a slow Slack holds its
// workers: what the drain does not finish is handled at the next start, and
// each answer is stored and confirmed once.
func TestTheDrainLosesNothingAcked(t *testing.T) {
	h := newHarness(t)
	h.fastDMs()
	h.prompt(alice)
	h.restart(slackapp.Config{DrainTimeout: time.Second})
	h.fake.FailNext("views.publish", 8, fakeslack.Delayed(700*time.Millisecond)) // each answer republishes the Home tab
	var tss []string
	texts := map[string]string{}
	for i := range 8 {
		ts := h.fake.NewTS()
		text := fmt.Sprintf("answer %d before the stop", i)
		h.sendEvent("", h.fake.DMEvent(alice, text, ts), 0)
		tss = append(tss, ts)
		texts[ts] = text
	}
	h.shutdown() // the drain gives up after a second: most answers are not handled
	stored := len(h.evidence(alice))
	t.Logf("%d of 8 acked answers stored when the drain ended", stored)
	if stored == 8 {
		t.Error("the drain finished everything: the test proves nothing")
	}

	h.restart(slackapp.Config{})
	h.waitThreadReplies(tss...)
	h.waitAllConfirmed(10 * time.Second)
	h.shutdown()
	var want []string
	for _, ts := range tss {
		want = append(want, texts[ts])
		if rs := h.threadReplies(ts); len(rs) != 1 {
			t.Errorf("answer %q: %d replies, want 1", texts[ts], len(rs))
		}
	}
	h.storedOnce(alice, want...)
}
