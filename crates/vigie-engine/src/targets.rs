//! The national target file (FNOS) and blind deconfliction, behind the policy and the journal.
//!
//! A unit registers targets (a person and/or identifiers) under a procedure. Every registration, and
//! every identifier added later, is compared with all other units' live targets through their
//! deconfliction keys (`vigie_targets::keys`). Conflicts are not stored: they are derived from the
//! committed keys whenever they are read, so two units registering the same target at the same
//! instant both see each other, and the registration order (given by the store) says who was first.
//! A notice says only who else works on it, whom to call, which magistrate, since when and how the
//! targets met: never the other file's content.
//!
//! Registrations are journaled (`collect`) in the same transaction; reading the unit's targets and
//! notices is journaled (`consult`) before the answer; a standalone check is journaled (`search`),
//! and more than [`PROBE_LIMIT_PER_HOUR`] checks by one account in an hour raise an alert for the
//! inspection. Targets expire two years after registration or renewal and at once when the
//! procedure ends: they are then erased from every table (the journal keeps only their reference).

use crate::auth::Actor;
use crate::error::{EngineError, EngineResult};
use crate::{clock, Engine, RequestContext};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;
use vigie_core::entity::FieldError;
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::org::{Unit, UnitId, UnitKind};
use vigie_core::policy::{decide, Action, Decision};
use vigie_store::{
    JournalQuery, KeyRow, Mutation, RecordQuery, TargetRecord, TargetWrite, WorkflowRecord,
    WriteBatch,
};
use vigie_targets::keys::subject_keys;
use vigie_targets::model::{validate_identifiers, validate_subject};
use vigie_targets::{
    expiry_after, target_keys, IdentifierDraft, KeyKind, MatchKind, PersonDraft, Renewal,
    TargetDraft, TargetFile, TargetId,
};

/// More standalone checks than this by one account within an hour alert the inspection.
pub const PROBE_LIMIT_PER_HOUR: usize = 30;
/// Most targets in one bulk registration.
pub const MAX_BULK_TARGETS: usize = 200_000;
const ALERT_KIND: &str = "probe_alert";
const HOUR_MICROS: i64 = 3_600_000_000;

/// A target of the actor's unit, as its lists show it.
#[derive(Clone, Debug)]
pub struct TargetView {
    pub id: TargetId,
    pub file: TargetFile,
    pub registered_at_micros: i64,
    pub expires_at_micros: i64,
    /// How many other units' targets it currently meets.
    pub conflicts: usize,
}

/// What one unit is told about another unit's target that meets one of its own (or the identifiers
/// it checked). Nothing of the other file's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The actor's target concerned (`None` for a standalone check).
    pub own_target: Option<TargetId>,
    pub own_caption: String,
    pub other_target: TargetId,
    pub other_unit: UnitId,
    pub other_unit_name: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// The magistrate in charge of the other procedure, when it has one.
    pub magistrate: Option<String>,
    pub other_registered_at_micros: i64,
    /// Whether the other unit registered first.
    pub other_is_earlier: bool,
    /// When the two first met: the later of the two keys that matched.
    pub since_micros: i64,
    pub matches: Vec<MatchKind>,
}

impl Notice {
    pub fn matches_fr(&self) -> String {
        self.matches
            .iter()
            .map(|kind| kind.label_fr())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What a registration gives back.
#[derive(Clone, Debug)]
pub struct Registration {
    pub target: TargetView,
    pub notices: Vec<Notice>,
    pub journal_seq: u64,
}

/// What a bulk registration gives back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkRegistration {
    pub registered: usize,
    /// Targets of this batch that meet another unit's target.
    pub with_conflicts: usize,
}

/// A standalone check's answer.
#[derive(Clone, Debug)]
pub struct CheckOutcome {
    pub notices: Vec<Notice>,
    pub journal_seq: u64,
}

/// An alert for the inspection: an account checked more than the hourly limit.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProbeAlert {
    pub account: String,
    pub unit: String,
    pub hour_start_micros: i64,
    pub checks: usize,
}

/// One shared key seen from the actor's side: (own target, its caption, own key, other key, other
/// target, own registration order). A standalone check has no own target nor order.
type NoticeRow = (
    Option<TargetId>,
    String,
    KeyRow,
    KeyRow,
    TargetRecord,
    Option<i64>,
);

impl TargetView {
    fn new(record: &TargetRecord, file: TargetFile, conflicts: usize) -> Self {
        TargetView {
            id: record.id,
            file,
            registered_at_micros: record.registered_at_micros,
            expires_at_micros: record.expires_at_micros,
            conflicts,
        }
    }
}

pub(crate) fn parse_file(record: &TargetRecord) -> EngineResult<TargetFile> {
    serde_json::from_str(&record.body).map_err(|error| {
        EngineError::Corrupt(format!(
            "target {} has an unreadable body: {error}",
            record.id
        ))
    })
}

pub(crate) fn key_rows(file: &TargetFile, at_micros: i64) -> Vec<KeyRow> {
    rows_of(target_keys(file), at_micros)
}

fn rows_of(keys: Vec<vigie_targets::DeconflictionKey>, at_micros: i64) -> Vec<KeyRow> {
    keys.into_iter()
        .map(|key| KeyRow {
            digest: key.digest.0,
            kind: key.kind.as_str().to_owned(),
            exact: key.exact,
            added_at_micros: at_micros,
        })
        .collect()
}

/// Adds a kind of match to a sorted list, once. An exact identity also shares its variants' keys,
/// so it hides them: the list then says only "exact".
pub(crate) fn add_match(matches: &mut Vec<MatchKind>, kind: MatchKind) {
    let hidden = kind == MatchKind::PersonVariant && matches.contains(&MatchKind::PersonExact);
    if hidden || matches.contains(&kind) {
        return;
    }
    if kind == MatchKind::PersonExact {
        matches.retain(|known| *known != MatchKind::PersonVariant);
    }
    matches.push(kind);
    matches.sort();
}

pub(crate) fn match_of(own: &KeyRow, other: &KeyRow) -> Option<MatchKind> {
    KeyKind::parse(&other.kind).map(|kind| MatchKind::of(kind, own.exact, other.exact))
}

impl Engine {
    /// Decides an action of the target file for the actor (no object: the file is the unit's own).
    fn allow_targets(&self, actor: &Actor, action: Action) -> EngineResult<()> {
        match decide(&actor.subject(), action, None) {
            Decision::Allow | Decision::AllowWithMotif => Ok(()),
            Decision::Deny(_) => Err(EngineError::Forbidden),
        }
    }

    pub(crate) async fn unit_names(
        &self,
        units: Vec<UnitId>,
    ) -> EngineResult<HashMap<UnitId, Unit>> {
        let mut out = HashMap::new();
        for id in units {
            if let std::collections::hash_map::Entry::Vacant(slot) = out.entry(id) {
                if let Some(unit) = self.inner.store.unit(id).await? {
                    slot.insert(unit);
                }
            }
        }
        Ok(out)
    }

    /// Builds notices from (own target, own caption, own key, other key, other target) rows: one
    /// notice per pair of targets, its match kinds merged.
    async fn notices(&self, rows: Vec<NoticeRow>) -> EngineResult<Vec<Notice>> {
        let unit_ids: Vec<UnitId> = rows.iter().map(|row| row.4.unit).collect();
        let units = self.unit_names(unit_ids).await?;
        let mut by_pair: BTreeMap<(Option<TargetId>, TargetId), Notice> = BTreeMap::new();
        for (own_target, own_caption, own_key, other_key, other, own_order) in rows {
            let Some(kind) = match_of(&own_key, &other_key) else {
                continue;
            };
            let since = own_key.added_at_micros.max(other_key.added_at_micros);
            let notice = match by_pair.entry((own_target, other.id)) {
                std::collections::btree_map::Entry::Occupied(slot) => slot.into_mut(),
                std::collections::btree_map::Entry::Vacant(slot) => {
                    let file = parse_file(&other)?;
                    let unit_name = units
                        .get(&other.unit)
                        .map(|unit| unit.name.clone())
                        .unwrap_or_else(|| "Unité inconnue".to_owned());
                    slot.insert(Notice {
                        own_target,
                        own_caption,
                        other_target: other.id,
                        other_unit: other.unit,
                        other_unit_name: unit_name,
                        contact_name: file.contact_name,
                        contact_phone: file.contact_phone,
                        magistrate: file
                            .magistrate
                            .map(|m| m.name)
                            .filter(|name| !name.is_empty()),
                        other_registered_at_micros: other.registered_at_micros,
                        other_is_earlier: own_order.is_none_or(|own| other.order < own),
                        since_micros: since,
                        matches: Vec::new(),
                    })
                }
            };
            notice.since_micros = notice.since_micros.min(since);
            add_match(&mut notice.matches, kind);
        }
        let mut notices: Vec<Notice> = by_pair.into_values().collect();
        notices.sort_by_key(|notice| std::cmp::Reverse(notice.since_micros));
        Ok(notices)
    }

    /// The notices of one target of the actor's unit, read from the store.
    async fn notices_of(
        &self,
        actor: &Actor,
        record: &TargetRecord,
        file: &TargetFile,
    ) -> EngineResult<Vec<Notice>> {
        let keys = key_rows(file, record.registered_at_micros);
        let digests: Vec<[u8; 16]> = keys.iter().map(|key| key.digest).collect();
        let now = clock::micros(self.inner.clock.now());
        let hits = self.inner.store.key_hits(&digests, now).await?;
        let caption = file.caption();
        let rows = hits
            .into_iter()
            .filter(|hit| hit.target.unit != actor.unit.id)
            .filter_map(|hit| {
                let own = keys.iter().find(|key| key.digest == hit.digest)?.clone();
                Some((
                    Some(record.id),
                    caption.clone(),
                    own,
                    hit.key,
                    hit.target,
                    Some(record.order),
                ))
            })
            .collect();
        self.notices(rows).await
    }

    /// Registers one target for the actor's unit and answers with the notices it raised.
    pub async fn register_target(
        &self,
        actor: &Actor,
        draft: TargetDraft,
        ctx: &RequestContext,
    ) -> EngineResult<Registration> {
        self.allow_targets(actor, Action::RegisterTarget)?;
        let now = self.inner.clock.now();
        let now_micros = clock::micros(now);
        let file = draft.validate(now_micros).map_err(EngineError::Invalid)?;
        if let Some(unit) = file.magistrate.as_ref().and_then(|m| m.unit) {
            self.check_magistrate(unit).await?;
        }
        let record = TargetRecord {
            id: TargetId(Uuid::new_v4()),
            unit: actor.unit.id,
            registered_at_micros: now_micros,
            expires_at_micros: clock::micros(expiry_after(now)),
            order: 0,
            body: String::new(),
        };
        self.store_target(actor, record, file, JournalAction::Collect, "", ctx)
            .await
    }

    /// Writes one target of the actor's unit (new or changed) with its keys and journal entry, then
    /// answers with it as stored and the notices it now raises.
    async fn store_target(
        &self,
        actor: &Actor,
        mut record: TargetRecord,
        file: TargetFile,
        action: JournalAction,
        motif: &str,
        ctx: &RequestContext,
    ) -> EngineResult<Registration> {
        record.body = serde_json::to_string(&file)
            .map_err(|error| EngineError::Internal(error.to_string()))?;
        // Keys of identifiers added now carry this instant; keys already stored keep theirs.
        let keys = key_rows(&file, clock::micros(self.inner.clock.now()));
        let draft = self.draft(
            Some(actor),
            action,
            format!("target:{}", record.id),
            motif,
            Outcome::Allow,
            ctx,
        );
        let id = record.id;
        let seqs = self
            .commit(WriteBatch {
                mutations: vec![Mutation::PutTargets(vec![TargetWrite {
                    target: record,
                    keys,
                }])],
                journal: vec![draft],
            })
            .await?;
        // Read back: the registration order is the store's.
        let stored = self.inner.store.target(id).await?.ok_or_else(|| {
            EngineError::Internal("the target just written is missing".to_owned())
        })?;
        let notices = self.notices_of(actor, &stored, &file).await?;
        Ok(Registration {
            target: TargetView::new(&stored, file, notices.len()),
            notices,
            journal_seq: seqs.first().copied().unwrap_or_default(),
        })
    }

    /// A magistrate named by a unit id must be a parquet or JIRS unit.
    async fn check_magistrate(&self, unit: UnitId) -> EngineResult<()> {
        match self.inner.store.unit(unit).await? {
            Some(found) if matches!(found.kind, UnitKind::Parquet | UnitKind::Jirs) => Ok(()),
            _ => Err(EngineError::Invalid(vec![FieldError {
                field: "magistrate_unit".to_owned(),
                message: format!("Magistrat : l'unité {unit} n'est ni un parquet ni une JIRS"),
            }])),
        }
    }

    /// Registers many targets at once, all or nothing: every draft is validated first and the
    /// errors name the draft's index (`[12].identifiers[0].value`); then one transaction.
    pub async fn register_targets_bulk(
        &self,
        actor: &Actor,
        drafts: Vec<TargetDraft>,
        ctx: &RequestContext,
    ) -> EngineResult<BulkRegistration> {
        self.allow_targets(actor, Action::RegisterTarget)?;
        if drafts.len() > MAX_BULK_TARGETS {
            return Err(EngineError::Invalid(vec![FieldError {
                field: "targets".to_owned(),
                message: format!("{MAX_BULK_TARGETS} objectifs au plus par import"),
            }]));
        }
        let now = self.inner.clock.now();
        let now_micros = clock::micros(now);
        let expires = clock::micros(expiry_after(now));
        let mut errors = Vec::new();
        let mut writes = Vec::with_capacity(drafts.len());
        let mut magistrate_units = std::collections::BTreeSet::new();
        for (index, draft) in drafts.iter().enumerate() {
            match draft.validate(now_micros) {
                Ok(file) => {
                    if let Some(unit) = file.magistrate.as_ref().and_then(|m| m.unit) {
                        magistrate_units.insert(unit);
                    }
                    let keys = key_rows(&file, now_micros);
                    let body = serde_json::to_string(&file)
                        .map_err(|error| EngineError::Internal(error.to_string()))?;
                    writes.push(TargetWrite {
                        target: TargetRecord {
                            id: TargetId(Uuid::new_v4()),
                            unit: actor.unit.id,
                            registered_at_micros: now_micros,
                            expires_at_micros: expires,
                            order: 0,
                            body,
                        },
                        keys,
                    });
                }
                Err(found) => errors.extend(found.into_iter().map(|error| FieldError {
                    field: format!("[{index}].{}", error.field),
                    message: error.message,
                })),
            }
        }
        for unit in magistrate_units {
            if let Err(EngineError::Invalid(found)) = self.check_magistrate(unit).await {
                errors.extend(found);
            }
        }
        if !errors.is_empty() {
            return Err(EngineError::Invalid(errors));
        }
        // Sorted and unique: the store then walks its key index front to back.
        let mut digests: Vec<[u8; 16]> = writes
            .iter()
            .flat_map(|write| write.keys.iter().map(|key| key.digest))
            .collect();
        digests.sort_unstable();
        digests.dedup();
        let registered = writes.len();
        let drafts_journal = writes
            .iter()
            .map(|write| {
                self.draft(
                    Some(actor),
                    JournalAction::Collect,
                    format!("target:{}", write.target.id),
                    "import",
                    Outcome::Allow,
                    ctx,
                )
            })
            .collect();
        let ids: std::collections::HashMap<[u8; 16], Vec<TargetId>> =
            writes.iter().fold(HashMap::new(), |mut map, write| {
                for key in &write.keys {
                    map.entry(key.digest)
                        .or_insert_with(Vec::new)
                        .push(write.target.id);
                }
                map
            });
        self.commit(WriteBatch {
            mutations: vec![Mutation::PutTargets(writes)],
            journal: drafts_journal,
        })
        .await?;
        let now = clock::micros(self.inner.clock.now());
        let mut with_conflicts = std::collections::HashSet::new();
        for chunk in digests.chunks(10_000) {
            for digest in self
                .inner
                .store
                .shared_digests(actor.unit.id, chunk, now)
                .await?
            {
                if let Some(own) = ids.get(&digest) {
                    with_conflicts.extend(own.iter().copied());
                }
            }
        }
        Ok(BulkRegistration {
            registered,
            with_conflicts: with_conflicts.len(),
        })
    }

    /// The actor's unit's live target, or `NotFound` (another unit's target is as missing).
    pub(crate) async fn own_target(
        &self,
        actor: &Actor,
        id: TargetId,
    ) -> EngineResult<(TargetRecord, TargetFile)> {
        let now = clock::micros(self.inner.clock.now());
        match self.inner.store.target(id).await? {
            Some(record) if record.unit == actor.unit.id && record.expires_at_micros > now => {
                let file = parse_file(&record)?;
                Ok((record, file))
            }
            _ => Err(EngineError::NotFound),
        }
    }

    /// Adds identifiers to one of the unit's targets; the new ones are deconflicted at once.
    pub async fn add_target_identifiers(
        &self,
        actor: &Actor,
        id: TargetId,
        identifiers: Vec<IdentifierDraft>,
        ctx: &RequestContext,
    ) -> EngineResult<Registration> {
        self.allow_targets(actor, Action::RegisterTarget)?;
        let (record, mut file) = self.own_target(actor, id).await?;
        let now_micros = clock::micros(self.inner.clock.now());
        let mut errors = Vec::new();
        let added = validate_identifiers(&identifiers, "identifiers", now_micros, &mut errors);
        if !errors.is_empty() {
            return Err(EngineError::Invalid(errors));
        }
        for identifier in added {
            if !file
                .identifiers
                .iter()
                .any(|known| known.kind == identifier.kind && known.value == identifier.value)
            {
                file.identifiers.push(identifier);
            }
        }
        self.store_target(
            actor,
            record,
            file,
            JournalAction::Modify,
            "ajout d'identifiants",
            ctx,
        )
        .await
    }

    /// Renews one of the unit's targets for two years from now, with a motivation.
    pub async fn renew_target(
        &self,
        actor: &Actor,
        id: TargetId,
        motivation: &str,
        ctx: &RequestContext,
    ) -> EngineResult<Registration> {
        self.allow_targets(actor, Action::RegisterTarget)?;
        let motivation = motivation.trim();
        if motivation.chars().count() < 10 {
            return Err(EngineError::Invalid(vec![FieldError {
                field: "motivation".to_owned(),
                message: "Motivation du renouvellement : 10 caractères au moins".to_owned(),
            }]));
        }
        let (mut record, mut file) = self.own_target(actor, id).await?;
        let now = self.inner.clock.now();
        file.renewals.push(Renewal {
            at_micros: clock::micros(now),
            by: actor.journal_ref(),
            motivation: motivation.chars().take(2_000).collect(),
        });
        record.expires_at_micros = clock::micros(expiry_after(now));
        self.store_target(
            actor,
            record,
            file,
            JournalAction::Modify,
            "renouvellement",
            ctx,
        )
        .await
    }

    /// Ends one of the unit's targets (the procedure is over): erased at once, everywhere.
    pub async fn end_target(
        &self,
        actor: &Actor,
        id: TargetId,
        motivation: &str,
        ctx: &RequestContext,
    ) -> EngineResult<()> {
        self.allow_targets(actor, Action::RegisterTarget)?;
        self.own_target(actor, id).await?;
        let motif: String = motivation.trim().chars().take(300).collect();
        let draft = self.draft(
            Some(actor),
            JournalAction::Erase,
            format!("target:{id}"),
            if motif.is_empty() {
                "fin de procédure"
            } else {
                &motif
            },
            Outcome::Allow,
            ctx,
        );
        self.commit(WriteBatch {
            mutations: vec![Mutation::DeleteTarget { id }],
            journal: vec![draft],
        })
        .await?;
        Ok(())
    }

    /// The unit's live targets with their number of conflicts; journaled as one consultation.
    pub async fn unit_targets(
        &self,
        actor: &Actor,
        ctx: &RequestContext,
    ) -> EngineResult<Vec<TargetView>> {
        self.allow_targets(actor, Action::ReadTargets)?;
        let now = clock::micros(self.inner.clock.now());
        let records = self.inner.store.targets_of_unit(actor.unit.id, now).await?;
        let conflicts = self
            .inner
            .store
            .conflicts_of_unit(actor.unit.id, now)
            .await?;
        let mut per_target: HashMap<TargetId, std::collections::HashSet<TargetId>> = HashMap::new();
        for row in &conflicts {
            per_target
                .entry(row.own_target)
                .or_default()
                .insert(row.other.id);
        }
        self.journal_only(vec![self.draft(
            Some(actor),
            JournalAction::Consult,
            format!("targets:unit:{}", actor.unit.id),
            "",
            Outcome::Allow,
            ctx,
        )])
        .await?;
        records
            .into_iter()
            .map(|record| {
                let file = parse_file(&record)?;
                let conflicts = per_target.get(&record.id).map_or(0, |others| others.len());
                Ok(TargetView::new(&record, file, conflicts))
            })
            .collect()
    }

    /// One of the unit's targets with its notices; journaled.
    pub async fn unit_target(
        &self,
        actor: &Actor,
        id: TargetId,
        ctx: &RequestContext,
    ) -> EngineResult<(TargetView, Vec<Notice>)> {
        self.allow_targets(actor, Action::ReadTargets)?;
        let found = self.own_target(actor, id).await;
        let outcome = if found.is_ok() {
            Outcome::Allow
        } else {
            Outcome::Deny
        };
        self.journal_only(vec![self.draft(
            Some(actor),
            JournalAction::Consult,
            format!("target:{id}"),
            "",
            outcome,
            ctx,
        )])
        .await?;
        let (record, file) = found?;
        let notices = self.notices_of(actor, &record, &file).await?;
        Ok((TargetView::new(&record, file, notices.len()), notices))
    }

    /// The unit's conflict inbox: one notice per pair (own target, other unit's target), newest
    /// first; journaled.
    pub async fn deconfliction_notices(
        &self,
        actor: &Actor,
        ctx: &RequestContext,
    ) -> EngineResult<Vec<Notice>> {
        self.allow_targets(actor, Action::ReadTargets)?;
        let now = clock::micros(self.inner.clock.now());
        let rows = self
            .inner
            .store
            .conflicts_of_unit(actor.unit.id, now)
            .await?;
        self.journal_only(vec![self.draft(
            Some(actor),
            JournalAction::Consult,
            format!("conflicts:unit:{}", actor.unit.id),
            "",
            Outcome::Allow,
            ctx,
        )])
        .await?;
        let mut own: HashMap<TargetId, (String, i64)> = HashMap::new();
        for row in &rows {
            if let std::collections::hash_map::Entry::Vacant(slot) = own.entry(row.own_target) {
                if let Some(record) = self.inner.store.target(row.own_target).await? {
                    slot.insert((parse_file(&record)?.caption(), record.order));
                }
            }
        }
        let rows = rows
            .into_iter()
            .filter_map(|row| {
                let (caption, order) = own.get(&row.own_target)?.clone();
                Some((
                    Some(row.own_target),
                    caption,
                    row.own_key,
                    row.other_key,
                    row.other,
                    Some(order),
                ))
            })
            .collect();
        self.notices(rows).await
    }

    /// Checks a person and/or identifiers against other units' targets without registering them.
    /// Both paths (hit or not) do the same reads and write one journal entry; the answer lists the
    /// notices. Too many checks in an hour raise an alert for the inspection.
    pub async fn check_deconfliction(
        &self,
        actor: &Actor,
        person: Option<PersonDraft>,
        identifiers: Vec<IdentifierDraft>,
        ctx: &RequestContext,
    ) -> EngineResult<CheckOutcome> {
        self.allow_targets(actor, Action::CheckDeconfliction)?;
        let now_micros = clock::micros(self.inner.clock.now());
        let mut errors = Vec::new();
        let (person, identifiers) =
            validate_subject(person.as_ref(), &identifiers, now_micros, &mut errors);
        if !errors.is_empty() {
            return Err(EngineError::Invalid(errors));
        }
        let keys = rows_of(subject_keys(person.as_ref(), &identifiers), now_micros);
        let digests: Vec<[u8; 16]> = keys.iter().map(|key| key.digest).collect();
        // The journal entry does not depend on the answer, so its durable write runs while the
        // keys are read; the answer still leaves only once both are done (fail closed).
        let lookup = async {
            let hits = self.inner.store.key_hits(&digests, now_micros).await?;
            let rows: Vec<_> = hits
                .into_iter()
                .filter(|hit| hit.target.unit != actor.unit.id)
                .filter_map(|hit| {
                    let own = keys.iter().find(|key| key.digest == hit.digest)?.clone();
                    Some((None, String::new(), own, hit.key, hit.target, None))
                })
                .collect();
            if rows.is_empty() {
                // A miss does the read a hit's notice does (the unit's name), so that the answer's
                // timing does not tell a prober whether another unit holds the identifier.
                self.unit_names(vec![actor.unit.id]).await?;
                Ok(Vec::new())
            } else {
                self.notices(rows).await
            }
        };
        let journal = self.journal_only(vec![self.draft(
            Some(actor),
            JournalAction::Search,
            "deconfliction:check".to_owned(),
            "",
            Outcome::Allow,
            ctx,
        )]);
        let (notices, seqs, recent) =
            tokio::try_join!(lookup, journal, self.recent_checks(actor, now_micros))?;
        let journal_seq = seqs.first().copied().unwrap_or_default();
        // The read of earlier checks may or may not see this one's entry: count it exactly once.
        let checks = 1 + recent.iter().filter(|seq| **seq != journal_seq).count();
        self.watch_probing(actor, now_micros, checks).await?;
        Ok(CheckOutcome {
            notices,
            journal_seq,
        })
    }

    /// The journal sequence numbers of the actor's checks in the last hour, read from the journal
    /// (shared by every node), at most enough of them to tell whether the limit is passed.
    async fn recent_checks(&self, actor: &Actor, now_micros: i64) -> EngineResult<Vec<u64>> {
        let recent = self
            .inner
            .store
            .journal_search(&JournalQuery {
                actor: Some(actor.journal_ref()),
                // Only a check is journaled under this object, always as a search: filtering on the
                // action too let PostgreSQL, its statistics outrun by a burst of checks, combine the
                // action's index with the actor's and sort every check of the actor (12 ms a check).
                action: None,
                object: Some("deconfliction:check".to_owned()),
                before_seq: None,
                // One more than the limit, and one for the current check if the read sees it.
                limit: (PROBE_LIMIT_PER_HOUR + 2) as u32,
            })
            .await?;
        Ok(recent
            .iter()
            .filter(|entry| entry.draft.action == JournalAction::Search)
            .filter(|entry| entry.draft.at_micros > now_micros - HOUR_MICROS)
            .map(|entry| entry.seq)
            .collect())
    }

    /// Records an alert, once per account and hour, when the actor's checks in the last hour
    /// pass the limit.
    async fn watch_probing(
        &self,
        actor: &Actor,
        now_micros: i64,
        checks: usize,
    ) -> EngineResult<()> {
        if checks <= PROBE_LIMIT_PER_HOUR {
            return Ok(());
        }
        let hour_start = now_micros - now_micros.rem_euclid(HOUR_MICROS);
        let alert = ProbeAlert {
            account: actor.journal_ref(),
            unit: format!("{} ({})", actor.unit.name, actor.unit.code),
            hour_start_micros: hour_start,
            checks,
        };
        let id = format!("{}:{hour_start}", actor.journal_ref());
        if self.inner.store.record(ALERT_KIND, &id).await?.is_some() {
            return Ok(());
        }
        tracing::warn!(account = %alert.account, checks, "deconfliction probing alert raised");
        self.commit(WriteBatch {
            mutations: vec![Mutation::PutRecord(WorkflowRecord {
                kind: ALERT_KIND.to_owned(),
                id,
                target_a: None,
                target_b: None,
                starts_micros: hour_start,
                ends_micros: hour_start + HOUR_MICROS,
                area: None,
                body: serde_json::to_string(&alert)
                    .map_err(|error| EngineError::Internal(error.to_string()))?,
            })],
            journal: vec![self.draft(
                None,
                JournalAction::Collect,
                format!("alert:{}", alert.account),
                "vérifications répétées",
                Outcome::Allow,
                &RequestContext::default(),
            )],
        })
        .await?;
        Ok(())
    }

    /// The probing alerts, newest first, for the inspection (who reads the journal).
    pub async fn probe_alerts(
        &self,
        actor: &Actor,
        ctx: &RequestContext,
    ) -> EngineResult<Vec<ProbeAlert>> {
        if !decide(&actor.subject(), Action::ReadJournal, None).is_allowed() {
            return Err(EngineError::Forbidden);
        }
        let records = self
            .inner
            .store
            .records(&RecordQuery {
                area: None,
                kind: ALERT_KIND.to_owned(),
                targets: None,
                window: None,
            })
            .await?;
        self.journal_only(vec![self.draft(
            Some(actor),
            JournalAction::ReadJournal,
            "alerts:deconfliction".to_owned(),
            "",
            Outcome::Allow,
            ctx,
        )])
        .await?;
        let mut alerts = records
            .iter()
            .map(|record| {
                serde_json::from_str::<ProbeAlert>(&record.body)
                    .map_err(|error| EngineError::Corrupt(format!("alert {}: {error}", record.id)))
            })
            .collect::<EngineResult<Vec<_>>>()?;
        alerts.reverse();
        Ok(alerts)
    }

    /// Erases every target whose time is up (at most `limit` per call), each with its journal
    /// entry. Run by `vigie serve` every few minutes and by `vigie targets expire`.
    pub async fn expire_targets(&self, limit: u32) -> EngineResult<usize> {
        let now = clock::micros(self.inner.clock.now());
        let expired = self.inner.store.expired_targets(now, limit).await?;
        if expired.is_empty() {
            return Ok(0);
        }
        let journal = expired
            .iter()
            .map(|id| {
                self.draft(
                    None,
                    JournalAction::Erase,
                    format!("target:{id}"),
                    "échéance de conservation",
                    Outcome::Allow,
                    &RequestContext::default(),
                )
            })
            .collect();
        let count = expired.len();
        self.commit(WriteBatch {
            mutations: expired
                .into_iter()
                .map(|id| Mutation::DeleteTarget { id })
                .collect(),
            journal,
        })
        .await?;
        Ok(count)
    }
}
