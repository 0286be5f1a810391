"""Read queries behind the CLI and the REST API: each returns plain, JSON-ready dicts.

Every value from the caller is bound as a parameter; the only text spliced into SQL is
chosen here (column lists, ``?`` marks). Listing queries take ``limit``/``offset``.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import DyadwatchError, UsageError
from .coref import date_bounds, pair_key

__all__ = [
    "NotFound",
    "MAX_LIMIT",
    "PLOVER_TYPES",
    "TIMELINE_PERIODS",
    "fts_query",
    "list_documents",
    "get_document",
    "list_sentences",
    "list_entities",
    "get_entity",
    "list_events",
    "timeline",
    "list_facts",
    "list_relations",
    "list_projects",
    "list_failures",
    "list_runs",
    "search",
    "counts",
]

MAX_LIMIT = 10_000
# The 16 PLOVER event types: the timeline reports every one, zero or not, so keys are stable.
PLOVER_TYPES: tuple[str, ...] = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)
TIMELINE_PERIODS = {"year": 4, "month": 7, "day": 10}


class NotFound(DyadwatchError, KeyError):
    """A document or entity asked for by id or name is not in the store."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""


# --- helpers --------------------------------------------------------------------------------


def _page(limit: int, offset: int) -> tuple[int, int]:
    if not 1 <= int(limit) <= MAX_LIMIT or int(offset) < 0:
        raise UsageError(
            f"limit={limit}, offset={offset}: limit must be between 1 and {MAX_LIMIT} and "
            "offset 0 or more."
        )
    return int(limit), int(offset)


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def _rows(conn: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, tuple(params))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _decode(row: dict[str, Any], *columns: str) -> dict[str, Any]:
    for column in columns:
        if row.get(column) is not None:
            row[column] = json.loads(row[column])
    return row


def _day(value: str, *, edge: str, name: str) -> str:
    bounds = date_bounds(value)
    if bounds is None:
        raise UsageError(
            f"{name}={value!r} is not a date. Use YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2025-02)."
        )
    return bounds.lo if edge == "lo" else bounds.hi


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(text: str) -> str:
    return f"%{_escape_like(text.casefold())}%"


def _mode_clause(mode: str | None, column: str = "c") -> tuple[list[str], list[Any]]:
    # "" means reported as done: neither a plan, a threat of the future, nor a denial.
    if mode is None:
        return [], []
    if mode == "":
        return [f"{column}.mode = '' AND {column}.negated = 0"], []
    return [f"{column}.mode = ?"], [mode]


def _where(clauses: list[str]) -> str:
    return f" WHERE {' AND '.join(clauses)}" if clauses else ""


# --- documents ------------------------------------------------------------------------------

_DOCUMENT_SUMMARY = """
    d.doc_id, d.source, d.title, d.published, d.published_time, d.outlet, d.author, d.url,
    d.kind, d.language, d.ingested_at, d.run_id,
    (SELECT COUNT(*) FROM document_sources s WHERE s.doc_id = d.doc_id) AS n_sources,
    (SELECT COUNT(*) FROM sentences x WHERE x.doc_id = d.doc_id) AS n_sentences,
    (SELECT COUNT(*) FROM mentions x WHERE x.doc_id = d.doc_id) AS n_mentions,
    (SELECT COUNT(*) FROM events x WHERE x.doc_id = d.doc_id) AS n_events,
    (SELECT COUNT(*) FROM facts x WHERE x.doc_id = d.doc_id) AS n_facts,
    (SELECT COUNT(*) FROM relations x WHERE x.doc_id = d.doc_id) AS n_relations,
    (SELECT COUNT(*) FROM projects x WHERE x.doc_id = d.doc_id) AS n_projects
"""


def list_documents(
    conn: sqlite3.Connection,
    *,
    outlet: str | None = None,
    kind: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Documents, newest publication first (undated last), with counts of their records."""
    limit, offset = _page(limit, offset)
    clauses, params = [], []
    for column, value in (("d.outlet", outlet), ("d.kind", kind)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if since:
        clauses.append("d.published >= ?")
        params.append(_day(since, edge="lo", name="since"))
    if until:
        clauses.append("d.published <= ?")
        params.append(_day(until, edge="hi", name="until"))
    return _rows(
        conn,
        f"SELECT {_DOCUMENT_SUMMARY} FROM documents d{_where(clauses)}"
        " ORDER BY d.published DESC, d.doc_id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )


def get_document(conn: sqlite3.Connection, doc_id: str) -> dict[str, Any]:
    """One document: metadata, text, stages, problems, every source, record counts.

    Raises NotFound for an unknown id.
    """
    found = _rows(
        conn,
        f"SELECT {_DOCUMENT_SUMMARY}, d.content_hash, d.dateline, d.kind_reason, d.encoding,"
        " d.meta, d.layers, d.stages, d.problems, d.text, length(d.raw) AS raw_length"
        " FROM documents d WHERE d.doc_id = ?",
        [doc_id],
    )
    if not found:
        raise NotFound(f"No document with id {doc_id!r} in the store; list ids with documents().")
    document = _decode(found[0], "meta", "layers", "stages", "problems")
    document["sources"] = _rows(
        conn,
        "SELECT source, run_id, added FROM document_sources WHERE doc_id = ? ORDER BY rowid",
        [doc_id],
    )
    return document


def _require_document(conn: sqlite3.Connection, doc_id: str) -> None:
    if conn.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone() is None:
        raise NotFound(f"No document with id {doc_id!r} in the store; list ids with documents().")


def list_sentences(conn: sqlite3.Connection, doc_id: str) -> list[dict[str, Any]]:
    """The sentences of one document in order. Raises NotFound for an unknown id."""
    _require_document(conn, doc_id)
    rows = _rows(
        conn,
        'SELECT idx AS sentence, start, "end", text, label, provenance, confidence, attrs'
        " FROM sentences WHERE doc_id = ? ORDER BY idx",
        [doc_id],
    )
    return [_decode(row, "attrs") for row in rows]


# --- entities -------------------------------------------------------------------------------

_ENTITY_COLUMNS = (
    "e.id, e.name, e.type, e.country, e.sector, e.registry_id, e.wikidata,"
    " e.n_mentions, e.n_documents"
)


def list_entities(
    conn: sqlite3.Connection,
    *,
    type: str | None = None,
    country: str | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Entities across all documents, most mentioned first.

    ``q`` matches (case-folded, anywhere) the name, the id or any alias seen.
    """
    limit, offset = _page(limit, offset)
    clauses, params = [], []
    if type:
        clauses.append("e.type = ?")
        params.append(type.upper())
    if country:
        clauses.append("e.country = ?")
        params.append(country.upper())
    if q:
        pattern = _like(q)
        clauses.append(
            "(e.name_folded LIKE ? ESCAPE '\\' OR lower(e.id) LIKE ? ESCAPE '\\' OR e.id IN"
            " (SELECT entity_id FROM entity_aliases WHERE alias_folded LIKE ? ESCAPE '\\'))"
        )
        params += [pattern, pattern, pattern]
    return _rows(
        conn,
        f"SELECT {_ENTITY_COLUMNS} FROM entities e{_where(clauses)}"
        " ORDER BY e.n_mentions DESC, e.id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )


def _find_entities(conn: sqlite3.Connection, key: str) -> list[dict[str, Any]]:
    by_id = _rows(conn, f"SELECT {_ENTITY_COLUMNS} FROM entities e WHERE e.id = ?", [key])
    if by_id:
        return by_id
    folded = key.strip().casefold()
    return _rows(
        conn,
        f"SELECT {_ENTITY_COLUMNS} FROM entities e WHERE e.name_folded = ? OR e.id IN"
        " (SELECT entity_id FROM entity_aliases WHERE alias_folded = ?)"
        " ORDER BY e.name_folded = ? DESC, e.n_mentions DESC, e.id",
        [folded, folded, folded],
    )


def get_entity(conn: sqlite3.Connection, key: str, *, limit: int = 100) -> dict[str, Any]:
    """One entity by id, or by name or alias (case-folded), with what the store knows of it.

    Returns aliases and surface forms seen, roles, documents, recent mentions and merge
    evidence (each list at most ``limit`` long); ``also_matches`` names other entities a
    name matched. Raises NotFound when nothing matches.
    """
    limit, _ = _page(limit, 0)
    found = _find_entities(conn, key)
    if not found:
        raise NotFound(
            f"No entity with id, name or alias {key!r}; search with entities(q=...)."
        )
    entity = found[0]
    entity["also_matches"] = [other["id"] for other in found[1:]]
    entity_id = entity["id"]
    entity["aliases"] = _rows(
        conn,
        "SELECT alias, COUNT(DISTINCT doc_id) AS n_documents FROM entity_aliases"
        " WHERE entity_id = ? GROUP BY alias ORDER BY n_documents DESC, alias LIMIT ?",
        [entity_id, limit],
    )
    entity["surface_forms"] = _rows(
        conn,
        "SELECT text, COUNT(*) AS n_mentions FROM mentions WHERE entity_id = ?"
        " GROUP BY text ORDER BY n_mentions DESC, text LIMIT ?",
        [entity_id, limit],
    )
    entity["roles"] = _entity_roles(conn, entity_id, limit)
    entity["documents"] = _entity_documents(conn, entity_id, limit)
    entity["mentions"] = _rows(
        conn,
        'SELECT doc_id, idx AS mention, start, "end", text, type, sentence, role, resolved_by,'
        " confidence, provenance FROM mentions WHERE entity_id = ? ORDER BY id DESC LIMIT ?",
        [entity_id, limit],
    )
    entity["evidence"] = [
        _decode(row, "evidence")
        for row in _rows(
            conn,
            "SELECT doc_id, evidence FROM entity_evidence WHERE entity_id = ? ORDER BY id LIMIT ?",
            [entity_id, limit],
        )
    ]
    return entity


def _entity_roles(conn: sqlite3.Connection, entity_id: str, limit: int) -> list[dict[str, Any]]:
    """Distinct role records of an entity, each with the number of documents giving it."""
    seen: dict[str, dict[str, Any]] = {}
    for (roles,) in conn.execute(
        "SELECT roles FROM document_entities WHERE entity_id = ? AND roles != '[]'", (entity_id,)
    ):
        for role in json.loads(roles):
            key = json.dumps(role, sort_keys=True)
            entry = seen.setdefault(key, {"role": role, "n_documents": 0})
            entry["n_documents"] += 1
    for role, n_mentions in conn.execute(
        "SELECT role, COUNT(*) FROM mentions WHERE entity_id = ? AND role IS NOT NULL"
        " GROUP BY role",
        (entity_id,),
    ):
        entry = seen.setdefault(f"mention:{role}", {"role": {"role": role}, "n_documents": 0})
        entry["n_mentions"] = n_mentions
    ranked = sorted(seen.values(), key=lambda r: (-r["n_documents"], -r.get("n_mentions", 0)))
    return ranked[:limit]


_ENTITY_DOCUMENT_COLUMNS = (
    "d.doc_id, d.source, d.title, d.published, d.outlet,"
    " (SELECT COUNT(*) FROM mentions m WHERE m.entity_id = ?1 AND m.doc_id = d.doc_id)"
    " AS n_mentions"
)


def _entity_documents(
    conn: sqlite3.Connection, entity_id: str, limit: int
) -> list[dict[str, Any]]:
    """The newest documents naming an entity, by one of two plans with the same answer.

    An entity named in a large share of the store (a country in a national archive) is
    found fastest by walking documents newest first until ``limit`` name it; collecting
    all its documents to sort them took seconds at 200,000 documents. A rarer entity is
    found fastest the other way round.
    """
    found = conn.execute("SELECT n_documents FROM entities WHERE id = ?", (entity_id,)).fetchone()
    named_in = found[0] if found else 0
    documents = conn.execute("SELECT MAX(rowid) FROM documents").fetchone()[0] or 0
    if named_in * named_in > limit * documents:
        return _rows(
            conn,
            f"SELECT {_ENTITY_DOCUMENT_COLUMNS} FROM documents d INDEXED BY idx_documents_published"
            " WHERE EXISTS (SELECT 1 FROM mentions m WHERE m.entity_id = ?1 AND m.doc_id = d.doc_id)"
            " OR EXISTS (SELECT 1 FROM document_entities x WHERE x.entity_id = ?1"
            " AND x.doc_id = d.doc_id) ORDER BY d.published DESC, d.doc_id LIMIT ?2",
            [entity_id, limit],
        )
    return _rows(
        conn,
        "WITH docs AS (SELECT doc_id FROM document_entities WHERE entity_id = ?1"
        " UNION SELECT doc_id FROM mentions WHERE entity_id = ?1)"
        f" SELECT {_ENTITY_DOCUMENT_COLUMNS} FROM docs JOIN documents d ON d.doc_id = docs.doc_id"
        " ORDER BY d.published DESC, d.doc_id LIMIT ?2",
        [entity_id, limit],
    )


# --- events ---------------------------------------------------------------------------------

_CLUSTER_COLUMNS = (
    "c.id AS cluster_id, c.plover, c.cameo, c.mode, c.negated, c.key_a, c.key_b,"
    " c.source_key AS source, c.target_key AS target, c.date, c.date_precision, c.date_lo,"
    " c.date_hi, c.goldstein, c.n_evidence, c.n_sources, c.n_outlets"
)


def _pair(between: Sequence[str], name: str = "between") -> tuple[str, str]:
    if isinstance(between, str) or len(between) != 2:
        raise UsageError(f"{name}={between!r}: give two country codes, e.g. ('CHN', 'KGZ').")
    return pair_key(between[0].upper(), between[1].upper())


def _event_clauses(
    *,
    between: Sequence[str] | None,
    country: str | None,
    type: str | None,
    mode: str | None,
    since: str | None,
    until: str | None,
    source: str | None,
    min_sources: int,
) -> tuple[list[str], list[Any]]:
    clauses, params = _mode_clause(mode)
    if between is not None:
        clauses.append("c.key_a = ? AND c.key_b = ?")
        params += list(_pair(between))
    if country:
        clauses.append("(c.key_a = ? OR c.key_b = ?)")
        params += [country.upper(), country.upper()]
    if type:
        clauses.append("c.plover = ?")
        params.append(type.upper())
    if since:
        clauses.append("c.date_hi >= ?")
        params.append(_day(since, edge="lo", name="since"))
    if until:
        clauses.append("c.date_lo <= ?")
        params.append(_day(until, edge="hi", name="until"))
    if source:
        clauses.append(
            "c.id IN (SELECT cluster_id FROM events WHERE source_country = ?"
            " UNION SELECT cluster_id FROM events WHERE source_entity = ?)"
        )
        params += [source.upper(), source]
    if min_sources > 1:
        clauses.append("c.n_sources >= ?")
        params.append(int(min_sources))
    return clauses, params


def list_events(
    conn: sqlite3.Connection,
    *,
    between: Sequence[str] | None = None,
    country: str | None = None,
    type: str | None = None,
    mode: str | None = None,
    since: str | None = None,
    until: str | None = None,
    source: str | None = None,
    min_sources: int = 1,
    evidence_limit: int = 20,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Events, one row per cluster of reports, newest first (undated last).

    ``between`` is an unordered pair of country codes; ``country`` one side of the pair;
    ``source`` an acting country code or entity id of some report; ``mode=""`` keeps events
    reported as done and not negated; ``since``/``until`` keep clusters whose dates overlap.
    Each row carries ``evidence``: up to ``evidence_limit`` reports (document, sentence,
    span, text), and ``n_evidence``/``n_sources``/``n_outlets`` count all of them.
    """
    limit, offset = _page(limit, offset)
    if country and between is None and not type:
        # With a type, SQLite's plan (that type's clusters newest first, from its index)
        # already stops at the page: a type is a large share of any country's events.
        clusters = _country_clusters(
            conn, country.upper(), type=type, mode=mode, since=since, until=until,
            source=source, min_sources=min_sources, limit=limit, offset=offset,
        )
    else:
        clusters = _filtered_clusters(
            conn, between=between, country=country, type=type, mode=mode, since=since,
            until=until, source=source, min_sources=min_sources, limit=limit, offset=offset,
        )
    evidence = _evidence(conn, [c["cluster_id"] for c in clusters], evidence_limit)
    for cluster in clusters:
        cluster["negated"] = bool(cluster["negated"])
        cluster["pair"] = [cluster.pop("key_a"), cluster.pop("key_b")]
        cluster["evidence"] = evidence.get(cluster["cluster_id"], [])
    return clusters


_NEWEST_FIRST = "ORDER BY c.date_lo DESC, c.id DESC"


def _filtered_clusters(conn: sqlite3.Connection, *, limit: int, offset: int,
                       **filters: Any) -> list[dict[str, Any]]:
    """A page of the clusters every filter of ``_event_clauses`` keeps, newest first."""
    clauses, params = _event_clauses(**filters)
    return _rows(
        conn,
        f"SELECT {_CLUSTER_COLUMNS} FROM event_clusters c{_where(clauses)}"
        f" {_NEWEST_FIRST} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )


def _country_clusters(conn: sqlite3.Connection, country: str, *, limit: int, offset: int,
                      **filters: Any) -> list[dict[str, Any]]:
    """A page of the clusters with ``country`` on either side of the pair, newest first.

    ``key_a = ? OR key_b = ?`` makes SQLite collect every cluster of the country and sort
    them; for a country in a large share of the store that is most of the time of the page.
    Each side is read newest first from its own index (schema version 3) and stops at
    ``offset + limit`` rows; the two short lists are merged. A cluster with the country on
    both sides is taken from the first side only.
    """
    clauses, params = _event_clauses(between=None, country=None, **filters)
    rest = "".join(f" AND {clause}" for clause in clauses)
    depth = offset + limit
    side = (f"SELECT * FROM (SELECT c.* FROM event_clusters c WHERE {{key}}{rest}"
            f" {_NEWEST_FIRST} LIMIT ?)")
    return _rows(
        conn,
        f"SELECT {_CLUSTER_COLUMNS} FROM ({side.format(key='c.key_a = ?')} UNION ALL"
        f" {side.format(key='c.key_b = ? AND c.key_a IS NOT ?')}) c"
        f" {_NEWEST_FIRST} LIMIT ? OFFSET ?",
        [country, *params, depth, country, country, *params, depth, limit, offset],
    )


def _evidence(
    conn: sqlite3.Connection, cluster_ids: list[int], per_cluster: int
) -> dict[int, list[dict[str, Any]]]:
    if not cluster_ids:
        return {}
    rows = _rows(
        conn,
        "SELECT * FROM (SELECT e.cluster_id, e.id AS event_id, e.doc_id, d.source AS doc_source,"
        " d.outlet, d.published, d.title, e.sentence, e.start, e.\"end\","
        " substr(d.text, e.start + 1, e.\"end\" - e.start) AS text, e.\"trigger\", e.cameo,"
        " e.source_text, e.source_country, e.source_entity, e.target_text, e.target_country,"
        " e.target_entity, e.date, e.date_precision, e.mode, e.negated, e.location,"
        " e.goldstein, e.confidence, e.provenance, e.rule,"
        " ROW_NUMBER() OVER (PARTITION BY e.cluster_id ORDER BY e.id) AS position"
        " FROM events e JOIN documents d ON d.doc_id = e.doc_id"
        f" WHERE e.cluster_id IN ({_marks(cluster_ids)})) WHERE position <= ?"
        " ORDER BY cluster_id, event_id",
        [*cluster_ids, max(0, int(per_cluster))],
    )
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        del row["position"]
        row["negated"] = bool(row["negated"])
        grouped.setdefault(row.pop("cluster_id"), []).append(row)
    return grouped


def timeline(
    conn: sqlite3.Connection,
    a: str,
    b: str,
    *,
    by: str = "month",
    mode: str | None = "",
    min_sources: int = 1,
) -> list[dict[str, Any]]:
    """Events between countries ``a`` and ``b`` per period, oldest first.

    Each row: ``period``, ``n_events`` (clusters), ``counts`` (every PLOVER type),
    ``goldstein_sum`` and ``goldstein_mean`` (over clusters that have a score). A cluster
    dated less precisely than ``by`` is counted under its own period ("2025" in a monthly
    timeline) rather than forced into one month. ``mode=""`` (default) counts events
    reported as done; ``None`` counts all. Undated clusters are left out.
    """
    if by not in TIMELINE_PERIODS:
        raise UsageError(f"by={by!r} is not a period. Choose one of {sorted(TIMELINE_PERIODS)}.")
    key_a, key_b = _pair((a, b), "a, b")
    clauses, params = _mode_clause(mode)
    clauses += ["c.key_a = ? AND c.key_b = ?", "c.date_lo IS NOT NULL", "c.n_sources >= ?"]
    params += [key_a, key_b, int(min_sources)]
    rows = conn.execute(
        "SELECT substr(c.date_lo, 1, MIN(?, c.date_width)) AS period, c.plover, COUNT(*),"
        f" SUM(c.goldstein), COUNT(c.goldstein) FROM event_clusters c{_where(clauses)}"
        " GROUP BY period, c.plover ORDER BY period",
        [TIMELINE_PERIODS[by], *params],
    ).fetchall()
    return _timeline_rows(rows)


def _timeline_rows(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    periods: dict[str, dict[str, Any]] = {}
    for period, plover, n_events, goldstein_sum, n_scored in rows:
        entry = periods.setdefault(
            period,
            {"period": period, "n_events": 0, "counts": dict.fromkeys(PLOVER_TYPES, 0),
             "goldstein_sum": 0.0, "_scored": 0},
        )
        entry["n_events"] += n_events
        entry["counts"][plover] = entry["counts"].get(plover, 0) + n_events
        entry["goldstein_sum"] += goldstein_sum or 0.0
        entry["_scored"] += n_scored
    for entry in periods.values():
        scored = entry.pop("_scored")
        entry["goldstein_mean"] = entry["goldstein_sum"] / scored if scored else None
    return list(periods.values())


# --- facts, relations, projects -------------------------------------------------------------


def _in_countries(table: str, join_table: str, idx_column: str, country: str) -> tuple[str, str]:
    return (
        f"({table}.doc_id, {table}.idx) IN"
        f" (SELECT doc_id, {idx_column} FROM {join_table} WHERE country = ?)",
        country.upper(),
    )


def list_facts(
    conn: sqlite3.Connection,
    *,
    indicator: str | None = None,
    country: str | None = None,
    between: Sequence[str] | None = None,
    period: str | None = None,
    doc_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Figures (trade, investment, loans…), latest period first, with their evidence.

    ``country`` keeps facts naming that country; ``between`` facts naming both; ``period``
    matches exactly or as a prefix ("2024" matches "2024-Q1").
    """
    limit, offset = _page(limit, offset)
    clauses, params = [], []
    codes = ([country] if country else []) + (list(_pair(between)) if between is not None else [])
    for code in codes:
        clause, param = _in_countries("f", "fact_countries", "fact_idx", code)
        clauses.append(clause)
        params.append(param)
    for column, value in (("f.indicator", indicator), ("f.doc_id", doc_id)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if period:
        clauses.append("(f.period = ? OR f.period LIKE ? ESCAPE '\\')")
        params += [period, _escape_like(period) + "-%"]
    rows = _rows(
        conn,
        "SELECT f.id AS fact_id, f.doc_id, f.idx AS fact, f.indicator, f.value, f.unit,"
        " f.countries, f.period, f.currency, f.original, f.change_pct, f.change_basis,"
        " f.qualifier, f.attributed_to, f.extra, f.sentence, f.start, f.\"end\", f.confidence,"
        " f.provenance, d.source AS doc_source, d.outlet, d.published,"
        " substr(d.text, f.start + 1, f.\"end\" - f.start) AS text, s.text AS sentence_text"
        " FROM facts f JOIN documents d ON d.doc_id = f.doc_id"
        " LEFT JOIN sentences s ON s.doc_id = f.doc_id AND s.idx = f.sentence"
        f"{_where(clauses)} ORDER BY f.period DESC, f.id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [_decode(row, "countries", "extra") for row in rows]


def list_relations(
    conn: sqlite3.Connection,
    a: str | None = None,
    b: str | None = None,
    *,
    limit: int = 1000,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Statements of partnership levels, as a history: oldest date first, undated last.

    The date is the upgrade date (``since``), else the date described (``as_of``), else the
    article's publication date; ``date_basis`` says which.
    """
    limit, offset = _page(limit, offset)
    clauses, params = [], []
    for code in (a, b):
        if code:
            clause, value = _in_countries("r", "relation_countries", "relation_idx", code)
            clauses.append(clause)
            params.append(value)
    rows = _rows(
        conn,
        "SELECT r.id AS relation_id, r.doc_id, r.idx AS relation, r.countries, r.level, r.rung,"
        " r.since, r.as_of, COALESCE(r.since, r.as_of, d.published) AS date,"
        " CASE WHEN r.since IS NOT NULL THEN 'since' WHEN r.as_of IS NOT NULL THEN 'as_of'"
        " WHEN d.published IS NOT NULL THEN 'published' END AS date_basis,"
        " r.sentence, r.start, r.\"end\", r.confidence, r.provenance, d.source AS doc_source,"
        " d.outlet, d.published, d.title,"
        " substr(d.text, r.start + 1, r.\"end\" - r.start) AS text"
        f" FROM relations r JOIN documents d ON d.doc_id = r.doc_id{_where(clauses)}"
        " ORDER BY date IS NULL, date, r.id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [_decode(row, "countries") for row in rows]


def list_projects(
    conn: sqlite3.Connection,
    *,
    country: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Projects across documents, most reported first, each with all its milestones.

    Names, countries and mentions are merged over every document naming the project;
    milestones are listed by date (undated last), each with the document it came from.
    """
    limit, offset = _page(limit, offset)
    clauses, params = [], []
    if country:
        clause, value = _in_countries("p", "project_countries", "project_idx", country)
        clauses.append(clause)
        params.append(value)
    heads = _rows(
        conn,
        "SELECT p.project_id, COUNT(DISTINCT p.doc_id) AS n_documents, MIN(p.id) AS first_id"
        f" FROM projects p{_where(clauses)} GROUP BY p.project_id"
        " ORDER BY n_documents DESC, p.project_id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [_project(conn, head) for head in heads]


def _project(conn: sqlite3.Connection, head: dict[str, Any]) -> dict[str, Any]:
    records = _rows(
        conn,
        "SELECT p.doc_id, p.idx, p.name, p.sector, p.countries, p.mentions, p.stated_countries"
        " FROM projects p WHERE p.project_id = ? ORDER BY p.id",
        [head["project_id"]],
    )
    merged: dict[str, dict[str, None]] = {"countries": {}, "mentions": {}, "stated_countries": {}}
    for record in records:
        for name, values in merged.items():
            values.update(dict.fromkeys(json.loads(record[name])))
    first = records[0]
    return {
        "project_id": head["project_id"],
        "name": first["name"],
        "sector": next((r["sector"] for r in records if r["sector"]), None),
        **{name: list(values) for name, values in merged.items()},
        "n_documents": head["n_documents"],
        "documents": list(dict.fromkeys(r["doc_id"] for r in records)),
        "milestones": _rows(
            conn,
            "SELECT m.status, m.date, m.doc_id, m.start, m.\"end\","
            " substr(d.text, m.start + 1, m.\"end\" - m.start) AS text"
            " FROM projects p JOIN project_milestones m"
            " ON m.doc_id = p.doc_id AND m.project_idx = p.idx"
            " JOIN documents d ON d.doc_id = m.doc_id WHERE p.project_id = ?"
            " ORDER BY m.date IS NULL, m.date, m.id",
            [head["project_id"]],
        ),
    }


# --- failures, runs, search, counts ---------------------------------------------------------


def list_failures(
    conn: sqlite3.Connection, *, run_id: str | None = None, limit: int = 1000, offset: int = 0
) -> list[dict[str, Any]]:
    """Inputs that could not be processed, oldest first (of one run when ``run_id`` is given)."""
    limit, offset = _page(limit, offset)
    clauses, params = ([], []) if run_id is None else (["run_id = ?"], [run_id])
    return _rows(
        conn,
        f"SELECT id, source, line, stage, reason, run_id, created FROM failures{_where(clauses)}"
        " ORDER BY id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )


def list_runs(conn: sqlite3.Connection, *, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """Runs, newest first, with their counts and command line."""
    limit, offset = _page(limit, offset)
    rows = _rows(
        conn,
        "SELECT run_id, started, finished, counts, argv FROM runs"
        " ORDER BY started DESC, run_id LIMIT ? OFFSET ?",
        [limit, offset],
    )
    return [_decode(row, "counts", "argv") for row in rows]


_TERM = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"[^\W_]")
_OPERATORS = {"AND", "OR", "NOT"}


def fts_query(text: str) -> str | None:
    """Turn what a user typed into a safe FTS5 query, or None when it has no word to find.

    Every word (or "quoted phrase") becomes a quoted FTS5 string, so parentheses, column
    filters, NEAR, stray quotes and SQL are searched as plain words; a trailing ``*`` keeps
    its prefix meaning. Bare upper-case AND, OR and NOT between two terms stay operators;
    anywhere else they are dropped. Terms are otherwise ANDed.
    """
    parts: list[str] = []
    operator: str | None = None
    for phrase, word in _TERM.findall(text):
        if word in _OPERATORS:
            operator = word if parts else None
            continue
        term = _fts_term(phrase, word)
        if term is None:
            continue
        if operator:
            parts.append(operator)
        parts.append(term)
        operator = None
    return " ".join(parts) if parts else None


def _fts_term(phrase: str, word: str) -> str | None:
    prefix = bool(word) and word.endswith("*")
    term = phrase or (word.rstrip("*") if prefix else word)
    if not _WORD.search(term):
        return None
    return '"' + term.replace('"', '""') + '"' + ("*" if prefix else "")


def search(
    conn: sqlite3.Connection, query: str, *, limit: int = 20, offset: int = 0
) -> list[dict[str, Any]]:
    """Sentences matching every word of ``query``, best match first (BM25).

    Any string is safe: see ``fts_query``. A query with no word returns no rows.
    """
    limit, offset = _page(limit, offset)
    match = fts_query(query)
    if match is None:
        return []
    return _rows(
        conn,
        "WITH hits AS (SELECT rowid, rank FROM sentences_fts WHERE sentences_fts MATCH ?"
        " ORDER BY rank LIMIT ? OFFSET ?)"
        " SELECT s.doc_id, s.idx AS sentence, s.start, s.\"end\", s.text, d.title, d.published,"
        " d.outlet, d.source AS doc_source, -hits.rank AS score"
        " FROM hits JOIN sentences s ON s.id = hits.rowid JOIN documents d ON d.doc_id = s.doc_id"
        " ORDER BY hits.rank, s.id",
        [match, limit, offset],
    )


_COUNTED = (
    "documents", "sentences", "mentions", "entities", "events", "event_clusters", "facts",
    "relations", "projects", "failures",
)


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per table: documents, sentences, mentions, entities, events, event_clusters,
    facts, relations, projects, failures; plus ``sources`` (every source read)."""
    result = {
        table: int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
        for table in _COUNTED
    }
    result["sources"] = int(conn.execute("SELECT COUNT(*) FROM document_sources").fetchone()[0])
    return result
