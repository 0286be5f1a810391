"""A pure mapping between a Document and the rows the store keeps: no SQL, no I/O.

``to_rows(doc)`` gives, per table, the rows one document contributes (keys are column names);
``from_rows(rows)`` rebuilds the Document from them. Child rows are keyed by ``(doc_id, idx)``
rather than row ids, so the mapping needs no database. Columns marked *derived* (sentence
text, date bounds, actor keys, country join tables) serve queries and are ignored on the way
back.
"""

from __future__ import annotations

import json
import operator
import sys
import zlib
from array import array
from dataclasses import dataclass, field, fields
from itertools import accumulate
from typing import Any

from ..document import (
    Actor,
    Document,
    Entity,
    Event,
    Fact,
    Mention,
    Meta,
    Milestone,
    ProjectRecord,
    Relation,
    Span,
)
from .coref import date_bounds, side_key

__all__ = [
    "DocumentRows",
    "CHILD_TABLES",
    "to_rows",
    "from_rows",
    "encode_offsets",
    "decode_offsets",
    "dumps",
]

# Tables holding a document's rows, in the order they are inserted (parents first).
CHILD_TABLES: tuple[str, ...] = (
    "sentences",
    "spans",
    "document_entities",
    "entity_aliases",
    "entity_evidence",
    "mentions",
    "events",
    "facts",
    "fact_countries",
    "relations",
    "relation_countries",
    "projects",
    "project_countries",
    "project_milestones",
)
_OFFSETS_MAGIC = b"O1"  # version tag of the offsets encoding


@dataclass
class DocumentRows:
    """The rows of one document: its ``documents`` row and its rows in every child table."""

    document: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        """The document's id."""
        return str(self.document["doc_id"])

    @property
    def source(self) -> str:
        """Where the document came from."""
        return str(self.document["source"])

    @property
    def content_hash(self) -> str:
        """The document's content hash."""
        return str(self.document["content_hash"])


def _shallow(record: Any) -> dict[str, Any]:
    # dataclasses.asdict deep-copies every leaf; the values here are only read or dumped.
    return {f.name: getattr(record, f.name) for f in fields(record)}


def dumps(value: Any) -> str:
    """Compact JSON for a column (non-ASCII kept as is)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def encode_offsets(offsets: array) -> bytes | None:
    """Pack a text->raw offset map as zlib-compressed int32 deltas (None when empty).

    Deltas are almost all 1, so a long article's map shrinks to a few dozen bytes.
    """
    if not offsets:
        return None
    deltas = array("i", [offsets[0]])
    deltas.extend(map(operator.sub, offsets[1:], offsets))
    if sys.byteorder == "big":
        deltas.byteswap()
    return _OFFSETS_MAGIC + zlib.compress(deltas.tobytes())


def decode_offsets(blob: bytes | None) -> array:
    """Unpack what ``encode_offsets`` packed (an empty map for None)."""
    if not blob:
        return array("l")
    if blob[:2] != _OFFSETS_MAGIC:
        raise ValueError(f"unknown offsets encoding {blob[:2]!r}")
    deltas = array("i")
    deltas.frombytes(zlib.decompress(blob[2:]))
    if sys.byteorder == "big":
        deltas.byteswap()
    return array("l", accumulate(deltas))


# --- Document -> rows -------------------------------------------------------------------------


def to_rows(doc: Document) -> DocumentRows:
    """Return every row ``doc`` contributes to the store (ingest time and run id excluded)."""
    doc_id = doc.doc_id
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in CHILD_TABLES}
    tables["sentences"] = _sentence_rows(doc, doc_id)
    tables["spans"] = _span_rows(doc, doc_id)
    _entity_rows(doc.entities, doc_id, tables)
    tables["mentions"] = [_mention_row(m, doc_id, i) for i, m in enumerate(doc.mentions)]
    tables["events"] = [_event_row(e, doc_id, i) for i, e in enumerate(doc.events)]
    _fact_rows(doc.facts, doc_id, tables)
    _relation_rows(doc.relations, doc_id, tables)
    _project_rows(doc.projects, doc_id, tables)
    return DocumentRows(_document_row(doc, doc_id), tables)


def _document_row(doc: Document, doc_id: str) -> dict[str, Any]:
    meta = doc.meta
    return {
        "doc_id": doc_id,
        "content_hash": doc.content_hash,
        "source": doc.source,
        "title": meta.title,
        "published": meta.published,
        "published_time": meta.published_time,
        "outlet": meta.outlet,
        "author": meta.author,
        "url": meta.url,
        "dateline": meta.dateline,
        "language": meta.language,
        "kind": meta.kind,
        "kind_reason": meta.kind_reason,
        "meta": dumps(_shallow(meta)),
        "encoding": doc.encoding,
        "raw": doc.raw,
        "text": doc.text,
        "offsets": encode_offsets(doc.offsets),
        "layers": dumps(list(doc.layers)),
        "stages": dumps(list(doc.stages)),
        "problems": dumps(list(doc.problems)),
    }


def _span_columns(span: Span) -> dict[str, Any]:
    return {
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "provenance": span.provenance,
        "confidence": span.confidence,
        "attrs": dumps(span.attrs),
    }


def _sentence_rows(doc: Document, doc_id: str) -> list[dict[str, Any]]:
    return [
        {"doc_id": doc_id, "idx": i, **_span_columns(s), "text": doc.text[s.start : s.end]}
        for i, s in enumerate(doc.layers.get("sentences", []))
    ]


def _span_rows(doc: Document, doc_id: str) -> list[dict[str, Any]]:
    return [
        {"doc_id": doc_id, "layer": layer, "idx": i, **_span_columns(span)}
        for layer, spans in doc.layers.items()
        if layer != "sentences"
        for i, span in enumerate(spans)
    ]


def _entity_rows(
    entities: list[Entity], doc_id: str, tables: dict[str, list[dict[str, Any]]]
) -> None:
    for i, entity in enumerate(entities):
        tables["document_entities"].append(
            {
                "doc_id": doc_id,
                "idx": i,
                "entity_id": entity.id,
                "name": entity.name,
                "type": entity.type,
                "country": entity.country,
                "sector": entity.sector,
                "registry_id": entity.registry_id,
                "wikidata": entity.wikidata,
                "roles": dumps(entity.roles),
            }
        )
        for j, alias in enumerate(entity.aliases):
            tables["entity_aliases"].append(
                {"doc_id": doc_id, "entity_idx": i, "idx": j, "entity_id": entity.id,
                 "alias": alias, "alias_folded": alias.casefold()}
            )
        for j, evidence in enumerate(entity.evidence):
            tables["entity_evidence"].append(
                {"doc_id": doc_id, "entity_idx": i, "idx": j, "entity_id": entity.id,
                 "evidence": dumps(evidence)}
            )


def _mention_row(mention: Mention, doc_id: str, idx: int) -> dict[str, Any]:
    return {"doc_id": doc_id, "idx": idx, **_shallow(mention)}


def _actor_columns(prefix: str, actor: Actor | None) -> dict[str, Any]:
    names = ("text", "start", "end", "entity_id", "country", "sector", "role")
    columns = ("text", "start", "end", "entity", "country", "sector", "role")
    values = [getattr(actor, name) if actor else None for name in names]
    row = {f"{prefix}_{column}": value for column, value in zip(columns, values, strict=True)}
    present = actor is not None
    row[f"{prefix}_key"] = side_key(
        present, row[f"{prefix}_country"], row[f"{prefix}_entity"], row[f"{prefix}_text"]
    )
    return row


def _event_row(event: Event, doc_id: str, idx: int) -> dict[str, Any]:
    bounds = date_bounds(event.date)
    row = {name: value for name, value in _shallow(event).items() if name not in ("source", "target")}
    row["negated"] = int(event.negated)
    return {
        "doc_id": doc_id,
        "idx": idx,
        **row,
        **_actor_columns("source", event.source),
        **_actor_columns("target", event.target),
        "date_lo": bounds.lo if bounds else None,
        "date_hi": bounds.hi if bounds else None,
        "date_width": bounds.width if bounds else None,
    }


def _country_rows(
    countries: list[str], doc_id: str, idx_column: str, idx: int
) -> list[dict[str, Any]]:
    return [
        {"country": country, "doc_id": doc_id, idx_column: idx}
        for country in dict.fromkeys(countries)
    ]


def _fact_rows(facts: list[Fact], doc_id: str, tables: dict[str, list[dict[str, Any]]]) -> None:
    for i, fact in enumerate(facts):
        row = _shallow(fact)
        row.update(countries=dumps(fact.countries), extra=dumps(fact.extra))
        tables["facts"].append({"doc_id": doc_id, "idx": i, **row})
        tables["fact_countries"] += _country_rows(fact.countries, doc_id, "fact_idx", i)


def _relation_rows(
    relations: list[Relation], doc_id: str, tables: dict[str, list[dict[str, Any]]]
) -> None:
    for i, relation in enumerate(relations):
        row = _shallow(relation)
        row["countries"] = dumps(relation.countries)
        tables["relations"].append({"doc_id": doc_id, "idx": i, **row})
        tables["relation_countries"] += _country_rows(
            relation.countries, doc_id, "relation_idx", i
        )


def _project_rows(
    projects: list[ProjectRecord], doc_id: str, tables: dict[str, list[dict[str, Any]]]
) -> None:
    for i, project in enumerate(projects):
        row = _shallow(project)
        del row["milestones"]
        for name in ("countries", "mentions", "stated_countries"):
            row[name] = dumps(row[name])
        tables["projects"].append({"doc_id": doc_id, "idx": i, **row})
        tables["project_countries"] += _country_rows(project.countries, doc_id, "project_idx", i)
        tables["project_milestones"] += [
            {"doc_id": doc_id, "project_idx": i, "idx": j, **_shallow(milestone)}
            for j, milestone in enumerate(project.milestones)
        ]


# --- rows -> Document -------------------------------------------------------------------------


def _pick(cls: type, row: dict[str, Any], **overrides: Any) -> Any:
    """Build dataclass ``cls`` from the row columns named like its fields."""
    values = {f.name: row[f.name] for f in fields(cls) if f.name in row}
    values.update(overrides)
    return cls(**values)


def _span(row: dict[str, Any]) -> Span:
    return _pick(Span, row, attrs=json.loads(row["attrs"]))


def from_rows(rows: DocumentRows) -> Document:
    """Rebuild the Document ``to_rows`` mapped (the spaCy doc is never stored)."""
    row, tables = rows.document, rows.tables
    meta_values = json.loads(row["meta"])
    known = {f.name for f in fields(Meta)}
    doc = Document(
        source=row["source"],
        raw=row["raw"],
        text=row["text"],
        offsets=decode_offsets(row["offsets"]),
        encoding=row["encoding"],
        meta=Meta(**{k: v for k, v in meta_values.items() if k in known}),
        stages=json.loads(row["stages"]),
        problems=json.loads(row["problems"]),
    )
    doc.layers = _layers(json.loads(row["layers"]), tables)
    doc.entities = _entities(tables)
    doc.mentions = [_pick(Mention, m) for m in _ordered(tables.get("mentions", []))]
    doc.events = [_event(e) for e in _ordered(tables.get("events", []))]
    doc.facts = [_fact(f) for f in _ordered(tables.get("facts", []))]
    doc.relations = [
        _pick(Relation, r, countries=json.loads(r["countries"]))
        for r in _ordered(tables.get("relations", []))
    ]
    doc.projects = _projects(tables)
    return doc


def _ordered(rows: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    order = keys or ("idx",)
    return sorted(rows, key=lambda row: tuple(row[key] for key in order))


def _layers(names: list[str], tables: dict[str, list[dict[str, Any]]]) -> dict[str, list[Span]]:
    layers: dict[str, list[Span]] = {name: [] for name in names}
    for sentence in _ordered(tables.get("sentences", [])):
        layers.setdefault("sentences", []).append(_span(sentence))
    for span in _ordered(tables.get("spans", []), "layer", "idx"):
        layers.setdefault(span["layer"], []).append(_span(span))
    return layers


def _entities(tables: dict[str, list[dict[str, Any]]]) -> list[Entity]:
    aliases: dict[int, list[str]] = {}
    for alias in _ordered(tables.get("entity_aliases", []), "entity_idx", "idx"):
        aliases.setdefault(alias["entity_idx"], []).append(alias["alias"])
    evidence: dict[int, list[dict[str, Any]]] = {}
    for item in _ordered(tables.get("entity_evidence", []), "entity_idx", "idx"):
        evidence.setdefault(item["entity_idx"], []).append(json.loads(item["evidence"]))
    return [
        _pick(
            Entity,
            row,
            id=row["entity_id"],
            roles=json.loads(row["roles"]),
            aliases=aliases.get(row["idx"], []),
            evidence=evidence.get(row["idx"], []),
        )
        for row in _ordered(tables.get("document_entities", []))
    ]


def _actor(row: dict[str, Any], prefix: str) -> Actor | None:
    if row[f"{prefix}_text"] is None:
        return None
    return Actor(
        text=row[f"{prefix}_text"],
        start=row[f"{prefix}_start"],
        end=row[f"{prefix}_end"],
        entity_id=row[f"{prefix}_entity"],
        country=row[f"{prefix}_country"],
        sector=row[f"{prefix}_sector"],
        role=row[f"{prefix}_role"],
    )


def _event(row: dict[str, Any]) -> Event:
    return _pick(
        Event,
        row,
        source=_actor(row, "source"),
        target=_actor(row, "target"),
        negated=bool(row["negated"]),
    )


def _fact(row: dict[str, Any]) -> Fact:
    return _pick(Fact, row, countries=json.loads(row["countries"]), extra=json.loads(row["extra"]))


def _projects(tables: dict[str, list[dict[str, Any]]]) -> list[ProjectRecord]:
    milestones: dict[int, list[Milestone]] = {}
    for item in _ordered(tables.get("project_milestones", []), "project_idx", "idx"):
        milestones.setdefault(item["project_idx"], []).append(_pick(Milestone, item))
    return [
        _pick(
            ProjectRecord,
            row,
            countries=json.loads(row["countries"]),
            mentions=json.loads(row["mentions"]),
            stated_countries=json.loads(row["stated_countries"]),
            milestones=milestones.get(row["idx"], []),
        )
        for row in _ordered(tables.get("projects", []))
    ]
