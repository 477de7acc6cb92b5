package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// TestPurge: bot purge says what it would erase and erases nothing; with
// --confirm it erases every member's data, from disk, and the audit trail
// records it.
func TestPurge(t *testing.T) {
	ctx := t.Context()
	const marker = "PURGE-CLI-MARKER-4b7e"
	dbPath := filepath.Join(t.TempDir(), "ladder.db")
	t.Setenv("LADDER_DB", dbPath)
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"UA", "UB"} {
		if _, _, err := db.Enroll(ctx, ladder.Member{UserID: u, Level: ladder.EM, Target: ladder.SeniorEM, Track: "broad", Share: ladder.ShareSummary, EnrolledAt: testDay}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.AddEvidence(ctx, ladder.Evidence{UserID: u, Area: ladder.People, Text: marker + " by " + u,
			Channel: "D" + u, TS: "1.0", Created: testDay}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	clock := func() time.Time { return testDay.Add(time.Hour) }
	var out, errOut bytes.Buffer

	if err := run(ctx, []string{"purge"}, os.Getenv, clock, nil, &out, &errOut); err != nil {
		t.Fatalf("bot purge: %v", err)
	}
	if got := out.String(); !strings.Contains(got, "This would erase 2 members and 2 pieces of evidence") || !strings.Contains(got, "bot purge --confirm") {
		t.Errorf("bot purge said %q", got)
	}
	if !bytes.Contains(readDBFiles(t, dbPath), []byte(marker)) {
		t.Fatal("bot purge without --confirm erased the evidence")
	}

	out.Reset()
	if err := run(ctx, []string{"purge", "--confirm"}, os.Getenv, clock, nil, &out, &errOut); err != nil {
		t.Fatalf("bot purge --confirm: %v", err)
	}
	if got := out.String(); !strings.Contains(got, "Erased 2 members, 2 pieces of evidence from "+dbPath) {
		t.Errorf("bot purge --confirm said %q", got)
	}
	if bytes.Contains(readDBFiles(t, dbPath), []byte(marker)) {
		t.Error("the evidence is still in the database files after the purge")
	}
	db, err = store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if s, err := db.Stats(ctx, clock()); err != nil || s.Members != 0 || s.Evidence != 0 {
		t.Errorf("after the purge: %+v, %v", s, err)
	}
	trail, err := db.AuditTrail(ctx, 5)
	if err != nil || len(trail) != 1 || trail[0].Actor != store.ActorCLI || trail[0].Action != "purge" ||
		!trail[0].At.Equal(clock()) || strings.Contains(trail[0].Detail, marker) {
		t.Errorf("audit trail = %+v, %v; want the purge by the server's command, counts only", trail, err)
	}

	if err := run(ctx, []string{"purge", "--yes"}, os.Getenv, clock, nil, &out, &errOut); err == nil || !strings.Contains(err.Error(), "usage: bot purge [--confirm]") {
		t.Errorf("bot purge --yes = %v; want the usage", err)
	}
	t.Setenv("LADDER_DB", filepath.Join(t.TempDir(), "typo.db"))
	if err := run(ctx, []string{"purge", "--confirm"}, os.Getenv, clock, nil, &out, &errOut); err == nil || !strings.Contains(err.Error(), "no database at") {
		t.Errorf("bot purge on a missing file = %v; want no database", err)
	}
}

// readDBFiles returns the bytes of a SQLite database and of every file beside
// it (-wal, -shm).
func readDBFiles(t *testing.T, path string) []byte {
	t.Helper()
	files, err := filepath.Glob(path + "*")
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}
