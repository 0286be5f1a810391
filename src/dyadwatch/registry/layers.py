"""Combine registry files into one set of records and check what no single row can show:
codes that name no country or IGO, and two people holding one office at the same time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from ..errors import RegistryError
from .files import Layer, Origin, PersonDraft
from .model import Person, Term, parse_partial_date

__all__ = ["merge_layers", "cross_check", "finished_people"]


def merge_layers(base: Layer, top: Layer, *, override: bool) -> list[RegistryError]:
    """Add ``top`` into ``base`` (in place).

    With ``override`` (a user file over the built-in data) an id in ``top`` replaces the
    record in ``base``; a person's terms are replaced along with them. Without it (files of
    one source) a repeated id is refused, except people, whose rows are merged: one person
    may hold offices listed in several office_holders files.
    """
    errors: list[RegistryError] = []
    for attr, prefix in (("countries", "country"), ("igos", "igo"), ("orgs", "org"),
                         ("places", "place"), ("projects", "project")):
        target, incoming = getattr(base, attr), getattr(top, attr)
        for key, record in incoming.items():
            origin = top.origins[f"{prefix}:{key}"]
            if key in target and not override:
                errors.append(_duplicate(prefix, key, origin, base.origins[f"{prefix}:{key}"]))
                continue
            target[key] = record
            base.origins[f"{prefix}:{key}"] = origin
    errors.extend(_merge_titles(base, top, override=override))
    errors.extend(_merge_people(base, top, override=override))
    return errors


def _duplicate(prefix: str, key: str, origin: Origin, first: Origin) -> RegistryError:
    return RegistryError(origin.path, origin.line,
                         f"duplicate {prefix} id {key!r}: already defined at {first.path}:"
                         f"{first.line}; keep one row (to replace a built-in entry, put the "
                         "row in a user file passed to load_registry)")


def _merge_titles(base: Layer, top: Layer, *, override: bool) -> list[RegistryError]:
    errors = []
    for key, value in top.titles.items():
        if key in base.titles and not override:
            first = base.titles[key][2]
            errors.append(RegistryError(value[2].path, value[2].line,
                                        f"duplicate title {value[0]!r} for {key[0]!r}: already "
                                        f"mapped at {first.path}:{first.line}"))
            continue
        base.titles[key] = value
    return errors


def _merge_people(base: Layer, top: Layer, *, override: bool) -> list[RegistryError]:
    errors = []
    for person_id, draft in top.people.items():
        terms = top.terms.get(person_id, [])
        known = base.people.get(person_id)
        if known is None or override:
            base.people[person_id] = draft
            base.terms[person_id] = list(terms)
            base.origins[f"person:{person_id}"] = top.origins[f"person:{person_id}"]
            continue
        problem = _combine_person(known, draft)
        if problem:
            origin = top.origins[f"person:{person_id}"]
            errors.append(RegistryError(origin.path, origin.line, problem))
            continue
        base.terms.setdefault(person_id, []).extend(terms)
    return errors


def _combine_person(known: PersonDraft, other: PersonDraft) -> str:
    """Merge ``other`` into ``known``; return a problem when they cannot be one person."""
    if known.wikidata and other.wikidata and known.wikidata != other.wikidata:
        where = f"{known.origin.path}:{known.origin.line}" if known.origin else "elsewhere"
        return (f"person {known.id!r} has Wikidata id {other.wikidata} here but "
                f"{known.wikidata} at {where}; one person has one id (or use another person_id)")
    known.wikidata = known.wikidata or other.wikidata
    if other.name and other.name != known.name:
        known.aliases.append(other.name)
    known.aliases.extend(other.aliases)
    return ""


def cross_check(layer: Layer) -> list[RegistryError]:
    """Return the problems that need the whole registry: unknown or clashing codes and
    overlapping terms."""
    errors = _clashing_codes(layer)
    known = set(layer.countries) | set(layer.igos)
    for origin, column, codes in _code_uses(layer):
        for code in codes:
            if code and code not in known:
                errors.append(RegistryError(
                    origin.path, origin.line,
                    f"{column} {code!r} is not a country code in countries.tsv nor an IGO "
                    "code in igos.tsv; use an ISO 3166 alpha-3 code (XKX for Kosovo) or add "
                    "the IGO"))
    errors.extend(_overlaps(layer))
    return errors


def _clashing_codes(layer: Layer) -> list[RegistryError]:
    errors = []
    for code in sorted(set(layer.countries) & set(layer.igos)):
        origin = layer.origins[f"igo:{code}"]
        errors.append(RegistryError(origin.path, origin.line,
                                    f"IGO code {code!r} is also a country code; pick another "
                                    "code for the IGO"))
    return errors


def _code_uses(layer: Layer) -> Iterable[tuple[Origin, str, tuple[str, ...]]]:
    """Every place a data row names a country or IGO code."""
    for code, igo in layer.igos.items():
        yield layer.origins[f"igo:{code}"], "member", igo.members
    for key, org in layer.orgs.items():
        yield layer.origins[f"org:{key}"], "country", (org.country,)
    for key, place in layer.places.items():
        yield layer.origins[f"place:{key}"], "country", (place.country,)
    for key, project in layer.projects.items():
        yield layer.origins[f"project:{key}"], "country", project.countries
    for (country, _), (_, _, origin) in layer.titles.items():
        if country != "*":
            yield origin, "country", (country,)
    for terms in layer.terms.values():
        for term, origin in terms:
            yield origin, "country", (term.country,)


def _overlaps(layer: Layer) -> list[RegistryError]:
    """Refuse two people in one office of one country at once.

    Only a certain overlap counts: the later start must fall before the earlier end at the
    precision each is given, so a handover on the same day, or within a month or year when
    the dates are given only that far, is accepted.
    """
    by_office: dict[tuple[str, str], list[tuple[Term, Origin]]] = defaultdict(list)
    for terms in layer.terms.values():
        for term, origin in terms:
            by_office[(term.country, term.office)].append((term, origin))
    errors = []
    for (country, office), terms in sorted(by_office.items()):
        terms.sort(key=lambda item: item[0].start)
        for index, (term, origin) in enumerate(terms):
            for earlier, earlier_origin in terms[:index]:
                if earlier.person_id != term.person_id and _certainly_overlap(earlier, term):
                    errors.append(RegistryError(
                        origin.path, origin.line,
                        f"{term.person_id} as {office} of {country} from {term.start} "
                        f"overlaps {earlier.person_id} ({earlier.start} to "
                        f"{earlier.end or 'now'}, {earlier_origin.path}:{earlier_origin.line});"
                        " correct the end of the earlier term or the start of this one"))
    return errors


def _certainly_overlap(first: Term, second: Term) -> bool:
    latest_start = max(parse_partial_date(first.start)[1], parse_partial_date(second.start)[1])
    earliest_end = min(_earliest_end(first), _earliest_end(second))
    return latest_start < earliest_end


def _earliest_end(term: Term) -> date:
    return parse_partial_date(term.end)[0] if term.end else date.max


def finished_people(layer: Layer) -> tuple[dict[str, Person], list[Term]]:
    """Turn person drafts into Person records and return every term in person order.

    A person's country is the first state among their terms (an EU high representative who
    was Spain's foreign minister is Spanish), or their first IGO when they held no national
    office.
    """
    people: dict[str, Person] = {}
    all_terms: list[Term] = []
    for person_id, draft in layer.people.items():
        terms = [term for term, _ in layer.terms.get(person_id, [])]
        states = [term.country for term in terms if term.country in layer.countries]
        country = states[0] if states else (terms[0].country if terms else "")
        aliases = tuple(dict.fromkeys(a for a in draft.aliases if a != draft.name))
        people[person_id] = Person(person_id, draft.name, aliases, country, draft.wikidata)
        all_terms.extend(terms)
    return people, all_terms
