package clocktest

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	f := Frozen(at)
	if !f.Now().Equal(at) || f.Running() {
		t.Fatalf("frozen: %v, running %v", f.Now(), f.Running())
	}
	if got := f.Add(-time.Hour); !got.Equal(at.Add(-time.Hour)) || !f.Now().Equal(got) {
		t.Errorf("frozen Add(-1h) = %v, Now %v", got, f.Now())
	}
	f.Set(at)
	if !f.Now().Equal(at) {
		t.Errorf("frozen Set: %v", f.Now())
	}
	r := Running(at)
	time.Sleep(5 * time.Millisecond)
	if d := r.Now().Sub(at); d < 5*time.Millisecond || d > time.Minute {
		t.Errorf("running clock moved %v in 5ms of real time", d)
	}
	if got := r.Add(24 * time.Hour); got.Sub(at) < 24*time.Hour {
		t.Errorf("running Add(24h) = %v", got)
	}
}
