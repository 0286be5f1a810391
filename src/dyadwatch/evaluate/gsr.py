"""Sentence mode: code each PLOVER gold-standard record (``plover_gsr.json``) and score it.

The records are example sentences from the CAMEO manual recoded to an early (2018) PLOVER
version; each has one gold event type and the country codes of its source and target.

Choices:

- The one ``DOCUMENT`` record is not an event and is skipped. The older type names are read
  as today's: DEMAND → REQUEST, DISAPPROVE → ACCUSE, FIGHT → ASSAULT, INVESTIGATE → ACCUSE.
- Gold country codes are ISO 3166 alpha-3 except three old codes, read as JAP → JPN,
  ITL → ITA, VTN → VNM. ``IGO``, ``NGO``, ``IMG`` and ``ISM`` are classes of non-state
  actors, not countries: a system code agrees with one when it equals it, starts with it
  (CAMEO's ``IGOUNO``) or when the system actor's sector is that class.
- A record "has a source" (target) when its ``source`` (``target``) is a list of actors
  with codes; the few empty or free-text targets ("", "diplomatic") have none and are left
  out of ``target_accuracy``.
- ``type_accuracy``: share of records where some system event has the gold type;
  ``top1_type_accuracy``: where the highest-confidence event (first on ties) has it.
- ``source_accuracy`` / ``target_accuracy``: over records with a gold source (target), the
  share whose chosen event — the highest-confidence event of the gold type, else the
  highest-confidence event — has a source (target) country among the gold codes.
- ``coverage``: share of records with any event. ``confusion[gold][system]`` counts the
  top event's type (``NONE`` when there is no event).
- A coder that raises on a sentence yields no events for it; the failure is listed in
  ``details["failures"]`` and the batch goes on.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..document import Actor, Event
from ..errors import UsageError
from .measures import ratio

__all__ = ["OLD_TYPES", "OLD_CODES", "load_gsr", "score_gsr", "run_gsr"]

OLD_TYPES: dict[str, str] = {
    "DEMAND": "REQUEST",
    "DISAPPROVE": "ACCUSE",
    "FIGHT": "ASSAULT",
    "INVESTIGATE": "ACCUSE",
}
# Codes of this gold file that are not (or no longer) ISO 3166 alpha-3.
OLD_CODES: dict[str, str] = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}
# Classes of non-state actors the file uses in place of a country code.
_ACTOR_CLASSES = frozenset({"IGO", "NGO", "IMG", "ISM"})

Coder = Callable[[str], list[Event]]


def load_gsr(path: Path | str) -> list[dict[str, Any]]:
    """Read the gold-standard records; raises UsageError naming the file and the problem."""
    path = Path(path)
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise UsageError(f"cannot read PLOVER gold records {path}: {error}. Pass the path "
                         "of plover_gsr.json.") from error
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise UsageError(f"{path} is not a JSON list of records; pass plover_gsr.json.")
    return records


def gold_type(record: dict[str, Any]) -> str:
    """The record's event type in today's PLOVER names."""
    name = str(record.get("event") or "").upper()
    return OLD_TYPES.get(name, name)


def gold_codes(record: dict[str, Any], side: str) -> list[str]:
    """The country (or actor class) codes of the record's ``source`` or ``target``."""
    actors = record.get(side)
    if not isinstance(actors, list):
        return []
    codes = [str(a.get("code")) for a in actors if isinstance(a, dict) and a.get("code")]
    return [OLD_CODES.get(code, code) for code in codes]


def code_agrees(actor: Actor | None, codes: list[str]) -> bool:
    """True when the system actor's country is one of the gold ``codes`` (see module)."""
    if actor is None or not actor.country:
        return False
    for code in codes:
        if actor.country == code:
            return True
        if code in _ACTOR_CLASSES and (actor.country.startswith(code) or actor.sector == code):
            return True
    return False


def _top(events: list[Event]) -> Event | None:
    return max(events, key=lambda e: e.confidence, default=None)


def _code_safely(code: Coder, record: dict[str, Any], failures: list[dict[str, str]]
                 ) -> list[Event]:
    try:
        return list(code(record["text"]))
    except Exception as error:  # noqa: BLE001 - one bad sentence must not stop the batch
        failures.append({"id": record.get("id", "?"), "reason": f"{type(error).__name__}: {error}"})
        return []


def _event_row(event: Event) -> dict[str, Any]:
    return {
        "plover": event.plover,
        "source": event.source.country if event.source else None,
        "target": event.target.country if event.target else None,
        "confidence": event.confidence,
    }


class _Counts:
    """What score_gsr counts while it goes through the records."""

    def __init__(self) -> None:
        self.n = self.covered = self.typed = self.top1 = 0
        self.side_ok: Counter[str] = Counter()  # "source"/"target" -> records right
        self.side_n: Counter[str] = Counter()  # "source"/"target" -> records with gold codes
        self.by_type: dict[str, Counter[str]] = defaultdict(Counter)
        self.confusion: dict[str, Counter[str]] = defaultdict(Counter)


def _score_record(record: dict[str, Any], events: list[Event], counts: _Counts
                  ) -> list[str]:
    expected = gold_type(record)
    of_type = [e for e in events if str(e.plover).upper() == expected]
    top = _top(events)
    chosen = _top(of_type) or top
    top_type = str(top.plover).upper() if top else "NONE"
    counts.n += 1
    counts.covered += bool(events)
    counts.typed += bool(of_type)
    counts.top1 += top_type == expected
    counts.by_type[expected].update(n=1, typed=bool(of_type), top1=top_type == expected)
    counts.confusion[expected][top_type] += 1
    problems = [] if of_type else [f"no {expected} event"]
    for side in ("source", "target"):
        codes = gold_codes(record, side)
        if not codes:
            continue
        actor = getattr(chosen, side) if chosen else None
        agrees = code_agrees(actor, codes)
        counts.side_n[side] += 1
        counts.side_ok[side] += agrees
        if not agrees:
            problems.append(f"{side} {actor.country if actor else None} not in {codes}")
    return problems


def score_gsr(records: list[dict[str, Any]], code: Coder) -> dict[str, Any]:
    """Code every event record's sentence with ``code(text)`` and score the events.

    Returns ``n``, ``failures`` (sentences the coder raised on), ``coverage``, ``type_accuracy``, ``top1_type_accuracy``,
    ``source_accuracy``, ``target_accuracy``, ``by_type``, ``confusion`` and ``details``
    (``errors``: the records something went wrong with; ``failures``: coder exceptions).
    """
    counts = _Counts()
    errors: list[dict[str, Any]] = []
    failures: list[dict[str, str]] = []
    for record in records:
        if gold_type(record) == "DOCUMENT" or not record.get("text"):
            continue
        events = _code_safely(code, record, failures)
        problems = _score_record(record, events, counts)
        if problems:
            errors.append({
                "id": record.get("id"), "text": record["text"], "problems": problems,
                "gold": {"type": gold_type(record), "source": gold_codes(record, "source"),
                         "target": gold_codes(record, "target")},
                "system": [_event_row(e) for e in events],
            })
    return _results(counts, errors, failures)


def _results(counts: _Counts, errors: list[dict[str, Any]], failures: list[dict[str, str]]
             ) -> dict[str, Any]:
    return {
        "n": counts.n,
        "failures": len(failures),
        "coverage": ratio(counts.covered, counts.n),
        "type_accuracy": ratio(counts.typed, counts.n),
        "top1_type_accuracy": ratio(counts.top1, counts.n),
        "source_accuracy": ratio(counts.side_ok["source"], counts.side_n["source"]),
        "target_accuracy": ratio(counts.side_ok["target"], counts.side_n["target"]),
        "source_n": counts.side_n["source"],
        "target_n": counts.side_n["target"],
        "by_type": {
            name: {"n": row["n"], "type_accuracy": ratio(row["typed"], row["n"]),
                   "top1_type_accuracy": ratio(row["top1"], row["n"])}
            for name, row in sorted(counts.by_type.items())
        },
        "confusion": {name: dict(row.most_common()) for name, row in sorted(counts.confusion.items())},
        "details": {"errors": errors, "failures": failures},
    }


def run_gsr(path: Path | str, *, code: Coder) -> dict[str, Any]:
    """Load the gold-standard records at ``path`` and score ``code`` on them."""
    return score_gsr(load_gsr(path), code)
