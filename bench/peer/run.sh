#!/usr/bin/env bash
# The benchmark peer: a stock fastapi-users service (see README.md beside this).
#
#   bench/peer/run.sh setup              venv at bench/peer/.venv + pinned requirements
#                                        (idempotent; silent when already done)
#   bench/peer/run.sh init-db            drop and recreate the database named in
#                                        PEER_DATABASE_URL, then create its tables
#   bench/peer/run.sh serve PORT WORKERS exec uvicorn on 127.0.0.1:PORT with WORKERS
#                                        processes (run init-db first)
#
# PEER_DATABASE_URL defaults to postgresql+asyncpg://postgres@127.0.0.1:5432/peer_bench
# (postgres:// and postgresql:// are accepted too). PEER_PYTHON picks the
# interpreter for the venv (default: python3.11, else python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
stamp="$venv/.requirements.sha256"
export PEER_DATABASE_URL="${PEER_DATABASE_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/peer_bench}"

die() { echo "bench/peer/run.sh: $*" >&2; exit 1; }

setup() {
  local want
  want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
  if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  local py="${PEER_PYTHON:-}"
  if [[ -z "$py" ]]; then
    if command -v python3.11 >/dev/null 2>&1; then py=python3.11; else py=python3; fi
  fi
  command -v "$py" >/dev/null 2>&1 || die "no Python interpreter ($py) found"
  if [[ ! -x "$venv/bin/python" ]]; then
    echo "peer: creating $venv with $("$py" --version 2>&1)" >&2
    "$py" -m venv "$venv" || die "could not create the venv (is python3-venv installed?)"
  fi
  echo "peer: installing bench/peer/requirements.txt" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$here/requirements.txt" || die "pip install failed"
  echo "$want" > "$stamp"
}

# host port user dbname of PEER_DATABASE_URL, one per line.
url_parts() {
  "$venv/bin/python" - <<'PY'
import os
from sqlalchemy.engine import make_url
u = make_url(os.environ["PEER_DATABASE_URL"])
print(u.host or "127.0.0.1"); print(u.port or 5432); print(u.username or "postgres"); print(u.database or "")
PY
}

init_db() {
  setup
  local parts host port user db
  parts="$(url_parts)" || die "cannot parse PEER_DATABASE_URL"
  { read -r host; read -r port; read -r user; read -r db; } <<<"$parts"
  [[ -n "$db" && "$db" != "postgres" && "$db" != template* ]] \
    || die "PEER_DATABASE_URL must name a database of its own (got '$db')"
  local psql=(env PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U "$user" -d postgres)
  "${psql[@]}" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" \
    || die "could not drop database $db on $host:$port"
  "${psql[@]}" -c "CREATE DATABASE \"$db\"" || die "could not create database $db"
  (cd "$here" && "$venv/bin/python" app.py --init-db)
}

serve() {
  local port="${1:-}" workers="${2:-}"
  [[ "$port" =~ ^[0-9]+$ && "$workers" =~ ^[0-9]+$ && "$workers" -ge 1 ]] \
    || die "usage: run.sh serve PORT WORKERS"
  setup
  local extra=()
  "$venv/bin/python" -c 'import uvloop' 2>/dev/null && extra+=(--loop uvloop)
  "$venv/bin/python" -c 'import httptools' 2>/dev/null && extra+=(--http httptools)
  cd "$here"
  exec "$venv/bin/python" -m uvicorn app:app --app-dir "$here" \
    --workers "$workers" --host 127.0.0.1 --port "$port" \
    --log-level warning --no-access-log "${extra[@]}"
}

case "${1:-}" in
  setup) setup ;;
  init-db) init_db ;;
  serve) shift; serve "$@" ;;
  *) echo "usage: bench/peer/run.sh setup | init-db | serve PORT WORKERS" >&2; exit 2 ;;
esac
