//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/ladderapp/ladder/internal/store"
)

// TestBackupIsPrivate runs bot backup on a database an older Ladder left
// readable by everyone (0644): the copy is readable by its owner alone,
// whatever the source's mode and the umask.
func TestBackupIsPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "ladder.db")
	t.Setenv("LADDER_DB", dbPath)
	db, err := store.Open(t.Context(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.Chmod(dbPath, 0o644); err != nil {
		t.Fatal(err)
	}

	copyPath := filepath.Join(dir, "backup.db")
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"backup", copyPath}, os.Getenv, startingAt(testDay), nil, &out, &errOut); err != nil {
		t.Fatalf("bot backup: %v\n%s", err, errOut.String())
	}
	fi, err := os.Stat(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("the backup has mode %04o; want 0600", got)
	}
}
