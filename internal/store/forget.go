package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// ErrNotErased means that deleted rows are gone from the database, but their
// text may still be on disk: another connection (a backup, Litestream, a
// sqlite3 shell) holds a read transaction on an older snapshot, so SQLite can
// neither copy the deletion into the database file nor truncate the WAL.
var ErrNotErased = errors.New("deleted, but not yet erased from disk: another program is reading the database")

// Forgotten is what ForgetMember did.
type Forgotten struct {
	// Enrolled is true if the user was a member until now; false if they
	// were already gone, and only what was left was finished.
	Enrolled bool
	// Reports are the members who named the user as their manager. The
	// link is gone: the user gets no more digests about them.
	Reports []string
	// Digests are the digest DMs sent to managers that mention the user.
	// Delete them in Slack, then call DigestDeleted: until then they stay
	// listed, so that a later ForgetMember finds them again.
	Digests []SentDigest
}

// SentDigest is one digest DM that Slack holds.
type SentDigest struct {
	Manager     string
	Channel, TS string
}

// Forget deletes a member as ForgetMember does, then erases what they leave
// on disk as Erase does, trying for up to eraseWait. It fails with
// ladder.ErrNotEnrolled if they were not enrolled (after still finishing the
// erase), and with ErrNotErased if the erase could not complete.
func (db *DB) Forget(ctx context.Context, userID string) error {
	f, err := db.ForgetMember(ctx, userID)
	if err != nil {
		return err
	}
	if err := db.Erase(ctx, eraseWait); err != nil {
		return fmt.Errorf("forget: %w", err)
	}
	if !f.Enrolled {
		return fmt.Errorf("forget: %w", ladder.ErrNotEnrolled)
	}
	return nil
}

// eraseWait is how long Forget keeps trying to erase.
const eraseWait = 5 * time.Second

// ForgetMember deletes a member with all their evidence, prompts and growth
// goals, the calibrations and 1:1 agenda times that name them as report or
// as manager, the digests they were sent as a manager (digests_sent holds one row
// per manager and month, and never names a report), and every reference to
// them in other members' rows: as a manager, named or declined. It returns what the app
// still has to do in Slack. Run on a user who is already gone, it finishes
// whatever an earlier run left.
//
// The rows are gone once it returns, but with WAL their text is not yet gone
// from disk: call Erase after it. With secure_delete on, the checkpoint that
// Erase runs overwrites the deleted content with zeros.
func (db *DB) ForgetMember(ctx context.Context, userID string) (Forgotten, error) {
	var f Forgotten
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		f.Reports, err = queryAll(ctx, tx, scanString,
			`SELECT user_id FROM members WHERE manager = ? ORDER BY user_id`, userID)
		if err != nil {
			return err
		}
		// The foreign keys cascade too; deleting explicitly keeps this
		// complete even on a connection where they were somehow off. The
		// members trigger takes the outbox and zones (0001_init.sql).
		for _, q := range []string{
			`DELETE FROM evidence WHERE user_id = ?`,
			`DELETE FROM prompts_sent WHERE user_id = ?`,
			`DELETE FROM growth_goals WHERE member_id = ?`,
			`DELETE FROM calibrations WHERE report = ?`,
			`DELETE FROM calibrations WHERE manager = ?`,
			`DELETE FROM oneonone_agendas WHERE report = ?`,
			`DELETE FROM oneonone_agendas WHERE manager = ?`,
			`DELETE FROM digests_sent WHERE manager = ?`,
			`DELETE FROM digest_subjects WHERE manager = ?`,
			`UPDATE members SET manager = '', manager_pending = 0 WHERE manager = ?`,
			`UPDATE members SET manager_declined = '' WHERE manager_declined = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, userID); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM members WHERE user_id = ?`, userID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		f.Enrolled = n == 1
		f.Digests, err = queryAll(ctx, tx, func(s scanner) (SentDigest, error) {
			var d SentDigest
			return d, s.Scan(&d.Manager, &d.Channel, &d.TS)
		}, `SELECT manager, channel, ts FROM digest_subjects WHERE user_id = ? ORDER BY channel, ts`, userID)
		return err
	})
	if err != nil {
		return Forgotten{}, fmt.Errorf("forget: %w", err)
	}
	return f, nil
}

// DigestDeleted records that the digest DM channel/ts is gone from Slack, so
// that nothing refers to it any more.
func (db *DB) DigestDeleted(ctx context.Context, channel, ts string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM digest_subjects WHERE channel = ? AND ts = ?`, channel, ts)
		return err
	})
	if err != nil {
		return fmt.Errorf("digest deleted: %w", err)
	}
	return nil
}

// Erase moves every change in the WAL into the database file and truncates
// the WAL to zero bytes, so that deleted text survives in neither. A reader
// holding an older snapshot keeps that from finishing; Erase tries again,
// with backoff, until it completes, ctx ends or within has passed, and then
// fails with ErrNotErased.
func (db *DB) Erase(ctx context.Context, within time.Duration) error {
	// Retries are measured on the monotonic clock: this bounds a wait, it
	// decides no date.
	deadline := time.Now().Add(within)
	wait := 50 * time.Millisecond
	step := db.checkpoint
	if db.pg {
		horizon, err := db.pgHorizon(ctx)
		if err != nil {
			return err
		}
		step = func(ctx context.Context) error { return db.vacuum(ctx, horizon) }
	}
	for {
		err := step(ctx)
		if err != nil && ctx.Err() != nil {
			return fmt.Errorf("%w (%w)", ErrNotErased, ctx.Err())
		}
		if !errors.Is(err, ErrNotErased) || time.Now().Add(wait).After(deadline) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (%w)", ErrNotErased, ctx.Err())
		case <-t.C:
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// checkpointBusyTimeout is how long one checkpoint waits for readers before
// it reports busy. Erase retries; a long wait would hold a connection.
const checkpointBusyTimeout = 200 * time.Millisecond

// checkpoint runs one PRAGMA wal_checkpoint(TRUNCATE). A checkpoint that a
// reader blocks does not fail: it returns busy = 1, or leaves frames in the
// log, and that is ErrNotErased.
func (db *DB) checkpoint(ctx context.Context) error {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", checkpointBusyTimeout.Milliseconds())); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	// The connection goes back to the pool: give it back its usual wait.
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA busy_timeout = 5000")
	// This process's writers wait meanwhile (at most the busy timeout), so
	// that none appends to the WAL between the checkpoint and the check below.
	db.wl.lock(false)
	defer db.wl.unlock()
	var busy, logFrames, done int
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if busy != 0 || logFrames > 0 {
		return fmt.Errorf("checkpoint: %w (busy %d, %d of %d frames copied)", ErrNotErased, busy, done, logFrames)
	}
	// The columns say the WAL was reset; the file's size says it is empty.
	if fi, err := os.Stat(db.path + "-wal"); err == nil && fi.Size() > 0 {
		return fmt.Errorf("checkpoint: %w (the wal still holds %d bytes)", ErrNotErased, fi.Size())
	}
	return nil
}

// EraseLater runs Erase in the background, for up to within, and then calls
// done, if not nil, with its outcome. One background erase runs at a time:
// while one runs, EraseLater does nothing and returns false, since that one
// erases everything deleted so far. Close stops it and waits for it.
func (db *DB) EraseLater(within time.Duration, done func(error)) bool {
	db.bgMu.Lock()
	defer db.bgMu.Unlock()
	if db.erasing || db.closed {
		return false
	}
	ctx, stop := context.WithCancel(context.Background())
	db.erasing, db.bgStop = true, stop
	db.bg.Go(func() {
		defer stop()
		err := db.Erase(ctx, within)
		db.bgMu.Lock()
		db.erasing, db.bgStop = false, nil
		db.bgMu.Unlock()
		if done != nil {
			done(err)
		}
	})
	return true
}
