package schedule

import (
	"sync"
	"time"
)

// The pace of chat.postMessage, found rather than guessed. Slack documents
// about one post a second in each channel and, for a workspace, "several
// hundred messages per minute" without a number. So the queue starts at
// StartPostRate, 300 a minute, and finds the real cap while it posts:
//
//   - Until the first 429 it doubles its rate every quarter of a second in
//     which it had more to send than the rate allowed (slow start), so that a
//     fan-out reaches a limit of 50 a second within a second.
//   - On a 429 it pauses exactly Retry-After (the limiter's pause) and
//     multiplies its rate by postBackoff.
//   - From postHold after a 429 on, it raises its rate by postRaise each second
//     in which it had more to send than the rate allowed.
//   - It never goes above the ceiling (LADDER_POST_RATE) or below MinPostRate.
//
// A rate raised only while there is more to send does not grow in a quiet
// workspace, so the next fan-out starts from what the last one found.
const (
	// StartPostRate is where the pace starts: 300 a minute, the low end of
	// "several hundred".
	StartPostRate = 5.0
	// DefaultPostCeiling is the ceiling when LADDER_POST_RATE is not set.
	DefaultPostCeiling = 100.0
	// MinPostRate is the floor after 429s: Slack's one a second in a channel.
	MinPostRate = 1.0

	postBackoff = 0.9
	postRaise   = 1.01
	postHold    = 20 * time.Second
	// slowStep is how often slow start may double the rate; creepStep how
	// often the rate may creep up after that.
	slowStep  = 250 * time.Millisecond
	creepStep = time.Second
)

// pacer adapts the rate of one method's bucket in one process. Its methods
// take the time, so that tests drive it with a clock of their own.
type pacer struct {
	mu      sync.Mutex
	ceiling float64
	s       pace
}

// pace is what a pacer knows besides its ceiling. A queue whose pace is
// shared by replicas keeps it in the store instead (shared.go), and runs the
// same methods on it.
type pace struct {
	rate float64
	// slow is true until the first 429: the rate doubles rather than creeps.
	slow      bool
	wanted    bool      // a send waited for the rate since lastRaise
	lastRaise time.Time // zero until the first send
	last429   time.Time
}

func newPacer(start, ceiling float64) *pacer {
	ceiling = postCeiling(ceiling)
	return &pacer{ceiling: ceiling, s: newPace(start, ceiling)}
}

// postCeiling is the ceiling Config.PostRate asks for, or the default.
func postCeiling(c float64) float64 {
	if c <= 0 {
		return DefaultPostCeiling
	}
	return c
}

// newPace is the pace before the first send: start, within the floor and the
// ceiling, in slow start.
func newPace(start, ceiling float64) pace {
	return pace{rate: min(max(start, MinPostRate), ceiling), slow: true}
}

// Rate is the pace now, in posts a second.
func (p *pacer) Rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.s.rate
}

// held records that a send had to wait for the rate: there is more to send
// than the rate allows.
func (p *pacer) held() {
	p.mu.Lock()
	p.s.held()
	p.mu.Unlock()
}

// sent records a post Slack accepted at now, and returns the rate to use
// from now on.
func (p *pacer) sent(now time.Time) float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.s.sent(now, p.ceiling)
}

// limited records a 429 at now, and returns the rate to use once the pause
// ends.
func (p *pacer) limited(now time.Time) float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.s.limited(now)
}

func (s *pace) held() { s.wanted = true }

func (s *pace) sent(now time.Time, ceiling float64) float64 {
	if s.lastRaise.IsZero() {
		s.lastRaise = now
	}
	if now.Sub(s.lastRaise) < s.step() {
		return s.rate
	}
	if s.wanted && (s.slow || now.Sub(s.last429) >= postHold) {
		if s.slow {
			s.rate *= 2
		} else {
			s.rate *= postRaise
		}
		s.rate = min(s.rate, ceiling)
	}
	s.lastRaise, s.wanted = now, false
	return s.rate
}

// step is how long after the last raise the rate may rise again.
func (s *pace) step() time.Duration {
	if s.slow {
		return slowStep
	}
	return creepStep
}

func (s *pace) limited(now time.Time) float64 {
	// The sends in flight when Slack said stop meet the same limit: one
	// decrease per second, not one per send.
	if !s.last429.IsZero() && now.Sub(s.last429) < time.Second && now.After(s.last429.Add(-time.Second)) {
		return s.rate
	}
	s.slow = false
	s.rate = max(s.rate*postBackoff, MinPostRate)
	s.last429, s.lastRaise, s.wanted = now, now, false
	return s.rate
}
