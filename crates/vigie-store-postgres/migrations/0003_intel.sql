-- Vigie PostgreSQL schema, version 3: the intelligence repository's items. Same tables as the
-- SQLite backend's 0004_intel.sql, with native types; `entities` is a uuid array there a
-- space-separated text.
--
-- `changed` comes from the sequence `intel_changes`, larger than any given before whichever node
-- asks: the search index follows items by it.
--
-- Privileges for the application role (see 0001_initial.sql):
--     GRANT SELECT, INSERT, UPDATE ON intel_items, intel_item_entities TO vigie_app;
--     GRANT DELETE ON intel_item_entities TO vigie_app;
--     GRANT USAGE ON SEQUENCE intel_changes TO vigie_app;
CREATE SEQUENCE intel_changes AS BIGINT;

CREATE TABLE intel_items (
    id                 uuid PRIMARY KEY,
    owner_unit         uuid NOT NULL,
    departement        text,
    regime             text NOT NULL,
    recorded_at_micros bigint NOT NULL,
    sanitised_from     uuid REFERENCES intel_items (id),
    entities           uuid[] NOT NULL,
    changed            bigint NOT NULL UNIQUE,
    body               text NOT NULL
);

CREATE INDEX intel_items_copies ON intel_items (sanitised_from) WHERE sanitised_from IS NOT NULL;

CREATE TABLE intel_item_entities (
    entity uuid NOT NULL,
    item   uuid NOT NULL REFERENCES intel_items (id),
    PRIMARY KEY (entity, item)
);
