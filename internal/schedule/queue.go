package schedule

import (
	"cmp"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// Stats counts what the send queue did since the scheduler was made.
type Stats struct {
	Sent        int64 // posted and recorded
	Reconciled  int64 // found already posted by an earlier attempt, and recorded
	RateLimited int64 // 429s
	Retried     int64 // other failures that will be tried again
	Failed      int64 // given up: a permanent error, or attempts ran out
	Dropped     int64 // no longer due: expired, paused, answered, skipped, already sent
}

// queue sends the outbox. Each worker takes a token from chat.postMessage's
// budget, then claims one due row, posts it and records the outcome; it never
// holds a claimed row while it waits.
type queue struct {
	log   *slog.Logger
	db    *store.DB
	slack Poster
	now   func() time.Time
	lim   *limiter
	pace  *pacer
	// shared, when Config.SharedPace is set, stands in for lim and pace
	// where the queue posts: the pace all replicas share (shared.go).
	shared *sharedPace
	cfg    Config
	owner  string
	seq    atomic.Int64

	// claimMu makes a claim and its entry in sending one step, so that no
	// other worker claims between the two.
	claimMu sync.Mutex
	// sending holds the rows this process's workers are sending, by id, with
	// their recipients. Their leases are not taken over, however far the wall
	// clock jumps: while a worker holds a row it is alive, and it records the
	// outcome.
	sending map[int64]string
	// nextPost is, per recipient, when their DM may take the next post:
	// Slack allows about one a second in a channel.
	nextPost map[string]gap

	sent, reconciled, rateLimited, retried, failed, dropped atomic.Int64

	// revoked, if set, is told when Slack refuses the token.
	revoked func(context.Context)
	// halted is set while the app is uninstalled: no row is claimed.
	halted atomic.Bool

	wakeMu sync.Mutex
	wakeCh chan struct{}
	hint   time.Time // Flush need not look before it; zero after a wake
}

func newQueue(log *slog.Logger, db *store.DB, sl Poster, now func() time.Time, cfg Config) *queue {
	var b [6]byte
	_, _ = crand.Read(b[:])
	q := &queue{
		log: log, db: db, slack: sl, now: now, cfg: cfg,
		lim:      newLimiter(cfg.Budgets),
		pace:     newPacer(cfg.Budgets[postMethod].PerSecond, cfg.PostRate),
		owner:    hex.EncodeToString(b[:]),
		wakeCh:   make(chan struct{}),
		sending:  map[int64]string{},
		nextPost: map[string]gap{},
	}
	if cfg.SharedPace {
		q.shared = newSharedPace(db, cfg.Budgets, cfg.PostRate)
	}
	return q
}

func (q *queue) stats() Stats {
	return Stats{
		Sent: q.sent.Load(), Reconciled: q.reconciled.Load(), RateLimited: q.rateLimited.Load(),
		Retried: q.retried.Load(), Failed: q.failed.Load(), Dropped: q.dropped.Load(),
	}
}

// wake tells idle workers that rows may be due.
func (q *queue) wake() {
	q.wakeMu.Lock()
	close(q.wakeCh)
	q.wakeCh = make(chan struct{})
	q.hint = time.Time{}
	q.wakeMu.Unlock()
	if q.shared != nil {
		q.shared.woken()
	}
}

func (q *queue) flushHint() time.Time {
	q.wakeMu.Lock()
	defer q.wakeMu.Unlock()
	return q.hint
}

func (q *queue) setFlushHint(t time.Time) {
	q.wakeMu.Lock()
	q.hint = t
	q.wakeMu.Unlock()
}

func (q *queue) woken() <-chan struct{} {
	q.wakeMu.Lock()
	defer q.wakeMu.Unlock()
	return q.wakeCh
}

// token is a claim token unique to this process and claim, so that a worker
// whose lease ran out cannot finish a row another worker has since claimed.
func (q *queue) token() string {
	return q.owner + "-" + strconv.FormatInt(q.seq.Add(1), 10)
}

// maxIdle bounds how long an idle worker sleeps before it looks again: rows
// queued by another process do not wake it.
const maxIdle = time.Minute

// work sends due rows until stop closes or ctx ends. With block false it
// returns as soon as nothing more can be sent now, without waiting for time
// to pass: that is Flush.
func (q *queue) work(ctx context.Context, stop <-chan struct{}, block bool) {
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		default:
		}
		woken := q.woken()
		if q.halted.Load() {
			// Uninstalled: wait for the tick that finds it installed again.
			if !block || !sleep(ctx, stop, woken, time.Minute) {
				return
			}
			continue
		}
		now := q.now()
		bulkWait, wait, err := q.takePost(ctx, now)
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil:
			q.log.Error("take a chat.postMessage token", "err", err)
			if !block || !sleep(ctx, stop, nil, time.Second) {
				return
			}
			continue
		case wait > 0:
			if !block || !sleep(ctx, stop, woken, min(wait, bulkWait)) {
				return
			}
			continue
		}
		interactiveOnly := bulkWait > 0
		it, ok, err := q.claim(ctx, now, interactiveOnly)
		if err != nil || !ok {
			q.giveBack(ctx, err == nil && !ok && interactiveOnly)
		}
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil:
			q.log.Error("claim outbox", "err", err)
			if !block || !sleep(ctx, stop, nil, time.Second) {
				return
			}
		case !ok && interactiveOnly:
			// Bulk rows may be due: they wait for the rate.
			if !block || !sleep(ctx, stop, woken, bulkWait) {
				return
			}
		case !ok:
			if !block || !sleep(ctx, stop, woken, q.idle(ctx, now)) {
				return
			}
		default:
			q.process(ctx, it)
			q.release(it.ID)
		}
	}
}

// takePost takes a chat.postMessage token for a worker at now: for any
// row, if the bucket holds more than the interactive lane's reserve, and then
// bulkWait is 0; or else for an interactive row only. A bulk send leaves a
// token in the bucket for a person waiting; when only that one is left, only
// the interactive lane may use it. wait, if not 0, is how long until even an
// interactive row may go, and nothing was taken.
func (q *queue) takePost(ctx context.Context, now time.Time) (bulkWait, wait time.Duration, err error) {
	if q.shared != nil {
		return q.shared.takePost(ctx, now)
	}
	if bulkWait = q.lim.take(postMethod, now, bulkReserve); bulkWait > 0 {
		wait = q.lim.take(postMethod, now, 0)
	}
	return bulkWait, wait, nil
}

// giveBack returns a chat.postMessage token taken for a post not made. With
// held, only an interactive row could have had it and there was none: the
// bulk rows that are due wait for the rate.
func (q *queue) giveBack(ctx context.Context, held bool) {
	if q.shared != nil {
		bctx, cancel := bookkeeping(ctx)
		defer cancel()
		if err := q.shared.giveBack(bctx, q.now(), held); err != nil {
			q.log.Error("give back a chat.postMessage token", "err", err)
		}
		return
	}
	q.lim.refund(postMethod)
	if held {
		q.pace.held()
	}
}

// take takes a token of method's budget at now, or returns how long until
// there is one.
func (q *queue) take(ctx context.Context, method string, now time.Time) (time.Duration, error) {
	if q.shared != nil {
		return q.shared.take(ctx, method, now)
	}
	return q.lim.take(method, now, 0), nil
}

// accepted records that Slack accepted a post: the pace may rise.
func (q *queue) accepted(ctx context.Context) {
	if q.shared != nil {
		bctx, cancel := bookkeeping(ctx)
		defer cancel()
		if err := q.shared.sent(bctx, q.now()); err != nil {
			q.log.Error("record the pace after a post", "err", err)
		}
		return
	}
	q.lim.setRate(postMethod, q.now(), q.pace.sent(q.now()))
}

// limited records a 429 from method at now: the method pauses until until,
// and chat.postMessage's pace falls.
func (q *queue) limited(ctx context.Context, method string, now, until time.Time) {
	if q.shared != nil {
		bctx, cancel := bookkeeping(ctx)
		defer cancel()
		if err := q.shared.limited(bctx, method, now, until); err != nil {
			q.log.Error("share a 429's pause", "method", method, "err", err)
		}
		return
	}
	q.lim.pause(method, now, until)
	if method == postMethod {
		q.lim.setRate(method, now, q.pace.limited(now))
	}
}

// gap is the time after a post to a DM in which the next one waits: from a
// time on the queue's clock and on the real one. It is over when either has
// moved on by the gap: Slack counts in real time, and a test's clock may
// stand still or jump. A clock set back also ends it.
type gap struct{ clock, real time.Time }

func (g gap) open(now, real time.Time, d time.Duration) bool {
	return !now.Before(g.clock) && now.Sub(g.clock) < d && real.Sub(g.real) < d
}

// bulkReserve is how many tokens of chat.postMessage's bucket a bulk send
// leaves for the interactive lane.
const bulkReserve = 1

// claim claims the next due row, leaving alone the rows this process is
// still sending and the recipients whose DM is busy, and adds it to them.
func (q *queue) claim(ctx context.Context, now time.Time, interactiveOnly bool) (store.OutboxItem, bool, error) {
	q.claimMu.Lock()
	defer q.claimMu.Unlock()
	var skip []string
	for _, user := range q.sending {
		skip = append(skip, user)
	}
	// The time now, not when the worker began this round: a post released
	// since then must not look a gap away.
	at, real := q.now(), time.Now()
	for user, g := range q.nextPost {
		if g.open(at, real, q.cfg.ChannelGap) {
			skip = append(skip, user)
		} else {
			delete(q.nextPost, user)
		}
	}
	it, ok, err := q.db.ClaimOutbox(ctx, store.Claim{
		Method: postMethod, Now: now, Lease: q.cfg.lease(), Token: q.token(),
		Busy: q.busyLocked(), Skip: skip, InteractiveOnly: interactiveOnly,
	})
	if ok && err == nil {
		q.sending[it.ID] = it.UserID
	}
	return it, ok, err
}

// busy returns the ids of the rows this process is sending.
func (q *queue) busy() []int64 {
	q.claimMu.Lock()
	defer q.claimMu.Unlock()
	return q.busyLocked()
}

func (q *queue) busyLocked() []int64 {
	ids := make([]int64, 0, len(q.sending))
	for id := range q.sending {
		ids = append(ids, id)
	}
	return ids
}

// release ends this process's hold on a row it has dealt with, and keeps
// its recipient's DM free of posts for a second. If the outcome could not be
// recorded, the row's lease now decides when it is taken over.
func (q *queue) release(id int64) {
	q.claimMu.Lock()
	if user, ok := q.sending[id]; ok {
		q.nextPost[user] = gap{clock: q.now(), real: time.Now()}
	}
	delete(q.sending, id)
	q.claimMu.Unlock()
}

// idle returns how long to sleep when nothing is due: until the next row is.
func (q *queue) idle(ctx context.Context, now time.Time) time.Duration {
	next, ok, err := q.db.NextOutboxDue(ctx, postMethod, q.busy()...)
	if err != nil || !ok {
		return maxIdle
	}
	return min(max(next.Sub(now), 10*time.Millisecond), maxIdle)
}

// sleep waits for d, or until woken closes; it returns false if stop closed
// or ctx ended first.
func sleep(ctx context.Context, stop <-chan struct{}, woken <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-woken:
		return true
	case <-stop:
		return false
	case <-ctx.Done():
		return false
	}
}

// process sends one claimed row and records the outcome. A row that an
// earlier attempt may have posted is first looked for in Slack.
func (q *queue) process(ctx context.Context, it store.OutboxItem) {
	// A row settled without a post gives back the token taken for it.
	if it.Unsure {
		if done := q.reconcile(ctx, it); done {
			q.giveBack(ctx, false)
			return
		}
	}
	if !it.ExpiresAt.IsZero() && q.now().After(it.ExpiresAt) {
		q.giveBack(ctx, false)
		q.finish(ctx, it, store.OutboxDropped, "expired: too late to send")
		return
	}
	if why, err := q.stillDue(ctx, it); err != nil || why != "" {
		q.giveBack(ctx, false)
		if err != nil {
			q.retried.Add(1)
			q.retry(ctx, it, q.now().Add(q.backoff(it.Attempts)), it.Unsure, true, "reading whether it is still due: "+err.Error())
		} else {
			q.finish(ctx, it, store.OutboxDropped, "no longer due: "+why)
		}
		return
	}
	if q.holdIfAway(ctx, it) {
		q.giveBack(ctx, false)
		return
	}
	// Another process may have taken the row over while this one looked in
	// Slack: its clock said the lease was over. Then it is that one's to post.
	if held, err := q.db.OutboxHeld(ctx, it); err != nil || !held {
		q.giveBack(ctx, false)
		if err != nil {
			// Not posted; when the lease ends the row is taken over.
			q.log.Error("check a claim before posting", "key", it.Key, "err", err)
		} else {
			q.log.Info("another sender took the row over; not posting it", "key", it.Key)
		}
		return
	}
	sctx, cancel := context.WithTimeout(ctx, q.cfg.SendTimeout)
	ch, ts, err := q.slack.PostOutbox(sctx, it)
	cancel()
	if err == nil {
		q.accepted(ctx)
		q.complete(ctx, it, ch, ts, &q.sent)
		return
	}
	q.failure(ctx, it, err)
}

// reconcile settles an unsure row: if the message is in the DM, the row is
// recorded as sent; if not, it may be posted (reconcile returns false). It
// returns true when it has dealt with the row.
func (q *queue) reconcile(ctx context.Context, it store.OutboxItem) bool {
	now := q.now()
	// A lookup calls conversations.open, then .history or, for a reply in a
	// thread, .replies: it waits for the budgets and pauses of all three.
	for _, m := range []string{"conversations.open", "conversations.history", "conversations.replies"} {
		wait, err := q.take(ctx, m, now)
		if err != nil {
			q.log.Error("take a token", "method", m, "err", err)
			q.retry(ctx, it, now.Add(time.Second), false, false, "reading the "+m+" budget: "+err.Error())
			return true
		}
		if wait > 0 {
			q.retry(ctx, it, now.Add(wait), false, false, "waiting for the "+m+" budget")
			return true
		}
	}
	sctx, cancel := context.WithTimeout(ctx, q.cfg.SendTimeout)
	ch, ts, found, err := q.slack.FindPosted(sctx, it)
	cancel()
	switch {
	case err != nil:
		q.failure(ctx, it, err)
		return true
	case found:
		q.log.Info("an earlier attempt had posted it; recorded, not posted again", "key", it.Key)
		q.complete(ctx, it, ch, ts, &q.reconciled)
		return true
	}
	return false
}

// failure records a failed call: a 429 pauses its method and retries the row
// when the pause ends; a permanent error fails the row; anything else is
// retried with exponential backoff, up to MaxAttempts.
func (q *queue) failure(ctx context.Context, it store.OutboxItem, err error) {
	now := q.now()
	e := failureOf(err)
	method := cmp.Or(e.Op, postMethod)
	switch {
	case e.Code == ladder.ENotDue:
		q.finish(ctx, it, store.OutboxDropped, err.Error())
	case e.Code == ladder.ERateLimited:
		q.rateLimited.Add(1)
		until := now.Add(e.RetryAfter)
		q.limited(ctx, method, now, until)
		q.log.Info("rate limited by Slack; pausing the method", "method", method, "retry_after", e.RetryAfter)
		q.retry(ctx, it, until, false, false, "ratelimited")
	case e.Code == ladder.EPermanent:
		q.finish(ctx, it, store.OutboxFailed, err.Error())
	case e.Code == ladder.ERevoked:
		// Nothing was sent, and nothing can be: the row waits, uncounted,
		// for the app to be installed again.
		q.retry(ctx, it, now, false, false, "token revoked")
		if q.revoked != nil {
			q.revoked(ctx)
		}
	case it.Attempts >= q.cfg.MaxAttempts:
		q.finish(ctx, it, store.OutboxFailed, "gave up after "+strconv.Itoa(it.Attempts)+" attempts: "+err.Error())
	default:
		q.retried.Add(1)
		q.log.Warn("send failed; will retry", "key", it.Key, "attempt", it.Attempts, "maybe_sent", e.MaySent, "err", err)
		q.retry(ctx, it, now.Add(q.backoff(it.Attempts)), e.MaySent, true, err.Error())
	}
}

// failureOf returns the *ladder.Error in err's chain. An error that carries
// none says nothing about what happened, so it is taken to be transient, and
// the message to have maybe gone out: the next attempt looks before it posts.
func failureOf(err error) *ladder.Error {
	var e *ladder.Error
	if errors.As(err, &e) {
		return e
	}
	return &ladder.Error{Code: ladder.ETransient, MaySent: true, Err: err}
}

// backoff is the wait before attempt n+1: 5s, 10s, 20s… up to 10 minutes,
// plus up to a fifth more so that failures spread out.
func (q *queue) backoff(n int) time.Duration {
	d := q.cfg.Backoff
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	return d + rand.N(d/5+1)
}

const maxBackoff = 10 * time.Minute

// The outcome is recorded even when ctx has ended (a shutdown in the middle
// of a send), so that the next start knows what happened.
func bookkeeping(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
}

func (q *queue) complete(ctx context.Context, it store.OutboxItem, ch, ts string, counter *atomic.Int64) {
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	if err := q.db.CompleteOutbox(bctx, it, ch, ts, q.now()); err != nil {
		// The row stays sending; when its lease ends it is found in Slack.
		q.log.Error("record a send", "key", it.Key, "err", err)
		return
	}
	counter.Add(1)
	q.next(it)
}

// next wakes the workers when a row that held back others is done: the next
// part of the member's export is due now, but no worker knows.
func (q *queue) next(it store.OutboxItem) {
	if it.Kind == store.OutboxExport {
		q.wake()
	}
}

func (q *queue) retry(ctx context.Context, it store.OutboxItem, due time.Time, unsure, counted bool, reason string) {
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	if err := q.db.RetryOutbox(bctx, it, due, unsure, counted, reason); err != nil {
		q.log.Error("requeue a send", "key", it.Key, "err", err)
	}
}

func (q *queue) finish(ctx context.Context, it store.OutboxItem, state store.OutboxState, reason string) {
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	if err := q.db.FinishOutbox(bctx, it, state, reason, q.now()); err != nil {
		q.log.Error("finish a send", "key", it.Key, "err", err)
		return
	}
	q.next(it)
	if state == store.OutboxFailed {
		q.failed.Add(1)
		q.log.Warn("send failed for good", "key", it.Key, "reason", reason)
	} else {
		q.dropped.Add(1)
		q.log.Debug("send dropped", "key", it.Key, "reason", reason)
	}
}
