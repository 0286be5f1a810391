"""The evaluation gate: eval/floors.json, check_floors, raised_floors and the real run."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from dyadwatch.errors import UsageError
from dyadwatch.evaluate import (
    GATED_CEILINGS,
    GATED_FIGURES,
    check_floors,
    code_with_pipeline,
    load_floors,
    process_with_pipeline,
    raised_floors,
    run_suites,
    score_corpus,
    score_gsr,
)
from dyadwatch.evaluate.gate import figure

REPO = Path(__file__).resolve().parents[1]
FLOORS = REPO / "eval" / "floors.json"
SHARED = REPO.parent / "shared"


def results_with(seeds: dict[str, Any] | None = None, gsr: dict[str, Any] | None = None
                 ) -> dict[str, Any]:
    """Results shaped like the real ones (from an empty run), with some figures replaced."""
    results = {"seeds": score_corpus({"documents": []}, {}), "gsr": score_gsr([], lambda t: [])}
    for suite, changes in (("seeds", seeds or {}), ("gsr", gsr or {})):
        for path, value in changes.items():
            *parents, last = path.split(".")
            node = results[suite]
            for key in parents:
                node = node[key]
            node[last] = value
    return results


def test_floors_file_gates_every_figure() -> None:
    floors = load_floors(FLOORS)
    for suite, names in GATED_FIGURES.items():
        assert set(names) <= set(floors[suite]["floors"]), suite
        assert all(0.0 <= floors[suite]["floors"][name] <= 1.0 for name in names)
    for suite, names in GATED_CEILINGS.items():
        assert set(names) <= set(floors[suite]["ceilings"])
        assert all(floors[suite]["ceilings"][name] == 0 for name in names)


def test_every_gated_figure_exists_in_the_results() -> None:
    results = results_with()
    for suite, names in GATED_FIGURES.items():
        for name in names:
            assert figure(results[suite], name) is not None, f"{suite} {name}"
    for suite, names in GATED_CEILINGS.items():
        for name in names:
            assert figure(results[suite], name) == 0, f"{suite} {name}"


def test_lost_articles_and_coder_failures_trip_their_ceilings() -> None:
    def broken_coder(text: str) -> list[Any]:
        raise RuntimeError("no model")

    results = {
        "seeds": score_corpus({"documents": [{"file": "lost.txt", "meta": {}}]}, {}),
        "gsr": score_gsr([{"id": "r1", "event": "AGREE", "text": "A and B agreed."}],
                         broken_coder),
    }
    floors = {suite: {"ceilings": dict.fromkeys(names, 0)}
              for suite, names in GATED_CEILINGS.items()}
    assert check_floors(results, floors) == [
        "seeds details.counts.missing_documents = 1 is above its ceiling 0",
        "gsr failures = 1 is above its ceiling 0",
    ]


def test_check_floors_names_the_figures_that_fell() -> None:
    floors = {"seeds": {"floors": {"events.recall": 0.5, "entities.f1": 0.5},
                        "ceilings": {"events.negative_violations": 0}},
              "gsr": {"floors": {"type_accuracy": 0.4}}}
    assert check_floors(results_with({"events.recall": 0.5, "entities.f1": 0.7},
                                     {"type_accuracy": 0.4}), floors) == []
    messages = check_floors(results_with({"events.recall": 0.4999, "events.negative_violations": 2},
                                         {"type_accuracy": 0.1}), floors)
    assert messages == [
        "seeds events.recall = 0.4999 is below its floor 0.5",
        "seeds events.negative_violations = 2 is above its ceiling 0",
        "gsr type_accuracy = 0.1000 is below its floor 0.4",
    ]


def test_check_floors_reports_a_missing_figure() -> None:
    floors = {"gsr": {"floors": {"type_accuracy": 0.0}}}
    assert check_floors({"seeds": {}}, floors) == [
        "gsr type_accuracy: missing from the results (floor 0.0)"]


def test_floors_only_rise_and_ceilings_only_fall() -> None:
    floors = {"_about": "kept", "seeds": {"floors": {"events.recall": 0.6, "entities.f1": 0.2},
                                          "ceilings": {"events.negative_violations": 3}},
              "gsr": {"floors": {"type_accuracy": 0.3}}}
    results = results_with({"events.recall": 0.5, "entities.f1": 0.456789,
                            "events.negative_violations": 1}, {"type_accuracy": 0.8})
    raised = raised_floors(results, floors)
    assert raised["seeds"]["floors"] == {"events.recall": 0.6, "entities.f1": 0.4567}
    assert raised["seeds"]["ceilings"] == {"events.negative_violations": 1}
    assert raised["gsr"]["floors"] == {"type_accuracy": 0.8}
    assert raised["_about"] == "kept" and floors["seeds"]["floors"]["entities.f1"] == 0.2
    assert check_floors(results, raised) == ["seeds events.recall = 0.5000 is below its floor 0.6"]


def test_load_floors_rejects_a_floor_that_is_not_a_number(tmp_path: Path) -> None:
    path = tmp_path / "floors.json"
    path.write_text(json.dumps({"gsr": {"floors": {"type_accuracy": "high"}}}), encoding="utf-8")
    with pytest.raises(UsageError, match="type_accuracy"):
        load_floors(path)


def test_gate_on_the_real_system(tmp_path: Path) -> None:
    """Run the whole system on the gold material and hold every figure to its floor."""
    if not (SHARED / "eval" / "seeds.gold.json").is_file():
        pytest.fail(f"the shared gold material is missing at {SHARED}")
    process = functools.partial(process_with_pipeline, db_path=tmp_path / "eval.db")
    results = run_suites(SHARED, process=process, code=code_with_pipeline)
    (tmp_path / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    failures = check_floors(results, load_floors(FLOORS))
    assert not failures, "\n".join(failures) + f"\n(full results: {tmp_path / 'results.json'})"
