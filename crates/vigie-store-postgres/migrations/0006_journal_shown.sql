-- Vigie PostgreSQL schema, version 6: a journal entry names the other objects it showed.
--
-- A consultation shows an entity and those around it; one entry now records them all, `shown` being
-- a JSON array of object references (NULL when there are none). A search by object finds an entry
-- under its object (journal_object) and under each shown one (journal_shown), so an auditor
-- searching for a person finds every consultation that put that person on screen. Adding a column
-- with no default rewrites no row, so the append-only triggers are not involved.
ALTER TABLE journal ADD COLUMN shown jsonb;

CREATE INDEX journal_shown ON journal USING gin (shown jsonb_path_ops);
