#!/usr/bin/env bash
# Runs the native benchmarks (criterion), then the in-browser ones (tests/bench_browser.rs, wasm
# release build in headless Chromium), and rewrites the figures in docs/benchmarks.md.
# Figures are medians on this machine; goals come from the issues that set them.
#   BENCH_SKIP_BROWSER=1  skip the browser run (the report keeps target/bench-browser.txt if any)
#   BENCH_REPORT_ONLY=1   run nothing; rewrite the report from criterion's last results and
#                         target/bench-browser.txt
# Extra arguments go to criterion (a name filter, for instance). Assumes scripts/setup.sh's tools.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${BENCH_REPORT_ONLY:-0}" != 1 ]; then
  cargo bench -p kmslab-engine --bench authorize -- --noplot "$@"
  cargo bench -p kmslab-engine --bench matrix -- --noplot "$@"
  if [ "${BENCH_SKIP_BROWSER:-0}" != 1 ]; then
    export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
    mkdir -p target
    # --release: the profile the shipped app is built with (opt-level "z", LTO), without the
    # wasm-opt pass trunk adds. --nocapture: the runner prints the tests' console lines.
    CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver} \
      cargo test -p kmslab-app --target wasm32-unknown-unknown --release --test bench_browser \
      -- --nocapture 2>&1 | tee target/bench-browser.log
    if ! grep -q 'BENCH ' target/bench-browser.log; then
      echo "bench.sh: no BENCH lines in target/bench-browser.log" >&2
      exit 1
    fi
    {
      printf 'MEASURED %s\n' "$(date -u +%Y-%m-%d)"
      printf 'BROWSER %s\n' "$(/usr/bin/chromium --version 2>/dev/null || echo unknown)"
      grep -o 'BENCH .*' target/bench-browser.log
    } > target/bench-browser.txt
  fi
fi
python3 - <<'PY'
import json, os, platform, subprocess, datetime
goals = {  # name: (what, goal in ns or None)
    "authorize_realistic_no_trace": ("Authorization, 10 policies / 50 statements with conditions, no trace", 5_000),
    "authorize_realistic_traced": ("Same request with the full decision trace (explanation for people)", None),
    "authorize_realistic_no_conditions_no_trace": ("Profile hint: the same 50 statements without their conditions, no trace", None),
    "authorize_adversarial_32kb": ("Adversarial 32 KB policy (backtracking bait), traced", 1_000_000),
    "authorize_adversarial_32kb_no_trace": ("Same adversarial policy, no trace", 1_000_000),
    "parse_scenario_example": ("Parse the NPS example scenario", None),
    "run_scenario_example_5_steps": ("Run the NPS example (5 steps: encrypt, decrypt, traces)", None),
    "run_scenario_one_step_realistic": ("Whole `run_scenario`, one Encrypt step in the realistic world (world, authorization, traces, AES-GCM)", None),
    "kms_encrypt_4kib_end_to_end": ("KMS Encrypt of 4 KiB end to end (world, authorization, AES-256-GCM, blob)", None),
    # Goal: a call through the simulated external key store stays instant in the consoles
    # (1 ms for both calls, natively; the XKS spec's own limit is 250 ms per proxy request).
    "xks_encrypt_decrypt_4kib_round_trip": ("XKS round trip: Encrypt then Decrypt of 4 KiB through the simulated proxy (SigV4, proxy authorization, double encryption)", 1_000_000),
    "matrix/access_matrix_1m_cells": ("Access matrix, 1,000,000 cells (100 principals x 257 keys x 39 operations, `matrix::synthetic`), natively", None),
    "matrix/access_matrix_1m_cells_encryption_context": ("Same matrix with an encryption context (`{app: billing}`) on the operations that take one, natively", None),
}
def fmt(ns):
    return f"{ns/1e6:.2f} ms" if ns >= 1e6 else (f"{ns/1e3:.2f} µs" if ns >= 1e3 else f"{ns:.0f} ns")
rows = []
missed = []
for name, (what, goal) in goals.items():
    path = f"target/criterion/{name}/new/estimates.json"
    if not os.path.exists(path):
        rows.append(f"| {what} | `{name}` | not run | | |")
        continue
    median = json.load(open(path))["median"]["point_estimate"]
    ratio = (f"{median/goal:.2f}" + ("" if median <= goal else " **missed**")) if goal else "—"
    if goal and median > goal:
        missed.append(name)
    rows.append(f"| {what} | `{name}` | {fmt(median)} | {fmt(goal) if goal else '—'} | {ratio} |")
# In-browser figures: lines "BENCH name value unit", "BROWSER version", "MEASURED date".
browser = {}  # name: (value, unit)
browser_version, browser_date = "unknown", "unknown"
if os.path.exists("target/bench-browser.txt"):
    for line in open("target/bench-browser.txt"):
        kind, _, rest = line.strip().partition(" ")
        if kind == "BENCH":
            name, value, unit = rest.split()
            browser[name] = (float(value), unit)
        elif kind == "BROWSER":
            browser_version = rest
        elif kind == "MEASURED":
            browser_date = rest
browser_goals = {  # name: (what, goal in µs or None)
    "wasm_kms_encrypt_4kib_end_to_end": ("KMS Encrypt of 4 KiB end to end in wasm (the scenario of `kms_encrypt_4kib_end_to_end`)", 120),
    "wasm_seal_4kib": ("Its AES-256-GCM part alone: `crypto::seal` of 4 KiB (header, context, AES-GCM)", None),
    "wasm_aes_256_gcm_1mib": ("Bulk AES-256-GCM in wasm, the engine's `crypto::seal` of 1 MiB buffers", None),
    "webcrypto_aes_256_gcm_1mib": ("Bulk AES-256-GCM by WebCrypto (`SubtleCrypto.encrypt`, 12-byte IV) of 1 MiB buffers, same page", None),
    "wasm_access_matrix_1m_cells": ("Access matrix, 1,000,000 cells, wasm (the world of `matrix/access_matrix_1m_cells`; median of 5 runs)", 1_000_000),
    "wasm_rsa_2048_key_generation": ("RSA-2048 key generation in wasm: an import's wrapping key, an RSA key's first use (median over 7 fixed seeds; runs remember pairs, see docs/labs.md)", None),
}
def bfmt(value, unit):
    return f"{value:.0f} MB/s" if unit == "MB/s" else fmt(value * 1e3)
brows = []
for name, (what, goal) in browser_goals.items():
    if name not in browser:
        brows.append(f"| {what} | `{name}` | not run | | |")
        continue
    value, unit = browser[name]
    if goal:
        ratio = f"{value/goal:.2f}" + ("" if value <= goal else " **missed**")
        if value > goal:
            missed.append(name)
    elif name.startswith("webcrypto_") and "wasm_aes_256_gcm_1mib" in browser:
        ratio = f"{value/browser['wasm_aes_256_gcm_1mib'][0]:.1f}× the wasm throughput"
    else:
        ratio = "—"
    brows.append(f"| {what} | `{name}` | {bfmt(value, unit)} | {fmt(goal * 1e3) if goal else '—'} | {ratio} |")
bnotes = []
if "wasm_kms_encrypt_4kib_end_to_end" in browser and "wasm_seal_4kib" in browser:
    enc, sl = browser["wasm_kms_encrypt_4kib_end_to_end"][0], browser["wasm_seal_4kib"][0]
    bnotes.append(f"- Where the wasm Encrypt's time goes: AES-256-GCM (`seal`) is {sl:.0f} µs of "
                  f"{enc:.0f} µs ({100*sl/enc:.0f}%); the rest ({enc-sl:.0f} µs) is everything else "
                  "`run_scenario` does: building the world, authorization, base64 of the 4 KiB in "
                  "and out, the report.")
    native = "target/criterion/kms_encrypt_4kib_end_to_end/new/estimates.json"
    if os.path.exists(native):
        nat = json.load(open(native))["median"]["point_estimate"] / 1e3
        bnotes.append(f"- The same Encrypt natively takes {nat:.0f} µs (table above): wasm is {enc/nat:.1f}× slower. "
                      "Native AES-GCM uses AES-NI and CLMUL; wasm has neither and runs the "
                      "constant-time software AES (bitsliced) and GHASH of RustCrypto.")
if "wasm_aes_256_gcm_1mib" in browser and "webcrypto_aes_256_gcm_1mib" in browser:
    bnotes.append("- WebCrypto runs AES-GCM in the browser's native code (BoringSSL in Chromium, "
                  "with the CPU's AES instructions), but only through promises, one per call; "
                  "the engine's calls are synchronous and take their nonces from the injected generator.")
bnotes.append("""- The crypto crates (`aes`, `aes-gcm`, `ghash`, `polyval`, `ctr`, `cipher`,
  `universal-hash`, `inout`) are built at opt-level 3 inside the "z" release profile (root
  `Cargo.toml`). Measured 2026-11-29 at cb7ee9a, three alternating runs of each build: without
  the override the 4 KiB Encrypt took 145–189 µs, `seal` of 4 KiB 93–99 µs and bulk AES-GCM
  39–43 MB/s; with it 115–150 µs, 67–89 µs and 60–64 MB/s. The app's wasm (trunk release build, wasm-opt -Oz) is
  342.5 KB gzip with it and 342.8 KB without. Building the engine itself at opt-level 3 too
  (with `aes`, `aes-gcm`, `ghash` and `polyval`) gave 81–126 µs, 41–52 µs and 76–103 MB/s but
  422 KB gzip (+79 KB), so the engine stays at "z". The 120 µs goal lies inside the spread of
  the runs with the override: on this shared machine a run can land on either side of it.""")
browser_section = ("No in-browser figures yet: run `scripts/bench.sh` without `BENCH_SKIP_BROWSER=1`."
    if not browser else
f"""Figures from `tests/bench_browser.rs`, run by `scripts/bench.sh` with `cargo test -p kmslab-app
--target wasm32-unknown-unknown --release --test bench_browser -- --nocapture`: the release
profile the shipped app uses (opt-level "z", LTO, one codegen unit; without the wasm-opt pass
trunk adds), in {browser_version} (headless, through chromedriver), measured {browser_date}. Each
figure is the median of 20 samples of at least 30 ms each, after a 200 ms warm-up, timed with
`performance.now()`. MB/s counts 10^6 bytes of plaintext per second.

| benchmark | name | figure | goal | ratio |
|---|---|---|---|---|
""" + "\n".join(brows) + "\n\n" + "\n".join(bnotes))
cpu = next((l.split(":",1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or os.cpu_count()
verdict = ("Every goal is met." if not missed else
           "**Goals missed: " + ", ".join(f"`{m}`" for m in missed) + ".**"
           + (" See the profile note below; `authorize_realistic_no_conditions_no_trace` shows how"
              " much of the time is matching alone." if any(m.startswith("authorize") for m in missed) else "")
           + (" The browser notes above say where the wasm Encrypt's time goes."
              if "wasm_kms_encrypt_4kib_end_to_end" in missed else ""))
text = f"""# Benchmarks

Figures from `scripts/bench.sh` (criterion medians; the ratio is median / goal, so below 1 meets
the goal). Measured {datetime.date.today()} on `nproc` = {nproc}, CPU {cpu}, {rustc}, release
profile of the bench target.

| benchmark | name | median | goal | ratio |
|---|---|---|---|---|
""" + "\n".join(rows) + """

## In the browser (headless Chromium, wasm release build)

""" + browser_section + """

""" + verdict + """

Notes:

- The 5 µs goal is for deciding a request (the path bulk checks use). Building the full
  decision trace, with a sentence for every statement and condition, costs about ten times
  more; it is built once per step a person looks at.
- `run_scenario_one_step_realistic` is everything a person's click costs: building the
  world from the scenario, resolving the caller, authorizing with the full trace, AES-256-GCM
  and the report. Its authorization alone is `authorize_realistic_traced`.
- Profile of `authorize_realistic_no_trace` (`perf record --call-graph dwarf` on the bench
  binary with `--bench --profile-time 6 authorize_realistic_no_trace`, 2026-11-23): `memcmp`
  about 25% (a little over half from comparing the lower-cased action with literal `Action`
  entries, the rest from comparing the resource with literal `Resource` ARNs, which share a
  long prefix), `eval_layer`'s own loop about 23%, allocation (`malloc`/`free`/`realloc`,
  statement ids formatted with `format!`) about 12%, and for the one statement that reaches its
  conditions, CIDR and date parsing per request (`parse_cidr`, `read_ipv4_addr`,
  `Instant::parse_iso`) about 4%. Conditions in total are the gap between the two no-trace
  rows. Pre-lowercased action literals hashed or length-bucketed, resource literals compared
  from the end, and condition values parsed once at policy load would address these.
- Two regressions found on 2026-11-29 and fixed the same day: `authorize_realistic_no_trace`
  went from 2.2 µs to 8.2 µs when literal ARN patterns started to be parsed as ARNs on every
  request (now decided once, when the pattern is compiled), and
  `run_scenario_one_step_realistic` from 55 µs to 527 µs when every run began by copying the
  scenario's world (now copied only when a step changes IAM).
- This machine is a small VM shared with other builds: medians move by about ±25% between
  runs, and by up to 2x while another build runs (the wasm 4 KiB Encrypt of one build gave
  113 to 226 µs across runs on 2026-11-29). `BENCH_REPORT_ONLY=1
  scripts/bench.sh` rewrites this file from criterion's last results without re-running.

Command: `scripts/bench.sh` (which runs `cargo bench -p kmslab-engine --bench authorize --
--noplot`, then reads the median `point_estimate` of `target/criterion/NAME/new/estimates.json`;
then runs the browser benchmark and keeps its `BENCH` lines in `target/bench-browser.txt`).
The native benchmarks live in `crates/engine/benches/authorize.rs`, the in-browser ones in
`tests/bench_browser.rs`; `BENCH_SKIP_BROWSER=1` skips the browser run. The app's size and time
to interactive are measured by `scripts/app-budget.sh` (run last by this script) in the section
below.
"""
open("docs/benchmarks.md", "w").write(text)
print(text)
PY
scripts/app-budget.sh  # the app: size and time to interactive, its own section of docs/benchmarks.md
