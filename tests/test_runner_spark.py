"""The Spark runner: a real local[2] session gives, after load, the store a local run gives.

Planning and reading (the same files, the same articles, big JSONL files split at line
ends) are plain Python and tested without Spark.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dyadwatch import api
from dyadwatch.cli import app
from dyadwatch.errors import UsageError
from dyadwatch.readers import read_paths
from dyadwatch.runners.parquet import MANIFEST, read_manifest
from dyadwatch.runners.spark import INSTALL_HINT, plan_units, read_unit, spark_ingest
from runner_dumps import record_dump

ROOT = Path(__file__).resolve().parents[1]
# Our own sentences; the blank lines make the feed big enough to be cut into pieces.
FEED_RECORDS = [
    {"text": "Uzbekistan and Kazakhstan agreed on Tuesday to expand cross-border rail freight.",
     "published": "2024-05-14", "outlet": "Test Wire"},
    {"text": "Kyrgyzstan protested against new border checks introduced by Tajikistan.",
     "date": "2022-09-20"},
]


def _feed(path: Path, blank_lines: int) -> Path:
    """A JSONL feed: a BOM, a record, many blank lines, a record, a bad line, a long line."""
    first, second = (json.dumps(record) for record in FEED_RECORDS)
    path.write_bytes(
        b"\xef\xbb\xbf" + first.encode() + b"\n" + b"\n" * blank_lines + second.encode()
        + b"\n{broken\n" + json.dumps({"text": "x" * 300}).encode() + b"\n"
    )
    return path


@pytest.mark.parametrize("chunk_bytes", [40, 333, 10_000])
def test_a_feed_read_in_pieces_gives_what_reading_it_whole_gives(
    tmp_path: Path, chunk_bytes: int
) -> None:
    feed = _feed(tmp_path / "feed.jsonl", 500)
    units = plan_units([tmp_path], chunk_bytes=chunk_bytes)
    assert (len(units) > 1) == (chunk_bytes < feed.stat().st_size)
    pieces = [item for unit in units for item in read_unit(unit, max_bytes=200)]
    assert pieces == list(read_paths([tmp_path], max_bytes=200))
    assert [getattr(item, "line", None) for item in pieces] == [1, 502, 503, 504]


def test_planning_lists_what_a_local_run_reads(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("Second report.", encoding="utf-8")
    (tmp_path / "a.html").write_text("<html><body><p>First.</p></body></html>", encoding="utf-8")
    (tmp_path / "notes.csv").write_text("skipped", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    units = plan_units([tmp_path, tmp_path / "b.txt", tmp_path / "empty", tmp_path / "missing.txt"])
    assert [Path(unit.path).name for unit in units] == ["a.html", "b.txt", "empty", "missing.txt"]
    assert units[2].failure is not None and "holds no readable files" in units[2].failure.reason
    with pytest.raises(UsageError, match="standard input"):
        plan_units(["-"])


def test_a_missing_extra_names_the_install_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(UsageError, match=r"pip install 'dyadwatch\[spark\]'"):
        spark_ingest([tmp_path], out=tmp_path / "out")
    result = CliRunner().invoke(app, ["spark-ingest", str(tmp_path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert INSTALL_HINT in " ".join(result.output.split())


def test_output_that_is_not_ours_is_never_overwritten(tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.docx").write_text("precious", encoding="utf-8")
    for overwrite in (False, True):
        with pytest.raises(UsageError, match="not empty|did not write"):
            spark_ingest([tmp_path / "nothing"], out=out, overwrite=overwrite)
    assert (out / "thesis.docx").read_text(encoding="utf-8") == "precious"


def test_spark_records_equal_the_local_runs_row_for_row(
    tmp_path: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pyspark")
    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")  # no network: everything on loopback
    extra = tmp_path / "extra"
    extra.mkdir()
    feed = _feed(extra / "feed.jsonl", 1_200_000)  # over 1 MB: cut in two by --chunk-mb 1
    (extra / "empty.txt").write_bytes(b"")
    inputs = [str(seeds_dir), str(extra)]

    local = api.ingest(inputs, db_path=tmp_path / "local.db")
    assert local.counts == {"inserted": 8, "failed": 2}  # 5 seeds, 3 feed records

    out = tmp_path / "parquet"
    conf = ["spark.ui.enabled=false", "spark.sql.shuffle.partitions=2",
            "spark.driver.host=127.0.0.1", "spark.driver.bindAddress=127.0.0.1"]
    result = CliRunner().invoke(app, [
        "spark-ingest", *inputs, "--out", str(out), "--master", "local[2]", "--chunk-mb", "1",
        "--partition-size", "2", *(arg for item in conf for arg in ("--conf", item))])
    assert result.exit_code == 1, result.output  # the empty file and the broken line fail
    manifest = read_manifest(out)
    assert (manifest["documents"], manifest["failures"]) == (8, 2)
    assert manifest["units"] == 5 + 2 + 1 and manifest["partitions"] == 4
    assert feed.stat().st_size > 1 << 20
    assert (out / "documents" / "month=2024-05").is_dir()
    assert (out / "failures" / "month=unknown").is_dir()
    assert (out / MANIFEST).is_file()

    result = CliRunner().invoke(app, ["load", str(out), "--db", str(tmp_path / "spark.db"), "-q"])
    assert result.exit_code == 1, result.output
    assert record_dump(tmp_path / "spark.db") == record_dump(tmp_path / "local.db")
