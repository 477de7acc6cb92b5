package slackapp_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
)

func TestEnrolmentAndHelp(t *testing.T) {
	h := newHarness(t)
	contains(t, "help before enrolling", h.slash(alice, ""), "/ladder gaps", "/ladder export", "/ladder forget", "`/ladder start` enrolls you")
	contains(t, "start", h.slash(alice, "start"), "enrolled you", "/ladder settings")
	welcome := h.waitPost(alice, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Welcome to Ladder") })
	contains(t, "welcome DM", welcome.Text, "Monday 09:30", "Europe/Berlin", "Admins see counts only", "/ladder pause", "/ladder forget", "remind you once, after 2 days")
	m, err := h.db.Member(h.ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if m.Level != ladder.EM || m.Target != ladder.SeniorEM || m.Share != ladder.ShareSummary || m.TZ != "Europe/Berlin" || m.Slot.String() != "mon 09:30" {
		t.Errorf("stored member: got %+v", m)
	}
	// Enrolment sends the welcome and no prompt; a second command enrols nobody again.
	h.slash(alice, "start")
	if n := h.count(func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Welcome to Ladder") }); n != 1 {
		t.Errorf("welcome DMs: got %d, want 1", n)
	}
	if n := h.count(func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Reflection") }); n != 0 {
		t.Errorf("enrolment sent %d prompts, want 0", n)
	}
}

func TestAnswerBecomesEvidenceAndGapsChange(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	before := h.slash(alice, "gaps")
	contains(t, "gaps before", before, "Readiness for Senior EM", "0 of 5 areas on track", "not started yet", "Biggest gap", "Next question there")
	// One next step per gap: the biggest gets the question asked next, each
	// other gap its level's expectation and a question of its own.
	if n := strings.Count(before, "(not started yet):"); n != 4 {
		t.Errorf("gaps before: %d other gaps with a next step, want 4:\n%s", n, before)
	}
	if n := strings.Count(before, "Ask yourself: “"); n != 4 {
		t.Errorf("gaps before: %d questions for the other gaps, want 4:\n%s", n, before)
	}

	prompt := h.prompt(alice)
	contains(t, "prompt DM", prompt.Text, "toward Senior EM")
	var blocks []map[string]any
	if err := json.Unmarshal(prompt.Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	raw := string(prompt.Blocks)
	contains(t, "prompt buttons", raw, `"action_id":"answer"`, `"action_id":"skip"`, `"action_id":"another"`, "Answer", "Skip this one", "Another question")

	_, reply := h.dm(alice, "I coached two leads through their first incident reviews.")
	es := h.evidence(alice)
	if len(es) != 1 || es[0].Text != "I coached two leads through their first incident reviews." || es[0].Area == "" || es[0].PromptID == "" {
		t.Fatalf("stored evidence: got %+v", es)
	}
	area := h.ladder.Areas[0]
	for _, a := range h.ladder.Areas {
		if a.ID == es[0].Area {
			area = a
		}
	}
	contains(t, "confirmation", reply.Text, "Saved to "+area.Name, "(week 48)", "evidence in your first week with Ladder")

	after := h.slash(alice, "gaps")
	if after == before {
		t.Fatalf("gaps did not change after an answer:\n%s", after)
	}
	line := areaEntry(after, area.Name)
	contains(t, "gaps entry for the answered area", line, "Evidence in 1 of 1 week since you joined", "last just now")
	lacks(t, "gaps entry for the answered area", line, "No evidence", "not started")

	list := h.slash(alice, "evidence")
	contains(t, "evidence", list, "I coached two leads", area.Name)
	contains(t, "evidence for the area", h.slash(alice, "evidence "+string(area.ID)), "I coached two leads")
}

func TestRetriedEventStoredOnce(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.prompt(alice)
	ts := h.fake.NewTS()
	ev := h.fake.DMEvent(alice, "Shipped the migration plan.", ts)
	for attempt := 0; attempt < 3; attempt++ {
		env, err := h.fake.SendEvent("Ev-RETRY-1", ev, attempt)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.fake.WaitAck(h.ctx, env); err != nil {
			t.Fatal(err)
		}
	}
	h.waitPost(alice, func(m fakeslack.Message) bool { return m.ThreadTS == ts })
	// A fourth, later event proves the first three were all handled.
	h.dm(alice, "Another one.")
	if n := len(h.evidence(alice)); n != 2 {
		t.Errorf("evidence rows: got %d, want 2", n)
	}
	if n := h.count(func(m fakeslack.Message) bool { return m.ThreadTS == ts }); n != 1 {
		t.Errorf("confirmations for the retried event: got %d, want 1", n)
	}
}

func TestThreadReplyModalEditDelete(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	prompt := h.prompt(alice)

	// A reply in the prompt's thread.
	ts := h.fake.NewTS()
	h.fake.SendEvent("", h.fake.ThreadReplyEvent(alice, "Thread answer", ts, prompt.TS), 0)
	h.waitPost(alice, func(m fakeslack.Message) bool { return m.ThreadTS == prompt.TS && strings.Contains(m.Text, "Saved to") })

	// The Answer button opens a modal; submitting it stores evidence.
	var promptID string
	for _, e := range h.evidence(alice) {
		promptID = e.PromptID
	}
	env, _ := h.fake.SendInteractive(h.fake.BlockAction(alice, "answer", promptID, "", prompt.TS))
	h.fake.WaitAck(h.ctx, env)
	if _, err := h.fake.WaitCalls(h.ctx, "views.open", 1); err != nil {
		t.Fatal(err)
	}
	env, _ = h.fake.SendInteractive(h.fake.ViewSubmission(alice, "answer_modal", "", map[string]map[string]string{"answer": {"text": "Modal answer"}}))
	ack, err := h.fake.WaitAck(h.ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(ack.Payload) > 0 && string(ack.Payload) != "null" {
		t.Errorf("modal ack payload: got %s, want empty (closes the modal)", ack.Payload)
	}
	h.waitPost(alice, func(m fakeslack.Message) bool { return m.ThreadTS == "" && strings.Contains(m.Text, "Saved to") })
	texts := map[string]ladder.Evidence{}
	for _, e := range h.evidence(alice) {
		texts[e.Text] = e
	}
	if texts["Modal answer"].PromptID != promptID || texts["Thread answer"].PromptID != promptID {
		t.Errorf("answers not linked to the prompt %s: %+v", promptID, texts)
	}

	// Edit, then delete, the thread answer.
	h.fake.SendEvent("", h.fake.MessageChangedEvent(alice, ts, "Thread answer, edited"), 0)
	waitEvidence(t, h, func(es []ladder.Evidence) bool {
		for _, e := range es {
			if e.Text == "Thread answer, edited" && !e.Edited.IsZero() {
				return true
			}
		}
		return false
	})
	h.fake.SendEvent("", h.fake.MessageDeletedEvent(alice, ts), 0)
	waitEvidence(t, h, func(es []ladder.Evidence) bool { return len(es) == 1 && es[0].Text == "Modal answer" })
}

// waitEvidence polls the store after each change the fake records; the app
// publishes the Home tab after every change it stores.
func waitEvidence(t *testing.T, h *harness, ok func([]ladder.Evidence) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok(h.evidence(alice)) {
		if time.Now().After(deadline) {
			t.Fatalf("evidence never matched: %+v", h.evidence(alice))
		}
		n := len(h.fake.Calls())
		h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool { return len(s.Calls) > n })
	}
}

func TestBotsAndOwnMessagesAreNotEvidence(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.fake.SendEvent("", h.fake.BotMessageEvent(h.fake.BotID, "D"+alice, "my own echo", h.fake.NewTS()), 0)
	h.fake.SendEvent("", h.fake.BotMessageEvent("BOTHER", "D"+alice, "another bot", h.fake.NewTS()), 0)
	h.dm(alice, "a real answer about hiring")
	es := h.evidence(alice)
	if len(es) != 1 || es[0].Text != "a real answer about hiring" {
		t.Errorf("evidence: got %+v, want only the real answer", es)
	}
}

func TestLongTextTruncatedAndTold(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.prompt(alice)
	long := strings.Repeat("é", 45000)
	_, reply := h.dm(alice, long)
	es := h.evidence(alice)
	if len(es) != 1 || len([]rune(es[0].Text)) != 40000 || !es[0].Truncated {
		t.Fatalf("stored %d runes (truncated=%v), want 40000 and truncated", len([]rune(es[0].Text)), es[0].Truncated)
	}
	contains(t, "confirmation", reply.Text, "Saved to", "kept the first 40000")
}

func TestUnpromptedAnswerAsksForArea(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	ts, reply := h.dm(alice, "I rewrote our onboarding guide for the whole org.")
	contains(t, "reply", reply.Text, "Which area")
	es := h.evidence(alice)
	if len(es) != 1 || es[0].Area != "" {
		t.Fatalf("got %+v, want one piece with no area yet", es)
	}
	value := strconv.FormatInt(es[0].ID, 10) + ":scaling"
	env, _ := h.fake.SendInteractive(h.fake.BlockAction(alice, "area", value, "", reply.TS))
	h.fake.WaitAck(h.ctx, env)
	h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		for _, m := range s.Messages {
			if m.Kind == "update" && strings.Contains(m.Text, "Saved to Scaling") {
				return true
			}
		}
		return false
	})
	if es := h.evidence(alice); es[0].Area != ladder.Scaling {
		t.Errorf("area after the button: got %q, want scaling", es[0].Area)
	}
	if n := h.count(func(m fakeslack.Message) bool { return m.Kind == "post" && m.ThreadTS == ts }); n != 1 {
		t.Errorf("replies in the answer's thread: got %d, want 1", n)
	}
}
