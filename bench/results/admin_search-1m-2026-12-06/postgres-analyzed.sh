#!/usr/bin/env bash
# PostgreSQL again, by hand following run.sh --only admin_search, with ANALYZE after the seed
set -euo pipefail
export PATH="$PATH:/usr/lib/postgresql/15/bin"
R=/work/target-bench/release/registrar; L=/work/target-bench/release/load; W=/tmp/bench-pg2
cd $W
psql_() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres "$@"; }
psql_ -d postgres -c 'DROP DATABASE IF EXISTS registrar_bench2 WITH (FORCE)' -c 'CREATE DATABASE registrar_bench2'
unset RUST_LOG REGISTRAR_CONFIG DATABASE_URL
export REGISTRAR__DATABASE__URL=postgres://postgres@127.0.0.1:5432/registrar_bench2 REGISTRAR__HTTP__HOST=127.0.0.1 REGISTRAR__HTTP__PORT=18083 \
  REGISTRAR__HTTP__PUBLIC_URL=http://127.0.0.1:18083 REGISTRAR__MAIL__TRANSPORT=log REGISTRAR__LOG__LEVEL=warn REGISTRAR__EMAIL__CHECK_DOMAIN=false \
  REGISTRAR__THROTTLE__LOGIN_FAILURES_PER_ACCOUNT=0 REGISTRAR__THROTTLE__LOGIN_FAILURES_PER_IP=0 \
  REGISTRAR__THROTTLE__REGISTRATIONS_PER_IP=0 REGISTRAR__THROTTLE__MAILS_PER_ADDRESS=0 \
  REGISTRAR__THROTTLE__MAILS_PER_IP=0 REGISTRAR__THROTTLE__MALFORMED_PER_IP=0
$R migrate > migrate.log 2>&1
client="$($R client add --name bench | head -1)"
key="$($R admin-key create --name bench --scopes users:read)"
t0=$(date +%s); $R seed --users 1000000 --from 0 --client "$client" > seed.out 2> seed.log; echo "seed $(( $(date +%s) - t0 )) s"
psql_ -d registrar_bench2 -c 'ANALYZE users'
# wait for the harness run (SQLite) to end before measuring
while ! grep -q '^rc ' /tmp/bench-run.err; do sleep 2; done
$R serve > serve.log 2>&1 & spid=$!
for _ in $(seq 1 100); do curl -fsS -o /dev/null http://127.0.0.1:18083/healthz && break; sleep 0.2; done
$L --target registrar --scenario admin_search --host http://127.0.0.1:18083 --users 32 --seconds 20 --warmup 3 --pids $spid --label postgres-large-analyzed --out $W/results.jsonl --seeded 1000000 --admin-key "$key" > /dev/null 2> load.log || true
kill -TERM $spid; wait $spid || true
q="SELECT id FROM users WHERE"; o="ORDER BY created_at, id LIMIT 50"
for where in "email_normalized LIKE 'seed-500007%' ESCAPE '\\'" "email_normalized LIKE 'seed-5%' ESCAPE '\\'" "role = 'guest'" "role = 'admin'" "email_confirmed_at IS NOT NULL" \
  "email_normalized LIKE 'seed-500007%' ESCAPE '\\' AND role = 'guest' AND email_confirmed_at IS NOT NULL"; do
  echo "-- $where"; psql_ -d registrar_bench2 -Atc "EXPLAIN (ANALYZE, COSTS OFF) $q $where $o"
done > explain.txt 2>&1
echo finished
