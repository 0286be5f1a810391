"""The database the web tests read: the seed articles and a hostile article, ingested by the
real pipeline once per test session (the API and browser tests share it)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

# Our own words. The markup is what an article scraped from a hostile page could carry; the
# workbench must show it as text and never run it.
HOSTILE_TITLE = 'Water talks <b onmouseover="window.__pwned=3">Kazakhstan</b> Uzbekistan'
HOSTILE_TEXT = f"""{HOSTILE_TITLE}

March 4, 2024

<img src=x onerror="window.__pwned=1"> Kazakhstan and Uzbekistan signed an agreement on sharing
the water of the Syr Darya on Monday, the foreign ministry in Astana said.
<script>window.__pwned=2</script> President Tokayev praised Uzbekistan for its help.
"""
XSS_MARKERS = ('<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=2</script>")

_built: dict[str, Path] = {}


def seeded_store(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    """The path of a store holding the seeds and the hostile article (built on first use)."""
    if "seeds" not in _built:
        from dyadwatch.api import ingest

        folder = tmp_path_factory.mktemp("web-store")
        hostile = folder / "hostile"
        hostile.mkdir()
        (hostile / "hostile_markup.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
        report = ingest([seeds_dir, hostile], db_path=folder / "seeds.db")
        assert report.ok, report.failures
        _built["seeds"] = folder / "seeds.db"
    return _built["seeds"]


def copy_store(source: Path, target: Path) -> Path:
    """A consistent copy of a store (SQLite's backup, so the WAL is included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return target
