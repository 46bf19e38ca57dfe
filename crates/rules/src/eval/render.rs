//! Texts: the reasons' templates rendered with the values of their `{…}`
//! pieces, and values written as Chinese text.

use xinyong_core::time::Period;

use super::Evaluator;
use crate::lang::functions::Eval;
use crate::lang::ir::*;
use crate::result::{exact_int, push_date, push_int};
use crate::value::{Val, round2};

impl<'a> Evaluator<'a> {
    pub(super) fn render(&mut self, t: &'a Template) -> String {
        // The literal text and room for the values: one allocation for most texts.
        let literal: usize = t
            .pieces
            .iter()
            .map(|p| match p {
                TemplatePiece::Text(x) => x.len(),
                TemplatePiece::Expr(_) => 16,
            })
            .sum();
        let mut s = String::with_capacity(literal + 16);
        for p in &t.pieces {
            match p {
                TemplatePiece::Text(x) => s.push_str(x),
                TemplatePiece::Expr(Expr::Call(f, args))
                    if let Eval::Text(render) = f.def().eval =>
                {
                    render(self, &mut s, args)
                }
                TemplatePiece::Expr(e) => {
                    let v = self.eval(e);
                    self.format_into(&mut s, v);
                }
            }
        }
        s
    }

    pub(super) fn format(&self, v: Val<'a>) -> String {
        let mut s = String::new();
        self.format_into(&mut s, v);
        s
    }

    /// Append the text of `v` to `s`.
    pub(crate) fn format_into(&self, s: &mut String, v: Val<'a>) {
        match v {
            Val::Null => {}
            Val::Bool(b) => s.push_str(if b { "是" } else { "否" }),
            Val::Num(n) => push_num(s, n),
            Val::Str(x) => s.push_str(x),
            Val::Date(d) => push_date(s, d),
            Val::Period(p) => s.push_str(&period_zh(p)),
            Val::Window(a, b) => {
                push_date(s, a);
                s.push('至');
                push_date(s, b);
            }
            Val::Range(a, b) => {
                push_num(s, a);
                s.push('至');
                push_num(s, b);
            }
            Val::List(items) => {
                for (i, c) in items.iter().enumerate() {
                    if i > 0 {
                        s.push('、');
                    }
                    self.format_into(s, Val::of(c));
                }
            }
            Val::Items(..) => {
                for (i, x) in self.items(v).iter().enumerate() {
                    if i > 0 {
                        s.push('、');
                    }
                    s.push_str(x);
                }
            }
            Val::Set(set) => push_num(s, f64::from(set.len)),
            Val::Rec(row) => s.push_str(self.rec.record_id(row)),
            Val::Table(_) => {}
        }
    }
}

/// Append `n` rounded to two decimals, without trailing zeros.
fn push_num(s: &mut String, n: f64) {
    use std::fmt::Write;
    if let Some(i) = exact_int(n) {
        push_int(s, i);
        return;
    }
    let r = round2(n);
    if r.fract() == 0.0 {
        push_int(s, r as i64);
    } else {
        let start = s.len();
        let _ = write!(s, "{r:.2}");
        let keep = s[start..].trim_end_matches('0').len();
        s.truncate(start + keep);
    }
}

fn period_zh(p: Period) -> String {
    let mut s = String::new();
    if p.months != 0 {
        if p.months % 12 == 0 {
            s.push_str(&format!("{}年", p.months / 12));
        } else {
            s.push_str(&format!("{}个月", p.months));
        }
    }
    if p.days != 0 {
        s.push_str(&format!("{}日", p.days));
    }
    if s.is_empty() {
        s.push_str("0日");
    }
    s
}
