//! A search request, and the one index query it becomes: the user's words, the filters, and the
//! reader's scope, all as clauses of one boolean query, so nothing outside the scope is ever
//! scored, counted or faceted.
//!
//! The user's words: a bare word must appear, stemmed (or exactly, which scores higher); a quoted
//! phrase must appear exactly, in order; a minus-word must not appear. All words must match (AND):
//! analysts narrow down, they do not widen.

use crate::analysis::{self, Part};
use crate::scope_cache::{CachedFilter, ScopeCache};
use crate::{day_start, Fields, NO_DEPARTEMENT, SHARED_WITH_ALL};
use serde::{Deserialize, Serialize};
use std::ops::Bound;
use std::sync::Arc;
use tantivy::query::{
    BooleanQuery, BoostQuery, EmptyQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;
use time::Date;
use vigie_core::entity::{EntityId, LegalRegime};
use vigie_core::org::UnitId;
use vigie_core::policy::{Places, SearchScope};

/// How hits are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Relevance,
    /// Most recently observed first.
    Recent,
}

/// Filters; an empty list filters nothing. Values are those of the facets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    #[serde(default)]
    pub departements: Vec<String>,
    /// Source kinds (`human_source`, `technical`...).
    #[serde(default)]
    pub sources: Vec<String>,
    /// Grades as "scheme:code" ("europol_4x4:B2").
    #[serde(default)]
    pub grades: Vec<String>,
    /// Owner units.
    #[serde(default)]
    pub units: Vec<UnitId>,
    #[serde(default)]
    pub regimes: Vec<LegalRegime>,
    /// Observed on or after this day.
    #[serde(default)]
    pub observed_from: Option<Date>,
    /// Observed on or before this day.
    #[serde(default)]
    pub observed_to: Option<Date>,
    /// Items about this entity.
    #[serde(default)]
    pub about: Option<EntityId>,
    /// Only items recorded after this instant (Unix microseconds, exclusive): what is new for a
    /// standing watch.
    #[serde(default)]
    pub recorded_after: Option<i64>,
}

/// What a user asks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// Words, "phrases", -exclusions; empty: every item in scope matching the filters.
    #[serde(default)]
    pub query: String,
    #[serde(default)]
    pub filters: Filters,
    #[serde(default)]
    pub sort: Sort,
    #[serde(default = "default_limit")]
    pub limit: usize,
    #[serde(default)]
    pub offset: usize,
}

fn default_limit() -> usize {
    20
}

impl Default for SearchRequest {
    /// Every item in scope, by relevance, the first page of 20.
    fn default() -> Self {
        Self {
            query: String::new(),
            filters: Filters::default(),
            sort: Sort::default(),
            limit: default_limit(),
            offset: 0,
        }
    }
}

fn term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// Documents with any of `values` in `field`. A union of term postings rather than a
/// `TermSetQuery`: the set query materialises a bitset of every matching document before the
/// intersection starts (about 10 ms for a mark that 750,000 items carry), while a union is walked
/// lazily, only as far as the words' rarer postings take it.
fn any_of<'a>(field: Field, values: impl IntoIterator<Item = &'a str>) -> Box<dyn Query> {
    let mut terms: Vec<Box<dyn Query>> =
        values.into_iter().map(|value| term(field, value)).collect();
    if terms.len() == 1 {
        if let Some(only) = terms.pop() {
            return only;
        }
    }
    Box::new(BooleanQuery::new(
        terms
            .into_iter()
            .map(|query| (Occur::Should, query))
            .collect(),
    ))
}

/// The terms of `text` under `analyser` as one query on `field`: a term, or a phrase when the text
/// gives several ("l'appartement"); `None` when it gives none (a stop word alone).
fn text_query(field: Field, analyser: &str, text: &str) -> Option<Box<dyn Query>> {
    terms_query(field, &analysis::terms(analyser, text))
}

/// Analysed `words` as one query on `field`.
fn terms_query(field: Field, words: &[String]) -> Option<Box<dyn Query>> {
    let terms: Vec<Term> = words
        .iter()
        .map(|word| Term::from_field_text(field, word))
        .collect();
    match terms.len() {
        0 => None,
        1 => terms.into_iter().next().map(|term| {
            Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)) as Box<dyn Query>
        }),
        _ => Some(Box::new(PhraseQuery::new(terms))),
    }
}

/// The clauses of the user's words. A bare word is required stemmed, and its exact form is an
/// optional clause that only raises the score (an item with the exact form always has the stem, so
/// the optional clause is checked on the required matches, never walked on its own). Stop words
/// ("de", "les") are left out of a query that has other words, as every search engine does (each
/// would otherwise be walked over nearly every item); a stop word alone is searched as written.
fn word_clauses(fields: &Fields, parts: &[Part]) -> Vec<(Occur, Box<dyn Query>)> {
    let mut clauses = Vec::new();
    let mut stop_words = Vec::new();
    for part in parts {
        match part {
            Part::Word(text) => {
                let stemmed = analysis::terms(analysis::STEMMED, text);
                let exact = analysis::terms(analysis::EXACT, text);
                match terms_query(fields.text, &stemmed) {
                    Some(query) => {
                        clauses.push((Occur::Must, query));
                        // When the stem is the word itself ("point", "deal"), the exact form
                        // tells little more and would be looked up on every match: left out.
                        if stemmed != exact {
                            if let Some(query) = terms_query(fields.exact, &exact) {
                                clauses
                                    .push((Occur::Should, Box::new(BoostQuery::new(query, 2.0))));
                            }
                        }
                    }
                    None => stop_words.extend(terms_query(fields.exact, &exact)),
                }
            }
            Part::Phrase(text) => clauses.extend(
                text_query(fields.exact, analysis::EXACT, text).map(|query| (Occur::Must, query)),
            ),
            Part::Not(inner) => clauses.extend(
                word_clauses(fields, std::slice::from_ref(inner.as_ref()))
                    .into_iter()
                    .filter(|(occur, _)| *occur == Occur::Must)
                    .map(|(_, query)| (Occur::MustNot, query)),
            ),
        }
    }
    if !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
        clauses.extend(stop_words.into_iter().map(|query| (Occur::Must, query)));
    }
    clauses
}

/// The user's words alone (for excerpts).
pub(crate) fn words_only(fields: &Fields, request: &SearchRequest) -> Box<dyn Query> {
    let parts = analysis::parse_query(&request.query);
    let clauses: Vec<_> = word_clauses(fields, &parts)
        .into_iter()
        .filter(|(occur, _)| *occur != Occur::MustNot)
        .map(|(_, query)| (Occur::Should, query))
        .collect();
    if clauses.is_empty() {
        return Box::new(EmptyQuery);
    }
    Box::new(BooleanQuery::new(clauses))
}

/// The reader's scope as a query: their own unit's items if the policy admits them, and other
/// units' items placed and under a regime the policy admits, which handling codes let travel to
/// the reader's unit (no H2, or H2 lifted for it).
pub(crate) fn scope(fields: &Fields, scope: &SearchScope) -> Box<dyn Query> {
    let own_unit = scope.own_unit.0.to_string();
    let others = scope.others.as_ref().map(|others| {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (
                Occur::Must,
                any_of(fields.shared, [SHARED_WITH_ALL, own_unit.as_str()]),
            ),
            (Occur::MustNot, term(fields.owner, &own_unit)),
        ];
        // Every regime admitted: a clause that would match every item only costs time.
        if others.regimes.len() < LegalRegime::ALL.len() {
            clauses.push((
                Occur::Must,
                any_of(
                    fields.regime,
                    others.regimes.iter().map(|regime| regime.as_str()),
                ),
            ));
        }
        match &others.places {
            Places::Any => {}
            Places::Within(codes) => clauses.push((
                Occur::Must,
                any_of(fields.departement, codes.iter().map(String::as_str)),
            )),
            Places::Outside(codes) => clauses.push((
                Occur::MustNot,
                any_of(fields.departement, codes.iter().map(String::as_str)),
            )),
        }
        // Never exclusions alone: the regime and sharing clauses are required.
        Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>
    });
    match (scope.own, others) {
        (true, Some(others)) => Box::new(BooleanQuery::new(vec![
            (Occur::Should, term(fields.owner, &own_unit)),
            (Occur::Should, others),
        ])),
        (true, None) => term(fields.owner, &own_unit),
        (false, Some(others)) => others,
        (false, None) => Box::new(EmptyQuery),
    }
}

/// The whole query: words, filters and scope, each a required clause.
pub(crate) fn build(
    fields: &Fields,
    request: &SearchRequest,
    reader: &SearchScope,
    cache: &Arc<ScopeCache>,
) -> BooleanQuery {
    let mut clauses = word_clauses(fields, &analysis::parse_query(&request.query));
    // The scope does not score: it only admits, from a bitset kept per segment.
    clauses.push((
        Occur::Must,
        Box::new(CachedFilter {
            key: format!("{reader:?}"),
            inner: Arc::from(scope(fields, reader)),
            cache: Arc::clone(cache),
        }),
    ));
    let filters = &request.filters;
    let mut filter = |field: Field, values: Vec<&str>| {
        if !values.is_empty() {
            clauses.push((
                Occur::Must,
                Box::new(BoostQuery::new(any_of(field, values), 0.0)),
            ));
        }
    };
    filter(
        fields.departement,
        filters
            .departements
            .iter()
            .map(|code| {
                if code.is_empty() {
                    NO_DEPARTEMENT
                } else {
                    code.as_str()
                }
            })
            .collect(),
    );
    filter(
        fields.source,
        filters.sources.iter().map(String::as_str).collect(),
    );
    filter(
        fields.grade,
        filters.grades.iter().map(String::as_str).collect(),
    );
    let units: Vec<String> = filters
        .units
        .iter()
        .map(|unit| unit.0.to_string())
        .collect();
    filter(fields.owner, units.iter().map(String::as_str).collect());
    filter(
        fields.regime,
        filters
            .regimes
            .iter()
            .map(|regime| regime.as_str())
            .collect(),
    );
    let about = filters.about.map(|entity| entity.0.to_string());
    filter(fields.entity, about.iter().map(String::as_str).collect());
    if filters.observed_from.is_some() || filters.observed_to.is_some() {
        let bound = |day: Option<Date>, inclusive: fn(Term) -> Bound<Term>| match day {
            Some(day) => inclusive(Term::from_field_date(fields.observed, day_start(day))),
            None => Bound::Unbounded,
        };
        clauses.push((
            Occur::Must,
            Box::new(RangeQuery::new(
                bound(filters.observed_from, Bound::Included),
                bound(filters.observed_to, Bound::Included),
            )),
        ));
    }
    if let Some(after) = filters.recorded_after {
        clauses.push((
            Occur::Must,
            Box::new(RangeQuery::new(
                Bound::Excluded(Term::from_field_i64(fields.recorded, after)),
                Bound::Unbounded,
            )),
        ));
    }
    // The scope is a required clause, so exclusions are never alone (which would match nothing).
    BooleanQuery::new(clauses)
}
