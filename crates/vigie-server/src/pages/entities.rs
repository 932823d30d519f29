//! `/recherche` and `/entites/{id}`: searching entities and consulting one, each with a motif.
//!
//! Search terms and motifs travel in POST bodies only. `GET /entites/{id}` shows the motif form and
//! nothing else, whatever the id: it does not look the entity up, so it cannot reveal whether it
//! exists. The entity is shown only in answer to the POST, once the engine has journaled the
//! consultation; a hidden entity and a missing one both give the same 404 page.

use super::format::{self, NONE};
use super::session::{PageForm, PageSession, SameOrigin};
use super::view::{
    EntityMotifPage, EntityPage, Field, LinkRow, PropertyRow, ResultRow, SearchForm, SearchOutcome,
    SearchPage, SelectField,
};
use super::{render, ErrorKind, PageResult};
use crate::extract::Ctx;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use std::collections::HashMap;
use vigie_core::entity::{EntityId, FieldError, PropertyKind, Schema};
use vigie_core::policy::Action;
use vigie_engine::{EngineError, EntityView, SearchRequest};

const SEARCH_MOTIF_REQUIRED: &str = "Indiquez le motif de la recherche (au moins 3 caractères)";
const CONSULT_MOTIF_REQUIRED: &str = "Indiquez le motif de la consultation (au moins 3 caractères)";
const SEARCH_LIMIT: u32 = 50;

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

fn parse_entity_id(session: &PageSession, raw: &str) -> Result<EntityId, super::PageError> {
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
    // Checked before the engine is asked, so that the answer to a short motif is the same for every
    // id (the engine would only ask for a motif once it has found a visible entity).
    if !motif_is_long_enough(&data.motif) {
        let page = motif_page(
            &session,
            id,
            &data.motif,
            Some(CONSULT_MOTIF_REQUIRED.to_owned()),
        );
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    match state
        .engine
        .consult_entity(&session.actor, id, &data.motif, &ctx)
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
            Ok(render(
                StatusCode::OK,
                &entity_page(&session, &view, &units),
            ))
        }
        Err(EngineError::MotifRequired) => {
            let page = motif_page(
                &session,
                id,
                &data.motif,
                Some(CONSULT_MOTIF_REQUIRED.to_owned()),
            );
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(EngineError::Invalid(details)) => {
            let message = details
                .first()
                .map(|d| d.message.clone())
                .unwrap_or_else(|| CONSULT_MOTIF_REQUIRED.to_owned());
            let page = motif_page(&session, id, &data.motif, Some(message));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(error) => Err(session.fail(error)),
    }
}

fn entity_page(
    session: &PageSession,
    view: &EntityView,
    units: &HashMap<vigie_core::org::UnitId, String>,
) -> EntityPage {
    let entity = &view.entity;
    let mut properties = Vec::new();
    let schema_properties = entity.schema.properties();
    let known: Vec<&str> = schema_properties.iter().map(|(name, _)| *name).collect();
    let extra = entity
        .properties
        .keys()
        .map(String::as_str)
        .filter(|name| !known.contains(name));
    for name in known.iter().copied().chain(extra) {
        let Some(values) = entity
            .properties
            .get(name)
            .filter(|values| !values.is_empty())
        else {
            continue;
        };
        let is_date = schema_properties
            .iter()
            .any(|(known, kind)| *known == name && *kind == PropertyKind::DateValue);
        let values = values
            .iter()
            .map(|value| {
                if is_date {
                    format::partial_date(value)
                } else {
                    value.clone()
                }
            })
            .collect();
        properties.push(PropertyRow {
            label: format::property_label(entity.schema, name),
            values,
        });
    }
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
        })
        .collect();
    let provenance = &entity.provenance;
    let caption = entity.caption();
    EntityPage {
        layout: session.layout(caption.clone(), ""),
        caption,
        schema: entity.schema.label_fr().to_owned(),
        properties,
        departement: format::departement(entity.departement.as_deref()),
        regime: entity.regime.label_fr().to_owned(),
        recorded_unit: units
            .get(&provenance.unit)
            .cloned()
            .unwrap_or_else(|| format!("unité {}", provenance.unit)),
        recorded_at: format::paris_datetime(provenance.recorded_at),
        source: if provenance.source.trim().is_empty() {
            NONE.to_owned()
        } else {
            provenance.source.clone()
        },
        links,
        journal_seq: view.journal_seq,
    }
}
