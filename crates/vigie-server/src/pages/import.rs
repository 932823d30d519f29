//! `/entites/import`: an analyst records the entities of a file (FollowTheMoney JSON lines from
//! Aleph, or a spreadsheet saved as CSV with a column mapping) for their unit, all or nothing.
//!
//! The form is posted as multipart (the file with its options); a faulty file is answered 422 with
//! every faulty line listed and nothing written; a good one with what was recorded and what Vigie
//! left out. The engine applies the policy and journals every record, exactly as the API does.

use super::session::{PageSession, SameOrigin};
use super::view::{Field, ImportPage, ImportResult, SelectField};
use super::{render, ErrorKind, PageResult};
use crate::extract::Ctx;
use crate::AppState;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use vigie_core::entity::{FieldError, LegalRegime, Schema};
use vigie_core::policy::Action;
use vigie_engine::{line_errors, EngineError, ImportOptions};
use vigie_intel::csv_entities::{parse_mapping, read_csv};
use vigie_intel::ftm_entities::read_ftm;

/// The largest file the page accepts (the body of this route only).
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;
/// Faults shown on the page (the count says how many there were).
const SHOWN_FAULTS: usize = 200;

#[derive(Default)]
struct ImportForm {
    csrf: String,
    format: String,
    schema: String,
    mapping: String,
    regime: String,
    departement: String,
    source: String,
    file_name: String,
    file: Vec<u8>,
}

fn page(session: &PageSession, form: &ImportForm, errors: &[FieldError]) -> ImportPage {
    let error = |field: &str| {
        errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    };
    let mut format = SelectField::new(
        "import-format",
        "format",
        "Format du fichier",
        vec![
            (
                "ftm".to_owned(),
                "FollowTheMoney (JSON lines, export d'Aleph)".to_owned(),
            ),
            ("csv".to_owned(), "CSV (tableur)".to_owned()),
        ],
        if form.format.is_empty() {
            "ftm"
        } else {
            &form.format
        },
    );
    format.error = error("format");
    let mut schema_options = vec![(String::new(), "—".to_owned())];
    schema_options.extend(
        Schema::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), s.label_fr().to_owned())),
    );
    let mut schema = SelectField::new(
        "import-type",
        "schema",
        "CSV : type des entités (une par ligne)",
        schema_options,
        &form.schema,
    );
    schema.error = error("schema");
    let mut regime = SelectField::new(
        "import-regime",
        "regime",
        "Régime juridique des données",
        LegalRegime::ALL
            .iter()
            .map(|r| (r.as_str().to_owned(), r.label_fr().to_owned()))
            .collect(),
        if form.regime.is_empty() {
            "judicial"
        } else {
            &form.regime
        },
    );
    regime.error = error("regime");
    let mut mapping = Field::text("import-correspondance", "mapping", "CSV : correspondance des colonnes")
        .hint("propriété=COLONNE séparées par des virgules, par exemple lastName=NOM,firstName=PRENOM,birthDate=DATE_NAISS ; plusieurs valeurs dans une cellule sont séparées par |")
        .value(&form.mapping);
    mapping.error = error("mapping");
    let mut departement = Field::text(
        "import-departement",
        "departement",
        "Département (facultatif)",
    )
    .hint("Si tout le fichier concerne un département : 13, 2A, 974…")
    .value(&form.departement);
    departement.error = error("departement");
    let mut source = Field::text("import-source", "source", "Provenance du fichier")
        .hint("Obligatoire : d'où vient le fichier (« export Aleph du 12/11, PV 2026/118 ») ; elle est conservée avec chaque fiche.")
        .value(&form.source)
        .required();
    source.error = error("source");
    ImportPage {
        layout: session.layout("Importer des entités", "/recherche"),
        csrf: session.csrf.clone(),
        format,
        schema,
        mapping,
        regime,
        departement,
        source,
        file_error: error("file"),
        has_errors: !errors.is_empty(),
        faults: Vec::new(),
        fault_count: 0,
        result: None,
    }
}

/// `GET /entites/import`.
pub async fn form(session: PageSession) -> PageResult {
    session.require(Action::CreateEntity)?;
    Ok(render(
        StatusCode::OK,
        &page(&session, &ImportForm::default(), &[]),
    ))
}

async fn read_form(multipart: &mut Multipart) -> Result<ImportForm, ErrorKind> {
    let mut form = ImportForm::default();
    while let Some(field) = multipart.next_field().await.map_err(|error| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ErrorKind::PayloadTooLarge
        } else {
            ErrorKind::BadRequest
        }
    })? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "fichier" {
            form.file_name = field.file_name().unwrap_or_default().to_owned();
            form.file = field
                .bytes()
                .await
                .map_err(|error| {
                    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        ErrorKind::PayloadTooLarge
                    } else {
                        ErrorKind::BadRequest
                    }
                })?
                .to_vec();
            continue;
        }
        let value = field.text().await.map_err(|_| ErrorKind::BadRequest)?;
        let slot = match name.as_str() {
            "csrf" => &mut form.csrf,
            "format" => &mut form.format,
            "schema" => &mut form.schema,
            "mapping" => &mut form.mapping,
            "regime" => &mut form.regime,
            "departement" => &mut form.departement,
            "source" => &mut form.source,
            _ => continue,
        };
        *slot = value;
    }
    Ok(form)
}

/// `POST /entites/import` (multipart): reads, checks and records the file.
pub async fn import(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    mut multipart: Multipart,
) -> PageResult {
    let form = read_form(&mut multipart)
        .await
        .map_err(|kind| session.fail(kind))?;
    session.check_csrf(&form.csrf)?;
    session.require(Action::CreateEntity)?;
    let field = |field: &str, message: &str| FieldError {
        field: field.to_owned(),
        message: message.to_owned(),
    };
    let mut errors = Vec::new();
    let regime = LegalRegime::parse(&form.regime);
    if regime.is_none() {
        errors.push(field(
            "regime",
            "Choisissez le régime juridique des données",
        ));
    }
    if form.file.is_empty() {
        errors.push(field("file", "Choisissez un fichier non vide"));
    }
    let text = match String::from_utf8(form.file.clone()) {
        Ok(text) => Some(text),
        Err(_) => {
            if !form.file.is_empty() {
                errors.push(field(
                    "file",
                    "Le fichier n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 » depuis le tableur",
                ));
            }
            None
        }
    };
    let read = match (text, form.format.as_str()) {
        (Some(text), "csv") => {
            let schema = Schema::parse(&form.schema);
            if schema.is_none() {
                errors.push(field("schema", "Choisissez le type des entités du fichier"));
            }
            let mapping = parse_mapping(&form.mapping)
                .map_err(|message| errors.push(field("mapping", &message)))
                .ok();
            match (schema, mapping) {
                (Some(schema), Some(mapping)) => Some(read_csv(&text, schema, &mapping)),
                _ => None,
            }
        }
        (Some(text), _) => Some(read_ftm(&text)),
        (None, _) => None,
    };
    let (Some(regime), Some(read), true) = (regime, read, errors.is_empty()) else {
        return Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&session, &form, &errors),
        ));
    };
    let outcome = match read {
        Err(faults) => Err(line_errors(&faults)),
        Ok(batch) => {
            state
                .engine
                .import_ftm(
                    &session.actor,
                    batch,
                    &ImportOptions {
                        regime,
                        departement: Some(form.departement.clone()),
                        source: form.source.clone(),
                    },
                    &ctx,
                )
                .await
        }
    };
    match outcome {
        Ok(report) => {
            let mut shown = page(&session, &ImportForm::default(), &[]);
            shown.result = Some(ImportResult {
                file_name: form.file_name.clone(),
                entities: report.entities,
                links: report.links,
                ignored: report
                    .ignored
                    .iter()
                    .map(|(property, count)| format!("{property} ({count})"))
                    .collect(),
            });
            Ok(render(StatusCode::CREATED, &shown))
        }
        Err(EngineError::Invalid(errors)) => {
            // Line faults are listed; faults of the options go under their fields.
            let (lines, fields): (Vec<FieldError>, Vec<FieldError>) = errors
                .into_iter()
                .partition(|error| error.field.starts_with("lines"));
            let mut shown = page(&session, &form, &fields);
            shown.fault_count = lines.len();
            shown.faults = lines
                .into_iter()
                .take(SHOWN_FAULTS)
                .map(|error| error.message)
                .collect();
            shown.has_errors = true;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &shown))
        }
        Err(error) => Err(session.fail(error)),
    }
}
