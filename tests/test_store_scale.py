"""The store's indexes for large stores (migration 2) and the entity page's two plans."""

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
