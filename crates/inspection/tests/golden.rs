//! Pinned values: the generator's test vector and a complete small draw
//! (`tests/data/golden_plan.json`, seed = bytes 0x00..=0x1f). Every value
//! here was also printed by `reference/draw.py`, an independent Python
//! re-implementation of `docs/INSPECTION-DRAW.md`, and is printed in that
//! document (§9) for other re-implementations to check against.

use xinyong_inspection::*;

fn seed() -> Vec<u8> {
    (0u8..32).collect()
}

fn golden() -> PlanInputs {
    let plan: Plan = serde_json::from_str(include_str!("data/golden_plan.json")).unwrap();
    PlanInputs::new(plan).unwrap()
}

#[test]
fn generator_test_vector() {
    let mut g = Generator::new(&seed(), "TEST-2026-001");
    assert_eq!(
        hex::encode(g.key()),
        "1987ca542bb8e4b8a5fd925161f3eb115352a842f306e01867dcdd9926bbe157"
    );
    let words: Vec<String> = (0..8).map(|_| format!("{:016x}", g.next_u64())).collect();
    assert_eq!(
        words,
        [
            "2fc92ef2bb509156",
            "bf89ce9e210dd3ca",
            "0292ceacd4f14d9e",
            "38f8ab581ad2d919",
            "79ef8d2702ee7218",
            "fba6f4650d3ff45c",
            "a646b17656da530c",
            "66a5b9185c560aee",
        ]
    );
    let mut g = Generator::new(&seed(), "TEST-2026-001");
    let tens: Vec<u64> = (0..10).map(|_| g.below(10)).collect();
    assert_eq!(tens, [4, 6, 4, 1, 8, 4, 0, 2, 4, 5]);
    let big: Vec<u64> = (0..4).map(|_| g.below(1_000_003)).collect();
    assert_eq!(big, [677436, 506856, 389486, 646712]);
}

#[test]
fn golden_plan_digests() {
    let p = publish(&golden());
    assert_eq!(p.algorithm, "xinyong-inspection-draw/1");
    assert_eq!(p.plan_id, "2026-营口片区-双随机-001");
    let got = [
        (p.pool.count, p.pool.sha256.as_str()),
        (p.roster.count, p.roster.sha256.as_str()),
        (p.recusals.count, p.recusals.sha256.as_str()),
        (p.items.count, p.items.sha256.as_str()),
    ];
    assert_eq!(
        got,
        [
            (
                24,
                "c9752046bd5515edf5012b86eceb4b842f9047abae7ecf65ccfa7153babf9952"
            ),
            (
                6,
                "4b2afd6180d1132f87019e787fd44874baecc792c4b03456df59ead7f29ec444"
            ),
            (
                9,
                "ccb610366cf972d845c88b9f778f3f92def0f34cef32c86d8526c8f56b4fca80"
            ),
            (
                8,
                "2dd4c07f1450eb8946d1b07e8a33ead7a5f4bd925b66ac273bd41926630fe65e"
            ),
        ]
    );
    assert_eq!(
        p.seed_commitment,
        "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd"
    );
    assert_eq!(commit_seed(&seed()), p.seed_commitment);
    let drawn: Vec<(RiskClass, u32, u32, u32, u32, u32)> = p
        .classes
        .iter()
        .map(|c| {
            (
                c.class,
                c.members,
                c.exempt,
                c.complaint,
                c.eligible,
                c.drawn,
            )
        })
        .collect();
    assert_eq!(
        drawn,
        [
            (RiskClass::A, 8, 2, 1, 5, 1),
            (RiskClass::B, 8, 0, 0, 8, 1),
            (RiskClass::C, 5, 0, 0, 5, 2),
            (RiskClass::D, 3, 0, 0, 3, 3),
        ]
    );
}

#[test]
fn golden_canonical_lists_start_as_documented() {
    let plan = golden();
    let pool = String::from_utf8(canonical_pool(&plan)).unwrap();
    assert!(pool.starts_with("91210800MA0010002F\tA\t1\t0\n91210800MA0010379D\tA\t1\t1\n"));
    let roster = String::from_utf8(canonical_roster(&plan)).unwrap();
    assert!(roster.starts_with("YK-001\t应急管理局\nYK-003\t市场监管局\n"));
    let recusals = String::from_utf8(canonical_recusals(&plan)).unwrap();
    assert!(recusals.starts_with(
        "YK-001\t91210800MA00181436\tlinked\nYK-001\t91210800MA0018514W\tlast-inspected\n"
    ));
    let items = String::from_utf8(canonical_items(&plan)).unwrap();
    assert!(items.starts_with("产品质量的检查\n价格行为的检查\n"));
    assert_eq!(
        sha256_hex(pool.as_bytes()),
        publish(&plan).pool.sha256,
        "the published digest is the SHA-256 of the canonical bytes"
    );
}

const GOLDEN_TASKS: &str = "\
91210800MA0010379D\tA\tcomplaint\tYK-007\tYK-004\t广告发布行为的检查\t计量器具的检查\t产品质量的检查
91210800MA001111X1\tA\trandom\tYK-001\tYK-009\t年度报告公示信息的检查\t产品质量的检查\t营业执照（登记证）规范使用情况的检查
91210800MA0013334F\tB\trandom\tYK-001\tYK-004\t广告发布行为的检查\t营业执照（登记证）规范使用情况的检查\t价格行为的检查
91210800MA0016295Q\tC\trandom\tYK-001\tYK-009\t即时公示信息的检查\t营业执照（登记证）规范使用情况的检查\t产品质量的检查
91210800MA0017036H\tC\trandom\tYK-003\tYK-009\t即时公示信息的检查\t食品经营许可情况的检查\t产品质量的检查
91210800MA00177734\tD\trandom\tYK-012\tYK-001\t计量器具的检查\t产品质量的检查\t食品经营许可情况的检查
91210800MA00181436\tD\trandom\t\t\t产品质量的检查\t计量器具的检查\t食品经营许可情况的检查
91210800MA0018514W\tD\trandom\tYK-007\tYK-009\t即时公示信息的检查\t计量器具的检查\t产品质量的检查
";

#[test]
fn golden_draw() {
    let plan = golden();
    let d = draw(&plan, &seed()).unwrap();
    assert_eq!(
        String::from_utf8(d.canonical_tasks()).unwrap(),
        GOLDEN_TASKS
    );
    assert_eq!(
        d.digest,
        "6351006ee17ab665200f818cd5e8622c6a2b0cf15f82a50f520fe778b4270666"
    );
    assert_eq!(d.digest, sha256_hex(GOLDEN_TASKS.as_bytes()));
    assert_eq!(d.seed, hex::encode(seed()));

    // The D subject with five of six inspectors recused is unassignable.
    let un: Vec<&Task> = d.unassignable().collect();
    assert_eq!(un.len(), 1);
    assert_eq!(un[0].uscc, "91210800MA00181436");
    match &un[0].assignment {
        Assignment::Unassignable { eligible, reason } => {
            assert_eq!(*eligible, 1);
            assert!(reason.contains("仅有 1 名"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // The 不诉不查 subject with a complaint is in, the two without are not.
    assert_eq!(d.tasks[0].basis, Basis::Complaint);
    for exempt in ["91210800MA0010002F", "91210800MA001074XY"] {
        assert!(d.tasks.iter().all(|t| t.uscc != exempt));
    }

    let v = verify(&publish(&plan), &plan, &seed(), &d);
    assert!(v.is_ok(), "{v}");
}
