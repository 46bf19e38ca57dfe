#!/usr/bin/env python3
"""The HTTP client of the crash harness's server kinds (scripts/crash-harness.sh).

    crash-client.py ADDR submit BATCH.json        POST the batch to /api/v1/records
    crash-client.py ADDR file-objections SOURCE N  file N public objections against SOURCE's records
    crash-client.py ADDR decide                    decide every objection still open
    crash-client.py ADDR state                     the objections' status and decision (JSON)

Waits for the server to answer first, logs in as the harness's department
account (crash-dept), exits non-zero on any unexpected answer. Run in the
harness's working directory (it reads base-records.jsonl there).
"""
import json
import sys
import time
import urllib.error
import urllib.request

addr, action = sys.argv[1], sys.argv[2]
base = f"http://{addr}"


def call(method, path, body=None, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, method=method, headers=headers, data=data)
    try:
        with urllib.request.urlopen(req, timeout=300) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


for _ in range(1200):
    try:
        if call("GET", "/api/v1/health")[0] == 200:
            break
    except OSError:
        pass
    time.sleep(0.05)
status, body = call("POST", "/api/v1/session", {"username": "crash-dept", "password": "crash-harness-pw"})
assert status == 200, (status, body)
dept = body["token"]


def objections():
    status, items = call("GET", "/api/v1/workflow-items?kind=objection&limit=500", token=dept)
    assert status == 200, (status, items)
    return items


if action == "submit":
    status, body = call("POST", "/api/v1/records", json.load(open(sys.argv[3])), token=dept)
    assert status == 200, (status, body)
    print(json.dumps(body, ensure_ascii=False)[:300])
elif action == "file-objections":
    source, wanted = sys.argv[3], int(sys.argv[4])
    subjects = []
    for line in open("base-records.jsonl"):
        r = json.loads(line)
        if r["source"] == source and r["subject"] not in subjects:
            subjects.append(r["subject"])
    filed = 0
    for uscc in subjects:
        status, profile = call("GET", f"/api/v1/subjects/{uscc}/public")
        shown = profile.get("records", []) if status == 200 else []
        for r in shown:
            if r["source"] != source or filed >= wanted:
                continue
            body = {"record": {"source": r["source"], "id": r["id"]},
                    "grounds": "error", "statement": "崩溃一致性测试：记录有误"}
            if call("POST", "/api/v1/objections", body)[0] == 201:
                filed += 1
        if filed >= wanted:
            break
    assert filed > 0, "no objection could be filed"
    print(f"filed {filed} objections")
elif action == "decide":
    decided = 0
    for item in objections():
        if item["closed"]:
            continue
        # The same decision for the same record in every trial.
        if sum(item["record"]["id"].encode()) % 2 == 0:
            body = {"decision": "corrected", "reasons": "经核实记录有误，予以撤销", "withdraw_record": True}
        else:
            body = {"decision": "upheld", "reasons": "经核实记录无误，维持原记录"}
        status, answer = call("POST", f"/api/v1/objections/{item['id']}/decision", body, token=dept)
        assert status == 200, (status, answer)
        decided += 1
    print(f"decided {decided} objections")
elif action == "state":
    items = []
    for item in objections():
        d = item["decision"]
        items.append({"record": item["record"], "status": item["status"], "closed": item["closed"],
                      "decision": None if d is None else {"by": d["by"], "reasons": d["reasons"]}})
    items.sort(key=lambda i: (i["record"]["source"], i["record"]["id"]))
    print(json.dumps(items, ensure_ascii=False, sort_keys=True))
else:
    sys.exit(f"unknown action {action}")
