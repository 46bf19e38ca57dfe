//! Typed read access to record and subject batches.
//!
//! The evaluator reads columns by their index in the fixed schemas of
//! `xinyong-columnar`. A batch may come from a Parquet scan (strings possibly
//! as string views), from memory, or lack columns a projection dropped: a
//! missing column reads as null.

use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array,
    ListArray, StringArray, StringViewArray, UInt8Array, UInt64Array,
};
use arrow::datatypes::{
    DataType, Date32Type, Float64Type, Int32Type, Int64Type, UInt8Type, UInt64Type,
};
use arrow::record_batch::RecordBatch;
use xinyong_columnar::{TableSchema, rec, record_schema, subj, subject_schema};
use xinyong_core::catalog::RecordKind;

#[derive(Debug, Clone)]
enum Col {
    Missing,
    Str(StringArray),
    View(StringViewArray),
    Date(Date32Array),
    Bool(BooleanArray),
    Int(Int64Array),
    Int32(Int32Array),
    Num(Float64Array),
    List(ListArray),
    U8(UInt8Array),
    U64(UInt64Array),
}

impl Col {
    fn from_array(a: &ArrayRef) -> Col {
        match a.data_type() {
            DataType::Utf8 => Col::Str(a.as_string::<i32>().clone()),
            DataType::Utf8View => Col::View(a.as_string_view().clone()),
            DataType::Date32 => Col::Date(a.as_primitive::<Date32Type>().clone()),
            DataType::Boolean => Col::Bool(a.as_boolean().clone()),
            DataType::Int64 => Col::Int(a.as_primitive::<Int64Type>().clone()),
            DataType::Int32 => Col::Int32(a.as_primitive::<Int32Type>().clone()),
            DataType::Float64 => Col::Num(a.as_primitive::<Float64Type>().clone()),
            DataType::List(_) => Col::List(a.as_list::<i32>().clone()),
            DataType::UInt8 => Col::U8(a.as_primitive::<UInt8Type>().clone()),
            DataType::UInt64 => Col::U64(a.as_primitive::<UInt64Type>().clone()),
            _ => Col::Missing,
        }
    }
}

/// Rows per chunk: a row id is `chunk << CHUNK_BITS | row in chunk`. With
/// 16 bits a table holds up to 65,536 chunks of 65,536 rows (the batch engine
/// keeps each record kind in chunks of its own, see [`Table::records_by_kind`]).
pub const CHUNK_BITS: u32 = 16;
/// The most rows a chunk holds.
pub const CHUNK_ROWS: usize = 1 << CHUNK_BITS;
const CHUNK_MASK: u32 = (1 << CHUNK_BITS) - 1;

/// Records or subjects with typed column access by schema index.
///
/// A table may span many Arrow batches (as a scan delivers them) without
/// copying them into one: a row id carries its chunk in its high bits. For a
/// table built from one batch, row ids are simply the row indices.
#[derive(Debug, Clone)]
pub struct Table {
    chunks: Vec<Vec<Col>>,
    lens: Vec<usize>,
    /// The record kind of every row of a chunk, when the chunk holds one
    /// kind only (then it need not carry a `kind` column).
    kinds: Vec<Option<RecordKind>>,
    /// The first chunk of each batch the table was made of.
    batch_chunks: Vec<u32>,
    rows: usize,
}

/// Text of a list item.
fn list_item(values: &ArrayRef, i: usize) -> Option<&str> {
    if values.is_null(i) {
        return None;
    }
    match values.data_type() {
        DataType::Utf8 => Some(values.as_string::<i32>().value(i)),
        DataType::Utf8View => Some(values.as_string_view().value(i)),
        _ => None,
    }
}

impl Table {
    fn new<'b>(
        batches: impl IntoIterator<Item = (Option<RecordKind>, &'b RecordBatch)>,
        schema: &TableSchema,
    ) -> Table {
        let mut chunks = Vec::new();
        let mut lens = Vec::new();
        let mut kinds = Vec::new();
        let mut batch_chunks = Vec::new();
        for (kind, batch) in batches {
            batch_chunks.push(chunks.len() as u32);
            let mut start = 0;
            while start < batch.num_rows() {
                let len = (batch.num_rows() - start).min(CHUNK_ROWS);
                let piece = batch.slice(start, len);
                let mut cols = vec![Col::Missing; schema.len()];
                for (i, field) in piece.schema().fields().iter().enumerate() {
                    if let Some(idx) = schema.index(field.name()) {
                        cols[idx] = Col::from_array(piece.column(i));
                    }
                }
                chunks.push(cols);
                lens.push(len);
                kinds.push(kind);
                start += len;
            }
        }
        if chunks.is_empty() {
            chunks.push(vec![Col::Missing; schema.len()]);
            lens.push(0);
            kinds.push(None);
        }
        let rows = lens.iter().sum();
        Table {
            chunks,
            lens,
            kinds,
            batch_chunks,
            rows,
        }
    }

    /// The row id of row `row` of the `batch`-th batch the table was made of.
    pub fn row_id(&self, batch: usize, row: usize) -> u32 {
        let chunk = self.batch_chunks[batch] + (row >> CHUNK_BITS) as u32;
        (chunk << CHUNK_BITS) | (row & (CHUNK_ROWS - 1)) as u32
    }

    /// Records, by column name (any column order, missing columns allowed).
    pub fn records(batch: &RecordBatch) -> Table {
        Table::new([(None, batch)], record_schema())
    }

    /// Records in batches of one kind each (no copy): a batch carries only
    /// the columns of its kind, and needs no `kind` column. Row ids number
    /// the batches in order, each batch holding at most [`CHUNK_ROWS`] rows
    /// (a longer one is split).
    pub fn records_by_kind(batches: &[(RecordKind, RecordBatch)]) -> Table {
        Table::new(batches.iter().map(|(k, b)| (Some(*k), b)), record_schema())
    }

    /// Subjects, by column name.
    pub fn subjects(batch: &RecordBatch) -> Table {
        Table::new([(None, batch)], subject_schema())
    }

    /// Subjects spread over several batches (no copy).
    pub fn subjects_from(batches: &[RecordBatch]) -> Table {
        Table::new(batches.iter().map(|b| (None, b)), subject_schema())
    }

    /// Every row id, in order.
    pub fn row_ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.lens
            .iter()
            .enumerate()
            .flat_map(|(c, len)| (0..*len as u32).map(move |i| ((c as u32) << CHUNK_BITS) | i))
    }

    #[inline]
    fn at(&self, row: u32, col: usize) -> (&Col, usize) {
        (
            &self.chunks[(row >> CHUNK_BITS) as usize][col],
            (row & CHUNK_MASK) as usize,
        )
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    #[inline]
    pub fn str(&self, row: u32, col: usize) -> Option<&str> {
        let (c, r) = self.at(row, col);
        match c {
            Col::Str(a) => (!a.is_null(r)).then(|| a.value(r)),
            Col::View(a) => (!a.is_null(r)).then(|| a.value(r)),
            _ => None,
        }
    }

    #[inline]
    pub fn date(&self, row: u32, col: usize) -> Option<i32> {
        let (c, r) = self.at(row, col);
        match c {
            Col::Date(a) => (!a.is_null(r)).then(|| a.value(r)),
            _ => None,
        }
    }

    #[inline]
    pub fn bool(&self, row: u32, col: usize) -> Option<bool> {
        let (c, r) = self.at(row, col);
        match c {
            Col::Bool(a) => (!a.is_null(r)).then(|| a.value(r)),
            _ => None,
        }
    }

    #[inline]
    pub fn num(&self, row: u32, col: usize) -> Option<f64> {
        let (c, r) = self.at(row, col);
        match c {
            Col::Num(a) => (!a.is_null(r)).then(|| a.value(r)),
            Col::Int(a) => (!a.is_null(r)).then(|| a.value(r) as f64),
            Col::Int32(a) => (!a.is_null(r)).then(|| f64::from(a.value(r))),
            _ => None,
        }
    }

    #[inline]
    pub fn int(&self, row: u32, col: usize) -> Option<i64> {
        let (c, r) = self.at(row, col);
        match c {
            Col::Int(a) => (!a.is_null(r)).then(|| a.value(r)),
            Col::Int32(a) => (!a.is_null(r)).then(|| i64::from(a.value(r))),
            _ => None,
        }
    }

    /// Number of items of a list cell (None when null).
    pub fn list_len(&self, row: u32, col: usize) -> Option<usize> {
        let (c, r) = self.at(row, col);
        match c {
            Col::List(a) if !a.is_null(r) => {
                let offsets = a.value_offsets();
                Some((offsets[r + 1] - offsets[r]) as usize)
            }
            _ => None,
        }
    }

    /// Item `i` of a list cell.
    pub fn list_str(&self, row: u32, col: usize, i: usize) -> Option<&str> {
        let (c, r) = self.at(row, col);
        match c {
            Col::List(a) if !a.is_null(r) => {
                let start = a.value_offsets()[r] as usize;
                list_item(a.values(), start + i)
            }
            _ => None,
        }
    }

    /// Field `sub` (struct child) of element `i` of an array-of-objects
    /// cell: the child array and the element's index in it (`None` when
    /// the cell, the element or the value is null).
    fn item(&self, row: u32, col: usize, i: usize, sub: usize) -> Option<(&ArrayRef, usize)> {
        let (c, r) = self.at(row, col);
        let Col::List(a) = c else { return None };
        if a.is_null(r) {
            return None;
        }
        let offsets = a.value_offsets();
        let j = offsets[r] as usize + i;
        if j >= offsets[r + 1] as usize {
            return None;
        }
        let child = a.values().as_struct_opt()?.columns().get(sub)?;
        (!child.is_null(j)).then_some((child, j))
    }

    /// A date field of an element of an array-of-objects cell.
    pub fn item_date(&self, row: u32, col: usize, i: usize, sub: usize) -> Option<i32> {
        let (a, j) = self.item(row, col, i, sub)?;
        Some(a.as_primitive_opt::<Date32Type>()?.value(j))
    }

    /// A number field of an element of an array-of-objects cell.
    pub fn item_num(&self, row: u32, col: usize, i: usize, sub: usize) -> Option<f64> {
        let (a, j) = self.item(row, col, i, sub)?;
        match a.data_type() {
            DataType::Float64 => Some(a.as_primitive::<Float64Type>().value(j)),
            DataType::Int64 => Some(a.as_primitive::<Int64Type>().value(j) as f64),
            _ => None,
        }
    }

    /// A text field of an element of an array-of-objects cell.
    pub fn item_str(&self, row: u32, col: usize, i: usize, sub: usize) -> Option<&str> {
        let (a, j) = self.item(row, col, i, sub)?;
        list_item(a, j)
    }

    /// A true/false field of an element of an array-of-objects cell.
    pub fn item_bool(&self, row: u32, col: usize, i: usize, sub: usize) -> Option<bool> {
        let (a, j) = self.item(row, col, i, sub)?;
        Some(a.as_boolean_opt()?.value(j))
    }

    /// Kind of a record row.
    #[inline]
    pub fn kind(&self, row: u32) -> Option<RecordKind> {
        if let Some(k) = self.kinds[(row >> CHUNK_BITS) as usize] {
            return Some(k);
        }
        match self.at(row, rec::KIND) {
            (Col::U8(a), r) if !a.is_null(r) => RecordKind::from_index(usize::from(a.value(r))),
            _ => None,
        }
    }

    /// Subject key (hash) of a record row or subject row.
    #[inline]
    pub fn key(&self, row: u32, col: usize) -> Option<u64> {
        match self.at(row, col) {
            (Col::U64(a), r) if !a.is_null(r) => Some(a.value(r)),
            _ => None,
        }
    }

    /// Record id (`id` column) of a record row.
    pub fn record_id(&self, row: u32) -> &str {
        self.str(row, rec::ID).unwrap_or("")
    }

    pub fn record_subject(&self, row: u32) -> &str {
        self.str(row, rec::SUBJECT).unwrap_or("")
    }

    pub fn record_source(&self, row: u32) -> &str {
        self.str(row, rec::SOURCE).unwrap_or("")
    }

    pub fn record_seq(&self, row: u32) -> i64 {
        self.int(row, rec::SEQ).unwrap_or(0)
    }

    pub fn subject_uscc(&self, row: u32) -> &str {
        self.str(row, subj::USCC).unwrap_or("")
    }
}
