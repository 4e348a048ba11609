#!/usr/bin/env bash
# The app's budget (issue 6): the whole app <= 250 KB gzip (wasm + js) and interactive within
# 300 ms of navigation on localhost in headless Chromium. Builds the release app exactly as
# scripts/serve.sh serves it (trunk build --release), measures the gzip -9 and raw sizes of
# dist/'s wasm and js, measures the time to interactive with tests/perf/tti.mjs (median of
# cold loads, see that file for the definition), keeps the figures in target/app-budget.txt
# and writes them as their own section at the end of docs/benchmarks.md (this script is the
# only writer of that section; scripts/bench.sh, which writes the rest, calls it last).
#   APP_BUDGET_RUNS=N         cold loads to take the median of (default 10)
#   APP_BUDGET_REPORT_ONLY=1  measure nothing; rewrite the section from target/app-budget.txt
#                             (also implied by bench.sh's BENCH_REPORT_ONLY=1 and
#                             BENCH_SKIP_BROWSER=1)
# Exits non-zero if a measurement fails; a missed budget is reported, not an error.
# Assumes scripts/setup.sh's tools (trunk, binaryen's wasm-opt in node_modules, Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
report_only=${APP_BUDGET_REPORT_ONLY:-0}
if [ "${BENCH_REPORT_ONLY:-0}" = 1 ] || [ "${BENCH_SKIP_BROWSER:-0}" = 1 ]; then
  report_only=1
fi
mkdir -p target
if [ "$report_only" != 1 ]; then
  # node_modules/.bin first: trunk must find binaryen 132's wasm-opt, never Debian's.
  export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
  trunk build --release --skip-version-check
  size() { wc -c < "$1" | tr -d ' '; }
  gz() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
  wasm_raw=0 wasm_gz=0 js_raw=0 js_gz=0
  for f in dist/*.wasm; do
    wasm_raw=$((wasm_raw + $(size "$f"))) wasm_gz=$((wasm_gz + $(gz "$f")))
  done
  # Every script the page loads: wasm-bindgen's glue and boot.js (the loader, see Trunk.toml).
  for f in dist/*.js; do
    js_raw=$((js_raw + $(size "$f"))) js_gz=$((js_gz + $(gz "$f")))
  done
  node tests/perf/tti.mjs --dir dist --runs "${APP_BUDGET_RUNS:-10}" | tee target/app-budget-tti.log
  {
    printf 'MEASURED %s\n' "$(date -u +%Y-%m-%d)"
    printf 'COMMIT %s%s\n' "$(git rev-parse --short HEAD)" "$(git diff --quiet HEAD -- . ':!docs' || echo ' (with uncommitted changes)')"
    printf 'BROWSER %s\n' "$(/usr/bin/chromium --version 2>/dev/null || echo unknown)"
    printf 'SIZE wasm %s %s\n' "$wasm_raw" "$wasm_gz"
    printf 'SIZE js %s %s\n' "$js_raw" "$js_gz"
    grep -E '^TTI_(MS|MIN_MS|START_MS|RUNS) ' target/app-budget-tti.log
  } > target/app-budget.txt
fi
python3 - <<'PY'
import os, re
BEGIN, END = "<!-- app-budget: written by scripts/app-budget.sh -->", "<!-- app-budget: end -->"
fig = {}
if os.path.exists("target/app-budget.txt"):
    for line in open("target/app-budget.txt"):
        kind, _, rest = line.strip().partition(" ")
        if kind == "SIZE":
            name, raw, gz = rest.split()
            fig[name] = (int(raw), int(gz))
        else:
            fig[kind] = rest
SIZE_GOAL, TTI_GOAL = 250_000, 300.0  # bytes gzip (KB = 1000 bytes), milliseconds
def kb(n):
    return f"{n/1000:.1f} KB"
def ratio(value, goal):
    return f"{value/goal:.2f}" + ("" if value <= goal else " **missed**")
if "wasm" not in fig or "TTI_MS" not in fig:
    body = "Not measured yet: run `scripts/app-budget.sh`."
else:
    (wr, wg), (jr, jg) = fig["wasm"], fig["js"]
    tti = float(fig["TTI_MS"])
    runs = fig.get("TTI_RUNS", "").split(",")
    start = float(fig.get("TTI_START_MS", "nan"))
    body = f"""Figures from `scripts/app-budget.sh`, measured {fig.get('MEASURED', '?')} at {fig.get('COMMIT', '?')},
in {fig.get('BROWSER', '?')}, headless.
Sizes are of `dist/` after `trunk build --release` (what `scripts/serve.sh` serves),
compressed with `gzip -9`; KB = 1000 bytes.

| figure | measured | goal | ratio |
|---|---|---|---|
| The whole app, gzip (wasm + js) | {kb(wg + jg)} | {kb(SIZE_GOAL)} | {ratio(wg + jg, SIZE_GOAL)} |
| wasm, gzip (raw) | {kb(wg)} ({kb(wr)}) | — | — |
| js: wasm-bindgen's glue and `boot.js`, gzip (raw) | {kb(jg)} ({kb(jr)}) | — | — |
| Time to interactive, median of {len(runs)} cold loads | {tti:.0f} ms | {TTI_GOAL:.0f} ms | {ratio(tti, TTI_GOAL)} |
| fastest of those loads | {float(fig.get('TTI_MIN_MS', 'nan')):.0f} ms | — | — |
| median time until `main()` starts (page, scripts, wasm fetched, compiled, instantiated) | {start:.0f} ms | — | — |

- Time to interactive is the `kmslab-interactive` performance mark's time from navigation
  start: `src/main.rs` sets it right after mounting the app, when the first view and its
  event handlers exist; `tests/perf/tti.mjs` also waits for the editor to be on the page.
  Each load is cold (new browser context, HTTP cache disabled), from a static server on
  127.0.0.1 without compression, after one load not counted. The loads, in ms: {', '.join(runs)}.
- This machine is shared with other builds: a load can take twice as long while one runs,
  so the fastest load says what the app costs on an idle machine. The figures below the
  median split it: until `main()` starts is the page, the scripts and the wasm (fetched,
  compiled, instantiated); the rest is mounting the first view.
- What was tried to make the app smaller, and what each step gained: `docs/size.md`."""
section = f"{BEGIN}\n## The app: size and time to interactive\n\n{body}\n{END}\n"
path = "docs/benchmarks.md"
text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n?", "", text, flags=re.S)
text = text.rstrip("\n") + "\n\n" + section
open(path, "w").write(text)
print(section)
PY
