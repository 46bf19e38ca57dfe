//! Parquet segments: immutable files each holding the versions of one
//! contiguous range of sequence numbers, named `seg-<first>-<last>.parquet`.
//!
//! A segment is written to a `.tmp` file and renamed when complete, so a
//! killed writer never leaves a half segment that readers would trust.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties};

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

/// A segment being written.
pub struct SegmentWriter {
    dir: PathBuf,
    tmp: PathBuf,
    writer: ArrowWriter<File>,
    first_seq: Option<i64>,
    last_seq: i64,
    rows: u64,
}

impl SegmentWriter {
    /// Start a segment in `dir` (created if needed).
    pub fn create(dir: &Path, schema: SchemaRef) -> Result<SegmentWriter, SegmentError> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = dir.join(format!(
            "seg-writing-{}-{n}.parquet.tmp",
            std::process::id()
        ));
        let file = File::create(&tmp).map_err(io(&tmp))?;
        let writer = ArrowWriter::try_new(file, schema, Some(writer_properties()))?;
        Ok(SegmentWriter {
            dir: dir.to_path_buf(),
            tmp,
            writer,
            first_seq: None,
            last_seq: 0,
            rows: 0,
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
        self.rows += batch.num_rows() as u64;
        self.writer.write(batch)?;
        Ok(())
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Close the file and give it its final name; `None` when nothing was written.
    pub fn finish(self) -> Result<Option<Segment>, SegmentError> {
        self.writer.close()?;
        let Some(first) = self.first_seq else {
            fs::remove_file(&self.tmp).map_err(io(&self.tmp))?;
            return Ok(None);
        };
        let path = self.dir.join(segment_name(first, self.last_seq));
        fs::rename(&self.tmp, &path).map_err(io(&path))?;
        Ok(Some(Segment {
            path,
            first_seq: first,
            last_seq: self.last_seq,
        }))
    }
}

/// A complete segment file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub path: PathBuf,
    pub first_seq: i64,
    pub last_seq: i64,
}

fn segment_name(first: i64, last: i64) -> String {
    format!("seg-{first:012}-{last:012}.parquet")
}

fn parse_name(name: &str) -> Option<(i64, i64)> {
    let core = name.strip_prefix("seg-")?.strip_suffix(".parquet")?;
    let (a, b) = core.split_once('-')?;
    Some((a.parse().ok()?, b.parse().ok()?))
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
        if let Some((first_seq, last_seq)) = parse_name(&name) {
            out.push(Segment {
                path: entry.path(),
                first_seq,
                last_seq,
            });
        }
    }
    out.sort_by_key(|s| s.first_seq);
    Ok(out)
}

/// Remove `.tmp` files left by writers of other processes (killed ones). Call
/// only while holding the store's writer lock, when no other writer can run.
pub fn remove_stale_tmp(dir: &Path) -> Result<usize, SegmentError> {
    let mine = format!("seg-writing-{}-", std::process::id());
    let mut removed = 0;
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
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
        if name.ends_with(".parquet.tmp") && !name.starts_with(&mine) {
            fs::remove_file(entry.path()).map_err(io(&entry.path()))?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The highest sequence number covered without a gap from the first segment.
pub fn covered_until(segments: &[Segment]) -> i64 {
    let mut covered = 0;
    for s in segments {
        if s.first_seq > covered + 1 {
            break;
        }
        covered = covered.max(s.last_seq);
    }
    covered
}

/// Read a whole segment (tests and small segments; the engine scans with DataFusion).
pub fn read_segment(path: &Path) -> Result<Vec<RecordBatch>, SegmentError> {
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
        // A killed writer's leftover is not a segment, and is removed on request.
        fs::write(
            dir.path().join("seg-writing-999999999-0.parquet.tmp"),
            b"junk",
        )
        .unwrap();
        let segs = list_segments(dir.path()).unwrap();
        assert_eq!(remove_stale_tmp(dir.path()).unwrap(), 1);
        assert_eq!(
            segs.iter()
                .map(|s| (s.first_seq, s.last_seq))
                .collect::<Vec<_>>(),
            vec![(1, 2), (3, 4)]
        );
        assert_eq!(covered_until(&segs), 4);
        assert!(
            !dir.path()
                .join("seg-writing-999999999-0.parquet.tmp")
                .exists()
        );
        let rows: usize = read_segment(&segs[1].path)
            .unwrap()
            .iter()
            .map(|b| b.num_rows())
            .sum();
        assert_eq!(rows, 2);
    }

    #[test]
    fn coverage_stops_at_a_gap() {
        let seg = |a, b| Segment {
            path: PathBuf::new(),
            first_seq: a,
            last_seq: b,
        };
        assert_eq!(covered_until(&[seg(1, 10), seg(12, 20)]), 10);
        assert_eq!(covered_until(&[seg(1, 10), seg(11, 20)]), 20);
        assert_eq!(covered_until(&[seg(2, 10)]), 0);
        assert_eq!(covered_until(&[]), 0);
    }

    #[test]
    fn an_empty_writer_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let w = SegmentWriter::create(dir.path(), record_schema().schema.clone()).unwrap();
        assert!(w.finish().unwrap().is_none());
        assert!(list_segments(dir.path()).unwrap().is_empty());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
