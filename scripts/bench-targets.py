#!/usr/bin/env python3
"""Targets and tokens of the server benchmarks (scripts/bench-server.sh,
scripts/soak.sh) for the demo city in OUT served at BASE:

    bench-targets.py OUT BASE [BATCH]

writes into OUT: search.txt, public.txt, full.txt (20,000 distinct subjects
each; searches are 4 of 5 partial names, 1 of 5 USCC prefixes), checks.txt
with checks.jsonl (credit checks over the six scenarios), records.txt with
batch.json (a template batch of BATCH records, default 1,000, of the demo
department's own source: existing subjects, new ids, @@N@@ replaced by the
load generator with the request number), and the session tokens of the
demo's admin, department and officer accounts (admin.token, ...).
"""
import json, random, sys, urllib.parse, urllib.request
out, base = sys.argv[1], sys.argv[2]
batch_size = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
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
# A template batch of BATCH records of the department's own source: existing
# subjects, new ids (@@N@@ is replaced by the request number).
src = acct["bound_to"]
batch = []
for l in open(f"{out}/data/input/records.jsonl"):
    r = json.loads(l)
    if r.get("source") == src:
        r["id"] = f"{src}-BENCH-@@N@@-{len(batch):04d}"
        batch.append(r)
        if len(batch) == batch_size:
            break
open(f"{out}/batch.json", "w").write(json.dumps(batch, ensure_ascii=False) + "\n")
open(f"{out}/records.txt", "w").write("/api/v1/records\n")
