package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"time"
)

// InboxLease is how long an inbox row stays its receiver's before another
// replica may adopt it. The receiver renews the leases of the rows it still
// holds (RenewInbox) well within it, so only a replica that died, or lost
// the database for that long, loses its rows.
const InboxLease = 30 * time.Second

// newOwner names a process among the replicas: its host name, for people
// reading the table, and random bytes, for uniqueness across restarts.
func newOwner() string {
	var b [6]byte
	rand.Read(b[:])
	host, _ := os.Hostname()
	return host + "-" + hex.EncodeToString(b[:])
}

// Owner is the name this process's inbox rows carry.
func (db *DB) Owner() string { return db.owner }

// RenewInbox extends to now+InboxLease the lease on every inbox row this
// process holds and has not handled.
func (db *DB) RenewInbox(ctx context.Context, now time.Time) error {
	err := db.rowWrite(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE inbox SET lease_until = ? WHERE owner = ? AND done_at = 0`,
			toMS(now.Add(InboxLease)), db.owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("renew inbox: %w", err)
	}
	return nil
}

// AdoptEvents makes this process the owner of at most limit unhandled inbox
// rows whose owner's lease ran out by now, and returns them in arrival order
// for it to handle: the events of a replica that died after it acked them.
// Replicas adopting at once each take different rows.
func (db *DB) AdoptEvents(ctx context.Context, now time.Time, limit int) ([]InboxEvent, error) {
	var evs []InboxEvent
	err := db.rowWrite(ctx, func(tx *sql.Tx) (err error) {
		evs, err = queryAll(ctx, tx, scanInboxEvent, `
			UPDATE inbox SET owner = ?1, lease_until = ?2
			WHERE id IN (SELECT id FROM inbox WHERE done_at = 0 AND owner <> ?1 AND lease_until <= ?3
				ORDER BY id LIMIT ?4`+db.skipLocked()+`)
			RETURNING id, event_id, user_id, payload, received_at`,
			db.owner, toMS(now.Add(InboxLease)), toMS(now), limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("adopt events: %w", err)
	}
	// RETURNING gives no order: arrival order is row order.
	slices.SortFunc(evs, func(a, b InboxEvent) int { return cmp.Compare(a.ID, b.ID) })
	return evs, nil
}

// adoptAll makes this process the owner of every unhandled inbox row. Only
// a process that knows itself the only one may: SQLite's, which holds the
// journal's lock.
func (db *DB) adoptAll(ctx context.Context) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE inbox SET owner = ? WHERE done_at = 0`, db.owner)
		return err
	})
}

// ReleaseEvent gives up this process's hold on inbox row id, unhandled, so
// that any replica, this one included, adopts it at its next AdoptEvents.
func (db *DB) ReleaseEvent(ctx context.Context, id int64) error {
	err := db.rowWrite(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE inbox SET owner = '', lease_until = 0 WHERE id = ? AND owner = ? AND done_at = 0`,
			id, db.owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("release event: %w", err)
	}
	return nil
}
