//! Intelligence items as FollowTheMoney entities, the JSON-lines format of OCCRP Aleph.
//!
//! An item becomes a `Note` (FtM: "an annotation that applies to a document or entity"): its text
//! in `description`, the entities it is about in `entity` (their Vigie ids), its commune and place
//! in `address`, its dates in `date`-like Thing properties, and what FtM has no property for (the
//! grade, the handling codes, the regime, the owner) in `keywords` as `vigie:<name>:<value>`, so
//! that nothing Vigie knows is lost and nothing is invented.
//!
//! This module only writes entities. Whether an item may be exported at all (its handling codes,
//! the owner's permissions) is `IntelItem::gate`'s decision, taken by the engine before it calls
//! this; a human source's code never leaves (only its kind does).

use crate::item::{IntelItem, SourceKind};
use serde_json::{json, Value};

/// The FtM id of an item.
pub fn ftm_id(item: &IntelItem) -> String {
    format!("vigie-intel-{}", item.id)
}

/// The FtM id of a Vigie entity (as written in `entity`).
pub fn entity_ftm_id(entity: &vigie_core::entity::EntityId) -> String {
    format!("vigie-entity-{}", entity.0)
}

/// One item as an FtM `Note` entity (one JSON line).
pub fn item_to_ftm(item: &IntelItem, owner_name: &str) -> Value {
    let mut keywords = vec![
        format!("vigie:grade:{}", item.grade),
        format!("vigie:regime:{}", item.regime.as_str()),
        format!("vigie:source:{}", item.source.key()),
        format!("vigie:observed:{}", item.observed_on),
    ];
    if let Some(until) = item.observed_until {
        keywords.push(format!("vigie:observed_until:{until}"));
    }
    keywords.extend(
        item.handling
            .codes()
            .into_iter()
            .map(|code| format!("vigie:handling:{code}")),
    );
    if let Some(original) = item.sanitised_from {
        keywords.push(format!("vigie:sanitised_from:vigie-intel-{original}"));
    }
    let mut address = Vec::new();
    if let Some(place) = &item.place {
        address.push(place.clone());
    }
    if let Some(commune) = &item.commune {
        address.push(format!("INSEE {commune}"));
    }
    let mut notes = vec![format!(
        "Cotation {} ; source : {}",
        item.grade.display_fr(),
        match &item.source {
            // The code of a human source stays in Vigie: only the kind travels.
            SourceKind::HumanSource { .. } => "Source humaine".to_owned(),
            other => other.label_fr(),
        }
    )];
    if let Some(restrictions) = &item.handling.other_restrictions {
        notes.push(format!("Restrictions (H3) : {restrictions}"));
    }
    json!({
        "id": ftm_id(item),
        "schema": "Note",
        "properties": {
            "description": [item.text],
            "entity": item.entities.iter().map(entity_ftm_id).collect::<Vec<_>>(),
            "address": address,
            "country": ["fr"],
            "publisher": [owner_name],
            "keywords": keywords,
            "notes": notes,
        }
    })
}
