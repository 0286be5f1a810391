"""Plain-text articles: decode the bytes, keep the text exactly as written."""

from __future__ import annotations

from .article import Article
from .encoding import decode_bytes
from .failure import READ, InputError

__all__ = ["read_text"]


def read_text(data: bytes, *, source: str, encoding: str | None = None) -> Article:
    """The Article held in the bytes of a plain-text file.

    Raises InputError when the bytes cannot be decoded or hold only white space.
    """
    text, used = decode_bytes(data, source=source, encoding=encoding)
    if not text.strip():
        raise InputError(source, "empty file (only white space): nothing to read", stage=READ)
    return Article(source=source, text=text, encoding=used, fmt="txt")
