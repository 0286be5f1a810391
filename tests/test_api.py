"""The workbench's JSON API and pages through FastAPI's TestClient, over a real SQLite store:
the seed articles and a hostile article run through the real pipeline, plus two hand-made
documents (our own sentences) that give a pair facts, partnership levels, a project and a
contradiction."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dyadwatch.document import Document, Fact, Milestone, ProjectRecord, Relation
from dyadwatch.errors import StoreError
from dyadwatch.store import Store
from dyadwatch.store.queries import PLOVER_TYPES
from dyadwatch.web import create_app
from store_docs import add_event, make_doc
from web_store import HOSTILE_TITLE, XSS_MARKERS, copy_store, seeded_store

PAIR = ("TJK", "TKM")  # the hand-made pair; the seeds never name it


def _at(doc: Document, text: str) -> tuple[int, int]:
    start = doc.text.index(text)
    return start, start + len(text)


def _first_hand_doc() -> Document:
    doc = make_doc("hand/tjk-tkm-1.txt", [
        "Tajikistan and Turkmenistan agreed on a new gas pipeline route.",
        "Trade between the two countries reached $1.5 billion in 2023.",
        "The two states have been strategic partners since 2017.",
        "Turkmenistan accused Tajikistan of delaying the pipeline works.",
        "Construction of the Pamir Gas Link started in May 2024.",
    ], published="2024-06-10", outlet="Test Wire", title="Pipeline deal")
    add_event(doc, 0, "AGREE", "TJK", "TKM", "2024-06-09", cameo="057", goldstein=5.0)
    add_event(doc, 3, "ACCUSE", "TKM", "TJK", "2024-06", cameo="112", goldstein=-2.0)
    start, end = _at(doc, "$1.5 billion")
    doc.facts.append(Fact("trade_value", 1.5e9, "USD", start, end, countries=list(PAIR),
                          period="2023", currency="USD", original="$1.5 billion", sentence=1,
                          provenance="test@1"))
    start, end = _at(doc, "strategic partners")
    doc.relations.append(Relation(list(PAIR), "strategic partnership", 3, start, end,
                                  since="2017", sentence=2, provenance="test@1"))
    start, end = _at(doc, "Pamir Gas Link")
    begun = _at(doc, "started")
    doc.projects.append(ProjectRecord(
        "project:pamir_gas_link", "Pamir Gas Link", start, end, countries=list(PAIR),
        sector="ENE", mentions=["Pamir Gas Link"],
        milestones=[Milestone("construction_started", "2024-05", *begun)], sentence=4,
        provenance="test@1"))
    return doc


def _second_hand_doc() -> Document:
    doc = make_doc("hand/tjk-tkm-2.txt", [
        "Bilateral trade between Tajikistan and Turkmenistan was $2.4 billion in 2023.",
        "The leaders raised ties to a comprehensive strategic partnership in June 2024.",
        "Tajikistan will host the president of Turkmenistan next year.",
    ], published="2024-07-01", outlet="Other Wire", title="Ties upgraded")
    add_event(doc, 2, "CONSULT", "TJK", "TKM", "2025", cameo="040", mode="future",
              goldstein=1.0)
    start, end = _at(doc, "$2.4 billion")
    doc.facts.append(Fact("trade_value", 2.4e9, "USD", start, end, countries=list(PAIR),
                          period="2023", currency="USD", original="$2.4 billion", sentence=0,
                          provenance="test@1"))
    start, end = _at(doc, "comprehensive strategic partnership")
    doc.relations.append(Relation(list(PAIR), "comprehensive strategic partnership", 4, start,
                                  end, since="2024-06", sentence=1, provenance="test@1"))
    return doc


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    path = copy_store(seeded_store(tmp_path_factory, seeds_dir),
                      tmp_path_factory.mktemp("api") / "api.db")
    with Store(path) as store:
        for doc in (_first_hand_doc(), _second_hand_doc()):
            assert store.write(doc) == "inserted"
    return path


@pytest.fixture(scope="module")
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(db)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def store(db: Path) -> Iterator[Store]:
    with Store(db, readonly=True) as opened:
        yield opened


def _ok(client: TestClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def _error(client: TestClient, url: str, status: int, method: str = "GET", **kwargs: Any) -> str:
    response = client.request(method, url, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert {"code", "status", "message"} <= set(body["error"])
    assert body["error"]["status"] == status
    assert body["error"]["message"]
    return body["error"]["message"]


def _ids(conn_path: Path, sql: str) -> list[Any]:
    with sqlite3.connect(f"{conn_path.resolve().as_uri()}?mode=ro", uri=True) as conn:
        return [row[0] for row in conn.execute(sql)]


# --- schema, docs, headers -------------------------------------------------------------------


def test_openapi_lists_every_api_route(client: TestClient) -> None:
    schema = _ok(client, "/openapi.json")
    paths = set(schema["paths"])
    routes = {route.replace("{id}", "{record_id}") for route in _ok(client, "/api")["routes"]}
    assert routes <= paths
    assert all(path.startswith("/api") for path in paths)  # pages stay out of the schema


def test_docs_page_needs_nothing_from_elsewhere(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "/api/provenance/{kind}/{record_id}" in response.text
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", response.text)


@pytest.mark.parametrize("url", ["/", "/api/stats", "/docs", "/api/nothing-here"])
def test_security_headers_on_every_answer(client: TestClient, url: str) -> None:
    headers = client.get(url).headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


# --- documents and sentences -----------------------------------------------------------------


def test_stats_are_the_store_counts(client: TestClient, store: Store) -> None:
    assert _ok(client, "/api/stats") == store.counts()


def test_documents_page_through_all(client: TestClient, store: Store) -> None:
    total = store.counts()["documents"]
    seen, offset = [], 0
    while offset is not None:
        page = _ok(client, f"/api/documents?limit=3&offset={offset}")
        assert page["limit"] == 3 and page["count"] == len(page["items"]) <= 3
        seen += [row["doc_id"] for row in page["items"]]
        offset = page["next_offset"]
    assert len(seen) == len(set(seen)) == total


def test_documents_filter_by_date(client: TestClient) -> None:
    rows = _ok(client, "/api/documents?since=2024-06&until=2024-06-30")["items"]
    assert [row["source"] for row in rows] == ["hand/tjk-tkm-1.txt"]


def test_document_and_its_sentences(client: TestClient, store: Store) -> None:
    doc_id = store.documents(limit=1)[0]["doc_id"]
    document = _ok(client, f"/api/documents/{doc_id}")
    sentences = _ok(client, f"/api/documents/{doc_id}/sentences")
    assert document["doc_id"] == doc_id and document["text"]
    assert sentences["count"] == document["n_sentences"] > 0
    for sentence in sentences["items"]:
        assert document["text"][sentence["start"]:sentence["end"]] == sentence["text"]


# --- entities --------------------------------------------------------------------------------


def test_entities_and_one_entity_by_id_name_and_alias(client: TestClient, store: Store) -> None:
    listed = _ok(client, "/api/entities?type=PERSON&limit=5")["items"]
    assert listed and all(row["type"] == "PERSON" for row in listed)
    top = listed[0]
    by_id = _ok(client, f"/api/entities/{top['id']}")
    by_name = _ok(client, f"/api/entities/{top['name']}")
    assert by_id["id"] == by_name["id"] == top["id"]
    assert by_id["aliases"] and by_id["documents"]
    alias = next(a["alias"] for a in by_id["aliases"] if a["alias"] != top["name"])
    assert _ok(client, f"/api/entities/{alias}")["id"] == top["id"]
    assert _ok(client, f"/api/entities?q={top['name'][:4]}")["items"]


def test_entity_events_include_both_sides(client: TestClient, store: Store) -> None:
    country = _ok(client, "/api/entities/country:KGZ")
    assert country["events"]
    assert [(p["a"], p["b"]) for p in country["pairs"]][0] == ("CHN", "KGZ")
    for report in country["events"]:
        assert "KGZ" in (report["source_country"], report["target_country"])
        assert report["links"]["reader"].startswith(f"/doc/{report['doc_id']}?highlight=")


# --- events, pairs, timeline -----------------------------------------------------------------


def test_events_between_a_pair_carry_their_evidence(client: TestClient, store: Store) -> None:
    page = _ok(client, "/api/events?a=KGZ&b=CHN&limit=500")
    assert page["items"]
    for event in page["items"]:
        assert event["pair"] == ["CHN", "KGZ"]
        assert event["plover"] in PLOVER_TYPES
        for report in event["evidence"]:
            text = store.document(report["doc_id"])["text"]
            assert text[report["start"]:report["end"]] == report["text"]


@pytest.mark.parametrize("query, check", [
    ("type=agree", lambda e: e["plover"] == "AGREE"),
    ("mode=done", lambda e: e["mode"] == "" and not e["negated"]),
    ("mode=future", lambda e: e["mode"] == "future"),
    ("since=2024-06&until=2024-06", lambda e: e["date_lo"] <= "2024-06-30"
     and e["date_hi"] >= "2024-06-01"),
    ("source=TKM", lambda e: any(r["source_country"] == "TKM" for r in e["evidence"])),
    ("min_sources=2", lambda e: e["n_sources"] >= 2),
])
def test_event_filters(client: TestClient, query: str, check: Any) -> None:
    items = _ok(client, f"/api/events?{query}&limit=500")["items"]
    assert all(check(event) for event in items)


def test_event_filters_find_the_hand_made_events(client: TestClient) -> None:
    pair = f"a={PAIR[0]}&b={PAIR[1]}"
    assert len(_ok(client, f"/api/events?{pair}")["items"]) == 3
    done = _ok(client, f"/api/events?{pair}&mode=done")["items"]
    assert sorted(e["plover"] for e in done) == ["ACCUSE", "AGREE"]
    assert [e["plover"] for e in _ok(client, f"/api/events?{pair}&source=TKM")["items"]] == [
        "ACCUSE"]
    assert _ok(client, "/api/events?a=TKM")["items"]


def test_pairs_rank_the_seed_pair_first(client: TestClient) -> None:
    pairs = _ok(client, "/api/pairs")["items"]
    counts = [row["n_events"] for row in pairs]
    assert counts == sorted(counts, reverse=True)
    assert (pairs[0]["a"], pairs[0]["b"]) == ("CHN", "KGZ")
    assert pairs[0]["names"] == ["China", "Kyrgyzstan"]
    assert pairs[0]["links"]["dashboard"] == "/pair/CHN/KGZ"


def test_timeline_sums_and_means(client: TestClient) -> None:
    timeline = _ok(client, f"/api/timeline?a={PAIR[0]}&b={PAIR[1]}")
    assert timeline["mode"] == "done" and timeline["by"] == "month"
    periods = {p["period"]: p for p in timeline["periods"]}
    assert set(periods) == {"2024-06"}
    june = periods["2024-06"]
    assert set(june["counts"]) == set(PLOVER_TYPES)
    assert (june["counts"]["AGREE"], june["counts"]["ACCUSE"], june["n_events"]) == (1, 1, 2)
    assert june["goldstein_sum"] == pytest.approx(3.0)
    assert june["goldstein_mean"] == pytest.approx(1.5)
    every = _ok(client, f"/api/timeline?a={PAIR[1]}&b={PAIR[0]}&by=year&mode=all")
    assert [p["period"] for p in every["periods"]] == ["2024", "2025"]
    assert every["totals"]["n_events"] == 3


# --- facts, relations, projects, conflicts ---------------------------------------------------


def test_facts_of_a_pair_with_evidence(client: TestClient) -> None:
    facts = _ok(client, f"/api/facts?a={PAIR[0]}&b={PAIR[1]}")["items"]
    assert sorted(f["value"] for f in facts) == [1.5e9, 2.4e9]
    assert {f["text"] for f in facts} == {"$1.5 billion", "$2.4 billion"}
    assert _ok(client, "/api/facts?period=2023&indicator=trade_value")["count"] >= 2


def test_relations_are_a_history(client: TestClient) -> None:
    relations = _ok(client, f"/api/relations?a={PAIR[0]}&b={PAIR[1]}")["items"]
    assert [(r["date"], r["rung"]) for r in relations] == [("2017", 3), ("2024-06", 4)]


def test_projects_with_milestones(client: TestClient) -> None:
    projects = _ok(client, f"/api/projects?country={PAIR[1]}")["items"]
    project = next(p for p in projects if p["project_id"] == "project:pamir_gas_link")
    assert [(m["status"], m["date"], m["text"]) for m in project["milestones"]] == [
        ("construction_started", "2024-05", "started")]


def test_conflicts_find_the_disagreeing_figures(client: TestClient) -> None:
    found = _ok(client, f"/api/conflicts?a={PAIR[0]}&b={PAIR[1]}")["items"]
    figures = [c for c in found if c["kind"] == "figure"]
    assert len(figures) == 1
    items = figures[0]["items"]
    assert sorted(item["value"]["value"] for item in items) == [1.5e9, 2.4e9]
    for item in items:  # each side links to its sentence in the reader
        assert item["links"]["reader"] == (
            f"/doc/{item['doc_id']}?highlight={item['start']}-{item['end']}#evidence")
    assert _ok(client, f"/api/conflicts?a={PAIR[0]}&kind=relation_level")["items"] == []
    _error(client, "/api/conflicts?kind=nonsense", 422)


def test_conflicts_without_the_module_answer_501(client: TestClient,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from dyadwatch.web import bench

    monkeypatch.setattr(bench, "_conflict_finder", lambda: None)
    message = _error(client, "/api/conflicts", 501)
    assert "dyadwatch.conflicts" in message


# --- search ----------------------------------------------------------------------------------


def test_search_finds_sentences_with_every_word(client: TestClient) -> None:
    page = _ok(client, "/api/search?q=pipeline%20Turkmenistan")
    assert page["items"] and page["query"] == "pipeline Turkmenistan"
    for row in page["items"]:
        assert "pipeline" in row["text"].lower() and "turkmenistan" in row["text"].lower()
        assert row["links"]["reader"] == f"/doc/{row['doc_id']}?highlight={row['start']}-{row['end']}#evidence"


@pytest.mark.parametrize("query", [
    "'; DROP TABLE documents; --", 'NEAR(pipeline gas)', '"unbalanced', "*", "text:pipeline",
    "<script>alert(1)</script>", "%_%", "pipeline\x00gas", "AND OR NOT", "((((", "ü" * 300,
])
def test_hostile_searches_are_plain_words(client: TestClient, store: Store, query: str) -> None:
    before = store.counts()
    response = client.get("/api/search", params={"q": query})
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["items"], list)
    assert store.counts() == before


def test_search_errors(client: TestClient) -> None:
    _error(client, "/api/search", 422)
    assert "500" in _error(client, "/api/search?q=" + "a" * 501, 422)


# --- provenance ------------------------------------------------------------------------------

_KINDS = {
    "event": "SELECT id FROM events ORDER BY id LIMIT 3",
    "cluster": "SELECT id FROM event_clusters ORDER BY id LIMIT 3",
    "fact": "SELECT id FROM facts ORDER BY id LIMIT 3",
    "relation": "SELECT id FROM relations ORDER BY id LIMIT 3",
    "project": "SELECT id FROM projects ORDER BY id LIMIT 3",
    "milestone": "SELECT id FROM project_milestones ORDER BY id LIMIT 3",
    "mention": "SELECT id FROM mentions ORDER BY id LIMIT 3",
    "sentence": "SELECT id FROM sentences ORDER BY id LIMIT 3",
}


@pytest.mark.parametrize("kind", sorted(_KINDS))
def test_provenance_points_at_the_exact_characters(client: TestClient, store: Store, db: Path,
                                                   kind: str) -> None:
    ids = _ids(db, _KINDS[kind])
    assert ids
    for record_id in ids:
        found = _ok(client, f"/api/provenance/{kind}/{record_id}")
        assert found["kind"] == kind and found["id"] == record_id and found["evidence"]
        for item in found["evidence"]:
            doc = store.load(item["document"]["doc_id"])
            span, raw = item["span"], item["raw_span"]
            assert doc.text[span["start"]:span["end"]] == span["text"] != ""
            assert doc.raw[raw["start"]:raw["end"]] == raw["text"] != ""
            assert doc.raw_span(span["start"], span["end"]) == (raw["start"], raw["end"])
            sentence = item["sentence"]
            assert sentence is not None
            assert sentence["start"] <= span["start"] < sentence["end"]
            assert item["links"]["reader"].endswith(f"highlight={span['start']}-{span['end']}#evidence")


def test_provenance_errors(client: TestClient) -> None:
    assert "cluster" in _error(client, "/api/provenance/planet/1", 422)
    _error(client, "/api/provenance/event/999999", 404)
    _error(client, "/api/provenance/cluster/-1", 404)
    _error(client, "/api/provenance/event/abc", 422)
    _error(client, "/api/provenance/event/99999999999999999999999", 404)
    _error(client, "/provenance/fact/-99999999999999999999999.json", 404)


# --- errors: never a 500 ---------------------------------------------------------------------


@pytest.mark.parametrize("url, status", [
    ("/api/documents/0000000000000000", 404),
    ("/api/documents/0000000000000000/sentences", 404),
    ("/api/entities/person:nobody_at_all", 404),
    ("/api/nothing-here", 404),
    ("/api/documents?limit=-1", 422),
    ("/api/documents?limit=0", 422),
    ("/api/documents?limit=501", 422),
    ("/api/documents?limit=99999999999999999999", 422),
    ("/api/documents?limit=ten", 422),
    ("/api/documents?offset=-5", 422),
    ("/api/documents?offset=abc", 422),
    ("/api/documents?offset=1.5", 422),
    ("/api/documents?offset=100000000", 422),
    ("/api/documents?since=yesterday", 422),
    ("/api/documents?until=2025-13-01", 422),
    ("/api/documents?since=2025-02-30", 422),
    ("/api/events?since=2025/02/01", 422),
    ("/api/events?until=20250201", 422),
    ("/api/events?type=HUG", 422),
    ("/api/events?mode=%3Cscript%3E", 422),
    ("/api/events?min_sources=0", 422),
    ("/api/events?min_sources=many", 422),
    ("/api/events?a=CHN&b=CHN", 422),
    ("/api/events?a=C", 422),
    ("/api/events?a=ZZZ", 422),
    ("/api/events?a=CHN&b=%27%3B--", 422),
    ("/api/timeline?a=CHN", 422),
    ("/api/timeline?a=CHN&b=KGZ&by=week", 422),
    ("/api/timeline?a=CHN&b=XXXXXXXXXXXXXXXXXXXXXXXXX", 422),
    ("/api/facts?a=12", 422),
    ("/api/relations?b=QQQ", 422),
    ("/api/projects?country=%00", 422),
    ("/api/pairs?limit=1000", 422),
    ("/api/failures?offset=x", 422),
])
def test_bad_requests_get_a_clear_error(client: TestClient, url: str, status: int) -> None:
    _error(client, url, status)


_PARAMS = ("a", "b", "type", "mode", "since", "until", "source", "min_sources", "limit",
           "offset", "by", "q", "kind", "period", "country", "highlight")
_ROUTES = ("/api/events", "/api/timeline", "/api/facts", "/api/relations", "/api/projects",
           "/api/conflicts", "/api/search", "/api/documents", "/api/entities", "/search",
           "/pair/CHN/KGZ", "/entities", "/documents")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(_ROUTES),
       query=st.dictionaries(st.sampled_from(_PARAMS), st.text(max_size=30), max_size=4))
def test_garbage_parameters_never_break_the_server(client: TestClient, route: str,
                                                   query: dict[str, str]) -> None:
    response = client.get(route, params=query)
    assert response.status_code in (200, 404, 422), (route, query, response.text)
    if response.status_code != 200:
        assert set(response.json()) == {"error"}


def test_only_reading_is_allowed(client: TestClient) -> None:
    assert "GET" in _error(client, "/api/documents", 405, method="POST", json={})
    _error(client, "/api/documents/abc", 405, method="DELETE")


def test_request_size_is_capped(client: TestClient) -> None:
    _error(client, "/api/documents", 413, method="POST", content=b"x" * 1_000_001)
    _error(client, "/api/search?q=" + "a" * 9000, 414)


def test_pages_answer_errors_as_pages_for_browsers(client: TestClient) -> None:
    html = {"accept": "text/html"}
    missing = client.get("/doc/0000000000000000", headers=html)
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert "No document with id" in missing.text
    bad_pair = client.get("/pair/CHN/ZZZ", headers=html)
    assert bad_pair.status_code == 422 and "is not a country" in bad_pair.text
    _error(client, "/pair/CHN/ZZZ.json", 422)
    _error(client, "/doc/0000000000000000?format=json", 404, headers=html)
    _error(client, "/entity/person:nobody.json", 404)
    _error(client, "/doc/xyz?highlight=5-2", 404)


def test_highlight_outside_the_text_is_refused(client: TestClient, store: Store) -> None:
    doc_id = store.documents(limit=1)[0]["doc_id"]
    _error(client, f"/doc/{doc_id}?highlight=10-5", 422)
    _error(client, f"/doc/{doc_id}?highlight=0-99999999", 422)
    _error(client, f"/doc/{doc_id}?highlight=abc", 422)


def test_the_server_never_writes_the_database(db: Path, client: TestClient) -> None:
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    for url in ("/", "/pair/CHN/KGZ", "/api/events?limit=500", "/api/search?q=China",
                "/api/conflicts", "/entity/country:CHN", "/documents", "/entities"):
        client.get(url)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_a_missing_database_fails_at_start(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        create_app(tmp_path / "none.db")


def test_hosts_other_than_the_allowed_are_refused(db: Path) -> None:
    with TestClient(create_app(db, allowed_hosts=["127.0.0.1", "localhost"])) as local:
        assert local.get("/api/stats", headers={"host": "localhost:8000"}).status_code == 200
        _error(local, "/api/stats", 400, headers={"host": "attacker.example"})


# --- pages and their JSON twins --------------------------------------------------------------


def _page_urls(store: Store) -> list[str]:
    doc_id = store.documents(limit=1)[0]["doc_id"]
    return ["/", "/pair/CHN/KGZ", f"/pair/{PAIR[0]}/{PAIR[1]}?by=year&mode=all",
            "/entity/country:CHN", "/entities?q=jap", "/documents", f"/doc/{doc_id}",
            "/search?q=railway"]


def test_every_page_renders_and_has_a_json_twin(client: TestClient, store: Store) -> None:
    for url in _page_urls(store):
        page = client.get(url, headers={"accept": "text/html"})
        assert page.status_code == 200, url
        assert page.headers["content-type"].startswith("text/html")
        path, _, query = url.partition("?")
        twin_url = ("/index" if path == "/" else path) + ".json" + (f"?{query}" if query else "")
        twin = client.get(twin_url)
        assert twin.status_code == 200, twin_url
        separator = "&" if query else "?"
        assert client.get(f"{url}{separator}format=json").json() == twin.json()
        assert 'class="json-twin" href="' + path in page.text


def test_pair_dashboard_shows_every_part(client: TestClient) -> None:
    data = _ok(client, f"/pair/{PAIR[0]}/{PAIR[1]}.json?mode=all")
    assert data["summary"]["n_events"] == 3
    assert data["ladder"]["current"]["level"] == "comprehensive strategic partnership"
    assert len(data["facts"]) == 2 and data["projects"][0]["milestones"]
    assert [c["kind"] for c in data["conflicts"]] == ["figure"]
    html = client.get(f"/pair/{PAIR[0]}/{PAIR[1]}?mode=all").text
    for part in ('id="timeline"', 'id="index"', 'id="ladder"', 'id="facts"', 'id="projects"',
                 'id="conflicts"', 'id="events"', "<svg", "Pamir Gas Link",
                 "construction_started", "$2.4 billion"):
        assert part in html, part


def test_period_filter_of_the_dashboard(client: TestClient) -> None:
    data = _ok(client, "/pair/CHN/KGZ.json")
    period = data["timeline"]["periods"][-1]["period"]
    only = _ok(client, f"/pair/CHN/KGZ.json?since={period}&until={period}")
    assert only["events"] and len(only["events"]) <= len(data["events"])
    assert all(e["date_lo"] <= period + "-31" and e["date_hi"] >= period for e in only["events"])


def test_reader_marks_boilerplate_and_the_evidence(client: TestClient, store: Store) -> None:
    with_boilerplate = next(
        row["doc_id"] for row in store.documents(limit=50)
        if store.load(row["doc_id"]).layer("boilerplate"))
    doc = store.load(with_boilerplate)
    event = doc.events[0]
    html = client.get(f"/doc/{with_boilerplate}?highlight={event.start}-{event.end}").text
    assert 'class="badge">boilerplate' in html
    assert 'id="evidence"' in html and "evidence-sentence" in html
    article = html[html.index('<article class="reader"'):html.index("</article>")]
    shown = re.findall(r'class="(?:[^"]* )?evidence(?: [^"]*)?"[^>]*>([^<]*)<', article)
    assert "".join(shown).replace("&#39;", "'").replace("&#34;", '"').replace(
        "&amp;", "&") == doc.text[event.start:event.end]
    data = _ok(client, f"/doc/{with_boilerplate}.json?highlight={event.start}-{event.end}")
    assert data["highlight"]["text"] == doc.text[event.start:event.end]
    assert data["events"][0]["event_id"] is not None


def test_hostile_article_text_is_escaped(client: TestClient, store: Store) -> None:
    doc_id = next(row["doc_id"] for row in store.documents(limit=50)
                  if row["source"].endswith("hostile_markup.txt"))
    html = client.get(f"/doc/{doc_id}").text
    assert "<script>window" not in html and "<img src=x" not in html
    assert 'onerror="window' not in html and "<b onmouseover" not in html
    assert "&lt;script&gt;window.__pwned=2&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html
    assert json.dumps(XSS_MARKERS[1])[1:-1] in client.get(f"/doc/{doc_id}.json").text
    search = client.get("/search?q=pwned").text
    assert "<script>window" not in search
    assert HOSTILE_TITLE not in client.get("/documents").text


# --- the serve command -----------------------------------------------------------------------


def test_serve_command_runs_the_workbench_on_loopback(db: Path, store: Store) -> None:
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-c", "from dyadwatch.cli import main; main()", "serve",
               "--db", str(db), "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"{base}/api/stats")
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"dyadwatch serve did not start: {server.stdout.read()!r}")
                time.sleep(0.1)
        assert response.json() == store.counts()
        assert httpx.get(f"{base}/api/stats", headers={"host": "evil.example"}).status_code == 400
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_serve_command_refuses_a_missing_database(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dyadwatch.cli import app

    result = CliRunner().invoke(app, ["serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert "no database at" in result.output


def test_public_api_of_the_web_package() -> None:
    import dyadwatch.web

    assert sorted(dyadwatch.web.__all__) == [
        "LOOPBACK_HOSTS", "MAX_BODY_BYTES", "MAX_QUERY_BYTES", "create_app", "serve"]
