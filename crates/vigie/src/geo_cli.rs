//! `vigie geo ...`: locate the points of a CSV file, look up communes, check an organisation file.
//!
//! `locate` is all-or-nothing: every line is checked first (missing or unparsable coordinates, out of
//! range, latitude and longitude likely swapped) and, if any line is wrong, the errors are listed with
//! their line numbers and nothing is written. Points outside France are not errors: their status says so.
//! Geography is public reference data, so these commands read no store and write no journal.

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::path::PathBuf;
use vigie_geo::{CoordinateError, Geography};

pub struct LocateArgs {
    pub input: PathBuf,
    pub output: Option<PathBuf>,
    pub lat_column: Option<String>,
    pub lon_column: Option<String>,
}

/// The most errors listed before "and N more".
const MAX_LISTED_ERRORS: usize = 20;

pub fn locate(geo: &Geography, args: &LocateArgs) -> Result<()> {
    let bytes = std::fs::read(&args.input)
        .with_context(|| format!("impossible de lire {}", args.input.display()))?;
    if bytes.is_empty() {
        bail!("{} est vide", args.input.display());
    }
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    // French spreadsheets write "43,29" with ';' between fields.
    let delimiter = if first_line.contains(&b';') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(bytes.as_slice());
    let headers = reader.byte_headers().context("en-tête illisible")?.clone();
    let header_names: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_lowercase())
        .collect();
    let find = |given: &Option<String>, defaults: &[&str], what: &str| -> Result<usize> {
        let wanted: Vec<String> = match given {
            Some(name) => vec![name.to_lowercase()],
            None => defaults.iter().map(|s| (*s).to_owned()).collect(),
        };
        header_names.iter().position(|h| wanted.contains(h)).with_context(|| {
            format!(
                "colonne de {what} introuvable (cherchée : {}) ; colonnes présentes : {} ; précisez-la avec --{}-column",
                wanted.join(", "),
                header_names.join(", "),
                if what == "latitude" { "lat" } else { "lon" }
            )
        })
    };
    let lat_col = find(&args.lat_column, &["lat", "latitude", "y"], "latitude")?;
    let lon_col = find(
        &args.lon_column,
        &["lon", "lng", "long", "longitude", "x"],
        "longitude",
    )?;

    let bar = ProgressBar::new(bytes.len() as u64);
    if let Ok(style) = ProgressStyle::with_template("Localisation [{bar:40}] {percent} % ({eta})") {
        bar.set_style(style.progress_chars("=> "));
    }
    let mut rows = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    for (i, record) in reader.byte_records().enumerate() {
        let line = i + 2; // the header is line 1
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("ligne {line} : {e}"));
                continue;
            }
        };
        if i % 4096 == 0 {
            bar.set_position(record.position().map_or(0, |p| p.byte()));
        }
        let parse = |col: usize, what: &str| -> std::result::Result<f64, String> {
            let raw = record.get(col).unwrap_or_default();
            let text = String::from_utf8_lossy(raw).trim().replace(',', ".");
            if text.is_empty() {
                return Err(format!("ligne {line} : {what} manquante"));
            }
            text.parse::<f64>().map_err(|_| {
                format!(
                    "ligne {line} : {what} illisible « {} »",
                    String::from_utf8_lossy(raw)
                )
            })
        };
        let (lat, lon) = match (parse(lat_col, "latitude"), parse(lon_col, "longitude")) {
            (Ok(lat), Ok(lon)) => (lat, lon),
            (Err(e), _) | (_, Err(e)) => {
                errors.push(e);
                continue;
            }
        };
        match geo.locate(lat, lon) {
            Ok(location) => rows.push((record, location)),
            Err(e @ CoordinateError::LikelySwapped { .. }) => {
                errors.push(format!("ligne {line} : {e}"))
            }
            Err(e) => errors.push(format!("ligne {line} : {e}")),
        }
    }
    bar.finish_and_clear();
    if !errors.is_empty() {
        for e in errors.iter().take(MAX_LISTED_ERRORS) {
            eprintln!("{e}");
        }
        if errors.len() > MAX_LISTED_ERRORS {
            eprintln!("... et {} autres erreurs", errors.len() - MAX_LISTED_ERRORS);
        }
        bail!("{} ligne(s) en erreur : rien n'a été écrit", errors.len());
    }

    let sink: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("impossible d'écrire {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(std::io::BufWriter::new(sink));
    let mut header = headers.clone();
    for h in [
        "statut",
        "commune_code",
        "commune",
        "arrondissement",
        "departement",
        "cross",
        "antenne",
        "zone",
    ] {
        header.push_field(h.as_bytes());
    }
    writer.write_byte_record(&header)?;
    let (mut inside, mut outside) = (0usize, 0usize);
    for (mut record, location) in rows {
        match location {
            Some(l) => {
                inside += 1;
                let arrondissement = l.arrondissement.map(|a| a.nom).unwrap_or_default();
                for field in [
                    "en France",
                    &l.commune.code,
                    &l.commune.nom,
                    &arrondissement,
                    &l.departement.code,
                    &l.cross.nom,
                    &l.antenne.nom,
                    &l.zone.nom,
                ] {
                    record.push_field(field.as_bytes());
                }
            }
            None => {
                outside += 1;
                record.push_field("hors de France".as_bytes());
                for _ in 0..7 {
                    record.push_field(b"");
                }
            }
        }
        writer.write_byte_record(&record)?;
    }
    writer.flush()?;
    eprintln!(
        "{} point(s) localisé(s) en France, {outside} hors de France.",
        inside
    );
    Ok(())
}

pub fn search(geo: &Geography, query: &str, limit: usize) {
    for m in geo.search_communes(query, limit) {
        let postcodes = m.codes_postaux.join(", ");
        println!("{}  {}  [{}]", m.code, m.libelle, postcodes);
    }
}

pub fn check_organisation(path: &PathBuf) -> Result<()> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("impossible de lire {}", path.display()))?;
    let geo = Geography::with_organisation(&text).map_err(|e| anyhow::anyhow!("{e}"))?;
    let org = geo.organisation();
    println!(
        "Carte de l'organisation valide (version {}) : {} zones, {} antennes, {} CROSS, {} départements couverts.",
        org.version,
        org.zones.len(),
        org.antennas.len(),
        org.cross.len(),
        geo.atlas().departements.len()
    );
    Ok(())
}
