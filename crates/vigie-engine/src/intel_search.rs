//! Searching the intelligence repository: French full text, filters and facets, within what the
//! reader may see, with a motif, journaled.
//!
//! The index (`vigie_search::IntelIndex`) is a cache of the store held by this node. Before every
//! search it takes in the items changed since it last looked (the store's change sequence), so a
//! node sees its own writes and other nodes' writes alike; on first use it is built from scratch.
//! The change sequence is taken under the journal head's lock on PostgreSQL and by the single writer
//! on SQLite, so numbers appear in commit order and none is skipped.
//!
//! The reader's scope (`vigie_core::policy::search_scope`, which a test holds equal to `decide`)
//! goes into the index query itself, so the total and the facet counts cover only what the reader
//! may see. The hits of the page are then re-read from the store and checked again (policy and
//! handling gate) before they are shown. The journal entry (motif, number of results, never the
//! terms) is written durably before the answer.

use crate::auth::Actor;
use crate::entities::clean_motif;
use crate::error::{EngineError, EngineResult};
use crate::intel::parse;
use crate::{Engine, RequestContext};
use std::collections::BTreeMap;
use std::sync::Arc;
use vigie_core::entity::{FieldError, LegalRegime};
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::org::UnitId;
use vigie_core::policy::{search_scope, Action};
use vigie_intel::csv_entities;
use vigie_intel::{Grade, IntelItem, SourceKind};
use vigie_search::{Excerpt, SearchRequest};
use vigie_store::IntelQuery;

/// Items read from the store per page while the index catches up.
const CATCH_UP_PAGE: u32 = 5_000;
/// Longest query text, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Deepest page start: beyond it, paging costs grow and a user should narrow the search.
pub const MAX_OFFSET: usize = 10_000;
/// Length of a hit's excerpt, in characters.
const EXCERPT_CHARS: usize = 240;

/// One value of a facet, with its label in French and how many matching items have it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: u64,
}

/// One hit as the reader sees it.
#[derive(Clone, Debug)]
pub struct IntelHit {
    pub item: IntelItem,
    pub owner_name: String,
    pub excerpt: Excerpt,
}

/// What a search shows: the total and facets within the reader's scope, and one page of hits.
#[derive(Clone, Debug)]
pub struct IntelSearchView {
    pub total: usize,
    pub hits: Vec<IntelHit>,
    /// For each facet name of `vigie_search::FACETS`, its values, most frequent first.
    pub facets: BTreeMap<&'static str, Vec<FacetValue>>,
    pub journal_seq: u64,
}

impl Engine {
    /// Brings this node's index up to date with the store: every item changed since the last
    /// call is (re)indexed, then made searchable in one commit.
    pub async fn refresh_intel_index(&self) -> EngineResult<()> {
        let _one_at_a_time = self.inner.intel_index_sync.lock().await;
        let index = Arc::clone(&self.inner.intel_index);
        let mut applied = index.applied();
        let mut changed = false;
        loop {
            let records = self
                .inner
                .store
                .intel_items(&IntelQuery {
                    changed_after: Some(applied),
                    limit: CATCH_UP_PAGE,
                    ..IntelQuery::default()
                })
                .await?;
            let Some(last) = records.last() else { break };
            applied = applied.max(last.changed);
            let items = records
                .iter()
                .map(parse)
                .collect::<EngineResult<Vec<_>>>()?;
            let index = Arc::clone(&index);
            off_runtime(move || index.upsert(&items)).await?;
            changed = true;
            if records.len() < CATCH_UP_PAGE as usize {
                break;
            }
        }
        if changed {
            let index = Arc::clone(&index);
            off_runtime(move || index.commit(applied)).await?;
        }
        Ok(())
    }

    /// Searches the items the actor may read. Needs a motif; journaled before the answer.
    pub async fn search_intel(
        &self,
        actor: &Actor,
        request: &SearchRequest,
        motif: &str,
        ctx: &RequestContext,
    ) -> EngineResult<IntelSearchView> {
        let Some(scope) = search_scope(&actor.subject(), Action::ConsultIntel) else {
            return Err(EngineError::Forbidden);
        };
        let motif = clean_motif(motif)?;
        let mut errors = Vec::new();
        if request.query.chars().count() > MAX_QUERY_CHARS {
            errors.push(FieldError {
                field: "query".to_owned(),
                message: format!("Recherche trop longue (au plus {MAX_QUERY_CHARS} caractères)"),
            });
        }
        if !(1..=vigie_search::MAX_LIMIT).contains(&request.limit) {
            errors.push(FieldError {
                field: "limit".to_owned(),
                message: format!("Entre 1 et {} résultats par page", vigie_search::MAX_LIMIT),
            });
        }
        if request.offset > MAX_OFFSET {
            errors.push(FieldError {
                field: "offset".to_owned(),
                message: format!(
                    "Au-delà des {MAX_OFFSET} premiers résultats, affinez la recherche"
                ),
            });
        }
        if let (Some(from), Some(to)) = (request.filters.observed_from, request.filters.observed_to)
        {
            if from > to {
                errors.push(FieldError {
                    field: "filters.observed_to".to_owned(),
                    message: "La fin de la période précède son début".to_owned(),
                });
            }
        }
        if !errors.is_empty() {
            return Err(EngineError::Invalid(errors));
        }
        self.refresh_intel_index().await?;
        let index = Arc::clone(&self.inner.intel_index);
        let (found, request) = {
            let request = request.clone();
            off_runtime(move || index.search(&request, &scope).map(|found| (found, request)))
                .await?
        };
        let ids: Vec<_> = found.hits.iter().map(|hit| hit.id).collect();
        let items = self.readable_items(actor, &ids).await?;
        let mut units: Vec<UnitId> = items.iter().map(|item| item.owner_unit).collect();
        let facet_units = found.facets.get("unit").into_iter().flatten();
        units.extend(facet_units.filter_map(|(value, _)| value.parse().ok().map(UnitId)));
        units.sort();
        units.dedup();
        let names = self.unit_names(units).await?;
        let unit_name = |unit: &UnitId| {
            names
                .get(unit)
                .map(|unit| unit.name.clone())
                .unwrap_or_else(|| "Service inconnu".to_owned())
        };
        let mut hits = Vec::with_capacity(items.len());
        for item in items {
            let excerpt = self
                .inner
                .intel_index
                .excerpt(&request, &item.text, EXCERPT_CHARS)
                .map_err(search_error)?;
            hits.push(IntelHit {
                owner_name: unit_name(&item.owner_unit),
                excerpt,
                item,
            });
        }
        let facets = found
            .facets
            .iter()
            .map(|(name, counts)| {
                let values = counts
                    .iter()
                    .map(|(value, count)| FacetValue {
                        label: self.facet_label(name, value, &unit_name),
                        value: value.clone(),
                        count: *count,
                    })
                    .collect();
                (*name, values)
            })
            .collect();
        let seqs = self
            .journal_only(vec![self.draft(
                Some(actor),
                JournalAction::Search,
                format!("intel-search:{}", found.total),
                &motif,
                Outcome::Allow,
                ctx,
            )])
            .await?;
        Ok(IntelSearchView {
            total: found.total,
            hits,
            facets,
            journal_seq: seqs.first().copied().unwrap_or_default(),
        })
    }

    fn facet_label(
        &self,
        facet: &str,
        value: &str,
        unit_name: &dyn Fn(&UnitId) -> String,
    ) -> String {
        match facet {
            "departement" if value == vigie_search::NO_DEPARTEMENT => "Sans département".to_owned(),
            "departement" => {
                let atlas = self.inner.geography.atlas();
                atlas
                    .departement_index(value)
                    .and_then(|at| atlas.departements.get(at))
                    .map_or_else(|| value.to_owned(), |d| format!("{} ({value})", d.name))
            }
            "source" => SourceKind::key_label_fr(value).unwrap_or_else(|| value.to_owned()),
            "grade" => Grade::from_key(value).map_or_else(|| value.to_owned(), Grade::display_fr),
            "unit" => value
                .parse()
                .map(|id| unit_name(&UnitId(id)))
                .unwrap_or_else(|_| value.to_owned()),
            "regime" => LegalRegime::parse(value)
                .map_or_else(|| value.to_owned(), |regime| regime.label_fr().to_owned()),
            _ => value.to_owned(),
        }
    }
}

/// Runs index work on a blocking thread: tantivy computes and locks without yielding.
pub(crate) async fn off_runtime<T, F>(work: F) -> EngineResult<T>
where
    F: FnOnce() -> Result<T, vigie_search::SearchError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| EngineError::Internal(error.to_string()))?
        .map_err(search_error)
}

fn search_error(error: vigie_search::SearchError) -> EngineError {
    EngineError::Internal(format!("intel index: {error}"))
}

impl Engine {
    /// The items of `ids` as stored now, those the actor may still read (policy and handling
    /// codes), in order: the index admitted them; this checks them again from the record.
    async fn readable_items(
        &self,
        actor: &Actor,
        ids: &[vigie_intel::ItemId],
    ) -> EngineResult<Vec<IntelItem>> {
        let mut items = Vec::with_capacity(ids.len());
        for &id in ids {
            if let Some(record) = self.inner.store.intel_item(id).await? {
                let item = parse(&record)?;
                if self.may_read_intel(actor, &record, &item).is_allowed() {
                    items.push(item);
                }
            }
        }
        Ok(items)
    }
}

/// Most items one export may hold; a larger result set is refused (narrow the search).
pub const MAX_EXPORT: usize = 10_000;

/// What an export is for: its handling-code gate follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportPurpose {
    /// Into a judicial file: items under H1 go only with their owner's recorded permission.
    JudicialFile,
    /// To another unit: items under H2 go only where their owner permitted the share.
    Share { to_unit: UnitId },
}

/// An export: FollowTheMoney JSON lines of the items that may go, and the ones held back, why.
#[derive(Clone, Debug)]
pub struct IntelExport {
    /// One FtM `Note` entity per line.
    pub lines: Vec<String>,
    /// Items that matched but that their handling codes keep back, with the reason in French.
    pub withheld: Vec<(vigie_intel::ItemId, String)>,
}

/// An export as CSV: the file, how many items it holds, and the ones held back, why.
#[derive(Clone, Debug)]
pub struct IntelCsvExport {
    /// The file (see `vigie_intel::csv_entities::write_items_csv`): a header, one row per item.
    pub csv: String,
    pub exported: usize,
    /// Items that matched but that their handling codes keep back, with the reason in French.
    pub withheld: Vec<(vigie_intel::ItemId, String)>,
}

/// The items of a search that may leave for a purpose, checked and named, before they are written.
struct GatedExport {
    /// The cleaned motif, for the journal.
    motif: String,
    /// "exportation vers une procédure judiciaire", "exportation pour diffusion".
    purpose_fr: &'static str,
    /// The items that may go, with their owner's name.
    items: Vec<(IntelItem, String)>,
    withheld: Vec<(vigie_intel::ItemId, String)>,
}

impl Engine {
    /// Exports the items of a search the actor may read, as FtM JSON lines, keeping back those
    /// whose handling codes forbid `purpose`. Each exported item is journaled (a consultation with
    /// the motif), with the export itself, before the lines are returned.
    pub async fn export_intel(
        &self,
        actor: &Actor,
        request: &SearchRequest,
        motif: &str,
        purpose: ExportPurpose,
        ctx: &RequestContext,
    ) -> EngineResult<IntelExport> {
        let gated = self.gated_export(actor, request, motif, purpose).await?;
        let mut lines = Vec::with_capacity(gated.items.len());
        for (item, owner) in &gated.items {
            let line = serde_json::to_string(&vigie_intel::ftm::item_to_ftm(item, owner))
                .map_err(|error| EngineError::Internal(error.to_string()))?;
            lines.push(line);
        }
        self.journal_export(actor, &gated, "intel-export", ctx)
            .await?;
        Ok(IntelExport {
            lines,
            withheld: gated.withheld,
        })
    }

    /// Exports the items of a search the actor may read as CSV, with a mapping of item fields to
    /// columns ("text=TEXTE,...", see `vigie_intel::csv_entities::ITEM_FIELDS`), under exactly the
    /// gates of [`Engine::export_intel`]: items whose handling codes forbid `purpose` are held back
    /// and counted, a human source's code is never written, and each exported item is journaled
    /// with the motif before the file is returned. A mapping that cannot be used is `Invalid` on
    /// field `mapping`, every fault named, before anything is searched.
    pub async fn export_intel_csv(
        &self,
        actor: &Actor,
        request: &SearchRequest,
        mapping: &str,
        motif: &str,
        purpose: ExportPurpose,
        ctx: &RequestContext,
    ) -> EngineResult<IntelCsvExport> {
        let mapping_fault = |messages: Vec<String>| {
            EngineError::Invalid(
                messages
                    .into_iter()
                    .map(|message| FieldError {
                        field: "mapping".to_owned(),
                        message: format!("Correspondance des colonnes : {message}"),
                    })
                    .collect(),
            )
        };
        let mapping =
            csv_entities::parse_mapping(mapping).map_err(|message| mapping_fault(vec![message]))?;
        csv_entities::check_item_mapping(&mapping).map_err(mapping_fault)?;
        let gated = self.gated_export(actor, request, motif, purpose).await?;
        let communes: Vec<Option<String>> = gated
            .items
            .iter()
            .map(|(item, _)| {
                let location = self.inner.geography.commune(item.commune.as_deref()?)?;
                Some(
                    location
                        .arrondissement
                        .map_or(location.commune.nom, |arrondissement| arrondissement.nom),
                )
            })
            .collect();
        let rows = gated
            .items
            .iter()
            .zip(&communes)
            .map(|((item, owner), commune)| csv_entities::ItemRow {
                item,
                owner_name: owner,
                commune_name: commune.as_deref(),
            });
        let csv = csv_entities::write_items_csv(&mapping, rows)
            .map_err(|faults| EngineError::Internal(faults.join("; ")))?;
        self.journal_export(actor, &gated, "intel-export-csv", ctx)
            .await?;
        Ok(IntelCsvExport {
            csv,
            exported: gated.items.len(),
            withheld: gated.withheld,
        })
    }

    /// The items of the search the actor may read, those whose handling codes allow `purpose`
    /// apart from the others (with the reason). Nothing is journaled yet.
    async fn gated_export(
        &self,
        actor: &Actor,
        request: &SearchRequest,
        motif: &str,
        purpose: ExportPurpose,
    ) -> EngineResult<GatedExport> {
        let Some(scope) = search_scope(&actor.subject(), Action::ConsultIntel) else {
            return Err(EngineError::Forbidden);
        };
        let motif = clean_motif(motif)?;
        if let ExportPurpose::Share { to_unit } = purpose {
            if self.inner.store.unit(to_unit).await?.is_none() {
                return Err(EngineError::Invalid(vec![FieldError {
                    field: "to_unit".to_owned(),
                    message: "Service destinataire inconnu".to_owned(),
                }]));
            }
        }
        self.refresh_intel_index().await?;
        let index = Arc::clone(&self.inner.intel_index);
        let (total, ids) = {
            let request = request.clone();
            off_runtime(move || index.matching_ids(&request, &scope, MAX_EXPORT)).await?
        };
        if total > MAX_EXPORT {
            return Err(EngineError::Invalid(vec![FieldError {
                field: "query".to_owned(),
                message: format!(
                    "{total} éléments correspondent : une exportation en contient au plus \
                     {MAX_EXPORT}, affinez la recherche"
                ),
            }]));
        }
        let items = self.readable_items(actor, &ids).await?;
        let owners: Vec<UnitId> = items.iter().map(|item| item.owner_unit).collect();
        let names = self.unit_names(owners).await?;
        let mut gated = GatedExport {
            motif,
            purpose_fr: match purpose {
                ExportPurpose::JudicialFile => "exportation vers une procédure judiciaire",
                ExportPurpose::Share { .. } => "exportation pour diffusion",
            },
            items: Vec::with_capacity(items.len()),
            withheld: Vec::new(),
        };
        for item in items {
            let gate = match purpose {
                ExportPurpose::JudicialFile => item.gate(vigie_intel::Gate::JudicialUse, None),
                ExportPurpose::Share { to_unit } => {
                    item.gate(vigie_intel::Gate::OnwardSharing, Some(to_unit))
                }
            };
            if let Err(refusal) = gate {
                gated.withheld.push((item.id, refusal.message));
                continue;
            }
            let owner = names
                .get(&item.owner_unit)
                .map(|unit| unit.name.clone())
                .unwrap_or_default();
            gated.items.push((item, owner));
        }
        Ok(gated)
    }

    /// One consultation per exported item (the purpose and the motif), then the export itself
    /// (`{object}:{count}`), durably, before the export is handed over.
    async fn journal_export(
        &self,
        actor: &Actor,
        gated: &GatedExport,
        object: &str,
        ctx: &RequestContext,
    ) -> EngineResult<()> {
        let item_motif = format!("{} : {}", gated.purpose_fr, gated.motif);
        let mut journal: Vec<_> = gated
            .items
            .iter()
            .map(|(item, _)| {
                self.draft(
                    Some(actor),
                    JournalAction::Consult,
                    format!("intel:{}", item.id),
                    &item_motif,
                    Outcome::Allow,
                    ctx,
                )
            })
            .collect();
        journal.push(self.draft(
            Some(actor),
            JournalAction::Search,
            format!("{object}:{}", gated.items.len()),
            &gated.motif,
            Outcome::Allow,
            ctx,
        ));
        self.journal_only(journal).await?;
        Ok(())
    }
}
