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
