//! `/objectifs`: the unit's part of the national target file (FNOS) and blind deconfliction. The
//! unit's live targets, the registration form, one target with its notices and the forms that add
//! identifiers, renew it or end the procedure, the conflict inbox, and the standalone check; plus
//! `/journal/alertes`, the probing alerts for auditors and inspection.
//!
//! Every handler is one engine call, as in the API: the engine applies the policy (investigating
//! units only), journals, and never hands out another unit's file. A notice names the other unit,
//! whom to call, the magistrate, since when and how the targets met. Identifiers travel in POST
//! bodies only. A target of another unit and a missing one give the same 404 page. Successful
//! changes answer 303 to a page that says what happened (`?avis=...`), so that reloading it does not
//! register twice.

use super::format::{self, NONE};
use super::session::{PageForm, PageSession, SameOrigin};
use super::view::{
    AlertRow, AlertsPage, CheckForm, CheckPage, Field, IdentifierRow, IdentifiersBlock, InboxPage,
    NoticeRow, PersonRows, RenewalRow, SelectField, SelectOption, TargetForm, TargetFormPage,
    TargetIdentifierRow, TargetPage, TargetRow, TargetsPage,
};
use super::{render, see_other, ErrorKind, PageError, PageResult};
use crate::extract::Ctx;
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use std::collections::HashMap;
use vigie_core::entity::{FieldError, LegalRegime};
use vigie_core::journal::JournalAction;
use vigie_core::org::UnitKind;
use vigie_core::policy::Action;
use vigie_engine::{EngineError, JournalQuery, Notice, TargetView, PROBE_LIMIT_PER_HOUR};
use vigie_targets::workflow::{PriorityEntry, PriorityStatus};
use vigie_targets::{IdentifierDraft, IdentifierKind, PersonDraft, TargetDraft, TargetId};

/// Identifier rows of the registration and check forms.
const FORM_ROWS: usize = 6;
/// Identifier rows of the form that adds identifiers to a target.
const ADD_ROWS: usize = 3;
/// Input prefix of the registration and check forms' identifier rows.
const FORM_PREFIX: &str = "identifiant";
/// Input prefix of the add-identifiers form's rows.
const ADD_PREFIX: &str = "ajout";
/// The regimes a target may fall under, in the form's order.
const REGIMES: [LegalRegime; 3] = [
    LegalRegime::Judicial,
    LegalRegime::Administrative,
    LegalRegime::Customs,
];
const END_MOTIVATION_REQUIRED: &str =
    "Motif de la fin de procédure : indiquez-le (au moins 3 caractères)";
const NOTHING_TO_ADD: &str = "Saisissez au moins un identifiant à ajouter";

/// A posted form as (name, value) pairs: the identifier rows have numbered names.
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct Posted(Vec<(String, String)>);

impl Posted {
    /// The first value posted under `name`, or "".
    pub(super) fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    }

    /// Every value posted under `name` (checkboxes), in order.
    pub(super) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }
}

/// `?avis=...`: what the previous action did, to say so on the page it lands on.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AvisParams {
    pub avis: String,
}

fn avis_of(params: Result<Query<AvisParams>, QueryRejection>) -> String {
    params.map(|Query(p)| p.avis).unwrap_or_default()
}

/// "même téléphone" → "Même téléphone".
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn or_none(value: &str) -> String {
    if value.trim().is_empty() {
        NONE.to_owned()
    } else {
        value.to_owned()
    }
}

fn notice_row(notice: &Notice) -> NoticeRow {
    NoticeRow {
        own_caption: capitalized(&notice.own_caption),
        own_href: notice.own_target.map(|id| format!("/objectifs/{id}")),
        other_unit: notice.other_unit_name.clone(),
        contact_name: notice.contact_name.clone(),
        contact_phone: format::phone(&notice.contact_phone),
        contact_tel: notice.contact_phone.clone(),
        magistrate: or_none(notice.magistrate.as_deref().unwrap_or_default()),
        since: format::paris_minutes(notice.since_micros),
        matches: capitalized(&notice.matches_fr()),
        other_first: notice.other_is_earlier,
    }
}

// ---------------------------------------------------------------------------------------------
// Identifier rows and field errors, shared by the registration, add and check forms.

/// What the user typed in the identifier rows: (kind, value) per row, and the drafts of the
/// non-empty rows with the row each came from (errors name the draft's index).
pub(super) struct TypedRows {
    typed: Vec<(String, String)>,
    drafts: Vec<IdentifierDraft>,
    row_of_draft: Vec<usize>,
}

fn typed_rows(posted: &Posted, prefix: &str, count: usize) -> TypedRows {
    let mut rows = TypedRows {
        typed: Vec::with_capacity(count),
        drafts: Vec::new(),
        row_of_draft: Vec::new(),
    };
    for row in 0..count {
        let number = row + 1;
        let kind = posted.get(&format!("{prefix}-{number}-type")).trim();
        let value = posted.get(&format!("{prefix}-{number}-valeur"));
        if !value.trim().is_empty() {
            rows.drafts.push(IdentifierDraft {
                kind: kind.to_owned(),
                value: value.trim().to_owned(),
            });
            rows.row_of_draft.push(row);
        }
        rows.typed.push((kind.to_owned(), value.to_owned()));
    }
    rows
}

fn identifiers_block(
    prefix: &'static str,
    count: usize,
    typed: &[(String, String)],
) -> IdentifiersBlock {
    let rows = (0..count)
        .map(|row| {
            let (kind, value) = typed
                .get(row)
                .map(|(kind, value)| (kind.as_str(), value.as_str()))
                .unwrap_or((IdentifierKind::Phone.as_str(), ""));
            IdentifierRow {
                prefix,
                number: row + 1,
                kinds: IdentifierKind::ALL
                    .iter()
                    .map(|option| SelectOption {
                        value: option.as_str().to_owned(),
                        label: capitalized(option.label_fr()),
                        selected: option.as_str() == kind,
                    })
                    .collect(),
                value: value.to_owned(),
                error: None,
            }
        })
        .collect();
    IdentifiersBlock {
        prefix,
        rows,
        error: None,
    }
}

fn set_once(slot: &mut Option<String>, message: &str) {
    if slot.is_none() {
        *slot = Some(message.to_owned());
    }
}

/// Puts an `identifiers...` error under its row (`identifiers[2].value` → the row the third
/// non-empty draft came from) or on the block. False if the field is not about identifiers.
fn identifier_error(
    block: &mut IdentifiersBlock,
    row_of_draft: &[usize],
    error: &FieldError,
) -> bool {
    let Some(rest) = error.field.strip_prefix("identifiers") else {
        return false;
    };
    let row = rest
        .strip_prefix('[')
        .and_then(|rest| rest.split(']').next())
        .and_then(|index| index.parse::<usize>().ok())
        .and_then(|index| row_of_draft.get(index).copied())
        .and_then(|row| block.rows.get_mut(row));
    match row {
        Some(row) => set_once(&mut row.error, &error.message),
        None => set_once(&mut block.error, &error.message),
    }
    true
}

/// A person as typed: `None` when every field is empty. A person with something typed but no name
/// is refused by the shared validation (`vigie_targets::model::validate_subject`).
fn person_draft(
    surname: &str,
    given_names: &str,
    aliases: &str,
    birth_date: &str,
    birth_place: &str,
) -> Option<PersonDraft> {
    let filled = |value: &str| !value.trim().is_empty();
    if ![surname, given_names, aliases, birth_date, birth_place]
        .iter()
        .any(|value| filled(value))
    {
        return None;
    }
    let optional = |value: &str| filled(value).then(|| value.trim().to_owned());
    Some(PersonDraft {
        surname: surname.trim().to_owned(),
        given_names: given_names.trim().to_owned(),
        aliases: aliases
            .split(',')
            .map(str::trim)
            .filter(|alias| !alias.is_empty())
            .map(str::to_owned)
            .collect(),
        birth_date: optional(birth_date),
        birth_place: optional(birth_place),
    })
}

// ---------------------------------------------------------------------------------------------
// GET /objectifs

/// `GET /objectifs`: the unit's live targets, newest first, with their number of conflicts.
pub async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    params: Result<Query<AvisParams>, QueryRejection>,
) -> PageResult {
    session.require(Action::ReadTargets)?;
    let notice = match avis_of(params).as_str() {
        "fin" => Some(
            "Procédure close : l'objectif a été effacé du fichier. Seule sa référence reste au journal."
                .to_owned(),
        ),
        _ => None,
    };
    let mut targets = state
        .engine
        .unit_targets(&session.actor, &ctx)
        .await
        .map_err(|error| session.fail(error))?;
    targets.sort_by_key(|target| std::cmp::Reverse(target.registered_at_micros));
    // One notice per pair (own target, other target): the inbox holds as many as the conflicts.
    let notice_count = targets.iter().map(|target| target.conflicts).sum();
    let rows = targets
        .iter()
        .map(|target| TargetRow {
            href: format!("/objectifs/{}", target.id),
            caption: capitalized(&target.file.caption()),
            procedure: target.file.procedure.clone(),
            regime: target.file.regime.label_fr().to_owned(),
            registered: format::paris_day(target.registered_at_micros),
            expires: format::paris_day(target.expires_at_micros),
            conflicts: target.conflicts,
        })
        .collect();
    let page = TargetsPage {
        layout: session.layout("Objectifs de mon unité", "/objectifs"),
        notice,
        rows,
        notice_count,
        can_register: session.may(Action::RegisterTarget),
        can_check: session.may(Action::CheckDeconfliction),
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------------------------
// /objectifs/nouveau

/// The registration form, filled with what was typed (or the defaults) and the errors.
/// The parquets and JIRS in Vigie, as (id, name) options of the form, "none" first.
async fn courts(
    state: &AppState,
    session: &PageSession,
) -> Result<Vec<(String, String)>, PageError> {
    let units = state
        .engine
        .units()
        .await
        .map_err(|error| session.fail(error))?;
    let mut courts = vec![(
        String::new(),
        "Aucune ou hors Vigie (l'arbitrage se fera hors Vigie)".to_owned(),
    )];
    courts.extend(
        units
            .into_iter()
            .filter(|unit| matches!(unit.kind, UnitKind::Parquet | UnitKind::Jirs))
            .map(|unit| (unit.id.to_string(), unit.name)),
    );
    Ok(courts)
}

fn target_form(
    session: &PageSession,
    courts: Vec<(String, String)>,
    posted: Option<&Posted>,
    rows: Option<&TypedRows>,
    errors: &[FieldError],
) -> TargetForm {
    let typed = |name: &str| posted.map(|p| p.get(name).to_owned()).unwrap_or_default();
    let default_regime = if session.actor.unit.kind == UnitKind::Customs {
        LegalRegime::Customs
    } else {
        LegalRegime::Judicial
    };
    let regime = match posted {
        Some(posted) => posted.get("regime").to_owned(),
        None => default_regime.as_str().to_owned(),
    };
    let contact_name = match posted {
        Some(posted) => posted.get("enqueteur").to_owned(),
        None => session.actor.account.display_name.clone(),
    };
    let mut birth_date = Field::text("date-naissance", "date_naissance", "Date de naissance")
        .hint("Au format JJ/MM/AAAA")
        .value(typed("date_naissance"));
    birth_date.input_type = "date";
    let mut contact_phone = Field::text(
        "telephone-enqueteur",
        "telephone",
        "Téléphone de l'enquêteur",
    )
    .hint("Le numéro que les autres services appelleront, par exemple 04 91 00 00 00")
    .value(typed("telephone"))
    .autocomplete("tel")
    .required();
    contact_phone.input_type = "tel";
    let empty: Vec<(String, String)> = Vec::new();
    let mut form = TargetForm {
        procedure: Field::text("procedure", "procedure", "Numéro de procédure")
            .value(typed("procedure"))
            .required(),
        regime: SelectField::new(
            "regime",
            "regime",
            "Cadre",
            REGIMES
                .iter()
                .map(|regime| (regime.as_str().to_owned(), regime.label_fr().to_owned()))
                .collect(),
            &regime,
        ),
        magistrate_unit: {
            let mut field = SelectField::new(
                "juridiction",
                "juridiction",
                "Juridiction en charge",
                courts,
                &typed("juridiction"),
            );
            field.hint = "Le parquet ou la JIRS, s'il est dans Vigie : c'est lui qui arbitrera un conflit avec un autre service";
            field
        },
        magistrate: Field::text("magistrat", "magistrat", "Magistrat en charge")
            .hint("Obligatoire pour une procédure judiciaire : parquet, JIRS ou juge d'instruction, par exemple « Mme Leroy, JIRS de Marseille »")
            .value(typed("magistrat")),
        contact_name: Field::text("enqueteur", "enqueteur", "Enquêteur à contacter")
            .value(contact_name)
            .required(),
        contact_phone,
        surname: Field::text("nom", "nom", "Nom").value(typed("nom")),
        given_names: Field::text("prenoms", "prenoms", "Prénoms").value(typed("prenoms")),
        aliases: Field::text("surnoms", "surnoms", "Surnoms")
            .hint("Séparés par des virgules ; affichés, jamais comparés")
            .value(typed("surnoms")),
        birth_date,
        birth_place: Field::text("lieu-naissance", "lieu_naissance", "Lieu de naissance")
            .value(typed("lieu_naissance")),
        identifiers: identifiers_block(
            FORM_PREFIX,
            FORM_ROWS,
            rows.map_or(&empty, |rows| &rows.typed),
        ),
        has_errors: !errors.is_empty(),
        other_errors: Vec::new(),
    };
    let row_of_draft = rows.map_or(&[][..], |rows| &rows.row_of_draft[..]);
    for error in errors {
        if identifier_error(&mut form.identifiers, row_of_draft, error) {
            continue;
        }
        let slot = match error.field.as_str() {
            "procedure" => &mut form.procedure.error,
            "regime" => &mut form.regime.error,
            "magistrate_name" => &mut form.magistrate.error,
            "magistrate_unit" => &mut form.magistrate_unit.error,
            "contact_name" => &mut form.contact_name.error,
            "contact_phone" => &mut form.contact_phone.error,
            "person.surname" => &mut form.surname.error,
            "person.given_names" => &mut form.given_names.error,
            "person.birth_date" => &mut form.birth_date.error,
            "person.birth_place" => &mut form.birth_place.error,
            field if field.starts_with("person.aliases") => &mut form.aliases.error,
            _ => {
                form.other_errors.push(error.message.clone());
                continue;
            }
        };
        set_once(slot, &error.message);
    }
    form
}

/// `GET /objectifs/nouveau`: the empty registration form.
pub async fn new_form(State(state): State<AppState>, session: PageSession) -> PageResult {
    session.require(Action::RegisterTarget)?;
    let courts = courts(&state, &session).await?;
    let page = TargetFormPage {
        layout: session.layout("Enregistrer un objectif", "/objectifs"),
        csrf: session.csrf.clone(),
        form: target_form(&session, courts, None, None, &[]),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /objectifs/nouveau`: registers the target (deconflicted and journaled by the engine) and
/// goes to its page; on errors, the form again with what was typed and each error by its field.
pub async fn register(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::RegisterTarget)?;
    let rows = typed_rows(&posted, FORM_PREFIX, FORM_ROWS);
    let person = person_draft(
        posted.get("nom"),
        posted.get("prenoms"),
        posted.get("surnoms"),
        posted.get("date_naissance"),
        posted.get("lieu_naissance"),
    );
    let magistrate = posted.get("magistrat").trim();
    let draft = TargetDraft {
        procedure: posted.get("procedure").to_owned(),
        regime: posted.get("regime").to_owned(),
        magistrate_unit: vigie_core::org::UnitId::parse(posted.get("juridiction").trim()),
        magistrate_name: (!magistrate.is_empty()).then(|| magistrate.to_owned()),
        contact_name: posted.get("enqueteur").to_owned(),
        contact_phone: posted.get("telephone").to_owned(),
        person,
        identifiers: rows.drafts.clone(),
    };
    let courts = courts(&state, &session).await?;
    let invalid = |errors: Vec<FieldError>| {
        let page = TargetFormPage {
            layout: session.layout("Enregistrer un objectif", "/objectifs"),
            csrf: session.csrf.clone(),
            form: target_form(&session, courts, Some(&posted), Some(&rows), &errors),
        };
        Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
    };
    match state
        .engine
        .register_target(&session.actor, draft, &ctx)
        .await
    {
        Ok(registration) => Ok(see_other(&format!(
            "/objectifs/{}?avis=enregistre",
            registration.target.id
        ))),
        Err(EngineError::Invalid(errors)) => invalid(errors),
        Err(error) => Err(session.fail(error)),
    }
}

// ---------------------------------------------------------------------------------------------
// /objectifs/{id}

fn parse_target_id(session: &PageSession, raw: &str) -> Result<TargetId, PageError> {
    TargetId::parse(raw).ok_or_else(|| session.fail(ErrorKind::NotFound))
}

/// A form of the target page that came back with errors.
pub(super) enum Pending {
    None,
    Add(TypedRows, Vec<FieldError>),
    Renew(String, String),
    End(String, String),
    /// The other target chosen, the reason typed, the error.
    Refer(String, String, String),
    /// The reasons typed, the error.
    Nominate(String, String),
    /// Kind, date and description typed, and the errors.
    Outcome(String, String, String, Vec<FieldError>),
}

/// What the target page says on top.
struct Banner {
    success: Option<String>,
    warn_conflicts: bool,
}

fn banner(avis: &str, view: &TargetView, notices: &[Notice]) -> Banner {
    let expires = format::paris_day(view.expires_at_micros);
    let (success, warn) = match avis {
        "enregistre" => (
            Some(format!(
                "Objectif enregistré. Il sera conservé jusqu'au {expires}, sauf renouvellement."
            )),
            true,
        ),
        "identifiants" => (
            Some(
                "Identifiants ajoutés : ils ont été comparés aux objectifs des autres services."
                    .to_owned(),
            ),
            true,
        ),
        "renouvele" => (
            Some(format!(
                "Objectif renouvelé : il sera conservé jusqu'au {expires}."
            )),
            false,
        ),
        "propose" => (
            Some("Objectif proposé au comité des objectifs prioritaires de l'OFAST.".to_owned()),
            false,
        ),
        "resultat" => (Some("Résultat rattaché à l'objectif.".to_owned()), false),
        _ => (None, false),
    };
    Banner {
        success,
        warn_conflicts: warn && !notices.is_empty(),
    }
}

fn target_page(
    session: &PageSession,
    view: &TargetView,
    notices: &[Notice],
    priority: Option<&PriorityEntry>,
    banner: Banner,
    pending: Pending,
) -> TargetPage {
    let file = &view.file;
    let caption = capitalized(&file.caption());
    let mut add = identifiers_block(ADD_PREFIX, ADD_ROWS, &[]);
    let mut renew_motivation = Field::text(
        "motif-renouvellement",
        "motivation",
        "Motif du renouvellement",
    )
    .hint("Au moins 10 caractères : pourquoi l'objectif reste d'actualité")
    .required();
    let mut end_motivation = Field::text("motif-fin", "motivation", "Motif de la fin de procédure")
        .hint("Par exemple : classement, jugement, dessaisissement")
        .required();
    let mut refer_choice = String::new();
    let mut refer_reason = Field::text("motif-arbitrage", "motif", "Motif de la saisine")
        .hint("Au moins 10 caractères : sur quoi porte le désaccord")
        .required();
    let mut refer_error = None;
    let mut nominate_reasons = Field::text(
        "motifs-priorite",
        "motifs",
        "Pourquoi cet objectif doit être prioritaire",
    )
    .hint("Au moins 10 caractères : place dans le réseau, territoires, volumes")
    .required();
    let mut outcome_typed = (String::new(), String::new(), String::new());
    let mut outcome_errors = Vec::new();
    let mut has_errors = true;
    match pending {
        Pending::None => has_errors = false,
        Pending::Refer(choice, reason, error) => {
            refer_choice = choice;
            refer_reason = refer_reason.value(reason);
            refer_error = Some(error);
        }
        Pending::Nominate(reasons, error) => {
            nominate_reasons = nominate_reasons.value(reasons);
            nominate_reasons.error = Some(error);
        }
        Pending::Outcome(kind, date, description, errors) => {
            outcome_typed = (kind, date, description);
            outcome_errors = errors;
        }
        Pending::Add(rows, errors) => {
            add = identifiers_block(ADD_PREFIX, ADD_ROWS, &rows.typed);
            for error in &errors {
                if !identifier_error(&mut add, &rows.row_of_draft, error) {
                    set_once(&mut add.error, &error.message);
                }
            }
        }
        Pending::Renew(value, error) => {
            renew_motivation = renew_motivation.value(value);
            renew_motivation.error = Some(error);
        }
        Pending::End(value, error) => {
            end_motivation = end_motivation.value(value);
            end_motivation.error = Some(error);
        }
    }
    TargetPage {
        layout: session.layout(caption.clone(), "/objectifs"),
        csrf: session.csrf.clone(),
        href: format!("/objectifs/{}", view.id),
        caption,
        procedure: file.procedure.clone(),
        regime: file.regime.label_fr().to_owned(),
        magistrate: or_none(file.magistrate.as_ref().map_or("", |m| m.name.as_str())),
        contact_name: file.contact_name.clone(),
        contact_phone: format::phone(&file.contact_phone),
        registered: format::paris_minutes(view.registered_at_micros),
        expires: format::paris_day(view.expires_at_micros),
        person: file.person.as_ref().map(|person| PersonRows {
            surname: person.surname.to_uppercase(),
            given_names: person.given_names.clone(),
            aliases: or_none(&person.aliases.join(", ")),
            birth_date: person
                .birth_date
                .as_deref()
                .map_or_else(|| NONE.to_owned(), format::partial_date),
            birth_place: or_none(person.birth_place.as_deref().unwrap_or_default()),
        }),
        identifiers: file
            .identifiers
            .iter()
            .map(|identifier| TargetIdentifierRow {
                kind: capitalized(identifier.kind.label_fr()),
                value: identifier.value.clone(),
                added: format::paris_minutes(identifier.added_at_micros),
            })
            .collect(),
        renewals: file
            .renewals
            .iter()
            .map(|renewal| RenewalRow {
                at: format::paris_minutes(renewal.at_micros),
                motivation: renewal.motivation.clone(),
            })
            .collect(),
        notices: notices.iter().map(notice_row).collect(),
        success: banner.success,
        warn_conflicts: banner.warn_conflicts,
        can_register: session.may(Action::RegisterTarget),
        add,
        renew_motivation,
        end_motivation,
        can_refer: session.may(Action::ReferArbitration) && !notices.is_empty(),
        refer_other: {
            let mut seen = std::collections::HashSet::new();
            let options = notices
                .iter()
                .filter(|notice| seen.insert(notice.other_target))
                .map(|notice| {
                    (
                        notice.other_target.to_string(),
                        format!(
                            "{} ({}, depuis le {})",
                            notice.other_unit_name,
                            notice.contact_name,
                            format::paris_day(notice.other_registered_at_micros)
                        ),
                    )
                })
                .collect();
            let mut field = SelectField::new(
                "autre",
                "autre",
                "Service en désaccord",
                options,
                &refer_choice,
            );
            field.error = refer_error;
            field
        },
        refer_reason,
        can_nominate: session.may(Action::NominatePriority)
            && priority.is_none_or(|entry| {
                matches!(
                    entry.status,
                    PriorityStatus::Refused | PriorityStatus::Delisted
                )
            }),
        priority: priority.map(super::workflows::priority_block),
        nominate_reasons,
        can_add_outcome: session.may(Action::NominatePriority)
            && priority.is_some_and(|entry| {
                matches!(
                    entry.status,
                    PriorityStatus::Listed | PriorityStatus::Delisted
                )
            }),
        outcome_kind: {
            let mut field = SelectField::new(
                "type-resultat",
                "type",
                "Résultat",
                super::workflows::outcome_options(),
                &outcome_typed.0,
            );
            field.error = outcome_errors
                .iter()
                .find(|error| error.field == "kind")
                .map(|error| error.message.clone());
            field
        },
        outcome_date: {
            let mut field = Field::text("date-resultat", "date", "Date")
                .value(outcome_typed.1.clone())
                .required();
            field.input_type = "date";
            field.error = outcome_errors
                .iter()
                .find(|error| error.field == "date")
                .map(|error| error.message.clone());
            field
        },
        outcome_description: {
            let mut field = Field::text("description-resultat", "description", "Description")
                .hint("Par exemple : 40 kg de résine saisis au domicile")
                .value(outcome_typed.2.clone())
                .required();
            field.error = outcome_errors
                .iter()
                .find(|error| error.field != "kind" && error.field != "date")
                .map(|error| error.message.clone());
            field
        },
        has_errors,
    }
}

/// Reads the target (journaled) and shows it, with a form's errors when there are some (422).
async fn show_target(
    state: &AppState,
    ctx: &vigie_engine::RequestContext,
    session: &PageSession,
    id: TargetId,
    avis: &str,
    pending: Pending,
) -> PageResult {
    let (view, notices) = state
        .engine
        .unit_target(&session.actor, id, ctx)
        .await
        .map_err(|error| session.fail(error))?;
    let status = if matches!(pending, Pending::None) {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let priority = state
        .engine
        .target_priority(&session.actor, id, ctx)
        .await
        .map_err(|error| session.fail(error))?;
    let banner = banner(avis, &view, &notices);
    Ok(render(
        status,
        &target_page(session, &view, &notices, priority.as_ref(), banner, pending),
    ))
}

/// The target page with one of its forms' errors (422).
pub(super) async fn show_with_error(
    state: &AppState,
    ctx: &vigie_engine::RequestContext,
    session: &PageSession,
    id: TargetId,
    pending: Pending,
) -> PageResult {
    show_target(state, ctx, session, id, "", pending).await
}

/// What every form of the target page checks first: the anti-forgery token, the action, the id.
pub(super) fn form_target(
    session: &PageSession,
    posted: &Posted,
    action: Action,
    raw: &str,
) -> Result<TargetId, PageError> {
    session.check_csrf(posted.get("csrf"))?;
    session.require(action)?;
    parse_target_id(session, raw)
}

/// Where a form of the target page lands: the page with `avis` (and an anchor) once done, or the
/// page again with the form's errors (422).
async fn after_form<T>(
    state: &AppState,
    ctx: &vigie_engine::RequestContext,
    session: &PageSession,
    id: TargetId,
    result: Result<T, EngineError>,
    avis: &str,
    pending: impl FnOnce(Vec<FieldError>) -> Pending,
) -> PageResult {
    match result {
        Ok(_) => Ok(see_other(&format!("/objectifs/{id}?avis={avis}"))),
        Err(EngineError::Invalid(errors)) => {
            show_target(state, ctx, session, id, "", pending(errors)).await
        }
        Err(error) => Err(session.fail(error)),
    }
}

fn first_message(errors: &[FieldError]) -> String {
    errors
        .first()
        .map(|error| error.message.clone())
        .unwrap_or_default()
}

/// `POST /objectifs/{id}/priorite`: nominates the target for the priority list.
pub async fn nominate(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    let id = form_target(&session, &posted, Action::NominatePriority, &raw)?;
    let reasons = posted.get("motifs");
    let result = state
        .engine
        .nominate_priority(&session.actor, id, reasons, &ctx)
        .await;
    after_form(
        &state,
        &ctx,
        &session,
        id,
        result,
        "propose#priorite",
        |errors| Pending::Nominate(reasons.to_owned(), first_message(&errors)),
    )
    .await
}

/// `POST /objectifs/{id}/resultats`: the unit links an outcome to its listed target.
pub async fn add_outcome(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    let id = form_target(&session, &posted, Action::NominatePriority, &raw)?;
    let (kind, date, description) = (
        posted.get("type"),
        posted.get("date"),
        posted.get("description"),
    );
    let result = state
        .engine
        .add_priority_outcome(&session.actor, id, kind, date, description, &ctx)
        .await;
    after_form(
        &state,
        &ctx,
        &session,
        id,
        result,
        "resultat#priorite",
        |errors| {
            Pending::Outcome(
                kind.to_owned(),
                date.to_owned(),
                description.to_owned(),
                errors,
            )
        },
    )
    .await
}

/// `GET /objectifs/{id}`: one of the unit's targets with its notices.
pub async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    params: Result<Query<AvisParams>, QueryRejection>,
) -> PageResult {
    session.require(Action::ReadTargets)?;
    let id = parse_target_id(&session, &raw)?;
    show_target(&state, &ctx, &session, id, &avis_of(params), Pending::None).await
}

/// `POST /objectifs/{id}/identifiants`: adds identifiers, deconflicted at once.
pub async fn add_identifiers(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    let id = form_target(&session, &posted, Action::RegisterTarget, &raw)?;
    let rows = typed_rows(&posted, ADD_PREFIX, ADD_ROWS);
    if rows.drafts.is_empty() {
        let error = FieldError {
            field: "identifiers".to_owned(),
            message: NOTHING_TO_ADD.to_owned(),
        };
        let pending = Pending::Add(rows, vec![error]);
        return show_target(&state, &ctx, &session, id, "", pending).await;
    }
    let result = state
        .engine
        .add_target_identifiers(&session.actor, id, rows.drafts.clone(), &ctx)
        .await;
    after_form(
        &state,
        &ctx,
        &session,
        id,
        result,
        "identifiants",
        |errors| Pending::Add(rows, errors),
    )
    .await
}

/// `POST /objectifs/{id}/renouvellement`: two more years from now, with a motivation.
pub async fn renew(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    let id = form_target(&session, &posted, Action::RegisterTarget, &raw)?;
    let motivation = posted.get("motivation");
    let result = state
        .engine
        .renew_target(&session.actor, id, motivation, &ctx)
        .await;
    after_form(&state, &ctx, &session, id, result, "renouvele", |errors| {
        Pending::Renew(motivation.to_owned(), first_message(&errors))
    })
    .await
}

/// `POST /objectifs/{id}/fin`: the procedure is over; the target is erased at once.
pub async fn end(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    let id = form_target(&session, &posted, Action::RegisterTarget, &raw)?;
    let motivation = posted.get("motivation");
    if motivation.trim().chars().count() < 3 {
        let pending = Pending::End(motivation.to_owned(), END_MOTIVATION_REQUIRED.to_owned());
        return show_target(&state, &ctx, &session, id, "", pending).await;
    }
    state
        .engine
        .end_target(&session.actor, id, motivation, &ctx)
        .await
        .map_err(|error| session.fail(error))?;
    Ok(see_other("/objectifs?avis=fin"))
}

// ---------------------------------------------------------------------------------------------
// /objectifs/conflits and /objectifs/verification

/// `GET /objectifs/conflits`: every notice of the unit, newest first.
pub async fn inbox(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
) -> PageResult {
    session.require(Action::ReadTargets)?;
    let notices = state
        .engine
        .deconfliction_notices(&session.actor, &ctx)
        .await
        .map_err(|error| session.fail(error))?;
    let page = InboxPage {
        layout: session.layout("Conflits signalés à mon unité", "/objectifs"),
        notices: notices.iter().map(notice_row).collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

fn check_form(
    posted: Option<&Posted>,
    rows: Option<&TypedRows>,
    errors: &[FieldError],
) -> CheckForm {
    let typed = |name: &str| posted.map(|p| p.get(name).to_owned()).unwrap_or_default();
    let mut birth_date = Field::text("date-naissance", "date_naissance", "Date de naissance")
        .hint("Au format JJ/MM/AAAA")
        .value(typed("date_naissance"));
    birth_date.input_type = "date";
    let empty: Vec<(String, String)> = Vec::new();
    let mut form = CheckForm {
        surname: Field::text("nom", "nom", "Nom").value(typed("nom")),
        given_names: Field::text("prenoms", "prenoms", "Prénoms").value(typed("prenoms")),
        birth_date,
        identifiers: identifiers_block(
            FORM_PREFIX,
            FORM_ROWS,
            rows.map_or(&empty, |rows| &rows.typed),
        ),
        has_errors: !errors.is_empty(),
        other_errors: Vec::new(),
    };
    let row_of_draft = rows.map_or(&[][..], |rows| &rows.row_of_draft[..]);
    for error in errors {
        if identifier_error(&mut form.identifiers, row_of_draft, error) {
            continue;
        }
        let slot = match error.field.as_str() {
            "person.surname" => &mut form.surname.error,
            "person.given_names" => &mut form.given_names.error,
            "person.birth_date" => &mut form.birth_date.error,
            _ => {
                form.other_errors.push(error.message.clone());
                continue;
            }
        };
        set_once(slot, &error.message);
    }
    form
}

/// `GET /objectifs/verification`: the empty check form.
pub async fn check_form_page(session: PageSession) -> PageResult {
    session.require(Action::CheckDeconfliction)?;
    let page = CheckPage {
        layout: session.layout("Vérifier un identifiant", "/objectifs"),
        csrf: session.csrf.clone(),
        form: check_form(None, None, &[]),
        checked: None,
        notices: Vec::new(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /objectifs/verification`: checks a person and/or identifiers without registering them
/// (journaled; repeated checks alert the inspection).
pub async fn check(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::CheckDeconfliction)?;
    let rows = typed_rows(&posted, FORM_PREFIX, FORM_ROWS);
    let person = person_draft(
        posted.get("nom"),
        posted.get("prenoms"),
        "",
        posted.get("date_naissance"),
        "",
    );
    let page = |form: CheckForm, checked: Option<u64>, notices: Vec<NoticeRow>| CheckPage {
        layout: session.layout("Vérifier un identifiant", "/objectifs"),
        csrf: session.csrf.clone(),
        form,
        checked,
        notices,
    };
    match state
        .engine
        .check_deconfliction(&session.actor, person, rows.drafts.clone(), &ctx)
        .await
    {
        Ok(outcome) => {
            let notices = outcome.notices.iter().map(notice_row).collect();
            let form = check_form(Some(&posted), Some(&rows), &[]);
            let view = page(form, Some(outcome.journal_seq), notices);
            Ok(render(StatusCode::OK, &view))
        }
        Err(EngineError::Invalid(errors)) => {
            let form = check_form(Some(&posted), Some(&rows), &errors);
            let view = page(form, None, Vec::new());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
        Err(error) => Err(session.fail(error)),
    }
}

// ---------------------------------------------------------------------------------------------
// /journal/alertes

/// `GET /journal/alertes`: the probing alerts, newest first, for auditors and inspection. Accounts
/// are named from the journal's own check entries (a journaled read, like any reading of it).
pub async fn alerts(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
) -> PageResult {
    session.require(Action::ReadJournal)?;
    let alerts = state
        .engine
        .probe_alerts(&session.actor, &ctx)
        .await
        .map_err(|error| session.fail(error))?;
    let names: HashMap<String, String> = if alerts.is_empty() {
        HashMap::new()
    } else {
        let query = JournalQuery {
            actor: None,
            action: Some(JournalAction::Search),
            object: Some("deconfliction:check".to_owned()),
            before_seq: None,
            limit: 500,
        };
        state
            .engine
            .journal_page(&session.actor, &query, &ctx)
            .await
            .map_err(|error| session.fail(error))?
            .actor_names
    };
    let rows = alerts
        .iter()
        .map(|alert| AlertRow {
            account: names
                .get(&alert.account)
                .cloned()
                .unwrap_or_else(|| alert.account.clone()),
            unit: alert.unit.clone(),
            hour: format::paris_minutes(alert.hour_start_micros),
            checks: alert.checks,
        })
        .collect();
    let page = AlertsPage {
        layout: session.layout("Alertes de vérifications répétées", "/journal"),
        rows,
        limit: PROBE_LIMIT_PER_HOUR,
    };
    Ok(render(StatusCode::OK, &page))
}
