//! The stored report: what the reporter said, how it came in, where it was routed, its triage
//! history, the analysts' internal notes, the messages exchanged with the reporter, its photos
//! and the dealing point it is attached to.
//!
//! `Report::apply` checks a move with the `status` table and records it; `Report::add_note` and
//! `Report::add_message` check and append. The time of receipt is kept only to the hour
//! (`truncate_to_hour`), so that a stored report cannot be matched with the minute a resident was
//! seen using their phone. This module does not route (the engine does, with `vigie-geo`), does
//! not store, and does not decide who may read what: notes are never shown to the reporter, and
//! it is the engine's views that make sure of it.

use crate::model::{FieldError, ReportDraft};
use crate::status::{check_transition, ReportStatus, ReporterStatus, StatusError, Transition};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One hour in microseconds.
pub const HOUR_MICROS: i64 = 3_600_000_000;

/// Floors `micros` (since the Unix epoch) to a multiple of one hour, negatives included
/// (-1 becomes -3 600 000 000). Below the lowest representable hour (some 290 000 years before
/// the epoch) the result saturates at `i64::MIN`.
pub fn truncate_to_hour(micros: i64) -> i64 {
    micros.saturating_sub(micros.rem_euclid(HOUR_MICROS))
}

/// How a report came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Channel {
    /// The public form, anonymous.
    Public,
    /// A partner (a landlord, a town's services, a transport operator) signed in with an account
    /// of a partner unit.
    Partner { unit: Uuid, account: Uuid },
}

/// An analyst's internal note. Never shown to the reporter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub at_micros: i64,
    pub by: String,
    pub text: String,
}

/// Who wrote a message of the thread with the reporter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageFrom {
    /// The CROSS (the analysts, who sign as a service, never by name).
    Cross,
    /// The reporter, through their receipt code.
    Reporter,
}

/// A message of the thread with the reporter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub at_micros: i64,
    pub from: MessageFrom,
    pub text: String,
}

/// Longest message, in characters after trimming.
pub const MAX_MESSAGE_CHARS: usize = 2000;
/// Longest internal note, in characters after trimming.
pub const MAX_NOTE_CHARS: usize = 5000;

/// Checks a message's text and returns it trimmed (field "text").
pub fn validate_message_text(text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        Err(FieldError::new("text", "Le message est vide."))
    } else if text.chars().count() > MAX_MESSAGE_CHARS {
        Err(FieldError::new(
            "text",
            format!("Le message ne doit pas dépasser {MAX_MESSAGE_CHARS} caractères."),
        ))
    } else {
        Ok(text.to_owned())
    }
}

/// Checks a note's text and returns it trimmed (field "note").
pub fn validate_note_text(text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        Err(FieldError::new("note", "La note est vide."))
    } else if text.chars().count() > MAX_NOTE_CHARS {
        Err(FieldError::new(
            "note",
            format!("La note ne doit pas dépasser {MAX_NOTE_CHARS} caractères."),
        ))
    } else {
        Ok(text.to_owned())
    }
}

/// A stored report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub id: Uuid,
    pub channel: Channel,
    /// When it was received, floored to the hour (`truncate_to_hour`).
    pub received_hour_micros: i64,
    /// What the reporter said, as validated.
    pub draft: ReportDraft,
    /// The commune the report was routed by (the draft's, or the one found under its pin).
    pub commune: Option<String>,
    /// The département whose CROSS handles it; `None` is the national queue.
    pub departement: Option<String>,
    pub status: ReportStatus,
    pub history: Vec<Transition>,
    /// Internal notes, never shown to the reporter.
    pub notes: Vec<Note>,
    /// The thread with the reporter.
    pub messages: Vec<Message>,
    /// Sanitised photos (`photo::sanitise_photo`), at most `photo::MAX_PHOTOS`.
    pub photos: Vec<Uuid>,
    /// The dealing point it is attached to, exactly when its status is `Attached`.
    pub point: Option<Uuid>,
}

impl Report {
    /// A new report, status `New`, its time of receipt floored to the hour. The draft is expected
    /// to have passed `ReportDraft::validate`; `commune` and `departement` are the routing result.
    pub fn new(
        id: Uuid,
        channel: Channel,
        received_at_micros: i64,
        draft: ReportDraft,
        commune: Option<String>,
        departement: Option<String>,
    ) -> Report {
        Report {
            id,
            channel,
            received_hour_micros: truncate_to_hour(received_at_micros),
            draft,
            commune,
            departement,
            status: ReportStatus::New,
            history: Vec::new(),
            notes: Vec::new(),
            messages: Vec::new(),
            photos: Vec::new(),
            point: None,
        }
    }

    /// What the reporter sees of the status.
    pub fn reporter_status(&self) -> ReporterStatus {
        self.status.for_reporter()
    }

    /// Moves the report to `to` and records the move. Moving to `Attached` needs the `point`;
    /// for any other status `point` is ignored, and leaving `Attached` clears the report's point.
    /// On error nothing changes.
    pub fn apply(
        &mut self,
        to: ReportStatus,
        by: &str,
        motivation: &str,
        at_micros: i64,
        point: Option<Uuid>,
    ) -> Result<(), StatusError> {
        check_transition(self.status, to, motivation)?;
        let motivation = motivation.trim();
        if to == ReportStatus::Attached {
            match point {
                Some(point) => self.point = Some(point),
                None => return Err(StatusError::PointRequired),
            }
        } else {
            self.point = None;
        }
        self.history.push(Transition {
            from: self.status,
            to,
            at_micros,
            by: by.to_owned(),
            motivation: motivation.to_owned(),
        });
        self.status = to;
        Ok(())
    }

    /// Appends an internal note.
    pub fn add_note(&mut self, by: &str, text: &str, at_micros: i64) -> Result<(), FieldError> {
        let text = validate_note_text(text)?;
        self.notes.push(Note {
            at_micros,
            by: by.to_owned(),
            text,
        });
        Ok(())
    }

    /// Appends a message of the thread with the reporter.
    pub fn add_message(
        &mut self,
        from: MessageFrom,
        text: &str,
        at_micros: i64,
    ) -> Result<(), FieldError> {
        let text = validate_message_text(text)?;
        self.messages.push(Message {
            at_micros,
            from,
            text,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::model::{Category, Since};

    #[track_caller]
    fn check_hour(micros: i64, expected: i64) {
        assert_eq!(truncate_to_hour(micros), expected, "{micros}");
    }

    #[test]
    fn truncation_to_the_hour() {
        check_hour(0, 0);
        check_hour(1, 0);
        check_hour(HOUR_MICROS - 1, 0);
        check_hour(HOUR_MICROS, HOUR_MICROS);
        check_hour(-1, -HOUR_MICROS);
        check_hour(-HOUR_MICROS, -HOUR_MICROS);
        check_hour(-HOUR_MICROS - 1, -2 * HOUR_MICROS);
        // 2024-06-01T12:34:56.789Z -> 12:00.
        check_hour(1_717_245_296_789_000, 1_717_243_200_000_000);
        check_hour(i64::MAX, i64::MAX - i64::MAX.rem_euclid(HOUR_MICROS));
        check_hour(i64::MIN, i64::MIN);
    }

    fn report() -> Report {
        let draft = ReportDraft {
            category: Category::FixedSale,
            commune: Some("93066".to_owned()),
            place: "Cité des Fleurs".to_owned(),
            pin: None,
            days: Vec::new(),
            slots: Vec::new(),
            since: Since::Weeks,
            description: "Vente tous les soirs au pied de la tour.".to_owned(),
            people: None,
            vehicles: String::new(),
        };
        Report::new(
            Uuid::from_u128(1),
            Channel::Public,
            1_717_245_296_789_000,
            draft,
            Some("93066".to_owned()),
            Some("93".to_owned()),
        )
    }

    #[test]
    fn new_report_is_received_at_the_hour() {
        let report = report();
        assert_eq!(report.status, ReportStatus::New);
        assert_eq!(report.received_hour_micros, 1_717_243_200_000_000);
        assert_eq!(report.reporter_status(), ReporterStatus::Received);
    }

    #[test]
    fn apply_records_moves_and_attaches() {
        let mut report = report();
        let point = Uuid::from_u128(42);
        report
            .apply(
                ReportStatus::Qualified,
                "analyste-1",
                "  Précis  ",
                10,
                None,
            )
            .unwrap();
        assert_eq!(
            report.apply(ReportStatus::Attached, "analyste-1", "Même hall", 20, None),
            Err(StatusError::PointRequired)
        );
        assert_eq!(report.status, ReportStatus::Qualified);
        assert_eq!(report.history.len(), 1);
        report
            .apply(
                ReportStatus::Attached,
                "analyste-1",
                "Même hall",
                20,
                Some(point),
            )
            .unwrap();
        assert_eq!(report.point, Some(point));
        report
            .apply(
                ReportStatus::Qualified,
                "analyste-2",
                "Mauvais point",
                30,
                Some(point),
            )
            .unwrap();
        assert_eq!(report.point, None, "leaving Attached clears the point");
        assert_eq!(
            report.apply(ReportStatus::New, "analyste-2", "retour", 40, None),
            Err(StatusError::NotAllowed {
                from: ReportStatus::Qualified,
                to: ReportStatus::New
            })
        );
        assert_eq!(
            report.apply(ReportStatus::NoFurtherAction, "analyste-2", " ", 40, None),
            Err(StatusError::MotivationRequired)
        );
        let moves: Vec<(ReportStatus, ReportStatus, &str)> = report
            .history
            .iter()
            .map(|t| (t.from, t.to, t.motivation.as_str()))
            .collect();
        assert_eq!(
            moves,
            [
                (ReportStatus::New, ReportStatus::Qualified, "Précis"),
                (ReportStatus::Qualified, ReportStatus::Attached, "Même hall"),
                (
                    ReportStatus::Attached,
                    ReportStatus::Qualified,
                    "Mauvais point"
                ),
            ]
        );
        assert_eq!(report.history[2].by, "analyste-2");
        assert_eq!(report.history[2].at_micros, 30);
    }

    #[test]
    fn messages_and_notes() {
        let mut report = report();
        report
            .add_message(MessageFrom::Cross, "  Pouvez-vous préciser l'heure ?  ", 5)
            .unwrap();
        report
            .add_note("analyste-1", "Déjà connu du commissariat.", 6)
            .unwrap();
        assert_eq!(report.messages[0].text, "Pouvez-vous préciser l'heure ?");
        assert_eq!(
            report
                .add_message(MessageFrom::Reporter, "   ", 7)
                .unwrap_err()
                .field,
            "text"
        );
        assert!(validate_message_text(&"a".repeat(2000)).is_ok());
        let error = validate_message_text(&"a".repeat(2001)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "text : Le message ne doit pas dépasser 2000 caractères."
        );
        assert_eq!(report.add_note("a", "", 8).unwrap_err().field, "note");
        assert_eq!(report.messages.len(), 1);
        assert_eq!(report.notes.len(), 1);
    }

    #[test]
    fn channel_and_report_json() {
        let partner = Channel::Partner {
            unit: Uuid::from_u128(7),
            account: Uuid::from_u128(8),
        };
        let json = serde_json::to_value(partner).unwrap();
        assert_eq!(json["kind"], "partner");
        assert_eq!(json["unit"], Uuid::from_u128(7).to_string());
        assert_eq!(
            serde_json::to_value(Channel::Public).unwrap(),
            serde_json::json!({"kind": "public"})
        );
        let mut report = report();
        report.channel = partner;
        report
            .add_message(MessageFrom::Reporter, "Merci", 3)
            .unwrap();
        let text = serde_json::to_string(&report).unwrap();
        assert!(text.contains("\"from\":\"reporter\""));
        assert_eq!(serde_json::from_str::<Report>(&text).unwrap(), report);
    }
}
