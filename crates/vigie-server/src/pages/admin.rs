//! `/admin`: units and accounts, for administrators (who read no intelligence). Lists, the
//! disable/enable button of each account, and the forms that create an account and a unit, with
//! validation errors shown next to their fields. Every change is journaled by the engine.

use super::session::{PageForm, PageSession, SameOrigin};
use super::view::{AccountForm, AccountRow, AdminPage, Field, SelectField, UnitForm, UnitRow};
use super::{render, ErrorKind, PageError, PageResult};
use crate::extract::Ctx;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use vigie_core::entity::FieldError;
use vigie_core::org::{AccountId, Role, Territory, UnitId, UnitKind};
use vigie_core::policy::Action;
use vigie_engine::{EngineError, NewAccount, NewUnit};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccountFormData {
    pub csrf: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit: String,
    pub password: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UnitFormData {
    pub csrf: String,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub departements: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StateFormData {
    pub csrf: String,
    pub etat: String,
}

fn account_form(
    input: &AccountFormData,
    units: &[(String, String)],
    errors: &[FieldError],
) -> AccountForm {
    let mut roles = vec![(String::new(), "Choisir un rôle".to_owned())];
    roles.extend(
        Role::ALL
            .iter()
            .map(|role| (role.as_str().to_owned(), role.label_fr().to_owned())),
    );
    let mut unit_options = vec![(String::new(), "Choisir une unité".to_owned())];
    unit_options.extend(units.iter().cloned());
    let mut form = AccountForm {
        username: Field::text("compte-identifiant", "username", "Identifiant")
            .hint("3 à 64 lettres minuscules, chiffres, points, tirets ou soulignés, par exemple « prenom.nom »")
            .value(input.username.trim()),
        display_name: Field::text("compte-nom", "display_name", "Nom affiché").value(input.display_name.trim()),
        role: SelectField::new("compte-role", "role", "Rôle", roles, &input.role),
        unit: SelectField::new("compte-unite", "unit", "Unité", unit_options, &input.unit),
        password: Field::text("compte-mot-de-passe", "password", "Mot de passe initial")
            .hint("Au moins 12 caractères ; à communiquer à la personne par un canal sûr")
            .password("new-password"),
        has_errors: !errors.is_empty(),
    };
    for error in errors {
        let slot = match error.field.as_str() {
            "username" => &mut form.username.error,
            "display_name" => &mut form.display_name.error,
            "role" => &mut form.role.error,
            "unit" => &mut form.unit.error,
            _ => &mut form.password.error,
        };
        *slot = Some(error.message.clone());
    }
    form
}

fn unit_form(input: &UnitFormData, errors: &[FieldError]) -> UnitForm {
    let mut kinds = vec![(String::new(), "Choisir un type".to_owned())];
    kinds.extend(
        UnitKind::ALL
            .iter()
            .map(|kind| (kind.as_str().to_owned(), kind.label_fr().to_owned())),
    );
    let mut form = UnitForm {
        code: Field::text("unite-code", "code", "Code").hint("Par exemple « CROSS-13 » : lettres, chiffres et tirets").value(input.code.trim()),
        name: Field::text("unite-nom", "name", "Nom").value(input.name.trim()),
        kind: SelectField::new("unite-type", "kind", "Type d'unité", kinds, &input.kind),
        departements: Field::text("unite-departements", "departements", "Départements couverts")
            .hint("Codes séparés par des virgules, par exemple « 13, 84 » ; laisser vide pour une unité nationale")
            .value(input.departements.trim()),
        has_errors: !errors.is_empty(),
    };
    for error in errors {
        let slot = match error.field.as_str() {
            "name" => &mut form.name.error,
            "kind" => &mut form.kind.error,
            "territory" | "departements" => &mut form.departements.error,
            _ => &mut form.code.error,
        };
        *slot = Some(error.message.clone());
    }
    form
}

/// Which form a re-rendered page shows with the user's input and errors.
enum Pending<'a> {
    None,
    Account(&'a AccountFormData, Vec<FieldError>),
    Unit(&'a UnitFormData, Vec<FieldError>),
}

async fn admin_page(
    state: &AppState,
    session: &PageSession,
    pending: Pending<'_>,
    notice: Option<String>,
) -> Result<AdminPage, PageError> {
    let mut accounts = state
        .engine
        .accounts(&session.actor)
        .await
        .map_err(|error| session.fail(error))?;
    let mut units = state
        .engine
        .units()
        .await
        .map_err(|error| session.fail(error))?;
    units.sort_by(|a, b| a.code.cmp(&b.code));
    accounts.sort_by(|a, b| a.username.cmp(&b.username));
    let unit_code = |id: UnitId| {
        units
            .iter()
            .find(|unit| unit.id == id)
            .map(|unit| unit.code.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let account_rows = accounts
        .iter()
        .map(|account| AccountRow {
            action: format!("/admin/comptes/{}/etat", account.id),
            move_action: format!("/admin/comptes/{}/unite", account.id),
            unit_id: account.unit.to_string(),
            username: account.username.clone(),
            display_name: account.display_name.clone(),
            role: account.role.label_fr().to_owned(),
            unit: unit_code(account.unit),
            disabled: account.disabled,
            is_self: account.id == session.actor.account.id,
        })
        .collect();
    let unit_rows = units
        .iter()
        .map(|unit| UnitRow {
            code: unit.code.clone(),
            name: unit.name.clone(),
            kind: unit.kind.label_fr().to_owned(),
            territory: if unit.territory.is_national() {
                "National".to_owned()
            } else {
                unit.territory.codes().join(", ")
            },
        })
        .collect();
    let unit_options: Vec<(String, String)> = units
        .iter()
        .map(|unit| {
            (
                unit.id.to_string(),
                format!("{} — {}", unit.code, unit.name),
            )
        })
        .collect();
    let empty_account = AccountFormData::default();
    let empty_unit = UnitFormData::default();
    let (account_form, unit_form) = match &pending {
        Pending::None => (
            account_form(&empty_account, &unit_options, &[]),
            unit_form(&empty_unit, &[]),
        ),
        Pending::Account(input, errors) => (
            account_form(input, &unit_options, errors),
            unit_form(&empty_unit, &[]),
        ),
        Pending::Unit(input, errors) => (
            account_form(&empty_account, &unit_options, &[]),
            unit_form(input, errors),
        ),
    };
    Ok(AdminPage {
        unit_choices: unit_options.clone(),
        layout: session.layout("Administration", "/admin"),
        csrf: session.csrf.clone(),
        notice,
        units: unit_rows,
        accounts: account_rows,
        account_form,
        unit_form,
    })
}

fn field_error(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

/// `GET /admin`.
pub async fn admin(State(state): State<AppState>, session: PageSession) -> PageResult {
    session.require(Action::ManageAccounts)?;
    let page = admin_page(&state, &session, Pending::None, None).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /admin/comptes`: creates an account.
pub async fn create_account(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    PageForm(data): PageForm<AccountFormData>,
) -> PageResult {
    session.check_csrf(&data.csrf)?;
    session.require(Action::ManageAccounts)?;
    let mut errors = Vec::new();
    let role = Role::parse(&data.role);
    if role.is_none() {
        errors.push(field_error("role", "Choisissez un rôle"));
    }
    let unit = UnitId::parse(data.unit.trim());
    if unit.is_none() {
        errors.push(field_error("unit", "Choisissez une unité"));
    }
    if data.display_name.trim().is_empty() {
        errors.push(field_error(
            "display_name",
            "Le nom affiché est obligatoire",
        ));
    }
    if data.username.trim().is_empty() {
        errors.push(field_error("username", "L'identifiant est obligatoire"));
    }
    if data.password.is_empty() {
        errors.push(field_error(
            "password",
            "Le mot de passe initial est obligatoire",
        ));
    }
    let (Some(role), Some(unit), true) = (role, unit, errors.is_empty()) else {
        let page = admin_page(&state, &session, Pending::Account(&data, errors), None).await?;
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let new = NewAccount {
        username: data.username.clone(),
        display_name: data.display_name.clone(),
        role,
        unit,
        password: data.password.clone(),
    };
    let errors = match state.engine.create_account(&session.actor, new, &ctx).await {
        Ok(account) => {
            let notice = format!("Compte « {} » créé.", account.username);
            let page = admin_page(&state, &session, Pending::None, Some(notice)).await?;
            return Ok(render(StatusCode::OK, &page));
        }
        Err(EngineError::Invalid(details)) => details,
        Err(EngineError::Conflict(_)) => {
            vec![field_error("username", "Cet identifiant est déjà utilisé")]
        }
        Err(error) => return Err(session.fail(error)),
    };
    let page = admin_page(&state, &session, Pending::Account(&data, errors), None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// `POST /admin/unites`: creates a unit.
pub async fn create_unit(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    PageForm(data): PageForm<UnitFormData>,
) -> PageResult {
    session.check_csrf(&data.csrf)?;
    session.require(Action::ManageUnits)?;
    let mut errors = Vec::new();
    let kind = UnitKind::parse(&data.kind);
    if kind.is_none() {
        errors.push(field_error("kind", "Choisissez un type d'unité"));
    }
    if data.code.trim().is_empty() {
        errors.push(field_error("code", "Le code est obligatoire"));
    }
    if data.name.trim().is_empty() {
        errors.push(field_error("name", "Le nom est obligatoire"));
    }
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        let page = admin_page(&state, &session, Pending::Unit(&data, errors), None).await?;
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let codes: Vec<String> = data
        .departements
        .split([',', ';', ' '])
        .map(|code| code.trim().to_uppercase())
        .filter(|code| !code.is_empty())
        .collect();
    let new = NewUnit {
        code: data.code.clone(),
        name: data.name.clone(),
        kind,
        territory: Territory::departements(codes),
        parent: None,
    };
    let errors = match state.engine.create_unit(&session.actor, new, &ctx).await {
        Ok(unit) => {
            let notice = format!("Unité « {} » créée.", unit.code);
            let page = admin_page(&state, &session, Pending::None, Some(notice)).await?;
            return Ok(render(StatusCode::OK, &page));
        }
        Err(EngineError::Invalid(details)) => details,
        Err(EngineError::Conflict(_)) => {
            vec![field_error("code", "Ce code d'unité est déjà utilisé")]
        }
        Err(error) => return Err(session.fail(error)),
    };
    let page = admin_page(&state, &session, Pending::Unit(&data, errors), None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// `POST /admin/comptes/{id}/etat` with `etat=desactive|active`.
pub async fn set_state(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(data): PageForm<StateFormData>,
) -> PageResult {
    session.check_csrf(&data.csrf)?;
    session.require(Action::ManageAccounts)?;
    let id = AccountId::parse(&raw).ok_or_else(|| session.fail(ErrorKind::NotFound))?;
    let disabled = match data.etat.as_str() {
        "desactive" => true,
        "active" => false,
        _ => return Err(session.fail(ErrorKind::BadRequest)),
    };
    let account = state
        .engine
        .set_account_disabled(&session.actor, id, disabled, &ctx)
        .await
        .map_err(|error| session.fail(error))?;
    let notice = if disabled {
        format!(
            "Compte « {} » désactivé : ses sessions sont fermées.",
            account.username
        )
    } else {
        format!("Compte « {} » réactivé.", account.username)
    };
    let page = admin_page(&state, &session, Pending::None, Some(notice)).await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveFormData {
    pub csrf: String,
    pub unite: String,
}

/// `POST /admin/comptes/{id}/unite` with `unite=<unit id>`: moves the account to that unit (its
/// sessions are closed, so its next login sees only what the new unit may see).
pub async fn move_account(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(data): PageForm<MoveFormData>,
) -> PageResult {
    session.check_csrf(&data.csrf)?;
    session.require(Action::ManageAccounts)?;
    let id = AccountId::parse(&raw).ok_or_else(|| session.fail(ErrorKind::NotFound))?;
    let unit = UnitId::parse(&data.unite).ok_or_else(|| session.fail(ErrorKind::BadRequest))?;
    let account = state
        .engine
        .move_account(&session.actor, id, unit, &ctx)
        .await
        .map_err(|error| session.fail(error))?;
    let units = state
        .engine
        .units()
        .await
        .map_err(|error| session.fail(error))?;
    let unit_name = units
        .iter()
        .find(|candidate| candidate.id == unit)
        .map_or_else(|| unit.to_string(), |found| found.name.clone());
    let notice = format!(
        "Compte « {} » rattaché à « {unit_name} » : ses sessions sont fermées.",
        account.username
    );
    let page = admin_page(&state, &session, Pending::None, Some(notice)).await?;
    Ok(render(StatusCode::OK, &page))
}
