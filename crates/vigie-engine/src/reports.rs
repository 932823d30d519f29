//! Residents' and partners' reports: intake, routing to the CROSS, the resident's receipt, and the
//! CROSS's triage queue.
//!
//! Two lanes, one record (`vigie_reports::Report`, stored as a workflow record of kind `report`
//! whose area is its département, or `national` when it cannot be located):
//! - **Residents** report with no account. What reaches the store is the report, its photos with
//!   their metadata removed, the receipt's Argon2id hash and the spent proof-of-work nonce; never an
//!   address, a user agent or a client identifier (the engine is never given any). The time kept is
//!   the hour of arrival, the id is a random UUIDv4, and the journal entry names no report. A public
//!   report reaches its CROSS's queue only once its hour is over, in a batch ordered by its random
//!   id, so the order of arrival does not tell who sent what.
//! - **Partners** (municipal police, social landlords, transport operators, mayors) report from an
//!   account; they follow their own unit's reports with a coarse status and read a digest of their
//!   départements in which small counts are withheld.
//!
//! The CROSS of the report's département and OFAST work the queue: every read of a report is
//! journaled with its motif, every status change needs a motivation and is kept in the report's
//! history, internal notes are never shown to the reporter, messages are. Candidate dealing points
//! and nearby reports are computed when an analyst opens a report, never at submission: the
//! submission does the same work whatever it names, and residents are never told what is known.
//!
//! What it does not do: rate-limit by address (Vigie never sees one; the proof of work rises with
//! the national flow instead), e-mail anyone, or decide what a report is worth.

use crate::auth::Actor;
use crate::error::{EngineError, EngineResult};
use crate::{clock, Engine, RequestContext};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use time::OffsetDateTime;
use uuid::Uuid;
use vigie_core::entity::{FieldError, LegalRegime};
use vigie_core::journal::{JournalAction, JournalKey, Outcome};
use vigie_core::org::UnitId;
use vigie_core::policy::{decide, search_scope, Action, ObjectMarks, Places};
use vigie_reports::pow::{self, Challenge, Difficulty};
use vigie_reports::{
    Channel, Message, MessageFrom, Note, ReceiptCode, Report, ReportDraft, ReportStatus,
    ReporterStatus,
};
use vigie_store::{Mutation, RecordQuery, WorkflowRecord, WriteBatch};

pub(crate) const REPORT_KIND: &str = "report";
pub(crate) const PHOTO_KIND: &str = "report-photo";
pub(crate) const RECEIPT_KIND: &str = "report-receipt";
pub(crate) const PARTNER_KIND: &str = "partner-report";
pub(crate) const SPENT_KIND: &str = "pow-spent";
/// The area of reports that could not be located in France.
pub const NATIONAL_AREA: &str = "national";
const HOUR_MICROS: i64 = 3_600_000_000;
pub(crate) const DAY_MICROS: i64 = 24 * HOUR_MICROS;
/// A receipt opens its report for this long after its last use.
pub const RECEIPT_TTL_DAYS: i64 = 90;
const CHALLENGE_TTL_MICROS: i64 = 10 * 60 * 1_000_000;
const FLOOD_WINDOW_MICROS: i64 = 10 * 60 * 1_000_000;

/// What the engine keeps in memory for the public lane: the keys, and the times of the last ten
/// minutes' submissions (no more than times) to raise the proof of work under a flood.
pub(crate) struct ReportGuard {
    pow_key: [u8; 32],
    receipt_salt: [u8; 32],
    recent: Mutex<VecDeque<i64>>,
    difficulty: Difficulty,
}

impl ReportGuard {
    pub(crate) fn new(key: &JournalKey) -> Self {
        Self {
            pow_key: key.derive_secret("reports proof of work"),
            receipt_salt: key.derive_secret("reports receipt salt"),
            recent: Mutex::new(VecDeque::new()),
            difficulty: Difficulty::default(),
        }
    }

    fn recent_count(&self, now: i64) -> u32 {
        let Ok(mut recent) = self.recent.lock() else {
            return 0;
        };
        while recent
            .front()
            .is_some_and(|at| *at <= now - FLOOD_WINDOW_MICROS)
        {
            recent.pop_front();
        }
        u32::try_from(recent.len()).unwrap_or(u32::MAX)
    }

    fn note_submission(&self, now: i64) {
        if let Ok(mut recent) = self.recent.lock() {
            recent.push_back(now);
        }
    }
}

/// A proof-of-work challenge for the public form: solve it, then submit with the solution.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PowChallenge {
    pub token: String,
    pub bits: u8,
    /// How long a browser without JavaScript waits before sending with this token instead.
    pub wait_seconds: i64,
}

/// A solved challenge.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Proof {
    pub token: String,
    pub solution: u64,
}

/// A report in a list: what triage needs to pick one, not its text.
#[derive(Clone, Debug)]
pub struct ReportSummary {
    pub id: Uuid,
    /// The hour of arrival (public reports keep no finer time).
    pub received_at: OffsetDateTime,
    pub public: bool,
    pub category: vigie_reports::Category,
    pub commune: Option<String>,
    pub commune_name: Option<String>,
    pub departement: Option<String>,
    pub status: ReportStatus,
    pub point: Option<Uuid>,
    pub photos: usize,
    /// Messages from the reporter since the CROSS last wrote.
    pub reporter_messages: usize,
}

/// A candidate dealing point for a report.
#[derive(Clone, Debug)]
pub struct PointCandidate {
    pub id: Uuid,
    pub label: String,
    pub status: vigie_reports::PointStatus,
    /// None when the report has no pin (same commune only).
    pub distance_m: Option<f64>,
    pub similarity: f64,
    pub score: f64,
}

/// Another report that may describe the same thing.
#[derive(Clone, Debug)]
pub struct NearbyReport {
    pub id: Uuid,
    pub status: ReportStatus,
    pub received_at: OffsetDateTime,
    pub distance_m: Option<f64>,
    pub similarity: f64,
}

/// A report as the CROSS reads it.
#[derive(Clone, Debug)]
pub struct ReportDetail {
    pub report: Report,
    pub received_at: OffsetDateTime,
    pub commune_name: Option<String>,
    /// The partner unit's name, for partner reports.
    pub partner: Option<String>,
    pub candidates: Vec<PointCandidate>,
    pub nearby: Vec<NearbyReport>,
}

/// What a receipt opens: a coarse status and the CROSS's messages, never the report's text.
#[derive(Clone, Debug)]
pub struct ReceiptView {
    pub status: ReporterStatus,
    pub received_on: time::Date,
    pub messages: Vec<(OffsetDateTime, String)>,
    /// How many additions the reporter sent (their text is not shown back).
    pub additions: usize,
}

/// A partner's own report, as the partner sees it.
#[derive(Clone, Debug)]
pub struct PartnerReportView {
    pub id: Uuid,
    pub received_at: OffsetDateTime,
    pub category: vigie_reports::Category,
    pub commune: Option<String>,
    pub commune_name: Option<String>,
    pub status: ReporterStatus,
    pub messages: Vec<(OffsetDateTime, String)>,
}

/// One commune of a partner's digest.
#[derive(Clone, Debug)]
pub struct DigestRow {
    pub commune: String,
    pub commune_name: String,
    pub reports: vigie_reports::Count,
    pub processed: vigie_reports::Count,
    /// Live dealing points (confirmed, active, resurgent) known in the commune.
    pub points: vigie_reports::Count,
}

/// Which reports a queue lists.
#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    /// A département code or [`NATIONAL_AREA`]; None: every area the reader may triage.
    pub area: Option<String>,
    pub status: Option<ReportStatus>,
    /// Include reports closed (no further action, suspected malicious, passed to a service).
    pub include_closed: bool,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct ReceiptBody {
    pub(crate) report: Uuid,
    area: String,
    /// The day it was last used (days are enough for the expiry, and say less).
    pub(crate) last_used_day: i64,
}

pub(crate) fn invalid(errors: Vec<vigie_reports::FieldError>) -> EngineError {
    EngineError::Invalid(
        errors
            .into_iter()
            .map(|error| FieldError {
                field: error.field.to_owned(),
                message: error.message,
            })
            .collect(),
    )
}

/// The store queries that read `area` (or every area the actor may reach for `action`): one per
/// département of a territorial scope, a single unfiltered one for a national scope, none when
/// `area` lies outside the scope. `Forbidden` when the actor may do `action` on nothing.
pub(crate) fn areas_to_read(
    actor: &Actor,
    action: Action,
    area: Option<&str>,
) -> EngineResult<Vec<Option<String>>> {
    let scope = search_scope(&actor.subject(), action).ok_or(EngineError::Forbidden)?;
    let within = match scope.others.map(|others| others.places) {
        Some(Places::Any) => None,
        Some(Places::Within(codes)) => Some(codes),
        _ => Some(Vec::new()),
    };
    Ok(match (area, within) {
        (Some(area), Some(codes)) if codes.iter().any(|code| code == area) => {
            vec![Some(area.to_owned())]
        }
        (Some(_), Some(_)) => Vec::new(),
        (Some(area), None) => vec![Some(area.to_owned())],
        (None, Some(codes)) => codes.into_iter().map(Some).collect(),
        (None, None) => vec![None],
    })
}

/// A resident's report waits for the end of its hour, then reaches the queue with the others of
/// that hour; a partner's is there at once (the partner is identified anyway).
fn is_released(report: &Report, now: i64) -> bool {
    !matches!(report.channel, Channel::Public) || report.received_hour_micros + HOUR_MICROS <= now
}

pub(crate) fn invalid_field(field: &str, message: impl Into<String>) -> EngineError {
    EngineError::Invalid(vec![FieldError {
        field: field.to_owned(),
        message: message.into(),
    }])
}

/// A refused status change, named at the field the user must correct.
pub(crate) fn status_error(error: vigie_reports::StatusError) -> EngineError {
    let field = match error {
        vigie_reports::StatusError::MotivationRequired
        | vigie_reports::StatusError::MotivationTooLong => "motivation",
        vigie_reports::StatusError::PointRequired => "point",
        vigie_reports::StatusError::NotAllowed { .. } => "status",
    };
    invalid_field(field, error.to_string())
}

fn internal(error: impl std::fmt::Display) -> EngineError {
    EngineError::Internal(error.to_string())
}

fn at(micros: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub(crate) fn area_of(departement: Option<&str>) -> String {
    departement.unwrap_or(NATIONAL_AREA).to_owned()
}

/// The policy's view of a report: a partner's report is its unit's; a resident's belongs to no
/// unit, so only the territory decides. Both are under the partner regime (CROSS and OFAST only).
pub(crate) fn report_marks(report: &Report) -> ObjectMarks<'_> {
    let owner = match &report.channel {
        Channel::Partner { unit, .. } => UnitId(*unit),
        Channel::Public => UnitId(Uuid::nil()),
    };
    ObjectMarks {
        owner_unit: owner,
        departement: report.departement.as_deref(),
        regime: LegalRegime::Partner,
    }
}

fn is_closed(status: ReportStatus) -> bool {
    matches!(
        status,
        ReportStatus::NoFurtherAction
            | ReportStatus::SuspectedMalicious
            | ReportStatus::PassedToService
    )
}

pub(crate) fn report_record(report: &Report) -> EngineResult<WorkflowRecord> {
    Ok(WorkflowRecord {
        kind: REPORT_KIND.to_owned(),
        id: report.id.to_string(),
        target_a: None,
        target_b: None,
        starts_micros: report.received_hour_micros,
        ends_micros: report.received_hour_micros + HOUR_MICROS,
        area: Some(area_of(report.departement.as_deref())),
        body: serde_json::to_string(report).map_err(internal)?,
    })
}

pub(crate) fn parse_report(record: &WorkflowRecord) -> EngineResult<Report> {
    serde_json::from_str(&record.body)
        .map_err(|error| EngineError::Corrupt(format!("report {}: {error}", record.id)))
}

impl Engine {
    /// A new proof-of-work challenge for the public form. Its difficulty rises with the number of
    /// public reports received in the last ten minutes on this node.
    pub fn report_challenge(&self) -> EngineResult<PowChallenge> {
        let now = clock::micros(self.inner.clock.now());
        let guard = &self.inner.reports;
        let bits = guard.difficulty.bits_for(guard.recent_count(now));
        let mut nonce = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let challenge = Challenge {
            nonce: hex::encode(nonce),
            bits,
            expires_at_micros: now + CHALLENGE_TTL_MICROS,
        };
        Ok(PowChallenge {
            token: challenge.token(&guard.pow_key),
            bits,
            wait_seconds: guard.difficulty.wait_micros(bits) / 1_000_000,
        })
    }

    /// Where a draft goes: its commune (from the code the resident chose, else from the pin) and
    /// département; both None for the national queue.
    fn route(&self, draft: &ReportDraft) -> EngineResult<(Option<String>, Option<String>)> {
        let geography = &self.inner.geography;
        if let Some(code) = draft.commune.as_deref() {
            return match geography.commune(code) {
                Some(location) => {
                    Ok((Some(location.commune.code), Some(location.departement.code)))
                }
                None => Err(invalid_field(
                    "commune",
                    "Commune introuvable : choisissez-la dans la liste.",
                )),
            };
        }
        if let Some(pin) = draft.pin {
            if let Ok(Some(location)) = geography.locate(pin.lat, pin.lon) {
                return Ok((Some(location.commune.code), Some(location.departement.code)));
            }
        }
        Ok((None, None))
    }

    pub(crate) fn commune_name(&self, code: Option<&str>) -> Option<String> {
        code.and_then(|code| self.inner.geography.commune(code))
            .map(|location| location.commune.nom)
    }

    /// Validates a draft and its photos, routes it, and removes the photos' metadata (off the
    /// async runtime: decoding and encoding take tens of milliseconds).
    async fn prepare(
        &self,
        draft: &ReportDraft,
        photos: Vec<Vec<u8>>,
    ) -> EngineResult<(Option<String>, Option<String>, Vec<Vec<u8>>)> {
        let mut errors = match draft.validate() {
            Ok(()) => Vec::new(),
            Err(errors) => errors,
        };
        if photos.len() > vigie_reports::MAX_PHOTOS {
            errors.push(vigie_reports::FieldError {
                field: "photos",
                message: format!(
                    "{} photos au plus par signalement.",
                    vigie_reports::MAX_PHOTOS
                ),
            });
        }
        if !errors.is_empty() {
            return Err(invalid(errors));
        }
        let (commune, departement) = self.route(draft)?;
        let sanitised = tokio::task::spawn_blocking(move || {
            photos
                .iter()
                .enumerate()
                .map(|(index, bytes)| {
                    vigie_reports::sanitise_photo(bytes)
                        .map(|photo| photo.jpeg)
                        .map_err(|error| (index, error.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(internal)?
        .map_err(|(index, message)| invalid_field(&format!("photos[{index}]"), message))?;
        Ok((commune, departement, sanitised))
    }

    fn photo_mutations(&self, area: &str, photos: &[Vec<u8>], ids: &[Uuid]) -> Vec<Mutation> {
        photos
            .iter()
            .zip(ids)
            .map(|(jpeg, id)| {
                Mutation::PutRecord(WorkflowRecord {
                    kind: PHOTO_KIND.to_owned(),
                    id: id.to_string(),
                    target_a: None,
                    target_b: None,
                    starts_micros: 0,
                    ends_micros: 0,
                    area: Some(area.to_owned()),
                    body: BASE64.encode(jpeg),
                })
            })
            .collect()
    }

    /// A resident's report, with no account. Checks the proof of work (single use, on every node:
    /// the spent nonce is written with the report), validates, routes, strips the photos, and
    /// returns the receipt code, shown once: only its Argon2id hash is kept.
    pub async fn submit_public_report(
        &self,
        proof: Proof,
        draft: ReportDraft,
        photos: Vec<Vec<u8>>,
        ctx: &RequestContext,
    ) -> EngineResult<ReceiptCode> {
        let challenge = self.read_challenge(&proof.token)?;
        if !pow::check(&challenge, proof.solution) {
            return Err(EngineError::ProofOfWork(
                vigie_reports::PowError::Unsolved.to_string(),
            ));
        }
        self.submit_public(challenge, draft, photos, ctx).await
    }

    /// The lane of a browser without JavaScript, which cannot solve the proof of work: the same
    /// token, answered by waiting (`vigie_reports::pow::Difficulty::check_wait`), closed while the
    /// form is flooded. Otherwise as [`Engine::submit_public_report`].
    pub async fn submit_public_report_waited(
        &self,
        token: &str,
        draft: ReportDraft,
        photos: Vec<Vec<u8>>,
        ctx: &RequestContext,
    ) -> EngineResult<ReceiptCode> {
        let now = clock::micros(self.inner.clock.now());
        let guard = &self.inner.reports;
        let challenge = self.read_challenge(token)?;
        guard
            .difficulty
            .check_wait(
                &challenge,
                challenge.expires_at_micros - CHALLENGE_TTL_MICROS,
                now,
                guard.recent_count(now),
            )
            .map_err(|error| EngineError::ProofOfWork(error.to_string()))?;
        self.submit_public(challenge, draft, photos, ctx).await
    }

    /// The workflow records of `kind` in `area` (of every area: `None`).
    pub(crate) async fn records_in(
        &self,
        kind: &str,
        area: Option<String>,
    ) -> EngineResult<Vec<WorkflowRecord>> {
        Ok(self
            .inner
            .store
            .records(&RecordQuery {
                kind: kind.to_owned(),
                area,
                ..RecordQuery::default()
            })
            .await?)
    }

    /// A token handed out by [`Engine::report_challenge`], signed and not expired.
    fn read_challenge(&self, token: &str) -> EngineResult<Challenge> {
        let now = clock::micros(self.inner.clock.now());
        Challenge::from_token(token, &self.inner.reports.pow_key, now)
            .map_err(|error| EngineError::ProofOfWork(error.to_string()))
    }

    /// Writes a resident's report whose challenge was answered.
    async fn submit_public(
        &self,
        challenge: Challenge,
        draft: ReportDraft,
        photos: Vec<Vec<u8>>,
        ctx: &RequestContext,
    ) -> EngineResult<ReceiptCode> {
        let now = clock::micros(self.inner.clock.now());
        let guard = &self.inner.reports;
        let (commune, departement, photos) = self.prepare(&draft, photos).await?;
        let area = area_of(departement.as_deref());
        let photo_ids: Vec<Uuid> = photos.iter().map(|_| Uuid::new_v4()).collect();
        let report = Report {
            id: Uuid::new_v4(),
            channel: Channel::Public,
            received_hour_micros: vigie_reports::report::truncate_to_hour(now),
            draft,
            commune,
            departement,
            status: ReportStatus::New,
            history: Vec::new(),
            notes: Vec::new(),
            messages: Vec::new(),
            photos: photo_ids.clone(),
            point: None,
        };
        let mut entropy = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut entropy);
        let code = ReceiptCode::from_entropy(u128::from_le_bytes(entropy));
        let receipt_id = self.receipt_key(&code).await?;
        let mut mutations = vec![
            Mutation::PutRecordIf {
                record: WorkflowRecord {
                    kind: SPENT_KIND.to_owned(),
                    id: challenge.nonce.clone(),
                    target_a: None,
                    target_b: None,
                    starts_micros: challenge.expires_at_micros,
                    ends_micros: challenge.expires_at_micros,
                    area: None,
                    body: String::new(),
                },
                read: None,
            },
            Mutation::PutRecord(report_record(&report)?),
            Mutation::PutRecord(WorkflowRecord {
                kind: RECEIPT_KIND.to_owned(),
                id: receipt_id,
                target_a: None,
                target_b: None,
                starts_micros: 0,
                ends_micros: 0,
                area: None,
                body: serde_json::to_string(&ReceiptBody {
                    report: report.id,
                    area: area.clone(),
                    last_used_day: now.div_euclid(DAY_MICROS),
                })
                .map_err(internal)?,
            }),
        ];
        mutations.extend(self.photo_mutations(&area, &photos, &photo_ids));
        // The entry names no report: with its exact time it would undo the hour-coarse arrival.
        let journal = vec![self.draft(
            None,
            JournalAction::Collect,
            "report:public".to_owned(),
            "signalement d'un riverain",
            Outcome::Allow,
            ctx,
        )];
        match self.commit(WriteBatch { mutations, journal }).await {
            Ok(_) => {}
            Err(EngineError::Conflict(_)) => {
                return Err(EngineError::ProofOfWork(
                    vigie_reports::PowError::Invalid.to_string(),
                ))
            }
            Err(error) => return Err(error),
        }
        guard.note_submission(now);
        Ok(code)
    }

    /// The lookup key of a receipt: Argon2id of its digits under the system's receipt salt, so
    /// that the database never holds a code. The cost is modest (8 MiB, one pass: a few
    /// milliseconds, inside the submission's latency budget) because the code already has 53 bits
    /// and the salt is a secret derived from the journal key, which is not in the database: a
    /// stolen database alone does not let anyone test codes offline.
    async fn receipt_key(&self, code: &ReceiptCode) -> EngineResult<String> {
        let digits = code.digits().to_owned();
        let salt = self.inner.reports.receipt_salt;
        tokio::task::spawn_blocking(move || {
            let params = Params::new(8 * 1024, 1, 1, Some(32)).map_err(internal)?;
            let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
            let mut out = [0u8; 32];
            argon
                .hash_password_into(digits.as_bytes(), &salt, &mut out)
                .map_err(internal)?;
            Ok::<_, EngineError>(hex::encode(out))
        })
        .await
        .map_err(internal)?
    }

    /// The report a receipt opens, with the receipt's record; NotFound for an unknown or expired
    /// code (the same answer, after the same work).
    async fn by_receipt(
        &self,
        code: &str,
    ) -> EngineResult<(WorkflowRecord, ReceiptBody, WorkflowRecord, Report)> {
        let code =
            ReceiptCode::parse(code).map_err(|error| invalid_field("code", error.to_string()))?;
        let key = self.receipt_key(&code).await?;
        let today = clock::micros(self.inner.clock.now()).div_euclid(DAY_MICROS);
        let Some(receipt) = self.inner.store.record(RECEIPT_KIND, &key).await? else {
            return Err(EngineError::NotFound);
        };
        let body: ReceiptBody = serde_json::from_str(&receipt.body)
            .map_err(|error| EngineError::Corrupt(format!("receipt: {error}")))?;
        if today - body.last_used_day > RECEIPT_TTL_DAYS {
            return Err(EngineError::NotFound);
        }
        let Some(record) = self
            .inner
            .store
            .record(REPORT_KIND, &body.report.to_string())
            .await?
        else {
            return Err(EngineError::NotFound);
        };
        let report = parse_report(&record)?;
        Ok((receipt, body, record, report))
    }

    /// Keeps a used receipt alive for another [`RECEIPT_TTL_DAYS`] (at most one write a day).
    fn touch_receipt(
        &self,
        receipt: &WorkflowRecord,
        body: &ReceiptBody,
    ) -> EngineResult<Option<Mutation>> {
        let today = clock::micros(self.inner.clock.now()).div_euclid(DAY_MICROS);
        if body.last_used_day == today {
            return Ok(None);
        }
        Ok(Some(Mutation::PutRecord(WorkflowRecord {
            body: serde_json::to_string(&ReceiptBody {
                report: body.report,
                area: body.area.clone(),
                last_used_day: today,
            })
            .map_err(internal)?,
            ..receipt.clone()
        })))
    }

    /// What a receipt shows: the coarse status, the day of arrival, the CROSS's messages.
    pub async fn receipt_status(
        &self,
        code: &str,
        ctx: &RequestContext,
    ) -> EngineResult<ReceiptView> {
        let (receipt, body, _, report) = self.by_receipt(code).await?;
        let journal = vec![self.draft(
            None,
            JournalAction::Consult,
            "report:receipt".to_owned(),
            "suivi par le code de suivi",
            Outcome::Allow,
            ctx,
        )];
        let mutations = self.touch_receipt(&receipt, &body)?.into_iter().collect();
        self.commit(WriteBatch { mutations, journal }).await?;
        Ok(ReceiptView {
            status: report.status.for_reporter(),
            received_on: at(report.received_hour_micros).date(),
            messages: report
                .messages
                .iter()
                .filter(|message| message.from == MessageFrom::Cross)
                .map(|message| (at(message.at_micros), message.text.clone()))
                .collect(),
            additions: report
                .messages
                .iter()
                .filter(|message| message.from == MessageFrom::Reporter)
                .count(),
        })
    }

    /// The resident adds information to their report (also once it is closed: it reaches the
    /// CROSS all the same). The time kept is the hour.
    pub async fn add_to_report(
        &self,
        code: &str,
        text: &str,
        ctx: &RequestContext,
    ) -> EngineResult<()> {
        let text = vigie_reports::report::validate_message_text(text)
            .map_err(|error| invalid(vec![error]))?;
        let (receipt, body, record, mut report) = self.by_receipt(code).await?;
        let now = clock::micros(self.inner.clock.now());
        report.messages.push(Message {
            at_micros: vigie_reports::report::truncate_to_hour(now),
            from: MessageFrom::Reporter,
            text,
        });
        let mut mutations = vec![Mutation::PutRecordIf {
            record: report_record(&report)?,
            read: Some(record.body),
        }];
        mutations.extend(self.touch_receipt(&receipt, &body)?);
        let journal = vec![self.draft(
            None,
            JournalAction::Modify,
            "report:receipt".to_owned(),
            "complément par le code de suivi",
            Outcome::Allow,
            ctx,
        )];
        self.commit(WriteBatch { mutations, journal }).await?;
        Ok(())
    }

    /// A partner's report, from its account: routed like a resident's, and kept under the
    /// partner's unit so that the partner can follow it.
    pub async fn submit_partner_report(
        &self,
        actor: &Actor,
        draft: ReportDraft,
        photos: Vec<Vec<u8>>,
        ctx: &RequestContext,
    ) -> EngineResult<Uuid> {
        self.require(actor, Action::SubmitReport)?;
        let (commune, departement, photos) = self.prepare(&draft, photos).await?;
        let now = clock::micros(self.inner.clock.now());
        let area = area_of(departement.as_deref());
        let photo_ids: Vec<Uuid> = photos.iter().map(|_| Uuid::new_v4()).collect();
        let report = Report {
            id: Uuid::new_v4(),
            channel: Channel::Partner {
                unit: actor.unit.id.0,
                account: actor.account.id.0,
            },
            received_hour_micros: vigie_reports::report::truncate_to_hour(now),
            draft,
            commune,
            departement,
            status: ReportStatus::New,
            history: Vec::new(),
            notes: Vec::new(),
            messages: Vec::new(),
            photos: photo_ids.clone(),
            point: None,
        };
        let mut mutations = vec![
            Mutation::PutRecord(report_record(&report)?),
            Mutation::PutRecord(WorkflowRecord {
                kind: PARTNER_KIND.to_owned(),
                id: report.id.to_string(),
                target_a: None,
                target_b: None,
                starts_micros: report.received_hour_micros,
                ends_micros: report.received_hour_micros + HOUR_MICROS,
                area: Some(actor.unit.id.0.to_string()),
                body: String::new(),
            }),
        ];
        mutations.extend(self.photo_mutations(&area, &photos, &photo_ids));
        let journal = vec![self.draft(
            Some(actor),
            JournalAction::Collect,
            format!("report:{}", report.id),
            "signalement d'un partenaire",
            Outcome::Allow,
            ctx,
        )];
        self.commit(WriteBatch { mutations, journal }).await?;
        Ok(report.id)
    }

    /// The partner unit's own reports, newest first, with a coarse status and the CROSS's messages.
    pub async fn partner_reports(
        &self,
        actor: &Actor,
        ctx: &RequestContext,
    ) -> EngineResult<Vec<PartnerReportView>> {
        self.require(actor, Action::SubmitReport)?;
        let own = self
            .records_in(PARTNER_KIND, Some(actor.unit.id.0.to_string()))
            .await?;
        let mut views = Vec::with_capacity(own.len());
        for entry in own {
            let Some(record) = self.inner.store.record(REPORT_KIND, &entry.id).await? else {
                continue;
            };
            let report = parse_report(&record)?;
            if !matches!(report.channel, Channel::Partner { unit, .. } if unit == actor.unit.id.0) {
                continue;
            }
            views.push(PartnerReportView {
                id: report.id,
                received_at: at(report.received_hour_micros),
                category: report.draft.category,
                commune_name: self.commune_name(report.commune.as_deref()),
                commune: report.commune.clone(),
                status: report.status.for_reporter(),
                messages: report
                    .messages
                    .iter()
                    .filter(|message| message.from == MessageFrom::Cross)
                    .map(|message| (at(message.at_micros), message.text.clone()))
                    .collect(),
            });
        }
        views.sort_by_key(|view| std::cmp::Reverse(view.received_at));
        let draft = self.draft(
            Some(actor),
            JournalAction::Search,
            format!("partner-reports:{}", views.len()),
            "suivi des signalements du partenaire",
            Outcome::Allow,
            ctx,
        );
        self.journal_only(vec![draft]).await?;
        Ok(views)
    }

    /// Reports received in the partner unit's départements, by commune, and the live dealing points
    /// known there, every count below five shown as "moins de 5" (zero included, so that none can
    /// be told apart).
    pub async fn partner_digest(
        &self,
        actor: &Actor,
        ctx: &RequestContext,
    ) -> EngineResult<Vec<DigestRow>> {
        self.require(actor, Action::SubmitReport)?;
        // The reports and the live points of the territory, by commune. A partner never reads a
        // point: they are read from the store here, for the aggregate only.
        let mut rows = Vec::new();
        let mut points = Vec::new();
        for code in actor.unit.territory.codes() {
            for record in self.records_in(REPORT_KIND, Some(code.clone())).await? {
                let report = parse_report(&record)?;
                if let Some(commune) = report.commune {
                    rows.push((commune, report.status.for_reporter()));
                }
            }
            for record in self
                .records_in(crate::points::POINT_KIND, Some(code.clone()))
                .await?
            {
                let point = crate::points::parse_point(&record)?;
                if let (true, Some(commune)) = (point.status.is_live(), point.commune) {
                    points.push(commune);
                }
            }
        }
        // Every commune of the territory is listed, so that a commune without reports cannot
        // be told apart from one with a few.
        let atlas = self.inner.geography.atlas();
        let communes: Vec<String> = atlas
            .units
            .iter()
            .filter(|unit| unit.kind == vigie_geo::atlas::UnitKind::Commune)
            .filter(|unit| {
                atlas
                    .departements
                    .get(unit.departement)
                    .is_some_and(|dep| actor.unit.territory.codes().contains(&dep.code))
            })
            .map(|unit| unit.code.clone())
            .collect();
        let digest = vigie_reports::digest::digest_communes(&communes, &rows, &points)
            .into_iter()
            .map(|row| DigestRow {
                commune_name: self
                    .commune_name(Some(&row.commune))
                    .unwrap_or_else(|| row.commune.clone()),
                commune: row.commune,
                reports: row.reports,
                processed: row.processed,
                points: row.points,
            })
            .collect();
        let draft = self.draft(
            Some(actor),
            JournalAction::Search,
            "report-digest".to_owned(),
            "synthèse communale",
            Outcome::Allow,
            ctx,
        );
        self.journal_only(vec![draft]).await?;
        Ok(digest)
    }

    /// Reads the reports of the areas asked for, keeping those the actor may triage.
    pub(crate) async fn triage_reports(
        &self,
        actor: &Actor,
        area: Option<&str>,
    ) -> EngineResult<Vec<Report>> {
        let queries = areas_to_read(actor, Action::TriageReports, area)?;
        let now = clock::micros(self.inner.clock.now());
        let mut reports = Vec::new();
        for area in queries {
            for record in self.records_in(REPORT_KIND, area).await? {
                let report = parse_report(&record)?;
                // A resident's report waits for the end of its hour, then arrives with the others.
                if is_released(&report, now)
                    && decide(
                        &actor.subject(),
                        Action::TriageReports,
                        Some(report_marks(&report)),
                    )
                    .is_allowed()
                {
                    reports.push(report);
                }
            }
        }
        Ok(reports)
    }

    pub(crate) fn summary_of(&self, report: &Report) -> ReportSummary {
        let since_cross = report
            .messages
            .iter()
            .rev()
            .take_while(|message| message.from == MessageFrom::Reporter)
            .count();
        ReportSummary {
            id: report.id,
            received_at: at(report.received_hour_micros),
            public: matches!(report.channel, Channel::Public),
            category: report.draft.category,
            commune_name: self.commune_name(report.commune.as_deref()),
            commune: report.commune.clone(),
            departement: report.departement.clone(),
            status: report.status,
            point: report.point,
            photos: report.photos.len(),
            reporter_messages: since_cross,
        }
    }

    /// The triage queue: the reports routed to the actor's CROSS (or, for OFAST, to any area),
    /// newest hour first and, within an hour, in the order of their random ids.
    pub async fn report_queue(
        &self,
        actor: &Actor,
        filter: &QueueFilter,
        ctx: &RequestContext,
    ) -> EngineResult<Vec<ReportSummary>> {
        let reports = self.triage_reports(actor, filter.area.as_deref()).await?;
        let mut summaries: Vec<ReportSummary> = reports
            .iter()
            .filter(|report| filter.status.is_none_or(|status| report.status == status))
            .filter(|report| {
                filter.include_closed || filter.status.is_some() || !is_closed(report.status)
            })
            .map(|report| self.summary_of(report))
            .collect();
        summaries.sort_by(|a, b| {
            b.received_at
                .cmp(&a.received_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        let draft = self.draft(
            Some(actor),
            JournalAction::Search,
            format!(
                "report-queue:{}:{}",
                filter.area.as_deref().unwrap_or("all"),
                summaries.len()
            ),
            "file de tri des signalements",
            Outcome::Allow,
            ctx,
        );
        self.journal_only(vec![draft]).await?;
        Ok(summaries)
    }

    /// Reads one report for triage (with a motif), and finds candidate dealing points and nearby
    /// reports of the same area. NotFound when hidden, as when missing.
    pub async fn report(
        &self,
        actor: &Actor,
        id: Uuid,
        motif: &str,
        ctx: &RequestContext,
    ) -> EngineResult<ReportDetail> {
        let (_, report) = self.triage_read(actor, id).await?;
        let motif = crate::entities::clean_motif(motif)?;
        let draft = self.draft(
            Some(actor),
            JournalAction::Consult,
            format!("report:{id}"),
            &motif,
            Outcome::Allow,
            ctx,
        );
        self.journal_only(vec![draft]).await?;
        let area = area_of(report.departement.as_deref());
        let candidates = self.point_candidates(&report, &area).await?;
        let nearby = self.nearby_reports(actor, &report).await?;
        let partner = match &report.channel {
            Channel::Partner { unit, .. } => self
                .inner
                .store
                .unit(UnitId(*unit))
                .await?
                .map(|unit| unit.name),
            Channel::Public => None,
        };
        Ok(ReportDetail {
            received_at: at(report.received_hour_micros),
            commune_name: self.commune_name(report.commune.as_deref()),
            partner,
            candidates,
            nearby,
            report,
        })
    }

    /// Reads a report the actor may triage (released, visible), with its record for a
    /// conditional write.
    pub(crate) async fn triage_read(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> EngineResult<(WorkflowRecord, Report)> {
        // Forbidden for a role that may triage nothing, before anything is read.
        areas_to_read(actor, Action::TriageReports, None)?;
        let Some(record) = self
            .inner
            .store
            .record(REPORT_KIND, &id.to_string())
            .await?
        else {
            return Err(EngineError::NotFound);
        };
        let report = parse_report(&record)?;
        let now = clock::micros(self.inner.clock.now());
        if !is_released(&report, now)
            || !decide(
                &actor.subject(),
                Action::TriageReports,
                Some(report_marks(&report)),
            )
            .is_allowed()
        {
            return Err(EngineError::NotFound);
        }
        Ok((record, report))
    }

    async fn nearby_reports(
        &self,
        actor: &Actor,
        report: &Report,
    ) -> EngineResult<Vec<NearbyReport>> {
        let area = area_of(report.departement.as_deref());
        let others = self.triage_reports(actor, Some(&area)).await?;
        let mut nearby = Vec::new();
        for other in others.iter().filter(|other| other.id != report.id) {
            let similarity = vigie_reports::nearby::similarity(
                &report.draft.description,
                &other.draft.description,
            );
            let distance = match (report.draft.pin, other.draft.pin) {
                (Some(a), Some(b)) => Some(a.distance_m(&b)),
                _ => None,
            };
            let close = match distance {
                Some(distance) => distance <= vigie_reports::CANDIDATE_RADIUS_M,
                None => {
                    report.commune.is_some() && report.commune == other.commune && similarity >= 0.2
                }
            };
            if close {
                nearby.push(NearbyReport {
                    id: other.id,
                    status: other.status,
                    received_at: at(other.received_hour_micros),
                    distance_m: distance,
                    similarity,
                });
            }
        }
        nearby.sort_by(|a, b| {
            a.distance_m
                .unwrap_or(f64::MAX)
                .total_cmp(&b.distance_m.unwrap_or(f64::MAX))
                .then_with(|| b.similarity.total_cmp(&a.similarity))
        });
        nearby.truncate(20);
        Ok(nearby)
    }

    /// Changes a report's status, with a motivation; attaching names the dealing point (which
    /// must be one the actor may manage, and gets the report in its list).
    pub async fn change_report_status(
        &self,
        actor: &Actor,
        id: Uuid,
        to: ReportStatus,
        motivation: &str,
        point: Option<Uuid>,
        ctx: &RequestContext,
    ) -> EngineResult<Report> {
        let (record, mut report) = self.triage_read(actor, id).await?;
        let previous_point = report.point;
        let now = clock::micros(self.inner.clock.now());
        report
            .apply(to, &actor.account.username, motivation, now, point)
            .map_err(status_error)?;
        let mut mutations = vec![Mutation::PutRecordIf {
            record: report_record(&report)?,
            read: Some(record.body),
        }];
        if let Some(point) = report.point.filter(|point| Some(*point) != previous_point) {
            mutations.push(self.attach_to_point(actor, point, &report).await?);
        }
        if let Some(old) = previous_point.filter(|old| Some(*old) != report.point) {
            if let Some(mutation) = self.detach_from_point(old, report.id).await? {
                mutations.push(mutation);
            }
        }
        let journal = vec![self.draft(
            Some(actor),
            JournalAction::Modify,
            format!("report:{id}"),
            &format!("statut : {}", to.label()),
            Outcome::Allow,
            ctx,
        )];
        self.commit(WriteBatch { mutations, journal }).await?;
        Ok(report)
    }

    /// An internal note on a report (never shown to the reporter).
    pub async fn add_report_note(
        &self,
        actor: &Actor,
        id: Uuid,
        text: &str,
        ctx: &RequestContext,
    ) -> EngineResult<()> {
        let text = vigie_reports::report::validate_note_text(text)
            .map_err(|error| invalid(vec![error]))?;
        let (record, mut report) = self.triage_read(actor, id).await?;
        report.notes.push(Note {
            at_micros: clock::micros(self.inner.clock.now()),
            by: actor.account.username.clone(),
            text,
        });
        self.rewrite_report(actor, record, &report, "note interne", ctx)
            .await
    }

    /// A message to the reporter, who reads it with the receipt (or, for a partner, in its list).
    pub async fn send_report_message(
        &self,
        actor: &Actor,
        id: Uuid,
        text: &str,
        ctx: &RequestContext,
    ) -> EngineResult<()> {
        let text = vigie_reports::report::validate_message_text(text)
            .map_err(|error| invalid(vec![error]))?;
        let (record, mut report) = self.triage_read(actor, id).await?;
        report.messages.push(Message {
            at_micros: clock::micros(self.inner.clock.now()),
            from: MessageFrom::Cross,
            text,
        });
        self.rewrite_report(actor, record, &report, "message au déclarant", ctx)
            .await
    }

    async fn rewrite_report(
        &self,
        actor: &Actor,
        record: WorkflowRecord,
        report: &Report,
        motif: &str,
        ctx: &RequestContext,
    ) -> EngineResult<()> {
        let journal = vec![self.draft(
            Some(actor),
            JournalAction::Modify,
            format!("report:{}", report.id),
            motif,
            Outcome::Allow,
            ctx,
        )];
        self.commit(WriteBatch {
            mutations: vec![Mutation::PutRecordIf {
                record: report_record(report)?,
                read: Some(record.body),
            }],
            journal,
        })
        .await?;
        Ok(())
    }

    /// One photo of a report the actor may triage, as stored (metadata already removed).
    pub async fn report_photo(
        &self,
        actor: &Actor,
        report: Uuid,
        photo: Uuid,
        ctx: &RequestContext,
    ) -> EngineResult<Vec<u8>> {
        let (_, found) = self.triage_read(actor, report).await?;
        if !found.photos.contains(&photo) {
            return Err(EngineError::NotFound);
        }
        let Some(record) = self
            .inner
            .store
            .record(PHOTO_KIND, &photo.to_string())
            .await?
        else {
            return Err(EngineError::NotFound);
        };
        let draft = self.draft(
            Some(actor),
            JournalAction::Consult,
            format!("report-photo:{photo}"),
            "photo d'un signalement",
            Outcome::Allow,
            ctx,
        );
        self.journal_only(vec![draft]).await?;
        BASE64
            .decode(record.body.as_bytes())
            .map_err(|error| EngineError::Corrupt(format!("photo {photo}: {error}")))
    }

    /// How many reports of each status the actor's queue holds (for the queue's tabs).
    pub async fn report_counts(
        &self,
        actor: &Actor,
        area: Option<&str>,
    ) -> EngineResult<BTreeMap<ReportStatus, usize>> {
        let mut counts = BTreeMap::new();
        for report in self.triage_reports(actor, area).await? {
            *counts.entry(report.status).or_insert(0) += 1;
        }
        Ok(counts)
    }
}

// Demo seeding only (`crate::demo_reports`, `vigie serve --demo`): never reachable from a request.
impl Engine {
    /// Demo seeding only: writes a resident's report as [`Engine::submit_public_report`] does —
    /// the same record, area, receipt (its Argon2id key) and journal entry, without photos — but
    /// received at the past hour `received_hour_micros`, and without a proof of work (the seed is
    /// the system, not a browser). A report of the current hour stays out of the queue until its
    /// hour is over; this lets the demo start with a queue to triage. Returns the report's id and
    /// its receipt code.
    pub(crate) async fn submit_public_report_received_at(
        &self,
        draft: ReportDraft,
        received_hour_micros: i64,
        ctx: &RequestContext,
    ) -> EngineResult<(Uuid, ReceiptCode)> {
        let now = clock::micros(self.inner.clock.now());
        let (commune, departement, _) = self.prepare(&draft, Vec::new()).await?;
        let area = area_of(departement.as_deref());
        let report = Report {
            id: Uuid::new_v4(),
            channel: Channel::Public,
            received_hour_micros: vigie_reports::report::truncate_to_hour(received_hour_micros),
            draft,
            commune,
            departement,
            status: ReportStatus::New,
            history: Vec::new(),
            notes: Vec::new(),
            messages: Vec::new(),
            photos: Vec::new(),
            point: None,
        };
        let mut entropy = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut entropy);
        let code = ReceiptCode::from_entropy(u128::from_le_bytes(entropy));
        let receipt_id = self.receipt_key(&code).await?;
        let mutations = vec![
            Mutation::PutRecord(report_record(&report)?),
            Mutation::PutRecord(WorkflowRecord {
                kind: RECEIPT_KIND.to_owned(),
                id: receipt_id,
                target_a: None,
                target_b: None,
                starts_micros: 0,
                ends_micros: 0,
                area: None,
                body: serde_json::to_string(&ReceiptBody {
                    report: report.id,
                    area,
                    last_used_day: now.div_euclid(DAY_MICROS),
                })
                .map_err(internal)?,
            }),
        ];
        let journal = vec![self.draft(
            None,
            JournalAction::Collect,
            "report:public".to_owned(),
            "signalement d'un riverain",
            Outcome::Allow,
            ctx,
        )];
        self.commit(WriteBatch { mutations, journal }).await?;
        Ok((report.id, code))
    }
}
