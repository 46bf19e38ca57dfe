//! The credit office's briefing (工作简报, PRODUCT.md C14; seed 002): for a
//! month or a quarter, the period's key figures, the table per district or
//! park (by the subjects' `region`), the table per department with seed
//! 002's columns, the open items of the government dishonesty ledger, and
//! the sections the office writes by hand (the national city ranking, news,
//! further highlights). Exported as PDF (typst, CJK font embedded) and XLSX,
//! archived append-only with its number (`2026年第11期`; a re-issue is a new
//! number), period, day, author and each file's SHA-256; every issue is
//! audited ("briefing.issue").
//!
//! A column the platform cannot compute from its own data is shown as "—"
//! and named in the briefing's notes, never invented. What each computed
//! column counts:
//! - records (行政处罚 = `penalty`, 行政许可 = `license`, 信用信息 = every
//!   kind): first received in the period, as the dashboard counts them;
//!   上报数量（累计）: received up to the period's end; 数据总量: the sum of
//!   the row's figures, as in seed 002;
//! - 联合惩戒 / 联合激励 per department: its feedback in the period reporting
//!   a punishment / incentive measure applied; per district: subjects of
//!   the district to which two or more departments reported measures of
//!   that type in the period (两个以上部门联合);
//! - 信用承诺: commitments (告知承诺 / 信用承诺 cases) opened in the period;
//! - 退出黑名单: entries of black lists removed in the period;
//! - 完成信用修复企业: subjects whose repair was approved in the period;
//! - government dishonesty: current records of kind `gov_ledger` dated up
//!   to the period's end, not withdrawn and not settled by then
//!   (`settled_on` absent or later).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::json;
use xinyong_core::catalog::RecordKind;
use xinyong_report::briefing::{BriefingData, Figure};
use xinyong_store::{CaseFilter, ListEntryFilter, NewBriefing, NewBriefingFile, StoredBriefing};

use crate::access::{Operation, authorise};
use crate::audit::AuditEvent;
use crate::dashboard::{Cell, DataTable, Period};
use crate::{App, AppError, ErrorCode, Principal};

/// The longest hand-written section, in characters.
pub const MAX_SECTION_CHARS: usize = 20_000;

/// Briefings a page lists.
pub const MAX_BRIEFINGS_LISTED: u32 = 200;

/// What the office asks for: the period and the hand-written sections.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct BriefingRequest {
    /// `YYYY-MM` or `YYYY-Qn`.
    pub period: String,
    /// 重要提示 written by hand, one per line (added after the computed ones).
    #[serde(default)]
    pub highlights: String,
    /// 全国城市信用排名, as written (paragraphs separated by line breaks).
    #[serde(default)]
    pub ranking: String,
    /// 工作动态 / news, as written.
    #[serde(default)]
    pub news: String,
}

/// An archived file of a briefing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BriefingFileInfo {
    /// `pdf` or `xlsx`.
    pub format: String,
    pub sha256: String,
    pub bytes: u64,
}

/// An archived briefing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BriefingInfo {
    pub id: i64,
    /// `2026年第11期`.
    pub number: String,
    pub period: String,
    pub issued_on: String,
    pub generated_by: String,
    /// RFC 3339, UTC.
    pub generated_at: String,
    pub files: Vec<BriefingFileInfo>,
}

/// A downloaded briefing file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BriefingDownload {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The computed part of a briefing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BriefingContent {
    pub period: Period,
    pub highlights: Vec<String>,
    pub figures: Vec<Figure>,
    /// Per district or park, per department, open government items.
    pub districts: DataTable,
    pub departments: DataTable,
    pub government: DataTable,
    pub notes: Vec<String>,
}

/// Names of the region codes of the platform's city (GB/T 2260), for the
/// district table; another code is shown as it is.
const REGION_NAMES: &[(&str, &str)] = &[
    ("210802", "站前区"),
    ("210803", "西市区"),
    ("210804", "鲅鱼圈区"),
    ("210811", "老边区"),
    ("210881", "盖州市"),
    ("210882", "大石桥市"),
];

fn region_name(code: Option<&str>) -> String {
    match code {
        None | Some("") => "（未填写地区）".to_owned(),
        Some(c) => REGION_NAMES
            .iter()
            .find(|(k, _)| *k == c)
            .map_or_else(|| c.to_owned(), |(_, n)| format!("{n}（{c}）")),
    }
}

fn day_of(text: &str) -> Option<jiff::civil::Date> {
    text.get(..10)?.parse().ok()
}

/// The department table's columns in seed 002's order: `Some(key)` for a
/// column computed under that key, `None` for one the platform cannot fill.
const DEPARTMENT_COLUMNS: &[(&str, Option<&str>)] = &[
    ("行政处罚", Some("penalty")),
    ("行政许可", Some("license")),
    ("开展行业信用监管的领域", None),
    ("联合惩戒案例", Some("punished")),
    ("失信主体主动参加信用修复培训的案例", None),
    ("失信主体以注销、吊销等形式退出黑名单的案例", None),
    (
        "失信主体在信用中国或信用网站主动开展信用承诺的案例",
        Some("commitments"),
    ),
    ("失信主体在限期内主动修正失信行为后退出黑名单的案例", None),
    ("退出黑名单（合计）", Some("exits")),
    ("信用修复标准或规范", None),
    ("参加信用修复培训企业数", None),
    ("失信主体提交信用报告情况", None),
    ("失信提示、警示约谈情况", None),
    ("完成信用修复企业", Some("repaired")),
    ("国家黑名单结果反馈", None),
    ("诚信建设万里行", None),
    ("信易贷工作进展情况", None),
    ("信易+应用情况", None),
    ("政府使用信用产品的种类", None),
    ("营商环境建设情况", None),
    ("信用信息", Some("records")),
    ("信用信息平台上报数量（累计数量）", Some("cumulative")),
];

/// The district table's columns (seed 002), likewise.
const DISTRICT_COLUMNS: &[(&str, Option<&str>)] = &[
    ("开展行业信用监管的领域", None),
    ("开展行业信用评价企业数量", Some("subjects")),
    ("信用承诺书", Some("commitments")),
    (
        "两个以上部门联合对失信主体实施失信惩戒措施的案例",
        Some("joint_punished"),
    ),
    (
        "两个以上部门联合对守信主体实施守信激励措施的案例",
        Some("joint_rewarded"),
    ),
    ("失信主体退出黑名单的案例", Some("exits")),
    (
        "依托媒体、校园、企业、街道社区、村镇等渠道开展宣传活动情况",
        None,
    ),
    ("“诚信建设万里行”案例情况", None),
];

type Counts = BTreeMap<String, BTreeMap<&'static str, u64>>;

fn bump(map: &mut Counts, row: &str, key: &'static str, n: u64) {
    *map.entry(row.to_owned())
        .or_default()
        .entry(key)
        .or_default() += n;
}

fn thousands(n: u64) -> String {
    xinyong_core::display::thousands(u128::from(n))
}

fn info(b: StoredBriefing) -> BriefingInfo {
    BriefingInfo {
        id: b.id,
        number: b.number,
        period: b.period,
        issued_on: b.issued_on,
        generated_by: b.generated_by,
        generated_at: b.generated_at,
        files: b
            .files
            .into_iter()
            .map(|f| BriefingFileInfo {
                format: f.format,
                sha256: f.sha256,
                bytes: f.bytes,
            })
            .collect(),
    }
}

/// Paragraphs of a hand-written section: its non-blank lines, trimmed.
fn paragraphs(field: &str, text: &str) -> Result<Vec<String>, AppError> {
    if text.chars().count() > MAX_SECTION_CHARS {
        return Err(AppError::invalid(
            field,
            format!("{field} 最多 {MAX_SECTION_CHARS} 个字符"),
        ));
    }
    if text.contains('\0') {
        return Err(AppError::invalid(
            field,
            format!("{field} 含有不可见的控制字符"),
        ));
    }
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

impl App {
    /// The computed part of the briefing of `period` (admin).
    pub async fn briefing_content(
        &self,
        by: &Principal,
        period: &Period,
    ) -> Result<BriefingContent, AppError> {
        authorise(by, Operation::IssueBriefings)?;
        let dash = self.department_dashboard(by, period).await?;
        let (from, to) = period.instants();
        let last = period.last_day();

        // Per department and per subject.
        let mut dept: Counts = BTreeMap::new();
        let mut subject_events: Vec<(String, &'static str)> = Vec::new();
        for row in &dash.rows {
            for (kind, key) in [("penalty", "penalty"), ("license", "license")] {
                bump(
                    &mut dept,
                    &row.source,
                    key,
                    row.received.get(kind).copied().unwrap_or(0),
                );
            }
            bump(&mut dept, &row.source, "records", row.received_total);
            bump(&mut dept, &row.source, "cumulative", row.cumulative_total);
        }
        // Measures applied: punishment and incentive, per department and
        // per subject (for the joint cases of the districts).
        let catalogue = crate::credit_checks::measures_catalogue()?;
        let kind_of: HashMap<&str, xinyong_measures::MeasureType> = catalogue
            .measures()
            .iter()
            .map(|m| (m.id.as_str(), m.kind))
            .collect();
        let mut joint: BTreeMap<(String, &'static str), BTreeSet<String>> = BTreeMap::new();
        let (mut punished_total, mut rewarded_total) = (0u64, 0u64);
        for f in self.store.feedback_between(from, to).await? {
            let applied: Vec<String> = serde_json::from_str(&f.applied).unwrap_or_default();
            let punish = applied.iter().any(|m| {
                kind_of.get(m.as_str()) == Some(&xinyong_measures::MeasureType::Punishment)
            });
            let reward = applied.iter().any(|m| {
                kind_of.get(m.as_str()) == Some(&xinyong_measures::MeasureType::Incentive)
            });
            if punish {
                bump(&mut dept, &f.department, "punished", 1);
                punished_total += 1;
                joint
                    .entry((f.subject.clone(), "joint_punished"))
                    .or_default()
                    .insert(f.department.clone());
            }
            if reward {
                rewarded_total += 1;
                joint
                    .entry((f.subject.clone(), "joint_rewarded"))
                    .or_default()
                    .insert(f.department.clone());
            }
        }
        for ((subject, key), departments) in &joint {
            if departments.len() >= 2 {
                subject_events.push((subject.clone(), *key));
            }
        }
        // Commitments opened and repairs approved in the period.
        let (mut commitments, mut repaired_total) = (0u64, BTreeSet::new());
        let mut repaired: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for c in self.store.cases(&CaseFilter::default()).await? {
            match c.kind.as_str() {
                "commitment" if day_of(&c.opened_on).is_some_and(|d| period.contains(d)) => {
                    bump(&mut dept, &c.department, "commitments", 1);
                    subject_events.push((c.subject.clone(), "commitments"));
                    commitments += 1;
                }
                "repair" if c.status == "approved" => {
                    let item = self.item_of(&c)?;
                    let decided = item.decision.as_ref().and_then(|d| day_of(&d.on));
                    if decided.is_some_and(|d| period.contains(d)) {
                        repaired
                            .entry(c.department.clone())
                            .or_default()
                            .insert(c.subject.clone());
                        repaired_total.insert(c.subject.clone());
                    }
                }
                _ => {}
            }
        }
        for (d, subjects) in &repaired {
            bump(&mut dept, d, "repaired", subjects.len() as u64);
        }
        // Exits from black lists.
        let blacklists: Vec<String> = crate::lists::lists_catalogue()
            .into_iter()
            .filter(|l| l.category == "blacklist")
            .map(|l| l.id)
            .collect();
        let mut exits = 0u64;
        if !blacklists.is_empty() {
            let mut offset = 0;
            loop {
                let (page, _) = self
                    .store
                    .list_entries(&ListEntryFilter {
                        lists: blacklists.clone(),
                        statuses: vec!["removed".into()],
                        from_day: Some(period.first.clone()),
                        to_day: Some(period.last.clone()),
                        limit: 1000,
                        offset,
                        ..ListEntryFilter::default()
                    })
                    .await?;
                for e in &page {
                    bump(&mut dept, &e.department, "exits", 1);
                    subject_events.push((e.subject.clone(), "exits"));
                    exits += 1;
                }
                if page.len() < 1000 {
                    break;
                }
                offset += 1000;
            }
        }

        // Districts: subjects per region, and the events of their subjects.
        let mut districts: Counts = BTreeMap::new();
        let mut order: Vec<Option<String>> = Vec::new();
        let mut subjects_total = 0u64;
        for (region, n) in self.subjects_by_region().await?.iter() {
            bump(
                &mut districts,
                &region_name(region.as_deref()),
                "subjects",
                *n,
            );
            subjects_total += n;
            order.push(region.clone());
        }
        let usccs: Vec<String> = subject_events
            .iter()
            .map(|(s, _)| s.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let regions: HashMap<String, Option<String>> = self
            .store
            .subjects_in(&usccs)
            .await?
            .into_iter()
            .map(|s| {
                let region = s
                    .body
                    .get("region")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned);
                (s.uscc, region)
            })
            .collect();
        for (subject, key) in &subject_events {
            let region = regions.get(subject).cloned().flatten();
            if !order.contains(&region) {
                order.push(region.clone());
            }
            bump(&mut districts, &region_name(region.as_deref()), key, 1);
        }
        order.sort();
        order.dedup();

        // The tables.
        let cell = |counts: &Counts, row: &str, key: Option<&str>| match key {
            Some(k) => Cell::Count(counts.get(row).and_then(|m| m.get(k)).copied().unwrap_or(0)),
            None => Cell::Missing,
        };
        let c = self.catalogue();
        let mut dept_rows: Vec<String> = dash.rows.iter().map(|r| r.source.clone()).collect();
        for code in dept.keys() {
            if !dept_rows.contains(code) {
                dept_rows.push(code.clone());
            }
        }
        let rank = |code: &str| {
            c.departments
                .iter()
                .position(|d| d.code == code)
                .unwrap_or(usize::MAX)
        };
        dept_rows.sort_by(|a, b| (rank(a), a).cmp(&(rank(b), b)));
        let mut department_columns = vec!["部门名称".to_owned()];
        department_columns.extend(DEPARTMENT_COLUMNS.iter().map(|(h, _)| (*h).to_owned()));
        department_columns.push("数据总量".to_owned());
        let department_row = |name: String, code: &str, counts: &Counts| {
            let mut cells = vec![Cell::Text(name)];
            let mut sum = 0;
            for (_, key) in DEPARTMENT_COLUMNS {
                let v = cell(counts, code, *key);
                if let Cell::Count(n) = v {
                    sum += n;
                }
                cells.push(v);
            }
            cells.push(Cell::Count(sum));
            cells
        };
        let mut total_counts: Counts = BTreeMap::new();
        for m in dept.values() {
            for (k, n) in m {
                bump(&mut total_counts, "", k, *n);
            }
        }
        let mut department_rows: Vec<Vec<Cell>> = dept_rows
            .iter()
            .map(|code| {
                let name = c
                    .department_name(code)
                    .map_or_else(|| code.clone(), str::to_owned);
                department_row(name, code, &dept)
            })
            .collect();
        department_rows.push(department_row("合计".to_owned(), "", &total_counts));
        let departments = DataTable {
            title: format!("{}各部门数据报送情况统计表", period.label),
            columns: department_columns,
            rows: department_rows,
        };
        let mut district_columns = vec!["地区".to_owned()];
        district_columns.extend(DISTRICT_COLUMNS.iter().map(|(h, _)| (*h).to_owned()));
        let districts_table = DataTable {
            title: format!("{}各县（市）区、园区数据报送情况统计表", period.label),
            columns: district_columns,
            rows: order
                .iter()
                .map(|region| {
                    let name = region_name(region.as_deref());
                    let mut cells = vec![Cell::Text(name.clone())];
                    cells.extend(
                        DISTRICT_COLUMNS
                            .iter()
                            .map(|(_, k)| cell(&districts, &name, *k)),
                    );
                    cells
                })
                .collect(),
        };

        // The government dishonesty ledger: open at the period's end.
        let mut open = Vec::new();
        for r in self
            .store
            .records_of_kind(RecordKind::GovLedger.as_str())
            .await?
        {
            let withdrawn = r.body.get("withdrawn").and_then(|v| v.as_bool()) == Some(true);
            if r.date > last || withdrawn {
                continue;
            }
            let settled = r
                .body
                .get("settled_on")
                .and_then(|v| v.as_str())
                .and_then(day_of);
            if settled.is_some_and(|d| d <= last) {
                continue;
            }
            open.push(r);
        }
        let agencies: HashMap<String, String> = self
            .store
            .subjects_in(
                &open
                    .iter()
                    .map(|r| r.subject.clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect::<Vec<_>>(),
            )
            .await?
            .into_iter()
            .map(|s| (s.uscc, s.name))
            .collect();
        let text = |r: &xinyong_store::StoredRecord, f: &str| {
            r.body
                .get(f)
                .map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .map_or(Cell::Missing, Cell::Text)
        };
        let government = DataTable {
            title: format!("截至{}待治理的政府失信记录", period.last),
            columns: [
                "机关名称",
                "统一社会信用代码",
                "类别",
                "金额（元）",
                "事由",
                "记录日期",
                "报送部门",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows: open
                .iter()
                .map(|r| {
                    vec![
                        Cell::Text(
                            agencies
                                .get(&r.subject)
                                .cloned()
                                .unwrap_or_else(|| r.subject.clone()),
                        ),
                        Cell::text(&r.subject),
                        match text(r, "category") {
                            Cell::Text(code) => Cell::Text(
                                self.catalogue()
                                    .value_label_zh(
                                        RecordKind::GovLedger.as_str(),
                                        "category",
                                        &code,
                                    )
                                    .map_or(code, str::to_owned),
                            ),
                            other => other,
                        },
                        r.body
                            .get("amount_cny")
                            .and_then(serde_json::Value::as_f64)
                            .and_then(xinyong_core::display::money)
                            .map_or(Cell::Missing, Cell::Text),
                        text(r, "description"),
                        Cell::Text(r.date.to_string()),
                        Cell::Text(
                            c.department_name(&r.source)
                                .map_or_else(|| r.source.clone(), str::to_owned),
                        ),
                    ]
                })
                .collect(),
        };

        // Key figures and highlights.
        let t = &dash.total;
        let xyd = self
            .xinyidai_statistics(
                by,
                period.months.first().map(String::as_str),
                period.months.last().map(String::as_str),
            )
            .await?;
        let rate = (t.on_time + t.late > 0).then(|| {
            format!(
                "{:.1} %",
                t.on_time as f64 * 100.0 / (t.on_time + t.late) as f64
            )
        });
        let n = thousands;
        let figures = vec![
            Figure {
                label: "本期报送信用记录（条）".into(),
                value: n(t.received_total),
            },
            Figure {
                label: "其中：行政处罚（条）".into(),
                value: n(t.received.get("penalty").copied().unwrap_or(0)),
            },
            Figure {
                label: "其中：行政许可（条）".into(),
                value: n(t.received.get("license").copied().unwrap_or(0)),
            },
            Figure {
                label: "累计报送信用记录（条）".into(),
                value: n(t.cumulative_total),
            },
            Figure {
                label: "按时报送率（7 个工作日内）".into(),
                value: rate.unwrap_or_else(|| "—".into()),
            },
            Figure {
                label: "纳入评价的主体（户）".into(),
                value: n(subjects_total),
            },
            Figure {
                label: "受理异议 / 办结 / 逾期（件）".into(),
                value: format!(
                    "{} / {} / {}",
                    n(t.objections.received),
                    n(t.objections.decided),
                    n(t.objections.overdue)
                ),
            },
            Figure {
                label: "受理信用修复 / 办结 / 逾期（件）".into(),
                value: format!(
                    "{} / {} / {}",
                    n(t.repairs.received),
                    n(t.repairs.decided),
                    n(t.repairs.overdue)
                ),
            },
            Figure {
                label: "完成信用修复企业（户）".into(),
                value: n(repaired_total.len() as u64),
            },
            Figure {
                label: "信用承诺（件）".into(),
                value: n(commitments),
            },
            Figure {
                label: "信用核查（次）".into(),
                value: n(t.checks),
            },
            Figure {
                label: "实施失信惩戒 / 守信激励（次）".into(),
                value: format!("{} / {}", n(punished_total), n(rewarded_total)),
            },
            Figure {
                label: "退出黑名单（件）".into(),
                value: n(exits),
            },
            Figure {
                label: "信易贷：推荐企业 / 放款（笔）".into(),
                value: format!(
                    "{} / {}",
                    n(u64::try_from(xyd.total.recommended).unwrap_or(0)),
                    n(u64::try_from(xyd.total.granted).unwrap_or(0))
                ),
            },
            Figure {
                label: "信易贷：放款金额（元）".into(),
                value: xinyong_core::display::money(xyd.total.granted_amount_cny)
                    .unwrap_or_else(|| "—".into()),
            },
            Figure {
                label: "待治理的政府失信记录（条）".into(),
                value: n(open.len() as u64),
            },
        ];
        let mut highlights = vec![format!(
            "{}，各部门共报送信用记录 {} 条，累计 {} 条。",
            period.label,
            n(t.received_total),
            n(t.cumulative_total)
        )];
        if t.objections.overdue + t.repairs.overdue > 0 {
            highlights.push(format!(
                "本期有 {} 件异议、{} 件信用修复未在期限内办结。",
                n(t.objections.overdue),
                n(t.repairs.overdue)
            ));
        }
        highlights.push(format!(
            "截至{}，有 {} 条待治理的政府失信记录。",
            period.last,
            n(open.len() as u64)
        ));
        let missing: Vec<&str> = DEPARTMENT_COLUMNS
            .iter()
            .chain(DISTRICT_COLUMNS)
            .filter(|(_, k)| k.is_none())
            .map(|(h, _)| *h)
            .collect();
        let notes = vec![
            format!(
                "以下栏目平台数据无法统计，表中以“—”表示，需由各单位另行报送：{}。",
                missing.join("、")
            ),
            "信用记录按平台首次接收的日期统计（更正形成的新版本不重复计数）；“数据总量”为该行各项数字之和。".to_owned(),
            "联合惩戒、联合激励（地区表）：本期有两个以上部门反馈对同一主体实施同类措施的主体数；部门表为该部门本期反馈实施失信惩戒措施的次数。".to_owned(),
            "信易贷工作进展按金融机构统计，见主要数据。".to_owned(),
        ];
        Ok(BriefingContent {
            period: period.clone(),
            highlights,
            figures,
            districts: districts_table,
            departments,
            government,
            notes,
        })
    }

    /// Generate, archive and audit the briefing of `req.period` (admin):
    /// PDF and XLSX, numbered `YYYY年第N期` by the issue day's year.
    pub async fn issue_briefing(
        &self,
        by: &Principal,
        req: &BriefingRequest,
    ) -> Result<BriefingInfo, AppError> {
        authorise(by, Operation::IssueBriefings)?;
        let period = Period::parse("period", &req.period)?;
        let highlights = paragraphs("highlights", &req.highlights)?;
        let ranking = paragraphs("ranking", &req.ranking)?;
        let news = paragraphs("news", &req.news)?;
        let content = self.briefing_content(by, &period).await?;
        let today = self.today();
        let manual = json!({
            "highlights": highlights,
            "ranking": ranking,
            "news": news,
        })
        .to_string();
        let mut data = BriefingData {
            series: "社会信用体系建设".to_owned(),
            issuer: "社会信用体系建设领导小组办公室".to_owned(),
            number: String::new(),
            period_label: period.label.clone(),
            issued_on: today.to_string(),
            highlights: content
                .highlights
                .iter()
                .cloned()
                .chain(highlights)
                .collect(),
            figures: content.figures.clone(),
            ranking,
            news,
            tables: vec![
                content.districts.clone(),
                content.departments.clone(),
                content.government.clone(),
            ],
            notes: content.notes.clone(),
        };
        for _ in 0..3 {
            let issue = self
                .store
                .next_briefing_issue(i32::from(today.year()))
                .await?;
            data.number = xinyong_store::briefing_number(i64::from(today.year()), issue);
            let (pdf, back) = self.render_briefing_pdf(data).await?;
            data = back;
            let xlsx = xinyong_report::briefing::render_briefing_xlsx(&data).map_err(|e| {
                AppError::new(ErrorCode::Internal, format!("工作简报无法生成：{e}"))
            })?;
            let json_data = serde_json::to_string(&data)
                .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
            let stored = self
                .store
                .insert_briefing(&NewBriefing {
                    year: i32::from(today.year()),
                    issue,
                    period: &period.code,
                    issued_on: &data.issued_on,
                    generated_by: by.actor(),
                    manual: &manual,
                    data: &json_data,
                    files: &[
                        NewBriefingFile {
                            format: "pdf",
                            body: &pdf,
                        },
                        NewBriefingFile {
                            format: "xlsx",
                            body: &xlsx,
                        },
                    ],
                })
                .await?;
            let Some(stored) = stored else {
                // Another briefing took the number meanwhile.
                continue;
            };
            let info = info(stored);
            self.audit(
                by,
                AuditEvent {
                    action: "briefing.issue",
                    subject: None,
                    purpose: None,
                    detail: json!({
                        "number": info.number,
                        "period": info.period,
                        "issued_on": info.issued_on,
                        "files": info.files,
                    }),
                },
            )
            .await?;
            return Ok(info);
        }
        Err(AppError::new(
            ErrorCode::Conflict,
            "工作简报编号被同时占用，请重试",
        ))
    }

    /// The archived briefings, newest first (admin).
    pub async fn briefings(&self, by: &Principal) -> Result<Vec<BriefingInfo>, AppError> {
        authorise(by, Operation::IssueBriefings)?;
        Ok(self
            .store
            .briefings(MAX_BRIEFINGS_LISTED)
            .await?
            .into_iter()
            .map(info)
            .collect())
    }

    /// An archived briefing's file (`pdf` or `xlsx`), byte for byte (admin).
    pub async fn briefing_file(
        &self,
        by: &Principal,
        id: i64,
        format: &str,
    ) -> Result<BriefingDownload, AppError> {
        authorise(by, Operation::IssueBriefings)?;
        let content_type = match format {
            "pdf" => "application/pdf",
            "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _ => return Err(AppError::invalid("format", "format 应为 pdf 或 xlsx")),
        };
        let not_found = || {
            AppError::new(
                ErrorCode::NotFound,
                format!("没有编号为 {id} 的工作简报文件"),
            )
        };
        let b = self.store.briefing(id).await?.ok_or_else(not_found)?;
        let bytes = self
            .store
            .briefing_file(id, format)
            .await?
            .ok_or_else(not_found)?;
        Ok(BriefingDownload {
            file_name: format!("briefing-{}-{}.{format}", b.year, b.issue),
            content_type,
            bytes,
        })
    }
}
