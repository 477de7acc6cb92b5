package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// WeeklyPrompt returns the member's weekly prompt of week, or an error
// wrapping ladder.ErrNotFound if none was recorded.
func (db *DB) WeeklyPrompt(ctx context.Context, userID string, week ladder.Week) (PromptSent, error) {
	var p PromptSent
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		p, err = scanPrompt(tx.QueryRowContext(ctx, `
			SELECT `+promptCols+` FROM prompts_sent
			WHERE user_id = ? AND week = ? AND kind = 'weekly'`, userID, week.String()))
		return notFound(err, ladder.ErrNotFound)
	})
	if err != nil {
		return PromptSent{}, fmt.Errorf("weekly prompt: %w", err)
	}
	return p, nil
}

// PromptSentByID returns a recorded prompt, or an error wrapping
// ladder.ErrNotFound.
func (db *DB) PromptSentByID(ctx context.Context, id int64) (PromptSent, error) {
	var p PromptSent
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		p, err = scanPrompt(tx.QueryRowContext(ctx, `SELECT `+promptCols+` FROM prompts_sent WHERE id = ?`, id))
		return notFound(err, ladder.ErrNotFound)
	})
	if err != nil {
		return PromptSent{}, fmt.Errorf("prompt sent: %w", err)
	}
	return p, nil
}

// EnqueueReminder claims the one reminder of the recorded prompt it.PromptRef
// at at, and queues it, in one transaction: either the reminder is claimed and
// queued, or neither. It returns false if the
// prompt's reminder was claimed before, or if its week had paused time (see
// WeekPaused).
func (db *DB) EnqueueReminder(ctx context.Context, it OutboxItem, at time.Time) (bool, error) {
	if it.Kind != OutboxReminder || it.PromptRef == 0 {
		return false, errors.New("enqueue reminder: not a reminder of a prompt")
	}
	if at.IsZero() {
		return false, errors.New("enqueue reminder: zero time")
	}
	var first bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE prompts_sent SET reminded_at = ? WHERE id = ? AND reminded_at = 0 AND paused = 0`,
			toMS(at), it.PromptRef)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		first = true
		_, err = enqueue(ctx, tx, it)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("enqueue reminder: %w", err)
	}
	return first, nil
}

// WeekPaused reports whether the member of the recorded prompt id was paused
// at some time after it went out, even if the pause has since been ended by
// a resume: its week gets no reminder and never counts as missed. It returns
// an error wrapping ladder.ErrNotFound for an unknown prompt.
func (db *DB) WeekPaused(ctx context.Context, id int64) (bool, error) {
	var paused bool
	err := db.read(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT paused FROM prompts_sent WHERE id = ?`, id).Scan(&paused)
		return notFound(err, ladder.ErrNotFound)
	})
	if err != nil {
		return false, fmt.Errorf("week paused: %w", err)
	}
	return paused, nil
}

// ZoneChecked records that the user's timezone was read at at. An empty tz
// records the check but keeps the zone known before.
func (db *DB) ZoneChecked(ctx context.Context, userID, tz string, at time.Time) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO zones (user_id, tz, checked_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET checked_at = excluded.checked_at,
				tz = CASE WHEN excluded.tz != '' THEN excluded.tz ELSE zones.tz END`,
			userID, tz, toMS(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("zone checked: %w", err)
	}
	return nil
}

// Zone is what is known of a user's timezone.
type Zone struct {
	TZ      string    // "" while unknown
	Checked time.Time // when it was last read from Slack
}

// Zones returns the timezone last read for each user whose zone was ever
// read, members and managers who are not enrolled alike.
func (db *DB) Zones(ctx context.Context) (map[string]Zone, error) {
	zs := map[string]Zone{}
	err := db.read(ctx, func(tx *sql.Tx) error {
		return eachRow(ctx, tx, func(s scanner) error {
			var (
				id string
				z  Zone
				at int64
			)
			err := s.Scan(&id, &z.TZ, &at)
			z.Checked = fromMS(at)
			zs[id] = z
			return err
		}, `SELECT user_id, tz, checked_at FROM zones`)
	})
	if err != nil {
		return nil, fmt.Errorf("zones: %w", err)
	}
	return zs, nil
}

// ScheduleVersion returns a number that changes whenever something that
// decides what is due changes: members, prompts, deleted evidence, zones.
// While it stands still, nothing becomes due but by the clock.
//
// The scheduler asks every minute, so this one statement runs as its own
// implicit transaction rather than inside BEGIN and COMMIT.
func (db *DB) ScheduleVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.db.QueryRowContext(ctx, `SELECT version FROM schedule_version WHERE id = 1`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("schedule version: %w", err)
	}
	return v, nil
}

// NextReminderDue returns the earliest creation time, after since, of a
// posted weekly prompt that is neither skipped, paused nor reminded yet: the
// next prompt whose reminder may fall due. It returns false if there is none.
func (db *DB) NextReminderDue(ctx context.Context, since time.Time) (time.Time, bool, error) {
	var at sql.NullInt64
	err := db.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `
			SELECT min(created_at) FROM prompts_sent
			WHERE kind = 'weekly' AND ts != '' AND skipped = 0 AND paused = 0 AND reminded_at = 0
				AND created_at > ?`,
			toMS(since)).Scan(&at)
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next reminder due: %w", err)
	}
	if !at.Valid {
		return time.Time{}, false, nil
	}
	return fromMS(at.Int64), true, nil
}
