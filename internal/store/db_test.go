package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// now is the tests' clock: Monday 16 November 2026, 09:30 UTC, in ISO week 47.
var now = time.Date(2026, 11, 16, 9, 30, 0, 0, time.UTC)

// MustOpen opens a new, empty database and closes it when the test ends: a
// file in a temporary directory, or a schema of its own on PostgreSQL when
// the conformance suite runs (see conformance_test.go).
func MustOpen(tb testing.TB) *DB {
	tb.Helper()
	return mustOpenPath(tb, newTestDSN(tb))
}

// newTestDSN names a new, empty database for the test's backend.
func newTestDSN(tb testing.TB) string {
	tb.Helper()
	if onPostgres {
		return newPostgresSchema(tb)
	}
	return filepath.Join(tb.TempDir(), "ladder.db")
}

func mustOpenPath(tb testing.TB, path string) *DB {
	tb.Helper()
	db, err := Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("Open(%q): %v", path, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// newMember is a member as enrolment would make it.
func newMember(userID string) ladder.Member {
	return ladder.Member{
		UserID:     userID,
		Name:       "Name of " + userID,
		TZ:         "Europe/Berlin",
		Level:      ladder.EM,
		Target:     ladder.SeniorEM,
		Track:      "broad",
		Slot:       ladder.Slot{Day: time.Monday, Minute: 9*60 + 30, On: true},
		Share:      ladder.ShareSummary,
		EnrolledAt: now,
	}
}

func mustEnroll(tb testing.TB, db *DB, userID string) ladder.Member {
	tb.Helper()
	m, _, err := db.Enroll(context.Background(), newMember(userID))
	if err != nil {
		tb.Fatalf("Enroll(%s): %v", userID, err)
	}
	return m
}

// embedded counts the migrations built into the binary.
func embedded(tb testing.TB) int {
	tb.Helper()
	dialect := "sqlite"
	if onPostgres {
		dialect = "postgres"
	}
	names, err := fs.Glob(migrations, "migrations/"+dialect+"/*.sql")
	if err != nil || len(names) == 0 {
		tb.Fatalf("embedded migrations: %v, %d", err, len(names))
	}
	return len(names)
}

func count(tb testing.TB, db *DB, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := db.db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestPragmasOnEveryConnection(t *testing.T) {
	sqliteOnly(t)
	db := MustOpen(t)
	ctx := context.Background()

	// Holding the connections at once makes the pool open that many distinct ones.
	const n = 5
	var wg sync.WaitGroup
	for i := range n {
		conn, err := db.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		wg.Go(func() {
			want := map[string]string{
				"journal_mode":  "wal",
				"foreign_keys":  "1",
				"busy_timeout":  "5000",
				"secure_delete": "1",
				"synchronous":   "1", // NORMAL
			}
			for name, w := range want {
				var got string
				if err := conn.QueryRowContext(ctx, "PRAGMA "+name).Scan(&got); err != nil {
					t.Errorf("conn %d: PRAGMA %s: %v", i, name, err)
					continue
				}
				if got != w {
					t.Errorf("conn %d: PRAGMA %s = %q, want %q", i, name, got, w)
				}
			}
		})
	}
	wg.Wait()
}

func TestReopenKeepsDataAndMigratesOnce(t *testing.T) {
	ctx := context.Background()
	path := newTestDSN(t)
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustEnroll(t, db, "U1")
	var applied int64
	db.db.QueryRow(`SELECT applied_at FROM schema_migrations WHERE version = 1`).Scan(&applied)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = mustOpenPath(t, path)
	if _, err := db.Member(ctx, "U1"); err != nil {
		t.Errorf("after reopen: %v", err)
	}
	if got, want := count(t, db, `SELECT count(*) FROM schema_migrations`), embedded(t); got != want {
		t.Errorf("schema_migrations has %d rows, want %d", got, want)
	}
	var again int64
	db.db.QueryRow(`SELECT applied_at FROM schema_migrations WHERE version = 1`).Scan(&again)
	if again != applied || applied == 0 {
		t.Errorf("applied_at = %d after reopen, was %d: migration ran again", again, applied)
	}
}

func TestMigrateInOrderEachInItsOwnTransaction(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	// Versions 9001-9003 come after every real migration, which Open applied.
	n := embedded(t)
	fsys := fstest.MapFS{
		"migrations/x/0001_init.sql": {Data: []byte(`SELECT 1`)}, // already applied
		"migrations/x/9002_more.sql": {Data: []byte(`ALTER TABLE extra ADD COLUMN b TEXT`)},
		"migrations/x/9001_new.sql":  {Data: []byte(`CREATE TABLE extra (a TEXT); INSERT INTO extra (a) VALUES ('x');`)},
		"migrations/x/9003_bad.sql":  {Data: []byte(`CREATE TABLE half (a TEXT); THIS IS NOT SQL;`)},
	}
	err := db.migrate(ctx, fsys, "x")
	if err == nil {
		t.Fatal("migrate with a broken migration: no error")
	}
	if got := count(t, db, `SELECT count(*) FROM schema_migrations`); got != n+2 {
		t.Errorf("schema_migrations has %d rows, want %d (the real ones, 9001 and 9002)", got, n+2)
	}
	if got := count(t, db, `SELECT count(*) FROM extra WHERE b IS NULL`); got != 1 {
		t.Errorf("extra has %d rows, want 1: 9001 must run before 9002", got)
	}
	if got := count(t, db, tableCount, "half"); got != 0 {
		t.Error("the failed migration left table half behind: not rolled back")
	}

	// Fixed, it applies; the earlier ones do not run again.
	fsys["migrations/x/9003_bad.sql"] = &fstest.MapFile{Data: []byte(`CREATE TABLE half (a TEXT)`)}
	if err := db.migrate(ctx, fsys, "x"); err != nil {
		t.Fatal(err)
	}
	if got := count(t, db, `SELECT count(*) FROM extra`); got != 1 {
		t.Errorf("extra has %d rows, want 1: 9001 ran twice", got)
	}
	if got := count(t, db, `SELECT count(*) FROM schema_migrations`); got != n+3 {
		t.Errorf("schema_migrations has %d rows, want %d", got, n+3)
	}

	bad := fstest.MapFS{"migrations/x/first.sql": {Data: []byte(`SELECT 1`)}}
	if err := db.migrate(ctx, bad, "x"); err == nil {
		t.Error("migration named without a version: no error")
	}
}

func TestOpenOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir#with?odd%chars")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ladder.db")
	db := mustOpenPath(t, path)
	mustEnroll(t, db, "U1")
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at %q: %v", path, err)
	}
}

func TestOpenEmptyPath(t *testing.T) {
	if _, err := Open(context.Background(), ""); err == nil {
		t.Error("Open(\"\"): no error")
	}
}

func TestStats(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	for _, id := range []string{"U1", "U2", "U3"} {
		mustEnroll(t, db, id)
	}
	if _, err := db.UpdateMember(ctx, "U2", func(m *ladder.Member) error {
		m.PausedUntil = now.Add(14 * 24 * time.Hour)
		m.Manager = "UBOSS"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateMember(ctx, "U3", func(m *ladder.Member) error {
		m.PausedUntil = now.Add(-time.Hour) // a pause that has ended
		m.Manager = "UBOSS"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"U2", "U3"} {
		if _, err := db.AnswerManager(ctx, id, "UBOSS", true); err != nil {
			t.Fatal(err)
		}
	}
	addEvidence(t, db, "U1", "C1", "1.1", "people", "p1", now)
	addEvidence(t, db, "U1", "C1", "1.2", "people", "p1", now)
	for _, id := range []string{"U1", "U3"} {
		if _, _, err := db.RecordPrompt(ctx, PromptSent{UserID: id, PromptID: "p1", Weekly: true, Week: ladder.WeekOf(now), Created: now}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := db.RecordPrompt(ctx, PromptSent{UserID: "U1", PromptID: "p1", Week: ladder.Week{Year: 2026, Week: 46}, Created: now.AddDate(0, 0, -7)}); err != nil {
		t.Fatal(err)
	}
	if err := db.SkipWeek(ctx, "U3", ladder.WeekOf(now)); err != nil {
		t.Fatal(err)
	}
	db.ClaimDigest(ctx, "UBOSS", "2026-11", now)
	db.MarkDigestSent(ctx, "UBOSS", "2026-11", "D1", "9.9", now)

	got, err := db.Stats(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{Members: 3, Active: 2, Managers: 1, Evidence: 2, PromptsThisWeek: 2, SkippedThisWeek: 1, DigestsMonth: 1}
	if got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := mustOpenPath(t, filepath.Join(dir, "ladder.db"))
	mustEnroll(t, db, "U1")
	for i := range 50 {
		addEvidence(t, db, "U1", "C1", "before."+strconv.Itoa(i), "people", "p1", now)
	}

	stop := make(chan struct{})
	var written atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			_, _, err := db.AddEvidence(ctx, ladder.Evidence{UserID: "U1", Area: ladder.People, Text: "during",
				Channel: "C1", TS: "during." + strconv.Itoa(i), Created: now})
			if err != nil {
				t.Errorf("write during backup: %v", err)
				return
			}
			written.Add(1)
		}
	})
	for written.Load() < 5 {
		time.Sleep(time.Millisecond)
	}
	backup := filepath.Join(dir, "backup.db")
	err := db.Backup(ctx, backup)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}

	cp := mustOpenPath(t, backup)
	n := count(t, cp, `SELECT count(*) FROM evidence`)
	if n < 55 {
		t.Errorf("backup has %d evidence rows, want at least 55", n)
	}
	var ok string
	cp.db.QueryRow(`PRAGMA integrity_check`).Scan(&ok)
	if ok != "ok" {
		t.Errorf("backup integrity_check: %s", ok)
	}
	if _, err := cp.Member(ctx, "U1"); err != nil {
		t.Errorf("backup: %v", err)
	}

	if err := db.Backup(ctx, backup); err == nil {
		t.Error("Backup over an existing file: no error")
	}
}

func TestConcurrentReadModifyWrite(t *testing.T) {
	// Each UpdateMember reads then writes. With deferred transactions two of
	// them would deadlock on the upgrade and one would get SQLITE_BUSY at once;
	// _txlock=immediate makes them queue, and no update is lost.
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	if _, err := db.UpdateMember(ctx, "U1", func(m *ladder.Member) error { m.Name = ""; return nil }); err != nil {
		t.Fatal(err)
	}
	const n = 20
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, err := db.UpdateMember(ctx, "U1", func(m *ladder.Member) error {
				m.Name += "x"
				return nil
			})
			if err != nil {
				t.Errorf("UpdateMember: %v", err)
			}
		})
	}
	wg.Wait()
	m, err := db.Member(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Name) != n {
		t.Errorf("name has %d x, want %d: updates were lost", len(m.Name), n)
	}
}

func TestNotFoundErrorsAreDomainErrors(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	if _, err := db.Member(ctx, "nobody"); !errors.Is(err, ladder.ErrNotEnrolled) {
		t.Errorf("Member(nobody) = %v, want ErrNotEnrolled", err)
	}
	if _, _, err := db.AddEvidence(ctx, ladder.Evidence{UserID: "nobody", Text: "x", Channel: "C", TS: "1", Created: now}); !errors.Is(err, ladder.ErrNotEnrolled) {
		t.Errorf("AddEvidence(nobody) = %v, want ErrNotEnrolled", err)
	}
	if _, _, err := db.RecordPrompt(ctx, PromptSent{UserID: "nobody", PromptID: "p", Created: now}); !errors.Is(err, ladder.ErrNotEnrolled) {
		t.Errorf("RecordPrompt(nobody) = %v, want ErrNotEnrolled", err)
	}
}
