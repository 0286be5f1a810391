"""The evaluation gate: every figure has a floor (or a ceiling) in ``eval/floors.json``.

The CI runs the evaluator on the seeds gold and the PLOVER sentence records and fails when a
figure falls below its floor or rises above its ceiling. Floors only rise: after raising a
score, write ``raised_floors(results, floors)`` back to the file (it never lowers a floor
nor raises a ceiling).

``floors.json``::

    {"seeds": {"floors": {"events.recall": 0.5, ...},
               "ceilings": {"events.negative_violations": 0}},
     "gsr":   {"floors": {"type_accuracy": 0.4, ...}}}

A figure is named by its dotted path in the results of its suite (``score_corpus`` for
``seeds``, ``score_gsr`` for ``gsr``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..errors import UsageError

__all__ = [
    "GATED_FIGURES",
    "GATED_CEILINGS",
    "figure",
    "load_floors",
    "check_floors",
    "raised_floors",
    "run_suites",
]

# Every figure the gate must hold a floor for, per suite.
GATED_FIGURES: dict[str, tuple[str, ...]] = {
    "seeds": (
        "published_accuracy",
        "entities.f1",
        "entities.alias_recall",
        "resolution.f1",
        "events.recall",
        "events.precision",
        "events.recall_nodate",
        "facts.f1",
        "relations.f1",
        "projects.f1",
        "kind_accuracy",
    ),
    "gsr": ("type_accuracy", "source_accuracy", "target_accuracy"),
}
# Counts that must stay at (or fall to) their ceiling: a coder that raises or an article the
# pipeline loses would otherwise only show as low scores, which floors of 0.0 let through.
GATED_CEILINGS: dict[str, tuple[str, ...]] = {
    "seeds": ("events.negative_violations", "details.counts.missing_documents"),
    "gsr": ("failures",),
}
# Floors are written rounded down to this many decimals, so that the float measured in one
# run never sits a hair below the floor written from it.
_DECIMALS = 4
_EPSILON = 1e-9


def figure(results: Mapping[str, Any], path: str) -> float | None:
    """The number at dotted ``path`` in ``results`` (None when absent or not a number)."""
    value: Any = results
    for key in path.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def load_floors(path: Path | str) -> dict[str, Any]:
    """Read ``floors.json``; raises UsageError when it is unreadable or malformed."""
    path = Path(path)
    try:
        floors = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise UsageError(f"cannot read the gate floors {path}: {error}. Restore "
                         "eval/floors.json from version control.") from error
    for suite, limits in floors.items():
        if suite.startswith("_"):
            continue
        for kind in ("floors", "ceilings"):
            for name, value in (limits.get(kind) or {}).items():
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise UsageError(f"{path}: {suite}.{kind}.{name} is {value!r}, not a "
                                     "number; write a number (floors start at 0.0).")
    return floors


def check_floors(results: Mapping[str, Any], floors: Mapping[str, Any]) -> list[str]:
    """The figures below their floor or above their ceiling, one message each.

    ``results`` maps a suite name (``seeds``, ``gsr``) to that suite's results. A figure
    with a floor that the results lack is reported too. Returns [] when all pass.
    """
    messages = []
    for suite, limits in floors.items():
        if suite.startswith("_"):
            continue
        suite_results = results.get(suite) or {}
        for name, floor in (limits.get("floors") or {}).items():
            value = figure(suite_results, name)
            if value is None:
                messages.append(f"{suite} {name}: missing from the results (floor {floor})")
            elif value < floor - _EPSILON:
                messages.append(f"{suite} {name} = {value:.4f} is below its floor {floor}")
        for name, ceiling in (limits.get("ceilings") or {}).items():
            value = figure(suite_results, name)
            if value is None:
                messages.append(f"{suite} {name}: missing from the results (ceiling {ceiling})")
            elif value > ceiling + _EPSILON:
                messages.append(f"{suite} {name} = {value:g} is above its ceiling {ceiling}")
    return messages


def raised_floors(results: Mapping[str, Any], floors: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``floors`` with each floor raised to the measured value, never lowered.

    Ceilings are lowered to the measured value, never raised. Figures absent from the
    results keep their limits.
    """
    raised = json.loads(json.dumps(floors))  # a deep copy of plain JSON data
    for suite, limits in raised.items():
        if suite.startswith("_"):
            continue
        suite_results = results.get(suite) or {}
        for name, floor in (limits.get("floors") or {}).items():
            value = figure(suite_results, name)
            if value is not None:
                measured = math.floor(value * 10**_DECIMALS) / 10**_DECIMALS
                limits["floors"][name] = max(floor, measured)
        for name, ceiling in (limits.get("ceilings") or {}).items():
            value = figure(suite_results, name)
            if value is not None:
                limits["ceilings"][name] = min(ceiling, value)
    return raised


def run_suites(
    shared_dir: Path | str,
    *,
    process: Callable[[list[Path]], Mapping[str, Any]],
    code: Callable[[str], list[Any]],
) -> dict[str, Any]:
    """Run both suites on the shared gold material; returns ``{"seeds": ..., "gsr": ...}``.

    ``shared_dir`` holds ``seeds/`` and ``eval/`` (``seeds.gold.json``, ``plover_gsr.json``).
    """
    from .gsr import run_gsr
    from .seeds import run_eval

    shared_dir = Path(shared_dir)
    return {
        "seeds": run_eval(shared_dir / "eval" / "seeds.gold.json", shared_dir / "seeds",
                          process=process),
        "gsr": run_gsr(shared_dir / "eval" / "plover_gsr.json", code=code),
    }
