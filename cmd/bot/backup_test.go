package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite" // to check the copy with PRAGMA integrity_check

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/pgtest"
	"github.com/ladderapp/ladder/internal/store"
)

// TestBackupWhileWriting takes a backup while another connection, standing in
// for the running app, keeps adding evidence. The copy must be one consistent
// moment: a gapless prefix of what was written, and a sound database.
func TestBackupWhileWriting(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "ladder.db")
	t.Setenv("LADDER_DB", dbPath)

	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const user = "UWRITER"
	if _, _, err := db.Enroll(ctx, ladder.Member{UserID: user, Level: ladder.EM, Target: ladder.SeniorEM, Track: "broad", Share: ladder.ShareSummary, EnrolledAt: testDay}); err != nil {
		t.Fatal(err)
	}

	// Long answers make the database big enough that the copy takes a while.
	filler := strings.Repeat("a long and thoughtful answer ", 40)
	writing, stopWriting := context.WithCancel(ctx)
	defer stopWriting()
	var written atomic.Int64
	var writeErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 1; writing.Err() == nil; i++ {
			_, _, err := db.AddEvidence(writing, ladder.Evidence{
				UserID: user, Text: fmt.Sprintf("answer %d: %s", i, filler),
				Channel: "DUWRITER", TS: fmt.Sprintf("%d.000000", 1700000000+i), Created: testDay.Add(time.Duration(i) * time.Second),
			})
			if err != nil {
				if writing.Err() == nil {
					writeErr = err
				}
				return
			}
			written.Store(int64(i))
		}
	})
	for written.Load() < 300 {
		if ctx.Err() != nil {
			t.Fatal("the writer never got going")
		}
		time.Sleep(time.Millisecond)
	}

	copyPath := filepath.Join(dir, "copy.db")
	before := written.Load()
	var out, errOut bytes.Buffer
	err = run(ctx, []string{"backup", copyPath}, os.Getenv, startingAt(testDay), nil, &out, &errOut)
	after := written.Load()
	// The writer must not have been shut out: it goes on after the backup.
	for written.Load() < after+10 && writeErr == nil && ctx.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	stopWriting()
	wg.Wait()
	if code := exitCode(err, &errOut); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, errOut.String())
	}
	if writeErr != nil {
		t.Fatalf("the writer failed during the backup: %v", writeErr)
	}
	fi, err := os.Stat(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), fmt.Sprintf("backup written to %s (%d bytes)\n", copyPath, fi.Size()); got != want {
		t.Errorf("output: got %q, want %q", got, want)
	}
	t.Logf("%d answers written before the backup, %d by its end", before, after)

	raw, err := sql.Open("sqlite", "file:"+copyPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var check string
	if err := raw.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check of the copy: %q, %v", check, err)
	}
	raw.Close()

	cp, err := store.Open(ctx, copyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if _, err := cp.Member(ctx, user); err != nil {
		t.Errorf("the copy lacks the member: %v", err)
	}
	es, err := cp.AllEvidence(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	if n := int64(len(es)); n < before || n > after {
		t.Errorf("the copy has %d answers; want between %d and %d", n, before, after)
	}
	for i, e := range es {
		if want := fmt.Sprintf("answer %d: ", i+1); !strings.HasPrefix(e.Text, want) {
			t.Fatalf("answer %d of the copy is %.20q: the copy is not one moment of the database", i+1, e.Text)
		}
	}
}

func TestBackupRefuses(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "ladder.db")
	t.Setenv("LADDER_DB", dbPath)
	db, err := store.Open(t.Context(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	existing := filepath.Join(dir, "existing.db")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		args     []string
		db       string
		wantCode int
		wantErr  string
	}{
		{"no path", []string{"backup"}, dbPath, 2, "usage: bot backup PATH"},
		{"two paths", []string{"backup", "a", "b"}, dbPath, 2, "usage: bot backup PATH"},
		{"a flag", []string{"backup", "--help"}, dbPath, 2, "usage: bot backup PATH"},
		{"existing path", []string{"backup", existing}, dbPath, 1, "already exists"},
		{"no database", []string{"backup", filepath.Join(dir, "new.db")}, filepath.Join(dir, "typo.db"), 1, "no database at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("LADDER_DB", tt.db)
			var out, errOut bytes.Buffer
			code := exitCode(run(t.Context(), tt.args, os.Getenv, startingAt(testDay), nil, &out, &errOut), &errOut)
			if code != tt.wantCode || !strings.Contains(errOut.String(), tt.wantErr) {
				t.Errorf("got exit %d, %q; want exit %d, %q", code, errOut.String(), tt.wantCode, tt.wantErr)
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Errorf("an existing file was overwritten: %q", b)
	}
	for _, p := range []string{"typo.db", "new.db"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			t.Errorf("%s was created", p)
		}
	}
}

// TestBackupPostgresRunsPgDump backs up a PostgreSQL database: pg_dump writes
// a custom-format archive, private to its owner, and the password never
// reaches pg_dump's command line.
func TestBackupPostgresRunsPgDump(t *testing.T) {
	dsn := pgtest.DSN(t)
	if _, err := exec.LookPath("pg_dump"); err != nil {
		t.Fatalf("LADDER_TEST_POSTGRES is set but pg_dump is not installed: %v", err)
	}
	ctx := t.Context()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, _, err := db.Enroll(ctx, ladder.Member{UserID: "UPG", Level: ladder.EM, Target: ladder.SeniorEM, Track: "broad", Share: ladder.ShareSummary, EnrolledAt: testDay}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LADDER_DB", dsn)
	path := filepath.Join(t.TempDir(), "ladder.dump")
	var out bytes.Buffer
	if err := backup(ctx, []string{path}, &out); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("PGDMP")) {
		t.Errorf("the backup starts %q; want pg_dump's custom format (PGDMP)", data[:min(len(data), 8)])
	}
	// The archive is compressed: pg_restore reads it back as SQL.
	script, err := exec.Command("pg_restore", "--data-only", "--file=-", path).Output()
	if err != nil {
		t.Fatalf("pg_restore: %v", err)
	}
	if !bytes.Contains(script, []byte("UPG")) {
		t.Error("the backup does not hold the member's row")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", fi.Mode().Perm())
	}
	if !strings.Contains(out.String(), "pg_restore") {
		t.Errorf("output %q does not say how to restore", out.String())
	}
	// Asked again, it refuses to overwrite.
	if err := backup(ctx, []string{path}, &out); err == nil {
		t.Error("a second backup to the same file: no error")
	}
}
