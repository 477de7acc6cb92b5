package slackapp_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/blocktext"
	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
)

// home opens user's Home tab and returns it as the user reads it
// (blocktext), once a Home tab published after the opening shows want.
func (h *harness) home(user, want string) string {
	h.t.Helper()
	before := len(h.fake.Views())
	h.sendEvent("", h.fake.AppHomeOpenedEvent(user), 0)
	var got string
	err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		for _, v := range s.Views[min(before, len(s.Views)):] {
			if v.Kind == "publish" && v.UserID == user {
				got = blocktext.View(v.View)
			}
		}
		return strings.Contains(got, want)
	})
	if err != nil {
		h.t.Fatalf("no Home tab for %s showing %q; last:\n%s", user, want, got)
	}
	return got
}

// gapsShown runs /ladder gaps as user and returns the reply as the user
// reads it, from its blocks.
func (h *harness) gapsShown(user string) string {
	h.t.Helper()
	h.slash(user, "gaps")
	r := h.lastResponse(user)
	return blocktext.Message(r.Text, r.Blocks)
}

// click presses the button actionID with value, in the message ts of user's
// DM, or on their Home tab when ts is empty, and waits for the ack.
func (h *harness) click(user, actionID, value, ts string) {
	h.t.Helper()
	env, err := h.fake.SendInteractive(h.fake.BlockAction(user, actionID, value, "", ts))
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.fake.WaitAck(h.ctx, env); err != nil {
		h.t.Fatalf("click on %s not acked: %v", actionID, err)
	}
}

// areaEntry is the two lines gaps and the Home tab show for the area named
// name: its status, then its weeks with evidence.
func areaEntry(s, name string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.Contains(l, name) && i+1 < len(lines) {
			return l + "\n" + lines[i+1]
		}
	}
	return ""
}

// buttonValue returns the value of the button actionID in a message's blocks.
func buttonValue(t *testing.T, blocks json.RawMessage, actionID string) string {
	t.Helper()
	var bs []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(blocks, &bs); err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		for _, e := range b.Elements {
			if e.ActionID == actionID {
				return e.Value
			}
		}
	}
	t.Fatalf("no button %s in %s", actionID, blocks)
	return ""
}

// TestHomeTabAtAGlance walks a new member's Home tab: on the first day every
// area has "not started yet", each in a section of its own with a
// percentage-free status and an "Ask me about this" button; no code block,
// no bars and no list of expectations, which sit behind a button that opens
// them in a modal; the member's settings with a Settings button. Two weeks
// on, an empty area is a gap; an answered one shows its status, percentage,
// weeks with evidence and the last one, and the biggest gap names what the
// target level expects that the evidence does not show yet.
func TestHomeTabAtAGlance(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	v := h.home(alice, "Readiness for Senior EM")
	for _, a := range h.ladder.Areas {
		contains(t, "first-day area", areaEntry(v, a.Name), "⚪ "+a.Name+" · not started yet\nNo answers here yet: you joined just now.")
	}
	if n := strings.Count(v, "[ Ask me about this ]"); n != len(h.ladder.Areas) {
		t.Errorf("Home tab: %d Ask me about this buttons, want one per area (%d):\n%s", n, len(h.ladder.Areas), v)
	}
	contains(t, "Home tab", v,
		"Next question: Mon 23 Nov, 09:30 (your time, Europe/Berlin).",
		"[ Answer now ]  [ Pause ]  [ Export ]",
		"Your settings\nLevel → target\nEM → Senior EM\nTrack\nbroad: Manager of managers\nWeekly question\nMonday 09:30 (your time, Europe/Berlin)\nSharing with your manager\nsummary: counts, areas and gaps, never your words\n[ Settings ]",
		"No manager named",
		"[ What Senior EM expects ]",
		"not started yet: you joined less than two weeks ago",
		"Latest evidence")
	lacks(t, "Home tab", v, "🔴", " gap ·", "no evidence in 26 weeks", "█", "░", "stretch", "excel", "%")
	raw := h.lastHome(alice)
	lacks(t, "Home tab JSON", raw, "```")
	// The level's expectations are not listed: only the biggest gap's first
	// three still without evidence.
	senior := h.ladder.ExpectationsFor(ladder.SeniorEM)
	if n := strings.Count(v, "\n• "); n != 3 {
		t.Errorf("the Home tab has %d bullet points, want the biggest gap's 3:\n%s", n, v)
	}

	// The expectations open in a modal, and views.open is the first call
	// the click makes.
	calls := len(h.fake.Calls())
	h.click(alice, "open_expectations", string(ladder.SeniorEM), "")
	opened, err := h.fake.WaitCalls(h.ctx, "views.open", 1)
	if err != nil {
		t.Fatal(err)
	}
	if c := h.fake.Calls()[calls]; c.Method != "views.open" || opened[0].Status != 200 || opened[0].Error != "" {
		t.Errorf("first call after the click: %s (views.open status %d, %q), want views.open, opened", c.Method, opened[0].Status, opened[0].Error)
	}
	var modal string
	for _, view := range h.fake.Views() {
		if view.Kind == "open" && view.UserID == alice {
			modal = blocktext.View(view.View)
		}
	}
	contains(t, "expectations modal", modal, "What Senior EM expects", "Leadership skills", "Growth indicators", "[ Close ]")
	for _, e := range senior {
		contains(t, "expectations modal", modal, "• "+e.Text)
	}

	// Two weeks on, with one answer about scaling, asked for from the Home tab.
	h.clock.Add(15 * 24 * time.Hour)
	h.click(alice, "ask_area:scaling", "scaling", "")
	asked := h.waitPost(alice, func(m fakeslack.Message) bool {
		return strings.Contains(m.Text, "Scaling the organisation") && strings.Contains(m.Text, "Reflection")
	})
	pid := buttonValue(t, asked.Blocks, "answer")
	if p, ok := h.ladder.Prompt(pid); !ok || p.Area != ladder.Scaling {
		t.Fatalf("Ask me about this on Scaling asked %q (%+v), want a Scaling question", pid, p)
	}
	h.dm(alice, "Set up the on-call handbook that three teams now share")
	v = h.home(alice, "Evidence in 1 of 3 weeks since you joined")
	contains(t, "answered area", areaEntry(v, "Scaling the organisation"), "Scaling the organisation · thin · ", "%\nEvidence in 1 of 3 weeks since you joined · last just now")
	contains(t, "empty area after two weeks", areaEntry(v, "People management"), "🔴 People management · gap · 0%\nNo evidence since you joined.")
	lacks(t, "Home tab after two weeks", v, "not started yet ·", "No answers here yet")
	contains(t, "biggest gap", v, "Biggest gap: ", "What Senior EM expects there that your evidence doesn't show yet:\n• ")
	known := map[string]bool{}
	for _, e := range senior {
		known[e.Text] = true
	}
	_, list, _ := strings.Cut(v, "doesn't show yet:\n")
	for _, line := range strings.Split(list, "\n") {
		text, ok := strings.CutPrefix(line, "• ")
		if !ok {
			break
		}
		if !known[text] {
			t.Errorf("the biggest gap lists %q, which is no Senior EM expectation", text)
		}
	}
}

// lastHome is the JSON of the last Home tab published to user.
func (h *harness) lastHome(user string) string {
	var got string
	for _, v := range h.fake.Views() {
		if v.Kind == "publish" && v.UserID == user {
			got = string(v.View)
		}
	}
	return got
}

// TestGapsReadsAtAGlance: /ladder gaps as a member reads it is a section per
// area with its status, and an "Ask me about this" button that asks a
// question in that area now; no code block, no bars.
func TestGapsReadsAtAGlance(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	g := h.gapsShown(alice)
	contains(t, "gaps", g, "Readiness for Senior EM (broad track) · 0 of 5 areas on track",
		"⚪ Strategy & partnerships · not started yet\nNo answers here yet: you joined just now.\n[ Ask me about this ]",
		"Biggest gap: ", "Next question there: “", "(not started yet): ")
	lacks(t, "gaps", g, "█", "░", "no evidence in 26 weeks", "🔴")
	r := h.lastResponse(alice)
	lacks(t, "gaps blocks", string(r.Blocks), "```")
	if n := strings.Count(g, "[ Ask me about this ]"); n != 5 {
		t.Errorf("gaps: %d Ask me about this buttons, want 5:\n%s", n, g)
	}

	h.click(alice, "ask_area:strategy", "strategy", r.TS)
	asked := h.waitPost(alice, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Reflection") })
	if p, ok := h.ladder.Prompt(buttonValue(t, asked.Blocks, "answer")); !ok || p.Area != ladder.Strategy {
		t.Errorf("Ask me about this on Strategy asked %+v, want a Strategy question", p)
	}
	contains(t, "asked question", blocktext.Message(asked.Text, asked.Blocks), "toward Senior EM (a question about")
	h.slash(alice, "help") // the same worker: the click is done
	h.drainSends()         // posting the question records its message
	sent, err := h.db.LatestPrompt(h.ctx, alice, monday.AddDate(0, 0, -1))
	if err != nil || sent.Weekly || sent.TS != asked.TS {
		t.Errorf("recorded prompt: %+v, %v; want the on-demand question just posted", sent, err)
	}
}

// TestNotYetKeepsGrowthGoal presses Not yet on a question: the question is
// kept as a growth goal (one row, however often the click comes), its
// buttons give way to a note, and a smaller question in the same area, about
// the current level, follows. The goal shows under "Growth goals: not yet"
// in gaps and on the Home tab and is never evidence; an answer after it is
// evidence for the smaller question; forget removes the goal.
func TestNotYetKeepsGrowthGoal(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	prompt := h.prompt(alice)
	contains(t, "prompt DM", blocktext.Message(prompt.Text, prompt.Blocks), "[ Not yet ]", "Not yet keeps the question as a growth goal")
	pid := buttonValue(t, prompt.Blocks, "not_yet")
	goal, ok := h.ladder.Prompt(pid)
	if !ok || goal.Level != ladder.SeniorEM {
		t.Fatalf("the first question %q is not a Senior EM one: %+v", pid, goal)
	}

	h.click(alice, "not_yet", pid, prompt.TS)
	smaller := h.waitPost(alice, func(m fakeslack.Message) bool {
		return strings.Contains(m.Text, "A smaller step toward your growth goal")
	})
	shown := blocktext.Message(smaller.Text, smaller.Blocks)
	contains(t, "smaller question", shown, "A smaller step toward your growth goal in "+areaNameOf(h, goal.Area), goal.Text,
		"(a question about doing your current level well)", "[ Answer ]")
	sp, ok := h.ladder.Prompt(buttonValue(t, smaller.Blocks, "answer"))
	if !ok || sp.Area != goal.Area || sp.Level != ladder.EM {
		t.Errorf("smaller question %+v, want an EM question in %s", sp, goal.Area)
	}
	h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		for _, m := range s.Messages {
			if m.Kind == "update" && m.TS == prompt.TS && strings.Contains(m.Text, "kept as a growth goal") {
				return true
			}
		}
		return false
	})
	for _, m := range h.fake.Messages() {
		if m.Kind == "update" && m.TS == prompt.TS && strings.Contains(string(m.Blocks), `"not_yet"`) {
			t.Errorf("the question answered Not yet still has its buttons: %s", m.Blocks)
		}
	}

	// Slack retries the click, and the member presses again: nothing more.
	h.click(alice, "not_yet", pid, prompt.TS)
	h.click(alice, "not_yet", pid, prompt.TS)
	g := h.gapsShown(alice) // the same worker: the clicks are done
	if n := h.count(func(m fakeslack.Message) bool { return strings.Contains(m.Text, "A smaller step") }); n != 1 {
		t.Errorf("%d smaller questions after three clicks, want 1", n)
	}
	goals, err := h.db.Goals(h.ctx, alice)
	if err != nil || len(goals) != 1 || goals[0].PromptID != pid || goals[0].Area != goal.Area {
		t.Fatalf("stored goals: %+v, %v; want one for %s", goals, err, pid)
	}
	if es := h.evidence(alice); len(es) != 0 {
		t.Errorf("Not yet stored evidence: %+v", es)
	}

	contains(t, "gaps", g, "Growth goals: not yet\n• “"+goal.Text+"” ("+areaNameOf(h, goal.Area)+", since 23 Nov)",
		"never count as evidence", "0 of 5 areas on track")
	contains(t, "gaps entry of the goal's area", areaEntry(g, areaNameOf(h, goal.Area)), "not started yet")
	v := h.home(alice, "Growth goals: not yet")
	contains(t, "Home tab", v, "• “"+goal.Text+"”")

	// The answer that follows is evidence for the smaller question.
	h.dm(alice, "Wrote the team's first hiring scorecard")
	es := h.evidence(alice)
	if len(es) != 1 || es[0].PromptID != sp.ID {
		t.Errorf("evidence after the smaller question: %+v, want one piece for %s", es, sp.ID)
	}

	h.slash(alice, "forget confirm")
	if goals, err := h.db.Goals(h.ctx, alice); err != nil || len(goals) != 0 {
		t.Errorf("goals after forget: %+v, %v; want none", goals, err)
	}
}

func areaNameOf(h *harness, id ladder.AreaID) string {
	a, _ := h.ladder.Area(id)
	return a.Name
}
