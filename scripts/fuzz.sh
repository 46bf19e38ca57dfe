#!/usr/bin/env bash
# Coverage-guided fuzzing with cargo-fuzz (libFuzzer): the targets of fuzz/
# (docs/FUZZING.md). Seed corpora come from the synthetic city and the
# project's own files; a crash stops the run and leaves its input in
# fuzz/artifacts/<target>/.
#
#   scripts/fuzz.sh seed                 fill fuzz/corpus/<target>/ (generated, not committed)
#   scripts/fuzz.sh build [TARGET]       build every target (or one)
#   scripts/fuzz.sh ci [SECONDS]         every target but http_bodies for SECONDS (default 25); fails on a crash
#   scripts/fuzz.sh hour                 every target for an hour, one after the other
#   scripts/fuzz.sh run TARGET SECONDS   one target (built first)
#   scripts/fuzz.sh run-built TARGET SECONDS   the same, without building
#   scripts/fuzz.sh list                 the targets
#
# Installs cargo-fuzz (crates.io) when missing. The stable toolchain runs
# cargo-fuzz's nightly flags with RUSTC_BOOTSTRAP=1. Builds go to their own
# target directory (FUZZ_TARGET_DIR, default ~/.cache/xinyong/target-fuzz):
# the instrumented flags would otherwise rebuild the shared one.
# FUZZ_SANITIZER: address (default) or none. One job: the fuzzers run one
# after the other, never in parallel.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

export RUSTC_BOOTSTRAP=1
# The bundled SQLite (through the importer's store) defines a global twice
# for AddressSanitizer; cargo-fuzz sets the same option.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_odr_violation=0}"
target_dir="${FUZZ_TARGET_DIR:-$HOME/.cache/xinyong/target-fuzz}"
sanitizer="${FUZZ_SANITIZER:-address}"
# The targets CI runs: they build in minutes. http_bodies drives the whole
# server (store, engine, DataFusion, typst) and its instrumented build takes
# over an hour cold on two cores: `hour` and `run` include it, `ci` does not.
light=(uscc validate_row import_jsonl import_csv import_xlsx model_file model_expr
  measures_trigger measures_catalogue calendar)
targets=("${light[@]}" http_bodies)

ensure_cargo_fuzz() {
  if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "==> installing cargo-fuzz"
    cargo install --locked cargo-fuzz
  fi
}

features_of() {
  case "$1" in
    http_bodies) echo "--features http" ;;
    *) echo "" ;;
  esac
}

fuzz_args=(-O --codegen-units 16 --sanitizer "$sanitizer" --target-dir "$target_dir")

# build [TARGET]: every target, or one.
build() {
  ensure_cargo_fuzz
  # shellcheck disable=SC2046
  (cd fuzz && cargo fuzz build "${fuzz_args[@]}" $(features_of "${1:-http_bodies}") ${1:+"$1"})
}

seed() {
  local bin="${XINYONG_BIN:-}"
  if [ -z "$bin" ]; then
    cargo build --locked -q -p xinyong
    bin="${CARGO_TARGET_DIR:-target}/debug/xinyong"
  fi
  local work
  work="$(mktemp -d)"
  "$bin" gen --subjects 120 --seed 1 --out "$work/city" --with-malformed >/dev/null
  echo "==> seed corpora in fuzz/corpus/"
  python3 scripts/fuzz-seeds.py "$work/city" fuzz/corpus
  rm -rf "$work"
}

bin_dir="$target_dir/x86_64-unknown-linux-gnu/release"

# run TARGET SECONDS: fuzz one target (built already); non-zero on a crash.
run() {
  local t="$1" secs="$2"
  [ -d "fuzz/corpus/$t" ] || seed
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  local dirs=("fuzz/corpus/$t")
  [ -d "fuzz/seeds/$t" ] && dirs+=("fuzz/seeds/$t")
  local log="fuzz/artifacts/$t/last-run.log" rc=0
  echo "==> fuzzing $t for ${secs}s (log: $log)"
  # libFuzzer itself, one job: new inputs go to the first directory, a
  # crashing input to fuzz/artifacts/<target>/.
  "$bin_dir/$t" "${dirs[@]}" -max_total_time="$secs" -timeout=30 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" >"$log" 2>&1 || rc=$?
  grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
  if [ "$rc" -ne 0 ]; then
    echo "--- $t failed (exit $rc); the end of its log:" >&2
    tail -n 60 "$log" >&2
  fi
  return "$rc"
}

# all SECONDS [TARGET...]: each target (default every one) for SECONDS.
all() {
  local secs="$1" failed=()
  shift
  local which=("$@")
  [ ${#which[@]} -gt 0 ] || which=("${targets[@]}")
  for t in "${which[@]}"; do
    run "$t" "$secs" || failed+=("$t")
  done
  if [ ${#failed[@]} -gt 0 ]; then
    echo "FUZZING FOUND CRASHES in: ${failed[*]} (inputs in fuzz/artifacts/<target>/)" >&2
    return 1
  fi
  echo "no crash in ${#which[@]} targets (${secs}s each)"
}

case "${1:-}" in
  seed) seed ;;
  build) build "${2:-}" ;;
  ci)
    ensure_cargo_fuzz
    echo "==> cargo fmt --check (fuzz/)"
    cargo fmt --manifest-path fuzz/Cargo.toml --check
    # The light targets only (no `http` feature: required-features leaves
    # http_bodies out of the build).
    (cd fuzz && cargo fuzz build "${fuzz_args[@]}")
    seed
    all "${2:-25}" "${light[@]}"
    ;;
  hour)
    build
    [ -d fuzz/corpus ] || seed
    all 3600
    ;;
  run)
    [ $# -eq 3 ] || { echo "usage: $0 run TARGET SECONDS" >&2; exit 2; }
    build "$2"
    run "$2" "$3"
    ;;
  run-built)
    # As `run`, without building first (while another build holds the lock).
    [ $# -eq 3 ] || { echo "usage: $0 run-built TARGET SECONDS" >&2; exit 2; }
    run "$2" "$3"
    ;;
  list) printf '%s\n' "${targets[@]}" ;;
  *)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
