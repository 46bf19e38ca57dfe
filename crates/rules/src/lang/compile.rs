//! Compilation of a model file: names are resolved, types checked, constants
//! folded. Every mistake is reported at its line and column, and compilation
//! goes on after one (with the next header entry, named value, rule or
//! expression) so that all of a file's mistakes are reported together. Calls
//! of built-in functions are checked against their definitions
//! (`super::functions`).

use std::collections::HashMap;

use xinyong_columnar::{ColumnType, record_schema, subject_schema};
use xinyong_core::catalog::{self, FieldType, RecordKind};
use xinyong_core::time::{self, Period};

use super::diagnostics::{Diagnostic, ModelError, Positions};
use super::file::{ModelFile, Src, parse_file};
use super::functions::{self, Checked, Def, Eval, PerRecord};
use super::ir::*;
use super::syntax::{self, Ast, BinOp, Node, Span, Unit};
use super::types::{Ty, const_ty, list_not_codes, text_not_a_code};

/// A compiled, validated model.
#[derive(Debug, Clone)]
pub struct Model {
    pub id: String,
    pub version: String,
    pub name: String,
    pub kind: ModelKind,
    pub source: String,
    pub description: Option<String>,
    /// Days since epoch.
    pub valid_from: Option<i32>,
    pub valid_to: Option<i32>,
    pub visibility: String,
    pub uses: Vec<String>,
    /// File name the model was read from.
    pub origin: String,
    /// The model file as written (kept for installation and audit).
    pub text: String,
    pub(crate) lets: Vec<Expr>,
    pub(crate) let_names: Vec<String>,
    pub(crate) rec_lets: Vec<Expr>,
    pub(crate) rec_let_names: Vec<String>,
    pub(crate) body: Body,
    /// The subjects the model is kept for over the store (`applies_to`);
    /// none: every subject.
    pub(crate) applies_to: Option<Expr>,
    /// Indices (in the model set) of the models this one reads.
    pub(crate) deps: Vec<usize>,
    /// Every period constant the model uses (for "when does this rule stop").
    pub(crate) periods: Vec<Period>,
    /// Identifier under which other models refer to this one.
    pub alias: String,
}

impl Model {
    /// Whether the model applies to evaluations as of `as_of` (days since epoch).
    pub fn in_force(&self, as_of: i32) -> bool {
        self.valid_from.is_none_or(|f| f <= as_of) && self.valid_to.is_none_or(|t| as_of <= t)
    }

    /// The record kind of a record-level model.
    pub fn record_kind(&self) -> Option<RecordKind> {
        match &self.body {
            Body::Record { over, .. } => Some(*over),
            _ => None,
        }
    }

    /// Ids of the rules of the model, in order (classes, outcomes, conditions, vetoes, indicators, rules).
    pub fn rule_ids(&self) -> Vec<String> {
        match &self.body {
            Body::Classification { classes, .. } => classes
                .iter()
                .flat_map(|c| c.rules.iter().map(|r| r.id.clone()))
                .collect(),
            Body::Lists { outcomes, .. } => outcomes
                .iter()
                .flat_map(|c| c.rules.iter().map(|r| r.id.clone()))
                .collect(),
            Body::Eligibility { conditions } => conditions.iter().map(|r| r.id.clone()).collect(),
            Body::Scoring {
                vetoes, indicators, ..
            } => vetoes
                .iter()
                .map(|v| v.rule.id.clone())
                .chain(indicators.iter().map(|i| i.id.clone()))
                .collect(),
            Body::Record { rules, .. } => rules.iter().map(|r| r.id.clone()).collect(),
        }
    }

    /// A scoring model's dimensions in file order, each with the ids of its
    /// indicators (whose reasons carry their weighted points); empty for a
    /// model of another kind.
    pub fn dimensions(&self) -> Vec<ScoringDimension<'_>> {
        let Body::Scoring {
            dimensions,
            indicators,
            ..
        } = &self.body
        else {
            return Vec::new();
        };
        dimensions
            .iter()
            .enumerate()
            .map(|(i, d)| ScoringDimension {
                id: &d.id,
                label: &d.label,
                max: d.max,
                indicators: indicators
                    .iter()
                    .filter(|x| x.dimension == i)
                    .map(|x| x.id.as_str())
                    .collect(),
            })
            .collect()
    }

    /// The Chinese label of a scoring model's indicator.
    pub fn indicator_label(&self, id: &str) -> Option<&str> {
        match &self.body {
            Body::Scoring { indicators, .. } => indicators
                .iter()
                .find(|i| i.id == id)
                .map(|i| i.label.as_str()),
            _ => None,
        }
    }

    /// Names of the model's named values (`[let]`), in evaluation order.
    pub fn named_values(&self) -> impl Iterator<Item = &str> {
        self.let_names
            .iter()
            .chain(&self.rec_let_names)
            .map(String::as_str)
    }

    /// Classes (classification), lists (lists) or grades (scoring), in file order.
    pub fn outcome_ids(&self) -> Vec<String> {
        match &self.body {
            Body::Classification {
                classes,
                default_class,
                ..
            } => classes
                .iter()
                .map(|c| c.id.clone())
                .chain([default_class.clone()])
                .collect(),
            Body::Lists { outcomes, .. } => outcomes.iter().map(|c| c.id.clone()).collect(),
            Body::Scoring { grades, .. } => grades.iter().map(|g| g.id.clone()).collect(),
            _ => Vec::new(),
        }
    }
}

/// One dimension of a scoring model ([`Model::dimensions`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoringDimension<'m> {
    pub id: &'m str,
    /// The Chinese name (e.g. 基本情况).
    pub label: &'m str,
    /// The most points the dimension gives.
    pub max: f64,
    /// The ids of its indicators, in file order.
    pub indicators: Vec<&'m str>,
}

/// Information about already compiled models that this one may use.
pub(crate) struct Known<'a> {
    pub models: &'a [Model],
}

#[derive(Clone)]
enum LetState {
    Pending,
    InProgress,
    Done(usize, Ty),
    /// Its mistake is reported where it is written (not again at each use).
    Failed,
}

struct Scope {
    name: Option<String>,
    kind: RecordKind,
}

/// The element of a record's array of objects that a per-element argument
/// (`count_items(installments, …)`) sees: its fields are the innermost names
/// while no record scope is opened inside it.
struct ItemScope {
    fields: &'static [catalog::FieldSpec],
    /// The number of record scopes when it was opened.
    at: usize,
}

struct Cx<'a> {
    pos: Positions<'a>,
    /// Offset in the file of the expression being compiled.
    base: usize,
    params: HashMap<String, Const>,
    let_src: HashMap<String, Src>,
    lets: HashMap<String, LetState>,
    let_exprs: Vec<Option<Expr>>,
    let_names: Vec<String>,
    /// Record models: record-level names (lets, the outcome field, outputs).
    rec_src: HashMap<String, Src>,
    rec_lets: HashMap<String, LetState>,
    rec_exprs: Vec<Option<Expr>>,
    rec_names: Vec<String>,
    record_over: Option<RecordKind>,
    outcome_field: Option<String>,
    scopes: Vec<Scope>,
    items: Vec<ItemScope>,
    uses: HashMap<String, usize>,
    /// Aliases of `uses` entries that name no loaded model (reported there,
    /// not again where they are read).
    unknown_uses: Vec<String>,
    known: &'a Known<'a>,
    periods: Vec<Period>,
    /// The expression being compiled is a whole `{join(…)}` piece of a text.
    join_here: bool,
    /// The mistakes found so far.
    diags: Vec<Diagnostic>,
}

/// A failed compilation: its mistake, or `None` when it was already
/// reported (a named value that is wrong, used by the expression).
struct Fail(Option<Diagnostic>);

impl From<Diagnostic> for Fail {
    fn from(d: Diagnostic) -> Fail {
        Fail(Some(d))
    }
}

type R<T> = Result<T, Fail>;

/// What stands for an expression that could not be compiled (so that the
/// rest of the file is checked too; the model is not loaded).
const WRONG: Expr = Expr::Const(Const::Null);

impl<'a> Cx<'a> {
    fn err(&self, span: Span, msg: impl Into<String>) -> Fail {
        self.pos.error(self.base + span.start, msg).into()
    }

    /// Report the mistake of `f`, if not reported yet.
    fn report(&mut self, f: Fail) {
        self.diags.extend(f.0);
    }

    /// The value of `r`, or `None` after reporting its mistake.
    fn keep<T>(&mut self, r: R<T>) -> Option<T> {
        r.map_err(|f| self.report(f)).ok()
    }

    /// Report a mistake at byte `offset` of the file.
    fn wrong(&mut self, offset: usize, msg: impl Into<String>) {
        let d = self.pos.error(offset, msg);
        self.diags.push(d);
    }

    fn note_period(&mut self, p: Period) {
        if !self.periods.contains(&p) {
            self.periods.push(p);
        }
    }

    /// Compile an expression written in the file at `src`.
    fn compile_src(&mut self, src: &Src) -> R<(Expr, Ty)> {
        let saved = self.base;
        self.base = self.pos.string_content_start(src.span());
        let node = syntax::parse(src.get_ref())
            .map_err(|e| self.err(e.span, format!("syntax: {}", e.message)))?;
        let out = self.node(&node);
        self.base = saved;
        out
    }

    fn compile_bool(&mut self, src: &Src, what: &str) -> R<Expr> {
        let saved = self.base;
        let (e, ty) = self.compile_src(src)?;
        if !matches!(ty, Ty::Bool | Ty::Any | Ty::Null) {
            self.base = self.pos.string_content_start(src.span());
            let err = self.err(
                Span::default(),
                format!("{what} must be true/false, but this is {}", ty.name()),
            );
            self.base = saved;
            return Err(err);
        }
        Ok(e)
    }

    fn compile_set(&mut self, src: &Src) -> R<Expr> {
        let (e, ty) = self.compile_src(src)?;
        match ty {
            Ty::Set(_) => Ok(e),
            other => {
                let start = self.pos.string_content_start(src.span());
                Err(self
                    .pos
                    .error(
                        start,
                        format!(
                            "`records` must be a set of records, but this is {}",
                            other.name()
                        ),
                    )
                    .into())
            }
        }
    }

    fn template(&mut self, src: &Src) -> R<Template> {
        let start = self.pos.string_content_start(src.span());
        let pieces = syntax::parse_template(src.get_ref()).map_err(|e| {
            Fail::from(
                self.pos
                    .error(start + e.span.start, format!("text: {}", e.message)),
            )
        })?;
        let saved = self.base;
        self.base = start;
        let t = Template::from_pieces(pieces, |node, span| {
            // Spans inside a piece are relative to the piece's expression.
            self.base = start + span.start;
            // join() renders text: allowed as a whole `{join(…)}` piece only.
            self.join_here = matches!(&node.ast, Ast::Call(n, _) if n == "join");
            let out = self.node(node);
            self.join_here = false;
            // A wrong piece is reported and the next one checked too.
            Ok(self.keep(out).map_or(WRONG, |(e, _)| e))
        });
        self.base = saved;
        t
    }

    fn node(&mut self, n: &Node) -> R<(Expr, Ty)> {
        match &n.ast {
            Ast::Num(v) => Ok((Expr::Const(Const::Num(*v)), Ty::Num)),
            Ast::Str(s) => Ok((Expr::Const(Const::Str(s.clone())), Ty::Str(None))),
            Ast::Bool(b) => Ok((Expr::Const(Const::Bool(*b)), Ty::Bool)),
            Ast::Null => Ok((Expr::Const(Const::Null), Ty::Null)),
            Ast::Duration(v, unit) => {
                if v.fract() != 0.0 || v.abs() > 1200.0 {
                    return Err(self.err(n.span, "a duration must be a whole number"));
                }
                let k = *v as i32;
                let p = match unit {
                    Unit::Days => Period::days(k),
                    Unit::Months => Period::months(k),
                    Unit::Years => Period::years(k),
                };
                self.note_period(p);
                Ok((Expr::Const(Const::Period(p)), Ty::Period))
            }
            Ast::Ident(name) => self.ident(name, n.span),
            Ast::List(items) => {
                // Lists are constant: `[...]` may hold literals and parameters
                // only (the evaluator has no run-time lists).
                let mut consts = Vec::with_capacity(items.len());
                let mut item_ty = Ty::Any;
                for it in items {
                    let (e, t) = self.node(it)?;
                    let Expr::Const(c) = e else {
                        return Err(self.err(it.span, "a list [...] may only hold constants (texts, numbers, dates, periods, parameters)"));
                    };
                    item_ty = t;
                    consts.push(c);
                }
                Ok((
                    Expr::Const(Const::List(consts)),
                    Ty::List(Box::new(item_ty)),
                ))
            }
            Ast::Field(base, name) => self.field(base, name, n.span),
            Ast::Index(base, idx) => {
                let (b, bt) = self.node(base)?;
                let (i, _) = self.node(idx)?;
                if !matches!(bt, Ty::Table | Ty::List(_) | Ty::Any) {
                    return Err(self.err(base.span, format!("cannot index {}", bt.name())));
                }
                let item = if let Ty::List(t) = bt { *t } else { Ty::Any };
                Ok((Expr::Index(Box::new(b), Box::new(i)), item))
            }
            Ast::Neg(inner) => {
                let (e, t) = self.node(inner)?;
                if let Expr::Const(Const::Num(v)) = e {
                    return Ok((Expr::Const(Const::Num(-v)), Ty::Num));
                }
                if let Expr::Const(Const::Period(p)) = e {
                    let neg = Period {
                        months: -p.months,
                        days: -p.days,
                    };
                    self.note_period(neg);
                    return Ok((Expr::Const(Const::Period(neg)), Ty::Period));
                }
                Ok((
                    Expr::Neg(Box::new(e)),
                    if t == Ty::Period { Ty::Period } else { Ty::Num },
                ))
            }
            Ast::Not(inner) => {
                let (e, _) = self.node(inner)?;
                Ok((Expr::Not(Box::new(e)), Ty::Bool))
            }
            Ast::Bin(op, l, r) => self.binary(*op, l, r, n.span),
            Ast::Call(name, args) => self.call(name, args, n.span),
            Ast::Where { set, name, cond } => {
                let (s, st) = self.node(set)?;
                let Ty::Set(kind) = st else {
                    return Err(self.err(
                        set.span,
                        format!(
                            "'where' needs a set of records on its left, but this is {}",
                            st.name()
                        ),
                    ));
                };
                if let Some(nm) = name {
                    self.check_free_name(nm, set.span)?;
                }
                self.scopes.push(Scope {
                    name: name.clone(),
                    kind,
                });
                let c = self.node(cond);
                self.scopes.pop();
                let (c, ct) = c?;
                if !matches!(ct, Ty::Bool | Ty::Any | Ty::Null) {
                    return Err(self.err(
                        cond.span,
                        format!(
                            "a 'where' condition must be true/false, but this is {}",
                            ct.name()
                        ),
                    ));
                }
                Ok((
                    Expr::Where {
                        set: Box::new(s),
                        cond: Box::new(c),
                    },
                    Ty::Set(kind),
                ))
            }
        }
    }

    fn check_free_name(&self, name: &str, span: Span) -> R<()> {
        if self.params.contains_key(name)
            || self.let_src.contains_key(name)
            || self.rec_src.contains_key(name)
        {
            return Err(self.err(
                span,
                format!("'{name}' is already a parameter or named value"),
            ));
        }
        Ok(())
    }

    /// The field `name` of records of `kind`, as an expression on the record at `depth`.
    fn record_field(&self, kind: RecordKind, name: &str, depth: usize) -> Option<(Expr, Ty)> {
        match name {
            "counts" => return Some((Expr::Counts { depth }, Ty::Bool)),
            "current" if kind == RecordKind::ListEntry => {
                return Some((Expr::Current { depth }, Ty::Bool));
            }
            "basis_bands" if kind.field(name).is_some() => {
                return Some((Expr::HasBands { depth }, Ty::Bands));
            }
            _ => {}
        }
        let spec = catalog::ENVELOPE
            .iter()
            .find(|f| f.name == name)
            .or_else(|| kind.field(name))?;
        let col = record_schema().index(name)?;
        Some((Expr::Field { depth, col }, field_ty(spec.ty)?))
    }

    /// A field of the innermost element of an array of objects, if an
    /// element is the innermost scope.
    fn item_field(&self, name: &str) -> Option<(Expr, Ty)> {
        let it = self.items.last().filter(|it| it.at == self.scopes.len())?;
        let (sub, (spec, ty)) = ColumnType::children(it.fields)
            .enumerate()
            .find(|(_, (f, _))| f.name == name)?;
        Some((Expr::Item { sub, ty }, field_ty(spec.ty)?))
    }

    fn ident(&mut self, name: &str, span: Span) -> R<(Expr, Ty)> {
        // 0. A field of the element of an array of objects being iterated.
        if let Some(found) = self.item_field(name) {
            return Ok(found);
        }
        // 1. A field of the innermost record, or a named record.
        if let Some(scope) = self.scopes.last()
            && let Some(found) = self.record_field(scope.kind, name, 0)
        {
            return Ok(found);
        }
        if let Some(depth) = self
            .scopes
            .iter()
            .rev()
            .position(|s| s.name.as_deref() == Some(name))
        {
            let kind = self.scopes[self.scopes.len() - 1 - depth].kind;
            return Ok((Expr::Rec { depth }, Ty::Rec(kind)));
        }
        // 2. Record-level names of a record model.
        if self.rec_src.contains_key(name) || self.outcome_field.as_deref() == Some(name) {
            return self.rec_let(name, span);
        }
        // 3. Named values, then parameters.
        if self.let_src.contains_key(name) {
            return self.subject_let(name, span);
        }
        if let Some(c) = self.params.get(name) {
            return Ok((Expr::Const(c.clone()), const_ty(c)));
        }
        // 4. Built-in names.
        match name {
            "T" => return Ok((Expr::AsOf, Ty::Date)),
            "W3" => {
                self.note_period(Period::years(3));
                return Ok((Expr::WindowBack(Period::years(3)), Ty::Window));
            }
            "M12" => {
                self.note_period(Period::months(12));
                return Ok((Expr::WindowBack(Period::months(12)), Ty::Window));
            }
            "person_list_entry" => {
                return Ok((Expr::PersonEntries, Ty::Set(RecordKind::ListEntry)));
            }
            _ => {}
        }
        if let Some(kind) = RecordKind::parse(name) {
            return Ok((Expr::Source(kind), Ty::Set(kind)));
        }
        if name == "subject" {
            return Err(self.err(span, "use subject.<attribute>, e.g. subject.established_on"));
        }
        if self.uses.contains_key(name) {
            return Err(self.err(span, format!("use {name}.<part>, e.g. {name}.class")));
        }
        if self.unknown_uses.iter().any(|u| u == name) {
            return Err(Fail(None));
        }
        let hint = match self.scopes.last() {
            Some(s) => format!(" (not a field of {} records either)", s.kind),
            None if catalog::all_record_fields().iter().any(|f| f.name == name) => {
                " (it is a record field: use it inside `<kind> where …`)".to_string()
            }
            None => String::new(),
        };
        Err(self.err(span, format!("unknown name '{name}'{hint}")))
    }

    fn subject_let(&mut self, name: &str, span: Span) -> R<(Expr, Ty)> {
        match self.lets.get(name).cloned().unwrap_or(LetState::Pending) {
            LetState::Done(slot, ty) => Ok((Expr::Let(slot), ty)),
            LetState::Failed => Err(Fail(None)),
            LetState::InProgress => {
                Err(self.err(span, format!("'{name}' is defined in terms of itself")))
            }
            LetState::Pending => {
                let Some(src) = self.let_src.get(name).cloned() else {
                    return Err(self.err(span, format!("unknown name '{name}'")));
                };
                self.lets.insert(name.to_owned(), LetState::InProgress);
                // A named value is evaluated once per subject: outside any record.
                let saved_scopes = std::mem::take(&mut self.scopes);
                let saved_items = std::mem::take(&mut self.items);
                let compiled = self.compile_src(&src);
                self.scopes = saved_scopes;
                self.items = saved_items;
                let Some((e, ty)) = self.keep(compiled) else {
                    self.lets.insert(name.to_owned(), LetState::Failed);
                    return Err(Fail(None));
                };
                let slot = self.let_exprs.len();
                self.let_exprs.push(Some(e));
                self.let_names.push(name.to_owned());
                self.lets
                    .insert(name.to_owned(), LetState::Done(slot, ty.clone()));
                Ok((Expr::Let(slot), ty))
            }
        }
    }

    fn rec_let(&mut self, name: &str, span: Span) -> R<(Expr, Ty)> {
        let Some(over) = self.record_over else {
            return Err(self.err(span, format!("unknown name '{name}'")));
        };
        match self
            .rec_lets
            .get(name)
            .cloned()
            .unwrap_or(LetState::Pending)
        {
            LetState::Done(slot, ty) => Ok((Expr::RecLet(slot), ty)),
            LetState::Failed => Err(Fail(None)),
            LetState::InProgress => {
                Err(self.err(span, format!("'{name}' is defined in terms of itself")))
            }
            LetState::Pending => {
                if self.outcome_field.as_deref() == Some(name) {
                    // The outcome slot is filled by the rules, not by an expression.
                    let slot = self.rec_exprs.len();
                    self.rec_exprs.push(None);
                    self.rec_names.push(name.to_owned());
                    self.rec_lets
                        .insert(name.to_owned(), LetState::Done(slot, Ty::Str(None)));
                    return Ok((Expr::RecLet(slot), Ty::Str(None)));
                }
                let Some(src) = self.rec_src.get(name).cloned() else {
                    return Err(self.err(span, format!("unknown name '{name}'")));
                };
                self.rec_lets.insert(name.to_owned(), LetState::InProgress);
                let saved_scopes = std::mem::replace(
                    &mut self.scopes,
                    vec![Scope {
                        name: None,
                        kind: over,
                    }],
                );
                let saved_items = std::mem::take(&mut self.items);
                let compiled = self.compile_src(&src);
                self.scopes = saved_scopes;
                self.items = saved_items;
                let Some((e, ty)) = self.keep(compiled) else {
                    self.rec_lets.insert(name.to_owned(), LetState::Failed);
                    return Err(Fail(None));
                };
                let slot = self.rec_exprs.len();
                self.rec_exprs.push(Some(e));
                self.rec_names.push(name.to_owned());
                self.rec_lets
                    .insert(name.to_owned(), LetState::Done(slot, ty.clone()));
                Ok((Expr::RecLet(slot), ty))
            }
        }
    }

    fn field(&mut self, base: &Node, name: &str, span: Span) -> R<(Expr, Ty)> {
        if let Ast::Ident(b) = &base.ast {
            let shadowed = self
                .scopes
                .last()
                .is_some_and(|s| self.record_field(s.kind, b, 0).is_some())
                || self
                    .scopes
                    .iter()
                    .any(|s| s.name.as_deref() == Some(b.as_str()));
            if !shadowed {
                if b == "subject" {
                    if name == "status" {
                        return Ok((
                            Expr::SubjectStatus,
                            Ty::Str(Some(catalog::SUBJECT_STATUSES)),
                        ));
                    }
                    let spec = catalog::SUBJECT_FIELDS.iter().find(|f| f.name == name);
                    let col = subject_schema().index(name);
                    return match (spec, col) {
                        (Some(spec), Some(col)) => {
                            let ty = match spec.ty {
                                FieldType::Enum(d) => Ty::Str(Some(d)),
                                FieldType::Date => Ty::Date,
                                FieldType::Bool => Ty::Bool,
                                FieldType::Int | FieldType::Money => Ty::Num,
                                _ => Ty::Str(None),
                            };
                            Ok((Expr::Subject { col }, ty))
                        }
                        _ => Err(self.err(span, format!("subjects have no attribute '{name}'"))),
                    };
                }
                if let Some(&model) = self.uses.get(b.as_str()) {
                    return self.model_part(model, name, span);
                }
                if self.unknown_uses.contains(b) {
                    return Err(Fail(None));
                }
            }
        }
        let (b, bt) = self.node(base)?;
        match bt {
            Ty::Rec(kind) => {
                let depth = match &b {
                    Expr::Rec { depth } => Some(*depth),
                    _ => None,
                };
                match depth {
                    Some(d) => self.record_field(kind, name, d).ok_or_else(|| {
                        self.err(span, format!("{kind} records have no field '{name}'"))
                    }),
                    None => {
                        let (e, ty) = self.record_field(kind, name, 0).ok_or_else(|| {
                            self.err(span, format!("{kind} records have no field '{name}'"))
                        })?;
                        match e {
                            Expr::Field { col, .. } => Ok((
                                Expr::FieldOf {
                                    rec: Box::new(b),
                                    col,
                                },
                                ty,
                            )),
                            _ => Err(self.err(
                                span,
                                format!("'{name}' cannot be read from a computed record"),
                            )),
                        }
                    }
                }
            }
            Ty::Bands => {
                let Expr::HasBands { depth } = b else {
                    return Err(self.err(span, "fine bands can only be read from a record field"));
                };
                if name != "general" && name != "serious" {
                    return Err(self.err(span, "fine bands are 'general' or 'serious'"));
                }
                let schema = record_schema();
                let (Some(min_col), Some(max_col)) = (
                    schema.index(&format!("basis_bands.{name}.min")),
                    schema.index(&format!("basis_bands.{name}.max")),
                ) else {
                    return Err(self.err(span, "fine band columns missing"));
                };
                Ok((
                    Expr::Band {
                        depth,
                        min_col,
                        max_col,
                    },
                    Ty::Range,
                ))
            }
            Ty::Table | Ty::Any => {
                if let Expr::Const(c) = &b {
                    return match c.get(name) {
                        Some(v) => Ok((Expr::Const(v.clone()), const_ty(v))),
                        None => {
                            Err(self
                                .err(span, format!("the parameter table has no entry '{name}'")))
                        }
                    };
                }
                Ok((Expr::Member(Box::new(b), name.to_owned()), Ty::Any))
            }
            other => Err(self.err(span, format!("cannot read '.{name}' of {}", other.name()))),
        }
    }

    fn model_part(&mut self, model: usize, part: &str, span: Span) -> R<(Expr, Ty)> {
        let m = &self.known.models[model];
        match &m.body {
            Body::Record { over, .. } => {
                let Some(depth) = self.scopes.iter().rev().position(|s| s.kind == *over) else {
                    return Err(self.err(
                        span,
                        format!(
                            "{} applies to {over} records: use it inside `{over} where …`",
                            m.alias
                        ),
                    ));
                };
                let Some(slot) = m.rec_let_names.iter().position(|n| n == part) else {
                    return Err(self.err(
                        span,
                        format!(
                            "{} has no output '{part}' (it has {})",
                            m.alias,
                            m.rec_let_names.join(", ")
                        ),
                    ));
                };
                Ok((Expr::RecordModel { model, slot, depth }, Ty::Any))
            }
            body => {
                let (p, ty) = match (part, body) {
                    ("class", Body::Classification { .. }) => (ResultPart::Class, Ty::Str(None)),
                    ("score", Body::Scoring { .. }) => (ResultPart::Score, Ty::Num),
                    ("grade", Body::Scoring { .. }) => (ResultPart::Grade, Ty::Str(None)),
                    ("eligible", Body::Eligibility { .. }) => (ResultPart::Eligible, Ty::Bool),
                    _ => {
                        return Err(
                            self.err(span, format!("{} has no result part '{part}'", m.alias))
                        );
                    }
                };
                Ok((Expr::ModelResult { model, part: p }, ty))
            }
        }
    }

    fn binary(&mut self, op: BinOp, l: &Node, r: &Node, span: Span) -> R<(Expr, Ty)> {
        let (le, lt) = self.node(l)?;
        let (re, rt) = self.node(r)?;
        let ty = match op {
            BinOp::Or | BinOp::And => Ty::Bool,
            BinOp::Eq | BinOp::Ne => {
                self.check_codes(&lt, &re, r.span)?;
                self.check_codes(&rt, &le, l.span)?;
                Ty::Bool
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let ok = |t: &Ty| matches!(t, Ty::Num | Ty::Date | Ty::Any | Ty::Null | Ty::Str(_));
                if !ok(&lt) || !ok(&rt) {
                    return Err(self.err(
                        span,
                        format!("cannot compare {} with {}", lt.name(), rt.name()),
                    ));
                }
                Ty::Bool
            }
            BinOp::In | BinOp::NotIn => {
                match &rt {
                    Ty::List(_) => {
                        if let Some(message) = list_not_codes(&lt, &re) {
                            return Err(self.err(r.span, message));
                        }
                    }
                    Ty::Window | Ty::Range | Ty::Any => {}
                    other => {
                        return Err(self.err(
                            r.span,
                            format!(
                                "'in' needs a list, a window or a range on its right, not {}",
                                other.name()
                            ),
                        ));
                    }
                }
                Ty::Bool
            }
            BinOp::Coalesce => {
                if lt == Ty::Null {
                    rt
                } else {
                    lt
                }
            }
            BinOp::Add | BinOp::Sub => match (&lt, &rt) {
                (Ty::Date, _) => Ty::Date,
                _ => Ty::Num,
            },
            BinOp::Mul | BinOp::Div => Ty::Num,
        };
        // Fold arithmetic on constants.
        if let (Expr::Const(Const::Num(a)), Expr::Const(Const::Num(b))) = (&le, &re) {
            let v = match op {
                BinOp::Add => Some(a + b),
                BinOp::Sub => Some(a - b),
                BinOp::Mul => Some(a * b),
                BinOp::Div if *b != 0.0 => Some(a / b),
                _ => None,
            };
            if let Some(v) = v {
                return Ok((Expr::Const(Const::Num(v)), Ty::Num));
            }
        }
        Ok((Expr::Bin(op, Box::new(le), Box::new(re)), ty))
    }

    /// When `t` is a coded field and `other` a constant text, the text must be a code.
    fn check_codes(&self, t: &Ty, other: &Expr, span: Span) -> R<()> {
        match text_not_a_code(t, other) {
            Some(message) => Err(self.err(span, message)),
            None => Ok(()),
        }
    }

    /// A call of a built-in function, checked against its definition.
    fn call(&mut self, name: &str, args: &[Node], span: Span) -> R<(Expr, Ty)> {
        let mut defs = functions::named(name);
        let Some(first) = defs.next() else {
            return Err(self.err(span, format!("unknown function '{name}'")));
        };
        let def = match defs.next() {
            // `min` and `max` are over a set when the first of two
            // arguments is a set.
            Some(scalar) => {
                let over_set = args.len() == 2
                    && self
                        .node(&args[0])
                        .is_ok_and(|(_, t)| matches!(t, Ty::Set(_)));
                if over_set { first } else { scalar }
            }
            None => first,
        };
        if def.takes_set() {
            self.call_over_set(name, def, args, span)
        } else if def.per_item != PerRecord::None {
            self.call_over_items(name, def, args, span)
        } else {
            self.call_scalar(name, def, args, span)
        }
    }

    fn check_arity(&self, name: &str, def: &Def, args: &[Node], span: Span) -> R<()> {
        if def.arity.contains(&args.len()) {
            return Ok(());
        }
        let counts: Vec<String> = def.arity.iter().map(|a| a.to_string()).collect();
        Err(self.err(
            span,
            format!("{name}() takes {} argument(s)", counts.join(" or ")),
        ))
    }

    /// A set function: the set first, then the per-record argument (which
    /// sees the set's records), then the others.
    fn call_over_set(&mut self, name: &str, def: &Def, args: &[Node], span: Span) -> R<(Expr, Ty)> {
        if matches!(def.eval, Eval::Text(_)) && !std::mem::take(&mut self.join_here) {
            return Err(self.err(
                span,
                format!("{name}() gives text: use it as a whole {{{name}(…)}} piece of a text"),
            ));
        }
        self.check_arity(name, def, args, span)?;
        let (set, st) = self.node(&args[0])?;
        let Ty::Set(kind) = st else {
            return Err(self.err(
                args[0].span,
                format!("{name}() needs a set of records first, not {}", st.name()),
            ));
        };
        let mut out = vec![set];
        let mut tys = vec![st];
        if def.per_record != PerRecord::None {
            self.scopes.push(Scope { name: None, kind });
            let e = self.node(&args[1]);
            self.scopes.pop();
            let (e, t) = e?;
            if !def.per_record.accepts(&t) {
                return Err(self.err(
                    args[1].span,
                    format!(
                        "{name}() needs {} per record, but this is {}",
                        def.per_record.wanted(),
                        t.name()
                    ),
                ));
            }
            out.push(e);
            tys.push(t);
        }
        for extra in &args[out.len()..] {
            let (e, t) = self.node(extra)?;
            out.push(e);
            tys.push(t);
        }
        Ok((Expr::Call(def.func, out), (def.ty)(&tys)))
    }

    /// A function over a record's array of objects: the array first, then
    /// the per-element argument (which sees the element's fields by name).
    fn call_over_items(
        &mut self,
        name: &str,
        def: &Def,
        args: &[Node],
        span: Span,
    ) -> R<(Expr, Ty)> {
        self.check_arity(name, def, args, span)?;
        let (array, at) = self.node(&args[0])?;
        let Ty::Items(fields) = at else {
            return Err(self.err(
                args[0].span,
                format!(
                    "{name}() needs a record's array of objects first (e.g. installments), not {}",
                    at.name()
                ),
            ));
        };
        self.items.push(ItemScope {
            fields,
            at: self.scopes.len(),
        });
        let e = self.node(&args[1]);
        self.items.pop();
        let (e, t) = e?;
        if !def.per_item.accepts(&t) {
            return Err(self.err(
                args[1].span,
                format!(
                    "{name}() needs {} per element, but this is {}",
                    def.per_item.wanted(),
                    t.name()
                ),
            ));
        }
        let tys = [at, t];
        Ok((Expr::Call(def.func, vec![array, e]), (def.ty)(&tys)))
    }

    fn call_scalar(&mut self, name: &str, def: &Def, args: &[Node], span: Span) -> R<(Expr, Ty)> {
        self.check_arity(name, def, args, span)?;
        let mut exprs = Vec::with_capacity(args.len());
        let mut tys = Vec::with_capacity(args.len());
        for a in args {
            let (e, t) = self.node(a)?;
            exprs.push(e);
            tys.push(t);
        }
        match def
            .check
            .map_or(Checked::Keep, |check| check(def.func, &exprs, &tys))
        {
            Checked::Keep => Ok((Expr::Call(def.func, exprs), (def.ty)(&tys))),
            Checked::Fold(c) => {
                if let Const::Period(p) = c {
                    self.note_period(p);
                }
                let ty = const_ty(&c);
                Ok((Expr::Const(c), ty))
            }
            Checked::Wrong(i, message) => Err(self.err(args[i].span, message)),
        }
    }
}

/// The type of a catalogued field in expressions (`None`: not readable).
fn field_ty(ty: FieldType) -> Option<Ty> {
    Some(match ty {
        FieldType::Enum(d) => Ty::Str(Some(d)),
        FieldType::Text | FieldType::Uscc => Ty::Str(None),
        FieldType::Date => Ty::Date,
        FieldType::Bool => Ty::Bool,
        FieldType::Int | FieldType::Money => Ty::Num,
        FieldType::TextList => Ty::List(Box::new(Ty::Str(None))),
        FieldType::EnumList(d) => Ty::List(Box::new(Ty::Str(Some(d)))),
        FieldType::Objects(fields) => Ty::Items(fields),
        FieldType::Bands | FieldType::People => return None,
    })
}

fn toml_to_const(v: &toml::Value) -> Result<Const, String> {
    Ok(match v {
        toml::Value::String(s) => Const::Str(s.clone()),
        toml::Value::Integer(i) => Const::Num(*i as f64),
        toml::Value::Float(f) => Const::Num(*f),
        toml::Value::Boolean(b) => Const::Bool(*b),
        toml::Value::Datetime(dt) => match (dt.date, dt.time) {
            (Some(d), None) => {
                let date = time::parse_date(&format!("{:04}-{:02}-{:02}", d.year, d.month, d.day))
                    .map_err(|e| e.to_string())?;
                Const::Date(time::days_since_epoch(date))
            }
            _ => return Err("only plain dates (YYYY-MM-DD) are allowed".into()),
        },
        toml::Value::Array(items) => {
            Const::List(items.iter().map(toml_to_const).collect::<Result<_, _>>()?)
        }
        toml::Value::Table(t) => Const::Table(
            t.iter()
                .map(|(k, v)| Ok((k.clone(), toml_to_const(v)?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}

fn date_value(pos: &Positions, v: &toml::Spanned<toml::Value>) -> Result<i32, Diagnostic> {
    let text = match v.get_ref() {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(dt) => dt.to_string(),
        _ => return Err(pos.error(v.span().start, "expected a date YYYY-MM-DD")),
    };
    let d =
        time::parse_date(&text).map_err(|e| pos.error(v.span().start, format!("bad date: {e}")))?;
    Ok(time::days_since_epoch(d))
}

/// Identifier under which other models refer to model `id` (dashes become underscores).
pub fn alias_of(id: &str) -> String {
    id.replace('-', "_")
}

/// The error of a file whose mistakes are `diags` (at least one).
fn failed(pos: &Positions, diags: Vec<Diagnostic>) -> ModelError {
    ModelError::of(diags).unwrap_or_else(|| pos.error(0, "the model could not be compiled").into())
}

/// Compile the model file `text` (named `file` in errors), given the models
/// already compiled (which it may `use`). Every mistake found is reported:
/// the compiler goes on with the next header entry, named value, rule and
/// expression after one.
pub(crate) fn compile(file: &str, text: &str, known: &Known<'_>) -> Result<Model, ModelError> {
    let pos = Positions::new(file, text);
    let f: ModelFile = parse_file(file, text)?;
    let mut diags: Vec<Diagnostic> = Vec::new();
    let kind = ModelKind::parse(f.kind.get_ref());
    if kind.is_none() {
        diags.push(pos.error(
            f.kind.span().start,
            "kind must be classification, lists, eligibility, scoring or record",
        ));
    }
    let id = f.id.get_ref().trim().to_owned();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        diags.push(pos.error(
            f.id.span().start,
            "a model id uses lower-case letters, digits and '-'",
        ));
    }
    if f.version.get_ref().trim().is_empty() {
        diags.push(pos.error(f.version.span().start, "version must not be empty"));
    }
    let visibility = match &f.visibility {
        None => "subject_and_gov".to_owned(),
        Some(v)
            if matches!(
                v.get_ref().as_str(),
                "public" | "subject_and_gov" | "gov_only"
            ) =>
        {
            v.get_ref().clone()
        }
        Some(v) => {
            diags.push(pos.error(
                v.span().start,
                "visibility must be public, subject_and_gov or gov_only",
            ));
            v.get_ref().clone()
        }
    };
    let mut date = |v: &Option<toml::Spanned<toml::Value>>| {
        v.as_ref()
            .and_then(|v| date_value(&pos, v).map_err(|d| diags.push(d)).ok())
    };
    let valid_from = date(&f.valid_from);
    let valid_to = date(&f.valid_to);
    if let (Some(a), Some(b)) = (valid_from, valid_to)
        && b < a
    {
        diags.push(pos.error(
            f.valid_to.as_ref().map(|v| v.span().start).unwrap_or(0),
            "valid_to is before valid_from",
        ));
    }

    // Parameters.
    let mut params = HashMap::new();
    let empty = toml::Table::new();
    let span_of = |t: &Option<toml::Spanned<toml::Table>>| t.as_ref().map_or(0, |t| t.span().start);
    let params_table = f.params.as_ref().map_or(&empty, |t| t.get_ref());
    let lets_table = f.lets.as_ref().map_or(&empty, |t| t.get_ref());
    for (k, v) in params_table {
        match toml_to_const(v) {
            Ok(c) => {
                params.insert(k.clone(), c);
            }
            Err(e) => diags.push(pos.error(span_of(&f.params), format!("parameter {k}: {e}"))),
        }
    }
    // Used models.
    let mut uses = HashMap::new();
    let mut unknown_uses = Vec::new();
    let mut deps = Vec::new();
    for u in &f.uses {
        let Some(i) = known.models.iter().rposition(|m| &m.id == u.get_ref()) else {
            diags.push(pos.error(
                u.span().start,
                format!(
                    "unknown model '{}' (models must be loaded before the models that use them)",
                    u.get_ref()
                ),
            ));
            unknown_uses.push(alias_of(u.get_ref()));
            continue;
        };
        uses.insert(alias_of(u.get_ref()), i);
        deps.push(i);
    }
    // Names.
    let reserved = |n: &str| {
        syntax::is_keyword(n)
            || matches!(
                n,
                "T" | "W3" | "M12" | "subject" | "person_list_entry" | "counts" | "current"
            )
            || RecordKind::parse(n).is_some()
            || catalog::all_record_fields().iter().any(|f| f.name == n)
            || uses.contains_key(n)
    };
    let mut lets_are_texts = true;
    for (k, v) in lets_table {
        let toml::Value::String(_) = v else {
            diags.push(pos.error(
                span_of(&f.lets),
                format!("named value {k} must be an expression string"),
            ));
            lets_are_texts = false;
            continue;
        };
        if reserved(k) || params.contains_key(k) {
            diags.push(pos.error(
                span_of(&f.lets),
                format!(
                    "'{k}' is a reserved word, a record field or a parameter: choose another name"
                ),
            ));
        }
    }
    for k in params.keys() {
        if reserved(k) {
            diags.push(pos.error(
                span_of(&f.params),
                format!(
                    "parameter '{k}' is a reserved word or a record field: choose another name"
                ),
            ));
        }
    }
    // Without a kind, or named values to compile, there is nothing more to check.
    let Some(kind) = kind.filter(|_| lets_are_texts) else {
        return Err(failed(&pos, diags));
    };
    // Spanned sources of lets: re-read the table with spans.
    let spanned = spanned_strings(text, f.lets.is_some(), "let", &pos).and_then(|lets| {
        Ok((
            lets,
            spanned_strings(text, f.output.is_some(), "output", &pos)?,
        ))
    });
    let (spanned_lets, spanned_outputs) = match spanned {
        Ok(both) => both,
        Err(d) => {
            diags.push(d);
            return Err(failed(&pos, diags));
        }
    };

    let record_over = match (kind, &f.over) {
        (ModelKind::Record, Some(o)) => match RecordKind::parse(o.get_ref()) {
            Some(k) => Some(k),
            None => {
                diags.push(pos.error(
                    o.span().start,
                    format!("unknown record kind '{}'", o.get_ref()),
                ));
                return Err(failed(&pos, diags));
            }
        },
        (ModelKind::Record, None) => {
            diags.push(pos.error(0, "a record model needs `over = \"<kind>\"`"));
            return Err(failed(&pos, diags));
        }
        _ => None,
    };
    let outcome_field = match kind {
        ModelKind::Record => Some(
            f.outcome_field
                .as_ref()
                .map(|s| s.get_ref().clone())
                .unwrap_or_else(|| "outcome".into()),
        ),
        _ => None,
    };

    let (subject_lets, record_lets): (HashMap<String, Src>, HashMap<String, Src>) =
        if record_over.is_some() {
            let mut rec: HashMap<String, Src> = spanned_lets.into_iter().collect();
            for (k, v) in spanned_outputs.iter() {
                if rec.contains_key(k) {
                    diags.push(pos.error(
                        v.span().start,
                        format!("'{k}' is both a named value and an output"),
                    ));
                    continue;
                }
                rec.insert(k.clone(), v.clone());
            }
            (HashMap::new(), rec)
        } else {
            if !spanned_outputs.is_empty() {
                diags.push(pos.error(span_of(&f.output), "[output] is only for record models"));
            }
            (spanned_lets.into_iter().collect(), HashMap::new())
        };

    let mut cx = Cx {
        pos: Positions::new(file, text),
        base: 0,
        params,
        let_src: subject_lets,
        lets: HashMap::new(),
        let_exprs: Vec::new(),
        let_names: Vec::new(),
        rec_src: record_lets,
        rec_lets: HashMap::new(),
        rec_exprs: Vec::new(),
        rec_names: Vec::new(),
        record_over,
        outcome_field: outcome_field.clone(),
        scopes: Vec::new(),
        items: Vec::new(),
        uses,
        unknown_uses,
        known,
        periods: Vec::new(),
        join_here: false,
        diags,
    };

    // A rule: each of its expressions is checked, whatever the others are.
    let rule = |cx: &mut Cx, r: &super::file::RuleFile, need_value: bool, in_record: bool| {
        if in_record {
            cx.scopes.push(Scope {
                name: None,
                kind: record_over.unwrap_or(RecordKind::Penalty),
            });
        }
        let when = cx.compile_bool(&r.when, "`when`");
        let when = cx.keep(when).unwrap_or(WRONG);
        let value = match (&r.value, need_value) {
            (Some(v), true) => {
                let e = cx.compile_src(v);
                Some(cx.keep(e).map_or(WRONG, |(e, _)| e))
            }
            (None, true) => {
                cx.wrong(r.id.span().start, "a record-model rule needs `value`");
                None
            }
            (Some(v), false) => {
                cx.wrong(v.span().start, "`value` is only for record models");
                None
            }
            (None, false) => None,
        };
        let text = cx.template(&r.text);
        let text = cx.keep(text).unwrap_or_default();
        let fail_text = r.fail_text.as_ref().map(|t| {
            let t = cx.template(t);
            cx.keep(t).unwrap_or_default()
        });
        let records = r.records.as_ref().map(|s| {
            let e = cx.compile_set(s);
            cx.keep(e).unwrap_or(WRONG)
        });
        if in_record {
            cx.scopes.pop();
        }
        Rule {
            id: r.id.get_ref().clone(),
            when,
            text,
            fail_text,
            value,
            records,
        }
    };

    let mut seen_rules: Vec<String> = Vec::new();
    let mut check_rule_id = |cx: &mut Cx, id: &toml::Spanned<String>| {
        let s = id.get_ref();
        if s.is_empty() || seen_rules.contains(s) {
            cx.wrong(
                id.span().start,
                format!("rule id '{s}' is empty or repeated"),
            );
        }
        seen_rules.push(s.clone());
    };

    // The subjects a subject-level model is kept for: a lists model's
    // subject outside it is on none of its lists; any other model gives it
    // no result line.
    let applies_to = match &f.applies_to {
        Some(a) if kind == ModelKind::Record => {
            cx.wrong(
                a.span().start,
                "`applies_to` is for subject-level models (a record model follows its records)",
            );
            None
        }
        Some(a) => {
            let e = cx.compile_bool(a, "`applies_to`");
            cx.keep(e)
        }
        None => None,
    };

    let body = match kind {
        ModelKind::Classification => {
            if f.classes.is_empty() {
                cx.wrong(0, "a classification model needs [[class]] entries");
            }
            let mut classes = Vec::new();
            for c in &f.classes {
                let mut rules = Vec::new();
                for r in &c.rules {
                    check_rule_id(&mut cx, &r.id);
                    rules.push(rule(&mut cx, r, false, false));
                }
                classes.push(Outcome {
                    id: c.id.get_ref().clone(),
                    label: c.label.clone(),
                    rules,
                });
            }
            let default_class = f
                .default_class
                .as_ref()
                .map(|s| s.get_ref().clone())
                .unwrap_or_else(|| "unclassified".into());
            let default_label = f.default_label.clone().unwrap_or_else(|| "未分类".into());
            Body::Classification {
                classes,
                default_class,
                default_label,
            }
        }
        ModelKind::Lists => {
            let mut outcomes = Vec::new();
            for o in &f.outcomes {
                if catalog::list_spec(o.list.get_ref()).is_none() {
                    cx.wrong(
                        o.list.span().start,
                        format!("'{}' is not a catalogued list", o.list.get_ref()),
                    );
                }
                let mut rules = Vec::new();
                for r in &o.rules {
                    check_rule_id(&mut cx, &r.id);
                    rules.push(rule(&mut cx, r, false, false));
                }
                outcomes.push(Outcome {
                    id: o.list.get_ref().clone(),
                    label: o.label.clone(),
                    rules,
                });
            }
            Body::Lists { outcomes }
        }
        ModelKind::Eligibility => {
            let mut conditions = Vec::new();
            for r in &f.conditions {
                check_rule_id(&mut cx, &r.id);
                conditions.push(rule(&mut cx, r, false, false));
            }
            Body::Eligibility { conditions }
        }
        ModelKind::Scoring => compile_scoring(&mut cx, &f, &mut check_rule_id),
        ModelKind::Record => {
            let over = record_over.unwrap_or(RecordKind::Penalty);
            let mut rules = Vec::new();
            for r in &f.rules {
                check_rule_id(&mut cx, &r.id);
                rules.push(rule(&mut cx, r, true, true));
            }
            if rules.is_empty() {
                cx.wrong(0, "a record model needs [[rule]] entries");
            }
            let field = outcome_field.clone().unwrap_or_default();
            // Make sure the outcome slot exists, then every output in file order.
            cx.scopes.push(Scope {
                name: None,
                kind: over,
            });
            let select = f.select.as_ref().map(|src| {
                let e = cx.compile_bool(src, "`select`");
                cx.keep(e).unwrap_or(WRONG)
            });
            let outcome = cx.rec_let(&field, Span::default());
            let outcome_slot = match cx.keep(outcome) {
                Some((Expr::RecLet(s), _)) => s,
                _ => 0,
            };
            let mut outputs = vec![(field.clone(), outcome_slot)];
            for (name, _) in &spanned_outputs {
                let output = cx.rec_let(name, Span::default());
                if let Some((Expr::RecLet(s), _)) = cx.keep(output) {
                    outputs.push((name.clone(), s));
                }
            }
            cx.scopes.pop();
            Body::Record {
                over,
                select,
                outcome_field: field,
                rules,
                outputs,
            }
        }
    };

    // Compile named values nobody used, so that their mistakes are reported too.
    let names: Vec<String> = cx.let_src.keys().cloned().collect();
    for n in names {
        let r = cx.subject_let(&n, Span::default());
        cx.keep(r);
    }
    let names: Vec<String> = cx.rec_src.keys().cloned().collect();
    for n in names {
        cx.scopes.push(Scope {
            name: None,
            kind: record_over.unwrap_or(RecordKind::Penalty),
        });
        let r = cx.rec_let(&n, Span::default());
        cx.scopes.pop();
        cx.keep(r);
    }
    if !cx.diags.is_empty() {
        return Err(failed(&pos, cx.diags));
    }

    let lets: Vec<Expr> = cx
        .let_exprs
        .into_iter()
        .map(|e| e.unwrap_or(Expr::Const(Const::Null)))
        .collect();
    let rec_lets: Vec<Expr> = cx
        .rec_exprs
        .into_iter()
        .map(|e| e.unwrap_or(Expr::Const(Const::Null)))
        .collect();
    Ok(Model {
        alias: alias_of(&id),
        id,
        version: f.version.get_ref().trim().to_owned(),
        name: f.name.clone(),
        kind,
        source: f.source.clone(),
        description: f.description.clone(),
        valid_from,
        valid_to,
        visibility,
        uses: f.uses.iter().map(|u| u.get_ref().clone()).collect(),
        origin: file.to_owned(),
        text: text.to_owned(),
        lets,
        let_names: cx.let_names,
        rec_lets,
        rec_let_names: cx.rec_names,
        body,
        applies_to,
        deps,
        periods: cx.periods,
    })
}

fn compile_scoring(
    cx: &mut Cx,
    f: &ModelFile,
    check_rule_id: &mut impl FnMut(&mut Cx, &toml::Spanned<String>),
) -> Body {
    if f.dimensions.is_empty() || f.indicators.is_empty() || f.grades.is_empty() {
        cx.wrong(
            0,
            "a scoring model needs [[dimension]], [[indicator]] and [[grade]] entries",
        );
        return Body::Scoring {
            dimensions: Vec::new(),
            indicators: Vec::new(),
            vetoes: Vec::new(),
            grades: Vec::new(),
        };
    }
    let dimensions: Vec<Dimension> = f
        .dimensions
        .iter()
        .map(|d| Dimension {
            id: d.id.get_ref().clone(),
            label: d.label.clone(),
            max: *d.max.get_ref(),
        })
        .collect();
    let mut grades = Vec::new();
    for (i, g) in f.grades.iter().enumerate() {
        let last = i + 1 == f.grades.len();
        if g.min.is_none() && !last {
            cx.wrong(g.id.span().start, "every grade but the last needs `min`");
        }
        if let (Some(prev), Some(min)) = (grades.last().and_then(|p: &Grade| p.min), g.min)
            && min >= prev
        {
            cx.wrong(
                g.id.span().start,
                "grades must be listed best first with decreasing `min`",
            );
        }
        grades.push(Grade {
            id: g.id.get_ref().clone(),
            label: g.label.clone(),
            min: if last { None } else { g.min },
        });
    }
    let mut indicators = Vec::new();
    let mut dim_totals = vec![0.0; dimensions.len()];
    for ind in &f.indicators {
        check_rule_id(cx, &ind.id);
        let Some(dimension) = dimensions
            .iter()
            .position(|d| &d.id == ind.dimension.get_ref())
        else {
            cx.wrong(
                ind.dimension.span().start,
                format!("unknown dimension '{}'", ind.dimension.get_ref()),
            );
            continue;
        };
        let max = *ind.max.get_ref();
        let min = ind.min.as_ref().map_or(0.0, |m| *m.get_ref());
        match &ind.min {
            None if max <= 0.0 => {
                cx.wrong(ind.max.span().start, "an indicator's max must be positive");
            }
            Some(m) if min > 0.0 => {
                cx.wrong(
                    m.span().start,
                    "an indicator's min must not be positive (below 0: a deduction)",
                );
            }
            Some(m) if max < 0.0 || max <= min => {
                cx.wrong(
                    m.span().start,
                    "an indicator's max must be at least 0 and above its min",
                );
            }
            _ => {}
        }
        let weight = ind.weight.unwrap_or(1.0);
        dim_totals[dimension] += max * weight;
        let points = cx.compile_src(&ind.points);
        let points = match cx.keep(points) {
            Some((points, Ty::Num | Ty::Any)) => points,
            Some((_, ty)) => {
                let start = cx.pos.string_content_start(ind.points.span());
                cx.wrong(
                    start,
                    format!("points must be a number, but this is {}", ty.name()),
                );
                WRONG
            }
            None => WRONG,
        };
        let text = cx.template(&ind.text);
        let text = cx.keep(text).unwrap_or_default();
        let records = ind.records.as_ref().map(|s| {
            let e = cx.compile_set(s);
            cx.keep(e).unwrap_or(WRONG)
        });
        let deducts = (min < 0.0).then(|| {
            Expr::Bin(
                BinOp::Lt,
                Box::new(points.clone()),
                Box::new(Expr::Const(Const::Num(0.0))),
            )
        });
        indicators.push(Indicator {
            id: ind.id.get_ref().clone(),
            dimension,
            label: ind.label.clone(),
            max,
            min,
            weight,
            points,
            deducts,
            text,
            records,
        });
    }
    for (d, total) in dimensions.iter().zip(&dim_totals) {
        if (d.max - total).abs() > 1e-9 {
            let span = f
                .dimensions
                .iter()
                .find(|x| x.id.get_ref() == &d.id)
                .map(|x| x.max.span().start)
                .unwrap_or(0);
            cx.wrong(
                span,
                format!(
                    "dimension {} has max {} but its indicators add up to {}",
                    d.id, d.max, total
                ),
            );
        }
    }
    let mut vetoes = Vec::new();
    for v in &f.vetoes {
        check_rule_id(cx, &v.id);
        let cap = grades.iter().position(|g| &g.id == v.cap.get_ref());
        if cap.is_none() {
            cx.wrong(
                v.cap.span().start,
                format!("unknown grade '{}'", v.cap.get_ref()),
            );
        }
        let when = cx.compile_bool(&v.when, "`when`");
        let when = cx.keep(when).unwrap_or(WRONG);
        let text = cx.template(&v.text);
        let text = cx.keep(text).unwrap_or_default();
        let records = v.records.as_ref().map(|s| {
            let e = cx.compile_set(s);
            cx.keep(e).unwrap_or(WRONG)
        });
        let rule = Rule {
            id: v.id.get_ref().clone(),
            when,
            text,
            fail_text: None,
            value: None,
            records,
        };
        vetoes.push(Veto {
            rule,
            cap: cap.unwrap_or(0),
        });
    }
    Body::Scoring {
        dimensions,
        indicators,
        vetoes,
        grades,
    }
}

/// The string entries of a `[let]` / `[output]` table with the spans of
/// their values, in file order. (serde gives the table's span only, so the
/// entries are located with a span-preserving parse of the same document.)
fn spanned_strings(
    text: &str,
    present: bool,
    what: &str,
    pos: &Positions,
) -> Result<Vec<(String, Src)>, Diagnostic> {
    if !present {
        return Ok(Vec::new());
    }
    #[derive(serde::Deserialize)]
    struct Doc {
        #[serde(default, rename = "let")]
        lets: Option<toml::Spanned<indexmap_like::SpannedMap>>,
        #[serde(default)]
        output: Option<toml::Spanned<indexmap_like::SpannedMap>>,
    }
    let doc: Doc = toml::from_str(text).map_err(|e| {
        pos.error(
            e.span().map(|s| s.start).unwrap_or(0),
            e.message().to_owned(),
        )
    })?;
    let map = if what == "let" { doc.lets } else { doc.output };
    let Some(map) = map else {
        return Ok(Vec::new());
    };
    Ok(map.into_inner().0)
}

/// A table of named expression strings that keeps file order and spans.
mod indexmap_like {
    use serde::de::{Deserializer, MapAccess, Visitor};
    use toml::Spanned;

    pub struct SpannedMap(pub Vec<(String, Spanned<String>)>);

    impl<'de> serde::Deserialize<'de> for SpannedMap {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = SpannedMap;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a table of expression strings")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<SpannedMap, A::Error> {
                    let mut out = Vec::new();
                    while let Some((k, v)) = m.next_entry::<String, Spanned<String>>()? {
                        out.push((k, v));
                    }
                    Ok(SpannedMap(out))
                }
            }
            d.deserialize_map(V)
        }
    }
}
