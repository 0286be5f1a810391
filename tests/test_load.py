"""Load: `dyadwatch serve` answers local clients while an ingest writes the same database.

Runs scripts/load_test.py with modest numbers: four client threads on 127.0.0.1, from the
ingest's first write until it ends. No answer may be an error or mention a locked
database, and the ingest must store every article while being read.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_script(name: str) -> ModuleType:
    """A script of scripts/ as a module (scripts/ on the path, for its own imports)."""
    folder = str(ROOT / "scripts")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def load() -> ModuleType:
    return load_script("load_test")


@pytest.fixture(scope="module")
def result(load: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict:
    return load.load_test(tmp_path_factory.mktemp("load"), articles_before=12,
                          articles_during=60, clients=4, max_requests=4000, max_seconds=90)


def test_no_errors_and_no_locked_database_under_load(result: dict) -> None:
    assert result["problems"] == []
    assert result["errors"] == 0
    assert set(result["statuses"]) == {"200"}


def test_the_load_overlapped_the_writes(result: dict) -> None:
    assert result["documents_written_during_load"] > 0
    assert result["requests"] >= 4 * 10  # every client asked, many times


def test_latency_figures_are_reported(result: dict) -> None:
    # Figures, not thresholds (no wall-clock assertions): they must exist and be ordered.
    assert 0 < result["p50_ms"] <= result["p90_ms"] <= result["p99_ms"] <= result["max_ms"]
    assert {"/api/stats", "/api/search", "/doc/{id}"} <= set(result["by_route_p50_p99_ms"])


def test_percentile_and_routes(load: ModuleType) -> None:
    values = [float(v) for v in range(1, 101)]
    assert load.percentile(values, 0.5) == 50.0 and load.percentile(values, 0.99) == 99.0
    assert load.percentile([], 0.5) == 0.0
    assert load.route_of("/doc/abc?highlight=1-2") == "/doc/{id}"
    assert load.route_of("/api/search?q=x") == "/api/search"

