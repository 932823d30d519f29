//! Entities and links to and from FollowTheMoney JSON lines (the exchange format of OCCRP Aleph).
//!
//! Reading ([`read_ftm`]) turns a file into checked drafts or into the complete list of its faults,
//! each with its line number, so that an import can be all-or-nothing: the schemas Vigie models
//! (Person, Company, Organization/LegalEntity, Vehicle, Address, BankAccount, CryptoWallet, and
//! Vigie's own Phone, Case, DealingPoint, Network) become entities with their properties validated
//! and normalised by `vigie_core::entity::validate_properties`; FtM's interval schemas (Family,
//! Associate, Ownership, Directorship, Membership, Payment, UnknownLink) become links. Properties
//! Vigie does not model are not an error (Aleph exports carry many): they are counted and reported
//! back as ignored, by schema and name. A link's ends are either entities of the same file, by their
//! FtM id, or entities already in Vigie, by `vigie-entity-<uuid>` or a bare UUID (the engine checks
//! the reader may see them).
//!
//! Writing ([`entity_to_ftm`], [`link_to_ftm`]) is the inverse, with Vigie ids; link kinds FtM has
//! no schema for travel as `UnknownLink` with the kind as `role`, which reading maps back.
//!
//! What it does not do: decide who may import or export what, or write anything (the engine does,
//! in one transaction, journaled).

use crate::ftm::entity_ftm_id;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use time::Date;
use uuid::Uuid;
use vigie_core::entity::{
    validate_properties, Entity, EntityId, Link, LinkKind, Properties, Schema,
};

/// One fault of an import file, in French, at a line (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    /// The property or key at fault ("properties.birthDate", "schema", "id"...), empty for the line.
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "ligne {} : {}", self.line, self.message)
        } else {
            write!(f, "ligne {}, {} : {}", self.line, self.field, self.message)
        }
    }
}

/// An entity read from the file, its properties already validated and normalised.
#[derive(Clone, Debug, PartialEq)]
pub struct EntityDraft {
    pub line: usize,
    /// Its FtM id in the file (links refer to it).
    pub key: String,
    pub schema: Schema,
    pub properties: Properties,
}

/// Where a link's end is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkEnd {
    /// An entity of the same file, by its FtM id.
    InFile(String),
    /// An entity already in Vigie.
    Existing(EntityId),
}

#[derive(Clone, Debug, PartialEq)]
pub struct LinkDraft {
    pub line: usize,
    pub kind: LinkKind,
    pub source: LinkEnd,
    pub target: LinkEnd,
    pub start: Option<Date>,
    pub end: Option<Date>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FtmBatch {
    pub entities: Vec<EntityDraft>,
    pub links: Vec<LinkDraft>,
    /// Properties present in the file that Vigie does not model, as ("Schema.property", count).
    pub ignored: BTreeMap<String, usize>,
}

/// The most lines one file may hold.
pub const MAX_LINES: usize = 200_000;

/// FtM's interval schemas Vigie reads, with the properties holding their two ends.
fn link_schema(schema: &str) -> Option<(&'static str, &'static str, Option<LinkKind>)> {
    Some(match schema {
        "Family" => ("person", "relative", Some(LinkKind::Family)),
        "Associate" => ("person", "associate", Some(LinkKind::Associate)),
        "Ownership" => ("owner", "asset", Some(LinkKind::Owner)),
        "Directorship" => ("director", "organization", Some(LinkKind::Director)),
        "Membership" => ("member", "organization", Some(LinkKind::Member)),
        "Payment" => ("payer", "beneficiary", Some(LinkKind::Payment)),
        // The kind comes from `role` (Vigie's own kinds), an association otherwise.
        "UnknownLink" => ("subject", "object", None),
        _ => return None,
    })
}

/// The FtM schema and end properties a link kind is written with.
fn link_schema_of(kind: LinkKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        LinkKind::Family => ("Family", "person", "relative"),
        LinkKind::Associate => ("Associate", "person", "associate"),
        LinkKind::Owner => ("Ownership", "owner", "asset"),
        LinkKind::Director => ("Directorship", "director", "organization"),
        LinkKind::Member => ("Membership", "member", "organization"),
        LinkKind::Payment => ("Payment", "payer", "beneficiary"),
        LinkKind::PhoneUser | LinkKind::Resident | LinkKind::Involved | LinkKind::Operates => {
            ("UnknownLink", "subject", "object")
        }
    }
}

fn entity_schema(schema: &str) -> Option<Schema> {
    match schema {
        "LegalEntity" => Some(Schema::Organization),
        other => Schema::parse(other),
    }
}

/// The values of one property: FtM writes arrays of strings; a lone string is accepted.
fn values(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(text) => Some(vec![text.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

/// A date as FtM writes it ("2023", "2023-04", "2023-04-01", "2023-04-01T10:00:00"); a partial date
/// stands for its first day.
fn ftm_date(raw: &str) -> Option<Date> {
    let day = raw.get(..10).unwrap_or(raw);
    let parts: Vec<&str> = day.split('-').collect();
    let number = |i: usize, default: u32| -> Option<u32> {
        parts.get(i).map_or(Some(default), |p| p.parse().ok())
    };
    let year = i32::try_from(number(0, 0)?).ok()?;
    let month = time::Month::try_from(u8::try_from(number(1, 1)?).ok()?).ok()?;
    let day = u8::try_from(number(2, 1)?).ok()?;
    if parts.first().is_none_or(|y| y.len() != 4) {
        return None;
    }
    Date::from_calendar_date(year, month, day).ok()
}

/// An entity of the file if one has that id, else an entity of Vigie if the reference is one of its
/// ids; `None` when it is neither.
fn link_end(reference: &str, keys: &HashMap<String, usize>) -> Option<LinkEnd> {
    if keys.contains_key(reference) {
        return Some(LinkEnd::InFile(reference.to_owned()));
    }
    let bare = reference.strip_prefix("vigie-entity-").unwrap_or(reference);
    match Uuid::parse_str(bare) {
        Ok(uuid) if bare.len() == 36 => Some(LinkEnd::Existing(EntityId(uuid))),
        _ => None,
    }
}

/// Reads a whole FtM JSON-lines file. Blank lines are skipped. Every fault of every line is
/// reported, or nothing is returned.
pub fn read_ftm(text: &str) -> Result<FtmBatch, Vec<LineError>> {
    read_ftm_with_progress(text, &mut |_| {})
}

/// [`read_ftm`], telling `progress` how many bytes have been read every 1,000 lines.
pub fn read_ftm_with_progress(
    text: &str,
    progress: &mut dyn FnMut(usize),
) -> Result<FtmBatch, Vec<LineError>> {
    let mut consumed = 0usize;
    let mut batch = FtmBatch::default();
    let mut errors = Vec::new();
    let mut keys: HashMap<String, usize> = HashMap::new();
    // Links with their two references, resolved at the end.
    let mut pending: Vec<(LinkDraft, String, String)> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        consumed += raw.len() + 1;
        if line % 1_000 == 0 {
            progress(consumed.min(text.len()));
        }
        if line > MAX_LINES {
            errors.push(LineError {
                line,
                field: String::new(),
                message: format!("un fichier compte au plus {MAX_LINES} lignes"),
            });
            break;
        }
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let mut fail = |field: &str, message: String| {
            errors.push(LineError {
                line,
                field: field.to_owned(),
                message,
            })
        };
        let object: Map<String, Value> = match serde_json::from_str(raw) {
            Ok(Value::Object(object)) => object,
            Ok(_) => {
                fail("", "la ligne n'est pas un objet JSON".to_owned());
                continue;
            }
            Err(error) => {
                fail("", format!("JSON illisible ({error})"));
                continue;
            }
        };
        let Some(id) = object.get("id").and_then(Value::as_str).map(str::trim) else {
            fail("id", "identifiant manquant".to_owned());
            continue;
        };
        if id.is_empty() || id.chars().count() > 200 {
            fail(
                "id",
                "identifiant vide ou trop long (200 caractères au plus)".to_owned(),
            );
            continue;
        }
        let Some(schema_name) = object.get("schema").and_then(Value::as_str) else {
            fail("schema", "schéma manquant".to_owned());
            continue;
        };
        let empty = Map::new();
        let properties = match object.get("properties") {
            None => &empty,
            Some(Value::Object(properties)) => properties,
            Some(_) => {
                fail(
                    "properties",
                    "les propriétés doivent former un objet".to_owned(),
                );
                continue;
            }
        };
        let mut read: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut bad_values = false;
        for (name, value) in properties {
            match values(value) {
                Some(values) => {
                    read.insert(name.clone(), values);
                }
                None => {
                    fail(
                        &format!("properties.{name}"),
                        "une propriété est une liste de textes".to_owned(),
                    );
                    bad_values = true;
                }
            }
        }
        if bad_values {
            continue;
        }

        if let Some(schema) = entity_schema(schema_name) {
            if let Some(first) = keys.insert(id.to_owned(), line) {
                fail(
                    "id",
                    format!("identifiant « {id} » déjà employé ligne {first}"),
                );
                continue;
            }
            let mut known = Properties::new();
            for (name, values) in read {
                if schema.properties().iter().any(|(known, _)| *known == name) {
                    known.insert(name, values);
                } else {
                    *batch
                        .ignored
                        .entry(format!("{schema_name}.{name}"))
                        .or_default() += 1;
                }
            }
            match validate_properties(schema, &known) {
                Ok(properties) => batch.entities.push(EntityDraft {
                    line,
                    key: id.to_owned(),
                    schema,
                    properties,
                }),
                Err(faults) => {
                    for fault in faults {
                        let field = if fault.field.is_empty() {
                            "properties".to_owned()
                        } else {
                            format!("properties.{}", fault.field)
                        };
                        fail(&field, fault.message);
                    }
                }
            }
        } else if let Some((from, to, kind)) = link_schema(schema_name) {
            let kind = kind.unwrap_or_else(|| {
                read.get("role")
                    .and_then(|roles| roles.iter().find_map(|role| LinkKind::parse(role)))
                    .unwrap_or(LinkKind::Associate)
            });
            let end = |name: &str| read.get(name).and_then(|v| v.first()).cloned();
            let (Some(source), Some(target)) = (end(from), end(to)) else {
                fail(
                    "properties",
                    format!("un lien « {schema_name} » a besoin de « {from} » et de « {to} »"),
                );
                continue;
            };
            if source == target {
                fail(
                    &format!("properties.{to}"),
                    "un lien relie deux entités distinctes".to_owned(),
                );
                continue;
            }
            let date = |name: &str| -> Result<Option<Date>, String> {
                match read.get(name).and_then(|v| v.first()) {
                    None => Ok(None),
                    Some(raw) => ftm_date(raw)
                        .map(Some)
                        .ok_or_else(|| format!("date invalide « {raw} »")),
                }
            };
            let (start, end) = match (date("startDate"), date("endDate")) {
                (Ok(start), Ok(end)) => (start, end),
                (start, end) => {
                    if let Err(message) = start {
                        fail("properties.startDate", message);
                    }
                    if let Err(message) = end {
                        fail("properties.endDate", message);
                    }
                    continue;
                }
            };
            if let (Some(start), Some(end)) = (start, end) {
                if end < start {
                    fail("properties.endDate", "la fin précède le début".to_owned());
                    continue;
                }
            }
            pending.push((
                LinkDraft {
                    line,
                    kind,
                    source: LinkEnd::InFile(source.clone()),
                    target: LinkEnd::InFile(target.clone()),
                    start,
                    end,
                },
                source,
                target,
            ));
        } else {
            fail(
                "schema",
                format!(
                    "schéma « {schema_name} » non pris en charge (entités : {} ; liens : Family, \
                     Associate, Ownership, Directorship, Membership, Payment, UnknownLink)",
                    Schema::ALL.map(Schema::as_str).join(", ")
                ),
            );
        }
    }
    // Ends are resolved once every entity of the file is known (a link may come first).
    for (mut link, source, target) in pending {
        let resolve = |reference: &str| {
            link_end(reference, &keys).ok_or_else(|| LineError {
                line: link.line,
                field: "properties".to_owned(),
                message: format!("entité « {reference} » absente du fichier"),
            })
        };
        match (resolve(&source), resolve(&target)) {
            (Ok(source), Ok(target)) => {
                link.source = source;
                link.target = target;
                batch.links.push(link);
            }
            (source, target) => errors.extend(source.err().into_iter().chain(target.err())),
        }
    }
    if errors.is_empty() {
        Ok(batch)
    } else {
        errors.sort_by_key(|error| error.line);
        Err(errors)
    }
}

/// An entity as one FtM JSON line.
pub fn entity_to_ftm(entity: &Entity) -> Value {
    json!({
        "id": entity_ftm_id(&entity.id),
        "schema": entity.schema.as_str(),
        "properties": entity.properties,
    })
}

/// A link as one FtM JSON line (an interval entity).
pub fn link_to_ftm(link: &Link) -> Value {
    let (schema, from, to) = link_schema_of(link.kind);
    let mut properties = Map::new();
    properties.insert(from.to_owned(), json!([entity_ftm_id(&link.source)]));
    properties.insert(to.to_owned(), json!([entity_ftm_id(&link.target)]));
    if schema == "UnknownLink" {
        properties.insert("role".to_owned(), json!([link.kind.as_str()]));
    }
    if let Some(start) = link.start {
        properties.insert("startDate".to_owned(), json!([start.to_string()]));
    }
    if let Some(end) = link.end {
        properties.insert("endDate".to_owned(), json!([end.to_string()]));
    }
    json!({
        "id": format!("vigie-link-{}", link.id.0),
        "schema": schema,
        "properties": properties,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use time::macros::{date, datetime};
    use vigie_core::entity::{LegalRegime, LinkId, Provenance};
    use vigie_core::org::{AccountId, UnitId};

    /// Reads `lines` and renders the faults as the report shows them.
    fn check(lines: &[&str], expected: &[&str]) {
        let faults = read_ftm(&lines.join("\n")).expect_err("faults expected");
        let shown: Vec<String> = faults.iter().map(ToString::to_string).collect();
        assert_eq!(shown, expected);
    }

    #[test]
    fn an_aleph_style_file_reads_into_entities_and_links() {
        let text = [
            r#"{"id": "p1", "schema": "Person", "properties": {"name": ["Karim B."], "birthDate": ["1990-04-12"], "gender": ["male"], "country": ["fr"]}}"#,
            "",
            r#"{"id": "v1", "schema": "Vehicle", "properties": {"registrationNumber": ["ab 123 cd"], "model": "Clio"}}"#,
            r#"{"id": "o1", "schema": "LegalEntity", "properties": {"name": ["SCI du Port"]}}"#,
            r#"{"id": "l1", "schema": "Ownership", "properties": {"owner": ["p1"], "asset": ["v1"], "startDate": ["2023-04"]}}"#,
            r#"{"id": "l2", "schema": "UnknownLink", "properties": {"subject": ["p1"], "object": ["vigie-entity-6f1c1a86-3d5e-4a8e-9a43-1f5b6c2a9d10"], "role": ["phone_user"]}}"#,
            r#"{"id": "l3", "schema": "Directorship", "properties": {"director": ["p1"], "organization": ["o1"], "endDate": ["2024-12-31T00:00:00"]}}"#,
        ]
        .join("\n");
        let batch = read_ftm(&text).unwrap();
        assert_eq!(batch.entities.len(), 3);
        assert_eq!(batch.entities[0].line, 1);
        assert_eq!(batch.entities[1].line, 3);
        // Identifiers come back in normal form.
        assert_eq!(
            batch.entities[1].properties["registrationNumber"],
            vec!["AB-123-CD"]
        );
        assert_eq!(batch.entities[2].schema, Schema::Organization);
        assert_eq!(batch.links.len(), 3);
        assert_eq!(batch.links[0].kind, LinkKind::Owner);
        assert_eq!(batch.links[0].start, Some(date!(2023 - 04 - 01)));
        assert_eq!(batch.links[1].kind, LinkKind::PhoneUser);
        assert_eq!(
            batch.links[1].target,
            LinkEnd::Existing(EntityId(
                Uuid::parse_str("6f1c1a86-3d5e-4a8e-9a43-1f5b6c2a9d10").unwrap()
            ))
        );
        assert_eq!(batch.links[2].end, Some(date!(2024 - 12 - 31)));
        assert_eq!(
            batch.ignored,
            BTreeMap::from([
                ("Person.country".to_owned(), 1),
                ("Person.gender".to_owned(), 1)
            ])
        );
    }

    #[test]
    fn every_fault_is_reported_with_its_line() {
        check(
            &[
                r#"{"id": "p1", "schema": "Person", "properties": {"name": ["A"]}}"#,
                r#"{"id": "p1", "schema": "Person", "properties": {"name": ["B"]}}"#,
                r#"{"id": "x", "schema": "Airplane", "properties": {}}"#,
                r#"{"id": "b", "schema": "BankAccount", "properties": {"iban": ["FR7630006000011234567890188"]}}"#,
                "{not json",
                r#"{"schema": "Person"}"#,
                r#"{"id": "l", "schema": "Family", "properties": {"person": ["p1"], "relative": ["nobody"]}}"#,
                r#"{"id": "m", "schema": "Membership", "properties": {"member": ["p1"], "organization": ["p1"], "startDate": ["20xx"]}}"#,
                r#"{"id": "n", "schema": "Person", "properties": {"name": 3}}"#,
            ],
            &[
                "ligne 2, id : identifiant « p1 » déjà employé ligne 1",
                "ligne 3, schema : schéma « Airplane » non pris en charge (entités : Person, \
                 Company, Organization, Vehicle, Phone, Address, BankAccount, CryptoWallet, \
                 Case, DealingPoint, Network ; liens : Family, Associate, Ownership, \
                 Directorship, Membership, Payment, UnknownLink)",
                "ligne 4, properties.iban : IBAN invalide : la clé de contrôle ne correspond pas",
                "ligne 5 : JSON illisible (key must be a string at line 1 column 2)",
                "ligne 6, id : identifiant manquant",
                "ligne 7, properties : entité « nobody » absente du fichier",
                "ligne 8, properties.organization : un lien relie deux entités distinctes",
                "ligne 9, properties.name : une propriété est une liste de textes",
            ],
        );
    }

    #[test]
    fn what_vigie_writes_it_reads_back() {
        let provenance = Provenance {
            recorded_by: AccountId(Uuid::from_u128(9)),
            unit: UnitId(Uuid::from_u128(8)),
            source: "PV".to_owned(),
            recorded_at: datetime!(2026-11-23 09:00 UTC),
        };
        let person = Entity {
            id: EntityId(Uuid::from_u128(1)),
            schema: Schema::Person,
            properties: Properties::from([("name".to_owned(), vec!["Karim B.".to_owned()])]),
            owner_unit: UnitId(Uuid::from_u128(8)),
            departement: Some("13".to_owned()),
            regime: LegalRegime::Judicial,
            provenance: provenance.clone(),
            version: 1,
        };
        let phone = Entity {
            id: EntityId(Uuid::from_u128(2)),
            schema: Schema::Phone,
            properties: Properties::from([("number".to_owned(), vec!["+33612345678".to_owned()])]),
            ..person.clone()
        };
        let link = Link {
            id: LinkId(Uuid::from_u128(3)),
            kind: LinkKind::PhoneUser,
            source: person.id,
            target: phone.id,
            start: Some(date!(2024 - 02 - 29)),
            end: None,
            owner_unit: person.owner_unit,
            departement: None,
            regime: LegalRegime::Judicial,
            provenance,
        };
        let text = [
            entity_to_ftm(&person),
            entity_to_ftm(&phone),
            link_to_ftm(&link),
        ]
        .map(|line| line.to_string())
        .join("\n");
        let batch = read_ftm(&text).unwrap();
        assert_eq!(batch.entities[0].properties, person.properties);
        assert_eq!(batch.entities[1].schema, Schema::Phone);
        let read = &batch.links[0];
        assert_eq!(read.kind, LinkKind::PhoneUser);
        // Ends that are entities of the file stay so, even with Vigie ids.
        assert_eq!(
            read.source,
            LinkEnd::InFile(format!("vigie-entity-{}", person.id.0))
        );
        assert_eq!(read.start, link.start);
        assert!(batch.ignored.is_empty());
    }
}
