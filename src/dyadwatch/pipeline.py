"""Registered stages and the pipeline that runs one Document through them.

A stage is a callable ``stage(doc) -> doc`` (or a class with ``__call__`` and optionally
``pipe(docs)`` for batching), registered by name with what it needs and what it adds. The
pipeline checks, before it runs anything, that every stage's needs are met by the stages
before it (as spaCy's ``analyze_pipes`` does).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from .document import Document, Failure
from .errors import PipelineError, StageConfigError

__all__ = [
    "Stage",
    "StageInfo",
    "register_stage",
    "registered_stages",
    "Pipeline",
    "DEFAULT_STAGES",
    "DocumentLimits",
    "LIMITS_STAGE",
]


class Stage(Protocol):
    """What the pipeline calls: one document in, the same document out with a new layer."""

    def __call__(self, doc: Document) -> Document: ...


@dataclass(frozen=True)
class StageInfo:
    """A registered stage: its factory, version and the layers it needs and adds."""

    name: str
    version: str
    factory: Callable[..., Stage]
    requires: tuple[str, ...] = ()
    adds: tuple[str, ...] = ()
    description: str = ""

    @property
    def tag(self) -> str:
        """``name@version``: the provenance every annotation of this stage carries."""
        return f"{self.name}@{self.version}"


_REGISTRY: dict[str, StageInfo] = {}

# The stages of the default pipeline, in order. Each module registers itself on import.
DEFAULT_STAGES: tuple[str, ...] = (
    "normalise",
    "header",
    "boilerplate",
    "nlp",
    "resolve",
    "timex",
    "events",
    "facts",
    "relations",
    "projects",
    "source_kind",
)


LIMITS_STAGE = "limits"  # the stage a Failure names when a document is over a work cap


@dataclass(frozen=True)
class DocumentLimits:
    """How much work one document may ask of the pipeline; a bigger one becomes a Failure.

    The caps are on size, not on time: the model's cost grows with the tokens of a text
    (a word, a number or a punctuation mark each), so capping characters and tokens bounds
    the work per document on any machine. The defaults (500,000 characters, 60,000 tokens:
    five times the longest news feature) are far above any news article and far below
    what would stall a run for minutes. None switches a cap off.
    """

    max_chars: int | None = 500_000
    max_tokens: int | None = 60_000

    def problem(self, doc: Document) -> str | None:
        """Why ``doc`` is over a cap (None when it is within them)."""
        text = doc.text or doc.raw
        if self.max_chars is not None and len(text) > self.max_chars:
            return (f"the text has {len(text):,} characters, over the limit of "
                    f"{self.max_chars:,} per document (DocumentLimits.max_chars); split it "
                    "into articles, or raise the limit")
        if self.max_tokens is None:
            return None
        tokens = sum(1 for _ in _TOKENS.finditer(text))
        if tokens > self.max_tokens:
            return (f"the text has {tokens:,} tokens (words, numbers and punctuation marks), "
                    f"over the limit of {self.max_tokens:,} per document "
                    "(DocumentLimits.max_tokens); split it into articles, or raise the limit")
        return None


# What the model counts as a token, near enough: a run of letters or digits, or one mark.
_TOKENS = re.compile(r"\w+|[^\w\s]")


def register_stage(
    name: str,
    *,
    version: str,
    requires: Iterable[str] = (),
    adds: Iterable[str] = (),
) -> Callable[[Callable[..., Stage]], Callable[..., Stage]]:
    """Register a stage factory under ``name`` (a decorator).

    The factory is called with the pipeline's options for that stage and returns the
    callable that processes documents.
    """

    def decorate(factory: Callable[..., Stage]) -> Callable[..., Stage]:
        doc = (factory.__doc__ or "").strip().splitlines()
        _REGISTRY[name] = StageInfo(
            name=name,
            version=version,
            factory=factory,
            requires=tuple(requires),
            adds=tuple(adds),
            description=doc[0] if doc else "",
        )
        return factory

    return decorate


def _load_builtin_stages() -> None:
    # Importing the modules runs their @register_stage decorators.
    from .stages import load_all

    load_all()


def registered_stages() -> dict[str, StageInfo]:
    """Every registered stage by name (built-in stages are loaded first)."""
    _load_builtin_stages()
    return dict(_REGISTRY)


@dataclass
class Pipeline:
    """An ordered list of built stages; ``pipeline(doc)`` runs them all on one document."""

    names: tuple[str, ...] = DEFAULT_STAGES
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    limits: DocumentLimits = field(default_factory=DocumentLimits)
    _stages: list[tuple[StageInfo, Stage]] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        available = registered_stages()
        unknown = [name for name in self.names if name not in available]
        if unknown:
            raise StageConfigError(
                f"Unknown stage(s) {unknown}. Available stages: {sorted(available)}"
            )
        self.check(available)
        for name in self.names:
            info = available[name]
            self._stages.append((info, info.factory(**self.options.get(name, {}))))

    def check(self, available: dict[str, StageInfo]) -> None:
        """Raise StageConfigError when a stage needs a layer no earlier stage adds."""
        have: set[str] = {"raw"}
        for name in self.names:
            info = available[name]
            missing = [need for need in info.requires if need not in have]
            if missing:
                raise StageConfigError(
                    f"Stage '{name}' needs {missing}, which no stage before it adds. "
                    f"Put a stage that adds them earlier; order given: {list(self.names)}"
                )
            have.update(info.adds)

    @property
    def tags(self) -> list[str]:
        """``name@version`` of every stage, in order."""
        return [info.tag for info, _ in self._stages]

    def stage(self, name: str) -> Stage:
        """The built stage called ``name``."""
        for info, built in self._stages:
            if info.name == name:
                return built
        raise StageConfigError(f"No stage '{name}' in this pipeline: {list(self.names)}")

    def __call__(self, doc: Document) -> Document:
        problem = self.limits.problem(doc)
        if problem is not None:
            raise PipelineError(f"{doc.source}: {problem}")
        for info, built in self._stages:
            doc = self._run(info, built, doc)
        doc.spacy_doc = None
        return doc

    @staticmethod
    def _run(info: StageInfo, built: Stage, doc: Document) -> Document:
        try:
            doc = built(doc)
        except Exception as exc:  # a stage bug must name the stage and the document
            raise PipelineError(f"{doc.source}: stage {info.tag} failed: {exc!r}") from exc
        doc.stages.append(info.tag)
        return doc

    def pipe(
        self, docs: Iterable[Document], *, batch_size: int = 32
    ) -> Iterator[Document | Failure]:
        """Run every document through the pipeline; a failing document becomes a Failure.

        Stages with a ``pipe`` method (the spaCy stage) get whole batches, which is much
        faster than one document at a time.
        """
        batch: list[Document] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._run_batch(batch)
                batch = []
        if batch:
            yield from self._run_batch(batch)

    def _run_batch(self, batch: list[Document]) -> Iterator[Document | Failure]:
        alive: list[Document] = []
        failures: list[Failure] = []
        for doc in batch:  # over a cap: refused before any stage spends time on it
            problem = self.limits.problem(doc)
            if problem is None:
                alive.append(doc)
            else:
                failures.append(Failure(doc.source, LIMITS_STAGE, problem))
        for info, built in self._stages:
            batch_pipe = getattr(built, "pipe", None)
            if batch_pipe is not None and len(alive) > 1:
                try:
                    alive = list(batch_pipe(alive))
                    for doc in alive:
                        doc.stages.append(info.tag)
                    continue
                except Exception:  # noqa: BLE001 - fall back to one by one to isolate the bad document
                    pass
            survivors = []
            for doc in alive:
                try:
                    survivors.append(self._run(info, built, doc))
                except PipelineError as exc:
                    failures.append(Failure(doc.source, info.name, str(exc)))
            alive = survivors
        for doc in alive:
            doc.spacy_doc = None
        yield from failures
        yield from alive
