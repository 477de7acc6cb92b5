#!/usr/bin/env bash
# Starts PostgreSQL from Debian's packages for the tests, and prints the
# LADDER_TEST_POSTGRES URL of a database they may create schemas in.
#   eval "$(scripts/postgres-for-tests.sh)"
# Installs PostgreSQL with apt-get where it is missing. Needs root (CI runs
# as root); what it starts is gone on a new machine, so CI runs it each time.
set -euo pipefail
log() { echo "$@" >&2; }
if ! command -v pg_ctlcluster >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
	log "installing postgresql"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 \
		|| { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2; }
fi
read -r ver cluster _ < <(pg_lsclusters --no-header | head -1) || true
if [ -z "${ver:-}" ]; then
	ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
	cluster=main
	log "creating cluster $ver/$cluster"
	pg_createcluster "$ver" "$cluster" >&2
fi
pg_ctlcluster "$ver" "$cluster" start >&2 2>/dev/null || true
for _ in $(seq 1 50); do
	pg_isready -q && break
	sleep 0.2
done
pg_isready -q || { log "PostgreSQL did not start"; exit 1; }
port=$(pg_lsclusters --no-header | awk -v v="$ver" -v c="$cluster" '$1==v && $2==c {print $3}')
psql_su() { su postgres -c "psql -v ON_ERROR_STOP=1 -q -p $port $*" >&2; }
# A role and a database of the tests' own, made anew each run.
# The store's conformance suite makes a database per child process
# (ladder_ci_<hex>) and drops it; one left by a killed run goes first.
for db in $(su postgres -c "psql -p $port -Atc \"SELECT datname FROM pg_database WHERE datname LIKE 'ladder\\_ci\\_%'\""); do
  psql_su "-c \"DROP DATABASE IF EXISTS \\\"$db\\\" WITH (FORCE)\""
done
psql_su "-c \"DROP DATABASE IF EXISTS ladder_ci WITH (FORCE)\""
psql_su "-c \"DROP ROLE IF EXISTS ladder_ci\""
# CREATEDB: each child of the store's conformance suite gets a database of
# its own (internal/pgtest, Database).
psql_su "-c \"CREATE ROLE ladder_ci LOGIN CREATEDB PASSWORD 'ladder_ci'\""
psql_su "-c \"CREATE DATABASE ladder_ci OWNER ladder_ci\""
# So that the forget test can flush to disk and read the table files.
# pg_read_all_stats: the erase on PostgreSQL reads every session's snapshot
# and transaction in pg_stat_activity, autovacuum's included.
psql_su "-c \"GRANT pg_checkpoint, pg_read_all_settings, pg_read_all_stats TO ladder_ci\""
echo "export LADDER_TEST_POSTGRES='postgres://ladder_ci:ladder_ci@127.0.0.1:$port/ladder_ci?sslmode=disable'"
