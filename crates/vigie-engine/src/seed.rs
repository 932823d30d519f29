//! Seeding a store with Vigie's own synthetic data (`vigie synth`, `vigie serve --demo`).
//!
//! This is the engine acting on its own behalf: the writes bypass the per-actor policy (there is no
//! actor yet) but not the journal: every unit, account and entity written gets a journal entry whose
//! actor is `system`, in the same transaction. Only synthetic data from `vigie-synth` comes this way.

use crate::auth::hash_password;
use crate::error::EngineResult;
use crate::{Engine, RequestContext};
use vigie_core::journal::{JournalAction, Outcome};
use vigie_store::{AccountRecord, Mutation, WriteBatch};
use vigie_synth::{generate, SynthData, SynthOptions};

/// What was seeded.
#[derive(Clone, Debug)]
pub struct SeedSummary {
    pub data: SynthData,
    /// False when the store already held units (nothing was written).
    pub written: bool,
}

const BATCH: usize = 500;

impl Engine {
    /// Generates synthetic data for `seed` and writes it, unless the store already has units.
    /// `progress` is called with (done, total) after each batch.
    pub async fn seed_synthetic(
        &self,
        seed: u64,
        people: usize,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> EngineResult<SeedSummary> {
        let data = generate(&SynthOptions {
            seed,
            people,
            recorded_at: self.inner.clock.now(),
        });
        if !self.inner.store.units().await?.is_empty() {
            return Ok(SeedSummary {
                data,
                written: false,
            });
        }
        let ctx = RequestContext {
            request_id: format!("synth-{seed}"),
        };
        let mut mutations = Vec::new();
        for unit in &data.units {
            mutations.push((
                Mutation::PutUnit(unit.clone()),
                JournalAction::Administer,
                format!("unit:{}", unit.id),
            ));
        }
        for demo in &data.accounts {
            let record = AccountRecord {
                account: demo.account.clone(),
                password_hash: hash_password(&demo.password).await?,
            };
            mutations.push((
                Mutation::PutAccount(record),
                JournalAction::Administer,
                format!("account:{}", demo.account.id),
            ));
        }
        for entity in &data.entities {
            mutations.push((
                Mutation::InsertEntity(entity.clone()),
                JournalAction::Collect,
                format!("entity:{}", entity.id),
            ));
        }
        for link in &data.links {
            mutations.push((
                Mutation::InsertLink(link.clone()),
                JournalAction::Collect,
                format!("link:{}", link.id),
            ));
        }
        let total = mutations.len() as u64;
        let mut done = 0u64;
        let mut iter = mutations.into_iter().peekable();
        while iter.peek().is_some() {
            let mut batch = WriteBatch::default();
            for (mutation, action, object) in iter.by_ref().take(BATCH) {
                let mut draft = self.draft(
                    None,
                    action,
                    object,
                    "données synthétiques",
                    Outcome::Allow,
                    &ctx,
                );
                draft.actor = "system".to_owned();
                batch.mutations.push(mutation);
                batch.journal.push(draft);
            }
            done += batch.mutations.len() as u64;
            self.commit(batch).await?;
            progress(done, total);
        }
        Ok(SeedSummary {
            data,
            written: true,
        })
    }
}
