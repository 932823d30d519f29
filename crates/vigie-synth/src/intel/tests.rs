//! Tests of the intelligence items: every draft validates, the output is deterministic, the texts
//! are French, varied and unevenly worded, and the demo communes are real.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};

use time::macros::datetime;
use time::OffsetDateTime;

use super::*;
use crate::{generate, SynthOptions};

const AT: OffsetDateTime = datetime!(2026-01-15 09:30 UTC);

fn demo(seed: u64) -> DemoIntelWorld {
    DemoIntelWorld::from_data(&generate(&SynthOptions::demo(seed, AT)))
}

fn items(seed: u64, count: usize, world: &IntelWorld<'_>) -> Vec<SynthItem> {
    intel_items(seed, count, world, AT).collect()
}

#[test]
fn every_draft_validates() {
    let demo = demo(42);
    let world = demo.world();
    assert!(world.units.len() >= 20, "{} units", world.units.len());
    assert!(world.units.iter().all(|unit| !unit.recorders.is_empty()));
    for seed in [1, 42, 2026] {
        for (index, item) in intel_items(seed, 20_000, &world, AT).enumerate() {
            let departement = item
                .draft
                .commune
                .as_deref()
                .and_then(departement_of)
                .map(str::to_owned);
            let id = item_id(seed, index as u64);
            match to_item(&item, id, departement, AT.date()) {
                Ok(stored) => {
                    assert!(stored.recorded_at_micros <= AT.unix_timestamp() * 1_000_000);
                    assert!(stored.observed_on <= AT.date());
                }
                Err(errors) => panic!(
                    "seed {seed}, item {index} refused: {errors:?}\n{:#?}",
                    item.draft
                ),
            }
        }
    }
}

#[test]
fn odd_worlds_still_validate() {
    // No unit, no commune, no person; a customs unit alone; a national unit.
    let customs = [IntelUnit {
        id: UnitId(uuid::Uuid::nil()),
        kind: UnitKind::Customs,
        departement: Some("59".to_owned()),
        recorders: Vec::new(),
    }];
    let national = [IntelUnit {
        id: UnitId(uuid::Uuid::nil()),
        kind: UnitKind::Ofast,
        departement: None,
        recorders: vec!["account:x".to_owned()],
    }];
    let person = [IntelPerson {
        id: EntityId(uuid::Uuid::nil()),
        name: "Émile DUPONT".to_owned(),
        alias: Some("Le Grand".to_owned()),
        departement: Some("13".to_owned()),
    }];
    let worlds = [
        IntelWorld {
            units: &[],
            communes: &[],
            people: &[],
        },
        IntelWorld {
            units: &customs,
            communes: DEMO_COMMUNES,
            people: &person,
        },
        IntelWorld {
            units: &national,
            communes: DEMO_COMMUNES,
            people: &person,
        },
    ];
    for world in &worlds {
        for item in intel_items(7, 3_000, world, AT) {
            if let Err(errors) = validate_item(&item.draft, AT.date()) {
                panic!("refused: {errors:?}\n{:#?}", item.draft);
            }
        }
    }
    let customs_items = items(7, 2_000, &worlds[1]);
    let regimes: BTreeSet<_> = customs_items
        .iter()
        .map(|i| i.draft.regime.as_str())
        .collect();
    assert!(regimes.contains("customs"));
    assert!(!regimes.contains("administrative"));
    assert!(customs_items
        .iter()
        .all(|item| item.recorded_by == SYNTHETIC_RECORDER));
    assert!(customs_items
        .iter()
        .filter_map(|item| item.draft.commune.as_deref())
        .all(|code| departement_of(code) == Some("59")));
    assert!(customs_items
        .iter()
        .filter_map(|item| item.draft.source_code.as_deref())
        .all(|code| code.starts_with("AV-59-")));
}

#[test]
fn same_seed_same_items_other_seed_other_items() {
    let demo = demo(42);
    let world = demo.world();
    let first = items(42, 500, &world);
    assert_eq!(first, items(42, 500, &world));
    assert_ne!(first, items(43, 500, &world));
    // Item i does not depend on how many are asked for.
    assert_eq!(first[..50], items(42, 50, &world)[..]);
    assert_eq!(intel_items(42, 500, &world, AT).len(), 500);
    // Ids: the same for the same seed and index, never twice the same.
    assert_eq!(item_id(42, 7), item_id(42, 7));
    assert_ne!(item_id(42, 7), item_id(43, 7));
    let ids: BTreeSet<_> = (0..10_000).map(|index| item_id(42, index)).collect();
    assert_eq!(ids.len(), 10_000);
}

#[test]
fn texts_are_french_varied_and_well_formed() {
    let demo = demo(42);
    let world = demo.world();
    let all = items(42, 10_000, &world);
    let sample = &all[..1_000];
    let distinct: BTreeSet<_> = sample.iter().map(|item| &item.draft.text).collect();
    assert!(distinct.len() >= 990, "{} distinct texts", distinct.len());

    let corpus: String = all.iter().map(|item| item.draft.text.as_str()).collect();
    for accent in ['é', 'è', 'à', 'ç', 'œ', 'ê', 'ï', 'ô', 'û', '«', '€'] {
        assert!(corpus.contains(accent), "no « {accent} » in the texts");
    }
    let accented = all
        .iter()
        .filter(|item| !item.draft.text.is_ascii())
        .count();
    assert!(
        accented * 100 >= all.len() * 95,
        "{accented} accented texts"
    );

    let mut lengths: Vec<usize> = all
        .iter()
        .map(|item| item.draft.text.chars().count())
        .collect();
    lengths.sort_unstable();
    let (low, median, high) = (lengths[500], lengths[5_000], lengths[9_500]);
    assert!(
        low >= 120 && (200..=600).contains(&median) && high <= 800,
        "{low} {median} {high}"
    );

    for item in &all {
        let text = &item.draft.text;
        assert!(!text.contains('{') && !text.contains('}'), "{text}");
        for bad in [
            "  ", " .", " ,", "..", "de un ", "de une ", "à le ", "de le ", "à les ", "de les ",
            " de a", " de e", " de é", " de i", " de o", " de u", " de A", " de E", " de É",
            " de I", " de O", " de U", " que a", " que e", " que i", " que o", " que u", " que A",
            " que E", " que É", " que I", " que O", " que U",
        ] {
            assert!(!text.contains(bad), "« {bad} » in: {text}");
        }
        assert!(text.ends_with('.') || text.ends_with('!'), "{text}");
        assert!(
            text.chars().next().is_some_and(char::is_uppercase),
            "{text}"
        );
        // Every entity is named in the text, at most three.
        assert!(item.draft.entities.len() <= 3);
        for id in &item.draft.entities {
            let person = world.people.iter().find(|person| person.id == *id).unwrap();
            assert!(
                text.contains(&person.name),
                "{} not in: {text}",
                person.name
            );
        }
        if let Some(code) = &item.draft.source_code {
            assert!(!text.contains(code.as_str()));
        }
    }
}

#[test]
fn fields_are_spread_like_real_files() {
    let demo = demo(42);
    let world = demo.world();
    let all = items(3, 20_000, &world);
    let share = |count: usize| count * 1000 / all.len();
    let count = |f: &dyn Fn(&SynthItem) -> bool| all.iter().filter(|item| f(item)).count();

    let with_commune = share(count(&|item| item.draft.commune.is_some()));
    assert!(
        (850..=950).contains(&with_commune),
        "{with_commune} ‰ with a commune"
    );
    let with_place = share(count(&|item| item.draft.place.is_some()));
    assert!(
        (600..=900).contains(&with_place),
        "{with_place} ‰ with a place"
    );
    let with_period = share(count(&|item| item.draft.observed_until.is_some()));
    assert!(
        (50..=300).contains(&with_period),
        "{with_period} ‰ with a period"
    );
    let with_people = share(count(&|item| !item.draft.entities.is_empty()));
    assert!(
        (400..=900).contains(&with_people),
        "{with_people} ‰ naming someone"
    );

    let by = |field: &dyn Fn(&SynthItem) -> String| {
        let mut counts = BTreeMap::new();
        for item in &all {
            *counts.entry(field(item)).or_insert(0usize) += 1;
        }
        counts
    };
    let sources = by(&|item| item.draft.source.clone());
    assert_eq!(sources.len(), 6, "{sources:?}");
    assert!(
        sources.values().all(|&n| n >= all.len() / 20),
        "{sources:?}"
    );
    let schemes = by(&|item| item.draft.grade_scheme.clone());
    assert!(
        schemes["europol_4x4"] > schemes["uk_3x5x2"] * 3,
        "{schemes:?}"
    );
    assert!(schemes["uk_3x5x2"] >= all.len() / 20, "{schemes:?}");
    let regimes = by(&|item| item.draft.regime.clone());
    assert!(regimes["judicial"] > all.len() / 2, "{regimes:?}");
    assert!(regimes["administrative"] >= all.len() / 10, "{regimes:?}");
    assert!(regimes["customs"] >= all.len() / 50, "{regimes:?}");
    for code in ["H0", "H1", "H2", "H3"] {
        let n = count(&|item| item.draft.handling.iter().any(|h| h == code));
        assert!(n >= all.len() / 100, "{code}: {n}");
    }
    let plain = count(&|item| item.draft.handling.iter().all(|h| h == "H0"));
    assert!(plain * 10 >= all.len() * 6, "{plain} without restriction");
    let grades = by(&|item| item.draft.grade.clone());
    assert!(grades.len() >= 30, "{} grades", grades.len());

    // Word frequencies: some words in a third of the items, others in less than one in a thousand.
    let frequency = |word: &str| share(count(&|item| item.draft.text.contains(word)));
    let common = frequency("point de deal");
    assert!((200..=600).contains(&common), "point de deal: {common} ‰");
    for rare in [
        "traboule",
        "Sky ECC",
        "champignons hallucinogènes",
        "séquestration",
    ] {
        let n = count(&|item| item.draft.text.contains(rare));
        assert!(n > 0 && n * 1000 < all.len() * 2, "{rare}: {n}");
    }
}

#[test]
fn every_template_fills() {
    let demo = demo(42);
    let world = demo.world();
    let lists: [&[phrases::Template]; 9] = [
        phrases::OPEN_HUMAN,
        phrases::OPEN_TECHNICAL,
        phrases::OPEN_OPEN_SOURCE,
        phrases::OPEN_DOCUMENT,
        phrases::OPEN_PROCEDURE,
        phrases::OPEN_PARTNER,
        phrases::BODY,
        phrases::CLOSINGS,
        phrases::ALSO,
    ];
    let mut dice = Dice::new(1, 0);
    let communes: Vec<usize> = (0..world.communes.len()).collect();
    let vehicles = Table::new(phrases::VEHICLES.iter().enumerate().map(|(i, v)| (i, v.3)));
    let estate = Estate::draw(&mut dice, ESTATE_NAMES);
    for departement in ["13", "75", "59", "69", "971", "2A"] {
        for product in phrases::PRODUCTS {
            for place_kind in phrases::PLACES {
                let mut writer = Writer {
                    dice: &mut dice,
                    world: &world,
                    flavour: phrases::flavour(Some(departement)),
                    product,
                    estate,
                    estate2: None,
                    estate_names: ESTATE_NAMES,
                    bat: "C",
                    place_kind,
                    place: String::new(),
                    commune_name: "Le Moule",
                    communes: &communes,
                    vehicles: &vehicles,
                    observed_on: AT.date(),
                    pending: vec![0, 1],
                    mentioned: Vec::new(),
                    last: None,
                };
                let mut place = String::new();
                writer.fill(&mut place, place_kind.noun);
                writer.place = place;
                for template in lists.iter().flat_map(|list| list.iter()) {
                    let mut text = String::new();
                    writer.sentence(&mut text, template.text);
                    assert!(!text.contains('{') && !text.contains('}'), "{text}");
                    assert!(!text.contains("  ") && !text.contains(" ."), "{text}");
                    assert!(
                        text.chars().next().is_some_and(char::is_uppercase),
                        "{text}"
                    );
                }
            }
        }
    }
    let mut text = String::new();
    let mut writer_text = |template: &str| {
        text.clear();
        let mut dice = Dice::new(2, 0);
        let mut writer = Writer {
            dice: &mut dice,
            world: &world,
            flavour: phrases::flavour(None),
            product: &phrases::PRODUCTS[0],
            estate,
            estate2: None,
            estate_names: ESTATE_NAMES,
            bat: "C",
            place_kind: &phrases::PLACES[0],
            place: "hall".to_owned(),
            commune_name: "Les Abymes",
            communes: &[],
            vehicles: &vehicles,
            observed_on: time::macros::date!(2025 - 03 - 01),
            pending: Vec::new(),
            mentioned: Vec::new(),
            last: None,
        };
        writer.sentence(&mut text, template);
        text.clone()
    };
    assert_eq!(
        writer_text("{a_commune} {de_commune}."),
        "Aux Abymes des Abymes."
    );
    assert_eq!(writer_text("Le {date}."), "Le 1er mars 2025.");
    assert_eq!(writer_text("{inconnu}"), "{inconnu}");
    assert!(writer_text("{de_p}").starts_with("D'un"));
}

#[test]
fn departement_of_reads_insee_codes() {
    assert_eq!(departement_of("13203"), Some("13"));
    assert_eq!(departement_of("97101"), Some("971"));
    assert_eq!(departement_of("2A004"), Some("2A"));
    assert_eq!(departement_of(" 59350 "), Some("59"));
    assert_eq!(departement_of("1320"), None);
    assert_eq!(departement_of("13 20"), None);
    assert_eq!(departement_of(""), None);
}

#[test]
fn demo_communes_are_real_and_cover_the_lists() {
    let geography = vigie_geo::Geography::france().unwrap();
    let mut seen = BTreeSet::new();
    for (code, name) in DEMO_COMMUNES {
        assert!(seen.insert(*code), "{code} twice");
        let location = geography
            .commune(code)
            .unwrap_or_else(|| panic!("{code} ({name}) is not an INSEE code"));
        assert_eq!(
            Some(location.departement.code.as_str()),
            departement_of(code)
        );
        match location.arrondissement {
            // « Marseille 3e Arrondissement » is written « Marseille 3e ».
            Some(arrondissement) => assert!(
                arrondissement.nom.starts_with(&format!("{name} ")),
                "{code}: {} is not {name}",
                arrondissement.nom
            ),
            None => assert_eq!(location.commune.nom, *name, "{code}"),
        }
    }
    let lists = [
        crate::lists::COMMUNES_13,
        crate::lists::COMMUNES_75,
        crate::lists::COMMUNES_93,
        crate::lists::COMMUNES_59,
        crate::lists::COMMUNES_69,
        crate::lists::COMMUNES_971,
    ];
    for commune in lists.iter().flat_map(|list| list.iter()) {
        assert!(
            DEMO_COMMUNES.iter().any(|(_, name)| *name == commune.name
                || name.starts_with(&format!("{} ", commune.name))),
            "{} missing",
            commune.name
        );
    }
}

/// Generation rate, in release mode: `cargo test -p vigie-synth --release -- --ignored --nocapture
/// intel_rate`.
#[test]
#[ignore = "measure in release mode"]
fn intel_rate() {
    let demo = demo(42);
    let world = demo.world();
    let started = std::time::Instant::now();
    let mut chars = 0usize;
    for item in intel_items(42, 1_000_000, &world, AT) {
        chars += item.draft.text.len();
    }
    let generated = started.elapsed();
    let started = std::time::Instant::now();
    for (index, item) in intel_items(42, 1_000_000, &world, AT).enumerate() {
        let departement = item
            .draft
            .commune
            .as_deref()
            .and_then(departement_of)
            .map(str::to_owned);
        let _ = to_item(&item, item_id(42, index as u64), departement, AT.date()).unwrap();
    }
    let built = started.elapsed();
    println!(
        "1 000 000 items: generated in {:.2} s ({} MB of text), generated and validated in {:.2} s",
        generated.as_secs_f64(),
        chars / 1_000_000,
        built.as_secs_f64()
    );
}

/// Prints a few items: `cargo test -p vigie-synth -- --ignored --nocapture intel_show`.
#[test]
#[ignore = "prints examples"]
fn intel_show() {
    let demo = demo(42);
    let world = demo.world();
    for item in intel_items(42, 12, &world, AT) {
        println!("{:#?}\n", item.draft);
    }
}
