package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/ladderapp/ladder/internal/store"
)

const backupUsage = `usage: bot backup PATH
  Writes an online, consistent copy of the database that LADDER_DB names to PATH,
  a file that must not exist yet. The app may keep running meanwhile.`

// backup writes a copy of the database with VACUUM INTO, which reads one
// snapshot: in WAL mode the app keeps writing while it runs, and the copy is a
// complete database as of one moment, ready to be put back in LADDER_DB's place.
func backup(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] == "" || strings.HasPrefix(args[0], "-") {
		return &exitError{2, errors.New(backupUsage)}
	}
	path := args[0]
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("backup: %s already exists; choose a new file", path)
	}
	// Opening a database that is not there would create an empty one, and back
	// that up: a mistyped LADDER_DB must fail instead.
	if _, err := os.Stat(cfg.DB); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: no database at %s (LADDER_DB)", cfg.DB)
	} else if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	if err := db.Backup(ctx, path); err != nil {
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backup written to %s (%d bytes)\n", path, fi.Size())
	return nil
}
