"""JSON Lines: one article per line, ``{"text": ..., "title": ..., "published": ...}``.

Lines are read one at a time, so a file of any length streams; a bad line becomes a
Failure with its line number and the good lines around it are still read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from ..document import Failure
from .article import Article

__all__ = ["parse_jsonl_lines", "parse_record", "JSONL_FIELDS"]

# Optional string fields an article record may carry; "date" is another name for "published".
JSONL_FIELDS: tuple[str, ...] = ("title", "published", "date", "url", "outlet", "author")


def parse_jsonl_lines(
    lines: Iterable[tuple[int, bytes | str | None]], *, source: str
) -> Iterator[Article | Failure]:
    """Parse numbered lines of a JSONL stream into Articles, or Failures for the bad ones.

    ``lines`` yields ``(line_number, content)``; content None marks a line that was too long
    to read (the reader has already skipped it). Blank lines are skipped.
    """
    for number, content in lines:
        where = f"{source}:{number}"
        if content is None:
            yield Failure(where, "read", "line too long: over the max_bytes limit for one "
                                         "article (pass a larger max_bytes)", number)
            continue
        if isinstance(content, bytes):
            try:
                content = content.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield Failure(where, "decode", f"not valid UTF-8 (byte {exc.start} of the line); "
                                               "JSON Lines must be UTF-8", number)
                continue
        if content.strip():
            yield parse_record(content, source=where, line=number)


def parse_record(content: str, *, source: str, line: int | None = None) -> Article | Failure:
    """One JSONL line as an Article, or a Failure that says what is wrong with it."""
    try:
        record = json.loads(content)
    except json.JSONDecodeError as exc:
        return Failure(source, "parse", f"invalid JSON at column {exc.colno}: {exc.msg}", line)
    if not isinstance(record, dict):
        return Failure(source, "parse", f"expected a JSON object with a 'text' field, got "
                                        f"{_json_type(record)}", line)
    problem = _check_fields(record)
    if problem:
        return Failure(source, "parse", problem, line)
    return Article(
        source=source,
        text=record["text"],
        encoding="utf-8",
        fmt="jsonl",
        line=line,
        title=record.get("title"),
        published=record.get("published") or record.get("date"),
        url=record.get("url"),
        outlet=record.get("outlet"),
        author=record.get("author"),
    )


def _check_fields(record: dict[str, Any]) -> str | None:
    text = record.get("text")
    if text is None:
        keys = ", ".join(sorted(record)) or "none"
        return f"missing the required field 'text' (fields given: {keys})"
    if not isinstance(text, str):
        return f"field 'text' must be a string, got {_json_type(text)}"
    if not text.strip():
        return "field 'text' is empty: nothing to read"
    for name in JSONL_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            return f"field '{name}' must be a string or null, got {_json_type(value)}"
    for name in ("text", *JSONL_FIELDS):
        # JSON may escape half of a UTF-16 pair ("\\ud800"): no valid text holds one alone,
        # and neither the model nor the database can take it.
        found = _SURROGATE.search(record.get(name) or "")
        if found is not None:
            return (f"field '{name}' holds an unpaired surrogate (\\u{ord(found.group()):04x} at "
                    f"character {found.start()}), which is not valid Unicode; fix the escape "
                    "in the JSON")
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    shown = json.dumps(value, ensure_ascii=False)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return f"{names.get(type(value), type(value).__name__)} ({shown})"
