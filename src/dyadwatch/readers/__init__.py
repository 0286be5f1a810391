"""Readers: files, folders and standard input in; an Article or a Failure for each input out.

Usage::

    for item in read_paths(["corpus/sample", "-"], max_bytes=20_000_000):
        if isinstance(item, Failure):
            report(item)  # source, stage (read | decode | parse), reason, line
        else:
            doc = article_to_document(item)  # raw text, encoding, container metadata
"""

from __future__ import annotations

from ..document import Failure
from .article import FORMATS, Article, article_to_document
from .dates import find_dates, normalise_date, parse_date
from .encoding import DETECTABLE_ENCODINGS, binary_kind, decode_bytes
from .failure import InputError
from .html import extract_html, read_html
from .jsonl import JSONL_FIELDS, parse_record
from .paths import DEFAULT_MAX_BYTES, EXTENSIONS, STDIN, read_paths
from .text import read_text

__all__ = [
    "Article",
    "Failure",
    "InputError",
    "read_paths",
    "article_to_document",
    "read_text",
    "read_html",
    "extract_html",
    "parse_record",
    "decode_bytes",
    "binary_kind",
    "normalise_date",
    "parse_date",
    "find_dates",
    "DEFAULT_MAX_BYTES",
    "DETECTABLE_ENCODINGS",
    "EXTENSIONS",
    "FORMATS",
    "JSONL_FIELDS",
    "STDIN",
]
