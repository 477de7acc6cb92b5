package schedule_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/schedule"
	"github.com/ladderapp/ladder/internal/store"
)

// monday is when the tests' members are due: Monday 09:30 UTC, week 47.
var monday = time.Date(2026, 11, 16, 9, 30, 0, 0, time.UTC)

// enrollMany enrolls n members due at monday and returns their ids.
func (e *env) enrollMany(n int) []string {
	var ids []string
	for i := range n {
		id := fmt.Sprintf("U%04d", i)
		e.enroll(id, "UTC", slotAt(time.Monday, 9, 30))
		ids = append(ids, id)
	}
	return ids
}

// drain advances the clock by step and flushes until the outbox has nothing
// pending or sending, at most rounds times.
func (e *env) drain(step time.Duration, rounds int) {
	e.t.Helper()
	for range rounds {
		counts, err := e.db.OutboxCounts(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if counts[store.OutboxPending]+counts[store.OutboxSending] == 0 {
			return
		}
		e.clock.Add(step)
		e.sched.Flush(e.ctx)
	}
	counts, _ := e.db.OutboxCounts(e.ctx)
	e.t.Fatalf("outbox not drained after %d rounds: %v", rounds, counts)
}

// slackHook wraps the app to interfere with posts.
type slackHook struct {
	schedule.Poster
	post func(ctx context.Context, it store.OutboxItem) (string, string, error)
}

func (h slackHook) PostOutbox(ctx context.Context, it store.OutboxItem) (string, string, error) {
	return h.post(ctx, it)
}

var _ schedule.Poster = slackHook{}

// TestRestartAfterPartOfAFanOut stops the running scheduler after 15 of 40
// sends, reopens the same database with a new scheduler, and finishes: every
// member gets exactly one prompt.
func TestRestartAfterPartOfAFanOut(t *testing.T) {
	e := newEnv(t, monday, schedule.Config{Workers: 4})
	ids := e.enrollMany(40)
	fifteen := make(chan struct{})
	var (
		mu    sync.Mutex
		posts int
	)
	e.wrap = func(sl schedule.Poster) schedule.Poster {
		return slackHook{sl, func(ctx context.Context, it store.OutboxItem) (string, string, error) {
			ch, ts, err := sl.PostOutbox(ctx, it)
			mu.Lock()
			if posts++; posts == 15 {
				close(fifteen)
			}
			mu.Unlock()
			return ch, ts, err
		}}
	}
	e.restart()
	if err := e.sched.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	<-fifteen
	if err := e.sched.Stop(e.ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(e.slack.Messages()); n < 15 || n == 40 {
		t.Fatalf("%d posts before the stop; want 15 or a few more, not all", n)
	}

	e.wrap = nil
	e.restart()
	e.clock.Add(5 * time.Minute)
	e.tick(e.clock.Now())
	e.drain(time.Minute, 10)
	e.onePerChannel(ids, weeklyText)
}

// TestCrashWithRowsInSending leaves rows claimed by a process that died: some
// had been posted, some not. A new process looks each up in the DM's history
// before posting, so none goes out twice and none is lost.
func TestCrashWithRowsInSending(t *testing.T) {
	e := newEnv(t, monday, schedule.Config{})
	ids := e.enrollMany(20)
	if err := e.sched.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	// The dead process claimed 8 rows and posted 4 of them.
	for i := range 8 {
		it, ok, err := e.db.ClaimOutbox(e.ctx, store.Claim{Method: "chat.postMessage", Now: monday, Lease: 2 * time.Minute, Token: fmt.Sprintf("dead-%d", i)})
		if err != nil || !ok {
			t.Fatalf("claim %d: %v, %v", i, ok, err)
		}
		if i < 4 {
			if _, _, err := e.app.PostOutbox(e.ctx, it); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.restart()
	e.clock.Add(time.Minute)
	e.sched.Flush(e.ctx)
	if got := e.sched.Stats().Sent; got != 12 {
		t.Errorf("sent %d while the dead claims held; want the 12 unclaimed", got)
	}
	e.clock.Add(2 * time.Minute) // the dead claims' leases end
	e.drain(10*time.Second, 30)
	e.onePerChannel(ids, weeklyText)
	if st := e.sched.Stats(); st.Reconciled != 4 || st.Sent != 16 {
		t.Errorf("stats %+v; want 4 found already posted and 16 posted", st)
	}
	for _, id := range ids {
		p, err := e.db.WeeklyPrompt(e.ctx, id, ladder.WeekOf(monday))
		if err != nil || p.TS == "" {
			t.Errorf("%s's prompt = %+v, %v; want it recorded with its message", id, p, err)
		}
	}
}

// TestRateLimitStorm sends 30 prompts into a Slack that allows 5 posts a
// second and answers some with 429s: the queue pauses chat.postMessage for
// each Retry-After, makes no call during a pause, and delivers every prompt
// exactly once.
func TestRateLimitStorm(t *testing.T) {
	e := newEnv(t, monday, schedule.Config{
		Budgets: map[string]schedule.Budget{"chat.postMessage": {PerSecond: 10, Burst: 10}},
	})
	ids := e.enrollMany(30)
	e.slack.Limit("chat.postMessage", 5)
	e.slack.FailNext("chat.postMessage", 1, fakeslack.RateLimited(3))
	posts := func() int { return len(e.slack.CallsTo("chat.postMessage")) }

	e.tick(monday)
	if e.sched.Stats().RateLimited == 0 {
		t.Fatal("no 429 seen")
	}
	before := posts()
	for _, d := range []time.Duration{time.Second, 2 * time.Second, 2999 * time.Millisecond} {
		e.clock.Set(monday.Add(d))
		e.sched.Flush(e.ctx)
		if n := posts(); n != before {
			t.Fatalf("%d chat.postMessage calls %s into a 3s Retry-After", n-before, d)
		}
	}

	// Halfway, another 429 with a longer Retry-After.
	storm := false
	for range 60 {
		e.clock.Add(time.Second)
		if !storm && len(e.slack.Messages()) >= 15 {
			storm = true
			e.slack.FailNext("chat.postMessage", 2, fakeslack.RateLimited(5))
			e.sched.Flush(e.ctx)
			paused := posts()
			for range 4 {
				e.clock.Add(time.Second)
				e.sched.Flush(e.ctx)
			}
			if n := posts(); n != paused {
				t.Fatalf("%d chat.postMessage calls within a 5s Retry-After", n-paused)
			}
			continue
		}
		e.sched.Flush(e.ctx)
		counts, _ := e.db.OutboxCounts(e.ctx)
		if counts[store.OutboxSent] == 30 {
			break
		}
	}
	e.onePerChannel(ids, weeklyText)
	limited := 0
	for _, c := range e.slack.CallsTo("chat.postMessage") {
		if c.Status == 429 {
			limited++
		}
	}
	if st := e.sched.Stats(); st.Sent != 30 || st.RateLimited != int64(limited) || limited < 3 {
		t.Errorf("stats %+v with %d 429s from Slack; want 30 sent and every 429 counted", st, limited)
	}
}

// TestPausesForRetryAfterInRealTime runs the workers on a clock that runs in
// real time: after a 429 with Retry-After 1, the next post comes a second
// later.
func TestPausesForRetryAfterInRealTime(t *testing.T) {
	e := newRunningEnv(t, midweek, schedule.Config{Workers: 1})
	tz, slot := dueAt(midweek)
	for i := range 3 {
		e.enroll(fmt.Sprintf("U%d", i), tz, slot)
	}
	e.slack.FailNext("chat.postMessage", 1, fakeslack.RateLimited(1))
	if err := e.sched.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
	defer cancel()
	_, err := e.slack.WaitMessages(ctx, 3)
	if serr := e.sched.Stop(e.ctx); serr != nil {
		t.Error(serr)
	}
	if err != nil {
		t.Fatal(err)
	}
	calls := e.slack.CallsTo("chat.postMessage")
	if len(calls) != 4 || calls[0].Status != 429 {
		t.Fatalf("calls %+v; want a 429, then 3 posts", calls)
	}
	for _, c := range calls[1:] {
		if gap := c.At.Sub(calls[0].At); gap < time.Second {
			t.Errorf("a post %s after the 429; want none within its 1s Retry-After", gap)
		}
	}
}

// TestLostAnswers covers sends whose outcome the app never learns: a
// timeout after Slack posted (found in the history, not posted again) and a
// 500 before it did (posted on the retry).
func TestLostAnswers(t *testing.T) {
	for _, tc := range []struct {
		name       string
		failure    fakeslack.Failure
		reconciled int64
	}{
		{"timeout after the post", fakeslack.Delayed(5 * time.Second), 1},
		{"server error", fakeslack.HTTPError(500), 0},
		{"internal_error", fakeslack.SlackError("internal_error"), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, monday, schedule.Config{SendTimeout: 200 * time.Millisecond})
			ids := e.enrollMany(1)
			e.slack.FailNext("chat.postMessage", 1, tc.failure)
			e.tick(monday)
			if st := e.sched.Stats(); st.Retried != 1 || st.Sent != 0 {
				t.Fatalf("stats after the failure %+v; want one retry pending", st)
			}
			if tc.reconciled > 0 {
				// The fake posts once the client has given up.
				ctx, cancel := context.WithTimeout(e.ctx, 5*time.Second)
				defer cancel()
				if _, err := e.slack.WaitMessages(ctx, 1); err != nil {
					t.Fatal(err)
				}
			}
			e.drain(10*time.Second, 10)
			e.onePerChannel(ids, weeklyText)
			if st := e.sched.Stats(); st.Reconciled != tc.reconciled || st.Sent != 1-tc.reconciled {
				t.Errorf("stats %+v; want %d found in the history", st, tc.reconciled)
			}
			if n := len(e.slack.CallsTo("conversations.history")); n != 1 {
				t.Errorf("%d history lookups; want 1 before the retry", n)
			}
		})
	}
}

// TestPermanentErrorIsNotRetried fails a send Slack refuses for good.
func TestPermanentErrorIsNotRetried(t *testing.T) {
	e := newEnv(t, monday, schedule.Config{})
	e.enrollMany(1)
	e.slack.FailNext("chat.postMessage", 1, fakeslack.SlackError("user_not_found"))
	e.tick(monday)
	for range 5 {
		e.clock.Add(time.Hour)
		e.tick(e.clock.Now())
	}
	if n := len(e.slack.CallsTo("chat.postMessage")); n != 1 {
		t.Errorf("%d calls; want 1, never retried", n)
	}
	its, err := e.db.Outbox(e.ctx, store.OutboxPrompt)
	if err != nil || len(its) != 1 || its[0].State != store.OutboxFailed || its[0].LastError == "" {
		t.Fatalf("outbox = %+v, %v; want one failed row with its reason", its, err)
	}
	if st := e.sched.Stats(); st.Failed != 1 {
		t.Errorf("stats %+v; want 1 failed", st)
	}
}

// TestQueueReadsErrorCodes fails the first post of a prompt with each kind
// of *ladder.Error and checks what the queue made of the row, then lets the
// next attempt through: a 429 pauses and retries without counting the
// attempt, a refusal fails the row, a row no longer due is dropped, and a
// transient failure is retried after the backoff, looked for in the DM first
// only when it may have gone out.
func TestQueueReadsErrorCodes(t *testing.T) {
	const backoff = 10 * time.Second
	cause := errors.New("boom")
	for _, tc := range []struct {
		name    string
		err     error
		state   store.OutboxState // the row after the failure
		unsure  bool
		counted bool          // the failed attempt counts against MaxAttempts
		due     time.Duration // when the row is due again, after monday
		lookups int           // conversations.history calls before the retry's post
	}{
		{"rate limited", &ladder.Error{Code: ladder.ERateLimited, Op: "chat.postMessage", RetryAfter: 3 * time.Second, Err: cause},
			store.OutboxPending, false, false, 3 * time.Second, 0},
		{"permanent", &ladder.Error{Code: ladder.EPermanent, Op: "chat.postMessage", Err: cause},
			store.OutboxFailed, false, true, 0, 0},
		{"wrapped permanent", fmt.Errorf("render: %w", &ladder.Error{Code: ladder.EPermanent, Err: cause}),
			store.OutboxFailed, false, true, 0, 0},
		{"not due", &ladder.Error{Code: ladder.ENotDue, Err: cause},
			store.OutboxDropped, false, true, 0, 0},
		{"transient, not sent", &ladder.Error{Code: ladder.ETransient, Op: "chat.postMessage", Err: cause},
			store.OutboxPending, false, true, backoff, 0},
		{"transient, maybe sent", &ladder.Error{Code: ladder.ETransient, Op: "chat.postMessage", MaySent: true, Err: cause},
			store.OutboxPending, true, true, backoff, 1},
		{"no code", cause, store.OutboxPending, true, true, backoff, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, monday, schedule.Config{Backoff: backoff})
			var (
				mu    sync.Mutex
				calls int
			)
			attempted := func() int {
				mu.Lock()
				defer mu.Unlock()
				return calls
			}
			e.wrap = func(sl schedule.Poster) schedule.Poster {
				return slackHook{sl, func(ctx context.Context, it store.OutboxItem) (string, string, error) {
					mu.Lock()
					calls++
					first := calls == 1
					mu.Unlock()
					if first {
						return "", "", tc.err
					}
					return sl.PostOutbox(ctx, it)
				}}
			}
			e.open()
			ids := e.enrollMany(1)
			e.tick(monday)

			its, err := e.db.Outbox(e.ctx, store.OutboxPrompt)
			if err != nil || len(its) != 1 {
				t.Fatalf("outbox = %+v, %v; want one row", its, err)
			}
			it := its[0]
			attempts := 0
			if tc.counted {
				attempts = 1
			}
			if it.State != tc.state || it.Unsure != tc.unsure || it.Attempts != attempts || it.LastError == "" {
				t.Fatalf("row = %s, unsure %t, %d attempts, last error %q; want %s, unsure %t, %d attempts, with its reason",
					it.State, it.Unsure, it.Attempts, it.LastError, tc.state, tc.unsure, attempts)
			}
			if tc.state != store.OutboxPending {
				e.clock.Add(time.Hour)
				e.sched.Flush(e.ctx)
				if n := attempted(); n != 1 || len(e.slack.Messages()) != 0 {
					t.Errorf("%d attempts, %d messages; want the row left alone", n, len(e.slack.Messages()))
				}
				return
			}
			// Not before it is due again: for a 429, chat.postMessage rests.
			// The backoff adds up to a fifth, to spread retries out.
			if lo, hi := monday.Add(tc.due), monday.Add(tc.due+tc.due/5+time.Millisecond); it.DueAt.Before(lo) || it.DueAt.After(hi) {
				t.Errorf("due again at %s; want %s after the failure", it.DueAt.Sub(monday), tc.due)
			}
			e.clock.Set(monday.Add(tc.due - time.Millisecond))
			e.sched.Flush(e.ctx)
			if n := attempted(); n != 1 {
				t.Fatalf("%d attempts before the row was due again; want 1", n)
			}
			e.clock.Set(it.DueAt)
			e.sched.Flush(e.ctx)
			e.onePerChannel(ids, weeklyText)
			if n := len(e.slack.CallsTo("conversations.history")); n != tc.lookups {
				t.Errorf("%d history lookups before the retry; want %d", n, tc.lookups)
			}
		})
	}
}
