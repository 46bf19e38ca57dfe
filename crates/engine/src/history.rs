//! Reading stored results: a subject's results over time, and its current ones.

use std::collections::BTreeMap;

use arrow::array::RecordBatch;
use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Date32Type, Float64Type};
use datafusion::execution::context::SessionContext;
use datafusion::prelude::{ParquetReadOptions, col, lit};
use serde::Serialize;
use serde_json::Value;
use xinyong_rules::result::{Envelope, join_line};

use crate::EngineError;
use crate::lake::Lake;
use crate::results::{RunKind, list_runs};

/// One stored result of one subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredResult {
    pub run: String,
    pub run_kind: RunKind,
    pub as_of: String,
    pub model: String,
    pub model_version: String,
    pub record_id: Option<String>,
    pub outcome: Option<String>,
    pub score: Option<f64>,
    /// The full result line, reasons included.
    pub line: Value,
}

/// Every stored result of `uscc` (optionally of one model), oldest run first.
pub async fn subject_results(
    lake: &Lake,
    uscc: &str,
    model: Option<&str>,
) -> Result<Vec<StoredResult>, EngineError> {
    let runs = list_runs(&lake.results_dir())?;
    let kinds: BTreeMap<String, RunKind> = runs.iter().map(|r| (r.id.clone(), r.kind)).collect();
    let files: Vec<String> = runs
        .iter()
        .flat_map(|r| {
            r.files
                .iter()
                .map(|f| lake.results_dir().join(f).to_string_lossy().into_owned())
        })
        .collect();
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let ctx = SessionContext::new();
    let mut df = ctx
        .read_parquet(files, ParquetReadOptions::default())
        .await?
        .filter(col("subject").eq(lit(uscc)))?;
    if let Some(m) = model {
        df = df.filter(col("model").eq(lit(m)))?;
    }
    let batches = df.collect().await?;
    let mut out = Vec::new();
    for b in batches {
        push_results(&b, &|run| kinds.get(run).copied(), &mut out);
    }
    out.sort_by(|a, b| (&a.run, &a.model, &a.record_id).cmp(&(&b.run, &b.model, &b.record_id)));
    Ok(out)
}

/// The results of a results batch as [`StoredResult`]s, appended to `out`;
/// `kind_of` gives the kind of a run by its id.
pub(crate) fn push_results(
    b: &RecordBatch,
    kind_of: &dyn Fn(&str) -> Option<RunKind>,
    out: &mut Vec<StoredResult>,
) {
    let text = |name: &str, i: usize| str_at(b, name, i).map(str::to_owned);
    for i in 0..b.num_rows() {
        let run = text("run", i).unwrap_or_default();
        let as_of = b
            .column_by_name("as_of")
            .map(|c| xinyong_rules::result::date_text(c.as_primitive::<Date32Type>().value(i)))
            .unwrap_or_default();
        let score = b
            .column_by_name("score")
            .and_then(|c| (!c.is_null(i)).then(|| c.as_primitive::<Float64Type>().value(i)));
        let model = text("model", i).unwrap_or_default();
        let model_version = text("model_version", i).unwrap_or_default();
        let record_id = text("record_id", i);
        let line = stored_line_at(b, i)
            .and_then(|l| serde_json::from_str(&l).ok())
            .unwrap_or(Value::Null);
        out.push(StoredResult {
            run_kind: kind_of(&run).unwrap_or(RunKind::Full),
            run,
            as_of,
            model,
            model_version,
            record_id,
            outcome: text("outcome", i),
            score,
            line,
        });
    }
}

/// The current subject-level result of each model for `uscc` as of `as_of`
/// (days since epoch): the result of the run with the latest as-of date on
/// or before `as_of`, and of the latest such run when several share that
/// date. A run as of a later date (a look ahead) is not current yet, and a
/// run written later as of an earlier date (a look back) does not replace a
/// result as of a later one.
pub async fn current_results(
    lake: &Lake,
    uscc: &str,
    as_of: i32,
) -> Result<Vec<StoredResult>, EngineError> {
    // Dates as `YYYY-MM-DD` order as their texts.
    let asked = xinyong_rules::result::date_text(as_of);
    let all = subject_results(lake, uscc, None).await?;
    let mut current: BTreeMap<String, StoredResult> = BTreeMap::new();
    for r in all
        .into_iter()
        .filter(|r| r.record_id.is_none() && r.as_of <= asked)
    {
        let newer = current
            .get(&r.model)
            .is_none_or(|c| (&c.as_of, &c.run) < (&r.as_of, &r.run));
        if newer {
            current.insert(r.model.clone(), r);
        }
    }
    Ok(current.into_values().collect())
}

/// The changes of one model's outcome for `uscc` over the runs: each entry is
/// a result whose outcome differs from the previous one (the first included).
pub fn changes(results: &[StoredResult]) -> Vec<&StoredResult> {
    let mut out: Vec<&StoredResult> = Vec::new();
    for r in results.iter().filter(|r| r.record_id.is_none()) {
        let prev = out.iter().rev().find(|p| p.model == r.model);
        if prev.is_none_or(|p| p.outcome != r.outcome || p.score != r.score) {
            out.push(r);
        }
    }
    out
}

/// How many results of each (model, outcome) a run holds (subject-level results only).
pub async fn outcome_counts(
    lake: &Lake,
    run: &crate::results::RunManifest,
) -> Result<Vec<(String, String, u64)>, EngineError> {
    use datafusion::functions_aggregate::expr_fn::count;
    let files: Vec<String> = run
        .files
        .iter()
        .map(|f| lake.results_dir().join(f).to_string_lossy().into_owned())
        .collect();
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let ctx = SessionContext::new();
    let df = ctx
        .read_parquet(files, ParquetReadOptions::default())
        .await?
        .filter(col("record_id").is_null())?
        .aggregate(
            vec![col("model"), col("outcome")],
            vec![count(lit(1)).alias("n")],
        )?
        .sort(vec![
            col("model").sort(true, false),
            col("outcome").sort(true, false),
        ])?;
    let mut out = Vec::new();
    for b in df.collect().await? {
        let s = |name: &str, i: usize| str_at(&b, name, i).unwrap_or_default().to_owned();
        let n = b
            .column_by_name("n")
            .map(|c| {
                c.as_primitive::<arrow::datatypes::Int64Type>()
                    .values()
                    .to_vec()
            })
            .unwrap_or_default();
        for i in 0..b.num_rows() {
            out.push((
                s("model", i),
                s("outcome", i),
                n.get(i).copied().unwrap_or(0) as u64,
            ));
        }
    }
    Ok(out)
}

/// How the subjects of one model moved between two runs (迁移): per pair
/// `(outcome in from, outcome in to)`, how many subjects. `None` on a side
/// means the subject had no result of the model in that run (new in `to`,
/// or no longer evaluated); a subject with a result but no outcome counts
/// under the empty outcome. Subject-level results only; pairs sorted.
///
/// The results are Parquet files of the lake, so the join is one DataFusion
/// plan (full outer join by subject, then a count per pair), the same
/// whichever store keeps the run registry; the model is a literal value.
pub async fn migrations(
    lake: &Lake,
    from: &crate::results::RunManifest,
    to: &crate::results::RunManifest,
    model: &str,
) -> Result<Vec<(Option<String>, Option<String>, u64)>, EngineError> {
    use datafusion::functions_aggregate::expr_fn::count;
    use datafusion::logical_expr::{JoinType, when};
    let ctx = SessionContext::new();
    let mut sides = Vec::new();
    for (run, subject, outcome) in [(from, "s_from", "o_from"), (to, "s_to", "o_to")] {
        let files: Vec<String> = run
            .files
            .iter()
            .map(|f| lake.results_dir().join(f).to_string_lossy().into_owned())
            .collect();
        let df = if files.is_empty() {
            // A run without results: an empty table of the same columns.
            let none = || lit(datafusion::scalar::ScalarValue::Utf8(None));
            ctx.read_empty()?
                .select(vec![
                    none().alias("subject"),
                    none().alias("model"),
                    none().alias("record_id"),
                    none().alias("outcome"),
                ])?
                .filter(lit(false))?
        } else {
            ctx.read_parquet(files, ParquetReadOptions::default())
                .await?
        };
        sides.push(
            df.filter(col("record_id").is_null().and(col("model").eq(lit(model))))?
                .select(vec![
                    col("subject").alias(subject),
                    when(col("outcome").is_null(), lit(""))
                        .otherwise(col("outcome"))?
                        .alias(outcome),
                ])?,
        );
    }
    let to_side = sides.pop().expect("two sides");
    let from_side = sides.pop().expect("two sides");
    let counted = from_side
        .join(to_side, JoinType::Full, &["s_from"], &["s_to"], None)?
        .aggregate(
            vec![col("o_from"), col("o_to")],
            vec![count(lit(1)).alias("n")],
        )?;
    let mut out = Vec::new();
    for b in counted.collect().await? {
        let n = b
            .column_by_name("n")
            .map(|c| {
                c.as_primitive::<arrow::datatypes::Int64Type>()
                    .values()
                    .to_vec()
            })
            .unwrap_or_default();
        for i in 0..b.num_rows() {
            out.push((
                str_at(&b, "o_from", i).map(str::to_owned),
                str_at(&b, "o_to", i).map(str::to_owned),
                n.get(i).copied().unwrap_or(0) as u64,
            ));
        }
    }
    out.sort();
    Ok(out)
}

/// Every result line of a run (any order).
pub async fn run_lines(
    lake: &Lake,
    run: &crate::results::RunManifest,
) -> Result<Vec<Value>, EngineError> {
    let files: Vec<String> = run
        .files
        .iter()
        .map(|f| lake.results_dir().join(f).to_string_lossy().into_owned())
        .collect();
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let ctx = SessionContext::new();
    let batches = ctx
        .read_parquet(files, ParquetReadOptions::default())
        .await?
        .select_columns(&LINE_COLUMNS)?
        .collect()
        .await?;
    let mut out = Vec::new();
    for b in batches {
        for i in 0..b.num_rows() {
            let text = stored_line_at(&b, i)
                .ok_or_else(|| EngineError::Other("stored result without detail".into()))?;
            out.push(
                serde_json::from_str(&text)
                    .map_err(|e| EngineError::Other(format!("stored result line: {e}")))?,
            );
        }
    }
    Ok(out)
}

/// Text of string column `name` at row `i` of a results batch.
fn str_at<'b>(b: &'b RecordBatch, name: &str, i: usize) -> Option<&'b str> {
    let c = b.column_by_name(name)?;
    if c.is_null(i) {
        return None;
    }
    match c.data_type() {
        DataType::Utf8View => Some(c.as_string_view().value(i)),
        DataType::Utf8 => Some(c.as_string::<i32>().value(i)),
        _ => None,
    }
}

/// The columns a result line is made of (see `results::result_schema`).
const LINE_COLUMNS: [&str; 6] = [
    "record_id",
    "subject",
    "model",
    "model_version",
    "as_of",
    "detail",
];

/// The result line of row `i` of a results batch: envelope columns and detail
/// joined (see `results::result_schema`).
fn stored_line_at(b: &RecordBatch, i: usize) -> Option<String> {
    let detail = str_at(b, "detail", i)?;
    let as_of = b
        .column_by_name("as_of")
        .filter(|c| !c.is_null(i))?
        .as_primitive::<Date32Type>()
        .value(i);
    let envelope = Envelope {
        record: str_at(b, "record_id", i),
        subject: str_at(b, "subject", i)?,
        model: str_at(b, "model", i)?,
        model_version: str_at(b, "model_version", i)?,
        as_of,
    };
    Some(join_line(&envelope, detail))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Date32Array, Float64Array, StringArray};
    use xinyong_store::{Store, StoreConfig};

    use super::*;
    use crate::lookup::ResultIndex;
    use crate::results::{ModelRef, RunManifest, RunWriter, Timings, new_run_id, result_schema};

    const SUBJECT: &str = "91210804MA0Y123404";
    const OTHER: &str = "91110000MA0Y99999X";

    struct Fixture {
        _dir: tempfile::TempDir,
        store: Store,
        lake: Lake,
        index: ResultIndex,
    }

    async fn fixture() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&StoreConfig::sqlite(dir.path()))
            .await
            .expect("store");
        let lake = Lake::open(dir.path());
        let index = ResultIndex::new(store.clone(), &lake);
        Fixture {
            _dir: dir,
            store,
            lake,
            index,
        }
    }

    /// A committed run as of `as_of` holding subject-level results
    /// `(subject, model, outcome)` (sorted by subject as runs are); its id.
    /// `listed`: whether its manifest names its models.
    async fn write_rows(
        f: &Fixture,
        kind: RunKind,
        as_of: i32,
        rows: &[(&str, &str, &str)],
        listed: bool,
    ) -> String {
        let id = new_run_id();
        let mut rows = rows.to_vec();
        rows.sort();
        let mut writer = RunWriter::create(&f.lake.results_dir(), &id).expect("writer");
        let mut part = writer.part(0).expect("part");
        let text = |f: &dyn Fn(&(&str, &str, &str)) -> String| {
            Arc::new(StringArray::from(rows.iter().map(f).collect::<Vec<_>>())) as _
        };
        let n = rows.len();
        let none = || Arc::new(StringArray::from(vec![None::<&str>; n])) as _;
        let batch = RecordBatch::try_new(
            result_schema(),
            vec![
                text(&|_| id.clone()),
                text(&|r| r.0.to_owned()),
                text(&|r| r.1.to_owned()),
                text(&|_| "1".to_owned()),
                Arc::new(Date32Array::from(vec![as_of; n])),
                none(),
                none(),
                text(&|r| r.2.to_owned()),
                Arc::new(Float64Array::from(vec![None; n])),
                text(&|_| "{}".to_owned()),
            ],
        )
        .expect("batch");
        part.write(&batch).expect("write");
        part.close().expect("close");
        let models: BTreeMap<&str, ()> = rows.iter().map(|r| (r.1, ())).collect();
        writer
            .commit(
                &f.store,
                RunManifest {
                    id: id.clone(),
                    kind,
                    as_of: xinyong_rules::result::date_text(as_of),
                    models: if listed {
                        models
                            .keys()
                            .map(|m| ModelRef {
                                id: (*m).to_owned(),
                                version: "1".into(),
                                record_level: false,
                            })
                            .collect()
                    } else {
                        Vec::new()
                    },
                    subjects: 1,
                    records: 0,
                    results: n as u64,
                    started_at: String::new(),
                    finished_at: String::new(),
                    trigger: "test".into(),
                    timings: Timings::default(),
                    files: Vec::new(),
                },
            )
            .await
            .expect("commit");
        id
    }

    #[tokio::test]
    async fn migrations_count_every_pair_and_the_subjects_of_one_run_only() {
        let f = fixture().await;
        let a = write_rows(
            &f,
            RunKind::Full,
            100,
            &[
                ("S1", "m", "A"),
                ("S2", "m", "A"),
                ("S3", "m", "B"),
                ("S4", "m", "C"),
                ("S5", "m", "B"),
                ("S1", "other", "X"),
            ],
            true,
        )
        .await;
        let b = write_rows(
            &f,
            RunKind::Full,
            130,
            &[
                ("S1", "m", "B"),
                ("S2", "m", "A"),
                ("S3", "m", "B"),
                ("S5", "m", "A"),
                ("S6", "m", "C"),
                ("S7", "m", "C"),
                ("S9", "other", "Y"),
            ],
            true,
        )
        .await;
        let runs = list_runs(&f.lake.results_dir()).expect("runs");
        let run = |id: &str| runs.iter().find(|r| r.id == id).expect("run").clone();
        let got = migrations(&f.lake, &run(&a), &run(&b), "m")
            .await
            .expect("migrations");
        let s = |o: &str| Some(o.to_owned());
        assert_eq!(
            got,
            vec![
                (None, s("C"), 2),
                (s("A"), s("A"), 1),
                (s("A"), s("B"), 1),
                (s("B"), s("A"), 1),
                (s("B"), s("B"), 1),
                (s("C"), None, 1),
            ]
        );
        // A model's name is data, never SQL.
        let none = migrations(&f.lake, &run(&a), &run(&b), "m' OR '1'='1")
            .await
            .expect("quoted");
        assert!(none.is_empty(), "{none:?}");
    }

    async fn write_run(f: &Fixture, as_of: i32, outcome: &str) -> String {
        write_rows(
            f,
            RunKind::Incremental,
            as_of,
            &[(SUBJECT, "m", outcome)],
            false,
        )
        .await
    }

    /// `(model, run, outcome)` of the current results of `subject`, by the
    /// scan of every file and by the index, which must agree.
    async fn current_of(f: &Fixture, subject: &str, as_of: i32) -> Vec<(String, String, String)> {
        let old = current_results(&f.lake, subject, as_of)
            .await
            .expect("scan");
        let new = f
            .index
            .current_results(subject, as_of)
            .await
            .expect("index");
        assert_eq!(
            old, new,
            "scan and index differ for {subject} as of {as_of}"
        );
        // The city-wide pass gives each subject the same outcome, and none
        // where the subject has no current result of the model.
        for model in ["a", "b", "m"] {
            let all = f
                .index
                .current_outcomes(model, as_of)
                .await
                .expect("outcomes");
            let one = new.iter().find(|r| r.model == model).map(|r| &r.outcome);
            assert_eq!(
                all.get(subject),
                one,
                "the pass over every subject differs for {subject}, model {model}, as of {as_of}"
            );
        }
        new.into_iter()
            .map(|r| (r.model, r.run, r.outcome.unwrap_or_default()))
            .collect()
    }

    async fn current(f: &Fixture, as_of: i32) -> Vec<(String, Option<String>)> {
        current_of(f, SUBJECT, as_of)
            .await
            .into_iter()
            .map(|(_, run, outcome)| (run, Some(outcome)))
            .collect()
    }

    #[tokio::test]
    async fn current_results_are_those_of_the_latest_as_of_date_on_or_before_the_date_asked() {
        let f = fixture().await;
        let (early, late) = (19_700, 19_900);
        // Written in the opposite order of their as-of dates.
        let late_run = write_run(&f, late, "B").await;
        let early_run = write_run(&f, early, "A").await;
        assert!(
            early_run > late_run,
            "the run as of the earlier date is the later run"
        );
        let only = |run: &str, outcome: &str| vec![(run.to_owned(), Some(outcome.to_owned()))];

        assert_eq!(current(&f, late).await, only(&late_run, "B"));
        assert_eq!(current(&f, late + 30).await, only(&late_run, "B"));
        assert_eq!(current(&f, late - 1).await, only(&early_run, "A"));
        assert_eq!(current(&f, early).await, only(&early_run, "A"));
        assert!(current(&f, early - 1).await.is_empty());

        // Of two runs as of the same date, the later one (the index sees
        // the new run at its next lookup).
        let again = write_run(&f, late, "C").await;
        assert_eq!(current(&f, late).await, only(&again, "C"));
        assert_eq!(current(&f, early).await, only(&early_run, "A"));
    }

    #[tokio::test]
    async fn a_look_ahead_run_is_ignored_until_its_date_and_a_look_back_does_not_replace_a_later_as_of()
     {
        let f = fixture().await;
        let today = 20_000;
        let rows = |o: &'static str| [(SUBJECT, "a", o), (SUBJECT, "b", o), (OTHER, "a", o)];
        let now = write_rows(&f, RunKind::Full, today, &rows("now"), true).await;
        let ahead = write_rows(&f, RunKind::Full, today + 90, &rows("ahead"), true).await;
        let back = write_rows(&f, RunKind::Full, today - 90, &rows("back"), true).await;
        let of = |run: &str, o: &str| {
            vec![
                ("a".to_owned(), run.to_owned(), o.to_owned()),
                ("b".to_owned(), run.to_owned(), o.to_owned()),
            ]
        };
        assert_eq!(current_of(&f, SUBJECT, today).await, of(&now, "now"));
        assert_eq!(current_of(&f, SUBJECT, today + 89).await, of(&now, "now"));
        assert_eq!(
            current_of(&f, SUBJECT, today + 90).await,
            of(&ahead, "ahead")
        );
        assert_eq!(current_of(&f, SUBJECT, today - 1).await, of(&back, "back"));
        assert!(current_of(&f, SUBJECT, today - 91).await.is_empty());
        // A subject no run holds.
        assert!(current_of(&f, "91330000MA0Y00000X", today).await.is_empty());
    }

    #[tokio::test]
    async fn a_subject_absent_from_the_newest_incremental_run_falls_back_to_older_runs() {
        let f = fixture().await;
        let day = 20_000;
        let full = write_rows(
            &f,
            RunKind::Full,
            day,
            &[
                (SUBJECT, "a", "A1"),
                (SUBJECT, "b", "B1"),
                (OTHER, "a", "O1"),
                (OTHER, "b", "P1"),
            ],
            true,
        )
        .await;
        // An incremental run the same day touching OTHER only, model a only.
        let inc = write_rows(&f, RunKind::Incremental, day, &[(OTHER, "a", "O2")], true).await;
        let row = |m: &str, run: &str, o: &str| (m.to_owned(), run.to_owned(), o.to_owned());
        assert_eq!(
            current_of(&f, SUBJECT, day).await,
            vec![row("a", &full, "A1"), row("b", &full, "B1")]
        );
        assert_eq!(
            current_of(&f, OTHER, day).await,
            vec![row("a", &inc, "O2"), row("b", &full, "P1")]
        );
        // The run kinds come from the store's list.
        let kinds: Vec<RunKind> = f
            .index
            .current_results(OTHER, day)
            .await
            .expect("index")
            .into_iter()
            .map(|r| r.run_kind)
            .collect();
        assert_eq!(kinds, vec![RunKind::Incremental, RunKind::Full]);
        // History through the index: the same as the scan.
        for model in [None, Some("a"), Some("zz")] {
            let old = subject_results(&f.lake, OTHER, model).await.expect("scan");
            let new = f.index.subject_results(OTHER, model).await.expect("index");
            assert_eq!(old, new, "{model:?}");
        }
        assert_eq!(
            f.index
                .subject_results(OTHER, None)
                .await
                .expect("all")
                .len(),
            3
        );
    }

    #[tokio::test]
    async fn a_run_whose_files_are_on_disk_but_not_in_the_store_is_not_listed() {
        let f = fixture().await;
        let listed = write_run(&f, 19_000, "A").await;
        // Files and manifest written, store row never (a crash in between):
        // copy a committed run's files under another id.
        let ghost = "29990101T000000000-000000-000";
        let dir = f.lake.results_dir();
        std::fs::create_dir_all(dir.join(format!("run-{ghost}"))).expect("dir");
        std::fs::copy(
            dir.join(format!("run-{listed}/part-0000.parquet")),
            dir.join(format!("run-{ghost}/part-0000.parquet")),
        )
        .expect("copy");
        assert_eq!(f.index.runs().await.expect("runs"), 1);
        assert_eq!(
            crate::results::store_runs(&f.store)
                .await
                .expect("list")
                .len(),
            1
        );
    }
}
