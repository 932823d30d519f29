//! Geography endpoints: locate points, look communes up, the organisation map, and map outlines.
//!
//! Coordinates travel in POST bodies (a point may be the place of a report: it stays out of access
//! logs). Outlines are GeoJSON, cacheable by the browser. Bad coordinates get a 422 that says which
//! point and why; a likely latitude/longitude swap is refused, never corrected silently.

use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::extract::{ApiActor, AppJson, AppQuery};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vigie_core::entity::FieldError;
use vigie_geo::{CoordinateError, Geography, Location};

/// Most points in one batch request.
pub const MAX_BATCH_POINTS: usize = 10_000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PointDto {
    /// Latitude, WGS 84 degrees (-90 to 90).
    pub lat: f64,
    /// Longitude, WGS 84 degrees (-180 to 180).
    pub lon: f64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchLocateRequest {
    /// At most 10,000 points.
    pub points: Vec<PointDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceDto {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LocationDto {
    pub commune: PlaceDto,
    /// The municipal arrondissement, in Paris, Lyon and Marseille.
    pub arrondissement: Option<PlaceDto>,
    pub departement: PlaceDto,
    pub region: PlaceDto,
    /// The CROSS of the département (its code is the département's).
    pub cross: PlaceDto,
    pub antenna: PlaceDto,
    /// The defence and security zone.
    pub zone: PlaceDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LocateResponse {
    /// False at sea or abroad; `location` is then absent.
    pub in_france: bool,
    pub location: Option<LocationDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchLocateResponse {
    /// One answer per point, in order.
    pub results: Vec<LocateResponse>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommuneQuery {
    /// A name ("st denis"), a postcode ("13001") or an INSEE code, optionally with a département ("saint-denis 974").
    pub q: String,
    /// At most 100; 10 by default.
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommuneDto {
    pub code: String,
    pub name: String,
    /// commune, arrondissement, delegated, associated.
    pub kind: String,
    /// For an arrondissement or a former commune: the commune it belongs to.
    pub commune: Option<String>,
    pub departement: String,
    pub departement_name: String,
    pub postcodes: Vec<String>,
    pub population: u32,
    /// What a form shows: "Saint-Denis (La Réunion, 974)".
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommunesResponse {
    pub communes: Vec<CommuneDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaDto {
    pub code: String,
    pub name: String,
    pub seat: String,
    pub departements: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationDto {
    pub version: String,
    pub zones: Vec<AreaDto>,
    pub antennas: Vec<AreaDto>,
    /// One CROSS per département, keyed by its code.
    pub cross: Vec<PlaceDto>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DepartementsLayerQuery {
    /// Leaflet zoom level (outlines are simplified to about one pixel). Without `bbox`, all of France,
    /// at zoom 8 at most (under 1 MB).
    pub zoom: Option<u8>,
    /// A view, west,south,east,north in degrees (at most 6° across): only the départements it meets,
    /// at any zoom.
    pub bbox: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommunesLayerQuery {
    /// The view: west,south,east,north in degrees, at most 6° across.
    pub bbox: String,
    /// Leaflet zoom level, 10 or more.
    pub zoom: u8,
}

fn place(p: vigie_geo::Place) -> PlaceDto {
    PlaceDto {
        code: p.code,
        name: p.nom,
    }
}

fn location_dto(location: Option<Location>) -> LocateResponse {
    LocateResponse {
        in_france: location.is_some(),
        location: location.map(|l| LocationDto {
            commune: place(l.commune),
            arrondissement: l.arrondissement.map(place),
            departement: place(l.departement),
            region: place(l.region),
            cross: place(l.cross),
            antenna: place(l.antenne),
            zone: place(l.zone),
        }),
    }
}

fn coordinate_error(prefix: &str, error: CoordinateError) -> FieldError {
    let field = match error {
        CoordinateError::LatitudeOutOfRange { .. } => format!("{prefix}lat"),
        CoordinateError::LongitudeOutOfRange { .. } => format!("{prefix}lon"),
        CoordinateError::NotANumber | CoordinateError::LikelySwapped { .. } => {
            prefix.trim_end_matches('.').to_owned()
        }
    };
    FieldError {
        field: if field.is_empty() {
            "point".to_owned()
        } else {
            field
        },
        message: error.to_string(),
    }
}

fn invalid_field(field: &str, message: &str) -> ApiError {
    ApiError {
        code: ErrorCode::Validation,
        message: None,
        details: vec![FieldError {
            field: field.to_owned(),
            message: message.to_owned(),
        }],
    }
}

fn invalid_points(details: Vec<FieldError>) -> ApiError {
    let swapped = details.iter().all(|d| d.message.contains("inversées"));
    ApiError {
        code: if swapped {
            ErrorCode::LikelySwappedCoordinates
        } else {
            ErrorCode::InvalidCoordinates
        },
        message: None,
        details,
    }
}

fn locate_one(
    geo: &Geography,
    prefix: &str,
    point: &PointDto,
) -> Result<Option<Location>, FieldError> {
    geo.locate(point.lat, point.lon)
        .map_err(|e| coordinate_error(prefix, e))
}

/// Where a point falls: commune (and arrondissement), département, région, CROSS, OFAST antenna, zone.
#[utoipa::path(post, path = "/api/v1/geo/locate", tag = "geography", security(("bearer" = [])), request_body = PointDto,
    responses((status = 200, body = LocateResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn locate(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    AppJson(point): AppJson<PointDto>,
) -> ApiResult<Json<LocateResponse>> {
    let geo = state.engine.geography(&actor)?;
    let location = locate_one(geo, "", &point).map_err(|e| invalid_points(vec![e]))?;
    Ok(Json(location_dto(location)))
}

/// Locates up to 10,000 points; all or nothing: one bad point refuses the batch and names each bad one.
#[utoipa::path(post, path = "/api/v1/geo/locate/batch", tag = "geography", security(("bearer" = [])), request_body = BatchLocateRequest,
    responses((status = 200, body = BatchLocateResponse), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn locate_batch(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    AppJson(request): AppJson<BatchLocateRequest>,
) -> ApiResult<Json<BatchLocateResponse>> {
    let geo = state.engine.geography(&actor)?;
    if request.points.len() > MAX_BATCH_POINTS {
        return Err(ApiError::with_message(
            ErrorCode::PayloadTooLarge,
            format!(
                "Au plus {MAX_BATCH_POINTS} points par requête ({} reçus).",
                request.points.len()
            ),
        ));
    }
    let mut results = Vec::with_capacity(request.points.len());
    let mut errors = Vec::new();
    for (i, point) in request.points.iter().enumerate() {
        match locate_one(geo, &format!("points[{i}]."), point) {
            Ok(location) => results.push(location_dto(location)),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        errors.truncate(100);
        return Err(invalid_points(errors));
    }
    Ok(Json(BatchLocateResponse { results }))
}

/// Communes by name, postcode or INSEE code, ranked for a form; homonyms carry their département.
/// The query travels in the body: where someone lives or reports from stays out of access logs.
#[utoipa::path(post, path = "/api/v1/geo/communes/search", tag = "geography", security(("bearer" = [])), request_body = CommuneQuery,
    responses((status = 200, body = CommunesResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn communes(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    AppJson(query): AppJson<CommuneQuery>,
) -> ApiResult<Json<CommunesResponse>> {
    let geo = state.engine.geography(&actor)?;
    if query.q.chars().count() > 100 {
        return Err(invalid_field("q", "La recherche dépasse 100 caractères."));
    }
    let communes = geo
        .search_communes(&query.q, query.limit.unwrap_or(10))
        .into_iter()
        .map(|m| CommuneDto {
            code: m.code,
            name: m.nom,
            kind: serde_json::to_value(m.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            commune: m.commune,
            departement: m.departement,
            departement_name: m.departement_nom,
            postcodes: m.codes_postaux,
            population: m.population,
            label: m.libelle,
        })
        .collect();
    Ok(Json(CommunesResponse { communes }))
}

/// The CROSS, OFAST antenna and defence zone of every département.
#[utoipa::path(get, path = "/api/v1/geo/organisation", tag = "geography", security(("bearer" = [])),
    responses((status = 200, body = OrganisationDto), (status = 401, body = ErrorBody)))]
pub async fn organisation(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<OrganisationDto>> {
    let org = state.engine.geography(&actor)?.organisation();
    let area = |a: &vigie_geo::organisation::Area| AreaDto {
        code: a.code.clone(),
        name: a.nom.clone(),
        seat: a.siege.clone(),
        departements: a.departements.clone(),
    };
    Ok(Json(OrganisationDto {
        version: org.version.clone(),
        zones: org.zones.iter().map(area).collect(),
        antennas: org.antennas.iter().map(area).collect(),
        cross: org
            .cross
            .iter()
            .map(|c| PlaceDto {
                code: c.departement.clone(),
                name: c.nom.clone(),
            })
            .collect(),
    }))
}

/// GeoJSON answers that the browser may keep for an hour (the geography changes once a year).
fn geojson(body: String) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    response
}

/// Outlines of all départements (GeoJSON FeatureCollection), simplified for the zoom level.
#[utoipa::path(get, path = "/api/v1/geo/layers/departements", tag = "geography", security(("bearer" = [])), params(DepartementsLayerQuery),
    responses((status = 200, description = "GeoJSON FeatureCollection", content_type = "application/geo+json"), (status = 401, body = ErrorBody)))]
pub async fn departements_layer(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    AppQuery(query): AppQuery<DepartementsLayerQuery>,
) -> ApiResult<Response> {
    let geo = state.engine.geography(&actor)?.clone();
    let zoom = query.zoom.unwrap_or(6);
    let bbox = match query.bbox.as_deref() {
        None => None,
        Some(text) => Some(
            vigie_geo::layers::Bbox::parse(text)
                .map_err(|e| ApiError::with_message(ErrorCode::InvalidParameter, e.to_string()))?,
        ),
    };
    // The first request at a zoom builds the outlines (a few hundred ms): off the async workers.
    let json = tokio::task::spawn_blocking(move || match bbox {
        None => Ok(geo.departements_layer(zoom).as_str().to_owned()),
        Some(bbox) => geo.departements_layer_in(bbox, zoom),
    })
    .await
    .map_err(|_| ApiError::new(ErrorCode::Internal))?
    .map_err(|e| ApiError::with_message(ErrorCode::InvalidParameter, e.to_string()))?;
    Ok(geojson(json))
}

/// Outlines of the communes (arrondissements in Paris, Lyon, Marseille) in a view, from zoom 10.
#[utoipa::path(get, path = "/api/v1/geo/layers/communes", tag = "geography", security(("bearer" = [])), params(CommunesLayerQuery),
    responses((status = 200, description = "GeoJSON FeatureCollection", content_type = "application/geo+json"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn communes_layer(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    AppQuery(query): AppQuery<CommunesLayerQuery>,
) -> ApiResult<Response> {
    let geo = state.engine.geography(&actor)?.clone();
    let bbox = vigie_geo::layers::Bbox::parse(&query.bbox)
        .map_err(|e| ApiError::with_message(ErrorCode::InvalidParameter, e.to_string()))?;
    let json = tokio::task::spawn_blocking(move || geo.communes_layer(bbox, query.zoom))
        .await
        .map_err(|_| ApiError::new(ErrorCode::Internal))?
        .map_err(|e| ApiError::with_message(ErrorCode::InvalidParameter, e.to_string()))?;
    Ok(geojson(json))
}
