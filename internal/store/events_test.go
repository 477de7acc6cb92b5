package store

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSeenEvent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ladder.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	first, err := db.SeenEvent(ctx, "Ev1", now)
	if err != nil || !first {
		t.Fatalf("SeenEvent(Ev1) = %v, %v; want true", first, err)
	}
	again, err := db.SeenEvent(ctx, "Ev1", now.Add(time.Second))
	if err != nil || again {
		t.Errorf("SeenEvent(Ev1) again = %v, %v; want false", again, err)
	}
	db.Close()

	// Durable: a restart still knows the event.
	db = mustOpenPath(t, path)
	if again, err := db.SeenEvent(ctx, "Ev1", now.Add(time.Minute)); err != nil || again {
		t.Errorf("SeenEvent(Ev1) after reopen = %v, %v; want false", again, err)
	}
	if _, err := db.SeenEvent(ctx, "", now); err == nil {
		t.Error("SeenEvent(\"\"): no error")
	}
}

func TestSeenEventConcurrent(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	var firsts atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			first, err := db.SeenEvent(ctx, "EvRetried", now)
			if err != nil {
				t.Error(err)
			}
			if first {
				firsts.Add(1)
			}
		})
	}
	wg.Wait()
	if n := firsts.Load(); n != 1 {
		t.Errorf("%d callers saw the event first, want 1", n)
	}
}

func TestPruneEvents(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	for i, at := range []time.Time{now.Add(-3 * time.Hour), now.Add(-2 * time.Hour), now.Add(-30 * time.Minute)} {
		if _, err := db.SeenEvent(ctx, string(rune('a'+i)), at); err != nil {
			t.Fatal(err)
		}
	}
	n, err := db.PruneEvents(ctx, now.Add(-time.Hour))
	if err != nil || n != 2 {
		t.Errorf("PruneEvents = %d, %v; want 2", n, err)
	}
	if first, _ := db.SeenEvent(ctx, "c", now); first {
		t.Error("a recent event was pruned")
	}
	if first, _ := db.SeenEvent(ctx, "a", now); !first {
		t.Error("an old event was kept")
	}
}
