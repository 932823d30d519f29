-- Vigie SQLite schema, version 6: the journal's look-up by object moves out of the hot table.
--
-- A consultation journals one entry per entity it shows, each naming a different, random object.
-- With an index on `journal (object, seq)` every entry dirtied its own leaf page of that index, and
-- a group commit wrote one 4 KiB WAL frame per entry for it: the most expensive part of a journaled
-- consultation (bench/RESULTS.md). Copying the entries into a second index later, in object order,
-- does not help for long: once that index is larger than a batch, each batch touches most of its
-- leaves again.
--
-- So the look-up is a series of sorted runs, appended at the end and never rewritten: the writer
-- copies the entries after the last run into a new run, sorted by object, in a transaction of its
-- own between group commits (crates/vigie-store-sqlite/src/writer.rs). A run's rows sit together in
-- `journal_object_refs` under the run's first sequence number, so appending one writes only new
-- pages. A search by object seeks once per run (`journal_ref_runs`) and scans the short tail of
-- entries after the last run, so it always sees every entry.
--
-- The runs are derived data, not part of the sealed journal: `vigie journal verify` does not read
-- them, and `vigie check` compares their row count with the last sequence number they cover.
CREATE TABLE journal_ref_runs (
    first_seq INTEGER PRIMARY KEY NOT NULL CHECK (first_seq >= 1),
    last_seq  INTEGER NOT NULL CHECK (last_seq >= first_seq)
) STRICT;

CREATE TABLE journal_object_refs (
    run    INTEGER NOT NULL REFERENCES journal_ref_runs (first_seq),
    object TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    PRIMARY KEY (run, object, seq)
) STRICT, WITHOUT ROWID;

-- The entries already written form the first run.
INSERT INTO journal_ref_runs (first_seq, last_seq)
    SELECT 1, MAX(seq) FROM journal HAVING COUNT(*) > 0;
INSERT INTO journal_object_refs (run, object, seq)
    SELECT 1, object, seq FROM journal ORDER BY object, seq;

DROP INDEX journal_object;
