"""Checks on the office-holder registry data for the focus countries and the EU institutions.

These tests read the TSV files directly with ``csv`` (not through ``dyadwatch.registry``) so that
the data can be validated on its own: well-formed rows, consistent people, terms that neither
overlap nor leave the required offices empty for long, and a few known holders on known days.
"""

from __future__ import annotations

import calendar
import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path

import pytest

HEADER = ["person_id", "name", "aliases", "country", "office", "start", "end", "wikidata"]
DATA_DIR = Path(str(files("dyadwatch") / "data" / "registry" / "office_holders"))
CORE = DATA_DIR / "core.tsv"
EU = DATA_DIR / "eu_institutions.tsv"

FOCUS_COUNTRIES = (
    *("CHN", "RUS", "USA", "KAZ", "KGZ", "TJK", "TKM", "UZB", "IND"),
    *("PAK", "IRN", "TUR", "JPN", "KOR", "PRK", "MNG", "AFG"),
)
STATE_OFFICES = ("head_of_state", "head_of_government", "foreign_minister")
EU_OFFICES = (
    "commission_president",
    "council_president",
    "high_representative",
    "parliament_president",
)

PERIOD_START = date(2000, 1, 1)
PERIOD_END = date(2025, 12, 31)
MAX_GAP_DAYS = 120
# The permanent presidency of the European Council exists only since the Lisbon Treaty.
COVERAGE_FROM = {("EU", "council_president"): date(2009, 12, 1)}
# Real vacancies longer than MAX_GAP_DAYS: (country, office, first vacant day) -> reason.
KNOWN_VACANCIES = {
    ("PRK", "foreign_minister", date(2007, 1, 3)): (
        "Paek Nam Sun died on 2007-01-02; Pak Ui Chun was appointed only on 2007-05-18"
    ),
}

SLUG = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
QID = re.compile(r"^Q[1-9][0-9]*$")


@dataclass(frozen=True)
class Term:
    """One data row of an office-holder file, with its file and line for error messages."""

    source: str
    line: int
    person_id: str
    name: str
    aliases: str
    country: str
    office: str
    start: str
    end: str
    wikidata: str

    @property
    def where(self) -> str:
        """Return 'file:line' for assertion messages."""
        return f"{self.source}:{self.line}"


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Return the header and the (line number, fields) of every data row; '#' lines are skipped."""
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [(number, line) for number, line in enumerate(handle, start=1)]
    content = [(n, line) for n, line in lines if not line.startswith("#")]
    reader = csv.reader(
        (line for _, line in content), delimiter="\t", quoting=csv.QUOTE_NONE, strict=True
    )
    for (number, _), fields in zip(content, reader, strict=True):
        if not header:
            header = fields
        else:
            rows.append((number, fields))
    return header, rows


def load_terms(path: Path) -> list[Term]:
    """Return the rows of a file as Terms (the file must have the expected header)."""
    header, rows = read_rows(path)
    assert header == HEADER, f"{path.name}: header is {header}, expected {HEADER}"
    return [Term(path.name, number, *fields) for number, fields in rows if len(fields) == 8]


def date_bounds(text: str) -> tuple[date, date]:
    """Return the first and last day a (possibly partial) date can denote."""
    match = DATE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year_text, month_text, day_text = match.groups()
    year = int(year_text)
    if month_text is None:
        return date(year, 1, 1), date(year, 12, 31)
    month = int(month_text)
    if day_text is None:
        if not 1 <= month <= 12:
            raise ValueError(f"{text!r} has no month {month}")
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    exact = date(year, month, int(day_text))
    return exact, exact


def possible_span(term: Term) -> tuple[date, date]:
    """Return the widest span the term may cover (used for coverage and lookups)."""
    end = date.max if not term.end else date_bounds(term.end)[1]
    return date_bounds(term.start)[0], end


def certain_span(term: Term) -> tuple[date, date]:
    """Return the span the term certainly covers (used for overlaps; may be empty)."""
    end = date.max if not term.end else date_bounds(term.end)[0]
    return date_bounds(term.start)[1], end


def coverage_gaps(terms: list[Term], first: date, last: date) -> list[tuple[date, date]]:
    """Return the (first day, last day) of every stretch in [first, last] covered by no term."""
    gaps: list[tuple[date, date]] = []
    cursor = first
    for start, end in sorted(possible_span(term) for term in terms):
        if start > cursor:
            gaps.append((cursor, min(start - timedelta(days=1), last)))
        if end == date.max:
            return [gap for gap in gaps if gap[0] <= last]
        cursor = max(cursor, end + timedelta(days=1))
        if cursor > last:
            break
    if cursor <= last:
        gaps.append((cursor, last))
    return [gap for gap in gaps if gap[0] <= last]


def long_gaps(terms: list[Term], first: date, last: date) -> list[tuple[date, date]]:
    """Return the gaps longer than MAX_GAP_DAYS."""
    return [
        (start, end)
        for start, end in coverage_gaps(terms, first, last)
        if (end - start).days + 1 > MAX_GAP_DAYS
    ]


def overlaps(terms: list[Term]) -> list[tuple[Term, Term]]:
    """Return (earlier, later) pairs whose certain spans overlap (a same-day handover is allowed)."""
    clashes: list[tuple[Term, Term]] = []
    latest: Term | None = None  # the term reaching furthest so far, so nested terms are caught too
    for current in sorted(terms, key=lambda term: certain_span(term)[0]):
        if latest is not None and certain_span(current)[0] < certain_span(latest)[1]:
            clashes.append((latest, current))
        if latest is None or certain_span(current)[1] > certain_span(latest)[1]:
            latest = current
    return clashes


def holders_on(terms: list[Term], country: str, office: str, day: date) -> set[str]:
    """Return the person_ids that may hold the office on that day."""
    return {
        term.person_id
        for term in terms
        if term.country == country
        and term.office == office
        and possible_span(term)[0] <= day <= possible_span(term)[1]
    }


def by_office(terms: list[Term]) -> dict[tuple[str, str], list[Term]]:
    """Group terms by (country, office)."""
    groups: dict[tuple[str, str], list[Term]] = defaultdict(list)
    for term in terms:
        groups[(term.country, term.office)].append(term)
    return groups


def term(person_id: str, start: str, end: str) -> Term:
    """Build a Term by hand for the tests of the checking helpers."""
    return Term("hand", 0, person_id, "", "", "XXX", "head_of_state", start, end, "")


@pytest.fixture(scope="module")
def core_terms() -> list[Term]:
    return load_terms(CORE)


@pytest.fixture(scope="module")
def eu_terms() -> list[Term]:
    return load_terms(EU)


@pytest.fixture(scope="module")
def all_terms(core_terms: list[Term], eu_terms: list[Term]) -> list[Term]:
    return core_terms + eu_terms


# --- the checking helpers can fail --------------------------------------------------------------


def test_gap_helper_reports_a_vacancy_and_accepts_a_same_day_handover() -> None:
    terms = [term("a", "2000-01-01", "2003-05-01"), term("b", "2003-09-15", "")]
    assert long_gaps(terms, PERIOD_START, PERIOD_END) == [(date(2003, 5, 2), date(2003, 9, 14))]
    handover = [term("a", "1999", "2010-06-30"), term("b", "2010-06-30", "")]
    assert coverage_gaps(handover, PERIOD_START, PERIOD_END) == []


def test_gap_helper_reports_an_office_left_empty_at_the_end() -> None:
    terms = [term("a", "1999", "2020-03-01")]
    assert coverage_gaps(terms, PERIOD_START, PERIOD_END) == [(date(2020, 3, 2), PERIOD_END)]


def test_overlap_helper_uses_the_certain_span_of_partial_dates() -> None:
    same_month = [term("a", "2000", "2018-10-12"), term("b", "2018-10", "")]
    assert overlaps(same_month) == []
    clash = [term("a", "2000", "2018-10-12"), term("b", "2018-09-30", "")]
    assert len(overlaps(clash)) == 1
    nested = [term("a", "2000", "2010"), term("b", "2002", "2003"), term("c", "2005", "2006")]
    assert [(x.person_id, y.person_id) for x, y in overlaps(nested)] == [("a", "b"), ("a", "c")]


@pytest.mark.parametrize(
    "text", ["2020-13", "2020-02-30", "20-01-01", "2020/01/01", "2020-1-1", ""]
)
def test_date_bounds_rejects_malformed_dates(text: str) -> None:
    with pytest.raises(ValueError):
        date_bounds(text)


# --- file shape ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [CORE, EU], ids=lambda path: path.name)
def test_every_row_has_eight_columns(path: Path) -> None:
    header, rows = read_rows(path)
    assert header == HEADER
    assert rows, f"{path.name} has no data rows"
    bad = [(number, len(fields)) for number, fields in rows if len(fields) != 8]
    assert bad == [], f"{path.name}: rows with a wrong column count (line, columns): {bad}"


def test_fields_have_no_stray_whitespace(all_terms: list[Term]) -> None:
    bad = [
        term.where
        for term in all_terms
        for value in (term.person_id, term.name, term.country, term.office, term.start, term.end)
        if value != value.strip()
    ]
    assert bad == []


def test_countries_and_offices_are_from_the_agreed_lists(
    core_terms: list[Term], eu_terms: list[Term]
) -> None:
    bad_core = [
        term.where
        for term in core_terms
        if term.country not in FOCUS_COUNTRIES or term.office not in STATE_OFFICES
    ]
    bad_eu = [
        term.where for term in eu_terms if term.country != "EU" or term.office not in EU_OFFICES
    ]
    assert bad_core == [] and bad_eu == []


def test_person_ids_are_slugs(all_terms: list[Term]) -> None:
    bad = [(term.where, term.person_id) for term in all_terms if not SLUG.match(term.person_id)]
    assert bad == []


def test_dates_are_well_formed_and_ends_follow_starts(all_terms: list[Term]) -> None:
    problems = []
    for term in all_terms:
        try:
            start_first, _ = date_bounds(term.start)
            end_last = date_bounds(term.end)[1] if term.end else date.max
        except ValueError as error:
            problems.append(f"{term.where}: {error}")
            continue
        # Compare at the coarser of the two precisions: '2018-10' may end a term begun '2018-10-19'.
        precision = min(len(term.start), len(term.end)) if term.end else len(term.start)
        if term.end and term.end[:precision] < term.start[:precision] or end_last < start_first:
            problems.append(f"{term.where}: ends {term.end} before it starts {term.start}")
    assert problems == []


def test_terms_cover_the_year_2000_onwards_only_where_they_reach_it(all_terms: list[Term]) -> None:
    too_old = [
        term.where for term in all_terms if term.end and possible_span(term)[1] < PERIOD_START
    ]
    assert too_old == [], "terms that ended before 2000 do not belong in this registry"


def test_wikidata_ids_are_well_formed_and_one_per_person(all_terms: list[Term]) -> None:
    qids_of: dict[str, set[str]] = defaultdict(set)
    people_of: dict[str, set[str]] = defaultdict(set)
    for term in all_terms:
        if term.wikidata:
            assert QID.match(term.wikidata), f"{term.where}: bad Q-id {term.wikidata!r}"
            qids_of[term.person_id].add(term.wikidata)
            people_of[term.wikidata].add(term.person_id)
    assert {pid: qids for pid, qids in qids_of.items() if len(qids) > 1} == {}
    assert {qid: pids for qid, pids in people_of.items() if len(pids) > 1} == {}


# --- people -------------------------------------------------------------------------------------


def test_each_person_is_named_on_the_first_row_and_consistently_after(
    all_terms: list[Term],
) -> None:
    first: dict[str, Term] = {}
    problems = []
    for term in all_terms:
        if term.person_id not in first:
            first[term.person_id] = term
            if not term.name:
                problems.append(f"{term.where}: first row of {term.person_id} has no name")
            continue
        original = first[term.person_id]
        if term.name and term.name != original.name:
            problems.append(f"{term.where}: {term.person_id} renamed {term.name!r}")
        if term.aliases and term.aliases != original.aliases:
            problems.append(f"{term.where}: {term.person_id} has different aliases")
    assert problems == []


def test_aliases_are_clean_lists(all_terms: list[Term]) -> None:
    problems = []
    for term in all_terms:
        if not term.aliases:
            continue
        items = term.aliases.split("|")
        if any(not item or item != item.strip() for item in items):
            problems.append(f"{term.where}: empty or padded alias in {term.aliases!r}")
        if len({item.casefold() for item in items}) != len(items):
            problems.append(f"{term.where}: repeated alias in {term.aliases!r}")
        if term.name in items:
            problems.append(f"{term.where}: the name is repeated among the aliases")
    assert problems == []


def test_no_alias_or_name_points_to_two_people(all_terms: list[Term]) -> None:
    """A shared bare surname (e.g. two Berdimuhamedovs) must be left to date-based resolution."""
    owners: dict[str, set[str]] = defaultdict(set)
    for term in all_terms:
        labels = [term.name, *term.aliases.split("|")] if term.aliases else [term.name]
        for label in labels:
            if label:
                owners[label.casefold()].add(term.person_id)
    shared = {label: pids for label, pids in owners.items() if len(pids) > 1}
    assert shared == {}


# --- terms per office ---------------------------------------------------------------------------


def test_terms_of_one_office_do_not_overlap(all_terms: list[Term]) -> None:
    clashes = [
        f"{before.where} {before.person_id} ({before.start}..{before.end}) overlaps "
        f"{after.where} {after.person_id} ({after.start}..{after.end})"
        for group in by_office(all_terms).values()
        for before, after in overlaps(group)
    ]
    assert clashes == []


def test_at_most_one_open_term_per_office(all_terms: list[Term]) -> None:
    open_terms = {
        key: [term.person_id for term in group if not term.end]
        for key, group in by_office(all_terms).items()
    }
    assert {key: pids for key, pids in open_terms.items() if len(pids) != 1} == {}


REQUIRED = [(country, office) for country in FOCUS_COUNTRIES for office in STATE_OFFICES] + [
    ("EU", office) for office in EU_OFFICES
]


@pytest.mark.parametrize("country,office", REQUIRED, ids=lambda value: value)
def test_required_offices_are_covered_from_2000_to_2025(
    all_terms: list[Term], country: str, office: str
) -> None:
    terms = by_office(all_terms)[(country, office)]
    assert terms, f"no rows for {country} {office}"
    first = COVERAGE_FROM.get((country, office), PERIOD_START)
    gaps = [
        (start, end)
        for start, end in long_gaps(terms, first, PERIOD_END)
        if (country, office, start) not in KNOWN_VACANCIES
    ]
    assert gaps == [], f"{country} {office}: uncovered stretches longer than {MAX_GAP_DAYS} days"


def test_known_vacancies_are_still_present_in_the_data(all_terms: list[Term]) -> None:
    """An exception that no longer matches a gap should be removed, not kept silently."""
    groups = by_office(all_terms)
    stale = [
        key
        for key in KNOWN_VACANCIES
        if key[2]
        not in {start for start, _ in long_gaps(groups[key[:2]], PERIOD_START, PERIOD_END)}
    ]
    assert stale == []


@pytest.mark.parametrize("country", ["USA", "TKM"])
def test_presidents_who_also_head_the_government_have_both_rows(
    core_terms: list[Term], country: str
) -> None:
    groups = by_office(core_terms)
    state = {(t.person_id, t.start, t.end) for t in groups[(country, "head_of_state")]}
    government = {(t.person_id, t.start, t.end) for t in groups[(country, "head_of_government")]}
    assert state == government


# --- known holders ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "country,office,day,expected",
    [
        ("KGZ", "head_of_state", date(2023, 5, 19), "sadyr_japarov"),
        ("KAZ", "head_of_state", date(2017, 6, 7), "nursultan_nazarbayev"),
        ("CHN", "head_of_state", date(2025, 2, 5), "xi_jinping"),
        ("CHN", "foreign_minister", date(2023, 5, 19), "qin_gang"),
        ("KGZ", "head_of_state", date(2020, 12, 1), "talant_mamytov"),
        ("KGZ", "head_of_state", date(2020, 10, 30), "sadyr_japarov"),
        ("RUS", "head_of_government", date(2010, 6, 1), "vladimir_putin"),
        ("TKM", "head_of_state", date(2023, 1, 1), "serdar_berdimuhamedov"),
        ("EU", "high_representative", date(2022, 3, 1), "josep_borrell"),
    ],
)
def test_known_holder_on_a_day(
    all_terms: list[Term], country: str, office: str, day: date, expected: str
) -> None:
    assert holders_on(all_terms, country, office, day) == {expected}
