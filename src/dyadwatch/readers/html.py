"""HTML pages: the main text and the page's own metadata, extracted offline by trafilatura.

Nothing is fetched: trafilatura gets the page's text, never a URL to download. Dates come
only from the page's markup (meta tags, ``<time>`` elements); htmldate's "extensive search"
is switched off because it guesses, e.g. the first of the month from ``/2022/03/`` in a URL.
"""

from __future__ import annotations

from typing import Any

import trafilatura

from .article import Article
from .encoding import declared_html_charset, decode_bytes
from .failure import PARSE, READ, InputError

__all__ = ["read_html", "extract_html"]

_DATE_PARAMS = {"extensive_search": False, "original_date": True}
# Browsers read a page labelled latin-1 or ASCII as windows-1252 (WHATWG Encoding), and
# pages labelled so do hold curly quotes in 0x80-0x9F; Python's latin-1 would make them
# control characters.
_BROWSER_ALIASES = {"latin_1": "cp1252", "iso8859_1": "cp1252", "ascii": "cp1252"}


def read_html(data: bytes, *, source: str, encoding: str | None = None) -> Article:
    """The Article held in the bytes of an HTML page.

    The encoding is, in order: the caller's, a BOM, the page's ``<meta charset>``, UTF-8,
    then detection (a declared charset that does not decode the bytes is ignored).
    Raises InputError when the bytes cannot be decoded or the page holds no article text.
    """
    text, used = _decode(data, source, encoding)
    return extract_html(text, source=source, encoding=used)


def extract_html(html: str, *, source: str, encoding: str | None = None) -> Article:
    """The main text and metadata of an HTML page given as text.

    Raises InputError when no article text can be found (an empty page, one truncated
    before any text, or a page that is not an article).
    """
    if not html.strip():
        raise InputError(source, "empty file (only white space): nothing to read", stage=READ)
    result = _extract(html, source, favor_recall=False) or _extract(
        html, source, favor_recall=True
    )
    if result is None:
        raise InputError(
            source,
            "no article text found in the HTML: the page may be empty, truncated or not an "
            "article (open it in a browser to check, or save the article text as .txt)",
            stage=PARSE,
        )
    return Article(
        source=source,
        text=result.text,
        encoding=encoding,
        fmt="html",
        title=result.title,
        published=result.date,
        url=result.url,
        outlet=result.sitename,
        author=result.author,
    )


def _decode(data: bytes, source: str, encoding: str | None) -> tuple[str, str]:
    if encoding is not None:
        return decode_bytes(data, source=source, encoding=encoding)
    declared = declared_html_charset(data)
    if declared is not None:
        try:
            return decode_bytes(data, source=source,
                                encoding=_BROWSER_ALIASES.get(declared, declared))
        except InputError:
            pass  # the page's label is wrong more often than one would hope: detect instead
    return decode_bytes(data, source=source)


def _extract(html: str, source: str, *, favor_recall: bool) -> Any:
    # Short pages can fall below trafilatura's precise extractor; favouring recall is the
    # documented second try before giving up on a page.
    try:
        result = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            favor_recall=favor_recall,
            date_extraction_params=_DATE_PARAMS,
        )
    except Exception as exc:  # noqa: BLE001 - see below
        # lxml refuses some broken documents outright (ValueError), and trafilatura or
        # htmldate fail in other ways on hostile markup (an AssertionError in lxml's
        # drop_tree for "<?html><iframe>"): any of them is this page's failure, not the run's.
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise InputError(source, f"the HTML could not be parsed ({detail}); check the file",
                         stage=PARSE) from exc
    if not (getattr(result, "text", None) or "").strip():
        return None  # None, or a page whose main text is empty
    return result
