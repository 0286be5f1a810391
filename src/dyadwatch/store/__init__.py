"""The store: documents and their records in one SQLite file, queries across them, export.

``Store(path)`` opens (creating or migrating) a database; ``Store(path, readonly=True)``
reads one without ever writing. ``open_store()`` finds the path in $DYADWATCH_DB, else uses
./dyadwatch.db. ``prepare(doc)`` makes the rows ``Store.write`` stores, without a database
(workers make them; ``Store.write_rows`` stores them). ``export(store, fmt=...,
out_dir=...)`` writes one file per table.
"""

from __future__ import annotations

from .export import EXPORT_FORMATS, EXPORT_TABLES, export
from .queries import NotFound
from .rows import from_rows, to_rows
from .schema import MIGRATIONS, SCHEMA_VERSION
from .store import DEFAULT_DB, Store, open_store, prepare

__all__ = [
    "Store",
    "open_store",
    "prepare",
    "export",
    "NotFound",
    "DEFAULT_DB",
    "EXPORT_FORMATS",
    "EXPORT_TABLES",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "to_rows",
    "from_rows",
]
