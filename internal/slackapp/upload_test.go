package slackapp_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/blocktext"
	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
)

// files returns the files shared with user so far, and fails the test unless
// there are want of them.
func (h *harness) files(user string, want int) []fakeslack.File {
	h.t.Helper()
	fs := h.fake.Files(user)
	if len(fs) != want {
		h.t.Fatalf("%d files shared with %s, want %d:%s\nlogs:\n%s", len(fs), user, want, h.dump(), h.logs)
	}
	return fs
}

// section returns the part of a Markdown document from the line heading to
// the next heading of the same or a higher level, or "" if there is none.
func section(doc, heading string) string {
	level := len(heading) - len(strings.TrimLeft(heading, "#"))
	lines := strings.Split(doc, "\n")
	for i, l := range lines {
		if l != heading {
			continue
		}
		end := len(lines)
		for j := i + 1; j < len(lines); j++ {
			if n := len(lines[j]) - len(strings.TrimLeft(lines[j], "#")); n > 0 && n <= level && strings.HasPrefix(lines[j][n:], " ") {
				end = j
				break
			}
		}
		return strings.Join(lines[i:end], "\n")
	}
	return ""
}

// TestExportUploadsOneFile: /ladder export answers at once, and the send
// queue shares one Markdown file in alice's DM, organised by what her target
// level expects: under an expectation her answer's question names, the
// answer, dated; then readiness per area, the gaps still open and the
// question she answered "Not yet". Nobody else gets a file, and the message
// it comes with holds none of her words.
func TestExportUploadsOneFile(t *testing.T) {
	h := newHarness(t)
	h.slash(carol, "start")
	h.slash(alice, "start")
	prompt := h.prompt(alice)
	pid := buttonValue(t, prompt.Blocks, "answer")
	p, ok := h.ladder.Prompt(pid)
	if !ok || len(p.Expects) == 0 {
		t.Fatalf("the first question %q names no expectations: %+v", pid, p)
	}
	h.dm(alice, "Coached <@UCAROL> through her first incident review <!channel>")
	if es := h.evidence(alice); len(es) != 1 || es[0].PromptID != pid {
		t.Fatalf("stored %+v; want one answer to %s", es, pid)
	}
	later := h.prompt(alice)
	goalID := buttonValue(t, later.Blocks, "not_yet")
	goal, _ := h.ladder.Prompt(goalID)
	h.click(alice, "not_yet", goalID, later.TS)
	h.waitPost(alice, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "A smaller step") })

	target := h.ladder.Levels[1] // alice aims one rung up from EM by default
	reply := h.slash(alice, "export")
	contains(t, "export", reply, "on its way to our DM as a Markdown file", "1 piece of evidence", "organised by what "+target.Short+" expects")
	h.sendQueued()

	f := h.files(alice, 1)[0]
	if want := "ladder-packet-" + string(target.ID) + "-2026-11-23.md"; f.Name != want {
		t.Errorf("file name %q, want %q", f.Name, want)
	}
	if f.Channel != "D"+alice {
		t.Errorf("shared in %s, want alice's DM", f.Channel)
	}
	doc := string(f.Content)
	contains(t, "file head", doc, "# Promotion packet: alice", "- Target level: "+target.Short, "1 piece of evidence")
	area, _ := h.ladder.Area(p.Area)
	inArea := section(doc, "## "+area.Name)
	exp, _, _ := h.ladder.Expectation(p.Expects[0])
	under := section(inArea, "### "+exp.Text)
	contains(t, "the answer under its expectation", under,
		"#### 2026-11-23 · "+p.Text, "> Coached carol through her first incident review @channel")
	lacks(t, "the file", doc, "<@UCAROL>", "<!channel>")
	contains(t, "readiness", section(doc, "## Readiness"), "| "+area.Name+" | ")
	gaps := section(doc, "## Gaps still open")
	var other ladder.Area
	for _, a := range h.ladder.Areas {
		if a.ID != p.Area {
			other = a
			break
		}
	}
	contains(t, "gaps", gaps, "### "+other.Name)
	contains(t, "growth goals", section(doc, "## Growth goals: not yet"), "- “"+goal.Text+"”")

	// The message the file comes with: counts and the ladder's names only.
	var share fakeslack.Message
	for _, m := range h.fake.Messages() {
		if m.Kind == "file" {
			share = m
		}
		if m.Kind == "post" && strings.Contains(m.Text, "Promotion packet, part") {
			t.Errorf("the packet also went as messages: %.80q", m.Text)
		}
		if m.Kind == "file" && m.Channel != "D"+alice {
			t.Errorf("a file was shared in %s", m.Channel)
		}
	}
	contains(t, "comment", share.Text, "Your promotion packet for "+target.Short, "1 piece of evidence")
	lacks(t, "comment", share.Text, "<@", "<!", "Coached")
	h.files(carol, 0)
	if n := len(h.fake.CallsTo("files.completeUploadExternal")); n != 1 {
		t.Errorf("files.completeUploadExternal called %d times, want 1", n)
	}
}

// TestExportWithoutFilesWrite: an install older than files:write. The
// upload meets missing_scope, so the packet comes as DM messages after one
// that says how to grant the scope; the member's words stay inert there.
func TestExportWithoutFilesWrite(t *testing.T) {
	h := newHarness(t)
	h.fake.RevokeScope("files:write")
	h.slash(alice, "start")
	h.prompt(alice)
	h.dm(alice, hostile)
	contains(t, "export", h.slash(alice, "export"), "on its way")
	h.sendQueued()

	h.files(alice, 0)
	msgs := h.fake.Messages()
	helpAt := -1
	for i, m := range msgs {
		if m.Kind == "post" && m.Channel == "D"+alice && strings.Contains(m.Text, "files:write") {
			helpAt = i
			contains(t, "how to add the scope", m.Text, "reinstall Ladder from its manifest", "Reinstall to Workspace")
		}
	}
	parts, at := packets(msgs, alice)
	if helpAt < 0 || len(parts) != 1 {
		t.Fatalf("help at %d, %d packet parts; want the help, then one part:%s\nlogs:\n%s", helpAt, len(parts), h.dump(), h.logs)
	}
	if helpAt > at[0] {
		t.Errorf("the help (message %d) came after the packet (message %d)", helpAt, at[0])
	}
	// Markdown, as the file would be, and escaped: nothing pings or links.
	lacks(t, "fallback packet", parts[0].Text+strs(parts[0].Blocks), live...)
	contains(t, "fallback packet", parts[0].Text, "@channel review @here with @U0BOSS: [Q3 review doc](https://evil.example) R&amp;D")
	if n := len(h.fake.CallsTo("files.completeUploadExternal")); n != 0 {
		t.Errorf("files.completeUploadExternal called %d times without the scope", n)
	}

	// A second export goes the same way, with its own help.
	h.clock.Add(time.Minute)
	h.slash(alice, "export")
	h.sendQueued()
	if parts, _ := packets(h.fake.Messages(), alice); len(parts) != 2 {
		t.Errorf("%d packet parts after two exports, want 2", len(parts))
	}
}

// TestExportSharedOnceAfterTimeout: files.completeUploadExternal shares the
// file but the answer comes too late for the client. The send queue looks in
// the DM before it tries again, finds the share, and uploads nothing more.
func TestExportSharedOnceAfterTimeout(t *testing.T) {
	h := newHarness(t, slack.OptionHTTPClient(&http.Client{Timeout: 2 * time.Second}))
	h.slash(alice, "start")
	h.prompt(alice)
	h.dm(alice, "an answer worth a packet")
	h.fake.FailNext("files.completeUploadExternal", 1, fakeslack.Delayed(4*time.Second))
	h.slash(alice, "export")
	h.sendQueued()

	h.files(alice, 1)
	if n := len(h.fake.CallsTo("files.getUploadURLExternal")); n != 1 {
		t.Errorf("files.getUploadURLExternal called %d times, want 1: the share was found", n)
	}
	if !regexp.MustCompile(`an earlier attempt had posted it`).MatchString(h.logs.String()) {
		t.Errorf("the queue never settled the share by looking:\n%s", h.logs)
	}
}

// TestExportFileNamesPeople: the file reads as Markdown: people by name
// (carol's as Ladder stores it, bob's as Slack gives it, an unknown id as
// itself), channels by name, links as [text](url).
func TestExportFileNamesPeople(t *testing.T) {
	h := newHarness(t)
	h.slash(carol, "start")
	h.slash(alice, "start")
	h.prompt(alice)
	h.dm(alice, "Ran the review with <@UBOB>, <@UCAROL> and <@U0GONE> in <#C0INC|incidents>: <https://docs.example/q3?a=1&amp;b=2|Q3 review>, see <https://docs.example/log>.")
	h.slash(alice, "export")
	h.sendQueued()
	doc := string(h.files(alice, 1)[0].Content)
	contains(t, "file", doc,
		"> Ran the review with bob, carol and @U0GONE in #incidents: [Q3 review](https://docs.example/q3?a=1&b=2), see <https://docs.example/log>.")
	lacks(t, "file", doc, "<@", "<#", "|Q3")
	share := h.waitFile(alice)
	lacks(t, "share", blocktext.Message(share.Text, share.Blocks), "<@", "Ran the review")
}

// waitFile waits for a file message in user's DM and returns it.
func (h *harness) waitFile(user string) fakeslack.Message {
	h.t.Helper()
	var got fakeslack.Message
	if err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		for _, m := range s.Messages {
			if m.Kind == "file" && m.Channel == "D"+user {
				got = m
				return true
			}
		}
		return false
	}); err != nil {
		h.t.Fatalf("no file for %s: %v", user, err)
	}
	return got
}
