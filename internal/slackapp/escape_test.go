package slackapp_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
)

// hostile is an answer written to abuse Slack's markup: a ping of everyone,
// a mention of someone else, a link whose label hides where it goes, an
// entity typed out, and mrkdwn.
const hostile = "Ran the <!channel> review <!here> with <@U0BOSS>: <https://evil.example|Q3 review doc> R&amp;D *bold* `tick`"

// live is what must never reach Slack unescaped from a member's words: each
// would be a ping, a mention or a disguised link.
var live = []string{"<!channel>", "<!here>", "<@U0BOSS>", "<https://evil.example", "|Q3 review doc>"}

// inert is how the words must reach Slack instead: as their characters.
var inert = []string{"&lt;!channel&gt;", "&lt;!here&gt;", "&lt;@U0BOSS&gt;", "&lt;https://evil.example|Q3 review doc&gt;", "R&amp;amp;D", "*bold* `tick`"}

// strs collects every string in a JSON value: the text of every block,
// decoded, as Slack reads it.
func strs(raw []byte) string {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return ""
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			b.WriteString(v + "\n")
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return b.String()
}

// checkInert fails the test if a message shows a member's words as markup, or
// not at all.
func checkInert(t *testing.T, what string, m fakeslack.Message) {
	t.Helper()
	for _, part := range []struct{ name, s string }{{"text", m.Text}, {"blocks", strs(m.Blocks)}} {
		if part.s == "" {
			continue
		}
		lacks(t, what+" "+part.name, part.s, live...)
		contains(t, what+" "+part.name, part.s, inert...)
	}
}

// lastResponse is the latest reply to user to a slash command, in its ack or
// through its response_url.
func (h *harness) lastResponse(user string) fakeslack.Message {
	var got fakeslack.Message
	for _, m := range h.fake.Messages() {
		if isReply(m) && m.User == user {
			got = m
		}
	}
	return got
}

// TestMemberTextIsNeverMarkup stores the hostile answer through the Answer
// modal and through a DM, and checks every place Slack shows it: the
// manager's digest (preview and sent, under share full), /ladder evidence,
// /ladder evidence @report, the Home tab and the export. Each shows the
// characters the member wrote, escaped; none pings, mentions or links.
func TestMemberTextIsNeverMarkup(t *testing.T) {
	h := newHarness(t)
	h.slash(bob, "start")
	h.nameAndAccept(alice, bob)
	h.slash(alice, "share full")
	prompt := h.prompt(alice)

	// Through the modal: plain_text_input hands back the text as typed.
	var promptID string
	for _, b := range checkIDs(t, "prompt", prompt.Blocks) {
		for _, el := range b.Elements {
			if el.ActionID == "answer" {
				promptID = el.Value
			}
		}
	}
	env, _ := h.fake.SendInteractive(h.fake.BlockAction(alice, "answer", promptID, "", prompt.TS))
	h.fake.WaitAck(h.ctx, env)
	if _, err := h.fake.WaitCalls(h.ctx, "views.open", 1); err != nil {
		t.Fatal(err)
	}
	env, _ = h.fake.SendInteractive(h.fake.ViewSubmission(alice, "answer_modal", "", map[string]map[string]string{"answer": {"text": hostile}}))
	h.fake.WaitAck(h.ctx, env)
	confirm := h.waitPost(alice, func(m fakeslack.Message) bool { return m.ThreadTS == "" && strings.Contains(m.Text, "Saved to") })
	lacks(t, "modal confirmation", confirm.Text+strs(confirm.Blocks), live...)

	// Through a DM: Slack escapes the characters the member typed. The
	// stored text is the same as the modal's, as the member wrote it.
	dmText := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(hostile)
	_, reply := h.dm(alice, dmText)
	lacks(t, "DM confirmation", reply.Text+strs(reply.Blocks), live...)
	es := h.evidence(alice)
	if len(es) != 2 {
		t.Fatalf("stored %d pieces of evidence, want 2: %+v", len(es), es)
	}
	for _, e := range es {
		if e.Text != hostile {
			t.Errorf("stored %q, want the text as the member wrote it, %q", e.Text, hostile)
		}
	}

	// The member's own views.
	h.slash(alice, "evidence")
	checkInert(t, "/ladder evidence", h.lastResponse(alice))
	var home fakeslack.View
	for _, v := range h.fake.Views() {
		if v.Kind == "publish" && v.UserID == alice {
			home = v
		}
	}
	homeText := strs(home.View)
	lacks(t, "Home tab", homeText, live...)
	contains(t, "Home tab", homeText, inert...)

	// The manager's.
	h.slash(bob, "evidence <@UALICE>")
	checkInert(t, "/ladder evidence @report", h.lastResponse(bob))
	h.slash(bob, "digest")
	checkInert(t, "digest preview", h.lastResponse(bob))
	contains(t, "digest send", h.digestSend(), "1 queued")
	checkInert(t, "digest", h.waitPost(bob, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Monthly digest") }))

	// The export: a Markdown file, with Slack's markup turned into what a
	// doc reads (U0BOSS is nobody Slack knows, so stays an id); the message
	// it comes with holds none of the member's words.
	contains(t, "export", h.slash(alice, "export"), "packet is on its way")
	h.sendQueued()
	const markdown = "> Ran the @channel review @here with @U0BOSS: [Q3 review doc](https://evil.example) R&D *bold* `tick`"
	contains(t, "export file", string(h.files(alice, 1)[0].Content), markdown)
	share := h.waitFile(alice)
	lacks(t, "export comment", share.Text+strs(share.Blocks), live...)
	lacks(t, "export comment", share.Text, "evil.example", "U0BOSS")
}

// TestEditedDMIsStoredAsWritten edits a DM answer to hostile text: the edit
// is unescaped once, like the message, and shown escaped.
func TestEditedDMIsStoredAsWritten(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.prompt(alice)
	ts, _ := h.dm(alice, "A first draft")
	escaped := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(hostile)
	h.fake.SendEvent("", h.fake.MessageChangedEvent(alice, ts, escaped), 0)
	waitEvidence(t, h, func(es []ladder.Evidence) bool { return len(es) == 1 && !es[0].Edited.IsZero() })
	if got := h.evidence(alice)[0].Text; got != hostile {
		t.Errorf("edited evidence = %q, want %q", got, hostile)
	}
	h.slash(alice, "evidence")
	checkInert(t, "/ladder evidence after an edit", h.lastResponse(alice))
}
