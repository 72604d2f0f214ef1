#!/usr/bin/env bash
# `registrar user import` timed (bench/README.md, "Moving users in"): a file
# of BENCH_IMPORT JSON lines made here (a quarter each with a bcrypt, a
# Django PBKDF2, an argon2id and no password hash; names, languages,
# confirmations, created_at; half accept a published terms revision) is
# imported into a fresh PostgreSQL database and a fresh SQLite file. Prints
# and writes (bench/results/import-<mode>.md) the wall time, users/s and the
# peak resident memory of the command on each.
#
#   bench/import.sh           1,000,000 lines
#   bench/import.sh --smoke   20,000 lines
#
# Settings (environment): BENCH_IMPORT (lines), BENCH_PG, BENCH_SKIP_BUILD,
# CARGO_TARGET_DIR: as bench/run.sh; BENCH_PROFILE=debug times the debug
# build instead (a check of the script, not a figure).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
mode=full
case "${1:-}" in
  "") ;;
  --smoke) mode=smoke ;;
  -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
  *) echo "usage: bench/import.sh [--smoke]" >&2; exit 2 ;;
esac
if [[ $mode == smoke ]]; then d_lines=20000; else d_lines=1000000; fi
lines="${BENCH_IMPORT:-$d_lines}"
pg_base="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
die() { echo "bench/import.sh: $*" >&2; exit 1; }
export PATH="$PATH:/usr/lib/postgresql/15/bin"
for tool in psql python3 cargo /usr/bin/time; do
  command -v "$tool" >/dev/null || die "$tool is needed (see bench/README.md)"
done

profile="${BENCH_PROFILE:-release}"
if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
  if [[ $profile == release ]]; then
    (cd "$root" && cargo build --release --bin registrar)
  else
    (cd "$root" && cargo build --bin registrar)
  fi
fi
registrar="${CARGO_TARGET_DIR:-$root/target}/$profile/registrar"
[[ -x $registrar ]] || die "$registrar missing; run without BENCH_SKIP_BUILD"

work="$(mktemp -d /tmp/registrar-import.XXXXXX)"
trap 'rm -rf "$work"' EXIT
cat > "$work/tac.toml" <<'TOML'
type = "tac"
version = "1.0"
[translations.en]
title = "Terms and conditions"
html = "<h1>Terms</h1>"
TOML

# The file: the revision id is filled in per backend (the first published is 1 on both).
python3 - "$lines" "$work/users.jsonl" <<'PY'
import json, sys
count, path = int(sys.argv[1]), sys.argv[2]
hashes = [
    "$2b$04$abcdefghijklmnopqrstuuYYiAaL/2C3TU6ycJeUE.ShiBYaq7l8S",
    "pbkdf2_sha256$10000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=",
    "$argon2id$v=19$m=256,t=1,p=1$cmVnaXN0cmFyc2FsdA$pKfJ1ckLFUSQKTYuAyWJzty5/gvwtdENchjEirkGLH8",
    None,
]
languages = ["en", "nl", "fr", "de", "es"]
with open(path, "w") as out:
    for i in range(count):
        line = {"email": f"import-{i}@bench.example", "firstname": "Ann", "lastname": f"Import {i}",
                "language": languages[i % 5], "email_confirmed": i % 3 != 0,
                "created_at": f"20{10 + i % 15:02d}-0{1 + i % 9}-1{i % 10}T12:00:00Z"}
        if hashes[i % 4]:
            line["password_hash"] = hashes[i % 4]
        if i % 2 == 0:
            line["accepted_policies"] = [1]
        out.write(json.dumps(line) + "\n")
PY
size="$(du -h "$work/users.jsonl" | cut -f1)"
echo "file: $lines lines, $size" >&2

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
others="$(pgrep -fa 'rustc |cargo |fuzz/target' | cut -c1-60 | head -3 | paste -sd';' - || true)"
rows=()
import_into() { # backend url
  local backend="$1" url="$2"
  # in the work dir: the server secret the commands make goes there
  cd "$work"
  unset RUST_LOG REGISTRAR_CONFIG DATABASE_URL
  export REGISTRAR__DATABASE__URL="$url" REGISTRAR__LOG__LEVEL=warn
  "$registrar" migrate > /dev/null
  local revision
  revision="$("$registrar" policy publish "$work/tac.toml" | head -1)"
  [[ $revision == 1 ]] || die "$backend: the first revision is $revision, the file names 1"
  /usr/bin/time -f '%e %M' -o "$work/time-$backend" "$registrar" user import "$work/users.jsonl" \
    > "$work/out-$backend" 2> "$work/err-$backend" || { tail -5 "$work/err-$backend" >&2; die "$backend: the import failed"; }
  local seconds kib imported
  read -r seconds kib < <(tail -1 "$work/time-$backend")
  imported="$(cat "$work/out-$backend")"
  [[ $imported == "$lines" ]] || die "$backend: imported $imported of $lines"
  local rate
  rate="$(awk "BEGIN{printf \"%.0f\", $lines / $seconds}")"
  echo "$backend: $lines users in $seconds s ($rate/s), peak RSS $((kib / 1024)) MiB" >&2
  rows+=("| $backend | $lines | $seconds | $rate | $((kib / 1024)) |")
}

psql_() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_ "${pg_base%/}/postgres" -c 'DROP DATABASE IF EXISTS registrar_import WITH (FORCE)' -c 'CREATE DATABASE registrar_import'
import_into postgres "${pg_base%/}/registrar_import"
psql_ "${pg_base%/}/postgres" -c 'DROP DATABASE IF EXISTS registrar_import WITH (FORCE)'
import_into sqlite "sqlite://$work/registrar.db"

out_md="$here/results/import-$mode.md"
[[ $profile == release ]] || out_md="$work/import-$mode-$profile.md"
{
  echo "# registrar user import, $lines lines"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; $profile build; load average at start $load_start${others:+; busy at start: $others}."
  echo
  echo "| backend | users | seconds | users/s | peak RSS MiB |"
  echo "|---|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
} > "$out_md"
cat "$out_md"
