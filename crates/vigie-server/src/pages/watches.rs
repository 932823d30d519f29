//! `/veilles`: the account's standing watches. A watch keeps an intelligence search (its words and
//! filters) or an entity, and tells what is new since it was last marked as seen: items recorded
//! since that match the search or concern the entity, and the entity's new links, counted by the
//! engine through what the reader may see now.
//!
//! Watches are created from the search's results (« Suivre cette recherche ») and from an entity's
//! page (« Suivre cette entité »): both post to `/veilles` with hidden fields, the search under the
//! very names of the `/renseignement` form, so that a watch's « Voir les résultats » form posts them
//! back there, with a motif, and runs the same search. The words never reach a URL. Every change
//! answers 303 to `/veilles?avis=...`; a refused creation shows the page again with the error under
//! the name field.

use super::format;
use super::intel::{departement_label, geography, search_fields, source_label, watched_search};
use super::session::{PageForm, PageSession, SameOrigin};
use super::targets::{AvisParams, Posted};
use super::view::{Field, Hyperlink, WatchForm, WatchRow, WatchesPage};
use super::{render, see_other, ErrorKind, PageResult};
use crate::extract::Ctx;
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use std::collections::HashMap;
use uuid::Uuid;
use vigie_core::entity::{EntityId, FieldError};
use vigie_core::org::UnitId;
use vigie_core::policy::Action;
use vigie_engine::{EngineError, RequestContext, WatchNews, WatchSubject, WatchView};
use vigie_geo::Geography;
use vigie_intel::Grade;
use vigie_search::{Filters, SearchRequest};

const LABEL_HINT: &str = "De 3 à 120 caractères : il ne sert qu'à vous.";

/// "23/11/2026 à 10:00", in Paris time.
fn day_and_time(at: time::OffsetDateTime) -> String {
    let micros = vigie_engine::clock::micros(at);
    format!(
        "{} à {}",
        format::paris_day(micros),
        format::paris_time(micros)
    )
}

/// « Recherche : "guetteurs" »; words that hold their own quotes are shown as they are.
fn search_subject(request: &SearchRequest) -> String {
    let words = request.query.trim();
    if words.is_empty() {
        "Recherche : tous les éléments accessibles".to_owned()
    } else if words.contains('"') {
        format!("Recherche : {words}")
    } else {
        format!("Recherche : \"{words}\"")
    }
}

/// The filters of a watched search in French, and whether one holds several values (the search
/// form, and so « Voir les résultats », takes the first of each).
fn filter_labels(
    filters: &Filters,
    geography: Option<&Geography>,
    units: &HashMap<UnitId, String>,
) -> (Vec<String>, bool) {
    let mut labels = Vec::new();
    let mut add = |title: &str, values: Vec<String>| {
        if !values.is_empty() {
            labels.push(format!("{title} : {}", values.join(", ")));
        }
    };
    add(
        "Département",
        filters
            .departements
            .iter()
            .map(|code| departement_label(geography, code))
            .collect(),
    );
    add(
        "Source",
        filters
            .sources
            .iter()
            .map(|source| source_label(source))
            .collect(),
    );
    add(
        "Régime",
        filters
            .regimes
            .iter()
            .map(|regime| regime.label_fr().to_owned())
            .collect(),
    );
    add(
        "Cotation",
        filters
            .grades
            .iter()
            .map(|key| Grade::from_key(key).map_or_else(|| key.clone(), Grade::display_fr))
            .collect(),
    );
    add(
        "Service",
        filters
            .units
            .iter()
            .map(|unit| {
                units
                    .get(unit)
                    .cloned()
                    .unwrap_or_else(|| "service inconnu".to_owned())
            })
            .collect(),
    );
    match (filters.observed_from, filters.observed_to) {
        (Some(from), Some(to)) => labels.push(format!(
            "Observé du {} au {}",
            format::date(from),
            format::date(to)
        )),
        (Some(from), None) => labels.push(format!("Observé depuis le {}", format::date(from))),
        (None, Some(to)) => labels.push(format!("Observé jusqu'au {}", format::date(to))),
        (None, None) => {}
    }
    if let Some(entity) = filters.about {
        labels.push(format!("Concernant la fiche {entity}"));
    }
    let several = [
        filters.departements.len(),
        filters.sources.len(),
        filters.regimes.len(),
        filters.grades.len(),
        filters.units.len(),
    ]
    .into_iter()
    .any(|count| count > 1)
        || filters.about.is_some();
    (labels, several)
}

/// « 1 nouvel élément », « 2 nouveaux liens »...; nothing when nothing is new.
fn news_badges(news: WatchNews) -> Vec<String> {
    let mut badges = Vec::new();
    match news.items {
        0 => {}
        1 => badges.push("1 nouvel élément".to_owned()),
        count => badges.push(format!("{count} nouveaux éléments")),
    }
    match news.links {
        0 => {}
        1 => badges.push("1 nouveau lien".to_owned()),
        count => badges.push(format!("{count} nouveaux liens")),
    }
    badges
}

fn entity_link(id: EntityId) -> Hyperlink {
    Hyperlink {
        href: format!("/entites/{id}"),
        label: format!("fiche {id}"),
    }
}

fn watch_row(
    view: &WatchView,
    geography: Option<&Geography>,
    units: &HashMap<UnitId, String>,
    can_search: bool,
) -> WatchRow {
    let (subject, entity, filters, first_values_only, fields) = match &view.subject {
        WatchSubject::Search(request) => {
            let (filters, several) = filter_labels(&request.filters, geography, units);
            (
                search_subject(request),
                None,
                filters,
                several,
                can_search.then(|| search_fields(request)),
            )
        }
        WatchSubject::Entity(id) => (
            "Entité :".to_owned(),
            Some(entity_link(*id)),
            Vec::new(),
            false,
            None,
        ),
    };
    WatchRow {
        id: view.id.to_string(),
        label: view.label.clone(),
        subject,
        entity,
        filters,
        first_values_only,
        created: day_and_time(view.created_at),
        seen: day_and_time(view.seen_at),
        news: if view.unavailable {
            Vec::new()
        } else {
            news_badges(view.news)
        },
        unavailable: view.unavailable,
        search_fields: fields,
        seen_action: format!("/veilles/{}/vu", view.id),
        delete_action: format!("/veilles/{}/suppression", view.id),
    }
}

/// The page of the account's watches (reading them is journaled by the engine).
async fn watches_page(
    state: &AppState,
    ctx: &RequestContext,
    session: &PageSession,
    notice: Option<String>,
    pending: Option<WatchForm>,
    status: StatusCode,
) -> PageResult {
    let views = state
        .engine
        .watches(&session.actor, ctx)
        .await
        .map_err(|error| session.fail(error))?;
    let unit_filters = views.iter().any(|view| {
        matches!(&view.subject, WatchSubject::Search(request) if !request.filters.units.is_empty())
    });
    let units: HashMap<UnitId, String> = if unit_filters {
        match state.engine.units().await {
            Ok(units) => units.into_iter().map(|unit| (unit.id, unit.name)).collect(),
            Err(error) => {
                tracing::warn!(%error, "units unavailable for the watches page");
                HashMap::new()
            }
        }
    } else {
        HashMap::new()
    };
    let geography = geography(state, session);
    let can_search = session.may(Action::ConsultIntel);
    let page = WatchesPage {
        layout: session.layout("Mes veilles", "/veilles"),
        csrf: session.csrf.clone(),
        notice,
        rows: views
            .iter()
            .map(|view| watch_row(view, geography, &units, can_search))
            .collect(),
        can_search,
        pending,
    };
    Ok(render(status, &page))
}

/// `GET /veilles`: the account's watches, newest first, with what is new in each.
pub async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    params: Result<Query<AvisParams>, QueryRejection>,
) -> PageResult {
    session.require(Action::ConsultEntity)?;
    let notice = match params.map(|Query(p)| p.avis).unwrap_or_default().as_str() {
        "creee" => Some("Veille créée : ce qui sera enregistré désormais et lui correspond vous sera signalé ici.".to_owned()),
        "vue" => Some("Veille marquée comme vue : ses nouveautés sont comptées à partir de maintenant.".to_owned()),
        "supprimee" => Some("Veille supprimée.".to_owned()),
        _ => None,
    };
    watches_page(&state, &ctx, &session, notice, None, StatusCode::OK).await
}

fn label_field(value: &str) -> Field {
    Field::text("libelle", "libelle", "Nom de la veille")
        .hint(LABEL_HINT)
        .value(value)
        .required()
}

/// `POST /veilles`: saves a watch of the posted search (the `/renseignement` form's fields) or of
/// the posted `entite`, named by `libelle`. A refused name, or a search whose fields cannot be read,
/// shows the page again with the error (422); an entity the reader may not see is 404.
pub async fn create(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::ConsultEntity)?;
    let label = posted.get("libelle");
    let entity = posted.get("entite").trim();
    let (subject, summary, hidden) = if entity.is_empty() {
        match watched_search(&posted) {
            Ok(request) => (
                Ok(WatchSubject::Search(request.clone())),
                search_subject(&request),
                search_fields(&request),
            ),
            Err(errors) => (Err(errors), "Recherche".to_owned(), Vec::new()),
        }
    } else {
        let id = EntityId::parse(entity).ok_or_else(|| session.fail(ErrorKind::NotFound))?;
        (
            Ok(WatchSubject::Entity(id)),
            format!("Entité : fiche {id}"),
            vec![("entite", id.to_string())],
        )
    };
    let refused = |errors: Vec<FieldError>, retry: bool| {
        let mut form = WatchForm {
            subject: summary.clone(),
            label: label_field(label),
            hidden: hidden.clone(),
            other_errors: Vec::new(),
            retry,
        };
        for error in errors {
            if error.field == "label" && form.label.error.is_none() {
                form.label.error = Some(error.message);
            } else {
                form.other_errors.push(error.message);
            }
        }
        form
    };
    let subject = match subject {
        Ok(subject) => subject,
        Err(errors) => {
            let form = refused(errors, false);
            return watches_page(
                &state,
                &ctx,
                &session,
                None,
                Some(form),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match state
        .engine
        .create_watch(&session.actor, label, subject, &ctx)
        .await
    {
        Ok(_) => Ok(see_other("/veilles?avis=creee")),
        Err(EngineError::Invalid(errors)) => {
            let form = refused(errors, true);
            watches_page(
                &state,
                &ctx,
                &session,
                None,
                Some(form),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => Err(session.fail(error)),
    }
}

fn watch_id(session: &PageSession, raw: &str) -> Result<Uuid, super::PageError> {
    Uuid::parse_str(raw).map_err(|_| session.fail(ErrorKind::NotFound))
}

/// `POST /veilles/{id}/vu`: what is new is counted again from now.
pub async fn seen(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::ConsultEntity)?;
    let id = watch_id(&session, &raw)?;
    state
        .engine
        .mark_watch_seen(&session.actor, id, &ctx)
        .await
        .map_err(|error| session.fail(error))?;
    Ok(see_other(&format!("/veilles?avis=vue#veille-{id}")))
}

/// `POST /veilles/{id}/suppression`.
pub async fn delete(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    Path(raw): Path<String>,
    PageForm(posted): PageForm<Posted>,
) -> PageResult {
    session.check_csrf(posted.get("csrf"))?;
    session.require(Action::ConsultEntity)?;
    let id = watch_id(&session, &raw)?;
    state
        .engine
        .delete_watch(&session.actor, id, &ctx)
        .await
        .map_err(|error| session.fail(error))?;
    Ok(see_other("/veilles?avis=supprimee"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn news_read_in_french() {
        assert!(news_badges(WatchNews::default()).is_empty());
        assert_eq!(
            news_badges(WatchNews { items: 1, links: 0 }),
            vec!["1 nouvel élément"]
        );
        assert_eq!(
            news_badges(WatchNews { items: 3, links: 1 }),
            vec!["3 nouveaux éléments", "1 nouveau lien"]
        );
        assert_eq!(
            news_badges(WatchNews { items: 0, links: 2 }),
            vec!["2 nouveaux liens"]
        );
    }

    #[test]
    fn a_search_is_summarised_in_french() {
        let request = SearchRequest {
            query: "guetteurs".to_owned(),
            filters: Filters {
                departements: vec!["13".to_owned(), "83".to_owned()],
                regimes: vec![vigie_core::entity::LegalRegime::Judicial],
                observed_from: Some(time::macros::date!(2026 - 01 - 01)),
                ..Filters::default()
            },
            ..SearchRequest::default()
        };
        assert_eq!(search_subject(&request), "Recherche : \"guetteurs\"");
        let (labels, several) = filter_labels(&request.filters, None, &HashMap::new());
        assert_eq!(
            labels,
            vec![
                "Département : 13, 83".to_owned(),
                format!(
                    "Régime : {}",
                    vigie_core::entity::LegalRegime::Judicial.label_fr()
                ),
                "Observé depuis le 01/01/2026".to_owned(),
            ]
        );
        assert!(several);
        let quoted = SearchRequest {
            query: "\"cité des Lauriers\"".to_owned(),
            ..SearchRequest::default()
        };
        assert_eq!(search_subject(&quoted), "Recherche : \"cité des Lauriers\"");
        assert_eq!(
            search_subject(&SearchRequest::default()),
            "Recherche : tous les éléments accessibles"
        );
    }
}
