//! Disclosure boundaries (PRODUCT.md C5, C15): display windows on their
//! last and next days, statuses, public fields and masking.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use xinyong_core::Date;
use xinyong_core::catalog::RecordKind;
use xinyong_core::disclosure::{
    DisclosureFacts, HiddenReason, PenaltyFacts, PublicDecision, RecordStatus, Role, TraceFacts,
    mask_personal, mask_text, masks_personal_data, public_fields, public_list_membership,
    public_record, public_subject, public_window, record_status,
};
use xinyong_core::time::{Period, add, parse_date};

fn d(s: &str) -> Date {
    parse_date(s).expect("test date")
}

fn body(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("test body must be an object"),
    }
}

fn shown(until: Option<&str>) -> PublicDecision {
    PublicDecision::Shown {
        display_until: until.map(d),
        disputed: false,
    }
}

fn hidden(reason: HiddenReason) -> PublicDecision {
    PublicDecision::Hidden { reason }
}

fn none() -> DisclosureFacts {
    DisclosureFacts::default()
}

fn public(kind: RecordKind, b: &Map<String, Value>, t: &str) -> PublicDecision {
    public_window(kind, b, d(t), &none())
}

/// `last` is shown with `display_until = last`; the next day is hidden for `reason`.
fn assert_last_day(
    kind: RecordKind,
    b: &Map<String, Value>,
    facts: &DisclosureFacts,
    last: &str,
    reason: HiddenReason,
) {
    let last_day = d(last);
    assert_eq!(
        public_window(kind, b, last_day, facts),
        PublicDecision::Shown {
            display_until: Some(last_day),
            disputed: facts.disputed,
        },
        "last day {last}"
    );
    let next = add(last_day, Period::days(1));
    assert_eq!(
        public_window(kind, b, next, facts),
        hidden(reason),
        "day after {last}"
    );
}

fn dated(kind: &str, date: &str) -> Map<String, Value> {
    body(
        json!({"id": "X-1", "kind": kind, "subject": "91110000100000000X", "source": "SCJG", "date": date}),
    )
}

// ----- FixedYears -------------------------------------------------------------

#[test]
fn fixed_years_last_day_shown_next_day_hidden() {
    let b = dated("inspection", "2021-03-15");
    assert_last_day(
        RecordKind::Inspection,
        &b,
        &none(),
        "2024-03-15",
        HiddenReason::OutsideWindow,
    );
    assert_eq!(
        public(RecordKind::Inspection, &b, "2021-03-15"),
        shown(Some("2024-03-15"))
    );
}

#[test]
fn fixed_years_from_a_leap_day_ends_on_february_28() {
    // financing_need is 1 year but not public; use its status. Public kinds are 3 years:
    // 2020-02-29 + 3 years = 2023-02-28.
    let b = dated("judgment", "2020-02-29");
    assert_last_day(
        RecordKind::Judgment,
        &b,
        &none(),
        "2023-02-28",
        HiddenReason::OutsideWindow,
    );
    // 1 year (financing_need): 2020-02-29 + 1 year = 2021-02-28.
    let f = dated("financing_need", "2020-02-29");
    assert_eq!(
        record_status(RecordKind::FinancingNeed, &f, d("2021-02-28"), &none()),
        RecordStatus::Counting
    );
    assert_eq!(
        record_status(RecordKind::FinancingNeed, &f, d("2021-03-01"), &none()),
        RecordStatus::OutsideDisplayWindow
    );
}

#[test]
fn fixed_years_from_a_month_end_onto_a_leap_year() {
    // 2021-02-28 + 3 years = 2024-02-28 (the corresponding day exists).
    let b = dated("accident", "2021-02-28");
    assert_last_day(
        RecordKind::Accident,
        &b,
        &none(),
        "2024-02-28",
        HiddenReason::OutsideWindow,
    );
}

#[test]
fn record_dated_after_the_day_is_not_shown_and_not_counting() {
    let b = dated("inspection", "2024-05-02");
    assert_eq!(
        public(RecordKind::Inspection, &b, "2024-05-01"),
        hidden(HiddenReason::BeforeDate)
    );
    assert_eq!(
        record_status(RecordKind::Inspection, &b, d("2024-05-01"), &none()),
        RecordStatus::OutsideDisplayWindow
    );
    assert!(public(RecordKind::Inspection, &b, "2024-05-02").is_shown());
}

#[test]
fn permanent_is_shown_without_end() {
    let b = dated("annual_report", "2001-06-30");
    assert_eq!(
        public(RecordKind::AnnualReport, &b, "2099-01-01"),
        shown(None)
    );
}

#[test]
fn non_public_kind_is_hidden_but_has_a_status() {
    let b = dated("tax_rating", "2023-04-01");
    assert_eq!(
        public(RecordKind::TaxRating, &b, "2023-05-01"),
        hidden(HiddenReason::NotPublicKind)
    );
    assert_eq!(
        record_status(RecordKind::TaxRating, &b, d("2023-05-01"), &none()),
        RecordStatus::Counting
    );
}

// ----- UntilValidTo -----------------------------------------------------------

#[test]
fn until_valid_to_with_valid_to() {
    let mut b = dated("license", "2020-01-10");
    b.insert("valid_to".into(), json!("2030-06-30"));
    assert_last_day(
        RecordKind::License,
        &b,
        &none(),
        "2030-06-30",
        HiddenReason::OutsideWindow,
    );
}

#[test]
fn until_valid_to_without_valid_to_uses_the_years() {
    let b = dated("honor", "2020-08-31");
    // 2020-08-31 + 3 years = 2023-08-31.
    assert_last_day(
        RecordKind::Honor,
        &b,
        &none(),
        "2023-08-31",
        HiddenReason::OutsideWindow,
    );
}

#[test]
fn unreadable_valid_to_hides() {
    let mut b = dated("license", "2020-01-10");
    b.insert("valid_to".into(), json!("2030-02-30"));
    assert_eq!(
        public(RecordKind::License, &b, "2021-01-01"),
        hidden(HiddenReason::InvalidRecord)
    );
}

// ----- Penalties ---------------------------------------------------------------

fn penalty_facts(until: &str, visible: bool) -> DisclosureFacts {
    DisclosureFacts {
        penalty: Some(PenaltyFacts {
            tier: "general".into(),
            display_until: d(until),
            visible,
        }),
        ..DisclosureFacts::default()
    }
}

#[test]
fn penalty_follows_penalty_tier() {
    let b = dated("penalty", "2023-05-31");
    let k = RecordKind::Penalty;
    let facts = penalty_facts("2024-05-31", true);
    assert_last_day(k, &b, &facts, "2024-05-31", HiddenReason::OutsideWindow);
    // After the window the model says invisible: still outside the window.
    assert_eq!(
        public_window(k, &b, d("2024-06-01"), &penalty_facts("2024-05-31", false)),
        hidden(HiddenReason::OutsideWindow)
    );
    // The model says invisible inside the window: hidden all the same.
    assert_eq!(
        public_window(k, &b, d("2024-01-01"), &penalty_facts("2024-05-31", false)),
        hidden(HiddenReason::PenaltyNotVisible)
    );
    assert_eq!(
        record_status(k, &b, d("2024-01-01"), &penalty_facts("2024-05-31", false)),
        RecordStatus::OutsideDisplayWindow
    );
    assert_eq!(
        record_status(k, &b, d("2024-01-01"), &penalty_facts("2024-05-31", true)),
        RecordStatus::Counting
    );
}

#[test]
fn penalty_without_tier_is_never_guessed() {
    let b = dated("penalty", "2023-05-31");
    assert_eq!(
        public(RecordKind::Penalty, &b, "2023-06-01"),
        hidden(HiddenReason::NoPenaltyTier)
    );
}

// ----- Withdrawn, repaired, disputed -------------------------------------------

#[test]
fn withdrawn_is_hidden_and_wins_over_everything() {
    let mut b = dated("inspection", "2023-01-01");
    b.insert("withdrawn".into(), json!(true));
    b.insert("repaired_on".into(), json!("2023-02-01"));
    let facts = DisclosureFacts {
        disputed: true,
        ..none()
    };
    assert_eq!(
        public_window(RecordKind::Inspection, &b, d("2023-03-01"), &facts),
        hidden(HiddenReason::Withdrawn)
    );
    assert_eq!(
        record_status(RecordKind::Inspection, &b, d("2023-03-01"), &facts),
        RecordStatus::Withdrawn
    );
    b.insert("withdrawn".into(), json!(false));
    assert_eq!(
        record_status(RecordKind::Inspection, &b, d("2023-03-01"), &facts),
        RecordStatus::Repaired
    );
}

#[test]
fn repaired_on_the_day_versus_the_next_day() {
    let mut b = dated("inspection", "2023-01-01");
    b.insert("repaired_on".into(), json!("2023-06-10"));
    let k = RecordKind::Inspection;
    assert_eq!(public(k, &b, "2023-06-10"), hidden(HiddenReason::Repaired));
    assert_eq!(
        record_status(k, &b, d("2023-06-10"), &none()),
        RecordStatus::Repaired
    );
    // The day before the repair: still shown and counting.
    assert!(public(k, &b, "2023-06-09").is_shown());
    assert_eq!(
        record_status(k, &b, d("2023-06-09"), &none()),
        RecordStatus::Counting
    );
}

#[test]
fn disputed_is_shown_with_its_flag_and_beats_the_window_in_the_status() {
    let b = dated("inspection", "2020-01-01");
    let facts = DisclosureFacts {
        disputed: true,
        ..none()
    };
    let k = RecordKind::Inspection;
    assert_eq!(
        public_window(k, &b, d("2021-01-01"), &facts),
        PublicDecision::Shown {
            display_until: Some(d("2023-01-01")),
            disputed: true
        }
    );
    assert_eq!(
        record_status(k, &b, d("2021-01-01"), &facts),
        RecordStatus::Disputed
    );
    assert_eq!(
        record_status(k, &b, d("2025-01-01"), &facts),
        RecordStatus::Disputed
    );
    assert_eq!(
        record_status(k, &b, d("2025-01-01"), &none()),
        RecordStatus::OutsideDisplayWindow
    );
}

// ----- Lists -----------------------------------------------------------------

fn entry(list: &str, listed_on: &str, removed_on: Option<&str>) -> Map<String, Value> {
    let mut b = dated("list_entry", listed_on);
    b.insert("list".into(), json!(list));
    b.insert("listed_on".into(), json!(listed_on));
    if let Some(r) = removed_on {
        b.insert("removed_on".into(), json!(r));
    }
    b
}

#[test]
fn list_entry_removed_on_the_day_is_not_current() {
    let b = entry("dishonest_debtor", "2022-01-05", Some("2023-07-01"));
    let k = RecordKind::ListEntry;
    assert_last_day(
        k,
        &b,
        &none(),
        "2023-06-30",
        HiddenReason::ListEntryNotCurrent,
    );
    assert_eq!(
        public(k, &b, "2023-07-02"),
        hidden(HiddenReason::ListEntryNotCurrent)
    );
    assert_eq!(
        record_status(k, &b, d("2023-07-01"), &none()),
        RecordStatus::OutsideDisplayWindow
    );
    let current = entry("dishonest_debtor", "2022-01-05", None);
    assert_eq!(public(k, &current, "2030-01-01"), shown(None));
    assert_eq!(
        public(k, &current, "2022-01-04"),
        hidden(HiddenReason::BeforeDate)
    );
}

#[test]
fn abnormal_trace_shown_until_the_day_before_clearable() {
    let b = entry("abnormal_operation", "2022-01-05", Some("2023-03-31"));
    let k = RecordKind::ListEntry;
    let trace = |clearable: bool| DisclosureFacts {
        trace: Some(TraceFacts {
            clearable_from: d("2023-07-01"),
            clearable,
        }),
        ..none()
    };
    assert_eq!(
        public_window(k, &b, d("2023-06-30"), &trace(false)),
        shown(Some("2023-06-30"))
    );
    assert_eq!(
        public_window(k, &b, d("2023-07-01"), &trace(true)),
        hidden(HiddenReason::TraceCleared)
    );
    // The date alone decides even when the flag lags.
    assert_eq!(
        public_window(k, &b, d("2023-07-01"), &trace(false)),
        hidden(HiddenReason::TraceCleared)
    );
    // On the removal day the entry is no longer current: the trace shows it.
    assert_eq!(
        public_window(k, &b, d("2023-03-31"), &trace(false)),
        shown(Some("2023-06-30"))
    );
    assert_eq!(
        public_window(k, &b, d("2023-03-31"), &none()),
        hidden(HiddenReason::NoTraceFacts)
    );
    // Removed without the model's line: never guessed.
    assert_eq!(
        public_window(k, &b, d("2023-04-01"), &none()),
        hidden(HiddenReason::NoTraceFacts)
    );
    // Still current (removal later): shown; the end known from the trace.
    assert_eq!(
        public_window(k, &b, d("2023-03-30"), &trace(false)),
        shown(Some("2023-06-30"))
    );
    assert_eq!(public_window(k, &b, d("2023-03-30"), &none()), shown(None));
}

#[test]
fn list_membership_is_current_entries_of_the_subject_itself() {
    let b = entry("abnormal_operation", "2022-01-05", Some("2023-03-31"));
    assert_eq!(
        public_list_membership(&b, d("2023-03-30")),
        Some(body(
            json!({"list": "abnormal_operation", "listed_on": "2022-01-05"})
        ))
    );
    // Removed on the day: the trace may still be shown, the membership is over.
    assert_eq!(public_list_membership(&b, d("2023-03-31")), None);
    assert_eq!(public_list_membership(&b, d("2022-01-04")), None);
    let mut person = entry("dishonest_debtor", "2022-01-05", None);
    assert!(public_list_membership(&person, d("2023-01-01")).is_some());
    person.insert("person_role".into(), json!("legal_representative"));
    assert_eq!(public_list_membership(&person, d("2023-01-01")), None);
    let mut repaired = entry("serious_violation", "2022-01-05", None);
    repaired.insert("repaired_on".into(), json!("2023-01-01"));
    assert!(public_list_membership(&repaired, d("2022-12-31")).is_some());
    assert_eq!(public_list_membership(&repaired, d("2023-01-01")), None);
    let mut withdrawn = entry("serious_violation", "2022-01-05", None);
    withdrawn.insert("withdrawn".into(), json!(true));
    assert_eq!(public_list_membership(&withdrawn, d("2023-01-01")), None);
}

// ----- Public fields -----------------------------------------------------------

#[test]
fn public_record_has_catalogue_fields_masked_and_no_repair_fields() {
    let b = body(json!({
        "id": "SCJG-CF-000001", "kind": "penalty", "subject": "91110000100000000X",
        "source": "SCJG", "date": "2023-05-31", "withdrawn": false,
        "repaired_on": "2030-01-01", "procedure": "general", "sanctions": ["fine"],
        "fine_cny": 13812345678u64, "facts": "联系人电话13812345678，身份证210804199001011234",
        "internal_note": "not for the public"
    }));
    let facts = penalty_facts("2024-05-31", true);
    let line = public_record(RecordKind::Penalty, &b, d("2023-06-01"), &facts).expect("shown");
    assert_eq!(line["display_until"], json!("2024-05-31"));
    assert_eq!(line["disputed"], json!(false));
    assert_eq!(
        line["facts"],
        json!("联系人电话138****5678，身份证210804********1234")
    );
    // Numbers are not text: an amount is never masked.
    assert_eq!(line["fine_cny"], json!(13812345678u64));
    assert_eq!(line["subject"], json!("91110000100000000X"));
    for absent in ["withdrawn", "repaired_on", "internal_note"] {
        assert!(!line.contains_key(absent), "{absent} must not be public");
    }
    assert!(public_record(RecordKind::Penalty, &b, d("2023-06-01"), &none()).is_none());
    let fields = public_fields(RecordKind::Penalty, &b);
    assert_eq!(fields.keys().next().map(String::as_str), Some("id"));
}

#[test]
fn public_subject_keeps_the_contract_fields() {
    let s = body(json!({
        "uscc": "91110000100000000X", "name": "某某公司", "type": "enterprise",
        "status": "active", "region": "110000", "size": "small",
        "people": [{"role": "legal_representative", "name": "王明", "person_id": "P0123456789AB"}]
    }));
    let p = public_subject(&s);
    let keys: Vec<&str> = p.keys().map(String::as_str).collect();
    assert_eq!(keys, ["uscc", "name", "type", "status", "region"]);
}

// ----- Roles -------------------------------------------------------------------

#[test]
fn roles_round_trip_and_government_sees_unmasked() {
    for r in Role::ALL {
        assert_eq!(Role::parse(r.as_str()), Some(r));
        assert_eq!(masks_personal_data(r), !r.is_government());
    }
    let gov: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|r| r.is_government())
        .collect();
    assert_eq!(
        gov,
        [Role::Department, Role::Officer, Role::Admin, Role::Auditor]
    );
    assert!(masks_personal_data(Role::Bank));
    assert!(masks_personal_data(Role::Enterprise));
    assert_eq!(Role::parse("Admin"), None);
}

// ----- Masking -----------------------------------------------------------------

#[test]
fn id_numbers_in_text() {
    assert_eq!(
        mask_text("身份证号210804199001011234。"),
        "身份证号210804********1234。"
    );
    assert_eq!(
        mask_text("ID 11010519491231002X end"),
        "ID 110105********002X end"
    );
    assert_eq!(mask_text("id 11010519491231002x"), "id 110105********002x");
    // Old 15-digit form.
    assert_eq!(mask_text("旧证130503670401001"), "旧证130503*****1001");
    // Not a birth date (month 13): not an ID number.
    assert_eq!(
        mask_text("号码210804199013011234"),
        "号码210804199013011234"
    );
}

#[test]
fn mobile_and_landline_numbers() {
    assert_eq!(mask_text("电话:13812345678"), "电话:138****5678");
    assert_eq!(mask_text("+8613912345678"), "+86139****5678");
    assert_eq!(mask_text("座机0411-88886666"), "座机0411-****6666");
    assert_eq!(mask_text("座机010-1234567。"), "座机010-***4567。");
    assert_eq!(mask_text("电话(0411)88886666"), "电话(0411)****6666");
    assert_eq!(mask_text("电话（010）12345678"), "电话（010）****5678");
    // Not a landline: no area code, or an area code not starting with 0.
    assert_eq!(mask_text("411-88886666"), "411-88886666");
    assert_eq!(mask_text("0411-888866"), "0411-888866");
    // Letters end a number: they do not protect it.
    assert_eq!(mask_text("Tel13812345678"), "Tel138****5678");
    assert_eq!(mask_text("ID210804199001011234"), "ID210804********1234");
    assert_eq!(mask_text("Tel0411-88886666;"), "Tel0411-****6666;");
    // 12 is not a mobile prefix.
    assert_eq!(mask_text("12812345678"), "12812345678");
}

#[test]
fn numbers_inside_longer_runs_or_amounts_are_not_phones() {
    for text in [
        "金额1381234567890元",
        "罚款13812345678元",
        "¥13812345678",
        "13812345678.50",
        "3.13812345678",
        "91440300MA5F12345X",
        "2021-03-04",
        "2020-13812345",
    ] {
        assert_eq!(mask_text(text), text, "{text}");
    }
}

#[test]
fn uscc_fields_keep_valid_codes_and_mask_people() {
    let first17 = "91110000MA0000001";
    let check = xinyong_core::uscc::compute_check_char(first17).expect("alphabet");
    let valid = format!("{first17}{check}");
    let mut v = json!({
        "subject": valid,
        "counterparty": "11010519491231002X",
        "id": "13812345678",
        "description": "欠款，联系13812345678",
        "people": [
            {"role": "legal_representative", "name": "王明", "person_id": "P0123456789AB"},
            {"role": "director", "name": "李华", "person_id": 12345, "phone": "13912345678"}
        ],
        "nested": {"deeper": [["身份证210804199001011234"]]}
    });
    mask_personal(&mut v);
    assert_eq!(v["subject"], json!(valid));
    // An ID number with a valid ID check digit in a USCC field is a person.
    assert_eq!(v["counterparty"], json!("110105********002X"));
    assert_eq!(v["id"], json!("13812345678"));
    assert_eq!(v["description"], json!("欠款，联系138****5678"));
    assert_eq!(v["people"][0]["person_id"], json!("*************"));
    assert_eq!(v["people"][0]["name"], json!("王明"));
    assert_eq!(v["people"][1]["person_id"], json!("*****"));
    assert_eq!(v["people"][1]["phone"], json!("139****5678"));
    assert_eq!(
        v["nested"]["deeper"][0][0],
        json!("身份证210804********1234")
    );
}

/// The ISO 7064 MOD 11-2 check digit of a resident ID number (written
/// here independently of the module).
fn id_check(first17: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).expect("digit") * w)
        .sum();
    ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
}

/// An all-digit code shaped like an ID number (birth date 1990-01-01) whose
/// USCC check character is valid, and whose ID check digit is valid or not.
fn id_shaped_uscc(id_valid: bool) -> String {
    (0..1000)
        .map(|n| format!("91010519900101{n:03}"))
        .find_map(|first17| {
            let c = xinyong_core::uscc::compute_check_char(&first17).expect("alphabet");
            let shaped = c.is_ascii_digit() || c == 'X';
            (shaped && (c == id_check(&first17)) == id_valid).then(|| format!("{first17}{c}"))
        })
        .expect("such a code exists among 1000")
}

#[test]
fn a_valid_all_digit_uscc_in_a_code_field_is_kept() {
    let code = id_shaped_uscc(false);
    // In free text it is taken for an ID number and masked…
    assert_ne!(mask_text(&code), code);
    // …in a USCC field it is a valid code and kept.
    let mut v = json!({"subject": code, "uscc": code, "counterparty": code, "facts": code});
    mask_personal(&mut v);
    assert_eq!(v["subject"], json!(code));
    assert_eq!(v["uscc"], json!(code));
    assert_eq!(v["counterparty"], json!(code));
    assert_eq!(v["facts"], json!(mask_text(&code)));
    // A valid USCC that is also a valid ID number is taken for a person.
    let both = id_shaped_uscc(true);
    let mut w = json!({"counterparty": both});
    mask_personal(&mut w);
    assert_eq!(w["counterparty"], json!(mask_text(&both)));
    assert_ne!(w["counterparty"], json!(both));
    // An ID number failing the USCC check in a USCC field is masked as text.
    let mut x = json!({"counterparty": "210804199001011234"});
    mask_personal(&mut x);
    assert_eq!(x["counterparty"], json!("210804********1234"));
}

#[test]
fn a_list_of_bodies_is_masked_element_by_element() {
    let mut v = json!([
        {"id": "GAJ-13812345678", "facts": "13812345678"},
        {"id": "GAJ-2", "people": [{"person_id": "P1"}]},
        "13912345678"
    ]);
    mask_personal(&mut v);
    assert_eq!(
        v,
        json!([
            {"id": "GAJ-13812345678", "facts": "138****5678"},
            {"id": "GAJ-2", "people": [{"person_id": "**"}]},
            "139****5678"
        ])
    );
}

fn id_number() -> impl Strategy<Value = String> {
    (
        100000u32..999999,
        1900u32..2025,
        1u32..=12,
        1u32..=28,
        0u32..1000,
        prop::sample::select(vec!['0', '5', '9', 'X']),
    )
        .prop_map(|(area, y, m, day, seq, c)| format!("{area}{y}{m:02}{day:02}{seq:03}{c}"))
}

fn mobile() -> impl Strategy<Value = String> {
    (3u32..=9, 0u64..1_000_000_000).prop_map(|(p, rest)| format!("1{p}{rest:09}"))
}

fn text_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        id_number(),
        mobile(),
        "[0-9]{1,20}",
        "[0-9A-Za-z*.+¥元,-]{1,12}",
        "[电话身份证号码，。 ：]{1,4}",
        Just("0411-88886666".to_owned()),
        Just("(010)12345678".to_owned()),
    ]
}

proptest! {
    #[test]
    fn masking_is_idempotent_and_keeps_the_length(pieces in prop::collection::vec(text_piece(), 0..8)) {
        let s: String = pieces.concat();
        let once = mask_text(&s);
        prop_assert_eq!(once.chars().count(), s.chars().count());
        prop_assert_eq!(mask_text(&once), once.clone());
        let mut v = json!({"facts": s, "people": [{"person_id": once}]});
        let mut twice = v.clone();
        mask_personal(&mut v);
        mask_personal(&mut twice);
        mask_personal(&mut twice);
        prop_assert_eq!(v, twice);
    }

    #[test]
    fn masked_text_never_contains_the_id_number(
        id in id_number(),
        before in "[电话身份证号码，。 ：]{0,4}",
        after in "[电话身份证号码，。 ：]{0,4}",
    ) {
        let masked = mask_text(&format!("{before}{id}{after}"));
        prop_assert!(!masked.contains(&id), "{masked}");
        prop_assert!(masked.contains(&id[..6]) && masked.contains(&id[14..]));
    }

    #[test]
    fn masked_text_never_contains_the_mobile(m in mobile(), before in "[电话：]{0,3}") {
        let masked = mask_text(&format!("{before}{m}"));
        prop_assert!(!masked.contains(&m), "{masked}");
    }
}
