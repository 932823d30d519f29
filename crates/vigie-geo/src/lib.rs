//! French geography for Vigie.
//!
//! - [`atlas`]: régions, départements, communes and outlines decoded from the shipped `france.vgeo`;
//! - [`locate`]: point → commune, exact and fast.
//!
//! This crate does no I/O: its data is embedded at build time.

pub mod atlas;
pub mod locate;
