//! `vigie targets import|expire` and `vigie bench deconfliction`.
//!
//! The import reads a CSV of targets (one per line, multi-valued cells separated by `|`) and hands
//! them to the engine as one all-or-nothing registration, as a named account: the policy and the
//! journal apply exactly as for the API. Every faulty cell is reported with its line number; nothing
//! is written unless every line is right.
//!
//! The benchmark registers synthetic targets in bulk (Vigie's generator), then times standalone
//! checks through the engine (hits and misses apart), and can write check bodies for the HTTP run
//! of `bench/deconfliction.sh`.

use anyhow::{bail, Context, Result};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;
use vigie_engine::{Actor, Engine, EngineError, RequestContext};
use vigie_targets::{IdentifierDraft, PersonDraft, TargetDraft};

/// Columns of the import file. Multi-valued ones take several values separated by `|`.
const COLUMNS: &[(&str, bool)] = &[
    ("procedure", true),
    ("regime", true),
    ("magistrate_name", false),
    ("contact_name", true),
    ("contact_phone", true),
    ("surname", false),
    ("given_names", false),
    ("aliases", false),
    ("birth_date", false),
    ("birth_place", false),
    ("phones", false),
    ("plates", false),
    ("ibans", false),
    ("sirens", false),
    ("addresses", false),
    ("crypto_wallets", false),
];

const IDENTIFIER_COLUMNS: &[(&str, &str)] = &[
    ("phones", "phone"),
    ("plates", "plate"),
    ("ibans", "iban"),
    ("sirens", "siren"),
    ("addresses", "address"),
    ("crypto_wallets", "crypto_wallet"),
];

/// Reads the CSV into drafts; errors name the line (the header is line 1).
pub fn read_targets(path: &Path) -> Result<Vec<TargetDraft>, Vec<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| vec![format!("impossible de lire {} : {error}", path.display())])?;
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
        Ok(headers) => headers.iter().map(|h| h.trim().to_lowercase()).collect(),
        Err(error) => return Err(vec![format!("ligne 1 : en-tête illisible ({error})")]),
    };
    let mut problems = Vec::new();
    for header in &headers {
        if !COLUMNS.iter().any(|(name, _)| name == header) {
            problems.push(format!(
                "ligne 1 : colonne inconnue « {header} » (colonnes possibles : {})",
                COLUMNS
                    .iter()
                    .map(|(name, _)| *name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    for (name, required) in COLUMNS {
        if *required && !headers.iter().any(|header| header == name) {
            problems.push(format!("ligne 1 : colonne obligatoire « {name} » absente"));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let index: HashMap<&str, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, header)| (header.as_str(), i))
        .collect();
    let mut drafts = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                problems.push(format!("ligne {line} : ligne illisible ({error})"));
                continue;
            }
        };
        let cell = |name: &str| -> String {
            index
                .get(name)
                .and_then(|&i| record.get(i))
                .unwrap_or_default()
                .trim()
                .to_owned()
        };
        let many = |name: &str| -> Vec<String> {
            cell(name)
                .split('|')
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let optional = |name: &str| Some(cell(name)).filter(|value| !value.is_empty());
        let surname = cell("surname");
        let given_names = cell("given_names");
        let person = (!surname.is_empty() || !given_names.is_empty()).then(|| PersonDraft {
            surname,
            given_names,
            aliases: many("aliases"),
            birth_date: optional("birth_date"),
            birth_place: optional("birth_place"),
        });
        let identifiers = IDENTIFIER_COLUMNS
            .iter()
            .flat_map(|(column, kind)| {
                many(column).into_iter().map(|value| IdentifierDraft {
                    kind: (*kind).to_owned(),
                    value,
                })
            })
            .collect();
        drafts.push(TargetDraft {
            procedure: cell("procedure"),
            regime: cell("regime"),
            magistrate_unit: None,
            magistrate_name: optional("magistrate_name"),
            contact_name: cell("contact_name"),
            contact_phone: cell("contact_phone"),
            person,
            identifiers,
        });
    }
    if problems.is_empty() {
        Ok(drafts)
    } else {
        Err(problems)
    }
}

/// "[12].identifiers[0].value" → ("ligne 14", "identifiers[0].value").
fn locate_error(field: &str) -> (String, String) {
    if let Some(rest) = field.strip_prefix('[') {
        if let Some((number, tail)) = rest.split_once("].") {
            if let Ok(index) = number.parse::<usize>() {
                return (format!("ligne {}", index + 2), tail.to_owned());
            }
        }
    }
    ("fichier".to_owned(), field.to_owned())
}

/// Logs in as `username` (the password from VIGIE_PASSWORD or the first line of standard input).
pub async fn actor(engine: &Engine, username: &str, ctx: &RequestContext) -> Result<Actor> {
    let password = match std::env::var("VIGIE_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("cannot read the password from standard input")?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let grant = engine
        .login(username, &password, ctx)
        .await
        .map_err(|error| anyhow::anyhow!("connexion de « {username} » refusée : {error}"))?;
    engine
        .authenticate(&grant.token)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))
}

/// Imports the file; prints each problem with its line and returns false if nothing was written.
pub async fn import(engine: &Engine, actor: &Actor, path: &Path) -> Result<bool> {
    let ctx = RequestContext {
        request_id: "import-objectifs".to_owned(),
    };
    let drafts = match read_targets(path) {
        Ok(drafts) => drafts,
        Err(problems) => {
            for problem in problems {
                eprintln!("{problem}");
            }
            eprintln!("Aucun objectif enregistré.");
            return Ok(false);
        }
    };
    let count = drafts.len();
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_message(format!(
        "Enregistrement et déconfliction de {count} objectifs"
    ));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let result = engine.register_targets_bulk(actor, drafts, &ctx).await;
    spinner.finish_and_clear();
    match result {
        Ok(done) => {
            println!(
                "{} objectifs enregistrés ; {} rencontrent l'objectif d'une autre unité (voir la boîte des conflits).",
                done.registered, done.with_conflicts
            );
            Ok(true)
        }
        Err(EngineError::Invalid(errors)) => {
            for error in errors {
                let (line, field) = locate_error(&error.field);
                eprintln!("{line} : {field} : {}", error.message);
            }
            eprintln!("Aucun objectif enregistré.");
            Ok(false)
        }
        Err(error) => bail!("{error}"),
    }
}

pub struct BenchArgs {
    pub targets: usize,
    pub identifiers: usize,
    pub checks: usize,
    /// Where to write check bodies (JSON lines) for the HTTP run.
    pub write_checks: Option<PathBuf>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn draft_of(target: &vigie_synth::targets::SynthTarget, procedure: String) -> TargetDraft {
    TargetDraft {
        procedure,
        regime: "judicial".to_owned(),
        magistrate_unit: None,
        magistrate_name: Some("JIRS de Marseille".to_owned()),
        contact_name: "Enquêteur de permanence".to_owned(),
        contact_phone: "+33491000000".to_owned(),
        person: Some(PersonDraft {
            surname: target.surname.clone(),
            given_names: target.given_name.clone(),
            aliases: Vec::new(),
            birth_date: Some(target.birth_date.clone()),
            birth_place: None,
        }),
        identifiers: target
            .identifiers
            .iter()
            .map(|(kind, value)| IdentifierDraft {
                kind: (*kind).to_owned(),
                value: value.clone(),
            })
            .collect(),
    }
}

/// Registers `targets` synthetic targets in two bulk registrations (two units; one target in 100 of
/// the second unit copies one of the first's), then times `checks` standalone checks by a third unit.
pub async fn bench(args: &BenchArgs, engine: Engine) -> Result<()> {
    engine
        .seed_synthetic(42, 200, &|_, _| {})
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    let ctx = RequestContext {
        request_id: "bench".to_owned(),
    };
    let login = |username: &'static str| {
        let engine = engine.clone();
        let ctx = ctx.clone();
        async move {
            let grant = engine
                .login(username, vigie_synth::DEMO_PASSWORD, &ctx)
                .await
                .map_err(|error| anyhow::anyhow!("{username}: {error}"))?;
            engine
                .authenticate(&grant.token)
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))
        }
    };
    let gendarmerie = login("agent.gendarmerie").await?;
    let customs = login("agent.douane").await?;
    let checker = login("agent.marseille").await?;

    println!(
        "deconfliction bench: backend={} targets={} identifiers/target={} checks={} cpus={} date={}",
        engine.backend(),
        args.targets,
        args.identifiers,
        args.checks,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        engine.now().date()
    );
    let generated = Instant::now();
    let synth = vigie_synth::targets::targets(7, args.targets, args.identifiers);
    let half = args.targets / 2;
    let mut first: Vec<TargetDraft> = Vec::with_capacity(half);
    let mut second: Vec<TargetDraft> = Vec::with_capacity(args.targets - half);
    for (index, target) in synth.iter().enumerate() {
        if index < half {
            first.push(draft_of(target, format!("SR-{index}")));
        } else if index % 100 == 0 && index - half < half {
            // A shared target: customs works on a man the gendarmes already registered.
            if let Some(mut copy) = first.get(index - half).cloned() {
                copy.procedure = format!("D-{index}");
                second.push(copy);
            }
        } else {
            second.push(draft_of(target, format!("D-{index}")));
        }
    }
    let keys: usize = first
        .iter()
        .chain(&second)
        .map(|draft| draft.identifiers.len())
        .sum();
    println!(
        "generated {} targets, {keys} identifiers in {:.1} s",
        first.len() + second.len(),
        generated.elapsed().as_secs_f64()
    );
    // Hits are drawn from the first unit's targets, all of which are registered.
    let check_phones: Vec<String> = synth[..half]
        .iter()
        .step_by((half / args.checks.max(1)).max(1))
        .filter_map(|target| target.identifiers.first().map(|(_, value)| value.clone()))
        .collect();
    for (name, actor, drafts) in [
        ("gendarmerie", &gendarmerie, first),
        ("customs", &customs, second),
    ] {
        let count = drafts.len();
        let started = Instant::now();
        let done = engine
            .register_targets_bulk(actor, drafts, &ctx)
            .await
            .map_err(|error| anyhow::anyhow!("{error}"))?;
        println!(
            "bulk registration ({name}): {count} targets in {:.2} s ({:.0} targets/s), {} meet another unit's target",
            started.elapsed().as_secs_f64(),
            count as f64 / started.elapsed().as_secs_f64(),
            done.with_conflicts
        );
    }
    let mut writer = match &args.write_checks {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => None,
    };
    let mut hit_times = Vec::new();
    let mut miss_times = Vec::new();
    let mut wrong = 0usize;
    for index in 0..args.checks {
        let hit = index % 2 == 0;
        let phone = if hit {
            check_phones
                .get((index / 2) % check_phones.len().max(1))
                .cloned()
                .unwrap_or_default()
        } else {
            // Numbers no target holds: 06 39 is an overseas range the generator never draws.
            format!("+336390{:05}", index)
        };
        if let Some(out) = writer.as_mut() {
            writeln!(
                out,
                "{{\"identifiers\":[{{\"kind\":\"phone\",\"value\":\"{phone}\"}}]}}"
            )?;
        }
        let started = Instant::now();
        let outcome = engine
            .check_deconfliction(
                &checker,
                None,
                vec![IdentifierDraft {
                    kind: "phone".to_owned(),
                    value: phone,
                }],
                &ctx,
            )
            .await
            .map_err(|error| anyhow::anyhow!("{error}"))?;
        let micros = started.elapsed().as_secs_f64() * 1e6;
        if outcome.notices.is_empty() == hit {
            wrong += 1;
        }
        if hit {
            hit_times.push(micros);
        } else {
            miss_times.push(micros);
        }
    }
    if let Some(mut out) = writer {
        out.flush()?;
    }
    for (label, times) in [("with a hit", &mut hit_times), ("without", &mut miss_times)] {
        times.sort_by(f64::total_cmp);
        println!(
            "check in process ({label}): n={} p50={:.3} ms p99={:.3} ms max={:.3} ms",
            times.len(),
            percentile(times, 50.0) / 1000.0,
            percentile(times, 99.0) / 1000.0,
            times.last().copied().unwrap_or(0.0) / 1000.0
        );
    }
    let p99_hit = percentile(&hit_times, 99.0);
    let p99_miss = percentile(&miss_times, 99.0);
    println!(
        "hit/miss p99 ratio: {:.2} (1.00 = a check with a hit takes the same time as one without); wrong answers: {wrong}",
        if p99_miss > 0.0 { p99_hit / p99_miss } else { 0.0 }
    );
    engine.close().await;
    if wrong > 0 {
        bail!("{wrong} checks gave the wrong answer");
    }
    Ok(())
}
