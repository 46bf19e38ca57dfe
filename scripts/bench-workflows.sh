#!/usr/bin/env bash
# Workflow benchmark (issue 13; figures in docs/PERFORMANCE.md). Not a timed test: run by hand.
#
#   scripts/bench-workflows.sh [SUBJECTS] [--items N] [--duration S] [--rate R] [--reuse DIR]
#
# Builds the demo city of SUBJECTS subjects (default 100,000; `xinyong demo --no-serve`),
# serves it, and opens N workflow items (default 10,000) through the API the way the public
# and enterprises file them: objections against records shown on public profiles
# (POST /api/v1/objections, no login), half of them against the demo department's own
# records, plus objections of the demo enterprise against its records. Then it loads, with the
# project's load generator (crates/http/examples/loadgen.rs), 16 connections:
#   1. the department's queue page   GET /queue?page=P     (demo department, session cookie)
#   2. the enterprise's status page  GET /my/cases          (demo enterprise, session cookie)
#   3. the queue through the API     GET /api/v1/workflow-items?open=true&limit=50&offset=O
# each at a fixed rate (default 200 requests/s, open loop) and then as fast as 16 connections go.
# Goal (issue 13): p99 < 50 ms for 1 and 2 with 10,000 open items.
set -euo pipefail
cd "$(dirname "$0")/.."

SUBJECTS=100000
ITEMS=10000
DURATION=30
RATE=200
REUSE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --items) ITEMS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --reuse) REUSE="$2"; shift 2 ;;
    *) SUBJECTS="$1"; shift ;;
  esac
done

. scripts/bench-common.sh
bench_build
OUT="${REUSE:-${TMPDIR:-/tmp}/xinyong-bench-workflows}"
bench_city "$OUT" "$SUBJECTS" "$REUSE"
bench_serve "$OUT/server.log"

# Open the items (once per data directory), the sessions and the targets.
python3 - "$OUT" "http://$ADDR" "$ITEMS" <<'PY'
import json, os, random, sys, time, urllib.error, urllib.request
out, base, items = sys.argv[1], sys.argv[2], int(sys.argv[3])
demo = json.load(open(f"{out}/demo.json"))
def call(method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"content-type": "application/json",
                 **({"authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)
def session(role):
    a = next(a for a in demo["accounts"] if a["role"] == role)
    s, body = call("POST", "/api/v1/session", {"username": a["username"], "password": a["password"]})
    assert s == 200, body
    return body["token"], a
admin, _ = session("admin")
dept, dept_acct = session("department")
ent, ent_acct = session("enterprise")
src = dept_acct["bound_to"]
marker = f"{out}/items.done"
if not os.path.exists(marker):
    random.seed(7)
    records = [json.loads(l) for l in open(f"{out}/data/input/records.jsonl")]
    own_uscc = ent_acct["bound_to"]
    ent_records = [r for r in records if r["subject"] == own_uscc]
    mine = [r for r in records if r.get("source") == src and r["subject"] != own_uscc]
    others = [r for r in records if r.get("source") != src and r["subject"] != own_uscc]
    random.shuffle(mine); random.shuffle(others)
    wanted = mine[: items // 2] + others
    opened, refused, t0 = 0, {}, time.time()
    for r in ent_records:
        s, b = call("POST", "/api/v1/objections", {"record": {"source": r["source"], "id": r["id"]},
                    "grounds": "error", "statement": "基准测试：记录有误"}, token=ent)
        if s == 201: opened += 1
        else: refused[b["error"]["code"]] = refused.get(b["error"]["code"], 0) + 1
    for r in wanted:
        if opened >= items: break
        s, b = call("POST", "/api/v1/objections", {"record": {"source": r["source"], "id": r["id"]},
                    "grounds": "error", "statement": "基准测试：记录有误"})
        if s == 201: opened += 1
        else: refused[b["error"]["code"]] = refused.get(b["error"]["code"], 0) + 1
    print(f"opened {opened} objections in {time.time() - t0:.0f} s (refused: {refused})")
    open(marker, "w").write(str(opened))
s, q = call("GET", "/api/v1/workflow-items?open=true", token=dept)
s2, e = call("GET", "/api/v1/workflow-items?open=true", token=ent)
total = len(q)
print(f"open items: department {src}: {total}, enterprise: {len(e)}")
for name, token in [("department", dept), ("enterprise", ent)]:
    open(f"{out}/{name}.token", "w").write(token)
pages = max(1, (total + 49) // 50)
with open(f"{out}/queue.txt", "w") as f:
    for i in range(2000):
        f.write(f"/queue?page={random.randint(1, pages)}\n" if i % 2 else "/queue\n")
open(f"{out}/my.txt", "w").write("/my/cases\n")
with open(f"{out}/api.txt", "w") as f:
    for i in range(2000):
        f.write(f"/api/v1/workflow-items?open=true&limit=50&offset={50 * random.randint(0, pages - 1)}\n")
PY

load() {
  local name="$1"; shift
  printf '%-24s ' "$name"
  "$LOAD" --addr "$ADDR" --duration "$DURATION" "$@" | tee "$OUT/$name.json"
}
DEPT_COOKIE="cookie: xinyong_session=$(cat "$OUT/department.token")"
ENT_COOKIE="cookie: xinyong_session=$(cat "$OUT/enterprise.token")"
DEPT_BEARER="authorization: Bearer $(cat "$OUT/department.token")"
echo "workflow benchmark: $SUBJECTS subjects, $(nproc) cores"
load queue-fixed   --targets "$OUT/queue.txt" --rate "$RATE" --connections 16 --header "$DEPT_COOKIE"
load my-fixed      --targets "$OUT/my.txt"    --rate "$RATE" --connections 16 --header "$ENT_COOKIE"
load api-fixed     --targets "$OUT/api.txt"   --rate "$RATE" --connections 16 --header "$DEPT_BEARER"
load queue-max     --targets "$OUT/queue.txt" --connections 16 --header "$DEPT_COOKIE"
load my-max        --targets "$OUT/my.txt"    --connections 16 --header "$ENT_COOKIE"
