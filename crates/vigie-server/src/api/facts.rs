//! Facts and merges over the API: adding a value to an entity with its basis and grade, the
//! matching engine's suggestions of duplicates, merging two records and taking a merge back.
//! The engine decides and journals; these handlers only translate.

use super::intel::GradeDto;
use crate::api::dto::EntitySummaryDto;
use crate::api::targets::rfc3339;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiActor, AppJson, Ctx, PathId};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vigie_core::entity::EntityId;
use vigie_engine::{MergeEvent, MergeSuggestion, MergeView, ValueSource, ValueView};
use vigie_intel::fact::{BasisDraft, Claim, Fact, FactBasis, FactDraft};
use vigie_intel::ItemId;

/// Where a fact comes from: exactly one of `item` and `reference`. With a reference, a grade in a
/// scheme open to new grades (`europol_4x4`, `uk_3x5x2`); with an item, no grade (the item's).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BasisRequest {
    pub item: Option<uuid::Uuid>,
    /// A record's reference: "PV 2026/123 du 12/03", "extrait Kbis du 02/05/2026".
    pub reference: Option<String>,
    pub grade_scheme: Option<String>,
    pub grade: Option<String>,
}

impl From<BasisRequest> for BasisDraft {
    fn from(request: BasisRequest) -> Self {
        BasisDraft {
            item: request.item.map(ItemId),
            reference: request.reference,
            grade_scheme: request.grade_scheme,
            grade: request.grade,
        }
    }
}

/// A value to add to an entity.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FactRequest {
    /// A property of the entity's schema (`birthDate`, `alias`, `registrationNumber`...).
    pub property: String,
    pub value: String,
    pub basis: BasisRequest,
    /// When it was observed (AAAA-MM-JJ).
    pub observed_on: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FactDto {
    pub id: uuid::Uuid,
    pub entity: uuid::Uuid,
    /// For a value: the property and the value in normal form.
    pub property: Option<String>,
    pub value: Option<String>,
    /// For a link's basis: the link.
    pub link: Option<uuid::Uuid>,
    /// The item it comes from, or the record's reference.
    pub item: Option<uuid::Uuid>,
    pub reference: Option<String>,
    pub grade: GradeDto,
    pub observed_on: Option<String>,
    pub owner_unit: uuid::Uuid,
    pub recorded_at: String,
    pub regime: String,
}

impl From<&Fact> for FactDto {
    fn from(fact: &Fact) -> Self {
        let (property, value, link) = match &fact.claim {
            Claim::Value { property, value } => (Some(property.clone()), Some(value.clone()), None),
            Claim::Link { link, .. } => (None, None, Some(link.0)),
        };
        let (item, reference) = match &fact.basis {
            FactBasis::Item { item } => (Some(item.0), None),
            FactBasis::Record { reference } => (None, Some(reference.clone())),
        };
        FactDto {
            id: fact.id.0,
            entity: fact.entity.0,
            property,
            value,
            link,
            item,
            reference,
            grade: GradeDto::from(fact.grade),
            observed_on: fact.observed_on.map(|day| day.to_string()),
            owner_unit: fact.owner_unit.0,
            recorded_at: rfc3339(fact.recorded_at_micros),
            regime: fact.regime.as_str().to_owned(),
        }
    }
}

/// One value known of an entity, with where it comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValueDto {
    pub property: String,
    pub value: String,
    /// The record it was written on (the consulted entity, or one merged into it), when it comes
    /// from a record rather than a fact.
    pub record: Option<uuid::Uuid>,
    /// Whether that record was merged into the consulted one.
    pub merged: bool,
    /// The record's source note.
    pub source: Option<String>,
    /// The fact, when the value was added as one (with its basis and grade).
    pub fact: Option<FactDto>,
}

impl From<&ValueView> for ValueDto {
    fn from(view: &ValueView) -> Self {
        match &view.source {
            ValueSource::Record {
                entity,
                merged,
                source,
            } => ValueDto {
                property: view.property.clone(),
                value: view.value.clone(),
                record: Some(entity.0),
                merged: *merged,
                source: Some(source.clone()),
                fact: None,
            },
            ValueSource::Fact(fact) => ValueDto {
                property: view.property.clone(),
                value: view.value.clone(),
                record: None,
                merged: false,
                source: None,
                fact: Some(FactDto::from(fact.as_ref())),
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MergeEventDto {
    /// `merged` or `undone`.
    pub event: String,
    pub kept: uuid::Uuid,
    pub by: String,
    pub unit: uuid::Uuid,
    pub at: String,
    pub reason: String,
}

impl From<&MergeEvent> for MergeEventDto {
    fn from(event: &MergeEvent) -> Self {
        MergeEventDto {
            event: if event.merged { "merged" } else { "undone" }.to_owned(),
            kept: event.kept.0,
            by: event.by.clone(),
            unit: event.unit.0,
            at: rfc3339(event.at_micros),
            reason: event.reason.clone(),
        }
    }
}

/// A record merged (or once merged) into the consulted entity.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergeDto {
    pub entity: EntitySummaryDto,
    pub kept: uuid::Uuid,
    pub active: bool,
    pub history: Vec<MergeEventDto>,
}

impl From<&MergeView> for MergeDto {
    fn from(view: &MergeView) -> Self {
        MergeDto {
            entity: EntitySummaryDto::from(&view.entity),
            kept: view.kept.0,
            active: view.active,
            history: view.history.iter().map(MergeEventDto::from).collect(),
        }
    }
}

/// Adds a value to an entity with its basis and grade; a value contradicting another is kept
/// beside it.
#[utoipa::path(post, path = "/api/v1/entities/{id}/facts", tag = "entities", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Entity id")), request_body = FactRequest,
    responses((status = 201, body = FactDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_fact(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(request): AppJson<FactRequest>,
) -> ApiResult<Response> {
    let draft = FactDraft {
        property: request.property,
        value: request.value,
        basis: request.basis.into(),
        observed_on: request.observed_on,
    };
    let fact = state
        .engine
        .add_fact(&actor, EntityId(id), draft, &ctx)
        .await?;
    Ok((StatusCode::CREATED, Json(FactDto::from(&fact))).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuggestionsRequest {
    /// Why the duplicates are looked for; recorded in the journal.
    pub motif: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MergeSuggestionDto {
    pub candidate: EntitySummaryDto,
    /// Why the matching engine suggests it, field by field, in French.
    pub reasons: Vec<String>,
    /// Whether the strong fields agree (names and birth date, or the identifier).
    pub strong: bool,
}

impl From<&MergeSuggestion> for MergeSuggestionDto {
    fn from(suggestion: &MergeSuggestion) -> Self {
        MergeSuggestionDto {
            candidate: EntitySummaryDto::from(&suggestion.candidate),
            reasons: suggestion.reasons.clone(),
            strong: suggestion.strong,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MergeSuggestionsDto {
    pub suggestions: Vec<MergeSuggestionDto>,
    pub journal_seq: u64,
}

/// Possible duplicates of an entity among the records the caller may merge (journaled search).
#[utoipa::path(post, path = "/api/v1/entities/{id}/merge-suggestions", tag = "entities", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Entity id")), request_body = SuggestionsRequest,
    responses((status = 200, body = MergeSuggestionsDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn suggestions(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(request): AppJson<SuggestionsRequest>,
) -> ApiResult<Response> {
    let found = state
        .engine
        .merge_suggestions(&actor, EntityId(id), &request.motif, &ctx)
        .await?;
    Ok(Json(MergeSuggestionsDto {
        suggestions: found
            .suggestions
            .iter()
            .map(MergeSuggestionDto::from)
            .collect(),
        journal_seq: found.journal_seq,
    })
    .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The record found to describe the same thing as the entity of the path, which is kept.
    pub merged: uuid::Uuid,
    /// Why (5 to 500 characters).
    pub reason: String,
}

/// Merges a record into the entity of the path. Nothing is rewritten: the merge can be undone.
#[utoipa::path(post, path = "/api/v1/entities/{id}/merges", tag = "entities", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The entity kept")), request_body = MergeRequest,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn merge(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(request): AppJson<MergeRequest>,
) -> ApiResult<Response> {
    state
        .engine
        .merge_entities(
            &actor,
            EntityId(id),
            EntityId(request.merged),
            &request.reason,
            &ctx,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UndoMergeRequest {
    /// Why (5 to 500 characters).
    pub reason: String,
}

/// Takes back the merge of the entity of the path into another: the two records are apart again.
#[utoipa::path(post, path = "/api/v1/entities/{id}/unmerge", tag = "entities", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The entity once merged")), request_body = UndoMergeRequest,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn unmerge(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(request): AppJson<UndoMergeRequest>,
) -> ApiResult<Response> {
    state
        .engine
        .undo_merge(&actor, EntityId(id), &request.reason, &ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
