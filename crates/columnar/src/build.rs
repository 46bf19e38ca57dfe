//! Building Arrow record batches from validated JSON bodies.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, Int32Builder, Int64Builder, ListArray,
    ListBuilder, StringBuilder, StructArray, UInt8Builder, UInt64Builder,
};
use arrow::buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow::datatypes::{DataType, SchemaRef};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
use serde_json::{Map, Value};
use xinyong_core::catalog::RecordKind;
use xinyong_core::json::key_hash;

use crate::schema::{
    ColumnSource, ColumnType, TableSchema, kind_columns, rec, record_schema, subj, subject_schema,
};

enum Col {
    Str(StringBuilder),
    Date(Date32Builder),
    Bool(BooleanBuilder),
    Int(Int64Builder),
    Num(Float64Builder),
    StrList(ListBuilder<StringBuilder>),
    /// A list of structs: one column per stored element field, the list's
    /// offsets and validity.
    Objects {
        ty: ColumnType,
        children: Vec<(&'static str, Col)>,
        offsets: Vec<i32>,
        valid: Vec<bool>,
    },
    Kind(UInt8Builder),
    Key(UInt64Builder),
    Version(Int32Builder),
}

impl Col {
    fn new(ty: ColumnType, capacity: usize) -> Col {
        match ty {
            ColumnType::Str => Col::Str(StringBuilder::with_capacity(capacity, capacity * 8)),
            ColumnType::Date => Col::Date(Date32Builder::with_capacity(capacity)),
            ColumnType::Bool => Col::Bool(BooleanBuilder::with_capacity(capacity)),
            ColumnType::Int | ColumnType::Seq => Col::Int(Int64Builder::with_capacity(capacity)),
            ColumnType::Num => Col::Num(Float64Builder::with_capacity(capacity)),
            ColumnType::StrList => Col::StrList(ListBuilder::new(StringBuilder::new())),
            ColumnType::Objects(fields) => Col::Objects {
                ty,
                children: ColumnType::children(fields)
                    .map(|(spec, t)| (spec.name, Col::new(t, capacity)))
                    .collect(),
                offsets: vec![0],
                valid: Vec::with_capacity(capacity),
            },
            ColumnType::Kind => Col::Kind(UInt8Builder::with_capacity(capacity)),
            ColumnType::Key => Col::Key(UInt64Builder::with_capacity(capacity)),
            ColumnType::Version => Col::Version(Int32Builder::with_capacity(capacity)),
        }
    }

    fn null(&mut self) {
        match self {
            Col::Str(b) => b.append_null(),
            Col::Date(b) => b.append_null(),
            Col::Bool(b) => b.append_null(),
            Col::Int(b) => b.append_null(),
            Col::Num(b) => b.append_null(),
            Col::StrList(b) => b.append_null(),
            Col::Objects { offsets, valid, .. } => {
                offsets.push(offsets.last().copied().unwrap_or(0));
                valid.push(false);
            }
            Col::Kind(b) => b.append_null(),
            Col::Key(b) => b.append_null(),
            Col::Version(b) => b.append_null(),
        }
    }

    /// Append `v` converted to this column's type; `null` when it does not fit
    /// (validated bodies always fit).
    fn value(&mut self, v: &Value) {
        match self {
            Col::Str(b) => match v {
                Value::String(s) => b.append_value(s),
                _ => b.append_null(),
            },
            Col::Date(b) => b.append_option(v.as_str().and_then(parse_days)),
            Col::Bool(b) => b.append_option(v.as_bool()),
            Col::Int(b) => b.append_option(
                v.as_i64()
                    .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
            ),
            Col::Num(b) => b.append_option(v.as_f64()),
            Col::StrList(b) => match v {
                Value::Array(items) => {
                    for item in items {
                        b.values().append_option(item.as_str());
                    }
                    b.append(true);
                }
                _ => b.append_null(),
            },
            Col::Objects {
                children,
                offsets,
                valid,
                ..
            } => {
                let last = offsets.last().copied().unwrap_or(0);
                match v {
                    Value::Array(items) => {
                        for item in items {
                            for (name, child) in children.iter_mut() {
                                child.value(item.get(*name).unwrap_or(&Value::Null));
                            }
                        }
                        offsets.push(last + items.len() as i32);
                        valid.push(true);
                    }
                    _ => {
                        offsets.push(last);
                        valid.push(false);
                    }
                }
            }
            Col::Kind(b) => b.append_option(
                v.as_str()
                    .and_then(RecordKind::parse)
                    .map(|k| k.index() as u8),
            ),
            Col::Key(b) => b.append_option(v.as_str().map(key_hash)),
            Col::Version(b) => b.append_option(v.as_i64().and_then(|i| i32::try_from(i).ok())),
        }
    }

    fn int(&mut self, v: i64) {
        match self {
            Col::Int(b) => b.append_value(v),
            Col::Version(b) => b.append_value(v as i32),
            other => other.null(),
        }
    }

    fn key(&mut self, v: u64) {
        match self {
            Col::Key(b) => b.append_value(v),
            other => other.null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Col::Str(b) => Arc::new(b.finish()),
            Col::Date(b) => Arc::new(b.finish()),
            Col::Bool(b) => Arc::new(b.finish()),
            Col::Int(b) => Arc::new(b.finish()),
            Col::Num(b) => Arc::new(b.finish()),
            Col::StrList(b) => Arc::new(b.finish()),
            Col::Objects {
                ty,
                children,
                offsets,
                valid,
            } => {
                let DataType::List(item) = ty.data_type() else {
                    unreachable!("an Objects column is a list");
                };
                let DataType::Struct(fields) = item.data_type() else {
                    unreachable!("of structs");
                };
                let arrays: Vec<ArrayRef> = children.iter_mut().map(|(_, c)| c.finish()).collect();
                let len = offsets.last().copied().unwrap_or(0) as usize;
                let structs = if arrays.is_empty() {
                    StructArray::new_empty_fields(len, None)
                } else {
                    StructArray::new(fields.clone(), arrays, None)
                };
                let offs =
                    OffsetBuffer::new(ScalarBuffer::from(std::mem::replace(offsets, vec![0])));
                let nulls = NullBuffer::from(std::mem::take(valid));
                Arc::new(ListArray::new(item, offs, Arc::new(structs), Some(nulls)))
            }
            Col::Kind(b) => Arc::new(b.finish()),
            Col::Key(b) => Arc::new(b.finish()),
            Col::Version(b) => Arc::new(b.finish()),
        }
    }
}

/// Parse a strict `YYYY-MM-DD` to days since 1970-01-01 (Arrow Date32).
pub fn parse_days(s: &str) -> Option<i32> {
    xinyong_core::time::parse_date(s)
        .ok()
        .map(xinyong_core::time::days_since_epoch)
}

/// The columns of a table that are not read from the body: where the
/// sequence number, the version and the key of the subject's code (the
/// body field `code`) go.
struct Derived {
    seq: usize,
    version: usize,
    key: usize,
    code: &'static str,
}

const RECORD_DERIVED: Derived = Derived {
    seq: rec::SEQ,
    version: rec::VERSION,
    key: rec::SUBJECT_KEY,
    code: "subject",
};

const SUBJECT_DERIVED: Derived = Derived {
    seq: subj::SEQ,
    version: subj::VERSION,
    key: subj::SUBJECT_KEY,
    code: "uscc",
};

/// Field name → columns; looked up once per value of millions of rows.
type FieldMap = xinyong_core::json::FastMap<&'static str, Vec<usize>>;

/// Builds one Arrow batch of a [`TableSchema`] (or of some of its columns)
/// from JSON bodies.
pub struct TableBuilder {
    schema: &'static TableSchema,
    /// The columns built, by schema index (`None`: not part of the batch).
    cols: Vec<Option<Col>>,
    /// The schema of the batch (the built columns, in schema order).
    out_schema: SchemaRef,
    by_field: FieldMap,
    filled: Vec<bool>,
    /// A non-nullable boolean column whose absence means `false` (`withdrawn`).
    false_when_absent: Option<usize>,
    rows: usize,
}

impl TableBuilder {
    fn new(
        schema: &'static TableSchema,
        capacity: usize,
        false_when_absent: Option<usize>,
        only: Option<(&[usize], SchemaRef)>,
    ) -> TableBuilder {
        let built = |i: usize| only.as_ref().is_none_or(|(cols, _)| cols.contains(&i));
        let mut by_field = FieldMap::default();
        for (i, c) in schema.columns.iter().enumerate() {
            match c.source {
                ColumnSource::Field(name) | ColumnSource::Band { field: name, .. } if built(i) => {
                    by_field.entry(name).or_default().push(i)
                }
                _ => {}
            }
        }
        TableBuilder {
            schema,
            cols: schema
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| built(i).then(|| Col::new(c.ty, capacity)))
                .collect(),
            out_schema: only.map_or_else(|| schema.schema.clone(), |(_, s)| s),
            by_field,
            filled: vec![false; schema.columns.len()],
            false_when_absent,
            rows: 0,
        }
    }

    /// A builder of record versions.
    pub fn records(capacity: usize) -> TableBuilder {
        TableBuilder::new(record_schema(), capacity, Some(rec::WITHDRAWN), None)
    }

    /// A builder of versions of records of one kind, with only the columns
    /// of that kind ([`kind_columns`]).
    pub fn records_of(kind: RecordKind, capacity: usize) -> TableBuilder {
        let kc = kind_columns(kind);
        TableBuilder::new(
            record_schema(),
            capacity,
            Some(rec::WITHDRAWN),
            Some((&kc.columns, kc.schema.clone())),
        )
    }

    /// A builder of subject versions.
    pub fn subjects(capacity: usize) -> TableBuilder {
        TableBuilder::new(subject_schema(), capacity, None, None)
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    fn push_body(&mut self, body: &Map<String, Value>) {
        self.filled.iter_mut().for_each(|f| *f = false);
        for (name, value) in body {
            let Some(cols) = self.by_field.get(name.as_str()) else {
                continue;
            };
            for &i in cols {
                let Some(col) = self.cols[i].as_mut() else {
                    continue;
                };
                match &self.schema.columns[i].source {
                    ColumnSource::Band { band, upper, .. } => {
                        let bound = value.get(*band).and_then(|b| b.get(usize::from(*upper)));
                        col.value(bound.unwrap_or(&Value::Null));
                    }
                    _ => col.value(value),
                }
                self.filled[i] = true;
            }
        }
    }

    fn fill_rest(&mut self) {
        for (i, done) in self.filled.iter().enumerate() {
            if !done {
                match &mut self.cols[i] {
                    Some(Col::Bool(b)) if self.false_when_absent == Some(i) => {
                        b.append_value(false)
                    }
                    Some(col) => col.null(),
                    None => {}
                }
            }
        }
        self.rows += 1;
    }

    /// Append one record version.
    pub fn push_record(&mut self, seq: i64, version: i32, body: &Map<String, Value>) {
        self.push_body(body);
        self.derived(&RECORD_DERIVED, seq, version, body);
        self.fill_rest();
    }

    /// Append one subject version.
    pub fn push_subject(&mut self, seq: i64, version: i32, body: &Map<String, Value>) {
        self.push_body(body);
        self.derived(&SUBJECT_DERIVED, seq, version, body);
        self.fill_rest();
    }

    /// The derived columns of `d`: sequence number, version, and the key of
    /// the subject's code.
    fn derived(&mut self, d: &Derived, seq: i64, version: i32, body: &Map<String, Value>) {
        if let Some(c) = self.cols[d.seq].as_mut() {
            c.int(seq);
        }
        if let Some(c) = self.cols[d.version].as_mut() {
            c.int(i64::from(version));
        }
        if let Some(c) = self.cols[d.key].as_mut() {
            let key = body
                .get(d.code)
                .and_then(Value::as_str)
                .map(key_hash)
                .unwrap_or(0);
            c.key(key);
        }
        for i in [d.seq, d.version, d.key] {
            self.filled[i] = true;
        }
    }

    /// Finish the batch and reset the builder.
    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let arrays: Vec<ArrayRef> = self.cols.iter_mut().flatten().map(Col::finish).collect();
        self.rows = 0;
        RecordBatch::try_new(self.out_schema.clone(), arrays)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::{Date32Type, Float64Type, UInt8Type};
    use serde_json::json;

    #[test]
    fn days_match_known_dates() {
        assert_eq!(parse_days("1970-01-01"), Some(0));
        assert_eq!(parse_days("2000-03-01"), Some(11_017));
        assert_eq!(parse_days("2020-02-29"), Some(18_321));
        assert_eq!(parse_days("2021-02-29"), None);
        assert_eq!(parse_days("2021-13-01"), None);
        assert_eq!(parse_days("2021-1-01"), None);
        assert_eq!(parse_days("1969-12-31"), Some(-1));
    }

    #[test]
    fn a_penalty_becomes_one_row_with_typed_columns() {
        let body = json!({"id": "P1", "kind": "penalty", "subject": "91210804MA0Y123404", "source": "SCJG",
            "date": "2021-03-04", "procedure": "general", "sanctions": ["fine", "warning"], "fine_cny": 30000.5,
            "basis_bands": {"general": [10000, 50000], "serious": [50000, 100000]}, "extra": "kept elsewhere"});
        let mut b = TableBuilder::records(4);
        b.push_record(7, 1, body.as_object().unwrap());
        let batch = b.finish().unwrap();
        assert_eq!(batch.num_rows(), 1);
        let s = record_schema();
        let col = |n: &str| batch.column(s.index(n).unwrap()).clone();
        assert_eq!(
            col("kind").as_primitive::<UInt8Type>().value(0),
            RecordKind::Penalty.index() as u8
        );
        assert_eq!(
            col("date").as_primitive::<Date32Type>().value(0),
            parse_days("2021-03-04").unwrap()
        );
        assert_eq!(
            col("fine_cny").as_primitive::<Float64Type>().value(0),
            30000.5
        );
        assert_eq!(
            col("basis_bands.serious.min")
                .as_primitive::<Float64Type>()
                .value(0),
            50000.0
        );
        assert!(!col("withdrawn").as_boolean().value(0));
        assert!(col("repaired_on").is_null(0));
        assert!(col("title").is_null(0));
        let sanctions = col("sanctions");
        let list = sanctions.as_list::<i32>().value(0);
        assert_eq!(list.as_string::<i32>().value(1), "warning");
        assert_eq!(
            batch
                .column(rec::SUBJECT_KEY)
                .as_primitive::<arrow::datatypes::UInt64Type>()
                .value(0),
            key_hash("91210804MA0Y123404")
        );
    }

    #[test]
    fn a_kind_builder_builds_the_columns_of_its_kind_only() {
        let body = json!({"id": "P1", "kind": "penalty", "subject": "91210804MA0Y123404", "source": "SCJG",
            "date": "2021-03-04", "procedure": "general", "fine_cny": 500, "year": 2020});
        let mut b = TableBuilder::records_of(RecordKind::Penalty, 1);
        b.push_record(7, 2, body.as_object().unwrap());
        let batch = b.finish().unwrap();
        assert_eq!(batch.schema(), kind_columns(RecordKind::Penalty).schema);
        let col = |n: &str| batch.column_by_name(n).cloned();
        assert!(col("kind").is_none());
        assert!(col("year").is_none(), "not a field of penalties");
        assert_eq!(
            col("fine_cny")
                .unwrap()
                .as_primitive::<Float64Type>()
                .value(0),
            500.0
        );
        assert_eq!(
            col("seq")
                .unwrap()
                .as_primitive::<arrow::datatypes::Int64Type>()
                .value(0),
            7
        );
        assert_eq!(
            col("subject_key")
                .unwrap()
                .as_primitive::<arrow::datatypes::UInt64Type>()
                .value(0),
            key_hash("91210804MA0Y123404")
        );
        assert!(!col("withdrawn").unwrap().as_boolean().value(0));
    }

    #[test]
    fn installments_become_a_list_of_structs() {
        let mut b = TableBuilder::records_of(RecordKind::GovLedger, 3);
        let ledger = |id: &str, inst: Value| {
            let mut v = json!({"id": id, "kind": "gov_ledger", "subject": "11210800MB0000019Q",
                "source": "XYB", "date": "2021-03-04", "category": "arrears"});
            if !inst.is_null() {
                v["installments"] = inst;
            }
            v
        };
        let rows = [
            ledger(
                "a",
                json!([{"due_on": "2021-06-30", "amount_cny": 100, "paid_on": "2021-07-01", "paid_cny": 99.99},
                               {"due_on": "2021-12-31", "amount_cny": 200.5}]),
            ),
            ledger("b", Value::Null),
            ledger("c", json!([])),
            ledger("d", json!([{"due_on": "2022-01-31", "amount_cny": 7}])),
        ];
        for (i, r) in rows.iter().enumerate() {
            b.push_record(i as i64 + 1, 1, r.as_object().unwrap());
        }
        let batch = b.finish().unwrap();
        let list = batch
            .column_by_name("installments")
            .unwrap()
            .as_list::<i32>()
            .clone();
        assert_eq!(list.len(), 4);
        assert_eq!(list.value_offsets(), &[0, 2, 2, 2, 3]);
        assert!(list.is_valid(0) && list.is_null(1) && list.is_valid(2));
        let first = list.value(0);
        let items = first.as_struct();
        let due = items
            .column_by_name("due_on")
            .unwrap()
            .as_primitive::<Date32Type>();
        assert_eq!(due.value(1), parse_days("2021-12-31").unwrap());
        let paid = items
            .column_by_name("paid_cny")
            .unwrap()
            .as_primitive::<Float64Type>();
        assert_eq!(paid.value(0), 99.99);
        assert!(paid.is_null(1));
        let last = list.value(3);
        let amount = last
            .as_struct()
            .column_by_name("amount_cny")
            .unwrap()
            .as_primitive::<Float64Type>()
            .value(0);
        assert_eq!(amount, 7.0);
        // The builder is reusable after finish.
        b.push_record(9, 1, rows[3].as_object().unwrap());
        let again = b.finish().unwrap();
        assert_eq!(again.num_rows(), 1);
    }

    #[test]
    fn subjects_build_with_attributes() {
        let body = json!({"uscc": "91210804MA0Y123404", "name": "测试", "type": "enterprise", "established_on": "2019-08-31",
            "paid_in_capital_cny": 0, "people": [{"role": "director", "name": "李四"}]});
        let mut b = TableBuilder::subjects(1);
        b.push_subject(1, 2, body.as_object().unwrap());
        let batch = b.finish().unwrap();
        let s = subject_schema();
        assert_eq!(
            batch
                .column(s.index("paid_in_capital_cny").unwrap())
                .as_primitive::<Float64Type>()
                .value(0),
            0.0
        );
        assert!(batch.column(s.index("size").unwrap()).is_null(0));
    }
}
