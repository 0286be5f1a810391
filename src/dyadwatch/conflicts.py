"""Contradictions between sources, and within one: figures, event dates, partnership levels
and the countries of projects.

``find_conflicts(docs, registry)`` returns one dict per contradiction::

    {"kind": "figure", "key": "trade_value CHN-KGZ 2024",
     "items": [{"doc_id", "source", "value", "evidence", "start", "end"}, ...],
     "note": "what disagrees, in words"}

Kinds (each rule errs on the side of silence; a contradiction is a claim about the sources):

- ``figure``: facts of one indicator, pair of countries, period and unit whose values cannot
  all be true: more than 1 % apart, a qualifier widening a value into a bound or a range
  ("more than $26 billion" agrees with $27 billion; "about" allows 5 %).
- ``event_date``: events of one PLOVER type and pair of countries that evidently tell one
  occasion (the same trigger word and CAMEO code, and the same named occasion with an
  ordinal or a year, "the 5th Consultative Meeting", or the same occasion name or place
  within two weeks) with dates that do not overlap.
- ``relation_level``: different levels for one pair at one time (as of the same day, or the
  same month with no upgrade of that pair in that month to explain the change).
- ``relation_since``: one level of one pair said to date from times that do not overlap.
- ``project_countries``: a project named with countries its registry entry does not list
  ("China-Kyrgyzstan-Ukraine railway" for the China-Kyrgyzstan-Uzbekistan railway): the
  contradicting mention, the mentions of other sources that agree with the registry, and
  the registry entry itself (``doc_id`` None, ``source`` "registry").

Items carry the evidence: the sentence a record was read from (``start``/``end`` index the
document's text). ``conflicts_from_store(store)`` runs the same over every stored document.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from .document import Document, Event, Fact, ProjectRecord, Relation
from .evaluate.measures import date_range
from .registry import Registry, fold, load_registry
from .stages.projects import stated_countries

__all__ = ["find_conflicts", "conflicts_from_store", "CONFLICT_KINDS"]

CONFLICT_KINDS = ("figure", "event_date", "relation_level", "relation_since",
                  "project_countries")

_TOLERANCE = 0.01  # two plain figures within 1 % agree (rounding in reports)
# How far a qualified figure reaches: (low, high) as multiples of the value.
_BOUNDS = {"more than": (1.0, math.inf), "at least": (1.0, math.inf),
           "less than": (0.0, 1.0), "up to": (0.0, 1.0), "nearly": (0.9, 1.0),
           "about": (0.95, 1.05)}
_SAME_PLACE_DAYS = 14  # one place, one kind of event, further apart: two occasions
_OCCASION = re.compile(
    r"\b(?:\d+(?:st|nd|rd|th)\s+|(?:19|20)\d\d\s+|[A-Z][\w'’-]*\s+)(?:(?:of|the|and|for|on|[A-Z][\w'’-]*)\s+){0,8}?"
    r"(?:Summit|Forum|Meeting|Conference|Games|Expo|Congress|Session|Council|Dialogue|Olympics"
    r"|Festival|Exhibition|Fair|Assembly)\b")
_UNIQUE_OCCASION = re.compile(r"\b(?:\d+(?:st|nd|rd|th)|(?:19|20)\d\d)\b")

Item = dict[str, Any]
Conflict = dict[str, Any]


def find_conflicts(docs: Iterable[Document], registry: Registry | None = None) -> list[Conflict]:
    """Every contradiction among ``docs`` (see the module for the kinds and their rules).

    ``registry`` defaults to the built-in one; it tells which countries a project has.
    """
    docs = list(docs)
    registry = registry if registry is not None else load_registry()
    return [*_figure_conflicts(docs), *_event_date_conflicts(docs), *_relation_conflicts(docs),
            *_project_conflicts(docs, registry)]


def conflicts_from_store(store: Any, *, registry: Registry | None = None,
                         page_size: int = 200) -> list[Conflict]:
    """``find_conflicts`` over every document of a :class:`dyadwatch.store.Store`."""
    return find_conflicts(_stored_documents(store, page_size), registry)


def _stored_documents(store: Any, page_size: int) -> Iterator[Document]:
    offset = 0
    while True:
        page = store.documents(limit=page_size, offset=offset)
        if not page:
            return
        for row in page:
            yield store.load(row["doc_id"])
        offset += len(page)


# ------------------------------------------------------------------------------------------
# Items


def _sentence_span(doc: Document, index: int, start: int, end: int) -> tuple[int, int]:
    sentences = doc.layer("sentences")
    if 0 <= index < len(sentences):
        return sentences[index].start, sentences[index].end
    found = doc.sentence_of(start)
    return (sentences[found].start, sentences[found].end) if found >= 0 else (start, end)


def _item(doc: Document, value: Any, start: int, end: int) -> Item:
    return {"doc_id": doc.doc_id, "source": doc.source, "value": value,
            "evidence": doc.text[start:end], "start": start, "end": end}


# ------------------------------------------------------------------------------------------
# Figures


def _figure_conflicts(docs: list[Document]) -> list[Conflict]:
    groups: dict[tuple[Any, ...], list[tuple[Document, Fact]]] = defaultdict(list)
    for doc in docs:
        for fact in doc.facts:
            if fact.value is not None and fact.period and fact.countries:
                key = (fact.indicator, tuple(sorted(fact.countries)), fact.period, fact.unit)
                groups[key].append((doc, fact))
    conflicts = []
    for (indicator, countries, period, _unit), found in groups.items():
        if not _bounds_disagree([_bounds(fact) for _, fact in found]):
            continue
        items = []
        for doc, fact in found:
            start, end = _sentence_span(doc, fact.sentence, fact.start, fact.end)
            value = {"value": fact.value, "unit": fact.unit, "qualifier": fact.qualifier,
                     "original": fact.original}
            items.append(_item(doc, value, start, end))
        written = ", ".join(sorted({_written(fact) for _, fact in found}))
        conflicts.append({
            "kind": "figure", "key": f"{indicator} {'-'.join(countries)} {period}",
            "items": items,
            "note": f"{indicator} of {'-'.join(countries)} for {period} is given as {written}: "
                    f"these cannot all hold (more than {_TOLERANCE:.0%} apart)"})
    return conflicts


def _bounds(fact: Fact) -> tuple[float, float]:
    value = float(fact.value or 0.0)
    low, high = _BOUNDS.get(fact.qualifier or "", (1 - _TOLERANCE, 1 + _TOLERANCE))
    return value * low, value * high


def _bounds_disagree(bounds: list[tuple[float, float]]) -> bool:
    return max(low for low, _ in bounds) > min(high for _, high in bounds)


def _written(fact: Fact) -> str:
    qualifier = f"{fact.qualifier} " if fact.qualifier else ""
    return f"{qualifier}{fact.original or fact.value}"


# ------------------------------------------------------------------------------------------
# Event dates


def _event_date_conflicts(docs: list[Document]) -> list[Conflict]:
    buckets: dict[tuple[Any, ...], list[tuple[Document, Event, str | None]]] = defaultdict(list)
    for doc in docs:
        for event in doc.events:
            pair = _event_pair(event)
            if event.date and date_range(event.date) and pair and not event.negated:
                buckets[(event.plover, pair)].append((doc, event, _occasion(doc, event)))
    conflicts = []
    for (plover, pair), found in buckets.items():
        for component in _same_occasions(found):
            if len(component) > 1 and _dates_disagree([e.date for _, e, _ in component]):
                conflicts.append(_event_conflict(plover, pair, component))
    return conflicts


def _event_pair(event: Event) -> tuple[str, ...] | None:
    countries = [actor.country for actor in (event.source, event.target)
                 if actor is not None and actor.country]
    return tuple(sorted(countries)) if len(countries) == 2 else None


def _occasion(doc: Document, event: Event) -> str | None:
    match = _OCCASION.search(doc.text[event.start:event.end])
    return fold(match.group()) if match else None


def _trigger_family(event: Event) -> tuple[str, str]:
    word = fold(event.trigger)
    word = re.sub(r"(?:ing|ed|es|s)$", "", word) if len(word) > 5 else word
    return event.cameo[:3], word


def _same_occasion(first: tuple[Document, Event, str | None],
                   second: tuple[Document, Event, str | None]) -> bool:
    (_, one, one_occasion), (_, other, other_occasion) = first, second
    if _trigger_family(one) != _trigger_family(other) or not one.trigger:
        return False
    gap = _gap_days(one.date, other.date)
    if one_occasion and one_occasion == other_occasion:
        # "the 5th Meeting", "the 2023 Summit" name one occasion; a bare "Forum" recurs
        return bool(_UNIQUE_OCCASION.search(one_occasion)) or gap <= _SAME_PLACE_DAYS
    if one.location and other.location and fold(one.location) == fold(other.location):
        return gap <= _SAME_PLACE_DAYS
    return False


def _same_occasions(found: list[tuple[Document, Event, str | None]]
                    ) -> list[list[tuple[Document, Event, str | None]]]:
    """Group events that tell one occasion (connected components of ``_same_occasion``)."""
    parent = list(range(len(found)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for i in range(len(found)):
        for j in range(i + 1, len(found)):
            if _same_occasion(found[i], found[j]):
                parent[root(j)] = root(i)
    groups: dict[int, list[tuple[Document, Event, str | None]]] = defaultdict(list)
    for index, item in enumerate(found):
        groups[root(index)].append(item)
    return list(groups.values())


def _range(value: str | None) -> tuple[date, date] | None:
    found = date_range(value)
    return (found[0], found[1]) if found else None


def _gap_days(first: str | None, second: str | None) -> int:
    one, other = _range(first), _range(second)
    if one is None or other is None:
        return 10**6
    if one[1] < other[0]:
        return (other[0] - one[1]).days
    if other[1] < one[0]:
        return (one[0] - other[1]).days
    return 0


def _dates_disagree(values: list[str | None]) -> bool:
    return any(_gap_days(a, b) > 0 for i, a in enumerate(values) for b in values[i + 1:])


def _event_conflict(plover: str, pair: tuple[str, ...],
                    component: list[tuple[Document, Event, str | None]]) -> Conflict:
    items = [_item(doc, event.date, event.start, event.end) for doc, event, _ in component]
    _, first, occasion = component[0]
    where = occasion or first.location or ""
    dates = ", ".join(sorted({str(event.date) for _, event, _ in component}))
    return {"kind": "event_date", "key": f"{plover} {'-'.join(pair)} {where}".strip(),
            "items": items,
            "note": f"one {plover} between {' and '.join(pair)} ({first.trigger!r}"
                    f"{', ' + where if where else ''}) is dated {dates}"}


# ------------------------------------------------------------------------------------------
# Partnership levels


def _relation_conflicts(docs: list[Document]) -> list[Conflict]:
    by_pair: dict[tuple[str, ...], list[tuple[Document, Relation]]] = defaultdict(list)
    for doc in docs:
        for relation in doc.relations:
            by_pair[tuple(sorted(relation.countries))].append((doc, relation))
    conflicts = []
    for pair, found in by_pair.items():
        conflicts += _levels_at_one_time(pair, found)
        conflicts += _since_disagreements(pair, found)
    return conflicts


def _levels_at_one_time(pair: tuple[str, ...],
                        found: list[tuple[Document, Relation]]) -> list[Conflict]:
    upgrades = {relation.since[:7] for _, relation in found if relation.since}
    by_month: dict[str, list[tuple[Document, Relation]]] = defaultdict(list)
    for doc, relation in found:
        if relation.as_of and len(relation.as_of) >= 7:
            by_month[relation.as_of[:7]].append((doc, relation))
    conflicts = []
    for month, described in by_month.items():
        groups = _same_day_groups(described) if month in upgrades else [described]
        for group in groups:
            levels = sorted({relation.level for _, relation in group})
            if len(levels) > 1:
                conflicts.append(_relation_conflict("relation_level", pair, month, group,
                                                    f"levels {', '.join(levels)} are all "
                                                    f"given for {month}"))
    return conflicts


def _same_day_groups(described: list[tuple[Document, Relation]]
                     ) -> list[list[tuple[Document, Relation]]]:
    # An upgrade that month explains a change between days; only one day must agree.
    days: dict[str, list[tuple[Document, Relation]]] = defaultdict(list)
    for doc, relation in described:
        if relation.as_of and len(relation.as_of) == 10:
            days[relation.as_of].append((doc, relation))
    return list(days.values())


def _since_disagreements(pair: tuple[str, ...],
                         found: list[tuple[Document, Relation]]) -> list[Conflict]:
    by_level: dict[str, list[tuple[Document, Relation]]] = defaultdict(list)
    for doc, relation in found:
        if relation.since and _range(relation.since):
            by_level[relation.level].append((doc, relation))
    return [
        _relation_conflict("relation_since", pair, level, dated,
                           f"{level} is said to date from "
                           f"{', '.join(sorted({str(r.since) for _, r in dated}))}")
        for level, dated in by_level.items()
        if _dates_disagree([relation.since for _, relation in dated])
    ]


def _relation_conflict(kind: str, pair: tuple[str, ...], what: str,
                       group: list[tuple[Document, Relation]], note: str) -> Conflict:
    items = [_item(doc, {"level": r.level, "rung": r.rung, "since": r.since, "as_of": r.as_of},
                   r.start, r.end) for doc, r in group]
    return {"kind": kind, "key": f"{'-'.join(pair)} {what}", "items": items,
            "note": f"{'-'.join(pair)}: {note}"}


# ------------------------------------------------------------------------------------------
# Project countries


def _project_conflicts(docs: list[Document], registry: Registry) -> list[Conflict]:
    records: dict[str, list[tuple[Document, ProjectRecord]]] = defaultdict(list)
    for doc in docs:
        for record in doc.projects:
            records[record.project_id].append((doc, record))
    conflicts = []
    for project_id, found in records.items():
        project = registry.projects.get(project_id.split(":", 1)[-1])
        if project is None:
            continue
        known = set(project.countries)
        wrong = [(doc, record) for doc, record in found if set(record.stated_countries) - known]
        if wrong:
            conflicts.append(_project_conflict(project_id, project, found, wrong, registry))
    return conflicts


def _project_conflict(project_id: str, project: Any, found: list[tuple[Document, ProjectRecord]],
                      wrong: list[tuple[Document, ProjectRecord]],
                      registry: Registry) -> Conflict:
    known = set(project.countries)
    items = []
    for doc, record in found:
        for name, start, end in _mention_spans(doc, record):
            stated = stated_countries(name, registry)
            if stated:
                items.append(_item(doc, {"name": name, "countries": stated}, start, end))
    items.append({"doc_id": None, "source": "registry", "value": {
        "name": project.name, "countries": list(project.countries)},
        "evidence": f"{project_id}: {project.name} ({', '.join(project.countries)})",
        "start": None, "end": None})
    extra = sorted({code for _, record in wrong for code in record.stated_countries} - known)
    sources = ", ".join(sorted({doc.source for doc, _ in wrong}))
    return {"kind": "project_countries", "key": project_id, "items": items,
            "note": f"{project.name} is named with {', '.join(extra)} in {sources}; the "
                    f"registry does not list {'it' if len(extra) == 1 else 'them'} among its "
                    f"countries ({', '.join(project.countries)}); the name was read as "
                    f"{project_id}"}


def _mention_spans(doc: Document, record: ProjectRecord) -> list[tuple[str, int, int]]:
    """(name, start, end) of the first place each of the record's names stands in the text,
    outside boilerplate; a name inside a longer one is left to the longer."""
    spans: list[tuple[str, int, int]] = []
    for name in sorted(record.mentions, key=len, reverse=True):
        start = doc.text.find(name)
        while start >= 0 and (doc.in_boilerplate(start, start + len(name)) or any(
                s <= start < e for _, s, e in spans)):
            start = doc.text.find(name, start + 1)
        if start >= 0:
            spans.append((name, start, start + len(name)))
    return sorted(spans, key=lambda span: span[1])
