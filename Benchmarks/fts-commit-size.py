#!/usr/bin/env python3
"""What FTS5 costs per story by commit size, in SQLite alone (no jobprepd): the experiment behind
Benchmarks/PROFILE.md, "Session 3". Inserts N stories (Benchmarks/seed.py's text) into a fresh WAL database with
synchronous=NORMAL, committing every 10, 100 or 1,000 stories, into: a plain table (one row per text field), an
FTS5 table as jobprepd's search index (one row per text field), and an FTS5 table with one row per story.
Prints microseconds per story; Python's own per-statement cost is in every figure alike.

With PREFILL, each table first gets PREFILL stories in one transaction, outside the timing: FTS5 merges its segments
as they pile up, and in an index that already holds many stories the merges cost more than in an empty one.

    python3 Benchmarks/fts-commit-size.py [N [PREFILL]]      (N: 20,000 stories by default; PREFILL: 0)
"""
import importlib.util
import os
import sqlite3
import sys
import tempfile
import time

spec = importlib.util.spec_from_file_location("seed", os.path.join(os.path.dirname(__file__), "seed.py"))
seed = importlib.util.module_from_spec(spec)
spec.loader.exec_module(seed)

FIELDS = ("title", "use_case", "design", "challenges", "outcome")
TABLES = {
    "plain table, row per field": "CREATE TABLE t (id INTEGER PRIMARY KEY, content, weight)",
    "FTS5, row per field": "CREATE VIRTUAL TABLE t USING fts5 (content, weight UNINDEXED, "
                           "tokenize = 'unicode61 remove_diacritics 2')",
    "FTS5 contentless, per field": "CREATE VIRTUAL TABLE t USING fts5 (content, weight UNINDEXED, content='', "
                                   "tokenize = 'unicode61 remove_diacritics 2')",
    "FTS5 contentless, no sizes": "CREATE VIRTUAL TABLE t USING fts5 (content, weight UNINDEXED, content='', "
                                  "columnsize=0, tokenize = 'unicode61 remove_diacritics 2')",
    "FTS5, row per story": "CREATE VIRTUAL TABLE t USING fts5 (c0, c1, c2, c3, c4, "
                           "tokenize = 'unicode61 remove_diacritics 2')",
}


def insert(db, layout, n, story):
    if layout.endswith("per story"):
        db.execute("INSERT INTO t (rowid, c0, c1, c2, c3, c4) VALUES (?, ?, ?, ?, ?, ?)",
                   (n + 1, *(story[f] for f in FIELDS)))
    else:
        for leaf, field in enumerate(FIELDS):
            db.execute("INSERT INTO t (rowid, content, weight) VALUES (?, ?, 1)", ((n + 1) * 64 + leaf, story[field]))


def run(layout, per_commit, stories, directory, prefill):
    path = os.path.join(directory, f"{len(os.listdir(directory))}.sqlite")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute(TABLES[layout])
    db.execute("BEGIN")
    for n in range(prefill):
        insert(db, layout, n, stories[n])
    db.execute("COMMIT")
    started = time.perf_counter()
    for first in range(prefill, len(stories), per_commit):
        db.execute("BEGIN")
        for n in range(first, min(len(stories), first + per_commit)):
            insert(db, layout, n, stories[n])
        db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed / (len(stories) - prefill) * 1e6


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    prefill = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    stories = [seed.story(n, prefill + count) for n in range(1, prefill + count + 1)]
    with tempfile.TemporaryDirectory() as directory:
        for layout in TABLES:
            figures = [f"{run(layout, per, stories, directory, prefill):6.1f}" for per in (10, 100, 1000)]
            print(f"{layout:28} µs per story at 10 / 100 / 1,000 per commit: {' / '.join(figures)}", flush=True)


if __name__ == "__main__":
    main()
