"""Checks of the office-holder registry files europe.tsv and world.tsv (issue 3).

Pure Python with csv: these tests read the data files directly and do not depend on the
loader, so a broken row is reported with its file and line however the loader behaves.

Partial dates (YYYY-MM, YYYY) stand for "some day in that period". Overlaps are reported
only when two terms certainly overlap; gaps are measured at their widest possible extent.
"""

from __future__ import annotations

import calendar
import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from pathlib import Path

import pytest

REGISTRY = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "dyadwatch"
    / "data"
    / "registry"
    / "office_holders"
)
FILES = ("europe.tsv", "world.tsv")
COLUMNS = ["person_id", "name", "aliases", "country", "office", "start", "end", "wikidata"]
OFFICES = {"head_of_state", "head_of_government", "foreign_minister"}
WINDOW_START = date(2000, 1, 1)
WINDOW_END = date(2025, 12, 31)
MAX_GAP_DAYS = 180

SLUG = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
ISO3 = re.compile(r"^[A-Z]{3}$")
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
QID = re.compile(r"^Q[1-9]\d*$")


def codes(text: str) -> list[str]:
    """Return the country codes written space-separated in text."""
    return text.split()


EU_MEMBERS = codes(
    "AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD POL PRT "
    "ROU SVK SVN ESP SWE"
)

# Countries covered by core.tsv (written separately); they must not appear in these files.
CORE_COUNTRIES = codes("CHN RUS USA KAZ KGZ TJK TKM UZB IND PAK IRN TUR JPN KOR PRK MNG AFG")

# Every UN member state, plus Taiwan, Kosovo and Palestine.
UN_MEMBERS_AND_OTHERS = codes(
    "AFG ALB DZA AND AGO ATG ARG ARM AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ BEN BTN BOL BIH BWA "
    "BRA BRN BGR BFA BDI CPV KHM CMR CAN CAF TCD CHL CHN COL COM COG COD CRI CIV HRV CUB CYP CZE "
    "DNK DJI DMA DOM ECU EGY SLV GNQ ERI EST SWZ ETH FJI FIN FRA GAB GMB GEO DEU GHA GRC GRD GTM "
    "GIN GNB GUY HTI HND HUN ISL IND IDN IRN IRQ IRL ISR ITA JAM JPN JOR KAZ KEN KIR PRK KOR KWT "
    "KGZ LAO LVA LBN LSO LBR LBY LIE LTU LUX MDG MWI MYS MDV MLI MLT MHL MRT MUS MEX FSM MDA MCO "
    "MNG MNE MAR MOZ MMR NAM NRU NPL NLD NZL NIC NER NGA MKD NOR OMN PAK PLW PAN PNG PRY PER PHL "
    "POL PRT QAT ROU RUS RWA KNA LCA VCT WSM SMR STP SAU SEN SRB SYC SLE SGP SVK SVN SLB SOM ZAF "
    "SSD ESP LKA SDN SUR SWE CHE SYR TJK TZA THA TLS TGO TON TTO TUN TUR TKM TUV UGA UKR ARE GBR "
    "USA URY UZB VUT VEN VNM YEM ZMB ZWE TWN XKX PSE"
)

# Heads of state that could not be recorded reliably: the country has no single head of state
# (collective or paired offices) or its holders change too often to be kept here with certainty.
KNOWN_GAPS = {
    "AND": "two co-princes at once (the French president and the Bishop of Urgell)",
    "BIH": "collective three-member presidency with a chair rotating every eight months",
    "SMR": "two Captains Regent, replaced every six months",
}

# Gaps over MAX_GAP_DAYS that are facts, not missing data: (country, office) -> (from, to, reason).
EXPECTED_GAPS = {
    ("AUT", "head_of_state"): (
        date(2016, 7, 8),
        date(2017, 1, 26),
        "presidential powers held jointly by the three presidents of the National Council",
    ),
    ("IRQ", "head_of_state"): (
        date(2003, 4, 9),
        date(2004, 6, 28),
        "occupation: Coalition Provisional Authority and the rotating Governing Council",
    ),
    ("HTI", "head_of_state"): (
        date(2021, 7, 7),
        date(2024, 4, 30),
        "presidency vacant after the assassination of Jovenel Moise",
    ),
    ("LBN", "head_of_state"): (
        date(2007, 11, 23),
        date(2025, 1, 9),
        "presidency vacant in 2007-2008, 2014-2016 and 2022-2025",
    ),
    ("SOM", "head_of_state"): (
        date(2000, 1, 1),
        date(2000, 8, 27),
        "no central government until the Transitional National Government",
    ),
    ("TLS", "head_of_state"): (
        date(2000, 1, 1),
        date(2002, 5, 20),
        "UN transitional administration before independence",
    ),
    ("SSD", "head_of_state"): (
        date(2000, 1, 1),
        date(2011, 7, 9),
        "part of Sudan before independence",
    ),
    ("XKX", "head_of_state"): (
        date(2000, 1, 1),
        date(2002, 3, 4),
        "UN administration before the first president was elected",
    ),
    ("NRU", "head_of_state"): (
        date(2000, 1, 1),
        date(2003, 8, 8),
        "frequent changes of president in 2000-2003 not recorded with certainty",
    ),
}

# At least 60 major countries whose head of state must be covered over the whole window.
MAJOR_HEADS_OF_STATE = codes(
    "GBR CAN AUS NZL NOR CHE UKR BLR GEO ARM AZE SRB ALB ISR PSE JOR SYR IRQ SAU KWT QAT ARE OMN "
    "YEM EGY LBY TUN DZA MAR SDN NGA GHA ZAF KEN ETH TZA UGA RWA COD AGO MOZ ZWE ZMB SEN CIV CMR "
    "MEX GTM CUB COL VEN ECU PER BOL CHL ARG URY PRY BRA BGD LKA NPL MMR THA VNM MYS SGP IDN PHL "
    "TWN KHM VAT"
)

COMMONWEALTH_REALMS = codes("GBR CAN AUS NZL JAM BHS BLZ ATG KNA LCA VCT GRD PNG SLB TUV")


@dataclass(frozen=True)
class Term:
    """One data row of a registry file, with where it came from."""

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
        return f"{self.source}:{self.line}"


def parse_date_bounds(text: str) -> tuple[date, date]:
    """Return the earliest and latest day that a (possibly partial) date can denote.

    Raises ValueError when the text is not YYYY, YYYY-MM or YYYY-MM-DD or names no real day.
    """
    match = PARTIAL_DATE.match(text)
    if not match:
        raise ValueError(f"not a YYYY[-MM[-DD]] date: {text!r}")
    year_text, month_text, day_text = match.groups()
    year = int(year_text)
    if month_text is None:
        return date(year, 1, 1), date(year, 12, 31)
    month = int(month_text)
    if day_text is None:
        last = calendar.monthrange(year, month)[1]
        return date(year, month, 1), date(year, month, last)
    exact = date(year, month, int(day_text))
    return exact, exact


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Return the header and the data rows (with line numbers) of a registry file."""
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row in reader:
            if not row or not "".join(row).strip() or row[0].startswith("#"):
                continue
            if not header:
                header = row
                continue
            rows.append((reader.line_num, row))
    return header, rows


def load_terms(name: str) -> list[Term]:
    """Return the terms of one registry file; rows of the wrong width are skipped here."""
    _, rows = read_rows(REGISTRY / name)
    return [Term(name, line, *row) for line, row in rows if len(row) == len(COLUMNS)]


@pytest.fixture(scope="module")
def terms() -> list[Term]:
    return [term for name in FILES for term in load_terms(name)]


@pytest.fixture(scope="module")
def by_office(terms: list[Term]) -> dict[tuple[str, str], list[Term]]:
    grouped: dict[tuple[str, str], list[Term]] = defaultdict(list)
    for term in terms:
        grouped[(term.country, term.office)].append(term)
    return grouped


def start_bounds(term: Term) -> tuple[date, date]:
    return parse_date_bounds(term.start)


def end_bounds(term: Term) -> tuple[date, date]:
    """Bounds of the end date; an open term runs to the end of the window."""
    if not term.end:
        return WINDOW_END, WINDOW_END
    return parse_date_bounds(term.end)


def holder_on(terms: list[Term], country: str, office: str, day: date) -> set[str]:
    """Return the person_ids certainly holding the office on the day."""
    return {
        term.person_id
        for term in terms
        if term.country == country
        and term.office == office
        and start_bounds(term)[1] <= day
        and (not term.end or day < end_bounds(term)[0])
    }


def coverage_gaps(office_terms: list[Term]) -> list[tuple[date, date]]:
    """Return every stretch of the window longer than MAX_GAP_DAYS with no holder."""
    spans = sorted((start_bounds(t)[1], end_bounds(t)[0]) for t in office_terms)
    gaps: list[tuple[date, date]] = []
    covered_to = WINDOW_START
    for start, end in spans:
        if start > covered_to and (start - covered_to).days > MAX_GAP_DAYS:
            gaps.append((covered_to, start))
        covered_to = max(covered_to, end)
    if covered_to < WINDOW_END and (WINDOW_END - covered_to).days > MAX_GAP_DAYS:
        gaps.append((covered_to, WINDOW_END))
    return gaps


def unexplained_gaps(key: tuple[str, str], office_terms: list[Term]) -> list[tuple[date, date]]:
    """Return the long gaps that do not fall inside the expected gap for this office."""
    allowed = EXPECTED_GAPS.get(key)
    return [
        (start, end)
        for start, end in coverage_gaps(office_terms)
        if not (allowed and allowed[0] <= start and end <= allowed[1])
    ]


@pytest.mark.parametrize("name", FILES)
def test_header_and_row_width(name: str) -> None:
    path = REGISTRY / name
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.split("\t") == COLUMNS, f"{name}: first line must be the header"
    header, rows = read_rows(path)
    assert header == COLUMNS
    bad = [f"{name}:{line} has {len(row)} columns" for line, row in rows if len(row) != 8]
    assert not bad, bad
    assert len(rows) > 300, f"{name}: suspiciously few rows ({len(rows)})"


def test_fields_are_well_formed(terms: list[Term]) -> None:
    problems: list[str] = []
    for term in terms:
        if not SLUG.match(term.person_id):
            problems.append(f"{term.where}: person_id {term.person_id!r} is not a slug")
        if not ISO3.match(term.country):
            problems.append(f"{term.where}: country {term.country!r} is not ISO alpha-3")
        if term.office not in OFFICES:
            problems.append(f"{term.where}: office {term.office!r} not in {sorted(OFFICES)}")
        if term.wikidata and not QID.match(term.wikidata):
            problems.append(f"{term.where}: wikidata {term.wikidata!r} is not a Q-id")
        if term.aliases and any(not alias.strip() for alias in term.aliases.split("|")):
            problems.append(f"{term.where}: empty alias in {term.aliases!r}")
        if term.aliases and not term.name:
            problems.append(f"{term.where}: aliases without a name")
        if any(field != field.strip() for field in (term.person_id, term.name, term.aliases)):
            problems.append(f"{term.where}: stray whitespace")
    assert not problems, "\n".join(problems)


def test_dates_are_well_formed_and_ordered(terms: list[Term]) -> None:
    problems: list[str] = []
    for term in terms:
        try:
            start_earliest, _ = parse_date_bounds(term.start)
            _, end_latest = parse_date_bounds(term.end) if term.end else (None, WINDOW_END)
        except ValueError as error:
            problems.append(f"{term.where}: {error}")
            continue
        if end_latest < start_earliest:
            problems.append(f"{term.where}: end {term.end} before start {term.start}")
        if end_latest < WINDOW_START:
            problems.append(f"{term.where}: term ends before 2000 ({term.end})")
        if start_earliest > WINDOW_END:
            problems.append(f"{term.where}: term starts after 2025 ({term.start})")
    assert not problems, "\n".join(problems)


def test_no_overlapping_terms_in_one_office(by_office: dict[tuple[str, str], list[Term]]) -> None:
    problems: list[str] = []
    for (country, office), office_terms in by_office.items():
        for first, second in combinations(office_terms, 2):
            # Certain overlap: each term surely starts before the other surely ends.
            if (
                start_bounds(first)[1] < end_bounds(second)[0]
                and start_bounds(second)[1] < end_bounds(first)[0]
            ):
                problems.append(
                    f"{country} {office}: {first.person_id} ({first.where}) overlaps "
                    f"{second.person_id} ({second.where})"
                )
    assert not problems, "\n".join(problems)


def test_person_ids_name_one_person(terms: list[Term]) -> None:
    names: dict[str, set[str]] = defaultdict(set)
    qids: dict[str, set[str]] = defaultdict(set)
    for term in terms:
        if term.name:
            names[term.person_id].add(term.name)
        if term.wikidata:
            qids[term.person_id].add(term.wikidata)
    clashes = {pid: found for pid, found in names.items() if len(found) > 1}
    assert not clashes, f"person_ids with several names: {clashes}"
    qid_clashes = {pid: found for pid, found in qids.items() if len(found) > 1}
    assert not qid_clashes, f"person_ids with several Q-ids: {qid_clashes}"
    owners: dict[str, set[str]] = defaultdict(set)
    for pid, found in qids.items():
        owners[next(iter(found))].add(pid)
    shared = {qid: pids for qid, pids in owners.items() if len(pids) > 1}
    assert not shared, f"Q-ids given to several person_ids: {shared}"


@pytest.mark.parametrize("name", FILES)
def test_first_row_of_each_person_has_a_name(name: str) -> None:
    seen: set[str] = set()
    unnamed: list[str] = []
    for term in load_terms(name):
        if term.person_id not in seen and not term.name:
            unnamed.append(f"{term.where}: first row of {term.person_id} has no name")
        seen.add(term.person_id)
    assert not unnamed, "\n".join(unnamed)


def test_person_ids_agree_with_other_registry_files(terms: list[Term]) -> None:
    """A person_id shared with core.tsv or eu_institutions.tsv must name the same person."""
    others = [path for path in sorted(REGISTRY.glob("*.tsv")) if path.name not in FILES]
    if not others:
        pytest.skip("no other office-holder files present yet")
    ours = {term.person_id: term.name for term in terms if term.name}
    clashes: list[str] = []
    for path in others:
        _, rows = read_rows(path)
        for line, row in rows:
            if len(row) < 2 or not row[1]:
                continue
            if row[0] in ours and ours[row[0]] != row[1]:
                clashes.append(f"{path.name}:{line} {row[0]}: {row[1]!r} vs {ours[row[0]]!r}")
    assert not clashes, "\n".join(clashes)


def test_core_countries_are_left_to_core(terms: list[Term]) -> None:
    stray = sorted({f"{t.country} ({t.where})" for t in terms if t.country in CORE_COUNTRIES})
    assert not stray, f"rows for countries that belong in core.tsv: {stray}"


def test_europe_file_holds_the_eu_and_world_the_rest() -> None:
    europe = {term.country for term in load_terms("europe.tsv")}
    world = {term.country for term in load_terms("world.tsv")}
    assert europe == set(EU_MEMBERS)
    assert not world & set(EU_MEMBERS), sorted(world & set(EU_MEMBERS))


@pytest.mark.parametrize("office", sorted(OFFICES))
@pytest.mark.parametrize("country", EU_MEMBERS)
def test_eu_offices_are_covered(
    country: str, office: str, by_office: dict[tuple[str, str], list[Term]]
) -> None:
    gaps = unexplained_gaps((country, office), by_office[(country, office)])
    assert not gaps, f"{country} {office}: gaps over {MAX_GAP_DAYS} days: {gaps}"


def test_major_list_is_long_enough() -> None:
    assert len(set(MAJOR_HEADS_OF_STATE)) >= 60


@pytest.mark.parametrize("country", MAJOR_HEADS_OF_STATE)
def test_major_heads_of_state_are_covered(
    country: str, by_office: dict[tuple[str, str], list[Term]]
) -> None:
    key = (country, "head_of_state")
    gaps = unexplained_gaps(key, by_office[key])
    assert not gaps, f"{country} head_of_state: gaps over {MAX_GAP_DAYS} days: {gaps}"


@pytest.mark.parametrize(
    "key",
    [
        ("GBR", "head_of_government"),
        ("CAN", "head_of_government"),
        ("AUS", "head_of_government"),
        ("GBR", "foreign_minister"),
    ],
)
def test_extra_offices_are_covered(
    key: tuple[str, str], by_office: dict[tuple[str, str], list[Term]]
) -> None:
    assert not unexplained_gaps(key, by_office[key])


def test_every_state_has_heads_of_state_or_a_stated_gap(terms: list[Term]) -> None:
    covered = {t.country for t in terms if t.office == "head_of_state"}
    expected = set(UN_MEMBERS_AND_OTHERS) - set(CORE_COUNTRIES) - set(KNOWN_GAPS)
    assert not expected - covered, f"no head of state recorded: {sorted(expected - covered)}"
    assert not covered & set(KNOWN_GAPS), "a known gap is now filled: update KNOWN_GAPS"


def test_every_state_is_covered_apart_from_stated_gaps(
    by_office: dict[tuple[str, str], list[Term]],
) -> None:
    countries = set(UN_MEMBERS_AND_OTHERS) - set(CORE_COUNTRIES) - set(KNOWN_GAPS)
    problems = {
        country: unexplained_gaps((country, "head_of_state"), by_office[(country, "head_of_state")])
        for country in sorted(countries)
    }
    problems = {country: gaps for country, gaps in problems.items() if gaps}
    assert not problems, f"head_of_state gaps over {MAX_GAP_DAYS} days: {problems}"


def test_expected_gaps_are_real(by_office: dict[tuple[str, str], list[Term]]) -> None:
    """An exception must still describe a gap; otherwise it hides nothing and should go."""
    stale = [key for key in EXPECTED_GAPS if not coverage_gaps(by_office[key])]
    assert not stale, f"EXPECTED_GAPS entries with no gap left: {stale}"


def test_commonwealth_realms_pass_from_elizabeth_to_charles(terms: list[Term]) -> None:
    def realms(person_id: str) -> dict[str, Term]:
        return {
            t.country: t for t in terms if t.person_id == person_id and t.office == "head_of_state"
        }

    elizabeth, charles = realms("elizabeth_ii"), realms("charles_iii")
    assert set(charles) == set(COMMONWEALTH_REALMS)
    assert set(elizabeth) == set(COMMONWEALTH_REALMS) | {"BRB"}
    assert all(t.end == "2022-09-08" for c, t in elizabeth.items() if c != "BRB")
    assert elizabeth["BRB"].end == "2021-11-30"
    assert all(t.start == "2022-09-08" and not t.end for t in charles.values())


@pytest.mark.parametrize(
    ("country", "office", "day", "person_id"),
    [
        ("FRA", "head_of_state", date(2019, 6, 1), "emmanuel_macron"),
        ("DEU", "head_of_government", date(2023, 1, 1), "olaf_scholz"),
        ("GBR", "head_of_government", date(2020, 1, 1), "boris_johnson"),
        ("GBR", "foreign_minister", date(2017, 1, 1), "boris_johnson"),
        ("GBR", "head_of_state", date(2023, 5, 6), "charles_iii"),
        ("JAM", "head_of_state", date(2010, 1, 1), "elizabeth_ii"),
        ("BRB", "head_of_state", date(2022, 6, 1), "sandra_mason"),
        ("CAN", "head_of_government", date(2010, 1, 1), "stephen_harper"),
        ("AUS", "head_of_government", date(2013, 8, 1), "kevin_rudd"),
        ("ITA", "head_of_government", date(2012, 1, 1), "mario_monti"),
        ("POL", "foreign_minister", date(2024, 6, 1), "radoslaw_sikorski"),
        ("CYP", "head_of_government", date(2015, 1, 1), "nicos_anastasiades"),
        ("UKR", "head_of_state", date(2022, 3, 1), "volodymyr_zelenskyy"),
        ("BRA", "head_of_state", date(2008, 1, 1), "luiz_inacio_lula_da_silva"),
        ("EGY", "head_of_state", date(2013, 1, 1), "mohamed_morsi"),
    ],
)
def test_spot_checks(
    terms: list[Term], country: str, office: str, day: date, person_id: str
) -> None:
    assert holder_on(terms, country, office, day) == {person_id}
