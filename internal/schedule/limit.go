package schedule

import (
	"math"
	"sync"
	"time"
)

// Budget is what the queue allows itself of one Web API method: PerSecond
// calls a second on average, in bursts of at most Burst.
type Budget struct {
	PerSecond float64
	Burst     int
}

// DefaultBudgets are the budgets used for methods Config.Budgets leaves out.
//
// chat.postMessage is limited per workspace, not per DM: Slack allows about one
// message a second in each channel, and every DM is its own channel, so for a
// fan-out the workspace-wide cap is the one that bites. Slack does not publish
// it ("several hundred a minute"), so its budget is only where the pace
// starts, StartPostRate, and the pacer (pace.go) finds the real cap from
// there. conversations.open and conversations.history (only used to settle a
// send whose outcome was lost) are tier 3, about 50 a minute; users.info is
// tier 4, about 100 a minute.
func DefaultBudgets() map[string]Budget {
	return map[string]Budget{
		"chat.postMessage":      {PerSecond: StartPostRate, Burst: 10},
		"conversations.open":    {PerSecond: 50.0 / 60, Burst: 5},
		"conversations.history": {PerSecond: 50.0 / 60, Burst: 5},
		"conversations.replies": {PerSecond: 50.0 / 60, Burst: 5},
		"users.info":            {PerSecond: 100.0 / 60, Burst: 20},
	}
}

// limiter holds a token bucket per Web API method, refilled by the
// scheduler's clock, and the pauses that 429s impose. A method without a
// budget is not limited, but can still be paused.
type limiter struct {
	mu      sync.Mutex
	budgets map[string]Budget
	limits  map[string]*limit
}

// limit is what the limiter knows of one method: its bucket and its pause. A
// queue whose pace is shared by replicas keeps it in the store instead
// (shared.go), and runs the same methods on it.
type limit struct {
	bucket *bucket // nil: the method has no budget
	paused pause
}

// pause is a 429's hold on a method: from at, when it came, until until.
type pause struct{ at, until time.Time }

// holds reports whether p holds its method at now. A clock set back before
// the 429 came ends the pause: its length is Slack's, not the clock's.
func (p pause) holds(now time.Time) bool { return !now.Before(p.at) && now.Before(p.until) }

type bucket struct {
	rate, burst, tokens float64
	minBurst            float64   // the budget's burst: setRate keeps at least this
	last                time.Time // zero until first used
}

func newLimiter(budgets map[string]Budget) *limiter {
	return &limiter{budgets: budgets, limits: map[string]*limit{}}
}

// newLimit is a method's limit before its first call: a full bucket if it
// has a budget, and no pause.
func newLimit(b Budget) *limit {
	if b.PerSecond <= 0 {
		return &limit{}
	}
	burst := float64(max(b.Burst, 1))
	return &limit{bucket: &bucket{rate: b.PerSecond, burst: burst, tokens: burst, minBurst: burst}}
}

// of returns method's limit, made on first use. l.mu must be held.
func (l *limiter) of(method string) *limit {
	m := l.limits[method]
	if m == nil {
		m = newLimit(l.budgets[method])
		l.limits[method] = m
	}
	return m
}

// take spends one of method's tokens at now and returns 0, or returns how
// long until one is there: the end of a pause, or the next refill. It leaves
// reserve tokens in the bucket: bulk sends keep one back, so that a person
// waiting for a confirmation never waits for the rate.
func (l *limiter) take(method string, now time.Time, reserve float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.of(method).take(now, reserve)
}

// setRate changes method's rate from now on, keeping its tokens; the burst
// follows the rate, one second's worth, and never shrinks below the budget's.
func (l *limiter) setRate(method string, now time.Time, rate float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.of(method).setRate(now, rate)
}

// refund gives back a token taken for a call that was not made.
func (l *limiter) refund(method string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.of(method).refund()
}

// pause stops method until until, as a 429's Retry-After asks, and empties
// its bucket, so that when the pause ends the method starts again with only
// what it would have earned meanwhile rather than a fresh burst.
func (l *limiter) pause(method string, now, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.of(method).pause(now, until)
}

func (m *limit) take(now time.Time, reserve float64) time.Duration {
	if m.paused.holds(now) {
		return m.paused.until.Sub(now)
	}
	b := m.bucket
	if b == nil {
		return 0
	}
	b.refill(now)
	if b.tokens >= 1+reserve {
		b.tokens--
		return 0
	}
	return time.Duration(math.Ceil((1 + reserve - b.tokens) / b.rate * float64(time.Second)))
}

func (m *limit) setRate(now time.Time, rate float64) {
	b := m.bucket
	if b == nil || rate <= 0 {
		return
	}
	b.refill(now)
	b.rate, b.burst = rate, math.Max(b.minBurst, rate)
	b.tokens = math.Min(b.tokens, b.burst)
}

func (m *limit) refund() {
	if b := m.bucket; b != nil {
		b.tokens = math.Min(b.burst, b.tokens+1)
	}
}

func (m *limit) pause(now, until time.Time) {
	if !m.paused.holds(now) || until.After(m.paused.until) {
		m.paused = pause{at: now, until: until}
	}
	if b := m.bucket; b != nil {
		b.tokens, b.last = 0, now
	}
}

func (b *bucket) refill(now time.Time) {
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	// A clock set back refills from where it now is, rather than waiting
	// for it to come back.
	b.last = now
}
