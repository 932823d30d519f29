-- Vigie SQLite schema, version 7: a data epoch for the read cache.
--
-- The writer adds one to `epoch` in every transaction that changes anything but the journal, whatever
-- process it runs in. A cached read remembers the epoch of the snapshot it came from and is served
-- only while the epoch has not moved (src/cache.rs). Journal entries do not move it: no cached read
-- looks at the journal, and a consultation writes entries at every request.
CREATE TABLE data_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch INTEGER NOT NULL
);

INSERT INTO data_epoch (id, epoch) VALUES (1, 0);
