-- Vigie PostgreSQL schema, version 1. Numbered in step with crates/vigie-store-sqlite/migrations/:
-- same tables, same column names; only the types are PostgreSQL's own.
--
-- Applied by src/migrate.rs inside one transaction that holds pg_advisory_xact_lock, so that several
-- Vigie nodes starting at once apply it exactly once. Names are not schema-qualified: everything is
-- created in the first schema of the search_path (the tests' isolated schemas rely on it).
--
-- Storage conventions (src/codec.rs follows them):
-- * identifiers (units, accounts, entities, links) are UUID;
-- * instants are BIGINT microseconds since the Unix epoch, UTC, in the *_micros columns; the one
--   exception is a provenance's `recorded_at`, kept as RFC 3339 TEXT so that its offset and
--   sub-microsecond precision come back exactly as they were given (as on SQLite);
-- * calendar dates (link start and end) are DATE;
-- * enumerations are their stable strings from vigie-core (`as_str`): 'cross', 'judicial', 'consult'...;
--   schemas are their FollowTheMoney names ('Person', 'Vehicle'...);
-- * entity properties are JSONB, {"property": ["value", ...]};
-- * a territory is its département codes joined by commas, '' for the whole country.
--
-- APPEND-ONLY JOURNAL. Triggers below refuse UPDATE, DELETE and TRUNCATE on `journal` and
-- `journal_checkpoints` whoever issues them, and refuse to move `journal_head` backwards or delete it.
-- Triggers are not enough against the tables' owner or a superuser (they can disable triggers, or
-- set session_replication_role = replica). In production, therefore:
-- * let a separate role own the schema and run the migrations (vigie --migrate as that role, once);
-- * run the Vigie nodes as a role that owns nothing and holds only:
--     GRANT USAGE ON SCHEMA <schema> TO vigie_app;
--     GRANT SELECT, INSERT ON journal, journal_checkpoints TO vigie_app;      -- no UPDATE/DELETE/TRUNCATE
--     GRANT SELECT, UPDATE ON journal_head TO vigie_app;
--     GRANT SELECT, INSERT, UPDATE ON units, accounts, entities, links TO vigie_app;
--     GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO vigie_app;
--     GRANT USAGE ON SEQUENCE entity_changes TO vigie_app;
--     GRANT SELECT ON schema_migrations TO vigie_app;
--   and start the nodes with migrate = false;
-- * never make that role a superuser, nor give it REPLICATION or BYPASSRLS.

CREATE TABLE units (
    id        UUID PRIMARY KEY,
    code      TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    territory TEXT NOT NULL,
    parent    UUID
);

CREATE TABLE accounts (
    id            UUID PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    unit          UUID NOT NULL REFERENCES units (id),
    disabled      BOOLEAN NOT NULL,
    password_hash TEXT NOT NULL
);

CREATE INDEX accounts_unit ON accounts (unit);

-- Only the SHA-256 of a session token is stored, never the token.
CREATE TABLE sessions (
    token_hash        TEXT PRIMARY KEY,
    account           UUID NOT NULL REFERENCES accounts (id),
    unit              UUID NOT NULL,
    created_at_micros BIGINT NOT NULL,
    expires_at_micros BIGINT NOT NULL
);

CREATE INDEX sessions_account ON sessions (account);

-- `search_key` is `Entity::search_key()` (folded text), searched with strpos() (never LIKE, so that
-- '%' and '_' in a search are plain characters).
-- `changed` orders entities by their last change: each insert or update takes the next value of the
-- sequence `entity_changes`, which is larger than any given before, whichever node asks.
CREATE SEQUENCE entity_changes AS BIGINT;

CREATE TABLE entities (
    id                UUID PRIMARY KEY,
    schema            TEXT NOT NULL,
    properties        JSONB NOT NULL,
    owner_unit        UUID NOT NULL,
    departement       TEXT,
    regime            TEXT NOT NULL,
    recorded_by       UUID NOT NULL,
    provenance_unit   UUID NOT NULL,
    provenance_source TEXT NOT NULL,
    recorded_at       TEXT NOT NULL,
    version           BIGINT NOT NULL,
    search_key        TEXT NOT NULL,
    changed           BIGINT NOT NULL
);

CREATE UNIQUE INDEX entities_changed ON entities (changed);
CREATE INDEX entities_schema_changed ON entities (schema, changed);

CREATE TABLE links (
    id                UUID PRIMARY KEY,
    kind              TEXT NOT NULL,
    source            UUID NOT NULL REFERENCES entities (id),
    target            UUID NOT NULL REFERENCES entities (id),
    start_date        DATE,
    end_date          DATE,
    owner_unit        UUID NOT NULL,
    departement       TEXT,
    regime            TEXT NOT NULL,
    recorded_by       UUID NOT NULL,
    provenance_unit   UUID NOT NULL,
    provenance_source TEXT NOT NULL,
    recorded_at       TEXT NOT NULL
);

CREATE INDEX links_source ON links (source);
CREATE INDEX links_target ON links (target);

-- One row per journal entry; `seq` is gapless from 1. `leaf_hash` and `mac` are the seals computed by
-- `JournalKey::seal` (RFC 6962 leaf hash of the canonical bytes, HMAC-SHA-256 of the leaf hash).
CREATE TABLE journal (
    seq        BIGINT PRIMARY KEY CHECK (seq >= 1),
    at_micros  BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    unit       TEXT NOT NULL,
    action     TEXT NOT NULL,
    object     TEXT NOT NULL,
    motif      TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    request_id TEXT NOT NULL,
    leaf_hash  BYTEA NOT NULL CHECK (octet_length(leaf_hash) = 32),
    mac        BYTEA NOT NULL CHECK (octet_length(mac) = 32)
);

CREATE INDEX journal_actor ON journal (actor, seq);
CREATE INDEX journal_object ON journal (object, seq);
CREATE INDEX journal_action ON journal (action, seq);

-- The last sequence number given, in a single row. Appending takes this row's lock
-- (UPDATE journal_head SET last_seq = last_seq + n RETURNING last_seq) in the same transaction as the
-- entries, which serialises appenders across every Vigie node until they commit: no gaps, no duplicates.
CREATE TABLE journal_head (
    single   BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (single),
    last_seq BIGINT NOT NULL CHECK (last_seq >= 0)
);

INSERT INTO journal_head (single, last_seq) VALUES (TRUE, 0);

-- Signed tree heads: `root` is the Merkle root of the first `size` entries, `signature` the Ed25519
-- signature of the C2SP note body, `frontier` the serialised `Frontier` to resume from.
CREATE TABLE journal_checkpoints (
    size      BIGINT PRIMARY KEY CHECK (size >= 0),
    root      BYTEA NOT NULL CHECK (octet_length(root) = 32),
    signature BYTEA NOT NULL CHECK (octet_length(signature) = 64),
    frontier  BYTEA NOT NULL
);

-- The append-only guards. SQLSTATE 23001 (restrict_violation): a refused change to protected rows,
-- reported by Vigie as a conflict, like SQLite's RAISE(ABORT).
CREATE FUNCTION vigie_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'vigie: % on % refused: the journal is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE FUNCTION vigie_journal_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.last_seq < OLD.last_seq OR NEW.single IS DISTINCT FROM OLD.single THEN
        RAISE EXCEPTION 'vigie: journal_head may only move forward (from % to %)', OLD.last_seq, NEW.last_seq
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
    FOR EACH ROW EXECUTE FUNCTION vigie_append_only();
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
    FOR EACH ROW EXECUTE FUNCTION vigie_append_only();
CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON journal
    FOR EACH STATEMENT EXECUTE FUNCTION vigie_append_only();

CREATE TRIGGER journal_checkpoints_no_update BEFORE UPDATE ON journal_checkpoints
    FOR EACH ROW EXECUTE FUNCTION vigie_append_only();
CREATE TRIGGER journal_checkpoints_no_delete BEFORE DELETE ON journal_checkpoints
    FOR EACH ROW EXECUTE FUNCTION vigie_append_only();
CREATE TRIGGER journal_checkpoints_no_truncate BEFORE TRUNCATE ON journal_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION vigie_append_only();

CREATE TRIGGER journal_head_forward BEFORE UPDATE ON journal_head
    FOR EACH ROW EXECUTE FUNCTION vigie_journal_head_forward();
CREATE TRIGGER journal_head_no_delete BEFORE DELETE ON journal_head
    FOR EACH ROW EXECUTE FUNCTION vigie_append_only();
CREATE TRIGGER journal_head_no_truncate BEFORE TRUNCATE ON journal_head
    FOR EACH STATEMENT EXECUTE FUNCTION vigie_append_only();
