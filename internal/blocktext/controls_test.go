package blocktext_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/ladderapp/ladder/internal/blocktext"
)

func TestMessageControls(t *testing.T) {
	r := blocktext.Renderer{}
	got, controls := r.MessageControls("fallback", json.RawMessage(promptBlocks), 4)
	want := "Reflection · People management · toward Senior EM (stretch)\n" +
		"Which of your engineers acted for the good of the company?\n" +
		"Good evidence: the action, who benefited.\n" +
		"[4] Answer  [5] Skip this week  [6] Another question\n" +
		"Reply in this thread or just type here — it counts as evidence."
	if got != want {
		t.Errorf("text:\ngot:\n%s\nwant:\n%s", got, want)
	}
	wantControls := []blocktext.Control{
		{N: 4, Type: "button", BlockID: "prompt_actions", ActionID: "answer", Label: "Answer", Value: "p1"},
		{N: 5, Type: "button", BlockID: "prompt_actions", ActionID: "skip", Label: "Skip this week", Value: "p1"},
		{N: 6, Type: "button", BlockID: "prompt_actions", ActionID: "another", Label: "Another question", Value: "p1"},
	}
	if !reflect.DeepEqual(controls, wantControls) {
		t.Errorf("controls:\ngot  %+v\nwant %+v", controls, wantControls)
	}

	// The plain renderer is unchanged by a numbered rendering.
	if plain := r.Message("", json.RawMessage(promptBlocks)); !strings.Contains(plain, "[ Answer ]  [ Skip this week ]") {
		t.Errorf("the plain rendering lost its buttons:\n%s", plain)
	}
}

func TestMessageControlsMenus(t *testing.T) {
	blocks := `[{"type":"section","block_id":"s","text":{"type":"mrkdwn","text":"Which area?"},
		"accessory":{"type":"overflow","action_id":"more","options":[{"text":{"type":"plain_text","text":"Edit"},"value":"e"},{"text":{"type":"plain_text","text":"Delete"},"value":"d"}]}},
		{"type":"actions","block_id":"a","elements":[
		{"type":"static_select","action_id":"area","placeholder":{"type":"plain_text","text":"Pick an area"},
		 "option_groups":[{"label":{"type":"plain_text","text":"All"},"options":[{"text":{"type":"plain_text","text":"People"},"value":"people"},{"text":{"type":"plain_text","text":"Scaling"},"value":"scaling"}]}]},
		{"type":"button","action_id":"link","text":{"type":"plain_text","text":"Guide"},"url":"https://example.com"}]}]`
	got, controls := blocktext.Renderer{}.MessageControls("", json.RawMessage(blocks), 1)
	want := "Which area?\n[1] … one of: Edit | Delete\n[2] [ Pick an area ▾ ]  one of: People | Scaling  [3] Guide"
	if got != want {
		t.Errorf("text:\ngot:\n%s\nwant:\n%s", got, want)
	}
	if len(controls) != 3 {
		t.Fatalf("controls: %+v", controls)
	}
	if c := controls[1]; c.BlockID != "a" || c.ActionID != "area" || !reflect.DeepEqual(c.Options, []blocktext.Option{{Text: "People", Value: "people"}, {Text: "Scaling", Value: "scaling"}}) {
		t.Errorf("the select: %+v", c)
	}
	if c := controls[0]; c.BlockID != "s" || len(c.Options) != 2 {
		t.Errorf("the overflow: %+v", c)
	}
	if c := controls[2]; c.URL != "https://example.com" {
		t.Errorf("the link button: %+v", c)
	}
}

const settingsView = `{"type":"modal","callback_id":"settings","title":{"type":"plain_text","text":"Settings"},
	"submit":{"type":"plain_text","text":"Save"},"close":{"type":"plain_text","text":"Cancel"},
	"blocks":[
	{"type":"input","block_id":"level","label":{"type":"plain_text","text":"Level"},
	 "element":{"type":"static_select","action_id":"level","initial_option":{"text":{"type":"plain_text","text":"EM"},"value":"em"},
	  "options":[{"text":{"type":"plain_text","text":"EM"},"value":"em"},{"text":{"type":"plain_text","text":"Senior EM"},"value":"senior-em"}]}},
	{"type":"input","block_id":"track","label":{"type":"plain_text","text":"Track"},
	 "element":{"type":"radio_buttons","action_id":"track","initial_option":{"text":{"type":"plain_text","text":"Broad"},"value":"broad"},
	  "options":[{"text":{"type":"plain_text","text":"Broad"},"value":"broad"},{"text":{"type":"plain_text","text":"Deep"},"value":"deep"}]}},
	{"type":"input","block_id":"time","label":{"type":"plain_text","text":"Time"},
	 "element":{"type":"timepicker","action_id":"time","initial_time":"09:30"}},
	{"type":"input","block_id":"manager","optional":true,"label":{"type":"plain_text","text":"Manager"},
	 "element":{"type":"users_select","action_id":"manager","initial_user":"UBOB","placeholder":{"type":"plain_text","text":"Pick someone"}}},
	{"type":"input","block_id":"note","label":{"type":"plain_text","text":"Note"},"hint":{"type":"plain_text","text":"Anything"},
	 "element":{"type":"plain_text_input","action_id":"note","multiline":true,"placeholder":{"type":"plain_text","text":"What happened"}}},
	{"type":"actions","block_id":"more","elements":[{"type":"button","action_id":"expect","text":{"type":"plain_text","text":"What's expected"}}]}]}`

func TestViewControls(t *testing.T) {
	r := blocktext.Renderer{Name: func(id string) string { return strings.ToLower(strings.TrimPrefix(id, "U")) }}
	got, controls := r.ViewControls(json.RawMessage(settingsView), 7)
	want := "Settings\n════════\n" +
		"1. Level\n   [ EM ▾ ]  one of: EM | Senior EM\n" +
		"2. Track\n   (•) Broad  ( ) Deep\n" +
		"3. Time\n   [ 09:30 ▾ ]\n" +
		"4. Manager (optional)\n   [ @bob ▾ ]\n" +
		"5. Note\n   [ What happened ] (several lines)\n   Anything\n" +
		"[7] What's expected\n" +
		"[ Cancel ]  [ Save ]"
	if got != want {
		t.Errorf("text:\ngot:\n%s\nwant:\n%s", got, want)
	}
	type brief struct {
		N        int
		Input    bool
		Type     string
		BlockID  string
		Label    string
		Initial  []string
		Optional bool
	}
	var gotBrief []brief
	for _, c := range controls {
		gotBrief = append(gotBrief, brief{c.N, c.Input, c.Type, c.BlockID, c.Label, c.Initial, c.Optional})
	}
	wantBrief := []brief{
		{1, true, "static_select", "level", "Level", []string{"em"}, false},
		{2, true, "radio_buttons", "track", "Track", []string{"broad"}, false},
		{3, true, "timepicker", "time", "Time", []string{"09:30"}, false},
		{4, true, "users_select", "manager", "Manager", []string{"UBOB"}, true},
		{5, true, "plain_text_input", "note", "Note", nil, false},
		{7, false, "button", "more", "What's expected", nil, false},
	}
	if !reflect.DeepEqual(gotBrief, wantBrief) {
		t.Errorf("controls:\ngot  %+v\nwant %+v", gotBrief, wantBrief)
	}
	if !controls[4].Multiline {
		t.Errorf("the note is not multi-line: %+v", controls[4])
	}
}
