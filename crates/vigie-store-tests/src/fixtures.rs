//! The story's fixtures: five units around Marseille and Paris, their agents, a handful of entities
//! and links, journal drafts. Every id is a fixed `Uuid::from_u128`, every instant fixed.
//!
//! All people, plates, phones and companies here are invented. Nothing here touches a store.

use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;
use vigie_core::entity::{
    Entity, EntityId, LegalRegime, Link, LinkId, LinkKind, Properties, Provenance, Schema,
};
use vigie_core::journal::{JournalAction, JournalDraft, Outcome};
use vigie_core::org::{Account, AccountId, Role, Territory, Unit, UnitId, UnitKind};
use vigie_store::AccountRecord;

/// 2024-03-12T09:40:00Z in microseconds: the story's "now".
pub const T0: i64 = 1_710_236_400_000_000;

/// The instant of [`T0`], with microseconds so that precision loss would show.
pub const RECORDED_AT: OffsetDateTime = datetime!(2024-03-12 09:40:00.123456 UTC);

pub const UNIT_CROSS_13: u128 = 0x1001;
pub const UNIT_SR_MARSEILLE: u128 = 0x1002;
pub const UNIT_DOUANE: u128 = 0x1003;
pub const UNIT_OFAST: u128 = 0x1004;
pub const UNIT_SD_PARIS: u128 = 0x1005;

pub const ACCOUNT_MARTIN: u128 = 0x2001;
pub const ACCOUNT_DUPONT: u128 = 0x2002;
pub const ACCOUNT_LEROY: u128 = 0x2003;
pub const ACCOUNT_BERNARD: u128 = 0x2004;
pub const ACCOUNT_DURAND: u128 = 0x2005;

/// A person of CROSS-13's, in the 13, judicial.
pub const E_VASSEUR: u128 = 0x3001;
/// A vehicle of SR-MARSEILLE's, in the 13, judicial.
pub const E_PLATE: u128 = 0x3002;
/// A phone line of DOUANE-MARSEILLE's, in the 13, customs.
pub const E_PHONE: u128 = 0x3003;
/// A person of SD-PARIS's, in the 75, judicial.
pub const E_FERRAND: u128 = 0x3004;
/// A dealing point of CROSS-13's, in the 13, administrative.
pub const E_OLIVIERS: u128 = 0x3005;
/// A company of OFAST's, no département, administrative.
pub const E_TRANSPORTS: u128 = 0x3006;
/// A person of CROSS-13's located in the 75, from a partner.
pub const E_GARNIER: u128 = 0x3007;
/// A person of SR-MARSEILLE's, in the 13, from a partner.
pub const E_ROUX: u128 = 0x3008;

pub const L_OWNER: u128 = 0x4001;
pub const L_PHONE: u128 = 0x4002;
pub const L_ASSOCIATE: u128 = 0x4003;

pub fn unit_id(n: u128) -> UnitId {
    UnitId(Uuid::from_u128(n))
}

pub fn account_id(n: u128) -> AccountId {
    AccountId(Uuid::from_u128(n))
}

pub fn entity_id(n: u128) -> EntityId {
    EntityId(Uuid::from_u128(n))
}

pub fn link_id(n: u128) -> LinkId {
    LinkId(Uuid::from_u128(n))
}

/// One of the five units, by its constant.
pub fn unit(n: u128) -> Unit {
    let (code, name, kind, territory, parent) = match n {
        UNIT_CROSS_13 => (
            "CROSS-13",
            "CROSS des Bouches-du-Rhône",
            UnitKind::Cross,
            Territory::departements(["13"]),
            Some(unit_id(UNIT_OFAST)),
        ),
        UNIT_SR_MARSEILLE => (
            "SR-MARSEILLE",
            "Section de recherches de Marseille",
            UnitKind::Gendarmerie,
            Territory::departements(["13"]),
            None,
        ),
        UNIT_DOUANE => (
            "DOUANE-MARSEILLE",
            "Direction régionale des douanes de Marseille",
            UnitKind::Customs,
            Territory::departements(["13"]),
            None,
        ),
        UNIT_OFAST => (
            "OFAST",
            "Office anti-stupéfiants",
            UnitKind::Ofast,
            Territory::national(),
            None,
        ),
        _ => (
            "SD-PARIS",
            "Sûreté départementale de Paris",
            UnitKind::Police,
            Territory::departements(["75"]),
            None,
        ),
    };
    Unit {
        id: unit_id(n),
        code: code.to_owned(),
        name: name.to_owned(),
        kind,
        territory,
        parent,
    }
}

pub fn all_units() -> Vec<Unit> {
    [
        UNIT_CROSS_13,
        UNIT_SR_MARSEILLE,
        UNIT_DOUANE,
        UNIT_OFAST,
        UNIT_SD_PARIS,
    ]
    .into_iter()
    .map(unit)
    .collect()
}

/// One of the five accounts, by its constant.
pub fn account_record(n: u128) -> AccountRecord {
    let (username, display_name, role, unit) = match n {
        ACCOUNT_MARTIN => (
            "a.martin",
            "Alice Martin",
            Role::CrossAnalyst,
            UNIT_CROSS_13,
        ),
        ACCOUNT_DUPONT => ("j.dupont", "Jeanne Dupont", Role::Agent, UNIT_SR_MARSEILLE),
        ACCOUNT_LEROY => ("c.leroy", "Camille Leroy", Role::Agent, UNIT_DOUANE),
        ACCOUNT_BERNARD => (
            "o.bernard",
            "Olivier Bernard",
            Role::OfastAnalyst,
            UNIT_OFAST,
        ),
        _ => ("p.durand", "Paul Durand", Role::HeadOfUnit, UNIT_SD_PARIS),
    };
    AccountRecord {
        account: Account {
            id: account_id(n),
            username: username.to_owned(),
            display_name: display_name.to_owned(),
            role,
            unit: unit_id(unit),
            disabled: false,
        },
        password_hash: format!(
            "$argon2id$v=19$m=19456,t=2,p=1$c2VsLXRlc3Q${username}-hash-de-test"
        ),
    }
}

pub fn all_accounts() -> Vec<AccountRecord> {
    [
        ACCOUNT_MARTIN,
        ACCOUNT_DUPONT,
        ACCOUNT_LEROY,
        ACCOUNT_BERNARD,
        ACCOUNT_DURAND,
    ]
    .into_iter()
    .map(account_record)
    .collect()
}

fn properties(values: &[(&str, &[&str])]) -> Properties {
    values
        .iter()
        .map(|(name, values)| {
            (
                (*name).to_owned(),
                values.iter().map(|value| (*value).to_owned()).collect(),
            )
        })
        .collect()
}

/// Schema, properties, owner unit, recording account, département and regime of a fixture entity.
type EntityFixture = (
    Schema,
    &'static [(&'static str, &'static [&'static str])],
    u128,
    u128,
    Option<&'static str>,
    LegalRegime,
);

/// One of the eight entities, by its constant, at version 1.
pub fn entity(n: u128) -> Entity {
    let (schema, props, owner, recorder, departement, regime): EntityFixture = match n {
        E_VASSEUR => (
            Schema::Person,
            &[
                ("name", &["Hélène Vasseur"]),
                ("alias", &["La Chouette"]),
                ("birthDate", &["1991-04-12"]),
            ],
            UNIT_CROSS_13,
            ACCOUNT_MARTIN,
            Some("13"),
            LegalRegime::Judicial,
        ),
        E_PLATE => (
            Schema::Vehicle,
            &[
                ("registrationNumber", &["AB-123-CD"]),
                ("model", &["Peugeot 308"]),
            ],
            UNIT_SR_MARSEILLE,
            ACCOUNT_DUPONT,
            Some("13"),
            LegalRegime::Judicial,
        ),
        E_PHONE => (
            Schema::Phone,
            &[("number", &["+33612345678"])],
            UNIT_DOUANE,
            ACCOUNT_LEROY,
            Some("13"),
            LegalRegime::Customs,
        ),
        E_FERRAND => (
            Schema::Person,
            &[("name", &["Hélène Ferrand"])],
            UNIT_SD_PARIS,
            ACCOUNT_DURAND,
            Some("75"),
            LegalRegime::Judicial,
        ),
        E_OLIVIERS => (
            Schema::DealingPoint,
            &[("name", &["Cité des Oliviers"]), ("city", &["Marseille"])],
            UNIT_CROSS_13,
            ACCOUNT_MARTIN,
            Some("13"),
            LegalRegime::Administrative,
        ),
        E_TRANSPORTS => (
            Schema::Company,
            &[("name", &["Hélène Transports SARL"])],
            UNIT_OFAST,
            ACCOUNT_BERNARD,
            None,
            LegalRegime::Administrative,
        ),
        E_GARNIER => (
            Schema::Person,
            &[("name", &["Théo Garnier"])],
            UNIT_CROSS_13,
            ACCOUNT_MARTIN,
            Some("75"),
            LegalRegime::Partner,
        ),
        _ => (
            Schema::Person,
            &[("name", &["Hélène Roux"])],
            UNIT_SR_MARSEILLE,
            ACCOUNT_DUPONT,
            Some("13"),
            LegalRegime::Partner,
        ),
    };
    let minutes = i64::try_from(n & 0xff).unwrap_or(0);
    Entity {
        id: entity_id(n),
        schema,
        properties: properties(props),
        owner_unit: unit_id(owner),
        departement: departement.map(str::to_owned),
        regime,
        provenance: Provenance {
            recorded_by: account_id(recorder),
            unit: unit_id(owner),
            source: format!("PV 2024/{:03} du 12/03/2024", n & 0xff),
            recorded_at: RECORDED_AT + Duration::minutes(minutes),
        },
        version: 1,
    }
}

/// The entities, in the order the story records them.
pub fn all_entities() -> Vec<Entity> {
    [
        E_VASSEUR,
        E_PLATE,
        E_PHONE,
        E_FERRAND,
        E_OLIVIERS,
        E_TRANSPORTS,
        E_GARNIER,
        E_ROUX,
    ]
    .into_iter()
    .map(entity)
    .collect()
}

/// Hélène Vasseur after the story's update: a second alias, version 2.
pub fn vasseur_v2() -> Entity {
    let mut entity = entity(E_VASSEUR);
    entity.version = 2;
    entity.properties.insert(
        "alias".to_owned(),
        vec!["La Chouette".to_owned(), "Léna".to_owned()],
    );
    entity.properties.insert(
        "notes".to_owned(),
        vec!["Vue au volant du véhicule AB-123-CD.".to_owned()],
    );
    entity
}

/// One of the three links, by its constant.
pub fn link(n: u128) -> Link {
    let (kind, source, target, start, end, owner, departement, regime) = match n {
        L_OWNER => (
            LinkKind::Owner,
            E_VASSEUR,
            E_PLATE,
            Some(date!(2024 - 01 - 15)),
            None,
            UNIT_CROSS_13,
            Some("13"),
            LegalRegime::Judicial,
        ),
        L_PHONE => (
            LinkKind::PhoneUser,
            E_VASSEUR,
            E_PHONE,
            Some(date!(2023 - 11 - 01)),
            Some(date!(2024 - 02 - 29)),
            UNIT_DOUANE,
            Some("13"),
            LegalRegime::Customs,
        ),
        _ => (
            LinkKind::Associate,
            E_FERRAND,
            E_VASSEUR,
            None,
            None,
            UNIT_SD_PARIS,
            Some("75"),
            LegalRegime::Judicial,
        ),
    };
    Link {
        id: link_id(n),
        kind,
        source: entity_id(source),
        target: entity_id(target),
        start,
        end,
        owner_unit: unit_id(owner),
        departement: departement.map(str::to_owned),
        regime,
        provenance: Provenance {
            recorded_by: account_id(ACCOUNT_MARTIN),
            unit: unit_id(owner),
            source: "Synthèse CROSS 2024/05".to_owned(),
            recorded_at: RECORDED_AT,
        },
    }
}

pub fn all_links() -> Vec<Link> {
    [L_OWNER, L_PHONE, L_ASSOCIATE]
        .into_iter()
        .map(link)
        .collect()
}

/// A journal draft at [`T0`], allowed, with a fixed motif.
pub fn draft(actor: &str, action: JournalAction, object: &str, request_id: &str) -> JournalDraft {
    JournalDraft {
        at_micros: T0,
        actor: actor.to_owned(),
        unit: String::new(),
        action,
        object: object.to_owned(),
        motif: "Conformité du stockage".to_owned(),
        outcome: Outcome::Allow,
        request_id: request_id.to_owned(),
        shown: Vec::new(),
    }
}

/// An administration entry by the system.
pub fn admin_draft(object: &str, request_id: &str) -> JournalDraft {
    draft("system", JournalAction::Administer, object, request_id)
}
