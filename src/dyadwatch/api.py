"""The library's front door: build the pipeline, code a text, ingest files into a store.

The CLI, the REST API, the evaluator and the runners are thin shells over these functions.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .document import Document, Event, Failure
from .pipeline import DEFAULT_STAGES, Pipeline
from .readers import Article, article_to_document, read_paths

if TYPE_CHECKING:
    from .runners.local import Coded, PipelineSpec
    from .store import Store

__all__ = [
    "build_pipeline",
    "code_text",
    "code_events",
    "ingest",
    "IngestReport",
    "process_articles",
    "process_files",
]


@lru_cache(maxsize=8)
def _cached_pipeline(registry_files: tuple[str, ...], lexicon_files: tuple[str, ...],
                     min_actors: int) -> Pipeline:
    options: dict[str, dict[str, Any]] = {
        "nlp": {"registry_files": registry_files},
        "resolve": {"registry_files": registry_files},
        "events": {"lexicon_files": lexicon_files, "min_actors": min_actors},
        "facts": {"registry_files": registry_files},
        "relations": {"registry_files": registry_files},
        "projects": {"registry_files": registry_files},
    }
    return Pipeline(DEFAULT_STAGES, options)


def build_pipeline(*, registry_files: Iterable[str | Path] = (),
                   lexicon_files: Iterable[str | Path] = (), min_actors: int = 2) -> Pipeline:
    """The default pipeline (built once per process and option set).

    ``min_actors=2`` keeps only dyadic events (source and target), as the gold guidelines
    define an event; ``1`` also keeps events with a source only (PLOVER allows them).
    """
    return _cached_pipeline(tuple(map(str, registry_files)), tuple(map(str, lexicon_files)),
                            min_actors)


def code_text(text: str, *, date: str | None = None, title: str | None = None,
              pipeline: Pipeline | None = None, source: str = "<text>") -> Document:
    """Run the whole pipeline on one text (nothing stored) and return the Document."""
    article = Article(source=source, text=text, encoding="utf-8", fmt="txt",
                      published=date, title=title)
    doc = article_to_document(article)
    return (pipeline or build_pipeline())(doc)


def code_events(text: str, *, date: str | None = None, min_actors: int = 2) -> list[Event]:
    """The events of one sentence or text: what the sentence-mode evaluator calls."""
    return code_text(text, date=date, pipeline=build_pipeline(min_actors=min_actors)).events


def process_articles(items: Iterable[Article | Failure], *, pipeline: Pipeline | None = None,
                     batch_size: int = 16) -> Iterator[Document | Failure]:
    """Turn reader output into processed Documents; failures pass through as data."""
    pipeline = pipeline or build_pipeline()
    pending: list[Failure] = []

    def documents() -> Iterator[Document]:
        for item in items:
            if isinstance(item, Failure):
                pending.append(item)
                continue
            yield article_to_document(item)

    for result in pipeline.pipe(documents(), batch_size=batch_size):
        while pending:
            yield pending.pop(0)
        yield result
    yield from pending


@dataclass
class IngestReport:
    """What an ingest run did: counts per outcome and every failure with its reason."""

    run_id: str
    db_path: str
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "db": self.db_path, "counts": dict(self.counts),
                "failures": [{"source": f.source, "line": f.line, "stage": f.stage,
                              "reason": f.reason} for f in self.failures]}


def ingest(paths: Iterable[str | Path], *, db_path: str | Path, stdin: TextIO | None = None,
           pipeline: Pipeline | PipelineSpec | None = None,
           on_result: Callable[[Any, str], None] | None = None, workers: int = 1,
           allow_private: bool = False) -> IngestReport:
    """Read, process and store every article under ``paths``; never stops on a bad item.

    ``workers > 1`` runs the pipeline in that many processes (this one still reads and
    writes, in input order); give them a PipelineSpec (what to build) rather than a built
    Pipeline, so that this process never loads the model it does not use. A source
    already stored with the same content is skipped (outcome "unchanged"), so running
    again finishes an interrupted run. ``on_result(result, outcome)`` is called for every
    input: ``result`` is a ``runners.Coded`` (the document's rows; ``result.document()``
    rebuilds the Document), a Failure or a ``runners.Skipped``. Returns an
    IngestReport; each failure is also written to the store's failures table. URLs and
    feed files in ``paths`` are fetched (readers.url); ``allow_private`` lets them reach
    private, loopback and link-local addresses.
    """
    from .readers.url import UrlLimits
    from .runners.local import PipelineSpec, Skipped, run_local
    from .store import Store

    report = IngestReport(run_id=uuid.uuid4().hex[:12], db_path=str(db_path))
    store = Store(db_path)
    try:
        items = read_paths(list(paths), stdin=stdin,
                           url_limits=UrlLimits(allow_private=allow_private))
        # Without a pipeline, workers build the default one; this process needs no model.
        for result in run_local(items, store=store, pipeline=pipeline or PipelineSpec(),
                                workers=workers):
            if isinstance(result, Failure):
                store.record_failure(result, run_id=report.run_id)
                report.failures.append(result)
                outcome = "failed"
            elif isinstance(result, Skipped):
                outcome = result.outcome
            else:
                result, outcome = _store(store, result, report)
            report.counts[outcome] = report.counts.get(outcome, 0) + 1
            if on_result is not None:
                on_result(result, outcome)
    finally:
        store.close()
    return report


def _store(store: Store, coded: Coded, report: IngestReport) -> tuple[Coded | Failure, str]:
    """Write a ``runners.Coded``; a document the store refuses becomes a Failure and the
    run goes on."""
    from .errors import StoreError

    try:
        return coded, store.write_rows(coded.rows)
    except StoreError as exc:
        failure = Failure(coded.source, "store", str(exc))
        store.record_failure(failure, run_id=report.run_id)
        report.failures.append(failure)
        return failure, "failed"


def process_files(paths: list[Path], *, db_path: Path) -> dict[str, Document]:
    """Ingest files into the store at ``db_path`` and load them back, keyed by file name.

    This is what the evaluator scores: the record as stored, not the in-memory Documents.
    """
    from .store import Store

    ingest(paths, db_path=db_path)
    store = Store(db_path, readonly=True)
    try:
        docs = {}
        offset = 0
        while True:
            page = store.documents(limit=500, offset=offset)
            if not page:
                break
            for row in page:
                docs[Path(row["source"]).name] = store.load(row["doc_id"])
            offset += len(page)
        return docs
    finally:
        store.close()
