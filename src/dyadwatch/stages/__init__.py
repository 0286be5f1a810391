"""Built-in stages. Each module registers its stages with ``@register_stage`` on import."""

from __future__ import annotations

import importlib

from ..pipeline import DEFAULT_STAGES

__all__ = ["load_all", "BUILTIN_MODULES"]

# Each built-in stage lives in the module of the same name (the default pipeline's order).
BUILTIN_MODULES: tuple[str, ...] = DEFAULT_STAGES

_loaded = False


def load_all() -> None:
    """Import every built-in stage module once (registering its stages)."""
    global _loaded
    if _loaded:
        return
    for module in BUILTIN_MODULES:
        importlib.import_module(f"{__name__}.{module}")
    _loaded = True
