//go:build unix

package slackapp_test

// Fault tests: the database turning read-only or filling up, the Web API
// failing, the socket dropping mid-burst, and the clock jumping. Each ends by
// counting rows and messages: nothing lost, nothing duplicated, and nothing
// confirmed as stored that was not.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// notStored is the start of the reply to an answer the app could not store.
// notStored is the reply to an answer the database refused: it says why, and
// that nothing was stored.
const notStored = "I couldn't save that answer because Ladder's database can't be written (read-only or a full disk; your admin will see it in the logs), so it is *not* stored."

// ioctl requests and the flag that make a file immutable on Linux.
const (
	fsIocGetFlags = 0x80086601
	fsIocSetFlags = 0x40086602
	fsImmutableFl = 0x10
)

// setImmutable sets or clears a file's immutable flag (chattr +i): even root
// can no longer write to it, through a new descriptor or one already open. It
// is what a filesystem remounted read-only looks like to SQLite: every write
// fails.
func setImmutable(path string, on bool) error {
	if runtime.GOOS != "linux" {
		return fmt.Errorf("immutable files are Linux-only")
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var flags int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), fsIocGetFlags, uintptr(unsafe.Pointer(&flags))); e != 0 {
		return e
	}
	if on {
		flags |= fsImmutableFl
	} else {
		flags &^= fsImmutableFl
	}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), fsIocSetFlags, uintptr(unsafe.Pointer(&flags))); e != 0 {
		return e
	}
	return nil
}

// readOnly makes the database file, its WAL and the inbox's journal
// immutable under the running app, as a filesystem remounted read-only
// would, and returns a function that undoes it. It skips the test where the
// filesystem or the user's privileges do not allow it.
func readOnly(t *testing.T, dbFile string) (undo func()) {
	t.Helper()
	files := []string{dbFile, dbFile + "-wal", dbFile + "-inbox"}
	var done []string
	undo = func() {
		for _, f := range done {
			if err := setImmutable(f, false); err != nil {
				t.Errorf("chattr -i %s: %v", f, err)
			}
		}
		done = nil
	}
	// Before t.TempDir's own cleanup: an immutable file cannot be removed.
	t.Cleanup(undo)
	for _, f := range files {
		if err := setImmutable(f, true); err != nil {
			undo()
			t.Skipf("cannot make %s immutable here (needs Linux, a filesystem with chattr +i, and CAP_LINUX_IMMUTABLE): %v", f, err)
		}
		done = append(done, f)
	}
	return undo
}

// diskFull lets every file of this process grow by at most headroom bytes
// past the database's WAL as it is now (RLIMIT_FSIZE), as a disk with that
// much space left would. It returns a function that lifts the limit.
func diskFull(t *testing.T, dbFile string, headroom int64) (undo func()) {
	t.Helper()
	fi, err := os.Stat(dbFile + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	limit := syscall.Rlimit{Cur: uint64(fi.Size() + headroom), Max: old.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
		t.Skipf("cannot limit file sizes here: %v", err)
	}
	lifted := false
	undo = func() {
		if !lifted {
			lifted = true
			if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
				t.Errorf("lift RLIMIT_FSIZE: %v", err)
			}
		}
	}
	t.Cleanup(undo)
	return undo
}

// threadReplies returns the posts in the thread of the message ts.
func (h *harness) threadReplies(ts string) []fakeslack.Message {
	var out []fakeslack.Message
	for _, m := range h.fake.Messages() {
		if m.Kind == "post" && m.ThreadTS == ts {
			out = append(out, m)
		}
	}
	return out
}

// storedOnce checks that the user's evidence holds each of texts exactly once,
// and nothing else.
func (h *harness) storedOnce(user string, texts ...string) {
	h.t.Helper()
	got := map[string]int{}
	for _, e := range h.evidence(user) {
		got[e.Text]++
	}
	for _, want := range texts {
		if got[want] != 1 {
			h.t.Errorf("evidence %q stored %d times, want once", want, got[want])
		}
		delete(got, want)
	}
	for text, n := range got {
		h.t.Errorf("unexpected evidence %q (%d times)", text, n)
	}
}

// sendDMNoWait sends a DM as user without waiting, and returns its ts.
func (h *harness) sendDMNoWait(user, text string) string {
	h.t.Helper()
	ts := h.fake.NewTS()
	if _, err := h.fake.SendEvent("", h.fake.DMEvent(user, text, ts), 0); err != nil {
		h.t.Fatal(err)
	}
	return ts
}

// waitThreadReplies waits until every one of tss has a reply in its thread.
func (h *harness) waitThreadReplies(tss ...string) {
	h.t.Helper()
	err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		have := map[string]bool{}
		for _, m := range s.Messages {
			if m.Kind == "post" && m.ThreadTS != "" {
				have[m.ThreadTS] = true
			}
		}
		for _, ts := range tss {
			if !have[ts] {
				return false
			}
		}
		return true
	})
	if err != nil {
		h.t.Fatalf("not every answer got a reply: %v\nmessages:%s\nlogs:\n%s", err, h.dump(), h.logs)
	}
}

func TestFaultReadOnlyDatabase(t *testing.T) {
	h := newHarness(t)
	h.prompt(alice)
	_, reply := h.dm(alice, "stored before")
	contains(t, "before", reply.Text, "Saved to")

	// The inbox cannot store the event, so it is not acked: Slack sends it
	// again. Its last retry is handled anyway, and the member is told.
	undo := readOnly(t, h.dbFile)
	ts := h.fake.NewTS()
	env, err := h.fake.SendEvent("EvReadOnly", h.fake.DMEvent(alice, "sent while read-only", ts), 0)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(h.ctx, time.Second)
	if _, err := h.fake.WaitAck(wctx, env); err == nil {
		t.Error("an event the database could not store was acked")
	}
	cancel()
	if _, err := h.fake.SendEvent("EvReadOnly", h.fake.DMEvent(alice, "sent while read-only", ts), 3); err != nil {
		t.Fatal(err)
	}
	reply = h.waitPost(alice, func(m fakeslack.Message) bool { return m.ThreadTS == ts })
	contains(t, "reply while read-only", reply.Text, notStored, "send it again")
	lacks(t, "reply while read-only", reply.Text, "Saved")
	for _, e := range h.evidence(alice) {
		if e.TS == ts {
			t.Errorf("the refused answer is in the evidence table: %+v", e)
		}
	}
	// Reads still work, and a change the app cannot make says so.
	contains(t, "gaps while read-only", h.slash(alice, "gaps"), "Readiness for")
	contains(t, "pause while read-only", h.slash(alice, "pause 2"), "nothing was changed")
	if len(h.threadReplies(ts)) != 1 {
		t.Errorf("replies to the refused answer: got %d, want 1", len(h.threadReplies(ts)))
	}

	// Writable again: the member sends it again, as told.
	undo()
	_, reply = h.dm(alice, "sent while read-only")
	contains(t, "after", reply.Text, "Saved to")
	h.storedOnce(alice, "stored before", "sent while read-only")
	if m, err := h.db.Member(h.ctx, alice); err != nil || m.Paused(h.clock.Now()) {
		t.Errorf("the refused pause took effect: %+v, %v", m, err)
	}
	if n := h.count(func(m fakeslack.Message) bool { return strings.HasPrefix(m.Text, "Saved to") }); n != 2 {
		t.Errorf("confirmations: got %d, want 2", n)
	}
}

func TestFaultDiskFull(t *testing.T) {
	h := newHarness(t)
	// A burst from one member posts its confirmations to one DM faster than
	// chat.postMessage's 1 a second per channel; this test is about the disk.
	h.fastDMs()
	h.prompt(alice)
	_, reply := h.dm(alice, "stored before the disk filled")
	contains(t, "before", reply.Text, "Saved to")

	// Room for a few answers, then none: a burst of 20 runs into the wall.
	// An answer the inbox could not store is not acked; Slack sends it again,
	// and its last retry is handled anyway, to tell the member.
	lift := diskFull(t, h.dbFile, 96<<10)
	var tss, envs []string
	texts := map[string]string{}
	for i := range 20 {
		text := fmt.Sprintf("answer %d while the disk fills", i)
		ts := h.fake.NewTS()
		env, err := h.fake.SendEvent(fmt.Sprintf("EvFull%d", i), h.fake.DMEvent(alice, text, ts), 0)
		if err != nil {
			t.Fatal(err)
		}
		tss, envs = append(tss, ts), append(envs, env)
		texts[ts] = text
	}
	for i, env := range envs {
		wctx, cancel := context.WithTimeout(h.ctx, time.Second)
		_, err := h.fake.WaitAck(wctx, env)
		cancel()
		if err == nil {
			continue
		}
		if _, err := h.fake.SendEvent(fmt.Sprintf("EvFull%d", i), h.fake.DMEvent(alice, texts[tss[i]], tss[i]), 3); err != nil {
			t.Fatal(err)
		}
	}
	h.waitThreadReplies(tss...)
	lift()

	// Every answer got one reply, and "Saved" exactly when its row exists.
	rows := map[string]ladder.Evidence{}
	for _, e := range h.evidence(alice) {
		rows[e.TS] = e
	}
	var saved, refused []string
	for _, ts := range tss {
		rs := h.threadReplies(ts)
		if len(rs) != 1 {
			t.Fatalf("answer %q: %d replies, want 1", texts[ts], len(rs))
		}
		_, stored := rows[ts]
		switch {
		case strings.HasPrefix(rs[0].Text, "Saved to") && stored:
			saved = append(saved, ts)
		case strings.HasPrefix(rs[0].Text, notStored) && !stored:
			refused = append(refused, ts)
		default:
			t.Errorf("answer %q: stored=%v, reply %q", texts[ts], stored, rs[0].Text)
		}
	}
	t.Logf("disk full: %d answers stored and confirmed, %d refused", len(saved), len(refused))
	if len(refused) == 0 {
		t.Fatal("the disk never filled: the test proves nothing")
	}

	// With room again, the refused answers are sent again and stored once.
	want := []string{"stored before the disk filled"}
	for _, ts := range saved {
		want = append(want, texts[ts])
	}
	for _, ts := range refused {
		_, reply := h.dm(alice, texts[ts])
		contains(t, "resent", reply.Text, "Saved to")
		want = append(want, texts[ts])
	}
	h.storedOnce(alice, want...)
	if n := h.count(func(m fakeslack.Message) bool { return strings.HasPrefix(m.Text, "Saved to") }); n != len(want) {
		t.Errorf("confirmations: got %d, want %d", n, len(want))
	}
}

func TestFaultWebAPIErrors(t *testing.T) {
	h := newHarness(t)
	h.prompt(alice)
	var answers []string
	answer := func(what, text string) {
		t.Helper()
		_, reply := h.dm(alice, text)
		contains(t, what, reply.Text, "Saved to")
		answers = append(answers, text)
	}

	// 429s: the confirmation waits out Retry-After, twice, and goes out once.
	h.fake.FailNext("chat.postMessage", 2, fakeslack.RateLimited(1))
	start := time.Now()
	answer("after two 429s", "answer during 429s")
	if d := time.Since(start); d < 2*time.Second {
		t.Errorf("confirmed %v after two 429s with Retry-After: 1", d)
	}
	// A reply too slow for the ack (the admin's first command enrols them,
	// and Slack holds users.info) goes through the response_url, where a 429
	// is retried after Retry-After, off the worker.
	h.fake.FailNext("users.info", 1, fakeslack.Delayed(2*time.Second))
	h.fake.FailNext("response_url", 1, fakeslack.RateLimited(1))
	contains(t, "prompt after a 429 on response_url", h.slash(admin, "prompt"), "I've sent you a question")
	if n := h.fake.RateLimited429s("response_url"); n != 1 {
		t.Errorf("429s on response_url: got %d, want 1", n)
	}

	// A slow Slack, within the client's timeout: the call waits and the
	// confirmation comes late, once.
	h.drainSends()
	h.fake.FailNext("chat.postMessage", 1, fakeslack.Delayed(1500*time.Millisecond))
	start = time.Now()
	answer("after a slow post", "answer during a slow Slack")
	if d := time.Since(start); d < 1500*time.Millisecond {
		t.Errorf("confirmed %v into a 1.5s delay", d)
	}

	// A 500 on an on-demand prompt: the post is retried after looking for it
	// in the DM's history, and the question arrives exactly once.
	prompts := func() int {
		return h.count(func(m fakeslack.Message) bool { return m.Kind == "post" && strings.HasPrefix(m.Text, "Reflection") })
	}
	h.drainSends()
	before := prompts()
	h.fake.FailNext("chat.postMessage", 1, fakeslack.HTTPError(500))
	contains(t, "prompt after a 500", h.slash(alice, "prompt"), "I've sent you a question")
	h.drainSends()
	if n := prompts() - before; n != 1 {
		t.Errorf("questions posted for one request that met a 500: got %d, want 1", n)
	}
	if n := len(h.fake.CallsTo("conversations.history")); n == 0 {
		t.Error("the retry did not look for the first attempt in the DM's history")
	}

	// A 500 on users.info at enrolment: enrolled in UTC, welcomed once.
	h.fake.FailNext("users.info", 1, fakeslack.HTTPError(500))
	contains(t, "enrol after a 500", h.slash(carol, "start"), "Welcome")
	h.drainSends()
	if n := h.count(func(m fakeslack.Message) bool { return m.Kind == "post" && strings.HasSuffix(m.Channel, carol) }); n != 1 {
		t.Errorf("welcome DMs to carol: got %d, want 1", n)
	}

	// A 500 on the Home tab does not touch the answer or its confirmation.
	h.fake.FailNext("views.publish", 1, fakeslack.HTTPError(500))
	answer("after a 500 on views.publish", "answer while the Home tab fails")

	h.storedOnce(alice, answers...)
	if n := h.count(func(m fakeslack.Message) bool { return strings.HasPrefix(m.Text, "Saved to") }); n != len(answers) {
		t.Errorf("confirmations: got %d, want %d", n, len(answers))
	}

	t.Run("confirmation after a 500", func(t *testing.T) {
		h.fake.FailNext("chat.postMessage", 1, fakeslack.HTTPError(500))
		ts := h.sendDMNoWait(alice, "answer when the confirmation meets a 500")
		h.waitThreadReplies(ts)
		if n := len(h.threadReplies(ts)); n != 1 {
			t.Errorf("confirmations: got %d, want 1", n)
		}
	})
}

func TestFaultSocketDroppedMidBurst(t *testing.T) {
	h := newHarness(t)
	// A burst from one member posts its confirmations to one DM faster than
	// chat.postMessage's 1 a second per channel; this test is about the socket.
	h.fastDMs()
	h.prompt(alice)
	const n = 30
	type sent struct{ eventID, ts, text, env string }
	var burst []sent
	for i := range n {
		s := sent{eventID: fmt.Sprintf("EvDROP%02d", i), ts: h.fake.NewTS(), text: fmt.Sprintf("burst answer %02d", i)}
		env, err := h.fake.SendEvent(s.eventID, h.fake.DMEvent(alice, s.text, s.ts), 0)
		if err != nil {
			t.Fatal(err)
		}
		s.env = env
		burst = append(burst, s)
		if i == n/2 {
			h.fake.Drop() // the rest wait for the next connection
		}
	}
	if err := h.fake.WaitConnections(h.ctx, 2); err != nil {
		t.Fatalf("no reconnect after the drop: %v", err)
	}
	// What was sent after the drop waited for the new connection.
	for _, s := range burst[n/2+1:] {
		if _, err := h.fake.WaitAck(h.ctx, s.env); err != nil {
			t.Fatalf("%s: queued envelope never acked: %v", s.text, err)
		}
	}
	// Slack retries what was not acked: whatever the dropped socket lost.
	acked := map[string]bool{}
	for _, a := range h.fake.Acks() {
		acked[a.EnvelopeID] = true
	}
	lost := 0
	for _, s := range burst {
		if !acked[s.env] {
			lost++
			if _, err := h.fake.SendEvent(s.eventID, h.fake.DMEvent(alice, s.text, s.ts), 1); err != nil {
				t.Fatal(err)
			}
		}
	}
	// And then everything once more, as if every ack had been late: the app
	// must dedupe.
	for _, s := range burst {
		if _, err := h.fake.SendEvent(s.eventID, h.fake.DMEvent(alice, s.text, s.ts), 2); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d of %d envelopes lost with the dropped socket and retried; all %d retried once more", lost, n, n)
	// The member's events run in order on one worker: once the last one is
	// confirmed, every earlier one has been handled.
	_, reply := h.dm(alice, "after the burst")
	contains(t, "after the burst", reply.Text, "Saved to")

	want := []string{"after the burst"}
	for _, s := range burst {
		want = append(want, s.text)
		if rs := h.threadReplies(s.ts); len(rs) != 1 || !strings.HasPrefix(rs[0].Text, "Saved to") {
			t.Errorf("%s: replies %+v, want one confirmation", s.text, rs)
		}
	}
	h.storedOnce(alice, want...)
}

// weekRE finds the week number in a confirmation.
var weekRE = regexp.MustCompile(`\(week (\d+)\)`)

// sendWeekly does what the scheduler's queue does for the weekly prompt of
// the week it is now for alice: queue it under its key, claim it, post it
// and record the post. It reports whether a prompt was posted. It then
// replays the post as a sender that crashed before recording it would, and
// checks that nothing more is posted.
func (h *harness) sendWeekly(week ladder.Week) bool {
	h.t.Helper()
	// It plays the only sender: the harness's queue would take over its
	// claim when the clock jumps past the lease.
	h.stopSends()
	defer h.startSends()
	h.t.Helper()
	now := h.clock.Now()
	it := store.OutboxItem{
		Key: fmt.Sprintf("prompt:%s:%s", alice, week), Kind: store.OutboxPrompt, Method: "chat.postMessage",
		UserID: alice, Period: week.String(), TZ: "Europe/Berlin", DueAt: now, Created: now,
	}
	if _, err := h.db.Enqueue(h.ctx, it); err != nil {
		h.t.Fatal(err)
	}
	posted := false
	for {
		claimed, ok, err := h.db.ClaimOutbox(h.ctx, store.Claim{Method: "chat.postMessage", Now: h.clock.Now(), Lease: time.Minute, Token: "fault-test"})
		if err != nil {
			h.t.Fatal(err)
		}
		if !ok {
			break
		}
		before := len(h.fake.Messages())
		ch, ts, err := h.app.PostOutbox(h.ctx, claimed)
		// As the send queue does, wait out a 429 (chat.postMessage allows
		// one post a second in alice's DM) and try again.
		for se := (*ladder.Error)(nil); errors.As(err, &se) && se.Code == ladder.ERateLimited; {
			time.Sleep(se.RetryAfter)
			ch, ts, err = h.app.PostOutbox(h.ctx, claimed)
		}
		if err != nil {
			h.t.Fatalf("post %s at %v: %v", claimed.Key, now, err)
		}
		posted = posted || len(h.fake.Messages()) > before
		if err := h.db.CompleteOutbox(h.ctx, claimed, ch, ts, h.clock.Now()); err != nil {
			h.t.Fatal(err)
		}
	}
	// A replay of the same week's row posts nothing: the week's prompt is
	// recorded, with its message.
	before := len(h.fake.Messages())
	replay := it
	replay.Key += ":replay"
	if _, _, err := h.app.PostOutbox(h.ctx, replay); err != nil {
		h.t.Fatalf("replay %s: %v", replay.Key, err)
	}
	if n := len(h.fake.Messages()) - before; n != 0 {
		h.t.Errorf("a replayed weekly prompt for %s posted %d messages", week, n)
	}
	return posted
}

func TestFaultClockJumps(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start") // enrolls alice, in Berlin
	contains(t, "manager", h.slash(alice, "manager <@"+bob+">"), "Waiting for <@"+bob+"> to accept")
	h.answerManager(alice, bob, true)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	newYork, _ := time.LoadLocation("America/New_York")
	weeks := map[ladder.Week]bool{}
	months := map[string]bool{}
	var answers []string
	step := func(jump time.Duration) {
		t.Helper()
		h.clock.Add(jump)
		now := h.clock.Now()
		week := ladder.WeekOf(now.In(berlin))
		if got, want := h.sendWeekly(week), !weeks[week]; got != want {
			t.Errorf("at %v (%s): weekly prompt posted=%v, want %v", now, week, got, want)
		}
		weeks[week] = true

		text := fmt.Sprintf("answer %d at %s", len(answers), now.Format(time.RFC3339))
		_, reply := h.dm(alice, text)
		answers = append(answers, text)
		if m := weekRE.FindStringSubmatch(reply.Text); m == nil || m[1] != fmt.Sprint(week.Week) {
			t.Errorf("at %v: confirmation %q, want week %d", now, reply.Text, week.Week)
		}
		gaps := h.slash(alice, "gaps")
		contains(t, "gaps at "+now.String(), gaps, "Readiness for", "of 5 areas on track")
		if regexp.MustCompile(`\B-\d|NaN|\bInf\b`).MatchString(gaps) { // not "8-15 engineers", not "Influences"
			t.Errorf("at %v: gaps shows a negative or undefined number:\n%s", now, gaps)
		}

		month := now.In(newYork).Format("2006-01")
		reply2 := h.digestSend()
		want := "1 queued"
		if months[month] {
			want = "0 queued; they go out in a moment, after any confirmations waiting. 1 had already gone out"
		}
		contains(t, "digest at "+now.String(), reply2, want)
		months[month] = true
	}
	week := 7 * 24 * time.Hour
	for _, jump := range []time.Duration{
		0,                       // Monday 23 November 2026, week 48
		3 * week,                // forwards three weeks, into December
		-5 * week,               // back past the first answer, into week 46
		2 * week,                // back into week 48: its prompt went out already
		-time.Hour,              // a small step back within the week
		5*week + 3*24*time.Hour, // Thursday 31 December 2026: ISO week 53
		24 * time.Hour,          // Friday 1 January 2027, still week 53 of 2026
		-400 * 24 * time.Hour,   // more than a year back
		10 * 365 * 24 * time.Hour,
	} {
		step(jump)
	}

	t.Logf("%d answers, weekly prompts in %d weeks, digests in %d months", len(answers), len(weeks), len(months))
	h.storedOnce(alice, answers...)
	posts := func(user, prefix string) int {
		return h.count(func(m fakeslack.Message) bool {
			return m.Kind == "post" && strings.HasSuffix(m.Channel, user) && strings.HasPrefix(m.Text, prefix)
		})
	}
	if n := posts(alice, "Weekly reflection"); n != len(weeks) {
		t.Errorf("weekly prompts posted: got %d, want one for each of the %d weeks visited", n, len(weeks))
	}
	if n := h.count(func(m fakeslack.Message) bool { return strings.HasPrefix(m.Text, "Saved to") }); n != len(answers) {
		t.Errorf("confirmations: got %d, want %d", n, len(answers))
	}
	if n := posts(bob, "*Monthly digest"); n != len(months) {
		t.Errorf("digests to bob: got %d, want one for each of the %d months visited", n, len(months))
	}
}
