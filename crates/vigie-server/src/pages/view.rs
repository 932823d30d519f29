//! View models of the pages: one askama template struct per page, and the small pieces they share
//! (layout, form fields, tables, notices of the target file). They hold only display-ready strings:
//! handlers translate engine types into French labels before rendering, so templates contain no
//! logic beyond loops and tests.
//! Askama escapes every value (HTML templates), so nothing here needs to be pre-escaped.

use askama::Template;

/// What every page shares: title, the signed-in account (if any) and the navigation.
pub struct Layout {
    /// The page title (the site name is appended by the base template).
    pub title: String,
    pub user: Option<UserBar>,
    pub nav: Vec<NavLink>,
}

impl Layout {
    /// A page seen without a session (login, errors before authentication).
    pub fn anonymous(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            user: None,
            nav: Vec::new(),
        }
    }
}

/// The header block of a signed-in account, with the anti-forgery token of its logout form.
pub struct UserBar {
    pub display_name: String,
    /// The unit's code (its full name is in `unit_name`).
    pub unit: String,
    pub unit_name: String,
    pub role: String,
    pub csrf: String,
}

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// A text input with its label, hint and error (DSFR `fr-input-group`).
pub struct Field {
    pub id: &'static str,
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub error: Option<String>,
    /// `text`, `password`...
    pub input_type: &'static str,
    pub autocomplete: &'static str,
    pub required: bool,
}

impl Field {
    pub fn text(id: &'static str, name: &'static str, label: &'static str) -> Self {
        Self {
            id,
            name,
            label,
            hint: "",
            value: String::new(),
            error: None,
            input_type: "text",
            autocomplete: "off",
            required: false,
        }
    }

    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = hint;
        self
    }

    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = value.into();
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn password(mut self, autocomplete: &'static str) -> Self {
        self.input_type = "password";
        self.autocomplete = autocomplete;
        self
    }

    pub fn autocomplete(mut self, autocomplete: &'static str) -> Self {
        self.autocomplete = autocomplete;
        self
    }
}

/// A select with its options (DSFR `fr-select-group`).
pub struct SelectField {
    pub id: &'static str,
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub options: Vec<SelectOption>,
    pub error: Option<String>,
}

pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl SelectField {
    /// `options` are (value, label); the one equal to `selected` is preselected.
    pub fn new(
        id: &'static str,
        name: &'static str,
        label: &'static str,
        options: Vec<(String, String)>,
        selected: &str,
    ) -> Self {
        let options = options
            .into_iter()
            .map(|(value, label)| SelectOption {
                selected: value == selected,
                value,
                label,
            })
            .collect();
        Self {
            id,
            name,
            label,
            hint: "",
            options,
            error: None,
        }
    }
}

/// Status codes and texts of error pages.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub heading: String,
    pub message: String,
    /// Shown small under the message, e.g. "Erreur 404".
    pub code_label: String,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub layout: Layout,
    pub username: Field,
    pub password: Field,
    /// Demo mode: (username, password) of the synthetic accounts.
    pub demo_accounts: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub layout: Layout,
    pub display_name: String,
    pub role: String,
    pub unit: String,
    pub can_search: bool,
    /// The unit investigates: it keeps targets in the national file.
    pub can_use_targets: bool,
    /// The role reads the intelligence repository.
    pub can_use_intel: bool,
    pub can_read_journal: bool,
    pub can_administer: bool,
    pub is_partner: bool,
    /// The account triages reports (a CROSS, OFAST).
    pub can_triage_reports: bool,
    /// The account reads dealing points (services of the territory, CROSS, OFAST).
    pub can_read_points: bool,
    pub search: SearchForm,
    pub csrf: String,
    /// The account's watches and what is new in them; `None` without any (or when they could not
    /// be read).
    pub watches: Option<HomeWatches>,
    /// For a CROSS or OFAST analyst: reports waiting and suspected resurgences; `None` for the
    /// other roles (or when they could not be read).
    pub triage: Option<HomeTriage>,
}

/// The home page's card of a triaging analyst.
pub struct HomeTriage {
    /// « 3 nouveaux signalements », « Aucun nouveau signalement ».
    pub new_reports: String,
    pub has_new_reports: bool,
    /// Dismantled points of the territory that seem to be coming back (at most ten shown).
    pub resurgences: Vec<HomeResurgence>,
    /// « et 4 autres » when more than ten.
    pub more_resurgences: Option<String>,
}

/// One suspected resurgence on the home page.
pub struct HomeResurgence {
    pub href: String,
    pub label: String,
    /// « Marseille 3e Arrondissement (13), démantelé le 24/10/2026 ».
    pub detail: String,
}

/// The home page's card of the account's watches.
pub struct HomeWatches {
    /// « 2 veilles ».
    pub watches: String,
    /// « 3 nouveautés », « 1 nouveauté », « Rien de nouveau ».
    pub news: String,
    pub has_news: bool,
}

/// The search form (home page and search page).
pub struct SearchForm {
    pub text: Field,
    pub schema: SelectField,
    pub motif: Field,
    pub has_errors: bool,
}

pub struct ResultRow {
    pub href: String,
    pub schema: String,
    pub caption: String,
    pub departement: String,
    pub regime: String,
}

pub struct SearchOutcome {
    pub rows: Vec<ResultRow>,
    pub journal_seq: u64,
    /// The search hit the result limit: there may be more.
    pub truncated: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub layout: Layout,
    pub search: SearchForm,
    pub csrf: String,
    pub outcome: Option<SearchOutcome>,
}

/// `/entites/import`: the file, its format and the options that hold for every record.
#[derive(Template)]
#[template(path = "entites_import.html")]
pub struct ImportPage {
    pub layout: Layout,
    pub csrf: String,
    pub format: SelectField,
    pub schema: SelectField,
    pub mapping: Field,
    pub regime: SelectField,
    pub departement: Field,
    pub source: Field,
    pub file_error: Option<String>,
    pub has_errors: bool,
    /// The file's faulty lines, in French, each starting with its line number (the first ones).
    pub faults: Vec<String>,
    pub fault_count: usize,
    pub result: Option<ImportResult>,
}

/// What an import recorded.
pub struct ImportResult {
    pub file_name: String,
    pub entities: usize,
    pub links: usize,
    /// Properties of the file Vigie does not model: "Schema.property (count)".
    pub ignored: Vec<String>,
}

/// The form that asks for a motif before an entity is shown. Identical for every id.
#[derive(Template)]
#[template(path = "entity_motif.html")]
pub struct EntityMotifPage {
    pub layout: Layout,
    pub action: String,
    pub motif: Field,
    pub csrf: String,
}

/// One property of an entity and every value known of it, each with where it comes from.
pub struct PropertyRow {
    pub label: String,
    /// Whether its values contradict each other (two birth dates).
    pub divergent: bool,
    pub values: Vec<ValueCell>,
}

pub struct ValueCell {
    pub value: String,
    /// Where it comes from, in French: « Fiche · PV 2026/881 », « Élément de renseignement »...
    pub origin: String,
    /// The item or the merged record it comes from, when there is a page for it.
    pub origin_href: Option<String>,
    /// Who added it and when, or observed when (empty for the record's own values).
    pub detail: String,
    /// « Europol 4x4 B2 », or « Non cotée » for a record's own values.
    pub grade: String,
    /// What each part of the grade means.
    pub grade_title: String,
}

/// The « Ajouter une information » form.
pub struct FactForm {
    pub property: SelectField,
    pub value: Field,
    /// `element` or `piece`.
    pub basis_kind: String,
    /// The items about the entity the reader may read; empty if none.
    pub item: SelectField,
    pub reference: Field,
    pub grade_scheme: SelectField,
    pub grade: Field,
    pub observed_on: Field,
    /// Shown again with errors: the form is open and its summary lists them.
    pub has_errors: bool,
}

/// The record this one is merged into.
pub struct MergedInto {
    pub href: String,
    pub caption: String,
}

/// A record merged (or once merged) into the consulted one.
pub struct MergedRow {
    pub id: String,
    pub href: String,
    pub caption: String,
    pub active: bool,
    /// One sentence per decision: « Fusionnée le … par … : motif ».
    pub history: Vec<String>,
}

/// A possible duplicate, for an analyst who may merge.
pub struct SuggestionRow {
    pub id: String,
    pub href: String,
    pub caption: String,
    pub departement: String,
    pub reasons: Vec<String>,
    pub strong: bool,
}

/// Merges on an entity's page: what is merged, and for an analyst, possible duplicates.
pub struct MergeSection {
    pub merged: Vec<MergedRow>,
    /// `None` for a role that may not merge.
    pub suggestions: Option<Vec<SuggestionRow>>,
    pub suggestions_journal_seq: Option<u64>,
    pub suggestions_error: Option<String>,
    pub may_merge: bool,
    pub error: Option<String>,
}

pub struct LinkRow {
    pub kind: String,
    /// "sortant" or "entrant".
    pub direction: String,
    pub href: String,
    pub caption: String,
    pub schema: String,
    pub departement: String,
    pub period: String,
    /// The link's provenance: its source note (or a dash) and the unit that recorded it.
    pub source: String,
    pub recorded_unit: String,
    /// The grades of the link's bases (« Europol 4x4 B2 »), or a dash.
    pub grade: String,
    /// The caption of the merged record holding the link, when not the consulted one.
    pub via: Option<String>,
}

/// A value and its French label (a checkbox, a legend entry).
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

/// One dated fact of the entity's chronology.
pub struct TimelineEntry {
    /// ISO date for `<time datetime>`: "2023-04-01".
    pub datetime: String,
    /// The date (and time, for a recording) in French: "01/04/2023".
    pub date: String,
    /// What happened: "Fiche enregistrée", "Début", "Fin", "Renseignement".
    pub badge: &'static str,
    /// DSFR badge modifier: "info", "success", "warning", "new".
    pub badge_kind: &'static str,
    /// "Famille avec Jean DUPONT".
    pub text: String,
    /// Where the other record of the fact is (a linked entity, an item), if anywhere.
    pub href: Option<String>,
    /// Provenance or details: "SD-13 · PV 2024/123", a grade.
    pub detail: String,
}

/// One intelligence item about the entity.
pub struct EntityIntelRow {
    pub href: String,
    pub observed: String,
    pub grade: String,
    pub source: String,
    pub owner: String,
    pub summary: String,
}

/// The intelligence items about the entity, for a role that may consult intelligence.
pub struct EntityIntel {
    pub rows: Vec<EntityIntelRow>,
    /// How many items the reader may see, as a sentence; `rows` holds the most recent ones.
    pub total: String,
    pub more: bool,
    /// The journal entry of the search, or the French reason it could not be made.
    pub journal_seq: Option<u64>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "entity.html")]
pub struct EntityPage {
    pub layout: Layout,
    /// The entity's id (for the link chart's script).
    pub id: String,
    /// The motif of this consultation, reused by the chart's and items' requests.
    pub motif: String,
    pub caption: String,
    pub schema: String,
    pub properties: Vec<PropertyRow>,
    /// The labels of the properties whose values contradict each other.
    pub divergences: Vec<String>,
    /// `None` for a role that may not add facts.
    pub fact_form: Option<FactForm>,
    pub merged_into: Option<MergedInto>,
    pub merges: MergeSection,
    /// What the last action did (« Information ajoutée »).
    pub notice: Option<String>,
    pub departement: String,
    pub regime: String,
    pub recorded_unit: String,
    pub recorded_at: String,
    pub source: String,
    pub links: Vec<LinkRow>,
    pub journal_seq: u64,
    /// The link kinds, for the chart's filter.
    pub link_kinds: Vec<Choice>,
    /// The schemas, for the chart's legend (`value` names the CSS class of the swatch).
    pub schemas: Vec<Choice>,
    pub cytoscape_version: &'static str,
    /// Newest first.
    pub timeline: Vec<TimelineEntry>,
    /// `None` for a role that may not consult intelligence.
    pub intel: Option<EntityIntel>,
    /// The anti-forgery token of the « Suivre cette entité » form.
    pub csrf: String,
    /// The new watch's name, prefilled with the caption.
    pub follow_label: Field,
}

pub struct JournalRow {
    pub seq: u64,
    pub at: String,
    pub actor: String,
    pub unit: String,
    pub action: String,
    pub object: String,
    /// The other objects the entry showed.
    pub shown: Vec<String>,
    pub motif: String,
    pub outcome: String,
    pub denied: bool,
}

#[derive(Template)]
#[template(path = "journal.html")]
pub struct JournalPageView {
    pub layout: Layout,
    pub rows: Vec<JournalRow>,
    pub action: SelectField,
    /// The sequence number of this reading of the journal.
    pub journal_seq: u64,
    pub newer_href: Option<String>,
    pub older_href: Option<String>,
}

pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub territory: String,
}

pub struct AccountRow {
    pub action: String,
    /// Where the "change unit" form posts.
    pub move_action: String,
    /// The account's unit, preselected in the "change unit" list.
    pub unit_id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit: String,
    pub disabled: bool,
    pub is_self: bool,
}

pub struct AccountForm {
    pub username: Field,
    pub display_name: Field,
    pub role: SelectField,
    pub unit: SelectField,
    pub password: Field,
    pub has_errors: bool,
}

pub struct UnitForm {
    pub code: Field,
    pub name: Field,
    pub kind: SelectField,
    pub departements: Field,
    pub has_errors: bool,
}

#[derive(Template)]
#[template(path = "admin.html")]
pub struct AdminPage {
    /// Every unit, for the "change unit" lists: (id, "CODE — name").
    pub unit_choices: Vec<(String, String)>,
    pub layout: Layout,
    pub csrf: String,
    pub notice: Option<String>,
    pub units: Vec<UnitRow>,
    pub accounts: Vec<AccountRow>,
    pub account_form: AccountForm,
    pub unit_form: UnitForm,
}

#[derive(Template)]
#[template(path = "carte.html")]
pub struct MapPage {
    pub layout: Layout,
    /// Versions shown in the attribution line.
    pub leaflet_version: &'static str,
    pub organisation_version: String,
    pub attribution: String,
    /// External base layer URL template, or empty (none).
    pub tiles_url: String,
    pub tiles_attribution: String,
}

/// A live target of the unit, as its list shows it.
pub struct TargetRow {
    pub href: String,
    pub caption: String,
    pub procedure: String,
    pub regime: String,
    pub registered: String,
    pub expires: String,
    /// How many other units' targets it meets.
    pub conflicts: usize,
}

#[derive(Template)]
#[template(path = "objectifs.html")]
pub struct TargetsPage {
    pub layout: Layout,
    /// A success message after an action (e.g. a procedure ended).
    pub notice: Option<String>,
    pub rows: Vec<TargetRow>,
    /// How many notices the unit's inbox holds.
    pub notice_count: usize,
    pub can_register: bool,
    pub can_check: bool,
}

/// What a unit is told about another unit's target: who to call, never what the other file holds.
pub struct NoticeRow {
    /// The unit's own target (empty for a standalone check).
    pub own_caption: String,
    pub own_href: Option<String>,
    pub other_unit: String,
    pub contact_name: String,
    /// The contact's number as French users read it.
    pub contact_phone: String,
    /// `tel:` link target (E.164).
    pub contact_tel: String,
    pub magistrate: String,
    pub since: String,
    /// The match kinds, in French.
    pub matches: String,
    /// Whether the other unit registered first.
    pub other_first: bool,
}

/// One row of identifier inputs (kind and value) in a form, numbered from 1.
pub struct IdentifierRow {
    /// Prefix of the inputs' ids and names (`identifiant`, `ajout`...).
    pub prefix: &'static str,
    pub number: usize,
    pub kinds: Vec<SelectOption>,
    pub value: String,
    pub error: Option<String>,
}

/// The person and identifiers part of a form (registration and check).
pub struct IdentifiersBlock {
    /// Prefix of the ids of the block and of its rows' inputs.
    pub prefix: &'static str,
    pub rows: Vec<IdentifierRow>,
    /// An error about the identifiers as a whole ("a person or at least one identifier").
    pub error: Option<String>,
}

/// The registration form.
pub struct TargetForm {
    pub procedure: Field,
    pub regime: SelectField,
    pub magistrate_unit: SelectField,
    pub magistrate: Field,
    pub contact_name: Field,
    pub contact_phone: Field,
    pub surname: Field,
    pub given_names: Field,
    pub aliases: Field,
    pub birth_date: Field,
    pub birth_place: Field,
    pub identifiers: IdentifiersBlock,
    pub has_errors: bool,
    /// Errors that belong to no field of the form.
    pub other_errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "objectif_nouveau.html")]
pub struct TargetFormPage {
    pub layout: Layout,
    pub csrf: String,
    pub form: TargetForm,
}

pub struct TargetIdentifierRow {
    pub kind: String,
    pub value: String,
    pub added: String,
}

pub struct RenewalRow {
    pub at: String,
    pub motivation: String,
}

/// The person of a target, ready to show.
pub struct PersonRows {
    pub surname: String,
    pub given_names: String,
    pub aliases: String,
    pub birth_date: String,
    pub birth_place: String,
}

#[derive(Template)]
#[template(path = "objectif.html")]
pub struct TargetPage {
    pub layout: Layout,
    pub csrf: String,
    /// The page's own address (`/objectifs/{id}`), the base of its forms.
    pub href: String,
    pub caption: String,
    pub procedure: String,
    pub regime: String,
    pub magistrate: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub registered: String,
    pub expires: String,
    pub person: Option<PersonRows>,
    pub identifiers: Vec<TargetIdentifierRow>,
    pub renewals: Vec<RenewalRow>,
    pub notices: Vec<NoticeRow>,
    /// A success message after an action on the target.
    pub success: Option<String>,
    /// Just registered (or extended) and other units work on it: say so first.
    pub warn_conflicts: bool,
    pub can_register: bool,
    pub add: IdentifiersBlock,
    pub renew_motivation: Field,
    pub end_motivation: Field,
    /// Refer a conflict to the arbiter: one option per other unit's target met.
    pub can_refer: bool,
    pub refer_other: SelectField,
    pub refer_reason: Field,
    /// The target's entry on the priority list, if it was ever nominated.
    pub priority: Option<PriorityBlock>,
    pub can_nominate: bool,
    pub nominate_reasons: Field,
    pub can_add_outcome: bool,
    pub outcome_kind: SelectField,
    pub outcome_date: Field,
    pub outcome_description: Field,
    pub has_errors: bool,
}

/// A priority-list entry as the target page shows it.
pub struct PriorityBlock {
    pub status: String,
    /// A DSFR badge class for the status.
    pub status_class: &'static str,
    pub review_due: String,
    pub history: Vec<PriorityHistoryRow>,
    pub outcomes: Vec<PriorityOutcomeRow>,
}

pub struct PriorityHistoryRow {
    pub at: String,
    pub status: String,
    pub criterion: String,
    pub reasons: String,
}

pub struct PriorityOutcomeRow {
    pub date: String,
    pub kind: String,
    pub description: String,
}

#[derive(Template)]
#[template(path = "objectifs_conflits.html")]
pub struct InboxPage {
    pub layout: Layout,
    pub notices: Vec<NoticeRow>,
}

/// The check form.
pub struct CheckForm {
    pub surname: Field,
    pub given_names: Field,
    pub birth_date: Field,
    pub identifiers: IdentifiersBlock,
    pub has_errors: bool,
    pub other_errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "objectifs_verification.html")]
pub struct CheckPage {
    pub layout: Layout,
    pub csrf: String,
    pub form: CheckForm,
    /// The journal number of the check just made, if one was.
    pub checked: Option<u64>,
    /// What the check found.
    pub notices: Vec<NoticeRow>,
}

pub struct AlertRow {
    pub account: String,
    pub unit: String,
    pub hour: String,
    pub checks: usize,
}

#[derive(Template)]
#[template(path = "journal_alertes.html")]
pub struct AlertsPage {
    pub layout: Layout,
    pub rows: Vec<AlertRow>,
    /// The checks allowed per account and hour before an alert.
    pub limit: usize,
}

// ---------------------------------------------------------------------------------------------
// The intelligence repository (`/renseignement`).

/// A multi-line text input (DSFR `fr-input-group` with a `textarea`).
pub struct TextArea {
    pub id: &'static str,
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub error: Option<String>,
    pub rows: u8,
    pub required: bool,
}

/// One checkbox of a group.
pub struct CheckboxOption {
    pub id: String,
    pub value: &'static str,
    pub label: &'static str,
    pub hint: String,
    pub checked: bool,
}

/// A group of checkboxes under one name (DSFR `fr-fieldset` of `fr-checkbox-group`).
pub struct CheckboxGroup {
    pub id: &'static str,
    pub name: &'static str,
    pub legend: &'static str,
    pub hint: &'static str,
    pub options: Vec<CheckboxOption>,
    pub error: Option<String>,
}

/// The search form of `/renseignement`, with the filters added from facets (kept hidden).
pub struct IntelSearchForm {
    pub motif: Field,
    pub words: Field,
    pub departement: SelectField,
    pub source: SelectField,
    pub regime: SelectField,
    pub from: Field,
    pub to: Field,
    pub sort: SelectField,
    /// Filters that have no input of their own (grade, unit), as hidden (name, value) pairs.
    pub hidden: Vec<(&'static str, String)>,
    pub has_errors: bool,
    /// Errors that belong to no field (paging too deep...).
    pub other_errors: Vec<String>,
}

/// A piece of an excerpt: text, and whether it matched the words.
pub struct ExcerptPiece {
    pub text: String,
    pub marked: bool,
}

/// One hit of an intelligence search.
pub struct IntelHitRow {
    pub href: String,
    pub observed: String,
    pub owner: String,
    pub place: String,
    pub grade: String,
    pub handling: Vec<&'static str>,
    pub regime: String,
    pub source: String,
    pub sanitised: bool,
    pub excerpt: Vec<ExcerptPiece>,
}

/// One value of a facet: the button that adds it as a filter.
pub struct FacetButton {
    /// `facette` value: "departement=13".
    pub value: String,
    pub label: String,
    /// "1 204".
    pub count: String,
    /// Already one of the filters.
    pub active: bool,
}

pub struct FacetBlock {
    pub id: &'static str,
    pub title: &'static str,
    pub values: Vec<FacetButton>,
}

/// A filter in force, with the button that removes it.
pub struct ActiveFilter {
    /// `retrait` value: the filter's name.
    pub name: &'static str,
    pub label: String,
}

pub struct IntelOutcome {
    /// « 1 élément », « 2 431 éléments ».
    pub total_label: String,
    pub total: usize,
    pub hits: Vec<IntelHitRow>,
    pub facets: Vec<FacetBlock>,
    pub active: Vec<ActiveFilter>,
    /// The current search as hidden (name, value) pairs, for the facet, filter and paging buttons.
    pub state: Vec<(&'static str, String)>,
    pub page: usize,
    pub pages: usize,
    pub previous: Option<usize>,
    pub next: Option<usize>,
    pub journal_seq: u64,
    /// The words and filters of the search as hidden fields of the « Suivre cette recherche » form.
    pub follow: Vec<(&'static str, String)>,
    /// The new watch's name, prefilled with the words.
    pub follow_label: Field,
    /// The « Exporter en CSV » form (the search goes with it, as `state`).
    pub export: IntelExportForm,
}

/// The export of a search's items as CSV: what for, to whom, which columns.
pub struct IntelExportForm {
    pub purpose: SelectField,
    pub to_unit: SelectField,
    pub mapping: TextArea,
    pub has_errors: bool,
    pub other_errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "renseignement.html")]
pub struct IntelSearchPage {
    pub layout: Layout,
    pub csrf: String,
    pub form: IntelSearchForm,
    pub outcome: Option<IntelOutcome>,
    pub can_record: bool,
}

/// The form that asks for a motif before an item is shown. Identical for every id.
#[derive(Template)]
#[template(path = "renseignement_motif.html")]
pub struct IntelMotifPage {
    pub layout: Layout,
    pub action: String,
    pub motif: Field,
    pub csrf: String,
    /// What the previous action did (« Copie épurée enregistrée »), said the same for every id.
    pub notice: Option<String>,
}

/// A (label, value) line of a description list.
pub struct InfoRow {
    pub label: &'static str,
    pub value: String,
}

/// A code with its meaning: a grade part or a handling code.
pub struct Meaning {
    pub code: String,
    pub meaning: String,
}

pub struct Hyperlink {
    pub href: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "renseignement_element.html")]
pub struct IntelItemPage {
    pub layout: Layout,
    /// Just recorded by the reader: say so.
    pub recorded: bool,
    /// "Élément observé le 18/11/2026".
    pub heading: String,
    pub text: String,
    pub facts: Vec<InfoRow>,
    pub grade: String,
    pub grade_meanings: Vec<Meaning>,
    pub handling: Vec<Meaning>,
    pub handling_codes: Vec<&'static str>,
    /// Why it may not go into a judicial file now (`None`: it may).
    pub judicial_refusal: Option<String>,
    /// A sanitised copy.
    pub sanitised: bool,
    /// Its original, when the reader may see it.
    pub original: Option<Hyperlink>,
    pub copies: Vec<Hyperlink>,
    pub entities: Vec<Hyperlink>,
    pub permissions: Vec<PermissionRow>,
    /// The permissions say who recorded them (to the owning unit only).
    pub permission_authors: bool,
    pub own: bool,
    /// What the previous action did (« Autorisation enregistrée »).
    pub notice: Option<String>,
    /// The owner's forms (sanitised copy, permission), for a reader whose unit owns the item and
    /// whose role may manage items.
    pub manage: Option<IntelManageForms>,
    /// Just recorded: the owner's forms come with a consultation (a motif); say where.
    pub manage_after_consultation: Option<String>,
}

/// A permission of the owning unit, as the item page lists it.
pub struct PermissionRow {
    /// « Usage judiciaire (lève H1) », « Diffusion (lève H2) ».
    pub kind: String,
    /// « Tout service », a unit's name, or a dash for a judicial use.
    pub to_unit: String,
    pub reason: String,
    pub by: String,
    /// « 23/11/2026 à 10:00 », Paris time.
    pub at: String,
}

/// The owner's forms on an item's page. Both carry the consultation's motif (hidden), so that the
/// page can be shown again, with the errors, after a consultation journaled with it.
pub struct IntelManageForms {
    pub csrf: String,
    pub motif: String,
    /// `None` for a sanitised copy (a copy is made from the original).
    pub copy: Option<SanitiseForm>,
    /// `None` when the item carries neither H1 nor H2 (nothing to permit).
    pub permission: Option<PermissionForm>,
}

/// « Produire une copie épurée ».
pub struct SanitiseForm {
    pub action: String,
    pub text: TextArea,
    pub place: Field,
    pub handling: CheckboxGroup,
    pub restrictions: TextArea,
    pub has_errors: bool,
    pub other_errors: Vec<String>,
    /// The form was posted with errors: open it.
    pub open: bool,
}

/// « Autoriser un usage ».
pub struct PermissionForm {
    pub action: String,
    pub kind: SelectField,
    /// `None` when the item is not under H2 (a judicial use names no unit).
    pub to_unit: Option<SelectField>,
    pub reason: TextArea,
    pub has_errors: bool,
    pub other_errors: Vec<String>,
    pub open: bool,
}

/// The recording form.
pub struct IntelItemForm {
    pub text: TextArea,
    pub observed_on: Field,
    pub observed_until: Field,
    pub place: Field,
    pub commune: Field,
    pub entities: Field,
    pub source: SelectField,
    pub source_code: Field,
    pub grade_scheme: SelectField,
    pub grade: Field,
    pub handling: CheckboxGroup,
    pub restrictions: TextArea,
    pub regime: SelectField,
    pub has_errors: bool,
    pub other_errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "renseignement_nouveau.html")]
pub struct IntelFormPage {
    pub layout: Layout,
    pub csrf: String,
    pub form: IntelItemForm,
}

/// One standing watch of the account, as `/veilles` lists it.
pub struct WatchRow {
    pub id: String,
    pub label: String,
    /// « Recherche : "guetteurs" », or « Entité : » (followed by `entity`).
    pub subject: String,
    /// The watched entity's page and its label, for an entity watch.
    pub entity: Option<Hyperlink>,
    /// The search's filters in French (« Département : Bouches-du-Rhône (13) »).
    pub filters: Vec<String>,
    /// A filter holds several values, and only the first is taken again by « Voir les résultats ».
    pub first_values_only: bool,
    /// « 23/11/2026 à 09:00 ».
    pub created: String,
    pub seen: String,
    /// DSFR badges of what is new (« 1 nouvel élément », « 2 nouveaux liens »); empty: nothing.
    pub news: Vec<String>,
    pub unavailable: bool,
    /// For a search watch the reader may run again: the search form's fields (motif aside).
    pub search_fields: Option<Vec<(&'static str, String)>>,
    pub seen_action: String,
    pub delete_action: String,
}

/// A watch that could not be created, shown again with its errors.
pub struct WatchForm {
    /// What it would watch, in French.
    pub subject: String,
    pub label: Field,
    /// The posted search fields or `entite`, kept for the next attempt.
    pub hidden: Vec<(&'static str, String)>,
    pub other_errors: Vec<String>,
    /// The form can be posted again with another name (its hidden fields were readable).
    pub retry: bool,
}

#[derive(Template)]
#[template(path = "veilles.html")]
pub struct WatchesPage {
    pub layout: Layout,
    pub csrf: String,
    /// What the previous action did.
    pub notice: Option<String>,
    /// Newest first.
    pub rows: Vec<WatchRow>,
    /// The account may search intelligence (and so create and run search watches).
    pub can_search: bool,
    pub pending: Option<WatchForm>,
}
