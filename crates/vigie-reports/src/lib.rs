//! Residents' and partners' reports of drug dealing, their triage, and dealing points, as pure
//! rules: what a reporter may say and how it is validated (`model`), the triage statuses and the
//! table of allowed moves (`status`), the stored report with its history, internal notes and
//! messages (`report`), dealing points and their lifecycle, resurgence included (`point`), the
//! resident's 16-digit receipt (`receipt`), the anti-robot proof of work (`pow`), nearby
//! duplicates shown to analysts (`nearby`), photo metadata removal (`photo`), and the suppressed
//! counts a partner may see of its communes (`digest`).
//!
//! Nothing here stores, reads the clock, draws random numbers or knows who is asking:
//! `vigie-engine` holds the store, applies the access policy, journals, and passes in the current
//! time and any entropy (receipt codes, challenge nonces). Every value is serde so that the engine
//! can store it as JSON.
//!
//! What a reporter is told is deliberately poor: a report is "received", "in progress" or
//! "processed" (`ReporterStatus`), never whether it was attached to a known point or passed to a
//! service, because that would tell traffickers what the police know.

#[macro_use]
mod labelled;

pub mod digest;
pub mod model;
pub mod nearby;
pub mod photo;
pub mod point;
pub mod pow;
pub mod receipt;
pub mod report;
pub mod status;

pub use digest::{digest, digest_communes, suppressed, CommuneDigest, Count};
pub use labelled::UnknownValue;
pub use model::{Category, FieldError, Pin, ReportDraft, Since, TimeSlot, Weekday};
pub use nearby::{Candidate, PointIndex, PointSite, CANDIDATE_RADIUS_M};
pub use photo::{sanitise_photo, PhotoError, SanitisedPhoto, MAX_PHOTOS, MAX_PHOTO_BYTES};
pub use point::{
    DealingPoint, OperationKind, PointOperation, PointStatus, PointStatusError, PointTransition,
    PriceSeen, ReportSighting, ResurgenceRule,
};
pub use pow::{Challenge, Difficulty, PowError};
pub use receipt::{ReceiptCode, ReceiptError};
pub use report::{Channel, Message, MessageFrom, Note, Report};
pub use status::{ReportStatus, ReporterStatus, StatusError, Transition};
