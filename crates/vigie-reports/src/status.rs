//! The triage of a report: its statuses, the table of allowed moves, the motivation every move
//! needs, and the much poorer status the reporter sees.
//!
//! A move is recorded as a `Transition` (who, when, why) by `Report::apply`; this module only says
//! whether a move is allowed. Who may move a report (an analyst of the CROSS of its département,
//! the national queue's operators) is the access policy's, not this module's.
//!
//! The reporter sees only "received", "in progress" or "processed" (`ReporterStatus`): never
//! whether the report was attached to a known point, passed to a service, filed, or suspected of
//! malice, because that would tell traffickers, who also send reports, what the police know.

use serde::{Deserialize, Serialize};

labelled_enum! {
    /// Where a report stands in its triage.
    pub enum ReportStatus ("Statut de signalement inconnu") {
        /// Just received, nobody has read it yet.
        New = "new", "Nouveau";
        /// Read, needs more work (cross-checking, a message to the reporter).
        ToQualify = "to_qualify", "À qualifier";
        /// Qualified as credible and precise enough.
        Qualified = "qualified", "Qualifié";
        /// Attached to a dealing point (`Report::point`).
        Attached = "attached", "Rattaché à un point de deal";
        /// Passed to an investigating or public-order service.
        PassedToService = "passed_to_service", "Transmis à un service";
        /// Filed with no further action.
        NoFurtherAction = "no_further_action", "Classé sans suite";
        /// Suspected of being malicious (a neighbour's quarrel, a rival network's manoeuvre).
        SuspectedMalicious = "suspected_malicious", "Suspicion de signalement malveillant";
    }
}

labelled_enum! {
    /// What the reporter is told of their report.
    pub enum ReporterStatus ("Statut inconnu") {
        Received = "received", "Reçu";
        InProgress = "in_progress", "En cours d'examen";
        Processed = "processed", "Traité";
    }
}

impl ReportStatus {
    /// What the reporter sees: `New` is received; `ToQualify` and `Qualified` are in progress;
    /// every other status is processed. The reporter is never told which outcome, on purpose: it
    /// would tell traffickers what the police know.
    pub fn for_reporter(self) -> ReporterStatus {
        match self {
            ReportStatus::New => ReporterStatus::Received,
            ReportStatus::ToQualify | ReportStatus::Qualified => ReporterStatus::InProgress,
            ReportStatus::Attached
            | ReportStatus::PassedToService
            | ReportStatus::NoFurtherAction
            | ReportStatus::SuspectedMalicious => ReporterStatus::Processed,
        }
    }
}

/// Whether a report may move from `from` to `to`.
///
/// | from                 | allowed to                                                                  |
/// |----------------------|-----------------------------------------------------------------------------|
/// | `New`                | `ToQualify`, `Qualified`, `Attached`, `PassedToService`, `NoFurtherAction`, `SuspectedMalicious` |
/// | `ToQualify`          | `Qualified`, `Attached`, `PassedToService`, `NoFurtherAction`, `SuspectedMalicious` |
/// | `Qualified`          | `Attached`, `PassedToService`, `NoFurtherAction`, `SuspectedMalicious`      |
/// | `Attached`           | `PassedToService`, `Qualified` (detached from its point), `NoFurtherAction` |
/// | `PassedToService`    | `NoFurtherAction`, `Qualified` (the service sends it back)                  |
/// | `NoFurtherAction`    | `ToQualify` (reopened)                                                      |
/// | `SuspectedMalicious` | `ToQualify` (reopened)                                                      |
///
/// Nothing moves back to `New` (it means "nobody has read it"), and no status moves to itself.
pub fn can_move(from: ReportStatus, to: ReportStatus) -> bool {
    use ReportStatus::*;
    match from {
        New => matches!(
            to,
            ToQualify
                | Qualified
                | Attached
                | PassedToService
                | NoFurtherAction
                | SuspectedMalicious
        ),
        ToQualify => matches!(
            to,
            Qualified | Attached | PassedToService | NoFurtherAction | SuspectedMalicious
        ),
        Qualified => matches!(
            to,
            Attached | PassedToService | NoFurtherAction | SuspectedMalicious
        ),
        Attached => matches!(to, PassedToService | Qualified | NoFurtherAction),
        PassedToService => matches!(to, NoFurtherAction | Qualified),
        NoFurtherAction | SuspectedMalicious => to == ToQualify,
    }
}

/// Longest motivation of a move, in characters after trimming.
pub const MAX_MOTIVATION_CHARS: usize = 2000;

/// One recorded move of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub from: ReportStatus,
    pub to: ReportStatus,
    /// When, in microseconds since the Unix epoch (the engine's clock).
    pub at_micros: i64,
    /// Who (the account's identifier or display name, as the engine records it).
    pub by: String,
    /// Why, trimmed.
    pub motivation: String,
}

/// Why a move was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("On ne peut pas passer de « {} » à « {} ».", .from.label(), .to.label())]
    NotAllowed {
        from: ReportStatus,
        to: ReportStatus,
    },
    #[error("Une motivation est obligatoire pour changer le statut.")]
    MotivationRequired,
    #[error("La motivation ne doit pas dépasser {MAX_MOTIVATION_CHARS} caractères.")]
    MotivationTooLong,
    #[error("Choisissez le point de deal auquel rattacher ce signalement.")]
    PointRequired,
}

/// The motivation's fault, shared with dealing points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MotivationFault {
    Required,
    TooLong,
}

/// Checks a motivation and returns it trimmed.
pub(crate) fn check_motivation(motivation: &str) -> Result<&str, MotivationFault> {
    let motivation = motivation.trim();
    if motivation.is_empty() {
        Err(MotivationFault::Required)
    } else if motivation.chars().count() > MAX_MOTIVATION_CHARS {
        Err(MotivationFault::TooLong)
    } else {
        Ok(motivation)
    }
}

/// Checks a move: allowed by `can_move`, then a motivation of 1 to 2000 characters once trimmed.
pub fn check_transition(
    from: ReportStatus,
    to: ReportStatus,
    motivation: &str,
) -> Result<(), StatusError> {
    if !can_move(from, to) {
        return Err(StatusError::NotAllowed { from, to });
    }
    match check_motivation(motivation) {
        Ok(_) => Ok(()),
        Err(MotivationFault::Required) => Err(StatusError::MotivationRequired),
        Err(MotivationFault::TooLong) => Err(StatusError::MotivationTooLong),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::ReportStatus::*;
    use super::*;

    /// The whole table: every pair not listed is refused.
    #[test]
    fn transition_table() {
        let allowed: &[(ReportStatus, &[ReportStatus])] = &[
            (
                New,
                &[
                    ToQualify,
                    Qualified,
                    Attached,
                    PassedToService,
                    NoFurtherAction,
                    SuspectedMalicious,
                ],
            ),
            (
                ToQualify,
                &[
                    Qualified,
                    Attached,
                    PassedToService,
                    NoFurtherAction,
                    SuspectedMalicious,
                ],
            ),
            (
                Qualified,
                &[
                    Attached,
                    PassedToService,
                    NoFurtherAction,
                    SuspectedMalicious,
                ],
            ),
            (Attached, &[PassedToService, Qualified, NoFurtherAction]),
            (PassedToService, &[NoFurtherAction, Qualified]),
            (NoFurtherAction, &[ToQualify]),
            (SuspectedMalicious, &[ToQualify]),
        ];
        assert_eq!(allowed.len(), ReportStatus::ALL.len());
        for (from, targets) in allowed {
            for to in ReportStatus::ALL {
                assert_eq!(
                    can_move(*from, to),
                    targets.contains(&to),
                    "{from:?} -> {to:?}"
                );
            }
        }
        for status in ReportStatus::ALL {
            assert!(!can_move(status, status), "{status:?} to itself");
            assert!(!can_move(status, New), "{status:?} back to New");
        }
    }

    #[track_caller]
    fn check(from: ReportStatus, to: ReportStatus, motivation: &str, expected: Result<(), &str>) {
        let got = check_transition(from, to, motivation).map_err(|error| error.to_string());
        assert_eq!(got, expected.map_err(str::to_owned), "{from:?} -> {to:?}");
    }

    #[test]
    fn check_transition_table() {
        check(New, Qualified, "Recoupé avec un autre signalement", Ok(()));
        check(
            New,
            New,
            "x",
            Err("On ne peut pas passer de « Nouveau » à « Nouveau »."),
        );
        check(
            NoFurtherAction,
            Attached,
            "x",
            Err(
                "On ne peut pas passer de « Classé sans suite » à « Rattaché à un point de deal ».",
            ),
        );
        check(
            New,
            ToQualify,
            "  \n ",
            Err("Une motivation est obligatoire pour changer le statut."),
        );
        check(New, ToQualify, &"é".repeat(2000), Ok(()));
        check(
            New,
            ToQualify,
            &"é".repeat(2001),
            Err("La motivation ne doit pas dépasser 2000 caractères."),
        );
        // A refused move is reported before a missing motivation.
        check(
            Attached,
            ToQualify,
            "",
            Err("On ne peut pas passer de « Rattaché à un point de deal » à « À qualifier »."),
        );
    }

    #[test]
    fn reporter_sees_three_statuses() {
        let expected = [
            (New, ReporterStatus::Received),
            (ToQualify, ReporterStatus::InProgress),
            (Qualified, ReporterStatus::InProgress),
            (Attached, ReporterStatus::Processed),
            (PassedToService, ReporterStatus::Processed),
            (NoFurtherAction, ReporterStatus::Processed),
            (SuspectedMalicious, ReporterStatus::Processed),
        ];
        assert_eq!(expected.len(), ReportStatus::ALL.len());
        for (status, seen) in expected {
            assert_eq!(status.for_reporter(), seen, "{status:?}");
        }
        assert_eq!(ReporterStatus::InProgress.label(), "En cours d'examen");
    }
}
