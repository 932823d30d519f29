//! Facts about entities: adding one (a value, or the basis of a link) with where it came from and
//! its grade, and reading the facts of an entity that a reader may see.
//!
//! A fact is a workflow record routed to its entity (`area` is the entity's id), so that one query
//! reads all the facts of an entity. A fact is shown only if the policy lets the reader consult it
//! (its owner is the recorder's unit, its regime that of its item or of the entity) and, when it
//! comes from an item, only if the reader may read that item too: a fact never reveals an item its
//! reader could not open, nor that such an item exists.
//!
//! What it does not do: change the entity's own record (facts are added beside it, never over it),
//! or decide which of two contradictory facts is right (both are shown, with their grades).

use crate::auth::Actor;
use crate::clock;
use crate::entities::marks;
use crate::error::{EngineError, EngineResult};
use crate::intel;
use crate::{Engine, RequestContext};
use std::collections::HashMap;
use uuid::Uuid;
use vigie_core::entity::{Entity, EntityId, LegalRegime, Link};
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::policy::{decide, Action, Decision, DenyReason, ObjectMarks};
use vigie_intel::fact::{
    validate_basis, validate_fact, BasisDraft, Claim, Fact, FactBasis, FactDraft, FactId,
    ValidBasis,
};
use vigie_intel::{Grade, ItemId};
use vigie_store::{Mutation, WorkflowRecord, WriteBatch};

/// The workflow kind of facts.
pub(crate) const FACT_KIND: &str = "entity-fact";

/// Where a value shown on an entity's page comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueSource {
    /// The entity's own record (or, after a merge, the record of an entity merged into it), as
    /// written when it was recorded or imported: its provenance's source note, no grade.
    Record {
        entity: EntityId,
        /// Whether this record was merged into the consulted one.
        merged: bool,
        source: String,
    },
    /// A fact added later.
    Fact(Box<Fact>),
}

/// One value of one property of an entity, with where it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueView {
    pub property: String,
    pub value: String,
    pub source: ValueSource,
}

/// The values of an entity's own record, in the schema's order of properties.
pub(crate) fn record_values(entity: &Entity, merged: bool) -> Vec<ValueView> {
    let mut values = Vec::new();
    for (property, list) in &entity.properties {
        for value in list {
            values.push(ValueView {
                property: property.clone(),
                value: value.clone(),
                source: ValueSource::Record {
                    entity: entity.id,
                    merged,
                    source: entity.provenance.source.clone(),
                },
            });
        }
    }
    values
}

fn fact_marks(fact: &Fact) -> ObjectMarks<'_> {
    ObjectMarks {
        owner_unit: fact.owner_unit,
        departement: fact.departement.as_deref(),
        regime: fact.regime,
    }
}

fn record_of(fact: &Fact, id: String) -> EngineResult<WorkflowRecord> {
    Ok(WorkflowRecord {
        kind: FACT_KIND.to_owned(),
        id,
        target_a: None,
        target_b: None,
        starts_micros: fact.recorded_at_micros,
        ends_micros: i64::MAX,
        area: Some(fact.entity.0.to_string()),
        body: serde_json::to_string(fact)
            .map_err(|error| EngineError::Internal(error.to_string()))?,
    })
}

fn parse(record: &WorkflowRecord) -> EngineResult<Fact> {
    serde_json::from_str(&record.body)
        .map_err(|error| EngineError::Corrupt(format!("fact {}: {error}", record.id)))
}

/// What a checked basis resolves to: its grade and the regime the fact is held under.
struct Resolved {
    basis: FactBasis,
    grade: Grade,
    regime: LegalRegime,
}

impl Engine {
    /// An entity the actor may add facts to; `NotFound` for one it may not see.
    async fn entity_for_fact(&self, actor: &Actor, id: EntityId) -> EngineResult<Entity> {
        let entity = self
            .inner
            .store
            .entity(id)
            .await?
            .ok_or(EngineError::NotFound)?;
        match decide(&actor.subject(), Action::RecordFact, Some(marks(&entity))) {
            Decision::Deny(DenyReason::Role) => Err(EngineError::Forbidden),
            Decision::Deny(_) => Err(EngineError::NotFound),
            Decision::Allow | Decision::AllowWithMotif => Ok(entity),
        }
    }

    /// Resolves a basis: an item must exist, be readable by the actor and be about one of
    /// `about`; it lends the fact its grade and regime. A record's reference keeps the given grade
    /// and the entity's regime. An item the actor may not read is reported exactly like a missing
    /// one.
    async fn resolve_basis(
        &self,
        actor: &Actor,
        basis: ValidBasis,
        about: &[EntityId],
        regime: LegalRegime,
    ) -> EngineResult<Resolved> {
        match (basis.basis, basis.grade) {
            (FactBasis::Item { item: id }, _) => {
                let missing = || {
                    EngineError::invalid(
                        "item",
                        format!("Élément de renseignement {id} introuvable"),
                    )
                };
                let record = self.inner.store.intel_item(id).await?.ok_or_else(missing)?;
                let item = intel::parse(&record)?;
                if !self.may_read_intel(actor, &record, &item).is_allowed() {
                    return Err(missing());
                }
                if !about.iter().any(|entity| item.entities.contains(entity)) {
                    return Err(EngineError::invalid(
                        "item",
                        "Cet élément de renseignement ne concerne pas cette entité : rattachez-la d'abord à l'élément",
                    ));
                }
                Ok(Resolved {
                    basis: FactBasis::Item { item: id },
                    grade: item.grade,
                    regime: item.regime,
                })
            }
            (basis @ FactBasis::Record { .. }, Some(grade)) => Ok(Resolved {
                basis,
                grade,
                regime,
            }),
            (FactBasis::Record { .. }, None) => Err(EngineError::invalid(
                "grade",
                "Indiquez la cotation de cette information",
            )),
        }
    }

    /// Adds a value to an entity, with its basis and grade, beside the values already known (a
    /// contradicting value is kept too). Journaled with the entity and the fact, in the same
    /// transaction.
    pub async fn add_fact(
        &self,
        actor: &Actor,
        entity: EntityId,
        draft: FactDraft,
        ctx: &RequestContext,
    ) -> EngineResult<Fact> {
        let entity = self.entity_for_fact(actor, entity).await?;
        let valid = validate_fact(entity.schema, &draft, self.latest_day())
            .map_err(EngineError::Invalid)?;
        // A value already known is accepted: a second source corroborating it is worth keeping.
        let resolved = self
            .resolve_basis(actor, valid.basis, &[entity.id], entity.regime)
            .await?;
        let fact = Fact {
            id: FactId(Uuid::new_v4()),
            entity: entity.id,
            claim: Claim::Value {
                property: valid.property,
                value: valid.value,
            },
            basis: resolved.basis,
            grade: resolved.grade,
            observed_on: valid.observed_on,
            owner_unit: actor.unit.id,
            recorded_by: actor.journal_ref(),
            recorded_at_micros: clock::micros(self.inner.clock.now()),
            regime: resolved.regime,
            departement: entity.departement.clone(),
        };
        let draft = self.draft(
            Some(actor),
            JournalAction::Collect,
            format!("entity:{}:fact:{}", entity.id, fact.id),
            "",
            Outcome::Allow,
            ctx,
        );
        self.commit(WriteBatch {
            mutations: vec![Mutation::PutRecord(record_of(&fact, fact.id.to_string())?)],
            journal: vec![draft],
        })
        .await?;
        Ok(fact)
    }

    /// The basis of a new link as facts, one routed to each end (so that each end's page reads it
    /// with its own facts), or nothing when no basis was given.
    pub(crate) async fn link_basis(
        &self,
        actor: &Actor,
        link: &Link,
        basis: Option<&BasisDraft>,
    ) -> EngineResult<Vec<Mutation>> {
        let Some(basis) = basis else {
            return Ok(Vec::new());
        };
        let valid = validate_basis(basis).map_err(EngineError::Invalid)?;
        let resolved = self
            .resolve_basis(actor, valid, &[link.source, link.target], link.regime)
            .await?;
        let id = FactId(Uuid::new_v4());
        let mut mutations = Vec::with_capacity(2);
        for (end, other) in [(link.source, link.target), (link.target, link.source)] {
            let fact = Fact {
                id,
                entity: end,
                claim: Claim::Link {
                    link: link.id,
                    link_kind: link.kind,
                    other,
                },
                basis: resolved.basis.clone(),
                grade: resolved.grade,
                observed_on: None,
                owner_unit: link.owner_unit,
                recorded_by: actor.journal_ref(),
                recorded_at_micros: clock::micros(link.provenance.recorded_at),
                regime: resolved.regime,
                departement: link.departement.clone(),
            };
            mutations.push(Mutation::PutRecord(record_of(
                &fact,
                format!("{id}:{end}"),
            )?));
        }
        Ok(mutations)
    }

    /// The facts of an entity the actor may see: each through the policy, and each from an item
    /// only if the actor may read the item. Oldest first.
    pub(crate) async fn visible_facts(
        &self,
        actor: &Actor,
        entity: EntityId,
    ) -> EngineResult<Vec<Fact>> {
        let records = self
            .records_in(FACT_KIND, Some(entity.0.to_string()))
            .await?;
        self.visible_facts_in(actor, entity, &records).await
    }

    /// [`Engine::visible_facts`] over the fact records of `entity`, already read.
    pub(crate) async fn visible_facts_in(
        &self,
        actor: &Actor,
        entity: EntityId,
        records: &[WorkflowRecord],
    ) -> EngineResult<Vec<Fact>> {
        let mut readable: HashMap<ItemId, bool> = HashMap::new();
        let mut facts = Vec::with_capacity(records.len());
        for record in records {
            let fact = parse(record)?;
            if fact.entity != entity
                || !decide(
                    &actor.subject(),
                    Action::ConsultEntity,
                    Some(fact_marks(&fact)),
                )
                .is_allowed()
            {
                continue;
            }
            if let FactBasis::Item { item } = &fact.basis {
                let visible = match readable.get(item) {
                    Some(visible) => *visible,
                    None => {
                        let visible = match self.inner.store.intel_item(*item).await? {
                            Some(record) => {
                                let parsed = intel::parse(&record)?;
                                self.may_read_intel(actor, &record, &parsed).is_allowed()
                            }
                            None => false,
                        };
                        readable.insert(*item, visible);
                        visible
                    }
                };
                if !visible {
                    continue;
                }
            }
            facts.push(fact);
        }
        facts.sort_by_key(|fact| (fact.recorded_at_micros, fact.id));
        Ok(facts)
    }
}
