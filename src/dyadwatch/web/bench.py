"""What every request of the workbench shares: read-only store connections (one per worker
thread), the registry's country names, the ladder's rung names, and the contradictions found
across the store (recomputed only when the store changes)."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from ..store import Store

__all__ = ["Workbench", "country_names", "rung_names"]


@cache
def country_names() -> dict[str, str]:
    """Code -> name of every country and IGO in the built-in registry."""
    from ..registry import load_registry

    registry = load_registry()
    names = {code: igo.name for code, igo in registry.igos.items()}
    names.update({code: country.name for code, country in registry.countries.items()})
    return names


@cache
def rung_names() -> dict[int, str]:
    """Rung -> the first level named on it in the partnership ladder (data/ladder.tsv)."""
    from ..stages.relations import load_ladder

    names: dict[int, str] = {}
    for name, level in load_ladder().levels.items():
        names.setdefault(int(level.rung), name)
    return dict(sorted(names.items()))


class Workbench:
    """The read side of one database for a web app: per-thread read-only Stores and caches.

    Raises StoreError (from Store) when the database cannot be opened read-only.
    """

    def __init__(self, db_path: str | Path) -> None:
        self.db_path = Path(db_path)
        self._local = threading.local()
        self._opened: list[Store] = []
        self._lock = threading.Lock()
        self._conflicts: tuple[tuple[Any, ...], list[dict[str, Any]]] | None = None
        self.store()  # open once now, so that a bad path fails at start-up, not per request

    def store(self) -> Store:
        """This thread's read-only Store (opened on first use)."""
        store = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.db_path, readonly=True)
            self._local.store = store
            with self._lock:
                self._opened.append(store)
        return store

    def close(self) -> None:
        """Close every connection opened (the app is shutting down)."""
        with self._lock:
            for store in self._opened:
                store.close()
            self._opened.clear()

    def known_codes(self) -> frozenset[str]:
        """Country and IGO codes the registry knows."""
        return frozenset(country_names())

    def name_of(self, code: str | None) -> str:
        """The name of a country or IGO code (the code itself when unknown)."""
        if not code:
            return ""
        return country_names().get(code, code)

    def conflicts(self) -> list[dict[str, Any]] | None:
        """Every contradiction in the store, or None when dyadwatch.conflicts is absent.

        Computed once per state of the store: the key is the row counts and the latest
        ingest time, which change whenever a document is written or removed.
        """
        finder = _conflict_finder()
        if finder is None:
            return None
        store = self.store()
        key = _fingerprint(store)
        with self._lock:
            if self._conflicts is not None and self._conflicts[0] == key:
                return self._conflicts[1]
        found = finder(store)
        with self._lock:
            self._conflicts = (key, found)
        return found


def _conflict_finder() -> Callable[[Store], list[dict[str, Any]]] | None:
    try:
        module = importlib.import_module("dyadwatch.conflicts")
    except ModuleNotFoundError as exc:
        if exc.name != "dyadwatch.conflicts":
            raise  # the module is there but broken: a bug to see, not a missing feature
        return None
    return getattr(module, "conflicts_from_store", None)


def _fingerprint(store: Store) -> tuple[Any, ...]:
    counts = store.counts()
    latest = store.connection().execute(
        "SELECT MAX(ingested_at), COUNT(*) FROM documents").fetchone()
    return (*sorted(counts.items()), *latest)
