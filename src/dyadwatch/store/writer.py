"""Writing one document's rows and deleting them again, inside the caller's transaction.

Besides the rows of ``rows.to_rows``, a write maintains what spans documents: the global
``entities`` table (upserted by id, with mention and document counters kept incrementally)
and the event clusters (``coref``). A delete undoes exactly what the write added.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from typing import Any

from .coref import assign_cluster, refresh_clusters
from .rows import CHILD_TABLES, DocumentRows

__all__ = [
    "insert_document",
    "delete_document",
    "rewrite_document",
    "link_source",
    "unlink_source",
]


def _insert_many(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    # Table and column names come from rows.py, never from user input; values are bound.
    if not rows:
        return
    columns = list(rows[0])
    quoted = ", ".join('"' + column + '"' for column in columns)
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({_marks(columns)})"
    conn.executemany(sql, [tuple(row[c] for c in columns) for row in rows])


def insert_document(
    conn: sqlite3.Connection, rows: DocumentRows, *, now: str, run_id: str | None
) -> None:
    """Insert a document that is not stored yet, with its entities and event clusters."""
    _insert_many(conn, "documents", [{**rows.document, "run_id": run_id, "ingested_at": now}])
    _upsert_entities(conn, rows)
    for table in CHILD_TABLES:
        if table != "events":
            _insert_many(conn, table, rows.tables.get(table, []))
    _insert_events(conn, rows.doc_id, rows.tables.get("events", []))


def _insert_events(conn: sqlite3.Connection, doc_id: str, events: list[dict[str, Any]]) -> None:
    touched: set[int] = set()
    for event in events:
        cluster_id = assign_cluster(conn, event, doc_id)
        touched.add(cluster_id)
        _insert_many(conn, "events", [{**event, "cluster_id": cluster_id}])
    refresh_clusters(conn, touched)


def _entity_heads(rows: DocumentRows) -> dict[str, dict[str, Any]]:
    """One canonical candidate per entity id the document names: its Entity record, else
    its first mention (so that every entity a mention links to exists in ``entities``)."""
    heads: dict[str, dict[str, Any]] = {}
    for entity in rows.tables.get("document_entities", []):
        heads.setdefault(entity["entity_id"], {**entity, "named": 1})
    for mention in rows.tables.get("mentions", []):
        if mention["entity_id"] is not None and mention["entity_id"] not in heads:
            heads[mention["entity_id"]] = {
                "entity_id": mention["entity_id"], "name": mention["text"],
                "type": mention["type"], "country": mention["country"],
                "sector": mention["sector"], "registry_id": None, "wikidata": None, "named": 0,
            }
    return heads


_UPSERT_ENTITY = """
INSERT INTO entities (id, name, name_folded, named, type, country, sector, registry_id,
                      wikidata, n_mentions, n_documents)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
ON CONFLICT(id) DO UPDATE SET
    -- The first name an Entity record gave wins; a name taken from a mention yields to one.
    name = CASE WHEN entities.named = 0 AND excluded.named = 1 THEN excluded.name
                ELSE entities.name END,
    name_folded = CASE WHEN entities.named = 0 AND excluded.named = 1
                       THEN excluded.name_folded ELSE entities.name_folded END,
    type = CASE WHEN entities.named = 0 AND excluded.named = 1 THEN excluded.type
                ELSE entities.type END,
    named = MAX(entities.named, excluded.named),
    country = COALESCE(entities.country, excluded.country),
    sector = COALESCE(entities.sector, excluded.sector),
    registry_id = COALESCE(entities.registry_id, excluded.registry_id),
    wikidata = COALESCE(entities.wikidata, excluded.wikidata),
    n_mentions = entities.n_mentions + excluded.n_mentions,
    n_documents = entities.n_documents + 1
"""


def _upsert_entities(conn: sqlite3.Connection, rows: DocumentRows) -> None:
    mentions = Counter(
        m["entity_id"] for m in rows.tables.get("mentions", []) if m["entity_id"] is not None
    )
    conn.executemany(
        _UPSERT_ENTITY,
        [
            (entity_id, head["name"], head["name"].casefold(), head["named"], head["type"],
             head["country"], head["sector"], head["registry_id"], head["wikidata"],
             mentions[entity_id])
            for entity_id, head in _entity_heads(rows).items()
        ],
    )


def delete_document(conn: sqlite3.Connection, doc_id: str) -> None:
    """Delete a document and everything it contributed; fix the clusters and entities."""
    clusters = [
        row[0]
        for row in conn.execute("SELECT DISTINCT cluster_id FROM events WHERE doc_id = ?", (doc_id,))
    ]
    counts = _entity_counts(conn, doc_id)
    conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
    refresh_clusters(conn, clusters)
    _release_entities(conn, counts)


def _entity_counts(conn: sqlite3.Connection, doc_id: str) -> dict[str, int]:
    """Mentions per entity id in the document, including entities it names but never mentions."""
    counts = dict.fromkeys(
        (row[0] for row in conn.execute(
            "SELECT entity_id FROM document_entities WHERE doc_id = ?", (doc_id,))),
        0,
    )
    for entity_id, n in conn.execute(
        "SELECT entity_id, COUNT(*) FROM mentions WHERE doc_id = ? AND entity_id IS NOT NULL"
        " GROUP BY entity_id",
        (doc_id,),
    ):
        counts[entity_id] = n
    return counts


def _release_entities(conn: sqlite3.Connection, counts: dict[str, int]) -> None:
    conn.executemany(
        "UPDATE entities SET n_mentions = n_mentions - ?, n_documents = n_documents - 1"
        " WHERE id = ?",
        [(n, entity_id) for entity_id, n in counts.items()],
    )
    if not counts:
        return
    gone = [
        row[0]
        for row in conn.execute(
            f"SELECT id FROM entities WHERE n_documents <= 0 AND id IN ({_marks(counts)})",
            list(counts),
        )
    ]
    conn.executemany("DELETE FROM entities WHERE id = ?", [(entity_id,) for entity_id in gone])
    _recanonicalise(conn, [entity_id for entity_id in counts if entity_id not in gone])


def _marks(values: Iterable[Any]) -> str:
    return ", ".join("?" for _ in values)


def _recanonicalise(conn: sqlite3.Connection, entity_ids: list[str]) -> None:
    # The deleted document may have supplied an entity's name or codes: take them again
    # from the earliest remaining record, as if the deleted one had never been written.
    for entity_id in entity_ids:
        head = conn.execute(
            "SELECT name, type, 1 FROM document_entities WHERE entity_id = ? ORDER BY id LIMIT 1",
            (entity_id,),
        ).fetchone()
        table = "document_entities"
        if head is None:  # only mentions link to it now
            table = "mentions"
            head = conn.execute(
                "SELECT text, type, 0 FROM mentions WHERE entity_id = ? ORDER BY id LIMIT 1",
                (entity_id,),
            ).fetchone()
        codes = [_first_value(conn, table, entity_id, column)
                 for column in ("country", "sector", "registry_id", "wikidata")]
        conn.execute(
            "UPDATE entities SET name = ?, name_folded = ?, type = ?, named = ?, country = ?,"
            " sector = ?, registry_id = ?, wikidata = ? WHERE id = ?",
            (head[0], head[0].casefold(), head[1], head[2], *codes, entity_id),
        )


def _first_value(conn: sqlite3.Connection, table: str, entity_id: str, column: str) -> Any:
    if table == "mentions" and column not in ("country", "sector"):
        return None  # mentions carry no registry or wikidata id
    row = conn.execute(
        f"SELECT {column} FROM {table} WHERE entity_id = ? AND {column} IS NOT NULL"
        " ORDER BY id LIMIT 1",
        (entity_id,),
    ).fetchone()
    return None if row is None else row[0]


def rewrite_document(
    conn: sqlite3.Connection, rows: DocumentRows, *, now: str, run_id: str | None
) -> None:
    """Replace the records of stored content by ``rows``, keeping every source that holds it."""
    primary = conn.execute(
        "SELECT source FROM documents WHERE doc_id = ?", (rows.doc_id,)
    ).fetchone()[0]
    cursor = conn.execute(
        "SELECT * FROM document_sources WHERE doc_id = ? ORDER BY rowid", (rows.doc_id,)
    )
    names = [column[0] for column in cursor.description]
    sources = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    delete_document(conn, rows.doc_id)
    kept = DocumentRows({**rows.document, "source": primary}, rows.tables)
    insert_document(conn, kept, now=now, run_id=run_id)
    _insert_many(conn, "document_sources", sources)


def link_source(
    conn: sqlite3.Connection, source: str, rows: DocumentRows, *, now: str, run_id: str | None
) -> None:
    """Record that ``source`` holds the content of document ``rows``."""
    conn.execute(
        "INSERT INTO document_sources (source, doc_id, content_hash, run_id, added)"
        " VALUES (?, ?, ?, ?, ?)",
        (source, rows.doc_id, rows.content_hash, run_id, now),
    )


def unlink_source(conn: sqlite3.Connection, source: str, doc_id: str) -> None:
    """Forget ``source``; delete its document when no other source holds that content."""
    conn.execute("DELETE FROM document_sources WHERE source = ?", (source,))
    other = conn.execute(
        "SELECT source FROM document_sources WHERE doc_id = ? ORDER BY rowid LIMIT 1", (doc_id,)
    ).fetchone()
    if other is None:
        delete_document(conn, doc_id)
        return
    conn.execute(
        "UPDATE documents SET source = ? WHERE doc_id = ? AND source = ?", (other[0], doc_id, source)
    )
