#!/usr/bin/env python3
"""Digest of the stored results of evaluation runs, to check that a change
leaves every model's outputs byte-identical (docs/PERFORMANCE.md), or that a
cluster run equals a local one (scripts/bench-cluster.sh).

    scripts/results-digest.py DATA_DIR [RUN_ID...]

For each run (default: every run in DATA_DIR/lake/results): its id, as-of
date, number of result rows, the columns, and a digest of its rows (every
result column but the run id) that does not depend on their order: the sum,
modulo 2^256, of each row's SHA-256. The files are read batch by batch, so
a run of any size fits in memory. Needs pyarrow (pip install pyarrow).
"""
import glob
import hashlib
import json
import os
import sys

import pyarrow.parquet as pq

data = sys.argv[1]
res = os.path.join(data, 'lake', 'results')
runs = sys.argv[2:] or sorted(os.path.basename(p)[4:-5] for p in glob.glob(os.path.join(res, 'run-*.json')))
for r in runs:
    man = json.load(open(os.path.join(res, f'run-{r}.json')))
    files = sorted(glob.glob(os.path.join(res, f'run-{r}', '*.parquet')))
    total, count, cols = 0, 0, None
    for f in files:
        pf = pq.ParquetFile(f)
        names = [n for n in pf.schema_arrow.names if n != 'run']
        cols = names
        for batch in pf.iter_batches(batch_size=65536, columns=names):
            d = batch.to_pydict()
            for row in zip(*[d[n] for n in names]):
                total += int.from_bytes(hashlib.sha256(repr(row).encode()).digest(), 'big')
                count += 1
    print(r, man.get('as_of'), count, cols, format(total % (1 << 256), '064x'))
