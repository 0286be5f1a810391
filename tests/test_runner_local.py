"""The local runner: N worker processes give the store one worker gives, resume, and
failures (bad files, dying workers) stay data."""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dyadwatch import api
from dyadwatch.cli import app
from dyadwatch.document import Document, Failure
from dyadwatch.errors import PipelineError, UsageError
from dyadwatch.pipeline import Pipeline, register_stage
from dyadwatch.readers import Article, article_to_document
from dyadwatch.runners import Coded, Skipped, run_local, skip_stored
from dyadwatch.store import Store, to_rows
from runner_dumps import record_dump

ROOT = Path(__file__).resolve().parents[1]
CRASH_MARKER = "PLEASE-CRASH-THE-WORKER"
UNSTORABLE_MARKER = "PLEASE-BREAK-THE-TEXT"


# Stages for the cheap pipelines below. Workers import this module to find them (the
# runner sends the modules of a pipeline's stages along with its spec).
@register_stage("test_runner_crash", version="0", requires=("text",), adds=("checked",))
def _crash_on_marker():
    def run(doc: Document) -> Document:
        if CRASH_MARKER in doc.text:
            os._exit(70)  # what an out-of-memory kill or a native crash looks like
        return doc

    return run


@register_stage("test_runner_unstorable", version="0", requires=("text",), adds=("broken",))
def _break_the_text_on_marker():
    def run(doc: Document) -> Document:
        if UNSTORABLE_MARKER in doc.text:
            doc.text += " \udc80"  # a lone surrogate: no content hash, no UTF-8 for SQLite
        return doc

    return run


@register_stage("test_runner_no_setup", version="0", requires=("text",), adds=("nothing",))
def _cannot_build_in_a_worker():
    if multiprocessing.parent_process() is not None:
        raise RuntimeError("this stage cannot be built in a worker process")
    return lambda doc: doc


# What the one-process run's pipeline thread did: (thread name, batch's first source, phase).
PIPELINE_LOG: list[tuple[str, str, str]] = []
NEXT_BATCH_STARTED = threading.Event()


@register_stage("test_runner_watch", version="0", requires=("text",), adds=("watched",))
class _WatchTheThread:
    """Logs which thread runs each batch, and whether two batches ever overlap."""

    def __init__(self) -> None:
        self.busy = threading.Lock()

    def __call__(self, doc: Document) -> Document:
        return next(self.pipe([doc]))

    def pipe(self, docs: list[Document]) -> Iterator[Document]:
        if not self.busy.acquire(blocking=False):
            raise AssertionError("two batches in the pipeline at once")
        try:
            PIPELINE_LOG.append((threading.current_thread().name, docs[0].source, "start"))
            if docs[0].source == "doc4":
                NEXT_BATCH_STARTED.set()
            done = list(docs)
            PIPELINE_LOG.append((threading.current_thread().name, docs[0].source, "end"))
        finally:
            self.busy.release()
        yield from done


def _article(source: str, text: str) -> Article:
    return Article(source=source, text=text, encoding="utf-8", fmt="txt")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> list[str]:
    """The sample corpus, the seeds and a folder of bad files among one good one."""
    bad = tmp_path_factory.mktemp("bad")
    (bad / "a_empty.txt").write_bytes(b"")
    (bad / "b_binary.txt").write_bytes(b"\x00\x01\x02\xff" * 64)
    (bad / "c_feed.jsonl").write_text(
        json.dumps({"text": "Kazakhstan and Kyrgyzstan signed a water-sharing agreement "
                            "in Astana on Monday.", "published": "2024-03-05"}) + "\n"
        + "{not json at all\n",
        encoding="utf-8",
    )
    return [str(ROOT / "corpus" / "sample"), str(seeds_dir), str(bad)]


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory: pytest.TempPathFactory, inputs: list[str]) -> tuple[Path, api.IngestReport]:
    path = tmp_path_factory.mktemp("one") / "one.db"
    return path, api.ingest(inputs, db_path=path, workers=1)


def test_two_workers_store_what_one_worker_stores(
    one_worker: tuple[Path, api.IngestReport], inputs: list[str], tmp_path: Path
) -> None:
    one_path, one_report = one_worker
    two_path = tmp_path / "two.db"
    result = CliRunner().invoke(app, ["ingest", *inputs, "--db", str(two_path), "--workers", "2",
                                      "--quiet"])
    assert result.exit_code == 1, result.output  # the bad files fail, and say so
    assert record_dump(two_path) == record_dump(one_path)
    assert one_report.counts["inserted"] == 16
    failed = {(Path(f.source).name, f.stage) for f in one_report.failures}
    assert failed == {("a_empty.txt", "read"), ("b_binary.txt", "decode"),
                      ("c_feed.jsonl:2", "parse")}
    with Store(two_path, readonly=True) as store:
        assert len(store.failures()) == 3


@pytest.mark.parametrize("workers", [1, 2])
def test_an_interrupted_run_finishes_when_run_again(
    one_worker: tuple[Path, api.IngestReport], inputs: list[str], tmp_path: Path, workers: int
) -> None:
    path = tmp_path / "resumed.db"
    written: list[str] = []

    def interrupt_after_four(result: object, outcome: str) -> None:
        if outcome == "inserted":
            written.append(result.source)  # type: ignore[attr-defined]
        if len(written) == 4:
            raise KeyboardInterrupt  # what Ctrl-C does in the middle of a run

    with pytest.raises(KeyboardInterrupt):
        api.ingest(inputs, db_path=path, workers=workers, on_result=interrupt_after_four)
    assert multiprocessing.active_children() == []  # the workers were stopped, not orphaned
    assert not any(thread.name.startswith("dyadwatch-pipeline")  # nor the one-process thread
                   for thread in threading.enumerate())
    with Store(path, readonly=True) as store:
        assert store.counts()["documents"] == 4

    report = api.ingest(inputs, db_path=path, workers=workers)
    assert report.counts["unchanged"] == 4
    assert report.counts["inserted"] == one_worker[1].counts["inserted"] - 4
    assert record_dump(path) == record_dump(one_worker[0])
    with Store(path, readonly=True) as store:
        sources = [row["source"] for row in store.documents(limit=1000)]
    assert len(sources) == len(set(sources)) == 16


def test_only_the_document_that_kills_its_worker_fails(tmp_path: Path) -> None:
    pipeline = Pipeline(("normalise", "test_runner_crash"))
    texts = [f"Report number {i} on the talks." for i in range(9)]
    texts[5] = f"This one holds {CRASH_MARKER} in its text."
    articles = [_article(f"doc{i}", text) for i, text in enumerate(texts)]
    with Store(tmp_path / "crash.db") as store:
        results = list(run_local(articles, store=store, pipeline=pipeline, workers=2,
                                 batch_size=3))
    assert [r.source for r in results if isinstance(r, Coded)] == [
        f"doc{i}" for i in range(9) if i != 5]
    failures = [r for r in results if isinstance(r, Failure)]
    assert [(f.source, f.stage) for f in failures] == [("doc5", "worker")]
    assert "died" in failures[0].reason


@pytest.mark.parametrize("workers", [1, 2])
def test_each_document_comes_back_as_the_rows_the_store_keeps(tmp_path: Path, workers: int) -> None:
    pipeline = Pipeline(("normalise", "test_runner_unstorable"))
    articles = [_article(f"doc{i}", f"Dispatch {i} from the summit in Astana.") for i in range(7)]
    articles[2] = _article("doc2", f"A dispatch the store cannot hold: {UNSTORABLE_MARKER}.")
    made = {doc.source: doc for doc in api.process_articles(articles, pipeline=pipeline)}
    with Store(tmp_path / "rows.db") as store:
        results = list(run_local(articles, store=store, pipeline=pipeline, workers=workers,
                                 batch_size=3))
        outcomes = [store.write_rows(r.rows) for r in results if isinstance(r, Coded)]
        stored = {r.source: store.load(r.doc_id) for r in results if isinstance(r, Coded)}
    assert [r.source for r in results] == [f"doc{i}" for i in range(7)]  # input order kept
    failure = results[2]
    assert isinstance(failure, Failure) and failure.stage == "store"
    assert "doc2" in failure.reason and "not valid Unicode" in failure.reason
    for coded in results[:2] + results[3:]:
        assert isinstance(coded, Coded)
        doc = made[coded.source]
        assert coded.rows == to_rows(doc)  # made where the document was coded
        assert coded.document() == doc == stored[coded.source]
        assert (coded.doc_id, coded.content_hash) == (doc.doc_id, doc.content_hash)
    assert outcomes == ["inserted"] * 6


def test_workers_that_cannot_build_the_pipeline_stop_the_run(tmp_path: Path) -> None:
    pipeline = Pipeline(("normalise", "test_runner_no_setup"))
    with Store(tmp_path / "setup.db") as store, pytest.raises(PipelineError, match="could not build"):
        list(run_local([_article("one", "A text.")], store=store, pipeline=pipeline, workers=2))


def test_the_input_is_streamed_not_read_ahead(tmp_path: Path) -> None:
    pulled = 0

    def endless() -> Iterator[Article]:
        nonlocal pulled
        for i in range(1_000_000):
            pulled += 1
            yield _article(f"doc{i}", f"Dispatch {i} from the summit.")

    with Store(tmp_path / "stream.db") as store:
        results = run_local(endless(), store=store, pipeline=Pipeline(("normalise",)),
                            workers=2, batch_size=4, in_flight=3)
        first = [next(results) for _ in range(10)]
        results.close()
    assert [doc.source for doc in first] == [f"doc{i}" for i in range(10)]
    # what was yielded, the batches in flight and the one being filled; nothing more
    assert pulled <= 10 + 3 * 4 + 4


def test_stored_sources_with_the_same_content_are_skipped(tmp_path: Path) -> None:
    pipeline = Pipeline(("normalise",))
    stored = pipeline(article_to_document(_article("kept.txt", "The ministers met in Bishkek.")))
    with Store(tmp_path / "skip.db") as store:
        store.write(stored)
        items = [_article("kept.txt", "The ministers met in Bishkek."),
                 _article("kept.txt", "The ministers met in Tashkent."),
                 _article("new.txt", "The ministers met in Bishkek."),
                 Failure("gone.txt", "read", "no such file")]
        out = list(skip_stored(items, store, [pipeline.stage("normalise")]))
    assert out[0] == Skipped("kept.txt", stored.doc_id, stored.content_hash)
    assert out[1:] == items[1:]


def test_bad_counts_are_refused(tmp_path: Path) -> None:
    with Store(tmp_path / "bad.db") as store, pytest.raises(UsageError, match="workers=0"):
        list(run_local([], store=store, pipeline=Pipeline(("normalise",)), workers=0))


def test_workers_use_the_registry_files_given_on_the_command_line(tmp_path: Path) -> None:
    orgs = tmp_path / "orgs.tsv"
    orgs.write_text("id\tname\taliases\tcountry\tsector\tkind\twikidata\n"
                    "steppe_water_council\tSteppe Water Council\tSWC\tKAZ\tGOV\tministry\t\n",
                    encoding="utf-8")
    article = tmp_path / "visit.txt"
    article.write_text("Published: 2024-03-05\n\nThe Steppe Water Council met Uzbek officials "
                       "in Tashkent on Monday.\n", encoding="utf-8")
    database = tmp_path / "two.db"
    result = CliRunner().invoke(app, ["ingest", str(article), "--db", str(database),
                                      "--workers", "2", "--registry", str(orgs), "--quiet"])
    assert result.exit_code == 0, result.output
    with Store(database, readonly=True) as store:
        found = {row["id"]: row["country"] for row in store.entities(limit=100)}
    assert found.get("org:steppe_water_council") == "KAZ", sorted(found)


def test_a_bad_registry_file_stops_a_run_with_workers_before_it_starts(tmp_path: Path) -> None:
    broken = tmp_path / "holders.tsv"
    broken.write_text("person_id\tname\n\tNo Id\n", encoding="utf-8")
    article = tmp_path / "visit.txt"
    article.write_text("Kazakhstan and Uzbekistan signed a water agreement.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(article), "--db", str(tmp_path / "x.db"),
                                      "--workers", "2", "--registry", str(broken)])
    assert result.exit_code == 2
    assert "holders.tsv" in result.output
    assert not (tmp_path / "x.db").exists()


def test_one_process_runs_the_next_batch_while_this_one_is_written(tmp_path: Path) -> None:
    PIPELINE_LOG.clear()
    NEXT_BATCH_STARTED.clear()
    pipeline = Pipeline(("normalise", "test_runner_watch"))
    articles = [_article(f"doc{i}", f"Dispatch {i} from the summit.") for i in range(10)]
    with Store(tmp_path / "ahead.db") as store:
        results = run_local(articles, store=store, pipeline=pipeline, batch_size=4)
        first = next(results)
        # While the caller holds the first batch's first document, the second batch is
        # (or soon will be) in the pipeline: the one-process run is one batch ahead.
        assert NEXT_BATCH_STARTED.wait(timeout=60)
        rest = list(results)
    assert [doc.source for doc in [first, *rest]] == [f"doc{i}" for i in range(10)]
    assert {name for name, _, _ in PIPELINE_LOG} == {"dyadwatch-pipeline_0"}
    assert [(source, phase) for _, source, phase in PIPELINE_LOG] == [
        ("doc0", "start"), ("doc0", "end"), ("doc4", "start"), ("doc4", "end"),
        ("doc8", "start"), ("doc8", "end")]


def test_one_process_run_left_early_leaves_the_pipeline_idle(tmp_path: Path) -> None:
    PIPELINE_LOG.clear()
    pipeline = Pipeline(("normalise", "test_runner_watch"))
    articles = [_article(f"doc{i}", f"Dispatch {i} from the summit.") for i in range(40)]
    with Store(tmp_path / "early.db") as store:
        results = run_local(articles, store=store, pipeline=pipeline, batch_size=4)
        taken = [next(results) for _ in range(5)]
        results.close()  # what an exception or Ctrl-C in the caller does to the generator
    assert [doc.source for doc in taken] == [f"doc{i}" for i in range(5)]
    assert not any(thread.name.startswith("dyadwatch-pipeline")
                   for thread in threading.enumerate())
    # the batch in progress was finished, none was started after leaving
    assert PIPELINE_LOG[-1][2] == "end" and len(PIPELINE_LOG) <= 2 * 3
    # and the same pipeline serves the next run at once
    with Store(tmp_path / "again.db") as store:
        again = list(run_local(articles[:6], store=store, pipeline=pipeline, batch_size=4))
    assert [doc.source for doc in again] == [f"doc{i}" for i in range(6)]
