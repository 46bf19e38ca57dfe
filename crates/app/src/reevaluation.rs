//! Keeping the stored results current with what departments submit.
//!
//! A store holds a *re-evaluation mark* (migration 5): every record version
//! up to sequence number R and every subject version up to S is reflected in
//! the stored results. A *round* ([`App::catch_up_reevaluation`]) reads the
//! store's highest sequence numbers, lists the subjects of the versions
//! beyond the mark, re-evaluates them (incrementally up to
//! [`INCREMENTAL_LIMIT`] subjects, else one full run), then records the new
//! mark. What a round re-evaluates is read from the store, not from memory:
//! versions committed by any process are caught up, and a server killed
//! between a submission and its re-evaluation catches up when it starts
//! again.
//!
//! The server runs rounds in the background ([`App::spawn_reevaluator`]): a
//! submission stores its rows, answers, and wakes the re-evaluator, which
//! waits a moment so that the submissions arriving meanwhile share one run
//! (one incremental run per round, not per request). An import from the
//! command line runs a round itself before it returns.
//!
//! A store with runs but no mark (evaluated before marks existed, only with
//! some models or at another date, or killed after an import committed and
//! before its round) cannot say what its runs saw: its first round
//! re-evaluates every subject once (the server runs it when it starts,
//! [`App::adopt_unmarked_store`]); from then on the mark says.
//!
//! Marks only grow in what they claim: a round records the sequence numbers
//! it read before evaluating, and each mark is true when written, so the
//! mark in force is the highest of each number recorded.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, Notify};

use crate::{App, AppError, EvaluateRequest, INCREMENTAL_LIMIT, Reevaluated};
use xinyong_engine::batch::RunControl;

/// How long the background re-evaluator waits after being woken before it
/// runs a round, so that submissions arriving meanwhile share the round.
pub const DEFAULT_REEVALUATION_DELAY: Duration = Duration::from_millis(1_000);

/// The re-evaluator's state in the application.
#[derive(Default)]
pub(crate) struct Reevaluator {
    /// Woken by every submission.
    wake: Notify,
    /// One round at a time (background or not).
    round: Mutex<()>,
}

impl App {
    /// Run one re-evaluation round now (see the module documentation):
    /// `None` when nothing was due (no version beyond the mark, or an
    /// installation never evaluated, which has nothing to keep current).
    pub async fn catch_up_reevaluation(&self) -> Result<Option<Reevaluated>, AppError> {
        self.reevaluation_round().await
    }

    /// A store that has runs but no mark is re-evaluated once, whole, and
    /// marked (see the module documentation). Call before accepting
    /// submissions.
    pub async fn adopt_unmarked_store(&self) -> Result<(), AppError> {
        if self.store.reevaluation_mark().await?.is_none() {
            self.reevaluation_round().await?;
        }
        Ok(())
    }

    async fn reevaluation_round(&self) -> Result<Option<Reevaluated>, AppError> {
        let _one_round = self.reevaluator.round.lock().await;
        if self.store.run_count().await? == 0 {
            return Ok(None);
        }
        let mark = self.store.reevaluation_mark().await?;
        let (records, subjects) = self.store.max_seqs().await?;
        let from = mark
            .as_ref()
            .map_or((0, 0), |m| (m.through_record_seq, m.through_subject_seq));
        if records <= from.0 && subjects <= from.1 {
            return Ok(None);
        }
        // Without a mark nothing says what the runs so far saw (runs of
        // some models only, a store older than marks, an import killed
        // before its round): every stored version is owed, once.
        let touched: Vec<String> = self
            .store
            .touched_subjects((from.0, records), (from.1, subjects))
            .await?;
        if touched.is_empty() {
            self.store
                .add_reevaluation_mark(records, subjects, None, 0)
                .await?;
            return Ok(None);
        }
        let trigger = format!(
            "re-evaluation of record versions {}..={records} and subject versions {}..={subjects}",
            from.0 + 1,
            from.1 + 1
        );
        let as_of = Some(self.today());
        let done = if touched.len() <= INCREMENTAL_LIMIT {
            let m = self.reevaluate(&touched, as_of, &trigger).await?;
            Reevaluated {
                subjects: m.subjects,
                run: m.id,
                full: false,
            }
        } else {
            // A full run records its own mark (from before it started).
            let req = EvaluateRequest {
                as_of,
                trigger,
                ..EvaluateRequest::default()
            };
            let r = self.evaluate_all(&req, &RunControl::default()).await?;
            return Ok(Some(Reevaluated {
                subjects: r.manifest.subjects,
                run: r.manifest.id,
                full: true,
            }));
        };
        self.store
            .add_reevaluation_mark(records, subjects, Some(&done.run), done.subjects)
            .await?;
        Ok(Some(done))
    }

    /// Wake the background re-evaluator (a submission stored rows).
    pub fn request_reevaluation(&self) {
        self.reevaluator.wake.notify_one();
    }

    /// Start the background re-evaluator: a round at once (what a previous
    /// process left behind), then one `delay` after each wake-up. It stops
    /// at [`App::shutdown_tasks`]; a round cut short writes no run and no
    /// mark, and the next process catches up.
    pub fn spawn_reevaluator(self: &Arc<App>, delay: Duration) {
        let app = Arc::clone(self);
        let stop = self.tasks.stop_token();
        let handle = tokio::spawn(async move {
            let mut first = true;
            loop {
                if !first {
                    tokio::select! {
                        () = stop.cancelled() => return,
                        () = app.reevaluator.wake.notified() => {}
                    }
                    tokio::select! {
                        () = stop.cancelled() => return,
                        () = tokio::time::sleep(delay) => {}
                    }
                }
                first = false;
                let round = tokio::select! {
                    () = stop.cancelled() => return,
                    r = app.catch_up_reevaluation() => r,
                };
                match round {
                    Ok(Some(done)) => tracing::info!(
                        run = %done.run,
                        subjects = done.subjects,
                        full = done.full,
                        "re-evaluated submitted records"
                    ),
                    Ok(None) => {}
                    Err(e) => {
                        tracing::error!(error = %e, "re-evaluation failed; retrying");
                        // Try again after a pause, woken or not.
                        app.reevaluator.wake.notify_one();
                        tokio::select! {
                            () = stop.cancelled() => return,
                            () = tokio::time::sleep(delay.max(Duration::from_secs(5))) => {}
                        }
                    }
                }
            }
        });
        self.tasks.keep(handle);
    }
}
