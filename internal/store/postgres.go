package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL is the store for more than one replica (issue 14). The methods
// are the same Go code as on SQLite: most of Ladder's SQL is standard and
// reads the same in both. Where the dialects differ (the schema, claiming a
// send, erasing deleted text) each has its own statement, chosen by db.pg.
//
// Every write runs SERIALIZABLE, so that a transaction sees what it would
// if the writers ran one at a time, as SQLite's single writer guarantees,
// and is retried when PostgreSQL cannot serialise it (see pgWrite).

// IsPostgres reports whether dsn names a PostgreSQL database rather than a
// SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// pgMaxConns bounds the pool of each replica. Each worker that handles a
// member's event holds one connection for the member lock (LockMember).
const pgMaxConns = 24

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open store: %s", redactDSN(err.Error(), dsn))
	}
	sdb := sql.OpenDB(rebindConnector{stdlib.GetConnector(*cfg)})
	sdb.SetMaxOpenConns(pgMaxConns)
	sdb.SetMaxIdleConns(pgMaxConns)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{db: sdb, pg: true, wl: newWriteLock(), owner: newOwner()}
	where := cfg.Host + "/" + cfg.Database
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open store %s: %s", where, redactDSN(err.Error(), dsn))
	}
	if err := db.migrate(ctx, migrations, "postgres"); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open store %s: %w", where, err)
	}
	return db, nil
}

// redactDSN takes the password out of an error that may quote the DSN.
func redactDSN(msg, dsn string) string {
	cfg, err := pgx.ParseConfig(dsn)
	if err == nil && cfg.Password != "" {
		msg = strings.ReplaceAll(msg, cfg.Password, "xxxxx")
	}
	return msg
}

// migrationLock is the first key of the advisory lock that replicas starting
// together take around their migrations, so that one applies them and the
// rest find them applied; the second is the schema's. LockMember's is 1.
const migrationLock = 2

// pgRetries bounds the attempts of one serializable transaction.
const pgRetries = 30

// pgWrite runs fn in a SERIALIZABLE transaction and commits it, trying again
// from the start when PostgreSQL reports a serialization failure or a
// deadlock: another replica's transaction touched the same rows. fn may run
// more than once, so it must only set what it returns.
func (db *DB) pgWrite(ctx context.Context, iso sql.IsolationLevel, fn func(*sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < pgRetries; attempt++ {
		err = db.tx(ctx, &sql.TxOptions{Isolation: iso}, fn)
		if !retryable(err) {
			return err
		}
		// Back off a little, at random, so that the same two do not meet again.
		d := time.Duration(rand.Int64N(int64(time.Millisecond)<<min(attempt, 6))) + 100*time.Microsecond
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
	return err
}

// retryable reports whether err is PostgreSQL's serialization_failure or
// deadlock_detected: the transaction did nothing, and may run again.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// pgUnwritable is unwritable for PostgreSQL: a full disk, a read-only
// transaction or server, or a refused connection means nothing was stored.
func pgUnwritable(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "53100", "25006", "57P01", "57P03", "08006":
			return fmt.Errorf("%w: %w", ErrUnwritable, err)
		}
	}
	return err
}

// pgForeignKey reports whether err is a broken foreign key.
func pgForeignKey(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503"
}

// LockMember holds PostgreSQL's advisory lock on userID until the returned
// function is called, so that one member's events are handled one at a
// time across replicas (each replica already handles them one at a time).
// The lock is a session lock on a connection of its own, so that it is
// held across the Slack calls an event makes; it goes when the connection
// does, so a replica that dies frees its members. On SQLite there is one
// process, and LockMember does nothing.
func (db *DB) LockMember(ctx context.Context, userID string) (func(), error) {
	if !db.pg || userID == "" {
		return func() {}, nil
	}
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock member: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(1, hashtext(?))`, userID); err != nil {
		conn.Close()
		return nil, fmt.Errorf("lock member: %w", err)
	}
	return func() {
		ctx := context.Background()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock(1, hashtext(?))`, userID); err != nil {
			// The lock stays with the session: end the session.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, nil
}

// rebindConnector gives database/sql connections to PostgreSQL that take
// SQLite's placeholders, ? and ?N, as $N, so that one statement serves both.
type rebindConnector struct{ driver.Connector }

func (c rebindConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return rebindConn{conn.(*stdlib.Conn)}, nil
}

// rebindConn is pgx's connection with its statements rebound. It has all the
// methods of pgx's, so that database/sql uses it as it would pgx's.
type rebindConn struct{ *stdlib.Conn }

func (c rebindConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(rebind(query))
}

func (c rebindConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(query))
}

func (c rebindConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(query), args)
}

func (c rebindConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(query), args)
}

// CheckNamedValue stores a bool as 1 or 0, as SQLite does: flags are
// BIGINT columns on both, so the Go code scans one type.
func (c rebindConn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		nv.Value = int64(0)
		if b {
			nv.Value = int64(1)
		}
		return nil
	}
	return c.Conn.CheckNamedValue(nv)
}

var rebound sync.Map // query → its rebound text: statements are constants

// rebind turns ? and ?N placeholders into $N, as SQLite numbers them: a bare
// ? is one more than the largest number so far. Text in quotes and comments
// is left alone.
func rebind(query string) string {
	if v, ok := rebound.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	largest := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(query[i+1:], c)
			if j < 0 {
				b.WriteString(query[i:])
				i = len(query)
				continue
			}
			b.WriteString(query[i : i+j+2])
			i += j + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i - 1
			}
			b.WriteString(query[i : i+j+1])
			i += j
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			n := largest + 1
			if j > i+1 {
				n, _ = strconv.Atoi(query[i+1 : j])
			}
			largest = max(largest, n)
			b.WriteString("$" + strconv.Itoa(n))
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	rebound.Store(query, out)
	return out
}

// rowWrite is write for transactions whose every statement decides on the
// rows it changes by itself: a claim with FOR UPDATE SKIP LOCKED, an UPDATE
// keyed by id whose WHERE says when it applies (state = 'sending' AND
// claim_token = ?, done_at = 0), an INSERT … ON CONFLICT. On PostgreSQL it
// runs READ COMMITTED, which gives those their meaning across replicas: a
// locked row is skipped or waited for, and checked again against the WHERE
// once it is free. SERIALIZABLE would add nothing to them but false
// conflicts (its predicate locks cover index pages, so two replicas marking
// different inbox rows done conflicted: 448 retries for 1,500 answers in
// BenchmarkIngestPostgres).
func (db *DB) rowWrite(ctx context.Context, fn func(*sql.Tx) error) error {
	if db.pg {
		return db.pgWrite(ctx, sql.LevelReadCommitted, fn)
	}
	return db.write(ctx, fn)
}

// skipLocked ends a claim's SELECT: on PostgreSQL it locks the row it picks
// and skips those other replicas hold. SQLite has no row locks, and needs
// none under its one writer.
func (db *DB) skipLocked() string {
	if db.pg {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// forUpdate ends a read that the transaction will write back: on PostgreSQL
// it locks the row. SQLite's one writer needs none.
func (db *DB) forUpdate() string {
	if db.pg {
		return " FOR UPDATE"
	}
	return ""
}

// jsonValues is a table of the values of the JSON array in parameter ?n.
func (db *DB) jsonValues(n int) string {
	if db.pg {
		return "json_array_elements_text(CAST(?" + strconv.Itoa(n) + " AS json))"
	}
	return "json_each(?" + strconv.Itoa(n) + ")"
}

// noLimit is the LIMIT that means none: SQLite takes a negative one, and
// PostgreSQL NULL.
func noLimit(pg bool) any {
	if pg {
		return nil
	}
	return -1
}

// pgHorizon is the id the next transaction will get, as text: every
// transaction that committed before it was read, a deletion included, has a
// smaller one. A session whose snapshot is older may still see what the
// deletion removed.
func (db *DB) pgHorizon(ctx context.Context) (string, error) {
	var h string
	if err := db.db.QueryRowContext(ctx, `SELECT (pg_snapshot_xmax(pg_current_snapshot())::text::bigint % 4294967296)::text`).Scan(&h); err != nil {
		return "", fmt.Errorf("erase: %w", err)
	}
	return h, nil
}

// textTables are the tables that hold what members typed, or their names:
// the ones vacuum rewrites after a forget.
var textTables = []string{"evidence", "held_answers", "early_edits", "inbox", "outbox", "members", "calibrations"}

// vacuumLockTimeout bounds how long one VACUUM FULL waits for the readers
// and writers of its table. Erase tries again with backoff.
const vacuumLockTimeout = 2 * time.Second

// vacuum is Erase's step on PostgreSQL. A DELETE leaves the row's bytes in
// the table's files as a dead tuple, and a plain VACUUM only marks its space
// free: the bytes stay until a later row overwrites them (we checked: the
// text of a deleted row was still in the file after VACUUM). VACUUM FULL
// writes each table anew, without its dead tuples, and removes the old
// files. It locks the table while it copies it, so it waits at most
// vacuumLockTimeout for others, and a table it could not lock is
// ErrNotErased. The WAL still holds the text until PostgreSQL recycles its
// segments; the README says so.
//
// VACUUM FULL copies a deleted row that another session's snapshot may still
// see (a "recently dead" tuple) into the new file. So vacuum first checks
// that no other session on the database holds a snapshot older than horizon,
// which Erase reads once the deletion has committed, and that no transaction
// older than it is still running on any database of the server (every new
// snapshot, VACUUM's own included, counts a running transaction, wherever it
// runs, as not yet committed), and is ErrNotErased while either holds: a
// backup's pg_dump, a replica's long read, a long write elsewhere on the
// server. We found both on the data files: with another test's session
// waiting on a lock, and with a DROP DATABASE running in another database,
// the forgotten text was in the table's new file. Sessions of other roles
// show neither in pg_stat_activity unless the app's role has
// pg_read_all_stats; the README says so.
func (db *DB) vacuum(ctx context.Context, horizon string) error {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	defer conn.Close()
	var older int
	if err := conn.QueryRowContext(ctx, `
		SELECT count(*) FROM pg_stat_activity
		WHERE pid <> pg_backend_pid()
		  AND ((datname = current_database() AND age(backend_xmin) > age(?::xid))
		       OR age(backend_xid) > age(?::xid))`,
		horizon, horizon).Scan(&older); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	if older > 0 {
		return fmt.Errorf("vacuum: %w (%d other sessions hold a snapshot or transaction from before the deletion)", ErrNotErased, older)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("SET lock_timeout = %d", vacuumLockTimeout.Milliseconds())); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "RESET lock_timeout")
	for _, t := range textTables {
		if _, err := conn.ExecContext(ctx, "VACUUM (FULL) "+t); err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "55P03" { // lock_not_available
				return fmt.Errorf("vacuum %s: %w (%w)", t, ErrNotErased, err)
			}
			return fmt.Errorf("vacuum %s: %w", t, err)
		}
	}
	return nil
}
