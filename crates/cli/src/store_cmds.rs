//! Commands on the store: import, statistics, quarantine.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use xinyong_app::{
    App, AppConfig, AppError, BatchId, ErrorClass, ImportPhase as Phase,
    ImportProgress as Progress, ImportRequest, ProgressFn, QuarantineFilter, SystemClock,
};

use crate::{StoreArgs, fail};

/// The application over the store of `a`, with the machine's clock.
pub async fn open_app(a: &StoreArgs) -> Result<App, AppError> {
    let cfg = AppConfig {
        data_dir: a.data_dir.clone(),
        database_url: a.database_url.clone(),
    };
    App::open(&cfg, Arc::new(SystemClock)).await
}

/// Print an application error (with the field at fault, when there is one);
/// exit 2 when it is the caller's fault (the input or the request), 1 when
/// the platform failed.
pub fn app_fail(e: AppError) -> ExitCode {
    let code = match e.class() {
        ErrorClass::Caller => 2,
        ErrorClass::System => 1,
    };
    match &e.field {
        Some(field) => fail(code, format!("{field}: {e}")),
        None => fail(code, e),
    }
}

#[derive(Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Subjects and records files (.jsonl, .csv, .xlsx).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Do not re-evaluate the subjects the import touched.
    #[arg(long)]
    pub no_evaluate: bool,
    /// Rows per store transaction.
    #[arg(long, default_value_t = ImportRequest::DEFAULT_CHUNK_ROWS)]
    pub chunk_rows: usize,
    /// Who imports (recorded with every version).
    #[arg(long, default_value = "cli")]
    pub actor: String,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// A bar on stderr for an import, when `wanted` and stderr is a terminal.
pub(crate) fn progress_bar(wanted: bool) -> Option<ProgressBar> {
    if !wanted || !std::io::stderr().is_terminal() {
        return None;
    }
    let style = ProgressStyle::with_template(
        "{msg} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    )
    .map(|s| s.progress_chars("=> "))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    Some(ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr()).with_style(style))
}

/// Draws an import's progress on `bar`.
pub(crate) fn import_progress(bar: &ProgressBar) -> ProgressFn {
    let bar = bar.clone();
    Arc::new(move |p: &Progress| {
        if p.phase == Phase::Importing && bar.message() != p.file {
            bar.set_message(p.file.clone());
        }
        bar.set_length(p.total_bytes);
        bar.set_position(p.bytes_read);
    })
}

/// `xinyong import`: prints `{"accepted","rejected","warnings","unchanged"}`;
/// exit 0 when every row was accepted, 3 when some were rejected, 2 when the
/// input is unusable.
pub async fn import(a: ImportArgs) -> ExitCode {
    let app = match open_app(&a.store).await {
        Ok(app) => app,
        Err(e) => return app_fail(e),
    };
    let bar = progress_bar(!a.quiet);
    let req = ImportRequest {
        files: a.files.clone(),
        actor: a.actor.clone(),
        channel: "cli".into(),
        chunk_rows: a.chunk_rows,
        progress: bar.as_ref().map(import_progress),
        reevaluate: !a.no_evaluate,
    };
    let result = app.import_files(req).await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let outcome = match result {
        Ok(o) => o,
        Err(e) => return app_fail(e),
    };
    let report = &outcome.report;
    let c = report.counts;
    println!(
        "{}",
        json!({"accepted": c.accepted, "rejected": c.rejected, "warnings": c.warnings, "unchanged": c.unchanged})
    );
    for f in &report.files {
        for err in &f.errors_sample {
            eprintln!("{err}");
        }
        if f.counts.rejected as usize > f.errors_sample.len() {
            eprintln!(
                "{}: {} rows rejected in all (see `xinyong quarantine --batch {}`)",
                f.file, f.counts.rejected, report.batch.0
            );
        }
    }
    // What follows the commits can fail (a full disk under the lake or the
    // results): the rows stay committed, and the command says so and exits
    // 1, since it did not do all it was asked. Running the same import again
    // finishes it: its rows are then unchanged, and the re-evaluation owed
    // and the lake's missing versions are made up.
    let mut unfinished = false;
    match outcome.reevaluation {
        Some(Ok(r)) => eprintln!(
            "xinyong: re-evaluated {} subjects (run {})",
            r.subjects, r.run
        ),
        Some(Err(e)) => {
            eprintln!("xinyong: 记录已提交，重新评估未完成: {e}");
            unfinished = true;
        }
        None => {}
    }
    if let Some(e) = &outcome.mirror {
        eprintln!("xinyong: 记录已提交，列式数据湖的副本未写完（下次打开时补写）: {e}");
        unfinished = true;
    }
    if unfinished {
        ExitCode::FAILURE
    } else if c.rejected > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}

#[derive(Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// JSON lines instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct DigestArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The day of the current results compared (default today, China
    /// Standard Time).
    #[arg(long, value_parser = crate::parse_day)]
    pub as_of: Option<jiff::civil::Date>,
}

/// `xinyong digest`: what the installation holds as counts and SHA-256
/// sums (one JSON object), equal for two installations holding the same
/// data; and what must be zero once a crash is recovered.
pub async fn digest(a: DigestArgs) -> ExitCode {
    let app = match open_app(&a.store).await {
        Ok(app) => app,
        Err(e) => return app_fail(e),
    };
    match app.digest(a.as_of).await {
        Ok(d) => {
            println!("{}", serde_json::to_string(&d).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(e) => app_fail(e),
    }
}

/// `xinyong stats`: records received, held and rejected, per department and kind.
pub async fn stats(a: StatsArgs) -> ExitCode {
    let app = match open_app(&a.store).await {
        Ok(app) => app,
        Err(e) => return app_fail(e),
    };
    let rows = match app.department_stats().await {
        Ok(r) => r,
        Err(e) => return app_fail(e),
    };
    if a.json {
        for r in &rows {
            println!("{}", serde_json::to_string(r).unwrap_or_default());
        }
        return ExitCode::SUCCESS;
    }
    println!(
        "{:<8} {:<24} {:<18} {:>12} {:>12} {:>10}",
        "部门代码", "部门", "信息类别", "报送版本", "现存记录", "退回"
    );
    let (mut tr, mut tc, mut tj) = (0, 0, 0);
    for r in &rows {
        println!(
            "{:<10} {:<24} {:<18} {:>12} {:>12} {:>10}",
            r.source,
            r.name.as_deref().unwrap_or(""),
            r.kind,
            thousands(r.received),
            thousands(r.records),
            thousands(r.rejected)
        );
        tr += r.received;
        tc += r.records;
        tj += r.rejected;
    }
    println!(
        "{:<10} {:<24} {:<18} {:>12} {:>12} {:>10}",
        "合计",
        "",
        "",
        thousands(tr),
        thousands(tc),
        thousands(tj)
    );
    ExitCode::SUCCESS
}

/// 1234567 → "1,234,567".
pub fn thousands(n: u64) -> String {
    xinyong_core::display::thousands(u128::from(n))
}

#[derive(Args)]
pub struct QuarantineArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Only rows of this import batch.
    #[arg(long)]
    pub batch: Option<i64>,
    /// Only rows attributed to this department code.
    #[arg(long)]
    pub source: Option<String>,
    /// Include rows already corrected by a later import.
    #[arg(long)]
    pub all: bool,
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
}

/// `xinyong quarantine`: rejected rows with their errors, as JSON lines.
pub async fn quarantine(a: QuarantineArgs) -> ExitCode {
    let app = match open_app(&a.store).await {
        Ok(app) => app,
        Err(e) => return app_fail(e),
    };
    let filter = QuarantineFilter {
        batch: a.batch.map(BatchId),
        source: a.source.clone(),
        unresolved_only: !a.all,
        offset: 0,
        limit: a.limit,
    };
    match app.quarantine(&filter).await {
        Ok(entries) => {
            for e in entries {
                println!("{}", serde_json::to_string(&e).unwrap_or_default());
            }
            ExitCode::SUCCESS
        }
        Err(e) => app_fail(e),
    }
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
