//! The intelligence repository's part of the story: items written with their entities, read by id,
//! by entity, as sanitised copies of an original and as a feed by change order; a rewrite moves an
//! item to the end of the feed and replaces its entities; a refused batch writes nothing.

use super::*;
use vigie_core::entity::{EntityId, LegalRegime};
use vigie_core::org::UnitId;
use vigie_intel::ItemId;
use vigie_store::{IntelQuery, IntelRecord};

fn item_id(n: u128) -> ItemId {
    ItemId(uuid::Uuid::from_u128(0x7000 + n))
}

fn entity(n: u128) -> EntityId {
    EntityId(uuid::Uuid::from_u128(0x7100 + n))
}

fn item(n: u128, entities: Vec<EntityId>, copy_of: Option<ItemId>) -> IntelRecord {
    IntelRecord {
        id: item_id(n),
        owner_unit: UnitId(uuid::Uuid::from_u128(0x7200)),
        departement: Some("13".to_owned()),
        regime: LegalRegime::Administrative,
        recorded_at_micros: T0 + n as i64,
        sanitised_from: copy_of,
        entities,
        changed: 0,
        body: format!("{{\"n\":{n}}}"),
    }
}

fn ids(records: &[IntelRecord]) -> Vec<ItemId> {
    records.iter().map(|record| record.id).collect()
}

impl Story {
    async fn put_items(&mut self, items: Vec<IntelRecord>) {
        self.store
            .write(WriteBatch {
                mutations: items.into_iter().map(Mutation::PutIntelItem).collect(),
                journal: vec![admin_draft("intel", "req-intel")],
            })
            .await
            .unwrap();
        self.journal_len += 1;
    }

    pub(crate) async fn intel(&mut self) {
        let all = |after: Option<i64>| IntelQuery {
            changed_after: after,
            limit: 100,
            ..IntelQuery::default()
        };
        assert!(self.store.intel_items(&all(None)).await.unwrap().is_empty());
        self.put_items(vec![
            item(1, vec![entity(1), entity(2)], None),
            item(2, vec![entity(2)], None),
        ])
        .await;
        self.put_items(vec![item(3, vec![entity(3)], Some(item_id(1)))])
            .await;

        let stored = self.store.intel_item(item_id(1)).await.unwrap().unwrap();
        let expected = item(1, vec![entity(1), entity(2)], None);
        assert_eq!(
            (
                stored.owner_unit,
                stored.departement.as_deref(),
                stored.regime,
                stored.recorded_at_micros
            ),
            (
                expected.owner_unit,
                Some("13"),
                LegalRegime::Administrative,
                T0 + 1
            )
        );
        assert_eq!(stored.entities, [entity(1), entity(2)]);
        assert_eq!(stored.body, "{\"n\":1}");
        assert_eq!(self.store.intel_item(item_id(99)).await.unwrap(), None);

        let feed = self.store.intel_items(&all(None)).await.unwrap();
        assert_eq!(ids(&feed), [item_id(1), item_id(2), item_id(3)]);
        assert!(feed
            .windows(2)
            .all(|pair| pair[0].changed < pair[1].changed));
        let after_first = self
            .store
            .intel_items(&all(Some(feed[0].changed)))
            .await
            .unwrap();
        assert_eq!(ids(&after_first), [item_id(2), item_id(3)]);
        let limited = IntelQuery {
            limit: 1,
            ..all(None)
        };
        assert_eq!(
            ids(&self.store.intel_items(&limited).await.unwrap()),
            [item_id(1)]
        );

        let about = |e: EntityId| IntelQuery {
            about: Some(e),
            limit: 100,
            ..IntelQuery::default()
        };
        assert_eq!(
            ids(&self.store.intel_items(&about(entity(2))).await.unwrap()),
            [item_id(1), item_id(2)]
        );
        let copies = IntelQuery {
            copies_of: Some(item_id(1)),
            limit: 100,
            ..IntelQuery::default()
        };
        assert_eq!(
            ids(&self.store.intel_items(&copies).await.unwrap()),
            [item_id(3)]
        );
        assert_eq!(stored.sanitised_from, None);
        assert_eq!(
            self.store
                .intel_item(item_id(3))
                .await
                .unwrap()
                .unwrap()
                .sanitised_from,
            Some(item_id(1))
        );

        // A rewrite (a permission recorded) replaces the entities and moves the item to the end.
        let mut rewritten = item(1, vec![entity(3)], None);
        rewritten.body = "{\"n\":1,\"permissions\":1}".to_owned();
        self.put_items(vec![rewritten]).await;
        let feed = self.store.intel_items(&all(None)).await.unwrap();
        assert_eq!(ids(&feed), [item_id(2), item_id(3), item_id(1)]);
        assert_eq!(
            ids(&self.store.intel_items(&about(entity(2))).await.unwrap()),
            [item_id(2)]
        );
        assert_eq!(
            ids(&self.store.intel_items(&about(entity(3))).await.unwrap()),
            [item_id(3), item_id(1)]
        );
        assert_eq!(feed[2].body, "{\"n\":1,\"permissions\":1}");

        // A batch refused for another reason writes none of its items.
        let before = self.store.journal_len().await.unwrap();
        expect_conflict(
            self.store
                .write(WriteBatch {
                    mutations: vec![
                        Mutation::PutIntelItem(item(4, vec![entity(4)], None)),
                        Mutation::PutRecordIf {
                            record: vigie_store::WorkflowRecord {
                                kind: "test-if".to_owned(),
                                id: "absent".to_owned(),
                                target_a: None,
                                target_b: None,
                                starts_micros: 0,
                                ends_micros: 0,
                                area: None,
                                body: String::new(),
                            },
                            read: Some("never written".to_owned()),
                        },
                    ],
                    journal: vec![admin_draft("intel", "req-intel-refused")],
                })
                .await,
            "an item in a refused batch",
        );
        assert_eq!(self.store.intel_item(item_id(4)).await.unwrap(), None);
        assert!(self
            .store
            .intel_items(&about(entity(4)))
            .await
            .unwrap()
            .is_empty());
        assert_eq!(self.store.journal_len().await.unwrap(), before);
    }
}
