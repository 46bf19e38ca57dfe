//! The briefing (工作简报) of the import's month over a generated city: its
//! per-department table equals the counts made here from the imported file
//! (not by the application's functions), its district table the subjects
//! of the file by region; columns the platform cannot compute are "—";
//! the PDF's Chinese text extracts with pdftotext, the XLSX reads back with
//! the same values; the archive numbers issues per year, keeps each file's
//! SHA-256, and every issue is audited; bad input is named, other roles are
//! refused.

use std::collections::{BTreeMap, BTreeSet};

use xinyong_app::*;

mod common;

use common::{generated_city, principal};

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn read_jsonl(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn count(c: &Cell) -> Option<u64> {
    match c {
        Cell::Count(n) => Some(*n),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_briefing_counts_what_was_imported_and_is_archived_as_pdf_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    let app = generated_city(dir.path(), 40, 17, common::CITY_DAY).await;
    let admin = principal(&app, Role::Admin, "admin", None).await;
    // The batches start on the real clock: the import's month.
    let month = Period::month_of(
        jiff::Timestamp::now()
            .to_zoned(china_standard_time())
            .date(),
    );

    // Counted here from the file: each (source, id) once.
    let mut seen = BTreeSet::new();
    let mut by_kind: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut all: BTreeMap<String, u64> = BTreeMap::new();
    for r in read_jsonl(&input.join("records.jsonl")) {
        let source = r["source"].as_str().unwrap().to_owned();
        if seen.insert((source.clone(), r["id"].as_str().unwrap().to_owned())) {
            *by_kind
                .entry((source.clone(), r["kind"].as_str().unwrap().to_owned()))
                .or_default() += 1;
            *all.entry(source).or_default() += 1;
        }
    }
    let mut regions: BTreeMap<String, u64> = BTreeMap::new();
    let mut usccs = BTreeSet::new();
    for s in read_jsonl(&input.join("subjects.jsonl")) {
        if usccs.insert(s["uscc"].as_str().unwrap().to_owned()) {
            *regions
                .entry(s["region"].as_str().unwrap_or("").to_owned())
                .or_default() += 1;
        }
    }
    let penalties: u64 = by_kind
        .iter()
        .filter(|((_, k), _)| k == "penalty")
        .map(|(_, n)| n)
        .sum();
    assert!(penalties > 0, "the city has penalties");

    let content = app.briefing_content(&admin, &month).await.unwrap();
    let t = &content.departments;
    let col = |name: &str| {
        t.columns
            .iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("column {name}"))
    };
    let (penalty, license, records, cumulative, total) = (
        col("行政处罚"),
        col("行政许可"),
        col("信用信息"),
        col("信用信息平台上报数量（累计数量）"),
        col("数据总量"),
    );
    let catalogue = catalogue();
    let code_of = |name: &str| {
        catalogue
            .departments
            .iter()
            .find(|d| d.name_zh == name)
            .map_or_else(|| name.to_owned(), |d| d.code.to_owned())
    };
    let (body, sum_row) = t.rows.split_at(t.rows.len() - 1);
    let mut got_departments = BTreeSet::new();
    for row in body {
        let Cell::Text(name) = &row[0] else {
            panic!("a department's name")
        };
        let code = code_of(name);
        let want = |kind: &str| {
            by_kind
                .get(&(code.clone(), kind.to_owned()))
                .copied()
                .unwrap_or(0)
        };
        assert_eq!(
            count(&row[penalty]),
            Some(want("penalty")),
            "{name} 行政处罚"
        );
        assert_eq!(
            count(&row[license]),
            Some(want("license")),
            "{name} 行政许可"
        );
        let sent = all.get(&code).copied().unwrap_or(0);
        assert_eq!(count(&row[records]), Some(sent), "{name} 信用信息");
        assert_eq!(count(&row[cumulative]), Some(sent), "{name} 累计");
        // 数据总量: the sum of the row's figures, as in seed 002.
        let figures: u64 = row[1..total].iter().filter_map(count).sum();
        assert_eq!(count(&row[total]), Some(figures), "{name} 数据总量");
        got_departments.insert(code);
    }
    assert_eq!(got_departments, all.keys().cloned().collect());
    assert_eq!(sum_row[0][0], Cell::text("合计"));
    assert_eq!(count(&sum_row[0][penalty]), Some(penalties));
    // What the platform cannot compute is "—", never a number.
    let missing = col("开展行业信用监管的领域");
    assert!(t.rows.iter().all(|r| r[missing] == Cell::Missing));
    assert!(content.notes[0].contains("开展行业信用监管的领域"));

    // Districts: the subjects of the file by region.
    let d = &content.districts;
    let subjects = d
        .columns
        .iter()
        .position(|c| c == "开展行业信用评价企业数量")
        .unwrap();
    let mut got_regions: BTreeMap<String, u64> = BTreeMap::new();
    for row in &d.rows {
        let Cell::Text(name) = &row[0] else { panic!() };
        let code = name
            .rsplit_once('（')
            .map_or(name.as_str(), |(_, c)| c.trim_end_matches('）'))
            .to_owned();
        got_regions.insert(code, count(&row[subjects]).unwrap());
    }
    assert_eq!(got_regions, regions);
    // The open government-dishonesty items, counted from the file: the
    // import's month ends after every record's date, so an item is open
    // unless it is settled or withdrawn.
    let open_items = read_jsonl(&input.join("records.jsonl"))
        .iter()
        .filter(|r| {
            r["kind"] == "gov_ledger" && r["withdrawn"] != true && r["settled_on"].is_null()
        })
        .count();
    assert_eq!(content.government.rows.len(), open_items);

    // Other roles are refused; bad input is named.
    let auditor = principal(&app, Role::Auditor, "auditor", None).await;
    let e = app.briefing_content(&auditor, &month).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    for (req, field) in [
        (
            BriefingRequest {
                period: "2026-13".into(),
                ..BriefingRequest::default()
            },
            "period",
        ),
        (
            BriefingRequest {
                period: month.code.clone(),
                news: "新".repeat(MAX_SECTION_CHARS + 1),
                ..BriefingRequest::default()
            },
            "news",
        ),
    ] {
        let e = app.issue_briefing(&admin, &req).await.unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field));
    }

    if !report_fonts_installed() {
        assert!(
            !in_ci(),
            "no CJK font under CI: run scripts/install-fonts.sh"
        );
        eprintln!(
            "NOTE: no CJK font installed (scripts/install-fonts.sh): the PDF part is skipped"
        );
        return;
    }
    let req = BriefingRequest {
        period: month.code.clone(),
        highlights: "二季度信用工作成绩较突出的地区：老边区".into(),
        ranking: "营口市 57/261\n盖州市 335/387".into(),
        news: "市信用办组织公益性信用修复培训。\n\n自贸区推行不见面审批。".into(),
    };
    let first = app.issue_briefing(&admin, &req).await.unwrap();
    let year = app.today().year();
    assert_eq!(first.number, format!("{year}年第1期"));
    assert_eq!(first.period, month.code);
    let second = app.issue_briefing(&admin, &req).await.unwrap();
    assert_eq!(
        second.number,
        format!("{year}年第2期"),
        "a re-issue is a new number"
    );
    assert_eq!(
        app.briefings(&admin)
            .await
            .unwrap()
            .iter()
            .map(|b| b.number.clone())
            .collect::<Vec<_>>(),
        [second.number.clone(), first.number.clone()]
    );
    let formats: Vec<&str> = first.files.iter().map(|f| f.format.as_str()).collect();
    assert_eq!(formats, ["pdf", "xlsx"]);
    for f in &first.files {
        let file = app
            .briefing_file(&admin, first.id, &f.format)
            .await
            .unwrap();
        use sha2::Digest;
        assert_eq!(hex::encode(sha2::Sha256::digest(&file.bytes)), f.sha256);
        assert_eq!(file.bytes.len() as u64, f.bytes);
    }
    let e = app
        .briefing_file(&admin, first.id, "doc")
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("format"));
    let e = app.briefing_file(&admin, 999, "pdf").await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    let e = app.briefings(&auditor).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);

    // Audited.
    let audit = app
        .audit_entries(
            &admin,
            &AuditFilter {
                limit: Some(100),
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap();
    let issued: Vec<&AuditEntry> = audit
        .iter()
        .filter(|e| e.action == "briefing.issue")
        .collect();
    assert_eq!(issued.len(), 2);
    assert!(
        issued
            .iter()
            .any(|e| e.detail["number"] == first.number.as_str())
    );

    // The XLSX: the department sheet carries the same penalties.
    {
        use calamine::{Data, Reader, Xlsx};
        let file = app.briefing_file(&admin, first.id, "xlsx").await.unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(file.bytes)).unwrap();
        let names = wb.sheet_names();
        assert!(names.iter().any(|n| n == "主要数据"), "{names:?}");
        let dept = names.iter().find(|n| n.contains("各部门")).unwrap().clone();
        let range = wb.worksheet_range(&dept).unwrap();
        let last = range.height() - 1;
        assert_eq!(range.get((last, 0)), Some(&Data::String("合计".into())));
        assert_eq!(
            range.get((last, penalty)),
            Some(&Data::Float(penalties as f64))
        );
        assert_eq!(range.get((1, missing)), Some(&Data::String("—".into())));
    }

    // The PDF's Chinese text extracts.
    let pdf = app.briefing_file(&admin, first.id, "pdf").await.unwrap();
    assert!(pdf.bytes.starts_with(b"%PDF"));
    // To look at it: XINYONG_BRIEFING_OUT=/tmp/briefing.pdf.
    if let Ok(out) = std::env::var("XINYONG_BRIEFING_OUT") {
        std::fs::write(out, &pdf.bytes).unwrap();
    }
    let path = dir.path().join("briefing.pdf");
    std::fs::write(&path, &pdf.bytes).unwrap();
    let out = match std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            assert!(!in_ci(), "pdftotext missing under CI: {e}");
            eprintln!(
                "NOTE: pdftotext is not installed (scripts/install-fonts.sh): text not checked"
            );
            return;
        }
    };
    let text: String = String::from_utf8(out.stdout)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for needle in [
        "工作简报",
        first.number.as_str(),
        "市信用办组织公益性信用修复培训。",
        "营口市57/261",
        "二季度信用工作成绩较突出的地区：老边区",
        "各部门数据报送情况统计表",
        "待治理的政府失信记录",
        &month.label,
    ] {
        assert!(text.contains(needle), "the PDF lacks {needle:?}: {text}");
    }
    let penalties_text = xinyong_app::display::thousands(u128::from(penalties));
    assert!(text.contains(&penalties_text));
}
