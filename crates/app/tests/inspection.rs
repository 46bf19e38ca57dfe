//! Random-inspection plans through the application layer (PRODUCT.md C11,
//! docs/INSPECTION-DRAW.md): the pool built from the store (seed 001 case
//! 17 exclusions, at their boundaries), the roster from officer accounts,
//! recusals from links and from the last inspection; publish before draw;
//! the draw re-run from the published inputs is identical, one changed
//! byte of the pool is reported; no recused inspector is ever assigned;
//! results become `inspection` records due 20 working days later (across
//! the 2026 Spring Festival and its 调休 Saturdays); who may do what.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use jiff::civil::date;
use serde_json::{Value, json};
use xinyong_app::{
    App, AppConfig, DrawRequest, ErrorCode, FixedClock, InspectorLink, NewAccount, NewPlanRequest,
    Principal, RatiosBp, ResultRequest, Role, SuppliedLists,
};

fn uscc(n: u32) -> String {
    let first17 = format!("91210800MA{n:07}");
    let check = xinyong_core::uscc::compute_check_char(&first17).unwrap();
    format!("{first17}{check}")
}

fn who(role: Role, name: &str) -> Principal {
    Principal {
        account_id: Some(1),
        username: name.into(),
        role,
        uscc: None,
        department: (role == Role::Officer).then(|| "SCJG".to_owned()),
    }
}

fn admin() -> Principal {
    who(Role::Admin, "admin")
}

/// Subjects 0..40: 0 revoked, 1 cancelled, 2 `tax_registered: false`, 3
/// established 2015 with no annual report (dormant), 4 reported for 2023
/// only (dormant: neither 2024 nor 2025), 5 reported for 2024 only (kept),
/// 6 established 2025 without a report (kept: not yet due), 7 with a
/// withdrawn 2025 report only (dormant), the rest reported for 2025.
/// Six officers insp-1 … insp-6 and one department clerk.
async fn city(dir: &Path) -> App {
    let app = App::open(
        &AppConfig {
            data_dir: dir.join("data"),
            database_url: None,
        },
        Arc::new(FixedClock::on(date(2026, 3, 20))),
    )
    .await
    .unwrap();
    let mut subjects = String::new();
    let mut records = String::new();
    for n in 0..40u32 {
        let mut s = json!({"uscc": uscc(n), "name": format!("营口抽查测试{n}有限公司"),
            "type": "enterprise", "established_on": "2015-06-01"});
        match n {
            0 => s["status"] = json!("revoked"),
            1 => s["status"] = json!("cancelled"),
            2 => s["tax_registered"] = json!(false),
            6 => s["established_on"] = json!("2025-05-01"),
            _ => {}
        }
        subjects.push_str(&format!("{s}\n"));
        let report = |year: i32, extra: Value| {
            let mut r = json!({"id": format!("NB-{n}-{year}"), "kind": "annual_report",
                "subject": uscc(n), "source": "SCJG", "date": format!("{}-05-01", year + 1),
                "year": year});
            for (k, v) in extra.as_object().unwrap() {
                r[k] = v.clone();
            }
            format!("{r}\n")
        };
        match n {
            3 | 6 => {}
            4 => records.push_str(&report(2023, json!({}))),
            5 => records.push_str(&report(2024, json!({}))),
            7 => records.push_str(&report(2025, json!({"withdrawn": true}))),
            _ => records.push_str(&report(2025, json!({}))),
        }
    }
    std::fs::write(dir.join("subjects.jsonl"), subjects).unwrap();
    std::fs::write(dir.join("records.jsonl"), records).unwrap();
    common::import_quietly(
        &app,
        vec![dir.join("subjects.jsonl"), dir.join("records.jsonl")],
    )
    .await;
    for i in 1..=6 {
        app.add_account(
            None,
            NewAccount {
                role: Role::Officer,
                username: format!("insp-{i}"),
                password: "correct horse battery".into(),
                uscc: None,
                department: None,
            },
        )
        .await
        .unwrap();
    }
    app.add_account(
        None,
        NewAccount {
            role: Role::Department,
            username: "clerk".into(),
            password: "correct horse battery".into(),
            uscc: None,
            department: Some("SCJG".into()),
        },
    )
    .await
    .unwrap();
    app
}

fn request(plan_id: &str) -> NewPlanRequest {
    NewPlanRequest {
        plan_id: plan_id.into(),
        name: "2026 年营口片区第一批双随机抽查".into(),
        items: [
            "产品质量的检查",
            "价格行为的检查",
            "年度报告公示信息的检查",
            "广告发布行为的检查",
        ]
        .map(String::from)
        .to_vec(),
        inspectors: (1..=6).map(|i| format!("insp-{i}")).collect(),
        // Every subject is unclassified (no evaluation): class B, so 50 %
        // draws about half of them.
        ratios: Some(RatiosBp {
            a: 300,
            b: 5000,
            c: 3000,
            d: 10000,
        }),
        items_per_task: Some(2),
        links: vec![
            InspectorLink {
                inspector: "insp-1".into(),
                uscc: uscc(10),
            },
            InspectorLink {
                inspector: "insp-2".into(),
                uscc: uscc(11),
            },
        ],
        ..NewPlanRequest::default()
    }
}

fn pool_usccs(text: &str) -> BTreeSet<String> {
    text.lines()
        .map(|l| l.split('\t').next().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_leaves_out_the_hollow_subjects_at_the_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let app = city(dir.path()).await;
    let plan = app
        .create_inspection_plan(&admin(), request("YK-2026-001"))
        .await
        .unwrap();
    assert_eq!(plan.status, "created");
    assert_eq!(plan.screening.registered, 40);
    assert_eq!(plan.screening.revoked_or_cancelled, 2);
    assert_eq!(plan.screening.no_tax_registration, 1);
    // 3 (never), 4 (2023 only), 7 (withdrawn report) are dormant; 5 (2024)
    // and 6 (established 2025) are not; 0–2 also lack nothing else.
    assert_eq!(plan.screening.no_annual_report, 3);
    assert_eq!(plan.screening.pool, 34);
    assert_eq!(plan.settings.unclassified_as_b, 34);
    let pool = app
        .inspection_plan_list(&admin(), "YK-2026-001", "pool")
        .await
        .unwrap();
    let in_pool = pool_usccs(&pool);
    for n in [0, 1, 2, 3, 4, 7] {
        assert!(!in_pool.contains(&uscc(n)), "subject {n} must be left out");
    }
    for n in [5, 6, 8, 39] {
        assert!(
            in_pool.contains(&uscc(n)),
            "subject {n} must be in the pool"
        );
    }
    assert!(pool.lines().all(|l| l.ends_with("\tB\t0\t0")), "{pool}");
    // Not published: the public sees no published record and no list.
    let public = app
        .inspection_plan(&Principal::public(), "YK-2026-001")
        .await
        .unwrap();
    assert!(public.published.is_none());
    let e = app
        .inspection_plan_list(&Principal::public(), "YK-2026-001", "pool")
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_draw_is_reproduced_and_a_changed_byte_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let app = city(dir.path()).await;
    let id = "YK-2026-001";
    app.create_inspection_plan(&admin(), request(id))
        .await
        .unwrap();
    // The draw before publication: refused.
    let e = app
        .draw_inspection_plan(&admin(), id, DrawRequest::default())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    let published = app.publish_inspection_plan(&admin(), id).await.unwrap();
    assert_eq!(published.status, "published");
    let p = published.published.unwrap();
    assert_eq!(p["pool"]["count"], 34);
    assert_eq!(p["algorithm"], "xinyong-inspection-draw/1");
    // The seed stays secret until the draw.
    assert!(published.draw.is_none());
    let e = app.publish_inspection_plan(&admin(), id).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    let drawn = app
        .draw_inspection_plan(&admin(), id, DrawRequest::default())
        .await
        .unwrap();
    assert_eq!(drawn.status, "drawn");
    let draw = drawn.draw.unwrap();
    let seed = draw["seed"].as_str().unwrap();
    assert_eq!(
        xinyong_inspection::commit_seed(&hex::decode(seed).unwrap()),
        p["seed_commitment"].as_str().unwrap()
    );
    // B at 50 % of 34 → 17 tasks.
    assert_eq!(draw["tasks"].as_array().unwrap().len(), 17);
    let e = app
        .draw_inspection_plan(&admin(), id, DrawRequest::default())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);

    // Anyone re-runs it from the published inputs: identical.
    let v = app
        .verify_inspection_plan(&Principal::public(), id, SuppliedLists::default())
        .await
        .unwrap();
    assert!(v.identical, "{}", v.to_text());
    assert!(v.differing_lists.is_empty());
    assert_eq!(
        v.recomputed_digest.as_deref(),
        Some(v.published_digest.as_str())
    );
    assert_eq!(v.tasks, 17);

    // One byte of the pool changed (a class B → C): its digest differs and
    // the verification says so, naming the pool.
    let pool = app
        .inspection_plan_list(&Principal::public(), id, "pool")
        .await
        .unwrap();
    let at = pool.find("\tB\t").unwrap() + 1;
    let mut bytes = pool.clone().into_bytes();
    bytes[at] = b'C';
    let tampered = String::from_utf8(bytes).unwrap();
    let v = app
        .verify_inspection_plan(
            &Principal::public(),
            id,
            SuppliedLists {
                pool: Some(tampered),
                ..SuppliedLists::default()
            },
        )
        .await
        .unwrap();
    assert!(!v.identical);
    assert_eq!(v.differing_lists, ["pool"]);
    let text = v.to_text();
    assert!(
        text.contains("抽查对象名录文件的 SHA-256 与公布的摘要不一致"),
        "{text}"
    );
    assert!(text.contains("核验未通过"), "{text}");
    // A pool that cannot even be read is reported, not a failure.
    let v = app
        .verify_inspection_plan(
            &Principal::public(),
            id,
            SuppliedLists {
                pool: Some("garbage".into()),
                ..SuppliedLists::default()
            },
        )
        .await
        .unwrap();
    assert!(!v.identical);
    assert!(
        v.to_text().contains("无法读取公布的名录"),
        "{}",
        v.to_text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_a_recused_inspector_and_last_inspectors_are_recused_next_time() {
    let dir = tempfile::tempdir().unwrap();
    let app = city(dir.path()).await;
    let mut req = request("YK-2026-001");
    // Everyone drawn (B at 100 %); insp-1 … insp-5 linked to subject 10.
    req.ratios = Some(RatiosBp {
        a: 10000,
        b: 10000,
        c: 10000,
        d: 10000,
    });
    req.links = (1..=5)
        .map(|i| InspectorLink {
            inspector: format!("insp-{i}"),
            uscc: uscc(10),
        })
        .chain([InspectorLink {
            inspector: "insp-6".into(),
            uscc: uscc(11),
        }])
        .collect();
    app.create_inspection_plan(&admin(), req).await.unwrap();
    app.publish_inspection_plan(&admin(), "YK-2026-001")
        .await
        .unwrap();
    app.draw_inspection_plan(&admin(), "YK-2026-001", DrawRequest::default())
        .await
        .unwrap();
    let tasks = app.inspection_tasks(&admin(), "YK-2026-001").await.unwrap();
    assert_eq!(tasks.len(), 34);
    let t10 = tasks.iter().find(|t| t.uscc == uscc(10)).unwrap();
    assert_eq!((t10.lead.as_deref(), t10.assist.as_deref()), (None, None));
    let t11 = tasks.iter().find(|t| t.uscc == uscc(11)).unwrap();
    for i in [&t11.lead, &t11.assist] {
        assert_ne!(i.as_deref(), Some("insp-6"));
        assert!(i.is_some());
    }
    for t in &tasks {
        if let (Some(a), Some(b)) = (&t.lead, &t.assist) {
            assert_ne!(a, b);
        }
        assert_eq!(t.items.len(), 2);
    }
    // The next plan: each subject's last inspectors are recused.
    let mut next = request("YK-2026-002");
    next.links.clear();
    app.create_inspection_plan(&admin(), next).await.unwrap();
    let recusals = app
        .inspection_plan_list(&admin(), "YK-2026-002", "recusals")
        .await
        .unwrap();
    for t in tasks.iter().filter(|t| t.lead.is_some()) {
        for i in [t.lead.as_ref().unwrap(), t.assist.as_ref().unwrap()] {
            let line = format!("{i}\t{}\tlast-inspected\n", t.uscc);
            assert!(recusals.contains(&line), "missing {line:?}");
        }
    }
    app.publish_inspection_plan(&admin(), "YK-2026-002")
        .await
        .unwrap();
    app.draw_inspection_plan(&admin(), "YK-2026-002", DrawRequest::default())
        .await
        .unwrap();
    for t in app.inspection_tasks(&admin(), "YK-2026-002").await.unwrap() {
        let before = tasks.iter().find(|p| p.uscc == t.uscc).unwrap();
        for i in [&t.lead, &t.assist].into_iter().flatten() {
            assert!(Some(i) != before.lead.as_ref() && Some(i) != before.assist.as_ref());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_become_inspection_records_due_twenty_working_days_later() {
    let dir = tempfile::tempdir().unwrap();
    let app = city(dir.path()).await;
    let id = "YK-2026-001";
    app.create_inspection_plan(&admin(), request(id))
        .await
        .unwrap();
    app.publish_inspection_plan(&admin(), id).await.unwrap();
    app.draw_inspection_plan(&admin(), id, DrawRequest::default())
        .await
        .unwrap();
    let tasks = app.inspection_tasks(&admin(), id).await.unwrap();
    let task = tasks.iter().find(|t| t.lead.is_some()).unwrap();
    let lead = who(Role::Officer, task.lead.as_deref().unwrap());
    let mine = app.my_inspection_tasks(&lead).await.unwrap();
    assert!(mine.iter().any(|t| t.number == task.number));
    let outsider = (1..=6)
        .map(|i| format!("insp-{i}"))
        .find(|n| Some(n) != task.lead.as_ref() && Some(n) != task.assist.as_ref())
        .unwrap();
    let ok = |outcome: &str, day: &str| ResultRequest {
        outcome: outcome.into(),
        inspected_on: day.into(),
        note: "现场检查".into(),
    };
    let e = app
        .record_inspection_result(
            &who(Role::Officer, &outsider),
            id,
            task.number,
            ok("compliant", "2026-02-13"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    for (bad, field) in [
        (ok("fine", "2026-02-13"), "outcome"),
        (ok("compliant", "2026-02-30"), "inspected_on"),
        // Tomorrow (the clock says 2026-03-20).
        (ok("compliant", "2026-03-21"), "inspected_on"),
    ] {
        let e = app
            .record_inspection_result(&lead, id, task.number, bad)
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert_eq!(e.field.as_deref(), Some(field));
    }
    let e = app
        .record_inspection_result(&lead, id, 999, ok("compliant", "2026-02-13"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    // Friday 2026-02-13, before the Spring Festival: day 1 is Saturday
    // 02-14 (调休, a working day), 02-15 … 02-23 are off, Saturday 02-28
    // works; the 20th working day is Thursday 2026-03-19.
    let done = app
        .record_inspection_result(&lead, id, task.number, ok("issues_found", "2026-02-13"))
        .await
        .unwrap();
    let r = done.result.unwrap();
    assert_eq!(r.publish_due, "2026-03-19");
    assert_eq!(r.record_id, format!("JC-{id}-{}", task.number));
    assert_eq!(r.versions, 1);
    // Today (boundary: not after today) is accepted; a correction is a new
    // version of the same record.
    let done = app
        .record_inspection_result(&lead, id, task.number, ok("compliant", "2026-03-20"))
        .await
        .unwrap();
    assert_eq!(done.result.as_ref().unwrap().versions, 2);
    assert_eq!(done.result.unwrap().outcome, "compliant");
    let store =
        xinyong_store::Store::open(&xinyong_store::StoreConfig::sqlite(dir.path().join("data")))
            .await
            .unwrap();
    let versions = store
        .record_history("SCJG", &format!("JC-{id}-{}", task.number))
        .await
        .unwrap();
    assert_eq!(versions.len(), 2);
    let last = versions.last().unwrap();
    assert_eq!(last.kind, "inspection");
    assert_eq!(last.subject, task.uscc);
    assert_eq!(last.body["outcome"], "compliant");
    assert_eq!(last.body["plan_id"], id);
    assert_eq!(last.body["items"], json!(task.items));
    // The steps are in the audit log.
    let actions: Vec<String> = store
        .audit_entries(&xinyong_store::AuditQuery {
            limit: 1000,
            ..xinyong_store::AuditQuery::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in [
        "inspection.plan.create",
        "inspection.plan.publish",
        "inspection.plan.draw",
        "inspection.tasks.read",
        "inspection.result.record",
    ] {
        assert!(
            actions.iter().any(|x| x == a),
            "{a} not audited: {actions:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_admins_manage_plans_and_bad_requests_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let app = city(dir.path()).await;
    for by in [
        Principal::public(),
        who(Role::Officer, "insp-1"),
        who(Role::Department, "clerk"),
        who(Role::Auditor, "aud"),
    ] {
        let e = app
            .create_inspection_plan(&by, request("X-1"))
            .await
            .unwrap_err();
        assert!(
            matches!(e.code, ErrorCode::Forbidden | ErrorCode::Unauthenticated),
            "{by:?}"
        );
    }
    let e = app
        .inspection_tasks(&Principal::public(), "X-1")
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthenticated);
    let cases: Vec<(NewPlanRequest, &str)> = vec![
        (request("a/b"), "plan_id"),
        (request(""), "plan_id"),
        (request(&"x".repeat(65)), "plan_id"),
        (
            NewPlanRequest {
                inspectors: vec!["insp-1".into()],
                ..request("X-1")
            },
            "inspectors",
        ),
        (
            NewPlanRequest {
                inspectors: vec!["insp-1".into(), "clerk".into()],
                ..request("X-1")
            },
            "inspectors",
        ),
        (
            NewPlanRequest {
                items_per_task: Some(5),
                ..request("X-1")
            },
            "items_per_task",
        ),
        (
            NewPlanRequest {
                ratios: Some(RatiosBp {
                    a: 10001,
                    b: 0,
                    c: 0,
                    d: 0,
                }),
                ..request("X-1")
            },
            "ratios",
        ),
        (
            NewPlanRequest {
                model: Some("anhui-class".into()),
                ..request("X-1")
            },
            "model",
        ),
        (
            NewPlanRequest {
                items: vec!["产品\t质量".into()],
                items_per_task: Some(1),
                ..request("X-1")
            },
            "items",
        ),
        (
            NewPlanRequest {
                links: vec![InspectorLink {
                    inspector: "someone".into(),
                    uscc: uscc(9),
                }],
                ..request("X-1")
            },
            "links",
        ),
        (
            NewPlanRequest {
                seed_commitment: Some("abc".into()),
                ..request("X-1")
            },
            "seed_commitment",
        ),
    ];
    for (req, field) in cases {
        let e = app.create_inspection_plan(&admin(), req).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest, "{field}: {e:?}");
        assert_eq!(e.field.as_deref(), Some(field));
    }
    assert!(
        app.inspection_plans(&Principal::public())
            .await
            .unwrap()
            .is_empty()
    );
    // Ratio 10 000 (the boundary) is accepted; the same id twice: conflict.
    let mut req = request("X-1");
    req.ratios = Some(RatiosBp {
        a: 10000,
        b: 10000,
        c: 10000,
        d: 10000,
    });
    app.create_inspection_plan(&admin(), req.clone())
        .await
        .unwrap();
    let e = app.create_inspection_plan(&admin(), req).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    let e = app
        .verify_inspection_plan(&Principal::public(), "X-1", SuppliedLists::default())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    let e = app
        .inspection_plan(&Principal::public(), "nope")
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_held_outside_is_given_at_the_draw_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let app = city(dir.path()).await;
    let seed = b"lottery 2026-03-20 ball 7 12 30 41";
    let mut req = request("YK-LOT-1");
    req.seed_commitment = Some(xinyong_inspection::commit_seed(seed));
    let plan = app.create_inspection_plan(&admin(), req).await.unwrap();
    assert!(!plan.seed_held);
    app.publish_inspection_plan(&admin(), "YK-LOT-1")
        .await
        .unwrap();
    for bad in [
        None,
        Some("zz".to_owned()),
        Some(hex::encode(b"another seed, 16+ bytes")),
    ] {
        let e = app
            .draw_inspection_plan(&admin(), "YK-LOT-1", DrawRequest { seed: bad })
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert_eq!(e.field.as_deref(), Some("seed"));
    }
    let drawn = app
        .draw_inspection_plan(
            &admin(),
            "YK-LOT-1",
            DrawRequest {
                seed: Some(hex::encode(seed)),
            },
        )
        .await
        .unwrap();
    assert_eq!(drawn.draw.unwrap()["seed"], hex::encode(seed));
    let v = app
        .verify_inspection_plan(&Principal::public(), "YK-LOT-1", SuppliedLists::default())
        .await
        .unwrap();
    assert!(v.identical, "{}", v.to_text());
}
