"""The Registry: every known actor with indexes for lookup by name, by transliteration key,
by country word and by office held on a date."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import date

from rapidfuzz import fuzz, process

from ..errors import UsageError
from .model import OFFICES, Country, Igo, Org, Person, Place, Project, Term
from .text import fold, surname, translit_key

__all__ = ["Registry", "ENTITY_TYPES", "Entity"]

ENTITY_TYPES = ("country", "igo", "person", "org", "place", "project")
Entity = Country | Igo | Person | Org | Place | Project

_FUZZY_SEEN_MAX = 50_000  # queries remembered by a registry before it starts afresh
# Scores of find_fuzzy by the way a name matched; fuzzy matches score below all of these.
_EXACT, _TRANSLIT, _SURNAME, _FUZZY_CEILING = 1.0, 0.95, 0.9, 0.9
_FUZZY_CUTOFF = 85.0  # rapidfuzz ratio (0..100) below which spellings are different names
_FUZZY_MIN_KEY = 5  # shorter keys differ by one letter between different names (Li, Lee)


class Registry:
    """Countries, IGOs, people and their terms, orgs, places and projects, with lookups.

    ``titles`` maps (country code or "*", folded title) to an office name.
    """

    def __init__(self, *, countries: dict[str, Country], igos: dict[str, Igo],
                 people: dict[str, Person], terms: list[Term], orgs: dict[str, Org],
                 places: dict[str, Place], projects: dict[str, Project],
                 titles: dict[tuple[str, str], str]) -> None:
        self.countries = countries
        self.igos = igos
        self.people = people
        self.terms = terms
        self.orgs = orgs
        self.places = places
        self.projects = projects
        self.titles = titles
        self._patterns: dict[frozenset[str], list[dict]] = {}
        # Close spellings of a query (the registry never changes once built): the same names
        # come back in every article about the same people.
        self._fuzzy_seen: dict[tuple[str, str, bool], list[tuple[str, float, str]]] = {}
        self._index_names()
        self._index_terms()
        self._index_country_words()

    # -- indexes ---------------------------------------------------------------------

    def _index_names(self) -> None:
        self._by_fold: dict[str, list[str]] = defaultdict(list)
        self._by_key: dict[str, list[str]] = defaultdict(list)
        self._surnames: dict[str, list[str]] = defaultdict(list)
        # Close spellings are compared both as written (folded) and as transliteration keys:
        # "Tokayef" is near "Tokayev" as written, "Kyrgystan" near "Kyrgyzstan" as a key.
        fuzzy: dict[tuple[str, str], None] = {}
        for entity_id, names in self._all_names():
            for name in names:
                folded, key = fold(name), translit_key(name)
                _add(self._by_fold, folded, entity_id)
                _add(self._by_key, key, entity_id)
                fuzzy[(folded, entity_id)] = None
                fuzzy[(key, entity_id)] = None
        surnames: dict[tuple[str, str], None] = {}
        for person in self.people.values():
            for name in (person.name, *person.aliases):
                last = surname(name, person.country)
                if last:
                    _add(self._surnames, translit_key(last), f"person:{person.id}")
                    surnames[(fold(last), f"person:{person.id}")] = None
                    surnames[(translit_key(last), f"person:{person.id}")] = None
        self._fuzzy_names = [text for text, _ in fuzzy]
        self._fuzzy_ids = [entity_id for _, entity_id in fuzzy]
        self._fuzzy_surnames = [text for text, _ in surnames]
        self._fuzzy_surname_ids = [entity_id for _, entity_id in surnames]

    def _all_names(self) -> Iterable[tuple[str, tuple[str, ...]]]:
        """Each entity id with the names it can be found by; a country by its names,
        demonyms and compound prefixes ("Sino")."""
        for country in self.countries.values():
            yield f"country:{country.code}", (country.name, *country.names, *country.adjectives,
                                              *country.prefixes)
        for igo in self.igos.values():
            yield f"igo:{igo.code}", (igo.code, igo.name, *igo.names)
        for person in self.people.values():
            yield f"person:{person.id}", (person.name, *person.aliases)
        for org in self.orgs.values():
            yield f"org:{org.id}", (org.name, *org.aliases)
        for place in self.places.values():
            yield f"place:{place.id}", (place.name, *place.aliases)
        for project in self.projects.values():
            yield f"project:{project.id}", (project.name, *project.aliases)

    def _index_terms(self) -> None:
        self._terms_by_person: dict[str, list[Term]] = defaultdict(list)
        self._terms_by_office: dict[tuple[str, str], list[Term]] = defaultdict(list)
        for term in sorted(self.terms, key=lambda term: term.start):
            self._terms_by_person[term.person_id].append(term)
            self._terms_by_office[(term.country, term.office)].append(term)

    def _index_country_words(self) -> None:
        # First writer wins: a country's own words outrank places and IGOs that share them.
        self._country_words: dict[str, str] = {}
        for country in self.countries.values():
            words = (country.code, country.name, *country.names, *country.adjectives,
                     *country.prefixes, *country.capitals)
            for word in words:
                self._country_words.setdefault(fold(word), country.code)
        for place in self.places.values():
            if place.country in self.countries:
                for word in (place.name, *place.aliases):
                    self._country_words.setdefault(fold(word), place.country)
        for igo in self.igos.values():
            for word in (igo.code, igo.name, *igo.names):
                self._country_words.setdefault(fold(word), igo.code)

    # -- lookups ---------------------------------------------------------------------

    def get(self, entity_id: str) -> Entity:
        """Return the record of ``entity_id`` ("country:KGZ", "person:<id>"…).

        Raises KeyError naming the nearest known ids when there is no such entity.
        """
        kind, _, key = entity_id.partition(":")
        table = self._table(kind)
        if table is None:
            raise KeyError(f"{entity_id!r} has no known type prefix; ids look like "
                           f"'<type>:<key>' with type one of: {', '.join(ENTITY_TYPES)}")
        if key in table:
            return table[key]
        raise KeyError(f"no {kind} {key!r} in the registry; nearest ids: "
                       f"{', '.join(self._near_ids(kind, key, table)) or 'none'}")

    def _table(self, kind: str) -> Mapping[str, Entity] | None:
        tables: dict[str, Mapping[str, Entity]] = {
            "country": self.countries, "igo": self.igos, "person": self.people,
            "org": self.orgs, "place": self.places, "project": self.projects}
        return tables.get(kind)

    def _near_ids(self, kind: str, key: str, table: Mapping[str, Entity]) -> list[str]:
        near = [f"{kind}:{k}" for k in difflib.get_close_matches(key, list(table), n=5)]
        near += self.find(key.replace("_", " "), type=kind)
        return list(dict.fromkeys(near))[:5]

    def find(self, name: str, *, type: str | None = None) -> list[str]:
        """Return the ids of entities with ``name`` as a name or alias, compared after folding
        case, punctuation, dashes, quotes, a leading "the" and a possessive 's."""
        _check_type(type)
        return [entity_id for entity_id in self._by_fold.get(fold(name), [])
                if type is None or entity_id.startswith(f"{type}:")]

    def find_fuzzy(self, name: str, *, type: str | None = None, country: str | None = None,
                   on: date | None = None) -> list[tuple[str, float, str]]:
        """Return ``(entity id, score 0..1, reason)`` for entities whose names match ``name``
        exactly, as another transliteration, by surname or by close spelling; best first.

        ``type`` keeps one kind of entity, ``country`` those of that country (a person who
        held an office there, an IGO it belongs to), ``on`` the people in office that day.
        A person whose key differs from the query is never returned when the query is the
        exact key of another known person (Japarov is not Jeenbekov).
        """
        _check_type(type)
        key = translit_key(name)
        if not key:
            return []
        found: dict[str, tuple[float, str]] = {}
        for entity_id in self._by_fold.get(fold(name), []):
            _offer(found, entity_id, _EXACT, "exact name")
        for entity_id in self._by_key.get(key, []):
            _offer(found, entity_id, _TRANSLIT, "same name in another spelling")
        single_word = " " not in key
        if single_word:
            for entity_id in self._surnames.get(key, []):
                _offer(found, entity_id, _SURNAME, "surname")
        self._offer_fuzzy(found, name, key, single_word)
        found = self._only_named_people(found, key, single_word)
        kept = [(entity_id, round(score, 3), reason)
                for entity_id, (score, reason) in found.items()
                if self._fits(entity_id, type, country, on)]
        return sorted(kept, key=lambda item: (-item[1], item[0]))

    def _offer_fuzzy(self, found: dict[str, tuple[float, str]], name: str, key: str,
                     single_word: bool) -> None:
        if len(key) < _FUZZY_MIN_KEY:
            return
        seen = (fold(name), key, single_word)
        offers = self._fuzzy_seen.get(seen)
        if offers is None:
            offers = self._fuzzy_offers(*seen)
            if len(self._fuzzy_seen) >= _FUZZY_SEEN_MAX:
                self._fuzzy_seen.clear()
            self._fuzzy_seen[seen] = offers
        for entity_id, score, reason in offers:
            _offer(found, entity_id, score, reason)

    def _fuzzy_offers(self, folded: str, key: str,
                      single_word: bool) -> list[tuple[str, float, str]]:
        queries = dict.fromkeys((folded, key))
        tables = [(self._fuzzy_names, self._fuzzy_ids, 1.0, "similar spelling")]
        if single_word:
            tables.append((self._fuzzy_surnames, self._fuzzy_surname_ids, 0.95,
                           "surname of similar spelling"))
        offers = []
        for choices, ids, weight, reason in tables:
            for query in queries:
                for _, ratio, index in process.extract(
                        query, choices, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF,
                        limit=None):
                    offers.append((ids[index], _FUZZY_CEILING * weight * ratio / 100,
                                   f"{reason} ({ratio:.0f}%)"))
        return offers

    def _only_named_people(self, found: dict[str, tuple[float, str]], key: str,
                           single_word: bool) -> dict[str, tuple[float, str]]:
        """Drop people matched only loosely when the query is exactly another person's name."""
        exact = {entity_id for entity_id in self._by_key.get(key, [])
                 if entity_id.startswith("person:")}
        if single_word:
            exact.update(self._surnames.get(key, []))
        if not exact:
            return found
        return {entity_id: value for entity_id, value in found.items()
                if not entity_id.startswith("person:") or entity_id in exact}

    def _fits(self, entity_id: str, type: str | None, country: str | None,
              on: date | None) -> bool:
        kind, _, key = entity_id.partition(":")
        if type is not None and kind != type:
            return False
        if kind == "person":
            terms = self._terms_by_person.get(key, [])
            if on is not None and not any(term.covers(on) for term in terms):
                return False
            if country is not None:
                return self.people[key].country == country or any(
                    term.country == country for term in terms)
            return True
        return country is None or country in self._countries_of(kind, key)

    def _countries_of(self, kind: str, key: str) -> tuple[str, ...]:
        if kind == "country":
            return (key,)
        if kind == "igo":
            return (key, *self.igos[key].members)
        if kind == "project":
            return self.projects[key].countries
        record = self.orgs[key] if kind == "org" else self.places[key]
        return (record.country,)

    def country_of(self, word: str) -> str | None:
        """Return the country (or IGO) code a word stands for: a name, demonym, compound
        prefix, capital or seat of power ("Kyrgyz", "Sino", "Beijing", "Kremlin"), a place
        in a country, or an IGO; None when the word names none of these."""
        return self._country_words.get(fold(word))

    def holders(self, country: str, office: str, on: date) -> list[Person]:
        """Return the people who held ``office`` of ``country`` on ``on`` (several during
        a handover or where the dates are only known to the month or year).

        Raises UsageError for an unknown office or country code.
        """
        if office not in OFFICES:
            raise UsageError(f"unknown office {office!r}; use one of: {', '.join(OFFICES)}")
        if country not in self.countries and country not in self.igos:
            raise UsageError(f"unknown country or IGO code {country!r}; use an ISO 3166 "
                             "alpha-3 code (KGZ) or an IGO code (EU)")
        ids = [term.person_id for term in self._terms_by_office.get((country, office), [])
               if term.covers(on)]
        return [self.people[person_id] for person_id in dict.fromkeys(ids)]

    def terms_of(self, person_id: str, on: date | None = None) -> list[Term]:
        """Return the terms of a person (bare id or "person:<id>"), oldest first; only those
        covering ``on`` when it is given. Raises KeyError for an unknown person."""
        key = person_id.removeprefix("person:")
        if key not in self.people:
            self.get(f"person:{key}")  # raises KeyError with the nearest ids
        terms = self._terms_by_person.get(key, [])
        return [term for term in terms if on is None or term.covers(on)]

    def office_for_title(self, title: str, country: str | None) -> str | None:
        """Return the office a role word names in a country ("premier" -> head_of_government),
        falling back to the titles that hold for any country; None when unknown. A leading
        country word ("Chinese Foreign Minister") is set aside and used as the country when
        none is given."""
        words = fold(title)
        office = self._title_office(words, country)
        if office is not None:
            return office
        head, _, rest = words.partition(" ")
        named = self._country_words.get(head)
        if rest and named is not None and (country is None or named == country):
            return self._title_office(rest, named)
        return None

    def _title_office(self, words: str, country: str | None) -> str | None:
        if country is not None and (country, words) in self.titles:
            return self.titles[(country, words)]
        return self.titles.get(("*", words))

    def ruler_patterns(self, *, common_words: Collection[str] = ()) -> list[dict]:
        """Return spaCy EntityRuler phrase patterns ``{"label", "pattern", "id"}`` for every
        name (labels COUNTRY, LOCATION, PERSON, ORG, PROJECT), built once per registry.

        ``common_words``: lower-case ordinary words (``patterns.english_words(nlp)``) that no
        one-word person pattern may be; see ``dyadwatch.registry.patterns``.
        """
        key = frozenset(common_words)
        if key not in self._patterns:
            from .patterns import build_patterns

            self._patterns[key] = build_patterns(self, key)
        return list(self._patterns[key])


def _add(index: dict[str, list[str]], key: str, entity_id: str) -> None:
    if key and entity_id not in index[key]:
        index[key].append(entity_id)


def _offer(found: dict[str, tuple[float, str]], entity_id: str, score: float,
           reason: str) -> None:
    if entity_id not in found or found[entity_id][0] < score:
        found[entity_id] = (score, reason)


def _check_type(type: str | None) -> None:
    if type is not None and type not in ENTITY_TYPES:
        raise UsageError(f"unknown entity type {type!r}; use one of: {', '.join(ENTITY_TYPES)}")
