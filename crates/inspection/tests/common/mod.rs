//! Shared test support: synthetic plans and a naive re-implementation of
//! the draw written straight from `docs/INSPECTION-DRAW.md`.
#![allow(dead_code)]

use std::collections::HashSet;

use xinyong_core::uscc::Uscc;
use xinyong_inspection::*;

/// A well-formed code from a number (sorted like the numbers).
pub fn code(i: u32) -> Uscc {
    Uscc::parse(&format!("91210800MA{i:08}")).unwrap()
}

pub fn inspector(i: u32) -> Inspector {
    Inspector {
        id: format!("INS-{i:03}"),
        department: if i.is_multiple_of(2) {
            "市场监管局"
        } else {
            "税务局"
        }
        .to_owned(),
    }
}

pub fn items(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("检查事项 {i:02}")).collect()
}

/// A plan with the given pool, no recusals, and a commitment to `seed`.
pub fn plan_with(pool: Vec<PoolEntry>, roster: usize, n_items: usize, m: u32, seed: &[u8]) -> Plan {
    Plan {
        plan_id: "TEST-PLAN".into(),
        pool,
        roster: (0..roster as u32).map(inspector).collect(),
        recusals: vec![],
        items: items(n_items),
        params: Params {
            items_per_task: m,
            ..Params::default()
        },
        seed_commitment: commit_seed(seed),
    }
}

fn fisher_yates<T: Copy>(g: &mut Generator, mut list: Vec<T>, k: usize) -> Vec<T> {
    for j in 0..k {
        let t = j + g.below((list.len() - j) as u64) as usize;
        list.swap(j, t);
    }
    list.truncate(k);
    list
}

/// The canonical task lines of the draw, computed the slow, obvious way.
pub fn reference_draw(plan: &PlanInputs, seed: &[u8]) -> String {
    let mut g = Generator::new(seed, plan.plan_id());
    let pool = plan.pool();
    let mut chosen: Vec<&PoolEntry> = pool
        .iter()
        .filter(|e| e.no_inspection_without_complaint && e.complaint)
        .collect();
    for class in RiskClass::ALL {
        let members: Vec<&PoolEntry> = pool
            .iter()
            .filter(|e| e.class == class && !e.no_inspection_without_complaint)
            .collect();
        let r = u64::from(plan.params().ratios.get(class));
        let k = (members.len() as u64 * r).div_ceil(10_000) as usize;
        chosen.extend(fisher_yates(&mut g, members, k));
    }
    chosen.sort_by(|a, b| a.uscc.as_str().as_bytes().cmp(b.uscc.as_str().as_bytes()));
    let mut out = String::new();
    for e in chosen {
        let recused: HashSet<&str> = plan
            .recusals()
            .iter()
            .filter(|r| r.uscc == e.uscc)
            .map(|r| r.inspector.as_str())
            .collect();
        let eligible: Vec<&str> = plan
            .roster()
            .iter()
            .map(|i| i.id.as_str())
            .filter(|id| !recused.contains(id))
            .collect();
        let pair = if eligible.len() < 2 {
            vec!["", ""]
        } else {
            fisher_yates(&mut g, eligible, 2)
        };
        let all: Vec<&str> = plan.items().iter().map(String::as_str).collect();
        let its = fisher_yates(&mut g, all, plan.params().items_per_task as usize);
        let basis = if e.no_inspection_without_complaint {
            "complaint"
        } else {
            "random"
        };
        let class = e.class.to_string();
        let mut fields = vec![e.uscc.as_str(), class.as_str(), basis];
        fields.extend(pair);
        fields.extend(its);
        out.push_str(&fields.join("\t"));
        out.push('\n');
    }
    out
}
