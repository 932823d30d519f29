use super::*;
use crate::entity::LegalRegime::{self, *};
use crate::org::{Role, Territory, UnitId, UnitKind};
use uuid::Uuid;

const OWN: UnitId = UnitId(Uuid::from_u128(1));
const OTHER: UnitId = UnitId(Uuid::from_u128(2));

/// One scenario: an actor of `role` in a unit of `kind` covering `territory` does `action` on an
/// object owned by `owner` in département `dept` under `regime`.
#[track_caller]
fn check(
    role: Role,
    kind: UnitKind,
    territory: &[&str],
    action: Action,
    object: Option<(UnitId, Option<&str>, LegalRegime)>,
    expected: Decision,
) {
    let territory = Territory::departements(territory.iter().copied());
    let subject = Subject {
        role,
        unit: OWN,
        unit_kind: kind,
        territory: &territory,
    };
    let marks = object.map(|(owner_unit, departement, regime)| ObjectMarks {
        owner_unit,
        departement,
        regime,
    });
    assert_eq!(decide(&subject, action, marks), expected);
}

#[test]
fn agents_see_their_unit_and_territory_with_a_motif() {
    let agent = (Role::Agent, UnitKind::Police, &["13"][..]);
    check(
        agent.0,
        agent.1,
        agent.2,
        Action::ConsultEntity,
        Some((OWN, Some("75"), Judicial)),
        Decision::AllowWithMotif,
    );
    check(
        agent.0,
        agent.1,
        agent.2,
        Action::ConsultEntity,
        Some((OTHER, Some("13"), Judicial)),
        Decision::AllowWithMotif,
    );
    check(
        agent.0,
        agent.1,
        agent.2,
        Action::ConsultEntity,
        Some((OTHER, Some("75"), Judicial)),
        Decision::Deny(DenyReason::Relation),
    );
    check(
        agent.0,
        agent.1,
        agent.2,
        Action::ConsultEntity,
        Some((OTHER, None, Judicial)),
        Decision::Deny(DenyReason::Relation),
    );
    check(
        agent.0,
        agent.1,
        agent.2,
        Action::UpdateEntity,
        Some((OTHER, Some("13"), Judicial)),
        Decision::Deny(DenyReason::Relation),
    );
    check(
        agent.0,
        agent.1,
        agent.2,
        Action::CreateEntity,
        None,
        Decision::Allow,
    );
}

#[test]
fn regimes_gate_other_units_records() {
    // A police agent does not read another unit's customs record, even in its territory.
    check(
        Role::Agent,
        UnitKind::Police,
        &["13"],
        Action::ConsultEntity,
        Some((OTHER, Some("13"), Customs)),
        Decision::Deny(DenyReason::Regime),
    );
    // ... but a customs agent does, and the CROSS does.
    check(
        Role::Agent,
        UnitKind::Customs,
        &["13"],
        Action::ConsultEntity,
        Some((OTHER, Some("13"), Customs)),
        Decision::AllowWithMotif,
    );
    check(
        Role::CrossAnalyst,
        UnitKind::Cross,
        &["13"],
        Action::ConsultEntity,
        Some((OTHER, Some("13"), Customs)),
        Decision::AllowWithMotif,
    );
    // Its own records are always open to the unit.
    check(
        Role::Agent,
        UnitKind::Police,
        &["13"],
        Action::ConsultEntity,
        Some((OWN, Some("13"), Customs)),
        Decision::AllowWithMotif,
    );
    // Magistrates see judicial records of their jurisdiction, not administrative intelligence.
    check(
        Role::Magistrate,
        UnitKind::Parquet,
        &["13"],
        Action::ConsultEntity,
        Some((OTHER, Some("13"), Judicial)),
        Decision::AllowWithMotif,
    );
    check(
        Role::Magistrate,
        UnitKind::Parquet,
        &["13"],
        Action::ConsultEntity,
        Some((OTHER, Some("13"), Administrative)),
        Decision::Deny(DenyReason::Regime),
    );
}

#[test]
fn ofast_is_national_and_others_read_no_intelligence() {
    check(
        Role::OfastAnalyst,
        UnitKind::Ofast,
        &[],
        Action::ConsultEntity,
        Some((OTHER, Some("971"), Judicial)),
        Decision::AllowWithMotif,
    );
    check(
        Role::OfastAnalyst,
        UnitKind::Ofast,
        &[],
        Action::ConsultEntity,
        Some((OTHER, None, Administrative)),
        Decision::AllowWithMotif,
    );
    for role in [
        Role::Auditor,
        Role::Inspection,
        Role::Administrator,
        Role::Partner,
    ] {
        check(
            role,
            UnitKind::Administration,
            &[],
            Action::ConsultEntity,
            Some((OWN, Some("13"), Judicial)),
            Decision::Deny(DenyReason::Role),
        );
        check(
            role,
            UnitKind::Administration,
            &[],
            Action::SearchEntities,
            Some((OWN, Some("13"), Judicial)),
            Decision::Deny(DenyReason::Role),
        );
    }
}

#[test]
fn only_auditors_read_the_journal_and_only_administrators_administer() {
    for role in Role::ALL {
        let journal = if matches!(role, Role::Auditor | Role::Inspection) {
            Decision::Allow
        } else {
            Decision::Deny(DenyReason::Role)
        };
        check(
            role,
            UnitKind::Inspection,
            &[],
            Action::ReadJournal,
            None,
            journal,
        );
        let admin = if role == Role::Administrator {
            Decision::Allow
        } else {
            Decision::Deny(DenyReason::Role)
        };
        check(
            role,
            UnitKind::Administration,
            &[],
            Action::ManageAccounts,
            None,
            admin,
        );
        check(
            role,
            UnitKind::Administration,
            &[],
            Action::ManageUnits,
            None,
            admin,
        );
        check(
            role,
            UnitKind::Administration,
            &[],
            Action::ReadOwnProfile,
            None,
            Decision::Allow,
        );
        // Geography is reference data: every role may use it (forms, maps, routing).
        check(
            role,
            UnitKind::Administration,
            &[],
            Action::ReadGeography,
            None,
            Decision::Allow,
        );
    }
}

#[test]
fn table_has_no_duplicate_rows_and_consultations_need_a_motif() {
    for (index, row) in RULES.iter().enumerate() {
        assert!(
            RULES[index + 1..]
                .iter()
                .all(|other| (other.action, other.role) != (row.action, row.role)),
            "duplicate row for {:?} / {:?}",
            row.action,
            row.role
        );
        if matches!(row.action, Action::ConsultEntity | Action::SearchEntities) {
            for cell in [row.own_unit, row.territory, row.elsewhere] {
                assert_ne!(
                    cell,
                    Rule::Allow,
                    "personal data read without motif for {:?}",
                    row.role
                );
            }
        }
    }
    for regime in LegalRegime::ALL {
        assert_eq!(
            REGIME_RULES.iter().filter(|(r, _)| *r == regime).count(),
            1,
            "{regime:?}"
        );
    }
}

#[test]
fn search_reach_follows_the_table() {
    assert_eq!(
        search_reach(Role::Agent, Action::SearchEntities),
        Some(Relation::Territory)
    );
    assert_eq!(
        search_reach(Role::OfastAnalyst, Action::SearchEntities),
        Some(Relation::Elsewhere)
    );
    assert_eq!(search_reach(Role::Auditor, Action::SearchEntities), None);
}

#[test]
fn docs_policy_md_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/policy.md");
    let rendered = render_markdown();
    if std::env::var_os("VIGIE_BLESS").is_some() {
        std::fs::write(&path, &rendered).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "docs/policy.md is out of date: run `VIGIE_BLESS=1 cargo test -p vigie-core policy`"
    );
}

/// A search scope admits exactly what `decide` allows, for every role, kind of unit, territory,
/// action with an object, and object (owner, place, regime): an index applying the scope can
/// neither show nor count anything the table denies, nor hide anything it allows.
#[test]
fn search_scope_admits_exactly_what_decide_allows() {
    let own = UnitId(uuid::Uuid::from_u128(1));
    let other = UnitId(uuid::Uuid::from_u128(2));
    let territories = [
        Territory::national(),
        Territory::departements(["13"]),
        Territory::departements(["13", "83"]),
    ];
    let mut checked = 0;
    for role in Role::ALL {
        for unit_kind in UnitKind::ALL {
            for territory in &territories {
                let subject = Subject {
                    role,
                    unit: own,
                    unit_kind,
                    territory,
                };
                for action in Action::ALL.into_iter().filter(|a| a.has_object()) {
                    let scope = search_scope(&subject, action);
                    for owner_unit in [own, other] {
                        for departement in [None, Some("13"), Some("83"), Some("75")] {
                            for regime in LegalRegime::ALL {
                                let object = ObjectMarks {
                                    owner_unit,
                                    departement,
                                    regime,
                                };
                                let allowed = decide(&subject, action, Some(object)).is_allowed();
                                let admitted = scope.as_ref().is_some_and(|s| s.admits(object));
                                assert_eq!(
                                    admitted, allowed,
                                    "{role:?} of {unit_kind:?} over {territory:?}, {action:?} on \
                                     {object:?}: scope {scope:?}"
                                );
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 10_000, "only {checked} cases");
}
