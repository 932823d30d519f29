//! The target-file part of the demo (`vigie serve --demo`): a few targets from Vigie's generator
//! registered by the Marseille units, arranged so that the pages have something to show: two units on
//! the same man (a spelling variant and a shared phone), a referral pending at the JIRS, overlapping
//! operations tomorrow night, and a priority list with one listed target and one nomination.
//!
//! Everything goes through the same engine methods as users' actions, acting as the demo accounts,
//! so it is checked by the policy and journaled like the rest. Nothing here runs outside demo mode:
//! tests and real deployments start with an empty target file.

use crate::auth::Actor;
use crate::error::{EngineError, EngineResult};
use crate::{clock, Engine, RequestContext};
use vigie_targets::operations::OperationDraft;
use vigie_targets::{IdentifierDraft, PersonDraft, TargetDraft};

const HOUR: i64 = 3_600_000_000;

/// What the demo seeded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoWorkflows {
    pub targets: usize,
    pub operations: usize,
    pub arbitrations: usize,
    pub priority_entries: usize,
}

impl Engine {
    /// The demo account `username` as an actor (no session: the demo acts on its own behalf).
    pub(crate) async fn demo_actor(&self, username: &str) -> EngineResult<Actor> {
        let record = self
            .inner
            .store
            .account_by_username(username)
            .await?
            .ok_or_else(|| EngineError::Config(format!("demo account {username} is missing")))?;
        let unit = self
            .inner
            .store
            .unit(record.account.unit)
            .await?
            .ok_or_else(|| EngineError::Config(format!("unit of {username} is missing")))?;
        Ok(Actor {
            account: record.account,
            unit,
            session_hash: String::new(),
        })
    }

    /// Seeds the demo's targets, operations, referral and priority list (see the module doc).
    pub async fn seed_demo_workflows(&self, seed: u64) -> EngineResult<DemoWorkflows> {
        let ctx = RequestContext {
            request_id: format!("demo-{seed}"),
        };
        let police = self.demo_actor("agent.marseille").await?;
        let gendarme = self.demo_actor("agent.gendarmerie").await?;
        let douane = self.demo_actor("agent.douane").await?;
        let ofast = self.demo_actor("analyste.ofast").await?;
        let jirs = self
            .inner
            .store
            .units()
            .await?
            .into_iter()
            .find(|unit| unit.code == "JIRS-MARSEILLE")
            .map(|unit| unit.id);
        let people = vigie_synth::targets::targets(seed, 4, 3);
        let [first, second, third, fourth] = people.as_slice() else {
            return Err(EngineError::Internal(
                "the generator gave too few targets".into(),
            ));
        };
        let identifiers = |target: &vigie_synth::targets::SynthTarget| -> Vec<IdentifierDraft> {
            target
                .identifiers
                .iter()
                .map(|(kind, value)| IdentifierDraft {
                    kind: (*kind).to_owned(),
                    value: value.clone(),
                })
                .collect()
        };
        let person = |target: &vigie_synth::targets::SynthTarget| PersonDraft {
            surname: target.surname.clone(),
            given_names: target.given_name.clone(),
            aliases: Vec::new(),
            birth_date: Some(target.birth_date.clone()),
            birth_place: Some("Marseille".to_owned()),
        };
        let draft = |procedure: &str, regime: &str, contact: (&str, &str)| TargetDraft {
            procedure: procedure.to_owned(),
            regime: regime.to_owned(),
            magistrate_unit: None,
            magistrate_name: None,
            contact_name: contact.0.to_owned(),
            contact_phone: contact.1.to_owned(),
            person: None,
            identifiers: Vec::new(),
        };
        let mut done = DemoWorkflows::default();

        // The gendarmes' man, under the JIRS.
        let mut sr = draft(
            "SR-13-2026-0412",
            "judicial",
            ("Adjudant Morel", "04 91 00 00 02"),
        );
        sr.magistrate_unit = jirs;
        sr.magistrate_name = Some("Mme Castel, JIRS de Marseille".to_owned());
        sr.person = Some(person(first));
        sr.identifiers = identifiers(first);
        let sr_target = self.register_target(&gendarme, sr, &ctx).await?.target.id;
        // Customs has the same man, his surname in capitals and one of his phones.
        let mut customs = draft(
            "DNRED-2026-077",
            "customs",
            ("Inspectrice Roux", "04 91 00 00 05"),
        );
        customs.person = Some(PersonDraft {
            surname: first.surname.to_uppercase(),
            ..person(first)
        });
        customs.identifiers = identifiers(second);
        customs
            .identifiers
            .extend(identifiers(first).into_iter().take(1));
        let customs_target = self
            .register_target(&douane, customs, &ctx)
            .await?
            .target
            .id;
        // The police's own targets: one listed on the priority list, one that meets the gendarmes'.
        let mut sd = draft(
            "SD-13-2026-1180",
            "judicial",
            ("Capitaine Marchetti", "04 91 00 00 01"),
        );
        sd.magistrate_name = Some("Parquet de Marseille, M. Vidal".to_owned());
        sd.person = Some(person(third));
        sd.identifiers = identifiers(third);
        let sd_target = self.register_target(&police, sd, &ctx).await?.target.id;
        let mut sd_second = draft(
            "SD-13-2026-1201",
            "judicial",
            ("Capitaine Marchetti", "04 91 00 00 01"),
        );
        sd_second.magistrate_name = Some("Parquet de Marseille, M. Vidal".to_owned());
        sd_second.identifiers = identifiers(fourth);
        sd_second
            .identifiers
            .extend(identifiers(first).into_iter().skip(1).take(1));
        self.register_target(&police, sd_second, &ctx).await?;
        done.targets = 4;

        // Customs refers the question of who leads to the JIRS.
        if jirs.is_some() {
            self.refer_arbitration(
                &douane,
                customs_target,
                sr_target,
                None,
                "Les deux services préparent une interpellation du même homme : qui dirige ?",
                &ctx,
            )
            .await?;
            done.arbitrations = 1;
        }

        // Priority list: the police's target listed, the gendarmes' nominated.
        self.nominate_priority(
            &police,
            sd_target,
            "Semi-grossiste qui approvisionne trois points de deal des quartiers nord",
            &ctx,
        )
        .await?;
        self.decide_priority(
            &ofast,
            sd_target,
            true,
            "Inscrit par le comité : implantation durable, violences associées",
            &ctx,
        )
        .await?;
        self.nominate_priority(
            &gendarme,
            sr_target,
            "Logisticien du réseau, importations par conteneurs",
            &ctx,
        )
        .await?;
        done.priority_entries = 2;

        // Tomorrow night, two units in the same cité.
        let now = clock::micros(self.inner.clock.now());
        let midnight = now - now.rem_euclid(24 * HOUR) + 24 * HOUR;
        let operation = |label: &str, kind: &str, lat: f64, start: i64, end: i64| OperationDraft {
            kind: kind.to_owned(),
            label: label.to_owned(),
            starts_micros: midnight + start * HOUR,
            ends_micros: midnight + end * HOUR,
            lat,
            lon: 5.3589,
            radius_m: 150,
            contact_name: "Commandant Viala".to_owned(),
            contact_phone: "04 91 00 00 03".to_owned(),
        };
        self.declare_operation(
            &police,
            operation("Perquisitions bât. H et J", "search", 43.3736, 4, 8),
            &ctx,
        )
        .await?;
        self.declare_operation(
            &gendarme,
            operation("Interpellation, équipe SR", "arrest", 43.3741, 5, 7),
            &ctx,
        )
        .await?;
        done.operations = 2;
        Ok(done)
    }
}
