//! The reader's scope as a bitset per index segment, computed once and reused.
//!
//! A scope clause (own unit, or others' items under admitted regimes, places and sharing marks)
//! matches most of the index for an analyst: walking its postings on every search cost 8–14 ms on
//! a million items whatever the words. Segments never change once written (deletions are kept
//! apart, in the segment's alive bitset, which the collector applies), so the set of a segment's
//! documents a scope admits can be kept for as long as the segment lives. A search then only
//! intersects its words with a ready bitset.
//!
//! There are few scopes (one per unit, role and territory) and few segments. Entries of segments
//! that merges removed are dropped at each commit; the cache is emptied when it holds too many.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex};
use tantivy::index::SegmentId;
use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TERMINATED};

/// Most (scope, segment) bitsets kept: with a million items, 125 KB each.
const MAX_ENTRIES: usize = 2_048;

#[derive(Default)]
pub(crate) struct ScopeCache {
    entries: Mutex<HashMap<(String, SegmentId), Arc<BitSet>>>,
}

impl ScopeCache {
    /// Forgets the segments that are gone.
    pub(crate) fn retain_segments(&self, live: &[SegmentId]) {
        let live: HashSet<&SegmentId> = live.iter().collect();
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|(_, segment), _| live.contains(segment));
        }
    }

    fn get(&self, key: &str, segment: SegmentId) -> Option<Arc<BitSet>> {
        let entries = self.entries.lock().ok()?;
        entries.get(&(key.to_owned(), segment)).cloned()
    }

    fn put(&self, key: &str, segment: SegmentId, set: Arc<BitSet>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert((key.to_owned(), segment), set);
        }
    }
}

/// A query matching what `inner` matches, through the cache; it does not score.
#[derive(Clone)]
pub(crate) struct CachedFilter {
    pub key: String,
    pub inner: Arc<dyn Query>,
    pub cache: Arc<ScopeCache>,
}

impl fmt::Debug for CachedFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CachedFilter({})", self.key)
    }
}

impl Query for CachedFilter {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let schema = enable_scoring.schema();
        let inner = self
            .inner
            .weight(EnableScoring::disabled_from_schema(schema))?;
        Ok(Box::new(CachedFilterWeight {
            key: self.key.clone(),
            inner,
            cache: Arc::clone(&self.cache),
        }))
    }
}

struct CachedFilterWeight {
    key: String,
    inner: Box<dyn Weight>,
    cache: Arc<ScopeCache>,
}

impl CachedFilterWeight {
    fn bitset(&self, reader: &SegmentReader) -> tantivy::Result<Arc<BitSet>> {
        if let Some(set) = self.cache.get(&self.key, reader.segment_id()) {
            return Ok(set);
        }
        let mut set = BitSet::with_max_value(reader.max_doc());
        let mut scorer = self.inner.scorer(reader, 0.0)?;
        let mut doc: DocId = scorer.doc();
        while doc != TERMINATED {
            set.insert(doc);
            doc = scorer.advance();
        }
        let set = Arc::new(set);
        self.cache
            .put(&self.key, reader.segment_id(), Arc::clone(&set));
        Ok(set)
    }
}

impl Weight for CachedFilterWeight {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let set = self.bitset(reader)?;
        Ok(Box::new(ConstScorer::new(
            BitSetDocSet::from(BitSet::clone(&set)),
            0.0,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if self.bitset(reader)?.contains(doc) {
            Ok(Explanation::new("in the reader's scope", 0.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} is outside the reader's scope"
            )))
        }
    }
}
