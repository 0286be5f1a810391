"""Store dumps for comparing runs row for row: every record table, volatile columns left out.

Run ids and times differ between any two runs. Failures are compared as a set: a runner
reports a failure as soon as it knows it (which depends on the number of workers), and the
store records a failure once per run that meets it (a resumed run meets it again).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

VOLATILE = frozenset({"run_id", "ingested_at", "added", "created"})


def record_dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of every table of the store at ``path`` (runs and FTS internals excluded)."""
    conn = sqlite3.connect(path)
    try:
        names = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'sentences_fts%' AND name != 'runs' ORDER BY name")]
        return {name: _rows(conn, name) for name in names}
    finally:
        conn.close()


def _rows(conn: sqlite3.Connection, table: str) -> list[tuple[Any, ...]]:
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    order = "" if "WITHOUT ROWID" in sql.upper() else " ORDER BY rowid"  # else: key order
    cursor = conn.execute(f'SELECT * FROM "{table}"{order}')
    columns = [column[0] for column in cursor.description]
    dropped = VOLATILE | ({"id"} if table == "failures" else set())
    keep = [i for i, name in enumerate(columns) if name not in dropped]
    rows = [tuple(row[i] for i in keep) for row in cursor.fetchall()]
    return sorted(set(rows), key=repr) if table == "failures" else rows
