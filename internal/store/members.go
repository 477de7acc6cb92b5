package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// memberCols are the members columns in the order scanMember reads them.
const memberCols = `user_id, name, tz, level, target, level_since, track,
	slot_on, slot_day, slot_minute, paused_until, manager, share, enrolled_at,
	manager_pending, manager_declined`

// Enroll stores m if its user is not enrolled yet. It returns the stored member
// and created=true, or the member already stored and created=false.
func (db *DB) Enroll(ctx context.Context, m ladder.Member) (ladder.Member, bool, error) {
	if m.UserID == "" {
		return ladder.Member{}, false, errors.New("enroll: empty user id")
	}
	if m.EnrolledAt.IsZero() {
		return ladder.Member{}, false, errors.New("enroll: zero enrolment time")
	}
	var created bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO members (`+memberCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO NOTHING`,
			m.UserID, m.Name, m.TZ, string(m.Level), string(m.Target), formatMonth(m.LevelSince), m.Track,
			m.Slot.On, int(m.Slot.Day), m.Slot.Minute, toMS(m.PausedUntil), m.Manager, string(m.Share),
			toMS(m.EnrolledAt), m.ManagerPending && m.Manager != "", m.ManagerDeclined)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		created = n == 1
		m, err = member(ctx, tx, m.UserID)
		return err
	})
	if err != nil {
		return ladder.Member{}, false, fmt.Errorf("enroll: %w", err)
	}
	return m, created, nil
}

// Member returns an enrolled member, or an error wrapping ladder.ErrNotEnrolled.
func (db *DB) Member(ctx context.Context, userID string) (ladder.Member, error) {
	var m ladder.Member
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		m, err = member(ctx, tx, userID)
		return err
	})
	if err != nil {
		return ladder.Member{}, fmt.Errorf("member: %w", err)
	}
	return m, nil
}

// UpdateMember reads the member, lets fn change it, and stores the result, all
// in one transaction. An error from fn aborts the update and is returned
// wrapped. The user id and enrolment time cannot change.
//
// A new manager has not accepted yet: whenever the manager changes, the link
// is stored as pending, whatever fn set, and only AnswerManager accepts it. fn
// cannot change ManagerDeclined either.
//
// A change to the member's pause (a pause, a longer or shorter one, a resume)
// is also recorded on their latest weekly prompt, as pausedWeek says.
func (db *DB) UpdateMember(ctx context.Context, userID string, fn func(*ladder.Member) error) (ladder.Member, error) {
	var m ladder.Member
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		if m, err = member(ctx, tx, userID); err != nil {
			return err
		}
		was, before := m.PausedUntil, m
		if err := fn(&m); err != nil {
			return err
		}
		if m.UserID != userID {
			return fmt.Errorf("user id cannot change from %s to %s", userID, m.UserID)
		}
		m.ManagerPending, m.ManagerDeclined = before.ManagerPending, before.ManagerDeclined
		if m.Manager != before.Manager {
			m.ManagerPending = m.Manager != ""
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE members SET name = ?, tz = ?, level = ?, target = ?, level_since = ?, track = ?,
				slot_on = ?, slot_day = ?, slot_minute = ?, paused_until = ?, manager = ?, share = ?,
				manager_pending = ?
			WHERE user_id = ?`,
			m.Name, m.TZ, string(m.Level), string(m.Target), formatMonth(m.LevelSince), m.Track,
			m.Slot.On, int(m.Slot.Day), m.Slot.Minute, toMS(m.PausedUntil), m.Manager, string(m.Share),
			m.ManagerPending, userID); err != nil {
			return err
		}
		if !toMSEqual(was, m.PausedUntil) {
			if err := pausedWeek(ctx, tx, userID, later(was, m.PausedUntil)); err != nil {
				return err
			}
		}
		m, err = member(ctx, tx, userID)
		return err
	})
	if err != nil {
		return ladder.Member{}, fmt.Errorf("update member: %w", err)
	}
	return m, nil
}

// pausedWeek records, when a member's pause changes, that their latest
// weekly prompt's week had paused time, if the pause before or after the
// change ran past the prompt (until, the later of the two ends). The store
// has no clock, so it goes by order rather than time: the change happens
// after the prompt went out, and the pause was on from its start, which is
// before the change, until its end. So if that end is after the prompt, the
// member was paused at some time after it. Only the latest weekly prompt can
// be concerned: no weekly prompt goes out during a pause. A reminder of it
// still waiting in the outbox is dropped.
func pausedWeek(ctx context.Context, tx *sql.Tx, userID string, until time.Time) error {
	if until.IsZero() {
		return nil
	}
	var (
		id      int64
		created int64
	)
	err := tx.QueryRowContext(ctx, `
		SELECT id, created_at FROM prompts_sent WHERE user_id = ? AND kind = 'weekly'
		ORDER BY created_at DESC, id DESC LIMIT 1`, userID).Scan(&id, &created)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && created >= toMS(until)) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("paused week: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE prompts_sent SET paused = 1 WHERE id = ? AND paused = 0`, id); err != nil {
		return fmt.Errorf("paused week: %w", err)
	}
	// No clock here: the row is marked done at the time it was queued, which
	// only decides when PruneOutbox deletes it.
	if _, err := tx.ExecContext(ctx, `
		UPDATE outbox SET state = 'dropped', done_at = created_at, last_error = 'paused'
		WHERE kind = 'reminder' AND prompt_ref = ? AND state = 'pending'`, id); err != nil {
		return fmt.Errorf("paused week: %w", err)
	}
	return nil
}

// toMSEqual reports whether a and b are stored as the same time.
func toMSEqual(a, b time.Time) bool { return toMS(a) == toMS(b) }

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Members returns every enrolled member, ordered by user id.
func (db *DB) Members(ctx context.Context) ([]ladder.Member, error) {
	var ms []ladder.Member
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		ms, err = members(ctx, tx, `SELECT `+memberCols+` FROM members ORDER BY user_id`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	return ms, nil
}

// Reports returns the members who name managerID as their manager and whom
// managerID has accepted, ordered by user id. A link still waiting for the
// manager's consent is not one: it gets no digest and no evidence.
func (db *DB) Reports(ctx context.Context, managerID string) ([]ladder.Member, error) {
	var ms []ladder.Member
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		ms, err = members(ctx, tx,
			`SELECT `+memberCols+` FROM members WHERE manager = ? AND manager_pending = 0 ORDER BY user_id`, managerID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	return ms, nil
}

// Managers returns, in order, the user ids that at least one member names as
// manager and that have accepted. A manager need not be enrolled.
func (db *DB) Managers(ctx context.Context) ([]string, error) {
	var ids []string
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		ids, err = queryAll(ctx, tx, scanString,
			`SELECT DISTINCT manager FROM members WHERE manager != '' AND manager_pending = 0 ORDER BY manager`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("managers: %w", err)
	}
	return ids, nil
}

func member(ctx context.Context, tx *sql.Tx, userID string) (ladder.Member, error) {
	m, err := scanMember(tx.QueryRowContext(ctx,
		`SELECT `+memberCols+` FROM members WHERE user_id = ?`, userID))
	if err != nil {
		return ladder.Member{}, notFound(err, ladder.ErrNotEnrolled)
	}
	return m, nil
}

func members(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]ladder.Member, error) {
	return queryAll(ctx, tx, scanMember, query, args...)
}

func scanMember(s scanner) (ladder.Member, error) {
	var (
		m                    ladder.Member
		level, target, share string
		since                string
		day                  int
		paused, enrolled     int64
	)
	if err := s.Scan(&m.UserID, &m.Name, &m.TZ, &level, &target, &since, &m.Track,
		&m.Slot.On, &day, &m.Slot.Minute, &paused, &m.Manager, &share, &enrolled,
		&m.ManagerPending, &m.ManagerDeclined); err != nil {
		return ladder.Member{}, err
	}
	m.Level, m.Target, m.Share = ladder.LevelID(level), ladder.LevelID(target), ladder.Share(share)
	m.Slot.Day = time.Weekday(day)
	m.PausedUntil, m.EnrolledAt = fromMS(paused), fromMS(enrolled)
	var err error
	if m.LevelSince, err = parseMonth(since); err != nil {
		return ladder.Member{}, fmt.Errorf("member %s: level_since: %w", m.UserID, err)
	}
	return m, nil
}

// formatMonth renders t's month, in t's own location, as YYYY-MM; the zero time
// as "".
func formatMonth(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01")
}

// parseMonth reads YYYY-MM as the first of that month in UTC, and "" as the
// zero time.
func parseMonth(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse("2006-01", s)
}

// MemberTeam returns the workspace the member last acted in: "" if they have
// not acted since it was first recorded, or are not enrolled (then with no
// error: a manager need not be enrolled). Members are keyed by user id alone,
// as Enterprise Grid's user ids are global: see migration 0020.
func (db *DB) MemberTeam(ctx context.Context, userID string) (string, error) {
	var team string
	err := db.read(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT team_id FROM members WHERE user_id = ?`, userID).Scan(&team)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("member team: %w", err)
	}
	return team, nil
}

// SetMemberTeam records team as the workspace the member last acted in. It
// does nothing for an empty team or a user who is not enrolled.
func (db *DB) SetMemberTeam(ctx context.Context, userID, team string) error {
	if team == "" {
		return nil
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE members SET team_id = ? WHERE user_id = ? AND team_id != ?`, team, userID, team)
		return err
	})
	if err != nil {
		return fmt.Errorf("set member team: %w", err)
	}
	return nil
}
