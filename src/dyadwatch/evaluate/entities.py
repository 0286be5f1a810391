"""Entity scoring: matching within a document, alias recall, and cross-document resolution.

Rules (GUIDELINES.md "Scoring", made precise here; strict where the guidelines are silent):

- A system entity matches a gold entity of the same type when one of its mention strings
  equals one of the gold ``mentions``, both folded (case, punctuation). Matching is not
  one-to-one: a gold entity split into two system entities is found once for recall and
  both halves count as correct for precision (the split shows in alias recall instead).
- Recall is over required gold entities, per type and overall. A system entity that matches
  a non-required gold entity is not a false positive; one that matches nothing is.
- Alias recall is over required gold entities with at least one gold mention that occurs in
  the document's text (folded, on word boundaries, outside the gold ``negatives``): such an
  entity counts when one system entity of its type holds every gold mention that occurs.
  Gold aliases absent from the text (a canonical "Belt and Road initiative" the article
  never writes) are not asked for. ``alias_recall_person`` is the same over PERSON only.
- Resolution: for every gold ``id`` that is required in two or more documents, each
  (document, id) is an occurrence, represented on the system side by the best-matching
  system entity (most shared mention strings, then first). For every pair of occurrences,
  the gold says "same" iff the ids are equal; the system says "same" iff both occurrences
  are matched and their system entity ids are equal. Pairwise precision and recall are
  over the "same" pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from .measures import Tally, fold, occurs_in, ratio
from .view import SCORED_TYPES

__all__ = ["EntityScore", "Occurrence", "alias_recall", "score_entities", "score_resolution"]


@dataclass
class EntityScore:
    """The entity results of one document: tallies per type, alias counts, details."""

    by_type: dict[str, Tally]
    alias_ok: dict[str, int]  # per type: gold entities whose present mentions land together
    alias_total: dict[str, int]
    occurrences: list[Occurrence]
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Occurrence:
    """A required gold entity in one document and the system entity id it was matched to."""

    document: str
    gold_id: str
    system_id: str | None


def _folded_mentions(mentions: list[str]) -> set[str]:
    return {folded for folded in (fold(m) for m in mentions) if folded}


def _matches(gold: dict[str, Any], system: dict[str, Any]) -> int:
    """How many folded mention strings the two share (0 when the types differ)."""
    if gold.get("type") != system.get("type"):
        return 0
    return len(_folded_mentions(gold.get("mentions", [])) & _folded_mentions(system["mentions"]))


def score_entities(
    document: str, gold: list[dict[str, Any]], system: list[dict[str, Any]], folded_text: str,
    text: str | None = None,
) -> EntityScore:
    """Score the system entities of one document against its gold entities.

    ``folded_text`` is the document text, folded, with the gold negatives removed; ``text``
    the same text unfolded with negatives blanked (positions kept), for alias recall.
    Returns an EntityScore with per-type tallies and the details lists.
    """
    by_type = {entity_type: Tally() for entity_type in SCORED_TYPES}
    overlap = [[_matches(g, s) for s in system] for g in gold]
    details: dict[str, Any] = {"matched": [], "missed": [], "false_positives": [],
                               "alias_failures": [], "country_mismatches": []}
    for g_index, gold_entity in enumerate(gold):
        _score_gold_entity(gold_entity, system, overlap[g_index], by_type, details)
    for s_index, system_entity in enumerate(system):
        tally = by_type[system_entity["type"]]
        tally.system_total += 1
        if any(row[s_index] for row in overlap):
            tally.system_ok += 1
        else:
            details["false_positives"].append(_summary(system_entity))
    alias_ok, alias_total = _alias(gold, system, folded_text, details, text)
    occurrences = [
        Occurrence(document, g["id"], _best_system_id(system, overlap[i]))
        for i, g in enumerate(gold)
        if g.get("required", True)
    ]
    return EntityScore(by_type, alias_ok, alias_total, occurrences, details)


def _score_gold_entity(
    gold_entity: dict[str, Any],
    system: list[dict[str, Any]],
    overlaps: list[int],
    by_type: dict[str, Tally],
    details: dict[str, Any],
) -> None:
    matched = [system[i] for i, shared in enumerate(overlaps) if shared]
    required = gold_entity.get("required", True)
    if required and gold_entity.get("type") in by_type:
        tally = by_type[gold_entity["type"]]
        tally.gold_total += 1
        tally.gold_found += bool(matched)
    if matched:
        details["matched"].append({"gold": gold_entity["id"], "type": gold_entity["type"],
                                   "system": [s["id"] for s in matched]})
        _country_check(gold_entity, matched, details)
    elif required:
        details["missed"].append(_summary(gold_entity))


def _country_check(
    gold_entity: dict[str, Any], matched: list[dict[str, Any]], details: dict[str, Any]
) -> None:
    # Not a scored figure: a hint for the developer when the actor code is wrong.
    expected = gold_entity.get("country")
    if expected and not any(s.get("country") == expected for s in matched):
        details["country_mismatches"].append(
            {"gold": gold_entity["id"], "expected": expected,
             "system": sorted({str(s.get("country")) for s in matched})}
        )


def _summary(entity: dict[str, Any]) -> dict[str, Any]:
    return {"id": entity["id"], "type": entity.get("type"), "mentions": list(entity["mentions"])}


def _alias(
    gold: list[dict[str, Any]],
    system: list[dict[str, Any]],
    folded_text: str,
    details: dict[str, Any],
    text: str | None = None,
) -> tuple[dict[str, int], dict[str, int]]:
    alias_ok = dict.fromkeys(SCORED_TYPES, 0)
    alias_total = dict.fromkeys(SCORED_TYPES, 0)
    for gold_entity in gold:
        entity_type = gold_entity.get("type")
        if not gold_entity.get("required", True) or entity_type not in alias_total:
            continue
        present = {fold(m) for m in gold_entity["mentions"] if occurs_in(m, folded_text)}
        if not present:
            continue
        alias_total[entity_type] += 1
        if text is not None:
            landed = _landed_by_position(gold_entity, system, text)
        else:
            landed = [s for s in system if s["type"] == entity_type
                      and present <= _folded_mentions(s["mentions"])]
        if landed:
            alias_ok[entity_type] += 1
        else:
            details["alias_failures"].append(_alias_failure(gold_entity, present, system))
    return alias_ok, alias_total


def _landed_by_position(
    gold_entity: dict[str, Any], system: list[dict[str, Any]], text: str
) -> list[dict[str, Any]]:
    """System entities of the gold type whose mentions cover every occurrence of every gold
    alias in the text: where the aliases "land". "President Xi Jinping" lands in the entity
    whose mention "Xi Jinping" it contains; an alias split across two entities lands in none.
    """
    candidates = [s for s in system if s["type"] == gold_entity.get("type") and s.get("spans")]
    occurrences = [match.span() for alias in gold_entity["mentions"] if alias.strip()
                   for match in re.finditer(_alias_pattern(alias), text)]
    # An alias inside a longer name of another kind of entity ("China" in "Communist Party
    # of China") is part of that name, not a mention of this entity.
    nested = [(a, b) for s in system if s["type"] != gold_entity.get("type")
              for a, b in s.get("spans", [])]
    occurrences = [(start, end) for start, end in occurrences
                   if not any(a <= start and end <= b and (b - a) > (end - start)
                              for a, b in nested)]
    if not occurrences:
        return []
    common: set[str] | None = None
    for occurrence in occurrences:
        landing = _landing(candidates, *occurrence)
        common = landing if common is None else common & landing
    return [s for s in candidates if s["id"] in (common or set())]


def _landing(candidates: list[dict[str, Any]], start: int, end: int) -> set[str]:
    """The entities whose mention shares the most characters with the occurrence."""
    best: dict[str, int] = {}
    for entity in candidates:
        shared = max((min(end, b) - max(start, a) for a, b in entity["spans"]), default=0)
        if shared > 0:
            best[entity["id"]] = shared
    top = max(best.values(), default=0)
    return {entity_id for entity_id, shared in best.items() if shared == top}


def _alias_pattern(alias: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in re.findall(r"\w+", alias)]
    return re.compile(r"(?<!\w)" + r"\W+".join(words) + r"(?!\w)", re.IGNORECASE)


def _alias_failure(
    gold_entity: dict[str, Any], present: set[str], system: list[dict[str, Any]]
) -> dict[str, Any]:
    # Show where each present alias went, so a split or a miss is plain to see.
    landed = {
        alias: [s["id"] for s in system
                if s["type"] == gold_entity["type"] and alias in _folded_mentions(s["mentions"])]
        for alias in sorted(present)
    }
    return {"id": gold_entity["id"], "type": gold_entity["type"], "aliases_in_text": landed}


def _best_system_id(system: list[dict[str, Any]], overlaps: list[int]) -> str | None:
    best = max(range(len(system)), key=lambda i: overlaps[i], default=None)
    if best is None or not overlaps[best]:
        return None
    return str(system[best]["id"])


def score_resolution(occurrences: list[Occurrence]) -> tuple[Tally, list[dict[str, Any]]]:
    """Pairwise cross-document resolution over ids required in two or more documents.

    Returns the tally (system_ok/system_total over system "same" pairs, gold_found/gold_total
    over gold "same" pairs) and the list of wrong pairs for the details.
    """
    documents_of: dict[str, set[str]] = {}
    for occurrence in occurrences:
        documents_of.setdefault(occurrence.gold_id, set()).add(occurrence.document)
    shared = [o for o in occurrences if len(documents_of[o.gold_id]) > 1]
    tally, errors = Tally(), []
    for first, second in combinations(shared, 2):
        gold_same = first.gold_id == second.gold_id
        system_same = first.system_id is not None and first.system_id == second.system_id
        tally.gold_total += gold_same
        tally.system_total += system_same
        tally.gold_found += gold_same and system_same
        tally.system_ok += gold_same and system_same
        if gold_same != system_same:
            errors.append(_pair_error(first, second, gold_same))
    return tally, errors


def _pair_error(first: Occurrence, second: Occurrence, gold_same: bool) -> dict[str, Any]:
    return {
        "kind": "not merged" if gold_same else "wrongly merged",
        "first": {"document": first.document, "gold": first.gold_id, "system": first.system_id},
        "second": {"document": second.document, "gold": second.gold_id,
                   "system": second.system_id},
    }


def alias_recall(scores: list[EntityScore], types: tuple[str, ...] = SCORED_TYPES) -> float:
    """Alias recall over the given entity types, summed over documents."""
    hits = sum(score.alias_ok[t] for score in scores for t in types)
    total = sum(score.alias_total[t] for score in scores for t in types)
    return ratio(hits, total)
