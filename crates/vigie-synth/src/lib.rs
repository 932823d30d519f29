//! Vigie's deterministic generator of synthetic data: units, demo accounts, people, networks, dealing
//! points, cases and the links between them; and intelligence items written about them (`intel`).
//!
//! Vigie never holds real people's data: every person, network and case in a demo, a test or a
//! benchmark comes from here. The generator is pure code: no I/O, no clock (the provenance time is
//! passed in), no OS randomness (a ChaCha8 stream seeded from [`SynthOptions::seed`]). The same seed and
//! size give byte-identical output on every machine.
//!
//! Geography is real (communes and postal codes of the demo départements 13, 75, 93, 59, 69, 971);
//! names are drawn from lists of common names and combined at random; identifiers (plates, phones,
//! IBANs, SIREN, crypto addresses) are well formed, with correct check digits, but not looked up
//! anywhere. This crate does not store anything, hash passwords or decide access: it only builds
//! values for the engine and the store to load.

mod dice;
pub mod fixtures;
mod idents;
pub mod intel;
mod lists;
pub mod people;
pub mod reports;
pub mod targets;
mod units;
mod world;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use vigie_core::entity::{Entity, LinkKind, Schema};
use vigie_core::org::{Account, Role, Unit, UnitKind};
use vigie_core::Link;

pub use reports::{demo_departements, SynthPrice, SynthReport};
pub use units::DEMO_PASSWORD;
pub use world::MIN_FIXTURE_PEOPLE;

/// Number of people in the default demo data set.
pub const DEMO_PEOPLE: usize = 400;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthOptions {
    pub seed: u64,
    /// Number of people (the demo uses [`DEMO_PEOPLE`]). Every other count follows from it.
    pub people: usize,
    /// The time written into every record's provenance; link dates are drawn before it.
    pub recorded_at: OffsetDateTime,
}

impl SynthOptions {
    /// The demo data set: [`DEMO_PEOPLE`] people.
    pub fn demo(seed: u64, recorded_at: OffsetDateTime) -> Self {
        Self {
            seed,
            people: DEMO_PEOPLE,
            recorded_at,
        }
    }
}

/// A demo account with its clear-text password, for the local demo only (the engine hashes it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoAccount {
    pub account: Account,
    pub password: String,
}

/// Everything the generator produces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynthData {
    pub units: Vec<Unit>,
    pub accounts: Vec<DemoAccount>,
    pub entities: Vec<Entity>,
    pub links: Vec<Link>,
}

/// Generates the units, demo accounts, entities and links for `options`.
///
/// Units and accounts do not depend on `people`; their ids depend only on the seed.
pub fn generate(options: &SynthOptions) -> SynthData {
    let org = units::build(options.seed);
    let world = world::generate(&org, options.seed, options.people, options.recorded_at);
    SynthData {
        units: org.units,
        accounts: org.accounts,
        entities: world.entities,
        links: world.links,
    }
}

/// A short summary in French, for the command line: counts per kind of unit, the demo accounts,
/// counts of entities per schema and of links per kind.
pub fn describe(data: &SynthData) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Données synthétiques de Vigie");

    let _ = writeln!(out, "Unités : {}", group(data.units.len()));
    for kind in UnitKind::ALL {
        let count = data.units.iter().filter(|unit| unit.kind == kind).count();
        if count > 0 {
            let _ = writeln!(out, "  {} : {count}", kind.label_fr());
        }
    }

    let shared = data.accounts.first().map(|demo| demo.password.as_str());
    let same_password = data
        .accounts
        .iter()
        .all(|demo| Some(demo.password.as_str()) == shared);
    let _ = write!(
        out,
        "Comptes de démonstration : {}",
        group(data.accounts.len())
    );
    match shared {
        Some(password) if same_password => {
            let _ = writeln!(
                out,
                " (mot de passe commun, démonstration locale uniquement : {password})"
            );
        }
        _ => {
            let _ = writeln!(out);
        }
    }
    let unit_codes: BTreeMap<_, _> = data
        .units
        .iter()
        .map(|unit| (unit.id, unit.code.as_str()))
        .collect();
    let width = data
        .accounts
        .iter()
        .map(|demo| demo.account.username.chars().count())
        .max()
        .unwrap_or(0);
    for role in Role::ALL {
        for demo in data
            .accounts
            .iter()
            .filter(|demo| demo.account.role == role)
        {
            let unit = unit_codes.get(&demo.account.unit).copied().unwrap_or("?");
            let _ = writeln!(
                out,
                "  {:width$}  {} — {unit}",
                demo.account.username,
                role.label_fr(),
            );
        }
    }

    let _ = writeln!(out, "Entités : {}", group(data.entities.len()));
    for schema in Schema::ALL {
        let count = data
            .entities
            .iter()
            .filter(|entity| entity.schema == schema)
            .count();
        if count > 0 {
            let _ = writeln!(out, "  {} : {}", schema.label_fr(), group(count));
        }
    }
    let _ = writeln!(out, "Liens : {}", group(data.links.len()));
    for kind in LinkKind::ALL {
        let count = data.links.iter().filter(|link| link.kind == kind).count();
        if count > 0 {
            let _ = writeln!(out, "  {} : {}", kind.label_fr(), group(count));
        }
    }
    out
}

/// Formats a count the French way, thousands separated by a narrow no-break space: "12 345".
pub fn group(count: usize) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}
