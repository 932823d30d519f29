//! `/renseignement`: the intelligence repository. Searching items (words, filters, facets, pages),
//! exporting a search's items as CSV with a column mapping, reading one with a motif, recording
//! one, and, for the owning unit, deriving a sanitised copy (which leads to the copy, 303) or
//! recording a permission to lift H1 or H2 from the item's page.
//!
//! Every handler is one engine call, as in the API: the engine applies the policy and the handling
//! codes, journals, and never counts nor shows what the reader may not see. The words, the motif and
//! the filters travel in POST bodies only: the facet values, the removal of a filter and the pages
//! are buttons of a form that posts the current search again (hidden fields), so no search ever
//! lands in a URL, a history or a log. `GET /renseignement/elements/{id}` shows the motif form and
//! nothing else, whatever the id; the item is shown in answer to the POST, once the engine has
//! journaled the consultation, and a hidden item gives the same 404 page as a missing one.
//!
//! Excerpts are split into pieces server-side (matched or not) and every piece is escaped by the
//! template: the text of an item never reaches the page as HTML.

use super::entities::MotifFormData;
use super::format::{self, NONE};
use super::session::{PageForm, PageSession, SameOrigin};
use super::targets::Posted;
use super::view::{
    ActiveFilter, CheckboxGroup, CheckboxOption, ExcerptPiece, FacetBlock, FacetButton, Field,
    Hyperlink, InfoRow, IntelExportForm, IntelFormPage, IntelHitRow, IntelItemForm, IntelItemPage,
    IntelManageForms, IntelMotifPage, IntelOutcome, IntelSearchForm, IntelSearchPage, Meaning,
    PermissionForm, PermissionRow, SanitiseForm, SelectField, TextArea,
};
use super::{render, see_other, ErrorKind, PageError, PageResult};
use crate::extract::Ctx;
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use std::collections::HashMap;
use uuid::Uuid;
use vigie_core::entity::{EntityId, FieldError, LegalRegime};
use vigie_core::org::{UnitId, UnitKind};
use vigie_core::policy::Action;
use vigie_engine::{EngineError, ExportPurpose, IntelSearchView, IntelView};
use vigie_geo::Geography;
use vigie_intel::{IntelItemDraft, ItemId, PermissionKind, SanitisedDraft, Scheme, SourceKind};
use vigie_search::{Excerpt, Filters, SearchRequest, Sort};

/// Hits per page.
const PAGE_SIZE: usize = 20;
/// Values shown per facet (the most frequent).
const FACET_VALUES_SHOWN: usize = 12;
const SEARCH_MOTIF_REQUIRED: &str = "Indiquez le motif de la recherche (au moins 3 caractères)";
const CONSULT_MOTIF_REQUIRED: &str = "Indiquez le motif de la consultation (au moins 3 caractères)";
const MOTIF_HINT: &str = "Obligatoire : la procédure, l'affaire ou la mission qui justifie la recherche. Il est enregistré au journal ; les mots recherchés ne le sont pas.";
const WORDS_HINT: &str = "Mots (les formes fléchies sont trouvées), \"expression exacte\" ou nom tel qu'écrit, -mot à exclure. Sans mot : tous les éléments accessibles, selon les filtres.";
const FOLLOW_HINT: &str = "Les éléments enregistrés désormais qui correspondent à cette recherche (mots et filtres) vous seront signalés dans « Veilles ». Le motif n'est pas conservé.";
/// The facets shown, in order, with their titles (names of `vigie_search::FACETS`).
const FACET_TITLES: [(&str, &str); 6] = [
    ("departement", "Département"),
    ("source", "Type de source"),
    ("regime", "Régime juridique"),
    ("grade", "Cotation"),
    ("unit", "Service"),
    ("year", "Année d'observation"),
];

fn motif_is_long_enough(motif: &str) -> bool {
    motif.trim().chars().count() >= 3
}

fn field_error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// "2 431": thousands separated by a narrow no-break space.
fn grouped(count: usize) -> String {
    let digits = count.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    grouped
}

/// "Aucun élément", "1 élément", "2 431 éléments".
fn count_label(count: usize, one: &str, many: &str) -> String {
    match count {
        0 => format!("Aucun {one}"),
        1 => format!("1 {one}"),
        _ => format!("{} {many}", grouped(count)),
    }
}

/// "Bouches-du-Rhône (13)", or the code alone when the atlas does not know it.
pub(super) fn departement_label(geography: Option<&Geography>, code: &str) -> String {
    if code == vigie_search::NO_DEPARTEMENT {
        return "Sans département".to_owned();
    }
    geography
        .and_then(|geography| {
            let atlas = geography.atlas();
            atlas
                .departement_index(code)
                .and_then(|at| atlas.departements.get(at))
                .map(|departement| format!("{} ({code})", departement.name))
        })
        .unwrap_or_else(|| code.to_owned())
}

/// The commune's name ("Marseille 14e Arrondissement"), when the atlas knows its code.
fn commune_name(geography: Option<&Geography>, code: &str) -> Option<String> {
    geography
        .and_then(|geography| geography.commune(code))
        .map(|location| {
            location
                .arrondissement
                .map_or(location.commune.nom, |arrondissement| arrondissement.nom)
        })
}

/// Where an item is, for a list: "Marseille 14e Arrondissement (13)", the département, or a dash.
fn place_label(
    geography: Option<&Geography>,
    commune: Option<&str>,
    departement: Option<&str>,
) -> String {
    let name = commune.and_then(|code| commune_name(geography, code));
    match (name, departement) {
        (Some(name), Some(departement)) => format!("{name} ({departement})"),
        (Some(name), None) => name,
        (None, Some(departement)) => departement_label(geography, departement),
        (None, None) => NONE.to_owned(),
    }
}

/// "le 18/11/2026", or "du 01/11/2026 au 18/11/2026".
fn observed_label(on: time::Date, until: Option<time::Date>) -> String {
    match until {
        Some(until) if until != on => {
            format!("du {} au {}", format::date(on), format::date(until))
        }
        _ => format!("le {}", format::date(on)),
    }
}

/// The excerpt as pieces, the matched ranges marked. Ranges that overlap, go backwards or do not
/// fall on character boundaries are ignored (the text is then shown unmarked there).
pub(super) fn excerpt_pieces(excerpt: &Excerpt) -> Vec<ExcerptPiece> {
    let text = excerpt.text.as_str();
    let mut ranges = excerpt.highlighted.clone();
    ranges.sort_by_key(|range| (range.start, range.end));
    let mut pieces = Vec::new();
    let mut at = 0;
    for range in ranges {
        if range.start < at || range.start >= range.end {
            continue;
        }
        let (Some(before), Some(marked)) = (text.get(at..range.start), text.get(range.clone()))
        else {
            continue;
        };
        if !before.is_empty() {
            pieces.push(ExcerptPiece {
                text: before.to_owned(),
                marked: false,
            });
        }
        pieces.push(ExcerptPiece {
            text: marked.to_owned(),
            marked: true,
        });
        at = range.end;
    }
    if let Some(rest) = text.get(at..) {
        if !rest.is_empty() {
            pieces.push(ExcerptPiece {
                text: rest.to_owned(),
                marked: false,
            });
        }
    }
    pieces
}

/// The excerpt's pieces, with an ellipsis where it cuts the item's text.
fn excerpt_of(text: &str, excerpt: &Excerpt) -> Vec<ExcerptPiece> {
    let mut pieces = excerpt_pieces(excerpt);
    let shown = excerpt.text.trim();
    if shown.is_empty() {
        return pieces;
    }
    let ellipsis = || ExcerptPiece {
        text: "…".to_owned(),
        marked: false,
    };
    if !text.trim_start().starts_with(shown) {
        pieces.insert(0, ellipsis());
    }
    if !text.trim_end().ends_with(shown) {
        pieces.push(ellipsis());
    }
    pieces
}

fn source_options() -> Vec<(String, String)> {
    let mut options = vec![(String::new(), "Toutes les sources".to_owned())];
    options.extend(
        SourceKind::CHOICES
            .iter()
            .map(|(value, label)| ((*value).to_owned(), (*label).to_owned())),
    );
    options.push(("protected".to_owned(), SourceKind::Protected.label_fr()));
    options
}

pub(super) fn source_label(value: &str) -> String {
    SourceKind::key_label_fr(value).unwrap_or_else(|| value.to_owned())
}

fn regime_options(first: Option<&str>) -> Vec<(String, String)> {
    let mut options = Vec::new();
    if let Some(first) = first {
        options.push((String::new(), first.to_owned()));
    }
    options.extend(
        LegalRegime::ALL
            .iter()
            .map(|regime| (regime.as_str().to_owned(), regime.label_fr().to_owned())),
    );
    options
}

// ---------------------------------------------------------------------------------------------
// The search.

/// The search as posted: the form's fields, the filters added from facets, the page.
#[derive(Clone, Debug, Default)]
struct SearchState {
    motif: String,
    words: String,
    departement: String,
    source: String,
    regime: String,
    /// "scheme:code", from the grade facet.
    grade: String,
    /// A unit id, from the unit facet.
    unit: String,
    /// AAAA-MM-JJ.
    from: String,
    to: String,
    /// "pertinence" or "recent".
    sort: String,
    page: usize,
}

/// The filters a facet value or a removal may name.
const FILTER_NAMES: [&str; 7] = [
    "departement",
    "source",
    "regime",
    "cotation",
    "service",
    "periode",
    "tri",
];

impl SearchState {
    fn from_posted(posted: &Posted) -> Self {
        let mut state = SearchState {
            motif: posted.get("motif").to_owned(),
            words: posted.get("mots").to_owned(),
            departement: posted.get("departement").trim().to_owned(),
            source: posted.get("source").trim().to_owned(),
            regime: posted.get("regime").trim().to_owned(),
            grade: posted.get("cotation").trim().to_owned(),
            unit: posted.get("service").trim().to_owned(),
            from: posted.get("du").trim().to_owned(),
            to: posted.get("au").trim().to_owned(),
            sort: posted.get("tri").trim().to_owned(),
            page: posted.get("page").trim().parse().unwrap_or(1).max(1),
        };
        // A facet value adds its filter (and starts again from the first page).
        if let Some((name, value)) = posted.get("facette").split_once('=') {
            let value = value.trim().to_owned();
            match name {
                "departement" => state.departement = value,
                "source" => state.source = value,
                "regime" => state.regime = value,
                "grade" => state.grade = value,
                "unit" => state.unit = value,
                "year" => {
                    state.from = format!("{value}-01-01");
                    state.to = format!("{value}-12-31");
                }
                _ => {}
            }
            state.page = 1;
        }
        let removed = posted.get("retrait");
        if FILTER_NAMES.contains(&removed) {
            match removed {
                "departement" => state.departement.clear(),
                "source" => state.source.clear(),
                "regime" => state.regime.clear(),
                "cotation" => state.grade.clear(),
                "service" => state.unit.clear(),
                "periode" => {
                    state.from.clear();
                    state.to.clear();
                }
                _ => state.sort.clear(),
            }
            state.page = 1;
        }
        state
    }

    /// The search as hidden fields (the page excluded).
    fn hidden(&self) -> Vec<(&'static str, String)> {
        [
            ("motif", &self.motif),
            ("mots", &self.words),
            ("departement", &self.departement),
            ("source", &self.source),
            ("regime", &self.regime),
            ("cotation", &self.grade),
            ("service", &self.unit),
            ("du", &self.from),
            ("au", &self.to),
            ("tri", &self.sort),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| (name, value.clone()))
        .collect()
    }

    /// What a standing watch keeps of the search, as hidden fields: the words and the filters (not
    /// the motif, the order or the page).
    fn watched(&self) -> Vec<(&'static str, String)> {
        self.hidden()
            .into_iter()
            .filter(|(name, _)| !matches!(*name, "motif" | "tri"))
            .collect()
    }

    /// The engine's request, or the errors of the fields.
    fn request(&self) -> Result<SearchRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        if !motif_is_long_enough(&self.motif) {
            errors.push(field_error("motif", SEARCH_MOTIF_REQUIRED));
        }
        self.request_with(errors)
    }

    /// The engine's request whatever the motif (a watch has none), or the errors of the fields
    /// (after `errors`, already found).
    fn request_with(&self, mut errors: Vec<FieldError>) -> Result<SearchRequest, Vec<FieldError>> {
        let day = |field: &str, value: &str, errors: &mut Vec<FieldError>| {
            if value.is_empty() {
                return None;
            }
            let format = time::macros::format_description!("[year]-[month]-[day]");
            match time::Date::parse(value, format) {
                Ok(day) => Some(day),
                Err(_) => {
                    errors.push(field_error(
                        field,
                        format!("Date « {value} » invalide : attendu AAAA-MM-JJ"),
                    ));
                    None
                }
            }
        };
        let observed_from = day("du", &self.from, &mut errors);
        let observed_to = day("au", &self.to, &mut errors);
        let regimes = match self.regime.as_str() {
            "" => Vec::new(),
            value => match LegalRegime::parse(value) {
                Some(regime) => vec![regime],
                None => {
                    errors.push(field_error("regime", "Régime juridique inconnu"));
                    Vec::new()
                }
            },
        };
        if !self.source.is_empty() && !source_options().iter().any(|(key, _)| *key == self.source) {
            errors.push(field_error("source", "Type de source inconnu"));
        }
        let units = match self.unit.as_str() {
            "" => Vec::new(),
            value => match Uuid::parse_str(value) {
                Ok(id) => vec![UnitId(id)],
                Err(_) => {
                    errors.push(field_error("service", "Service inconnu"));
                    Vec::new()
                }
            },
        };
        let sort = match self.sort.as_str() {
            "" | "pertinence" => Sort::Relevance,
            "recent" => Sort::Recent,
            _ => {
                errors.push(field_error("tri", "Ordre inconnu"));
                Sort::Relevance
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let one = |value: &str| {
            if value.is_empty() {
                Vec::new()
            } else {
                vec![value.to_owned()]
            }
        };
        Ok(SearchRequest {
            // French quotation marks are quotes too.
            query: self
                .words
                .replace(['«', '»', '“', '”'], "\"")
                .trim()
                .to_owned(),
            filters: Filters {
                departements: one(&self.departement),
                sources: one(&self.source),
                grades: one(&self.grade),
                units,
                regimes,
                observed_from,
                observed_to,
                about: None,
                recorded_after: None,
            },
            sort,
            limit: PAGE_SIZE,
            offset: (self.page - 1).saturating_mul(PAGE_SIZE),
        })
    }
}

/// The search a « Suivre cette recherche » form posts (the search form's field names), as the
/// engine's request whatever the motif (a watch keeps none); or the errors of its fields.
pub(super) fn watched_search(posted: &Posted) -> Result<SearchRequest, Vec<FieldError>> {
    SearchState::from_posted(posted).request_with(Vec::new())
}

/// A watched search as the search form's fields, so that posting them to `/renseignement` (with a
/// motif) runs it again: the words, and the first value of each filter (the form takes one each).
pub(super) fn search_fields(request: &SearchRequest) -> Vec<(&'static str, String)> {
    let filters = &request.filters;
    let day = |day: Option<time::Date>| {
        day.and_then(|day| {
            day.format(time::macros::format_description!("[year]-[month]-[day]"))
                .ok()
        })
        .unwrap_or_default()
    };
    SearchState {
        words: request.query.clone(),
        departement: filters.departements.first().cloned().unwrap_or_default(),
        source: filters.sources.first().cloned().unwrap_or_default(),
        regime: filters
            .regimes
            .first()
            .map(|regime| regime.as_str().to_owned())
            .unwrap_or_default(),
        grade: filters.grades.first().cloned().unwrap_or_default(),
        unit: filters
            .units
            .first()
            .map(ToString::to_string)
            .unwrap_or_default(),
        from: day(filters.observed_from),
        to: day(filters.observed_to),
        ..SearchState::default()
    }
    .watched()
}

fn search_form(
    state: &SearchState,
    geography: Option<&Geography>,
    errors: &[FieldError],
) -> IntelSearchForm {
    let mut departements = vec![(String::new(), "Tous les départements".to_owned())];
    if let Some(geography) = geography {
        departements.extend(
            geography
                .atlas()
                .departements
                .iter()
                .map(|d| (d.code.clone(), format!("{} ({})", d.name, d.code))),
        );
    }
    departements.push((
        vigie_search::NO_DEPARTEMENT.to_owned(),
        "Sans département".to_owned(),
    ));
    if !state.departement.is_empty()
        && !departements
            .iter()
            .any(|(code, _)| *code == state.departement)
    {
        departements.push((state.departement.clone(), state.departement.clone()));
    }
    let mut from = Field::text("du", "du", "Observé du")
        .hint("Premier jour de la période")
        .value(state.from.clone());
    from.input_type = "date";
    let mut to = Field::text("au", "au", "Observé au")
        .hint("Dernier jour de la période")
        .value(state.to.clone());
    to.input_type = "date";
    let mut form = IntelSearchForm {
        motif: Field::text("motif", "motif", "Motif de la recherche")
            .hint(MOTIF_HINT)
            .value(state.motif.clone())
            .required(),
        words: Field::text("mots", "mots", "Mots recherchés")
            .hint(WORDS_HINT)
            .value(state.words.clone()),
        departement: SelectField::new(
            "departement",
            "departement",
            "Département",
            departements,
            &state.departement,
        ),
        source: SelectField::new(
            "source",
            "source",
            "Type de source",
            source_options(),
            &state.source,
        ),
        regime: SelectField::new(
            "regime",
            "regime",
            "Régime juridique",
            regime_options(Some("Tous les régimes")),
            &state.regime,
        ),
        from,
        to,
        sort: SelectField::new(
            "tri",
            "tri",
            "Ordre des résultats",
            vec![
                ("pertinence".to_owned(), "Pertinence".to_owned()),
                ("recent".to_owned(), "Plus récent d'abord".to_owned()),
            ],
            if state.sort.is_empty() {
                "pertinence"
            } else {
                &state.sort
            },
        ),
        hidden: [("cotation", &state.grade), ("service", &state.unit)]
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| (name, value.clone()))
            .collect(),
        has_errors: !errors.is_empty(),
        other_errors: Vec::new(),
    };
    for error in errors {
        let slot = match error.field.as_str() {
            "motif" => &mut form.motif.error,
            "query" | "mots" => &mut form.words.error,
            "departement" | "filters.departements" => &mut form.departement.error,
            "source" | "filters.sources" => &mut form.source.error,
            "regime" | "filters.regimes" => &mut form.regime.error,
            "du" | "filters.observed_from" => &mut form.from.error,
            "au" | "filters.observed_to" => &mut form.to.error,
            "tri" => &mut form.sort.error,
            _ => {
                form.other_errors.push(error.message.clone());
                continue;
            }
        };
        if slot.is_none() {
            *slot = Some(error.message.clone());
        }
    }
    form
}

/// The geography for labels (every role may read it); without it, codes are shown.
pub(super) fn geography<'a>(state: &'a AppState, session: &PageSession) -> Option<&'a Geography> {
    state.engine.geography(&session.actor).ok()
}

/// `GET /renseignement`: the empty search form.
pub async fn search_form_page(State(state): State<AppState>, session: PageSession) -> PageResult {
    session.require(Action::ConsultIntel)?;
    let search = SearchState::default();
    let page = IntelSearchPage {
        layout: session.layout("Renseignement", "/renseignement"),
        csrf: session.csrf.clone(),
        form: search_form(&search, geography(&state, &session), &[]),
        outcome: None,
        can_record: session.may(Action::RecordIntel),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /renseignement`: runs the search (journaled with its motif, not its words) and shows one
/// page of hits with the total and the facets, all within what the reader may see.
pub async fn search(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::ConsultIntel)?;
    let search = SearchState::from_posted(&posted);
    show_search(&state, &session, &ctx, &search, None).await
}

/// Runs the search and shows its page; with a refused export (the export form as posted and its
/// errors), the same page with the export form's errors (422).
async fn show_search(
    state: &AppState,
    session: &PageSession,
    ctx: &vigie_engine::RequestContext,
    search: &SearchState,
    refused_export: Option<(&Posted, Vec<FieldError>)>,
) -> PageResult {
    let geography = geography(state, session);
    let page = |form: IntelSearchForm, outcome: Option<IntelOutcome>| IntelSearchPage {
        layout: session.layout("Renseignement", "/renseignement"),
        csrf: session.csrf.clone(),
        form,
        outcome,
        can_record: session.may(Action::RecordIntel),
    };
    let invalid = |errors: Vec<FieldError>| {
        let form = search_form(search, geography, &errors);
        Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page(form, None)))
    };
    let request = match search.request() {
        Ok(request) => request,
        Err(errors) => return invalid(errors),
    };
    match state
        .engine
        .search_intel(&session.actor, &request, &search.motif, ctx)
        .await
    {
        Ok(found) => {
            let units = export_units(state, session).await;
            let status = if refused_export.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            let export = export_form(&units, refused_export.as_ref());
            let outcome = outcome(search, &found, geography, export);
            let form = search_form(search, geography, &[]);
            Ok(render(status, &page(form, Some(outcome))))
        }
        Err(EngineError::MotifRequired) => {
            invalid(vec![field_error("motif", SEARCH_MOTIF_REQUIRED)])
        }
        Err(EngineError::Invalid(errors)) => invalid(errors),
        Err(error) => Err(session.fail(error)),
    }
}

/// The units an export may be shared with (all but the reader's), by name.
async fn export_units(state: &AppState, session: &PageSession) -> Vec<(String, String)> {
    let mut units: Vec<(String, String)> = match state.engine.units().await {
        Ok(units) => units
            .into_iter()
            .filter(|unit| unit.id != session.actor.unit.id)
            .map(|unit| (unit.id.to_string(), unit.name))
            .collect(),
        Err(error) => {
            tracing::warn!(%error, "units unavailable for the export form");
            Vec::new()
        }
    };
    units.sort_by(|a, b| a.1.cmp(&b.1));
    units
}

/// The values of the export form's « Finalité » select.
const EXPORT_TO_COURT: &str = "procedure";
const EXPORT_TO_UNIT: &str = "diffusion";
const EXPORT_MAPPING_HINT: &str = "Champ=COLONNE, séparés par des virgules, dans l'ordre des colonnes. Champs : id (référence), observed_on (date d'observation), observed_until (fin), text (texte), grade (cotation), source (type de source, jamais le code d'une source humaine), place (lieu), commune (code INSEE), commune_name (nom de la commune), departement, owner (service d'origine), handling (codes de traitement), restrictions (H3), regime, sanitised_from (original d'une copie épurée), entities (fiches). Plusieurs valeurs sont séparées par |.";

fn export_form(
    units: &[(String, String)],
    refused: Option<&(&Posted, Vec<FieldError>)>,
) -> IntelExportForm {
    let typed = |name: &str| refused.map(|(posted, _)| posted.get(name).to_owned());
    let mut purpose = SelectField::new(
        "finalite",
        "finalite",
        "Finalité de l'exportation",
        vec![
            (String::new(), "Choisissez la finalité".to_owned()),
            (
                EXPORT_TO_COURT.to_owned(),
                "Versement en procédure judiciaire".to_owned(),
            ),
            (
                EXPORT_TO_UNIT.to_owned(),
                "Diffusion à un autre service".to_owned(),
            ),
        ],
        &typed("finalite").unwrap_or_default(),
    );
    purpose.hint = "Les éléments que leurs codes de traitement réservent sont écartés du fichier : H1 pour un versement en procédure, H2 pour une diffusion, sauf autorisation enregistrée de leur service.";
    let mut units_options = vec![(String::new(), "Choisissez le service".to_owned())];
    units_options.extend(units.iter().cloned());
    let mut to_unit = SelectField::new(
        "destinataire",
        "destinataire",
        "Service destinataire",
        units_options,
        &typed("destinataire").unwrap_or_default(),
    );
    to_unit.hint = "Pour une diffusion seulement";
    let mut form = IntelExportForm {
        purpose,
        to_unit,
        mapping: TextArea {
            id: "correspondance",
            name: "correspondance",
            label: "Colonnes du fichier",
            hint: EXPORT_MAPPING_HINT,
            value: typed("correspondance")
                .unwrap_or_else(|| vigie_intel::csv_entities::DEFAULT_ITEM_MAPPING.to_owned()),
            error: None,
            rows: 3,
            required: true,
        },
        has_errors: false,
        other_errors: Vec::new(),
    };
    if let Some((_, errors)) = refused {
        form.has_errors = !errors.is_empty();
        let mut mapping = Vec::new();
        for error in errors {
            let slot = match error.field.as_str() {
                "purpose" => &mut form.purpose.error,
                "to_unit" => &mut form.to_unit.error,
                "mapping" => {
                    mapping.push(error.message.clone());
                    continue;
                }
                _ => {
                    form.other_errors.push(error.message.clone());
                    continue;
                }
            };
            if slot.is_none() {
                *slot = Some(error.message.clone());
            }
        }
        if !mapping.is_empty() {
            form.mapping.error = Some(mapping.join(" ; "));
        }
    }
    form
}

/// `POST /renseignement/export`: the items of the search posted with it (hidden fields), as a CSV
/// file with the columns asked for, under the gates of the handling codes for the purpose chosen;
/// every exported item is journaled with the search's motif. On errors, the search again with the
/// export form's errors (422).
pub async fn export(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::ConsultIntel)?;
    let search = SearchState::from_posted(&posted);
    let Ok(request) = search.request() else {
        // The search's own errors, on its form.
        return show_search(&state, &session, &ctx, &search, None).await;
    };
    let request = SearchRequest {
        offset: 0,
        limit: vigie_search::MAX_LIMIT,
        ..request
    };
    let mut errors = Vec::new();
    let purpose = match posted.get("finalite").trim() {
        EXPORT_TO_COURT => Some(ExportPurpose::JudicialFile),
        EXPORT_TO_UNIT => match Uuid::parse_str(posted.get("destinataire").trim()) {
            Ok(unit) => Some(ExportPurpose::Share {
                to_unit: UnitId(unit),
            }),
            Err(_) => {
                errors.push(field_error(
                    "to_unit",
                    "Choisissez le service destinataire de la diffusion",
                ));
                None
            }
        },
        _ => {
            errors.push(field_error(
                "purpose",
                "Choisissez la finalité de l'exportation",
            ));
            None
        }
    };
    let mapping = posted.get("correspondance");
    let exported = match purpose {
        Some(purpose) if errors.is_empty() => {
            state
                .engine
                .export_intel_csv(
                    &session.actor,
                    &request,
                    mapping,
                    &search.motif,
                    purpose,
                    &ctx,
                )
                .await
        }
        _ => {
            // The mapping's faults too, so that every error shows at once.
            let parsed = vigie_intel::csv_entities::parse_mapping(mapping).map_err(|e| vec![e]);
            let faults = parsed
                .and_then(|mapping| vigie_intel::csv_entities::check_item_mapping(&mapping))
                .err()
                .unwrap_or_default();
            errors.extend(faults.into_iter().map(|fault| {
                field_error("mapping", format!("Correspondance des colonnes : {fault}"))
            }));
            Err(EngineError::Invalid(errors))
        }
    };
    match exported {
        Ok(export) => Ok(crate::api::intel::csv_download(export)),
        Err(EngineError::Invalid(errors)) => {
            show_search(&state, &session, &ctx, &search, Some((&posted, errors))).await
        }
        Err(EngineError::MotifRequired) => show_search(&state, &session, &ctx, &search, None).await,
        Err(error) => Err(session.fail(error)),
    }
}

fn outcome(
    search: &SearchState,
    found: &IntelSearchView,
    geography: Option<&Geography>,
    export: IntelExportForm,
) -> IntelOutcome {
    let hits = found
        .hits
        .iter()
        .map(|hit| {
            let item = &hit.item;
            IntelHitRow {
                href: format!("/renseignement/elements/{}", item.id),
                observed: observed_label(item.observed_on, item.observed_until),
                owner: hit.owner_name.clone(),
                place: place_label(
                    geography,
                    item.commune.as_deref(),
                    item.departement.as_deref(),
                ),
                grade: item.grade.display_fr(),
                handling: item.handling.codes(),
                regime: item.regime.label_fr().to_owned(),
                source: item.source.label_fr(),
                sanitised: item.sanitised_from.is_some(),
                excerpt: excerpt_of(&item.text, &hit.excerpt),
            }
        })
        .collect();
    let active_value = |facet: &str| match facet {
        "departement" => search.departement.clone(),
        "source" => search.source.clone(),
        "regime" => search.regime.clone(),
        "grade" => search.grade.clone(),
        "unit" => search.unit.clone(),
        "year" => match (search.from.get(..4), search.to.get(..4)) {
            (Some(from), Some(to))
                if from == to
                    && search.from.ends_with("-01-01")
                    && search.to.ends_with("-12-31") =>
            {
                from.to_owned()
            }
            _ => String::new(),
        },
        _ => String::new(),
    };
    let mut facets = Vec::new();
    for (name, title) in FACET_TITLES {
        let Some(values) = found.facets.get(name).filter(|values| !values.is_empty()) else {
            continue;
        };
        let active = active_value(name);
        facets.push(FacetBlock {
            id: name,
            title,
            values: values
                .iter()
                .take(FACET_VALUES_SHOWN)
                .map(|value| FacetButton {
                    value: format!("{name}={}", value.value),
                    label: value.label.clone(),
                    count: grouped(usize::try_from(value.count).unwrap_or(usize::MAX)),
                    active: value.value == active,
                })
                .collect(),
        });
    }
    // The filters in force, each with its removal button; facet labels name grades and units.
    let facet_label = |facet: &str, value: &str| {
        found
            .facets
            .get(facet)
            .and_then(|values| values.iter().find(|v| v.value == value))
            .map_or_else(|| value.to_owned(), |v| v.label.clone())
    };
    let mut active = Vec::new();
    if !search.departement.is_empty() {
        active.push(ActiveFilter {
            name: "departement",
            label: format!(
                "Département : {}",
                departement_label(geography, &search.departement)
            ),
        });
    }
    if !search.source.is_empty() {
        active.push(ActiveFilter {
            name: "source",
            label: format!("Source : {}", source_label(&search.source)),
        });
    }
    if let Some(regime) = LegalRegime::parse(&search.regime) {
        active.push(ActiveFilter {
            name: "regime",
            label: format!("Régime : {}", regime.label_fr()),
        });
    }
    if !search.grade.is_empty() {
        active.push(ActiveFilter {
            name: "cotation",
            label: format!("Cotation : {}", facet_label("grade", &search.grade)),
        });
    }
    if !search.unit.is_empty() {
        active.push(ActiveFilter {
            name: "service",
            label: format!("Service : {}", facet_label("unit", &search.unit)),
        });
    }
    if !search.from.is_empty() || !search.to.is_empty() {
        let day = |value: &str| format::partial_date(value);
        let label = match (search.from.is_empty(), search.to.is_empty()) {
            (false, false) => format!("du {} au {}", day(&search.from), day(&search.to)),
            (false, true) => format!("depuis le {}", day(&search.from)),
            _ => format!("jusqu'au {}", day(&search.to)),
        };
        active.push(ActiveFilter {
            name: "periode",
            label: format!("Observé {label}"),
        });
    }
    let last_page = vigie_engine::MAX_INTEL_OFFSET / PAGE_SIZE + 1;
    let pages = found.total.div_ceil(PAGE_SIZE).clamp(1, last_page);
    let page = search.page;
    IntelOutcome {
        total_label: count_label(found.total, "élément", "éléments"),
        total: found.total,
        hits,
        facets,
        active,
        state: search.hidden(),
        page,
        pages,
        previous: (page > 1).then(|| (page - 1).min(pages)),
        next: (page < pages).then_some(page + 1),
        journal_seq: found.journal_seq,
        follow: search.watched(),
        follow_label: Field::text("libelle", "libelle", "Nom de la veille")
            .hint(FOLLOW_HINT)
            .value(follow_label(&search.words))
            .required(),
        export,
    }
}

/// The name a new watch of these words is given until the analyst changes it (3 to 120
/// characters, as the engine wants).
fn follow_label(words: &str) -> String {
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    if words.chars().count() < 3 {
        return "Éléments selon les filtres".to_owned();
    }
    words.chars().take(120).collect()
}

// ---------------------------------------------------------------------------------------------
// One item.

fn parse_item_id(session: &PageSession, raw: &str) -> Result<ItemId, PageError> {
    Uuid::parse_str(raw)
        .map(ItemId)
        .map_err(|_| session.fail(ErrorKind::NotFound))
}

fn motif_page(
    session: &PageSession,
    id: ItemId,
    motif: &str,
    error: Option<String>,
) -> IntelMotifPage {
    let mut field = Field::text("motif", "motif", "Motif de la consultation")
        .hint("Obligatoire : la procédure, l'affaire ou la mission qui justifie la consultation. Il est enregistré au journal.")
        .value(motif)
        .required();
    field.error = error;
    IntelMotifPage {
        layout: session.layout("Consultation d'un élément", "/renseignement"),
        action: format!("/renseignement/elements/{id}"),
        motif: field,
        csrf: session.csrf.clone(),
        notice: None,
    }
}

/// `?avis=...` on the motif page: what the previous action did.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ItemAvis {
    avis: String,
}

/// `GET /renseignement/elements/{id}`: asks for the motif. Looks nothing up: the page is the same
/// for every id (`?avis=copie-epuree`, after a sanitised copy was made, adds the same notice to
/// any id).
pub async fn motif_form(
    session: PageSession,
    Path(raw): Path<String>,
    avis: Result<Query<ItemAvis>, QueryRejection>,
) -> PageResult {
    session.require(Action::ConsultIntel)?;
    let id = parse_item_id(&session, &raw)?;
    let mut page = motif_page(&session, id, "", None);
    if avis.is_ok_and(|Query(avis)| avis.avis == "copie-epuree") {
        page.notice = Some(
            "Copie épurée enregistrée pour votre unité, liée à son original. Indiquez le motif de la consultation pour l'afficher."
                .to_owned(),
        );
    }
    Ok(render(StatusCode::OK, &page))
}

/// `POST /renseignement/elements/{id}`: reads the item with the motif (journaled first) and shows
/// it; 404 for an item the reader may not see.
pub async fn consult(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(data): PageForm<MotifFormData>,
) -> PageResult {
    session.check_csrf(&data.csrf)?;
    session.require(Action::ConsultIntel)?;
    let id = parse_item_id(&session, &raw)?;
    // Checked before the engine is asked, so that a short motif gets the same answer for every id.
    if !motif_is_long_enough(&data.motif) {
        let page = motif_page(
            &session,
            id,
            &data.motif,
            Some(CONSULT_MOTIF_REQUIRED.to_owned()),
        );
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    match state
        .engine
        .consult_intel(&session.actor, id, &data.motif, &ctx)
        .await
    {
        Ok(view) => {
            let page = item_page(
                &state,
                &session,
                &view,
                ItemPageState::consulted(data.motif.trim()),
            )
            .await;
            Ok(render(StatusCode::OK, &page))
        }
        Err(EngineError::MotifRequired) => {
            let page = motif_page(
                &session,
                id,
                &data.motif,
                Some(CONSULT_MOTIF_REQUIRED.to_owned()),
            );
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(EngineError::Invalid(details)) => {
            let message = details
                .first()
                .map(|d| d.message.clone())
                .unwrap_or_else(|| CONSULT_MOTIF_REQUIRED.to_owned());
            let page = motif_page(&session, id, &data.motif, Some(message));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(error) => Err(session.fail(error)),
    }
}

/// How an item's page comes to be shown, and what its owner's forms hold.
struct ItemPageState<'p> {
    /// Just recorded by the reader (no consultation, no motif).
    recorded: bool,
    /// The consultation's motif, carried by the owner's forms.
    motif: String,
    notice: Option<String>,
    /// The sanitised-copy form as posted, with its errors.
    copy: Option<(&'p Posted, Vec<FieldError>)>,
    /// The permission form as posted, with its errors.
    permission: Option<(&'p Posted, Vec<FieldError>)>,
}

impl ItemPageState<'_> {
    fn consulted(motif: &str) -> Self {
        ItemPageState {
            recorded: false,
            motif: motif.to_owned(),
            notice: None,
            copy: None,
            permission: None,
        }
    }

    fn recorded() -> Self {
        ItemPageState {
            recorded: true,
            ..ItemPageState::consulted("")
        }
    }
}

/// The H1, H2 and H3 checkboxes of a sanitised copy's form (H0 always applies).
const COPY_HANDLING_CODES: [(&str, &str); 3] = [
    (
        "H1",
        "Ne pas verser en procédure judiciaire sans l'accord du service ; conservé d'office si l'original le porte",
    ),
    ("H2", "Ne pas diffuser sans l'accord du service"),
    ("H3", "Autres restrictions : précisez-les ci-dessous"),
];

/// Puts each error under its field, or among the form's other errors.
fn place_errors<'f>(
    errors: &[FieldError],
    slot: &mut dyn FnMut(&str) -> Option<&'f mut Option<String>>,
    other: &mut Vec<String>,
) {
    for error in errors {
        match slot(error.field.as_str()) {
            Some(field) => {
                if field.is_none() {
                    *field = Some(error.message.clone());
                }
            }
            None => other.push(error.message.clone()),
        }
    }
}

fn sanitise_form(id: ItemId, posted: Option<&(&Posted, Vec<FieldError>)>) -> SanitiseForm {
    let typed = |name: &str| {
        posted
            .map(|(posted, _)| posted.get(name).to_owned())
            .unwrap_or_default()
    };
    let checked: Vec<String> = posted
        .map(|(posted, _)| {
            posted
                .all("traitement_epure")
                .into_iter()
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let mut form = SanitiseForm {
        action: format!("/renseignement/elements/{id}/copie-epuree"),
        text: TextArea {
            id: "texte-epure",
            name: "texte_epure",
            label: "Texte épuré",
            hint: "Réécrivez l'élément sans ce qui permettrait d'identifier la source (code, circonstances, détails connus d'elle seule). La copie ne dira que « source protégée ».",
            value: typed("texte_epure"),
            error: None,
            rows: 5,
            required: true,
        },
        place: Field::text("lieu-epure", "lieu_epure", "Lieu")
            .hint("Facultatif : le lieu en clair, s'il ne désigne pas la source")
            .value(typed("lieu_epure")),
        handling: CheckboxGroup {
            id: "traitement-epure",
            name: "traitement_epure",
            legend: "Codes de traitement de la copie",
            hint: "H0 s'applique toujours. Une copie épurée se diffuse d'ordinaire sans H2.",
            options: COPY_HANDLING_CODES
                .iter()
                .map(|(value, hint)| CheckboxOption {
                    id: format!("traitement-epure-{}", value.to_lowercase()),
                    value,
                    label: value,
                    hint: (*hint).to_owned(),
                    checked: checked.iter().any(|code| code == value),
                })
                .collect(),
            error: None,
        },
        restrictions: TextArea {
            id: "restrictions-epure",
            name: "restrictions_epure",
            label: "Restrictions (H3)",
            hint: "Les instructions de traitement, en clair ; seulement avec H3",
            value: typed("restrictions_epure"),
            error: None,
            rows: 2,
            required: false,
        },
        has_errors: false,
        other_errors: Vec::new(),
        open: posted.is_some(),
    };
    if let Some((_, errors)) = posted {
        form.has_errors = !errors.is_empty();
        let SanitiseForm {
            text,
            place,
            handling,
            restrictions,
            other_errors,
            ..
        } = &mut form;
        let (text, place, handling, restrictions) = (
            &mut text.error,
            &mut place.error,
            &mut handling.error,
            &mut restrictions.error,
        );
        let mut slots = [
            ("text", Some(text)),
            ("place", Some(place)),
            ("handling", Some(handling)),
            ("restrictions", Some(restrictions)),
        ];
        place_errors(
            errors,
            &mut |field| {
                slots
                    .iter_mut()
                    .find(|(name, _)| *name == field)
                    .and_then(|(_, slot)| slot.take())
            },
            other_errors,
        );
    }
    form
}

/// The values of the permission form's « Usage » select.
const JUDICIAL_USE: &str = "usage_judiciaire";
const ONWARD_SHARING: &str = "diffusion";

fn permission_form(
    view: &IntelView,
    units: &[(String, String)],
    posted: Option<&(&Posted, Vec<FieldError>)>,
) -> Option<PermissionForm> {
    let handling = &view.item.handling;
    if !handling.no_judicial_use && !handling.no_dissemination {
        return None;
    }
    let typed = |name: &str| {
        posted
            .map(|(posted, _)| posted.get(name).to_owned())
            .unwrap_or_default()
    };
    let mut kinds = vec![(String::new(), "Choisissez l'usage".to_owned())];
    if handling.no_judicial_use {
        kinds.push((
            JUDICIAL_USE.to_owned(),
            "Versement en procédure judiciaire (lève H1)".to_owned(),
        ));
    }
    if handling.no_dissemination {
        kinds.push((
            ONWARD_SHARING.to_owned(),
            "Diffusion à un autre service (lève H2)".to_owned(),
        ));
    }
    let mut kind = SelectField::new(
        "nature",
        "nature",
        "Usage autorisé",
        kinds,
        &typed("nature"),
    );
    kind.hint =
        "Seuls les usages que les codes de traitement de l'élément réservent sont proposés.";
    let to_unit = handling.no_dissemination.then(|| {
        let mut options = vec![(String::new(), "Tout service".to_owned())];
        options.extend(units.iter().cloned());
        let mut field = SelectField::new(
            "service",
            "service",
            "Service destinataire",
            options,
            &typed("service"),
        );
        field.hint = "Pour une diffusion seulement : un service, ou tous ; une autorisation d'usage judiciaire ne désigne pas de service.";
        field
    });
    let mut form = PermissionForm {
        action: format!("/renseignement/elements/{}/autorisations", view.item.id),
        kind,
        to_unit,
        reason: TextArea {
            id: "raison",
            name: "raison",
            label: "Motivation",
            hint: "Pourquoi l'usage est autorisé (procédure, enquête commune…) ; elle est conservée avec l'autorisation.",
            value: typed("raison"),
            error: None,
            rows: 2,
            required: true,
        },
        has_errors: false,
        other_errors: Vec::new(),
        open: posted.is_some(),
    };
    if let Some((_, errors)) = posted {
        form.has_errors = !errors.is_empty();
        let PermissionForm {
            kind,
            to_unit,
            reason,
            other_errors,
            ..
        } = &mut form;
        let mut slots = [
            ("kind", Some(&mut kind.error)),
            ("to_unit", to_unit.as_mut().map(|field| &mut field.error)),
            ("reason", Some(&mut reason.error)),
        ];
        place_errors(
            errors,
            &mut |field| {
                slots
                    .iter_mut()
                    .find(|(name, _)| *name == field)
                    .and_then(|(_, slot)| slot.take())
            },
            other_errors,
        );
    }
    Some(form)
}

async fn item_page(
    state: &AppState,
    session: &PageSession,
    view: &IntelView,
    page: ItemPageState<'_>,
) -> IntelItemPage {
    let item = &view.item;
    let geography = geography(state, session);
    let may_manage = view.own && session.may(Action::ManageIntel);
    let needs_units = !item.permissions.is_empty()
        || (may_manage && item.handling.no_dissemination && !page.recorded);
    let units: HashMap<UnitId, String> = if needs_units {
        match state.engine.units().await {
            Ok(units) => units.into_iter().map(|unit| (unit.id, unit.name)).collect(),
            Err(error) => {
                tracing::warn!(%error, "units unavailable for the intel item page");
                HashMap::new()
            }
        }
    } else {
        HashMap::new()
    };
    let commune = item.commune.as_deref().map_or_else(
        || NONE.to_owned(),
        |code| match &view.commune_name {
            Some(name) => format!("{name} ({code})"),
            None => code.to_owned(),
        },
    );
    let facts = vec![
        InfoRow {
            label: "Observé",
            value: observed_label(item.observed_on, item.observed_until),
        },
        InfoRow {
            label: "Lieu",
            value: item.place.clone().unwrap_or_else(|| NONE.to_owned()),
        },
        InfoRow {
            label: "Commune",
            value: commune,
        },
        InfoRow {
            label: "Département",
            value: item.departement.as_deref().map_or_else(
                || NONE.to_owned(),
                |code| departement_label(geography, code),
            ),
        },
        InfoRow {
            label: "Source",
            value: item.source.label_fr(),
        },
        InfoRow {
            label: "Régime juridique",
            value: item.regime.label_fr().to_owned(),
        },
        InfoRow {
            label: "Service d'origine",
            value: view.owner_name.clone(),
        },
        InfoRow {
            label: "Enregistré le",
            value: format::paris_minutes(item.recorded_at_micros),
        },
        InfoRow {
            label: "Référence",
            value: item.id.to_string(),
        },
    ];
    let link = |id: ItemId, label: String| Hyperlink {
        href: format!("/renseignement/elements/{id}"),
        label,
    };
    let unit_name = |unit: &UnitId| {
        units
            .get(unit)
            .cloned()
            .unwrap_or_else(|| "service inconnu".to_owned())
    };
    let permissions = item
        .permissions
        .iter()
        .map(|permission| PermissionRow {
            kind: match permission.kind {
                PermissionKind::JudicialUse => "Usage judiciaire (lève H1)".to_owned(),
                PermissionKind::OnwardSharing => "Diffusion (lève H2)".to_owned(),
            },
            to_unit: match (permission.kind, permission.to_unit) {
                (PermissionKind::JudicialUse, _) => NONE.to_owned(),
                (PermissionKind::OnwardSharing, None) => "Tout service".to_owned(),
                (PermissionKind::OnwardSharing, Some(unit)) => unit_name(&unit),
            },
            reason: permission.reason.clone(),
            by: view
                .permission_authors
                .get(&permission.by)
                .cloned()
                .unwrap_or_else(|| NONE.to_owned()),
            at: format::paris_minutes(permission.at_micros),
        })
        .collect();
    let manage = (may_manage && !page.recorded)
        .then(|| {
            let mut others: Vec<(String, String)> = units
                .iter()
                .filter(|(id, _)| **id != item.owner_unit)
                .map(|(id, name)| (id.to_string(), name.clone()))
                .collect();
            others.sort_by(|a, b| a.1.cmp(&b.1));
            IntelManageForms {
                csrf: session.csrf.clone(),
                motif: page.motif.clone(),
                copy: item
                    .sanitised_from
                    .is_none()
                    .then(|| sanitise_form(item.id, page.copy.as_ref())),
                permission: permission_form(view, &others, page.permission.as_ref()),
            }
        })
        .filter(|forms| forms.copy.is_some() || forms.permission.is_some());
    IntelItemPage {
        layout: session.layout("Élément de renseignement", "/renseignement"),
        recorded: page.recorded,
        heading: format!(
            "Élément observé {}",
            observed_label(item.observed_on, item.observed_until)
        ),
        text: item.text.clone(),
        facts,
        grade: item.grade.display_fr(),
        grade_meanings: item
            .grade
            .labels_fr()
            .into_iter()
            .map(|(part, meaning)| Meaning {
                code: part.to_owned(),
                meaning: meaning.to_owned(),
            })
            .collect(),
        handling: item
            .handling
            .labels_fr()
            .into_iter()
            .map(|(code, meaning)| Meaning {
                code: code.to_owned(),
                meaning,
            })
            .collect(),
        handling_codes: item.handling.codes(),
        judicial_refusal: view.judicial_use.clone().err(),
        sanitised: item.sanitised_from.is_some(),
        original: item
            .sanitised_from
            .filter(|_| view.original_readable)
            .map(|original| link(original, format!("Élément d'origine {original}"))),
        copies: view
            .copies
            .iter()
            .map(|copy| link(*copy, format!("Copie épurée {copy}")))
            .collect(),
        entities: item
            .entities
            .iter()
            .map(|entity| Hyperlink {
                href: format!("/entites/{entity}"),
                label: format!("Fiche {entity}"),
            })
            .collect(),
        permissions,
        permission_authors: view.own,
        own: view.own,
        notice: page.notice,
        manage_after_consultation: (may_manage && page.recorded)
            .then(|| format!("/renseignement/elements/{}", item.id)),
        manage,
    }
}

/// After a refused copy or permission: the item again (a consultation journaled with the motif
/// the form carried), the form with what was typed and each error at its field (422). Without a
/// usable motif, the motif form.
async fn item_page_with_errors(
    state: &AppState,
    session: &PageSession,
    ctx: &vigie_engine::RequestContext,
    id: ItemId,
    motif: &str,
    page: ItemPageState<'_>,
) -> PageResult {
    let motif_again = || {
        let page = motif_page(session, id, "", Some(CONSULT_MOTIF_REQUIRED.to_owned()));
        Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
    };
    if !motif_is_long_enough(motif) {
        return motif_again();
    }
    match state
        .engine
        .consult_intel(&session.actor, id, motif, ctx)
        .await
    {
        // Another unit's item: the engine would have said it is not found (its decisions are
        // its owner's alone).
        Ok(view) if !view.own => Err(session.fail(ErrorKind::NotFound)),
        Ok(view) => {
            let page = item_page(state, session, &view, page).await;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(EngineError::MotifRequired | EngineError::Invalid(_)) => motif_again(),
        Err(error) => Err(session.fail(error)),
    }
}

/// `POST /renseignement/elements/{id}/copie-epuree`: derives a sanitised copy of one of the unit's
/// items (journaled with the write) and leads to it (303 to its motif form). On errors, the item
/// again with the form and its errors (422). Another unit's item is the 404 of a missing one.
pub async fn sanitise(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::ManageIntel)?;
    let id = parse_item_id(&session, &raw)?;
    let optional = |name: &str| {
        let value = posted.get(name).trim();
        (!value.is_empty()).then(|| value.to_owned())
    };
    let draft = SanitisedDraft {
        text: posted.get("texte_epure").to_owned(),
        place: optional("lieu_epure"),
        handling: posted
            .all("traitement_epure")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        restrictions: optional("restrictions_epure"),
    };
    match state
        .engine
        .sanitise_intel(&session.actor, id, draft, &ctx)
        .await
    {
        Ok(copy) => Ok(see_other(&format!(
            "/renseignement/elements/{}?avis=copie-epuree",
            copy.item.id
        ))),
        Err(EngineError::Invalid(errors)) => {
            let motif = posted.get("motif");
            let page = ItemPageState {
                copy: Some((&posted, errors)),
                ..ItemPageState::consulted(motif)
            };
            item_page_with_errors(&state, &session, &ctx, id, motif, page).await
        }
        Err(error) => Err(session.fail(error)),
    }
}

/// `POST /renseignement/elements/{id}/autorisations`: records the owning unit's permission to use
/// an item beyond H1 or H2 (journaled with the write) and shows the item with it. On errors, the
/// item again with the form and its errors (422).
pub async fn permit(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::ManageIntel)?;
    let id = parse_item_id(&session, &raw)?;
    let motif = posted.get("motif");
    let mut errors = Vec::new();
    let kind = match posted.get("nature").trim() {
        JUDICIAL_USE => Some(PermissionKind::JudicialUse),
        ONWARD_SHARING => Some(PermissionKind::OnwardSharing),
        _ => {
            errors.push(field_error("kind", "Choisissez l'usage à autoriser"));
            None
        }
    };
    let to_unit = match posted.get("service").trim() {
        "" => None,
        value => match Uuid::parse_str(value) {
            Ok(unit) => Some(UnitId(unit)),
            Err(_) => {
                errors.push(field_error("to_unit", "Service inconnu"));
                None
            }
        },
    };
    let outcome = match kind {
        Some(kind) if errors.is_empty() => {
            state
                .engine
                .permit_intel(
                    &session.actor,
                    id,
                    kind,
                    to_unit,
                    posted.get("raison"),
                    &ctx,
                )
                .await
        }
        _ => Err(EngineError::Invalid(errors)),
    };
    match outcome {
        Ok(view) => {
            let page = ItemPageState {
                notice: Some(
                    "Autorisation enregistrée. Elle est inscrite au journal et s'applique dès maintenant."
                        .to_owned(),
                ),
                ..ItemPageState::consulted(motif)
            };
            let page = item_page(&state, &session, &view, page).await;
            Ok(render(StatusCode::OK, &page))
        }
        Err(EngineError::Invalid(errors)) => {
            let page = ItemPageState {
                permission: Some((&posted, errors)),
                ..ItemPageState::consulted(motif)
            };
            item_page_with_errors(&state, &session, &ctx, id, motif, page).await
        }
        Err(error) => Err(session.fail(error)),
    }
}

// ---------------------------------------------------------------------------------------------
// Recording an item.

/// The handling codes, with what each adds.
const HANDLING_CODES: [(&str, &str); 4] = [
    (
        "H0",
        "S'applique toujours : à n'utiliser que pour prévenir et combattre la criminalité",
    ),
    (
        "H1",
        "Ne pas verser en procédure judiciaire sans l'accord du service",
    ),
    ("H2", "Ne pas diffuser sans l'accord du service"),
    ("H3", "Autres restrictions : précisez-les ci-dessous"),
];

fn intel_form(
    session: &PageSession,
    posted: Option<&Posted>,
    errors: &[FieldError],
) -> IntelItemForm {
    let typed = |name: &str| posted.map(|p| p.get(name).to_owned()).unwrap_or_default();
    let regime = match posted {
        Some(posted) => posted.get("regime").to_owned(),
        None if session.actor.unit.kind == UnitKind::Customs => {
            LegalRegime::Customs.as_str().to_owned()
        }
        None => LegalRegime::Judicial.as_str().to_owned(),
    };
    let handling: Vec<String> = match posted {
        Some(posted) => posted
            .all("traitement")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        None => vec!["H0".to_owned()],
    };
    let date = |id, name, label, hint| {
        let mut field = Field::text(id, name, label).hint(hint).value(typed(name));
        field.input_type = "date";
        field
    };
    let mut sources = vec![(String::new(), "Choisissez le type de source".to_owned())];
    sources.extend(
        SourceKind::CHOICES
            .iter()
            .map(|(value, label)| ((*value).to_owned(), (*label).to_owned())),
    );
    let mut form = IntelItemForm {
        text: TextArea {
            id: "texte",
            name: "texte",
            label: "Ce qui a été appris",
            hint: "Les faits, tels que la source les rapporte ; une source humaine n'est jamais nommée.",
            value: typed("texte"),
            error: None,
            rows: 6,
            required: true,
        },
        observed_on: {
            let mut field = date(
                "observe-le",
                "observe_le",
                "Observé le",
                "Le jour de l'observation, ou le premier jour d'une période",
            );
            field.required = true;
            field
        },
        observed_until: date(
            "observe-jusqu-au",
            "observe_jusqu_au",
            "Jusqu'au",
            "Dernier jour, pour une période ; sinon laissez vide",
        ),
        place: Field::text("lieu", "lieu", "Lieu")
            .hint("En clair, par exemple « hall du bâtiment C »")
            .value(typed("lieu")),
        commune: Field::text("commune", "commune", "Code INSEE de la commune")
            .hint("5 caractères, par exemple 13214 (Marseille 14e) ; il place l'élément dans son département")
            .value(typed("commune")),
        entities: Field::text("entites", "entites", "Entités concernées")
            .hint("Identifiants des fiches, séparés par des espaces ou des virgules ; facultatif")
            .value(typed("entites")),
        source: SelectField::new(
            "source",
            "source",
            "Type de source",
            sources,
            &typed("source"),
        ),
        source_code: Field::text("code-source", "code_source", "Code de la source")
            .hint("Pour une source humaine seulement : son code au registre des sources (par exemple SH-13-0042), jamais son nom")
            .value(typed("code_source")),
        grade_scheme: {
            let mut field = SelectField::new(
                "bareme",
                "bareme",
                "Barème de cotation",
                Scheme::ALL
                    .iter()
                    .filter(|scheme| scheme.open_to_new_items())
                    .map(|scheme| (scheme.as_str().to_owned(), scheme.label_fr().to_owned()))
                    .collect(),
                &posted.map_or_else(
                    || Scheme::Europol4x4.as_str().to_owned(),
                    |p| p.get("bareme").to_owned(),
                ),
            );
            field.hint = "Europol 4x4 : fiabilité de la source et exactitude de l'information ; 3x5x2 : source, renseignement et code de traitement";
            field
        },
        grade: Field::text("cotation", "cotation", "Cotation")
            .hint("Europol 4x4 : une lettre A, B, C ou X puis un chiffre de 1 à 4 (« B2 ») ; 3x5x2 : un chiffre de 1 à 3, une lettre de A à E puis P ou C (« 1BP »)")
            .value(typed("cotation"))
            .required(),
        handling: CheckboxGroup {
            id: "traitement",
            name: "traitement",
            legend: "Codes de traitement",
            hint: "Codes Europol : cochez les restrictions qui s'appliquent en plus de H0.",
            options: HANDLING_CODES
                .iter()
                .map(|(value, hint)| CheckboxOption {
                    id: format!("traitement-{}", value.to_lowercase()),
                    value,
                    label: value,
                    hint: (*hint).to_owned(),
                    checked: handling.iter().any(|code| code == value),
                })
                .collect(),
            error: None,
        },
        restrictions: TextArea {
            id: "restrictions",
            name: "restrictions",
            label: "Restrictions (H3)",
            hint: "Les instructions de traitement, en clair ; seulement avec H3",
            value: typed("restrictions"),
            error: None,
            rows: 2,
            required: false,
        },
        regime: SelectField::new(
            "regime",
            "regime",
            "Régime juridique",
            regime_options(None),
            &regime,
        ),
        has_errors: !errors.is_empty(),
        other_errors: Vec::new(),
    };
    for error in errors {
        let slot = match error.field.as_str() {
            "text" => &mut form.text.error,
            "observed_on" => &mut form.observed_on.error,
            "observed_until" => &mut form.observed_until.error,
            "place" => &mut form.place.error,
            "commune" => &mut form.commune.error,
            "entities" => &mut form.entities.error,
            "source" => &mut form.source.error,
            "source_code" => &mut form.source_code.error,
            "grade_scheme" => &mut form.grade_scheme.error,
            "grade" => &mut form.grade.error,
            "handling" => &mut form.handling.error,
            "restrictions" => &mut form.restrictions.error,
            "regime" => &mut form.regime.error,
            _ => {
                form.other_errors.push(error.message.clone());
                continue;
            }
        };
        if slot.is_none() {
            *slot = Some(error.message.clone());
        }
    }
    form
}

/// `GET /renseignement/nouveau`: the empty recording form.
pub async fn new_form(session: PageSession) -> PageResult {
    session.require(Action::RecordIntel)?;
    let page = IntelFormPage {
        layout: session.layout("Enregistrer un élément", "/renseignement"),
        csrf: session.csrf.clone(),
        form: intel_form(&session, None, &[]),
    };
    Ok(render(StatusCode::OK, &page))
}

/// The entity ids typed, separated by spaces or commas; an unreadable one is an error of the field.
fn entity_ids(typed: &str) -> Result<Vec<EntityId>, FieldError> {
    typed
        .split([' ', ',', ';', '\n', '\r', '\t'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            EntityId::parse(part).ok_or_else(|| {
                field_error(
                    "entities",
                    format!("Identifiant d'entité « {part} » invalide"),
                )
            })
        })
        .collect()
}

/// `POST /renseignement/nouveau`: records the item (journaled with the write) and shows it as its
/// author sees it, without a consultation: the engine hands back what was just recorded. On
/// errors, the form again with what was typed and each error by its field.
pub async fn record(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::RecordIntel)?;
    let invalid = |errors: Vec<FieldError>| {
        let page = IntelFormPage {
            layout: session.layout("Enregistrer un élément", "/renseignement"),
            csrf: session.csrf.clone(),
            form: intel_form(&session, Some(&posted), &errors),
        };
        Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
    };
    let entities = match entity_ids(posted.get("entites")) {
        Ok(entities) => entities,
        Err(error) => return invalid(vec![error]),
    };
    let optional = |name: &str| {
        let value = posted.get(name).trim();
        (!value.is_empty()).then(|| value.to_owned())
    };
    let draft = IntelItemDraft {
        text: posted.get("texte").to_owned(),
        observed_on: posted.get("observe_le").to_owned(),
        observed_until: optional("observe_jusqu_au"),
        place: optional("lieu"),
        commune: optional("commune"),
        entities,
        source: posted.get("source").to_owned(),
        source_code: optional("code_source"),
        grade_scheme: posted.get("bareme").to_owned(),
        grade: posted.get("cotation").to_owned(),
        handling: posted
            .all("traitement")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        restrictions: optional("restrictions"),
        regime: posted.get("regime").to_owned(),
    };
    match state.engine.record_intel(&session.actor, draft, &ctx).await {
        Ok(view) => {
            let page = item_page(&state, &session, &view, ItemPageState::recorded()).await;
            Ok(render(StatusCode::CREATED, &page))
        }
        Err(EngineError::Invalid(errors)) => invalid(errors),
        Err(error) => Err(session.fail(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pieces of `text` with the byte ranges `(start, end)` highlighted.
    fn pieces(text: &str, ranges: &[(usize, usize)]) -> Vec<(String, bool)> {
        excerpt_pieces(&Excerpt {
            text: text.to_owned(),
            highlighted: ranges.iter().map(|&(start, end)| start..end).collect(),
        })
        .into_iter()
        .map(|piece| (piece.text, piece.marked))
        .collect()
    }

    #[test]
    fn excerpts_are_split_on_their_matched_ranges() {
        let text = "Livraison à Félix <b>";
        let start = text.find("Félix").unwrap_or_default();
        assert_eq!(
            pieces(text, &[(start, start + "Félix".len())]),
            vec![
                ("Livraison à ".to_owned(), false),
                ("Félix".to_owned(), true),
                (" <b>".to_owned(), false),
            ]
        );
        // Out of order, overlapping, off a character boundary or out of bounds: ignored.
        assert_eq!(
            pieces("écoute écoute", &[(8, 15), (0, 7), (2, 5), (40, 50)]),
            vec![
                ("écoute".to_owned(), true),
                (" ".to_owned(), false),
                ("écoute".to_owned(), true),
            ]
        );
        assert_eq!(
            pieces("écoute", &[(1, 3)]),
            vec![("écoute".to_owned(), false)]
        );
        assert_eq!(pieces("", &[]), Vec::<(String, bool)>::new());
    }

    #[test]
    fn a_cut_excerpt_says_so() {
        let text = "Début du texte. Livraison au parking. Fin du texte.";
        let excerpt = |shown: &str| Excerpt {
            text: shown.to_owned(),
            highlighted: Vec::new(),
        };
        let joined = |shown: &str| -> String {
            excerpt_of(text, &excerpt(shown))
                .into_iter()
                .map(|piece| piece.text)
                .collect()
        };
        assert_eq!(joined("Livraison au parking."), "…Livraison au parking.…");
        assert_eq!(joined("Début du texte."), "Début du texte.…");
        assert_eq!(joined("Fin du texte."), "…Fin du texte.");
        assert_eq!(joined(text), text);
    }

    #[test]
    fn counts_read_in_french() {
        assert_eq!(count_label(0, "élément", "éléments"), "Aucun élément");
        assert_eq!(count_label(1, "élément", "éléments"), "1 élément");
        assert_eq!(
            count_label(2431, "élément", "éléments"),
            "2\u{202f}431 éléments"
        );
    }

    /// A watched search's fields, posted back to the search form (or to `/veilles`), give the same
    /// search: the words, and the first value of each filter.
    #[test]
    fn a_watched_search_round_trips_through_the_form_fields() {
        let request = SearchRequest {
            query: "\"cité des Lauriers\" -guetteur".to_owned(),
            filters: Filters {
                departements: vec!["13".to_owned(), "83".to_owned()],
                sources: vec!["technical".to_owned()],
                grades: vec!["europol_4x4:B2".to_owned()],
                units: vec![UnitId(Uuid::from_u128(7))],
                regimes: vec![LegalRegime::Administrative],
                observed_from: Some(time::macros::date!(2026 - 01 - 01)),
                observed_to: Some(time::macros::date!(2026 - 06 - 30)),
                about: None,
                recorded_after: None,
            },
            ..SearchRequest::default()
        };
        let fields = search_fields(&request);
        assert!(fields
            .iter()
            .all(|(name, _)| !matches!(*name, "motif" | "tri" | "page")));
        let posted: Posted = serde_json::from_value(serde_json::json!(fields
            .iter()
            .map(|(k, v)| [k.to_string(), v.clone()])
            .collect::<Vec<_>>()))
        .unwrap();
        let back = watched_search(&posted).unwrap();
        assert_eq!(back.query, request.query);
        assert_eq!(
            back.filters,
            Filters {
                departements: vec!["13".to_owned()],
                ..request.filters.clone()
            }
        );
        // The results' follow form carries the same fields as the search that was run.
        let mut with_motif = fields.clone();
        with_motif.push(("motif", "analyse".to_owned()));
        with_motif.push(("tri", "recent".to_owned()));
        let posted: Posted = serde_json::from_value(serde_json::json!(with_motif
            .iter()
            .map(|(k, v)| [k.to_string(), v.clone()])
            .collect::<Vec<_>>()))
        .unwrap();
        assert_eq!(SearchState::from_posted(&posted).watched(), fields);
        assert_eq!(follow_label("  guetteurs   cité "), "guetteurs cité");
        assert_eq!(follow_label(""), "Éléments selon les filtres");
    }

    #[test]
    fn facets_add_filters_and_removals_clear_them() {
        let posted = |pairs: &[(&str, &str)]| -> Posted {
            serde_json::from_value(serde_json::json!(pairs
                .iter()
                .map(|(k, v)| [k.to_string(), v.to_string()])
                .collect::<Vec<_>>()))
            .unwrap_or_default()
        };
        let state = SearchState::from_posted(&posted(&[
            ("motif", "analyse"),
            ("page", "3"),
            ("facette", "year=2025"),
        ]));
        assert_eq!(
            (state.from.as_str(), state.to.as_str()),
            ("2025-01-01", "2025-12-31")
        );
        assert_eq!(state.page, 1);
        let state = SearchState::from_posted(&posted(&[
            ("cotation", "europol_4x4:B2"),
            ("retrait", "cotation"),
            ("page", "0"),
        ]));
        assert!(state.grade.is_empty());
        assert_eq!(state.page, 1);
        let request = SearchState::from_posted(&posted(&[
            ("motif", "analyse"),
            ("mots", "« cité des Lauriers »"),
            ("page", "2"),
        ]))
        .request()
        .unwrap_or_default();
        assert_eq!(request.query, "\" cité des Lauriers \"");
        assert_eq!(request.offset, PAGE_SIZE);
    }
}
