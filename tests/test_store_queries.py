"""Every store query, with its filters, on a small hand-written corpus in a real SQLite file."""

from __future__ import annotations

import pytest

from dyadwatch.document import Document, Entity, Fact, Mention, Milestone, ProjectRecord, Relation
from dyadwatch.errors import UsageError
from dyadwatch.store import NotFound, Store
from dyadwatch.store.queries import PLOVER_TYPES, fts_query
from store_docs import add_event, make_doc


def _mention(doc: Document, text: str, type_: str, entity_id: str, country: str | None) -> Mention:
    start = doc.text.index(text)
    mention = Mention(start, start + len(text), text, type_, entity_id, country,
                      sentence=doc.sentence_of(start))
    doc.mentions.append(mention)
    return mention


def _span(doc: Document, sentence: int) -> tuple[int, int]:
    span = doc.layer("sentences")[sentence]
    return span.start, span.end


def talks_doc() -> Document:
    doc = make_doc(
        "news/talks.txt",
        ["Xi Jinping held talks with Sadyr Japarov in Beijing.",
         "The two sides signed agreements on the railway.",
         "Bilateral trade reached 22.7 billion dollars in 2024."],
        published="2025-02-06", outlet="Xinhua", title="Xi meets Japarov",
    )
    doc.meta.kind = "news"
    doc.entities = [
        Entity("person:xi_jinping", "Xi Jinping", "PERSON", "CHN",
               roles=[{"role": "head_of_state", "country": "CHN"}]),
        Entity("person:sadyr_japarov", "Sadyr Japarov", "PERSON", "KGZ", aliases=["Zhaparov"]),
        Entity("place:beijing", "Beijing", "LOCATION", "CHN"),
    ]
    _mention(doc, "Xi Jinping", "PERSON", "person:xi_jinping", "CHN").role = "head_of_state"
    _mention(doc, "Sadyr Japarov", "PERSON", "person:sadyr_japarov", "KGZ")
    _mention(doc, "Beijing", "LOCATION", "place:beijing", "CHN")
    add_event(doc, 0, "CONSULT", "CHN", "KGZ", "2025-02-05", goldstein=1.0,
              source_entity="person:xi_jinping", target_entity="person:sadyr_japarov")
    add_event(doc, 1, "AGREE", "CHN", "KGZ", "2025-02-05", cameo="057", goldstein=3.0)
    doc.facts = [Fact("trade_value", 22.7e9, "USD", *_span(doc, 2), ["CHN", "KGZ"], "2024",
                      "USD", "22.7 billion dollars", sentence=2)]
    doc.relations = [Relation(["CHN", "KGZ"], "comprehensive strategic partnership", 4,
                              *_span(doc, 0), since="2023", sentence=0)]
    doc.projects = [ProjectRecord("project:cku_railway", "China-Kyrgyzstan-Uzbekistan railway",
                                  *_span(doc, 1), ["CHN", "KGZ"], "transport", ["the railway"],
                                  [Milestone("agreed", "2025-02-05", *_span(doc, 1))])]
    return doc


def follow_up_doc() -> Document:
    doc = make_doc(
        "news/follow-up.txt",
        ["Kyrgyzstan and China discussed the railway again.",
         "Uzbekistan criticised the delay.",
         "Trade with Uzbekistan grew in the first quarter."],
        published="2025-03-10", outlet="Kabar", title="Railway talks",
    )
    doc.meta.kind = "news"
    doc.entities = [Entity("country:UZB", "Uzbekistan", "COUNTRY", "UZB")]
    _mention(doc, "Uzbekistan", "COUNTRY", "country:UZB", "UZB")
    _mention(doc, "Kyrgyzstan", "COUNTRY", "country:KGZ", "KGZ")
    add_event(doc, 0, "CONSULT", "KGZ", "CHN", "2025-02")
    add_event(doc, 1, "ACCUSE", "UZB", "KGZ", "2025-03-09", cameo="112", goldstein=-2.0)
    add_event(doc, 2, "CONSULT", "CHN", "UZB", "2025-03", mode="intend")
    doc.facts = [Fact("trade_value", 3e9, "USD", *_span(doc, 2), ["UZB", "CHN"], "2025-Q1",
                      sentence=2)]
    doc.relations = [Relation(["KGZ", "CHN"], "strategic partnership", 3, *_span(doc, 0),
                              sentence=0)]
    doc.projects = [ProjectRecord("project:cku_railway", "CKU railway", *_span(doc, 0),
                                  ["CHN", "KGZ", "UZB"], None, ["the railway"],
                                  [Milestone("construction started", "2025-03", *_span(doc, 0)),
                                   Milestone("proposed", None, *_span(doc, 0))])]
    return doc


def old_doc() -> Document:
    doc = make_doc("blog/old.txt", ["In 2019 China pledged aid to Kyrgyzstan."])
    doc.meta.kind = "opinion"
    add_event(doc, 0, "AID", "CHN", "KGZ", "2019", cameo="070", goldstein=7.4)
    doc.relations = [Relation(["CHN", "KGZ"], "good-neighbourly relations", 1, *_span(doc, 0),
                              since="2018", sentence=0)]
    return doc


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("queries") / "corpus.db"
    with Store(path) as writer:
        for doc in (talks_doc(), follow_up_doc(), old_doc()):
            assert writer.write(doc) == "inserted"
        writer.record_failure(__import__("dyadwatch").Failure("bad.html", "read", "unreadable"),
                              run_id="run-1")
    with Store(path, readonly=True) as reader:  # queries are what the web server runs
        yield reader


# --- documents ------------------------------------------------------------------------------


def test_documents_newest_first_with_counts(store: Store) -> None:
    rows = store.documents()
    assert [r["source"] for r in rows] == ["news/follow-up.txt", "news/talks.txt", "blog/old.txt"]
    talks = rows[1]
    assert (talks["n_sentences"], talks["n_events"], talks["n_mentions"]) == (3, 2, 3)
    assert (talks["n_facts"], talks["n_relations"], talks["n_projects"], talks["n_sources"]) == (
        1, 1, 1, 1)
    assert [r["source"] for r in store.documents(limit=1, offset=1)] == ["news/talks.txt"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"outlet": "Kabar"}, ["news/follow-up.txt"]),
        ({"kind": "opinion"}, ["blog/old.txt"]),
        ({"since": "2025-03"}, ["news/follow-up.txt"]),
        ({"until": "2025-02"}, ["news/talks.txt"]),
    ],
)
def test_document_filters(store: Store, filters: dict, expected: list[str]) -> None:
    assert [r["source"] for r in store.documents(**filters)] == expected


def test_document_and_sentences(store: Store) -> None:
    doc = talks_doc()
    document = store.document(doc.doc_id)
    assert document["title"] == "Xi meets Japarov" and document["meta"]["outlet"] == "Xinhua"
    assert document["text"] == doc.text and document["stages"] == ["test@1"]
    assert [s["source"] for s in document["sources"]] == ["news/talks.txt"]
    sentences = store.sentences(doc.doc_id)
    assert [s["text"] for s in sentences] == [doc.text[s.start : s.end] for s in doc.layer("sentences")]
    assert [s["sentence"] for s in sentences] == [0, 1, 2]


# --- entities -------------------------------------------------------------------------------


def test_entities_ranked_and_filtered(store: Store) -> None:
    everyone = store.entities()
    assert everyone[0]["n_mentions"] >= everyone[-1]["n_mentions"]
    kyrgyzstan = next(e for e in everyone if e["id"] == "country:KGZ")
    assert (kyrgyzstan["n_mentions"], kyrgyzstan["n_documents"]) == (1, 1)
    assert {e["id"] for e in store.entities(type="person")} == {
        "person:xi_jinping", "person:sadyr_japarov"}
    assert {e["id"] for e in store.entities(country="chn")} == {
        "person:xi_jinping", "place:beijing"}
    assert [e["id"] for e in store.entities(q="ZHAPAR")] == ["person:sadyr_japarov"]
    assert [e["id"] for e in store.entities(q="beij", type="LOCATION")] == ["place:beijing"]
    for wildcard in ("%", "\\", "*"):
        assert store.entities(q=wildcard) == []
    # "_" is a literal underscore, not LIKE's any-character: only ids that have one match.
    assert {e["id"] for e in store.entities(q="_")} == {"person:xi_jinping", "person:sadyr_japarov"}
    assert len(store.entities(limit=2)) == 2


def test_entity_by_id_name_or_alias(store: Store) -> None:
    japarov = store.entity("zhaparov")
    assert japarov["id"] == "person:sadyr_japarov"
    assert japarov["aliases"] == [{"alias": "Zhaparov", "n_documents": 1}]
    assert [d["source"] for d in japarov["documents"]] == ["news/talks.txt"]
    xi = store.entity("person:xi_jinping")
    assert xi == store.entity("  XI JINPING ")
    assert {"role": {"role": "head_of_state", "country": "CHN"}, "n_documents": 1} in xi["roles"]
    assert any(r["role"] == {"role": "head_of_state"} and r["n_mentions"] == 1 for r in xi["roles"])
    assert xi["mentions"][0]["text"] == "Xi Jinping"
    assert xi["surface_forms"] == [{"text": "Xi Jinping", "n_mentions": 1}]
    with pytest.raises(NotFound, match="nobody"):
        store.entity("nobody")


# --- events ---------------------------------------------------------------------------------


def _kinds(rows: list[dict]) -> list[tuple[str, str | None]]:
    return [(r["plover"], r["date"]) for r in rows]


def test_events_are_clusters_newest_first_with_evidence(store: Store) -> None:
    rows = store.events()
    # Ordered by the first day each cluster's date covers, latest first.
    assert _kinds(rows) == [
        ("ACCUSE", "2025-03-09"), ("CONSULT", "2025-03"), ("AGREE", "2025-02-05"),
        ("CONSULT", "2025-02-05"), ("AID", "2019"),
    ]
    consult = rows[3]
    assert (consult["n_evidence"], consult["n_sources"], consult["n_outlets"]) == (2, 2, 2)
    evidence = consult["evidence"]
    assert [e["doc_source"] for e in evidence] == ["news/talks.txt", "news/follow-up.txt"]
    assert evidence[0]["text"] == "Xi Jinping held talks with Sadyr Japarov in Beijing."
    assert (evidence[0]["sentence"], evidence[0]["source_entity"]) == (0, "person:xi_jinping")
    assert len(store.events(evidence_limit=1)[3]["evidence"]) == 1


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"between": ("KGZ", "CHN")}, [("AGREE", "2025-02-05"), ("CONSULT", "2025-02-05"),
                                       ("AID", "2019")]),
        ({"between": ["chn", "uzb"]}, [("CONSULT", "2025-03")]),
        ({"type": "consult"}, [("CONSULT", "2025-03"), ("CONSULT", "2025-02-05")]),
        ({"mode": ""}, [("ACCUSE", "2025-03-09"), ("AGREE", "2025-02-05"),
                        ("CONSULT", "2025-02-05"), ("AID", "2019")]),
        ({"mode": "intend"}, [("CONSULT", "2025-03")]),
        ({"since": "2025-03"}, [("ACCUSE", "2025-03-09"), ("CONSULT", "2025-03")]),
        ({"since": "2025-02-06", "until": "2025-03-09"}, [("ACCUSE", "2025-03-09"),
                                                          ("CONSULT", "2025-03")]),
        ({"since": "2025-03-10"}, [("CONSULT", "2025-03")]),
        ({"until": "2024"}, [("AID", "2019")]),
        ({"source": "UZB"}, [("ACCUSE", "2025-03-09")]),
        ({"source": "person:xi_jinping"}, [("CONSULT", "2025-02-05")]),
        ({"min_sources": 2}, [("CONSULT", "2025-02-05")]),
        ({"country": "uzb"}, [("ACCUSE", "2025-03-09"), ("CONSULT", "2025-03")]),
        ({"between": ("CHN", "KGZ"), "type": "AID", "until": "2020"}, [("AID", "2019")]),
        ({"limit": 2, "offset": 1}, [("CONSULT", "2025-03"), ("AGREE", "2025-02-05")]),
    ],
)
def test_event_filters(store: Store, filters: dict, expected: list) -> None:
    assert _kinds(store.events(**filters)) == expected


@pytest.mark.parametrize(
    "filters",
    [{"since": "last week"}, {"until": "2025-02-30"}, {"between": ("CHN",)},
     {"between": "CHNKGZ"}, {"limit": 0}, {"limit": 10**6}, {"offset": -1}],
)
def test_bad_event_filters_are_usage_errors(store: Store, filters: dict) -> None:
    with pytest.raises(UsageError):
        store.events(**filters)


def test_timeline_per_month(store: Store) -> None:
    rows = store.timeline("KGZ", "CHN")
    assert [r["period"] for r in rows] == ["2019", "2025-02"]
    february = rows[1]
    assert february["n_events"] == 2 and set(february["counts"]) == set(PLOVER_TYPES)
    assert (february["counts"]["CONSULT"], february["counts"]["AGREE"]) == (1, 1)
    assert sum(february["counts"].values()) == 2
    assert february["goldstein_sum"] == pytest.approx(4.0)
    assert february["goldstein_mean"] == pytest.approx(2.0)
    assert rows[0]["counts"]["AID"] == 1 and rows[0]["goldstein_mean"] == pytest.approx(7.4)


def test_timeline_periods_modes_and_sources(store: Store) -> None:
    assert [r["period"] for r in store.timeline("CHN", "KGZ", by="year")] == ["2019", "2025"]
    assert [r["period"] for r in store.timeline("CHN", "KGZ", by="day")] == ["2019", "2025-02-05"]
    assert store.timeline("CHN", "UZB") == []  # only a stated intention
    (intended,) = store.timeline("CHN", "UZB", mode=None)
    assert intended["period"] == "2025-03" and intended["goldstein_mean"] is None
    (shared,) = store.timeline("CHN", "KGZ", min_sources=2)
    assert shared["counts"]["CONSULT"] == 1 and shared["n_events"] == 1
    with pytest.raises(UsageError, match="month"):
        store.timeline("CHN", "KGZ", by="fortnight")


# --- facts, relations, projects, failures ---------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "periods"),
    [
        ({}, ["2025-Q1", "2024"]),
        ({"indicator": "trade_value"}, ["2025-Q1", "2024"]),
        ({"indicator": "fdi_stock"}, []),
        ({"country": "kgz"}, ["2024"]),
        ({"between": ("UZB", "CHN")}, ["2025-Q1"]),
        ({"between": ("UZB", "KGZ")}, []),
        ({"period": "2025"}, ["2025-Q1"]),
        ({"period": "2024"}, ["2024"]),
        ({"period": "202"}, []),
        ({"doc_id": talks_doc().doc_id}, ["2024"]),
        ({"limit": 1, "offset": 1}, ["2024"]),
    ],
)
def test_fact_filters(store: Store, filters: dict, periods: list[str]) -> None:
    assert [f["period"] for f in store.facts(**filters)] == periods


def test_fact_rows_carry_evidence(store: Store) -> None:
    fact = store.facts(country="KGZ")[0]
    assert fact["countries"] == ["CHN", "KGZ"] and fact["value"] == pytest.approx(22.7e9)
    assert fact["text"] == fact["sentence_text"] == "Bilateral trade reached 22.7 billion dollars in 2024."
    assert fact["extra"] == {} and fact["doc_source"] == "news/talks.txt"


def test_relations_are_a_history(store: Store) -> None:
    history = store.relations("CHN", "KGZ")
    assert [(r["level"], r["date"], r["date_basis"]) for r in history] == [
        ("good-neighbourly relations", "2018", "since"),
        ("comprehensive strategic partnership", "2023", "since"),
        ("strategic partnership", "2025-03-10", "published"),
    ]
    assert history[0]["text"] == "In 2019 China pledged aid to Kyrgyzstan."
    assert store.relations("KGZ") == history and store.relations() == history
    assert store.relations("UZB") == [] and len(store.relations(limit=1)) == 1


def test_projects_merge_documents_and_order_milestones(store: Store) -> None:
    (project,) = store.projects()
    assert project["project_id"] == "project:cku_railway" and project["n_documents"] == 2
    assert project["name"] == "China-Kyrgyzstan-Uzbekistan railway"
    assert project["countries"] == ["CHN", "KGZ", "UZB"] and project["sector"] == "transport"
    assert [(m["status"], m["date"]) for m in project["milestones"]] == [
        ("agreed", "2025-02-05"), ("construction started", "2025-03"), ("proposed", None)]
    assert project["milestones"][0]["text"] == "The two sides signed agreements on the railway."
    assert store.projects(country="UZB")[0]["project_id"] == "project:cku_railway"
    assert store.projects(country="USA") == []


def test_failures_and_counts(store: Store) -> None:
    (failure,) = store.failures()
    assert (failure["source"], failure["stage"], failure["run_id"]) == ("bad.html", "read", "run-1")
    assert store.failures("run-2") == []
    assert store.counts() == {
        "documents": 3, "sentences": 7, "mentions": 5, "entities": 5, "events": 6,
        "event_clusters": 5, "facts": 2, "relations": 3, "projects": 2, "failures": 1,
        "sources": 3,
    }


# --- search ---------------------------------------------------------------------------------


def test_search_finds_sentences_best_first(store: Store) -> None:
    hits = store.search("railway")
    assert {h["text"] for h in hits} == {
        "The two sides signed agreements on the railway.",
        "Kyrgyzstan and China discussed the railway again.",
    }
    assert hits == store.search("RAILWAY")
    assert hits[0]["score"] >= hits[1]["score"]
    assert {h["text"] for h in store.search("kyrgyz*")} == {
        "Kyrgyzstan and China discussed the railway again.",
        "In 2019 China pledged aid to Kyrgyzstan."}
    assert store.search("kyrgyz") == []  # without the star, only whole words match
    assert [h["sentence"] for h in store.search('"railway again"')] == [0]
    assert len(store.search("Uzbekistan OR Beijing")) == 3
    assert len(store.search("railway", limit=1)) == 1


@pytest.mark.parametrize(
    "query",
    ['railway AND (', '"railway', 'railway"', '""', "'", "NEAR(railway delay)", "railway NEAR",
     "*", "rail* *", "text:railway", "railway -delay", "(((", "AND", "OR NOT", "^railway",
     "'; DROP TABLE documents; --", "railway' OR '1'='1", "\\", "%_%", "\x00", "  ", "",
     "{railway delay}", "railway + delay", "railway:"],
)
def test_search_is_safe_with_any_string(store: Store, query: str) -> None:
    hits = store.search(query)
    assert all(set(hit) >= {"doc_id", "sentence", "text"} for hit in hits)
    assert store.counts()["documents"] == 3


@pytest.mark.parametrize(
    ("query", "n_hits"),
    [("railway AND (", 2), ('"railway', 2), ('railway"', 2), ("rail* *", 2), ("^railway", 2),
     ("railway:", 2), ("(railway)", 2), ("railway NEAR", 0), ("(((", 0), ("", 0),
     ("'; DROP TABLE documents; --", 0), ("railway' OR '1'='1", 2)],
)
def test_search_reads_operators_as_words(store: Store, query: str, n_hits: int) -> None:
    hits = store.search(query)
    assert len(hits) == n_hits and all("railway" in hit["text"] for hit in hits)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("a AND (", '"a"'), ("x OR y", '"x" OR "y"'), ("NOT x", '"x"'), ('say "hi', '"say" """hi"'),
     ("pre*", '"pre"*'), ("*", None), ("a NEAR b", '"a" "NEAR" "b"')],
)
def test_fts_query_quotes_user_input(typed: str, expected: str | None) -> None:
    assert fts_query(typed) == expected
