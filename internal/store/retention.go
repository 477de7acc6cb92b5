package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// Erased counts what a retention pass or a purge deleted.
type Erased struct {
	Members      int
	Evidence     int
	Goals        int
	Calibrations int
}

// String says it in counts, for the audit trail and the log.
func (e Erased) String() string {
	var parts []string
	if e.Members > 0 {
		parts = append(parts, ladder.Plural(e.Members, "member"))
	}
	parts = append(parts, ladder.Plural(e.Evidence, "piece")+" of evidence")
	if e.Goals > 0 {
		parts = append(parts, ladder.Plural(e.Goals, "growth goal"))
	}
	if e.Calibrations > 0 {
		parts = append(parts, ladder.Plural(e.Calibrations, "manager's view"))
	}
	return strings.Join(parts, ", ")
}

// EraseOlderThan deletes the evidence, growth goals and managers' views
// (calibrations) created before cutoff, with answers waiting for an area from
// before it, and then erases them from disk as Forget does. It writes what it
// did to the audit trail, as ActorLadder's "retention", when it deleted
// anything. A failed erase returns ErrNotErased: the rows are gone, and the
// next pass (or forget) finishes the erase.
func (db *DB) EraseOlderThan(ctx context.Context, cutoff, now time.Time) (Erased, error) {
	var e Erased
	err := db.write(ctx, func(tx *sql.Tx) error {
		e = Erased{}
		for _, d := range []struct {
			n     *int
			query string
		}{
			{&e.Evidence, `DELETE FROM evidence WHERE created_at < ?`},
			{&e.Goals, `DELETE FROM growth_goals WHERE created_at < ?`},
			{nil, `DELETE FROM held_answers WHERE created_at < ?`},
			// A manager's view written before the cutoff is as old as the
			// evidence it weighed.
			{&e.Calibrations, `DELETE FROM calibrations WHERE created_at < ?`},
		} {
			res, err := tx.ExecContext(ctx, d.query, toMS(cutoff))
			if err != nil {
				return err
			}
			if d.n != nil {
				n, err := res.RowsAffected()
				if err != nil {
					return err
				}
				*d.n = int(n)
			}
		}
		if e.Evidence+e.Goals+e.Calibrations == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO audit (at, actor, action, detail) VALUES (?, ?, ?, ?)`,
			toMS(now), ActorLadder, "retention", fmt.Sprintf("erased %s created before %s", e, cutoff.UTC().Format(time.DateOnly)))
		return err
	})
	if err != nil {
		return Erased{}, fmt.Errorf("retention: %w", err)
	}
	if e.Evidence+e.Goals+e.Calibrations == 0 {
		return e, nil
	}
	if err := db.Erase(ctx, eraseWait); err != nil {
		return e, fmt.Errorf("retention: %w", err)
	}
	return e, nil
}

// keptByPurge are the tables a purge leaves: the schema's own record, the
// audit trail (which holds no member data, and records the purge itself) and
// the install state (so that an uninstalled app stays stopped).
var keptByPurge = map[string]bool{"schema_migrations": true, "audit": true, "install": true}

// Purge deletes every member's data from every table, records it in the
// audit trail as actor's "purge" at now, and erases it from disk as Forget
// does. On PostgreSQL the tables are truncated, which gives each new files.
func (db *DB) Purge(ctx context.Context, actor, why string, now time.Time) (Erased, error) {
	var e Erased
	err := db.write(ctx, func(tx *sql.Tx) error {
		e = Erased{}
		for _, c := range []struct {
			n     *int
			query string
		}{
			{&e.Members, `SELECT count(*) FROM members`},
			{&e.Evidence, `SELECT count(*) FROM evidence`},
			{&e.Goals, `SELECT count(*) FROM growth_goals`},
		} {
			if err := tx.QueryRowContext(ctx, c.query).Scan(c.n); err != nil {
				return err
			}
		}
		list := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`
		if db.pg {
			list = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`
		}
		all, err := queryAll(ctx, tx, scanString, list)
		if err != nil {
			return err
		}
		var tables []string
		for _, t := range all {
			if !keptByPurge[t] {
				tables = append(tables, t)
			}
		}
		if db.pg {
			// The names come from the catalogue, not from anyone's input.
			if _, err := tx.ExecContext(ctx, `TRUNCATE `+strings.Join(tables, ", ")+` CASCADE`); err != nil {
				return err
			}
		} else {
			// members first: its triggers and cascades take what hangs off it.
			if _, err := tx.ExecContext(ctx, `DELETE FROM members`); err != nil {
				return err
			}
			for _, t := range tables {
				if _, err := tx.ExecContext(ctx, `DELETE FROM "`+t+`"`); err != nil {
					return err
				}
			}
		}
		detail := "erased " + e.String()
		if why != "" {
			detail += " (" + why + ")"
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO audit (at, actor, action, detail) VALUES (?, ?, ?, ?)`,
			toMS(now), actor, "purge", detail)
		return err
	})
	if err != nil {
		return Erased{}, fmt.Errorf("purge: %w", err)
	}
	if db.pg {
		// TRUNCATE gave every table new files; the old ones are unlinked
		// at commit. Nothing is left for a VACUUM to rewrite.
		return e, nil
	}
	if err := db.Erase(ctx, eraseWait); err != nil {
		return e, fmt.Errorf("purge: %w", err)
	}
	return e, nil
}
