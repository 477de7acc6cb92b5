package schedule

import (
	"context"
	"sync"
	"time"

	"github.com/ladderapp/ladder/internal/store"
)

// sharedPace is the send queue's limiter and pacer when Config.SharedPace is
// set: several replicas of the app send from one database, and Slack limits
// the app per method and workspace, not per process. So a method's bucket,
// its 429 pause and chat.postMessage's pace live in the method's send_pace
// row, and every token taken or given back, every post accepted and every 429
// is one short transaction that reads the row, runs the limiter's and the
// pacer's own code on it (limit and pace) and writes it back. Whichever
// replica takes a token, the bucket is the same, so the rate is the
// workspace's without anyone knowing how many replicas there are; a 429 one
// replica meets pauses them all, and lowers the pace for all.
//
// Replicas' clocks differ a little, so two rules differ from one process's:
// the bucket's count only moves forward (a replica whose clock lags takes
// from the tokens there were at the row's time, and never refills them
// again), and a pause holds until its end whenever the clock says it began.
type sharedPace struct {
	db      *store.DB
	budgets map[string]Budget
	ceiling float64

	// mu lets one of this process's workers at a time read and write a row.
	// Workers that wake together for the next token then go one by one:
	// the first asks the store, and the others learn from its answer rather
	// than each asking again.
	mu sync.Mutex
	// waits holds, per method and lane, when this process last learnt that
	// no token is free before a time: a worker asks the store again after it.
	waits map[lane]pause
	// none holds while this process knows there are no interactive rows
	// due (see giveBack).
	none pause
	// post is chat.postMessage's pace as this process last wrote it: a post
	// accepted soon after the last raise cannot raise it, and costs no write.
	post      pace
	postKnown bool
}

// lane is a method and the tokens a take leaves in its bucket: bulkReserve
// for bulk posts, 0 for interactive ones and any other call.
type lane struct {
	method  string
	reserve float64
}

func newSharedPace(db *store.DB, budgets map[string]Budget, ceiling float64) *sharedPace {
	return &sharedPace{db: db, budgets: budgets, ceiling: postCeiling(ceiling), waits: map[lane]pause{}}
}

// left is how long p still holds at now.
func (p pause) left(now time.Time) time.Duration {
	if !p.holds(now) {
		return 0
	}
	return p.until.Sub(now)
}

// takePost takes a chat.postMessage token at now as the in-memory queue
// does (queue.takePost): for any row if the bucket holds more than the
// interactive lane's reserve, and then bulkWait is 0; or else for an
// interactive row only, unless this process knows there is none. wait, if
// not 0, is how long until a row may go, and nothing was taken.
func (s *sharedPace) takePost(ctx context.Context, now time.Time) (bulkWait, wait time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	bulk, interactive := lane{postMethod, bulkReserve}, lane{postMethod, 0}
	look := !s.none.holds(now) // for interactive rows
	if b := s.waits[bulk].left(now); b > 0 {
		if !look {
			return b, b, nil
		}
		if i := s.waits[interactive].left(now); i > 0 {
			return b, i, nil
		}
	}
	err = s.change(ctx, postMethod, now, func(m *limit, _ *pace) {
		bulkWait, wait = m.take(now, bulkReserve), 0
		switch {
		case bulkWait > 0 && look:
			wait = m.take(now, 0)
		case bulkWait > 0:
			wait = bulkWait
		}
	})
	if err != nil {
		return 0, 0, err
	}
	s.waits[bulk] = pause{at: now, until: now.Add(bulkWait)}
	if look {
		s.waits[interactive] = pause{at: now, until: now.Add(wait)}
	}
	return bulkWait, wait, nil
}

// take takes a token of method's budget at now, or returns how long until
// there is one.
func (s *sharedPace) take(ctx context.Context, method string, now time.Time) (time.Duration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := lane{method, 0}
	if w := s.waits[l].left(now); w > 0 {
		return w, nil
	}
	var wait time.Duration
	if err := s.change(ctx, method, now, func(m *limit, _ *pace) { wait = m.take(now, 0) }); err != nil {
		return 0, err
	}
	s.waits[l] = pause{at: now, until: now.Add(wait)}
	return wait, nil
}

// interactivePoll is how often a replica whose bulk sends wait for the
// rate looks for interactive rows that fell due without a wake, such as a
// retry. A DM queued for a person wakes the queue, and goes at once.
const interactivePoll = 100 * time.Millisecond

// giveBack returns a chat.postMessage token taken for a post not made. With
// held, only interactive rows could have had it and there were none: the
// bulk rows wait for the rate (pace.held), and this process does not look
// for interactive rows again for interactivePoll, unless woken. In one
// process a worker looks again each time the bucket refills; here each look
// would cost two writes to a row that every replica writes for each post.
func (s *sharedPace) giveBack(ctx context.Context, now time.Time, held bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.change(ctx, postMethod, now, func(m *limit, p *pace) {
		m.refund()
		if held {
			p.held()
		}
	})
	if held {
		s.none = pause{at: now, until: now.Add(interactivePoll)}
	} else {
		// A token is back: any row may go.
		delete(s.waits, lane{postMethod, bulkReserve})
		delete(s.waits, lane{postMethod, 0})
	}
	return err
}

// woken forgets that there were no interactive rows, and when the store
// last said a token for one would be free: a row may be queued now, and a
// token that another replica held for a moment may be back, as a worker in
// one process would find when woken.
func (s *sharedPace) woken() {
	s.mu.Lock()
	s.none = pause{}
	delete(s.waits, lane{postMethod, 0})
	s.mu.Unlock()
}

// sent records a post Slack accepted at now: the pace may rise.
func (s *sharedPace) sent(ctx context.Context, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	// pace.sent changes nothing this soon after the last raise; another
	// replica's raise or 429 since only moves the last raise later.
	if p := s.post; s.postKnown && !p.lastRaise.IsZero() && now.Sub(p.lastRaise) < p.step() {
		return nil
	}
	return s.change(ctx, postMethod, now, func(m *limit, p *pace) { m.setRate(now, p.sent(now, s.ceiling)) })
}

// limited records a 429 from method at now, which pauses it until until
// for every replica and, for chat.postMessage, lowers the pace. This process
// stops at once, even if the store cannot be written.
func (s *sharedPace) limited(ctx context.Context, method string, now, until time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range []lane{{method, 0}, {method, bulkReserve}} {
		s.waits[l] = pause{at: now, until: until}
	}
	return s.change(ctx, method, now, func(m *limit, p *pace) {
		m.pause(now, until)
		if method == postMethod {
			m.setRate(now, p.limited(now))
		}
	})
}

// change reads method's row, runs fn on it as the limiter and the pacer see
// it at now, and writes it back, in one transaction. s.mu must be held.
func (s *sharedPace) change(ctx context.Context, method string, now time.Time, fn func(*limit, *pace)) error {
	var after pace
	err := s.db.Pace(ctx, method, func(row *store.PaceState) error {
		m, p := s.load(method, row, now)
		fn(m, &p)
		save(row, m, p)
		after = p
		return nil
	})
	if err == nil && method == postMethod {
		s.post, s.postKnown = after, true
	}
	return err
}

// load turns method's row into its limit and pace at now. A row no one has
// written starts as one process starts: a full bucket, and the pace at its
// start. The bucket's rate is the pace's for chat.postMessage, within the
// ceiling this process was given, and the budget's for other methods.
func (s *sharedPace) load(method string, row *store.PaceState, now time.Time) (*limit, pace) {
	budget := s.budgets[method]
	m := newLimit(budget)
	p := newPace(budget.PerSecond, s.ceiling)
	if row.Rate > 0 {
		if b := m.bucket; b != nil {
			b.rate, b.burst, b.tokens, b.last = row.Rate, row.Burst, row.Tokens, row.CountedAt
		}
		if method == postMethod {
			p = pace{rate: min(row.Rate, s.ceiling), slow: row.Slow, wanted: row.Wanted,
				lastRaise: row.LastRaise, last429: row.Last429}
		}
	}
	rate := budget.PerSecond
	if method == postMethod {
		rate = p.rate
	}
	m.setRate(now, rate)
	// The pause holds until its end, whenever this replica's clock says
	// the 429 came: another replica's clock may be ahead of this one's.
	m.paused = pause{until: row.PausedUntil}
	return m, p
}

// save writes m and p into row. The store keeps milliseconds, rounded down:
// the tokens are counted as at the millisecond, less what that part of one
// earned, so that no replica gains what it did not wait for; and a pause
// ends at its millisecond, rounded up, not before.
func save(row *store.PaceState, m *limit, p pace) {
	if b := m.bucket; b != nil {
		at := b.last
		if at.Before(row.CountedAt) {
			// This replica's clock lags the row's: the tokens it took
			// were those there were at the row's time.
			at = row.CountedAt
		}
		ms := at.Truncate(time.Millisecond)
		row.Rate, row.Burst = b.rate, b.burst
		row.Tokens = b.tokens - at.Sub(ms).Seconds()*b.rate
		row.CountedAt = ms
	}
	row.PausedUntil = m.paused.until
	if ms := row.PausedUntil.Truncate(time.Millisecond); ms.Before(row.PausedUntil) {
		row.PausedUntil = ms.Add(time.Millisecond)
	}
	row.Slow, row.Wanted, row.LastRaise, row.Last429 = p.slow, p.wanted, p.lastRaise, p.last429
}
