"""Temporal expressions of every sentence, resolved with the tense of the clause they sit in.

The expressions are found and resolved by :mod:`dyadwatch.timex`; this stage supplies what
the text alone cannot: the publication date (``doc.meta.published``) as the anchor, and the
tense, read from the spaCy parse. From the tokens of an expression it walks up to the verb
that governs it and reads that verb's morphology and auxiliaries:

- "will" / "shall", "to be held", an infinitive under "is scheduled to", "is expected to",
  "plans to", "is willing to"... -> future;
- "met", "was held", "has visited", a bare participle ("launched in December") -> past;
- "embarks", "is making a state visit ... from Tuesday to Friday", a modal, no verb at all
  -> present (the nearest reading; a range that holds the publication date is preferred);
- "would" -> present too: a future seen from the past may lie on either side of the anchor.

Each expression becomes a span of layer ``timex`` labelled with its kind, with attrs
``value``, ``precision``, ``tense``, ``head`` (index of the governing token in
``doc.spacy_doc``, -1 when none), ``sentence``, ``boilerplate``, and where they apply
``duration``, ``basis``, ``note`` and ``interval`` (a day joined to a duration in days that
shares its verb: "embarks on a four-day journey ... Wednesday").
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ..document import Document, Span
from ..pipeline import register_stage
from ..timex import TENSES, Timex, find_timexes, load_words, span_interval
from .nlp import fitting_parse

__all__ = ["TimexStage", "clause_tense", "VERSION", "TAG"]

VERSION = "1"
TAG = f"timex@{VERSION}"

# How sure a value is, by what it rests on: the text alone, the anchor, or anchor and tense.
_CONFIDENCE: dict[str | None, float] = {"explicit": 0.95, "anchor": 0.9, "tense": 0.8, None: 0.6}
_NO_PARSE_TENSE = "past"
_FUTURE_AUX = {"will", "shall", "'ll", "wo"}
_PERFECT_AUX = {"has", "have", "had", "'s", "'ve", "'d", "having"}
_VERBAL = ("VERB", "AUX")
_MAX_CLIMB = 40  # a parse is a tree, but never trust a loop to end on its own


@register_stage("timex", version=VERSION, requires=("sentences",), adds=("timex",))
class TimexStage:
    """Temporal expressions, resolved against the publication date and the clause's tense."""

    def __call__(self, doc: Document) -> Document:
        anchor = _anchor(doc)
        parse = fitting_parse(doc)
        if parse is None and doc.layer("sentences"):
            doc.problems.append(f"{TAG}: no spaCy parse of the text; every clause was read as "
                                f"{_NO_PARSE_TENSE} tense")
        spans: list[Span] = []
        for index, sentence in enumerate(doc.layer("sentences")):
            found = _sentence_spans(doc, parse, index, sentence, anchor)
            _join_durations(found)
            spans.extend(found)
        doc.layers["timex"] = spans
        return doc


def _anchor(doc: Document) -> date | None:
    """The publication date, or None (recorded as a problem when it is not ISO)."""
    if not doc.meta.published:
        return None
    try:
        return date.fromisoformat(doc.meta.published)
    except ValueError:
        doc.problems.append(f"{TAG}: publication date {doc.meta.published!r} is not YYYY-MM-DD; "
                            "expressions that need it are left unresolved")
        return None


def _sentence_spans(doc: Document, parse: Any, index: int, sentence: Span,
                    anchor: date | None) -> list[Span]:
    offset = sentence.start
    readings: dict[tuple[int, int], tuple[str, int]] = {}

    def tense_at(start: int, end: int) -> str:
        readings[(start, end)] = clause_tense(parse, offset + start, offset + end)
        return readings[(start, end)][0]

    text = doc.text[sentence.start:sentence.end]
    spans = []
    for timex in find_timexes(text, anchor=anchor, tense=tense_at):
        tense, head = readings[(timex.start, timex.end)]
        spans.append(_span(doc, timex, offset, index, tense, head))
    return spans


def _span(doc: Document, timex: Timex, offset: int, index: int, tense: str, head: int) -> Span:
    start, end = offset + timex.start, offset + timex.end
    attrs: dict[str, Any] = {
        "value": timex.value,
        "precision": timex.precision,
        "tense": tense,
        "head": head,
        "sentence": index,
        "boilerplate": doc.in_boilerplate(start, end),
    }
    for name in ("duration", "basis", "note"):
        if getattr(timex, name) is not None:
            attrs[name] = getattr(timex, name)
    return Span(start, end, label=timex.kind, provenance=TAG,
                confidence=_CONFIDENCE[timex.basis], attrs=attrs)


def _join_durations(spans: list[Span]) -> None:
    """Give a day the interval a duration in days spells out when both hang off one verb."""
    days = [s for s in spans if s.attrs.get("precision") == "day" and s.label == "date"]
    lengths = [s for s in spans if s.label == "duration"
               and re.fullmatch(r"P\d+[DW]", s.attrs.get("duration", ""))]
    if len(days) != 1 or len(lengths) != 1:
        return
    day, length = days[0], lengths[0]
    if day.attrs["head"] == -1 or day.attrs["head"] != length.attrs["head"]:
        return
    interval = span_interval(day.attrs["value"], length.attrs["duration"])
    if interval:
        day.attrs["interval"] = interval


# --------------------------------------------------------------------------------------------
# Tense from the parse


def clause_tense(parse: Any, start: int, end: int) -> tuple[str, int]:
    """The tense of the clause governing characters [start, end) of ``parse`` (a spaCy Doc).

    Returns (tense, index of the governing token or -1). With no parse the tense is "past";
    with no governing verb it is "present" (the nearest reading).
    """
    if parse is None:
        return _NO_PARSE_TENSE, -1
    tokens = parse.char_span(start, end, alignment_mode="expand")
    if tokens is None or len(tokens) == 0:
        return _NO_PARSE_TENSE, -1
    governor = _governor(tokens.root)
    if governor is None:
        return "present", -1
    if governor.pos_ not in _VERBAL:
        return "present", governor.i  # a verbless clause, or a verb the tagger missed
    tense = _tense_of(governor, 0)
    return (tense if tense in TENSES else "present"), governor.i


def _governor(token: Any) -> Any | None:
    """The nearest verb above ``token``, else the root of its sentence (None when the
    expression is that root: the expression's own tokens are never its governor)."""
    node = token.head if token.head.i != token.i else None
    for _ in range(_MAX_CLIMB):
        if node is None:
            return None
        if node.pos_ in _VERBAL and node.dep_ not in ("aux", "auxpass"):
            return node
        if node.head.i == node.i:
            return node
        node = node.head
    return None


def _auxiliaries(verb: Any) -> list[Any]:
    return [child for child in verb.children if child.dep_ in ("aux", "auxpass")]


def _tense_of(verb: Any, depth: int) -> str:
    """past, present or future for one verb, from its auxiliaries and morphology."""
    auxes = _auxiliaries(verb)
    words = {aux.lower_ for aux in auxes}
    if words & _FUTURE_AUX:
        return "future"
    if "would" in words:
        return "present"
    if any(aux.tag_ == "TO" for aux in auxes):
        return _infinitive_tense(verb, words, depth)
    if words & _PERFECT_AUX or any("Past" in aux.morph.get("Tense") for aux in auxes):
        return "past"
    if verb.tag_ == "VBD":
        return "past"
    if verb.tag_ == "VBN":
        return "present" if auxes else "past"  # "is held" / "launched in December"
    if verb.tag_ == "VBG" and not auxes:
        return _inherited(verb, depth)  # "..., saying on Tuesday that": the verb above decides
    if verb.pos_ == "AUX" and "Past" in verb.morph.get("Tense"):
        return "past"  # "The meeting was on Wednesday"
    return "present"


def _infinitive_tense(verb: Any, words: set[str], depth: int) -> str:
    """Tense of "to visit": future under "is scheduled to", the verb above's in "went to meet"."""
    if "be" in words and verb.tag_ == "VBN":
        return "future"  # "the games, to be held from Friday"
    head = verb.head
    if head.i == verb.i:
        return "future"  # a headline infinitive: "China, Kyrgyzstan to sign a deal on Friday"
    if head.lemma_.lower() in load_words().future_governors:
        return "future"
    if head.pos_ in _VERBAL:
        return _tense_of(head, depth + 1) if depth < _MAX_CLIMB else "present"
    return "future"  # "plans to visit", "a visit to take place"


def _inherited(verb: Any, depth: int) -> str:
    head = verb.head
    if head.i != verb.i and head.pos_ in _VERBAL and depth < _MAX_CLIMB:
        return _tense_of(head, depth + 1)
    return "present"
