//! Credit reports (信用体检报告, PRODUCT.md C6; and a government agency's
//! 政务诚信评价报告, C13; INTERCHANGE.md §4
//! `POST /api/v1/subjects/{uscc}/reports`, `GET /api/v1/reports/{number}/pdf`,
//! `GET /api/v1/reports/{number}/verification`).
//!
//! A report is the subject's own view of itself as of today — what its own
//! enterprise account sees in its full profile ([`App::subject_file`]):
//! records of `gov_only` kinds and results of `gov_only` models are left
//! out and personal data is masked, whoever issues it, so the same subject
//! on the same day gives the same report whichever authorised role asks.
//! It is typeset by `xinyong-report`, stored byte for byte with its SHA-256
//! (append-only), and audited. Its number is `XY`, the issue date
//! (`YYYYMMDD`) and 16 characters of Crockford's base32 drawn from the
//! operating system's CSPRNG (80 bits): a number cannot be guessed from
//! another. Anyone may check a number on the verification page, which says
//! the subject, the date and the grade, and nothing else.

use std::collections::{BTreeMap, HashMap};
use std::sync::RwLock;

use serde::Serialize;
use serde_json::{Map, Value};
use xinyong_core::catalog::RecordKind;
use xinyong_core::disclosure::{PublicDecision, RecordStatus, Role, mask_personal, public_window};
use xinyong_report::{
    Advice, ClassLine, Dimension, Fonts, Grade, GradeChange, Installment, LedgerItem,
    ListMembership, RecordGroup, RecordRow, ReportData, ReportKind, Subject,
};
use xinyong_rules::{Model, ModelSet};
use xinyong_store::{NewReport, StoredReport};

use crate::access::{Operation, authorise};
use crate::audit::AuditEvent;
use crate::catalogue::{Catalogue, ModelSummary};
use crate::profile::{SeenRecord, SubjectFile};
use crate::{App, AppError, ErrorCode, Principal, normalise_uscc};

/// The first characters of every report number.
pub const REPORT_NUMBER_PREFIX: &str = "XY";
/// Random characters of a report number (5 bits each).
const NUMBER_RANDOM_CHARS: usize = 16;
/// Crockford's base32: no I, L, O or U, so a number read aloud or typed
/// is not mistaken.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// The length of a report number: prefix, `YYYYMMDD`, random part.
pub const REPORT_NUMBER_CHARS: usize = 2 + 8 + NUMBER_RANDOM_CHARS;

/// Where the platform is reached when no address was configured (the
/// default address of `xinyong serve`).
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";
/// Longest public address accepted.
const MAX_PUBLIC_URL_CHARS: usize = 200;

/// The comprehensive grade's model.
const COMPOSITE: &str = "yingkou-composite";
/// The grade of a government agency's 政务诚信评价报告.
const GOV_INTEGRITY: &str = "gov-integrity";
/// The subject type evaluated by [`GOV_INTEGRITY`] (and the only one a
/// report of what an agency owes may name).
pub(crate) const GOVERNMENT_AGENCY: &str = "government_agency";

/// The report a subject gets and the model whose grade heads it: a
/// government agency's 政务诚信评价报告 (`gov-integrity`), anyone else's
/// credit report (`yingkou-composite`).
pub(crate) fn headline(subject_type: &str) -> (ReportKind, &'static str) {
    if subject_type == GOVERNMENT_AGENCY {
        (ReportKind::GovIntegrity, GOV_INTEGRITY)
    } else {
        (ReportKind::Credit, COMPOSITE)
    }
}
/// Earlier grades shown on a report.
const HISTORY_ENTRIES: usize = 12;
/// Reports typeset at once (typesetting is CPU-bound).
const CONCURRENT_RENDERS: usize = 2;
/// Tries to draw a number not used yet (one collision in 2^80 draws).
const NUMBER_TRIES: usize = 3;
/// Longest summary of a record on a report, in characters.
const SUMMARY_CHARS: usize = 120;

/// `POST /api/v1/subjects/{uscc}/reports` → 201.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct IssuedReport {
    /// The report number (报告编号).
    pub number: String,
    pub uscc: String,
    /// `YYYY-MM-DD`.
    pub issued_on: String,
    /// The comprehensive grade on the report; `null` when the subject has
    /// not been evaluated.
    pub grade: Option<String>,
    /// Where the PDF is downloaded: `/api/v1/reports/{number}/pdf`.
    pub pdf: String,
    /// Hex SHA-256 of the PDF.
    pub sha256: String,
}

/// `GET /api/v1/reports/{number}/verification`: the number, the subject,
/// the date and the grade; nothing else about the subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReportVerification {
    pub number: String,
    pub uscc: String,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub issued_on: String,
    /// `null` when the report states no grade.
    pub grade: Option<String>,
}

/// An issued report's PDF, byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPdf {
    pub number: String,
    pub uscc: String,
    /// Hex SHA-256 of `bytes`.
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// The API address of an issued report's PDF.
pub fn report_pdf_path(number: &str) -> String {
    format!("/api/v1/reports/{number}/pdf")
}

/// The verification page of a report (the QR code on its cover points to
/// this path under the platform's public address).
pub fn report_page_path(number: &str) -> String {
    format!("/reports/{number}")
}

/// Whether the CJK fonts the reports are typeset with are installed
/// (`scripts/install-fonts.sh`).
pub fn report_fonts_installed() -> bool {
    Fonts::system_cjk_paths().is_some()
}

/// What issuing reports needs, kept by the application: the fonts (loaded
/// at the first report), the platform's public address, and the bound on
/// renders at once.
pub(crate) struct ReportKit {
    fonts: tokio::sync::OnceCell<Fonts>,
    public_url: RwLock<String>,
    renders: tokio::sync::Semaphore,
}

impl Default for ReportKit {
    fn default() -> ReportKit {
        ReportKit {
            fonts: tokio::sync::OnceCell::new(),
            public_url: RwLock::new(DEFAULT_PUBLIC_URL.to_owned()),
            renders: tokio::sync::Semaphore::new(CONCURRENT_RENDERS),
        }
    }
}

/// A report number as typed: blanks removed, upper-cased, Crockford's
/// look-alikes read as digits (`I`, `L` → `1`, `O` → `0`); `None` when it
/// cannot be a report number.
pub fn parse_report_number(text: &str) -> Option<String> {
    let text = text.trim();
    if text.len() != REPORT_NUMBER_CHARS {
        return None;
    }
    let upper = text.to_ascii_uppercase();
    let (prefix, rest) = upper.split_at_checked(REPORT_NUMBER_PREFIX.len())?;
    let (date, random) = rest.split_at_checked(8)?;
    if prefix != REPORT_NUMBER_PREFIX || !date.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut out = String::with_capacity(REPORT_NUMBER_CHARS);
    out.push_str(prefix);
    out.push_str(date);
    for c in random.chars() {
        let c = match c {
            'I' | 'L' => '1',
            'O' => '0',
            c => c,
        };
        if !CROCKFORD.contains(&(c as u8)) || !c.is_ascii() {
            return None;
        }
        out.push(c);
    }
    Some(out)
}

/// A fresh report number for a report issued on `day`.
fn new_number(day: jiff::civil::Date) -> String {
    use rand::Rng;
    // The thread's generator is a CSPRNG seeded from the operating system.
    let mut rng = rand::rng();
    let mut n = format!(
        "{REPORT_NUMBER_PREFIX}{:04}{:02}{:02}",
        day.year(),
        day.month(),
        day.day()
    );
    for _ in 0..NUMBER_RANDOM_CHARS {
        n.push(char::from(CROCKFORD[rng.random_range(0..CROCKFORD.len())]));
    }
    n
}

fn unknown_report(number: &str) -> AppError {
    let shown: String = number.trim().chars().take(40).collect();
    AppError::new(
        ErrorCode::NotFound,
        format!("没有编号为 {shown} 的信用报告"),
    )
}

fn system(detail: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::Internal, detail)
}

impl App {
    /// Set the platform's public address (`https://credit.example.gov.cn`):
    /// the QR code of a report points to its verification page under it.
    /// Default [`DEFAULT_PUBLIC_URL`].
    pub fn set_public_url(&self, url: &str) -> Result<(), AppError> {
        let url = url.trim().trim_end_matches('/');
        let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
        let host = url.split_once("://").map_or("", |(_, h)| h);
        if !scheme_ok
            || host.is_empty()
            || url.chars().count() > MAX_PUBLIC_URL_CHARS
            || url.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(AppError::invalid(
                "public_url",
                format!(
                    "平台对外地址须为 http:// 或 https:// 开头、不超过 {MAX_PUBLIC_URL_CHARS} 个字符的网址：{url:?}"
                ),
            ));
        }
        match self.reports.public_url.write() {
            Ok(mut u) => *u = url.to_owned(),
            Err(poisoned) => *poisoned.into_inner() = url.to_owned(),
        }
        Ok(())
    }

    /// The platform's public address (without a trailing `/`).
    pub fn public_url(&self) -> String {
        match self.reports.public_url.read() {
            Ok(u) => u.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The fonts of the reports, loaded once; a clear error of the system's
    /// class when they are not installed (nothing is cached then, so
    /// installing them is enough).
    pub(crate) async fn report_fonts(&self) -> Result<Fonts, AppError> {
        self.reports
            .fonts
            .get_or_try_init(|| async {
                tokio::task::spawn_blocking(Fonts::system_cjk)
                    .await
                    .map_err(|e| system(format!("loading the report fonts failed: {e}")))?
                    .map_err(|e| system(format!("信用报告无法生成：{e}")))
            })
            .await
            .cloned()
    }

    /// Issue the credit report of `uscc` as of today (INTERCHANGE.md §4
    /// `POST /api/v1/subjects/{uscc}/reports`): its own enterprise account,
    /// department, officer and admin; another enterprise and a bank or an
    /// auditor `forbidden`, the public `unauthenticated`; an unknown or
    /// malformed code `not_found`. The PDF is stored with its SHA-256 and
    /// the issue is audited.
    pub async fn issue_report(&self, by: &Principal, uscc: &str) -> Result<IssuedReport, AppError> {
        authorise(by, Operation::IssueReports)?;
        let asked = normalise_uscc(uscc);
        if by.role == Role::Enterprise
            && by.uscc.as_deref().map(normalise_uscc) != Some(asked.clone())
        {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "企业账户只能为本企业出具信用报告",
            ));
        }
        let subject = self.subject_of(&asked).await?;
        let today = self.today();
        let fonts = self.report_fonts().await?;
        let file = self.subject_file(subject, false).await?;
        let mut data = self.report_data(file, today).await?;
        let base = self.public_url();
        for _ in 0..NUMBER_TRIES {
            let number = new_number(today);
            data.number = number.clone();
            data.verify_url = format!("{base}{}", report_page_path(&number));
            let (pdf, back) = self.render(data, fonts.clone()).await?;
            data = back;
            let json = serde_json::to_value(&data)
                .map_err(|e| system(format!("cannot serialise a report's data: {e}")))?;
            let stored = self
                .store
                .insert_report(&NewReport {
                    number: &number,
                    uscc: &data.subject.uscc,
                    name: &data.subject.name,
                    issued_on: &data.issued_on,
                    grade: data.grade.as_ref().map(|g| g.grade.as_str()),
                    pdf: &pdf,
                    issued_by: by.actor(),
                    issued_at: self.clock.now(),
                    data: &json,
                })
                .await?;
            let Some(stored) = stored else {
                // The number was taken: draw another.
                continue;
            };
            self.audit(
                by,
                AuditEvent {
                    action: "report.issue",
                    subject: Some(&stored.uscc),
                    purpose: None,
                    detail: serde_json::json!({
                        "number": stored.number,
                        "issued_on": stored.issued_on,
                        "grade": stored.grade,
                        "sha256": stored.sha256,
                        "bytes": stored.size,
                    }),
                },
            )
            .await?;
            return Ok(issued(stored));
        }
        Err(system("no unused report number after several draws"))
    }

    /// The PDF of an issued report, byte for byte (INTERCHANGE.md §4
    /// `GET /api/v1/reports/{number}/pdf`): whoever may issue reports for
    /// its subject (an enterprise only its own subject's); an unknown
    /// number `not_found`. Every download is audited.
    pub async fn report_pdf(&self, by: &Principal, number: &str) -> Result<ReportPdf, AppError> {
        authorise(by, Operation::IssueReports)?;
        let report = self.stored_report(number).await?;
        if by.role == Role::Enterprise
            && by.uscc.as_deref().map(normalise_uscc) != Some(report.uscc.clone())
        {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "企业账户只能下载本企业的信用报告",
            ));
        }
        let bytes = self
            .store
            .report_pdf(&report.number)
            .await?
            .ok_or_else(|| unknown_report(number))?;
        self.audit(
            by,
            AuditEvent {
                action: "report.download",
                subject: Some(&report.uscc),
                purpose: None,
                detail: serde_json::json!({
                    "number": report.number,
                    "sha256": report.sha256,
                }),
            },
        )
        .await?;
        Ok(ReportPdf {
            number: report.number,
            uscc: report.uscc,
            sha256: report.sha256,
            bytes,
        })
    }

    /// Check a report number (INTERCHANGE.md §4
    /// `GET /api/v1/reports/{number}/verification`, public): the subject,
    /// date and grade of a report that was issued; `not_found` otherwise.
    pub async fn verify_report(&self, number: &str) -> Result<ReportVerification, AppError> {
        authorise(&Principal::public(), Operation::VerifyReports)?;
        let r = self.stored_report(number).await?;
        Ok(ReportVerification {
            number: r.number,
            uscc: r.uscc,
            name: r.name,
            issued_on: r.issued_on,
            grade: r.grade,
        })
    }

    async fn stored_report(&self, number: &str) -> Result<StoredReport, AppError> {
        let parsed = parse_report_number(number).ok_or_else(|| unknown_report(number))?;
        self.store
            .report(&parsed)
            .await?
            .ok_or_else(|| unknown_report(number))
    }

    /// The briefing's PDF, typeset in the same render slots as reports.
    pub(crate) async fn render_briefing_pdf(
        &self,
        data: xinyong_report::briefing::BriefingData,
    ) -> Result<(Vec<u8>, xinyong_report::briefing::BriefingData), AppError> {
        let fonts = self.report_fonts().await?;
        self.typeset(
            data,
            fonts,
            xinyong_report::briefing::render_briefing_pdf,
            "工作简报",
        )
        .await
    }

    async fn render(
        &self,
        data: ReportData,
        fonts: Fonts,
    ) -> Result<(Vec<u8>, ReportData), AppError> {
        self.typeset(data, fonts, xinyong_report::render_pdf, "信用报告")
            .await
    }

    /// Typeset `data` with `typeset` off the async threads, at most
    /// [`CONCURRENT_RENDERS`] at once; gives the data back. `what` names the
    /// document in the error.
    async fn typeset<D: Send + 'static>(
        &self,
        data: D,
        fonts: Fonts,
        typeset: fn(&D, &Fonts) -> Result<Vec<u8>, xinyong_report::ReportError>,
        what: &'static str,
    ) -> Result<(Vec<u8>, D), AppError> {
        let _permit = self
            .reports
            .renders
            .acquire()
            .await
            .map_err(|e| system(format!("report renders closed: {e}")))?;
        tokio::task::spawn_blocking(move || {
            let pdf = typeset(&data, &fonts);
            (pdf, data)
        })
        .await
        .map_err(|e| system(format!("typesetting a {what} failed: {e}")))
        .and_then(|(pdf, data)| match pdf {
            Ok(pdf) => Ok((pdf, data)),
            Err(e) => Err(system(format!("{what}无法生成：{e}"))),
        })
    }

    /// The report's data from what the subject sees of itself today
    /// (number and verification address left empty).
    pub(crate) async fn report_data(
        &self,
        file: SubjectFile,
        today: jiff::civil::Date,
    ) -> Result<ReportData, AppError> {
        let c = self.catalogue();
        let summaries = self.models_in_force()?;
        let (kind, headline) = headline(&file.subject.subject_type);
        let history = self
            .results
            .subject_results(&file.subject.uscc, Some(headline))
            .await?;
        let mut subject_body = Value::Object(file.subject.body.clone());
        mask_personal(&mut subject_body);
        let subject_body = match subject_body {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let mut results = file.results;
        results.iter_mut().for_each(mask_personal);
        let kinds: HashMap<&str, &str> = file
            .records
            .iter()
            .map(|s| (s.record.id.as_str(), s.record.kind.as_str()))
            .collect();

        // By catalogue order, then kinds the catalogue does not know, by code.
        type Rows = Vec<(String, RecordRow)>;
        let mut groups: BTreeMap<(usize, String), (String, Rows)> = BTreeMap::new();
        let mut commitments = Vec::new();
        let mut ledger = Vec::new();
        for seen in &file.records {
            // An agency's ledger items have their own section, with their
            // repayment plans.
            if kind == ReportKind::GovIntegrity && seen.kind == Some(RecordKind::GovLedger) {
                if seen.status != Some(RecordStatus::Withdrawn) {
                    ledger.push(ledger_item(c, seen, today));
                }
                continue;
            }
            let (row, date) = record_row(c, seen, today);
            if seen.kind == Some(RecordKind::Commitment) {
                commitments.push((date, row));
                continue;
            }
            let code = seen.record.kind.as_str();
            let (order, name) = match c.kinds.iter().position(|k| k.code == code) {
                Some(i) => (i, c.kinds[i].name_zh.to_owned()),
                None => (usize::MAX, code.to_owned()),
            };
            groups
                .entry((order, code.to_owned()))
                .or_insert_with(|| (name, Vec::new()))
                .1
                .push((date, row));
        }
        let newest_first = |rows: &mut Rows| {
            rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
        };
        let records = groups
            .into_values()
            .map(|(kind_zh, mut rows)| {
                newest_first(&mut rows);
                RecordGroup {
                    kind_zh,
                    rows: rows.into_iter().map(|(_, r)| r).collect(),
                }
            })
            .collect();
        newest_first(&mut commitments);

        let subject_lines: Vec<&Value> = results
            .iter()
            .filter(|l| l.get("record").is_none())
            .collect();
        let headline_line = subject_lines
            .iter()
            .find(|l| l.get("model").and_then(Value::as_str) == Some(headline));
        let model = headline_line.and_then(|l| headline_model(headline, l, &file.models, today));
        let grade = headline_line.and_then(|l| grade_of(headline, l, model));
        let mut advice = headline_line
            .map(|l| points_advice(headline, l, model, &kinds))
            .unwrap_or_default();
        let mut classes = Vec::new();
        for line in &subject_lines {
            let id = line
                .get("model")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let summary = summaries.iter().find(|m| m.id == id);
            if id != headline {
                classes.push(class_line(c, id, summary, line));
            }
            advice.extend(blocked_advice(id, line, &kinds));
        }
        let subject = &file.subject;
        let text = |k: &str| {
            subject_body
                .get(k)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        Ok(ReportData {
            number: String::new(),
            issued_on: today.to_string(),
            verify_url: String::new(),
            subject: Subject {
                uscc: subject.uscc.clone(),
                name: subject.name.clone(),
                subject_type_zh: label_or_code(c, "subject", "type", &subject.subject_type),
                region: text("region").unwrap_or("—").to_owned(),
                established_on: text("established_on").map(str::to_owned),
                status_zh: label_or_code(
                    c,
                    "subject",
                    "status",
                    text("status").unwrap_or("active"),
                ),
            },
            grade,
            grade_history: grade_history(headline, &history, today),
            classes,
            records,
            lists: file
                .lists
                .iter()
                .map(|m| {
                    let list = m.get("list").and_then(Value::as_str).unwrap_or_default();
                    ListMembership {
                        name_zh: c
                            .list(list)
                            .map_or_else(|| list.to_owned(), |l| l.name_zh.to_owned()),
                        listed_on: m
                            .get("listed_on")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                    }
                })
                .collect(),
            commitments: commitments.into_iter().map(|(_, r)| r).collect(),
            advice,
            kind,
            ledger: sorted_ledger(ledger),
        })
    }
}

fn issued(r: StoredReport) -> IssuedReport {
    IssuedReport {
        pdf: report_pdf_path(&r.number),
        number: r.number,
        uscc: r.uscc,
        issued_on: r.issued_on,
        grade: r.grade,
        sha256: r.sha256,
    }
}

fn label_or_code(c: &Catalogue, kind: &str, field: &str, code: &str) -> String {
    c.value_label_zh(kind, field, code)
        .map_or_else(|| code.to_owned(), str::to_owned)
}

/// A field's value as text: strings trimmed, numbers as written.
fn value_text(body: &Map<String, Value>, key: &str) -> Option<String> {
    match body.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The report row of a record (masked) and its date, for sorting.
fn record_row(c: &Catalogue, seen: &SeenRecord, today: jiff::civil::Date) -> (RecordRow, String) {
    let r = &seen.record;
    let mut body = Value::Object(r.body.clone());
    mask_personal(&mut body);
    let body = match body {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let date = value_text(&body, "date").unwrap_or_default();
    let status_zh = match (seen.kind, seen.status) {
        // A commitment's own state (履诺期内, 已履诺, 违诺), unless the record
        // itself is withdrawn, repaired or disputed.
        (
            Some(RecordKind::Commitment),
            None | Some(RecordStatus::Counting | RecordStatus::OutsideDisplayWindow),
        ) => value_text(&body, "status")
            .map(|s| label_or_code(c, "commitment", "status", &s))
            .unwrap_or_else(|| seen.status.map_or("—", |s| s.label_zh()).to_owned()),
        (_, Some(s)) => s.label_zh().to_owned(),
        (_, None) => "—".to_owned(),
    };
    let display_until = match seen.kind {
        Some(RecordKind::Commitment) => value_text(&body, "due_on"),
        Some(RecordKind::Penalty) => seen
            .facts
            .penalty
            .as_ref()
            .map(|p| p.display_until.to_string()),
        Some(kind) => match public_window(kind, &r.body, today, &seen.facts) {
            PublicDecision::Shown { display_until, .. } => display_until.map(|d| d.to_string()),
            PublicDecision::Hidden { .. } => None,
        },
        None => None,
    };
    let row = RecordRow {
        id: r.id.clone(),
        date: date.clone(),
        summary: summary(c, &r.kind, &body),
        amount_cny: amount(&r.kind, &body),
        status_zh,
        display_until,
    };
    (row, date)
}

/// What a record is about, in a line of Chinese.
fn summary(c: &Catalogue, kind: &str, body: &Map<String, Value>) -> String {
    let t = |k: &str| value_text(body, k);
    let code = |k: &str| t(k).map(|v| label_or_code(c, kind, k, &v));
    let codes = |k: &str| {
        body.get(k).and_then(Value::as_array).map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(|v| label_or_code(c, kind, k, v))
                .collect::<Vec<_>>()
                .join("、")
        })
    };
    let yes = |k: &str| body.get(k).and_then(Value::as_bool) == Some(true);
    let with = |prefix: &str, v: Option<String>| v.map(|v| format!("{prefix}{v}"));
    let parts: Vec<Option<String>> = match kind {
        "penalty" => vec![
            t("facts"),
            code("procedure"),
            with("处罚种类：", codes("sanctions").filter(|s| !s.is_empty())),
            with("决定书文号 ", t("decision_no")),
        ],
        "license" => vec![
            t("title"),
            with("许可证号 ", t("license_no")),
            with("有效期至 ", t("valid_to")),
        ],
        "list_entry" => vec![
            code("list"),
            code("reason"),
            with("涉及", code("person_role")),
            with("已于 ", t("removed_on").map(|d| format!("{d} 移出"))),
        ],
        "tax_rating" => vec![Some(format!(
            "{} 年度纳税信用等级 {}",
            t("year").unwrap_or_default(),
            t("grade").unwrap_or_default()
        ))],
        "rating" => vec![Some(format!(
            "{} {} 年度信用等级 {}",
            t("scheme").unwrap_or_default(),
            t("year").unwrap_or_default(),
            t("grade").unwrap_or_default()
        ))],
        "commitment" => vec![
            code("commitment_kind"),
            t("matter"),
            with("违诺日期 ", t("breached_on")),
        ],
        "inspection" => vec![
            with("检查结果：", code("outcome")),
            codes("items").filter(|s| !s.is_empty()),
        ],
        "correction_order" => vec![
            Some("责令改正".to_owned()),
            code("outcome"),
            with("改正期限 ", t("due_on")),
        ],
        "false_materials" => vec![Some("提供虚假材料".to_owned())],
        "annual_report" => vec![
            t("year").map(|y| format!("{y} 年度报告")),
            with("报送日期 ", t("filed_on")),
        ],
        "accident" => vec![
            code("grade"),
            t("domain"),
            yes("criminal_liability").then(|| "被追究刑事责任".to_owned()),
        ],
        "judgment" => vec![
            with("案号 ", t("case_no")),
            code("role"),
            t("cause"),
            yes("refused_to_perform").then(|| "拒不履行".to_owned()),
        ],
        "bad_conduct" => vec![t("category"), t("domain")],
        "honor" => vec![t("title"), code("level")],
        "arrears" => vec![
            code("arrears_kind").map(|k| format!("欠缴{k}")),
            t("months").map(|m| format!("{m} 个月")),
        ],
        "financing_need" => vec![Some("融资需求".to_owned()), t("purpose")],
        "gov_ledger" => vec![code("category"), t("description")],
        _ => vec![],
    };
    let text = parts.into_iter().flatten().collect::<Vec<_>>().join("；");
    let text = if text.trim().is_empty() {
        c.kind(kind)
            .map_or_else(|| kind.to_owned(), |k| k.name_zh.to_owned())
    } else {
        text
    };
    if text.chars().count() > SUMMARY_CHARS {
        let mut short: String = text.chars().take(SUMMARY_CHARS - 1).collect();
        short.push('…');
        short
    } else {
        text
    }
}

/// The amount in yuan a record carries (fine and confiscation, arrears, a
/// judgment's amount), if any.
/// An agency's ledger item as its report shows it (masked like every
/// record), its installments by due date with their progress today.
fn ledger_item(c: &Catalogue, seen: &SeenRecord, today: jiff::civil::Date) -> LedgerItem {
    let mut body = Value::Object(seen.record.body.clone());
    mask_personal(&mut body);
    let body = match body {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let date = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .and_then(|s| s.trim().parse::<jiff::civil::Date>().ok())
    };
    let mut installments: Vec<(Option<jiff::civil::Date>, Installment)> = body
        .get("installments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|i| {
            let due = date(i.get("due_on"));
            let paid_on = date(i.get("paid_on"));
            let amount = i.get("amount_cny").and_then(Value::as_f64).unwrap_or(0.0);
            let paid = i.get("paid_cny").and_then(Value::as_f64);
            let item = Installment {
                due_on: due.map(|d| d.to_string()).unwrap_or_default(),
                amount_cny: amount,
                paid_on: paid_on.map(|d| d.to_string()),
                paid_cny: paid,
                state_zh: installment_state(due, amount, paid_on, paid, today).to_owned(),
            };
            (due, item)
        })
        .collect();
    installments.sort_by_key(|(due, _)| *due);
    LedgerItem {
        id: seen.record.id.clone(),
        date: value_text(&body, "date").unwrap_or_default(),
        category_zh: value_text(&body, "category")
            .map(|v| label_or_code(c, "gov_ledger", "category", &v))
            .unwrap_or_default(),
        amount_cny: body.get("amount_cny").and_then(Value::as_f64),
        description: value_text(&body, "description").unwrap_or_default(),
        settled_on: value_text(&body, "settled_on"),
        installments: installments.into_iter().map(|(_, i)| i).collect(),
    }
}

/// Open items first, then by the day found, newest first.
fn sorted_ledger(mut items: Vec<LedgerItem>) -> Vec<LedgerItem> {
    items.sort_by(|a, b| {
        a.settled_on
            .is_some()
            .cmp(&b.settled_on.is_some())
            .then_with(|| b.date.cmp(&a.date))
            .then_with(|| a.id.cmp(&b.id))
    });
    items
}

/// An installment's progress on `today`, in the terms of `gov-integrity`
/// GI2: paid in full on or before its due date, or not; one due today or
/// later is not late yet.
fn installment_state(
    due: Option<jiff::civil::Date>,
    amount: f64,
    paid_on: Option<jiff::civil::Date>,
    paid: Option<f64>,
    today: jiff::civil::Date,
) -> &'static str {
    let in_full = paid.is_some_and(|p| p >= amount);
    let Some(due) = due else {
        return "应还日期不明";
    };
    match paid_on {
        Some(on) if on <= due && in_full => "按期足额偿还",
        _ if due >= today => {
            if paid.is_some_and(|p| p > 0.0) {
                "部分偿还，未到期"
            } else {
                "未到期"
            }
        }
        None => "逾期未还",
        Some(on) if on > due && in_full => "逾期偿还",
        Some(on) if on > due => "逾期且未足额偿还",
        Some(_) => "未足额偿还",
    }
}

fn amount(kind: &str, body: &Map<String, Value>) -> Option<f64> {
    let n = |k: &str| body.get(k).and_then(Value::as_f64);
    match kind {
        "penalty" => match (n("fine_cny"), n("confiscation_cny")) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        },
        "judgment" | "arrears" | "financing_need" | "gov_ledger" => n("amount_cny"),
        _ => None,
    }
}

/// The model of a `yingkou-composite` line: its version when installed,
/// else the version in force today.
fn headline_model<'s>(
    id: &str,
    line: &Value,
    set: &'s ModelSet,
    today: jiff::civil::Date,
) -> Option<&'s Model> {
    let version = line
        .get("model_version")
        .and_then(Value::as_str)
        .unwrap_or_default();
    set.models()
        .iter()
        .find(|m| m.id == id && m.version == version)
        .or_else(|| {
            set.find(id, xinyong_core::time::days_since_epoch(today))
                .map(|i| set.model(i))
        })
}

/// The comprehensive grade of a `yingkou-composite` line, with its
/// dimensions (the weighted points of each dimension's indicators).
fn grade_of(id: &str, line: &Value, model: Option<&Model>) -> Option<Grade> {
    let grade = line.get("grade").and_then(Value::as_str)?;
    let score = line.get("score").and_then(Value::as_f64)?;
    let version = line
        .get("model_version")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let points: HashMap<&str, f64> = reasons(line)
        .filter_map(|r| {
            Some((
                r.get("rule")?.as_str()?,
                r.get("points").and_then(Value::as_f64)?,
            ))
        })
        .collect();
    let dimensions = model.map_or_else(Vec::new, |m| {
        m.dimensions()
            .into_iter()
            .map(|d| Dimension {
                name_zh: d.label.to_owned(),
                score: d
                    .indicators
                    .iter()
                    .filter_map(|i| points.get(i))
                    .sum::<f64>(),
                max: d.max,
            })
            .collect()
    });
    Some(Grade {
        score,
        grade: grade.to_owned(),
        model_version: match model {
            Some(m) => format!("{}（{id} {version}）", m.name),
            None => format!("{id} {version}"),
        },
        dimensions,
    })
}

fn reasons(line: &Value) -> impl Iterator<Item = &Value> {
    line.get("reasons")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// Earlier comprehensive grades, newest first: one per as-of date (the
/// latest run of that date), none after today.
fn grade_history(
    model: &str,
    results: &[xinyong_engine::history::StoredResult],
    today: jiff::civil::Date,
) -> Vec<GradeChange> {
    let today = today.to_string();
    let mut by_day: BTreeMap<&str, (&str, Option<f64>)> = BTreeMap::new();
    for r in results
        .iter()
        .filter(|r| r.record_id.is_none() && r.model == model && r.as_of <= today)
    {
        if let Some(grade) = r.outcome.as_deref() {
            by_day.insert(&r.as_of, (grade, r.score));
        }
    }
    by_day
        .into_iter()
        .rev()
        .take(HISTORY_ENTRIES)
        .map(|(as_of, (grade, score))| GradeChange {
            as_of: as_of.to_owned(),
            grade: grade.to_owned(),
            score,
        })
        .collect()
}

/// A classification (or list, eligibility) result as the report states it.
fn class_line(c: &Catalogue, id: &str, summary: Option<&ModelSummary>, line: &Value) -> ClassLine {
    let label = |code: &str| {
        summary
            .and_then(|m| m.label(code))
            .map_or_else(|| code.to_owned(), str::to_owned)
    };
    let outcome_zh = if let Some(class) = line.get("class").and_then(Value::as_str) {
        label(class)
    } else if let Some(lists) = line.get("lists").and_then(Value::as_array) {
        let names: Vec<String> = lists
            .iter()
            .filter_map(Value::as_str)
            .map(|l| c.list(l).map_or_else(|| label(l), |x| x.name_zh.to_owned()))
            .collect();
        if names.is_empty() {
            "未列入名单".to_owned()
        } else {
            format!("列入{}", names.join("、"))
        }
    } else if let Some(eligible) = line.get("eligible").and_then(Value::as_bool) {
        (if eligible {
            "符合条件"
        } else {
            "不符合条件"
        })
        .to_owned()
    } else if let Some(grade) = line.get("grade").and_then(Value::as_str) {
        label(grade)
    } else {
        "—".to_owned()
    };
    ClassLine {
        model_name_zh: summary.map_or_else(|| id.to_owned(), |m| m.name.clone()),
        outcome_zh,
        // Eligibility: the conditions not met (the others are no reason).
        reasons: reasons(line)
            .filter(|r| r.get("satisfied").and_then(Value::as_bool) != Some(true))
            .filter_map(|r| r.get("text").and_then(Value::as_str))
            .map(str::to_owned)
            .collect(),
    }
}

/// The advice of one reason: its rule, text, records and end; `fallback`
/// is the action when the records it cites say nothing more specific.
fn advice(
    model: &str,
    reason: &Value,
    kinds: &HashMap<&str, &str>,
    fallback: Option<String>,
) -> Option<Advice> {
    let rule = reason.get("rule").and_then(Value::as_str)?;
    let records: Vec<String> = reason
        .get("records")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    let cited: Vec<&str> = records
        .iter()
        .filter_map(|id| kinds.get(id.as_str()).copied())
        .collect();
    Some(Advice {
        rule: format!("{model}/{rule}"),
        text_zh: reason
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        stops_on: reason
            .get("stops_on")
            .and_then(Value::as_str)
            .map(str::to_owned),
        action_zh: match (action_by_kind(&cited), fallback) {
            (Some(a), _) => a.to_owned(),
            (None, Some(f)) => f,
            (None, None) => GENERAL_ACTION.to_owned(),
        },
        records,
    })
}

/// The comprehensive grade's indicators that do not give their full points
/// (most points lost first), and the vetoes that cap the grade.
/// Advice for every indicator of a scoring model below its maximum (a
/// deduction's maximum is 0), the largest loss first.
fn points_advice(
    id: &str,
    line: &Value,
    model: Option<&Model>,
    kinds: &HashMap<&str, &str>,
) -> Vec<Advice> {
    let mut lost: Vec<(f64, Advice)> = reasons(line)
        .filter_map(|r| {
            let points = r.get("points").and_then(Value::as_f64);
            let max = r.get("max_points").and_then(Value::as_f64);
            let (gap, fallback) = match (points, max) {
                (Some(p), Some(max)) if p < max => {
                    let rule = r.get("rule").and_then(Value::as_str).unwrap_or_default();
                    let label = model.and_then(|m| m.indicator_label(rule));
                    let fallback = label.map(|l| {
                        format!(
                            "改善“{l}”项（当前 {} 分，满分 {} 分）：依法诚信经营，积累该项的良好信用记录",
                            points_text(p),
                            points_text(max)
                        )
                    });
                    (max - p, fallback)
                }
                (Some(_), _) => return None,
                // A reason without points is a veto capping the grade.
                (None, _) => (f64::INFINITY, None),
            };
            Some((gap, advice(id, r, kinds, fallback)?))
        })
        .collect();
    lost.sort_by(|a, b| b.0.total_cmp(&a.0));
    lost.into_iter().map(|(_, a)| a).collect()
}

/// The rules of a better outcome that do not hold (`blocked_by`).
fn blocked_advice(model: &str, line: &Value, kinds: &HashMap<&str, &str>) -> Vec<Advice> {
    line.get("blocked_by")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| advice(model, r, kinds, None))
        .collect()
}

/// Points as written on a report: at most two decimals.
fn points_text(p: f64) -> String {
    let r = (p * 100.0).round() / 100.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.2}").trim_end_matches('0').to_owned()
    }
}

/// What the subject can do when nothing more specific is known.
const GENERAL_ACTION: &str =
    "保持守法诚信经营，积累良好信用记录（如依法纳税、按时年报、签署并履行信用承诺、获得表彰奖励）";

/// What the subject can do about a rule, by the kinds of the records it
/// cites (`None` when they say nothing specific).
fn action_by_kind(kinds: &[&str]) -> Option<&'static str> {
    const BY_KIND: &[(&str, &str)] = &[
        (
            "penalty",
            "履行行政处罚决定并完成整改；符合条件的，可依法申请信用修复",
        ),
        (
            "list_entry",
            "纠正导致列入名单的情形，依法申请移出名单或信用修复",
        ),
        (
            "arrears",
            "尽快补缴欠缴的税费、社会保险费、住房公积金或公用事业费",
        ),
        ("judgment", "依法履行生效法律文书确定的义务"),
        ("commitment", "严格履行已作出的信用承诺"),
        ("correction_order", "在责令期限内完成改正并报送改正情况"),
        ("false_materials", "如实提供申请材料，杜绝弄虚作假"),
        ("accident", "落实安全生产主体责任，防范事故发生"),
        ("inspection", "配合监督检查，及时整改发现的问题"),
        ("bad_conduct", "规范经营行为，避免再次产生不良行为记录"),
        ("tax_rating", "依法诚信纳税，争取提升纳税信用等级"),
        ("annual_report", "按时报送并公示年度报告"),
        (
            "gov_ledger",
            "制定并严格执行还款计划，按期足额偿还拖欠款项，兑现政策承诺、履行合同约定，及时办结台账问题",
        ),
    ];
    BY_KIND
        .iter()
        .find(|(k, _)| kinds.contains(k))
        .map(|(_, a)| *a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installments_progress_follows_gi2_at_and_around_the_due_date() {
        let d = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
        let due = Some(d("2024-03-31"));
        let state = |paid_on: Option<&str>, paid: Option<f64>, today: &str| {
            installment_state(due, 1000.0, paid_on.map(d), paid, d(today))
        };
        // Paid in full on the due date: on time, whenever asked.
        assert_eq!(
            state(Some("2024-03-31"), Some(1000.0), "2024-06-01"),
            "按期足额偿还"
        );
        assert_eq!(
            state(Some("2024-03-01"), Some(1200.0), "2024-03-02"),
            "按期足额偿还"
        );
        // Due today or later and unpaid: not late yet; the day after: late.
        assert_eq!(state(None, None, "2024-03-31"), "未到期");
        assert_eq!(state(None, None, "2024-04-01"), "逾期未还");
        assert_eq!(
            state(Some("2024-03-10"), Some(400.0), "2024-03-31"),
            "部分偿还，未到期"
        );
        // Paid a day late, in full; paid short on time; both.
        assert_eq!(
            state(Some("2024-04-01"), Some(1000.0), "2024-05-01"),
            "逾期偿还"
        );
        assert_eq!(
            state(Some("2024-03-31"), Some(999.99), "2024-05-01"),
            "未足额偿还"
        );
        assert_eq!(
            state(Some("2024-04-02"), Some(10.0), "2024-05-01"),
            "逾期且未足额偿还"
        );
        assert_eq!(
            installment_state(None, 1.0, None, None, d("2024-01-01")),
            "应还日期不明"
        );
    }

    #[test]
    fn agencies_get_the_gov_integrity_report_others_the_credit_report() {
        assert_eq!(
            headline("government_agency"),
            (ReportKind::GovIntegrity, "gov-integrity")
        );
        assert_eq!(
            headline("enterprise"),
            (ReportKind::Credit, "yingkou-composite")
        );
        assert_eq!(
            headline("public_institution"),
            (ReportKind::Credit, "yingkou-composite")
        );
    }

    #[test]
    fn numbers_are_prefixed_dated_and_random() {
        let day = jiff::civil::date(2026, 6, 30);
        let a = new_number(day);
        let b = new_number(day);
        assert_eq!(a.len(), REPORT_NUMBER_CHARS);
        assert!(a.starts_with("XY20260630"), "{a}");
        assert_ne!(a, b);
        assert_eq!(parse_report_number(&a).as_deref(), Some(a.as_str()));
        for c in a[10..].bytes() {
            assert!(CROCKFORD.contains(&c), "{a}");
        }
    }

    #[test]
    fn typed_numbers_are_read_leniently_and_others_refused() {
        assert_eq!(
            parse_report_number(" xy20260630abcdefghjkmnpqrs ").as_deref(),
            Some("XY20260630ABCDEFGHJKMNPQRS")
        );
        // Crockford's look-alikes.
        assert_eq!(
            parse_report_number("XY20260630OIL0000000000000").as_deref(),
            Some("XY202606300110000000000000")
        );
        for bad in [
            "",
            "XY2026063",
            "AB20260630ABCDEFGHJKMNPQRS",
            "XY2026O630ABCDEFGHJKMNPQRS",
            "XY20260630ABCDEFGHJKMNPQRU",
            "XY20260630ABCDEFGHJKMNPQR!",
            "XY20260630ABCDEFGHJKMNPQRSS",
            "XY20260630ＡBCDEFGHJKMNPQ",
        ] {
            assert_eq!(parse_report_number(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn advice_follows_the_kinds_cited() {
        assert!(action_by_kind(&["penalty"]).unwrap().contains("信用修复"));
        assert!(
            action_by_kind(&["honor", "arrears"])
                .unwrap()
                .contains("补缴")
        );
        assert_eq!(action_by_kind(&["honor"]), None);
        assert_eq!(action_by_kind(&[]), None);
        assert_eq!(points_text(40.0), "40");
        assert_eq!(points_text(12.5), "12.5");
    }

    #[test]
    fn penalty_amounts_add_fine_and_confiscation() {
        let body: Map<String, Value> =
            serde_json::from_str(r#"{"fine_cny": 1000, "confiscation_cny": 250.5}"#).unwrap();
        assert_eq!(amount("penalty", &body), Some(1250.5));
        assert_eq!(amount("penalty", &Map::new()), None);
        assert_eq!(amount("honor", &body), None);
    }
}
