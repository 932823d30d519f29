//! Wire types of the JSON API. Requests deny unknown fields; responses are built from engine types.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};
use vigie_core::entity::{Entity, Link};
use vigie_core::journal::JournalEntry;
use vigie_core::org::{Account, Unit};
use vigie_engine::{EntitySummary, EntityView};

fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthDto {
    pub status: String,
    pub backend: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Session token, for `Authorization: Bearer`. Shown once.
    pub token: String,
    pub expires_at: String,
    pub account: AccountDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountDto {
    pub id: uuid::Uuid,
    pub username: String,
    pub display_name: String,
    /// agent, cross_analyst, ofast_analyst, head_of_unit, magistrate, auditor, inspection, administrator, partner.
    pub role: String,
    pub unit: uuid::Uuid,
    pub disabled: bool,
}

impl From<&Account> for AccountDto {
    fn from(account: &Account) -> Self {
        Self {
            id: account.id.0,
            username: account.username.clone(),
            display_name: account.display_name.clone(),
            role: account.role.as_str().to_owned(),
            unit: account.unit.0,
            disabled: account.disabled,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitDto {
    pub id: uuid::Uuid,
    pub code: String,
    pub name: String,
    pub kind: String,
    /// Département codes; empty for a national unit.
    pub territory: Vec<String>,
    pub parent: Option<uuid::Uuid>,
}

impl From<&Unit> for UnitDto {
    fn from(unit: &Unit) -> Self {
        Self {
            id: unit.id.0,
            code: unit.code.clone(),
            name: unit.name.clone(),
            kind: unit.kind.as_str().to_owned(),
            territory: unit.territory.codes().to_vec(),
            parent: unit.parent.map(|p| p.0),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub account: AccountDto,
    pub unit: UnitDto,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchRequestDto {
    /// Words to find in names and identifiers (accents and case ignored).
    pub text: String,
    /// Restrict to one schema (Person, Vehicle, Phone...).
    pub schema: Option<String>,
    /// Why the search is made; recorded in the journal.
    pub motif: String,
    /// At most this many results (1 to 200, default 50).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntitySummaryDto {
    pub id: uuid::Uuid,
    pub schema: String,
    pub caption: String,
    pub departement: Option<String>,
    pub regime: String,
}

impl From<&EntitySummary> for EntitySummaryDto {
    fn from(summary: &EntitySummary) -> Self {
        Self {
            id: summary.id.0,
            schema: summary.schema.as_str().to_owned(),
            caption: summary.caption.clone(),
            departement: summary.departement.clone(),
            regime: summary.regime.as_str().to_owned(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    pub hits: Vec<EntitySummaryDto>,
    pub journal_seq: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultRequest {
    /// Why the entity is consulted (procedure, case); recorded in the journal.
    pub motif: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProvenanceDto {
    pub recorded_by: uuid::Uuid,
    pub unit: uuid::Uuid,
    pub source: String,
    pub recorded_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntityDto {
    pub id: uuid::Uuid,
    pub schema: String,
    pub caption: String,
    /// FollowTheMoney-style properties: name → values.
    pub properties: BTreeMap<String, Vec<String>>,
    pub owner_unit: uuid::Uuid,
    pub departement: Option<String>,
    pub regime: String,
    pub provenance: ProvenanceDto,
    pub version: i64,
    pub links: Vec<LinkedEntityDto>,
    /// Every value known of the entity with where it comes from: its record's, those of the records
    /// merged into it, and the facts added since (contradictory values side by side).
    pub values: Vec<super::facts::ValueDto>,
    /// The records merged into this one (or once merged, then taken back) the caller may see.
    pub merges: Vec<super::facts::MergeDto>,
    /// The record this one is merged into, when it is and the caller may see it.
    pub merged_into: Option<EntitySummaryDto>,
    /// The journal entry of this consultation (0 when nothing was consulted).
    pub journal_seq: u64,
}

impl EntityDto {
    pub fn from_entity(entity: &Entity, links: Vec<LinkedEntityDto>, journal_seq: u64) -> Self {
        Self {
            id: entity.id.0,
            schema: entity.schema.as_str().to_owned(),
            caption: entity.caption(),
            properties: entity.properties.clone(),
            owner_unit: entity.owner_unit.0,
            departement: entity.departement.clone(),
            regime: entity.regime.as_str().to_owned(),
            provenance: ProvenanceDto {
                recorded_by: entity.provenance.recorded_by.0,
                unit: entity.provenance.unit.0,
                source: entity.provenance.source.clone(),
                recorded_at: rfc3339(entity.provenance.recorded_at),
            },
            version: entity.version,
            links,
            values: Vec::new(),
            merges: Vec::new(),
            merged_into: None,
            journal_seq,
        }
    }
}

impl From<&EntityView> for EntityDto {
    fn from(view: &EntityView) -> Self {
        let links = view
            .links
            .iter()
            .map(|link| LinkedEntityDto {
                link: LinkDto::from(&link.link),
                outgoing: link.outgoing,
                other: EntitySummaryDto::from(&link.other),
                via: link.via.map(|id| id.0),
                bases: link.bases.iter().map(super::facts::FactDto::from).collect(),
            })
            .collect();
        Self {
            values: view
                .values
                .iter()
                .map(super::facts::ValueDto::from)
                .collect(),
            merges: view
                .merges
                .iter()
                .map(super::facts::MergeDto::from)
                .collect(),
            merged_into: view.merged_into.as_ref().map(EntitySummaryDto::from),
            ..Self::from_entity(&view.entity, links, view.journal_seq)
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkedEntityDto {
    pub link: LinkDto,
    /// Whether the link goes from the consulted entity to `other`.
    pub outgoing: bool,
    pub other: EntitySummaryDto,
    /// The record merged into the consulted one that holds the link, if not the consulted one.
    pub via: Option<uuid::Uuid>,
    /// Where the link comes from, with its grade, when that was recorded.
    pub bases: Vec<super::facts::FactDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkDto {
    pub id: uuid::Uuid,
    pub kind: String,
    pub source: uuid::Uuid,
    pub target: uuid::Uuid,
    pub start: Option<String>,
    pub end: Option<String>,
    pub owner_unit: uuid::Uuid,
    pub regime: String,
}

impl From<&Link> for LinkDto {
    fn from(link: &Link) -> Self {
        Self {
            id: link.id.0,
            kind: link.kind.as_str().to_owned(),
            source: link.source.0,
            target: link.target.0,
            start: link.start.map(|d| d.to_string()),
            end: link.end.map(|d| d.to_string()),
            owner_unit: link.owner_unit.0,
            regime: link.regime.as_str().to_owned(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEntityRequest {
    pub schema: String,
    pub properties: BTreeMap<String, Vec<String>>,
    pub departement: Option<String>,
    /// judicial, administrative, customs, municipal_police, partner.
    pub regime: String,
    /// Where the information comes from (procedure reference, source code); never a source's name.
    pub source: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLinkRequest {
    pub kind: String,
    pub source: uuid::Uuid,
    pub target: uuid::Uuid,
    pub start: Option<String>,
    pub end: Option<String>,
    pub source_note: Option<String>,
    /// Where the link comes from, with its grade: an item, or a record's reference and a grade.
    pub basis: Option<super::facts::BasisRequest>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JournalParams {
    /// Only entries before this sequence number (paging backwards).
    pub before: Option<u64>,
    pub limit: Option<u32>,
    /// consult, search, collect, modify, erase, read_journal, administer, login, login_failed, logout.
    pub action: Option<String>,
    /// An actor reference, e.g. `account:<uuid>`.
    pub actor: Option<String>,
    /// An object reference, e.g. `entity:<uuid>`.
    pub object: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JournalEntryDto {
    pub seq: u64,
    pub at: String,
    pub actor: String,
    /// "username (display name)" when the actor is an account.
    pub actor_name: Option<String>,
    pub unit: String,
    pub action: String,
    pub object: String,
    pub motif: String,
    pub outcome: String,
    pub request_id: String,
    /// The other objects the action showed (the entities around a consulted one), by reference.
    pub shown: Vec<String>,
}

impl JournalEntryDto {
    pub fn with_names(
        entry: &JournalEntry,
        names: &std::collections::HashMap<String, String>,
    ) -> Self {
        let at = time::OffsetDateTime::from_unix_timestamp_nanos(
            i128::from(entry.draft.at_micros) * 1_000,
        )
        .map(rfc3339)
        .unwrap_or_default();
        Self {
            seq: entry.seq,
            at,
            actor: entry.draft.actor.clone(),
            actor_name: names.get(&entry.draft.actor).cloned(),
            unit: entry.draft.unit.clone(),
            action: entry.draft.action.as_str().to_owned(),
            object: entry.draft.object.clone(),
            motif: entry.draft.motif.clone(),
            outcome: entry.draft.outcome.as_str().to_owned(),
            request_id: entry.draft.request_id.clone(),
            shown: entry.draft.shown.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JournalResponse {
    pub entries: Vec<JournalEntryDto>,
    /// Pass as `before` to read the next (older) page.
    pub next_before: Option<u64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUnitRequest {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub territory: Vec<String>,
    pub parent: Option<uuid::Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountRequest {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit: uuid::Uuid,
    /// At least 12 characters.
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveAccountRequest {
    pub unit: uuid::Uuid,
}
