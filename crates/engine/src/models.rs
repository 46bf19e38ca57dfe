//! The models of an installation: the built-in ones and the versions an
//! administrator installed in `<data_dir>/models/`.

use std::fs;
use std::path::{Path, PathBuf};

use xinyong_rules::{BUILTIN, ModelSet};

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

/// Validate a model file against the installed set and install it. Returns
/// the model's id and version.
pub fn install_model(
    data_dir: &Path,
    file_name: &str,
    text: &str,
) -> Result<(String, String), EngineError> {
    let mut set = load_models(data_dir)?;
    let idx = set.add(file_name, text).map_err(EngineError::Model)?;
    let (id, version) = (set.model(idx).id.clone(), set.model(idx).version.clone());
    let dir = models_dir(data_dir);
    fs::create_dir_all(&dir).map_err(|e| EngineError::io(&dir, e))?;
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
    let path = dir.join(format!("{id}@{safe_version}.toml"));
    if path.exists() {
        let old = fs::read_to_string(&path).map_err(|e| EngineError::io(&path, e))?;
        if old != text {
            return Err(EngineError::Other(format!(
                "{id} version {version} is already installed with a different text: give the new file a new version"
            )));
        }
        return Ok((id, version));
    }
    fs::write(&path, text).map_err(|e| EngineError::io(&path, e))?;
    Ok((id, version))
}
