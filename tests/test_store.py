"""The store on a real SQLite file: opening, schema versions, errors, writing, loading."""

from __future__ import annotations

import sqlite3
from array import array
from pathlib import Path

import pytest

from dyadwatch.document import (
    Actor,
    Document,
    Entity,
    Event,
    Fact,
    Failure,
    Mention,
    Meta,
    Milestone,
    ProjectRecord,
    Relation,
    Span,
)
from dyadwatch.errors import DyadwatchError, SchemaTooNewError, StoreError
from dyadwatch.store import MIGRATIONS, SCHEMA_VERSION, NotFound, Store, open_store, prepare
from store_docs import add_event, dump_tables, make_doc


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "dyadwatch.db"


@pytest.fixture
def store(db: Path):
    with Store(db) as opened:
        yield opened


def full_doc(source: str = "kg.txt") -> Document:
    """A document with a record of every kind, and a raw text that differs from the text."""
    raw = "  Xi Jinping met Sadyr Japarov in Beijing.\r\nThey agreed a railway plan. Trade rose.  "
    text = "Xi Jinping met Sadyr Japarov in Beijing.\nThey agreed a railway plan. Trade rose."
    offsets = array("l", [i + 2 if i < 40 else i + 3 for i in range(len(text))])
    doc = Document(source=source, raw=raw, text=text, offsets=offsets, encoding="utf-8")
    doc.meta = Meta(title="Talks", published="2025-02-06", outlet="Example News",
                    kind="news", kind_reason="default", spans={"title": [0, 5]})
    doc.layers = {
        "sentences": [Span(0, 40, provenance="nlp@1"), Span(41, 68), Span(69, 80)],
        "timex": [Span(10, 14, "DATE", "timex@1", 0.8, {"value": "2025-02-05"})],
        "boilerplate": [],
    }
    xi = Entity("person:xi_jinping", "Xi Jinping", "PERSON", "CHN", "GOV", "p1", "Q15031",
                ["Xi", "President Xi"], [{"role": "head_of_state", "country": "CHN"}],
                [{"rule": "alias", "mentions": [0]}])
    doc.entities = [xi, Entity("country:KGZ", "Kyrgyzstan", "COUNTRY", "KGZ")]
    doc.mentions = [
        Mention(0, 10, "Xi Jinping", "PERSON", xi.id, "CHN", "GOV", "head_of_state", 0, "resolve@1"),
        Mention(15, 28, "Sadyr Japarov", "PERSON", "person:sadyr_japarov", "KGZ", sentence=0),
        Mention(41, 45, "They", "PRONOUN", None, sentence=1, resolved_by=None),
    ]
    doc.events = [
        Event("CONSULT", "040", Actor("Xi Jinping", 0, 10, xi.id, "CHN", "GOV", "head_of_state"),
              Actor("Sadyr Japarov", 15, 28, "person:sadyr_japarov", "KGZ"), 0, 40,
              trigger="met", trigger_start=11, trigger_end=14, date="2025-02-05",
              date_precision="day", date_source="timex", location="Beijing", goldstein=1.0,
              quad=1, sentence=0, confidence=0.9, provenance="events@1", rule="svo"),
        Event("AGREE", "057", None, Actor("They", 41, 45), 41, 68, negated=True, mode="intend"),
    ]
    doc.facts = [Fact("trade_value", 1.5e9, "USD", 69, 80, ["CHN", "KGZ"], "2024", "USD",
                      "1.5 billion", 14.7, "yoy", "about", "customs", {"source": "customs"}, 2)]
    doc.relations = [Relation(["CHN", "KGZ"], "strategic partnership", 3, 0, 40, since="2023")]
    doc.projects = [ProjectRecord("project:ckr", "CKU railway", 41, 68, ["CHN", "KGZ", "UZB"],
                                  "transport", ["railway plan"],
                                  [Milestone("agreed", "2025-02", 41, 68)], ["CHN"], 1)]
    doc.stages = ["normalise@1", "nlp@1"]
    doc.problems = ["no dateline"]
    return doc


# --- opening, WAL, schema versions ----------------------------------------------------------


def test_new_store_is_wal_at_current_version_with_foreign_keys(store: Store, db: Path) -> None:
    assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
    assert store.connection().execute("PRAGMA foreign_keys").fetchone()[0] == 1
    other = sqlite3.connect(db)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert other.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    other.close()


def test_the_writer_checkpoints_the_log_less_often_and_leaves_none_behind(db: Path) -> None:
    from dyadwatch.store.store import WAL_CHECKPOINT_PAGES

    with Store(db) as store:
        conn = store.connection()
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == WAL_CHECKPOINT_PAGES
        for number in range(5):
            store.write(full_doc(f"kg-{number}.txt"))
        assert db.with_name(db.name + "-wal").stat().st_size > 0  # not copied back yet
    # the last connection to close checkpoints the log and removes it; the rows are there
    assert not db.with_name(db.name + "-wal").exists()
    with Store(db, readonly=True) as reopened:
        assert len(reopened.documents(limit=10)) >= 1


def test_migration_from_an_older_version_keeps_data(db: Path) -> None:
    with Store(db, migrations=MIGRATIONS[:1]) as old:
        assert old.schema_version == 1
        old.write(full_doc())
    second = "CREATE TABLE notes (doc_id TEXT, note TEXT);\nALTER TABLE documents ADD COLUMN note TEXT;"
    with Store(db, migrations=[*MIGRATIONS[:1], second]) as new:
        assert new.schema_version == 2
        assert new.load(full_doc().doc_id) == full_doc()
        new.connection().execute("SELECT doc_id, note FROM notes").fetchall()
        assert new.connection().execute("SELECT note FROM documents").fetchone() == (None,)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()


def test_failed_migration_rolls_back_to_the_last_good_version(db: Path) -> None:
    Store(db, migrations=MIGRATIONS[:1]).close()
    broken = "CREATE TABLE half_done (x);\nSELECT * FROM no_such_table;"
    with pytest.raises(StoreError, match="version 2 failed") as caught:
        Store(db, migrations=[*MIGRATIONS[:1], broken])
    assert str(db) in str(caught.value)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "half_done" not in tables
    conn.close()


@pytest.mark.parametrize("readonly", [False, True])
def test_schema_too_new_names_both_versions(db: Path, readonly: bool) -> None:
    Store(db).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 7}")
    conn.close()
    with pytest.raises(SchemaTooNewError) as caught:
        Store(db, readonly=readonly)
    message = str(caught.value)
    assert str(SCHEMA_VERSION + 7) in message and f"up to {SCHEMA_VERSION}" in message
    assert "upgrade dyadwatch" in message.lower()
    assert isinstance(caught.value, StoreError)


def test_missing_directory_is_a_clear_store_error(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "dir" / "x.db"
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert str(path) in str(caught.value) and "does not exist" in str(caught.value)
    assert not path.parent.exists()


def test_directory_as_database_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        Store(tmp_path)


def test_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    garbage = b"these are plain notes, certainly not a database file\n" * 40
    path.write_bytes(garbage)
    for readonly in (False, True):
        with pytest.raises(StoreError, match="not a SQLite database") as caught:
            Store(path, readonly=readonly)
        assert str(path) in str(caught.value)
    assert path.read_bytes() == garbage


def test_someone_elses_sqlite_database_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE people (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a dyadwatch one"):
        Store(path)
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["people"]
    conn.close()


def test_readonly_needs_an_existing_dyadwatch_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store(tmp_path / "absent.db", readonly=True)
    assert not (tmp_path / "absent.db").exists()
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(StoreError, match="no dyadwatch data"):
        Store(empty, readonly=True)


def test_readonly_store_reads_but_cannot_write(db: Path) -> None:
    with Store(db) as writer:
        writer.write(full_doc())
    before = dump_tables(db)
    with Store(db, readonly=True) as reader:
        assert reader.counts()["documents"] == 1
        assert reader.load(full_doc().doc_id) == full_doc()
        with pytest.raises(StoreError, match="read-only"):
            reader.write(make_doc("b.txt", ["Another article."]))
        with pytest.raises(StoreError, match="read-only"):
            reader.record_failure(Failure("c.txt", "read", "unreadable"))
        with pytest.raises(StoreError, match="read-only"):
            reader.delete(full_doc().doc_id)
        # The connection itself refuses writes, not only the Store methods.
        with pytest.raises(sqlite3.OperationalError):
            reader.connection().execute("DELETE FROM documents")
    assert dump_tables(db) == before


def test_reader_sees_what_the_writer_commits_while_both_are_open(db: Path) -> None:
    with Store(db) as writer:
        writer.write(make_doc("a.txt", ["First article."]))
        with Store(db, readonly=True) as reader:
            assert reader.counts()["documents"] == 1
            writer.write(make_doc("b.txt", ["Second article."]))
            assert reader.counts()["documents"] == 2


def test_open_store_uses_env_then_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYADWATCH_DB", str(tmp_path / "env.db"))
    with open_store() as store:
        assert store.path == tmp_path / "env.db"
    monkeypatch.delenv("DYADWATCH_DB")
    monkeypatch.chdir(tmp_path)
    with open_store() as store:
        assert store.path == Path("dyadwatch.db")
    assert (tmp_path / "dyadwatch.db").exists()
    with open_store(tmp_path / "explicit.db", readonly=False) as store:
        assert store.path.name == "explicit.db"


# --- writing --------------------------------------------------------------------------------


def test_write_outcomes_and_has(store: Store) -> None:
    first = make_doc("a.txt", ["China and Kyrgyzstan held talks."])
    assert not store.has("a.txt")
    assert store.write(first) == "inserted"
    assert store.has("a.txt") and store.has("a.txt", first.content_hash)
    assert not store.has("a.txt", "0" * 64)
    assert store.write(first) == "unchanged"
    copy = make_doc("mirror/a.txt", ["China and Kyrgyzstan held talks."])
    assert store.write(copy) == "duplicate"
    changed = make_doc("a.txt", ["China and Kyrgyzstan signed a deal."])
    assert store.write(changed) == "replaced"
    assert store.has("a.txt", changed.content_hash) and not store.has("a.txt", first.content_hash)
    assert store.counts()["documents"] == 2 and store.counts()["sources"] == 2


def test_writing_the_same_document_twice_changes_no_row(store: Store, db: Path) -> None:
    doc = full_doc()
    store.write(doc)
    before = dump_tables(db)
    assert store.write(full_doc()) == "unchanged"
    assert dump_tables(db) == before


def test_duplicate_content_records_the_source_without_copying_rows(store: Store) -> None:
    store.write(full_doc("a.txt"))
    before = store.counts()
    assert store.write(full_doc("b.txt")) == "duplicate"
    after = store.counts()
    assert after["sources"] == before["sources"] + 1
    assert {k: v for k, v in after.items() if k != "sources"} == {
        k: v for k, v in before.items() if k != "sources"
    }
    document = store.document(full_doc().doc_id)
    assert [s["source"] for s in document["sources"]] == ["a.txt", "b.txt"]
    assert document["source"] == "a.txt"


def test_replacing_removes_every_old_row(store: Store) -> None:
    old = full_doc("a.txt")
    store.write(old)
    new = make_doc("a.txt", ["Completely different words about weather."])
    assert store.write(new) == "replaced"
    counts = store.counts()
    assert counts["documents"] == 1 and counts["events"] == 0 and counts["event_clusters"] == 0
    assert counts["entities"] == 0 and counts["facts"] == 0 and counts["mentions"] == 0
    assert store.search("Japarov") == [] and len(store.search("weather")) == 1
    with pytest.raises(NotFound):
        store.load(old.doc_id)
    conn = store.connection()
    conn.execute("INSERT INTO sentences_fts(sentences_fts) VALUES ('integrity-check')")


def test_replacing_a_source_keeps_content_other_sources_hold(store: Store) -> None:
    store.write(full_doc("a.txt"))
    store.write(full_doc("b.txt"))
    assert store.write(make_doc("a.txt", ["Now something else."])) == "replaced"
    kept = store.document(full_doc().doc_id)
    assert kept["source"] == "b.txt"
    assert [s["source"] for s in kept["sources"]] == ["b.txt"]
    assert store.load(full_doc().doc_id).events == full_doc().events


def test_delete_removes_the_document_and_what_it_contributed(store: Store) -> None:
    doc = full_doc()
    store.write(doc)
    store.write(make_doc("other.txt", ["Unrelated text."]))
    store.delete(doc.doc_id)
    counts = store.counts()
    assert counts["documents"] == 1 and counts["sources"] == 1
    assert counts["entities"] == counts["events"] == counts["event_clusters"] == 0
    assert not store.has(doc.source)
    with pytest.raises(NotFound):
        store.delete(doc.doc_id)


@pytest.mark.parametrize("where", ["text", "mention"])
def test_write_failure_is_a_store_error_and_stores_nothing(store: Store, where: str) -> None:
    # A lone surrogate cannot be encoded as UTF-8: in the text it breaks the content hash,
    # in a mention it breaks the insert half-way through the document's transaction.
    sentence = "A lone surrogate \udc80 here." if where == "text" else "Plain words here."
    bad = make_doc("bad.txt", [sentence])
    bad.mentions = [Mention(0, 5, "A \udc80", "PERSON", "person:unk:bad")]
    with pytest.raises(StoreError, match="bad.txt"):
        store.write(bad)
    assert store.counts() == {name: 0 for name in store.counts()}
    assert not store.has("bad.txt")
    assert store.write(make_doc("good.txt", ["Fine."])) == "inserted"


def test_rows_prepared_elsewhere_are_written_as_the_document_would_be(tmp_path: Path) -> None:
    # What a worker process does: prepare the rows, hand them to the one writer.
    doc = make_doc("a.txt", ["Kazakhstan hosted Kyrgyzstan in Astana."], published="2024-03-05")
    add_event(doc, 0, "CONSULT", "KAZ", "KGZ", "2024-03-04")
    copy = make_doc("b.txt", ["Kazakhstan hosted Kyrgyzstan in Astana."], published="2024-03-05")
    other = make_doc("c.txt", ["Uzbek officials visited Dushanbe."])
    add_event(other, 0, "CONSULT", "UZB", "TJK", "2024-03-05")
    with Store(tmp_path / "doc.db") as by_doc, Store(tmp_path / "rows.db") as by_rows:
        steps = [(doc, False), (doc, False), (copy, False), (other, False), (doc, True)]
        assert [by_doc.write(d, force=f) for d, f in steps] == [
            by_rows.write_rows(prepare(d), force=f) for d, f in steps] == [
            "inserted", "unchanged", "duplicate", "inserted", "replaced"]
        assert by_rows.counts() == by_doc.counts()
        assert by_rows.load(doc.doc_id) == by_doc.load(doc.doc_id) == doc
        assert by_rows.events() == by_doc.events()
    bad = make_doc("bad.txt", ["A lone surrogate \udc80 here."])
    with pytest.raises(StoreError, match="bad.txt.*not valid Unicode"):
        prepare(bad)


def test_failures_are_recorded_once_per_run(store: Store) -> None:
    failure = Failure("feed.jsonl", "decode", "invalid JSON", line=7)
    store.record_failure(failure, run_id="r1")
    store.record_failure(failure, run_id="r1")
    store.record_failure(failure, run_id="r2")
    store.record_failure(Failure("x.html", "read", "permission denied"))
    store.record_failure(Failure("x.html", "read", "permission denied"))
    assert store.counts()["failures"] == 3
    rows = store.failures("r1")
    assert [(r["source"], r["line"], r["stage"], r["reason"]) for r in rows] == [
        ("feed.jsonl", 7, "decode", "invalid JSON")
    ]
    assert {r["run_id"] for r in store.failures()} == {"r1", "r2", None}


def test_runs_are_recorded(store: Store) -> None:
    run_id = store.begin_run(["dyadwatch", "run", "in/"])
    store.finish_run(run_id, {"inserted": 3, "failed": 1})
    (run,) = store.runs()
    assert run["run_id"] == run_id and run["argv"] == ["dyadwatch", "run", "in/"]
    assert run["counts"] == {"inserted": 3, "failed": 1} and run["finished"] is not None
    with pytest.raises(NotFound):
        store.finish_run("no-such-run", {})


# --- loading --------------------------------------------------------------------------------


def test_load_gives_back_the_document_with_offsets(store: Store) -> None:
    doc = full_doc()
    store.write(doc)
    loaded = store.load(doc.doc_id)
    assert loaded == doc
    assert loaded.offsets == doc.offsets and loaded.layers == doc.layers
    assert list(loaded.layers) == ["sentences", "timex", "boilerplate"]
    for start, end in [(0, 10), (41, 45), (69, 80)]:
        assert loaded.raw_span(start, end) == doc.raw_span(start, end)
        raw_start, raw_end = loaded.raw_span(start, end)
        assert loaded.raw[raw_start:raw_end] == doc.text[start:end]


def test_unknown_document_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound) as caught:
        store.load("feedfacefeedface")
    assert isinstance(caught.value, KeyError) and isinstance(caught.value, DyadwatchError)
    assert "feedfacefeedface" in str(caught.value)
    with pytest.raises(NotFound):
        store.document("feedfacefeedface")
    with pytest.raises(NotFound):
        store.sentences("feedfacefeedface")


# --- entities across documents --------------------------------------------------------------


def _person_doc(source: str, sentence: str, alias: str, **entity: object) -> Document:
    doc = make_doc(source, [sentence])
    doc.entities = [Entity("person:xi_jinping", "Xi Jinping", "PERSON", aliases=[alias],
                           evidence=[{"rule": "alias", "alias": alias}], **entity)]
    doc.mentions = [Mention(0, len(alias), alias, "PERSON", "person:xi_jinping")]
    return doc


def test_entities_merge_aliases_and_counts_across_documents(store: Store) -> None:
    store.write(_person_doc("1.txt", "Xi spoke on Monday.", "Xi"))
    store.write(_person_doc("2.txt", "President Xi spoke again.", "President Xi", country="CHN"))
    entity = store.entity("person:xi_jinping")
    assert entity["n_documents"] == 2 and entity["n_mentions"] == 2
    assert {a["alias"] for a in entity["aliases"]} == {"Xi", "President Xi"}
    assert entity["country"] == "CHN"  # filled in by the second document
    assert {e["evidence"]["alias"] for e in entity["evidence"]} == {"Xi", "President Xi"}
    assert store.entity("PRESIDENT XI")["id"] == "person:xi_jinping"
    assert store.entity("xi jinping")["id"] == "person:xi_jinping"
    store.delete(_person_doc("2.txt", "President Xi spoke again.", "President Xi").doc_id)
    entity = store.entity("person:xi_jinping")
    assert entity["n_documents"] == 1 and entity["country"] is None
    assert [a["alias"] for a in entity["aliases"]] == ["Xi"]
    store.delete(_person_doc("1.txt", "Xi spoke on Monday.", "Xi").doc_id)
    with pytest.raises(NotFound):
        store.entity("person:xi_jinping")


def test_mention_only_entities_exist_and_yield_to_a_named_record(store: Store) -> None:
    first = make_doc("1.txt", ["He spoke."])
    first.mentions = [Mention(0, 2, "He", "PRONOUN", "person:unk:abc", resolved_by="pronoun")]
    store.write(first)
    assert store.entity("person:unk:abc")["name"] == "He"
    second = make_doc("2.txt", ["Mr Abc spoke."])
    second.entities = [Entity("person:unk:abc", "Mr Abc", "PERSON")]
    store.write(second)
    assert store.entity("person:unk:abc")["name"] == "Mr Abc"
    assert store.entity("person:unk:abc")["type"] == "PERSON"


def test_write_event_helper_builds_stored_clusters(store: Store) -> None:
    doc = make_doc("e.txt", ["China and Kyrgyzstan held talks."], outlet="A")
    add_event(doc, 0, "CONSULT", "CHN", "KGZ", "2025-02-05")
    store.write(doc)
    (cluster,) = store.events()
    assert cluster["evidence"][0]["text"] == "China and Kyrgyzstan held talks."


def test_force_rewrites_the_records_of_stored_content(store: Store) -> None:
    store.write(full_doc("a.txt"))
    store.write(full_doc("b.txt"))
    improved = full_doc("b.txt")
    improved.events = improved.events[:1]
    improved.stages.append("events@2")
    assert store.write(improved) == "unchanged"
    assert store.write(improved, force=True) == "replaced"
    loaded = store.load(improved.doc_id)
    assert loaded.events == improved.events and loaded.stages == improved.stages
    assert loaded.source == "a.txt"  # the first source stays the document's source
    assert [s["source"] for s in store.document(improved.doc_id)["sources"]] == ["a.txt", "b.txt"]
    assert store.counts()["events"] == 1 and store.counts()["event_clusters"] == 1


def test_public_api_is_pinned() -> None:
    import dyadwatch.store as package

    assert sorted(package.__all__) == sorted([
        "Store", "open_store", "export", "NotFound", "DEFAULT_DB", "EXPORT_FORMATS",
        "EXPORT_TABLES", "MIGRATIONS", "SCHEMA_VERSION", "to_rows", "from_rows", "prepare",
    ])
    assert all(hasattr(package, name) for name in package.__all__)
