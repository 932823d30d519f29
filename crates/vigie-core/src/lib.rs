//! Vigie's domain core: the model (organisations, accounts, entities, links, provenance), the French
//! identifier rules, the access policy and the journal's hashing and verification.
//!
//! This crate does no I/O: no files, no network, no clock, no randomness. Every function is a plain
//! computation on its arguments, so it cannot fail for environmental reasons and tests need no set-up.
//! Time and keys are passed in by the engine.

pub mod entity;
pub mod identifiers;
pub mod journal;
pub mod org;
pub mod policy;
pub mod text;

pub use entity::{Entity, EntityId, LegalRegime, Link, LinkId, Provenance, Schema};
pub use org::{Account, AccountId, Role, Territory, Unit, UnitId, UnitKind};
