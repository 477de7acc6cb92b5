package slackapp_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
)

// dave is a colleague who posts in a channel; he never uses Ladder.
const dave = "UDAVE"

// shortcut has user choose Save to Ladder on the message ts in channel,
// checks that the ack is empty, and returns the modal views.open opened and
// its view id.
func (h *harness) shortcut(user, channel, ts string) (modal, string) {
	h.t.Helper()
	before := len(h.fake.Views())
	p, err := h.fake.MessageShortcut(user, "save_to_ladder", channel, ts)
	if err != nil {
		h.t.Fatal(err)
	}
	h.interactQuietly("shortcut", p)
	var (
		got modal
		id  string
	)
	err = h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		for _, v := range s.Views[before:] {
			if v.Kind == "open" && v.UserID == user && json.Unmarshal(v.View, &got) == nil {
				got.raw, id = string(v.View), v.ID
				return true
			}
		}
		return false
	})
	if err != nil {
		var calls []string
		for _, c := range h.fake.CallsTo("views.open") {
			calls = append(calls, fmt.Sprintf("%d %s", c.Status, c.Error))
		}
		h.t.Fatalf("the shortcut opened no modal for %s: %v\nviews.open calls: %v\nlogs:\n%s", user, err, calls, h.logs)
	}
	return got, id
}

// element is the element of the input block blockID.
func (m modal) element(blockID string) map[string]any {
	for _, b := range m.Blocks {
		if b.BlockID == blockID {
			return b.Element
		}
	}
	return nil
}

// waitSaveLink waits for the Save modal id to be updated with its source
// line, and returns the updated modal.
func (h *harness) waitSaveLink(id string) modal {
	h.t.Helper()
	var got modal
	err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		for _, v := range s.Views {
			if v.Kind == "update" && v.ID == id && json.Unmarshal(v.View, &got) == nil {
				got.raw = string(v.View)
				return true
			}
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("the save modal never got its link: %v\nlogs:\n%s", err, h.logs)
	}
	return got
}

// submitSave submits the Save modal id as user with inputs (block id →
// value), the others as the modal holds them, and checks that the ack
// closes it.
func (h *harness) submitSave(user, id string, inputs map[string]string) {
	h.t.Helper()
	in := map[string]map[string][]string{}
	for block, v := range inputs {
		in[block] = map[string][]string{"value": {v}}
	}
	p, err := h.fake.SubmissionPayload(fakeslack.Interaction{User: user, ViewID: id, Inputs: in})
	if err != nil {
		h.t.Fatal(err)
	}
	h.interactQuietly("save", p)
}

// interactQuietly sends an interactive payload and waits for its ack, which
// must carry nothing: no errors, and for a submission, the modal closes.
func (h *harness) interactQuietly(what string, payload map[string]any) {
	h.t.Helper()
	env, err := h.fake.SendInteractive(payload)
	if err != nil {
		h.t.Fatal(err)
	}
	ack, err := h.fake.WaitAck(h.ctx, env)
	if err != nil {
		h.t.Fatalf("%s: no ack: %v", what, err)
	}
	if p := strings.TrimSpace(string(ack.Payload)); p != "" && p != "null" {
		h.t.Errorf("%s: ack payload %s, want none", what, p)
	}
}

// TestSaveToLadderShortcut: alice saves dave's thank-you in a launch thread.
// The modal opens with the message's words as written, an area suggested
// from them and, once Slack gives it, the link; she moves it to another area
// and adds a note. It is stored as her evidence with the link and her area,
// confirmed in her DM, and listed for her with the link. dave hears
// nothing; bob, her manager under share summary, sees none of the words.
func TestSaveToLadderShortcut(t *testing.T) {
	h := newHarness(t)
	h.fake.AddUser(fakeslack.User{ID: dave, Name: "dave", TZ: "UTC"})
	h.slash(alice, "share summary")
	h.nameAndAccept(alice, bob)

	parent := h.fake.ChannelMessage(dave, "CLAUNCH", "Launch thread", "")
	// As Slack writes it: & and < escaped, the mention and <!channel> as markup.
	ts := h.fake.ChannelMessage(dave, "CLAUNCH",
		"<!channel> huge thanks to <@UALICE> for shipping the launch on time &amp; coaching the new folks &lt;3", parent)
	asWritten := "<!channel> huge thanks to <@UALICE> for shipping the launch on time & coaching the new folks <3"
	link := fakeslack.Permalink("CLAUNCH", ts, parent)

	opened, id := h.shortcut(alice, "CLAUNCH", ts)
	if opened.CallbackID != "save_modal" || opened.Title.Text != "Save to Ladder" {
		t.Errorf("modal: callback %q, title %q", opened.CallbackID, opened.Title.Text)
	}
	text := opened.element("save_text")
	if text["type"] != "plain_text_input" || text["initial_value"] != asWritten || text["multiline"] != true || text["max_length"] != 3000.0 {
		t.Errorf("text field = %v, want the message as written, multiline, at most 3000", text)
	}
	// "shipping", "launch", "on time" against "thanks", "coaching".
	if got := opened.initial("save_area"); got != string(ladder.Execution) {
		t.Errorf("suggested area %q, want execution", got)
	}
	if opened.element("save_note")["type"] != "plain_text_input" {
		t.Errorf("no note field: %s", opened.raw)
	}
	contains(t, "modal", strs([]byte(opened.raw)), "<@UDAVE>'s message", "they are not told")

	updated := h.waitSaveLink(id)
	contains(t, "source line", strs([]byte(updated.raw)), "Source: "+strings.ReplaceAll(link, "&", "&amp;"))
	if updated.element("save_text")["initial_value"] != asWritten {
		t.Errorf("the update changed the text field: %v", updated.element("save_text"))
	}

	before := h.clock.Now().Truncate(time.Millisecond)
	h.submitSave(alice, id, map[string]string{"save_area": string(ladder.People), "save_note": "I paired with them on the rollout."})
	confirmed := h.waitPost(alice, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Saved to") })
	contains(t, "confirmation", confirmed.Text, "Saved to "+areaNameOf(h, ladder.People))

	es := h.evidence(alice)
	if len(es) != 1 {
		t.Fatalf("alice has %d pieces of evidence, want 1", len(es))
	}
	e := es[0]
	if e.Link != link || e.Area != ladder.People || e.Text != asWritten+"\n\nMy note: I paired with them on the rollout." ||
		e.Created.Before(before) || e.Created.After(h.clock.Now()) {
		t.Errorf("stored %+v\nwant link %q, area people, the words as written and the note", e, link)
	}
	if got := h.evidence(dave); len(got) != 0 {
		t.Errorf("dave has evidence: %+v", got)
	}

	listed := h.slash(alice, "evidence")
	contains(t, "alice's evidence", listed,
		"&lt;!channel&gt; huge thanks to &lt;@UALICE&gt;", "&amp; coaching",
		"source: "+strings.ReplaceAll(link, "&", "&amp;"))
	lacks(t, "alice's evidence", listed, "<!channel>", "<@UALICE>", "|")

	// dave, the author, is told nothing, anywhere.
	for _, m := range h.fake.Messages() {
		if strings.HasSuffix(m.Channel, dave) || m.User == dave || strings.Contains(m.Text, "UDAVE") {
			t.Errorf("dave was told: %+v", m)
		}
	}
	for _, v := range h.fake.Views() {
		if v.UserID == dave {
			t.Errorf("dave got a view: %s", v.View)
		}
	}

	// bob shares alice's summary only: neither her words nor the link.
	for _, reply := range []string{h.slash(bob, "digest"), h.slash(bob, "evidence <@UALICE>")} {
		lacks(t, "bob's view", reply, "huge thanks", "paired with them", "CLAUNCH")
	}
}

// TestSaveToLadderStranger: someone not enrolled gets a modal that says how
// to start, and nothing is stored or enrolled.
func TestSaveToLadderStranger(t *testing.T) {
	h := newHarness(t)
	ts := h.fake.ChannelMessage(alice, "CLAUNCH", "Shipped the launch", "")
	got, _ := h.shortcut(carol, "CLAUNCH", ts)
	contains(t, "stranger's modal", strs([]byte(got.raw)), "not enrolled", "/ladder start")
	if got.CallbackID == "save_modal" || strings.Contains(got.raw, `"submit"`) {
		t.Errorf("a stranger got a form to save with: %s", got.raw)
	}
	if _, err := h.db.Member(h.ctx, carol); err == nil {
		t.Error("the shortcut enrolled carol")
	}
	if n, err := h.db.AllEvidence(h.ctx, carol); err != nil || len(n) != 0 {
		t.Errorf("carol's evidence: %v, %v", n, err)
	}
}

// TestSaveToLadderLongMessage: a message longer than the text field holds is
// offered cut to 3,000 characters, and the modal says so.
func TestSaveToLadderLongMessage(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	long := strings.Repeat("Ran the incident review. ", 200) // 5,000 characters
	ts := h.fake.ChannelMessage(dave, "CINCIDENTS", long, "")
	got, _ := h.shortcut(alice, "CINCIDENTS", ts)
	if v, _ := got.element("save_text")["initial_value"].(string); len([]rune(v)) != 3000 || !strings.HasPrefix(long, v) {
		t.Errorf("text field holds %d characters, want the first 3000", len([]rune(v)))
	}
	contains(t, "modal", strs([]byte(got.raw)), "longer than the 3,000 characters")
	if got.initial("save_area") != string(ladder.Technical) {
		t.Errorf("suggested %q for an incident review, want technical", got.initial("save_area"))
	}
}

// TestSaveToLadderOpensWhileItsWorkerIsBusy: alice's worker is held by a
// neighbour's enrolment, whose users.info Slack answers only after 8 s,
// longer than a trigger lives. The shortcut's modal opens all the same: it
// never waits behind the member's worker.
func TestSaveToLadderOpensWhileItsWorkerIsBusy(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	var neighbour string
	for i := 0; neighbour == ""; i++ {
		if u := fmt.Sprintf("UNEXT%02d", i); workerOf(u) == workerOf(alice) {
			neighbour = u
		}
	}
	h.fake.AddUser(fakeslack.User{ID: neighbour, Name: "neighbour", TZ: "UTC"})
	h.fake.FailNext("users.info", 1, fakeslack.Failure{Delay: 8 * time.Second})
	env, err := h.fake.SendSlash(fakeslack.SlashCommand{UserID: neighbour, Text: "start"})
	if err != nil {
		t.Fatal(err)
	}
	// The ack comes when the reply's budget runs out: the worker is in
	// users.info by then.
	if _, err := h.fake.WaitAck(h.ctx, env); err != nil {
		t.Fatal(err)
	}

	ts := h.fake.ChannelMessage(dave, "CLAUNCH", "Shipped the launch", "")
	h.shortcut(alice, "CLAUNCH", ts)
	for _, c := range h.fake.CallsTo("views.open") {
		if c.Error != "" || c.Status != 200 {
			t.Errorf("views.open: status %d, error %q; want the modal open", c.Status, c.Error)
		}
	}
	if n := len(h.fake.CallsTo("users.info")); n != 1 {
		t.Errorf("users.info answered %d times, want alice's only: the modal opened while the neighbour's call waited", n)
	}
}

// TestSaveToLadderCheckedAndWithoutLink: a message in a conversation Slack
// will not link for the app (chat.getPermalink: channel_not_found, as for a
// private channel it is not in) opens all the same, says it is saved without
// a link, and is. An emptied text field is refused in the modal first, and
// nothing is stored for it.
func TestSaveToLadderCheckedAndWithoutLink(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	ts := h.fake.ChannelMessage(dave, "GPRIVATE", "Ran the design review for the payments migration", "")
	h.fake.FailNext("chat.getPermalink", 2, fakeslack.Failure{Error: "channel_not_found"})

	opened, id := h.shortcut(alice, "GPRIVATE", ts)
	if opened.initial("save_area") != string(ladder.Technical) {
		t.Errorf("suggested %q, want technical", opened.initial("save_area"))
	}
	updated := h.waitSaveLink(id)
	contains(t, "source line", strs([]byte(updated.raw)), "Source: no link, as Ladder can't see that conversation. It is saved without one.")

	p, err := h.fake.SubmissionPayload(fakeslack.Interaction{User: alice, ViewID: id,
		Inputs: map[string]map[string][]string{"save_text": {"value": {"   "}}}})
	if err != nil {
		t.Fatal(err)
	}
	env, err := h.fake.SendInteractive(p)
	if err != nil {
		t.Fatal(err)
	}
	ack, err := h.fake.WaitAck(h.ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "ack of an empty text", string(ack.Payload), `"response_action":"errors"`, `"save_text"`, "Write what to keep")
	if n := len(h.evidence(alice)); n != 0 {
		t.Errorf("alice has %d pieces of evidence after an empty save, want none", n)
	}

	h.submitSave(alice, id, nil)
	h.waitPost(alice, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Saved to") })
	es := h.evidence(alice)
	if len(es) != 1 || es[0].Link != "" || es[0].Text != "Ran the design review for the payments migration" || es[0].Area != ladder.Technical {
		t.Errorf("stored %+v, want the text under technical, without a link", es)
	}
}

// TestSaveToLadderInThePacket: the promotion packet shows a saved message's
// source as the link itself, never as words that hide it.
func TestSaveToLadderInThePacket(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	ts := h.fake.ChannelMessage(dave, "CLAUNCH", "Thanks for shipping the launch", "")
	_, id := h.shortcut(alice, "CLAUNCH", ts)
	h.waitSaveLink(id)
	h.submitSave(alice, id, nil)
	h.waitPost(alice, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Saved to") })

	// The packet file has the text with its source.
	link := fakeslack.Permalink("CLAUNCH", ts, "")
	h.slash(alice, "export")
	h.sendQueued()
	file := h.files(alice, 1)[0]
	contains(t, "packet file", string(file.Content), "Thanks for shipping the launch", "Source: <"+link+">")

	// So do the packet's DMs, on an install without files:write.
	h.fake.RevokeScope("files:write")
	h.slash(alice, "export")
	h.sendQueued()
	parts, _ := packets(h.fake.Messages(), alice)
	var all strings.Builder
	for _, p := range parts {
		all.WriteString(p.Text)
	}
	contains(t, "packet", all.String(), "Thanks for shipping the launch", "Source: &lt;"+link+"&gt;")
}
