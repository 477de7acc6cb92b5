package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

func digestRow(manager string, created time.Time) OutboxItem {
	return OutboxItem{
		Key: "digest:" + manager + ":2026-11", Kind: OutboxDigest, Method: "chat.postMessage",
		UserID: manager, Period: "2026-11", TZ: "UTC", DueAt: created, Created: created,
	}
}

func TestOutboxStats(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	stats := func(when string, want OutboxStats) {
		t.Helper()
		got, err := db.OutboxStats(ctx, now.Add(-24*time.Hour))
		if err != nil {
			t.Fatalf("%s: OutboxStats: %v", when, err)
		}
		if got.Pending != want.Pending || got.Failed != want.Failed || !got.Oldest.Equal(want.Oldest) {
			t.Errorf("%s: OutboxStats = %+v; want %+v", when, got, want)
		}
	}
	stats("empty", OutboxStats{})

	// Queued in this order; due (and claimed) in order of creation.
	if _, err := db.Enqueue(ctx,
		digestRow("M1", now.Add(-3*time.Hour)),
		digestRow("M2", now.Add(-1*time.Hour)),
		digestRow("M3", now.Add(-2*time.Hour)),
		digestRow("M4", now),
	); err != nil {
		t.Fatal(err)
	}
	stats("four queued", OutboxStats{Pending: 4, Oldest: now.Add(-3 * time.Hour)})
	if _, err := db.db.ExecContext(ctx, `
		INSERT INTO outbox (key, kind, method, user_id, state, due_at, done_at, created_at)
		VALUES ('digest:M0:2026-10', 'digest', 'chat.postMessage', 'M0', 'failed', ?1, ?1, ?1)`,
		toMS(now.Add(-25*time.Hour))); err != nil {
		t.Fatal(err)
	}
	stats("a failure before the window", OutboxStats{Pending: 4, Oldest: now.Add(-3 * time.Hour)})

	// A row a sender holds has not been sent yet.
	m1 := mustClaim(t, db, now, "t1")
	stats("M1 claimed", OutboxStats{Pending: 4, Oldest: now.Add(-3 * time.Hour)})

	if err := db.FinishOutbox(ctx, m1, OutboxFailed, "user_not_found", now); err != nil {
		t.Fatal(err)
	}
	m3 := mustClaim(t, db, now, "t2")
	if m3.UserID != "M3" {
		t.Fatalf("claimed %s; want M3, the next due", m3.UserID)
	}
	if err := db.CompleteOutbox(ctx, m3, "D1", "1.1", now); err != nil {
		t.Fatal(err)
	}
	stats("M1 failed, M3 sent", OutboxStats{Pending: 2, Failed: 1, Oldest: now.Add(-1 * time.Hour)})
}

// TestOutboxStatsPlans checks that each query of OutboxStats reads an index,
// not the whole table, which keeps every row sent in the last 40 days.
func TestOutboxStatsPlans(t *testing.T) {
	sqliteOnly(t) // EXPLAIN QUERY PLAN is SQLite's
	db := MustOpen(t)
	for _, q := range append(waitingQueries, failedSinceQuery) {
		rows, err := db.db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, int64(0))
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if len(plan) != 1 || !strings.Contains(plan[0], "INDEX outbox_") {
			t.Errorf("%s\nplans as %q; want one step on an outbox index", q, plan)
		}
	}
}

// BenchmarkOutboxStats measures a metrics scrape's read of the send queue
// with 10,000 members: 200,000 finished rows (1% failed) kept over 40 days,
// beside a Monday fan-out of 10,000 waiting ones. Row i finishes i steps of
// 40 days/200,000 after a millisecond before the 40 days began, so that the
// last day holds rows 195,001 to 200,000 exactly. (Counting every failed row
// kept, with no index for it, took 46 ms a scrape here; the last day's, 2.7.)
func BenchmarkOutboxStats(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	const finished, waiting = 200_000, 10_000
	_, err := db.db.ExecContext(ctx, `
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 + ?2)
		INSERT INTO outbox (key, kind, method, user_id, period, state, due_at, done_at, created_at)
		SELECT 'digest:M' || i || ':2026-11', 'digest', 'chat.postMessage', 'M' || i, '2026-11',
			CASE WHEN i > ?1 THEN 'pending' WHEN i % 100 = 0 THEN 'failed' ELSE 'sent' END,
			?3 + i * ?4, CASE WHEN i > ?1 THEN 0 ELSE ?3 + i * ?4 END, ?3 + i * ?4
		FROM n`, finished, waiting, toMS(now.Add(-40*24*time.Hour))-1, (40 * 24 * time.Hour / finished).Milliseconds())
	if err != nil {
		b.Fatal(err)
	}
	since := now.Add(-24 * time.Hour)
	got, err := db.OutboxStats(ctx, since)
	if want := finished / 40 / 100; err != nil || got.Pending != waiting || got.Failed != want {
		b.Fatalf("OutboxStats = %+v, %v; want %d pending, %d failed in the last day", got, err, waiting, want)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := db.OutboxStats(ctx, since); err != nil {
			b.Fatal(err)
		}
	}
}
