//! `xinyong`: the command line of the public credit information platform.
//!
//! The commands `uscc check`, `gen`, `import` and `evaluate` are the batch
//! contract of INTERCHANGE.md §3; the others operate an installation.

mod admin_cmds;
mod backup_cmds;
mod calendar_cmds;
mod cluster_cmds;
mod demo;
mod engine_cmds;
mod evaluate;
mod inspection_cmds;
mod serve;
mod store_cmds;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// mimalloc: the import and evaluation paths allocate many small objects; the
/// system allocator took about a third of the parser's time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "xinyong",
    version,
    about = "xinyong 信用 — public credit information platform"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the store is.
#[derive(Args, Clone, Debug)]
pub struct StoreArgs {
    /// Data directory (embedded SQLite store, columnar lake, installed models).
    #[arg(long, env = "XINYONG_DATA_DIR", default_value = "xinyong-data")]
    pub data_dir: PathBuf,
    /// PostgreSQL URL; the data directory still holds the lake and models.
    #[arg(long, env = "XINYONG_DATABASE_URL")]
    pub database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Unified social credit codes.
    Uscc {
        #[command(subcommand)]
        command: UsccCommand,
    },
    /// Generate a synthetic city (subjects.jsonl, records.jsonl).
    Gen(demo::GenArgs),
    /// Import subjects and records files into the store.
    Import(store_cmds::ImportArgs),
    /// Evaluate one model over files, without a store.
    Evaluate(evaluate::EvaluateArgs),
    /// Evaluate every active model over the whole store as of a date.
    EvaluateAll(engine_cmds::EvaluateAllArgs),
    /// Re-evaluate some subjects now (incremental).
    Reevaluate(engine_cmds::ReevaluateArgs),
    /// A subject's stored results over time, with the changes explained.
    History(engine_cmds::HistoryArgs),
    /// Credit models: list, show, check, install.
    Model {
        #[command(subcommand)]
        command: engine_cmds::ModelCommand,
    },
    /// Per-department submission statistics.
    Stats(store_cmds::StatsArgs),
    /// What the installation holds, as counts and SHA-256 sums (compare two
    /// installations: a recovered crash with a clean run, a restored backup
    /// with its original).
    Digest(store_cmds::DigestArgs),
    /// Rejected rows kept for correction.
    Quarantine(store_cmds::QuarantineArgs),
    /// Build the demo city in a fresh data directory (generate, import,
    /// evaluate, one account per role, the walkthroughs' accounts), then
    /// serve it.
    Demo(demo::DemoArgs),
    /// Accounts: add.
    User {
        #[command(subcommand)]
        command: admin_cmds::UserCommand,
    },
    /// The audit log: verify.
    Audit {
        #[command(subcommand)]
        command: admin_cmds::AuditCommand,
    },
    /// The working-day calendar: show, check, install the next year's
    /// holiday arrangement, count a deadline.
    Calendar {
        #[command(subcommand)]
        command: calendar_cmds::CalendarCommand,
    },
    /// Random-inspection plans: list, verify a draw, export the published lists.
    Inspection {
        #[command(subcommand)]
        command: inspection_cmds::InspectionCommand,
    },
    /// Back up an installation while it runs (store snapshot, lake,
    /// models, calendar, uploads; a manifest with every file's SHA-256).
    Backup(backup_cmds::BackupArgs),
    /// Verify a backup, then restore it into a new data directory and
    /// check its audit chain.
    Restore(backup_cmds::RestoreArgs),
    /// Serve the HTTP API until SIGINT/SIGTERM.
    Serve(serve::ServeArgs),
    /// The processes of a Ballista cluster that evaluates the store
    /// (`evaluate-all --cluster`): scheduler, executor.
    Cluster {
        #[command(subcommand)]
        command: cluster_cmds::ClusterCommand,
    },
}

#[derive(Subcommand)]
enum UsccCommand {
    /// Check codes: one JSON object per code on stdout.
    Check {
        /// Codes to check (anything, even text starting with '-', is a code).
        #[arg(allow_hyphen_values = true, num_args = 0..)]
        codes: Vec<String>,
    },
}

/// mimalloc v3's `mi_option_purge_delay` (its index in `mi_option_e`).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keep freed memory for 10 s before returning it to the OS (default 1 s).
/// Import and evaluation free and reallocate gigabytes in waves; on this
/// project's machines every re-fault of a returned page is zeroed again by
/// the kernel. Measured on the 10.4-million-record import: 167 → 140 s of
/// user CPU, 117 → 96 s wall, peak memory still under 1 GB.
///
/// Transparent huge pages off for the process: the kernel zeroes each fresh
/// 2 MiB page whole and rounds the footprint up, and on these virtual
/// machines zeroing fresh memory is what varies most from run to run.
/// Measured on the full evaluation of the 10.4-million-record city, three
/// runs each, alternated, in a slow hour: peak 2.1 → 1.8 GB, kernel time
/// 22–26 s → 2.4–5 s, wall 36–39 s → 24–29 s (user CPU 35–41 s → 41–47 s:
/// small pages cost some TLB misses, far less than the zeroing saved).
fn tune_allocator() {
    // SAFETY: sets a process-wide allocator option before any other thread
    // exists; mimalloc reads options with atomic loads.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10_000) };
    #[cfg(target_os = "linux")]
    // SAFETY: `prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)` takes integers only and
    // sets a flag of this process (applied to existing mappings since Linux
    // 4.13); a failure leaves huge pages as the system configures them.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    // A server logs each request (with its id) by default; a command, warnings only.
    let default_filter = match cli.command {
        Command::Serve(_) | Command::Demo(_) => "warn,tower_http=info,xinyong_http=info",
        Command::Cluster { .. } => "warn,ballista_scheduler=info,ballista_executor=info",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("XINYONG_LOG")
                .unwrap_or_else(|_| default_filter.into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Uscc {
            command: UsccCommand::Check { codes },
        } => {
            for code in codes {
                let report = xinyong_core::uscc::check(&code);
                match serde_json::to_string(&report) {
                    Ok(line) => println!("{line}"),
                    Err(e) => {
                        eprintln!("xinyong: {e}");
                        return ExitCode::from(1);
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Command::Gen(args) => demo::gen_command(args),
        Command::Evaluate(args) => evaluate::run(args),
        Command::Import(a) => block_on(store_cmds::import(a)),
        Command::EvaluateAll(a) => block_on(engine_cmds::evaluate_all(a)),
        Command::Reevaluate(a) => block_on(engine_cmds::reevaluate(a)),
        Command::History(a) => block_on(engine_cmds::history(a)),
        Command::Model { command } => engine_cmds::model(command),
        Command::Stats(a) => block_on(store_cmds::stats(a)),
        Command::Digest(a) => block_on(store_cmds::digest(a)),
        Command::Quarantine(a) => block_on(store_cmds::quarantine(a)),
        Command::Demo(a) => block_on(demo::demo(a)),
        Command::User { command } => block_on(admin_cmds::user(command)),
        Command::Audit { command } => block_on(admin_cmds::audit(command)),
        Command::Calendar { command } => block_on(calendar_cmds::calendar(command)),
        Command::Inspection { command } => block_on(inspection_cmds::inspection(command)),
        Command::Backup(a) => block_on(backup_cmds::backup(a)),
        Command::Restore(a) => block_on(backup_cmds::restore(a)),
        Command::Serve(a) => block_on(serve::serve(a)),
        Command::Cluster { command } => block_on(cluster_cmds::cluster(command)),
    }
}

/// Run an async command on a multi-threaded runtime made for it.
pub(crate) fn block_on(command: impl std::future::Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(command),
        Err(e) => fail(1, format!("cannot start the runtime: {e}")),
    }
}

/// Today in China Standard Time, by the application's clock.
pub fn today() -> jiff::civil::Date {
    use xinyong_app::Clock;
    xinyong_app::SystemClock.today()
}

/// Print an error and return exit code `code`.
pub fn fail(code: u8, msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("xinyong: {msg}");
    ExitCode::from(code)
}

/// Parse a `YYYY-MM-DD` argument.
pub fn parse_day(s: &str) -> Result<jiff::civil::Date, String> {
    xinyong_core::time::parse_date(s).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // The option at that index has mimalloc v3's purge-delay default
        // (1000 ms) until it is set: the index names the right option.
        // SAFETY: reads an allocator option.
        let default = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(default, 1000);
        super::tune_allocator();
        // SAFETY: reads an allocator option.
        let v = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(v, 10_000);
        #[cfg(target_os = "linux")]
        {
            // SAFETY: reads a flag of this process.
            let thp_disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
            assert_eq!(thp_disabled, 1, "transparent huge pages off");
        }
    }
}
