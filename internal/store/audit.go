package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AuditEntry is one admin action, or one erase the app ran on its own: who,
// what, when, and counts. It never holds evidence text.
type AuditEntry struct {
	At time.Time
	// Actor is the Slack user id of the admin, ActorCLI for a command run
	// on the server, or ActorLadder for what the app does on its own
	// (retention, the end of an uninstall's grace period).
	Actor  string
	Action string // "admin enroll", "admin digest send", "purge", ...
	Detail string // counts only
}

// Actors that are not Slack users.
const (
	ActorCLI    = "cli"
	ActorLadder = "ladder"
)

// Audit appends e to the audit trail.
func (db *DB) Audit(ctx context.Context, e AuditEntry) error {
	if e.Actor == "" || e.Action == "" || e.At.IsZero() {
		return errors.New("audit: an entry needs a time, an actor and an action")
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit (at, actor, action, detail) VALUES (?, ?, ?, ?)`,
			toMS(e.At), e.Actor, e.Action, e.Detail)
		return err
	})
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditTrail returns the last n entries, newest first.
func (db *DB) AuditTrail(ctx context.Context, n int) ([]AuditEntry, error) {
	var out []AuditEntry
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryAll(ctx, tx, func(s scanner) (AuditEntry, error) {
			var (
				e  AuditEntry
				at int64
			)
			err := s.Scan(&at, &e.Actor, &e.Action, &e.Detail)
			e.At = fromMS(at)
			return e, err
		}, `SELECT at, actor, action, detail FROM audit ORDER BY at DESC, id DESC LIMIT ?`, n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audit trail: %w", err)
	}
	return out, nil
}
