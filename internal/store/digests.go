package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
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
	return db.ClaimDigestAs(ctx, manager, month, "", at)
}

// ClaimDigestAs is ClaimDigest on behalf of holder, who may also claim again
// a digest they already hold, at once: a sender that lost track of a send
// (the send queue retrying its row) finishes it without waiting out the
// lease. Only one sender may use a holder at a time; an empty holder is
// never granted a claim it holds.
func (db *DB) ClaimDigestAs(ctx context.Context, manager, month, holder string, at time.Time) (bool, error) {
	if manager == "" || month == "" {
		return false, errors.New("claim digest: empty manager or month")
	}
	if at.IsZero() {
		return false, errors.New("claim digest: zero time")
	}
	var claimed bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO digests_sent (manager, month, claimed_at, holder) VALUES (?1, ?2, ?3, ?5)
			ON CONFLICT (manager, month) DO UPDATE SET claimed_at = excluded.claimed_at, holder = excluded.holder
			WHERE digests_sent.sent_at = 0
				AND (digests_sent.claimed_at <= ?4 OR (?5 != '' AND digests_sent.holder = ?5))`,
			manager, month, toMS(at), toMS(at.Add(-DigestClaimLease)), holder)
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

// DigestPart is one message of a digest too long for one (migration 0006).
type DigestPart struct {
	Manager, Month string
	Part           int    // 1, 2, …
	Through        string // the last report the part shows
	Last           bool   // the final part
	// Channel and TS are where the part was posted; TS is empty while it is
	// being posted, or if a crash cut that short: then it may be in Slack.
	Channel, TS string
	Begun       time.Time
}

// DigestParts returns the parts of manager's digest for month recorded so
// far, in order.
func (db *DB) DigestParts(ctx context.Context, manager, month string) ([]DigestPart, error) {
	var ps []DigestPart
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		ps, err = queryAll(ctx, tx, func(s scanner) (DigestPart, error) {
			p := DigestPart{Manager: manager, Month: month}
			var begun int64
			err := s.Scan(&p.Part, &p.Through, &p.Last, &p.Channel, &p.TS, &begun)
			p.Begun = fromMS(begun)
			return p, err
		}, `SELECT part, through, last, channel, ts, begun_at FROM digest_parts
			WHERE manager = ? AND month = ? ORDER BY part`, manager, month)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("digest parts: %w", err)
	}
	return ps, nil
}

// BeginDigestPart records that p is about to be posted, with no ts yet. It
// replaces a part of that number whose post never completed.
func (db *DB) BeginDigestPart(ctx context.Context, p DigestPart) error {
	if p.Manager == "" || p.Month == "" || p.Part < 1 || p.Begun.IsZero() {
		return errors.New("begin digest part: empty manager, month, part or time")
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `
			INSERT INTO digest_parts (manager, month, part, through, last, begun_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (manager, month, part) DO UPDATE SET
				through = excluded.through, last = excluded.last, begun_at = excluded.begun_at
			WHERE digest_parts.ts = ''`,
			p.Manager, p.Month, p.Part, p.Through, p.Last, toMS(p.Begun))
	})
	if errors.Is(err, ladder.ErrNotFound) {
		return fmt.Errorf("begin digest part %d of %s %s: already posted", p.Part, p.Manager, p.Month)
	}
	if err != nil {
		return fmt.Errorf("begin digest part: %w", err)
	}
	return nil
}

// PostedDigestPart records that part was posted as channel/ts. It fails with
// ladder.ErrNotFound if the part was never begun.
func (db *DB) PostedDigestPart(ctx context.Context, manager, month string, part int, channel, ts string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE digest_parts SET channel = ?, ts = ? WHERE manager = ? AND month = ? AND part = ?`,
			channel, ts, manager, month, part)
	})
	if err != nil {
		return fmt.Errorf("posted digest part: %w", err)
	}
	return nil
}

// AbandonDigestPart forgets a begun part that was certainly not posted (Slack
// refused it), so that nobody looks for it in Slack.
func (db *DB) AbandonDigestPart(ctx context.Context, manager, month string, part int) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM digest_parts WHERE manager = ? AND month = ? AND part = ? AND ts = ''`,
			manager, month, part)
		return err
	})
	if err != nil {
		return fmt.Errorf("abandon digest part: %w", err)
	}
	return nil
}
