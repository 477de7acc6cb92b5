package fakeslack_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

// section is a section block of mrkdwn text.
func section(text string) string {
	return fmt.Sprintf(`{"type":"section","text":{"type":"mrkdwn","text":%q}}`, text)
}

// button is a button element.
func button(actionID, text, value string) string {
	return fmt.Sprintf(`{"type":"button","action_id":%q,"text":{"type":"plain_text","text":%q},"value":%q}`, actionID, text, value)
}

// repeat joins n copies of item with commas.
func repeat(item string, n int) string {
	return strings.TrimSuffix(strings.Repeat(item+",", n), ",")
}

func TestCheckBlocks(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) } // runes, not bytes
	tests := []struct {
		name    string
		surface fakeslack.Surface
		blocks  string
		// want is the problem Slack reports, "" for valid blocks.
		want string
	}{
		{"a valid message", fakeslack.SurfaceMessage,
			`[` + section("*Weekly reflection*") + `,{"type":"divider"},` +
				`{"type":"header","text":{"type":"plain_text","text":"Gaps"}},` +
				`{"type":"context","elements":[{"type":"mrkdwn","text":"a"}]},` +
				`{"type":"actions","block_id":"a","elements":[` + button("x", "X", "1") + `,` + button("y", "Y", "2") + `]}]`, ""},
		{"section text of 3000 characters", fakeslack.SurfaceMessage, `[` + section(long(3000)) + `]`, ""},
		{"section text of 3001 characters", fakeslack.SurfaceMessage, `[` + section(long(3001)) + `]`,
			"must be less than 3001 characters [json-pointer:/blocks/0/text/text]"},
		{"empty section text", fakeslack.SurfaceMessage, `[` + section("") + `]`,
			"must be more than 0 characters [json-pointer:/blocks/0/text/text]"},
		{"section with neither text nor fields", fakeslack.SurfaceMessage, `[{"type":"section"}]`,
			"must define either `text` or `fields` [json-pointer:/blocks/0]"},
		{"11 section fields", fakeslack.SurfaceMessage,
			`[{"type":"section","fields":[` + repeat(`{"type":"mrkdwn","text":"f"}`, 11) + `]}]`,
			"no more than 10 items allowed [json-pointer:/blocks/0/fields]"},
		{"a field of 2001 characters", fakeslack.SurfaceMessage,
			`[{"type":"section","fields":[{"type":"mrkdwn","text":"` + long(2001) + `"}]}]`,
			"must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]"},
		{"51 blocks in a message", fakeslack.SurfaceMessage, `[` + repeat(`{"type":"divider"}`, 51) + `]`,
			"no more than 50 items allowed [json-pointer:/blocks]"},
		{"100 blocks in a modal", fakeslack.SurfaceModal, `[` + repeat(`{"type":"divider"}`, 100) + `]`, ""},
		{"101 blocks in a Home tab", fakeslack.SurfaceHome, `[` + repeat(`{"type":"divider"}`, 101) + `]`,
			"no more than 100 items allowed [json-pointer:/blocks]"},
		{"header of 151 characters", fakeslack.SurfaceMessage,
			`[{"type":"header","text":{"type":"plain_text","text":"` + long(151) + `"}}]`,
			"must be less than 151 characters [json-pointer:/blocks/0/text/text]"},
		{"mrkdwn header", fakeslack.SurfaceMessage, `[{"type":"header","text":{"type":"mrkdwn","text":"*h*"}}]`,
			"must be plain_text [json-pointer:/blocks/0/text/type]"},
		{"header without text", fakeslack.SurfaceMessage, `[{"type":"header"}]`,
			"missing required field: text [json-pointer:/blocks/0/text]"},
		{"button text of 76 characters", fakeslack.SurfaceMessage,
			`[{"type":"actions","elements":[` + button("b", long(76), "v") + `]}]`,
			"must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]"},
		{"mrkdwn button text", fakeslack.SurfaceMessage,
			`[{"type":"actions","elements":[{"type":"button","action_id":"b","text":{"type":"mrkdwn","text":"B"}}]}]`,
			"must be plain_text [json-pointer:/blocks/0/elements/0/text/type]"},
		{"button without text", fakeslack.SurfaceMessage,
			`[{"type":"actions","elements":[{"type":"button","action_id":"b"}]}]`,
			"missing required field: text [json-pointer:/blocks/0/elements/0/text]"},
		{"button value of 2001 characters", fakeslack.SurfaceMessage,
			`[{"type":"actions","elements":[` + button("b", "B", long(2001)) + `]}]`,
			"must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]"},
		{"action_id of 256 characters", fakeslack.SurfaceMessage,
			`[{"type":"actions","elements":[` + button(long(256), "B", "v") + `]}]`,
			"must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]"},
		{"block_id of 256 characters", fakeslack.SurfaceMessage, `[{"type":"divider","block_id":"` + long(256) + `"}]`,
			"must be less than 256 characters [json-pointer:/blocks/0/block_id]"},
		{"a repeated action_id in one block", fakeslack.SurfaceMessage,
			`[{"type":"actions","elements":[` + button("area", "A", "a") + `,` + button("area", "B", "b") + `]}]`,
			"duplicate action_id: area [json-pointer:/blocks/0/elements/1/action_id]"},
		{"one action_id in two blocks", fakeslack.SurfaceMessage,
			`[{"type":"actions","elements":[` + button("area", "A", "a") + `]},{"type":"actions","elements":[` + button("area", "B", "b") + `]}]`, ""},
		{"a repeated block_id", fakeslack.SurfaceMessage,
			`[{"type":"divider","block_id":"x"},{"type":"divider","block_id":"x"}]`,
			"duplicate block_id: x [json-pointer:/blocks/1/block_id]"},
		{"26 actions", fakeslack.SurfaceMessage,
			`[{"type":"actions","elements":[` + repeat(`{"type":"button","text":{"type":"plain_text","text":"B"}}`, 26) + `]}]`,
			"no more than 25 items allowed [json-pointer:/blocks/0/elements]"},
		{"11 context elements", fakeslack.SurfaceMessage,
			`[{"type":"context","elements":[` + repeat(`{"type":"plain_text","text":"c"}`, 11) + `]}]`,
			"no more than 10 items allowed [json-pointer:/blocks/0/elements]"},
		{"an unknown block type", fakeslack.SurfaceMessage, `[{"type":"sectoin"}]`,
			"unsupported type: sectoin [json-pointer:/blocks/0/type]"},
		{"an input block in a message", fakeslack.SurfaceMessage,
			`[{"type":"input","label":{"type":"plain_text","text":"L"},"element":{"type":"plain_text_input","action_id":"a"}}]`,
			"unsupported type: input (not allowed in messages) [json-pointer:/blocks/0/type]"},
		{"an input block in a modal", fakeslack.SurfaceModal,
			`[{"type":"input","label":{"type":"plain_text","text":"L"},"element":{"type":"plain_text_input","action_id":"a","max_length":3000}}]`, ""},
		{"max_length of 3001", fakeslack.SurfaceModal,
			`[{"type":"input","label":{"type":"plain_text","text":"L"},"element":{"type":"plain_text_input","max_length":3001}}]`,
			"must be between 1 and 3000 [json-pointer:/blocks/0/element/max_length]"},
		{"min_length over max_length", fakeslack.SurfaceModal,
			`[{"type":"input","label":{"type":"plain_text","text":"L"},"element":{"type":"plain_text_input","min_length":10,"max_length":5}}]`,
			"must not be greater than max_length [json-pointer:/blocks/0/element/min_length]"},
		{"a text object of another type", fakeslack.SurfaceMessage,
			`[{"type":"section","text":{"type":"markdown","text":"x"}}]`,
			"must be one of: plain_text, mrkdwn [json-pointer:/blocks/0/text/type]"},
		{"emoji on mrkdwn", fakeslack.SurfaceMessage,
			`[{"type":"section","text":{"type":"mrkdwn","text":"x","emoji":true}}]`,
			"only allowed with plain_text [json-pointer:/blocks/0/text/emoji]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := fakeslack.CheckBlocks(tt.surface, json.RawMessage(tt.blocks))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckBlocks = %v, want valid", err)
				}
				return
			}
			var be *fakeslack.BlockError
			if !errors.As(err, &be) {
				t.Fatalf("CheckBlocks = %v, want a *BlockError", err)
			}
			if be.Code != "invalid_blocks" {
				t.Errorf("code = %q, want invalid_blocks", be.Code)
			}
			if !contains(be.Errors(), tt.want) {
				t.Errorf("errors = %q, want %q among them", be.Errors(), tt.want)
			}
		})
	}
}

func TestCheckBlocksReportsTheTextObjectToo(t *testing.T) {
	err := fakeslack.CheckBlocks(fakeslack.SurfaceMessage, json.RawMessage(`[`+section(strings.Repeat("a", 3001))+`]`))
	var be *fakeslack.BlockError
	if !errors.As(err, &be) {
		t.Fatalf("CheckBlocks = %v", err)
	}
	want := []string{
		"[ERROR] failed to match all allowed schemas [json-pointer:/blocks/0/text]",
		"[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
	}
	if got := be.Messages(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("messages = %q, want %q", got, want)
	}
}

func TestCheckView(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	input := `{"type":"input","label":{"type":"plain_text","text":"L"},"element":{"type":"plain_text_input","action_id":"a"}}`
	modal := func(fields string) string {
		return `{"type":"modal","title":{"type":"plain_text","text":"Answer"},"blocks":[` + section("q") + `]` + fields + `}`
	}
	tests := []struct {
		name, view, want string
	}{
		{"a valid modal", modal(`,"submit":{"type":"plain_text","text":"Save"},"close":{"type":"plain_text","text":"Cancel"},"private_metadata":"p1","callback_id":"answer"`), ""},
		{"a valid Home tab", `{"type":"home","blocks":[` + section("Readiness") + `]}`, ""},
		{"a title of 25 characters", `{"type":"modal","title":{"type":"plain_text","text":"` + long(25) + `"},"blocks":[]}`,
			"must be less than 25 characters [json-pointer:/view/title/text]"},
		{"no title", `{"type":"modal","blocks":[]}`, "missing required field: title [json-pointer:/view/title]"},
		{"a submit of 25 characters", modal(`,"submit":{"type":"plain_text","text":"` + long(25) + `"}`),
			"must be less than 25 characters [json-pointer:/view/submit/text]"},
		{"a close of 25 characters", modal(`,"close":{"type":"plain_text","text":"` + long(25) + `"}`),
			"must be less than 25 characters [json-pointer:/view/close/text]"},
		{"private_metadata of 3001 characters", modal(`,"private_metadata":"` + long(3001) + `"`),
			"must be less than 3001 characters [json-pointer:/view/private_metadata]"},
		{"callback_id of 256 characters", modal(`,"callback_id":"` + long(256) + `"`),
			"must be less than 256 characters [json-pointer:/view/callback_id]"},
		{"an input without submit", `{"type":"modal","title":{"type":"plain_text","text":"A"},"blocks":[` + input + `]}`,
			"missing required field: submit (the view has an input block) [json-pointer:/view/submit]"},
		{"a repeated block_id", `{"type":"home","blocks":[{"type":"divider","block_id":"d"},{"type":"divider","block_id":"d"}]}`,
			"duplicate block_id: d [json-pointer:/view/blocks/1/block_id]"},
		{"no blocks", `{"type":"home"}`, "missing required field: blocks [json-pointer:/view/blocks]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := fakeslack.CheckView(json.RawMessage(tt.view))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckView = %v, want valid", err)
				}
				return
			}
			var be *fakeslack.BlockError
			if !errors.As(err, &be) {
				t.Fatalf("CheckView = %v, want a *BlockError", err)
			}
			if be.Code != "invalid_arguments" {
				t.Errorf("code = %q, want invalid_arguments", be.Code)
			}
			if !contains(be.Errors(), tt.want) {
				t.Errorf("errors = %q, want %q among them", be.Errors(), tt.want)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
