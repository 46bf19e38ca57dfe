//! `xinyidai-eligibility` (PRODUCT.md §4; seed 002): X1–X6 each failing
//! alone, and all passing.

mod common;

use common::*;
use serde_json::{Value, json};
use xinyong_rules::ModelSet;

const M: &str = "xinyidai-eligibility";
/// Before 30 June: yingkou-composite expects the 2022 annual report; X4 the 2023 one.
const T: &str = "2024-05-10";

fn good_subject() -> Value {
    json!({"size": "small", "industry": "C2927", "status": "active"})
}

fn good_records() -> Vec<Value> {
    vec![
        rec(
            "annual_report",
            "ar23",
            "2024-04-01",
            json!({"year": 2023, "employees": 30}),
        ),
        rec(
            "tax_rating",
            "tx23",
            "2024-04-20",
            json!({"year": 2023, "grade": "A"}),
        ),
        rec(
            "financing_need",
            "fn1",
            "2024-03-01",
            json!({"amount_cny": 500000, "purpose": "流动资金"}),
        ),
        rec(
            "commitment",
            "cp1",
            "2024-01-01",
            json!({"commitment_kind": "credit_pledge", "status": "active"}),
        ),
    ]
}

fn eval(set: &ModelSet, subject_extra: Value, recs: &[Value], t: &str) -> Value {
    let mut s = good_subject();
    for (k, v) in subject_extra.as_object().unwrap() {
        s[k] = v.clone();
    }
    line(set, M, s, recs, t)
}

fn failed(l: &Value) -> Vec<String> {
    l["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// `failed` after replacing record `id` of the good set by `r` (or adding it).
fn failed_with(
    set: &ModelSet,
    subject_extra: Value,
    replace: &str,
    r: Option<Value>,
) -> Vec<String> {
    let mut recs: Vec<Value> = good_records()
        .into_iter()
        .filter(|x| x["id"] != replace)
        .collect();
    recs.extend(r);
    let l = eval(set, subject_extra, &recs, T);
    assert_eq!(l["eligible"], failed(&l).is_empty());
    failed(&l)
}

fn reason_of<'a>(l: &'a Value, rule: &str) -> &'a Value {
    reason(l, rule)
}

#[test]
fn all_six_hold() {
    let set = set();
    let l = eval(&set, json!({}), &good_records(), T);
    assert_eq!(
        keys(&l),
        strs(&[
            "subject",
            "model",
            "model_version",
            "as_of",
            "class",
            "score",
            "grade",
            "eligible",
            "failed",
            "reasons"
        ])
    );
    assert_eq!(
        (l["eligible"].clone(), l["failed"].clone()),
        (json!(true), json!([]))
    );
    assert_eq!(
        l["reasons"],
        json!([
            {"rule": "X1", "text": "企业划型为小型企业", "records": [], "satisfied": true},
            {"rule": "X2", "text": "所属行业（C2927）符合产业政策", "records": [], "satisfied": true},
            {"rule": "X3", "text": "综合评价等级 A，信用分类 守信，信用状况良好", "records": [], "satisfied": true},
            {"rule": "X4", "text": "存续经营，已报送 2023 年度年报，未列入经营异常名录", "records": ["ar23"], "satisfied": true},
            {"rule": "X5", "text": "近6个月内提出融资需求 500000 元", "records": ["fn1"], "satisfied": true},
            {"rule": "X6", "text": "已签署信用承诺书", "records": ["cp1"], "satisfied": true}
        ])
    );
}

#[test]
fn x1_size() {
    let set = set();
    for size in ["micro", "small", "medium"] {
        assert_eq!(
            failed_with(&set, json!({"size": size}), "", None),
            Vec::<String>::new(),
            "{size}"
        );
    }
    assert_eq!(
        failed_with(&set, json!({"size": "large"}), "", None),
        strs(&["X1"])
    );
    let l = eval(&set, json!({"size": "large"}), &good_records(), T);
    assert_eq!(
        l["reasons"],
        json!([{"rule": "X1", "text": "企业划型为大型企业，不属于中小微企业", "records": [], "satisfied": false}])
    );
    let l = eval(&set, json!({"size": null}), &good_records(), T);
    assert_eq!(failed(&l), strs(&["X1"]));
    assert_eq!(
        reason_of(&l, "X1")["text"],
        "企业划型未载明，不属于中小微企业"
    );
}

#[test]
fn x2_restricted_industries() {
    let set = set();
    for ind in ["K7010", "J6620", "J67", "J6810", "J6999", "C2521"] {
        assert_eq!(
            failed_with(&set, json!({"industry": ind}), "", None),
            strs(&["X2"]),
            "{ind}"
        );
    }
    let l = eval(&set, json!({"industry": "K7010"}), &good_records(), T);
    assert_eq!(
        reason_of(&l, "X2")["text"],
        "所属行业（K7010）属于限制支持的行业"
    );
    for ind in ["K", "J65", "C2927", "C252", "C2522", "renfang"] {
        assert_eq!(
            failed_with(&set, json!({"industry": ind}), "", None),
            Vec::<String>::new(),
            "{ind}"
        );
    }
    // Unknown industry: not on the list.
    let l = eval(&set, json!({"industry": null}), &good_records(), T);
    assert_eq!(failed(&l), Vec::<String>::new());
    assert_eq!(
        reason_of(&l, "X2")["text"],
        "所属行业（未载明）符合产业政策"
    );
}

#[test]
fn x3_composite_grade_and_anhui_class() {
    let set = set();
    // The good subject's composite is 920 (A): tax A, ten years, the active
    // pledge (XZ3 50), no compliant inspection (XZ2 30).
    assert_eq!(
        line(
            &set,
            "yingkou-composite",
            good_subject(),
            &good_records(),
            T
        )["score"],
        json!(920)
    );
    // anhui dishonest (one general-procedure penalty), grade still A (880).
    assert_eq!(
        failed_with(
            &set,
            json!({}),
            "",
            Some(penalty("p1", "2024-01-01", 100.0))
        ),
        strs(&["X3"])
    );
    let mut recs = good_records();
    recs.push(penalty("p1", "2024-01-01", 100.0));
    let l = eval(&set, json!({}), &recs, T);
    assert_eq!(
        reason_of(&l, "X3")["text"],
        "综合评价等级 A，信用分类 失信，信用状况未达良好"
    );
    assert_eq!(reason_of(&l, "X3")["satisfied"], false);
    // The records behind X3 are those behind the results it reads: the
    // penalty that makes anhui-class `dishonest` (D2) and costs XZ1 points.
    assert_eq!(ids(reason_of(&l, "X3")), strs(&["p1"]));
    // anhui severely dishonest (and grade D by veto).
    let sv = entry("sv", "serious_violation", "2024-01-01", None, json!({}));
    assert_eq!(failed_with(&set, json!({}), "", Some(sv)), strs(&["X3"]));
    // anhui warning or unclassified is fine.
    let w = entry(
        "dp",
        "dishonest_debtor",
        "2024-01-01",
        None,
        json!({"person_role": "director"}),
    );
    assert_eq!(
        failed_with(&set, json!({}), "", Some(w)),
        Vec::<String>::new()
    );
    let bc = rec(
        "bad_conduct",
        "bc",
        "2024-01-01",
        json!({"domain": "construction"}),
    );
    assert_eq!(
        failed_with(&set, json!({}), "", Some(bc)),
        Vec::<String>::new()
    );
    // Grade B at its lower edge with anhui trustworthy, through records anhui
    // does not look at. Before 30 June the 2022 report is due (JB2 60); with
    // the active pledge (XZ3 50) and tax C (CS1 40) the composite is
    // 50 + 60 + 40 + 40 + 100 + 200 + 30 + 50 + 120 + 80 + 0 + 40 = 810;
    // a refused defendant judgment (SF2 − 50), a second defendant judgment
    // (SF2 − 20), a relatively large accident (SH2 − 20) and two utility
    // arrears (CS2 − 20) bring it to 700.
    let mut recs: Vec<Value> = good_records()
        .into_iter()
        .filter(|r| r["id"] != "tx23")
        .collect();
    recs.push(rec(
        "tax_rating",
        "tx23",
        "2024-04-20",
        json!({"year": 2023, "grade": "C"}),
    ));
    recs.push(rec(
        "judgment",
        "j1",
        "2023-01-01",
        json!({"role": "defendant", "refused_to_perform": true}),
    ));
    recs.push(rec(
        "judgment",
        "j2",
        "2023-02-01",
        json!({"role": "defendant", "refused_to_perform": false}),
    ));
    recs.push(rec(
        "accident",
        "a1",
        "2023-01-01",
        json!({"grade": "relatively_large"}),
    ));
    for (i, kind) in ["water", "gas"].iter().enumerate() {
        recs.push(rec(
            "arrears",
            &format!("ar{i}"),
            "2023-06-01",
            json!({"arrears_kind": kind, "amount_cny": 10}),
        ));
    }
    let composite = |recs: &[Value]| {
        let l = line(&set, "yingkou-composite", good_subject(), recs, T);
        (l["score"].clone(), l["grade"].clone())
    };
    assert_eq!(composite(&recs), (json!(700), json!("B")));
    let l = eval(&set, json!({}), &recs, T);
    assert_eq!(failed(&l), Vec::<String>::new());
    assert_eq!(
        reason_of(&l, "X3")["text"],
        "综合评价等级 B，信用分类 守信，信用状况良好"
    );
    // …and one general accident more (SH2 − 10) makes it 690, grade C: X3 fails.
    recs.push(rec(
        "accident",
        "a2",
        "2023-03-01",
        json!({"grade": "general"}),
    ));
    assert_eq!(composite(&recs), (json!(690), json!("C")));
    let l = eval(&set, json!({}), &recs, T);
    assert_eq!(failed(&l), strs(&["X3"]));
    assert_eq!(
        reason_of(&l, "X3")["text"],
        "综合评价等级 C，信用分类 守信，信用状况未达良好"
    );
    assert_eq!(reason_of(&l, "X3")["satisfied"], false);
    // …citing the records that cost the composite its points.
    assert_eq!(
        ids(reason_of(&l, "X3")),
        strs(&["a1", "a2", "ar0", "ar1", "j1", "j2", "tx23"])
    );
}

#[test]
fn x4_status_annual_report_and_abnormal_list() {
    let set = set();
    for status in ["revoked", "cancelled", "moved_out"] {
        assert_eq!(
            failed_with(&set, json!({"status": status}), "", None),
            strs(&["X4"]),
            "{status}"
        );
    }
    let l = eval(&set, json!({"status": "revoked"}), &good_records(), T);
    assert_eq!(
        reason_of(&l, "X4")["text"],
        "经营状况不满足：登记状态 吊销，已报送 2023 年度年报，未列入经营异常名录"
    );
    // No status given: active.
    assert_eq!(
        failed_with(&set, json!({"status": null}), "", None),
        Vec::<String>::new()
    );
    // Only the 2022 report (enough for the composite grade before 30 June).
    let ar22 = rec("annual_report", "ar22", "2023-04-01", json!({"year": 2022}));
    assert_eq!(
        failed_with(&set, json!({}), "ar23", Some(ar22)),
        strs(&["X4"])
    );
    // The 2023 report filed after T is not known.
    let late = rec("annual_report", "ar23", "2024-05-11", json!({"year": 2023}));
    let mut recs: Vec<Value> = good_records()
        .into_iter()
        .filter(|r| r["id"] != "ar23")
        .collect();
    recs.push(rec(
        "annual_report",
        "ar22",
        "2023-04-01",
        json!({"year": 2022}),
    ));
    recs.push(late);
    let l = eval(&set, json!({}), &recs, T);
    assert_eq!(failed(&l), strs(&["X4"]));
    assert_eq!(
        reason_of(&l, "X4")["text"],
        "经营状况不满足：登记状态 存续，未报送 2023 年度年报，未列入经营异常名录"
    );
    // A current abnormal entry also caps the composite grade at C: X3 fails with it.
    let ab = entry(
        "ab",
        "abnormal_operation",
        "2024-01-01",
        None,
        json!({"reason": "annual_report"}),
    );
    assert_eq!(
        failed_with(&set, json!({}), "", Some(ab.clone())),
        strs(&["X3", "X4"])
    );
    let removed = with(&ab, json!({"removed_on": T}));
    assert_eq!(
        failed_with(&set, json!({}), "", Some(removed)),
        Vec::<String>::new()
    );
}

#[test]
fn x4_previous_year_changes_on_1_january() {
    let set = set();
    // The good records, with a financing need inside six months of both dates.
    let recs = |extra: &[Value]| {
        let mut v: Vec<Value> = good_records()
            .into_iter()
            .filter(|r| r["id"] != "fn1")
            .collect();
        v.push(rec(
            "financing_need",
            "fn1",
            "2024-12-01",
            json!({"amount_cny": 300000}),
        ));
        v.extend_from_slice(extra);
        v
    };
    // On 2024-12-31 the previous year is 2023: the 2023 report (ar23) suffices.
    let l = eval(&set, json!({}), &recs(&[]), "2024-12-31");
    assert_eq!(failed(&l), Vec::<String>::new());
    assert_eq!(
        reason_of(&l, "X4")["text"],
        "存续经营，已报送 2023 年度年报，未列入经营异常名录"
    );
    assert_eq!(ids(reason_of(&l, "X4")), strs(&["ar23"]));
    // On 2025-01-01 the previous year is 2024: ar23 no longer suffices.
    let l = eval(&set, json!({}), &recs(&[]), "2025-01-01");
    assert_eq!(l["eligible"], false);
    assert_eq!(failed(&l), strs(&["X4"]));
    assert_eq!(
        reason_of(&l, "X4")["text"],
        "经营状况不满足：登记状态 存续，未报送 2024 年度年报，未列入经营异常名录"
    );
    // A 2024 report filed on 2025-01-01 is known on that day (and not on 2024-12-31,
    // when ar23 still carries X4).
    let ar24 = rec(
        "annual_report",
        "ar24",
        "2025-01-01",
        json!({"year": 2024, "employees": 30}),
    );
    let l = eval(
        &set,
        json!({}),
        &recs(std::slice::from_ref(&ar24)),
        "2025-01-01",
    );
    assert_eq!(failed(&l), Vec::<String>::new());
    assert_eq!(
        reason_of(&l, "X4")["text"],
        "存续经营，已报送 2024 年度年报，未列入经营异常名录"
    );
    assert_eq!(ids(reason_of(&l, "X4")), strs(&["ar24"]));
    let l = eval(
        &set,
        json!({}),
        &recs(std::slice::from_ref(&ar24)),
        "2024-12-31",
    );
    assert_eq!(failed(&l), Vec::<String>::new());
    assert_eq!(ids(reason_of(&l, "X4")), strs(&["ar23"]));
    // Only the 2024 report: on 2025-01-01 X4 holds.
    let only24: Vec<Value> = recs(std::slice::from_ref(&ar24))
        .into_iter()
        .filter(|r| r["id"] != "ar23")
        .collect();
    let l = eval(&set, json!({}), &only24, "2025-01-01");
    assert_eq!(failed(&l), Vec::<String>::new());
    assert_eq!(ids(reason_of(&l, "X4")), strs(&["ar24"]));
}

#[test]
fn x5_financing_need_in_the_last_six_months() {
    let set = set();
    let need = |date: &str| rec("financing_need", "fn1", date, json!({"amount_cny": 500000}));
    // add(2024-05-10, −6 months) = 2023-11-10 is inside.
    assert_eq!(
        failed_with(&set, json!({}), "fn1", Some(need("2023-11-10"))),
        Vec::<String>::new()
    );
    assert_eq!(
        failed_with(&set, json!({}), "fn1", Some(need("2023-11-09"))),
        strs(&["X5"])
    );
    assert_eq!(
        failed_with(&set, json!({}), "fn1", Some(need(T))),
        Vec::<String>::new()
    );
    assert_eq!(
        failed_with(&set, json!({}), "fn1", Some(need(&shift(T, 1)))),
        strs(&["X5"])
    );
    assert_eq!(
        failed_with(
            &set,
            json!({}),
            "fn1",
            Some(with(&need(T), json!({"withdrawn": true})))
        ),
        strs(&["X5"])
    );
    assert_eq!(failed_with(&set, json!({}), "fn1", None), strs(&["X5"]));
    let recs: Vec<Value> = good_records()
        .into_iter()
        .filter(|r| r["id"] != "fn1")
        .collect();
    let l = eval(&set, json!({}), &recs, T);
    assert_eq!(
        l["reasons"],
        json!([{"rule": "X5", "text": "近6个月内无融资需求申报", "records": [], "satisfied": false}])
    );
    // Month end: add(2024-08-31, −6 months) = 2024-02-29.
    let mut recs: Vec<Value> = good_records()
        .into_iter()
        .filter(|r| r["id"] != "fn1")
        .collect();
    recs.push(need("2024-02-29"));
    assert_eq!(
        failed(&eval(&set, json!({}), &recs, "2024-08-31")),
        Vec::<String>::new()
    );
    recs.pop();
    recs.push(need("2024-02-28"));
    assert_eq!(
        failed(&eval(&set, json!({}), &recs, "2024-08-31")),
        strs(&["X5"])
    );
}

#[test]
fn x6_active_credit_pledge() {
    let set = set();
    let cp = |kind: &str, status: &str| {
        rec(
            "commitment",
            "cp1",
            "2024-01-01",
            json!({"commitment_kind": kind, "status": status}),
        )
    };
    for status in ["fulfilled", "withdrawn"] {
        assert_eq!(
            failed_with(&set, json!({}), "cp1", Some(cp("credit_pledge", status))),
            strs(&["X6"]),
            "{status}"
        );
    }
    for kind in ["notify_commit", "missing_materials", "domicile", "other"] {
        assert_eq!(
            failed_with(&set, json!({}), "cp1", Some(cp(kind, "active"))),
            strs(&["X6"]),
            "{kind}"
        );
    }
    assert_eq!(
        failed_with(
            &set,
            json!({}),
            "cp1",
            Some(with(
                &cp("credit_pledge", "active"),
                json!({"withdrawn": true})
            ))
        ),
        strs(&["X6"])
    );
    assert_eq!(
        failed_with(
            &set,
            json!({}),
            "cp1",
            Some(with(
                &cp("credit_pledge", "active"),
                json!({"date": shift(T, 1)})
            ))
        ),
        strs(&["X6"])
    );
    // A breached pledge is also D3 for anhui-class.
    assert_eq!(
        failed_with(
            &set,
            json!({}),
            "cp1",
            Some(cp("credit_pledge", "breached"))
        ),
        strs(&["X3", "X6"])
    );
    let recs: Vec<Value> = good_records()
        .into_iter()
        .filter(|r| r["id"] != "cp1")
        .collect();
    assert_eq!(
        reason_of(&eval(&set, json!({}), &recs, T), "X6")["text"],
        "未签署有效的信用承诺书"
    );
}

#[test]
fn several_failures_are_listed_in_order() {
    let set = set();
    let l = eval(
        &set,
        json!({"size": "large", "industry": "K7010", "status": "cancelled"}),
        &[],
        T,
    );
    assert_eq!(l["eligible"], false);
    assert_eq!(failed(&l), strs(&["X1", "X2", "X4", "X5", "X6"]));
    assert_eq!(rules(&l), strs(&["X1", "X2", "X4", "X5", "X6"]));
}
