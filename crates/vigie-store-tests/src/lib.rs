//! The storage conformance story: one scenario, generic over [`Store`], that every backend must pass
//! identically. It exercises every method of the trait, atomicity, concurrency of writers, the
//! journal's sequence and seals, and visibility filtering.
//!
//! It lives in its own crate so that the backends need not depend on each other, and so that the
//! engine's tests can reuse its fixtures ([`fixtures`]). It does not test backend-specific guarantees
//! (triggers, privileges, file corruption): each backend crate tests those itself.
//!
//! The story is deterministic: fixed UUIDs (`Uuid::from_u128`), fixed instants, no randomness. The
//! only concurrency is the 200 journal writes of step 5, whose interleaving may vary; what is checked
//! about them holds for every interleaving.

// This crate is test code: a failed expectation must stop the story with a message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::sync::Arc;
use vigie_core::entity::{EntityId, LegalRegime, Link, Schema};
use vigie_core::journal::{
    Frontier, JournalAction, JournalDraft, JournalEntry, JournalKey, Outcome, Verifier,
};
use vigie_core::org::Unit;
use vigie_core::text::fold;
use vigie_store::{
    Counts, EntityQuery, JournalQuery, Mutation, SessionRecord, Store, StoreError, StoreResult,
    Visibility, WriteBatch,
};

pub mod fixtures;
mod intel;
mod targets;

use fixtures::*;

/// The journal key every conformance run uses (a fixed test seed; never used outside tests).
pub fn test_key() -> Arc<JournalKey> {
    Arc::new(JournalKey::from_seed([42; 32]))
}

/// Runs the whole story against a fresh, empty, migrated store opened with [`test_key`].
pub async fn run_story(store: Arc<dyn Store>) {
    let mut story = Story {
        store,
        journal_len: 0,
    };
    story.empty_store().await;
    story.units_and_accounts().await;
    story.sessions().await;
    story.entities_and_links().await;
    story.search().await;
    story.combined_reads().await;
    story.journal().await;
    story.targets().await;
    story.intel().await;
    story.end().await;
}

impl Story {
    /// `session_context` and `entity_with_neighbours` give what the separate reads give.
    async fn combined_reads(&mut self) {
        let store = &self.store;
        let everything = vigie_store::EntityQuery {
            terms: Vec::new(),
            schema: None,
            visibility: vigie_store::Visibility {
                own_unit: vigie_core::org::UnitId(uuid::Uuid::nil()),
                departements: None,
                open_regimes: vigie_core::entity::LegalRegime::ALL.to_vec(),
            },
            limit: 1000,
        };
        let entities = store.search_entities(&everything).await.unwrap();
        assert!(entities.len() >= 2, "the story has entities by now");
        let mut with_links = 0;
        for entity in &entities {
            let found = store
                .entity_with_neighbours(entity.id, 100)
                .await
                .unwrap()
                .expect("entity present");
            assert_eq!(&found.entity, entity);
            let mut expected = Vec::new();
            for link in store.links_of(entity.id).await.unwrap() {
                let other = if link.source == entity.id {
                    link.target
                } else {
                    link.source
                };
                if let Some(other) = store.entity(other).await.unwrap() {
                    expected.push((link, other));
                }
            }
            if !expected.is_empty() {
                with_links += 1;
                let capped = store
                    .entity_with_neighbours(entity.id, 1)
                    .await
                    .unwrap()
                    .expect("entity present");
                assert_eq!(capped.neighbours.len(), 1);
            }
            assert_eq!(found.neighbours, expected, "neighbours of {}", entity.id);
        }
        assert!(with_links > 0, "some entity has links");
        let missing = vigie_core::entity::EntityId(uuid::Uuid::from_u128(0xdead_beef));
        assert_eq!(
            store.entity_with_neighbours(missing, 10).await.unwrap(),
            None
        );

        let accounts = store.accounts().await.unwrap();
        for (index, record) in accounts.iter().enumerate() {
            let session = vigie_store::SessionRecord {
                token_hash: format!("combined-read-{index}"),
                account: record.account.id,
                unit: record.account.unit,
                created_at_micros: 1,
                expires_at_micros: 2,
            };
            store
                .write(vigie_store::WriteBatch {
                    mutations: vec![vigie_store::Mutation::PutSession(session.clone())],
                    journal: Vec::new(),
                })
                .await
                .unwrap();
            let context = store
                .session_context(&session.token_hash)
                .await
                .unwrap()
                .expect("session present");
            assert_eq!(context.session, session);
            assert_eq!(&context.account, record);
            assert_eq!(
                Some(context.unit),
                store.unit(record.account.unit).await.unwrap()
            );
            store
                .write(vigie_store::WriteBatch {
                    mutations: vec![vigie_store::Mutation::DeleteSession {
                        token_hash: session.token_hash.clone(),
                    }],
                    journal: Vec::new(),
                })
                .await
                .unwrap();
            assert_eq!(
                store.session_context(&session.token_hash).await.unwrap(),
                None
            );
        }
        assert_eq!(
            store.session_context("no such session").await.unwrap(),
            None
        );
    }
}

/// Which entries a journal query should find.
type EntryFilter = Box<dyn Fn(&JournalEntry) -> bool>;

struct Story {
    store: Arc<dyn Store>,
    /// The journal length the story expects: every successful write adds its drafts.
    journal_len: u64,
}

#[track_caller]
fn expect_conflict<T: Debug>(result: StoreResult<T>, what: &str) {
    match result {
        Err(StoreError::Conflict(message)) => {
            assert!(!message.is_empty(), "{what}: the conflict says nothing")
        }
        other => panic!("{what}: expected a Conflict, got {other:?}"),
    }
}

#[track_caller]
fn expect_unavailable<T: Debug>(result: StoreResult<T>, what: &str) {
    match result {
        Err(StoreError::Unavailable(_)) => {}
        other => panic!("{what}: expected Unavailable, got {other:?}"),
    }
}

fn sorted_by_id<T: Clone, K: Ord>(items: &[T], key: impl Fn(&T) -> K) -> Vec<T> {
    let mut items = items.to_vec();
    items.sort_by_key(|item| key(item));
    items
}

impl Story {
    /// Writes a batch that must succeed; checks the sequence numbers it got.
    async fn write_ok(&mut self, batch: WriteBatch, what: &str) -> Vec<u64> {
        let drafts = batch.journal.len() as u64;
        let seqs = self
            .store
            .write(batch)
            .await
            .unwrap_or_else(|error| panic!("{what}: write failed: {error}"));
        let expected: Vec<u64> = (self.journal_len + 1..=self.journal_len + drafts).collect();
        assert_eq!(
            seqs, expected,
            "{what}: sequence numbers follow the journal without gaps"
        );
        self.journal_len += drafts;
        seqs
    }

    /// Writes a batch that must be refused as a conflict, and checks that nothing of it was kept.
    async fn write_conflict(&mut self, batch: WriteBatch, what: &str) {
        let counts = self.store.counts().await.unwrap();
        expect_conflict(self.store.write(batch).await, what);
        assert_eq!(
            self.store.journal_len().await.unwrap(),
            self.journal_len,
            "{what}: no journal entry was kept"
        );
        assert_eq!(
            self.store.counts().await.unwrap(),
            counts,
            "{what}: nothing was written"
        );
    }

    async fn empty_store(&mut self) {
        let store = &self.store;
        assert!(
            matches!(store.backend(), "sqlite" | "postgres"),
            "unknown backend {:?}",
            store.backend()
        );
        store.health().await.expect("a fresh store is healthy");
        assert_eq!(
            store.counts().await.unwrap(),
            Counts::default(),
            "a fresh store is empty"
        );
        assert_eq!(store.journal_len().await.unwrap(), 0);
        assert!(store.journal_range(1, 10).await.unwrap().is_empty());
        assert_eq!(store.latest_checkpoint().await.unwrap(), None);
        assert!(store.checkpoints().await.unwrap().is_empty());
        assert!(store.units().await.unwrap().is_empty());
        assert!(store.accounts().await.unwrap().is_empty());
        // An empty batch commits and takes no sequence number.
        self.write_ok(WriteBatch::default(), "empty batch").await;
    }

    /// Step 1: units and accounts, read back every way; username and code uniqueness, atomically.
    async fn units_and_accounts(&mut self) {
        let units = all_units();
        let accounts = all_accounts();
        let mut batch = WriteBatch::default();
        for unit in &units {
            batch.mutations.push(Mutation::PutUnit(unit.clone()));
            batch
                .journal
                .push(admin_draft(&format!("unit:{}", unit.id), "req-setup-units"));
        }
        for record in &accounts {
            batch.mutations.push(Mutation::PutAccount(record.clone()));
            batch.journal.push(admin_draft(
                &format!("account:{}", record.account.id),
                "req-setup-accounts",
            ));
        }
        let seqs = self.write_ok(batch, "setting up units and accounts").await;
        assert_eq!(
            seqs,
            (1..=10).collect::<Vec<u64>>(),
            "the journal starts at 1"
        );

        let store = Arc::clone(&self.store);
        for unit in &units {
            assert_eq!(
                store.unit(unit.id).await.unwrap().as_ref(),
                Some(unit),
                "unit {} by id",
                unit.code
            );
        }
        assert_eq!(
            store.unit(unit_id(0xdead)).await.unwrap(),
            None,
            "an unknown unit"
        );
        let key = |unit: &Unit| unit.id;
        assert_eq!(
            sorted_by_id(&store.units().await.unwrap(), key),
            sorted_by_id(&units, key),
            "units listing"
        );
        for record in &accounts {
            let account = &record.account;
            assert_eq!(
                store.account(account.id).await.unwrap().as_ref(),
                Some(record),
                "account {} by id",
                account.username
            );
            assert_eq!(
                store
                    .account_by_username(&account.username)
                    .await
                    .unwrap()
                    .as_ref(),
                Some(record),
                "account {} by username",
                account.username
            );
        }
        assert_eq!(store.account(account_id(0xdead)).await.unwrap(), None);
        assert_eq!(store.account_by_username("inconnu").await.unwrap(), None);
        let key = |record: &vigie_store::AccountRecord| record.account.id;
        assert_eq!(
            sorted_by_id(&store.accounts().await.unwrap(), key),
            sorted_by_id(&accounts, key),
            "accounts listing"
        );

        // Putting an account again replaces it (disabled, renamed, new password hash).
        let mut dupont = account_record(ACCOUNT_DUPONT);
        dupont.account.display_name = "Jeanne Dupont (mutée)".to_owned();
        dupont.account.disabled = true;
        dupont.password_hash =
            "$argon2id$v=19$m=19456,t=2,p=1$bm91dmVhdQ$bm91dmVhdS1oYXNo".to_owned();
        self.write_ok(
            WriteBatch {
                mutations: vec![Mutation::PutAccount(dupont.clone())],
                journal: vec![admin_draft(
                    &format!("account:{}", dupont.account.id),
                    "req-disable",
                )],
            },
            "replacing an account",
        )
        .await;
        assert_eq!(
            store.account(dupont.account.id).await.unwrap(),
            Some(dupont.clone())
        );
        assert_eq!(
            store.account_by_username("j.dupont").await.unwrap(),
            Some(dupont)
        );
        assert_eq!(
            store.accounts().await.unwrap().len(),
            accounts.len(),
            "a replaced account is not a new one"
        );
        // A unit renamed in place keeps its id and code.
        let mut paris = unit(UNIT_SD_PARIS);
        paris.name = "Sûreté départementale de Paris (DTPP)".to_owned();
        self.write_ok(
            WriteBatch {
                mutations: vec![Mutation::PutUnit(paris.clone())],
                journal: vec![admin_draft(&format!("unit:{}", paris.id), "req-rename")],
            },
            "renaming a unit",
        )
        .await;
        assert_eq!(store.unit(paris.id).await.unwrap(), Some(paris.clone()));
        // Leave the fixture as it was for the rest of the story.
        self.write_ok(
            WriteBatch {
                mutations: vec![Mutation::PutUnit(unit(UNIT_SD_PARIS))],
                journal: vec![],
            },
            "renaming the unit back",
        )
        .await;

        // A taken username refuses the whole batch: the new unit before it and the journal drafts too.
        let lyon = Unit {
            id: unit_id(0x1099),
            code: "SD-LYON".to_owned(),
            name: "Sûreté départementale du Rhône".to_owned(),
            kind: vigie_core::org::UnitKind::Police,
            territory: vigie_core::org::Territory::departements(["69"]),
            parent: None,
        };
        let mut usurper = account_record(ACCOUNT_MARTIN);
        usurper.account.id = account_id(0x2099);
        usurper.account.unit = lyon.id;
        usurper.account.display_name = "Autre Martin".to_owned();
        self.write_conflict(
            WriteBatch {
                mutations: vec![
                    Mutation::PutUnit(lyon.clone()),
                    Mutation::PutAccount(usurper.clone()),
                ],
                journal: vec![
                    admin_draft(&format!("unit:{}", lyon.id), "req-dup"),
                    admin_draft(&format!("account:{}", usurper.account.id), "req-dup"),
                ],
            },
            "a second account named a.martin",
        )
        .await;
        assert_eq!(
            store.unit(lyon.id).await.unwrap(),
            None,
            "the unit of the refused batch was not written"
        );
        assert_eq!(store.account(usurper.account.id).await.unwrap(), None);
        assert_eq!(
            store
                .account_by_username("a.martin")
                .await
                .unwrap()
                .map(|record| record.account.id),
            Some(account_id(ACCOUNT_MARTIN)),
            "a.martin is still the first account"
        );
        // A unit code is unique too.
        let mut second_ofast = lyon.clone();
        second_ofast.code = "OFAST".to_owned();
        self.write_conflict(
            WriteBatch {
                mutations: vec![Mutation::PutUnit(second_ofast)],
                journal: vec![admin_draft("unit:second-ofast", "req-dup-code")],
            },
            "a second unit coded OFAST",
        )
        .await;
        assert_eq!(store.unit(lyon.id).await.unwrap(), None);
    }

    /// Step 2: sessions put, replaced, read, deleted one by one and per account.
    async fn sessions(&mut self) {
        let store = Arc::clone(&self.store);
        let martin = account_record(ACCOUNT_MARTIN).account;
        let bernard = account_record(ACCOUNT_BERNARD).account;
        let session =
            |token: char, account: &vigie_core::org::Account, offset: i64| SessionRecord {
                token_hash: token.to_string().repeat(64),
                account: account.id,
                unit: account.unit,
                created_at_micros: T0 + offset,
                expires_at_micros: T0 + offset + 8 * 3_600_000_000,
            };
        let first = session('a', &martin, 0);
        let second = session('b', &martin, 1_000_000);
        let other = session('c', &bernard, 2_000_000);
        let mut batch = WriteBatch::default();
        for record in [&first, &second, &other] {
            batch.mutations.push(Mutation::PutSession(record.clone()));
            batch.journal.push(draft(
                &format!("account:{}", record.account),
                JournalAction::Login,
                "session",
                "req-login",
            ));
        }
        self.write_ok(batch, "opening sessions").await;
        for record in [&first, &second, &other] {
            assert_eq!(
                store.session(&record.token_hash).await.unwrap().as_ref(),
                Some(record)
            );
        }
        assert_eq!(
            store.session(&"f".repeat(64)).await.unwrap(),
            None,
            "an unknown token"
        );

        let mut extended = first.clone();
        extended.expires_at_micros += 3_600_000_000;
        self.write_ok(
            WriteBatch {
                mutations: vec![Mutation::PutSession(extended.clone())],
                journal: vec![],
            },
            "extending a session",
        )
        .await;
        assert_eq!(
            store.session(&first.token_hash).await.unwrap(),
            Some(extended)
        );

        self.write_ok(
            WriteBatch {
                mutations: vec![Mutation::DeleteSession {
                    token_hash: second.token_hash.clone(),
                }],
                journal: vec![draft(
                    &format!("account:{}", martin.id),
                    JournalAction::Logout,
                    "session",
                    "req-logout",
                )],
            },
            "logging out",
        )
        .await;
        assert_eq!(
            store.session(&second.token_hash).await.unwrap(),
            None,
            "the deleted session is gone"
        );
        assert!(
            store.session(&first.token_hash).await.unwrap().is_some(),
            "the other session remains"
        );

        self.write_ok(
            WriteBatch {
                mutations: vec![Mutation::DeleteSessionsOf { account: martin.id }],
                journal: vec![admin_draft(&format!("account:{}", martin.id), "req-revoke")],
            },
            "revoking an account's sessions",
        )
        .await;
        assert_eq!(
            store.session(&first.token_hash).await.unwrap(),
            None,
            "every session of a.martin is gone"
        );
        assert_eq!(
            store.session(&other.token_hash).await.unwrap(),
            Some(other),
            "o.bernard's session remains"
        );
        // Deleting what does not exist is not an error.
        self.write_ok(
            WriteBatch {
                mutations: vec![Mutation::DeleteSession {
                    token_hash: "0".repeat(64),
                }],
                journal: vec![],
            },
            "deleting an unknown session",
        )
        .await;
    }

    /// Step 3: entities inserted, read, updated under version control; links both ways.
    async fn entities_and_links(&mut self) {
        let store = Arc::clone(&self.store);
        let entities = all_entities();
        // One write each, so that "most recently changed" is unambiguous on every backend.
        for entity in &entities {
            self.write_ok(
                WriteBatch {
                    mutations: vec![Mutation::InsertEntity(entity.clone())],
                    journal: vec![draft(
                        &format!("account:{}", entity.provenance.recorded_by),
                        JournalAction::Collect,
                        &format!("entity:{}", entity.id),
                        "req-collect",
                    )],
                },
                "recording an entity",
            )
            .await;
        }
        for entity in &entities {
            assert_eq!(
                store.entity(entity.id).await.unwrap().as_ref(),
                Some(entity),
                "entity {} read back",
                entity.caption()
            );
        }
        assert_eq!(
            store.entity(entity_id(0xdead)).await.unwrap(),
            None,
            "an unknown entity"
        );

        // The same id twice: the batch is refused, including the new entity before it.
        let mut newcomer = entity(E_GARNIER);
        newcomer.id = entity_id(0x3099);
        self.write_conflict(
            WriteBatch {
                mutations: vec![
                    Mutation::InsertEntity(newcomer.clone()),
                    Mutation::InsertEntity(entity(E_PLATE)),
                ],
                journal: vec![draft(
                    "system",
                    JournalAction::Collect,
                    "entity:dup",
                    "req-dup-entity",
                )],
            },
            "inserting an entity twice",
        )
        .await;
        assert_eq!(store.entity(newcomer.id).await.unwrap(), None);

        // Update with the right version.
        let original = entity(E_VASSEUR);
        let updated = vasseur_v2();
        self.write_ok(
            WriteBatch {
                mutations: vec![Mutation::UpdateEntity {
                    entity: updated.clone(),
                    expected_version: 1,
                }],
                journal: vec![draft(
                    &format!("account:{}", account_id(ACCOUNT_MARTIN)),
                    JournalAction::Modify,
                    &format!("entity:{}", original.id),
                    "req-modify",
                )],
            },
            "updating an entity",
        )
        .await;
        assert_eq!(
            store.entity(original.id).await.unwrap(),
            Some(updated.clone())
        );

        // A stale version is a conflict and changes nothing.
        let mut stale = original.clone();
        stale.version = 2;
        stale
            .properties
            .insert("notes".to_owned(), vec!["écrasement concurrent".to_owned()]);
        self.write_conflict(
            WriteBatch {
                mutations: vec![Mutation::UpdateEntity {
                    entity: stale.clone(),
                    expected_version: 1,
                }],
                journal: vec![draft(
                    "system",
                    JournalAction::Modify,
                    "entity:stale",
                    "req-stale",
                )],
            },
            "updating from a stale version",
        )
        .await;
        assert_eq!(
            store.entity(original.id).await.unwrap(),
            Some(updated.clone()),
            "the stale update left no trace"
        );
        // Updating an entity that does not exist is a conflict too.
        let mut ghost = entity(E_GARNIER);
        ghost.id = entity_id(0x3098);
        ghost.version = 2;
        self.write_conflict(
            WriteBatch {
                mutations: vec![Mutation::UpdateEntity {
                    entity: ghost,
                    expected_version: 1,
                }],
                journal: vec![],
            },
            "updating a missing entity",
        )
        .await;
        // One stale update spoils its whole batch: the good update beside it is not applied.
        let mut plate_v2 = entity(E_PLATE);
        plate_v2.version = 2;
        plate_v2
            .properties
            .insert("color".to_owned(), vec!["gris".to_owned()]);
        self.write_conflict(
            WriteBatch {
                mutations: vec![
                    Mutation::UpdateEntity {
                        entity: plate_v2,
                        expected_version: 1,
                    },
                    Mutation::UpdateEntity {
                        entity: stale,
                        expected_version: 1,
                    },
                ],
                journal: vec![draft(
                    "system",
                    JournalAction::Modify,
                    "entity:batch",
                    "req-batch",
                )],
            },
            "a batch with one stale update",
        )
        .await;
        assert_eq!(
            store.entity(entity_id(E_PLATE)).await.unwrap(),
            Some(entity(E_PLATE)),
            "the good update was not applied"
        );

        // Links, read from either end.
        let links = all_links();
        let mut batch = WriteBatch::default();
        for link in &links {
            batch.mutations.push(Mutation::InsertLink(link.clone()));
            batch.journal.push(draft(
                "system",
                JournalAction::Collect,
                &format!("link:{}", link.id),
                "req-links",
            ));
        }
        self.write_ok(batch, "recording links").await;
        let key = |link: &Link| link.id;
        let links_of = |id: u128| {
            let store = Arc::clone(&store);
            async move { sorted_by_id(&store.links_of(entity_id(id)).await.unwrap(), key) }
        };
        assert_eq!(
            links_of(E_VASSEUR).await,
            sorted_by_id(&links, key),
            "links from and to Hélène Vasseur"
        );
        assert_eq!(
            links_of(E_PLATE).await,
            vec![link(L_OWNER)],
            "the vehicle's link, seen from its target"
        );
        assert_eq!(links_of(E_PHONE).await, vec![link(L_PHONE)]);
        assert_eq!(
            links_of(E_FERRAND).await,
            vec![link(L_ASSOCIATE)],
            "the link seen from its source"
        );
        assert!(
            links_of(E_OLIVIERS).await.is_empty(),
            "an entity without links"
        );
        self.write_conflict(
            WriteBatch {
                mutations: vec![Mutation::InsertLink(link(L_OWNER))],
                journal: vec![],
            },
            "inserting a link twice",
        )
        .await;
    }

    async fn find(
        &self,
        terms: &[&str],
        schema: Option<Schema>,
        visibility: &Visibility,
        limit: u32,
    ) -> Vec<EntityId> {
        let query = EntityQuery {
            terms: terms.iter().map(|term| (*term).to_owned()).collect(),
            schema,
            visibility: visibility.clone(),
            limit,
        };
        self.store
            .search_entities(&query)
            .await
            .unwrap()
            .into_iter()
            .map(|entity| entity.id)
            .collect()
    }

    /// Step 4: search terms, wildcards, schema filter, visibility, order and limit.
    async fn search(&mut self) {
        let ids = |list: &[u128]| list.iter().map(|id| entity_id(*id)).collect::<Vec<_>>();
        let cross13 = Visibility {
            own_unit: unit_id(UNIT_CROSS_13),
            departements: Some(vec!["13".to_owned()]),
            open_regimes: vec![LegalRegime::Judicial, LegalRegime::Administrative],
        };
        let paris = Visibility {
            own_unit: unit_id(UNIT_SD_PARIS),
            departements: Some(vec!["75".to_owned()]),
            open_regimes: vec![LegalRegime::Judicial],
        };
        let national = Visibility {
            own_unit: unit_id(UNIT_OFAST),
            departements: None,
            open_regimes: vec![
                LegalRegime::Judicial,
                LegalRegime::Administrative,
                LegalRegime::Customs,
            ],
        };
        let douane = Visibility {
            own_unit: unit_id(UNIT_DOUANE),
            departements: Some(vec!["13".to_owned()]),
            open_regimes: vec![LegalRegime::Customs],
        };
        let helene = fold("HÉLÈNE");
        assert_eq!(helene, "helene", "the caller folds accents");

        // Most recently changed first: Hélène Vasseur was updated after every insert.
        assert_eq!(
            self.find(&[&helene], None, &national, 50).await,
            ids(&[E_VASSEUR, E_TRANSPORTS, E_FERRAND])
        );
        let found = self
            .store
            .search_entities(&EntityQuery {
                terms: vec![helene.clone(), "vasseur".to_owned()],
                schema: None,
                visibility: national.clone(),
                limit: 10,
            })
            .await
            .unwrap();
        assert_eq!(
            found,
            vec![vasseur_v2()],
            "a search returns whole, current entities"
        );
        assert_eq!(
            self.find(&[&helene, "chouette"], None, &national, 50).await,
            ids(&[E_VASSEUR]),
            "an alias"
        );
        assert_eq!(
            self.find(&["vass"], None, &national, 50).await,
            ids(&[E_VASSEUR]),
            "part of a word"
        );
        assert!(
            self.find(&["vasseur", "ferrand"], None, &national, 50)
                .await
                .is_empty(),
            "every term must match"
        );
        assert_eq!(
            self.find(&["ab123cd"], None, &national, 50).await,
            ids(&[E_PLATE]),
            "a plate without dashes"
        );
        assert_eq!(
            self.find(&["612345678"], None, &national, 50).await,
            ids(&[E_PHONE]),
            "part of a phone number"
        );
        // Terms are literal text, never patterns.
        for pattern in ["%", "_", "h_l", "hel%", "%helene%", "*"] {
            assert!(
                self.find(&[pattern], None, &national, 50).await.is_empty(),
                "{pattern:?} matches nothing"
            );
        }
        // Schema filter.
        assert_eq!(
            self.find(&[&helene], Some(Schema::Person), &national, 50)
                .await,
            ids(&[E_VASSEUR, E_FERRAND])
        );
        assert_eq!(
            self.find(&[&helene], Some(Schema::Company), &national, 50)
                .await,
            ids(&[E_TRANSPORTS])
        );
        assert!(self
            .find(&[&helene], Some(Schema::Vehicle), &national, 50)
            .await
            .is_empty());
        assert_eq!(
            self.find(&[], Some(Schema::Vehicle), &national, 50).await,
            ids(&[E_PLATE])
        );

        // Visibility. A territorial unit sees its own records wherever they are and whatever their
        // regime, and others' records inside its territory in open regimes only.
        assert_eq!(
            self.find(&[], None, &cross13, 50).await,
            ids(&[E_VASSEUR, E_GARNIER, E_OLIVIERS, E_PLATE])
        );
        assert_eq!(
            self.find(&[&helene], None, &cross13, 50).await,
            ids(&[E_VASSEUR]),
            "not Paris's, not a partner's"
        );
        assert_eq!(
            self.find(&["theo"], None, &cross13, 50).await,
            ids(&[E_GARNIER]),
            "its own record in the 75"
        );
        assert!(
            self.find(&["theo"], None, &paris, 50).await.is_empty(),
            "in Paris's territory but a partner's regime"
        );
        assert_eq!(
            self.find(&[&helene], None, &paris, 50).await,
            ids(&[E_FERRAND])
        );
        assert_eq!(
            self.find(&[], None, &douane, 50).await,
            ids(&[E_PHONE]),
            "customs sees its own only"
        );
        // National: everywhere, open regimes only (and records without a département).
        assert_eq!(
            self.find(&[], None, &national, 50).await,
            ids(&[
                E_VASSEUR,
                E_TRANSPORTS,
                E_OLIVIERS,
                E_FERRAND,
                E_PHONE,
                E_PLATE
            ])
        );
        let nothing_open = Visibility {
            open_regimes: vec![],
            ..national.clone()
        };
        assert_eq!(
            self.find(&[], None, &nothing_open, 50).await,
            ids(&[E_TRANSPORTS]),
            "own records only"
        );
        let no_territory = Visibility {
            departements: Some(vec![]),
            ..national.clone()
        };
        assert_eq!(
            self.find(&[], None, &no_territory, 50).await,
            ids(&[E_TRANSPORTS]),
            "an empty territory"
        );
        // Limit.
        assert_eq!(
            self.find(&[], None, &national, 2).await,
            ids(&[E_VASSEUR, E_TRANSPORTS])
        );
        assert!(self.find(&[], None, &national, 0).await.is_empty());
    }

    /// Step 5: concurrent writers, gapless numbering, seals, checkpoints, journal search.
    async fn journal(&mut self) {
        let store = Arc::clone(&self.store);
        let before = store.journal_len().await.unwrap();
        assert_eq!(before, self.journal_len);

        // 200 writes from 200 tasks at once, with 1 to 3 entries each.
        let batches: Vec<Vec<JournalDraft>> = (0..200).map(concurrent_drafts).collect();
        let tasks: Vec<_> = batches
            .iter()
            .cloned()
            .map(|journal| {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    store
                        .write(WriteBatch {
                            mutations: vec![],
                            journal,
                        })
                        .await
                })
            })
            .collect();
        let mut given: BTreeMap<u64, JournalDraft> = BTreeMap::new();
        for (drafts, task) in batches.iter().zip(tasks) {
            let seqs = task
                .await
                .expect("a writer task panicked")
                .expect("a concurrent write failed");
            assert_eq!(seqs.len(), drafts.len(), "one sequence number per entry");
            assert!(
                seqs.windows(2).all(|pair| pair[0] < pair[1]),
                "a write's numbers increase: {seqs:?}"
            );
            for (seq, draft) in seqs.into_iter().zip(drafts) {
                assert!(
                    given.insert(seq, draft.clone()).is_none(),
                    "sequence number {seq} given twice"
                );
            }
        }
        let total: u64 = batches.iter().map(|drafts| drafts.len() as u64).sum();
        self.journal_len += total;
        assert_eq!(
            given.keys().copied().collect::<Vec<_>>(),
            (before + 1..=before + total).collect::<Vec<_>>(),
            "the concurrent writes got exactly the next numbers, without gaps"
        );
        assert_eq!(store.journal_len().await.unwrap(), self.journal_len);

        // Every entry is where its write was told, with what it wrote.
        let entries = read_journal(&store).await;
        assert_eq!(
            entries.iter().map(|entry| entry.seq).collect::<Vec<_>>(),
            (1..=self.journal_len).collect::<Vec<_>>(),
            "journal_range returns every entry in order"
        );
        for entry in &entries[before as usize..] {
            assert_eq!(
                Some(&entry.draft),
                given.get(&entry.seq),
                "entry {} holds what its write sent",
                entry.seq
            );
        }
        assert_eq!(
            store.journal_range(self.journal_len + 1, 10).await.unwrap(),
            vec![],
            "nothing past the end"
        );
        let window = store.journal_range(5, 3).await.unwrap();
        assert_eq!(
            window.iter().map(|entry| entry.seq).collect::<Vec<_>>(),
            vec![5, 6, 7]
        );

        // Seals and checkpoints: sign two tree heads, store them, verify the whole journal with them.
        let key = test_key();
        let mut frontier = Frontier::new();
        let mut middle = None;
        for entry in &entries {
            frontier.push(entry.leaf_hash);
            if frontier.size() == 50 {
                middle = Some((key.sign_checkpoint(50, frontier.root()), frontier.clone()));
            }
        }
        let (middle, middle_frontier) = middle.expect("the journal has more than 50 entries");
        let last = key.sign_checkpoint(frontier.size(), frontier.root());
        store
            .put_checkpoint(&middle, &middle_frontier)
            .await
            .unwrap();
        assert_eq!(
            store.latest_checkpoint().await.unwrap(),
            Some((middle.clone(), middle_frontier.clone()))
        );
        store.put_checkpoint(&last, &frontier).await.unwrap();
        assert_eq!(
            store.latest_checkpoint().await.unwrap(),
            Some((last.clone(), frontier.clone())),
            "the largest wins"
        );
        let mut checkpoints = store.checkpoints().await.unwrap();
        checkpoints.sort_by_key(|checkpoint| checkpoint.size);
        assert_eq!(checkpoints, vec![middle, last]);
        let mut verifier = Verifier::new(&key, checkpoints);
        for entry in &entries {
            assert!(verifier.push(entry), "entry {} does not verify", entry.seq);
        }
        assert_eq!(
            verifier.finish(),
            Ok(self.journal_len),
            "the journal verifies with the key and both checkpoints"
        );

        // Journal search: filters, newest first, paging backwards.
        let actor = format!("account:{}", account_id(ACCOUNT_MARTIN));
        let object = format!("entity:{}", entity_id(E_VASSEUR));
        assert!(
            entries
                .iter()
                .any(|entry| entry.draft.object != object && names(entry, &object)),
            "some entries name the searched object only among those they showed"
        );
        let cases: Vec<(JournalQuery, EntryFilter)> = vec![
            (
                JournalQuery {
                    actor: Some(actor.clone()),
                    ..JournalQuery::default()
                },
                {
                    let actor = actor.clone();
                    Box::new(move |entry: &JournalEntry| entry.draft.actor == actor)
                },
            ),
            (
                JournalQuery {
                    object: Some(object.clone()),
                    ..JournalQuery::default()
                },
                {
                    let object = object.clone();
                    Box::new(move |entry: &JournalEntry| names(entry, &object))
                },
            ),
            (
                JournalQuery {
                    action: Some(JournalAction::Search),
                    ..JournalQuery::default()
                },
                Box::new(|entry: &JournalEntry| entry.draft.action == JournalAction::Search),
            ),
            (
                JournalQuery {
                    actor: Some(actor.clone()),
                    action: Some(JournalAction::Consult),
                    ..JournalQuery::default()
                },
                {
                    let actor = actor.clone();
                    Box::new(move |entry: &JournalEntry| {
                        entry.draft.actor == actor && entry.draft.action == JournalAction::Consult
                    })
                },
            ),
            (
                JournalQuery {
                    actor: Some(actor.clone()),
                    object: Some(object.clone()),
                    action: Some(JournalAction::Consult),
                    ..JournalQuery::default()
                },
                {
                    let actor = actor.clone();
                    Box::new(move |entry: &JournalEntry| {
                        entry.draft.actor == actor
                            && names(entry, &object)
                            && entry.draft.action == JournalAction::Consult
                    })
                },
            ),
            (JournalQuery::default(), Box::new(|_: &JournalEntry| true)),
        ];
        for (query, wanted) in &cases {
            let expected: Vec<u64> = entries
                .iter()
                .rev()
                .filter(|entry| wanted(entry))
                .map(|entry| entry.seq)
                .collect();
            assert!(!expected.is_empty(), "{query:?} should match something");
            let found = page_journal(&store, query, 7).await;
            assert_eq!(found, expected, "{query:?}, paged by 7");
        }
        let page = store
            .journal_search(&JournalQuery {
                before_seq: Some(11),
                limit: 5,
                ..JournalQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(
            page.iter().map(|entry| entry.seq).collect::<Vec<_>>(),
            vec![10, 9, 8, 7, 6]
        );
        assert_eq!(page.first(), entries.get(9), "search returns whole entries");
        let none = JournalQuery {
            actor: Some("account:inconnu".to_owned()),
            limit: 10,
            ..JournalQuery::default()
        };
        assert!(store.journal_search(&none).await.unwrap().is_empty());
        let zero = JournalQuery {
            actor: Some(actor),
            limit: 0,
            ..JournalQuery::default()
        };
        assert!(
            store.journal_search(&zero).await.unwrap().is_empty(),
            "limit 0"
        );
    }

    /// Step 6: counts, health, integrity, close.
    async fn end(&mut self) {
        let store = Arc::clone(&self.store);
        assert_eq!(
            store.counts().await.unwrap(),
            Counts {
                units: 5,
                accounts: 5,
                entities: 8,
                links: 3,
                journal: self.journal_len,
                targets: 0,
            }
        );
        store.health().await.expect("healthy before closing");
        assert_eq!(
            store.integrity_check().await.unwrap(),
            Vec::<String>::new(),
            "no integrity problem"
        );

        store.close().await;
        expect_unavailable(
            store
                .write(WriteBatch {
                    mutations: vec![],
                    journal: vec![admin_draft("store", "req-after-close")],
                })
                .await,
            "a write after close",
        );
        expect_unavailable(store.health().await, "health after close");
        expect_unavailable(
            store.entity(entity_id(E_VASSEUR)).await,
            "a read after close",
        );
        store.close().await; // closing twice is harmless
    }
}

/// Reads the whole journal through `journal_range`, 64 entries at a time.
async fn read_journal(store: &Arc<dyn Store>) -> Vec<JournalEntry> {
    let mut entries = Vec::new();
    loop {
        let from = entries
            .last()
            .map_or(1, |entry: &JournalEntry| entry.seq + 1);
        let page = store.journal_range(from, 64).await.unwrap();
        assert!(page.len() <= 64, "journal_range respects its limit");
        if page.is_empty() {
            return entries;
        }
        entries.extend(page);
    }
}

/// Pages through `journal_search` backwards, `limit` entries at a time; the sequence numbers found.
async fn page_journal(store: &Arc<dyn Store>, query: &JournalQuery, limit: u32) -> Vec<u64> {
    let mut seqs: Vec<u64> = Vec::new();
    loop {
        let page_query = JournalQuery {
            before_seq: seqs.last().copied(),
            limit,
            ..query.clone()
        };
        let page = store.journal_search(&page_query).await.unwrap();
        assert!(
            page.len() <= limit as usize,
            "journal_search respects its limit"
        );
        let page_seqs: Vec<u64> = page.iter().map(|entry| entry.seq).collect();
        assert!(
            page_seqs.windows(2).all(|pair| pair[0] > pair[1]),
            "newest first: {page_seqs:?}"
        );
        if let (Some(last), Some(first)) = (seqs.last(), page_seqs.first()) {
            assert!(first < last, "pages do not overlap");
        }
        let done = page.len() < limit as usize;
        seqs.extend(page_seqs);
        if done {
            let unique: BTreeSet<u64> = seqs.iter().copied().collect();
            assert_eq!(unique.len(), seqs.len());
            return seqs;
        }
    }
}

/// The drafts of concurrent write number `index`: 1 to 3 consultations or searches by four agents.
/// Whether a search by `object` should find `entry`: its object, or one it showed.
fn names(entry: &JournalEntry, object: &str) -> bool {
    entry.draft.object == object || entry.draft.shown.iter().any(|shown| shown == object)
}

fn concurrent_drafts(index: usize) -> Vec<JournalDraft> {
    let actors = [
        ACCOUNT_MARTIN,
        ACCOUNT_DUPONT,
        ACCOUNT_LEROY,
        ACCOUNT_BERNARD,
    ];
    let objects = [E_VASSEUR, E_PLATE, E_PHONE, E_FERRAND, E_OLIVIERS];
    (0..index % 3 + 1)
        .map(|part| {
            let actor = actors[index % actors.len()];
            // Odd positions are searches, even ones consultations.
            // Every fourth consultation showed two other entities around the consulted one.
            let entity = |offset: usize| {
                format!(
                    "entity:{}",
                    entity_id(objects[(index + part + offset) % objects.len()])
                )
            };
            let (action, object, shown) = if (index + part) % 2 == 1 {
                (JournalAction::Search, "search".to_owned(), Vec::new())
            } else if index.is_multiple_of(4) {
                (
                    JournalAction::Consult,
                    entity(0),
                    vec![entity(1), entity(2)],
                )
            } else {
                (JournalAction::Consult, entity(0), Vec::new())
            };
            JournalDraft {
                at_micros: T0 + 60_000_000 + (index as i64) * 1_000 + part as i64,
                actor: format!("account:{}", account_id(actor)),
                unit: format!("unit:{}", account_record(actor).account.unit),
                action,
                object,
                motif: format!("Enquête préliminaire 2024/117 — vérification n° {index}"),
                outcome: if index % 17 == 16 {
                    Outcome::Deny
                } else {
                    Outcome::Allow
                },
                request_id: format!("req-{index:03}"),
                shown,
            }
        })
        .collect()
}
