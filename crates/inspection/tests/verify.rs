//! Reproducibility and verification: the same inputs and seed give the same
//! draw; every kind of tampering is reported in words.

mod common;

use xinyong_inspection::*;

use common::{code, inspector, plan_with};

const SEED: &[u8] = b"the seed revealed after the draw, 40 bytes";

fn sample_pool() -> Vec<PoolEntry> {
    (0..500u32)
        .map(|i| PoolEntry {
            uscc: code(i * 3),
            class: RiskClass::ALL[(i % 4) as usize],
            no_inspection_without_complaint: i % 4 == 0 && i % 40 == 0,
            complaint: i % 80 == 0,
        })
        .collect()
}

fn sample_plan() -> PlanInputs {
    let mut plan = plan_with(sample_pool(), 12, 9, 3, SEED);
    plan.plan_id = "2026-营口-002".into();
    plan.recusals = (0..60u32)
        .map(|i| Recusal {
            inspector: inspector(i % 12).id,
            uscc: code((i * 7 % 500) * 3),
            reason: if i % 2 == 0 {
                RecusalReason::Linked
            } else {
                RecusalReason::LastInspected
            },
        })
        .collect();
    PlanInputs::new(plan).unwrap()
}

fn failed(v: &Verification) -> Vec<(CheckKind, Option<usize>)> {
    v.mismatches().map(|c| (c.kind, c.index)).collect()
}

#[test]
fn same_inputs_and_seed_give_the_same_draw() {
    let plan = sample_plan();
    let a = draw(&plan, SEED).unwrap();
    let b = draw(&plan, SEED).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.digest, b.digest);
    assert!(a.tasks.len() > 100);

    // The inputs in another order are the same plan.
    let mut shuffled: Plan = plan.clone().into();
    shuffled.pool.reverse();
    shuffled.roster.reverse();
    shuffled.recusals.reverse();
    shuffled.items.reverse();
    let again = PlanInputs::new(shuffled).unwrap();
    assert_eq!(again, plan);
    assert_eq!(draw(&again, SEED).unwrap(), a);
    assert_eq!(publish(&again), publish(&plan));

    // Another plan id is another stream.
    let mut other: Plan = plan.clone().into();
    other.plan_id = "2026-营口-003".into();
    let other = PlanInputs::new(other).unwrap();
    assert_ne!(draw(&other, SEED).unwrap().digest, a.digest);
}

#[test]
fn published_and_draw_round_trip_through_json_and_verify() {
    let plan = sample_plan();
    let published = publish(&plan);
    let d = draw(&plan, SEED).unwrap();
    let published: Published =
        serde_json::from_str(&serde_json::to_string(&published).unwrap()).unwrap();
    let d: Draw = serde_json::from_str(&serde_json::to_string_pretty(&d).unwrap()).unwrap();
    let plan: PlanInputs = serde_json::from_str(&serde_json::to_string(&plan).unwrap()).unwrap();
    let v = verify(&published, &plan, SEED, &d);
    assert!(v.is_ok(), "{v}");
    assert_eq!(v.recomputed_digest, d.digest);
    let text = v.to_string();
    assert!(text.starts_with("核验通过"), "{text}");
    assert!(
        text.contains("✓ 抽查对象名录的摘要一致 (pool digest matches: "),
        "{text}"
    );
    assert!(text.contains("项任务一致 (all "), "{text}");

    // The JSON of a task, for the record.
    let json = serde_json::to_value(&d.tasks[0]).unwrap();
    assert!(
        json["assignment"]["status"] == "assigned"
            || json["assignment"]["status"] == "unassignable"
    );
    assert!(json["uscc"].is_string() && json["items"].is_array());
}

#[test]
fn one_byte_changed_in_the_pool_changes_its_digest_and_is_reported() {
    let plan = sample_plan();
    let published = publish(&plan);
    let d = draw(&plan, SEED).unwrap();
    let original = canonical_pool(&plan);

    // Class B → C of one subject; a complaint flag; one character of a code.
    let changes: [fn(&mut Plan); 3] = [
        |p| {
            let e = p.pool.iter_mut().find(|e| e.class == RiskClass::B).unwrap();
            e.class = RiskClass::C;
        },
        |p| p.pool[17].complaint = !p.pool[17].complaint,
        |p| p.pool[250].uscc = code(250 * 3 + 1),
    ];
    for change in changes {
        let mut edited: Plan = plan.clone().into();
        change(&mut edited);
        let edited = PlanInputs::new(edited).unwrap();
        let bytes = canonical_pool(&edited);
        assert_eq!(bytes.len(), original.len());
        assert_eq!(
            bytes.iter().zip(&original).filter(|(a, b)| a != b).count(),
            1,
            "one byte"
        );
        let digest = sha256_hex(&bytes);
        assert_ne!(digest, published.pool.sha256);

        let v = verify(&published, &edited, SEED, &d);
        assert!(!v.is_ok());
        let pool_check = v
            .checks
            .iter()
            .find(|c| c.kind == CheckKind::PoolDigest)
            .unwrap();
        assert!(!pool_check.passed);
        assert_eq!(
            pool_check.message,
            format!(
                "抽查对象名录的摘要不一致 (pool digest differs: published {}, computed {digest})",
                published.pool.sha256
            )
        );
        // Nothing else about the plan differs.
        for c in &v.checks {
            if matches!(
                c.kind,
                CheckKind::RosterDigest
                    | CheckKind::RecusalsDigest
                    | CheckKind::ItemsDigest
                    | CheckKind::SeedCommitment
                    | CheckKind::Params
            ) {
                assert!(c.passed, "{}", c.message);
            }
        }
    }
}

#[test]
fn a_wrong_seed_is_refused_and_reported() {
    let plan = sample_plan();
    let wrong = b"another seed of the right length!!";
    match draw(&plan, wrong) {
        Err(DrawError::SeedMismatch {
            committed,
            computed,
        }) => {
            assert_eq!(committed, commit_seed(SEED));
            assert_eq!(computed, commit_seed(wrong));
        }
        other => panic!("{other:?}"),
    }
    let err = draw(&plan, wrong).unwrap_err().to_string();
    assert!(err.starts_with("种子与事先公布的承诺值不符"), "{err}");

    // Verify with the wrong seed: the commitment, the seed and the tasks.
    let d = draw(&plan, SEED).unwrap();
    let v = verify(&publish(&plan), &plan, wrong, &d);
    let kinds = failed(&v);
    assert!(kinds.contains(&(CheckKind::SeedCommitment, None)), "{v}");
    assert!(kinds.contains(&(CheckKind::Seed, None)), "{v}");
    assert!(kinds.iter().any(|k| k.0 == CheckKind::Tasks), "{v}");
    assert!(kinds.contains(&(CheckKind::DrawDigest, None)), "{v}");
    assert!(v.to_string().contains("种子与事先公布的承诺值不符"));

    // A seed too short to be secret, even when committed to.
    let mut short_plan: Plan = plan.clone().into();
    short_plan.seed_commitment = commit_seed(b"1234");
    let short_plan = PlanInputs::new(short_plan).unwrap();
    assert_eq!(
        draw(&short_plan, b"1234"),
        Err(DrawError::SeedTooShort { len: 4 })
    );
}

#[test]
fn a_tampered_draw_is_reported_task_by_task() {
    let plan = sample_plan();
    let published = publish(&plan);
    let d = draw(&plan, SEED).unwrap();

    // Another inspector on task 3 (keeping the stated digest).
    let mut tampered = d.clone();
    let i = (0..d.tasks.len())
        .find(|&i| d.tasks[i].assignment.inspectors().is_some() && i >= 3)
        .unwrap();
    if let Assignment::Assigned { inspectors } = &mut tampered.tasks[i].assignment {
        inspectors[1] = plan
            .roster()
            .iter()
            .map(|r| r.id.clone())
            .find(|id| !inspectors.contains(id))
            .unwrap();
    }
    let v = verify(&published, &plan, SEED, &tampered);
    assert_eq!(
        failed(&v),
        [(CheckKind::Tasks, Some(i)), (CheckKind::DrawDigest, None)],
        "{v}"
    );
    let msg = &v.mismatches().next().unwrap().message;
    assert!(
        msg.starts_with(&format!(
            "第 {} 项任务不一致 (tasks differ at index {i}: published ",
            i + 1
        )),
        "{msg}"
    );

    // The same with the digest recomputed over the tampered tasks.
    tampered.digest = tampered.compute_digest();
    let v = verify(&published, &plan, SEED, &tampered);
    assert_eq!(
        failed(&v),
        [(CheckKind::Tasks, Some(i)), (CheckKind::DrawDigest, None)],
        "{v}"
    );
    assert!(v.to_string().contains("draw digest differs: published"));

    // A task dropped: the count, then every later index differs.
    let mut dropped = d.clone();
    dropped.tasks.remove(0);
    let v = verify(&published, &plan, SEED, &dropped);
    let kinds = failed(&v);
    assert!(kinds.contains(&(CheckKind::TaskCount, None)), "{v}");
    assert_eq!(
        kinds
            .iter()
            .filter(|k| k.0 == CheckKind::Tasks && k.1.is_some())
            .count(),
        MAX_TASK_FINDINGS
    );
    assert!(v.to_string().contains("more tasks differ"), "{v}");

    // A ratio changed in the published plan.
    let mut p2 = published.clone();
    p2.params.ratios.b = 2_000;
    let v = verify(&p2, &plan, SEED, &d);
    assert_eq!(failed(&v), [(CheckKind::Params, None)], "{v}");

    // Published counts that do not follow from the inputs.
    let mut p3 = published.clone();
    p3.classes[2].drawn += 1;
    let v = verify(&p3, &plan, SEED, &d);
    assert_eq!(failed(&v), [(CheckKind::ClassCounts, None)], "{v}");

    // The recusal list of the inputs is not the one published.
    let mut edited: Plan = plan.clone().into();
    edited.recusals.pop();
    let edited = PlanInputs::new(edited).unwrap();
    let v = verify(&published, &edited, SEED, &d);
    assert!(
        failed(&v).contains(&(CheckKind::RecusalsDigest, None)),
        "{v}"
    );
    assert!(
        v.to_string()
            .contains("回避名单的摘要不一致 (recusal list digest differs: published")
    );
}
