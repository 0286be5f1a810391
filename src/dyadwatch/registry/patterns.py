"""spaCy EntityRuler phrase patterns from the registry.

Labels: COUNTRY (names, demonyms, compound prefixes such as "Sino"), LOCATION (capitals,
seats of power, places), ORG (IGOs and organisations), PROJECT, PERSON (full names,
aliases, and surnames used alone where that is safe). Patterns are case-sensitive strings;
the variants added are the spellings news text uses (dash and apostrophe forms, British and
American spellings, generic words in lower case, capitals in datelines). No pattern is all
lower case, and no acronym is re-cased ("US" never becomes "Us", "WHO" never "Who"), so
patterns do not collide with ordinary words. A one-word person pattern ("Parts", the
surname of an Estonian prime minister) would still match a sentence-initial ordinary word;
such words are left out: a short built-in list always, and every word of a lexicon when one
is given (``english_words(nlp)`` reads spaCy's English lexicon).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

from .text import FAMILY_NAME_FIRST, surname

if TYPE_CHECKING:
    from .core import Registry

__all__ = ["build_patterns", "english_words"]

def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_DASH_BETWEEN_WORDS = re.compile(r"(?<=\w)\s*[-\u2010\u2011\u2013\u2014]\s*(?=\w)")
# Words of a multi-word name that news text often writes in lower case.
_GENERIC = _word_set("""
Initiative Railway Railways Pipeline Corridor Workshop Workshops Ministry Party Agency Bank
Council Forum Summit Programme Program Project Zone Tunnel Highway Line Route Organization
Organisation Committee Commission Administration Academy Institute Company Corporation Fund
Foreign Affairs Defence Defense Commerce Trade Region Province Valley Autonomous Prefecture
Oblast Economic Free Special Dam Station Plant Port Gateway Hub Park Department Service
Office Force Forces Army Navy Guard Centre Center News Agency Television Radio Gas Oil
Power Plant Crossing Pass Bridge Mechanism Format Dialogue Development Investment Railroad
""")
_SPELLINGS = (("isation", "ization"), ("Defence", "Defense"), ("Programme", "Program"),
              ("Centre", "Center"), ("Labour", "Labor"))
# English-speaking countries, whose surnames are often ordinary words (May, Major, Brown).
_ENGLISH_SURNAMES = frozenset({"USA", "GBR", "AUS", "CAN", "NZL", "IRL"})
# Words a one-word person pattern must never be: calendar words, titles, names too common
# to point at one person, and ordinary words that are also surnames of office holders.
_NOT_ONE_WORD_PEOPLE = _word_set("""
January February March April May June July August September October November December
Monday Tuesday Wednesday Thursday Friday Saturday Sunday President Minister Premier
General Prime Chairman King Queen Emir Sultan Prince Sheikh Mohammed Muhammad Ahmed Ali
Khan Singh Kumar Abdullah Ibrahim Hassan Hussein Note Parts Said Odor Bold Blah Gross Christian
Roman Mills Mason Miller Mara Mesa Nova Pique Pitcher Sang Slot Stocker Talon Wade Barrow
Burg Braze Fils Granger Machete Topi Long Young Little Love Hope Rich Strong Wood Stone Major
Brown Rice Church Hall Law Bell Case Lane Park Moon Sun Wing Hill Rose Grant Ford
Gates Best Fox Well Wells Power Powers Price Cook Banks Frank Dean Free Born Kind Glass White
Black Green Gray Grey Swift Noble Sharp Bright Early Day Knight Page Rock Chance Mark Will
""")


def build_patterns(registry: Registry, common_words: Collection[str] = ()) -> list[dict]:
    """Return EntityRuler patterns ``{"label", "pattern", "id"}``; a string names only the
    first entity that claims it (countries, then places, IGOs, orgs, projects, people).

    ``common_words`` (lower case) are ordinary words of the language: no one-word person
    pattern is one of them.
    """
    common = frozenset(common_words)
    patterns: list[dict] = []
    taken: set[str] = set()
    for label, entity_id, names, caps in _named_entities(registry):
        for name in names:
            for text in _variants(name, caps=caps):
                if text in taken or not _usable(text):
                    continue
                if label == "PERSON" and not _safe_one_word(text, common):
                    continue
                taken.add(text)
                patterns.append({"label": label, "pattern": text, "id": entity_id})
    for person_id, word in _safe_surnames(registry, taken):
        if _safe_one_word(word, common):
            taken.add(word)
            patterns.append({"label": "PERSON", "pattern": word, "id": person_id})
    return patterns


def english_words(nlp: Any) -> frozenset[str]:
    """Return the lower-case words of a spaCy English pipeline's lexicon (the lemmatizer's
    word index); an empty set when the pipeline has no such table."""
    try:
        table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    except (KeyError, AttributeError, ValueError):
        return frozenset()
    return frozenset(word for words in table.values() for word in words)


def _safe_one_word(text: str, common: frozenset[str]) -> bool:
    """A multi-word pattern or an acronym is always safe; one word must not be an
    ordinary word (it would match at the start of a sentence)."""
    if " " in text or text.isupper():
        return True
    return text not in _NOT_ONE_WORD_PEOPLE and text.lower() not in common


def _named_entities(registry: Registry) -> Iterable[tuple[str, str, tuple[str, ...], bool]]:
    """Yield (label, entity id, names, add dateline capitals) in order of precedence."""
    for country in registry.countries.values():
        entity_id = f"country:{country.code}"
        yield "COUNTRY", entity_id, (country.name, *country.names), True
        yield "COUNTRY", entity_id, (*country.adjectives, *country.prefixes), False
    for place in registry.places.values():
        yield "LOCATION", f"place:{place.id}", (place.name, *place.aliases), True
    for igo in registry.igos.values():
        yield "ORG", f"igo:{igo.code}", (igo.code, igo.name, *igo.names), False
    for org in registry.orgs.values():
        yield "ORG", f"org:{org.id}", (org.name, *org.aliases), False
    for project in registry.projects.values():
        yield "PROJECT", f"project:{project.id}", (project.name, *project.aliases), False
    for person in registry.people.values():
        yield "PERSON", f"person:{person.id}", (person.name, *person.aliases), False


def _variants(name: str, *, caps: bool) -> list[str]:
    """Return the spellings of one name to match, the name itself first."""
    base = name.strip()
    if base.startswith("the "):
        base = base[4:]
    forms = {base: None}
    if base.startswith("The "):
        forms[base[4:]] = None
    for step in (_dash_forms, _spelling_forms, _generic_forms, _apostrophe_forms):
        for form in list(forms):
            for variant in step(form):
                forms.setdefault(variant, None)
    if caps and len(base) > 3 and not base.isupper():
        forms.setdefault(base.upper(), None)  # datelines: "BISHKEK, May 3"
    return list(forms)


def _dash_forms(name: str) -> list[str]:
    if not _DASH_BETWEEN_WORDS.search(name):
        return []
    return [_DASH_BETWEEN_WORDS.sub(dash, name) for dash in ("-", "\u2013", "\u2014", " ")]


def _spelling_forms(name: str) -> list[str]:
    forms = []
    for british, american in _SPELLINGS:
        if british in name:
            forms.append(name.replace(british, american))
        elif american in name:
            forms.append(name.replace(american, british))
    return forms


def _generic_forms(name: str) -> list[str]:
    words = name.split(" ")
    if len(words) < 2:
        return []
    lowered = [words[0]] + [w.lower() if w in _GENERIC else w for w in words[1:]]
    return [" ".join(lowered)] if lowered != words else []


def _apostrophe_forms(name: str) -> list[str]:
    return [name.replace("'", "\u2019")] if "'" in name else []


def _usable(text: str) -> bool:
    # A pattern without a capital letter would match ordinary words ("customs", "the").
    return len(text) >= 2 and any(char.isupper() for char in text)


def _safe_surnames(registry: Registry, taken: set[str]) -> list[tuple[str, str]]:
    """Return (person id, surname) for surnames that can stand alone as a pattern: one known
    person only, four letters or more, not an ordinary English word or a title, from a
    country that writes the given name first and does not use English words as surnames."""
    owners: dict[str, set[str]] = {}
    for person in registry.people.values():
        for name in (person.name, *person.aliases):
            word = surname(name, person.country)
            if word:
                owners.setdefault(word, set()).add(person.id)
    safe = []
    for word, ids in owners.items():
        if len(ids) != 1 or word in taken:
            continue
        (person_id,) = ids
        person = registry.people[person_id]
        # Family names written first (Xi, Li, Wang) are shared by too many people.
        if person.country in FAMILY_NAME_FIRST or person.country in _ENGLISH_SURNAMES:
            continue
        if len(word) < 4 or not word[0].isupper():
            continue
        safe.append((f"person:{person_id}", word))
    return safe
