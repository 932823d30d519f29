//! `vigie bench search`: French full-text search over synthetic intelligence items, Vigie's index
//! (tantivy) against SQLite FTS5 and PostgreSQL's French text search on the same items and queries.
//!
//! The items come from `vigie_synth::intel` (deterministic for the seed). Each engine builds its
//! index from the same items in memory; then each answers the same queries, for readers of three
//! reaches (an agent of a département's police, a CROSS analyst, an OFAST analyst), with the
//! reader's access scope inside the query: the total, the first 20 hits by relevance, and counts by
//! département. Vigie's index also counts five more facets (source, grade, unit, regime, year) and
//! builds the excerpts of the 20 hits: its figures include that work, the peers' do not.
//!
//! The peers are configured as a user of each would: FTS5 with `unicode61 remove_diacritics 2`
//! (accents folded, no stemming: FTS5 has no French stemmer), PostgreSQL with `to_tsvector('french',
//! …)` and a GIN index (stemming, no accent folding without the `unaccent` extension). They do not
//! find the same items as Vigie for every query; the hit counts are printed side by side.
//!
//! This is a benchmark, not a test: it prints figures; `bench/search.sh` runs it. It does not go
//! through the engine (no store read-back, no journal): it measures the index and its policy filter.
//! The peers use rusqlite and sqlx directly, apart from Vigie's store crates, on scratch databases.

use anyhow::{anyhow, Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use vigie_core::policy::{search_scope, Action, Places, SearchScope, Subject};
use vigie_intel::IntelItem;
use vigie_search::{IntelIndex, SearchRequest};

pub struct BenchSearchArgs {
    pub items: usize,
    pub seed: u64,
    /// Searches per reader and query.
    pub rounds: usize,
    pub work_dir: PathBuf,
    pub postgres: Option<String>,
    pub skip_sqlite: bool,
}

/// The queries, from frequent words to rare ones, a phrase, an exclusion and a name.
fn queries(name: &str) -> Vec<String> {
    [
        "point de deal",
        "cocaïne",
        "guetteurs parking",
        "résine cannabis prix",
        "livraison scooter",
        "go-fast autoroute",
        "cryptomonnaie blanchiment",
        "\"nourrice\"",
        "traboule",
        "herbe -cocaïne",
    ]
    .iter()
    .map(|query| (*query).to_owned())
    .chain(std::iter::once(format!("\"{name}\"")))
    .collect()
}

struct Reader {
    label: &'static str,
    scope: SearchScope,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1e3
}

struct Figures {
    name: &'static str,
    build: Duration,
    bytes: u64,
    latencies: Vec<Duration>,
    /// Total hits per (reader, query), for comparison.
    totals: BTreeMap<(usize, usize), u64>,
}

impl Figures {
    fn p(&mut self, p: f64) -> f64 {
        self.latencies.sort();
        percentile(&self.latencies, p)
    }
}

pub fn run(args: &BenchSearchArgs) -> Result<()> {
    println!(
        "Machine: {} CPU(s), {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        cpu_model()
    );
    std::fs::create_dir_all(&args.work_dir)
        .with_context(|| format!("cannot create {}", args.work_dir.display()))?;
    let started = Instant::now();
    let (items, readers, name) = corpus(args.items, args.seed)?;
    let chars: usize = items.iter().map(|item| item.text.chars().count()).sum();
    println!(
        "Corpus: {} items generated and validated in {:.1} s, {:.0} characters per item on average",
        items.len(),
        started.elapsed().as_secs_f64(),
        chars as f64 / items.len().max(1) as f64
    );
    let queries = queries(&name);
    let mut all = vec![bench_vigie(args, &items, &readers, &queries)?];
    if !args.skip_sqlite {
        all.push(bench_fts5(args, &items, &readers, &queries)?);
    }
    if let Some(url) = &args.postgres {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        all.push(runtime.block_on(bench_postgres(url, &items, &readers, &queries, args.rounds))?);
    }

    println!("\nHits per query (reader: {}):", readers[0].label);
    print!("{:<28}", "query");
    for figures in &all {
        print!("{:>14}", figures.name);
    }
    println!();
    for (q, query) in queries.iter().enumerate() {
        print!("{query:<28}");
        for figures in &all {
            print!("{:>14}", figures.totals.get(&(0, q)).copied().unwrap_or(0));
        }
        println!();
    }
    println!(
        "\n{:<12}{:>12}{:>12}{:>12}{:>12}{:>12}",
        "engine", "build s", "index MB", "p50 ms", "p99 ms", "max ms"
    );
    let mut rows = Vec::new();
    for figures in &mut all {
        let row = (
            figures.name,
            figures.build.as_secs_f64(),
            figures.bytes as f64 / 1e6,
            figures.p(50.0),
            figures.p(99.0),
            figures.p(100.0),
        );
        println!(
            "{:<12}{:>12.1}{:>12.1}{:>12.2}{:>12.2}{:>12.2}",
            row.0, row.1, row.2, row.3, row.4, row.5
        );
        rows.push(row);
    }
    if let Some(vigie) = rows.first().copied() {
        for peer in rows.iter().skip(1) {
            println!(
                "Ratio {} / vigie: build ×{:.1}, size ×{:.1}, p50 ×{:.1}, p99 ×{:.1}",
                peer.0,
                peer.1 / vigie.1,
                peer.2 / vigie.2,
                peer.3 / vigie.3,
                peer.4 / vigie.4
            );
        }
    }
    Ok(())
}

/// Generates the items of the demo world and three readers' scopes; also a person's name that
/// appears in the texts.
fn corpus(count: usize, seed: u64) -> Result<(Vec<IntelItem>, Vec<Reader>, String)> {
    use vigie_synth::intel::{departement_of, intel_items, item_id, to_item, DemoIntelWorld};
    let recorded_at = time::macros::datetime!(2026-11-01 12:00 UTC);
    let data = vigie_synth::generate(&vigie_synth::SynthOptions::demo(seed, recorded_at));
    let world = DemoIntelWorld::from_data(&data);
    let world_ref = world.world();
    let today = recorded_at.date();
    let mut items = Vec::with_capacity(count);
    for (index, synth) in intel_items(seed, count, &world_ref, recorded_at).enumerate() {
        let departement = synth
            .draft
            .commune
            .as_deref()
            .and_then(departement_of)
            .map(str::to_owned);
        let item = to_item(&synth, item_id(seed, index as u64), departement, today)
            .map_err(|errors| anyhow!("generated item {index} does not validate: {errors:?}"))?;
        items.push(item);
    }
    let reader = |login: &str, label: &'static str| -> Result<Reader> {
        let account = data
            .accounts
            .iter()
            .find(|demo| demo.account.username == login)
            .ok_or_else(|| anyhow!("no demo account {login}"))?;
        let unit = data
            .units
            .iter()
            .find(|unit| unit.id == account.account.unit)
            .ok_or_else(|| anyhow!("no unit for {login}"))?;
        let subject = Subject {
            role: account.account.role,
            unit: unit.id,
            unit_kind: unit.kind,
            territory: &unit.territory,
        };
        let scope = search_scope(&subject, Action::ConsultIntel)
            .ok_or_else(|| anyhow!("{login} may not read intelligence"))?;
        Ok(Reader { label, scope })
    };
    let readers = vec![
        reader("agent.marseille", "agent SD-13")?,
        reader("analyste.cross13", "CROSS 13")?,
        reader("analyste.ofast", "OFAST")?,
    ];
    // A name that items mention: the first person of the first item about someone.
    let name = items
        .iter()
        .find_map(|item| item.entities.first())
        .and_then(|id| world.people.iter().find(|person| person.id == *id))
        .map(|person| person.name.clone())
        .unwrap_or_else(|| "Dupont".to_owned());
    Ok((items, readers, name))
}

fn bench_vigie(
    args: &BenchSearchArgs,
    items: &[IntelItem],
    readers: &[Reader],
    queries: &[String],
) -> Result<Figures> {
    let dir = args.work_dir.join("tantivy");
    reset_dir(&dir)?;
    let started = Instant::now();
    let index = IntelIndex::in_dir(&dir, None).map_err(|e| anyhow!("{e}"))?;
    for chunk in items.chunks(50_000) {
        index.upsert(chunk).map_err(|e| anyhow!("{e}"))?;
    }
    index.commit(1).map_err(|e| anyhow!("{e}"))?;
    let build = started.elapsed();
    println!(
        "vigie (tantivy): {} items indexed in {:.1} s",
        index.len(),
        build.as_secs_f64()
    );
    let merged = Instant::now();
    index.optimise().map_err(|e| anyhow!("{e}"))?;
    println!(
        "vigie (tantivy): segments merged in {:.1} s more (not counted in the build)",
        merged.elapsed().as_secs_f64()
    );
    let bytes = index.size_bytes().map_err(|e| anyhow!("{e}"))?;
    let mut figures = Figures {
        name: "vigie",
        build,
        bytes,
        latencies: Vec::new(),
        totals: BTreeMap::new(),
    };
    let by_id: std::collections::HashMap<_, _> = items
        .iter()
        .map(|item| (item.id, item.text.as_str()))
        .collect();
    let mut per_query: BTreeMap<(usize, usize), Vec<Duration>> = BTreeMap::new();
    for _ in 0..args.rounds {
        for (r, reader) in readers.iter().enumerate() {
            for (q, query) in queries.iter().enumerate() {
                let request = SearchRequest {
                    query: query.clone(),
                    limit: 20,
                    ..SearchRequest::default()
                };
                let started = Instant::now();
                let found = index
                    .search(&request, &reader.scope)
                    .map_err(|e| anyhow!("{e}"))?;
                for hit in &found.hits {
                    if let Some(text) = by_id.get(&hit.id) {
                        index
                            .excerpt(&request, text, 240)
                            .map_err(|e| anyhow!("{e}"))?;
                    }
                }
                let elapsed = started.elapsed();
                figures.latencies.push(elapsed);
                figures.totals.insert((r, q), found.total as u64);
                per_query.entry((r, q)).or_default().push(elapsed);
            }
        }
    }
    println!("vigie: median ms per query and reader (hits)");
    for (q, query) in queries.iter().enumerate() {
        print!("  {query:<28}");
        for (r, reader) in readers.iter().enumerate() {
            let mut times = per_query.remove(&(r, q)).unwrap_or_default();
            times.sort();
            let total = figures.totals.get(&(r, q)).copied().unwrap_or(0);
            print!(
                "  {}: {:>6.2} ({total})",
                reader.label,
                percentile(&times, 50.0)
            );
        }
        println!();
    }
    Ok(figures)
}

fn reset_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot empty {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}

/// The scope as SQL over columns owner, departement, regime, shared_all ("?" placeholders are
/// not used: the values are ours, not a user's).
fn scope_sql(scope: &SearchScope, postgres: bool) -> String {
    let quote = |value: &str| format!("'{}'", value.replace('\'', "''"));
    let list = |values: Vec<String>| values.join(", ");
    let own = quote(&scope.own_unit.0.to_string());
    let own = if postgres {
        format!("{own}::uuid")
    } else {
        own
    };
    let others = scope.others.as_ref().map(|others| {
        let regimes = list(others.regimes.iter().map(|r| quote(r.as_str())).collect());
        let places = match &others.places {
            Places::Any => String::new(),
            Places::Within(codes) => format!(
                " AND departement IN ({})",
                list(codes.iter().map(|c| quote(c)).collect())
            ),
            Places::Outside(codes) => format!(
                " AND (departement IS NULL OR departement NOT IN ({}))",
                list(codes.iter().map(|c| quote(c)).collect())
            ),
        };
        format!("(owner <> {own} AND regime IN ({regimes}) AND shared_all{places})")
    });
    match (scope.own, others) {
        (true, Some(others)) => format!("(owner = {own} OR {others})"),
        (true, None) => format!("owner = {own}"),
        (false, Some(others)) => others,
        (false, None) => "FALSE".to_owned(),
    }
}

/// A query in FTS5's syntax: each word or phrase quoted, all required; a minus-word excluded.
fn fts5_query(query: &str) -> String {
    use vigie_search::analysis::{parse_query, Part};
    let quoted = |text: &str| format!("\"{}\"", text.replace('"', ""));
    let mut must = Vec::new();
    let mut not = Vec::new();
    for part in parse_query(query) {
        match part {
            Part::Word(text) | Part::Phrase(text) => must.push(quoted(&text)),
            Part::Not(inner) => {
                if let Part::Word(text) | Part::Phrase(text) = *inner {
                    not.push(quoted(&text));
                }
            }
        }
    }
    let mut out = must.join(" AND ");
    for excluded in not {
        out.push_str(&format!(" NOT {excluded}"));
    }
    out
}

fn shared_all(item: &IntelItem) -> bool {
    !item.handling.no_dissemination
}

fn bench_fts5(
    args: &BenchSearchArgs,
    items: &[IntelItem],
    readers: &[Reader],
    queries: &[String],
) -> Result<Figures> {
    let path = args.work_dir.join("fts5.db");
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            std::fs::remove_file(&file)?;
        }
    }
    let mut conn = rusqlite::Connection::open(&path)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
         CREATE TABLE items (rowid INTEGER PRIMARY KEY, owner TEXT NOT NULL, departement TEXT,
             regime TEXT NOT NULL, shared_all INTEGER NOT NULL);
         CREATE VIRTUAL TABLE items_fts USING fts5(text, content='',
             tokenize = 'unicode61 remove_diacritics 2');",
    )?;
    let started = Instant::now();
    {
        let tx = conn.transaction()?;
        {
            let mut row = tx.prepare(
                "INSERT INTO items (rowid, owner, departement, regime, shared_all)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut text = tx.prepare("INSERT INTO items_fts (rowid, text) VALUES (?1, ?2)")?;
            for (n, item) in items.iter().enumerate() {
                let rowid = n as i64 + 1;
                row.execute(rusqlite::params![
                    rowid,
                    item.owner_unit.0.to_string(),
                    item.departement,
                    item.regime.as_str(),
                    shared_all(item),
                ])?;
                let mut body = item.text.clone();
                if let Some(place) = &item.place {
                    body.push('\n');
                    body.push_str(place);
                }
                text.execute(rusqlite::params![rowid, body])?;
            }
        }
        tx.commit()?;
    }
    conn.execute_batch(
        "CREATE INDEX items_owner ON items (owner);
         CREATE INDEX items_departement ON items (departement);
         INSERT INTO items_fts(items_fts) VALUES ('optimize');
         PRAGMA wal_checkpoint(TRUNCATE);",
    )?;
    let build = started.elapsed();
    let fts_bytes: i64 = conn
        .query_row(
            "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE 'items_fts%'",
            [],
            |row| row.get(0),
        )
        .unwrap_or_else(|_| std::fs::metadata(&path).map_or(0, |m| m.len() as i64));
    println!(
        "sqlite fts5: {} items indexed in {:.1} s",
        items.len(),
        build.as_secs_f64()
    );
    let mut figures = Figures {
        name: "sqlite-fts5",
        build,
        bytes: fts_bytes as u64,
        latencies: Vec::new(),
        totals: BTreeMap::new(),
    };
    for _ in 0..args.rounds {
        for (r, reader) in readers.iter().enumerate() {
            let scope = scope_sql(&reader.scope, false);
            for (q, query) in queries.iter().enumerate() {
                let fts = fts5_query(query);
                let started = Instant::now();
                let total: i64 = conn.query_row(
                    &format!(
                        "SELECT count(*) FROM items_fts JOIN items ON items.rowid = items_fts.rowid
                         WHERE items_fts MATCH ?1 AND {scope}"
                    ),
                    [&fts],
                    |row| row.get(0),
                )?;
                let mut top = conn.prepare_cached(&format!(
                    "SELECT items.rowid FROM items_fts JOIN items ON items.rowid = items_fts.rowid
                     WHERE items_fts MATCH ?1 AND {scope} ORDER BY bm25(items_fts) LIMIT 20"
                ))?;
                let ids: Vec<i64> = top
                    .query_map([&fts], |row| row.get(0))?
                    .collect::<Result<_, _>>()?;
                let mut facet = conn.prepare_cached(&format!(
                    "SELECT departement, count(*) FROM items_fts JOIN items ON items.rowid = items_fts.rowid
                     WHERE items_fts MATCH ?1 AND {scope} GROUP BY departement"
                ))?;
                let groups: Vec<(Option<String>, i64)> = facet
                    .query_map([&fts], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect::<Result<_, _>>()?;
                figures.latencies.push(started.elapsed());
                let _ = (ids, groups);
                figures.totals.insert((r, q), total as u64);
            }
        }
    }
    Ok(figures)
}

/// A query for `websearch_to_tsquery`: the same words, phrases and exclusions.
fn pg_query(query: &str) -> String {
    query.to_owned()
}

async fn bench_postgres(
    url: &str,
    items: &[IntelItem],
    readers: &[Reader],
    queries: &[String],
    rounds: usize,
) -> Result<Figures> {
    use sqlx::{Connection, Row};
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .context("cannot reach PostgreSQL")?;
    sqlx::query("SET statement_timeout = 0")
        .execute(&mut conn)
        .await?;
    sqlx::query("DROP TABLE IF EXISTS bench_intel")
        .execute(&mut conn)
        .await?;
    sqlx::query(
        "CREATE TABLE bench_intel (id bigint PRIMARY KEY, owner uuid NOT NULL, departement text,
             regime text NOT NULL, shared_all boolean NOT NULL, body text NOT NULL,
             tsv tsvector GENERATED ALWAYS AS (to_tsvector('french', body)) STORED)",
    )
    .execute(&mut conn)
    .await?;
    let started = Instant::now();
    for (chunk_at, chunk) in items.chunks(10_000).enumerate() {
        let ids: Vec<i64> = (0..chunk.len())
            .map(|n| (chunk_at * 10_000 + n) as i64 + 1)
            .collect();
        let owners: Vec<uuid::Uuid> = chunk.iter().map(|item| item.owner_unit.0).collect();
        let departements: Vec<Option<String>> =
            chunk.iter().map(|item| item.departement.clone()).collect();
        let regimes: Vec<&str> = chunk.iter().map(|item| item.regime.as_str()).collect();
        let shared: Vec<bool> = chunk.iter().map(shared_all).collect();
        let bodies: Vec<String> = chunk
            .iter()
            .map(|item| match &item.place {
                Some(place) => format!("{}\n{place}", item.text),
                None => item.text.clone(),
            })
            .collect();
        sqlx::query(
            "INSERT INTO bench_intel (id, owner, departement, regime, shared_all, body)
             SELECT * FROM UNNEST($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::bool[], $6::text[])",
        )
        .bind(&ids)
        .bind(&owners)
        .bind(&departements)
        .bind(&regimes)
        .bind(&shared)
        .bind(&bodies)
        .execute(&mut conn)
        .await?;
    }
    let loaded = started.elapsed();
    sqlx::query("CREATE INDEX bench_intel_tsv ON bench_intel USING gin (tsv)")
        .execute(&mut conn)
        .await?;
    sqlx::query("CREATE INDEX bench_intel_owner ON bench_intel (owner)")
        .execute(&mut conn)
        .await?;
    sqlx::query("VACUUM ANALYZE bench_intel")
        .execute(&mut conn)
        .await?;
    let build = started.elapsed();
    let bytes: i64 = sqlx::query("SELECT pg_relation_size('bench_intel_tsv')")
        .fetch_one(&mut conn)
        .await?
        .try_get(0)?;
    println!(
        "postgresql: {} rows loaded (tsvector computed) in {:.1} s, GIN index built, {:.1} s in all",
        items.len(),
        loaded.as_secs_f64(),
        build.as_secs_f64()
    );
    let mut figures = Figures {
        name: "postgresql",
        build,
        bytes: bytes as u64,
        latencies: Vec::new(),
        totals: BTreeMap::new(),
    };
    for _ in 0..rounds {
        for (r, reader) in readers.iter().enumerate() {
            let scope = scope_sql(&reader.scope, true);
            for (q, query) in queries.iter().enumerate() {
                let text = pg_query(query);
                let started = Instant::now();
                let total: i64 = sqlx::query(&format!(
                    "SELECT count(*) FROM bench_intel
                     WHERE tsv @@ websearch_to_tsquery('french', $1) AND {scope}"
                ))
                .bind(&text)
                .fetch_one(&mut conn)
                .await?
                .try_get(0)?;
                let _top = sqlx::query(&format!(
                    "SELECT id FROM bench_intel, websearch_to_tsquery('french', $1) q
                     WHERE tsv @@ q AND {scope} ORDER BY ts_rank(tsv, q) DESC LIMIT 20"
                ))
                .bind(&text)
                .fetch_all(&mut conn)
                .await?;
                let _facet = sqlx::query(&format!(
                    "SELECT departement, count(*) FROM bench_intel
                     WHERE tsv @@ websearch_to_tsquery('french', $1) AND {scope} GROUP BY departement"
                ))
                .bind(&text)
                .fetch_all(&mut conn)
                .await?;
                figures.latencies.push(started.elapsed());
                figures.totals.insert((r, q), total as u64);
            }
        }
    }
    sqlx::query("DROP TABLE bench_intel")
        .execute(&mut conn)
        .await?;
    Ok(figures)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|model| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}
