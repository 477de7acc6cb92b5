package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"strings"

	"github.com/ladderapp/ladder/internal/store"
)

const backupUsage = `usage: bot backup PATH
  Writes an online, consistent copy of the database that LADDER_DB names to PATH,
  a file that must not exist yet. The app may keep running meanwhile.
  On PostgreSQL it runs pg_dump (custom format, for pg_restore) if it is installed.`

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
	if store.IsPostgres(cfg.DB) {
		return pgDump(ctx, cfg.DB, path, stdout)
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

// pgDump backs up a PostgreSQL database with pg_dump, PostgreSQL's own tool
// for a consistent copy while the replicas write, in its custom format
// (restore with pg_restore). The password goes to pg_dump in PGPASSWORD,
// never on its command line, where ps would show it. The file is created
// readable by its owner alone, as a SQLite backup is.
func pgDump(ctx context.Context, dsn, path string, stdout io.Writer) error {
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		return errors.New("backup: LADDER_DB is PostgreSQL, and pg_dump is not installed here. " +
			"Install PostgreSQL's client tools (Debian: apt-get install postgresql-client) and run this again, " +
			"or run pg_dump --format=custom --file=" + path + " against the same database yourself")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return errors.New("backup: LADDER_DB is not a valid postgres:// URL")
	}
	env := os.Environ()
	if pw, ok := u.User.Password(); ok {
		env = append(env, "PGPASSWORD="+pw)
		u.User = url.User(u.User.Username())
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f.Close()
	cmd := exec.CommandContext(ctx, bin, "--format=custom", "--file="+path, "--dbname="+u.String())
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup: pg_dump: %v: %s", err, strings.TrimSpace(string(out)))
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backup written to %s by pg_dump (%d bytes; restore with pg_restore)\n", path, fi.Size())
	return nil
}
