package store

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// seenEvent receives the event eventID through the inbox and marks it
// handled at at, as the app does, and reports whether it was new: the
// inbox's dedupe, seen from one event at a time.
func (db *DB) seenEvent(ctx context.Context, eventID string, at time.Time) (bool, error) {
	if eventID == "" {
		return false, errors.New("seen event: empty event id")
	}
	ids, err := db.Receive(ctx, []InboxEvent{{EventID: eventID, Payload: []byte(`{}`), Received: at}})
	if err != nil || ids[0] == 0 {
		return false, err
	}
	return true, db.EventDone(ctx, ids[0], at)
}

func TestSeenEvent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ladder.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	first, err := db.seenEvent(ctx, "Ev1", now)
	if err != nil || !first {
		t.Fatalf("seenEvent(Ev1) = %v, %v; want true", first, err)
	}
	again, err := db.seenEvent(ctx, "Ev1", now.Add(time.Second))
	if err != nil || again {
		t.Errorf("seenEvent(Ev1) again = %v, %v; want false", again, err)
	}
	db.Close()

	// Durable: a restart still knows the event.
	db = mustOpenPath(t, path)
	if again, err := db.seenEvent(ctx, "Ev1", now.Add(time.Minute)); err != nil || again {
		t.Errorf("seenEvent(Ev1) after reopen = %v, %v; want false", again, err)
	}
	if _, err := db.seenEvent(ctx, "", now); err == nil {
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
			first, err := db.seenEvent(ctx, "EvRetried", now)
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
		if _, err := db.seenEvent(ctx, string(rune('a'+i)), at); err != nil {
			t.Fatal(err)
		}
	}
	n, err := db.PruneEvents(ctx, now.Add(-time.Hour))
	if err != nil || n != 2 {
		t.Errorf("PruneEvents = %d, %v; want 2", n, err)
	}
	if first, _ := db.seenEvent(ctx, "c", now); first {
		t.Error("a recent event was pruned")
	}
	if first, _ := db.seenEvent(ctx, "a", now); !first {
		t.Error("an old event was kept")
	}
}
