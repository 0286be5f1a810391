"""Partnership levels: each statement of the level of relations between two states.

The levels are the rungs of ``data/ladder.tsv`` ("strategic partnership" on rung 3,
"comprehensive strategic partnership" on 4, "... for a new era" on 5); any spelling of a
level is recorded under its canonical name, "in the new era" reading as "for a new era".
A statement is either:

- an **upgrade**: the level is what relations are raised, brought or developed *to* or
  *into*, or what is established, signed or formed ("elevate China-Kyrgyzstan relations to
  a comprehensive strategic partnership", "the signing of a ... partnership", "Joint
  Declaration on Establishing a ... Partnership"). ``since`` is the date of the upgrade: the
  sentence's own date ("During the state visit in 2023, ... elevating" -> "2023"); else,
  unless the clause is perfect background ("have gone from ... to a ... partnership"), the
  date of an event coded in the same sentence, else the publication date;
- a **description**: the level as a pair's current state ("relations are at a high level of
  comprehensive strategic partnership", "the China-Kazakhstan comprehensive strategic
  partnership"). ``as_of`` is the sentence's own date, else the publication date (None
  when a past copula puts the level in the past: "relations were a strategic partnership").

Rungs 1 and 2 ("friendly relations", "partnership") are everyday words: they are recorded
only as upgrades. A plural ("strategic partnerships with many countries") is never a level
of one pair. The pair comes from the sentence: the two countries named nearest the level
(capitals and "Sino-" count); a sentence that names one or none of them and says
"bilateral", "the two countries" or "the two heads of state" means the article's two
countries. A level with no pair is not recorded. One relation per pair, level, ``since``
and ``as_of`` is kept per document: the one with the best evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..document import Document, Relation, Span
from ..errors import RegistryError
from ..pipeline import register_stage
from ..registry import Registry, load_registry
from .facts import (
    article_dyad,
    body_sentences,
    countries_in,
    load_indicators,
    read_table,
    reader_lacks_parse,
    span_root,
)
from .nlp import fitting_parse
from .timex import clause_tense

__all__ = ["RelationStage", "Ladder", "Level", "load_ladder", "level_key", "VERSION"]

VERSION = "1"
TAG = f"relations@{VERSION}"

# Verbs that move relations *to* or *into* a level, and verbs and nouns whose object is the
# level itself. Grammar, not vocabulary: the levels are the data.
_RAISE = {"elevate", "upgrade", "raise", "lift", "bring", "take", "develop", "turn", "promote",
          "push", "advance", "move", "grow", "transform", "evolve", "expand", "deepen"}
_ESTABLISH = {"establish", "forge", "form", "build", "create", "sign", "announce", "launch",
              "conclude", "set", "enter", "formalize", "formalise", "seal", "declare", "agree",
              "become", "proclaim", "ink"}  # not "upgrade": its object is the old level
_UPGRADE_NOUNS = {"establishment", "signing", "elevation", "upgrade", "upgrading", "launch",
                  "formation", "conclusion", "announcement", "creation", "forging"}
_PERFECT = {"have", "has", "had", "'ve", "'s", "'d"}
_MIN_DESCRIBED_RUNG = 3
_ERA = re.compile(r"\b(?:in|for|of)\s+(?:a|the)\s+new\s+era\b")


def level_key(text: str) -> str:
    """A spelling of a level folded for lookup: lower case, hyphens as spaces, "partners"
    as "partnership", and every "in/for/of a/the new era" as "for a new era"."""
    folded = re.sub(r"[\s\-\u2010-\u2014]+", " ", text.strip().lower())
    folded = re.sub(r"\bpartners\b", "partnership", folded)
    return _ERA.sub("for a new era", folded)


@dataclass(frozen=True)
class Level:
    """A rung of the ladder: the canonical name of a level and how high it stands."""

    level: str
    rung: int


@dataclass(frozen=True)
class Ladder:
    """The partnership ladder read from ``data/ladder.tsv``, with the pattern that finds
    any spelling of any level."""

    levels: dict[str, Level]  # level_key of every spelling -> its level
    pattern: re.Pattern[str]

    def find(self, text: str) -> Iterator[tuple[int, int, Level]]:
        """(start, end, level) of every level named in ``text``, longest spelling first."""
        for match in self.pattern.finditer(text):
            level = self.levels.get(level_key(match.group()))
            if level is not None:
                yield match.start(), match.end(), level


_LADDER_FILE = "ladder.tsv"


@lru_cache(maxsize=1)
def load_ladder() -> Ladder:
    """Read ``data/ladder.tsv`` once. Raises RegistryError naming the line of a bad row
    (a rung that is not a whole number, a spelling given to two levels)."""
    levels: dict[str, Level] = {}
    for number, row in read_table(_LADDER_FILE, ("rung", "level", "variants", "note")):
        try:
            rung = int(row["rung"])
        except ValueError as exc:
            raise RegistryError(_LADDER_FILE, number, f"rung {row['rung']!r} is not a whole "
                                "number; write 1 for the lowest rung") from exc
        level = Level(row["level"], rung)
        for spelling in [row["level"], *row["variants"].split("|")]:
            key = level_key(spelling)
            if not key:
                continue
            if key in levels and levels[key] != level:
                raise RegistryError(_LADDER_FILE, number, f"{spelling!r} is already a spelling "
                                    f"of {levels[key].level!r}; give it to one level only")
            levels[key] = level
    return Ladder(levels, _ladder_pattern(levels))


def _ladder_pattern(levels: dict[str, Level]) -> re.Pattern[str]:
    def words(key: str) -> str:
        key = key.replace("for a new era", "\0")
        parts = [r"partner(?:ship|s)" if word == "partnership" else re.escape(word)
                 for word in key.split()]
        body = r"[\s\-\u2010-\u2014]+".join(parts)
        return body.replace(re.escape("\0"), r"(?:in|for|of)\s+(?:a|the)\s+new\s+era")

    alternatives = [words(key) for key in sorted(levels, key=len, reverse=True)]
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])", re.I)


# ------------------------------------------------------------------------------------------


@register_stage("relations", version=VERSION, requires=("mentions", "timex"),
                adds=("relations",))
class RelationStage:
    """Partnership levels between pairs of states: upgrades (since) and descriptions (as of)."""

    def __init__(self, *, registry_files: Iterable[str] = ()) -> None:
        self.registry = load_registry(tuple(str(path) for path in registry_files))
        self.ladder = load_ladder()

    def __call__(self, doc: Document) -> Document:
        if reader_lacks_parse(doc):
            doc.problems.append(f"{TAG}: no spaCy parse of the text; upgrades were told from "
                                "descriptions by the words before each level")
        reader = _RelationReader(doc, self.registry, self.ladder)
        found = [relation for index, sentence in body_sentences(doc)
                 for relation in reader.sentence_relations(index, sentence)]
        doc.relations = _dedupe(found)
        return doc


class _RelationReader:
    """Reads the relations of one document, sentence by sentence."""

    def __init__(self, doc: Document, registry: Registry, ladder: Ladder) -> None:
        self.doc = doc
        self.registry = registry
        self.ladder = ladder
        self.dyad = article_dyad(doc, registry)
        self.pair_words = load_indicators().patterns["pair"]
        self.timex = [span for span in doc.layer("timex") if not span.attrs.get("boilerplate")
                      and span.label in ("date", "interval") and span.attrs.get("value")]
        self.parse = fitting_parse(doc)

    def sentence_relations(self, index: int, sentence: Span) -> list[Relation]:
        text = self.doc.text[sentence.start:sentence.end]
        relations = []
        for start, end, level in self.ladder.find(text):
            start, end = sentence.start + start, sentence.start + end
            if self.doc.in_boilerplate(start, end):
                continue
            if self._former_level(start, end):
                continue  # "upgraded their strategic partnership to ...": what it was
            trigger = self._upgrade_trigger(start, end)
            if trigger is None and level.rung < _MIN_DESCRIBED_RUNG:
                continue
            pair, pair_confidence = self._pair(sentence, start, end)
            if not pair:
                continue
            relation = Relation(countries=pair, level=level.level, rung=level.rung,
                                start=sentence.start, end=sentence.end, sentence=index,
                                provenance=TAG)
            if trigger is not None:
                relation.since, confidence = self._since(index, sentence, trigger)
            else:
                relation.as_of, confidence = self._as_of(index, start, end)
            relation.confidence = round(min(confidence, pair_confidence), 3)
            relations.append(relation)
        return relations

    # -- upgrade or description -----------------------------------------------------------

    def _upgrade_trigger(self, start: int, end: int) -> Any | None:
        """The token that makes the level an upgrade (the verb or noun that raises or
        establishes it), or None for a description."""
        root = span_root(self.doc, start, end)
        if root is None:
            return self._upgrade_by_words(start)
        token = root
        for _ in range(4):  # the level, a preposition, an object, the verb: no further
            head = token.head
            if head.i == token.i:
                return None
            trigger = _upgrade_head(token, head)
            if trigger is not None:
                return trigger or None
            if token.dep_ not in ("pobj", "prep", "conj", "appos", "compound"):
                return None
            token = head
        return None

    def _former_level(self, start: int, end: int) -> bool:
        """True when the level is what relations are raised *from*: after "from", or the
        object of a raising verb that also says what they are raised to."""
        root = span_root(self.doc, start, end)
        if root is not None and root.dep_ == "pobj" and root.head.lower_ == "from":
            verb = root.head.head  # "raised (ties) from X to Y"
            if verb.pos_ in ("NOUN", "PROPN") and verb.dep_ in ("dobj", "obj", "nsubjpass"):
                verb = verb.head
            return verb.lemma_.lower() in _RAISE
        if root is None or root.dep_ not in ("dobj", "obj", "nsubjpass"):
            return False
        verb = root.head
        return verb.lemma_.lower() in _RAISE and any(
            child.dep_ == "prep" and child.lower_ in ("to", "into") for child in verb.children)

    def _upgrade_by_words(self, start: int) -> Any | None:
        # Without a parse: an upgrade verb shortly before the level, then "to"/"into"/"a".
        before = self.doc.text[max(0, start - 90):start].lower()
        pattern = (r"\b(?:elevat|upgrad|rais|lift|establish|forg|sign|develop|form)\w*\b"
                   r"[^.;]{0,70}$")
        return "words" if re.search(pattern, before) else None

    # -- dates ----------------------------------------------------------------------------

    def _since(self, index: int, sentence: Span, trigger: Any) -> tuple[str | None, float]:
        own = self._own_date(index, trigger)
        if own:
            return own, 0.9
        if self._perfect(trigger):
            return None, 0.75  # background: "have gone from ... to a strategic partnership"
        for event in self.doc.events:
            if event.date and sentence.start <= event.start < sentence.end:
                return event.date, 0.85
        return self.doc.meta.published, 0.8

    def _as_of(self, index: int, start: int, end: int) -> tuple[str | None, float]:
        root = span_root(self.doc, start, end)
        own = self._own_date(index, root) if root is not None else None
        if own:
            return own, 0.85
        tense, governor = clause_tense(self.parse, start, end)
        verb = self.parse[governor] if self.parse is not None and governor >= 0 else None
        if tense == "past" and verb is not None and verb.lemma_ == "be" and \
                not self._perfect(verb):
            return None, 0.7  # "relations were a strategic partnership": not said of now
        return self.doc.meta.published, 0.85  # "praised their partnership": the report's day

    def _own_date(self, index: int, token: Any) -> str | None:
        """The date of the sentence that governs ``token``'s clause, else the sentence's only
        date (None with none, or with several and none governing)."""
        spans = [span for span in self.timex if span.attrs.get("sentence") == index]
        if not spans:
            return None
        if token is not None and not isinstance(token, str):
            ancestors = {token.i, *(t.i for t in token.ancestors)}
            governing = [s for s in spans if s.attrs.get("head") in ancestors]
            if governing:
                return str(governing[-1].attrs["value"])
        return str(spans[0].attrs["value"]) if len(spans) == 1 else None

    @staticmethod
    def _perfect(token: Any) -> bool:
        """True when the clause of ``token`` is in the perfect ("have gone from ... to"),
        looking up to the nearest reported-speech boundary."""
        if token is None or isinstance(token, str):
            return False
        for node in [token, *token.ancestors]:
            if any(child.dep_ == "aux" and child.lower_ in _PERFECT for child in node.children):
                return True
            if node.dep_ in ("ccomp", "parataxis"):
                return False
        return False

    # -- the pair -------------------------------------------------------------------------

    def _pair(self, sentence: Span, start: int, end: int) -> tuple[list[str], float]:
        """The two states the level is between, and how sure that is ([] when unknown)."""
        named = self._countries_by_distance(sentence, start, end)
        if len(named) >= 2:
            return sorted(named[:2]), 0.9
        text = self.doc.text[sentence.start:sentence.end]
        if self.dyad and self.pair_words.search(text) and set(named) <= set(self.dyad):
            return list(self.dyad), 0.75
        return [], 0.0

    def _countries_by_distance(self, sentence: Span, start: int, end: int) -> list[str]:
        codes = countries_in(self.doc, self.registry, sentence.start, sentence.end)
        where: dict[str, int] = {}
        for mention in self.doc.mentions:
            if mention.start < sentence.start or mention.end > sentence.end:
                continue
            code = next((c for c in codes if c == mention.country), None)
            if code is None:
                continue
            distance = start - mention.end if mention.end <= start else mention.start - end
            where[code] = min(where.get(code, 10**6), abs(distance))
        return sorted(codes, key=lambda code: where.get(code, 10**6))


def _upgrade_head(token: Any, head: Any) -> Any | None:
    """The token that raises or establishes the level ``token`` heads; False when ``head``
    decides that it is no upgrade ("commitment to a partnership"); None to climb further."""
    if token.dep_ == "pobj" and head.lower_ in ("to", "into", "as"):
        verb = head.head
        if verb.pos_ in ("NOUN", "PROPN") and verb.dep_ in ("dobj", "obj", "nsubjpass"):
            verb = verb.head  # "elevate relations to a ...": the preposition hangs on the object
        return verb if verb.lemma_.lower() in _RAISE | _ESTABLISH else False
    if token.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in _UPGRADE_NOUNS:
        return head.head
    if token.dep_ in ("dobj", "obj", "attr", "nsubjpass", "oprd") and \
            head.lemma_.lower() in _ESTABLISH:
        return head
    return None


def _dedupe(relations: list[Relation]) -> list[Relation]:
    """One relation per (countries, level, since, as_of): the most confident, then the first."""
    best: dict[tuple[Any, ...], Relation] = {}
    for relation in relations:
        key = (tuple(relation.countries), relation.level, relation.since, relation.as_of)
        if key not in best or relation.confidence > best[key].confidence:
            best[key] = relation
    return sorted(best.values(), key=lambda relation: relation.start)
