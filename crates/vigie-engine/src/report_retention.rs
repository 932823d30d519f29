//! How long the reporting lanes keep what they receive, and the job that erases the rest.
//!
//! - A report closed without follow-up ("no further action" or "suspected malicious") and attached
//!   to no point is erased [`CLOSED_REPORT_RETENTION_DAYS`] after its last status change, with its
//!   photos and its partner index entry. Reports attached to a point or passed to a service stay:
//!   they are part of a point's record or of an investigation, which have their own rules.
//! - A receipt is erased once unused for [`RECEIPT_TTL_DAYS`] (it no longer opens anything), or once
//!   its report is gone.
//! - A spent proof-of-work nonce is erased once its challenge has expired: an expired token is
//!   refused anyway, so the record no longer protects anything.
//!
//! Each erased report writes a journal entry (`Erase`, "échéance de conservation"); receipts and
//! nonces name no one and are erased in bulk with one entry per batch. The job runs with the other
//! expiries (`vigie serve` every ten minutes, `vigie targets expire`).
//!
//! What it does not do: erase dealing points (they are the CROSS's own record), or scrub the
//! store's free pages (SQLite's `secure_delete`, PostgreSQL's vacuum are the backends' business).

use crate::error::{EngineError, EngineResult};
use crate::reports::{
    parse_report, ReceiptBody, DAY_MICROS, PARTNER_KIND, PHOTO_KIND, RECEIPT_KIND, REPORT_KIND,
    SPENT_KIND,
};
use crate::{clock, Engine, RequestContext, RECEIPT_TTL_DAYS};
use std::collections::HashSet;
use vigie_core::journal::{JournalAction, Outcome};
use vigie_reports::{Channel, Report, ReportStatus};
use vigie_store::{Mutation, WriteBatch};

/// How long a report closed without follow-up is kept after its last status change.
pub const CLOSED_REPORT_RETENTION_DAYS: i64 = 365;
/// The most mutations written in one transaction by the job.
const BATCH: usize = 1_000;

/// What one run erased.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReportPurge {
    pub reports: usize,
    pub photos: usize,
    pub receipts: usize,
    pub nonces: usize,
}

impl ReportPurge {
    pub fn is_empty(&self) -> bool {
        *self == ReportPurge::default()
    }
}

/// Whether `report` is past its retention at `now`.
fn expired(report: &Report, now_micros: i64) -> bool {
    let closed = matches!(
        report.status,
        ReportStatus::NoFurtherAction | ReportStatus::SuspectedMalicious
    );
    let last_change = report
        .history
        .last()
        .map_or(report.received_hour_micros, |transition| {
            transition.at_micros
        });
    closed
        && report.point.is_none()
        && last_change <= now_micros - CLOSED_REPORT_RETENTION_DAYS * DAY_MICROS
}

impl Engine {
    /// Erases what the reporting lanes no longer keep (see the module's documentation).
    pub async fn expire_reports(&self) -> EngineResult<ReportPurge> {
        let now = clock::micros(self.inner.clock.now());
        let mut purge = ReportPurge::default();
        let ctx = RequestContext::default();
        let system_erase = |object: String| {
            self.draft(
                None,
                JournalAction::Erase,
                object,
                "échéance de conservation",
                Outcome::Allow,
                &ctx,
            )
        };

        // Reports closed without follow-up, each with its photos and partner index entry.
        let mut kept_reports = HashSet::new();
        let mut batch = WriteBatch::default();
        for record in self.records_in(REPORT_KIND, None).await? {
            let report = parse_report(&record)?;
            if !expired(&report, now) {
                kept_reports.insert(report.id);
                continue;
            }
            for photo in &report.photos {
                batch.mutations.push(Mutation::DeleteRecord {
                    kind: PHOTO_KIND.to_owned(),
                    id: photo.to_string(),
                });
                purge.photos += 1;
            }
            if matches!(report.channel, Channel::Partner { .. }) {
                batch.mutations.push(Mutation::DeleteRecord {
                    kind: PARTNER_KIND.to_owned(),
                    id: report.id.to_string(),
                });
            }
            batch.mutations.push(Mutation::DeleteRecord {
                kind: REPORT_KIND.to_owned(),
                id: record.id,
            });
            batch
                .journal
                .push(system_erase(format!("report:{}", report.id)));
            purge.reports += 1;
            if batch.mutations.len() >= BATCH {
                self.commit(std::mem::take(&mut batch)).await?;
            }
        }
        if !batch.mutations.is_empty() {
            self.commit(std::mem::take(&mut batch)).await?;
        }

        // Receipts unused for their whole life, or whose report is gone.
        let today = now.div_euclid(DAY_MICROS);
        let mut stale = Vec::new();
        for record in self.records_in(RECEIPT_KIND, None).await? {
            let body: ReceiptBody = serde_json::from_str(&record.body)
                .map_err(|error| EngineError::Corrupt(format!("receipt: {error}")))?;
            let unused = today - body.last_used_day > RECEIPT_TTL_DAYS;
            // A report written since the scan above has its receipt: look before erasing.
            let orphan = !kept_reports.contains(&body.report)
                && self
                    .inner
                    .store
                    .record(REPORT_KIND, &body.report.to_string())
                    .await?
                    .is_none();
            if unused || orphan {
                stale.push(record.id);
            }
        }
        purge.receipts = stale.len();
        self.erase_in_bulk(RECEIPT_KIND, stale, "report-receipts", &system_erase)
            .await?;

        // Spent nonces of expired challenges.
        let spent: Vec<String> = self
            .records_in(SPENT_KIND, None)
            .await?
            .into_iter()
            .filter(|record| record.ends_micros <= now)
            .map(|record| record.id)
            .collect();
        purge.nonces = spent.len();
        self.erase_in_bulk(SPENT_KIND, spent, "pow-spent", &system_erase)
            .await?;
        Ok(purge)
    }

    /// Deletes records that name no one, in batches, with one journal entry per batch that says
    /// how many.
    async fn erase_in_bulk(
        &self,
        kind: &str,
        ids: Vec<String>,
        label: &str,
        entry: &impl Fn(String) -> vigie_core::journal::JournalDraft,
    ) -> EngineResult<()> {
        for chunk in ids.chunks(BATCH) {
            self.commit(WriteBatch {
                mutations: chunk
                    .iter()
                    .map(|id| Mutation::DeleteRecord {
                        kind: kind.to_owned(),
                        id: id.clone(),
                    })
                    .collect(),
                journal: vec![entry(format!("{label}:{}", chunk.len()))],
            })
            .await?;
        }
        Ok(())
    }
}
