"""The records of the actor registry: countries, IGOs, people and their terms, orgs, places,
projects; plus the fixed vocabularies (offices, sectors, kinds) the data files are checked
against, and partial dates (YYYY, YYYY-MM, YYYY-MM-DD)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

__all__ = [
    "Country",
    "Igo",
    "Person",
    "Term",
    "Org",
    "Place",
    "Project",
    "OFFICES",
    "SECTORS",
    "COUNTRY_KINDS",
    "parse_partial_date",
]

# Offices an office_holders row may name. National offices first, then the offices of
# international institutions (the row's country is then an IGO code such as EU or UN).
OFFICES: dict[str, str] = {
    "head_of_state": "president, monarch or collective head of state",
    "head_of_government": "prime minister, premier, chancellor, chairman of the cabinet",
    "foreign_minister": "minister of foreign affairs, foreign secretary, secretary of state",
    "defence_minister": "minister of defence",
    "vice_president": "vice-president of a state",
    "deputy_head_of_government": "first deputy or deputy prime minister",
    "speaker": "speaker or chair of a parliament (of its lower house where it has two)",
    "commission_president": "president of the European Commission (or of another IGO commission)",
    "commission_chairperson": "chairperson of the African Union Commission",
    "council_president": "president of the European Council",
    "parliament_president": "president of the European Parliament",
    "high_representative": "EU High Representative for Foreign Affairs and Security Policy",
    "secretary_general": "secretary-general of an international organisation",
    "director_general": "director-general of an international organisation (WTO, WHO, IAEA)",
    "managing_director": "managing director of the IMF",
    "president": "president of an international bank or institution (World Bank, ADB, AIIB)",
    "chair": "rotating chair or chairman-in-office of an international organisation",
}

# Actor sector codes of CAMEO (Phoenix agents dictionary) and PLOVER, plus ENR and TRN,
# which dyadwatch adds to tell energy and transport projects apart.
SECTORS: dict[str, str] = {
    "GOV": "government, ministries, agencies",
    "MIL": "armed forces",
    "LEG": "legislature",
    "JUD": "judiciary",
    "PTY": "political party",
    "BUS": "business",
    "MED": "media",
    "EDU": "education, academia, think tanks",
    "NGO": "non-governmental organisation",
    "CVL": "civilians",
    "COP": "police",
    "SPY": "intelligence services",
    "REB": "rebels",
    "OPP": "opposition",
    "ELI": "elites",
    "REL": "religious bodies",
    "LAB": "labour unions",
    "AGR": "agriculture",
    "DEV": "development",
    "HLT": "health",
    "ENV": "environment",
    "HRI": "human rights",
    "REF": "refugees",
    "MNC": "multinational corporation",
    "IGO": "intergovernmental body",
    "ENR": "energy (dyadwatch)",
    "TRN": "transport (dyadwatch)",
}

COUNTRY_KINDS = ("member", "observer", "non_member")

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@lru_cache(maxsize=16384)
def parse_partial_date(text: str) -> tuple[date, date]:
    """Return the first and the last day a partial date ``YYYY[-MM[-DD]]`` can stand for.

    Raises ValueError naming the text when it is not such a date or not a real day.
    """
    match = _PARTIAL_DATE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a date; write YYYY-MM-DD, YYYY-MM or YYYY")
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1), date(year, month, last)
        exact = date(year, month, day)
    except ValueError as error:
        raise ValueError(f"{text!r} is not a real date ({error})") from error
    return exact, exact


@dataclass(frozen=True)
class Country:
    """A state (UN member, observer or non-member) with the words that name it."""

    code: str  # ISO 3166-1 alpha-3 (XKX for Kosovo)
    name: str
    names: tuple[str, ...] = ()
    adjectives: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()  # compound prefixes: "Sino" in "Sino-Kazakh"
    capitals: tuple[str, ...] = ()  # capitals and seats of power used as metonyms
    kind: str = "member"
    wikidata: str = ""


@dataclass(frozen=True)
class Igo:
    """An intergovernmental organisation or grouping (SCO, EU, C5+1…)."""

    code: str
    name: str
    names: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    wikidata: str = ""


@dataclass(frozen=True)
class Person:
    """A person who held at least one office; ``country`` is their own state where known."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str = ""
    wikidata: str = ""


@dataclass(frozen=True)
class Term:
    """One term of one person in one office of one country or IGO; ``end`` None = ongoing."""

    person_id: str
    country: str
    office: str
    start: str
    end: str | None = None
    _first: date = field(init=False, repr=False, compare=False)
    _last: date = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Bounds are computed once: the earliest day the start can mean and the latest day
        # the end can mean, so that a date given to the month or year covers the whole period.
        object.__setattr__(self, "_first", parse_partial_date(self.start)[0])
        last = parse_partial_date(self.end)[1] if self.end else date.max
        object.__setattr__(self, "_last", last)

    def covers(self, on: date) -> bool:
        """Return True when ``on`` falls in the term, each bound compared at its own precision
        (a term ending "2021" covers every day of 2021)."""
        return self._first <= on <= self._last


@dataclass(frozen=True)
class Org:
    """A party, ministry, agency, think tank, media outlet or company."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str = ""
    sector: str = ""
    kind: str = ""
    wikidata: str = ""


@dataclass(frozen=True)
class Place:
    """A place that is not a country: a capital, province, city, region or seat of power."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str = ""  # blank for regions that span countries (Central Asia)
    kind: str = ""


@dataclass(frozen=True)
class Project:
    """A named initiative or infrastructure project (BRI, CKU railway, Power of Siberia)."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    sector: str = ""
    kind: str = ""
    wikidata: str = ""
