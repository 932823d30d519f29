-- Vigie PostgreSQL schema, version 5: compact deconfliction keys (after the SQLite backend's
-- 0003_compact_keys.sql; this backend numbers its migrations its own way).
--
-- Keys now name their target by its registration order (`targets.ord`, a bigint) instead of its
-- uuid, and there is one index fewer: (digest, ord) and (ord), no longer (unit, digest). Unlike on
-- SQLite, a key keeps its target's unit: right after a bulk registration, PostgreSQL must visit a
-- new target's row (not its index) to know it is visible, and the count of conflicts that follows
-- the bulk would visit every one of them; with the unit on the key, only the keys of other units'
-- targets lead to their target. A target never changes unit, so the copy cannot go stale. The
-- columns are ordered so that the fixed-width ones need no padding. Rows are smaller, and a bulk
-- registration of 100,000 targets writes far fewer index pages. Measured in bench/RESULTS.md.
--
-- There is no foreign key from a key to its target: PostgreSQL checks one with a trigger per row,
-- which a bulk registration (keys written by COPY) would pay for every key. In its place,
-- src/targets.rs keeps the invariant itself: a target's keys are only ever written by the
-- transaction that holds that target's row (it has just inserted or updated it), and
-- `delete_target`, the only way targets are deleted (expiry included), deletes the target's row
-- first, then its keys, so no key outlives its target. `ord` comes from an identity and is never
-- reused, so even a stray key could not be taken for a later target's.
--
-- The table is new: the privileges granted on the old one are copied onto it below. For the
-- application role (see 0001_initial.sql) the grants are now:
--     GRANT SELECT, INSERT, UPDATE, DELETE ON targets, workflow_records TO vigie_app;
--     GRANT SELECT, INSERT, DELETE ON target_keys TO vigie_app;   -- COPY needs INSERT; no UPDATE
CREATE TABLE target_keys_compact (
    ord             bigint NOT NULL,
    added_at_micros bigint NOT NULL,
    unit            uuid NOT NULL,
    digest          bytea NOT NULL CHECK (length(digest) = 16),
    exact           boolean NOT NULL,
    kind            text NOT NULL,
    CONSTRAINT target_keys_compact_pkey PRIMARY KEY (digest, ord)
);

INSERT INTO target_keys_compact (ord, added_at_micros, unit, digest, exact, kind)
    SELECT t.ord, k.added_at_micros, t.unit, k.digest, k.exact, k.kind
    FROM target_keys k JOIN targets t ON t.id = k.target
    ORDER BY k.digest, t.ord;

-- Whoever could read or write the old keys can read or write the new ones.
DO $$
DECLARE
    granted record;
BEGIN
    FOR granted IN
        SELECT a.privilege_type, a.grantee, a.is_grantable
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = 'target_keys'::regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE format('GRANT %s ON target_keys_compact TO %s%s',
            granted.privilege_type,
            CASE WHEN granted.grantee = 0 THEN 'PUBLIC'
                 ELSE quote_ident(pg_get_userbyid(granted.grantee)) END,
            CASE WHEN granted.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END
$$;

DROP TABLE target_keys;
ALTER TABLE target_keys_compact RENAME TO target_keys;
ALTER INDEX target_keys_compact_pkey RENAME TO target_keys_pkey;
CREATE INDEX target_keys_ord ON target_keys (ord);
