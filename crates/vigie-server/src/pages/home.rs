//! `GET /`: the home page, by role. Roles that search entities get the search form and the reminder
//! that every consultation is journaled with its motif; investigating units get the way to their
//! targets; readers of intelligence get the way to the repository; auditors and inspection get the
//! journal; administrators get administration (and nothing about entities); partners get a notice.

use super::entities::search_form_fields;
use super::session::PageSession;
use super::view::HomePage;
use super::{render, PageResult};
use axum::http::StatusCode;
use vigie_core::org::Role;
use vigie_core::policy::Action;

pub async fn home(session: PageSession) -> PageResult {
    let can_search = session.may(Action::SearchEntities);
    let page = HomePage {
        layout: session.layout("Accueil", "/"),
        display_name: session.actor.account.display_name.clone(),
        role: session.role().label_fr().to_owned(),
        unit: session.actor.unit.name.clone(),
        can_search,
        can_use_targets: session.may(Action::ReadTargets),
        can_use_intel: session.may(Action::ConsultIntel),
        can_read_journal: session.may(Action::ReadJournal),
        can_administer: session.may(Action::ManageAccounts) || session.may(Action::ManageUnits),
        is_partner: session.role() == Role::Partner,
        search: search_form_fields("", "", ""),
        csrf: session.csrf.clone(),
    };
    Ok(render(StatusCode::OK, &page))
}
