//! What follows a conflict, as pages: `/operations` (the unit's operation calendar, each operation
//! with the other units' operations it meets, and the declaration form with its place picker map,
//! `static/operations.js`), `/arbitrages` (referrals a unit is party to, or addressed to an arbiter)
//! and `/arbitrages/{id}` (the arbiter's view with both summaries and the decision form),
//! `/objectifs/prioritaires` (OFAST's priority list with its indicators and the committee's forms).
//! The target page's forms that refer a conflict, nominate a target and record an outcome post here
//! too.
//!
//! Every handler is one engine call, as in the API; the engine applies the policy and journals.
//! Successful changes answer 303 to a page that says what happened (`?avis=...`).

use super::format::{self, NONE};
use super::session::{PageForm, PageSession, SameOrigin};
use super::targets::{AvisParams, Posted};
use super::view::{
    Field, Layout, PriorityBlock, PriorityHistoryRow, PriorityOutcomeRow, SelectField, SelectOption,
};
use super::{render, see_other, ErrorKind, PageResult};
use crate::extract::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use vigie_core::entity::FieldError;
use vigie_core::policy::Action;
use vigie_engine::{ArbitrationCase, ArbitrationView, EngineError, OperationView};
use vigie_targets::operations::{OperationDraft, OperationId, OperationKind};
use vigie_targets::workflow::{
    ArbitrationId, DelistCriterion, PriorityEntry, PriorityStatus, OUTCOME_KINDS,
};
use vigie_targets::TargetId;

const DAY_MICROS: i64 = 86_400_000_000;
/// The calendar shows two weeks at a time.
const CALENDAR_DAYS: i64 = 14;

// ---------------------------------------------------------------------------------------------
// Shared pieces of the priority list (also on the target page).

pub(super) fn status_class(status: PriorityStatus) -> &'static str {
    match status {
        PriorityStatus::Nominated => "fr-badge--new",
        PriorityStatus::Listed => "fr-badge--success",
        PriorityStatus::Refused => "fr-badge--error",
        PriorityStatus::Delisted => "fr-badge--info",
    }
}

fn outcome_label(kind: &str) -> String {
    OUTCOME_KINDS
        .iter()
        .find(|(known, _)| *known == kind)
        .map_or_else(|| kind.to_owned(), |(_, label)| (*label).to_owned())
}

fn history_rows(entry: &PriorityEntry) -> Vec<PriorityHistoryRow> {
    entry
        .history
        .iter()
        .map(|event| PriorityHistoryRow {
            at: format::paris_minutes(event.at_micros),
            status: event.status.label_fr().to_owned(),
            criterion: event
                .criterion
                .map(|criterion| criterion.label_fr().to_owned())
                .unwrap_or_default(),
            reasons: event.reasons.clone(),
        })
        .collect()
}

fn outcome_rows(entry: &PriorityEntry) -> Vec<PriorityOutcomeRow> {
    entry
        .outcomes
        .iter()
        .map(|outcome| PriorityOutcomeRow {
            date: format::partial_date(&outcome.date),
            kind: outcome_label(&outcome.kind),
            description: outcome.description.clone(),
        })
        .collect()
}

pub(super) fn priority_block(entry: &PriorityEntry) -> PriorityBlock {
    PriorityBlock {
        status: entry.status.label_fr().to_owned(),
        status_class: status_class(entry.status),
        review_due: entry
            .review_due_micros
            .map(format::paris_day)
            .unwrap_or_default(),
        history: history_rows(entry),
        outcomes: outcome_rows(entry),
    }
}

/// The kinds of outcome as select options.
pub(super) fn outcome_options() -> Vec<(String, String)> {
    OUTCOME_KINDS
        .iter()
        .map(|(kind, label)| ((*kind).to_owned(), (*label).to_owned()))
        .collect()
}

/// The message of a conflict (the text users see).
fn other_message(error: EngineError) -> String {
    match error {
        EngineError::Conflict(message) => message,
        other => other.to_string(),
    }
}

/// Every message of a refused form, joined.
fn all_messages(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|error| error.message.clone())
        .collect::<Vec<_>>()
        .join(" ; ")
}

// ---------------------------------------------------------------------------------------------
// /operations

pub struct OverlapRow {
    pub unit: String,
    pub kind: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_tel: String,
    pub window: String,
    pub distance: String,
}

pub struct OperationRow {
    pub id: String,
    pub anchor: String,
    pub kind: String,
    pub label: String,
    pub window: String,
    pub place: String,
    pub contact: String,
    pub overlaps: Vec<OverlapRow>,
    /// Where the declaration map draws it (`operations.js`); only while it is not over.
    pub pin: Option<OperationPin>,
}

/// One of the unit's own operations on the declaration map, as data attributes of its card.
pub struct OperationPin {
    pub lat: String,
    pub lon: String,
    pub radius: u32,
    /// "lundi 23/11/2026, 21:00 → 03:00 (le 24/11/2026)", for the popup.
    pub when: String,
}

pub struct DayRow {
    pub label: String,
    pub operations: Vec<OperationRow>,
}

pub struct OperationForm {
    pub kind: SelectField,
    pub label: Field,
    pub starts: Field,
    pub ends: Field,
    pub lat: Field,
    pub lon: Field,
    pub radius: Field,
    pub contact_name: Field,
    pub contact_phone: Field,
}

#[derive(Template)]
#[template(path = "operations.html")]
pub struct OperationsPage {
    pub layout: Layout,
    pub csrf: String,
    pub success: Option<String>,
    pub overlap_count: usize,
    pub period: String,
    pub previous_href: String,
    pub next_href: String,
    pub days: Vec<DayRow>,
    pub form: OperationForm,
    pub has_errors: bool,
    /// The unit's départements, space-separated (drawn bolder on the map); empty when national.
    pub zones: String,
    pub leaflet_version: &'static str,
}

/// "21:00 → 03:00 (le 24/11/2026)": a window in Paris time, the end's day when it differs.
fn window(from: i64, to: i64) -> String {
    let end_day = format::paris_day(to);
    if end_day == format::paris_day(from) {
        format!("{} → {}", format::paris_time(from), format::paris_time(to))
    } else {
        format!(
            "{} → {} (le {end_day})",
            format::paris_time(from),
            format::paris_time(to)
        )
    }
}

fn operation_row(view: &OperationView, now_micros: i64) -> OperationRow {
    let plan = &view.plan;
    OperationRow {
        id: view.id.to_string(),
        anchor: format!("operation-{}", view.id),
        kind: plan.kind.label_fr().to_owned(),
        label: plan.label.clone(),
        window: window(plan.starts_micros, plan.ends_micros),
        place: format!(
            "{}, rayon {} m",
            plan.commune
                .clone()
                .unwrap_or_else(|| format!("{:.5}, {:.5}", plan.lat, plan.lon)),
            plan.radius_m
        ),
        contact: format!(
            "{}, {}",
            plan.contact_name,
            format::phone(&plan.contact_phone)
        ),
        overlaps: view
            .overlaps
            .iter()
            .map(|overlap| OverlapRow {
                unit: overlap.other_unit_name.clone(),
                kind: overlap.other_kind.label_fr().to_owned(),
                contact_name: overlap.contact_name.clone(),
                contact_phone: format::phone(&overlap.contact_phone),
                contact_tel: overlap.contact_phone.clone(),
                window: window(overlap.from_micros, overlap.to_micros),
                distance: format!("{} m", overlap.distance_m.round()),
            })
            .collect(),
        pin: (plan.ends_micros > now_micros).then(|| OperationPin {
            lat: format!("{:.6}", plan.lat),
            lon: format!("{:.6}", plan.lon),
            radius: plan.radius_m,
            when: format!(
                "{}, {}",
                format::paris_weekday(plan.starts_micros),
                window(plan.starts_micros, plan.ends_micros)
            ),
        }),
    }
}

/// The form's fields, filled with what was typed and its errors.
fn operation_form(posted: Option<&Posted>, errors: &[FieldError]) -> OperationForm {
    let typed = |name: &str| posted.map(|p| p.get(name).to_owned()).unwrap_or_default();
    let kinds = OperationKind::ALL
        .iter()
        .map(|kind| (kind.as_str().to_owned(), kind.label_fr().to_owned()))
        .collect();
    let mut starts = Field::text("debut", "debut", "Début (heure de Paris)")
        .value(typed("debut"))
        .required();
    starts.input_type = "datetime-local";
    let mut ends = Field::text("fin", "fin", "Fin (heure de Paris)")
        .hint("Sept jours au plus après le début")
        .value(typed("fin"))
        .required();
    ends.input_type = "datetime-local";
    let mut form = OperationForm {
        kind: SelectField::new("type", "type", "Type d'opération", kinds, &typed("type")),
        label: Field::text("intitule", "intitule", "Intitulé")
            .hint("Pour votre calendrier seulement : les autres services ne le voient jamais")
            .value(typed("intitule"))
            .required(),
        starts,
        ends,
        lat: Field::text("latitude", "latitude", "Latitude du centre")
            .hint("En degrés décimaux, par exemple 43.3736")
            .value(typed("latitude"))
            .required(),
        lon: Field::text("longitude", "longitude", "Longitude du centre")
            .hint("Par exemple 5.3589")
            .value(typed("longitude"))
            .required(),
        radius: Field::text("rayon", "rayon", "Rayon en mètres")
            .hint("De 10 à 5 000 m")
            .value(posted.map_or_else(|| "200".to_owned(), |p| p.get("rayon").to_owned()))
            .required(),
        contact_name: Field::text("responsable", "responsable", "Responsable à joindre")
            .value(typed("responsable"))
            .required(),
        contact_phone: Field::text("telephone", "telephone", "Son téléphone")
            .value(typed("telephone"))
            .required(),
    };
    for error in errors {
        let message = Some(error.message.clone());
        match error.field.as_str() {
            "kind" => form.kind.error = message,
            "label" => form.label.error = message,
            "starts_at" => form.starts.error = message,
            "ends_at" => form.ends.error = message,
            "lat" | "lon" => form.lat.error = message,
            "radius_m" => form.radius.error = message,
            "contact_name" => form.contact_name.error = message,
            "contact_phone" => form.contact_phone.error = message,
            _ => form.label.error = message,
        }
    }
    form
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CalendarParams {
    /// First day shown, "YYYY-MM-DD" (Paris); default today.
    pub debut: String,
    pub avis: String,
}

/// Midnight (Paris) of a "YYYY-MM-DD" day, or of today.
fn day_start(text: &str, now_micros: i64) -> i64 {
    let day = if text.trim().is_empty() {
        format::paris_date_value(now_micros)
    } else {
        text.trim().to_owned()
    };
    format::paris_local_input(&format!("{day}T00:00")).unwrap_or(now_micros)
}

async fn operations_page(
    state: &AppState,
    ctx: &vigie_engine::RequestContext,
    session: &PageSession,
    start_text: &str,
    avis: &str,
    form: (Option<&Posted>, &[FieldError]),
) -> PageResult {
    let now = vigie_engine::clock::micros(state.engine.now());
    let from = day_start(start_text, now);
    let to = from + CALENDAR_DAYS * DAY_MICROS;
    let views = state
        .engine
        .unit_operations(&session.actor, from, to, ctx)
        .await
        .map_err(|error| session.fail(error))?;
    let mut days: Vec<DayRow> = Vec::new();
    for view in &views {
        let label = format::paris_weekday(view.plan.starts_micros.max(from));
        match days.last_mut() {
            Some(day) if day.label == label => day.operations.push(operation_row(view, now)),
            _ => days.push(DayRow {
                label,
                operations: vec![operation_row(view, now)],
            }),
        }
    }
    let success = match avis {
        "declaree" => {
            Some("Opération déclarée et comparée à celles des autres services.".to_owned())
        }
        "annulee" => Some("Opération annulée et effacée.".to_owned()),
        _ => None,
    };
    let page = OperationsPage {
        layout: session.layout("Opérations de mon unité", "/operations"),
        csrf: session.csrf.clone(),
        success,
        overlap_count: views.iter().map(|view| view.overlaps.len()).sum(),
        period: format!(
            "{} au {}",
            format::paris_day(from),
            format::paris_day(to - 1)
        ),
        previous_href: format!(
            "/operations?debut={}",
            format::paris_date_value(from - CALENDAR_DAYS * DAY_MICROS)
        ),
        next_href: format!("/operations?debut={}", format::paris_date_value(to)),
        days,
        has_errors: !form.1.is_empty(),
        form: operation_form(form.0, form.1),
        zones: session.actor.unit.territory.codes().join(" "),
        leaflet_version: vigie_assets::leaflet_version(),
    };
    let status = if form.1.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(status, &page))
}

/// `GET /operations`: two weeks of the unit's operations with their overlaps, and the form.
pub async fn operations(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    params: Result<Query<CalendarParams>, QueryRejection>,
) -> PageResult {
    session.require(Action::PlanOperation)?;
    let params = params.map(|Query(p)| p).unwrap_or_default();
    operations_page(
        &state,
        &ctx,
        &session,
        &params.debut,
        &params.avis,
        (None, &[]),
    )
    .await
}

/// `POST /operations`: declares an operation; overlaps show on the calendar it lands on.
pub async fn declare(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::PlanOperation)?;
    let mut errors = Vec::new();
    let mut instant = |name: &str, field: &str| {
        format::paris_local_input(posted.get(name)).unwrap_or_else(|| {
            errors.push(FieldError {
                field: field.to_owned(),
                message: "Date et heure attendues".to_owned(),
            });
            0
        })
    };
    let starts_micros = instant("debut", "starts_at");
    let ends_micros = instant("fin", "ends_at");
    let number = |name: &str| {
        posted
            .get(name)
            .trim()
            .replace(',', ".")
            .parse::<f64>()
            .ok()
    };
    let (lat, lon) = match (number("latitude"), number("longitude")) {
        (Some(lat), Some(lon)) => (lat, lon),
        _ => {
            errors.push(FieldError {
                field: "lat".to_owned(),
                message: "Latitude et longitude en degrés décimaux, par exemple 43.3736 et 5.3589"
                    .to_owned(),
            });
            (0.0, 0.0)
        }
    };
    let radius_m = posted.get("rayon").trim().parse::<u32>().unwrap_or(0);
    // A refused form shows the calendar from the day typed.
    let typed_day = posted.get("debut").get(..10).unwrap_or_default();
    if !errors.is_empty() {
        return operations_page(
            &state,
            &ctx,
            &session,
            typed_day,
            "",
            (Some(&posted), &errors),
        )
        .await;
    }
    let draft = OperationDraft {
        kind: posted.get("type").to_owned(),
        label: posted.get("intitule").to_owned(),
        starts_micros,
        ends_micros,
        lat,
        lon,
        radius_m,
        contact_name: posted.get("responsable").to_owned(),
        contact_phone: posted.get("telephone").to_owned(),
    };
    match state
        .engine
        .declare_operation(&session.actor, draft, &ctx)
        .await
    {
        Ok(view) => {
            let day = format::paris_date_value(view.plan.starts_micros);
            Ok(see_other(&format!(
                "/operations?debut={day}&avis=declaree#operation-{}",
                view.id
            )))
        }
        Err(EngineError::Invalid(errors)) => {
            operations_page(
                &state,
                &ctx,
                &session,
                typed_day,
                "",
                (Some(&posted), &errors),
            )
            .await
        }
        Err(error) => Err(session.fail(error)),
    }
}

/// `POST /operations/{id}/annulation`.
pub async fn cancel(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::PlanOperation)?;
    let id = OperationId::parse(&raw).ok_or_else(|| session.fail(ErrorKind::NotFound))?;
    state
        .engine
        .cancel_operation(&session.actor, id, &ctx)
        .await
        .map_err(|error| session.fail(error))?;
    Ok(see_other("/operations?avis=annulee"))
}

// ---------------------------------------------------------------------------------------------
// /arbitrages

pub struct ArbitrationRow {
    pub href: Option<String>,
    pub parties: String,
    pub arbiter: String,
    pub referred: String,
    pub reason: String,
    pub decided: bool,
    pub decided_at: String,
    pub decision: String,
    pub motivation: String,
}

#[derive(Template)]
#[template(path = "arbitrages.html")]
pub struct ArbitrationsPage {
    pub layout: Layout,
    pub success: Option<String>,
    pub is_arbiter: bool,
    pub rows: Vec<ArbitrationRow>,
}

fn parties(view: &ArbitrationView) -> String {
    format!("{} / {}", view.first_unit_name, view.second_unit_name)
}

/// `GET /arbitrages`: the unit's referrals, or those addressed to it.
pub async fn arbitrations(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    params: Result<Query<AvisParams>, QueryRejection>,
) -> PageResult {
    let is_arbiter = session.may(Action::DecideArbitration);
    if !is_arbiter {
        session.require(Action::ReferArbitration)?;
    }
    let views = state
        .engine
        .arbitrations(&session.actor, &ctx)
        .await
        .map_err(|error| session.fail(error))?;
    let unit = session.actor.unit.id;
    let rows = views
        .iter()
        .map(|view| {
            let decision = view.arbitration.decision.as_ref();
            ArbitrationRow {
                href: (view.arbitration.arbiter == unit)
                    .then(|| format!("/arbitrages/{}", view.arbitration.id)),
                parties: parties(view),
                arbiter: view.arbiter_name.clone(),
                referred: format::paris_minutes(view.arbitration.referred_at_micros),
                reason: view.arbitration.reason.clone(),
                decided: decision.is_some(),
                decided_at: decision.map_or_else(String::new, |d| format::paris_day(d.at_micros)),
                decision: view.decision_fr().unwrap_or_default(),
                motivation: decision.map_or_else(String::new, |d| d.motivation.clone()),
            }
        })
        .collect();
    let success = match params.map(|Query(p)| p.avis).unwrap_or_default().as_str() {
        "saisi" => {
            Some("L'arbitre est saisi. Les deux services verront sa décision ici.".to_owned())
        }
        _ => None,
    };
    let page = ArbitrationsPage {
        layout: session.layout("Arbitrages", "/arbitrages"),
        success,
        is_arbiter,
        rows,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /objectifs/{id}/arbitrage`: refers a conflict of this target to the arbiter.
pub async fn refer(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    let id = super::targets::form_target(&session, &posted, Action::ReferArbitration, &raw)?;
    let other =
        TargetId::parse(posted.get("autre")).ok_or_else(|| session.fail(ErrorKind::NotFound))?;
    match state
        .engine
        .refer_arbitration(&session.actor, id, other, None, posted.get("motif"), &ctx)
        .await
    {
        Ok(_) => Ok(see_other("/arbitrages?avis=saisi")),
        // A short reason, or a referral already open for the pair: said on the target page.
        Err(error @ (EngineError::Invalid(_) | EngineError::Conflict(_))) => {
            let message = match error {
                EngineError::Invalid(errors) => all_messages(&errors),
                other => other_message(other),
            };
            let pending = super::targets::Pending::Refer(
                posted.get("autre").to_owned(),
                posted.get("motif").to_owned(),
                message,
            );
            super::targets::show_with_error(&state, &ctx, &session, id, pending).await
        }
        Err(error) => Err(session.fail(error)),
    }
}

pub struct SummaryCard {
    pub title: &'static str,
    pub unit: String,
    pub caption: String,
    pub procedure: String,
    pub regime: String,
    pub magistrate: String,
    pub contact: String,
    pub registered: String,
    pub identifiers: usize,
    pub renewals: usize,
}

#[derive(Template)]
#[template(path = "arbitrage.html")]
pub struct ArbitrationCasePage {
    pub layout: Layout,
    pub csrf: String,
    pub href: String,
    pub success: Option<String>,
    pub parties: String,
    pub referred: String,
    pub referred_by: String,
    pub reason: String,
    pub matches: String,
    pub cards: Vec<SummaryCard>,
    pub decision: Option<String>,
    pub motivation_text: String,
    pub decided_at: String,
    pub outcomes: Vec<SelectOption>,
    pub outcome_error: Option<String>,
    pub motivation: Field,
    pub has_errors: bool,
}

fn case_page(
    session: &PageSession,
    case: &ArbitrationCase,
    success: Option<String>,
    pending: Option<(&Posted, Vec<FieldError>)>,
) -> ArbitrationCasePage {
    let view = &case.view;
    let arbitration = &view.arbitration;
    let card = |title, summary: &vigie_engine::TargetSummary| SummaryCard {
        title,
        unit: summary.unit_name.clone(),
        caption: summary.caption.clone(),
        procedure: summary.procedure.clone(),
        regime: summary.regime.label_fr().to_owned(),
        magistrate: summary
            .magistrate
            .clone()
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| NONE.to_owned()),
        contact: format!(
            "{}, {}",
            summary.contact_name,
            format::phone(&summary.contact_phone)
        ),
        registered: format::paris_minutes(summary.registered_at_micros),
        identifiers: summary.identifiers,
        renewals: summary.renewals,
    };
    let chosen = pending
        .as_ref()
        .map(|(posted, _)| posted.get("issue"))
        .unwrap_or_default();
    let options = [
        (
            format!("lead:{}", arbitration.first_unit),
            format!("Direction confiée à {}", view.first_unit_name),
        ),
        (
            format!("lead:{}", arbitration.second_unit),
            format!("Direction confiée à {}", view.second_unit_name),
        ),
        (
            "co_referral".to_owned(),
            "Co-saisine des deux services".to_owned(),
        ),
        (
            "joint_team".to_owned(),
            "Équipe commune d'enquête".to_owned(),
        ),
    ];
    let mut motivation = Field::text("motivation", "motivation", "Motivation de la décision")
        .hint("Au moins 10 caractères ; elle est communiquée aux deux services")
        .required();
    let mut outcome_error = None;
    if let Some((posted, errors)) = &pending {
        motivation = motivation.value(posted.get("motivation"));
        for error in errors {
            if error.field == "motivation" {
                motivation.error = Some(error.message.clone());
            } else {
                outcome_error = Some(error.message.clone());
            }
        }
    }
    let referred_by = if arbitration.referred_by == arbitration.first_unit {
        view.first_unit_name.clone()
    } else {
        view.second_unit_name.clone()
    };
    let decision = arbitration.decision.as_ref();
    ArbitrationCasePage {
        layout: session.layout("Arbitrage", "/arbitrages"),
        csrf: session.csrf.clone(),
        href: format!("/arbitrages/{}", arbitration.id),
        success,
        parties: parties(view),
        referred: format::paris_minutes(arbitration.referred_at_micros),
        referred_by,
        reason: arbitration.reason.clone(),
        matches: {
            let labels: Vec<String> = case.matches.iter().map(|kind| kind.label_fr()).collect();
            let text = labels.join(", ");
            let mut chars = text.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        },
        cards: vec![
            card("Premier enregistré", &case.first),
            card("Second", &case.second),
        ],
        decision: view.decision_fr(),
        motivation_text: decision.map_or_else(String::new, |d| d.motivation.clone()),
        decided_at: decision.map_or_else(String::new, |d| format::paris_minutes(d.at_micros)),
        outcomes: options
            .into_iter()
            .map(|(value, label)| SelectOption {
                selected: value == chosen,
                value,
                label,
            })
            .collect(),
        outcome_error,
        motivation,
        has_errors: pending.is_some(),
    }
}

/// `GET /arbitrages/{id}`: the arbiter's view (journaled: the referral and both targets).
pub async fn case(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    params: Result<Query<AvisParams>, QueryRejection>,
) -> PageResult {
    session.require(Action::DecideArbitration)?;
    let id = ArbitrationId::parse(&raw).ok_or_else(|| session.fail(ErrorKind::NotFound))?;
    let case = state
        .engine
        .arbitration_case(&session.actor, id, &ctx)
        .await
        .map_err(|error| session.fail(error))?;
    let success = match params.map(|Query(p)| p.avis).unwrap_or_default().as_str() {
        "decide" => Some("Décision rendue : les deux services en sont informés.".to_owned()),
        _ => None,
    };
    Ok(render(
        StatusCode::OK,
        &case_page(&session, &case, success, None),
    ))
}

/// `POST /arbitrages/{id}/decision`.
pub async fn decide(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::DecideArbitration)?;
    let id = ArbitrationId::parse(&raw).ok_or_else(|| session.fail(ErrorKind::NotFound))?;
    let chosen = posted.get("issue");
    let outcome = match chosen.split_once(':') {
        Some(("lead", unit)) => {
            crate::api::workflows::outcome("lead_unit", uuid::Uuid::parse_str(unit).ok())
        }
        _ if chosen.is_empty() => Err(EngineError::Invalid(vec![FieldError {
            field: "outcome".to_owned(),
            message: "Choisissez une décision".to_owned(),
        }])),
        _ => crate::api::workflows::outcome(chosen, None),
    };
    let result = match outcome {
        Ok(outcome) => {
            state
                .engine
                .decide_arbitration(&session.actor, id, outcome, posted.get("motivation"), &ctx)
                .await
        }
        Err(error) => Err(error),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/arbitrages/{id}?avis=decide#decision"))),
        Err(EngineError::Invalid(errors)) => {
            let case = state
                .engine
                .arbitration_case(&session.actor, id, &ctx)
                .await
                .map_err(|error| session.fail(error))?;
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &case_page(&session, &case, None, Some((&posted, errors))),
            ))
        }
        Err(error) => Err(session.fail(error)),
    }
}

// ---------------------------------------------------------------------------------------------
// /objectifs/prioritaires

pub struct Tile {
    pub value: String,
    pub label: &'static str,
}

pub struct Breakdown {
    pub title: &'static str,
    pub rows: Vec<(String, usize)>,
}

pub struct PriorityRow {
    pub target: String,
    pub anchor: String,
    pub caption: String,
    pub procedure: String,
    pub unit: String,
    pub status: String,
    pub status_class: &'static str,
    pub review_due: String,
    pub overdue: bool,
    pub history: Vec<PriorityHistoryRow>,
    pub outcomes: Vec<PriorityOutcomeRow>,
    pub can_decide: bool,
    pub can_review: bool,
    pub can_add_outcome: bool,
}

#[derive(Template)]
#[template(path = "prioritaires.html")]
pub struct PriorityPage {
    pub layout: Layout,
    pub csrf: String,
    pub success: Option<String>,
    pub error: Option<String>,
    pub tiles: Vec<Tile>,
    pub breakdowns: Vec<Breakdown>,
    pub rows: Vec<PriorityRow>,
    pub criteria: Vec<(String, String)>,
    pub outcome_kinds: Vec<(String, String)>,
}

async fn priority_page(
    state: &AppState,
    ctx: &vigie_engine::RequestContext,
    session: &PageSession,
    avis: &str,
    error: Option<String>,
) -> PageResult {
    let (views, indicators) = state
        .engine
        .priority_list(&session.actor, ctx)
        .await
        .map_err(|error| session.fail(error))?;
    let rows = views
        .iter()
        .map(|view| {
            let entry = &view.entry;
            PriorityRow {
                target: entry.target.to_string(),
                anchor: format!("objectif-{}", entry.target),
                caption: view.caption.clone(),
                procedure: view.procedure.clone(),
                unit: view.unit_name.clone(),
                status: entry.status.label_fr().to_owned(),
                status_class: status_class(entry.status),
                review_due: entry
                    .review_due_micros
                    .map(format::paris_day)
                    .unwrap_or_default(),
                overdue: view.review_overdue,
                history: history_rows(entry),
                outcomes: outcome_rows(entry),
                can_decide: entry.status == PriorityStatus::Nominated,
                can_review: entry.status == PriorityStatus::Listed,
                can_add_outcome: matches!(
                    entry.status,
                    PriorityStatus::Listed | PriorityStatus::Delisted
                ),
            }
        })
        .collect();
    let success = match avis {
        "decision" => Some("Décision du comité enregistrée.".to_owned()),
        "revue" => Some("Réexamen enregistré.".to_owned()),
        "resultat" => Some("Résultat rattaché.".to_owned()),
        _ => None,
    };
    let page = PriorityPage {
        layout: session.layout("Objectifs prioritaires", "/objectifs/prioritaires"),
        csrf: session.csrf.clone(),
        success,
        error: error.clone(),
        tiles: vec![
            Tile {
                value: indicators.listed.to_string(),
                label: "objectif(s) inscrit(s)",
            },
            Tile {
                value: indicators.nominated.to_string(),
                label: "proposition(s) en attente",
            },
            Tile {
                value: indicators.reviews_overdue.to_string(),
                label: "réexamen(s) en retard",
            },
            Tile {
                value: indicators
                    .median_days_to_decision
                    .map_or_else(|| NONE.to_owned(), |days| format!("{days} j")),
                label: "délai médian de décision",
            },
            Tile {
                value: indicators.delisted.to_string(),
                label: "retiré(s) de la liste",
            },
            Tile {
                value: indicators.refused.to_string(),
                label: "refusé(s)",
            },
        ],
        breakdowns: vec![
            Breakdown {
                title: "Résultats rattachés",
                rows: indicators.outcomes.clone(),
            },
            Breakdown {
                title: "Retraits par critère",
                rows: indicators.delisted_by_criterion.clone(),
            },
            Breakdown {
                title: "Objectifs inscrits par service",
                rows: indicators.listed_by_unit.clone(),
            },
        ],
        rows,
        criteria: DelistCriterion::ALL
            .iter()
            .map(|criterion| {
                (
                    criterion.as_str().to_owned(),
                    criterion.label_fr().to_owned(),
                )
            })
            .collect(),
        outcome_kinds: outcome_options(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(status, &page))
}

/// `GET /objectifs/prioritaires`: OFAST's list, history and indicators.
pub async fn priority_list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    params: Result<Query<AvisParams>, QueryRejection>,
) -> PageResult {
    session.require(Action::DecidePriority)?;
    let avis = params.map(|Query(p)| p.avis).unwrap_or_default();
    priority_page(&state, &ctx, &session, &avis, None).await
}

/// Runs one committee action and lands on the list (or shows its error on it).
async fn committee(
    state: &AppState,
    ctx: &vigie_engine::RequestContext,
    session: &PageSession,
    id: TargetId,
    result: Result<PriorityEntry, EngineError>,
    avis: &str,
) -> PageResult {
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/objectifs/prioritaires?avis={avis}#objectif-{id}"
        ))),
        Err(EngineError::Invalid(errors)) => {
            priority_page(state, ctx, session, "", Some(all_messages(&errors))).await
        }
        Err(EngineError::Conflict(message)) => {
            priority_page(state, ctx, session, "", Some(message)).await
        }
        Err(error) => Err(session.fail(error)),
    }
}

/// `POST /objectifs/prioritaires/{id}/decision`: list or refuse.
pub async fn priority_decision(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::DecidePriority)?;
    let id = TargetId::parse(&raw).ok_or_else(|| session.fail(ErrorKind::NotFound))?;
    let list = posted.get("decision") == "list";
    let result = state
        .engine
        .decide_priority(&session.actor, id, list, posted.get("motifs"), &ctx)
        .await;
    committee(&state, &ctx, &session, id, result, "decision").await
}

/// `POST /objectifs/prioritaires/{id}/revue`: keep for six months or de-list.
pub async fn priority_review(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::DecidePriority)?;
    let id = TargetId::parse(&raw).ok_or_else(|| session.fail(ErrorKind::NotFound))?;
    let result = match crate::api::workflows::criterion(Some(posted.get("critere"))) {
        Ok(delist) => {
            state
                .engine
                .review_priority(&session.actor, id, delist, posted.get("motifs"), &ctx)
                .await
        }
        Err(error) => Err(error),
    };
    committee(&state, &ctx, &session, id, result, "revue").await
}

/// `POST /objectifs/prioritaires/{id}/resultats`: OFAST links an outcome.
pub async fn priority_outcome(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::DecidePriority)?;
    let id = TargetId::parse(&raw).ok_or_else(|| session.fail(ErrorKind::NotFound))?;
    let result = state
        .engine
        .add_priority_outcome(
            &session.actor,
            id,
            posted.get("type"),
            posted.get("date"),
            posted.get("description"),
            &ctx,
        )
        .await;
    committee(&state, &ctx, &session, id, result, "resultat").await
}
