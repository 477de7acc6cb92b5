// Package store keeps Ladder's data in SQLite, or in PostgreSQL when more
// than one replica shares it (postgres.go). It is the only package that
// imports database/sql and the database drivers: its methods take and return
// the domain types of package ladder.
//
// Each public method is one transaction. Times are stored as INTEGER unix
// milliseconds in UTC, with 0 standing for the zero time, and come back in UTC.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ladderapp/ladder/internal/ladder"
)

// migrations holds each dialect's own: migrations/sqlite and
// migrations/postgres.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// params are applied by the driver to every new connection in the pool, so no
// connection ever runs without foreign keys or the busy timeout.
//
// _txlock=immediate makes every read-write transaction BEGIN IMMEDIATE: it takes
// the write lock up front, and waits for it under busy_timeout, instead of
// failing with SQLITE_BUSY when a reader later tries to upgrade. Read-only
// transactions (see read) still begin deferred, so reads never queue for it.
const params = "_pragma=foreign_keys(1)" +
	"&_pragma=busy_timeout(5000)" +
	"&_pragma=journal_mode(WAL)" +
	"&_pragma=secure_delete(1)" +
	"&_pragma=synchronous(NORMAL)" +
	"&_pragma=wal_autocheckpoint(0)" + // see checkpointAfter
	"&_txlock=immediate"

// maxConns bounds the pool. Writers serialise on SQLite's lock anyway; a few
// connections let reads run beside a write, and each costs its page cache.
const maxConns = 8

// DB is Ladder's database: a SQLite file, or a PostgreSQL server.
type DB struct {
	db   *sql.DB
	path string // the SQLite file; "" on PostgreSQL
	pg   bool
	// owner names this process among the replicas that share the
	// database: the inbox rows it receives are its own to handle.
	owner string
	// wl queues this process's writers (see writeLock).
	wl writeLock
	// inbox is the connection the inbox commits on (see writeFirst).
	inbox inboxConn
	// writes counts the commits since the last checkpoint.
	writes atomic.Int64

	// The background erase that EraseLater starts, if any: Close stops it
	// and waits for it before closing the database.
	bgMu    sync.Mutex
	bg      sync.WaitGroup
	bgStop  context.CancelFunc
	erasing bool
	closed  bool
}

// Open opens the database that path names, and applies any migrations it
// has not yet had: a postgres:// or postgresql:// URL names a PostgreSQL
// database, and anything else a SQLite file, created if needed. A new SQLite
// file is readable by its owner alone, and so are its WAL and shared-memory
// files.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("open store: empty path")
	}
	if IsPostgres(path) {
		return openPostgres(ctx, path)
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	sdb, err := sql.Open("sqlite", "file:"+escapePath(path)+"?"+params)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	sdb.SetMaxOpenConns(maxConns)
	sdb.SetMaxIdleConns(maxConns)
	db := &DB{db: sdb, path: path, wl: newWriteLock(), owner: newOwner()}
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := db.migrate(ctx, migrations, "sqlite"); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return db, nil
}

// createPrivate creates an empty file at path with mode 0600, unless a file is
// there already, whose mode it leaves as the operator set it. SQLite would
// create the database 0644 less the umask, and it gives the -wal and -shm
// files the database's own mode, so creating the file first keeps all three
// private. SQLite takes an empty file for a new database.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// escapePath makes a file path safe inside a SQLite URI, where '?' starts the
// parameters, '#' a fragment and '%' an escape.
func escapePath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// Close closes the database. The last connection to close checkpoints the WAL
// into the database file.
func (db *DB) Close() error {
	db.bgMu.Lock()
	db.closed = true
	if db.bgStop != nil {
		db.bgStop()
	}
	db.bgMu.Unlock()
	db.bg.Wait()
	db.inbox.close()
	if err := db.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// migrate applies, in version order, each migrations/DIALECT/NNNN_name.sql in
// fsys that schema_migrations does not list yet. Each runs in its own
// transaction with its record, so a failed one leaves no trace and the next
// Open retries it. On PostgreSQL, replicas that start together take turns
// (migrationLock), so each migration runs once.
func (db *DB) migrate(ctx context.Context, fsys fs.FS, dialect string) error {
	if db.pg {
		conn, err := db.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer conn.Close()
		// The lock is the schema's: databases in other schemas of the same
		// server (the tests' own) migrate without waiting for this one.
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(?, hashtext(current_schema()))`, migrationLock); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(?, hashtext(current_schema()))`, migrationLock)
	}
	if _, err := db.db.ExecContext(ctx, `
		CREATE TABLE IF NOT EXISTS schema_migrations (
			version    BIGINT PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at BIGINT NOT NULL
		)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(fsys, "migrations/"+dialect+"/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	type migration struct {
		version int
		name    string
	}
	var ms []migration
	seen := map[int]string{}
	for _, n := range names {
		base := path.Base(n)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || v <= 0 {
			return fmt.Errorf("migrate: %s: name must be NNNN_name.sql", base)
		}
		if prev, ok := seen[v]; ok {
			return fmt.Errorf("migrate: %s and %s share version %d", prev, base, v)
		}
		seen[v] = base
		ms = append(ms, migration{v, n})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })

	for _, m := range ms {
		body, err := fs.ReadFile(fsys, m.name)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		err = db.write(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx,
				`SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, path.Base(m.name), toMS(time.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", path.Base(m.name), err)
		}
	}
	return nil
}

// write runs fn in a read-write transaction, which takes the write lock at
// BEGIN (see params), and commits if fn returns nil. On PostgreSQL it is
// serializable, and fn may run more than once (see pgWrite).
func (db *DB) write(ctx context.Context, fn func(*sql.Tx) error) error {
	if db.pg {
		return db.pgWrite(ctx, sql.LevelSerializable, fn)
	}
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return unwritable(err)
	}
	defer conn.Close()
	db.wl.lock(false)
	err = writeOn(ctx, conn, fn)
	db.wl.unlock()
	db.checkpointAfter(ctx, conn)
	return err
}

// read runs fn in a read-only transaction: one consistent snapshot, begun
// deferred so that it never waits for a writer.
func (db *DB) read(ctx context.Context, fn func(*sql.Tx) error) error {
	if db.pg {
		return db.tx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}, fn)
	}
	return db.tx(ctx, &sql.TxOptions{ReadOnly: true}, fn)
}

func (db *DB) tx(ctx context.Context, opts *sql.TxOptions, fn func(*sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, opts)
	if err != nil {
		return unwritable(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return unwritable(err)
	}
	return unwritable(tx.Commit())
}

// ErrUnwritable means the database file cannot take writes: it is read-only,
// the disk is full, or the disk fails. Nothing was stored.
var ErrUnwritable = errors.New("the database cannot be written (read-only, disk full or failing)")

// unwritable marks SQLite's read-only, full-disk and I/O errors as
// ErrUnwritable, so that callers can say so in plain words.
func unwritable(err error) error {
	if err == nil {
		return nil
	}
	if err := pgUnwritable(err); errors.Is(err, ErrUnwritable) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
			return fmt.Errorf("%w: %w", ErrUnwritable, err)
		}
	}
	return err
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// eachRow runs query in tx and calls fn, which scans it, for every row.
func eachRow(ctx context.Context, tx *sql.Tx, fn func(scanner) error, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func scanString(s scanner) (string, error) {
	var v string
	err := s.Scan(&v)
	return v, err
}

// queryAll runs query in tx and returns every row, scanned by scan.
func queryAll[T any](ctx context.Context, tx *sql.Tx, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	var out []T
	err := eachRow(ctx, tx, func(s scanner) error {
		v, err := scan(s)
		out = append(out, v)
		return err
	}, query, args...)
	return out, err
}

// toMS turns t into unix milliseconds, and the zero time into 0.
func toMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS turns unix milliseconds back into a UTC time, and 0 into the zero time.
func fromMS(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// domainErr turns a constraint error into the domain error it means. Every
// foreign key points at members, so breaking one means the user is not enrolled.
func domainErr(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY || pgForeignKey(err) {
		return ladder.ErrNotEnrolled
	}
	return err
}

// notFound turns sql.ErrNoRows into err, and leaves other errors as they are.
func notFound(err, want error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return want
	}
	return err
}

// Stats are what an admin may see: counts, never text.
type Stats struct {
	Members         int // enrolled
	Active          int // enrolled and not paused now
	Managers        int // distinct managers with at least one report, accepted
	Evidence        int // pieces of evidence, all time
	PromptsThisWeek int // prompts recorded for the current ISO week, weekly and on demand
	SkippedThisWeek int
	DigestsMonth    int // digests sent for the current month
}

// Stats counts members, evidence and sends as of now. The week and month are
// those of now in its own location.
func (db *DB) Stats(ctx context.Context, now time.Time) (Stats, error) {
	var s Stats
	err := db.read(ctx, func(tx *sql.Tx) error {
		qs := []struct {
			dst  *int
			q    string
			args []any
		}{
			{&s.Members, `SELECT count(*) FROM members`, nil},
			{&s.Active, `SELECT count(*) FROM members WHERE paused_until <= ?`, []any{toMS(now)}},
			{&s.Managers, `SELECT count(DISTINCT manager) FROM members WHERE manager != '' AND manager_pending = 0`, nil},
			{&s.Evidence, `SELECT count(*) FROM evidence`, nil},
			{&s.PromptsThisWeek, `SELECT count(*) FROM prompts_sent WHERE week = ?`, []any{ladder.WeekOf(now).String()}},
			{&s.SkippedThisWeek, `SELECT count(*) FROM prompts_sent WHERE week = ? AND skipped != 0`, []any{ladder.WeekOf(now).String()}},
			{&s.DigestsMonth, `SELECT count(*) FROM digests_sent WHERE month = ? AND sent_at != 0`, []any{now.Format("2006-01")}},
		}
		for _, q := range qs {
			if err := tx.QueryRowContext(ctx, q.q, q.args...).Scan(q.dst); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	return s, nil
}

// ErrBackupPostgres means Backup was asked of PostgreSQL, whose own tool,
// pg_dump, takes a consistent copy while the replicas write.
var ErrBackupPostgres = errors.New("backup: on PostgreSQL, use pg_dump")

// Backup writes an online, consistent copy of the database to path with
// VACUUM INTO. It refuses to overwrite an existing file. The copy holds all
// the database does, so it is created readable by its owner alone.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.pg {
		return ErrBackupPostgres
	}
	// O_EXCL fails on any file there, a symlink included. VACUUM INTO takes
	// an empty file for a new one, and keeps its mode.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("backup: %s already exists", path)
	} else if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup: %w", err)
	}
	// VACUUM cannot run inside a transaction; it reads one snapshot on its own.
	if _, err := db.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path) // empty or half written: not a backup
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
