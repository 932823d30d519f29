//! Link charts and the exchange of entities over the API: the entities around seeds, hop by hop
//! (`POST /api/v1/entities/graph`), the same chart as an i2 Analyst's Notebook document (`.../anx`),
//! as FollowTheMoney JSON lines (`.../ftm`) or one type's entities as CSV with a column mapping
//! (`.../csv`), and FtM or CSV imports (`POST /api/v1/entities/import`).
//! The engine walks only what the caller may see and journals every entity shown with the motif;
//! an import is all or nothing, every faulty line named.

use super::intel::parse_day;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::extract::{ApiActor, AppJson, AppText, Ctx};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use vigie_core::entity::{EntityId, FieldError, LegalRegime, LinkKind};
use vigie_engine::{line_errors, EngineError, EntityGraph, GraphRequest, GraphSeed, ImportOptions};
use vigie_intel::ftm_entities::read_ftm;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GraphSeedDto {
    pub id: uuid::Uuid,
    /// Links deep from this entity, 1 to 3.
    pub hops: u8,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GraphBody {
    /// Why the chart is drawn; recorded in the journal for every entity shown.
    pub motif: String,
    /// The root entity, then every entity expanded since (at most 200).
    pub seeds: Vec<GraphSeedDto>,
    /// Kinds of link to follow (`family`, `associate`...); empty or absent: all.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Only links whose period meets [from, to] (YYYY-MM-DD); links without dates are kept.
    pub from: Option<String>,
    pub to: Option<String>,
    /// At most this many entities (1 to 500, default 150).
    pub max_nodes: Option<usize>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChartPosition {
    pub x: f64,
    pub y: f64,
}

// The chart's fields are repeated rather than flattened from `GraphBody`: serde's `flatten` would
// silently accept unknown fields (a test holds this).
/// A chart request as for `/api/v1/entities/graph`, plus the positions.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnxBody {
    pub motif: String,
    pub seeds: Vec<GraphSeedDto>,
    #[serde(default)]
    pub kinds: Vec<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub max_nodes: Option<usize>,
    /// Where each entity sits on the analyst's screen, by entity id.
    #[serde(default)]
    pub positions: BTreeMap<uuid::Uuid, ChartPosition>,
}

/// A chart request as for `/api/v1/entities/graph`, plus the schema and the columns of the file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GraphCsvBody {
    pub motif: String,
    pub seeds: Vec<GraphSeedDto>,
    #[serde(default)]
    pub kinds: Vec<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub max_nodes: Option<usize>,
    /// The type of the chart's entities the file holds, one row each (`Person`, `Vehicle`...).
    pub schema: String,
    /// Which property goes to which column, in order: `lastName=NOM,firstName=PRENOM`; several
    /// values in one cell are joined by `|`. Absent: every property of the schema, to a column of
    /// its name in capitals (`firstName=FIRST_NAME`). The file reads back through
    /// `/api/v1/entities/import?format=csv` with the same mapping.
    pub mapping: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GraphNodeDto {
    pub id: uuid::Uuid,
    pub schema: String,
    pub schema_label: String,
    pub caption: String,
    pub departement: Option<String>,
    /// Links from the nearest seed (0 for a seed).
    pub hop: u8,
    pub seed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GraphEdgeDto {
    pub id: uuid::Uuid,
    pub kind: String,
    pub kind_label: String,
    pub source: uuid::Uuid,
    pub target: uuid::Uuid,
    pub start: Option<String>,
    pub end: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GraphResponse {
    pub nodes: Vec<GraphNodeDto>,
    pub edges: Vec<GraphEdgeDto>,
    /// Entities were left out: narrow the filters or the depth.
    pub truncated: bool,
    /// The journal entry of the first entity's consultation.
    pub journal_seq: u64,
}

impl From<&EntityGraph> for GraphResponse {
    fn from(graph: &EntityGraph) -> Self {
        Self {
            nodes: graph
                .nodes
                .iter()
                .map(|node| GraphNodeDto {
                    id: node.entity.id.0,
                    schema: node.entity.schema.as_str().to_owned(),
                    schema_label: node.entity.schema.label_fr().to_owned(),
                    caption: node.entity.caption.clone(),
                    departement: node.entity.departement.clone(),
                    hop: node.hop,
                    seed: node.seed,
                })
                .collect(),
            edges: graph
                .edges
                .iter()
                .map(|link| GraphEdgeDto {
                    id: link.id.0,
                    kind: link.kind.as_str().to_owned(),
                    kind_label: link.kind.label_fr().to_owned(),
                    source: link.source.0,
                    target: link.target.0,
                    start: link.start.map(|d| d.to_string()),
                    end: link.end.map(|d| d.to_string()),
                })
                .collect(),
            truncated: graph.truncated,
            journal_seq: graph.journal_seq,
        }
    }
}

impl GraphBody {
    fn request(&self) -> Result<GraphRequest, EngineError> {
        graph_request(
            &self.seeds,
            &self.kinds,
            self.from.as_deref(),
            self.to.as_deref(),
            self.max_nodes,
        )
    }
}

impl AnxBody {
    fn request(&self) -> Result<GraphRequest, EngineError> {
        graph_request(
            &self.seeds,
            &self.kinds,
            self.from.as_deref(),
            self.to.as_deref(),
            self.max_nodes,
        )
    }
}

impl GraphCsvBody {
    fn request(&self) -> Result<GraphRequest, EngineError> {
        graph_request(
            &self.seeds,
            &self.kinds,
            self.from.as_deref(),
            self.to.as_deref(),
            self.max_nodes,
        )
    }
}

/// The engine's request, every bad field named at once.
fn graph_request(
    seeds: &[GraphSeedDto],
    kind_names: &[String],
    from: Option<&str>,
    to: Option<&str>,
    max_nodes: Option<usize>,
) -> Result<GraphRequest, EngineError> {
    let mut errors = Vec::new();
    let mut kinds = Vec::with_capacity(kind_names.len());
    for kind in kind_names {
        match LinkKind::parse(kind) {
            Some(kind) => kinds.push(kind),
            None => errors.push(FieldError {
                field: "kinds".to_owned(),
                message: format!("Type de lien inconnu « {kind} »"),
            }),
        }
    }
    let from = parse_day("from", from, &mut errors);
    let to = parse_day("to", to, &mut errors);
    if !errors.is_empty() {
        return Err(EngineError::Invalid(errors));
    }
    Ok(GraphRequest {
        seeds: seeds
            .iter()
            .map(|seed| GraphSeed {
                id: EntityId(seed.id),
                hops: seed.hops,
            })
            .collect(),
        kinds,
        from,
        to,
        max_nodes,
    })
}

/// The entities around the seeds that the caller may see, with the links between them. Every
/// entity shown is journaled with the motif before the answer.
#[utoipa::path(post, path = "/api/v1/entities/graph", tag = "entities", security(("bearer" = [])), request_body = GraphBody,
    responses((status = 200, body = GraphResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn graph(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(body): AppJson<GraphBody>,
) -> ApiResult<Response> {
    let request = body.request()?;
    let graph = state
        .engine
        .entity_graph(&actor, &request, &body.motif, &ctx)
        .await?;
    Ok(super::with_journal_seq(
        graph.journal_seq,
        Json(GraphResponse::from(&graph)),
    ))
}

/// The same chart as an i2 Analyst's Notebook import document (ANX), entities where the analyst
/// placed them. Every entity exported is journaled with the motif.
#[utoipa::path(post, path = "/api/v1/entities/graph/anx", tag = "entities", security(("bearer" = [])), request_body = AnxBody,
    responses((status = 200, content_type = "application/xml", body = String), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn anx(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(body): AppJson<AnxBody>,
) -> ApiResult<Response> {
    let request = body.request()?;
    let positions: HashMap<EntityId, (f64, f64)> = body
        .positions
        .iter()
        .filter(|(_, at)| at.x.is_finite() && at.y.is_finite())
        .map(|(id, at)| (EntityId(*id), (at.x, at.y)))
        .collect();
    let document = state
        .engine
        .export_graph_anx(&actor, &request, &positions, &body.motif, &ctx)
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"schema-relationnel.anx\"",
            ),
        ],
        document,
    )
        .into_response())
}

/// The same chart as FollowTheMoney JSON lines (entities, then links), for OCCRP Aleph or another
/// Vigie. Every entity exported is journaled with the motif.
#[utoipa::path(post, path = "/api/v1/entities/graph/ftm", tag = "entities", security(("bearer" = [])), request_body = GraphBody,
    responses((status = 200, content_type = "application/x-ndjson", body = String), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn ftm(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(body): AppJson<GraphBody>,
) -> ApiResult<Response> {
    let request = body.request()?;
    let lines = state
        .engine
        .export_graph_ftm(&actor, &request, &body.motif, &ctx)
        .await?;
    let mut text = lines.join("\n");
    text.push('\n');
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"schema-relationnel.ftm.jsonl\"",
            ),
        ],
        text,
    )
        .into_response())
}

/// The entities of one type on the same chart as CSV (UTF-8 with a BOM, `;`-separated, every cell
/// quoted), one row per entity, the columns as the mapping says. Every entity of the chart is
/// journaled with the motif, as for the other exports. A mapping that does not fit the type is
/// refused (422, `details[].field` = `mapping`, each fault named).
#[utoipa::path(post, path = "/api/v1/entities/graph/csv", tag = "entities", security(("bearer" = [])), request_body = GraphCsvBody,
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn csv(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(body): AppJson<GraphCsvBody>,
) -> ApiResult<Response> {
    let request = body.request()?;
    let schema = vigie_core::entity::Schema::parse(body.schema.trim()).ok_or_else(|| {
        EngineError::Invalid(vec![FieldError {
            field: "schema".to_owned(),
            message: format!(
                "Type d'entité inconnu « {} » : Person, Vehicle, Phone, Company…",
                body.schema
            ),
        }])
    })?;
    let mapping = body
        .mapping
        .clone()
        .unwrap_or_else(|| vigie_intel::csv_entities::default_mapping(schema));
    let text = state
        .engine
        .export_graph_csv(&actor, &request, schema, &mapping, &body.motif, &ctx)
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"schema-relationnel-{}.csv\"",
                    schema.as_str().to_lowercase()
                ),
            ),
        ],
        text,
    )
        .into_response())
}

/// What holds for every record of an imported file.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Legal regime of the records: judicial, administrative, customs, municipal_police, partner.
    pub regime: String,
    /// Département code the records are located in (e.g. 13, 2A, 974), when the whole file is about one.
    pub departement: Option<String>,
    /// Where the file comes from (e.g. "export Aleph du 12/11, PV 2026/118"), kept as provenance.
    pub source: String,
    /// `ftm` (FollowTheMoney JSON lines, the default) or `csv` (one entity per row).
    pub format: Option<String>,
    /// CSV only: the type of every row's entity (Person, Vehicle, Phone...).
    pub schema: Option<String>,
    /// CSV only: which column feeds which property, e.g. `lastName=NOM,firstName=PRENOM`; several
    /// values in one cell are separated by `|`.
    pub mapping: Option<String>,
}

/// Reads the body as the format the parameters name, every fault with its line.
fn read_import(
    params: &ImportParams,
    text: &str,
) -> Result<vigie_intel::ftm_entities::FtmBatch, EngineError> {
    let invalid = |field: &str, message: String| {
        EngineError::Invalid(vec![FieldError {
            field: field.to_owned(),
            message,
        }])
    };
    match params.format.as_deref().map(str::trim) {
        None | Some("") | Some("ftm") => read_ftm(text).map_err(|errors| line_errors(&errors)),
        Some("csv") => {
            let schema = params
                .schema
                .as_deref()
                .and_then(|name| vigie_core::entity::Schema::parse(name.trim()))
                .ok_or_else(|| {
                    invalid(
                        "schema",
                        "Indiquez le type des entités du fichier (Person, Vehicle, Phone…)"
                            .to_owned(),
                    )
                })?;
            let mapping = vigie_intel::csv_entities::parse_mapping(
                params.mapping.as_deref().unwrap_or_default(),
            )
            .map_err(|message| invalid("mapping", message))?;
            vigie_intel::csv_entities::read_csv(text, schema, &mapping)
                .map_err(|errors| line_errors(&errors))
        }
        Some(other) => Err(invalid(
            "format",
            format!("Format « {other} » inconnu : ftm ou csv"),
        )),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    pub entities: usize,
    pub links: usize,
    /// Properties of the file Vigie does not model, left out: "Schema.property" → count.
    pub ignored: BTreeMap<String, usize>,
    /// The Vigie id given to each entity, by its id in the file.
    pub ids: BTreeMap<String, uuid::Uuid>,
}

/// The largest file the import route accepts (the default body limit stays for every other route).
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;

/// Imports entities and links from FollowTheMoney JSON lines (OCCRP Aleph's format), or entities
/// from a CSV file with a column mapping, all or nothing: every faulty line is reported
/// (`details[].field` is `lines[N]...`) and nothing is written unless every line is right. The
/// records belong to the caller's unit; each is journaled.
#[utoipa::path(post, path = "/api/v1/entities/import", tag = "entities", security(("bearer" = [])), params(ImportParams),
    request_body(content = String, content_type = "application/x-ndjson", description = "FtM JSON lines, or CSV (text/csv) with format=csv"),
    responses((status = 201, body = ImportResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    params: Result<axum::extract::Query<ImportParams>, axum::extract::rejection::QueryRejection>,
    AppText(text): AppText,
) -> ApiResult<Response> {
    let axum::extract::Query(params) =
        params.map_err(|_| ApiError::new(ErrorCode::InvalidParameter))?;
    let regime = LegalRegime::parse(params.regime.trim()).ok_or_else(|| {
        EngineError::Invalid(vec![FieldError {
            field: "regime".to_owned(),
            message:
                "Régime inconnu : judicial, administrative, customs, municipal_police ou partner"
                    .to_owned(),
        }])
    })?;
    let batch = read_import(&params, &text)?;
    let report = state
        .engine
        .import_ftm(
            &actor,
            batch,
            &ImportOptions {
                regime,
                departement: params.departement,
                source: params.source,
            },
            &ctx,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ImportResponse {
            entities: report.entities,
            links: report.links,
            ignored: report.ignored,
            ids: report
                .ids
                .into_iter()
                .map(|(key, id)| (key, id.0))
                .collect(),
        }),
    )
        .into_response())
}
