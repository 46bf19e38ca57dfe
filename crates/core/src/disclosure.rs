//! Disclosure (PRODUCT.md C5, C15): what a record's status is on a day, what
//! the public may see of it, and the masking of personal data.
//!
//! Pure functions over plain data: the caller (the application layer) reads
//! the records and the results of the `penalty-tier` and
//! `abnormal-trace-clear` models and passes them in as [`DisclosureFacts`].
//! Nothing here guesses a model's answer: a penalty without its
//! `penalty-tier` line is not shown publicly.
//!
//! # Status of a record on day `T` (full profile)
//!
//! [`record_status`] gives one of the five statuses of the
//! `GET /api/v1/subjects/{uscc}` contract. When several apply, the first of
//! this order wins:
//!
//! 1. `withdrawn`: the source withdrew or annulled the record;
//! 2. `repaired`: a repair was approved on or before `T` (`repaired_on ≤ T`);
//! 3. `disputed`: an objection is open;
//! 4. `outside_display_window`: `T` is not inside the record's display
//!    window — including a record dated after `T` (not yet in force; the
//!    contract has no status of its own for it), a penalty whose
//!    `penalty-tier` line is missing or not `visible`, and a record whose
//!    dates cannot be read;
//! 5. `counting`: otherwise.
//!
//! The display window of the full profile does not depend on the kind's
//! visibility: a `tax_rating` (subject and government only) is still
//! `outside_display_window` after its three years.
//!
//! # Public view on day `T`
//!
//! [`public_window`] shows a record when, checked in this order (the first
//! failing check is the [`HiddenReason`]): its kind is of `public`
//! visibility; its envelope dates can be read; it is not withdrawn; it is
//! not repaired (`repaired_on ≤ T`); `date ≤ T`; and `T` is inside its
//! display window ([`DisplayRule`]):
//!
//! * `PenaltyTier`: the `penalty-tier` line of that record: shown while it
//!   is `visible` and `T ≤ display_until`;
//! * `WhileCurrent`: a list entry is shown while current (`listed_on ≤ T`
//!   and `removed_on` absent or after `T`); once removed, an
//!   `abnormal_operation` entry stays shown while `T < clearable_from` of
//!   `abnormal-trace-clear` (hidden without that line), other lists are
//!   hidden;
//! * `UntilValidTo { years }`: while `T ≤ valid_to`, or without `valid_to`
//!   while `T ≤ add(date, years)`;
//! * `FixedYears { years }`: while `T ≤ add(date, years)` (Civil Code:
//!   `2020-02-29 + 1 year = 2021-02-28`);
//! * `Permanent`: always, with no `display_until`.
//!
//! A disputed record is shown, flagged (异议处理中).
//!
//! What of a shown record the public sees is [`public_fields`] (the
//! envelope without `withdrawn`/`repaired_on`, and the kind's catalogue
//! fields; never extra fields), masked; [`public_record`] adds
//! `display_until` and `disputed` as the contract's public line;
//! [`public_list_membership`] and [`public_subject`] give the `lists` and
//! `subject` parts of the public profile.
//!
//! # Personal data
//!
//! [`mask_personal`] masks, in place, personal data in a record or subject
//! body: `person_id` values entirely; resident ID numbers, mobile and
//! landline numbers inside text. Government roles see the data unmasked
//! ([`Role::masks_personal_data`]).

use serde::Serialize;
use serde_json::{Map, Value};

use crate::Date;
use crate::catalog::{DisplayRule, ENVELOPE, RecordKind, Visibility};
use crate::time::{Period, add, parse_date};
use crate::uscc::Uscc;

// ---------------------------------------------------------------------------
// Roles

/// The role of a request (PRODUCT.md §1), shared by the application and
/// HTTP layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Anyone, no login.
    Public,
    /// An account bound to one USCC.
    Enterprise,
    /// A clerk of one data-providing department.
    Department,
    /// An approval or inspection officer.
    Officer,
    /// A partner financial institution.
    Bank,
    /// The credit office.
    Admin,
    /// Oversight (纪检): reads everything, changes nothing.
    Auditor,
}

impl Role {
    /// Every role, in the order of PRODUCT.md §1.
    pub const ALL: [Role; 7] = [
        Role::Public,
        Role::Enterprise,
        Role::Department,
        Role::Officer,
        Role::Bank,
        Role::Admin,
        Role::Auditor,
    ];

    /// The role's code as the contract spells it (`"public"`, `"enterprise"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Public => "public",
            Role::Enterprise => "enterprise",
            Role::Department => "department",
            Role::Officer => "officer",
            Role::Bank => "bank",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }

    /// The role of a code; exact, lower-case spelling only.
    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == code)
    }

    /// Government roles: department, officer, admin, auditor.
    pub fn is_government(self) -> bool {
        matches!(
            self,
            Role::Department | Role::Officer | Role::Admin | Role::Auditor
        )
    }

    /// Whether personal data is masked for this role (PRODUCT.md C15:
    /// masked outside government roles).
    pub fn masks_personal_data(self) -> bool {
        !self.is_government()
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether personal data is masked for `role` (see [`Role::masks_personal_data`]).
pub fn masks_personal_data(role: Role) -> bool {
    role.masks_personal_data()
}

// ---------------------------------------------------------------------------
// Facts from the models

/// The `penalty-tier` line of one penalty record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PenaltyFacts {
    /// `general`, `serious`, `specific_serious` or `manual_review`; carried
    /// for the page (the window comes from `display_until` and `visible`).
    pub tier: String,
    /// The last day the penalty is shown.
    pub display_until: Date,
    /// `date ≤ T ≤ display_until` and the record counts, as the model says.
    pub visible: bool,
}

/// The `abnormal-trace-clear` line of one removed `abnormal_operation` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceFacts {
    /// The first day the trace may be cleared (and is no longer shown).
    pub clearable_from: Date,
    /// `T ≥ clearable_from`, as the model says.
    pub clearable: bool,
}

/// What the caller knows about one record besides its body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisclosureFacts {
    /// The `penalty-tier` line (penalties only).
    pub penalty: Option<PenaltyFacts>,
    /// The `abnormal-trace-clear` line (removed `abnormal_operation` entries only).
    pub trace: Option<TraceFacts>,
    /// An objection against the record is open.
    pub disputed: bool,
}

// ---------------------------------------------------------------------------
// Decisions

/// Status of a record in the full profile (INTERCHANGE.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    Counting,
    Withdrawn,
    Repaired,
    Disputed,
    OutsideDisplayWindow,
}

impl RecordStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Counting => "counting",
            RecordStatus::Withdrawn => "withdrawn",
            RecordStatus::Repaired => "repaired",
            RecordStatus::Disputed => "disputed",
            RecordStatus::OutsideDisplayWindow => "outside_display_window",
        }
    }

    /// Chinese label for pages and reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            RecordStatus::Counting => "有效",
            RecordStatus::Withdrawn => "已撤销",
            RecordStatus::Repaired => "已修复",
            RecordStatus::Disputed => "异议处理中",
            RecordStatus::OutsideDisplayWindow => "不在公示期内",
        }
    }
}

/// Why a record is not shown publicly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HiddenReason {
    /// The kind's visibility is not `public`.
    NotPublicKind,
    /// A date of the record (`date`, `repaired_on`, `valid_to`, `listed_on`,
    /// `removed_on`) is missing where required or cannot be read.
    InvalidRecord,
    /// The source withdrew the record.
    Withdrawn,
    /// A repair was approved on or before the day.
    Repaired,
    /// The record's date (or `listed_on`) is after the day.
    BeforeDate,
    /// A penalty without its `penalty-tier` line.
    NoPenaltyTier,
    /// `penalty-tier` says the penalty is not visible on the day.
    PenaltyNotVisible,
    /// The day is after the last day of the display window.
    OutsideWindow,
    /// A list entry (other than `abnormal_operation`) removed on or before the day.
    ListEntryNotCurrent,
    /// A removed `abnormal_operation` entry without its `abnormal-trace-clear` line.
    NoTraceFacts,
    /// A removed `abnormal_operation` entry whose trace is clearable.
    TraceCleared,
}

impl HiddenReason {
    pub fn as_str(self) -> &'static str {
        match self {
            HiddenReason::NotPublicKind => "not_public_kind",
            HiddenReason::InvalidRecord => "invalid_record",
            HiddenReason::Withdrawn => "withdrawn",
            HiddenReason::Repaired => "repaired",
            HiddenReason::BeforeDate => "before_date",
            HiddenReason::NoPenaltyTier => "no_penalty_tier",
            HiddenReason::PenaltyNotVisible => "penalty_not_visible",
            HiddenReason::OutsideWindow => "outside_window",
            HiddenReason::ListEntryNotCurrent => "list_entry_not_current",
            HiddenReason::NoTraceFacts => "no_trace_facts",
            HiddenReason::TraceCleared => "trace_cleared",
        }
    }
}

/// Whether and until when the public sees a record on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum PublicDecision {
    /// Shown; `display_until` is the last day it will be shown when known
    /// (`None`: permanent, or a list entry with no removal date yet).
    /// `disputed` asks for the 异议处理中 mark.
    Shown {
        display_until: Option<Date>,
        disputed: bool,
    },
    /// Not shown, and why.
    Hidden { reason: HiddenReason },
}

impl PublicDecision {
    pub fn is_shown(&self) -> bool {
        matches!(self, PublicDecision::Shown { .. })
    }
}

/// The mark shown next to a disputed record.
pub const DISPUTED_MARK_ZH: &str = "异议处理中";

// ---------------------------------------------------------------------------
// Windows

/// A date field of a body: `Ok(None)` when absent or `null`.
fn date_field(body: &Map<String, Value>, name: &str) -> Result<Option<Date>, HiddenReason> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => parse_date(s)
            .map(Some)
            .map_err(|_| HiddenReason::InvalidRecord),
        Some(_) => Err(HiddenReason::InvalidRecord),
    }
}

fn is_withdrawn(body: &Map<String, Value>) -> bool {
    matches!(body.get("withdrawn"), Some(Value::Bool(true)))
}

fn day_before(d: Date) -> Date {
    add(d, Period::days(-1))
}

/// `Ok(Some(until))` when `as_of ≤ until`.
fn until(as_of: Date, last_day: Date) -> Result<Option<Date>, HiddenReason> {
    if as_of <= last_day {
        Ok(Some(last_day))
    } else {
        Err(HiddenReason::OutsideWindow)
    }
}

/// Whether `as_of` is inside the record's display window (visibility,
/// withdrawal and repair aside); `Ok` carries the last day shown.
fn display_window(
    kind: RecordKind,
    body: &Map<String, Value>,
    as_of: Date,
    facts: &DisclosureFacts,
) -> Result<Option<Date>, HiddenReason> {
    let date = date_field(body, "date")?.ok_or(HiddenReason::InvalidRecord)?;
    if date > as_of {
        return Err(HiddenReason::BeforeDate);
    }
    match kind.spec().display {
        DisplayRule::PenaltyTier => {
            let p = facts.penalty.as_ref().ok_or(HiddenReason::NoPenaltyTier)?;
            let shown = until(as_of, p.display_until)?;
            if p.visible {
                Ok(shown)
            } else {
                Err(HiddenReason::PenaltyNotVisible)
            }
        }
        DisplayRule::WhileCurrent => list_entry_window(body, date, as_of, facts),
        DisplayRule::UntilValidTo { years } => {
            let last = match date_field(body, "valid_to")? {
                Some(valid_to) => valid_to,
                None => add(date, Period::years(i32::from(years))),
            };
            until(as_of, last)
        }
        DisplayRule::FixedYears { years } => {
            until(as_of, add(date, Period::years(i32::from(years))))
        }
        DisplayRule::Permanent => Ok(None),
    }
}

/// The window of a list entry (PRODUCT.md §3 "current", `abnormal-trace-clear`).
fn list_entry_window(
    body: &Map<String, Value>,
    date: Date,
    as_of: Date,
    facts: &DisclosureFacts,
) -> Result<Option<Date>, HiddenReason> {
    let listed_on = date_field(body, "listed_on")?.unwrap_or(date);
    if listed_on > as_of {
        return Err(HiddenReason::BeforeDate);
    }
    let abnormal = body.get("list").and_then(Value::as_str) == Some("abnormal_operation");
    match date_field(body, "removed_on")? {
        None => Ok(None),
        // Current, removal announced: the last day shown is known for other
        // lists; for an abnormal entry it is the day before the trace is
        // clearable, when the model already says so.
        Some(removed) if removed > as_of => Ok(if abnormal {
            facts.trace.map(|t| day_before(t.clearable_from))
        } else {
            Some(day_before(removed))
        }),
        Some(_) if !abnormal => Err(HiddenReason::ListEntryNotCurrent),
        Some(_) => {
            let trace = facts.trace.ok_or(HiddenReason::NoTraceFacts)?;
            if trace.clearable || as_of >= trace.clearable_from {
                Err(HiddenReason::TraceCleared)
            } else {
                Ok(Some(day_before(trace.clearable_from)))
            }
        }
    }
}

/// The status of a record on day `as_of` for the full profile; the order of
/// precedence is in the module documentation.
pub fn record_status(
    kind: RecordKind,
    body: &Map<String, Value>,
    as_of: Date,
    facts: &DisclosureFacts,
) -> RecordStatus {
    if is_withdrawn(body) {
        return RecordStatus::Withdrawn;
    }
    if date_field(body, "repaired_on")
        .ok()
        .flatten()
        .is_some_and(|r| r <= as_of)
    {
        return RecordStatus::Repaired;
    }
    if facts.disputed {
        return RecordStatus::Disputed;
    }
    match display_window(kind, body, as_of, facts) {
        Ok(_) => RecordStatus::Counting,
        Err(_) => RecordStatus::OutsideDisplayWindow,
    }
}

/// Whether the public sees the record on day `as_of`, and until when (rules
/// in the module documentation).
pub fn public_window(
    kind: RecordKind,
    body: &Map<String, Value>,
    as_of: Date,
    facts: &DisclosureFacts,
) -> PublicDecision {
    match public_window_checks(kind, body, as_of, facts) {
        Ok(display_until) => PublicDecision::Shown {
            display_until,
            disputed: facts.disputed,
        },
        Err(reason) => PublicDecision::Hidden { reason },
    }
}

fn public_window_checks(
    kind: RecordKind,
    body: &Map<String, Value>,
    as_of: Date,
    facts: &DisclosureFacts,
) -> Result<Option<Date>, HiddenReason> {
    if kind.spec().visibility != Visibility::Public {
        return Err(HiddenReason::NotPublicKind);
    }
    let repaired_on = date_field(body, "repaired_on")?;
    if is_withdrawn(body) {
        return Err(HiddenReason::Withdrawn);
    }
    if repaired_on.is_some_and(|r| r <= as_of) {
        return Err(HiddenReason::Repaired);
    }
    display_window(kind, body, as_of, facts)
}

// ---------------------------------------------------------------------------
// Public fields

/// Envelope fields never shown publicly: a withdrawn or repaired record is
/// hidden anyway, and a repair approved after the day must not leak early.
pub const NON_PUBLIC_ENVELOPE_FIELDS: &[&str] = &["withdrawn", "repaired_on"];

/// Subject fields of a public profile (INTERCHANGE.md §4).
pub const PUBLIC_SUBJECT_FIELDS: &[&str] =
    &["uscc", "name", "type", "status", "established_on", "region"];

/// The fields of a record the public sees: the envelope (without
/// [`NON_PUBLIC_ENVELOPE_FIELDS`]) and the kind's catalogue fields, in
/// catalogue order, personal data masked. Extra fields the source sent
/// beyond the catalogue are not shown (their content is unknown), nor are
/// `null` values.
pub fn public_fields(kind: RecordKind, body: &Map<String, Value>) -> Map<String, Value> {
    let names = ENVELOPE
        .iter()
        .chain(kind.spec().fields)
        .map(|f| f.name)
        .filter(|n| !NON_PUBLIC_ENVELOPE_FIELDS.contains(n));
    masked_selection(body, names)
}

/// The public line of a record on day `as_of`
/// (`GET /api/v1/subjects/{uscc}/public`): [`public_fields`] plus
/// `display_until` (date or `null`) and `disputed`; `None` when hidden.
pub fn public_record(
    kind: RecordKind,
    body: &Map<String, Value>,
    as_of: Date,
    facts: &DisclosureFacts,
) -> Option<Map<String, Value>> {
    let PublicDecision::Shown {
        display_until,
        disputed,
    } = public_window(kind, body, as_of, facts)
    else {
        return None;
    };
    let mut line = public_fields(kind, body);
    line.insert(
        "display_until".to_owned(),
        display_until.map_or(Value::Null, |d| Value::String(d.to_string())),
    );
    line.insert("disputed".to_owned(), Value::Bool(disputed));
    Some(line)
}

/// The public list membership of a `list_entry` body on day `as_of`
/// (`"lists": [{"list", "listed_on"}]` of the public profile): the entry is
/// not withdrawn, not repaired, current (`listed_on ≤ T` and `removed_on`
/// absent or after `T`), and concerns the subject itself (no
/// `person_role`: an entry about the subject's legal representative is not
/// a membership of the subject, PRODUCT.md §3). A removed
/// `abnormal_operation` entry whose trace is still shown is a public record
/// ([`public_record`]) but no longer a membership.
pub fn public_list_membership(
    body: &Map<String, Value>,
    as_of: Date,
) -> Option<Map<String, Value>> {
    let list = body.get("list").and_then(Value::as_str)?;
    let concerns_a_person = body.get("person_role").is_some_and(|v| !v.is_null());
    if concerns_a_person || is_withdrawn(body) {
        return None;
    }
    let listed_on = match date_field(body, "listed_on").ok()? {
        Some(d) => d,
        None => date_field(body, "date").ok()??,
    };
    let repaired = date_field(body, "repaired_on")
        .ok()?
        .is_some_and(|r| r <= as_of);
    let removed = date_field(body, "removed_on")
        .ok()?
        .is_some_and(|r| r <= as_of);
    if repaired || removed || listed_on > as_of {
        return None;
    }
    let mut out = Map::new();
    out.insert("list".to_owned(), Value::String(list.to_owned()));
    out.insert("listed_on".to_owned(), Value::String(listed_on.to_string()));
    Some(out)
}

/// The subject part of a public profile: [`PUBLIC_SUBJECT_FIELDS`], masked.
pub fn public_subject(body: &Map<String, Value>) -> Map<String, Value> {
    masked_selection(body, PUBLIC_SUBJECT_FIELDS.iter().copied())
}

fn masked_selection<'a>(
    body: &Map<String, Value>,
    names: impl Iterator<Item = &'a str>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for name in names {
        if let Some(v) = body.get(name).filter(|v| !v.is_null()) {
            let mut v = v.clone();
            mask_field(name, &mut v);
            out.insert(name.to_owned(), v);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Masking

/// Fields holding a USCC: kept as they are when they hold a valid code (see
/// [`mask_personal`]).
pub const CODE_FIELDS: &[&str] = &["subject", "uscc", "counterparty"];

/// Identifier fields never masked: the public needs them to refer to a
/// record (an objection names `source` and `id`).
pub const IDENTIFIER_FIELDS: &[&str] = &["id", "source", "kind"];

/// Masks personal data in a record or subject body, in place:
///
/// * every character of a `person_id` value (at any depth) becomes `*`
///   (a number becomes a string of `*` of its length);
/// * in every other string (free text, `people` names, arrays), resident ID
///   numbers, mobile and landline numbers are masked ([`mask_text`]);
/// * [`CODE_FIELDS`] keep a value that is a USCC with a valid check
///   character — unless it is a resident ID number with a valid ID check
///   digit (a person as counterparty) — and are masked as text otherwise;
/// * [`IDENTIFIER_FIELDS`] (at any depth) and non-string values are left alone.
///
/// An array is masked element by element, so a list of records or subjects
/// may be passed whole.
///
/// Names are not masked: the names of a subject's legal representative
/// and officers are public registration data.
pub fn mask_personal(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Some(masked) = masked_text(s) {
                *s = masked;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_personal),
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                mask_field(key, v);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Masks one field's value by the rules of [`mask_personal`].
fn mask_field(key: &str, v: &mut Value) {
    if key == "person_id" {
        mask_entirely(v);
    } else if CODE_FIELDS.contains(&key) {
        match v {
            Value::String(s) if keeps_code(s) => {}
            other => mask_personal(other),
        }
    } else if !IDENTIFIER_FIELDS.contains(&key) {
        mask_personal(v);
    }
}

fn mask_entirely(v: &mut Value) {
    match v {
        Value::String(s) => *s = "*".repeat(s.chars().count()),
        Value::Number(n) => *v = Value::String("*".repeat(n.to_string().len())),
        Value::Array(items) => items.iter_mut().for_each(mask_entirely),
        Value::Object(map) => map.values_mut().for_each(mask_entirely),
        Value::Null | Value::Bool(_) => {}
    }
}

/// Whether a code field keeps its value unmasked.
fn keeps_code(s: &str) -> bool {
    let chars: Vec<char> = s.trim().chars().collect();
    if is_resident_id(&chars) && id_check_digit_ok(&chars) {
        return false;
    }
    Uscc::parse(s).is_ok_and(|u| u.check_ok())
}

/// `s` with personal numbers masked:
///
/// * resident ID numbers — 18 characters (17 digits and a digit or `X`/`x`)
///   or the old 15-digit form, with a plausible birth date (month 01–12,
///   day 01–31; years 18xx–20xx for the 18-character form) — keep their
///   first 6 and last 4 characters: `210804********1234`;
/// * mobile numbers — 11 digits starting with `1[3-9]`, also after `+86` —
///   keep the first 3 and last 4 digits: `138****5678`;
/// * landline numbers `0xx(x)-xxxxxxx(x)` or `(0xx(x))xxxxxxx(x)` keep the
///   area code and the last 4 digits: `0411-****6666`.
///
/// A candidate is a whole run of ASCII digits (letters and other
/// characters end it), so a number inside a longer run (a 13-digit amount)
/// is never masked, and the digit runs of a USCC with letters (commonly
/// 8 digits, `MA`, 7 characters) are too short to be one; nor is
/// a run that touches `*` (already masked), a decimal point with a digit
/// on its other side, a currency sign before it or 元/万/亿 after it
/// (amounts). Every masked character becomes one `*`, and the characters
/// at both ends of a masked number are kept: the number of characters
/// never changes, and masking twice is masking once.
pub fn mask_text(s: &str) -> String {
    masked_text(s).unwrap_or_else(|| s.to_owned())
}

/// `Some(masked)` when `s` has something to mask.
fn masked_text(s: &str) -> Option<String> {
    // Fast path: every pattern has at least 7 ASCII digits.
    if s.bytes().filter(u8::is_ascii_digit).count() < 7 {
        return None;
    }
    let mut chars: Vec<char> = s.chars().collect();
    let changed = mask_chars(&mut chars);
    changed.then(|| chars.into_iter().collect())
}

/// Masks personal numbers in `chars`; true when something changed.
fn mask_chars(chars: &mut [char]) -> bool {
    let runs = digit_runs(chars);
    let mut changed = false;
    for (r, &(start, run_end)) in runs.iter().enumerate() {
        // An 18-character ID number ends in a check `X` after 17 digits.
        let end = if run_end - start == 17 && matches!(chars.get(run_end), Some('X' | 'x')) {
            run_end + 1
        } else {
            run_end
        };
        // (A landline's area code is followed by `-` or `)`, so never blocked after.)
        if blocked_before(chars, start) || blocked_after(chars, end) {
            continue;
        }
        let number = &chars[start..end];
        let hide: Option<(usize, usize)> = if is_resident_id(number) {
            Some((start + 6, end - 4))
        } else if is_mobile(number) {
            Some((start + 3, start + 7))
        } else if number.len() == 13
            && number.starts_with(&['8', '6'])
            && start > 0
            && chars[start - 1] == '+'
            && is_mobile(&number[2..])
        {
            Some((start + 5, start + 9))
        } else {
            landline_subscriber(chars, &runs, r).map(|(s_start, s_end)| (s_start, s_end - 4))
        };
        if let Some((from, to)) = hide {
            chars[from..to].iter_mut().for_each(|c| *c = '*');
            changed = true;
        }
    }
    changed
}

/// The subscriber number (`[start, end)`) of the landline whose area code
/// is digit run `r`, if it is one.
fn landline_subscriber(
    chars: &[char],
    runs: &[(usize, usize)],
    r: usize,
) -> Option<(usize, usize)> {
    let (a_start, a_end) = runs[r];
    let &(s_start, s_end) = runs.get(r + 1)?;
    let dashed = chars[a_end] == '-';
    let bracketed = matches!(chars[a_end], ')' | '）')
        && a_start > 0
        && matches!(chars[a_start - 1], '(' | '（');
    let is_landline = (3..=4).contains(&(a_end - a_start))
        && chars[a_start] == '0'
        && s_start == a_end + 1
        && (dashed || bracketed)
        && (7..=8).contains(&(s_end - s_start))
        && !blocked_after(chars, s_end);
    is_landline.then_some((s_start, s_end))
}

/// Maximal runs of ASCII digits, as `[start, end)`.
fn digit_runs(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            out.push((start, i));
        } else {
            i += 1;
        }
    }
    out
}

/// The number starting at `start` continues a masked one or is an amount.
fn blocked_before(chars: &[char], start: usize) -> bool {
    let Some(&prev) = start.checked_sub(1).and_then(|i| chars.get(i)) else {
        return false;
    };
    prev == '*'
        || prev == '¥'
        || prev == '￥'
        || (prev == '.' && start >= 2 && chars[start - 2].is_ascii_digit())
}

/// The number ending at `end` (exclusive) continues a masked one or is an amount.
fn blocked_after(chars: &[char], end: usize) -> bool {
    let Some(&next) = chars.get(end) else {
        return false;
    };
    matches!(next, '*' | '元' | '万' | '亿')
        || (next == '.' && chars.get(end + 1).is_some_and(char::is_ascii_digit))
}

fn all_digits(w: &[char]) -> bool {
    w.iter().all(char::is_ascii_digit)
}

fn digit(c: char) -> u32 {
    c.to_digit(10).unwrap_or(0)
}

fn two(w: &[char]) -> u32 {
    digit(w[0]) * 10 + digit(w[1])
}

/// A resident ID number's shape with a plausible birth date.
fn is_resident_id(w: &[char]) -> bool {
    let (birth_month_day, year_ok) = match w.len() {
        18 => {
            let shape = all_digits(&w[..17]) && matches!(w[17], '0'..='9' | 'X' | 'x');
            if !shape {
                return false;
            }
            (&w[10..14], (18..=20).contains(&two(&w[6..8])))
        }
        15 => {
            if !all_digits(w) {
                return false;
            }
            (&w[8..12], true)
        }
        _ => return false,
    };
    let month = two(&birth_month_day[..2]);
    let day = two(&birth_month_day[2..]);
    year_ok && (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// The ISO 7064 MOD 11-2 check digit of an 18-character ID number.
fn id_check_digit_ok(w: &[char]) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    if w.len() != 18 {
        return false;
    }
    let sum: u32 = w[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(c, wt)| digit(*c) * wt)
        .sum();
    CHECK[(sum % 11) as usize] == w[17].to_ascii_uppercase()
}

fn is_mobile(w: &[char]) -> bool {
    w.len() == 11 && all_digits(w) && w[0] == '1' && ('3'..='9').contains(&w[1])
}
