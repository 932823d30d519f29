//! Time to generate a synthetic world of 100,000 people (seed 42), with the entity and link counts.
//!
//! Run with `cargo bench -p vigie-synth --bench generate` (or `bench/store-throughput.sh`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Benchmark code: a failure aborts the run.

use std::time::Instant;
use time::macros::datetime;
use vigie_core::entity::Schema;
use vigie_synth::{generate, SynthOptions};

fn main() {
    let options = SynthOptions {
        seed: 42,
        people: 100_000,
        recorded_at: datetime!(2026-01-15 09:30 UTC),
    };
    let started = Instant::now();
    let data = generate(&options);
    let elapsed = started.elapsed();
    println!(
        "100 000 personnes : {} entités, {} liens en {:.2} s",
        data.entities.len(),
        data.links.len(),
        elapsed.as_secs_f64()
    );
    let people = data
        .entities
        .iter()
        .filter(|entity| entity.schema == Schema::Person)
        .count();
    assert_eq!(people, 100_000);
}
