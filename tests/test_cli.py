"""The CLI as a user meets it: exit codes, summaries, clear errors, idempotent re-ingest."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dyadwatch.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    db = tmp_path_factory.mktemp("cli") / "seeds.db"
    result = run("ingest", seeds_dir, "--db", db, "-q")
    assert result.exit_code == 0, result.output
    return db


def counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE '%fts%' "
            "AND name NOT IN ('runs', 'sqlite_sequence')")]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()


def test_seeds_give_five_documents_and_reingest_changes_nothing(seeds_db, seeds_dir):
    before = counts(seeds_db)
    assert before["documents"] == 5
    result = run("ingest", seeds_dir, "--db", seeds_db, "-q")
    assert result.exit_code == 0
    assert "unchanged 5" in result.output
    assert counts(seeds_db) == before


def test_listings_in_every_format(seeds_db):
    for command in ("documents", "entities", "events", "facts", "relations", "projects",
                    "failures"):
        for fmt in ("table", "json", "csv"):
            result = run(command, "--db", seeds_db, "--format", fmt)
            assert result.exit_code == 0, (command, fmt, result.output)
    rows = [json.loads(line) for line in run("documents", "--db", seeds_db, "-f", "json")
            .output.splitlines() if line.strip()]
    published = {Path(r["source"]).name[:3]: r["published"] for r in rows}
    assert published == {"000": None, "001": "2022-09-26", "002": "2025-02-06",
                         "003": "2023-05-19", "004": "2017-06-07"}


def test_events_filters_and_timeline(seeds_db):
    out = run("events", "--db", seeds_db, "--between", "KGZ", "CHN", "--type", "CONSULT",
              "-f", "json").output
    events = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert events and all(e["plover"] == "CONSULT" and set(e["pair"]) == {"CHN", "KGZ"}
                          for e in events)
    timeline = run("timeline", "CHN", "KGZ", "--db", seeds_db, "--by", "year", "-f", "json")
    periods = [json.loads(line)["period"] for line in timeline.output.splitlines() if line]
    assert "2025" in periods
    assert run("timeline", "CHN", "KGZ", "--db", seeds_db, "--by", "week").exit_code == 2


def test_show_and_search(seeds_db):
    doc_id = json.loads(run("documents", "--db", seeds_db, "-f", "json").output.splitlines()[0])["doc_id"]
    shown = run("show", doc_id, "--db", seeds_db, "-f", "json")
    assert shown.exit_code == 0 and json.loads(shown.output)["doc_id"] == doc_id
    assert run("show", "nope", "--db", seeds_db).exit_code == 2
    hits = run("search", "railway", "--db", seeds_db, "-f", "json").output.splitlines()
    assert hits and all("railway" in json.loads(h)["text"].lower() for h in hits)


def test_relations_history_of_china_and_kyrgyzstan(seeds_db):
    rows = [json.loads(line) for line in run("relations", "CHN", "KGZ", "--db", seeds_db,
                                              "-f", "json").output.splitlines() if line]
    assert any(r["level"] == "comprehensive strategic partnership" and r["as_of"] == "2022-09-26"
               for r in rows)
    assert any(r["level"] == "comprehensive strategic partnership for a new era"
               and r["since"] == "2023-05-19" for r in rows)


def test_code_prints_people_countries_and_beijing():
    result = run("code", "President Xi Jinping met Kyrgyz President Sadyr Japarov in Beijing "
                 "on Wednesday.", "--date", "2025-02-06")
    assert result.exit_code == 0
    record = json.loads(result.output)
    entities = {(e["name"], e["type"], e["country"]) for e in record["entities"]}
    assert {("Xi Jinping", "PERSON", "CHN"), ("Sadyr Japarov", "PERSON", "KGZ"),
            ("Kyrgyzstan", "COUNTRY", "KGZ"), ("Beijing", "LOCATION", "CHN")} <= entities
    [event] = record["events"]
    assert (event["plover"], event["date"], event["location"]) == ("CONSULT", "2025-02-05",
                                                                   "Beijing")


def test_code_jsonl_with_a_broken_line(tmp_path):
    lines = tmp_path / "in.jsonl"
    lines.write_text('{"text": "Russia and Ukraine held talks in Istanbul.", "date": "2022-03-29"}\n'
                     '{not json\n', encoding="utf-8")
    result = run("code", "--jsonl", lines)
    assert result.exit_code == 1
    first, second = (json.loads(x) for x in result.output.splitlines())
    assert first["events"][0]["plover"] == "CONSULT"
    assert "in.jsonl:2" in second["error"]


def test_bad_inputs_fail_alone_and_are_listed(tmp_path, seeds_dir):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "good.txt").write_text("Kazakhstan and Uzbekistan signed a water agreement "
                                     "on Monday.\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    db = tmp_path / "b.db"
    result = run("ingest", folder, "--db", db, "-q")
    assert result.exit_code == 1
    assert "empty.txt" in result.output and "image.txt" in result.output
    assert counts(db)["documents"] == 1 and counts(db)["failures"] == 2
    listed = run("failures", "--db", db, "-f", "json").output
    assert "empty.txt" in listed and "image.txt" in listed


def test_usage_errors_say_what_to_do(tmp_path):
    missing = run("ingest", tmp_path / "nope", "--db", tmp_path / "x.db")
    assert missing.exit_code == 2 and "no such file or directory" in missing.output
    no_db = run("documents", "--db", tmp_path / "absent.db")
    assert no_db.exit_code == 2 and "dyadwatch ingest" in no_db.output
    unwritable = run("ingest", tmp_path, "--db", tmp_path / "no" / "such" / "dir" / "x.db")
    flat = " ".join(unwritable.output.split())
    assert unwritable.exit_code == 2 and "does not exist" in flat and "mkdir -p" in flat
    newer = tmp_path / "newer.db"
    assert run("ingest", tmp_path / "nope2", "--db", newer).exit_code == 2
    con = sqlite3.connect(newer)
    con.execute("PRAGMA user_version = 999")
    con.close()
    too_new = run("documents", "--db", newer)
    assert too_new.exit_code == 2 and "999" in too_new.output
    assert run("code").exit_code == 2
    assert run("code", "x", "--date", "yesterday").exit_code == 2
