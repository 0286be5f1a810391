"""Round trips on generated documents: Document -> rows -> Document, and through SQLite."""

from __future__ import annotations

import tempfile
from array import array
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dyadwatch.document import (
    Actor,
    Document,
    Entity,
    Event,
    Fact,
    Mention,
    Meta,
    Milestone,
    ProjectRecord,
    Relation,
    Span,
)
from dyadwatch.store import Store, from_rows, to_rows
from dyadwatch.store.rows import decode_offsets, encode_offsets
from store_docs import dump_tables

# Text SQLite can hold: any code point except lone surrogates.
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
maybe = st.none() | names
# A small pool, so that records and mentions of one document share ids (and "" is one).
entity_ids = st.sampled_from(["person:xi_jinping", "country:KGZ", "person:unk:a1", ""])
ids = st.none() | entity_ids
ints = st.integers(min_value=-1, max_value=10_000)
floats = st.floats(allow_nan=False, allow_infinity=False, width=64)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | floats | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=8,
)
json_dicts = st.dictionaries(names, json_values, max_size=3)
dates = st.none() | st.sampled_from(
    ["2025", "2025-02", "2025-02-05", "2025-02-04/2025-02-06", "2025-02-30", "soon", ""]
)
codes = st.none() | st.sampled_from(["CHN", "KGZ", "UZB", "SCO", "USA"])

spans = st.builds(Span, ints, ints, texts, texts, floats, json_dicts)
metas = st.builds(
    Meta, maybe, dates, maybe, maybe, maybe, maybe, maybe, names, maybe, maybe,
    st.dictionaries(names, st.lists(ints, max_size=2), max_size=2),
)
mentions = st.builds(
    Mention, ints, ints, texts, names, ids, codes, maybe, maybe, ints, texts, floats, maybe
)
entities = st.builds(
    Entity, entity_ids, names, names, codes, maybe, maybe, maybe,
    st.lists(texts, max_size=3), st.lists(json_dicts, max_size=2),
    st.lists(json_dicts, max_size=2),
)
actors = st.none() | st.builds(Actor, texts, ints, ints, maybe, codes, maybe, maybe)
events = st.builds(
    Event, st.sampled_from(["CONSULT", "AGREE", "AID"]), names, actors, actors, ints, ints,
    texts, ints, ints, st.sampled_from(["", "intend", "negated"]), st.booleans(), dates, maybe,
    maybe, maybe, st.none() | floats, st.none() | st.integers(1, 4), ints, floats, texts, texts,
)
facts = st.builds(
    Fact, names, st.none() | floats, maybe, ints, ints, st.lists(names, max_size=3), maybe,
    maybe, texts, st.none() | floats, maybe, maybe, maybe, json_dicts, ints, floats, texts,
)
relations = st.builds(
    Relation, st.lists(names, max_size=3), names, ints, ints, ints, dates, dates, ints, floats,
    texts,
)
milestones = st.builds(Milestone, names, dates, ints, ints)
projects = st.builds(
    ProjectRecord, names, names, ints, ints, st.lists(names, max_size=3), maybe,
    st.lists(texts, max_size=2), st.lists(milestones, max_size=3), st.lists(names, max_size=2),
    ints, floats, texts,
)
layer_names = st.sampled_from(["sentences", "boilerplate", "header", "title", "timex", "tokens"])


@st.composite
def documents(draw: Any) -> Document:
    text = draw(texts)
    raw = draw(texts)
    offsets = array("l", draw(st.lists(st.integers(0, 2**31 - 1), max_size=40)))
    return Document(
        source=draw(names),
        raw=raw,
        text=text,
        offsets=offsets,
        encoding=draw(maybe),
        meta=draw(metas),
        layers=draw(st.dictionaries(layer_names, st.lists(spans, max_size=3), max_size=4)),
        mentions=draw(st.lists(mentions, max_size=3)),
        entities=draw(st.lists(entities, max_size=3)),
        events=draw(st.lists(events, max_size=4)),
        facts=draw(st.lists(facts, max_size=2)),
        relations=draw(st.lists(relations, max_size=2)),
        projects=draw(st.lists(projects, max_size=2)),
        stages=draw(st.lists(names, max_size=3)),
        problems=draw(st.lists(texts, max_size=2)),
    )


@given(documents())
@settings(max_examples=150, deadline=None)
def test_rows_map_back_to_the_same_document(doc: Document) -> None:
    assert from_rows(to_rows(doc)) == doc


@given(st.lists(st.integers(0, 2**31 - 1), max_size=200))
def test_offsets_blob_round_trips(values: list[int]) -> None:
    offsets = array("l", values)
    assert decode_offsets(encode_offsets(offsets)) == offsets


@given(documents())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_documents_survive_sqlite_and_a_second_write_changes_nothing(doc: Document) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "round.db"
        with Store(path) as store:
            assert store.write(doc) == "inserted"
            loaded = store.load(doc.doc_id)
            assert loaded == doc
            assert loaded.offsets == doc.offsets
            before = dump_tables(path)
            assert store.write(doc) == "unchanged"
            assert dump_tables(path) == before
            store.delete(doc.doc_id)
            emptied = store.counts()
            assert emptied == {name: 0 for name in emptied}


def _check_counters(conn: Any) -> None:
    """Incrementally kept counters equal a recount from scratch."""
    recount = conn.execute(
        "SELECT e.id, e.n_mentions, e.n_documents,"
        " (SELECT COUNT(*) FROM mentions m WHERE m.entity_id = e.id),"
        " (SELECT COUNT(*) FROM (SELECT doc_id FROM mentions WHERE entity_id = e.id"
        "  UNION SELECT doc_id FROM document_entities WHERE entity_id = e.id))"
        " FROM entities e"
    ).fetchall()
    for entity_id, n_mentions, n_documents, mentions, documents in recount:
        assert (n_mentions, n_documents) == (mentions, documents), entity_id
        assert n_documents > 0, entity_id
    clusters = conn.execute(
        "SELECT c.id, c.n_evidence, c.n_sources, c.date_lo, c.date_hi, COUNT(e.id),"
        " COUNT(DISTINCT e.doc_id), MAX(e.date_lo), MIN(e.date_hi)"
        " FROM event_clusters c LEFT JOIN events e ON e.cluster_id = c.id GROUP BY c.id"
    ).fetchall()
    for cluster_id, *kept, evidence, sources, lo, hi in clusters:
        assert kept == [evidence, sources, lo, hi] and evidence > 0, cluster_id
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


@given(st.lists(documents(), min_size=1, max_size=5), st.randoms(use_true_random=False))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_counters_and_clusters_survive_writes_and_deletes(docs: list[Document], rng: Any) -> None:
    with tempfile.TemporaryDirectory() as directory, Store(Path(directory) / "c.db") as store:
        for doc in docs:
            store.write(doc)
        _check_counters(store.connection())
        stored = [row["doc_id"] for row in store.documents(limit=100)]
        rng.shuffle(stored)
        for doc_id in stored:
            store.delete(doc_id)
            _check_counters(store.connection())
        emptied = store.counts()
        assert emptied == {name: 0 for name in emptied}
