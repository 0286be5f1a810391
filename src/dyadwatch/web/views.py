"""What each page and API answer shows, as plain JSON-ready dicts: the one place where store
rows become views, so that a page and its JSON twin cannot disagree.

Every function takes the Workbench and this thread's Store; none writes. Unknown ids raise
NotFound (answered 404), bad values UsageError (422).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..errors import UsageError
from ..store import NotFound, Store
from . import links
from . import queries as web_queries
from .bench import Workbench, rung_names
from .reader import Run, marks_of, runs

__all__ = [
    "listing", "decorate_event", "decorate_fact", "decorate_relation", "decorate_project",
    "home_view", "pairs_view", "pair_view", "timeline_view", "conflicts_view", "entity_view",
    "document_view", "search_view", "provenance_view", "CONFLICTS_MISSING", "CONFLICT_KINDS",
]

CONFLICTS_MISSING = (
    "Contradictions are not available: this dyadwatch has no dyadwatch.conflicts module. "
    "Upgrade dyadwatch to a version that finds contradictions between sources."
)
# The kinds dyadwatch.conflicts reports (kept here too, so that ?kind= is checked even when
# that module is absent).
CONFLICT_KINDS = ("figure", "event_date", "relation_level", "relation_since",
                  "project_countries")
PAIR_EVENT_LIMIT = 200  # events listed on a dashboard; the API pages through all of them


def listing(fetch: Callable[[int, int], list[dict[str, Any]]], limit: int,
            offset: int) -> dict[str, Any]:
    """One page of rows in the API's envelope: items, count, limit, offset, next_offset.

    ``fetch(limit, offset)`` is asked for one row more than the page, to tell whether
    another page follows without counting them all.
    """
    rows = fetch(limit + 1, offset)
    items = rows[:limit]
    return {"items": items, "count": len(items), "limit": limit, "offset": offset,
            "next_offset": offset + limit if len(rows) > limit else None}


# --- decorating store rows with names and links -----------------------------------------


def decorate_event(bench: Workbench, cluster: dict[str, Any]) -> dict[str, Any]:
    """An event cluster with the names of its pair and links for each report."""
    cluster["pair_names"] = [bench.name_of(code) for code in cluster.get("pair", [])]
    cluster["links"] = {"provenance": links.provenance("cluster", cluster["cluster_id"])}
    for report in cluster.get("evidence", []):
        report["links"] = {
            "reader": links.reader(report["doc_id"], report["start"], report["end"]),
            "provenance": links.provenance("event", report["event_id"]),
        }
    return cluster


def decorate_fact(fact: dict[str, Any]) -> dict[str, Any]:
    """A fact with links to its evidence."""
    fact["links"] = {"reader": links.reader(fact["doc_id"], fact["start"], fact["end"]),
                     "provenance": links.provenance("fact", fact["fact_id"])}
    return fact


def decorate_relation(relation: dict[str, Any]) -> dict[str, Any]:
    """A partnership statement with links to its evidence."""
    relation["links"] = {
        "reader": links.reader(relation["doc_id"], relation["start"], relation["end"]),
        "provenance": links.provenance("relation", relation["relation_id"]),
    }
    return relation


def decorate_project(project: dict[str, Any]) -> dict[str, Any]:
    """A project with links to its entity page and to each milestone's evidence."""
    project["links"] = {"entity": links.entity(project["project_id"])}
    for milestone in project.get("milestones", []):
        milestone["links"] = {
            "reader": links.reader(milestone["doc_id"], milestone["start"], milestone["end"])}
    return project


def _decorate_pair(bench: Workbench, row: dict[str, Any]) -> dict[str, Any]:
    row["names"] = [bench.name_of(row["a"]), bench.name_of(row["b"])]
    row["links"] = {"dashboard": links.pair(row["a"], row["b"]),
                    "api": f"/api/timeline?a={row['a']}&b={row['b']}"}
    return row


# --- home, pairs ---------------------------------------------------------------------------


def pairs_view(bench: Workbench, store: Store, *, limit: int, offset: int) -> dict[str, Any]:
    """Pairs of countries with most events, as a page of the API envelope."""
    def fetch(size: int, start: int) -> list[dict[str, Any]]:
        rows = web_queries.top_pairs(store.connection(), limit=size, offset=start)
        return [_decorate_pair(bench, row) for row in rows]

    return listing(fetch, limit, offset)


def home_view(bench: Workbench, store: Store) -> dict[str, Any]:
    """The home page: corpus counts, the most active pairs (with their latest partnership
    level), the latest documents and the most mentioned entities."""
    pairs = pairs_view(bench, store, limit=20, offset=0)["items"]
    for row in pairs:
        levels = store.relations(row["a"], row["b"], limit=1000)
        dated = [r for r in levels if r["date"]]
        row["latest_level"] = dated[-1]["level"] if dated else None
    documents = store.documents(limit=10)
    for document in documents:
        document["links"] = {"reader": links.reader(document["doc_id"])}
    entities = store.entities(limit=15)
    for entity in entities:
        entity["links"] = {"page": links.entity(entity["id"])}
    return {"counts": store.counts(), "pairs": pairs, "documents": documents,
            "entities": entities}


# --- a pair of countries -------------------------------------------------------------------


def timeline_view(bench: Workbench, store: Store, a: str, b: str, *, by: str,
                  mode: str | None, min_sources: int = 1) -> dict[str, Any]:
    """Events between ``a`` and ``b`` per period with the Goldstein sum and mean, and the
    totals over the periods (undated events are in no period)."""
    periods = store.timeline(a, b, by=by, mode=mode, min_sources=min_sources)
    return {
        "pair": [a, b], "names": [bench.name_of(a), bench.name_of(b)], "by": by,
        "mode": "all" if mode is None else (mode or "done"), "min_sources": min_sources,
        "periods": periods,
        "totals": {"n_events": sum(p["n_events"] for p in periods),
                   "goldstein_sum": sum(p["goldstein_sum"] for p in periods)},
    }


def conflicts_view(bench: Workbench, *, a: str | None = None, b: str | None = None,
                   kind: str | None = None) -> list[dict[str, Any]] | None:
    """Contradictions, kept to those naming ``a`` (and ``b``) and of ``kind`` when given;
    None when this dyadwatch cannot find contradictions."""
    found = bench.conflicts()
    if found is None:
        return None
    wanted = {code for code in (a, b) if code}
    kept = []
    for conflict in found:
        if kind and conflict.get("kind") != kind:
            continue
        if wanted and not wanted <= _conflict_codes(conflict):
            continue
        kept.append(_decorate_conflict(conflict))
    return kept


_CODES = re.compile(r"^[A-Z][A-Z0-9+]{1,11}(?:-[A-Z][A-Z0-9+]{1,11})+$")


def _conflict_codes(conflict: dict[str, Any]) -> set[str]:
    """Country codes a contradiction is about: from its key ("trade_value CHN-KGZ 2024")
    and from the countries its items name (projects)."""
    codes: set[str] = set()
    for word in str(conflict.get("key", "")).split():
        if _CODES.match(word):
            codes.update(word.split("-"))
    for item in conflict.get("items", []):
        value = item.get("value")
        if isinstance(value, dict) and isinstance(value.get("countries"), list):
            codes.update(str(code) for code in value["countries"])
    return codes


def _decorate_conflict(conflict: dict[str, Any]) -> dict[str, Any]:
    shown = dict(conflict)
    shown["items"] = []
    for item in conflict.get("items", []):
        item = dict(item)
        if item.get("doc_id") and item.get("start") is not None:
            item["links"] = {"reader": links.reader(item["doc_id"], item["start"], item["end"])}
        shown["items"].append(item)
    return shown


def pair_view(bench: Workbench, store: Store, a: str, b: str, *, by: str, mode: str | None,
              since: str | None = None, until: str | None = None) -> dict[str, Any]:
    """Everything the pair dashboard shows: totals, timeline, ladder, facts, projects,
    contradictions and the events (of ``since``–``until`` when given)."""
    conn = store.connection()
    timeline = timeline_view(bench, store, a, b, by=by, mode=mode)
    events = store.events(between=(a, b), mode=mode, since=since, until=until,
                          limit=PAIR_EVENT_LIMIT + 1)
    relations = [decorate_relation(r) for r in store.relations(a, b, limit=1000)]
    dated = [r for r in relations if r["date"]]
    conflicts = conflicts_view(bench, a=a, b=b)
    return {
        "pair": [a, b], "names": [bench.name_of(a), bench.name_of(b)],
        "summary": web_queries.pair_summary(conn, a, b, mode=mode),
        "by": by, "mode": timeline["mode"], "since": since, "until": until,
        "timeline": timeline,
        "ladder": {"current": dated[-1] if dated else None, "history": relations,
                   "rungs": rung_names()},
        "facts": [decorate_fact(f) for f in store.facts(between=(a, b), limit=500)],
        "projects": [decorate_project(p) for p in store.projects(country=a, limit=500)
                     if b in p["countries"] or b in p["stated_countries"]],
        "conflicts": conflicts, "conflicts_message": None if conflicts is not None
        else CONFLICTS_MISSING,
        "events": [decorate_event(bench, e) for e in events[:PAIR_EVENT_LIMIT]],
        "events_truncated": len(events) > PAIR_EVENT_LIMIT,
    }


# --- an entity -----------------------------------------------------------------------------


def entity_view(bench: Workbench, store: Store, key: str, *, limit: int = 100) -> dict[str, Any]:
    """An entity (by id, name or alias): names and spellings, roles over time, its events
    and documents. Raises NotFound."""
    entity = store.entity(key, limit=limit)
    country = entity["country"] if entity["type"] == "COUNTRY" else None
    entity["events"] = [
        _decorate_report(report) for report in web_queries.entity_events(
            store.connection(), entity["id"], country=country, limit=limit)]
    entity["roles"] = sorted(entity["roles"], key=_role_date)
    for document in entity["documents"]:
        document["links"] = {"reader": links.reader(document["doc_id"])}
    for mention in entity["mentions"]:
        mention["links"] = {"reader": links.reader(mention["doc_id"], mention["start"],
                                                   mention["end"])}
    entity["country_name"] = bench.name_of(entity.get("country"))
    entity["pairs"] = [_decorate_pair(bench, row) for row in web_queries.pairs_of(
        store.connection(), country, limit=limit)] if country else []
    entity["links"] = {"page": links.entity(entity["id"]),
                       "api": f"/api/entities/{links.entity(entity['id'])[len('/entity/'):]}"}
    return entity


def _role_date(role: dict[str, Any]) -> tuple[str, str]:
    record = role.get("role", {})
    return str(record.get("as_of") or record.get("since") or "~"), str(record)


def _decorate_report(report: dict[str, Any]) -> dict[str, Any]:
    report["links"] = {"reader": links.reader(report["doc_id"], report["start"], report["end"]),
                       "provenance": links.provenance("event", report["event_id"])}
    return report


# --- a document ----------------------------------------------------------------------------


def document_view(bench: Workbench, store: Store, doc_id: str,
                  highlight: tuple[int, int] | None) -> tuple[dict[str, Any], list[Run]]:
    """The reader's data (the stored document with every record, the store ids of its events
    and the highlight) and the runs of its text. Raises NotFound."""
    doc = store.load(doc_id)
    summary = store.document(doc_id)
    ids = web_queries.event_ids(store.connection(), doc_id)
    data = doc.to_dict()
    data["sources"] = summary["sources"]
    data["links"] = {"api": links.document_api(doc_id), "reader": links.reader(doc_id)}
    for index, event in enumerate(data["events"]):
        event_id, cluster_id = ids.get(index, (None, None))
        event.update(index=index, event_id=event_id, cluster_id=cluster_id,
                     evidence=doc.text[event["start"]:event["end"]],
                     links={"reader": links.reader(doc_id, event["start"], event["end"])})
    data["highlight"] = _highlight(doc.text, highlight, doc)
    text_runs = runs(doc.text, marks_of(doc, entity_href=links.entity, highlight=highlight))
    return data, text_runs


def _highlight(text: str, span: tuple[int, int] | None, doc: Any) -> dict[str, Any] | None:
    if span is None:
        return None
    start, end = span
    return {"start": start, "end": end, "text": text[start:end],
            "sentence": doc.sentence_of(start), "raw_span": list(doc.raw_span(start, end))}


# --- search --------------------------------------------------------------------------------


def search_view(store: Store, query: str, *, limit: int, offset: int) -> dict[str, Any]:
    """Sentences matching ``query`` (every word), best first, as a page of the envelope."""
    def fetch(size: int, start: int) -> list[dict[str, Any]]:
        rows = store.search(query, limit=size, offset=start)
        for row in rows:
            row["links"] = {"reader": links.reader(row["doc_id"], row["start"], row["end"])}
        return rows

    page = listing(fetch, limit, offset)
    page["query"] = query
    return page


_WORDS = re.compile(r"[^\W_]+")


def query_words(query: str) -> list[str]:
    """The words of a search, for marking them in results (operators left out)."""
    return [w for w in _WORDS.findall(query) if w not in ("AND", "OR", "NOT")]


def mark_words(text: str, words: list[str]) -> list[Run]:
    """``text`` cut into runs, the runs that start with a searched word marked "hit"."""
    if not words:
        return [Run(text=text)]
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\w*",
                         re.IGNORECASE)
    result, position = [], 0
    for match in pattern.finditer(text):
        if match.start() > position:
            result.append(Run(text=text[position:match.start()]))
        result.append(Run(text=match.group(), classes=["hit"]))
        position = match.end()
    if position < len(text):
        result.append(Run(text=text[position:]))
    return result


# --- provenance ----------------------------------------------------------------------------

PROVENANCE_KINDS = ("cluster", *web_queries.RECORD_TABLES)


def provenance_view(store: Store, kind: str, record_id: int) -> dict[str, Any]:
    """Where a record came from: for each report behind it, the document, the sentence and
    the exact characters, in the normalised text and in the raw text as read.

    ``kind`` is one of PROVENANCE_KINDS; a cluster has one item of evidence per report.
    Raises UsageError for an unknown kind and NotFound for an unknown id.
    """
    if kind not in PROVENANCE_KINDS:
        raise UsageError(f"kind={kind!r} is not a kind of record. Choose one of "
                         f"{', '.join(PROVENANCE_KINDS)}.")
    if not 0 <= record_id < 2**63:  # SQLite's ids are 64-bit; a bigger one names nothing
        raise NotFound(f"No {kind} with id {record_id} in the store.")
    conn = store.connection()
    if kind == "cluster":
        event_ids = web_queries.cluster_event_ids(conn, record_id)
        if event_ids is None:
            raise NotFound(f"No event cluster with id {record_id}; /api/events lists them.")
        rows = [web_queries.record_row(conn, "event", event_id) for event_id in event_ids]
        record: dict[str, Any] = {"cluster_id": record_id, "event_ids": event_ids}
    else:
        row = web_queries.record_row(conn, kind, record_id)
        if row is None:
            raise NotFound(f"No {kind} with id {record_id} in the store.")
        rows, record = [row], row
    evidence = [_evidence(store, kind if kind != "cluster" else "event", row)
                for row in rows if row]
    return {"kind": kind, "id": record_id, "record": record, "evidence": evidence}


def _evidence(store: Store, kind: str, row: dict[str, Any]) -> dict[str, Any]:
    doc = store.load(row["doc_id"])
    start, end = int(row["start"]), int(row["end"])
    index = row.get("idx") if kind == "sentence" else row.get("sentence", -1)
    if index is None or index < 0:
        index = doc.sentence_of(start)
    sentences = doc.layer("sentences")
    sentence = sentences[index] if 0 <= index < len(sentences) else None
    raw_start, raw_end = doc.raw_span(start, end)
    return {
        "kind": kind, "record_id": row["id"],
        "document": {"doc_id": doc.doc_id, "source": doc.source, "title": doc.meta.title,
                     "published": doc.meta.published, "outlet": doc.meta.outlet,
                     "url": doc.meta.url},
        "sentence": None if sentence is None else {
            "index": index, "start": sentence.start, "end": sentence.end,
            "text": doc.text[sentence.start:sentence.end]},
        "span": {"start": start, "end": end, "text": doc.text[start:end]},
        "raw_span": {"start": raw_start, "end": raw_end, "text": doc.raw[raw_start:raw_end]},
        "in_boilerplate": doc.in_boilerplate(start, end),
        "provenance": row.get("provenance"),
        "links": {"reader": links.reader(doc.doc_id, start, end),
                  "document": links.document_api(doc.doc_id)},
    }
