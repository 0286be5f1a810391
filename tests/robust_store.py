"""The database the robustness tests read: generated articles plus hostile ones, ingested by
the real pipeline once per test session (test_hostile and test_api_contract share it)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Our own words. Markup an article scraped from a hostile page could carry: stored as text,
# never run. Each marker is unique, so a page that shows one unescaped is easy to find.
SCRIPT = "<script>alert('dw-xss-1')</script>"
IMAGE = "<img src=x onerror=\"alert('dw-xss-2')\">"
LINK = "<a href=\"javascript:alert('dw-xss-3')\">details</a>"
HANDLER = "\" onmouseover=\"alert('dw-xss-4')\" x=\""
MARKERS = (SCRIPT, IMAGE, LINK, HANDLER)
HOSTILE_TITLE = f"Kazakhstan and China sign a grain deal {SCRIPT}"
HOSTILE_TEXT = f"""{HOSTILE_TITLE}

Astana, 4 March 2024. {IMAGE} Kazakhstan and China signed an agreement on grain exports
on Monday, officials in Astana said. {LINK}

The Chinese side {HANDLER} promised to buy more wheat next year.
"""
# SQL and FTS metacharacters, stored as plain text and found again by search.
SQL_SENTENCE = "Robert'); DROP TABLE documents;-- met officials in Bishkek on Friday."
SQL_TEXT = f"""Kyrgyzstan and Russia discuss a 100% tariff cut

{SQL_SENTENCE} Ministers said 50% of the "quota" was_used; the rest OR NOT AND NEAR(x) * \\ %
would follow. Kyrgyzstan and Russia agreed to meet again in May.
"""

_built: dict[str, Path] = {}


def load_script(name: str) -> ModuleType:
    """A script of scripts/ as a module (scripts/ on the path, for its own imports)."""
    folder = str(ROOT / "scripts")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def robust_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The path of a store with 16 generated articles and the two hostile ones."""
    if "db" not in _built:
        from dyadwatch.api import ingest

        folder = tmp_path_factory.mktemp("robust-store")
        corpus = folder / "corpus"
        load_script("crash_test").make_corpus(corpus, 16, seed=5)
        (corpus / "hostile.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
        (corpus / "sql.txt").write_text(SQL_TEXT, encoding="utf-8")
        report = ingest([corpus], db_path=folder / "robust.db")
        assert report.counts.get("inserted") == 18, report.counts
        _built["db"] = folder / "robust.db"
    return _built["db"]
