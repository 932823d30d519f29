//! The intelligence repository behind the policy and the journal: recording graded items, reading
//! them with a motif, deriving sanitised copies and recording the owner's permissions.
//!
//! Two gates apply to every read, in this order: the policy table (`ConsultIntel`: role, unit,
//! territory, legal regime), then the item's handling codes (`vigie_intel::IntelItem::gate`): an
//! item under H2 stays with its unit unless the owner permitted a share, and only its sanitised
//! copies travel. Anything hidden answers `NotFound`, and every read, allowed or not, is journaled
//! before the answer (fail closed). Recording and decisions are journaled in the same transaction
//! as the write. Search and exports (later) go through the same two gates.

use crate::auth::Actor;
use crate::entities::{clean_motif, marks as entity_marks};
use crate::error::{EngineError, EngineResult};
use crate::{clock, Engine, RequestContext};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use uuid::Uuid;
use vigie_core::entity::FieldError;
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::org::{AccountId, UnitId};
use vigie_core::policy::{decide, Action, Decision, DenyReason, ObjectMarks};
use vigie_intel::item::validate_item;
use vigie_intel::{
    Gate, IntelItem, IntelItemDraft, ItemId, Permission, PermissionKind, SanitisedDraft,
};
use vigie_store::{IntelQuery, IntelRecord, Mutation, WriteBatch};

/// Most sanitised copies listed with an original.
const MAX_COPIES_SHOWN: u32 = 50;

/// An item as its reader sees it.
#[derive(Clone, Debug)]
pub struct IntelView {
    pub item: IntelItem,
    pub owner_name: String,
    /// The commune's name, when the item has one.
    pub commune_name: Option<String>,
    /// The sanitised copies of this item the reader may see.
    pub copies: Vec<ItemId>,
    /// For a sanitised copy: whether the reader may see its original (and so be led to it).
    pub original_readable: bool,
    /// The display names of the accounts that recorded the item's permissions, by their journal
    /// reference (`account:<id>`); filled for the owning unit only.
    pub permission_authors: HashMap<String, String>,
    /// Whether it may go into a judicial file now, or why not.
    pub judicial_use: Result<(), String>,
    /// Whether the reader's unit owns it (and so may sanitise it and give permissions).
    pub own: bool,
}

fn marks(record: &IntelRecord) -> ObjectMarks<'_> {
    ObjectMarks {
        owner_unit: record.owner_unit,
        departement: record.departement.as_deref(),
        regime: record.regime,
    }
}

pub(crate) fn parse(record: &IntelRecord) -> EngineResult<IntelItem> {
    serde_json::from_str(&record.body)
        .map_err(|error| EngineError::Corrupt(format!("intel item {}: {error}", record.id)))
}

pub(crate) fn record_of(item: &IntelItem) -> EngineResult<IntelRecord> {
    Ok(IntelRecord {
        id: item.id,
        owner_unit: item.owner_unit,
        departement: item.departement.clone(),
        regime: item.regime,
        recorded_at_micros: item.recorded_at_micros,
        sanitised_from: item.sanitised_from,
        entities: item.entities.clone(),
        changed: 0,
        body: serde_json::to_string(item)
            .map_err(|error| EngineError::Internal(error.to_string()))?,
    })
}

fn field(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.into(),
    }
}

impl Engine {
    /// Whether `actor` may read this stored item: the policy, then its handling codes.
    pub(crate) fn may_read_intel(
        &self,
        actor: &Actor,
        record: &IntelRecord,
        item: &IntelItem,
    ) -> Decision {
        let decision = decide(&actor.subject(), Action::ConsultIntel, Some(marks(record)));
        if decision.is_allowed() && item.gate(Gate::OnwardSharing, Some(actor.unit.id)).is_err() {
            return Decision::Deny(DenyReason::Relation);
        }
        decision
    }

    /// Records an item for the actor's unit and returns it as its author sees it (the recording is
    /// journaled; handing back what was just submitted is no further consultation). The commune is
    /// resolved to its département (which places the item for the policy); every entity named must
    /// exist and be one the actor may consult, and an unknown one is reported like a hidden one.
    pub async fn record_intel(
        &self,
        actor: &Actor,
        draft: IntelItemDraft,
        ctx: &RequestContext,
    ) -> EngineResult<IntelView> {
        self.require(actor, Action::RecordIntel)?;
        let now = self.inner.clock.now();
        let (valid, mut errors) = match validate_item(&draft, self.latest_day()) {
            Ok(valid) => (Some(valid), Vec::new()),
            Err(errors) => (None, errors),
        };
        let location = match draft.commune.as_deref().map(str::trim) {
            Some(code) if !code.is_empty() => {
                let location = self.inner.geography.commune(code);
                if location.is_none() && !errors.iter().any(|e| e.field == "commune") {
                    errors.push(field(
                        "commune",
                        format!("Aucune commune n'a le code INSEE « {code} »"),
                    ));
                }
                location
            }
            _ => None,
        };
        for &entity in &draft.entities {
            let visible = match self.inner.store.entity(entity).await? {
                Some(found) => decide(
                    &actor.subject(),
                    Action::ConsultEntity,
                    Some(entity_marks(&found)),
                )
                .is_allowed(),
                None => false,
            };
            if !visible {
                errors.push(field("entities", format!("Entité {entity} introuvable")));
            }
        }
        let Some(valid) = valid.filter(|_| errors.is_empty()) else {
            return Err(EngineError::Invalid(errors));
        };
        let item = IntelItem {
            id: ItemId(Uuid::new_v4()),
            owner_unit: actor.unit.id,
            recorded_by: actor.journal_ref(),
            recorded_at_micros: clock::micros(now),
            text: valid.text,
            observed_on: valid.observed_on,
            observed_until: valid.observed_until,
            place: valid.place,
            commune: valid.commune,
            departement: location.map(|location| location.departement.code),
            entities: valid.entities,
            source: valid.source,
            grade: valid.grade,
            handling: valid.handling,
            regime: valid.regime,
            sanitised_from: None,
            permissions: Vec::new(),
        };
        self.commit(WriteBatch {
            mutations: vec![Mutation::PutIntelItem(record_of(&item)?)],
            journal: vec![self.draft(
                Some(actor),
                JournalAction::Collect,
                format!("intel:{}", item.id),
                "",
                Outcome::Allow,
                ctx,
            )],
        })
        .await?;
        self.intel_view(actor, item).await
    }

    /// Reads an item with a motif: journaled (allowed or denied) before the answer; `NotFound`
    /// when it does not exist or the actor may not see it.
    pub async fn consult_intel(
        &self,
        actor: &Actor,
        id: ItemId,
        motif: &str,
        ctx: &RequestContext,
    ) -> EngineResult<IntelView> {
        let object = format!("intel:{id}");
        // A role (or kind of unit) that may never read items learns nothing, whether or not the id
        // exists; the motif is checked before anything is looked up.
        if !decide(&actor.subject(), Action::ConsultIntel, None).is_allowed() {
            self.inner.metrics.denials.fetch_add(1, Ordering::Relaxed);
            self.journal_only(vec![self.draft(
                Some(actor),
                JournalAction::Consult,
                object,
                "",
                Outcome::Deny,
                ctx,
            )])
            .await?;
            return Err(EngineError::Forbidden);
        }
        let motif = clean_motif(motif)?;
        let found = match self.inner.store.intel_item(id).await? {
            Some(record) => {
                let item = parse(&record)?;
                let decision = self.may_read_intel(actor, &record, &item);
                decision.is_allowed().then_some(item)
            }
            None => None,
        };
        let outcome = if found.is_some() {
            Outcome::Allow
        } else {
            Outcome::Deny
        };
        self.journal_only(vec![self.draft(
            Some(actor),
            JournalAction::Consult,
            object,
            &motif,
            outcome,
            ctx,
        )])
        .await?;
        let Some(item) = found else {
            self.inner.metrics.denials.fetch_add(1, Ordering::Relaxed);
            return Err(EngineError::NotFound);
        };
        self.intel_view(actor, item).await
    }

    async fn intel_view(&self, actor: &Actor, item: IntelItem) -> EngineResult<IntelView> {
        let copies = self
            .inner
            .store
            .intel_items(&IntelQuery {
                copies_of: Some(item.id),
                limit: MAX_COPIES_SHOWN,
                ..IntelQuery::default()
            })
            .await?;
        let mut visible = Vec::new();
        for record in &copies {
            let copy = parse(record)?;
            if self.may_read_intel(actor, record, &copy).is_allowed() {
                visible.push(copy.id);
            }
        }
        let original_readable = match item.sanitised_from {
            Some(original) => match self.inner.store.intel_item(original).await? {
                Some(record) => {
                    let original = parse(&record)?;
                    self.may_read_intel(actor, &record, &original).is_allowed()
                }
                None => false,
            },
            None => false,
        };
        let own = item.owner_unit == actor.unit.id;
        let mut permission_authors = HashMap::new();
        if own {
            for permission in &item.permissions {
                if permission_authors.contains_key(&permission.by) {
                    continue;
                }
                let account = permission
                    .by
                    .strip_prefix("account:")
                    .and_then(AccountId::parse);
                if let Some(id) = account {
                    if let Some(record) = self.inner.store.account(id).await? {
                        permission_authors
                            .insert(permission.by.clone(), record.account.display_name);
                    }
                }
            }
        }
        let owner_name = self
            .unit_names(vec![item.owner_unit])
            .await?
            .get(&item.owner_unit)
            .map(|unit| unit.name.clone())
            .unwrap_or_default();
        let commune_name = item
            .commune
            .as_deref()
            .and_then(|code| self.inner.geography.commune(code))
            .map(|location| {
                location
                    .arrondissement
                    .map_or(location.commune.nom, |arrondissement| arrondissement.nom)
            });
        Ok(IntelView {
            judicial_use: item
                .gate(Gate::JudicialUse, None)
                .map_err(|refusal| refusal.message),
            own,
            owner_name,
            commune_name,
            copies: visible,
            original_readable,
            permission_authors,
            item,
        })
    }

    /// One of the actor's unit's items, for a decision on it; anything else is `NotFound`.
    async fn own_intel(&self, actor: &Actor, id: ItemId) -> EngineResult<IntelItem> {
        self.require(actor, Action::ManageIntel)?;
        let record = self
            .inner
            .store
            .intel_item(id)
            .await?
            .ok_or(EngineError::NotFound)?;
        if !decide(&actor.subject(), Action::ManageIntel, Some(marks(&record))).is_allowed() {
            return Err(EngineError::NotFound);
        }
        parse(&record)
    }

    /// Derives a sanitised copy of one of the unit's items (see `IntelItem::sanitised`).
    pub async fn sanitise_intel(
        &self,
        actor: &Actor,
        id: ItemId,
        draft: SanitisedDraft,
        ctx: &RequestContext,
    ) -> EngineResult<IntelView> {
        let original = self.own_intel(actor, id).await?;
        let now = clock::micros(self.inner.clock.now());
        let copy = original
            .sanitised(&draft, ItemId(Uuid::new_v4()), &actor.journal_ref(), now)
            .map_err(EngineError::Invalid)?;
        self.commit(WriteBatch {
            mutations: vec![Mutation::PutIntelItem(record_of(&copy)?)],
            journal: vec![self.draft(
                Some(actor),
                JournalAction::Collect,
                format!("intel:{}", copy.id),
                &format!("copie épurée de intel:{id}"),
                Outcome::Allow,
                ctx,
            )],
        })
        .await?;
        self.intel_view(actor, copy).await
    }

    /// Records the owner's permission to use an item beyond a handling code: a judicial use (lifts
    /// H1) or a share, to one unit or to any (lifts H2). Refused when the item has no such code.
    pub async fn permit_intel(
        &self,
        actor: &Actor,
        id: ItemId,
        kind: PermissionKind,
        to_unit: Option<UnitId>,
        reason: &str,
        ctx: &RequestContext,
    ) -> EngineResult<IntelView> {
        let mut item = self.own_intel(actor, id).await?;
        let reason = reason.trim();
        let mut errors = Vec::new();
        if reason.chars().count() < 3 {
            errors.push(field("reason", "Motivez l'autorisation"));
        }
        match kind {
            PermissionKind::JudicialUse if !item.handling.no_judicial_use => errors.push(field(
                "kind",
                "Cet élément ne porte pas le code H1 : aucune autorisation n'est nécessaire",
            )),
            PermissionKind::OnwardSharing if !item.handling.no_dissemination => errors.push(field(
                "kind",
                "Cet élément ne porte pas le code H2 : aucune autorisation n'est nécessaire",
            )),
            _ => {}
        }
        if kind == PermissionKind::JudicialUse && to_unit.is_some() {
            errors.push(field(
                "to_unit",
                "Une autorisation d'usage judiciaire ne désigne pas de service",
            ));
        }
        if let Some(unit) = to_unit {
            if self.inner.store.unit(unit).await?.is_none() {
                errors.push(field("to_unit", "Service inconnu"));
            }
        }
        if !errors.is_empty() {
            return Err(EngineError::Invalid(errors));
        }
        item.permissions.push(Permission {
            kind,
            to_unit,
            reason: reason.to_owned(),
            by: actor.journal_ref(),
            at_micros: clock::micros(self.inner.clock.now()),
        });
        let motif = match kind {
            PermissionKind::JudicialUse => "autorisation d'usage judiciaire",
            PermissionKind::OnwardSharing => "autorisation de diffusion",
        };
        self.commit(WriteBatch {
            mutations: vec![Mutation::PutIntelItem(record_of(&item)?)],
            journal: vec![self.draft(
                Some(actor),
                JournalAction::Modify,
                format!("intel:{id}"),
                motif,
                Outcome::Allow,
                ctx,
            )],
        })
        .await?;
        self.intel_view(actor, item).await
    }
}
