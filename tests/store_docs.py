"""Builders of small hand-made Documents for the store tests (our own sentences, no NLP)."""

from __future__ import annotations

import sqlite3
from array import array
from pathlib import Path
from typing import Any

from dyadwatch.document import Actor, Document, Event, Meta, Span
from dyadwatch.store.coref import date_bounds


def make_doc(
    source: str,
    sentences: list[str],
    *,
    published: str | None = None,
    outlet: str | None = None,
    title: str | None = None,
) -> Document:
    """A document whose text is ``sentences`` joined by spaces, with a sentences layer."""
    text = " ".join(sentences)
    doc = Document(source=source, raw=text, text=text, offsets=array("l", range(len(text))))
    doc.meta = Meta(title=title, published=published, outlet=outlet)
    position = 0
    for sentence in sentences:
        doc.add_span("sentences", Span(position, position + len(sentence), provenance="test@1"))
        position += len(sentence) + 1
    doc.stages = ["test@1"]
    return doc


def _actor(doc: Document, sentence: Span, code: str | None, entity: str | None) -> Actor | None:
    if code is None and entity is None:
        return None
    words = doc.text[sentence.start : sentence.end].split()
    word = words[0] if words else ""
    return Actor(word, sentence.start, sentence.start + len(word), entity_id=entity, country=code)


def add_event(
    doc: Document,
    sentence: int,
    plover: str,
    source: str | None,
    target: str | None,
    date: str | None = None,
    *,
    cameo: str = "040",
    mode: str = "",
    negated: bool = False,
    goldstein: float | None = None,
    source_entity: str | None = None,
    target_entity: str | None = None,
) -> Event:
    """Append an event read from sentence ``sentence`` and return it."""
    span = doc.layer("sentences")[sentence]
    bounds = date_bounds(date)
    event = Event(
        plover=plover,
        cameo=cameo,
        source=_actor(doc, span, source, source_entity),
        target=_actor(doc, span, target, target_entity),
        start=span.start,
        end=span.end,
        mode=mode,
        negated=negated,
        date=date,
        date_precision=bounds.precision if bounds else None,
        goldstein=goldstein,
        sentence=sentence,
        provenance="test@1",
    )
    doc.events.append(event)
    return event


def dump_tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the SQLite file at ``path`` (FTS shadow tables included)."""
    conn = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' AND name != 'sentences_fts' ORDER BY name"
            )
        ]
        return {name: conn.execute(f'SELECT * FROM "{name}"').fetchall() for name in names}
    finally:
        conn.close()
