"""Export of a real store to CSV, JSON Lines and Parquet, read back with csv, json, pyarrow."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dyadwatch.document import Entity, Fact, Failure, Mention, Milestone, ProjectRecord, Relation
from dyadwatch.errors import UsageError
from dyadwatch.store import EXPORT_TABLES, Store, export
from store_docs import add_event, make_doc

# Table -> the key of Store.counts() that says how many rows its file must hold.
_COUNT_KEYS = {
    "documents": "documents", "sentences": "sentences", "mentions": "mentions",
    "entities": "entities", "events": "events", "event_clusters": "event_clusters",
    "facts": "facts", "relations": "relations", "projects": "projects", "failures": "failures",
}


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "export.db") as opened:
        sentences = ['China and Kyrgyzstan held talks, "frankly", in Bishkek.',
                     "Trade rose to 2 billion dollars; a new line opened."]
        doc = make_doc("talks.txt", sentences, published="2025-02-06",
                       outlet="Outlet, with comma")
        doc.entities = [Entity("country:KGZ", "Kyrgyzstan", "COUNTRY", "KGZ",
                               aliases=["Kyrgyz Republic", "Kirghizia"])]
        doc.mentions = [Mention(10, 20, "Kyrgyzstan", "COUNTRY", "country:KGZ", "KGZ")]
        add_event(doc, 0, "CONSULT", "CHN", "KGZ", "2025-02-05", goldstein=1.0)
        add_event(doc, 0, "CONSULT", "KGZ", "CHN", "2025-02", negated=True)
        doc.facts = [Fact("trade_value", 2e9, "USD", 56, 107, ["CHN", "KGZ"], "2024",
                          extra={"basis": "customs"})]
        doc.relations = [Relation(["CHN", "KGZ"], "strategic partnership", 3, 0, 55)]
        doc.projects = [ProjectRecord("project:line", "new line", 56, 107, ["KGZ"],
                                      milestones=[Milestone("launched", "2025-02", 56, 107)])]
        opened.write(doc)
        assert opened.write(make_doc("copy.txt", sentences)) == "duplicate"
        opened.record_failure(Failure("broken.jsonl", "decode", "bad JSON", line=3), run_id="r")
        yield opened


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_export_writes_one_file_per_table(store: Store, tmp_path: Path, fmt: str) -> None:
    paths = export(store, fmt=fmt, out_dir=tmp_path / "out" / fmt)
    assert [p.name for p in paths] == [f"{table}.{fmt}" for table in EXPORT_TABLES]
    assert set(EXPORT_TABLES) == set(_COUNT_KEYS)
    counts = store.counts()
    for path in paths:
        assert _row_count(path, fmt) == counts[_COUNT_KEYS[path.stem]], path.name


def _row_count(path: Path, fmt: str) -> int:
    if fmt == "csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return sum(1 for _ in csv.DictReader(handle))
    if fmt == "jsonl":
        return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line)
    return pq.read_table(path).num_rows


def test_csv_joins_lists_and_keeps_commas_and_quotes(store: Store, tmp_path: Path) -> None:
    export(store, fmt="csv", out_dir=tmp_path)
    with (tmp_path / "entities.csv").open(encoding="utf-8", newline="") as handle:
        (entity,) = list(csv.DictReader(handle))
    assert entity["aliases"] == "Kirghizia|Kyrgyz Republic" and entity["n_mentions"] == "1"
    with (tmp_path / "sentences.csv").open(encoding="utf-8", newline="") as handle:
        first = next(csv.DictReader(handle))
    assert first["text"] == 'China and Kyrgyzstan held talks, "frankly", in Bishkek.'
    with (tmp_path / "events.csv").open(encoding="utf-8", newline="") as handle:
        events = list(csv.DictReader(handle))
    assert [e["negated"] for e in events] == ["false", "true"]
    assert events[0]["goldstein"] == "1.0" and events[1]["goldstein"] == ""
    with (tmp_path / "documents.csv").open(encoding="utf-8", newline="") as handle:
        document = next(csv.DictReader(handle))
    assert document["outlet"] == "Outlet, with comma"
    assert sorted(document["sources"].split("|")) == ["copy.txt", "talks.txt"]


def test_jsonl_keeps_structure(store: Store, tmp_path: Path) -> None:
    export(store, fmt="jsonl", out_dir=tmp_path)
    (project,) = _jsonl(tmp_path / "projects.jsonl")
    assert project["countries"] == ["KGZ"]
    assert project["milestones"] == [
        {"status": "launched", "date": "2025-02", "start": 56, "end": 107}]
    (fact,) = _jsonl(tmp_path / "facts.jsonl")
    assert fact["extra"] == {"basis": "customs"} and fact["countries"] == ["CHN", "KGZ"]
    events = _jsonl(tmp_path / "events.jsonl")
    assert events[0]["text"].startswith("China and Kyrgyzstan held talks")
    assert events[0]["cluster_id"] != events[1]["cluster_id"]  # negation splits the cluster
    (failure,) = _jsonl(tmp_path / "failures.jsonl")
    assert (failure["source"], failure["line"], failure["run_id"]) == ("broken.jsonl", 3, "r")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_parquet_has_typed_columns(store: Store, tmp_path: Path) -> None:
    export(store, fmt="parquet", out_dir=tmp_path)
    events = pq.read_table(tmp_path / "events.parquet")
    assert events.schema.field("negated").type == pa.bool_()
    assert events.schema.field("goldstein").type == pa.float64()
    assert events.schema.field("start").type == pa.int64()
    assert events.column("negated").to_pylist() == [False, True]
    entities = pq.read_table(tmp_path / "entities.parquet")
    assert entities.schema.field("aliases").type == pa.list_(pa.string())
    assert entities.column("aliases").to_pylist() == [["Kirghizia", "Kyrgyz Republic"]]
    projects = pq.read_table(tmp_path / "projects.parquet")
    assert json.loads(projects.column("milestones")[0].as_py())[0]["status"] == "launched"
    clusters = pq.read_table(tmp_path / "event_clusters.parquet")
    assert clusters.column("n_evidence").to_pylist() == [1, 1]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_empty_store_exports_empty_tables(tmp_path: Path, fmt: str) -> None:
    with Store(tmp_path / "empty.db") as empty:
        paths = export(empty, fmt=fmt, out_dir=tmp_path / "out")
    assert all(_row_count(path, fmt) == 0 for path in paths)
    if fmt == "parquet":
        assert "doc_id" in pq.read_table(tmp_path / "out" / "documents.parquet").schema.names
    if fmt == "csv":
        header = (tmp_path / "out" / "documents.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header.startswith("doc_id,source,sources")


def test_export_errors_are_usage_errors(store: Store, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="csv"):
        export(store, fmt="xlsx", out_dir=tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(UsageError, match="a-file"):
        export(store, fmt="csv", out_dir=blocker / "sub")
