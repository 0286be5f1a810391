"""Screenshots of the workbench over our own sample corpus, for README.md (docs/screenshots/).

Builds a store from corpus/sample/ (articles written by us), serves it on 127.0.0.1 and
drives Debian's Chromium through Playwright. Run after a UI change and look at the PNGs:

    .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from dyadwatch.api import ingest
from dyadwatch.web import create_app

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = {"home": "/", "pair-CHN-IND": "/pair/CHN/IND", "pair-CHN-KGZ": "/pair/CHN/KGZ",
         "search": "/search?q=railway"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "sample.db"
        ingest([ROOT / "corpus" / "sample"], db_path=db)
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port,
                                               log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for name, path in PAGES.items():
                page.goto(f"http://127.0.0.1:{port}{path}")
                page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
                print(f"wrote {OUT / name}.png")
            page.goto(f"http://127.0.0.1:{port}/pair/CHN/IND")
            page.locator("a[href*='/doc/']").first.click()
            page.wait_for_load_state()
            page.screenshot(path=str(OUT / "reader-evidence.png"), full_page=False)
            print(f"wrote {OUT / 'reader-evidence.png'}")
            browser.close()
        server.should_exit = True


if __name__ == "__main__":
    main()
