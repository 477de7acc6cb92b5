// Package clocktest is the one test clock of every package's tests: the
// clock that the app, the scheduler and the fake Slack all read in a test.
// A frozen clock moves only when the test moves it; a running clock moves on
// in real time from where it was last set, for the tests that wait for real
// (a Retry-After, a send budget) on a fixed date. No test reads today's date.
// It is test support, and no production code imports it.
package clocktest

import (
	"sync"
	"time"
)

// Clock is a clock a test sets and moves. Its Now is the program's clock.
type Clock struct {
	mu      sync.Mutex
	t       time.Time
	running bool
	set     time.Time // the real time t was set, for a running clock
}

// Frozen is a clock standing at t until the test moves it.
func Frozen(t time.Time) *Clock { return &Clock{t: t} }

// Running is a clock at t now that runs on in real time.
func Running(t time.Time) *Clock { return &Clock{t: t, running: true, set: time.Now()} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	if c.running {
		return c.t.Add(time.Since(c.set))
	}
	return c.t
}

// Set puts the clock at t; a running clock runs on from there.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t, c.set = t, time.Now()
	c.mu.Unlock()
}

// Add moves the clock by d, forwards or back, and returns the new time.
func (c *Clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.nowLocked()
}

// Running reports whether the clock runs on in real time.
func (c *Clock) Running() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.running
}
