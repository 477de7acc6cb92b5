package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Uninstall is Slack's word that the app was uninstalled, or its tokens
// revoked, in a workspace or org.
type Uninstall struct {
	TeamID string    // '' for the token's own workspace
	At     time.Time // when Slack said so
	Reason string    // "app_uninstalled", "tokens_revoked" or "token_revoked"
	// Erased is when the data was purged at the end of the grace period;
	// zero until then.
	Erased time.Time
}

// MarkUninstalled records that the app was uninstalled from teamID at at. A
// second event (Slack sends tokens_revoked and app_uninstalled together)
// keeps the first time, so that the grace period counts from the first.
func (db *DB) MarkUninstalled(ctx context.Context, u Uninstall) (Uninstall, error) {
	if u.At.IsZero() || u.Reason == "" {
		return Uninstall{}, errors.New("mark uninstalled: a time and a reason are needed")
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO install (team_id, uninstalled_at, reason) VALUES (?, ?, ?)
			ON CONFLICT (team_id) DO UPDATE SET uninstalled_at = excluded.uninstalled_at, reason = excluded.reason, erased_at = 0
			WHERE install.uninstalled_at = 0`, u.TeamID, toMS(u.At), u.Reason); err != nil {
			return err
		}
		var at, erased int64
		err := tx.QueryRowContext(ctx, `SELECT uninstalled_at, reason, erased_at FROM install WHERE team_id = ?`, u.TeamID).Scan(&at, &u.Reason, &erased)
		u.At, u.Erased = fromMS(at), fromMS(erased)
		return err
	})
	if err != nil {
		return Uninstall{}, fmt.Errorf("mark uninstalled: %w", err)
	}
	return u, nil
}

// MarkInstalled records that the app works in teamID again: a reinstall
// inside the grace period. It reports whether the app had been uninstalled.
func (db *DB) MarkInstalled(ctx context.Context, teamID string) (bool, error) {
	var was bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE install SET uninstalled_at = 0, reason = '', erased_at = 0 WHERE team_id = ? AND uninstalled_at <> 0`, teamID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		was = n > 0
		return err
	})
	if err != nil {
		return false, fmt.Errorf("mark installed: %w", err)
	}
	return was, nil
}

// Uninstalled returns the workspaces or orgs the app is uninstalled from,
// earliest first.
func (db *DB) Uninstalled(ctx context.Context) ([]Uninstall, error) {
	var out []Uninstall
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryAll(ctx, tx, func(s scanner) (Uninstall, error) {
			var (
				u          Uninstall
				at, erased int64
			)
			err := s.Scan(&u.TeamID, &at, &u.Reason, &erased)
			u.At, u.Erased = fromMS(at), fromMS(erased)
			return u, err
		}, `SELECT team_id, uninstalled_at, reason, erased_at FROM install WHERE uninstalled_at <> 0 ORDER BY uninstalled_at, team_id`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("uninstalled: %w", err)
	}
	return out, nil
}

// MarkErased records that the data of the app uninstalled from teamID was
// purged at at, so that the purge runs once.
func (db *DB) MarkErased(ctx context.Context, teamID string, at time.Time) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE install SET erased_at = ? WHERE team_id = ? AND uninstalled_at <> 0`, toMS(at), teamID)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark erased: %w", err)
	}
	return nil
}
