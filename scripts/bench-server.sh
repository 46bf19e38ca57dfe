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

cargo build --release --locked -p xinyong -p xinyong-http --bins --example loadgen >&2
T="${CARGO_TARGET_DIR:-target}/release"
BIN="$T/xinyong"
LOAD="$T/examples/loadgen"

OUT="${REUSE:-${TMPDIR:-/tmp}/xinyong-bench-server}"
DATA="$OUT/data"
db_args=(--data-dir "$DATA")
[ -n "$DB_URL" ] && db_args+=(--database-url "$DB_URL")
if [ -z "$REUSE" ] || [ ! -f "$OUT/demo.json" ]; then
  rm -rf "$OUT"; mkdir -p "$OUT"
  /usr/bin/time -f "demo build: %e s, peak %M KB" \
    "$BIN" demo "${db_args[@]}" --subjects "$SUBJECTS" --no-serve > "$OUT/demo.json"
fi

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
ADDR="127.0.0.1:$PORT"
"$BIN" serve "${db_args[@]}" --addr "$ADDR" 2> "$OUT/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf "http://$ADDR/api/v1/health" > /dev/null && break; sleep 0.2; done

# Targets and tokens.
python3 - "$OUT" "http://$ADDR" <<'PY'
import json, random, sys, urllib.parse, urllib.request
out, base = sys.argv[1], sys.argv[2]
demo = json.load(open(f"{out}/demo.json"))
random.seed(1)
subjects = [json.loads(l) for l in open(f"{out}/data/input/subjects.jsonl")]
pick = random.sample(subjects, min(20000, len(subjects)))
with open(f"{out}/search.txt", "w") as f:
    for i, s in enumerate(pick):
        name = s["name"]
        q = s["uscc"][: random.randint(6, 12)] if i % 5 == 0 else name[2:2 + random.randint(2, 5)]
        f.write("/api/v1/subjects?limit=10&q=" + urllib.parse.quote(q) + "\n")
with open(f"{out}/public.txt", "w") as f:
    for s in pick:
        f.write(f"/api/v1/subjects/{s['uscc']}/public\n")
with open(f"{out}/full.txt", "w") as f:
    for s in pick:
        f.write(f"/api/v1/subjects/{s['uscc']}?purpose=bench\n")
def token(role):
    a = next(a for a in demo["accounts"] if a["role"] == role)
    req = urllib.request.Request(base + "/api/v1/session", method="POST",
        data=json.dumps({"username": a["username"], "password": a["password"]}).encode(),
        headers={"content-type": "application/json"})
    return json.load(urllib.request.urlopen(req))["token"], a
admin, _ = token("admin")
dept, acct = token("department")
officer, _ = token("officer")
open(f"{out}/officer.token", "w").write(officer)
scenarios = ["approval", "procurement", "subsidy", "inspection", "honor", "bidding"]
with open(f"{out}/checks.jsonl", "w") as f:
    for i, s in enumerate(pick):
        f.write(json.dumps({"subject": s["uscc"], "scenario": scenarios[i % 6]}) + "\n")
open(f"{out}/checks.txt", "w").write("/api/v1/credit-checks\n")
open(f"{out}/admin.token", "w").write(admin)
open(f"{out}/department.token", "w").write(dept)
# A template batch of 1,000 records of the department's own source: existing
# subjects, new ids (@@N@@ is replaced by the request number).
src = acct["bound_to"]
batch = []
for l in open(f"{out}/data/input/records.jsonl"):
    r = json.loads(l)
    if r.get("source") == src:
        r["id"] = f"{src}-BENCH-@@N@@-{len(batch):04d}"
        batch.append(r)
        if len(batch) == 1000:
            break
open(f"{out}/batch.json", "w").write(json.dumps(batch, ensure_ascii=False) + "\n")
open(f"{out}/records.txt", "w").write("/api/v1/records\n")
PY

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
