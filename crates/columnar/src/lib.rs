//! xinyong-columnar: the columnar form of the store.
//!
//! Record and subject versions are mirrored into immutable Parquet segments so
//! that batch evaluation scans columns instead of reading ten million rows one
//! by one through a SQL driver. The schemas are derived from the catalogue.

pub mod build;
pub mod schema;
pub mod segment;

pub use build::{TableBuilder, parse_days};
pub use schema::{
    ColumnDef, ColumnSource, ColumnType, KindColumns, TableSchema, kind_columns, rec,
    record_schema, subj, subject_schema,
};
pub use segment::{
    KindSegmentWriter, Segment, SegmentError, SegmentWriter, is_writing, list_segments,
    read_segment,
};
