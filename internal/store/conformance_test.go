package store

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ladderapp/ladder/internal/pgtest"
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
const PostgresHint = pgtest.Hint

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
	// -run picks the tests as it would on SQLite; a pattern that names
	// this test alone (-run PostgresConformance) runs them all.
	run := ".*"
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" {
		run = f.Value.String()
		if ok, _ := regexp.MatchString(run, "TestPostgresConformance"); ok {
			run = ".*"
		}
	}
	// The tests mostly wait for the server, so several children run them
	// sooner than one: each takes every conformanceChildren-th test.
	list, err := exec.Command(os.Args[0], "-test.list", run).Output()
	if err != nil {
		t.Fatalf("list the tests: %v", err)
	}
	var names []string
	for _, n := range strings.Fields(string(list)) {
		if strings.HasPrefix(n, "Test") && n != "TestPostgresConformance" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		t.Skip("no store test matches -run " + run)
	}
	var wg sync.WaitGroup
	for i := range min(conformanceChildren, len(names)) {
		var mine []string
		for j := i; j < len(names); j += conformanceChildren {
			mine = append(mine, names[j])
		}
		wg.Go(func() {
			args := []string{"-test.count=1", "-test.run=^(" + strings.Join(mine, "|") + ")$"}
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
				t.Logf("the suite on PostgreSQL, part %d:\n%s", i+1, out.String())
			}
			if err != nil {
				t.Errorf("the store's tests fail on PostgreSQL (part %d): %v", i+1, err)
			}
		})
	}
	wg.Wait()
}

// conformanceChildren is how many processes run the suite on PostgreSQL.
const conformanceChildren = 3

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

// newPostgresSchema is a new, empty schema of LADDER_TEST_POSTGRES.
func newPostgresSchema(tb testing.TB) string {
	tb.Helper()
	return pgtest.DSN(tb)
}
