package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SeenEvent records that the Slack event eventID arrived at at and was
// handled there and then, outside the inbox. It returns true only the first
// time an id is seen, in the inbox or here, so that an event Slack retries is
// handled once. The record is committed before SeenEvent returns, so it holds
// across restarts.
func (db *DB) SeenEvent(ctx context.Context, eventID string, at time.Time) (bool, error) {
	if eventID == "" {
		return false, errors.New("seen event: empty event id")
	}
	var first bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO inbox (event_id, payload, received_at, done_at) VALUES (?, x'', ?, ?)
			ON CONFLICT (event_id) DO NOTHING`,
			eventID, toMS(at), max(toMS(at), 1))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		first = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("seen event: %w", err)
	}
	return first, nil
}

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
