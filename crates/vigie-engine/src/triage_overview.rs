//! What a CROSS (or OFAST) analyst is told when they open Vigie: how many reports wait in their
//! triage queue, and which dismantled points of their territory seem to be coming back.
//!
//! Resurgence is derived here as on the map (`points`): a point dismantled or under watch with
//! enough independent reports near it since its dismantling. The map flags it only when the analyst
//! opens their area; this overview is how "its CROSS is told" (issue 5) without anyone having to
//! look: the home page lists the suspected points of every area the reader triages, and the analyst
//! decides on the point's page whether it is resurgent. Nothing is stored by reading it.
//!
//! What it does not do: notify outside Vigie (no e-mail, no SMS), or tell a point's reporters
//! anything.

use crate::auth::Actor;
use crate::error::EngineResult;
use crate::points::suspected;
use crate::{Engine, RequestContext};
use uuid::Uuid;
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::policy::{search_scope, Action};
use vigie_reports::{PointStatus, ReportSighting, ReportStatus};

/// A dismantled point that seems to be coming back.
#[derive(Clone, Debug, PartialEq)]
pub struct ResurgenceAlert {
    pub point: Uuid,
    pub label: String,
    pub commune_name: Option<String>,
    pub departement: Option<String>,
    /// When it was last dismantled.
    pub dismantled_at_micros: Option<i64>,
}

/// The triage overview of one analyst.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TriageOverview {
    /// Reports in status "new" in the queues the reader triages.
    pub new_reports: usize,
    /// Suspected resurgences in the reader's territory, the most recently dismantled first.
    pub resurgences: Vec<ResurgenceAlert>,
}

impl Engine {
    /// The reader's overview. `Forbidden` for whoever may not triage reports. One journal entry
    /// (a search: it names counts, never a report).
    pub async fn triage_overview(
        &self,
        actor: &Actor,
        ctx: &RequestContext,
    ) -> EngineResult<TriageOverview> {
        let reports = self.triage_reports(actor, None).await?;
        let new_reports = reports
            .iter()
            .filter(|report| report.status == ReportStatus::New)
            .count();
        // Only readers of the map are told about points (every triaging role is, today).
        let mut resurgences = Vec::new();
        if search_scope(&actor.subject(), Action::ReadDealingPoints).is_some() {
            let watched: Vec<_> = self
                .points_for(actor, Action::ReadDealingPoints, None)
                .await?
                .into_iter()
                .filter(|point| {
                    matches!(
                        point.status,
                        PointStatus::Dismantled | PointStatus::UnderWatch
                    )
                })
                .collect();
            if !watched.is_empty() {
                let sightings: Vec<ReportSighting> = reports
                    .iter()
                    .filter_map(ReportSighting::from_report)
                    .collect();
                let rule = self.inner.config.resurgence;
                resurgences = watched
                    .into_iter()
                    .filter(|point| suspected(&rule, point, &sightings))
                    .map(|point| ResurgenceAlert {
                        commune_name: self.commune_name(point.commune.as_deref()),
                        point: point.id,
                        label: point.label,
                        departement: point.departement,
                        dismantled_at_micros: point.dismantled_at_micros,
                    })
                    .collect();
                resurgences.sort_by(|a, b| {
                    b.dismantled_at_micros
                        .cmp(&a.dismantled_at_micros)
                        .then_with(|| a.label.cmp(&b.label))
                });
            }
        }
        let draft = self.draft(
            Some(actor),
            JournalAction::Search,
            format!("triage-overview:{new_reports}:{}", resurgences.len()),
            "aperçu du tri des signalements",
            Outcome::Allow,
            ctx,
        );
        self.journal_only(vec![draft]).await?;
        Ok(TriageOverview {
            new_reports,
            resurgences,
        })
    }
}
