//! The compiled form of a model: resolved names, typed constants.

use xinyong_columnar::ColumnType;
use xinyong_core::catalog::RecordKind;
use xinyong_core::time::Period;

pub(crate) use super::functions::Func;
use super::syntax::{BinOp, Piece};

/// A constant value: literals and parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    /// Days since 1970-01-01.
    Date(i32),
    Period(Period),
    List(Vec<Const>),
    /// A table of named constants, in file order.
    Table(Vec<(String, Const)>),
}

impl Const {
    pub fn get(&self, key: &str) -> Option<&Const> {
        match self {
            Const::Table(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// What part of a subject-level model's result is read by another model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultPart {
    Class,
    Score,
    Grade,
    Eligible,
}

/// A compiled expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Const(Const),
    /// The as-of date `T`.
    AsOf,
    /// `[add(T, -p), T]`.
    WindowBack(Period),
    /// A subject-level named value (memoised per evaluation).
    Let(usize),
    /// A record-level named value of a record model (memoised per record).
    RecLet(usize),
    /// A column of the record at scope depth `depth` (0 = innermost).
    Field {
        depth: usize,
        col: usize,
    },
    /// Whether `basis_bands` has any band (true or null).
    HasBands {
        depth: usize,
    },
    /// One band of `basis_bands` as a range.
    Band {
        depth: usize,
        min_col: usize,
        max_col: usize,
    },
    /// Whether the record at `depth` counts at `T` (PRODUCT.md §3).
    Counts {
        depth: usize,
    },
    /// Whether the list entry at `depth` is current at `T`.
    Current {
        depth: usize,
    },
    /// The record at `depth` itself (a named scope used as a value).
    Rec {
        depth: usize,
    },
    /// Field `sub` (its struct child, see `ColumnType::children`) of the
    /// element of an array of objects being iterated (`count_items`).
    Item {
        sub: usize,
        ty: ColumnType,
    },
    /// A column of a record value.
    FieldOf {
        rec: Box<Expr>,
        col: usize,
    },
    /// A subject attribute column.
    Subject {
        col: usize,
    },
    /// The subject's status (`active` when not given).
    SubjectStatus,
    /// Counting records of a kind (list entries about the subject itself only).
    Source(RecordKind),
    /// Counting list entries about a person of the subject (`person_role` given).
    PersonEntries,
    /// Records of `set` for which `cond` holds; `cond` sees the record at depth 0.
    Where {
        set: Box<Expr>,
        cond: Box<Expr>,
    },
    /// A part of another subject-level model's result.
    ModelResult {
        model: usize,
        part: ResultPart,
    },
    /// A named value of a record model for the record at `depth`.
    RecordModel {
        model: usize,
        slot: usize,
        depth: usize,
    },
    /// `f(args)`; for set functions the per-record argument sees the record at depth 0.
    Call(Func, Vec<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    /// `table[key]` or `list[index]`.
    Index(Box<Expr>, Box<Expr>),
    /// `table.key`.
    Member(Box<Expr>, String),
}

/// A compiled reason text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Template {
    pub pieces: Vec<TemplatePiece>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePiece {
    Text(String),
    Expr(Expr),
}

impl Template {
    pub(crate) fn from_pieces<E>(
        pieces: Vec<Piece>,
        mut compile: impl FnMut(&super::syntax::Node, super::syntax::Span) -> Result<Expr, E>,
    ) -> Result<Template, E> {
        let mut out = Vec::with_capacity(pieces.len());
        for p in pieces {
            match p {
                Piece::Text(t) => out.push(TemplatePiece::Text(t)),
                Piece::Expr(node, span) => out.push(TemplatePiece::Expr(compile(&node, span)?)),
            }
        }
        Ok(Template { pieces: out })
    }
}

/// A compiled rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: String,
    pub when: Expr,
    pub text: Template,
    pub fail_text: Option<Template>,
    pub value: Option<Expr>,
    pub records: Option<Expr>,
}

/// One outcome (class or list) with its rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub id: String,
    pub label: String,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    pub id: String,
    pub label: String,
    pub max: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub id: String,
    pub dimension: usize,
    pub label: String,
    pub max: f64,
    /// The least points (0, or below 0 for a deduction).
    pub min: f64,
    pub weight: f64,
    pub points: Expr,
    /// For a deduction (`min` < 0): `points < 0`, whose end is its `stops_on`.
    pub deducts: Option<Expr>,
    pub text: Template,
    pub records: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Veto {
    pub rule: Rule,
    /// Index of the capping grade in `grades`.
    pub cap: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Grade {
    pub id: String,
    pub label: String,
    pub min: Option<f64>,
}

/// The decision structure of a model.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Outcomes checked in order; the first with a true rule wins.
    Classification {
        classes: Vec<Outcome>,
        default_class: String,
        default_label: String,
    },
    /// List outcomes checked in order; the first with a true rule wins (none: no list).
    Lists { outcomes: Vec<Outcome> },
    /// Every condition must hold.
    Eligibility { conditions: Vec<Rule> },
    /// Weighted indicator points, grade bands, vetoes that cap the grade.
    Scoring {
        dimensions: Vec<Dimension>,
        indicators: Vec<Indicator>,
        vetoes: Vec<Veto>,
        grades: Vec<Grade>,
    },
    /// One line per record of kind `over`: the first matching rule gives the
    /// outcome field, then the named outputs are computed.
    Record {
        over: RecordKind,
        select: Option<Expr>,
        outcome_field: String,
        rules: Vec<Rule>,
        outputs: Vec<(String, usize)>,
    },
}

/// The kind of a model, as named in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    Classification,
    Lists,
    Eligibility,
    Scoring,
    Record,
}

impl ModelKind {
    pub fn parse(s: &str) -> Option<ModelKind> {
        Some(match s {
            "classification" => ModelKind::Classification,
            "lists" => ModelKind::Lists,
            "eligibility" => ModelKind::Eligibility,
            "scoring" => ModelKind::Scoring,
            "record" => ModelKind::Record,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Classification => "classification",
            ModelKind::Lists => "lists",
            ModelKind::Eligibility => "eligibility",
            ModelKind::Scoring => "scoring",
            ModelKind::Record => "record",
        }
    }
}
