"""Event coreference: group event mentions that report the same real-world event.

Two event mentions report the same event when they have the same PLOVER type (and mode and
negation), the same unordered pair of actors (each side keyed by its country, else its entity
id, else its text), and dates that agree: one date's days contain the other's (``2025-02``
contains ``2025-02-05``; an interval ``2025-02-04/2025-02-06`` contains ``2025-02-05``).
A cluster keeps the days every one of its dates agrees on (the intersection), so a cluster
dated ``2025-02-05`` is not joined by ``2025-02-06`` even though ``2025-02`` would have
accepted both. Undated mentions join only undated mentions of the same type and pair in the
same document: without a date nothing says two articles describe one event.

Clustering is incremental: a new mention is compared with the clusters of its pair and type
near its date (an index range), and only the clusters a write or a delete touched are
recomputed. The result can depend on the order documents arrive in when dates of different
precision interleave; that is the price of never re-clustering the whole store.
"""

from __future__ import annotations

import calendar
import re
import sqlite3
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, NamedTuple

__all__ = [
    "DateBounds",
    "date_bounds",
    "side_key",
    "pair_key",
    "agree",
    "assign_cluster",
    "refresh_clusters",
    "MAX_SPAN_DAYS",
]

# Clusters spanning more days than this are flagged "wide" and looked up through their own
# small index; all others are found by a date range around the new mention.
MAX_SPAN_DAYS = 400
_WIDTHS = {"year": 4, "month": 7, "day": 10, "interval": 10}
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class DateBounds(NamedTuple):
    """The first and last day (ISO) a date covers, its precision and its label width."""

    lo: str
    hi: str
    precision: str  # day | month | year | interval
    width: int  # characters of an ISO date its label keeps: 4, 7 or 10


def date_bounds(value: str | None) -> DateBounds | None:
    """Return the days ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``START/END`` covers.

    Returns None for no date, or for a value that is not a valid calendar date.
    """
    if not value:
        return None
    if "/" in value:
        first, _, last = value.partition("/")
        start, end = _single_bounds(first.strip()), _single_bounds(last.strip())
        if start is None or end is None or start[0] > end[1]:
            return None
        return DateBounds(start[0].isoformat(), end[1].isoformat(), "interval", 10)
    bounds = _single_bounds(value.strip())
    if bounds is None:
        return None
    precision = bounds[2]
    return DateBounds(bounds[0].isoformat(), bounds[1].isoformat(), precision, _WIDTHS[precision])


def _single_bounds(value: str) -> tuple[date, date, str] | None:
    match = _DATE.match(value)
    if not match:
        return None
    year, month, day = match.groups()
    try:
        if day is not None:
            exact = date(int(year), int(month), int(day))
            return exact, exact, "day"
        if month is not None:
            last = calendar.monthrange(int(year), int(month))[1]
            return date(int(year), int(month), 1), date(int(year), int(month), last), "month"
        return date(int(year), 1, 1), date(int(year), 12, 31), "year"
    except ValueError:  # month 13, February 30, year 0
        return None


def side_key(present: bool, country: str | None, entity: str | None, text: str | None) -> str:
    """The key of one side of an event: its country, else its entity id, else its words.

    ``-`` stands for a side the event does not have (a one-sided PROTEST or MOBILIZE).
    """
    if not present:
        return "-"
    if country:
        return country
    if entity:
        return entity
    words = " ".join((text or "").split()).casefold()
    return f"~{words}" if words else "-"


def pair_key(source_key: str, target_key: str) -> tuple[str, str]:
    """The unordered pair of side keys, smaller first."""
    return (source_key, target_key) if source_key <= target_key else (target_key, source_key)


def agree(lo: str, hi: str, other_lo: str, other_hi: str) -> bool:
    """True when one span of days contains the other (ISO strings compare as dates)."""
    return (lo <= other_lo and other_hi <= hi) or (other_lo <= lo and hi <= other_hi)


def _is_wide(lo: str, hi: str) -> bool:
    return (date.fromisoformat(hi) - date.fromisoformat(lo)).days > MAX_SPAN_DAYS


def assign_cluster(conn: sqlite3.Connection, event: dict[str, Any], doc_id: str) -> int:
    """Return the id of the cluster ``event`` (an events row, before insert) belongs to.

    Joins the best agreeing cluster (most evidence, then oldest) and narrows its dates, or
    creates a new cluster. Counts are made exact later by ``refresh_clusters``.
    """
    key_a, key_b = pair_key(event["source_key"], event["target_key"])
    kind = (event["plover"], event["mode"], event["negated"])
    if event["date_lo"] is None:
        found = _undated_cluster(conn, kind, key_a, key_b, doc_id)
    else:
        found = _dated_cluster(conn, kind, key_a, key_b, event["date_lo"], event["date_hi"])
    if found is None:
        return _new_cluster(conn, event, key_a, key_b, doc_id)
    if event["date_lo"] is not None:
        _narrow(conn, found, event["date_lo"], event["date_hi"])
    conn.execute("UPDATE event_clusters SET n_evidence = n_evidence + 1 WHERE id = ?", (found,))
    return found


def _undated_cluster(
    conn: sqlite3.Connection, kind: tuple[str, str, int], key_a: str, key_b: str, doc_id: str
) -> int | None:
    row = conn.execute(
        "SELECT id FROM event_clusters WHERE undated_doc = ? AND key_a = ? AND key_b = ?"
        " AND plover = ? AND mode = ? AND negated = ? ORDER BY id LIMIT 1",
        (doc_id, key_a, key_b, *kind),
    ).fetchone()
    return None if row is None else int(row[0])


def _dated_cluster(
    conn: sqlite3.Connection, kind: tuple[str, str, int], key_a: str, key_b: str, lo: str, hi: str
) -> int | None:
    earliest = (date.fromisoformat(lo) - timedelta(days=MAX_SPAN_DAYS)).isoformat()
    rows = conn.execute(
        "SELECT id, date_lo, date_hi, n_evidence FROM event_clusters"
        " WHERE key_a = ? AND key_b = ? AND plover = ? AND date_lo BETWEEN ? AND ?"
        " AND mode = ? AND negated = ?"
        " UNION SELECT id, date_lo, date_hi, n_evidence FROM event_clusters"
        " WHERE key_a = ? AND key_b = ? AND plover = ? AND wide = 1 AND mode = ? AND negated = ?",
        (key_a, key_b, kind[0], earliest, hi, kind[1], kind[2], key_a, key_b, *kind),
    ).fetchall()
    matches = [row for row in rows if agree(row[1], row[2], lo, hi)]
    if not matches:
        return None
    best = min(matches, key=lambda row: (-row[3], row[0]))
    return int(best[0])


def _narrow(conn: sqlite3.Connection, cluster_id: int, lo: str, hi: str) -> None:
    row = conn.execute(
        "SELECT date_lo, date_hi FROM event_clusters WHERE id = ?", (cluster_id,)
    ).fetchone()
    new_lo, new_hi = max(row[0], lo), min(row[1], hi)
    conn.execute(
        "UPDATE event_clusters SET date_lo = ?, date_hi = ?, wide = ? WHERE id = ?",
        (new_lo, new_hi, int(_is_wide(new_lo, new_hi)), cluster_id),
    )


def _new_cluster(
    conn: sqlite3.Connection,
    event: dict[str, Any],
    key_a: str,
    key_b: str,
    doc_id: str,
) -> int:
    dated = event["date_lo"] is not None
    cursor = conn.execute(
        "INSERT INTO event_clusters (plover, cameo, mode, negated, key_a, key_b, source_key,"
        " target_key, date, date_precision, date_lo, date_hi, date_width, wide, undated_doc,"
        " n_evidence, goldstein) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
        (
            event["plover"], event["cameo"], event["mode"], event["negated"], key_a, key_b,
            event["source_key"], event["target_key"], event["date"], event["date_precision"],
            event["date_lo"], event["date_hi"], event["date_width"],
            int(dated and _is_wide(event["date_lo"], event["date_hi"])),
            None if dated else doc_id, event["goldstein"],
        ),
    )
    return int(cursor.lastrowid or 0)


def refresh_clusters(conn: sqlite3.Connection, cluster_ids: Iterable[int]) -> None:
    """Recompute counts, dates and labels of the given clusters from their evidence.

    A cluster left without evidence (its documents were deleted) is dropped.
    """
    for cluster_id in sorted(set(cluster_ids)):
        stats = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT e.doc_id),"
            " COUNT(DISTINCT COALESCE(lower(d.outlet), 'doc:' || d.doc_id)),"
            " MAX(e.date_lo), MIN(e.date_hi), AVG(e.goldstein)"
            " FROM events e JOIN documents d ON d.doc_id = e.doc_id WHERE e.cluster_id = ?",
            (cluster_id,),
        ).fetchone()
        if stats[0] == 0:
            conn.execute("DELETE FROM event_clusters WHERE id = ?", (cluster_id,))
            continue
        _store_refresh(conn, cluster_id, stats)


def _store_refresh(conn: sqlite3.Connection, cluster_id: int, stats: tuple[Any, ...]) -> None:
    n_evidence, n_sources, n_outlets, lo, hi, goldstein = stats
    # The date shown is the most precise evidence date; the direction is the first report's.
    lead = conn.execute(
        "SELECT date, date_precision, date_width FROM events WHERE cluster_id = ?"
        " ORDER BY julianday(date_hi) - julianday(date_lo), id LIMIT 1",
        (cluster_id,),
    ).fetchone()
    first = conn.execute(
        "SELECT source_key, target_key FROM events WHERE cluster_id = ? ORDER BY id LIMIT 1",
        (cluster_id,),
    ).fetchone()
    cameo = conn.execute(
        "SELECT cameo FROM events WHERE cluster_id = ? GROUP BY cameo"
        " ORDER BY COUNT(*) DESC, cameo LIMIT 1",
        (cluster_id,),
    ).fetchone()
    wide = int(lo is not None and _is_wide(lo, hi))
    conn.execute(
        "UPDATE event_clusters SET n_evidence = ?, n_sources = ?, n_outlets = ?, date_lo = ?,"
        " date_hi = ?, wide = ?, goldstein = ?, date = ?, date_precision = ?, date_width = ?,"
        " source_key = ?, target_key = ?, cameo = ? WHERE id = ?",
        (n_evidence, n_sources, n_outlets, lo, hi, wide, goldstein, *lead, *first, cameo[0],
         cluster_id),
    )
