"""Publication dates as articles write them, read into ISO ``YYYY-MM-DD`` without guessing.

Only complete dates are dates here: a day, a month and a year the text states. Nothing is
filled in from today's date (the habit of lenient parsers that turns "March 12" into this
year's March 12), and numeric dates whose day and month could be swapped are refused
unless the order is unambiguous (a part above 12, or dots, which only European usage has).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

__all__ = [
    "DateMatch",
    "find_dates",
    "parse_date",
    "normalise_date",
    "month_day",
    "month_number",
    "MONTHS",
]

# English month names and the abbreviations newsrooms use ("Sept." in AP style).
MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_ORD = r"(?:st|nd|rd|th)?"
_ZONE = (r"(?:\s*(?:Z|[+-]\d{2}:?\d{2}|\(?(?:UTC|GMT|BST|CET|CEST|EET|EEST|EST|EDT|CST|PST|"
         r"PDT|IST|MSK|JST|KST|HKT|SGT|ALMT|Beijing\s+time)(?:\s*[+-]\s*\d{1,2})?\)?))?")
_TIME = (r"(?:(?:[T\s]|,\s*|\s+at\s+)(?P<time>\d{1,2}:\d{2}(?::\d{2})?)(?:\.\d+)?"
         r"(?:\s*(?P<ampm>[ap]\.?m\.?))?" + _ZONE + r")?")

_PATTERNS: tuple[tuple[str, str], ...] = (
    ("iso", r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)"),
    ("ymd", r"(?P<y>\d{4})(?P<sep>[/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)"),
    ("cjk", r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
    ("dmy_name", _WEEKDAY + r"(?P<d>\d{1,2})" + _ORD + r"\s+(?:of\s+)?(?P<mname>" + _MONTH
     + r"),?\s+(?P<y>\d{4})(?!\d)"),
    ("mdy_name", _WEEKDAY + r"(?P<mname>" + _MONTH + r")\s+(?P<d>\d{1,2})" + _ORD
     + r"(?:,\s*|\s+)(?P<y>\d{4})(?!\d)"),
    ("numeric", r"(?<!\d)(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})(?!\d)"),
)


def _prefixed(name: str, pattern: str) -> str:
    # Group names must be unique in one regex, so each form's groups get its name in front.
    pattern = pattern.replace("(?P<", f"(?P<{name}_").replace("(?P=", f"(?P={name}_")
    return f"(?P<{name}>{pattern})"


_DATE = re.compile(
    r"(?<![\w])(?:" + "|".join(_prefixed(name, pattern) for name, pattern in _PATTERNS) + r")"
    + _TIME,
    re.IGNORECASE,
)
_MONTH_DAY = re.compile(r"(?P<mname>" + _MONTH + r")\s+(?P<d>\d{1,2})" + _ORD + r"(?!\d)",
                        re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A complete date found in a string: ISO date, optional time, and where it was."""

    date: str  # YYYY-MM-DD
    time: str | None  # HH:MM or HH:MM:SS, 24-hour
    start: int
    end: int
    rule: str  # which written form it had: iso, ymd, cjk, dmy_name, mdy_name, numeric


def month_number(name: str) -> int | None:
    """The month number of an English month name or abbreviation ("Sept." -> 9), else None."""
    return MONTHS.get(name.lower().rstrip("."))


def find_dates(text: str) -> Iterator[DateMatch]:
    """Every complete, valid and unambiguous date written in ``text``, left to right."""
    for match in _DATE.finditer(text):
        found = _to_date(match)
        if found is not None:
            yield found


def parse_date(text: str) -> DateMatch | None:
    """The date ``text`` consists of (surrounding spaces and punctuation allowed), else None."""
    stripped = text.strip(" \t,;|()[]")
    offset = text.find(stripped)
    for found in find_dates(stripped):
        if found.start == 0 and found.end == len(stripped):
            return DateMatch(found.date, found.time, found.start + offset, found.end + offset,
                             found.rule)
    return None


def normalise_date(value: str) -> str | None:
    """ISO ``YYYY-MM-DD`` for a date given as text (ISO, with time, month names…), else None."""
    found = parse_date(value)
    return found.date if found else None


def month_day(text: str) -> tuple[int, int] | None:
    """``(month, day)`` for a date written without a year ("July 4", "Feb. 5"), else None."""
    match = _MONTH_DAY.fullmatch(text.strip())
    if match is None:
        return None
    month = month_number(match["mname"])
    day = int(match["d"])
    return (month, day) if month and 1 <= day <= 31 else None


def _to_date(match: re.Match[str]) -> DateMatch | None:
    rule = next(name for name, _ in _PATTERNS if match[name] is not None)
    parts = {key[len(rule) + 1:]: value for key, value in match.groupdict().items()
             if key.startswith(rule + "_") and value is not None}
    ymd = _numeric_order(parts) if rule == "numeric" else _named_order(parts)
    if ymd is None:
        return None
    year, month, day = ymd
    if not 1900 <= year <= 2100:
        return None
    try:
        iso = date(year, month, day).isoformat()
    except ValueError:
        return None
    return DateMatch(iso, _clock(match["time"], match["ampm"]), match.start(), match.end(), rule)


def _named_order(parts: dict[str, str]) -> tuple[int, int, int] | None:
    month = month_number(parts["mname"]) if "mname" in parts else int(parts["m"])
    if month is None:
        return None
    return int(parts["y"]), month, int(parts["d"])


def _numeric_order(parts: dict[str, str]) -> tuple[int, int, int] | None:
    first, second, year = int(parts["a"]), int(parts["b"]), int(parts["y"])
    if parts["sep"] == ".":
        return year, second, first  # 12.03.2024 is day.month.year wherever it is written
    if first > 12 >= second:
        return year, second, first  # 25/03/2024: European order
    if second > 12 >= first:
        return year, first, second  # 03/25/2024: US order
    if first == second:
        return year, first, second
    return None  # 03/04/2024: March 4 or 3 April, the text cannot tell


def _clock(time: str | None, ampm: str | None) -> str | None:
    if time is None:
        return None
    pieces = [int(piece) for piece in time.split(":")]
    if ampm:
        pieces[0] = pieces[0] % 12 + (12 if ampm.lower().startswith("p") else 0)
    if pieces[0] > 23 or pieces[1] > 59 or (len(pieces) == 3 and pieces[2] > 59):
        return None
    return ":".join(f"{piece:02d}" for piece in pieces)
