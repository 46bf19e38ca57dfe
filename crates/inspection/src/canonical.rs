//! The canonical serialisations of the published lists and of a draw's
//! result, and their SHA-256 digests (`docs/INSPECTION-DRAW.md` §2).
//!
//! Every list is UTF-8 text, one line per entry, fields separated by one
//! tab (0x09), every line ended by one line feed (0x0A), no header, in the
//! list's canonical order. No field holds a control character, so the tab
//! is the smallest byte of a line and the byte order of the lines is the
//! lexicographic order of their fields.

use sha2::{Digest, Sha256};

use crate::draw::{Assignment, Task};
use crate::model::{Inspector, PlanInputs, PoolEntry, Recusal};

/// Where canonical bytes go: a buffer, or a hash.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// SHA-256 fed in 64 KiB chunks (far fewer calls than one per field).
pub(crate) struct HashSink {
    hasher: Sha256,
    buf: Vec<u8>,
}

const CHUNK: usize = 64 * 1024;

impl HashSink {
    pub(crate) fn new() -> HashSink {
        HashSink {
            hasher: Sha256::new(),
            buf: Vec::with_capacity(CHUNK + 256),
        }
    }

    /// The lowercase hex digest.
    pub(crate) fn finish(mut self) -> String {
        self.hasher.update(&self.buf);
        hex::encode(self.hasher.finalize())
    }
}

impl Sink for HashSink {
    fn put(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= CHUNK {
            self.hasher.update(&self.buf);
            self.buf.clear();
        }
    }
}

fn flag(b: bool) -> u8 {
    if b { b'1' } else { b'0' }
}

/// Pool line: `uscc \t class \t bsbc \t complaint \n`, flags `0`/`1`.
pub(crate) fn pool_line(e: &PoolEntry, out: &mut impl Sink) {
    let mut line = [0u8; 18 + 7];
    let code = e.uscc.as_str().as_bytes();
    // A Uscc is 18 ASCII characters by construction.
    line[..code.len()].copy_from_slice(code);
    let n = code.len();
    line[n] = b'\t';
    line[n + 1] = e.class.letter() as u8;
    line[n + 2] = b'\t';
    line[n + 3] = flag(e.no_inspection_without_complaint);
    line[n + 4] = b'\t';
    line[n + 5] = flag(e.complaint);
    line[n + 6] = b'\n';
    out.put(&line[..n + 7]);
}

pub(crate) fn write_pool(pool: &[PoolEntry], out: &mut impl Sink) {
    for e in pool {
        pool_line(e, out);
    }
}

pub(crate) fn write_roster(roster: &[Inspector], out: &mut impl Sink) {
    for i in roster {
        out.put(i.id.as_bytes());
        out.put(b"\t");
        out.put(i.department.as_bytes());
        out.put(b"\n");
    }
}

pub(crate) fn write_recusals(recusals: &[Recusal], out: &mut impl Sink) {
    for r in recusals {
        out.put(r.inspector.as_bytes());
        out.put(b"\t");
        out.put(r.uscc.as_str().as_bytes());
        out.put(b"\t");
        out.put(r.reason.as_str().as_bytes());
        out.put(b"\n");
    }
}

pub(crate) fn write_items(items: &[String], out: &mut impl Sink) {
    for it in items {
        out.put(it.as_bytes());
        out.put(b"\n");
    }
}

/// Task line: `uscc \t class \t basis \t inspector_1 \t inspector_2
/// (\t item)* \n`; both inspector fields empty when unassignable.
pub(crate) fn write_tasks(tasks: &[Task], out: &mut impl Sink) {
    for t in tasks {
        out.put(t.uscc.as_str().as_bytes());
        out.put(b"\t");
        out.put(&[t.class.letter() as u8]);
        out.put(b"\t");
        out.put(t.basis.as_str().as_bytes());
        match &t.assignment {
            Assignment::Assigned { inspectors } => {
                for i in inspectors {
                    out.put(b"\t");
                    out.put(i.as_bytes());
                }
            }
            Assignment::Unassignable { .. } => out.put(b"\t\t"),
        }
        for it in &t.items {
            out.put(b"\t");
            out.put(it.as_bytes());
        }
        out.put(b"\n");
    }
}

fn to_vec(write: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut v = Vec::new();
    write(&mut v);
    v
}

/// The canonical bytes of the pool (检查对象名录): one line
/// `uscc\tclass\tbsbc\tcomplaint\n` per subject, sorted by USCC; `class`
/// is `A`–`D`, `bsbc` (不诉不查) and `complaint` are `0` or `1`.
pub fn canonical_pool(plan: &PlanInputs) -> Vec<u8> {
    to_vec(|v| write_pool(plan.pool(), v))
}

/// The canonical bytes of the roster (执法检查人员名录): one line
/// `inspector_id\tdepartment\n` per inspector, sorted by id.
pub fn canonical_roster(plan: &PlanInputs) -> Vec<u8> {
    to_vec(|v| write_roster(plan.roster(), v))
}

/// The canonical bytes of the recusals (回避名单): one line
/// `inspector_id\tuscc\treason\n` per pair, `reason` `linked` or
/// `last-inspected`, sorted, without duplicates.
pub fn canonical_recusals(plan: &PlanInputs) -> Vec<u8> {
    to_vec(|v| write_recusals(plan.recusals(), v))
}

/// The canonical bytes of the matter list (抽查事项清单): one item per
/// line, sorted by UTF-8 bytes.
pub fn canonical_items(plan: &PlanInputs) -> Vec<u8> {
    to_vec(|v| write_items(plan.items(), v))
}

/// Lowercase hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The commitment to a seed: lowercase hex SHA-256 of its bytes.
pub fn commit_seed(seed: &[u8]) -> String {
    sha256_hex(seed)
}

pub(crate) fn digest_with(write: impl FnOnce(&mut HashSink)) -> String {
    let mut sink = HashSink::new();
    write(&mut sink);
    sink.finish()
}
