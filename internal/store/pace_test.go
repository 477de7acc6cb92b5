package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// A method's pace starts as a new row, keeps what was written, to the
// millisecond, and is its own: another method's row is untouched.
func TestPaceKeepsState(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	var first PaceState
	if err := db.Pace(ctx, "chat.postMessage", func(s *PaceState) error { first = *s; return nil }); err != nil {
		t.Fatal(err)
	}
	if want := (PaceState{Slow: true}); first != want {
		t.Errorf("a new row = %+v; want %+v", first, want)
	}

	written := PaceState{
		Rate: 47.5, Burst: 47.5, Tokens: 0.25, CountedAt: now.Add(1500 * time.Microsecond),
		PausedUntil: now.Add(3 * time.Second), Slow: false, Wanted: true,
		LastRaise: now.Add(-time.Second), Last429: now,
	}
	if err := db.Pace(ctx, "chat.postMessage", func(s *PaceState) error { *s = written; return nil }); err != nil {
		t.Fatal(err)
	}
	var got PaceState
	if err := db.Pace(ctx, "chat.postMessage", func(s *PaceState) error { got = *s; return nil }); err != nil {
		t.Fatal(err)
	}
	want := written
	want.CountedAt = now.Add(time.Millisecond) // kept to the millisecond, rounded down
	if got != want {
		t.Errorf("read back %+v;\nwant %+v", got, want)
	}

	var other PaceState
	if err := db.Pace(ctx, "users.info", func(s *PaceState) error { other = *s; return nil }); err != nil {
		t.Fatal(err)
	}
	if other.Rate != 0 || !other.Slow {
		t.Errorf("users.info's row = %+v; want a new one", other)
	}
}

// A change whose function fails is not written.
func TestPaceFailedChangeNotWritten(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	if err := db.Pace(ctx, "chat.postMessage", func(s *PaceState) error { s.Rate = 5; return nil }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := db.Pace(ctx, "chat.postMessage", func(s *PaceState) error { s.Rate = 50; return boom })
	if !errors.Is(err, boom) {
		t.Errorf("Pace = %v; want the function's error", err)
	}
	var got PaceState
	if err := db.Pace(ctx, "chat.postMessage", func(s *PaceState) error { got = *s; return nil }); err != nil {
		t.Fatal(err)
	}
	if got.Rate != 5 {
		t.Errorf("rate after a failed change = %v; want 5", got.Rate)
	}
}

// Replicas that change one method's pace at the same moment, each through
// its own handle on the database, lose none of each other's changes: every
// token taken is counted once.
func TestPaceConcurrentReplicas(t *testing.T) {
	ctx := context.Background()
	path := newTestDSN(t)
	replicas := []*DB{mustOpenPath(t, path), mustOpenPath(t, path), mustOpenPath(t, path)}
	const each = 40
	var wg sync.WaitGroup
	for _, db := range replicas {
		for range 4 {
			wg.Go(func() {
				for range each / 4 {
					if err := db.Pace(ctx, "chat.postMessage", func(s *PaceState) error {
						s.Tokens++
						return nil
					}); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	var got PaceState
	if err := replicas[0].Pace(ctx, "chat.postMessage", func(s *PaceState) error { got = *s; return nil }); err != nil {
		t.Fatal(err)
	}
	if want := float64(len(replicas) * each); got.Tokens != want {
		t.Errorf("%v tokens counted; want %v, one for each change", got.Tokens, want)
	}
}
