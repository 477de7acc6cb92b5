package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

func TestClaimDigestOnce(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)

	ok, err := db.ClaimDigest(ctx, "UBOSS", "2026-11", now)
	if err != nil || !ok {
		t.Fatalf("first ClaimDigest = %v, %v; want true", ok, err)
	}
	if ok, err := db.ClaimDigest(ctx, "UBOSS", "2026-11", now.Add(time.Minute)); err != nil || ok {
		t.Errorf("second ClaimDigest = %v, %v; want false", ok, err)
	}
	if ok, _ := db.ClaimDigest(ctx, "UBOSS", "2026-12", now); !ok {
		t.Error("next month's claim refused")
	}
	if ok, _ := db.ClaimDigest(ctx, "UOTHER", "2026-11", now); !ok {
		t.Error("another manager's claim refused")
	}

	if sent, _ := db.DigestSent(ctx, "UBOSS", "2026-11"); sent {
		t.Error("DigestSent before MarkDigestSent")
	}
	if err := db.MarkDigestSent(ctx, "UBOSS", "2026-11", "DBOSS", "7.7", now); err != nil {
		t.Fatal(err)
	}
	if sent, err := db.DigestSent(ctx, "UBOSS", "2026-11"); err != nil || !sent {
		t.Errorf("DigestSent = %v, %v; want true", sent, err)
	}
	// Once sent, never again, however late.
	if ok, _ := db.ClaimDigest(ctx, "UBOSS", "2026-11", now.Add(48*time.Hour)); ok {
		t.Error("a sent digest was claimed again")
	}
	if err := db.MarkDigestSent(ctx, "UNONE", "2026-11", "D", "1", now); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("MarkDigestSent without a claim = %v, want ErrNotFound", err)
	}
}

func TestClaimDigestLeaseExpires(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	if ok, _ := db.ClaimDigest(ctx, "UBOSS", "2026-11", now); !ok {
		t.Fatal("first claim refused")
	}
	// The claimer died before sending. Within the lease nobody else may send…
	if ok, _ := db.ClaimDigest(ctx, "UBOSS", "2026-11", now.Add(DigestClaimLease-time.Second)); ok {
		t.Error("claimed again within the lease")
	}
	// …after it, one caller may.
	late := now.Add(DigestClaimLease)
	if ok, _ := db.ClaimDigest(ctx, "UBOSS", "2026-11", late); !ok {
		t.Error("a stale claim was not granted again")
	}
	if ok, _ := db.ClaimDigest(ctx, "UBOSS", "2026-11", late.Add(time.Second)); ok {
		t.Error("the renewed claim was granted twice")
	}
}

func TestClaimDigestConcurrent(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			ok, err := db.ClaimDigest(ctx, "UBOSS", "2026-11", now)
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if n := wins.Load(); n != 1 {
		t.Errorf("%d claims granted, want 1", n)
	}
}

func TestClaimDigestAsHolder(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	if ok, _ := db.ClaimDigestAs(ctx, "UBOSS", "2026-11", "digest:UBOSS:2026-11", now); !ok {
		t.Fatal("first claim refused")
	}
	// The holder may take it again at once, to finish its send; nobody else may.
	if ok, _ := db.ClaimDigestAs(ctx, "UBOSS", "2026-11", "digest:UBOSS:2026-11", now.Add(time.Second)); !ok {
		t.Error("the holder's claim again was refused")
	}
	for _, other := range []string{"", "admin:1"} {
		if ok, _ := db.ClaimDigestAs(ctx, "UBOSS", "2026-11", other, now.Add(2*time.Second)); ok {
			t.Errorf("holder %q claimed a digest held by another", other)
		}
	}
	if err := db.MarkDigestSent(ctx, "UBOSS", "2026-11", "D", "1.1", now); err != nil {
		t.Fatal(err)
	}
	if ok, _ := db.ClaimDigestAs(ctx, "UBOSS", "2026-11", "digest:UBOSS:2026-11", now.Add(time.Minute)); ok {
		t.Error("a sent digest was claimed again by its holder")
	}
}

func TestDigestParts(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	part := func(n int, through string, last bool) DigestPart {
		return DigestPart{Manager: "UBOSS", Month: "2026-11", Part: n, Through: through, Last: last, Begun: now}
	}
	if err := db.BeginDigestPart(ctx, part(1, "U050", false)); err != nil {
		t.Fatal(err)
	}
	if err := db.PostedDigestPart(ctx, "UBOSS", "2026-11", 1, "DBOSS", "1.1"); err != nil {
		t.Fatal(err)
	}
	// A posted part is never begun again; one whose post never completed is.
	if err := db.BeginDigestPart(ctx, part(1, "U060", false)); err == nil {
		t.Error("a posted part was begun again")
	}
	if err := db.BeginDigestPart(ctx, part(2, "U100", false)); err != nil {
		t.Fatal(err)
	}
	if err := db.BeginDigestPart(ctx, part(2, "U120", true)); err != nil {
		t.Fatalf("begin a part whose post never completed: %v", err)
	}
	got, err := db.DigestParts(ctx, "UBOSS", "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	want := []DigestPart{
		{Manager: "UBOSS", Month: "2026-11", Part: 1, Through: "U050", Channel: "DBOSS", TS: "1.1", Begun: now},
		{Manager: "UBOSS", Month: "2026-11", Part: 2, Through: "U120", Last: true, Begun: now},
	}
	if len(got) != len(want) {
		t.Fatalf("DigestParts = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("part %d = %+v, want %+v", i+1, got[i], want[i])
		}
	}
	if err := db.AbandonDigestPart(ctx, "UBOSS", "2026-11", 2); err != nil {
		t.Fatal(err)
	}
	if err := db.AbandonDigestPart(ctx, "UBOSS", "2026-11", 1); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.DigestParts(ctx, "UBOSS", "2026-11"); len(got) != 1 || got[0].TS != "1.1" {
		t.Errorf("after abandoning part 2 (and, in vain, the posted part 1): %+v", got)
	}
	if err := db.PostedDigestPart(ctx, "UBOSS", "2026-11", 9, "D", "9.9"); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("PostedDigestPart of a part never begun = %v, want ErrNotFound", err)
	}
}
