//! Merges of duplicate entities: suggested by the matching engine's comparisons, decided by an
//! analyst with a reason, and reversible.
//!
//! A merge rewrites nothing. It is a workflow record, keyed by the merged entity and routed to the
//! kept one, that says "this record describes the same person (vehicle, phone...) as that one";
//! consulting the kept entity then shows the values, facts and links of the records merged into it,
//! each still saying which record it came from, and only those the reader may see. Undoing a merge
//! appends to its history and the two records are apart again, exactly as they were.
//!
//! What it does not do: pick which values are right (contradictory values stay side by side), or
//! merge across schemas.

use crate::auth::Actor;
use crate::clock;
use crate::entities::{marks, EntitySummary};
use crate::error::{EngineError, EngineResult};
use crate::{Engine, RequestContext};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use vigie_core::entity::{Entity, EntityId, Schema};
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::org::UnitId;
use vigie_core::policy::{decide, search_reach, Action, Decision, DenyReason};
use vigie_core::text::fold;
use vigie_match::compare::{compare, Field};
use vigie_match::record::{Prepared, Record};
use vigie_store::{EntityQuery, Mutation, Neighbourhood, WorkflowRecord, WriteBatch};

/// The workflow kind of merges.
pub(crate) const MERGE_KIND: &str = "entity-merge";
/// How deep merges into merges are followed when an entity is consulted.
pub(crate) const MAX_MERGE_DEPTH: usize = 4;
/// Most records shown merged into one.
pub(crate) const MAX_MERGED: usize = 50;
/// Most suggestions offered for one entity.
pub const MAX_MERGE_SUGGESTIONS: usize = 10;

/// One step of a merge's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeEvent {
    /// `true` for a merge, `false` for its undoing.
    pub merged: bool,
    pub kept: EntityId,
    pub by: String,
    pub unit: UnitId,
    pub at_micros: i64,
    pub reason: String,
}

/// A merge as stored: the merged entity, the kept one, and what happened between them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MergeRecord {
    pub kept: EntityId,
    pub merged: EntityId,
    pub history: Vec<MergeEvent>,
}

impl MergeRecord {
    pub fn active(&self) -> bool {
        self.history.last().is_some_and(|event| event.merged)
    }
}

/// A record merged (or once merged) into the consulted entity, as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeView {
    pub entity: EntitySummary,
    /// The record this one is merged into (the consulted entity, or a record merged into it).
    pub kept: EntityId,
    pub active: bool,
    pub history: Vec<MergeEvent>,
}

/// A possible duplicate of an entity, with why the matching engine thinks so, in French.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeSuggestion {
    pub candidate: EntitySummary,
    /// One line per compared field that agrees ("Nom : identique").
    pub reasons: Vec<String>,
    /// Whether every strong field agrees (name and birth date, or the identifier itself).
    pub strong: bool,
}

/// Suggestions for one entity, and the journal entry of the search that found them.
#[derive(Clone, Debug)]
pub struct MergeSuggestions {
    pub suggestions: Vec<MergeSuggestion>,
    pub journal_seq: u64,
}

fn clean_reason(reason: &str) -> EngineResult<String> {
    let reason = reason.trim();
    let length = reason.chars().count();
    if !(5..=500).contains(&length) || reason.chars().any(|c| c.is_control() && c != '\n') {
        return Err(EngineError::invalid(
            "reason",
            "Motivez la décision en 5 à 500 caractères, sans caractère de contrôle",
        ));
    }
    Ok(reason.to_owned())
}

pub(crate) fn parse(record: &WorkflowRecord) -> EngineResult<MergeRecord> {
    serde_json::from_str(&record.body)
        .map_err(|error| EngineError::Corrupt(format!("merge {}: {error}", record.id)))
}

fn record_of(merge: &MergeRecord, at_micros: i64) -> EngineResult<WorkflowRecord> {
    Ok(WorkflowRecord {
        kind: MERGE_KIND.to_owned(),
        id: merge.merged.0.to_string(),
        target_a: None,
        target_b: None,
        starts_micros: at_micros,
        ends_micros: i64::MAX,
        area: Some(merge.kept.0.to_string()),
        body: serde_json::to_string(merge)
            .map_err(|error| EngineError::Internal(error.to_string()))?,
    })
}

fn first<'a>(entity: &'a Entity, property: &str) -> &'a str {
    entity
        .properties
        .get(property)
        .and_then(|values| values.first())
        .map_or("", String::as_str)
}

/// A person entity as the matching engine reads a person record.
fn person_record(entity: &Entity) -> Record {
    let (mut given, mut surname) = (
        first(entity, "firstName").to_owned(),
        first(entity, "lastName").to_owned(),
    );
    if given.is_empty() && surname.is_empty() {
        // "Jean DUPONT": the last word is the surname, the rest the given names.
        let name = first(entity, "name");
        match name.trim().rsplit_once(' ') {
            Some((rest, last)) => {
                given = rest.to_owned();
                surname = last.to_owned();
            }
            None => surname = name.to_owned(),
        }
    }
    Record {
        id: entity.id.to_string(),
        given_name: given,
        surname,
        birth_date: first(entity, "birthDate").to_owned(),
        ..Record::default()
    }
}

/// The identifier that makes two entities of a schema the same thing, if the schema has one.
fn identifier_property(schema: Schema) -> Option<&'static str> {
    match schema {
        Schema::Vehicle | Schema::Company => Some("registrationNumber"),
        Schema::Phone => Some("number"),
        Schema::BankAccount => Some("iban"),
        Schema::CryptoWallet => Some("publicKey"),
        _ => None,
    }
}

/// The French reading of one agreeing field, or `None` when it does not agree.
fn agreement(field: Field, level: u8) -> Option<String> {
    let label = match field {
        Field::Given => "Prénom",
        Field::Surname => "Nom",
        Field::Birth => "Date de naissance",
        _ => return None,
    };
    let how = match (field, level) {
        (_, 1) => "identique",
        (Field::Given, 2) => "inversé avec le nom",
        (Field::Given, 3) | (Field::Surname, 2) => "très proche",
        (Field::Birth, 2) => "compatible (date partielle)",
        (Field::Birth, 3) => "une faute de frappe",
        (Field::Birth, 4) => "jour et mois inversés",
        _ => return None,
    };
    Some(format!("{label} : {how}"))
}

/// Why `candidate` may be `entity` again, or `None` when it does not look like it.
fn suggestion_reasons(entity: &Entity, candidate: &Entity) -> Option<(Vec<String>, bool)> {
    if let Some(property) = identifier_property(entity.schema) {
        let shared = entity
            .properties
            .get(property)
            .into_iter()
            .flatten()
            .find(|value| {
                candidate
                    .properties
                    .get(property)
                    .is_some_and(|values| values.contains(value))
            })?;
        return Some((vec![format!("Même identifiant : {shared}")], true));
    }
    if entity.schema != Schema::Person {
        // Other schemas have only a name: the same name, folded, is worth a look.
        let name = fold(first(entity, "name"));
        return (!name.is_empty() && name == fold(first(candidate, "name")))
            .then(|| (vec!["Nom : identique".to_owned()], false));
    }
    let (a, _) = Prepared::new(&person_record(entity));
    let (b, _) = Prepared::new(&person_record(candidate));
    let levels = compare(&a, &b);
    let [given, surname, birth, ..] = levels;
    let names_agree = matches!(surname, 1 | 2) && matches!(given, 1..=3);
    let birth_agrees = matches!(birth, 1..=4);
    if !names_agree || birth >= 5 {
        return None;
    }
    let reasons = [
        (Field::Surname, surname),
        (Field::Given, given),
        (Field::Birth, birth),
    ]
    .into_iter()
    .filter_map(|(field, level)| agreement(field, level))
    .collect();
    Some((reasons, birth_agrees))
}

/// The records merged into a consulted entity: what its page says of each merge, and the records
/// still merged, with their links, that the actor may see.
pub(crate) struct MergedRecords {
    pub views: Vec<MergeView>,
    pub records: Vec<Arc<Neighbourhood>>,
}

/// What hangs off a consulted entity, read from the store at once: the merges routed to it, its
/// own merge (active or undone), and the records of its facts (not yet filtered for the reader).
pub(crate) struct Overlays {
    pub merges_into: Vec<MergeRecord>,
    pub own_merge: Option<MergeRecord>,
    pub facts: Vec<WorkflowRecord>,
}

/// What the store's search is asked to find candidates: an identifier in full (compact, as the
/// search key holds it); for a name, the first four letters of its longest word, so that
/// "Dupont" finds "Dupond"; for a person, of the given name too, so that a swapped given name and
/// surname are found.
fn candidate_terms(entity: &Entity) -> Vec<String> {
    let prefix = |text: &str| -> Option<String> {
        let folded = fold(text);
        let word = folded.split(' ').max_by_key(|word| word.len())?;
        let prefix: String = word.chars().take(4).collect();
        (prefix.chars().count() >= 2).then_some(prefix)
    };
    match identifier_property(entity.schema) {
        Some(property) => {
            let compact: String = first(entity, property)
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .collect();
            (!compact.is_empty())
                .then_some(compact)
                .into_iter()
                .collect()
        }
        None if entity.schema == Schema::Person => {
            let record = person_record(entity);
            let mut terms: Vec<String> = [prefix(&record.surname), prefix(&record.given_name)]
                .into_iter()
                .flatten()
                .collect();
            terms.dedup();
            terms
        }
        None => prefix(first(entity, "name")).into_iter().collect(),
    }
}

impl Engine {
    /// The records merged into `kept`, then into those, a few levels down. A record the actor may
    /// not consult is left out with what was merged into it: it is not even named.
    /// `into_kept` are the merges routed to `kept`, already read with its other overlays.
    pub(crate) async fn merged_records(
        &self,
        actor: &Actor,
        kept: &Entity,
        into_kept: Vec<MergeRecord>,
    ) -> EngineResult<MergedRecords> {
        let mut merged = MergedRecords {
            views: Vec::new(),
            records: Vec::new(),
        };
        let mut frontier = vec![(kept.id, 0, Some(into_kept))];
        while let Some((id, depth, known)) = frontier.pop() {
            if depth >= MAX_MERGE_DEPTH {
                continue;
            }
            let merges = match known {
                Some(merges) => merges,
                None => self.merges_into(id).await?,
            };
            for merge in merges {
                if merged.views.len() >= MAX_MERGED {
                    break;
                }
                let Some(found) = self
                    .inner
                    .store
                    .entity_with_neighbours(merge.merged, crate::entities::MAX_LINKS_SHOWN)
                    .await?
                else {
                    continue;
                };
                if !decide(
                    &actor.subject(),
                    Action::ConsultEntity,
                    Some(marks(&found.entity)),
                )
                .is_allowed()
                {
                    continue;
                }
                let active = merge.active();
                merged.views.push(MergeView {
                    entity: EntitySummary::of(&found.entity),
                    kept: merge.kept,
                    active,
                    history: merge.history,
                });
                if active {
                    frontier.push((merge.merged, depth + 1, None));
                    merged.records.push(found);
                }
            }
        }
        Ok(merged)
    }

    /// An entity the actor may merge or unmerge; `NotFound` for one it may not see.
    async fn entity_to_merge(&self, actor: &Actor, id: EntityId) -> EngineResult<Entity> {
        let entity = self
            .inner
            .store
            .entity(id)
            .await?
            .ok_or(EngineError::NotFound)?;
        match decide(
            &actor.subject(),
            Action::MergeEntities,
            Some(marks(&entity)),
        ) {
            Decision::Deny(DenyReason::Role) => Err(EngineError::Forbidden),
            Decision::Deny(_) => Err(EngineError::NotFound),
            Decision::Allow | Decision::AllowWithMotif => Ok(entity),
        }
    }

    /// The merges routed to `id`, its own merge and its facts' records, in one read of the store.
    pub(crate) async fn overlays(&self, id: EntityId) -> EngineResult<Overlays> {
        let key = id.0.to_string();
        let mut overlays = Overlays {
            merges_into: Vec::new(),
            own_merge: None,
            facts: Vec::new(),
        };
        for record in self
            .inner
            .store
            .records_about(&[MERGE_KIND, crate::facts::FACT_KIND], &key)
            .await?
        {
            if record.kind == crate::facts::FACT_KIND {
                overlays.facts.push(record);
            } else if record.id == key {
                overlays.own_merge = Some(parse(&record)?);
            } else {
                overlays.merges_into.push(parse(&record)?);
            }
        }
        Ok(overlays)
    }

    /// The merge of `merged`, as stored (active or undone), with its body as read.
    pub(crate) async fn merge_of(
        &self,
        merged: EntityId,
    ) -> EngineResult<Option<(MergeRecord, String)>> {
        match self
            .inner
            .store
            .record(MERGE_KIND, &merged.0.to_string())
            .await?
        {
            Some(record) => Ok(Some((parse(&record)?, record.body))),
            None => Ok(None),
        }
    }

    /// The merges routed to `kept` (active and undone).
    pub(crate) async fn merges_into(&self, kept: EntityId) -> EngineResult<Vec<MergeRecord>> {
        self.records_in(MERGE_KIND, Some(kept.0.to_string()))
            .await?
            .iter()
            .map(parse)
            .collect()
    }

    /// Decides that `merged` describes the same thing as `kept`. Both must be entities of one
    /// schema the actor may merge; `kept` must not itself be merged into another (merge into the
    /// record kept at the top), and `merged` must not be merged already. Two analysts deciding at
    /// once on one record: one decision is kept, the other is told (`Conflict`).
    pub async fn merge_entities(
        &self,
        actor: &Actor,
        kept: EntityId,
        merged: EntityId,
        reason: &str,
        ctx: &RequestContext,
    ) -> EngineResult<()> {
        let reason = clean_reason(reason)?;
        if kept == merged {
            return Err(EngineError::invalid(
                "merged",
                "Une fiche ne peut pas être fusionnée avec elle-même",
            ));
        }
        let kept_entity = self.entity_to_merge(actor, kept).await?;
        let merged_entity = self.entity_to_merge(actor, merged).await?;
        if kept_entity.schema != merged_entity.schema {
            return Err(EngineError::invalid(
                "merged",
                format!(
                    "Seules deux fiches du même type se fusionnent : « {} » et « {} » diffèrent",
                    kept_entity.schema.label_fr(),
                    merged_entity.schema.label_fr()
                ),
            ));
        }
        if self
            .merge_of(kept)
            .await?
            .is_some_and(|(merge, _)| merge.active())
        {
            return Err(EngineError::invalid(
                "kept",
                "Cette fiche est elle-même fusionnée dans une autre : fusionnez dans la fiche retenue",
            ));
        }
        let existing = self.merge_of(merged).await?;
        if existing.as_ref().is_some_and(|(merge, _)| merge.active()) {
            return Err(EngineError::invalid(
                "merged",
                "Cette fiche est déjà fusionnée dans une autre : annulez d'abord cette fusion",
            ));
        }
        let at_micros = clock::micros(self.inner.clock.now());
        let (mut merge, read) = match existing {
            Some((merge, body)) => (merge, Some(body)),
            None => (
                MergeRecord {
                    kept,
                    merged,
                    history: Vec::new(),
                },
                None,
            ),
        };
        merge.kept = kept;
        merge.history.push(MergeEvent {
            merged: true,
            kept,
            by: actor.journal_ref(),
            unit: actor.unit.id,
            at_micros,
            reason,
        });
        let draft = self.draft(
            Some(actor),
            JournalAction::Modify,
            format!("entity:{merged}:merged-into:{kept}"),
            "",
            Outcome::Allow,
            ctx,
        );
        self.commit(WriteBatch {
            mutations: vec![Mutation::PutRecordIf {
                record: record_of(&merge, at_micros)?,
                read,
            }],
            journal: vec![draft],
        })
        .await?;
        Ok(())
    }

    /// Takes a merge back: the two records are apart again, the history keeps both decisions.
    pub async fn undo_merge(
        &self,
        actor: &Actor,
        merged: EntityId,
        reason: &str,
        ctx: &RequestContext,
    ) -> EngineResult<()> {
        let reason = clean_reason(reason)?;
        self.entity_to_merge(actor, merged).await?;
        let Some((mut merge, read)) = self.merge_of(merged).await? else {
            return Err(EngineError::invalid(
                "merged",
                "Cette fiche n'est fusionnée dans aucune autre",
            ));
        };
        if !merge.active() {
            return Err(EngineError::invalid(
                "merged",
                "Cette fiche n'est fusionnée dans aucune autre",
            ));
        }
        let kept = merge.kept;
        self.entity_to_merge(actor, kept).await?;
        let at_micros = clock::micros(self.inner.clock.now());
        merge.history.push(MergeEvent {
            merged: false,
            kept,
            by: actor.journal_ref(),
            unit: actor.unit.id,
            at_micros,
            reason,
        });
        let draft = self.draft(
            Some(actor),
            JournalAction::Modify,
            format!("entity:{merged}:unmerged-from:{kept}"),
            "",
            Outcome::Allow,
            ctx,
        );
        self.commit(WriteBatch {
            mutations: vec![Mutation::PutRecordIf {
                record: record_of(&merge, at_micros)?,
                read: Some(read),
            }],
            journal: vec![draft],
        })
        .await?;
        Ok(())
    }

    /// Possible duplicates of an entity among those the actor may merge: same identifier for
    /// identifier schemas; for people, the matching engine's field comparisons (names very close,
    /// birth dates compatible or absent). The search is journaled with the motif and the number
    /// found, before the answer.
    pub async fn merge_suggestions(
        &self,
        actor: &Actor,
        id: EntityId,
        motif: &str,
        ctx: &RequestContext,
    ) -> EngineResult<MergeSuggestions> {
        let Some(reach) = search_reach(actor.role(), Action::MergeEntities) else {
            return Err(EngineError::Forbidden);
        };
        let motif = crate::entities::clean_motif(motif)?;
        let entity = self.entity_to_merge(actor, id).await?;
        // The record this one is merged into, read once for every candidate.
        let kept_by = self
            .merge_of(entity.id)
            .await?
            .filter(|(merge, _)| merge.active())
            .map(|(merge, _)| merge.kept);
        let mut suggestions = Vec::new();
        let mut seen = std::collections::HashSet::from([entity.id]);
        for term in candidate_terms(&entity) {
            let query = EntityQuery {
                terms: vec![term],
                schema: Some(entity.schema),
                visibility: self.visibility(actor, reach),
                limit: 200,
            };
            let found = self.inner.store.search_entities(&query).await?;
            for candidate in &found {
                if !seen.insert(candidate.id)
                    || !decide(
                        &actor.subject(),
                        Action::MergeEntities,
                        Some(marks(candidate)),
                    )
                    .is_allowed()
                {
                    continue;
                }
                let Some((reasons, strong)) = suggestion_reasons(&entity, candidate) else {
                    continue;
                };
                // Already merged one way or the other: nothing to suggest.
                let into_entity = self
                    .merge_of(candidate.id)
                    .await?
                    .is_some_and(|(merge, _)| merge.active() && merge.kept == entity.id);
                if into_entity || kept_by == Some(candidate.id) {
                    continue;
                }
                suggestions.push(MergeSuggestion {
                    candidate: EntitySummary::of(candidate),
                    reasons,
                    strong,
                });
            }
        }
        suggestions.sort_by(|a, b| {
            b.strong
                .cmp(&a.strong)
                .then(b.reasons.len().cmp(&a.reasons.len()))
                .then(a.candidate.caption.cmp(&b.candidate.caption))
        });
        suggestions.truncate(MAX_MERGE_SUGGESTIONS);
        let draft = self.draft(
            Some(actor),
            JournalAction::Search,
            format!("merge-suggestions:{id}:{}", suggestions.len()),
            &motif,
            Outcome::Allow,
            ctx,
        );
        let journal_seq = self
            .journal_only(vec![draft])
            .await?
            .first()
            .copied()
            .unwrap_or_default();
        Ok(MergeSuggestions {
            suggestions,
            journal_seq,
        })
    }
}
