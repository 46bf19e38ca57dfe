//! Backup and restore of an installation (issue 17, part 4; docs/OPERATIONS.md).
//!
//! A backup is a directory laid out like a data directory, plus a manifest
//! `backup.json` naming every file with its size and SHA-256. It is taken
//! while the installation runs (a server, imports in other processes), in
//! an order that keeps it consistent:
//!
//! 1. the files that only ever appear after the store knows what they hold:
//!    installed models (the store records an install before the file is
//!    written), the installed calendar, uploaded files, and the complete lake
//!    segments (a segment is renamed into place only after the versions it
//!    holds were committed; `seg-writing-*` and `*.tmp` are never copied);
//! 2. the store, as one snapshot (SQLite `VACUUM INTO`), taken *after* the
//!    segments: the lake of a backup never holds a version its store lacks.
//!    Versions committed between the two are in the store only; `Lake::sync`
//!    exports them when the backup is restored. The snapshot is sealed: the
//!    batches still running in it are `interrupted`;
//! 3. the result runs the snapshot lists, copied *after* it: a run's files
//!    and manifest are complete before the store lists it, and never change.
//!
//! The search index is not copied: it is derived from the store and rebuilt
//! when the restored installation opens. A PostgreSQL store is dumped with
//! `pg_dump` after a `--lake-only` backup of the data directory.
//!
//! A restore verifies the manifest and every file's size and SHA-256 before
//! it writes anything, writes only into a new or empty directory (through a
//! staging directory renamed into place), opens the installation, checks
//! the audit chain end to end and that its head is the backup's, brings
//! the lake up to date with the store, and audits itself.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use xinyong_store::backup::{AuditHead, SnapshotRun};
use xinyong_store::{SQLITE_FILE, Store, StoreConfig};

use crate::audit::{AuditEvent, OPERATOR_ACTOR, OPERATOR_ROLE};
use crate::calendar::INSTALLED_CALENDAR;
use crate::{App, AppConfig, AppError, AuditVerification, Clock, ErrorCode};

/// The manifest of a backup, in the backup directory.
pub const BACKUP_MANIFEST: &str = "backup.json";
/// The format of [`BackupManifest`] this version writes and reads.
pub const BACKUP_FORMAT: u32 = 1;

/// What a backup holds: `backup.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupManifest {
    /// [`BACKUP_FORMAT`].
    pub format: u32,
    /// The version of xinyong that wrote it.
    pub xinyong_version: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The store of the installation: `sqlite` or `postgres`.
    pub store: String,
    /// Without the store (a PostgreSQL installation: the store is dumped
    /// with `pg_dump` after this backup).
    pub lake_only: bool,
    /// The audit chain's head in the backup's store (of the live store when
    /// the lake was copied, for a lake-only backup).
    pub audit_head: AuditHead,
    /// The store snapshot's schema version and highest sequence numbers
    /// (`None` for a lake-only backup).
    pub schema_version: Option<i64>,
    pub record_seq: Option<i64>,
    pub subject_seq: Option<i64>,
    /// The highest sequence numbers the copied lake segments hold.
    pub lake_record_seq: i64,
    pub lake_subject_seq: i64,
    /// Batches running when the snapshot was taken, `interrupted` in it.
    pub interrupted_batches: Vec<i64>,
    /// The result runs copied (every run the store lists).
    pub runs: Vec<String>,
    /// Every file of the backup but this manifest, by path.
    pub files: Vec<BackupFile>,
}

/// One file of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupFile {
    /// Relative to the backup (and to the data directory), `/`-separated.
    pub path: String,
    pub bytes: u64,
    /// Hex.
    pub sha256: String,
}

/// What `xinyong backup` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupSummary {
    pub to: String,
    pub store: String,
    pub lake_only: bool,
    pub files: usize,
    pub bytes: u64,
    /// SHA-256 of `backup.json` (also in the audit entry `backup.create`).
    pub manifest_sha256: String,
    pub audit_head: AuditHead,
    pub record_seq: Option<i64>,
    pub subject_seq: Option<i64>,
    pub runs: usize,
    pub interrupted_batches: Vec<i64>,
}

/// A backup whose manifest and files were checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedBackup {
    pub from: String,
    pub manifest_sha256: String,
    pub created_at: String,
    pub xinyong_version: String,
    pub store: String,
    pub lake_only: bool,
    pub files: usize,
    pub bytes: u64,
    pub audit_head: AuditHead,
}

/// What `xinyong restore` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreOutcome {
    pub data_dir: String,
    pub backup: VerifiedBackup,
    /// The audit chain of the restored installation, walked end to end
    /// (before the restore's own entry was appended).
    pub audit: AuditVerification,
    /// Whether the restored chain has the backup's head (the same last
    /// entry; for a lake-only backup, the entry the lake copy saw).
    pub audit_head_matches: bool,
    /// Versions the lake lacked (committed after the segments were copied),
    /// exported from the restored store.
    pub lake_records_exported: u64,
    pub lake_subjects_exported: u64,
    /// Runs the store lists whose files the restored lake lacks (a
    /// PostgreSQL dump taken after an evaluation that finished after the
    /// lake-only backup); always empty for an embedded store's backup.
    pub runs_without_files: Vec<String>,
}

impl RestoreOutcome {
    /// The chain is intact and ends where the backup's did.
    pub fn verified(&self) -> bool {
        self.audit.intact && self.audit_head_matches
    }
}

/// The top-level entries of a data directory a backup may hold.
const LAKE: &str = "lake";
const MODELS: &str = "models";
const CALENDAR_DIR: &str = "calendar";
const UPLOADS: &str = "uploads";

fn io_err(path: &Path, e: std::io::Error) -> AppError {
    AppError::new(ErrorCode::Internal, format!("{}: {e}", path.display()))
}

fn bad_backup(detail: impl Into<String>) -> AppError {
    AppError::invalid("backup", detail)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("backup worker: {e}")))?
}

/// Whether a name is a file still being written (never copied).
fn unfinished(name: &str) -> bool {
    name.ends_with(".tmp") || name.starts_with("seg-writing-")
}

/// `rel` as a manifest path (`/`-separated).
fn rel_string(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Size and SHA-256 of what `input` yields, written to `output` as well
/// when one is given.
fn hash_stream(
    input: &mut impl Read,
    mut output: Option<&mut fs::File>,
) -> std::io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        if let Some(out) = output.as_deref_mut() {
            out.write_all(&buf[..n])?;
        }
        bytes += n as u64;
    }
    Ok((bytes, hex::encode(hasher.finalize())))
}

/// Copy `src` to `dst` (created, with its directory), hashing the bytes as
/// they go; synced to disk. `NotFound` is returned as such (the caller
/// decides whether a file may vanish).
fn copy_hashed(src: &Path, dst: &Path) -> std::io::Result<(u64, String)> {
    let mut input = fs::File::open(src)?;
    if let Some(dir) = dst.parent() {
        fs::create_dir_all(dir)?;
    }
    let mut output = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dst)?;
    let copied = hash_stream(&mut input, Some(&mut output))?;
    output.sync_all()?;
    Ok(copied)
}

/// Size and SHA-256 of a file.
fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    hash_stream(&mut fs::File::open(path)?, None)
}

/// The files of a backup being written.
struct Copier {
    from: PathBuf,
    to: PathBuf,
    files: Vec<BackupFile>,
}

impl Copier {
    /// Copy `rel` (relative to the data directory). A file that vanished
    /// meanwhile is skipped when `may_vanish`, else an error.
    fn file(&mut self, rel: &Path, may_vanish: bool) -> Result<(), AppError> {
        let src = self.from.join(rel);
        match copy_hashed(&src, &self.to.join(rel)) {
            Ok((bytes, sha256)) => {
                self.files.push(BackupFile {
                    path: rel_string(rel),
                    bytes,
                    sha256,
                });
                Ok(())
            }
            Err(e) if may_vanish && e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err(&src, e)),
        }
    }

    /// Copy every complete regular file under `rel` (recursively; symbolic
    /// links and files being written are left out). A missing directory is
    /// nothing to copy.
    fn tree(&mut self, rel: &Path) -> Result<(), AppError> {
        let dir = self.from.join(rel);
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io_err(&dir, e)),
        };
        let mut names: Vec<(String, fs::FileType)> = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| io_err(&dir, e))?;
            let ty = entry.file_type().map_err(|e| io_err(&entry.path(), e))?;
            names.push((entry.file_name().to_string_lossy().into_owned(), ty));
        }
        names.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, ty) in names {
            if unfinished(&name) {
                continue;
            }
            let child = rel.join(&name);
            if ty.is_dir() {
                self.tree(&child)?;
            } else if ty.is_file() {
                self.file(&child, true)?;
            }
        }
        Ok(())
    }
}

/// The target of a backup or a restore must be new or an empty directory.
/// Returns whether it already existed.
fn check_empty_target(path: &Path, what: &str) -> Result<bool, AppError> {
    match fs::read_dir(path) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                Err(AppError::new(
                    ErrorCode::Conflict,
                    format!(
                        "{}: the {what} directory is not empty ({what} writes only into a new or \
                         empty directory; nothing was written)",
                        path.display()
                    ),
                ))
            } else {
                Ok(true)
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => Err(AppError::new(
            ErrorCode::Conflict,
            format!("{}: exists and is not a directory", path.display()),
        )),
        Err(e) => Err(io_err(path, e)),
    }
}

/// `path` made absolute without requiring it to exist (its parent must).
fn absolute(path: &Path) -> Result<PathBuf, AppError> {
    if let Ok(p) = fs::canonicalize(path) {
        return Ok(p);
    }
    let name = path.file_name().ok_or_else(|| {
        AppError::invalid("to", format!("{}: not a directory name", path.display()))
    })?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let parent = fs::canonicalize(&parent)
        .map_err(|e| AppError::invalid("to", format!("{}: {e}", parent.display())))?;
    Ok(parent.join(name))
}

/// Whether a backup of this installation may be taken as asked: a
/// PostgreSQL store is dumped with `pg_dump` (only its lake is copied here,
/// `lake_only`); an embedded store is backed up whole.
pub fn check_backup_request(cfg: &AppConfig, lake_only: bool) -> Result<(), AppError> {
    let postgres = cfg
        .database_url
        .as_deref()
        .is_some_and(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"));
    lake_only_rule(postgres, lake_only)
}

fn lake_only_rule(postgres: bool, lake_only: bool) -> Result<(), AppError> {
    if postgres && !lake_only {
        return Err(AppError::invalid(
            "database_url",
            "the store is PostgreSQL: xinyong does not copy it. Back up the data directory with \
             `xinyong backup --lake-only`, then the database with `pg_dump --format=custom` \
             (in that order: see docs/OPERATIONS.md)",
        ));
    }
    if !postgres && lake_only {
        return Err(AppError::invalid(
            "lake_only",
            "--lake-only is for installations on PostgreSQL (whose store is dumped with \
             pg_dump); an embedded store is backed up whole with its lake",
        ));
    }
    Ok(())
}

impl App {
    /// Back the installation up into `to` (a new or empty directory), while
    /// it runs; audited (`backup.create`, with the manifest's SHA-256). See
    /// the module documentation for what is copied and in which order.
    pub async fn operator_backup(
        &self,
        to: &Path,
        lake_only: bool,
    ) -> Result<BackupSummary, AppError> {
        lake_only_rule(self.store.backend_name() == "postgres", lake_only)?;
        let target = absolute(to)?;
        let data = fs::canonicalize(&self.data_dir).map_err(|e| io_err(&self.data_dir, e))?;
        if target.starts_with(&data) {
            return Err(AppError::invalid(
                "to",
                format!(
                    "{}: a backup is written outside the data directory {}",
                    target.display(),
                    data.display()
                ),
            ));
        }
        let existed = check_empty_target(&target, "backup")?;
        fs::create_dir_all(&target).map_err(|e| io_err(&target, e))?;
        match self.backup_into(&target, lake_only).await {
            Ok(summary) => Ok(summary),
            Err(e) => {
                // Leave nothing that looks like a backup.
                remove_contents(&target, existed);
                Err(e)
            }
        }
    }

    async fn backup_into(&self, to: &Path, lake_only: bool) -> Result<BackupSummary, AppError> {
        let created_at = self.clock.now();
        // 1. Files that appear only after the store holds what they hold.
        let (mut files, lake_seqs) = {
            let from = self.data_dir.clone();
            let to = to.to_path_buf();
            let lake = self.lake.clone();
            blocking(move || {
                let mut c = Copier {
                    from: from.clone(),
                    to,
                    files: Vec::new(),
                };
                c.tree(Path::new(MODELS))?;
                c.file(Path::new(INSTALLED_CALENDAR), true)?;
                c.tree(Path::new(UPLOADS))?;
                let (mut rec, mut subj) = (0i64, 0i64);
                let lake_root = Path::new(LAKE);
                for seg in lake.record_segments()? {
                    let Some(name) = seg.path.file_name() else {
                        continue;
                    };
                    // A segment directory is complete once renamed into
                    // place and never changes afterwards.
                    c.tree(&lake_root.join("records").join(name))?;
                    rec = rec.max(seg.last_seq);
                }
                for seg in lake.subject_segments()? {
                    let Some(name) = seg.path.file_name() else {
                        continue;
                    };
                    c.file(&lake_root.join("subjects").join(name), false)?;
                    subj = subj.max(seg.last_seq);
                }
                Ok((c.files, (rec, subj)))
            })
            .await?
        };
        // 2. The store, after the segments.
        let (head, runs, snapshot) = if lake_only {
            let head = self.store.audit_head().await?;
            let runs = self
                .store
                .runs()
                .await?
                .into_iter()
                .map(|r| SnapshotRun {
                    id: r.id,
                    files: r.files,
                })
                .collect();
            (head, runs, None)
        } else {
            let db = to.join(SQLITE_FILE);
            self.store.snapshot_into(&db).await?;
            let mut info = xinyong_store::backup::seal_snapshot(&db).await?;
            if lake_seqs.0 > info.record_seq || lake_seqs.1 > info.subject_seq {
                return Err(AppError::new(
                    ErrorCode::Internal,
                    format!(
                        "the lake holds versions up to {}/{} (records/subjects) but the store's \
                         snapshot only up to {}/{}: the lake of {} is ahead of its store",
                        lake_seqs.0,
                        lake_seqs.1,
                        info.record_seq,
                        info.subject_seq,
                        self.data_dir.display()
                    ),
                ));
            }
            let (bytes, sha256) = {
                let db = db.clone();
                blocking(move || hash_file(&db).map_err(|e| io_err(&db, e))).await?
            };
            files.push(BackupFile {
                path: SQLITE_FILE.to_owned(),
                bytes,
                sha256,
            });
            (
                info.audit_head.clone(),
                std::mem::take(&mut info.runs),
                Some(info),
            )
        };
        let seqs = snapshot.as_ref().map(|i| (i.record_seq, i.subject_seq));
        let schema_version = snapshot.as_ref().map(|i| i.schema_version);
        let interrupted: Vec<i64> = snapshot
            .map(|i| i.interrupted.iter().map(|b| b.0).collect())
            .unwrap_or_default();
        // 3. The runs the store lists, after it.
        let run_ids: Vec<String> = runs.iter().map(|r| r.id.clone()).collect();
        let run_files = {
            let from = self.data_dir.clone();
            let to = to.to_path_buf();
            blocking(move || {
                let mut c = Copier {
                    from,
                    to,
                    files: Vec::new(),
                };
                let results = Path::new(LAKE).join("results");
                for run in &runs {
                    c.file(&results.join(format!("run-{}.json", run.id)), false)?;
                    for f in &run.files {
                        let rel = Path::new(f);
                        if !relative_and_plain(f) {
                            return Err(AppError::new(
                                ErrorCode::Internal,
                                format!(
                                    "run {}: file {f} is not under the results directory",
                                    run.id
                                ),
                            ));
                        }
                        c.file(&results.join(rel), false)?;
                    }
                }
                Ok(c.files)
            })
            .await?
        };
        files.extend(run_files);
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let manifest = BackupManifest {
            format: BACKUP_FORMAT,
            xinyong_version: env!("CARGO_PKG_VERSION").to_owned(),
            created_at: created_at.to_string(),
            store: self.store.backend_name().to_owned(),
            lake_only,
            audit_head: head,
            schema_version,
            record_seq: seqs.map(|s| s.0),
            subject_seq: seqs.map(|s| s.1),
            lake_record_seq: lake_seqs.0,
            lake_subject_seq: lake_seqs.1,
            interrupted_batches: interrupted,
            runs: run_ids,
            files,
        };
        let text = serde_json::to_string_pretty(&manifest)
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("backup manifest: {e}")))?;
        let manifest_sha256 = hex::encode(Sha256::digest(text.as_bytes()));
        {
            let path = to.join(BACKUP_MANIFEST);
            blocking(move || write_synced(&path, text.as_bytes())).await?;
        }
        let summary = BackupSummary {
            to: to.display().to_string(),
            store: manifest.store.clone(),
            lake_only,
            files: manifest.files.len(),
            bytes: manifest.files.iter().map(|f| f.bytes).sum(),
            manifest_sha256,
            audit_head: manifest.audit_head.clone(),
            record_seq: manifest.record_seq,
            subject_seq: manifest.subject_seq,
            runs: manifest.runs.len(),
            interrupted_batches: manifest.interrupted_batches.clone(),
        };
        self.audit_as(
            OPERATOR_ACTOR,
            OPERATOR_ROLE,
            AuditEvent {
                action: "backup.create",
                subject: None,
                purpose: None,
                detail: serde_json::json!({
                    "to": summary.to,
                    "lake_only": lake_only,
                    "files": summary.files,
                    "bytes": summary.bytes,
                    "manifest_sha256": summary.manifest_sha256,
                    "audit_head_seq": summary.audit_head.seq,
                    "record_seq": summary.record_seq,
                    "subject_seq": summary.subject_seq,
                    "interrupted_batches": summary.interrupted_batches,
                }),
            },
        )
        .await?;
        Ok(summary)
    }
}

/// Write `bytes` to `path` through a temporary file, synced, then renamed:
/// a backup has a manifest only once everything it names is written.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let tmp = path.with_extension("json.tmp");
    let mut f = fs::File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
    f.write_all(bytes).map_err(|e| io_err(&tmp, e))?;
    f.sync_all().map_err(|e| io_err(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| io_err(path, e))?;
    if let Some(dir) = path.parent()
        && let Ok(d) = fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Remove what a failed backup or restore wrote into `dir` (best effort);
/// the directory itself too unless it existed before.
fn remove_contents(dir: &Path, existed: bool) {
    if !existed {
        let _ = fs::remove_dir_all(dir);
        return;
    }
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            let _ = if p.is_dir() {
                fs::remove_dir_all(&p)
            } else {
                fs::remove_file(&p)
            };
        }
    }
}

/// A relative path of plain components (no `.`, `..`, root or prefix; `/`
/// separators only).
fn relative_and_plain(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
}

/// Whether a manifest may name `path` (the entries of a data directory a
/// backup holds, nowhere else).
fn allowed_path(path: &str, lake_only: bool) -> bool {
    if !relative_and_plain(path) {
        return false;
    }
    let top = path.split('/').next().unwrap_or_default();
    if path == SQLITE_FILE {
        return !lake_only;
    }
    path.contains('/') && [LAKE, MODELS, CALENDAR_DIR, UPLOADS].contains(&top)
}

/// Read and check a backup's manifest and every file it names (size and
/// SHA-256); nothing is written. A missing, altered or unexpected file is
/// an error of the caller's class naming the file.
pub async fn verify_backup(from: &Path) -> Result<(BackupManifest, VerifiedBackup), AppError> {
    let from = from.to_path_buf();
    blocking(move || verify_blocking(&from)).await
}

fn verify_blocking(from: &Path) -> Result<(BackupManifest, VerifiedBackup), AppError> {
    let path = from.join(BACKUP_MANIFEST);
    let text = match fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(bad_backup(format!(
                "{}: missing: {} is not a backup, or the backup did not finish",
                path.display(),
                from.display()
            )));
        }
        Err(e) => return Err(bad_backup(format!("{}: {e}", path.display()))),
    };
    // The format first, so that a newer backup is told as such.
    let format = serde_json::from_slice::<serde_json::Value>(&text)
        .map_err(|e| bad_backup(format!("{}: not JSON: {e}", path.display())))?
        .get("format")
        .and_then(|f| f.as_u64());
    if format != Some(u64::from(BACKUP_FORMAT)) {
        return Err(bad_backup(format!(
            "{}: backup format {} is not the format {BACKUP_FORMAT} this version of xinyong reads",
            path.display(),
            format.map_or_else(|| "(none)".to_owned(), |f| f.to_string())
        )));
    }
    let manifest: BackupManifest = serde_json::from_slice(&text)
        .map_err(|e| bad_backup(format!("{}: {e}", path.display())))?;
    if manifest.store != "sqlite" && manifest.store != "postgres" {
        return Err(bad_backup(format!(
            "{}: unknown store kind {:?}",
            path.display(),
            manifest.store
        )));
    }
    if !manifest.lake_only && manifest.store != "sqlite" {
        return Err(bad_backup(format!(
            "{}: a backup of a PostgreSQL installation holds its lake only",
            path.display()
        )));
    }
    if !manifest.lake_only && !manifest.files.iter().any(|f| f.path == SQLITE_FILE) {
        return Err(bad_backup(format!(
            "{}: names no {SQLITE_FILE}: the store is missing from the backup",
            path.display()
        )));
    }
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for f in &manifest.files {
        if !allowed_path(&f.path, manifest.lake_only) {
            problems.push(format!("{:?}: not a path a backup holds", f.path));
            continue;
        }
        if !seen.insert(f.path.as_str()) {
            problems.push(format!("{}: named twice", f.path));
            continue;
        }
        let file = from.join(&f.path);
        match fs::symlink_metadata(&file) {
            Ok(m) if m.is_file() => {}
            Ok(_) => {
                problems.push(format!("{}: not a regular file", file.display()));
                continue;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                problems.push(format!("{}: missing", file.display()));
                continue;
            }
            Err(e) => {
                problems.push(format!("{}: {e}", file.display()));
                continue;
            }
        }
        match hash_file(&file) {
            Ok((bytes, _)) if bytes != f.bytes => problems.push(format!(
                "{}: {bytes} bytes, the manifest says {}",
                file.display(),
                f.bytes
            )),
            Ok((_, sha)) if sha != f.sha256 => problems.push(format!(
                "{}: SHA-256 {sha}, the manifest says {}",
                file.display(),
                f.sha256
            )),
            Ok(_) => {}
            Err(e) => problems.push(format!("{}: {e}", file.display())),
        }
    }
    if !problems.is_empty() {
        let n = problems.len();
        problems.truncate(10);
        return Err(bad_backup(format!(
            "the backup {} fails verification ({n} file(s); nothing was restored): {}",
            from.display(),
            problems.join("; ")
        )));
    }
    let verified = VerifiedBackup {
        from: from.display().to_string(),
        manifest_sha256: hex::encode(Sha256::digest(&text)),
        created_at: manifest.created_at.clone(),
        xinyong_version: manifest.xinyong_version.clone(),
        store: manifest.store.clone(),
        lake_only: manifest.lake_only,
        files: manifest.files.len(),
        bytes: manifest.files.iter().map(|f| f.bytes).sum(),
        audit_head: manifest.audit_head.clone(),
    };
    Ok((manifest, verified))
}

/// Restore the backup `from` into the installation of `cfg`: its data
/// directory must be new or empty (a lake-only backup needs the
/// `database_url` of the database already restored with `pg_restore`).
/// Verifies everything before writing anything; see the module
/// documentation.
pub async fn restore_backup(
    from: &Path,
    cfg: &AppConfig,
    clock: Arc<dyn Clock>,
) -> Result<RestoreOutcome, AppError> {
    let (manifest, verified) = verify_backup(from).await?;
    match (&cfg.database_url, manifest.lake_only) {
        (Some(_), false) => {
            return Err(AppError::invalid(
                "database_url",
                "this backup holds its embedded store: it is restored into a data directory, \
                 without a database URL",
            ));
        }
        (None, true) => {
            return Err(AppError::invalid(
                "database_url",
                "this backup holds the lake of a PostgreSQL installation only: restore the \
                 database with pg_restore first, then give its URL (--database-url)",
            ));
        }
        _ => {}
    }
    let target = absolute(&cfg.data_dir).map_err(|e| AppError {
        field: Some("data_dir".into()),
        ..e
    })?;
    let existed = check_empty_target(&target, "restore")?;
    let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Err(AppError::invalid(
            "data_dir",
            format!("{}: not a directory name", target.display()),
        ));
    };
    let staging = target.with_file_name(format!(".{name}.restoring-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(|e| io_err(&staging, e))?;
    }
    let copied = {
        let (from, staging, files) = (from.to_path_buf(), staging.clone(), manifest.files.clone());
        blocking(move || {
            fs::create_dir_all(&staging).map_err(|e| io_err(&staging, e))?;
            for f in &files {
                let (bytes, sha) = copy_hashed(&from.join(&f.path), &staging.join(&f.path))
                    .map_err(|e| io_err(&from.join(&f.path), e))?;
                if bytes != f.bytes || sha != f.sha256 {
                    return Err(bad_backup(format!(
                        "{}: changed while it was restored (nothing was restored)",
                        from.join(&f.path).display()
                    )));
                }
            }
            Ok(())
        })
        .await
    };
    let checked = match copied {
        Ok(()) if manifest.lake_only => check_database(&manifest, cfg, &staging).await,
        other => other,
    };
    if let Err(e) = checked {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    if existed && let Err(e) = fs::remove_dir(&target) {
        let _ = fs::remove_dir_all(&staging);
        return Err(io_err(&target, e));
    }
    if let Err(e) = fs::rename(&staging, &target) {
        let _ = fs::remove_dir_all(&staging);
        return Err(io_err(&target, e));
    }
    let app = App::open(
        &AppConfig {
            data_dir: target.clone(),
            database_url: cfg.database_url.clone(),
        },
        clock,
    )
    .await?;
    let c = app.store.verify_audit().await?;
    let audit = AuditVerification {
        entries: c.entries,
        intact: c.intact,
        first_broken: c.first_broken,
    };
    let audit_head_matches = if manifest.lake_only {
        app.store
            .audit_hash_at(manifest.audit_head.seq)
            .await?
            .as_deref()
            == Some(manifest.audit_head.hash.as_str())
            || manifest.audit_head.seq == 0
    } else {
        app.store.audit_head().await? == manifest.audit_head
    };
    let synced = app.lake.sync(&app.store).await?;
    let results = app.lake.results_dir();
    let runs_without_files = app
        .store
        .runs()
        .await?
        .into_iter()
        .filter(|r| {
            !results.join(format!("run-{}.json", r.id)).is_file()
                || r.files.iter().any(|f| !results.join(f).is_file())
        })
        .map(|r| r.id)
        .collect::<Vec<_>>();
    let outcome = RestoreOutcome {
        data_dir: target.display().to_string(),
        backup: verified,
        audit,
        audit_head_matches,
        lake_records_exported: synced.records_exported,
        lake_subjects_exported: synced.subjects_exported,
        runs_without_files,
    };
    app.audit_as(
        OPERATOR_ACTOR,
        OPERATOR_ROLE,
        AuditEvent {
            action: "backup.restore",
            subject: None,
            purpose: None,
            detail: serde_json::json!({
                "from": outcome.backup.from,
                "manifest_sha256": outcome.backup.manifest_sha256,
                "created_at": outcome.backup.created_at,
                "files": outcome.backup.files,
                "audit": outcome.audit,
                "audit_head_matches": audit_head_matches,
            }),
        },
    )
    .await?;
    Ok(outcome)
}

/// A lake-only restore: the database (restored with `pg_restore`) must hold
/// every version the lake holds and the audit entry the backup saw;
/// otherwise the dump is older than the lake copy.
async fn check_database(
    manifest: &BackupManifest,
    cfg: &AppConfig,
    staging: &Path,
) -> Result<(), AppError> {
    let store = Store::open(&StoreConfig {
        data_dir: staging.to_path_buf(),
        database_url: cfg.database_url.clone(),
    })
    .await?;
    let (rec, subj) = store.max_seqs().await?;
    if rec < manifest.lake_record_seq || subj < manifest.lake_subject_seq {
        return Err(AppError::invalid(
            "database_url",
            format!(
                "the database holds versions up to {rec}/{subj} (records/subjects) but the lake \
                 backup up to {}/{}: the dump is older than the lake backup (take pg_dump after \
                 `xinyong backup --lake-only`); nothing was restored",
                manifest.lake_record_seq, manifest.lake_subject_seq
            ),
        ));
    }
    let head = &manifest.audit_head;
    if head.seq > 0 && store.audit_hash_at(head.seq).await?.as_deref() != Some(head.hash.as_str()) {
        return Err(AppError::invalid(
            "database_url",
            format!(
                "the database's audit log has no entry {} with the hash the backup recorded: \
                 it is not the database of this backup, or an older dump; nothing was restored",
                head.seq
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_names_only_paths_of_a_data_directory() {
        assert!(allowed_path("xinyong.db", false));
        assert!(!allowed_path("xinyong.db", true));
        assert!(allowed_path("lake/records/seg-1-5/penalty.parquet", false));
        assert!(allowed_path("calendar/holidays-cn.toml", true));
        for bad in [
            "",
            "/etc/passwd",
            "lake/../../x",
            "lake//x",
            "./lake/x",
            "search/meta.json",
            "lake",
            "models\\x.toml",
            "xinyong.db-wal",
        ] {
            assert!(!allowed_path(bad, false), "{bad}");
        }
    }

    #[test]
    fn files_being_written_are_never_copied() {
        assert!(unfinished("seg-writing-12-0.tmp"));
        assert!(unfinished("seg-writing-12-0.parquet.tmp"));
        assert!(unfinished("holidays-cn.toml.tmp"));
        assert!(!unfinished("seg-1-5.parquet"));
    }

    #[test]
    fn postgres_backups_are_lake_only() {
        let pg = AppConfig {
            data_dir: "d".into(),
            database_url: Some("postgres://u@h/db".into()),
        };
        let e = check_backup_request(&pg, false).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("database_url"));
        assert!(e.detail.contains("pg_dump"), "{e}");
        assert!(check_backup_request(&pg, true).is_ok());
        let sqlite = AppConfig {
            data_dir: "d".into(),
            database_url: None,
        };
        assert!(check_backup_request(&sqlite, false).is_ok());
        assert!(check_backup_request(&sqlite, true).is_err());
    }
}
