package schedule

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 11, 16, 9, 30, 0, 0, time.UTC)
	l := newLimiter(map[string]Budget{"chat.postMessage": {PerSecond: 2, Burst: 2}})
	for i := range 2 {
		if w := l.take("chat.postMessage", now); w != 0 {
			t.Fatalf("take #%d within the burst waited %s", i+1, w)
		}
	}
	if w := l.take("chat.postMessage", now); w != 500*time.Millisecond {
		t.Fatalf("take over budget: wait %s; want 500ms", w)
	}
	if w := l.take("chat.postMessage", now.Add(500*time.Millisecond)); w != 0 {
		t.Fatalf("take after a refill waited %s", w)
	}
	l.refund("chat.postMessage")
	if w := l.take("chat.postMessage", now.Add(500*time.Millisecond)); w != 0 {
		t.Fatalf("take after a refund waited %s", w)
	}
	l.pause("chat.postMessage", now, now.Add(3*time.Second))
	if w := l.take("chat.postMessage", now.Add(time.Second)); w != 2*time.Second {
		t.Fatalf("take while paused: wait %s; want 2s", w)
	}
	if w := l.take("users.info", now); w != 0 {
		t.Fatalf("a method without a budget waited %s", w)
	}
	// After the pause, what it earned meanwhile (capped at the burst), not more.
	after := now.Add(3 * time.Second)
	for i := range 2 {
		if w := l.take("chat.postMessage", after); w != 0 {
			t.Fatalf("take #%d after the pause waited %s", i+1, w)
		}
	}
	if w := l.take("chat.postMessage", after); w == 0 {
		t.Fatal("the pause left more than a burst")
	}
}
