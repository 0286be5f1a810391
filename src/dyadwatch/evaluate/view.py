"""What the evaluator scores, read off a Document: plain dicts shaped like the gold.

Choices (strict by design):

- A system entity is a group of ``doc.mentions`` sharing an ``entity_id``; its type is the
  type of that id in ``doc.entities`` (else the most common type among its mentions), and
  its mention strings are the texts of those mentions as found in the document (registry
  aliases are not mention strings: the system must have found them in the text). An entity
  in ``doc.entities`` with no mention contributes its ``name`` as its only mention string.
- Mentions with no ``entity_id`` are still claims: mentions of one type with the same
  folded text form one entity of their own (id ``"unlinked:TYPE:text"``).
- Only the types the gold annotates are scored (PERSON, COUNTRY, ORG, LOCATION, PROJECT);
  ROLE and PRONOUN mentions only lend their strings to the entity they are linked to.
- Every event the document carries is scored, negated or hedged ones included: an event in
  ``doc.events`` is an event the system reports.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from ..document import Actor, Document, Event, Fact, Mention, Milestone
from .measures import fold

__all__ = ["SCORED_TYPES", "system_view"]

SCORED_TYPES: tuple[str, ...] = ("PERSON", "COUNTRY", "ORG", "LOCATION", "PROJECT")


def system_view(doc: Document) -> dict[str, Any]:
    """Return the scored view of ``doc``: meta, entities, events, facts, relations, projects.

    Entities: ``[{id, type, country, mentions}]``; events: ``[{plover, cameo, source,
    target, date, evidence, start, end, confidence}]`` with source/target as country codes;
    also ``boilerplate``: the ``[start, end]`` spans of the document's boilerplate layer.
    """
    return {
        "meta": {"published": doc.meta.published, "kind": doc.meta.kind, "title": doc.meta.title},
        "entities": _entities(doc),
        "events": [_event(doc, event) for event in doc.events],
        "facts": [_fact(fact) for fact in doc.facts],
        "relations": [
            {"countries": list(r.countries), "level": r.level, "since": r.since,
             "as_of": r.as_of, "start": r.start, "end": r.end}
            for r in doc.relations
        ],
        "projects": [
            {"id": p.project_id, "name": p.name, "countries": list(p.countries),
             "mentions": list(p.mentions), "milestones": [_milestone(m) for m in p.milestones]}
            for p in doc.projects
        ],
        "boilerplate": [[span.start, span.end] for span in doc.layer("boilerplate")],
    }


def _entities(doc: Document) -> list[dict[str, Any]]:
    # Group mentions by their entity; unlinked ones by (type, folded text).
    groups: dict[str, list[Mention]] = defaultdict(list)
    for mention in doc.mentions:
        key = mention.entity_id or f"unlinked:{mention.type}:{fold(mention.text)}"
        groups[key].append(mention)
    known = {entity.id: entity for entity in doc.entities}
    view = []
    for key, mentions in groups.items():
        entity = known.get(key)
        entity_type = entity.type if entity else _majority_type(mentions)
        country = entity.country if entity else _majority_country(mentions)
        view.append(_entity_row(key, entity_type, country, [m.text for m in mentions],
                                [[m.start, m.end] for m in mentions]))
    for entity in doc.entities:
        if entity.id not in groups:
            view.append(_entity_row(entity.id, entity.type, entity.country, [entity.name], []))
    return [row for row in view if row["type"] in SCORED_TYPES]


def _entity_row(
    entity_id: str, entity_type: str | None, country: str | None, mentions: list[str],
    spans: list[list[int]],
) -> dict[str, Any]:
    unique = list(dict.fromkeys(mentions))  # keep first-seen order, drop repeats
    return {"id": entity_id, "type": entity_type, "country": country, "mentions": unique,
            "spans": spans}


def _majority_type(mentions: list[Mention]) -> str | None:
    scored = [m.type for m in mentions if m.type in SCORED_TYPES]
    return Counter(scored).most_common(1)[0][0] if scored else None


def _majority_country(mentions: list[Mention]) -> str | None:
    countries = [m.country for m in mentions if m.country]
    return Counter(countries).most_common(1)[0][0] if countries else None


def _country(actor: Actor | None) -> str | None:
    return actor.country if actor is not None else None


def _event(doc: Document, event: Event) -> dict[str, Any]:
    return {
        "plover": event.plover,
        "cameo": event.cameo,
        "source": _country(event.source),
        "target": _country(event.target),
        "date": event.date,
        "evidence": doc.text[event.start:event.end],
        "start": event.start,
        "end": event.end,
        "confidence": event.confidence,
    }


def _fact(fact: Fact) -> dict[str, Any]:
    return {
        "indicator": fact.indicator,
        "countries": list(fact.countries),
        "period": fact.period,
        "value": fact.value,
        "unit": fact.unit,
        "start": fact.start,
        "end": fact.end,
    }


def _milestone(milestone: Milestone) -> dict[str, Any]:
    return {"status": milestone.status, "date": milestone.date}
