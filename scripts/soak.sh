#!/usr/bin/env bash
# Load and soak (issue 17; figures in docs/PERFORMANCE.md). Not a timed test: run by hand.
#
#   scripts/soak.sh [SUBJECTS] [--reuse DIR] [--minutes M] [--eval-at S]
#
# Builds the demo city of SUBJECTS subjects (default 1,400,000) or reuses one
# (--reuse DIR, e.g. the directory of scripts/bench-server.sh), serves it and
# loads it for M minutes (default 10) with a mix at fixed rates (open loop,
# the project's load generator, every request recorded):
#   search 100/s, public profile 200/s, full profile 100/s (admin, audited),
#   credit check 100/s (officer, logged), submission 1/s (batches of 100 new
#   records of the demo department), report download 10/s (PDFs of 200
#   reports issued before the load starts).
# S seconds in (default half the run), a full evaluation of every subject is
# started through the API (POST /api/v1/evaluations) and followed to its end.
# The server's resident memory is sampled every second. Prints, per request
# kind, the requests, errors and p50 / p99 before, during and after the
# evaluation, and the memory after warm-up (the second minute) and at the
# end (the last minute).
set -euo pipefail
cd "$(dirname "$0")/.."

SUBJECTS=1400000
MINUTES=10
EVAL_AT=""
REUSE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2 ;;
    --eval-at) EVAL_AT="$2"; shift 2 ;;
    --reuse) REUSE="$2"; shift 2 ;;
    *) SUBJECTS="$1"; shift ;;
  esac
done
DURATION=$(( MINUTES * 60 ))
EVAL_AT="${EVAL_AT:-$(( DURATION / 2 ))}"

. scripts/bench-common.sh
bench_build
OUT="${REUSE:-${TMPDIR:-/tmp}/xinyong-soak}"
bench_city "$OUT" "$SUBJECTS" "$REUSE"
bench_serve "$OUT/soak-server.log"
SOAK="$OUT/soak"
rm -rf "$SOAK"; mkdir -p "$SOAK"

python3 scripts/bench-targets.py "$OUT" "http://$ADDR" 100
# Reports to download.
python3 - "$OUT" "http://$ADDR" <<'PY'
import json, sys, urllib.request
out, base = sys.argv[1], sys.argv[2]
admin = open(f"{out}/admin.token").read()
paths = []
for line in open(f"{out}/public.txt").readlines()[:200]:
    uscc = line.split("/")[4]
    req = urllib.request.Request(f"{base}/api/v1/subjects/{uscc}/reports", method="POST", data=b"{}",
        headers={"content-type": "application/json", "authorization": f"Bearer {admin}"})
    paths.append(json.load(urllib.request.urlopen(req))["pdf"])
open(f"{out}/soak/reports.txt", "w").write("".join(p + "\n" for p in paths))
PY

ADMIN="authorization: Bearer $(cat "$OUT/admin.token")"
DEPT="authorization: Bearer $(cat "$OUT/department.token")"
OFFICER="authorization: Bearer $(cat "$OUT/officer.token")"
loads=()
soak_load() {
  local name="$1" rate="$2"; shift 2
  "$LOAD" --addr "$ADDR" --duration "$DURATION" --rate "$rate" --connections 32 \
    --record "$SOAK/$name.rec" "$@" > "$SOAK/$name.json" &
  loads+=($!)
}
echo "soak: $SUBJECTS subjects, $MINUTES min, full evaluation at ${EVAL_AT} s, $(nproc) cores"
soak_load search 100 --targets "$OUT/search.txt"
soak_load public 200 --targets "$OUT/public.txt"
soak_load full 100 --targets "$OUT/full.txt" --header "$ADMIN"
soak_load credit-check 100 --targets "$OUT/checks.txt" --post-bodies "$OUT/checks.jsonl" --header "$OFFICER"
soak_load submission 1 --targets "$OUT/records.txt" --post-bodies "$OUT/batch.json" --header "$DEPT"
soak_load report 10 --targets "$SOAK/reports.txt" --header "$ADMIN"

# Resident memory every second.
(
  while kill -0 "$SERVER" 2>/dev/null; do
    echo "$(date +%s%3N) $(awk '/^VmRSS/ {print $2}' "/proc/$SERVER/status")"
    sleep 1
  done
) > "$SOAK/rss.txt" &
SAMPLER=$!

# The evaluation in the middle.
sleep "$EVAL_AT"
python3 - "$OUT" "http://$ADDR" > "$SOAK/evaluation.json" <<'PY'
import json, sys, time, urllib.request
out, base = sys.argv[1], sys.argv[2]
admin = open(f"{out}/admin.token").read()
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {admin}"})
    return json.load(urllib.request.urlopen(req))
start = time.time()
task = call("POST", "/api/v1/evaluations", {})
while task["status"] == "running":
    time.sleep(0.5)
    task = call("GET", f"/api/v1/tasks/{task['id']}")
print(json.dumps({"start_ms": int(start * 1000), "end_ms": int(time.time() * 1000), "status": task["status"],
                  "subjects": (task.get("result") or {}).get("subjects")}))
PY
for p in "${loads[@]}"; do wait "$p"; done
kill "$SAMPLER" 2>/dev/null || true

python3 - "$SOAK" <<'PY'
import json, os, sys
soak = sys.argv[1]
ev = json.load(open(f"{soak}/evaluation.json"))
print(f"full evaluation: {ev['status']}, {(ev['end_ms'] - ev['start_ms']) / 1000:.1f} s, {ev['subjects']} subjects")
def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(len(xs) * p + 0.999999) - 1))]
print(f"{'kind':<14} {'phase':<7} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p99 ms':>8}")
for name in ["search", "public", "full", "credit-check", "submission", "report"]:
    rows = [l.split() for l in open(f"{soak}/{name}.rec")]
    for phase in ["before", "during", "after"]:
        sel = [(float(r[1]), r[2] == "1") for r in rows
               if {"before": int(r[0]) < ev["start_ms"],
                   "during": ev["start_ms"] <= int(r[0]) < ev["end_ms"],
                   "after": int(r[0]) >= ev["end_ms"]}[phase]]
        lat = [s[0] for s in sel]
        err = sum(1 for s in sel if not s[1])
        print(f"{name:<14} {phase:<7} {len(sel):>9} {err:>7} {pct(lat, .5):>8.1f} {pct(lat, .99):>8.1f}")
rss = [l.split() for l in open(f"{soak}/rss.txt") if len(l.split()) == 2]
t0 = int(rss[0][0])
warm = [int(r[1]) for r in rss if 60_000 <= int(r[0]) - t0 < 120_000]
last = [int(r[1]) for r in rss if int(rss[-1][0]) - int(r[0]) < 60_000]
peak = max(int(r[1]) for r in rss)
w, e = sum(warm) / max(1, len(warm)), sum(last) / max(1, len(last))
print(f"resident memory: second minute {w / 1024:.0f} MB, last minute {e / 1024:.0f} MB "
      f"({(e - w) / w * 100:+.1f} %), peak {peak / 1024:.0f} MB ({len(rss)} samples)")
PY
