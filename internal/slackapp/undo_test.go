package slackapp_test

import (
	"strings"
	"testing"

	"github.com/ladderapp/ladder/internal/blocktext"
	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
)

// buttonIn returns the button labelled label in msg, failing the test if
// there is none.
func (h *harness) buttonIn(msg fakeslack.Message, label string) element {
	h.t.Helper()
	for _, b := range checkIDs(h.t, "message", msg.Blocks) {
		for _, el := range b.Elements {
			if el.Type == "button" && el.label() == label {
				return el
			}
		}
	}
	h.t.Fatalf("no %q button in: %s", label, blocktext.Message(msg.Text, msg.Blocks))
	return element{}
}

// updates counts Ladder's chat.updates of the message ts.
func (h *harness) updates(ts string) int {
	return h.count(func(m fakeslack.Message) bool { return m.Kind == "update" && m.TS == ts })
}

// press presses the button labelled label on msg as user, and returns the
// message as Ladder updated it in reply.
func (h *harness) press(user string, msg fakeslack.Message, label string) fakeslack.Message {
	h.t.Helper()
	btn := h.buttonIn(msg, label)
	before := h.updates(msg.TS)
	env, err := h.fake.SendInteractive(h.fake.BlockAction(user, btn.ActionID, btn.Value, "", msg.TS))
	if err != nil {
		h.t.Fatal(err)
	}
	h.fake.WaitAck(h.ctx, env)
	var got fakeslack.Message
	err = h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		n := 0
		for _, m := range s.Messages {
			if m.Kind == "update" && m.TS == msg.TS {
				if n++; n > before {
					got = m
					return true
				}
			}
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("pressing %q changed nothing: %v%s\nlogs:\n%s", label, err, h.dump(), h.logs)
	}
	return got
}

// shows is the message as the member reads it in Slack: its blocks as text.
func shows(m fakeslack.Message) string { return blocktext.Message(m.Text, m.Blocks) }

// TestShortMessagesAreAskedAbout: "thanks!" after a prompt is not saved
// silently. Ladder asks in its thread; Save files it, under the prompt's
// area, and the question becomes the confirmation. "👍" and Don't save leave
// nothing behind; a second press changes nothing.
func TestShortMessagesAreAskedAbout(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.prompt(alice)

	ts, ask := h.dm(alice, "thanks!")
	contains(t, "the question", shows(ask), "Save this as evidence?", "“thanks!”", "[ Save ]", "[ Don't save ]")
	lacks(t, "the question", shows(ask), "Saved to")
	if ask.ThreadTS != ts {
		t.Errorf("the question went to thread %q, want the message's own %q", ask.ThreadTS, ts)
	}
	if es := h.evidence(alice); len(es) != 0 {
		t.Fatalf("evidence before the member decided: %+v, want none", es)
	}

	saved := h.press(alice, ask, "Save")
	es := h.evidence(alice)
	if len(es) != 1 || es[0].Text != "thanks!" || es[0].Area == "" || es[0].PromptID == "" {
		t.Fatalf("evidence after Save: %+v, want thanks!, filed under the prompt's area", es)
	}
	area, _ := h.ladder.Area(es[0].Area)
	contains(t, "after Save", shows(saved), "Saved to "+area.Name, "in your first week with Ladder", "[ Undo ]", "[ Move to another area ]")

	_, ask = h.dm(alice, "👍")
	dropped := h.press(alice, ask, "Don't save")
	contains(t, "after Don't save", shows(dropped), "Not saved")
	lacks(t, "after Don't save", shows(dropped), "[ Save ]")
	if es := h.evidence(alice); len(es) != 1 {
		t.Errorf("evidence after Don't save: %+v, want only the saved thanks", es)
	}
	// A stale second press of Save on the old question keeps what was decided.
	btn := h.buttonIn(ask, "Save")
	env, _ := h.fake.SendInteractive(h.fake.BlockAction(alice, btn.ActionID, btn.Value, "", ask.TS))
	h.fake.WaitAck(h.ctx, env)
	h.shutdown()
	if es := h.evidence(alice); len(es) != 1 || es[0].Confirmed.IsZero() {
		t.Errorf("evidence after a second press: %+v, want only the saved thanks, confirmed", es)
	}
	if n := h.updates(ask.TS); n != 1 {
		t.Errorf("the question was updated %d times, want once", n)
	}
}

// TestShortAnswerInAPromptsThreadIsSaved: a short reply in the prompt's own
// thread answers that question, and is saved as any answer is.
func TestShortAnswerInAPromptsThreadIsSaved(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	prompt := h.prompt(alice)
	ts := h.fake.NewTS()
	h.send(h.fake.ThreadReplyEvent(alice, "Hired two seniors", ts, prompt.TS))
	reply := h.waitPost(alice, func(m fakeslack.Message) bool { return m.ThreadTS == prompt.TS })
	contains(t, "confirmation", shows(reply), "Saved to", "[ Undo ]")
	if es := h.evidence(alice); len(es) != 1 || es[0].Text != "Hired two seniors" {
		t.Errorf("evidence: %+v", es)
	}
}

// TestAHeldMessageEditedThenSaved: the member corrects a short message before
// pressing Save; the corrected words are what is saved. A held message that
// is deleted cannot be saved, and its text is gone.
func TestAHeldMessageEditedThenSaved(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	ts, ask := h.dm(alice, "ok")
	h.send(h.fake.MessageChangedEvent(alice, ts, "ok: the reorg plan is signed off by all three directors"))
	h.press(alice, ask, "Save")
	if es := h.evidence(alice); len(es) != 1 || !strings.Contains(es[0].Text, "reorg plan") {
		t.Errorf("evidence: %+v, want the edited text", es)
	}

	ts, ask = h.dm(alice, "lol")
	h.send(h.fake.MessageDeletedEvent(alice, ts))
	gone := h.press(alice, ask, "Save")
	contains(t, "saving a deleted message", shows(gone), "deleted", "nothing to save")
	if es := h.evidence(alice); len(es) != 1 {
		t.Errorf("evidence: %+v, want only the first", es)
	}
}

// TestForgetDeletesWhatWasHeld: a short message waiting for Save or Don't
// save is part of what forget deletes.
func TestForgetDeletesWhatWasHeld(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	_, ask := h.dm(alice, "thx!")
	h.slash(alice, "forget confirm")
	h.slash(alice, "start") // enrolled again, with nothing
	btn := h.buttonIn(ask, "Save")
	env, _ := h.fake.SendInteractive(h.fake.BlockAction(alice, btn.ActionID, btn.Value, "", ask.TS))
	h.fake.WaitAck(h.ctx, env)
	h.shutdown()
	if es := h.evidence(alice); len(es) != 0 {
		t.Errorf("evidence after forget and a late Save: %+v, want none", es)
	}
}

// TestUndoAndMove: a confirmation's Undo deletes the evidence and says so in
// place; pressing it again changes nothing. Move offers the other areas and
// refiles; the confirmation comes back with both buttons.
func TestUndoAndMove(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.prompt(alice)
	_, confirmation := h.dm(alice, "Ran the cross-team incident review with platform and payments.")
	es := h.evidence(alice)
	if len(es) != 1 {
		t.Fatalf("evidence: %+v", es)
	}
	from, _ := h.ladder.Area(es[0].Area)
	contains(t, "confirmation", shows(confirmation), "Saved to "+from.Name, "[ Undo ]", "[ Move to another area ]")

	picker := h.press(alice, confirmation, "Move to another area")
	contains(t, "move picker", shows(picker), "Move this answer to which area?", "under "+from.Name, "Keep it in "+from.Short)
	lacks(t, "move picker", shows(picker), "[ "+from.Name+" ]")
	to := ladder.Scaling
	if from.ID == to {
		to = ladder.Strategy
	}
	toArea, _ := h.ladder.Area(to)
	moved := h.press(alice, picker, toArea.Name)
	contains(t, "after the move", shows(moved), "Moved to "+toArea.Name, "[ Undo ]", "[ Move to another area ]")
	if es := h.evidence(alice); len(es) != 1 || es[0].Area != to {
		t.Fatalf("evidence after the move: %+v, want it under %s", es, to)
	}
	contains(t, "evidence list", h.slash(alice, "evidence"), toArea.Name)

	kept := h.press(alice, h.press(alice, moved, "Move to another area"), "Keep it in "+toArea.Short)
	contains(t, "after Keep", shows(kept), "Saved to "+toArea.Name, "[ Undo ]")

	undone := h.press(alice, kept, "Undo")
	contains(t, "after Undo", shows(undone), "Undone", "Ran the cross-team incident review", "no longer saved as evidence")
	lacks(t, "after Undo", shows(undone), "[ Undo ]", "[ Move")
	if es := h.evidence(alice); len(es) != 0 {
		t.Fatalf("evidence after Undo: %+v, want none", es)
	}
	contains(t, "gaps after Undo", h.slash(alice, "gaps"), "0 of 5 areas on track")

	// The same Undo again, as from a second click before the update landed.
	again := h.press(alice, kept, "Undo")
	contains(t, "a second Undo", shows(again), "no longer saved as evidence")
	if es := h.evidence(alice); len(es) != 0 {
		t.Errorf("evidence after a second Undo: %+v, want none", es)
	}
	lacks(t, "DMs", h.dump(), "went wrong", "out of date")
}

// TestUndoOfAnUnfiledAnswer: the area picker of an unprompted answer carries
// Undo too.
func TestUndoOfAnUnfiledAnswer(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	_, picker := h.dm(alice, "Wrote the hiring rubric for the platform group.")
	contains(t, "picker", shows(picker), "Which area", "[ Undo ]")
	h.press(alice, picker, "Undo")
	if es := h.evidence(alice); len(es) != 0 {
		t.Errorf("evidence after Undo: %+v, want none", es)
	}
}

// TestSkipSaysWhatItDoes: on a question asked for now, the button is "Skip
// this one", and its note says nothing was recorded and when the weekly
// question comes; the week is not marked skipped.
func TestSkipSaysWhatItDoes(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	prompt := h.prompt(alice)
	contains(t, "on-demand prompt", shows(prompt), "[ Skip this one ]")
	lacks(t, "on-demand prompt", shows(prompt), "Skip this week")
	skipped := h.press(alice, prompt, "Skip this one")
	// alice's slot is Monday 09:30 in Berlin; the clock is Monday 09:00 there.
	contains(t, "skip note", shows(skipped), "Skipped this one", "nothing is recorded", "Mon 23 Nov at 09:30")
	lacks(t, "skip note", shows(skipped), "[ Answer ]")
	if s, err := h.db.Stats(h.ctx, h.clock.Now()); err != nil || s.SkippedThisWeek != 0 {
		t.Errorf("weeks skipped: %+v, %v; want none", s, err)
	}
}
