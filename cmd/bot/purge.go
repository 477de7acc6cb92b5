package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/ladderapp/ladder/internal/store"
)

const purgeUsage = `usage: bot purge [--confirm]
  Erases every member's data from the database that LADDER_DB names, now:
  evidence, growth goals, settings, and the messages waiting to be sent. It is
  erased from disk as /ladder forget erases one member. The audit trail is
  kept, with this purge on it. Messages already in Slack stay there.
  Without --confirm it only says what it would erase.`

// purge erases everything (issue 16): what an admin runs when the company
// stops using Ladder, and what the app runs itself when an uninstall's grace
// period ends.
func purge(ctx context.Context, args []string, clock func() time.Time, stdout io.Writer) error {
	confirm := false
	switch {
	case len(args) == 1 && args[0] == "--confirm":
		confirm = true
	case len(args) > 0:
		return &exitError{2, errors.New(purgeUsage)}
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	// Opening a database that is not there would create an empty one: a
	// mistyped LADDER_DB must say so instead.
	if !store.IsPostgres(cfg.DB) {
		if _, err := os.Stat(cfg.DB); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("purge: no database at %s (LADDER_DB)", cfg.DB)
		}
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return fmt.Errorf("purge: %w", err)
	}
	defer db.Close()
	now := clock()
	if !confirm {
		s, err := db.Stats(ctx, now)
		if err != nil {
			return fmt.Errorf("purge: %w", err)
		}
		fmt.Fprintf(stdout, "This would erase %d members and %d pieces of evidence, with every setting, growth goal and queued message, from %s.\n"+
			"Nothing was erased. To erase it all now: bot purge --confirm\n", s.Members, s.Evidence, dbName(cfg.DB))
		return nil
	}
	e, err := db.Purge(ctx, store.ActorCLI, "bot purge --confirm", now)
	if errors.Is(err, store.ErrNotErased) {
		return fmt.Errorf("purge: every row is deleted (%s), but another program holds the database open, so the text may still be on disk. Stop it (a backup, a shell) and run bot purge --confirm again: %w", e, err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Erased %s from %s. The audit trail keeps a record of this purge.\n", e, dbName(cfg.DB))
	return nil
}
