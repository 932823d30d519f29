//! The priority-target list (plan measure 17): a unit nominates one of its targets, OFAST's committee
//! lists or refuses it with reasons, listed targets are reviewed every six months and de-listed on a
//! stated criterion, and outcomes (arrests, seizures, networks dismantled) are linked to them. OFAST
//! reads the whole list, its history and its indicators; a unit reads its own targets' entries.
//!
//! The state machine is `vigie_targets::workflow::PriorityEntry`; this module checks who may ask,
//! stores one record per target (erased with it) and journals every step.

use crate::arbitration::changed_meanwhile;
use crate::auth::Actor;
use crate::error::{EngineError, EngineResult};
use crate::targets::parse_file;
use crate::{clock, Engine, RequestContext};
use std::collections::BTreeMap;
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::policy::{decide, Action};
use vigie_store::{Mutation, RecordQuery, WorkflowRecord, WriteBatch};
use vigie_targets::workflow::{DelistCriterion, PriorityEntry, PriorityStatus, OUTCOME_KINDS};
use vigie_targets::TargetId;

const PRIORITY_KIND: &str = "priority";
const DAY_MICROS: i64 = 86_400_000_000;

/// One entry of the list as OFAST reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct PriorityView {
    pub entry: PriorityEntry,
    pub caption: String,
    pub procedure: String,
    pub unit_name: String,
    pub review_overdue: bool,
}

/// The list's indicators, for OFAST management.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PriorityIndicators {
    pub nominated: usize,
    pub listed: usize,
    pub refused: usize,
    pub delisted: usize,
    /// Listed targets whose six-monthly review is due.
    pub reviews_overdue: usize,
    /// Median days from a nomination to the committee's decision.
    pub median_days_to_decision: Option<i64>,
    /// (label, count) per outcome kind, in [`OUTCOME_KINDS`] order.
    pub outcomes: Vec<(String, usize)>,
    /// (label, count) per de-listing criterion that occurred.
    pub delisted_by_criterion: Vec<(String, usize)>,
    /// (unit name, listed targets), most first.
    pub listed_by_unit: Vec<(String, usize)>,
}

fn parse(record: &WorkflowRecord) -> EngineResult<PriorityEntry> {
    serde_json::from_str(&record.body)
        .map_err(|error| EngineError::Corrupt(format!("priority entry {}: {error}", record.id)))
}

/// The indicators of a list (pure, so that tests can check them on any list).
pub fn indicators(views: &[PriorityView]) -> PriorityIndicators {
    let mut out = PriorityIndicators::default();
    let mut decision_days = Vec::new();
    let mut outcomes = BTreeMap::new();
    let mut criteria: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut by_unit: BTreeMap<String, usize> = BTreeMap::new();
    for view in views {
        let entry = &view.entry;
        match entry.status {
            PriorityStatus::Nominated => out.nominated += 1,
            PriorityStatus::Listed => {
                out.listed += 1;
                *by_unit.entry(view.unit_name.clone()).or_default() += 1;
            }
            PriorityStatus::Refused => out.refused += 1,
            PriorityStatus::Delisted => out.delisted += 1,
        }
        if view.review_overdue {
            out.reviews_overdue += 1;
        }
        let mut nominated_at = None;
        for event in &entry.history {
            match event.status {
                PriorityStatus::Nominated => nominated_at = Some(event.at_micros),
                PriorityStatus::Listed | PriorityStatus::Refused => {
                    if let Some(at) = nominated_at.take() {
                        decision_days.push((event.at_micros - at) / DAY_MICROS);
                    }
                }
                PriorityStatus::Delisted => {
                    if let Some(criterion) = event.criterion {
                        *criteria.entry(criterion.label_fr()).or_default() += 1;
                    }
                }
            }
        }
        for outcome in &entry.outcomes {
            *outcomes.entry(outcome.kind.clone()).or_insert(0usize) += 1;
        }
    }
    decision_days.sort_unstable();
    out.median_days_to_decision = decision_days.get(decision_days.len() / 2).copied();
    out.outcomes = OUTCOME_KINDS
        .iter()
        .map(|(kind, label)| {
            (
                (*label).to_owned(),
                outcomes.get(*kind).copied().unwrap_or(0),
            )
        })
        .collect();
    out.delisted_by_criterion = criteria
        .into_iter()
        .map(|(label, count)| (label.to_owned(), count))
        .collect();
    let mut by_unit: Vec<(String, usize)> = by_unit.into_iter().collect();
    by_unit.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.listed_by_unit = by_unit;
    out
}

impl Engine {
    async fn priority_entry(&self, target: TargetId) -> EngineResult<Option<PriorityEntry>> {
        Ok(self.priority_read(target).await?.map(|(entry, _)| entry))
    }

    /// The entry with its body as read, for a conditional write.
    async fn priority_read(
        &self,
        target: TargetId,
    ) -> EngineResult<Option<(PriorityEntry, String)>> {
        self.inner
            .store
            .record(PRIORITY_KIND, &target.0.to_string())
            .await?
            .map(|record| Ok((parse(&record)?, record.body)))
            .transpose()
    }

    /// Writes the entry if it is still as read (`read`: its body then, `None` if there was none):
    /// of two decisions taken at once, the second is refused.
    async fn store_priority(
        &self,
        actor: &Actor,
        entry: &PriorityEntry,
        read: Option<String>,
        action: JournalAction,
        motif: &str,
        ctx: &RequestContext,
    ) -> EngineResult<()> {
        let at = entry.history.last().map_or(0, |event| event.at_micros);
        let record = WorkflowRecord {
            kind: PRIORITY_KIND.to_owned(),
            id: entry.target.0.to_string(),
            target_a: Some(entry.target),
            target_b: None,
            starts_micros: at,
            ends_micros: at,
            area: None,
            body: serde_json::to_string(entry)
                .map_err(|error| EngineError::Internal(error.to_string()))?,
        };
        self.commit(WriteBatch {
            mutations: vec![Mutation::PutRecordIf { record, read }],
            journal: vec![self.draft(
                Some(actor),
                action,
                format!("priority:{}", entry.target),
                motif,
                Outcome::Allow,
                ctx,
            )],
        })
        .await
        .map_err(|error| {
            changed_meanwhile(
                error,
                "Cette inscription a été modifiée entre-temps : rechargez la page",
            )
        })?;
        Ok(())
    }

    /// Nominates one of the actor's unit's targets (again, after a refusal or a de-listing).
    pub async fn nominate_priority(
        &self,
        actor: &Actor,
        target: TargetId,
        reasons: &str,
        ctx: &RequestContext,
    ) -> EngineResult<PriorityEntry> {
        self.require(actor, Action::NominatePriority)?;
        self.own_target(actor, target).await?;
        let now = clock::micros(self.inner.clock.now());
        let (entry, read) = match self.priority_read(target).await? {
            Some((mut entry, read)) => {
                entry.renominate(reasons, now, actor.journal_ref())?;
                (entry, Some(read))
            }
            None => (
                PriorityEntry::nominate(target, actor.unit.id, reasons, now, actor.journal_ref())?,
                None,
            ),
        };
        self.store_priority(
            actor,
            &entry,
            read,
            JournalAction::Collect,
            "proposition",
            ctx,
        )
        .await?;
        Ok(entry)
    }

    /// The entry of one of the actor's unit's targets, if it was ever nominated; journaled.
    pub async fn target_priority(
        &self,
        actor: &Actor,
        target: TargetId,
        ctx: &RequestContext,
    ) -> EngineResult<Option<PriorityEntry>> {
        self.require(actor, Action::ReadTargets)?;
        self.own_target(actor, target).await?;
        self.journal_only(vec![self.draft(
            Some(actor),
            JournalAction::Consult,
            format!("priority:{target}"),
            "",
            Outcome::Allow,
            ctx,
        )])
        .await?;
        self.priority_entry(target).await
    }

    /// The whole list for OFAST, with each target's caption and unit, and its indicators;
    /// journaled. Open nominations first, then listed targets by review date.
    pub async fn priority_list(
        &self,
        actor: &Actor,
        ctx: &RequestContext,
    ) -> EngineResult<(Vec<PriorityView>, PriorityIndicators)> {
        self.require(actor, Action::DecidePriority)?;
        let records = self
            .inner
            .store
            .records(&RecordQuery {
                area: None,
                kind: PRIORITY_KIND.to_owned(),
                targets: None,
                window: None,
            })
            .await?;
        self.journal_only(vec![self.draft(
            Some(actor),
            JournalAction::Consult,
            "priority:list".to_owned(),
            "comité des objectifs prioritaires",
            Outcome::Allow,
            ctx,
        )])
        .await?;
        let now = clock::micros(self.inner.clock.now());
        let entries = records
            .iter()
            .map(parse)
            .collect::<EngineResult<Vec<_>>>()?;
        let names = self
            .unit_names(entries.iter().map(|entry| entry.unit).collect())
            .await?;
        let mut views = Vec::with_capacity(entries.len());
        for entry in entries {
            // A record outlives its target only between an expiry and its erasure: skip it.
            let Some(target) = self.inner.store.target(entry.target).await? else {
                continue;
            };
            let file = parse_file(&target)?;
            views.push(PriorityView {
                caption: file.caption(),
                procedure: file.procedure,
                unit_name: names
                    .get(&entry.unit)
                    .map(|unit| unit.name.clone())
                    .unwrap_or_default(),
                review_overdue: entry.review_overdue(now),
                entry,
            });
        }
        let rank = |status: PriorityStatus| match status {
            PriorityStatus::Nominated => 0,
            PriorityStatus::Listed => 1,
            PriorityStatus::Delisted => 2,
            PriorityStatus::Refused => 3,
        };
        views.sort_by_key(|view| {
            (
                rank(view.entry.status),
                view.entry.review_due_micros.unwrap_or(i64::MAX),
                view.caption.clone(),
            )
        });
        let indicators = indicators(&views);
        Ok((views, indicators))
    }

    async fn committee_entry(&self, target: TargetId) -> EngineResult<(PriorityEntry, String)> {
        self.priority_read(target)
            .await?
            .ok_or(EngineError::NotFound)
    }

    /// The committee lists (`list`) or refuses a nomination, with its reasons.
    pub async fn decide_priority(
        &self,
        actor: &Actor,
        target: TargetId,
        list: bool,
        reasons: &str,
        ctx: &RequestContext,
    ) -> EngineResult<PriorityEntry> {
        self.require(actor, Action::DecidePriority)?;
        let (mut entry, read) = self.committee_entry(target).await?;
        let now = clock::micros(self.inner.clock.now());
        entry.decide(list, reasons, now, actor.journal_ref())?;
        let motif = if list { "inscription" } else { "refus" };
        self.store_priority(actor, &entry, Some(read), JournalAction::Modify, motif, ctx)
            .await?;
        Ok(entry)
    }

    /// The six-monthly review: keep listed (`None`) or de-list on a criterion.
    pub async fn review_priority(
        &self,
        actor: &Actor,
        target: TargetId,
        delist: Option<DelistCriterion>,
        reasons: &str,
        ctx: &RequestContext,
    ) -> EngineResult<PriorityEntry> {
        self.require(actor, Action::DecidePriority)?;
        let (mut entry, read) = self.committee_entry(target).await?;
        let now = clock::micros(self.inner.clock.now());
        entry.review(delist, reasons, now, actor.journal_ref())?;
        let motif = if delist.is_some() {
            "retrait de la liste"
        } else {
            "réexamen"
        };
        self.store_priority(actor, &entry, Some(read), JournalAction::Modify, motif, ctx)
            .await?;
        Ok(entry)
    }

    /// Links an outcome to a listed target: OFAST, or the unit that owns the target.
    pub async fn add_priority_outcome(
        &self,
        actor: &Actor,
        target: TargetId,
        kind: &str,
        date: &str,
        description: &str,
        ctx: &RequestContext,
    ) -> EngineResult<PriorityEntry> {
        if !decide(&actor.subject(), Action::DecidePriority, None).is_allowed() {
            self.require(actor, Action::NominatePriority)?;
            self.own_target(actor, target).await?;
        }
        let (mut entry, read) = self.committee_entry(target).await?;
        let now = clock::micros(self.inner.clock.now());
        entry.add_outcome(kind, date, description, now)?;
        self.store_priority(
            actor,
            &entry,
            Some(read),
            JournalAction::Modify,
            "résultat",
            ctx,
        )
        .await?;
        Ok(entry)
    }
}
