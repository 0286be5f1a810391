"""The Store: one SQLite file (WAL mode) holding documents, their records and their clusters.

One process writes (``Store(path)``); any number read (``Store(path, readonly=True)``, which
opens a ``mode=ro`` connection and can never change the file). Each document is written in one
transaction, so a crash leaves either all of a document or none of it.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from ..document import Document, Failure
from ..errors import StoreError
from . import queries
from .queries import NotFound
from .rows import CHILD_TABLES, DocumentRows, dumps, from_rows, to_rows
from .schema import MIGRATIONS, check_not_too_new, migrate, user_version
from .writer import (
    delete_document,
    insert_document,
    link_source,
    rewrite_document,
    unlink_source,
)

__all__ = ["Store", "open_store", "prepare", "DEFAULT_DB", "WriteOutcome"]

DEFAULT_DB = "dyadwatch.db"
# Pages of write-ahead log between automatic checkpoints (SQLite's default: 1,000); at the
# default page size of 4 KiB, the WAL grows to about 40 MB before it is copied back.
WAL_CHECKPOINT_PAGES = 10_000
WriteOutcome = Literal["inserted", "unchanged", "replaced", "duplicate"]
_T = TypeVar("_T")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """A dyadwatch database: write documents, read them back, query across them.

    ``Store(path)`` creates the file or migrates it to the current schema; ``readonly=True``
    opens an existing database for reading only (the web server's way). Raises StoreError
    when the path cannot hold a database and SchemaTooNewError when the file was written by
    a newer dyadwatch. ``migrations`` replaces the built-in schema history (for tests and
    tools that extend the schema).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        readonly: bool = False,
        migrations: Sequence[str] | None = None,
        busy_timeout_ms: int = 10_000,
    ) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._migrations = tuple(MIGRATIONS if migrations is None else migrations)
        self._lock = threading.RLock()
        self.schema_version = 0
        self.journal_mode = ""
        self._conn = self._connect(busy_timeout_ms)

    # --- opening ----------------------------------------------------------------------------

    def _connect(self, busy_timeout_ms: int) -> sqlite3.Connection:
        self._check_path()
        try:
            if self.readonly:
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            else:
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(
                f"Cannot open the database {self.path} ({exc}). Check that the path is a file you "
                "may read and write, or choose another path with --db or DYADWATCH_DB."
            ) from exc
        try:
            self._prepare(conn, busy_timeout_ms)
        except BaseException:
            conn.close()
            raise
        return conn

    def _check_path(self) -> None:
        parent = self.path.parent
        if self.path.is_dir():
            raise StoreError(
                f"{self.path} is a directory, not a database file. Give a file path such as "
                f"{self.path / DEFAULT_DB}."
            )
        if not parent.is_dir():
            raise StoreError(
                f"Cannot create the database {self.path}: the directory {parent} does not exist. "
                f"Create it first (mkdir -p {parent}) or choose another path."
            )
        if self.readonly and not self.path.exists():
            raise StoreError(
                f"The database {self.path} does not exist, so it cannot be opened read-only. "
                "Run dyadwatch on some articles first to create it, or fix the path."
            )

    def _prepare(self, conn: sqlite3.Connection, busy_timeout_ms: int) -> None:
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            conn.execute("PRAGMA foreign_keys = ON")
            if self.readonly:
                conn.execute("PRAGMA query_only = ON")
                self.journal_mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
                self.schema_version = self._check_readable(conn)
                return
            # WAL lets the web server read while a run writes; NORMAL sync is safe under WAL.
            self.journal_mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            conn.execute("PRAGMA synchronous = NORMAL")
            # A checkpoint (copying the WAL into the database, with an fsync) every
            # WAL_CHECKPOINT_PAGES pages rather than SQLite's 1,000: a news article writes
            # about 150 pages of log, so the default checkpointed every seventh document, and
            # checkpoints took a fifth of the time of a write (benchmarks/README.md).
            conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
            self._check_ours(conn)
            self.schema_version = migrate(conn, path=str(self.path), migrations=self._migrations)[1]
        except sqlite3.DatabaseError as exc:
            raise StoreError(self._open_problem(exc)) from exc

    def _open_problem(self, exc: sqlite3.Error) -> str:
        text = str(exc)
        if "not a database" in text:
            return (
                f"{self.path} is not a SQLite database ({text}). Point --db or DYADWATCH_DB at "
                "a dyadwatch database, or at a new file name to create one."
            )
        if "readonly" in text or "read-only" in text or "unable to open" in text:
            return (
                f"Cannot write the database {self.path} ({text}). Check the permissions of the "
                "file and its directory, or open it with readonly=True to read only."
            )
        return f"Cannot use the database {self.path} ({text}). Check the file or choose another."

    def _check_ours(self, conn: sqlite3.Connection) -> None:
        if user_version(conn) != 0:
            return
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name LIMIT 5")]
        if tables:
            raise StoreError(
                f"{self.path} is a SQLite database but not a dyadwatch one (it has tables "
                f"{tables} and no dyadwatch schema). Choose another file; dyadwatch will not "
                "add its tables to someone else's database."
            )

    def _check_readable(self, conn: sqlite3.Connection) -> int:
        version = user_version(conn)
        known = len(self._migrations)
        check_not_too_new(version, path=str(self.path), known=known)
        if version == 0:
            raise StoreError(
                f"{self.path} holds no dyadwatch data (schema version 0). Write to it first "
                "(open it without readonly=True), or fix the path."
            )
        if version < known:
            raise StoreError(
                f"{self.path} has schema version {version}; this dyadwatch needs {known}. Open it "
                "once without readonly=True (any dyadwatch command that writes) to migrate it."
            )
        return version

    # --- plumbing ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (the store cannot be used afterwards)."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "readonly" if self.readonly else "writable"
        return f"Store({str(self.path)!r}, {mode}, schema v{self.schema_version})"

    def _require_writable(self, action: str) -> None:
        if self.readonly:
            raise StoreError(
                f"Cannot {action}: {self.path} was opened read-only. Open it with "
                "Store(path) (readonly=False) in the one process that writes."
            )

    @contextmanager
    def _transaction(self, action: str) -> Iterator[sqlite3.Connection]:
        """One write transaction; any database error becomes a StoreError naming ``action``."""
        self._require_writable(action)
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            except (sqlite3.Error, UnicodeEncodeError) as exc:
                raise StoreError(
                    f"Could not {action} in {self.path} ({exc}); nothing was changed. If the "
                    "database is locked, make sure only one dyadwatch process writes to it."
                ) from exc

    def _read(self, query: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        with self._lock:
            try:
                return query(self._conn, *args, **kwargs)
            except sqlite3.Error as exc:
                raise StoreError(f"Reading {self.path} failed ({exc}).") from exc

    # --- writing ----------------------------------------------------------------------------

    def write(
        self, doc: Document, *, run_id: str | None = None, force: bool = False
    ) -> WriteOutcome:
        """Store one document in one transaction and say what happened.

        Returns "inserted"; "unchanged" (this source with this content is stored: nothing
        changes, not even a timestamp); "replaced" (this source had other content, whose
        rows are removed); or "duplicate" (this content is stored under another source:
        the source is recorded, no rows are copied). ``force=True`` rewrites the records of
        stored content (after the pipeline improved) and returns "replaced". Raises
        StoreError on a read-only store or a database failure (nothing is then stored).
        """
        return self.write_rows(prepare(doc), run_id=run_id, force=force)

    def write_rows(
        self, rows: DocumentRows, *, run_id: str | None = None, force: bool = False
    ) -> WriteOutcome:
        """``write`` for a document already turned into rows by ``prepare`` (in a worker
        process, say, so that the writing process only executes SQL)."""
        with self._transaction(f"write {rows.source}") as conn:
            return self._write_rows(conn, rows.source, rows, run_id, force)

    @staticmethod
    def _write_rows(
        conn: sqlite3.Connection, source: str, rows: DocumentRows, run_id: str | None, force: bool
    ) -> WriteOutcome:
        current = conn.execute(
            "SELECT doc_id, content_hash FROM document_sources WHERE source = ?", (source,)
        ).fetchone()
        if current is not None and current[1] == rows.content_hash:
            if not force:
                return "unchanged"
            rewrite_document(conn, rows, now=_now(), run_id=run_id)
            return "replaced"
        if current is not None:
            unlink_source(conn, source, current[0])
        stored = conn.execute(
            "SELECT 1 FROM documents WHERE content_hash = ?", (rows.content_hash,)
        ).fetchone()
        now = _now()
        if stored is None:
            insert_document(conn, rows, now=now, run_id=run_id)
        link_source(conn, source, rows, now=now, run_id=run_id)
        if current is not None:
            return "replaced"
        return "duplicate" if stored is not None else "inserted"

    def has(self, source: str, content_hash: str | None = None) -> bool:
        """True when ``source`` is stored (with ``content_hash``, when given): for resuming."""
        sql = "SELECT 1 FROM document_sources WHERE source = ?"
        params: tuple[str, ...] = (source,)
        if content_hash is not None:
            sql += " AND content_hash = ?"
            params += (content_hash,)
        return self._read(lambda conn: conn.execute(sql, params).fetchone() is not None)

    def delete(self, doc_id: str) -> None:
        """Delete a document, every source holding it and all it contributed (clusters and
        entity counts are updated). Raises NotFound for an unknown id."""
        with self._transaction(f"delete document {doc_id}") as conn:
            if conn.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone() is None:
                raise NotFound(f"No document with id {doc_id!r} in the store; nothing deleted.")
            conn.execute("DELETE FROM document_sources WHERE doc_id = ?", (doc_id,))
            delete_document(conn, doc_id)

    def record_failure(self, failure: Failure, *, run_id: str | None = None) -> None:
        """Record an input that could not be processed (recording it twice in a run is a no-op)."""
        with self._transaction(f"record the failure of {failure.source}") as conn:
            conn.execute(
                "INSERT OR IGNORE INTO failures (source, line, stage, reason, run_id, created)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (failure.source, failure.line, failure.stage, failure.reason, run_id, _now()),
            )

    def begin_run(self, argv: Sequence[str] | None = None, *, run_id: str | None = None) -> str:
        """Record the start of a run and return its id (a UTC timestamp plus random digits)."""
        started = datetime.now(UTC)
        run_id = run_id or f"{started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
        with self._transaction(f"begin run {run_id}") as conn:
            conn.execute(
                "INSERT INTO runs (run_id, started, argv) VALUES (?, ?, ?)",
                (run_id, started.isoformat(timespec="seconds"), dumps(list(argv or []))),
            )
        return run_id

    def finish_run(self, run_id: str, counts: dict[str, int]) -> None:
        """Record the end of run ``run_id`` with its counts (inserted, unchanged, failed…)."""
        with self._transaction(f"finish run {run_id}") as conn:
            updated = conn.execute(
                "UPDATE runs SET finished = ?, counts = ? WHERE run_id = ?",
                (_now(), dumps(counts), run_id),
            ).rowcount
            if not updated:
                raise NotFound(f"No run {run_id!r}; start it with begin_run() first.")

    # --- reading documents back -------------------------------------------------------------

    def load(self, doc_id: str) -> Document:
        """Rebuild the stored Document (all records, offsets included; no spaCy doc).

        Raises NotFound for an unknown id.
        """
        return self._read(_load, doc_id)

    # --- queries ----------------------------------------------------------------------------

    def documents(
        self,
        *,
        outlet: str | None = None,
        kind: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict]:
        """Documents, newest publication first, with counts of their records."""
        return self._read(
            queries.list_documents, outlet=outlet, kind=kind, since=since, until=until,
            limit=limit, offset=offset,
        )

    def document(self, doc_id: str) -> dict:
        """One document's metadata, text, sources and counts. Raises NotFound."""
        return self._read(queries.get_document, doc_id)

    def sentences(self, doc_id: str) -> list[dict]:
        """One document's sentences in order. Raises NotFound."""
        return self._read(queries.list_sentences, doc_id)

    def entities(
        self,
        *,
        type: str | None = None,
        country: str | None = None,
        q: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict]:
        """Entities with mention and document counts, most mentioned first."""
        return self._read(
            queries.list_entities, type=type, country=country, q=q, limit=limit, offset=offset
        )

    def entity(self, entity_id_or_name: str, *, limit: int = 100) -> dict:
        """One entity by id, name or alias, with aliases, roles, documents, mentions and
        merge evidence. Raises NotFound."""
        return self._read(queries.get_entity, entity_id_or_name, limit=limit)

    def events(
        self,
        *,
        between: tuple[str, str] | None = None,
        type: str | None = None,
        mode: str | None = None,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
        min_sources: int = 1,
        country: str | None = None,
        evidence_limit: int = 20,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict]:
        """Events, one row per cluster of reports, with their evidence (see queries.list_events)."""
        return self._read(
            queries.list_events, between=between, type=type, mode=mode, since=since,
            until=until, source=source, min_sources=min_sources, country=country,
            evidence_limit=evidence_limit, limit=limit, offset=offset,
        )

    def timeline(
        self, a: str, b: str, *, by: str = "month", mode: str | None = "", min_sources: int = 1
    ) -> list[dict]:
        """Per period: event clusters between ``a`` and ``b`` by PLOVER type and Goldstein."""
        return self._read(queries.timeline, a, b, by=by, mode=mode, min_sources=min_sources)

    def facts(
        self,
        *,
        indicator: str | None = None,
        country: str | None = None,
        between: tuple[str, str] | None = None,
        period: str | None = None,
        doc_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict]:
        """Figures with their evidence, latest period first (see queries.list_facts)."""
        return self._read(
            queries.list_facts, indicator=indicator, country=country, between=between,
            period=period, doc_id=doc_id, limit=limit, offset=offset,
        )

    def relations(
        self, a: str | None = None, b: str | None = None, *, limit: int = 1000, offset: int = 0
    ) -> list[dict]:
        """Partnership-level statements involving ``a`` (and ``b``), oldest first."""
        return self._read(queries.list_relations, a, b, limit=limit, offset=offset)

    def projects(
        self, *, country: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[dict]:
        """Projects merged across documents, with their milestones."""
        return self._read(queries.list_projects, country=country, limit=limit, offset=offset)

    def failures(
        self, run_id: str | None = None, *, limit: int = 1000, offset: int = 0
    ) -> list[dict]:
        """Recorded failures (of one run, when ``run_id`` is given)."""
        return self._read(queries.list_failures, run_id=run_id, limit=limit, offset=offset)

    def runs(self, *, limit: int = 100, offset: int = 0) -> list[dict]:
        """Recorded runs, newest first."""
        return self._read(queries.list_runs, limit=limit, offset=offset)

    def search(self, query: str, *, limit: int = 20, offset: int = 0) -> list[dict]:
        """Sentences matching every word of ``query`` (any string is safe), best first."""
        return self._read(queries.search, query, limit=limit, offset=offset)

    def counts(self) -> dict[str, int]:
        """Rows per table (documents, sentences, mentions, entities, events, event_clusters,
        facts, relations, projects, failures, sources)."""
        return self._read(queries.counts)

    def connection(self) -> sqlite3.Connection:
        """The underlying connection, for read-only use by exporters and tools."""
        return self._conn


def prepare(doc: Document) -> DocumentRows:
    """The rows ``Store.write`` stores for ``doc`` (no database needed: a worker makes them).

    Raises StoreError when the text is not valid Unicode (a lone surrogate, left by a
    lenient decoder), which SQLite cannot store.
    """
    try:
        return to_rows(doc)
    except UnicodeEncodeError as exc:
        raise StoreError(
            f"Cannot write {doc.source}: its text is not valid Unicode ({exc}). Decode the "
            "input strictly or replace the bad characters; nothing was stored."
        ) from exc


def _load(conn: sqlite3.Connection, doc_id: str) -> Document:
    cursor = conn.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,))
    names = [column[0] for column in cursor.description]
    found = cursor.fetchone()
    if found is None:
        raise NotFound(f"No document with id {doc_id!r} in the store; list ids with documents().")
    tables = {}
    for table in CHILD_TABLES:
        cursor = conn.execute(f"SELECT * FROM {table} WHERE doc_id = ?", (doc_id,))
        columns = [column[0] for column in cursor.description]
        tables[table] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return from_rows(DocumentRows(dict(zip(names, found, strict=True)), tables))


def open_store(path: str | Path | None = None, *, readonly: bool = False) -> Store:
    """Open the store at ``path``, else at $DYADWATCH_DB, else at ./dyadwatch.db."""
    chosen = path if path is not None else os.environ.get("DYADWATCH_DB") or DEFAULT_DB
    return Store(chosen, readonly=readonly)
