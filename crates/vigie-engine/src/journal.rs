//! Reading, checkpointing and verifying the journal.
//!
//! Auditors read the journal through [`Engine::journal_page`], which is itself journaled. The
//! checkpointer extends the Merkle tree from the last signed checkpoint, re-checking every entry's
//! hash and MAC first (it never signs over a tampered entry), then stores the signed checkpoint in the
//! database and appends it to the external log. Verification walks every entry against the key and
//! every checkpoint it can find, and names the first bad entry.

use crate::auth::Actor;
use crate::error::{EngineError, EngineResult};
use crate::keys;
use crate::{Engine, RequestContext};
use std::sync::Arc;
use vigie_core::journal::{
    canonical_bytes, leaf_hash, Frontier, JournalAction, JournalEntry, JournalKey, Outcome, Tamper,
    Verifier,
};
use vigie_core::policy::{decide, Action};
use vigie_store::JournalQuery;

const PAGE: u32 = 5_000;

#[derive(Clone, Debug)]
pub struct JournalPage {
    pub entries: Vec<JournalEntry>,
    pub journal_seq: u64,
    /// For each `account:<uuid>` actor of the page: "username (display name)", so that auditors see
    /// who acted. Accounts are not personal data of the investigated; they are the agents themselves.
    pub actor_names: std::collections::HashMap<String, String>,
}

/// What `verify_journal` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyOutcome {
    pub entries: u64,
    pub checkpoints: usize,
    pub result: Result<(), Tamper>,
}

/// What `vigie check` reports.
#[derive(Clone, Debug)]
pub struct CheckReport {
    pub backend: &'static str,
    pub integrity_problems: Vec<String>,
    pub invariant_problems: Vec<String>,
    pub journal: VerifyOutcome,
    pub counts: vigie_store::Counts,
}

impl CheckReport {
    pub fn is_ok(&self) -> bool {
        self.integrity_problems.is_empty()
            && self.invariant_problems.is_empty()
            && self.journal.result.is_ok()
    }
}

impl Engine {
    /// A page of the journal, newest first, for auditors and inspection. Journaled.
    pub async fn journal_page(
        &self,
        actor: &Actor,
        query: &JournalQuery,
        ctx: &RequestContext,
    ) -> EngineResult<JournalPage> {
        if !decide(&actor.subject(), Action::ReadJournal, None).is_allowed() {
            return Err(EngineError::Forbidden);
        }
        let mut query = query.clone();
        query.limit = query.limit.clamp(1, 500);
        let draft = self.draft(
            Some(actor),
            JournalAction::ReadJournal,
            "journal".to_owned(),
            "",
            Outcome::Allow,
            ctx,
        );
        let seqs = self.journal_only(vec![draft]).await?;
        let entries = self.inner.store.journal_search(&query).await?;
        let mut actor_names = std::collections::HashMap::new();
        if entries
            .iter()
            .any(|entry| entry.draft.actor.starts_with("account:"))
        {
            for record in self.inner.store.accounts().await? {
                let account = record.account;
                actor_names.insert(
                    format!("account:{}", account.id),
                    format!("{} ({})", account.username, account.display_name),
                );
            }
            actor_names
                .retain(|reference, _| entries.iter().any(|entry| &entry.draft.actor == reference));
        }
        Ok(JournalPage {
            entries,
            journal_seq: seqs.first().copied().unwrap_or_default(),
            actor_names,
        })
    }

    /// Signs a checkpoint covering every entry written so far; returns its size (None if nothing new).
    pub async fn checkpoint(&self) -> EngineResult<Option<u64>> {
        let _guard = self.inner.checkpoint_lock.lock().await;
        let store = &self.inner.store;
        let mut frontier = match store.latest_checkpoint().await? {
            Some((_, frontier)) => frontier,
            None => Frontier::new(),
        };
        let len = store.journal_len().await?;
        if len <= frontier.size() {
            return Ok(None);
        }
        while frontier.size() < len {
            let page = store.journal_range(frontier.size() + 1, PAGE).await?;
            if page.is_empty() {
                break;
            }
            // Hashing a page takes tens of milliseconds: off the async workers, so that requests
            // keep being answered meanwhile.
            let key = Arc::clone(&self.inner.key);
            frontier =
                tokio::task::spawn_blocking(move || extend_frontier(frontier, &page, &key, len))
                    .await
                    .map_err(|error| {
                        EngineError::Internal(format!("the checkpoint task failed: {error}"))
                    })??;
        }
        let checkpoint = self
            .inner
            .key
            .sign_checkpoint(frontier.size(), frontier.root());
        store.put_checkpoint(&checkpoint, &frontier).await?;
        keys::append_checkpoint(
            &self.inner.config.checkpoint_log_path,
            &checkpoint,
            &self.inner.key,
        )?;
        Ok(Some(checkpoint.size))
    }

    /// Runs [`Engine::checkpoint`] every `period` until the engine is dropped.
    pub fn spawn_checkpointer(&self, period: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let weak = std::sync::Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(period);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                let Some(inner) = weak.upgrade() else { break };
                let engine = Engine { inner };
                if let Err(error) = engine.checkpoint().await {
                    tracing::warn!(%error, "periodic journal checkpoint failed");
                }
            }
        })
    }

    /// Verifies the whole journal against the key and every checkpoint (database and external log).
    pub async fn verify_journal(&self) -> EngineResult<VerifyOutcome> {
        let store = &self.inner.store;
        let mut checkpoints = store.checkpoints().await?;
        checkpoints.extend(keys::read_checkpoints(
            &self.inner.config.checkpoint_log_path,
        )?);
        let count = {
            let mut sorted = checkpoints.clone();
            sorted.sort_by_key(|c| c.size);
            sorted.dedup();
            sorted.len()
        };
        let mut verifier = Verifier::new(&self.inner.key, checkpoints);
        let mut next = 1u64;
        'pages: loop {
            let page = store.journal_range(next, PAGE).await?;
            let Some(last) = page.last() else { break };
            next = last.seq + 1;
            for entry in &page {
                if !verifier.push(entry) {
                    break 'pages;
                }
            }
            if page.len() < PAGE as usize {
                break;
            }
        }
        let (entries, result) = match verifier.finish() {
            Ok(entries) => (entries, Ok(())),
            Err(tamper) => (tamper.first_bad_seq().saturating_sub(1), Err(tamper)),
        };
        Ok(VerifyOutcome {
            entries,
            checkpoints: count,
            result,
        })
    }

    /// Integrity of the database, the journal, and Vigie's own invariants.
    pub async fn check(&self) -> EngineResult<CheckReport> {
        let store = &self.inner.store;
        let integrity_problems = store.integrity_check().await?;
        let mut invariant_problems = Vec::new();
        let units = store.units().await?;
        let unit_ids: std::collections::HashSet<_> = units.iter().map(|unit| unit.id).collect();
        for record in store.accounts().await? {
            if !unit_ids.contains(&record.account.unit) {
                invariant_problems.push(format!(
                    "account {} belongs to unknown unit {}",
                    record.account.id, record.account.unit
                ));
            }
            if !record.password_hash.starts_with("$argon2id$") {
                invariant_problems.push(format!(
                    "account {} has a password hash that is not Argon2id",
                    record.account.id
                ));
            }
        }
        let journal = self.verify_journal().await?;
        let counts = store.counts().await?;
        if counts.journal != store.journal_len().await? {
            invariant_problems.push("journal count and last sequence number differ".to_owned());
        }
        Ok(CheckReport {
            backend: store.backend(),
            integrity_problems,
            invariant_problems,
            journal,
            counts,
        })
    }
}

/// Checks each entry of `page` (next in sequence, leaf hash and MAC as sealed) and adds it to
/// `frontier`, stopping at `len` entries.
fn extend_frontier(
    mut frontier: Frontier,
    page: &[JournalEntry],
    key: &JournalKey,
    len: u64,
) -> EngineResult<Frontier> {
    for entry in page {
        let leaf = leaf_hash(&canonical_bytes(entry.seq, &entry.draft));
        if entry.seq != frontier.size() + 1
            || leaf != entry.leaf_hash
            || key.mac(&leaf) != entry.mac
        {
            tracing::error!(
                seq = entry.seq,
                "journal entry failed its check: checkpoint refused"
            );
            return Err(EngineError::Corrupt(format!(
                "journal entry {} failed its integrity check",
                entry.seq
            )));
        }
        frontier.push(leaf);
        if frontier.size() == len {
            break;
        }
    }
    Ok(frontier)
}
