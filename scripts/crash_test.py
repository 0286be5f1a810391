#!/usr/bin/env python3
"""Crash safety: SIGKILL `dyadwatch ingest` at random moments, resume, and check the store.

    .venv/bin/python scripts/crash_test.py --articles 300 --kills 20 --out crash.json

Builds a corpus of short articles from templates (our own sentences; a few broken inputs
too), ingests it once cleanly, then ingests it again into a second database, killing the
process with SIGKILL ``--kills`` times and resuming each time. After every kill the
database must pass ``PRAGMA integrity_check`` and ``foreign_key_check``, hold no partly
stored document (each stored document has exactly the rows the clean run gave it), no
source or content twice, and counters that agree with the rows they count. After the last
resume, every table equals the clean run's (run ids and timestamps left out). Prints the
figures and writes them as JSON to ``--out``; exits 1 when any check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DYADWATCH = ROOT / ".venv" / "bin" / "dyadwatch"
# Columns that say when or in which run a row was written: they differ between runs.
VOLATILE = {"run_id", "ingested_at", "added", "created"}
# The FTS index's own tables: compared through the index's content instead.
FTS_SHADOWS = ("sentences_fts_",)

COUNTRIES = [
    ("Kazakhstan", "Astana", "Kazakh"), ("China", "Beijing", "Chinese"),
    ("Russia", "Moscow", "Russian"), ("Kyrgyzstan", "Bishkek", "Kyrgyz"),
    ("Uzbekistan", "Tashkent", "Uzbek"), ("Tajikistan", "Dushanbe", "Tajik"),
    ("Turkey", "Ankara", "Turkish"), ("India", "New Delhi", "Indian"),
    ("Germany", "Berlin", "German"), ("Japan", "Tokyo", "Japanese"),
    ("Iran", "Tehran", "Iranian"), ("Mongolia", "Ulaanbaatar", "Mongolian"),
]
TOPICS = ["rail freight", "gas supplies", "water sharing", "customs checks", "wheat exports",
          "student exchanges", "border crossings", "solar power", "road building",
          "air links", "copper mining", "tourist visas"]
VERBS = [
    ("signed an agreement on", "sign deal on"), ("held talks on", "hold talks on"),
    ("agreed to expand cooperation on", "agree to expand"),
    ("criticised the plans of", "criticise plans of"), ("promised aid for", "promise aid for"),
    ("discussed", "discuss"), ("welcomed progress on", "welcome progress on"),
]
ROLES = ["foreign ministers", "presidents", "trade ministers", "prime ministers",
         "energy ministers"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


# --- corpus ------------------------------------------------------------------------------


def article(rng: random.Random, number: int) -> tuple[str, str]:
    """One short article of our own (title, text), different for every ``number``."""
    (a, city, adjective), (b, _, other) = rng.sample(COUNTRIES, 2)
    verb, headline = rng.choice(VERBS)
    topic, role = rng.choice(TOPICS), rng.choice(ROLES)
    day, month, year = rng.randint(1, 28), rng.choice(MONTHS), rng.randint(2019, 2025)
    amount = 10 + number  # keeps every article's content distinct
    title = f"{a} and {b} {headline} {topic}"
    text = (
        f"{title}\n\n"
        f"{city}, {day} {month} {year}. The {role} of {a} and {b} {verb} {topic} on "
        f"{rng.choice(['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'])}, officials "
        f"said.\n\n"
        f"The {adjective} side said the plan would cost {amount} million dollars over "
        f"{rng.randint(2, 9)} years. {other} officials said more talks would follow in "
        f"{rng.choice(MONTHS)}.\n\n"
        f"Trade between the two countries grew by {rng.randint(2, 40)} percent last year.\n"
    )
    return title, text


def make_corpus(folder: Path, articles: int, *, seed: int = 8) -> int:
    """Write ``articles`` articles (text files and one JSONL file) and three bad inputs.

    Returns the number of inputs (articles plus bad inputs) an ingest must account for.
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    in_jsonl = articles // 10
    for number in range(articles - in_jsonl):
        _, text = article(rng, number)
        (folder / f"article-{number:04d}.txt").write_text(text, encoding="utf-8")
    with (folder / "wire.jsonl").open("w", encoding="utf-8") as wire:
        for number in range(articles - in_jsonl, articles):
            title, text = article(rng, number)
            body = text.split("\n\n", 1)[1]
            wire.write(json.dumps({"title": title, "text": body,
                                   "published": f"{rng.randint(2019, 2025)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"}) + "\n")
        wire.write('{"text": 42}\n')  # a record with a wrong type: a failure, not a stop
    (folder / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (folder / "empty.txt").write_bytes(b"")
    return articles + 3


# --- running and killing -------------------------------------------------------------------


def ingest_command(corpus: Path, db: Path, workers: int) -> list[str]:
    return [str(DYADWATCH), "ingest", str(corpus), "--db", str(db), "--quiet",
            "--workers", str(workers)]


def run_to_end(corpus: Path, db: Path, *, workers: int = 1) -> float:
    """Ingest the whole corpus (resuming what is stored); returns the seconds it took."""
    started = time.monotonic()
    done = subprocess.run(ingest_command(corpus, db, workers), capture_output=True, text=True,
                          timeout=1800, check=False)
    if done.returncode not in (0, 1):  # 1: some inputs failed, as the bad ones must
        raise RuntimeError(f"ingest exited {done.returncode}: {done.stderr[-2000:]}")
    return time.monotonic() - started


def stored_sources(db: Path) -> int:
    """How many sources the database holds now (0 while it does not exist yet)."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM document_sources").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0  # not created yet, or the schema is being written


def kill_once(corpus: Path, db: Path, rng: random.Random, *, total: int, workers: int = 1,
              early_share: float = 0.2, start_up_s: float = 3.0) -> dict[str, Any]:
    """Start an ingest and SIGKILL it at a random moment; say when and what was stored.

    With probability ``early_share`` (and always once everything is stored) the moment is
    anywhere in the first ``start_up_s`` seconds; otherwise it is while documents are
    written. A run that ended by itself before the moment is recorded as such.
    """
    before = stored_sources(db)
    early = rng.random() < early_share or before >= total
    target = before + rng.randint(1, max(1, min(12, total - before - 1)))
    process = subprocess.Popen(ingest_command(corpus, db, workers), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    started = time.monotonic()
    if early:
        # Anywhere in start-up: opening, creating or migrating the database, loading.
        deadline = started + rng.uniform(0.0, start_up_s)
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
    else:
        # While writing: once a few more documents are in, at a random point after.
        while process.poll() is None and stored_sources(db) < target:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.15))
    finished_first = process.poll() is not None
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the whole group: workers die with the writer
    except ProcessLookupError:
        # The run ended by itself (a resume with nothing left to do starts and ends in under
        # three seconds) and poll() reaped it: the group is gone, there is nothing to kill.
        assert finished_first, "the ingest vanished without having ended"
    process.wait()
    return {"mode": "start-up" if early else "writing", "after_s": round(time.monotonic() - started, 3),
            "stored_before": before, "stored_after": stored_sources(db),
            "finished_before_kill": finished_first}


# --- checks ---------------------------------------------------------------------------------


def connect(db: Path) -> sqlite3.Connection:
    # A normal connection: opening it recovers the write-ahead log the killed writer left.
    return sqlite3.connect(db, timeout=30)


def tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table')"
                        " AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [name for (name,) in rows if not name.startswith(FTS_SHADOWS)]


def per_document(conn: sqlite3.Connection) -> dict[str, tuple[int, ...]]:
    """For every stored document, its number of rows in every table keyed by doc_id."""
    keyed = [t for t in tables(conn) if t not in ("documents", "document_sources", "failures")
             and "doc_id" in columns(conn, t)]
    counts: dict[str, list[int]] = {doc: [] for (doc,) in conn.execute("SELECT doc_id FROM documents")}
    for table in keyed:
        found = dict(conn.execute(f"SELECT doc_id, COUNT(*) FROM {table} GROUP BY doc_id"))
        for doc, row in counts.items():
            row.append(int(found.get(doc, 0)))
    return {doc: tuple(row) for doc, row in counts.items()}


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


CONSISTENCY = {
    "a source is stored twice":
        "SELECT source FROM document_sources GROUP BY source HAVING COUNT(*) > 1",
    "a content hash is stored twice":
        "SELECT content_hash FROM documents GROUP BY content_hash HAVING COUNT(*) > 1",
    "a document has no source":
        "SELECT doc_id FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM document_sources)",
    "a source points to no document":
        "SELECT source FROM document_sources WHERE doc_id NOT IN (SELECT doc_id FROM documents)",
    "a document has no sentences":
        "SELECT doc_id FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM sentences)",
    "an entity's mention count disagrees with its mentions":
        "SELECT e.id FROM entities e WHERE e.n_mentions !="
        " (SELECT COUNT(*) FROM mentions m WHERE m.entity_id = e.id)",
    "an entity's document count disagrees with its documents":
        "SELECT e.id FROM entities e WHERE e.n_documents != (SELECT COUNT(*) FROM ("
        " SELECT doc_id FROM mentions WHERE entity_id = e.id"
        " UNION SELECT doc_id FROM document_entities WHERE entity_id = e.id))",
    "a cluster's evidence count disagrees with its events":
        "SELECT c.id FROM event_clusters c WHERE c.n_evidence !="
        " (SELECT COUNT(*) FROM events v WHERE v.cluster_id = c.id)",
    "an event points to no cluster":
        "SELECT id FROM events WHERE cluster_id NOT IN (SELECT id FROM event_clusters)",
    "the search index disagrees with the sentences":
        "SELECT 1 WHERE (SELECT COUNT(*) FROM sentences_fts) != (SELECT COUNT(*) FROM sentences)",
}


def check_store(db: Path, reference: dict[str, tuple[int, ...]]) -> list[str]:
    """Every problem found in the database (an empty list when it is sound)."""
    if not db.exists():
        return []
    conn = connect(db)
    try:
        problems = []
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            problems.append(f"integrity_check: {integrity[:5]}")
        if conn.execute("PRAGMA foreign_key_check").fetchall():
            problems.append("foreign_key_check found dangling references")
        if "documents" not in tables(conn):
            return problems  # killed before the schema was committed: an empty file is fine
        for problem, sql in CONSISTENCY.items():
            found = conn.execute(sql).fetchall()
            if found:
                problems.append(f"{problem}: {found[:3]}")
        for doc, counts in per_document(conn).items():
            if reference.get(doc) != counts:
                problems.append(f"document {doc} is partly stored: rows {counts}, a clean run "
                                f"stores {reference.get(doc)}")
        return problems
    finally:
        conn.close()


def dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted, without run ids and timestamps; failures as a set."""
    conn = connect(db)
    try:
        result = {}
        for table in tables(conn):
            if table in ("runs", "schema_migrations"):
                continue
            names = [c for c in columns(conn, table) if c not in VOLATILE and
                     not (table == "failures" and c == "id")]
            quoted = ", ".join(f'"{name}"' for name in names)
            rows = conn.execute(f"SELECT {'rowid, ' if table == 'sentences_fts' else ''}"
                                f"{quoted} FROM {table}").fetchall()
            rows = sorted(set(rows) if table == "failures" else rows, key=repr)
            result[table] = rows
        return result
    finally:
        conn.close()


def compare(clean: Path, crashed: Path) -> list[str]:
    """How the crashed-and-resumed database differs from the clean one (empty: equal)."""
    a, b = dump(clean), dump(crashed)
    problems = []
    for table in sorted(set(a) | set(b)):
        if a.get(table) != b.get(table):
            missing = len(set(map(repr, a.get(table, []))) - set(map(repr, b.get(table, []))))
            extra = len(set(map(repr, b.get(table, []))) - set(map(repr, a.get(table, []))))
            problems.append(f"table {table}: {len(a.get(table, []))} rows clean, "
                            f"{len(b.get(table, []))} after crashes ({missing} missing, "
                            f"{extra} extra)")
    return problems


def row_counts(db: Path) -> dict[str, int]:
    conn = connect(db)
    try:
        return {t: int(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0])
                for t in tables(conn)}
    finally:
        conn.close()


# --- the whole test -------------------------------------------------------------------------


def crash_test(workdir: Path, *, articles: int, kills: int, seed: int, workers: int = 1,
               early_share: float = 0.2) -> dict[str, Any]:
    """Run the whole crash test in ``workdir``; returns the figures and every problem."""
    corpus, clean, crashed = workdir / "corpus", workdir / "clean.db", workdir / "crashed.db"
    inputs = make_corpus(corpus, articles, seed=seed)
    clean_seconds = run_to_end(corpus, clean, workers=workers)
    conn = connect(clean)
    try:
        reference = per_document(conn)
    finally:
        conn.close()
    rng = random.Random(seed)
    kill_log, problems = [], []
    for number in range(1, kills + 1):
        record = kill_once(corpus, crashed, rng, total=articles, workers=workers,
                           early_share=early_share)
        found = check_store(crashed, reference)
        record["problems"] = found
        kill_log.append(record)
        problems.extend(f"after kill {number}: {p}" for p in found)
    resume_seconds = run_to_end(corpus, crashed, workers=workers)
    problems.extend(f"after the last resume: {p}" for p in check_store(crashed, reference))
    problems.extend(f"final store differs from a clean run: {p}" for p in compare(clean, crashed))
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
                   f"{platform.release()}, Python {platform.python_version()}",
        "articles": articles, "inputs": inputs, "kills": kills, "seed": seed,
        "workers": workers, "early_share": early_share,
        "kills_while_writing": sum(1 for k in kill_log if k["mode"] == "writing"),
        "kills_in_start_up": sum(1 for k in kill_log if k["mode"] == "start-up"),
        "runs_that_finished_before_the_kill": sum(k["finished_before_kill"] for k in kill_log),
        "clean_run_s": round(clean_seconds, 1), "last_resume_s": round(resume_seconds, 1),
        "clean_counts": row_counts(clean), "final_counts": row_counts(crashed),
        "kill_log": kill_log, "problems": problems, "ok": not problems,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--early-share", type=float, default=0.2,
                        help="share of kills aimed at start-up rather than at writing")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the corpus and databases go (default: a temporary folder)")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dyadwatch-crash-") as scratch:
        workdir = args.workdir or Path(scratch)
        result = crash_test(workdir, articles=args.articles, kills=args.kills, seed=args.seed,
                            workers=args.workers, early_share=args.early_share)
    summary = {k: v for k, v in result.items() if k != "kill_log"}
    print(json.dumps(summary, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
