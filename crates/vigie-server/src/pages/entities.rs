//! `/recherche` and `/entites/{id}`: searching entities and consulting one, each with a motif.
//!
//! Search terms and motifs travel in POST bodies only. `GET /entites/{id}` shows the motif form and
//! nothing else, whatever the id: it does not look the entity up, so it cannot reveal whether it
//! exists. The entity is shown only in answer to the POST, once the engine has journaled the
//! consultation; a hidden entity and a missing one both give the same 404 page.

use super::entity_facts::{self as facts, FactFormData};
use super::format::{self, NONE};
use super::session::{PageForm, PageSession, SameOrigin};
use super::view::{
    Choice, EntityIntel, EntityIntelRow, EntityMotifPage, EntityPage, Field, LinkRow, MergedInto,
    ResultRow, SearchForm, SearchOutcome, SearchPage, SelectField, TimelineEntry,
};
use super::{render, ErrorKind, PageResult};
use crate::extract::Ctx;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use std::collections::HashMap;
use time::Date;
use vigie_core::entity::{EntityId, FieldError, LinkKind, Schema};
use vigie_core::org::UnitId;
use vigie_core::policy::Action;
use vigie_engine::{
    EngineError, EntityView, IntelSearchView, MergeSuggestions, RequestContext, SearchRequest,
    ValueSource,
};
use vigie_intel::fact::FactBasis;
use vigie_search::{Filters, Sort};

const SEARCH_MOTIF_REQUIRED: &str = "Indiquez le motif de la recherche (au moins 3 caractères)";
const CONSULT_MOTIF_REQUIRED: &str = "Indiquez le motif de la consultation (au moins 3 caractères)";
const SEARCH_LIMIT: u32 = 50;
/// Intelligence items about the entity shown on its page (the most recently observed).
const INTEL_ABOUT_LIMIT: usize = 20;
/// Characters of an item's text shown in the entity page's table.
const INTEL_SUMMARY_CHARS: usize = 200;

fn motif_is_long_enough(motif: &str) -> bool {
    motif.trim().chars().count() >= 3
}

/// The search form's fields, filled with what the user typed.
pub fn search_form_fields(text: &str, schema: &str, motif: &str) -> SearchForm {
    let mut options = vec![(String::new(), "Tous les types".to_owned())];
    options.extend(
        Schema::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), s.label_fr().to_owned())),
    );
    SearchForm {
        text: Field::text("texte", "texte", "Termes recherchés")
            .hint("Nom, surnom, immatriculation, numéro de téléphone, IBAN…")
            .value(text)
            .required(),
        schema: SelectField::new("type", "type", "Type d'entité", options, schema),
        motif: Field::text("motif", "motif", "Motif de la recherche")
            .hint("Obligatoire : la procédure, l'affaire ou la mission qui justifie la recherche. Il est enregistré au journal.")
            .value(motif)
            .required(),
        has_errors: false,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchFormData {
    pub csrf: String,
    pub texte: String,
    #[serde(rename = "type")]
    pub schema: String,
    pub motif: String,
}

/// `GET /recherche`: the empty search form.
pub async fn search_form(session: PageSession) -> PageResult {
    session.require(Action::SearchEntities)?;
    let page = SearchPage {
        layout: session.layout("Recherche", "/recherche"),
        search: search_form_fields("", "", ""),
        csrf: session.csrf.clone(),
        outcome: None,
    };
    Ok(render(StatusCode::OK, &page))
}

fn apply_field_errors(form: &mut SearchForm, details: &[FieldError]) {
    for detail in details {
        let slot = match detail.field.as_str() {
            "motif" => &mut form.motif.error,
            "schema" | "type" => &mut form.schema.error,
            _ => &mut form.text.error,
        };
        *slot = Some(detail.message.clone());
    }
    form.has_errors = true;
}

/// `POST /recherche`: runs the search (journaled with its motif) and shows the results.
pub async fn search(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    PageForm(data): PageForm<SearchFormData>,
) -> PageResult {
    session.check_csrf(&data.csrf)?;
    session.require(Action::SearchEntities)?;
    let mut form = search_form_fields(&data.texte, &data.schema, &data.motif);
    let mut errors = Vec::new();
    let schema = match data.schema.as_str() {
        "" => None,
        name => {
            let parsed = Schema::parse(name);
            if parsed.is_none() {
                errors.push(FieldError {
                    field: "schema".to_owned(),
                    message: "Type d'entité inconnu".to_owned(),
                });
            }
            parsed
        }
    };
    if data.texte.trim().is_empty() {
        errors.push(FieldError {
            field: "text".to_owned(),
            message: "Saisissez au moins un mot à rechercher".to_owned(),
        });
    }
    if !motif_is_long_enough(&data.motif) {
        errors.push(FieldError {
            field: "motif".to_owned(),
            message: SEARCH_MOTIF_REQUIRED.to_owned(),
        });
    }
    let page = |form: SearchForm, outcome: Option<SearchOutcome>| SearchPage {
        layout: session.layout("Recherche", "/recherche"),
        search: form,
        csrf: session.csrf.clone(),
        outcome,
    };
    if !errors.is_empty() {
        apply_field_errors(&mut form, &errors);
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page(form, None)));
    }
    let request = SearchRequest {
        text: data.texte.clone(),
        schema,
        motif: data.motif.clone(),
        limit: SEARCH_LIMIT,
    };
    match state
        .engine
        .search_entities(&session.actor, &request, &ctx)
        .await
    {
        Ok(results) => {
            let rows = results
                .hits
                .iter()
                .map(|hit| ResultRow {
                    href: format!("/entites/{}", hit.id),
                    schema: hit.schema.label_fr().to_owned(),
                    caption: hit.caption.clone(),
                    departement: format::departement(hit.departement.as_deref()),
                    regime: hit.regime.label_fr().to_owned(),
                })
                .collect();
            let truncated = results.hits.len() >= SEARCH_LIMIT as usize;
            let outcome = SearchOutcome {
                rows,
                journal_seq: results.journal_seq,
                truncated,
            };
            Ok(render(StatusCode::OK, &page(form, Some(outcome))))
        }
        Err(EngineError::MotifRequired) => {
            apply_field_errors(
                &mut form,
                &[FieldError {
                    field: "motif".to_owned(),
                    message: SEARCH_MOTIF_REQUIRED.to_owned(),
                }],
            );
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page(form, None)))
        }
        Err(EngineError::Invalid(details)) => {
            apply_field_errors(&mut form, &details);
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page(form, None)))
        }
        Err(error) => Err(session.fail(error)),
    }
}

pub(super) fn parse_entity_id(
    session: &PageSession,
    raw: &str,
) -> Result<EntityId, super::PageError> {
    EntityId::parse(raw).ok_or_else(|| session.fail(ErrorKind::NotFound))
}

fn motif_page(
    session: &PageSession,
    id: EntityId,
    motif: &str,
    error: Option<String>,
) -> EntityMotifPage {
    let mut field = Field::text("motif", "motif", "Motif de la consultation")
        .hint("Obligatoire : la procédure, l'affaire ou la mission qui justifie la consultation.")
        .value(motif)
        .required();
    field.error = error;
    EntityMotifPage {
        layout: session.layout("Consultation d'une fiche", ""),
        action: format!("/entites/{id}"),
        motif: field,
        csrf: session.csrf.clone(),
    }
}

/// `GET /entites/{id}`: asks for the motif. Looks nothing up: the page is the same for every id.
pub async fn motif_form(session: PageSession, Path(raw): Path<String>) -> PageResult {
    session.require(Action::ConsultEntity)?;
    let id = parse_entity_id(&session, &raw)?;
    Ok(render(StatusCode::OK, &motif_page(&session, id, "", None)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MotifFormData {
    pub csrf: String,
    pub motif: String,
}

/// `POST /entites/{id}`: consults the entity with the motif (journaled first) and shows it.
pub async fn consult(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(data): PageForm<MotifFormData>,
) -> PageResult {
    session.check_csrf(&data.csrf)?;
    session.require(Action::ConsultEntity)?;
    let id = parse_entity_id(&session, &raw)?;
    show_entity(
        &state,
        &ctx,
        &session,
        id,
        &data.motif,
        PageExtras::default(),
    )
    .await
}

/// What an entity page shows besides the entity: the outcome of the action just taken on it.
pub(super) struct PageExtras {
    pub status: StatusCode,
    pub notice: Option<String>,
    /// The « Ajouter une information » form as posted, with its errors.
    pub fact: Option<(FactFormData, Vec<FieldError>)>,
    pub merge_error: Option<String>,
}

impl Default for PageExtras {
    fn default() -> Self {
        Self {
            status: StatusCode::OK,
            notice: None,
            fact: None,
            merge_error: None,
        }
    }
}

/// Consults the entity with `motif` (journaled by the engine) and renders its page: the items
/// about it and, for an analyst, its possible duplicates, are looked up with the same motif.
pub(super) async fn show_entity(
    state: &AppState,
    ctx: &RequestContext,
    session: &PageSession,
    id: EntityId,
    motif: &str,
    extras: PageExtras,
) -> PageResult {
    // Checked before the engine is asked, so that the answer to a short motif is the same for every
    // id (the engine would only ask for a motif once it has found a visible entity).
    if !motif_is_long_enough(motif) {
        let page = motif_page(session, id, motif, Some(CONSULT_MOTIF_REQUIRED.to_owned()));
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    match state
        .engine
        .consult_entity(&session.actor, id, motif, ctx)
        .await
    {
        Ok(view) => {
            let units = match state.engine.units().await {
                Ok(units) => units
                    .into_iter()
                    .map(|unit| (unit.id, format!("{} ({})", unit.name, unit.code)))
                    .collect(),
                Err(error) => {
                    tracing::warn!(%error, "units unavailable for the entity page");
                    HashMap::new()
                }
            };
            // The items about the entity, with the same motif (the search is journaled), for a
            // role that may consult intelligence; the others get no such section.
            let intel = if session.may(Action::ConsultIntel) {
                let request = vigie_search::SearchRequest {
                    query: String::new(),
                    filters: Filters {
                        about: Some(id),
                        ..Filters::default()
                    },
                    sort: Sort::Recent,
                    limit: INTEL_ABOUT_LIMIT,
                    offset: 0,
                };
                let found = state
                    .engine
                    .search_intel(&session.actor, &request, motif, ctx)
                    .await;
                Some(found.map_err(|error| {
                    tracing::warn!(%error, "intelligence items unavailable for the entity page");
                    error
                }))
            } else {
                None
            };
            // Possible duplicates, for an analyst who may merge, unless this record is itself
            // merged into another (merges go into the record kept).
            let suggestions = if session.may(Action::MergeEntities) && view.merged_into.is_none() {
                let found = state
                    .engine
                    .merge_suggestions(&session.actor, id, motif, ctx)
                    .await;
                Some(found.map_err(|error| {
                    tracing::warn!(%error, "merge suggestions unavailable for the entity page");
                    error
                }))
            } else {
                None
            };
            let status = extras.status;
            let page = entity_page(
                session,
                &view,
                &units,
                motif.trim(),
                intel.as_ref(),
                suggestions.as_ref(),
                extras,
            );
            Ok(render(status, &page))
        }
        Err(EngineError::MotifRequired) => {
            let page = motif_page(session, id, motif, Some(CONSULT_MOTIF_REQUIRED.to_owned()));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(EngineError::Invalid(details)) => {
            let message = details
                .first()
                .map(|d| d.message.clone())
                .unwrap_or_else(|| CONSULT_MOTIF_REQUIRED.to_owned());
            let page = motif_page(session, id, motif, Some(message));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(error) => Err(session.fail(error)),
    }
}

fn entity_page(
    session: &PageSession,
    view: &EntityView,
    units: &HashMap<UnitId, String>,
    motif: &str,
    intel: Option<&Result<IntelSearchView, EngineError>>,
    suggestions: Option<&Result<MergeSuggestions, EngineError>>,
    extras: PageExtras,
) -> EntityPage {
    let unit_name = |unit: &UnitId| {
        units
            .get(unit)
            .cloned()
            .unwrap_or_else(|| format!("unité {unit}"))
    };
    let entity = &view.entity;
    let captions: HashMap<EntityId, String> = view
        .merges
        .iter()
        .map(|merge| (merge.entity.id, merge.entity.caption.clone()))
        .collect();
    let properties = facts::property_rows(entity.schema, &view.values, &captions, &unit_name);
    let divergences = properties
        .iter()
        .filter(|row| row.divergent)
        .map(|row| row.label.clone())
        .collect();
    let links = view
        .links
        .iter()
        .map(|link| LinkRow {
            kind: link.link.kind.label_fr().to_owned(),
            direction: if link.outgoing { "sortant" } else { "entrant" }.to_owned(),
            href: format!("/entites/{}", link.other.id),
            caption: link.other.caption.clone(),
            schema: link.other.schema.label_fr().to_owned(),
            departement: format::departement(link.other.departement.as_deref()),
            period: format::period(link.link.start, link.link.end),
            source: source_note(&link.link.provenance.source),
            recorded_unit: unit_name(&link.link.provenance.unit),
            grade: facts::link_grades(&link.bases),
            via: link.via.map(|via| {
                captions
                    .get(&via)
                    .cloned()
                    .unwrap_or_else(|| "fiche fusionnée".to_owned())
            }),
        })
        .collect();
    let provenance = &entity.provenance;
    let caption = entity.caption();
    let recorded_unit = unit_name(&provenance.unit);
    let items = match intel {
        Some(Ok(found)) => found.hits.iter().map(|hit| hit.item.clone()).collect(),
        _ => Vec::new(),
    };
    let (intel, intel_entries) = match intel.map(entity_intel) {
        Some((section, entries)) => (Some(section), entries),
        None => (None, Vec::new()),
    };
    let timeline = timeline(view, &recorded_unit, &unit_name, intel_entries);
    let follow = follow_label(&caption);
    let fact_form = session.may(Action::RecordFact).then(|| {
        let (data, errors) = extras.fact.unwrap_or_default();
        facts::fact_form(entity.schema, &items, &data, &errors)
    });
    let merges = facts::merge_section(view, suggestions, extras.merge_error, &unit_name, session);
    EntityPage {
        layout: session.layout(caption.clone(), ""),
        id: entity.id.to_string(),
        motif: motif.to_owned(),
        caption,
        schema: entity.schema.label_fr().to_owned(),
        properties,
        divergences,
        fact_form,
        merged_into: view.merged_into.as_ref().map(|kept| MergedInto {
            href: format!("/entites/{}", kept.id),
            caption: kept.caption.clone(),
        }),
        merges,
        notice: extras.notice,
        departement: format::departement(entity.departement.as_deref()),
        regime: entity.regime.label_fr().to_owned(),
        recorded_unit,
        recorded_at: format::paris_datetime(provenance.recorded_at),
        source: source_note(&provenance.source),
        links,
        journal_seq: view.journal_seq,
        link_kinds: LinkKind::ALL
            .iter()
            .map(|kind| Choice {
                value: kind.as_str(),
                label: kind.label_fr(),
            })
            .collect(),
        schemas: Schema::ALL
            .iter()
            .map(|schema| Choice {
                value: schema.as_str(),
                label: schema.label_fr(),
            })
            .collect(),
        cytoscape_version: vigie_assets::cytoscape_version(),
        timeline,
        intel,
        csrf: session.csrf.clone(),
        follow_label: follow,
    }
}

/// The « Suivre cette entité » form's name field, prefilled with the caption (a watch's name has 3
/// to 120 characters).
fn follow_label(caption: &str) -> Field {
    let mut name: String = caption.chars().take(120).collect();
    if name.trim().chars().count() < 3 {
        name = format!("Fiche {name}").trim().to_owned();
    }
    Field::text("libelle", "libelle", "Nom de la veille")
        .hint("Les nouveaux liens de cette fiche et les nouveaux éléments de renseignement qui la concernent vous seront signalés dans « Veilles ».")
        .value(name)
        .required()
}

/// A link seen from the consulted entity, in French: "Famille avec Jean DUPONT", "Utilise la ligne
/// +33…", or from the other side "Ligne utilisée par Jean DUPONT".
fn link_phrase(kind: LinkKind, outgoing: bool, other: &str) -> String {
    let lead = match (kind, outgoing) {
        (LinkKind::Associate, _) => "Relation avec",
        (LinkKind::Family, _) => "Famille avec",
        (LinkKind::Owner, true) => "Propriétaire ou utilisateur de",
        (LinkKind::Owner, false) => "Appartient à ou est utilisé par",
        (LinkKind::PhoneUser, true) => "Utilise la ligne",
        (LinkKind::PhoneUser, false) => "Ligne utilisée par",
        (LinkKind::Resident, true) => "Domicilié à",
        (LinkKind::Resident, false) => "Domicile de",
        (LinkKind::Director, true) => "Dirigeant de",
        (LinkKind::Director, false) => "Dirigée par",
        (LinkKind::Member, true) => "Membre de",
        (LinkKind::Member, false) => "Compte parmi ses membres",
        (LinkKind::Involved, true) => "Mis en cause dans",
        (LinkKind::Involved, false) => "Met en cause",
        (LinkKind::Operates, true) => "Tient le point de deal",
        (LinkKind::Operates, false) => "Tenu par",
        (LinkKind::Payment, true) => "Virement vers",
        (LinkKind::Payment, false) => "Virement reçu de",
    };
    format!("{lead} {other}")
}

/// A provenance's source note, or a dash.
pub(super) fn source_note(source: &str) -> String {
    if source.trim().is_empty() {
        NONE.to_owned()
    } else {
        source.trim().to_owned()
    }
}

/// The first characters of an item's text, on a word boundary, with an ellipsis if cut.
pub(super) fn summary(text: &str, max_chars: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max_chars {
        return text;
    }
    let cut: String = text.chars().take(max_chars).collect();
    let cut = match cut.rfind(' ') {
        Some(at) if at > max_chars / 2 => &cut[..at],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.', ' ']))
}

/// How many items the reader may see about the entity, as a sentence.
fn items_label(count: usize) -> String {
    match count {
        0 => "Aucun élément de renseignement accessible ne concerne cette entité.".to_owned(),
        1 => "1 élément de renseignement accessible concerne cette entité.".to_owned(),
        _ => format!("{count} éléments de renseignement accessibles concernent cette entité."),
    }
}

/// The items section, and the items' chronology entries with their days.
fn entity_intel(
    found: &Result<IntelSearchView, EngineError>,
) -> (EntityIntel, Vec<(Date, TimelineEntry)>) {
    let found = match found {
        Ok(found) => found,
        Err(error) => {
            let message = match error {
                EngineError::JournalUnavailable(_) => {
                    "Le journal est indisponible : les renseignements sur cette entité ne peuvent pas être recherchés pour le moment."
                }
                _ => "Les renseignements sur cette entité n'ont pas pu être recherchés.",
            };
            let section = EntityIntel {
                rows: Vec::new(),
                total: String::new(),
                more: false,
                journal_seq: None,
                error: Some(message.to_owned()),
            };
            return (section, Vec::new());
        }
    };
    let mut rows = Vec::new();
    let mut entries = Vec::new();
    for hit in &found.hits {
        let item = &hit.item;
        let href = format!("/renseignement/elements/{}", item.id);
        let observed = match item.observed_until {
            Some(until) if until != item.observed_on => format!(
                "du {} au {}",
                format::date(item.observed_on),
                format::date(until)
            ),
            _ => format::date(item.observed_on),
        };
        let grade = item.grade.display_fr();
        let source = item.source.label_fr();
        let summary = summary(&item.text, INTEL_SUMMARY_CHARS);
        entries.push((
            item.observed_on,
            TimelineEntry {
                datetime: item.observed_on.to_string(),
                date: format::date(item.observed_on),
                badge: "Renseignement",
                badge_kind: "new",
                text: summary.clone(),
                href: Some(href.clone()),
                detail: format!("{source} · {grade} · {}", hit.owner_name),
            },
        ));
        rows.push(EntityIntelRow {
            href,
            observed,
            grade,
            source,
            owner: hit.owner_name.clone(),
            summary,
        });
    }
    let section = EntityIntel {
        more: found.total > rows.len(),
        rows,
        total: items_label(found.total),
        journal_seq: Some(found.journal_seq),
        error: None,
    };
    (section, entries)
}

/// The entity's dated facts, newest first: its recording, each visible link's start and end, the
/// values added to it as facts, and the intelligence items about it.
fn timeline(
    view: &EntityView,
    recorded_unit: &str,
    unit_name: &dyn Fn(&UnitId) -> String,
    intel_entries: Vec<(Date, TimelineEntry)>,
) -> Vec<TimelineEntry> {
    let provenance = &view.entity.provenance;
    let recorded_at = provenance
        .recorded_at
        .to_offset(format::paris_offset(provenance.recorded_at));
    // (day, order within the day: later facts first, the entry)
    let mut dated: Vec<(Date, u8, TimelineEntry)> = vec![(
        recorded_at.date(),
        0,
        TimelineEntry {
            datetime: recorded_at.date().to_string(),
            date: format::paris_datetime(provenance.recorded_at),
            badge: "Fiche",
            badge_kind: "info",
            text: format!("Fiche enregistrée par {recorded_unit}"),
            href: None,
            detail: source_note(&provenance.source),
        },
    )];
    for link in &view.links {
        let what = link_phrase(link.link.kind, link.outgoing, &link.other.caption);
        let detail = format!(
            "{} · {}",
            unit_name(&link.link.provenance.unit),
            source_note(&link.link.provenance.source)
        );
        let href = Some(format!("/entites/{}", link.other.id));
        for (day, badge, badge_kind, order) in [
            (link.link.start, "Début", "success", 1),
            (link.link.end, "Fin", "warning", 2),
        ] {
            let Some(day) = day else { continue };
            dated.push((
                day,
                order,
                TimelineEntry {
                    datetime: day.to_string(),
                    date: format::date(day),
                    badge,
                    badge_kind,
                    text: what.clone(),
                    href: href.clone(),
                    detail: detail.clone(),
                },
            ));
        }
    }
    // Each value added as a fact: on the day it was observed, or else recorded.
    for value in &view.values {
        let ValueSource::Fact(fact) = &value.source else {
            continue;
        };
        let day = fact.observed_on.unwrap_or_else(|| {
            let at = time::OffsetDateTime::from_unix_timestamp_nanos(
                i128::from(fact.recorded_at_micros) * 1_000,
            )
            .unwrap_or(provenance.recorded_at);
            at.to_offset(format::paris_offset(at)).date()
        });
        let origin = match &fact.basis {
            FactBasis::Item { .. } => "Élément de renseignement".to_owned(),
            FactBasis::Record { reference } => reference.clone(),
        };
        let href = match &fact.basis {
            FactBasis::Item { item } => Some(format!("/renseignement/elements/{item}")),
            FactBasis::Record { .. } => None,
        };
        dated.push((
            day,
            3,
            TimelineEntry {
                datetime: day.to_string(),
                date: format::date(day),
                badge: "Information",
                badge_kind: "new",
                text: format!(
                    "{} : {}",
                    format::property_label(view.entity.schema, &value.property),
                    facts::shown_value(view.entity.schema, &value.property, &value.value)
                ),
                href,
                detail: format!(
                    "{origin} · {} · {}",
                    fact.grade.display_fr(),
                    unit_name(&fact.owner_unit)
                ),
            },
        ));
    }
    dated.extend(
        intel_entries
            .into_iter()
            .map(|(day, entry)| (day, 3, entry)),
    );
    // Newest first; within a day, items, then ends, starts and the recording (a stable sort keeps
    // the order of the links within each).
    dated.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    dated.into_iter().map(|(_, _, entry)| entry).collect()
}

#[cfg(test)]
mod tests {
    use super::super::view::Layout;
    use super::*;
    use askama::Template;

    fn page(intel: Option<EntityIntel>) -> EntityPage {
        EntityPage {
            layout: Layout::anonymous("Jean DUPONT"),
            id: "00000000-0000-4000-8000-000000000001".to_owned(),
            motif: "Procédure 2026/1".to_owned(),
            caption: "Jean DUPONT".to_owned(),
            schema: "Personne".to_owned(),
            properties: Vec::new(),
            divergences: Vec::new(),
            fact_form: None,
            merged_into: None,
            merges: super::super::view::MergeSection {
                merged: Vec::new(),
                suggestions: None,
                suggestions_journal_seq: None,
                suggestions_error: None,
                may_merge: false,
                error: None,
            },
            notice: None,
            departement: "13".to_owned(),
            regime: "Judiciaire".to_owned(),
            recorded_unit: "SD-13".to_owned(),
            recorded_at: "01/02/2026 10:00:00".to_owned(),
            source: NONE.to_owned(),
            links: Vec::new(),
            journal_seq: 7,
            link_kinds: Vec::new(),
            schemas: Vec::new(),
            cytoscape_version: "3.34.4",
            timeline: Vec::new(),
            intel,
            csrf: "0".repeat(64),
            follow_label: follow_label("Jean DUPONT"),
        }
    }

    /// A role that may not consult intelligence gets no items section (the handler passes `None`
    /// then); one that may gets it, even when empty.
    #[test]
    fn the_items_section_follows_the_right_to_consult_intelligence() {
        let without = page(None).render().unwrap();
        assert!(!without.contains("id=\"renseignements\""));
        assert!(!without.contains("Renseignements sur cette entité"));
        assert!(without.contains("id=\"schema-graphe\""));
        assert!(without.contains("id=\"chronologie\""));
        let with = page(Some(EntityIntel {
            rows: Vec::new(),
            total: items_label(0),
            more: false,
            journal_seq: Some(8),
            error: None,
        }))
        .render()
        .unwrap();
        assert!(with.contains("id=\"renseignements\""));
        assert!(
            with.contains("Aucun élément de renseignement accessible ne concerne cette entité.")
        );
        assert!(with.contains("Recherche enregistrée au journal (n° 8)"));
    }

    #[test]
    fn links_read_from_the_consulted_entity() {
        assert_eq!(
            link_phrase(LinkKind::Family, false, "Jean DUPONT"),
            "Famille avec Jean DUPONT"
        );
        assert_eq!(
            link_phrase(LinkKind::PhoneUser, true, "+33600000001"),
            "Utilise la ligne +33600000001"
        );
        assert_eq!(
            link_phrase(LinkKind::PhoneUser, false, "Jean DUPONT"),
            "Ligne utilisée par Jean DUPONT"
        );
    }

    #[test]
    fn summaries_cut_on_a_word_with_an_ellipsis() {
        assert_eq!(summary("  court   texte ", 20), "court texte");
        let cut = summary("Le guetteur principal serait mineur, selon la source.", 30);
        assert_eq!(cut, "Le guetteur principal serait…");
        assert!(cut.chars().count() <= 31);
    }
}
