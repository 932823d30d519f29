//! Arbitration of a conflict: when two units whose targets meet disagree on who leads, either refers
//! it to the competent magistrate (a parquet or JIRS named on one of the two procedures) or, for
//! files that are not judicial, to OFAST. The arbiter alone sees both summaries (never the units:
//! each still sees only the notice), decides, and both units read the decision in their list.
//! Every step is journaled.
//!
//! The state machine (one referral, one decision, a lead unit among the two) is
//! `vigie_targets::workflow`; this module checks who may ask, reads the two targets, stores and
//! journals. A referral refers to its two targets, so it is erased with either of them.

use crate::auth::Actor;
use crate::error::{EngineError, EngineResult};
use crate::targets::{add_match, key_rows, match_of, parse_file};
use crate::{clock, Engine, RequestContext};
use uuid::Uuid;
use vigie_core::entity::{FieldError, LegalRegime};
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::org::{UnitId, UnitKind};
use vigie_core::policy::{decide, Action};
use vigie_store::{Mutation, RecordQuery, TargetRecord, WorkflowRecord, WriteBatch};
use vigie_targets::workflow::{Arbitration, ArbitrationId, ArbitrationOutcome};
use vigie_targets::{MatchKind, TargetFile, TargetId};

const ARBITRATION_KIND: &str = "arbitration";

/// A referral with the names the pages show.
#[derive(Clone, Debug, PartialEq)]
pub struct ArbitrationView {
    pub arbitration: Arbitration,
    pub first_unit_name: String,
    pub second_unit_name: String,
    pub arbiter_name: String,
}

impl ArbitrationView {
    /// The decision in words ("Direction confiée à ..."), once rendered.
    pub fn decision_fr(&self) -> Option<String> {
        self.arbitration.decision.as_ref().map(|decision| {
            decision.outcome.label_fr(|unit| {
                if unit == self.arbitration.first_unit {
                    self.first_unit_name.clone()
                } else {
                    self.second_unit_name.clone()
                }
            })
        })
    }
}

/// What the arbiter reads of one of the two targets.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetSummary {
    pub target: TargetId,
    pub unit_name: String,
    pub caption: String,
    pub procedure: String,
    pub regime: LegalRegime,
    pub magistrate: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
    pub registered_at_micros: i64,
    pub identifiers: usize,
    pub renewals: usize,
}

/// The arbiter's view of a referral: both summaries and how the targets met.
#[derive(Clone, Debug, PartialEq)]
pub struct ArbitrationCase {
    pub view: ArbitrationView,
    pub first: TargetSummary,
    pub second: TargetSummary,
    pub matches: Vec<MatchKind>,
}

/// An arbiter a unit may refer a conflict to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArbiterChoice {
    pub unit: UnitId,
    pub name: String,
}

fn parse(record: &WorkflowRecord) -> EngineResult<Arbitration> {
    serde_json::from_str(&record.body)
        .map_err(|error| EngineError::Corrupt(format!("arbitration {}: {error}", record.id)))
}

/// A conditional write refused because the record changed since it was read, told in French.
pub(crate) fn changed_meanwhile(error: EngineError, message: &str) -> EngineError {
    match error {
        EngineError::Conflict(_) => EngineError::Conflict(message.to_owned()),
        other => other,
    }
}

fn invalid(field: &str, message: impl Into<String>) -> EngineError {
    EngineError::Invalid(vec![FieldError {
        field: field.to_owned(),
        message: message.into(),
    }])
}

/// The record that holds a pair of targets' open referral, if any: one per pair (its id is the pair
/// in registration order), written conditionally, so that of two referrals of one pair sent at
/// once exactly one is created. Erased with either target.
const OPEN_PAIR_KIND: &str = "arbitration_open";

fn open_pair_record(
    first: TargetId,
    second: TargetId,
    open: Option<ArbitrationId>,
    at_micros: i64,
) -> EngineResult<WorkflowRecord> {
    Ok(WorkflowRecord {
        kind: OPEN_PAIR_KIND.to_owned(),
        id: format!("{}:{}", first.0, second.0),
        target_a: Some(first),
        target_b: Some(second),
        starts_micros: at_micros,
        ends_micros: at_micros,
        area: None,
        body: serde_json::to_string(&serde_json::json!({ "open": open.map(|id| id.0) }))
            .map_err(|error| EngineError::Internal(error.to_string()))?,
    })
}

fn to_record(arbitration: &Arbitration) -> EngineResult<WorkflowRecord> {
    Ok(WorkflowRecord {
        area: None,
        kind: ARBITRATION_KIND.to_owned(),
        id: arbitration.id.0.to_string(),
        target_a: Some(arbitration.first_target),
        target_b: Some(arbitration.second_target),
        starts_micros: arbitration.referred_at_micros,
        ends_micros: arbitration.referred_at_micros,
        body: serde_json::to_string(arbitration)
            .map_err(|error| EngineError::Internal(error.to_string()))?,
    })
}

impl Engine {
    /// The other unit's live target that meets one of the actor's own, or `NotFound` (a target
    /// that does not meet the actor's is as missing as one that does not exist: no probing by id).
    async fn conflicting_pair(
        &self,
        actor: &Actor,
        own: TargetId,
        other: TargetId,
    ) -> EngineResult<(TargetRecord, TargetFile, TargetRecord, TargetFile)> {
        let (own_record, own_file) = self.own_target(actor, own).await?;
        let keys = key_rows(&own_file, own_record.registered_at_micros);
        let digests: Vec<[u8; 16]> = keys.iter().map(|key| key.digest).collect();
        let now = clock::micros(self.inner.clock.now());
        let other_record = self
            .inner
            .store
            .key_hits(&digests, now)
            .await?
            .into_iter()
            .find(|hit| hit.target.id == other && hit.target.unit != actor.unit.id)
            .map(|hit| hit.target)
            .ok_or(EngineError::NotFound)?;
        let other_file = parse_file(&other_record)?;
        Ok((own_record, own_file, other_record, other_file))
    }

    /// Who may arbitrate a conflict between two files: the parquets and JIRS named on either
    /// procedure when one of them is judicial, OFAST otherwise.
    async fn arbiters(&self, a: &TargetFile, b: &TargetFile) -> EngineResult<Vec<ArbiterChoice>> {
        let judicial = a.regime == LegalRegime::Judicial || b.regime == LegalRegime::Judicial;
        let units = self.inner.store.units().await?;
        let mut choices = Vec::new();
        if judicial {
            for file in [a, b] {
                if let Some(id) = file.magistrate.as_ref().and_then(|m| m.unit) {
                    if let Some(unit) = units.iter().find(|unit| unit.id == id) {
                        if !choices
                            .iter()
                            .any(|choice: &ArbiterChoice| choice.unit == id)
                        {
                            choices.push(ArbiterChoice {
                                unit: id,
                                name: unit.name.clone(),
                            });
                        }
                    }
                }
            }
        } else {
            choices.extend(
                units
                    .iter()
                    .filter(|unit| unit.kind == UnitKind::Ofast)
                    .map(|unit| ArbiterChoice {
                        unit: unit.id,
                        name: unit.name.clone(),
                    }),
            );
        }
        Ok(choices)
    }

    /// The arbiters the actor may refer the conflict between its target and another unit's to.
    pub async fn arbiters_for(
        &self,
        actor: &Actor,
        own: TargetId,
        other: TargetId,
    ) -> EngineResult<Vec<ArbiterChoice>> {
        self.require(actor, Action::ReferArbitration)?;
        let (_, own_file, _, other_file) = self.conflicting_pair(actor, own, other).await?;
        self.arbiters(&own_file, &other_file).await
    }

    /// Refers the conflict between one of the actor's targets and another unit's to an arbiter
    /// (`None`: the first competent one). One open referral per pair.
    pub async fn refer_arbitration(
        &self,
        actor: &Actor,
        own: TargetId,
        other: TargetId,
        arbiter: Option<UnitId>,
        reason: &str,
        ctx: &RequestContext,
    ) -> EngineResult<ArbitrationView> {
        self.require(actor, Action::ReferArbitration)?;
        let (own_record, own_file, other_record, other_file) =
            self.conflicting_pair(actor, own, other).await?;
        let choices = self.arbiters(&own_file, &other_file).await?;
        let arbiter = match arbiter {
            Some(wanted) => choices
                .iter()
                .find(|choice| choice.unit == wanted)
                .ok_or_else(|| {
                    invalid(
                        "arbiter",
                        "Arbitre : ni un magistrat désigné sur l'une des deux procédures, ni l'OFAST pour un dossier non judiciaire",
                    )
                })?,
            None => choices.first().ok_or_else(|| {
                invalid(
                    "arbiter",
                    "Aucun parquet ni JIRS présent dans Vigie n'est désigné sur ces procédures judiciaires : désignez le magistrat sur l'objectif, ou saisissez-le hors Vigie",
                )
            })?,
        };
        let open = self
            .inner
            .store
            .records(&RecordQuery {
                area: None,
                kind: ARBITRATION_KIND.to_owned(),
                targets: Some(vec![own]),
                window: None,
            })
            .await?;
        for record in &open {
            let existing = parse(record)?;
            let same_pair = [existing.first_target, existing.second_target].contains(&other);
            if same_pair && existing.decision.is_none() {
                return Err(EngineError::Conflict(
                    "Un arbitrage est déjà en cours pour ces deux objectifs".to_owned(),
                ));
            }
        }
        let now = clock::micros(self.inner.clock.now());
        // The earlier registered target comes first.
        let (first, second) = if own_record.order < other_record.order {
            ((own, own_record.unit), (other, other_record.unit))
        } else {
            ((other, other_record.unit), (own, own_record.unit))
        };
        let arbitration = Arbitration::refer(
            ArbitrationId(Uuid::new_v4()),
            first,
            second,
            arbiter.unit,
            actor.unit.id,
            now,
            reason,
        )?;
        // The pair's marker, as read: absent, or closed by a decision (an open one was refused
        // above, from the referrals themselves).
        let marker = open_pair_record(first.0, second.0, Some(arbitration.id), now)?;
        let marker_read = self
            .inner
            .store
            .record(OPEN_PAIR_KIND, &marker.id)
            .await?
            .map(|record| record.body);
        let still_open = marker_read
            .as_deref()
            .and_then(|body| serde_json::from_str::<serde_json::Value>(body).ok())
            .is_some_and(|body| !body["open"].is_null());
        if still_open {
            return Err(EngineError::Conflict(
                "Un arbitrage est déjà en cours pour ces deux objectifs".to_owned(),
            ));
        }
        self.commit(WriteBatch {
            mutations: vec![
                Mutation::PutRecord(to_record(&arbitration)?),
                // Two referrals of one pair at once: both read the same marker, one is kept.
                Mutation::PutRecordIf {
                    record: marker,
                    read: marker_read,
                },
            ],
            journal: vec![self.draft(
                Some(actor),
                JournalAction::Collect,
                format!("arbitration:{}", arbitration.id),
                "saisine de l'arbitre",
                Outcome::Allow,
                ctx,
            )],
        })
        .await
        .map_err(|error| {
            changed_meanwhile(
                error,
                "Un arbitrage est déjà en cours pour ces deux objectifs",
            )
        })?;
        self.arbitration_view(arbitration).await
    }

    /// Names the units of referrals, reading each unit once.
    async fn arbitration_views(
        &self,
        arbitrations: Vec<Arbitration>,
    ) -> EngineResult<Vec<ArbitrationView>> {
        let units = arbitrations
            .iter()
            .flat_map(|a| [a.first_unit, a.second_unit, a.arbiter])
            .collect();
        let names = self.unit_names(units).await?;
        let name = |unit: UnitId| {
            names
                .get(&unit)
                .map(|unit| unit.name.clone())
                .unwrap_or_else(|| "Unité inconnue".to_owned())
        };
        Ok(arbitrations
            .into_iter()
            .map(|arbitration| ArbitrationView {
                first_unit_name: name(arbitration.first_unit),
                second_unit_name: name(arbitration.second_unit),
                arbiter_name: name(arbitration.arbiter),
                arbitration,
            })
            .collect())
    }

    async fn arbitration_view(&self, arbitration: Arbitration) -> EngineResult<ArbitrationView> {
        self.arbitration_views(vec![arbitration])
            .await?
            .pop()
            .ok_or_else(|| EngineError::Internal("a referral lost its view".to_owned()))
    }

    /// The referrals the actor's unit is party to, or (for an arbiter) addressed to it; open ones
    /// first, then newest first. Journaled.
    pub async fn arbitrations(
        &self,
        actor: &Actor,
        ctx: &RequestContext,
    ) -> EngineResult<Vec<ArbitrationView>> {
        let subject = actor.subject();
        if !decide(&subject, Action::ReferArbitration, None).is_allowed()
            && !decide(&subject, Action::DecideArbitration, None).is_allowed()
        {
            return Err(EngineError::Forbidden);
        }
        // Referrals are few (a handful per conflict), so they are read whole and filtered here.
        let records = self
            .inner
            .store
            .records(&RecordQuery {
                area: None,
                kind: ARBITRATION_KIND.to_owned(),
                targets: None,
                window: None,
            })
            .await?;
        self.journal_only(vec![self.draft(
            Some(actor),
            JournalAction::Consult,
            format!("arbitrations:unit:{}", actor.unit.id),
            "",
            Outcome::Allow,
            ctx,
        )])
        .await?;
        let unit = actor.unit.id;
        let mut mine = Vec::new();
        for record in &records {
            let arbitration = parse(record)?;
            if [
                arbitration.first_unit,
                arbitration.second_unit,
                arbitration.arbiter,
            ]
            .contains(&unit)
            {
                mine.push(arbitration);
            }
        }
        let mut views = self.arbitration_views(mine).await?;
        views.sort_by_key(|view| {
            (
                view.arbitration.decision.is_some(),
                std::cmp::Reverse(view.arbitration.referred_at_micros),
            )
        });
        Ok(views)
    }

    /// An arbitration addressed to the actor's unit, with both summaries; journaled (the referral
    /// and each target read). Anyone else gets `NotFound`.
    pub async fn arbitration_case(
        &self,
        actor: &Actor,
        id: ArbitrationId,
        ctx: &RequestContext,
    ) -> EngineResult<ArbitrationCase> {
        self.require(actor, Action::DecideArbitration)?;
        let arbitration = self
            .addressed_to(actor, id)
            .await
            .map(|(arbitration, _)| arbitration);
        let outcome = if arbitration.is_ok() {
            Outcome::Allow
        } else {
            Outcome::Deny
        };
        let mut journal = vec![self.draft(
            Some(actor),
            JournalAction::Consult,
            format!("arbitration:{id}"),
            "arbitrage",
            outcome,
            ctx,
        )];
        let arbitration = match arbitration {
            Ok(arbitration) => arbitration,
            Err(error) => {
                self.journal_only(journal).await?;
                return Err(error);
            }
        };
        let mut records = Vec::new();
        for target in [arbitration.first_target, arbitration.second_target] {
            let record = self
                .inner
                .store
                .target(target)
                .await?
                .ok_or(EngineError::NotFound)?;
            journal.push(self.draft(
                Some(actor),
                JournalAction::Consult,
                format!("target:{target}"),
                &format!("arbitrage {id}"),
                Outcome::Allow,
                ctx,
            ));
            records.push(record);
        }
        self.journal_only(journal).await?;
        let view = self.arbitration_view(arbitration).await?;
        let files = records
            .iter()
            .map(parse_file)
            .collect::<EngineResult<Vec<_>>>()?;
        let mut matches = Vec::new();
        if let [first, second] = files.as_slice() {
            let first_keys = key_rows(first, 0);
            for key in key_rows(second, 0) {
                if let Some(own) = first_keys.iter().find(|own| own.digest == key.digest) {
                    if let Some(kind) = match_of(own, &key) {
                        add_match(&mut matches, kind);
                    }
                }
            }
        }
        let summary = |record: &TargetRecord, file: &TargetFile, unit_name: &str| TargetSummary {
            target: record.id,
            unit_name: unit_name.to_owned(),
            caption: file.caption(),
            procedure: file.procedure.clone(),
            regime: file.regime,
            magistrate: file.magistrate.as_ref().map(|m| m.name.clone()),
            contact_name: file.contact_name.clone(),
            contact_phone: file.contact_phone.clone(),
            registered_at_micros: record.registered_at_micros,
            identifiers: file.identifiers.len(),
            renewals: file.renewals.len(),
        };
        let (Some(first_record), Some(second_record), Some(first_file), Some(second_file)) =
            (records.first(), records.get(1), files.first(), files.get(1))
        else {
            return Err(EngineError::NotFound);
        };
        Ok(ArbitrationCase {
            first: summary(first_record, first_file, &view.first_unit_name),
            second: summary(second_record, second_file, &view.second_unit_name),
            view,
            matches,
        })
    }

    /// The arbitration if it is addressed to the actor's unit, with its body as read (for a
    /// conditional write).
    async fn addressed_to(
        &self,
        actor: &Actor,
        id: ArbitrationId,
    ) -> EngineResult<(Arbitration, String)> {
        match self
            .inner
            .store
            .record(ARBITRATION_KIND, &id.0.to_string())
            .await?
        {
            Some(record) => {
                let arbitration = parse(&record)?;
                if arbitration.arbiter == actor.unit.id {
                    Ok((arbitration, record.body))
                } else {
                    Err(EngineError::NotFound)
                }
            }
            None => Err(EngineError::NotFound),
        }
    }

    /// The arbiter decides: one unit leads, co-referral, or a joint team, with a motivation.
    pub async fn decide_arbitration(
        &self,
        actor: &Actor,
        id: ArbitrationId,
        outcome: ArbitrationOutcome,
        motivation: &str,
        ctx: &RequestContext,
    ) -> EngineResult<ArbitrationView> {
        self.require(actor, Action::DecideArbitration)?;
        let (mut arbitration, read) = self.addressed_to(actor, id).await?;
        let now = clock::micros(self.inner.clock.now());
        arbitration.decide(outcome, motivation, now, actor.journal_ref())?;
        self.commit(WriteBatch {
            // Of two decisions given at once, the second finds the record changed: refused.
            mutations: vec![
                Mutation::PutRecordIf {
                    record: to_record(&arbitration)?,
                    read: Some(read),
                },
                // The pair may be referred again.
                Mutation::PutRecord(open_pair_record(
                    arbitration.first_target,
                    arbitration.second_target,
                    None,
                    now,
                )?),
            ],
            journal: vec![self.draft(
                Some(actor),
                JournalAction::Modify,
                format!("arbitration:{id}"),
                "décision d'arbitrage",
                Outcome::Allow,
                ctx,
            )],
        })
        .await
        .map_err(|error| {
            changed_meanwhile(
                error,
                "Cet arbitrage a été modifié entre-temps : rechargez la page",
            )
        })?;
        self.arbitration_view(arbitration).await
    }
}
