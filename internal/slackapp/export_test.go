package slackapp_test

import (
	"fmt"
	"hash/fnv"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/blocktext"
	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/schedule"
	"github.com/ladderapp/ladder/internal/store"
)

// sendQueued runs the send queue, as the scheduler does in production, until
// nothing is left to send, moving the clock on so that paced and retried
// sends fall due.
func (h *harness) sendQueued() {
	h.t.Helper()
	// It is the only queue meanwhile: one whose clock jumps ahead would take
	// over the rows the harness's queue is still sending.
	h.stopSends()
	defer h.startSends()
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sched, err := schedule.New(log, h.db, h.app, h.clock.Now, schedule.Config{Backoff: time.Second})
	if err != nil {
		h.t.Fatal(err)
	}
	for range 500 {
		sched.Flush(h.ctx)
		counts, err := h.db.OutboxCounts(h.ctx)
		if err != nil {
			h.t.Fatal(err)
		}
		if counts[store.OutboxPending]+counts[store.OutboxSending] == 0 {
			return
		}
		h.clock.Add(2 * time.Second)
	}
	h.t.Fatalf("the send queue never emptied\nlogs:\n%s", h.logs)
}

var packetPart = regexp.MustCompile(`^Promotion packet, part (\d+) of (\d+)`)

// packets returns the posts to user that carry a part of a promotion packet,
// in the order Slack received them, and the index of each in msgs.
func packets(msgs []fakeslack.Message, user string) (parts []fakeslack.Message, at []int) {
	for i, m := range msgs {
		if m.Kind == "post" && strings.HasSuffix(m.Channel, user) && packetPart.MatchString(m.Text) {
			parts = append(parts, m)
			at = append(at, i)
		}
	}
	return parts, at
}

// sameWorker returns a user id whose commands run on the same worker as
// user's, with the app's default of 8 workers sharded by user id.
func sameWorker(user string) string {
	shard := func(u string) uint32 {
		h := fnv.New32a()
		h.Write([]byte(u))
		return h.Sum32() % 8
	}
	for i := 0; ; i++ {
		if u := fmt.Sprintf("UDAVE%d", i); shard(u) == shard(user) {
			return u
		}
	}
}

// TestExportDoesNotHoldUpOthers: alice exports 20 answers of 40,000
// characters while dave, whose commands share her worker, asks for his gaps.
// Dave's answer comes before any part of her packet, which the send queue
// then posts complete, in order and once: at most 40 messages, the last of
// which says what the cap left out. The cap keeps whole answers only; each,
// longer than a message, goes on from message to message. Before, the export
// posted its 290-odd messages from inside the worker, and dave's answer
// waited for all of them.
func TestExportDoesNotHoldUpOthers(t *testing.T) {
	h := newHarness(t)
	// The packet as messages: an install without files:write.
	h.fake.RevokeScope("files:write")
	// Slack's limits off, so that an export posted from the worker runs
	// straight through rather than for minutes.
	h.fastDMs()
	dave := sameWorker(alice)
	h.fake.AddUser(fakeslack.User{ID: dave, Name: "dave", TZ: "UTC"})
	h.slash(dave, "start")
	h.slash(alice, "start")
	long := strings.Repeat("I led the migration and wrote it up. ", 40000/37)
	for i := range 20 {
		_, _, err := h.db.AddEvidence(h.ctx, ladder.Evidence{
			UserID: alice, Area: h.ladder.Areas[i%len(h.ladder.Areas)].ID, Text: fmt.Sprintf("answer %02d: %s", i, long),
			Channel: "D" + alice, TS: fmt.Sprintf("1795420%03d.000100", i), Created: h.clock.Now().Add(-time.Duration(20-i) * 24 * time.Hour),
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	if _, err := h.fake.SendSlash(fakeslack.SlashCommand{UserID: alice, Text: "export"}); err != nil {
		t.Fatal(err)
	}
	contains(t, "dave's gaps", h.slash(dave, "gaps"), "Readiness")
	h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		for _, m := range s.Messages {
			if isReply(m) && m.User == alice {
				return true
			}
		}
		return false
	})
	h.sendQueued()

	msgs := h.fake.Messages()
	gapsAt, replyAt := -1, -1
	for i, m := range msgs {
		switch {
		case isReply(m) && m.User == dave && strings.Contains(m.Text, "Readiness"):
			gapsAt = i
		case isReply(m) && m.User == alice:
			replyAt = i
		}
	}
	parts, at := packets(msgs, alice)
	if len(parts) == 0 || replyAt < 0 {
		t.Fatalf("no packet or no reply:%s", h.dump())
	}
	n := len(parts)
	contains(t, "alice's reply", msgs[replyAt].Text, "on its way", "20 pieces of evidence")
	if gapsAt > at[len(at)-1] {
		t.Errorf("dave's gaps (message %d) came after alice's whole export (last part: message %d)", gapsAt, at[len(at)-1])
	}
	if n < 20 || n > 40 {
		t.Fatalf("packet messages: got %d, want the cap of 40 or a little under", n)
	}
	for i, p := range parts {
		got := packetPart.FindStringSubmatch(p.Text)
		if k, _ := strconv.Atoi(got[1]); k != i+1 || got[2] != strconv.Itoa(n) {
			t.Errorf("message %d of the packet says %q, want part %d of %d", i+1, got[0], i+1, n)
		}
	}
	contains(t, "the packet's start", parts[0].Text, "# Promotion packet: alice")
	contains(t, "the first answer", parts[1].Text, "answer 00: I led the migration")
	// As Slack shows it: the packet's text is escaped in the message. The
	// first two answers are People management's; the rest are left out.
	last := blocktext.Message(parts[n-1].Text, parts[n-1].Blocks)
	contains(t, "the cap's notice", last, "## Not in this packet", "(40 messages)",
		"Left out: the rest of People management; Execution & delivering results;", "with 18 more pieces of evidence", "/ladder evidence <area>")
	// Each answer shown runs whole: its quoted lines, message after message,
	// put back together, are the answer.
	var shown strings.Builder
	for _, p := range parts[1:] {
		for _, line := range strings.Split(blocktext.Message(p.Text, p.Blocks), "\n") {
			if rest, ok := strings.CutPrefix(line, "> "); ok {
				shown.WriteString(rest + " ")
			}
		}
	}
	want := fmt.Sprintf("answer 00: %s answer 05: %s", long, long)
	if got := strings.Join(strings.Fields(shown.String()), " "); got != strings.Join(strings.Fields(want), " ") {
		t.Errorf("the answers, put back together, differ from what alice wrote (%d characters, want %d)", len(got), len(want))
	}
}

// TestExportAfterRestartArrives: alice exports, Ladder restarts, and she
// exports again; the second file's share meets a 500 that shared nothing.
// The queue looks, finds no share, uploads again, and the file arrives.
// Before, the keys of DMs without a queue row counted from 1 in each
// process, so a retry could find the first process's packet under the same
// key, count the new one as sent, and alice was told it was on its way when
// it never came.
func TestExportAfterRestartArrives(t *testing.T) {
	h := newHarness(t)
	h.prompt(alice)
	h.dm(alice, "an answer to export twice")
	contains(t, "first export", h.slash(alice, "export"), "1 piece of evidence,")
	h.sendQueued()
	h.shutdown()
	h.start()
	h.clock.Add(time.Minute)
	h.fake.FailNext("files.completeUploadExternal", 1, fakeslack.HTTPError(500))
	contains(t, "second export", h.slash(alice, "export"), "1 piece of evidence,")
	h.sendQueued()
	if fs := h.fake.Files(alice); len(fs) != 2 {
		t.Errorf("files that reached alice: got %d, want 2:%s\nlogs:\n%s", len(fs), h.dump(), h.logs)
	}
}

// TestExportIsMarkdown: the packet as messages (an install without
// files:write), as alice pastes it into a doc reads as
// Markdown: people by name (carol's as Ladder stores it, bob's as Slack
// gives it, an unknown id as itself), channels by name, links as [text](url), and one
// piece of evidence, singular.
func TestExportIsMarkdown(t *testing.T) {
	h := newHarness(t)
	h.fake.RevokeScope("files:write") // the packet as messages
	h.slash(carol, "start")           // a member: her name is in the database
	h.slash(alice, "start")
	h.prompt(alice)
	h.dm(alice, "Ran the review with <@UBOB>, <@UCAROL> and <@U0GONE> in <#C0INC|incidents>: <https://docs.example/q3?a=1&amp;b=2|Q3 review>, see <https://docs.example/log>.")
	lookups := func() map[string]int {
		n := map[string]int{}
		for _, c := range h.fake.CallsTo("users.info") {
			n[c.Params.Get("user")]++
		}
		return n
	}
	before := lookups()

	contains(t, "export", h.slash(alice, "export"), "1 piece of evidence,")
	h.sendQueued()
	packet := h.waitPost(alice, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Promotion packet, part 1 of 1") })
	shown := blocktext.Message(packet.Text, packet.Blocks)
	contains(t, "packet", shown, "· 1 piece of evidence",
		"> Ran the review with bob, carol and @U0GONE in #incidents: [Q3 review](https://docs.example/q3?a=1&b=2), see <https://docs.example/log>.")
	lacks(t, "packet", shown, "<@", "<#", "|Q3", "pieces")
	lacks(t, "packet as posted", packet.Text, "<@UBOB>", "<https://")
	// bob and the unknown id are asked of Slack, once each; carol is not.
	// carol's name is in the database; bob and the unknown id are asked of
	// Slack (once for each time the message is rendered: a post that meets
	// a 429 is rendered again).
	after := lookups()
	if n := after[carol] - before[carol]; n != 0 {
		t.Errorf("users.info calls for carol, a member: %d, want none", n)
	}
	for _, user := range []string{bob, "U0GONE"} {
		if after[user] == before[user] {
			t.Errorf("no users.info call for %s", user)
		}
	}
}
