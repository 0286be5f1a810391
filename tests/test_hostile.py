"""Hostile input, a test for each kind: markup in articles, SQL and search metacharacters in
every parameter, path tricks in every parameter that names a file, oversized requests.

Everything must be refused with a clear answer or rendered inert: stored as text, shown
escaped, matched literally, never a server error, never a file outside the one named.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from dyadwatch.cli import app as cli_app
from dyadwatch.errors import DyadwatchError
from dyadwatch.readers import Article, read_paths
from dyadwatch.store import Store
from robust_store import (
    HOSTILE_TEXT,
    MARKERS,
    SQL_SENTENCE,
    robust_store,
)

ROOT = Path(__file__).resolve().parents[1]
DYADWATCH = ROOT / ".venv" / "bin" / "dyadwatch"
# What an attacker types into any box: SQL, LIKE and FTS5 syntax, quotes, escapes, NUL-ish.
PAYLOADS = [
    "' OR '1'='1", "'; DROP TABLE documents; --", "\" OR \"\"=\"", "1; SELECT * FROM runs",
    "%", "_", "%' --", "\\", "*", "NEAR(a b)", "\"unbalanced", "a AND OR NOT b", "col:value",
    "^start", "()", "' UNION SELECT sql FROM sqlite_master --", "\u202egnp.exe", "😀 ' \u0000",
    "../../etc/passwd", "<script>alert('dw-xss-9')</script>",
]
# Markup that would run: the markers' own tags, handlers and links, unescaped. (The same
# words escaped, "&lt;a href=&#34;javascript:…", are text and do not match.)
RAW_XSS = re.compile(r"<script>alert|<img src=x|onerror=\"alert|onmouseover=\"alert|"
                     r"href=\"javascript:|alert\('dw-xss")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return robust_store(tmp_path_factory)


@pytest.fixture(scope="module")
def client(db: Path) -> Iterator[TestClient]:
    from dyadwatch.web.app import create_app

    with TestClient(create_app(db), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def store(db: Path) -> Iterator[Store]:
    with Store(db, readonly=True) as opened:
        yield opened


def doc_id_of(store: Store, name: str) -> str:
    [row] = [row for row in store.documents(limit=500) if row["source"].endswith(name)]
    return str(row["doc_id"])


def html(client: TestClient, url: str) -> str:
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code < 500, (url, response.status_code)
    assert response.headers["content-type"].startswith("text/html"), url
    return response.text


# --- markup in articles ------------------------------------------------------------------------


def test_markup_is_stored_as_text(store: Store) -> None:
    doc = store.load(doc_id_of(store, "hostile.txt"))
    for marker in MARKERS:
        assert marker in doc.text


def test_html_pages_escape_the_markup(client: TestClient, store: Store) -> None:
    doc_id = doc_id_of(store, "hostile.txt")
    pages = [f"/doc/{doc_id}", "/documents", "/", "/search?q=grain", "/search?q=alert",
             "/entities?q=Kazakhstan", "/pair/KAZ/CHN", "/entity/KAZ"]
    for url in pages:
        page = html(client, url)
        assert not RAW_XSS.search(page), (url, RAW_XSS.search(page))
    reader = html(client, f"/doc/{doc_id}")
    assert "&lt;script&gt;alert(" in reader  # shown, as text
    assert "&lt;img src=x onerror=" in reader


def test_markup_in_the_request_is_escaped_in_the_page(client: TestClient) -> None:
    for url in ["/search?q=<script>alert('dw-xss-5')</script>",
                "/entities?q=<img src=x onerror=\"alert('dw-xss-6')\">",
                "/doc/<script>alert('dw-xss-7')</script>",
                "/entity/<img src=x onerror=\"alert('dw-xss-8')\">",
                "/pair/<script>alert('dw-xss-0')</script>/KAZ"]:
        page = html(client, url)
        assert not RAW_XSS.search(page), (url, RAW_XSS.search(page))


def test_json_answers_carry_the_text_and_are_never_sniffed(client: TestClient,
                                                          store: Store) -> None:
    doc_id = doc_id_of(store, "hostile.txt")
    response = client.get(f"/api/documents/{doc_id}")
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert MARKERS[0] in response.json()["text"]


def test_script_elements_and_handlers_in_an_html_article_are_dropped(tmp_path: Path) -> None:
    page = ("<html><head><title>Grain deal</title><script>alert('dw-xss-10')</script></head>"
            "<body onload=\"alert('dw-xss-11')\"><article><p>Kazakhstan and China signed a "
            "grain deal on Monday, officials in Astana said after the talks ended.</p>"
            "<p onclick=\"alert('dw-xss-12')\">The note read &lt;script&gt;x()&lt;/script&gt; "
            "as an example of what the ministry filters out of its letters.</p>"
            "<style>p{}</style></article></body></html>")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    [article] = read_paths([tmp_path / "page.html"])
    assert isinstance(article, Article)
    assert "dw-xss" not in article.text and "p{}" not in article.text
    assert "<script>x()</script>" in article.text  # escaped text in the page is text


# --- SQL and search metacharacters --------------------------------------------------------------


def store_calls(store: Store, value: str) -> list[tuple[str, Any]]:
    """Every Store query that takes a string, called with ``value`` in each string slot."""
    calls = {
        "documents(outlet)": lambda: store.documents(outlet=value),
        "documents(kind)": lambda: store.documents(kind=value),
        "entities(q)": lambda: store.entities(q=value),
        "entities(type, country)": lambda: store.entities(type=value, country=value),
        "entity": lambda: store.entity(value),
        "events(type, source, country)": lambda: store.events(type=value, source=value,
                                                              country=value),
        "events(between, since, until)": lambda: store.events(between=(value, value),
                                                              since=value, until=value),
        "timeline": lambda: store.timeline(value, value),
        "facts": lambda: store.facts(indicator=value, country=value, period=value,
                                     doc_id=value),
        "relations": lambda: store.relations(value, value),
        "projects": lambda: store.projects(country=value),
        "failures": lambda: store.failures(value),
        "search": lambda: store.search(value),
        "load": lambda: store.load(value),
        "has": lambda: store.has(value, value),
    }
    results = []
    for name, call in calls.items():
        try:
            results.append((name, call()))
        except DyadwatchError as exc:  # NotFound, UsageError: refused with a reason
            results.append((name, exc))
    return results


def table_counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def test_sql_metacharacters_in_every_store_query(db: Path, store: Store) -> None:
    before = table_counts(db)
    total = store.counts()["sentences"]
    for value in PAYLOADS:
        for name, result in store_calls(store, value):
            assert isinstance(result, list | dict | bool | DyadwatchError) or hasattr(
                result, "text"), (name, value, result)
            if name == "search" and isinstance(result, list):
                assert len(result) < total, (value, len(result))  # never "match everything"
    assert table_counts(db) == before


def test_metacharacters_are_matched_as_text(store: Store) -> None:
    hits = store.search("DROP TABLE documents")
    assert [hit["text"] for hit in hits][:1] == [SQL_SENTENCE]
    assert {hit["text"] for hit in store.search("Robert'); DROP")} == {SQL_SENTENCE}
    assert store.search("was_used")  # the underscore is a letter here, not a wildcard
    assert not store.search("zzz%")


def api_routes(client: TestClient) -> list[tuple[str, list[str], list[str]]]:
    """(path, query parameter names, path parameter names) of every GET route in the API."""
    schema = client.get("/openapi.json").json()
    routes = []
    for path, operations in schema["paths"].items():
        parameters = operations["get"].get("parameters", [])
        routes.append((path, [p["name"] for p in parameters if p["in"] == "query"],
                       [p["name"] for p in parameters if p["in"] == "path"]))
    return routes


def api_requests(client: TestClient, value: str) -> Iterator[tuple[str, dict[str, str]]]:
    """``value`` in every path parameter and, one at a time, in every query parameter."""
    for path, query, in_path in api_routes(client):
        filled = path
        for name in in_path:
            filled = filled.replace("{" + name + "}", quote(value, safe=""))
        if in_path:
            yield filled, {}
        for name in query:
            yield filled, {name: value}


def test_sql_metacharacters_in_every_api_parameter(client: TestClient, db: Path) -> None:
    before = table_counts(db)
    statuses: dict[int, int] = {}
    for value in PAYLOADS:
        for url, params in api_requests(client, value):
            response = client.get(url, params=params)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert response.status_code in (200, 404, 422), (url, params, response.text[:300])
            assert response.headers["content-type"].startswith("application/json")
            assert "root:x:0:0" not in response.text
    assert statuses.get(422, 0) > 0 and statuses.get(200, 0) > 0  # both kinds were reached
    assert table_counts(db) == before


def test_sql_metacharacters_in_page_parameters(client: TestClient) -> None:
    for value in PAYLOADS:
        for url, params in [("/search", {"q": value}), ("/entities", {"q": value}),
                            ("/pair/KAZ/CHN", {"since": value, "mode": value, "by": value}),
                            ("/documents", {"offset": value})]:
            response = client.get(url, params=params, headers={"Accept": "text/html"})
            assert response.status_code in (200, 404, 422), (url, value, response.status_code)
            assert not RAW_XSS.search(response.text)


def test_sql_metacharacters_in_the_cli(db: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli_app, ["search", "' OR '1'='1", "--db", str(db), "-f", "json"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli_app, ["entity", "x'; DROP TABLE entities; --", "--db", str(db)])
    assert result.exit_code == 2 and "no entity" in result.output


# --- path tricks ---------------------------------------------------------------------------------


@pytest.fixture()
def decoy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file that must never change, and a working folder three levels below its parent."""
    secret = tmp_path / "secret"
    secret.mkdir()
    target = secret / "passwd"
    target.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    work = tmp_path / "a" / "b" / "c"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    return target


def untouched(decoy: Path) -> bool:
    siblings = sorted(p.name for p in decoy.parent.iterdir())
    return decoy.read_text(encoding="utf-8").startswith("root:x:0:0") and siblings == ["passwd"]


def dyadwatch(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(DYADWATCH), *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd, check=False, env={**os.environ, "COLUMNS": "200"})


@pytest.mark.parametrize("command", [["documents"], ["search", "x"], ["failures"],
                                     ["export", "--out", "exported"]])
def test_db_pointing_at_a_file_that_is_not_a_database(decoy: Path, command: list[str]) -> None:
    done = dyadwatch(*command, "--db", "../../../secret/passwd", cwd=Path.cwd())
    assert done.returncode == 2, done.stderr
    assert "not a SQLite database" in done.stderr.replace("\n", " ")
    assert untouched(decoy)


def test_ingest_into_a_file_that_is_not_a_database(decoy: Path, pipeline: Any) -> None:
    (Path.cwd() / "a.txt").write_text("Kazakhstan and China met.\n", encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["ingest", "a.txt", "--db", "../../../secret/passwd",
                                          "-q"])
    assert result.exit_code == 2 and "not a SQLite database" in result.output.replace("\n", " ")
    assert untouched(decoy)


def test_db_pointing_at_a_folder(decoy: Path) -> None:
    result = CliRunner().invoke(cli_app, ["documents", "--db", "../../../secret"])
    assert result.exit_code == 2 and "is a directory" in result.output
    assert untouched(decoy)


def test_document_ids_with_dots_and_slashes(db: Path, client: TestClient) -> None:
    result = CliRunner().invoke(cli_app, ["show", "../../etc/passwd", "--db", str(db)])
    assert result.exit_code == 2 and "no document" in result.output
    for url in ["/api/documents/..%2F..%2Fetc%2Fpasswd", "/api/documents/%2e%2e",
                "/api/entities/../../../etc/passwd", "/api/entities/%2e%2e/%2e%2e/etc/passwd",
                "/doc/..%2F..%2Fetc%2Fpasswd", "/entity/..%2F..%2F..%2Fetc%2Fpasswd",
                "/api/documents/..%5C..%5Cwindows%5Cwin.ini", "/provenance/..%2Fevent/1",
                "/static/..%2F..%2Fapp.py", "/static/../../../../etc/passwd",
                "/static/%2e%2e/%2e%2e/web/app.py"]:
        response = client.get(url)
        assert response.status_code in (404, 422), (url, response.status_code)
        assert "root:x:0:0" not in response.text and "create_app" not in response.text


def test_export_writes_only_its_tables_where_it_is_told(db: Path, decoy: Path) -> None:
    done = dyadwatch("export", "--out", "../../outside", "--format", "jsonl", "--db", str(db),
                     cwd=Path.cwd())
    assert done.returncode == 0, done.stderr
    outside = (Path.cwd() / "../../outside").resolve()
    from dyadwatch.store import EXPORT_TABLES

    assert sorted(p.name for p in outside.iterdir()) == sorted(f"{t}.jsonl"
                                                               for t in EXPORT_TABLES)
    assert untouched(decoy)


def test_export_onto_an_existing_file_is_refused(db: Path, decoy: Path) -> None:
    done = dyadwatch("export", "--out", "../../../secret/passwd", "--db", str(db),
                     cwd=Path.cwd())
    assert done.returncode == 2 and "Choose another --out" in done.stderr.replace("\n", " ")
    assert untouched(decoy)


def test_export_will_not_write_through_a_planted_link(db: Path, decoy: Path) -> None:
    out = Path.cwd() / "exported"
    out.mkdir()
    (out / "documents.jsonl").symlink_to(decoy)
    done = dyadwatch("export", "--out", str(out), "--db", str(db), cwd=Path.cwd())
    assert done.returncode == 2 and "symbolic link" in done.stderr
    assert decoy.read_text(encoding="utf-8").startswith("root:x:0:0")
    assert sorted(p.name for p in out.iterdir()) == ["documents.jsonl"]  # nothing written


# --- oversized requests ---------------------------------------------------------------------------


def test_overlong_query_string_is_refused(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "x" * 9000})
    assert response.status_code == 414
    assert response.json()["error"]["code"] == "uri_too_long"


def test_oversized_body_is_refused_by_its_length(client: TestClient) -> None:
    response = client.post("/api/search", content=b"x" * 1_500_000)
    assert response.status_code == 413
    response = client.get("/api/stats", headers={"Content-Length": "99999999999"})
    assert response.status_code == 413


def test_oversized_body_is_refused_while_it_streams(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"y" * 65_536  # 2.5 MB without a Content-Length

    response = client.post("/api/search", content=chunks())
    assert response.status_code == 413


def test_bad_content_length_is_refused(client: TestClient) -> None:
    response = client.get("/api/stats", headers={"Content-Length": "lots"})
    assert response.status_code == 400


@pytest.mark.parametrize("url", [
    "/api/documents?limit=1000000000000000000000000000",
    "/api/documents?offset=999999999999",
    "/api/documents?limit=-1",
    "/api/documents?limit=abc",
    "/api/search?q=" + "word%20" * 600,
    "/api/entities?q=" + "n" * 5000,
    "/api/documents/" + "f" * 5000,
    "/doc/" + "f" * 5000,
    "/api/timeline?a=KAZ&b=CHN&by=" + "month" * 1000,
])
def test_oversized_values_are_refused_with_a_reason(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code in (413, 414, 422), (url[:80], response.status_code)
    assert response.json()["error"]["message"]


def test_many_repeated_parameters_are_not_a_crash(client: TestClient) -> None:
    response = client.get("/api/events?" + "&".join(["type=AGREE"] * 500))
    assert response.status_code == 200  # 5 KB of query: the last value counts


def test_reading_a_huge_article_text_is_bounded(tmp_path: Path, pipeline: Any) -> None:
    """An oversized input file is refused by the readers' byte cap, not read whole."""
    big = tmp_path / "huge.txt"
    with big.open("wb") as handle:
        handle.truncate(30_000_000)  # a sparse 30 MB file of NULs
    [item] = read_paths([big])
    assert "file too large" in item.reason and "20,000,000" in item.reason


def test_hostile_text_in_the_store_is_unchanged_by_export(db: Path, tmp_path: Path) -> None:
    from dyadwatch.store import export

    with Store(db, readonly=True) as opened:
        [path] = [p for p in export(opened, fmt="jsonl", out_dir=tmp_path)
                  if p.name == "documents.jsonl"]
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    [hostile] = [row for row in rows if row["source"].endswith("hostile.txt")]
    assert all(marker in hostile["text"] for marker in MARKERS)
    assert HOSTILE_TEXT.splitlines()[0] in hostile["text"]
