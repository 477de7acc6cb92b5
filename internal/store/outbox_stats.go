package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// OutboxStats are the send queue's figures for monitoring: counts and a time,
// never a recipient or a message.
type OutboxStats struct {
	// Pending counts the rows not sent yet: waiting for their time, or
	// claimed by a sender right now.
	Pending int
	// Failed counts the rows that failed for good since the time asked.
	Failed int
	// Oldest is when the oldest row not sent yet was queued; zero when
	// nothing waits.
	Oldest time.Time
}

// waitingQueries count the rows in each state not sent yet, and find the
// lowest id. The states are literals, not parameters, so that SQLite can match
// the partial indexes when it plans the statements.
var waitingQueries = []string{
	`SELECT count(*), min(id) FROM outbox WHERE state = 'pending'`,
	`SELECT count(*), min(id) FROM outbox WHERE state = 'sending'`,
}

// failedSinceQuery counts the rows that failed at or after ?1. Its IN term
// repeats outbox_done's own WHERE, so that SQLite may use that index.
const failedSinceQuery = `
	SELECT count(*) FROM outbox
	WHERE state IN ('sent', 'failed', 'dropped') AND done_at >= ?1 AND state = 'failed'`

// OutboxStats reads the send queue's figures, for a metrics scrape, counting
// the rows that failed at or after since.
//
// A scrape comes every few seconds, so each figure is read off an index: the
// waiting rows are counted on the partial indexes outbox_pending and
// outbox_sending alone, and the oldest of them is the lowest id there (ids
// grow in the order rows are queued), one lookup in the table. No index holds
// the failed rows by themselves, so they are found among the rows finished
// since since, on outbox_done: a scrape costs the rows finished in that
// window, not every row kept. BenchmarkOutboxStats measures it.
func (db *DB) OutboxStats(ctx context.Context, since time.Time) (OutboxStats, error) {
	var s OutboxStats
	err := db.read(ctx, func(tx *sql.Tx) error {
		var oldest sql.NullInt64
		for _, q := range waitingQueries {
			var (
				n     int
				first sql.NullInt64
			)
			if err := tx.QueryRowContext(ctx, q).Scan(&n, &first); err != nil {
				return err
			}
			s.Pending += n
			if first.Valid && (!oldest.Valid || first.Int64 < oldest.Int64) {
				oldest = first
			}
		}
		if oldest.Valid {
			var created int64
			if err := tx.QueryRowContext(ctx,
				`SELECT created_at FROM outbox WHERE id = ?`, oldest.Int64).Scan(&created); err != nil {
				return err
			}
			s.Oldest = fromMS(created)
		}
		return tx.QueryRowContext(ctx, failedSinceQuery, toMS(since)).Scan(&s.Failed)
	})
	if err != nil {
		return OutboxStats{}, fmt.Errorf("outbox stats: %w", err)
	}
	return s, nil
}
