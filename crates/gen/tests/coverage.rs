//! A 10,000-subject city has every kind and every producing department, and
//! its proportions look like a real city's.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use xinyong_core::catalog::{KIND_CODES, KINDS, LIST_IDS};
use xinyong_core::uscc::Uscc;

fn share(n: usize, total: usize) -> f64 {
    n as f64 / total as f64
}

#[test]
fn every_kind_department_and_code_is_present_in_proportions() {
    let (dir, summary) = common::city(10_000, 2026, false);
    let subjects = common::objects(&dir.path().join("subjects.jsonl"));
    let records = common::objects(&dir.path().join("records.jsonl"));
    let n = subjects.len();

    // kinds and departments
    for k in KIND_CODES {
        assert!(summary.by_kind[*k] > 0, "no record of kind {k}");
    }
    let producers: BTreeSet<&str> = KINDS
        .iter()
        .flat_map(|k| k.producers.iter().copied())
        .collect();
    for p in &producers {
        assert!(
            summary.by_source.contains_key(*p),
            "no record from department {p}"
        );
    }
    for k in KINDS {
        for r in records.iter().filter(|r| common::s(r, "kind") == k.code) {
            let src = common::s(r, "source");
            let owner_of_list = r
                .get("list")
                .and_then(|l| l.as_str())
                .and_then(xinyong_core::catalog::list_spec)
                .map(|l| l.owner);
            assert!(
                k.producers.contains(&src) || owner_of_list == Some(src),
                "{} from {src}",
                k.code
            );
        }
    }
    let lists: BTreeSet<&str> = records
        .iter()
        .filter_map(|r| r.get("list").and_then(|v| v.as_str()))
        .collect();
    for l in LIST_IDS {
        assert!(lists.contains(l), "no entry of list {l}");
    }

    // records per subject: about 7 (10 million for 1.4 million subjects)
    let per_subject = summary.records as f64 / n as f64;
    assert!(
        (5.5..9.0).contains(&per_subject),
        "{per_subject} records per subject"
    );

    // subject types, regions, statuses
    let mut types: BTreeMap<&str, usize> = BTreeMap::new();
    let mut regions: BTreeMap<&str, usize> = BTreeMap::new();
    let mut status: BTreeMap<&str, usize> = BTreeMap::new();
    let mut check_failing = 0;
    for s in &subjects {
        *types.entry(common::s(s, "type")).or_default() += 1;
        *regions.entry(common::s(s, "region")).or_default() += 1;
        *status.entry(common::s(s, "status")).or_default() += 1;
        let code = Uscc::parse(common::s(s, "uscc")).unwrap();
        if !code.check_ok() {
            check_failing += 1;
        }
        let prefix = &common::s(s, "uscc")[..2];
        let expected: &[&str] = match common::s(s, "type") {
            "enterprise" => &["91"],
            "individual_business" => &["92"],
            "farmer_coop" => &["93"],
            "social_org" => &["51", "52"],
            "public_institution" => &["12"],
            _ => &["11"],
        };
        assert!(
            expected.contains(&prefix),
            "{} of type {}",
            common::s(s, "uscc"),
            common::s(s, "type")
        );
    }
    let within = |map: &BTreeMap<&str, usize>, key: &str, lo: f64, hi: f64| {
        let x = share(map.get(key).copied().unwrap_or(0), n);
        assert!((lo..=hi).contains(&x), "{key}: {x}");
    };
    within(&types, "enterprise", 0.55, 0.65);
    within(&types, "individual_business", 0.28, 0.38);
    within(&types, "farmer_coop", 0.01, 0.05);
    within(&types, "social_org", 0.005, 0.04);
    within(&types, "public_institution", 0.005, 0.03);
    within(&types, "government_agency", 0.002, 0.015);
    within(&regions, "210804", 0.42, 0.62);
    within(&status, "active", 0.72, 0.88);
    assert!(status.len() == 4, "{status:?}");
    let yingkou: usize = regions
        .iter()
        .filter(|(r, _)| r.starts_with("2108"))
        .map(|(_, c)| c)
        .sum();
    assert!(share(yingkou, n) > 0.94);
    assert!(
        (0.0003..=0.005).contains(&share(check_failing, n)),
        "{check_failing} check-failing codes"
    );

    // penalties skewed: most subjects none, a few many
    let mut penalties: HashMap<&str, usize> = HashMap::new();
    let mut abnormal_current: BTreeSet<&str> = BTreeSet::new();
    for r in &records {
        match common::s(r, "kind") {
            "penalty" => *penalties.entry(common::s(r, "subject")).or_default() += 1,
            "list_entry"
                if common::s(r, "list") == "abnormal_operation"
                    && !r.contains_key("removed_on") =>
            {
                abnormal_current.insert(common::s(r, "subject"));
            }
            _ => {}
        }
    }
    let with_penalty = penalties.len();
    assert!(
        (0.15..0.4).contains(&share(with_penalty, n)),
        "{with_penalty} subjects with penalties"
    );
    assert!(penalties.values().copied().max().unwrap_or(0) >= 6);
    let abnormal = share(abnormal_current.len(), n);
    assert!(
        (0.04..=0.11).contains(&abnormal),
        "abnormal share {abnormal}"
    );

    // annual reports, licences and tax ratings are the common kinds
    let by = |k: &str| summary.by_kind[k] as f64 / n as f64;
    assert!(by("annual_report") > 2.0 && by("license") > 0.6 && by("tax_rating") > 0.8);
    assert!(by("penalty") > 0.2 && by("penalty") < 0.8);
    assert!(by("financing_need") < 0.1 && by("false_materials") < 0.05);
    // department volumes follow seed 002: SCJG largest; GAJ leads penalties; XZSP leads licences
    let top = summary
        .by_source
        .iter()
        .max_by_key(|(_, c)| **c)
        .map(|(d, _)| d.as_str());
    assert_eq!(top, Some("SCJG"));
    let count = |kind: &str, src: &str| {
        records
            .iter()
            .filter(|r| common::s(r, "kind") == kind && common::s(r, "source") == src)
            .count()
    };
    assert!(
        count("penalty", "GAJ") > count("penalty", "WLJ")
            && count("penalty", "GAJ") > count("penalty", "WJW")
    );
    assert!(
        count("license", "XZSP") > count("license", "WLJ")
            && count("license", "WLJ") > count("license", "GAJ")
    );
}

#[test]
fn record_dates_exercise_windows_and_holidays() {
    let (dir, _) = common::city(10_000, 77, false);
    let records = common::objects(&dir.path().join("records.jsonl"));
    let dates: BTreeSet<String> = records
        .iter()
        .map(|r| common::s(r, "date").to_owned())
        .collect();
    for d in [
        "2020-02-29",
        "2024-02-29",
        "2020-10-01",
        "2020-10-08",
        "2020-10-10",
        "2021-01-01",
        "2026-01-01",
        "2022-12-31",
    ] {
        assert!(dates.contains(d), "no record dated {d}");
    }
    let years: BTreeSet<&str> = dates.iter().map(|d| &d[..4]).collect();
    for y in 2018..=2026 {
        assert!(years.contains(y.to_string().as_str()), "no record in {y}");
    }
    // some penalties carry bands with a fine on a band boundary, some are withdrawn or repaired
    let pens: Vec<_> = records
        .iter()
        .filter(|r| common::s(r, "kind") == "penalty")
        .collect();
    let on_boundary = pens.iter().any(|r| {
        let fine = r.get("fine_cny").and_then(|v| v.as_f64());
        let general_max = r.get("basis_bands").and_then(|b| b["general"][1].as_f64());
        fine.is_some() && fine == general_max
    });
    assert!(on_boundary);
    for field in [
        "withdrawn",
        "repaired_on",
        "authority_tier",
        "non_repairable",
        "violation_tags",
        "restriction_months",
        "fulfilled_on",
        "basis_bands",
    ] {
        assert!(
            pens.iter().any(|r| r.contains_key(field)),
            "no penalty with {field}"
        );
    }
    let texts = |needle: &str| {
        pens.iter().any(|r| {
            common::s(r, "facts").contains(needle) || common::s(r, "basis").contains(needle)
        })
    };
    for kw in [
        "死亡",
        "损害人体健康",
        "扰乱破坏市场秩序",
        "国防相关",
        "情节严重",
    ] {
        assert!(texts(kw), "no penalty text with {kw}");
    }
    let warning_only_serious = pens.iter().any(|r| {
        r["sanctions"]
            .as_array()
            .is_some_and(|s| s.len() == 1 && s[0] == "warning")
            && common::s(r, "facts").contains("情节严重")
    });
    assert!(warning_only_serious);
}

/// The agencies' government-dishonesty ledgers exercise every rule of
/// `gov-integrity`: clean agencies, items unsettled without a plan for more
/// than 90 days (GI1), installments paid late, short or not at all (GI2),
/// items found in the last 12 months (GI3), arrears and old debts unsettled
/// 3 years after they were found (GI4).
#[test]
fn agencies_have_ledgers_that_exercise_every_gov_integrity_rule() {
    use xinyong_core::time::{Period, add, days_since_epoch, parse_date};
    let (dir, _) = common::city(10_000, 2026, false);
    let subjects = common::objects(&dir.path().join("subjects.jsonl"));
    let records = common::objects(&dir.path().join("records.jsonl"));
    let t = xinyong_gen::default_reference_date();
    let d = |s: &str| parse_date(s).unwrap();
    let agencies: BTreeSet<&str> = subjects
        .iter()
        .filter(|s| common::s(s, "type") == "government_agency")
        .map(|s| common::s(s, "uscc"))
        .collect();
    let ledger: Vec<_> = records
        .iter()
        .filter(|r| common::s(r, "kind") == "gov_ledger")
        .collect();
    assert!(!ledger.is_empty());
    let with_items: BTreeSet<&str> = ledger.iter().map(|r| common::s(r, "subject")).collect();
    assert!(
        with_items.is_subset(&agencies),
        "only agencies have ledgers"
    );
    assert!(with_items.len() < agencies.len(), "some agencies are clean");
    let unsettled = |r: &serde_json::Map<String, serde_json::Value>| {
        r.get("settled_on")
            .and_then(|v| v.as_str())
            .is_none_or(|s| d(s) > t)
    };
    let installments = |r: &serde_json::Map<String, serde_json::Value>| {
        r.get("installments")
            .and_then(|v| v.as_array())
            .cloned()
            .unwrap_or_default()
    };
    let gi1 = ledger.iter().any(|r| {
        unsettled(r)
            && installments(r).is_empty()
            && days_since_epoch(t) - days_since_epoch(d(common::s(r, "date"))) > 90
    });
    let m12 = add(t, Period::months(-12));
    let late = |i: &serde_json::Value| {
        let due = d(i["due_on"].as_str().unwrap());
        let paid_on = i["paid_on"].as_str().map(d);
        let short = i["paid_cny"].as_f64().unwrap_or(0.0) < i["amount_cny"].as_f64().unwrap();
        due >= m12 && due < t && (paid_on.is_none_or(|p| p > due) || short)
    };
    let gi2 = ledger
        .iter()
        .flat_map(|r| installments(r))
        .any(|i| late(&i));
    let paid_short = ledger.iter().flat_map(|r| installments(r)).any(|i| {
        i["paid_cny"]
            .as_f64()
            .is_some_and(|p| p < i["amount_cny"].as_f64().unwrap())
    });
    let paid_late = ledger.iter().flat_map(|r| installments(r)).any(|i| {
        i["paid_on"]
            .as_str()
            .is_some_and(|p| d(p) > d(i["due_on"].as_str().unwrap()))
    });
    let gi3 = ledger.iter().any(|r| d(common::s(r, "date")) >= m12);
    let gi4 = ledger.iter().any(|r| {
        matches!(common::s(r, "category"), "arrears" | "legacy_debt")
            && unsettled(r)
            // complete (满) from add(date, 3 years) + 1 day on
            && t > add(d(common::s(r, "date")), Period::years(3))
    });
    assert!(
        gi1 && gi2 && gi3 && gi4,
        "GI1 {gi1} GI2 {gi2} GI3 {gi3} GI4 {gi4}"
    );
    assert!(paid_short && paid_late);
}
