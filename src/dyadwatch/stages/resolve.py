"""Know who is who: link every mention to one entity, with actor codes at the article's date.

Rules, in the order they run (each mention records the rule that linked it):

1. ``registry``: names the entity ruler recognised carry their registry id.
2. ``exact`` / ``fuzzy``: other names are looked up in the registry, exactly after folding,
   then by transliteration key and fuzzy score, constrained by type and office at the date.
3. ``short_form``: "Xi", "Japarov's" link to the full name seen earlier in the document.
4. ``title``: "Kyrgyz President Sadyr Japarov", "President Zaparov of Kyrgyzstan" give the
   person's country and office; "the Chinese president" alone is resolved to the holder of
   that office at the article's date (``role@date``).
5. ``group``: "the two leaders", "the two heads of state", "both sides", "the two countries"
   stand for the pair the article is about.
6. ``focus``: "the Central Asian country" is the most recent country of that region.
7. ``pronoun``: "he said", "she added", "his" link to the most recent person before them.

Unknown people get a stable id from their transliteration key (and country, when known), so
that the same person is one entity across documents only on that strong evidence.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from ..document import Document, Entity, Mention, Span
from ..pipeline import register_stage
from ..registry import Registry, load_registry, translit_key

__all__ = ["Resolve", "load_regions"]

VERSION = "1"
TAG = f"resolve@{VERSION}"

# spaCy labels we keep as mentions, and what they become before registry look-up.
# (Projects come from the registry and project patterns only: spaCy's EVENT, LAW and
# WORK_OF_ART are games, forums and declarations, not projects.)
_SPACY_TYPES = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "LOCATION", "LOC": "LOCATION",
                "FAC": "LOCATION", "NORP": "NORP"}
# A name never ends in a function word: "Standing Committee of the" is a cut-off span.
_DANGLING = re.compile(r"\b(?:of|the|and|for|in|at|on|to|a|an)$", re.I)
# Header field labels glued to a byline name: "By Yang Jin Source:Global Times".
_FIELD_LABEL = re.compile(r"\s+(?:Source|Published|Updated|Editor|Reporter|Photo)\b.*$", re.S)
_REGISTRY_TYPES = {"COUNTRY", "LOCATION", "PERSON", "ORG", "PROJECT"}
_PREFIX_TYPE = {"country": "COUNTRY", "igo": "ORG", "person": "PERSON", "org": "ORG",
                "place": "LOCATION", "project": "PROJECT"}

_GROUP_PEOPLE = re.compile(
    r"\b(?:the|both)\s+(?:two\s+)?(?:leaders|heads\s+of\s+state|presidents|heads\s+of\s+government|"
    r"prime\s+ministers|foreign\s+ministers|ministers)\b", re.I)
_GROUP_COUNTRIES = re.compile(
    r"\b(?:the\s+two\s+(?:countries|nations|sides|states|governments|peoples)|both\s+(?:countries|"
    r"nations|sides|governments)|the\s+two\s+neighbou?rs)\b", re.I)
_FOCUS_COUNTRY = re.compile(
    r"\b[Tt]he\s+(?P<region>(?:[A-Z][a-z]+\s+){0,2})?(?:country|nation|state|republic)\b")
_ROLE = re.compile(
    r"\b(?:the|his|her|their)\s+(?P<adj>[A-Z][\w-]+(?:\s+[A-Z][\w-]+)?)\s+"
    r"(?P<title>president|premier|prime\s+minister|foreign\s+minister|chancellor|king|emir|"
    r"counterpart|leader|head\s+of\s+state)\b", re.I)
_PRONOUNS = {"he", "she", "him", "his", "her"}
_GROUP_PRONOUNS = {"it", "its", "they", "them", "their"}
_LEADER_OFFICES = {"head_of_state", "head_of_government"}
_SECTOR_BY_TYPE = {"COUNTRY": "GOV", "LOCATION": "CVL", "PROJECT": None}


@dataclass
class _Context:
    doc: Document
    registry: Registry
    on: date | None

    @property
    def text(self) -> str:
        return self.doc.text


@lru_cache(maxsize=1)
def load_regions() -> dict[str, frozenset[str]]:
    """Region adjectives ("Central Asian") -> ISO3 codes of the countries in that region."""
    regions: dict[str, frozenset[str]] = {}
    data = resources.files("dyadwatch.data").joinpath("regions.tsv").read_text("utf-8")
    rows = csv.reader((line for line in data.splitlines() if line and not line.startswith("#")),
                      delimiter="\t")
    next(rows)
    for adjective, codes in rows:
        regions[adjective.lower()] = frozenset(codes.split("|"))
    return regions


@register_stage("resolve", version=VERSION, requires=("ents", "sentences"),
                adds=("mentions", "entities"))
class Resolve:
    """Link mentions to registry entities and to each other; give actor codes at the date."""

    def __init__(self, *, registry_files: Iterable[str] = ()) -> None:
        self.registry = load_registry(tuple(str(path) for path in registry_files))

    def __call__(self, doc: Document) -> Document:
        ctx = _Context(doc, self.registry, _article_date(doc))
        mentions = [m for m in (_from_ent(ctx, span) for span in doc.layer("ents")) if m]
        mentions = [m for m in mentions if not _inside_institution_name(ctx, m)
                    and not _names_a_currency(ctx, m)]
        mentions = _drop_overlaps(mentions)
        mentions = _project_names(ctx, mentions)
        for mention in mentions:
            _link(ctx, mention)
            if mention.type == "PERSON" and not mention.entity_id and " " in mention.text:
                mention.entity_id = _unknown_id(mention)  # so "Su" can link to "Su Chang"
        mentions += _short_forms(ctx, mentions)
        for mention in mentions:
            _titles(ctx, mention)
        mentions += _role_phrases(ctx, mentions)
        for mention in mentions:
            _prefix_country(ctx, mention, mentions)
            _apposition_country(ctx, mention, mentions)
        for mention in mentions:
            _finish(ctx, mention)
        added = _groups(ctx, mentions)
        added += _focus_countries(ctx, mentions)
        added += _pronouns(ctx, mentions + added)
        for mention in added:
            _finish(ctx, mention)
        mentions += added
        _share_countries(mentions)
        mentions.sort(key=lambda m: (m.start, m.end))
        for mention in mentions:
            mention.sentence = doc.sentence_of(mention.start)
        doc.mentions = mentions
        doc.entities = _entities(ctx, mentions)
        return doc


def _article_date(doc: Document) -> date | None:
    if not doc.meta.published:
        return None
    try:
        return date.fromisoformat(doc.meta.published[:10])
    except ValueError:
        return None


# --- 1. mentions from entity spans --------------------------------------------------------


def _from_ent(ctx: _Context, span: Any) -> Mention | None:
    if ctx.doc.in_boilerplate(span.start, span.end):
        return None  # boilerplate is never a source of entities
    start, end = _trim_mention(ctx.text, span.start, span.end)
    text = ctx.text[start:end]
    if not text or not any(ch.isalpha() for ch in text):
        return None
    ent_id = span.attrs.get("ent_id") or None
    if span.label in _REGISTRY_TYPES and ent_id:
        mention_type = _PREFIX_TYPE.get(ent_id.split(":", 1)[0], span.label)
    elif span.label in _SPACY_TYPES:
        mention_type = _SPACY_TYPES[span.label]
        if _sloppy(ctx, text, start, end, mention_type):
            return None
    else:
        return None
    return Mention(start, end, text, mention_type, entity_id=ent_id, provenance=TAG,
                   resolved_by="registry" if ent_id else None)


_PROJECT_NAME = re.compile(
    r"\b(?P<name>(?:[A-Z][a-z]+[-–\s]){1,3}[A-Z][a-z]+\s+(?:railway|railroad|pipeline|corridor|"
    r"highway|road|bridge|port|canal|dam|tunnel|line))(?:\s+(?:construction\s+)?project)?\b")


def _project_names(ctx: _Context, mentions: list[Mention]) -> list[Mention]:
    """"China-Kyrgyzstan-Ukraine railway": a project named after countries is one project
    mention (resolved to the registry's project by name similarity), not country mentions."""
    for match in _PROJECT_NAME.finditer(ctx.text):
        start, end = match.start(), match.end()
        inside = [m for m in mentions if start <= m.start and m.end <= end]
        if not inside or any(m.type == "PROJECT" and m.start == start for m in inside):
            continue
        if not all(m.type in ("COUNTRY", "LOCATION", "NORP", "PROJECT") for m in inside):
            continue
        found = ctx.registry.find_fuzzy(match.group("name"), type="project")
        if not found:
            continue
        entity_id, score, reason = found[0]
        shared = {m.entity_id.split(":", 1)[1] for m in inside if m.type == "COUNTRY"
                  and m.entity_id} & set(getattr(ctx.registry.get(entity_id), "countries", ()))
        # a near spelling with a wrong country in it ("…-Ukraine railway" for the
        # China-Kyrgyzstan-Uzbekistan one) counts when the other named countries agree
        if score < 0.8 and not (score >= 0.75 and len(shared) >= 2):
            continue
        mentions = [m for m in mentions if m not in inside]
        start, end = match.span("name")
        project = Mention(start, end, match.group("name"), "PROJECT", entity_id=entity_id,
                          provenance=TAG, confidence=round(score, 3),
                          resolved_by="project_name")
        _evidence(ctx, project, rule="project_name", score=score, reason=reason)
        mentions.append(project)
    return sorted(mentions, key=lambda m: m.start)


def _sloppy(ctx: _Context, text: str, start: int, end: int, mention_type: str) -> bool:
    """A statistical entity span we do not trust: cut off, lowercase, or a common noun."""
    if _DANGLING.search(text) or text.islower():
        return True
    if mention_type == "PERSON" and " " not in text and ctx.doc.spacy_doc is not None:
        token = ctx.doc.spacy_doc.char_span(start, end, alignment_mode="expand")
        if token is not None and len(token) == 1 and token[0].lemma_.lower() != token[0].lower_:
            return True  # "Challenges" in a heading: an inflected common noun, not a name
    return False


_INSTITUTION = re.compile(
    r"\b(?:Institute|University|Academy|Center|Centre|School|College|Department|Society|"
    r"Association|Studies|Museum|Foundation|Council|Bank)\b")


def _inside_institution_name(ctx: _Context, mention: Mention) -> bool:
    """"Russian" in "the Institute of Russian, Eastern European and Central Asian Studies"
    is a word of an institution's name, not a mention of Russia."""
    if mention.type != "COUNTRY" or mention.resolved_by != "registry":
        return False
    if ctx.registry.find(mention.text) and mention.text not in _adjectives(ctx, mention):
        return False  # a country's name ("China") stays a country
    run = re.search(r"(?:[A-Z][\w-]*|of|and|for|,|\s)*$", ctx.text[max(0, mention.start - 80):mention.start])
    after = re.match(r"(?:[A-Z][\w-]*|of|and|for|,|\s)*", ctx.text[mention.end:mention.end + 80])
    name = (run.group(0) if run else "") + mention.text + (after.group(0) if after else "")
    return bool(_INSTITUTION.search(name)) and not name.strip().startswith(mention.text)


_CURRENCY = re.compile(r"\s*(?:dollars?|cents?|yuan|renminbi|roubles?|rubles?|euros?|pounds?|"
                       r"rupees?|yen|won|tenge|soms?|sums?|somoni|manats?|lira|francs?)\b", re.I)


def _names_a_currency(ctx: _Context, mention: Mention) -> bool:
    """"US" in "240 billion US dollars" names a currency, not an actor."""
    return mention.type == "COUNTRY" and bool(_CURRENCY.match(ctx.text, mention.end))


def _adjectives(ctx: _Context, mention: Mention) -> tuple[str, ...]:
    code = (mention.entity_id or "").split(":", 1)[-1]
    country = ctx.registry.countries.get(code)
    return tuple(country.adjectives) if country else ()


def _trim_mention(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading "the", trailing white space, a glued header label and a possessive."""
    if text[start:start + 4].lower() == "the " and end - start > 4:
        start += 4
    label = _FIELD_LABEL.search(text, start, end)
    if label and label.start() > start:
        end = label.start()
    while end > start and text[end - 1].isspace():
        end -= 1
    if text[end - 2:end] in ("'s", "’s"):
        end -= 2
    return start, end


def _drop_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest of overlapping mentions (registry ones first)."""
    ranked = sorted(mentions, key=lambda m: (m.entity_id is None, -(m.end - m.start), m.start))
    kept: list[Mention] = []
    for mention in ranked:
        if all(mention.end <= k.start or mention.start >= k.end for k in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start)


# --- 2. registry look-up -----------------------------------------------------------------


def _link(ctx: _Context, mention: Mention) -> None:
    if mention.entity_id:
        return
    registry = ctx.registry
    if mention.type == "NORP":
        code = registry.country_of(mention.text)
        mention.type = "COUNTRY" if code else "NORP"
        if code:
            mention.entity_id, mention.resolved_by = f"country:{code}", "exact"
        return
    found = _find(registry, mention.text, mention.type)
    if found:
        mention.entity_id, mention.resolved_by = found[0], "exact"
        mention.type = _PREFIX_TYPE.get(found[0].split(":", 1)[0], mention.type)
        return
    if mention.type == "PERSON":
        matches = registry.find_fuzzy(mention.text, type="person", on=ctx.on)
        if len(matches) > 1 and matches[1][1] >= matches[0][1] - 0.05:
            return  # two people fit about as well (Sadyr and Akylbek Japarov): let context decide
        if matches and matches[0][1] >= 0.85:
            entity_id, score, reason = matches[0]
            mention.entity_id, mention.resolved_by = entity_id, "fuzzy"
            mention.confidence = round(score, 3)
            _evidence(ctx, mention, rule="fuzzy", score=score, reason=reason)


# Which registry kinds a mention of each type may resolve to.
_KINDS_FOR_TYPE = {"PERSON": ("person",), "ORG": ("org", "igo"), "PROJECT": ("project",),
                   "LOCATION": ("place", "country"), "COUNTRY": ("country",)}


def _find(registry: Registry, text: str, mention_type: str) -> list[str]:
    """Registry ids for ``text`` among the kinds a mention of ``mention_type`` can be."""
    kinds = _KINDS_FOR_TYPE.get(mention_type, ())
    return [entity_id for entity_id in registry.find(text)
            if entity_id.split(":", 1)[0] in kinds]


def _evidence(ctx: _Context, mention: Mention, **facts: Any) -> None:
    ctx.doc.layers.setdefault("merge_evidence", [])
    ctx.doc.layers["merge_evidence"].append(
        Span(mention.start, mention.end, label=mention.entity_id or "", provenance=TAG,
             confidence=float(facts.get("score", 1.0)),
             attrs={"mention": mention.text, **{k: v for k, v in facts.items() if k != "score"}}))


# --- 3. short forms ------------------------------------------------------------------------


def _short_forms(ctx: _Context, mentions: list[Mention]) -> list[Mention]:
    """"Xi", "Japarov's" -> the full name seen in the document (or one office holder)."""
    by_token: dict[str, set[str]] = defaultdict(set)  # keyed by transliteration key
    for mention in mentions:
        if mention.type == "PERSON" and mention.entity_id and " " in mention.text:
            for token in mention.text.split():
                if len(token) > 1 and token[0].isupper():
                    by_token[translit_key(token)].add(mention.entity_id)
    taken = [(m.start, m.end) for m in mentions]
    added: list[Mention] = []
    for mention in mentions:  # single tokens spaCy found (as any type) that name a person here
        if mention.resolved_by in ("registry", "exact") or " " in mention.text:
            continue
        ids = by_token.get(translit_key(mention.text))
        if ids and len(ids) == 1:
            mention.entity_id, mention.resolved_by = next(iter(ids)), "short_form"
            mention.type = "PERSON"
    for token in ctx.doc.spacy_doc or ():
        ids = by_token.get(translit_key(token.text)) if token.text[:1].isupper() else None
        if not ids or len(ids) != 1 or token.pos_ not in ("PROPN", "NOUN", "ADJ", "VERB"):
            continue
        start, end = token.idx, token.idx + len(token.text)
        if any(s < end and start < e for s, e in taken) or ctx.doc.in_boilerplate(start, end):
            continue
        added.append(Mention(start, end, token.text, "PERSON", entity_id=next(iter(ids)),
                             provenance=TAG, resolved_by="short_form"))
        taken.append((start, end))
    for mention in mentions:  # a bare surname with no full name in the article: office holder
        if mention.type == "PERSON" and not mention.entity_id and " " not in mention.text:
            holder = _holder_by_surname(ctx, mention.text)
            if holder:
                mention.entity_id, mention.resolved_by = holder, "surname@date"
    return added


def _holder_by_surname(ctx: _Context, surname: str) -> str | None:
    if ctx.on is None:
        return None
    found = [entity_id for entity_id, _score, _why in
             ctx.registry.find_fuzzy(surname, type="person", on=ctx.on)]
    holders = [e for e in found if ctx.registry.terms_of(e.split(":", 1)[1], ctx.on)]
    return holders[0] if len(holders) == 1 else None


# --- 4. titles and role phrases -----------------------------------------------------------


def _titles(ctx: _Context, mention: Mention) -> None:
    """Country and office from "Kyrgyz President X" or "President X of Kyrgyzstan"."""
    if mention.type != "PERSON":
        return
    before = ctx.text[max(0, mention.start - 60):mention.start]
    before = before[before.rfind("\n") + 1:]  # a title never stands on the line before
    after = ctx.text[mention.end:mention.end + 40]
    match = re.search(r"(?:(?P<adj>[A-Z][\w-]+)[ \t]+)?(?P<title>[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?)"
                      r"[ \t]*$", before)
    country = None
    title = None
    if match:
        title = match.group("title")
        if match.group("adj"):
            country = ctx.registry.country_of(match.group("adj"))
    of_match = re.match(r"[ \t]+of[ \t]+(?P<place>[A-Z][\w-]+(?:[ \t]+[A-Z][\w-]+)?)", after)
    if of_match and not country:
        country = ctx.registry.country_of(of_match.group("place"))
    if not title:
        return
    office = ctx.registry.office_for_title(title.lower(), country)
    if office and not mention.role:
        mention.role = office
    if country and not mention.country:
        mention.country = country
    weak = mention.resolved_by in (None, "fuzzy", "surname@date", "short_form")
    if weak and country and office and ctx.on:
        holders = ctx.registry.holders(country, office, ctx.on)
        if len(holders) == 1 and _same_surname(mention.text, holders[0]):
            # the title at the date outranks a spelling guess: "President Zaparov of
            # Kyrgyzstan" in May 2023 is the president, not the prime minister Japarov
            mention.entity_id, mention.resolved_by = f"person:{holders[0].id}", "title@date"


def _prefix_country(ctx: _Context, mention: Mention, mentions: list[Mention]) -> None:
    """A person's country from the words before the name in its noun phrase: "U.S.
    Secretary of State Warren Christopher", "Arab League Secretary General Chadli Klibi"."""
    if mention.type != "PERSON" or mention.country or ctx.doc.spacy_doc is None or (
            mention.entity_id and ":unk:" not in mention.entity_id):
        return
    span = ctx.doc.spacy_doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if span is None:
        return
    left = span.root.left_edge.idx
    inside = [m for m in mentions if left <= m.start and m.end <= mention.start]
    country = _first_country(ctx, sorted(inside, key=lambda m: m.type != "ORG"))
    if country:
        mention.country = country
        mention.resolved_by = mention.resolved_by or "title"


def _apposition_country(ctx: _Context, mention: Mention, mentions: list[Mention]) -> None:
    """An unknown person's country from an apposition ("X, a fellow at the Chinese Academy
    of Social Sciences") or, for a byline, from the outlet."""
    if mention.type != "PERSON" or mention.country or (
            mention.entity_id and ":unk:" not in mention.entity_id):
        return
    spacy_doc = ctx.doc.spacy_doc
    span = spacy_doc.char_span(mention.start, mention.end, alignment_mode="expand") \
        if spacy_doc is not None else None
    if span is not None:
        for child in span.root.children:
            if child.dep_ != "appos":
                continue
            start, end = child.left_edge.idx, child.right_edge.idx + len(child.right_edge)
            inside = [m for m in mentions if start <= m.start and m.end <= end and m is not mention]
            # an affiliation says more than a country word inside an institute's name
            inside.sort(key=lambda m: m.type != "ORG")
            country = _first_country(ctx, inside)
            if country:
                mention.country, mention.resolved_by = country, mention.resolved_by or "apposition"
                return
    if any(h.start <= mention.start < h.end for h in ctx.doc.layer("header")) and ctx.doc.meta.outlet:
        outlets = _find(ctx.registry, ctx.doc.meta.outlet, "ORG")
        if outlets:
            mention.country = getattr(ctx.registry.get(outlets[0]), "country", None)


def _first_country(ctx: _Context, mentions: list[Mention]) -> str | None:
    for mention in mentions:
        if mention.country:
            return mention.country
        if mention.entity_id and ":unk:" not in mention.entity_id and \
                mention.entity_id.split(":", 1)[0] in ("org", "country", "place", "igo"):
            entry = ctx.registry.get(mention.entity_id)
            code = getattr(entry, "country", None) or getattr(entry, "code", None)
            if code:
                return code
    return None


def _same_surname(text: str, person: Any) -> bool:
    """True when the mention's last word is, by transliteration, a word of the person's name."""
    last = translit_key(text.split()[-1])
    names = (person.name, *person.aliases)
    return any(last == translit_key(word) for name in names for word in name.split())


def _role_phrases(ctx: _Context, mentions: list[Mention]) -> list[Mention]:
    """"the Chinese president" -> the holder of that office at the article's date."""
    if ctx.on is None:
        return []
    added = []
    for match in _ROLE.finditer(ctx.text):
        start, end = match.start(), match.end()
        # the country adjective inside ("the Chinese president") may be a mention already
        blocking = [m for m in mentions if m.start < end and start < m.end and m.type != "COUNTRY"]
        if blocking or ctx.doc.in_boilerplate(start, end):
            continue
        if re.match(r"\s+[A-Z]", ctx.text[end:end + 2]):
            continue  # a name follows: the title rule handles it
        country = ctx.registry.country_of(match.group("adj"))
        title = match.group("title").lower()
        if not country:
            continue
        if title == "counterpart":
            office = _counterpart_office(mentions, start)
        else:
            office = ctx.registry.office_for_title(title, country)
        holders = ctx.registry.holders(country, office, ctx.on) if office else []
        if len(holders) == 1:
            added.append(Mention(start, end, ctx.text[start:end], "PERSON",
                                 entity_id=f"person:{holders[0].id}", country=country,
                                 role=office, provenance=TAG, resolved_by="role@date"))
    return added


def _counterpart_office(mentions: list[Mention], before: int) -> str | None:
    for mention in reversed(mentions):
        if mention.start < before and mention.type == "PERSON" and mention.role:
            return mention.role
    return "head_of_state"


def _covered(mentions: list[Mention], start: int, end: int) -> bool:
    return any(m.start < end and start < m.end for m in mentions)


# --- 5. groups: the two leaders, the two countries ---------------------------------------


def _groups(ctx: _Context, mentions: list[Mention]) -> list[Mention]:
    """"the two leaders" -> both principal people; "the two countries" -> the dyad."""
    added = []
    people = _principals(mentions, "PERSON")
    countries = _principals(mentions, "COUNTRY")
    for pattern, members, kind in ((_GROUP_PEOPLE, people, "PERSON"),
                                   (_GROUP_COUNTRIES, countries, "COUNTRY")):
        if len(members) != 2:
            continue
        for match in pattern.finditer(ctx.text):
            start, end = match.start(), match.end()
            if ctx.doc.in_boilerplate(start, end) or _covered(mentions, start, end):
                continue
            for entity_id in members:
                added.append(Mention(start, end, ctx.text[start:end], kind, entity_id=entity_id,
                                     provenance=TAG, resolved_by="group"))
    return added


def _principals(mentions: list[Mention], kind: str) -> list[str]:
    """The two leading entities of ``kind`` when they belong to different countries.

    Leaders of state and government weigh more than other people: "the two heads of state"
    in a story that also names ministers means the two presidents.
    """
    counts: Counter[str] = Counter()
    for mention in mentions:
        if mention.type == kind and mention.entity_id and ":unk:" not in mention.entity_id:
            counts[mention.entity_id] += 1 + 3 * (mention.role in _LEADER_OFFICES)
    ranked = counts.most_common(3)
    if len(ranked) < 2 or (len(ranked) == 3 and ranked[1][1] == ranked[2][1]):
        return []  # no clear pair
    top = [entity_id for entity_id, _ in ranked[:2]]
    if kind == "PERSON":
        countries = {m.entity_id: m.country for m in mentions if m.entity_id in top and m.country}
        if len(set(countries.values())) < 2:
            return []
    return top


# --- 6. "the Central Asian country" ----------------------------------------------------------


def _focus_countries(ctx: _Context, mentions: list[Mention]) -> list[Mention]:
    regions = load_regions()
    countries = [m for m in mentions if m.type == "COUNTRY" and m.entity_id]
    added = []
    for match in _FOCUS_COUNTRY.finditer(ctx.text):
        start, end = match.start(), match.end()
        region = (match.group("region") or "").strip().lower()
        # a region word inside the phrase may already be a (NORP or place) mention
        blocking = [m for m in mentions if m.start < end and start < m.end
                    and m.type not in ("NORP", "LOCATION")]
        if not region or region not in regions or blocking:
            continue
        earlier = [m for m in countries if m.end <= start
                   and m.entity_id.split(":", 1)[1] in regions[region]]
        if earlier:
            added.append(Mention(start, end, ctx.text[start:end], "COUNTRY",
                                 entity_id=earlier[-1].entity_id, provenance=TAG,
                                 resolved_by="focus"))
    return added


# --- 7. pronouns -----------------------------------------------------------------------------


def _pronouns(ctx: _Context, mentions: list[Mention]) -> list[Mention]:
    """"he said" -> the most recent person before it (only when that person is clear)."""
    spacy_doc = ctx.doc.spacy_doc
    if spacy_doc is None:
        return []
    people = sorted((m for m in mentions if m.type == "PERSON" and m.entity_id),
                    key=lambda m: m.start)
    actors = sorted((m for m in mentions if m.type in ("COUNTRY", "ORG") and m.entity_id
                     and ":unk:" not in m.entity_id), key=lambda m: m.start)
    added = []
    for token in spacy_doc:
        if token.lower_ in _GROUP_PRONOUNS and token.pos_ == "PRON":
            group = _group_pronoun(ctx, token, actors)
            if group is not None:
                added.append(group)
            continue
        if token.lower_ not in _PRONOUNS or token.pos_ != "PRON":
            continue
        start = token.idx
        if ctx.doc.in_boilerplate(start, start + len(token.text)):
            continue
        before = [m for m in people if m.end <= start]
        if not before:
            continue
        antecedent = before[-1]
        added.append(Mention(start, start + len(token.text), token.text, "PRONOUN",
                             entity_id=antecedent.entity_id, country=antecedent.country,
                             provenance=TAG, resolved_by="pronoun", confidence=0.8))
    return added


def _group_pronoun(ctx: _Context, token: Any, actors: list[Mention]) -> Mention | None:
    """"Syria says it is willing…", "the Fijian rebels said they…": a state, organisation or
    group named earlier in the same sentence (its subject first) is what "it"/"they" stands for.
    """
    sentence = token.sent
    before = [m for m in actors if sentence.start_char <= m.start and m.end <= token.idx]
    if not before:
        return None
    subjects = [m for m in before if _is_subject(ctx, m)]
    antecedent = (subjects or before)[-1]
    start = token.idx
    return Mention(start, start + len(token.text), token.text, "PRONOUN",
                   entity_id=antecedent.entity_id, country=antecedent.country,
                   provenance=TAG, resolved_by="pronoun", confidence=0.7)


def _is_subject(ctx: _Context, mention: Mention) -> bool:
    span = ctx.doc.spacy_doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if span is None:
        return False
    node = span.root
    while node.dep_ in ("amod", "compound", "poss", "nmod") and node.head is not node:
        node = node.head
    return node.dep_ in ("nsubj", "nsubjpass")


# --- codes and entities -----------------------------------------------------------------------


def _finish(ctx: _Context, mention: Mention) -> None:
    """Give the mention its country, sector and office at the article's date."""
    registry = ctx.registry
    if mention.entity_id is None:
        mention.entity_id = _unknown_id(mention)
        return
    prefix, _, key = mention.entity_id.partition(":")
    if prefix == "country":
        mention.country, mention.sector = key, "GOV"
    elif prefix == "igo":
        mention.country, mention.sector = key, "IGO"
    elif prefix in ("person", "org", "place", "project") and not key.startswith("unk:"):
        entry = registry.get(mention.entity_id)
        mention.country = mention.country or getattr(entry, "country", None)
        if prefix == "org":
            mention.sector = getattr(entry, "sector", None)
        elif prefix == "place":
            mention.sector = "CVL"
        elif prefix == "person":
            terms = registry.terms_of(key, ctx.on) if ctx.on else []
            if terms:
                mention.role = mention.role or terms[0].office
                mention.sector = "GOV"
            else:
                mention.sector = "ELI" if registry.terms_of(key) else None


def _share_countries(mentions: list[Mention]) -> None:
    """Mentions of one entity share what any of them learnt of its country."""
    known: dict[str, str] = {}
    for mention in mentions:
        if mention.entity_id and mention.country and mention.type != "PRONOUN":
            known.setdefault(mention.entity_id, mention.country)
    for mention in mentions:
        if mention.entity_id in known and not mention.country:
            mention.country = known[mention.entity_id]


def _unknown_id(mention: Mention) -> str:
    key = translit_key(mention.text) or re.sub(r"\W+", "", mention.text.lower())
    prefix = {"PERSON": "person", "ORG": "org", "LOCATION": "place", "PROJECT": "project",
              "COUNTRY": "country", "NORP": "norp"}.get(mention.type, "entity")
    return f"{prefix}:unk:{key}"


def _entities(ctx: _Context, mentions: list[Mention]) -> list[Entity]:
    grouped: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        if mention.entity_id and mention.type != "NORP":
            grouped[mention.entity_id].append(mention)
    evidence = defaultdict(list)
    for span in ctx.doc.layer("merge_evidence"):
        evidence[span.label].append({"mention": span.attrs.get("mention"), "start": span.start,
                                     "end": span.end, "score": span.confidence,
                                     **{k: v for k, v in span.attrs.items() if k != "mention"}})
    entities = []
    for entity_id, group in grouped.items():
        entities.append(_entity(ctx, entity_id, group, evidence.get(entity_id, [])))
    return entities


def _entity(ctx: _Context, entity_id: str, group: list[Mention], evidence: list) -> Entity:
    named = [m for m in group if m.type not in ("PRONOUN",) and m.resolved_by != "group"]
    kinds = Counter(m.type for m in named or group)
    entity_type = kinds.most_common(1)[0][0] if kinds else group[0].type
    aliases = sorted({m.text for m in named})
    name = max(aliases, key=len) if aliases else group[0].text
    wikidata = None
    registry_id = None
    if ":unk:" not in entity_id:
        entry = ctx.registry.get(entity_id)
        name = getattr(entry, "name", name)
        wikidata = getattr(entry, "wikidata", None) or None
        registry_id = entity_id
    countries = Counter(m.country for m in group if m.country)
    roles = sorted({m.role for m in group if m.role})
    rule_evidence = [{"mention": m.text, "start": m.start, "end": m.end, "rule": m.resolved_by}
                     for m in group if m.resolved_by not in (None, "registry", "exact")]
    return Entity(
        id=entity_id, name=name, type=entity_type if entity_type != "PRONOUN" else "PERSON",
        country=countries.most_common(1)[0][0] if countries else None,
        sector=next((m.sector for m in group if m.sector), None),
        registry_id=registry_id, wikidata=wikidata, aliases=aliases,
        roles=[{"office": role, "as_of": ctx.on.isoformat() if ctx.on else None} for role in roles],
        evidence=evidence + rule_evidence,
    )
