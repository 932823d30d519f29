//! The two decisions that follow a conflict or a nomination, as state machines:
//! - **arbitration**: one of two units in conflict refers the question of who leads to the competent
//!   magistrate (OFAST for files that are not judicial), who decides: one unit leads, co-referral,
//!   or a joint investigation team;
//! - **the priority-target list** (plan measure 17): a unit nominates one of its targets, an OFAST
//!   committee lists or refuses it with reasons, listed targets are reviewed every six months and
//!   de-listed on stated criteria, and outcomes (arrests, seizures, networks dismantled) are linked.
//!
//! Each function checks a transition and returns the new state or a French message; the engine
//! decides who may ask, stores, and journals.

use crate::model::TargetId;
use serde::{Deserialize, Serialize};
use vigie_core::org::UnitId;

vigie_core::uuid_id!(ArbitrationId, "arbitration");

/// Reasons and motivations are at least this long: a decision has to say why.
pub const MIN_MOTIVATION_CHARS: usize = 10;

/// Why a transition is refused: a value the user typed (the field it goes in), or the state the
/// record is in. The engine turns the first into a 422 naming the field, the second into a 409.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkflowError {
    Invalid {
        field: &'static str,
        message: String,
    },
    State(String),
}

impl WorkflowError {
    fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        WorkflowError::Invalid {
            field,
            message: message.into(),
        }
    }

    fn state(message: &str) -> Self {
        WorkflowError::State(message.to_owned())
    }
}

/// A motivation typed in `field`, trimmed, of a sensible length.
fn motivation(field: &'static str, text: &str) -> Result<String, WorkflowError> {
    let text = text.trim();
    if text.chars().count() < MIN_MOTIVATION_CHARS {
        return Err(WorkflowError::invalid(
            field,
            format!(
                "Motivation : {MIN_MOTIVATION_CHARS} caractères au moins, pour que la décision soit compréhensible"
            ),
        ));
    }
    if text.chars().count() > 2_000 {
        return Err(WorkflowError::invalid(
            field,
            "Motivation : 2 000 caractères au plus",
        ));
    }
    Ok(text.to_owned())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "unit")]
pub enum ArbitrationOutcome {
    /// One unit leads; the other hands over or assists.
    LeadUnit(UnitId),
    /// Both units stay seized together (co-saisine).
    CoReferral,
    /// A joint investigation team.
    JointTeam,
}

impl ArbitrationOutcome {
    pub fn label_fr(self, unit_name: impl Fn(UnitId) -> String) -> String {
        match self {
            ArbitrationOutcome::LeadUnit(unit) => {
                format!("Direction confiée à {}", unit_name(unit))
            }
            ArbitrationOutcome::CoReferral => "Co-saisine des deux services".to_owned(),
            ArbitrationOutcome::JointTeam => "Équipe commune d'enquête".to_owned(),
        }
    }
}

/// A referral and, once decided, its decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arbitration {
    pub id: ArbitrationId,
    /// The two targets in conflict, the earlier registered first.
    pub first_target: TargetId,
    pub second_target: TargetId,
    pub first_unit: UnitId,
    pub second_unit: UnitId,
    /// The magistrate's unit (parquet, JIRS), or OFAST for files that are not judicial.
    pub arbiter: UnitId,
    pub referred_by: UnitId,
    pub referred_at_micros: i64,
    pub reason: String,
    pub decision: Option<ArbitrationDecision>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArbitrationDecision {
    pub outcome: ArbitrationOutcome,
    pub motivation: String,
    pub at_micros: i64,
    /// Journal reference of the deciding account.
    pub by: String,
}

impl Arbitration {
    /// Opens a referral; `referred_by` must be one of the two units.
    #[allow(clippy::too_many_arguments)]
    pub fn refer(
        id: ArbitrationId,
        first: (TargetId, UnitId),
        second: (TargetId, UnitId),
        arbiter: UnitId,
        referred_by: UnitId,
        at_micros: i64,
        reason: &str,
    ) -> Result<Arbitration, WorkflowError> {
        if referred_by != first.1 && referred_by != second.1 {
            return Err(WorkflowError::state(
                "Seule l'une des deux unités en conflit peut saisir l'arbitre",
            ));
        }
        Ok(Arbitration {
            id,
            first_target: first.0,
            second_target: second.0,
            first_unit: first.1,
            second_unit: second.1,
            arbiter,
            referred_by,
            referred_at_micros: at_micros,
            reason: motivation("reason", reason)?,
            decision: None,
        })
    }

    /// Records the decision; once only, and a lead unit must be one of the two.
    pub fn decide(
        &mut self,
        outcome: ArbitrationOutcome,
        reasons: &str,
        at_micros: i64,
        by: String,
    ) -> Result<(), WorkflowError> {
        if self.decision.is_some() {
            return Err(WorkflowError::state("Cet arbitrage a déjà été rendu"));
        }
        if let ArbitrationOutcome::LeadUnit(unit) = outcome {
            if unit != self.first_unit && unit != self.second_unit {
                return Err(WorkflowError::invalid(
                    "outcome",
                    "La direction ne peut être confiée qu'à l'une des deux unités",
                ));
            }
        }
        self.decision = Some(ArbitrationDecision {
            outcome,
            motivation: motivation("motivation", reasons)?,
            at_micros,
            by,
        });
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorityStatus {
    /// Nominated by its unit, awaiting the committee.
    Nominated,
    Listed,
    Refused,
    Delisted,
}

impl PriorityStatus {
    /// As the API says it (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            PriorityStatus::Nominated => "nominated",
            PriorityStatus::Listed => "listed",
            PriorityStatus::Refused => "refused",
            PriorityStatus::Delisted => "delisted",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            PriorityStatus::Nominated => "Proposé",
            PriorityStatus::Listed => "Inscrit",
            PriorityStatus::Refused => "Refusé",
            PriorityStatus::Delisted => "Retiré de la liste",
        }
    }
}

/// Why a listed target leaves the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DelistCriterion {
    /// The network is dismantled.
    Dismantled,
    /// The target is arrested and held.
    Neutralised,
    /// No activity established any more.
    Inactive,
    /// The procedure ended.
    ProcedureEnded,
    Other,
}

impl DelistCriterion {
    pub const ALL: [DelistCriterion; 5] = [
        DelistCriterion::Dismantled,
        DelistCriterion::Neutralised,
        DelistCriterion::Inactive,
        DelistCriterion::ProcedureEnded,
        DelistCriterion::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DelistCriterion::Dismantled => "dismantled",
            DelistCriterion::Neutralised => "neutralised",
            DelistCriterion::Inactive => "inactive",
            DelistCriterion::ProcedureEnded => "procedure_ended",
            DelistCriterion::Other => "other",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == input)
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            DelistCriterion::Dismantled => "Réseau démantelé",
            DelistCriterion::Neutralised => "Objectif interpellé et écroué",
            DelistCriterion::Inactive => "Plus d'activité établie",
            DelistCriterion::ProcedureEnded => "Procédure terminée",
            DelistCriterion::Other => "Autre motif",
        }
    }
}

/// One decision in a priority entry's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityEvent {
    pub at_micros: i64,
    pub by: String,
    pub status: PriorityStatus,
    pub reasons: String,
    pub criterion: Option<DelistCriterion>,
}

/// What came of a listed target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityOutcome {
    /// `arrest`, `seizure` or `network_dismantled`.
    pub kind: String,
    /// "YYYY-MM-DD".
    pub date: String,
    pub description: String,
    pub recorded_at_micros: i64,
}

pub const OUTCOME_KINDS: [(&str, &str); 3] = [
    ("arrest", "Interpellation"),
    ("seizure", "Saisie"),
    ("network_dismantled", "Réseau démantelé"),
];

/// Six months between reviews of a listed target.
pub const REVIEW_INTERVAL_MICROS: i64 = 183 * 24 * 3_600 * 1_000_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityEntry {
    pub target: TargetId,
    pub unit: UnitId,
    pub status: PriorityStatus,
    /// When the next review is due (listed targets only).
    pub review_due_micros: Option<i64>,
    pub history: Vec<PriorityEvent>,
    pub outcomes: Vec<PriorityOutcome>,
}

impl PriorityEntry {
    pub fn nominate(
        target: TargetId,
        unit: UnitId,
        reasons: &str,
        at_micros: i64,
        by: String,
    ) -> Result<PriorityEntry, WorkflowError> {
        Ok(PriorityEntry {
            target,
            unit,
            status: PriorityStatus::Nominated,
            review_due_micros: None,
            history: vec![PriorityEvent {
                at_micros,
                by,
                status: PriorityStatus::Nominated,
                reasons: motivation("reasons", reasons)?,
                criterion: None,
            }],
            outcomes: Vec::new(),
        })
    }

    /// A nomination may be made again after a refusal or a de-listing.
    pub fn renominate(
        &mut self,
        reasons: &str,
        at_micros: i64,
        by: String,
    ) -> Result<(), WorkflowError> {
        match self.status {
            PriorityStatus::Refused | PriorityStatus::Delisted => {
                self.push(PriorityStatus::Nominated, reasons, None, at_micros, by)
            }
            _ => Err(WorkflowError::state(
                "Cet objectif est déjà proposé ou inscrit",
            )),
        }
    }

    fn push(
        &mut self,
        status: PriorityStatus,
        reasons: &str,
        criterion: Option<DelistCriterion>,
        at_micros: i64,
        by: String,
    ) -> Result<(), WorkflowError> {
        let reasons = motivation("reasons", reasons)?;
        self.status = status;
        self.review_due_micros = match status {
            PriorityStatus::Listed => Some(at_micros + REVIEW_INTERVAL_MICROS),
            _ => None,
        };
        self.history.push(PriorityEvent {
            at_micros,
            by,
            status,
            reasons,
            criterion,
        });
        Ok(())
    }

    /// The committee lists or refuses a nomination.
    pub fn decide(
        &mut self,
        list: bool,
        reasons: &str,
        at_micros: i64,
        by: String,
    ) -> Result<(), WorkflowError> {
        if self.status != PriorityStatus::Nominated {
            return Err(WorkflowError::state(
                "Seule une proposition en attente peut être inscrite ou refusée",
            ));
        }
        let status = if list {
            PriorityStatus::Listed
        } else {
            PriorityStatus::Refused
        };
        self.push(status, reasons, None, at_micros, by)
    }

    /// The six-monthly review: keep (the next review is six months later) or de-list on a criterion.
    pub fn review(
        &mut self,
        delist: Option<DelistCriterion>,
        reasons: &str,
        at_micros: i64,
        by: String,
    ) -> Result<(), WorkflowError> {
        if self.status != PriorityStatus::Listed {
            return Err(WorkflowError::state(
                "Seul un objectif inscrit peut être réexaminé",
            ));
        }
        match delist {
            Some(criterion) => self.push(
                PriorityStatus::Delisted,
                reasons,
                Some(criterion),
                at_micros,
                by,
            ),
            None => self.push(PriorityStatus::Listed, reasons, None, at_micros, by),
        }
    }

    pub fn add_outcome(
        &mut self,
        kind: &str,
        date: &str,
        description: &str,
        at_micros: i64,
    ) -> Result<(), WorkflowError> {
        if !matches!(
            self.status,
            PriorityStatus::Listed | PriorityStatus::Delisted
        ) {
            return Err(WorkflowError::state(
                "Les résultats se rattachent à un objectif inscrit",
            ));
        }
        if !OUTCOME_KINDS.iter().any(|(known, _)| *known == kind) {
            return Err(WorkflowError::invalid(
                "kind",
                "Type de résultat inconnu : arrest, seizure ou network_dismantled",
            ));
        }
        match vigie_core::entity::parse_partial_date(date.trim()) {
            Ok(date) if date.len() == 10 => {}
            _ => {
                return Err(WorkflowError::invalid(
                    "date",
                    "Date du résultat : AAAA-MM-JJ attendu",
                ))
            }
        }
        let description = description.trim();
        if description.is_empty() || description.chars().count() > 1_000 {
            return Err(WorkflowError::invalid(
                "description",
                "Description : obligatoire, 1 000 caractères au plus",
            ));
        }
        self.outcomes.push(PriorityOutcome {
            kind: kind.to_owned(),
            date: date.trim().to_owned(),
            description: description.to_owned(),
            recorded_at_micros: at_micros,
        });
        Ok(())
    }

    /// Whether the review is overdue at `now_micros`.
    pub fn review_overdue(&self, now_micros: i64) -> bool {
        self.review_due_micros.is_some_and(|due| due <= now_micros)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (TargetId, UnitId, UnitId, UnitId) {
        (
            TargetId(uuid::Uuid::from_u128(1)),
            UnitId(uuid::Uuid::from_u128(2)),
            UnitId(uuid::Uuid::from_u128(3)),
            UnitId(uuid::Uuid::from_u128(4)),
        )
    }

    #[test]
    fn the_priority_list_lifecycle() {
        let (target, unit, _, _) = ids();
        assert!(matches!(
            PriorityEntry::nominate(target, unit, "court", 0, "a".into()),
            Err(WorkflowError::Invalid {
                field: "reasons",
                ..
            })
        ));
        let mut entry = PriorityEntry::nominate(
            target,
            unit,
            "Tête de réseau, 3 points de deal",
            0,
            "a".into(),
        )
        .unwrap();
        assert!(entry
            .review(None, "revue semestrielle", 1, "b".into())
            .is_err());
        entry
            .decide(true, "Validé par le comité du 12", 10, "ofast".into())
            .unwrap();
        assert_eq!(entry.status, PriorityStatus::Listed);
        assert_eq!(entry.review_due_micros, Some(10 + REVIEW_INTERVAL_MICROS));
        assert!(!entry.review_overdue(REVIEW_INTERVAL_MICROS));
        assert!(entry.review_overdue(10 + REVIEW_INTERVAL_MICROS));
        assert!(matches!(
            entry.decide(false, "encore une fois", 11, "ofast".into()),
            Err(WorkflowError::State(_))
        ));
        for status in [
            PriorityStatus::Nominated,
            PriorityStatus::Listed,
            PriorityStatus::Refused,
            PriorityStatus::Delisted,
        ] {
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(status.as_str())
            );
        }
        entry
            .add_outcome("seizure", "2027-01-15", "12 kg de résine", 12)
            .unwrap();
        assert!(matches!(
            entry.add_outcome("fine", "2027-01-15", "x", 12),
            Err(WorkflowError::Invalid { field: "kind", .. })
        ));
        assert!(matches!(
            entry.add_outcome("seizure", "15/01/2027", "x", 12),
            Err(WorkflowError::Invalid { field: "date", .. })
        ));
        entry
            .review(
                Some(DelistCriterion::Dismantled),
                "Réseau démantelé en janvier",
                20,
                "ofast".into(),
            )
            .unwrap();
        assert_eq!(entry.status, PriorityStatus::Delisted);
        assert_eq!(entry.review_due_micros, None);
        assert_eq!(entry.history.len(), 3);
        entry
            .renominate("Reprise d'activité constatée", 30, "a".into())
            .unwrap();
        assert_eq!(entry.status, PriorityStatus::Nominated);
    }

    #[test]
    fn arbitration_is_decided_once_between_the_two_units() {
        let (target, first, second, other) = ids();
        let second_target = TargetId(uuid::Uuid::from_u128(9));
        let id = ArbitrationId(uuid::Uuid::from_u128(5));
        assert!(Arbitration::refer(
            id,
            (target, first),
            (second_target, second),
            other,
            other,
            0,
            "désaccord sur la direction"
        )
        .is_err());
        let mut arbitration = Arbitration::refer(
            id,
            (target, first),
            (second_target, second),
            other,
            second,
            0,
            "désaccord sur la direction",
        )
        .unwrap();
        assert!(arbitration
            .decide(
                ArbitrationOutcome::LeadUnit(other),
                "la SR est mieux placée",
                1,
                "m".into()
            )
            .is_err());
        arbitration
            .decide(
                ArbitrationOutcome::LeadUnit(first),
                "la SR est mieux placée",
                1,
                "m".into(),
            )
            .unwrap();
        assert!(arbitration
            .decide(
                ArbitrationOutcome::JointTeam,
                "changement d'avis",
                2,
                "m".into()
            )
            .is_err());
    }
}
