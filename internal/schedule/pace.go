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

// pacer adapts the rate of one method's bucket. Its methods take the time, so
// that tests drive it with a clock of their own.
type pacer struct {
	mu      sync.Mutex
	rate    float64
	ceiling float64
	// slow is true until the first 429: the rate doubles rather than creeps.
	slow      bool
	wanted    bool      // a send waited for the rate since lastRaise
	lastRaise time.Time // zero until the first send
	last429   time.Time
}

func newPacer(start, ceiling float64) *pacer {
	if ceiling <= 0 {
		ceiling = DefaultPostCeiling
	}
	return &pacer{rate: min(max(start, MinPostRate), ceiling), ceiling: ceiling, slow: true}
}

// Rate is the pace now, in posts a second.
func (p *pacer) Rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rate
}

// held records that a send had to wait for the rate: there is more to send
// than the rate allows.
func (p *pacer) held() {
	p.mu.Lock()
	p.wanted = true
	p.mu.Unlock()
}

// sent records a post Slack accepted at now, and returns the rate to use
// from now on.
func (p *pacer) sent(now time.Time) float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lastRaise.IsZero() {
		p.lastRaise = now
	}
	step := creepStep
	if p.slow {
		step = slowStep
	}
	if now.Sub(p.lastRaise) < step {
		return p.rate
	}
	if p.wanted && (p.slow || now.Sub(p.last429) >= postHold) {
		if p.slow {
			p.rate *= 2
		} else {
			p.rate *= postRaise
		}
		p.rate = min(p.rate, p.ceiling)
	}
	p.lastRaise, p.wanted = now, false
	return p.rate
}

// limited records a 429 at now, and returns the rate to use once the pause
// ends.
func (p *pacer) limited(now time.Time) float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	// The sends in flight when Slack said stop meet the same limit: one
	// decrease per second, not one per send.
	if !p.last429.IsZero() && now.Sub(p.last429) < time.Second && now.After(p.last429.Add(-time.Second)) {
		return p.rate
	}
	p.slow = false
	p.rate = max(p.rate*postBackoff, MinPostRate)
	p.last429, p.lastRaise, p.wanted = now, now, false
	return p.rate
}
