//! The access policy: one table that decides every read and write.
//!
//! A decision depends on the actor's role, the action, and the relation between the actor's unit and
//! the object (the object's owner unit and the département it lies in), then on the object's legal
//! regime. The rules are data (`RULES` and `REGIME_RULES`), rendered to `docs/policy.md` by a test so
//! that the documentation cannot drift from the code. Anything not in the table is denied.
//!
//! This module only decides. It does not fetch objects, write the journal, or choose between 403 and
//! 404: the engine does that (404 wherever a 403 would reveal that a hidden record exists).

use crate::entity::LegalRegime;
use crate::org::{Role, Territory, UnitId, UnitKind};
use serde::{Deserialize, Serialize};

/// Everything an actor can ask the engine to do. Each HTTP route and CLI command maps to one action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Open an entity's page or record (personal data: needs a motif).
    ConsultEntity,
    /// Search entities (personal data: needs a motif); results are filtered one by one.
    SearchEntities,
    /// Record a new entity for one's own unit.
    CreateEntity,
    /// Change an entity.
    UpdateEntity,
    /// Record a link between two entities one can see.
    CreateLink,
    /// Add a fact to an entity one can see: one value of one property, with where it comes from (an
    /// item of intelligence or a record's reference) and its grade. Facts never overwrite.
    RecordFact,
    /// Decide that two entities one can see are the same (a merge), or undo such a decision; both
    /// records stay as they are, the merge is an overlay that can be taken back.
    MergeEntities,
    /// Read the consultation journal.
    ReadJournal,
    /// Create or change units.
    ManageUnits,
    /// Create, disable, move accounts.
    ManageAccounts,
    /// See one's own account, unit and home page.
    ReadOwnProfile,
    /// Use French geography: locate a point, look a commune up, draw the map's outlines. Public
    /// reference data (no personal data), so not journaled.
    ReadGeography,
    /// Register a target in the national target file for one's own unit, add identifiers to it,
    /// renew it or end it; each registration is deconflicted against other units' targets.
    RegisterTarget,
    /// Read one's own unit's targets and the deconfliction notices about them.
    ReadTargets,
    /// Check identifiers against other units' targets without registering (before a tap, a
    /// search warrant...). Journaled; repeated probing alerts the inspection.
    CheckDeconfliction,
    /// Declare one's own unit's planned operations (time window, place, radius), read its calendar
    /// and the overlaps with other units' operations, cancel them.
    PlanOperation,
    /// Refer a conflict between one's own target and another unit's to the competent magistrate
    /// (OFAST for files that are not judicial); read one's own unit's referrals.
    ReferArbitration,
    /// Read the referrals addressed to one's unit (a parquet, a JIRS, OFAST) with both summaries,
    /// and decide who leads.
    DecideArbitration,
    /// Nominate one of one's own unit's targets for the priority-target list (plan measure 17) and
    /// record what came of it.
    NominatePriority,
    /// Read the priority-target list, its history and indicators; list, refuse, review, de-list.
    DecidePriority,
    /// Record an item of intelligence (graded, with handling codes) for one's own unit.
    RecordIntel,
    /// Read an item of intelligence (personal data: needs a motif); its handling codes may still
    /// keep it from another unit.
    ConsultIntel,
    /// Decide on one's own unit's items: derive a sanitised copy, permit a judicial use or an
    /// onward share that a handling code forbids.
    ManageIntel,
    /// Submit a report as an identified partner (municipal police, social landlord, transport
    /// operator, mayor), follow one's own unit's reports and read the digest of one's communes.
    /// Residents report anonymously, with no account, through a path of its own in the engine.
    SubmitReport,
    /// Work the triage queue of reports routed to one's CROSS (or, for OFAST, every queue and the
    /// national one): read a report (personal data: needs a motif), change its status with a
    /// motivation, write internal notes and messages to the reporter.
    TriageReports,
    /// Read dealing points and the map of them: one's territory, or the whole country for OFAST.
    /// Partners never see it.
    ReadDealingPoints,
    /// Create dealing points, move them through their lifecycle, record operations against them,
    /// attach reports to them.
    ManageDealingPoints,
}

impl Action {
    pub const ALL: [Action; 27] = [
        Action::ConsultEntity,
        Action::SearchEntities,
        Action::CreateEntity,
        Action::UpdateEntity,
        Action::CreateLink,
        Action::RecordFact,
        Action::MergeEntities,
        Action::ReadJournal,
        Action::ManageUnits,
        Action::ManageAccounts,
        Action::ReadOwnProfile,
        Action::ReadGeography,
        Action::RegisterTarget,
        Action::ReadTargets,
        Action::CheckDeconfliction,
        Action::PlanOperation,
        Action::ReferArbitration,
        Action::DecideArbitration,
        Action::NominatePriority,
        Action::DecidePriority,
        Action::RecordIntel,
        Action::ConsultIntel,
        Action::ManageIntel,
        Action::SubmitReport,
        Action::TriageReports,
        Action::ReadDealingPoints,
        Action::ManageDealingPoints,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::ConsultEntity => "consult_entity",
            Action::SearchEntities => "search_entities",
            Action::CreateEntity => "create_entity",
            Action::UpdateEntity => "update_entity",
            Action::CreateLink => "create_link",
            Action::RecordFact => "record_fact",
            Action::MergeEntities => "merge_entities",
            Action::ReadJournal => "read_journal",
            Action::ManageUnits => "manage_units",
            Action::ManageAccounts => "manage_accounts",
            Action::ReadOwnProfile => "read_own_profile",
            Action::ReadGeography => "read_geography",
            Action::RegisterTarget => "register_target",
            Action::ReadTargets => "read_targets",
            Action::CheckDeconfliction => "check_deconfliction",
            Action::PlanOperation => "plan_operation",
            Action::ReferArbitration => "refer_arbitration",
            Action::DecideArbitration => "decide_arbitration",
            Action::NominatePriority => "nominate_priority",
            Action::DecidePriority => "decide_priority",
            Action::RecordIntel => "record_intel",
            Action::ConsultIntel => "consult_intel",
            Action::ManageIntel => "manage_intel",
            Action::SubmitReport => "submit_report",
            Action::TriageReports => "triage_reports",
            Action::ReadDealingPoints => "read_dealing_points",
            Action::ManageDealingPoints => "manage_dealing_points",
        }
    }

    /// Whether the action bears on one object owned by a unit (then the relation matters).
    pub fn has_object(self) -> bool {
        matches!(
            self,
            Action::ConsultEntity
                | Action::SearchEntities
                | Action::UpdateEntity
                | Action::CreateLink
                | Action::RecordFact
                | Action::MergeEntities
                | Action::ConsultIntel
                | Action::ManageIntel
                | Action::TriageReports
                | Action::ReadDealingPoints
                | Action::ManageDealingPoints
        )
    }
}

/// How the object relates to the actor's unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The actor's unit owns the object.
    OwnUnit,
    /// Another unit owns it, but it lies in the actor's unit's territory (or that unit is national).
    Territory,
    /// Neither.
    Elsewhere,
    /// The action has no object (administration, journal, own profile).
    None,
}

/// What one cell of the table says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rule {
    Deny,
    Allow,
    /// Allowed once the actor has stated a motif; the motif goes into the journal.
    AllowWithMotif,
}

use Rule::{Allow as A, AllowWithMotif as M, Deny as D};

/// One row: for `action` and `role`, the rule for an object of the own unit, of the territory,
/// elsewhere; actions with no object use only the first column.
pub struct PolicyRow {
    pub action: Action,
    pub role: Role,
    pub own_unit: Rule,
    pub territory: Rule,
    pub elsewhere: Rule,
}

const fn row(
    action: Action,
    role: Role,
    own_unit: Rule,
    territory: Rule,
    elsewhere: Rule,
) -> PolicyRow {
    PolicyRow {
        action,
        role,
        own_unit,
        territory,
        elsewhere,
    }
}

/// The access table. Missing (action, role) pairs are denied. Keep it sorted by action, then role.
#[rustfmt::skip]
pub const RULES: &[PolicyRow] = &[
    //   action                  role                  own unit  territory  elsewhere
    row(Action::ConsultEntity,   Role::Agent,          M,        M,         D),
    row(Action::ConsultEntity,   Role::HeadOfUnit,     M,        M,         D),
    row(Action::ConsultEntity,   Role::CrossAnalyst,   M,        M,         D),
    row(Action::ConsultEntity,   Role::OfastAnalyst,   M,        M,         M),
    row(Action::ConsultEntity,   Role::Magistrate,     M,        M,         D),
    row(Action::SearchEntities,  Role::Agent,          M,        M,         D),
    row(Action::SearchEntities,  Role::HeadOfUnit,     M,        M,         D),
    row(Action::SearchEntities,  Role::CrossAnalyst,   M,        M,         D),
    row(Action::SearchEntities,  Role::OfastAnalyst,   M,        M,         M),
    row(Action::SearchEntities,  Role::Magistrate,     M,        M,         D),
    row(Action::CreateEntity,    Role::Agent,          A,        D,         D),
    row(Action::CreateEntity,    Role::HeadOfUnit,     A,        D,         D),
    row(Action::CreateEntity,    Role::CrossAnalyst,   A,        D,         D),
    row(Action::CreateEntity,    Role::OfastAnalyst,   A,        D,         D),
    row(Action::UpdateEntity,    Role::Agent,          A,        D,         D),
    row(Action::UpdateEntity,    Role::HeadOfUnit,     A,        D,         D),
    row(Action::UpdateEntity,    Role::CrossAnalyst,   A,        D,         D),
    row(Action::UpdateEntity,    Role::OfastAnalyst,   A,        D,         D),
    row(Action::CreateLink,      Role::Agent,          A,        A,         D),
    row(Action::CreateLink,      Role::HeadOfUnit,     A,        A,         D),
    row(Action::CreateLink,      Role::CrossAnalyst,   A,        A,         D),
    row(Action::CreateLink,      Role::OfastAnalyst,   A,        A,         A),
    row(Action::RecordFact,      Role::Agent,          A,        A,         D),
    row(Action::RecordFact,      Role::HeadOfUnit,     A,        A,         D),
    row(Action::RecordFact,      Role::CrossAnalyst,   A,        A,         D),
    row(Action::RecordFact,      Role::OfastAnalyst,   A,        A,         A),
    // Deciding that two records are one person is an analyst's call (the CROSS of the territory,
    // OFAST anywhere), not an agent's.
    row(Action::MergeEntities,   Role::CrossAnalyst,   A,        A,         D),
    row(Action::MergeEntities,   Role::OfastAnalyst,   A,        A,         A),
    row(Action::ReadJournal,     Role::Auditor,        A,        D,         D),
    row(Action::ReadJournal,     Role::Inspection,     A,        D,         D),
    row(Action::ManageUnits,     Role::Administrator,  A,        D,         D),
    row(Action::ManageAccounts,  Role::Administrator,  A,        D,         D),
    row(Action::ReadOwnProfile,  Role::Agent,          A,        D,         D),
    row(Action::ReadOwnProfile,  Role::HeadOfUnit,     A,        D,         D),
    row(Action::ReadOwnProfile,  Role::CrossAnalyst,   A,        D,         D),
    row(Action::ReadOwnProfile,  Role::OfastAnalyst,   A,        D,         D),
    row(Action::ReadOwnProfile,  Role::Magistrate,     A,        D,         D),
    row(Action::ReadOwnProfile,  Role::Auditor,        A,        D,         D),
    row(Action::ReadOwnProfile,  Role::Inspection,     A,        D,         D),
    row(Action::ReadOwnProfile,  Role::Administrator,  A,        D,         D),
    row(Action::ReadOwnProfile,  Role::Partner,        A,        D,         D),
    row(Action::ReadGeography,   Role::Agent,          A,        D,         D),
    row(Action::ReadGeography,   Role::HeadOfUnit,     A,        D,         D),
    row(Action::ReadGeography,   Role::CrossAnalyst,   A,        D,         D),
    row(Action::ReadGeography,   Role::OfastAnalyst,   A,        D,         D),
    row(Action::ReadGeography,   Role::Magistrate,     A,        D,         D),
    row(Action::ReadGeography,   Role::Auditor,        A,        D,         D),
    row(Action::ReadGeography,   Role::Inspection,     A,        D,         D),
    row(Action::ReadGeography,   Role::Administrator,  A,        D,         D),
    row(Action::ReadGeography,   Role::Partner,        A,        D,         D),
    row(Action::RegisterTarget,  Role::Agent,          A,        D,         D),
    row(Action::RegisterTarget,  Role::HeadOfUnit,     A,        D,         D),
    row(Action::RegisterTarget,  Role::OfastAnalyst,   A,        D,         D),
    row(Action::ReadTargets,     Role::Agent,          A,        D,         D),
    row(Action::ReadTargets,     Role::HeadOfUnit,     A,        D,         D),
    row(Action::ReadTargets,     Role::OfastAnalyst,   A,        D,         D),
    row(Action::CheckDeconfliction, Role::Agent,       A,        D,         D),
    row(Action::CheckDeconfliction, Role::HeadOfUnit,  A,        D,         D),
    row(Action::CheckDeconfliction, Role::OfastAnalyst, A,       D,         D),
    row(Action::PlanOperation,   Role::Agent,          A,        D,         D),
    row(Action::PlanOperation,   Role::HeadOfUnit,     A,        D,         D),
    row(Action::PlanOperation,   Role::OfastAnalyst,   A,        D,         D),
    row(Action::ReferArbitration, Role::Agent,         A,        D,         D),
    row(Action::ReferArbitration, Role::HeadOfUnit,    A,        D,         D),
    row(Action::ReferArbitration, Role::OfastAnalyst,  A,        D,         D),
    row(Action::DecideArbitration, Role::OfastAnalyst, A,        D,         D),
    row(Action::DecideArbitration, Role::HeadOfUnit,   A,        D,         D),
    row(Action::DecideArbitration, Role::Magistrate,   A,        D,         D),
    row(Action::NominatePriority, Role::Agent,         A,        D,         D),
    row(Action::NominatePriority, Role::HeadOfUnit,    A,        D,         D),
    row(Action::NominatePriority, Role::OfastAnalyst,  A,        D,         D),
    row(Action::DecidePriority,  Role::OfastAnalyst,   A,        D,         D),
    row(Action::DecidePriority,  Role::HeadOfUnit,     A,        D,         D),
    row(Action::RecordIntel,     Role::Agent,          A,        D,         D),
    row(Action::RecordIntel,     Role::HeadOfUnit,     A,        D,         D),
    row(Action::RecordIntel,     Role::CrossAnalyst,   A,        D,         D),
    row(Action::RecordIntel,     Role::OfastAnalyst,   A,        D,         D),
    row(Action::ConsultIntel,    Role::Agent,          M,        M,         D),
    row(Action::ConsultIntel,    Role::HeadOfUnit,     M,        M,         D),
    row(Action::ConsultIntel,    Role::CrossAnalyst,   M,        M,         D),
    row(Action::ConsultIntel,    Role::OfastAnalyst,   M,        M,         M),
    row(Action::ConsultIntel,    Role::Magistrate,     M,        M,         D),
    row(Action::ManageIntel,     Role::Agent,          A,        D,         D),
    row(Action::ManageIntel,     Role::HeadOfUnit,     A,        D,         D),
    row(Action::ManageIntel,     Role::CrossAnalyst,   A,        D,         D),
    row(Action::ManageIntel,     Role::OfastAnalyst,   A,        D,         D),
    row(Action::SubmitReport,    Role::Partner,        A,        D,         D),
    row(Action::TriageReports,   Role::CrossAnalyst,   M,        M,         D),
    row(Action::TriageReports,   Role::OfastAnalyst,   M,        M,         M),
    row(Action::ReadDealingPoints, Role::Agent,        A,        A,         D),
    row(Action::ReadDealingPoints, Role::HeadOfUnit,   A,        A,         D),
    row(Action::ReadDealingPoints, Role::CrossAnalyst, A,        A,         D),
    row(Action::ReadDealingPoints, Role::OfastAnalyst, A,        A,         A),
    row(Action::ManageDealingPoints, Role::CrossAnalyst, A,      A,         D),
    row(Action::ManageDealingPoints, Role::OfastAnalyst, A,      A,         A),
];

/// Actions reserved to some kinds of unit, whatever the role: the target file, the operation
/// calendar and nominations belong to the investigating services (police, gendarmerie, customs,
/// OFAST and its antennas); arbitration to the magistrates and OFAST; the priority list to OFAST.
#[rustfmt::skip]
pub const UNIT_KIND_RULES: &[(Action, &[UnitKind])] = &[
    (Action::RegisterTarget,     &[UnitKind::Police, UnitKind::Gendarmerie, UnitKind::Customs, UnitKind::Ofast, UnitKind::OfastAntenna]),
    (Action::ReadTargets,        &[UnitKind::Police, UnitKind::Gendarmerie, UnitKind::Customs, UnitKind::Ofast, UnitKind::OfastAntenna]),
    (Action::CheckDeconfliction, &[UnitKind::Police, UnitKind::Gendarmerie, UnitKind::Customs, UnitKind::Ofast, UnitKind::OfastAntenna]),
    (Action::PlanOperation,      &[UnitKind::Police, UnitKind::Gendarmerie, UnitKind::Customs, UnitKind::Ofast, UnitKind::OfastAntenna]),
    (Action::ReferArbitration,   &[UnitKind::Police, UnitKind::Gendarmerie, UnitKind::Customs, UnitKind::Ofast, UnitKind::OfastAntenna]),
    // Magistrates of parquets and JIRS arbitrate judicial files, OFAST the others.
    (Action::DecideArbitration,  &[UnitKind::Parquet, UnitKind::Jirs, UnitKind::Ofast]),
    (Action::NominatePriority,   &[UnitKind::Police, UnitKind::Gendarmerie, UnitKind::Customs, UnitKind::Ofast, UnitKind::OfastAntenna]),
    // The priority list is OFAST's committee's, at the national office (not its antennas).
    (Action::DecidePriority,     &[UnitKind::Ofast]),
    // Reports reach the CROSS of their département and OFAST, no one else.
    (Action::TriageReports,      &[UnitKind::Cross, UnitKind::Ofast, UnitKind::OfastAntenna]),
    (Action::ManageDealingPoints, &[UnitKind::Cross, UnitKind::Ofast, UnitKind::OfastAntenna]),
];

/// Whether `unit_kind` may do `action` at all (actions absent from [`UNIT_KIND_RULES`]: every kind).
pub fn unit_kind_allows(action: Action, unit_kind: UnitKind) -> bool {
    UNIT_KIND_RULES
        .iter()
        .find(|(rule_action, _)| *rule_action == action)
        .is_none_or(|(_, kinds)| kinds.contains(&unit_kind))
}

/// Which kinds of unit may see records of another unit collected under each regime. A unit always
/// sees its own records (if its role allows the action at all).
#[rustfmt::skip]
pub const REGIME_RULES: &[(LegalRegime, &[UnitKind])] = &[
    (LegalRegime::Judicial,        &[UnitKind::Police, UnitKind::Gendarmerie, UnitKind::Customs, UnitKind::Cross, UnitKind::Ofast, UnitKind::OfastAntenna, UnitKind::Parquet, UnitKind::Jirs]),
    (LegalRegime::Administrative,  &[UnitKind::Police, UnitKind::Gendarmerie, UnitKind::Cross, UnitKind::Ofast, UnitKind::OfastAntenna]),
    // Customs information is covered by the customs professional secret (code des douanes art. 59 bis):
    // shared with the intelligence cells and magistrates, not directly with other services.
    (LegalRegime::Customs,         &[UnitKind::Customs, UnitKind::Cross, UnitKind::Ofast, UnitKind::OfastAntenna, UnitKind::Parquet, UnitKind::Jirs]),
    (LegalRegime::MunicipalPolice, &[UnitKind::Police, UnitKind::Gendarmerie, UnitKind::Cross, UnitKind::Ofast, UnitKind::OfastAntenna]),
    (LegalRegime::Partner,         &[UnitKind::Cross, UnitKind::Ofast, UnitKind::OfastAntenna]),
];

/// The actor as the policy sees it.
#[derive(Clone, Debug)]
pub struct Subject<'a> {
    pub role: Role,
    pub unit: UnitId,
    pub unit_kind: UnitKind,
    pub territory: &'a Territory,
}

/// The object as the policy sees it.
#[derive(Clone, Copy, Debug)]
pub struct ObjectMarks<'a> {
    pub owner_unit: UnitId,
    pub departement: Option<&'a str>,
    pub regime: LegalRegime,
}

/// The outcome of a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Allowed, provided a motif was given (the engine refuses without one).
    AllowWithMotif,
    Deny(DenyReason),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DenyReason {
    /// The role may never do this.
    Role,
    /// The role may, but not on an object so placed.
    Relation,
    /// The object's legal regime is closed to the actor's kind of unit.
    Regime,
    /// The action is reserved to other kinds of unit.
    UnitKind,
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        !matches!(self, Decision::Deny(_))
    }
}

pub fn relation(subject: &Subject<'_>, object: Option<ObjectMarks<'_>>) -> Relation {
    match object {
        None => Relation::None,
        Some(object) if object.owner_unit == subject.unit => Relation::OwnUnit,
        Some(object) if subject.territory.covers(object.departement) => Relation::Territory,
        Some(_) => Relation::Elsewhere,
    }
}

/// Looks up the table: the single cell for this role, action and relation.
pub fn rule(role: Role, action: Action, relation: Relation) -> Rule {
    let Some(row) = RULES
        .iter()
        .find(|row| row.action == action && row.role == role)
    else {
        return Rule::Deny;
    };
    match relation {
        Relation::OwnUnit | Relation::None => row.own_unit,
        Relation::Territory => row.territory,
        Relation::Elsewhere => row.elsewhere,
    }
}

/// Whether `unit_kind` may see another unit's record under `regime`.
pub fn regime_open_to(regime: LegalRegime, unit_kind: UnitKind) -> bool {
    REGIME_RULES
        .iter()
        .find(|(rule_regime, _)| *rule_regime == regime)
        .is_some_and(|(_, kinds)| kinds.contains(&unit_kind))
}

/// Decides whether `subject` may do `action` on `object` (None for actions without an object).
pub fn decide(subject: &Subject<'_>, action: Action, object: Option<ObjectMarks<'_>>) -> Decision {
    if !unit_kind_allows(action, subject.unit_kind) {
        return Decision::Deny(DenyReason::UnitKind);
    }
    let relation = relation(subject, object);
    let cell = rule(subject.role, action, relation);
    if cell == Rule::Deny {
        let role_never = rule(subject.role, action, Relation::OwnUnit) == Rule::Deny
            && rule(subject.role, action, Relation::Territory) == Rule::Deny
            && rule(subject.role, action, Relation::Elsewhere) == Rule::Deny;
        return Decision::Deny(if role_never {
            DenyReason::Role
        } else {
            DenyReason::Relation
        });
    }
    if let Some(object) = object {
        if relation != Relation::OwnUnit && !regime_open_to(object.regime, subject.unit_kind) {
            return Decision::Deny(DenyReason::Regime);
        }
    }
    match cell {
        Rule::AllowWithMotif => Decision::AllowWithMotif,
        _ => Decision::Allow,
    }
}

/// The widest relation at which `role` may do `action`: what a search must be restricted to before
/// anything is counted.
pub fn search_reach(role: Role, action: Action) -> Option<Relation> {
    if rule(role, action, Relation::Elsewhere) != Rule::Deny {
        Some(Relation::Elsewhere)
    } else if rule(role, action, Relation::Territory) != Rule::Deny {
        Some(Relation::Territory)
    } else if rule(role, action, Relation::OwnUnit) != Rule::Deny {
        Some(Relation::OwnUnit)
    } else {
        None
    }
}

/// Where, among other units' objects, a search may reach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Places {
    /// Every département, and objects placed in none.
    Any,
    /// Only objects placed in one of these départements.
    Within(Vec<String>),
    /// Only objects placed outside these départements (or in none).
    Outside(Vec<String>),
}

impl Places {
    pub fn admits(&self, departement: Option<&str>) -> bool {
        let listed =
            |codes: &[String]| departement.is_some_and(|code| codes.iter().any(|c| c == code));
        match self {
            Places::Any => true,
            Places::Within(codes) => listed(codes),
            Places::Outside(codes) => !listed(codes),
        }
    }
}

/// Other units' objects a search may return: placed as `places` says, under one of `regimes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OthersScope {
    pub places: Places,
    pub regimes: Vec<LegalRegime>,
}

/// The policy table turned into a filter, for an index to apply *before* it counts anything: an
/// object is admitted exactly when [`decide`] allows `action` on it (a test holds the two equal over
/// every role, kind of unit, territory and object). Search engines apply it as a query clause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchScope {
    pub own_unit: UnitId,
    /// Whether the actor's own unit's objects are admitted.
    pub own: bool,
    /// Other units' objects admitted, if any.
    pub others: Option<OthersScope>,
}

impl SearchScope {
    pub fn admits(&self, object: ObjectMarks<'_>) -> bool {
        if object.owner_unit == self.own_unit {
            return self.own;
        }
        self.others.as_ref().is_some_and(|others| {
            others.places.admits(object.departement) && others.regimes.contains(&object.regime)
        })
    }
}

/// The scope of `action` for `subject`; `None` when the subject may not do it on anything.
pub fn search_scope(subject: &Subject<'_>, action: Action) -> Option<SearchScope> {
    if !unit_kind_allows(action, subject.unit_kind) {
        return None;
    }
    let allows = |relation| rule(subject.role, action, relation) != Rule::Deny;
    let own = allows(Relation::OwnUnit);
    let national = subject.territory.is_national();
    let codes = || subject.territory.codes().to_vec();
    let places = match (allows(Relation::Territory), allows(Relation::Elsewhere)) {
        (true, true) => Some(Places::Any),
        (true, false) if national => Some(Places::Any),
        (true, false) => Some(Places::Within(codes())),
        // A national territory covers everything, so nothing is ever "elsewhere" to it.
        (false, true) if national => None,
        (false, true) => Some(Places::Outside(codes())),
        (false, false) => None,
    };
    let regimes: Vec<LegalRegime> = LegalRegime::ALL
        .into_iter()
        .filter(|regime| regime_open_to(*regime, subject.unit_kind))
        .collect();
    let others = places
        .filter(|_| !regimes.is_empty())
        .map(|places| OthersScope { places, regimes });
    (own || others.is_some()).then_some(SearchScope {
        own_unit: subject.unit,
        own,
        others,
    })
}

/// Renders the tables as Markdown (docs/policy.md is this text; a test keeps them equal).
pub fn render_markdown() -> String {
    let cell = |rule: Rule| match rule {
        Rule::Deny => "refusé",
        Rule::Allow => "autorisé",
        Rule::AllowWithMotif => "autorisé avec motif",
    };
    let mut out = String::from(
        "# Access policy\n\n\
         Generated from `crates/vigie-core/src/policy.rs` by `cargo test -p vigie-core` \
         (set `VIGIE_BLESS=1` to rewrite). Do not edit by hand.\n\n\
         Every (action, role) pair not listed is denied. \"Own unit\" means the actor's unit owns the \
         object; \"territory\" that another unit owns it but it lies in the actor's unit's départements \
         (a national unit covers all); \"elsewhere\" neither. Actions without an object use the first column.\n\n\
         | action | role | own unit | territory | elsewhere |\n|---|---|---|---|---|\n",
    );
    for row in RULES {
        let object = row.action.has_object();
        out.push_str(&format!(
            "| `{}` | `{}` | {} | {} | {} |\n",
            row.action.as_str(),
            row.role.as_str(),
            cell(row.own_unit),
            if object { cell(row.territory) } else { "—" },
            if object { cell(row.elsewhere) } else { "—" },
        ));
    }
    out.push_str(
        "\n## Legal regimes\n\nA record owned by another unit is visible only to these kinds of unit, \
         whatever the table above says:\n\n| regime | open to |\n|---|---|\n",
    );
    for (regime, kinds) in REGIME_RULES {
        let kinds: Vec<&str> = kinds.iter().map(|kind| kind.as_str()).collect();
        out.push_str(&format!(
            "| `{}` | {} |\n",
            regime.as_str(),
            kinds.join(", ")
        ));
    }
    out.push_str(
        "\n## Kinds of unit\n\nThese actions are reserved to these kinds of unit, whatever the role:\n\n\
         | action | kinds of unit |\n|---|---|\n",
    );
    for (action, kinds) in UNIT_KIND_RULES {
        let kinds: Vec<&str> = kinds.iter().map(|kind| kind.as_str()).collect();
        out.push_str(&format!(
            "| `{}` | {} |\n",
            action.as_str(),
            kinds.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests;
