#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ (libFuzzer, nightly Rust).
#
#   scripts/fuzz.sh                 every target for 20 s each (the CI smoke run)
#   scripts/fuzz.sh SECONDS         every target for SECONDS each
#   scripts/fuzz.sh TARGET SECONDS  one target (policy, scenario, condition, wildcard, blob,
#                                   xks, sigv4, share)
#   scripts/fuzz.sh --cmin          minimize every kept corpus in fuzz/corpus/ (before a commit)
#
# New interesting inputs are added to fuzz/corpus/TARGET/; a crash stops the run with its input
# in fuzz/artifacts/TARGET/ and a non-zero exit. Each run's last libFuzzer status line (runs,
# exec/s, coverage) is printed, and the whole log kept in fuzz/target/logs/TARGET.log.
# Set FUZZ_JOBS=2 to run two targets at once (the machine has 2 cores), and FUZZ_RUNS=N to stop
# a target after N executions if that comes before SECONDS (the long runs use 10000000).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

TARGETS=(policy scenario condition wildcard blob xks sigv4 share)
# No input larger than 64 KB: the corpora stay small, and every limit the engine enforces on
# bigger documents is tested by the malformed catalogue instead.
FLAGS=(-max_len=65536 -timeout=20 -rss_limit_mb=4096 -print_final_stats=1)

if ! cargo +nightly --version >/dev/null 2>&1 || ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: skipped (needs the nightly toolchain and cargo-fuzz: scripts/setup.sh installs cargo-fuzz)" >&2
  exit 2
fi

mkdir -p fuzz/target/logs
cargo +nightly fuzz build -O >/dev/null 2>fuzz/target/logs/build.log || { cat fuzz/target/logs/build.log; exit 1; }
mkdir -p fuzz/target/logs

if [ "${1:-}" = "--cmin" ]; then
  for t in "${TARGETS[@]}"; do
    before=$(ls "fuzz/corpus/$t" | wc -l)
    cargo +nightly fuzz cmin -O "$t" "fuzz/corpus/$t" -- -max_len=65536 >"fuzz/target/logs/$t.cmin.log" 2>&1
    echo "cmin $t: $before -> $(ls "fuzz/corpus/$t" | wc -l) files"
  done
  exit 0
fi

if [ $# -ge 2 ]; then
  TARGETS=("$1"); seconds=$2
else
  seconds=${1:-20}
fi

run() {
  local t=$1 log="fuzz/target/logs/$1.log"
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  if cargo +nightly fuzz run -O "$t" "fuzz/corpus/$t" -- "${FLAGS[@]}" \
      -max_total_time="$seconds" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} -artifact_prefix="fuzz/artifacts/$t/" >"$log" 2>&1; then
    # The last status line: #RUNS, cov, ft, corp, exec/s.
    printf '%-10s ok    %s\n' "$t" "$(grep -E '^#[0-9]+' "$log" | tail -n 1)"
  else
    printf '%-10s CRASH (see %s and fuzz/artifacts/%s/)\n' "$t" "$log" "$t"
    grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$log" | head -n 8
    return 1
  fi
}

status=0
jobs=${FUZZ_JOBS:-1}
pids=()
for t in "${TARGETS[@]}"; do
  run "$t" & pids+=($!)
  if [ "${#pids[@]}" -ge "$jobs" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
