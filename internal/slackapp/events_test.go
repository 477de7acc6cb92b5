package slackapp_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
)

// send sends event and waits until the app has handled it: acked it (so it
// is in the inbox journal), committed it (the journal is empty again) and
// done with it (no inbox backlog).
func (h *harness) send(event map[string]any) {
	h.t.Helper()
	env, err := h.fake.SendEvent("", event, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.fake.WaitAck(h.ctx, env); err != nil {
		h.t.Fatalf("event not acked: %v", err)
	}
	for {
		fi, err := os.Stat(h.dbFile + "-inbox")
		if err != nil {
			h.t.Fatal(err)
		}
		if fi.Size() == 0 {
			n, err := h.db.InboxBacklog(h.ctx)
			if err != nil {
				h.t.Fatal(err)
			}
			if n == 0 {
				return
			}
		}
		select {
		case <-h.ctx.Done():
			h.t.Fatalf("the event was not handled: %v", h.ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func TestDeletingAnAnswerWithRepliesRemovesIt(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.prompt(alice)
	ts, reply := h.dm(alice, "Ran the quarterly planning for two teams.")
	if reply.ThreadTS != ts || len(h.evidence(alice)) != 1 {
		t.Fatalf("setup: confirmation in thread %q of %q, evidence %+v", reply.ThreadTS, ts, h.evidence(alice))
	}
	// A restart drains the work in flight, so the views from here on are the
	// deletion's.
	h.shutdown()
	h.start()
	views := len(h.fake.Views())

	// Ladder's confirmation is a reply in the answer's thread, so Slack
	// leaves a tombstone rather than sending message_deleted.
	tomb := h.fake.DeletionEvent(alice, ts)
	if tomb["subtype"] != "message_changed" {
		t.Fatalf("the fake sent %v for a deletion with replies, want message_changed", tomb["subtype"])
	}
	h.send(tomb)
	// The ack says the deletion is durable, not that it is done: wait for the
	// Home tab it republishes, then stop to drain anything after it.
	if err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool { return len(s.Views) > views }); err != nil {
		t.Fatalf("no Home tab after the deletion: %v", err)
	}
	h.shutdown()
	if es := h.evidence(alice); len(es) != 0 {
		t.Errorf("evidence after the deletion: %+v, want none", es)
	}
	home := 0
	for _, v := range h.fake.Views()[views:] {
		switch v.UserID {
		case alice:
			home++
		default:
			t.Errorf("the deletion published a Home tab for %s", v.UserID)
		}
	}
	if home != 1 {
		t.Errorf("Home tabs published for alice after the deletion: %d, want 1", home)
	}
	h.start()
	list := h.slash(alice, "evidence")
	lacks(t, "evidence after the deletion", list, "quarterly planning", "This message was deleted.")
}

func TestAFileWithNoWordsIsNotEvidence(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.prompt(alice)
	for name, event := range map[string]func(ts string) map[string]any{
		"a file with no text":   func(ts string) map[string]any { return h.fake.FileShareEvent(alice, "", ts, "") },
		"a file with blanks":    func(ts string) map[string]any { return h.fake.FileShareEvent(alice, " \n\t", ts, "") },
		"a message with blanks": func(ts string) map[string]any { return h.fake.DMEvent(alice, "   ", ts) },
	} {
		ts := h.fake.NewTS()
		h.send(event(ts))
		reply := h.waitPost(alice, func(m fakeslack.Message) bool { return m.ThreadTS == ts })
		contains(t, name, reply.Text, "words", "nothing is saved")
		lacks(t, name, reply.Text, "Saved to", "Which area")
		if strings.Contains(name, "file") {
			contains(t, name, reply.Text, "description", "line")
		}
	}
	if es := h.evidence(alice); len(es) != 0 {
		t.Errorf("evidence: %+v, want none", es)
	}

	// A file with words beside it is evidence: the words.
	ts := h.fake.NewTS()
	h.send(h.fake.FileShareEvent(alice, "The incident review I led, written up.", ts, ""))
	reply := h.waitPost(alice, func(m fakeslack.Message) bool { return m.ThreadTS == ts })
	contains(t, "file with text", reply.Text, "Saved to")
	if es := h.evidence(alice); len(es) != 1 || es[0].Text != "The incident review I led, written up." || es[0].TS != ts {
		t.Errorf("evidence: %+v, want the file's text", es)
	}
}

func TestTheBotsOwnEditsChangeNothing(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	_, picker := h.dm(alice, "Wrote the hiring rubric.")
	es := h.evidence(alice)
	if len(es) != 1 {
		t.Fatalf("evidence: %+v", es)
	}
	h.pressArea(alice, picker, ladder.Scaling)
	posts := h.count(func(m fakeslack.Message) bool { return m.Kind == "post" })

	// Slack tells the app about its own chat.update, in the member's DM.
	h.send(h.fake.BotMessageChangedEvent(alice, picker.TS))
	h.shutdown() // drains the work in flight
	if n := h.count(func(m fakeslack.Message) bool { return m.Kind == "post" }); n != posts {
		t.Errorf("posts after the bot's own edit: %d, want %d:%s", n, posts, h.dump())
	}
	after := h.evidence(alice)
	if len(after) != 1 || after[0].Text != "Wrote the hiring rubric." || after[0].Area != ladder.Scaling || !after[0].Edited.IsZero() {
		t.Errorf("evidence after the bot's own edit: %+v", after)
	}
}

func TestThreadBroadcastIsStoredOnce(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	prompt := h.prompt(alice)
	ts := h.fake.NewTS()
	h.send(h.fake.ThreadBroadcastEvent(alice, "Handed the release train to Sam.", ts, prompt.TS))
	reply := h.waitPost(alice, func(m fakeslack.Message) bool {
		return m.ThreadTS == prompt.TS && strings.Contains(m.Text, "Saved to")
	})
	h.shutdown()
	es := h.evidence(alice)
	if len(es) != 1 || es[0].Text != "Handed the release train to Sam." || es[0].TS != ts || es[0].PromptID == "" {
		t.Fatalf("evidence: %+v, want the broadcast reply once, linked to the prompt", es)
	}
	if n := h.count(func(m fakeslack.Message) bool { return m.Kind == "post" && m.ThreadTS == prompt.TS }); n != 1 {
		t.Errorf("confirmations in the prompt's thread: %d, want 1 (%q)", n, reply.Text)
	}
}

func TestAnEditThatLeavesNoWordsKeepsTheEvidence(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.prompt(alice)
	ts := h.fake.NewTS()
	h.send(h.fake.FileShareEvent(alice, "The org design proposal I drafted.", ts, ""))
	h.waitPost(alice, func(m fakeslack.Message) bool { return m.ThreadTS == ts })

	// The member removes the words beside the file.
	h.send(h.fake.MessageChangedEvent(alice, ts, ""))
	h.shutdown()
	es := h.evidence(alice)
	if len(es) != 1 || es[0].Text != "The org design proposal I drafted." || !es[0].Edited.IsZero() {
		t.Errorf("evidence after an edit with no words: %+v, want the words kept", es)
	}
}

// Slack allows about one post a second to a channel, with short bursts. A
// member who sends a run of answers gets every one confirmed exactly once,
// and the send queue keeps the confirmations a second apart, so Slack
// refuses none of them.
func TestABurstOfAnswersIsEveryOneConfirmed(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.prompt(alice)
	const n = 7
	var sent []string
	for i := range n {
		ts := h.fake.NewTS()
		sent = append(sent, ts)
		h.send(h.fake.DMEvent(alice, fmt.Sprintf("Answer number %d about the roadmap.", i+1), ts))
	}
	for _, ts := range sent {
		reply := h.waitPost(alice, func(m fakeslack.Message) bool { return m.ThreadTS == ts })
		contains(t, "confirmation of "+ts, reply.Text, "Saved to")
	}
	h.shutdown()
	if got := h.fake.RateLimited429s("chat.postMessage"); got != 0 {
		t.Errorf("%d 429s from chat.postMessage: the confirmations went faster than one a second in the DM", got)
	}
	var confirmed []time.Time
	for _, c := range h.fake.CallsTo("chat.postMessage") {
		if c.Status == http.StatusOK {
			confirmed = append(confirmed, c.At)
		}
	}
	for i := 1; i < len(confirmed); i++ {
		if gap := confirmed[i].Sub(confirmed[i-1]); gap < 900*time.Millisecond {
			t.Errorf("posts %d and %d to alice's DM came %v apart; want about a second", i, i+1, gap)
		}
	}
	for _, ts := range sent {
		if c := h.count(func(m fakeslack.Message) bool { return m.Kind == "post" && m.ThreadTS == ts }); c != 1 {
			t.Errorf("confirmations in the thread of %s: %d, want 1", ts, c)
		}
	}
	if es := h.evidence(alice); len(es) != n {
		t.Errorf("evidence rows: %d, want %d", len(es), n)
	}
	lacks(t, "logs", h.logs.String(), "confirmation failed")
}
