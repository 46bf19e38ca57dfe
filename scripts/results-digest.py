#!/usr/bin/env python3
"""Digest of the stored results of evaluation runs, to check that a change
leaves every model's outputs byte-identical (docs/PERFORMANCE.md).

    scripts/results-digest.py DATA_DIR [RUN_ID...]

For each run (default: every run in DATA_DIR/lake/results): its id, as-of
date, number of result rows, the columns, and the SHA-256 over the rows of
every result column but the run id, sorted. Needs pyarrow (pip install pyarrow).
"""
import sys, os, glob, hashlib, json
import pyarrow.parquet as pq
data = sys.argv[1]
res = os.path.join(data, 'lake', 'results')
runs = sys.argv[2:] or sorted(os.path.basename(p)[4:-5] for p in glob.glob(os.path.join(res, 'run-*.json')))
for r in runs:
    man = json.load(open(os.path.join(res, f'run-{r}.json')))
    files = sorted(glob.glob(os.path.join(res, f'run-{r}', '*.parquet')))
    rows = []
    cols = None
    for f in files:
        t = pq.read_table(f)
        names = [n for n in t.column_names if n != 'run']
        cols = names
        d = t.select(names).to_pydict()
        rows.extend(zip(*[d[n] for n in names]))
    rows.sort(key=repr)
    h = hashlib.sha256()
    for row in rows:
        h.update(repr(row).encode()); h.update(b'\n')
    print(r, man.get('as_of'), len(rows), cols, h.hexdigest())
