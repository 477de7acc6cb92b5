package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DigestClaimLease is how long a claimed digest that was never marked sent
// stays claimed. After it, the claim is taken to have died with its process and
// ClaimDigest grants it again, so a crash between claim and send loses no digest.
const DigestClaimLease = 15 * time.Minute

// ClaimDigest claims the right to send manager's digest for month (YYYY-MM).
// It returns true to exactly one caller: the first, or the first after a claim
// has gone DigestClaimLease without being marked sent. A digest marked sent is
// never claimed again. Only that a digest went out is stored, never its body.
func (db *DB) ClaimDigest(ctx context.Context, manager, month string, at time.Time) (bool, error) {
	if manager == "" || month == "" {
		return false, errors.New("claim digest: empty manager or month")
	}
	if at.IsZero() {
		return false, errors.New("claim digest: zero time")
	}
	var claimed bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO digests_sent (manager, month, claimed_at) VALUES (?, ?, ?)
			ON CONFLICT (manager, month) DO UPDATE SET claimed_at = excluded.claimed_at
			WHERE sent_at = 0 AND claimed_at <= ?`,
			manager, month, toMS(at), toMS(at.Add(-DigestClaimLease)))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		claimed = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claim digest: %w", err)
	}
	return claimed, nil
}

// MarkDigestSent records that the claimed digest was posted as channel/ts. It
// fails with ladder.ErrNotFound if the digest was never claimed.
func (db *DB) MarkDigestSent(ctx context.Context, manager, month, channel, ts string, at time.Time) error {
	if at.IsZero() {
		return errors.New("mark digest sent: zero time")
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx,
			`UPDATE digests_sent SET sent_at = ?, channel = ?, ts = ? WHERE manager = ? AND month = ?`,
			toMS(at), channel, ts, manager, month)
	})
	if err != nil {
		return fmt.Errorf("mark digest sent: %w", err)
	}
	return nil
}

// DigestSent reports whether manager's digest for month was marked sent.
func (db *DB) DigestSent(ctx context.Context, manager, month string) (bool, error) {
	var sent bool
	err := db.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx,
			`SELECT count(*) FROM digests_sent WHERE manager = ? AND month = ? AND sent_at != 0`,
			manager, month).Scan(&sent)
	})
	if err != nil {
		return false, fmt.Errorf("digest sent: %w", err)
	}
	return sent, nil
}
