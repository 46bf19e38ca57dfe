//! The report as the template reads it: every value already formatted as
//! text (or as numbers in points for the drawings), serialised to JSON and
//! handed to typst as a data file. User text therefore never passes through
//! the markup parser: typst shows a string as it is.

use std::f64::consts::{FRAC_PI_2, TAU};

use qrcode::{EcLevel, QrCode};
use serde::Serialize;

use crate::ReportError;
use crate::format;
use crate::model::{Advice, Dimension, Grade, LedgerItem, RecordRow, ReportData, ReportKind};

#[derive(Debug, Serialize)]
pub(crate) struct View {
    /// Font families in order of preference.
    pub fonts: Vec<String>,
    /// The titles and headings of this kind of report.
    pub words: Words,
    pub number: String,
    pub issued_on: String,
    pub verify_url: String,
    pub subject: SubjectView,
    /// The grade as the cover states it (the verification page checks it).
    pub grade_line: String,
    pub grade: Option<GradeView>,
    pub history: Vec<[String; 3]>,
    pub classes: Vec<ClassView>,
    pub record_count: String,
    pub records: Vec<GroupView>,
    pub lists: Vec<[String; 2]>,
    pub commitments: Vec<RowView>,
    pub commitments_have_amount: bool,
    pub advice: Vec<AdviceView>,
    pub ledger: Vec<LedgerView>,
    pub qr: Qr,
}

/// The words that differ between the credit report and the 政务诚信评价报告.
#[derive(Debug, Serialize)]
pub(crate) struct Words {
    pub title: &'static str,
    pub subtitle: &'static str,
    /// The cover's grade line and the evaluation section.
    pub grade_label: &'static str,
    pub grade_heading: &'static str,
    pub score_label: &'static str,
    pub no_grade: &'static str,
    pub advice_heading: &'static str,
    /// Whether the report has the ledger section (and not the enterprise's
    /// list and commitment sections).
    pub agency: bool,
}

fn words(kind: ReportKind) -> Words {
    match kind {
        ReportKind::Credit => Words {
            title: "信用体检报告",
            subtitle: "公共信用信息报告",
            grade_label: "综合信用等级",
            grade_heading: "公共信用综合评价",
            score_label: "综合得分",
            no_grade: "暂无综合评价结果。",
            advice_heading: "信用提升建议",
            agency: false,
        },
        ReportKind::GovIntegrity => Words {
            title: "政务诚信评价报告",
            subtitle: "政府机构政务诚信评价",
            grade_label: "政务诚信等级",
            grade_heading: "政务诚信评价",
            score_label: "评价得分",
            no_grade: "暂无政务诚信评价结果。",
            advice_heading: "扣分事项及整改建议",
            agency: true,
        },
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct LedgerView {
    pub id: String,
    pub date: String,
    pub category: String,
    pub amount: String,
    pub description: String,
    pub settled: String,
    /// Due date, amount, paid on, paid, state.
    pub installments: Vec<[String; 5]>,
}

fn ledger(item: &LedgerItem) -> LedgerView {
    LedgerView {
        id: format::text(&item.id),
        date: format::date(&item.date),
        category: format::text(&item.category_zh),
        amount: item
            .amount_cny
            .map_or_else(|| format::NONE.to_owned(), format::money),
        description: format::text(&item.description),
        settled: item.settled_on.as_deref().map_or_else(
            || "未办结".to_owned(),
            |d| format!("{} 办结", format::date(d)),
        ),
        installments: item
            .installments
            .iter()
            .map(|i| {
                [
                    format::date(&i.due_on),
                    format::money(i.amount_cny),
                    format::opt_date(i.paid_on.as_deref()),
                    i.paid_cny
                        .map_or_else(|| format::NONE.to_owned(), format::money),
                    format::text(&i.state_zh),
                ]
            })
            .collect(),
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct SubjectView {
    pub name: String,
    pub uscc: String,
    pub kind: String,
    pub region: String,
    pub established: String,
    pub status: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct GradeView {
    pub score: String,
    pub grade: String,
    pub model: String,
    /// Name, score, maximum, percentage.
    pub dims: Vec<[String; 4]>,
    pub total_max: String,
    pub radar: Option<Radar>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ClassView {
    pub model: String,
    pub outcome: String,
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct GroupView {
    pub title: String,
    pub has_amount: bool,
    pub rows: Vec<RowView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct RowView {
    pub id: String,
    pub date: String,
    pub summary: String,
    pub amount: String,
    pub status: String,
    pub until: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct AdviceView {
    pub action: String,
    pub text: String,
    pub rule: String,
    pub records: String,
    pub stops: Option<String>,
}

pub(crate) fn build(data: &ReportData, fonts: Vec<String>) -> Result<View, ReportError> {
    let subject = &data.subject;
    let record_count: usize = data.records.iter().map(|g| g.rows.len()).sum();
    let words = words(data.kind);
    Ok(View {
        fonts,
        number: format::text(&data.number),
        issued_on: format::date(&data.issued_on),
        verify_url: data.verify_url.trim().to_owned(),
        subject: SubjectView {
            name: format::text(&subject.name),
            uscc: format::text(&subject.uscc),
            kind: format::text(&subject.subject_type_zh),
            region: format::text(&subject.region),
            established: format::opt_date(subject.established_on.as_deref()),
            status: format::text(&subject.status_zh),
        },
        grade_line: data.grade.as_ref().map_or_else(
            || "暂无评价结果".to_owned(),
            |g| {
                format!(
                    "{} 级（{} {}）",
                    format::text(&g.grade),
                    words.score_label,
                    format::score(g.score)
                )
            },
        ),
        grade: data.grade.as_ref().map(grade),
        history: data
            .grade_history
            .iter()
            .map(|h| {
                [
                    format::date(&h.as_of),
                    format::text(&h.grade),
                    h.score
                        .map_or_else(|| format::NONE.to_owned(), format::score),
                ]
            })
            .collect(),
        classes: data
            .classes
            .iter()
            .map(|c| ClassView {
                model: format::text(&c.model_name_zh),
                outcome: format::text(&c.outcome_zh),
                reasons: if c.reasons.is_empty() {
                    vec![format::NONE.to_owned()]
                } else {
                    c.reasons.iter().map(|r| format::text(r)).collect()
                },
            })
            .collect(),
        record_count: record_count.to_string(),
        records: data
            .records
            .iter()
            .filter(|g| !g.rows.is_empty())
            .map(|g| GroupView {
                title: format!("{}（{} 条）", format::text(&g.kind_zh), g.rows.len()),
                has_amount: g.rows.iter().any(|r| r.amount_cny.is_some()),
                rows: g.rows.iter().map(row).collect(),
            })
            .collect(),
        lists: data
            .lists
            .iter()
            .map(|l| [format::text(&l.name_zh), format::date(&l.listed_on)])
            .collect(),
        commitments: data.commitments.iter().map(row).collect(),
        commitments_have_amount: data.commitments.iter().any(|r| r.amount_cny.is_some()),
        advice: data.advice.iter().map(advice).collect(),
        ledger: data.ledger.iter().map(ledger).collect(),
        qr: qr(data.verify_url.trim())?,
        words,
    })
}

fn grade(g: &Grade) -> GradeView {
    let total_max: f64 = g.dimensions.iter().map(|d| d.max).sum();
    GradeView {
        score: format::score(g.score),
        grade: format::text(&g.grade),
        model: format::text(&g.model_version),
        dims: g
            .dimensions
            .iter()
            .map(|d| {
                [
                    format::text(&d.name_zh),
                    format::score(d.score),
                    format::score(d.max),
                    format::percent(d.score, d.max),
                ]
            })
            .collect(),
        total_max: if g.dimensions.is_empty() {
            "1000".to_owned()
        } else {
            format::score(total_max)
        },
        radar: radar(&g.dimensions),
    }
}

fn row(r: &RecordRow) -> RowView {
    RowView {
        id: format::text(&r.id),
        date: format::date(&r.date),
        summary: format::text(&r.summary),
        amount: r
            .amount_cny
            .map_or_else(|| format::NONE.to_owned(), format::money),
        status: format::text(&r.status_zh),
        until: format::opt_date(r.display_until.as_deref()),
    }
}

fn advice(a: &Advice) -> AdviceView {
    AdviceView {
        action: format::text(&a.action_zh),
        text: format::text(&a.text_zh),
        rule: format::text(&a.rule),
        records: if a.records.is_empty() {
            format::NONE.to_owned()
        } else {
            a.records.join("、")
        },
        stops: a.stops_on.as_deref().map(format::date),
    }
}

// ---------------------------------------------------------------------------
// Radar chart: computed here, drawn by the template with `polygon`, `line`
// and `place`. Coordinates are points, origin top left, y down.

/// Radius of the outer ring.
const RADAR_RADIUS: f64 = 62.0;
/// Rings drawn at 20 %, 40 %, … 100 %.
const RADAR_RINGS: usize = 5;
/// Distance of a label's anchor beyond the outer ring.
const LABEL_GAP: f64 = 8.0;
const LABEL_WIDTH: f64 = 66.0;
const LABEL_HEIGHT: f64 = 24.0;
const PADDING: f64 = 4.0;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Radar {
    pub width: f64,
    pub height: f64,
    pub center: [f64; 2],
    /// Concentric polygons, innermost first.
    pub rings: Vec<Vec<[f64; 2]>>,
    /// The outer end of each axis.
    pub spokes: Vec<[f64; 2]>,
    /// The subject's scores, each as a share of its dimension's maximum.
    pub shape: Vec<[f64; 2]>,
    pub labels: Vec<RadarLabel>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RadarLabel {
    /// Top left corner of the label's box.
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// `left`, `center` or `right`: how the text sits in its box.
    pub align: &'static str,
    pub name: String,
    pub value: String,
}

/// The radar chart of the dimensions; `None` with fewer than three (no
/// polygon to draw).
pub(crate) fn radar(dims: &[Dimension]) -> Option<Radar> {
    let n = dims.len();
    if n < 3 {
        return None;
    }
    let angle = |i: usize| -FRAC_PI_2 + TAU * i as f64 / n as f64;
    // Local coordinates around the centre (0, 0).
    let at = |i: usize, r: f64| {
        let a = angle(i);
        [r * a.cos(), r * a.sin()]
    };
    let rings: Vec<Vec<[f64; 2]>> = (1..=RADAR_RINGS)
        .map(|k| {
            let r = RADAR_RADIUS * k as f64 / RADAR_RINGS as f64;
            (0..n).map(|i| at(i, r)).collect()
        })
        .collect();
    let spokes: Vec<[f64; 2]> = (0..n).map(|i| at(i, RADAR_RADIUS)).collect();
    let shape: Vec<[f64; 2]> = dims
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let share = if d.max > 0.0 && d.score.is_finite() {
                (d.score / d.max).clamp(0.0, 1.0)
            } else {
                0.0
            };
            at(i, RADAR_RADIUS * share)
        })
        .collect();
    let labels: Vec<RadarLabel> = dims
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let [lx, ly] = at(i, RADAR_RADIUS + LABEL_GAP);
            let (x, align) = if lx.abs() < 1.0 {
                (lx - LABEL_WIDTH / 2.0, "center")
            } else if lx > 0.0 {
                (lx, "left")
            } else {
                (lx - LABEL_WIDTH, "right")
            };
            let y = if align != "center" {
                ly - LABEL_HEIGHT / 2.0
            } else if ly < 0.0 {
                ly - LABEL_HEIGHT
            } else {
                ly
            };
            RadarLabel {
                x,
                y,
                w: LABEL_WIDTH,
                h: LABEL_HEIGHT,
                align,
                name: format::text(&d.name_zh),
                value: format!("{} / {}", format::score(d.score), format::score(d.max)),
            }
        })
        .collect();

    // Bounding box of the outer ring and the labels, then move everything
    // into the positive quadrant with a small margin.
    let mut min = [f64::INFINITY; 2];
    let mut max = [f64::NEG_INFINITY; 2];
    let mut include = |p: [f64; 2]| {
        min = [min[0].min(p[0]), min[1].min(p[1])];
        max = [max[0].max(p[0]), max[1].max(p[1])];
    };
    for p in &spokes {
        include(*p);
    }
    for l in &labels {
        include([l.x, l.y]);
        include([l.x + l.w, l.y + l.h]);
    }
    let dx = PADDING - min[0];
    let dy = PADDING - min[1];
    let shift = |p: [f64; 2]| [round(p[0] + dx), round(p[1] + dy)];
    Some(Radar {
        width: round(max[0] - min[0] + 2.0 * PADDING),
        height: round(max[1] - min[1] + 2.0 * PADDING),
        center: shift([0.0, 0.0]),
        rings: rings
            .into_iter()
            .map(|ring| ring.into_iter().map(shift).collect())
            .collect(),
        spokes: spokes.into_iter().map(shift).collect(),
        shape: shape.into_iter().map(shift).collect(),
        labels: labels
            .into_iter()
            .map(|l| {
                let [x, y] = shift([l.x, l.y]);
                RadarLabel { x, y, ..l }
            })
            .collect(),
    })
}

/// Hundredths of a point are far below what a printer resolves, and keep the
/// JSON short.
fn round(v: f64) -> f64 {
    let r = (v * 100.0).round() / 100.0;
    if r == 0.0 { 0.0 } else { r }
}

// ---------------------------------------------------------------------------
// QR code: the module matrix from the `qrcode` crate, drawn by the template
// as one filled curve made of the horizontal runs of dark modules.

/// The quiet zone the QR specification asks for, in modules, on every side.
pub(crate) const QR_QUIET_ZONE: usize = 4;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Qr {
    /// Side of the symbol including the quiet zone, in modules.
    pub modules: usize,
    /// Runs of dark modules: `[x, y, length]`, in modules, quiet zone
    /// included.
    pub runs: Vec<[usize; 3]>,
}

pub(crate) fn qr(text: &str) -> Result<Qr, ReportError> {
    if text.is_empty() {
        return Err(ReportError::InvalidData(
            "verify_url is empty: the QR code needs the verification address".to_owned(),
        ));
    }
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| {
        ReportError::InvalidData(format!("verify_url cannot be encoded as a QR code: {e}"))
    })?;
    let width = code.width();
    let colors = code.to_colors();
    let dark = |x: usize, y: usize| matches!(colors[y * width + x], qrcode::Color::Dark);
    let mut runs = Vec::new();
    for y in 0..width {
        let mut x = 0;
        while x < width {
            if dark(x, y) {
                let start = x;
                while x < width && dark(x, y) {
                    x += 1;
                }
                runs.push([start + QR_QUIET_ZONE, y + QR_QUIET_ZONE, x - start]);
            } else {
                x += 1;
            }
        }
    }
    Ok(Qr {
        modules: width + 2 * QR_QUIET_ZONE,
        runs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims(scores: &[(f64, f64)]) -> Vec<Dimension> {
        scores
            .iter()
            .enumerate()
            .map(|(i, &(score, max))| Dimension {
                name_zh: format!("维度{i}"),
                score,
                max,
            })
            .collect()
    }

    fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
    }

    #[test]
    fn radar_puts_each_score_on_its_axis_at_its_share() {
        let d = dims(&[
            (150.0, 150.0),
            (125.0, 250.0),
            (0.0, 300.0),
            (200.0, 200.0),
            (50.0, 100.0),
        ]);
        let r = radar(&d).expect("five dimensions");
        assert_eq!(r.rings.len(), RADAR_RINGS);
        assert_eq!(r.spokes.len(), 5);
        for (i, share) in [1.0, 0.5, 0.0, 1.0, 0.5].into_iter().enumerate() {
            let got = dist(r.shape[i], r.center);
            assert!((got - RADAR_RADIUS * share).abs() < 0.02, "axis {i}: {got}");
        }
        // The first axis points straight up.
        assert!((r.spokes[0][0] - r.center[0]).abs() < 0.02);
        assert!(r.spokes[0][1] < r.center[1]);
        // Everything lies inside the canvas.
        for p in r.rings.iter().flatten().chain(&r.spokes).chain(&r.shape) {
            assert!(p[0] >= 0.0 && p[0] <= r.width && p[1] >= 0.0 && p[1] <= r.height);
        }
        for l in &r.labels {
            assert!(l.x >= 0.0 && l.x + l.w <= r.width + 0.01, "{l:?}");
            assert!(l.y >= 0.0 && l.y + l.h <= r.height + 0.01, "{l:?}");
        }
        assert_eq!(r.labels[0].align, "center");
        assert_eq!(r.labels[1].align, "left");
        assert_eq!(r.labels[4].align, "right");
        assert_eq!(r.labels[1].value, "125 / 250");
    }

    #[test]
    fn radar_clamps_odd_scores_and_needs_three_axes() {
        let d = dims(&[
            (500.0, 100.0),
            (-3.0, 100.0),
            (f64::NAN, 100.0),
            (10.0, 0.0),
        ]);
        let r = radar(&d).expect("four dimensions");
        assert!((dist(r.shape[0], r.center) - RADAR_RADIUS).abs() < 0.02);
        for p in &r.shape[1..] {
            assert!(dist(*p, r.center) < 0.02);
        }
        assert!(radar(&dims(&[(1.0, 2.0), (1.0, 2.0)])).is_none());
    }

    #[test]
    fn qr_runs_cover_exactly_the_dark_modules() {
        let url = "https://credit.example.gov.cn/verify/YK-2026-000123";
        let q = qr(url).unwrap();
        let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).unwrap();
        let w = code.width();
        assert_eq!(q.modules, w + 8);
        let dark_count = code
            .to_colors()
            .iter()
            .filter(|c| matches!(c, qrcode::Color::Dark))
            .count();
        assert_eq!(q.runs.iter().map(|r| r[2]).sum::<usize>(), dark_count);
        // The finder pattern's top row: seven dark modules from the corner.
        assert_eq!(q.runs[0], [QR_QUIET_ZONE, QR_QUIET_ZONE, 7]);
        assert!(qr("").is_err());
    }
}
