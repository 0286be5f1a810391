"""Load the built-in registry (cached) and user files over it; check single files."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ..errors import RegistryError
from .core import Registry
from .files import Layer, read_file
from .layers import cross_check, finished_people, merge_layers
from .model import Country, Place
from .text import fold, slug

__all__ = ["load_registry", "check_registry_file", "builtin_paths", "BUILTIN_DIR"]

BUILTIN_DIR = Path(__file__).resolve().parents[1] / "data" / "registry"
_BUILTIN_FILES = ("countries.tsv", "igos.tsv", "orgs.tsv", "places.tsv", "projects.tsv",
                  "titles.tsv")


def builtin_paths() -> list[Path]:
    """Return the built-in registry files in load order (office holders last)."""
    paths = [BUILTIN_DIR / name for name in _BUILTIN_FILES]
    holders = BUILTIN_DIR / "office_holders"
    if holders.is_dir():
        paths.extend(sorted(holders.glob("*.tsv")))
    return paths


def load_registry(extra: Iterable[str | Path] = (), *, builtin: bool = True) -> Registry:
    """Return the registry of the built-in data plus ``extra`` user files, read in order.

    A user file adds entries or replaces the entry with the same id (a user person_id
    replaces that person and all their terms); a later user file wins over an earlier one.
    The built-in registry alone is built once and cached.

    Raises RegistryError naming the file, the line and the problem when a file is malformed
    or the combined data is inconsistent (unknown country codes, overlapping terms).
    """
    # One path given bare is one file, not an iterable of characters.
    paths = [Path(extra)] if isinstance(extra, str | Path) else [Path(path) for path in extra]
    if builtin and not paths:
        return _builtin_registry()
    layer = _copy(_builtin_layer()) if builtin else Layer()
    for path in paths:
        _, top, errors = read_file(path)
        _raise_first(errors)
        _raise_first(merge_layers(layer, top, override=True))
    _raise_first(cross_check(layer))
    return _build(layer)


def check_registry_file(path: str | Path) -> list[RegistryError]:
    """Return every problem of one registry file (of any kind, known by its header line),
    read as a user file over the built-in data; an empty list when it would load."""
    kind, top, errors = read_file(path)
    if kind is None:
        return errors
    layer = _copy(_builtin_layer(strict=False))
    errors.extend(merge_layers(layer, top, override=True))
    errors.extend(error for error in cross_check(layer) if error.path == str(path))
    return errors


@lru_cache(maxsize=1)
def _builtin_registry() -> Registry:
    layer = _copy(_builtin_layer())
    _raise_first(cross_check(layer))
    return _build(layer)


def _builtin_layer(*, strict: bool = True) -> Layer:
    layer, errors = _read_builtin()
    if strict:
        _raise_first(errors)
    return layer


@lru_cache(maxsize=1)
def _read_builtin() -> tuple[Layer, list[RegistryError]]:
    """Read every built-in file once: one source, so people merge across office_holders
    files and any other repeated id is an error."""
    layer = Layer()
    errors: list[RegistryError] = []
    for path in builtin_paths():
        if not path.exists():
            errors.append(RegistryError(str(path), None, "built-in registry file is missing; "
                                        "reinstall dyadwatch"))
            continue
        _, part, part_errors = read_file(path)
        errors.extend(part_errors)
        errors.extend(merge_layers(layer, part, override=False))
    return layer, errors


def _copy(layer: Layer) -> Layer:
    """Copy a layer deeply enough that merging into the copy leaves the cached one alone."""
    copied = Layer(**{f.name: dict(getattr(layer, f.name)) for f in dataclasses.fields(layer)})
    copied.people = {key: dataclasses.replace(draft, aliases=list(draft.aliases))
                     for key, draft in layer.people.items()}
    copied.terms = {key: list(terms) for key, terms in layer.terms.items()}
    return copied


def _raise_first(errors: list[RegistryError]) -> None:
    if not errors:
        return
    first = errors[0]
    more = len(errors) - 1
    problem = first.problem
    if more:
        problem += (f" (and {more} more problem{'s' if more > 1 else ''}: "
                    "dyadwatch.registry.check_registry_file lists them per file)")
    raise RegistryError(first.path, first.line, problem) from first


def _build(layer: Layer) -> Registry:
    people, terms = finished_people(layer)
    return Registry(
        countries=dict(layer.countries), igos=dict(layer.igos), people=people, terms=terms,
        orgs=dict(layer.orgs), places=_with_capitals(layer.countries, layer.places),
        projects=dict(layer.projects),
        titles={key: office for key, (_, office, _) in layer.titles.items()})


def _with_capitals(countries: dict[str, Country], places: dict[str, Place]) -> dict[str, Place]:
    """Return the places plus one place per capital or seat of power not already a place,
    so that "Beijing" is place:beijing of CHN. A capital that is a name or alias of a place
    of the same country (Nur-Sultan of place:astana) maps to that place."""
    places = dict(places)
    named = {(place.country, fold(name)): place.id
             for place in places.values() for name in (place.name, *place.aliases)}
    for country in countries.values():
        for capital in country.capitals:
            if (country.code, fold(capital)) in named:
                continue
            place_id = slug(capital)
            if place_id in places:
                place_id = f"{place_id}_{country.code.lower()}"
            places[place_id] = Place(place_id, capital, (), country.code, "capital")
            named[(country.code, fold(capital))] = place_id
    return places
