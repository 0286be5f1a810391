"""Read one registry TSV file into records, checking each row on its own (columns, ids,
codes' shape, dates, offices, sectors). Checks that need the whole registry (unknown
country codes, overlapping terms) are done when layers are combined (see ``layers``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RegistryError
from .model import (
    COUNTRY_KINDS,
    OFFICES,
    SECTORS,
    Country,
    Igo,
    Org,
    Place,
    Project,
    Term,
    parse_partial_date,
)
from .text import fold

__all__ = ["SCHEMAS", "Origin", "PersonDraft", "Layer", "read_file"]

# The header line names the kind of file; columns must come in this order.
SCHEMAS: dict[str, tuple[str, ...]] = {
    "countries": ("code", "name", "names", "adjectives", "prefixes", "capitals", "kind", "wikidata"),
    "igos": ("code", "name", "names", "members", "wikidata"),
    "orgs": ("id", "name", "aliases", "country", "sector", "kind", "wikidata"),
    "places": ("id", "name", "aliases", "country", "kind"),
    "projects": ("id", "name", "aliases", "countries", "sector", "kind", "wikidata"),
    "titles": ("country", "title", "office"),
    "office_holders": ("person_id", "name", "aliases", "country", "office", "start", "end", "wikidata"),
}

_COUNTRY_CODE = re.compile(r"^[A-Z]{3}$")
_IGO_CODE = re.compile(r"^[A-Z][A-Z0-9+]{1,11}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_PERSON_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_WIKIDATA = re.compile(r"^Q[1-9][0-9]*$")


@dataclass(frozen=True)
class Origin:
    """Where a record was read: file and 1-based line."""

    path: str
    line: int


@dataclass
class PersonDraft:
    """A person as read from office_holders rows, before the registry knows which of their
    countries is a state (their own) and which an IGO."""

    id: str
    name: str = ""
    aliases: list[str] = field(default_factory=list)
    wikidata: str = ""
    origin: Origin | None = None


@dataclass
class Layer:
    """Everything read from one file, or from several files that form one source."""

    countries: dict[str, Country] = field(default_factory=dict)
    igos: dict[str, Igo] = field(default_factory=dict)
    orgs: dict[str, Org] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    people: dict[str, PersonDraft] = field(default_factory=dict)
    terms: dict[str, list[tuple[Term, Origin]]] = field(default_factory=dict)
    titles: dict[tuple[str, str], tuple[str, str, Origin]] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)  # "org:xinhua" -> origin


@dataclass
class _Row:
    origin: Origin
    values: dict[str, str]


def read_file(path: str | Path) -> tuple[str | None, Layer, list[RegistryError]]:
    """Read one registry file; return its kind (from the header), its records and the
    problems found in its rows. Never raises for bad content: problems are returned."""
    name = str(path)
    layer = Layer()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, layer, [RegistryError(name, None, f"cannot be read as UTF-8 text ({error})")]
    kind, rows, errors = _split_rows(name, text)
    if kind is not None:
        errors.extend(_READERS[kind](rows, layer))
    return kind, layer, errors


def _split_rows(name: str, text: str) -> tuple[str | None, list[_Row], list[RegistryError]]:
    """Find the header, then cut every data line into cells by the header's columns."""
    columns: tuple[str, ...] | None = None
    kind: str | None = None
    rows: list[_Row] = []
    errors: list[RegistryError] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if columns is None:
            kind = _kind_of(cells)
            if kind is None:
                return None, [], [RegistryError(name, number, _unknown_header(cells))]
            columns = SCHEMAS[kind]
            continue
        if len(cells) != len(columns):
            errors.append(RegistryError(
                name, number,
                f"has {len(cells)} tab-separated columns, the header has {len(columns)} "
                f"({', '.join(columns)}); separate columns with one tab and leave empty "
                "cells empty"))
            continue
        rows.append(_Row(Origin(name, number), dict(zip(columns, cells, strict=True))))
    if columns is None:
        errors.append(RegistryError(name, None, "has no header line; " + _headers_help()))
    return kind, rows, errors


def _kind_of(cells: list[str]) -> str | None:
    for kind, columns in SCHEMAS.items():
        if tuple(cells) == columns:
            return kind
    return None


def _unknown_header(cells: list[str]) -> str:
    return f"header {'<TAB>'.join(cells)!r} is not one of the registry's; " + _headers_help()


def _headers_help() -> str:
    return "expected one of: " + "; ".join(
        f"{kind}: {'<TAB>'.join(columns)}" for kind, columns in SCHEMAS.items())


def _split(cell: str) -> tuple[str, ...]:
    """Split a multi-valued cell on '|', dropping blanks and repeats, keeping order."""
    return tuple(dict.fromkeys(part.strip() for part in cell.split("|") if part.strip()))


class _Checker:
    """Collects the problems of one row in the file's error list."""

    def __init__(self, row: _Row, errors: list[RegistryError]) -> None:
        self.row = row
        self.errors = errors
        self.ok = True

    def fail(self, problem: str) -> None:
        self.ok = False
        self.errors.append(RegistryError(self.row.origin.path, self.row.origin.line, problem))

    def required(self, column: str) -> str:
        value = self.row.values[column]
        if not value:
            self.fail(f"column {column!r} is empty; every row needs one")
        return value

    def matches(self, column: str, pattern: re.Pattern[str], shape: str) -> str:
        value = self.row.values[column]
        if value and not pattern.match(value):
            self.fail(f"{column} {value!r} is not {shape}")
        return value

    def wikidata(self) -> str:
        return self.matches("wikidata", _WIKIDATA, "a Wikidata id such as Q148 (leave it "
                            "empty when unsure: a wrong id is worse than none)")

    def one_of(self, column: str, allowed: dict[str, str] | tuple[str, ...]) -> str:
        value = self.row.values[column]
        if value and value not in allowed:
            self.fail(f"{column} {value!r} is not known; use one of: {', '.join(allowed)}")
        return value

    def code(self, column: str) -> str:
        """A single country or IGO code, or blank."""
        value = self.row.values[column]
        if value and not (_COUNTRY_CODE.match(value) or _IGO_CODE.match(value)):
            self.fail(f"{column} {value!r} is not one ISO 3166 alpha-3 or IGO code "
                      "(upper case, such as KGZ or SCO)")
        return value

    def codes(self, column: str) -> tuple[str, ...]:
        values = _split(self.row.values[column])
        for value in values:
            if not (_COUNTRY_CODE.match(value) or _IGO_CODE.match(value)):
                self.fail(f"{column} {value!r} is not an ISO 3166 alpha-3 or IGO code "
                          "(upper case, such as KGZ or SCO)")
        return values


def _unique(layer_map: Mapping[str, object], key: str, checker: _Checker, label: str) -> bool:
    """Refuse a second row for one id within one file."""
    if key in layer_map:
        checker.fail(f"duplicate {label} {key!r}: it is already defined earlier in this file; "
                     "merge the two rows or give one another id")
        return False
    return True


def _read_countries(rows: list[_Row], layer: Layer) -> list[RegistryError]:
    errors: list[RegistryError] = []
    for row in rows:
        check = _Checker(row, errors)
        code = check.required("code")
        check.matches("code", _COUNTRY_CODE, "an ISO 3166 alpha-3 code (three capitals)")
        name = check.required("name")
        kind = check.required("kind")
        check.one_of("kind", COUNTRY_KINDS)
        wikidata = check.wikidata()
        if not check.ok or not _unique(layer.countries, code, check, "country code"):
            continue
        values = row.values
        layer.countries[code] = Country(
            code, name, _split(values["names"]), _split(values["adjectives"]),
            _split(values["prefixes"]), _split(values["capitals"]), kind, wikidata)
        layer.origins[f"country:{code}"] = row.origin
    return errors


def _read_igos(rows: list[_Row], layer: Layer) -> list[RegistryError]:
    errors: list[RegistryError] = []
    for row in rows:
        check = _Checker(row, errors)
        code = check.required("code")
        check.matches("code", _IGO_CODE, "an IGO code (capitals, digits or '+', such as SCO "
                      "or C5+1)")
        name = check.required("name")
        members = check.codes("members")
        wikidata = check.wikidata()
        if not check.ok or not _unique(layer.igos, code, check, "IGO code"):
            continue
        layer.igos[code] = Igo(code, name, _split(row.values["names"]), members, wikidata)
        layer.origins[f"igo:{code}"] = row.origin
    return errors


def _read_orgs(rows: list[_Row], layer: Layer) -> list[RegistryError]:
    errors: list[RegistryError] = []
    for row in rows:
        check = _Checker(row, errors)
        org_id = check.required("id")
        check.matches("id", _ID, "an id (lower-case letters, digits, '_', '-', '.')")
        name = check.required("name")
        country = check.code("country")
        sector = check.one_of("sector", SECTORS)
        wikidata = check.wikidata()
        if not check.ok or not _unique(layer.orgs, org_id, check, "org id"):
            continue
        layer.orgs[org_id] = Org(org_id, name, _split(row.values["aliases"]), country, sector,
                                 row.values["kind"], wikidata)
        layer.origins[f"org:{org_id}"] = row.origin
    return errors


def _read_places(rows: list[_Row], layer: Layer) -> list[RegistryError]:
    errors: list[RegistryError] = []
    for row in rows:
        check = _Checker(row, errors)
        place_id = check.required("id")
        check.matches("id", _ID, "an id (lower-case letters, digits, '_', '-', '.')")
        name = check.required("name")
        country = check.code("country")
        if not check.ok or not _unique(layer.places, place_id, check, "place id"):
            continue
        layer.places[place_id] = Place(place_id, name, _split(row.values["aliases"]), country,
                                       row.values["kind"])
        layer.origins[f"place:{place_id}"] = row.origin
    return errors


def _read_projects(rows: list[_Row], layer: Layer) -> list[RegistryError]:
    errors: list[RegistryError] = []
    for row in rows:
        check = _Checker(row, errors)
        project_id = check.required("id")
        check.matches("id", _ID, "an id (lower-case letters, digits, '_', '-', '.')")
        name = check.required("name")
        countries = check.codes("countries")
        sector = check.one_of("sector", SECTORS)
        wikidata = check.wikidata()
        if not check.ok or not _unique(layer.projects, project_id, check, "project id"):
            continue
        layer.projects[project_id] = Project(
            project_id, name, _split(row.values["aliases"]), countries, sector,
            row.values["kind"], wikidata)
        layer.origins[f"project:{project_id}"] = row.origin
    return errors


def _read_titles(rows: list[_Row], layer: Layer) -> list[RegistryError]:
    errors: list[RegistryError] = []
    for row in rows:
        check = _Checker(row, errors)
        country = check.required("country")
        if country != "*":
            check.code("country")
        title = check.required("title")
        office = check.required("office")
        check.one_of("office", OFFICES)
        key = (country, fold(title))
        if not check.ok:
            continue
        if key in layer.titles:
            check.fail(f"duplicate title {title!r} for {country!r}: it is already mapped "
                       "earlier in this file; keep one row")
            continue
        layer.titles[key] = (title, office, row.origin)
    return errors


def _read_office_holders(rows: list[_Row], layer: Layer) -> list[RegistryError]:
    errors: list[RegistryError] = []
    seen_terms: set[tuple[str, str, str, str]] = set()
    for row in rows:
        check = _Checker(row, errors)
        person_id = check.required("person_id")
        check.matches("person_id", _PERSON_ID, "a person id (letters, digits, '_', '-', '.')")
        country = check.required("country")
        check.code("country")
        office = check.required("office")
        check.one_of("office", OFFICES)
        start = check.required("start")
        end = row.values["end"] or None
        _check_dates(check, start, end)
        wikidata = check.wikidata()
        if not check.ok:
            continue
        draft = _person_draft(layer, person_id, row, check, wikidata)
        key = (person_id, country, office, start)
        if draft is None:
            continue
        if key in seen_terms:
            check.fail(f"duplicate term: {person_id} already has a row for {office} of "
                       f"{country} starting {start} in this file; keep one row per term")
            continue
        seen_terms.add(key)
        term = Term(person_id, country, office, start, end)
        layer.terms.setdefault(person_id, []).append((term, row.origin))
    return errors


def _check_dates(check: _Checker, start: str, end: str | None) -> None:
    bounds = []
    for column, value in (("start", start), ("end", end)):
        if not value:
            continue
        try:
            bounds.append(parse_partial_date(value))
        except ValueError as error:
            check.fail(f"{column}: {error}")
    if len(bounds) == 2 and bounds[1][1] < bounds[0][0]:
        check.fail(f"end {end} is before start {start}; swap them or correct the year")


def _person_draft(layer: Layer, person_id: str, row: _Row, check: _Checker,
                  wikidata: str) -> PersonDraft | None:
    """Fold one row's name, aliases and Wikidata id into the person it belongs to."""
    draft = layer.people.get(person_id)
    if draft is None:
        if not row.values["name"]:
            check.fail(f"the first row of person {person_id!r} has no name; give the name on "
                       "the first row (later rows may leave it blank)")
            return None
        draft = layer.people[person_id] = PersonDraft(person_id, origin=row.origin)
        layer.origins[f"person:{person_id}"] = row.origin
    if row.values["name"] and not draft.name:
        draft.name = row.values["name"]
    elif row.values["name"] and row.values["name"] != draft.name:
        draft.aliases.append(row.values["name"])
    draft.aliases.extend(_split(row.values["aliases"]))
    if wikidata and draft.wikidata and wikidata != draft.wikidata:
        check.fail(f"person {person_id!r} has Wikidata id {wikidata} here but "
                   f"{draft.wikidata} on an earlier row; one person has one id")
        return None
    draft.wikidata = draft.wikidata or wikidata
    return draft


_READERS: dict[str, Callable[[list[_Row], Layer], list[RegistryError]]] = {
    "countries": _read_countries,
    "igos": _read_igos,
    "orgs": _read_orgs,
    "places": _read_places,
    "projects": _read_projects,
    "titles": _read_titles,
    "office_holders": _read_office_holders,
}
