#!/usr/bin/env bash
# The whole suite on SQLite, then on PostgreSQL. Under CI=true an unreachable PostgreSQL fails
# the run; on a laptop it is skipped with a warning.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${VENV:-.venv}/bin/python
TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}
export TEND_DATA_DIR=${TEND_DATA_DIR:-var/test}

echo "== lint"
.venv/bin/ruff check src bench || exit 1
.venv/bin/tend makemigrations --check --dry-run >/dev/null || { echo "Missing migrations"; exit 1; }

# The two halves run side by side (one core each), each with its own data folder; their output
# is printed when both are done. TEND_TEST_SERIAL=1 runs them one after the other instead.
mkdir -p "$TEND_DATA_DIR"
LOGS=$(mktemp -d)

postgres_reachable() {
  "$PY" - "$TEST_DATABASE_URL" <<'PYEOF'
import sys, psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
# The server must answer; the test database itself is created by the test run.
params = conninfo_to_dict(sys.argv[1])
params["dbname"] = "postgres"
try:
    psycopg.connect(make_conninfo(**params), connect_timeout=5).close()
except Exception as exc:
    print(f"PostgreSQL unreachable: {exc}")
    sys.exit(1)
PYEOF
}

run_sqlite() {
  env -u DATABASE_URL TEND_DATA_DIR="$TEND_DATA_DIR/sqlite" "$PY" -m pytest "$@"
}

run_postgres() {
  DATABASE_URL=$TEST_DATABASE_URL TEND_REQUIRE_POSTGRES=1 TEND_DATA_DIR="$TEND_DATA_DIR/postgres" \
    "$PY" -m pytest "$@"
}

if postgres_reachable; then
  with_postgres=1
else
  if [ "${CI:-}" = "true" ]; then
    echo "CI=true and PostgreSQL is unreachable: failing instead of skipping."
    exit 1
  fi
  echo "WARNING: PostgreSQL half skipped (not under CI)."
  with_postgres=0
fi

postgres_status=0
if [ "${TEND_TEST_SERIAL:-}" = "1" ]; then
  echo "== tests on SQLite"
  run_sqlite "$@"
  sqlite_status=$?
  if [ $with_postgres = 1 ]; then
    echo "== tests on PostgreSQL ($TEST_DATABASE_URL)"
    run_postgres "$@"
    postgres_status=$?
  fi
else
  echo "== tests on SQLite and on PostgreSQL side by side (output follows when both end)"
  run_sqlite "$@" >"$LOGS/sqlite.log" 2>&1 &
  sqlite_pid=$!
  if [ $with_postgres = 1 ]; then
    run_postgres "$@" >"$LOGS/postgres.log" 2>&1 &
    postgres_pid=$!
  fi
  wait $sqlite_pid
  sqlite_status=$?
  if [ $with_postgres = 1 ]; then
    wait $postgres_pid
    postgres_status=$?
  fi
  echo "== tests on SQLite"
  cat "$LOGS/sqlite.log"
  if [ $with_postgres = 1 ]; then
    echo "== tests on PostgreSQL ($TEST_DATABASE_URL)"
    cat "$LOGS/postgres.log"
  fi
fi
rm -rf "$LOGS"

[ $sqlite_status -eq 0 ] && [ $postgres_status -eq 0 ]
