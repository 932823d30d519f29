//! Consulting, searching and recording entities and links, each decided by the policy and journaled.
//!
//! A consultation journals one entry, durably, before anything is returned: it names the entity as
//! its object and every other entity shown with it (merged records, ends of links) in `shown`. A
//! denial is journaled too, and answered `NotFound` when the object exists, so that a refusal never
//! reveals a hidden record. Searches are restricted by the policy before anything is counted.

use crate::auth::Actor;
use crate::error::{EngineError, EngineResult};
use crate::facts::{record_values, ValueSource, ValueView};
use crate::merges::MergeView;
use crate::{Engine, RequestContext};
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use uuid::Uuid;
use vigie_core::entity::{
    validate_properties, Entity, EntityId, LegalRegime, Link, LinkId, LinkKind, Properties,
    Provenance, Schema,
};
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::policy::{
    decide, search_reach, Action, Decision, DenyReason, ObjectMarks, Relation,
};
use vigie_core::text::fold;
use vigie_intel::fact::{BasisDraft, Claim, Fact};
use vigie_store::{EntityQuery, Mutation, Visibility, WriteBatch};

/// An entity as shown on its page, with the links the actor may see.
#[derive(Clone, Debug)]
pub struct EntityView {
    pub entity: Entity,
    pub links: Vec<LinkView>,
    /// Every value known of the entity, each with where it comes from: its own record's, those of
    /// the records merged into it, then the facts added since, oldest first. Contradictory values
    /// are all here.
    pub values: Vec<ValueView>,
    /// The records merged into this one (and those once merged, then taken back) that the actor
    /// may see.
    pub merges: Vec<MergeView>,
    /// The record this one is merged into, when it is and the actor may see it.
    pub merged_into: Option<EntitySummary>,
    /// Sequence number of the journal entry of this consultation.
    pub journal_seq: u64,
}

#[derive(Clone, Debug)]
pub struct LinkView {
    pub link: Link,
    /// The entity at the other end.
    pub other: EntitySummary,
    /// Whether the link goes from the consulted entity (or the record merged into it) to `other`.
    pub outgoing: bool,
    /// The record merged into the consulted one that holds the link, if not the consulted one.
    pub via: Option<EntityId>,
    /// Where the link comes from, with its grade, when that was recorded and the actor may see it.
    pub bases: Vec<Fact>,
}

/// What a list shows of an entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntitySummary {
    pub id: EntityId,
    pub schema: Schema,
    pub caption: String,
    pub departement: Option<String>,
    pub regime: LegalRegime,
}

impl EntitySummary {
    pub(crate) fn of(entity: &Entity) -> Self {
        Self {
            id: entity.id,
            schema: entity.schema,
            caption: entity.caption(),
            departement: entity.departement.clone(),
            regime: entity.regime,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct SearchRequest {
    pub text: String,
    pub schema: Option<Schema>,
    pub motif: String,
    pub limit: u32,
}

#[derive(Clone, Debug)]
pub struct SearchResults {
    pub hits: Vec<EntitySummary>,
    pub journal_seq: u64,
}

#[derive(Clone, Debug)]
pub struct NewEntity {
    pub schema: Schema,
    pub properties: Properties,
    pub departement: Option<String>,
    pub regime: LegalRegime,
    pub source: String,
}

#[derive(Clone, Debug)]
pub struct NewLink {
    pub kind: LinkKind,
    pub source: EntityId,
    pub target: EntityId,
    pub start: Option<time::Date>,
    pub end: Option<time::Date>,
    pub source_note: String,
    /// Where the link comes from, with its grade (an item, or a record's reference and a grade).
    pub basis: Option<BasisDraft>,
}

pub(crate) fn marks(entity: &Entity) -> ObjectMarks<'_> {
    ObjectMarks {
        owner_unit: entity.owner_unit,
        departement: entity.departement.as_deref(),
        regime: entity.regime,
    }
}

pub(crate) fn link_marks(link: &Link) -> ObjectMarks<'_> {
    ObjectMarks {
        owner_unit: link.owner_unit,
        departement: link.departement.as_deref(),
        regime: link.regime,
    }
}

/// Motifs are short free text; they go into the journal, so control characters are refused.
pub(crate) fn clean_motif(motif: &str) -> EngineResult<String> {
    let motif = motif.trim();
    if motif.chars().count() < 3 {
        return Err(EngineError::MotifRequired);
    }
    if motif.chars().count() > 300 || motif.chars().any(char::is_control) {
        return Err(EngineError::Invalid(vec![vigie_core::entity::FieldError {
            field: "motif".to_owned(),
            message: "Le motif doit tenir en 300 caractères, sans caractère de contrôle".to_owned(),
        }]));
    }
    Ok(motif.to_owned())
}

pub(crate) const MAX_LINKS_SHOWN: usize = 200;

impl Engine {
    /// Opens an entity. The journal entries are durable before the entity is returned.
    pub async fn consult_entity(
        &self,
        actor: &Actor,
        id: EntityId,
        motif: &str,
        ctx: &RequestContext,
    ) -> EngineResult<EntityView> {
        let object = format!("entity:{id}");
        // A role that may never consult learns nothing, whether or not the id exists; and the motif is
        // checked before anything is looked up, so its absence reveals nothing either.
        if search_reach(actor.role(), Action::ConsultEntity).is_none() {
            self.inner.metrics.denials.fetch_add(1, Ordering::Relaxed);
            let draft = self.draft(
                Some(actor),
                JournalAction::Consult,
                object,
                "",
                Outcome::Deny,
                ctx,
            );
            self.journal_only(vec![draft]).await?;
            return Err(EngineError::Forbidden);
        }
        let motif = clean_motif(motif)?;
        let neighbourhood = self
            .inner
            .store
            .entity_with_neighbours(id, MAX_LINKS_SHOWN)
            .await?;
        let decision = match &neighbourhood {
            Some(found) => decide(
                &actor.subject(),
                Action::ConsultEntity,
                Some(marks(&found.entity)),
            ),
            None => Decision::Deny(DenyReason::Relation),
        };
        let neighbourhood = match (neighbourhood, decision) {
            (Some(found), Decision::Allow | Decision::AllowWithMotif) => found,
            (_, decision) => {
                self.inner.metrics.denials.fetch_add(1, Ordering::Relaxed);
                let draft = self.draft(
                    Some(actor),
                    JournalAction::Consult,
                    object,
                    &motif,
                    Outcome::Deny,
                    ctx,
                );
                self.journal_only(vec![draft]).await?;
                return Err(if decision == Decision::Deny(DenyReason::Role) {
                    EngineError::Forbidden
                } else {
                    EngineError::NotFound
                });
            }
        };
        let entity = neighbourhood.entity.clone();
        let overlays = self.overlays(id).await?;
        let merged = self
            .merged_records(actor, &entity, overlays.merges_into)
            .await?;
        let merged_into = match overlays.own_merge {
            Some(merge) if merge.active() => self
                .inner
                .store
                .entity(merge.kept)
                .await?
                .filter(|kept| {
                    decide(&actor.subject(), Action::ConsultEntity, Some(marks(kept))).is_allowed()
                })
                .map(|kept| EntitySummary::of(&kept)),
            _ => None,
        };
        // The consulted record and those merged into it count as one: a link between two of them
        // is not shown as a link to elsewhere.
        let group: HashSet<EntityId> = std::iter::once(id)
            .chain(merged.records.iter().map(|record| record.entity.id))
            .collect();
        let mut links = self.visible_links(actor, id, None, &neighbourhood.neighbours, &group);
        let mut values = record_values(&entity, false);
        for record in merged.records {
            values.extend(record_values(&record.entity, true));
            let via = Some(record.entity.id);
            links.extend(self.visible_links(
                actor,
                record.entity.id,
                via,
                &record.neighbours,
                &group,
            ));
        }
        let mut seen = HashSet::new();
        links.retain(|view| seen.insert(view.link.id));
        for member in &group {
            let facts = if *member == id {
                self.visible_facts_in(actor, id, &overlays.facts).await?
            } else {
                self.visible_facts(actor, *member).await?
            };
            for fact in facts {
                match &fact.claim {
                    Claim::Value { property, value } => values.push(ValueView {
                        property: property.clone(),
                        value: value.clone(),
                        source: ValueSource::Fact(Box::new(fact.clone())),
                    }),
                    Claim::Link { link, .. } => {
                        if let Some(view) = links.iter_mut().find(|view| view.link.id == *link) {
                            view.bases.push(fact);
                        }
                    }
                }
            }
        }

        // One entry for the consultation, naming the consulted entity and every other one it put on
        // screen (merged records, ends of links): an auditor finds it under each of them.
        let mut draft = self.draft(
            Some(actor),
            JournalAction::Consult,
            object,
            &motif,
            Outcome::Allow,
            ctx,
        );
        let mut journaled = HashSet::from([id]);
        draft.shown = merged
            .views
            .iter()
            .map(|view| view.entity.id)
            .chain(links.iter().map(|view| view.other.id))
            .filter(|other| journaled.insert(*other))
            .map(|other| format!("entity:{other}"))
            .collect();
        let seqs = self.journal_only(vec![draft]).await?;
        self.inner
            .metrics
            .consultations
            .fetch_add(1, Ordering::Relaxed);
        let journal_seq = seqs
            .first()
            .copied()
            .ok_or_else(|| EngineError::Internal("journal returned no sequence".to_owned()))?;
        Ok(EntityView {
            entity,
            links,
            values,
            merges: merged.views,
            merged_into,
            journal_seq,
        })
    }

    /// The links of `holder` the actor may see: both the link and the entity at its other end must
    /// be visible, and the other end must lie outside `group`.
    fn visible_links(
        &self,
        actor: &Actor,
        holder: EntityId,
        via: Option<EntityId>,
        neighbours: &[(Link, Entity)],
        group: &HashSet<EntityId>,
    ) -> Vec<LinkView> {
        neighbours
            .iter()
            .filter(|(link, other)| {
                !group.contains(&other.id)
                    && decide(
                        &actor.subject(),
                        Action::ConsultEntity,
                        Some(link_marks(link)),
                    )
                    .is_allowed()
                    && decide(&actor.subject(), Action::ConsultEntity, Some(marks(other)))
                        .is_allowed()
            })
            .map(|(link, other)| {
                let outgoing = link.source == holder;
                LinkView {
                    link: link.clone(),
                    other: EntitySummary::of(other),
                    outgoing,
                    via,
                    bases: Vec::new(),
                }
            })
            .collect()
    }

    /// Which records a search by `actor` may return, widest at `reach`.
    pub(crate) fn visibility(&self, actor: &Actor, reach: Relation) -> Visibility {
        let departements = match reach {
            Relation::Elsewhere => None,
            Relation::Territory if actor.unit.territory.is_national() => None,
            Relation::Territory => Some(actor.unit.territory.codes().to_vec()),
            Relation::OwnUnit | Relation::None => Some(Vec::new()),
        };
        let open_regimes = LegalRegime::ALL
            .into_iter()
            .filter(|regime| vigie_core::policy::regime_open_to(*regime, actor.unit.kind))
            .collect();
        Visibility {
            own_unit: actor.unit.id,
            departements,
            open_regimes,
        }
    }

    /// Searches entities the actor may see. The search is journaled (with its motif and the number of
    /// results, not its terms) before results are returned.
    pub async fn search_entities(
        &self,
        actor: &Actor,
        request: &SearchRequest,
        ctx: &RequestContext,
    ) -> EngineResult<SearchResults> {
        let Some(reach) = search_reach(actor.role(), Action::SearchEntities) else {
            return Err(EngineError::Forbidden);
        };
        let motif = clean_motif(&request.motif)?;
        let terms: Vec<String> = fold(&request.text)
            .split(' ')
            .filter(|t| !t.is_empty())
            .take(8)
            .map(str::to_owned)
            .collect();
        if terms.is_empty() {
            return Err(EngineError::Invalid(vec![vigie_core::entity::FieldError {
                field: "text".to_owned(),
                message: "Saisissez au moins un mot à rechercher".to_owned(),
            }]));
        }
        let query = EntityQuery {
            terms,
            schema: request.schema,
            visibility: self.visibility(actor, reach),
            limit: request.limit.clamp(1, 200),
        };
        let found = self.inner.store.search_entities(&query).await?;
        // Defence in depth: the store filtered by visibility; the policy checks each hit again.
        let hits: Vec<EntitySummary> = found
            .iter()
            .filter(|entity| {
                decide(
                    &actor.subject(),
                    Action::SearchEntities,
                    Some(marks(entity)),
                )
                .is_allowed()
            })
            .map(EntitySummary::of)
            .collect();
        let object = format!("search:{}", hits.len());
        let draft = self.draft(
            Some(actor),
            JournalAction::Search,
            object,
            &motif,
            Outcome::Allow,
            ctx,
        );
        let seqs = self.journal_only(vec![draft]).await?;
        let journal_seq = seqs.first().copied().unwrap_or_default();
        Ok(SearchResults { hits, journal_seq })
    }

    /// Records a new entity for the actor's unit. The entity and its journal entry commit together.
    pub async fn create_entity(
        &self,
        actor: &Actor,
        new: NewEntity,
        ctx: &RequestContext,
    ) -> EngineResult<Entity> {
        if !decide(&actor.subject(), Action::CreateEntity, None).is_allowed() {
            return Err(EngineError::Forbidden);
        }
        let properties =
            validate_properties(new.schema, &new.properties).map_err(EngineError::Invalid)?;
        let departement = new
            .departement
            .map(|d| d.trim().to_uppercase())
            .filter(|d| !d.is_empty());
        if let Some(code) = &departement {
            if !is_departement_code(code) {
                return Err(EngineError::Invalid(vec![vigie_core::entity::FieldError {
                    field: "departement".to_owned(),
                    message: format!("Code de département inconnu « {code} »"),
                }]));
            }
        }
        let entity = Entity {
            id: EntityId(Uuid::new_v4()),
            schema: new.schema,
            properties,
            owner_unit: actor.unit.id,
            departement,
            regime: new.regime,
            provenance: Provenance {
                recorded_by: actor.account.id,
                unit: actor.unit.id,
                source: new.source.trim().chars().take(300).collect(),
                recorded_at: self.inner.clock.now(),
            },
            version: 1,
        };
        let draft = self.draft(
            Some(actor),
            JournalAction::Collect,
            format!("entity:{}", entity.id),
            "",
            Outcome::Allow,
            ctx,
        );
        self.commit(WriteBatch {
            mutations: vec![Mutation::InsertEntity(entity.clone())],
            journal: vec![draft],
        })
        .await?;
        Ok(entity)
    }

    /// Records a link between two entities the actor can see.
    pub async fn create_link(
        &self,
        actor: &Actor,
        new: NewLink,
        ctx: &RequestContext,
    ) -> EngineResult<Link> {
        let mut ends = Vec::with_capacity(2);
        for id in [new.source, new.target] {
            let entity = self
                .inner
                .store
                .entity(id)
                .await?
                .ok_or(EngineError::NotFound)?;
            match decide(&actor.subject(), Action::CreateLink, Some(marks(&entity))) {
                Decision::Deny(DenyReason::Role) => return Err(EngineError::Forbidden),
                Decision::Deny(_) => return Err(EngineError::NotFound),
                Decision::Allow | Decision::AllowWithMotif => ends.push(entity),
            }
        }
        if new.source == new.target {
            return Err(EngineError::Invalid(vec![vigie_core::entity::FieldError {
                field: "target".to_owned(),
                message: "Un lien relie deux entités distinctes".to_owned(),
            }]));
        }
        let departement = ends.first().and_then(|entity| entity.departement.clone());
        let regime = ends
            .iter()
            .map(|entity| entity.regime)
            .max()
            .unwrap_or(LegalRegime::Judicial);
        let link = Link {
            id: LinkId(Uuid::new_v4()),
            kind: new.kind,
            source: new.source,
            target: new.target,
            start: new.start,
            end: new.end,
            owner_unit: actor.unit.id,
            departement,
            regime,
            provenance: Provenance {
                recorded_by: actor.account.id,
                unit: actor.unit.id,
                source: new.source_note.trim().chars().take(300).collect(),
                recorded_at: self.inner.clock.now(),
            },
        };
        let draft = self.draft(
            Some(actor),
            JournalAction::Collect,
            format!("link:{}", link.id),
            "",
            Outcome::Allow,
            ctx,
        );
        let mut mutations = vec![Mutation::InsertLink(link.clone())];
        mutations.extend(self.link_basis(actor, &link, new.basis.as_ref()).await?);
        self.commit(WriteBatch {
            mutations,
            journal: vec![draft],
        })
        .await?;
        Ok(link)
    }
}

/// Metropolitan (01-95, 2A, 2B; no 20) and overseas (971-976) département codes.
pub(crate) fn is_departement_code(code: &str) -> bool {
    match code {
        "2A" | "2B" => true,
        _ if code.len() == 2 => code
            .parse::<u32>()
            .is_ok_and(|n| (1..=95).contains(&n) && n != 20),
        _ if code.len() == 3 => code
            .parse::<u32>()
            .is_ok_and(|n| (971..=976).contains(&n) && n != 975),
        _ => false,
    }
}
