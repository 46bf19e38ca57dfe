//! Times plan checking, publication, the draw and its verification over a
//! synthetic pool of 1.4 million subjects.
//!
//! ```text
//! cargo run --release -p xinyong-inspection --example bench_draw [SUBJECTS]
//! ```

use std::time::{Duration, Instant};

use xinyong_core::uscc::Uscc;
use xinyong_inspection::*;

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("SUBJECTS is a number"))
        .unwrap_or(1_400_000);
    let seed = b"bench seed: 32 bytes of entropy!".to_vec();

    // Subjects in a scrambled order (the plan sorts them): i ↦ i·p mod n.
    let t = Instant::now();
    let pool: Vec<PoolEntry> = (0..n)
        .map(|i| {
            let j = ((u64::from(i) * 1_000_003) % u64::from(n)) as u32;
            let class = match j % 100 {
                0..45 => RiskClass::A,
                45..80 => RiskClass::B,
                80..95 => RiskClass::C,
                _ => RiskClass::D,
            };
            let exempt = class == RiskClass::A && j.is_multiple_of(5);
            PoolEntry {
                uscc: Uscc::parse(&format!("91210800MA{j:08}")).unwrap(),
                class,
                no_inspection_without_complaint: exempt,
                complaint: exempt && j.is_multiple_of(1000),
            }
        })
        .collect();
    let roster: Vec<Inspector> = (0..800)
        .map(|i| Inspector {
            id: format!("YK-{i:04}"),
            department: ["市场监管局", "税务局", "应急管理局", "生态环境局"][i % 4].to_owned(),
        })
        .collect();
    let recusals: Vec<Recusal> = (0..100_000u32)
        .map(|i| Recusal {
            inspector: format!("YK-{:04}", i % 800),
            uscc: Uscc::parse(&format!("91210800MA{:08}", (i * 13) % n)).unwrap(),
            reason: if i % 3 == 0 {
                RecusalReason::Linked
            } else {
                RecusalReason::LastInspected
            },
        })
        .collect();
    let items: Vec<String> = (0..60).map(|i| format!("抽查事项第 {i} 项")).collect();
    eprintln!("built the synthetic inputs in {:?}", t.elapsed());

    let t = Instant::now();
    let plan = PlanInputs::new(Plan {
        plan_id: "BENCH-2026-001".into(),
        pool,
        roster,
        recusals,
        items,
        params: Params::default(),
        seed_commitment: commit_seed(&seed),
    })
    .unwrap();
    let checked = t.elapsed();

    let t = Instant::now();
    let published = publish(&plan);
    let publishing = t.elapsed();

    let mut runs: Vec<Duration> = Vec::new();
    let mut result = None;
    for _ in 0..5 {
        let t = Instant::now();
        let d = draw(&plan, &seed).unwrap();
        runs.push(t.elapsed());
        result = Some(d);
    }
    let d = result.unwrap();
    runs.sort();

    let t = Instant::now();
    let v = verify(&published, &plan, &seed, &d);
    let verifying = t.elapsed();
    assert!(v.is_ok(), "{v}");

    println!("subjects            {n}");
    for c in &d.classes {
        println!(
            "class {}             {} members, {} eligible, {} drawn, {} by complaint",
            c.class, c.members, c.eligible, c.drawn, c.complaint
        );
    }
    println!(
        "tasks               {} ({} unassignable)",
        d.tasks.len(),
        d.unassignable().count()
    );
    println!("check + sort plan   {checked:?}");
    println!("publish (4 digests) {publishing:?}");
    println!(
        "draw                min {:?}, median {:?}, max {:?} (5 runs)",
        runs[0], runs[2], runs[4]
    );
    println!("verify              {verifying:?}");
    println!("draw digest         {}", d.digest);
}
