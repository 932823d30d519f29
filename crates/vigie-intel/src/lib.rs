//! The intelligence repository as pure rules: how an item of intelligence is graded (`grade`),
//! which handling codes it carries and what they allow (`handling`), and what an item is, how it is
//! validated and how a sanitised copy is derived from it (`item`); facts about entities, each with
//! its basis (an item or a record's reference) and its grade, and which of them contradict (`fact`);
//! exchange formats: items as FollowTheMoney
//! notes (`ftm`), entities and links to and from FtM JSON lines (`ftm_entities`), entities from CSV with a column
//! mapping (`csv_entities`), and link charts as i2 Analyst's Notebook documents (`chart`).
//!
//! Nothing here stores, reads the clock, searches or knows who is asking: `vigie-engine` holds the
//! store, applies the access policy and the handling gates defined here, journals, and passes the
//! current time in.
//!
//! Grades are typed values of one scheme each, never free text; a grade is converted to another
//! scheme only by the one-way conversions of `grade::convert`, each documented with its losses.

pub mod chart;
pub mod csv_entities;
pub mod fact;
pub mod ftm;
pub mod ftm_entities;
pub mod grade;
pub mod handling;
pub mod item;

pub use grade::{Conversion, Grade, GradeError, Scheme};
pub use handling::{Gate, Handling, HandlingRefusal};
pub use item::{
    validate_item, IntelItem, IntelItemDraft, ItemId, Permission, PermissionKind, SanitisedDraft,
    SourceKind, ValidItem,
};
