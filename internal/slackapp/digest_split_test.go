package slackapp_test

import (
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/schedule"
	"github.com/ladderapp/ladder/internal/store"
)

// manyReports is a team too big for one message: about 190 reports sharing
// in full fill more than 50 blocks or 40,000 characters.
const manyReports = 200

// seedTeam enrolls n reports of bob's, each sharing in full and with two
// long answers this month, and returns their user ids.
func seedTeam(h *harness, n int) []string {
	h.t.Helper()
	var ids []string
	for i := range n {
		id := fmt.Sprintf("UREPORT%04d", i)
		ids = append(ids, id)
		m := ladder.Member{UserID: id, TZ: "Europe/Berlin", Manager: bob, Share: ladder.ShareFull,
			Level: ladder.EM, Target: ladder.SeniorEM, Track: h.ladder.DefaultTrack().ID, EnrolledAt: monday.AddDate(0, -6, 0)}
		if _, _, err := h.db.Enroll(h.ctx, m); err != nil {
			h.t.Fatal(err)
		}
		for j := range 2 {
			created := monday.Add(-time.Duration(j+1) * 24 * time.Hour)
			e := ladder.Evidence{UserID: id, Channel: "D" + id, TS: fmt.Sprintf("%d.%06d", created.Unix(), j), Created: created,
				Area: h.ladder.Areas[j].ID,
				Text: fmt.Sprintf("Answer %d of %s: rebuilt the on-call rotation with the team, wrote the runbook, and cut pages by a third over the quarter.", j, id)}
			if _, _, err := h.db.AddEvidence(h.ctx, e); err != nil {
				h.t.Fatal(err)
			}
		}
	}
	return ids
}

var partNumber = regexp.MustCompile(`Monthly digest · November 2026 · your reports\* \((\d+)/(\d+)\)`)

// digestParts returns the digest parts posted to bob, by number, and fails
// the test if one was posted twice or, when complete, a number is missing.
func digestParts(t *testing.T, h *harness, complete bool) map[int]fakeslack.Message {
	t.Helper()
	parts := map[int]fakeslack.Message{}
	total := 0
	for _, m := range h.fake.Messages() {
		if m.Kind != "post" || !strings.HasSuffix(m.Channel, bob) || !strings.Contains(m.Text, "Monthly digest") {
			continue
		}
		got := partNumber.FindStringSubmatch(m.Text)
		if got == nil {
			t.Fatalf("a digest part without its number: %.200q", m.Text)
		}
		var k int
		fmt.Sscan(got[1], &k)
		fmt.Sscan(got[2], &total)
		if _, twice := parts[k]; twice {
			t.Errorf("digest part %d posted twice", k)
		}
		parts[k] = m
	}
	for k := 1; complete && k <= total; k++ {
		if _, ok := parts[k]; !ok {
			t.Errorf("digest part %d of %d never posted", k, total)
		}
	}
	return parts
}

// checkEveryReportOnce fails the test unless the parts name every report
// once, and each part is what one message holds.
func checkEveryReportOnce(t *testing.T, parts map[int]fakeslack.Message, ids []string) {
	t.Helper()
	var all strings.Builder
	for k, m := range parts {
		if n := len([]rune(m.Text)); n > 40000 {
			t.Errorf("part %d: %d characters of text; Slack cuts it at 40,000", k, n)
		}
		all.WriteString(m.Text)
	}
	for _, id := range ids {
		if n := strings.Count(all.String(), "<@"+id+">"); n != 1 {
			t.Errorf("%s named %d times across the digest's parts, want once", id, n)
		}
	}
}

// TestDigestSplitAcrossMessages sends the digest of 200 reports sharing in
// full: it goes out in several numbered DMs that the strict fake accepts
// (its Block Kit checks run on every post, and the harness fails the test on
// any refusal), and names every report once. The preview shows the same
// parts; a second send sends nothing.
func TestDigestSplitAcrossMessages(t *testing.T) {
	h := newHarness(t)
	ids := seedTeam(h, manyReports)

	contains(t, "digest send", h.digestSend(), "1 queued")
	parts := digestParts(t, h, true)
	if len(parts) < 2 {
		t.Fatalf("the digest of %d reports went out in %d message(s), want several", manyReports, len(parts))
	}
	checkEveryReportOnce(t, parts, ids)
	if sent, _ := h.db.DigestSent(h.ctx, bob, "2026-11"); !sent {
		t.Error("the digest is not marked sent")
	}
	contains(t, "second send", h.digestSend(), "0 queued", "1 had already gone out")
	if again := digestParts(t, h, true); len(again) != len(parts) {
		t.Errorf("a second send posted %d parts, want none more than %d", len(again), len(parts))
	}

	// The preview: the same parts, through the response_url.
	h.slash(bob, "digest")
	shown := func(s *fakeslack.Snapshot) int {
		n := 0
		for _, m := range s.Messages {
			if isReply(m) && m.User == bob && strings.Contains(m.Text, "Monthly digest") {
				n++
			}
		}
		return n
	}
	if err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool { return shown(s) >= len(parts) }); err != nil {
		t.Errorf("the preview did not show all %d parts: %v", len(parts), err)
	}
	if s := h.fake.Snapshot(); shown(&s) != len(parts) {
		t.Errorf("the preview showed %d parts, want %d", shown(&s), len(parts))
	}
}

// TestDigestPartsSurviveACrash fails the post of part 2 with a 500 and then
// restarts the scheduler: the send queue finishes the digest with parts 2..N,
// each once, and never posts part 1 again.
func TestDigestPartsSurviveACrash(t *testing.T) {
	h := newHarness(t)
	h.stopSends() // the test's own queues play the processes
	ids := seedTeam(h, manyReports)

	var once sync.Once
	h.fake.OnMessage(func(m fakeslack.Message) {
		if m.Kind == "post" && strings.Contains(m.Text, "your reports* (1/") {
			once.Do(func() { h.fake.FailNext("chat.postMessage", 1, fakeslack.HTTPError(500)) })
		}
	})
	log := slog.New(slog.NewTextHandler(h.logs, nil))
	sched := func() *schedule.Scheduler {
		s, err := schedule.New(log, h.db, h.app, h.clock.Now, schedule.Config{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	first := sched()
	if n, _, err := first.QueueDigests(h.ctx); err != nil || n != 1 {
		t.Fatalf("QueueDigests = %d, %v; want 1", n, err)
	}
	first.Flush(h.ctx)
	if parts := digestParts(t, h, false); len(parts) != 1 {
		t.Fatalf("before the restart: %d parts posted, want part 1 alone", len(parts))
	}
	if sent, _ := h.db.DigestSent(h.ctx, bob, "2026-11"); sent {
		t.Fatal("a digest cut short is marked sent")
	}

	// A new process, a minute later, when the queue's retry is due.
	h.clock.Add(time.Minute)
	second := sched()
	second.Flush(h.ctx)
	parts := digestParts(t, h, true)
	if len(parts) < 2 {
		t.Fatalf("after the restart: %d parts, want the rest of the digest\nlogs:\n%s", len(parts), h.logs)
	}
	checkEveryReportOnce(t, parts, ids)
	if sent, _ := h.db.DigestSent(h.ctx, bob, "2026-11"); !sent {
		t.Errorf("the digest is not marked sent\nlogs:\n%s", h.logs)
	}
	rows, err := h.db.Outbox(h.ctx, store.OutboxDigest)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].State != store.OutboxSent {
		t.Errorf("the digest's outbox rows are %+v, want one, sent", rows)
	}
}
