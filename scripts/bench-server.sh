#!/usr/bin/env bash
# Server benchmarks (figures in docs/PERFORMANCE.md). Not timed tests: run by hand.
#
#   scripts/bench-server.sh [SUBJECTS] [--database-url URL] [--duration S] [--rate R] [--reuse DIR]
#
# Builds the demo city of SUBJECTS subjects (default 1,400,000) with its accounts
# (`xinyong demo --no-serve`), serves it, and loads it from the same machine
# with the project's load generator (crates/http/examples/loadgen.rs):
#   1. search              GET /api/v1/subjects?q=…          (partial names, USCC prefixes)
#   2. public profile      GET /api/v1/subjects/{uscc}/public
#   3. full profile        GET /api/v1/subjects/{uscc}       (admin; each read audited)
#   4. submission          POST /api/v1/records, batches of 1,000 new records (department)
#   5. credit check        POST /api/v1/credit-checks (officer; each check logged and audited)
# 1–3 and 5 at a fixed rate (default 1,000 requests/s, open loop: latency counted
# from each request's scheduled time), then as fast as 64 connections go; 4 as
# fast as 4 connections go (records/s = batches/s × 1,000).
# --only NAME[,NAME…] runs only those loads (search, public, full, submission,
# credit-check), e.g. with --reuse DIR on a city already built.
set -euo pipefail
cd "$(dirname "$0")/.."

SUBJECTS=1400000
DB_URL=""
DURATION=60
RATE=1000
REUSE=""
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --only) ONLY=",$2,"; shift 2 ;;
    --database-url) DB_URL="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --reuse) REUSE="$2"; shift 2 ;;
    *) SUBJECTS="$1"; shift ;;
  esac
done

. scripts/bench-common.sh
bench_build
OUT="${REUSE:-${TMPDIR:-/tmp}/xinyong-bench-server}"
db_args=()
[ -n "$DB_URL" ] && db_args+=(--database-url "$DB_URL")
bench_city "$OUT" "$SUBJECTS" "$REUSE" "${db_args[@]}"
XINYONG_LOG=info bench_serve "$OUT/server.log" "${db_args[@]}"

# Targets and tokens.
python3 scripts/bench-targets.py "$OUT" "http://$ADDR"

load() {
  local name="$1"; shift
  if [ -n "$ONLY" ] && [[ "$ONLY" != *",${name%-*},"* ]]; then return 0; fi
  printf '%-28s ' "$name"
  "$LOAD" --addr "$ADDR" --duration "$DURATION" "$@" | tee "$OUT/$name.json"
}
ADMIN="authorization: Bearer $(cat "$OUT/admin.token")"
DEPT="authorization: Bearer $(cat "$OUT/department.token")"
OFFICER="authorization: Bearer $(cat "$OUT/officer.token")"
echo "server benchmark: $SUBJECTS subjects, $(nproc) cores, ${DB_URL:+PostgreSQL}${DB_URL:-SQLite}"
load search-fixed     --targets "$OUT/search.txt" --rate "$RATE" --connections 64
load public-fixed     --targets "$OUT/public.txt" --rate "$RATE" --connections 64
load full-fixed       --targets "$OUT/full.txt"   --rate "$RATE" --connections 64 --header "$ADMIN"
load search-max       --targets "$OUT/search.txt" --connections 64
load public-max       --targets "$OUT/public.txt" --connections 64
load full-max         --targets "$OUT/full.txt"   --connections 64 --header "$ADMIN"
load credit-check-fixed --targets "$OUT/checks.txt" --post-bodies "$OUT/checks.jsonl" --rate "$RATE" --connections 64 --header "$OFFICER"
load credit-check-max   --targets "$OUT/checks.txt" --post-bodies "$OUT/checks.jsonl" --connections 64 --header "$OFFICER"
load submission-max   --targets "$OUT/records.txt" --post-bodies "$OUT/batch.json" --connections 4 --header "$DEPT"
if [ -f "$OUT/submission-max.json" ] && { [ -z "$ONLY" ] || [[ "$ONLY" == *",submission,"* ]]; }; then
python3 - "$OUT/submission-max.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"submission: {r['requests'] * 1000 / r['seconds']:,.0f} records/s ({r['errors']} errors)")
PY
fi
