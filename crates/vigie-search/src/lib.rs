//! French full-text search over intelligence items, on tantivy.
//!
//! An [`IntelIndex`] holds one document per item: its text and place analysed in French (see
//! `analysis`), and the marks the access policy and the handling codes look at (owner unit,
//! département, legal regime, to whom an H2 item was permitted), plus the fields users filter and
//! facet on (source kind, grade, date, entities). Every search takes the reader's
//! [`vigie_core::policy::SearchScope`] and applies it *inside* the index query, so hits, the total
//! and every facet count are computed over what the reader may see and nothing else: a count never
//! reveals a hidden item (see `query::scope`).
//!
//! The index is a cache. The store is the record; an index is rebuilt from it at start and kept up
//! to date from the store's change sequence ([`IntelIndex::applied`]), so several stateless nodes
//! each hold their own. This crate decides nothing (the policy does, in `vigie-core`), journals
//! nothing (the engine does) and reads no item bodies back: the engine re-reads the hits from the
//! store and checks them again before showing them.

pub mod analysis;
mod facets;
mod query;
mod scope_cache;

pub use query::{Filters, SearchRequest, Sort};

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DateTime, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term,
};
use vigie_core::policy::SearchScope;
use vigie_intel::{IntelItem, ItemId};

/// What can go wrong with an index. None of it is the user's doing.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("index directory: {0}")]
    Directory(String),
    #[error("index document without a valid id")]
    BadDocument,
    #[error("index writer poisoned")]
    Poisoned,
}

pub type SearchResult<T> = Result<T, SearchError>;

/// The mark of an item every unit may receive (no H2, or H2 lifted for all).
pub const SHARED_WITH_ALL: &str = "*";
/// The département mark of an item placed in none.
pub const NO_DEPARTEMENT: &str = "-";
/// Most hits one page may ask for.
pub const MAX_LIMIT: usize = 100;

/// The facets counted on every search, by name: département, source kind, grade, owner unit,
/// legal regime, year observed.
pub const FACETS: [&str; 6] = ["departement", "source", "grade", "unit", "regime", "year"];
/// The index column of each facet of [`FACETS`].
const FACET_COLUMNS: [&str; 6] = ["departement", "source", "grade", "owner", "regime", "year"];

#[derive(Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub text: Field,
    pub exact: Field,
    pub owner: Field,
    pub departement: Field,
    pub regime: Field,
    pub shared: Field,
    pub source: Field,
    pub grade: Field,
    pub entity: Field,
    pub observed: Field,
    pub year: Field,
    /// When the item was recorded (standing watches ask for what is new since a time).
    pub recorded: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let analysed = |name: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(name)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let fields = Fields {
        id: builder.add_text_field("id", STRING | STORED),
        text: builder.add_text_field("text", analysed(analysis::STEMMED)),
        exact: builder.add_text_field("exact", analysed(analysis::EXACT)),
        owner: builder.add_text_field("owner", STRING | FAST),
        departement: builder.add_text_field("departement", STRING | FAST),
        regime: builder.add_text_field("regime", STRING | FAST),
        shared: builder.add_text_field("shared", STRING),
        source: builder.add_text_field("source", STRING | FAST),
        grade: builder.add_text_field("grade", STRING | FAST),
        entity: builder.add_text_field("entity", STRING),
        observed: builder.add_date_field("observed", INDEXED | FAST),
        year: builder.add_text_field("year", STRING | FAST),
        recorded: builder.add_i64_field("recorded", INDEXED | FAST),
    };
    (builder.build(), fields)
}

pub(crate) fn day_start(date: time::Date) -> DateTime {
    DateTime::from_utc(date.midnight().assume_utc())
}

/// Counts by value, most frequent first (ties by value), for one facet.
pub type FacetCounts = Vec<(String, u64)>;

/// One hit: the item and its relevance (0 when sorted by date).
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub id: ItemId,
    pub score: f32,
}

/// What a search found, all of it within the reader's scope.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchResults {
    /// How many items match, in the reader's scope.
    pub total: usize,
    /// The requested page of hits.
    pub hits: Vec<Hit>,
    /// Counts per value for each of [`FACETS`], over all `total` matches.
    pub facets: BTreeMap<&'static str, FacetCounts>,
}

/// An index of intelligence items. Writes are serialised; searches run concurrently with them and
/// see the last commit.
pub struct IntelIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// The highest store change sequence number applied (see [`IntelIndex::applied`]).
    applied: AtomicI64,
    scopes: Arc<scope_cache::ScopeCache>,
    /// Threads a search may use (one per segment).
    threads: usize,
}

/// Memory for the writer's buffers; more makes bulk builds faster (fewer segments to merge).
const WRITER_MEMORY: usize = 256 * 1024 * 1024;

impl IntelIndex {
    /// An index in memory: what a node builds from the store when it starts.
    pub fn in_ram() -> SearchResult<Self> {
        let (schema, fields) = schema();
        Self::open(Index::create_in_ram(schema), fields, None)
    }

    /// A new index in an empty directory (benchmarks measure its size on disk there).
    pub fn in_dir(path: &Path, threads: Option<usize>) -> SearchResult<Self> {
        let (schema, fields) = schema();
        let index = Index::create_in_dir(path, schema)
            .map_err(|error| SearchError::Directory(error.to_string()))?;
        Self::open(index, fields, threads)
    }

    fn open(mut index: Index, fields: Fields, threads: Option<usize>) -> SearchResult<Self> {
        analysis::register(index.tokenizers());
        let search_threads = threads
            .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
            .unwrap_or(1)
            .clamp(1, 8);
        // Segments are searched in parallel; one thread would leave the other cores idle while
        // an analyst waits on a word that half the items contain.
        index.set_multithread_executor(search_threads)?;
        let writer = match threads {
            Some(threads) => index.writer_with_num_threads(threads, WRITER_MEMORY)?,
            None => index.writer(WRITER_MEMORY)?,
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            applied: AtomicI64::new(0),
            scopes: Arc::default(),
            threads: search_threads,
        })
    }

    fn document(&self, item: &IntelItem) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, item.id.to_string());
        for field in [f.text, f.exact] {
            doc.add_text(field, &item.text);
            if let Some(place) = &item.place {
                doc.add_text(field, place);
            }
        }
        let owner = item.owner_unit.0.to_string();
        let departement = item.departement.as_deref().unwrap_or(NO_DEPARTEMENT);
        let source = item.source.key();
        let grade = item.grade.to_string();
        doc.add_text(f.owner, &owner);
        doc.add_text(f.departement, departement);
        doc.add_text(f.regime, item.regime.as_str());
        doc.add_text(f.source, source);
        doc.add_text(f.grade, &grade);
        // Who may receive it beyond its owner: everyone, unless H2 keeps it home; then only the
        // units the owner permitted (see `IntelItem::gate`).
        if !item.handling.no_dissemination {
            doc.add_text(f.shared, SHARED_WITH_ALL);
        }
        for permission in &item.permissions {
            if permission.kind == vigie_intel::PermissionKind::OnwardSharing {
                match permission.to_unit {
                    Some(unit) => doc.add_text(f.shared, unit.0.to_string()),
                    None => doc.add_text(f.shared, SHARED_WITH_ALL),
                }
            }
        }
        for entity in &item.entities {
            doc.add_text(f.entity, entity.0.to_string());
        }
        doc.add_date(f.observed, day_start(item.observed_on));
        doc.add_text(f.year, item.observed_on.year().to_string());
        doc.add_i64(f.recorded, item.recorded_at_micros);
        doc
    }

    /// Adds or replaces items (not visible to searches before [`IntelIndex::commit`]).
    pub fn upsert<'a>(&self, items: impl IntoIterator<Item = &'a IntelItem>) -> SearchResult<()> {
        let writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        for item in items {
            writer.delete_term(Term::from_field_text(self.fields.id, &item.id.to_string()));
            writer.add_document(self.document(item))?;
        }
        Ok(())
    }

    /// Removes an item (an expired or erased one).
    pub fn remove(&self, id: ItemId) -> SearchResult<()> {
        let writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        writer.delete_term(Term::from_field_text(self.fields.id, &id.to_string()));
        Ok(())
    }

    /// Makes everything added so far searchable, and records that the store's changes up to
    /// `applied` are in.
    pub fn commit(&self, applied: i64) -> SearchResult<()> {
        let mut writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        writer.commit()?;
        self.reload()?;
        self.applied.fetch_max(applied, Ordering::SeqCst);
        Ok(())
    }

    /// The store's change sequence number up to which this index is complete: a node asks the
    /// store for items changed after it.
    pub fn applied(&self) -> i64 {
        self.applied.load(Ordering::SeqCst)
    }

    /// Merges the segments down to one per search thread, balanced by size (after a bulk build):
    /// fewer segments make searches cheaper, and one per thread lets a search use every core.
    pub fn optimise(&self) -> SearchResult<()> {
        let mut writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        let mut segments = self.index.searchable_segment_metas()?;
        segments.sort_by_key(|segment| std::cmp::Reverse(segment.num_docs()));
        let mut groups: Vec<(u64, Vec<tantivy::index::SegmentId>)> =
            vec![(0, Vec::new()); self.threads.max(1)];
        for segment in segments {
            if let Some(lightest) = groups.iter_mut().min_by_key(|(docs, _)| *docs) {
                lightest.0 += u64::from(segment.num_docs());
                lightest.1.push(segment.id());
            }
        }
        // Started together, the merges run side by side.
        let merges: Vec<_> = groups
            .iter()
            .filter(|(_, ids)| ids.len() > 1)
            .map(|(_, ids)| writer.merge(ids))
            .collect();
        for merge in merges {
            merge.wait()?;
        }
        writer.garbage_collect_files().wait()?;
        self.reload()
    }

    /// Shows searches the last commit, and forgets the cached scopes of segments now gone.
    fn reload(&self) -> SearchResult<()> {
        self.reader.reload()?;
        let live: Vec<_> = self
            .reader
            .searcher()
            .segment_readers()
            .iter()
            .map(|segment| segment.segment_id())
            .collect();
        self.scopes.retain_segments(&live);
        Ok(())
    }

    /// How many items are searchable.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Searches within the reader's `scope`. Hits, total and facets all come from one
    /// query that includes the scope.
    pub fn search(
        &self,
        request: &SearchRequest,
        scope: &SearchScope,
    ) -> SearchResult<SearchResults> {
        let searcher = self.reader.searcher();
        let query = query::build(&self.fields, request, scope, &self.scopes);
        let limit = request.limit.clamp(1, MAX_LIMIT);
        let facet_counter = facets::FacetCounter {
            columns: FACET_COLUMNS.to_vec(),
        };
        let top = TopDocs::with_limit(limit).and_offset(request.offset);
        let (total, addresses, facet_counts) = match request.sort {
            Sort::Relevance => {
                searcher.search(&query, &(Count, top.order_by_score(), facet_counter))?
            }
            Sort::Recent => {
                let (total, top, facets) = searcher.search(
                    &query,
                    &(
                        Count,
                        top.order_by_fast_field::<DateTime>("observed", Order::Desc),
                        facet_counter,
                    ),
                )?;
                let top: Vec<_> = top.into_iter().map(|(_, at)| (0.0, at)).collect();
                (total, top, facets)
            }
        };
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, address) in addresses {
            hits.push(Hit {
                id: self.item_id(&searcher, address)?,
                score,
            });
        }
        let mut facets = BTreeMap::new();
        for (facet, counts) in FACETS.into_iter().zip(facet_counts) {
            let mut counts: FacetCounts = counts.into_iter().collect();
            counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            facets.insert(facet, counts);
        }
        Ok(SearchResults {
            total,
            hits,
            facets,
        })
    }

    fn item_id(
        &self,
        searcher: &tantivy::Searcher,
        address: tantivy::DocAddress,
    ) -> SearchResult<ItemId> {
        let doc: TantivyDocument = searcher.doc(address)?;
        doc.get_first(self.fields.id)
            .and_then(|value| value.as_str())
            .and_then(|text| uuid::Uuid::parse_str(text).ok())
            .map(ItemId)
            .ok_or(SearchError::BadDocument)
    }

    /// Every matching item within `scope` (most recently observed first), up to `max`, and how
    /// many match in all: for exports, which take whole result sets rather than pages.
    pub fn matching_ids(
        &self,
        request: &SearchRequest,
        scope: &SearchScope,
        max: usize,
    ) -> SearchResult<(usize, Vec<ItemId>)> {
        let searcher = self.reader.searcher();
        let query = query::build(&self.fields, request, scope, &self.scopes);
        let top = TopDocs::with_limit(max.max(1))
            .order_by_fast_field::<DateTime>("observed", Order::Desc);
        let (total, addresses) = searcher.search(&query, &(Count, top))?;
        let mut ids = Vec::with_capacity(addresses.len());
        for (_, address) in addresses {
            ids.push(self.item_id(&searcher, address)?);
        }
        Ok((total, ids))
    }

    /// An excerpt of `text` around the request's words, with the matched words' byte ranges (to
    /// highlight), at most `max_chars` long.
    pub fn excerpt(
        &self,
        request: &SearchRequest,
        text: &str,
        max_chars: usize,
    ) -> SearchResult<Excerpt> {
        let searcher = self.reader.searcher();
        let words = query::words_only(&self.fields, request);
        let mut excerpt = Excerpt::default();
        let mut covered = false;
        for field in [self.fields.exact, self.fields.text] {
            let mut generator = SnippetGenerator::create(&searcher, &words, field)?;
            generator.set_max_num_chars(max_chars);
            let snippet = generator.snippet(text);
            if !snippet.highlighted().is_empty() {
                excerpt.text = snippet.fragment().to_owned();
                excerpt.highlighted = snippet.highlighted().to_vec();
                covered = true;
                break;
            }
        }
        if !covered {
            excerpt.text = text.chars().take(max_chars).collect();
        }
        Ok(excerpt)
    }

    /// The index's size on disk or in memory, in bytes (what benchmarks report).
    pub fn size_bytes(&self) -> SearchResult<u64> {
        let searcher = self.reader.searcher();
        let mut total = 0;
        for segment in searcher.segment_readers() {
            total += segment
                .space_usage()
                .map_err(|error| SearchError::Directory(error.to_string()))?
                .total()
                .get_bytes();
        }
        Ok(total)
    }
}

/// A piece of an item's text to show under a hit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Excerpt {
    pub text: String,
    /// Byte ranges of `text` that matched.
    pub highlighted: Vec<std::ops::Range<usize>>,
}

#[cfg(test)]
mod tests;
