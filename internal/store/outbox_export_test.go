package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func exportItems(userID, id string, parts int, at time.Time) []OutboxItem {
	var its []OutboxItem
	for i := 1; i <= parts; i++ {
		its = append(its, OutboxItem{
			Key: fmt.Sprintf("export:%s:%s:%d", userID, id, i), Kind: OutboxExport, Method: "chat.postMessage",
			UserID: userID, Part: i, DueAt: at, Created: at,
		})
	}
	return its
}

// TestExportPartsInOrder: a member's export rows are claimed one at a time,
// in order: the next waits while the one before is sending or waiting for a
// retry, and goes once it is done. Other members' rows are not held back.
func TestExportPartsInOrder(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	mustEnroll(t, db, "U2")
	if n, err := db.Enqueue(ctx, exportItems("U1", "a", 3, now)...); err != nil || n != 3 {
		t.Fatalf("Enqueue = %d, %v; want 3", n, err)
	}
	first := mustClaim(t, db, now, "t1")
	if first.Part != 1 || first.Kind != OutboxExport {
		t.Fatalf("first claim = part %d of kind %s; want part 1 of an export", first.Part, first.Kind)
	}
	if it, ok, err := db.ClaimOutbox(ctx, Claim{Method: "chat.postMessage", Now: now, Lease: time.Minute, Token: "t2"}); err != nil || ok {
		t.Fatalf("claim while part 1 is sending = %+v, %v, %v; want nothing", it, ok, err)
	}
	if next, ok, err := db.NextOutboxDue(ctx, "chat.postMessage", first.ID); err != nil || ok {
		t.Errorf("NextOutboxDue while part 1 is sending = %v, %v, %v; want none", next, ok, err)
	}
	// Another member's export is not held back by U1's.
	if _, err := db.Enqueue(ctx, exportItems("U2", "b", 1, now)...); err != nil {
		t.Fatal(err)
	}
	other := mustClaim(t, db, now, "t3")
	if other.UserID != "U2" {
		t.Fatalf("claimed %s's row; want U2's", other.UserID)
	}
	if err := db.CompleteOutbox(ctx, other, "D2", "1.1", now); err != nil {
		t.Fatal(err)
	}
	// Part 1 waits for a retry: part 2 still waits for it.
	if err := db.RetryOutbox(ctx, first, now.Add(time.Minute), true, true, "500"); err != nil {
		t.Fatal(err)
	}
	if it, ok, err := db.ClaimOutbox(ctx, Claim{Method: "chat.postMessage", Now: now, Lease: time.Minute, Token: "t4"}); err != nil || ok {
		t.Fatalf("claim while part 1 waits for a retry = part %d, %v, %v; want nothing", it.Part, ok, err)
	}
	if next, ok, err := db.NextOutboxDue(ctx, "chat.postMessage"); err != nil || !ok || !next.Equal(now.Add(time.Minute)) {
		t.Errorf("NextOutboxDue = %v, %v, %v; want part 1's retry at %v", next, ok, err, now.Add(time.Minute))
	}
	later := now.Add(time.Minute)
	for want := 1; want <= 3; want++ {
		it := mustClaim(t, db, later, fmt.Sprintf("p%d", want))
		if it.Part != want {
			t.Fatalf("claim = part %d; want %d", it.Part, want)
		}
		if err := db.CompleteOutbox(ctx, it, "D1", fmt.Sprintf("1.%d", want), later); err != nil {
			t.Fatal(err)
		}
	}
}

// TestExportForgotten: forget drops a member's export rows still to send.
func TestExportForgotten(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	if _, err := db.Enqueue(ctx, exportItems("U1", "a", 2, now)...); err != nil {
		t.Fatal(err)
	}
	if err := db.Forget(ctx, "U1"); err != nil {
		t.Fatal(err)
	}
	its, err := db.Outbox(ctx, OutboxExport)
	if err != nil || len(its) != 0 {
		t.Errorf("export rows after forget: %d, %v; want none", len(its), err)
	}
	// A part of 0 is refused: parts count from 1.
	bad := exportItems("U1", "b", 1, now)
	bad[0].Part = 0
	mustEnroll(t, db, "U1")
	if _, err := db.Enqueue(ctx, bad...); err == nil {
		t.Error("Enqueue of an export part 0 succeeded; want an error")
	}
}
