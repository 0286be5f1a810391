"""dyadwatch: news about international relations in, a provenance-backed record of relations
between states out."""

from __future__ import annotations

from .document import (
    Actor,
    Document,
    Entity,
    Event,
    Fact,
    Failure,
    Mention,
    Meta,
    Milestone,
    ProjectRecord,
    Relation,
    Span,
)
from .errors import DyadwatchError
from .pipeline import Pipeline, register_stage, registered_stages

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "Actor",
    "Document",
    "DyadwatchError",
    "Entity",
    "Event",
    "Fact",
    "Failure",
    "Mention",
    "Meta",
    "Milestone",
    "Pipeline",
    "ProjectRecord",
    "Relation",
    "Span",
    "register_stage",
    "registered_stages",
]
