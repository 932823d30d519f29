-- Vigie SQLite schema, version 8: a journal entry names the other objects it showed.
--
-- A consultation shows an entity and those around it; one entry now records them all, `shown` being
-- a JSON array of object references (NULL when there are none). The look-up by object (migration
-- 0006) lists an entry under its object and under each shown one, so an auditor searching for a
-- person finds every consultation that put that person on screen.
ALTER TABLE journal ADD COLUMN shown TEXT;
