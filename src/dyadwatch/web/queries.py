"""Read queries the workbench needs beyond the Store's own: pairs, an entity's events, records
by id for provenance.

Like ``dyadwatch.store.queries``, every value from the caller is bound as a parameter; the
only text spliced into SQL is chosen here (table and column names from fixed mappings).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..store.coref import pair_key

__all__ = ["RECORD_TABLES", "top_pairs", "pairs_of", "pair_summary", "entity_events", "record_row",
           "event_ids", "cluster_event_ids", "sentence_at"]

# Kinds of record a provenance link can name, and the table holding each.
RECORD_TABLES: dict[str, str] = {
    "event": "events",
    "fact": "facts",
    "relation": "relations",
    "project": "projects",
    "milestone": "project_milestones",
    "mention": "mentions",
    "sentence": "sentences",
}

# A side of an event is a country or IGO code when it has only these characters; entity ids
# ("person:…") and bare texts never do, so these keep pairs of states (and IGOs) only.
_CODE_ONLY = "{column} != '' AND {column} NOT GLOB '*[^A-Z0-9+]*'"


def _rows(conn: sqlite3.Connection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


_PAIR_TOTALS = (
    "COUNT(*) AS n_events, SUM(c.n_evidence) AS n_reports, SUM(c.goldstein) AS goldstein_sum,"
    " AVG(c.goldstein) AS goldstein_mean, MIN(c.date_lo) AS first_date,"
    " MAX(c.date_hi) AS last_date"
)


def top_pairs(conn: sqlite3.Connection, *, limit: int, offset: int = 0) -> list[dict[str, Any]]:
    """Pairs of countries (or IGOs) with most events (clusters of reports), most first.

    Each row: ``a``, ``b`` (a < b), ``n_events``, ``n_reports``, ``n_documents``,
    ``goldstein_sum``, ``goldstein_mean``, ``first_date``, ``last_date``.
    """
    where = " AND ".join(
        [_CODE_ONLY.format(column="c.key_a"), _CODE_ONLY.format(column="c.key_b"),
         "c.key_a != c.key_b"])
    return _rows(
        conn,
        f"WITH pairs AS (SELECT c.key_a AS a, c.key_b AS b, {_PAIR_TOTALS}"
        f" FROM event_clusters c WHERE {where} GROUP BY c.key_a, c.key_b"
        " ORDER BY n_events DESC, n_reports DESC, a, b LIMIT ? OFFSET ?)"
        " SELECT pairs.*, (SELECT COUNT(DISTINCT e.doc_id) FROM events e JOIN event_clusters c"
        " ON c.id = e.cluster_id WHERE c.key_a = pairs.a AND c.key_b = pairs.b) AS n_documents"
        " FROM pairs ORDER BY n_events DESC, n_reports DESC, a, b",
        [limit, offset],
    )


def pairs_of(conn: sqlite3.Connection, code: str, *, limit: int) -> list[dict[str, Any]]:
    """The pairs one country (or IGO) is part of, most events first: ``top_pairs`` rows
    without ``n_documents``."""
    where = " AND ".join(
        [_CODE_ONLY.format(column="c.key_a"), _CODE_ONLY.format(column="c.key_b"),
         "c.key_a != c.key_b", "(c.key_a = ? OR c.key_b = ?)"])
    return _rows(
        conn,
        f"SELECT c.key_a AS a, c.key_b AS b, {_PAIR_TOTALS} FROM event_clusters c"
        f" WHERE {where} GROUP BY c.key_a, c.key_b ORDER BY n_events DESC, a, b LIMIT ?",
        [code, code, limit],
    )


def pair_summary(conn: sqlite3.Connection, a: str, b: str, *,
                 mode: str | None) -> dict[str, Any]:
    """Totals over every event of one pair (dated or not): the keys of a ``top_pairs`` row.

    ``mode`` as in the Store: "" counts events reported as done (not planned, not denied),
    None all of them, another word the events of that mode.
    """
    key_a, key_b = pair_key(a, b)
    clause, params = "", []
    if mode == "":
        clause = " AND c.mode = '' AND c.negated = 0"
    elif mode is not None:
        clause, params = " AND c.mode = ?", [mode]
    found = _rows(
        conn,
        f"SELECT ? AS a, ? AS b, {_PAIR_TOTALS},"
        " (SELECT COUNT(DISTINCT e.doc_id) FROM events e JOIN event_clusters c"
        f" ON c.id = e.cluster_id WHERE c.key_a = ? AND c.key_b = ?{clause}) AS n_documents"
        f" FROM event_clusters c WHERE c.key_a = ? AND c.key_b = ?{clause}",
        [key_a, key_b, key_a, key_b, *params, key_a, key_b, *params],
    )
    summary = found[0]
    summary["n_reports"] = summary["n_reports"] or 0
    return summary


_EVENT_REPORT = (
    "e.id AS event_id, e.cluster_id, e.doc_id, e.idx AS event, e.plover, e.cameo, e.mode,"
    " e.negated, e.date, e.date_precision, e.goldstein, e.\"trigger\", e.source_text,"
    " e.source_country, e.source_entity, e.target_text, e.target_country, e.target_entity,"
    " e.sentence, e.start, e.\"end\", substr(d.text, e.start + 1, e.\"end\" - e.start) AS text,"
    " d.title, d.published, d.outlet, d.source AS doc_source"
)


def entity_events(
    conn: sqlite3.Connection, entity_id: str, *, country: str | None, limit: int, offset: int = 0
) -> list[dict[str, Any]]:
    """Reports of events in which the entity acts or is acted on, newest first.

    ``country`` (for a country entity: its code) also counts reports whose side is that
    country through any of its people or bodies.
    """
    clauses = ["e.source_entity = ?", "e.target_entity = ?"]
    params: list[Any] = [entity_id, entity_id]
    if country:
        clauses += ["e.source_country = ?", "e.target_country = ?"]
        params += [country, country]
    rows = _rows(
        conn,
        f"SELECT {_EVENT_REPORT} FROM events e JOIN documents d ON d.doc_id = e.doc_id"
        f" WHERE {' OR '.join(clauses)}"
        " ORDER BY e.date_lo IS NULL, e.date_lo DESC, e.id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    for row in rows:
        row["negated"] = bool(row["negated"])
    return rows


def record_row(conn: sqlite3.Connection, kind: str, record_id: int) -> dict[str, Any] | None:
    """The row of record ``kind`` (a key of RECORD_TABLES) with id ``record_id``, or None."""
    table = RECORD_TABLES[kind]
    found = _rows(conn, f"SELECT * FROM {table} WHERE id = ?", [record_id])
    return found[0] if found else None


def event_ids(conn: sqlite3.Connection, doc_id: str) -> dict[int, tuple[int, int]]:
    """Map each event index of one document to (event id, cluster id) in the store."""
    return {
        idx: (event_id, cluster_id)
        for idx, event_id, cluster_id in conn.execute(
            "SELECT idx, id, cluster_id FROM events WHERE doc_id = ?", (doc_id,))
    }


def cluster_event_ids(conn: sqlite3.Connection, cluster_id: int) -> list[int] | None:
    """The ids of the reports in one event cluster (None for an unknown cluster)."""
    if conn.execute("SELECT 1 FROM event_clusters WHERE id = ?", (cluster_id,)).fetchone() is None:
        return None
    return [row[0] for row in conn.execute(
        "SELECT id FROM events WHERE cluster_id = ? ORDER BY id", (cluster_id,))]


def sentence_at(conn: sqlite3.Connection, doc_id: str, offset: int) -> dict[str, Any] | None:
    """The sentence of one document holding character ``offset``, or None."""
    found = _rows(
        conn,
        'SELECT idx AS sentence, start, "end", text FROM sentences'
        ' WHERE doc_id = ? AND start <= ? AND "end" > ? ORDER BY idx LIMIT 1',
        [doc_id, offset, offset],
    )
    return found[0] if found else None
