//! `vigie entities import`: entities and links from a FollowTheMoney JSON-lines file (OCCRP Aleph's
//! export format), or entities from a CSV file with a column mapping, as a named account, all or
//! nothing.
//!
//! The file is read with a progress bar, every faulty line is printed with its number, and nothing
//! is written unless every line is right; then the engine writes everything in one transaction,
//! under the policy and the journal exactly as the API does.

use anyhow::{anyhow, bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use vigie_core::entity::{LegalRegime, Schema};
use vigie_engine::{line_errors, Actor, Engine, EngineError, ImportOptions, RequestContext};
use vigie_intel::csv_entities::{parse_mapping, read_csv};
use vigie_intel::ftm_entities::read_ftm_with_progress;

/// How to read the file.
pub enum FileFormat<'a> {
    Ftm,
    Csv {
        schema: &'a str,
        mapping: &'a str,
        encoding: Option<&'a str>,
    },
}

/// Imports the file; prints each problem with its line and returns false if nothing was written.
pub async fn import(
    engine: &Engine,
    actor: &Actor,
    path: &Path,
    format: FileFormat<'_>,
    regime: &str,
    departement: Option<String>,
    source: String,
) -> Result<bool> {
    let ctx = RequestContext {
        request_id: "import-ftm".to_owned(),
    };
    let Some(regime) = LegalRegime::parse(regime) else {
        bail!(
            "régime inconnu « {regime} » : judicial, administrative, customs, municipal_police ou partner"
        );
    };
    let read = match format {
        FileFormat::Ftm => {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!("impossible de lire {} (UTF-8 attendu)", path.display())
            })?;
            let bar = ProgressBar::new(text.len() as u64);
            if let Ok(style) =
                ProgressStyle::with_template("Lecture [{bar:40}] {bytes}/{total_bytes} ({eta})")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            let read = read_ftm_with_progress(&text, &mut |bytes| bar.set_position(bytes as u64));
            bar.finish_and_clear();
            read
        }
        FileFormat::Csv {
            schema,
            mapping,
            encoding,
        } => {
            let Some(schema) = Schema::parse(schema) else {
                bail!(
                    "type « {schema} » inconnu ({})",
                    Schema::ALL.map(Schema::as_str).join(", ")
                );
            };
            let mapping =
                parse_mapping(mapping).map_err(|message| anyhow!("--mapping : {message}"))?;
            let text = crate::match_cli::read_text(path, encoding)?;
            read_csv(&text, schema, &mapping)
        }
    };
    let batch = match read {
        Ok(batch) => batch,
        Err(errors) => {
            report(line_errors(&errors));
            return Ok(false);
        }
    };
    let (entities, links) = (batch.entities.len(), batch.links.len());
    let spinner = ProgressBar::new_spinner();
    spinner.set_message(format!(
        "Enregistrement de {entities} entités et {links} liens"
    ));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let options = ImportOptions {
        regime,
        departement,
        source,
    };
    let result = engine.import_ftm(actor, batch, &options, &ctx).await;
    spinner.finish_and_clear();
    match result {
        Ok(done) => {
            println!(
                "{} et {} enregistrés pour {}.",
                counted(done.entities, "entité", "entités"),
                counted(done.links, "lien", "liens"),
                actor.unit.name
            );
            if !done.ignored.is_empty() {
                println!("Propriétés non reprises par Vigie :");
                for (property, count) in &done.ignored {
                    println!("  {property} ({count} entité(s))");
                }
            }
            Ok(true)
        }
        Err(error @ EngineError::Invalid(_)) => {
            report(error);
            Ok(false)
        }
        Err(error) => bail!("{error}"),
    }
}

fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n > 1 { many } else { one })
}

fn report(error: EngineError) {
    if let EngineError::Invalid(errors) = error {
        for error in errors {
            // Line faults carry their line in the message; file-wide ones name their option.
            if error.field.starts_with("lines[") {
                eprintln!("{}", error.message);
            } else {
                eprintln!("--{} : {}", error.field, error.message);
            }
        }
    }
    eprintln!("Rien n'a été enregistré.");
}
