//! The records behind a value ("lineage"): which records made a rule hold
//! (or fail), an indicator lose points, another model's result be what it
//! is. Traced while evaluating, once per evaluation, and kept in the arena.

use super::{Decided, Evaluator, SetSrc, is_set_fn};
use crate::lang::BinOp;
use crate::lang::functions::PerRecord;
use crate::lang::ir::*;
use crate::lang::{Func, Model};
use crate::value::{SetRef, Val};

impl<'a> Evaluator<'a> {
    /// Whether rule `r` of model `m` holds, and the records behind it (its
    /// `records` set if it names one), traced once per evaluation.
    pub(super) fn rule_trace(&mut self, m: usize, r: &'a Rule) -> (bool, SetRef) {
        let key = (m, r as *const Rule as usize);
        if let Some(&t) = self.cx.rule_rows.get(&key) {
            return t;
        }
        let t = self.with_model(m, |me| {
            let mut rows = me.take_tmp();
            let holds = me.lineage(&r.when, &mut rows).truthy();
            let set = match &r.records {
                Some(set) => me.materialize(set),
                None => me.cx.stash(&rows),
            };
            me.tmp.push(rows);
            (holds, set)
        });
        self.cx.rule_rows.insert(key, t);
        t
    }

    /// The records behind indicator `k` of scoring model `m` (traced with its
    /// points by `decide`, or its `records` set).
    pub(super) fn indicator_records(&mut self, m: usize, k: usize, ind: &'a Indicator) -> Vec<u32> {
        if let Some(&s) = self.cx.indicator_rows.get(&(m, k)) {
            return self.set_rows(s).to_vec();
        }
        self.with_model(m, |me| match &ind.records {
            Some(set) => {
                let s = me.materialize(set);
                me.set_rows(s).to_vec()
            }
            None => {
                let mut rows = Vec::new();
                me.lineage(&ind.points, &mut rows);
                rows
            }
        })
    }

    /// The records behind the result of subject-level model `m`, when another
    /// model reads it: those of the true rules of its decisive class or list
    /// outcome; of its vetoes that hold and the indicators that lost points;
    /// of its failed conditions (every condition when eligible).
    pub(super) fn result_lineage(&mut self, m: usize) -> SetRef {
        if let Some(s) = self.cx.result_lineage[m] {
            return s;
        }
        let model: &'a Model = &self.set.models[m];
        let decided = self.decide(m);
        let mut rows = self.take_tmp();
        self.with_model(m, |me| {
            let trace = |me: &mut Self, r: &'a Rule, want: bool, rows: &mut Vec<u32>| {
                let (holds, set) = me.rule_trace(m, r);
                if holds == want {
                    rows.extend_from_slice(me.set_rows(set));
                }
            };
            match (&model.body, &decided) {
                (Body::Classification { classes, .. }, Decided::Class(i)) => {
                    if let Some(c) = classes.get(*i) {
                        c.rules.iter().for_each(|r| trace(me, r, true, &mut rows));
                    }
                }
                (Body::Lists { outcomes, .. }, Decided::Lists(Some(i))) => {
                    outcomes[*i]
                        .rules
                        .iter()
                        .for_each(|r| trace(me, r, true, &mut rows));
                }
                (Body::Eligibility { conditions }, Decided::Eligibility(holds)) => {
                    let all = holds.iter().all(|h| *h);
                    for (r, h) in conditions.iter().zip(holds) {
                        if all || !h {
                            trace(me, r, *h, &mut rows);
                        }
                    }
                }
                (
                    Body::Scoring {
                        indicators, vetoes, ..
                    },
                    Decided::Score { points, .. },
                ) => {
                    vetoes
                        .iter()
                        .for_each(|v| trace(me, &v.rule, true, &mut rows));
                    for (k, (ind, p)) in indicators.iter().zip(points).enumerate() {
                        if *p < ind.max * ind.weight - 1e-9 {
                            rows.extend(me.indicator_records(m, k, ind));
                        }
                    }
                }
                _ => {}
            }
        });
        let s = self.cx.stash(&rows);
        self.tmp.push(rows);
        self.cx.result_lineage[m] = Some(s);
        s
    }

    /// Evaluate `e` and collect the records behind its value into `out`:
    /// for a true/false value, the records that make it so.
    pub(super) fn lineage(&mut self, e: &'a Expr, out: &mut Vec<u32>) -> Val<'a> {
        match e {
            Expr::ModelResult { model, .. } => {
                let s = self.result_lineage(*model);
                out.extend_from_slice(self.set_rows(s));
                self.eval(e)
            }
            Expr::Bin(BinOp::Or, l, r) | Expr::Bin(BinOp::And, l, r) => {
                let is_or = matches!(e, Expr::Bin(BinOp::Or, _, _));
                let mut la = Vec::new();
                let mut lb = Vec::new();
                let a = self.lineage(l, &mut la).truthy();
                let b = self.lineage(r, &mut lb).truthy();
                let v = if is_or { a || b } else { a && b };
                // Keep the operands whose value agrees with the result.
                if a == v {
                    out.extend(la);
                }
                if b == v {
                    out.extend(lb);
                }
                Val::Bool(v)
            }
            Expr::Not(x) => Val::Bool(!self.lineage(x, out).truthy()),
            Expr::Bin(op, l, r) => {
                if *op == BinOp::Coalesce {
                    let a = self.lineage(l, out);
                    return if a.is_null() { self.lineage(r, out) } else { a };
                }
                let a = self.lineage(l, out);
                let b = self.lineage(r, out);
                self.apply(*op, a, b)
            }
            Expr::Let(slot) => {
                // A named value is explained once per evaluation: its records
                // are kept in the arena.
                let m = self.cx.model;
                if let Some(rows) = self.cx.let_lineage[m][*slot] {
                    out.extend_from_slice(self.set_rows(rows));
                    return self.eval(e);
                }
                let expr = &self.set.models[m].lets[*slot];
                // A set already computed whose records are its members: its
                // lineage is the set itself, without filtering again.
                if let Some(v @ Val::Set(s)) = self.cx.lets[m][*slot]
                    && self.members_are_lineage(m, expr)
                {
                    self.cx.let_lineage[m][*slot] = Some(s);
                    out.extend_from_slice(self.set_rows(s));
                    return v;
                }
                let saved = self.swap_scopes(None);
                let mut mine = self.take_tmp();
                let v = self.lineage(expr, &mut mine);
                self.restore_scopes(saved);
                // The value traced is the value: later reads need not
                // compute it again.
                if self.cx.lets[m][*slot].is_none() {
                    self.cx.lets[m][*slot] = Some(v);
                }
                let set = self.cx.stash(&mine);
                self.cx.let_lineage[m][*slot] = Some(set);
                out.extend_from_slice(&mine);
                self.tmp.push(mine);
                v
            }
            Expr::Source(_) | Expr::PersonEntries => {
                let s = self.materialize(e);
                out.extend_from_slice(self.set_rows(s));
                Val::Set(s)
            }
            Expr::Where { .. } if self.members_are_lineage(self.cx.model, e) => {
                // The condition brings no records of its own: the records
                // behind the set are its members, evaluated as a value.
                let v = self.eval(e);
                if let Val::Set(s) = v {
                    out.extend_from_slice(self.set_rows(s));
                }
                v
            }
            Expr::Where { set, cond } => {
                // The members that pass, and the records that made each pass
                // (e.g. the penalty that followed an accident).
                // The members that pass make the value: the condition is
                // evaluated once per member.
                let base = self.materialize(set);
                let mut pass = self.take_tmp();
                let mut inner = self.take_tmp();
                for i in base.start..base.start + base.len {
                    // The arena only grows during an evaluation: `i` stays valid.
                    let row = self.cx.arena[i as usize];
                    self.cx.scopes.push(row);
                    inner.clear();
                    let ok = self.lineage(cond, &mut inner).truthy();
                    self.cx.scopes.pop();
                    if ok {
                        pass.push(row);
                        out.push(row);
                        out.extend_from_slice(&inner);
                    }
                }
                let s = self.cx.stash(&pass);
                self.tmp.push(inner);
                self.tmp.push(pass);
                Val::Set(s)
            }
            Expr::Call(Func::If, args) => {
                if self.lineage(&args[0], out).truthy() {
                    self.lineage(&args[1], out)
                } else {
                    self.lineage(&args[2], out)
                }
            }
            Expr::Call(Func::Latest | Func::Earliest, _) => {
                let v = self.eval(e);
                if let Val::Rec(row) = v {
                    out.push(row);
                }
                v
            }
            Expr::Call(Func::Top, _) => {
                let v = self.eval(e);
                if let Val::Set(s) = v {
                    out.extend_from_slice(self.set_rows(s));
                }
                v
            }
            Expr::Call(f, args) if is_set_fn(*f) => {
                // The set is built once, with its records, and the function
                // runs over it.
                match self.lineage(&args[0], out) {
                    Val::Set(s) => self.call_set(*f, SetSrc::Ref(s), args),
                    _ => self.eval(e),
                }
            }
            Expr::Call(f, args) if f.def().per_item != PerRecord::None => {
                // The per-element argument is about the array's elements:
                // the records behind the call are those of the array.
                self.lineage(&args[0], out);
                self.eval(e)
            }
            Expr::Call(_, args) => {
                for a in args {
                    self.lineage(a, out);
                }
                self.eval(e)
            }
            Expr::FieldOf { rec, .. } => {
                self.lineage(rec, out);
                self.eval(e)
            }
            _ => self.eval(e),
        }
    }

    /// Whether tracing `e` (of model `m`) adds no records, whatever the
    /// data: it mirrors the cases of [`Evaluator::lineage`] that add rows.
    /// Deeply nested lets answer `false`, which only takes the slower path.
    pub(super) fn row_free(&self, m: usize, e: &Expr, depth: u8) -> bool {
        if depth > 16 {
            return false;
        }
        let free = |x: &Expr| self.row_free(m, x, depth + 1);
        match e {
            Expr::ModelResult { .. }
            | Expr::Source(_)
            | Expr::PersonEntries
            | Expr::Where { .. } => false,
            Expr::Bin(_, l, r) => free(l) && free(r),
            Expr::Not(x) => free(x),
            Expr::Let(slot) => self.set.models[m].lets.get(*slot).is_some_and(&free),
            Expr::Call(Func::Latest | Func::Earliest | Func::Top, _) => false,
            Expr::Call(f, _) if is_set_fn(*f) => false,
            Expr::Call(_, args) => args.iter().all(free),
            Expr::FieldOf { rec, .. } => free(rec),
            // Traced as plain values (see `lineage`).
            _ => true,
        }
    }

    /// Whether the records behind the set `e` are exactly its members: a
    /// source, or a filter whose condition brings no records of its own.
    pub(super) fn members_are_lineage(&mut self, m: usize, e: &Expr) -> bool {
        match e {
            Expr::Source(_) | Expr::PersonEntries => true,
            Expr::Where { cond, .. } => {
                let key = e as *const Expr as usize;
                if let Some(&plain) = self.plain_sets.get(&key) {
                    return plain;
                }
                let plain = self.row_free(m, cond, 0);
                self.plain_sets.insert(key, plain);
                plain
            }
            _ => false,
        }
    }
}
