// Package storetest builds databases for the tests and benchmarks of other
// packages: synthetic workspaces of any size, in a SQLite file seeded once and
// cached on disk, or in a PostgreSQL database. It is test support and no
// production code imports it.
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
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

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
	// week, posted an hour before the member answered it, the newest answer
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

// Seed enrolls spec's members in the database that dsn names, a SQLite file
// or a postgres:// URL, creating and migrating it first with store.Open, at
// the first rung (em, aiming for senior-em, on the broad track, sharing a
// summary, in Berlin), with their weekly questions and answers, in one
// transaction: 10,000 members with 50 weeks each took about 20 seconds on
// either, on two busy shared cores. It fails if any of the members is already enrolled. Nothing else
// may have a SQLite file open while Seed writes it.
func Seed(ctx context.Context, dsn string, spec SeedSpec) error {
	var err error
	if store.IsPostgres(dsn) {
		err = seedPostgres(ctx, dsn, spec)
	} else {
		err = seedSQLite(ctx, dsn, spec)
	}
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

// seedSQLite inserts the rows through prepared statements.
func seedSQLite(ctx context.Context, path string, spec SeedSpec) error {
	db, err := openRaw(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	tables, err := tablesOf(spec)
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, t := range tables {
		if err := t.insert(ctx, tx); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return db.Close()
}

// insert inserts t's rows, one statement each.
func (t table) insert(ctx context.Context, tx *sql.Tx) error {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ")
	stmt, err := tx.PrepareContext(ctx,
		"INSERT INTO "+t.name+" ("+strings.Join(t.cols, ", ")+") VALUES ("+marks+")")
	if err != nil {
		return err
	}
	defer stmt.Close()
	for row := range t.rows {
		if _, err := stmt.ExecContext(ctx, row...); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	return nil
}

// seedPostgres loads the rows with COPY, over a connection of pgx's own: a
// statement a row would make a round trip each, minutes for half a million
// rows, and COPY takes no placeholders, so it needs none of the rebinding
// that store's connections do. It then analyzes the tables, as autovacuum
// would have in a database that grew to this size, so that the planner
// knows how big they are.
func seedPostgres(ctx context.Context, dsn string, spec SeedSpec) error {
	sdb, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	if err := sdb.Close(); err != nil {
		return err
	}
	tables, err := tablesOf(spec)
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	for _, t := range tables {
		if err := t.copy(ctx, tx); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = t.name
	}
	if _, err := conn.Exec(ctx, "ANALYZE "+strings.Join(names, ", ")); err != nil {
		return err
	}
	return conn.Close(ctx)
}

// copy copies t's rows into PostgreSQL.
func (t table) copy(ctx context.Context, tx pgx.Tx) error {
	next, stop := iter.Pull(t.rows)
	defer stop()
	_, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromFunc(func() ([]any, error) {
		row, ok := next()
		if !ok {
			return nil, nil
		}
		return row, nil
	}))
	if err != nil {
		return fmt.Errorf("%s: %w", t.name, err)
	}
	return nil
}

// table is one table's seeded rows: its name, the columns Seed sets, and the
// rows, each its values for those columns.
type table struct {
	name string
	cols []string
	rows iter.Seq[[]any]
}

// answer is one seeded weekly answer: whose, to which question, and when.
type answer struct {
	user   string
	area   ladder.AreaID
	prompt string
	at     time.Time
}

// tablesOf returns spec's rows, in the order their foreign keys need: the
// members, then their weekly questions, then their answers. Each member's
// come oldest first, and the members in turn, so that every index grows at
// its end and the ids are the same as if each member were inserted whole.
func tablesOf(spec SeedSpec) ([]table, error) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return nil, err
	}
	enrolled := spec.Now.Add(-time.Duration(spec.Weeks+1) * 7 * 24 * time.Hour)
	// Flags are 0 or 1 on both databases.
	slotOn := int64(0)
	if spec.Slot.On {
		slotOn = 1
	}
	// weekly yields each member's weekly answers, the members in turn and
	// each one's oldest first.
	weekly := func(yield func(answer) bool) {
		for i := range spec.Members {
			id := spec.UserID(i)
			for w := spec.Weeks - 1; w >= 0; w-- {
				a := answer{user: id, area: ladder.AreaIDs[w%len(ladder.AreaIDs)],
					at: spec.Now.Add(-time.Duration(w)*7*24*time.Hour - time.Hour)}
				if len(spec.Prompts) > 0 {
					p := spec.Prompts[(i+w)%len(spec.Prompts)]
					a.area, a.prompt = p.Area, p.ID
				}
				if !yield(a) {
					return
				}
			}
		}
	}
	members := table{
		name: "members",
		cols: []string{"user_id", "name", "tz", "level", "target", "track", "slot_on", "slot_day", "slot_minute", "share", "enrolled_at"},
		rows: func(yield func([]any) bool) {
			for i := range spec.Members {
				id := spec.UserID(i)
				if !yield([]any{id, "Member " + id, "Europe/Berlin", "em", "senior-em", "broad",
					slotOn, int64(spec.Slot.Day), int64(spec.Slot.Minute), "summary", enrolled.UnixMilli()}) {
					return
				}
			}
		},
	}
	prompts := table{
		name: "prompts_sent",
		cols: []string{"user_id", "prompt_id", "week", "kind", "created_at", "channel", "ts"},
		rows: func(yield func([]any) bool) {
			for a := range weekly {
				// The question came an hour before its answer.
				asked := a.at.Add(-time.Hour)
				if !yield([]any{a.user, a.prompt, ladder.WeekOf(asked.In(berlin)).String(), "weekly", asked.UnixMilli(),
					"D" + a.user, strconv.FormatInt(asked.Unix(), 10) + ".000200"}) {
					return
				}
			}
		},
	}
	evidence := table{
		name: "evidence",
		cols: []string{"user_id", "area", "prompt_id", "text", "channel", "ts", "created_at", "confirmed_at"},
		rows: func(yield func([]any) bool) {
			for a := range weekly {
				if !yield([]any{a.user, string(a.area), a.prompt,
					"Ran the quarterly planning with the two leads; we cut scope early and told the partner teams why, in writing.",
					"D" + a.user, strconv.FormatInt(a.at.Unix(), 10) + ".000100", a.at.UnixMilli(), a.at.UnixMilli()}) {
					return
				}
			}
		},
	}
	return []table{members, prompts, evidence}, nil
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
