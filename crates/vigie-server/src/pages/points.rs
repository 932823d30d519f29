//! `/points-de-deal`: the dealing points of the reader's territory (OFAST: of France, or of a
//! chosen département) on a map and in a table that says the same, and the page of one point with
//! its lifecycle, operations, prices seen, hours, displacements and reports.
//!
//! A point is a place, not personal data: the area travels in the address (`?zone=13`), and the
//! map's script reads the points from `/points-de-deal/donnees` with the session cookie, like the
//! map page reads the outlines (Vigie's own, no tile server). The engine journals every read. The
//! script groups nearby points into clusters (Leaflet.markercluster), draws a heat view on demand
//! (Leaflet.heat), and filters the map and the table together, in the browser, by status,
//! département, product and date, with the controls this page renders from the points it read. Every
//! change to a point answers 303 to its page with a notice; a refused change shows the page again
//! with the errors beside their fields (422).

use super::format;
use super::intel::geography;
use super::reports::{
    area_label, area_scope, area_select, chosen_area, parse_decimal, point_badge, report_badge,
    reporter_messages_label, text_area, AreaScope, Badge, Check, Link,
};
use super::session::{PageForm, PageSession, SameOrigin};
use super::targets::{AvisParams, Posted};
use super::view::{Field, Layout, SelectField};
use super::{render, see_other, ErrorKind, PageError, PageResult};
use crate::extract::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;
use vigie_core::entity::FieldError;
use vigie_core::policy::Action;
use vigie_engine::{EngineError, NewPoint, PointChange, PointMarker, PointView, RequestContext};
use vigie_geo::Geography;
use vigie_reports::point::can_move;
use vigie_reports::{
    OperationKind, Pin, PointOperation, PointStatus, PriceSeen, TimeSlot, Weekday,
};

const MOTIVATION_REQUIRED: &str = "Une motivation est obligatoire pour changer le statut.";

/// `?zone=13`: the area of the map (a département code; OFAST may choose any).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AreaParams {
    zone: String,
}

fn commune_name(geography: Option<&Geography>, code: Option<&str>) -> Option<String> {
    let code = code?;
    geography
        .and_then(|geography| geography.commune(code))
        .map(|location| location.commune.nom)
}

/// The markers of the area asked for: one département at a time where the reader works in a few
/// (resurgence is derived per département), the whole country for OFAST without a choice.
async fn read_markers(
    state: &AppState,
    ctx: &RequestContext,
    session: &PageSession,
    scope: &AreaScope,
    area: Option<&str>,
) -> Result<Vec<PointMarker>, EngineError> {
    match (area, scope) {
        (Some(area), _) => {
            state
                .engine
                .points_map(&session.actor, Some(area), ctx)
                .await
        }
        (None, AreaScope::Within(codes)) if !codes.is_empty() => {
            let mut markers = Vec::new();
            for code in codes {
                markers.extend(
                    state
                        .engine
                        .points_map(&session.actor, Some(code), ctx)
                        .await?,
                );
            }
            Ok(markers)
        }
        (None, _) => state.engine.points_map(&session.actor, None, ctx).await,
    }
}

fn sort_markers(markers: &mut [PointMarker]) {
    markers.sort_by(|a, b| {
        b.resurgence_suspected
            .cmp(&a.resurgence_suspected)
            .then_with(|| a.departement.cmp(&b.departement))
            .then_with(|| a.label.to_lowercase().cmp(&b.label.to_lowercase()))
    });
}

// ---------------------------------------------------------------------------------------------
// The map and the table.

struct PointRow {
    id: String,
    href: String,
    label: String,
    commune: String,
    status: Badge,
    reports: usize,
    resurgence: bool,
}

struct LegendEntry {
    code: &'static str,
    label: &'static str,
    count: usize,
}

/// One option of a filter of the map (value, label).
struct FilterOption {
    value: String,
    label: String,
}

/// The choices of the map's filters, from the points read: the départements (offered when there
/// are several) and the products of their prices (distinct without regard to case; the value is
/// lowercased, the label keeps the first spelling).
struct PointFilters {
    departements: Vec<FilterOption>,
    products: Vec<FilterOption>,
}

fn point_filters(markers: &[PointMarker], geography: Option<&Geography>) -> PointFilters {
    let mut codes: Vec<&str> = markers
        .iter()
        .filter_map(|marker| marker.departement.as_deref())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let departements = if codes.len() > 1 {
        codes
            .into_iter()
            .map(|code| FilterOption {
                value: code.to_owned(),
                label: super::intel::departement_label(geography, code),
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut products: Vec<FilterOption> = Vec::new();
    for product in markers.iter().flat_map(|marker| &marker.products) {
        let value = product.trim().to_lowercase();
        if !value.is_empty() && !products.iter().any(|seen| seen.value == value) {
            products.push(FilterOption {
                value,
                label: product.trim().to_owned(),
            });
        }
    }
    products.sort_by(|a, b| a.value.cmp(&b.value));
    PointFilters {
        departements,
        products,
    }
}

struct CreateForm {
    label: Field,
    lat: Field,
    lon: Field,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "points.html")]
struct PointsPage {
    layout: Layout,
    csrf: String,
    area_select: Option<SelectField>,
    area_label: String,
    data_url: String,
    zones: String,
    rows: Vec<PointRow>,
    legend: Vec<LegendEntry>,
    count_label: String,
    resurgence_count: usize,
    resurgence_hint: Option<String>,
    create: Option<CreateForm>,
    has_errors: bool,
    filters: PointFilters,
    leaflet_version: &'static str,
    markercluster_version: &'static str,
    heat_version: &'static str,
    attribution: String,
}

#[derive(Default)]
struct CreatePending {
    label: String,
    lat: String,
    lon: String,
    errors: Vec<FieldError>,
}

fn error_at(errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|error| error.field == field)
        .map(|error| error.message.clone())
}

async fn points_page(
    state: &AppState,
    ctx: &RequestContext,
    session: &PageSession,
    zone: &str,
    pending: CreatePending,
    status: StatusCode,
) -> PageResult {
    let geography = geography(state, session);
    let scope = area_scope(session, Action::ReadDealingPoints);
    let area = chosen_area(&scope, zone, geography, false);
    let mut markers = read_markers(state, ctx, session, &scope, area.as_deref())
        .await
        .map_err(|error| session.fail(error))?;
    sort_markers(&mut markers);
    let rows: Vec<PointRow> = markers
        .iter()
        .map(|marker| PointRow {
            id: marker.id.to_string(),
            href: format!("/points-de-deal/{}", marker.id),
            label: marker.label.clone(),
            commune: super::reports::commune_label(
                commune_name(geography, marker.commune.as_deref()).as_deref(),
                marker.departement.as_deref(),
            ),
            status: point_badge(marker.status),
            reports: marker.reports,
            resurgence: marker.resurgence_suspected,
        })
        .collect();
    let legend = PointStatus::ALL
        .iter()
        .map(|status| LegendEntry {
            code: status.as_str(),
            label: status.label(),
            count: markers
                .iter()
                .filter(|marker| marker.status == *status)
                .count(),
        })
        .collect();
    let zones = match (&area, &scope) {
        (Some(code), _) => code.clone(),
        (None, AreaScope::Within(codes)) => codes.join(" "),
        (None, AreaScope::All) => String::new(),
    };
    let data_url = match &area {
        Some(code) => format!("/points-de-deal/donnees?zone={code}"),
        None => "/points-de-deal/donnees".to_owned(),
    };
    let resurgence_hint = (area.is_none() && matches!(scope, AreaScope::All)).then(|| {
        "La résurgence présumée d'un point se calcule département par département : choisissez-en un pour la voir."
            .to_owned()
    });
    let create = session.may(Action::ManageDealingPoints).then(|| {
        let mut label = Field::text("nouveau-point-libelle", "libelle", "Nom du point")
            .hint("Court et parlant : « Hall du 12, cité des Fleurs ». 200 caractères au plus.")
            .value(&pending.label)
            .required();
        label.error = error_at(&pending.errors, "label");
        let mut lat = Field::text("nouveau-point-lat", "lat", "Latitude")
            .hint("Degrés décimaux ; un clic sur la carte la remplit.")
            .value(&pending.lat)
            .required();
        lat.error = error_at(&pending.errors, "pin");
        let mut lon = Field::text("nouveau-point-lon", "lon", "Longitude")
            .hint("Degrés décimaux ; un clic sur la carte la remplit.")
            .value(&pending.lon)
            .required();
        lon.error = lat.error.as_ref().map(|_| String::new());
        let others: Vec<String> = pending
            .errors
            .iter()
            .filter(|error| error.field != "label" && error.field != "pin")
            .map(|error| error.message.clone())
            .collect();
        CreateForm {
            label,
            lat,
            lon,
            error: (!others.is_empty()).then(|| others.join(" ")),
        }
    });
    let resurgence_count = markers
        .iter()
        .filter(|marker| marker.resurgence_suspected)
        .count();
    let count_label = match markers.len() {
        0 => String::new(),
        1 => "1 point de deal.".to_owned(),
        count => format!("{count} points de deal."),
    };
    let page = PointsPage {
        layout: session.layout("Points de deal", "/points-de-deal"),
        csrf: session.csrf.clone(),
        area_select: area_select(
            &scope,
            area.as_deref(),
            geography,
            match scope {
                AreaScope::All => "Toute la France",
                AreaScope::Within(_) => "Tout mon territoire",
            },
            None,
            "zone-points",
        ),
        area_label: area_label(&scope, area.as_deref(), geography),
        data_url,
        zones,
        rows,
        legend,
        count_label,
        resurgence_count,
        resurgence_hint,
        has_errors: !pending.errors.is_empty(),
        create,
        filters: point_filters(&markers, geography),
        leaflet_version: vigie_assets::leaflet_version(),
        markercluster_version: vigie_assets::leaflet_markercluster_version(),
        heat_version: vigie_assets::leaflet_heat_version(),
        attribution: geography
            .map(|geography| geography.atlas().attribution.clone())
            .unwrap_or_default(),
    };
    Ok(render(status, &page))
}

/// `GET /points-de-deal`: the map and the table of the points.
pub async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    params: Result<Query<AreaParams>, QueryRejection>,
) -> PageResult {
    session.require(Action::ReadDealingPoints)?;
    let params = params.map(|Query(params)| params).unwrap_or_default();
    points_page(
        &state,
        &ctx,
        &session,
        &params.zone,
        CreatePending::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /points-de-deal`: creates a point where the coordinates fall (status « Signalé »).
pub async fn create(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::ManageDealingPoints)?;
    let mut pending = CreatePending {
        label: posted.get("libelle").to_owned(),
        lat: posted.get("lat").to_owned(),
        lon: posted.get("lon").to_owned(),
        errors: Vec::new(),
    };
    let pin = match (parse_decimal(&pending.lat), parse_decimal(&pending.lon)) {
        (Some(lat), Some(lon)) => Some(Pin { lat, lon }),
        _ => None,
    };
    let result = match pin {
        None => Err(EngineError::Invalid(vec![FieldError {
            field: "pin".to_owned(),
            message: "Indiquez la latitude et la longitude en degrés décimaux (par exemple 43.29650 et 5.36980), ou cliquez sur la carte.".to_owned(),
        }])),
        Some(pin) => {
            state
                .engine
                .create_point(
                    &session.actor,
                    NewPoint {
                        label: pending.label.clone(),
                        pin,
                        from_report: None,
                    },
                    &ctx,
                )
                .await
        }
    };
    match result {
        Ok(id) => Ok(see_other(&format!("/points-de-deal/{id}?avis=cree"))),
        Err(EngineError::Invalid(errors)) => {
            pending.errors = errors;
            points_page(
                &state,
                &ctx,
                &session,
                posted.get("zone"),
                pending,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => Err(session.fail(error)),
    }
}

/// `GET /points-de-deal/donnees?zone=13`: the points of the map as JSON (for `points.js`), and
/// `today`, the engine's Paris calendar day, from which the date filter counts its periods.
///
/// Besides what the popup shows, each point carries what the filters read: `products` (its
/// prices' products), `status_since` (the Paris day it entered its status) and `last_activity`
/// (the Paris day of its latest transition, operation or price seen), as `YYYY-MM-DD`, with their
/// `_label` in French (`DD/MM/YYYY`).
pub async fn data(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    params: Result<Query<AreaParams>, QueryRejection>,
) -> Response {
    let refuse = |status: StatusCode, message: &str| {
        (
            status,
            Json(serde_json::json!({ "error": { "message": message } })),
        )
            .into_response()
    };
    if !session.may(Action::ReadDealingPoints) {
        return refuse(
            StatusCode::FORBIDDEN,
            "Cette carte n'est pas accessible avec votre profil.",
        );
    }
    let params = params.map(|Query(params)| params).unwrap_or_default();
    let geography = geography(&state, &session);
    let scope = area_scope(&session, Action::ReadDealingPoints);
    let area = chosen_area(&scope, &params.zone, geography, false);
    let mut markers = match read_markers(&state, &ctx, &session, &scope, area.as_deref()).await {
        Ok(markers) => markers,
        Err(error) => {
            tracing::warn!(%error, "dealing points unavailable for the map");
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "Les points de deal ne peuvent pas être lus pour le moment.",
            );
        }
    };
    sort_markers(&mut markers);
    let points: Vec<serde_json::Value> = markers
        .iter()
        .map(|marker| {
            serde_json::json!({
                "id": marker.id,
                "label": marker.label,
                "lat": marker.pin.lat,
                "lon": marker.pin.lon,
                "status": marker.status.as_str(),
                "status_label": marker.status.label(),
                "commune": commune_name(geography, marker.commune.as_deref()),
                "departement": marker.departement,
                "reports": marker.reports,
                "resurgence": marker.resurgence_suspected,
                "href": format!("/points-de-deal/{}", marker.id),
                "products": marker.products,
                "status_since": format::paris_date_value(marker.status_since_micros),
                "status_since_label": format::paris_day(marker.status_since_micros),
                "last_activity": format::paris_date_value(marker.last_activity_micros),
                "last_activity_label": format::paris_day(marker.last_activity_micros),
            })
        })
        .collect();
    let today = format::paris_date_value(vigie_engine::clock::micros(state.engine.now()));
    Json(serde_json::json!({ "zone": area, "today": today, "points": points })).into_response()
}

// ---------------------------------------------------------------------------------------------
// One point.

struct HistoryRow {
    at: String,
    by: String,
    from: Badge,
    to: Badge,
    motivation: String,
}

struct OperationRow {
    date: String,
    kind: String,
    note: String,
}

struct PriceRow {
    seen_on: String,
    product: String,
    price: String,
}

struct ReportRow {
    href: String,
    received: String,
    category: String,
    status: Badge,
    messages: Option<String>,
}

struct StatusForm {
    to: SelectField,
    motivation: Field,
}

struct OperationForm {
    date: Field,
    kind: SelectField,
    note: Field,
}

struct PriceForm {
    product: Field,
    price: Field,
    unit: Field,
    seen_on: Field,
}

struct MoveForm {
    to: SelectField,
    motivation: Field,
}

#[derive(Template)]
#[template(path = "points_fiche.html")]
struct PointPage {
    layout: Layout,
    csrf: String,
    base: String,
    notice: Option<String>,
    alert: Option<String>,
    has_errors: bool,
    label: String,
    status: Badge,
    status_code: &'static str,
    commune: String,
    departement: String,
    lat: String,
    lon: String,
    created: String,
    dismantled: Option<String>,
    resurgence: bool,
    history: Vec<HistoryRow>,
    reports: Vec<ReportRow>,
    reports_note: Option<String>,
    days: String,
    slots: String,
    operations: Vec<OperationRow>,
    prices: Vec<PriceRow>,
    moved_to: Vec<Link>,
    moved_from: Vec<Link>,
    can_manage: bool,
    status_form: Option<StatusForm>,
    operation_form: OperationForm,
    price_form: PriceForm,
    day_checks: Vec<Check>,
    slot_checks: Vec<Check>,
    move_form: Option<MoveForm>,
    leaflet_version: &'static str,
}

/// The posted values and errors of the form that failed.
#[derive(Default)]
struct Pending {
    notice: Option<String>,
    form: &'static str,
    values: Vec<(String, String)>,
    errors: Vec<FieldError>,
}

impl Pending {
    fn value(&self, form: &str, name: &str) -> String {
        if self.form != form {
            return String::new();
        }
        self.values
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    }

    fn error(&self, form: &str, field: &str) -> Option<String> {
        if self.form != form {
            return None;
        }
        error_at(&self.errors, field)
    }
}

fn point_id(session: &PageSession, raw: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(raw).map_err(|_| session.fail(ErrorKind::NotFound))
}

fn list_or(values: Vec<&'static str>, none: &str) -> String {
    if values.is_empty() {
        none.to_owned()
    } else {
        values.join(", ")
    }
}

/// "12 € la barrette", "prix non relevé".
fn price_label(price: &PriceSeen) -> String {
    match price.price_eur {
        Some(eur) => {
            let amount = if eur.fract() == 0.0 {
                format!("{eur:.0}")
            } else {
                format!("{eur:.2}").replace('.', ",")
            };
            if price.unit.trim().is_empty() {
                format!("{amount} €")
            } else {
                format!("{amount} € ({})", price.unit.trim())
            }
        }
        None => "Prix non relevé".to_owned(),
    }
}

/// "2026-11-24" → "24/11/2026".
fn iso_day(text: &str) -> String {
    let parts: Vec<&str> = text.trim().split('-').collect();
    match parts.as_slice() {
        [year, month, day] => format!("{day}/{month}/{year}"),
        _ => text.to_owned(),
    }
}

async fn point_page(
    state: &AppState,
    ctx: &RequestContext,
    session: &PageSession,
    view: &PointView,
    pending: Pending,
) -> PointPage {
    let geography = geography(state, session);
    let point = &view.point;
    let base = format!("/points-de-deal/{}", point.id);
    let history = point
        .history
        .iter()
        .rev()
        .map(|transition| HistoryRow {
            at: format::paris_minutes(transition.at_micros),
            by: transition.by.clone(),
            from: point_badge(transition.from),
            to: point_badge(transition.to),
            motivation: transition.motivation.clone(),
        })
        .collect();
    let reports: Vec<ReportRow> = view
        .reports
        .iter()
        .map(|summary| ReportRow {
            href: format!("/signalements/{}", summary.id),
            received: super::reports::hour_range(summary.received_at),
            category: summary.category.label().to_owned(),
            status: report_badge(summary.status),
            messages: reporter_messages_label(summary.reporter_messages),
        })
        .collect();
    let hidden = point.reports.len().saturating_sub(reports.len());
    let reports_note = match (hidden, session.may(Action::TriageReports)) {
        (0, _) => None,
        (1, true) => Some("1 autre signalement rattaché n'est pas dans votre file.".to_owned()),
        (n, true) => Some(format!(
            "{n} autres signalements rattachés ne sont pas dans votre file."
        )),
        (1, false) => Some("1 signalement rattaché, que seule la CROSS consulte.".to_owned()),
        (n, false) => Some(format!(
            "{n} signalements rattachés, que seule la CROSS consulte."
        )),
    };
    let operations = point
        .operations
        .iter()
        .rev()
        .map(|operation| OperationRow {
            date: iso_day(&operation.date),
            kind: operation.kind.label().to_owned(),
            note: operation.note.trim().to_owned(),
        })
        .collect();
    let prices = point
        .prices
        .iter()
        .rev()
        .map(|price| PriceRow {
            seen_on: iso_day(&price.seen_on),
            product: price.product.trim().to_owned(),
            price: price_label(price),
        })
        .collect();
    let link = |(id, label): &(Uuid, String)| Link {
        href: format!("/points-de-deal/{id}"),
        label: label.clone(),
    };
    let can_manage = view.can_manage;
    let targets: Vec<(String, String)> = PointStatus::ALL
        .iter()
        .filter(|to| can_move(point.status, **to))
        .map(|to| (to.as_str().to_owned(), to.label().to_owned()))
        .collect();
    let status_form = (can_manage && !targets.is_empty()).then(|| {
        let mut options = vec![(String::new(), "— Choisir —".to_owned())];
        options.extend(targets);
        let preselected = match pending.value("statut", "statut") {
            value if !value.is_empty() => value,
            _ if view.resurgence_suspected && can_move(point.status, PointStatus::Resurgent) => {
                PointStatus::Resurgent.as_str().to_owned()
            }
            _ => String::new(),
        };
        let mut to = SelectField::new(
            "point-statut",
            "statut",
            "Nouveau statut",
            options,
            &preselected,
        );
        to.error = pending.error("statut", "status");
        StatusForm {
            to,
            motivation: text_area(
                "point-statut-motivation",
                "motivation",
                "Motivation",
                "Obligatoire : ce qui justifie ce changement (observation, opération, signalements…). Elle est conservée dans l'historique du point.",
                &pending.value("statut", "motivation"),
                pending.error("statut", "motivation"),
            ),
        }
    });
    let mut date = Field::text("operation-date", "date", "Date de l'opération")
        .value(pending.value("operation", "date"))
        .required();
    date.input_type = "date";
    date.error = pending.error("operation", "date");
    let mut kind = SelectField::new(
        "operation-type",
        "type",
        "Type d'opération",
        OperationKind::ALL
            .iter()
            .map(|kind| (kind.as_str().to_owned(), kind.label().to_owned()))
            .collect(),
        &pending.value("operation", "type"),
    );
    kind.error = pending.error("operation", "kind");
    let operation_form = OperationForm {
        date,
        kind,
        note: {
            let mut note = text_area(
                "operation-note",
                "note",
                "Note (facultative)",
                "Résultats, saisies, suites : 2000 caractères au plus.",
                &pending.value("operation", "note"),
                pending.error("operation", "note"),
            );
            note.required = false;
            note
        },
    };
    let mut product = Field::text("prix-produit", "produit", "Produit")
        .hint("Résine de cannabis, herbe, cocaïne…")
        .value(pending.value("prix", "produit"))
        .required();
    product.error = pending.error("prix", "product");
    let mut price = Field::text("prix-montant", "prix", "Prix en euros (facultatif)")
        .hint("Par exemple 10 ou 12,50")
        .value(pending.value("prix", "prix"));
    price.error = pending.error("prix", "price_eur");
    let mut unit = Field::text("prix-unite", "unite", "Unité")
        .hint("g, barrette, pochon… (obligatoire avec un prix)")
        .value(pending.value("prix", "unite"));
    unit.error = pending.error("prix", "unit");
    let mut seen_on = Field::text("prix-date", "date", "Relevé le")
        .value(pending.value("prix", "date"))
        .required();
    seen_on.input_type = "date";
    seen_on.error = pending.error("prix", "seen_on");
    let day_checks = Weekday::ALL
        .iter()
        .map(|day| Check {
            id: format!("jour-{}", day.as_str()),
            name: "jours",
            value: day.as_str(),
            label: day.label(),
            checked: point.days.contains(day),
        })
        .collect();
    let slot_checks = TimeSlot::ALL
        .iter()
        .map(|slot| Check {
            id: format!("creneau-{}", slot.as_str()),
            name: "creneaux",
            value: slot.as_str(),
            label: slot.label(),
            checked: point.slots.contains(slot),
        })
        .collect();
    // The points it may have moved to: the others of its area the reader may see.
    let move_form = if can_manage {
        let area = point.departement.clone();
        match state
            .engine
            .points_map(
                &session.actor,
                Some(area.as_deref().unwrap_or("national")),
                ctx,
            )
            .await
        {
            Ok(markers) => {
                let mut options: Vec<(String, String)> = markers
                    .iter()
                    .filter(|marker| marker.id != point.id && !point.moved_to.contains(&marker.id))
                    .map(|marker| {
                        let commune = commune_name(geography, marker.commune.as_deref())
                            .map(|name| format!(" — {name}"))
                            .unwrap_or_default();
                        (
                            marker.id.to_string(),
                            format!("{}{commune} ({})", marker.label, marker.status.label()),
                        )
                    })
                    .collect();
                options.sort_by_key(|option| option.1.to_lowercase());
                (!options.is_empty()).then(|| {
                    let mut all = vec![(String::new(), "— Choisir le nouveau point —".to_owned())];
                    all.extend(options);
                    let mut to = SelectField::new(
                        "deplacement-vers",
                        "vers",
                        "Ce point s'est déplacé vers…",
                        all,
                        &pending.value("deplacement", "vers"),
                    );
                    to.error = pending.error("deplacement", "to");
                    MoveForm {
                        to,
                        motivation: text_area(
                            "deplacement-motivation",
                            "motivation",
                            "Motivation",
                            "Obligatoire : ce qui montre que le trafic s'est déplacé (observation, signalements, opération).",
                            &pending.value("deplacement", "motivation"),
                            pending.error("deplacement", "motivation"),
                        ),
                    }
                })
            }
            Err(error) => {
                tracing::warn!(%error, "dealing points unavailable for the displacement form");
                None
            }
        }
    } else {
        None
    };
    PointPage {
        layout: session.layout(point.label.clone(), "/points-de-deal"),
        csrf: session.csrf.clone(),
        notice: pending.notice.clone(),
        alert: error_at(&pending.errors, "conflict"),
        has_errors: !pending.errors.is_empty(),
        label: point.label.clone(),
        status: point_badge(point.status),
        status_code: point.status.as_str(),
        commune: match (&view.commune_name, &point.commune) {
            (Some(name), Some(code)) => format!("{name} ({code})"),
            (None, Some(code)) => code.clone(),
            _ => "Hors commune connue".to_owned(),
        },
        departement: point.departement.as_deref().map_or_else(
            || "Aucun".to_owned(),
            |code| super::intel::departement_label(geography, code),
        ),
        lat: format!("{:.5}", point.pin.lat),
        lon: format!("{:.5}", point.pin.lon),
        created: format::paris_minutes(point.created_at_micros),
        dismantled: point.dismantled_at_micros.map(format::paris_day),
        resurgence: view.resurgence_suspected,
        history,
        reports,
        reports_note,
        days: list_or(
            point.days.iter().map(|day| day.label()).collect(),
            "Non renseignés",
        ),
        slots: list_or(
            point.slots.iter().map(|slot| slot.label()).collect(),
            "Non renseignés",
        ),
        operations,
        prices,
        moved_to: view.moved_to.iter().map(link).collect(),
        moved_from: view.moved_from.iter().map(link).collect(),
        can_manage,
        status_form,
        operation_form,
        price_form: PriceForm {
            product,
            price,
            unit,
            seen_on,
        },
        day_checks,
        slot_checks,
        move_form,
        leaflet_version: vigie_assets::leaflet_version(),
        base,
    }
}

async fn show_point(
    state: &AppState,
    ctx: &RequestContext,
    session: &PageSession,
    id: Uuid,
    pending: Pending,
    status: StatusCode,
) -> PageResult {
    let view = state
        .engine
        .point(&session.actor, id, ctx)
        .await
        .map_err(|error| session.fail(error))?;
    let page = point_page(state, ctx, session, &view, pending).await;
    Ok(render(status, &page))
}

/// `GET /points-de-deal/{id}`: the point's page.
pub async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    params: Result<Query<AvisParams>, QueryRejection>,
) -> PageResult {
    session.require(Action::ReadDealingPoints)?;
    let id = point_id(&session, &raw)?;
    let notice = match params.map(|Query(p)| p.avis).unwrap_or_default().as_str() {
        "cree" => Some("Point de deal créé, au statut « Signalé ».".to_owned()),
        "statut" => Some("Statut du point changé.".to_owned()),
        "operation" => Some("Opération enregistrée.".to_owned()),
        "prix" => Some("Prix relevé enregistré.".to_owned()),
        "horaires" => Some("Jours et créneaux enregistrés.".to_owned()),
        "deplacement" => {
            Some("Déplacement enregistré : les deux points sont désormais liés.".to_owned())
        }
        _ => None,
    };
    show_point(
        &state,
        &ctx,
        &session,
        id,
        Pending {
            notice,
            ..Pending::default()
        },
        StatusCode::OK,
    )
    .await
}

/// Applies a change: 303 to the page with `avis` when done, the page with the form's errors
/// (422) when refused.
#[allow(clippy::too_many_arguments)]
async fn apply(
    state: &AppState,
    ctx: &RequestContext,
    session: &PageSession,
    id: Uuid,
    form: &'static str,
    posted: &Posted,
    names: &[&str],
    change: Result<PointChange, Vec<FieldError>>,
    avis: &str,
    anchor: &str,
) -> PageResult {
    let result = match change {
        Ok(change) => state
            .engine
            .update_point(&session.actor, id, change, ctx)
            .await
            .map(|_| ()),
        Err(errors) => Err(EngineError::Invalid(errors)),
    };
    let pending = |errors: Vec<FieldError>| Pending {
        notice: None,
        form,
        values: names
            .iter()
            .map(|name| ((*name).to_owned(), posted.get(name).to_owned()))
            .collect(),
        errors,
    };
    match result {
        Ok(()) => Ok(see_other(&format!(
            "/points-de-deal/{id}?avis={avis}#{anchor}"
        ))),
        Err(EngineError::Invalid(errors)) => {
            show_point(
                state,
                ctx,
                session,
                id,
                pending(errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(EngineError::Conflict(_)) => show_point(
            state,
            ctx,
            session,
            id,
            pending(vec![FieldError {
                field: "conflict".to_owned(),
                message: "Ce point a été modifié entre-temps par quelqu'un d'autre : voici sa version à jour. Recommencez si nécessaire.".to_owned(),
            }]),
            StatusCode::CONFLICT,
        )
        .await,
        Err(error) => Err(session.fail(error)),
    }
}

fn field_error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.into(),
    }
}

fn required_motivation(motivation: &str, errors: &mut Vec<FieldError>, message: &str) {
    if motivation.trim().is_empty() {
        errors.push(field_error("motivation", message));
    }
}

/// `POST /points-de-deal/{id}/statut`.
pub async fn change_status(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::ManageDealingPoints)?;
    let id = point_id(&session, &raw)?;
    let mut errors = Vec::new();
    let to = PointStatus::parse(posted.get("statut"));
    if to.is_none() {
        errors.push(field_error("status", "Choisissez le nouveau statut."));
    }
    let motivation = posted.get("motivation");
    required_motivation(motivation, &mut errors, MOTIVATION_REQUIRED);
    let change = match to {
        Some(to) if errors.is_empty() => Ok(PointChange::Status {
            to,
            motivation: motivation.to_owned(),
        }),
        _ => Err(errors),
    };
    apply(
        &state,
        &ctx,
        &session,
        id,
        "statut",
        &posted,
        &["statut", "motivation"],
        change,
        "statut",
        "historique",
    )
    .await
}

/// `POST /points-de-deal/{id}/operations`.
pub async fn add_operation(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::ManageDealingPoints)?;
    let id = point_id(&session, &raw)?;
    let change = match OperationKind::parse(posted.get("type")) {
        Some(kind) => Ok(PointChange::Operation(PointOperation {
            date: posted.get("date").trim().to_owned(),
            kind,
            note: posted.get("note").trim().to_owned(),
        })),
        None => Err(vec![field_error("kind", "Choisissez le type d'opération.")]),
    };
    apply(
        &state,
        &ctx,
        &session,
        id,
        "operation",
        &posted,
        &["date", "type", "note"],
        change,
        "operation",
        "operations",
    )
    .await
}

/// `POST /points-de-deal/{id}/prix`.
pub async fn add_price(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::ManageDealingPoints)?;
    let id = point_id(&session, &raw)?;
    let raw_price = posted.get("prix").trim();
    let change = if raw_price.is_empty() {
        Ok(None)
    } else {
        parse_decimal(raw_price).map(Some).ok_or_else(|| {
            vec![field_error(
                "price_eur",
                "Le prix doit être un montant en euros, par exemple 10 ou 12,50.",
            )]
        })
    }
    .map(|price_eur| {
        PointChange::Price(PriceSeen {
            product: posted.get("produit").trim().to_owned(),
            price_eur,
            unit: posted.get("unite").trim().to_owned(),
            seen_on: posted.get("date").trim().to_owned(),
        })
    });
    apply(
        &state,
        &ctx,
        &session,
        id,
        "prix",
        &posted,
        &["produit", "prix", "unite", "date"],
        change,
        "prix",
        "prix",
    )
    .await
}

/// `POST /points-de-deal/{id}/horaires`: the days and time slots the point is active.
pub async fn set_hours(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::ManageDealingPoints)?;
    let id = point_id(&session, &raw)?;
    let days: Vec<Weekday> = Weekday::ALL
        .into_iter()
        .filter(|day| posted.all("jours").contains(&day.as_str()))
        .collect();
    let slots: Vec<TimeSlot> = TimeSlot::ALL
        .into_iter()
        .filter(|slot| posted.all("creneaux").contains(&slot.as_str()))
        .collect();
    apply(
        &state,
        &ctx,
        &session,
        id,
        "horaires",
        &posted,
        &[],
        Ok(PointChange::Hours { days, slots }),
        "horaires",
        "horaires",
    )
    .await
}

/// `POST /points-de-deal/{id}/deplacement`: the dealing moved from this point to another.
pub async fn moved(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::ManageDealingPoints)?;
    let id = point_id(&session, &raw)?;
    let mut errors = Vec::new();
    let to = Uuid::parse_str(posted.get("vers").trim()).ok();
    if to.is_none() {
        errors.push(field_error(
            "to",
            "Choisissez le point vers lequel le trafic s'est déplacé.",
        ));
    }
    let motivation = posted.get("motivation");
    required_motivation(motivation, &mut errors, "Une motivation est obligatoire.");
    let change = match to {
        Some(to) if errors.is_empty() => Ok(PointChange::MovedTo {
            to,
            motivation: motivation.to_owned(),
        }),
        _ => Err(errors),
    };
    apply(
        &state,
        &ctx,
        &session,
        id,
        "deplacement",
        &posted,
        &["vers", "motivation"],
        change,
        "deplacement",
        "deplacements",
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_and_days_read_in_french() {
        let price = |price_eur, unit: &str| PriceSeen {
            product: "résine".to_owned(),
            price_eur,
            unit: unit.to_owned(),
            seen_on: "2026-11-24".to_owned(),
        };
        assert_eq!(price_label(&price(Some(10.0), "g")), "10 € (g)");
        assert_eq!(
            price_label(&price(Some(12.5), "barrette")),
            "12,50 € (barrette)"
        );
        assert_eq!(price_label(&price(None, "")), "Prix non relevé");
        assert_eq!(iso_day("2026-11-24"), "24/11/2026");
    }
}
