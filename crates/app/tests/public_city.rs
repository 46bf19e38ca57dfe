//! The public profile of every subject of a generated city, checked against
//! the records it was made from (PRODUCT.md C5, C15; INTERCHANGE.md §4
//! `GET /api/v1/subjects/{uscc}/public`).
//!
//! The city of `xinyong-gen` ends on 2026-10-31; the profiles are asked for
//! on 2026-06-30, so the store holds records outside their display window,
//! inside it, dated after the day, withdrawn, repaired before the day and
//! repaired after it. Personal data is added to the generated files
//! (mobile and ID-card numbers inside public text fields, `person_id`s in
//! fields the catalogue does not have, phone numbers in some subject names)
//! so that masking is checked on data that is there.
//!
//! For every record of every subject the test decides *independently* —
//! from the catalogue (visibility, display rule), the contract's dates and
//! the `penalty-tier` / `abnormal-trace-clear` rules of PRODUCT.md §4,
//! re-derived here — whether it must be shown and until when, and checks the
//! profile both ways: nothing shown that must be hidden, nothing hidden that
//! must be shown. It does not call the disclosure functions it checks.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use jiff::civil::{Date, date};
use serde_json::{Map, Value};
use xinyong_app::{
    App, AppConfig, EvaluateRequest, FixedClock, ImportRequest, Principal, Role, RunControl,
};
use xinyong_core::catalog::{DisplayRule, ENVELOPE, RecordKind, Visibility};
use xinyong_core::time::{Period, add};
use xinyong_gen::{GenConfig, generate};
use xinyong_store::{NewObjection, Store, StoreConfig};

/// Subjects of the city (scenario subjects included).
const SUBJECTS: u64 = 3_000;
const SEED: u64 = 20_260_630;
/// The day of the requests (the city's history runs to 2026-10-31).
const TODAY: Date = date(2026, 6, 30);

/// The models whose results the public never sees (PRODUCT.md C5; the
/// model files give them `subject_and_gov` visibility).
const NON_PUBLIC_MODELS: [&str; 3] = ["anhui-class", "tianjin-risk", "xinyidai-eligibility"];

/// The subject fields of a public profile (INTERCHANGE.md §4).
const PUBLIC_SUBJECT_FIELDS: [&str; 6] =
    ["uscc", "name", "type", "status", "established_on", "region"];

// ---------------------------------------------------------------------------
// Reading and writing JSON Lines

fn read_jsonl(path: &Path) -> Vec<Map<String, Value>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| match serde_json::from_str(l).unwrap() {
            Value::Object(m) => m,
            other => panic!("not an object in {}: {other}", path.display()),
        })
        .collect()
}

fn write_jsonl(path: &Path, rows: &[Map<String, Value>]) {
    let mut text = String::new();
    for r in rows {
        text.push_str(&serde_json::to_string(r).unwrap());
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

fn text<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    body.get(name).and_then(Value::as_str)
}

fn day_of(body: &Map<String, Value>, name: &str) -> Option<Date> {
    text(body, name).map(|s| {
        s.parse()
            .unwrap_or_else(|e| panic!("{name} = {s:?} is not a date: {e}"))
    })
}

// ---------------------------------------------------------------------------
// Personal data added to the city

/// An 11-digit mainland mobile number (`1[3-9]` and 9 digits).
fn mobile(n: u64) -> String {
    format!("1{}{:09}", 3 + n % 7, (n * 7_919 + 104_729) % 1_000_000_000)
}

/// An 18-character resident ID number (GB 11643) with a valid check
/// character; every eleventh one ends in `X`.
fn resident_id(n: u64) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    // The sequence digits are moved on until the check character is the one wanted.
    for j in 0..1_000 {
        let first17 = format!(
            "210804{}{:02}{:02}{:03}",
            1950 + n % 50,
            1 + n % 12,
            1 + n % 28,
            (n + j) % 1_000
        );
        let sum: u32 = first17
            .bytes()
            .zip(WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        let check = CHECK[(sum % 11) as usize] as char;
        if n.is_multiple_of(11) == (check == 'X') {
            return format!("{first17}{check}");
        }
    }
    unreachable!("some sequence number gives each check character")
}

/// The catalogue text field of a public kind that personal data is added to
/// (fields no model reads as a code).
fn pd_field(kind: RecordKind) -> Option<&'static str> {
    match kind {
        RecordKind::Penalty => Some("facts"),
        RecordKind::License | RecordKind::Honor => Some("title"),
        RecordKind::Commitment => Some("matter"),
        RecordKind::Judgment => Some("case_no"),
        RecordKind::Inspection => Some("items"),
        RecordKind::BadConduct => Some("category"),
        _ => None,
    }
}

/// The personal data added to the city: the raw values, per subject.
#[derive(Default)]
struct Planted {
    /// Mobile and ID numbers written into records and subjects, by USCC.
    numbers: HashMap<String, Vec<String>>,
    /// `person_id` values of the subject and of its records, by USCC.
    person_ids: HashMap<String, Vec<String>>,
    /// `(source, id)` of the records with a number in a public text field.
    in_public_field: HashSet<(String, String)>,
    /// Records with a number in a field the catalogue does not have.
    in_extra_field: u64,
    /// Records with a `person_id` field of their own.
    record_person_ids: u64,
    /// Subjects with a number in their name.
    in_subject_name: u64,
}

/// Adds personal data to the generated rows (deterministically).
fn plant(subjects: &mut [Map<String, Value>], records: &mut [Map<String, Value>]) -> Planted {
    let mut p = Planted::default();
    let mut people: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for (i, s) in subjects.iter_mut().enumerate() {
        let uscc = text(s, "uscc").unwrap().to_owned();
        if let Some(Value::Array(ps)) = s.get("people") {
            for person in ps {
                let role = person["role"].as_str().unwrap_or_default().to_owned();
                let pid = person["person_id"].as_str().unwrap().to_owned();
                p.person_ids
                    .entry(uscc.clone())
                    .or_default()
                    .push(pid.clone());
                people.entry(uscc.clone()).or_default().push((role, pid));
            }
        }
        if i % 25 == 7 {
            let m = mobile(i as u64 + 900_000);
            let name = format!("{}（联系电话{m}）", text(s, "name").unwrap());
            s.insert("name".into(), Value::String(name));
            p.numbers.entry(uscc).or_default().push(m);
            p.in_subject_name += 1;
        }
    }
    let mut eligible = 0u64;
    for (i, r) in records.iter_mut().enumerate() {
        let uscc = text(r, "subject").unwrap().to_owned();
        let key = (
            text(r, "source").unwrap().to_owned(),
            text(r, "id").unwrap().to_owned(),
        );
        let kind = RecordKind::parse(text(r, "kind").unwrap()).unwrap();
        let numbers = p.numbers.entry(uscc.clone()).or_default();
        if let Some(field) = pd_field(kind) {
            eligible += 1;
            if eligible.is_multiple_of(3) {
                let n = eligible;
                let (m, id) = (mobile(n), resident_id(n));
                let added = match n % 4 {
                    0 => format!("（联系电话{m}）"),
                    1 => format!("（身份证号码{id}）"),
                    2 => format!("（经办人手机+86{m}，身份证{id}）"),
                    _ => format!("（联系人 {m} / {}）", id.to_lowercase()),
                };
                numbers.push(m);
                numbers.push(id.clone());
                numbers.push(id.to_lowercase());
                match r.get_mut(field) {
                    Some(Value::Array(items)) => items.push(Value::String(added)),
                    Some(Value::String(s)) => s.push_str(&added),
                    _ => {
                        let v = if field == "items" {
                            Value::Array(vec![Value::String(added)])
                        } else {
                            Value::String(added)
                        };
                        r.insert(field.into(), v);
                    }
                }
                p.in_public_field.insert(key.clone());
            }
        }
        // Fields beyond the catalogue are never public.
        if i % 7 == 3 {
            let m = mobile(i as u64 + 500_000);
            r.insert("contact_mobile".into(), Value::String(m.clone()));
            numbers.push(m);
            p.in_extra_field += 1;
        }
        // An entry about a person of the subject names the person.
        if let Some(role) = text(r, "person_role").map(str::to_owned) {
            let pid = people
                .get(&uscc)
                .and_then(|ps| ps.iter().find(|(r, _)| *r == role))
                .map(|(_, pid)| pid.clone())
                .unwrap_or_else(|| format!("P{:012X}", 0xABC0_0000_0000u64 + i as u64));
            r.insert("person_id".into(), Value::String(pid.clone()));
            p.person_ids.entry(uscc).or_default().push(pid);
            p.record_person_ids += 1;
        }
    }
    p
}

// ---------------------------------------------------------------------------
// Personal numbers in a text, found independently of the masking code

/// The mobile numbers and 18-character ID numbers (with a plausible birth
/// date) written out in `s`: maximal runs of ASCII digits.
fn personal_numbers(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        let is_mobile = |d: &str| {
            d.len() == 11 && d.starts_with('1') && (b'3'..=b'9').contains(&d.as_bytes()[1])
        };
        let id = if run.len() == 17 && matches!(chars.get(i), Some('X' | 'x')) {
            Some(format!("{run}X"))
        } else if run.len() == 18 {
            Some(run.clone())
        } else {
            None
        };
        if let Some(id) = id {
            let num = |a: usize, b: usize| id[a..b].parse::<u32>().unwrap();
            let plausible = (1800..=2099).contains(&num(6, 10))
                && (1..=12).contains(&num(10, 12))
                && (1..=31).contains(&num(12, 14));
            if plausible {
                found.push(id);
            }
        }
        if is_mobile(&run) || (run.len() == 13 && run.starts_with("86") && is_mobile(&run[2..])) {
            found.push(run);
        }
    }
    found
}

/// Every string of a JSON value (keys included), with its path.
fn strings<'a>(v: &'a Value, path: String, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::String(s) => out.push((path, s)),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                strings(x, format!("{path}[{i}]"), out);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                out.push((format!("{path}.<key>"), k));
                strings(x, format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

/// Whether `shown` is `source` with some characters replaced by `*` (the
/// masking keeps the length): strings character by character, arrays
/// element by element, numbers by value.
fn masked_from(shown: &Value, source: &Value) -> bool {
    match (shown, source) {
        (Value::String(a), Value::String(b)) => {
            a.chars().count() == b.chars().count()
                && a.chars().zip(b.chars()).all(|(x, y)| x == y || x == '*')
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| masked_from(x, y))
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (a, b) => a == b,
    }
}

// ---------------------------------------------------------------------------
// What the public must see of a record on TODAY, decided from the rules

/// Why a record must not be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Hidden {
    NotPublicKind,
    Withdrawn,
    Repaired,
    DatedAfterToday,
    OutsideWindow,
    ListEntryRemoved,
    TraceCleared,
}

#[derive(Debug, Clone, PartialEq)]
enum Expect {
    Hidden(Hidden),
    /// Must be shown, with one of these `display_until` values.
    Shown(Vec<Option<Date>>),
    /// The rules leave it to a manual decision (an abnormal-list entry with
    /// no recognised reason, or about a person): either is accepted.
    Either,
}

const SERIOUS_KEYWORDS: [&str; 5] = [
    "死亡",
    "损害人体健康",
    "扰乱破坏市场秩序",
    "国防相关",
    "情节严重",
];
/// The specific-serious domains configured in the built-in `penalty-tier`.
const SPECIFIC_SERIOUS_DOMAINS: [&str; 6] = [
    "food_drug",
    "environment",
    "construction",
    "production_safety",
    "fire_safety",
    "compulsory_certification",
];
const SEVERE_SANCTIONS: [&str; 3] = ["suspend_business", "revoke_permit", "revoke_license"];

/// The tier of a penalty by PRODUCT.md §4 `penalty-tier` P1–P7.
fn penalty_tier(b: &Map<String, Value>) -> String {
    let sanctions: Vec<&str> = b["sanctions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let has_keyword =
        |f: &str| text(b, f).is_some_and(|t| SERIOUS_KEYWORDS.iter().any(|k| t.contains(k)));
    if b.get("non_repairable") == Some(&Value::Bool(true)) {
        return "specific_serious".into();
    }
    if let Some(t) = text(b, "authority_tier") {
        return t.into();
    }
    if !sanctions.is_empty() && sanctions.iter().all(|s| *s == "warning") {
        return "general".into();
    }
    if sanctions.iter().any(|s| SEVERE_SANCTIONS.contains(s))
        && text(b, "domain").is_some_and(|d| SPECIFIC_SERIOUS_DOMAINS.contains(&d))
    {
        return "specific_serious".into();
    }
    if has_keyword("facts") || has_keyword("basis") {
        return "serious".into();
    }
    if let Some(bands) = b.get("basis_bands").filter(|v| !v.is_null()) {
        let fine = b.get("fine_cny").and_then(Value::as_f64);
        let within = |band: &str| {
            let r = bands.get(band).and_then(Value::as_array);
            match (fine, r) {
                (Some(f), Some(r)) if r.len() == 2 => {
                    r[0].as_f64().is_some_and(|lo| lo <= f)
                        && r[1].as_f64().is_some_and(|hi| f <= hi)
                }
                _ => false,
            }
        };
        return match (within("general"), within("serious")) {
            (false, true) => "serious",
            (true, false) => "general",
            _ => "manual_review",
        }
        .into();
    }
    "general".into()
}

/// The last day a penalty is shown: `add(date, max)`, the maximum of its
/// tier (`general` and `manual_review` 12 months, otherwise 36) lengthened
/// to `restriction_months` when that is longer.
fn penalty_display_until(b: &Map<String, Value>, tier: &str) -> Date {
    let band_max = if matches!(tier, "general" | "manual_review") {
        12
    } else {
        36
    };
    let restriction = b
        .get("restriction_months")
        .and_then(Value::as_i64)
        .unwrap_or(0) as i32;
    add(
        day_of(b, "date").unwrap(),
        Period::months(band_max.max(restriction)),
    )
}

/// The last day a removed `abnormal_operation` entry is shown (the day
/// before its trace is clearable: removal + 3 or 6 months), if the reason
/// gives one.
fn trace_last_day(b: &Map<String, Value>, removed: Date) -> Option<Date> {
    let months = match text(b, "reason") {
        Some("annual_report" | "not_disclosed") => 3,
        Some("false_disclosure" | "unreachable") => 6,
        _ => return None,
    };
    Some(add(removed, Period::months(months)))
}

fn expect(kind: RecordKind, b: &Map<String, Value>, t: Date) -> Expect {
    let spec = kind.spec();
    if spec.visibility != Visibility::Public {
        return Expect::Hidden(Hidden::NotPublicKind);
    }
    if b.get("withdrawn") == Some(&Value::Bool(true)) {
        return Expect::Hidden(Hidden::Withdrawn);
    }
    if day_of(b, "repaired_on").is_some_and(|r| r <= t) {
        return Expect::Hidden(Hidden::Repaired);
    }
    let d = day_of(b, "date").unwrap();
    if d > t {
        return Expect::Hidden(Hidden::DatedAfterToday);
    }
    let window = |last: Date| {
        if t <= last {
            Expect::Shown(vec![Some(last)])
        } else {
            Expect::Hidden(Hidden::OutsideWindow)
        }
    };
    match spec.display {
        DisplayRule::Permanent => Expect::Shown(vec![None]),
        DisplayRule::FixedYears { years } => window(add(d, Period::years(i32::from(years)))),
        DisplayRule::UntilValidTo { years } => {
            window(day_of(b, "valid_to").unwrap_or_else(|| add(d, Period::years(i32::from(years)))))
        }
        DisplayRule::PenaltyTier => window(penalty_display_until(b, &penalty_tier(b))),
        DisplayRule::WhileCurrent => {
            let listed = day_of(b, "listed_on").unwrap_or(d);
            if listed > t {
                return Expect::Hidden(Hidden::DatedAfterToday);
            }
            let abnormal = text(b, "list") == Some("abnormal_operation");
            let about_a_person = b.get("person_role").is_some_and(|v| !v.is_null());
            match day_of(b, "removed_on") {
                None => Expect::Shown(vec![None]),
                // Current; the last day is the day before the removal, or
                // for an abnormal entry the end of its trace (not known to
                // the trace model before the removal: null accepted).
                Some(removed) if removed > t => {
                    if abnormal {
                        let mut until = vec![None];
                        if let Some(last) = trace_last_day(b, removed) {
                            until.push(Some(last));
                        }
                        Expect::Shown(until)
                    } else {
                        Expect::Shown(vec![Some(add(removed, Period::days(-1)))])
                    }
                }
                Some(_) if !abnormal => Expect::Hidden(Hidden::ListEntryRemoved),
                Some(removed) => match trace_last_day(b, removed) {
                    _ if about_a_person => Expect::Either,
                    None => Expect::Either,
                    Some(last) if t <= last => Expect::Shown(vec![Some(last)]),
                    Some(_) => Expect::Hidden(Hidden::TraceCleared),
                },
            }
        }
    }
}

/// The public list memberships a subject must have on `t`: current entries
/// about the subject itself that count.
fn expected_lists(records: &[&Map<String, Value>], t: Date) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = records
        .iter()
        .filter(|b| text(b, "kind") == Some("list_entry"))
        .filter(|b| b.get("person_role").is_none_or(Value::is_null))
        .filter(|b| b.get("withdrawn") != Some(&Value::Bool(true)))
        .filter(|b| day_of(b, "repaired_on").is_none_or(|r| r > t))
        .filter_map(|b| {
            let listed = day_of(b, "listed_on").or_else(|| day_of(b, "date"))?;
            let current = listed <= t && day_of(b, "removed_on").is_none_or(|r| r > t);
            current.then(|| (text(b, "list").unwrap().to_owned(), listed.to_string()))
        })
        .collect();
    out.sort();
    out
}

// ---------------------------------------------------------------------------
// The test

fn request(files: Vec<PathBuf>) -> ImportRequest {
    ImportRequest {
        files,
        actor: "public-city-test".into(),
        channel: "test".into(),
        chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
        progress: None,
        reevaluate: true,
    }
}

fn admin() -> Principal {
    Principal {
        account_id: Some(1),
        username: "admin".into(),
        role: Role::Admin,
        uscc: None,
        department: None,
    }
}

#[derive(Default)]
struct Tally {
    subjects: u64,
    records: u64,
    shown: u64,
    shown_by_kind: BTreeMap<&'static str, u64>,
    hidden: BTreeMap<Hidden, u64>,
    hidden_by_kind: BTreeMap<(Hidden, &'static str), u64>,
    either: u64,
    either_shown: u64,
    shown_until_null: u64,
    shown_repaired_later: u64,
    shown_with_numbers: u64,
    disputed: u64,
    lists: u64,
    results: BTreeMap<String, u64>,
    reasons_withheld: BTreeMap<String, u64>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_public_profile_of_a_generated_city_follows_the_disclosure_rules() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let city = dir.path().join("city");
    let summary = generate(&GenConfig::new(SUBJECTS, SEED), &city, &|_| {}).unwrap();
    let mut subjects = read_jsonl(&city.join("subjects.jsonl"));
    let mut records = read_jsonl(&city.join("records.jsonl"));
    assert_eq!(subjects.len() as u64, summary.subjects);
    assert_eq!(records.len() as u64, summary.records);
    let planted = plant(&mut subjects, &mut records);
    // The scan of the profiles below finds every number planted (it would
    // see one left unmasked).
    for r in &records {
        let key = (text(r, "source").unwrap(), text(r, "id").unwrap());
        if !planted
            .in_public_field
            .contains(&(key.0.to_owned(), key.1.to_owned()))
        {
            continue;
        }
        let field = pd_field(RecordKind::parse(text(r, "kind").unwrap()).unwrap()).unwrap();
        let mut found = Vec::new();
        strings(&r[field], String::new(), &mut found);
        let numbers: Vec<String> = found
            .iter()
            .flat_map(|(_, s)| personal_numbers(s))
            .collect();
        assert!(
            !numbers.is_empty(),
            "{key:?}: planted number not found in {}",
            r[field]
        );
        assert!(
            numbers
                .iter()
                .all(|n| planted.numbers[text(r, "subject").unwrap()]
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case(n) || n.ends_with(p.as_str()))),
            "{key:?}: {numbers:?}"
        );
    }
    let subjects_file = dir.path().join("subjects.jsonl");
    let records_file = dir.path().join("records.jsonl");
    write_jsonl(&subjects_file, &subjects);
    write_jsonl(&records_file, &records);

    let cfg = AppConfig {
        data_dir: dir.path().join("data"),
        database_url: None,
    };
    let app = App::open(&cfg, Arc::new(FixedClock::on(TODAY)))
        .await
        .unwrap();
    let out = app
        .import_files(request(vec![subjects_file, records_file]))
        .await
        .unwrap();
    assert_eq!(out.report.counts.rejected, 0);
    assert_eq!(
        out.report.counts.accepted,
        summary.subjects + summary.records
    );
    let run = app
        .evaluate_all(
            &EvaluateRequest {
                trigger: "public_city test".into(),
                ..EvaluateRequest::default()
            },
            &RunControl::default(),
        )
        .await
        .unwrap();
    assert_eq!(run.manifest.subjects, summary.subjects);
    let loaded = started.elapsed();

    // Models: which are public, by the installed model files.
    let models = app.installed_models(&admin()).await.unwrap();
    let public_models: BTreeSet<String> = models
        .iter()
        .filter(|m| m.visibility == "public")
        .map(|m| m.id.clone())
        .collect();
    for id in NON_PUBLIC_MODELS {
        assert!(
            models.iter().any(|m| m.id == id),
            "{id} is installed (the check below is not vacuous)"
        );
        assert!(
            !public_models.contains(id),
            "{id} must not be a public model"
        );
    }

    // What each record must be on TODAY, by subject.
    let mut by_subject: BTreeMap<&str, Vec<&Map<String, Value>>> = BTreeMap::new();
    for r in &records {
        by_subject
            .entry(text(r, "subject").unwrap())
            .or_default()
            .push(r);
    }
    let expectation = |r: &Map<String, Value>| {
        expect(
            RecordKind::parse(text(r, "kind").unwrap()).unwrap(),
            r,
            TODAY,
        )
    };

    // Open objections on some records that must be shown (they are then
    // flagged) and on some that must not (they stay hidden).
    let store = Store::open(&StoreConfig::sqlite(dir.path().join("data")))
        .await
        .unwrap();
    let mut objected: HashSet<(String, String)> = HashSet::new();
    let mut shown_seen = 0u64;
    let mut hidden_objected: HashSet<Hidden> = HashSet::new();
    for r in &records {
        let e = expectation(r);
        let pick = match e {
            Expect::Shown(_) => {
                shown_seen += 1;
                shown_seen.is_multiple_of(211)
            }
            // One of each: they stay hidden.
            Expect::Hidden(h @ (Hidden::Withdrawn | Hidden::Repaired | Hidden::OutsideWindow)) => {
                hidden_objected.insert(h)
            }
            _ => false,
        };
        if pick {
            let key = (
                text(r, "source").unwrap().to_owned(),
                text(r, "id").unwrap().to_owned(),
            );
            store
                .file_objection(&NewObjection {
                    source: key.0.clone(),
                    record_id: key.1.clone(),
                    uscc: text(r, "subject").unwrap().to_owned(),
                    grounds: "error".into(),
                    statement: "内容有误".into(),
                    filed_by: "public".into(),
                })
                .await
                .unwrap();
            objected.insert(key);
        }
    }
    assert!(objected.len() > 5, "objections filed: {}", objected.len());
    assert_eq!(hidden_objected.len(), 3, "{hidden_objected:?}");

    let mut failures: Vec<String> = Vec::new();
    let mut fail = |msg: String| {
        if failures.len() < 200 {
            failures.push(msg);
        }
    };
    let mut tally = Tally::default();
    let empty = Vec::new();
    for s in &subjects {
        let uscc = text(s, "uscc").unwrap();
        tally.subjects += 1;
        let profile = app.public_profile(uscc).await.unwrap();
        let own = by_subject.get(uscc).unwrap_or(&empty);
        let profile_json = serde_json::to_value(&profile).unwrap();
        let profile_text = serde_json::to_string(&profile).unwrap();

        // The subject part: the public fields only, as registered (masked).
        for (k, v) in &profile.subject {
            if !PUBLIC_SUBJECT_FIELDS.contains(&k.as_str()) {
                fail(format!("{uscc}: subject field {k} is not public"));
            } else if !s.get(k).is_some_and(|src| masked_from(v, src)) {
                fail(format!(
                    "{uscc}: subject.{k} = {v} differs from {:?}",
                    s.get(k)
                ));
            }
        }
        for k in PUBLIC_SUBJECT_FIELDS {
            if s.get(k).is_some_and(|v| !v.is_null()) && !profile.subject.contains_key(k) {
                fail(format!("{uscc}: subject.{k} missing"));
            }
        }

        // Records: every line is a record of the subject that must be shown.
        let by_key: HashMap<(&str, &str), &Map<String, Value>> = own
            .iter()
            .map(|r| ((text(r, "source").unwrap(), text(r, "id").unwrap()), *r))
            .collect();
        let mut shown: HashSet<(String, String)> = HashSet::new();
        let mut shown_ids: HashMap<String, &Map<String, Value>> = HashMap::new();
        for line in &profile.records {
            let (Some(source), Some(id)) = (text(line, "source"), text(line, "id")) else {
                fail(format!(
                    "{uscc}: a record line without source and id: {line:?}"
                ));
                continue;
            };
            let what = format!("{uscc} record {source}/{id}");
            if !shown.insert((source.to_owned(), id.to_owned())) {
                fail(format!("{what}: shown twice"));
            }
            let Some(src) = by_key.get(&(source, id)) else {
                fail(format!("{what}: not a record of this subject"));
                continue;
            };
            shown_ids.insert(id.to_owned(), src);
            let kind = RecordKind::parse(text(src, "kind").unwrap()).unwrap();
            tally.shown += 1;
            *tally.shown_by_kind.entry(kind.as_str()).or_default() += 1;
            if planted
                .in_public_field
                .contains(&(source.to_owned(), id.to_owned()))
            {
                tally.shown_with_numbers += 1;
            }
            let display_until = match line.get("display_until") {
                Some(Value::Null) => None,
                Some(Value::String(d)) => Some(d.parse::<Date>().unwrap()),
                other => {
                    fail(format!("{what}: display_until = {other:?}"));
                    continue;
                }
            };
            if let Some(until) = display_until
                && until < TODAY
            {
                fail(format!("{what}: display_until {until} is before {TODAY}"));
            }
            match expectation(src) {
                Expect::Hidden(why) => fail(format!(
                    "{what} ({kind}, {}) is shown but must be hidden: {why:?}",
                    text(src, "date").unwrap()
                )),
                Expect::Shown(allowed) => {
                    if !allowed.contains(&display_until) {
                        fail(format!(
                            "{what} ({kind}, {}): display_until {display_until:?}, expected one of {allowed:?}",
                            text(src, "date").unwrap()
                        ));
                    }
                    if display_until.is_none() {
                        tally.shown_until_null += 1;
                    }
                }
                Expect::Either => tally.either_shown += 1,
            }
            if day_of(src, "repaired_on").is_some_and(|r| r > TODAY) {
                tally.shown_repaired_later += 1;
            }
            // Penalties: the window is one of the periods of PRODUCT.md §4.
            if kind == RecordKind::Penalty {
                let d = day_of(src, "date").unwrap();
                let restriction = src.get("restriction_months").and_then(Value::as_i64);
                let mut periods = vec![add(d, Period::years(1)), add(d, Period::years(3))];
                if let Some(m) = restriction {
                    periods.push(add(d, Period::months(m as i32)));
                }
                if !display_until.is_some_and(|u| periods.contains(&u)) {
                    fail(format!(
                        "{what}: penalty display_until {display_until:?} is not date + 1 year, 3 years or the restriction"
                    ));
                }
            }
            // The disputed flag follows the open objections.
            let disputed = objected.contains(&(source.to_owned(), id.to_owned()));
            if line.get("disputed") != Some(&Value::Bool(disputed)) {
                fail(format!(
                    "{what}: disputed = {:?}, expected {disputed}",
                    line.get("disputed")
                ));
            }
            if disputed {
                tally.disputed += 1;
            }
            // Fields: the envelope (without withdrawn / repaired_on) and the
            // kind's catalogue fields, each as the source sent it, masked.
            let catalogue: Vec<&str> = ENVELOPE
                .iter()
                .chain(kind.spec().fields)
                .map(|f| f.name)
                .filter(|n| !["withdrawn", "repaired_on"].contains(n))
                .collect();
            for (k, v) in line {
                if k == "display_until" || k == "disputed" {
                    continue;
                }
                if !catalogue.contains(&k.as_str()) {
                    fail(format!("{what}: field {k} is not a public field"));
                } else if !src.get(k).is_some_and(|s| masked_from(v, s)) {
                    fail(format!(
                        "{what}: {k} = {v} is not the source's {:?}",
                        src.get(k)
                    ));
                }
            }
            for k in &catalogue {
                if src.get(*k).is_some_and(|v| !v.is_null()) && !line.contains_key(*k) {
                    fail(format!("{what}: public field {k} missing"));
                }
            }
        }

        // Conversely: every record that must be shown is shown.
        for r in own {
            let key = (
                text(r, "source").unwrap().to_owned(),
                text(r, "id").unwrap().to_owned(),
            );
            let kind = RecordKind::parse(text(r, "kind").unwrap()).unwrap();
            tally.records += 1;
            match expectation(r) {
                Expect::Shown(_) if !shown.contains(&key) => fail(format!(
                    "{uscc} record {}/{} ({kind}, {}) must be shown and is not",
                    key.0,
                    key.1,
                    text(r, "date").unwrap()
                )),
                Expect::Hidden(why) => {
                    *tally.hidden.entry(why).or_default() += 1;
                    *tally
                        .hidden_by_kind
                        .entry((why, kind.as_str()))
                        .or_default() += 1;
                }
                Expect::Either => tally.either += 1,
                Expect::Shown(_) => {}
            }
        }

        // Lists: the current memberships of the subject itself.
        let mut lists: Vec<(String, String)> = profile
            .lists
            .iter()
            .map(|m| {
                (
                    text(m, "list").unwrap_or_default().to_owned(),
                    text(m, "listed_on").unwrap_or_default().to_owned(),
                )
            })
            .collect();
        lists.sort();
        let want = expected_lists(own, TODAY);
        if lists != want {
            fail(format!("{uscc}: lists {lists:?}, expected {want:?}"));
        }
        tally.lists += lists.len() as u64;

        // Results: public models only; record lines only of shown records.
        for line in &profile.results {
            let model = line["model"].as_str().unwrap_or_default();
            *tally.results.entry(model.to_owned()).or_default() += 1;
            if NON_PUBLIC_MODELS.contains(&model) || !public_models.contains(model) {
                fail(format!(
                    "{uscc}: result of non-public model {model}: {line}"
                ));
            }
            if line["subject"] != uscc {
                fail(format!("{uscc}: result line of another subject: {line}"));
            }
            if let Some(record) = line.get("record").and_then(Value::as_str) {
                match shown_ids.get(record) {
                    None => fail(format!(
                        "{uscc}: result {model} of record {record}, which is not shown"
                    )),
                    Some(src) if model == "penalty-tier" => {
                        let tier = penalty_tier(src);
                        let until = penalty_display_until(src, &tier).to_string();
                        if line["tier"] != tier.as_str() || line["display_until"] != until.as_str()
                        {
                            fail(format!(
                                "{uscc} record {record}: penalty-tier says {} until {}, expected {tier} until {until}",
                                line["tier"], line["display_until"]
                            ));
                        }
                    }
                    Some(_) => {}
                }
            }
            // A public result's reasons cite only records the public profile
            // shows (the others are withheld and counted, never disclosed).
            if let Some(reasons) = line.get("reasons").and_then(Value::as_array) {
                for id in reasons
                    .iter()
                    .filter_map(|r| r.get("records").and_then(Value::as_array))
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if !shown_ids.contains_key(id) {
                        fail(format!(
                            "{uscc}: public result {model} cites record {id}, not shown publicly"
                        ));
                    }
                }
            }
            if let Some(n) = line.get("withheld_reasons").and_then(Value::as_u64) {
                *tally.reasons_withheld.entry(model.to_owned()).or_default() += n;
            }
        }
        // Every shown penalty has its penalty-tier line.
        for (id, src) in &shown_ids {
            if text(src, "kind") == Some("penalty")
                && !profile
                    .results
                    .iter()
                    .any(|l| l["model"] == "penalty-tier" && l["record"] == id.as_str())
            {
                fail(format!(
                    "{uscc} record {id}: shown penalty without its penalty-tier line"
                ));
            }
        }

        // Masking: no mobile or ID number anywhere in the profile, none of
        // the numbers added to this subject's data, no person_id.
        let mut all = Vec::new();
        strings(&profile_json, String::new(), &mut all);
        for (path, s) in all {
            let found = personal_numbers(s);
            if !found.is_empty() {
                fail(format!("{uscc}: personal number(s) {found:?} at {path}"));
            }
        }
        for n in planted.numbers.get(uscc).into_iter().flatten() {
            if profile_text.contains(n.as_str()) {
                fail(format!("{uscc}: the profile shows the personal number {n}"));
            }
        }
        for pid in planted.person_ids.get(uscc).into_iter().flatten() {
            if profile_text.contains(pid.as_str()) {
                fail(format!("{uscc}: the profile shows person_id {pid}"));
            }
        }
    }
    let checked = started.elapsed();

    // The city exercised every case (the checks above are not vacuous).
    let hidden = |h: Hidden| tally.hidden.get(&h).copied().unwrap_or(0);
    let report = format!(
        "subjects {}, records {}, shown {} {:?}, hidden {:?}, either {} (shown {}), \
         shown with display_until null {}, shown and repaired after today {}, \
         shown with planted numbers {} of {}, planted: {} subject names, {} extra fields, \
         {} record person_ids, {} subjects with person_ids; disputed {}, lists {}, results {:?}; \
         reasons withheld from public results {:?}; hidden by kind {:?}; \
         generate+import+evaluate {:?}, profiles {:?}",
        tally.subjects,
        tally.records,
        tally.shown,
        tally.shown_by_kind,
        tally.hidden,
        tally.either,
        tally.either_shown,
        tally.shown_until_null,
        tally.shown_repaired_later,
        tally.shown_with_numbers,
        planted.in_public_field.len(),
        planted.in_subject_name,
        planted.in_extra_field,
        planted.record_person_ids,
        planted.person_ids.len(),
        tally.disputed,
        tally.lists,
        tally.results,
        tally.reasons_withheld,
        tally.hidden_by_kind,
        loaded,
        checked - loaded,
    );
    println!("{report}");
    assert!(
        failures.is_empty(),
        "{} failure(s), first ones:\n{}\n\n{report}",
        failures.len(),
        failures.join("\n")
    );

    // The composite grade rests partly on records the public may not see
    // (tax ratings, arrears): those reasons were withheld, not shown.
    assert!(
        tally
            .reasons_withheld
            .get("yingkou-composite")
            .copied()
            .unwrap_or(0)
            > 0,
        "no reason was withheld: the check of cited records is vacuous\n{report}"
    );
    for h in [
        Hidden::NotPublicKind,
        Hidden::Withdrawn,
        Hidden::Repaired,
        Hidden::DatedAfterToday,
        Hidden::OutsideWindow,
        Hidden::ListEntryRemoved,
        Hidden::TraceCleared,
    ] {
        assert!(hidden(h) > 0, "no record hidden as {h:?}: {report}");
    }
    for kind in [
        "penalty",
        "license",
        "list_entry",
        "annual_report",
        "commitment",
        "inspection",
    ] {
        assert!(
            tally.shown_by_kind.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} shown: {report}"
        );
    }
    assert!(
        tally.shown_until_null > 0 && tally.shown_repaired_later > 0,
        "{report}"
    );
    assert!(
        tally.shown_with_numbers > 0,
        "no shown record carries a planted number: {report}"
    );
    assert!(
        planted.in_subject_name > 0 && planted.in_extra_field > 0,
        "{report}"
    );
    assert!(
        planted.record_person_ids > 0 && !planted.person_ids.is_empty(),
        "{report}"
    );
    assert!(tally.disputed > 0 && tally.lists > 0, "{report}");
    for m in ["penalty-tier", "yingkou-composite"] {
        assert!(
            tally.results.get(m).copied().unwrap_or(0) > 0,
            "no {m} result: {report}"
        );
    }
}
