#!/usr/bin/env python3
"""SQLite FTS5 baseline for `newsdex bench index`: builds a porter-stemmed FTS5 table of
the blank-line paragraphs of each file's `content_original`, then times top-10 + count for
the plain queries of the benchmark. Prints one JSON object."""
import gzip, json, os, sqlite3, statistics, sys, time

QUERIES = {"recuse": "recuse", "trump": "trump", "\"special prosecutor\"": "\"special prosecutor\"",
           "russia AND sessions": "russia AND sessions"}

def main(corpus, db_path):
    if os.path.exists(db_path):
        os.remove(db_path)
    started = time.perf_counter()
    db = sqlite3.connect(db_path)
    db.execute("CREATE VIRTUAL TABLE p USING fts5(text, path UNINDEXED, tokenize='porter')")
    rows = []
    for name in sorted(os.listdir(corpus)):
        path = os.path.join(corpus, name)
        opener = gzip.open if name.endswith(".gz") else open
        try:
            with opener(path, "rt", encoding="utf-8") as f:
                body = json.load(f).get("content_original") or ""
        except (OSError, ValueError):
            continue
        rows.extend((para, name) for para in body.split("\n\n") if para.strip())
    db.executemany("INSERT INTO p(text, path) VALUES (?, ?)", rows)
    db.commit()
    build = time.perf_counter() - started
    out = {"build_seconds": build, "bytes": os.path.getsize(db_path), "queries": {}}
    for label, q in QUERIES.items():
        times = []
        total = 0
        for _ in range(21):
            t = time.perf_counter()
            db.execute("SELECT path FROM p WHERE p MATCH ? ORDER BY rank LIMIT 10", (q,)).fetchall()
            total = db.execute("SELECT count(*) FROM p WHERE p MATCH ?", (q,)).fetchone()[0]
            times.append((time.perf_counter() - t) * 1000)
        out["queries"][label] = {"p50_ms": statistics.median(times[1:]), "total": total}
    print(json.dumps(out))

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
