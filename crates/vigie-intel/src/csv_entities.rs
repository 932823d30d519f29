//! Entities from a CSV file with a column mapping: one entity of one schema per row.
//!
//! The mapping says which column feeds which property ("name=NOM,birthDate=DATE_NAISS"); a cell
//! may hold several values separated by `|`. Columns not mapped are ignored; a mapped property the
//! schema lacks, or a mapped column the file lacks, is a fault of line 1 (the header). Every row is
//! validated by `vigie_core::entity::validate_properties` and its faults carry the row's line, so an
//! import is all or nothing, exactly as for FollowTheMoney files (the result is the same
//! [`FtmBatch`], with no links).
//!
//! What it does not do: guess the encoding (the caller decodes; UTF-8 with or without a BOM here)
//! or write anything.

use crate::ftm_entities::{EntityDraft, FtmBatch, LineError, MAX_LINES};
use vigie_core::entity::{validate_properties, Properties, Schema};

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
                .map(str::trim)
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
}
