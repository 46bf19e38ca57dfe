//! The Arrow schemas of record versions and subject versions.
//!
//! Derived from the catalogue: one column per distinct field name, typed by
//! its catalogue type. The schemas are fixed (columns never move), so a
//! compiled model can address a field by its column index.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use xinyong_core::catalog::{self, FieldSpec, FieldType, SUBJECT_FIELDS};

/// How a column's values are read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Utf8 (text, codes, USCCs).
    Str,
    /// Date32 (days since 1970-01-01).
    Date,
    Bool,
    /// Int64.
    Int,
    /// Float64 (money and other numbers).
    Num,
    /// List<Utf8> (arrays of text or codes).
    StrList,
    /// List<Struct<…>> (an array of objects): one struct child per element
    /// field of the catalogue that has a column type of its own, in
    /// catalogue order ([`ColumnType::children`]).
    Objects(&'static [FieldSpec]),
    /// UInt8 kind index (the `kind` envelope column).
    Kind,
    /// UInt64 hash of the subject's USCC (`subject_key`).
    Key,
    /// Int32 version number.
    Version,
    /// Int64 sequence number.
    Seq,
}

impl ColumnType {
    pub fn data_type(self) -> DataType {
        match self {
            ColumnType::Str => DataType::Utf8,
            ColumnType::Date => DataType::Date32,
            ColumnType::Bool => DataType::Boolean,
            ColumnType::Int | ColumnType::Seq => DataType::Int64,
            ColumnType::Num => DataType::Float64,
            ColumnType::StrList => {
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
            }
            ColumnType::Objects(fields) => {
                let children: Vec<Field> = ColumnType::children(fields)
                    .map(|(spec, ty)| Field::new(spec.name, ty.data_type(), true))
                    .collect();
                DataType::List(Arc::new(Field::new(
                    "item",
                    DataType::Struct(children.into()),
                    true,
                )))
            }
            ColumnType::Kind => DataType::UInt8,
            ColumnType::Key => DataType::UInt64,
            ColumnType::Version => DataType::Int32,
        }
    }
}

impl ColumnType {
    /// The element fields of an array of objects that are stored, with
    /// their column types: the struct children of an [`ColumnType::Objects`]
    /// column, in this order.
    pub fn children(
        fields: &'static [FieldSpec],
    ) -> impl Iterator<Item = (&'static FieldSpec, ColumnType)> {
        fields
            .iter()
            .filter_map(|f| column_type_of(f.ty).map(|ty| (f, ty)))
    }
}

/// Where a column's value comes from in a JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnSource {
    /// A top-level field of that name.
    Field(&'static str),
    /// `basis_bands.<band>[0|1]`.
    Band {
        field: &'static str,
        band: &'static str,
        upper: bool,
    },
    /// Computed by the builder (seq, version, subject_key).
    Derived,
}

/// One column of a schema.
#[derive(Debug, Clone)]
pub struct ColumnDef {
    pub name: String,
    pub ty: ColumnType,
    pub source: ColumnSource,
    /// Catalogue type of the source field (for validation of model expressions).
    pub field_type: Option<FieldType>,
}

/// A fixed schema with name lookup.
#[derive(Debug)]
pub struct TableSchema {
    pub schema: SchemaRef,
    pub columns: Vec<ColumnDef>,
    by_name: HashMap<String, usize>,
}

impl TableSchema {
    fn new(columns: Vec<ColumnDef>, non_null: &[&str]) -> TableSchema {
        let fields: Vec<Field> = columns
            .iter()
            .map(|c| {
                Field::new(
                    c.name.clone(),
                    c.ty.data_type(),
                    !non_null.contains(&c.name.as_str()),
                )
            })
            .collect();
        let by_name = columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), i))
            .collect();
        TableSchema {
            schema: Arc::new(Schema::new(fields)),
            columns,
            by_name,
        }
    }

    /// Column index of `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    pub fn len(&self) -> usize {
        self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }
}

/// Names of the fixed envelope columns of record versions.
pub mod rec {
    pub const SEQ: usize = 0;
    pub const SOURCE: usize = 1;
    pub const ID: usize = 2;
    pub const VERSION: usize = 3;
    pub const KIND: usize = 4;
    pub const SUBJECT: usize = 5;
    pub const SUBJECT_KEY: usize = 6;
    pub const DATE: usize = 7;
    pub const WITHDRAWN: usize = 8;
    pub const REPAIRED_ON: usize = 9;
    /// First kind-specific column.
    pub const FIRST_FIELD: usize = 10;
}

/// Fixed columns of subject versions.
pub mod subj {
    pub const SEQ: usize = 0;
    pub const USCC: usize = 1;
    pub const SUBJECT_KEY: usize = 2;
    pub const VERSION: usize = 3;
    pub const NAME: usize = 4;
    pub const TYPE: usize = 5;
    /// First optional attribute column.
    pub const FIRST_FIELD: usize = 6;
}

fn column_type_of(ty: FieldType) -> Option<ColumnType> {
    Some(match ty {
        FieldType::Text | FieldType::Uscc | FieldType::Enum(_) => ColumnType::Str,
        FieldType::Date => ColumnType::Date,
        FieldType::Bool => ColumnType::Bool,
        FieldType::Int => ColumnType::Int,
        FieldType::Money => ColumnType::Num,
        FieldType::TextList | FieldType::EnumList(_) => ColumnType::StrList,
        FieldType::Objects(fields) => ColumnType::Objects(fields),
        FieldType::Bands | FieldType::People => return None,
    })
}

fn derived(name: &str, ty: ColumnType) -> ColumnDef {
    ColumnDef {
        name: name.into(),
        ty,
        source: ColumnSource::Derived,
        field_type: None,
    }
}

fn from_field(name: &'static str, ty: ColumnType, field_type: FieldType) -> ColumnDef {
    ColumnDef {
        name: name.into(),
        ty,
        source: ColumnSource::Field(name),
        field_type: Some(field_type),
    }
}

static RECORD_SCHEMA: LazyLock<TableSchema> = LazyLock::new(|| {
    let env = |n: &str| catalog::ENVELOPE.iter().find(|f| f.name == n).map(|f| f.ty);
    let mut cols = vec![
        derived("seq", ColumnType::Seq),
        from_field(
            "source",
            ColumnType::Str,
            env("source").unwrap_or(FieldType::Text),
        ),
        from_field("id", ColumnType::Str, env("id").unwrap_or(FieldType::Text)),
        derived("version", ColumnType::Version),
        ColumnDef {
            name: "kind".into(),
            ty: ColumnType::Kind,
            source: ColumnSource::Field("kind"),
            field_type: env("kind"),
        },
        from_field("subject", ColumnType::Str, FieldType::Uscc),
        derived("subject_key", ColumnType::Key),
        from_field("date", ColumnType::Date, FieldType::Date),
        from_field("withdrawn", ColumnType::Bool, FieldType::Bool),
        from_field("repaired_on", ColumnType::Date, FieldType::Date),
    ];
    debug_assert_eq!(cols.len(), rec::FIRST_FIELD);
    for spec in catalog::all_record_fields() {
        if cols.iter().any(|c| c.name == spec.name) {
            continue;
        }
        match spec.ty {
            FieldType::Bands => {
                for band in ["general", "serious"] {
                    for (upper, suffix) in [(false, "min"), (true, "max")] {
                        cols.push(ColumnDef {
                            name: format!("{}.{band}.{suffix}", spec.name),
                            ty: ColumnType::Num,
                            source: ColumnSource::Band {
                                field: spec.name,
                                band,
                                upper,
                            },
                            field_type: Some(FieldType::Money),
                        });
                    }
                }
            }
            other => {
                if let Some(ty) = column_type_of(other) {
                    cols.push(from_field(spec.name, ty, other));
                }
            }
        }
    }
    TableSchema::new(
        cols,
        &[
            "seq",
            "source",
            "id",
            "version",
            "kind",
            "subject",
            "subject_key",
            "date",
            "withdrawn",
        ],
    )
});

static SUBJECT_SCHEMA: LazyLock<TableSchema> = LazyLock::new(|| {
    let mut cols = vec![
        derived("seq", ColumnType::Seq),
        from_field("uscc", ColumnType::Str, FieldType::Uscc),
        derived("subject_key", ColumnType::Key),
        derived("version", ColumnType::Version),
        from_field("name", ColumnType::Str, FieldType::Text),
        from_field("type", ColumnType::Str, FieldType::Text),
    ];
    debug_assert_eq!(cols.len(), subj::FIRST_FIELD);
    for spec in SUBJECT_FIELDS {
        if cols.iter().any(|c| c.name == spec.name) {
            continue;
        }
        if let Some(ty) = column_type_of(spec.ty) {
            cols.push(from_field(spec.name, ty, spec.ty));
        }
    }
    TableSchema::new(
        cols,
        &["seq", "uscc", "subject_key", "version", "name", "type"],
    )
});

/// Schema of record versions.
pub fn record_schema() -> &'static TableSchema {
    &RECORD_SCHEMA
}

/// The columns a record of one kind can fill: the envelope (but `kind`,
/// which the kind tells) and the fields of the kind.
pub struct KindColumns {
    /// Indices in [`record_schema`], ascending.
    pub columns: Vec<usize>,
    /// The Arrow schema of those columns, in that order.
    pub schema: SchemaRef,
}

static KIND_COLUMNS: LazyLock<Vec<KindColumns>> = LazyLock::new(|| {
    let rs = record_schema();
    catalog::RecordKind::ALL
        .iter()
        .map(|kind| {
            let fields = kind.spec().fields;
            let columns: Vec<usize> = rs
                .columns
                .iter()
                .enumerate()
                .filter(|(i, c)| {
                    if *i == rec::KIND {
                        return false;
                    }
                    if *i < rec::FIRST_FIELD {
                        return true;
                    }
                    let name = match &c.source {
                        ColumnSource::Field(name) => name,
                        ColumnSource::Band { field, .. } => field,
                        ColumnSource::Derived => return false,
                    };
                    fields.iter().any(|f| f.name == *name)
                })
                .map(|(i, _)| i)
                .collect();
            let schema = Arc::new(Schema::new(
                columns
                    .iter()
                    .map(|&i| rs.schema.field(i).clone())
                    .collect::<Vec<_>>(),
            ));
            KindColumns { columns, schema }
        })
        .collect()
});

/// The columns of records of `kind` (the lake keeps each kind in files of
/// its own, with only these columns).
pub fn kind_columns(kind: catalog::RecordKind) -> &'static KindColumns {
    &KIND_COLUMNS[kind.index()]
}

/// Schema of subject versions.
pub fn subject_schema() -> &'static TableSchema {
    &SUBJECT_SCHEMA
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogued_record_field_has_a_column() {
        let s = record_schema();
        for f in catalog::all_record_fields() {
            match f.ty {
                FieldType::Bands => assert!(s.index(&format!("{}.serious.max", f.name)).is_some()),
                _ => assert!(s.index(f.name).is_some(), "{}", f.name),
            }
        }
        assert_eq!(s.index("kind"), Some(rec::KIND));
        assert_eq!(s.index("repaired_on"), Some(rec::REPAIRED_ON));
        assert_eq!(s.columns[rec::FIRST_FIELD].name, "decision_no");
    }

    #[test]
    fn each_kind_has_the_envelope_and_its_own_fields_only() {
        let rs = record_schema();
        for kind in catalog::RecordKind::ALL {
            let kc = kind_columns(kind);
            assert_eq!(kc.columns.len(), kc.schema.fields().len());
            for (&i, f) in kc.columns.iter().zip(kc.schema.fields()) {
                assert_eq!(rs.columns[i].name, *f.name());
            }
            assert!(!kc.columns.contains(&rec::KIND), "{kind}");
            for c in [rec::SEQ, rec::ID, rec::SUBJECT, rec::SUBJECT_KEY, rec::DATE] {
                assert!(kc.columns.contains(&c), "{kind}");
            }
            for f in kind.spec().fields {
                match f.ty {
                    FieldType::Bands => {
                        assert!(
                            kc.columns
                                .contains(&rs.index(&format!("{}.general.min", f.name)).unwrap())
                        )
                    }
                    FieldType::People => {}
                    _ => assert!(
                        kc.columns.contains(&rs.index(f.name).unwrap()),
                        "{}",
                        f.name
                    ),
                }
            }
        }
        let penalty = kind_columns(catalog::RecordKind::Penalty);
        assert!(!penalty.columns.contains(&rs.index("year").unwrap()));
        let report = kind_columns(catalog::RecordKind::AnnualReport);
        assert!(report.columns.contains(&rs.index("year").unwrap()));
        assert!(!report.columns.contains(&rs.index("fine_cny").unwrap()));
    }

    #[test]
    fn an_array_of_objects_is_a_list_of_structs_of_its_element_fields() {
        let s = record_schema();
        let i = s.index("installments").expect("installments column");
        let DataType::List(item) = s.schema.field(i).data_type() else {
            panic!("not a list: {:?}", s.schema.field(i).data_type());
        };
        let DataType::Struct(children) = item.data_type() else {
            panic!("not a struct: {:?}", item.data_type());
        };
        let names: Vec<(&str, &DataType)> = children
            .iter()
            .map(|f| (f.name().as_str(), f.data_type()))
            .collect();
        assert_eq!(
            names,
            [
                ("due_on", &DataType::Date32),
                ("amount_cny", &DataType::Float64),
                ("paid_on", &DataType::Date32),
                ("paid_cny", &DataType::Float64),
            ]
        );
        let ledger = kind_columns(catalog::RecordKind::GovLedger);
        assert!(ledger.columns.contains(&i));
        assert!(
            !kind_columns(catalog::RecordKind::Penalty)
                .columns
                .contains(&i)
        );
    }

    #[test]
    fn subject_schema_has_attributes_used_by_models() {
        let s = subject_schema();
        for name in [
            "established_on",
            "paid_in_capital_cny",
            "size",
            "industry",
            "status",
            "tax_registered",
        ] {
            assert!(s.index(name).is_some(), "{name}");
        }
        assert!(
            s.index("people").is_none(),
            "people are not evaluated columnarly"
        );
    }
}
