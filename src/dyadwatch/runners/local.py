"""Run the pipeline in worker processes while this process reads, skips and writes.

The input streams: articles are read one by one, grouped into batches, and at most
``in_flight`` batches are out with the workers at any time, so memory stays flat however
large the input is. Each worker builds the pipeline once (from a PipelineSpec) and runs
``Pipeline.pipe`` on the batches it gets, exactly as the one-process run does. Results come
back in input order, so the single writer (SQLite has one) stores documents in the same
order whatever the number of workers, and the event clusters come out the same.

With one worker the pipeline runs in this process, in a helper thread one batch ahead of
the writer: while a batch is written, the next is parsed (SQLite and much of spaCy's work
release the GIL; measured 7-12% faster end to end on runs of three batches or more).

Workers hand back each coded document as the rows the store keeps (``store.prepare``, a
``Coded``), not as a Document: the rows of a news article are smaller (27 against 42 KB
pickled) and take a quarter of the time to unpickle (0.19 against 0.85 ms), and the writer
then only executes SQL, which leaves more of the machine to the workers. The one-process
run makes the rows in the writing thread, which waits for the pipeline thread anyway.

Resuming: a source already stored with the same content hash is skipped before any work
is done on it, so a run interrupted at any point is finished by running it again.

A worker that dies (killed, out of memory, a crash in native code) breaks the pool: the
pool is restarted and the batches it held are run again one document at a time, so that
only the document that kills a worker becomes a Failure and the rest are processed.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import signal
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from ..document import Document, Failure
from ..errors import PipelineError, StoreError, UsageError
from ..pipeline import DEFAULT_STAGES, Pipeline, registered_stages
from ..readers import Article, article_to_document
from ..store.rows import DocumentRows, from_rows
from ..store.store import prepare

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["PipelineSpec", "Coded", "Skipped", "run_local", "skip_stored", "DEFAULT_BATCH_SIZE"]

DEFAULT_BATCH_SIZE = 16
# A worker reports this when it could not build the pipeline: the run must stop, because
# every document would fail the same way.
_SETUP_FAILED = "dyadwatch worker setup failed"
# Pools that die before finishing anything, in a row, before the run gives up: a systemic
# problem (see _WorkerPool._died) would otherwise restart workers for every document.
_FRUITLESS_RESTARTS = 3


@dataclass(frozen=True)
class PipelineSpec:
    """How to build a pipeline in another process: what a worker or a Spark task gets.

    The default spec builds ``api.build_pipeline(registry_files=..., lexicon_files=...,
    min_actors=...)``; a spec made with ``PipelineSpec.of(pipeline)`` rebuilds that exact
    pipeline (stage names and options), importing the modules of its stages first so that
    stages registered by a plugin exist in the worker too.
    """

    registry_files: tuple[str, ...] = ()
    lexicon_files: tuple[str, ...] = ()
    min_actors: int = 2
    names: tuple[str, ...] | None = None
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    modules: tuple[str, ...] = ()

    @classmethod
    def of(cls, pipeline: Pipeline) -> PipelineSpec:
        """The spec that rebuilds ``pipeline`` (same stages, same options) elsewhere."""
        stages = registered_stages()
        modules = sorted({stages[name].factory.__module__ for name in pipeline.names})
        options = {name: dict(values) for name, values in pipeline.options.items()}
        return cls(names=tuple(pipeline.names), options=options, modules=tuple(modules))

    def build(self) -> Pipeline:
        """The pipeline this spec describes, built once per process and spec."""
        from ..api import build_pipeline

        for module in self.modules:
            importlib.import_module(module)
        if self.names is None:
            return build_pipeline(registry_files=self.registry_files,
                                  lexicon_files=self.lexicon_files, min_actors=self.min_actors)
        key = json.dumps([self.names, self.options], sort_keys=True, default=repr)
        if key not in _BUILT:
            _BUILT[key] = Pipeline(self.names, {k: dict(v) for k, v in self.options.items()})
        return _BUILT[key]

    @property
    def stage_names(self) -> tuple[str, ...]:
        """The names of the stages the pipeline will run."""
        return self.names if self.names is not None else DEFAULT_STAGES


_BUILT: dict[str, Pipeline] = {}


@dataclass(frozen=True)
class Skipped:
    """An input whose source is already stored with the same content: not processed again."""

    source: str
    doc_id: str
    content_hash: str
    outcome: ClassVar[str] = "unchanged"


@dataclass(frozen=True)
class Coded:
    """A document the pipeline coded, as the rows the store keeps (``store.prepare``).

    Made where the document was coded (a worker process), written with
    ``Store.write_rows``; ``document()`` rebuilds the Document from the rows when a caller
    wants it (``store.from_rows``: equal to the one the pipeline made).
    """

    rows: DocumentRows

    @property
    def source(self) -> str:
        """Where the article came from."""
        return self.rows.source

    @property
    def doc_id(self) -> str:
        """The document's id."""
        return self.rows.doc_id

    @property
    def content_hash(self) -> str:
        """The document's content hash."""
        return self.rows.content_hash

    def document(self) -> Document:
        """The Document these rows hold."""
        return from_rows(self.rows)


Result = Coded | Failure | Skipped


def run_local(
    items: Iterable[Article | Failure],
    *,
    store: Store,
    pipeline: Pipeline | PipelineSpec,
    workers: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    in_flight: int | None = None,
) -> Iterator[Result]:
    """Process reader output with ``workers`` processes; yield a result per input.

    Yields a Coded (a document's rows, to be written with ``Store.write_rows``), a Failure
    (reader, stage, or text the store cannot hold) or a Skipped (already stored: nothing
    to do). Coded documents come in input order; failures and skipped inputs
    are yielded as soon as they are known. ``workers=1`` runs in this process (the
    pipeline one batch ahead, in a thread). At most ``in_flight`` batches (default two per
    worker) are with the workers at once. Raises UsageError for a bad count and
    PipelineError when workers cannot build the pipeline.
    """
    if workers < 1 or batch_size < 1:
        raise UsageError(f"workers={workers}, batch_size={batch_size}: both must be 1 or more.")
    spec = pipeline if isinstance(pipeline, PipelineSpec) else PipelineSpec.of(pipeline)
    built = pipeline if isinstance(pipeline, Pipeline) else None
    steps = _steps(skip_stored(items, store, _text_stages(spec, built)), batch_size)
    if workers == 1:
        yield from _one_batch_ahead(built or spec.build(), steps)
        return
    with _WorkerPool(spec, workers) as pool:
        yield from pool.run(steps, in_flight or 2 * workers)


def skip_stored(
    items: Iterable[Article | Failure], store: Store, text_stages: list[Any]
) -> Iterator[Article | Failure | Skipped]:
    """Pass items through, replacing an article stored under its source with the same
    content by a Skipped (the content hash needs the text stages, run only for sources
    the store already holds)."""
    for item in items:
        if isinstance(item, Failure) or not store.has(item.source):
            yield item
            continue
        doc = article_to_document(item)
        try:
            for stage in text_stages:
                doc = stage(doc)
        except Exception:  # noqa: BLE001 - the pipeline will report this document's failure
            yield item
            continue
        if store.has(item.source, doc.content_hash):
            yield Skipped(item.source, doc.doc_id, doc.content_hash)
        else:
            yield item


def _text_stages(spec: PipelineSpec, built: Pipeline | None) -> list[Any]:
    """The built stages up to the one that adds the ``text`` layer (what the hash needs).

    They are built here without the heavy ones (the model), which come after the text.
    """
    stages = registered_stages()
    names: list[str] = []
    for name in spec.stage_names:
        names.append(name)
        if "text" in stages[name].adds:
            break
    else:
        return []  # no stage makes a text: the hash is the raw text's
    if built is not None:
        return [built.stage(name) for name in names]
    options = {name: dict(spec.options.get(name, {})) for name in names}
    light = Pipeline(tuple(names), options)
    return [light.stage(name) for name in names]


def _steps(
    items: Iterable[Article | Failure | Skipped], batch_size: int
) -> Iterator[list[Article] | Failure | Skipped]:
    """Batches of consecutive articles; failures and skipped inputs pass on their own."""
    batch: list[Article] = []
    for item in items:
        if not isinstance(item, Article):
            yield item
            continue
        batch.append(item)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _one_batch_ahead(
    pipeline: Pipeline, steps: Iterable[list[Article] | Failure | Skipped]
) -> Iterator[Result]:
    """The one-process run: the pipeline works on the next batch in a thread while the
    caller writes this one's results (SQLite and much of spaCy run without the GIL).

    Only this thread's one helper ever runs the pipeline, one batch at a time; leaving
    early (an exception, Ctrl-C) waits for the batch in progress, so the pipeline is idle
    again when this returns.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dyadwatch-pipeline") as ahead:
        running: Future[list[Document | Failure]] | None = None
        for step in steps:
            if not isinstance(step, list):
                yield step
                continue
            submitted = ahead.submit(_process, pipeline, step)
            if running is not None:
                yield from map(_coded, running.result())
            running = submitted
        if running is not None:
            yield from map(_coded, running.result())


def _process(pipeline: Pipeline, batch: list[Article]) -> list[Document | Failure]:
    """Run one batch through the pipeline (what a worker does, and the one-process run)."""
    from ..api import process_articles

    return list(process_articles(batch, pipeline=pipeline, batch_size=len(batch)))


def _coded(result: Document | Failure) -> Coded | Failure:
    """A document as its store rows (a failure as it is)."""
    if isinstance(result, Failure):
        return result
    try:
        return Coded(prepare(result))
    except StoreError as exc:  # text the store cannot hold: this document fails, not the run
        return Failure(result.source, "store", str(exc))


# --- the worker side ---------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(spec: PipelineSpec) -> None:
    # Ctrl-C goes to the whole process group; only the main process decides to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _WORKER["pipeline"] = spec.build()
    except Exception as exc:  # noqa: BLE001 - reported with the first batch, see _work
        _WORKER["error"] = f"{type(exc).__name__}: {exc}"


def _work(batch: list[Article]) -> list[Coded | Failure]:
    if "error" in _WORKER:
        raise RuntimeError(f"{_SETUP_FAILED}: {_WORKER['error']}")
    return [_coded(result) for result in _process(_WORKER["pipeline"], batch)]


# --- the main side -----------------------------------------------------------------------


def _context() -> Any:
    # forkserver starts workers from a clean, small process (no inherited threads or open
    # database); spawn where forkserver does not exist.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


@dataclass
class _Pending:
    batch: list[Article]
    future: Future[list[Coded | Failure]]
    generation: int


class _WorkerPool:
    """A process pool that survives the death of a worker (see the module docstring)."""

    def __init__(self, spec: PipelineSpec, workers: int) -> None:
        self.spec = spec
        self.workers = workers
        self.generation = 0
        self.productive = False  # has the current pool finished any batch?
        self.fruitless = 0  # pools in a row that died before finishing anything
        self.pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=_context(),
                                   initializer=_init_worker, initargs=(self.spec,))

    def __enter__(self) -> _WorkerPool:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is not None:
            _terminate(self.pool)  # interrupted: do not wait for batches nobody will write
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _restart(self) -> None:
        self.fruitless = 0 if self.productive else self.fruitless + 1
        if self.fruitless >= _FRUITLESS_RESTARTS:
            raise PipelineError(
                f"The worker processes died {self.fruitless} times in a row before finishing "
                "any document. Usual causes: the script that starts the run has no "
                "`if __name__ == '__main__':` guard (workers import it again), too little "
                "memory for one model per worker (use fewer workers), or a broken "
                "installation. A run with workers=1 (--workers 1) shows the error directly."
            )
        _terminate(self.pool)
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.generation += 1
        self.productive = False
        self.pool = self._start()

    def run(
        self, steps: Iterable[list[Article] | Failure | Skipped], in_flight: int
    ) -> Iterator[Result]:
        """Submit batches, keeping at most ``in_flight`` out; yield results in input order."""
        window: deque[_Pending] = deque()
        for step in steps:
            if not isinstance(step, list):
                yield step
                continue
            window.append(_Pending(step, self.pool.submit(_work, step), self.generation))
            while len(window) >= in_flight:
                yield from self._collect(window.popleft())
        while window:
            yield from self._collect(window.popleft())

    def _collect(self, pending: _Pending) -> list[Coded | Failure]:
        try:
            results = pending.future.result()
        except BrokenProcessPool:
            # Some worker died; every batch it held is lost. Only the first to notice restarts.
            if pending.generation == self.generation:
                self._restart()
            return self._isolate(pending.batch)
        except Exception as exc:  # noqa: BLE001 - anything else: find the document that caused it
            if _SETUP_FAILED in str(exc):
                raise PipelineError(
                    f"The worker processes could not build the pipeline ({exc}). Check the "
                    "registry and lexicon files, and that the spaCy model is installed; a run "
                    "with --workers 1 shows the same error directly."
                ) from exc
            return self._isolate(pending.batch)
        self.productive = self.productive or pending.generation == self.generation
        return results

    def _isolate(self, batch: list[Article]) -> list[Coded | Failure]:
        """Run each article of a lost batch alone; one that kills its worker is a Failure."""
        results: list[Coded | Failure] = []
        for article in batch:
            try:
                results += self.pool.submit(_work, [article]).result()
                self.productive = True
            except BrokenProcessPool:
                results.append(_died(article))
                self._restart()
            except Exception as exc:  # noqa: BLE001 - failures are data
                results.append(Failure(article.source, "worker", f"{type(exc).__name__}: {exc}",
                                       article.line))
        return results


def _died(article: Article) -> Failure:
    return Failure(
        article.source, "worker",
        "the worker process died while processing this document (killed, out of memory, or "
        "a crash in native code); the other documents were processed. Run it alone with "
        "--workers 1 to see the error, or give the machine more memory.",
        article.line,
    )


def _terminate(pool: ProcessPoolExecutor) -> None:
    # ProcessPoolExecutor has no public way to stop busy workers before Python 3.14
    # (terminate_workers); without this an interrupted run would wait for their batches.
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()
