//! `GET /journal`: the consultation journal for auditors and inspection, newest first, filtered by
//! action and paged backwards with `?avant=<seq>`. Reading it is itself journaled (the engine does
//! it) and the page says so with the number of that entry. It links to the probing alerts of the
//! target file (`/journal/alertes`, in `targets`).

use super::format;
use super::session::PageSession;
use super::view::{JournalPageView, JournalRow, SelectField};
use super::{render, ErrorKind, PageResult};
use crate::extract::Ctx;
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use std::collections::HashMap;
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::policy::Action;
use vigie_engine::JournalQuery;

const PAGE_SIZE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JournalParams {
    /// Only entries before this sequence number.
    pub avant: String,
    /// An action name (`consult`, `search`...), or empty for all.
    pub action: String,
}

fn href(before: Option<u64>, action: Option<JournalAction>) -> String {
    let mut query = Vec::new();
    if let Some(before) = before {
        query.push(format!("avant={before}"));
    }
    if let Some(action) = action {
        query.push(format!("action={}", action.as_str()));
    }
    if query.is_empty() {
        "/journal".to_owned()
    } else {
        format!("/journal?{}", query.join("&"))
    }
}

pub async fn journal(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    params: Result<Query<JournalParams>, QueryRejection>,
) -> PageResult {
    session.require(Action::ReadJournal)?;
    let Query(params) = params.map_err(|_| session.fail(ErrorKind::BadRequest))?;
    let before = match params.avant.trim() {
        "" => None,
        digits if digits.chars().all(|c| c.is_ascii_digit()) => Some(
            digits
                .parse::<u64>()
                .map_err(|_| session.fail(ErrorKind::BadRequest))?,
        ),
        _ => return Err(session.fail(ErrorKind::BadRequest)),
    };
    let action = match params.action.trim() {
        "" => None,
        name => {
            Some(JournalAction::parse(name).ok_or_else(|| session.fail(ErrorKind::BadRequest))?)
        }
    };
    let query = JournalQuery {
        actor: None,
        object: None,
        action,
        before_seq: before,
        limit: PAGE_SIZE,
    };
    let page = state
        .engine
        .journal_page(&session.actor, &query, &ctx)
        .await
        .map_err(|error| session.fail(error))?;
    let units: HashMap<String, String> = match state.engine.units().await {
        Ok(units) => units
            .into_iter()
            .map(|unit| (format!("unit:{}", unit.id), unit.code))
            .collect(),
        Err(error) => {
            tracing::warn!(%error, "units unavailable for the journal page");
            HashMap::new()
        }
    };
    let rows: Vec<JournalRow> = page
        .entries
        .iter()
        .map(|entry| {
            let draft = &entry.draft;
            let denied = draft.outcome == Outcome::Deny;
            JournalRow {
                seq: entry.seq,
                at: format::paris_micros(draft.at_micros),
                actor: page
                    .actor_names
                    .get(&draft.actor)
                    .cloned()
                    .unwrap_or_else(|| draft.actor.clone()),
                unit: if draft.unit.is_empty() {
                    format::NONE.to_owned()
                } else {
                    units
                        .get(&draft.unit)
                        .cloned()
                        .unwrap_or_else(|| draft.unit.clone())
                },
                action: draft.action.label_fr().to_owned(),
                object: draft.object.clone(),
                shown: draft.shown.clone(),
                motif: if draft.motif.is_empty() {
                    format::NONE.to_owned()
                } else {
                    draft.motif.clone()
                },
                outcome: if denied { "Refusé" } else { "Autorisé" }.to_owned(),
                denied,
            }
        })
        .collect();
    let older_href = if rows.len() as u32 >= PAGE_SIZE {
        rows.last().map(|row| href(Some(row.seq), action))
    } else {
        None
    };
    let newer_href = before.map(|_| href(None, action));
    let mut options = vec![(String::new(), "Toutes les actions".to_owned())];
    options.extend(
        JournalAction::ALL
            .iter()
            .map(|a| (a.as_str().to_owned(), a.label_fr().to_owned())),
    );
    let selected = action.map(JournalAction::as_str).unwrap_or("");
    let view = JournalPageView {
        layout: session.layout("Journal des consultations", "/journal"),
        rows,
        action: SelectField::new("action", "action", "Action", options, selected),
        journal_seq: page.journal_seq,
        newer_href,
        older_href,
    };
    Ok(render(StatusCode::OK, &view))
}
