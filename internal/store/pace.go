package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PaceState is one Web API method's pace as all the app's replicas share it:
// the send queue's token bucket, a 429's pause, and the pacer's adaptive rate.
// The store only keeps it; package schedule decides what it means. Times are
// kept to the millisecond, rounded down.
type PaceState struct {
	// Rate is calls a second; 0 in a row no one has written yet.
	Rate float64
	// Burst is the most tokens the bucket holds.
	Burst float64
	// Tokens were in the bucket at CountedAt.
	Tokens    float64
	CountedAt time.Time
	// PausedUntil is the end of a 429's Retry-After.
	PausedUntil time.Time
	// Slow is true until the first 429: slow start. It is true in a new row.
	Slow bool
	// Wanted is set when a send waited for the rate since LastRaise.
	Wanted    bool
	LastRaise time.Time
	Last429   time.Time
}

// Pace reads method's row of send_pace (a new row, Rate 0 and Slow, if it
// has none), lets fn change it, and writes it back, all in one transaction:
// a replica that reserves a slot at the same moment waits for this one and
// sees what it wrote. If fn returns an error, nothing is written and Pace
// returns it. On PostgreSQL the row is locked (FOR UPDATE) under READ
// COMMITTED: replicas queue for it rather than fail as SERIALIZABLE would.
func (db *DB) Pace(ctx context.Context, method string, fn func(*PaceState) error) error {
	err := db.rowWrite(ctx, func(tx *sql.Tx) error {
		s, err := db.readPace(ctx, tx, method)
		if errors.Is(err, sql.ErrNoRows) {
			// Two replicas may find no row at once: each inserts, one
			// insert does nothing, and both read the row that is there.
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO send_pace (method) VALUES (?) ON CONFLICT (method) DO NOTHING`, method); err != nil {
				return err
			}
			s, err = db.readPace(ctx, tx, method)
		}
		if err != nil {
			return err
		}
		if err := fn(&s); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE send_pace SET rate = ?, burst = ?, tokens = ?, counted_at = ?, paused_until = ?,
				slow = ?, wanted = ?, last_raise = ?, last_429 = ?
			WHERE method = ?`,
			s.Rate, s.Burst, s.Tokens, toMS(s.CountedAt), toMS(s.PausedUntil),
			s.Slow, s.Wanted, toMS(s.LastRaise), toMS(s.Last429), method)
		return err
	})
	if err != nil {
		return fmt.Errorf("pace %s: %w", method, err)
	}
	return nil
}

func (db *DB) readPace(ctx context.Context, tx *sql.Tx, method string) (PaceState, error) {
	var (
		s                                PaceState
		counted, paused, raised, last429 int64
	)
	err := tx.QueryRowContext(ctx, `
		SELECT rate, burst, tokens, counted_at, paused_until, slow, wanted, last_raise, last_429
		FROM send_pace WHERE method = ?`+db.forUpdate(), method).Scan(
		&s.Rate, &s.Burst, &s.Tokens, &counted, &paused, &s.Slow, &s.Wanted, &raised, &last429)
	s.CountedAt, s.PausedUntil, s.LastRaise, s.Last429 = fromMS(counted), fromMS(paused), fromMS(raised), fromMS(last429)
	return s, err
}
