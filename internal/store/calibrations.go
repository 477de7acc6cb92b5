package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// Calibration is a manager's view of one report: a step per area (the app
// names the steps; the store keeps them as given) and an optional note the
// report reads. Only the latest per report and manager is kept.
type Calibration struct {
	Report  string
	Manager string
	Areas   map[ladder.AreaID]string
	Note    string
	Created time.Time
}

// ErrNotCalibrator means the user may not calibrate the report: they are
// not the report's current, accepted manager, or the report shares nothing.
var ErrNotCalibrator = errors.New("not the report's manager, or the report does not share")

// calibrationCols are the calibrations columns in the order scanCalibration
// reads them.
const calibrationCols = `c.report, c.manager, c.choices, c.note, c.created_at`

func scanCalibration(s scanner) (Calibration, error) {
	var (
		c       Calibration
		choices string
		at      int64
	)
	if err := s.Scan(&c.Report, &c.Manager, &choices, &c.Note, &at); err != nil {
		return Calibration{}, err
	}
	c.Created = fromMS(at)
	if err := json.Unmarshal([]byte(choices), &c.Areas); err != nil {
		return Calibration{}, fmt.Errorf("calibration of %s: %w", c.Report, err)
	}
	return c, nil
}

// SetCalibration stores c as c.Manager's latest view of c.Report, replacing
// the one before. In the same transaction it checks that c.Manager is the
// report's current manager, who has accepted, and that the report shares
// full or summary: if not, it stores nothing and fails with
// ErrNotCalibrator, so that a digest from before a change of manager or of
// sharing calibrates nobody. It fails with ladder.ErrNotEnrolled if the
// report is not enrolled.
func (db *DB) SetCalibration(ctx context.Context, c Calibration) error {
	switch {
	case c.Report == "" || c.Manager == "":
		return errors.New("set calibration: empty report or manager")
	case c.Created.IsZero():
		return errors.New("set calibration: zero time")
	}
	choices, err := json.Marshal(c.Areas)
	if err != nil {
		return fmt.Errorf("set calibration: %w", err)
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		var manager, share string
		var pending int64
		err := tx.QueryRowContext(ctx, `SELECT manager, manager_pending, share FROM members WHERE user_id = ?`, c.Report).
			Scan(&manager, &pending, &share)
		if errors.Is(err, sql.ErrNoRows) {
			return ladder.ErrNotEnrolled
		}
		if err != nil {
			return err
		}
		if manager != c.Manager || pending != 0 || (share != string(ladder.ShareFull) && share != string(ladder.ShareSummary)) {
			return ErrNotCalibrator
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO calibrations (report, manager, choices, note, created_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (report, manager) DO UPDATE SET
				choices = excluded.choices, note = excluded.note, created_at = excluded.created_at`,
			c.Report, c.Manager, string(choices), c.Note, toMS(c.Created))
		return domainErr(err)
	})
	if err != nil {
		return fmt.Errorf("set calibration: %w", err)
	}
	return nil
}

// CurrentCalibration returns the latest view of report by their current,
// accepted manager. A former manager's view is never returned, even though
// it stays stored until forget or until that person is named again: it
// fails with ladder.ErrNotFound when the current manager has none, or
// there is no current manager.
func (db *DB) CurrentCalibration(ctx context.Context, report string) (Calibration, error) {
	var c Calibration
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = scanCalibration(tx.QueryRowContext(ctx, `
			SELECT `+calibrationCols+` FROM calibrations c
			JOIN members m ON m.user_id = c.report AND m.manager = c.manager AND m.manager_pending = 0
			WHERE c.report = ?`, report))
		return notFound(err, ladder.ErrNotFound)
	})
	if err != nil {
		return Calibration{}, fmt.Errorf("calibration of %s: %w", report, err)
	}
	return c, nil
}

// CalibrationRows counts the calibrations that name user, as report or as
// manager, whoever is current: what forget must leave at zero.
func (db *DB) CalibrationRows(ctx context.Context, user string) (int, error) {
	var n int
	err := db.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM calibrations WHERE report = ? OR manager = ?`, user, user).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("calibration rows: %w", err)
	}
	return n, nil
}

// LastAgenda is when manager last had a 1:1 agenda about report; the zero
// time if never.
func (db *DB) LastAgenda(ctx context.Context, manager, report string) (time.Time, error) {
	var at int64
	err := db.read(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT last_at FROM oneonone_agendas WHERE manager = ? AND report = ?`, manager, report).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("last agenda: %w", err)
	}
	return fromMS(at), nil
}

// RecordAgenda records that manager had a 1:1 agenda about report at at. It
// fails with ladder.ErrNotEnrolled if report is not enrolled.
func (db *DB) RecordAgenda(ctx context.Context, manager, report string, at time.Time) error {
	if manager == "" || report == "" || at.IsZero() {
		return errors.New("record agenda: empty manager, report or time")
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO oneonone_agendas (manager, report, last_at) VALUES (?, ?, ?)
			ON CONFLICT (manager, report) DO UPDATE SET last_at = excluded.last_at`,
			manager, report, toMS(at))
		return domainErr(err)
	})
	if err != nil {
		return fmt.Errorf("record agenda: %w", err)
	}
	return nil
}
