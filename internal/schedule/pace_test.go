package schedule

import (
	"math"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// fanout runs the pacer against a workspace that accepts limit posts a
// second in a token bucket with a burst of limit, for d, sending whenever the
// pacer's rate allows and always having more to send. It returns the posts
// accepted and the 429s met.
func fanout(p *pacer, limit float64, d time.Duration) (accepted, limited int) {
	const step = 10 * time.Millisecond
	tokens, ours := limit, 0.0
	var pausedUntil time.Time
	for now := t0; now.Before(t0.Add(d)); now = now.Add(step) {
		tokens = math.Min(limit, tokens+limit*step.Seconds())
		if now.Before(pausedUntil) {
			continue
		}
		ours += p.Rate() * step.Seconds()
		for ours >= 1 {
			ours--
			if tokens < 1 {
				limited++
				p.limited(now)
				pausedUntil = now.Add(time.Second) // Retry-After: 1
				ours = 0
				break
			}
			tokens--
			accepted++
			p.held()
			p.sent(now)
		}
	}
	return accepted, limited
}

// The pacer finds the workspace's cap from Slack's documented start,
// whatever it is, and posts within 10% of it over a long fan-out.
func TestPacerFindsTheCap(t *testing.T) {
	for _, limit := range []float64{5, 20, 50} {
		p := newPacer(StartPostRate, DefaultPostCeiling)
		d := 10000 / limit * float64(time.Second)
		accepted, limited := fanout(p, limit, time.Duration(d))
		if floor := 10000.0; float64(accepted) < floor/1.1 {
			t.Errorf("limit %v/s: %d accepted in the floor's time (%d 429s); want at least %.0f", limit, accepted, limited, floor/1.1)
		}
		t.Logf("limit %v/s: %d of 10000 in the floor's time, %d 429s, rate at the end %.1f", limit, accepted, limited, p.Rate())
	}
}

// The rate never passes the ceiling, and a quiet workspace does not raise it.
func TestPacerCeilingAndQuiet(t *testing.T) {
	p := newPacer(StartPostRate, 8)
	fanout(p, 1000, time.Minute)
	if r := p.Rate(); r != 8 {
		t.Errorf("rate after a minute under a 1000/s cap = %v; want the ceiling 8", r)
	}
	q := newPacer(StartPostRate, DefaultPostCeiling)
	for i := range 100 {
		q.sent(t0.Add(time.Duration(i) * time.Second)) // one post a second, never held
	}
	if r := q.Rate(); r != StartPostRate {
		t.Errorf("rate after posts that never waited = %v; want %v", r, StartPostRate)
	}
}

// Sends in flight that meet the same 429 lower the rate once.
func TestPacerOneDecreasePer429Burst(t *testing.T) {
	p := newPacer(40, DefaultPostCeiling)
	for range 16 {
		p.limited(t0)
	}
	if r := p.Rate(); r != 40*postBackoff {
		t.Errorf("rate after 16 429s at once = %v; want %v", r, 40*postBackoff)
	}
	p.limited(t0.Add(2 * time.Second))
	if r := p.Rate(); math.Abs(r-40*postBackoff*postBackoff) > 1e-9 {
		t.Errorf("rate after a second 429 two seconds later = %v; want %v", r, 40*postBackoff*postBackoff)
	}
}
