//! Parquet segments: immutable files each holding the versions of one
//! contiguous range of sequence numbers, named `seg-<first>-<last>.parquet`.
//!
//! A segment is written to a `.tmp` file and renamed when complete, so a
//! killed writer never leaves a half segment that readers would trust; a
//! writer dropped unfinished (an error, a cancelled sync) removes its `.tmp`.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use xinyong_core::catalog::RecordKind;

use crate::schema::kind_columns;

/// Errors of segment files.
#[derive(Debug, thiserror::Error)]
pub enum SegmentError {
    #[error("segment I/O at {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    #[error("segment {0} is empty")]
    Empty(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SegmentError + '_ {
    move |source| SegmentError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Rows per Parquet row group: large enough for fast scans, small enough for
/// bounded writer memory.
pub const ROW_GROUP_ROWS: usize = 256 * 1024;

/// Columns whose values are (nearly) unique per row: a dictionary would only
/// be built to be thrown away.
const UNIQUE_COLUMNS: &[&str] = &[
    "id",
    "subject",
    "uscc",
    "name",
    "decision_no",
    "license_no",
    "case_no",
    "facts",
    "basis",
    "title",
    "seq",
    "subject_key",
];

fn writer_properties() -> WriterProperties {
    // Row-group statistics are what scans prune with (`date <= as_of`);
    // page-level ones would cost every column of this wide, sparse table.
    let mut b = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_statistics_enabled(EnabledStatistics::Chunk);
    for c in UNIQUE_COLUMNS {
        b = b.set_column_dictionary_enabled((*c).into(), false);
    }
    b.build()
}

/// Prefix of the temporary names of segments being written.
const WRITING: &str = "seg-writing-";

/// A fresh temporary path in `dir` for a segment being written by this
/// process: `seg-writing-<pid>-<n><ext>`.
fn writing_path(dir: &Path, ext: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    dir.join(format!("{WRITING}{}-{n}{ext}", std::process::id()))
}

/// Whether a directory entry named `name` is a segment still being written
/// (or left by a writer that died): a `.parquet.tmp` file or a `.tmp`
/// directory.
pub fn is_writing(name: &str) -> bool {
    name.starts_with(WRITING) && name.ends_with(".tmp")
}

/// The temporary file or directory of a segment being written: removed
/// when dropped unless the segment was finished, so a writer abandoned on
/// an error or a cancellation leaves nothing behind.
struct Unfinished {
    path: PathBuf,
    finished: bool,
}

impl Unfinished {
    fn new(path: PathBuf) -> Unfinished {
        Unfinished {
            path,
            finished: false,
        }
    }
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        // Best effort: a leftover is never taken for a segment.
        let _ = if self.path.is_dir() {
            fs::remove_dir_all(&self.path)
        } else {
            fs::remove_file(&self.path)
        };
    }
}

/// A segment being written.
pub struct SegmentWriter {
    dir: PathBuf,
    writer: ArrowWriter<File>,
    first_seq: Option<i64>,
    last_seq: i64,
    tmp: Unfinished,
}

impl SegmentWriter {
    /// Start a segment in `dir` (created if needed).
    pub fn create(dir: &Path, schema: SchemaRef) -> Result<SegmentWriter, SegmentError> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        let tmp = writing_path(dir, ".parquet.tmp");
        let file = File::create(&tmp).map_err(io(&tmp))?;
        let tmp = Unfinished::new(tmp);
        let writer = ArrowWriter::try_new(file, schema, Some(writer_properties()))?;
        Ok(SegmentWriter {
            dir: dir.to_path_buf(),
            writer,
            first_seq: None,
            last_seq: 0,
            tmp,
        })
    }

    /// Append a batch whose rows have sequence numbers in `first..=last`
    /// (ascending, following whatever was written before).
    pub fn write(
        &mut self,
        batch: &RecordBatch,
        first: i64,
        last: i64,
    ) -> Result<(), SegmentError> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        self.first_seq.get_or_insert(first);
        self.last_seq = last;
        self.writer.write(batch)?;
        Ok(())
    }

    /// Close the file and give it its final name; `None` when nothing was written.
    pub fn finish(self) -> Result<Option<Segment>, SegmentError> {
        self.writer.close()?;
        let mut tmp = self.tmp;
        let Some(first) = self.first_seq else {
            fs::remove_file(&tmp.path).map_err(io(&tmp.path))?;
            return Ok(None);
        };
        let path = self.dir.join(segment_name(first, self.last_seq));
        fs::rename(&tmp.path, &path).map_err(io(&path))?;
        tmp.finished = true;
        Ok(Some(Segment {
            path,
            first_seq: first,
            last_seq: self.last_seq,
            by_kind: false,
        }))
    }
}

/// Writes a segment of record versions: a directory `seg-<first>-<last>/`
/// with one Parquet file per record kind (`<kind>.parquet`), each holding
/// only the columns of its kind ([`kind_columns`]). A scan of one kind then
/// reads no column of another. The directory is written under a `.tmp` name
/// and renamed when complete.
pub struct KindSegmentWriter {
    dir: PathBuf,
    writers: Vec<Option<ArrowWriter<File>>>,
    first_seq: Option<i64>,
    last_seq: i64,
    tmp: Unfinished,
}

impl KindSegmentWriter {
    /// Start a segment in `dir` (created if needed).
    pub fn create(dir: &Path) -> Result<KindSegmentWriter, SegmentError> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        let tmp = writing_path(dir, ".tmp");
        fs::create_dir_all(&tmp).map_err(io(&tmp))?;
        Ok(KindSegmentWriter {
            dir: dir.to_path_buf(),
            writers: RecordKind::ALL.iter().map(|_| None).collect(),
            first_seq: None,
            last_seq: 0,
            tmp: Unfinished::new(tmp),
        })
    }

    /// Record that the segment holds the versions `first..=last` (ascending,
    /// following whatever it held before).
    pub fn cover(&mut self, first: i64, last: i64) {
        self.first_seq.get_or_insert(first);
        self.last_seq = last;
    }

    /// Append records of `kind` (a batch of [`kind_columns`]`(kind)`).
    pub fn write(&mut self, kind: RecordKind, batch: &RecordBatch) -> Result<(), SegmentError> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let slot = &mut self.writers[kind.index()];
        if slot.is_none() {
            let path = self.tmp.path.join(kind_file_name(kind));
            let file = File::create(&path).map_err(io(&path))?;
            *slot = Some(ArrowWriter::try_new(
                file,
                kind_columns(kind).schema.clone(),
                Some(writer_properties()),
            )?);
        }
        if let Some(w) = slot.as_mut() {
            w.write(batch)?;
        }
        Ok(())
    }

    /// Close the files and give the directory its final name; `None` when
    /// the segment covers nothing.
    pub fn finish(self) -> Result<Option<Segment>, SegmentError> {
        for w in self.writers.into_iter().flatten() {
            w.close()?;
        }
        let mut tmp = self.tmp;
        let Some(first) = self.first_seq else {
            fs::remove_dir_all(&tmp.path).map_err(io(&tmp.path))?;
            return Ok(None);
        };
        let path = self.dir.join(kinds_segment_name(first, self.last_seq));
        fs::rename(&tmp.path, &path).map_err(io(&path))?;
        tmp.finished = true;
        Ok(Some(Segment {
            path,
            first_seq: first,
            last_seq: self.last_seq,
            by_kind: true,
        }))
    }
}

fn kind_file_name(kind: RecordKind) -> String {
    format!("{}.parquet", kind.as_str())
}

/// A complete segment: a file, or a directory of one file per record kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub path: PathBuf,
    pub first_seq: i64,
    pub last_seq: i64,
    /// A directory of one file per record kind ([`KindSegmentWriter`]).
    pub by_kind: bool,
}

impl Segment {
    /// The file of the records of `kind` in a segment by kind, if it has any.
    pub fn kind_file(&self, kind: RecordKind) -> Option<PathBuf> {
        let path = self.path.join(kind_file_name(kind));
        (self.by_kind && path.is_file()).then_some(path)
    }
}

fn segment_name(first: i64, last: i64) -> String {
    format!("seg-{first:012}-{last:012}.parquet")
}

fn kinds_segment_name(first: i64, last: i64) -> String {
    format!("seg-{first:012}-{last:012}")
}

/// The sequence range of a segment's name, and whether it is a segment by
/// kind (a directory) rather than a file.
fn parse_name(name: &str) -> Option<(i64, i64, bool)> {
    let core = name.strip_prefix("seg-")?;
    let (core, by_kind) = match core.strip_suffix(".parquet") {
        Some(c) => (c, false),
        None => (core, true),
    };
    let (a, b) = core.split_once('-')?;
    Some((a.parse().ok()?, b.parse().ok()?, by_kind))
}

/// Complete segments of `dir`, ordered by first sequence number (`.tmp` files
/// of writers still running or killed are not segments).
pub fn list_segments(dir: &Path) -> Result<Vec<Segment>, SegmentError> {
    let mut out = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => {
            return Err(SegmentError::Io {
                path: dir.to_path_buf(),
                source: e,
            });
        }
    };
    for entry in entries {
        let entry = entry.map_err(io(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some((first_seq, last_seq, by_kind)) = parse_name(&name) {
            let is_dir = entry.file_type().map_err(io(dir))?.is_dir();
            if is_dir != by_kind {
                continue;
            }
            out.push(Segment {
                path: entry.path(),
                first_seq,
                last_seq,
                by_kind,
            });
        }
    }
    out.sort_by_key(|s| s.first_seq);
    Ok(out)
}

/// Read a whole segment (tests and small segments; the engine scans with
/// DataFusion). A segment by kind gives its kinds' batches kind by kind.
pub fn read_segment(path: &Path) -> Result<Vec<RecordBatch>, SegmentError> {
    if path.is_dir() {
        let mut out = Vec::new();
        for kind in RecordKind::ALL {
            let file = path.join(kind_file_name(kind));
            if file.is_file() {
                out.extend(read_segment(&file)?);
            }
        }
        return Ok(out);
    }
    let file = File::open(path).map_err(io(path))?;
    let reader =
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)?.build()?;
    let mut out = Vec::new();
    for batch in reader {
        out.push(batch?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::TableBuilder;
    use crate::schema::record_schema;
    use serde_json::json;

    #[test]
    fn segments_are_renamed_when_complete_and_listed_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let body = json!({"id": "1", "kind": "honor", "subject": "91210804MA0Y123404", "source": "FGW", "date": "2022-01-01", "title": "守合同重信用"});
        for (first, last) in [(3, 4), (1, 2)] {
            let mut w = SegmentWriter::create(dir.path(), record_schema().schema.clone()).unwrap();
            let mut b = TableBuilder::records(2);
            for seq in first..=last {
                b.push_record(seq, 1, body.as_object().unwrap());
            }
            w.write(&b.finish().unwrap(), first, last).unwrap();
            w.finish().unwrap().unwrap();
        }
        // A killed writer's leftover is not a segment.
        fs::write(
            dir.path().join("seg-writing-999999999-0.parquet.tmp"),
            b"junk",
        )
        .unwrap();
        let segs = list_segments(dir.path()).unwrap();
        assert_eq!(
            segs.iter()
                .map(|s| (s.first_seq, s.last_seq))
                .collect::<Vec<_>>(),
            vec![(1, 2), (3, 4)]
        );
        let rows: usize = read_segment(&segs[1].path)
            .unwrap()
            .iter()
            .map(|b| b.num_rows())
            .sum();
        assert_eq!(rows, 2);
    }

    #[test]
    fn a_segment_by_kind_is_a_directory_of_one_file_per_kind() {
        let dir = tempfile::tempdir().unwrap();
        let honor = json!({"id": "1", "kind": "honor", "subject": "91210804MA0Y123404", "source": "FGW", "date": "2022-01-01", "title": "守合同重信用"});
        let penalty = json!({"id": "2", "kind": "penalty", "subject": "91210804MA0Y123404", "source": "SCJG", "date": "2022-02-01", "fine_cny": 100});
        let mut w = KindSegmentWriter::create(dir.path()).unwrap();
        for (seq, kind, body) in [
            (5, RecordKind::Honor, &honor),
            (6, RecordKind::Penalty, &penalty),
        ] {
            let mut b = crate::build::TableBuilder::records_of(kind, 1);
            b.push_record(seq, 1, body.as_object().unwrap());
            w.write(kind, &b.finish().unwrap()).unwrap();
        }
        w.cover(5, 6);
        // A killed writer's directory is not a segment.
        let killed = dir.path().join("seg-writing-999999999-0.tmp");
        fs::create_dir(&killed).unwrap();
        let seg = w.finish().unwrap().unwrap();
        assert!(seg.by_kind);
        assert_eq!((seg.first_seq, seg.last_seq), (5, 6));
        let listed = list_segments(dir.path()).unwrap();
        assert_eq!(listed, vec![seg.clone()]);
        fs::remove_dir(&killed).unwrap();
        let file = seg.kind_file(RecordKind::Penalty).unwrap();
        let batches = read_segment(&file).unwrap();
        assert_eq!(
            batches[0].schema(),
            kind_columns(RecordKind::Penalty).schema
        );
        assert!(seg.kind_file(RecordKind::Accident).is_none());
        let all: usize = read_segment(&seg.path)
            .unwrap()
            .iter()
            .map(|b| b.num_rows())
            .sum();
        assert_eq!(all, 2);
        // A writer that covers nothing leaves nothing.
        let empty = KindSegmentWriter::create(dir.path()).unwrap();
        assert!(empty.finish().unwrap().is_none());
        assert_eq!(list_segments(dir.path()).unwrap().len(), 1);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn installments_survive_a_parquet_segment() {
        let dir = tempfile::tempdir().unwrap();
        let body = json!({"id": "1", "kind": "gov_ledger", "subject": "11210800MB0000019Q", "source": "XYB",
            "date": "2022-01-01", "category": "legacy_debt",
            "installments": [{"due_on": "2022-06-30", "amount_cny": 10.5, "paid_on": "2022-06-29", "paid_cny": 10.5},
                             {"due_on": "2022-12-31", "amount_cny": 20}]});
        let mut w = KindSegmentWriter::create(dir.path()).unwrap();
        let mut b = TableBuilder::records_of(RecordKind::GovLedger, 1);
        b.push_record(1, 1, body.as_object().unwrap());
        let written = b.finish().unwrap();
        w.write(RecordKind::GovLedger, &written).unwrap();
        w.cover(1, 1);
        let seg = w.finish().unwrap().unwrap();
        let read = read_segment(&seg.kind_file(RecordKind::GovLedger).unwrap()).unwrap();
        assert_eq!(read.len(), 1);
        assert_eq!(
            read[0], written,
            "the list of structs reads back as written"
        );
    }

    #[test]
    fn an_empty_writer_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let w = SegmentWriter::create(dir.path(), record_schema().schema.clone()).unwrap();
        assert!(w.finish().unwrap().is_none());
        assert!(list_segments(dir.path()).unwrap().is_empty());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_writer_dropped_unfinished_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let body = json!({"id": "1", "kind": "honor", "subject": "91210804MA0Y123404", "source": "FGW", "date": "2022-01-01", "title": "守合同重信用"});
        let mut b = TableBuilder::records_of(RecordKind::Honor, 1);
        b.push_record(1, 1, body.as_object().unwrap());
        let batch = b.finish().unwrap();
        let mut kinds = KindSegmentWriter::create(dir.path()).unwrap();
        kinds.write(RecordKind::Honor, &batch).unwrap();
        kinds.cover(1, 1);
        let mut wide = SegmentWriter::create(dir.path(), record_schema().schema.clone()).unwrap();
        let mut b = TableBuilder::records(1);
        b.push_record(2, 1, body.as_object().unwrap());
        wide.write(&b.finish().unwrap(), 2, 2).unwrap();
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            2,
            "both being written"
        );
        drop((kinds, wide));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
