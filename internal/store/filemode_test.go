//go:build unix

package store

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestFilesArePrivate checks that every file Ladder writes about its members
// is readable and writable by its owner alone, whatever the umask: the
// database, SQLite's WAL and shared-memory index beside it, the inbox
// journal, and a backup.
func TestFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022) // the usual one, under which SQLite alone would make 0644
	t.Cleanup(func() { syscall.Umask(old) })
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "ladder.db")
	db := mustOpenPath(t, path)
	mustEnroll(t, db, "U1") // a write, so that the WAL holds something
	j, err := db.OpenJournal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	backup := filepath.Join(dir, "backup.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + journalSuffix, backup} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
			continue
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s has mode %04o; want 0600", filepath.Base(p), got)
		}
	}
	// The backup is a whole database.
	copied := mustOpenPath(t, backup)
	if _, err := copied.Member(ctx, "U1"); err != nil {
		t.Errorf("the backup's member U1: %v", err)
	}
}

// TestOpenKeepsAnExistingFilesMode checks that Open leaves the mode of a
// database that is already there alone: an operator may have chosen it.
func TestOpenKeepsAnExistingFilesMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ladder.db")
	if err := os.WriteFile(path, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	mustOpenPath(t, path)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o640 {
		t.Errorf("mode after Open = %04o; want 0640, as it was", got)
	}
}
