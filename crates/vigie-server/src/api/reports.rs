//! Reports and dealing points over the API.
//!
//! Two lanes: residents report with no account under `/api/v1/public/` (a proof of work first, a
//! 16-digit receipt code after, shown once), partners report from their account and follow their
//! own reports and a digest of their communes in which small counts are withheld. The CROSS and
//! OFAST work the triage queue (every read with a motif, every status change with a motivation),
//! keep the dealing points and read their map. Receipt codes and motifs travel in request bodies,
//! never in URLs; a resident's request sets no cookie and is given nothing about what is known.

use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::extract::{ApiActor, AppJson, AppQuery, Ctx, PathId};
use crate::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use vigie_core::entity::FieldError;
use vigie_engine::{
    EngineError, NearbyReport, NewPoint, PointCandidate, PointChange, PointMarker, PointView,
    Proof, QueueFilter, ReportDetail, ReportSummary,
};
use vigie_reports::{
    Category, DealingPoint, MessageFrom, OperationKind, Pin, PointOperation, PointStatus,
    PriceSeen, ReportDraft, ReportStatus, Since, TimeSlot, Weekday, MAX_PHOTOS,
};

/// The largest body the two submit routes accept: three photos of 10 MiB each, in base64, and the
/// report (every other route keeps the server's default limit).
pub const MAX_REPORT_BYTES: usize = 48 * 1024 * 1024;

/// What the resident is told once the report is stored.
pub const RECEIPT_NOTICE: &str =
    "Signalement transmis. Conservez ce code : il ne sera plus affiché.";

/// Most characters of a public commune search.
const MAX_COMMUNE_QUERY_CHARS: usize = 100;

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

fn micros_rfc3339(micros: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .map(rfc3339)
        .unwrap_or_default()
}

fn fault(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// "Catégorie inconnue (valeurs possibles : fixed_sale, ...)." — the value received is not echoed.
fn unknown(what: &str, codes: &[&str]) -> String {
    format!("{what} (valeurs possibles : {}).", codes.join(", "))
}

/// Reads a code of a labelled enumeration, or records a fault at `field`.
fn parse_code<T: Copy>(
    field: String,
    text: &str,
    parse: fn(&str) -> Option<T>,
    what: &str,
    codes: &[&str],
    faults: &mut Vec<FieldError>,
) -> Option<T> {
    let value = parse(text);
    if value.is_none() {
        faults.push(fault(field, unknown(what, codes)));
    }
    value
}

fn codes<T: Copy>(all: &[T], as_str: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|value| as_str(*value)).collect()
}

fn parse_days(days: &[String], faults: &mut Vec<FieldError>) -> Vec<Weekday> {
    let all = codes(&Weekday::ALL, Weekday::as_str);
    days.iter()
        .enumerate()
        .filter_map(|(index, day)| {
            parse_code(
                format!("days[{index}]"),
                day,
                Weekday::parse,
                "Jour inconnu",
                &all,
                faults,
            )
        })
        .collect()
}

fn parse_slots(slots: &[String], faults: &mut Vec<FieldError>) -> Vec<TimeSlot> {
    let all = codes(&TimeSlot::ALL, TimeSlot::as_str);
    slots
        .iter()
        .enumerate()
        .filter_map(|(index, slot)| {
            parse_code(
                format!("slots[{index}]"),
                slot,
                TimeSlot::parse,
                "Créneau horaire inconnu",
                &all,
                faults,
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Wire types.

/// What a reporter says. Codes: `category` is one of fixed_sale, moved_after_operation, stash,
/// delivery, lookouts, vehicle, other (online_sale is refused: PHAROS); `days` monday..sunday;
/// `slots` morning, afternoon, evening, night; `since` days, weeks, months, years, unknown.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportDraftDto {
    pub category: String,
    /// INSEE code of the commune (from the commune search); optional with a pin.
    #[serde(default)]
    pub commune: Option<String>,
    /// The place in words ("devant le hall du 12").
    #[serde(default)]
    pub place: String,
    /// A coarse pin: latitude and longitude together, or neither.
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub days: Vec<String>,
    #[serde(default)]
    pub slots: Vec<String>,
    #[serde(default)]
    pub since: Option<String>,
    /// What was seen (10 to 5000 characters).
    pub description: String,
    #[serde(default)]
    pub people: Option<u16>,
    #[serde(default)]
    pub vehicles: String,
}

impl ReportDraftDto {
    /// The draft, or every fault at once: unknown codes at their field ("days[1]"), a half pin at
    /// "pin", and then whatever the draft's own validation finds in the other fields.
    pub fn into_draft(self) -> Result<ReportDraft, Vec<FieldError>> {
        let mut faults = Vec::new();
        let category = parse_code(
            "category".to_owned(),
            &self.category,
            Category::parse,
            "Catégorie inconnue",
            &codes(&Category::ALL, Category::as_str),
            &mut faults,
        );
        let pin = match (self.lat, self.lon) {
            (Some(lat), Some(lon)) => Some(Pin { lat, lon }),
            (None, None) => None,
            _ => {
                faults.push(fault(
                    "pin",
                    "Donnez la latitude et la longitude du point, ou aucune des deux.",
                ));
                None
            }
        };
        let days = parse_days(&self.days, &mut faults);
        let slots = parse_slots(&self.slots, &mut faults);
        let since = match self.since.as_deref().map(str::trim) {
            None | Some("") => Some(Since::Unknown),
            Some(text) => parse_code(
                "since".to_owned(),
                text,
                Since::parse,
                "Durée inconnue",
                &codes(&Since::ALL, Since::as_str),
                &mut faults,
            ),
        };
        let draft = ReportDraft {
            category: category.unwrap_or(Category::Other),
            commune: self.commune.filter(|code| !code.trim().is_empty()),
            place: self.place,
            pin,
            days,
            slots,
            since: since.unwrap_or_default(),
            description: self.description,
            people: self.people,
            vehicles: self.vehicles,
        };
        if faults.is_empty() {
            return Ok(draft);
        }
        // Say everything at once: the other fields' faults too (the engine checks again).
        if let Err(more) = draft.validate() {
            for error in more {
                if !faults.iter().any(|known| known.field == error.field) {
                    faults.push(fault(error.field, error.message));
                }
            }
        }
        Err(faults)
    }
}

/// Photos in base64 (standard alphabet), at most three.
fn decode_photos(photos: &[String], faults: &mut Vec<FieldError>) -> Vec<Vec<u8>> {
    if photos.len() > MAX_PHOTOS {
        faults.push(fault(
            "photos",
            format!("{MAX_PHOTOS} photos au plus par signalement."),
        ));
        return Vec::new();
    }
    photos
        .iter()
        .enumerate()
        .filter_map(
            |(index, photo)| match BASE64.decode(photo.trim().as_bytes()) {
                Ok(bytes) => Some(bytes),
                Err(_) => {
                    faults.push(fault(
                        format!("photos[{index}]"),
                        "La photo doit être envoyée en base64.",
                    ));
                    None
                }
            },
        )
        .collect()
}

/// The draft and its photos, or one 422 naming every field in fault.
fn read_submission(
    report: ReportDraftDto,
    photos: &[String],
) -> Result<(ReportDraft, Vec<Vec<u8>>), EngineError> {
    let mut faults = Vec::new();
    let draft = match report.into_draft() {
        Ok(draft) => Some(draft),
        Err(more) => {
            faults.extend(more);
            None
        }
    };
    let photos = decode_photos(photos, &mut faults);
    match draft {
        Some(draft) if faults.is_empty() => Ok((draft, photos)),
        _ => Err(EngineError::Invalid(faults)),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChallengeDto {
    /// `nonce.bits.expires.mac`: send it back with the solution.
    pub token: String,
    /// Find the smallest `n` (u64) whose SHA-256 of `"{nonce}:{n}"` starts with this many zero bits.
    pub bits: u8,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProofDto {
    pub token: String,
    pub solution: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicReportBody {
    pub proof: ProofDto,
    pub report: ReportDraftDto,
    /// Up to three photos, base64; their metadata is removed before anything is stored.
    #[serde(default)]
    pub photos: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptDto {
    /// The 16-digit receipt code, grouped by four ("0612 3456 7890 1234"). Shown once.
    pub receipt: String,
    pub message: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptCodeBody {
    /// The receipt code, 16 digits (spaces, dashes and dots between them accepted).
    pub code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptMessageBody {
    pub code: String,
    /// What the resident adds (1 to 2000 characters).
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DatedMessageDto {
    pub at: String,
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptStatusDto {
    /// received, in_progress or processed.
    pub status: String,
    pub status_label: String,
    /// The day of arrival, `YYYY-MM-DD`.
    pub received_on: String,
    /// The CROSS's messages.
    pub messages: Vec<DatedMessageDto>,
    /// How many additions the resident sent (their text is not shown back).
    pub additions: usize,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicCommuneQuery {
    /// A name or a postcode.
    pub query: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCommuneDto {
    /// INSEE code, to send as the report's `commune`.
    pub code: String,
    pub nom: String,
    /// "Saint-Denis (Seine-Saint-Denis, 93)".
    pub label: String,
    pub departement: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCommunesResponse {
    pub communes: Vec<PublicCommuneDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerReportBody {
    pub report: ReportDraftDto,
    #[serde(default)]
    pub photos: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedDto {
    pub id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerReportDto {
    pub id: Uuid,
    /// The hour of arrival.
    pub received_at: String,
    pub category: String,
    pub category_label: String,
    pub commune: Option<String>,
    pub commune_name: Option<String>,
    /// received, in_progress or processed.
    pub status: String,
    pub status_label: String,
    pub messages: Vec<DatedMessageDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerReportsResponse {
    pub reports: Vec<PartnerReportDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DigestRowDto {
    pub commune: String,
    pub commune_name: String,
    /// A number, or "moins de 5" (0 to 4, zero included).
    pub reports: String,
    /// Reports processed: a number, or "moins de 5".
    pub processed: String,
    /// Live dealing points (confirmed, active, resurgent) known in the commune: a number, or
    /// "moins de 5". Never where they are.
    pub points: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DigestResponse {
    pub communes: Vec<DigestRowDto>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueBody {
    /// A département code or "national"; all the caller's areas when absent.
    #[serde(default)]
    pub area: Option<String>,
    /// new, to_qualify, qualified, attached, passed_to_service, no_further_action,
    /// suspected_malicious.
    #[serde(default)]
    pub status: Option<String>,
    /// Also list closed reports (no further action, suspected malicious, passed to a service).
    #[serde(default)]
    pub include_closed: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportSummaryDto {
    pub id: Uuid,
    /// The hour of arrival (a resident's report keeps no finer time).
    pub received_at: String,
    /// A resident's report (else a partner's).
    pub public: bool,
    pub category: String,
    pub category_label: String,
    pub commune: Option<String>,
    pub commune_name: Option<String>,
    pub departement: Option<String>,
    pub status: String,
    pub status_label: String,
    pub point: Option<Uuid>,
    pub photos: usize,
    /// Messages from the reporter since the CROSS last wrote.
    pub reporter_messages: usize,
}

impl From<&ReportSummary> for ReportSummaryDto {
    fn from(summary: &ReportSummary) -> Self {
        Self {
            id: summary.id,
            received_at: rfc3339(summary.received_at),
            public: summary.public,
            category: summary.category.as_str().to_owned(),
            category_label: summary.category.label().to_owned(),
            commune: summary.commune.clone(),
            commune_name: summary.commune_name.clone(),
            departement: summary.departement.clone(),
            status: summary.status.as_str().to_owned(),
            status_label: summary.status.label().to_owned(),
            point: summary.point,
            photos: summary.photos,
            reporter_messages: summary.reporter_messages,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueResponse {
    pub reports: Vec<ReportSummaryDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MotifBody {
    /// Why the report is read (journaled).
    pub motif: String,
}

/// A code with its French label.
#[derive(Debug, Serialize, ToSchema)]
pub struct LabelledDto {
    pub code: String,
    pub label: String,
}

fn labelled(code: &str, label: &str) -> LabelledDto {
    LabelledDto {
        code: code.to_owned(),
        label: label.to_owned(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionDto {
    pub from: String,
    pub from_label: String,
    pub to: String,
    pub to_label: String,
    pub at: String,
    pub by: String,
    pub motivation: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteDto {
    pub at: String,
    pub by: String,
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadMessageDto {
    pub at: String,
    /// cross or reporter.
    pub from: String,
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateDto {
    pub id: Uuid,
    pub label: String,
    pub status: String,
    pub status_label: String,
    /// Absent when the report has no pin (same commune only).
    pub distance_m: Option<f64>,
    pub similarity: f64,
    pub score: f64,
}

impl From<&PointCandidate> for CandidateDto {
    fn from(candidate: &PointCandidate) -> Self {
        Self {
            id: candidate.id,
            label: candidate.label.clone(),
            status: candidate.status.as_str().to_owned(),
            status_label: candidate.status.label().to_owned(),
            distance_m: candidate.distance_m,
            similarity: candidate.similarity,
            score: candidate.score,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NearbyDto {
    pub id: Uuid,
    pub status: String,
    pub status_label: String,
    pub received_at: String,
    pub distance_m: Option<f64>,
    pub similarity: f64,
}

impl From<&NearbyReport> for NearbyDto {
    fn from(nearby: &NearbyReport) -> Self {
        Self {
            id: nearby.id,
            status: nearby.status.as_str().to_owned(),
            status_label: nearby.status.label().to_owned(),
            received_at: rfc3339(nearby.received_at),
            distance_m: nearby.distance_m,
            similarity: nearby.similarity,
        }
    }
}

/// A report as the CROSS reads it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDetailDto {
    pub id: Uuid,
    pub received_at: String,
    pub public: bool,
    /// The partner unit's name, for a partner's report.
    pub partner: Option<String>,
    pub category: String,
    pub category_label: String,
    pub commune: Option<String>,
    pub commune_name: Option<String>,
    pub departement: Option<String>,
    pub place: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub days: Vec<LabelledDto>,
    pub slots: Vec<LabelledDto>,
    pub since: LabelledDto,
    pub description: String,
    pub people: Option<u16>,
    pub vehicles: String,
    pub status: String,
    pub status_label: String,
    pub history: Vec<TransitionDto>,
    /// Internal notes, never shown to the reporter.
    pub notes: Vec<NoteDto>,
    /// The thread with the reporter.
    pub messages: Vec<ThreadMessageDto>,
    /// Photo ids, for `GET /api/v1/reports/{id}/photos/{photo}`.
    pub photos: Vec<Uuid>,
    pub point: Option<Uuid>,
    /// Dealing points this report may describe, best first.
    pub candidates: Vec<CandidateDto>,
    /// Other reports that may describe the same thing.
    pub nearby: Vec<NearbyDto>,
}

impl From<&ReportDetail> for ReportDetailDto {
    fn from(detail: &ReportDetail) -> Self {
        let report = &detail.report;
        let draft = &report.draft;
        Self {
            id: report.id,
            received_at: rfc3339(detail.received_at),
            public: matches!(report.channel, vigie_reports::Channel::Public),
            partner: detail.partner.clone(),
            category: draft.category.as_str().to_owned(),
            category_label: draft.category.label().to_owned(),
            commune: report.commune.clone(),
            commune_name: detail.commune_name.clone(),
            departement: report.departement.clone(),
            place: draft.place.clone(),
            lat: draft.pin.map(|pin| pin.lat),
            lon: draft.pin.map(|pin| pin.lon),
            days: draft
                .days
                .iter()
                .map(|day| labelled(day.as_str(), day.label()))
                .collect(),
            slots: draft
                .slots
                .iter()
                .map(|slot| labelled(slot.as_str(), slot.label()))
                .collect(),
            since: labelled(draft.since.as_str(), draft.since.label()),
            description: draft.description.clone(),
            people: draft.people,
            vehicles: draft.vehicles.clone(),
            status: report.status.as_str().to_owned(),
            status_label: report.status.label().to_owned(),
            history: report
                .history
                .iter()
                .map(|move_| TransitionDto {
                    from: move_.from.as_str().to_owned(),
                    from_label: move_.from.label().to_owned(),
                    to: move_.to.as_str().to_owned(),
                    to_label: move_.to.label().to_owned(),
                    at: micros_rfc3339(move_.at_micros),
                    by: move_.by.clone(),
                    motivation: move_.motivation.clone(),
                })
                .collect(),
            notes: report
                .notes
                .iter()
                .map(|note| NoteDto {
                    at: micros_rfc3339(note.at_micros),
                    by: note.by.clone(),
                    text: note.text.clone(),
                })
                .collect(),
            messages: report
                .messages
                .iter()
                .map(|message| ThreadMessageDto {
                    at: micros_rfc3339(message.at_micros),
                    from: match message.from {
                        MessageFrom::Cross => "cross",
                        MessageFrom::Reporter => "reporter",
                    }
                    .to_owned(),
                    text: message.text.clone(),
                })
                .collect(),
            photos: report.photos.clone(),
            point: report.point,
            candidates: detail.candidates.iter().map(CandidateDto::from).collect(),
            nearby: detail.nearby.iter().map(NearbyDto::from).collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// to_qualify, qualified, attached, passed_to_service, no_further_action, suspected_malicious.
    pub status: String,
    /// Why (1 to 2000 characters), kept in the report's history.
    pub motivation: String,
    /// The dealing point, to attach the report to (status `attached`).
    #[serde(default)]
    pub point: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportStatusDto {
    pub id: Uuid,
    pub status: String,
    pub status_label: String,
    pub point: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextBody {
    pub text: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PointsParams {
    /// A département code ("13") or "national"; every area the caller may read when absent.
    pub area: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PointMarkerDto {
    pub id: Uuid,
    pub label: String,
    pub lat: f64,
    pub lon: f64,
    pub status: String,
    pub status_label: String,
    pub commune: Option<String>,
    pub departement: Option<String>,
    /// How many reports are attached to it.
    pub reports: usize,
    /// Dismantled or under watch, with enough independent reports near it since: consider
    /// moving it to "resurgent" (computed when one area is asked for).
    pub resurgence_suspected: bool,
    /// The products of its prices seen, distinct without regard to case (first spelling kept),
    /// sorted: what a map filters on.
    pub products: Vec<String>,
    /// When it entered its current status (its last transition, else its creation), RFC 3339.
    pub status_since: String,
    /// Its latest sign of life, RFC 3339: the latest of `status_since`, its operations' days and
    /// its prices' days (a day counts from its midnight UTC).
    pub last_activity: String,
}

impl From<&PointMarker> for PointMarkerDto {
    fn from(marker: &PointMarker) -> Self {
        Self {
            id: marker.id,
            label: marker.label.clone(),
            lat: marker.pin.lat,
            lon: marker.pin.lon,
            status: marker.status.as_str().to_owned(),
            status_label: marker.status.label().to_owned(),
            commune: marker.commune.clone(),
            departement: marker.departement.clone(),
            reports: marker.reports,
            resurgence_suspected: marker.resurgence_suspected,
            products: marker.products.clone(),
            status_since: micros_rfc3339(marker.status_since_micros),
            last_activity: micros_rfc3339(marker.last_activity_micros),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PointsResponse {
    pub points: Vec<PointMarkerDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPointBody {
    /// A short name ("Hall du 12, cité des Fleurs"), 1 to 200 characters.
    pub label: String,
    pub lat: f64,
    pub lon: f64,
    /// The report that revealed it: attached to it at once.
    #[serde(default)]
    pub from_report: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PointOperationDto {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub kind: String,
    pub kind_label: String,
    pub note: String,
}

/// A price seen at a point.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceDto {
    /// "résine de cannabis", "cocaïne"...
    pub product: String,
    /// In euros, when known (then `unit` is needed).
    #[serde(default)]
    pub price_eur: Option<f64>,
    /// "g", "barrette", "pochon"...
    #[serde(default)]
    pub unit: String,
    /// `YYYY-MM-DD`.
    pub seen_on: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PointTransitionDto {
    pub from: String,
    pub from_label: String,
    pub to: String,
    pub to_label: String,
    pub at: String,
    pub by: String,
    pub motivation: String,
}

/// A dealing point.
#[derive(Debug, Serialize, ToSchema)]
pub struct DealingPointDto {
    pub id: Uuid,
    pub label: String,
    pub lat: f64,
    pub lon: f64,
    pub status: String,
    pub status_label: String,
    pub commune: Option<String>,
    pub departement: Option<String>,
    pub created_at: String,
    /// When it was last dismantled.
    pub dismantled_at: Option<String>,
    pub history: Vec<PointTransitionDto>,
    /// Every report attached to it (the reader may triage only some).
    pub reports: Vec<Uuid>,
    pub days: Vec<LabelledDto>,
    pub slots: Vec<LabelledDto>,
    pub prices: Vec<PriceDto>,
    pub operations: Vec<PointOperationDto>,
    pub moved_to: Vec<Uuid>,
    pub moved_from: Vec<Uuid>,
}

impl From<&DealingPoint> for DealingPointDto {
    fn from(point: &DealingPoint) -> Self {
        Self {
            id: point.id,
            label: point.label.clone(),
            lat: point.pin.lat,
            lon: point.pin.lon,
            status: point.status.as_str().to_owned(),
            status_label: point.status.label().to_owned(),
            commune: point.commune.clone(),
            departement: point.departement.clone(),
            created_at: micros_rfc3339(point.created_at_micros),
            dismantled_at: point.dismantled_at_micros.map(micros_rfc3339),
            history: point
                .history
                .iter()
                .map(|move_| PointTransitionDto {
                    from: move_.from.as_str().to_owned(),
                    from_label: move_.from.label().to_owned(),
                    to: move_.to.as_str().to_owned(),
                    to_label: move_.to.label().to_owned(),
                    at: micros_rfc3339(move_.at_micros),
                    by: move_.by.clone(),
                    motivation: move_.motivation.clone(),
                })
                .collect(),
            reports: point.reports.clone(),
            days: point
                .days
                .iter()
                .map(|day| labelled(day.as_str(), day.label()))
                .collect(),
            slots: point
                .slots
                .iter()
                .map(|slot| labelled(slot.as_str(), slot.label()))
                .collect(),
            prices: point
                .prices
                .iter()
                .map(|price| PriceDto {
                    product: price.product.clone(),
                    price_eur: price.price_eur,
                    unit: price.unit.clone(),
                    seen_on: price.seen_on.clone(),
                })
                .collect(),
            operations: point
                .operations
                .iter()
                .map(|operation| PointOperationDto {
                    date: operation.date.clone(),
                    kind: operation.kind.as_str().to_owned(),
                    kind_label: operation.kind.label().to_owned(),
                    note: operation.note.clone(),
                })
                .collect(),
            moved_to: point.moved_to.clone(),
            moved_from: point.moved_from.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PointRefDto {
    pub id: Uuid,
    pub label: String,
}

/// A point as its page shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PointViewDto {
    pub point: DealingPointDto,
    pub commune_name: Option<String>,
    /// Its reports the reader may triage.
    pub reports: Vec<ReportSummaryDto>,
    /// The points it moved to / came from that the reader may see.
    pub moved_to: Vec<PointRefDto>,
    pub moved_from: Vec<PointRefDto>,
    pub resurgence_suspected: bool,
    /// Whether the reader may change it.
    pub can_manage: bool,
}

impl From<&PointView> for PointViewDto {
    fn from(view: &PointView) -> Self {
        let refs = |points: &[(Uuid, String)]| {
            points
                .iter()
                .map(|(id, label)| PointRefDto {
                    id: *id,
                    label: label.clone(),
                })
                .collect()
        };
        Self {
            point: DealingPointDto::from(&view.point),
            commune_name: view.commune_name.clone(),
            reports: view.reports.iter().map(ReportSummaryDto::from).collect(),
            moved_to: refs(&view.moved_to),
            moved_from: refs(&view.moved_from),
            resurgence_suspected: view.resurgence_suspected,
            can_manage: view.can_manage,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PointStatusChangeDto {
    /// reported, confirmed, active, dismantled, under_watch, resurgent, closed.
    pub to: String,
    pub motivation: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperationBody {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// harassment, arrests, seizure, other.
    pub kind: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursBody {
    #[serde(default)]
    pub days: Vec<String>,
    #[serde(default)]
    pub slots: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MovedToBody {
    /// The point the dealing moved to.
    pub to: Uuid,
    pub motivation: String,
}

/// One change to a point: exactly one key.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", try_from = "PointChangeKeys")]
pub enum PointChangeBody {
    /// A move of its status, motivated.
    Status(PointStatusChangeDto),
    /// A police operation there.
    Operation(OperationBody),
    /// A price seen there.
    Price(PriceDto),
    /// Its usual days and time slots (replaced).
    Hours(HoursBody),
    /// The dealing moved to another point.
    MovedTo(MovedToBody),
}

/// The change as read: serde refuses a second key of an externally tagged enum as a syntax error
/// (400); read as optional keys, it is a wrong shape (422) like any other.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PointChangeKeys {
    status: Option<PointStatusChangeDto>,
    operation: Option<OperationBody>,
    price: Option<PriceDto>,
    hours: Option<HoursBody>,
    moved_to: Option<MovedToBody>,
}

impl TryFrom<PointChangeKeys> for PointChangeBody {
    type Error = &'static str;

    fn try_from(keys: PointChangeKeys) -> Result<Self, Self::Error> {
        let mut changes = Vec::new();
        changes.extend(keys.status.map(PointChangeBody::Status));
        changes.extend(keys.operation.map(PointChangeBody::Operation));
        changes.extend(keys.price.map(PointChangeBody::Price));
        changes.extend(keys.hours.map(PointChangeBody::Hours));
        changes.extend(keys.moved_to.map(PointChangeBody::MovedTo));
        match (changes.pop(), changes.is_empty()) {
            (Some(change), true) => Ok(change),
            _ => Err("une seule modification par requête, parmi status, operation, price, hours et moved_to"),
        }
    }
}

impl PointChangeBody {
    fn into_change(self) -> Result<PointChange, EngineError> {
        let mut faults = Vec::new();
        let change = match self {
            PointChangeBody::Status(body) => parse_code(
                "to".to_owned(),
                &body.to,
                PointStatus::parse,
                "Statut de point de deal inconnu",
                &codes(&PointStatus::ALL, PointStatus::as_str),
                &mut faults,
            )
            .map(|to| PointChange::Status {
                to,
                motivation: body.motivation,
            }),
            PointChangeBody::Operation(body) => parse_code(
                "kind".to_owned(),
                &body.kind,
                OperationKind::parse,
                "Type d'opération inconnu",
                &codes(&OperationKind::ALL, OperationKind::as_str),
                &mut faults,
            )
            .map(|kind| {
                PointChange::Operation(PointOperation {
                    date: body.date.trim().to_owned(),
                    kind,
                    note: body.note,
                })
            }),
            PointChangeBody::Price(body) => Some(PointChange::Price(PriceSeen {
                product: body.product,
                price_eur: body.price_eur,
                unit: body.unit,
                seen_on: body.seen_on.trim().to_owned(),
            })),
            PointChangeBody::Hours(body) => {
                let days = parse_days(&body.days, &mut faults);
                let slots = parse_slots(&body.slots, &mut faults);
                Some(PointChange::Hours { days, slots })
            }
            PointChangeBody::MovedTo(body) => Some(PointChange::MovedTo {
                to: body.to,
                motivation: body.motivation,
            }),
        };
        match change {
            Some(change) if faults.is_empty() => Ok(change),
            _ => Err(EngineError::Invalid(faults)),
        }
    }
}

/// A report id and a photo id in the path, both UUIDs (400 in our format otherwise).
pub struct PhotoPath(pub Uuid, pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for PhotoPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path((report, photo)) =
            axum::extract::Path::<(String, String)>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::new(ErrorCode::InvalidParameter))?;
        match (Uuid::parse_str(&report), Uuid::parse_str(&photo)) {
            (Ok(report), Ok(photo)) => Ok(PhotoPath(report, photo)),
            _ => Err(ApiError::with_message(
                ErrorCode::InvalidParameter,
                "Identifiant invalide : un UUID est attendu.",
            )),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Residents (no account).

/// A proof-of-work challenge for a resident's report (no session). Harder under a flood.
#[utoipa::path(get, path = "/api/v1/public/reports/challenge", tag = "reports",
    responses((status = 200, body = ChallengeDto), (status = 503, body = ErrorBody)))]
pub async fn public_challenge(State(state): State<AppState>) -> ApiResult<Json<ChallengeDto>> {
    let challenge = state.engine.report_challenge()?;
    Ok(Json(ChallengeDto {
        token: challenge.token,
        bits: challenge.bits,
    }))
}

/// A resident's report, with a solved challenge (single use). Returns the receipt code, once: only
/// its hash is kept. No cookie is set and nothing about the sender is kept.
#[utoipa::path(post, path = "/api/v1/public/reports", tag = "reports", request_body = PublicReportBody,
    responses((status = 201, body = ReceiptDto), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Invalid fields (VIGIE-VAL-0001) or proof of work refused (VIGIE-REPORT-0001)"),
        (status = 503, body = ErrorBody)))]
pub async fn public_submit(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    AppJson(body): AppJson<PublicReportBody>,
) -> ApiResult<Response> {
    let (draft, photos) = read_submission(body.report, &body.photos)?;
    let proof = Proof {
        token: body.proof.token,
        solution: body.proof.solution,
    };
    let code = state
        .engine
        .submit_public_report(proof, draft, photos, &ctx)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ReceiptDto {
            receipt: code.to_string(),
            message: RECEIPT_NOTICE.to_owned(),
        }),
    )
        .into_response())
}

/// What a receipt code opens: a coarse status, the day of arrival, the CROSS's messages.
#[utoipa::path(post, path = "/api/v1/public/receipts/status", tag = "reports", request_body = ReceiptCodeBody,
    responses((status = 200, body = ReceiptStatusDto), (status = 404, body = ErrorBody, description = "Unknown or expired code"),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn receipt_status(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    AppJson(body): AppJson<ReceiptCodeBody>,
) -> ApiResult<Json<ReceiptStatusDto>> {
    let view = state.engine.receipt_status(&body.code, &ctx).await?;
    Ok(Json(ReceiptStatusDto {
        status: view.status.as_str().to_owned(),
        status_label: view.status.label().to_owned(),
        received_on: view.received_on.to_string(),
        messages: view
            .messages
            .iter()
            .map(|(at, text)| DatedMessageDto {
                at: rfc3339(*at),
                text: text.clone(),
            })
            .collect(),
        additions: view.additions,
    }))
}

/// The resident adds information to their report with the receipt code.
#[utoipa::path(post, path = "/api/v1/public/receipts/messages", tag = "reports", request_body = ReceiptMessageBody,
    responses((status = 204), (status = 404, body = ErrorBody, description = "Unknown or expired code"),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn receipt_message(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    AppJson(body): AppJson<ReceiptMessageBody>,
) -> ApiResult<StatusCode> {
    state
        .engine
        .add_to_report(&body.code, &body.text, &ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Communes by name or postcode, for the public form (ten at most; no session).
#[utoipa::path(post, path = "/api/v1/public/communes/search", tag = "reports", request_body = PublicCommuneQuery,
    responses((status = 200, body = PublicCommunesResponse), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn public_communes(
    State(state): State<AppState>,
    AppJson(body): AppJson<PublicCommuneQuery>,
) -> ApiResult<Json<PublicCommunesResponse>> {
    let query = body.query.trim();
    if query.chars().count() > MAX_COMMUNE_QUERY_CHARS {
        return Err(EngineError::Invalid(vec![fault(
            "query",
            format!("La recherche ne doit pas dépasser {MAX_COMMUNE_QUERY_CHARS} caractères."),
        )])
        .into());
    }
    let communes = if query.is_empty() {
        Vec::new()
    } else {
        state
            .engine
            .public_commune_search(query, 10)
            .into_iter()
            .map(|found| PublicCommuneDto {
                code: found.code,
                nom: found.nom,
                label: found.libelle,
                departement: found.departement,
            })
            .collect()
    };
    Ok(Json(PublicCommunesResponse { communes }))
}

// ---------------------------------------------------------------------------------------------
// Partners.

/// A partner's report, from its account (routed like a resident's, followed by its unit).
#[utoipa::path(post, path = "/api/v1/reports", tag = "reports", security(("bearer" = [])), request_body = PartnerReportBody,
    responses((status = 201, body = CreatedDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn partner_submit(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(body): AppJson<PartnerReportBody>,
) -> ApiResult<Response> {
    let (draft, photos) = read_submission(body.report, &body.photos)?;
    let id = state
        .engine
        .submit_partner_report(&actor, draft, photos, &ctx)
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })).into_response())
}

/// The partner unit's own reports, newest first, with a coarse status and the CROSS's messages.
#[utoipa::path(get, path = "/api/v1/reports/mine", tag = "reports", security(("bearer" = [])),
    responses((status = 200, body = PartnerReportsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn partner_reports(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<PartnerReportsResponse>> {
    let views = state.engine.partner_reports(&actor, &ctx).await?;
    Ok(Json(PartnerReportsResponse {
        reports: views
            .iter()
            .map(|view| PartnerReportDto {
                id: view.id,
                received_at: rfc3339(view.received_at),
                category: view.category.as_str().to_owned(),
                category_label: view.category.label().to_owned(),
                commune: view.commune.clone(),
                commune_name: view.commune_name.clone(),
                status: view.status.as_str().to_owned(),
                status_label: view.status.label().to_owned(),
                messages: view
                    .messages
                    .iter()
                    .map(|(at, text)| DatedMessageDto {
                        at: rfc3339(*at),
                        text: text.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }))
}

/// Reports and live dealing points in the partner's départements by commune; every count below
/// five reads "moins de 5".
#[utoipa::path(get, path = "/api/v1/reports/digest", tag = "reports", security(("bearer" = [])),
    responses((status = 200, body = DigestResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn partner_digest(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<DigestResponse>> {
    let rows = state.engine.partner_digest(&actor, &ctx).await?;
    Ok(Json(DigestResponse {
        communes: rows
            .iter()
            .map(|row| DigestRowDto {
                commune: row.commune.clone(),
                commune_name: row.commune_name.clone(),
                reports: row.reports.to_string(),
                processed: row.processed.to_string(),
                points: row.points.to_string(),
            })
            .collect(),
    }))
}

// ---------------------------------------------------------------------------------------------
// Triage (CROSS, OFAST).

/// The triage queue: newest hour first; a resident's report arrives once its hour is over.
#[utoipa::path(post, path = "/api/v1/reports/queue", tag = "reports", security(("bearer" = [])), request_body = QueueBody,
    responses((status = 200, body = QueueResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn queue(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(body): AppJson<QueueBody>,
) -> ApiResult<Json<QueueResponse>> {
    let mut faults = Vec::new();
    let status = match body.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => parse_code(
            "status".to_owned(),
            text,
            ReportStatus::parse,
            "Statut de signalement inconnu",
            &codes(&ReportStatus::ALL, ReportStatus::as_str),
            &mut faults,
        ),
    };
    if !faults.is_empty() {
        return Err(EngineError::Invalid(faults).into());
    }
    let filter = QueueFilter {
        area: body
            .area
            .map(|area| area.trim().to_owned())
            .filter(|area| !area.is_empty()),
        status,
        include_closed: body.include_closed.unwrap_or(false),
    };
    let summaries = state.engine.report_queue(&actor, &filter, &ctx).await?;
    Ok(Json(QueueResponse {
        reports: summaries.iter().map(ReportSummaryDto::from).collect(),
    }))
}

/// Opens a report with a motif (journaled): its text, history, notes, messages, photos, candidate
/// dealing points and nearby reports.
#[utoipa::path(post, path = "/api/v1/reports/{id}/consultation", tag = "reports", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Report id")), request_body = MotifBody,
    responses((status = 200, body = ReportDetailDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn consult(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(body): AppJson<MotifBody>,
) -> ApiResult<Json<ReportDetailDto>> {
    let detail = state.engine.report(&actor, id, &body.motif, &ctx).await?;
    Ok(Json(ReportDetailDto::from(&detail)))
}

/// Moves a report to another status, with a motivation; `attached` names the dealing point.
#[utoipa::path(post, path = "/api/v1/reports/{id}/status", tag = "reports", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Report id")), request_body = StatusBody,
    responses((status = 200, body = ReportStatusDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_status(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(body): AppJson<StatusBody>,
) -> ApiResult<Json<ReportStatusDto>> {
    let mut faults = Vec::new();
    let Some(to) = parse_code(
        "status".to_owned(),
        &body.status,
        ReportStatus::parse,
        "Statut de signalement inconnu",
        &codes(&ReportStatus::ALL, ReportStatus::as_str),
        &mut faults,
    ) else {
        return Err(EngineError::Invalid(faults).into());
    };
    let report = state
        .engine
        .change_report_status(&actor, id, to, &body.motivation, body.point, &ctx)
        .await?;
    Ok(Json(ReportStatusDto {
        id: report.id,
        status: report.status.as_str().to_owned(),
        status_label: report.status.label().to_owned(),
        point: report.point,
    }))
}

/// An internal note on a report, never shown to the reporter.
#[utoipa::path(post, path = "/api/v1/reports/{id}/notes", tag = "reports", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Report id")), request_body = TextBody,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn add_note(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(body): AppJson<TextBody>,
) -> ApiResult<StatusCode> {
    state
        .engine
        .add_report_note(&actor, id, &body.text, &ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A message to the reporter, who reads it with the receipt code (or, a partner, in its list).
#[utoipa::path(post, path = "/api/v1/reports/{id}/messages", tag = "reports", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Report id")), request_body = TextBody,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn send_message(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(body): AppJson<TextBody>,
) -> ApiResult<StatusCode> {
    state
        .engine
        .send_report_message(&actor, id, &body.text, &ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One photo of a report, as stored (JPEG, metadata removed). Journaled.
#[utoipa::path(get, path = "/api/v1/reports/{id}/photos/{photo}", tag = "reports", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Report id"), ("photo" = uuid::Uuid, Path, description = "Photo id")),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn photo(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PhotoPath(report, photo): PhotoPath,
) -> ApiResult<Response> {
    let jpeg = state
        .engine
        .report_photo(&actor, report, photo, &ctx)
        .await?;
    let mut response = jpeg.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    Ok(response)
}

// ---------------------------------------------------------------------------------------------
// Dealing points.

/// The dealing points the caller may see, of one area or of all.
#[utoipa::path(get, path = "/api/v1/dealing-points", tag = "reports", security(("bearer" = [])), params(PointsParams),
    responses((status = 200, body = PointsResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn points(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppQuery(params): AppQuery<PointsParams>,
) -> ApiResult<Json<PointsResponse>> {
    let area = params
        .area
        .as_deref()
        .map(str::trim)
        .filter(|area| !area.is_empty());
    let markers = state.engine.points_map(&actor, area, &ctx).await?;
    Ok(Json(PointsResponse {
        points: markers.iter().map(PointMarkerDto::from).collect(),
    }))
}

/// Creates a dealing point (status `reported`) where the pin lies, possibly from a report.
#[utoipa::path(post, path = "/api/v1/dealing-points", tag = "reports", security(("bearer" = [])), request_body = NewPointBody,
    responses((status = 201, body = CreatedDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_point(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(body): AppJson<NewPointBody>,
) -> ApiResult<Response> {
    let id = state
        .engine
        .create_point(
            &actor,
            NewPoint {
                label: body.label,
                pin: Pin {
                    lat: body.lat,
                    lon: body.lon,
                },
                from_report: body.from_report,
            },
            &ctx,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })).into_response())
}

/// A dealing point: its history, hours, prices, operations, reports, displacements.
#[utoipa::path(get, path = "/api/v1/dealing-points/{id}", tag = "reports", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Dealing point id")),
    responses((status = 200, body = PointViewDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn point(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
) -> ApiResult<Json<PointViewDto>> {
    let view = state.engine.point(&actor, id, &ctx).await?;
    Ok(Json(PointViewDto::from(&view)))
}

/// Changes a dealing point: exactly one of `status`, `operation`, `price`, `hours`, `moved_to`.
#[utoipa::path(post, path = "/api/v1/dealing-points/{id}/changes", tag = "reports", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Dealing point id")), request_body = PointChangeBody,
    responses((status = 200, body = DealingPointDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_point(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(body): AppJson<PointChangeBody>,
) -> ApiResult<Json<DealingPointDto>> {
    let change = body.into_change()?;
    let point = state.engine.update_point(&actor, id, change, &ctx).await?;
    Ok(Json(DealingPointDto::from(&point)))
}
