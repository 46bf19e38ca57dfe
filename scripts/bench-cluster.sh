#!/usr/bin/env bash
# Benchmark of a cluster run (docs/CLUSTER.md): the same city evaluated
# locally (merged plan and partitioned plan) and on a Ballista cluster of
# one and of two executors on this machine, each run's wall time, and
# every cluster run's results compared with the local run's.
#
#   scripts/bench-cluster.sh [SUBJECTS] [--data DIR] [--partitions N]
#
# Default: 1,400,000 subjects (seed 1), release build. --data reuses a data
# directory already imported (e.g. by scripts/bench.sh --out). XINYONG_BIN
# names a binary to use instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."

SUBJECTS=1400000
DATA=""
PARTITIONS=8
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA="$2"; shift 2 ;;
    --partitions) PARTITIONS="$2"; shift 2 ;;
    *) SUBJECTS="$1"; shift ;;
  esac
done

if [ -n "${XINYONG_BIN:-}" ]; then
  BIN="$XINYONG_BIN"
else
  cargo build --release --locked -p xinyong >&2
  BIN="${CARGO_TARGET_DIR:-target}/release/xinyong"
fi
BIN="$(realpath "$BIN")"

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

AS_OF=2026-10-31
if [ -z "$DATA" ]; then
  DATA="$WORK/data"
  echo "==> gen + import: $SUBJECTS subjects"
  "$BIN" gen --subjects "$SUBJECTS" --seed 1 --out "$WORK/city" > /dev/null
  "$BIN" import --data-dir "$DATA" "$WORK/city/subjects.jsonl" "$WORK/city/records.jsonl" > /dev/null
fi
DATA="$(realpath "$DATA")"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# `evaluate-all` with the given arguments: prints "<wall seconds> <run id>".
timed() {
  local t0 t1 out
  t0=$(date +%s.%N)
  out="$("$BIN" evaluate-all --data-dir "$DATA" --as-of "$AS_OF" "$@")"
  t1=$(date +%s.%N)
  printf '%.1f %s\n' "$(echo "$t1 - $t0" | bc)" "$(echo "$out" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["run"])')"
}

echo "==> local, merged plan"
read -r t_local run_local < <(timed)
echo "    ${t_local} s  run $run_local"
echo "==> local, partitioned plan ($PARTITIONS partitions)"
read -r t_part run_part < <(timed --partitioned --partitions "$PARTITIONS")
echo "    ${t_part} s  run $run_part"

SCHED_PORT="$(free_port)"
XINYONG_LOG=warn "$BIN" cluster scheduler --addr "127.0.0.1:$SCHED_PORT" 2> "$WORK/scheduler.log" &
PIDS+=($!)
until (exec 3<>"/dev/tcp/127.0.0.1/$SCHED_PORT") 2>/dev/null; do sleep 0.2; done

start_executor() {
  XINYONG_LOG=warn "$BIN" cluster executor --scheduler "127.0.0.1:$SCHED_PORT" \
    --port "$(free_port)" --grpc-port "$(free_port)" --work-dir "$WORK/executor-$1" \
    --concurrency "$(nproc)" 2> "$WORK/executor-$1.log" &
  PIDS+=($!)
  sleep 2
}

start_executor 1
echo "==> cluster, 1 executor ($PARTITIONS partitions)"
read -r t_one run_one < <(timed --partitions "$PARTITIONS" --cluster "127.0.0.1:$SCHED_PORT")
echo "    ${t_one} s  run $run_one"

start_executor 2
echo "==> cluster, 2 executors ($PARTITIONS partitions)"
read -r t_two run_two < <(timed --partitions "$PARTITIONS" --cluster "127.0.0.1:$SCHED_PORT")
echo "    ${t_two} s  run $run_two"

if command -v python3 > /dev/null && python3 -c 'import pyarrow' 2>/dev/null; then
  echo "==> results digests (local, 1 executor, 2 executors): must be one value"
  python3 scripts/results-digest.py "$DATA" "$run_local" "$run_one" "$run_two" | awk '{print $NF}' | sort -u
fi
echo
echo "local ${t_local} s · partitioned ${t_part} s · 1 executor ${t_one} s · 2 executors ${t_two} s"
