package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

func promptItem(userID string, week ladder.Week, due time.Time) OutboxItem {
	return OutboxItem{
		Key: fmt.Sprintf("prompt:%s:%s", userID, week), Kind: OutboxPrompt, Method: "chat.postMessage",
		UserID: userID, Period: week.String(), TZ: "Europe/Berlin",
		DueAt: due, ExpiresAt: due.Add(12 * time.Hour), Created: due,
	}
}

func mustClaim(t *testing.T, db *DB, at time.Time, token string) OutboxItem {
	t.Helper()
	it, ok, err := db.ClaimOutbox(context.Background(), Claim{Method: "chat.postMessage", Now: at, Lease: time.Minute, Token: token})
	if err != nil || !ok {
		t.Fatalf("ClaimOutbox at %s = %v, %v; want a row", at, ok, err)
	}
	return it
}

func TestEnqueueOnce(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	week := ladder.WeekOf(now)
	for i := range 3 {
		n, err := db.Enqueue(ctx, promptItem("U1", week, now))
		want := 0
		if i == 0 {
			want = 1
		}
		if err != nil || n != want {
			t.Fatalf("Enqueue #%d = %d, %v; want %d, nil", i+1, n, err, want)
		}
	}
	// A member who is not enrolled is left out without failing the batch.
	n, err := db.Enqueue(ctx, promptItem("UGONE", week, now), promptItem("U1", ladder.Week{Year: 2026, Week: 48}, now))
	if err != nil || n != 1 {
		t.Fatalf("Enqueue with a stranger = %d, %v; want 1, nil", n, err)
	}
	its, err := db.Outbox(ctx, OutboxPrompt)
	if err != nil || len(its) != 2 {
		t.Fatalf("Outbox = %d rows, %v; want 2", len(its), err)
	}
	if its[0].State != OutboxPending || its[0].Attempts != 0 || its[0].Period != "2026-W47" {
		t.Errorf("first row = %+v; want pending, no attempts, week 2026-W47", its[0])
	}
}

func TestClaimOutbox(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	mustEnroll(t, db, "U2")
	week := ladder.WeekOf(now)
	if _, err := db.Enqueue(ctx, promptItem("U1", week, now), promptItem("U2", week, now.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.ClaimOutbox(ctx, Claim{Method: "chat.postMessage", Now: now.Add(-time.Second), Lease: time.Minute, Token: "t0"}); ok || err != nil {
		t.Fatalf("claim before due = %v, %v; want nothing", ok, err)
	}
	it := mustClaim(t, db, now, "t1")
	if it.UserID != "U1" || it.State != OutboxSending || it.Attempts != 1 || it.Unsure || it.Token != "t1" {
		t.Fatalf("claimed %+v; want U1 sending, attempt 1, sure, token t1", it)
	}
	if _, ok, _ := db.ClaimOutbox(ctx, Claim{Method: "chat.postMessage", Now: now, Lease: time.Minute, Token: "t2"}); ok {
		t.Fatal("a second claim at the same time got a row; U2 is not due and U1 is claimed")
	}
	// Only the holder of the claim may finish it.
	other := it
	other.Token = "t2"
	if err := db.CompleteOutbox(ctx, other, "DU1", "1.1", now); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("CompleteOutbox with the wrong token = %v; want ErrLeaseLost", err)
	}
	// Past the lease, another sender takes it over, unsure whether it went out.
	taken := mustClaim(t, db, now.Add(time.Minute), "t3")
	if taken.ID != it.ID || !taken.Unsure || taken.Attempts != 2 {
		t.Fatalf("taken over %+v; want row %d, unsure, attempt 2", taken, it.ID)
	}
	if err := db.CompleteOutbox(ctx, it, "DU1", "1.1", now); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("CompleteOutbox by the old holder = %v; want ErrLeaseLost", err)
	}
	if err := db.CompleteOutbox(ctx, taken, "DU1", "1.1", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	next, ok, err := db.NextOutboxDue(ctx, "chat.postMessage")
	if err != nil || !ok || !next.Equal(now.Add(time.Hour)) {
		t.Fatalf("NextOutboxDue = %s, %v, %v; want %s", next, ok, err, now.Add(time.Hour))
	}
}

// TestClaimOutboxLeavesBusyRows claims a row and moves the clock far past its
// lease: a caller that says the row is still in flight does not take it
// over, nor count its lease as the next thing due; anyone else does, and the
// first claimant can tell it no longer holds the row.
func TestClaimOutboxLeavesBusyRows(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	if _, err := db.Enqueue(ctx, promptItem("U1", ladder.WeekOf(now), now)); err != nil {
		t.Fatal(err)
	}
	it := mustClaim(t, db, now, "t1")
	later := now.Add(time.Hour)
	if got, ok, err := db.ClaimOutbox(ctx, Claim{Method: "chat.postMessage", Now: later, Lease: time.Minute, Token: "t2", Busy: []int64{it.ID}}); ok || err != nil {
		t.Fatalf("claim past the lease of a busy row = %+v, %v, %v; want nothing", got, ok, err)
	}
	if next, ok, err := db.NextOutboxDue(ctx, "chat.postMessage", it.ID); ok || err != nil {
		t.Fatalf("NextOutboxDue leaving out the busy row = %s, %v, %v; want nothing", next, ok, err)
	}
	if next, ok, err := db.NextOutboxDue(ctx, "chat.postMessage"); !ok || err != nil || !next.Equal(now.Add(time.Minute)) {
		t.Fatalf("NextOutboxDue = %s, %v, %v; want the lease's end %s", next, ok, err, now.Add(time.Minute))
	}
	if held, err := db.OutboxHeld(ctx, it); err != nil || !held {
		t.Fatalf("OutboxHeld by its claimant = %v, %v; want true", held, err)
	}
	taken := mustClaim(t, db, later, "t3")
	if taken.ID != it.ID || !taken.Unsure {
		t.Fatalf("taken over %+v; want row %d, unsure", taken, it.ID)
	}
	if held, err := db.OutboxHeld(ctx, it); err != nil || held {
		t.Errorf("OutboxHeld by the first claimant after the takeover = %v, %v; want false", held, err)
	}
	if held, err := db.OutboxHeld(ctx, taken); err != nil || !held {
		t.Errorf("OutboxHeld by the new claimant = %v, %v; want true", held, err)
	}
}

func TestClaimOutboxConcurrently(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	const members = 40
	var items []OutboxItem
	for i := range members {
		id := fmt.Sprintf("U%02d", i)
		mustEnroll(t, db, id)
		items = append(items, promptItem(id, ladder.WeekOf(now), now))
	}
	if _, err := db.Enqueue(ctx, items...); err != nil {
		t.Fatal(err)
	}
	var (
		mu      sync.Mutex
		claimed = map[int64]int{}
		wg      sync.WaitGroup
	)
	for w := range 8 {
		wg.Go(func() {
			for {
				it, ok, err := db.ClaimOutbox(ctx, Claim{Method: "chat.postMessage", Now: now, Lease: time.Hour, Token: fmt.Sprintf("w%d", w)})
				if err != nil {
					t.Error(err)
					return
				}
				if !ok {
					return
				}
				mu.Lock()
				claimed[it.ID]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimed) != members {
		t.Fatalf("claimed %d rows; want %d", len(claimed), members)
	}
	for id, n := range claimed {
		if n != 1 {
			t.Errorf("row %d claimed %d times; want once", id, n)
		}
	}
}

func TestRetryAndFinishOutbox(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	if _, err := db.Enqueue(ctx, promptItem("U1", ladder.WeekOf(now), now)); err != nil {
		t.Fatal(err)
	}
	// A 429 does not count as an attempt.
	it := mustClaim(t, db, now, "a")
	if err := db.RetryOutbox(ctx, it, now.Add(3*time.Second), false, false, "ratelimited"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.ClaimOutbox(ctx, Claim{Method: "chat.postMessage", Now: now.Add(2 * time.Second), Lease: time.Minute, Token: "b"}); ok {
		t.Fatal("claimed before the retry is due")
	}
	it = mustClaim(t, db, now.Add(3*time.Second), "c")
	if it.Attempts != 1 || it.Unsure {
		t.Fatalf("after a 429: %+v; want attempt 1 and sure", it)
	}
	// A timeout may have posted: the row comes back unsure, and stays so.
	if err := db.RetryOutbox(ctx, it, now.Add(10*time.Second), true, true, "timeout"); err != nil {
		t.Fatal(err)
	}
	it = mustClaim(t, db, now.Add(10*time.Second), "d")
	if it.Attempts != 2 || !it.Unsure || it.LastError != "timeout" {
		t.Fatalf("after a timeout: %+v; want attempt 2, unsure, last error timeout", it)
	}
	if err := db.RetryOutbox(ctx, it, now.Add(20*time.Second), false, true, "500"); err != nil {
		t.Fatal(err)
	}
	it = mustClaim(t, db, now.Add(20*time.Second), "e")
	if !it.Unsure {
		t.Fatal("a sure failure after an unsure one cleared unsure; the first may still have posted")
	}
	if err := db.FinishOutbox(ctx, it, OutboxSent, "", now); err == nil {
		t.Fatal("FinishOutbox accepted state sent")
	}
	if err := db.FinishOutbox(ctx, it, OutboxFailed, "user_not_found", now); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.ClaimOutbox(ctx, Claim{Method: "chat.postMessage", Now: now.Add(time.Hour), Lease: time.Minute, Token: "f"}); ok {
		t.Fatal("a failed row was claimed again")
	}
	counts, err := db.OutboxCounts(ctx)
	if err != nil || counts[OutboxFailed] != 1 || len(counts) != 1 {
		t.Fatalf("OutboxCounts = %v, %v; want one failed", counts, err)
	}
	if n, err := db.PruneOutbox(ctx, now.Add(time.Second)); err != nil || n != 1 {
		t.Fatalf("PruneOutbox = %d, %v; want 1", n, err)
	}
}

func TestCompleteOutboxRecordsTheSend(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	week := ladder.WeekOf(now)
	p, _, err := db.RecordPrompt(ctx, PromptSent{UserID: "U1", PromptID: "p1", Week: week, Weekly: true, Created: now})
	if err != nil {
		t.Fatal(err)
	}
	digest := OutboxItem{Key: "digest:M1:2026-11", Kind: OutboxDigest, Method: "chat.postMessage",
		UserID: "M1", Period: "2026-11", DueAt: now, Created: now}
	if _, err := db.Enqueue(ctx, promptItem("U1", week, now), digest); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		it := mustClaim(t, db, now, "t")
		if err := db.CompleteOutbox(ctx, it, "D"+it.UserID, fmt.Sprintf("1.%d", i), now); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.PromptSentByID(ctx, p.ID)
	if err != nil || got.Channel != "DU1" || got.TS != "1.0" {
		t.Fatalf("prompt after complete = %+v, %v; want posted as DU1/1.0", got, err)
	}
	if sent, err := db.DigestSent(ctx, "M1", "2026-11"); err != nil || !sent {
		t.Fatalf("DigestSent = %v, %v; want true", sent, err)
	}
	if ok, err := db.ClaimDigest(ctx, "M1", "2026-11", now.Add(time.Hour)); err != nil || ok {
		t.Fatalf("ClaimDigest after the outbox sent it = %v, %v; want false", ok, err)
	}
}

func TestForgetEmptiesTheOutbox(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	mustEnroll(t, db, "U2")
	p, _, err := db.RecordPrompt(ctx, PromptSent{UserID: "U1", PromptID: "p1", Weekly: true, Created: now})
	if err != nil {
		t.Fatal(err)
	}
	reminder := OutboxItem{Key: fmt.Sprintf("reminder:%d", p.ID), Kind: OutboxReminder, Method: "chat.postMessage",
		UserID: "U1", PromptRef: p.ID, DueAt: now, Created: now}
	// U1 is also a manager here: their own digest goes too.
	digest := OutboxItem{Key: "digest:U1:2026-11", Kind: OutboxDigest, Method: "chat.postMessage",
		UserID: "U1", Period: "2026-11", DueAt: now, Created: now}
	if ok, err := db.EnqueueReminder(ctx, reminder, now); err != nil || !ok {
		t.Fatalf("EnqueueReminder = %v, %v", ok, err)
	}
	if _, err := db.Enqueue(ctx, promptItem("U1", ladder.WeekOf(now), now), digest, promptItem("U2", ladder.WeekOf(now), now)); err != nil {
		t.Fatal(err)
	}
	if err := db.ZoneChecked(ctx, "U1", "Europe/Berlin", now); err != nil {
		t.Fatal(err)
	}
	if err := db.Forget(ctx, "U1"); err != nil {
		t.Fatal(err)
	}
	its, err := db.Outbox(ctx, "")
	if err != nil || len(its) != 1 || its[0].UserID != "U2" {
		t.Fatalf("outbox after forget = %+v, %v; want only U2's prompt", its, err)
	}
	zs, err := db.Zones(ctx)
	if err != nil || len(zs) != 0 {
		t.Fatalf("zones after forget = %v, %v; want none", zs, err)
	}
}
