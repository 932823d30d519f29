//! The situations planted on purpose in every data set of at least
//! [`MIN_FIXTURE_PEOPLE`](crate::MIN_FIXTURE_PEOPLE) people, for features that need them
//! (cross-agency matching, deconfliction) and for their tests.
//!
//! 1. One man recorded twice: as « Mohamed BEN SALAH » by SD-13 (lieutenant of the first network,
//!    département 13) and as « Mohammed Bensalah » by DOUANE-13 (a customs check), with the same birth
//!    date; each service holds its own Phone record with the same number.
//! 2. One order line (the first dealing point's line of the first network, département 13, lead
//!    SD-13) also used by a member of the second network (lead SR-13).
//!
//! This module only names them; `world` generates them. Ids and the phone number depend on the seed.

/// First name of the record held by SD-13.
pub const ORIGINAL_FIRST_NAME: &str = "Mohamed";
/// Surname of the record held by SD-13, as recorded (the caption shows « Mohamed BEN SALAH »).
pub const ORIGINAL_SURNAME: &str = "Ben Salah";
/// First name of the record held by DOUANE-13.
pub const DUPLICATE_FIRST_NAME: &str = "Mohammed";
/// Surname of the record held by DOUANE-13 (caption « Mohammed Bensalah »).
pub const DUPLICATE_SURNAME: &str = "Bensalah";
/// Birth date shared by both records.
pub const BIRTH_DATE: &str = "1991-03-14";
