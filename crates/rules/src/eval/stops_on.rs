//! The day a result stops holding: for the reasons of a non-best outcome,
//! each rule is evaluated again at the future days where something it reads
//! could change (a record's date reaching one of the rule's periods, the
//! first of January for calendar rules), assuming no new records.

use xinyong_columnar::subject_schema;
use xinyong_core::time::{self, Period};

use super::{DAY, Evaluator, add_days};
use crate::lang::Func;
use crate::lang::Model;
use crate::lang::functions::period_of;
use crate::lang::ir::*;
use crate::set::ModelSet;
use crate::value::Val;

impl<'a> Evaluator<'a> {
    /// The first day after `T` on which `when` no longer holds, assuming no
    /// new records: the candidates are the days on which a record behind the
    /// rule (or the subject) reaches one of the model's periods.
    pub(super) fn stops_on(&mut self, m: usize, when: &'a Expr, rows: &[u32]) -> Option<i32> {
        let t = self.cx.as_of;
        let mut base: Vec<i32> = Vec::new();
        for &row in rows {
            for &c in &self.date_cols {
                if let Some(d) = self.rec.date(row, c) {
                    base.push(d);
                }
            }
            // The dates of the elements of its arrays of objects (e.g. the
            // due dates of a ledger item's installments).
            for (c, subs) in &self.item_date_cols {
                for i in 0..self.rec.list_len(row, *c).unwrap_or(0) {
                    for &sub in subs {
                        if let Some(d) = self.rec.item_date(row, *c, i, sub) {
                            base.push(d);
                        }
                    }
                }
            }
            // Dates computed by record models over this record (e.g. display_until).
            if let Some(k) = self.rec.kind(row) {
                for &dm in self.set.record_models_over(m, k) {
                    let model: &'a Model = &self.set.models[dm];
                    for slot in 0..model.rec_lets.len() {
                        if let Val::Date(d) = self.rec_value(dm, row, slot) {
                            base.push(d);
                        }
                    }
                }
            }
        }
        if let (Some(st), Some(row)) = (self.subj, self.subject_row)
            && let Some(c) = subject_schema().index("established_on")
            && let Some(d) = st.date(row, c)
        {
            base.push(d);
        }
        // The periods whose ends can change the rule's truth, and whether
        // the calendar can (all of the model's, and the calendar, when the
        // rule's own cannot be told).
        let set = self.set;
        let moves = self
            .rule_periods
            .entry(when as *const Expr as usize)
            .or_insert_with(|| when_periods(set, m, when));
        let (periods, calendar) = match moves {
            Some(mv) => (mv.periods.as_slice(), mv.calendar),
            None => (set.periods_of(m), true),
        };
        let horizon = add_days(t, Period::years(10));
        let mut cands: Vec<i32> = Vec::new();
        for &d in &base {
            cands.push(d);
            cands.push(d + DAY);
            for p in periods {
                let e = add_days(d, *p);
                cands.push(e);
                cands.push(e + DAY);
                if p.months != 0 {
                    // `d in [add(T', -p), T']` holds until the first T' with
                    // add(T', -p) > d. When d is a month end, every later day of
                    // e's month still maps back onto d (add clamps to month
                    // ends: add(2024-02-29, -3 years) = 2021-02-28), so the
                    // day after e's month end is a candidate too.
                    cands.push(first_of_next_month(e));
                }
            }
        }
        if calendar {
            let year = time::from_days_since_epoch(t).year();
            for y in 1..=4 {
                if let Ok(d) = time::Date::new(year.saturating_add(y), 1, 1) {
                    cands.push(time::days_since_epoch(d));
                }
            }
        }
        cands.retain(|c| *c > t && *c <= horizon);
        cands.sort_unstable();
        cands.dedup();
        if cands.is_empty() {
            return None;
        }
        let known = self.cx.known_until;
        let mut stop = None;
        std::mem::swap(&mut self.cx, &mut self.alt);
        for c in cands {
            self.cx.reset(c, known);
            self.cx.model = m;
            if !self.eval(when).truthy() {
                stop = Some(c);
                break;
            }
        }
        std::mem::swap(&mut self.cx, &mut self.alt);
        stop
    }
}

/// What can make the truth of a rule condition change as the date moves on
/// (besides the dates of its records): see [`when_periods`].
#[derive(Debug, Clone, Default)]
pub(super) struct Moves {
    /// The periods of its windows, period constants and `months(n)`-like
    /// calls, of the named values it reads, and all those of the models
    /// whose results or record values it reads.
    periods: Vec<Period>,
    /// Whether it reads the calendar of the date (`year`, `ymd`), directly or
    /// through another model's result: then its truth may change on 1 January.
    calendar: bool,
}

/// What can change the truth of `when` (a condition of model `m`) as the
/// date moves on. `None` when a period is computed from data (then every
/// period of the model is taken, and the calendar, as for a rule that cannot
/// be told).
fn when_periods(set: &ModelSet, m: usize, when: &Expr) -> Option<Moves> {
    fn add(out: &mut Vec<Period>, p: Period) {
        for q in [
            p,
            Period {
                months: -p.months,
                days: -p.days,
            },
        ] {
            if !out.contains(&q) {
                out.push(q);
            }
        }
    }
    fn konst(c: &Const, out: &mut Vec<Period>) {
        match c {
            Const::Period(p) => add(out, *p),
            Const::List(items) => items.iter().for_each(|c| konst(c, out)),
            Const::Table(t) => t.iter().for_each(|(_, c)| konst(c, out)),
            _ => {}
        }
    }
    fn walk(
        set: &ModelSet,
        m: usize,
        e: &Expr,
        seen: &mut Vec<usize>,
        moves: &mut Moves,
    ) -> Option<()> {
        let out = &mut moves.periods;
        match e {
            Expr::Const(c) => konst(c, out),
            Expr::WindowBack(p) => add(out, *p),
            Expr::Let(slot) => {
                if !seen.contains(slot) {
                    seen.push(*slot);
                    walk(set, m, set.models[m].lets.get(*slot)?, seen, moves)?;
                }
            }
            Expr::ModelResult { model, .. } => {
                set.periods_of(*model).iter().for_each(|p| add(out, *p));
                moves.calendar = true;
            }
            Expr::RecordModel { model, .. } => {
                set.periods_of(*model).iter().for_each(|p| add(out, *p));
            }
            Expr::RecLet(_) => return None,
            Expr::Call(Func::Year | Func::Ymd, args) => {
                moves.calendar = true;
                for a in args {
                    walk(set, m, a, seen, moves)?;
                }
            }
            Expr::Call(Func::Months | Func::Years | Func::Days, args) => {
                let [Expr::Const(Const::Num(n))] = args.as_slice() else {
                    return None;
                };
                let Expr::Call(f, _) = e else {
                    return None;
                };
                add(out, period_of(*f, n.round() as i32));
            }
            Expr::FieldOf { rec, .. } | Expr::Member(rec, _) => walk(set, m, rec, seen, moves)?,
            Expr::Where { set: s, cond } => {
                walk(set, m, s, seen, moves)?;
                walk(set, m, cond, seen, moves)?;
            }
            Expr::Call(_, args) => {
                for a in args {
                    walk(set, m, a, seen, moves)?;
                }
            }
            Expr::Bin(_, l, r) | Expr::Index(l, r) => {
                walk(set, m, l, seen, moves)?;
                walk(set, m, r, seen, moves)?;
            }
            Expr::Not(x) | Expr::Neg(x) => walk(set, m, x, seen, moves)?,
            Expr::AsOf
            | Expr::Field { .. }
            | Expr::Item { .. }
            | Expr::HasBands { .. }
            | Expr::Band { .. }
            | Expr::Counts { .. }
            | Expr::Current { .. }
            | Expr::Rec { .. }
            | Expr::Subject { .. }
            | Expr::SubjectStatus
            | Expr::Source(_)
            | Expr::PersonEntries => {}
        }
        Some(())
    }
    let mut moves = Moves::default();
    walk(set, m, when, &mut Vec::new(), &mut moves)?;
    Some(moves)
}

/// The first day of the month after the month of `d` (days since epoch).
fn first_of_next_month(d: i32) -> i32 {
    let date = time::from_days_since_epoch(d);
    add_days(d - i32::from(date.day()) + 1, Period::months(1))
}
