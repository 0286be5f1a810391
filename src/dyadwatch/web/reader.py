"""The document reader's view of an article: its text cut into runs, each run carrying the
marks of every span over it (mentions, event triggers, dates, boilerplate, the evidence asked
for).

Runs are plain data (text, classes, link, tooltip); the template escapes the text, so article
text never becomes markup, whatever it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..document import Document

__all__ = ["Mark", "Run", "marks_of", "runs"]


@dataclass(frozen=True, slots=True)
class Mark:
    """One span to show: where it is, its CSS class, and optionally a link and a tooltip.

    ``badge`` is shown before the span's first character (boilerplate is labelled, not
    hidden); ``anchor`` is an element id placed at its start; ``rank`` orders marks when
    several offer a link or a tooltip for the same run (higher wins).
    """

    start: int
    end: int
    css: str
    href: str | None = None
    title: str | None = None
    badge: str | None = None
    anchor: str | None = None
    rank: int = 0


@dataclass(slots=True)
class Run:
    """A stretch of text under one unchanging set of marks."""

    text: str
    classes: list[str] = field(default_factory=list)
    href: str | None = None
    title: str | None = None
    badges: list[str] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)


def _actor(actor: Any) -> str:
    if actor is None:
        return "?"
    return actor.country or actor.entity_id or actor.text


def marks_of(
    doc: Document,
    *,
    entity_href: Callable[[str], str],
    highlight: tuple[int, int] | None = None,
) -> list[Mark]:
    """Every mark of the reader for ``doc``: sentences, boilerplate, header, dates, mentions,
    event sentences and triggers, and the highlighted evidence with its sentence."""
    marks = [Mark(s.start, s.end, "sentence", anchor=f"s-{index}")
             for index, s in enumerate(doc.layer("sentences"))]
    marks += [Mark(s.start, s.end, "boilerplate", title=f"boilerplate: {s.label}",
                   badge=f"boilerplate · {s.label}", rank=1) for s in doc.layer("boilerplate")]
    marks += [Mark(s.start, s.end, "header", title=f"header: {s.label}", rank=1)
              for s in doc.layer("header")]
    marks += [Mark(s.start, s.end, "timex", title=_timex_title(s.label, s.attrs), rank=2)
              for s in doc.layer("timex")]
    marks += _mention_marks(doc, entity_href)
    marks += _event_marks(doc)
    if highlight is not None:
        marks += _highlight_marks(doc, highlight)
    return marks


def _timex_title(label: str, attrs: dict[str, Any]) -> str:
    value = attrs.get("value")
    return f"{label}: {value}" if value else label


def _mention_marks(doc: Document, entity_href: Callable[[str], str]) -> list[Mark]:
    marks = []
    for mention in doc.mentions:
        target = mention.entity_id or "unresolved"
        marks.append(Mark(
            mention.start, mention.end, f"mention m-{mention.type.lower()}",
            href=entity_href(mention.entity_id) if mention.entity_id else None,
            title=f"{mention.type} → {target}", rank=3))
    return marks


def _event_marks(doc: Document) -> list[Mark]:
    marks = []
    for index, event in enumerate(doc.events):
        summary = (f"event {index}: {event.plover} {event.cameo} "
                   f"{_actor(event.source)} → {_actor(event.target)}"
                   f"{' (' + event.mode + ')' if event.mode else ''}")
        marks.append(Mark(event.start, event.end, "event-span", title=summary))
        if 0 <= event.trigger_start < event.trigger_end:
            marks.append(Mark(event.trigger_start, event.trigger_end,
                              f"trigger pl-{event.plover.lower()}", href=f"#ev-{index}",
                              title=summary, rank=5))
    return marks


def _highlight_marks(doc: Document, highlight: tuple[int, int]) -> list[Mark]:
    start, end = highlight
    marks = [Mark(start, end, "evidence", anchor="evidence", title="the evidence asked for",
                  rank=0)]
    for sentence in doc.layer("sentences"):
        if sentence.start < end and start < sentence.end:
            marks.append(Mark(sentence.start, sentence.end, "evidence-sentence"))
    return marks


def runs(text: str, marks: Iterable[Mark]) -> list[Run]:
    """Cut ``text`` at every mark boundary; each run lists the marks covering it.

    Empty marks and marks outside the text are ignored; a badge or anchor is attached to the
    run where its mark starts.
    """
    usable = sorted((m for m in marks if 0 <= m.start < m.end <= len(text)),
                    key=lambda m: (m.start, -m.end))
    cuts = sorted({0, len(text), *(m.start for m in usable), *(m.end for m in usable)})
    result: list[Run] = []
    active: list[Mark] = []
    position = 0
    for start, end in zip(cuts, cuts[1:], strict=False):
        active = [m for m in active if m.end > start]
        while position < len(usable) and usable[position].start == start:
            active.append(usable[position])
            position += 1
        result.append(_run(text[start:end], start, active))
    return result


def _run(text: str, start: int, active: list[Mark]) -> Run:
    run = Run(text=text)
    seen: set[str] = set()
    for mark in active:
        for css in mark.css.split():
            if css not in seen:
                seen.add(css)
                run.classes.append(css)
        if mark.start == start:
            if mark.badge:
                run.badges.append(mark.badge)
            if mark.anchor:
                run.anchors.append(mark.anchor)
    linked = [m for m in active if m.href]
    if linked:
        run.href = max(linked, key=_precedence).href
    titled = [m for m in active if m.title]
    if titled:
        run.title = max(titled, key=_precedence).title
    return run


def _precedence(mark: Mark) -> tuple[int, int]:
    # Higher rank first; among equals the innermost (shortest) span speaks for the run.
    return mark.rank, mark.start - mark.end
