// Package pgtest gives tests a PostgreSQL database of their own: a new schema
// in the database LADDER_TEST_POSTGRES names, dropped when the test ends.
// Without LADDER_TEST_POSTGRES, a test that needs PostgreSQL is skipped with
// one line saying how to run it.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the schema's set-up
)

// Env names the variable that holds the test database's URL.
const Env = "LADDER_TEST_POSTGRES"

// Hint is the line a skipped PostgreSQL test prints.
const Hint = "PostgreSQL tests not run: set LADDER_TEST_POSTGRES=postgres://USER:PASSWORD@HOST:5432/DB?sslmode=disable (a database the user may create schemas in) to run them"

// Available reports whether LADDER_TEST_POSTGRES is set.
func Available() bool { return os.Getenv(Env) != "" }

// DSN creates an empty schema in LADDER_TEST_POSTGRES, drops it when the
// test ends, and returns a URL whose search_path is that schema: a new,
// empty database as far as Ladder can tell. It skips the test with Hint
// when LADDER_TEST_POSTGRES is not set.
func DSN(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(Env)
	if base == "" {
		tb.Skip(Hint)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", Env, err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open %s: %v", Env, err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema in %s: %v", Env, err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	// libpq (pg_dump) knows no search_path parameter; both it and pgx pass
	// options on to the server.
	// Commits need not wait for the disk: a test database is thrown away.
	q.Set("options", "-csearch_path="+schema+" -csynchronous_commit=off")
	// A space as %20: libpq reads "+" as itself.
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	return u.String()
}

// Database creates a new, empty database on the server that base names
// (a URL like LADDER_TEST_POSTGRES's), named after base's own with a random
// suffix, and returns its URL and a function that drops it. The role needs
// CREATEDB.
//
// A test process that erases on PostgreSQL wants a database of its own, not
// only a schema: VACUUM FULL keeps a deleted row that any session on the same
// database might still see, so the store's erase waits out every older
// snapshot on its database, and the snapshots of tests running beside it in
// other schemas would hold it up (store/postgres.go, vacuum).
func Database(base string) (dsn string, drop func() error, err error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	var b [4]byte
	rand.Read(b[:])
	name := strings.TrimPrefix(u.Path, "/") + "_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// The name is ours, made of the base's and hex digits.
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		admin.Close()
		return "", nil, err
	}
	drop = func() error {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		_, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`)
		return err
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}
