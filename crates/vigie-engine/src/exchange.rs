//! Importing entities and links from FollowTheMoney JSON lines, all or nothing.
//!
//! The file is read and checked by `vigie_intel::ftm_entities::read_ftm` (every fault with its
//! line); here the engine adds what needs the store and the policy: the importer may record
//! entities, the département and source given for the whole file are valid, and every link end that
//! names an entity already in Vigie names one the importer may link (a hidden entity and a missing
//! one get the same message). Then everything is written in one transaction with one journal entry
//! per entity and per link, owned by the importer's unit, under the regime given for the file.
//!
//! What it does not do: parse (vigie-intel), or merge imported entities with existing ones (a
//! duplicate is a new entity; merging is an analyst's decision).

use crate::auth::Actor;
use crate::entities::{is_departement_code, marks};
use crate::error::{EngineError, EngineResult};
use crate::{Engine, RequestContext};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;
use vigie_core::entity::{Entity, EntityId, FieldError, LegalRegime, Link, LinkId, Provenance};
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::policy::{decide, Action, Decision, DenyReason, ObjectMarks};
use vigie_intel::ftm_entities::{FtmBatch, LineError, LinkEnd};
use vigie_store::{Mutation, WriteBatch};

/// What holds for every entity and link of one imported file.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub regime: LegalRegime,
    /// The département the records are located in, when the whole file is about one.
    pub departement: Option<String>,
    /// Where the file comes from ("export Aleph du 12/11, PV 2026/118"); recorded as provenance.
    pub source: String,
}

/// What an import wrote.
#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    pub entities: usize,
    pub links: usize,
    /// Properties of the file Vigie does not model, left out, as ("Schema.property", count).
    pub ignored: BTreeMap<String, usize>,
    /// The Vigie id given to each entity of the file, by its id in the file.
    pub ids: BTreeMap<String, EntityId>,
}

/// The faults of a file as the engine reports them: `lines[N].field`, the message starting with
/// the line.
pub fn line_errors(errors: &[LineError]) -> EngineError {
    EngineError::Invalid(
        errors
            .iter()
            .map(|error| FieldError {
                field: if error.field.is_empty() {
                    format!("lines[{}]", error.line)
                } else {
                    format!("lines[{}].{}", error.line, error.field)
                },
                message: error.to_string(),
            })
            .collect(),
    )
}

impl Engine {
    /// Writes a checked FtM file as the actor's unit's records, in one transaction.
    pub async fn import_ftm(
        &self,
        actor: &Actor,
        batch: FtmBatch,
        options: &ImportOptions,
        ctx: &RequestContext,
    ) -> EngineResult<ImportReport> {
        match decide(&actor.subject(), Action::CreateEntity, None) {
            Decision::Allow | Decision::AllowWithMotif => {}
            Decision::Deny(_) => return Err(EngineError::Forbidden),
        }
        let source: String = options.source.trim().chars().take(300).collect();
        let mut errors = Vec::new();
        if source.chars().count() < 3 {
            errors.push(FieldError {
                field: "source".to_owned(),
                message: "Indiquez la provenance du fichier (au moins 3 caractères)".to_owned(),
            });
        }
        let departement = options
            .departement
            .as_deref()
            .map(|code| code.trim().to_uppercase())
            .filter(|code| !code.is_empty());
        if let Some(code) = &departement {
            if !is_departement_code(code) {
                errors.push(FieldError {
                    field: "departement".to_owned(),
                    message: format!("Code de département inconnu « {code} »"),
                });
            }
        }
        if batch.entities.is_empty() && batch.links.is_empty() {
            errors.push(FieldError {
                field: "lines".to_owned(),
                message: "Le fichier ne contient aucune entité ni aucun lien".to_owned(),
            });
        }
        if !errors.is_empty() {
            return Err(EngineError::Invalid(errors));
        }

        // New records belong to the importer's unit: may it link its own records?
        let own = ObjectMarks {
            owner_unit: actor.unit.id,
            departement: departement.as_deref(),
            regime: options.regime,
        };
        if !batch.links.is_empty()
            && decide(&actor.subject(), Action::CreateLink, Some(own))
                == Decision::Deny(DenyReason::Role)
        {
            return Err(EngineError::Forbidden);
        }

        let now = self.inner.clock.now();
        let provenance = Provenance {
            recorded_by: actor.account.id,
            unit: actor.unit.id,
            source,
            recorded_at: now,
        };
        let mut report = ImportReport {
            ignored: batch.ignored.clone(),
            ..Default::default()
        };
        let mut mutations = Vec::with_capacity(batch.entities.len() + batch.links.len());
        let mut journal = Vec::with_capacity(batch.entities.len() + batch.links.len());
        for draft in &batch.entities {
            let entity = Entity {
                id: EntityId(Uuid::new_v4()),
                schema: draft.schema,
                properties: draft.properties.clone(),
                owner_unit: actor.unit.id,
                departement: departement.clone(),
                regime: options.regime,
                provenance: provenance.clone(),
                version: 1,
            };
            report.ids.insert(draft.key.clone(), entity.id);
            journal.push(self.draft(
                Some(actor),
                JournalAction::Collect,
                format!("entity:{}", entity.id),
                "",
                Outcome::Allow,
                ctx,
            ));
            mutations.push(Mutation::InsertEntity(entity));
        }

        // Existing entities named by links: each read once, each checked against the policy.
        let mut existing: HashMap<EntityId, Option<Entity>> = HashMap::new();
        let mut line_faults = Vec::new();
        for link in &batch.links {
            for end in [&link.source, &link.target] {
                if let LinkEnd::Existing(id) = end {
                    if !existing.contains_key(id) {
                        let found = self.inner.store.entity(*id).await?.filter(|entity| {
                            decide(&actor.subject(), Action::CreateLink, Some(marks(entity)))
                                .is_allowed()
                        });
                        existing.insert(*id, found);
                    }
                }
            }
        }
        for link in &batch.links {
            let mut ends = Vec::with_capacity(2);
            for end in [&link.source, &link.target] {
                let resolved = match end {
                    LinkEnd::InFile(key) => report
                        .ids
                        .get(key)
                        .map(|id| (*id, departement.clone(), options.regime)),
                    LinkEnd::Existing(id) => existing
                        .get(id)
                        .and_then(Option::as_ref)
                        .map(|e| (e.id, e.departement.clone(), e.regime)),
                };
                match resolved {
                    Some(resolved) => ends.push(resolved),
                    None => line_faults.push(LineError {
                        line: link.line,
                        field: "properties".to_owned(),
                        message: match end {
                            LinkEnd::InFile(key) => format!("entité « {key} » absente du fichier"),
                            LinkEnd::Existing(id) => {
                                format!("entité {} inconnue ou inaccessible", id.0)
                            }
                        },
                    }),
                }
            }
            let [(source, source_departement, source_regime), (target, _, target_regime)] =
                ends.as_slice()
            else {
                continue;
            };
            let record = Link {
                id: LinkId(Uuid::new_v4()),
                kind: link.kind,
                source: *source,
                target: *target,
                start: link.start,
                end: link.end,
                owner_unit: actor.unit.id,
                departement: source_departement.clone(),
                // The stricter of the two ends' regimes, as for a link recorded by hand.
                regime: (*source_regime).max(*target_regime),
                provenance: provenance.clone(),
            };
            journal.push(self.draft(
                Some(actor),
                JournalAction::Collect,
                format!("link:{}", record.id),
                "",
                Outcome::Allow,
                ctx,
            ));
            mutations.push(Mutation::InsertLink(record));
        }
        if !line_faults.is_empty() {
            return Err(line_errors(&line_faults));
        }
        report.entities = batch.entities.len();
        report.links = batch.links.len();
        self.commit(WriteBatch { mutations, journal }).await?;
        Ok(report)
    }
}
