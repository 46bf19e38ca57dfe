//! The evaluator: runs compiled models over one subject's records.
//!
//! Per subject, records are bucketed by kind; named values, record sets and
//! record-model outputs are memoised for the evaluation date. Sets live in an
//! arena of row numbers, so evaluating a subject allocates almost nothing.
//! Reasons are explained by tracing which records made a rule's value
//! ("lineage"), and for a non-best outcome each rule is re-evaluated at the
//! future dates where something could change to find the day it stops.
//!
//! * this module: the evaluation state, records and sets, expressions, record
//!   and subject models (built-in functions are evaluated by their
//!   definitions in `lang::functions`);
//! * `lineage`: the records behind a value;
//! * `stops_on`: the day a result stops holding;
//! * `render`: texts of reasons and values as Chinese text.

use xinyong_columnar::{ColumnType, rec, record_schema, subject_schema};
use xinyong_core::catalog::{self, RecordKind};
use xinyong_core::json::FastMap;
use xinyong_core::time::{self, Period};

mod lineage;
mod render;
mod stops_on;

use crate::data::Table;
use crate::lang::functions::Eval;
use crate::lang::ir::*;
use crate::lang::{BinOp, Model};
use crate::result::*;
use crate::set::ModelSet;
use crate::value::{SetRef, Val, num_cmp, num_eq, round2};
use stops_on::Moves;

#[derive(Debug, Clone, Copy)]
struct Summary<'a> {
    class: Option<&'a str>,
    score: Option<f64>,
    grade: Option<&'a str>,
    eligible: Option<bool>,
}

/// The set a set function runs over: an expression (a filter is walked
/// without being built), or a set already built.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SetSrc<'a> {
    Expr(&'a Expr),
    Ref(SetRef),
}

/// The decision of one model, before explanation.
#[derive(Debug, Clone)]
enum Decided {
    Class(usize),
    Lists(Option<usize>),
    Eligibility(Vec<bool>),
    Score {
        points: Vec<f64>,
        score: f64,
        grade: usize,
        vetoes: Vec<bool>,
    },
}

struct RecMemo<'a> {
    slots: Vec<Option<Val<'a>>>,
    /// The rule that gave the outcome (computed once).
    matched: Option<Option<usize>>,
}

/// Evaluation state for one subject at one date.
struct Cx<'a> {
    as_of: i32,
    /// Records dated after this day are unknown (used when looking ahead).
    known_until: i32,
    arena: Vec<u32>,
    sources: [Option<SetRef>; RecordKind::ALL.len()],
    person: Option<SetRef>,
    lets: Vec<Vec<Option<Val<'a>>>>,
    results: Vec<Option<Summary<'a>>>,
    decided: Vec<Option<Decided>>,
    rec_memo: FastMap<(usize, u32), RecMemo<'a>>,
    scopes: Vec<u32>,
    /// Elements of arrays of objects being iterated: (row, column, index).
    items: Vec<(u32, usize, usize)>,
    /// Record-model frames: (model, row).
    frames: Vec<(usize, u32)>,
    /// Model whose named values `Expr::Let` refers to.
    model: usize,
    /// Windows `[add(T, -p), T]` computed at this date.
    windows: Vec<(Period, i32)>,
    /// Records behind each named value, by model and slot: an arena range.
    let_lineage: Vec<Vec<Option<SetRef>>>,
    /// Records behind each used model's result (see `result_lineage`).
    result_lineage: Vec<Option<SetRef>>,
    /// Records behind indicator `k` of scoring model `m`, traced while the
    /// points are computed (explanations only): (m, k) → arena range.
    indicator_rows: FastMap<(usize, usize), SetRef>,
    /// Truth and records of each traced rule, shared by the explanation of
    /// its model and of the models that read its result: (model, rule
    /// address) → (holds, arena range).
    rule_rows: FastMap<(usize, usize), (bool, SetRef)>,
}

impl<'a> Cx<'a> {
    fn new(set: &ModelSet) -> Cx<'a> {
        Cx {
            as_of: 0,
            known_until: 0,
            arena: Vec::with_capacity(256),
            sources: [None; RecordKind::ALL.len()],
            person: None,
            lets: set
                .models
                .iter()
                .map(|m| vec![None; m.lets.len()])
                .collect(),
            results: vec![None; set.models.len()],
            decided: vec![None; set.models.len()],
            rec_memo: FastMap::default(),
            scopes: Vec::with_capacity(8),
            items: Vec::new(),
            frames: Vec::with_capacity(4),
            model: 0,
            windows: Vec::with_capacity(4),
            let_lineage: set
                .models
                .iter()
                .map(|m| vec![None; m.lets.len()])
                .collect(),
            result_lineage: vec![None; set.models.len()],
            indicator_rows: FastMap::default(),
            rule_rows: FastMap::default(),
        }
    }

    fn reset(&mut self, as_of: i32, known_until: i32) {
        self.as_of = as_of;
        self.known_until = known_until;
        self.arena.clear();
        self.sources = [None; RecordKind::ALL.len()];
        self.person = None;
        for l in &mut self.lets {
            l.iter_mut().for_each(|v| *v = None);
        }
        self.results.iter_mut().for_each(|r| *r = None);
        self.decided.iter_mut().for_each(|r| *r = None);
        self.rec_memo.clear();
        self.scopes.clear();
        self.items.clear();
        self.frames.clear();
        self.windows.clear();
        for l in &mut self.let_lineage {
            l.iter_mut().for_each(|v| *v = None);
        }
        self.result_lineage.iter_mut().for_each(|r| *r = None);
        self.indicator_rows.clear();
        self.rule_rows.clear();
    }

    /// Copy `rows` to the end of the arena, as a set.
    fn stash(&mut self, rows: &[u32]) -> SetRef {
        let start = self.arena.len() as u32;
        self.arena.extend_from_slice(rows);
        SetRef {
            start,
            len: rows.len() as u32,
        }
    }

    /// The first day of the window `[add(T, -p), T]`.
    fn window_start(&mut self, p: Period) -> i32 {
        if let Some((_, d)) = self.windows.iter().find(|(q, _)| *q == p) {
            return *d;
        }
        let d = add_days(
            self.as_of,
            Period {
                months: -p.months,
                days: -p.days,
            },
        );
        self.windows.push((p, d));
        d
    }
}

/// Options of an evaluation.
#[derive(Debug, Clone, Copy)]
pub struct EvalOptions {
    /// Compute reasons (texts and records).
    pub explain: bool,
    /// Compute `stops_on` for the reasons of non-best outcomes.
    pub stops_on: bool,
    /// Honour each model's `applies_to`: a subject outside it is on none of
    /// a lists model's lists and has no result line of any other model.
    /// Evaluation over the store does; the `evaluate` command, which applies
    /// one model to the subjects it is given, does not unless asked
    /// (`--scoped`).
    pub scoped: bool,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            explain: true,
            stops_on: true,
            scoped: false,
        }
    }
}

/// Record columns the evaluator reads by name, resolved once.
struct FixedCols {
    person_role: usize,
    removed_on: usize,
    band_mins: [usize; 2],
    status: usize,
}

impl FixedCols {
    fn new() -> FixedCols {
        let rs = record_schema();
        let col = |n: &str| rs.index(n).unwrap_or(0);
        FixedCols {
            person_role: col("person_role"),
            removed_on: col("removed_on"),
            band_mins: [
                col("basis_bands.general.min"),
                col("basis_bands.serious.min"),
            ],
            status: subject_schema().index("status").unwrap_or(0),
        }
    }
}

/// Evaluates a selection of models over the subjects of one record table.
pub struct Evaluator<'a> {
    set: &'a ModelSet,
    order: Vec<usize>,
    emit: Vec<bool>,
    rec: &'a Table,
    subj: Option<&'a Table>,
    subject_row: Option<u32>,
    by_kind: Vec<Vec<u32>>,
    rec_types: Vec<ColumnType>,
    subj_types: Vec<ColumnType>,
    date_cols: Vec<usize>,
    /// Arrays of objects with date fields: (column, struct children that are dates).
    item_date_cols: Vec<(usize, Vec<usize>)>,
    cols: FixedCols,
    cx: Cx<'a>,
    alt: Cx<'a>,
    opts: EvalOptions,
    tmp: Vec<Vec<u32>>,
    /// Spare scope stacks (a named value or a record model is evaluated in
    /// a scope of its own; reusing the stacks spares an allocation each time).
    scope_pool: Vec<Vec<u32>>,
    /// The periods of each rule condition explained with `stops_on` (by
    /// address), or `None` when they cannot be told (see [`when_periods`]).
    rule_periods: FastMap<usize, Option<Moves>>,
    /// Whether the records behind a set expression are its members (see
    /// [`Evaluator::members_are_lineage`]), by address.
    plain_sets: FastMap<usize, bool>,
}

/// One day, added to a date.
pub(crate) const DAY: i32 = 1;

impl<'a> Evaluator<'a> {
    /// An evaluator of the models `selected` (ids) and whatever they use.
    pub fn new(
        set: &'a ModelSet,
        selected: &[usize],
        rec: &'a Table,
        subj: Option<&'a Table>,
        opts: EvalOptions,
    ) -> Evaluator<'a> {
        let order = set.closure(selected);
        let mut emit = vec![false; set.models.len()];
        for &m in selected {
            emit[m] = true;
        }
        let rs = record_schema();
        let date_cols = rs
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.ty == ColumnType::Date)
            .map(|(i, _)| i)
            .collect();
        let item_date_cols = rs
            .columns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match c.ty {
                ColumnType::Objects(fields) => Some((
                    i,
                    ColumnType::children(fields)
                        .enumerate()
                        .filter(|(_, (_, t))| *t == ColumnType::Date)
                        .map(|(sub, _)| sub)
                        .collect(),
                )),
                _ => None,
            })
            .collect();
        Evaluator {
            set,
            order,
            emit,
            rec,
            subj,
            subject_row: None,
            by_kind: vec![Vec::new(); RecordKind::ALL.len()],
            rec_types: rs.columns.iter().map(|c| c.ty).collect(),
            subj_types: subject_schema().columns.iter().map(|c| c.ty).collect(),
            date_cols,
            item_date_cols,
            cols: FixedCols::new(),
            cx: Cx::new(set),
            alt: Cx::new(set),
            opts,
            tmp: Vec::new(),
            scope_pool: Vec::new(),
            rule_periods: FastMap::default(),
            plain_sets: FastMap::default(),
        }
    }

    /// Evaluate every selected model for one subject whose records are `rows`
    /// of the record table, as of `as_of` (days since epoch). Results are
    /// appended to `out` in the order of the selection's dependency closure.
    pub fn evaluate(
        &mut self,
        subject_row: Option<u32>,
        rows: &[u32],
        as_of: i32,
        out: &mut Vec<Output<'a>>,
    ) {
        self.subject_row = subject_row;
        for b in &mut self.by_kind {
            b.clear();
        }
        for &r in rows {
            if let Some(k) = self.rec.kind(r) {
                self.by_kind[k.index()].push(r);
            }
        }
        self.cx.reset(as_of, as_of);
        for i in 0..self.order.len() {
            let m = self.order[i];
            if !self.emit[m] {
                continue;
            }
            let model = &self.set.models[m];
            match &model.body {
                Body::Record { .. } => out.push(Output::Records(self.record_outputs(m))),
                _ if !self.has_line(m) => {}
                _ => {
                    let r = self.subject_output(m);
                    out.push(Output::Subject(r));
                }
            }
        }
    }

    // ---- records and sets -------------------------------------------------

    #[inline]
    fn counts(&self, row: u32) -> bool {
        let t = &self.rec;
        let Some(date) = t.date(row, rec::DATE) else {
            return false;
        };
        if date > self.cx.as_of || date > self.cx.known_until {
            return false;
        }
        if t.bool(row, rec::WITHDRAWN) == Some(true) {
            return false;
        }
        if let Some(rep) = t.date(row, rec::REPAIRED_ON)
            && rep <= self.cx.as_of
        {
            return false;
        }
        true
    }

    fn source(&mut self, k: RecordKind) -> SetRef {
        if let Some(s) = self.cx.sources[k.index()] {
            return s;
        }
        let start = self.cx.arena.len() as u32;
        let role = self.cols.person_role;
        for i in 0..self.by_kind[k.index()].len() {
            let row = self.by_kind[k.index()][i];
            if self.counts(row) && (k != RecordKind::ListEntry || self.rec.str(row, role).is_none())
            {
                self.cx.arena.push(row);
            }
        }
        let s = SetRef {
            start,
            len: self.cx.arena.len() as u32 - start,
        };
        self.cx.sources[k.index()] = Some(s);
        s
    }

    fn person_entries(&mut self) -> SetRef {
        if let Some(s) = self.cx.person {
            return s;
        }
        let k = RecordKind::ListEntry.index();
        let start = self.cx.arena.len() as u32;
        let role = self.cols.person_role;
        for i in 0..self.by_kind[k].len() {
            let row = self.by_kind[k][i];
            if self.counts(row) && self.rec.str(row, role).is_some() {
                self.cx.arena.push(row);
            }
        }
        let s = SetRef {
            start,
            len: self.cx.arena.len() as u32 - start,
        };
        self.cx.person = Some(s);
        s
    }

    fn each_ref(&mut self, s: SetRef, f: &mut dyn FnMut(&mut Self, u32) -> bool) -> bool {
        for i in s.start..s.start + s.len {
            let row = self.cx.arena[i as usize];
            if !f(self, row) {
                return false;
            }
        }
        true
    }

    /// Call `f` for each row of the set `e` (without materialising filters).
    pub(crate) fn each(&mut self, e: &'a Expr, f: &mut dyn FnMut(&mut Self, u32) -> bool) -> bool {
        match e {
            Expr::Source(k) => {
                let s = self.source(*k);
                self.each_ref(s, f)
            }
            Expr::PersonEntries => {
                let s = self.person_entries();
                self.each_ref(s, f)
            }
            Expr::Where { .. } if self.none_of_kind(e) => true,
            Expr::Where { set, cond } => self.each(set, &mut |me, row| {
                me.cx.scopes.push(row);
                let ok = me.eval(cond).truthy();
                me.cx.scopes.pop();
                if ok { f(me, row) } else { true }
            }),
            _ => match self.eval(e) {
                Val::Set(s) => self.each_ref(s, f),
                _ => true,
            },
        }
    }

    /// Replace the scope stack by an empty one (or one holding `row`); the
    /// old stack is returned, to be given back to [`Self::restore_scopes`].
    fn swap_scopes(&mut self, row: Option<u32>) -> Vec<u32> {
        let mut fresh = self.scope_pool.pop().unwrap_or_default();
        fresh.clear();
        fresh.extend(row);
        std::mem::replace(&mut self.cx.scopes, fresh)
    }

    fn restore_scopes(&mut self, saved: Vec<u32>) {
        let used = std::mem::replace(&mut self.cx.scopes, saved);
        self.scope_pool.push(used);
    }

    fn take_tmp(&mut self) -> Vec<u32> {
        let mut v = self.tmp.pop().unwrap_or_default();
        v.clear();
        v
    }

    /// Whether the set `e` is a filter of the subject's records of a kind
    /// the subject has none of (most subjects have no records of most
    /// kinds: such sets are empty without evaluating anything).
    #[inline]
    fn none_of_kind(&self, e: &Expr) -> bool {
        let mut e = e;
        loop {
            match e {
                Expr::Source(k) => return self.by_kind[k.index()].is_empty(),
                Expr::PersonEntries => {
                    return self.by_kind[RecordKind::ListEntry.index()].is_empty();
                }
                Expr::Where { set, .. } => e = set,
                _ => return false,
            }
        }
    }

    fn materialize(&mut self, e: &'a Expr) -> SetRef {
        if let Expr::Source(k) = e {
            return self.source(*k);
        }
        if self.none_of_kind(e) {
            return SetRef {
                start: self.cx.arena.len() as u32,
                len: 0,
            };
        }
        let mut buf = self.take_tmp();
        self.each(e, &mut |_, row| {
            buf.push(row);
            true
        });
        let s = self.cx.stash(&buf);
        self.tmp.push(buf);
        s
    }

    fn set_rows(&self, s: SetRef) -> &[u32] {
        &self.cx.arena[s.start as usize..(s.start + s.len) as usize]
    }

    #[inline]
    fn scope(&self, depth: usize) -> Option<u32> {
        let n = self.cx.scopes.len();
        (depth < n).then(|| self.cx.scopes[n - 1 - depth])
    }

    fn field(&self, row: u32, col: usize) -> Val<'a> {
        let t: &'a Table = self.rec;
        match self.rec_types[col] {
            ColumnType::Str => t.str(row, col).map_or(Val::Null, Val::Str),
            ColumnType::Date => t.date(row, col).map_or(Val::Null, Val::Date),
            ColumnType::Bool => t.bool(row, col).map_or(Val::Null, Val::Bool),
            ColumnType::Int | ColumnType::Num | ColumnType::Seq | ColumnType::Version => {
                t.num(row, col).map_or(Val::Null, Val::Num)
            }
            ColumnType::StrList | ColumnType::Objects(_) => t
                .list_len(row, col)
                .map_or(Val::Null, |_| Val::Items(row, col)),
            ColumnType::Kind => t.kind(row).map_or(Val::Null, |k| Val::Str(k.as_str())),
            ColumnType::Key => Val::Null,
        }
    }

    /// Field `sub` of element `i` of the array of objects in column `col`.
    fn item_field(&self, row: u32, col: usize, i: usize, sub: usize, ty: ColumnType) -> Val<'a> {
        let t: &'a Table = self.rec;
        match ty {
            ColumnType::Str => t.item_str(row, col, i, sub).map_or(Val::Null, Val::Str),
            ColumnType::Date => t.item_date(row, col, i, sub).map_or(Val::Null, Val::Date),
            ColumnType::Bool => t.item_bool(row, col, i, sub).map_or(Val::Null, Val::Bool),
            ColumnType::Int | ColumnType::Num => {
                t.item_num(row, col, i, sub).map_or(Val::Null, Val::Num)
            }
            _ => Val::Null,
        }
    }

    /// Evaluate `f` with element `i` of the array of objects in column
    /// `col` of record `row` as the innermost element.
    pub(crate) fn with_item<T>(
        &mut self,
        row: u32,
        col: usize,
        i: usize,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        self.cx.items.push((row, col, i));
        let out = f(self);
        self.cx.items.pop();
        out
    }

    fn subject_field(&self, col: usize) -> Val<'a> {
        let (Some(t), Some(row)) = (self.subj, self.subject_row) else {
            return Val::Null;
        };
        match self.subj_types[col] {
            ColumnType::Str => t.str(row, col).map_or(Val::Null, Val::Str),
            ColumnType::Date => t.date(row, col).map_or(Val::Null, Val::Date),
            ColumnType::Bool => t.bool(row, col).map_or(Val::Null, Val::Bool),
            ColumnType::Int | ColumnType::Num | ColumnType::Seq | ColumnType::Version => {
                t.num(row, col).map_or(Val::Null, Val::Num)
            }
            _ => Val::Null,
        }
    }

    // ---- expressions ------------------------------------------------------

    pub(crate) fn eval(&mut self, e: &'a Expr) -> Val<'a> {
        match e {
            Expr::Const(c) => Val::of(c),
            Expr::AsOf => Val::Date(self.cx.as_of),
            Expr::WindowBack(p) => Val::Window(self.cx.window_start(*p), self.cx.as_of),
            Expr::Let(slot) => {
                let m = self.cx.model;
                if let Some(v) = self.cx.lets[m][*slot] {
                    return v;
                }
                let expr = &self.set.models[m].lets[*slot];
                let saved = self.swap_scopes(None);
                let v = self.eval(expr);
                self.restore_scopes(saved);
                self.cx.lets[m][*slot] = Some(v);
                v
            }
            Expr::RecLet(slot) => match self.cx.frames.last() {
                Some(&(m, row)) => self.rec_value(m, row, *slot),
                None => Val::Null,
            },
            Expr::Field { depth, col } => self
                .scope(*depth)
                .map_or(Val::Null, |row| self.field(row, *col)),
            Expr::HasBands { depth } => {
                let Some(row) = self.scope(*depth) else {
                    return Val::Null;
                };
                let any = self
                    .cols
                    .band_mins
                    .iter()
                    .any(|&c| self.rec.num(row, c).is_some());
                if any { Val::Bool(true) } else { Val::Null }
            }
            Expr::Band {
                depth,
                min_col,
                max_col,
            } => {
                let Some(row) = self.scope(*depth) else {
                    return Val::Null;
                };
                match (self.rec.num(row, *min_col), self.rec.num(row, *max_col)) {
                    (Some(a), Some(b)) => Val::Range(a, b),
                    _ => Val::Null,
                }
            }
            Expr::Counts { depth } => self
                .scope(*depth)
                .map_or(Val::Null, |row| Val::Bool(self.counts(row))),
            Expr::Current { depth } => {
                let Some(row) = self.scope(*depth) else {
                    return Val::Null;
                };
                Val::Bool(self.is_current(row))
            }
            Expr::Rec { depth } => self.scope(*depth).map_or(Val::Null, Val::Rec),
            Expr::Item { sub, ty } => match self.cx.items.last() {
                Some(&(row, col, i)) => self.item_field(row, col, i, *sub, *ty),
                None => Val::Null,
            },
            Expr::FieldOf { rec, col } => match self.eval(rec) {
                Val::Rec(row) => self.field(row, *col),
                _ => Val::Null,
            },
            Expr::Subject { col } => self.subject_field(*col),
            Expr::SubjectStatus => {
                let col = self.cols.status;
                match self.subject_field(col) {
                    Val::Null if self.subject_row.is_some() => Val::Str("active"),
                    v => v,
                }
            }
            Expr::Source(_) | Expr::PersonEntries | Expr::Where { .. } => {
                Val::Set(self.materialize(e))
            }
            Expr::ModelResult { model, part } => {
                let s = self.summary(*model);
                match part {
                    ResultPart::Class => s.class.map_or(Val::Null, Val::Str),
                    ResultPart::Score => s.score.map_or(Val::Null, Val::Num),
                    ResultPart::Grade => s.grade.map_or(Val::Null, Val::Str),
                    ResultPart::Eligible => s.eligible.map_or(Val::Null, Val::Bool),
                }
            }
            Expr::RecordModel { model, slot, depth } => match self.scope(*depth) {
                Some(row) => self.rec_value(*model, row, *slot),
                None => Val::Null,
            },
            Expr::Call(f, args) => self.call(*f, args),
            Expr::Bin(op, l, r) => self.binary(*op, l, r),
            Expr::Not(x) => Val::Bool(!self.operand(x).truthy()),
            Expr::Neg(x) => match self.eval(x) {
                Val::Num(n) => Val::Num(-n),
                Val::Period(p) => Val::Period(Period {
                    months: -p.months,
                    days: -p.days,
                }),
                _ => Val::Null,
            },
            Expr::Index(b, i) => {
                let base = self.eval(b);
                let idx = self.eval(i);
                match (base, idx) {
                    (Val::Table(t), Val::Str(k)) => t
                        .iter()
                        .find(|(n, _)| n == k)
                        .map_or(Val::Null, |(_, v)| Val::of(v)),
                    (Val::List(items), Val::Num(n)) if n >= 0.0 => {
                        items.get(n as usize).map_or(Val::Null, Val::of)
                    }
                    _ => Val::Null,
                }
            }
            Expr::Member(b, name) => match self.eval(b) {
                Val::Table(t) => t
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(Val::Null, |(_, v)| Val::of(v)),
                Val::Rec(row) => record_schema()
                    .index(name)
                    .map_or(Val::Null, |c| self.field(row, c)),
                _ => Val::Null,
            },
        }
    }

    fn is_current(&self, row: u32) -> bool {
        let listed = self.rec.date(row, rec::DATE);
        let removed = self.rec.date(row, self.cols.removed_on);
        listed.is_some_and(|l| l <= self.cx.as_of) && removed.is_none_or(|r| r > self.cx.as_of)
    }

    /// [`Evaluator::eval`] of the leaves most operands are (a constant, a
    /// column of the current record, a named value already computed, `T`)
    /// without a call; anything else goes through `eval`.
    #[inline(always)]
    fn operand(&mut self, e: &'a Expr) -> Val<'a> {
        match e {
            Expr::Const(c) => Val::of(c),
            Expr::Field { depth, col } => self
                .scope(*depth)
                .map_or(Val::Null, |row| self.field(row, *col)),
            Expr::Let(slot) => match self.cx.lets[self.cx.model][*slot] {
                Some(v) => v,
                None => self.eval(e),
            },
            Expr::AsOf => Val::Date(self.cx.as_of),
            _ => self.eval(e),
        }
    }

    fn binary(&mut self, op: BinOp, l: &'a Expr, r: &'a Expr) -> Val<'a> {
        match op {
            BinOp::Or => {
                if self.operand(l).truthy() {
                    return Val::Bool(true);
                }
                Val::Bool(self.operand(r).truthy())
            }
            BinOp::And => {
                if !self.operand(l).truthy() {
                    return Val::Bool(false);
                }
                Val::Bool(self.operand(r).truthy())
            }
            BinOp::Coalesce => {
                let a = self.operand(l);
                if a.is_null() { self.operand(r) } else { a }
            }
            _ => {
                let a = self.operand(l);
                let b = self.operand(r);
                self.apply(op, a, b)
            }
        }
    }

    fn apply(&self, op: BinOp, a: Val<'a>, b: Val<'a>) -> Val<'a> {
        use std::cmp::Ordering::*;
        match op {
            BinOp::Eq => Val::Bool(self.val_eq(a, b)),
            BinOp::Ne => Val::Bool(!self.val_eq(a, b)),
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => match compare(a, b) {
                None => Val::Bool(false),
                Some(o) => Val::Bool(match op {
                    BinOp::Lt => o == Less,
                    BinOp::Le => o != Greater,
                    BinOp::Gt => o == Greater,
                    _ => o != Less,
                }),
            },
            BinOp::In => Val::Bool(self.member(a, b).unwrap_or(false)),
            BinOp::NotIn => Val::Bool(!self.member(a, b).unwrap_or(false)),
            BinOp::Add => match (a, b) {
                (Val::Num(x), Val::Num(y)) => Val::Num(x + y),
                (Val::Date(d), Val::Period(p)) | (Val::Period(p), Val::Date(d)) => {
                    Val::Date(add_days(d, p))
                }
                _ => Val::Null,
            },
            BinOp::Sub => match (a, b) {
                (Val::Num(x), Val::Num(y)) => Val::Num(x - y),
                (Val::Date(d), Val::Period(p)) => Val::Date(add_days(
                    d,
                    Period {
                        months: -p.months,
                        days: -p.days,
                    },
                )),
                (Val::Date(x), Val::Date(y)) => Val::Num(f64::from(x - y)),
                _ => Val::Null,
            },
            BinOp::Mul => match (a, b) {
                (Val::Num(x), Val::Num(y)) => Val::Num(x * y),
                _ => Val::Null,
            },
            BinOp::Div => match (a, b) {
                (Val::Num(x), Val::Num(y)) if y != 0.0 => Val::Num(x / y),
                _ => Val::Null,
            },
            BinOp::Or | BinOp::And | BinOp::Coalesce => Val::Null,
        }
    }

    pub(crate) fn val_eq(&self, a: Val<'a>, b: Val<'a>) -> bool {
        match (a, b) {
            (Val::Null, Val::Null) => true,
            (Val::Null, _) | (_, Val::Null) => false,
            (Val::Num(x), Val::Num(y)) => num_eq(x, y),
            (Val::Str(x), Val::Str(y)) => x == y,
            (Val::Date(x), Val::Date(y)) => x == y,
            (Val::Bool(x), Val::Bool(y)) => x == y,
            (Val::Rec(x), Val::Rec(y)) => x == y,
            (Val::Period(x), Val::Period(y)) => x == y,
            _ => false,
        }
    }

    fn member(&self, x: Val<'a>, coll: Val<'a>) -> Option<bool> {
        if x.is_null() {
            return None;
        }
        match coll {
            Val::List(items) => Some(items.iter().any(|c| self.val_eq(x, Val::of(c)))),
            Val::Window(a, b) => x.date().map(|d| a <= d && d <= b),
            Val::Range(lo, hi) => x
                .num()
                .map(|n| num_cmp(lo, n).is_le() && num_cmp(n, hi).is_le()),
            Val::Items(row, col) => {
                let s = x.str()?;
                let n = self.rec.list_len(row, col)?;
                Some((0..n).any(|i| self.rec.list_str(row, col, i) == Some(s)))
            }
            _ => None,
        }
    }

    pub(crate) fn items(&self, v: Val<'a>) -> Vec<&'a str> {
        match v {
            Val::Items(row, col) => {
                let t: &'a Table = self.rec;
                let n = t.list_len(row, col).unwrap_or(0);
                (0..n).filter_map(|i| t.list_str(row, col, i)).collect()
            }
            Val::List(items) => items
                .iter()
                .filter_map(|c| {
                    if let Const::Str(s) = c {
                        Some(s.as_str())
                    } else {
                        None
                    }
                })
                .collect(),
            Val::Str(s) => vec![s],
            _ => Vec::new(),
        }
    }

    pub(crate) fn per_record(&mut self, row: u32, e: &'a Expr) -> Val<'a> {
        self.cx.scopes.push(row);
        let v = self.eval(e);
        self.cx.scopes.pop();
        v
    }

    /// Whether `a` ranks before `b` among "latest" (or "earliest") records:
    /// by key, then by date, then by sequence number.
    pub(crate) fn better(&self, a: (u32, Val<'a>), b: (u32, Val<'a>), latest: bool) -> bool {
        let o = compare(a.1, b.1)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| {
                let k = |row| {
                    (
                        self.rec.date(row, rec::DATE).unwrap_or(i32::MIN),
                        self.rec.record_seq(row),
                    )
                };
                k(a.0).cmp(&k(b.0))
            });
        if latest { o.is_gt() } else { o.is_lt() }
    }

    /// A set function (`count`, `sum`, …) over the set `src`; `args[0]` is
    /// the set's expression, the other arguments are as written.
    pub(super) fn call_set(&mut self, f: Func, src: SetSrc<'a>, args: &'a [Expr]) -> Val<'a> {
        match f.def().eval {
            Eval::Set(run) => run(self, f, src, args),
            _ => Val::Null,
        }
    }

    /// Call `f` for each row of the set `src`.
    pub(crate) fn each_src(
        &mut self,
        src: SetSrc<'a>,
        f: &mut dyn FnMut(&mut Self, u32) -> bool,
    ) -> bool {
        match src {
            SetSrc::Expr(e) => self.each(e, f),
            SetSrc::Ref(s) => self.each_ref(s, f),
        }
    }

    /// `f(args)`, as its definition evaluates it.
    fn call(&mut self, f: Func, args: &'a [Expr]) -> Val<'a> {
        match f.def().eval {
            Eval::Scalar(run) => run(self, f, args),
            Eval::Set(run) => run(self, f, SetSrc::Expr(&args[0]), args),
            // Rendered by texts only.
            Eval::Text(_) => Val::Null,
        }
    }

    /// A set of the rows `rows`, in the arena.
    pub(crate) fn new_set(&mut self, rows: impl Iterator<Item = u32>) -> SetRef {
        let start = self.cx.arena.len() as u32;
        self.cx.arena.extend(rows);
        SetRef {
            start,
            len: self.cx.arena.len() as u32 - start,
        }
    }

    /// The record table evaluated.
    pub(crate) fn records(&self) -> &'a Table {
        self.rec
    }

    // ---- record models ----------------------------------------------------

    fn rec_value(&mut self, m: usize, row: u32, slot: usize) -> Val<'a> {
        let model: &'a Model = &self.set.models[m];
        let Body::Record { rules, outputs, .. } = &model.body else {
            return Val::Null;
        };
        let outcome_slot = outputs[0].1;
        if let Some(memo) = self.cx.rec_memo.get(&(m, row))
            && let Some(v) = memo.slots.get(slot).copied().flatten()
        {
            return v;
        }
        self.cx.rec_memo.entry((m, row)).or_insert_with(|| RecMemo {
            slots: vec![None; model.rec_lets.len()],
            matched: None,
        });
        // Evaluate inside the record's own frame.
        let saved_scopes = self.swap_scopes(Some(row));
        let saved_model = self.cx.model;
        self.cx.model = m;
        self.cx.frames.push((m, row));
        let v = if slot == outcome_slot {
            let mut matched = None;
            let mut value = Val::Null;
            for (i, r) in rules.iter().enumerate() {
                if self.eval(&r.when).truthy() {
                    matched = Some(i);
                    value = r.value.as_ref().map_or(Val::Null, |e| self.eval(e));
                    break;
                }
            }
            if let Some(memo) = self.cx.rec_memo.get_mut(&(m, row)) {
                memo.matched = Some(matched);
            }
            value
        } else {
            self.eval(&model.rec_lets[slot])
        };
        self.cx.frames.pop();
        self.cx.model = saved_model;
        self.restore_scopes(saved_scopes);
        if let Some(memo) = self.cx.rec_memo.get_mut(&(m, row)) {
            memo.slots[slot] = Some(v);
        }
        v
    }

    fn record_outputs(&mut self, m: usize) -> Vec<RecordResult<'a>> {
        let model: &'a Model = &self.set.models[m];
        let Body::Record {
            over,
            rules,
            outputs,
            select,
            ..
        } = &model.body
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for i in 0..self.by_kind[over.index()].len() {
            let row = self.by_kind[over.index()][i];
            if self
                .rec
                .date(row, rec::DATE)
                .is_none_or(|d| d > self.cx.as_of)
            {
                continue;
            }
            if let Some(sel) = select.as_ref() {
                self.cx.scopes.push(row);
                let saved = self.cx.model;
                self.cx.model = m;
                self.cx.frames.push((m, row));
                let ok = self.eval(sel).truthy();
                self.cx.frames.pop();
                self.cx.model = saved;
                self.cx.scopes.pop();
                if !ok {
                    continue;
                }
            }
            let mut fields = Vec::with_capacity(outputs.len());
            for (name, slot) in outputs {
                let v = self.rec_value(m, row, *slot);
                fields.push((name.as_str(), self.out_val(v)));
            }
            let matched = self
                .cx
                .rec_memo
                .get(&(m, row))
                .and_then(|memo| memo.matched)
                .flatten();
            let mut reasons = Vec::new();
            if self.opts.explain
                && let Some(i) = matched
            {
                let r = &rules[i];
                let saved_scopes = self.swap_scopes(Some(row));
                let saved = self.cx.model;
                self.cx.model = m;
                self.cx.frames.push((m, row));
                let text = self.render(&r.text);
                self.cx.frames.pop();
                self.cx.model = saved;
                self.restore_scopes(saved_scopes);
                reasons.push(Reason {
                    rule: r.id.as_str(),
                    text,
                    rows: vec![row],
                    points: None,
                    max_points: None,
                    stops_on: None,
                    satisfied: None,
                });
            }
            out.push(RecordResult {
                model: model.id.as_str(),
                model_version: model.version.as_str(),
                row,
                fields,
                reasons,
            });
        }
        out
    }

    fn out_val(&self, v: Val<'a>) -> OutVal {
        match v {
            Val::Null => OutVal::Null,
            Val::Bool(b) => OutVal::Bool(b),
            Val::Num(n) => OutVal::Num(n),
            Val::Str(s) => OutVal::Str(s.to_owned()),
            Val::Date(d) => OutVal::Date(d),
            Val::Period(p) => OutVal::Period(p),
            other => OutVal::Str(self.format(other)),
        }
    }

    // ---- subject models ---------------------------------------------------

    fn with_model<T>(&mut self, m: usize, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = self.cx.model;
        let saved_scopes = self.swap_scopes(None);
        self.cx.model = m;
        let out = f(self);
        self.cx.model = saved;
        self.restore_scopes(saved_scopes);
        out
    }

    fn decide(&mut self, m: usize) -> Decided {
        if let Some(d) = &self.cx.decided[m] {
            return d.clone();
        }
        let model: &'a Model = &self.set.models[m];
        let d = self.with_model(m, |me| match &model.body {
            Body::Classification { classes, .. } => {
                let idx = classes
                    .iter()
                    .position(|c| c.rules.iter().any(|r| me.eval(&r.when).truthy()))
                    .unwrap_or(classes.len());
                Decided::Class(idx)
            }
            Body::Lists { outcomes } => {
                let in_scope = me.in_scope_here(model);
                Decided::Lists(if in_scope {
                    outcomes
                        .iter()
                        .position(|c| c.rules.iter().any(|r| me.eval(&r.when).truthy()))
                } else {
                    None
                })
            }
            Body::Eligibility { conditions } => Decided::Eligibility(
                conditions
                    .iter()
                    .map(|r| me.eval(&r.when).truthy())
                    .collect(),
            ),
            Body::Scoring {
                indicators,
                vetoes,
                grades,
                ..
            } => {
                // Explaining at T: trace the records behind each indicator
                // while computing its points (not a second pass).
                let trace = me.opts.explain && me.cx.as_of == me.cx.known_until;
                let points: Vec<f64> = indicators
                    .iter()
                    .enumerate()
                    .map(|(k, ind)| {
                        let raw = if trace && ind.records.is_none() {
                            let mut rows = me.take_tmp();
                            let v = me.lineage(&ind.points, &mut rows).num();
                            let set = me.cx.stash(&rows);
                            me.cx.indicator_rows.insert((m, k), set);
                            me.tmp.push(rows);
                            v
                        } else {
                            me.eval(&ind.points).num()
                        };
                        round2(raw.unwrap_or(0.0).clamp(ind.min, ind.max) * ind.weight)
                    })
                    .collect();
                let score = round2(points.iter().sum());
                let mut grade = grades
                    .iter()
                    .position(|g| g.min.is_none_or(|min| score >= min - 1e-9))
                    .unwrap_or(grades.len() - 1);
                let vetoes: Vec<bool> = vetoes
                    .iter()
                    .map(|v| me.eval(&v.rule.when).truthy())
                    .collect();
                for (v, holds) in model_vetoes(model).iter().zip(&vetoes) {
                    if *holds {
                        grade = grade.max(v.cap);
                    }
                }
                Decided::Score {
                    points,
                    score,
                    grade,
                    vetoes,
                }
            }
            Body::Record { .. } => Decided::Lists(None),
        });
        self.cx.decided[m] = Some(d.clone());
        d
    }

    /// Whether the model (whose scope is entered) is kept for the subject:
    /// always unless the evaluation is scoped and its `applies_to` is false.
    fn in_scope_here(&mut self, model: &'a Model) -> bool {
        !self.opts.scoped
            || model
                .applies_to
                .as_ref()
                .is_none_or(|e| self.eval(e).truthy())
    }

    /// Whether model `m` gives the subject a result line: a lists model
    /// always does (a subject outside its scope is on none of its lists).
    fn has_line(&mut self, m: usize) -> bool {
        let model: &'a Model = &self.set.models[m];
        if !self.opts.scoped
            || model.applies_to.is_none()
            || matches!(model.body, Body::Lists { .. })
        {
            return true;
        }
        self.with_model(m, |me| me.in_scope_here(model))
    }

    fn summary(&mut self, m: usize) -> Summary<'a> {
        if let Some(s) = self.cx.results[m] {
            return s;
        }
        let model: &'a Model = &self.set.models[m];
        let mut s = Summary {
            class: None,
            score: None,
            grade: None,
            eligible: None,
        };
        if !self.has_line(m) {
            self.cx.results[m] = Some(s);
            return s;
        }
        let d = self.decide(m);
        match (&model.body, d) {
            (
                Body::Classification {
                    classes,
                    default_class,
                    ..
                },
                Decided::Class(i),
            ) => {
                s.class = Some(
                    classes
                        .get(i)
                        .map_or(default_class.as_str(), |c| c.id.as_str()),
                );
            }
            (Body::Scoring { grades, .. }, Decided::Score { score, grade, .. }) => {
                s.score = Some(score);
                s.grade = Some(grades[grade].id.as_str());
            }
            (Body::Eligibility { .. }, Decided::Eligibility(v)) => {
                s.eligible = Some(v.iter().all(|b| *b))
            }
            _ => {}
        }
        self.cx.results[m] = Some(s);
        s
    }

    fn subject_output(&mut self, m: usize) -> SubjectResult<'a> {
        let model: &'a Model = &self.set.models[m];
        let decided = self.decide(m);
        let explain = self.opts.explain;
        let mut reasons = Vec::new();
        let mut blocked_by = Vec::new();
        let decision = match (&model.body, &decided) {
            (
                Body::Classification {
                    classes,
                    default_class,
                    default_label,
                },
                Decided::Class(i),
            ) => {
                let best = classes.len().saturating_sub(1);
                if let Some(c) = classes.get(*i) {
                    if explain {
                        for r in &c.rules {
                            if let Some(reason) = self.explain_rule(m, r, *i != best, true) {
                                reasons.push(reason);
                            }
                        }
                    }
                    Decision::Class {
                        id: c.id.as_str(),
                        label: c.label.as_str(),
                    }
                } else {
                    if explain && let Some(c) = classes.last() {
                        for r in &c.rules {
                            if let Some(reason) = self.explain_rule(m, r, false, false) {
                                blocked_by.push(reason);
                            }
                        }
                    }
                    Decision::Class {
                        id: default_class.as_str(),
                        label: default_label.as_str(),
                    }
                }
            }
            (Body::Lists { outcomes, .. }, Decided::Lists(Some(i))) => {
                if explain {
                    // When a listing stops matters for a blacklist (the way
                    // off it), not for a red list.
                    let adverse = catalog::list_spec(&outcomes[*i].id)
                        .is_some_and(|l| l.category != catalog::ListCategory::Redlist);
                    for r in &outcomes[*i].rules {
                        if let Some(reason) = self.explain_rule(m, r, adverse, true) {
                            reasons.push(reason);
                        }
                    }
                }
                Decision::Lists(vec![outcomes[*i].id.as_str()])
            }
            (Body::Lists { .. }, Decided::Lists(None)) => Decision::Lists(Vec::new()),
            (Body::Eligibility { conditions }, Decided::Eligibility(holds)) => {
                let eligible = holds.iter().all(|h| *h);
                let failed: Vec<&'a str> = conditions
                    .iter()
                    .zip(holds)
                    .filter(|(_, h)| !**h)
                    .map(|(c, _)| c.id.as_str())
                    .collect();
                if explain {
                    for (c, h) in conditions.iter().zip(holds) {
                        if (eligible || !*h)
                            && let Some(mut reason) = self.explain_rule(m, c, false, *h)
                        {
                            reason.satisfied = Some(*h);
                            reasons.push(reason);
                        }
                    }
                }
                Decision::Eligibility { eligible, failed }
            }
            (
                Body::Scoring {
                    indicators,
                    vetoes,
                    grades,
                    ..
                },
                Decided::Score {
                    points,
                    score,
                    grade,
                    vetoes: holds,
                },
            ) => {
                if explain {
                    for (v, h) in vetoes.iter().zip(holds) {
                        if *h && let Some(reason) = self.explain_rule(m, &v.rule, true, true) {
                            reasons.push(reason);
                        }
                    }
                    for (k, (ind, p)) in indicators.iter().zip(points).enumerate() {
                        let rows = dedup(self.indicator_records(m, k, ind));
                        let text = self.with_model(m, |me| me.render(&ind.text));
                        // A deduction made at T ends on the first day its
                        // points are no longer below 0.
                        let stops_on = match &ind.deducts {
                            Some(when) if *p < 0.0 && self.opts.stops_on => {
                                self.stops_on(m, when, &rows)
                            }
                            _ => None,
                        };
                        reasons.push(Reason {
                            rule: ind.id.as_str(),
                            text,
                            rows,
                            points: Some(*p),
                            max_points: Some(round2(ind.max * ind.weight)),
                            stops_on,
                            satisfied: None,
                        });
                    }
                }
                let g = &grades[*grade];
                Decision::Score {
                    score: *score,
                    grade: g.id.as_str(),
                    label: g.label.as_str(),
                }
            }
            _ => Decision::Lists(Vec::new()),
        };
        SubjectResult {
            model: model.id.as_str(),
            model_version: model.version.as_str(),
            decision,
            reasons,
            blocked_by,
        }
    }

    /// Explain rule `r` of model `m` if its truth equals `want`: text and
    /// records (and when it stops, if `until` and enabled).
    fn explain_rule(
        &mut self,
        m: usize,
        r: &'a Rule,
        until: bool,
        want: bool,
    ) -> Option<Reason<'a>> {
        let (holds, set) = self.rule_trace(m, r);
        if holds != want {
            return None;
        }
        let rows = self.set_rows(set).to_vec();
        let template = if !holds {
            r.fail_text.as_ref().unwrap_or(&r.text)
        } else {
            &r.text
        };
        let text = self.with_model(m, |me| me.render(template));
        let rows = dedup(rows);
        let stops_on = if until && holds && self.opts.stops_on {
            self.stops_on(m, &r.when, &rows)
        } else {
            None
        };
        Some(Reason {
            rule: r.id.as_str(),
            text,
            rows,
            points: None,
            max_points: None,
            stops_on,
            satisfied: None,
        })
    }
}

fn model_vetoes(m: &Model) -> &[Veto] {
    match &m.body {
        Body::Scoring { vetoes, .. } => vetoes,
        _ => &[],
    }
}

/// Whether the first argument of `f` is a set of records.
fn is_set_fn(f: Func) -> bool {
    f.def().takes_set()
}

fn dedup(mut rows: Vec<u32>) -> Vec<u32> {
    rows.sort_unstable();
    rows.dedup();
    rows
}

/// The order of two numbers, dates or texts (`None` for other values).
pub(crate) fn compare(a: Val<'_>, b: Val<'_>) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Val::Num(x), Val::Num(y)) => Some(num_cmp(x, y)),
        (Val::Date(x), Val::Date(y)) => Some(x.cmp(&y)),
        (Val::Str(x), Val::Str(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// `add` of PRODUCT.md §3 on days since epoch.
pub(crate) fn add_days(d: i32, p: Period) -> i32 {
    time::days_since_epoch(time::add(time::from_days_since_epoch(d), p))
}
