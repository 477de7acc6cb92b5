package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// PromptSent is a prompt recorded as sent to a member: recorded first, then
// marked posted with the Slack message it became.
type PromptSent struct {
	ID       int64
	UserID   string
	PromptID string
	Week     ladder.Week // the member's ISO week it was sent in
	Weekly   bool        // the scheduled weekly prompt, rather than one on demand
	Created  time.Time
	Channel  string // "" until posted
	TS       string
	Skipped  bool
	Reminded time.Time // zero until the one reminder is claimed
}

// promptCols are the prompts_sent columns in the order scanPrompt reads them.
const promptCols = `id, user_id, prompt_id, week, kind, created_at, channel, ts, skipped, reminded_at`

// RecordPrompt records a prompt before it is posted and returns it with its id
// and created=true. A weekly prompt is recorded at most once per member and
// week: if one exists, RecordPrompt returns it with created=false, and the
// caller must not post again. A zero Week is taken from Created in UTC.
func (db *DB) RecordPrompt(ctx context.Context, p PromptSent) (PromptSent, bool, error) {
	switch {
	case p.UserID == "" || p.PromptID == "":
		return PromptSent{}, false, errors.New("record prompt: empty user or prompt id")
	case p.Created.IsZero():
		return PromptSent{}, false, errors.New("record prompt: zero creation time")
	}
	if p.Week == (ladder.Week{}) {
		p.Week = ladder.WeekOf(p.Created.UTC())
	}
	kind := "ondemand"
	if p.Weekly {
		kind = "weekly"
	}
	var created bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		// With no conflict target, DO NOTHING covers the partial unique index
		// on (user_id, week) for weekly prompts.
		p2, err := scanPrompt(tx.QueryRowContext(ctx, `
			INSERT INTO prompts_sent (user_id, prompt_id, week, kind, created_at, channel, ts, skipped, reminded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING
			RETURNING `+promptCols,
			p.UserID, p.PromptID, p.Week.String(), kind, toMS(p.Created), p.Channel, p.TS, p.Skipped,
			toMS(p.Reminded)))
		if err == nil {
			created, p = true, p2
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return domainErr(err)
		}
		p, err = scanPrompt(tx.QueryRowContext(ctx, `
			SELECT `+promptCols+` FROM prompts_sent
			WHERE user_id = ? AND week = ? AND kind = 'weekly'`,
			p.UserID, p.Week.String()))
		return err
	})
	if err != nil {
		return PromptSent{}, false, fmt.Errorf("record prompt: %w", err)
	}
	return p, created, nil
}

// MarkPromptPosted records the Slack message a recorded prompt became.
func (db *DB) MarkPromptPosted(ctx context.Context, id int64, channel, ts string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE prompts_sent SET channel = ?, ts = ? WHERE id = ?`, channel, ts, id)
	})
	if err != nil {
		return fmt.Errorf("mark prompt posted: %w", err)
	}
	return nil
}

// SkipWeek marks the user's weekly prompt of that week as skipped. It fails
// with ladder.ErrNotFound if no weekly prompt was recorded that week.
func (db *DB) SkipWeek(ctx context.Context, userID string, week ladder.Week) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx,
			`UPDATE prompts_sent SET skipped = 1 WHERE user_id = ? AND week = ? AND kind = 'weekly'`,
			userID, week.String())
	})
	if err != nil {
		return fmt.Errorf("skip week %s: %w", week, err)
	}
	return nil
}

// RecentPrompts returns the prompts sent to the user since then, oldest first.
func (db *DB) RecentPrompts(ctx context.Context, userID string, since time.Time) ([]ladder.Sent, error) {
	var ss []ladder.Sent
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		ss, err = queryAll(ctx, tx, func(sc scanner) (ladder.Sent, error) {
			var (
				s  ladder.Sent
				at int64
			)
			err := sc.Scan(&s.PromptID, &at)
			s.At = fromMS(at)
			return s, err
		}, `
			SELECT prompt_id, created_at FROM prompts_sent
			WHERE user_id = ? AND created_at >= ?
			ORDER BY created_at, id`,
			userID, toMS(since))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("recent prompts: %w", err)
	}
	return ss, nil
}

// LatestPrompt returns the newest prompt recorded for the user at or after
// since: the one an answer links to. It fails with ladder.ErrNotFound if
// there is none.
func (db *DB) LatestPrompt(ctx context.Context, userID string, since time.Time) (PromptSent, error) {
	var p PromptSent
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		p, err = scanPrompt(tx.QueryRowContext(ctx, `
			SELECT `+promptCols+` FROM prompts_sent
			WHERE user_id = ? AND created_at >= ?
			ORDER BY created_at DESC, id DESC
			LIMIT 1`,
			userID, toMS(since)))
		return notFound(err, ladder.ErrNotFound)
	})
	if err != nil {
		return PromptSent{}, fmt.Errorf("latest prompt: %w", err)
	}
	return p, nil
}

// PromptByTS returns the prompt posted as the Slack message channel/ts, the
// parent of a thread reply. It fails with ladder.ErrNotFound if there is none.
func (db *DB) PromptByTS(ctx context.Context, channel, ts string) (PromptSent, error) {
	var p PromptSent
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		if ts == "" {
			return ladder.ErrNotFound
		}
		p, err = scanPrompt(tx.QueryRowContext(ctx,
			`SELECT `+promptCols+` FROM prompts_sent WHERE channel = ? AND ts = ?`, channel, ts))
		return notFound(err, ladder.ErrNotFound)
	})
	if err != nil {
		return PromptSent{}, fmt.Errorf("prompt by ts: %w", err)
	}
	return p, nil
}

// DueReminders returns, oldest first, the prompts that may get their one
// reminder: recorded between from and to, posted, not skipped, not yet
// reminded, and with no evidence from the member since they were recorded.
// The caller queues each with EnqueueReminder, which claims it.
func (db *DB) DueReminders(ctx context.Context, from, to time.Time) ([]PromptSent, error) {
	var ps []PromptSent
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		ps, err = queryAll(ctx, tx, scanPrompt, `
			SELECT `+promptCols+` FROM prompts_sent AS p
			WHERE p.created_at >= ? AND p.created_at <= ?
				AND p.ts != '' AND p.skipped = 0 AND p.reminded_at = 0
				AND NOT EXISTS (
					SELECT 1 FROM evidence AS e
					WHERE e.user_id = p.user_id AND e.created_at >= p.created_at)
			ORDER BY p.created_at, p.id`,
			toMS(from), toMS(to))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("due reminders: %w", err)
	}
	return ps, nil
}

// execOne runs a statement that must change exactly one row, and returns
// ladder.ErrNotFound if it changed none.
func execOne(ctx context.Context, tx *sql.Tx, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ladder.ErrNotFound
	}
	return nil
}

func scanPrompt(s scanner) (PromptSent, error) {
	var (
		p                 PromptSent
		week, kind        string
		created, reminded int64
	)
	if err := s.Scan(&p.ID, &p.UserID, &p.PromptID, &week, &kind, &created,
		&p.Channel, &p.TS, &p.Skipped, &reminded); err != nil {
		return PromptSent{}, err
	}
	w, err := parseWeek(week)
	if err != nil {
		return PromptSent{}, fmt.Errorf("prompt %d: %w", p.ID, err)
	}
	p.Week, p.Weekly = w, kind == "weekly"
	p.Created, p.Reminded = fromMS(created), fromMS(reminded)
	return p, nil
}

// parseWeek reads an ISO week written by ladder.Week.String, such as 2026-W47.
func parseWeek(s string) (ladder.Week, error) {
	var w ladder.Week
	if _, err := fmt.Sscanf(s, "%d-W%d", &w.Year, &w.Week); err != nil || w.String() != s {
		return ladder.Week{}, fmt.Errorf("bad week %q", s)
	}
	return w, nil
}
