package schedule

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/store"
)

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Two replicas whose clocks are 50.37ms apart take chat.postMessage tokens
// in turn, every 2ms, for 20 seconds: together they get no more
// than the rate allows in that time, plus the burst. A bucket refilled from
// whichever clock wrote last would give the lagging replica's lag again at
// every turn, and a count rounded down to the store's millisecond would
// give away the fraction at every write.
func TestSharedPaceSkewedClocks(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	const rate, burst = 47.3, 10
	budgets := map[string]Budget{postMethod: {PerSecond: rate, Burst: burst}}
	ahead, behind := newSharedPace(db, budgets, rate), newSharedPace(db, budgets, rate)
	const skew = 50*time.Millisecond + 370*time.Microsecond
	const span = 20 * time.Second
	taken := 0
	for now := t0; now.Before(t0.Add(span)); now = now.Add(2 * time.Millisecond) {
		for _, r := range []struct {
			p   *sharedPace
			now time.Time
		}{{ahead, now.Add(skew)}, {behind, now}} {
			_, wait, err := r.p.takePost(ctx, r.now)
			if err != nil {
				t.Fatal(err)
			}
			if wait == 0 {
				taken++
			}
		}
	}
	if most := int(rate*span.Seconds()) + burst + 1; taken > most {
		t.Errorf("%d tokens taken in %s at %v/s with a burst of %d; want at most %d", taken, span, rate, burst, most)
	}
	if least := int(rate*span.Seconds()) - 1; taken < least {
		t.Errorf("%d tokens taken in %s at %v/s; want at least %d", taken, span, rate, least)
	}
}

// A 429 that a replica whose clock runs ahead meets pauses a replica whose
// clock lags, until the pause's end on the lagging clock, and lowers the
// pace for both.
func TestSharedPacePauseOnLaggingClock(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	budgets := map[string]Budget{postMethod: {PerSecond: 40, Burst: 40}}
	ahead, behind := newSharedPace(db, budgets, 0), newSharedPace(db, budgets, 0)
	at := t0.Add(50 * time.Millisecond) // the clock ahead
	if err := ahead.limited(ctx, postMethod, at, at.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	lagging := t0.Add(10 * time.Millisecond) // 40ms later, on the lagging clock
	_, wait, err := behind.takePost(ctx, lagging)
	if err != nil {
		t.Fatal(err)
	}
	if want := at.Add(time.Second).Sub(lagging); wait != want {
		t.Errorf("the lagging replica waits %s; want %s, until the pause's end on its clock", wait, want)
	}
	if _, wait, _ := behind.takePost(ctx, at.Add(time.Second)); wait != 0 {
		t.Errorf("after the pause the lagging replica waits %s; want 0", wait)
	}
	var row store.PaceState
	if err := db.Pace(ctx, postMethod, func(s *store.PaceState) error { row = *s; return nil }); err != nil {
		t.Fatal(err)
	}
	if row.Rate != 40*postBackoff || row.Slow {
		t.Errorf("shared pace %+v; want rate %v, out of slow start", row, 40*postBackoff)
	}
}

// The shared pace runs the pacer's own code: posts that wait for the rate
// double it every quarter second in slow start, within the ceiling.
func TestSharedPaceSlowStart(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	p := newSharedPace(db, map[string]Budget{postMethod: {PerSecond: StartPostRate, Burst: 10}}, 30)
	now := t0
	for range 3 { // 5, then 10, 20 and the ceiling 30
		if err := p.sent(ctx, now); err != nil {
			t.Fatal(err)
		}
		if err := p.giveBack(ctx, now, true); err != nil { // a bulk row waited for the rate
			t.Fatal(err)
		}
		now = now.Add(slowStep)
	}
	if err := p.sent(ctx, now); err != nil {
		t.Fatal(err)
	}
	var row store.PaceState
	if err := db.Pace(ctx, postMethod, func(s *store.PaceState) error { row = *s; return nil }); err != nil {
		t.Fatal(err)
	}
	if row.Rate != 30 || !row.Slow {
		t.Errorf("shared pace after three quarter seconds of posts that waited = %+v; want 30/s, the ceiling, still in slow start", row)
	}
}

// BenchmarkSharedPacePost is what the shared pace costs a post on SQLite:
// the token taken, one transaction, and the post recorded, which writes only
// when the pace may rise. The budget never runs dry. BenchmarkMemoryPacePost
// is the same in memory.
func BenchmarkSharedPacePost(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "ladder.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	p := newSharedPace(db, map[string]Budget{postMethod: {PerSecond: 1e9, Burst: 1e9}}, 1e9)
	now := t0
	for b.Loop() {
		now = now.Add(time.Millisecond)
		if _, wait, err := p.takePost(ctx, now); err != nil || wait != 0 {
			b.Fatalf("take: wait %s, %v", wait, err)
		}
		if err := p.sent(ctx, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMemoryPacePost: see BenchmarkSharedPacePost.
func BenchmarkMemoryPacePost(b *testing.B) {
	l := newLimiter(map[string]Budget{postMethod: {PerSecond: 1e9, Burst: 1e9}})
	p := newPacer(1e9, 1e9)
	now := t0
	for b.Loop() {
		now = now.Add(time.Millisecond)
		if l.take(postMethod, now, bulkReserve) != 0 {
			b.Fatal("waited")
		}
		l.setRate(postMethod, now, p.sent(now))
	}
}
