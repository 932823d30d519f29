//! Entities from a CSV file with a column mapping: one entity of one schema per row.
//!
//! The mapping says which column feeds which property ("name=NOM,birthDate=DATE_NAISS"); a cell
//! may hold several values separated by `|`. Columns not mapped are ignored; a mapped property the
//! schema lacks, or a mapped column the file lacks, is a fault of line 1 (the header). Every row is
//! validated by `vigie_core::entity::validate_properties` and its faults carry the row's line, so an
//! import is all or nothing, exactly as for FollowTheMoney files (the result is the same
//! [`FtmBatch`], with no links).
//!
//! The same mapping writes entities of one schema back to CSV ([`write_csv`]): one row per entity,
//! the columns in the mapping's order, several values joined by `|`, so that a file written with a
//! mapping and read again with it gives the same properties. A `|` inside a value cannot survive
//! that (it separates values): it is written as `¦`. The file is UTF-8 with a BOM (so a
//! spreadsheet reads the accents), `;`-separated as French spreadsheets expect, every cell quoted
//! (so that the reader's guess of the separator holds whatever the values hold). A value a
//! spreadsheet would run as a formula (`=`, `+`, `-`, `@`...) is written after a `'`, which the
//! reader takes off again: an exported file cannot carry a formula into an analyst's spreadsheet.
//!
//! Intelligence items go to CSV the same way ([`write_items_csv`]), with a mapping of their fields
//! ([`ITEM_FIELDS`]) to columns; a human source's code is never written, only its kind. Which items
//! may leave at all is the engine's decision (`IntelItem::gate`), taken before it calls this.
//!
//! What it does not do: guess the encoding (the caller decodes; UTF-8 with or without a BOM here).

use crate::ftm_entities::{EntityDraft, FtmBatch, LineError, MAX_LINES};
use crate::item::{IntelItem, SourceKind};
use vigie_core::entity::{validate_properties, Properties, Schema};

/// Separates several values in one cell.
pub const VALUE_SEPARATOR: char = '|';
/// What a `|` inside a value is written as (a `|` would split the value in two when read back).
pub const SEPARATOR_STAND_IN: char = '¦';
/// The column separator of written files.
const DELIMITER: u8 = b';';

/// Parses "property=COLUMN,property=COLUMN" (spaces around names ignored).
pub fn parse_mapping(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut mapping = Vec::new();
    for pair in text
        .split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
    {
        let Some((property, column)) = pair.split_once('=') else {
            return Err(format!(
                "correspondance « {pair} » mal formée : attendu propriété=COLONNE"
            ));
        };
        let (property, column) = (property.trim(), column.trim());
        if property.is_empty() || column.is_empty() {
            return Err(format!(
                "correspondance « {pair} » mal formée : attendu propriété=COLONNE"
            ));
        }
        mapping.push((property.to_owned(), column.to_owned()));
    }
    if mapping.is_empty() {
        return Err("indiquez au moins une correspondance propriété=COLONNE".to_owned());
    }
    Ok(mapping)
}

/// Reads the rows of `text` as entities of `schema`, their ids in the file being `line-N`.
pub fn read_csv(
    text: &str,
    schema: Schema,
    mapping: &[(String, String)],
) -> Result<FtmBatch, Vec<LineError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header_fault = |message: String| LineError {
        line: 1,
        field: String::new(),
        message,
    };
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(headers) => headers.iter().map(|h| h.trim().to_owned()).collect(),
        Err(error) => return Err(vec![header_fault(format!("en-tête illisible ({error})"))]),
    };
    let mut errors = Vec::new();
    let mut columns = Vec::with_capacity(mapping.len());
    for (property, column) in mapping {
        if !schema.properties().iter().any(|(name, _)| name == property) {
            errors.push(header_fault(format!(
                "propriété « {property} » inconnue pour le type « {} » (propriétés : {})",
                schema.label_fr(),
                schema
                    .properties()
                    .iter()
                    .map(|(name, _)| *name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        match headers.iter().position(|h| h.eq_ignore_ascii_case(column)) {
            Some(index) => columns.push((property.clone(), index)),
            None => errors.push(header_fault(format!(
                "colonne « {column} » absente de l'en-tête"
            ))),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut batch = FtmBatch::default();
    for (index, row) in reader.records().enumerate() {
        // Line 1 is the header; a record spanning several lines is counted by its first line.
        let line = row
            .as_ref()
            .ok()
            .and_then(|row| row.position())
            .map_or(index + 2, |position| position.line() as usize);
        if line > MAX_LINES {
            errors.push(LineError {
                line,
                field: String::new(),
                message: format!("un fichier compte au plus {MAX_LINES} lignes"),
            });
            break;
        }
        let row = match row {
            Ok(row) => row,
            Err(error) => {
                errors.push(LineError {
                    line,
                    field: String::new(),
                    message: format!("ligne illisible ({error})"),
                });
                continue;
            }
        };
        let mut properties = Properties::new();
        for (property, column) in &columns {
            let values: Vec<String> = row
                .get(*column)
                .unwrap_or_default()
                .split('|')
                .map(|value| restored(value.trim()))
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
                .collect();
            if !values.is_empty() {
                properties
                    .entry(property.clone())
                    .or_default()
                    .extend(values);
            }
        }
        if properties.is_empty() {
            // A blank row is skipped, as a blank line is in JSON lines.
            continue;
        }
        match validate_properties(schema, &properties) {
            Ok(properties) => batch.entities.push(EntityDraft {
                line,
                key: format!("line-{line}"),
                schema,
                properties,
            }),
            Err(faults) => errors.extend(faults.into_iter().map(|fault| {
                let column = mapping
                    .iter()
                    .find(|(property, _)| *property == fault.field)
                    .map_or(fault.field.clone(), |(_, column)| column.clone());
                LineError {
                    line,
                    field: column,
                    message: fault.message,
                }
            })),
        }
    }
    if errors.is_empty() {
        Ok(batch)
    } else {
        Err(errors)
    }
}

/// The property names of `schema` as column names: `firstName` → `FIRST_NAME`.
fn column_name(property: &str) -> String {
    let mut column = String::with_capacity(property.len() + 4);
    for (at, c) in property.chars().enumerate() {
        if c.is_ascii_uppercase() && at > 0 {
            column.push('_');
        }
        column.push(c.to_ascii_uppercase());
    }
    column
}

/// The mapping an export of `schema` starts from: every property of the schema, in the schema's
/// order, to a column of its name in capitals (`firstName=FIRST_NAME`).
pub fn default_mapping(schema: Schema) -> String {
    schema
        .properties()
        .iter()
        .map(|(name, _)| format!("{name}={}", column_name(name)))
        .collect::<Vec<_>>()
        .join(",")
}

/// [`default_mapping`] of a schema given by its name (`Person`...); empty for an unknown name.
pub fn default_mapping_of(schema: impl AsRef<str>) -> String {
    Schema::parse(schema.as_ref())
        .map(default_mapping)
        .unwrap_or_default()
}

/// Faults of a mapping for writing: a field that `known` does not hold (described by `unknown`),
/// a field or a column named twice (columns compared as the reader compares them, ASCII case
/// ignored: two columns of one name would be read back from the first).
fn check_written_mapping(
    mapping: &[(String, String)],
    known: &dyn Fn(&str) -> bool,
    unknown: &dyn Fn(&str) -> String,
) -> Result<(), Vec<String>> {
    let mut faults = Vec::new();
    if mapping.is_empty() {
        faults.push("indiquez au moins une correspondance propriété=COLONNE".to_owned());
    }
    for (at, (property, column)) in mapping.iter().enumerate() {
        if !known(property) {
            faults.push(unknown(property));
        }
        let earlier = &mapping[..at];
        if earlier.iter().any(|(other, _)| other == property) {
            faults.push(format!("propriété « {property} » indiquée deux fois"));
        }
        if earlier
            .iter()
            .any(|(_, other)| other.eq_ignore_ascii_case(column))
        {
            faults.push(format!("colonne « {column} » indiquée deux fois"));
        }
    }
    if faults.is_empty() {
        Ok(())
    } else {
        Err(faults)
    }
}

/// Checks a mapping for writing entities of `schema`: every property known to the schema, none and
/// no column twice. Every fault is named, in French.
pub fn check_export_mapping(
    schema: Schema,
    mapping: &[(String, String)],
) -> Result<(), Vec<String>> {
    let names = || schema.properties().iter().map(|(name, _)| *name);
    check_written_mapping(
        mapping,
        &|property| names().any(|name| name == property),
        &|property| {
            format!(
                "propriété « {property} » inconnue pour le type « {} » (propriétés : {})",
                schema.label_fr(),
                names().collect::<Vec<_>>().join(", ")
            )
        },
    )
}

/// Writes a header and rows as CSV: UTF-8 with a BOM, `;` between cells, every cell quoted.
fn write_table(
    header: Vec<&str>,
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<String, Vec<String>> {
    let fault = |error: csv::Error| vec![format!("écriture du fichier CSV impossible ({error})")];
    let mut writer = csv::WriterBuilder::new()
        .delimiter(DELIMITER)
        .quote_style(csv::QuoteStyle::Always)
        .from_writer("\u{feff}".as_bytes().to_vec());
    writer.write_record(header).map_err(fault)?;
    for row in rows {
        writer.write_record(row).map_err(fault)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| vec![format!("écriture du fichier CSV impossible ({error})")])?;
    String::from_utf8(bytes)
        .map_err(|error| vec![format!("écriture du fichier CSV impossible ({error})")])
}

/// The first characters a spreadsheet reads as the start of a formula (OWASP's list for CSV
/// injection).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A value as written: one that a spreadsheet would run as a formula gets a leading `'`, which
/// spreadsheets show as "text" and [`restored`] takes off again (a phone "+33…" also stays text
/// instead of becoming a number).
fn neutralised(value: &str) -> String {
    // A value already made of quotes before a formula's start gets one more, so that reading
    // takes exactly one off.
    if value.trim_start_matches('\'').starts_with(FORMULA_STARTS) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// A value as read: the `'` that [`neutralised`] put before a formula's first character is taken
/// off, so that a file written by Vigie reads back as it was.
fn restored(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(FORMULA_STARTS) => rest,
        _ => value,
    }
}

/// Several values as one cell, joined by `|` (a `|` inside a value becomes `¦`), each neutralised.
fn joined<'v>(values: impl IntoIterator<Item = &'v str>) -> String {
    values
        .into_iter()
        .map(|value| neutralised(&value.replace(VALUE_SEPARATOR, &SEPARATOR_STAND_IN.to_string())))
        .collect::<Vec<_>>()
        .join(&VALUE_SEPARATOR.to_string())
}

/// Writes entities of `schema` (their properties) as CSV with `mapping`: one row per entity, one
/// column per correspondence, in order. Read back by [`read_csv`] with the same mapping, every row
/// with a value gives the same properties (a `|` inside a value aside). Refused, every fault named,
/// when the mapping does not fit the schema (see [`check_export_mapping`]).
pub fn write_csv<'a>(
    schema: Schema,
    mapping: &[(String, String)],
    entities: impl IntoIterator<Item = &'a Properties>,
) -> Result<String, Vec<String>> {
    check_export_mapping(schema, mapping)?;
    let header = mapping.iter().map(|(_, column)| column.as_str()).collect();
    let rows = entities.into_iter().map(|properties| {
        mapping
            .iter()
            .map(|(property, _)| {
                joined(
                    properties
                        .get(property)
                        .into_iter()
                        .flatten()
                        .map(String::as_str),
                )
            })
            .collect()
    });
    write_table(header, rows)
}

/// The fields of an intelligence item a CSV export may hold, with what each holds (in French, for
/// the forms' hints and the API's description).
pub const ITEM_FIELDS: [(&str, &str); 16] = [
    ("id", "référence de l'élément"),
    ("observed_on", "jour de l'observation (AAAA-MM-JJ)"),
    ("observed_until", "dernier jour d'une période (AAAA-MM-JJ)"),
    ("text", "ce qui a été appris"),
    ("grade", "cotation (« Europol 4x4 B2 »)"),
    (
        "source",
        "type de source (jamais le code d'une source humaine)",
    ),
    ("place", "lieu en clair"),
    ("commune", "code INSEE de la commune"),
    ("commune_name", "nom de la commune"),
    ("departement", "code du département"),
    ("owner", "service d'origine"),
    ("handling", "codes de traitement (H0 à H3, séparés par |)"),
    ("restrictions", "restrictions H3"),
    ("regime", "régime juridique"),
    ("sanitised_from", "élément d'origine d'une copie épurée"),
    (
        "entities",
        "entités concernées (identifiants séparés par |)",
    ),
];

/// The mapping an export of items starts from.
pub const DEFAULT_ITEM_MAPPING: &str = "id=REFERENCE,observed_on=DATE_OBSERVATION,\
observed_until=FIN_OBSERVATION,text=TEXTE,grade=COTATION,source=SOURCE,place=LIEU,\
commune=COMMUNE,commune_name=NOM_COMMUNE,departement=DEPARTEMENT,owner=SERVICE,\
handling=CODES_TRAITEMENT,restrictions=RESTRICTIONS,regime=REGIME";

/// Checks a mapping of item fields to columns: every field one of [`ITEM_FIELDS`], none and no
/// column twice.
pub fn check_item_mapping(mapping: &[(String, String)]) -> Result<(), Vec<String>> {
    let names = || ITEM_FIELDS.iter().map(|(name, _)| *name);
    check_written_mapping(
        mapping,
        &|field| names().any(|name| name == field),
        &|field| {
            format!(
                "champ « {field} » inconnu pour un élément de renseignement (champs : {})",
                names().collect::<Vec<_>>().join(", ")
            )
        },
    )
}

/// An item as a CSV export shows it, with the names the engine resolved.
#[derive(Clone, Copy, Debug)]
pub struct ItemRow<'a> {
    pub item: &'a IntelItem,
    /// The owning unit's name.
    pub owner_name: &'a str,
    /// The commune's name, when the item has a commune the atlas knows.
    pub commune_name: Option<&'a str>,
}

impl ItemRow<'_> {
    /// The cell of `field` (one of [`ITEM_FIELDS`]; anything else is empty).
    fn cell(&self, field: &str) -> String {
        let item = self.item;
        match field {
            "id" => item.id.to_string(),
            "observed_on" => item.observed_on.to_string(),
            "observed_until" => item
                .observed_until
                .map(|day| day.to_string())
                .unwrap_or_default(),
            "text" => item.text.clone(),
            "grade" => item.grade.display_fr(),
            "source" => match &item.source {
                // The code of a human source stays in Vigie: only the kind leaves.
                SourceKind::HumanSource { .. } => "Source humaine".to_owned(),
                other => other.label_fr(),
            },
            "place" => item.place.clone().unwrap_or_default(),
            "commune" => item.commune.clone().unwrap_or_default(),
            "commune_name" => self.commune_name.unwrap_or_default().to_owned(),
            "departement" => item.departement.clone().unwrap_or_default(),
            "owner" => self.owner_name.to_owned(),
            "handling" => joined(item.handling.codes()),
            "restrictions" => item.handling.other_restrictions.clone().unwrap_or_default(),
            "regime" => item.regime.label_fr().to_owned(),
            "sanitised_from" => item
                .sanitised_from
                .map(|original| original.to_string())
                .unwrap_or_default(),
            "entities" => item
                .entities
                .iter()
                .map(|entity| entity.0.to_string())
                .collect::<Vec<_>>()
                .join(&VALUE_SEPARATOR.to_string()),
            _ => String::new(),
        }
    }
}

/// Writes items as CSV with a mapping of their fields to columns (see [`check_item_mapping`]).
pub fn write_items_csv<'a>(
    mapping: &[(String, String)],
    rows: impl IntoIterator<Item = ItemRow<'a>>,
) -> Result<String, Vec<String>> {
    check_item_mapping(mapping)?;
    let header = mapping.iter().map(|(_, column)| column.as_str()).collect();
    let rows = rows.into_iter().map(|row| {
        mapping
            .iter()
            .map(|(field, _)| neutralised(&row.cell(field)))
            .collect()
    });
    write_table(header, rows)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn mapping() -> Vec<(String, String)> {
        parse_mapping("lastName=NOM, firstName=PRENOM,birthDate=DATE_NAISS,alias=SURNOMS").unwrap()
    }

    #[test]
    fn rows_become_entities_with_several_values_per_cell() {
        let text = "\u{feff}NOM;PRENOM;DATE_NAISS;SURNOMS;AUTRE\n\
                    BENALI;Karim;1990-04-12;Le Grand|KB;x\n\
                    ;;;;\n\
                    MARTIN;Julie;;;y\n";
        let batch = read_csv(text, Schema::Person, &mapping()).unwrap();
        assert_eq!(batch.entities.len(), 2);
        let first = &batch.entities[0];
        assert_eq!(first.line, 2);
        assert_eq!(first.properties["alias"], vec!["Le Grand", "KB"]);
        assert_eq!(first.properties["birthDate"], vec!["1990-04-12"]);
        assert_eq!(batch.entities[1].line, 4);
        assert_eq!(batch.entities[1].key, "line-4");
        assert!(!batch.entities[1].properties.contains_key("birthDate"));
    }

    #[test]
    fn faults_name_the_line_and_the_column() {
        let text =
            "NOM,PRENOM,DATE_NAISS,SURNOMS\nBENALI,Karim,1990-13-01,\nMARTIN,\"Julie\nAnne\",x,\n";
        let errors = read_csv(text, Schema::Person, &mapping()).unwrap_err();
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            vec![
                "ligne 2, DATE_NAISS : Date invalide « 1990-13-01 » : formats acceptés AAAA, AAAA-MM ou AAAA-MM-JJ",
                "ligne 3, DATE_NAISS : Date invalide « x » : formats acceptés AAAA, AAAA-MM ou AAAA-MM-JJ",
            ]
        );
        let errors = read_csv(
            "NOM\nX\n",
            Schema::Vehicle,
            &parse_mapping("registrationNumber=PLAQUE,colour=NOM").unwrap(),
        )
        .unwrap_err();
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            vec![
                "ligne 1 : colonne « PLAQUE » absente de l'en-tête",
                "ligne 1 : propriété « colour » inconnue pour le type « Véhicule » \
                 (propriétés : registrationNumber, model, color, notes)",
            ]
        );
        assert!(parse_mapping("name").is_err());
        assert!(parse_mapping(" , ").is_err());
    }

    /// Writes `entities` with `mapping`, reads the file back with it and expects the properties of
    /// every entity that has a mapped value (a row without one is skipped, as a blank row is).
    fn check_round_trip(schema: Schema, mapping: &str, entities: &[Properties]) {
        let mapping = parse_mapping(mapping).unwrap();
        let written = write_csv(schema, &mapping, entities).unwrap();
        let read = read_csv(&written, schema, &mapping)
            .unwrap_or_else(|errors| panic!("{errors:?} reading back\n{written}"));
        let expected: Vec<Properties> = entities
            .iter()
            .map(|properties| {
                mapping
                    .iter()
                    .filter_map(|(property, _)| {
                        let values = properties.get(property)?;
                        let values: Vec<String> = values
                            .iter()
                            .map(|value| value.replace(VALUE_SEPARATOR, "¦"))
                            .collect();
                        Some((property.clone(), values))
                    })
                    .collect::<Properties>()
            })
            .filter(|properties| !properties.is_empty())
            .collect();
        let got: Vec<Properties> = read.entities.into_iter().map(|e| e.properties).collect();
        assert_eq!(got, expected, "{written}");
    }

    fn person(pairs: &[(&str, &[&str])]) -> Properties {
        pairs
            .iter()
            .map(|(name, values)| {
                let values = values.iter().map(|value| (*value).to_owned()).collect();
                ((*name).to_owned(), values)
            })
            .collect()
    }

    #[test]
    fn a_written_file_reads_back_to_the_same_properties() {
        let entities = vec![
            person(&[
                ("lastName", &["BENALI"]),
                ("firstName", &["Karim"]),
                ("alias", &["Le \"Grand\"", "K;B", "a,b", "x|y"]),
                ("birthDate", &["1990-04"]),
                ("notes", &["Vu le 12/11\nà la cité ; « calme »"]),
            ]),
            person(&[("nationality", &["française"])]),
            person(&[("lastName", &["MARTIN"]), ("birthPlace", &["Marseille"])]),
        ];
        check_round_trip(Schema::Person, &default_mapping(Schema::Person), &entities);
        check_round_trip(Schema::Person, "alias=SURNOMS", &entities);
        check_round_trip(Schema::Person, "notes=A;B,lastName=C", &entities);
        check_round_trip(Schema::Person, "notes=NOTES", &entities);

        let written = write_csv(
            Schema::Person,
            &parse_mapping("lastName=NOM,alias=SURNOMS").unwrap(),
            &entities[..1],
        )
        .unwrap();
        assert_eq!(
            written,
            "\u{feff}\"NOM\";\"SURNOMS\"\n\"BENALI\";\"Le \"\"Grand\"\"|K;B|a,b|x¦y\"\n"
        );
        assert_eq!(
            default_mapping(Schema::Vehicle),
            "registrationNumber=REGISTRATION_NUMBER,model=MODEL,color=COLOR,notes=NOTES"
        );
        assert_eq!(default_mapping_of("Phone"), "number=NUMBER,notes=NOTES");
        assert_eq!(default_mapping_of("Licorne"), "");
    }

    /// Entities of every schema with values drawn from a pool of awkward characters (quotes, both
    /// separators, line breaks, tabs, accents, spaces), normalised as the store holds them, come
    /// back unchanged through a file, with the default mapping and with a one-column mapping.
    #[test]
    fn random_entities_read_back_unchanged() {
        const POOL: &[&str] = &[
            "a", "Z", "é", "ç", "’", "\"", ";", ",", " ", "\n", "\t", "|", "=", "«", "»", "0", "7",
            "-", "\u{202f}", "'",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        let mut checked = 0;
        for round in 0..200 {
            let schema = Schema::ALL[round % Schema::ALL.len()];
            let mut entities = Vec::new();
            for _ in 0..next(4) + 1 {
                let mut properties = Properties::new();
                for (name, _) in schema.properties() {
                    if next(3) == 0 {
                        continue;
                    }
                    let values = (0..next(3) + 1)
                        .map(|_| {
                            (0..next(12) + 1)
                                .map(|_| POOL[next(POOL.len())])
                                .collect::<String>()
                        })
                        .collect();
                    properties.insert((*name).to_owned(), values);
                }
                // Only values the store could hold: those its validation accepts, normalised
                // (typed properties such as plates or dates rarely come out of the pool).
                let valid: Properties = properties
                    .into_iter()
                    .filter(|(name, values)| {
                        let one = Properties::from([(name.clone(), values.clone())]);
                        validate_properties(schema, &one).is_ok()
                    })
                    .collect();
                if let Ok(normalised) = validate_properties(schema, &valid) {
                    entities.push(normalised);
                }
            }
            check_round_trip(schema, &default_mapping(schema), &entities);
            let (first, _) = schema.properties()[0];
            check_round_trip(schema, &format!("{first}=SEULE"), &entities);
            checked += entities.len();
        }
        assert!(checked > 300, "{checked} entities only");
    }

    #[test]
    fn a_mapping_that_cannot_be_read_back_is_refused_with_every_fault() {
        let faults = write_csv(
            Schema::Vehicle,
            &parse_mapping("colour=COULEUR,model=MODELE,notes=modele,model=AUTRE").unwrap(),
            &[],
        )
        .unwrap_err();
        assert_eq!(
            faults,
            vec![
                "propriété « colour » inconnue pour le type « Véhicule » \
                 (propriétés : registrationNumber, model, color, notes)",
                "colonne « modele » indiquée deux fois",
                "propriété « model » indiquée deux fois",
            ]
        );
        let faults =
            check_item_mapping(&parse_mapping("text=TEXTE,source_code=CODE").unwrap()).unwrap_err();
        assert_eq!(faults.len(), 1);
        assert!(
            faults[0].starts_with("champ « source_code » inconnu"),
            "{faults:?}"
        );
        check_item_mapping(&parse_mapping(DEFAULT_ITEM_MAPPING).unwrap()).unwrap();
    }

    #[test]
    fn items_are_written_without_a_human_source_code() {
        use crate::grade::{Grade, Scheme};
        use crate::handling::Handling;
        use crate::item::ItemId;
        use time::macros::date;
        use uuid::Uuid;
        let item = IntelItem {
            id: ItemId(Uuid::from_u128(10)),
            owner_unit: vigie_core::org::UnitId(Uuid::from_u128(100)),
            recorded_by: "account:1".to_owned(),
            recorded_at_micros: 1,
            text: "Livraison « jeudi » ; utilitaire blanc, SH-13-0042 absent".to_owned(),
            observed_on: date!(2026 - 11 - 17),
            observed_until: None,
            place: Some("parking".to_owned()),
            commune: Some("13214".to_owned()),
            departement: Some("13".to_owned()),
            entities: vec![vigie_core::entity::EntityId(Uuid::from_u128(5))],
            source: SourceKind::HumanSource {
                code: "SH-13-0099".to_owned(),
            },
            grade: Grade::parse(Scheme::Europol4x4, "B2").unwrap(),
            handling: Handling {
                no_judicial_use: true,
                no_dissemination: false,
                other_restrictions: Some("pas au bailleur".to_owned()),
            },
            regime: vigie_core::entity::LegalRegime::Administrative,
            sanitised_from: None,
            permissions: Vec::new(),
        };
        let row = ItemRow {
            item: &item,
            owner_name: "DIPN 13",
            commune_name: Some("Marseille 14e Arrondissement"),
        };
        let mapping = parse_mapping(DEFAULT_ITEM_MAPPING).unwrap();
        let written = write_items_csv(&mapping, [row]).unwrap();
        assert!(!written.contains("SH-13-0099"), "{written}");
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(written.trim_start_matches('\u{feff}').as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(header.len(), mapping.len());
        assert_eq!(header[1], "DATE_OBSERVATION");
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1);
        let cell = |column: &str| {
            let at = header.iter().position(|h| h == column).unwrap();
            rows[0][at].to_owned()
        };
        assert_eq!(cell("REFERENCE"), item.id.to_string());
        assert_eq!(cell("DATE_OBSERVATION"), "2026-11-17");
        assert_eq!(cell("FIN_OBSERVATION"), "");
        assert_eq!(cell("TEXTE"), item.text);
        assert_eq!(cell("COTATION"), "Europol 4x4 B2");
        assert_eq!(cell("SOURCE"), "Source humaine");
        assert_eq!(cell("NOM_COMMUNE"), "Marseille 14e Arrondissement");
        assert_eq!(cell("SERVICE"), "DIPN 13");
        assert_eq!(cell("CODES_TRAITEMENT"), "H1|H3");
        assert_eq!(cell("RESTRICTIONS"), "pas au bailleur");
        assert_eq!(cell("REGIME"), "Administratif");
        let entities = write_items_csv(&parse_mapping("entities=E").unwrap(), [row]).unwrap();
        assert!(entities.ends_with(&format!("\"{}\"\n", Uuid::from_u128(5))));
    }

    #[test]
    fn formulas_are_written_as_text_and_read_back_as_they_were() {
        let mut properties = Properties::new();
        properties.insert(
            "notes".to_owned(),
            vec![
                "=HYPERLINK(\"http://x\")".to_owned(),
                "@SUM(A1)".to_owned(),
                "rien".to_owned(),
            ],
        );
        properties.insert("number".to_owned(), vec!["+33612345678".to_owned()]);
        let mapping = vec![
            ("number".to_owned(), "NUMERO".to_owned()),
            ("notes".to_owned(), "NOTES".to_owned()),
        ];
        let written = write_csv(Schema::Phone, &mapping, [&properties]).unwrap();
        assert!(written.contains("\"'+33612345678\""), "{written}");
        assert!(written.contains("'=HYPERLINK"), "{written}");
        assert!(
            !written.contains(";\"=") && !written.contains("|="),
            "{written}"
        );
        let read = read_csv(&written, Schema::Phone, &mapping).unwrap();
        assert_eq!(read.entities[0].properties, properties);
    }
}
