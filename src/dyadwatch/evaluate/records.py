"""Scoring of events, facts, relations and projects of one document against its gold.

Rules (GUIDELINES.md "Scoring", made precise here; strict where the guidelines are silent):

- Matching is not one-to-one. A system item is correct when it agrees with any gold item,
  required or not; a required gold item is found when at least one system item agrees with
  it. Two system items that agree with the same gold item are both correct (duplicates
  show in the details, not in the figures), and one system item may find two gold items
  (a CONSULT dated on the day of a meeting also lies inside the interval of the visit).
- Events agree on PLOVER type, the unordered pair {source, target} of country codes and the
  date (see ``measures.date_agrees``: inside the gold date or interval at the gold
  precision, widened by ``date_tolerance_days`` for day dates; a gold ``null`` date needs a
  system ``null``). The "nodate" figures drop the date condition only.
- Negatives: every occurrence of every gold negative string in the document text is a
  forbidden span. A system event whose evidence span ``[start, end)`` overlaps one is a
  false positive and a negative violation whatever it agrees with, and it finds nothing
  for recall. A negative string not found in the text is reported in the warnings.
- Facts agree on indicator, the set of countries, the period (same string) and the value
  within 1 % of the gold value (a gold ``null`` value needs a system ``null``).
- Relations agree on the set of countries and the level, folded, with "in/for a/the new
  era" read as one wording. ``dated_accuracy``: over gold relations with a ``since`` or an
  ``as_of``, the share for which an agreeing system relation also has every such date
  inside the gold one.
- Projects agree when a folded name or mention of the system project equals the gold
  name or one of its mentions. A system project that matches no gold project but names a
  gold entity of type PROJECT (the Belt and Road Initiative is a PROJECT entity without a
  project record in the gold) is not a false positive, as for non-required gold items.
  ``milestone_accuracy``: over the gold milestones, the share for which an agreeing system
  project has a milestone of the same (folded) status whose date agrees with the gold one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .measures import Tally, date_agrees, fold

__all__ = [
    "EventScore",
    "ItemMatch",
    "match_items",
    "negative_spans",
    "score_events",
    "score_facts",
    "score_relations",
    "score_projects",
]

Item = dict[str, Any]
_ERA = re.compile(r"\b(?:in|for) (?:a|the) new era\b")


@dataclass
class ItemMatch:
    """The outcome of matching one document's system items against its gold items."""

    tally: Tally
    links: list[list[int]]  # for each system item, the gold items it agrees with
    details: dict[str, list[Any]] = field(default_factory=dict)


def match_items(
    gold: list[Item],
    system: list[Item],
    agree: Callable[[Item, Item], bool],
    *,
    summary: Callable[[Item], Any],
    blocked: frozenset[int] = frozenset(),
    spare: Callable[[Item], bool] | None = None,
) -> ItemMatch:
    """Match ``system`` against ``gold`` with ``agree(system_item, gold_item)``.

    ``blocked`` system items are false positives whatever they agree with; ``spare`` marks
    unmatched system items that are nonetheless not false positives. Returns an ItemMatch.
    """
    links = [[] if s in blocked else [g for g, gold_item in enumerate(gold) if agree(item, gold_item)]
             for s, item in enumerate(system)]
    found = {g for targets in links for g in targets}
    required = [g for g, item in enumerate(gold) if item.get("required", True)]
    spared = [s for s, item in enumerate(system)
              if not links[s] and s not in blocked and spare is not None and spare(item)]
    tally = Tally(
        system_ok=sum(1 for targets in links if targets) + len(spared),
        system_total=len(system),
        gold_found=sum(1 for g in required if g in found),
        gold_total=len(required),
    )
    details = {
        "matched": [{"gold": summary(gold[g]), "system": [summary(system[s])
                     for s, targets in enumerate(links) if g in targets]}
                    for g in sorted(found)],
        "missed": [summary(gold[g]) for g in required if g not in found],
        "false_positives": [summary(system[s]) for s, targets in enumerate(links)
                            if not targets and s not in spared],
        "not_scored": [summary(system[s]) for s in spared],
    }
    return ItemMatch(tally, links, details)


def negative_spans(text: str, negatives: list[str]) -> tuple[list[tuple[int, int]], list[str]]:
    """Every occurrence of every negative string in ``text``, and the strings not found."""
    spans, missing = [], []
    for negative in negatives:
        start = text.find(negative) if negative else -1
        if start < 0:
            missing.append(negative)
        while start >= 0:
            spans.append((start, start + len(negative)))
            start = text.find(negative, start + 1)
    return spans, missing


# Events ------------------------------------------------------------------------------


@dataclass
class EventScore:
    """The event results of one document, with and without the date condition."""

    dated: ItemMatch
    nodate: ItemMatch
    violations: list[Item]


def _pair(event: Item) -> tuple[str, str]:
    return tuple(sorted((event.get("source") or "", event.get("target") or "")))  # type: ignore[return-value]


def _event_agrees(system: Item, gold: Item, *, with_date: bool) -> bool:
    if str(system.get("plover") or "").upper() != str(gold.get("plover") or "").upper():
        return False
    if _pair(system) != _pair(gold):
        return False
    if not with_date:
        return True
    tolerance = int(gold.get("date_tolerance_days") or 0)
    return date_agrees(system.get("date"), gold.get("date"), tolerance_days=tolerance)


def _event_summary(event: Item) -> Item:
    row = {key: event.get(key) for key in ("plover", "source", "target", "date", "evidence")}
    if "required" in event:
        row["required"] = event["required"]
    if "start" in event:
        row["span"] = [event["start"], event["end"]]
    return row


def _near_miss(event: Item, gold: list[Item]) -> str | None:
    # Say which single condition kept a false positive from matching, when one did: the
    # date first (the likeliest fix), then the type, then the countries.
    for gold_event in gold:
        if _event_agrees(event, gold_event, with_date=False):
            return f"date {event.get('date')!r} outside gold {gold_event.get('date')!r}"
    for gold_event in gold:
        if _event_agrees({**event, "plover": gold_event.get("plover")}, gold_event,
                         with_date=True):
            return f"type {event.get('plover')} where gold has {gold_event.get('plover')}"
    for gold_event in gold:
        moved = {**event, "source": gold_event.get("source"), "target": gold_event.get("target")}
        if _event_agrees(moved, gold_event, with_date=True):
            return (f"countries {'-'.join(_pair(event))} where gold has "
                    f"{'-'.join(_pair(gold_event))}")
    return None


def score_events(gold: list[Item], system: list[Item], forbidden: list[tuple[int, int]]) -> EventScore:
    """Score one document's system events; ``forbidden`` are the negative spans."""
    blocked = frozenset(
        s for s, event in enumerate(system)
        if any(start < event["end"] and event["start"] < end for start, end in forbidden)
    )
    dated = match_items(gold, system, lambda s, g: _event_agrees(s, g, with_date=True),
                        summary=_event_summary, blocked=blocked)
    nodate = match_items(gold, system, lambda s, g: _event_agrees(s, g, with_date=False),
                         summary=_event_summary, blocked=blocked)
    blocked_spans = {(system[s]["start"], system[s]["end"]) for s in blocked}
    for row in dated.details["false_positives"]:
        hint = ("evidence overlaps a gold negative span" if tuple(row["span"]) in blocked_spans
                else _near_miss(row, gold))
        if hint:
            row["reason"] = hint
    violations = [_event_summary(system[s]) for s in sorted(blocked)]
    for row in violations:
        row["reason"] = "evidence overlaps a gold negative span"
    return EventScore(dated, nodate, violations)


# Facts -------------------------------------------------------------------------------


def _value_agrees(system: float | None, gold: float | None) -> bool:
    if gold is None:
        return system is None
    return system is not None and abs(float(system) - float(gold)) <= 0.01 * abs(float(gold))


def _fact_agrees(system: Item, gold: Item) -> bool:
    return (
        system.get("indicator") == gold.get("indicator")
        and set(system.get("countries") or []) == set(gold.get("countries") or [])
        and system.get("period") == gold.get("period")
        and _value_agrees(system.get("value"), gold.get("value"))
    )


def _fact_summary(fact: Item) -> Item:
    return {key: fact.get(key) for key in ("indicator", "countries", "period", "value", "unit")}


def score_facts(gold: list[Item], system: list[Item]) -> ItemMatch:
    """Score one document's system facts against its gold facts."""
    return match_items(gold, system, _fact_agrees, summary=_fact_summary)


# Relations ---------------------------------------------------------------------------


def level_key(level: str | None) -> str:
    """The folded level of a partnership, with the "new era" wordings made one."""
    return _ERA.sub("for a new era", fold(level))


def _relation_agrees(system: Item, gold: Item) -> bool:
    return (set(system.get("countries") or []) == set(gold.get("countries") or [])
            and level_key(system.get("level")) == level_key(gold.get("level")))


def _relation_summary(relation: Item) -> Item:
    return {key: relation.get(key) for key in ("countries", "level", "since", "as_of")}


def _dates_agree(system: Item, gold: Item) -> bool:
    fields = [name for name in ("since", "as_of") if gold.get(name)]
    return all(date_agrees(system.get(name), gold[name]) for name in fields)


def score_relations(gold: list[Item], system: list[Item]) -> tuple[ItemMatch, int, int]:
    """Score one document's relations; also return (dated_ok, dated_total)."""
    result = match_items(gold, system, _relation_agrees, summary=_relation_summary)
    dated_ok = dated_total = 0
    for g, gold_relation in enumerate(gold):
        if not (gold_relation.get("since") or gold_relation.get("as_of")):
            continue
        dated_total += 1
        agreeing = [system[s] for s, targets in enumerate(result.links) if g in targets]
        if any(_dates_agree(relation, gold_relation) for relation in agreeing):
            dated_ok += 1
        else:
            result.details.setdefault("wrong_dates", []).append(
                {"gold": _relation_summary(gold_relation),
                 "system": [_relation_summary(r) for r in agreeing]})
    return result, dated_ok, dated_total


# Projects ----------------------------------------------------------------------------


def _project_names(project: Item) -> set[str]:
    names = [project.get("name") or "", *(project.get("mentions") or [])]
    return {folded for folded in map(fold, names) if folded}


def _project_summary(project: Item) -> Item:
    return {key: project.get(key) for key in ("name", "mentions", "milestones")}


def _milestone_found(gold_milestone: Item, agreeing: list[Item]) -> bool:
    status = fold(gold_milestone.get("status"))
    return any(
        fold(milestone.get("status")) == status
        and date_agrees(milestone.get("date"), gold_milestone.get("date"))
        for project in agreeing
        for milestone in project.get("milestones") or []
    )


def score_projects(
    gold: list[Item], system: list[Item], project_entities: list[Item]
) -> tuple[ItemMatch, int, int]:
    """Score one document's projects; also return (milestones_ok, milestones_total).

    ``project_entities`` are the document's gold entities of type PROJECT.
    """
    entity_names = [_project_names({"name": e.get("id"), "mentions": e.get("mentions")})
                    for e in project_entities]
    result = match_items(
        gold, system, lambda s, g: bool(_project_names(s) & _project_names(g)),
        summary=_project_summary,
        spare=lambda s: any(_project_names(s) & names for names in entity_names),
    )
    milestones_ok = milestones_total = 0
    for g, gold_project in enumerate(gold):
        agreeing = [system[s] for s, targets in enumerate(result.links) if g in targets]
        for milestone in gold_project.get("milestones") or []:
            milestones_total += 1
            if _milestone_found(milestone, agreeing):
                milestones_ok += 1
            else:
                result.details.setdefault("missed_milestones", []).append(
                    {"project": gold_project.get("name"), "milestone": milestone})
    return result, milestones_ok, milestones_total
