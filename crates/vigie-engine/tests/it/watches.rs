//! Standing watches: what is new since a watch was last seen, counted through the reader's scope;
//! watches are their owner's alone.

use crate::support::*;
use vigie_core::entity::{EntityId, LinkKind, Schema};
use vigie_engine::{EngineError, NewLink, SearchRequest, WatchSubject};
use vigie_intel::IntelItemDraft;

fn item(text: &str, entities: Vec<EntityId>, handling: &str) -> IntelItemDraft {
    IntelItemDraft {
        text: text.to_owned(),
        observed_on: "2026-11-17".to_owned(),
        observed_until: None,
        place: None,
        commune: Some("13055".to_owned()),
        entities,
        source: "technical".to_owned(),
        source_code: None,
        grade_scheme: "europol_4x4".to_owned(),
        grade: "B2".to_owned(),
        handling: vec![handling.to_owned()],
        restrictions: None,
        regime: "administrative".to_owned(),
    }
}

fn search(query: &str) -> WatchSubject {
    WatchSubject::Search(vigie_search::SearchRequest {
        query: query.to_owned(),
        ..Default::default()
    })
}

async fn person(fixture: &Fixture, actor: &vigie_engine::Actor, n: usize) -> EntityId {
    fixture
        .engine
        .search_entities(
            actor,
            &SearchRequest {
                text: "a".to_owned(),
                schema: Some(Schema::Person),
                motif: "préparation d'une veille".to_owned(),
                limit: 10,
            },
            &ctx(),
        )
        .await
        .unwrap()
        .hits[n]
        .id
}

#[tokio::test]
async fn a_search_watch_counts_new_items_the_reader_may_see_until_marked_seen() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (analyst, _) = login(&fixture, "analyste.cross13").await;
    let (police, _) = login(&fixture, "agent.marseille").await;
    let watch = engine
        .create_watch(
            &analyst,
            "Guetteurs Félix-Pyat",
            search("guetteurs"),
            &ctx(),
        )
        .await
        .unwrap();
    let news = |views: Vec<vigie_engine::WatchView>| views[0].news;
    assert_eq!(
        news(engine.watches(&analyst, &ctx()).await.unwrap()).items,
        0
    );

    fixture.clock.advance(time::Duration::minutes(5));
    engine
        .record_intel(
            &police,
            item(
                "Deux guetteurs au pied du bâtiment B, relève à 14 h.",
                vec![],
                "H0",
            ),
            &ctx(),
        )
        .await
        .unwrap();
    // Kept in the police unit (H2): the analyst's count must not reveal it.
    engine
        .record_intel(
            &police,
            item(
                "Un guetteur signalé par une source de l'unité.",
                vec![],
                "H2",
            ),
            &ctx(),
        )
        .await
        .unwrap();
    // Recorded, but about something else.
    engine
        .record_intel(
            &police,
            item("Livraison de résine par utilitaire blanc.", vec![], "H0"),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(
        news(engine.watches(&analyst, &ctx()).await.unwrap()).items,
        1
    );
    // The agent's own watch on the same words sees both of its unit's items.
    engine
        .create_watch(&police, "Guetteurs", search("guetteurs"), &ctx())
        .await
        .unwrap();
    fixture.clock.advance(time::Duration::minutes(1));
    engine
        .record_intel(
            &police,
            item("Trois guetteurs, rue de Crimée.", vec![], "H2"),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(
        news(engine.watches(&police, &ctx()).await.unwrap()).items,
        1
    );
    assert_eq!(
        news(engine.watches(&analyst, &ctx()).await.unwrap()).items,
        1
    );

    engine
        .mark_watch_seen(&analyst, watch.id, &ctx())
        .await
        .unwrap();
    assert_eq!(
        news(engine.watches(&analyst, &ctx()).await.unwrap()).items,
        0
    );

    // Another account neither lists, marks nor deletes it.
    let listed = engine.watches(&police, &ctx()).await.unwrap();
    assert!(listed.iter().all(|view| view.id != watch.id));
    assert!(matches!(
        engine.mark_watch_seen(&police, watch.id, &ctx()).await,
        Err(EngineError::NotFound)
    ));
    assert!(matches!(
        engine.delete_watch(&police, watch.id, &ctx()).await,
        Err(EngineError::NotFound)
    ));
    engine
        .delete_watch(&analyst, watch.id, &ctx())
        .await
        .unwrap();
    assert!(engine.watches(&analyst, &ctx()).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_entity_watch_counts_new_links_and_items_about_it() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (police, _) = login(&fixture, "agent.marseille").await;
    let watched = person(&fixture, &police, 0).await;
    let other = person(&fixture, &police, 1).await;
    engine
        .create_watch(
            &police,
            "Suivi de la cible",
            WatchSubject::Entity(watched),
            &ctx(),
        )
        .await
        .unwrap();
    fixture.clock.advance(time::Duration::minutes(5));
    engine
        .create_link(
            &police,
            NewLink {
                kind: LinkKind::Associate,
                source: other,
                target: watched,
                start: None,
                end: None,
                source_note: "Surveillance du 23/11".to_owned(),
                basis: None,
            },
            &ctx(),
        )
        .await
        .unwrap();
    engine
        .record_intel(
            &police,
            item(
                "Vu au volant d'un véhicule de location.",
                vec![watched],
                "H0",
            ),
            &ctx(),
        )
        .await
        .unwrap();
    let views = engine.watches(&police, &ctx()).await.unwrap();
    assert_eq!((views[0].news.links, views[0].news.items), (1, 1));
    assert!(!views[0].unavailable);

    // An entity one may not see cannot be watched, and says so as a missing one would.
    let (douane, _) = login(&fixture, "agent.douane").await;
    let hidden = engine
        .create_watch(&douane, "Essai", WatchSubject::Entity(watched), &ctx())
        .await;
    let missing = engine
        .create_watch(
            &douane,
            "Essai",
            WatchSubject::Entity(EntityId(uuid::Uuid::new_v4())),
            &ctx(),
        )
        .await;
    assert!(matches!(missing, Err(EngineError::NotFound)), "{missing:?}");
    // Whether the customs agent may watch it is exactly whether it may consult it.
    let may_consult = engine
        .consult_entity(&douane, watched, "vérification", &ctx())
        .await
        .is_ok();
    match hidden {
        Ok(_) => assert!(may_consult),
        Err(error) => assert!(!may_consult && matches!(error, EngineError::NotFound)),
    }
    let unnamed = engine
        .create_watch(&police, " x ", search("a"), &ctx())
        .await;
    assert!(
        matches!(unnamed, Err(EngineError::Invalid(_))),
        "{unnamed:?}"
    );
}
