//! The facts and merges of an entity's page: the table of values, each with its origin and grade;
//! the « Ajouter une information » form; the merges section with an analyst's possible duplicates;
//! and the handlers of their forms (`POST /entites/{id}/informations`, `/fusions`, `/defusion`).
//!
//! Each handler asks the engine (which decides and journals), then consults the entity again with
//! the motif the page was opened with and shows it with what was done: the page has no address of
//! its own to redirect to, since an entity is only ever shown in answer to a motif.

use super::entities::{parse_entity_id, show_entity, source_note, summary, PageExtras};
use super::format::{self, NONE};
use super::session::{PageForm, PageSession, SameOrigin};
use super::view::{
    FactForm, Field, MergeSection, MergedRow, PropertyRow, SelectField, SuggestionRow, ValueCell,
};
use super::PageResult;
use crate::extract::Ctx;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use std::collections::HashMap;
use vigie_core::entity::{EntityId, FieldError, PropertyKind, Schema};
use vigie_core::org::UnitId;
use vigie_core::policy::Action;
use vigie_engine::{EngineError, EntityView, MergeSuggestions, ValueSource, ValueView};
use vigie_intel::fact::{divergent, BasisDraft, Fact, FactBasis, FactDraft};
use vigie_intel::{Grade, IntelItem, ItemId, Scheme};

/// Characters of an item's text in the form's list of items.
const ITEM_OPTION_CHARS: usize = 70;

/// « Europol 4x4 B2 » and what each part means.
fn grade_cell(grade: Grade) -> (String, String) {
    let meanings = grade
        .labels_fr()
        .into_iter()
        .map(|(part, meaning)| format!("{part} : {meaning}"))
        .collect::<Vec<_>>()
        .join(" ; ");
    (grade.display_fr(), meanings)
}

/// A value as the page shows it: dates in French, the rest as stored.
pub(super) fn shown_value(schema: Schema, property: &str, value: &str) -> String {
    let is_date = schema
        .properties()
        .iter()
        .any(|(name, kind)| *name == property && *kind == PropertyKind::DateValue);
    if is_date {
        format::partial_date(value)
    } else {
        value.to_owned()
    }
}

fn value_cell(
    schema: Schema,
    view: &ValueView,
    captions: &HashMap<EntityId, String>,
    unit_name: &dyn Fn(&UnitId) -> String,
) -> ValueCell {
    let value = shown_value(schema, &view.property, &view.value);
    match &view.source {
        ValueSource::Record {
            merged: false,
            source,
            ..
        } => ValueCell {
            value,
            origin: format!("Fiche · {}", source_note(source)),
            origin_href: None,
            detail: String::new(),
            grade: "Non cotée".to_owned(),
            grade_title: "Valeur de la fiche elle-même, enregistrée sans cotation".to_owned(),
        },
        ValueSource::Record {
            entity,
            merged: true,
            ..
        } => ValueCell {
            value,
            origin: format!(
                "Fiche fusionnée « {} »",
                captions.get(entity).map_or("sans nom", String::as_str)
            ),
            origin_href: Some(format!("/entites/{entity}")),
            detail: String::new(),
            grade: "Non cotée".to_owned(),
            grade_title: "Valeur d'une fiche fusionnée dans celle-ci".to_owned(),
        },
        ValueSource::Fact(fact) => {
            let (origin, origin_href) = match &fact.basis {
                FactBasis::Item { item } => (
                    "Élément de renseignement".to_owned(),
                    Some(format!("/renseignement/elements/{item}")),
                ),
                FactBasis::Record { reference } => (reference.clone(), None),
            };
            let mut detail = format!(
                "Ajoutée par {} le {}",
                unit_name(&fact.owner_unit),
                format::paris_minutes(fact.recorded_at_micros)
            );
            if let Some(day) = fact.observed_on {
                detail.push_str(&format!(" · observée le {}", format::date(day)));
            }
            let (grade, grade_title) = grade_cell(fact.grade);
            ValueCell {
                value,
                origin,
                origin_href,
                detail,
                grade,
                grade_title,
            }
        }
    }
}

/// The values of an entity grouped by property, in the schema's order, each property saying
/// whether its values contradict each other.
pub(super) fn property_rows(
    schema: Schema,
    values: &[ValueView],
    captions: &HashMap<EntityId, String>,
    unit_name: &dyn Fn(&UnitId) -> String,
) -> Vec<PropertyRow> {
    let known: Vec<&str> = schema.properties().iter().map(|(name, _)| *name).collect();
    let mut order: Vec<&str> = known.clone();
    for value in values {
        if !order.contains(&value.property.as_str()) {
            order.push(&value.property);
        }
    }
    order
        .into_iter()
        .filter_map(|property| {
            let of: Vec<&ValueView> = values.iter().filter(|v| v.property == property).collect();
            if of.is_empty() {
                return None;
            }
            let raw: Vec<&str> = of.iter().map(|v| v.value.as_str()).collect();
            Some(PropertyRow {
                label: format::property_label(schema, property),
                divergent: divergent(schema, property, &raw),
                values: of
                    .into_iter()
                    .map(|v| value_cell(schema, v, captions, unit_name))
                    .collect(),
            })
        })
        .collect()
}

/// The grades of a link's bases, or a dash.
pub(super) fn link_grades(bases: &[Fact]) -> String {
    if bases.is_empty() {
        return NONE.to_owned();
    }
    bases
        .iter()
        .map(|fact| fact.grade.display_fr())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The « Ajouter une information » form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FactFormData {
    pub csrf: String,
    pub motif: String,
    pub propriete: String,
    pub valeur: String,
    /// `element` (an item about the entity) or `piece` (a record's reference and a grade).
    pub origine: String,
    pub element: String,
    pub reference: String,
    pub bareme: String,
    pub cotation: String,
    pub observe_le: String,
}

/// The form's field for an engine field.
fn form_field(engine_field: &str) -> &'static str {
    match engine_field {
        "property" => "propriete",
        "item" => "element",
        "reference" => "reference",
        "grade_scheme" => "bareme",
        "grade" => "cotation",
        "observed_on" => "observe_le",
        _ => "valeur",
    }
}

pub(super) fn fact_form(
    schema: Schema,
    items: &[IntelItem],
    data: &FactFormData,
    errors: &[FieldError],
) -> FactForm {
    let error_of = |name: &str| {
        let messages: Vec<&str> = errors
            .iter()
            .filter(|e| form_field(&e.field) == name)
            .map(|e| e.message.as_str())
            .collect();
        (!messages.is_empty()).then(|| messages.join(" ; "))
    };
    let properties = schema
        .properties()
        .iter()
        .map(|(name, _)| ((*name).to_owned(), format::property_label(schema, name)))
        .collect();
    let mut property = SelectField::new(
        "fait-propriete",
        "propriete",
        "Information",
        properties,
        &data.propriete,
    );
    property.error = error_of("propriete");
    let mut value = Field::text("fait-valeur", "valeur", "Valeur")
        .hint("Une immatriculation, un numéro ou une date sont vérifiés et mis en forme.")
        .value(data.valeur.clone())
        .required();
    value.error = error_of("valeur");
    let basis_kind = if data.origine == "piece" || items.is_empty() {
        "piece"
    } else {
        "element"
    };
    let mut item_options = vec![(String::new(), "Choisir un élément".to_owned())];
    item_options.extend(items.iter().map(|item| {
        (
            item.id.to_string(),
            format!(
                "{} · {} · {}",
                format::date(item.observed_on),
                item.grade.display_fr(),
                summary(&item.text, ITEM_OPTION_CHARS)
            ),
        )
    }));
    let mut item = SelectField::new(
        "fait-element",
        "element",
        "Élément de renseignement",
        item_options,
        &data.element,
    );
    item.error = error_of("element");
    let mut reference = Field::text("fait-reference", "reference", "Référence de la pièce")
        .hint("PV, audition, extrait de registre… avec sa date : « PV 2026/123 du 12/03 ».")
        .value(data.reference.clone());
    reference.error = error_of("reference");
    let schemes = [Scheme::Europol4x4, Scheme::Uk3x5x2]
        .into_iter()
        .map(|scheme| (scheme.as_str().to_owned(), scheme.label_fr().to_owned()))
        .collect();
    let selected = if data.bareme.is_empty() {
        Scheme::Europol4x4.as_str()
    } else {
        data.bareme.as_str()
    };
    let mut grade_scheme = SelectField::new(
        "fait-bareme",
        "bareme",
        "Barème de cotation",
        schemes,
        selected,
    );
    grade_scheme.error = error_of("bareme");
    let mut grade = Field::text("fait-cotation", "cotation", "Cotation")
        .hint("Europol 4x4 : « B2 » ; 3x5x2 : « 2BP ».")
        .value(data.cotation.clone());
    grade.error = error_of("cotation");
    let mut observed_on = Field::text("fait-observe", "observe_le", "Observée le")
        .hint("Facultatif.")
        .value(data.observe_le.clone());
    observed_on.input_type = "date";
    observed_on.error = error_of("observe_le");
    FactForm {
        property,
        value,
        basis_kind: basis_kind.to_owned(),
        item,
        reference,
        grade_scheme,
        grade,
        observed_on,
        has_errors: !errors.is_empty(),
    }
}

pub(super) fn merge_section(
    view: &EntityView,
    suggestions: Option<&Result<MergeSuggestions, EngineError>>,
    error: Option<String>,
    unit_name: &dyn Fn(&UnitId) -> String,
    session: &PageSession,
) -> MergeSection {
    let merged = view
        .merges
        .iter()
        .map(|merge| MergedRow {
            id: merge.entity.id.to_string(),
            href: format!("/entites/{}", merge.entity.id),
            caption: merge.entity.caption.clone(),
            active: merge.active,
            history: merge
                .history
                .iter()
                .map(|event| {
                    format!(
                        "{} le {} par {} : {}",
                        if event.merged {
                            "Fusionnée"
                        } else {
                            "Fusion annulée"
                        },
                        format::paris_minutes(event.at_micros),
                        unit_name(&event.unit),
                        event.reason
                    )
                })
                .collect(),
        })
        .collect();
    let (rows, journal_seq, suggestions_error) = match suggestions {
        None => (None, None, None),
        Some(Ok(found)) => (
            Some(
                found
                    .suggestions
                    .iter()
                    .map(|suggestion| SuggestionRow {
                        id: suggestion.candidate.id.to_string(),
                        href: format!("/entites/{}", suggestion.candidate.id),
                        caption: suggestion.candidate.caption.clone(),
                        departement: format::departement(
                            suggestion.candidate.departement.as_deref(),
                        ),
                        reasons: suggestion.reasons.clone(),
                        strong: suggestion.strong,
                    })
                    .collect(),
            ),
            Some(found.journal_seq),
            None,
        ),
        Some(Err(_)) => (
            Some(Vec::new()),
            None,
            Some("Les doublons possibles n'ont pas pu être recherchés.".to_owned()),
        ),
    };
    MergeSection {
        merged,
        suggestions: rows,
        suggestions_journal_seq: journal_seq,
        suggestions_error,
        may_merge: session.may(Action::MergeEntities) && view.merged_into.is_none(),
        error,
    }
}

/// `POST /entites/{id}/informations`: adds a value with its origin and grade, then shows the page.
pub async fn add_fact(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(data): PageForm<FactFormData>,
) -> PageResult {
    session.check_csrf(&data.csrf)?;
    session.require(Action::RecordFact)?;
    let id = parse_entity_id(&session, &raw)?;
    let basis = if data.origine == "element" {
        match uuid::Uuid::parse_str(data.element.trim()).ok().map(ItemId) {
            Some(item) => BasisDraft {
                item: Some(item),
                ..BasisDraft::default()
            },
            None => {
                let errors = vec![FieldError {
                    field: "item".to_owned(),
                    message: "Choisissez l'élément de renseignement dont vient l'information"
                        .to_owned(),
                }];
                let motif = data.motif.clone();
                let extras = PageExtras {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    fact: Some((data, errors)),
                    ..PageExtras::default()
                };
                return show_entity(&state, &ctx, &session, id, &motif, extras).await;
            }
        }
    } else {
        BasisDraft {
            item: None,
            reference: Some(data.reference.clone()),
            grade_scheme: Some(data.bareme.clone()),
            grade: Some(data.cotation.clone()),
        }
    };
    let draft = FactDraft {
        property: data.propriete.clone(),
        value: data.valeur.clone(),
        basis,
        observed_on: Some(data.observe_le.clone()),
    };
    let motif = data.motif.clone();
    let extras = match state.engine.add_fact(&session.actor, id, draft, &ctx).await {
        Ok(fact) => PageExtras {
            notice: Some(format!(
                "Information ajoutée avec la cotation {}. Elle figure ci-dessous avec son origine, à côté des valeurs déjà connues.",
                fact.grade.display_fr()
            )),
            ..PageExtras::default()
        },
        Err(EngineError::Invalid(errors)) => PageExtras {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            fact: Some((data, errors)),
            ..PageExtras::default()
        },
        Err(error) => return Err(session.fail(error)),
    };
    show_entity(&state, &ctx, &session, id, &motif, extras).await
}

/// The merge and unmerge forms as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MergeFormData {
    pub csrf: String,
    pub motif: String,
    /// The other record's id.
    pub fiche: String,
    pub motivation: String,
}

/// What the page says of a merge decision: `notice` once taken; for a refusal a user can act on,
/// the reason above the merges and its status; any other error is the caller's to show.
fn decided(outcome: Result<(), EngineError>, notice: &str) -> Result<PageExtras, EngineError> {
    let (status, message) = match outcome {
        Ok(()) => {
            return Ok(PageExtras {
                notice: Some(notice.to_owned()),
                ..PageExtras::default()
            })
        }
        Err(EngineError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
                .join(" ; "),
        ),
        Err(EngineError::NotFound) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Aucune fiche accessible ne porte cet identifiant".to_owned(),
        ),
        Err(EngineError::Conflict(_)) => (
            StatusCode::CONFLICT,
            "Une autre décision vient d'être prise sur cette fiche : la page montre ce qui a été décidé".to_owned(),
        ),
        Err(other) => return Err(other),
    };
    Ok(PageExtras {
        status,
        merge_error: Some(message),
        ..PageExtras::default()
    })
}

/// `POST /entites/{id}/fusions`: merges the record `fiche` into this one.
pub async fn merge(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(data): PageForm<MergeFormData>,
) -> PageResult {
    session.check_csrf(&data.csrf)?;
    session.require(Action::MergeEntities)?;
    let id = parse_entity_id(&session, &raw)?;
    let outcome = match EntityId::parse(data.fiche.trim()) {
        None => Err(EngineError::Invalid(vec![FieldError {
            field: "merged".to_owned(),
            message: "Indiquez l'identifiant de la fiche à fusionner".to_owned(),
        }])),
        Some(merged) => {
            state
                .engine
                .merge_entities(&session.actor, id, merged, &data.motivation, &ctx)
                .await
        }
    };
    let extras = decided(
        outcome,
        "Fiche fusionnée dans celle-ci : ses informations et ses liens apparaissent ci-dessous, avec leur origine. La fusion peut être annulée.",
    )
    .map_err(|error| session.fail(error))?;
    show_entity(&state, &ctx, &session, id, &data.motif, extras).await
}

/// `POST /entites/{id}/defusion`: takes back the merge of the record `fiche` into this one.
pub async fn unmerge(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(data): PageForm<MergeFormData>,
) -> PageResult {
    session.check_csrf(&data.csrf)?;
    session.require(Action::MergeEntities)?;
    let id = parse_entity_id(&session, &raw)?;
    let outcome = match EntityId::parse(data.fiche.trim()) {
        None => Err(EngineError::NotFound),
        Some(merged) => {
            state
                .engine
                .undo_merge(&session.actor, merged, &data.motivation, &ctx)
                .await
        }
    };
    let extras = decided(
        outcome,
        "Fusion annulée : les deux fiches sont de nouveau distinctes.",
    )
    .map_err(|error| session.fail(error))?;
    show_entity(&state, &ctx, &session, id, &data.motif, extras).await
}
