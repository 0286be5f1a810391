"""Score a system's Documents against a gold corpus (``*.gold.json``), as GUIDELINES.md says.

``score_corpus(gold, docs)`` returns the figures and, under ``details``, for every document
what was matched, missed and wrongly reported, so that a developer sees what to fix.
``run_eval(gold_path, corpus_dir, process=...)`` reads the gold, has ``process`` turn the
articles into Documents (the pipeline and store are injected, not imported) and scores them.

The rules for each kind of record are in ``entities.py`` and ``records.py``; the shared
conventions (folding, dates, precision with nothing to count) in ``measures.py``. Here:

- ``published_accuracy`` / ``kind_accuracy``: share of gold documents whose
  ``meta.published`` / ``meta.kind`` equals the gold value exactly, ``None`` included.
- A gold document with no system Document is scored as a system that found nothing (and
  got the date and kind wrong); it is named in ``details["warnings"]``.
- All figures are micro-averaged: counts are summed over documents, then divided.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..document import Document
from ..errors import UsageError
from .entities import EntityScore, alias_recall, score_entities, score_resolution
from .measures import Tally, fold, ratio
from .records import (
    EventScore,
    ItemMatch,
    negative_spans,
    score_events,
    score_facts,
    score_projects,
    score_relations,
)
from .view import SCORED_TYPES, system_view

__all__ = ["load_gold", "score_corpus", "run_eval"]

Process = Callable[[list[Path]], Mapping[str, Document]]

_NOTHING: dict[str, Any] = {
    "meta": {"published": None, "kind": None, "title": None},
    "entities": [], "events": [], "facts": [], "relations": [], "projects": [],
    "boilerplate": [],
}


def load_gold(path: Path | str) -> dict[str, Any]:
    """Read and check a gold file; raises UsageError naming the file and the problem."""
    path = Path(path)
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise UsageError(f"cannot read gold file {path}: {error}. Pass the path of a "
                         "*.gold.json file (see eval/GUIDELINES.md for its format).") from error
    documents = gold.get("documents") if isinstance(gold, dict) else None
    if not isinstance(documents, list) or not all(
        isinstance(d, dict) and isinstance(d.get("file"), str) for d in documents
    ):
        raise UsageError(f"gold file {path} has no 'documents' list of objects with a 'file' "
                         "name; fix the file to follow eval/GUIDELINES.md.")
    return gold


class _Totals:
    """Sums of every count over the documents of a corpus."""

    def __init__(self) -> None:
        self.entity_scores: list[EntityScore] = []
        self.events, self.events_nodate = Tally(), Tally()
        self.facts, self.relations, self.projects = Tally(), Tally(), Tally()
        self.violations = 0
        self.published_ok = self.kind_ok = self.documents = 0
        self.dated_ok = self.dated_total = self.milestones_ok = self.milestones_total = 0

    def entities(self, entity_type: str | None = None) -> Tally:
        tally = Tally()
        for score in self.entity_scores:
            for name, part in score.by_type.items():
                if entity_type in (None, name):
                    tally.add(part)
        return tally


def score_corpus(gold: Mapping[str, Any], docs: Mapping[str, Document]) -> dict[str, Any]:
    """Score ``docs`` (keyed by the gold ``file`` name) against the gold corpus ``gold``.

    Returns ``published_accuracy``, ``entities``, ``resolution``, ``events``, ``facts``,
    ``relations``, ``projects``, ``kind_accuracy`` and ``details`` (per-document matched,
    missed and false-positive lists, the raw counts and warnings).
    """
    totals, warnings, documents, missing = _Totals(), [], {}, 0
    for gold_doc in gold.get("documents", []):
        name = gold_doc["file"]
        doc = docs.get(name)
        if doc is None:
            missing += 1
            warnings.append(f"{name}: no system document (scored as empty)")
        documents[name] = _score_document(gold_doc, doc, totals, warnings)
    occurrences = [o for score in totals.entity_scores for o in score.occurrences]
    resolution, resolution_errors = score_resolution(occurrences)
    results = _figures(totals, resolution)
    results["details"] = {
        "documents": documents,
        "resolution_errors": resolution_errors,
        "counts": {**_counts(totals, resolution), "missing_documents": missing},
        "warnings": warnings,
    }
    return results


def _score_document(
    gold_doc: Mapping[str, Any], doc: Document | None, totals: _Totals, warnings: list[str]
) -> dict[str, Any]:
    name = gold_doc["file"]
    view = system_view(doc) if doc is not None else _NOTHING
    text = doc.text if doc is not None else ""
    forbidden, unfound = negative_spans(text, gold_doc.get("negatives") or [])
    if doc is not None:
        warnings.extend(f"{name}: negative not found in the text: {n!r}" for n in unfound)
    entities = score_entities(name, gold_doc.get("entities") or [], view["entities"],
                              fold(_blank(text, forbidden)), _mask(text, forbidden))
    events = score_events(gold_doc.get("events") or [], view["events"], forbidden)
    facts = score_facts(gold_doc.get("facts") or [], view["facts"])
    relations, dated_ok, dated_total = score_relations(gold_doc.get("relations") or [],
                                                       view["relations"])
    project_entities = [e for e in gold_doc.get("entities") or [] if e.get("type") == "PROJECT"]
    projects, milestones_ok, milestones_total = score_projects(
        gold_doc.get("projects") or [], view["projects"], project_entities)
    _add(totals, entities, events, facts, relations, projects)
    totals.dated_ok += dated_ok
    totals.dated_total += dated_total
    totals.milestones_ok += milestones_ok
    totals.milestones_total += milestones_total
    meta = _meta(gold_doc.get("meta") or {}, view["meta"], totals, present=doc is not None)
    return {
        **meta,
        "entities": entities.details,
        "events": {**events.dated.details, "missed_nodate": events.nodate.details["missed"],
                   "negative_violations": events.violations},
        "facts": facts.details,
        "relations": relations.details,
        "projects": projects.details,
        "negatives": _negatives(gold_doc.get("negatives") or [], text, view["boilerplate"]),
    }


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    # Negative spans are not part of the article: replace them by a line break.
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + "\n" + text[end:]
    return text


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    # The same, but keeping every position: negatives become spaces of the same length.
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _add(
    totals: _Totals, entities: EntityScore, events: EventScore,
    facts: ItemMatch, relations: ItemMatch, projects: ItemMatch,
) -> None:
    totals.entity_scores.append(entities)
    totals.events.add(events.dated.tally)
    totals.events_nodate.add(events.nodate.tally)
    totals.violations += len(events.violations)
    totals.facts.add(facts.tally)
    totals.relations.add(relations.tally)
    totals.projects.add(projects.tally)


def _meta(gold_meta: Mapping[str, Any], system_meta: Mapping[str, Any], totals: _Totals,
          *, present: bool) -> dict[str, Any]:
    # A missing document reports nothing, not "no date": it is wrong even on a null date.
    totals.documents += 1
    rows = {}
    for field in ("published", "kind"):
        expected, got = gold_meta.get(field), system_meta.get(field)
        rows[field] = {"gold": expected, "system": got, "correct": present and expected == got}
    totals.published_ok += rows["published"]["correct"] is True
    totals.kind_ok += rows["kind"]["correct"] is True
    return rows


def _negatives(negatives: list[str], text: str, boilerplate: list[list[int]]) -> list[dict]:
    # Whether the system's own boilerplate layer covers each negative: a hint, not a figure.
    rows = []
    for negative in negatives:
        spans, _ = negative_spans(text, [negative])
        covered = bool(spans) and all(
            any(b_start <= start and end <= b_end for b_start, b_end in boilerplate)
            for start, end in spans)
        rows.append({"text": negative, "occurrences": len(spans),
                     "covered_by_boilerplate": covered})
    return rows


def _figures(totals: _Totals, resolution: Tally) -> dict[str, Any]:
    entities = totals.entities()
    return {
        "published_accuracy": ratio(totals.published_ok, totals.documents),
        "entities": {
            **entities.scores(),
            "alias_recall": alias_recall(totals.entity_scores),
            "alias_recall_person": alias_recall(totals.entity_scores, ("PERSON",)),
            "by_type": {t: totals.entities(t).scores() for t in SCORED_TYPES},
        },
        "resolution": resolution.scores(),
        "events": {
            **totals.events.scores(),
            "precision_nodate": totals.events_nodate.precision,
            "recall_nodate": totals.events_nodate.recall,
            "negative_violations": totals.violations,
        },
        "facts": totals.facts.scores(),
        "relations": {**totals.relations.scores(),
                      "dated_accuracy": ratio(totals.dated_ok, totals.dated_total)},
        "projects": {**totals.projects.scores(),
                     "milestone_accuracy": ratio(totals.milestones_ok, totals.milestones_total)},
        "kind_accuracy": ratio(totals.kind_ok, totals.documents),
    }


def _counts(totals: _Totals, resolution: Tally) -> dict[str, Any]:
    return {
        "documents": totals.documents,
        "entities": totals.entities().counts(),
        "entities_by_type": {t: totals.entities(t).counts() for t in SCORED_TYPES},
        "resolution_pairs": resolution.counts(),
        "events": totals.events.counts(),
        "events_nodate": totals.events_nodate.counts(),
        "facts": totals.facts.counts(),
        "relations": totals.relations.counts(),
        "relations_dated": {"correct": totals.dated_ok, "total": totals.dated_total},
        "projects": totals.projects.counts(),
        "milestones": {"correct": totals.milestones_ok, "total": totals.milestones_total},
    }


def _by_file_name(docs: Mapping[str, Document]) -> dict[str, Document]:
    # ``process`` may key by path or by name; the gold keys by file name.
    keyed = {Path(key).name: doc for key, doc in docs.items()}
    for doc in docs.values():
        keyed.setdefault(Path(doc.source).name, doc)
    return keyed


def run_eval(gold_path: Path | str, corpus_dir: Path | str, *, process: Process) -> dict[str, Any]:
    """Run ``process`` on the gold's articles in ``corpus_dir`` and score the Documents.

    ``process(paths)`` returns Documents keyed by file name or path. Returns the result of
    ``score_corpus``; raises UsageError when the gold or one of its articles is missing.
    """
    gold = load_gold(gold_path)
    corpus_dir = Path(corpus_dir)
    paths = [corpus_dir / document["file"] for document in gold["documents"]]
    missing = [path.name for path in paths if not path.is_file()]
    if missing:
        raise UsageError(f"{len(missing)} article(s) of {gold_path} are not in {corpus_dir}: "
                         f"{', '.join(missing)}. Pass the directory that holds the gold's files.")
    return score_corpus(gold, _by_file_name(process(paths)))
