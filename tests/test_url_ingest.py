"""URL ingest: http(s) only, size and time limits, capped redirects, no private addresses.

Every request goes to a local server on 127.0.0.1 (fetched with ``allow_private=True``);
tests of refused addresses never connect anywhere: the refusal comes before any socket.
Host names other than ``localhost`` appear only with a patched resolver.
"""

from __future__ import annotations

import gzip
import http.server
import ipaddress
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from typer.testing import CliRunner

from dyadwatch import api
from dyadwatch.cli import app
from dyadwatch.document import Failure
from dyadwatch.readers import Article, read_paths
from dyadwatch.readers import url as url_reader
from dyadwatch.readers.url import UrlLimits, fetch, is_url, read_url
from dyadwatch.store import Store

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Two ministers open a rail link | Loopback Times</title>
<meta property="og:site_name" content="Loopback Times">
<meta property="article:published_time" content="2024-05-07T09:00:00+00:00">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Two ministers open a rail link</h1>
<p>The transport ministers of Kazakhstan and Uzbekistan opened a new freight rail link on
Monday, after three years of building work on both sides of the border.</p>
<p>Officials said the line would carry grain and cotton to the ports of the Caspian Sea and
cut the journey for freight trains by almost a full day.</p>
<p>Both governments paid for the work and agreed to share the costs of running the line.</p>
</article><footer>Loopback Times</footer></body></html>"""
PLAIN = "Kyrgyzstan and Tajikistan agreed on Friday to reopen a border crossing for trade.\n"
TIGHT = UrlLimits(max_bytes=200_000, connect_timeout=2.0, total_timeout=2.0, allow_private=True)


class Handler(http.server.BaseHTTPRequestHandler):
    """The pages and misbehaviours the tests fetch."""

    protocol_version = "HTTP/1.1"
    hosts: list[str] = []
    headers_seen: list[str] = []

    def log_message(self, *_args: object) -> None:  # keep the test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Handler.hosts.append(self.headers.get("Host", ""))
        Handler.headers_seen.append(str(self.headers))
        path = urlsplit(self.path)
        name = path.path.strip("/").split("/")[0]
        route = getattr(self, "page_" + name.replace("-", "_").replace(".", "_"), None)
        if route is None:
            self.reply(404, b"not here", "text/plain")
        else:
            route(path.path, parse_qs(path.query))

    def reply(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def page_article_html(self, *_: object) -> None:
        self.reply(200, PAGE.encode("utf-8"), "text/html; charset=utf-8")

    def page_wrong_charset_html(self, *_: object) -> None:
        # The header says ASCII, the bytes are UTF-8 with accents: the reader must recover.
        body = PAGE.replace("Monday", "Monday in Türkistan").encode("utf-8")
        self.reply(200, body, "text/html; charset=us-ascii")

    def page_plain_txt(self, *_: object) -> None:
        self.reply(200, PLAIN.encode("utf-8"), "text/plain; charset=utf-8")

    def page_gzip_html(self, *_: object) -> None:
        self.reply(200, gzip.compress(PAGE.encode("utf-8")), "text/html",
                   Content_Encoding="gzip")

    def page_bomb(self, *_: object) -> None:
        self.reply(200, gzip.compress(b" " * 20_000_000), "text/html", Content_Encoding="gzip")

    def page_image_png(self, *_: object) -> None:
        self.reply(200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")

    def page_empty(self, *_: object) -> None:
        self.reply(200, b"", "text/html")

    def page_announced(self, *_: object) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(10**10))
        self.end_headers()
        self.wfile.write(b"<html>")

    def page_endless(self, *_: object) -> None:
        # No length, no end: the client must stop reading at its cap.
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.end_headers()
        self.stream(b"<p>" + b"x" * 65_000 + b"</p>", pause=0.0, limit=50_000_000)

    def page_drip(self, *_: object) -> None:
        # A byte every tenth of a second: each read is quick, the whole never ends.
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.end_headers()
        self.stream(b"x", pause=0.1, limit=1_000)

    def page_drip_headers(self, *_: object) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\n")
        self.stream(b"X-Slow: y\r\n", pause=0.1, limit=10_000)

    def stream(self, chunk: bytes, *, pause: float, limit: int) -> None:
        sent = 0
        try:
            while sent < limit:
                self.wfile.write(chunk)
                self.wfile.flush()
                sent += len(chunk)
                time.sleep(pause)
        except OSError:
            pass  # the client hung up, as it should
        self.close_connection = True

    def page_hop(self, path: str, _query: dict) -> None:
        left = int(path.rstrip("/").split("/")[-1])
        target = "/article.html" if left == 0 else f"/hop/{left - 1}"
        self.reply(302, b"", "text/plain", Location=target)

    def page_go(self, _path: str, query: dict) -> None:
        self.reply(301, b"", "text/plain", Location=query["to"][0])

    def page_no_location(self, *_: object) -> None:
        self.reply(302, b"", "text/plain")


class QuietServer(http.server.ThreadingHTTPServer):
    """A server that does not print the tracebacks of clients hanging up on purpose."""

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A threaded HTTP server on 127.0.0.1 (a free port); yields its base URL."""
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def port(server: str) -> int:
    return int(server.rsplit(":", 1)[1])


def fetched(url: str, limits: UrlLimits = TIGHT) -> Article:
    item = read_url(url, limits=limits)
    assert isinstance(item, Article), item
    return item


def refused(url: str, limits: UrlLimits = TIGHT) -> Failure:
    item = read_url(url, limits=limits)
    assert isinstance(item, Failure), item
    assert item.source == url
    return item


# --- what is fetched -------------------------------------------------------------------------


def test_html_page_goes_through_the_html_reader(server: str) -> None:
    article = fetched(f"{server}/article.html")
    assert article.fmt == "html"
    assert "freight rail link" in article.text
    assert "Home" not in article.text  # the navigation is boilerplate, as for a saved page
    assert article.outlet == "Loopback Times"
    assert article.published and article.published.startswith("2024-05-07")
    assert article.url == f"{server}/article.html"
    assert article.source == f"{server}/article.html"


def test_plain_text_page(server: str) -> None:
    article = fetched(f"{server}/plain.txt")
    assert article.fmt == "txt" and article.text == PLAIN


def test_wrong_charset_in_the_header_falls_back_to_the_bytes(server: str) -> None:
    assert "Türkistan" in fetched(f"{server}/wrong-charset.html").text


def test_gzip_body_is_decompressed(server: str) -> None:
    assert "freight rail link" in fetched(f"{server}/gzip.html").text


# --- what is refused -------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "ftp://127.0.0.1/article.txt",
    "gopher://127.0.0.1:70/1",
    "javascript://alert(1)",
])
def test_only_http_and_https(url: str) -> None:
    failure = refused(url)
    assert failure.stage == "fetch"
    assert "only http and https" in failure.reason


def test_other_schemes_are_urls_not_missing_files(tmp_path: Path) -> None:
    items = list(read_paths(["ftp://127.0.0.1/x.txt", "file:///etc/hostname"]))
    assert [item.stage for item in items] == ["fetch", "fetch"]
    assert all("only http and https" in item.reason for item in items)
    assert is_url("https://example.org/a") and not is_url(str(tmp_path / "a.txt"))


@pytest.mark.parametrize("host", [
    "127.0.0.1", "127.1", "2130706433", "localhost", "0.0.0.0", "10.0.0.1", "172.16.5.4",
    "192.168.0.1", "169.254.169.254", "100.64.0.1", "224.0.0.1", "[::1]", "[fe80::1]",
    "[fc00::1]", "[ff02::1]", "[::ffff:127.0.0.1]", "[::ffff:10.0.0.1]", "[2002:7f00:1::]",
    "[64:ff9b::a00:1]", "[::]",
])
def test_private_loopback_and_link_local_addresses_are_refused(host: str, port: int) -> None:
    url = f"http://{host}:{port}/article.html"
    failure = refused(url, UrlLimits(connect_timeout=2.0, total_timeout=2.0))
    assert failure.stage == "fetch"
    assert "--allow-private" in failure.reason


def test_the_same_url_is_fetched_with_allow_private(server: str) -> None:
    url = f"{server}/article.html"
    assert isinstance(read_url(url, limits=UrlLimits()), Failure)
    assert isinstance(read_url(url, limits=UrlLimits(allow_private=True)), Article)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888",
                                     "64:ff9b::808:808"])
def test_public_addresses_pass_the_check(address: str) -> None:
    # Only the address check: nothing is sent to these addresses.
    assert url_reader._is_public(ipaddress.ip_address(address))


def test_size_limit_from_content_length(server: str) -> None:
    failure = refused(f"{server}/announced")
    assert "larger than the limit of 200,000 bytes" in failure.reason


def test_size_limit_while_streaming(server: str) -> None:
    failure = refused(f"{server}/endless")
    assert "reading stopped at 200,000 bytes" in failure.reason


def test_size_limit_counts_decompressed_bytes(server: str) -> None:
    assert "reading stopped at" in refused(f"{server}/bomb").reason


def test_total_time_limit_stops_a_dripping_body(server: str) -> None:
    limits = UrlLimits(total_timeout=0.8, allow_private=True)
    assert "more than 0.8 s" in refused(f"{server}/drip", limits).reason


def test_total_time_limit_stops_dripping_headers(server: str) -> None:
    limits = UrlLimits(total_timeout=0.8, allow_private=True)
    assert "more than 0.8 s" in refused(f"{server}/drip-headers", limits).reason


def test_closed_port_is_a_failure() -> None:
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago, now closed
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    assert "cannot connect" in refused(f"http://127.0.0.1:{free}/").reason


@pytest.mark.parametrize(("path", "expected"), [
    ("/missing", "HTTP 404"),
    ("/image.png", "image/png, not an article"),
    ("/empty", "empty"),
    ("/no-location", "without a Location"),
])
def test_http_problems_are_failures(server: str, path: str, expected: str) -> None:
    assert expected in str(refused(f"{server}{path}"))


@pytest.mark.parametrize("path", ["/ünï cöde", "/a\r\nX-Injected: yes", "/%zz%", "/?q=<>\"'",
                                  "/article.html#frag", "//double//slash"])
def test_odd_paths_are_sent_escaped(server: str, path: str) -> None:
    Handler.headers_seen.clear()
    item = read_url(server + path, limits=TIGHT)
    assert isinstance(item, Article | Failure)
    assert not any("X-Injected" in headers for headers in Handler.headers_seen)


# --- redirects -------------------------------------------------------------------------------


def test_redirects_are_followed_up_to_the_cap(server: str) -> None:
    # /hop/N redirects N + 1 times before the article.
    article = fetched(f"{server}/hop/4")
    assert article.url == f"{server}/article.html"
    assert "more than 5 redirects" in refused(f"{server}/hop/5").reason


def test_a_redirect_to_another_scheme_is_refused(server: str) -> None:
    failure = refused(f"{server}/go?to=file:///etc/passwd")
    assert failure.source == f"{server}/go?to=file:///etc/passwd"
    assert "file: URLs are not fetched" in failure.reason


@pytest.fixture()
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[list[str]]]:
    """Names resolved by a table (answers used in turn) and 127.0.0.1 treated as public."""
    table: dict[str, list[list[str]]] = {}
    calls: list[str] = []

    def resolve(host: str, port: int, timeout: float, original: str) -> tuple[str, ...]:
        calls.append(host)
        answers = table[host]
        return tuple(answers.pop(0) if len(answers) > 1 else answers[0])

    def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return str(address) == "127.0.0.1"

    monkeypatch.setattr(url_reader, "_resolve", resolve)
    monkeypatch.setattr(url_reader, "_is_public", is_public)
    table["calls"] = calls  # type: ignore[assignment]
    return table


def test_connection_goes_to_the_checked_address(fake_dns: dict, port: int) -> None:
    fake_dns["flip.test"] = [["127.0.0.1"], ["10.9.8.7"]]  # rebinds after the first answer
    Handler.hosts.clear()
    article = fetched(f"http://flip.test:{port}/article.html", UrlLimits())
    assert "freight rail link" in article.text
    assert fake_dns["calls"] == ["flip.test"]  # resolved once, connected to what was checked
    assert Handler.hosts == [f"flip.test:{port}"]


def test_a_name_with_any_private_address_is_refused(fake_dns: dict, port: int) -> None:
    fake_dns["both.test"] = [["127.0.0.1", "10.9.8.7"]]
    failure = refused(f"http://both.test:{port}/article.html", UrlLimits())
    assert "10.9.8.7 (the name both.test resolves to it)" in failure.reason


def test_a_redirect_to_a_name_that_resolves_inside_is_refused(fake_dns: dict, port: int) -> None:
    fake_dns["news.test"] = [["127.0.0.1"]]
    fake_dns["inside.test"] = [["192.168.7.7"]]
    failure = refused(f"http://news.test:{port}/go?to=http://inside.test/admin", UrlLimits())
    assert "192.168.7.7 (the name inside.test resolves to it)" in failure.reason
    assert fake_dns["calls"] == ["news.test", "inside.test"]


def test_fetch_returns_the_final_url(server: str) -> None:
    page = fetch(f"{server}/hop/2", limits=TIGHT)
    assert page.url == f"{server}/article.html" and page.content_type == "text/html"


# --- feeds, read_paths, ingest and the CLI -----------------------------------------------------


def write_feed(tmp_path: Path, server: str, name: str = "world.urls") -> Path:
    feed = tmp_path / name
    feed.write_text(f"# morning feed\n{server}/article.html\n\n  {server}/plain.txt  \n"
                    "not a url\n# the end\n", encoding="utf-8")
    return feed


def test_feed_file_lists_urls(tmp_path: Path, server: str) -> None:
    feed = write_feed(tmp_path, server)
    items = list(read_paths([feed], url_limits=TIGHT))
    assert [type(item).__name__ for item in items] == ["Article", "Article", "Failure"]
    assert items[2].source == f"{feed}:5" and items[2].line == 5
    assert "not an http(s) URL" in items[2].reason


def test_empty_feed_and_missing_feed_are_failures(tmp_path: Path) -> None:
    empty = tmp_path / "empty.feed"
    empty.write_text("# nothing yet\n\n", encoding="utf-8")
    items = list(read_paths([empty, tmp_path / "gone.urls"]))
    assert [item.stage for item in items] == ["read", "read"]
    assert "lists no URL" in items[0].reason


def test_feed_files_are_not_fetched_when_walking_a_folder(tmp_path: Path, server: str) -> None:
    write_feed(tmp_path, server)
    (tmp_path / "local.txt").write_text(PLAIN, encoding="utf-8")
    items = list(read_paths([tmp_path], url_limits=TIGHT))
    assert [item.source for item in items] == [str(tmp_path / "local.txt")]


def test_ingest_stores_fetched_articles_and_resumes(tmp_path: Path, server: str,
                                                   pipeline) -> None:
    feed = write_feed(tmp_path, server)
    db = tmp_path / "urls.db"
    report = api.ingest([feed], db_path=db, pipeline=pipeline, allow_private=True)
    assert report.counts == {"inserted": 2, "failed": 1}
    again = api.ingest([feed], db_path=db, pipeline=pipeline, allow_private=True)
    assert again.counts == {"unchanged": 2, "failed": 1}
    with Store(db, readonly=True) as store:
        sources = {row["source"] for row in store.documents()}
        assert sources == {f"{server}/article.html", f"{server}/plain.txt"}
        stored = [row for row in store.documents() if row["source"].endswith(".html")][0]
        assert stored["outlet"] == "Loopback Times"


def test_cli_refuses_loopback_without_the_flag(tmp_path: Path, server: str) -> None:
    db = tmp_path / "cli.db"
    url = f"{server}/article.html"
    result = CliRunner().invoke(app, ["ingest", url, "--db", str(db), "--quiet"])
    assert result.exit_code == 1, result.output
    with Store(db, readonly=True) as store:
        assert store.counts()["documents"] == 0
        [failure] = store.failures()
        assert failure["source"] == url and failure["stage"] == "fetch"
        assert "--allow-private" in failure["reason"]
    result = CliRunner().invoke(app, ["ingest", url, "--db", str(db), "--quiet",
                                      "--allow-private"])
    assert result.exit_code == 0, result.output
    with Store(db, readonly=True) as store:
        assert [row["source"] for row in store.documents()] == [url]
