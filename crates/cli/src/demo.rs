//! `xinyong gen` and `xinyong demo`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use xinyong_app::{EvaluateRequest, ImportRequest, RunControl};
use xinyong_gen::{GenConfig, generate};

use crate::store_cmds::{app_fail, open_app, thousands};
use crate::{StoreArgs, fail, parse_day, today};

#[derive(Args)]
pub struct GenArgs {
    /// Number of subjects.
    #[arg(long, default_value_t = xinyong_gen::DEFAULT_SUBJECTS)]
    pub subjects: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output directory.
    #[arg(long)]
    pub out: PathBuf,
    /// Anchor date of the scenarios (default: a fixed date, so output is deterministic).
    #[arg(long, value_parser = parse_day)]
    pub reference_date: Option<jiff::civil::Date>,
    /// Also write malformed rows (DIR/malformed/) for exercising the quarantine.
    #[arg(long)]
    pub with_malformed: bool,
}

fn bar(total: u64, what: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = ProgressBar::new(total);
    let style = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    pb.set_style(style);
    pb.set_message(what.to_owned());
    Some(pb)
}

fn run_gen(a: &GenArgs) -> Result<xinyong_gen::GenSummary, String> {
    let cfg = GenConfig {
        subjects: a.subjects,
        seed: a.seed,
        reference_date: a
            .reference_date
            .unwrap_or_else(xinyong_gen::default_reference_date),
        with_malformed: a.with_malformed,
    };
    let pb = bar(a.subjects, "generating");
    let progress = |n: u64| {
        if let Some(pb) = &pb {
            pb.set_position(n);
        }
    };
    let out = generate(&cfg, &a.out, &progress).map_err(|e| e.to_string());
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    out
}

/// `xinyong gen --subjects N [--seed S] --out DIR`.
pub fn gen_command(a: GenArgs) -> ExitCode {
    match run_gen(&a) {
        Ok(s) => {
            println!("{}", serde_json::to_string(&s).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(e) => fail(1, e),
    }
}

#[derive(Args)]
pub struct DemoArgs {
    /// Data directory of the demo (created fresh; a previous demo there is replaced).
    #[arg(long, default_value = "xinyong-demo")]
    pub data_dir: PathBuf,
    /// PostgreSQL URL instead of the embedded store.
    #[arg(long, env = "XINYONG_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Subjects of the demo city (default: the Yingkou free-trade zone).
    #[arg(long, default_value_t = xinyong_gen::DEFAULT_SUBJECTS)]
    pub subjects: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

const MARKER: &str = ".xinyong-demo";

/// A fresh directory for the demo: refuse to touch a non-empty directory that
/// an earlier demo did not create.
fn fresh_dir(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map_err(|e| e.to_string())?
            .next()
            .is_none();
        if !empty {
            if !dir.join(MARKER).exists() {
                return Err(format!(
                    "{} exists and is not a demo directory: choose another --data-dir",
                    dir.display()
                ));
            }
            std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(
        dir.join(MARKER),
        "created by `xinyong demo`; the whole directory is replaced by the next demo\n",
    )
    .map_err(|e| e.to_string())
}

/// `xinyong demo`: generate the demo city, import it (with a few malformed
/// rows, to show the quarantine), evaluate every model as of today.
pub async fn demo(a: DemoArgs) -> ExitCode {
    if let Err(e) = fresh_dir(&a.data_dir) {
        return fail(1, e);
    }
    let input = a.data_dir.join("input");
    let day = today();
    let g = GenArgs {
        subjects: a.subjects,
        seed: a.seed,
        out: input.clone(),
        reference_date: Some(day),
        with_malformed: true,
    };
    let summary = match run_gen(&g) {
        Ok(s) => s,
        Err(e) => return fail(1, e),
    };
    eprintln!(
        "生成示范城市：{} 个主体，{} 条信用记录（{}）",
        thousands(summary.subjects),
        thousands(summary.records),
        input.display()
    );

    let sa = StoreArgs {
        data_dir: a.data_dir.clone(),
        database_url: a.database_url.clone(),
    };
    let app = match open_app(&sa).await {
        Ok(app) => app,
        Err(e) => return app_fail(e),
    };
    let files = vec![
        input.join("subjects.jsonl"),
        input.join("records.jsonl"),
        input.join("malformed").join("subjects.jsonl"),
        input.join("malformed").join("records.jsonl"),
    ];
    let bar = crate::store_cmds::progress_bar(true);
    let req = ImportRequest {
        files,
        actor: "demo".into(),
        channel: "demo".into(),
        chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
        progress: bar.as_ref().map(crate::store_cmds::import_progress),
        reevaluate: false,
    };
    let imported = app.import_files(req).await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let report = match imported {
        Ok(o) => o.report,
        Err(e) => return app_fail(e),
    };
    let c = report.counts;
    eprintln!(
        "导入：接收 {}，退回 {}（见 xinyong quarantine），带警告 {}，耗时 {:.1} 秒",
        thousands(c.accepted),
        thousands(c.rejected),
        thousands(c.warnings),
        report.elapsed.as_secs_f64()
    );

    let req = EvaluateRequest {
        as_of: Some(day),
        trigger: "demo".into(),
        ..EvaluateRequest::default()
    };
    let run = match app.evaluate_all(&req, &RunControl::default()).await {
        Ok(r) => r,
        Err(e) => return app_fail(e),
    };
    let m = &run.manifest;
    eprintln!(
        "评价：{} 个主体，{} 条结果，截至 {}，耗时 {:.1} 秒",
        thousands(m.subjects),
        thousands(m.results),
        m.as_of,
        m.timings.total_ms as f64 / 1000.0
    );
    match app.outcome_counts(m).await {
        Ok(rows) => {
            for (model, outcome, n) in rows {
                eprintln!("  {model:<24} {outcome:<22} {:>8}", thousands(n));
            }
        }
        Err(e) => eprintln!("xinyong: {e}"),
    }
    println!(
        "{}",
        json!({"data_dir": a.data_dir, "subjects": summary.subjects, "records": summary.records,
               "import": {"accepted": c.accepted, "rejected": c.rejected, "warnings": c.warnings, "unchanged": c.unchanged},
               "evaluation": {"run": m.id, "as_of": m.as_of, "results": m.results, "timings_ms": m.timings}})
    );
    ExitCode::SUCCESS
}
