package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// This file keeps the weeks a member was off (weeks_off, 0016_away.sql):
// away by their Slack status, or paused, at their slot.

// The reasons a week is off.
const (
	// OffAway is a week whose question the send queue held because the
	// member's Slack status said they were away (ladder.Away).
	OffAway = "away"
	// OffPaused is a week whose slot passed while the member was paused.
	OffPaused = "paused"
)

// RecordWeekOff records that the member's weekly question of week was not
// asked because they were off, for reason (OffAway or OffPaused). A week is
// recorded once: it returns false, and changes nothing, if it already was.
// It fails with ladder.ErrNotEnrolled for a member not enrolled.
func (db *DB) RecordWeekOff(ctx context.Context, userID string, week ladder.Week, reason string, at time.Time) (bool, error) {
	if reason != OffAway && reason != OffPaused {
		return false, fmt.Errorf("record week off: unknown reason %q", reason)
	}
	var created bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO weeks_off (user_id, week, reason, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, week) DO NOTHING`,
			userID, week.String(), reason, toMS(at))
		if err != nil {
			return domainErr(err)
		}
		n, err := res.RowsAffected()
		created = n > 0
		return err
	})
	if err != nil {
		return false, fmt.Errorf("record week off: %w", err)
	}
	return created, nil
}

// AwayAfterPrompt records that the member of weekly prompt id was away after
// it went out, as their status said when its reminder was due: the week is
// marked paused (see pausedWeek), so it gets no reminder and never counts as
// missed. It fails with ladder.ErrNotFound if there is no such prompt.
func (db *DB) AwayAfterPrompt(ctx context.Context, id int64) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE prompts_sent SET paused = 1 WHERE id = ? AND kind = 'weekly'`, id)
	})
	if err != nil {
		return fmt.Errorf("away after prompt: %w", err)
	}
	return nil
}

// WeeksOff returns the member's weeks off recorded since since: those in
// weeks_off, and those of weekly prompts marked paused after they went out.
// The weeks are the member's ISO weeks.
func (db *DB) WeeksOff(ctx context.Context, userID string, since time.Time) (map[ladder.Week]bool, error) {
	off := map[ladder.Week]bool{}
	err := db.read(ctx, func(tx *sql.Tx) error {
		weeks, err := queryAll(ctx, tx, func(s scanner) (string, error) {
			var w string
			return w, s.Scan(&w)
		}, `
			SELECT week FROM weeks_off WHERE user_id = ? AND created_at >= ?
			UNION
			SELECT week FROM prompts_sent WHERE user_id = ? AND kind = 'weekly' AND paused = 1 AND created_at >= ?`,
			userID, toMS(since), userID, toMS(since))
		if err != nil {
			return err
		}
		for _, s := range weeks {
			w, err := parseWeek(s)
			if err != nil {
				return err
			}
			off[w] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("weeks off: %w", err)
	}
	return off, nil
}

// UntoldAway returns the member's away weeks whose held question they have
// not been told about yet, oldest first.
func (db *DB) UntoldAway(ctx context.Context, userID string) ([]ladder.Week, error) {
	var weeks []ladder.Week
	err := db.read(ctx, func(tx *sql.Tx) error {
		ss, err := queryAll(ctx, tx, func(s scanner) (string, error) {
			var w string
			return w, s.Scan(&w)
		}, `SELECT week FROM weeks_off WHERE user_id = ? AND reason = 'away' AND told_at = 0 ORDER BY week`, userID)
		if err != nil {
			return err
		}
		for _, s := range ss {
			w, err := parseWeek(s)
			if err != nil {
				return err
			}
			weeks = append(weeks, w)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("untold away weeks: %w", err)
	}
	return weeks, nil
}

// MarkAwayTold records that the member was told at at about their away weeks
// weeks, so that they are not told again.
func (db *DB) MarkAwayTold(ctx context.Context, userID string, weeks []ladder.Week, at time.Time) error {
	if len(weeks) == 0 {
		return nil
	}
	if at.IsZero() {
		return errors.New("mark away told: zero time")
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		for _, w := range weeks {
			if _, err := tx.ExecContext(ctx, `
				UPDATE weeks_off SET told_at = ? WHERE user_id = ? AND week = ? AND reason = 'away' AND told_at = 0`,
				toMS(at), userID, w.String()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark away told: %w", err)
	}
	return nil
}

// AwayStatus is what was last read of a member's Slack status.
type AwayStatus struct {
	Away    bool      // the status says they are away (ladder.Away)
	Until   time.Time // its expiration; zero: none
	Checked time.Time // when it was read
}

// AwayAt reports whether the status says its member is away at t.
func (s AwayStatus) AwayAt(t time.Time) bool {
	return s.Away && (s.Until.IsZero() || t.Before(s.Until))
}

// StatusRead keeps what was read of an enrolled member's status. It fails
// with ladder.ErrNotEnrolled for anyone else.
func (db *DB) StatusRead(ctx context.Context, userID string, s AwayStatus) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO away_status (user_id, away, until, checked_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET away = excluded.away, until = excluded.until, checked_at = excluded.checked_at`,
			userID, s.Away, toMS(s.Until), toMS(s.Checked))
		return domainErr(err)
	})
	if err != nil {
		return fmt.Errorf("status read: %w", err)
	}
	return nil
}

// LastStatus returns what was last read of the member's status, and false
// if it never was.
func (db *DB) LastStatus(ctx context.Context, userID string) (AwayStatus, bool, error) {
	var (
		s              AwayStatus
		until, checked int64
	)
	err := db.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT away, until, checked_at FROM away_status WHERE user_id = ?`, userID).
			Scan(&s.Away, &until, &checked)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return AwayStatus{}, false, nil
	}
	if err != nil {
		return AwayStatus{}, false, fmt.Errorf("last status: %w", err)
	}
	s.Until, s.Checked = fromMS(until), fromMS(checked)
	return s, true, nil
}
