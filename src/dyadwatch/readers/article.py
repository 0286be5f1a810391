"""The Article a reader yields, and how it becomes the Document the pipeline runs on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..document import Document, Meta
from .dates import parse_date

__all__ = ["Article", "article_to_document", "FORMATS"]

FORMATS: tuple[str, ...] = ("txt", "html", "jsonl")

_SPACES = re.compile(r"\s+")


@dataclass
class Article:
    """One article as read from its container, before any analysis.

    ``title``, ``published``, ``url``, ``outlet`` and ``author`` are what the container
    itself states (JSONL fields, HTML metadata), as written; None when it states nothing.
    """

    source: str  # "path", "path.jsonl:LINE" or "<stdin>:LINE"
    text: str
    encoding: str | None
    fmt: str  # "txt" | "html" | "jsonl"
    line: int | None = None
    title: str | None = None
    published: str | None = None
    url: str | None = None
    outlet: str | None = None
    author: str | None = None


def article_to_document(article: Article) -> Document:
    """Build the Document for ``article``: raw text, encoding and the container's metadata.

    ``published`` becomes ISO ``YYYY-MM-DD`` (None, with a note in ``problems``, when it is
    not a complete date). A title the container gives separately is put on the first line of
    the raw text when the text does not already start with it, because headlines report
    events and every annotation must point into the text.
    """
    meta = Meta(
        title=_clean(article.title),
        url=_clean(article.url),
        outlet=_clean(article.outlet),
        author=_clean(article.author),
    )
    problems: list[str] = []
    if _clean(article.published):
        found = parse_date(article.published or "")
        if found is None:
            problems.append(f"read: published value {article.published!r} is not a complete "
                            "date (day, month and year); left empty")
        else:
            meta.published, meta.published_time = found.date, found.time
    doc = Document(source=article.source, raw=_raw_text(article.text, meta.title),
                   encoding=article.encoding, meta=meta)
    doc.problems.extend(problems)
    return doc


def _raw_text(text: str, title: str | None) -> str:
    if not title:
        return text
    head = _SPACES.sub(" ", text.lstrip()[: len(title) * 2]).casefold()
    if head.startswith(_SPACES.sub(" ", title).casefold()):
        return text
    return f"{title}\n\n{text}"


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = _SPACES.sub(" ", value).strip()
    return value or None
