//! Tests of the generator as a whole: determinism, validity of every record, referential integrity,
//! the demo organisation, the planted situations and scaling. Identifier generators have their own
//! unit tests in `idents`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use time::macros::datetime;
use vigie_core::entity::{validate_properties, EntityId, LegalRegime, LinkKind, Schema};
use vigie_core::identifiers::{Iban, PhoneNumber, Plate, PlateFormat, Siren};
use vigie_core::org::{Role, UnitKind};

use super::*;

fn options(seed: u64, people: usize) -> SynthOptions {
    SynthOptions {
        seed,
        people,
        recorded_at: datetime!(2026-01-15 09:30 UTC),
    }
}

fn demo() -> SynthData {
    generate(&SynthOptions::demo(42, datetime!(2026-01-15 09:30 UTC)))
}

fn count(data: &SynthData, schema: Schema) -> usize {
    data.entities
        .iter()
        .filter(|entity| entity.schema == schema)
        .count()
}

fn first_value<'a>(entity: &'a Entity, property: &str) -> Option<&'a str> {
    entity
        .properties
        .get(property)
        .and_then(|values| values.first())
        .map(String::as_str)
}

#[test]
fn same_seed_same_bytes_other_seed_other_data() {
    let first = generate(&options(42, 400));
    let second = generate(&options(42, 400));
    assert_eq!(first, second);
    assert_eq!(
        serde_json::to_vec(&first).unwrap(),
        serde_json::to_vec(&second).unwrap()
    );

    let other = generate(&options(43, 400));
    assert_ne!(first, other);
    assert_ne!(first.entities, other.entities);
    // The organisation's shape does not depend on the seed, only its ids.
    let codes = |data: &SynthData| {
        data.units
            .iter()
            .map(|u| u.code.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(codes(&first), codes(&other));
    assert_ne!(first.units, other.units);
}

#[test]
fn units_and_accounts_do_not_depend_on_size() {
    let small = generate(&options(42, 20));
    let large = generate(&options(42, 2_000));
    assert_eq!(small.units, large.units);
    assert_eq!(small.accounts, large.accounts);
}

#[test]
fn every_entity_validates_unchanged() {
    for data in [demo(), generate(&options(7, 3_000))] {
        for entity in &data.entities {
            let normalised =
                validate_properties(entity.schema, &entity.properties).unwrap_or_else(|errors| {
                    panic!("{:?} {:?}: {errors:?}", entity.schema, entity.properties)
                });
            assert_eq!(
                normalised, entity.properties,
                "{:?} was not in normal form",
                entity.schema
            );
            assert_eq!(entity.version, 1);
        }
    }
}

#[test]
fn identifiers_are_well_formed() {
    let data = generate(&options(11, 3_000));
    for entity in &data.entities {
        match entity.schema {
            Schema::Vehicle => {
                let plate =
                    Plate::parse(first_value(entity, "registrationNumber").unwrap()).unwrap();
                assert_eq!(plate.format(), PlateFormat::Siv);
            }
            Schema::Phone => {
                let number = PhoneNumber::parse(first_value(entity, "number").unwrap()).unwrap();
                assert!(number.is_mobile(), "{number}");
                if entity.departement.as_deref() != Some("971") {
                    assert!(
                        ["+336", "+337", "+262"]
                            .iter()
                            .any(|p| number.as_str().starts_with(p)),
                        "{number}"
                    );
                }
            }
            Schema::BankAccount => {
                Iban::parse(first_value(entity, "iban").unwrap()).unwrap();
            }
            Schema::Company => {
                Siren::parse(first_value(entity, "registrationNumber").unwrap()).unwrap();
            }
            Schema::CryptoWallet => {
                let key = first_value(entity, "publicKey").unwrap();
                assert!(key.starts_with("bc1q") || key.starts_with("0x"), "{key}");
            }
            _ => {}
        }
    }
    // Guadeloupe has overseas numbers.
    assert!(data.entities.iter().any(|e| {
        e.schema == Schema::Phone && first_value(e, "number").is_some_and(|n| n.starts_with("+590"))
    }));
}

#[test]
fn identifiers_are_unique_apart_from_the_planted_phone() {
    let data = generate(&options(5, 5_000));
    let mut seen: HashMap<(Schema, String), usize> = HashMap::new();
    for entity in &data.entities {
        let property = match entity.schema {
            Schema::Vehicle | Schema::Company => "registrationNumber",
            Schema::Phone => "number",
            Schema::BankAccount => "iban",
            _ => continue,
        };
        let value = first_value(entity, property).unwrap().to_owned();
        *seen.entry((entity.schema, value)).or_default() += 1;
    }
    let repeated: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert_eq!(repeated.len(), 1, "{repeated:?}");
    assert_eq!(repeated[0].0 .0, Schema::Phone);
}

#[test]
fn links_entities_units_and_accounts_hold_together() {
    let data = demo();
    let units: HashMap<_, _> = data.units.iter().map(|unit| (unit.id, unit)).collect();
    let accounts: HashMap<_, _> = data
        .accounts
        .iter()
        .map(|demo| (demo.account.id, &demo.account))
        .collect();
    let entities: HashMap<EntityId, &Entity> = data.entities.iter().map(|e| (e.id, e)).collect();
    assert_eq!(entities.len(), data.entities.len(), "entity ids are unique");
    let link_ids: HashSet<_> = data.links.iter().map(|link| link.id).collect();
    assert_eq!(link_ids.len(), data.links.len(), "link ids are unique");

    let source = "Données synthétiques (vigie synth, graine 42)";
    for entity in &data.entities {
        let owner = units.get(&entity.owner_unit).expect("owner unit exists");
        assert!(
            matches!(
                owner.kind,
                UnitKind::Police
                    | UnitKind::Gendarmerie
                    | UnitKind::Customs
                    | UnitKind::Cross
                    | UnitKind::Ofast
                    | UnitKind::OfastAntenna
            ),
            "{:?}",
            owner.kind
        );
        assert!(
            owner.territory.covers(entity.departement.as_deref()),
            "{} {:?}",
            owner.code,
            entity.departement
        );
        let recorder = accounts
            .get(&entity.provenance.recorded_by)
            .expect("recorder exists");
        assert_eq!(recorder.unit, entity.owner_unit);
        assert_eq!(entity.provenance.unit, entity.owner_unit);
        assert_eq!(entity.provenance.source, source);
        assert_eq!(
            entity.provenance.recorded_at,
            datetime!(2026-01-15 09:30 UTC)
        );
        match owner.kind {
            UnitKind::Police | UnitKind::Gendarmerie => {
                assert_eq!(entity.regime, LegalRegime::Judicial)
            }
            UnitKind::Customs => assert_eq!(entity.regime, LegalRegime::Customs),
            UnitKind::Cross => assert_eq!(entity.regime, LegalRegime::Administrative),
            _ => assert!(matches!(
                entity.regime,
                LegalRegime::Judicial | LegalRegime::Administrative
            )),
        }
    }
    let today = datetime!(2026-01-15 09:30 UTC).date();
    for link in &data.links {
        assert!(entities.contains_key(&link.source), "link source exists");
        assert!(entities.contains_key(&link.target), "link target exists");
        assert_ne!(link.source, link.target);
        let owner = units.get(&link.owner_unit).expect("link owner exists");
        assert!(owner.territory.covers(link.departement.as_deref()));
        let recorder = accounts
            .get(&link.provenance.recorded_by)
            .expect("recorder exists");
        assert_eq!(recorder.unit, link.owner_unit);
        if let (Some(start), Some(end)) = (link.start, link.end) {
            assert!(start <= end, "{link:?}");
        }
        assert!(link.start.is_none_or(|start| start <= today));
    }
}

#[test]
fn link_kinds_join_the_right_schemas() {
    let data = demo();
    let schema: HashMap<EntityId, Schema> =
        data.entities.iter().map(|e| (e.id, e.schema)).collect();
    for link in &data.links {
        let pair = (schema[&link.source], schema[&link.target]);
        let ok = match link.kind {
            LinkKind::Associate | LinkKind::Family => pair == (Schema::Person, Schema::Person),
            LinkKind::PhoneUser => pair == (Schema::Person, Schema::Phone),
            LinkKind::Resident => pair == (Schema::Person, Schema::Address),
            LinkKind::Member => pair == (Schema::Person, Schema::Network),
            LinkKind::Involved => matches!(pair, (Schema::Person | Schema::Network, Schema::Case)),
            LinkKind::Operates => matches!(
                pair,
                (Schema::Person | Schema::Network, Schema::DealingPoint)
            ),
            LinkKind::Director => pair == (Schema::Person, Schema::Company),
            LinkKind::Payment => pair == (Schema::BankAccount, Schema::BankAccount),
            LinkKind::Owner => matches!(
                pair,
                (
                    Schema::Person | Schema::Company,
                    Schema::Vehicle | Schema::BankAccount | Schema::CryptoWallet
                )
            ),
        };
        assert!(ok, "{:?} {pair:?}", link.kind);
    }
    for kind in LinkKind::ALL {
        assert!(
            data.links.iter().any(|link| link.kind == kind),
            "no {kind:?} link"
        );
    }
}

#[test]
fn organisation_has_the_expected_units() {
    let data = demo();
    let codes: BTreeSet<&str> = data.units.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(codes.len(), data.units.len(), "unit codes are unique");
    for code in [
        "OFAST",
        "OFAST-MARSEILLE",
        "OFAST-LILLE",
        "CROSS-13",
        "CROSS-75",
        "CROSS-93",
        "CROSS-59",
        "CROSS-69",
        "CROSS-971",
        "SD-13",
        "SR-13",
        "DOUANE-13",
        "SD-75",
        "SR-971",
        "DOUANE-971",
        "PARQUET-MARSEILLE",
        "PARQUET-PARIS",
        "JIRS-MARSEILLE",
        "JIRS-PARIS",
        "IGPN",
        "ADMIN-VIGIE",
        "BAILLEUR-13-HABITAT",
    ] {
        assert!(codes.contains(code), "missing {code}");
    }
    let unit = |code: &str| data.units.iter().find(|u| u.code == code).unwrap();
    assert_eq!(unit("OFAST").kind, UnitKind::Ofast);
    assert!(unit("OFAST").territory.is_national());
    assert_eq!(
        unit("OFAST-MARSEILLE").territory.codes(),
        ["04", "05", "06", "13", "83", "84"]
    );
    assert_eq!(unit("OFAST-MARSEILLE").parent, Some(unit("OFAST").id));
    assert_eq!(unit("CROSS-13").name, "CROSS des Bouches-du-Rhône");
    assert_eq!(unit("CROSS-13").territory.codes(), ["13"]);
    assert_eq!(unit("IGPN").kind, UnitKind::Inspection);
    assert!(unit("IGPN").territory.is_national());
    assert_eq!(unit("ADMIN-VIGIE").kind, UnitKind::Administration);
    assert_eq!(unit("BAILLEUR-13-HABITAT").kind, UnitKind::Partner);
    assert_eq!(unit("BAILLEUR-13-HABITAT").territory.codes(), ["13"]);
    let ids: HashSet<_> = data.units.iter().map(|u| u.id).collect();
    assert_eq!(ids.len(), data.units.len());
    for unit in &data.units {
        assert_eq!(unit.id.0.get_version_num(), 4);
        if let Some(parent) = unit.parent {
            assert!(ids.contains(&parent));
        }
    }
}

#[test]
fn demo_accounts_cover_every_role() {
    let data = demo();
    let units: HashMap<_, _> = data.units.iter().map(|unit| (unit.id, unit)).collect();
    let mut usernames = HashSet::new();
    for demo in &data.accounts {
        let account = &demo.account;
        assert!(
            units.contains_key(&account.unit),
            "{} has no unit",
            account.username
        );
        assert!(
            usernames.insert(account.username.clone()),
            "{} twice",
            account.username
        );
        assert_eq!(account.username, account.username.to_lowercase());
        assert!(!account.disabled);
        assert_eq!(demo.password, DEMO_PASSWORD);
        assert!(!account.display_name.is_empty());
    }
    for role in Role::ALL {
        assert!(
            data.accounts.iter().any(|demo| demo.account.role == role),
            "no {role:?}"
        );
    }
    let expected = [
        ("agent.marseille", Role::Agent, "SD-13"),
        ("agent.gendarmerie", Role::Agent, "SR-13"),
        ("agent.douane", Role::Agent, "DOUANE-13"),
        ("agent.paris", Role::Agent, "SD-75"),
        ("analyste.cross13", Role::CrossAnalyst, "CROSS-13"),
        ("analyste.ofast", Role::OfastAnalyst, "OFAST"),
        ("chef.marseille", Role::HeadOfUnit, "SD-13"),
        ("magistrat.jirs", Role::Magistrate, "JIRS-MARSEILLE"),
        ("auditeur", Role::Auditor, "IGPN"),
        ("inspection", Role::Inspection, "IGPN"),
        ("admin", Role::Administrator, "ADMIN-VIGIE"),
        ("partenaire.bailleur", Role::Partner, "BAILLEUR-13-HABITAT"),
    ];
    for (username, role, unit) in expected {
        let demo = data
            .accounts
            .iter()
            .find(|demo| demo.account.username == username)
            .unwrap_or_else(|| panic!("no {username}"));
        assert_eq!(demo.account.role, role, "{username}");
        assert_eq!(units[&demo.account.unit].code, unit, "{username}");
    }
}

#[test]
fn people_count_is_exact_and_sizes_scale() {
    let mut previous = 0;
    for people in [0, 1, 4, 7, 10, 11, 12, 100, 400, 2_000] {
        let data = generate(&options(3, people));
        assert_eq!(count(&data, Schema::Person), people, "people = {people}");
        assert!(data.entities.len() >= previous, "entities grow with people");
        previous = data.entities.len();
        if people == 0 {
            assert!(data.entities.is_empty() && data.links.is_empty());
            assert!(!data.units.is_empty() && !data.accounts.is_empty());
        }
    }
    let small = generate(&options(3, 1_000));
    let large = generate(&options(3, 10_000));
    let ratio = large.entities.len() as f64 / small.entities.len() as f64;
    assert!((8.0..12.0).contains(&ratio), "entities ratio {ratio}");
    let ratio = large.links.len() as f64 / small.links.len() as f64;
    assert!((8.0..12.0).contains(&ratio), "links ratio {ratio}");
}

#[test]
fn networks_look_like_networks() {
    let data = generate(&options(42, 2_000));
    let schema: HashMap<EntityId, Schema> =
        data.entities.iter().map(|e| (e.id, e.schema)).collect();
    let mut members: BTreeMap<EntityId, usize> = BTreeMap::new();
    let mut points: BTreeMap<EntityId, usize> = BTreeMap::new();
    for link in &data.links {
        match link.kind {
            LinkKind::Member => *members.entry(link.target).or_default() += 1,
            LinkKind::Operates if schema[&link.source] == Schema::Network => {
                *points.entry(link.source).or_default() += 1;
            }
            _ => {}
        }
    }
    assert_eq!(members.len(), count(&data, Schema::Network));
    for (network, size) in &members {
        assert!((5..=15).contains(size), "network of {size}");
        assert!((1..=3).contains(&points[network]));
    }
    // Every person but the customs duplicate is a member of exactly one network.
    let in_networks: usize = members.values().sum();
    assert_eq!(in_networks, count(&data, Schema::Person) - 1);
    for kind in [
        Schema::Company,
        Schema::CryptoWallet,
        Schema::Case,
        Schema::DealingPoint,
    ] {
        assert!(count(&data, kind) > 0, "no {kind:?}");
    }
    assert!(data
        .entities
        .iter()
        .any(|e| e.regime == LegalRegime::Administrative));
    assert!(data
        .entities
        .iter()
        .any(|e| e.regime == LegalRegime::Customs));
    let judicial = data
        .entities
        .iter()
        .filter(|e| e.regime == LegalRegime::Judicial)
        .count();
    assert!(judicial * 2 > data.entities.len(), "mostly judicial");
    for code in ["13", "75", "93", "59", "69", "971"] {
        assert!(
            data.entities
                .iter()
                .any(|e| e.departement.as_deref() == Some(code)),
            "{code}"
        );
    }
}

#[test]
fn planted_duplicate_person() {
    let data = demo();
    let unit_code: HashMap<_, _> = data.units.iter().map(|u| (u.id, u.code.as_str())).collect();
    let people: Vec<&Entity> = data
        .entities
        .iter()
        .filter(|e| {
            e.schema == Schema::Person && first_value(e, "birthDate") == Some(fixtures::BIRTH_DATE)
        })
        .filter(|e| {
            first_value(e, "lastName")
                .is_some_and(|n| n.replace(' ', "").eq_ignore_ascii_case("bensalah"))
        })
        .collect();
    assert_eq!(people.len(), 2, "{people:?}");
    let original = people
        .iter()
        .find(|e| unit_code[&e.owner_unit] == "SD-13")
        .unwrap();
    let duplicate = people
        .iter()
        .find(|e| unit_code[&e.owner_unit] == "DOUANE-13")
        .unwrap();
    assert_eq!(original.caption(), "Mohamed BEN SALAH");
    assert_eq!(duplicate.caption(), "Mohammed Bensalah");
    assert_eq!(original.regime, LegalRegime::Judicial);
    assert_eq!(duplicate.regime, LegalRegime::Customs);

    // Both services hold a Phone record with the same number.
    let phone_of = |person: EntityId, owner| {
        data.links
            .iter()
            .filter(|l| l.kind == LinkKind::PhoneUser && l.source == person)
            .filter_map(|l| {
                data.entities
                    .iter()
                    .find(|e| e.id == l.target && e.owner_unit == owner)
            })
            .filter_map(|e| first_value(e, "number"))
            .collect::<Vec<_>>()
    };
    let numbers = phone_of(duplicate.id, duplicate.owner_unit);
    assert_eq!(numbers.len(), 1);
    assert!(phone_of(original.id, original.owner_unit).contains(&numbers[0]));
}

#[test]
fn planted_line_shared_by_two_networks() {
    let data = demo();
    let network_of: HashMap<EntityId, EntityId> = data
        .links
        .iter()
        .filter(|l| l.kind == LinkKind::Member)
        .map(|l| (l.source, l.target))
        .collect();
    let mut networks_by_phone: HashMap<EntityId, BTreeSet<EntityId>> = HashMap::new();
    for link in data.links.iter().filter(|l| l.kind == LinkKind::PhoneUser) {
        if let Some(network) = network_of.get(&link.source) {
            networks_by_phone
                .entry(link.target)
                .or_default()
                .insert(*network);
        }
    }
    let shared: Vec<_> = networks_by_phone
        .values()
        .filter(|set| set.len() > 1)
        .collect();
    assert_eq!(shared.len(), 1);
}

#[test]
fn no_fixture_below_the_threshold() {
    let data = generate(&options(1, MIN_FIXTURE_PEOPLE - 1));
    assert!(!data
        .entities
        .iter()
        .any(|e| first_value(e, "lastName") == Some(fixtures::DUPLICATE_SURNAME)));
    assert_eq!(count(&data, Schema::Person), MIN_FIXTURE_PEOPLE - 1);
}

#[test]
fn describe_summarises_in_french() {
    let data = demo();
    let text = describe(&data);
    assert!(text.contains("Personne : 400"), "{text}");
    assert!(text.contains("agent.marseille"));
    assert!(text.contains(DEMO_PASSWORD));
    assert!(text.contains("CROSS : 6"));
    assert_eq!(group(1_234_567), "1\u{202f}234\u{202f}567");
    assert_eq!(group(999), "999");
    assert_eq!(group(0), "0");
}

#[test]
fn every_demo_departement_has_a_network() {
    // Networks hold at most 15 people, so 107 people make at least the 7 networks
    // (two in the 13, then one per other département) that visit them all.
    for (seed, people) in [(42, DEMO_PEOPLE), (1, 107), (2, 107), (3, 500)] {
        let data = generate(&options(seed, people));
        for code in ["13", "75", "93", "59", "69", "971"] {
            assert!(
                data.entities
                    .iter()
                    .any(|e| e.schema == Schema::Network && e.departement.as_deref() == Some(code)),
                "seed {seed}, {people} people: no network in {code}"
            );
        }
    }
}
