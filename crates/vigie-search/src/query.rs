//! A search request, and the one index query it becomes: the user's words, the filters, and the
//! reader's scope, all as clauses of one boolean query, so nothing outside the scope is ever
//! scored, counted or faceted.
//!
//! The user's words: a bare word must appear, stemmed (or exactly, which scores higher); a quoted
//! phrase must appear exactly, in order; a minus-word must not appear. All words must match (AND):
//! analysts narrow down, they do not widen.

use crate::analysis::{self, Part};
use crate::{day_start, Fields, NO_DEPARTEMENT, SHARED_WITH_ALL};
use serde::{Deserialize, Serialize};
use std::ops::Bound;
use tantivy::query::{
    BooleanQuery, BoostQuery, EmptyQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
    TermSetQuery,
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
}

/// What a user asks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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

fn term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

fn any_of<'a>(field: Field, values: impl IntoIterator<Item = &'a str>) -> Box<dyn Query> {
    let terms: Vec<Term> = values
        .into_iter()
        .map(|value| Term::from_field_text(field, value))
        .collect();
    Box::new(TermSetQuery::new(terms))
}

/// The terms of `text` under `analyser` as one query on `field`: a term, or a phrase when the text
/// gives several ("l'appartement"); `None` when it gives none (a stop word alone).
fn text_query(field: Field, analyser: &str, text: &str) -> Option<Box<dyn Query>> {
    let terms: Vec<Term> = analysis::terms(analyser, text)
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

/// A bare word: stemmed, or exactly (which scores twice as high).
fn word_query(fields: &Fields, text: &str) -> Option<Box<dyn Query>> {
    let stemmed = text_query(fields.text, analysis::STEMMED, text);
    let exact = text_query(fields.exact, analysis::EXACT, text)
        .map(|query| Box::new(BoostQuery::new(query, 2.0)) as Box<dyn Query>);
    match (stemmed, exact) {
        (Some(stemmed), Some(exact)) => Some(Box::new(BooleanQuery::new(vec![
            (Occur::Should, stemmed),
            (Occur::Should, exact),
        ]))),
        // A stop word alone ("les") is searched exactly, or not at all.
        (None, exact) => exact,
        (stemmed, None) => stemmed,
    }
}

fn part_query(fields: &Fields, part: &Part) -> Option<(Occur, Box<dyn Query>)> {
    match part {
        Part::Word(text) => word_query(fields, text).map(|query| (Occur::Must, query)),
        Part::Phrase(text) => {
            text_query(fields.exact, analysis::EXACT, text).map(|query| (Occur::Must, query))
        }
        Part::Not(inner) => part_query(fields, inner).map(|(_, query)| (Occur::MustNot, query)),
    }
}

/// The user's words alone (for excerpts).
pub(crate) fn words_only(fields: &Fields, request: &SearchRequest) -> Box<dyn Query> {
    let clauses: Vec<_> = analysis::parse_query(&request.query)
        .iter()
        .filter_map(|part| part_query(fields, part))
        .filter(|(occur, _)| *occur != Occur::MustNot)
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
                any_of(
                    fields.regime,
                    others.regimes.iter().map(|regime| regime.as_str()),
                ),
            ),
            (
                Occur::Must,
                any_of(fields.shared, [SHARED_WITH_ALL, own_unit.as_str()]),
            ),
            (Occur::MustNot, term(fields.owner, &own_unit)),
        ];
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
) -> BooleanQuery {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = analysis::parse_query(&request.query)
        .iter()
        .filter_map(|part| part_query(fields, part))
        .collect();
    // The scope does not score: it only admits.
    clauses.push((
        Occur::Must,
        Box::new(BoostQuery::new(scope(fields, reader), 0.0)),
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
    // The scope is a required clause, so exclusions are never alone (which would match nothing).
    BooleanQuery::new(clauses)
}
