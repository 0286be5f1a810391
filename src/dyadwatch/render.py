"""Views of records for people: the annotated document, the `code` JSON line, eval tables."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from .document import Document, Event

__all__ = ["render_document", "coded_json", "event_json", "eval_table"]

_STYLES = {"PERSON": "bold cyan", "COUNTRY": "bold green", "ORG": "bold magenta",
           "LOCATION": "green", "PROJECT": "bold yellow", "PRONOUN": "cyan", "NORP": "green"}


def render_document(doc: Document) -> Group:
    """The text with mentions coloured, boilerplate dimmed, and the records listed below."""
    text = Text(doc.text)
    for span in doc.layer("boilerplate"):
        text.stylize("dim strike", span.start, span.end)
    for span in doc.layer("header"):
        text.stylize("dim italic", span.start, span.end)
    for mention in doc.mentions:
        text.stylize(_STYLES.get(mention.type, "bold"), mention.start, mention.end)
    for event in doc.events:
        if event.trigger_start >= 0:
            text.stylize("reverse", event.trigger_start, event.trigger_end)
    meta = doc.meta
    head = Text.assemble(
        (f"{doc.doc_id}  ", "bold"), (meta.title or "(no title)", "bold underline"), "\n",
        f"published {meta.published or 'unknown'} · outlet {meta.outlet or 'unknown'} · "
        f"kind {meta.kind or 'unknown'} · source {doc.source}\n")
    parts: list[Any] = [head, text]
    if doc.events:
        table = Table(title="events", show_lines=False)
        for column in ("date", "plover", "cameo", "source", "target", "mode", "trigger"):
            table.add_column(column)
        for event in doc.events:
            table.add_row(event.date or "", event.plover, event.cameo,
                          _actor_text(event.source), _actor_text(event.target), event.mode,
                          event.trigger)
        parts.append(table)
    return Group(*parts)


def _actor_text(actor: Any) -> str:
    if actor is None:
        return ""
    return f"{actor.text} ({actor.country or '?'}{'/' + actor.sector if actor.sector else ''})"


def event_json(event: Event, doc: Document) -> dict[str, Any]:
    """One event as printed by `dyadwatch code`: codes, actors, date, evidence."""
    record = asdict(event)
    record["evidence"] = doc.text[event.start:event.end]
    return record


def coded_json(doc: Document) -> dict[str, Any]:
    """The JSON line `dyadwatch code` prints for one input."""
    entities = [{"id": e.id, "name": e.name, "type": e.type, "country": e.country,
                 "sector": e.sector, "aliases": e.aliases, "roles": e.roles,
                 "wikidata": e.wikidata} for e in doc.entities]
    mentions = [{"text": m.text, "start": m.start, "end": m.end, "type": m.type,
                 "entity_id": m.entity_id, "country": m.country, "sector": m.sector,
                 "role": m.role, "resolved_by": m.resolved_by} for m in doc.mentions]
    return {
        "doc_id": doc.doc_id,
        "published": doc.meta.published,
        "entities": entities,
        "mentions": mentions,
        "events": [event_json(e, doc) for e in doc.events],
        "facts": [asdict(f) for f in doc.facts],
        "relations": [asdict(r) for r in doc.relations],
        "projects": [asdict(p) for p in doc.projects],
    }


def eval_table(results: dict[str, Any]) -> Table:
    """The evaluator's figures as a two-column table."""
    table = Table(title="dyadwatch eval")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in _flatten(results):
        table.add_row(key, f"{value:.3f}" if isinstance(value, float) else str(value))
    return table


def _flatten(results: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for key, value in results.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows.extend(_flatten(value, name + "."))
        elif not isinstance(value, list):
            rows.append((name, value))
    return rows
