//! Backend-independent planning of one chunk: given the current head of every
//! key the chunk touches, decide per row whether it is unchanged or a new
//! version, assign sequence numbers and versions, and collect supersessions,
//! statistics and counters. Both backends write exactly what this plans.

use xinyong_core::catalog::RecordKind;
use xinyong_core::record::{ValidRecord, ValidSubject};

use crate::ChunkWrite;
use crate::model::{BatchCounts, WriteOutcome, WriteStatus};

/// The current version of a key as stored before the chunk.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Head {
    pub seq: i64,
    pub version: i32,
    pub hash: i64,
    /// Kind of the version (records only).
    pub kind: Option<RecordKind>,
}

/// The distinct keys of a chunk's rows, in first-appearance order, and the
/// slot of every row. Lookups ask the database for the head of each slot.
pub(crate) struct Slots<'a> {
    /// `(source, id)` of records; `(uscc, "")` of subjects.
    pub keys: Vec<(&'a str, &'a str)>,
    pub slot_of: Vec<usize>,
}

impl<'a> Slots<'a> {
    fn build(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Slots<'a> {
        let mut index: xinyong_core::json::FastMap<(&'a str, &'a str), usize> = Default::default();
        let mut keys = Vec::new();
        let mut slot_of = Vec::new();
        for key in pairs {
            let slot = *index.entry(key).or_insert_with(|| {
                keys.push(key);
                keys.len() - 1
            });
            slot_of.push(slot);
        }
        Slots { keys, slot_of }
    }

    pub fn records(records: &'a [ValidRecord]) -> Slots<'a> {
        Slots::build(records.iter().map(|r| (r.source.as_str(), r.id.as_str())))
    }

    pub fn subjects(subjects: &'a [ValidSubject]) -> Slots<'a> {
        Slots::build(subjects.iter().map(|s| (s.uscc.as_str(), "")))
    }
}

/// A version to insert: row `input` of the chunk's slice, with its numbers
/// and the head it supersedes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewVersion {
    pub input: usize,
    pub seq: i64,
    pub version: i32,
    pub old: Option<Head>,
}

/// What to write for one table (subjects or records) of a chunk.
#[derive(Debug, Default)]
pub(crate) struct TablePlan {
    pub outcomes: Vec<WriteOutcome>,
    pub new: Vec<NewVersion>,
}

impl TablePlan {
    /// `(old_seq, new_seq)` of every supersession, in seq order.
    pub fn supersessions(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.new
            .iter()
            .filter_map(|n| n.old.map(|old| (old.seq, n.seq)))
    }
}

/// Plan one table. `rows` yields `(hash, kind)` per input row; `heads[slot]`
/// is the head stored before the chunk. A key seen twice in the chunk is
/// compared with its previous occurrence.
fn plan_table(
    rows: impl Iterator<Item = (i64, Option<RecordKind>)>,
    slot_of: &[usize],
    mut heads: Vec<Option<Head>>,
    first_seq: i64,
) -> TablePlan {
    let mut plan = TablePlan::default();
    let mut next_seq = first_seq;
    for (input, (hash, kind)) in rows.enumerate() {
        let slot = slot_of[input];
        let old = heads[slot];
        if let Some(h) = old
            && h.hash == hash
        {
            plan.outcomes.push(WriteOutcome {
                status: WriteStatus::Unchanged,
                seq: h.seq,
                version: h.version,
                superseded_seq: None,
            });
            continue;
        }
        let seq = next_seq;
        next_seq += 1;
        let version = old.map_or(1, |h| h.version + 1);
        plan.new.push(NewVersion {
            input,
            seq,
            version,
            old,
        });
        plan.outcomes.push(WriteOutcome {
            status: if old.is_some() {
                WriteStatus::NewVersion
            } else {
                WriteStatus::Inserted
            },
            seq,
            version,
            superseded_seq: old.map(|h| h.seq),
        });
        heads[slot] = Some(Head {
            seq,
            version,
            hash,
            kind,
        });
    }
    plan
}

/// Per `(source, kind)`: versions received and change of the number of
/// current records.
pub(crate) type StatDeltas<'a> = Vec<(&'a str, RecordKind, i64, i64)>;

/// The whole plan of a chunk.
pub(crate) struct ChunkPlan<'a> {
    pub subjects: TablePlan,
    pub records: TablePlan,
    pub stats: StatDeltas<'a>,
    pub counts: BatchCounts,
}

pub(crate) fn plan_chunk<'a>(
    chunk: &ChunkWrite<'a>,
    subject_slots: &Slots<'a>,
    subject_heads: Vec<Option<Head>>,
    first_subject_seq: i64,
    record_slots: &Slots<'a>,
    record_heads: Vec<Option<Head>>,
    first_record_seq: i64,
) -> ChunkPlan<'a> {
    let subjects = plan_table(
        chunk.subjects.iter().map(|s| (s.hash, None)),
        &subject_slots.slot_of,
        subject_heads,
        first_subject_seq,
    );
    let records = plan_table(
        chunk.records.iter().map(|r| (r.hash, Some(r.kind))),
        &record_slots.slot_of,
        record_heads,
        first_record_seq,
    );

    let mut deltas: xinyong_core::json::FastMap<(&'a str, RecordKind), (i64, i64)> =
        Default::default();
    for nv in &records.new {
        let r: &'a ValidRecord = &chunk.records[nv.input];
        let e = deltas.entry((r.source.as_str(), r.kind)).or_default();
        e.0 += 1;
        e.1 += 1;
        if let Some(old_kind) = nv.old.and_then(|h| h.kind) {
            deltas.entry((r.source.as_str(), old_kind)).or_default().1 -= 1;
        }
    }
    let mut stats: StatDeltas<'a> = deltas
        .into_iter()
        .map(|((s, k), (rcv, d))| (s, k, rcv, d))
        .collect();
    stats.sort_by_key(|a| (a.0, a.1));

    let mut counts = BatchCounts {
        rejected: chunk.rejected.len() as u64,
        ..BatchCounts::default()
    };
    let statuses = subjects
        .outcomes
        .iter()
        .zip(chunk.subjects.iter().map(|s| !s.warnings.is_empty()))
        .chain(
            records
                .outcomes
                .iter()
                .zip(chunk.records.iter().map(|r| !r.warnings.is_empty())),
        );
    for (outcome, warned) in statuses {
        match outcome.status {
            WriteStatus::Unchanged => counts.unchanged += 1,
            WriteStatus::Inserted | WriteStatus::NewVersion => counts.accepted += 1,
        }
        if warned {
            counts.warnings += 1;
        }
    }

    ChunkPlan {
        subjects,
        records,
        stats,
        counts,
    }
}
