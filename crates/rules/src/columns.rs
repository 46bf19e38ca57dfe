//! Which record columns a set of models reads (for column projection in scans).

use std::collections::BTreeSet;

use xinyong_columnar::record_schema;
use xinyong_core::catalog::RecordKind;

use crate::lang::ir::{Body, Expr, Rule, Template, TemplatePiece};
use crate::set::ModelSet;

/// Subject columns read (`subject.x`), collected beside record columns.
static SUBJECT_MARK: usize = 1 << 30;
/// Record kinds read (their index), collected beside record columns.
static KIND_MARK: usize = 1 << 29;

fn walk(e: &Expr, out: &mut BTreeSet<usize>) {
    match e {
        Expr::Source(k) => {
            out.insert(KIND_MARK | k.index());
        }
        Expr::PersonEntries => {
            out.insert(KIND_MARK | RecordKind::ListEntry.index());
        }
        Expr::Subject { col } => {
            out.insert(SUBJECT_MARK | *col);
        }
        Expr::SubjectStatus => {
            if let Some(c) = xinyong_columnar::subject_schema().index("status") {
                out.insert(SUBJECT_MARK | c);
            }
        }
        Expr::Field { col, .. } => {
            out.insert(*col);
        }
        Expr::FieldOf { rec, col } => {
            out.insert(*col);
            walk(rec, out);
        }
        Expr::Band {
            min_col, max_col, ..
        } => {
            out.insert(*min_col);
            out.insert(*max_col);
        }
        Expr::HasBands { .. } => {
            let s = record_schema();
            for b in ["general", "serious"] {
                for m in ["min", "max"] {
                    if let Some(c) = s.index(&format!("basis_bands.{b}.{m}")) {
                        out.insert(c);
                    }
                }
            }
        }
        Expr::Current { .. } => {
            if let Some(c) = record_schema().index("removed_on") {
                out.insert(c);
            }
        }
        Expr::Member(b, name) => {
            if let Some(c) = record_schema().index(name) {
                out.insert(c);
            }
            walk(b, out);
        }
        Expr::Where { set, cond } => {
            walk(set, out);
            walk(cond, out);
        }
        Expr::Call(_, args) => args.iter().for_each(|a| walk(a, out)),
        Expr::Bin(_, l, r) | Expr::Index(l, r) => {
            walk(l, out);
            walk(r, out);
        }
        Expr::Not(x) | Expr::Neg(x) => walk(x, out),
        _ => {}
    }
}

fn walk_template(t: &Template, out: &mut BTreeSet<usize>) {
    for p in &t.pieces {
        if let TemplatePiece::Expr(e) = p {
            walk(e, out);
        }
    }
}

fn walk_rule(r: &Rule, out: &mut BTreeSet<usize>) {
    walk(&r.when, out);
    walk_template(&r.text, out);
    if let Some(t) = &r.fail_text {
        walk_template(t, out);
    }
    for e in [&r.value, &r.records].into_iter().flatten() {
        walk(e, out);
    }
}

impl ModelSet {
    /// Record columns (schema indices) read by `models` and the models they use.
    /// `person_role` is always included: it separates the subject's own list
    /// entries from its persons'.
    pub fn record_columns(&self, models: &[usize]) -> BTreeSet<usize> {
        self.columns_read(models)
            .into_iter()
            .filter(|c| c & (SUBJECT_MARK | KIND_MARK) == 0)
            .collect()
    }

    /// The record kinds `models` and the models they use read (the others
    /// need not be scanned).
    pub fn kinds_read(&self, models: &[usize]) -> Vec<RecordKind> {
        self.columns_read(models)
            .into_iter()
            .filter(|c| c & KIND_MARK != 0)
            .filter_map(|c| RecordKind::from_index(c & !KIND_MARK))
            .collect()
    }

    /// Subject columns (schema indices) read by `models` and the models they use.
    pub fn subject_columns(&self, models: &[usize]) -> BTreeSet<usize> {
        self.columns_read(models)
            .into_iter()
            .filter(|c| c & SUBJECT_MARK != 0)
            .map(|c| c & !SUBJECT_MARK)
            .collect()
    }

    fn columns_read(&self, models: &[usize]) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        if let Some(c) = record_schema().index("person_role") {
            out.insert(c);
        }
        if let Some(c) = record_schema().index("removed_on") {
            out.insert(c);
        }
        for m in self.closure(models) {
            let model = &self.models[m];
            model
                .lets
                .iter()
                .chain(&model.rec_lets)
                .chain(&model.applies_to)
                .for_each(|e| walk(e, &mut out));
            match &model.body {
                Body::Classification { classes: o, .. } => o
                    .iter()
                    .flat_map(|c| &c.rules)
                    .for_each(|r| walk_rule(r, &mut out)),
                Body::Lists { outcomes } => outcomes
                    .iter()
                    .flat_map(|c| &c.rules)
                    .for_each(|r| walk_rule(r, &mut out)),
                Body::Eligibility { conditions } => {
                    conditions.iter().for_each(|r| walk_rule(r, &mut out))
                }
                Body::Scoring {
                    indicators, vetoes, ..
                } => {
                    for i in indicators {
                        walk(&i.points, &mut out);
                        walk_template(&i.text, &mut out);
                        if let Some(r) = &i.records {
                            walk(r, &mut out);
                        }
                    }
                    vetoes.iter().for_each(|v| walk_rule(&v.rule, &mut out));
                }
                Body::Record {
                    over,
                    select,
                    rules,
                    ..
                } => {
                    out.insert(KIND_MARK | over.index());
                    if let Some(s) = select {
                        walk(s, &mut out);
                    }
                    rules.iter().for_each(|r| walk_rule(r, &mut out));
                }
            }
        }
        out
    }
}
