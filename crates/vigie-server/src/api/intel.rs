//! The intelligence repository over the API: record a graded item, read it with a motif, derive a
//! sanitised copy, record the owner's permission to lift a handling code; search, and export a
//! search's items as FollowTheMoney JSON lines or CSV with a column mapping.
//!
//! Each handler is one engine call; the engine applies the policy and the handling codes, journals
//! every read before its answer, and answers 404 for what the caller may not see.

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
use uuid::Uuid;
use vigie_core::entity::{EntityId, FieldError, LegalRegime};
use vigie_core::org::UnitId;
use vigie_engine::IntelView;
use vigie_intel::{IntelItemDraft, ItemId, PermissionKind, SanitisedDraft};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntelItemRequest {
    /// What was learned.
    pub text: String,
    /// AAAA-MM-JJ.
    pub observed_on: String,
    /// Last day of a period (AAAA-MM-JJ).
    #[serde(default)]
    pub observed_until: Option<String>,
    /// The place in words.
    #[serde(default)]
    pub place: Option<String>,
    /// INSEE code of the commune (or arrondissement).
    #[serde(default)]
    pub commune: Option<String>,
    /// Entities the item is about (each one the caller may consult).
    #[serde(default)]
    pub entities: Vec<Uuid>,
    /// `human_source`, `technical`, `open_source`, `document`, `procedure` or `partner`.
    pub source: String,
    /// For a human source: its code in the register of sources, never a name.
    #[serde(default)]
    pub source_code: Option<String>,
    /// `europol_4x4` or `uk_3x5x2` (`uk_5x5x5` is read only).
    pub grade_scheme: String,
    /// As written: "B2" (Europol), "1BP" (3x5x2).
    pub grade: String,
    /// Europol handling codes: "H0" to "H3".
    #[serde(default)]
    pub handling: Vec<String>,
    /// The H3 restrictions, in words.
    #[serde(default)]
    pub restrictions: Option<String>,
    /// `judicial`, `administrative`, `customs`, `municipal_police` or `partner`.
    pub regime: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntelConsultRequest {
    /// Why the item is read; recorded in the journal.
    pub motif: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SanitisedRequest {
    /// The text rewritten without what identifies the source.
    pub text: String,
    #[serde(default)]
    pub place: Option<String>,
    /// The copy's handling codes (H1 is kept from the original).
    #[serde(default)]
    pub handling: Vec<String>,
    #[serde(default)]
    pub restrictions: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionRequest {
    /// `judicial_use` (lifts H1) or `onward_sharing` (lifts H2).
    pub kind: PermissionKindDto,
    /// For a share: the unit it may go to (none: any unit).
    #[serde(default)]
    pub to_unit: Option<Uuid>,
    pub reason: String,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PermissionKindDto {
    JudicialUse,
    OnwardSharing,
}

impl From<PermissionKindDto> for PermissionKind {
    fn from(kind: PermissionKindDto) -> Self {
        match kind {
            PermissionKindDto::JudicialUse => PermissionKind::JudicialUse,
            PermissionKindDto::OnwardSharing => PermissionKind::OnwardSharing,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GradeDto {
    pub scheme: String,
    pub code: String,
    /// "Europol 4x4 B2".
    pub label: String,
    /// What each part means, in French.
    pub meanings: Vec<String>,
}

impl From<vigie_intel::Grade> for GradeDto {
    fn from(grade: vigie_intel::Grade) -> Self {
        GradeDto {
            scheme: grade.scheme().as_str().to_owned(),
            code: grade.code(),
            label: grade.display_fr(),
            meanings: grade
                .labels_fr()
                .into_iter()
                .map(|(part, meaning)| format!("{part} : {meaning}"))
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionDto {
    pub kind: PermissionKindDto,
    pub to_unit: Option<Uuid>,
    pub reason: String,
    pub by: String,
    pub at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IntelItemDto {
    pub id: Uuid,
    pub owner_unit: Uuid,
    pub owner_name: String,
    pub recorded_at: String,
    pub text: String,
    pub observed_on: String,
    pub observed_until: Option<String>,
    pub place: Option<String>,
    pub commune: Option<String>,
    pub commune_name: Option<String>,
    pub departement: Option<String>,
    pub entities: Vec<Uuid>,
    /// The kind of source, in French ("Source humaine SH-13-0042", "Source protégée").
    pub source: String,
    pub grade: GradeDto,
    /// "H0", or the restrictions among "H1", "H2", "H3".
    pub handling: Vec<String>,
    pub restrictions: Option<String>,
    pub regime: String,
    /// The original, for a sanitised copy.
    pub sanitised_from: Option<Uuid>,
    /// The sanitised copies the caller may read.
    pub copies: Vec<Uuid>,
    pub permissions: Vec<PermissionDto>,
    /// Whether it may go into a judicial file now.
    pub judicial_use_allowed: bool,
    /// Why not, when it may not.
    pub judicial_use_refusal: Option<String>,
    /// Whether the caller's unit owns it.
    pub own: bool,
}

impl From<&IntelView> for IntelItemDto {
    fn from(view: &IntelView) -> Self {
        let item = &view.item;
        IntelItemDto {
            id: item.id.0,
            owner_unit: item.owner_unit.0,
            owner_name: view.owner_name.clone(),
            recorded_at: rfc3339(item.recorded_at_micros),
            text: item.text.clone(),
            observed_on: item.observed_on.to_string(),
            observed_until: item.observed_until.map(|day| day.to_string()),
            place: item.place.clone(),
            commune: item.commune.clone(),
            commune_name: view.commune_name.clone(),
            departement: item.departement.clone(),
            entities: item.entities.iter().map(|entity| entity.0).collect(),
            source: item.source.label_fr(),
            grade: GradeDto::from(item.grade),
            handling: item
                .handling
                .codes()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            restrictions: item.handling.other_restrictions.clone(),
            regime: item.regime.as_str().to_owned(),
            sanitised_from: item.sanitised_from.map(|original| original.0),
            copies: view.copies.iter().map(|copy| copy.0).collect(),
            permissions: item
                .permissions
                .iter()
                .map(|permission| PermissionDto {
                    kind: match permission.kind {
                        PermissionKind::JudicialUse => PermissionKindDto::JudicialUse,
                        PermissionKind::OnwardSharing => PermissionKindDto::OnwardSharing,
                    },
                    to_unit: permission.to_unit.map(|unit| unit.0),
                    reason: permission.reason.clone(),
                    by: permission.by.clone(),
                    at: rfc3339(permission.at_micros),
                })
                .collect(),
            judicial_use_allowed: view.judicial_use.is_ok(),
            judicial_use_refusal: view.judicial_use.clone().err(),
            own: view.own,
        }
    }
}

/// Records an item of intelligence for the caller's unit: graded (Europol 4x4 or UK 3x5x2), with its
/// handling codes and legal regime; a human source by its code only. Journaled with the write.
#[utoipa::path(post, path = "/api/v1/intel/items", tag = "intel", security(("bearer" = [])), request_body = IntelItemRequest,
    responses((status = 201, body = IntelItemDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(request): AppJson<IntelItemRequest>,
) -> ApiResult<Response> {
    let draft = IntelItemDraft {
        text: request.text,
        observed_on: request.observed_on,
        observed_until: request.observed_until,
        place: request.place,
        commune: request.commune,
        entities: request.entities.into_iter().map(EntityId).collect(),
        source: request.source,
        source_code: request.source_code,
        grade_scheme: request.grade_scheme,
        grade: request.grade,
        handling: request.handling,
        restrictions: request.restrictions,
        regime: request.regime,
    };
    let view = state.engine.record_intel(&actor, draft, &ctx).await?;
    Ok((StatusCode::CREATED, Json(IntelItemDto::from(&view))).into_response())
}

/// Reads an item with a motif; journaled before the answer. 404 for an item the caller may not
/// see, whether because of the policy or of its handling codes.
#[utoipa::path(post, path = "/api/v1/intel/items/{id}/consultation", tag = "intel", security(("bearer" = [])), request_body = IntelConsultRequest,
    params(("id" = Uuid, Path, description = "Item id")),
    responses((status = 200, body = IntelItemDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn consult(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(request): AppJson<IntelConsultRequest>,
) -> ApiResult<Json<IntelItemDto>> {
    let view = state
        .engine
        .consult_intel(&actor, ItemId(id), &request.motif, &ctx)
        .await?;
    Ok(Json(IntelItemDto::from(&view)))
}

/// Derives a sanitised copy of one of the caller's unit's items: the source withheld, the text
/// rewritten, linked to its original; it can be shared where the original may not.
#[utoipa::path(post, path = "/api/v1/intel/items/{id}/sanitised", tag = "intel", security(("bearer" = [])), request_body = SanitisedRequest,
    params(("id" = Uuid, Path, description = "Original item id")),
    responses((status = 201, body = IntelItemDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sanitise(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(request): AppJson<SanitisedRequest>,
) -> ApiResult<Response> {
    let draft = SanitisedDraft {
        text: request.text,
        place: request.place,
        handling: request.handling,
        restrictions: request.restrictions,
    };
    let view = state
        .engine
        .sanitise_intel(&actor, ItemId(id), draft, &ctx)
        .await?;
    Ok((StatusCode::CREATED, Json(IntelItemDto::from(&view))).into_response())
}

/// Records the owning unit's permission to use one of its items beyond a handling code: a judicial
/// use (H1) or a share (H2), to one unit or to any.
#[utoipa::path(post, path = "/api/v1/intel/items/{id}/permissions", tag = "intel", security(("bearer" = [])), request_body = PermissionRequest,
    params(("id" = Uuid, Path, description = "Item id")),
    responses((status = 200, body = IntelItemDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn permit(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(request): AppJson<PermissionRequest>,
) -> ApiResult<Json<IntelItemDto>> {
    let view = state
        .engine
        .permit_intel(
            &actor,
            ItemId(id),
            request.kind.into(),
            request.to_unit.map(UnitId),
            &request.reason,
            &ctx,
        )
        .await?;
    Ok(Json(IntelItemDto::from(&view)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntelFiltersDto {
    /// Département codes; "" for items placed in none.
    #[serde(default)]
    pub departements: Vec<String>,
    /// Source kinds: `human_source`, `technical`, `open_source`, `document`, `procedure`,
    /// `partner`, `protected`.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Grades as "scheme:code", e.g. "europol_4x4:B2".
    #[serde(default)]
    pub grades: Vec<String>,
    /// Owner units.
    #[serde(default)]
    pub units: Vec<Uuid>,
    /// Legal regimes (`judicial`, `administrative`...).
    #[serde(default)]
    pub regimes: Vec<String>,
    /// Observed on or after (AAAA-MM-JJ).
    #[serde(default)]
    pub observed_from: Option<String>,
    /// Observed on or before (AAAA-MM-JJ).
    #[serde(default)]
    pub observed_to: Option<String>,
    /// Items about this entity.
    #[serde(default)]
    pub about: Option<Uuid>,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IntelSortDto {
    #[default]
    Relevance,
    /// Most recently observed first.
    Recent,
}

/// A search: the words go in the body, never in the URL (they may name people).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntelSearchBody {
    /// Why the search is run; recorded in the journal (the words are not).
    pub motif: String,
    /// Words (stemmed: « livraison » finds « livraisons »), "quoted phrases" or names taken as
    /// written, -excluded words. Empty: every item in reach, with the filters.
    #[serde(default)]
    pub query: String,
    #[serde(default)]
    pub filters: IntelFiltersDto,
    #[serde(default)]
    pub sort: IntelSortDto,
    /// 1 to 100 (default 20).
    #[serde(default = "default_limit")]
    pub limit: usize,
    /// At most 10,000.
    #[serde(default)]
    pub offset: usize,
}

fn default_limit() -> usize {
    20
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExcerptDto {
    pub text: String,
    /// Byte ranges `[start, end)` of `text` that matched, to highlight.
    pub highlighted: Vec<[usize; 2]>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IntelHitDto {
    pub id: Uuid,
    pub owner_unit: Uuid,
    pub owner_name: String,
    pub observed_on: String,
    pub commune: Option<String>,
    pub departement: Option<String>,
    /// The kind of source, in French.
    pub source: String,
    /// "Europol 4x4 B2".
    pub grade: String,
    pub handling: Vec<String>,
    pub regime: String,
    pub sanitised_from: Option<Uuid>,
    pub excerpt: ExcerptDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetValueDto {
    /// The value to filter on.
    pub value: String,
    /// The value in French.
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IntelSearchDto {
    /// Matching items the caller may read (never counts hidden ones).
    pub total: usize,
    pub hits: Vec<IntelHitDto>,
    /// Per facet (`departement`, `source`, `grade`, `unit`, `regime`, `year`): values with their
    /// counts among the matching items the caller may read.
    pub facets: std::collections::BTreeMap<String, Vec<FacetValueDto>>,
    /// The journal entry of this search.
    pub journal_seq: u64,
}

pub(super) fn parse_day(
    field: &str,
    value: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<time::Date> {
    let value = value.map(str::trim).filter(|value| !value.is_empty())?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(value, format) {
        Ok(day) => Some(day),
        Err(_) => {
            errors.push(FieldError {
                field: field.to_owned(),
                message: format!("Date « {value} » invalide : attendu AAAA-MM-JJ"),
            });
            None
        }
    }
}

/// The filters and words of a search or export, as the engine takes them; a field that cannot be
/// read is named.
pub(super) fn search_request(
    query: String,
    filters: IntelFiltersDto,
    sort: IntelSortDto,
    limit: usize,
    offset: usize,
) -> Result<vigie_search::SearchRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut regimes = Vec::new();
    for regime in &filters.regimes {
        match LegalRegime::parse(regime) {
            Some(regime) => regimes.push(regime),
            None => errors.push(FieldError {
                field: "filters.regimes".to_owned(),
                message: format!("Régime juridique inconnu « {regime} »"),
            }),
        }
    }
    let observed_from = parse_day(
        "filters.observed_from",
        filters.observed_from.as_deref(),
        &mut errors,
    );
    let observed_to = parse_day(
        "filters.observed_to",
        filters.observed_to.as_deref(),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(vigie_search::SearchRequest {
        query,
        filters: vigie_search::Filters {
            departements: filters.departements,
            sources: filters.sources,
            grades: filters.grades,
            units: filters.units.into_iter().map(UnitId).collect(),
            regimes,
            observed_from,
            observed_to,
            about: filters.about.map(EntityId),
            recorded_after: None,
        },
        sort: match sort {
            IntelSortDto::Relevance => vigie_search::Sort::Relevance,
            IntelSortDto::Recent => vigie_search::Sort::Recent,
        },
        limit,
        offset,
    })
}

/// Searches the items the caller may read, in French, with filters and facets; totals and facet
/// counts never include what the caller may not see. Needs a motif; journaled before the answer.
#[utoipa::path(post, path = "/api/v1/intel/search", tag = "intel", security(("bearer" = [])), request_body = IntelSearchBody,
    responses((status = 200, body = IntelSearchDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(body): AppJson<IntelSearchBody>,
) -> ApiResult<Json<IntelSearchDto>> {
    let request = search_request(body.query, body.filters, body.sort, body.limit, body.offset)
        .map_err(vigie_engine::EngineError::Invalid)?;
    let found = state
        .engine
        .search_intel(&actor, &request, &body.motif, &ctx)
        .await?;
    Ok(Json(IntelSearchDto {
        total: found.total,
        hits: found
            .hits
            .iter()
            .map(|hit| {
                let item = &hit.item;
                IntelHitDto {
                    id: item.id.0,
                    owner_unit: item.owner_unit.0,
                    owner_name: hit.owner_name.clone(),
                    observed_on: item.observed_on.to_string(),
                    commune: item.commune.clone(),
                    departement: item.departement.clone(),
                    source: item.source.label_fr(),
                    grade: item.grade.display_fr(),
                    handling: item
                        .handling
                        .codes()
                        .into_iter()
                        .map(str::to_owned)
                        .collect(),
                    regime: item.regime.as_str().to_owned(),
                    sanitised_from: item.sanitised_from.map(|original| original.0),
                    excerpt: ExcerptDto {
                        text: hit.excerpt.text.clone(),
                        highlighted: hit
                            .excerpt
                            .highlighted
                            .iter()
                            .map(|range| [range.start, range.end])
                            .collect(),
                    },
                }
            })
            .collect(),
        facets: found
            .facets
            .iter()
            .map(|(name, values)| {
                let values = values
                    .iter()
                    .map(|value| FacetValueDto {
                        value: value.value.clone(),
                        label: value.label.clone(),
                        count: value.count,
                    })
                    .collect();
                ((*name).to_owned(), values)
            })
            .collect(),
        journal_seq: found.journal_seq,
    }))
}

#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportPurposeDto {
    /// Into a judicial file: items under H1 are held back unless their owner permitted it.
    JudicialFile,
    /// To another unit (`to_unit`): items under H2 are held back unless their owner permitted it.
    Share,
}

/// An export: the items of a search, as FollowTheMoney JSON lines (OCCRP Aleph's format).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntelExportBody {
    /// Why the items leave Vigie; recorded in the journal with each item exported.
    pub motif: String,
    pub purpose: ExportPurposeDto,
    /// For a share: the receiving unit.
    #[serde(default)]
    pub to_unit: Option<Uuid>,
    #[serde(default)]
    pub query: String,
    #[serde(default)]
    pub filters: IntelFiltersDto,
}

/// The search an export runs: every match, most recently observed first, up to the export's cap.
fn export_search(
    query: String,
    filters: IntelFiltersDto,
) -> ApiResult<vigie_search::SearchRequest> {
    Ok(search_request(
        query,
        filters,
        IntelSortDto::Recent,
        vigie_search::MAX_LIMIT,
        0,
    )
    .map_err(vigie_engine::EngineError::Invalid)?)
}

/// Exports the items of a search that the caller may read, as FollowTheMoney `Note` entities, one
/// JSON object per line (`application/x-ndjson`). Items whose handling codes forbid the purpose are
/// held back; their number is in the `Vigie-Withheld` header. At most 10,000 items (422 beyond).
/// Each exported item is journaled with the motif before the answer.
#[utoipa::path(post, path = "/api/v1/intel/export", tag = "intel", security(("bearer" = [])), request_body = IntelExportBody,
    responses((status = 200, content_type = "application/x-ndjson", body = String,
        headers(("Vigie-Withheld" = u64, description = "Items held back by their handling codes"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(body): AppJson<IntelExportBody>,
) -> ApiResult<Response> {
    let purpose = export_purpose(body.purpose, body.to_unit)?;
    let request = export_search(body.query, body.filters)?;
    let export = state
        .engine
        .export_intel(&actor, &request, &body.motif, purpose, &ctx)
        .await?;
    let mut text = export.lines.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/x-ndjson".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"vigie-renseignement.ftm.jsonl\"".to_owned(),
            ),
            (
                axum::http::HeaderName::from_static("vigie-withheld"),
                export.withheld.len().to_string(),
            ),
        ],
        text,
    )
        .into_response())
}

/// An export of a search's items as CSV, with the columns a mapping names.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntelCsvExportBody {
    /// Why the items leave Vigie; recorded in the journal with each item exported.
    pub motif: String,
    pub purpose: ExportPurposeDto,
    /// For a share: the receiving unit.
    #[serde(default)]
    pub to_unit: Option<Uuid>,
    #[serde(default)]
    pub query: String,
    #[serde(default)]
    pub filters: IntelFiltersDto,
    /// Which field of an item goes to which column, in order: `text=TEXTE,observed_on=DATE`. The
    /// fields: `id`, `observed_on`, `observed_until`, `text`, `grade`, `source` (the kind, never a
    /// human source's code), `place`, `commune`, `commune_name`, `departement`, `owner`, `handling`
    /// (codes joined by `|`), `restrictions`, `regime`, `sanitised_from`, `entities` (ids joined by
    /// `|`). Absent: reference, dates, text, grade, source, place, commune, département, owner,
    /// handling codes, restrictions and regime.
    pub mapping: Option<String>,
}

/// The purpose of an export as the engine takes it; a share names its unit.
fn export_purpose(
    purpose: ExportPurposeDto,
    to_unit: Option<Uuid>,
) -> Result<vigie_engine::ExportPurpose, vigie_engine::EngineError> {
    match (purpose, to_unit) {
        (ExportPurposeDto::JudicialFile, _) => Ok(vigie_engine::ExportPurpose::JudicialFile),
        (ExportPurposeDto::Share, Some(unit)) => Ok(vigie_engine::ExportPurpose::Share {
            to_unit: UnitId(unit),
        }),
        (ExportPurposeDto::Share, None) => {
            Err(vigie_engine::EngineError::Invalid(vec![FieldError {
                field: "to_unit".to_owned(),
                message: "Indiquez le service destinataire".to_owned(),
            }]))
        }
    }
}

/// Exports the items of a search that the caller may read as CSV (UTF-8 with a BOM, `;`-separated,
/// every cell quoted, one row per item), under the gates of `/api/v1/intel/export`: items whose
/// handling codes forbid the purpose are held back, their number in the `Vigie-Withheld` header.
/// A mapping that cannot be used is refused (422, `details[].field` = `mapping`, each fault
/// named). Each exported item is journaled with the motif before the answer.
#[utoipa::path(post, path = "/api/v1/intel/export/csv", tag = "intel", security(("bearer" = [])), request_body = IntelCsvExportBody,
    responses((status = 200, content_type = "text/csv", body = String,
        headers(("Vigie-Withheld" = u64, description = "Items held back by their handling codes"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export_csv(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(body): AppJson<IntelCsvExportBody>,
) -> ApiResult<Response> {
    let purpose = export_purpose(body.purpose, body.to_unit)?;
    let request = export_search(body.query, body.filters)?;
    let mapping = body
        .mapping
        .unwrap_or_else(|| vigie_intel::csv_entities::DEFAULT_ITEM_MAPPING.to_owned());
    let export = state
        .engine
        .export_intel_csv(&actor, &request, &mapping, &body.motif, purpose, &ctx)
        .await?;
    Ok(csv_download(export))
}

/// An export as a CSV download, with the number of items held back.
pub(crate) fn csv_download(export: vigie_engine::IntelCsvExport) -> Response {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"vigie-renseignement.csv\"".to_owned(),
            ),
            (
                axum::http::HeaderName::from_static("vigie-withheld"),
                export.withheld.len().to_string(),
            ),
        ],
        export.csv,
    )
        .into_response()
}
