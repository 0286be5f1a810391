"""Documents <-> Parquet rows: the store's own rows, partitioned by month, read back in order."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dyadwatch.document import Document, Failure, Meta
from dyadwatch.errors import UsageError
from dyadwatch.runners.parquet import (
    MANIFEST,
    PARQUET_TABLES,
    ParquetWriter,
    load,
    month_of,
    read_parquet,
    table_columns,
    write_manifest,
)
from dyadwatch.store import Store, to_rows
from dyadwatch.store.schema import migrate
from runner_dumps import record_dump
from test_store_roundtrip import documents

failures = st.builds(Failure, st.text(min_size=1, max_size=10), st.sampled_from(["read", "nlp"]),
                     st.text(max_size=20), st.none() | st.integers(1, 10**6))
results = st.lists(documents() | failures, min_size=1, max_size=6)


def _write(items: list[Document | Failure], out: Path, *, parts: int = 2) -> None:
    """Write items as ``parts`` writers would (ordinals spaced like a Spark run's)."""
    writers = [ParquetWriter(out, part, max_rows=3) for part in range(parts)]
    for position, item in enumerate(items):
        writers[position % parts].add((position // 3) << 32 | position % 3, item)
    for writer in writers:
        writer.close()
    write_manifest(out, {"documents": sum(isinstance(i, Document) for i in items)})


@given(results, st.integers(1, 4))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_documents_and_failures_come_back_equal_and_in_input_order(
    items: list[Document | Failure], window: int
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        _write(items, Path(directory))
        assert list(read_parquet(directory, window=window)) == items


def test_parquet_columns_are_the_store_columns() -> None:
    conn = sqlite3.connect(":memory:")
    migrate(conn, path=":memory:")
    assigned = {"id", "run_id", "ingested_at", "cluster_id", "created"}
    for table in PARQUET_TABLES:
        declared = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]
        assert [name for name, _ in table_columns()[table]] == [
            "ordinal", *(name for name in declared if name not in assigned)]


@given(documents())
@settings(max_examples=40, deadline=None)
def test_every_row_column_has_a_parquet_column(doc: Document) -> None:
    rows = to_rows(doc)
    columns = {table: {name for name, _ in table_columns()[table]} for table in PARQUET_TABLES}
    assert set(rows.document) <= columns["documents"]
    for table, table_rows in rows.tables.items():
        for row in table_rows:
            assert set(row) <= columns[table], table


def _dated(source: str, published: str | None, text: str) -> Document:
    return Document(source=source, raw=text, text=text, meta=Meta(published=published))


def test_tables_are_partitioned_by_publication_month(tmp_path: Path) -> None:
    items = [_dated("a", "2024-06-07", "Talks were held in June."),
             _dated("b", None, "Talks were held at some point."),
             _dated("c", "2023-12-31", "Talks were held in December."),
             Failure("broken.txt", "read", "empty file")]
    _write(items, tmp_path, parts=1)
    months = ds.dataset(tmp_path / "documents", format="parquet", partitioning="hive"
                        ).to_table(columns=["source", "month"]).to_pylist()
    assert sorted((row["source"], row["month"]) for row in months) == [
        ("a", "2024-06"), ("b", "unknown"), ("c", "2023-12")]
    assert (tmp_path / "failures" / "month=unknown").is_dir()
    assert [month_of(doc) for doc in items[:3]] == ["2024-06", "unknown", "2023-12"]


@given(st.lists(documents() | failures, min_size=1, max_size=5))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_load_stores_what_writing_the_documents_stores(items: list[Document | Failure]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        _write(items, folder / "parquet")
        with Store(folder / "direct.db") as store:
            for item in items:
                if isinstance(item, Failure):
                    store.record_failure(item)
                else:
                    store.write(item)
        report = load(folder / "parquet", db_path=folder / "loaded.db")
        assert record_dump(folder / "loaded.db") == record_dump(folder / "direct.db")
        assert sum(report.counts.values()) == len(items)
        with Store(folder / "loaded.db", readonly=True) as store:
            assert store.runs()[0]["counts"] == report.counts


def test_an_unfinished_directory_is_refused(tmp_path: Path) -> None:
    _write([_dated("a", "2024-06-07", "Talks.")], tmp_path)
    (tmp_path / MANIFEST).unlink()
    with pytest.raises(UsageError, match="did not finish"):
        list(read_parquet(tmp_path))
    with pytest.raises(UsageError, match="not a directory"):
        load(tmp_path / "nothing", db_path=tmp_path / "x.db")
