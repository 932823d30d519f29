#!/usr/bin/env python3
"""The raw SQLite ceiling: one INSERT and one COMMIT per row, WAL, synchronous=FULL, on the given
directory's disk. Printed beside Vigie's journaled HTTP rate so the two are measured in the same run."""
import os
import sqlite3
import sys
import tempfile
import time

directory = sys.argv[1] if len(sys.argv) > 1 else tempfile.gettempdir()
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
path = os.path.join(directory, "raw-commit-rate.db")
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(path + suffix):
        os.remove(path + suffix)
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, payload BLOB)")
payload = os.urandom(200)
n = 0
start = time.perf_counter()
while time.perf_counter() - start < seconds:
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO t (payload) VALUES (?)", (payload,))
    db.execute("COMMIT")
    n += 1
elapsed = time.perf_counter() - start
print(f"RAW sqlite_single_row_commits_per_s={n / elapsed:.0f} (WAL, synchronous=FULL, {n} commits in {elapsed:.1f}s)")
db.close()
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(path + suffix):
        os.remove(path + suffix)
