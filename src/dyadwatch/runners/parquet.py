"""Documents as Parquet rows and back, and loading a Parquet directory into the store.

The Parquet tables are the store's own rows (``store.rows.to_rows``): one table per store
table a document fills (documents, sentences, spans, document_entities, mentions, events,
facts, relations, projects and their side tables) plus ``failures``, with column types read
from the store's schema, so the two cannot drift: a column added to the store appears here.
Columns the store assigns on insert (row ids, run ids, times, clusters) are not in them.

Every row carries ``ordinal``, the input position of its article, so that ``load`` writes
documents in input order (event clusters depend on it) whatever order Spark finished them
in. Tables are partitioned by ``month``, the publication month ("unknown" when undated), as
``<table>/month=YYYY-MM/part-*.parquet``, which Spark, pyarrow and DuckDB all read.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..document import Document, Failure
from ..errors import UsageError
from ..store.rows import CHILD_TABLES, DocumentRows, from_rows, to_rows
from ..store.schema import SCHEMA_VERSION, migrate
from .local import Coded

if TYPE_CHECKING:
    import pyarrow as pa

    from ..api import IngestReport

__all__ = [
    "PARQUET_TABLES",
    "MANIFEST",
    "UNKNOWN_MONTH",
    "table_columns",
    "arrow_schema",
    "month_of",
    "document_tables",
    "failure_row",
    "ParquetWriter",
    "write_manifest",
    "read_manifest",
    "read_parquet",
    "load",
    "write_results",
]

PARQUET_TABLES: tuple[str, ...] = ("documents", *CHILD_TABLES, "failures")
MANIFEST = "_dyadwatch.json"  # written last: its presence says the directory is complete
UNKNOWN_MONTH = "unknown"
_STORE_ASSIGNED = frozenset({"id", "run_id", "ingested_at", "cluster_id", "created"})
_FAILURE_COLUMNS = ("source", "line", "stage", "reason")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])")
_ROW_GROUP = 4096  # small row groups let a load skip what it does not need


@lru_cache(maxsize=1)
def table_columns() -> dict[str, tuple[tuple[str, str], ...]]:
    """Per Parquet table: ``(column, affinity)`` pairs, read from the store's real schema.

    Affinity is SQLite's: INTEGER, REAL, TEXT or BLOB. ``ordinal`` comes first.
    """
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrate(conn, path=":memory:")
        return {
            table: (("ordinal", "INTEGER"), *(
                (name, _affinity(declared))
                for _, name, declared, *_ in conn.execute(f'PRAGMA table_info("{table}")')
                if name not in _STORE_ASSIGNED
            ))
            for table in PARQUET_TABLES
        }
    finally:
        conn.close()


def _affinity(declared: str) -> str:
    # SQLite's rules for a declared column type (https://sqlite.org/datatype3.html, 3.1).
    upper = declared.upper()
    if "INT" in upper:
        return "INTEGER"
    if any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if "BLOB" in upper or not upper:
        return "BLOB"
    return "REAL"


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of one Parquet table (the ``month`` partition column excluded)."""
    import pyarrow as pa

    types = {"INTEGER": pa.int64(), "REAL": pa.float64(), "TEXT": pa.string(),
             "BLOB": pa.binary()}
    return pa.schema([(name, types[kind]) for name, kind in table_columns()[table]])


def month_of(doc: Document) -> str:
    """The publication month ``YYYY-MM`` of ``doc``, or "unknown" when it has no date."""
    published = doc.meta.published or ""
    return published[:7] if _MONTH.match(published) else UNKNOWN_MONTH


def document_tables(doc: Document, ordinal: int) -> dict[str, list[dict[str, Any]]]:
    """The rows ``doc`` contributes to each Parquet table (its store rows plus ``ordinal``)."""
    rows = to_rows(doc)
    tables = {"documents": [{**rows.document, "ordinal": ordinal}]}
    for table in CHILD_TABLES:
        tables[table] = [{**row, "ordinal": ordinal} for row in rows.tables.get(table, [])]
    return tables


def failure_row(failure: Failure, ordinal: int) -> dict[str, Any]:
    """The ``failures`` row of an input that could not be processed."""
    return {"ordinal": ordinal, **{name: getattr(failure, name) for name in _FAILURE_COLUMNS}}


# --- writing ---------------------------------------------------------------------------------


class ParquetWriter:
    """Buffer the rows of documents and failures and write them as partitioned Parquet.

    ``part`` names this writer's files (``part-00003-0001.parquet``), so a writer that runs
    again with the same part (a retried Spark task) replaces its own files, never adds to
    them. Each file appears whole: it is written under a temporary name and renamed.
    """

    def __init__(self, out_dir: str | Path, part: int, *, max_rows: int = 20_000) -> None:
        self.out_dir = Path(out_dir)
        self.part = part
        self.max_rows = max_rows
        self.buffers: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.files: dict[tuple[str, str], int] = {}
        self.counts: dict[str, int] = {"documents": 0, "failures": 0}

    def add(self, ordinal: int, result: Document | Failure) -> None:
        """Add one processed document, or one failure, found at input position ``ordinal``."""
        if isinstance(result, Failure):
            self._extend("failures", UNKNOWN_MONTH, [failure_row(result, ordinal)])
            self.counts["failures"] += 1
            return
        month = month_of(result)
        for table, rows in document_tables(result, ordinal).items():
            self._extend(table, month, rows)
        self.counts["documents"] += 1

    def _extend(self, table: str, month: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        buffer = self.buffers.setdefault((table, month), [])
        buffer.extend(rows)
        if len(buffer) >= self.max_rows:
            self._flush(table, month)

    def _flush(self, table: str, month: str) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        rows = self.buffers.pop((table, month), [])
        if not rows:
            return
        number = self.files.get((table, month), 0)
        self.files[(table, month)] = number + 1
        folder = self.out_dir / table / f"month={month}"
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"part-{self.part:05d}-{number:04d}.parquet"
        temporary = folder / f".{final.name}.{uuid.uuid4().hex[:8]}.tmp"
        columns = table_columns()[table]
        arrow = pa.Table.from_pylist([_typed(row, columns) for row in rows],
                                     schema=arrow_schema(table))
        pq.write_table(arrow, temporary, row_group_size=_ROW_GROUP)
        os.replace(temporary, final)

    def close(self) -> dict[str, int]:
        """Write what is buffered; return the number of documents and failures written."""
        for table, month in list(self.buffers):
            self._flush(table, month)
        return dict(self.counts)


def _typed(row: dict[str, Any], columns: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    # SQLite stores True as 1 without a word; Arrow refuses a bool in an integer column.
    return {name: int(row[name]) if kind == "INTEGER" and isinstance(row.get(name), bool)
            else row.get(name) for name, kind in columns}


def write_manifest(out_dir: str | Path, info: dict[str, Any]) -> Path:
    """Write the manifest that marks ``out_dir`` complete (format, schema version, counts)."""
    path = Path(out_dir) / MANIFEST
    content = {"format": "dyadwatch-parquet", "version": 1, "schema_version": SCHEMA_VERSION,
               "tables": list(PARQUET_TABLES),
               "created": datetime.now(UTC).isoformat(timespec="seconds"), **info}
    temporary = path.with_name(f".{MANIFEST}.tmp")
    temporary.write_text(json.dumps(content, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)
    return path


def read_manifest(parquet_dir: str | Path) -> dict[str, Any]:
    """The manifest of a complete directory. Raises UsageError for anything else."""
    folder = Path(parquet_dir)
    path = folder / MANIFEST
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a directory: give the --out directory of a "
                         "`dyadwatch spark-ingest` run.")
    if not path.is_file():
        raise UsageError(
            f"{folder} has no {MANIFEST}: it is not the output of `dyadwatch spark-ingest`, "
            "or that run did not finish. Run spark-ingest again with --overwrite."
        )
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("schema_version", 0) > SCHEMA_VERSION:
        raise UsageError(
            f"{folder} was written with store schema version {manifest['schema_version']}, "
            f"newer than this dyadwatch's {SCHEMA_VERSION}. Upgrade dyadwatch to load it."
        )
    return manifest


# --- reading and loading ---------------------------------------------------------------------


def read_parquet(parquet_dir: str | Path, *, window: int = 500) -> Iterator[Document | Failure]:
    """Yield the Documents and Failures of a Parquet directory in input order.

    Reads ``window`` inputs at a time (row groups outside the window are skipped), so
    memory depends on the window, not on the size of the directory. Raises UsageError when
    the directory is not a complete ``spark-ingest`` output.
    """
    for item in _read_rows(parquet_dir, window):
        yield from_rows(item) if isinstance(item, DocumentRows) else item


def _read_rows(parquet_dir: str | Path, window: int) -> Iterator[DocumentRows | Failure]:
    """``read_parquet`` before the rows become Documents: what ``load`` writes as they are."""
    read_manifest(parquet_dir)
    datasets = {table: _dataset(Path(parquet_dir) / table) for table in PARQUET_TABLES}
    ordinals = _ordinals(datasets)
    for start in range(0, len(ordinals), window):
        yield from _window(datasets, ordinals.slice(start, window).to_pylist())


def _dataset(folder: Path) -> Any:
    import pyarrow as pa
    import pyarrow.dataset as ds

    if not folder.is_dir():
        return None  # no input produced a row of this table
    partitioning = ds.partitioning(pa.schema([("month", pa.string())]), flavor="hive")
    return ds.dataset(folder, format="parquet", partitioning=partitioning,
                      exclude_invalid_files=False, ignore_prefixes=[".", "_"])


def _ordinals(datasets: dict[str, Any]) -> Any:
    """Every input's ordinal, sorted, as an Arrow array (8 bytes per input)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = [datasets[table].to_table(columns=["ordinal"]).column("ordinal")
               for table in ("documents", "failures") if datasets[table] is not None]
    found = pa.chunked_array([chunk for column in columns for chunk in column.chunks],
                             type=pa.int64()).combine_chunks()
    return pc.take(found, pc.sort_indices(found))


def _window(datasets: dict[str, Any], ordinals: list[int]) -> Iterator[DocumentRows | Failure]:
    import pyarrow.dataset as ds

    condition = (ds.field("ordinal") >= ordinals[0]) & (ds.field("ordinal") <= ordinals[-1])
    grouped: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for table, dataset in datasets.items():
        grouped[table] = {}
        if dataset is None:
            continue
        columns = [name for name, _ in table_columns()[table]]
        for row in dataset.to_table(columns=columns, filter=condition).to_pylist():
            grouped[table].setdefault(row.pop("ordinal"), []).append(row)
    for ordinal in ordinals:
        failures = grouped["failures"].get(ordinal)
        if failures:
            yield Failure(**failures[0])
            continue
        tables = {table: grouped[table].get(ordinal, []) for table in CHILD_TABLES}
        yield DocumentRows(grouped["documents"][ordinal][0], tables)


def load(
    parquet_dir: str | Path,
    *,
    db_path: str | Path,
    on_result: Callable[[Any, str], None] | None = None,
    window: int = 500,
) -> IngestReport:
    """Write the documents and failures of a ``spark-ingest`` output into the store.

    Documents are written in input order, as the rows they are in Parquet
    (``Store.write_rows``: a source already stored with the same content is "unchanged"),
    failures recorded; the load is one run of the store's runs table. ``on_result(result,
    outcome)`` gets a ``Coded`` (``result.document()`` rebuilds the Document) or a
    Failure. Returns an IngestReport. Raises UsageError for a directory that is
    not a complete spark-ingest output.
    """
    from ..api import IngestReport
    from ..store import Store

    read_manifest(parquet_dir)
    store = Store(db_path)
    try:
        run_id = store.begin_run(["load", str(parquet_dir)])
        report = IngestReport(run_id=run_id, db_path=str(db_path))
        for item in _read_rows(parquet_dir, window):
            result = Coded(item) if isinstance(item, DocumentRows) else item
            outcome = _store(store, result, run_id, report)
            report.counts[outcome] = report.counts.get(outcome, 0) + 1
            if on_result is not None:
                on_result(result, outcome)
        store.finish_run(run_id, report.counts)
    finally:
        store.close()
    return report


def _store(store: Any, result: Coded | Failure, run_id: str, report: IngestReport) -> str:
    from ..errors import StoreError

    if isinstance(result, Coded):
        try:
            return str(store.write_rows(result.rows, run_id=run_id))
        except StoreError as exc:  # a document the store refuses is a failure, not the end
            result = Failure(result.source, "store", str(exc))
    store.record_failure(result, run_id=run_id)
    report.failures.append(result)
    return "failed"


def write_results(
    results: Iterable[tuple[int, Document | Failure]], out_dir: str | Path, *, part: int = 0
) -> dict[str, int]:
    """Write ``(ordinal, result)`` pairs with one ParquetWriter; return its counts."""
    writer = ParquetWriter(out_dir, part)
    for ordinal, result in results:
        writer.add(ordinal, result)
    return writer.close()
