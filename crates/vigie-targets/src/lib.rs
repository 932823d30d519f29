//! The national target file (FNOS) as pure rules: what a target is and how it is validated
//! (`model`), the blind deconfliction keys derived from it (`keys`), planned operations and when two
//! of them meet (`operations`), and the arbitration and priority-target workflows (`workflow`).
//!
//! Nothing here stores, reads the clock or knows who is asking: `vigie-engine` holds the store,
//! applies the access policy, journals, and passes the current time in. Everything can be tested with
//! plain tables of cases.
//!
//! Blind deconfliction works on keys, never on content: each identifier and each spelling variant of
//! a person's identity becomes a 16-byte digest. Two targets of different units conflict when they
//! share a digest; the notice built from that says who to call, never what the other file holds.

pub mod keys;
pub mod model;
pub mod operations;
pub mod workflow;

pub use keys::{target_keys, DeconflictionKey, KeyDigest, KeyKind, MatchKind};
pub use model::{
    expiry_after, IdentifierDraft, IdentifierKind, Magistrate, PersonDraft, PersonIdentity,
    Renewal, TargetDraft, TargetFile, TargetId, TargetIdentifier, TARGET_LIFETIME_YEARS,
};
pub use operations::{OperationDraft, OperationId, OperationKind, OperationPlan, Overlap};
pub use workflow::{
    Arbitration, ArbitrationId, ArbitrationOutcome, DelistCriterion, PriorityEntry,
    PriorityOutcome, PriorityStatus,
};
