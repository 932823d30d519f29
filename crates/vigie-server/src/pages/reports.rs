//! `/signalements`: the CROSS's triage queue of residents' and partners' reports, and the page of
//! one report.
//!
//! The queue lists what triage needs to pick a report (hour of arrival, channel, category,
//! commune, status, photos, the reporter's new messages), never its text; its filters (area for
//! OFAST, status tab, closed reports) are posted, or given in the address, since none of them is
//! personal data. It also names the dealing points of the area where reports suggest a resurgence.
//!
//! A report is personal data: `GET /signalements/{id}` only asks for the motif, and the report is
//! shown in the answer to `POST /signalements/{id}/consultation`. Every action on the report page
//! (status change, attachment to a point, internal note, message to the reporter, creation of a
//! dealing point) is a form that carries the motif in a hidden field, and its answer is the report
//! read again with that motif (journaled again): the motif never reaches a URL, and the analyst
//! lands on the report as it now stands. Photos are served one by one, each read journaled.

use super::format;
use super::intel::{departement_label, geography};
use super::session::{PageForm, PageSession, SameOrigin};
use super::targets::Posted;
use super::view::{Field, Layout, SelectField};
use super::{render, ErrorKind, PageError, PageResult};
use crate::extract::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;
use vigie_core::entity::FieldError;
use vigie_core::policy::{search_scope, Action, Places, Subject};
use vigie_engine::{
    EngineError, NewPoint, QueueFilter, ReportDetail, ReportSummary, RequestContext, NATIONAL_AREA,
};
use vigie_geo::Geography;
use vigie_reports::status::can_move;
use vigie_reports::{Channel, MessageFrom, Pin, PointStatus, ReportStatus, ReporterStatus};

/// The motif's hint, on the motif page.
const MOTIF_HINT: &str = "Obligatoire : la procédure, l'affaire ou la mission qui justifie la consultation (3 caractères au moins). Il est enregistré au journal.";
const MOTIF_REQUIRED: &str = "Indiquez le motif de la consultation (3 caractères au moins).";
const MOTIVATION_REQUIRED: &str = "Une motivation est obligatoire pour changer le statut.";
const CONFLICT: &str = "Ce signalement a été modifié entre-temps par quelqu'un d'autre : voici sa version à jour. Vérifiez-la, puis recommencez si nécessaire.";
/// The tab of reports still open (every status but the closed ones).
const OPEN_TAB: &str = "ouverts";

// ---------------------------------------------------------------------------------------------
// Shared with the dealing points' and the partners' pages.

/// A DSFR badge: its text and its colour class.
pub(super) struct Badge {
    pub label: String,
    pub class: &'static str,
}

/// A checkbox of a group (days, time slots).
pub(super) struct Check {
    pub id: String,
    pub name: &'static str,
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

/// A link.
pub(super) struct Link {
    pub href: String,
    pub label: String,
}

pub(super) fn report_badge(status: ReportStatus) -> Badge {
    let class = match status {
        ReportStatus::New => "fr-badge--new",
        ReportStatus::ToQualify => "fr-badge--warning",
        ReportStatus::Qualified => "fr-badge--info",
        ReportStatus::Attached => "fr-badge--success",
        ReportStatus::PassedToService => "fr-badge--purple-glycine",
        ReportStatus::NoFurtherAction => "fr-badge--no-icon",
        ReportStatus::SuspectedMalicious => "fr-badge--error",
    };
    Badge {
        label: status.label().to_owned(),
        class,
    }
}

pub(super) fn point_badge(status: PointStatus) -> Badge {
    let class = match status {
        PointStatus::Reported => "fr-badge--yellow-tournesol",
        PointStatus::Confirmed => "fr-badge--orange-terre-battue",
        PointStatus::Active => "fr-badge--error",
        PointStatus::Dismantled => "fr-badge--success",
        PointStatus::UnderWatch => "fr-badge--info",
        PointStatus::Resurgent => "fr-badge--pink-macaron",
        PointStatus::Closed => "fr-badge--no-icon",
    };
    Badge {
        label: status.label().to_owned(),
        class,
    }
}

pub(super) fn reporter_badge(status: ReporterStatus) -> Badge {
    let class = match status {
        ReporterStatus::Received => "fr-badge--new",
        ReporterStatus::InProgress => "fr-badge--info",
        ReporterStatus::Processed => "fr-badge--success",
    };
    Badge {
        label: status.label().to_owned(),
        class,
    }
}

/// Whether a report has left the queue of open reports.
pub(super) fn is_closed(status: ReportStatus) -> bool {
    matches!(
        status,
        ReportStatus::NoFurtherAction
            | ReportStatus::SuspectedMalicious
            | ReportStatus::PassedToService
    )
}

fn paris(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(format::paris_offset(at))
}

/// "entre 14 h et 15 h, le 24/11/2026" (Paris time): the hour a report arrived in, the only time
/// kept of it.
pub(super) fn hour_range(at: OffsetDateTime) -> String {
    let start = paris(at);
    let end = paris(at + time::Duration::HOUR);
    let end_label = if end.hour() == 0 {
        "minuit".to_owned()
    } else {
        format!("{} h", end.hour())
    };
    format!(
        "entre {} h et {end_label}, le {}",
        start.hour(),
        format::date(start.date())
    )
}

/// The Paris day of an instant: "24/11/2026".
pub(super) fn day(at: OffsetDateTime) -> String {
    format::date(paris(at).date())
}

/// "à 85 m", "à 1,2 km", or "même commune" when the report has no pin.
pub(super) fn distance_label(distance_m: Option<f64>) -> String {
    match distance_m {
        None => "même commune".to_owned(),
        Some(metres) if metres < 1000.0 => format!("à {} m", metres.round()),
        Some(metres) => format!("à {:.1} km", metres / 1000.0).replace('.', ","),
    }
}

/// "42 %".
pub(super) fn percent(similarity: f64) -> String {
    format!("{} %", (similarity.clamp(0.0, 1.0) * 100.0).round())
}

/// A decimal number typed by a person: "43,2965" or "43.2965".
pub(super) fn parse_decimal(text: &str) -> Option<f64> {
    let text = text.trim().replace(',', ".");
    text.parse::<f64>().ok().filter(|value| value.is_finite())
}

/// "Marseille (13)", "Marseille", or "Non localisé".
pub(super) fn commune_label(name: Option<&str>, departement: Option<&str>) -> String {
    match (name, departement) {
        (Some(name), Some(departement)) => format!("{name} ({departement})"),
        (Some(name), None) => name.to_owned(),
        (None, Some(departement)) => format!("Département {departement}"),
        (None, None) => "Non localisé".to_owned(),
    }
}

/// "1 photo", "2 photos", "Aucune".
fn photos_label(count: usize) -> String {
    match count {
        0 => "Aucune".to_owned(),
        1 => "1 photo".to_owned(),
        count => format!("{count} photos"),
    }
}

/// « 1 nouveau message du déclarant », « 3 nouveaux messages du déclarant ».
pub(super) fn reporter_messages_label(count: usize) -> Option<String> {
    match count {
        0 => None,
        1 => Some("1 nouveau message du déclarant".to_owned()),
        count => Some(format!("{count} nouveaux messages du déclarant")),
    }
}

/// A textarea's field (rendered by `signalements_macros.html`'s `textarea`).
pub(super) fn text_area(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    value: &str,
    error: Option<String>,
) -> Field {
    let mut field = Field::text(id, name, label)
        .hint(hint)
        .value(value)
        .required();
    field.error = error;
    field
}

/// Where an actor may work for `action`: everywhere (OFAST), or within départements.
pub(super) enum AreaScope {
    All,
    Within(Vec<String>),
}

pub(super) fn area_scope(session: &PageSession, action: Action) -> AreaScope {
    let actor = &session.actor;
    let subject = Subject {
        role: actor.role(),
        unit: actor.unit.id,
        unit_kind: actor.unit.kind,
        territory: &actor.unit.territory,
    };
    match search_scope(&subject, action)
        .and_then(|scope| scope.others)
        .map(|others| others.places)
    {
        Some(Places::Any) => AreaScope::All,
        Some(Places::Within(codes)) => AreaScope::Within(codes),
        _ => AreaScope::Within(Vec::new()),
    }
}

/// The area asked for, if the actor may choose it: a département of its scope, or (OFAST, when
/// `national` is offered) the national queue. Anything else is no filter.
pub(super) fn chosen_area(
    scope: &AreaScope,
    raw: &str,
    geography: Option<&Geography>,
    national: bool,
) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match scope {
        AreaScope::All if raw == NATIONAL_AREA => national.then(|| raw.to_owned()),
        AreaScope::All => geography
            .and_then(|geography| geography.atlas().departement_index(raw))
            .map(|_| raw.to_owned()),
        AreaScope::Within(codes) => codes.iter().find(|code| *code == raw).cloned(),
    }
}

/// The area select, when there is a choice: every département (and the national queue) for
/// OFAST, the départements of a territory of several.
pub(super) fn area_select(
    scope: &AreaScope,
    selected: Option<&str>,
    geography: Option<&Geography>,
    all_label: &str,
    national: Option<&str>,
    id: &'static str,
) -> Option<SelectField> {
    let mut options = vec![(String::new(), all_label.to_owned())];
    match scope {
        AreaScope::All => {
            if let Some(label) = national {
                options.push((NATIONAL_AREA.to_owned(), label.to_owned()));
            }
            if let Some(geography) = geography {
                options.extend(
                    geography
                        .atlas()
                        .departements
                        .iter()
                        .map(|d| (d.code.clone(), format!("{} ({})", d.name, d.code))),
                );
            }
        }
        AreaScope::Within(codes) if codes.len() > 1 => options.extend(
            codes
                .iter()
                .map(|code| (code.clone(), departement_label(geography, code))),
        ),
        AreaScope::Within(_) => return None,
    }
    Some(SelectField::new(
        id,
        "zone",
        "Zone",
        options,
        selected.unwrap_or(""),
    ))
}

/// "Bouches-du-Rhône (13)", "File nationale", or what the scope covers.
pub(super) fn area_label(
    scope: &AreaScope,
    area: Option<&str>,
    geography: Option<&Geography>,
) -> String {
    match (area, scope) {
        (Some(NATIONAL_AREA), _) => "File nationale (signalements non localisés)".to_owned(),
        (Some(code), _) => departement_label(geography, code),
        (None, AreaScope::All) => "Toute la France".to_owned(),
        (None, AreaScope::Within(codes)) => codes
            .iter()
            .map(|code| departement_label(geography, code))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn parse_id(session: &PageSession, raw: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(raw).map_err(|_| session.fail(ErrorKind::NotFound))
}

fn motif_ok(motif: &str) -> bool {
    motif.trim().chars().count() >= 3
}

// ---------------------------------------------------------------------------------------------
// The queue.

struct Tab {
    value: String,
    label: String,
    count: usize,
    current: bool,
}

struct QueueRow {
    href: String,
    received: String,
    channel: &'static str,
    category: String,
    commune: String,
    status: Badge,
    photos: String,
    messages: Option<String>,
}

#[derive(Template)]
#[template(path = "signalements.html")]
struct QueuePage {
    layout: Layout,
    csrf: String,
    area_select: Option<SelectField>,
    area_label: String,
    current_tab: String,
    include_closed: bool,
    tabs: Vec<Tab>,
    rows: Vec<QueueRow>,
    count_label: String,
    empty: String,
    resurgences: Vec<Link>,
    resurgence_hint: Option<String>,
}

/// `?zone=13&statut=new&clos=1`: the queue's filters in the address (none is personal data).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueParams {
    zone: String,
    statut: String,
    clos: String,
}

fn queue_row(summary: &ReportSummary) -> QueueRow {
    QueueRow {
        href: format!("/signalements/{}", summary.id),
        received: hour_range(summary.received_at),
        channel: if summary.public {
            "Riverain anonyme"
        } else {
            "Partenaire"
        },
        category: summary.category.label().to_owned(),
        commune: commune_label(
            summary.commune_name.as_deref(),
            summary.departement.as_deref(),
        ),
        status: report_badge(summary.status),
        photos: photos_label(summary.photos),
        messages: reporter_messages_label(summary.reporter_messages),
    }
}

async fn queue_page(
    state: &AppState,
    ctx: &RequestContext,
    session: &PageSession,
    zone: &str,
    tab: &str,
    include_closed: bool,
) -> PageResult {
    let geography = geography(state, session);
    let scope = area_scope(session, Action::TriageReports);
    let area = chosen_area(&scope, zone, geography, true);
    let status = ReportStatus::parse(tab);
    let filter = QueueFilter {
        area: area.clone(),
        status,
        include_closed,
    };
    let summaries = state
        .engine
        .report_queue(&session.actor, &filter, ctx)
        .await
        .map_err(|error| session.fail(error))?;
    let counts = state
        .engine
        .report_counts(&session.actor, area.as_deref())
        .await
        .map_err(|error| session.fail(error))?;
    let open: usize = counts
        .iter()
        .filter(|(status, _)| !is_closed(**status))
        .map(|(_, count)| *count)
        .sum();
    let all: usize = counts.values().sum();
    let current_tab = status.map_or(OPEN_TAB, ReportStatus::as_str).to_owned();
    let mut tabs = vec![Tab {
        value: OPEN_TAB.to_owned(),
        label: if include_closed {
            "Tous".to_owned()
        } else {
            "En cours".to_owned()
        },
        count: if include_closed { all } else { open },
        current: status.is_none(),
    }];
    tabs.extend(ReportStatus::ALL.iter().map(|each| Tab {
        value: each.as_str().to_owned(),
        label: each.label().to_owned(),
        count: counts.get(each).copied().unwrap_or(0),
        current: status == Some(*each),
    }));

    // Dealing points where reports suggest a resurgence: derived per département.
    let resurgence_areas: Vec<String> = match (&area, &scope) {
        (Some(code), _) if code != NATIONAL_AREA => vec![code.clone()],
        (None, AreaScope::Within(codes)) => codes.clone(),
        _ => Vec::new(),
    };
    let mut resurgences = Vec::new();
    if session.may(Action::ReadDealingPoints) {
        for code in &resurgence_areas {
            match state
                .engine
                .points_map(&session.actor, Some(code), ctx)
                .await
            {
                Ok(markers) => resurgences.extend(
                    markers
                        .into_iter()
                        .filter(|marker| marker.resurgence_suspected)
                        .map(|marker| Link {
                            href: format!("/points-de-deal/{}", marker.id),
                            label: format!("{} ({})", marker.label, marker.status.label()),
                        }),
                ),
                Err(error) => {
                    tracing::warn!(%error, "dealing points unavailable for the triage queue");
                }
            }
        }
    }
    let resurgence_hint = (resurgence_areas.is_empty() && session.may(Action::ReadDealingPoints))
        .then(|| {
            "Choisissez un département pour savoir si des points démantelés y reprennent."
                .to_owned()
        });

    let empty = match status {
        Some(status) => format!(
            "Aucun signalement au statut « {} » dans cette zone.",
            status.label()
        ),
        None if include_closed => "Aucun signalement dans cette zone.".to_owned(),
        None => "Aucun signalement en cours : la file est vide. Les signalements des riverains arrivent par lots, à la fin de chaque heure.".to_owned(),
    };
    let count_label = match summaries.len() {
        0 => String::new(),
        1 => "1 signalement, le plus récent d'abord.".to_owned(),
        count => format!("{count} signalements, les plus récents d'abord."),
    };
    let page = QueuePage {
        layout: session.layout("Signalements", "/signalements"),
        csrf: session.csrf.clone(),
        area_select: area_select(
            &scope,
            area.as_deref(),
            geography,
            "Toutes les zones",
            Some("File nationale (non localisés)"),
            "filtre-zone",
        ),
        area_label: area_label(&scope, area.as_deref(), geography),
        current_tab,
        include_closed,
        tabs,
        rows: summaries.iter().map(queue_row).collect(),
        count_label,
        empty,
        resurgences,
        resurgence_hint,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /signalements`: the triage queue (filters from the address, if any).
pub async fn queue(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    params: Result<Query<QueueParams>, QueryRejection>,
) -> PageResult {
    session.require(Action::TriageReports)?;
    let params = params.map(|Query(params)| params).unwrap_or_default();
    queue_page(
        &state,
        &ctx,
        &session,
        &params.zone,
        &params.statut,
        params.clos == "1",
    )
    .await
}

/// `POST /signalements`: the queue with the posted filters (a tab's button names its status).
pub async fn filter(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::TriageReports)?;
    let tab = posted
        .all("statut")
        .first()
        .copied()
        .unwrap_or_else(|| posted.get("statut_courant"));
    queue_page(
        &state,
        &ctx,
        &session,
        posted.get("zone"),
        tab,
        posted.get("clos") == "1",
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// One report.

#[derive(Template)]
#[template(path = "signalements_motif.html")]
struct MotifPage {
    layout: Layout,
    csrf: String,
    action: String,
    motif: Field,
}

fn motif_page(session: &PageSession, id: Uuid, motif: &str, error: Option<String>) -> MotifPage {
    let mut field = Field::text("motif", "motif", "Motif de la consultation")
        .hint(MOTIF_HINT)
        .value(motif)
        .required();
    field.error = error;
    MotifPage {
        layout: session.layout("Consultation d'un signalement", "/signalements"),
        csrf: session.csrf.clone(),
        action: format!("/signalements/{id}/consultation"),
        motif: field,
    }
}

/// `GET /signalements/{id}`: asks for the motif. Looks nothing up: the page is the same for every
/// id.
pub async fn motif_form(session: PageSession, Path(raw): Path<String>) -> PageResult {
    session.require(Action::TriageReports)?;
    let id = parse_id(&session, &raw)?;
    Ok(render(StatusCode::OK, &motif_page(&session, id, "", None)))
}

/// What the last action left for the page: a notice, or the posted values with their errors.
#[derive(Default)]
struct Pending {
    notice: Option<String>,
    notice_link: Option<Link>,
    alert: Option<String>,
    status_to: String,
    status_motivation: String,
    status_error: Option<String>,
    motivation_error: Option<String>,
    attach_point: Option<Uuid>,
    attach_motivation: String,
    attach_error: Option<String>,
    note: String,
    note_error: Option<String>,
    message: String,
    message_error: Option<String>,
    point_label: Option<String>,
    point_lat: Option<String>,
    point_lon: Option<String>,
    point_label_error: Option<String>,
    point_pin_error: Option<String>,
    point_error: Option<String>,
}

impl Pending {
    fn has_errors(&self) -> bool {
        self.status_error.is_some()
            || self.motivation_error.is_some()
            || self.attach_error.is_some()
            || self.note_error.is_some()
            || self.message_error.is_some()
            || self.point_label_error.is_some()
            || self.point_pin_error.is_some()
            || self.point_error.is_some()
    }
}

struct Fact {
    term: &'static str,
    value: String,
}

struct Photo {
    src: String,
    alt: String,
}

struct HistoryRow {
    at: String,
    by: String,
    from: Badge,
    to: Badge,
    motivation: String,
}

struct CandidateRow {
    id: String,
    href: String,
    label: String,
    status: Badge,
    distance: String,
    similarity: String,
    attached: bool,
    can_attach: bool,
    motivation: String,
    error: Option<String>,
}

struct NearbyRow {
    action: String,
    received: String,
    status: Badge,
    distance: String,
    similarity: String,
}

struct NoteRow {
    at: String,
    by: String,
    text: String,
}

struct MessageRow {
    at: String,
    from: &'static str,
    cross: bool,
    text: String,
}

struct StatusForm {
    to: SelectField,
    motivation: Field,
}

struct PointForm {
    label: Field,
    lat: Field,
    lon: Field,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "signalements_fiche.html")]
struct ReportPage {
    layout: Layout,
    csrf: String,
    motif: String,
    base: String,
    title: String,
    status: Badge,
    notice: Option<String>,
    notice_link: Option<Link>,
    alert: Option<String>,
    has_errors: bool,
    facts: Vec<Fact>,
    map_link: Option<String>,
    description: String,
    photos: Vec<Photo>,
    point_link: Option<Link>,
    history: Vec<HistoryRow>,
    status_form: Option<StatusForm>,
    attach_hint: String,
    candidates: Vec<CandidateRow>,
    point_form: Option<PointForm>,
    point_form_hint: Option<String>,
    nearby: Vec<NearbyRow>,
    notes: Vec<NoteRow>,
    note_form: Field,
    messages: Vec<MessageRow>,
    message_form: Field,
    message_hint: String,
}

fn list_or(values: Vec<&'static str>, none: &str) -> String {
    if values.is_empty() {
        none.to_owned()
    } else {
        values.join(", ")
    }
}

fn report_page(
    state: &AppState,
    session: &PageSession,
    detail: &ReportDetail,
    motif: &str,
    pending: Pending,
) -> ReportPage {
    let geography = geography(state, session);
    let report = &detail.report;
    let draft = &report.draft;
    let base = format!("/signalements/{}", report.id);
    let partner = matches!(report.channel, Channel::Partner { .. });
    let channel = match (&report.channel, &detail.partner) {
        (Channel::Public, _) => "Riverain anonyme (formulaire public)".to_owned(),
        (Channel::Partner { .. }, Some(name)) => format!("Partenaire : {name}"),
        (Channel::Partner { .. }, None) => "Partenaire".to_owned(),
    };
    let commune = match (&detail.commune_name, &report.commune) {
        (Some(name), Some(code)) => format!("{name} ({code})"),
        (None, Some(code)) => code.clone(),
        _ => "Non localisée : le signalement est dans la file nationale".to_owned(),
    };
    let mut facts = vec![
        Fact {
            term: "Reçu",
            value: hour_range(detail.received_at),
        },
        Fact {
            term: "Canal",
            value: channel,
        },
        Fact {
            term: "Catégorie",
            value: draft.category.label().to_owned(),
        },
        Fact {
            term: "Commune",
            value: commune,
        },
        Fact {
            term: "Département",
            value: report.departement.as_deref().map_or_else(
                || "Aucun (file nationale)".to_owned(),
                |code| departement_label(geography, code),
            ),
        },
        Fact {
            term: "Lieu indiqué",
            value: if draft.place.trim().is_empty() {
                "Non précisé".to_owned()
            } else {
                draft.place.trim().to_owned()
            },
        },
        Fact {
            term: "Point placé sur la carte",
            value: draft.pin.map_or_else(
                || "Aucun".to_owned(),
                |pin| format!("{:.5}, {:.5}", pin.lat, pin.lon),
            ),
        },
        Fact {
            term: "Jours",
            value: list_or(
                draft.days.iter().map(|day| day.label()).collect(),
                "Non précisés",
            ),
        },
        Fact {
            term: "Créneaux",
            value: list_or(
                draft.slots.iter().map(|slot| slot.label()).collect(),
                "Non précisés",
            ),
        },
        Fact {
            term: "Depuis",
            value: draft.since.label().to_owned(),
        },
        Fact {
            term: "Personnes vues",
            value: draft
                .people
                .map_or_else(|| "Non précisé".to_owned(), |people| people.to_string()),
        },
    ];
    facts.push(Fact {
        term: "Véhicules",
        value: if draft.vehicles.trim().is_empty() {
            "Aucun indiqué".to_owned()
        } else {
            draft.vehicles.trim().to_owned()
        },
    });
    let map_link = draft
        .pin
        .map(|pin| format!("/carte#16/{:.5}/{:.5}", pin.lat, pin.lon));
    let photos = report
        .photos
        .iter()
        .enumerate()
        .map(|(index, photo)| Photo {
            src: format!("{base}/photos/{photo}"),
            alt: format!(
                "Photo {} sur {} jointe au signalement",
                index + 1,
                report.photos.len()
            ),
        })
        .collect();
    let point_link = report.point.map(|point| Link {
        href: format!("/points-de-deal/{point}"),
        label: detail
            .candidates
            .iter()
            .find(|candidate| candidate.id == point)
            .map_or_else(
                || "Voir le point de deal".to_owned(),
                |candidate| candidate.label.clone(),
            ),
    });
    let history = report
        .history
        .iter()
        .rev()
        .map(|transition| HistoryRow {
            at: format::paris_minutes(transition.at_micros),
            by: transition.by.clone(),
            from: report_badge(transition.from),
            to: report_badge(transition.to),
            motivation: transition.motivation.clone(),
        })
        .collect();
    let targets: Vec<(String, String)> = ReportStatus::ALL
        .iter()
        .filter(|to| **to != ReportStatus::Attached && can_move(report.status, **to))
        .map(|to| (to.as_str().to_owned(), to.label().to_owned()))
        .collect();
    let status_form = (!targets.is_empty()).then(|| {
        let mut options = vec![(String::new(), "— Choisir —".to_owned())];
        options.extend(targets);
        let mut to = SelectField::new(
            "statut-nouveau",
            "statut",
            "Nouveau statut",
            options,
            &pending.status_to,
        );
        to.error = pending.status_error.clone();
        StatusForm {
            to,
            motivation: text_area(
                "statut-motivation",
                "motivation",
                "Motivation",
                "Obligatoire : pourquoi ce changement (recoupement, vérification, service saisi…). Elle est conservée dans l'historique du signalement.",
                &pending.status_motivation,
                pending.motivation_error.clone(),
            ),
        }
    });
    let can_attach = can_move(report.status, ReportStatus::Attached);
    let can_manage_points = session.may(Action::ManageDealingPoints);
    let attach_hint = if report.status == ReportStatus::Attached {
        "Ce signalement est rattaché à un point de deal. Pour l'en détacher, passez-le en « Qualifié »."
            .to_owned()
    } else if !can_attach {
        format!(
            "Un signalement « {} » ne peut pas être rattaché à un point de deal : changez d'abord son statut.",
            report.status.label()
        )
    } else if !can_manage_points {
        "Votre profil ne permet pas de rattacher un signalement à un point de deal.".to_owned()
    } else {
        "Pour rattacher le signalement à un point, choisissez « Rattacher à ce point » parmi les points candidats ci-dessous, ou créez un point de deal.".to_owned()
    };
    let candidates = detail
        .candidates
        .iter()
        .map(|candidate| {
            let mine = pending.attach_point == Some(candidate.id);
            CandidateRow {
                id: candidate.id.to_string(),
                href: format!("/points-de-deal/{}", candidate.id),
                label: candidate.label.clone(),
                status: point_badge(candidate.status),
                distance: distance_label(candidate.distance_m),
                similarity: percent(candidate.similarity),
                attached: report.point == Some(candidate.id),
                can_attach: can_attach && can_manage_points,
                motivation: if mine {
                    pending.attach_motivation.clone()
                } else {
                    String::new()
                },
                error: if mine {
                    pending.attach_error.clone()
                } else {
                    None
                },
            }
        })
        .collect();
    let (point_form, point_form_hint) = if !can_manage_points
        || report.status == ReportStatus::Attached
    {
        (None, None)
    } else if !can_attach {
        (
            None,
            Some(format!(
                "Un point ne peut être créé à partir de ce signalement que s'il peut y être rattaché (statut actuel : « {} »).",
                report.status.label()
            )),
        )
    } else {
        let default_label = {
            let place: String = draft.place.trim().chars().take(200).collect();
            if place.is_empty() {
                detail.commune_name.as_deref().map_or_else(
                    || "Point de deal signalé".to_owned(),
                    |name| format!("Point de deal signalé à {name}"),
                )
            } else {
                place
            }
        };
        let mut label = Field::text("point-libelle", "libelle", "Nom du point")
            .hint("Court et parlant : « Hall du 12, cité des Fleurs ». 200 caractères au plus.")
            .value(pending.point_label.clone().unwrap_or(default_label))
            .required();
        label.error = pending.point_label_error.clone();
        let mut lat = Field::text("point-lat", "lat", "Latitude")
            .hint("En degrés décimaux, par exemple 43.29650")
            .value(pending.point_lat.clone().unwrap_or_else(|| {
                draft
                    .pin
                    .map(|pin| format!("{:.5}", pin.lat))
                    .unwrap_or_default()
            }))
            .required();
        lat.error = pending.point_pin_error.clone();
        let mut lon = Field::text("point-lon", "lon", "Longitude")
            .hint("En degrés décimaux, par exemple 5.36980")
            .value(pending.point_lon.clone().unwrap_or_else(|| {
                draft
                    .pin
                    .map(|pin| format!("{:.5}", pin.lon))
                    .unwrap_or_default()
            }))
            .required();
        lon.error = pending.point_pin_error.as_ref().map(|_| String::new());
        (
            Some(PointForm {
                label,
                lat,
                lon,
                error: pending.point_error.clone(),
            }),
            draft.pin.is_none().then(|| {
                "Ce signalement n'a pas de point sur la carte : indiquez la position du point de deal (la carte des points de deal donne les coordonnées d'un lieu).".to_owned()
            }),
        )
    };
    let nearby = detail
        .nearby
        .iter()
        .map(|other| NearbyRow {
            action: format!("/signalements/{}/consultation", other.id),
            received: hour_range(other.received_at),
            status: report_badge(other.status),
            distance: distance_label(other.distance_m),
            similarity: percent(other.similarity),
        })
        .collect();
    let notes = report
        .notes
        .iter()
        .rev()
        .map(|note| NoteRow {
            at: format::paris_minutes(note.at_micros),
            by: note.by.clone(),
            text: note.text.clone(),
        })
        .collect();
    let messages = report
        .messages
        .iter()
        .map(|message| {
            let cross = message.from == MessageFrom::Cross;
            MessageRow {
                at: if cross {
                    format::paris_minutes(message.at_micros)
                } else {
                    OffsetDateTime::from_unix_timestamp_nanos(i128::from(message.at_micros) * 1_000)
                        .map_or_else(|_| format::NONE.to_owned(), hour_range)
                },
                from: match (cross, partner) {
                    (true, _) => "CROSS",
                    (false, true) => "Partenaire",
                    (false, false) => "Déclarant",
                },
                cross,
                text: message.text.clone(),
            }
        })
        .collect();
    let message_hint = if partner {
        "Le partenaire le lit dans Vigie, avec le statut simplifié de son signalement (reçu, en cours d'examen, traité). Signez au nom de la CROSS, jamais de votre nom, et ne révélez rien de ce qui est connu du lieu."
    } else {
        "Le riverain le lit avec son code de suivi, avec le statut simplifié de son signalement (reçu, en cours d'examen, traité). Signez au nom de la CROSS, jamais de votre nom, et ne révélez rien de ce qui est connu du lieu."
    };
    ReportPage {
        layout: session.layout("Signalement", "/signalements"),
        csrf: session.csrf.clone(),
        motif: motif.trim().to_owned(),
        title: format!(
            "Signalement du {} — {}",
            day(detail.received_at),
            draft.category.label()
        ),
        status: report_badge(report.status),
        has_errors: pending.has_errors(),
        notice: pending.notice.clone(),
        notice_link: pending.notice_link,
        alert: pending.alert.clone(),
        facts,
        map_link,
        description: draft.description.trim().to_owned(),
        photos,
        point_link,
        history,
        status_form,
        attach_hint,
        candidates,
        point_form,
        point_form_hint,
        nearby,
        notes,
        note_form: text_area(
            "note-texte",
            "texte",
            "Note interne — jamais visible du déclarant",
            "Recoupements, doutes, suites données : visible des seuls analystes qui traitent ce signalement.",
            &pending.note,
            pending.note_error.clone(),
        ),
        messages,
        message_form: text_area(
            "message-texte",
            "texte",
            "Message au déclarant",
            "2000 caractères au plus.",
            &pending.message,
            pending.message_error.clone(),
        ),
        message_hint: message_hint.to_owned(),
        base,
    }
}

/// Reads the report with the motif (journaled) and shows it with what the last action left.
async fn show_report(
    state: &AppState,
    ctx: &RequestContext,
    session: &PageSession,
    id: Uuid,
    motif: &str,
    pending: Pending,
    status: StatusCode,
) -> PageResult {
    if !motif_ok(motif) {
        let page = motif_page(session, id, motif, Some(MOTIF_REQUIRED.to_owned()));
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    match state.engine.report(&session.actor, id, motif, ctx).await {
        Ok(detail) => Ok(render(
            status,
            &report_page(state, session, &detail, motif, pending),
        )),
        Err(EngineError::MotifRequired) => {
            let page = motif_page(session, id, motif, Some(MOTIF_REQUIRED.to_owned()));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(EngineError::Invalid(details)) => {
            let message = details
                .first()
                .map_or_else(|| MOTIF_REQUIRED.to_owned(), |d| d.message.clone());
            let page = motif_page(session, id, motif, Some(message));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(error) => Err(session.fail(error)),
    }
}

/// `POST /signalements/{id}/consultation`: the report, read with the motif.
pub async fn consult(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::TriageReports)?;
    let id = parse_id(&session, &raw)?;
    show_report(
        &state,
        &ctx,
        &session,
        id,
        posted.get("motif"),
        Pending::default(),
        StatusCode::OK,
    )
    .await
}

/// `GET /signalements/{id}/photos/{photo}`: one photo (metadata removed at intake), its read
/// journaled; never cached.
pub async fn photo(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path((raw, raw_photo)): Path<(String, String)>,
) -> PageResult {
    session.require(Action::TriageReports)?;
    let id = parse_id(&session, &raw)?;
    let photo = parse_id(&session, &raw_photo)?;
    let bytes = state
        .engine
        .report_photo(&session.actor, id, photo, &ctx)
        .await
        .map_err(|error| session.fail(error))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline"),
    );
    Ok(response)
}

/// The first message of `errors` at `field`.
fn error_at(errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|error| error.field == field)
        .map(|error| error.message.clone())
}

/// Every message of `errors`, for a form whose fields they do not name.
fn all_messages(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|error| error.message.clone())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Shows the report after an action: a notice when it succeeded, the form's errors (422) or the
/// conflict (409) when it did not.
async fn after_action(
    state: &AppState,
    ctx: &RequestContext,
    session: &PageSession,
    id: Uuid,
    motif: &str,
    outcome: Result<Pending, (EngineError, Pending)>,
    on_invalid: fn(&mut Pending, &[FieldError]),
) -> PageResult {
    match outcome {
        Ok(pending) => show_report(state, ctx, session, id, motif, pending, StatusCode::OK).await,
        Err((EngineError::Invalid(errors), mut pending)) => {
            on_invalid(&mut pending, &errors);
            show_report(
                state,
                ctx,
                session,
                id,
                motif,
                pending,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err((EngineError::Conflict(_), mut pending)) => {
            pending.alert = Some(CONFLICT.to_owned());
            show_report(
                state,
                ctx,
                session,
                id,
                motif,
                pending,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err((error, _)) => Err(session.fail(error)),
    }
}

/// `POST /signalements/{id}/statut`: a status change with its motivation; with `point`, the
/// attachment to that dealing point.
pub async fn change_status(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::TriageReports)?;
    let id = parse_id(&session, &raw)?;
    let motif = posted.get("motif");
    if !motif_ok(motif) {
        return show_report(
            &state,
            &ctx,
            &session,
            id,
            motif,
            Pending::default(),
            StatusCode::OK,
        )
        .await;
    }
    let motivation = posted.get("motivation");
    let raw_point = posted.get("point").trim();
    let point = if raw_point.is_empty() {
        None
    } else {
        Some(Uuid::parse_str(raw_point).map_err(|_| session.fail(ErrorKind::BadRequest))?)
    };
    let mut pending = Pending::default();
    if let Some(point) = point {
        pending.attach_point = Some(point);
        pending.attach_motivation = motivation.to_owned();
    } else {
        pending.status_to = posted.get("statut").trim().to_owned();
        pending.status_motivation = motivation.to_owned();
    }
    let to = match point {
        Some(_) => Some(ReportStatus::Attached),
        None => ReportStatus::parse(posted.get("statut")),
    };
    let mut errors = Vec::new();
    if to.is_none() {
        errors.push(FieldError {
            field: "status".to_owned(),
            message: "Choisissez le nouveau statut.".to_owned(),
        });
    }
    if motivation.trim().is_empty() {
        errors.push(FieldError {
            field: "motivation".to_owned(),
            message: MOTIVATION_REQUIRED.to_owned(),
        });
    } else if motivation.trim().chars().count() > vigie_reports::status::MAX_MOTIVATION_CHARS {
        errors.push(FieldError {
            field: "motivation".to_owned(),
            message: format!(
                "La motivation ne doit pas dépasser {} caractères.",
                vigie_reports::status::MAX_MOTIVATION_CHARS
            ),
        });
    }
    let outcome = match (to, errors.is_empty()) {
        (Some(to), true) => match state
            .engine
            .change_report_status(&session.actor, id, to, motivation, point, &ctx)
            .await
        {
            Ok(_) => Ok(Pending {
                notice: Some(match point {
                    Some(_) => "Signalement rattaché au point de deal.".to_owned(),
                    None => format!("Statut changé : « {} ».", to.label()),
                }),
                ..Pending::default()
            }),
            Err(error) => Err((error, pending)),
        },
        _ => Err((EngineError::Invalid(errors), pending)),
    };
    after_action(
        &state,
        &ctx,
        &session,
        id,
        motif,
        outcome,
        |pending, errors| {
            if pending.attach_point.is_some() {
                pending.attach_error = Some(all_messages(errors));
                return;
            }
            pending.motivation_error = error_at(errors, "motivation");
            pending.status_error = error_at(errors, "status")
                .or_else(|| error_at(errors, "point"))
                .or_else(|| {
                    pending
                        .motivation_error
                        .is_none()
                        .then(|| all_messages(errors))
                });
        },
    )
    .await
}

/// What a text posted on a report becomes: an internal note, or a message to the reporter.
#[derive(Clone, Copy)]
enum ReportText {
    Note,
    Message,
}

/// `POST /signalements/{id}/notes`: an internal note.
pub async fn add_note(
    origin: SameOrigin,
    state: State<AppState>,
    ctx: Ctx,
    session: PageSession,
    raw: Path<String>,
    posted: PageForm<Posted>,
) -> PageResult {
    post_text(origin, state, ctx, session, raw, posted, ReportText::Note).await
}

/// `POST /signalements/{id}/messages`: a message to the reporter.
pub async fn send_message(
    origin: SameOrigin,
    state: State<AppState>,
    ctx: Ctx,
    session: PageSession,
    raw: Path<String>,
    posted: PageForm<Posted>,
) -> PageResult {
    post_text(
        origin,
        state,
        ctx,
        session,
        raw,
        posted,
        ReportText::Message,
    )
    .await
}

async fn post_text(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
    kind: ReportText,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::TriageReports)?;
    let id = parse_id(&session, &raw)?;
    let motif = posted.get("motif");
    if !motif_ok(motif) {
        return show_report(
            &state,
            &ctx,
            &session,
            id,
            motif,
            Pending::default(),
            StatusCode::OK,
        )
        .await;
    }
    let text = posted.get("texte");
    let written = match kind {
        ReportText::Note => {
            state
                .engine
                .add_report_note(&session.actor, id, text, &ctx)
                .await
        }
        ReportText::Message => {
            state
                .engine
                .send_report_message(&session.actor, id, text, &ctx)
                .await
        }
    };
    let outcome = match written {
        Ok(()) => Ok(Pending {
            notice: Some(
                match kind {
                    ReportText::Note => "Note interne enregistrée.",
                    ReportText::Message => "Message envoyé au déclarant.",
                }
                .to_owned(),
            ),
            ..Pending::default()
        }),
        Err(error) => {
            let mut kept = Pending::default();
            match kind {
                ReportText::Note => kept.note = text.to_owned(),
                ReportText::Message => kept.message = text.to_owned(),
            }
            Err((error, kept))
        }
    };
    after_action(
        &state,
        &ctx,
        &session,
        id,
        motif,
        outcome,
        match kind {
            ReportText::Note => |pending: &mut Pending, errors: &[FieldError]| {
                pending.note_error = Some(all_messages(errors));
            },
            ReportText::Message => |pending: &mut Pending, errors: &[FieldError]| {
                pending.message_error = Some(all_messages(errors));
            },
        },
    )
    .await
}

/// `POST /signalements/{id}/point`: creates a dealing point from the report, which is attached
/// to it in the same transaction.
pub async fn create_point(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::ManageDealingPoints)?;
    session.require(Action::TriageReports)?;
    let id = parse_id(&session, &raw)?;
    let motif = posted.get("motif");
    if !motif_ok(motif) {
        return show_report(
            &state,
            &ctx,
            &session,
            id,
            motif,
            Pending::default(),
            StatusCode::OK,
        )
        .await;
    }
    let label = posted.get("libelle");
    let pending = Pending {
        point_label: Some(label.to_owned()),
        point_lat: Some(posted.get("lat").to_owned()),
        point_lon: Some(posted.get("lon").to_owned()),
        ..Pending::default()
    };
    let pin = match (
        parse_decimal(posted.get("lat")),
        parse_decimal(posted.get("lon")),
    ) {
        (Some(lat), Some(lon)) => Some(Pin { lat, lon }),
        _ => None,
    };
    let outcome = match pin {
        None => Err((
            EngineError::Invalid(vec![FieldError {
                field: "pin".to_owned(),
                message: "Indiquez la latitude et la longitude du point en degrés décimaux (par exemple 43.29650 et 5.36980).".to_owned(),
            }]),
            pending,
        )),
        Some(pin) => match state
            .engine
            .create_point(
                &session.actor,
                NewPoint {
                    label: label.to_owned(),
                    pin,
                    from_report: Some(id),
                },
                &ctx,
            )
            .await
        {
            Ok(point) => Ok(Pending {
                notice: Some("Point de deal créé ; le signalement y est rattaché.".to_owned()),
                notice_link: Some(Link {
                    href: format!("/points-de-deal/{point}"),
                    label: "Voir le point de deal".to_owned(),
                }),
                ..Pending::default()
            }),
            Err(error) => Err((error, pending)),
        },
    };
    after_action(
        &state,
        &ctx,
        &session,
        id,
        motif,
        outcome,
        |pending, errors| {
            pending.point_label_error = error_at(errors, "label");
            pending.point_pin_error = error_at(errors, "pin");
            let others: Vec<FieldError> = errors
                .iter()
                .filter(|error| error.field != "label" && error.field != "pin")
                .cloned()
                .collect();
            if !others.is_empty() {
                pending.point_error = Some(all_messages(&others));
            }
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn hours_and_distances_read_in_french() {
        assert_eq!(
            hour_range(datetime!(2026-11-24 13:00 UTC)),
            "entre 14 h et 15 h, le 24/11/2026"
        );
        assert_eq!(
            hour_range(datetime!(2026-11-24 22:00 UTC)),
            "entre 23 h et minuit, le 24/11/2026"
        );
        assert_eq!(
            hour_range(datetime!(2026-07-14 08:00 UTC)),
            "entre 10 h et 11 h, le 14/07/2026"
        );
        assert_eq!(distance_label(Some(84.6)), "à 85 m");
        assert_eq!(distance_label(Some(1234.0)), "à 1,2 km");
        assert_eq!(distance_label(None), "même commune");
        assert_eq!(percent(0.424), "42 %");
        assert_eq!(parse_decimal(" 43,2965 "), Some(43.2965));
        assert_eq!(parse_decimal("abc"), None);
        assert_eq!(reporter_messages_label(0), None);
        assert_eq!(
            reporter_messages_label(1).as_deref(),
            Some("1 nouveau message du déclarant")
        );
        assert_eq!(
            reporter_messages_label(3).as_deref(),
            Some("3 nouveaux messages du déclarant")
        );
    }
}
