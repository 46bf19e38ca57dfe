//! Statistics over 1,000 draws (seeds 0..1000) of a 10,000-subject pool:
//! exactly k per class in every draw, and inclusion, inspector and item
//! frequencies consistent with uniform sampling.
//!
//! Each class's eligible subjects, in sorted order, are cut into 10 buckets
//! of consecutive positions; a bucket's inclusion count over the draws must
//! lie within 3 standard deviations of its expectation (hypergeometric per
//! draw, independent across draws). The same check is run on the counts
//! that "always take the first k" would give, and must fail there: the test
//! can fail.
//!
//! The seeds are fixed, so the outcome is too. With 30 bucket checks and 30
//! inspector and item checks at 3 standard deviations, about one seed set
//! in six would fail by chance; a change of the pool or the parameters that
//! trips this test should be checked with more draws (a real bias grows
//! with the number of draws, chance does not). With these inputs the
//! largest bucket deviation is 1.4 standard deviations.

mod common;

use xinyong_inspection::*;

use common::{code, plan_with};

const DRAWS: usize = 1_000;
const POOL: u32 = 10_000;
const BUCKETS: usize = 10;
const ROSTER: usize = 20;
const ITEMS: usize = 10;
const M: u32 = 2;

fn pool() -> Vec<PoolEntry> {
    (0..POOL)
        .map(|i| {
            // A 50 %, B 30 %, C 15 %, D 5 %, interleaved.
            let class = match i % 20 {
                0..10 => RiskClass::A,
                10..16 => RiskClass::B,
                16..19 => RiskClass::C,
                _ => RiskClass::D,
            };
            // 200 class-A subjects are 不诉不查; 20 of them with a complaint.
            let exempt = matches!(i % 100, 1 | 3);
            PoolEntry {
                uscc: code(i),
                class,
                no_inspection_without_complaint: exempt,
                complaint: exempt && i % 1000 < 10,
            }
        })
        .collect()
}

fn seed(i: usize) -> Vec<u8> {
    format!("statistical-test-seed-{i:05}").into_bytes()
}

/// The buckets whose inclusion count is further than 3 standard deviations
/// from its expectation, for one class: `counts[j]` is how often the j-th
/// eligible member (sorted order) was drawn in `draws` draws of `k` of `n`.
fn bucket_failures(class: RiskClass, counts: &[u64], k: usize, draws: usize) -> Vec<String> {
    let n = counts.len();
    let p = k as f64 / n as f64;
    let mut failures = Vec::new();
    for b in 0..BUCKETS {
        let lo = b * n / BUCKETS;
        let hi = (b + 1) * n / BUCKETS;
        let s = (hi - lo) as f64;
        let total: u64 = counts[lo..hi].iter().sum();
        let expected = draws as f64 * s * p;
        // Hypergeometric variance of the number drawn from the bucket in one
        // draw; the draws are independent.
        let var = if n > 1 {
            draws as f64 * s * p * (1.0 - p) * (n as f64 - s) / (n as f64 - 1.0)
        } else {
            0.0
        };
        let sd = var.sqrt();
        let dev = (total as f64 - expected).abs();
        if dev > 3.0 * sd + 1e-9 {
            failures.push(format!(
                "class {class} bucket {b}: rate {:.5} vs ratio {p:.5} ({total} vs {expected:.1} ± {sd:.1})",
                total as f64 / (draws as f64 * s)
            ));
        }
    }
    failures
}

fn within_3_sd(what: &str, counts: &[u64], trials: f64, p: f64) -> Vec<String> {
    let sd = (trials * p * (1.0 - p)).sqrt();
    counts
        .iter()
        .enumerate()
        .filter(|&(_, &c)| (c as f64 - trials * p).abs() > 3.0 * sd)
        .map(|(i, c)| format!("{what} {i}: {c} vs {:.1} ± {sd:.1}", trials * p))
        .collect()
}

#[test]
fn thousand_draws_are_exact_per_class_and_uniform() {
    let mut plan = PlanInputs::new(plan_with(pool(), ROSTER, ITEMS, M, &seed(0))).unwrap();
    let tallies = class_tallies(&plan);
    assert_eq!(
        tallies
            .iter()
            .map(|t| (t.eligible, t.drawn))
            .collect::<Vec<_>>(),
        [(4800, 144), (3000, 300), (1500, 450), (500, 500)]
    );
    let complaint: Vec<usize> = (0..plan.pool().len())
        .filter(|&i| plan.pool()[i].complaint && plan.pool()[i].no_inspection_without_complaint)
        .collect();
    assert_eq!(complaint.len(), 20);

    let mut included = vec![0u64; plan.pool().len()];
    let mut by_inspector = vec![0u64; ROSTER];
    let mut by_item = vec![0u64; ITEMS];
    let mut tasks_total = 0u64;
    for i in 0..DRAWS {
        let s = seed(i);
        plan.set_seed_commitment(&commit_seed(&s)).unwrap();
        let d = draw(&plan, &s).unwrap();
        for t in &tallies {
            let got = d
                .tasks
                .iter()
                .filter(|x| x.class == t.class && x.basis == Basis::Random)
                .count();
            assert_eq!(got, t.drawn as usize, "draw {i}, class {}", t.class);
        }
        assert_eq!(
            d.tasks
                .iter()
                .filter(|t| t.basis == Basis::Complaint)
                .count(),
            20
        );
        for t in &d.tasks {
            // The pool is numbered in sorted order: code(i) is pool[i].
            let idx = t.uscc.as_str()[10..].parse::<usize>().unwrap();
            included[idx] += 1;
            let pair = t
                .assignment
                .inspectors()
                .expect("no recusals: always assignable");
            for id in pair {
                by_inspector[id[4..].parse::<usize>().unwrap()] += 1;
            }
            for it in &t.items {
                by_item[it["检查事项 ".len()..].parse::<usize>().unwrap()] += 1;
            }
            tasks_total += 1;
        }
    }

    // 不诉不查: with a complaint always, without never.
    for (i, e) in plan.pool().iter().enumerate() {
        if e.no_inspection_without_complaint {
            let want = if e.complaint { DRAWS as u64 } else { 0 };
            assert_eq!(included[i], want, "{}", e.uscc);
        }
    }

    let mut failures = Vec::new();
    let mut first_k_failures = Vec::new();
    for t in &tallies {
        let members: Vec<usize> = (0..plan.pool().len())
            .filter(|&i| {
                plan.pool()[i].class == t.class && !plan.pool()[i].no_inspection_without_complaint
            })
            .collect();
        let counts: Vec<u64> = members.iter().map(|&i| included[i]).collect();
        failures.extend(bucket_failures(t.class, &counts, t.drawn as usize, DRAWS));

        // What "always the first k" would give.
        let first_k: Vec<u64> = (0..members.len())
            .map(|j| {
                if j < t.drawn as usize {
                    DRAWS as u64
                } else {
                    0
                }
            })
            .collect();
        first_k_failures.extend(bucket_failures(t.class, &first_k, t.drawn as usize, DRAWS));
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // A, B and C (below 100 %) must each flag the biased sampler.
    assert!(
        first_k_failures.iter().any(|f| f.starts_with("class A")),
        "{first_k_failures:?}"
    );
    assert!(first_k_failures.iter().any(|f| f.starts_with("class B")));
    assert!(first_k_failures.iter().any(|f| f.starts_with("class C")));

    // Each inspector is in a task's pair with probability 2/20, each item
    // in its items with probability 2/10, independently across tasks.
    let mut uniform = within_3_sd(
        "inspector",
        &by_inspector,
        tasks_total as f64,
        2.0 / ROSTER as f64,
    );
    uniform.extend(within_3_sd(
        "item",
        &by_item,
        tasks_total as f64,
        f64::from(M) / ITEMS as f64,
    ));
    assert!(uniform.is_empty(), "{uniform:#?}");
    assert_eq!(by_inspector.iter().sum::<u64>(), 2 * tasks_total);
}
