-- Vigie SQLite schema, version 4: the intelligence repository's items.
--
-- An item's body is `vigie_intel::IntelItem` as JSON, opaque here; the columns are what the policy
-- and the lists filter on. `changed` orders items by their last write (the search index follows
-- it); `entities` repeats, space-separated, the entity ids of `intel_item_entities`, so that an item
-- reads in one row while the table answers "which items are about this entity".
CREATE TABLE intel_items (
    id                 TEXT PRIMARY KEY,
    owner_unit         TEXT NOT NULL,
    departement        TEXT,
    regime             TEXT NOT NULL,
    recorded_at_micros INTEGER NOT NULL,
    sanitised_from     TEXT REFERENCES intel_items (id),
    entities           TEXT NOT NULL,
    changed            INTEGER NOT NULL,
    body               TEXT NOT NULL
);

CREATE UNIQUE INDEX intel_items_changed ON intel_items (changed);
CREATE INDEX intel_items_copies ON intel_items (sanitised_from) WHERE sanitised_from IS NOT NULL;

CREATE TABLE intel_item_entities (
    entity TEXT NOT NULL,
    item   TEXT NOT NULL REFERENCES intel_items (id),
    PRIMARY KEY (entity, item)
) WITHOUT ROWID;
