//! `/signaler` and `/suivi`: residents report drug dealing without an account, then follow their
//! report with the 16-digit receipt code they are shown once.
//!
//! These pages are public and forgetful on purpose: they set no cookie and read none (no session
//! extractor here), log nothing about the request, never put the receipt code or the report in a
//! URL (every form is posted), and are never cached (`Cache-Control: no-store`, set by the
//! middleware). The engine gets the report, its photos and the proof of work, nothing about who
//! sent them. The answer takes the same path and looks the same whatever the report names: nothing
//! tells a resident whether a place is already known.
//!
//! The form carries a proof-of-work challenge (hidden token and bits) that `static/signaler.js`
//! solves before posting; the script also redraws each photo in a canvas so that its metadata
//! (GPS position, device) does not leave the phone, and the engine strips it again. Without
//! JavaScript (Tor Browser at its safest level) the form still works: the commune is typed in
//! full and resolved here, and a form posted with no solution goes through the engine's waiting
//! lane (sent at least 30 s after the page was opened; closed under a flood), as the page says.
//!
//! Two small JSON routes serve the script: the commune search (names and codes only, through the
//! engine's public search) and a fresh challenge for a form left open longer than its challenge
//! lives.

use super::format;
use super::session::{PageForm, SameOrigin};
use super::{render, ErrorKind, PageError, PageResult};
use crate::extract::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use vigie_engine::{EngineError, PowChallenge, Proof, ReceiptView, RECEIPT_TTL_DAYS};
use vigie_reports::{
    Category, Pin, ReceiptCode, ReportDraft, ReporterStatus, Since, TimeSlot, Weekday, MAX_PHOTOS,
};

/// The largest report the form accepts (three photos of 10 MiB and the text), for this route only.
pub const MAX_REPORT_BYTES: usize = 40 * 1024 * 1024;
/// What an unknown, expired or mistyped-into-another code shows: the same whatever the cause.
pub const UNKNOWN_CODE: &str = "Code de suivi inconnu ou expiré.";
/// Longest commune search accepted.
const MAX_COMMUNE_QUERY_CHARS: usize = 100;
/// Communes proposed for one search.
const COMMUNE_SUGGESTIONS: usize = 10;

// ---------------------------------------------------------------------------------------------
// View models.

/// A radio button or checkbox.
pub struct Choice {
    pub id: String,
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

/// A fault of the form, for the summary at the top: its message and the field it links to.
pub struct SummaryLine {
    pub anchor: &'static str,
    pub message: String,
}

/// Each field's fault, if any.
#[derive(Default)]
pub struct Faults {
    pub category: Option<String>,
    pub commune: Option<String>,
    pub place: Option<String>,
    pub pin: Option<String>,
    pub days: Option<String>,
    pub slots: Option<String>,
    pub since: Option<String>,
    pub description: Option<String>,
    pub people: Option<String>,
    pub vehicles: Option<String>,
    pub photos: Option<String>,
    /// The anti-robot check, or anything not tied to a field.
    pub general: Option<String>,
}

/// `/signaler`: the guarantees, then the form.
#[derive(Template)]
#[template(path = "signaler.html")]
pub struct ReportFormPage {
    pub title: String,
    pub token: String,
    pub bits: u8,
    /// How long a browser without JavaScript waits before sending (this token's wait).
    pub wait_seconds: i64,
    pub categories: Vec<Choice>,
    pub commune_text: String,
    pub commune_code: String,
    pub place: String,
    pub lat: String,
    pub lon: String,
    pub days: Vec<Choice>,
    pub slots: Vec<Choice>,
    /// The options of "since" (`checked`: selected).
    pub since: Vec<Choice>,
    pub description: String,
    pub people: String,
    pub vehicles: String,
    pub faults: Faults,
    pub summary: Vec<SummaryLine>,
    pub max_photos: usize,
}

/// The receipt, shown once after sending.
#[derive(Template)]
#[template(path = "signaler_recu.html")]
pub struct ReceiptPage {
    pub title: String,
    /// "0612 3456" and "7890 1234": the code in two halves, so that a phone breaks it in the
    /// middle.
    pub code_start: String,
    pub code_end: String,
    pub ttl_days: i64,
}

/// `/suivi`: the code to type.
#[derive(Template)]
#[template(path = "suivi.html")]
pub struct FollowUpFormPage {
    pub title: String,
    pub code: String,
    pub error: Option<String>,
    pub ttl_days: i64,
}

/// What a receipt opens: the coarse status, the day received, the CROSS's messages, and the form
/// to add information. Never the report's text.
#[derive(Template)]
#[template(path = "suivi_statut.html")]
pub struct FollowUpStatusPage {
    pub title: String,
    /// The code, carried in the hidden field of the addition form (never in a URL).
    pub code: String,
    pub status: &'static str,
    /// DSFR badge modifier of the status.
    pub status_badge: &'static str,
    pub received_on: String,
    /// (when, text), oldest first.
    pub messages: Vec<(String, String)>,
    pub additions: usize,
    pub text: String,
    pub text_error: Option<String>,
    /// An addition was just sent.
    pub sent: bool,
    pub ttl_days: i64,
}

// ---------------------------------------------------------------------------------------------
// The report form.

/// What the form posted, as text (kept to show it again on error; photos are not kept).
#[derive(Default)]
struct Posted {
    category: String,
    commune_text: String,
    commune: String,
    place: String,
    lat: String,
    lon: String,
    days: Vec<String>,
    slots: Vec<String>,
    since: String,
    description: String,
    people: String,
    vehicles: String,
    token: String,
    solution: String,
    photos: Vec<Vec<u8>>,
    /// The body was larger than the route accepts (what was read before is kept).
    too_large: bool,
}

/// A fault at a field of the form ("photos[1]" for the engine's photo faults).
struct Fault {
    field: String,
    message: String,
}

fn fault(field: &str, message: impl Into<String>) -> Fault {
    Fault {
        field: field.to_owned(),
        message: message.into(),
    }
}

fn form_page(challenge: PowChallenge, posted: &Posted, faults: &[Fault]) -> ReportFormPage {
    let checked = |list: &[String], code: &str| list.iter().any(|value| value == code);
    let mut shown = Faults::default();
    let mut summary = Vec::new();
    for fault in faults {
        let (slot, anchor, message) = match fault.field.as_str() {
            "category" => (
                &mut shown.category,
                "signaler-categorie",
                fault.message.clone(),
            ),
            "commune" => (
                &mut shown.commune,
                "signaler-commune",
                fault.message.clone(),
            ),
            "place" => (&mut shown.place, "signaler-lieu", fault.message.clone()),
            "pin" => (&mut shown.pin, "signaler-latitude", fault.message.clone()),
            "days" => (&mut shown.days, "signaler-jours", fault.message.clone()),
            "slots" => (&mut shown.slots, "signaler-creneaux", fault.message.clone()),
            "since" => (&mut shown.since, "signaler-depuis", fault.message.clone()),
            "description" => (
                &mut shown.description,
                "signaler-description",
                fault.message.clone(),
            ),
            "people" => (
                &mut shown.people,
                "signaler-personnes",
                fault.message.clone(),
            ),
            "vehicles" => (
                &mut shown.vehicles,
                "signaler-vehicules",
                fault.message.clone(),
            ),
            field if field == "photos" || field.starts_with("photos[") => {
                let message = photo_index(field)
                    .map(|index| format!("Photo {} : {}", index + 1, fault.message))
                    .unwrap_or_else(|| fault.message.clone());
                (&mut shown.photos, "signaler-photos", message)
            }
            _ => (&mut shown.general, "signaler-envoi", fault.message.clone()),
        };
        summary.push(SummaryLine {
            anchor,
            message: message.clone(),
        });
        *slot = Some(match slot.take() {
            Some(previous) => format!("{previous} {message}"),
            None => message,
        });
    }
    let since = if posted.since.is_empty() {
        Since::Unknown.as_str()
    } else {
        posted.since.as_str()
    };
    ReportFormPage {
        title: "Signaler un point de deal".to_owned(),
        wait_seconds: challenge.wait_seconds,
        token: challenge.token,
        bits: challenge.bits,
        categories: Category::ALL
            .into_iter()
            // Online sales are reported on PHAROS; the page says so above the form.
            .filter(|category| *category != Category::OnlineSale)
            .map(|category| Choice {
                id: format!("signaler-categorie-{}", category.as_str()),
                value: category.as_str(),
                label: category.label(),
                checked: posted.category == category.as_str(),
            })
            .collect(),
        commune_text: posted.commune_text.clone(),
        commune_code: posted.commune.clone(),
        place: posted.place.clone(),
        lat: posted.lat.clone(),
        lon: posted.lon.clone(),
        days: Weekday::ALL
            .into_iter()
            .map(|day| Choice {
                id: format!("signaler-jour-{}", day.as_str()),
                value: day.as_str(),
                label: day.label(),
                checked: checked(&posted.days, day.as_str()),
            })
            .collect(),
        slots: TimeSlot::ALL
            .into_iter()
            .map(|slot| Choice {
                id: format!("signaler-creneau-{}", slot.as_str()),
                value: slot.as_str(),
                label: slot.label(),
                checked: checked(&posted.slots, slot.as_str()),
            })
            .collect(),
        since: Since::ALL
            .into_iter()
            .map(|value| Choice {
                id: String::new(),
                value: value.as_str(),
                label: value.label(),
                checked: value.as_str() == since,
            })
            .collect(),
        description: posted.description.clone(),
        people: posted.people.clone(),
        vehicles: posted.vehicles.clone(),
        faults: shown,
        summary,
        max_photos: MAX_PHOTOS,
    }
}

/// The index of "photos[2]".
fn photo_index(field: &str) -> Option<usize> {
    field
        .strip_prefix("photos[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// `GET /signaler`: what is kept and what is not, then the form with a fresh challenge.
pub async fn form(State(state): State<AppState>) -> PageResult {
    let challenge = state.engine.report_challenge()?;
    Ok(render(
        StatusCode::OK,
        &form_page(challenge, &Posted::default(), &[]),
    ))
}

/// The form again, with a fresh challenge, the values posted (not the photos) and the faults.
fn form_again(state: &AppState, posted: &Posted, faults: &[Fault]) -> PageResult {
    let challenge = state.engine.report_challenge()?;
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &form_page(challenge, posted, faults),
    ))
}

async fn read_report(multipart: &mut Multipart) -> Result<Posted, ErrorKind> {
    let mut posted = Posted::default();
    let too_large = |status: StatusCode| status == StatusCode::PAYLOAD_TOO_LARGE;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) if too_large(error.status()) => {
                posted.too_large = true;
                break;
            }
            Err(_) => return Err(ErrorKind::BadRequest),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photos" {
            let named = field.file_name().is_some_and(|name| !name.is_empty());
            let bytes = match field.bytes().await {
                Ok(bytes) => bytes,
                Err(error) if too_large(error.status()) => {
                    posted.too_large = true;
                    break;
                }
                Err(_) => return Err(ErrorKind::BadRequest),
            };
            // An empty file input still sends one empty part; more than one photo too many is
            // enough for the engine to refuse the count.
            if (named || !bytes.is_empty()) && posted.photos.len() <= MAX_PHOTOS {
                posted.photos.push(bytes.to_vec());
            }
            continue;
        }
        let value = match field.text().await {
            Ok(value) => value,
            Err(error) if too_large(error.status()) => {
                posted.too_large = true;
                break;
            }
            Err(_) => return Err(ErrorKind::BadRequest),
        };
        match name.as_str() {
            "days" => posted.days.push(value),
            "slots" => posted.slots.push(value),
            _ => {
                let slot = match name.as_str() {
                    "category" => &mut posted.category,
                    "commune_nom" => &mut posted.commune_text,
                    "commune" => &mut posted.commune,
                    "place" => &mut posted.place,
                    "lat" => &mut posted.lat,
                    "lon" => &mut posted.lon,
                    "since" => &mut posted.since,
                    "description" => &mut posted.description,
                    "people" => &mut posted.people,
                    "vehicles" => &mut posted.vehicles,
                    "token" => &mut posted.token,
                    "solution" => &mut posted.solution,
                    _ => continue,
                };
                *slot = value;
            }
        }
    }
    Ok(posted)
}

/// A decimal number as a French phone keyboard may type it ("43,2965").
fn decimal(text: &str) -> Option<f64> {
    text.trim().replace(',', ".").parse::<f64>().ok()
}

/// The optional pin: both coordinates or neither.
fn pin_of(lat: &str, lon: &str) -> Result<Option<Pin>, String> {
    match (lat.trim().is_empty(), lon.trim().is_empty()) {
        (true, true) => Ok(None),
        (false, false) => match (decimal(lat), decimal(lon)) {
            (Some(lat), Some(lon)) => Ok(Some(Pin { lat, lon })),
            _ => Err(
                "La latitude et la longitude s'écrivent en degrés décimaux, par exemple \
                      43,2965 et 5,3698."
                    .to_owned(),
            ),
        },
        _ => Err(
            "Indiquez la latitude et la longitude du point, ou laissez les deux vides.".to_owned(),
        ),
    }
}

/// The commune's INSEE code: the one chosen in the list (the script fills the hidden field), else
/// the typed name or postcode when it designates exactly one commune.
fn commune_of(state: &AppState, code: &str, text: &str) -> Result<Option<String>, String> {
    let code = code.trim();
    if !code.is_empty() {
        return Ok(Some(code.to_owned()));
    }
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let matches = state
        .engine
        .public_commune_search(text, COMMUNE_SUGGESTIONS);
    let exact: Vec<_> = matches
        .iter()
        .filter(|m| m.libelle == text || m.nom.to_lowercase() == text.to_lowercase())
        .collect();
    match (exact.as_slice(), matches.as_slice()) {
        ([one], _) => Ok(Some(one.code.clone())),
        ([], [one]) => Ok(Some(one.code.clone())),
        (_, []) => Err(format!(
            "Aucune commune ne correspond à « {text} » : vérifiez l'orthographe, ou tapez le code \
             postal."
        )),
        // The names are listed in the message too: without JavaScript there is no list to pick from.
        _ => Err(format!(
            "Plusieurs communes correspondent à « {text} » ({}) : choisissez la vôtre dans la \
             liste proposée, ou tapez son code postal.",
            matches
                .iter()
                .take(5)
                .map(|m| m.libelle.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Reads the posted values into a draft; every fault of the form at once, or the draft.
fn draft_of(state: &AppState, posted: &Posted) -> Result<ReportDraft, Vec<Fault>> {
    let mut faults = Vec::new();
    let category = match Category::parse(&posted.category) {
        Some(category) => category,
        None => {
            faults.push(fault("category", "Choisissez ce que vous avez observé."));
            Category::Other
        }
    };
    let commune =
        commune_of(state, &posted.commune, &posted.commune_text).unwrap_or_else(|message| {
            faults.push(fault("commune", message));
            None
        });
    let pin = pin_of(&posted.lat, &posted.lon).unwrap_or_else(|message| {
        faults.push(fault("pin", message));
        None
    });
    let mut days = Vec::new();
    for value in &posted.days {
        match Weekday::parse(value) {
            Some(day) if !days.contains(&day) => days.push(day),
            Some(_) => {}
            None => faults.push(fault(
                "days",
                "Jour inconnu : cochez les jours dans la liste.",
            )),
        }
    }
    let mut slots = Vec::new();
    for value in &posted.slots {
        match TimeSlot::parse(value) {
            Some(slot) if !slots.contains(&slot) => slots.push(slot),
            Some(_) => {}
            None => faults.push(fault(
                "slots",
                "Créneau inconnu : cochez les moments dans la liste.",
            )),
        }
    }
    let since = if posted.since.trim().is_empty() {
        Since::Unknown
    } else {
        Since::parse(&posted.since).unwrap_or_else(|| {
            faults.push(fault("since", "Choisissez une durée dans la liste."));
            Since::Unknown
        })
    };
    let people = match posted.people.trim() {
        "" => None,
        text => text.parse::<u16>().map(Some).unwrap_or_else(|_| {
            faults.push(fault(
                "people",
                "Indiquez un nombre entier de personnes (par exemple 3), ou laissez vide.",
            ));
            None
        }),
    };
    let draft = ReportDraft {
        category,
        commune,
        place: posted.place.clone(),
        pin,
        days,
        slots,
        since,
        description: posted.description.clone(),
        people,
        vehicles: posted.vehicles.clone(),
    };
    if faults.is_empty() {
        return Ok(draft);
    }
    // Show every fault at once: the draft's own rules, for the fields not already in fault.
    if let Err(more) = draft.validate() {
        for error in more {
            if !faults.iter().any(|known| known.field == error.field) {
                faults.push(fault(error.field, error.message));
            }
        }
    }
    faults.sort_by_key(|fault| field_order(&fault.field));
    Err(faults)
}

/// The order of the fields in the form (for the summary).
fn field_order(field: &str) -> usize {
    const ORDER: &[&str] = &[
        "category",
        "commune",
        "place",
        "pin",
        "days",
        "slots",
        "since",
        "description",
        "people",
        "vehicles",
        "photos",
    ];
    let base = field.split('[').next().unwrap_or(field);
    ORDER
        .iter()
        .position(|known| *known == base)
        .unwrap_or(ORDER.len())
}

/// `POST /signaler` (multipart): checks the proof of work, sends the report, shows the receipt.
pub async fn submit(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    mut multipart: Multipart,
) -> PageResult {
    let mut posted = read_report(&mut multipart).await.map_err(PageError::new)?;
    if posted.too_large {
        return form_again(
            &state,
            &posted,
            &[fault(
                "photos",
                "Les photos sont trop lourdes : 10 Mo au plus par photo, 3 photos au plus. \
                 Choisissez-les à nouveau.",
            )],
        );
    }
    let draft = match draft_of(&state, &posted) {
        Ok(draft) => draft,
        Err(faults) => return form_again(&state, &posted, &faults),
    };
    let token = std::mem::take(&mut posted.token);
    let photos = std::mem::take(&mut posted.photos);
    // No solution: the browser ran no script (the page's script always fills it), so the token
    // is answered by the wait of the no-JavaScript lane.
    let submitted = match posted.solution.trim() {
        "" => {
            state
                .engine
                .submit_public_report_waited(&token, draft, photos, &ctx)
                .await
        }
        solution => {
            let Ok(solution) = solution.parse::<u64>() else {
                return form_again(
                    &state,
                    &posted,
                    &[fault(
                        "proof",
                        vigie_reports::PowError::Unsolved.to_string(),
                    )],
                );
            };
            state
                .engine
                .submit_public_report(Proof { token, solution }, draft, photos, &ctx)
                .await
        }
    };
    match submitted {
        Ok(code) => Ok(receipt_page(&code)),
        Err(EngineError::Invalid(errors)) => {
            let mut faults: Vec<Fault> = errors
                .into_iter()
                .map(|error| fault(&error.field, error.message))
                .collect();
            faults.sort_by_key(|fault| field_order(&fault.field));
            form_again(&state, &posted, &faults)
        }
        Err(EngineError::ProofOfWork(message)) => {
            form_again(&state, &posted, &[fault("proof", message)])
        }
        Err(error) => Err(PageError::from(error)),
    }
}

fn receipt_page(code: &ReceiptCode) -> Response {
    // "0612 3456 7890 1234" (the code's own grouping), cut at its middle space.
    let shown = code.to_string();
    let groups: Vec<&str> = shown.split(' ').collect();
    let half = groups.len().div_ceil(2);
    let start = groups
        .iter()
        .take(half)
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let end = groups
        .iter()
        .skip(half)
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    render(
        StatusCode::CREATED,
        &ReceiptPage {
            title: "Signalement envoyé".to_owned(),
            code_start: start,
            code_end: end,
            ttl_days: RECEIPT_TTL_DAYS,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// JSON helpers of the script.

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommuneQuery {
    pub q: String,
}

#[derive(Debug, Serialize)]
pub struct CommuneSuggestion {
    pub code: String,
    /// "Saint-Denis (Seine-Saint-Denis, 93)".
    pub label: String,
    pub postcodes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct CommuneSuggestions {
    pub communes: Vec<CommuneSuggestion>,
}

/// `POST /signaler/communes` (JSON `{"q": "..."}`, posted so that the words stay out of URLs):
/// communes matching a name or postcode, names and codes only.
pub async fn communes(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Json(query): Json<CommuneQuery>,
) -> Json<CommuneSuggestions> {
    let q = query.q.trim();
    let communes = if q.is_empty() || q.chars().count() > MAX_COMMUNE_QUERY_CHARS {
        Vec::new()
    } else {
        state
            .engine
            .public_commune_search(q, COMMUNE_SUGGESTIONS)
            .into_iter()
            .map(|m| CommuneSuggestion {
                code: m.code,
                label: m.libelle,
                postcodes: m.codes_postaux,
            })
            .collect()
    };
    Json(CommuneSuggestions { communes })
}

/// `GET /signaler/defi`: a fresh challenge, for a form left open longer than its challenge lives.
pub async fn challenge(State(state): State<AppState>) -> Response {
    match state.engine.report_challenge() {
        Ok(challenge) => Json(challenge).into_response(),
        Err(error) => PageError::from(error).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Following a report with its receipt.

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    pub code: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AdditionForm {
    pub code: String,
    pub text: String,
}

fn code_page(status: StatusCode, code: &str, error: Option<String>) -> Response {
    render(
        status,
        &FollowUpFormPage {
            title: "Suivre mon signalement".to_owned(),
            code: code.to_owned(),
            error,
            ttl_days: RECEIPT_TTL_DAYS,
        },
    )
}

/// `GET /suivi`: the form to type the receipt code (posted, never in a URL).
pub async fn follow_form() -> Response {
    code_page(StatusCode::OK, "", None)
}

/// The code form again after a refused code: the format's message for a mistyped code, one and
/// the same message for any other code that opens nothing.
fn refused_code(code: &str, error: EngineError) -> PageResult {
    match error {
        EngineError::NotFound => Ok(code_page(
            StatusCode::NOT_FOUND,
            code,
            Some(UNKNOWN_CODE.to_owned()),
        )),
        EngineError::Invalid(errors) => {
            let message = errors
                .into_iter()
                .find(|error| error.field == "code")
                .map(|error| error.message)
                .unwrap_or_else(|| UNKNOWN_CODE.to_owned());
            Ok(code_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                code,
                Some(message),
            ))
        }
        error => Err(PageError::from(error)),
    }
}

fn status_page(
    code: &str,
    view: ReceiptView,
    text: &str,
    text_error: Option<String>,
    sent: bool,
) -> FollowUpStatusPage {
    let status_badge = match view.status {
        ReporterStatus::Received => "fr-badge--info",
        ReporterStatus::InProgress => "fr-badge--new",
        ReporterStatus::Processed => "fr-badge--success",
    };
    FollowUpStatusPage {
        title: "Suivi de mon signalement".to_owned(),
        code: ReceiptCode::parse(code)
            .map(|code| code.to_string())
            .unwrap_or_else(|_| code.trim().to_owned()),
        status: view.status.label(),
        status_badge,
        received_on: format::date(view.received_on),
        messages: view
            .messages
            .into_iter()
            .map(|(at, text)| {
                let micros = i64::try_from(at.unix_timestamp_nanos() / 1_000).unwrap_or(0);
                (format::paris_minutes(micros), text)
            })
            .collect(),
        additions: view.additions,
        text: text.to_owned(),
        text_error,
        sent,
        ttl_days: RECEIPT_TTL_DAYS,
    }
}

/// `POST /suivi`: what the code opens.
pub async fn follow(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PageForm(form): PageForm<CodeForm>,
) -> PageResult {
    match state.engine.receipt_status(&form.code, &ctx).await {
        Ok(view) => Ok(render(
            StatusCode::OK,
            &status_page(&form.code, view, "", None, false),
        )),
        Err(error) => refused_code(&form.code, error),
    }
}

/// `POST /suivi/complement`: the resident adds information; the code comes in the form's hidden
/// field.
pub async fn add(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PageForm(form): PageForm<AdditionForm>,
) -> PageResult {
    let (text, text_error, sent) = match state
        .engine
        .add_to_report(&form.code, &form.text, &ctx)
        .await
    {
        Ok(()) => (String::new(), None, true),
        Err(EngineError::Invalid(errors)) if errors.iter().any(|error| error.field == "text") => {
            let message = errors
                .into_iter()
                .filter(|error| error.field == "text")
                .map(|error| error.message)
                .collect::<Vec<_>>()
                .join(" ");
            (form.text.clone(), Some(message), false)
        }
        Err(error) => return refused_code(&form.code, error),
    };
    match state.engine.receipt_status(&form.code, &ctx).await {
        Ok(view) => {
            let status = if text_error.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            Ok(render(
                status,
                &status_page(&form.code, view, &text, text_error, sent),
            ))
        }
        Err(error) => refused_code(&form.code, error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_take_both_coordinates_or_none() {
        assert_eq!(pin_of("", " "), Ok(None));
        assert_eq!(
            pin_of("43,2965", "5.3698"),
            Ok(Some(Pin {
                lat: 43.2965,
                lon: 5.3698
            }))
        );
        assert!(pin_of("43,2965", "").is_err());
        assert!(pin_of("nord", "5").is_err());
    }

    #[test]
    fn photo_fields_and_order() {
        assert_eq!(photo_index("photos[2]"), Some(2));
        assert_eq!(photo_index("photos"), None);
        assert!(field_order("category") < field_order("photos[0]"));
        assert!(field_order("description") < field_order("people"));
        assert_eq!(field_order("proof"), field_order("unknown"));
    }
}
