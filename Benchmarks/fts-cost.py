#!/usr/bin/env python3
"""Instructions per story that an FTS5 layout costs, in SQLite alone (no jobprepd): the table in
Benchmarks/PROFILE.md, "Session 9". Run one variant under callgrind (instruction counts hold still on a noisy
machine); Python's own statements are in every figure, which the `none` layout measures alone.

Inserts N stories (the benchmark's five text fields) into a fresh WAL database, BATCH stories a transaction, as:
  rows     one row per text field, as jobprepd's search index (OPTIONS are added to its fts5(...) arguments)
  columns  one row per story, one column per field
  none     the same five statements per story, on no table (`SELECT ?, ?, ?`): Python's share

    PY=$(python3 -c 'import sys; print(sys.executable)')      # the interpreter itself, not a pyenv shim
    BATCH=36 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$PY" Benchmarks/fts-cost.py rows 7200 \\
        ", tokenize='unicode61 remove_diacritics 2'"
  then divide callgrind's "Collected" by N. AUTOMERGE=16 sets FTS5's automerge first.
"""
import os
import sqlite3
import sys
import tempfile


def texts(n):
    return [
        f"Story {n}: moving billing to a new store",
        "Billing data had to move to a new store without downtime, for a team of forty engineers.",
        "Dual writes behind a flag, then a backfill checked row by row against the old store.",
        "Two clocks disagreed about time zones, and the backfill competed with peak traffic.",
        "Cut over in a week with no lost invoice; learned to rehearse the rollback first.",
    ]


def main():
    layout = sys.argv[1] if len(sys.argv) > 1 else "rows"
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 7200
    options = sys.argv[3] if len(sys.argv) > 3 else ""
    batch = int(os.environ.get("BATCH", "36"))
    automerge = os.environ.get("AUTOMERGE")
    with tempfile.TemporaryDirectory() as directory:
        db = sqlite3.connect(os.path.join(directory, "fts.db"), isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        if layout == "columns":
            db.execute(f"CREATE VIRTUAL TABLE s USING fts5(c0, c1, c2, c3, c4 {options})")
        else:
            db.execute(f"CREATE VIRTUAL TABLE s USING fts5(content, weight UNINDEXED {options})")
        if automerge:
            db.execute("INSERT INTO s (s, rank) VALUES ('automerge', ?)", (int(automerge),))
        n = 0
        while n < total:
            db.execute("BEGIN IMMEDIATE")
            for _ in range(batch):
                n += 1
                if layout == "rows":
                    for i, text in enumerate(texts(n)):
                        db.execute("INSERT INTO s (rowid, content, weight) VALUES (?, ?, ?)", (n * 64 + i, text, 1.0))
                elif layout == "columns":
                    db.execute("INSERT INTO s (rowid, c0, c1, c2, c3, c4) VALUES (?, ?, ?, ?, ?, ?)", (n, *texts(n)))
                else:
                    for i, text in enumerate(texts(n)):
                        db.execute("SELECT ?, ?, ?", (n * 64 + i, text, 1.0))
            db.execute("COMMIT")
        db.close()


main()
