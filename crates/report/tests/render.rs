//! Whole reports rendered and read back the way a person or a scanner would:
//! the text with poppler's `pdftotext`, the cover's QR code with poppler's
//! `pdftoppm` and zbar's `zbarimg`.
//!
//! The CJK font and the tools come from `scripts/install-fonts.sh`. When one
//! is missing the test prints a note and skips — except under `CI=true`,
//! where that is a failure.

use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

use xinyong_report::{
    Advice, ClassLine, Dimension, Fonts, Grade, GradeChange, Installment, LedgerItem,
    ListMembership, RecordGroup, RecordRow, ReportData, ReportError, ReportKind, Subject, render,
    render_pdf,
};

const INSTALL: &str = "scripts/install-fonts.sh";

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// A note the test harness does not capture (it only captures the print
/// macros), so a skip is visible in a normal `cargo test` run.
fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "NOTE: {text}");
}

/// The installed CJK fonts; `None` (the test skips) when there are none,
/// a failure under `CI=true`.
fn fonts(test: &str) -> Option<&'static Fonts> {
    static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
    let init = || {
        let start = Instant::now();
        let fonts = Fonts::system_cjk().map_err(|e| e.to_string())?;
        note(&format!(
            "fonts {:?} loaded in {:?}",
            fonts.families(),
            start.elapsed()
        ));
        Ok(fonts)
    };
    match FONTS.get_or_init(init) {
        Ok(fonts) => Some(fonts),
        Err(why) if in_ci() => panic!("{why} (CI=true: the report tests must run; see {INSTALL})"),
        Err(why) => {
            note(&format!("{why}; report test `{test}` SKIPPED"));
            None
        }
    }
}

/// Whether a command-line tool is installed; a failure under `CI=true`.
fn tool(name: &str, test: &str) -> bool {
    match Command::new(name).arg("-v").output() {
        Ok(_) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let why =
                format!("`{name}` is not installed (poppler-utils / zbar-tools); run {INSTALL}");
            if in_ci() {
                panic!("{why} (CI=true: the report tests must run)");
            }
            note(&format!("{why}; report test `{test}` SKIPPED"));
            false
        }
        Err(e) => panic!("cannot run `{name}`: {e}"),
    }
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The text of a PDF, laid out as on the page (`pdftotext -layout`).
fn pdf_text(dir: &Path, pdf: &[u8]) -> String {
    let path = dir.join("report.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = run(Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-"));
    String::from_utf8(out.stdout).expect("pdftotext prints UTF-8")
}

/// Without whitespace: letter spacing and table columns add spaces and line
/// breaks that are not part of the text.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn assert_shows(text: &str, needle: &str) {
    assert!(
        squash(text).contains(&squash(needle)),
        "the PDF's text lacks {needle:?}; it reads:\n{text}"
    );
}

fn row(
    id: &str,
    date: &str,
    summary: &str,
    amount: Option<f64>,
    status: &str,
    until: Option<&str>,
) -> RecordRow {
    RecordRow {
        id: id.into(),
        date: date.into(),
        summary: summary.into(),
        amount_cny: amount,
        status_zh: status.into(),
        display_until: until.map(Into::into),
    }
}

const VERIFY_URL: &str = "https://credit.yingkou.example.gov.cn/verify/YK-2026-0001234";

fn sample() -> ReportData {
    ReportData {
        number: "YK-2026-0001234".into(),
        issued_on: "2026-12-06".into(),
        verify_url: VERIFY_URL.into(),
        subject: Subject {
            uscc: "91210804MA10A8CK2X".into(),
            name: "营口自贸区海诚物流有限公司".into(),
            subject_type_zh: "有限责任公司".into(),
            region: "辽宁自贸区营口片区".into(),
            established_on: Some("2016-04-18".into()),
            status_zh: "存续".into(),
        },
        grade: Some(Grade {
            score: 862.5,
            grade: "A".into(),
            model_version: "yingkou-composite 1".into(),
            dimensions: vec![
                Dimension {
                    name_zh: "基本情况".into(),
                    score: 132.0,
                    max: 150.0,
                },
                Dimension {
                    name_zh: "财税情况".into(),
                    score: 215.0,
                    max: 250.0,
                },
                Dimension {
                    name_zh: "行政监管".into(),
                    score: 270.0,
                    max: 300.0,
                },
                Dimension {
                    name_zh: "司法监管".into(),
                    score: 170.0,
                    max: 200.0,
                },
                Dimension {
                    name_zh: "社会责任".into(),
                    score: 75.5,
                    max: 100.0,
                },
            ],
        }),
        grade_history: vec![
            GradeChange {
                as_of: "2026-11-01".into(),
                grade: "A".into(),
                score: Some(858.0),
            },
            GradeChange {
                as_of: "2026-06-30".into(),
                grade: "B".into(),
                score: Some(812.5),
            },
            GradeChange {
                as_of: "2025-12-31".into(),
                grade: "B".into(),
                score: None,
            },
        ],
        classes: vec![
            ClassLine {
                model_name_zh: "企业信用分类（安徽）".into(),
                outcome_zh: "守信".into(),
                reasons: vec!["近三年内无失信行为记录".into()],
            },
            ClassLine {
                model_name_zh: "市场主体信用风险分类（天津）".into(),
                outcome_zh: "警示（黄）".into(),
                reasons: vec![
                    "存在仅处以警告的行政处罚".into(),
                    "近三年内有不良行为记录".into(),
                ],
            },
        ],
        records: vec![
            RecordGroup {
                kind_zh: "行政处罚".into(),
                rows: vec![
                    row(
                        "XZCF-2025-0087",
                        "2025-09-12",
                        "超出核准范围经营",
                        Some(1_250_000.5),
                        "公示中",
                        Some("2026-09-12"),
                    ),
                    row(
                        "XZCF-2024-0311",
                        "2024-03-05",
                        "未按规定公示年度报告",
                        Some(50_000.0),
                        "已修复",
                        Some("2025-03-05"),
                    ),
                ],
            },
            RecordGroup {
                kind_zh: "荣誉表彰".into(),
                rows: vec![row(
                    "RY-2025-0007",
                    "2025-12-20",
                    "营口市守合同重信用企业",
                    None,
                    "公示中",
                    None,
                )],
            },
            RecordGroup {
                kind_zh: "司法判决".into(),
                rows: vec![],
            },
        ],
        lists: vec![ListMembership {
            name_zh: "守信激励对象名单".into(),
            listed_on: "2026-01-15".into(),
        }],
        commitments: vec![row(
            "CN-2026-0042",
            "2026-05-10",
            "按期提交补正材料",
            None,
            "履行中",
            Some("2026-11-10"),
        )],
        advice: vec![
            Advice {
                rule: "yingkou-composite/I-social-2".into(),
                text_zh: "近一年无公益慈善或志愿服务记录".into(),
                records: vec![],
                stops_on: None,
                action_zh: "参与公益慈善活动并向信用办报送相关记录".into(),
            },
            Advice {
                rule: "tianjin-risk/TW1".into(),
                text_zh: "存在仅处以警告的行政处罚".into(),
                records: vec!["XZCF-2025-0087".into()],
                stops_on: Some("2026-09-13".into()),
                action_zh: "履行处罚决定后申请信用修复".into(),
            },
        ],
        kind: ReportKind::Credit,
        ledger: vec![],
    }
}

fn empty() -> ReportData {
    ReportData {
        number: "YK-2026-0000001".into(),
        issued_on: "2026-12-06".into(),
        verify_url: "https://credit.yingkou.example.gov.cn/verify/YK-2026-0000001".into(),
        subject: Subject {
            uscc: "92210800MA0TEST01X".into(),
            name: "营口市站前区小王便利店".into(),
            subject_type_zh: "个体工商户".into(),
            region: "营口市站前区".into(),
            established_on: None,
            status_zh: "存续".into(),
        },
        grade: None,
        grade_history: vec![],
        classes: vec![],
        records: vec![],
        lists: vec![],
        commitments: vec![],
        advice: vec![],
        kind: ReportKind::Credit,
        ledger: vec![],
    }
}

/// An agency's 政务诚信评价报告: grade, deductions, ledger with a plan.
fn agency() -> ReportData {
    ReportData {
        subject: Subject {
            uscc: "11210800000000001X".into(),
            name: "营口市某区住房和城乡建设局".into(),
            subject_type_zh: "机关".into(),
            region: "营口市站前区".into(),
            established_on: None,
            status_zh: "存续".into(),
        },
        grade: Some(Grade {
            score: 85.0,
            grade: "B".into(),
            model_version: "政务诚信评价（gov-integrity 2024.1）".into(),
            dimensions: vec![Dimension {
                name_zh: "政务诚信".into(),
                score: 85.0,
                max: 100.0,
            }],
        }),
        advice: vec![Advice {
            rule: "gov-integrity/GI2".into(),
            text_zh: "12个月内到期的还款计划分期中有 1 期未按期足额偿还，扣 5 分".into(),
            records: vec!["XYB-ZW-000001".into()],
            stops_on: Some("2027-04-01".into()),
            action_zh: "制定并严格执行还款计划，按期足额偿还拖欠款项".into(),
        }],
        kind: ReportKind::GovIntegrity,
        ledger: vec![LedgerItem {
            id: "XYB-ZW-000001".into(),
            date: "2025-09-01".into(),
            category_zh: "拖欠企业账款".into(),
            amount_cny: Some(300_000.0),
            description: "拖欠民营企业工程款".into(),
            settled_on: None,
            installments: vec![
                Installment {
                    due_on: "2026-03-31".into(),
                    amount_cny: 150_000.0,
                    paid_on: Some("2026-04-01".into()),
                    paid_cny: Some(150_000.0),
                    state_zh: "逾期偿还".into(),
                },
                Installment {
                    due_on: "2026-09-30".into(),
                    amount_cny: 150_000.0,
                    paid_on: None,
                    paid_cny: None,
                    state_zh: "未到期".into(),
                },
            ],
        }],
        ..empty()
    }
}

#[test]
fn full_report_reads_back_as_chinese_text() {
    let test = "full_report_reads_back_as_chinese_text";
    let Some(fonts) = fonts(test) else { return };
    if !tool("pdftotext", test) {
        return;
    }
    let start = Instant::now();
    let rendered = render(&sample(), fonts).expect("the sample report renders");
    note(&format!(
        "sample report: {} pages, {} bytes, rendered in {:?}",
        rendered.pages,
        rendered.pdf.len(),
        start.elapsed()
    ));
    assert!(rendered.pdf.starts_with(b"%PDF-"));
    assert!(
        rendered.warnings.is_empty(),
        "typst warned: {:?}",
        rendered.warnings
    );

    // Kept for a look: target/tmp/report-sample.pdf.
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-sample.pdf");
    if std::fs::write(&keep, &rendered.pdf).is_ok() {
        note(&format!("sample report written to {}", keep.display()));
    }

    let dir = tempfile::tempdir().unwrap();
    let text = pdf_text(dir.path(), &rendered.pdf);
    for needle in [
        "信用体检报告",
        "公共信用信息报告",
        "营口自贸区海诚物流有限公司",
        "91210804MA10A8CK2X",
        "YK-2026-0001234",
        "2026-12-06",
        // The grade, on the cover and in its section.
        "综合信用等级 A 级（综合得分 862.5）",
        "信用等级",
        "862.5",
        // The five dimensions (table rows: name, score, maximum, share).
        "基本情况 132 150 88.0%",
        "财税情况 215 250 86.0%",
        "社会责任 75.5 100 75.5%",
        // Grade history, with a missing score.
        "2026-06-30 B 812.5",
        "2025-12-31 B —",
        // Classes.
        "信用分类结果",
        "警示（黄）",
        // Records by kind, with status, amount and display end.
        "行政处罚（2 条）",
        "未按规定公示年度报告",
        "50,000.00",
        "1,250,000.50",
        "已修复",
        "2025-03-05",
        "荣誉表彰（1 条）",
        // Lists, commitments, advice.
        "守信激励对象名单",
        "按期提交补正材料",
        "履行处罚决定后申请信用修复",
        "预计自 2026-09-13 起不再适用",
        // Footer on every page.
        "报告编号：YK-2026-0001234",
    ] {
        assert_shows(&text, needle);
    }
    assert_shows(&text, &format!("第 1 页 / 共 {} 页", rendered.pages));
    // A kind with no rows is left out.
    assert!(!text.contains("司法判决"), "{text}");
}

#[test]
fn agency_report_reads_back_with_its_ledger() {
    let test = "agency_report_reads_back_with_its_ledger";
    let Some(fonts) = fonts(test) else { return };
    if !tool("pdftotext", test) {
        return;
    }
    let rendered = render(&agency(), fonts).expect("the agency's report renders");
    assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
    let dir = tempfile::tempdir().unwrap();
    let text = pdf_text(dir.path(), &rendered.pdf);
    for needle in [
        "政务诚信评价报告",
        "政务诚信等级",
        "B 级（评价得分 85）",
        "政府失信问题台账及还款计划",
        "拖欠企业账款",
        "300,000.00",
        "150,000.00",
        "逾期偿还",
        "未到期",
        "未办结",
        "扣分事项及整改建议",
        "gov-integrity/GI2",
    ] {
        assert_shows(&text, needle);
    }
    // Not the enterprise's report: no title of it, no commitments section.
    assert!(!squash(&text).contains("信用体检报告"), "{text}");
    assert!(!squash(&text).contains("信用承诺"), "{text}");
}

#[test]
fn cover_qr_code_decodes_to_the_verify_url() {
    let test = "cover_qr_code_decodes_to_the_verify_url";
    let Some(fonts) = fonts(test) else { return };
    if !tool("pdftoppm", test) || !tool("zbarimg", test) {
        return;
    }
    let pdf = render_pdf(&sample(), fonts).expect("the sample report renders");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let prefix = dir.path().join("cover");
    run(Command::new("pdftoppm")
        .args(["-r", "150", "-f", "1", "-l", "1", "-png", "-singlefile"])
        .arg(&path)
        .arg(&prefix));
    let png = dir.path().join("cover.png");
    assert!(png.is_file(), "pdftoppm wrote no {}", png.display());
    let out = run(Command::new("zbarimg").args(["--raw", "-q"]).arg(&png));
    let decoded = String::from_utf8(out.stdout).expect("zbarimg prints UTF-8");
    assert_eq!(decoded.trim_end_matches(['\r', '\n']), VERIFY_URL);
}

#[test]
fn user_text_with_typst_syntax_is_printed_literally() {
    let test = "user_text_with_typst_syntax_is_printed_literally";
    let Some(fonts) = fonts(test) else { return };
    if !tool("pdftotext", test) {
        return;
    }
    // Each piece is short enough to stay on one line of its cell, so that
    // the text read back is contiguous.
    let hostile_name = r"#set page(width: 1cm) *粗* _斜_ $x^2$ [方] \ <标> @引 = 题 // 注";
    let mut data = sample();
    data.subject.name = hostile_name.into();
    data.subject.region = "]] ) } #".into();
    data.records[0].kind_zh = "= 处罚 <x> @y".into();
    data.records[0].rows[0].summary = "#panic(1) #{1+1}".into();
    data.records[0].rows[1].summary = "/*块*/ ~ -- ... `代码`".into();
    data.commitments[0].summary = "#let x = 1 <l>".into();
    data.classes[0].reasons = vec!["$ unbalanced".into(), "* _ [ \\".into()];
    data.advice[0].action_zh = "#strong[不应加粗]".into();
    data.lists[0].name_zh = "#pagebreak() 名单".into();

    let rendered = render(&data, fonts).expect("hostile text renders");
    assert!(
        rendered.warnings.is_empty(),
        "typst warned: {:?}",
        rendered.warnings
    );
    // `#set page(width: 1cm)` would have made hundreds of narrow pages.
    assert!(rendered.pages <= 4, "{} pages", rendered.pages);

    let dir = tempfile::tempdir().unwrap();
    let text = pdf_text(dir.path(), &rendered.pdf);
    for needle in [
        hostile_name,
        "]] ) } #",
        "= 处罚 <x> @y（2 条）",
        "#panic(1) #{1+1}",
        "/*块*/ ~ -- ... `代码`",
        "#let x = 1 <l>",
        "$ unbalanced",
        "* _ [ \\",
        "#strong[不应加粗]",
        "#pagebreak() 名单",
    ] {
        assert_shows(&text, needle);
    }
}

#[test]
fn empty_report_still_renders() {
    let test = "empty_report_still_renders";
    let Some(fonts) = fonts(test) else { return };
    let rendered = render(&empty(), fonts).expect("an empty report renders");
    assert!(rendered.pdf.starts_with(b"%PDF-"));
    assert!(
        rendered.warnings.is_empty(),
        "typst warned: {:?}",
        rendered.warnings
    );
    if !tool("pdftotext", test) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let text = pdf_text(dir.path(), &rendered.pdf);
    for needle in [
        "信用体检报告",
        "营口市站前区小王便利店",
        "暂无评价结果",
        "暂无综合评价结果",
        "暂无历史评价记录",
        "暂无信用记录",
        "未列入任何名单",
        "暂无信用承诺记录",
        "暂无需要改进的事项",
    ] {
        assert_shows(&text, needle);
    }
    // No classes given (public and bank audiences): no section.
    assert!(!squash(&text).contains("信用分类结果"), "{text}");
}

#[test]
fn same_data_renders_byte_identical_pdfs() {
    let Some(fonts) = fonts("same_data_renders_byte_identical_pdfs") else {
        return;
    };
    let first = render_pdf(&sample(), fonts).unwrap();
    let second = render_pdf(&sample(), fonts).unwrap();
    assert!(first == second, "two renders of the same report differ");
    let mut other = sample();
    other.number = "YK-2026-0001235".into();
    assert!(
        first != render_pdf(&other, fonts).unwrap(),
        "another number, the same bytes"
    );
    // The creation date is the issue date, not the time of rendering.
    let pdf = String::from_utf8_lossy(&first);
    assert!(
        pdf.contains("D:20261206") || pdf.contains("2026-12-06"),
        "no creation date of 2026-12-06 in the PDF's metadata"
    );
}

#[test]
fn invalid_data_is_rejected() {
    let Some(fonts) = fonts("invalid_data_is_rejected") else {
        return;
    };
    let mut data = empty();
    data.issued_on = "2026/12/06".into();
    assert!(matches!(
        render_pdf(&data, fonts),
        Err(ReportError::InvalidData(_))
    ));
    let mut data = empty();
    data.verify_url = " ".into();
    assert!(matches!(
        render_pdf(&data, fonts),
        Err(ReportError::InvalidData(_))
    ));
}
