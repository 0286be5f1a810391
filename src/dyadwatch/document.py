"""The Document that flows through every stage, and the records stages attach to it.

Every annotation is a character span ``[start, end)`` into ``Document.text`` (the
normalised text) plus its provenance (``stage@version``) and a confidence. The raw text is
kept beside it with an offset map from normalised to raw positions, so that any record can
be traced back to the exact characters of the file it came from.
"""

from __future__ import annotations

import hashlib
from array import array
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "Span",
    "Meta",
    "Mention",
    "Entity",
    "Actor",
    "Event",
    "Fact",
    "Relation",
    "ProjectRecord",
    "Milestone",
    "Document",
    "Failure",
    "content_hash",
]


def content_hash(text: str) -> str:
    """Return the sha256 hex digest of ``text`` (UTF-8), the identity of a document's content."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Span:
    """A labelled character span in one layer (sentence, boilerplate, timex, token…)."""

    start: int
    end: int
    label: str = ""
    provenance: str = ""
    confidence: float = 1.0
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Meta:
    """What the article says about itself: title, outlet, publication date, kind."""

    title: str | None = None
    published: str | None = None  # ISO date YYYY-MM-DD, or None when the article has none
    published_time: str | None = None  # HH:MM[:SS] where the header gives it
    outlet: str | None = None
    author: str | None = None
    url: str | None = None
    dateline: str | None = None  # place named in a dateline ("ASTANA")
    language: str = "en"
    kind: str | None = None  # news | opinion | interview | blog
    kind_reason: str | None = None
    # Where each field was found: field name -> [start, end] in the normalised text.
    spans: dict[str, list[int]] = field(default_factory=dict)


@dataclass(slots=True)
class Mention:
    """A mention of an entity: a span with a type, its resolved entity and actor codes."""

    start: int
    end: int
    text: str
    type: str  # PERSON | COUNTRY | ORG | LOCATION | PROJECT | ROLE | PRONOUN
    entity_id: str | None = None
    country: str | None = None  # ISO 3166 alpha-3, or an IGO code
    sector: str | None = None  # GOV, MIL, LEG, JUD, PTY, BUS, MED, EDU, NGO, CVL…
    role: str | None = None  # office held at the article's date ("head_of_state")
    sentence: int = -1
    provenance: str = ""
    confidence: float = 1.0
    resolved_by: str | None = None  # which rule linked it ("alias", "role@date", "pronoun"…)


@dataclass(slots=True)
class Entity:
    """One real-world entity as seen in a document (or, in the store, across documents)."""

    id: str
    name: str
    type: str
    country: str | None = None
    sector: str | None = None
    registry_id: str | None = None
    wikidata: str | None = None
    aliases: list[str] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)  # why mentions were merged


@dataclass(slots=True)
class Actor:
    """The source or target of an event: a text span with its entity and codes."""

    text: str
    start: int
    end: int
    entity_id: str | None = None
    country: str | None = None
    sector: str | None = None
    role: str | None = None


@dataclass(slots=True)
class Event:
    """Who did what to whom, when and where, with the sentence it came from."""

    plover: str
    cameo: str
    source: Actor | None
    target: Actor | None
    start: int  # evidence span: the sentence (or clause) the event was read from
    end: int
    trigger: str = ""
    trigger_start: int = -1
    trigger_end: int = -1
    mode: str = ""  # "" (done), intend, future, conditional, hypothetical, negated…
    negated: bool = False
    date: str | None = None  # YYYY-MM-DD | YYYY-MM | YYYY | START/END
    date_precision: str | None = None  # day | month | year | interval
    date_source: str | None = None  # "timex" (its own expression) | "published" | None
    location: str | None = None
    goldstein: float | None = None
    quad: int | None = None
    sentence: int = -1
    confidence: float = 1.0
    provenance: str = ""
    rule: str = ""  # which construction produced it (svo, nominal, headline, reported…)


@dataclass(slots=True)
class Fact:
    """A figure: trade, investment, loans, aid, counts — value, unit, period, change."""

    indicator: str
    value: float | None
    unit: str | None
    start: int
    end: int
    countries: list[str] = field(default_factory=list)
    period: str | None = None
    currency: str | None = None
    original: str = ""
    change_pct: float | None = None
    change_basis: str | None = None
    qualifier: str | None = None
    attributed_to: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    sentence: int = -1
    confidence: float = 1.0
    provenance: str = ""


@dataclass(slots=True)
class Relation:
    """A statement of the level of a partnership between countries."""

    countries: list[str]
    level: str
    rung: int
    start: int
    end: int
    since: str | None = None  # date of an upgrade
    as_of: str | None = None  # date of a description
    sentence: int = -1
    confidence: float = 1.0
    provenance: str = ""


@dataclass(slots=True)
class Milestone:
    """One step of a project (agreed, signed, construction started, launched…)."""

    status: str
    date: str | None
    start: int
    end: int


@dataclass(slots=True)
class ProjectRecord:
    """A named project or initiative seen in a document, with its milestones."""

    project_id: str
    name: str
    start: int
    end: int
    countries: list[str] = field(default_factory=list)
    sector: str | None = None
    mentions: list[str] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    stated_countries: list[str] = field(default_factory=list)  # as written, may contradict
    sentence: int = -1
    confidence: float = 1.0
    provenance: str = ""


@dataclass(slots=True)
class Failure:
    """An input or a document that could not be processed: data the user sees, not a log line."""

    source: str  # the file, URL or "<stdin>"
    stage: str  # "read", "decode", "parse", or the name of the pipeline stage that failed
    reason: str
    line: int | None = None  # line of a JSONL file, where it applies

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: [{self.stage}] {self.reason}"


@dataclass
class Document:
    """One article: raw text, normalised text, metadata and the layers stages add."""

    source: str  # file path, URL or "<stdin>:LINE"
    raw: str  # the decoded text as read (for HTML: the extracted text)
    text: str = ""  # the normalised text every span points into
    offsets: array = field(default_factory=lambda: array("l"))  # text index -> raw index
    encoding: str | None = None
    meta: Meta = field(default_factory=Meta)
    layers: dict[str, list[Span]] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    projects: list[ProjectRecord] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)  # "name@version" of each stage run
    problems: list[str] = field(default_factory=list)  # non-fatal warnings from stages
    spacy_doc: Any = None  # the spaCy Doc while the pipeline runs; never stored

    @property
    def content_hash(self) -> str:
        """sha256 of the normalised text: the identity of the content."""
        return content_hash(self.text or self.raw)

    @property
    def doc_id(self) -> str:
        """A short stable id: the first 16 hex digits of the content hash."""
        return self.content_hash[:16]

    def layer(self, name: str) -> list[Span]:
        """Return the spans of layer ``name`` (an empty list when the layer is absent)."""
        return self.layers.get(name, [])

    def add_span(self, layer: str, span: Span) -> Span:
        """Append ``span`` to ``layer`` and return it."""
        self.layers.setdefault(layer, []).append(span)
        return span

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text to the matching span of the raw text."""
        if not self.offsets:
            return start, end
        last = len(self.offsets) - 1
        raw_start = self.offsets[min(start, last)] if start <= last else len(self.raw)
        raw_end = self.offsets[end - 1] + 1 if 0 < end <= len(self.offsets) else raw_start
        return raw_start, raw_end

    def in_boilerplate(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` overlaps a boilerplate span."""
        return any(b.start < end and start < b.end for b in self.layer("boilerplate"))

    def sentence_of(self, offset: int) -> int:
        """Index of the sentence holding character ``offset`` (-1 when none)."""
        for index, sentence in enumerate(self.layer("sentences")):
            if sentence.start <= offset < sentence.end:
                return index
        return -1

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view of the document and all its records (no spaCy objects)."""
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "content_hash": self.content_hash,
            "encoding": self.encoding,
            "meta": asdict(self.meta),
            "text": self.text,
            "layers": {name: [asdict(s) for s in spans] for name, spans in self.layers.items()},
            "mentions": [asdict(m) for m in self.mentions],
            "entities": [asdict(e) for e in self.entities],
            "events": [asdict(e) for e in self.events],
            "facts": [asdict(f) for f in self.facts],
            "relations": [asdict(r) for r in self.relations],
            "projects": [asdict(p) for p in self.projects],
            "stages": list(self.stages),
            "problems": list(self.problems),
        }
