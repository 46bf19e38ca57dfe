#!/usr/bin/env bash
# Benchmarks of xinyong (figures in README.md). Not timed tests: run by hand.
#
#   scripts/bench.sh [SUBJECTS] [--profile release|debug] [--no-pg] [--out DIR]
#
# Default: 1,400,000 subjects (about 10 million records), release build;
# XINYONG_BIN names a binary to use instead of building one.
# Steps, each with wall time and peak memory (/usr/bin/time):
#   1. gen          synthetic city
#   2. import       into SQLite (fresh data dir)       → records/s
#   3. evaluate-all every active model, then each model alone (where the time goes)
#   4. reevaluate   one subject (incremental)          → ms
#   5. import       into PostgreSQL (fresh schema)     → records/s   (skipped with --no-pg)
set -euo pipefail
cd "$(dirname "$0")/.."

SUBJECTS=1400000
PROFILE=release
PG=1
OUT="${TMPDIR:-/tmp}/xinyong-bench"
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) PROFILE="$2"; shift 2 ;;
    --no-pg) PG=0; shift ;;
    --out) OUT="$2"; shift 2 ;;
    *) SUBJECTS="$1"; shift ;;
  esac
done
PG_URL="${XINYONG_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"

TARGET_DIR="${CARGO_TARGET_DIR:-target}"
if [ -n "${XINYONG_BIN:-}" ]; then
  # A binary already built (CI: the one `cargo test` built).
  BIN="$XINYONG_BIN"
else
  if [ "$PROFILE" = release ]; then
    cargo build --release --locked -p xinyong >&2
  else
    cargo build --locked -p xinyong >&2
  fi
  BIN="$TARGET_DIR/$PROFILE/xinyong"
  [ "$PROFILE" = debug ] || [ -x "$BIN" ] || BIN="$TARGET_DIR/release/xinyong"
fi

rm -rf "$OUT"
mkdir -p "$OUT"
CITY="$OUT/city"
DATA="$OUT/data"

# run NAME CMD...: runs CMD, records wall seconds and peak RSS (MB) into $OUT/NAME.time
run() {
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$OUT/$name.time" "$@" > "$OUT/$name.out"
  read -r secs kb < "$OUT/$name.time"
  printf '%-28s %8.2f s  %8.0f MB\n' "$name" "$secs" "$(echo "$kb / 1024" | bc -l)"
}

echo "xinyong benchmark: $SUBJECTS subjects, $PROFILE build, $(nproc) cores"
run gen "$BIN" gen --subjects "$SUBJECTS" --seed 1 --out "$CITY"
RECORDS=$(wc -l < "$CITY/records.jsonl")
echo "  records: $RECORDS"

run import-sqlite "$BIN" import --quiet --no-evaluate --data-dir "$DATA" "$CITY/subjects.jsonl" "$CITY/records.jsonl"
read -r secs _ < "$OUT/import-sqlite.time"
echo "  SQLite import: $(echo "$RECORDS / $secs" | bc) records/s  ($(cat "$OUT/import-sqlite.out"))"

AS_OF=2026-10-31
run evaluate-all "$BIN" evaluate-all --data-dir "$DATA" --as-of "$AS_OF"
cat "$OUT/evaluate-all.out"
run evaluate-per-model "$BIN" evaluate-all --data-dir "$DATA" --as-of "$AS_OF" --per-model
grep -v '"label":"all"' "$OUT/evaluate-per-model.out" | sed 's/^/  /'

ONE=$(head -1 "$CITY/subjects.jsonl" | sed 's/.*"uscc":"\([^"]*\)".*/\1/')
run reevaluate-one "$BIN" reevaluate --data-dir "$DATA" --as-of "$AS_OF" "$ONE"
cat "$OUT/reevaluate-one.out"

if [ "$PG" = 1 ]; then
  SCHEMA="bench_$(date +%s)"
  psql "$PG_URL" -q -c "CREATE SCHEMA $SCHEMA" >/dev/null
  URL="$PG_URL?options=-c%20search_path%3D$SCHEMA"
  run import-postgres "$BIN" import --quiet --no-evaluate --data-dir "$OUT/pgdata" --database-url "$URL" "$CITY/subjects.jsonl" "$CITY/records.jsonl"
  read -r secs _ < "$OUT/import-postgres.time"
  echo "  PostgreSQL import: $(echo "$RECORDS / $secs" | bc) records/s  ($(cat "$OUT/import-postgres.out"))"
  PGOPTIONS="-c client_min_messages=warning" psql "$PG_URL" -q -c "DROP SCHEMA $SCHEMA CASCADE" >/dev/null
fi
echo "outputs in $OUT"
