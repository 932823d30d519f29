//! `vigie match`: which records of one or two CSV files are the same person.
//!
//! Input: a CSV file with a header (`,` or `;`), UTF-8, or Windows-1252/Latin-1 when asked with
//! `--encoding latin1` (a file that is not UTF-8 is refused with the line where it stops being so).
//! Columns are found by their usual names (French or English) or mapped with `--columns
//! champ=colonne,...`; the fields are id, given_name, surname, birth_date, street (plus street_number
//! when separate), postcode, city, phone, identifier. A missing id column or a file with no name
//! column is an error; an unreadable date is counted and treated as missing.
//!
//! Output: scored pairs at or above the threshold (with their per-field explanation and the model's
//! version) and, when asked, the cluster of every record. Matching reads no store and writes no journal:
//! it works on the files it is given.

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use vigie_match::record::Record;

pub struct MatchArgs {
    pub inputs: Vec<PathBuf>,
    pub columns: Option<String>,
    pub encoding: Option<String>,
    pub threshold: f64,
    pub pairs: Option<PathBuf>,
    pub clusters: Option<PathBuf>,
    pub judgements: Option<PathBuf>,
}

/// Reads analysts' judgements: a CSV with id_a, id_b and decision (meme, different, incertain), plus any
/// other columns (author, date, reason), which are kept in the file and ignored here.
pub fn read_judgements(path: &Path) -> Result<Vec<vigie_match::Judgement>> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("impossible de lire {name} (UTF-8 attendu)"))?;
    let delimiter = if text.lines().next().unwrap_or("").contains(';') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let column = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let (Some(a), Some(b), Some(d)) = (
        column(&["id_a"]),
        column(&["id_b"]),
        column(&["decision", "jugement", "verdict"]),
    ) else {
        bail!(
            "{name} : colonnes id_a, id_b et decision attendues (colonnes : {})",
            headers.join(", ")
        );
    };
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| anyhow::anyhow!("{name}, ligne {line} : {e}"))?;
        let get = |c: usize| row.get(c).unwrap_or("").trim().to_owned();
        let decision = get(d);
        let verdict = vigie_match::Verdict::parse(&decision).with_context(|| {
            format!("{name}, ligne {line} : décision « {decision} » inconnue (meme, different ou incertain)")
        })?;
        out.push(vigie_match::Judgement {
            a: get(a),
            b: get(b),
            verdict,
        });
    }
    Ok(out)
}

/// Field → the column names it is found under, first match wins.
const ALIASES: &[(&str, &[&str])] = &[
    (
        "id",
        &["id", "rec_id", "identifiant_fiche", "ref", "reference"],
    ),
    (
        "given_name",
        &[
            "given_name",
            "prenom",
            "prénom",
            "prenoms",
            "prénoms",
            "first_name",
        ],
    ),
    (
        "surname",
        &["surname", "nom", "last_name", "nom_usage", "nom_naissance"],
    ),
    (
        "birth_date",
        &[
            "birth_date",
            "date_of_birth",
            "date_naissance",
            "naissance",
            "dob",
        ],
    ),
    (
        "street_number",
        &["street_number", "numero_voie", "num_voie"],
    ),
    (
        "street",
        &["street", "address", "address_1", "adresse", "voie"],
    ),
    ("postcode", &["postcode", "code_postal", "cp", "zip"]),
    ("city", &["city", "suburb", "commune", "ville", "localite"]),
    (
        "phone",
        &["phone", "telephone", "téléphone", "tel", "mobile"],
    ),
    (
        "identifier",
        &[
            "identifier",
            "soc_sec_id",
            "numero",
            "numero_piece",
            "num_id",
        ],
    ),
];

/// A text file in UTF-8 (the default) or Latin-1 (Windows-1252, what spreadsheets often write); a
/// file that is not UTF-8 is refused with the line where it stops being so.
pub fn read_text(path: &Path, encoding: Option<&str>) -> Result<String> {
    let bytes =
        std::fs::read(path).with_context(|| format!("impossible de lire {}", path.display()))?;
    let name = path.display();
    Ok(match encoding.map(str::to_lowercase).as_deref() {
        None | Some("utf-8") | Some("utf8") => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
                let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
                bail!(
                    "{name} n'est pas en UTF-8 (ligne {line}) : s'il vient d'un tableur ou d'un logiciel \
                     ancien, il est sans doute en Latin-1 ; relancez avec --encoding latin1"
                );
            }
        },
        Some("latin1" | "latin-1" | "iso-8859-1" | "windows-1252" | "cp1252") => {
            encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned()
        }
        Some(other) => bail!("encodage « {other} » inconnu (utf-8 ou latin1)"),
    })
}

/// Reads one CSV file into records. Errors name the file and the line.
pub fn read_records(
    path: &Path,
    columns: Option<&str>,
    encoding: Option<&str>,
) -> Result<Vec<Record>> {
    let text = read_text(path, encoding)?;
    let name = path.display();
    if text.chars().all(char::is_whitespace) {
        bail!("{name} est vide");
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let delimiter = if text.lines().next().unwrap_or("").contains(';') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .with_context(|| format!("{name} : en-tête illisible"))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();

    let mapping =
        column_mapping(&headers, columns).with_context(|| format!("{name} : colonnes"))?;
    let mut records = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| anyhow::anyhow!("{name}, ligne {line} : {e}"))?;
        let get = |field: &str| {
            mapping
                .get(field)
                .and_then(|&c| row.get(c))
                .unwrap_or("")
                .trim()
                .to_owned()
        };
        let id = get("id");
        if id.is_empty() {
            bail!("{name}, ligne {line} : identifiant vide");
        }
        let street = [get("street_number"), get("street")]
            .iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
        records.push(Record {
            id,
            given_name: get("given_name"),
            surname: get("surname"),
            birth_date: get("birth_date"),
            street,
            postcode: get("postcode"),
            city: get("city"),
            phone: get("phone"),
            identifier: get("identifier"),
        });
    }
    if records.is_empty() {
        bail!("{name} ne contient aucune ligne après l'en-tête");
    }
    Ok(records)
}

/// Which column holds each field: `--columns` first, then the usual names.
fn column_mapping(
    headers: &[String],
    columns: Option<&str>,
) -> Result<HashMap<&'static str, usize>> {
    let mut mapping = HashMap::new();
    let mut explicit: HashMap<String, String> = HashMap::new();
    for part in columns
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let Some((field, column)) = part.split_once('=') else {
            bail!("--columns attend champ=colonne, reçu « {part} »");
        };
        let field = field.trim();
        if !ALIASES.iter().any(|(f, _)| *f == field) {
            let known: Vec<&str> = ALIASES.iter().map(|(f, _)| *f).collect();
            bail!(
                "--columns : champ « {field} » inconnu (champs : {})",
                known.join(", ")
            );
        }
        explicit.insert(field.to_owned(), column.trim().to_lowercase());
    }
    for (field, aliases) in ALIASES {
        let found = match explicit.get(*field) {
            Some(column) => Some(headers.iter().position(|h| h == column).with_context(|| {
                format!(
                    "colonne « {column} » absente (colonnes : {})",
                    headers.join(", ")
                )
            })?),
            None => aliases
                .iter()
                .find_map(|a| headers.iter().position(|h| h == a)),
        };
        if let Some(index) = found {
            mapping.insert(*field, index);
        }
    }
    if !mapping.contains_key("id") {
        bail!("aucune colonne d'identifiant (id, rec_id...) : précisez-la avec --columns id=colonne ; colonnes : {}", headers.join(", "));
    }
    if !mapping.contains_key("surname") && !mapping.contains_key("given_name") {
        bail!("ni nom ni prénom : précisez les colonnes avec --columns surname=...,given_name=... ; colonnes : {}", headers.join(", "));
    }
    Ok(mapping)
}

pub fn run(args: &MatchArgs) -> Result<()> {
    // One step per file read, then the matching steps.
    let bar = ProgressBar::new(args.inputs.len() as u64 + vigie_match::Step::COUNT);
    if let Ok(style) =
        ProgressStyle::with_template("Rapprochement [{bar:30}] {pos}/{len} {msg} ({elapsed})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let mut files = Vec::new();
    for path in &args.inputs {
        bar.set_message(format!("lecture de {}", path.display()));
        files.push(read_records(
            path,
            args.columns.as_deref(),
            args.encoding.as_deref(),
        )?);
        bar.inc(1);
    }
    let judgements = match &args.judgements {
        Some(path) => read_judgements(path)?,
        None => Vec::new(),
    };
    let options = vigie_match::Options {
        threshold: args.threshold,
        judgements,
        ..vigie_match::Options::default()
    };
    let read = args.inputs.len() as u64;
    let progress = |step: vigie_match::Step| {
        bar.set_position(read + step.index());
        bar.set_message(step.label_fr());
    };
    let (all, split): (Vec<Record>, Option<usize>) = match files.as_mut_slice() {
        [one] => (std::mem::take(one), None),
        [left, right] => {
            let split = left.len();
            let mut all = std::mem::take(left);
            all.append(right);
            (all, Some(split))
        }
        _ => bail!("un fichier (dédoublonnage) ou deux (rapprochement)"),
    };
    let outcome = vigie_match::run_with_progress(&all, split, &options, &progress);
    bar.finish_and_clear();
    let version = outcome.model.version();
    let s = &outcome.stats;
    eprintln!(
        "{} fiches, {} paires candidates, {} liens au seuil {}, {} groupes ; modèle {version} ; {} dates illisibles (traitées comme absentes){}",
        s.records,
        s.candidate_pairs,
        s.links,
        args.threshold,
        s.clusters,
        s.bad_dates,
        if s.skipped_blocks > 0 { format!(" ; {} blocs trop grands ignorés", s.skipped_blocks) } else { String::new() }
    );
    if args.judgements.is_some() {
        eprintln!(
            "{} jugements appliqués, {} sur des identifiants absents ; {} liens écartés parce qu'ils auraient réuni des fiches jugées différentes",
            s.judgements_applied, s.judgements_unmatched, s.links_refused_by_judgements
        );
    }
    if let Some(path) = &args.pairs {
        let mut out = csv::Writer::from_writer(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("impossible d'écrire {}", path.display()))?,
        ));
        out.write_record([
            "id_a",
            "id_b",
            "probabilite",
            "poids",
            "modele",
            "jugement",
            "explication",
        ])?;
        for pair in outcome.links(args.threshold) {
            let explanation: Vec<String> = outcome
                .explain(pair)
                .iter()
                .filter(|w| w.level != "absent")
                .map(|w| format!("{}:{}({:+.1})", w.field, w.level, w.weight))
                .collect();
            out.write_record([
                all[pair.a as usize].id.as_str(),
                all[pair.b as usize].id.as_str(),
                &format!("{:.6}", pair.probability),
                &format!("{:.2}", pair.weight),
                &version,
                pair.judgement.map_or("", vigie_match::Verdict::as_str),
                &explanation.join(" "),
            ])?;
        }
        out.flush()?;
    }
    if let Some(path) = &args.clusters {
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("impossible d'écrire {}", path.display()))?,
        );
        writeln!(out, "id,groupe")?;
        for (i, &c) in outcome.clusters.iter().enumerate() {
            writeln!(
                out,
                "{},{}",
                csv_field(&all[i].id),
                csv_field(&all[c as usize].id)
            )?;
        }
        out.flush()?;
    }
    Ok(())
}

fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}
