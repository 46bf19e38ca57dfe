#!/usr/bin/env bash
# Page, report, dashboard, briefing and draw benchmarks (issues 12, 14, 15;
# figures in docs/PERFORMANCE.md). Not timed tests: run by hand.
#
#   scripts/bench-pages.sh [SUBJECTS] [--reuse DIR] [--duration S] [--runs N] [--reports N] [--settle S]
#
# Builds the demo city of SUBJECTS subjects (default 1,400,000; `xinyong demo
# --no-serve`) or reuses one (`--reuse DIR`, e.g. the directory of
# scripts/bench-server.sh), evaluates it again as of earlier month ends until
# the store holds N full runs (default 12; `xinyong evaluate-all --as-of`),
# serves it and measures, from the same machine:
#   1. every page of every role (public portal, enterprise space, department,
#      officer, bank, admin and auditor consoles), each alone under 16
#      concurrent users for S seconds (default 15) with the project's load
#      generator (crates/http/examples/loadgen.rs): p50 / p99 and pages/s.
#      Goal (issue 12): p99 < 50 ms.
#   2. the credit report: N reports (default 100) issued one after another
#      (`POST /api/v1/subjects/{uscc}/reports`: the PDF typeset, hashed and
#      stored), p50 / p99. Goal (issue 12): < 500 ms.
#   3. the dashboard over the stored runs (`GET /admin/dashboard`), once the
#      server has computed in the background what it reads (the runs'
#      statistics, kept on disk, and the receipts; --settle S, default 90 s,
#      after the start): the first request and 12 more. Goal (issue 15): < 1 s.
#   4. a month's briefing (`POST /admin/briefings`: tables, PDF, XLSX,
#      archived). Goal (issue 15): < 10 s.
#   5. an inspection plan over the whole city's pool (`POST
#      /api/v1/inspection/plans`, publication, draw), each step timed.
#      Goal (issue 14): the draw < 2 s.
set -euo pipefail
cd "$(dirname "$0")/.."

SUBJECTS=1400000
DURATION=15
RUNS=12
REPORTS=100
REUSE=""
SETTLE=90
while [ $# -gt 0 ]; do
  case "$1" in
    --settle) SETTLE="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --reports) REPORTS="$2"; shift 2 ;;
    --reuse) REUSE="$2"; shift 2 ;;
    *) SUBJECTS="$1"; shift ;;
  esac
done

. scripts/bench-common.sh
bench_build
OUT="${REUSE:-${TMPDIR:-/tmp}/xinyong-bench-pages}"
DATA="$OUT/data"
bench_city "$OUT" "$SUBJECTS" "$REUSE"

# Runs as of earlier month ends until the lake holds RUNS run manifests.
have="$(find "$DATA" -path '*/results/run-*.json' | wc -l)"
month_end() { date -u -d "$(date -u +%Y-%m-01) -$1 month +1 month -1 day" +%F; }
back=1
while [ "$have" -lt "$RUNS" ]; do
  day="$(month_end "$back")"
  /usr/bin/time -f "evaluate-all as of $day: %e s" \
    "$BIN" evaluate-all --data-dir "$DATA" --as-of "$day" > /dev/null
  have=$((have + 1)); back=$((back + 1))
done

bench_serve "$OUT/pages-server.log"
sleep "$SETTLE"

echo "page benchmark: $SUBJECTS subjects, $(nproc) cores, $have stored runs"

# Sessions, the cold and warm dashboard, the briefing, the draw, the reports,
# and the page targets (one file per page, with the role's session cookie).
python3 - "$OUT" "http://$ADDR" "$REPORTS" <<'PY'
import json, random, re, statistics, sys, time, urllib.error, urllib.parse, urllib.request
out, base, reports = sys.argv[1], sys.argv[2], int(sys.argv[3])
demo = json.load(open(f"{out}/demo.json"))

def call(method, path, body=None, token=None, form=None, cookie=None):
    headers = {}
    data = None
    if body is not None:
        data = json.dumps(body).encode(); headers["content-type"] = "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["content-type"] = "application/x-www-form-urlencoded"
    if token:
        headers["authorization"] = f"Bearer {token}"
    if cookie:
        headers["cookie"] = f"xinyong_session={cookie}"
    req = urllib.request.Request(base + path, method=method, data=data, headers=headers)
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            raw, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    return status, raw, (time.perf_counter() - t0) * 1000

def session(role):
    a = next(a for a in demo["accounts"] if a["role"] == role)
    s, raw, _ = call("POST", "/api/v1/session", {"username": a["username"], "password": a["password"]})
    assert s == 200, raw
    return json.loads(raw)["token"], a

tokens = {}
for role in ["admin", "auditor", "officer", "department", "bank", "enterprise"]:
    tokens[role], acct = session(role)
    open(f"{out}/{role}.token", "w").write(tokens[role])
    if role == "enterprise":
        own = acct["bound_to"]
admin = tokens["admin"]

def ms(xs):
    xs = sorted(xs)
    return f"p50 {statistics.median(xs):.0f} ms, p99 {xs[min(len(xs) - 1, int(len(xs) * 0.99))]:.0f} ms, max {xs[-1]:.0f} ms"

def section(name, run):
    """One measurement; a failure is reported and the others still run."""
    try:
        run()
    except Exception as e:  # noqa: BLE001 - reported, not hidden
        print(f"{name}: FAILED: {str(e)[:300]}")

# 3. The dashboard: the first request after the server started, then 12 more.
def dashboard():
    s, raw, cold = call("GET", "/admin/dashboard", cookie=admin)
    assert s == 200, (s, raw[:300])
    warm = []
    for _ in range(12):
        s, raw, t = call("GET", "/admin/dashboard", cookie=admin)
        assert s == 200, s
        warm.append(t)
    print(f"dashboard: first {cold:.0f} ms; then {ms(warm)} (12 requests)")

# 4. The briefing of the last full month.
def briefing():
    s, raw, _ = call("GET", "/admin/briefings", cookie=admin)
    csrf = re.search(rb'name="csrf" value="([^"]+)"', raw).group(1).decode()
    today = time.gmtime()
    y, m = (today.tm_year, today.tm_mon - 1) if today.tm_mon > 1 else (today.tm_year - 1, 12)
    s, raw, t = call("POST", "/admin/briefings", cookie=admin,
                     form={"csrf": csrf, "period": f"{y:04d}-{m:02d}", "highlights": "", "ranking": "", "news": ""})
    assert s == 200, (s, raw[:500])
    print(f"briefing {y:04d}-{m:02d} issued (tables, PDF, XLSX, archived): {t:.0f} ms")

# 5. An inspection plan over the whole city's pool; its roster: 40 officer
# accounts (created once per city).
def inspection():
    inspectors = [f"bench-insp-{i:03d}" for i in range(1, 41)]
    for name in inspectors:
        s, raw, _ = call("POST", "/api/v1/accounts", {"role": "officer", "username": name,
                         "password": "bench-inspector-passphrase"}, token=admin)
        assert s in (201, 409), (s, raw[:300])
    plan_id = f"BENCH-{int(time.time())}"
    plan = {"plan_id": plan_id, "name": "全市双随机抽查（基准）",
            "items": [f"检查事项{i:02d}" for i in range(1, 61)],
            "inspectors": inspectors, "items_per_task": 3}
    s, raw, t_create = call("POST", "/api/v1/inspection/plans", plan, token=admin)
    assert s == 201, (s, t_create, raw[:300])
    pool = json.loads(raw)["screening"]["pool"]
    s, raw, t_pub = call("POST", f"/api/v1/inspection/plans/{plan_id}/publication", {}, token=admin)
    assert s == 200, raw[:300]
    s, raw, t_draw = call("POST", f"/api/v1/inspection/plans/{plan_id}/draw", {}, token=admin)
    assert s == 200, raw[:300]
    tasks = len(json.loads(raw)["draw"]["tasks"])
    print(f"inspection plan over the whole pool ({pool:,} subjects, 40 inspectors, 60 items): "
          f"created {t_create:.0f} ms, published {t_pub:.0f} ms, drawn {t_draw:.0f} ms ({tasks:,} tasks, stored)")

# 2. Credit reports of REPORTS subjects.
random.seed(3)
subjects = []
with open(f"{out}/data/input/subjects.jsonl") as f:
    for i, l in enumerate(f):
        if i % 97 == 0:
            subjects.append(json.loads(l)["uscc"])
pick = random.sample(subjects, min(2000, len(subjects)))
def credit_reports():
    times = []
    for u in pick[:reports]:
        s, raw, t = call("POST", f"/api/v1/subjects/{u}/reports", {}, token=admin)
        assert s == 201, (u, s, raw[:300])
        times.append(t)
    print(f"credit report (PDF typeset, hashed, stored), {len(times)} subjects: {ms(times)}")

for name, run in [("dashboard", dashboard), ("briefing", briefing), ("inspection plan", inspection),
                  ("credit report", credit_reports)]:
    section(name, run)

# 1. Page targets.
def write(name, paths):
    open(f"{out}/page-{name}.txt", "w").write("".join(p + "\n" for p in paths))
names = []
with open(f"{out}/data/input/subjects.jsonl") as f:
    for i, l in enumerate(f):
        if i % 211 == 0:
            names.append(json.loads(l)["name"])
random.shuffle(names)
write("public-home", ["/"])
write("public-search", ["/search?q=" + urllib.parse.quote(n[2:2 + random.randint(2, 5)]) for n in names[:2000]])
write("public-subject", [f"/subjects/{u}" for u in pick])
write("public-lists", ["/lists"])
write("public-disclosure", ["/about/disclosure"])
write("public-inspection", ["/inspection"])
write("enterprise-space", ["/my"])
write("enterprise-improve", ["/my/improve"])
write("enterprise-cases", ["/my/cases"])
write("enterprise-financing", ["/my/financing"])
write("officer-subject-full", [f"/subjects/{u}/full" for u in pick])
write("officer-checks", ["/checks"])
write("officer-checks-log", ["/checks/log"])
write("officer-tasks", ["/inspection/tasks"])
write("department-home", ["/dept"])
write("department-queue", ["/queue"])
write("department-upload", ["/dept/upload"])
write("bank-home", ["/bank"])
write("admin-home", ["/admin"])
write("admin-accounts", ["/admin/accounts"])
write("admin-models", ["/admin/models"])
write("admin-runs", ["/admin/runs"])
write("admin-dashboard", ["/admin/dashboard"])
write("admin-briefings", ["/admin/briefings"])
write("admin-workflows", ["/admin/workflows"])
write("admin-xinyidai", ["/admin/xinyidai"])
write("admin-lists", ["/lists/manage"])
write("auditor-audit", ["/admin/audit"])
PY

printf '%-24s %9s %9s %9s %9s %7s\n' page pages/s p50_ms p99_ms max_ms errors
for f in "$OUT"/page-*.txt; do
  name="$(basename "$f" .txt)"; name="${name#page-}"
  role="${name%%-*}"
  header=()
  [ "$role" != public ] && header=(--header "cookie: xinyong_session=$(cat "$OUT/$role.token")")
  "$LOAD" --addr "$ADDR" --duration "$DURATION" --connections 16 --targets "$f" "${header[@]}" > "$OUT/load-$name.json"
  python3 - "$OUT/load-$name.json" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); l = r["latency_ms"]
print(f"{sys.argv[2]:<24} {r['requests'] / r['seconds']:9.0f} {l['p50']:9.1f} {l['p99']:9.1f} {l['max']:9.1f} {r['errors']:7d}")
PY
done
