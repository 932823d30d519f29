//! The OpenAPI document, generated from the handlers' annotations, served at `/api/openapi.json` and
//! committed as `openapi.json` at the repository root (a test fails when the two differ).

use crate::api;
use crate::error::{ErrorBody, ErrorDetail, FieldDetail};
use crate::AppState;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Vigie", description = "API du système d'information partagé de la lutte contre le trafic de stupéfiants. \
Every consultation of personal data states a motif and is journaled before the answer; errors share one format with stable codes."),
    paths(
        api::health, api::login, api::logout, api::me, api::search, api::consult, api::graph::graph, api::graph::anx, api::graph::ftm, api::graph::csv, api::graph::import, api::create_entity, api::create_link,
        api::facts::add_fact, api::facts::suggestions, api::facts::merge, api::facts::unmerge,
        api::journal, api::list_units, api::create_unit, api::list_accounts, api::create_account,
        api::disable_account, api::enable_account, api::move_account,
        api::geo::locate, api::geo::locate_batch, api::geo::communes, api::geo::organisation,
        api::geo::departements_layer, api::geo::communes_layer,
        api::targets::register, api::targets::register_bulk, api::targets::list, api::targets::show,
        api::targets::add_identifiers, api::targets::renew, api::targets::end, api::targets::notices,
        api::targets::check, api::targets::alerts,
        api::workflows::declare_operation, api::workflows::operations, api::workflows::cancel_operation,
        api::workflows::refer, api::workflows::arbitrations, api::workflows::arbitration, api::workflows::decide,
        api::workflows::nominate, api::workflows::priority_list, api::workflows::priority_decision,
        api::workflows::priority_review, api::workflows::priority_outcome,
        api::intel::record, api::intel::consult, api::intel::sanitise, api::intel::permit, api::intel::search, api::intel::export, api::intel::export_csv,
        api::watches::list, api::watches::create, api::watches::seen, api::watches::delete,
        api::reports::public_challenge, api::reports::public_submit, api::reports::receipt_status,
        api::reports::receipt_message, api::reports::public_communes,
        api::reports::partner_submit, api::reports::partner_reports, api::reports::partner_digest,
        api::reports::queue, api::reports::consult, api::reports::change_status, api::reports::add_note,
        api::reports::send_message, api::reports::photo,
        api::reports::points, api::reports::create_point, api::reports::point, api::reports::change_point,
    ),
    components(schemas(ErrorBody, ErrorDetail, FieldDetail)),
    modifiers(&BearerAuth),
    tags(
        (name = "session", description = "Connexion et session"),
        (name = "entities", description = "Entités : recherche, consultation, enregistrement"),
        (name = "journal", description = "Journal des consultations (auditeurs)"),
        (name = "administration", description = "Unités et comptes (administrateurs)"),
        (name = "geography", description = "Géographie : localisation, communes, CROSS, antennes, zones, contours"),
        (name = "targets", description = "Fichier national des objectifs, déconfliction, opérations, arbitrages, objectifs prioritaires"),
        (name = "intel", description = "Renseignement : éléments cotés, copies épurées, autorisations"),
        (name = "reports", description = "Signalements des riverains et des partenaires, tri par les CROSS, points de deal"),
        (name = "operations", description = "Supervision"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The document as committed: pretty JSON with a trailing newline.
pub fn document() -> String {
    let json = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    format!("{json}\n")
}

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/openapi.json",
        get(|| async { Json(ApiDoc::openapi()) }),
    )
}
