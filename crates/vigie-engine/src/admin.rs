//! Administration of units and accounts, for administrators only. Administrators read no
//! intelligence: nothing here returns entities, and the policy table gives them no entity action.
//! Disabling an account or moving it to another unit revokes its sessions in the same transaction.

use crate::auth::{check_password_strength, hash_password, Actor};
use crate::error::{EngineError, EngineResult};
use crate::{Engine, RequestContext};
use uuid::Uuid;
use vigie_core::entity::FieldError;
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::org::{Account, AccountId, Role, Territory, Unit, UnitId, UnitKind};
use vigie_core::policy::{decide, Action};
use vigie_store::{AccountRecord, Mutation, WriteBatch};

#[derive(Clone, Debug)]
pub struct NewUnit {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub territory: Territory,
    pub parent: Option<UnitId>,
}

#[derive(Clone, Debug)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit: UnitId,
    pub password: String,
}

fn invalid(field: &str, message: impl Into<String>) -> EngineError {
    EngineError::Invalid(vec![FieldError {
        field: field.to_owned(),
        message: message.into(),
    }])
}

impl Engine {
    pub(crate) fn require(&self, actor: &Actor, action: Action) -> EngineResult<()> {
        if decide(&actor.subject(), action, None).is_allowed() {
            Ok(())
        } else {
            Err(EngineError::Forbidden)
        }
    }

    /// Units, for pages and forms. Every role may list units (they are not personal data).
    pub async fn units(&self) -> EngineResult<Vec<Unit>> {
        Ok(self.inner.store.units().await?)
    }

    pub async fn create_unit(
        &self,
        actor: &Actor,
        new: NewUnit,
        ctx: &RequestContext,
    ) -> EngineResult<Unit> {
        self.require(actor, Action::ManageUnits)?;
        let code = new.code.trim().to_uppercase();
        if code.is_empty()
            || code.len() > 40
            || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(invalid(
                "code",
                "Le code d'unité comporte 1 à 40 lettres, chiffres ou tirets",
            ));
        }
        let name = new.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(invalid(
                "name",
                "Le nom de l'unité est obligatoire (200 caractères au plus)",
            ));
        }
        if let Some(bad) = new
            .territory
            .codes()
            .iter()
            .find(|code| !crate::entities::is_departement_code(code))
        {
            return Err(invalid(
                "territory",
                format!("Code de département inconnu « {bad} »"),
            ));
        }
        let unit = Unit {
            id: UnitId(Uuid::new_v4()),
            code,
            name,
            kind: new.kind,
            territory: new.territory,
            parent: new.parent,
        };
        let draft = self.draft(
            Some(actor),
            JournalAction::Administer,
            format!("unit:{}", unit.id),
            "",
            Outcome::Allow,
            ctx,
        );
        self.commit(WriteBatch {
            mutations: vec![Mutation::PutUnit(unit.clone())],
            journal: vec![draft],
        })
        .await?;
        Ok(unit)
    }

    pub async fn accounts(&self, actor: &Actor) -> EngineResult<Vec<Account>> {
        self.require(actor, Action::ManageAccounts)?;
        Ok(self
            .inner
            .store
            .accounts()
            .await?
            .into_iter()
            .map(|record| record.account)
            .collect())
    }

    pub async fn create_account(
        &self,
        actor: &Actor,
        new: NewAccount,
        ctx: &RequestContext,
    ) -> EngineResult<Account> {
        self.require(actor, Action::ManageAccounts)?;
        let username = new.username.trim().to_lowercase();
        if username.len() < 3
            || username.len() > 64
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        {
            return Err(invalid(
                "username",
                "L'identifiant comporte 3 à 64 lettres, chiffres, points, tirets ou soulignés",
            ));
        }
        check_password_strength(&new.password).map_err(|message| invalid("password", message))?;
        if self.inner.store.unit(new.unit).await?.is_none() {
            return Err(invalid("unit", "Unité inconnue"));
        }
        let display_name = new
            .display_name
            .trim()
            .chars()
            .take(200)
            .collect::<String>();
        let account = Account {
            id: AccountId(Uuid::new_v4()),
            username,
            display_name,
            role: new.role,
            unit: new.unit,
            disabled: false,
        };
        let record = AccountRecord {
            account: account.clone(),
            password_hash: hash_password(&new.password).await?,
        };
        let draft = self.draft(
            Some(actor),
            JournalAction::Administer,
            format!("account:{}", account.id),
            "",
            Outcome::Allow,
            ctx,
        );
        self.commit(WriteBatch {
            mutations: vec![Mutation::PutAccount(record)],
            journal: vec![draft],
        })
        .await?;
        Ok(account)
    }

    /// Disables or re-enables an account; disabling revokes its sessions at once.
    pub async fn set_account_disabled(
        &self,
        actor: &Actor,
        id: AccountId,
        disabled: bool,
        ctx: &RequestContext,
    ) -> EngineResult<Account> {
        self.change_account(actor, id, disabled, ctx, |account| {
            account.disabled = disabled
        })
        .await
    }

    /// Moves an account to another unit; its sessions are revoked.
    pub async fn move_account(
        &self,
        actor: &Actor,
        id: AccountId,
        unit: UnitId,
        ctx: &RequestContext,
    ) -> EngineResult<Account> {
        self.require(actor, Action::ManageAccounts)?;
        if self.inner.store.unit(unit).await?.is_none() {
            return Err(invalid("unit", "Unité inconnue"));
        }
        self.change_account(actor, id, true, ctx, |account| account.unit = unit)
            .await
    }

    /// Applies `change` to an account, journaled; `revoke_sessions` ends its sessions in the same
    /// transaction.
    async fn change_account(
        &self,
        actor: &Actor,
        id: AccountId,
        revoke_sessions: bool,
        ctx: &RequestContext,
        change: impl FnOnce(&mut Account),
    ) -> EngineResult<Account> {
        self.require(actor, Action::ManageAccounts)?;
        let mut record = self
            .inner
            .store
            .account(id)
            .await?
            .ok_or(EngineError::NotFound)?;
        change(&mut record.account);
        let account = record.account.clone();
        let draft = self.draft(
            Some(actor),
            JournalAction::Administer,
            format!("account:{id}"),
            "",
            Outcome::Allow,
            ctx,
        );
        let mut mutations = vec![Mutation::PutAccount(record)];
        if revoke_sessions {
            mutations.push(Mutation::DeleteSessionsOf { account: id });
        }
        self.commit(WriteBatch {
            mutations,
            journal: vec![draft],
        })
        .await?;
        Ok(account)
    }
}

impl Engine {
    /// Creates the first administrator, and an administration unit if there is none, on a store that
    /// has no account yet. Outside demo mode this is the only way in; it is refused once any account
    /// exists. Journaled with the actor `system`.
    pub async fn bootstrap_administrator(
        &self,
        username: &str,
        display_name: &str,
        password: &str,
        ctx: &RequestContext,
    ) -> EngineResult<Account> {
        if !self.inner.store.accounts().await?.is_empty() {
            return Err(EngineError::Conflict(
                "des comptes existent déjà : créez les suivants depuis l'administration".to_owned(),
            ));
        }
        let username = username.trim().to_lowercase();
        if username.len() < 3
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        {
            return Err(invalid(
                "username",
                "L'identifiant comporte au moins 3 lettres, chiffres, points, tirets ou soulignés",
            ));
        }
        check_password_strength(password).map_err(|message| invalid("password", message))?;
        let mut mutations = Vec::new();
        let mut objects = Vec::new();
        let units = self.inner.store.units().await?;
        let unit = match units
            .into_iter()
            .find(|unit| unit.kind == UnitKind::Administration)
        {
            Some(unit) => unit,
            None => {
                let unit = Unit {
                    id: UnitId(Uuid::new_v4()),
                    code: "ADMIN-VIGIE".to_owned(),
                    name: "Administration de Vigie".to_owned(),
                    kind: UnitKind::Administration,
                    territory: Territory::national(),
                    parent: None,
                };
                mutations.push(Mutation::PutUnit(unit.clone()));
                objects.push(format!("unit:{}", unit.id));
                unit
            }
        };
        let account = Account {
            id: AccountId(Uuid::new_v4()),
            username,
            display_name: display_name.trim().chars().take(200).collect(),
            role: Role::Administrator,
            unit: unit.id,
            disabled: false,
        };
        mutations.push(Mutation::PutAccount(AccountRecord {
            account: account.clone(),
            password_hash: hash_password(password).await?,
        }));
        objects.push(format!("account:{}", account.id));
        let journal = objects
            .into_iter()
            .map(|object| {
                let mut draft = self.draft(
                    None,
                    JournalAction::Administer,
                    object,
                    "amorçage",
                    Outcome::Allow,
                    ctx,
                );
                draft.actor = "system".to_owned();
                draft
            })
            .collect();
        self.commit(WriteBatch { mutations, journal }).await?;
        Ok(account)
    }
}
