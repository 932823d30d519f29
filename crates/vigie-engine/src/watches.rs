//! Standing watches: an analyst saves an intelligence search or an entity, and is told what is new.
//!
//! A watch belongs to one account and is never shown to another. What is "new" is derived when the
//! watches are read, never stored: intelligence items recorded after the watch was last marked as
//! seen that match the saved search (or are about the watched entity), and links to the watched
//! entity recorded since, all counted through the reader's access scope as it is at reading time,
//! so a count never includes what the reader may not see. Reading the watches writes one journal
//! entry; creating, marking as seen and deleting one write one each.
//!
//! What it does not do: push notifications out of Vigie (no e-mail, no SMS: the news is shown in
//! Vigie), or keep the matches themselves (the analyst opens them with a motif).

use crate::auth::Actor;
use crate::entities::{link_marks, marks};
use crate::error::{EngineError, EngineResult};
use crate::intel_search::off_runtime;
use crate::{clock, Engine, RequestContext};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;
use vigie_core::entity::{EntityId, FieldError};
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::org::AccountId;
use vigie_core::policy::{decide, search_scope, Action, ObjectMarks};
use vigie_search::SearchRequest;
use vigie_store::{Mutation, RecordQuery, WorkflowRecord, WriteBatch};

const KIND: &str = "watch";
/// The most watches one account keeps.
pub const MAX_WATCHES: usize = 50;

/// What a watch looks at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WatchSubject {
    /// An intelligence search: its words and filters (paging and sort are not kept).
    Search(SearchRequest),
    /// An entity: new links to it, new items about it.
    Entity(EntityId),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct WatchBody {
    account: AccountId,
    label: String,
    subject: WatchSubject,
    created_micros: i64,
    seen_micros: i64,
}

/// What is new for one watch since it was last seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WatchNews {
    pub items: u64,
    pub links: u64,
}

impl WatchNews {
    pub fn total(&self) -> u64 {
        self.items + self.links
    }
}

#[derive(Clone, Debug)]
pub struct WatchView {
    pub id: Uuid,
    pub label: String,
    pub subject: WatchSubject,
    pub created_at: OffsetDateTime,
    pub seen_at: OffsetDateTime,
    pub news: WatchNews,
    /// The watched entity can no longer be seen (erased, or access changed): nothing is counted.
    pub unavailable: bool,
}

fn record_id(account: AccountId, id: Uuid) -> String {
    format!("{}:{id}", account.0)
}

fn invalid(field: &str, message: &str) -> EngineError {
    EngineError::Invalid(vec![FieldError {
        field: field.to_owned(),
        message: message.to_owned(),
    }])
}

impl Engine {
    /// Saves a watch for the actor. An entity watch needs an entity the actor may consult (else
    /// `NotFound`); a search watch needs the right to consult intelligence.
    pub async fn create_watch(
        &self,
        actor: &Actor,
        label: &str,
        subject: WatchSubject,
        ctx: &RequestContext,
    ) -> EngineResult<WatchView> {
        let label = label.trim();
        if label.chars().count() < 3
            || label.chars().count() > 120
            || label.chars().any(char::is_control)
        {
            return Err(invalid("label", "Nommez la veille (de 3 à 120 caractères)"));
        }
        let subject = match subject {
            WatchSubject::Search(request) => {
                if search_scope(&actor.subject(), Action::ConsultIntel).is_none() {
                    return Err(EngineError::Forbidden);
                }
                if request.query.chars().count() > crate::MAX_QUERY_CHARS {
                    return Err(invalid("query", "Recherche trop longue"));
                }
                // Only what the search is; a page or an order means nothing for news.
                WatchSubject::Search(SearchRequest {
                    query: request.query,
                    filters: vigie_search::Filters {
                        recorded_after: None,
                        ..request.filters
                    },
                    ..SearchRequest::default()
                })
            }
            WatchSubject::Entity(id) => {
                let visible = self.inner.store.entity(id).await?.is_some_and(|entity| {
                    decide(
                        &actor.subject(),
                        Action::ConsultEntity,
                        Some(marks(&entity)),
                    )
                    .is_allowed()
                });
                if !visible {
                    return Err(EngineError::NotFound);
                }
                WatchSubject::Entity(id)
            }
        };
        if self.own_watches(actor).await?.len() >= MAX_WATCHES {
            return Err(invalid(
                "label",
                &format!("{MAX_WATCHES} veilles au plus : supprimez-en une d'abord"),
            ));
        }
        let now = clock::micros(self.inner.clock.now());
        let id = Uuid::new_v4();
        let body = WatchBody {
            account: actor.account.id,
            label: label.to_owned(),
            subject,
            created_micros: now,
            seen_micros: now,
        };
        self.put_watch(actor, id, &body, ctx).await?;
        view(id, body, WatchNews::default(), false)
    }

    /// The actor's watches, newest first, each with what is new since it was last seen.
    pub async fn watches(
        &self,
        actor: &Actor,
        ctx: &RequestContext,
    ) -> EngineResult<Vec<WatchView>> {
        let watches = self.own_watches(actor).await?;
        if watches.is_empty() {
            // Nothing was searched: nothing to journal (the home page asks on every visit).
            return Ok(Vec::new());
        }
        let scope = search_scope(&actor.subject(), Action::ConsultIntel);
        if scope.is_some() {
            self.refresh_intel_index().await?;
        }
        let mut views = Vec::with_capacity(watches.len());
        for (id, body) in watches {
            let mut news = WatchNews::default();
            let mut unavailable = false;
            let search = match &body.subject {
                WatchSubject::Search(request) => Some(request.clone()),
                WatchSubject::Entity(entity) => {
                    match self.inner.store.entity(*entity).await? {
                        Some(found) if consultable(actor, marks(&found)) => {
                            // Only links recorded since the watch was seen need their other end
                            // read (the home page asks on every visit).
                            for link in self.inner.store.links_of(*entity).await? {
                                if clock::micros(link.provenance.recorded_at) <= body.seen_micros
                                    || !consultable(actor, link_marks(&link))
                                {
                                    continue;
                                }
                                let other = if link.source == *entity {
                                    link.target
                                } else {
                                    link.source
                                };
                                let other = self.inner.store.entity(other).await?;
                                if other.is_some_and(|other| consultable(actor, marks(&other))) {
                                    news.links += 1;
                                }
                            }
                            Some(SearchRequest {
                                filters: vigie_search::Filters {
                                    about: Some(*entity),
                                    ..vigie_search::Filters::default()
                                },
                                ..SearchRequest::default()
                            })
                        }
                        _ => {
                            unavailable = true;
                            None
                        }
                    }
                }
            };
            if let (Some(mut request), Some(scope)) = (search, scope.clone()) {
                request.filters.recorded_after = Some(body.seen_micros);
                request.limit = 1;
                let index = Arc::clone(&self.inner.intel_index);
                let found = off_runtime(move || index.search(&request, &scope)).await?;
                news.items = found.total as u64;
            }
            views.push(view(id, body, news, unavailable)?);
        }
        views.sort_by_key(|view| std::cmp::Reverse(view.created_at));
        let draft = self.draft(
            Some(actor),
            JournalAction::Search,
            format!("watch-check:{}", views.len()),
            "veilles",
            Outcome::Allow,
            ctx,
        );
        self.journal_only(vec![draft]).await?;
        Ok(views)
    }

    /// Marks a watch as seen now: its news count starts again from zero.
    pub async fn mark_watch_seen(
        &self,
        actor: &Actor,
        id: Uuid,
        ctx: &RequestContext,
    ) -> EngineResult<()> {
        let mut body = self.own_watch(actor, id).await?;
        body.seen_micros = clock::micros(self.inner.clock.now());
        self.put_watch(actor, id, &body, ctx).await
    }

    /// Deletes one of the actor's watches.
    pub async fn delete_watch(
        &self,
        actor: &Actor,
        id: Uuid,
        ctx: &RequestContext,
    ) -> EngineResult<()> {
        self.own_watch(actor, id).await?;
        let draft = self.draft(
            Some(actor),
            JournalAction::Erase,
            format!("watch:{id}"),
            "",
            Outcome::Allow,
            ctx,
        );
        self.commit(WriteBatch {
            mutations: vec![Mutation::DeleteRecord {
                kind: KIND.to_owned(),
                id: record_id(actor.account.id, id),
            }],
            journal: vec![draft],
        })
        .await?;
        Ok(())
    }

    async fn own_watch(&self, actor: &Actor, id: Uuid) -> EngineResult<WatchBody> {
        let record = self
            .inner
            .store
            .record(KIND, &record_id(actor.account.id, id))
            .await?
            .ok_or(EngineError::NotFound)?;
        serde_json::from_str(&record.body).map_err(|error| EngineError::Internal(error.to_string()))
    }

    async fn own_watches(&self, actor: &Actor) -> EngineResult<Vec<(Uuid, WatchBody)>> {
        let prefix = format!("{}:", actor.account.id.0);
        let records = self
            .inner
            .store
            .records(&RecordQuery {
                kind: KIND.to_owned(),
                ..RecordQuery::default()
            })
            .await?;
        records
            .into_iter()
            .filter_map(|record| {
                let id = record.id.strip_prefix(&prefix)?.parse::<Uuid>().ok()?;
                Some(
                    serde_json::from_str::<WatchBody>(&record.body)
                        .map(|body| (id, body))
                        .map_err(|error| EngineError::Internal(error.to_string())),
                )
            })
            .collect()
    }

    async fn put_watch(
        &self,
        actor: &Actor,
        id: Uuid,
        body: &WatchBody,
        ctx: &RequestContext,
    ) -> EngineResult<()> {
        let text = serde_json::to_string(body)
            .map_err(|error| EngineError::Internal(error.to_string()))?;
        let draft = self.draft(
            Some(actor),
            JournalAction::Modify,
            format!("watch:{id}"),
            "",
            Outcome::Allow,
            ctx,
        );
        self.commit(WriteBatch {
            mutations: vec![Mutation::PutRecord(WorkflowRecord {
                kind: KIND.to_owned(),
                id: record_id(actor.account.id, id),
                target_a: None,
                target_b: None,
                starts_micros: body.created_micros,
                ends_micros: i64::MAX,
                area: None,
                body: text,
            })],
            journal: vec![draft],
        })
        .await?;
        Ok(())
    }
}

fn consultable(actor: &Actor, object: ObjectMarks<'_>) -> bool {
    decide(&actor.subject(), Action::ConsultEntity, Some(object)).is_allowed()
}

fn view(id: Uuid, body: WatchBody, news: WatchNews, unavailable: bool) -> EngineResult<WatchView> {
    let at = |micros: i64| {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
            .map_err(|error| EngineError::Internal(error.to_string()))
    };
    Ok(WatchView {
        id,
        label: body.label,
        subject: body.subject,
        created_at: at(body.created_micros)?,
        seen_at: at(body.seen_micros)?,
        news,
        unavailable,
    })
}
