package schedule

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 11, 16, 9, 30, 0, 0, time.UTC)
	l := newLimiter(map[string]Budget{"chat.postMessage": {PerSecond: 2, Burst: 2}})
	for i := range 2 {
		if w := l.take("chat.postMessage", now, 0); w != 0 {
			t.Fatalf("take #%d within the burst waited %s", i+1, w)
		}
	}
	if w := l.take("chat.postMessage", now, 0); w != 500*time.Millisecond {
		t.Fatalf("take over budget: wait %s; want 500ms", w)
	}
	if w := l.take("chat.postMessage", now.Add(500*time.Millisecond), 0); w != 0 {
		t.Fatalf("take after a refill waited %s", w)
	}
	l.refund("chat.postMessage")
	if w := l.take("chat.postMessage", now.Add(500*time.Millisecond), 0); w != 0 {
		t.Fatalf("take after a refund waited %s", w)
	}
	l.pause("chat.postMessage", now, now.Add(3*time.Second))
	if w := l.take("chat.postMessage", now.Add(time.Second), 0); w != 2*time.Second {
		t.Fatalf("take while paused: wait %s; want 2s", w)
	}
	if w := l.take("users.info", now, 0); w != 0 {
		t.Fatalf("a method without a budget waited %s", w)
	}
	// After the pause, what it earned meanwhile (capped at the burst), not more.
	after := now.Add(3 * time.Second)
	for i := range 2 {
		if w := l.take("chat.postMessage", after, 0); w != 0 {
			t.Fatalf("take #%d after the pause waited %s", i+1, w)
		}
	}
	if w := l.take("chat.postMessage", after, 0); w == 0 {
		t.Fatal("the pause left more than a burst")
	}
}

// A bulk send leaves the reserve in the bucket; an interactive one may take it.
func TestLimiterReserve(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	l := newLimiter(map[string]Budget{"chat.postMessage": {PerSecond: 1, Burst: 2}})
	if w := l.take("chat.postMessage", now, 1); w != 0 {
		t.Fatalf("bulk take from a full bucket of 2 waits %v; want 0", w)
	}
	if w := l.take("chat.postMessage", now, 1); w != time.Second {
		t.Errorf("bulk take of the last token waits %v; want 1s, the reserve stays", w)
	}
	if w := l.take("chat.postMessage", now, 0); w != 0 {
		t.Errorf("interactive take of the reserve waits %v; want 0", w)
	}
	l.setRate("chat.postMessage", now, 10)
	if w := l.take("chat.postMessage", now.Add(100*time.Millisecond), 0); w != 0 {
		t.Errorf("take 100ms after the rate went to 10/s waits %v; want 0", w)
	}
}
