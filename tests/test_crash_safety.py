"""Crash safety: `dyadwatch ingest` killed with SIGKILL 20 times, resumed each time.

The test runs scripts/crash_test.py (the same code the lead runs by hand with bigger
numbers) on 200 generated articles, then checks that its checker does catch a partly
stored document, wrong counters and an extra source, so that a clean report means
something.
"""

from __future__ import annotations

import importlib.util
import random
import shutil
import sqlite3
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def crash() -> ModuleType:
    """scripts/crash_test.py as a module."""
    spec = importlib.util.spec_from_file_location("crash_test", ROOT / "scripts" / "crash_test.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not module.DYADWATCH.exists():
        pytest.fail(f"{module.DYADWATCH} is missing: run scripts/setup first")
    return module


@pytest.fixture(scope="module")
def result(crash: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The crash test's figures (run once for the module)."""
    workdir = tmp_path_factory.mktemp("crash")
    figures = crash.crash_test(workdir, articles=200, kills=20, seed=8, early_share=0.45)
    figures["workdir"] = workdir
    return figures


def test_twenty_kills_leave_a_sound_store_equal_to_a_clean_run(result: dict) -> None:
    assert result["problems"] == []
    assert len(result["kill_log"]) == 20
    # Most kills land while documents are written, not only in start-up.
    assert result["kills_while_writing"] >= 6
    # Failures are recorded once per run (the same three, in more rows); all else is equal.
    final = {k: v for k, v in result["final_counts"].items() if k != "failures"}
    assert final == {k: v for k, v in result["clean_counts"].items() if k != "failures"}
    assert result["clean_counts"]["documents"] == 200
    assert result["clean_counts"]["failures"] == 3


def test_kills_interrupted_real_work(result: dict) -> None:
    writing = [k for k in result["kill_log"] if k["mode"] == "writing"]
    assert any(k["stored_after"] - k["stored_before"] > 0 for k in writing)
    assert sum(k["finished_before_kill"] for k in writing) < len(writing)


def copy_of(clean: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy.db"
    source = sqlite3.connect(clean)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
    finally:
        source.close()
        dest.close()
    return target


@pytest.mark.parametrize(("damage", "expected"), [
    ("DELETE FROM sentences WHERE doc_id = (SELECT MIN(doc_id) FROM documents)",
     "partly stored"),
    ("DELETE FROM mentions WHERE id = (SELECT MIN(id) FROM mentions)",
     "mention count disagrees"),
    ("INSERT INTO document_sources (source, doc_id, content_hash, run_id, added)"
     " SELECT source || '-copy', doc_id, content_hash, run_id, added FROM document_sources"
     " LIMIT 1", None),
    ("UPDATE event_clusters SET n_evidence = n_evidence + 1 WHERE id = (SELECT MIN(id) FROM"
     " event_clusters)", "evidence count disagrees"),
])
def test_the_checker_catches_damage(crash: ModuleType, result: dict, tmp_path: Path,
                                    damage: str, expected: str | None) -> None:
    clean = result["workdir"] / "clean.db"
    conn = sqlite3.connect(clean)
    try:
        reference = crash.per_document(conn)
    finally:
        conn.close()
    damaged = copy_of(clean, tmp_path)
    conn = sqlite3.connect(damaged)
    conn.execute("PRAGMA foreign_keys = OFF")
    changed = conn.execute(damage).rowcount
    conn.commit()
    conn.close()
    problems = crash.check_store(damaged, reference)
    if expected is None:  # a second source for stored content is allowed (a duplicate)...
        assert problems == []
        # ...but the final comparison with the clean run sees it, when there was one.
        assert bool(crash.compare(clean, damaged)) == (changed > 0)
    else:
        assert any(expected in problem for problem in problems), problems
        assert crash.compare(clean, damaged)


def test_the_corpus_is_our_own_and_varied(crash: ModuleType, tmp_path: Path) -> None:
    inputs = crash.make_corpus(tmp_path / "c", 40, seed=3)
    texts = [p.read_text(encoding="utf-8") for p in sorted((tmp_path / "c").glob("*.txt"))
             if p.stat().st_size > 0 and p.name != "picture.txt"]
    assert inputs == 43 and len(texts) == 36 and len(set(texts)) == 36
    assert len({text.split("\n", 1)[0] for text in texts}) > 20  # varied headlines
    shutil.rmtree(tmp_path / "c")


class _Latest(random.Random):
    """A random source whose every pause is the longest allowed."""

    def uniform(self, a: float, b: float) -> float:
        return b


def test_a_run_that_ends_before_its_kill_is_recorded_not_an_error(crash: ModuleType,
                                                                   tmp_path: Path) -> None:
    # Everything stored already: the resume starts, finds nothing to do and ends well before
    # the kill, and poll() reaps it, so there is no process group left to signal (CI saw
    # ProcessLookupError here once start-up became fast).
    corpus, db = tmp_path / "corpus", tmp_path / "crashed.db"
    crash.make_corpus(corpus, 3, seed=5)
    crash.run_to_end(corpus, db)
    stored = crash.stored_sources(db)
    record = crash.kill_once(corpus, db, _Latest(1), total=3, start_up_s=120.0)
    assert record["mode"] == "start-up"
    assert record["finished_before_kill"] is True
    assert record["stored_before"] == record["stored_after"] == stored == 3
    assert crash.check_store(db, _reference(crash, db)) == []


def _reference(crash: ModuleType, db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        return crash.per_document(conn)
    finally:
        conn.close()
