#!/usr/bin/env bash
# Fuzzes the HTTP API against its own OpenAPI document with schemathesis.
# Usage: scripts/api-fuzz.sh [MAX_EXAMPLES]   (default 50). See scripts/README.md.
set -euo pipefail

MAX_EXAMPLES="${1:-50}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

cargo build --bin registrar
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
BIN="$TARGET_DIR/debug/registrar"

ST=st
if ! command -v st >/dev/null 2>&1; then
  python3 -m pip install --quiet schemathesis
  command -v st >/dev/null 2>&1 || ST="$(python3 -m site --user-base)/bin/st"
fi

WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
BASE="http://127.0.0.1:$PORT"

export REGISTRAR__DATABASE__URL="sqlite://$WORK/registrar.db"
export REGISTRAR__HTTP__HOST=127.0.0.1
export REGISTRAR__HTTP__PORT="$PORT"
export REGISTRAR__MAIL__TRANSPORT=file
export REGISTRAR__MAIL__OUTBOX_DIR="$WORK/outbox"
export REGISTRAR__EMAIL__CHECK_DOMAIN=false
export REGISTRAR__PASSWORD__ARGON2_MEMORY_KIB=1024
export REGISTRAR__PASSWORD__ARGON2_ITERATIONS=1
export REGISTRAR__LOG__LEVEL=warn
# Throttling off: the fuzzer sends thousands of requests from one address, and
# 429s would stop most of them at the door (throttling has its own tests).
for key in LOGIN_FAILURES_PER_ACCOUNT LOGIN_FAILURES_PER_IP REGISTRATIONS_PER_IP MAILS_PER_ADDRESS MAILS_PER_IP MALFORMED_PER_IP; do
  export "REGISTRAR__THROTTLE__$key=0"
done
unset DATABASE_URL REGISTRAR_CONFIG

SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" migrate >/dev/null
"$BIN" client add --name fuzz >"$WORK/client"
for type in tac privacy; do
  cat >"$WORK/$type.toml" <<TOML
type = "$type"
version = "1.0"
[translations.en]
title = "$type"
description = "Please read and accept."
button = "I agree"
html = "<h1>$type</h1>"
TOML
  "$BIN" policy publish "$WORK/$type.toml" | head -n 1 >"$WORK/$type.id"
done
CLIENT="$(head -n 1 "$WORK/client")"

"$BIN" serve 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done

# Accounts, so that the bearer-protected operations are tested past 401: one
# for the whole run, and another for the two operations that revoke sessions
# (`POST /api/logout`, `DELETE /api/sessions/{device_id}`), so that they
# cannot log the rest of the run out.
PASSWORD="fuzz-$(date +%s)-Zq7#kP"
access_token() {
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}
MAIN_TOKEN="$(curl -fsS "$BASE/api/register" -H 'Content-Type: application/json' -d '{
  "client_id": "'"$CLIENT"'", "device_name": "fuzz", "device_id": "fuzz-main",
  "username": "fuzz@example.com", "password": "'"$PASSWORD"'",
  "firstname": "Fuzz", "lastname": "Tester", "telephone": "+32 475 00 00 00",
  "policies": ['"$(cat "$WORK/tac.id")"', '"$(cat "$WORK/privacy.id")"']}' | access_token)"
REVOKE_TOKEN="$(curl -fsS "$BASE/api/register" -H 'Content-Type: application/json' -d '{
  "client_id": "'"$CLIENT"'", "device_name": "fuzz", "device_id": "fuzz-revoke",
  "username": "fuzz-revoke@example.com", "password": "'"$PASSWORD"'",
  "firstname": "Fuzz", "lastname": "Revoker", "telephone": "+32 475 00 00 01",
  "policies": ['"$(cat "$WORK/tac.id")"', '"$(cat "$WORK/privacy.id")"']}' | access_token)"
LOGOUT_TOKEN="$(curl -fsS "$BASE/api/token" -H 'Content-Type: application/json' -d '{
  "grant_type": "password", "client_id": "'"$CLIENT"'", "device_name": "fuzz logout",
  "device_id": "fuzz-logout", "username": "fuzz-revoke@example.com", "password": "'"$PASSWORD"'"}' | access_token)"

cp "$ROOT/scripts/schemathesis.toml" "$WORK/schemathesis.toml"
cat >>"$WORK/schemathesis.toml" <<TOML

[[operations]]
include-name = "POST /api/logout"
headers = { Authorization = "Bearer $LOGOUT_TOKEN" }

[[operations]]
include-name = "DELETE /api/sessions/{device_id}"
headers = { Authorization = "Bearer $REVOKE_TOKEN" }
TOML

set +e
cd "$WORK" # schemathesis keeps its cache (.schemathesis/) in the working directory
"$ST" --config-file "$WORK/schemathesis.toml" run "$BASE/openapi.json" \
  --max-examples "$MAX_EXAMPLES" --workers 2 --no-color \
  --header "Authorization: Bearer $MAIN_TOKEN" \
  | tee "$WORK/st.log"
STATUS=${PIPESTATUS[0]}
set -e

echo
echo "== summary =="
sed -n '/^Failures:/,/^$/p' "$WORK/st.log"
grep -A1 '^Test cases:' "$WORK/st.log" || true
if grep -qiE "panicked|internal error" "$WORK/server.log"; then
  echo "server log has panics/internal errors:"; grep -iE "panicked|internal error" "$WORK/server.log" | head -n 20
fi
exit "$STATUS"
