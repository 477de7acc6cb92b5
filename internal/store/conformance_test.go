package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"net/url"
	"os"
	"os/exec"
	"testing"
	"time"
)

// The conformance suite: every test of this package runs on SQLite, and
// again on PostgreSQL when LADDER_TEST_POSTGRES names a database that the
// tests may create schemas in. A behaviour that differs between the two is
// a bug in one of them.
//
// TestPostgresConformance runs this test binary again as a child with
// LADDER_TEST_BACKEND=postgres, in which MustOpen gives each test a schema
// of its own. Tests of what only one backend has (SQLite's files, journal
// and checkpoints; PostgreSQL's locks and vacuum) say so with sqliteOnly
// and postgresOnly.

// PostgresHint is the line a skipped PostgreSQL test prints.
const PostgresHint = "PostgreSQL tests not run: set LADDER_TEST_POSTGRES=postgres://USER:PASSWORD@HOST:5432/DB?sslmode=disable (a database the user may create schemas in) to run them"

// tableCount counts the tables named ? in the test's database.
var tableCount = map[bool]string{
	false: `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`,
	true:  `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?`,
}[onPostgres]

// onPostgres is true in the child that runs the suite on PostgreSQL.
var onPostgres = os.Getenv("LADDER_TEST_BACKEND") == "postgres"

func TestPostgresConformance(t *testing.T) {
	if onPostgres {
		t.Skip("this is the PostgreSQL run")
	}
	if os.Getenv("LADDER_TEST_POSTGRES") == "" {
		t.Skip(PostgresHint)
	}
	args := []string{"-test.count=1", "-test.skip=^TestPostgresConformance$"}
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" {
		args = append(args, "-test.run="+f.Value.String())
	}
	if testing.Verbose() {
		args = append(args, "-test.v")
	}
	if testing.Short() {
		args = append(args, "-test.short")
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "LADDER_TEST_BACKEND=postgres")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil || testing.Verbose() {
		t.Logf("the suite on PostgreSQL:\n%s", out.String())
	}
	if err != nil {
		t.Fatalf("the store's tests fail on PostgreSQL: %v", err)
	}
}

// sqliteOnly skips a test of what only SQLite has.
func sqliteOnly(tb testing.TB) {
	tb.Helper()
	if onPostgres {
		tb.Skip("SQLite only")
	}
}

// postgresOnly skips a test of what only PostgreSQL has, with the line that
// says how to run it.
func postgresOnly(tb testing.TB) {
	tb.Helper()
	if !onPostgres {
		if os.Getenv("LADDER_TEST_POSTGRES") == "" {
			tb.Skip(PostgresHint)
		}
		tb.Skip("PostgreSQL only: runs in TestPostgresConformance")
	}
}

// newPostgresSchema creates an empty schema in LADDER_TEST_POSTGRES, drops it
// when the test ends, and returns a DSN whose search_path is that schema.
func newPostgresSchema(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("LADDER_TEST_POSTGRES")
	if base == "" {
		tb.Fatal(PostgresHint)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin := mustAdmin(tb, base)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("LADDER_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// mustAdmin opens a plain connection pool to dsn, for the tests' own set-up.
func mustAdmin(tb testing.TB, dsn string) *sql.DB {
	tb.Helper()
	s, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatalf("open %s: %v", "LADDER_TEST_POSTGRES", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
