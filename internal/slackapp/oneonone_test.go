package slackapp_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// oneOnOneRefusal is what anyone who may not have an agenda about a person
// reads, whoever that person is.
const oneOnOneRefusal = "I can only give a 1:1 agenda about someone to the manager they have named, once that manager has accepted, and only while they share `full` or `summary`."

// TestOneOnOne: bob's agenda about alice under summary counts her evidence
// by area and quotes none of it; under full it quotes what she shared since
// his last agenda, escaped, and nothing from before. It names her biggest
// gap, where his calibration and her evidence disagree, and a question to
// ask. A stranger, someone asking about a person who is not enrolled, and
// bob once alice shares nothing or names a new manager all read the same
// refusal; the new manager inherits nothing. alice's own agenda lists what
// to bring, her growth goals among it.
func TestOneOnOne(t *testing.T) {
	h := newHarnessWithin(t, 60*time.Second)
	h.slash(alice, "start")
	h.nameAndAccept(alice, bob)
	h.slash(alice, "share summary")
	add := func(text string, area ladder.AreaID, at time.Time) {
		t.Helper()
		if _, _, err := h.db.AddEvidence(h.ctx, ladder.Evidence{UserID: alice, Area: area, Text: text,
			Channel: "D" + alice, TS: fmt.Sprintf("%d.000100", at.UnixNano()), Created: at}); err != nil {
			t.Fatal(err)
		}
	}
	add("Shipped the billing migration on time.", ladder.Execution, h.clock.Now().Add(-48*time.Hour))
	add("Ran the launch checklist with QA.", ladder.Execution, h.clock.Now().Add(-24*time.Hour))
	add("Old news from last quarter.", ladder.Execution, h.clock.Now().AddDate(0, -3, 0))
	if err := h.db.SetCalibration(h.ctx, store.Calibration{Report: alice, Manager: bob, Created: h.clock.Now(),
		Areas: map[ladder.AreaID]string{ladder.People: "at_target", ladder.Execution: "getting_there"}}); err != nil {
		t.Fatal(err)
	}

	agenda := h.slash(bob, "1on1 <@UALICE|alice>")
	contains(t, "bob's agenda, summary", agenda,
		"*1:1 agenda with <@UALICE>*", "*Biggest gap: ", "*Shared in the last 4 weeks:* 2 pieces (Execution 2)",
		"counts only, never their words", "People management (manager: at target, evidence: not seen yet)",
		"*One question to ask:* “")
	lacks(t, "bob's agenda, summary", agenda, "billing", "checklist", "Old news", "Execution & delivering results (manager")
	if at, err := h.db.LastAgenda(h.ctx, bob, alice); err != nil || at.IsZero() {
		t.Errorf("LastAgenda(bob, alice) = %v, %v; want the agenda's time", at, err)
	}

	// Under full, the next agenda quotes only what came after the last,
	// escaped: <!channel> in an answer pings nobody.
	h.slash(alice, "share full")
	h.clock.Add(time.Hour)
	add("Told <!channel> about the <https://evil.example|rollout>", ladder.People, h.clock.Now())
	agenda = h.slash(bob, "1on1 <@UALICE>")
	contains(t, "bob's agenda, full", agenda, "*Shared since the last agenda (", "1 piece (People 1)",
		"“Told &lt;!channel&gt; about the &lt;https://evil.example|rollout&gt;”")
	lacks(t, "bob's agenda, full", agenda, "<!channel>", "<https://evil.example", "billing", "checklist")

	// Nobody else learns anything, and every refusal reads the same.
	for who, cmd := range map[string]string{carol: "1on1 <@UALICE>", bob: "1on1 <@UNOBODY>", alice: "1on1 <@UBOB>"} {
		if got := h.slash(who, cmd); !strings.HasPrefix(got, oneOnOneRefusal) {
			t.Errorf("%s: /ladder %s = %q, want the refusal", who, cmd, got)
		}
	}
	h.slash(alice, "share off")
	if got := h.slash(bob, "1on1 <@UALICE>"); !strings.HasPrefix(got, oneOnOneRefusal) {
		t.Errorf("under share off: %q, want the refusal", got)
	}
	h.slash(alice, "share summary")

	// alice's own agenda: what to bring, her words, the disagreement, her goals.
	p := h.ladder.PromptsFor(ladder.SeniorEM, ladder.Strategy)[0]
	if _, _, err := h.db.AddGoal(h.ctx, store.Goal{UserID: alice, PromptID: p.ID, Area: p.Area, Created: h.clock.Now()}, 0); err != nil {
		t.Fatal(err)
	}
	h.clock.Add(time.Hour)
	add("Coached a new lead; told <!here> how", ladder.People, h.clock.Now())
	mine := h.slash(alice, "1on1")
	contains(t, "alice's agenda", mine, "*For your next 1:1 with <@UBOB>*", "*Biggest gap: ",
		"*Your evidence since the last agenda (", "1 piece (People 1)", "“Coached a new lead; told &lt;!here&gt; how”",
		"manager's calibration and your evidence", "*Growth goals: not yet*", p.Text)
	lacks(t, "alice's agenda", mine, "<!here>", "rollout")

	// A new manager: bob is refused, and carol starts from nothing.
	h.nameAndAccept(alice, carol)
	if got := h.slash(bob, "1on1 <@UALICE>"); !strings.HasPrefix(got, oneOnOneRefusal) {
		t.Errorf("the former manager: %q, want the refusal", got)
	}
	fresh := h.slash(carol, "1on1 <@UALICE>")
	contains(t, "the new manager's agenda", fresh, "*Your calibration:* none yet", "*Shared in the last 4 weeks:*")
	lacks(t, "the new manager's agenda", fresh, "manager: at target")
	if _, err := h.db.CurrentCalibration(h.ctx, alice); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("carol sees a calibration: %v", err)
	}
}
