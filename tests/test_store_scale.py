"""The store's indexes for large stores (migrations 2 and 3), the entity page's two plans
and the event list of one country."""

from __future__ import annotations

from pathlib import Path

import pytest

from dyadwatch.document import Document, Entity, Mention
from dyadwatch.store import MIGRATIONS, Store
from store_docs import add_event, make_doc

# Our own sentences: (source, published, sentences, entity ids named)
CORPUS = [
    ("a.txt", "2021-03-01", ["Kazakhstan hosted the talks.", "The envoy spoke."], ["country:KAZ"]),
    ("b.txt", "2023-07-15", ["Kazakhstan and Uzbekistan met.", "Trade grew."],
     ["country:KAZ", "country:UZB"]),
    ("c.txt", None, ["Uzbekistan sent a delegation.", "Nothing else."], ["country:UZB"]),
    ("d.txt", "2024-01-09", ["Kazakhstan protested.", "The note was delivered."],
     ["country:KAZ"]),
    ("e.txt", "2022-11-30", ["A quiet day in Astana.", "No one spoke."], []),
]


def _doc(source: str, published: str | None, sentences: list[str], named: list[str]) -> Document:
    doc = make_doc(source, sentences, published=published)
    for entity_id in named:
        name = {"country:KAZ": "Kazakhstan", "country:UZB": "Uzbekistan"}[entity_id]
        start = doc.text.index(name)
        doc.mentions.append(Mention(start, start + len(name), name, "COUNTRY", entity_id,
                                    entity_id[-3:], sentence=0))
        doc.entities.append(Entity(entity_id, name, "COUNTRY", entity_id[-3:]))
    if len(named) == 2:
        add_event(doc, 0, "CONSULT", "KAZ", "UZB", published)
    return doc


def _fill(path: Path, migrations: tuple[str, ...] = MIGRATIONS) -> None:
    with Store(path, migrations=migrations) as store:
        for row in CORPUS:
            store.write(_doc(*row))


@pytest.mark.parametrize("limit", [1, 2, 3, 100])
def test_entity_documents_are_the_newest_whatever_the_plan(tmp_path: Path, limit: int) -> None:
    # For KAZ (in 3 of 5 documents) limit 1 takes the newest-first walk (3 * 3 > 1 * 5);
    # the others collect and sort. Both give the newest documents first, undated last.
    _fill(tmp_path / "s.db")
    with Store(tmp_path / "s.db", readonly=True) as store:
        kaz = store.entity("country:KAZ", limit=limit)["documents"]
        uzb = store.entity("country:UZB", limit=limit)["documents"]
    assert [d["source"] for d in kaz] == ["d.txt", "b.txt", "a.txt"][:limit]
    assert [d["source"] for d in uzb] == ["b.txt", "c.txt"][:limit]
    assert all(d["n_mentions"] == 1 for d in kaz + uzb)


def test_an_old_store_migrates_and_answers_the_same(tmp_path: Path) -> None:
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    _fill(old, migrations=MIGRATIONS[:1])
    _fill(new)
    with Store(old, readonly=True, migrations=MIGRATIONS[:1]) as store:
        before = (store.entity("country:KAZ"), store.timeline("KAZ", "UZB"), store.counts())
    Store(old).close()  # a writable open applies the new migrations
    with Store(old, readonly=True) as store, Store(new, readonly=True) as fresh:
        assert store.schema_version == len(MIGRATIONS)
        after = (store.entity("country:KAZ"), store.timeline("KAZ", "UZB"), store.counts())
        assert after == before
        assert fresh.entity("country:KAZ")["documents"] == after[0]["documents"]
        indexes = {row[0] for row in store.connection().execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"idx_clusters_timeline", "idx_mentions_entity_text",
            "idx_document_entities_entity_doc"} <= indexes
    assert "idx_clusters_pair" not in indexes
    assert {"idx_clusters_a_recent", "idx_clusters_b_recent"} <= indexes
    assert "idx_clusters_key_b" not in indexes  # a prefix of idx_clusters_b_recent


# --- the event list of one country (migration 3) ---------------------------------------------

COUNTRIES = ["CHN", "KAZ", "KGZ", "RUS", "UZB"]
DATES = [None, "2019", "2021-06", "2023-02-14", "2024-01", "2024-01-09", "2024-11-30", "2025"]


def _events_store(path: Path) -> None:
    import random

    rng = random.Random(4)
    with Store(path) as store:
        for number in range(60):
            doc = make_doc(f"ev-{number}.txt", [f"Report {number} on the talks.", "More."],
                           published=f"2024-0{1 + number % 9}-1{number % 10}")
            for _ in range(rng.randint(1, 4)):
                source = rng.choice(COUNTRIES)
                target = rng.choice(COUNTRIES)  # now and then a country with itself
                add_event(doc, 0, rng.choice(["CONSULT", "COOPERATE", "PROTEST"]), source,
                          target, rng.choice(DATES), mode=rng.choice(["", "", "intend"]))
            store.write(doc)


def _either_side(conn, country: str, filters: dict, limit: int, offset: int) -> list[int]:
    """The plain query: both sides in one OR, every match sorted (the reference)."""
    from dyadwatch.store import queries

    clauses, params = queries._event_clauses(between=None, country=country, type=None,
                                             **filters)
    sql = (f"SELECT c.id FROM event_clusters c{queries._where(clauses)}"
           " ORDER BY c.date_lo DESC, c.id DESC LIMIT ? OFFSET ?")
    return [row[0] for row in conn.execute(sql, [*params, limit, offset])]


@pytest.mark.parametrize("filters", [
    {}, {"since": "2024-01"}, {"until": "2022"}, {"mode": ""}, {"min_sources": 2},
    {"source": "KAZ"}, {"since": "2021", "until": "2024-06", "mode": None},
], ids=str)
@pytest.mark.parametrize(("limit", "offset"), [(100, 0), (5, 0), (5, 7), (3, 40)])
def test_one_countrys_events_read_side_by_side_are_the_plain_querys(
        tmp_path: Path, filters: dict, limit: int, offset: int) -> None:
    _events_store(tmp_path / "e.db")
    with Store(tmp_path / "e.db", readonly=True) as store:
        conn = store.connection()
        assert conn.execute("SELECT COUNT(*) FROM event_clusters WHERE key_a = key_b"
                            ).fetchone()[0] > 0  # the both-sides case is there
        for country in COUNTRIES:
            full = {"source": None, "since": None, "until": None, "mode": None,
                    "min_sources": 1, **filters}
            expected = _either_side(conn, country, full, limit, offset)
            got = store.events(country=country, limit=limit, offset=offset, **filters)
            assert [row["cluster_id"] for row in got] == expected, country
            assert all(country in row["pair"] for row in got)
        # the pages of a country add up to its whole list, with no cluster twice
        pages = [row["cluster_id"] for start in range(0, 200, 7)
                 for row in store.events(country="KAZ", limit=7, offset=start)]
        assert pages == _either_side(conn, "KAZ", {"source": None, "since": None,
                                                   "until": None, "mode": None,
                                                   "min_sources": 1}, 1000, 0)
        assert len(pages) == len(set(pages)) > 20


def test_one_countrys_events_are_read_from_each_sides_index(tmp_path: Path) -> None:
    _events_store(tmp_path / "e.db")
    with Store(tmp_path / "e.db", readonly=True) as store:
        conn = store.connection()
        seen: list[str] = []
        conn.set_trace_callback(seen.append)
        store.events(country="KAZ", since="2024-01")
        conn.set_trace_callback(None)
        sql = next(statement for statement in seen if "UNION ALL" in statement)
        plan = " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
    assert "INDEX idx_clusters_a_recent (key_a=?)" in plan, plan
    assert "INDEX idx_clusters_b_recent (key_b=?)" in plan, plan
