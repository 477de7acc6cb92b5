package blocktext_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ladderapp/ladder/internal/blocktext"
)

func TestMessage(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		blocks string
		want   string
	}{
		{
			name: "text without blocks",
			text: "Saved to *People management* (week 47).",
			want: "Saved to People management (week 47).",
		},
		{
			name: "mentions, channels, broadcasts and links",
			text: "Ask <@U123> or <@U456|dana> in <#C1|general> <!here>: <https://example.com|the guide>, <https://example.com> or <mailto:a@b.c|a@b.c>.",
			want: "Ask @U123 or @dana in #general @here: the guide (https://example.com), https://example.com or a@b.c (mailto:a@b.c).",
		},
		{
			name: "escapes",
			text: "a &lt; b &amp;&amp; c &gt; d",
			want: "a < b && c > d",
		},
		{
			name: "bold and italic markers go, other punctuation stays",
			text: "*Biggest gap: Scaling.* _Really_ use snake_case, 2*3*4, ~struck~ and * lone stars *",
			want: "Biggest gap: Scaling. Really use snake_case, 2*3*4, ~struck~ and * lone stars *",
		},
		{
			name: "inline code is left alone",
			text: "Run `/ladder level *em*` or `/ladder schedule off`.",
			want: "Run `/ladder level *em*` or `/ladder schedule off`.",
		},
		{
			name: "code block verbatim",
			text: "*Readiness for Senior EM*\n```\nPeople  ███░░  *thin*  1 week\nScaling ░░░░░  gap    &lt;none&gt;\n```\n*Biggest gap: Scaling.*",
			want: "Readiness for Senior EM\nPeople  ███░░  *thin*  1 week\nScaling ░░░░░  gap    <none>\nBiggest gap: Scaling.",
		},
		{
			name: "code block on one line",
			text: "before ```code *here*``` after",
			want: "before \ncode *here*\n after",
		},
		{
			name: "unclosed fence",
			text: "a ``` *b*",
			want: "a ``` b",
		},
		{
			name:   "prompt message",
			text:   "fallback that is not shown",
			blocks: promptBlocks,
			want: "Reflection · People management · toward Senior EM (stretch)\n" +
				"Which of your engineers acted for the good of the company?\n" +
				"Good evidence: the action, who benefited.\n" +
				"[ Answer ]  [ Skip this week ]  [ Another question ]\n" +
				"Reply in this thread or just type here — it counts as evidence.",
		},
		{
			name: "header, divider, fields and accessory",
			blocks: `[{"type":"header","text":{"type":"plain_text","text":"Toward Senior EM"}},
				{"type":"divider"},
				{"type":"section","text":{"type":"mrkdwn","text":"*Settings*"},
				 "fields":[{"type":"mrkdwn","text":"*Level*\nEM"},{"type":"plain_text","text":"Track: broad"}],
				 "accessory":{"type":"button","text":{"type":"plain_text","text":"Change"},"action_id":"x"}}]`,
			want: "Toward Senior EM\n════════════════\n" + strings.Repeat("─", 40) + "\nSettings\nLevel\nEM\nTrack: broad\n[ Change ]",
		},
		{
			name: "selects, overflow and images",
			blocks: `[{"type":"actions","elements":[
				{"type":"static_select","placeholder":{"type":"plain_text","text":"Pick an area"}},
				{"type":"static_select","initial_option":{"text":{"type":"plain_text","text":"Strategy"},"value":"s"}},
				{"type":"overflow"},{"type":"datepicker"}]},
				{"type":"image","image_url":"https://x/y.png","alt_text":"a chart"},
				{"type":"context","elements":[{"type":"image","alt_text":"logo"},{"type":"mrkdwn","text":"_small print_"}]}]`,
			want: "[ Pick an area ▾ ]  [ Strategy ▾ ]  [ … ]  [ datepicker ▾ ]\n[image: a chart]\n[image: logo]  small print",
		},
		{
			name: "rich text, as a user's message carries it",
			blocks: `[{"type":"rich_text","elements":[
				{"type":"rich_text_section","elements":[{"type":"text","text":"Thanks "},{"type":"user","user_id":"U9"},{"type":"emoji","name":"tada"}]},
				{"type":"rich_text_list","style":"ordered","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":"one"}]},{"type":"rich_text_section","elements":[{"type":"link","url":"https://x","text":"two"}]}]},
				{"type":"rich_text_quote","elements":[{"type":"text","text":"quoted\nlines"}]},
				{"type":"rich_text_preformatted","elements":[{"type":"text","text":"\n  code\n"}]}]}]`,
			want: "Thanks @U9:tada:\n1. one\n2. two (https://x)\n> quoted\n> lines\n  code",
		},
		{
			name:   "unknown blocks fall back to the text",
			text:   "the fallback",
			blocks: `[{"type":"call","call_id":"R1"}]`,
			want:   "the fallback",
		},
		{
			name:   "invalid blocks fall back to the text",
			text:   "the fallback",
			blocks: `{"not": "a list"`,
			want:   "the fallback",
		},
		{
			name:   "wrongly typed fields are skipped",
			text:   "fallback",
			blocks: `[{"type":"section","text":{"type":"mrkdwn","text":42}},{"type":"actions","elements":"no"},{"type":7},null,"x",{"type":"section","text":{"type":"plain_text","text":"kept"}}]`,
			want:   "kept",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var blocks json.RawMessage
			if tt.blocks != "" {
				blocks = json.RawMessage(tt.blocks)
			}
			if got := blocktext.Message(tt.text, blocks); got != tt.want {
				t.Errorf("Message:\ngot:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

const promptBlocks = `[
	{"type":"context","elements":[{"type":"mrkdwn","text":"Reflection · People management · toward Senior EM (stretch)"}]},
	{"type":"section","text":{"type":"mrkdwn","text":"*Which of your engineers acted for the good of the company?*"}},
	{"type":"context","elements":[{"type":"mrkdwn","text":"Good evidence: the action, who benefited."}]},
	{"type":"actions","block_id":"prompt_actions","elements":[
		{"type":"button","action_id":"answer","text":{"type":"plain_text","text":"Answer","emoji":true},"style":"primary","value":"p1"},
		{"type":"button","action_id":"skip","text":{"type":"plain_text","text":"Skip this week","emoji":true},"value":"p1"},
		{"type":"button","action_id":"another","text":{"type":"plain_text","text":"Another question","emoji":true},"value":"p1"}]},
	{"type":"context","elements":[{"type":"mrkdwn","text":"Reply in this thread or just type here — it counts as evidence."}]}]`

func TestView(t *testing.T) {
	tests := []struct {
		name string
		view string
		want string
	}{
		{
			name: "modal with an input",
			view: `{"type":"modal","callback_id":"answer_modal","title":{"type":"plain_text","text":"Answer"},
				"submit":{"type":"plain_text","text":"Save"},"close":{"type":"plain_text","text":"Cancel"},
				"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*Which problem?*"}},
				{"type":"input","block_id":"answer","label":{"type":"plain_text","text":"Your answer"},
				 "element":{"type":"plain_text_input","action_id":"text","multiline":true,"placeholder":{"type":"plain_text","text":"What happened"}},
				 "hint":{"type":"plain_text","text":"Up to 3000 characters"}},
				{"type":"input","optional":true,"label":{"type":"plain_text","text":"Area"},
				 "element":{"type":"radio_buttons","options":[{"text":{"type":"plain_text","text":"People"},"value":"p"},{"text":{"type":"plain_text","text":"Scaling"},"value":"s"}]}}]}`,
			want: "Answer\n══════\nWhich problem?\nYour answer\n  [plain_text_input: What happened]\n  Up to 3000 characters\nArea (optional)\n  ( ) People  ( ) Scaling\n[ Cancel ]  [ Save ]",
		},
		{
			name: "home tab",
			view: `{"type":"home","blocks":[{"type":"header","text":{"type":"plain_text","text":"Ladder"}},
				{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Start"}}]}]}`,
			want: "Ladder\n══════\n[ Start ]",
		},
		{name: "not a view", view: `[1,2]`, want: ""},
		{name: "not JSON", view: `{`, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := blocktext.View(json.RawMessage(tt.view))
			if got != tt.want {
				t.Errorf("View:\ngot:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestRendererNamesAndColor(t *testing.T) {
	names := map[string]string{"U1": "alice"}
	r := blocktext.Renderer{Name: func(id string) string { return names[id] }}
	if got, want := r.Message("<@U1> and <@U2|bob> and <@U3>", nil), "@alice and @bob and @U3"; got != want {
		t.Errorf("names: got %q, want %q", got, want)
	}

	r.Color = true
	blocks := json.RawMessage(`[{"type":"section","text":{"type":"mrkdwn","text":"*bold* and _it_"}},{"type":"context","elements":[{"type":"plain_text","text":"small"}]}]`)
	want := "\x1b[1mbold\x1b[0m and \x1b[3mit\x1b[0m\n\x1b[2msmall\x1b[0m"
	if got := r.Message("", blocks); got != want {
		t.Errorf("color: got %q, want %q", got, want)
	}
}

// FuzzRender checks that no message or view, however malformed, makes the
// renderer panic, and that valid UTF-8 in gives valid UTF-8 out. The seeds in
// testdata/fuzz/FuzzRender are real shapes: a prompt, a gaps reply, the Home
// tab, a modal, a user's rich text, and some broken JSON.
func FuzzRender(f *testing.F) {
	f.Add("*bold* <@U1|x> ```code```", []byte(promptBlocks))
	f.Fuzz(func(t *testing.T, text string, blocks []byte) {
		for _, color := range []bool{false, true} {
			r := blocktext.Renderer{Color: color, Name: func(id string) string { return strings.ToLower(id) }}
			got := r.Message(text, blocks)
			if utf8.ValidString(text) && !utf8.ValidString(got) {
				t.Errorf("Message(%q, %q) = %q: not valid UTF-8", text, blocks, got)
			}
			got = r.View(blocks)
			if !utf8.ValidString(got) {
				t.Errorf("View(%q) = %q: not valid UTF-8", blocks, got)
			}
		}
	})
}
