package store

import (
	"bytes"
	"flag"
	"fmt"
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

// TestMain starts the suite on PostgreSQL before the SQLite tests, so that
// the two run side by side: the children wait on the server more than they
// use this machine. TestPostgresConformance reports their outcome.
func TestMain(m *testing.M) {
	flag.Parse()
	listing := flag.Lookup("test.list") != nil && flag.Lookup("test.list").Value.String() != ""
	if !onPostgres && !listing && os.Getenv("LADDER_TEST_POSTGRES") != "" && selected("TestPostgresConformance") {
		conformance = startConformance()
	}
	os.Exit(m.Run())
}

// selected reports whether -run picks the test name (and -skip leaves it).
func selected(name string) bool {
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" {
		if ok, _ := regexp.MatchString(f.Value.String(), name); !ok {
			return false
		}
	}
	if f := flag.Lookup("test.skip"); f != nil && f.Value.String() != "" {
		if ok, _ := regexp.MatchString(f.Value.String(), name); ok {
			return false
		}
	}
	return true
}

// conformanceRun is the suite's run on PostgreSQL: done is closed when every
// child has exited, and then parts holds each one's output and error.
type conformanceRun struct {
	done  chan struct{}
	parts []conformancePart
	err   error // listing the tests failed
}

type conformancePart struct {
	out string
	err error
}

var conformance *conformanceRun

// startConformance runs the store's tests on PostgreSQL in
// conformanceChildren children at once, each taking every
// conformanceChildren-th test. -run picks the tests as it would on SQLite;
// a pattern that names TestPostgresConformance alone runs them all.
func startConformance() *conformanceRun {
	r := &conformanceRun{done: make(chan struct{})}
	run := ".*"
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" {
		run = f.Value.String()
		if ok, _ := regexp.MatchString(run, "TestPostgresConformance"); ok {
			run = ".*"
		}
	}
	// As a child on PostgreSQL, so that its TestMain starts nothing.
	lister := exec.Command(os.Args[0], "-test.list", run)
	lister.Env = append(os.Environ(), "LADDER_TEST_BACKEND=postgres")
	list, err := lister.Output()
	if err != nil {
		r.err = fmt.Errorf("list the tests: %w", err)
		close(r.done)
		return r
	}
	var names []string
	for _, n := range strings.Fields(string(list)) {
		if strings.HasPrefix(n, "Test") && n != "TestPostgresConformance" {
			names = append(names, n)
		}
	}
	r.parts = make([]conformancePart, min(conformanceChildren, len(names)))
	var wg sync.WaitGroup
	for i := range r.parts {
		var mine []string
		for j := i; j < len(names); j += conformanceChildren {
			mine = append(mine, names[j])
		}
		wg.Go(func() {
			// Each child has a database of its own, so that one child's
			// snapshots never hold up another's erase (pgtest.Database).
			env := append(os.Environ(), "LADDER_TEST_BACKEND=postgres")
			dsn, drop, err := pgtest.Database(os.Getenv(pgtest.Env))
			if err != nil {
				r.parts[i] = conformancePart{err: fmt.Errorf("create the child's database (the role needs CREATEDB): %w", err)}
				return
			}
			defer func() {
				if err := drop(); err != nil && r.parts[i].err == nil {
					r.parts[i].err = fmt.Errorf("drop the child's database: %w", err)
				}
			}()
			env = append(env, pgtest.Env+"="+dsn)
			args := []string{"-test.count=1", "-test.run=^(" + strings.Join(mine, "|") + ")$"}
			if testing.Verbose() {
				args = append(args, "-test.v")
			}
			if testing.Short() {
				args = append(args, "-test.short")
			}
			cmd := exec.Command(os.Args[0], args...)
			cmd.Env = env
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err = cmd.Run()
			r.parts[i] = conformancePart{out: out.String(), err: err}
		})
	}
	go func() {
		wg.Wait()
		close(r.done)
	}()
	return r
}

func TestPostgresConformance(t *testing.T) {
	if onPostgres {
		t.Skip("this is the PostgreSQL run")
	}
	if os.Getenv("LADDER_TEST_POSTGRES") == "" {
		t.Skip(PostgresHint)
	}
	if conformance == nil {
		t.Fatal("the suite on PostgreSQL was not started")
	}
	// Parallel, so that it waits for the children after the SQLite tests,
	// which ran meanwhile.
	t.Parallel()
	<-conformance.done
	if conformance.err != nil {
		t.Fatal(conformance.err)
	}
	if len(conformance.parts) == 0 {
		t.Skip("no store test matches -run")
	}
	for i, p := range conformance.parts {
		if p.err != nil || testing.Verbose() {
			t.Logf("the suite on PostgreSQL, part %d:\n%s", i+1, p.out)
		}
		if p.err != nil {
			t.Errorf("the store's tests fail on PostgreSQL (part %d): %v", i+1, p.err)
		}
	}
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
