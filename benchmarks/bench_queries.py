"""Query latency on a synthetic store of 1,000,000 events and 200,000 documents.

Builds the store with the first schema version only (what stores had before this work),
times the queries the CLI, the API and the web UI run (pair timeline, filtered event
lists, full-text search, entity page: p50 and p95 over repeated calls) as they were, then
opens the store once for writing, which applies the newer migrations (their indexes), and
times the current queries: before and after, on the same rows, in one run. "As they were"
means schema version 1 and the former queries, kept below: the entity page's document
query, and one country's event list (both sides in one OR, every match sorted).

Usage: python benchmarks/bench_queries.py [--events N] [--documents N] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dyadwatch.store import MIGRATIONS, Store, queries

if str(Path(__file__).resolve().parent) not in sys.path:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_store import build  # noqa: E402

CALLS = 20


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_calls(call: Callable[[], Any], calls: int = CALLS) -> dict[str, float]:
    """p50 and p95 (ms) of ``calls`` calls, after one call that warms the page cache."""
    call()
    took = []
    for _ in range(calls):
        began = time.perf_counter()
        call()
        took.append((time.perf_counter() - began) * 1000)
    return {"p50_ms": round(statistics.median(took), 1), "p95_ms": round(_percentile(took, 0.95), 1)}


def _busiest(store: Store) -> dict[str, Any]:
    conn = store.connection()
    pair = conn.execute("SELECT key_a, key_b FROM event_clusters GROUP BY key_a, key_b"
                        " ORDER BY COUNT(*) DESC LIMIT 1").fetchone()
    top = conn.execute("SELECT id FROM entities ORDER BY n_mentions DESC LIMIT 1").fetchone()[0]
    person = conn.execute("SELECT id FROM entities WHERE type = 'PERSON'"
                          " ORDER BY n_mentions DESC LIMIT 1").fetchone()[0]
    return {"pair": tuple(pair), "country": pair[0], "entity": top, "person": person}


def _queries(store: Store, busy: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    """The timed queries, by name (the busiest pair, country and entities: worst cases)."""
    a, b = busy["pair"]
    return {
        "timeline: busiest pair, by month": lambda: store.timeline(a, b),
        "timeline: busiest pair, by year, all modes": lambda: store.timeline(
            a, b, by="year", mode=None),
        "events: pair + type + 2015-2019": lambda: store.events(
            between=(a, b), type="CONSULT", since="2015", until="2019"),
        "events: one country, since 2024": lambda: store.events(country=a, since="2024-01"),
        "events: type, 2+ sources": lambda: store.events(type="ASSAULT", min_sources=2),
        "events: acting country": lambda: store.events(source=a),
        "events: latest, no filter": lambda: store.events(),
        "search: two common words": lambda: store.search("railway agreement"),
        "search: three words": lambda: store.search("sanctions Moscow officials"),
        "search: one very common word": lambda: store.search("Astana"),
        "entity page: most mentioned": lambda: store.entity(busy["entity"]),
        "entity page: busiest person": lambda: store.entity(busy["person"]),
    }


def _former_entity_documents(conn: Any, entity_id: str, limit: int) -> list[dict[str, Any]]:
    """The entity page's document query before it learnt its second plan."""
    return queries._rows(
        conn,
        "WITH docs AS (SELECT doc_id FROM document_entities WHERE entity_id = ?1"
        " UNION SELECT doc_id FROM mentions WHERE entity_id = ?1)"
        " SELECT d.doc_id, d.source, d.title, d.published, d.outlet,"
        " (SELECT COUNT(*) FROM mentions m WHERE m.entity_id = ?1 AND m.doc_id = d.doc_id)"
        " AS n_mentions FROM docs JOIN documents d ON d.doc_id = docs.doc_id"
        " ORDER BY d.published DESC, d.doc_id LIMIT ?2",
        [entity_id, limit],
    )


def _former_country_clusters(conn: Any, country: str, **filters: Any) -> list[dict[str, Any]]:
    """One country's event list before schema version 3: both sides in one OR."""
    return queries._filtered_clusters(conn, between=None, country=country, **filters)


def measure(path: Path, migrations: Any = None, *, former: bool = False
            ) -> dict[str, dict[str, float]]:
    """Time every query on the store at ``path`` read through ``migrations``' schema
    (with the former queries when ``former``)."""
    current = queries._entity_documents, queries._country_clusters
    if former:
        queries._entity_documents = _former_entity_documents
        queries._country_clusters = _former_country_clusters
    try:
        with Store(path, readonly=True, migrations=migrations) as store:
            busy = _busiest(store)
            return {name: time_calls(call) for name, call in _queries(store, busy).items()}
    finally:
        queries._entity_documents, queries._country_clusters = current


def run(*, events: int = 1_000_000, documents: int = 200_000,
        data_dir: Path | None = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Build (or reuse) the synthetic store; time the queries before and after migrating."""
    folder = data_dir or Path("/tmp/dyadwatch-bench")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"synthetic-{events}-{documents}.db"
    for stale in folder.glob(path.name + "*"):
        stale.unlink()  # always from the first schema: "before" must be before
    log(f"building {path} ({events:,} events, {documents:,} documents)")
    counts = build(path, documents=documents, events=events, migrations=MIGRATIONS[:1],
                   log=log)
    log("timing queries, schema version 1")
    before = measure(path, migrations=MIGRATIONS[:1], former=True)
    began = time.perf_counter()
    Store(path).close()  # applies the newer migrations, as any writing command would
    migrated = round(time.perf_counter() - began, 1)
    log(f"migrated to version {len(MIGRATIONS)} in {migrated} s; timing queries again")
    after = measure(path)
    path.unlink()
    return {"store": counts, "schema_before": 1, "schema_after": len(MIGRATIONS),
            "migration_seconds": migrated, "calls": CALLS,
            "queries": {name: {"before": before[name], "after": after[name]} for name in after}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--documents", type=int, default=200_000)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    result = run(events=args.events, documents=args.documents, data_dir=args.data_dir)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
