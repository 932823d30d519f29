//! The facts-and-merges part of the demo (`vigie serve --demo`): on one person of the Marseille
//! demo, an alias drawn from an intelligence item about them, a birth date from another service's
//! record that contradicts the first, and a second record of the same person, spelled differently,
//! for the CROSS analyst to find among the possible duplicates.
//!
//! Everything goes through the engine's own methods as the demo accounts, checked by the policy and
//! journaled. Nothing here runs outside demo mode.

use crate::error::EngineResult;
use crate::{Engine, NewEntity, RequestContext};
use vigie_core::entity::{EntityId, Properties, Schema};
use vigie_intel::fact::{BasisDraft, FactDraft};
use vigie_store::IntelQuery;

/// What the demo seeded: the person who got facts and the duplicate recorded for them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoFacts {
    pub person: Option<EntityId>,
    pub duplicate: Option<EntityId>,
    pub facts: usize,
}

/// The same date with day and month swapped, when that is still a date ("1990-04-12" →
/// "1990-12-04"): the most common slip between two files.
fn swapped(date: &str) -> Option<String> {
    let [year, month, day] = date.split('-').collect::<Vec<_>>()[..] else {
        return None;
    };
    let (m, d): (u8, u8) = (month.parse().ok()?, day.parse().ok()?);
    (m != d && d <= 12).then(|| format!("{year}-{day}-{month}"))
}

impl Engine {
    /// Seeds the demo's facts and duplicate (see the module doc). Finds nothing to do, and says
    /// so by returning an empty summary, when no demo item is about a person in the Marseille
    /// agent's reach.
    pub async fn seed_demo_facts(&self, seed: u64) -> EngineResult<DemoFacts> {
        let ctx = RequestContext {
            request_id: format!("demo-facts-{seed}"),
        };
        let police = self.demo_actor("agent.marseille").await?;
        let gendarme = self.demo_actor("agent.gendarmerie").await?;
        let mut summary = DemoFacts::default();
        let items = self
            .inner
            .store
            .intel_items(&IntelQuery {
                limit: 2_000,
                ..IntelQuery::default()
            })
            .await?;
        // The first item the police may read that is about a person with a birth date they may
        // both see.
        let mut chosen = None;
        'items: for record in &items {
            let item = crate::intel::parse(record)?;
            if !self.may_read_intel(&police, record, &item).is_allowed() {
                continue;
            }
            for id in &item.entities {
                let Some(entity) = self.inner.store.entity(*id).await? else {
                    continue;
                };
                let birth = entity
                    .properties
                    .get("birthDate")
                    .and_then(|values| values.first())
                    .and_then(|date| swapped(date));
                if entity.schema == Schema::Person
                    && entity.departement.as_deref() == Some("13")
                    && birth.is_some()
                {
                    chosen = Some((item.id, entity, birth));
                    break 'items;
                }
            }
        }
        let Some((item, person, Some(other_birth))) = chosen else {
            return Ok(summary);
        };
        self.add_fact(
            &police,
            person.id,
            FactDraft {
                property: "alias".to_owned(),
                value: "Le Comptable".to_owned(),
                basis: BasisDraft {
                    item: Some(item),
                    ..BasisDraft::default()
                },
                observed_on: None,
            },
            &ctx,
        )
        .await?;
        self.add_fact(
            &gendarme,
            person.id,
            FactDraft {
                property: "birthDate".to_owned(),
                value: other_birth.clone(),
                basis: BasisDraft {
                    item: None,
                    reference: Some("Fiche de signalement BR Aubagne 2026/4411".to_owned()),
                    grade_scheme: Some("europol_4x4".to_owned()),
                    grade: Some("C3".to_owned()),
                },
                observed_on: None,
            },
            &ctx,
        )
        .await?;
        summary.facts = 2;
        // The same person recorded again by the police under a misspelt name and the swapped date.
        let mut properties = Properties::new();
        for (name, values) in &person.properties {
            let values = match name.as_str() {
                "lastName" | "name" => values.iter().map(|v| misspelt(v)).collect(),
                "birthDate" => vec![other_birth.clone()],
                "notes" => continue,
                _ => values.clone(),
            };
            properties.insert(name.clone(), values);
        }
        let duplicate = self
            .create_entity(
                &police,
                NewEntity {
                    schema: Schema::Person,
                    properties,
                    departement: person.departement.clone(),
                    regime: person.regime,
                    source: "Audition de témoin 2026/912".to_owned(),
                },
                &ctx,
            )
            .await?;
        summary.person = Some(person.id);
        summary.duplicate = Some(duplicate.id);
        Ok(summary)
    }
}

/// A name with its last letter doubled ("DUPONT" → "DUPONTT"): a typing slip the matching engine
/// reads as "very close".
fn misspelt(name: &str) -> String {
    match name.chars().last() {
        Some(last) => format!("{name}{last}"),
        None => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{misspelt, swapped};

    #[test]
    fn slips_are_the_usual_ones() {
        assert_eq!(swapped("1990-04-12").as_deref(), Some("1990-12-04"));
        assert_eq!(swapped("1990-04-04"), None);
        assert_eq!(swapped("1990-04-25"), None);
        assert_eq!(swapped("1990-04"), None);
        assert_eq!(misspelt("DUPONT"), "DUPONTT");
    }
}
