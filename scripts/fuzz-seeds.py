#!/usr/bin/env python3
"""Seed corpora of the fuzz targets (docs/FUZZING.md), from a synthetic city
written by `xinyong gen --with-malformed` and from the project's own files:
the built-in models, the measures and matters catalogues, the holiday
calendar and the API's request bodies.

    scripts/fuzz-seeds.py CITY_DIR CORPUS_DIR

Writes CORPUS_DIR/<target>/<name> files; called by `scripts/fuzz.sh seed`.
"""

import csv
import hashlib
import io
import json
import re
import sys
import tomllib
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
city, out = Path(sys.argv[1]), Path(sys.argv[2])
counts = {}


def seed(target, data, name=None):
    if isinstance(data, str):
        data = data.encode()
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    name = name or hashlib.sha1(data).hexdigest()[:16]
    (d / name).write_bytes(data)
    counts[target] = counts.get(target, 0) + 1


def lines(path):
    return [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


subjects = [json.loads(l) for l in lines(city / "subjects.jsonl")]
records = [json.loads(l) for l in lines(city / "records.jsonl")]
bad_subjects = lines(city / "malformed" / "subjects.jsonl")
bad_records = lines(city / "malformed" / "records.jsonl")

by_kind = {}
for r in records:
    by_kind.setdefault(r["kind"], []).append(r)

# ---- uscc: the city's codes, as typed by people, and malformed ones
for s in subjects[:40]:
    code = s["uscc"]
    seed("uscc", code)
    seed("uscc", " " + code.lower() + "\t")
for l in bad_subjects:
    try:
        v = json.loads(l).get("uscc")
    except (ValueError, AttributeError):
        continue
    if isinstance(v, str):
        seed("uscc", v)
for t in ["", "91210804MA0Y12340", "91210804MA0Y123404X", "９１２１０８０４ＭＡ０Ｙ１２３４０４", "9121-0804"]:
    seed("uscc", t)

# ---- validate_row: one selector byte (even: record, odd: subject), a JSON object
for kind, rs in by_kind.items():
    for r in rs[:3]:
        seed("validate_row", "0" + json.dumps(r, ensure_ascii=False))
for s in subjects[:10]:
    seed("validate_row", "1" + json.dumps(s, ensure_ascii=False))
for l in bad_records[:60]:
    seed("validate_row", "0" + l)
for l in bad_subjects[:30]:
    seed("validate_row", "1" + l)

# ---- import_*: one selector byte (R: records, S: subjects), a file
def jsonl(rows):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return ";".join(str(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def table(rows):
    header = []
    for r in rows:
        for k in r:
            if k not in header:
                header.append(k)
    return header, [[cell(r.get(k)) for k in header] for r in rows]


def to_csv(rows):
    header, body = table(rows)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(body)
    return buf.getvalue()


def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def to_xlsx(rows):
    """A minimal workbook: one sheet, inline strings, numbers as numbers."""
    header, body = table(rows)
    xml_rows = []
    for n, values in enumerate([header] + body, start=1):
        cells = []
        for i, v in enumerate(values):
            ref = f"{col(i)}{n}"
            if n > 1 and re.fullmatch(r"-?\d+(\.\d+)?", v or ""):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            elif v:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(v)}</t></is></c>')
        xml_rows.append(f'<row r="{n}">{"".join(cells)}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData>{"".join(xml_rows)}</sheetData></worksheet>'
    )
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>",
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": sheet,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


seed("import_jsonl", "S" + jsonl(subjects[:8]))
seed("import_jsonl", "R" + jsonl(records[:8]))
seed("import_jsonl", "R" + "\n".join(bad_records[:20]) + "\n")
seed("import_jsonl", "S" + "\n".join(bad_subjects[:20]) + "\n")
seed("import_csv", "S" + to_csv(subjects[:8]))
seed("import_xlsx", b"S" + to_xlsx(subjects[:6]))
for kind, rs in by_kind.items():
    seed("import_jsonl", "R" + jsonl(rs[:3]))
    seed("import_csv", "R" + to_csv(rs[:4]))
    seed("import_xlsx", b"R" + to_xlsx(rs[:3]))
seed("import_csv", 'R"id,kind\n"x,penalty\n')
seed("import_csv", "S\ufeffuscc,name,type\n91210804MA0Y123404,营口测试有限公司,enterprise\n")

# ---- model_file: the built-in models, whole
models = sorted((ROOT / "crates/rules/models").glob("*.toml"))
for m in models:
    seed("model_file", m.read_bytes(), m.stem)

# ---- model_expr: selector 0/1 a condition, 2 an output, 3 a text template
for m in models:
    doc = tomllib.loads(m.read_text(encoding="utf-8"))

    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                if isinstance(x, str) and k == "when":
                    seed("model_expr", "\x00" + x)
                    seed("model_expr", "\x01" + x)
                elif isinstance(x, str) and k == "text":
                    seed("model_expr", "\x03" + x)
                else:
                    walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(doc)
    for section, selector in (("let", "\x00"), ("output", "\x02")):
        for x in doc.get(section, {}).values():
            if isinstance(x, str):
                seed("model_expr", selector + x)

# ---- measures: triggers, catalogues
catalogue = ROOT / "crates/measures/catalogue"
measures_doc = tomllib.loads((catalogue / "measures.toml").read_text(encoding="utf-8"))
matters_doc = tomllib.loads((catalogue / "matters.toml").read_text(encoding="utf-8"))
for m in measures_doc.get("measure", []):
    seed("measures_trigger", m["trigger"])
for r in matters_doc.get("route", {}).values():
    if "eligible" in r:
        seed("measures_trigger", r["eligible"])
seed("measures_catalogue", b"0" + (catalogue / "measures.toml").read_bytes(), "measures")
seed("measures_catalogue", b"1" + (catalogue / "matters.toml").read_bytes(), "matters")

# ---- calendar: the whole file, and one year of it as a file of its own
holidays = (ROOT / "crates/core/data/holidays-cn.toml").read_text(encoding="utf-8")
seed("calendar", holidays, "holidays-cn")
cal = tomllib.loads(holidays)
for year in range(cal["first_year"], cal["last_year"] + 1):
    text = f"first_year = {year}\nlast_year = {year}\n"
    for b in cal["block"]:
        if b["year"] == year:
            text += "\n[[block]]\n"
            text += f"year = {year}\nname_zh = {json.dumps(b['name_zh'], ensure_ascii=False)}\n"
            if "notice" in b:
                text += f"notice = {json.dumps(b['notice'], ensure_ascii=False)}\n"
            text += f"off = {json.dumps(b.get('off', []))}\nwork = {json.dumps(b.get('work', []))}\n"
    seed("calendar", text, f"year-{year}")

# ---- http_bodies: `METHOD PATTERN ROLE PICK` then the body or query; the
# target replaces {own}, {other} and {department} by the city's values.
record = dict(records[0])
record["subject"] = "{own}"
record["source"] = "{department}"
record["id"] = "{department}-FUZZ-0001"
bodies = [
    ("POST /api/v1/session public 0", {"username": "officer", "password": "correct horse battery"}),
    ("POST /api/v1/records department 0", [record]),
    ("POST /api/v1/bank-authorisations enterprise 0", {"bank": "BANK1", "valid_until": "2026-12-30"}),
    ("POST /api/v1/accounts admin 0", {"role": "officer", "username": "officer2", "password": "correct horse battery"}),
    ("POST /api/v1/api-tokens admin 0", {"username": "department", "label": "fuzz"}),
    ("POST /api/v1/objections enterprise 0", {"record": {"source": "{department}", "id": "X"}, "grounds": "error", "statement": "有误"}),
    ("POST /api/v1/objections/{id}/decision department 1", {"decision": "upheld", "reasons": "原记录无误"}),
    ("POST /api/v1/repairs enterprise 0", {"record": {"source": "{department}", "id": "X"}, "evidence": ["credit_commitment"]}),
    ("POST /api/v1/repairs/{id}/decision department 1", {"decision": "approved", "reasons": "已整改"}),
    ("POST /api/v1/commitments enterprise 0", {"subject": "{own}", "commitment_kind": "credit_pledge", "within_months": 12}),
    ("POST /api/v1/commitments/{id}/fulfilment department 1", {"decision": "fulfilled", "reasons": "已履约"}),
    ("POST /api/v1/workflow-checks admin 0", {}),
    ("POST /api/v1/notifications/{id}/acknowledgement bank 1", {}),
    ("POST /api/v1/credit-checks officer 0", {"subject": "{own}", "scenario": "approval"}),
    ("POST /api/v1/credit-checks/batch officer 0", {"subjects": ["{own}", "{other}"], "scenario": "bidding"}),
    ("POST /api/v1/credit-checks/{id}/feedback officer 1", {"applied": [], "outcome": "已办理", "department": "{department}"}),
    ("POST /api/v1/lists/entries department 0", {"list": "other_blacklist", "subject": "{own}", "reason": "fuzz"}),
    ("POST /api/v1/lists/proposals department 0", {"subject": "{own}"}),
    ("POST /api/v1/lists/entries/{id}/steps admin 1", {"action": "approve", "reason": "审核通过"}),
    ("POST /api/v1/inspection/plans admin 0", {"plan_id": "FZ-1", "name": "模糊测试", "items": ["产品质量的检查"], "items_per_task": 1, "inspectors": ["officer"]}),
    ("POST /api/v1/inspection/plans/{plan_id}/publication admin 0", {}),
    ("POST /api/v1/inspection/plans/{plan_id}/draw admin 0", {}),
    ("POST /api/v1/inspection/plans/{plan_id}/tasks/{number}/results officer 0", {"outcome": "compliant", "inspected_on": "2026-06-29"}),
    ("POST /api/v1/xinyidai/applications enterprise 0", {"amount_cny": 500000, "purpose": "流动资金周转"}),
    ("POST /api/v1/xinyidai/recommendation-lists admin 0", {"month": "2026-05"}),
    ("POST /api/v1/xinyidai/loans bank 0", {"uscc": "{own}", "outcome": "refused", "reason": "资料不全"}),
]
for head, body in bodies:
    seed("http_bodies", head + "\n" + json.dumps(body, ensure_ascii=False))
queries = [
    ("GET /api/v1/subjects public 0", "q=营口&limit=5"),
    ("GET /api/v1/subjects/{uscc} officer 0", "purpose=test"),
    ("GET /api/v1/subjects/{uscc}/public public 1", ""),
    ("GET /api/v1/submissions/rejected department 0", "limit=10"),
    ("GET /api/v1/audit/entries auditor 0", "limit=5&action=login"),
    ("GET /api/v1/runs admin 0", "limit=2"),
    ("GET /api/v1/workflow-items enterprise 0", "kind=objection&open=true"),
    ("GET /api/v1/credit-checks auditor 0", "limit=20"),
    ("GET /api/v1/lists/published public 0", "category=blacklist&page=2"),
    ("GET /api/v1/lists/entries department 0", "status=entered"),
    ("GET /api/v1/xinyidai/recommendations bank 0", "month=2026-06"),
    ("GET /api/v1/xinyidai/statistics officer 0", "from=2026-01&to=2026-06"),
    ("GET /api/v1/notifications bank 0", "limit=5"),
    ("DELETE /api/v1/bank-authorisations/{id} enterprise 1", ""),
    ("DELETE /api/v1/tasks/{id} admin 1", ""),
]
for head, q in queries:
    seed("http_bodies", head + "\n" + q)

for t in sorted(counts):
    print(f"  {t}: {counts[t]} seeds")
