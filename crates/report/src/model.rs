//! The data of one credit report: plain values, all text already in Chinese.
//!
//! The application layer fills these from the store and the evaluation
//! results; this crate only lays them out. Every string is shown literally
//! (it is never read as typst markup).

use serde::{Deserialize, Serialize};

/// Everything one report shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportData {
    /// The report number (报告编号), printed on every page and encoded in the
    /// verification link.
    pub number: String,
    /// The issue date (出具日期), `YYYY-MM-DD`; also the PDF's creation date,
    /// so the same data always gives the same bytes.
    pub issued_on: String,
    /// The verification page of this report; the QR code on the cover points
    /// here.
    pub verify_url: String,
    pub subject: Subject,
    /// The comprehensive grade (`yingkou-composite`), when the subject has one.
    #[serde(default)]
    pub grade: Option<Grade>,
    /// Earlier grades, in the order to show (usually newest first).
    #[serde(default)]
    pub grade_history: Vec<GradeChange>,
    /// Classification results (`anhui-class`, `tianjin-risk`, …); empty for
    /// audiences that may not see them, and then the section is left out.
    #[serde(default)]
    pub classes: Vec<ClassLine>,
    /// The subject's records, one group per record kind.
    #[serde(default)]
    pub records: Vec<RecordGroup>,
    /// Current list memberships (red, black, abnormal, watch lists).
    #[serde(default)]
    pub lists: Vec<ListMembership>,
    /// Signed commitments (信用承诺).
    #[serde(default)]
    pub commitments: Vec<RecordRow>,
    /// What the subject can do to improve: the failing rules.
    #[serde(default)]
    pub advice: Vec<Advice>,
    /// Which report this is: the enterprise's credit report or an agency's
    /// 政务诚信评价报告.
    #[serde(default)]
    pub kind: ReportKind,
    /// An agency's items of the government-dishonesty ledger with their
    /// repayment plans (政务诚信评价报告 only).
    #[serde(default)]
    pub ledger: Vec<LedgerItem>,
}

/// Which report: the titles and headings follow it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// 信用体检报告 (公共信用信息报告) of an enterprise.
    #[default]
    Credit,
    /// 政务诚信评价报告 of a government agency.
    GovIntegrity,
}

/// One item of the government-dishonesty ledger (政府失信问题台账).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerItem {
    pub id: String,
    /// The day the item was found, `YYYY-MM-DD`.
    pub date: String,
    /// e.g. 拖欠企业账款.
    pub category_zh: String,
    #[serde(default)]
    pub amount_cny: Option<f64>,
    #[serde(default)]
    pub description: String,
    /// The day it was settled (办结), `YYYY-MM-DD`; none: open.
    #[serde(default)]
    pub settled_on: Option<String>,
    /// The repayment plan and its progress, by due date.
    #[serde(default)]
    pub installments: Vec<Installment>,
}

/// One installment of a repayment plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Installment {
    /// `YYYY-MM-DD`.
    pub due_on: String,
    pub amount_cny: f64,
    #[serde(default)]
    pub paid_on: Option<String>,
    #[serde(default)]
    pub paid_cny: Option<f64>,
    /// e.g. 按期足额偿还, 逾期未还, 未到期.
    pub state_zh: String,
}

/// Basic information about the subject (基本信息).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    /// The unified social credit code (统一社会信用代码).
    pub uscc: String,
    pub name: String,
    /// e.g. 有限责任公司, 个体工商户.
    pub subject_type_zh: String,
    pub region: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub established_on: Option<String>,
    /// e.g. 存续, 注销.
    pub status_zh: String,
}

/// The comprehensive grade and its dimensions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grade {
    /// 0–1000.
    pub score: f64,
    /// `A`, `B`, `C` or `D`.
    pub grade: String,
    /// e.g. `yingkou-composite 1`.
    pub model_version: String,
    /// The dimensions in order (基本情况, 财税情况, 行政监管, 司法监管,
    /// 社会责任); drawn as a radar chart when there are three or more.
    pub dimensions: Vec<Dimension>,
}

/// One dimension of the comprehensive grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dimension {
    pub name_zh: String,
    pub score: f64,
    pub max: f64,
}

/// One earlier grade (评价等级历史).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeChange {
    /// `YYYY-MM-DD`.
    pub as_of: String,
    pub grade: String,
    #[serde(default)]
    pub score: Option<f64>,
}

/// One classification result with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassLine {
    /// e.g. 企业信用分类（安徽）.
    pub model_name_zh: String,
    /// e.g. 守信, 警示.
    pub outcome_zh: String,
    /// The Chinese text of each rule that held.
    #[serde(default)]
    pub reasons: Vec<String>,
}

/// The records of one kind (e.g. 行政处罚).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordGroup {
    pub kind_zh: String,
    pub rows: Vec<RecordRow>,
}

/// One record (or one commitment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordRow {
    pub id: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub summary: String,
    /// An amount in yuan (fine, confiscation, arrears), printed with
    /// thousands separators; the column is shown when a row of the group has
    /// one.
    #[serde(default)]
    pub amount_cny: Option<f64>,
    /// e.g. 公示中, 已修复, 异议处理中.
    pub status_zh: String,
    /// The last day the record is displayed (for a commitment: its due date).
    #[serde(default)]
    pub display_until: Option<String>,
}

/// A current list membership.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListMembership {
    pub name_zh: String,
    /// `YYYY-MM-DD`.
    pub listed_on: String,
}

/// One improvement advice: a failing rule and what to do about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advice {
    /// The rule id, e.g. `yingkou-composite/V3`.
    pub rule: String,
    /// The rule's Chinese text (why it holds).
    pub text_zh: String,
    /// The ids of the records behind it.
    #[serde(default)]
    pub records: Vec<String>,
    /// The first day the rule stops holding by itself, `YYYY-MM-DD`.
    #[serde(default)]
    pub stops_on: Option<String>,
    /// What the subject can do.
    pub action_zh: String,
}
