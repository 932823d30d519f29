use super::*;

fn hex32(text: &str) -> Hash {
    hex::decode(text).unwrap().try_into().unwrap()
}

/// The leaves of the RFC 6962 reference tests (certificate-transparency and transparency-dev/merkle).
fn reference_leaves() -> Vec<Hash> {
    let inputs: [&[u8]; 8] = [
        b"",
        b"\x00",
        b"\x10",
        b"\x20\x21",
        b"\x30\x31",
        b"\x40\x41\x42\x43",
        b"\x50\x51\x52\x53\x54\x55\x56\x57",
        b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
    ];
    inputs.iter().map(|data| leaf_hash(data)).collect()
}

#[test]
fn roots_match_the_rfc6962_reference_vectors() {
    let expected = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    let leaves = reference_leaves();
    assert_eq!(
        hex::encode(merkle_root(&[])),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    let mut frontier = Frontier::new();
    assert_eq!(frontier.root(), empty_root());
    for (size, want) in expected.iter().enumerate() {
        assert_eq!(
            merkle_root(&leaves[..=size]),
            hex32(want),
            "recursive root at size {}",
            size + 1
        );
        frontier.push(leaves[size]);
        assert_eq!(
            frontier.root(),
            hex32(want),
            "incremental root at size {}",
            size + 1
        );
    }
}

#[test]
fn frontier_matches_recursive_root_and_round_trips() {
    let leaves: Vec<Hash> = (0u32..200).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let mut frontier = Frontier::new();
    for (index, leaf) in leaves.iter().enumerate() {
        frontier.push(*leaf);
        assert_eq!(frontier.root(), merkle_root(&leaves[..=index]));
        assert_eq!(
            Frontier::from_bytes(&frontier.to_bytes()).as_ref(),
            Some(&frontier)
        );
    }
    assert_eq!(
        Frontier::from_bytes(&[0, 0, 0, 0, 0, 0, 0, 3]),
        None,
        "size without subtrees"
    );
    assert_eq!(Frontier::from_bytes(&[1, 2]), None);
}

fn key() -> JournalKey {
    JournalKey::from_seed([7; 32])
}

fn draft(index: u64) -> JournalDraft {
    JournalDraft {
        at_micros: 1_790_000_000_000_000 + index as i64,
        actor: format!("account:{index}"),
        unit: "unit:1".to_owned(),
        action: JournalAction::Consult,
        object: format!("entity:{index}"),
        motif: "enquête 2026/42".to_owned(),
        outcome: Outcome::Allow,
        request_id: format!("req-{index}"),
        shown: Vec::new(),
    }
}

fn journal(n: u64) -> Vec<JournalEntry> {
    let key = key();
    (1..=n).map(|seq| key.seal(seq, draft(seq))).collect()
}

fn checkpoint_at(entries: &[JournalEntry], size: usize) -> Checkpoint {
    let leaves: Vec<Hash> = entries[..size].iter().map(|e| e.leaf_hash).collect();
    key().sign_checkpoint(size as u64, merkle_root(&leaves))
}

/// Runs the verifier over `entries` with `checkpoints`; the expected outcome is the result.
#[track_caller]
fn check(entries: &[JournalEntry], checkpoints: Vec<Checkpoint>, expected: Result<u64, Tamper>) {
    let key = key();
    let mut verifier = Verifier::new(&key, checkpoints);
    for entry in entries {
        if !verifier.push(entry) {
            break;
        }
    }
    assert_eq!(verifier.finish(), expected);
}

#[test]
fn an_intact_journal_verifies() {
    let entries = journal(20);
    check(
        &entries,
        vec![checkpoint_at(&entries, 8), checkpoint_at(&entries, 20)],
        Ok(20),
    );
    check(&[], vec![], Ok(0));
}

#[test]
fn each_tampering_names_the_first_bad_entry() {
    let original = journal(20);
    let checkpoints = || vec![checkpoint_at(&original, 10), checkpoint_at(&original, 20)];

    // An edited entry.
    let mut edited = original.clone();
    edited[4].draft.motif = "curiosité".to_owned();
    check(&edited, checkpoints(), Err(Tamper::Altered { seq: 5 }));

    // A deleted one.
    let mut deleted = original.clone();
    deleted.remove(6);
    check(
        &deleted,
        checkpoints(),
        Err(Tamper::Missing {
            expected: 7,
            found: 8,
        }),
    );

    // Two swapped (rows keep their own seq: the order is wrong).
    let mut swapped = original.clone();
    swapped.swap(2, 3);
    check(
        &swapped,
        checkpoints(),
        Err(Tamper::Missing {
            expected: 3,
            found: 4,
        }),
    );

    // Two swapped contents, sequence numbers left in place.
    let mut swapped_content = original.clone();
    let (a, b) = (
        swapped_content[2].draft.clone(),
        swapped_content[3].draft.clone(),
    );
    swapped_content[2].draft = b;
    swapped_content[3].draft = a;
    check(
        &swapped_content,
        checkpoints(),
        Err(Tamper::Altered { seq: 3 }),
    );

    // A forged entry appended by someone without the key, with a correct leaf hash.
    let mut forged = original.clone();
    let mut fake = JournalKey::from_seed([9; 32]).seal(21, draft(21));
    fake.draft.actor = "account:x".to_owned();
    fake.leaf_hash = leaf_hash(&canonical_bytes(21, &fake.draft));
    forged.push(fake);
    check(&forged, checkpoints(), Err(Tamper::Forged { seq: 21 }));

    // The tail truncated.
    check(
        &original[..15],
        checkpoints(),
        Err(Tamper::Truncated {
            present: 15,
            checkpoint_size: 20,
        }),
    );

    // The whole chain rewritten from entry 12 with recomputed hashes, by someone without the key.
    let attacker = JournalKey::from_seed([1; 32]);
    let mut rewritten = original.clone();
    for entry in rewritten.iter_mut().skip(11) {
        let mut changed = entry.draft.clone();
        changed.object = "entity:other".to_owned();
        *entry = attacker.seal(entry.seq, changed);
    }
    check(&rewritten, checkpoints(), Err(Tamper::Forged { seq: 12 }));
}

#[test]
fn checkpoints_are_signed_notes() {
    let entries = journal(5);
    let checkpoint = checkpoint_at(&entries, 5);
    let note = checkpoint.to_note(key().key_id());
    assert!(note.starts_with("vigie.journal/v1\n5\n"), "{note}");
    assert_eq!(Checkpoint::from_note(&note), Some(checkpoint.clone()));
    let two = format!(
        "{note}{}",
        checkpoint_at(&entries, 3).to_note(key().key_id())
    );
    assert_eq!(Checkpoint::parse_many(&two).map(|c| c.len()), Ok(2));
    assert!(checkpoint.verify(&key().verifying_key()));
    assert!(!checkpoint.verify(&JournalKey::from_seed([2; 32]).verifying_key()));
    // A checkpoint signed with another key is rejected before any entry is read.
    let foreign = JournalKey::from_seed([3; 32]).sign_checkpoint(5, checkpoint.root);
    check(
        &entries,
        vec![foreign],
        Err(Tamper::BadCheckpointSignature { size: 5 }),
    );
    // A checkpoint with the wrong root for its size.
    let wrong = key().sign_checkpoint(3, checkpoint.root);
    check(&entries, vec![wrong], Err(Tamper::RootMismatch { size: 3 }));
}

#[test]
fn the_objects_an_entry_showed_are_sealed_with_it() {
    let key = key();
    let mut entries = journal(6);
    let mut consultation = draft(4);
    consultation.shown = vec![
        "entity:00000000-0000-0000-0000-000000000031".to_owned(),
        "entity:00000000-0000-0000-0000-000000000032".to_owned(),
    ];
    entries[3] = key.seal(4, consultation.clone());
    check(&entries, vec![checkpoint_at(&entries, 6)], Ok(6));

    // An entry that shows nothing keeps the first format; one that shows something is tagged v2.
    assert!(canonical_bytes(1, &draft(1)).starts_with(b"vigie-journal-v1"));
    assert!(canonical_bytes(4, &consultation).starts_with(b"vigie-journal-v2"));

    // Hiding one shown object, or changing one, is an edit.
    let checkpoints = || vec![checkpoint_at(&entries, 6)];
    let mut hidden = entries.clone();
    hidden[3].draft.shown.pop();
    check(&hidden, checkpoints(), Err(Tamper::Altered { seq: 4 }));
    let mut swapped = entries.clone();
    swapped[3].draft.shown[0] = "entity:00000000-0000-0000-0000-000000000099".to_owned();
    check(&swapped, checkpoints(), Err(Tamper::Altered { seq: 4 }));
    // Moving an object from the list into the main reference changes the bytes too.
    let mut moved = entries.clone();
    moved[3].draft.object = moved[3].draft.shown.remove(0);
    check(&moved, checkpoints(), Err(Tamper::Altered { seq: 4 }));
}
