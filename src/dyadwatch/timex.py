"""Temporal expressions in English news: find them and resolve them to calendar dates.

An expression is resolved against the publication date (the *anchor*) and the tense of the
clause it sits in, at the precision the text gives, and never beyond it. Values are ISO:
``YYYY-MM-DD`` (day), ``YYYY-MM`` (month), ``YYYY`` (year), or ``START/END`` (an interval of
two such values: a range of days, a week, a quarter).

How an expression that names no year is placed (``tense`` is the clause's tense):

========================  =======================================================================
expression                resolved to
========================  =======================================================================
weekday ("Wednesday")     past: the latest such day on or before the anchor (0-6 days back, so a
                          report dated Wednesday saying "met on Wednesday" means that very day,
                          as wire style uses weekday names for the day of publication too);
                          future: the first on or after the anchor (0-6 days ahead);
                          present: the nearest one (3 days back to 3 days ahead), which fits both
                          headline present ("Xi meets X Wednesday") and programmes in progress.
"last / next Wednesday"   strictly before / after the anchor (1-7 days); "this Wednesday": the
                          one in the anchor's Monday-to-Sunday week. Tense is not consulted.
month, month and day,     past: the latest on or before the anchor ("in December" in February 2025
season, quarter           is 2024-12); future: the first that ends on or after it (2025-12);
                          present: the one holding the anchor, else the nearest.
a range                   its start as above; its end is the first fitting date on or after the
                          start ("from Friday to Feb 14"). In the present tense a range that holds
                          the anchor is preferred ("is making a visit from Tuesday to Friday").
yesterday, last month,    from the anchor alone (a week is its Monday/Sunday interval; modifiers
this week, 3 days ago     such as "earlier" or "late" are kept in ``note``, not in the value).
========================  =======================================================================

Without an anchor every expression that needs one gets value ``None`` and kind
``relative_unresolved``. Durations ("four-day", "30 years", "recent years"), decades ("the
1990s") and sets ("every year") have value ``None`` and an ISO 8601 ``duration`` ("P4D",
"P30Y", "PXY" for an unstated number of years). Expressions that refer to another event
("the next day", "two days later") are ``relative_unresolved`` with their offset in ``note``.

What is not read as a date: a bare month name without a cue word before it ("Theresa May"),
a four-digit number that counts things ("about 2000 troops", "$2023") or lies outside
1800-2199, "6/7/2017" beyond its year (day and month could be swapped), ordinals ("the 9th
Games", "the 20th century"), and season words that name something else ("Spring Festival").

The words (month names, units, cue words) live in ``data/timex_words.tsv``; the grammar that
combines them is the three pattern tables below (``_POINT_PATTERNS``, ``_OTHER_PATTERNS``,
``_LATE_PATTERNS``), one commented row per form of expression.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import RegistryError, UsageError

__all__ = [
    "Timex",
    "Words",
    "TENSES",
    "KINDS",
    "PRECISIONS",
    "find_timexes",
    "resolve",
    "span_interval",
    "load_words",
]

TENSES: tuple[str, ...] = ("past", "present", "future")
KINDS: tuple[str, ...] = ("date", "interval", "duration", "set", "relative_unresolved")
PRECISIONS: tuple[str, ...] = ("day", "month", "year", "interval")

# A tense, or a function (start, end) -> tense for the expression at those offsets.
TenseArg = str | Callable[[int, int], str]


@dataclass(frozen=True)
class Timex:
    """One temporal expression: its span in the text and what it resolves to.

    ``value``/``precision`` are None when the expression is not a calendar date or cannot be
    resolved. ``duration`` is an ISO 8601 duration for durations and sets. ``basis`` says what
    the value rests on: ``explicit`` (the text alone), ``anchor`` (the publication date),
    ``tense`` (the publication date and the clause's tense), None (no value). ``note`` keeps
    what the value cannot say: a modifier ("mod:early"), a season, an ambiguity, an offset.
    """

    start: int
    end: int
    text: str
    value: str | None
    precision: str | None
    kind: str
    duration: str | None = None
    basis: str | None = None
    note: str | None = None


# --------------------------------------------------------------------------------------------
# The word lists


@dataclass(frozen=True)
class Words:
    """The vocabulary of temporal expressions, as read from ``data/timex_words.tsv``."""

    months: dict[str, int]
    weekdays: dict[str, int]  # spelling -> Python weekday (0 = Monday)
    seasons: dict[str, int]
    numbers: dict[str, int]
    units: dict[str, str]
    day_words: dict[str, int]
    part_of_day: frozenset[str]
    quantity_cues: frozenset[str]
    count_nouns: frozenset[str]
    vague_quantities: frozenset[str]
    month_cues: frozenset[str]
    future_governors: frozenset[str]


_KEYED = {"month", "weekday", "season", "number", "unit", "day_word"}
_LISTS = {"part_of_day", "quantity_cue", "count_noun", "vague_quantity", "month_cue",
          "future_governor"}
_DATA_FILE = "timex_words.tsv"


@lru_cache(maxsize=4)
def load_words(path: str | None = None) -> Words:
    """Read the vocabulary of temporal expressions (once per process).

    ``path`` reads another file of the same format instead of the built-in one (to check an
    edited copy). Raises RegistryError naming the file and line when a file is malformed.
    """
    if path is None:
        source = f"dyadwatch/data/{_DATA_FILE}"
        text = resources.files("dyadwatch.data").joinpath(_DATA_FILE).read_text("utf-8")
    else:
        source = path
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise RegistryError(path, None, f"cannot read the file: {exc.strerror}") from exc
    return _parse_words(text, source)


def _parse_words(text: str, source: str) -> Words:
    keyed: dict[str, dict[str, int | str]] = {name: {} for name in _KEYED}
    lists: dict[str, set[str]] = {name: set() for name in _LISTS}
    header_seen = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if not header_seen:
            if fields != ["category", "key", "forms"]:
                raise RegistryError(source, number, "expected the header line "
                                    "'category<TAB>key<TAB>forms'")
            header_seen = True
            continue
        _read_row(fields, number, source, keyed, lists)
    missing = [name for name in ("month", "weekday", "unit") if not keyed[name]]
    if missing:
        raise RegistryError(source, None, f"no rows of {missing}: the grammar needs them")
    return _words_from(keyed, lists)


def _read_row(fields: list[str], number: int, source: str,
              keyed: dict[str, dict[str, int | str]], lists: dict[str, set[str]]) -> None:
    if len(fields) != 3 or not fields[2]:
        raise RegistryError(source, number, "expected 3 tab-separated fields: category, key, forms")
    category, key, forms = fields
    if category in _LISTS:
        lists[category].update(forms.split("|"))
        return
    if category not in _KEYED:
        raise RegistryError(source, number, f"unknown category '{category}'; valid: "
                            f"{sorted(_KEYED | _LISTS)}")
    try:
        parsed: int | str = key if category == "unit" else int(key)
    except ValueError as exc:
        raise RegistryError(source, number,
                            f"key '{key}' of a {category} must be a number") from exc
    for form in forms.split("|"):
        keyed[category][form] = parsed


def _words_from(keyed: dict[str, dict[str, int | str]], lists: dict[str, set[str]]) -> Words:
    def ints(name: str) -> dict[str, int]:
        return {form: int(key) for form, key in keyed[name].items()}

    return Words(
        months=ints("month"),
        weekdays={form: key - 1 for form, key in ints("weekday").items()},
        seasons={form.lower(): key for form, key in ints("season").items()},
        numbers={form.lower(): key for form, key in ints("number").items()},
        units={form.lower(): str(key) for form, key in keyed["unit"].items()},
        day_words={form.lower(): key for form, key in ints("day_word").items()},
        part_of_day=frozenset(lists["part_of_day"]),
        quantity_cues=frozenset(word.lower() for word in lists["quantity_cue"]),
        count_nouns=frozenset(word.lower() for word in lists["count_noun"]),
        vague_quantities=frozenset(word.lower() for word in lists["vague_quantity"]),
        month_cues=frozenset(word.lower() for word in lists["month_cue"]),
        future_governors=frozenset(word.lower() for word in lists["future_governor"]),
    )


# --------------------------------------------------------------------------------------------
# Calendar units and how a tense chooses among them


@dataclass(frozen=True)
class _When:
    """A resolved calendar unit: its first and last day, ISO value and precision."""

    first: date
    last: date
    value: str
    precision: str


def _day(day: date) -> _When:
    return _When(day, day, day.isoformat(), "day")


def _month(year: int, month: int) -> _When:
    last = calendar.monthrange(year, month)[1]
    return _When(date(year, month, 1), date(year, month, last), f"{year:04d}-{month:02d}", "month")


def _year(year: int) -> _When:
    return _When(date(year, 1, 1), date(year, 12, 31), f"{year:04d}", "year")


def _span(first: _When, last: _When) -> _When:
    return _When(first.first, last.last, f"{first.value}/{last.value}", "interval")


def _days(first: date, last: date) -> _When:
    return _span(_day(first), _day(last))


def _week_of(day: date) -> _When:
    monday = day - timedelta(days=day.weekday())
    return _days(monday, monday + timedelta(days=6))


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _choose(candidates: list[_When], anchor: date, tense: str) -> _When | None:
    """Pick the candidate the tense points to (see the module's table)."""
    candidates = sorted(candidates, key=lambda when: when.first)
    if not candidates:
        return None
    if tense == "past":
        before = [when for when in candidates if when.first <= anchor]
        return before[-1] if before else candidates[0]
    if tense == "future":
        after = [when for when in candidates if when.last >= anchor]
        return after[0] if after else candidates[-1]
    return min(candidates, key=lambda when: _distance(when, anchor))


def _distance(when: _When, anchor: date) -> int:
    if when.first <= anchor <= when.last:
        return 0
    return min(abs((when.first - anchor).days), abs((when.last - anchor).days))


def _first_from(candidates: list[_When], start: date) -> _When | None:
    """The earliest candidate that does not begin before ``start`` (a range's end)."""
    later = sorted((when for when in candidates if when.first >= start), key=lambda w: w.first)
    return later[0] if later else None


# --------------------------------------------------------------------------------------------
# Points: what one date expression says before it is placed on the calendar


@dataclass(frozen=True)
class _Result:
    value: str | None
    precision: str | None
    kind: str
    duration: str | None = None
    basis: str | None = None
    note: str | None = None


_UNRESOLVED = "needs the publication date"


@dataclass(frozen=True)
class _Point:
    """A date expression: calendar fields it states, or a rule relative to the anchor.

    ``year``/``month``/``day`` are what the text states; ``unit`` is the calendar unit the
    expression names ("day", "month", "year", "season", "quarter", "half"); ``rel`` a
    relative word ("last", "next", "this"); ``anchored`` an offset rule for expressions that
    depend on the anchor only ("yesterday", "last month").
    """

    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    unit: str = "day"
    rel: str | None = None
    anchored: Callable[[date], _When] | None = None
    note: str | None = None

    def in_year(self, year: int) -> _When | None:
        """The unit this point names in ``year`` (None when that day does not exist)."""
        if self.unit == "season":
            first = _month(year, self.month or 1)
            end_year, end_month = _add_months(year, self.month or 1, 2)
            return _When(first.first, _month(end_year, end_month).last, f"{year:04d}", "year")
        if self.unit in ("quarter", "half"):
            months = 3 if self.unit == "quarter" else 6
            first_month = self.month or 1
            return _span(_month(year, first_month), _month(year, first_month + months - 1))
        if self.month is None:
            return _year(year)
        if self.day is None:
            return _month(year, self.month)
        try:
            return _day(date(year, self.month, self.day))
        except ValueError:
            return None

    def fixed(self) -> _When | None:
        """The unit when the text alone places it (a year is stated)."""
        if self.year is None or self.weekday is not None and self.month is None:
            return None
        return self.in_year(self.year)

    def candidates(self, around: date) -> list[_When]:
        """Every unit this point could name near ``around`` (for a tense to choose from)."""
        if self.anchored is not None:
            try:
                return [self.anchored(around)]
            except (ValueError, OverflowError):
                return []  # "2000 years ago": before the calendar begins
        if self.month is None and self.weekday is not None:
            days = (around + timedelta(days=offset) for offset in range(-7, 8))
            return [_day(day) for day in days if day.weekday() == self.weekday]
        found = [self.in_year(year) for year in range(around.year - 1, around.year + 2)]
        units = [when for when in found if when is not None]
        if self.weekday is not None and self.day is not None:
            # "Wednesday, Feb. 5": the weekday tells which year's Feb. 5 is meant.
            matching = [when for when in units if when.first.weekday() == self.weekday]
            units = matching or units
        return units


def _place(point: _Point, anchor: date | None, tense: str) -> tuple[_When | None, str | None]:
    """Resolve one point: the unit and the basis it rests on."""
    fixed = point.fixed()
    if fixed is not None:
        return fixed, "explicit"
    if anchor is None:
        return None, None
    candidates = point.candidates(anchor)
    if point.anchored is not None:
        return (candidates[0] if candidates else None), "anchor"
    if point.rel == "last":
        before = [when for when in candidates if when.last < anchor]
        return (max(before, key=lambda when: when.first) if before else None), "anchor"
    if point.rel == "next":
        after = [when for when in candidates if when.first > anchor]
        return (min(after, key=lambda when: when.first) if after else None), "anchor"
    if point.rel == "this":
        return _this(point, candidates, anchor), "anchor"
    return _choose(candidates, anchor, tense), "tense"


def _this(point: _Point, candidates: list[_When], anchor: date) -> _When | None:
    if point.month is None and point.weekday is not None:
        week = _week_of(anchor)
        inside = [when for when in candidates if week.first <= when.first <= week.last]
    else:
        inside = [when for when in candidates if when.first.year == anchor.year]
    return inside[0] if inside else None


def _point_result(point: _Point, anchor: date | None, tense: str) -> _Result:
    when, basis = _place(point, anchor, tense)
    if when is None:
        note = _UNRESOLVED if anchor is None else "no such date"
        return _Result(None, None, "relative_unresolved", note=_join(point.note, note))
    return _Result(when.value, when.precision, "date", basis=basis, note=point.note)


def _join(*notes: str | None) -> str | None:
    kept = [note for note in notes if note]
    return "; ".join(kept) if kept else None


# --------------------------------------------------------------------------------------------
# Ranges


def _complete(start: _Point, end: _Point) -> tuple[_Point, _Point]:
    """Share the month and year one end states with the other ("May 18 and 19")."""
    if start.anchored or end.anchored or start.unit != "day" or end.unit != "day":
        return start, end
    if end.month is None and end.weekday is None and end.day is not None:
        end = replace(end, month=start.month, year=end.year or start.year)
    if start.month is None and start.weekday is None and start.day is not None:
        start = replace(start, month=end.month)
    if start.year is None and end.year is not None and start.month is not None:
        backwards = (start.month, start.day or 1) > (end.month or 12, end.day or 31)
        start = replace(start, year=end.year - 1 if backwards else end.year)
    if end.year is None and start.year is not None and end.month is not None:
        backwards = (end.month, end.day or 31) < (start.month or 1, start.day or 1)
        end = replace(end, year=start.year + 1 if backwards else start.year)
    return start, end


def _range_result(start: _Point, end: _Point, anchor: date | None, tense: str) -> _Result:
    start, end = _complete(start, end)
    first, last, basis = _place_range(start, end, anchor, tense)
    if first is None or last is None:
        note = _UNRESOLVED if anchor is None and first is None else "no such interval"
        return _Result(None, None, "relative_unresolved", note=_join("interval", note))
    return _Result(_span(first, last).value, "interval", "interval", basis=basis,
                   note=_join(start.note, end.note))


def _place_range(start: _Point, end: _Point, anchor: date | None,
                 tense: str) -> tuple[_When | None, _When | None, str | None]:
    first_fixed, last_fixed = start.fixed(), end.fixed()
    if first_fixed is not None:
        last = last_fixed or _first_from(end.candidates(first_fixed.first), first_fixed.first)
        return (first_fixed, last, "explicit") if last and last.last >= first_fixed.first \
            else (first_fixed, None, None)
    if anchor is None:
        return None, None, None
    starts = start.candidates(anchor)
    if start.rel or start.anchored:
        placed, _ = _place(start, anchor, tense)
        starts = [placed] if placed else []
    elif tense == "present":
        for candidate in starts:
            last = _first_from(end.candidates(candidate.first), candidate.first)
            if last is not None and candidate.first <= anchor <= last.last:
                return candidate, last, "tense"
    first = _choose(starts, anchor, tense)
    if first is None:
        return None, None, None
    last = last_fixed or _first_from(end.candidates(first.first), first.first)
    basis = "anchor" if start.rel or start.anchored else "tense"
    return first, last if last and last.last >= first.first else None, basis


# --------------------------------------------------------------------------------------------
# Regular-expression fragments built from the word lists


def _alternation(forms: list[str], *, exact_case: bool) -> str:
    """A regex alternation of ``forms``, longest first, each ending at a word boundary."""
    parts = []
    for form in sorted(set(forms), key=len, reverse=True):
        escaped = re.escape(form).replace(r"\ ", r"\s+")
        parts.append(escaped if form.endswith(".") else escaped + r"\b")
    body = "|".join(parts)
    return f"(?-i:{body})" if exact_case else f"(?:{body})"


@lru_cache(maxsize=1)
def _fragments() -> dict[str, str]:
    words = load_words()
    units = _alternation(list(words.units), exact_case=False)
    ones = [word for word, value in words.numbers.items() if value < 10]
    tens = [word for word, value in words.numbers.items() if 20 <= value < 100 and " " not in word]
    compound = f"{_alternation(tens, exact_case=False)}-{_alternation(ones, exact_case=False)}"
    number_words = f"(?:{compound}|{_alternation(list(words.numbers), exact_case=False)})"
    return {
        "MONTH": _alternation(list(words.months), exact_case=True),
        "WEEKDAY": _alternation(list(words.weekdays), exact_case=True),
        "SEASON": _alternation(list(words.seasons), exact_case=False),
        "PART": _alternation(list(words.part_of_day), exact_case=False),
        "DAYWORD": _alternation(list(words.day_words), exact_case=False),
        "VAGUE": _alternation(list(words.vague_quantities), exact_case=False),
        "UNIT": units,
        "NUM": rf"(?:(?<![\w$€£¥.,])\d{{1,4}}(?:\.\d+)?(?![\d,])|{number_words})",
        "DAY": r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d:%]|\.\d)",
        "YEAR": r"\d{4}(?![\d%]|[.,:/-]\d)",
        # early / late / mid- / the end of ... before a month, a year or a season.
        "MOD": r"(?:(?P<mod>early|late|(?:the\s+)?(?:end|beginning|start|middle|close)\s+of)\s+"
               r"|(?P<mid>mid)-?\s*)?",
        "B": r"(?<![\w$€£¥#./:,-])",  # a number's left edge: not inside a figure or a code
    }


def _expand(pattern: str) -> str:
    fragments = _fragments()
    return re.sub(r"\{([A-Z]+)\}", lambda match: fragments[match[1]], pattern)


def _unnamed(pattern: str) -> str:
    """The same pattern without named groups, to be embedded in another one."""
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


# --------------------------------------------------------------------------------------------
# The grammar: one row per form of expression, most specific first (on a tie in length the
# earlier row wins). {NAME} stands for a fragment built from the word lists (_fragments).

# Points: one date each. They are found on their own and serve as the two ends of ranges.
# Columns: rule name, the kind of word a text needs for the rule to be tried, the pattern.
_POINT_PATTERNS: tuple[tuple[str, str, str], ...] = (
    # 2025-02-06: ISO, as datelines and metadata write it
    ("iso", "DIGIT",
     r"{B}(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)"),
    # 2017/6/7, 2017.06.07: the year first, so day and month cannot be swapped
    ("ymd", "DIGIT",
     r"{B}(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})(?!\d)"),
    # 6/7/2017, 13/6/2017: day and month order unknown; a day only when one part is over 12
    ("numeric", "DIGIT",
     r"{B}(?P<p>\d{1,2})/(?P<q>\d{1,2})/(?P<y>\d{4})(?!\d)"),
    # December last year / Feb. 5 this year / early March next year
    ("month_rel_year", "MONTH",
     r"{MOD}(?P<month>{MONTH})(?:\s*(?P<d>{DAY}))?,?\s+(?:of\s+)?"
     r"(?P<yrel>last|this|next)\s+year\b"),
    # Dec. 12, 2024 / December 12 / Wednesday, Feb. 5
    ("month_day", "MONTH",
     r"(?:(?P<wd>{WEEKDAY}),?\s+)?(?P<month>{MONTH})\s*(?P<d>{DAY})(?:,?\s+(?P<y>{YEAR}))?"),
    # 12 December 2024 / the 12th of December / Wednesday, 5 February
    ("day_month", "MONTH",
     r"(?:(?P<wd>{WEEKDAY}),?\s+)?(?:the\s+)?{B}(?P<d>{DAY})\s+(?:of\s+)?(?P<month>{MONTH})"
     r"(?:,?\s+(?P<y>{YEAR}))?"),
    # September 2013 / early December 2024 / mid-March of 2020
    ("month_year", "MONTH",
     r"{MOD}(?P<month>{MONTH}),?\s+(?:of\s+)?(?P<y>{YEAR})"),
    # spring 2024 / this summer / in the autumn of 2019 / last winter
    ("season", "SEASON",
     r"{MOD}(?:(?P<rel>last|this|next)\s+)?(?P<season>{SEASON})(?:\s+(?:of\s+)?(?P<y>{YEAR}))?"),
    # the first quarter of 2024 / the second half of this year / the third quarter
    ("quarter", "QUARTER",
     r"\b(?:the\s+)?(?P<ord>first|second|third|fourth|final|1st|2nd|3rd|4th)\s+"
     r"(?P<part>quarter|half)(?:\s+of\s+(?:(?P<y>{YEAR})|(?P<yrel>this|last|next|the)\s+year))?"),
    # Q1 2024 / H2 2023
    ("quarter_code", "DIGIT",
     r"\b(?P<code>Q[1-4]|H[12])\s+(?P<y>{YEAR})"),
    # Wednesday / last Wednesday / this coming Friday / Wednesday night
    ("weekday", "WEEKDAY",
     r"(?:(?P<rel>last|this\s+past|this\s+coming|this|next|coming|past)\s+)?"
     r"(?P<wd>{WEEKDAY})(?:\s+(?P<part>{PART}))?"),
    # yesterday / today / tonight / tomorrow / last night / the day before yesterday
    ("day_word", "DAYWORD",
     r"\b(?P<word>{DAYWORD})"),
    # this week / last month / earlier this month / late last year / the end of next month
    ("relative", "UNIT",
     r"\b(?:(?P<mod>earlier|later|early|late|mid-?|(?:the\s+)?(?:end|beginning|start|middle|"
     r"close|rest)\s+of)\s*)?(?P<rel>this|last|next)\s+(?P<unit>week|weekend|month|year)\b"),
    # the end of the year / the rest of the month (the current one)
    ("relative_the", "UNIT",
     r"\b(?:the\s+)?(?P<mod>end|beginning|start|middle|close|rest)\s+of\s+the\s+"
     r"(?P<unit>week|month|year)\b"),
    # three days ago / a year ago / two decades ago
    ("ago", "UNIT",
     r"(?P<n>{NUM}|\ban?)\s+(?P<unit>{UNIT})\s+ago\b"),
    # December / early December / last December (alone only after a cue word: "in May")
    ("month", "MONTH",
     r"{MOD}(?:(?P<rel>last|this|next)\s+)?(?P<month>{MONTH})"),
    # 2023 / early 2024 / mid-2024 / the year 2023 (not a figure: "$2023", "2000 troops")
    ("year", "DIGIT",
     r"{B}{MOD}(?:the\s+year\s+)?(?P<y>{YEAR})"),
)

# The points a range may start or end with, in the order a regex must try them.
_RANGE_ENDS = ("iso", "ymd", "numeric", "month_rel_year", "month_day", "day_month",
               "month_year", "season", "quarter_code", "weekday", "day_word", "month", "year")

# Ranges: tried before the points, so that "from Tuesday to Friday" is one expression.
_OTHER_PATTERNS: tuple[tuple[str, str, str], ...] = (
    # from Tuesday to Friday / between May 18 and 19 / from Friday to Feb 14 / from 2020 to 2023
    ("range", "RANGE",
     r"\b(?P<lead>from|between)\s+(?P<a>{POINT}|{B}{DAY})\s*"
     r"(?P<link>to|until|till|through|thru|and|-|–|—)\s*"
     r"(?P<b>{POINT}|{B}{DAY}(?:,?\s+{YEAR})?)"),
    # Feb. 5-7, 2025 / May 18 to 20
    ("month_days", "MONTH",
     r"(?:(?P<wd>{WEEKDAY}),?\s+)?(?P<month>{MONTH})\s*(?P<d1>{DAY})\s*"
     r"(?:-|–|—|to|through|until)\s*(?P<d2>{DAY})(?:,?\s+(?P<y>{YEAR}))?"),
    # 5-7 February 2025 / 18 to 20 May
    ("days_month", "MONTH",
     r"{B}(?P<d1>{DAY})\s*(?:-|–|—|to)\s*(?P<d2>{DAY})\s+(?:of\s+)?(?P<month>{MONTH})"
     r"(?:,?\s+(?P<y>{YEAR}))?"),
    # 2020-2023 / 2020-23 / 2020 to 2023
    ("years", "DIGIT",
     r"{B}(?P<y1>\d{4})\s*(?:-|–|—|to)\s*(?P<y2>\d{4}|\d{2})(?![\d%]|[.,:/-]\d)"),
)

# Not dates: durations, sets and references to other events. Tried after the points.
_LATE_PATTERNS: tuple[tuple[str, str, str], ...] = (
    # a four-day journey / 30 years / two decades / 24 hours / 1.5 years
    ("duration", "UNIT",
     r"(?P<n>{NUM})(?:-|\s+)(?P<unit>{UNIT})(?:-long|-old)?\b"),
    # the past 30 years / the next five years / the past decade / the last few years
    ("duration_span", "UNIT",
     r"\bthe\s+(?P<rel>past|last|previous|next|coming|first|following|recent)\s+"
     r"(?:(?P<n>{NUM}|few|several|many|couple\s+of)\s+)?(?P<unit>{UNIT})"),
    # recent years / many years / several decades
    ("vague", "UNIT",
     r"\b(?P<q>{VAGUE})\s+(?P<unit>years|decades|months|weeks|days)\b"),
    # for years / for decades
    ("for_years", "UNIT",
     r"(?<=\bfor\s)(?P<unit>years|decades|months|weeks)\b"),
    # the 1990s / the early 2000s / mid-1990s: a decade, kept as a duration
    ("decade", "DIGIT",
     r"{B}(?:(?P<mod>early|late|mid)-?\s*)?(?P<y>\d{3}0)s\b"),
    # every year / each month / every two years / once a year / twice a month / annually
    ("set", "UNIT",
     r"\b(?:(?:every|each)\s+(?:(?P<n>{NUM}|other)\s+)?(?P<unit>{UNIT})"
     r"|(?P<times>once|twice|thrice|{NUM}\s+times)\s+(?:a|an|per|every)\s+(?P<unit2>{UNIT})"
     r"|(?P<adverb>annually|yearly))\b"),
    # the next day / the following week / the same day / that year / two days later /
    # the day before: dated from another event, not from the publication date
    ("reference", "UNIT",
     r"\b(?:the\s+(?P<rel>next|following|previous|preceding|prior|same)\s+"
     r"(?P<unit>day|week|weekend|month|year)"
     r"|(?P<that>that)\s+(?P<unit2>day|week|month|year)"
     r"|(?P<n>{NUM}|an?)\s+(?P<unit3>{UNIT})\s+(?P<dir>later|earlier|after|before|afterwards"
     r"|previously)"
     r"|the\s+(?P<unit4>day|week|month|year)\s+(?P<dir2>before|after))\b"),
)


def _pattern_table() -> list[tuple[str, str, str]]:
    return [*_OTHER_PATTERNS, *_POINT_PATTERNS, *_LATE_PATTERNS]


@lru_cache(maxsize=1)
def _compiled() -> list[tuple[str, str, re.Pattern[str]]]:
    points = {name: _expand(pattern) for name, _need, pattern in _POINT_PATTERNS}
    any_point = "(?:" + "|".join(_unnamed(points[name]) for name in _RANGE_ENDS) + ")"
    compiled = []
    for name, need, pattern in _pattern_table():
        expanded = _expand(pattern.replace("{POINT}", "\0")).replace("\0", any_point)
        compiled.append((name, need, re.compile(expanded, re.IGNORECASE)))
    return compiled


@lru_cache(maxsize=1)
def _point_parsers() -> list[tuple[str, re.Pattern[str]]]:
    return [(name, re.compile(_expand(pattern), re.IGNORECASE))
            for name, _need, pattern in _POINT_PATTERNS if name in _RANGE_ENDS]


@lru_cache(maxsize=1)
def _needs() -> dict[str, frozenset[str]]:
    """The words a text must hold for a rule to be tried (the table's second column).

    Most sentences hold no time word at all: one pass over their words skips them, and
    skips every rule whose key word a sentence lacks. Month and weekday names keep their case.
    """
    words = load_words()

    def first_words(forms: dict[str, int]) -> frozenset[str]:
        return frozenset(form.split()[0].rstrip(".") for form in forms)

    def last_words(forms: dict[str, int]) -> frozenset[str]:
        return frozenset(form.split()[-1] for form in forms)

    return {
        "MONTH": first_words(words.months),
        "WEEKDAY": first_words(words.weekdays),
        "DAYWORD": last_words(words.day_words),
        "SEASON": frozenset(words.seasons),
        "UNIT": frozenset([*words.units, "weekend", "annually", "yearly"]),
        "RANGE": frozenset(["from", "between"]),
        "QUARTER": frozenset(["quarter", "half"]),
    }


def _present_needs(text: str) -> set[str]:
    """Which of the table's needs ``text`` meets."""
    tokens = set(re.findall(r"[A-Za-z]+|\d", text))
    lowered = {token.lower() for token in tokens}
    present = {"DIGIT"} if any(token.isdigit() for token in tokens) else set()
    for need, words in _needs().items():
        if words & (tokens if need in ("MONTH", "WEEKDAY") else lowered):
            present.add(need)
    return present


# --------------------------------------------------------------------------------------------
# Readers: from a match to a point (or a resolver), with the checks a regex cannot make

Groups = dict[str, str | None]
Resolver = Callable[[date | None, str], _Result]


def _int_day(text: str) -> int:
    return int(re.match(r"\d+", text)[0])  # type: ignore[index]  # DAY always starts with digits


def _opt_int(text: str | None) -> int | None:
    return int(text) if text else None


def _spelling(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _calendar(year: int | None, month: int | None, day: int | None, *, weekday: int | None = None,
              note: str | None = None) -> _Point | None:
    """A calendar point, or None when the fields cannot make a date (Feb. 30, year 0900)."""
    if year is not None and not 1000 <= year <= 2999:
        return None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None:
        try:
            date(year or 2000, month or 1, day)  # 2000 is a leap year: Feb. 29 stays possible
        except ValueError:
            return None
    return _Point(year=year, month=month, day=day, weekday=weekday, note=note)


def _mod_note(groups: Groups) -> str | None:
    if groups.get("mid"):
        return "mod:mid"
    mod = groups.get("mod")
    if not mod:
        return None
    words = re.sub(r"^the\s+|\s+of$", "", mod.lower()).rstrip("-")
    return f"mod:{words}"


def _weekday_of(groups: Groups) -> int | None:
    name = groups.get("wd")
    return load_words().weekdays[name] if name else None


def _point_iso(groups: Groups) -> _Point | None:
    return _calendar(int(groups["y"] or 0), int(groups["m"] or 0), int(groups["d"] or 0))


def _point_numeric(groups: Groups) -> _Point | None:
    first, second, year = int(groups["p"] or 0), int(groups["q"] or 0), int(groups["y"] or 0)
    if first > 12 >= second:
        return _calendar(year, second, first)
    if second > 12 >= first or first == second:
        return _calendar(year, first, second)
    if first <= 12 and second <= 12:
        # 6/7/2017 is June 7 in one country and July 6 in another: keep only the year.
        return _calendar(year, None, None, note="day and month order ambiguous")
    return None


def _point_month_day(groups: Groups) -> _Point | None:
    year = _opt_int(groups.get("y"))
    month = load_words().months[groups["month"] or ""]
    return _calendar(year, month, _int_day(groups["d"] or ""), weekday=_weekday_of(groups))


def _point_month_rel_year(groups: Groups) -> _Point | None:
    month = load_words().months[groups["month"] or ""]
    day_text = groups.get("d")
    point = _calendar(None, month, _int_day(day_text) if day_text else None, note=_mod_note(groups))
    if point is None:
        return None
    shift = _SHIFT[(groups["yrel"] or "").lower()]
    return replace(point, anchored=lambda anchor: _in_year_or_nearest(point, anchor.year + shift))


def _in_year_or_nearest(point: _Point, year: int) -> _When:
    # Feb. 29 "last year" when last year had none: the nearest real day, Feb. 28.
    when = point.in_year(year)
    return when if when is not None else _day(date(year, point.month or 1, 28))


def _point_month_year(groups: Groups) -> _Point | None:
    month = load_words().months[groups["month"] or ""]
    return _calendar(int(groups["y"] or 0), month, None, note=_mod_note(groups))


def _point_season(groups: Groups, text: str, start: int) -> _Point | None:
    word = (groups["season"] or "").lower()
    year = _opt_int(groups.get("y"))
    if year is None and not groups.get("rel"):
        # "the fall of Kabul", "Arab Spring", "Spring Festival": not seasons of a year.
        if word == "fall" or not (groups["season"] or "").islower():
            return None
        if not re.search(r"\b(?:in|during|since|by|until|through|over)\s+(?:the\s+)?$",
                         text[max(0, start - 20):start], re.IGNORECASE):
            return None
    if year is not None and not 1000 <= year <= 2999:
        return None
    note = _join(f"season:{word}", _mod_note(groups))
    return _Point(year=year, month=load_words().seasons[word], unit="season",
                  rel=_rel(groups.get("rel")), note=note)


_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
             "4th": 4, "final": 0}


def _point_quarter(groups: Groups) -> _Point | None:
    unit = (groups["part"] or "").lower()
    count = 4 if unit == "quarter" else 2
    index = _ORDINALS[(groups["ord"] or "").lower()] or count
    if index > count:
        return None
    year = _opt_int(groups.get("y"))
    months = 3 if unit == "quarter" else 6
    point = _Point(year=year, month=(index - 1) * months + 1, unit=unit, note=f"{unit}:{index}")
    yrel = (groups.get("yrel") or "").lower()
    if yrel in ("last", "next"):
        shift = -1 if yrel == "last" else 1
        return replace(point, anchored=lambda anchor: _quarter_in(point, anchor.year + shift))
    if yrel == "this":
        return replace(point, anchored=lambda anchor: _quarter_in(point, anchor.year))
    return point  # "of the year", or no year: the tense chooses, as for a month


def _quarter_in(point: _Point, year: int) -> _When:
    return point.in_year(year)  # type: ignore[return-value]  # quarters exist in every year


def _point_quarter_code(groups: Groups) -> _Point | None:
    code = (groups["code"] or "").upper()
    unit = "quarter" if code[0] == "Q" else "half"
    index = int(code[1])
    months = 3 if unit == "quarter" else 6
    return _Point(year=int(groups["y"] or 0), month=(index - 1) * months + 1, unit=unit,
                  note=f"{unit}:{index}")


def _rel(word: str | None) -> str | None:
    if not word:
        return None
    word = _spelling(word.lower())
    if word in ("last", "past", "this past"):
        return "last"
    if word in ("next", "coming", "this coming"):
        return "next"
    return "this"


def _point_weekday(groups: Groups) -> _Point | None:
    part = groups.get("part")
    return _Point(weekday=_weekday_of(groups), rel=_rel(groups.get("rel")),
                  note=f"part:{part.lower()}" if part else None)


def _point_day_word(groups: Groups) -> _Point | None:
    offset = load_words().day_words[_spelling((groups["word"] or "").lower())]
    return _Point(anchored=lambda anchor: _day(anchor + timedelta(days=offset)))


_SHIFT = {"this": 0, "last": -1, "next": 1}


def _point_relative(groups: Groups) -> _Point | None:
    unit = (groups["unit"] or "").lower()
    shift = _SHIFT[(groups.get("rel") or "this").lower()]
    return _Point(anchored=lambda anchor: _shifted(anchor, unit, shift), note=_mod_note(groups))


def _shifted(anchor: date, unit: str, shift: int) -> _When:
    """The week, weekend, month or year ``shift`` units from the anchor's own."""
    if unit == "week":
        return _week_of(anchor + timedelta(weeks=shift))
    if unit == "weekend":
        week = _week_of(anchor + timedelta(weeks=shift))
        return _days(week.first + timedelta(days=5), week.last)
    if unit == "month":
        return _month(*_add_months(anchor.year, anchor.month, shift))
    return _year(anchor.year + shift)


def _number(text: str) -> float | None:
    """The number a numeral or number word spells ("30", "four", "twenty-five", "a")."""
    text = _spelling(text.lower().strip())
    if text in ("a", "an"):
        return 1
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    numbers = load_words().numbers
    if text in numbers:
        return numbers[text]
    tens, _, ones = text.partition("-")
    if tens in numbers and ones in numbers:
        return numbers[tens] + numbers[ones]
    return None


def _point_ago(groups: Groups) -> _Point | None:
    count = _number(groups["n"] or "")
    unit = load_words().units[(groups["unit"] or "").lower()]
    if count is None or count != int(count):
        return None
    return _Point(anchored=lambda anchor: _ago(anchor, int(count), unit),
                  note="approximate" if unit == "DEC" else None)


def _ago(anchor: date, count: int, unit: str) -> _When:
    if unit == "D":
        return _day(anchor - timedelta(days=count))
    if unit == "W":
        return _week_of(anchor - timedelta(weeks=count))
    if unit == "M":
        return _month(*_add_months(anchor.year, anchor.month, -count))
    if unit in ("Y", "DEC"):
        return _year(anchor.year - count * (10 if unit == "DEC" else 1))
    return _day(anchor)  # hours or minutes ago: the day itself


def _point_month(groups: Groups) -> _Point | None:
    month = load_words().months[groups["month"] or ""]
    return _Point(month=month, rel=_rel(groups.get("rel")), note=_mod_note(groups))


def _point_year(groups: Groups) -> _Point | None:
    return _calendar(int(groups["y"] or 0), None, None, note=_mod_note(groups))


_POINT_READERS: dict[str, Callable[[Groups], _Point | None]] = {
    "iso": _point_iso,
    "ymd": _point_iso,
    "numeric": _point_numeric,
    "month_day": _point_month_day,
    "day_month": _point_month_day,
    "month_year": _point_month_year,
    "month_rel_year": _point_month_rel_year,
    "quarter": _point_quarter,
    "quarter_code": _point_quarter_code,
    "weekday": _point_weekday,
    "day_word": _point_day_word,
    "relative": _point_relative,
    "relative_the": _point_relative,
    "ago": _point_ago,
    "month": _point_month,
    "year": _point_year,
}


def _read_point(name: str, match: re.Match[str], text: str) -> _Point | None:
    groups: Groups = match.groupdict()
    if name == "ymd":
        groups = {"y": groups["y"], "m": groups["m"], "d": groups["d"]}
    if name == "season":
        return _point_season(groups, text, match.start())
    return _POINT_READERS[name](groups)


def _parse_end(text: str) -> _Point | None:
    """Read one end of a range ("Friday", "Feb 14", "19")."""
    text = text.strip()
    bare_day = re.fullmatch(_expand(r"(?P<d>{DAY})(?:,?\s+(?P<y>{YEAR}))?"), text)
    if bare_day:
        return _Point(day=_int_day(bare_day["d"]), year=_opt_int(bare_day["y"]))
    for name, pattern in _point_parsers():
        match = pattern.fullmatch(text)
        if match:
            return _read_point(name, match, text)
    return None


# --------------------------------------------------------------------------------------------
# Context checks: what makes "May", "2000" or "from 5 to 7" a date or not


def _word_before(text: str, start: int) -> str:
    words = re.findall(r"[\w'.-]+", text[max(0, start - 30):start])
    return words[-1].lower() if words else ""


def _words_after(text: str, end: int, count: int = 2) -> list[str]:
    return re.findall(r"[A-Za-z%]+", text[end:end + 40])[:count]


def _is_count(text: str, start: int, end: int) -> bool:
    """True when the number at [start, end) counts things ("about 2000 troops")."""
    words = load_words()
    before = _spelling(text[max(0, start - 25):start].lower()).rstrip()
    if any(re.search(rf"(?:^|\W){re.escape(cue)}$", before) for cue in words.quantity_cues):
        return True
    after = [word.lower() for word in _words_after(text, end)]
    return any(word in words.count_nouns or word in ("percent", "%") for word in after)


def _month_alone_ok(match: re.Match[str], text: str) -> bool:
    if match.group("mod") or match.group("mid") or match.group("rel"):
        return True
    return _word_before(text, match.start()) in load_words().month_cues


def _year_ok(match: re.Match[str], text: str) -> bool:
    year = int(match.group("y"))
    if match.group("mod") or match.group("mid"):
        return 1000 <= year <= 2999
    return 1800 <= year <= 2199 and not _is_count(text, match.start(), match.end())


# --------------------------------------------------------------------------------------------
# Resolvers of the other rules


def _duration_code(count: float | None, unit: str) -> str:
    """ISO 8601 duration: P4D, P30Y, PT24H, P20Y for two decades, PXY when unstated."""
    if count is None:
        amount, unit = "X", "Y" if unit == "DEC" else unit
    elif unit == "DEC":
        amount, unit = _amount(count * 10), "Y"
    else:
        amount = _amount(count)
    if unit in ("H", "MIN"):
        return f"PT{amount}{'H' if unit == 'H' else 'M'}"
    return f"P{amount}{unit}"


def _amount(count: float) -> str:
    return str(int(count)) if count == int(count) else str(count)


def _fixed_result(result: _Result) -> Resolver:
    return lambda anchor, tense: result


def _read_duration(groups: Groups) -> Resolver | None:
    count = _number(groups["n"] or "")
    if count is None or count <= 0:
        return None
    unit = load_words().units[(groups["unit"] or "").lower()]
    return _fixed_result(_Result(None, None, "duration", duration=_duration_code(count, unit)))


_REFERENCE_SIGN = {"next": "+", "following": "+", "previous": "-", "preceding": "-",
                   "prior": "-", "same": ""}


def _read_duration_span(groups: Groups) -> Resolver | None:
    rel = (groups["rel"] or "").lower()
    raw_unit = (groups["unit"] or "").lower()
    unit = load_words().units[raw_unit]
    amount = groups.get("n")
    if amount is None and rel in _REFERENCE_SIGN and not raw_unit.endswith("s"):
        # "the next day", "the following year": dated from another event.
        return _reference(_REFERENCE_SIGN[rel], 1, unit)
    if amount is None:
        count: float | None = None if raw_unit.endswith("s") else 1
    else:
        count = _number(amount)
    note = "future" if rel in ("next", "coming", "following") else None
    return _fixed_result(_Result(None, None, "duration", duration=_duration_code(count, unit),
                                 note=note))


def _read_vague(groups: Groups) -> Resolver | None:
    unit = load_words().units[(groups["unit"] or "").lower()]
    return _fixed_result(_Result(None, None, "duration", duration=_duration_code(None, unit)))


def _read_decade(groups: Groups) -> Resolver | None:
    decade = groups["y"] or ""
    mod = groups.get("mod")
    note = _join(f"decade:{decade}s", f"mod:{mod.lower()}" if mod else None)
    if not 1000 <= int(decade) <= 2990:
        return None
    return _fixed_result(_Result(None, None, "duration", duration="P10Y", note=note))


def _read_set(groups: Groups) -> Resolver | None:
    if groups.get("adverb"):
        return _fixed_result(_Result(None, None, "set", duration="P1Y"))
    unit = load_words().units[(groups.get("unit") or groups.get("unit2") or "").lower()]
    amount = groups.get("n")
    count = 2 if amount and amount.lower() == "other" else (_number(amount) if amount else 1)
    times = groups.get("times")
    note = f"times:{times.lower()}" if times else None
    code = _duration_code(count, unit)
    return _fixed_result(_Result(None, None, "set", duration=code, note=note))


def _reference(sign: str, count: float | None, unit: str) -> Resolver:
    offset = "P0D" if sign == "" else f"{sign}{_duration_code(count, unit)}"
    return _fixed_result(_Result(None, None, "relative_unresolved",
                                 note=f"reference:{offset}"))


def _read_reference(groups: Groups) -> Resolver | None:
    units = load_words().units
    if groups.get("rel"):
        word = (groups["unit"] or "").lower()
        unit = "D" if word == "weekend" else units[word]
        return _reference(_REFERENCE_SIGN[(groups["rel"] or "").lower()], 1, unit)
    if groups.get("that"):
        return _reference("", 0, units[(groups["unit2"] or "").lower()])
    if groups.get("unit3"):
        count = _number(groups["n"] or "")
        direction = (groups["dir"] or "").lower()
        sign = "-" if direction in ("earlier", "before", "previously") else "+"
        return _reference(sign, count, units[(groups["unit3"] or "").lower()])
    sign = "-" if (groups["dir2"] or "").lower() == "before" else "+"
    return _reference(sign, 1, units[(groups["unit4"] or "").lower()])


def _read_range(match: re.Match[str], text: str) -> Resolver | None:
    lead, link = match.group("lead").lower(), match.group("link").lower()
    if (lead == "from") == (link == "and"):
        return None  # "from ... and", "between ... to": not one range
    start, end = _parse_end(match.group("a")), _parse_end(match.group("b"))
    if start is None or end is None or _bare_number(start) and _bare_number(end):
        return None  # "from 5 to 7": numbers, not days
    if _year_only(start) and _year_only(end) and _is_count(text, match.start(), match.end()):
        return None  # "from 2000 to 2500 troops"
    return lambda anchor, tense: _range_result(start, end, anchor, tense)


def _bare_number(point: _Point) -> bool:
    return point.year is None and point.month is None and point.weekday is None \
        and point.anchored is None


def _year_only(point: _Point) -> bool:
    return point.year is not None and point.month is None


def _read_month_days(groups: Groups) -> Resolver | None:
    year = _opt_int(groups.get("y"))
    month = load_words().months[groups["month"] or ""]
    start = _calendar(year, month, _int_day(groups["d1"] or ""), weekday=_weekday_of(groups))
    end = _calendar(year, month, _int_day(groups["d2"] or ""))
    if start is None or end is None or (end.day or 0) <= (start.day or 0):
        return None
    return lambda anchor, tense: _range_result(start, end, anchor, tense)


def _read_years(match: re.Match[str], text: str) -> Resolver | None:
    first, second = match.group("y1"), match.group("y2")
    if len(second) == 2:
        second = first[:2] + second
    if not int(first) < int(second) <= int(first) + 100:
        return None  # "2023-2020" is no range, "1990-2200" no pair of years
    start, end = _calendar(int(first), None, None), _calendar(int(second), None, None)
    if start is None or end is None or _is_count(text, match.start(), match.end()):
        return None
    return lambda anchor, tense: _range_result(start, end, anchor, tense)


def _reader(name: str, match: re.Match[str], text: str) -> Resolver | None:
    """The resolver for one match of rule ``name``, or None when the context says no."""
    if name == "range":
        return _read_range(match, text)
    if name == "years":
        return _read_years(match, text)
    if name in ("month_days", "days_month"):
        return _read_month_days(match.groupdict())
    if name == "month" and not _month_alone_ok(match, text):
        return None
    if name == "year" and not _year_ok(match, text):
        return None
    if name in _LATE_READERS:
        return _LATE_READERS[name](match.groupdict())
    point = _read_point(name, match, text)
    if point is None:
        return None
    return lambda anchor, tense: _point_result(point, anchor, tense)


_LATE_READERS: dict[str, Callable[[Groups], Resolver | None]] = {
    "duration": _read_duration,
    "duration_span": _read_duration_span,
    "vague": _read_vague,
    "for_years": _read_vague,
    "decade": _read_decade,
    "set": _read_set,
    "reference": _read_reference,
}


# --------------------------------------------------------------------------------------------
# The public functions


def find_timexes(text: str, *, anchor: date | None, tense: TenseArg = "past") -> list[Timex]:
    """Find the temporal expressions in ``text`` and resolve them against ``anchor``.

    ``tense`` is "past", "present" or "future", or a function ``(start, end) -> tense`` that
    is called once for every expression found, with its offsets into ``text``. Returns the
    expressions in text order, offsets relative to ``text``; they never overlap (the longest
    reading wins). Raises UsageError for an unknown tense.
    """
    if isinstance(tense, str):
        _check_tense(tense)
    found = []
    for start, end, resolver in _select(_candidates(text)):
        here = tense(start, end) if callable(tense) else tense
        _check_tense(here)
        result = resolver(anchor, here)
        found.append(Timex(start, end, text[start:end], result.value, result.precision,
                           result.kind, result.duration, result.basis, result.note))
    return found


def resolve(expression: str, *, anchor: date | None,
            tense: str = "past") -> tuple[str | None, str | None]:
    """Resolve one expression ("on Wednesday", "back in September 2013") to (value, precision).

    The longest expression found in ``expression`` is the one resolved; (None, None) when it
    holds none, or only one that is not a calendar date. Raises UsageError for an unknown tense.
    """
    timexes = find_timexes(expression, anchor=anchor, tense=tense)
    if not timexes:
        return None, None
    longest = max(timexes, key=lambda timex: timex.end - timex.start)
    return longest.value, longest.precision


def span_interval(start: str, duration: str) -> str | None:
    """The interval a day-precision start and a duration in days or weeks cover.

    "a four-day journey ... Wednesday": ``span_interval("2017-06-07", "P4D")`` is
    "2017-06-07/2017-06-10" (the start day counts as the first). None when ``start`` is not
    a day or the duration is not a whole number of days or weeks.
    """
    match = re.fullmatch(r"P(\d+)([DW])", duration or "")
    try:
        first = date.fromisoformat(start)
    except (TypeError, ValueError):
        return None
    if match is None or len(start) != 10 or int(match[1]) < 1:
        return None
    days = int(match[1]) * (7 if match[2] == "W" else 1)
    return f"{first.isoformat()}/{(first + timedelta(days=days - 1)).isoformat()}"


def _check_tense(tense: str) -> None:
    if tense not in TENSES:
        raise UsageError(f"Unknown tense {tense!r}. Valid tenses: {list(TENSES)}")


def _candidates(text: str) -> list[tuple[int, int, int, Resolver]]:
    present = _present_needs(text)
    found: list[tuple[int, int, int, Resolver]] = []
    if not present:
        return found
    for order, (name, need, pattern) in enumerate(_compiled()):
        if need not in present:
            continue
        for match in pattern.finditer(text):
            if match.end() == match.start():
                continue
            resolver = _reader(name, match, text)
            if resolver is not None:
                found.append((match.start(), match.end(), order, resolver))
    return found


def _select(candidates: list[tuple[int, int, int, Resolver]]) -> list[tuple[int, int, Resolver]]:
    """Keep the longest readings that do not overlap (earlier rules win ties), in text order."""
    taken: list[tuple[int, int, Resolver]] = []
    for start, end, _order, resolver in sorted(candidates, key=lambda c: (c[0] - c[1], c[0], c[2])):
        if all(end <= other_start or start >= other_end for other_start, other_end, _ in taken):
            taken.append((start, end, resolver))
    return sorted(taken, key=lambda item: item[0])
