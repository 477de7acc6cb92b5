// Package storetest builds databases for the tests and benchmarks of other
// packages: synthetic workspaces of any size, seeded once and cached on disk.
// It is test support and no production code imports it.
//
// It writes its rows with SQL of its own, beside the schema in
// internal/store, rather than through store's methods: a method call, each
// its own transaction, would take minutes for the half a million rows a
// benchmark needs, and a bulk loader in store would be production code that
// only tests use.
package storetest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// SeedSpec describes a synthetic workspace for benchmarks and load tests.
type SeedSpec struct {
	// Prefix and Members name the members: Prefix followed by a five-digit
	// number, from 0 to Members-1, such as U00042.
	Prefix  string
	Members int
	// Weeks is how much evidence each member has: one weekly question a
	// week, posted two hours before the member answered it, the newest answer
	// an hour before Now.
	Weeks int
	Now   time.Time
	// Prompts are the questions the evidence answers, taken in turn. With
	// none, the evidence goes round the five areas without a prompt.
	Prompts []ladder.Prompt
	// Slot is every member's weekly slot; the zero Slot is off.
	Slot ladder.Slot
}

// UserID is the id Seed gives member i of spec.
func (spec SeedSpec) UserID(i int) string { return fmt.Sprintf("%s%05d", spec.Prefix, i) }

// Seed enrolls spec's members in the database at path, creating and migrating
// it first with store.Open, at the first rung (em, aiming for senior-em, on the
// broad track, sharing a summary, in Berlin), with their weekly questions and
// answers, in one transaction through prepared statements: 10,000 members with
// 50 weeks each take a few seconds. It fails if any of the members is already
// enrolled. Nothing else may have the database open.
func Seed(ctx context.Context, path string, spec SeedSpec) error {
	db, err := openRaw(ctx, path)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if err := seed(ctx, tx, spec); err != nil {
		tx.Rollback()
		return fmt.Errorf("seed: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

func seed(ctx context.Context, tx *sql.Tx, spec SeedSpec) error {
	addM, err := tx.PrepareContext(ctx, `
		INSERT INTO members (user_id, name, tz, level, target, track, slot_on, slot_day, slot_minute, share, enrolled_at)
		VALUES (?, ?, 'Europe/Berlin', 'em', 'senior-em', 'broad', ?, ?, ?, 'summary', ?)`)
	if err != nil {
		return err
	}
	defer addM.Close()
	addE, err := tx.PrepareContext(ctx, `
		INSERT INTO evidence (user_id, area, prompt_id, text, channel, ts, created_at, confirmed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer addE.Close()
	addP, err := tx.PrepareContext(ctx, `
		INSERT INTO prompts_sent (user_id, prompt_id, week, kind, created_at, channel, ts)
		VALUES (?, ?, ?, 'weekly', ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer addP.Close()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return err
	}
	enrolled := spec.Now.Add(-time.Duration(spec.Weeks+1) * 7 * 24 * time.Hour)
	for i := range spec.Members {
		id := spec.UserID(i)
		if _, err := addM.ExecContext(ctx, id, "Member "+id, spec.Slot.On, int(spec.Slot.Day), spec.Slot.Minute, enrolled.UnixMilli()); err != nil {
			return err
		}
		// Oldest first, so that every index grows at its end.
		for w := spec.Weeks - 1; w >= 0; w-- {
			area, prompt := ladder.AreaIDs[w%len(ladder.AreaIDs)], ""
			if len(spec.Prompts) > 0 {
				p := spec.Prompts[(i+w)%len(spec.Prompts)]
				area, prompt = p.Area, p.ID
			}
			at := spec.Now.Add(-time.Duration(w)*7*24*time.Hour - time.Hour)
			asked := at.Add(-time.Hour)
			if _, err := addP.ExecContext(ctx, id, prompt, ladder.WeekOf(asked.In(berlin)).String(), asked.UnixMilli(),
				"D"+id, strconv.FormatInt(asked.Unix(), 10)+".000200"); err != nil {
				return err
			}
			if _, err := addE.ExecContext(ctx, id, string(area), prompt,
				"Ran the quarterly planning with the two leads; we cut scope early and told the partner teams why, in writing.",
				"D"+id, strconv.FormatInt(at.Unix(), 10)+".000100", at.UnixMilli(), at.UnixMilli()); err != nil {
				return err
			}
		}
	}
	return nil
}

// SeedFile returns the path of a seeded database in dir, building it first if
// it is not there yet: a file named after everything that shapes it (the
// specs, their Now, Slot and Prompts, and the schema store.Open makes), built
// under a temporary name and renamed into place, so that benchmarks in several
// packages share one and never see half of one.
func SeedFile(ctx context.Context, dir string, specs ...SeedSpec) (string, error) {
	f, err := os.CreateTemp(dir, "ladder-seed-*.building")
	if err != nil {
		return "", fmt.Errorf("seed file: %w", err)
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp)
	schema, err := schemaOf(ctx, tmp)
	if err != nil {
		return "", fmt.Errorf("seed file: %w", err)
	}
	h := sha256.New()
	for _, s := range specs {
		fmt.Fprintln(h, s.Prefix, s.Members, s.Weeks, s.Now.UnixMilli(), s.Slot)
		for _, p := range s.Prompts {
			fmt.Fprintln(h, p.ID, p.Area, p.Level)
		}
	}
	h.Write([]byte(schema))
	path := filepath.Join(dir, "ladder-seed-"+hex.EncodeToString(h.Sum(nil))[:16]+".db")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	for _, s := range specs {
		if err := Seed(ctx, tmp, s); err != nil {
			return "", fmt.Errorf("seed file: %w", err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("seed file: %w", err)
	}
	return path, nil
}

// schemaOf returns the migrations applied to the database at path, and the SQL
// of its tables, indexes, triggers and views: what a seeded file depends on.
func schemaOf(ctx context.Context, path string) (string, error) {
	db, err := openRaw(ctx, path)
	if err != nil {
		return "", err
	}
	defer db.Close()
	var b strings.Builder
	for _, q := range []string{
		`SELECT name FROM schema_migrations ORDER BY version`,
		`SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name`,
	} {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			return "", err
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return "", err
			}
			b.WriteString(s + "\n")
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// openRaw creates and migrates the database at path with store.Open, closes it
// again, and opens it with database/sql, through the SQLite driver store
// registers. It keeps the statement journals that the triggers make every
// insert keep in memory, which makes seeding twice as fast.
func openRaw(ctx context.Context, path string) (*sql.DB, error) {
	sdb, err := store.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := sdb.Close(); err != nil {
		return nil, err
	}
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return sql.Open("sqlite", "file:"+escaped+
		"?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=temp_store(MEMORY)")
}
