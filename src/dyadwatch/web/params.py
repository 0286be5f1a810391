"""Checks of what a request asks for: each returns the clean value or raises UsageError
(answered 422) naming the parameter, what was wrong and what would be right."""

from __future__ import annotations

import re
from collections.abc import Collection

from ..errors import UsageError
from ..store.coref import date_bounds
from ..store.queries import PLOVER_TYPES

__all__ = ["MAX_LIMIT", "MAX_OFFSET", "MAX_QUERY_CHARS", "MODES", "country_code", "pair",
           "page", "plover_type", "mode", "date", "period", "search_query", "span",
           "mode_name"]

MAX_LIMIT = 500  # rows per page of any listing
MAX_OFFSET = 1_000_000
MAX_QUERY_CHARS = 500  # a search longer than this is not a search
# What ?mode= accepts besides one mode word: "done" (reported as done, not denied) and "all".
MODES = {"done": "", "all": None}
_CODE = re.compile(r"[A-Z][A-Z0-9+]{1,11}")
_MODE_WORD = re.compile(r"[a-z]{1,30}")
_SPAN = re.compile(r"(\d{1,9})-(\d{1,9})")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def country_code(value: str, name: str, known: Collection[str]) -> str:
    """``value`` upper-cased when it is a code the registry knows (a country or an IGO)."""
    code = value.strip().upper()
    if not _CODE.fullmatch(code):
        raise UsageError(
            f"{name}={value!r} is not a country code. Use an ISO 3166 alpha-3 code such as "
            "CHN or KGZ, or an IGO code such as SCO.")
    if known and code not in known:
        raise UsageError(
            f"{name}={value!r} is not a country or IGO code the registry knows. Use an ISO "
            "3166 alpha-3 code such as CHN or KGZ; /api/pairs lists the pairs in the store.")
    return code


def pair(a: str, b: str, known: Collection[str]) -> tuple[str, str]:
    """Two different known codes, as given (upper-cased)."""
    first, second = country_code(a, "a", known), country_code(b, "b", known)
    if first == second:
        raise UsageError(f"a and b are both {first}: a pair needs two different countries.")
    return first, second


def page(limit: int, offset: int, *, max_limit: int = MAX_LIMIT) -> tuple[int, int]:
    """``limit`` and ``offset`` when 1 <= limit <= max_limit and 0 <= offset <= MAX_OFFSET."""
    if not 1 <= limit <= max_limit:
        raise UsageError(f"limit={limit}: give a page size from 1 to {max_limit}; page on "
                         "with offset.")
    if not 0 <= offset <= MAX_OFFSET:
        raise UsageError(f"offset={offset}: give an offset from 0 to {MAX_OFFSET}.")
    return limit, offset


def plover_type(value: str | None) -> str | None:
    """A PLOVER event type, upper-cased (None stays None)."""
    if value is None or value == "":
        return None
    found = value.strip().upper()
    if found not in PLOVER_TYPES:
        raise UsageError(f"type={value!r} is not a PLOVER event type. Choose one of "
                         f"{', '.join(PLOVER_TYPES)}.")
    return found


def mode(value: str | None, *, default: str) -> str | None:
    """The Store's mode filter: "" for done, None for all, else one mode word."""
    chosen = (value or default).strip().lower()
    if chosen in MODES:
        return MODES[chosen]
    if not _MODE_WORD.fullmatch(chosen):
        raise UsageError(f"mode={value!r} is not a mode. Use done, all, or one mode word "
                         "such as future, intend, hypothetical, negation.")
    return chosen


def mode_name(store_mode: str | None) -> str:
    """The ?mode= word for a Store mode filter (the inverse of ``mode``)."""
    if store_mode is None:
        return "all"
    return store_mode or "done"


def date(value: str | None, name: str) -> str | None:
    """A date as YYYY, YYYY-MM, YYYY-MM-DD or START/END (None and "" give None)."""
    if value is None or value.strip() == "":
        return None
    cleaned = value.strip()
    if len(cleaned) > 21 or date_bounds(cleaned) is None:
        raise UsageError(f"{name}={value!r} is not a date. Use YYYY, YYYY-MM or YYYY-MM-DD "
                         "(e.g. 2025-02).")
    return cleaned


def period(value: str) -> str:
    """month or year."""
    if value not in ("month", "year"):
        raise UsageError(f"by={value!r} is not a period. Choose month or year.")
    return value


def search_query(value: str) -> str:
    """The text of a search, at most MAX_QUERY_CHARS characters, control characters turned
    into spaces (SQLite's full-text query parser stops at a NUL)."""
    if len(value) > MAX_QUERY_CHARS:
        raise UsageError(f"q is {len(value)} characters long; a search takes at most "
                         f"{MAX_QUERY_CHARS}. Search for fewer words.")
    return _CONTROL.sub(" ", value)


def span(value: str | None, text_length: int) -> tuple[int, int] | None:
    """A ``START-END`` character span inside a text of ``text_length`` characters."""
    if value is None or value == "":
        return None
    match = _SPAN.fullmatch(value.strip())
    if match is None:
        raise UsageError(f"highlight={value!r} is not a span. Give START-END character "
                         "offsets, e.g. highlight=120-245.")
    start, end = int(match[1]), int(match[2])
    if not 0 <= start < end <= text_length:
        raise UsageError(f"highlight={value!r} is outside the text (0-{text_length}); give "
                         "START < END within it.")
    return start, end
