"""Run the pipeline on Spark and write Parquet: ``dyadwatch spark-ingest INPUT --out DIR``.

The driver lists the input with the readers' own walk (the same files in the same order as
a local run) and cuts it into units: a whole file, or a line range of a large JSONL file,
so that one big wire feed is shared among tasks. Spark partitions the units; each task
builds the pipeline from its spec (once per Python worker: ``build_pipeline`` caches it),
reads its units with the same readers, runs the same ``Pipeline.pipe`` and writes its rows
with a ParquetWriter. The runner only partitions and serialises. The driver writes the
manifest last, and ``dyadwatch load DIR`` puts the result in a store.

Inputs and the output directory must be on a filesystem every executor sees: the local
disk in local mode, a shared mount on a cluster. Executors need dyadwatch and its model
installed; in local mode they run this very Python (PYSPARK_PYTHON, unless already set).
"""

from __future__ import annotations

import math
import os
import shutil
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from ..document import Document, Failure
from ..errors import PipelineError, UsageError
from ..pipeline import Pipeline
from ..readers import DEFAULT_MAX_BYTES, EXTENSIONS, STDIN, Article, read_paths
from ..readers.jsonl import parse_jsonl_lines

# The readers' own folder walk and line splitter: sharing them is what makes a Spark run
# read exactly what a local run reads. (They are private to readers.paths for now.)
from ..readers.paths import _UTF16_BOMS, _bounded_lines, _expand
from .local import PipelineSpec
from .parquet import MANIFEST, PARQUET_TABLES, ParquetWriter, write_manifest

__all__ = [
    "InputUnit",
    "SparkReport",
    "plan_units",
    "read_unit",
    "process_units",
    "spark_session",
    "spark_ingest",
    "INSTALL_HINT",
    "DEFAULT_CHUNK_BYTES",
]

INSTALL_HINT = "pip install 'dyadwatch[spark]'"
DEFAULT_CHUNK_BYTES = 32 * 1024 * 1024
_ITEM_BITS = 32  # ordinal = unit index << 32 | position of the item in its unit
_SESSION_DEFAULTS = {
    "spark.ui.showConsoleProgress": "false",
    "spark.python.worker.reuse": "true",  # keeps each worker's pipeline for the next task
}


@dataclass(frozen=True)
class InputUnit:
    """What one piece of a task reads: a file, a byte range of a JSONL file, or a failure
    found while listing the input (a folder with nothing to read)."""

    path: str
    start: int = 0
    end: int | None = None  # None: the whole file
    first_line: int = 1
    failure: Failure | None = None


@dataclass
class SparkReport:
    """What a spark-ingest run wrote: where, how many inputs, documents and failures."""

    out: str
    units: int
    partitions: int
    documents: int = 0
    failures: int = 0
    stages: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- planning and reading (plain Python: no Spark needed) -----------------------------------


def plan_units(
    paths: Iterable[str | Path], *, chunk_bytes: int = DEFAULT_CHUNK_BYTES
) -> list[InputUnit]:
    """The units of work for ``paths``, in the order a local run reads them.

    Folders and files of known formats are listed with the readers' walk; a UTF-8 JSONL
    file larger than ``chunk_bytes`` is cut at line ends into several units. Anything else
    named (a URL, a feed of URLs, a missing path) is one unit that ``read_paths`` reads in
    the task. Raises UsageError for ``-`` (standard input cannot be shared among tasks).
    """
    units: list[InputUnit] = []
    seen: set[str] = set()
    for path in paths:
        if str(path) == STDIN:
            raise UsageError(
                "spark-ingest reads files and folders, not standard input: save the stream "
                "to a .jsonl file and give its path."
            )
        candidate = Path(path)
        if not (candidate.is_dir() or _known_file(candidate)):
            units.append(InputUnit(str(path)))
            continue
        for item, fmt in _expand(candidate, seen):
            if isinstance(item, Failure):
                units.append(InputUnit(item.source, failure=item))
            elif fmt == "jsonl" and _splittable(item, chunk_bytes):
                units += _jsonl_units(item, chunk_bytes)
            else:
                units.append(InputUnit(str(item)))
    return units


def _known_file(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in EXTENSIONS


def _splittable(path: Path, chunk_bytes: int) -> bool:
    try:
        if path.stat().st_size <= chunk_bytes:
            return False
        with path.open("rb") as handle:
            return handle.read(2) not in _UTF16_BOMS  # UTF-16 files are decoded whole
    except OSError:
        return False  # the reader will report it


def _jsonl_units(path: Path, chunk_bytes: int) -> list[InputUnit]:
    """Cut a JSONL file into ranges of about ``chunk_bytes`` that end at line ends."""
    size = path.stat().st_size
    units: list[InputUnit] = []
    start, line = 0, 1
    with path.open("rb") as handle:
        while start < size:
            handle.seek(min(start + chunk_bytes, size))
            handle.readline()  # finish the line the cut falls in
            end = handle.tell()
            units.append(InputUnit(str(path), start, end, line))
            line += _count_lines(handle, start, end)
            start = end
    return units


def _count_lines(handle: Any, start: int, end: int) -> int:
    handle.seek(start)
    count, left = 0, end - start
    while left > 0:
        block = handle.read(min(left, 1 << 22))
        if not block:
            break
        count += block.count(b"\n")
        left -= len(block)
    return count


class _ByteRange:
    """A binary file seen only between two offsets (what ``_bounded_lines`` reads)."""

    def __init__(self, handle: Any, start: int, end: int) -> None:
        handle.seek(start)
        self.handle = handle
        self.end = end

    def readline(self, limit: int = -1) -> bytes:
        left = self.end - self.handle.tell()
        if left <= 0:
            return b""
        return bytes(self.handle.readline(left if limit is None or limit < 0 else min(limit, left)))


def read_unit(unit: InputUnit, *, max_bytes: int | None = DEFAULT_MAX_BYTES
              ) -> Iterator[Article | Failure]:
    """The Articles and Failures of one unit, exactly as ``read_paths`` gives them."""
    if unit.failure is not None:
        yield unit.failure
        return
    if unit.end is None:
        yield from read_paths([unit.path], max_bytes=max_bytes)
        return
    try:
        with open(unit.path, "rb") as handle:
            lines = _bounded_lines(_ByteRange(handle, unit.start, unit.end), max_bytes)  # type: ignore[arg-type]
            numbered = ((unit.first_line + number - 1, line) for number, line in lines)
            yield from parse_jsonl_lines(numbered, source=unit.path)
    except OSError as exc:
        yield Failure(unit.path, "read", f"cannot read the file: {exc.strerror or exc}")


def process_units(
    units: Iterable[tuple[int, InputUnit]],
    pipeline: Pipeline,
    *,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    batch_size: int = 16,
) -> Iterator[tuple[int, Document | Failure]]:
    """Read numbered units and run the pipeline; yield ``(ordinal, result)`` per input.

    The ordinal (unit index and position in the unit) is the input's place in a local run.
    """
    from ..api import process_articles

    waiting: dict[str, deque[int]] = {}

    def items() -> Iterator[Article | Failure]:
        for index, unit in units:
            for position, item in enumerate(read_unit(unit, max_bytes=max_bytes)):
                waiting.setdefault(item.source, deque()).append(index << _ITEM_BITS | position)
                yield item

    for result in process_articles(items(), pipeline=pipeline, batch_size=batch_size):
        # Results name their input by source; a failure may overtake documents of its batch.
        queue = waiting[result.source]
        ordinal = queue.popleft()
        if not queue:
            del waiting[result.source]
        yield ordinal, result


# --- Spark ---------------------------------------------------------------------------------


def _session_class() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise UsageError(
            f"Spark support is an extra that is not installed. Install it with {INSTALL_HINT} "
            "(pyspark 4.3.0; it needs Java 17 or newer)."
        ) from exc
    return SparkSession


def spark_session(master: str | None = None, *, app_name: str = "dyadwatch",
                  config: Mapping[str, str] | None = None) -> Any:
    """A Spark session: ``master`` if given (else spark-submit's, else local[*]).

    In local mode the Python workers run this interpreter, which has dyadwatch installed.
    Raises UsageError with the install command when pyspark is missing.
    """
    session_class = _session_class()
    if master is None or master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = session_class.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    for key, value in {**_SESSION_DEFAULTS, **(config or {})}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _task(index: int, units: Iterable[tuple[int, InputUnit]], *, spec: PipelineSpec,
          out: str, max_bytes: int | None) -> Iterator[dict[str, Any]]:
    """One Spark partition: build (or reuse) the pipeline, process, write Parquet."""
    pipeline = spec.build()
    writer = ParquetWriter(out, index)
    for ordinal, result in process_units(units, pipeline, max_bytes=max_bytes):
        writer.add(ordinal, result)
    yield {"part": index, **writer.close(), "stages": pipeline.tags}


def spark_ingest(
    paths: Sequence[str | Path],
    *,
    out: str | Path,
    spark: Any | None = None,
    master: str | None = None,
    config: Mapping[str, str] | None = None,
    pipeline: PipelineSpec | None = None,
    partition_size: int = 32,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    overwrite: bool = False,
) -> SparkReport:
    """Run the pipeline over ``paths`` on Spark and write Parquet into ``out``.

    ``spark`` is a session to use (else one is made with ``master`` and ``config``, and
    stopped at the end); ``partition_size`` units (files or JSONL ranges) go to one task;
    JSONL files over ``chunk_bytes`` are split. Returns a SparkReport.
    Raises UsageError for bad arguments, a non-empty ``out`` without ``overwrite`` or a
    missing pyspark, and PipelineError when the Spark job fails.
    """
    if partition_size < 1:
        raise UsageError(f"partition_size={partition_size}: give 1 or more units per task.")
    _session_class()  # fail with the install hint before any work
    target = Path(out).resolve()
    units = plan_units(paths, chunk_bytes=chunk_bytes)
    _prepare(target, overwrite)
    session = spark or spark_session(master, config=config)
    try:
        report = _run(session, units, target, pipeline or PipelineSpec(), partition_size,
                      max_bytes)
    finally:
        if spark is None:
            session.stop()
    write_manifest(target, {"units": report.units, "partitions": report.partitions,
                            "documents": report.documents, "failures": report.failures,
                            "stages": report.stages, "inputs": [str(p) for p in paths]})
    return report


def _run(session: Any, units: list[InputUnit], out: Path, spec: PipelineSpec,
         partition_size: int, max_bytes: int | None) -> SparkReport:
    context = session.sparkContext
    slices = max(1, min(len(units), context.defaultParallelism),
                 math.ceil(len(units) / partition_size))
    report = SparkReport(str(out), len(units), slices)
    if not units:
        return report
    task = partial(_task, spec=spec, out=str(out), max_bytes=max_bytes)
    try:
        parts = context.parallelize(list(enumerate(units)), slices).mapPartitionsWithIndex(
            task).collect()
    except Exception as exc:  # noqa: BLE001 - a Py4J error: name the job, keep the cause
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PipelineError(
            f"The Spark job writing {out} failed ({first}). Its partial output is left for "
            "inspection; fix the cause and run again with --overwrite."
        ) from exc
    for part in parts:
        report.documents += part["documents"]
        report.failures += part["failures"]
        report.stages = report.stages or list(part["stages"])
    return report


def _prepare(out: Path, overwrite: bool) -> None:
    """Make ``out`` empty, deleting only what a previous run wrote (and only if asked)."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give a directory for the Parquet tables.")
    entries = list(out.iterdir()) if out.is_dir() else []
    if entries and not overwrite:
        raise UsageError(f"{out} is not empty. Pass --overwrite to replace an earlier "
                         "spark-ingest output there, or choose another --out.")
    ours = {*PARQUET_TABLES, MANIFEST, f".{MANIFEST}.tmp"}
    foreign = sorted(entry.name for entry in entries if entry.name not in ours)
    if foreign:
        raise UsageError(f"{out} holds files spark-ingest did not write ({foreign[:5]}); "
                         "refusing to overwrite it. Choose another --out.")
    for entry in entries:
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    out.mkdir(parents=True, exist_ok=True)
