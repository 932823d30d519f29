//! `GET /`: the home page, by role. Roles that search entities get the search form and the reminder
//! that every consultation is journaled with its motif; investigating units get the way to their
//! targets; readers of intelligence get the way to the repository; auditors and inspection get the
//! journal; administrators get administration (and nothing about entities); partners get a notice.
//! An account with standing watches gets a card with what is new in them; a CROSS or OFAST analyst
//! gets the count of new reports and the dismantled points that seem to be coming back.

use super::entities::search_form_fields;
use super::format::paris_day;
use super::session::PageSession;
use super::view::{HomePage, HomeResurgence, HomeTriage, HomeWatches};
use super::{render, PageResult};
use crate::extract::Ctx;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use vigie_core::org::Role;
use vigie_core::policy::Action;

/// The card of the account's watches: `None` without any, or when they cannot be read (the home
/// page does not fail for them).
async fn watches_card(
    state: &AppState,
    ctx: &vigie_engine::RequestContext,
    session: &PageSession,
) -> Option<HomeWatches> {
    if !session.may(Action::ConsultEntity) {
        return None;
    }
    let views = match state.engine.watches(&session.actor, ctx).await {
        Ok(views) => views,
        Err(error) => {
            tracing::warn!(%error, "watches unavailable for the home page");
            return None;
        }
    };
    if views.is_empty() {
        return None;
    }
    let news: u64 = views.iter().map(|view| view.news.total()).sum();
    Some(HomeWatches {
        watches: match views.len() {
            1 => "1 veille".to_owned(),
            count => format!("{count} veilles"),
        },
        news: match news {
            0 => "Rien de nouveau".to_owned(),
            1 => "1 nouveauté".to_owned(),
            count => format!("{count} nouveautés"),
        },
        has_news: news > 0,
    })
}

/// The most suspected resurgences listed on the home page (the map shows them all).
const RESURGENCES_SHOWN: usize = 10;

/// The card of a triaging analyst: `None` for other roles, or when the overview cannot be read.
async fn triage_card(
    state: &AppState,
    ctx: &vigie_engine::RequestContext,
    session: &PageSession,
) -> Option<HomeTriage> {
    if !session.may(Action::TriageReports) {
        return None;
    }
    let overview = match state.engine.triage_overview(&session.actor, ctx).await {
        Ok(overview) => overview,
        Err(error) => {
            tracing::warn!(%error, "triage overview unavailable for the home page");
            return None;
        }
    };
    let more = overview.resurgences.len().saturating_sub(RESURGENCES_SHOWN);
    Some(HomeTriage {
        new_reports: match overview.new_reports {
            0 => "Aucun nouveau signalement".to_owned(),
            1 => "1 nouveau signalement".to_owned(),
            count => format!("{count} nouveaux signalements"),
        },
        has_new_reports: overview.new_reports > 0,
        resurgences: overview
            .resurgences
            .into_iter()
            .take(RESURGENCES_SHOWN)
            .map(|alert| {
                let place = match (alert.commune_name, alert.departement) {
                    (Some(commune), Some(dep)) => format!("{commune} ({dep})"),
                    (Some(commune), None) => commune,
                    (None, Some(dep)) => format!("Département {dep}"),
                    (None, None) => "Lieu non localisé".to_owned(),
                };
                let detail = match alert.dismantled_at_micros {
                    Some(at) => format!("{place}, démantelé le {}", paris_day(at)),
                    None => place,
                };
                HomeResurgence {
                    href: format!("/points-de-deal/{}", alert.point),
                    label: alert.label,
                    detail,
                }
            })
            .collect(),
        more_resurgences: match more {
            0 => None,
            1 => Some("et 1 autre".to_owned()),
            count => Some(format!("et {count} autres")),
        },
    })
}

pub async fn home(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
) -> PageResult {
    let watches = watches_card(&state, &ctx, &session).await;
    let triage = triage_card(&state, &ctx, &session).await;
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
        can_triage_reports: session.may(Action::TriageReports),
        can_read_points: session.may(Action::ReadDealingPoints),
        search: search_form_fields("", "", ""),
        csrf: session.csrf.clone(),
        watches,
        triage,
    };
    Ok(render(StatusCode::OK, &page))
}
