//! Random-inspection plans (migration 10; PRODUCT.md C11,
//! docs/INSPECTION-DRAW.md). What a draw *is* belongs to
//! `xinyong-inspection`; the store keeps, append-only:
//!
//! * the plan, inserted once with its inputs fixed: the four canonical lists
//!   byte for byte, the parameters, the published record and (when the
//!   platform chose it) the secret seed;
//! * its steps `published` and `drawn`, at most one of each (`UNIQUE (plan_id,
//!   step)`): of two draws at once exactly one is stored, the other gets
//!   `Ok(false)`; the tasks are inserted in the same transaction as `drawn`;
//! * the results inspectors enter, one row each (a correction is a later
//!   row), with the `inspection` record written for it.

use sqlx::{AssertSqlSafe, Decode, Encode, Executor, FromRow, IntoArguments, Pool, Type};

use crate::StoreError;
use crate::codec;
use crate::shared::{Db, Dialect, db};

/// A plan to store (its inputs fixed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInspectionPlan {
    pub plan_id: String,
    pub name: String,
    /// The department (record source) whose `inspection` records the
    /// results become.
    pub department: String,
    /// The model whose class is the risk class.
    pub model: String,
    /// JSON of the plan's parameters.
    pub params: String,
    /// JSON: who was left out of the pool and why.
    pub screening: String,
    /// The canonical lists (UTF-8, one line per entry).
    pub pool: String,
    pub roster: String,
    pub recusals: String,
    pub items: String,
    /// JSON of the published record (`xinyong_inspection::Published`).
    pub published: String,
    /// The seed (hex) when the platform holds it; secret until the draw.
    pub seed: Option<String>,
    pub created_by: String,
}

/// A stored plan, without its lists and seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInspectionPlan {
    pub plan_id: String,
    pub name: String,
    pub department: String,
    pub model: String,
    pub params: String,
    pub screening: String,
    pub published: String,
    pub created_by: String,
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub created_at: String,
    /// Whether the platform holds the seed (else it is given at the draw).
    pub seed_held: bool,
    /// The steps taken, in order.
    pub steps: Vec<InspectionPlanStep>,
}

impl StoredInspectionPlan {
    /// The step of that name (`published`, `drawn`), if taken.
    pub fn step(&self, name: &str) -> Option<&InspectionPlanStep> {
        self.steps.iter().find(|s| s.step == name)
    }
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionPlanStep {
    pub step: String,
    pub actor: String,
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub at: String,
    /// JSON (the draw, for `drawn`).
    pub detail: String,
}

/// The canonical lists of a plan and its secret seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionPlanLists {
    pub pool: String,
    pub roster: String,
    pub recusals: String,
    pub items: String,
    pub seed: Option<String>,
}

/// One task of a drawn plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionTaskRow {
    pub plan_id: String,
    /// Position in the task order, from 0.
    pub idx: i64,
    pub uscc: String,
    pub class: String,
    /// `random` or `complaint`.
    pub basis: String,
    /// `None` when unassignable.
    pub lead: Option<String>,
    pub assist: Option<String>,
    /// JSON array of the items.
    pub items: String,
}

/// A result to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInspectionResult {
    pub plan_id: String,
    pub idx: i64,
    pub outcome: String,
    /// `YYYY-MM-DD`.
    pub inspected_on: String,
    /// `YYYY-MM-DD`.
    pub publish_due: String,
    pub note: String,
    pub record_source: String,
    pub record_id: String,
    pub entered_by: String,
}

/// A stored result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInspectionResult {
    pub id: i64,
    pub plan_id: String,
    pub idx: i64,
    pub outcome: String,
    pub inspected_on: String,
    pub publish_due: String,
    pub note: String,
    pub record_source: String,
    pub record_id: String,
    pub entered_by: String,
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub entered_at: String,
}

type PlanRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
);
type StepRow = (String, String, String, String, String);
type TaskRow = (
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
);
type ResultRow = (
    i64,
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

fn not_empty(fields: &[(&str, &str)]) -> Result<(), StoreError> {
    for (name, value) in fields {
        if value.trim().is_empty() {
            return Err(StoreError::Invalid(format!("{name}: must not be empty")));
        }
    }
    Ok(())
}

fn task_from(r: TaskRow) -> InspectionTaskRow {
    InspectionTaskRow {
        plan_id: r.0,
        idx: r.1,
        uscc: r.2,
        class: r.3,
        basis: r.4,
        lead: r.5,
        assist: r.6,
        items: r.7,
    }
}

fn result_from(r: ResultRow) -> StoredInspectionResult {
    StoredInspectionResult {
        id: r.0,
        plan_id: r.1,
        idx: r.2,
        outcome: r.3,
        inspected_on: r.4,
        publish_due: r.5,
        note: r.6,
        record_source: r.7,
        record_id: r.8,
        entered_by: r.9,
        entered_at: r.10,
    }
}

const TASK_COLUMNS: &str = "plan_id, idx, uscc, class, basis, lead, assist, items";

impl<DB> Db<DB>
where
    DB: Dialect,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'q> Option<String>: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'r> PlanRow: FromRow<'r, DB::Row>,
    for<'r> StepRow: FromRow<'r, DB::Row>,
    for<'r> TaskRow: FromRow<'r, DB::Row>,
    for<'r> ResultRow: FromRow<'r, DB::Row>,
    for<'r> (String, String, String, String, Option<String>): FromRow<'r, DB::Row>,
    for<'r> (String, Option<String>, Option<String>): FromRow<'r, DB::Row>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
{
    /// Store a new plan; `Ok(false)` when a plan with that id exists
    /// (nothing written).
    pub async fn insert_inspection_plan(&self, p: &NewInspectionPlan) -> Result<bool, StoreError> {
        not_empty(&[
            ("plan_id", &p.plan_id),
            ("name", &p.name),
            ("department", &p.department),
            ("model", &p.model),
            ("created_by", &p.created_by),
        ])?;
        const CTX: &str = "storing an inspection plan";
        let now = codec::rfc3339(codec::now());
        let sql = format!(
            "INSERT INTO inspection_plans (plan_id, name, department, model, params, screening, \
               pool, roster, recusals, items, published, seed, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, {}) \
             ON CONFLICT (plan_id) DO NOTHING RETURNING {}",
            DB::timestamp_param(14),
            DB::cast("1", "int8"),
        );
        let done: Option<(i64,)> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(p.plan_id.as_str())
            .bind(p.name.as_str())
            .bind(p.department.as_str())
            .bind(p.model.as_str())
            .bind(p.params.as_str())
            .bind(p.screening.as_str())
            .bind(p.pool.as_str())
            .bind(p.roster.as_str())
            .bind(p.recusals.as_str())
            .bind(p.items.as_str())
            .bind(p.published.as_str())
            .bind(p.seed.clone())
            .bind(p.created_by.as_str())
            .bind(now.as_str())
            .fetch_optional(&self.writer)
            .await
            .map_err(db::<DB>(CTX))?;
        Ok(done.is_some())
    }

    fn plan_select() -> String {
        format!(
            "SELECT plan_id, name, department, model, params, screening, published, created_by, \
               {}, CASE WHEN seed IS NULL THEN {} ELSE {} END FROM inspection_plans",
            DB::timestamp("created_at"),
            DB::cast("0", "int8"),
            DB::cast("1", "int8"),
        )
    }

    async fn steps_of(&self, plan_id: &str) -> Result<Vec<InspectionPlanStep>, StoreError> {
        let sql = format!(
            "SELECT plan_id, step, actor, {}, detail FROM inspection_plan_steps \
             WHERE plan_id = $1 ORDER BY id",
            DB::timestamp("at")
        );
        let rows: Vec<StepRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(plan_id)
            .fetch_all(&self.writer)
            .await
            .map_err(db::<DB>("reading an inspection plan's steps"))?;
        Ok(rows
            .into_iter()
            .map(|r| InspectionPlanStep {
                step: r.1,
                actor: r.2,
                at: r.3,
                detail: r.4,
            })
            .collect())
    }

    fn plan_from(r: PlanRow, steps: Vec<InspectionPlanStep>) -> StoredInspectionPlan {
        StoredInspectionPlan {
            plan_id: r.0,
            name: r.1,
            department: r.2,
            model: r.3,
            params: r.4,
            screening: r.5,
            published: r.6,
            created_by: r.7,
            created_at: r.8,
            seed_held: r.9 != 0,
            steps,
        }
    }

    /// A plan (without lists and seed), with its steps. Read on the writer
    /// so that a step just taken is seen.
    pub async fn inspection_plan(
        &self,
        plan_id: &str,
    ) -> Result<Option<StoredInspectionPlan>, StoreError> {
        let row: Option<PlanRow> = sqlx::query_as(AssertSqlSafe(format!(
            "{} WHERE plan_id = $1",
            Self::plan_select()
        )))
        .bind(plan_id)
        .fetch_optional(&self.writer)
        .await
        .map_err(db::<DB>("reading an inspection plan"))?;
        match row {
            None => Ok(None),
            Some(r) => {
                let steps = self.steps_of(plan_id).await?;
                Ok(Some(Self::plan_from(r, steps)))
            }
        }
    }

    /// Every plan, newest first.
    pub async fn inspection_plans(&self) -> Result<Vec<StoredInspectionPlan>, StoreError> {
        let rows: Vec<PlanRow> = sqlx::query_as(AssertSqlSafe(format!(
            "{} ORDER BY created_at DESC, plan_id",
            Self::plan_select()
        )))
        .fetch_all(&self.writer)
        .await
        .map_err(db::<DB>("listing inspection plans"))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let steps = self.steps_of(&r.0).await?;
            out.push(Self::plan_from(r, steps));
        }
        Ok(out)
    }

    /// The canonical lists and the seed of a plan.
    pub async fn inspection_plan_lists(
        &self,
        plan_id: &str,
    ) -> Result<Option<InspectionPlanLists>, StoreError> {
        let row: Option<(String, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT pool, roster, recusals, items, seed FROM inspection_plans WHERE plan_id = $1",
        )
        .bind(plan_id)
        .fetch_optional(&self.writer)
        .await
        .map_err(db::<DB>("reading an inspection plan's lists"))?;
        Ok(row.map(|r| InspectionPlanLists {
            pool: r.0,
            roster: r.1,
            recusals: r.2,
            items: r.3,
            seed: r.4,
        }))
    }

    async fn insert_step(
        conn: &mut DB::Connection,
        plan_id: &str,
        step: &str,
        actor: &str,
        detail: &str,
        now: &str,
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "INSERT INTO inspection_plan_steps (plan_id, step, actor, at, detail) \
             VALUES ($1, $2, $3, {}, $5) ON CONFLICT (plan_id, step) DO NOTHING RETURNING id",
            DB::timestamp_param(4)
        );
        let done: Option<(i64,)> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(plan_id)
            .bind(step)
            .bind(actor)
            .bind(now)
            .bind(detail)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db::<DB>("storing an inspection plan step"))?;
        Ok(done.is_some())
    }

    /// Record the plan's publication; `Ok(false)` when it was published
    /// already. An unknown plan is [`StoreError::Invalid`].
    pub async fn publish_inspection_plan(
        &self,
        plan_id: &str,
        actor: &str,
    ) -> Result<bool, StoreError> {
        const CTX: &str = "publishing an inspection plan";
        let mut tx = DB::begin_write(&self.writer, CTX).await?;
        let exists: Option<(i64,)> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {} FROM inspection_plans WHERE plan_id = $1",
            DB::cast("1", "int8")
        )))
        .bind(plan_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db::<DB>(CTX))?;
        if exists.is_none() {
            return Err(StoreError::Invalid(format!(
                "inspection plan {plan_id} does not exist"
            )));
        }
        let now = codec::rfc3339(codec::now());
        let done = Self::insert_step(&mut tx, plan_id, "published", actor, "{}", &now).await?;
        tx.commit().await.map_err(db::<DB>(CTX))?;
        Ok(done)
    }

    /// Record the draw (`detail`: its JSON) and its tasks in one
    /// transaction; `Ok(false)` when the plan was drawn already (nothing
    /// written). The plan must have been published.
    pub async fn record_inspection_draw(
        &self,
        plan_id: &str,
        actor: &str,
        detail: &str,
        tasks: &[InspectionTaskRow],
    ) -> Result<bool, StoreError> {
        const CTX: &str = "storing an inspection draw";
        let mut tx = DB::begin_write(&self.writer, CTX).await?;
        let published: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM inspection_plan_steps WHERE plan_id = $1 AND step = 'published'",
        )
        .bind(plan_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db::<DB>(CTX))?;
        if published.is_none() {
            return Err(StoreError::Invalid(format!(
                "inspection plan {plan_id} is not published"
            )));
        }
        let now = codec::rfc3339(codec::now());
        if !Self::insert_step(&mut tx, plan_id, "drawn", actor, detail, &now).await? {
            return Ok(false);
        }
        for t in tasks {
            if t.plan_id != plan_id {
                return Err(StoreError::Invalid(format!(
                    "task {} belongs to plan {}, not {plan_id}",
                    t.idx, t.plan_id
                )));
            }
            sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO inspection_tasks ({TASK_COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            )))
            .bind(t.plan_id.as_str())
            .bind(t.idx)
            .bind(t.uscc.as_str())
            .bind(t.class.as_str())
            .bind(t.basis.as_str())
            .bind(t.lead.clone())
            .bind(t.assist.clone())
            .bind(t.items.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db::<DB>(CTX))?;
        }
        tx.commit().await.map_err(db::<DB>(CTX))?;
        Ok(true)
    }

    /// The tasks of a plan, in task order.
    pub async fn inspection_tasks(
        &self,
        plan_id: &str,
    ) -> Result<Vec<InspectionTaskRow>, StoreError> {
        let rows: Vec<TaskRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {TASK_COLUMNS} FROM inspection_tasks WHERE plan_id = $1 ORDER BY idx"
        )))
        .bind(plan_id)
        .fetch_all(&self.writer)
        .await
        .map_err(db::<DB>("reading inspection tasks"))?;
        Ok(rows.into_iter().map(task_from).collect())
    }

    /// The tasks an inspector is assigned to (lead or assisting), by plan
    /// then task order.
    pub async fn inspection_tasks_of(
        &self,
        inspector: &str,
    ) -> Result<Vec<InspectionTaskRow>, StoreError> {
        let rows: Vec<TaskRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {TASK_COLUMNS} FROM inspection_tasks WHERE lead = $1 OR assist = $1 \
             ORDER BY plan_id, idx"
        )))
        .bind(inspector)
        .fetch_all(&self.writer)
        .await
        .map_err(db::<DB>("reading an inspector's tasks"))?;
        Ok(rows.into_iter().map(task_from).collect())
    }

    /// For every subject inspected in a drawn plan, the inspectors of its
    /// latest task (plans in the order they were drawn): `(uscc, lead,
    /// assist)`.
    pub async fn last_inspectors(
        &self,
    ) -> Result<Vec<(String, Option<String>, Option<String>)>, StoreError> {
        let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT t.uscc, t.lead, t.assist FROM inspection_tasks t \
             JOIN inspection_plan_steps s ON s.plan_id = t.plan_id AND s.step = 'drawn' \
             ORDER BY s.id, t.idx",
        )
        .fetch_all(&self.writer)
        .await
        .map_err(db::<DB>("reading the last inspectors"))?;
        let mut latest = std::collections::BTreeMap::new();
        for (uscc, lead, assist) in rows {
            latest.insert(uscc, (lead, assist));
        }
        Ok(latest
            .into_iter()
            .map(|(uscc, (lead, assist))| (uscc, lead, assist))
            .collect())
    }

    /// Append a result; its id. The task must exist.
    pub async fn insert_inspection_result(
        &self,
        r: &NewInspectionResult,
    ) -> Result<i64, StoreError> {
        not_empty(&[
            ("plan_id", &r.plan_id),
            ("outcome", &r.outcome),
            ("inspected_on", &r.inspected_on),
            ("publish_due", &r.publish_due),
            ("record_source", &r.record_source),
            ("record_id", &r.record_id),
            ("entered_by", &r.entered_by),
        ])?;
        const CTX: &str = "storing an inspection result";
        let mut tx = DB::begin_write(&self.writer, CTX).await?;
        let task: Option<(i64,)> =
            sqlx::query_as("SELECT idx FROM inspection_tasks WHERE plan_id = $1 AND idx = $2")
                .bind(r.plan_id.as_str())
                .bind(r.idx)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db::<DB>(CTX))?;
        if task.is_none() {
            return Err(StoreError::Invalid(format!(
                "plan {} has no task {}",
                r.plan_id, r.idx
            )));
        }
        let now = codec::rfc3339(codec::now());
        let sql = format!(
            "INSERT INTO inspection_results (plan_id, idx, outcome, inspected_on, publish_due, \
               note, record_source, record_id, entered_by, entered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, {}) RETURNING id",
            DB::timestamp_param(10)
        );
        let (id,): (i64,) = sqlx::query_as(AssertSqlSafe(sql))
            .bind(r.plan_id.as_str())
            .bind(r.idx)
            .bind(r.outcome.as_str())
            .bind(r.inspected_on.as_str())
            .bind(r.publish_due.as_str())
            .bind(r.note.as_str())
            .bind(r.record_source.as_str())
            .bind(r.record_id.as_str())
            .bind(r.entered_by.as_str())
            .bind(now.as_str())
            .fetch_one(&mut *tx)
            .await
            .map_err(db::<DB>(CTX))?;
        tx.commit().await.map_err(db::<DB>(CTX))?;
        Ok(id)
    }

    /// Every result of a plan, in the order entered.
    pub async fn inspection_results(
        &self,
        plan_id: &str,
    ) -> Result<Vec<StoredInspectionResult>, StoreError> {
        let sql = format!(
            "SELECT id, plan_id, idx, outcome, inspected_on, publish_due, note, record_source, \
               record_id, entered_by, {} FROM inspection_results WHERE plan_id = $1 ORDER BY id",
            DB::timestamp("entered_at")
        );
        let rows: Vec<ResultRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(plan_id)
            .fetch_all(&self.writer)
            .await
            .map_err(db::<DB>("reading inspection results"))?;
        Ok(rows.into_iter().map(result_from).collect())
    }
}
