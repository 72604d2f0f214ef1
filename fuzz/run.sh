#!/usr/bin/env bash
# Builds every cargo-fuzz target and runs each for SECONDS, one after the
# other, one job each, then prints the figures (see README.md).
#
#   fuzz/run.sh SECONDS [TARGET...]      # default: every target
#
# FUZZ_SANITIZER=none skips AddressSanitizer (default: address).
# FUZZ_KEEP_GOING=1 goes on after a crash for the whole time (libFuzzer's fork
# mode, one job, -ignore_crashes): every crashing input is kept.
# Exits 1 when a target crashed (its inputs are in fuzz/artifacts/TARGET/),
# 2 on a usage or build error. Not part of CI.
set -euo pipefail

usage() {
    echo "usage: fuzz/run.sh SECONDS [TARGET...]" >&2
    exit 2
}
[[ $# -ge 1 && $1 =~ ^[1-9][0-9]*$ ]] || usage
seconds=$1
shift

cd "$(dirname "$0")"
# cargo-fuzz passes nightly-only flags (-Zsanitizer, -Cpasses=sancov-module);
# the stable toolchain accepts them with this.
export RUSTC_BOOTSTRAP=1
sanitizer=${FUZZ_SANITIZER:-address}
# Release build (cargo-fuzz's default) with debug assertions: overflow checks catch more.
flags=(--sanitizer "$sanitizer" --debug-assertions)
keep_going=()
if [[ ${FUZZ_KEEP_GOING:-0} == 1 ]]; then
    keep_going=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

echo "== building ${targets[*]} (sanitizer: $sanitizer)"
for target in "${targets[@]}"; do
    nice -n 10 cargo fuzz build "${flags[@]}" "$target" || exit 2
done

mkdir -p logs
crashed=()
rows=()
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "artifacts/$target"
    seeds=()
    [[ -d "seeds/$target" ]] && seeds=("seeds/$target")
    before=$(find "artifacts/$target" -type f | wc -l)
    log="logs/$target.log"
    echo "== $target: ${seconds}s, log in fuzz/$log"
    status=0
    nice -n 10 cargo fuzz run "${flags[@]}" "$target" "corpus/$target" "${seeds[@]}" -- \
        -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 "${keep_going[@]}" \
        >"$log" 2>&1 || status=$?

    # The last status line: `#RUNS<tab>EVENT cov: N ft: N … exec/s: N`, or
    # in fork mode `#RUNS: cov: N ft: N corp: N exec/s N …`.
    last=$(grep -E '^#[0-9]+.* cov: ' "$log" | tail -n 1 || true)
    if [[ ${#keep_going[@]} -gt 0 ]]; then
        runs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")
        speed=$(sed -n 's/.* exec\/s:\{0,1\} \([0-9]*\).*/\1/p' <<<"$last")
    else
        final_stat() { sed -n "s/^stat::$1: *\([0-9]*\).*/\1/p" "$log" | tail -n 1; }
        runs=$(final_stat number_of_executed_units)
        speed=$(final_stat average_exec_per_sec)
    fi
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corpus_files=$(find "corpus/$target" -type f | wc -l)
    corpus_kib=$(find "corpus/$target" -type f -printf '%s\n' | awk '{ n += $1 } END { printf "%.0f", n / 1024 }')
    new=$(($(find "artifacts/$target" -type f | wc -l) - before))
    crashes=0
    if [[ $status -ne 0 || $new -gt 0 ]]; then
        crashes=$((new > 0 ? new : 1))
        crashed+=("$target")
        echo "!! $target crashed (exit $status), $new new input(s) in fuzz/artifacts/$target/:"
        # Where it panicked, how often, and the first message from each place.
        grep -E '^thread .* panicked at' "$log" | sed 's/.* panicked at //' | sort | uniq -c | head -n 10 || true
        grep -A1 -E '^thread .* panicked at' "$log" | grep -v -E '^(--|thread )' | head -n 3 || true
        grep -E 'ERROR: AddressSanitizer' "$log" | sort | uniq -c | head -n 5 || true
    fi
    rows+=("| $target | ${runs:-?} | ${speed:-?} | ${cov:-?} | ${ft:-?} | $corpus_files ($corpus_kib KiB) | $crashes |")
done

echo
echo "== ${seconds}s per target, sanitizer: $sanitizer"
echo "| target | runs | exec/s | cov | ft | corpus (files) | crashes |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"

if [[ ${#crashed[@]} -gt 0 ]]; then
    echo
    echo "crashed: ${crashed[*]}; reproduce with:"
    for target in "${crashed[@]}"; do
        for input in $(ls -t "artifacts/$target" | head -n 1); do
            echo "  RUSTC_BOOTSTRAP=1 cargo fuzz run ${flags[*]} $target fuzz/artifacts/$target/$input"
        done
    done
    exit 1
fi
