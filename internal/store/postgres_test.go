package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ladderapp/ladder/internal/ladder"
)

func TestRebind(t *testing.T) {
	for in, want := range map[string]string{
		`SELECT ? , ?`:                             `SELECT $1 , $2`,
		`WHERE a = ?1 AND b = ?2 OR c = ?1`:        `WHERE a = $1 AND b = $2 OR c = $1`,
		`VALUES (?1, ?2, ?3, ?5) -- ?4 unused`:     `VALUES ($1, $2, $3, $5) -- ?4 unused`,
		`SELECT '?', "?" FROM t WHERE x = ?`:       `SELECT '?', "?" FROM t WHERE x = $1`,
		`SELECT 'it''s ?' WHERE x = ?`:             `SELECT 'it''s ?' WHERE x = $1`,
		`SET x = ?3, y = ?`:                        `SET x = $3, y = $4`,
		"SELECT 1 -- a comment?\nWHERE x = ?":      "SELECT 1 -- a comment?\nWHERE x = $1",
		`no placeholders at all`:                   `no placeholders at all`,
		`SELECT value FROM json_each(?3) WHERE ?2`: `SELECT value FROM json_each($3) WHERE $2`,
	} {
		if got := rebind(in); got != want {
			t.Errorf("rebind(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestForgetRewritesPostgresFiles: after a forget, the tables that held the
// member's text are written anew (VACUUM FULL gives each a new file), so the
// deleted row's bytes are in no file of the table. Where the test may run
// CHECKPOINT and read the server's data directory (CI grants pg_checkpoint
// and pg_read_all_settings, and runs as root on the server's machine), it
// also reads the files: the text is in the old file before, and in no file
// of the table after.
func TestForgetRewritesPostgresFiles(t *testing.T) {
	postgresOnly(t)
	ctx := context.Background()
	const marker = "PG-FORGET-MARKER-5e1f"
	db := MustOpen(t)
	mustEnroll(t, db, "UKEEP")
	mustEnroll(t, db, "UGONE")
	if _, _, err := db.AddEvidence(ctx, ladder.Evidence{UserID: "UGONE", Area: ladder.People,
		Text: "said " + marker, Channel: "DG", TS: "1.0", Created: now}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddEvidence(ctx, ladder.Evidence{UserID: "UKEEP", Area: ladder.People,
		Text: "kept", Channel: "DK", TS: "1.0", Created: now}); err != nil {
		t.Fatal(err)
	}
	files := func() map[string]string {
		out := map[string]string{}
		for _, table := range textTables {
			var p string
			if err := db.db.QueryRowContext(ctx, `SELECT pg_relation_filepath(?)`, table).Scan(&p); err != nil {
				t.Fatal(err)
			}
			out[table] = p
		}
		return out
	}
	var dataDir string
	_, cpErr := db.db.ExecContext(ctx, `CHECKPOINT`)
	dirErr := db.db.QueryRowContext(ctx, `SELECT current_setting('data_directory')`).Scan(&dataDir)
	readable := cpErr == nil && dirErr == nil
	if readable {
		if _, err := os.Stat(dataDir); err != nil {
			readable = false
			t.Logf("the data directory is not readable here (%v): checking the files' names only", err)
		}
	} else {
		t.Logf("CHECKPOINT (%v) or data_directory (%v) refused: checking the files' names only", cpErr, dirErr)
	}
	before := files()
	if readable {
		data, err := os.ReadFile(filepath.Join(dataDir, before["evidence"]))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte(marker)) {
			t.Fatal("the marker is not in the evidence file before forget: the test cannot fail")
		}
	}

	if err := db.Forget(ctx, "UGONE"); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	after := files()
	for _, table := range textTables {
		if after[table] == before[table] {
			t.Errorf("%s kept its file %s: not rewritten, so the deleted row's bytes may remain", table, before[table])
		}
	}
	if n := count(t, db, `SELECT count(*) FROM evidence`); n != 1 {
		t.Errorf("evidence rows after forget = %d, want UKEEP's 1", n)
	}
	if readable {
		if _, err := db.db.ExecContext(ctx, `CHECKPOINT`); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dataDir, before["evidence"])); err == nil {
			if data, _ := os.ReadFile(filepath.Join(dataDir, before["evidence"])); bytes.Contains(data, []byte(marker)) {
				t.Error("the old evidence file still holds the marker")
			}
		}
		data, err := os.ReadFile(filepath.Join(dataDir, after["evidence"]))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(marker)) {
			t.Error("the new evidence file holds the forgotten text")
		}
		if !bytes.Contains(data, []byte("kept")) {
			t.Error("the new evidence file lost the other member's text")
		}
	}
}

// TestForgetWithAnOlderSnapshotPostgres forgets a member while another
// session (a pg_dump, a replica's long read) holds a snapshot from before the
// deletion. VACUUM FULL would copy the deleted row into the table's new file
// for that session's sake, so Forget says it could not erase yet, and leaves
// the table alone; once the session is done, Erase completes.
func TestForgetWithAnOlderSnapshotPostgres(t *testing.T) {
	postgresOnly(t)
	ctx := context.Background()
	dsn := newTestDSN(t)
	db := mustOpenPath(t, dsn)
	other := mustOpenPath(t, dsn)
	mustEnroll(t, db, "UKEEP")
	mustEnroll(t, db, "UGONE")
	if _, _, err := db.AddEvidence(ctx, ladder.Evidence{UserID: "UGONE", Area: ladder.People,
		Text: "said SNAPSHOT-MARKER", Channel: "DG", TS: "1.0", Created: now}); err != nil {
		t.Fatal(err)
	}
	reader, err := other.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Rollback()
	// The snapshot is taken by the reader's first query. It reads another
	// table, so that it holds no lock on the evidence table that would stop
	// VACUUM FULL anyway: only the snapshot is in the way.
	var n int
	if err := reader.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("the reader sees %d migrations, %v", n, err)
	}
	before := relationFile(t, db, "evidence")
	if err := db.Forget(ctx, "UGONE"); !errors.Is(err, ErrNotErased) {
		t.Fatalf("Forget with an older snapshot open = %v, want ErrNotErased", err)
	}
	if after := relationFile(t, db, "evidence"); after != before {
		t.Errorf("the evidence table was rewritten (%s to %s) while a snapshot could still see the row", before, after)
	}
	if _, err := db.Member(ctx, "UGONE"); !errors.Is(err, ladder.ErrNotEnrolled) {
		t.Errorf("Member after Forget = %v, want ErrNotEnrolled: the rows are deleted", err)
	}
	if err := reader.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := db.Erase(ctx, eraseWait); err != nil {
		t.Fatalf("Erase once the reader is done: %v", err)
	}
	if after := relationFile(t, db, "evidence"); after == before {
		t.Errorf("the evidence table kept its file %s after the erase", after)
	}
}
