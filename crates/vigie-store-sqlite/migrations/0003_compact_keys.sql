-- Vigie SQLite schema, version 3: compact deconfliction keys.
--
-- Keys now name their target by its registration order (`targets.ord`, an integer) instead of its
-- 36-character id, and no longer repeat the unit: a unit's keys are reached through its targets
-- (`targets_unit`, then `target_keys_ord`). Rows are about a quarter of their former size and there
-- is one index fewer, so a bulk registration of 100,000 targets (about 1.9 million keys) writes far
-- fewer pages. Measured in bench/RESULTS.md.
CREATE TABLE target_keys_compact (
    digest          BLOB NOT NULL CHECK (length(digest) = 16),
    ord             INTEGER NOT NULL REFERENCES targets (ord) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    exact           INTEGER NOT NULL CHECK (exact IN (0, 1)),
    added_at_micros INTEGER NOT NULL,
    PRIMARY KEY (digest, ord)
) STRICT, WITHOUT ROWID;

INSERT INTO target_keys_compact (digest, ord, kind, exact, added_at_micros)
    SELECT k.digest, t.ord, k.kind, k.exact, k.added_at_micros
    FROM target_keys k JOIN targets t ON t.id = k.target;

DROP TABLE target_keys;
ALTER TABLE target_keys_compact RENAME TO target_keys;
CREATE INDEX target_keys_ord ON target_keys (ord);
-- Whether a key belongs to another unit's live target, read from the index alone.
CREATE INDEX targets_ord_live ON targets (ord, unit, expires_at_micros);
