package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// InboxEvent is an event from Slack as the inbox keeps it, from the moment it
// is received until it has been handled.
type InboxEvent struct {
	ID       int64  // arrival order; set by Receive
	EventID  string // Slack's event_id, stable across its retries
	UserID   string // the member whose events it is ordered with
	Payload  []byte // the event_callback JSON
	Received time.Time
	// Deletes is the message the event deletes, if any: it is marked deleted
	// as the event is received, so that a message still waiting to be handled
	// is never stored.
	Deletes *MessageRef
}

// MessageRef names a Slack message.
type MessageRef struct {
	Channel string
	TS      string
}

// Edit is a member's edit of their message.
type Edit struct {
	MessageRef
	UserID    string
	Text      string
	Truncated bool
	EditTS    string // the edit's own ts: of two edits, the later one wins
	At        time.Time
}

// ErrDeleted means the message was deleted in Slack, so it is not evidence.
var ErrDeleted = errors.New("the message was deleted")

// Receive commits evs in one transaction, in order, and returns the row id
// of each, or 0 for an event already received (a retry of an event_id it
// holds). Each event's Deletes is marked deleted in the same transaction.
func (db *DB) Receive(ctx context.Context, evs []InboxEvent) ([]int64, error) {
	ids := make([]int64, len(evs))
	err := db.writeFirst(ctx, func(tx *sql.Tx) error {
		insert, err := tx.PrepareContext(ctx, `
			INSERT INTO inbox (event_id, user_id, payload, received_at, owner, lease_until) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (event_id) DO NOTHING
			RETURNING id`)
		if err != nil {
			return err
		}
		defer insert.Close()
		for i, e := range evs {
			if e.EventID == "" {
				return errors.New("empty event id")
			}
			err := insert.QueryRowContext(ctx, e.EventID, e.UserID, e.Payload, toMS(e.Received),
				db.owner, toMS(e.Received.Add(InboxLease))).Scan(&ids[i])
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if e.Deletes != nil {
				if err := markDeleted(ctx, tx, *e.Deletes, e.Received); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("receive events: %w", err)
	}
	return ids, nil
}

// EventDone records that the event of inbox row id was handled, and clears
// the copy of its payload: the row stays only as the event's dedupe record.
func (db *DB) EventDone(ctx context.Context, id int64, at time.Time) error {
	err := db.rowWrite(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`UPDATE inbox SET payload = ?, done_at = ? WHERE id = ? AND done_at = 0`, []byte{}, max(toMS(at), 1), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("event done: %w", err)
	}
	return nil
}

// InboxBacklog counts the events received and committed but not yet
// handled: /metrics shows it, and a test waits for it to reach zero.
func (db *DB) InboxBacklog(ctx context.Context) (int, error) {
	var n int
	err := db.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM inbox WHERE done_at = 0`).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("inbox backlog: %w", err)
	}
	return n, nil
}

// PendingEvents returns, in arrival order, at most limit events this process
// owns, received but not yet handled, whose row id is above after.
func (db *DB) PendingEvents(ctx context.Context, after int64, limit int) ([]InboxEvent, error) {
	var evs []InboxEvent
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		evs, err = queryAll(ctx, tx, scanInboxEvent, `SELECT id, event_id, user_id, payload, received_at FROM inbox
			WHERE done_at = 0 AND owner = ? AND id > ? ORDER BY id LIMIT ?`, db.owner, after, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pending events: %w", err)
	}
	return evs, nil
}

func scanInboxEvent(s scanner) (InboxEvent, error) {
	var (
		e  InboxEvent
		at int64
	)
	err := s.Scan(&e.ID, &e.EventID, &e.UserID, &e.Payload, &at)
	e.Received = fromMS(at)
	return e, err
}

// EditMessage applies a member's edit to the evidence from the message and
// returns the result. If the message is not evidence, it fails with
// ladder.ErrNotFound, and keeps the edit for a day if the editor is
// enrolled: Slack may yet deliver the message (a retry can come after the
// edit), and AddEvidence then stores the edited text.
func (db *DB) EditMessage(ctx context.Context, e Edit) (ladder.Evidence, error) {
	var (
		ev   ladder.Evidence
		kept bool
	)
	err := db.write(ctx, func(tx *sql.Tx) (err error) {
		ev, err = scanEvidence(tx.QueryRowContext(ctx, `
			UPDATE evidence SET text = ?, truncated = ?, edited_at = ?
			WHERE channel = ? AND ts = ?
			RETURNING `+evidenceCols,
			e.Text, e.Truncated, toMS(e.At), e.Channel, e.TS))
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO early_edits (channel, ts, user_id, text, truncated, edit_ts, received_at)
			SELECT ?, ?, user_id, ?, ?, ?, ? FROM members WHERE user_id = ?
			ON CONFLICT (channel, ts) DO UPDATE SET
				text = excluded.text, truncated = excluded.truncated,
				edit_ts = excluded.edit_ts, received_at = excluded.received_at
			WHERE excluded.edit_ts >= early_edits.edit_ts AND excluded.user_id = early_edits.user_id`,
			e.Channel, e.TS, e.Text, e.Truncated, e.EditTS, toMS(e.At), e.UserID)
		kept = true
		return err
	})
	if err == nil && kept {
		err = ladder.ErrNotFound
	}
	if err != nil {
		return ladder.Evidence{}, fmt.Errorf("edit message: %w", err)
	}
	return ev, nil
}

// DeleteMessage records that a Slack message was deleted, so that it is
// never stored, and deletes the evidence from it. It returns what it deleted,
// or fails with ladder.ErrNotFound if the message was not evidence.
func (db *DB) DeleteMessage(ctx context.Context, m MessageRef, at time.Time) (ladder.Evidence, error) {
	var (
		ev    ladder.Evidence
		found bool
	)
	err := db.write(ctx, func(tx *sql.Tx) (err error) {
		if err := markDeleted(ctx, tx, m, at); err != nil {
			return err
		}
		ev, err = scanEvidence(tx.QueryRowContext(ctx,
			`DELETE FROM evidence WHERE channel = ? AND ts = ? RETURNING `+evidenceCols, m.Channel, m.TS))
		if errors.Is(err, sql.ErrNoRows) {
			return nil // the record of the deletion is committed all the same
		}
		found = err == nil
		return err
	})
	if err == nil && !found {
		err = ladder.ErrNotFound
	}
	if err != nil {
		return ladder.Evidence{}, fmt.Errorf("delete message: %w", err)
	}
	return ev, nil
}

func markDeleted(ctx context.Context, tx *sql.Tx, m MessageRef, at time.Time) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO deleted_messages (channel, ts, received_at) VALUES (?, ?, ?)
		ON CONFLICT (channel, ts) DO NOTHING`, m.Channel, m.TS, toMS(at))
	return err
}

// settleEarly applies to e what arrived before its message: it fails with
// ErrDeleted if the message was deleted, and takes the member's latest edit
// of it, if one was kept.
func settleEarly(ctx context.Context, tx *sql.Tx, e *ladder.Evidence) error {
	var n int
	if err := tx.QueryRowContext(ctx,
		`SELECT count(*) FROM deleted_messages WHERE channel = ? AND ts = ?`, e.Channel, e.TS).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return ErrDeleted
	}
	var at int64
	err := tx.QueryRowContext(ctx, `
		DELETE FROM early_edits WHERE channel = ? AND ts = ? AND user_id = ?
		RETURNING text, truncated, received_at`, e.Channel, e.TS, e.UserID).Scan(&e.Text, &e.Truncated, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	e.Edited = fromMS(at)
	return nil
}

// writeFirst is write for the inbox: Slack waits for the ack, so its commit
// runs on a connection of its own, never waiting for one that readers hold,
// and goes ahead of the writes already queued.
func (db *DB) writeFirst(ctx context.Context, fn func(*sql.Tx) error) error {
	if db.pg {
		return db.rowWrite(ctx, fn)
	}
	conn, err := db.inbox.get(ctx, db.db)
	if err != nil {
		return unwritable(err)
	}
	db.wl.lock(true)
	defer db.wl.unlock()
	return writeOn(ctx, conn, fn)
}

// checkpointEvery is how many writes go by between checkpoints: about what
// SQLite's own automatic checkpoint (1,000 pages of WAL) lets go by.
const checkpointEvery = 200

// checkpointAfter copies the WAL back into the database every
// checkpointEvery writes. SQLite would do it inside the commit that fills
// the WAL, which holds the write queue (writeLock) for as long as the copy
// takes, up to hundreds of milliseconds on a large database, and the inbox's
// commits, and so the acks, wait behind it. A passive checkpoint here, after
// the write lock is free, runs beside the writes that follow.
func (db *DB) checkpointAfter(ctx context.Context, conn *sql.Conn) {
	if db.writes.Add(1)%checkpointEvery != 0 {
		return
	}
	var busy, logFrames, done int
	_ = conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &done)
}

// writeOn runs fn in a read-write transaction on conn, and commits if fn
// returns nil.
func writeOn(ctx context.Context, conn *sql.Conn, fn func(*sql.Tx) error) error {
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{})
	if err != nil {
		return unwritable(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return unwritable(err)
	}
	return unwritable(tx.Commit())
}

// inboxConn is a connection kept for the inbox's commits.
type inboxConn struct {
	mu   sync.Mutex
	conn *sql.Conn
}

func (c *inboxConn) get(ctx context.Context, db *sql.DB) (*sql.Conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil {
		conn, err := db.Conn(ctx)
		if err != nil {
			return nil, err
		}
		// The WAL is checkpointed by the other writers' commits, never by
		// an inbox commit that an ack waits for.
		if _, err := conn.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0`); err != nil {
			conn.Close()
			return nil, err
		}
		c.conn = conn
	}
	return c.conn, nil
}

func (c *inboxConn) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// writeLock queues the writers of this process before they begin. SQLite
// lets one write at a time, and a connection that finds the lock taken
// waits in its busy handler, which sleeps in steps of up to 100 ms rather
// than waking when the lock is free: with the workers writing, an inbox
// commit waited tens of milliseconds, and the ack with it. Queued here, a
// writer starts the moment the last one commits, and an urgent one (the
// inbox) goes first. Other processes (bot backup, a sqlite3 shell) still
// meet the busy handler.
type writeLock struct {
	mu     *sync.Mutex
	free   *sync.Cond
	held   bool
	urgent int // urgent writers waiting
}

func newWriteLock() writeLock {
	mu := &sync.Mutex{}
	return writeLock{mu: mu, free: sync.NewCond(mu)}
}

func (l *writeLock) lock(urgent bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if urgent {
		l.urgent++
		defer func() { l.urgent-- }()
	}
	for l.held || (!urgent && l.urgent > 0) {
		l.free.Wait()
	}
	l.held = true
}

func (l *writeLock) unlock() {
	l.mu.Lock()
	l.held = false
	l.mu.Unlock()
	l.free.Broadcast()
}
