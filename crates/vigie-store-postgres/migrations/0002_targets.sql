-- Vigie PostgreSQL schema, version 2: the national target file (FNOS) and its deconfliction
-- workflows. Same tables as the SQLite backend's 0002_targets.sql, with native types.
--
-- `ord` is the registration order, from an identity sequence: every node draws from it, so of two
-- targets the smaller `ord` was registered first. Conflicts are derived from shared key digests
-- at read time, so two units registering the same target at once need no lock: both rows commit,
-- and each sees the other.
--
-- Privileges for the application role (see 0001_initial.sql):
--     GRANT SELECT, INSERT, UPDATE, DELETE ON targets, target_keys, workflow_records TO vigie_app;
CREATE TABLE targets (
    id                   uuid PRIMARY KEY,
    ord                  bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    unit                 uuid NOT NULL,
    registered_at_micros bigint NOT NULL,
    expires_at_micros    bigint NOT NULL,
    body                 text NOT NULL
);

CREATE INDEX targets_unit ON targets (unit, ord);
CREATE INDEX targets_expiry ON targets (expires_at_micros);

CREATE TABLE target_keys (
    digest          bytea NOT NULL CHECK (length(digest) = 16),
    target          uuid NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    unit            uuid NOT NULL,
    kind            text NOT NULL,
    exact           boolean NOT NULL,
    added_at_micros bigint NOT NULL,
    PRIMARY KEY (digest, target)
);

CREATE INDEX target_keys_unit ON target_keys (unit, digest);
CREATE INDEX target_keys_target ON target_keys (target);

CREATE TABLE workflow_records (
    kind          text NOT NULL,
    id            text NOT NULL,
    target_a      uuid,
    target_b      uuid,
    starts_micros bigint NOT NULL,
    ends_micros   bigint NOT NULL,
    body          text NOT NULL,
    PRIMARY KEY (kind, id)
);

CREATE INDEX workflow_records_a ON workflow_records (target_a) WHERE target_a IS NOT NULL;
CREATE INDEX workflow_records_b ON workflow_records (target_b) WHERE target_b IS NOT NULL;
CREATE INDEX workflow_records_window ON workflow_records (kind, starts_micros);
