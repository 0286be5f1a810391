"""The workbench in a real browser: Debian's Chromium, headless, driven by Playwright for Python,
against uvicorn serving a store of the seed articles and a hostile article.

Each test saves a screenshot (to docs/screenshots/ with DYADWATCH_SAVE_SCREENSHOTS=1). The browser is the system's
(/usr/bin/chromium, installed by scripts/setup-browser); Playwright never downloads one.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dyadwatch.store import Store
from dyadwatch.web import LOOPBACK_HOSTS, create_app
from web_store import XSS_MARKERS, seeded_store

CHROMIUM = Path("/usr/bin/chromium")
# These screenshots show the seed articles, which are not ours: they go to a temporary folder
# (or $DYADWATCH_SCREENSHOTS) for a developer to look at, never into the repository. The
# committed ones in docs/screenshots/ come from our own sample corpus (scripts/screenshots.py).
SCREENSHOTS = Path(os.environ.get("DYADWATCH_SCREENSHOTS")
                   or Path(tempfile.gettempdir()) / "dyadwatch-screenshots")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    return seeded_store(tmp_path_factory, seeds_dir)


@pytest.fixture(scope="module")
def base_url(db: Path) -> Iterator[str]:
    """uvicorn serving the workbench on 127.0.0.1 in a background thread."""
    import uvicorn

    port = _free_port()
    app = create_app(db, allowed_hosts=LOOPBACK_HOSTS)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="workbench", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start the workbench")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory, base_url: str) -> Iterator[dict]:
    """A fresh Chromium profile; every request is recorded, and any leaving 127.0.0.1 is
    aborted (and fails the test that made it)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup-browser (installs Debian's "
                    "chromium with apt-get)")
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM),
            headless=True, args=CHROMIUM_ARGS, viewport=VIEWPORT)

        def guard(route: object) -> None:
            url = route.request.url  # type: ignore[attr-defined]
            requests.append(url)
            if url.startswith(base_url) or url.startswith("data:"):
                route.continue_()  # type: ignore[attr-defined]
            else:
                route.abort()  # type: ignore[attr-defined]

        context.route("**/*", guard)
        try:
            yield {"context": context, "requests": requests, "base": base_url}
        finally:
            context.close()


@pytest.fixture()
def page(browser_context: dict) -> Iterator[object]:
    """A new tab; console errors (a CSP violation is one) and script errors fail the test."""
    tab = browser_context["context"].new_page()
    problems: list[str] = []
    tab.on("console", lambda message: problems.append(message.text)
           if message.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    first_request = len(browser_context["requests"])
    yield tab
    tab.close()
    base = browser_context["base"]
    leaving = [url for url in browser_context["requests"][first_request:]
               if not url.startswith(base) and not url.startswith("data:")]
    assert not leaving, f"requests left the machine: {leaving}"
    assert not problems, f"browser console errors: {problems}"


def _shot(tab: object, name: str, *, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=full_page)  # type: ignore[attr-defined]
    return path


def _open(tab: object, url: str) -> None:
    response = tab.goto(url)  # type: ignore[attr-defined]
    assert response is not None and response.status == 200, url


def _hostile_doc_id(db: Path) -> str:
    with Store(db, readonly=True) as store:
        return next(row["doc_id"] for row in store.documents(limit=100)
                    if row["source"].endswith("hostile_markup.txt"))


# --- the tests -------------------------------------------------------------------------------


def test_each_page_loads(page: object, browser_context: dict, db: Path) -> None:
    from playwright.sync_api import expect

    base = browser_context["base"]
    _open(page, base + "/")
    expect(page.locator("h1")).to_have_text("Pairs of countries with most activity")
    expect(page.locator("table.pairs a.pair-link").first).to_have_text("China – Kyrgyzstan")
    _shot(page, "home")
    page.locator("table.pairs a.pair-link").first.click()
    page.wait_for_url(re.compile(r"/pair/CHN/KGZ$"))
    for section in ("#timeline svg", "#index svg", "#ladder svg", "#facts", "#projects",
                    "#conflicts", "#events table"):
        expect(page.locator(section).first).to_be_visible()
    assert page.locator("#timeline svg rect.bar").count() > 0
    page.set_viewport_size({"width": 1280, "height": 1700})  # cards, both charts, the ladder
    _shot(page, "pair-CHN-KGZ")
    page.set_viewport_size(VIEWPORT)
    _open(page, base + "/entity/country:KGZ")
    expect(page.locator("h1")).to_contain_text("Kyrgyzstan")
    expect(page.locator("#events tr.event-row").first).to_be_visible()
    _shot(page, "entity")
    for url, heading in (("/documents", "Documents"), ("/entities", "Entities"),
                         ("/docs", "API reference")):
        _open(page, base + url)
        expect(page.locator("h1")).to_have_text(heading)


def test_clicking_an_event_opens_its_sentence_highlighted(page: object,
                                                          browser_context: dict) -> None:
    from playwright.sync_api import expect

    _open(page, browser_context["base"] + "/pair/CHN/KGZ")
    link = page.locator("#events a.evidence-link").first
    evidence = link.inner_text().strip().strip("“”")
    assert evidence
    link.click()
    page.wait_for_url(re.compile(r"/doc/[0-9a-f]+\?highlight=\d+-\d+#evidence$"))
    marked = page.locator("article.reader .evidence")
    assert "".join(marked.all_inner_texts()) == evidence
    expect(page.locator("#evidence")).to_be_in_viewport()
    expect(page.locator("article.reader .evidence-sentence").first).to_be_visible()
    expect(page.locator(".evidence-box q")).to_have_text(evidence)
    _shot(page, "reader-evidence")


def test_clicking_anywhere_on_an_event_row_opens_the_reader(page: object,
                                                           browser_context: dict) -> None:
    _open(page, browser_context["base"] + "/pair/CHN/KGZ")
    row = page.locator("#events tr.event-row").nth(1)
    target = row.get_attribute("data-href")
    row.locator("td.date-cell").click()
    page.wait_for_url(re.compile(r"/doc/[0-9a-f]+\?highlight="))
    assert page.url.endswith(target)


def test_search_finds_and_opens_a_sentence(page: object, browser_context: dict) -> None:
    from playwright.sync_api import expect

    base = browser_context["base"]
    _open(page, base + "/pair/CHN/KGZ")
    sentence = page.locator("#events a.evidence-link").first.inner_text()
    word = max(re.findall(r"[A-Za-z]{5,}", sentence), key=len)
    page.locator("header form.search input[name=q]").fill(word)
    page.locator("header form.search button").click()
    page.wait_for_url(re.compile(r"/search\?q="))
    hits = page.locator("ol.results mark.hit")
    expect(hits.first).to_be_visible()
    assert all(hit.lower().startswith(word.lower()) for hit in hits.all_inner_texts())
    _shot(page, "search")
    page.locator("ol.results a.result-link").first.click()
    page.wait_for_url(re.compile(r"/doc/[0-9a-f]+\?highlight="))
    expect(page.locator("#evidence")).to_be_in_viewport()
    assert word.lower() in "".join(
        page.locator("article.reader .evidence").all_inner_texts()).lower()


def test_hostile_markup_is_shown_and_never_run(page: object, browser_context: dict,
                                               db: Path) -> None:
    from playwright.sync_api import expect

    base = browser_context["base"]
    _open(page, f"{base}/doc/{_hostile_doc_id(db)}")
    text = page.locator("article.reader").inner_text()
    for marker in XSS_MARKERS:
        assert marker in text
    assert page.locator("article.reader script, article.reader img").count() == 0
    page.locator("h1").hover()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    _shot(page, "reader-hostile")
    for url in ("/", "/documents", "/search?q=pwned", "/search?q=%3Cscript%3E",
                "/entities?q=%3Cimg"):
        _open(page, base + url)
        assert page.evaluate("typeof window.__pwned") == "undefined", url
    expect(page.locator("input[name=q]").last).to_have_value("<img")
