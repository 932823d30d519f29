//! The intelligence repository's pure rules, through one `check` helper per feature: grades as
//! written, conversions, item validation (every refusal names its field), handling gates and
//! sanitised copies.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: a failed unwrap is a failed test.

use time::macros::date;
use uuid::Uuid;
use vigie_core::entity::{EntityId, LegalRegime};
use vigie_core::org::UnitId;
use vigie_intel::grade::{convert, grading_markdown, Scheme};
use vigie_intel::{
    validate_item, Gate, Grade, IntelItem, IntelItemDraft, ItemId, Permission, PermissionKind,
    SanitisedDraft, SourceKind,
};

/// Parses `code` in `scheme` and expects it written back as `expected`, or refused with a message
/// containing `expected` when it starts with "!".
fn check_grade(scheme: &str, code: &str, expected: &str) {
    let parsed = Scheme::parse(scheme).and_then(|scheme| Grade::parse(scheme, code));
    match (parsed, expected.strip_prefix('!')) {
        (Ok(grade), None) => assert_eq!(grade.code(), expected, "{scheme} {code}"),
        (Err(error), Some(message)) => {
            assert!(
                error.to_string().contains(message),
                "{scheme} {code}: {error}"
            )
        }
        (other, _) => panic!("{scheme} {code}: expected {expected}, got {other:?}"),
    }
}

#[test]
fn grades_are_read_as_their_users_write_them() {
    check_grade("europol_4x4", "B2", "B2");
    check_grade("europol_4x4", "b 2", "B2");
    check_grade("europol_4x4", "X4", "X4");
    check_grade("europol_4x4", "D2", "!attendu une lettre A, B, C ou X");
    check_grade("europol_4x4", "B5", "!invalide dans le barème Europol 4x4");
    check_grade("europol_4x4", "B", "!invalide");
    check_grade("uk_3x5x2", "1BP", "1BP");
    check_grade("uk_3x5x2", "3ec", "3EC");
    // The scales are not swapped: 3x5x2 has a numeric source and a lettered intelligence.
    check_grade("uk_3x5x2", "B1P", "!un chiffre de 1 à 3");
    check_grade("uk_3x5x2", "4AP", "!invalide");
    check_grade("uk_5x5x5", "B24", "B24");
    check_grade("uk_5x5x5", "F11", "!invalide");
    check_grade("admiralty", "A1", "!barème inconnu");
    check_grade("", "B2", "!barème inconnu");
}

#[test]
fn grades_are_stored_as_scheme_and_code_and_nothing_else() {
    let grade = Grade::parse(Scheme::Uk3x5x2, "1BP").unwrap();
    let json = serde_json::to_string(&grade).unwrap();
    assert_eq!(json, r#"{"scheme":"uk_3x5x2","code":"1BP"}"#);
    assert_eq!(serde_json::from_str::<Grade>(&json).unwrap(), grade);
    assert!(serde_json::from_str::<Grade>(r#"{"scheme":"uk_3x5x2","code":"fiable"}"#).is_err());
    assert!(
        serde_json::from_str::<Grade>(r#""B2""#).is_err(),
        "no grade without a scheme"
    );
}

/// Converts `code` of `from` to `to`: `expected` is the code obtained, or "!" and a part of the
/// refusal.
fn check_conversion(from: Scheme, code: &str, to: Scheme, expected: &str) {
    let grade = Grade::parse(from, code).unwrap();
    match (convert(grade, to), expected.strip_prefix('!')) {
        (Ok(conversion), None) => {
            assert_eq!(conversion.to.code(), expected, "{code} → {to:?}");
            assert_eq!(conversion.to.scheme(), to);
        }
        (Err(error), Some(message)) => {
            assert!(error.to_string().contains(message), "{code}: {error}")
        }
        (other, _) => panic!("{code} → {to:?}: expected {expected}, got {other:?}"),
    }
}

#[test]
fn conversions_go_one_way_and_refuse_what_has_no_equivalent() {
    use Scheme::*;
    check_conversion(Uk5x5x5, "A11", Uk3x5x2, "1AP");
    check_conversion(Uk5x5x5, "C34", Uk3x5x2, "2BC");
    check_conversion(Uk5x5x5, "D55", Uk3x5x2, "3EC");
    check_conversion(Uk5x5x5, "B21", Europol4x4, "B2");
    check_conversion(Uk5x5x5, "E41", Europol4x4, "X4");
    check_conversion(
        Uk5x5x5,
        "A51",
        Europol4x4,
        "!pas de niveau « soupçonné d'être faux »",
    );
    check_conversion(Uk3x5x2, "1AP", Europol4x4, "B2");
    check_conversion(Uk3x5x2, "2CP", Europol4x4, "X4");
    check_conversion(Uk3x5x2, "3EC", Europol4x4, "!n'a pas d'équivalent");
    check_conversion(Europol4x4, "A1", Uk3x5x2, "!aucune conversion documentée");
    check_conversion(Europol4x4, "A1", Uk5x5x5, "!aucune conversion documentée");
    check_conversion(Uk3x5x2, "1AP", Uk5x5x5, "!aucune conversion documentée");
    check_conversion(Europol4x4, "C3", Europol4x4, "C3");

    let lossy = convert(Grade::parse(Uk3x5x2, "1AP").unwrap(), Europol4x4).unwrap();
    assert!(lossy.losses.iter().any(|loss| loss.contains("H0 à H3")));
}

#[test]
fn docs_grading_md_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/grading.md");
    let rendered = grading_markdown();
    if std::env::var_os("VIGIE_BLESS").is_some() {
        std::fs::write(&path, &rendered).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "docs/grading.md is out of date: run `VIGIE_BLESS=1 cargo test -p vigie-intel`"
    );
}

fn draft() -> IntelItemDraft {
    IntelItemDraft {
        text: "Livraison hebdomadaire de résine par un véhicule utilitaire blanc, le mardi soir."
            .to_owned(),
        observed_on: "2026-11-17".to_owned(),
        observed_until: None,
        place: Some("parking de la tour 4".to_owned()),
        commune: Some("13214".to_owned()),
        entities: vec![
            EntityId(Uuid::from_u128(2)),
            EntityId(Uuid::from_u128(1)),
            EntityId(Uuid::from_u128(2)),
        ],
        source: "human_source".to_owned(),
        source_code: Some("sh-13-0042".to_owned()),
        grade_scheme: "europol_4x4".to_owned(),
        grade: "B2".to_owned(),
        handling: vec!["H2".to_owned()],
        restrictions: None,
        regime: "administrative".to_owned(),
    }
}

/// Validates `draft` changed by `change`: `expected` is "ok", or the field refused and a part of
/// its message ("field: message").
fn check_item(change: impl FnOnce(&mut IntelItemDraft), expected: &str) {
    let mut item = draft();
    change(&mut item);
    match (validate_item(&item, date!(2026 - 11 - 23)), expected) {
        (Ok(_), "ok") => {}
        (Err(errors), expected) if expected != "ok" => {
            let (field, message) = expected.split_once(": ").unwrap();
            assert!(
                errors
                    .iter()
                    .any(|e| e.field == field && e.message.contains(message)),
                "expected {expected}, got {errors:?}"
            );
        }
        (other, _) => panic!("expected {expected}, got {other:?}"),
    }
}

#[test]
fn items_are_validated_field_by_field() {
    check_item(|_| {}, "ok");
    check_item(|d| d.text = "  ".to_owned(), "text: décrivez");
    check_item(
        |d| d.observed_on = "17/11/2026".to_owned(),
        "observed_on: AAAA-MM-JJ",
    );
    check_item(
        |d| d.observed_on = "2026-12-01".to_owned(),
        "observed_on: futur",
    );
    check_item(
        |d| d.observed_until = Some("2026-11-01".to_owned()),
        "observed_until: précède",
    );
    check_item(
        |d| d.commune = Some("Marseille".to_owned()),
        "commune: code INSEE",
    );
    check_item(
        |d| d.source_code = Some("Karim B".to_owned()),
        "source_code: jamais un nom",
    );
    check_item(|d| d.source_code = None, "source_code: jamais son nom");
    check_item(|d| d.source = "rumeur".to_owned(), "source: inconnu");
    check_item(
        |d| {
            d.source = "open_source".to_owned();
        },
        "source_code: que pour une source humaine",
    );
    check_item(|d| d.grade = "fiable".to_owned(), "grade: invalide");
    check_item(
        |d| d.grade_scheme = "uk_5x5x5".to_owned(),
        "grade_scheme: plus en usage",
    );
    check_item(
        |d| d.grade_scheme = "nato".to_owned(),
        "grade_scheme: barème inconnu",
    );
    check_item(|d| d.regime = "secret".to_owned(), "regime: inconnu");
    check_item(|d| d.handling = vec!["H4".to_owned()], "handling: inconnu");
    check_item(
        |d| d.handling = vec!["H3".to_owned()],
        "handling: précisez les restrictions",
    );
    check_item(
        |d| d.restrictions = Some("pas avant le 1er".to_owned()),
        "handling: sans le code H3",
    );
    check_item(
        |d| {
            d.regime = "judicial".to_owned();
            d.handling = vec!["H1".to_owned()];
        },
        "handling: contredit le régime judiciaire",
    );
    check_item(
        |d| {
            d.grade_scheme = "uk_3x5x2".to_owned();
            d.grade = "1BP".to_owned();
        },
        "handling: contredit le code de traitement P",
    );
    check_item(
        |d| {
            d.grade_scheme = "uk_3x5x2".to_owned();
            d.grade = "2CC".to_owned();
            d.handling = vec![];
        },
        "handling: précisez-les en H3",
    );
    check_item(
        |d| {
            d.grade_scheme = "uk_3x5x2".to_owned();
            d.grade = "2CC".to_owned();
            d.handling = vec!["H3".to_owned()];
            d.restrictions = Some("Pas de diffusion hors OFAST avant l'interpellation".to_owned());
        },
        "ok",
    );
    let valid = validate_item(&draft(), date!(2026 - 11 - 23)).unwrap();
    assert_eq!(
        valid.source,
        SourceKind::HumanSource {
            code: "SH-13-0042".to_owned()
        }
    );
    assert_eq!(valid.entities.len(), 2, "entities deduplicated");
    assert_eq!(valid.regime, LegalRegime::Administrative);
}

fn item(handling: &[&str]) -> IntelItem {
    let mut draft = draft();
    draft.handling = handling.iter().map(|code| code.to_string()).collect();
    let valid = validate_item(&draft, date!(2026 - 11 - 23)).unwrap();
    IntelItem {
        id: ItemId(Uuid::from_u128(10)),
        owner_unit: UnitId(Uuid::from_u128(100)),
        recorded_by: "account:1".to_owned(),
        recorded_at_micros: 1,
        text: valid.text,
        observed_on: valid.observed_on,
        observed_until: valid.observed_until,
        place: valid.place,
        commune: valid.commune,
        departement: Some("13".to_owned()),
        entities: valid.entities,
        source: valid.source,
        grade: valid.grade,
        handling: valid.handling,
        regime: valid.regime,
        sanitised_from: None,
        permissions: Vec::new(),
    }
}

#[test]
fn handling_codes_gate_judicial_use_and_onward_sharing_until_the_owner_permits() {
    let other = UnitId(Uuid::from_u128(200));
    let open = item(&["H0"]);
    assert_eq!(open.handling.codes(), ["H0"]);
    assert!(open.gate(Gate::JudicialUse, None).is_ok());
    assert!(open.gate(Gate::OnwardSharing, Some(other)).is_ok());

    let mut closed = item(&["H1", "H2"]);
    assert_eq!(closed.handling.codes(), ["H1", "H2"]);
    let refusal = closed.gate(Gate::JudicialUse, None).unwrap_err();
    assert!(refusal.message.starts_with("H1"), "{}", refusal.message);
    let refusal = closed.gate(Gate::OnwardSharing, Some(other)).unwrap_err();
    assert!(
        refusal.message.contains("copie épurée"),
        "{}",
        refusal.message
    );
    assert!(
        closed
            .gate(Gate::OnwardSharing, Some(closed.owner_unit))
            .is_ok(),
        "its own unit"
    );

    let permission = |kind, to_unit| Permission {
        kind,
        to_unit,
        reason: "accord du chef de service".to_owned(),
        by: "account:1".to_owned(),
        at_micros: 2,
    };
    closed
        .permissions
        .push(permission(PermissionKind::OnwardSharing, Some(other)));
    assert!(closed.gate(Gate::OnwardSharing, Some(other)).is_ok());
    assert!(
        closed
            .gate(Gate::OnwardSharing, Some(UnitId(Uuid::from_u128(300))))
            .is_err(),
        "only to that unit"
    );
    assert!(
        closed.gate(Gate::JudicialUse, None).is_err(),
        "a share is no judicial permission"
    );
    closed
        .permissions
        .push(permission(PermissionKind::JudicialUse, None));
    assert!(closed.gate(Gate::JudicialUse, None).is_ok());
}

#[test]
fn a_sanitised_copy_withholds_the_source_keeps_h1_and_links_its_original() {
    let original = item(&["H1", "H2"]);
    let copy_id = ItemId(Uuid::from_u128(11));
    let sanitise = |text: &str, handling: &[&str]| {
        original.sanitised(
            &SanitisedDraft {
                text: text.to_owned(),
                place: None,
                handling: handling.iter().map(|code| code.to_string()).collect(),
                restrictions: None,
            },
            copy_id,
            "account:2",
            5,
        )
    };
    let copy = sanitise(
        "Livraisons hebdomadaires de résine signalées dans le secteur.",
        &[],
    )
    .unwrap();
    assert_eq!(copy.source, SourceKind::Protected);
    assert_eq!(copy.sanitised_from, Some(original.id));
    assert_eq!(copy.handling.codes(), ["H1"], "H2 lifted, H1 kept");
    assert_eq!(
        copy.place, None,
        "the place in words is dropped unless rewritten"
    );
    assert_eq!(
        (copy.grade, copy.regime, copy.entities.clone()),
        (original.grade, original.regime, original.entities.clone())
    );
    assert!(copy
        .gate(Gate::OnwardSharing, Some(UnitId(Uuid::from_u128(200))))
        .is_ok());

    let errors = sanitise(&original.text, &[]).unwrap_err();
    assert_eq!(errors[0].field, "text");
    let errors = sanitise("Selon SH-13-0042, livraisons le mardi.", &[]).unwrap_err();
    assert!(errors[0].message.contains("code de la source"));
    let errors = copy
        .sanitised(
            &SanitisedDraft {
                text: "encore".to_owned(),
                ..SanitisedDraft::default()
            },
            ItemId(Uuid::from_u128(12)),
            "account:2",
            6,
        )
        .unwrap_err();
    assert_eq!(errors[0].field, "original");
}

// ---------------------------------------------------------------------------------------------
// Facts about entities

fn fact_draft() -> vigie_intel::fact::FactDraft {
    vigie_intel::fact::FactDraft {
        property: "birthDate".to_owned(),
        value: "1990-04-12".to_owned(),
        basis: vigie_intel::fact::BasisDraft {
            item: None,
            reference: Some("PV 2026/123 du 12/03".to_owned()),
            grade_scheme: Some("europol_4x4".to_owned()),
            grade: Some("B2".to_owned()),
        },
        observed_on: Some("2026-03-12".to_owned()),
    }
}

/// Validates `fact_draft()` changed by `change` for a person, and expects either the value and
/// grade it becomes ("1990-04-12 B2"; "item" when the grade is the item's), or "!field: message".
fn check_fact(change: impl FnOnce(&mut vigie_intel::fact::FactDraft), expected: &str) {
    let mut draft = fact_draft();
    change(&mut draft);
    let got = match vigie_intel::fact::validate_fact(
        vigie_core::entity::Schema::Person,
        &draft,
        date!(2026 - 11 - 23),
    ) {
        Ok(fact) => format!(
            "{} {}",
            fact.value,
            fact.basis
                .grade
                .map_or("item".to_owned(), |grade| grade.code())
        ),
        Err(errors) => errors
            .iter()
            .map(|e| format!("!{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join(" | "),
    };
    if let Some(fragment) = expected.strip_prefix('!') {
        assert!(
            got.starts_with('!'),
            "expected a refusal {expected}, got {got}"
        );
        assert!(got.contains(fragment), "expected {expected}, got {got}");
    } else {
        assert_eq!(got, expected);
    }
}

#[test]
fn facts_are_validated_field_by_field() {
    check_fact(|_| {}, "1990-04-12 B2");
    check_fact(|d| d.value = " 1990-04 ".to_owned(), "1990-04 B2");
    check_fact(
        |d| {
            d.basis.item = Some(ItemId(Uuid::from_u128(7)));
            d.basis.reference = None;
            d.basis.grade_scheme = None;
            d.basis.grade = None;
        },
        "1990-04-12 item",
    );
    check_fact(
        |d| d.basis.item = Some(ItemId(Uuid::from_u128(7))),
        "!reference: Indiquez soit un élément de renseignement, soit la référence",
    );
    check_fact(
        |d| {
            d.basis.item = Some(ItemId(Uuid::from_u128(7)));
            d.basis.reference = None;
        },
        "!grade: Une information tirée d'un élément de renseignement prend la cotation",
    );
    check_fact(
        |d| d.basis.reference = None,
        "!reference: Indiquez d'où vient cette information",
    );
    check_fact(
        |d| d.basis.reference = Some("PV".to_owned()),
        "!reference: La référence compte de 3 à 200",
    );
    check_fact(|d| d.basis.grade = None, "!grade: Indiquez la cotation");
    check_fact(|d| d.basis.grade = Some("Z9".to_owned()), "!grade: ");
    check_fact(
        |d| d.basis.grade_scheme = Some("uk_5x5x5".to_owned()),
        "!grade_scheme: Le barème 5x5x5 n'est plus en usage",
    );
    check_fact(
        |d| d.property = "iban".to_owned(),
        "!property: Information « iban » inconnue",
    );
    check_fact(
        |d| d.value = "1990-13-40".to_owned(),
        "!value: Date invalide « 1990-13-40 »",
    );
    check_fact(
        |d| d.value = "   ".to_owned(),
        "!value: Saisissez la valeur",
    );
    check_fact(
        |d| d.observed_on = Some("2027-01-01".to_owned()),
        "!observed_on: Date d'observation dans le futur",
    );
    check_fact(
        |d| d.observed_on = Some("12/03/2026".to_owned()),
        "!observed_on: Date « 12/03/2026 » invalide",
    );
}

#[test]
fn identifier_facts_come_back_in_normal_form() {
    use vigie_core::entity::Schema;
    let mut draft = fact_draft();
    draft.property = "registrationNumber".to_owned();
    draft.value = "ab123cd".to_owned();
    let fact =
        vigie_intel::fact::validate_fact(Schema::Vehicle, &draft, date!(2026 - 11 - 23)).unwrap();
    assert_eq!(fact.value, "AB-123-CD");
    draft.value = "ZZZ".to_owned();
    let errors = vigie_intel::fact::validate_fact(Schema::Vehicle, &draft, date!(2026 - 11 - 23))
        .unwrap_err();
    assert_eq!(errors[0].field, "value");
}

#[test]
fn contradictions_are_found_only_where_one_value_is_expected() {
    use vigie_core::entity::Schema;
    use vigie_intel::fact::divergent;
    let check = |schema, property, values: &[&str], expected: bool| {
        assert_eq!(
            divergent(schema, property, values),
            expected,
            "{schema:?} {property} {values:?}"
        );
    };
    check(
        Schema::Person,
        "birthDate",
        &["1990-04-12", "1990-12-04"],
        true,
    );
    check(
        Schema::Person,
        "birthDate",
        &["1990-04-12", "1990-04"],
        false,
    );
    check(
        Schema::Person,
        "birthDate",
        &["1990", "1990-04-12", "1991"],
        true,
    );
    check(Schema::Person, "birthDate", &["1990-04-12"], false);
    check(
        Schema::Person,
        "birthPlace",
        &["Marseille", "MARSEILLE"],
        false,
    );
    check(
        Schema::Person,
        "birthPlace",
        &["Marseille", "Aubagne"],
        true,
    );
    check(Schema::Person, "alias", &["Le Grand", "Tonton"], false);
    check(Schema::Vehicle, "color", &["noire", "blanche"], true);
    check(
        Schema::Person,
        "name",
        &["Jean DUPONT", "Jean DUPOND"],
        false,
    );
}
