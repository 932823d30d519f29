//! Event deconfliction: a unit declares its planned operations (time window, place, radius) and is
//! told at once of other units' operations that meet them in time and space, as RISSafe does for
//! US services, so that two teams do not meet in the same stairwell.
//!
//! Like target conflicts, overlaps are never stored: they are derived from the declared operations
//! whenever a calendar is read, so two units declaring at the same instant both see each other. An
//! overlap notice tells the other unit's name, its contact, the kind of operation and the common
//! window and distance; never the other unit's label. Operations are erased
//! [`OPERATION_RETENTION_DAYS`] days after they end (`expire_targets` does it).
//!
//! This module does not decide whether two plans meet (`vigie_targets::operations` does) nor draw the
//! calendar (the pages do).

use crate::auth::Actor;
use crate::error::{EngineError, EngineResult};
use crate::{clock, Engine, RequestContext};
use uuid::Uuid;
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::org::UnitId;
use vigie_core::policy::Action;
use vigie_store::{Mutation, RecordQuery, WorkflowRecord, WriteBatch};
use vigie_targets::operations::{OperationDraft, OperationId, OperationKind, OperationPlan};

pub(crate) const OPERATION_KIND: &str = "operation";
/// Past operations are kept this long after they end (for the unit's own calendar), then erased.
pub const OPERATION_RETENTION_DAYS: i64 = 90;
const DAY_MICROS: i64 = 86_400_000_000;

/// An operation as stored: the plan and who declared it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct StoredOperation {
    unit: UnitId,
    declared_at_micros: i64,
    declared_by: String,
    plan: OperationPlan,
}

/// One of the actor's unit's operations with the other units' operations it meets.
#[derive(Clone, Debug, PartialEq)]
pub struct OperationView {
    pub id: OperationId,
    pub plan: OperationPlan,
    pub declared_at_micros: i64,
    pub overlaps: Vec<OperationOverlap>,
}

/// What a unit is told about another unit's operation that meets one of its own.
#[derive(Clone, Debug, PartialEq)]
pub struct OperationOverlap {
    pub other_operation: OperationId,
    pub other_unit: UnitId,
    pub other_unit_name: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub other_kind: OperationKind,
    /// The common window.
    pub from_micros: i64,
    pub to_micros: i64,
    pub distance_m: f64,
}

fn parse(record: &WorkflowRecord) -> EngineResult<(OperationId, StoredOperation)> {
    let id = Uuid::parse_str(&record.id)
        .map_err(|error| EngineError::Corrupt(format!("operation {}: {error}", record.id)))?;
    let stored = serde_json::from_str(&record.body)
        .map_err(|error| EngineError::Corrupt(format!("operation {}: {error}", record.id)))?;
    Ok((OperationId(id), stored))
}

impl Engine {
    /// Declares an operation of the actor's unit; answers with it and the overlaps it meets now.
    pub async fn declare_operation(
        &self,
        actor: &Actor,
        draft: OperationDraft,
        ctx: &RequestContext,
    ) -> EngineResult<OperationView> {
        self.require(actor, Action::PlanOperation)?;
        let now = clock::micros(self.inner.clock.now());
        let mut plan = draft.validate(now).map_err(EngineError::Invalid)?;
        plan.commune = self
            .inner
            .geography
            .locate(plan.lat, plan.lon)
            .ok()
            .flatten()
            .map(|location| {
                // Paris, Lyon and Marseille: the arrondissement says more than the city.
                let place = location.arrondissement.unwrap_or(location.commune);
                format!("{} {}", place.code, place.nom)
            });
        let id = OperationId(Uuid::new_v4());
        let stored = StoredOperation {
            unit: actor.unit.id,
            declared_at_micros: now,
            declared_by: actor.journal_ref(),
            plan,
        };
        let record = WorkflowRecord {
            kind: OPERATION_KIND.to_owned(),
            id: id.0.to_string(),
            target_a: None,
            target_b: None,
            starts_micros: stored.plan.starts_micros,
            ends_micros: stored.plan.ends_micros,
            area: None,
            body: serde_json::to_string(&stored)
                .map_err(|error| EngineError::Internal(error.to_string()))?,
        };
        self.commit(WriteBatch {
            mutations: vec![Mutation::PutRecord(record)],
            journal: vec![self.draft(
                Some(actor),
                JournalAction::Collect,
                format!("operation:{id}"),
                "",
                Outcome::Allow,
                ctx,
            )],
        })
        .await?;
        let mut views = self
            .operation_views(actor, (stored.plan.starts_micros, stored.plan.ends_micros))
            .await?;
        views
            .iter()
            .position(|view| view.id == id)
            .map(|at| views.swap_remove(at))
            .ok_or_else(|| EngineError::Internal("the operation just declared is missing".into()))
    }

    /// The actor's unit's operations whose window meets `[from, to)`, each with its overlaps, in
    /// start order; journaled as one consultation.
    pub async fn unit_operations(
        &self,
        actor: &Actor,
        from_micros: i64,
        to_micros: i64,
        ctx: &RequestContext,
    ) -> EngineResult<Vec<OperationView>> {
        self.require(actor, Action::PlanOperation)?;
        self.journal_only(vec![self.draft(
            Some(actor),
            JournalAction::Consult,
            format!("operations:unit:{}", actor.unit.id),
            "",
            Outcome::Allow,
            ctx,
        )])
        .await?;
        self.operation_views(actor, (from_micros, to_micros)).await
    }

    /// Reads the unit's operations in the window and every operation that could meet them (the
    /// longest window is a week, so a week either side holds them all).
    async fn operation_views(
        &self,
        actor: &Actor,
        window: (i64, i64),
    ) -> EngineResult<Vec<OperationView>> {
        let reach = vigie_targets::operations::MAX_WINDOW_HOURS * 3_600_000_000;
        let records = self
            .inner
            .store
            .records(&RecordQuery {
                area: None,
                kind: OPERATION_KIND.to_owned(),
                targets: None,
                window: Some((
                    window.0.saturating_sub(reach),
                    window.1.saturating_add(reach),
                )),
            })
            .await?;
        let operations = records
            .iter()
            .map(parse)
            .collect::<EngineResult<Vec<_>>>()?;
        let mut views = Vec::new();
        for (id, own) in operations.iter().filter(|(_, op)| {
            op.unit == actor.unit.id
                && op.plan.starts_micros < window.1
                && op.plan.ends_micros > window.0
        }) {
            let mut overlaps = Vec::new();
            for (other_id, other) in operations.iter().filter(|(_, op)| op.unit != actor.unit.id) {
                let Some(overlap) = own.plan.overlap(&other.plan) else {
                    continue;
                };
                overlaps.push(OperationOverlap {
                    other_operation: *other_id,
                    other_unit: other.unit,
                    other_unit_name: String::new(),
                    contact_name: other.plan.contact_name.clone(),
                    contact_phone: other.plan.contact_phone.clone(),
                    other_kind: other.plan.kind,
                    from_micros: overlap.from_micros,
                    to_micros: overlap.to_micros,
                    distance_m: overlap.distance_m,
                });
            }
            views.push(OperationView {
                id: *id,
                plan: own.plan.clone(),
                declared_at_micros: own.declared_at_micros,
                overlaps,
            });
        }
        // Names only of the units met (the window holds every unit's operations).
        let met = views
            .iter()
            .flat_map(|view| view.overlaps.iter().map(|overlap| overlap.other_unit))
            .collect();
        let names = self.unit_names(met).await?;
        for overlap in views.iter_mut().flat_map(|view| view.overlaps.iter_mut()) {
            overlap.other_unit_name = names
                .get(&overlap.other_unit)
                .map_or_else(|| "Unité inconnue".to_owned(), |unit| unit.name.clone());
        }
        Ok(views)
    }

    /// Cancels one of the unit's operations: erased at once.
    pub async fn cancel_operation(
        &self,
        actor: &Actor,
        id: OperationId,
        ctx: &RequestContext,
    ) -> EngineResult<()> {
        self.require(actor, Action::PlanOperation)?;
        let key = id.0.to_string();
        match self.inner.store.record(OPERATION_KIND, &key).await? {
            Some(record) if parse(&record)?.1.unit == actor.unit.id => {}
            // Another unit's operation is as missing as one that never was.
            _ => return Err(EngineError::NotFound),
        }
        self.commit(WriteBatch {
            mutations: vec![Mutation::DeleteRecord {
                kind: OPERATION_KIND.to_owned(),
                id: key,
            }],
            journal: vec![self.draft(
                Some(actor),
                JournalAction::Erase,
                format!("operation:{id}"),
                "annulation",
                Outcome::Allow,
                ctx,
            )],
        })
        .await?;
        Ok(())
    }

    /// Erases operations that ended more than the retention delay ago, each journaled. Run with
    /// `expire_targets`.
    pub async fn expire_operations(&self) -> EngineResult<usize> {
        let now_micros = clock::micros(self.inner.clock.now());
        let cutoff = now_micros - OPERATION_RETENTION_DAYS * DAY_MICROS;
        let records = self
            .inner
            .store
            .records(&RecordQuery {
                area: None,
                kind: OPERATION_KIND.to_owned(),
                targets: None,
                window: Some((i64::MIN, cutoff)),
            })
            .await?;
        let ended: Vec<WorkflowRecord> = records
            .into_iter()
            .filter(|record| record.ends_micros <= cutoff)
            .collect();
        if ended.is_empty() {
            return Ok(0);
        }
        let journal = ended
            .iter()
            .map(|record| {
                self.draft(
                    None,
                    JournalAction::Erase,
                    format!("operation:{}", record.id),
                    "échéance de conservation",
                    Outcome::Allow,
                    &RequestContext::default(),
                )
            })
            .collect();
        let count = ended.len();
        self.commit(WriteBatch {
            mutations: ended
                .into_iter()
                .map(|record| Mutation::DeleteRecord {
                    kind: record.kind,
                    id: record.id,
                })
                .collect(),
            journal,
        })
        .await?;
        Ok(count)
    }
}
