//! Vigie's engine: the only crate that holds a [`Store`]. Every read and write of personal data goes
//! through one of its methods, which (1) resolves the actor from a session, (2) asks the access
//! policy, (3) writes the journal entry — in the same transaction as a change, or durably before the
//! answer for a read — and only then (4) returns data. If the journal entry cannot be written, the
//! operation is refused (fail closed).
//!
//! The engine owns time (an injected [`Clock`]) and the journal key. It knows nothing of HTTP, HTML or
//! the command line: `vigie-server` and the `vigie` binary call it.
//!
//! Architecture invariant: no other crate depends on `vigie-store*` except the conformance tests.

mod admin;
mod arbitration;
mod auth;
pub mod clock;
mod demo;
mod demo_facts;
mod demo_reports;
mod entities;
pub mod error;
mod exchange;
mod facts;
mod geography;
mod graph;
mod intel;
mod intel_search;
mod journal;
pub mod keys;
mod merges;
mod operations;
mod points;
mod priority;
mod report_retention;
mod reports;
mod seed;
mod targets;
mod throttle;
mod triage_overview;
mod watches;
pub use arbitration::{ArbiterChoice, ArbitrationCase, ArbitrationView, TargetSummary};
pub use demo::DemoWorkflows;
pub use demo_facts::DemoFacts;
pub use demo_reports::{demo_sites, DemoReports, DemoSite, DEMO_POINTS_PER_DEPARTEMENT};
pub use operations::{OperationOverlap, OperationView, OPERATION_RETENTION_DAYS};
pub use priority::{indicators as priority_indicators, PriorityIndicators, PriorityView};
pub use seed::{SeedSummary, DEMO_INTEL_ITEMS};
pub use targets::{
    BulkRegistration, CheckOutcome, Notice, ProbeAlert, Registration, TargetView, MAX_BULK_TARGETS,
    PROBE_LIMIT_PER_HOUR,
};

pub use admin::{NewAccount, NewUnit};
pub use auth::{Actor, SessionGrant};
pub use clock::{Clock, ManualClock, SystemClock};
pub use entities::{
    EntitySummary, EntityView, LinkView, NewEntity, NewLink, SearchRequest, SearchResults,
};
pub use error::{EngineError, EngineResult};
pub use exchange::{line_errors, ImportOptions, ImportReport};
pub use facts::{ValueSource, ValueView};
pub use graph::{
    EntityGraph, GraphNode, GraphRequest, GraphSeed, DEFAULT_GRAPH_NODES, MAX_GRAPH_HOPS,
    MAX_GRAPH_NODES, MAX_GRAPH_SEEDS,
};
pub use intel::IntelView;
pub use intel_search::{
    ExportPurpose, FacetValue, IntelCsvExport, IntelExport, IntelHit, IntelSearchView, MAX_EXPORT,
    MAX_OFFSET as MAX_INTEL_OFFSET, MAX_QUERY_CHARS,
};
pub use journal::{CheckReport, JournalPage, VerifyOutcome};
pub use merges::{MergeEvent, MergeSuggestion, MergeSuggestions, MergeView, MAX_MERGE_SUGGESTIONS};
pub use points::{NewPoint, PointChange, PointMarker, PointView};
pub use report_retention::{ReportPurge, CLOSED_REPORT_RETENTION_DAYS};
pub use reports::{
    DigestRow, NearbyReport, PartnerReportView, PointCandidate, PowChallenge, Proof, QueueFilter,
    ReceiptView, ReportDetail, ReportSummary, NATIONAL_AREA, RECEIPT_TTL_DAYS,
};
pub use triage_overview::{ResurgenceAlert, TriageOverview};
pub use vigie_core::journal::Tamper;
pub use vigie_store::JournalQuery;
pub use watches::{WatchNews, WatchSubject, WatchView, MAX_WATCHES};

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use vigie_core::journal::{JournalAction, JournalDraft, JournalKey, Outcome};
use vigie_store::{OpenOptions, Store, StoreUrl, WriteBatch};

/// How to open the engine.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// `sqlite://...` or `postgres://...`.
    pub store_url: String,
    /// File holding the journal key seed (never inside the database).
    pub journal_key_path: PathBuf,
    /// Append-only file of signed checkpoints (outside the database).
    pub checkpoint_log_path: PathBuf,
    /// Create the journal key if missing (first `migrate` or demo start).
    pub create_journal_key: bool,
    /// Create or upgrade the schema.
    pub migrate: bool,
    /// Absolute lifetime of a session.
    pub session_ttl: time::Duration,
    /// An administrator's organisation map (TOML text) replacing the default one; checked at open.
    pub organisation_toml: Option<String>,
    /// When new reports around a dismantled point flag it as resurgent (radius, delay, sources).
    pub resurgence: vigie_reports::ResurgenceRule,
}

/// Per-request context: an id that ties log lines and the journal entry together.
#[derive(Clone, Debug, Default)]
pub struct RequestContext {
    pub request_id: String,
}

/// Counters exported on /metrics.
#[derive(Debug, Default)]
pub struct EngineMetrics {
    pub journal_entries_written: AtomicU64,
    pub journal_write_failures: AtomicU64,
    pub consultations: AtomicU64,
    pub denials: AtomicU64,
    pub logins_failed: AtomicU64,
}

struct Inner {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    key: Arc<JournalKey>,
    config: EngineConfig,
    dummy_password_hash: String,
    metrics: EngineMetrics,
    journal_healthy: AtomicBool,
    checkpoint_lock: tokio::sync::Mutex<()>,
    geography: vigie_geo::Geography,
    login_throttle: throttle::LoginThrottle,
    /// This node's search index of intelligence items, a cache of the store.
    intel_index: Arc<vigie_search::IntelIndex>,
    /// One catch-up of the index at a time.
    intel_index_sync: tokio::sync::Mutex<()>,
    /// The public report lane's keys and flood counter.
    reports: reports::ReportGuard,
}

/// The engine. Cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

impl Engine {
    /// Opens the store named by the configuration (SQLite or PostgreSQL, chosen from the URL), checks
    /// its integrity, and loads the journal key.
    pub async fn open(config: EngineConfig, clock: Arc<dyn Clock>) -> EngineResult<Engine> {
        let url = StoreUrl::parse(&config.store_url)
            .map_err(|error| EngineError::Config(error.to_string()))?;
        let key = Arc::new(keys::load_journal_key(
            &config.journal_key_path,
            config.create_journal_key,
        )?);
        let options = OpenOptions {
            journal_key: Arc::clone(&key),
            migrate: config.migrate,
        };
        tracing::info!(store = %url, "opening store");
        let store: Arc<dyn Store> = match &url {
            StoreUrl::Sqlite { path } => {
                Arc::new(vigie_store_sqlite::SqliteStore::open(path, options).await?)
            }
            StoreUrl::Postgres { url } => {
                Arc::new(vigie_store_postgres::PostgresStore::open(url, options).await?)
            }
        };
        Self::with_store(store, key, config, clock).await
    }

    /// Builds an engine on an already-open store (tests, and the conformance suite).
    pub async fn with_store(
        store: Arc<dyn Store>,
        key: Arc<JournalKey>,
        config: EngineConfig,
        clock: Arc<dyn Clock>,
    ) -> EngineResult<Engine> {
        let geography = match &config.organisation_toml {
            None => vigie_geo::Geography::france(),
            Some(text) => vigie_geo::Geography::with_organisation(text),
        }
        .map_err(|error| EngineError::Config(error.to_string()))?;
        let dummy_password_hash = auth::hash_password("vigie: no such account").await?;
        let intel_index = vigie_search::IntelIndex::in_ram()
            .map_err(|error| EngineError::Internal(format!("intel index: {error}")))?;
        let reports = reports::ReportGuard::new(&key);
        Ok(Engine {
            inner: Arc::new(Inner {
                store,
                clock,
                key,
                config,
                dummy_password_hash,
                metrics: EngineMetrics::default(),
                journal_healthy: AtomicBool::new(true),
                checkpoint_lock: tokio::sync::Mutex::new(()),
                geography,
                login_throttle: throttle::LoginThrottle::default(),
                intel_index: Arc::new(intel_index),
                intel_index_sync: tokio::sync::Mutex::new(()),
                reports,
            }),
        })
    }

    pub fn backend(&self) -> &'static str {
        self.inner.store.backend()
    }

    pub fn metrics(&self) -> &EngineMetrics {
        &self.inner.metrics
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.inner.clock.now()
    }

    /// Health: the store answers, and the last journal write did not fail.
    pub async fn health(&self) -> EngineResult<()> {
        self.inner.store.health().await?;
        if !self.inner.journal_healthy.load(Ordering::Relaxed) {
            // Probe again so that the service recovers by itself once the cause is gone.
            self.write_journal_probe().await?;
        }
        Ok(())
    }

    /// After a failed journal write, an empty transaction through the writer tells whether writes
    /// work again (without adding noise to the journal).
    async fn write_journal_probe(&self) -> EngineResult<()> {
        self.inner
            .store
            .write(WriteBatch::default())
            .await
            .map_err(EngineError::journal)?;
        self.inner.journal_healthy.store(true, Ordering::Relaxed);
        Ok(())
    }

    pub async fn close(&self) {
        if let Err(error) = self.checkpoint().await {
            tracing::warn!(%error, "final checkpoint failed");
        }
        self.inner.store.close().await;
    }

    /// Closes the store without signing a final checkpoint (read-only commands such as verify).
    pub async fn close_without_checkpoint(&self) {
        self.inner.store.close().await;
    }

    /// The latest calendar day anywhere in France (UTC+14 covers every overseas territory): only a
    /// date after it is certainly in the future for whoever records an observation.
    pub(crate) fn latest_day(&self) -> time::Date {
        (self.inner.clock.now() + time::Duration::hours(14)).date()
    }

    fn draft(
        &self,
        actor: Option<&Actor>,
        action: JournalAction,
        object: String,
        motif: &str,
        outcome: Outcome,
        ctx: &RequestContext,
    ) -> JournalDraft {
        JournalDraft {
            at_micros: clock::micros(self.inner.clock.now()),
            actor: actor
                .map(Actor::journal_ref)
                .unwrap_or_else(|| "anonymous".to_owned()),
            unit: actor
                .map(|actor| format!("unit:{}", actor.unit.id))
                .unwrap_or_default(),
            action,
            object,
            motif: motif.to_owned(),
            outcome,
            request_id: ctx.request_id.clone(),
            shown: Vec::new(),
        }
    }

    /// Writes a batch (mutations and their journal entries). Journal failures refuse the operation.
    async fn commit(&self, batch: WriteBatch) -> EngineResult<Vec<u64>> {
        let entries = batch.journal.len() as u64;
        match self.inner.store.write(batch).await {
            Ok(seqs) => {
                self.inner
                    .metrics
                    .journal_entries_written
                    .fetch_add(entries, Ordering::Relaxed);
                Ok(seqs)
            }
            Err(error) => {
                if !matches!(error, vigie_store::StoreError::Conflict(_)) {
                    self.inner
                        .metrics
                        .journal_write_failures
                        .fetch_add(1, Ordering::Relaxed);
                    self.inner.journal_healthy.store(false, Ordering::Relaxed);
                    tracing::error!(%error, "journaled write failed");
                }
                Err(EngineError::journal(error))
            }
        }
    }

    /// Writes journal entries alone (reads, denials) and waits until they are durable.
    async fn journal_only(&self, drafts: Vec<JournalDraft>) -> EngineResult<Vec<u64>> {
        self.commit(WriteBatch {
            mutations: Vec::new(),
            journal: drafts,
        })
        .await
    }
}
