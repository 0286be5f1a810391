"""The kind of a source: news, opinion, interview or blog, with the evidence for it.

Each cue of ``data/source_kind.tsv`` is a pattern with a weight and a place where it counts
(the whole text, its opening, its close) and how many times it must match. A kind other
than news is chosen when its cues add up to :data:`THRESHOLD` points or more (the highest
score wins; ties go to the kind listed first in the file): "The author is ..." closing the
piece makes an opinion, "In an interview with" opening it or question-and-answer lines an
interview, a "Meta Description" line, "Dive into", "Let's get started", an FAQ block and
second-person hooks a blog. Otherwise the source is news, the default: a dateline, "said on
Wednesday" or an agency credit only explain the choice.

``doc.meta.kind_reason`` names the cues found and the text they matched. A document with no
publication date gets the problem "undated: no publication date found".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ..document import Document
from ..errors import RegistryError
from ..pipeline import register_stage
from .facts import read_table

__all__ = ["SourceKindStage", "Cue", "load_cues", "classify", "KINDS", "THRESHOLD",
           "UNDATED", "VERSION"]

VERSION = "1"
KINDS = ("news", "opinion", "interview", "blog")
THRESHOLD = 3.0
UNDATED = "undated: no publication date found"
_SCOPES = ("any", "head", "tail")
_HEAD_MIN, _TAIL_MIN = 1500, 1000  # characters the opening and the close span at least
_CUES_FILE = "source_kind.tsv"


@dataclass(frozen=True)
class Cue:
    """One cue to a kind of source."""

    kind: str
    weight: float
    scope: str
    min_count: int
    pattern: re.Pattern[str]
    reason: str


@lru_cache(maxsize=1)
def load_cues() -> tuple[Cue, ...]:
    """Read ``data/source_kind.tsv`` once. Raises RegistryError naming a line with an unknown
    kind or scope, a weight or count that is not a number, or a pattern that does not compile."""
    cues = []
    header = ("kind", "weight", "scope", "min", "pattern", "reason")
    for number, row in read_table(_CUES_FILE, header):
        if row["kind"] not in KINDS or row["scope"] not in _SCOPES:
            raise RegistryError(_CUES_FILE, number, f"kind must be one of {', '.join(KINDS)} "
                                f"and scope one of {', '.join(_SCOPES)}; got {row['kind']!r}, "
                                f"{row['scope']!r}")
        try:
            cues.append(Cue(row["kind"], float(row["weight"]), row["scope"], int(row["min"]),
                            re.compile(row["pattern"]), row["reason"]))
        except (ValueError, re.error) as exc:
            raise RegistryError(_CUES_FILE, number, f"bad weight, min or pattern: {exc}; weight "
                                "is a number, min a whole number, pattern a Python regex") from exc
    return tuple(cues)


def classify(text: str, cues: Iterable[Cue] | None = None) -> tuple[str, str]:
    """(kind, reason) of a text: the kind its cues point to, and the evidence found."""
    cues = tuple(cues) if cues is not None else load_cues()
    scores: dict[str, float] = {}
    evidence: dict[str, list[str]] = {}
    for cue in cues:
        matches = list(cue.pattern.finditer(_scope(text, cue.scope)))
        if len(matches) < cue.min_count:
            continue
        scores[cue.kind] = scores.get(cue.kind, 0.0) + cue.weight
        evidence.setdefault(cue.kind, []).append(_describe(cue, matches))
    order = list(dict.fromkeys(cue.kind for cue in cues))
    ranked = sorted((kind for kind in scores if kind != "news"),
                    key=lambda kind: (-scores[kind], order.index(kind)))
    if ranked and scores[ranked[0]] >= THRESHOLD:
        kind = ranked[0]
        return kind, f"{kind} ({scores[kind]:g} points): " + "; ".join(evidence[kind])
    if "news" in evidence:
        return "news", "news: " + "; ".join(evidence["news"])
    weaker = "; ".join(f"{k} {scores[k]:g}" for k in ranked)
    return "news", "news by default: no cue of opinion, interview or blog" + (
        f" reached {THRESHOLD:g} points ({weaker})" if weaker else "")


def _scope(text: str, scope: str) -> str:
    if scope == "head":
        return text[:max(_HEAD_MIN, len(text) // 4)]
    if scope == "tail":
        return text[-max(_TAIL_MIN, len(text) // 4):]
    return text


def _describe(cue: Cue, matches: list[re.Match[str]]) -> str:
    sample = " ".join(matches[0].group().split())
    if len(sample) > 40:
        sample = sample[:37] + "..."
    count = f" x{len(matches)}" if cue.min_count > 1 else ""
    return f'{cue.reason} ("{sample}"{count})'


@register_stage("source_kind", version=VERSION, requires=("text",), adds=("kind",))
class SourceKindStage:
    """news, opinion, interview or blog from the cues of the text; flags undated documents."""

    def __init__(self) -> None:
        self.cues = load_cues()

    def __call__(self, doc: Document) -> Document:
        if doc.meta.kind in KINDS and doc.meta.kind_reason is None:
            doc.meta.kind_reason = "given by the input"  # a container's own label wins
        else:
            doc.meta.kind, doc.meta.kind_reason = classify(doc.text, self.cues)
        if not doc.meta.published and UNDATED not in doc.problems:
            doc.problems.append(UNDATED)
        return doc
