#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use std::collections::BTreeSet;
use time::macros::date;
use uuid::Uuid;
use vigie_core::entity::{EntityId, LegalRegime};
use vigie_core::org::{Role, Territory, UnitId, UnitKind};
use vigie_core::policy::{decide, search_scope, Action, ObjectMarks, Subject};
use vigie_intel::{Gate, Grade, Handling, Permission, PermissionKind, Scheme, SourceKind};

const OWN: UnitId = UnitId(Uuid::from_u128(1));
const OTHER: UnitId = UnitId(Uuid::from_u128(2));
const THIRD: UnitId = UnitId(Uuid::from_u128(3));

fn item(n: u128, owner: UnitId, departement: Option<&str>, text: &str) -> IntelItem {
    IntelItem {
        id: ItemId(Uuid::from_u128(1000 + n)),
        owner_unit: owner,
        recorded_by: "test".into(),
        recorded_at_micros: 0,
        text: text.into(),
        observed_on: date!(2026 - 03 - 01),
        observed_until: None,
        place: None,
        commune: None,
        departement: departement.map(str::to_owned),
        entities: Vec::new(),
        source: SourceKind::Technical,
        grade: Grade::parse(Scheme::Europol4x4, "B2").unwrap(),
        handling: Handling::default(),
        regime: LegalRegime::Judicial,
        sanitised_from: None,
        permissions: Vec::new(),
    }
}

fn index_of(items: &[IntelItem]) -> IntelIndex {
    let index = IntelIndex::in_ram().unwrap();
    index.upsert(items).unwrap();
    index.commit(1).unwrap();
    index
}

/// Everything: the reader sees every item of every unit (an OFAST analyst's reach).
fn national_scope() -> SearchScope {
    let territory = Territory::national();
    let subject = Subject {
        role: Role::OfastAnalyst,
        unit: OWN,
        unit_kind: UnitKind::Ofast,
        territory: &territory,
    };
    search_scope(&subject, Action::ConsultIntel).unwrap()
}

/// Searches `query` over `texts` (one item each, numbered from 0) with a national scope and checks
/// which items match, best first when `ordered`.
#[track_caller]
fn check(texts: &[&str], query: &str, expected: &[u128]) {
    let items: Vec<IntelItem> = texts
        .iter()
        .enumerate()
        .map(|(n, text)| item(n as u128, OWN, Some("13"), text))
        .collect();
    let index = index_of(&items);
    let request = SearchRequest {
        query: query.into(),
        limit: 100,
        ..SearchRequest::default()
    };
    let results = index.search(&request, &national_scope()).unwrap();
    let found: BTreeSet<u128> = results
        .hits
        .iter()
        .map(|hit| hit.id.0.as_u128() - 1000)
        .collect();
    let expected: BTreeSet<u128> = expected.iter().copied().collect();
    assert_eq!(found, expected, "query {query:?}");
    assert_eq!(results.total, expected.len(), "total for {query:?}");
}

const TEXTS: [&str; 6] = [
    "Livraison de résine de cannabis au pied du bâtiment C, guetteurs postés à l'entrée.",
    "Deux véhicules livrés à la cité ; cocaïne conditionnée en boulettes.",
    "Martine Dupont héberge la nourrice dans l'appartement du 3e étage.",
    "Martin Durand conduit un go-fast sur l'A7 depuis l'Espagne.",
    "Le point de vente a été déplacé après l'opération de harcèlement.",
    "Paiement en cryptomonnaie ; COCAINE signalée par un partenaire.",
];

#[test]
fn french_words_match_their_inflections_and_accents_fold() {
    check(&TEXTS, "livraisons", &[0]);
    check(&TEXTS, "livrées", &[1]);
    check(&TEXTS, "livré", &[1]);
    check(&TEXTS, "cocaine", &[1, 5]);
    check(&TEXTS, "Cocaïne", &[1, 5]);
    check(&TEXTS, "guetteur", &[0]);
    check(&TEXTS, "batiment", &[0]);
    check(&TEXTS, "harcelement deplace", &[4]);
}

#[test]
fn quoted_names_are_kept_whole_and_phrases_keep_their_order() {
    // Stemmed, "Martine" and "Martin" are one word; quoted, a name is taken as written.
    check(&TEXTS, "martine", &[2, 3]);
    check(&TEXTS, "\"Martine\"", &[2]);
    check(&TEXTS, "\"Martine Dupont\"", &[2]);
    check(&TEXTS, "\"Dupont Martine\"", &[]);
    check(&TEXTS, "appartement", &[2]);
    check(&TEXTS, "l'appartement", &[2]);
    check(&TEXTS, "go-fast", &[3]);
}

#[test]
fn all_words_must_match_and_minus_excludes() {
    check(&TEXTS, "cocaïne cryptomonnaie", &[5]);
    check(&TEXTS, "cocaïne -partenaire", &[1]);
    check(&TEXTS, "-cocaïne", &[0, 2, 3, 4]);
    check(&TEXTS, "", &[0, 1, 2, 3, 4, 5]);
    // A stop word alone is searched as written rather than ignored.
    check(&TEXTS, "les", &[]);
    check(&TEXTS, "la", &[1, 2]);
    // Among other words, stop words are left out.
    check(&TEXTS, "point de la vente", &[4]);
    check(&TEXTS, "\"de vente\"", &[4]);
}

#[test]
fn filters_narrow_and_facets_count_what_matches() {
    let mut items: Vec<IntelItem> = (0..6)
        .map(|n| item(n, OWN, Some(if n < 4 { "13" } else { "83" }), "cocaïne"))
        .collect();
    items[1].source = SourceKind::HumanSource {
        code: "SH-13-0042".into(),
    };
    items[2].observed_on = date!(2025 - 06 - 15);
    items[3].entities = vec![EntityId(Uuid::from_u128(77))];
    items[5].departement = None;
    for (n, item) in items.iter_mut().enumerate() {
        item.recorded_at_micros = n as i64 * 1_000;
    }
    let index = index_of(&items);
    let scope = national_scope();
    let search = |filters: Filters| {
        let request = SearchRequest {
            query: "cocaine".into(),
            filters,
            limit: 100,
            ..SearchRequest::default()
        };
        let results = index.search(&request, &scope).unwrap();
        let ids: BTreeSet<u128> = results
            .hits
            .iter()
            .map(|h| h.id.0.as_u128() - 1000)
            .collect();
        (results, ids)
    };
    let (all, _) = search(Filters::default());
    assert_eq!(all.total, 6);
    assert_eq!(
        all.facets["departement"],
        vec![("13".into(), 4), ("-".into(), 1), ("83".into(), 1)]
    );
    assert_eq!(
        all.facets["source"],
        vec![("technical".into(), 5), ("human_source".into(), 1)]
    );
    assert_eq!(
        all.facets["year"],
        vec![("2026".into(), 5), ("2025".into(), 1)]
    );
    assert_eq!(all.facets["grade"], vec![("europol_4x4:B2".into(), 6)]);
    let (_, ids) = search(Filters {
        departements: vec!["83".into(), String::new()],
        ..Filters::default()
    });
    assert_eq!(ids, BTreeSet::from([4, 5]));
    let (_, ids) = search(Filters {
        sources: vec!["human_source".into()],
        ..Filters::default()
    });
    assert_eq!(ids, BTreeSet::from([1]));
    let (_, ids) = search(Filters {
        observed_to: Some(date!(2025 - 12 - 31)),
        ..Filters::default()
    });
    assert_eq!(ids, BTreeSet::from([2]));
    let (_, ids) = search(Filters {
        observed_from: Some(date!(2026 - 03 - 01)),
        about: Some(EntityId(Uuid::from_u128(77))),
        ..Filters::default()
    });
    assert_eq!(ids, BTreeSet::from([3]));
    // What is new since a time: strictly after it.
    let (_, ids) = search(Filters {
        recorded_after: Some(3_000),
        ..Filters::default()
    });
    assert_eq!(ids, BTreeSet::from([4, 5]));
    let (narrow, ids) = search(Filters {
        units: vec![OTHER],
        ..Filters::default()
    });
    assert!(ids.is_empty());
    assert!(narrow.facets.values().all(|counts| counts.is_empty()));
}

#[test]
fn recent_first_orders_by_observation_day_and_pages() {
    let items: Vec<IntelItem> = (0..5)
        .map(|n| {
            let mut it = item(n, OWN, Some("13"), "guetteur");
            it.observed_on = date!(2026 - 01 - 01) + time::Duration::days(n as i64 * 7);
            it
        })
        .collect();
    let index = index_of(&items);
    let request = SearchRequest {
        query: "guetteurs".into(),
        sort: Sort::Recent,
        limit: 2,
        offset: 1,
        ..SearchRequest::default()
    };
    let results = index.search(&request, &national_scope()).unwrap();
    let ids: Vec<u128> = results
        .hits
        .iter()
        .map(|h| h.id.0.as_u128() - 1000)
        .collect();
    assert_eq!(ids, vec![3, 2]);
    assert_eq!(results.total, 5);
}

#[test]
fn replacing_and_removing_items_updates_hits_and_counts() {
    let mut first = item(0, OWN, Some("13"), "héroïne au parking");
    let index = index_of(std::slice::from_ref(&first));
    first.text = "crack au parking".into();
    index.upsert([&first]).unwrap();
    index.commit(2).unwrap();
    let search = |query: &str| {
        let request = SearchRequest {
            query: query.into(),
            ..SearchRequest::default()
        };
        index.search(&request, &national_scope()).unwrap().total
    };
    assert_eq!((search("héroïne"), search("crack")), (0, 1));
    assert_eq!(index.len(), 1);
    assert_eq!(index.applied(), 2);
    index.remove(first.id).unwrap();
    index.commit(3).unwrap();
    assert_eq!(search("parking"), 0);
}

#[test]
fn excerpts_highlight_the_matched_words() {
    let items = [item(0, OWN, Some("13"), TEXTS[2])];
    let index = index_of(&items);
    let request = SearchRequest {
        query: "\"Martine\" étages".into(),
        ..SearchRequest::default()
    };
    let excerpt = index.excerpt(&request, TEXTS[2], 200).unwrap();
    let marked: Vec<&str> = excerpt
        .highlighted
        .iter()
        .map(|range| &excerpt.text[range.clone()])
        .collect();
    assert!(marked.contains(&"Martine"), "{excerpt:?}");
}

/// Every combination of owner, place, regime and H2 state, searched by every kind of reader:
/// the index returns and counts exactly the items the policy table and the handling gate allow,
/// item by item. This is what makes "filtered before counting" true.
#[test]
fn search_scope_in_the_index_equals_the_policy_and_the_handling_gate() {
    let mut items = Vec::new();
    let mut n = 0;
    for owner in [OWN, OTHER, THIRD] {
        for departement in [None, Some("13"), Some("83"), Some("75")] {
            for regime in LegalRegime::ALL {
                for sharing in 0..4 {
                    let mut it = item(n, owner, departement, "point de deal");
                    it.regime = regime;
                    it.handling.no_dissemination = sharing > 0;
                    let to_unit = match sharing {
                        2 => Some(Some(OWN)),
                        3 => Some(None),
                        _ => None,
                    };
                    if let Some(to_unit) = to_unit {
                        it.permissions.push(Permission {
                            kind: PermissionKind::OnwardSharing,
                            to_unit,
                            reason: "accord".into(),
                            by: "x".into(),
                            at_micros: 0,
                        });
                    }
                    items.push(it);
                    n += 1;
                }
            }
        }
    }
    let index = index_of(&items);
    let territories = [
        Territory::national(),
        Territory::departements(["13"]),
        Territory::departements(["13", "83"]),
    ];
    let mut searches = 0;
    for role in Role::ALL {
        for unit_kind in UnitKind::ALL {
            for territory in &territories {
                let subject = Subject {
                    role,
                    unit: OWN,
                    unit_kind,
                    territory,
                };
                let expected: BTreeSet<ItemId> = items
                    .iter()
                    .filter(|it| {
                        let marks = ObjectMarks {
                            owner_unit: it.owner_unit,
                            departement: it.departement.as_deref(),
                            regime: it.regime,
                        };
                        decide(&subject, Action::ConsultIntel, Some(marks)).is_allowed()
                            && it.gate(Gate::OnwardSharing, Some(OWN)).is_ok()
                    })
                    .map(|it| it.id)
                    .collect();
                let Some(scope) = search_scope(&subject, Action::ConsultIntel) else {
                    assert!(expected.is_empty(), "{role:?} {unit_kind:?}");
                    continue;
                };
                let request = SearchRequest {
                    query: "deal".into(),
                    limit: MAX_LIMIT,
                    ..SearchRequest::default()
                };
                let mut found = BTreeSet::new();
                let mut total = None;
                for page in 0.. {
                    let results = index
                        .search(
                            &SearchRequest {
                                offset: page * MAX_LIMIT,
                                ..request.clone()
                            },
                            &scope,
                        )
                        .unwrap();
                    total = Some(results.total);
                    if results.hits.is_empty() {
                        break;
                    }
                    found.extend(results.hits.iter().map(|hit| hit.id));
                }
                assert_eq!(
                    found, expected,
                    "{role:?} of {unit_kind:?} over {territory:?}"
                );
                assert_eq!(total, Some(expected.len()));
                searches += 1;
            }
        }
    }
    assert!(searches > 100, "only {searches} searches");
}
