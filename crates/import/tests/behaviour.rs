//! Import behaviour on both backends: every format, every kind of bad input,
//! idempotent re-import, new versions, ordering and the observer.

mod common;

use std::io::Write;

use common::*;
use serde_json::json;
use xinyong_import::{
    Format, ImportError, Phase, Progress, ProgressFn, Target, import_files, read_file,
};
use xinyong_store::WriteStatus;

backend_tests!(
    jsonl_rows_are_validated_one_by_one,
    reimport_changes_nothing_and_a_changed_row_is_a_new_version,
    csv_cells_are_coerced_by_catalogue_type,
    xlsx_cells_are_coerced_and_hash_like_jsonl,
    unusable_files_stop_everything_before_writing,
    a_huge_line_is_skipped_and_the_rest_imported,
    subjects_files_go_first_and_register_their_subjects,
    the_observer_sees_every_committed_chunk_in_order,
    progress_is_reported_as_values,
    rows_with_nul_characters_are_quarantined,
    csv_quotes_never_closed_lose_no_row,
    a_file_whose_only_row_is_ambiguous_has_one_rejected_row,
    deep_extra_fields_are_stored_and_read_back,
);

async fn rows_with_nul_characters_are_quarantined(ctx: Ctx) {
    let u = uscc(1);
    let mut text = format!("{}\n", penalty("OK1", &u, 1));
    text.push_str(&format!(
        "{{\"id\": \"N\\u00001\", \"kind\": \"penalty\", \"subject\": \"{u}\"}}\n"
    ));
    text.push_str("{\"id\": \"N2\0\"}\n");
    let records = ctx.write("nul.jsonl", text);
    let csv = format!("id,kind,subject\nN3,penalty,{u}\0\n");
    let csv = ctx.write("nul.csv", csv);
    let report = import_files(&ctx.store, &[records, csv], &opts(), None)
        .await
        .expect("rows with NUL characters are rejected, not a failed import");
    assert_eq!(report.counts, counts(1, 3, 1, 0));
    let q = quarantine_rows(&ctx.store).await;
    assert_eq!(q.len(), 3, "{q:?}");
    let raws: Vec<String> = ctx
        .quarantine()
        .await
        .into_iter()
        .map(|e| e.row.raw)
        .collect();
    assert!(raws.iter().all(|r| !r.contains('\0')), "{raws:?}");
    assert!(raws.iter().any(|r| r.contains("N2\u{FFFD}")), "{raws:?}");
}

async fn progress_is_reported_as_values(ctx: Ctx) {
    let subjects = ctx.jsonl("s.jsonl", &[subject(1), subject(2)]);
    let mut lines: Vec<serde_json::Value> = (0..30)
        .map(|i| penalty(&format!("P{i}"), &uscc(1), 10))
        .collect();
    lines.push(json!({"id": "bad"}));
    let records = ctx.jsonl("r.jsonl", &lines);
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Progress>::new()));
    let sink = seen.clone();
    let tell: ProgressFn = std::sync::Arc::new(move |p: &Progress| {
        sink.lock().unwrap().push(p.clone());
    });
    let opts = xinyong_import::ImportOptions {
        progress: Some(tell),
        ..opts()
    };
    import_files(
        &ctx.store,
        &[records.clone(), subjects.clone()],
        &opts,
        None,
    )
    .await
    .expect("import");
    let seen = seen.lock().unwrap();
    let total =
        std::fs::metadata(&records).unwrap().len() + std::fs::metadata(&subjects).unwrap().len();
    assert_eq!(seen.first().map(|p| p.phase), Some(Phase::Checking));
    let files: Vec<&str> = seen
        .iter()
        .filter(|p| p.phase == Phase::Importing)
        .map(|p| p.file.as_str())
        .collect();
    assert_eq!(
        files.first().copied(),
        Some(&*subjects.to_string_lossy()),
        "subjects first"
    );
    assert_eq!(files.last().copied(), Some(&*records.to_string_lossy()));
    let last = seen.last().expect("progress");
    assert_eq!(
        (
            last.phase,
            last.bytes_read,
            last.total_bytes,
            last.rows,
            last.accepted,
            last.rejected
        ),
        (Phase::Read, total, total, 33, 32, 1)
    );
    assert!(
        seen.windows(2).all(|w| w[0].bytes_read <= w[1].bytes_read),
        "bytes read only grow"
    );
}

async fn jsonl_rows_are_validated_one_by_one(ctx: Ctx) {
    let (u1, u2, u3) = (uscc(1), uscc(2), uscc(3));
    let subjects = ctx.jsonl(
        "subjects.jsonl",
        &[
            subject(1),
            subject(2),
            json!({"uscc": "123", "name": "坏代码", "type": "enterprise"}),
        ],
    );
    let mut records = Vec::new();
    let line = |v: serde_json::Value| format!("{v}\n").into_bytes();
    records.extend(line(penalty("P1", &u1, 30000))); // 1 ok
    records.extend(line(penalty("P2", &u3, 500))); // 2 ok, subject not registered
    let mut v = penalty("P3", &u1, 0);
    v["fine_cny"] = json!("30000");
    records.extend(line(v)); // 3 wrong type
    let mut v = penalty("P4", &u1, 1);
    v.as_object_mut().unwrap().remove("procedure");
    records.extend(line(v)); // 4 missing
    let mut v = penalty("P5", &u1, 1);
    v["date"] = json!("2021-02-30");
    records.extend(line(v)); // 5 bad date
    let mut v = penalty("P6", &u1, 1);
    v["sanctions"] = json!(["flogging"]);
    records.extend(line(v)); // 6 bad code
    let mut v = penalty("P7", &u1, 1);
    v["kind"] = json!("penalti");
    records.extend(line(v)); // 7 unknown kind
    records.extend(b"this is not json\n"); // 8
    records.extend(b"[1, 2, 3]\n"); // 9
    records.extend(b"{\"id\": \"P10\", \"note\": \"\xff\xfe\"}\n"); // 10 invalid UTF-8
    records.extend(b"   \n"); // 11 blank: skipped
    records.extend(line(json!({"id": "L1", "kind": "license", "subject": u2, "source": "XZSP",
                               "date": "2020-01-01", "title": "食品经营许可证", "extra_field": {"x": 1}}))); // 12 ok
    records.extend(br#"{"id": "T1", "kind": "tax_rating", "subject": "#); // 13 truncated
    let records = ctx.write("records.jsonl", records);

    let report = import_files(
        &ctx.store,
        &[records.clone(), subjects.clone()],
        &opts(),
        None,
    )
    .await
    .expect("import");
    assert_eq!(report.counts, counts(5, 10, 1, 0));
    assert_eq!(report.files.len(), 2);
    let (fs, fr) = (&report.files[0], &report.files[1]);
    assert_eq!(
        (fs.target, fs.format, fs.counts),
        (Target::Subjects, Format::JsonLines, counts(2, 1, 0, 0))
    );
    assert_eq!(
        (fr.target, fr.format, fr.counts),
        (Target::Records, Format::JsonLines, counts(3, 9, 1, 0))
    );
    assert_eq!(errors_of(fs), vec![(3, "uscc".into(), "bad_uscc".into())]);
    let want: Vec<(u64, String, String)> = [
        (3, "fine_cny", "wrong_type"),
        (4, "procedure", "missing"),
        (5, "date", "bad_date"),
        (6, "sanctions", "bad_code"),
        (7, "kind", "unknown_kind"),
        (8, "", "not_json"),
        (9, "", "not_object"),
        (10, "", "bad_encoding"),
        (13, "", "truncated"),
    ]
    .into_iter()
    .map(|(r, f, c)| (r, f.to_owned(), c.to_owned()))
    .collect();
    assert_eq!(errors_of(fr), want);
    let shown = fr.errors_sample[0].to_string();
    assert!(
        shown.starts_with(&format!("{} line 3, field fine_cny: ", records.display())),
        "{shown}"
    );
    assert!(
        fr.errors_sample[5].to_string().contains(" line 8: "),
        "{}",
        fr.errors_sample[5]
    );

    let touched: Vec<&str> = report.touched_subjects.iter().map(String::as_str).collect();
    assert_eq!(touched, vec![u1.as_str(), u2.as_str(), u3.as_str()]);

    // The stored rows, the warning, the extra field.
    let p2 = ctx
        .store
        .record("SCJG", "P2")
        .await
        .unwrap()
        .expect("P2 stored");
    assert_eq!(
        p2.warnings.iter().map(|w| w.code).collect::<Vec<_>>(),
        vec!["subject_not_registered"]
    );
    assert!(
        ctx.store
            .record("SCJG", "P1")
            .await
            .unwrap()
            .unwrap()
            .warnings
            .is_empty()
    );
    let l1 = ctx.store.record("XZSP", "L1").await.unwrap().unwrap();
    assert_eq!(l1.body["extra_field"], json!({"x": 1}));
    assert!(ctx.store.subject(&u2).await.unwrap().is_some());

    // The quarantine: every rejected row with what could be read of it.
    let q = ctx.quarantine().await;
    assert_eq!(q.len(), 10);
    let by_row = |file: &std::path::Path, row: u64| {
        q.iter()
            .find(|e| e.row.file == file.to_string_lossy() && e.row.row == row)
            .expect("quarantined row")
            .row
            .clone()
    };
    let r3 = by_row(&records, 3);
    assert_eq!(
        (r3.target.as_str(), r3.source.as_deref(), r3.kind.as_deref()),
        ("records", Some("SCJG"), Some("penalty"))
    );
    assert_eq!(r3.record_id.as_deref(), Some("P3"));
    assert!(r3.raw.contains("\"fine_cny\":\"30000\""), "{}", r3.raw);
    assert_eq!(r3.errors[0].code, "wrong_type");
    let r8 = by_row(&records, 8);
    assert_eq!(
        (r8.source, r8.kind, r8.raw.as_str()),
        (None, None, "this is not json")
    );
    let r10 = by_row(&records, 10);
    assert!(r10.raw.contains('\u{fffd}'), "lossy raw text: {}", r10.raw);
    let s3 = by_row(&subjects, 3);
    assert_eq!(
        (s3.target.as_str(), s3.record_id.as_deref()),
        ("subjects", Some("123"))
    );
}

async fn reimport_changes_nothing_and_a_changed_row_is_a_new_version(ctx: Ctx) {
    let u1 = uscc(11);
    let subjects = ctx.jsonl("s.jsonl", &[subject(11)]);
    let records = ctx.jsonl(
        "r.jsonl",
        &[
            penalty("P1", &u1, 100),
            penalty("P2", &uscc(12), 200),
            json!({"id": "bad", "kind": "penalty"}),
        ],
    );
    let files = [subjects.clone(), records.clone()];
    let first = import_files(&ctx.store, &files, &opts(), None)
        .await
        .unwrap();
    assert_eq!(first.counts, counts(3, 1, 1, 0));
    let versions = record_versions(&ctx.store).await;
    let quarantine = quarantine_rows(&ctx.store).await;

    let again = import_files(&ctx.store, &files, &opts(), None)
        .await
        .unwrap();
    assert_eq!(
        again.counts,
        counts(0, 1, 1, 3),
        "all unchanged, the bad row rejected again"
    );
    assert!(again.touched_subjects.is_empty());
    assert_ne!(again.batch, first.batch);
    assert_eq!(record_versions(&ctx.store).await, versions);
    assert_eq!(
        quarantine_rows(&ctx.store).await,
        quarantine,
        "no duplicate in quarantine"
    );

    // Key order and spacing do not matter; a changed fine is a new version.
    let reordered = ctx.write(
        "r2.jsonl",
        format!(
            "{{ \"fine_cny\": 100, \"sanctions\": [\"fine\"], \"procedure\": \"general\", \"date\": \"2021-03-04\", \"source\": \"SCJG\", \"subject\": \"{u1}\", \"kind\": \"penalty\", \"id\": \"P1\" }}\n{}\n",
            penalty("P2", &uscc(12), 250)
        ),
    );
    let third = import_files(&ctx.store, &[reordered], &opts(), None)
        .await
        .unwrap();
    assert_eq!(third.counts, counts(1, 0, 1, 1));
    assert_eq!(
        third.touched_subjects.iter().cloned().collect::<Vec<_>>(),
        vec![uscc(12)]
    );
    let history = ctx.store.record_history("SCJG", "P2").await.unwrap();
    assert_eq!(
        history.iter().map(|r| r.version).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(history[1].body["fine_cny"], json!(250));
}

async fn csv_cells_are_coerced_by_catalogue_type(ctx: Ctx) {
    let u1 = uscc(21);
    let subjects = ctx.write(
        "subjects.csv",
        format!(
            "uscc,name,type,tax_registered,registered_capital_cny,region,people\n\
             {u1},营口甲公司,enterprise,是,1000000,210804,\"[{{\"\"role\"\":\"\"legal_representative\"\",\"\"name\"\":\"\"张三\"\"}}]\"\n"
        ),
    );
    let mut csv = Vec::new();
    csv.extend(b"\xEF\xBB\xBFid,kind,subject,source,date,procedure,sanctions,fine_cny,withdrawn,title,note,basis_bands\r\n");
    let row = |s: String| format!("{s}\r\n").into_bytes();
    csv.extend(row(format!(
        "P1,penalty,{u1},SCJG,2021-03-04,general,fine; warning,12.5,否,,备注,\"{{\"\"general\"\": [1000, 50000]}}\""
    ))); // 2
    csv.extend(row(format!(
        "P2,penalty,{u1},SCJG,2021-03-05,general,fine,abc,,,,"
    ))); // 3
    csv.extend(row(format!(
        "L1,license,{u1},XZSP,2021-01-01,,,,TRUE,食品经营许可证,,"
    ))); // 4
    csv.extend(row(format!(
        "P3,penalty,{u1},SCJG,2021-03-06,simple,warning,,,某标题,,"
    ))); // 5
    csv.extend(b"\r\n"); // 6 blank row
    csv.extend(row(format!(
        "P4,penalty,{u1},SCJG,2021-03-07,general,fine,100"
    ))); // 7 too few cells
    csv.extend(row(format!(
        "P5,penalty,{u1},SCJG,2021-03-08,general,fine,100,maybe,,,"
    ))); // 8
    csv.extend(row(format!(
        "P6,penalty,{u1},SCJG,2021-03-09,general,fine,100,0,,\"第一行\r\n第二行\","
    )));
    // 9 (two physical lines, one sheet row)
    csv.extend(format!("P7,penalty,{u1},SCJG,2021-03-10,general,fine,100,,,").into_bytes());
    csv.extend(b"\xff\xfe,\r\n"); // 10 invalid UTF-8 in `note`
    csv.extend(row(format!(
        "P8,penalty,{u1},SCJG,2021/03/11,general,fine,100,,,,"
    ))); // 11
    csv.extend(row(format!(
        "P9,penalty,{u1},SCJG,2021-03-12,general,fine,1e2,,,x,,extra"
    ))); // 12 extra cell
    csv.extend(row(format!(
        "P10,penalty,{u1},SCJG,2021-03-13,general,,100,,,,"
    ))); // 13 missing sanctions
    let records = ctx.write("records.csv", csv);

    let report = import_files(&ctx.store, &[records.clone(), subjects], &opts(), None)
        .await
        .expect("import");
    assert_eq!(report.files[0].counts, counts(1, 0, 0, 0));
    let fr = &report.files[1];
    assert_eq!((fr.format, fr.target), (Format::Csv, Target::Records));
    let want: Vec<(u64, String, String)> = [
        (3, "fine_cny", "wrong_type"),
        (7, "", "cell_count"),
        (8, "withdrawn", "wrong_type"),
        (10, "note", "bad_encoding"),
        (11, "date", "bad_date"),
        (12, "", "cell_count"),
        (13, "sanctions", "missing"),
    ]
    .into_iter()
    .map(|(r, f, c)| (r, f.to_owned(), c.to_owned()))
    .collect();
    assert_eq!(errors_of(fr), want);
    assert_eq!(fr.counts, counts(4, 7, 0, 0));

    let s = ctx.store.subject(&u1).await.unwrap().unwrap();
    assert_eq!(s.body["tax_registered"], json!(true));
    assert_eq!(s.body["registered_capital_cny"], json!(1000000));
    assert_eq!(s.body["region"], json!("210804"));
    assert_eq!(
        s.body["people"],
        json!([{"role": "legal_representative", "name": "张三"}])
    );

    let p1 = ctx.store.record("SCJG", "P1").await.unwrap().unwrap();
    assert_eq!(p1.body["sanctions"], json!(["fine", "warning"]));
    assert_eq!(p1.body["fine_cny"], json!(12.5));
    assert_eq!(p1.body["withdrawn"], json!(false));
    assert_eq!(p1.body["note"], json!("备注"));
    assert_eq!(p1.body["basis_bands"], json!({"general": [1000, 50000]}));
    assert!(p1.body.get("title").is_none(), "empty cells are absent");
    let l1 = ctx.store.record("XZSP", "L1").await.unwrap().unwrap();
    assert_eq!(l1.body["title"], json!("食品经营许可证"));
    assert_eq!(l1.body["withdrawn"], json!(true));
    let p3 = ctx.store.record("SCJG", "P3").await.unwrap().unwrap();
    assert_eq!(
        p3.body["title"],
        json!("某标题"),
        "a column of another kind is kept as an extra field"
    );
    let p6 = ctx.store.record("SCJG", "P6").await.unwrap().unwrap();
    assert_eq!(p6.body["note"], json!("第一行\r\n第二行"));

    let q = ctx.quarantine().await;
    let r7 = q.iter().find(|e| e.row.row == 7).unwrap();
    assert!(r7.row.raw.starts_with("P4,penalty,"), "{}", r7.row.raw);
    assert_eq!(
        (r7.row.source.as_deref(), r7.row.record_id.as_deref()),
        (Some("SCJG"), Some("P4"))
    );
}

async fn xlsx_cells_are_coerced_and_hash_like_jsonl(ctx: Ctx) {
    use X::*;
    let u1 = uscc(31);
    let subjects = ctx.path("subjects.xlsx");
    write_xlsx(
        &subjects,
        &[
            Some(vec![
                S("uscc"),
                S("name"),
                S("type"),
                S("region"),
                S("established_on"),
                S("tax_registered"),
            ]),
            Some(vec![
                Str(u1.clone()),
                S("营口乙公司"),
                S("enterprise"),
                N(210804.0),
                D(2015, 6, 1),
                B(true),
            ]),
        ],
    );
    let records = ctx.path("records.xlsx");
    let head = || {
        Some(vec![
            S("id"),
            S("kind"),
            S("subject"),
            S("source"),
            S("date"),
            S("procedure"),
            S("sanctions"),
            S("fine_cny"),
            S("withdrawn"),
            S("year"),
            S("memo"),
        ])
    };
    let pen = |id: &'static str, fine: X| {
        vec![
            S(id),
            S("penalty"),
            Str(u1.clone()),
            S("SCJG"),
            D(2021, 3, 4),
            S("general"),
            S("fine"),
            fine,
            B(false),
        ]
    };
    let mut p4 = pen("P4", N(1.0));
    p4.extend([Empty, Empty, Empty, S("beyond the header")]);
    let mut p1 = pen("P1", N(30000.0));
    p1.extend([Empty, N(7.5)]);
    write_xlsx(
        &records,
        &[
            head(),
            Some(p1),
            Some(vec![
                S("A1"),
                S("annual_report"),
                Str(u1.clone()),
                S("SCJG"),
                S("2021-05-01"),
                Empty,
                Empty,
                Empty,
                Empty,
                N(2020.0),
            ]),
            Some(pen("P2", S("abc"))),
            Some(pen("P3", E("#DIV/0!"))),
            None,
            Some(p4),
            Some(vec![Empty, Empty]),
        ],
    );
    let report = import_files(
        &ctx.store,
        &[records.clone(), subjects.clone()],
        &opts(),
        None,
    )
    .await
    .expect("import");
    assert_eq!(report.files[0].counts, counts(1, 0, 0, 0));
    let fr = &report.files[1];
    assert_eq!((fr.format, fr.target), (Format::Xlsx, Target::Records));
    let want: Vec<(u64, String, String)> = [
        (4, "fine_cny", "wrong_type"),
        (5, "fine_cny", "cell_error"),
        (7, "", "cell_count"),
    ]
    .into_iter()
    .map(|(r, f, c)| (r, f.to_owned(), c.to_owned()))
    .collect();
    assert_eq!(errors_of(fr), want);
    assert_eq!(fr.counts, counts(2, 3, 0, 0));

    let s = ctx.store.subject(&u1).await.unwrap().unwrap();
    assert_eq!(
        s.body["region"],
        json!("210804"),
        "a numeric cell in a text field is its text"
    );
    assert_eq!(s.body["established_on"], json!("2015-06-01"));
    assert_eq!(s.body["tax_registered"], json!(true));
    let p1 = ctx.store.record("SCJG", "P1").await.unwrap().unwrap();
    assert_eq!(p1.body["date"], json!("2021-03-04"));
    assert_eq!(p1.body["fine_cny"], json!(30000));
    assert_eq!(
        p1.body["memo"],
        json!(7.5),
        "unknown column, numeric cell: a number"
    );
    let a1 = ctx.store.record("SCJG", "A1").await.unwrap().unwrap();
    assert_eq!(a1.body["year"], json!(2020));

    // The same rows as JSON Lines are the same content: unchanged.
    let mut p1_json = penalty("P1", &u1, 30000);
    p1_json["withdrawn"] = json!(false);
    p1_json["memo"] = json!(7.5);
    let a1_json = json!({"id": "A1", "kind": "annual_report", "subject": u1, "source": "SCJG", "date": "2021-05-01", "year": 2020});
    let same = ctx.jsonl("same.jsonl", &[p1_json, a1_json]);
    let again = import_files(&ctx.store, &[same], &opts(), None)
        .await
        .unwrap();
    assert_eq!(again.counts, counts(0, 0, 0, 2));
}

async fn unusable_files_stop_everything_before_writing(ctx: Ctx) {
    let good = ctx.jsonl("good.jsonl", &[subject(41)]);
    let valid_xlsx = ctx.path("valid.xlsx");
    write_xlsx(
        &valid_xlsx,
        &[
            Some(vec![X::S("uscc"), X::S("name")]),
            Some(vec![X::Str(uscc(41)), X::S("n")]),
        ],
    );
    let bytes = std::fs::read(&valid_xlsx).unwrap();
    let truncated = ctx.write("truncated.xlsx", &bytes[..bytes.len() / 2]);
    let mut corrupt_bytes = bytes.clone();
    let mid = corrupt_bytes.len() / 2;
    for b in &mut corrupt_bytes[mid - 200..mid + 200] {
        *b = 0x5a;
    }
    let corrupt = ctx.write("corrupt.xlsx", &corrupt_bytes);
    let mut gbk = b"uscc,name\n".to_vec();
    for _ in 0..40 {
        gbk.extend([
            0xD3, 0xAA, 0xBF, 0xDA, 0xCA, 0xD0, b',', 0xB9, 0xAB, 0xCB, 0xBE, b'\n',
        ]);
    }
    // A header cell in column XFE, one beyond Excel's last (a header that
    // wide would make every row billions of empty cells).
    let wide_xlsx = ctx.path("wide.xlsx");
    rewrite_sheet(&valid_xlsx, &wide_xlsx, |xml| {
        xml.replacen(r#"r="B1""#, r#"r="XFE1""#, 1)
    });
    let header_only_xlsx = ctx.path("header_only.xlsx");
    write_xlsx(&header_only_xlsx, &[Some(vec![X::S("id"), X::S("kind")])]);
    let cases: Vec<(std::path::PathBuf, &str)> = vec![
        (ctx.path("missing.jsonl"), "file not found"),
        (ctx.dir.path().to_path_buf(), "is a directory"),
        (ctx.write("empty.jsonl", ""), "file is empty"),
        (ctx.write("blank.csv", "\n\n  \n"), "file is empty"),
        (ctx.write("blank.jsonl", "\n   \n"), "file is empty"),
        (
            ctx.write("binary.jsonl", b"{\"a\":1}\n\x00\x01\x02\x03PK\x03\x04"),
            "binary file",
        ),
        (ctx.write("gbk.csv", &gbk), "not UTF-8 text"),
        (ctx.write("records.txt", "{}\n"), "unsupported file type"),
        (
            ctx.write("what.csv", "a,b,c\n1,2,3\n"),
            "cannot tell what the file holds",
        ),
        (
            ctx.write("what.jsonl", "{\"a\": 1}\n"),
            "cannot tell what the file holds",
        ),
        (
            ctx.write(
                "array.json",
                "[\n  {\n    \"uscc\": \"x\",\n    \"name\": \"y\"\n  }\n]\n",
            ),
            "no line is a JSON object",
        ),
        (
            ctx.write("dup.csv", "uscc,name,name\n"),
            "duplicate column 'name'",
        ),
        (truncated, "not a readable XLSX workbook"),
        (corrupt, "XLSX"),
        (
            ctx.write("text.xlsx", "uscc,name\n"),
            "not a readable XLSX workbook",
        ),
        (ctx.write("empty.xlsx", ""), "file is empty"),
        (wide_xlsx, "beyond column 16384, XFD"),
        // A header and no data row: nothing to import, like an empty file.
        (header_only_xlsx.clone(), "no data rows"),
        (
            ctx.write("header_only.csv", "uscc,name,type\n\n"),
            "no data rows",
        ),
        (
            ctx.write("nul_header.csv", "uscc,na\0me\n1,2\n"),
            "NUL byte",
        ),
        (
            ctx.write("open_quote_header.csv", "uscc,\"name\n1,2\n"),
            "never closed",
        ),
        // Binary formats by their signature, and UTF-16 text.
        (
            ctx.write("workbook.csv", &bytes),
            "an XLSX workbook must be named .xlsx",
        ),
        (
            ctx.write(
                "utf16.csv",
                "\u{feff}uscc,name\n1,2\n"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes)
                    .collect::<Vec<u8>>(),
            ),
            "UTF-16",
        ),
    ];
    for (path, reason) in &cases {
        let err = import_files(&ctx.store, &[good.clone(), path.clone()], &opts(), None)
            .await
            .expect_err("unusable");
        match err {
            ImportError::Unusable { file, reason: got } => {
                assert_eq!(file, path.to_string_lossy(), "{reason}");
                assert!(
                    got.contains(reason),
                    "{}: expected '{reason}' in '{got}'",
                    path.display()
                );
            }
            other => panic!("{}: expected Unusable, got {other:?}", path.display()),
        }
    }
    // Header only, for a reader that knows what the file holds: no rows.
    let rows = read_file(&header_only_xlsx, Target::Records).expect("no rows");
    assert!(rows.records.is_empty() && rows.errors.is_empty());
    let c = ctx.store.counts().await.unwrap();
    assert_eq!(
        (c.subjects, c.records, c.quarantined, c.batches),
        (0, 0, 0, 0),
        "nothing written by unusable imports"
    );
    let ok = import_files(&ctx.store, &[valid_xlsx], &opts(), None)
        .await
        .expect("the valid workbook imports");
    assert_eq!(ok.files[0].target, Target::Subjects);
}

/// Copy the workbook `from` to `to` with its worksheet's XML changed by `edit`.
fn rewrite_sheet(from: &std::path::Path, to: &std::path::Path, edit: impl Fn(&str) -> String) {
    use std::io::Read;
    let mut src = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut dst = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let mut part = src.by_index(i).unwrap();
        let name = part.name().unwrap().into_owned();
        let mut body = String::new();
        part.read_to_string(&mut body).unwrap();
        if name.starts_with("xl/worksheets/") {
            let edited = edit(&body);
            assert_ne!(edited, body, "the edit changes the sheet");
            body = edited;
        }
        dst.start_file(name, options).unwrap();
        dst.write_all(body.as_bytes()).unwrap();
    }
    dst.finish().unwrap();
}

async fn a_huge_line_is_skipped_and_the_rest_imported(ctx: Ctx) {
    let u1 = uscc(51);
    let path = ctx.path("huge.jsonl");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(f, "{}", penalty("P1", &u1, 1)).unwrap();
        // 100 MB line: a JSON object with one enormous string.
        write!(
            f,
            "{{\"id\": \"HUGE\", \"kind\": \"penalty\", \"facts\": \""
        )
        .unwrap();
        let block = vec![b'x'; 1 << 20];
        for _ in 0..100 {
            f.write_all(&block).unwrap();
        }
        writeln!(f, "\"}}").unwrap();
        writeln!(f, "{}", penalty("P3", &u1, 3)).unwrap();
        f.flush().unwrap();
    }
    let mut csv = b"id,kind,subject,source,date,procedure,sanctions,facts\n".to_vec();
    csv.extend(format!("C1,penalty,{u1},SCJG,2021-03-04,general,fine,\"").into_bytes());
    csv.extend(std::iter::repeat_n(b'y', 9 << 20));
    csv.extend(format!("\"\nC2,penalty,{u1},SCJG,2021-03-04,general,fine,ok\n").into_bytes());
    let csv_path = ctx.write("huge.csv", csv);
    let report = import_files(&ctx.store, &[path.clone(), csv_path], &opts(), None)
        .await
        .expect("import");
    assert_eq!(
        errors_of(&report.files[0]),
        vec![(2, String::new(), "line_too_long".to_owned())]
    );
    assert!(
        report.files[0].errors_sample[0]
            .reason
            .contains("line longer than 8 MiB")
    );
    assert_eq!(report.files[0].counts, counts(2, 1, 2, 0));
    assert_eq!(
        errors_of(&report.files[1]),
        vec![(2, String::new(), "line_too_long".to_owned())]
    );
    assert_eq!(report.files[1].counts, counts(1, 1, 1, 0));
    let q = ctx.quarantine().await;
    let huge = q
        .iter()
        .find(|e| e.row.file == path.to_string_lossy())
        .unwrap();
    assert_eq!(huge.row.raw.len(), 64 * 1024, "raw text capped");
    assert!(ctx.store.record("SCJG", "P3").await.unwrap().is_some());
    assert!(ctx.store.record("SCJG", "C2").await.unwrap().is_some());
}

async fn subjects_files_go_first_and_register_their_subjects(ctx: Ctx) {
    // Records file given first; its subject is in the subjects file given second.
    let records = ctx.jsonl(
        "r.jsonl",
        &[penalty("P1", &uscc(61), 1), penalty("P2", &uscc(62), 1)],
    );
    let subjects = ctx.jsonl("s.jsonl", &[subject(61)]);
    let report = import_files(
        &ctx.store,
        &[records.clone(), subjects.clone()],
        &opts(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        report.files.iter().map(|f| f.target).collect::<Vec<_>>(),
        vec![Target::Subjects, Target::Records]
    );
    assert_eq!(
        report.files[1].counts,
        counts(2, 0, 1, 0),
        "only the unknown subject warns"
    );
    assert!(
        ctx.store
            .record("SCJG", "P1")
            .await
            .unwrap()
            .unwrap()
            .warnings
            .is_empty()
    );
    // Registered by an earlier import: no warning either.
    let later = ctx.jsonl("r2.jsonl", &[penalty("P3", &uscc(61), 1)]);
    let report = import_files(&ctx.store, &[later], &opts(), None)
        .await
        .unwrap();
    assert_eq!(report.counts, counts(1, 0, 0, 0));
}

async fn the_observer_sees_every_committed_chunk_in_order(ctx: Ctx) {
    let subjects: Vec<_> = (0..30).map(|i| subject(100 + i)).collect();
    let records: Vec<_> = (0..250)
        .map(|i| penalty(&format!("R{i}"), &uscc(100 + i % 30), u64::from(i)))
        .collect();
    let s = ctx.jsonl("s.jsonl", &subjects);
    let r = ctx.jsonl("r.jsonl", &records);
    let mut obs = CountingObserver::default();
    let opts = xinyong_import::ImportOptions {
        chunk_rows: 100,
        ..opts()
    };
    let report = import_files(&ctx.store, &[s.clone(), r.clone()], &opts, Some(&mut obs))
        .await
        .unwrap();
    assert_eq!(report.counts, counts(280, 0, 0, 0));
    assert_eq!(
        (obs.chunks, obs.subjects, obs.records),
        (4, 30, 250),
        "1 subjects chunk + 3 records chunks"
    );
    assert_eq!(report.touched_subjects.len(), 30);
    let batch = ctx.store.batch(report.batch).await.unwrap().unwrap();
    assert_eq!(batch.counts, report.counts);
    assert_eq!(batch.status, xinyong_store::BatchStatus::Completed);

    // A failing observer stops the import; the batch is marked failed.
    struct Failing;
    impl xinyong_import::ImportObserver for Failing {
        fn chunk_committed(&mut self, chunk: xinyong_import::CommittedChunk) -> Result<(), String> {
            assert!(
                chunk
                    .record_outcomes
                    .iter()
                    .all(|o| o.status == WriteStatus::Unchanged)
            );
            Err("mirror is full".into())
        }
    }
    let err = import_files(&ctx.store, &[r], &opts, Some(&mut Failing))
        .await
        .expect_err("observer fails");
    assert!(
        matches!(&err, ImportError::Observer(m) if m == "mirror is full"),
        "{err:?}"
    );
    let last = ctx.store.batches(1).await.unwrap().remove(0);
    assert_eq!(last.status, xinyong_store::BatchStatus::Failed);
}

// Defects found by the probe (issue 17): rows read without a store.

/// `(row, field, code)` of every error of rows read by `read_file`.
fn read_errors(rows: &xinyong_import::FileRows) -> Vec<(u64, String, String)> {
    rows.errors
        .iter()
        .map(|e| (e.row, e.field.clone(), e.code.clone()))
        .collect()
}

fn temp_file(dir: &tempfile::TempDir, name: &str, bytes: impl AsRef<[u8]>) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

fn penalty_line(id: &str, fine: &str, extra: &str) -> String {
    format!(
        r#"{{"id": "{id}", "kind": "penalty", "subject": "{}", "source": "SCJG", "date": "2021-03-04", "procedure": "general", "sanctions": ["fine"], "fine_cny": {fine}{extra}}}"#,
        uscc(1)
    )
}

#[test]
fn an_unclosed_csv_quote_is_its_rows_error_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let header = "id,kind,subject,source,date,procedure,sanctions,fine_cny\n";
    let row = |id: &str| {
        format!(
            "{id},penalty,{},SCJG,2021-03-04,general,fine,100\n",
            uscc(1)
        )
    };
    let text = format!(
        "{header}{}{},\"oops\n{}{}",
        row("P1"),
        row("P2").trim_end(),
        row("P3"),
        row("P4")
    );
    let rows = read_file(&temp_file(&dir, "q.csv", text), Target::Records).expect("read");
    assert_eq!(
        read_errors(&rows),
        vec![(3, "I".to_owned(), "unclosed_quote".to_owned())],
        "the quote opened in column I, beyond the header"
    );
    assert!(
        rows.errors[0].reason.contains("row 3"),
        "{}",
        rows.errors[0]
    );
    let ids: Vec<&str> = rows.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        vec!["P1", "P3", "P4"],
        "the rows after the quote's line are read"
    );
}

#[test]
fn a_nul_byte_rejects_its_line_wherever_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!("{}\n", penalty_line("N1", "1", r#", "note": "a\u0000b""#));
    text.push_str(&format!(
        "{}\n",
        penalty_line("N2", "1", ", \"note\": \"a\0b\"")
    ));
    // Far beyond the first 64 KiB.
    for i in 0..400 {
        text.push_str(&format!("{}\n", penalty_line(&format!("F{i}"), "1", "")));
    }
    text.push_str("{\"id\": \"N3\0\"}\n");
    let rows = read_file(&temp_file(&dir, "nul.jsonl", &text), Target::Records).expect("read");
    assert!(text.len() > 64 * 1024);
    assert_eq!(
        read_errors(&rows),
        vec![
            (2, String::new(), "nul_byte".to_owned()),
            (403, String::new(), "nul_byte".to_owned())
        ]
    );
    assert_eq!(rows.records.len(), 401, "the escaped \\u0000 is text");

    let csv = format!(
        "id,kind,subject,source,date,procedure,sanctions,fine_cny\nC1,penalty,{u},SCJG,2021-03-04,general,fine,1\nC2,penalty,{u},SCJG,2021-03-04,general,fine,1\0\n",
        u = uscc(1)
    );
    let rows = read_file(&temp_file(&dir, "nul.csv", csv), Target::Records).expect("read");
    assert_eq!(
        read_errors(&rows),
        vec![(3, String::new(), "nul_byte".to_owned())]
    );
    assert_eq!(rows.records.len(), 1);
}

#[test]
fn equal_amounts_hash_equally_however_they_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let hash = |name: &str, fine: &str| {
        let path = temp_file(&dir, name, format!("{}\n", penalty_line("H1", fine, "")));
        let rows = read_file(&path, Target::Records).expect("read");
        assert!(rows.errors.is_empty(), "{:?}", rows.errors);
        rows.records[0].hash
    };
    let int = hash("a.jsonl", "50000");
    for (i, fine) in ["50000.0", "50000.00", "5e4"].into_iter().enumerate() {
        assert_eq!(hash(&format!("b{i}.jsonl"), fine), int, "{fine}");
    }
    assert_ne!(hash("c.jsonl", "50000.5"), int);
}

#[test]
fn deep_extra_fields_are_kept_and_duplicate_keys_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let deep = |levels: usize| {
        format!(
            r#", "deep": {}"x"{}"#,
            "{\"a\": ".repeat(levels),
            "}".repeat(levels)
        )
    };
    let text = format!(
        "{}\n{}\n{}\n",
        penalty_line("D1", "1", &deep(200)),
        penalty_line("D2", "1", r#", "fine_cny": 2"#),
        penalty_line("D3", "1", &deep(xinyong_core::json::MAX_DEPTH)),
    );
    let rows = read_file(&temp_file(&dir, "deep.jsonl", text), Target::Records).expect("read");
    assert_eq!(
        read_errors(&rows),
        vec![
            (2, "fine_cny".to_owned(), "duplicate_key".to_owned()),
            (3, String::new(), "too_deep".to_owned())
        ]
    );
    assert_eq!(rows.records.len(), 1);
    let mut v = &rows.records[0].body["deep"];
    for _ in 0..200 {
        v = &v["a"];
    }
    assert_eq!(v, &json!("x"), "the deep extra field is kept whole");
}

/// Defect 4 of the probe of the import command line: a CSV quote that is
/// never closed swallowed the following rows into its cell, silently.
async fn csv_quotes_never_closed_lose_no_row(ctx: Ctx) {
    let u = uscc(1);
    let header = "id,kind,subject,source,date,procedure,sanctions,fine_cny,note\n";
    let row = |id: &str, note: &str| {
        format!("{id},penalty,{u},SCJG,2021-03-04,general,fine,100,{note}\n")
    };
    // A stray quote in a text column, "closed" by a stray quote two rows
    // later: before, P2 was stored with three rows in its note and P3, P4
    // were lost, exit 0.
    let swallowed = format!(
        "{header}{}{}{}{}{}",
        row("P1", "ok"),
        row("P2", "\"stray"),
        row("P3", "fine"),
        row("P4", "last\""),
        row("P5", "ok")
    );
    // A quote opened in a typed column and never closed: the file ends in it.
    let at_end = format!(
        "{header}{}{u},SCJG,2021-03-04,general,fine,\"100,x\n{}{}",
        "Q2,penalty,",
        row("Q3", "a"),
        row("Q4", "b")
    );
    let files = [
        ctx.write("swallowed.csv", swallowed),
        ctx.write("at_end.csv", at_end),
    ];
    let report = import_files(&ctx.store, &files, &opts(), None)
        .await
        .expect("import");
    assert_eq!(
        errors_of(&report.files[0]),
        vec![(3, "note".to_owned(), "unclosed_quote".to_owned())]
    );
    let reason = &report.files[0].errors_sample[0].reason;
    assert!(
        reason.contains("row 3, column note") && reason.contains("complete rows"),
        "{reason}"
    );
    assert_eq!(
        errors_of(&report.files[1]),
        vec![(2, "fine_cny".to_owned(), "unclosed_quote".to_owned())]
    );
    let reason = &report.files[1].errors_sample[0].reason;
    assert!(
        reason.contains("row 2, column fine_cny") && reason.contains("the file ends inside it"),
        "{reason}"
    );
    // Six rows stored (each warned: subject not registered), two rejected.
    assert_eq!(report.counts, counts(6, 2, 6, 0));
    let ids: Vec<String> = record_versions(&ctx.store)
        .await
        .into_iter()
        .map(|(_, id, _, _)| id)
        .collect();
    assert_eq!(ids, vec!["P1", "P3", "P4", "P5", "Q3", "Q4"]);
    let p4 = ctx.store.record("SCJG", "P4").await.unwrap().expect("P4");
    assert_eq!(
        p4.body["note"],
        json!("last\""),
        "the stray closing quote is text"
    );
    // The quarantine keeps the row as far as the line where its quote
    // opened, with its key.
    let mut q = ctx.quarantine().await;
    q.sort_by(|a, b| a.row.file.cmp(&b.row.file));
    let raws: Vec<(&str, Option<&str>)> = q
        .iter()
        .map(|e| (e.row.raw.as_str(), e.row.record_id.as_deref()))
        .collect();
    assert_eq!(
        raws,
        vec![
            (
                format!("Q2,penalty,{u},SCJG,2021-03-04,general,fine,\"100,x").as_str(),
                Some("Q2")
            ),
            (
                format!("P2,penalty,{u},SCJG,2021-03-04,general,fine,100,\"stray").as_str(),
                Some("P2")
            ),
        ]
    );
}

/// Defect 7b: a duplicate key rejects its row — also when it is the only
/// row of the file (it was taken for a file without JSON objects: exit 2).
async fn a_file_whose_only_row_is_ambiguous_has_one_rejected_row(ctx: Ctx) {
    let line = penalty_line("DK", "1", r#", "fine_cny": 2"#);
    let deep = penalty_line(
        "TD",
        "1",
        &format!(
            r#", "deep": {}1{}"#,
            "[".repeat(xinyong_core::json::MAX_DEPTH + 10),
            "]".repeat(xinyong_core::json::MAX_DEPTH + 10)
        ),
    );
    for (name, text, want) in [
        ("dup.jsonl", line, ("fine_cny", "duplicate_key")),
        ("too_deep.jsonl", deep, ("", "too_deep")),
    ] {
        let file = ctx.write(name, format!("{text}\n"));
        let report = import_files(&ctx.store, &[file], &opts(), None)
            .await
            .unwrap_or_else(|e| panic!("{name}: one rejected row, not an unusable file: {e}"));
        assert_eq!(report.files[0].target, Target::Records);
        assert_eq!(report.counts, counts(0, 1, 0, 0), "{name}");
        assert_eq!(
            errors_of(&report.files[0]),
            vec![(1, want.0.to_owned(), want.1.to_owned())],
            "{name}"
        );
    }
    let q = ctx.quarantine().await;
    let dup = q
        .iter()
        .find(|e| e.row.errors[0].code == "duplicate_key")
        .expect("quarantined");
    assert_eq!(dup.row.record_id.as_deref(), Some("DK"));
    let reason = &dup.row.errors[0].reason;
    assert!(reason.contains("'fine_cny'"), "names the key: {reason}");
}

/// Defect 7a: an extra field nested 200 levels deep (and up to the limit)
/// is kept, stored, read back whole, and re-importing it changes nothing.
async fn deep_extra_fields_are_stored_and_read_back(ctx: Ctx) {
    let deep = |levels: usize| {
        format!(
            r#", "deep": {}"x"{}"#,
            "{\"a\": ".repeat(levels),
            "}".repeat(levels)
        )
    };
    // The record's object is level 1: MAX_DEPTH - 1 levels below it.
    let limit = xinyong_core::json::MAX_DEPTH - 1;
    let text = format!(
        "{}\n{}\n",
        penalty_line("D200", "1", &deep(200)),
        penalty_line("DMAX", "1", &deep(limit)),
    );
    let file = ctx.write("deep.jsonl", text);
    let report = import_files(&ctx.store, std::slice::from_ref(&file), &opts(), None)
        .await
        .expect("import");
    assert_eq!(
        report.counts,
        counts(2, 0, 2, 0),
        "{:?}",
        report.files[0].errors_sample
    );
    for (id, levels) in [("D200", 200), ("DMAX", limit)] {
        let stored = ctx.store.record("SCJG", id).await.unwrap().expect(id);
        let mut v = &stored.body["deep"];
        for _ in 0..levels {
            v = &v["a"];
        }
        assert_eq!(v, &json!("x"), "{id}: read back whole");
    }
    let again = import_files(&ctx.store, &[file], &opts(), None)
        .await
        .expect("import again");
    assert_eq!(again.counts, counts(0, 0, 2, 2));
}

/// Defect 5: a row full of NUL bytes is rejected alone, whether it is in
/// the first 64 KiB (where it made the whole file binary) or further in.
#[test]
fn a_row_full_of_nul_bytes_is_rejected_alone_wherever_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let padded = format!(
        "{}\n",
        penalty_line("PAD", "1", &format!(r#", "note": "{}""#, "\0".repeat(2000)))
    );
    let good = |n: usize| -> String {
        (0..n)
            .map(|i| format!("{}\n", penalty_line(&format!("G{i}"), "1", "")))
            .collect()
    };
    // Early: a few rows, then the padded one; late: beyond 64 KiB.
    let early = format!("{}{padded}{}", good(3), good(1));
    let late = format!("{}{padded}", good(400));
    assert!(late.len() - padded.len() > 64 * 1024);
    for (name, text, row, accepted) in
        [("early.jsonl", early, 4, 4), ("late.jsonl", late, 401, 400)]
    {
        let rows = read_file(&temp_file(&dir, name, text), Target::Records)
            .unwrap_or_else(|e| panic!("{name}: one rejected row, not an unusable file: {e}"));
        assert_eq!(
            read_errors(&rows),
            vec![(row, String::new(), "nul_byte".to_owned())],
            "{name}"
        );
        assert_eq!(rows.records.len(), accepted, "{name}");
    }
}
