"""Built-in stages. Each module registers its stages with ``@register_stage`` on import."""

from __future__ import annotations

import importlib

__all__ = ["load_all", "BUILTIN_MODULES"]

# Modules holding built-in stages, in pipeline order.
BUILTIN_MODULES: tuple[str, ...] = (
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

_loaded = False


def load_all() -> None:
    """Import every built-in stage module once (registering its stages)."""
    global _loaded
    if _loaded:
        return
    for module in BUILTIN_MODULES:
        importlib.import_module(f"{__name__}.{module}")
    _loaded = True
