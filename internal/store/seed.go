package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
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

// SeedUserID is the id Seed gives member i of spec.
func (spec SeedSpec) SeedUserID(i int) string { return fmt.Sprintf("%s%05d", spec.Prefix, i) }

// Seed enrolls spec's members at the first rung (em, aiming for senior-em, on
// the broad track, sharing a summary, in Berlin), with their weekly questions
// and answers, in one transaction through prepared statements: 10,000 members
// with 50 weeks each take a few seconds. It fails if any of the members is
// already enrolled. It is for benchmarks, not for real workspaces.
func (db *DB) Seed(ctx context.Context, spec SeedSpec) error {
	// The triggers make every insert keep a statement journal. Kept in
	// memory rather than in a temporary file, which takes a pragma before the
	// transaction begins, seeding is twice as fast.
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA temp_store = MEMORY`); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer conn.ExecContext(ctx, `PRAGMA temp_store = DEFAULT`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	err = func() error {
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
			id := spec.SeedUserID(i)
			if _, err := addM.ExecContext(ctx, id, "Member "+id, spec.Slot.On, int(spec.Slot.Day), spec.Slot.Minute, toMS(enrolled)); err != nil {
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
				if _, err := addP.ExecContext(ctx, id, prompt, ladder.WeekOf(asked.In(berlin)).String(), toMS(asked),
					"D"+id, strconv.FormatInt(asked.Unix(), 10)+".000200"); err != nil {
					return err
				}
				if _, err := addE.ExecContext(ctx, id, string(area), prompt,
					"Ran the quarterly planning with the two leads; we cut scope early and told the partner teams why, in writing.",
					"D"+id, strconv.FormatInt(at.Unix(), 10)+".000100", toMS(at), toMS(at)); err != nil {
					return err
				}
			}
		}
		return nil
	}()
	if err == nil {
		err = tx.Commit()
	} else {
		tx.Rollback()
	}
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

// SeedFile returns the path of a seeded database in dir, building it first if
// it is not there yet: a file named after everything that shapes it (the
// specs, their Now, Slot and Prompts, and the embedded migrations), built
// beside its final name and renamed into place, so that benchmarks in several
// packages share one and never see half of one.
func SeedFile(ctx context.Context, dir string, specs ...SeedSpec) (string, error) {
	h := sha256.New()
	for _, s := range specs {
		fmt.Fprintln(h, s.Prefix, s.Members, s.Weeks, s.Now.UnixMilli(), s.Slot)
		for _, p := range s.Prompts {
			fmt.Fprintln(h, p.ID, p.Area, p.Level)
		}
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return "", fmt.Errorf("seed file: %w", err)
	}
	for _, n := range names {
		b, err := migrations.ReadFile(n)
		if err != nil {
			return "", fmt.Errorf("seed file: %w", err)
		}
		fmt.Fprintln(h, n)
		h.Write(b)
	}
	path := filepath.Join(dir, "ladder-seed-"+hex.EncodeToString(h.Sum(nil))[:16]+".db")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp := fmt.Sprintf("%s.%d.building", path, os.Getpid())
	db, err := Open(ctx, tmp)
	if err != nil {
		return "", fmt.Errorf("seed file: %w", err)
	}
	for _, s := range specs {
		if err := db.Seed(ctx, s); err != nil {
			db.Close()
			os.Remove(tmp)
			return "", err
		}
	}
	if err := db.Close(); err != nil {
		return "", fmt.Errorf("seed file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("seed file: %w", err)
	}
	return path, nil
}
