//! Seeding a store with Vigie's own synthetic data (`vigie synth`, `vigie serve --demo`).
//!
//! This is the engine acting on its own behalf: the writes bypass the per-actor policy (there is no
//! actor yet) but not the journal: every unit, account, entity and intelligence item written gets a
//! journal entry whose actor is `system`, in the same transaction. Only synthetic data from
//! `vigie-synth` comes this way.

use crate::auth::hash_password;
use crate::error::{EngineError, EngineResult};
use crate::intel::record_of;
use crate::{Engine, RequestContext};
use vigie_core::journal::{JournalAction, Outcome};
use vigie_store::{AccountRecord, IntelQuery, Mutation, WriteBatch};
use vigie_synth::intel::{departement_of, intel_items, item_id, to_item, DemoIntelWorld};
use vigie_synth::{generate, SynthData, SynthOptions};

/// What was seeded.
#[derive(Clone, Debug)]
pub struct SeedSummary {
    pub data: SynthData,
    /// False when the store already held units (nothing was written).
    pub written: bool,
}

const BATCH: usize = 500;

/// How many synthetic intelligence items the demo (`vigie serve --demo`) holds.
pub const DEMO_INTEL_ITEMS: usize = 3_000;

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
        self.write_as_system(mutations, &ctx, progress).await?;
        Ok(SeedSummary {
            data,
            written: true,
        })
    }

    /// Writes `count` synthetic intelligence items about the units, communes and people of `data`
    /// (`vigie_synth::intel`), unless the store already holds items; returns how many were written.
    /// Deterministic for `seed` (ids included), recorded at or before now, observed in the two years
    /// before. `progress` is called with (done, count) after each batch.
    pub async fn seed_intel(
        &self,
        seed: u64,
        data: &SynthData,
        count: usize,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> EngineResult<usize> {
        let existing = self
            .inner
            .store
            .intel_items(&IntelQuery {
                limit: 1,
                ..IntelQuery::default()
            })
            .await?;
        if count == 0 || !existing.is_empty() {
            return Ok(0);
        }
        let now = self.inner.clock.now();
        let today = now.date();
        let demo = DemoIntelWorld::from_data(data);
        let world = demo.world();
        let mut mutations = Vec::with_capacity(count);
        for (index, synth) in intel_items(seed, count, &world, now).enumerate() {
            let id = item_id(seed, index as u64);
            let departement = synth
                .draft
                .commune
                .as_deref()
                .and_then(departement_of)
                .map(str::to_owned);
            let item = to_item(&synth, id, departement, today).map_err(|errors| {
                EngineError::Internal(format!(
                    "synthetic intel item {index} is invalid: {}",
                    errors
                        .iter()
                        .map(|error| format!("{}: {}", error.field, error.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                ))
            })?;
            mutations.push((
                Mutation::PutIntelItem(record_of(&item)?),
                JournalAction::Collect,
                format!("intel:{id}"),
            ));
        }
        let written = mutations.len();
        let ctx = RequestContext {
            request_id: format!("synth-intel-{seed}"),
        };
        self.write_as_system(mutations, &ctx, progress).await?;
        Ok(written)
    }

    /// Commits `mutations` in batches, each with its journal entry as `system` ("données
    /// synthétiques"), calling `progress` with (done, total) after each batch.
    async fn write_as_system(
        &self,
        mutations: Vec<(Mutation, JournalAction, String)>,
        ctx: &RequestContext,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> EngineResult<()> {
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
                    ctx,
                );
                draft.actor = "system".to_owned();
                batch.mutations.push(mutation);
                batch.journal.push(draft);
            }
            done += batch.mutations.len() as u64;
            self.commit(batch).await?;
            progress(done, total);
        }
        Ok(())
    }
}
