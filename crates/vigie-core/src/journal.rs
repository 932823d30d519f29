//! The consultation journal's cryptography: entry encoding, RFC 6962 Merkle hashing, per-entry MACs,
//! signed checkpoints, and verification.
//!
//! Each entry's canonical bytes (which include its sequence number) give a leaf hash
//! `SHA-256(0x00 || bytes)`; the tree's inner nodes are `SHA-256(0x01 || left || right)` (RFC 6962).
//! Each leaf hash is also bound by an HMAC-SHA-256 under a key that is never stored in the database, so
//! that rewriting entries and recomputing their hashes is detected at the first rewritten entry.
//! Checkpoints (tree size and root) are signed with Ed25519 in the C2SP signed-note format and kept
//! outside the database as well, which detects a truncated tail.
//!
//! This module holds no key material on disk and reads no clock; the engine owns both.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier as _, VerifyingKey};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

pub type Hash = [u8; 32];

/// What was done. Stable strings: they are hashed into entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalAction {
    /// Read a record of personal data.
    Consult,
    /// Ran a search over personal data.
    Search,
    /// Recorded new personal data.
    Collect,
    /// Changed personal data.
    Modify,
    /// Erased personal data.
    Erase,
    /// Read the journal itself.
    ReadJournal,
    /// Administration of units and accounts.
    Administer,
    Login,
    LoginFailed,
    Logout,
}

impl JournalAction {
    pub const ALL: [JournalAction; 10] = [
        JournalAction::Consult,
        JournalAction::Search,
        JournalAction::Collect,
        JournalAction::Modify,
        JournalAction::Erase,
        JournalAction::ReadJournal,
        JournalAction::Administer,
        JournalAction::Login,
        JournalAction::LoginFailed,
        JournalAction::Logout,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JournalAction::Consult => "consult",
            JournalAction::Search => "search",
            JournalAction::Collect => "collect",
            JournalAction::Modify => "modify",
            JournalAction::Erase => "erase",
            JournalAction::ReadJournal => "read_journal",
            JournalAction::Administer => "administer",
            JournalAction::Login => "login",
            JournalAction::LoginFailed => "login_failed",
            JournalAction::Logout => "logout",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|action| action.as_str() == input)
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            JournalAction::Consult => "Consultation",
            JournalAction::Search => "Recherche",
            JournalAction::Collect => "Enregistrement",
            JournalAction::Modify => "Modification",
            JournalAction::Erase => "Effacement",
            JournalAction::ReadJournal => "Lecture du journal",
            JournalAction::Administer => "Administration",
            JournalAction::Login => "Connexion",
            JournalAction::LoginFailed => "Échec de connexion",
            JournalAction::Logout => "Déconnexion",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Allow,
    Deny,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allow => "allow",
            Outcome::Deny => "deny",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "allow" => Some(Outcome::Allow),
            "deny" => Some(Outcome::Deny),
            _ => None,
        }
    }
}

/// A journal entry before the store gives it its sequence number.
/// It names objects by reference ("entity:<uuid>"), never by content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalDraft {
    /// UTC time in microseconds since the Unix epoch.
    pub at_micros: i64,
    /// "account:<uuid>", or "system", or "anonymous".
    pub actor: String,
    /// "unit:<uuid>" or empty.
    pub unit: String,
    pub action: JournalAction,
    /// "entity:<uuid>", "search", "account:<uuid>"...
    pub object: String,
    pub motif: String,
    pub outcome: Outcome,
    pub request_id: String,
    /// The other objects the action put before the actor's eyes, by reference: the entities around
    /// a consulted one. A search by object finds the entry under each of them too. Empty for most
    /// actions; an empty list hashes as before it existed (format v1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shown: Vec<String>,
}

/// An entry as stored: the draft, its sequence number, its leaf hash and its MAC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub seq: u64,
    #[serde(flatten)]
    pub draft: JournalDraft,
    #[serde(with = "hex_hash")]
    pub leaf_hash: Hash,
    #[serde(with = "hex_hash")]
    pub mac: Hash,
}

mod hex_hash {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(hash: &[u8; 32], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&hex::encode(hash))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(deserializer)?;
        let bytes = hex::decode(text).map_err(serde::de::Error::custom)?;
        bytes
            .try_into()
            .map_err(|_| serde::de::Error::custom("expected 32 bytes"))
    }
}

/// The bytes hashed for an entry: every field, length-prefixed, in a fixed order, version-tagged.
/// Version 2 adds the shown objects, count-prefixed; an entry that shows none keeps version 1, so
/// entries written before the field existed verify unchanged.
pub fn canonical_bytes(seq: u64, draft: &JournalDraft) -> Vec<u8> {
    let shown_len: usize = draft.shown.iter().map(|object| 8 + object.len()).sum();
    let mut out = Vec::with_capacity(136 + draft.motif.len() + shown_len);
    out.extend_from_slice(if draft.shown.is_empty() {
        b"vigie-journal-v1"
    } else {
        b"vigie-journal-v2"
    });
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(&draft.at_micros.to_be_bytes());
    for field in [
        draft.actor.as_str(),
        draft.unit.as_str(),
        draft.action.as_str(),
        draft.object.as_str(),
        draft.motif.as_str(),
        draft.outcome.as_str(),
        draft.request_id.as_str(),
    ] {
        out.extend_from_slice(&(field.len() as u64).to_be_bytes());
        out.extend_from_slice(field.as_bytes());
    }
    if !draft.shown.is_empty() {
        out.extend_from_slice(&(draft.shown.len() as u64).to_be_bytes());
        for object in &draft.shown {
            out.extend_from_slice(&(object.len() as u64).to_be_bytes());
            out.extend_from_slice(object.as_bytes());
        }
    }
    out
}

pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0u8]);
    hasher.update(data);
    hasher.finalize().into()
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The root of the empty tree, SHA-256 of the empty string (RFC 6962 §2.1).
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// RFC 6962 Merkle tree hash of a list of leaf hashes, computed recursively (reference version,
/// used by tests to check the incremental one).
pub fn merkle_root(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => empty_root(),
        [single] => *single,
        _ => {
            let split = largest_power_of_two_below(leaves.len());
            let (left, right) = leaves.split_at(split);
            node_hash(&merkle_root(left), &merkle_root(right))
        }
    }
}

fn largest_power_of_two_below(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// The right edge of a Merkle tree: the roots of its perfect subtrees, largest first. Appending a leaf
/// is O(log n) and the root can be read at any size, so the checkpointer never rereads old entries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// (height, hash) of each perfect subtree, heights strictly decreasing.
    subtrees: Vec<(u32, Hash)>,
}

impl Frontier {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn push(&mut self, leaf: Hash) {
        let mut node = (0u32, leaf);
        while let Some(&(height, hash)) = self.subtrees.last() {
            if height != node.0 {
                break;
            }
            self.subtrees.pop();
            node = (height + 1, node_hash(&hash, &node.1));
        }
        self.subtrees.push(node);
        self.size += 1;
    }

    pub fn root(&self) -> Hash {
        let mut iter = self.subtrees.iter().rev();
        let Some(&(_, mut acc)) = iter.next() else {
            return empty_root();
        };
        for (_, hash) in iter {
            acc = node_hash(hash, &acc);
        }
        acc
    }

    /// Serialised form (to keep with a checkpoint so the next one resumes from it).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + self.subtrees.len() * 36);
        out.extend_from_slice(&self.size.to_be_bytes());
        for (height, hash) in &self.subtrees {
            out.extend_from_slice(&height.to_be_bytes());
            out.extend_from_slice(hash);
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let (size, mut rest) = bytes.split_first_chunk::<8>()?;
        let size = u64::from_be_bytes(*size);
        let mut subtrees = Vec::new();
        while !rest.is_empty() {
            let (height, after) = rest.split_first_chunk::<4>()?;
            let (hash, after) = after.split_first_chunk::<32>()?;
            subtrees.push((u32::from_be_bytes(*height), *hash));
            rest = after;
        }
        let frontier = Self { size, subtrees };
        // The subtree sizes must add up to the size, largest first.
        let total: u64 = frontier
            .subtrees
            .iter()
            .map(|(h, _)| 1u64.checked_shl(*h).unwrap_or(0))
            .sum();
        let decreasing = frontier
            .subtrees
            .windows(2)
            .all(|pair| matches!(pair, [a, b] if a.0 > b.0));
        (total == size && decreasing).then_some(frontier)
    }
}

/// The journal's secret: one 32-byte seed from which the checkpoint signing key and the entry MAC key
/// are derived. It lives in a file outside the database.
#[derive(Clone)]
pub struct JournalKey {
    signing: SigningKey,
    mac_key: [u8; 32],
}

impl fmt::Debug for JournalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JournalKey")
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

/// The name in signed checkpoints; also the origin line.
pub const CHECKPOINT_ORIGIN: &str = "vigie.journal/v1";

impl JournalKey {
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let signing = SigningKey::from_bytes(&seed);
        let mut hasher = Sha256::new();
        hasher.update(b"vigie journal mac key v1");
        hasher.update(seed);
        Self {
            signing,
            mac_key: hasher.finalize().into(),
        }
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// A secret for another purpose (the reports' proof-of-work MAC, the receipts' salt), derived
    /// from the same seed so that every node holding the key file agrees on it, and independent of
    /// the journal's own keys: SHA-256 over a fixed label, the purpose and the seed-derived MAC key.
    pub fn derive_secret(&self, purpose: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(b"vigie derived secret v1\0");
        hasher.update(purpose.as_bytes());
        hasher.update([0]);
        hasher.update(self.mac_key);
        hasher.finalize().into()
    }

    /// The C2SP note key id: first 4 bytes of SHA-256(name || "\n" || 0x01 || public key).
    pub fn key_id(&self) -> [u8; 4] {
        key_id(&self.verifying_key())
    }

    pub fn mac(&self, leaf: &Hash) -> Hash {
        // HMAC accepts keys of any length; a 32-byte key cannot fail.
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(&self.mac_key) {
            Ok(mac) => mac,
            Err(_) => return [0; 32],
        };
        mac.update(leaf);
        mac.finalize().into_bytes().into()
    }

    /// Gives a draft its place in the journal: its leaf hash and MAC for sequence number `seq`.
    pub fn seal(&self, seq: u64, draft: JournalDraft) -> JournalEntry {
        let leaf = leaf_hash(&canonical_bytes(seq, &draft));
        let mac = self.mac(&leaf);
        JournalEntry {
            seq,
            draft,
            leaf_hash: leaf,
            mac,
        }
    }

    pub fn sign_checkpoint(&self, size: u64, root: Hash) -> Checkpoint {
        let body = checkpoint_body(size, &root);
        let signature = self.signing.sign(body.as_bytes());
        Checkpoint {
            size,
            root,
            signature: signature.to_bytes(),
        }
    }
}

fn key_id(key: &VerifyingKey) -> [u8; 4] {
    let mut hasher = Sha256::new();
    hasher.update(CHECKPOINT_ORIGIN.as_bytes());
    hasher.update(b"\n");
    hasher.update([1u8]);
    hasher.update(key.as_bytes());
    let digest: [u8; 32] = hasher.finalize().into();
    [digest[0], digest[1], digest[2], digest[3]]
}

fn checkpoint_body(size: u64, root: &Hash) -> String {
    format!("{CHECKPOINT_ORIGIN}\n{size}\n{}\n", BASE64.encode(root))
}

/// A signed tree head: the journal had `size` entries and this root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub size: u64,
    pub root: Hash,
    pub signature: [u8; 64],
}

impl Checkpoint {
    /// The C2SP signed note: body, blank line, one signature line.
    pub fn to_note(&self, key_id: [u8; 4]) -> String {
        let mut sig = Vec::with_capacity(68);
        sig.extend_from_slice(&key_id);
        sig.extend_from_slice(&self.signature);
        format!(
            "{}\n\u{2014} {CHECKPOINT_ORIGIN} {}\n",
            checkpoint_body(self.size, &self.root),
            BASE64.encode(sig)
        )
    }

    /// Parses one note; `None` if it is not well formed (the signature is checked by `verify`).
    pub fn from_note(note: &str) -> Option<Self> {
        let (body, signatures) = note.split_once("\n\n")?;
        let mut lines = body.lines();
        if lines.next()? != CHECKPOINT_ORIGIN {
            return None;
        }
        let size = lines.next()?.parse().ok()?;
        let root: Hash = BASE64.decode(lines.next()?).ok()?.try_into().ok()?;
        if lines.next().is_some() {
            return None;
        }
        let line = signatures.lines().next()?;
        let encoded = line.strip_prefix(&format!("\u{2014} {CHECKPOINT_ORIGIN} "))?;
        let raw = BASE64.decode(encoded.trim()).ok()?;
        let signature: [u8; 64] = raw.get(4..)?.try_into().ok()?;
        Some(Self {
            size,
            root,
            signature,
        })
    }

    /// Parses a file of notes, one after another.
    pub fn parse_many(text: &str) -> Result<Vec<Self>, usize> {
        let mut out = Vec::new();
        let mut current = String::new();
        for (index, line) in text.lines().enumerate() {
            current.push_str(line);
            current.push('\n');
            if line.starts_with('\u{2014}') {
                out.push(Self::from_note(&current).ok_or(index + 1)?);
                current.clear();
            }
        }
        if current.trim().is_empty() {
            Ok(out)
        } else {
            Err(text.lines().count())
        }
    }

    pub fn verify(&self, key: &VerifyingKey) -> bool {
        let body = checkpoint_body(self.size, &self.root);
        key.verify(body.as_bytes(), &Signature::from_bytes(&self.signature))
            .is_ok()
    }
}

/// The first problem `verify` found, naming the entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tamper {
    /// The entry's content does not match its stored leaf hash: it was edited.
    Altered { seq: u64 },
    /// The leaf hash matches the content but not the MAC: the entry was forged or rewritten with
    /// recomputed hashes.
    Forged { seq: u64 },
    /// Entries are missing before `seq` (expected `expected`).
    Missing { expected: u64, found: u64 },
    /// An entry appears out of order or twice.
    OutOfOrder { seq: u64, previous: u64 },
    /// A signed checkpoint says the journal had `checkpoint_size` entries; only `present` remain.
    Truncated { present: u64, checkpoint_size: u64 },
    /// The tree at `size` does not have the signed root.
    RootMismatch { size: u64 },
    /// A checkpoint's signature is not valid for the journal key.
    BadCheckpointSignature { size: u64 },
}

impl Tamper {
    /// The sequence number of the first bad entry.
    pub fn first_bad_seq(&self) -> u64 {
        match *self {
            Tamper::Altered { seq } | Tamper::Forged { seq } | Tamper::OutOfOrder { seq, .. } => {
                seq
            }
            Tamper::Missing { expected, .. } => expected,
            Tamper::Truncated { present, .. } => present + 1,
            Tamper::RootMismatch { size } | Tamper::BadCheckpointSignature { size } => size,
        }
    }
}

impl fmt::Display for Tamper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tamper::Altered { seq } => write!(f, "entry {seq} was altered: its content does not match its hash"),
            Tamper::Forged { seq } => write!(f, "entry {seq} is forged: its authentication code is wrong (rewritten or injected entry)"),
            Tamper::Missing { expected, found } => write!(f, "entry {expected} is missing (next entry present is {found})"),
            Tamper::OutOfOrder { seq, previous } => write!(f, "entry {seq} is out of order (after {previous})"),
            Tamper::Truncated { present, checkpoint_size } => write!(
                f,
                "journal truncated: entries {} to {checkpoint_size} are missing (a signed checkpoint covers {checkpoint_size} entries)",
                present + 1
            ),
            Tamper::RootMismatch { size } => write!(f, "the first {size} entries do not match their signed checkpoint"),
            Tamper::BadCheckpointSignature { size } => write!(f, "the checkpoint at size {size} has an invalid signature"),
        }
    }
}

/// Streams entries in storage order and checks them against the key and the checkpoints.
pub struct Verifier<'a> {
    key: &'a JournalKey,
    checkpoints: Vec<Checkpoint>,
    next_checkpoint: usize,
    frontier: Frontier,
    expected_seq: u64,
    problem: Option<Tamper>,
}

impl<'a> Verifier<'a> {
    /// `checkpoints` may come from several places (the database, exported files); duplicates are fine.
    pub fn new(key: &'a JournalKey, mut checkpoints: Vec<Checkpoint>) -> Self {
        checkpoints.sort_by_key(|checkpoint| checkpoint.size);
        checkpoints.dedup();
        let verifying = key.verifying_key();
        let problem = checkpoints
            .iter()
            .find(|checkpoint| !checkpoint.verify(&verifying))
            .map(|checkpoint| Tamper::BadCheckpointSignature {
                size: checkpoint.size,
            });
        Self {
            key,
            checkpoints,
            next_checkpoint: 0,
            frontier: Frontier::new(),
            expected_seq: 1,
            problem,
        }
    }

    /// Feeds the next entry; returns false once a problem was found (stop feeding).
    pub fn push(&mut self, entry: &JournalEntry) -> bool {
        if self.problem.is_some() {
            return false;
        }
        if entry.seq != self.expected_seq {
            self.problem = Some(if entry.seq > self.expected_seq {
                Tamper::Missing {
                    expected: self.expected_seq,
                    found: entry.seq,
                }
            } else {
                Tamper::OutOfOrder {
                    seq: entry.seq,
                    previous: self.expected_seq.saturating_sub(1),
                }
            });
            return false;
        }
        let leaf = leaf_hash(&canonical_bytes(entry.seq, &entry.draft));
        if leaf != entry.leaf_hash {
            self.problem = Some(Tamper::Altered { seq: entry.seq });
            return false;
        }
        if self.key.mac(&leaf) != entry.mac {
            self.problem = Some(Tamper::Forged { seq: entry.seq });
            return false;
        }
        self.frontier.push(leaf);
        self.expected_seq += 1;
        while let Some(checkpoint) = self.checkpoints.get(self.next_checkpoint) {
            if checkpoint.size > self.frontier.size() {
                break;
            }
            if checkpoint.size == self.frontier.size() && checkpoint.root != self.frontier.root() {
                self.problem = Some(Tamper::RootMismatch {
                    size: checkpoint.size,
                });
                return false;
            }
            self.next_checkpoint += 1;
        }
        true
    }

    /// Ends the walk: the number of entries checked, or the first problem.
    pub fn finish(mut self) -> Result<u64, Tamper> {
        if let Some(problem) = self.problem.take() {
            return Err(problem);
        }
        if let Some(last) = self.checkpoints.last() {
            if last.size > self.frontier.size() {
                return Err(Tamper::Truncated {
                    present: self.frontier.size(),
                    checkpoint_size: last.size,
                });
            }
        }
        Ok(self.frontier.size())
    }
}

#[cfg(test)]
mod tests;
