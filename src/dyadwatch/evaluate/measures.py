"""The small measures every scorer shares: string folding, date ranges, precision and recall.

Conventions (strict by design):

- ``fold`` lower-cases (``str.casefold``) and turns every run of punctuation, symbols and
  white space into one space, so ``"Ata-Jurt" party`` and ``ata jurt party`` are equal.
- ``occurs_in`` looks for a folded phrase in folded text on word boundaries, so ``BRI``
  does not occur in ``Bright Road``.
- Precision is the share of system items that match something in the gold; recall the share
  of required gold items that some system item matches. With no system items, precision
  is 1.0 only when the gold requires nothing (otherwise 0.0); with no required gold items,
  recall is 1.0 (and any system item is then a false positive that lowers precision).
- A date is read as the closed range of days it covers: ``YYYY-MM-DD`` one day, ``YYYY-MM``
  the month, ``YYYY`` the year, ``START/END`` from the first day of START to the last day of
  END. A system date agrees with a gold date when its whole range lies inside the gold range
  ("at the gold precision": ``2025-02-05`` is inside ``2025-02``; ``2025-02`` is not inside
  ``2025-02-05``). A gold ``null`` agrees only with a system ``null``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "Tally",
    "fold",
    "occurs_in",
    "date_range",
    "date_agrees",
    "ratio",
]

_NON_WORD = re.compile(r"[\W_]+")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def fold(text: str | None) -> str:
    """Return ``text`` case-folded with punctuation and white space runs made one space."""
    if not text:
        return ""
    return _NON_WORD.sub(" ", text.casefold()).strip()


def occurs_in(phrase: str, folded_text: str) -> bool:
    """True when ``phrase`` (folded here) occurs in ``folded_text`` on word boundaries.

    ``folded_text`` must already be folded (fold it once per document, not per phrase).
    """
    needle = fold(phrase)
    return bool(needle) and f" {needle} " in f" {folded_text} "


def _one_date(text: str, *, end: bool) -> tuple[date, str] | None:
    # Returns the first (or, with end=True, the last) day the expression covers.
    match = _DATE.match(text.strip())
    if not match:
        return None
    year, month, day = match.groups()
    try:
        if day:
            return date(int(year), int(month), int(day)), "day"
        if month:
            last = calendar.monthrange(int(year), int(month))[1] if end else 1
            return date(int(year), int(month), last), "month"
        return (date(int(year), 12, 31) if end else date(int(year), 1, 1)), "year"
    except ValueError:
        return None


def date_range(text: str | None) -> tuple[date, date, str] | None:
    """Return ``(first_day, last_day, precision)`` of a date expression, or None.

    ``precision`` is ``day``, ``month``, ``year`` or ``interval``; None when ``text`` is
    empty or not one of ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``, ``START/END``.
    """
    if not text:
        return None
    if "/" in text:
        head, _, tail = text.partition("/")
        first, last = _one_date(head, end=False), _one_date(tail, end=True)
        if first is None or last is None or last[0] < first[0]:
            return None
        return first[0], last[0], "interval"
    first, last = _one_date(text, end=False), _one_date(text, end=True)
    if first is None or last is None:
        return None
    return first[0], last[0], first[1]


def date_agrees(system: str | None, gold: str | None, *, tolerance_days: int = 0) -> bool:
    """True when the system date lies inside the gold date (see the module conventions).

    ``tolerance_days`` widens a gold date of day precision (or an interval of days) on both
    sides, as the gold's ``date_tolerance_days`` says; months and years are not widened.
    """
    if gold is None:
        return system is None
    gold_range, system_range = date_range(gold), date_range(system)
    if gold_range is None or system_range is None:
        return False
    first, last, precision = gold_range
    if tolerance_days and precision in ("day", "interval"):
        first, last = first - timedelta(days=tolerance_days), last + timedelta(days=tolerance_days)
    return first <= system_range[0] and system_range[1] <= last


def ratio(hits: int, total: int) -> float:
    """``hits / total``, 1.0 when there is nothing to count."""
    return hits / total if total else 1.0


@dataclass
class Tally:
    """Counts behind precision and recall: system items and required gold items."""

    system_ok: int = 0  # system items that match some gold item
    system_total: int = 0
    gold_found: int = 0  # required gold items some system item matches
    gold_total: int = 0  # required gold items

    def add(self, other: Tally) -> None:
        """Add the counts of ``other`` to these."""
        self.system_ok += other.system_ok
        self.system_total += other.system_total
        self.gold_found += other.gold_found
        self.gold_total += other.gold_total

    @property
    def precision(self) -> float:
        """Share of system items that match the gold (see the module conventions)."""
        if not self.system_total:
            return 1.0 if not self.gold_total else 0.0
        return self.system_ok / self.system_total

    @property
    def recall(self) -> float:
        """Share of required gold items found (1.0 when none is required)."""
        return ratio(self.gold_found, self.gold_total)

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (0.0 when both are 0)."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def scores(self) -> dict[str, float]:
        """``{"precision", "recall", "f1"}``."""
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}

    def counts(self) -> dict[str, int]:
        """The raw counts, for the details of a report."""
        return {
            "system_ok": self.system_ok,
            "system_total": self.system_total,
            "gold_found": self.gold_found,
            "gold_total": self.gold_total,
        }
