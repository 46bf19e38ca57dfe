//! The models of an installation: the built-in ones and the versions an
//! administrator installed in `<data_dir>/models/`.

use std::fs;
use std::path::{Path, PathBuf};

use xinyong_rules::{BUILTIN, ModelSet};

use xinyong_store::{InstallOutcome, ModelInstall, NewModelInstall, Store};

use crate::EngineError;

pub fn models_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("models")
}

/// Built-in models plus installed versions. Installed files are named
/// `<id>@<version>.toml`; each is added right after the versions of the same
/// id, so models that use it are compiled against the newest version.
pub fn load_models(data_dir: &Path) -> Result<ModelSet, EngineError> {
    let mut installed: Vec<(String, String, String)> = Vec::new(); // (id, file name, text)
    let dir = models_dir(data_dir);
    if let Ok(entries) = fs::read_dir(&dir) {
        let mut names: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        names.sort();
        for path in names {
            let text = fs::read_to_string(&path).map_err(|e| EngineError::io(&path, e))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let id = name.split('@').next().unwrap_or_default().to_owned();
            installed.push((id, name, text));
        }
    }
    let mut set = ModelSet::new();
    let mut placed = vec![false; installed.len()];
    for (name, text) in BUILTIN {
        let id = set.add(name, text).map_err(EngineError::Model)?;
        let id = set.model(id).id.clone();
        for (i, (iid, iname, itext)) in installed.iter().enumerate() {
            if *iid == id {
                set.add(iname, itext).map_err(EngineError::Model)?;
                placed[i] = true;
            }
        }
    }
    // Models of new ids, in file-name order (a model must come after those it uses).
    for (i, (_, name, text)) in installed.iter().enumerate() {
        if !placed[i] {
            set.add(name, text).map_err(EngineError::Model)?;
        }
    }
    Ok(set)
}

/// The models to evaluate as of `as_of` (days since epoch): one version per
/// id, each bound to the versions in force of the models it uses
/// ([`ModelSet::resolved`]).
pub fn models_as_of(data_dir: &Path, as_of: i32) -> Result<ModelSet, EngineError> {
    load_models(data_dir)?
        .resolved(as_of)
        .map_err(EngineError::Model)
}

/// The file name of an installed version: `<id>@<version>.toml`, the
/// version's characters other than ASCII letters, digits, `.` and `-` as `_`.
pub fn installed_file_name(id: &str, version: &str) -> String {
    let safe_version: String = version
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{id}@{safe_version}.toml")
}

/// Write `text` to `path` unless it already holds it (through a temporary
/// file and a rename: a reader never sees half a model).
fn write_model_file(path: &Path, text: &str) -> Result<(), EngineError> {
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    let tmp = path.with_extension(format!("toml.{}.tmp", std::process::id()));
    fs::write(&tmp, text).map_err(|e| EngineError::io(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| EngineError::io(path, e))
}

/// Validate a model file against the installed set and install it: the
/// store records the install (who, when, why: the registry every process
/// shares), then the file is written under `models/`, the copy that
/// [`load_models`] loads. Installing the same id, version and text again
/// changes nothing; another text under an installed version is
/// [`EngineError::ModelConflict`].
pub async fn install_model(
    store: &Store,
    data_dir: &Path,
    file_name: &str,
    text: &str,
    actor: &str,
    reason: &str,
) -> Result<ModelInstall, EngineError> {
    // Files the store knows but this directory lacks (another process's installs).
    sync_model_files(store, data_dir).await?;
    let mut set = load_models(data_dir)?;
    let idx = set.add(file_name, text).map_err(EngineError::Model)?;
    let (id, version) = (set.model(idx).id.clone(), set.model(idx).version.clone());
    let dir = models_dir(data_dir);
    fs::create_dir_all(&dir).map_err(|e| EngineError::io(&dir, e))?;
    let path = dir.join(installed_file_name(&id, &version));
    let install = match store
        .install_model(&NewModelInstall {
            model: &id,
            version: &version,
            text,
            installed_by: actor,
            reason,
        })
        .await?
    {
        InstallOutcome::Installed(m) | InstallOutcome::Unchanged(m) => m,
        InstallOutcome::Conflict(m) => {
            return Err(EngineError::ModelConflict(format!(
                "{id} version {version} is already installed with a different text \
                 (by {} at {}): give the new file a new version",
                m.installed_by, m.installed_at
            )));
        }
    };
    write_model_file(&path, text)?;
    Ok(install)
}

/// Write under `models/` every version the store records and the directory
/// lacks; returns how many were written.
pub async fn sync_model_files(store: &Store, data_dir: &Path) -> Result<usize, EngineError> {
    let dir = models_dir(data_dir);
    let mut written = 0;
    for m in store.model_installs().await? {
        let path = dir.join(installed_file_name(&m.model, &m.version));
        if fs::read_to_string(&path).is_ok_and(|t| t == m.text) {
            continue;
        }
        fs::create_dir_all(&dir).map_err(|e| EngineError::io(&dir, e))?;
        write_model_file(&path, &m.text)?;
        written += 1;
    }
    Ok(written)
}

/// Record in the store the model files found under `models/` (installed
/// before the store kept installs), as installed by `system`; returns how
/// many were new to the store. Part of [`crate::results::register_existing`].
pub(crate) async fn register_model_files(
    store: &Store,
    data_dir: &Path,
) -> Result<u64, EngineError> {
    let set = load_models(data_dir)?;
    let mut n = 0;
    for m in set.models() {
        // Installed files only (built-in models have no file under models/).
        if !m.origin.ends_with(".toml") || !models_dir(data_dir).join(&m.origin).exists() {
            continue;
        }
        let outcome = store
            .install_model(&NewModelInstall {
                model: &m.id,
                version: &m.version,
                text: &m.text,
                installed_by: "system",
                reason: "安装于模型登记之前，启用登记时从 models/ 目录补录",
            })
            .await?;
        if matches!(outcome, InstallOutcome::Installed(_)) {
            n += 1;
        }
    }
    Ok(n)
}
