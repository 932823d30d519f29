-- Vigie SQLite schema, version 2: the national target file (FNOS) and its deconfliction workflows.
--
-- `targets.body` is the engine's TargetFile as JSON; the store filters only on unit and expiry.
-- `ord` is the registration order: the single writer gives each new target MAX(ord) + 1, so of two
-- targets the smaller `ord` was registered first.
CREATE TABLE targets (
    id                   TEXT PRIMARY KEY NOT NULL,
    ord                  INTEGER NOT NULL UNIQUE,
    unit                 TEXT NOT NULL,
    registered_at_micros INTEGER NOT NULL,
    expires_at_micros    INTEGER NOT NULL,
    body                 TEXT NOT NULL
) STRICT;

CREATE INDEX targets_unit ON targets (unit, ord);
CREATE INDEX targets_expiry ON targets (expires_at_micros);

-- Deconfliction keys: 16-byte digests (vigie_targets::keys), never readable identifiers. `unit`
-- repeats the target's unit so that a unit's conflicts are found without reading every target.
CREATE TABLE target_keys (
    digest          BLOB NOT NULL CHECK (length(digest) = 16),
    target          TEXT NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    unit            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    exact           INTEGER NOT NULL CHECK (exact IN (0, 1)),
    added_at_micros INTEGER NOT NULL,
    PRIMARY KEY (digest, target)
) STRICT, WITHOUT ROWID;

CREATE INDEX target_keys_unit ON target_keys (unit, digest);
CREATE INDEX target_keys_target ON target_keys (target);

-- Small typed documents of the workflows (arbitrations, operations, priority list, alerts), JSON in
-- `body`; erased with the targets they name.
CREATE TABLE workflow_records (
    kind          TEXT NOT NULL,
    id            TEXT NOT NULL,
    target_a      TEXT,
    target_b      TEXT,
    starts_micros INTEGER NOT NULL,
    ends_micros   INTEGER NOT NULL,
    body          TEXT NOT NULL,
    PRIMARY KEY (kind, id)
) STRICT;

CREATE INDEX workflow_records_a ON workflow_records (target_a) WHERE target_a IS NOT NULL;
CREATE INDEX workflow_records_b ON workflow_records (target_b) WHERE target_b IS NOT NULL;
CREATE INDEX workflow_records_window ON workflow_records (kind, starts_micros);
