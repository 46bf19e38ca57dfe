//! Statistics of stored runs that the dashboards read — each run's outcome
//! counts, the migrations between two runs — computed once: a run never
//! changes. They are kept in memory and in files under
//! `<data dir>/cache/run-stats/`, so that a restarted server does not read
//! every run's results again (at 1.4 million subjects, twelve runs' counts
//! and the migrations took about a minute). A file that cannot be read or
//! written is only computed again: it is a cache, never data, and a backup
//! leaves it out.
//!
//! The server computes them in the background ([`App::spawn_statistics_warmer`]):
//! at start and whenever a new full run is stored, so that the dashboard
//! reads only what is already computed; and it counts again, once
//! submissions settle, what the dashboard and the briefing read of the
//! store (receipts per department, subjects per region).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::App;

/// Entries kept in memory per kind of statistic.
const KEPT: usize = 256;

/// How often the warmer looks for new full runs.
const WARM_EVERY: Duration = Duration::from_secs(30);

/// One kind of statistic (`kind` names its files), by key.
pub(crate) struct StatsCache<V> {
    dir: PathBuf,
    kind: &'static str,
    kept: Mutex<HashMap<String, Arc<V>>>,
}

impl<V: Serialize + DeserializeOwned> StatsCache<V> {
    pub(crate) fn new(data_dir: &Path, kind: &'static str) -> StatsCache<V> {
        StatsCache {
            dir: data_dir.join("cache").join("run-stats"),
            kind,
            kept: Mutex::new(HashMap::new()),
        }
    }

    fn file(&self, key: &str) -> PathBuf {
        let safe: String = key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{}-{safe}.json", self.kind))
    }

    /// The statistic of `key`: from memory, else from its file.
    pub(crate) fn get(&self, key: &str) -> Option<Arc<V>> {
        if let Some(v) = self.kept.lock().unwrap_or_else(|p| p.into_inner()).get(key) {
            return Some(v.clone());
        }
        let text = std::fs::read(self.file(key)).ok()?;
        let v: Arc<V> = Arc::new(serde_json::from_slice(&text).ok()?);
        self.remember(key, v.clone());
        Some(v)
    }

    /// Keep `v` as the statistic of `key`, in memory and in its file
    /// (written whole under another name, then renamed).
    pub(crate) fn put(&self, key: &str, v: Arc<V>) {
        self.remember(key, v.clone());
        let path = self.file(key);
        let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
        let written = std::fs::create_dir_all(&self.dir)
            .and_then(|()| serde_json::to_vec(&*v).map_err(std::io::Error::other))
            .and_then(|bytes| std::fs::write(&tmp, bytes))
            .and_then(|()| std::fs::rename(&tmp, &path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            tracing::warn!(file = %path.display(), error = %e, "could not keep a run statistic on disk");
        }
    }

    fn remember(&self, key: &str, v: Arc<V>) {
        let mut map = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= KEPT {
            map.clear();
        }
        map.insert(key.to_owned(), v);
    }
}

impl App {
    /// Computes what the dashboard reads of the stored full runs and has
    /// not computed yet: the outcome counts of the latest runs of its trend
    /// and each subject-level model's migration between its latest two
    /// runs. Returns how many full runs there are.
    pub async fn warm_run_statistics(&self) -> Result<usize, crate::AppError> {
        let full = self.full_runs().await?;
        let trend = full
            .len()
            .saturating_sub(crate::dashboard::DASHBOARD_TREND_RUNS);
        for run in &full[trend..] {
            self.run_outcome_counts(run).await?;
        }
        if let Some(last) = full.last() {
            for m in last.models.iter().filter(|m| !m.record_level) {
                self.migration_between(&full, &m.id, None, None).await?;
            }
        }
        Ok(full.len())
    }

    /// Keeps the run statistics computed in the background while the server
    /// runs: at start, then whenever the number of full runs changes. The
    /// counts of records received (per department) and of subjects per
    /// region, which change with every batch, are counted again once
    /// submissions have settled: when the newest batch is the same as at
    /// the previous look and no batch is running.
    pub fn spawn_statistics_warmer(self: &Arc<App>) {
        let app = Arc::clone(self);
        let stop = self.tasks.stop_token();
        let handle = tokio::spawn(async move {
            let mut seen = None;
            let newest_batch = || async {
                app.store
                    .batches(1)
                    .await
                    .ok()
                    .map(|b| b.first().map_or(0, |b| b.id.0))
            };
            // At start the store counts as settled.
            let (mut last_batch, mut counted_batch) = (newest_batch().await, None);
            loop {
                let newest = newest_batch().await;
                if newest.is_some() && newest == last_batch && newest != counted_batch {
                    let counted = tokio::select! {
                        () = stop.cancelled() => return,
                        c = async {
                            app.receipts().await?;
                            app.subjects_by_region().await
                        } => c,
                    };
                    match counted {
                        Ok(_) => counted_batch = newest,
                        Err(e) => tracing::warn!(error = %e, "could not count the receipts"),
                    }
                }
                last_batch = newest;
                let runs = app
                    .store
                    .runs()
                    .await
                    .map(|r| r.iter().filter(|r| r.kind == "full").count());
                if let Ok(n) = runs
                    && seen != Some(n)
                {
                    let warmed = tokio::select! {
                        () = stop.cancelled() => return,
                        w = app.warm_run_statistics() => w,
                    };
                    match warmed {
                        Ok(_) => seen = Some(n),
                        Err(e) => {
                            tracing::warn!(error = %e, "could not compute the run statistics")
                        }
                    }
                }
                tokio::select! {
                    () = stop.cancelled() => return,
                    () = tokio::time::sleep(WARM_EVERY) => {}
                }
            }
        });
        self.tasks.keep(handle);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::StatsCache;

    type Counts = Vec<(String, u64)>;

    #[test]
    fn a_statistic_is_kept_on_disk_for_the_next_process() {
        let dir = tempfile::tempdir().unwrap();
        let first: StatsCache<Counts> = StatsCache::new(dir.path(), "outcomes");
        assert!(first.get("run-1").is_none());
        first.put("run-1", Arc::new(vec![("A".into(), 3)]));
        // Another process (a new cache) reads it from its file.
        let next: StatsCache<Counts> = StatsCache::new(dir.path(), "outcomes");
        assert_eq!(
            next.get("run-1").unwrap().as_slice(),
            &[("A".to_owned(), 3)]
        );
        // Another kind of statistic does not see it.
        let other: StatsCache<Counts> = StatsCache::new(dir.path(), "migration");
        assert!(other.get("run-1").is_none());
        // A file that does not parse is not a statistic (computed again).
        let stats = dir.path().join("cache").join("run-stats");
        std::fs::write(stats.join("outcomes-run-2.json"), b"{not json").unwrap();
        assert!(next.get("run-2").is_none());
        // A key names a file inside the directory, whatever it holds.
        first.put("../x/y", Arc::new(Vec::new()));
        assert!(stats.join("outcomes-.._x_y.json").exists());
        assert!(!dir.path().join("cache").join("x").exists());
    }
}
