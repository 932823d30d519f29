-- Vigie SQLite schema, version 1.
--
-- Storage conventions (the Rust side in src/codec.rs follows them):
-- * identifiers (units, accounts, entities, links) are UUIDs as TEXT, canonical hyphenated lower case;
-- * instants are INTEGER microseconds since the Unix epoch, UTC, in the *_micros columns; the one
--   exception is a provenance's `recorded_at`, kept as RFC 3339 TEXT so that its offset and
--   sub-microsecond precision come back exactly as they were given;
-- * calendar dates (link start and end) are ISO 8601 TEXT, 'YYYY-MM-DD';
-- * enumerations are their stable strings from vigie-core (`as_str`): 'cross', 'judicial', 'consult'...;
--   schemas are their FollowTheMoney names ('Person', 'Vehicle'...);
-- * entity properties are JSON TEXT, {"property": ["value", ...]};
-- * a territory is its département codes joined by commas, '' for the whole country.
-- Every table is STRICT: a value of the wrong type is refused instead of converted.
--
-- The journal and its checkpoints are append-only in the database itself: triggers refuse every
-- UPDATE and DELETE, whoever issues them, and every INSERT of a row that already exists (otherwise
-- `INSERT OR REPLACE` would rewrite an entry: REPLACE deletes without firing delete triggers unless
-- recursive triggers are on, which an intruder's connection would not turn on).

CREATE TABLE units (
    id        TEXT PRIMARY KEY NOT NULL,
    code      TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    territory TEXT NOT NULL,
    parent    TEXT
) STRICT;

CREATE TABLE accounts (
    id            TEXT PRIMARY KEY NOT NULL,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    unit          TEXT NOT NULL REFERENCES units (id),
    disabled      INTEGER NOT NULL CHECK (disabled IN (0, 1)),
    password_hash TEXT NOT NULL
) STRICT;

CREATE INDEX accounts_unit ON accounts (unit);

-- Only the SHA-256 of a session token is stored, never the token.
CREATE TABLE sessions (
    token_hash        TEXT PRIMARY KEY NOT NULL,
    account           TEXT NOT NULL REFERENCES accounts (id),
    unit              TEXT NOT NULL,
    created_at_micros INTEGER NOT NULL,
    expires_at_micros INTEGER NOT NULL
) STRICT;

CREATE INDEX sessions_account ON sessions (account);

-- `search_key` is `Entity::search_key()` (folded text), searched with instr().
-- `changed` orders entities by their last change: each insert or update gives the entity a number
-- larger than every other entity's (the store has a single writer, so the numbers never collide).
CREATE TABLE entities (
    id                TEXT PRIMARY KEY NOT NULL,
    schema            TEXT NOT NULL,
    properties        TEXT NOT NULL,
    owner_unit        TEXT NOT NULL,
    departement       TEXT,
    regime            TEXT NOT NULL,
    recorded_by       TEXT NOT NULL,
    provenance_unit   TEXT NOT NULL,
    provenance_source TEXT NOT NULL,
    recorded_at       TEXT NOT NULL,
    version           INTEGER NOT NULL,
    search_key        TEXT NOT NULL,
    changed           INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX entities_changed ON entities (changed);
CREATE INDEX entities_schema_changed ON entities (schema, changed);

CREATE TABLE links (
    id                TEXT PRIMARY KEY NOT NULL,
    kind              TEXT NOT NULL,
    source            TEXT NOT NULL REFERENCES entities (id),
    target            TEXT NOT NULL REFERENCES entities (id),
    start_date        TEXT,
    end_date          TEXT,
    owner_unit        TEXT NOT NULL,
    departement       TEXT,
    regime            TEXT NOT NULL,
    recorded_by       TEXT NOT NULL,
    provenance_unit   TEXT NOT NULL,
    provenance_source TEXT NOT NULL,
    recorded_at       TEXT NOT NULL
) STRICT;

CREATE INDEX links_source ON links (source);
CREATE INDEX links_target ON links (target);

-- One row per journal entry; `seq` is gapless from 1. `leaf_hash` and `mac` are the seals computed by
-- `JournalKey::seal` (RFC 6962 leaf hash of the canonical bytes, HMAC-SHA-256 of the leaf hash).
CREATE TABLE journal (
    seq        INTEGER PRIMARY KEY NOT NULL CHECK (seq >= 1),
    at_micros  INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    unit       TEXT NOT NULL,
    action     TEXT NOT NULL,
    object     TEXT NOT NULL,
    motif      TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    request_id TEXT NOT NULL,
    leaf_hash  BLOB NOT NULL CHECK (length(leaf_hash) = 32),
    mac        BLOB NOT NULL CHECK (length(mac) = 32)
) STRICT;

CREATE INDEX journal_actor ON journal (actor, seq);
CREATE INDEX journal_object ON journal (object, seq);
CREATE INDEX journal_action ON journal (action, seq);

-- Signed tree heads: `root` is the Merkle root of the first `size` entries, `signature` the Ed25519
-- signature of the C2SP note body, `frontier` the serialised `Frontier` to resume from.
CREATE TABLE journal_checkpoints (
    size      INTEGER PRIMARY KEY NOT NULL CHECK (size >= 0),
    root      BLOB NOT NULL CHECK (length(root) = 32),
    signature BLOB NOT NULL CHECK (length(signature) = 64),
    frontier  BLOB NOT NULL
) STRICT;

CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN
    SELECT RAISE(ABORT, 'journal is append-only');
END;

CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN
    SELECT RAISE(ABORT, 'journal is append-only');
END;

CREATE TRIGGER journal_no_replace BEFORE INSERT ON journal
WHEN EXISTS (SELECT 1 FROM journal WHERE seq = NEW.seq)
BEGIN
    SELECT RAISE(ABORT, 'journal is append-only');
END;

CREATE TRIGGER journal_checkpoints_no_update BEFORE UPDATE ON journal_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'journal is append-only');
END;

CREATE TRIGGER journal_checkpoints_no_delete BEFORE DELETE ON journal_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'journal is append-only');
END;

CREATE TRIGGER journal_checkpoints_no_replace BEFORE INSERT ON journal_checkpoints
WHEN EXISTS (SELECT 1 FROM journal_checkpoints WHERE size = NEW.size)
BEGIN
    SELECT RAISE(ABORT, 'journal is append-only');
END;
