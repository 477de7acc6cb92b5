package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SeenEvent records that the Slack event eventID arrived at at. It returns
// true only the first time an id is seen, so that an event Slack retries is
// handled once. The record is committed before SeenEvent returns, so it holds
// across restarts.
func (db *DB) SeenEvent(ctx context.Context, eventID string, at time.Time) (bool, error) {
	if eventID == "" {
		return false, errors.New("seen event: empty event id")
	}
	var first bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`INSERT INTO events_seen (event_id, seen_at) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING`,
			eventID, toMS(at))
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

// PruneEvents forgets the events seen before then and returns how many it
// forgot. Keep at least an hour: Slack retries for that long.
func (db *DB) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM events_seen WHERE seen_at < ?`, toMS(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune events: %w", err)
	}
	return n, nil
}
