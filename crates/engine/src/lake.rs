//! The lake: a columnar mirror of the store's record and subject versions,
//! as immutable Parquet segments under `<data_dir>/lake/`.
//!
//! Segments are written by the importer as chunks commit ([`MirrorObserver`]),
//! and any version the mirror lacks (a killed import, a writer without an
//! observer, a second process) is exported from the store by [`Lake::sync`]
//! before an evaluation. A segment only ever claims sequence numbers it holds:
//! when the observed sequence jumps (another writer interleaved), the
//! observer closes the segment and starts a new one, and `sync` fills the gap.
//!
//! A record segment is a directory with one file per record kind, holding
//! only that kind's columns ([`KindSegmentWriter`]); a subject segment is one
//! file. Rows are written a flush at a time, each flush ordered by subject
//! (then sequence number): a full evaluation goes through the subjects in
//! USCC order and then reads each file's columns nearly front to back.
//! Segments of the earlier layout (one file of every kind's columns) are
//! replaced by `sync`, which exports their versions again from the store.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use arrow::array::{Array, AsArray};
use arrow::datatypes::Int64Type;
use arrow::record_batch::RecordBatch;
use xinyong_columnar::{
    KindSegmentWriter, Segment, SegmentWriter, TableBuilder, is_writing, list_segments,
    subject_schema,
};
use xinyong_core::catalog::RecordKind;
use xinyong_import::{CommittedChunk, ImportObserver};
use xinyong_store::{Store, WriteOutcome, WriteStatus};

use crate::EngineError;

/// Rows per Arrow batch written to a segment.
const FLUSH_ROWS: usize = 64 * 1024;
/// Versions fetched per page when catching up from the store.
const PAGE: u32 = 100_000;

/// The lake of one data directory.
#[derive(Debug, Clone)]
pub struct Lake {
    root: PathBuf,
}

/// What a sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    pub records_exported: u64,
    pub subjects_exported: u64,
}

#[derive(Clone, Copy)]
enum Which {
    Records,
    Subjects,
}

impl Which {
    /// Whether a segment of this table is in the current layout: records by
    /// kind (a directory), subjects in one file.
    fn current(self, s: &Segment) -> bool {
        s.by_kind == matches!(self, Which::Records)
    }
}

impl Lake {
    pub fn open(data_dir: &Path) -> Lake {
        Lake {
            root: data_dir.join("lake"),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn records_dir(&self) -> PathBuf {
        self.root.join("records")
    }

    pub fn subjects_dir(&self) -> PathBuf {
        self.root.join("subjects")
    }

    pub fn results_dir(&self) -> PathBuf {
        self.root.join("results")
    }

    /// The record segments (directories of one file per kind).
    pub fn record_segments(&self) -> Result<Vec<Segment>, EngineError> {
        Ok(list_segments(&self.records_dir())?
            .into_iter()
            .filter(|s| Which::Records.current(s))
            .collect())
    }

    pub fn subject_segments(&self) -> Result<Vec<Segment>, EngineError> {
        Ok(list_segments(&self.subjects_dir())?)
    }

    /// Remove what writers that died left in the lake: half-written
    /// segments (see `remove_old_tmp`) and result-run folders without a
    /// manifest (see [`crate::results::remove_unfinished_runs`]). Neither is
    /// ever data; live writers' files are left alone. Returns how many
    /// files and folders were removed.
    pub fn remove_leftovers(&self) -> usize {
        remove_old_tmp(&self.records_dir())
            + remove_old_tmp(&self.subjects_dir())
            + crate::results::remove_unfinished_runs(&self.results_dir())
    }

    /// Export from the store every version no segment holds.
    pub async fn sync(&self, store: &Store) -> Result<SyncReport, EngineError> {
        let (max_rec, max_subj) = store.max_seqs().await?;
        let records_exported = self.fill(store, Which::Records, max_rec).await?;
        let subjects_exported = self.fill(store, Which::Subjects, max_subj).await?;
        self.remove_leftovers();
        Ok(SyncReport {
            records_exported,
            subjects_exported,
        })
    }

    async fn fill(&self, store: &Store, which: Which, max: i64) -> Result<u64, EngineError> {
        let dir = match which {
            Which::Records => self.records_dir(),
            Which::Subjects => self.subjects_dir(),
        };
        // Record segments of the earlier layout are exported again, then removed.
        let (segments, legacy): (Vec<Segment>, Vec<Segment>) = list_segments(&dir)?
            .into_iter()
            .partition(|s| which.current(s));
        let mut exported = 0;
        for (from, to) in gaps(&segments, max) {
            let mut writer = SegWriter::create(&dir, which)?;
            let mut builder = Rows::new(which);
            let mut after = from - 1;
            let mut range: Option<(i64, i64)> = None;
            while after < to {
                let page: Vec<(i64, i32, serde_json::Map<String, serde_json::Value>)> = match which
                {
                    Which::Records => store
                        .record_versions_after(after, PAGE)
                        .await?
                        .into_iter()
                        .map(|r| (r.seq, r.version, r.body))
                        .collect(),
                    Which::Subjects => store
                        .subject_versions_after(after, PAGE)
                        .await?
                        .into_iter()
                        .map(|s| (s.seq, s.version, s.body))
                        .collect(),
                };
                if page.is_empty() {
                    break;
                }
                for (seq, version, body) in page {
                    if seq > to {
                        after = to;
                        break;
                    }
                    builder.push(seq, version, &body)?;
                    range = Some((range.map_or(seq, |r| r.0), seq));
                    after = seq;
                    exported += 1;
                    if builder.len() >= FLUSH_ROWS {
                        let (a, b) = range.unwrap_or((seq, seq));
                        builder.write_to(&mut writer, a, b)?;
                        range = None;
                    }
                }
            }
            if let Some((a, b)) = range
                && !builder.is_empty()
            {
                builder.write_to(&mut writer, a, b)?;
            }
            writer.finish()?;
        }
        for old in legacy {
            let removed = if old.by_kind {
                std::fs::remove_dir_all(&old.path)
            } else {
                std::fs::remove_file(&old.path)
            };
            removed.map_err(|e| EngineError::io(&old.path, e))?;
        }
        Ok(exported)
    }

    /// An observer that mirrors the chunks an import commits.
    pub fn observer(&self) -> Result<MirrorObserver, EngineError> {
        MirrorObserver::start(self.clone())
    }
}

/// Ranges `[from, to]` of sequence numbers up to `max` that no segment holds.
/// The sequence-number ranges up to `max` that no segment (in order) holds.
pub fn gaps(segments: &[Segment], max: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut next = 1;
    for s in segments {
        if s.first_seq > next {
            out.push((next, (s.first_seq - 1).min(max)));
        }
        next = next.max(s.last_seq + 1);
    }
    if next <= max {
        out.push((next, max));
    }
    out.retain(|(a, b)| a <= b);
    out
}

/// Versions on their way into a segment: records built per kind with their
/// kind's columns only, subjects as they are; written a flush at a time,
/// each batch ordered by subject, then sequence number.
struct Rows {
    which: Which,
    kinds: Vec<Option<TableBuilder>>,
    subjects: TableBuilder,
    rows: usize,
}

impl Rows {
    fn new(which: Which) -> Rows {
        Rows {
            which,
            kinds: RecordKind::ALL.iter().map(|_| None).collect(),
            subjects: TableBuilder::subjects(match which {
                Which::Subjects => FLUSH_ROWS,
                Which::Records => 0,
            }),
            rows: 0,
        }
    }

    fn len(&self) -> usize {
        self.rows
    }

    fn is_empty(&self) -> bool {
        self.rows == 0
    }

    fn push(
        &mut self,
        seq: i64,
        version: i32,
        body: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), EngineError> {
        match self.which {
            Which::Subjects => self.subjects.push_subject(seq, version, body),
            Which::Records => {
                let kind = body
                    .get("kind")
                    .and_then(|k| k.as_str())
                    .and_then(RecordKind::parse)
                    .ok_or_else(|| {
                        EngineError::Other(format!("record version {seq} has no known kind"))
                    })?;
                self.kinds[kind.index()]
                    .get_or_insert_with(|| TableBuilder::records_of(kind, 4096))
                    .push_record(seq, version, body);
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Write the rows (versions `first..=last`) to `writer`, ordered.
    fn write_to(
        &mut self,
        writer: &mut SegWriter,
        first: i64,
        last: i64,
    ) -> Result<(), EngineError> {
        match writer {
            SegWriter::Subjects(w) => {
                let batch = by_subject(self.subjects.finish()?, "uscc")?;
                w.write(&batch, first, last)?;
            }
            SegWriter::Records(w) => {
                for (k, builder) in self.kinds.iter_mut().enumerate() {
                    if let Some(b) = builder.as_mut().filter(|b| !b.is_empty()) {
                        w.write(RecordKind::ALL[k], &by_subject(b.finish()?, "subject")?)?;
                    }
                }
                w.cover(first, last);
            }
        }
        self.rows = 0;
        Ok(())
    }
}

/// `batch` ordered by its USCC column `code`, then by sequence number.
fn by_subject(batch: RecordBatch, code: &str) -> Result<RecordBatch, EngineError> {
    let (Some(codes), Some(seqs)) = (
        batch
            .column_by_name(code)
            .and_then(|c| c.as_string_opt::<i32>()),
        batch
            .column_by_name("seq")
            .and_then(|c| c.as_primitive_opt::<Int64Type>()),
    ) else {
        return Err(EngineError::Other(format!(
            "segment rows without `{code}` and `seq`"
        )));
    };
    let key = |i: usize| {
        (
            (!codes.is_null(i)).then(|| codes.value(i)),
            (!seqs.is_null(i)).then(|| seqs.value(i)),
        )
    };
    let n = batch.num_rows();
    if (1..n).all(|i| key(i - 1) <= key(i)) {
        return Ok(batch);
    }
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_unstable_by(|&a, &b| key(a as usize).cmp(&key(b as usize)));
    Ok(arrow::compute::take_record_batch(
        &batch,
        &arrow::array::UInt32Array::from(order),
    )?)
}

/// The writer of one segment.
enum SegWriter {
    Records(KindSegmentWriter),
    Subjects(Box<SegmentWriter>),
}

impl SegWriter {
    fn create(dir: &Path, which: Which) -> Result<SegWriter, EngineError> {
        Ok(match which {
            Which::Records => SegWriter::Records(KindSegmentWriter::create(dir)?),
            Which::Subjects => SegWriter::Subjects(Box::new(SegmentWriter::create(
                dir,
                subject_schema().schema.clone(),
            )?)),
        })
    }

    fn finish(self) -> Result<Option<Segment>, EngineError> {
        Ok(match self {
            SegWriter::Records(w) => w.finish()?,
            SegWriter::Subjects(w) => w.finish()?,
        })
    }
}

/// Remove the segments left half-written by writers that died: the
/// `seg-writing-<pid>-<n>.parquet.tmp` files and `seg-writing-….tmp`
/// directories whose process no longer runs on this host (or, where that
/// cannot be told, that were last written more than six hours ago). Such a
/// file is never data: a segment is complete only once renamed to its
/// `seg-<first>-<last>` name, every version it was meant to hold is in the
/// store (the system of record), and [`Lake::sync`] exports whatever no
/// segment holds. The files of live writers are left alone. Returns how many
/// were removed.
fn remove_old_tmp(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let cutoff = SystemTime::now() - Duration::from_secs(6 * 3600);
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !is_writing(&name) {
            continue;
        }
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < cutoff);
        let dead = writer_pid(&name).and_then(xinyong_store::process::pid_alive) == Some(false);
        if dead || old {
            let path = e.path();
            let gone = if path.is_dir() {
                std::fs::remove_dir_all(path)
            } else {
                std::fs::remove_file(path)
            };
            removed += usize::from(gone.is_ok());
        }
    }
    removed
}

/// The process id in a temporary segment name `seg-writing-<pid>-<n>…`.
fn writer_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix("seg-writing-")?;
    rest.split('-').next()?.parse().ok()
}

/// One table's mirror state, on the mirror thread.
struct Mirror {
    dir: PathBuf,
    which: Which,
    rows: Rows,
    /// Sequence range of the rows in `rows`.
    pending: Option<(i64, i64)>,
    /// Last sequence number written to the current segment.
    last: Option<i64>,
    writer: Option<SegWriter>,
    segments: Vec<Segment>,
}

impl Mirror {
    fn new(dir: PathBuf, which: Which) -> Mirror {
        Mirror {
            dir,
            which,
            rows: Rows::new(which),
            pending: None,
            last: None,
            writer: None,
            segments: Vec::new(),
        }
    }

    fn flush(&mut self) -> Result<(), EngineError> {
        if let Some((a, b)) = self.pending.take() {
            if self.writer.is_none() {
                self.writer = Some(SegWriter::create(&self.dir, self.which)?);
            }
            if let Some(w) = self.writer.as_mut() {
                self.rows.write_to(w, a, b)?;
            }
            self.last = Some(b);
        }
        Ok(())
    }

    fn close_segment(&mut self) -> Result<(), EngineError> {
        self.flush()?;
        if let Some(seg) = self
            .writer
            .take()
            .map(SegWriter::finish)
            .transpose()?
            .flatten()
        {
            self.segments.push(seg);
        }
        self.last = None;
        Ok(())
    }

    fn push(
        &mut self,
        seq: i64,
        version: i32,
        body: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), EngineError> {
        let expected = self
            .pending
            .map(|(_, b)| b + 1)
            .or(self.last.map(|l| l + 1));
        if expected.is_some_and(|e| e != seq) {
            // Another writer took the sequence numbers in between.
            self.close_segment()?;
        }
        self.rows.push(seq, version, body)?;
        self.pending = Some((self.pending.map_or(seq, |p| p.0), seq));
        if self.rows.len() >= FLUSH_ROWS {
            self.flush()?;
        }
        Ok(())
    }
}

fn written(o: &WriteOutcome) -> bool {
    matches!(o.status, WriteStatus::Inserted | WriteStatus::NewVersion)
}

/// The mirror thread: builds Arrow batches from committed chunks and writes
/// the Parquet segments, off the import's critical path.
fn mirror_thread(
    lake: Lake,
    chunks: std::sync::mpsc::Receiver<CommittedChunk>,
) -> Result<usize, EngineError> {
    let mut records = Mirror::new(lake.records_dir(), Which::Records);
    let mut subjects = Mirror::new(lake.subjects_dir(), Which::Subjects);
    for chunk in chunks {
        for (s, o) in chunk
            .subjects
            .iter()
            .zip(&chunk.subject_outcomes)
            .filter(|(_, o)| written(o))
        {
            subjects.push(o.seq, o.version, &s.body)?;
        }
        for (r, o) in chunk
            .records
            .iter()
            .zip(&chunk.record_outcomes)
            .filter(|(_, o)| written(o))
        {
            records.push(o.seq, o.version, &r.body)?;
        }
    }
    records.close_segment()?;
    subjects.close_segment()?;
    Ok(records.segments.len() + subjects.segments.len())
}

/// Mirrors committed import chunks into new segments, on a thread of its
/// own. Call [`MirrorObserver::finish`] when the import is done (a dropped
/// observer leaves only `.tmp` files, which are not segments; `sync` then
/// exports those versions from the store).
pub struct MirrorObserver {
    chunks: Option<std::sync::mpsc::SyncSender<CommittedChunk>>,
    thread: Option<std::thread::JoinHandle<Result<usize, EngineError>>>,
}

impl MirrorObserver {
    fn start(lake: Lake) -> Result<MirrorObserver, EngineError> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<CommittedChunk>(2);
        let thread = std::thread::Builder::new()
            .name("lake-mirror".into())
            .spawn(move || mirror_thread(lake, rx))
            .map_err(|e| EngineError::Other(format!("cannot start the mirror thread: {e}")))?;
        Ok(MirrorObserver {
            chunks: Some(tx),
            thread: Some(thread),
        })
    }

    fn join(&mut self) -> Result<usize, EngineError> {
        self.chunks.take();
        match self.thread.take() {
            Some(t) => t
                .join()
                .map_err(|_| EngineError::Other("the mirror thread panicked".into()))?,
            None => Ok(0),
        }
    }

    /// Close the segments; returns how many were written.
    pub fn finish(mut self) -> Result<usize, EngineError> {
        self.join()
    }
}

impl ImportObserver for MirrorObserver {
    fn chunk_committed(&mut self, chunk: CommittedChunk) -> Result<(), String> {
        let sent = self.chunks.as_ref().is_some_and(|c| c.send(chunk).is_ok());
        if sent {
            return Ok(());
        }
        // The thread stopped: its error says why.
        Err(match self.join() {
            Err(e) => e.to_string(),
            Ok(_) => "the mirror thread stopped".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(a: i64, b: i64) -> Segment {
        Segment {
            path: PathBuf::new(),
            first_seq: a,
            last_seq: b,
            by_kind: true,
        }
    }

    #[test]
    fn gaps_between_and_after_segments() {
        assert_eq!(gaps(&[], 5), vec![(1, 5)]);
        assert_eq!(gaps(&[], 0), vec![]);
        assert_eq!(gaps(&[seg(1, 3), seg(6, 8)], 10), vec![(4, 5), (9, 10)]);
        assert_eq!(gaps(&[seg(2, 3)], 3), vec![(1, 1)]);
        assert_eq!(gaps(&[seg(1, 10)], 10), vec![]);
    }
}
