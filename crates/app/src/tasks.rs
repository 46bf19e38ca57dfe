//! Long-running work as tasks: a full evaluation started by a request runs in
//! the background, reports its progress, can be cancelled, and is followed by
//! its id. A task that does not complete leaves nothing behind (the engine's
//! runs are written whole or not at all). At shutdown every running task is
//! cancelled and awaited, so a server never stops with work half-written.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use xinyong_engine::batch::{Progress, RunControl};

use crate::access::{Operation, authorise};
use crate::{App, AppError, ErrorCode, EvaluateRequest, Principal};

/// Where a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// The error a task ended with.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskError {
    pub code: &'static str,
    pub message: String,
}

/// A task as its followers see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskInfo {
    pub id: u64,
    /// What it does (`evaluate_all`).
    pub kind: &'static str,
    pub status: TaskStatus,
    pub started_by: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// The latest progress report.
    #[schema(value_type = Option<Object>)]
    pub progress: Option<Progress>,
    /// What it produced (for an evaluation: the run's manifest; for an
    /// upload: its [`UploadOutcome`](crate::UploadOutcome)).
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    pub error: Option<TaskError>,
}

struct Entry {
    info: TaskInfo,
    cancel: CancellationToken,
    /// The department a department's task works for (an upload).
    department: Option<String>,
    /// Where an upload is (kind `upload`).
    upload: Option<crate::UploadProgress>,
}

/// The tasks of one process.
#[derive(Default)]
pub struct Tasks {
    entries: Mutex<BTreeMap<u64, Entry>>,
    handles: Mutex<Vec<JoinHandle<()>>>,
    shutdown: CancellationToken,
}

/// At most this many finished tasks are remembered (the oldest are forgotten;
/// their runs stay in the store).
const KEEP_FINISHED: usize = 200;

impl Tasks {
    /// A token cancelled when the application shuts down.
    pub(crate) fn stop_token(&self) -> CancellationToken {
        self.shutdown.child_token()
    }

    /// Keep a background job's handle, to be awaited at shutdown.
    pub(crate) fn keep(&self, handle: JoinHandle<()>) {
        let mut handles = self.handles.lock().unwrap_or_else(|p| p.into_inner());
        handles.retain(|h| !h.is_finished());
        handles.push(handle);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Entry>> {
        // A panic while holding the lock leaves plain data: keep using it.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn update(&self, id: u64, f: impl FnOnce(&mut TaskInfo)) {
        if let Some(e) = self.lock().get_mut(&id) {
            f(&mut e.info);
        }
    }

    /// Where an upload task is now.
    pub(crate) fn set_upload(&self, id: u64, now: crate::UploadProgress) {
        if let Some(e) = self.lock().get_mut(&id) {
            e.upload = Some(now);
        }
    }

    /// A task, the department it works for, and where an upload is.
    pub(crate) fn get(
        &self,
        id: u64,
    ) -> Option<(TaskInfo, Option<String>, Option<crate::UploadProgress>)> {
        self.lock()
            .get(&id)
            .map(|e| (e.info.clone(), e.department.clone(), e.upload.clone()))
    }

    fn forget_old(map: &mut BTreeMap<u64, Entry>) {
        let finished: Vec<u64> = map
            .iter()
            .filter(|(_, e)| e.info.status != TaskStatus::Running)
            .map(|(id, _)| *id)
            .collect();
        for id in finished
            .iter()
            .take(finished.len().saturating_sub(KEEP_FINISHED))
        {
            map.remove(id);
        }
    }
}

impl App {
    pub(crate) fn now_text(&self) -> String {
        jiff::Timestamp::now().to_string()
    }

    /// Remember a new running task of `kind` started by `by` (for
    /// `department`), unless the server is shutting down or (`alone`) a task
    /// of that kind is running already (`conflict`).
    pub(crate) fn register_task(
        &self,
        by: &Principal,
        kind: &'static str,
        department: Option<String>,
        alone: bool,
    ) -> Result<(TaskInfo, CancellationToken), AppError> {
        let tasks = &self.tasks;
        let mut map = tasks.lock();
        if alone
            && map
                .values()
                .any(|e| e.info.kind == kind && e.info.status == TaskStatus::Running)
        {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("a task {kind} is already running"),
            ));
        }
        if tasks.shutdown.is_cancelled() {
            return Err(AppError::new(
                ErrorCode::StoreUnavailable,
                "the server is shutting down",
            ));
        }
        let id = map.keys().next_back().map_or(1, |k| k + 1);
        let cancel = tasks.shutdown.child_token();
        let info = TaskInfo {
            id,
            kind,
            status: TaskStatus::Running,
            started_by: by.username.clone(),
            started_at: self.now_text(),
            finished_at: None,
            progress: None,
            result: None,
            error: None,
        };
        map.insert(
            id,
            Entry {
                info: info.clone(),
                cancel: cancel.clone(),
                department,
                upload: None,
            },
        );
        Tasks::forget_old(&mut map);
        Ok((info, cancel))
    }

    /// Mark a task finished with its outcome: its result, or its error
    /// (`cancelled` for a cancellation).
    pub(crate) fn finish_task(&self, id: u64, outcome: Result<serde_json::Value, AppError>) {
        let finished_at = self.now_text();
        self.tasks.update(id, |t| {
            t.finished_at = Some(finished_at);
            match outcome {
                Ok(result) => {
                    t.status = TaskStatus::Succeeded;
                    t.result = Some(result);
                }
                Err(e) => {
                    t.status = if e.code == ErrorCode::Cancelled {
                        TaskStatus::Cancelled
                    } else {
                        TaskStatus::Failed
                    };
                    t.error = Some(TaskError {
                        code: e.code.as_str(),
                        message: e.to_string(),
                    });
                }
            }
        });
    }

    /// Start a full evaluation in the background (admin). Only one full
    /// evaluation runs at a time: a second one is a `conflict`.
    pub(crate) fn start_evaluation(
        self: &Arc<App>,
        by: &Principal,
        mut req: EvaluateRequest,
    ) -> Result<TaskInfo, AppError> {
        authorise(by, Operation::RunEvaluations)?;
        let (info, cancel) = self.register_task(by, "evaluate_all", None, true)?;
        let id = info.id;
        if req.trigger.is_empty() {
            req.trigger = format!("task {id} by {}", by.username);
        }
        let app = Arc::clone(self);
        let handle = tokio::spawn(async move {
            let progress_app = Arc::clone(&app);
            let control = RunControl::new()
                .with_cancel(cancel)
                .with_progress(move |p| progress_app.tasks.update(id, |t| t.progress = Some(p)));
            let outcome = app.evaluate_all(&req, &control).await.map(|done| {
                serde_json::to_value(&done.manifest).unwrap_or(serde_json::Value::Null)
            });
            app.finish_task(id, outcome);
        });
        self.tasks.keep(handle);
        Ok(info)
    }

    /// One task (admin).
    pub fn task(&self, by: &Principal, id: u64) -> Result<TaskInfo, AppError> {
        authorise(by, Operation::RunEvaluations)?;
        self.tasks
            .lock()
            .get(&id)
            .map(|e| e.info.clone())
            .ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("no task {id}")))
    }

    /// The tasks this process remembers, newest first (admin).
    pub fn list_tasks(&self, by: &Principal) -> Result<Vec<TaskInfo>, AppError> {
        authorise(by, Operation::RunEvaluations)?;
        Ok(self
            .tasks
            .lock()
            .values()
            .rev()
            .map(|e| e.info.clone())
            .collect())
    }

    /// Ask a running task to stop (admin); it ends `cancelled`, having
    /// written nothing. Cancelling a finished task changes nothing.
    pub(crate) fn cancel_task(&self, by: &Principal, id: u64) -> Result<TaskInfo, AppError> {
        authorise(by, Operation::RunEvaluations)?;
        let map = self.tasks.lock();
        let e = map
            .get(&id)
            .ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("no task {id}")))?;
        e.cancel.cancel();
        Ok(e.info.clone())
    }

    /// How many tasks this process remembers, by kind and status (for metrics).
    pub fn task_counts(&self) -> Vec<(&'static str, &'static str, u64)> {
        let mut counts: BTreeMap<(&'static str, &'static str), u64> = BTreeMap::new();
        for e in self.tasks.lock().values() {
            let status = match e.info.status {
                TaskStatus::Running => "running",
                TaskStatus::Succeeded => "succeeded",
                TaskStatus::Failed => "failed",
                TaskStatus::Cancelled => "cancelled",
            };
            *counts.entry((e.info.kind, status)).or_default() += 1;
        }
        counts.into_iter().map(|((k, s), n)| (k, s, n)).collect()
    }

    /// Cancel every running task and wait until each has stopped.
    pub async fn shutdown_tasks(&self) {
        self.tasks.shutdown.cancel();
        let handles: Vec<JoinHandle<()>> =
            std::mem::take(&mut *self.tasks.handles.lock().unwrap_or_else(|p| p.into_inner()));
        for h in handles {
            let _ = h.await;
        }
    }
}
