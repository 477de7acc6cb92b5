package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// PruneEvents forgets, before then, the events handled (their ids, kept for
// dedupe), the edits kept for messages that never came and the record of
// messages deleted, and returns how many rows it deleted. Keep at least an
// hour: Slack retries for that long. Events not yet handled are kept.
func (db *DB) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM inbox WHERE done_at != 0 AND done_at < ?`,
			`DELETE FROM early_edits WHERE received_at < ?`,
			`DELETE FROM deleted_messages WHERE received_at < ?`,
		} {
			res, err := tx.ExecContext(ctx, q, toMS(before))
			if err != nil {
				return err
			}
			m, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += m
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("prune events: %w", err)
	}
	return n, nil
}
