package slackapp_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
)

// element is an interactive element of a posted block, as far as these tests
// read it.
type element struct {
	Type     string `json:"type"`
	ActionID string `json:"action_id"`
	Value    string `json:"value"`
	// Text is a text object in a button, and a string in a text object.
	Text json.RawMessage `json:"text"`
}

// label is the text a button shows.
func (el element) label() string {
	var t struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(el.Text, &t)
	return t.Text
}

type block struct {
	Type      string    `json:"type"`
	BlockID   string    `json:"block_id"`
	Elements  []element `json:"elements"`
	Accessory *element  `json:"accessory"`
}

// checkIDs fails the test where blocks repeat a block_id, or one block repeats
// an action_id: Slack answers such a message invalid_blocks (Block Kit
// reference: block_id "should be unique for each message", action_id "should be
// unique among all other action_ids in the containing block").
func checkIDs(t *testing.T, what string, raw json.RawMessage) []block {
	t.Helper()
	var bs []block
	if err := json.Unmarshal(raw, &bs); err != nil {
		t.Fatalf("%s: blocks: %v", what, err)
	}
	blockIDs := map[string]bool{}
	for _, b := range bs {
		if b.BlockID != "" {
			if blockIDs[b.BlockID] {
				t.Errorf("%s: block_id %q appears twice", what, b.BlockID)
			}
			blockIDs[b.BlockID] = true
		}
		actionIDs := map[string]bool{}
		els := b.Elements
		if b.Accessory != nil {
			els = append(els, *b.Accessory)
		}
		for _, el := range els {
			if el.ActionID == "" {
				continue
			}
			if actionIDs[el.ActionID] {
				t.Errorf("%s: action_id %q appears twice in block %q", what, el.ActionID, b.BlockID)
			}
			actionIDs[el.ActionID] = true
		}
	}
	return bs
}

// pressArea presses the button of area in the area picker message, and waits
// for Ladder to replace the buttons with its note.
func (h *harness) pressArea(user string, picker fakeslack.Message, area ladder.AreaID) fakeslack.Message {
	h.t.Helper()
	a, _ := h.ladder.Area(area)
	var btn *element
	for _, b := range checkIDs(h.t, "area picker", picker.Blocks) {
		for _, el := range b.Elements {
			if el.label() == a.Name {
				btn = &el
			}
		}
	}
	if btn == nil {
		h.t.Fatalf("no %s button in the area picker: %s", a.Name, picker.Blocks)
	}
	env, err := h.fake.SendInteractive(h.fake.BlockAction(user, btn.ActionID, btn.Value, "", picker.TS))
	if err != nil {
		h.t.Fatal(err)
	}
	h.fake.WaitAck(h.ctx, env)
	var update fakeslack.Message
	err = h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		for _, m := range s.Messages {
			if m.Kind == "update" && m.TS == picker.TS && strings.Contains(m.Text, "Saved to "+a.Name) {
				update = m
				return true
			}
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("the %s button did not file the evidence: %v\nmessages:%s\nlogs:\n%s", a.Name, err, h.dump(), h.logs)
	}
	return update
}

func TestAreaPickerButtonsAreValidAndFileTheEvidence(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	_, picker := h.dm(alice, "Mentored a new manager through her first reorg.")
	contains(t, "picker", picker.Text, "Which area")
	bs := checkIDs(t, "area picker", picker.Blocks)
	buttons := 0
	for _, b := range bs {
		for _, el := range b.Elements {
			if el.Type == "button" && strings.HasPrefix(el.ActionID, "area:") {
				buttons++
			}
		}
	}
	if buttons != len(h.ladder.Areas) {
		t.Errorf("area buttons: %d, want one per area (%d)", buttons, len(h.ladder.Areas))
	}
	contains(t, "picker", shows(picker), "[ Undo ]")

	// The picker becomes the confirmation, with Undo and Move in place of
	// the areas.
	update := h.pressArea(alice, picker, ladder.People)
	contains(t, "after the press", shows(update), "Saved to People management", "[ Undo ]", "[ Move to another area ]")
	lacks(t, "after the press", shows(update), "[ Scaling the organisation ]")
	checkIDs(t, "area picker after the press", update.Blocks)
	es := h.evidence(alice)
	if len(es) != 1 || es[0].Area != ladder.People {
		t.Errorf("evidence after the press: %+v, want it filed under people", es)
	}
}

func TestAnAreaButtonThatNoLongerFitsSaysSo(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	_, picker := h.dm(alice, "Cut the release process from two days to two hours.")
	id := strconv.FormatInt(h.evidence(alice)[0].ID, 10)
	// A button naming an area the ladder no longer has.
	env, _ := h.fake.SendInteractive(h.fake.BlockAction(alice, "area:astrology", id+":astrology", "", picker.TS))
	h.fake.WaitAck(h.ctx, env)
	msg := h.waitPost(alice, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "out of date") })
	contains(t, "stale button", msg.Text, "/ladder evidence")
	if es := h.evidence(alice); len(es) != 1 || es[0].Area != "" {
		t.Errorf("evidence after a stale button: %+v, want it unchanged", es)
	}
}

// Every message and view Ladder builds with buttons passes Slack's id rules.
func TestPromptAndHomeHaveUniqueIDs(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	checkIDs(t, "prompt", h.prompt(alice).Blocks)
	h.send(h.fake.AppHomeOpenedEvent(alice))
	if err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool { return len(s.Views) > 0 }); err != nil {
		t.Fatal(err)
	}
	for _, v := range h.fake.Views() {
		var view struct {
			Blocks json.RawMessage `json:"blocks"`
		}
		if err := json.Unmarshal(v.View, &view); err != nil {
			t.Fatal(err)
		}
		checkIDs(t, "home tab", view.Blocks)
	}
}
