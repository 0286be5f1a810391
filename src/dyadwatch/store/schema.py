"""The versioned schema of the store: an ordered list of migrations and the code that runs them.

Migration ``n`` (1-based) is the SQL script ``MIGRATIONS[n - 1]``; the database's
``PRAGMA user_version`` holds the number of the last migration applied. A migration runs in one
transaction together with the version bump, so a failed migration leaves the database as it was.
Never edit a released migration: append a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ..errors import SchemaTooNewError, StoreError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "user_version", "migrate", "check_not_too_new"]

# Version 1: the whole record. Child rows carry (doc_id, idx) so that a document maps to rows
# without knowing any row id, and deleting a document cascades to everything it contributed.
_V1 = """
CREATE TABLE documents (
    doc_id        TEXT PRIMARY KEY,
    content_hash  TEXT NOT NULL UNIQUE,
    source        TEXT NOT NULL,            -- the first source this content was read from
    title         TEXT,
    published     TEXT,
    published_time TEXT,
    outlet        TEXT,
    author        TEXT,
    url           TEXT,
    dateline      TEXT,
    language      TEXT,
    kind          TEXT,
    kind_reason   TEXT,
    meta          TEXT NOT NULL,            -- JSON: every Meta field, spans included
    encoding      TEXT,
    raw           TEXT NOT NULL,
    text          TEXT NOT NULL,
    offsets       BLOB,                     -- compressed map text index -> raw index
    layers        TEXT NOT NULL,            -- JSON: layer names in order
    stages        TEXT NOT NULL,            -- JSON list of "name@version"
    problems      TEXT NOT NULL,            -- JSON list
    run_id        TEXT,
    ingested_at   TEXT NOT NULL
);
CREATE INDEX idx_documents_published ON documents(published);
CREATE INDEX idx_documents_outlet ON documents(outlet, published);

CREATE TABLE document_sources (
    source        TEXT PRIMARY KEY,
    doc_id        TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    content_hash  TEXT NOT NULL,
    run_id        TEXT,
    added         TEXT NOT NULL
);
CREATE INDEX idx_document_sources_doc ON document_sources(doc_id);

CREATE TABLE sentences (
    id            INTEGER PRIMARY KEY,
    doc_id        TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    start         INTEGER NOT NULL,
    "end"         INTEGER NOT NULL,
    text          TEXT NOT NULL,
    label         TEXT NOT NULL,
    provenance    TEXT NOT NULL,
    confidence    REAL NOT NULL,
    attrs         TEXT NOT NULL,
    UNIQUE (doc_id, idx)
);

-- Full-text index over sentences, external content: the text lives once, in sentences.
CREATE VIRTUAL TABLE sentences_fts USING fts5(
    text, content='sentences', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER sentences_fts_insert AFTER INSERT ON sentences BEGIN
    INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER sentences_fts_delete AFTER DELETE ON sentences BEGIN
    INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER sentences_fts_update AFTER UPDATE ON sentences BEGIN
    INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text);
END;

CREATE TABLE spans (
    id            INTEGER PRIMARY KEY,
    doc_id        TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    layer         TEXT NOT NULL,
    idx           INTEGER NOT NULL,
    start         INTEGER NOT NULL,
    "end"         INTEGER NOT NULL,
    label         TEXT NOT NULL,
    provenance    TEXT NOT NULL,
    confidence    REAL NOT NULL,
    attrs         TEXT NOT NULL,
    UNIQUE (doc_id, layer, idx)
);
CREATE INDEX idx_spans_layer ON spans(layer, label);

CREATE TABLE entities (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    name_folded   TEXT NOT NULL,
    named         INTEGER NOT NULL,         -- 1: name from an Entity record; 0: from a mention
    type          TEXT NOT NULL,
    country       TEXT,
    sector        TEXT,
    registry_id   TEXT,
    wikidata      TEXT,
    n_mentions    INTEGER NOT NULL DEFAULT 0,
    n_documents   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_entities_rank ON entities(n_mentions DESC, id);
CREATE INDEX idx_entities_type ON entities(type, n_mentions DESC);
CREATE INDEX idx_entities_country ON entities(country, n_mentions DESC);
CREATE INDEX idx_entities_name ON entities(name_folded);

CREATE TABLE document_entities (
    id            INTEGER PRIMARY KEY,
    doc_id        TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    entity_id     TEXT NOT NULL REFERENCES entities(id),
    name          TEXT NOT NULL,
    type          TEXT NOT NULL,
    country       TEXT,
    sector        TEXT,
    registry_id   TEXT,
    wikidata      TEXT,
    roles         TEXT NOT NULL,            -- JSON list of role records
    UNIQUE (doc_id, idx)
);
CREATE INDEX idx_document_entities_entity ON document_entities(entity_id);

CREATE TABLE entity_aliases (
    id            INTEGER PRIMARY KEY,
    doc_id        TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    entity_idx    INTEGER NOT NULL,
    idx           INTEGER NOT NULL,
    entity_id     TEXT NOT NULL REFERENCES entities(id),
    alias         TEXT NOT NULL,
    alias_folded  TEXT NOT NULL,
    UNIQUE (doc_id, entity_idx, idx)
);
CREATE INDEX idx_entity_aliases_folded ON entity_aliases(alias_folded, entity_id);
CREATE INDEX idx_entity_aliases_entity ON entity_aliases(entity_id, alias);

CREATE TABLE entity_evidence (
    id            INTEGER PRIMARY KEY,
    doc_id        TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    entity_idx    INTEGER NOT NULL,
    idx           INTEGER NOT NULL,
    entity_id     TEXT NOT NULL REFERENCES entities(id),
    evidence      TEXT NOT NULL,            -- JSON: why mentions were merged
    UNIQUE (doc_id, entity_idx, idx)
);
CREATE INDEX idx_entity_evidence_entity ON entity_evidence(entity_id);

CREATE TABLE mentions (
    id            INTEGER PRIMARY KEY,
    doc_id        TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    start         INTEGER NOT NULL,
    "end"         INTEGER NOT NULL,
    text          TEXT NOT NULL,
    type          TEXT NOT NULL,
    entity_id     TEXT REFERENCES entities(id),
    country       TEXT,
    sector        TEXT,
    role          TEXT,
    sentence      INTEGER NOT NULL,
    provenance    TEXT NOT NULL,
    confidence    REAL NOT NULL,
    resolved_by   TEXT,
    UNIQUE (doc_id, idx)
);
CREATE INDEX idx_mentions_entity ON mentions(entity_id, doc_id);

-- One row per cluster of event mentions that report the same real-world event.
CREATE TABLE event_clusters (
    id            INTEGER PRIMARY KEY,
    plover        TEXT NOT NULL,
    cameo         TEXT,
    mode          TEXT NOT NULL,
    negated       INTEGER NOT NULL,
    key_a         TEXT NOT NULL,            -- the unordered actor pair, key_a <= key_b
    key_b         TEXT NOT NULL,
    source_key    TEXT NOT NULL,            -- direction of the first report
    target_key    TEXT NOT NULL,
    date          TEXT,                     -- the most precise evidence date
    date_precision TEXT,
    date_lo       TEXT,                     -- days every evidence date agrees on
    date_hi       TEXT,
    date_width    INTEGER,                  -- 4 year, 7 month, 10 day
    wide          INTEGER NOT NULL DEFAULT 0,
    undated_doc   TEXT,                     -- undated clusters never leave their document
    n_evidence    INTEGER NOT NULL DEFAULT 0,
    n_sources     INTEGER NOT NULL DEFAULT 0,
    n_outlets     INTEGER NOT NULL DEFAULT 0,
    goldstein     REAL
);
CREATE INDEX idx_clusters_coref ON event_clusters(key_a, key_b, plover, date_lo);
CREATE INDEX idx_clusters_pair ON event_clusters(key_a, key_b, date_lo);
CREATE INDEX idx_clusters_key_b ON event_clusters(key_b, date_lo);
CREATE INDEX idx_clusters_type ON event_clusters(plover, date_lo);
CREATE INDEX idx_clusters_date ON event_clusters(date_lo);
CREATE INDEX idx_clusters_wide ON event_clusters(key_a, key_b, plover) WHERE wide = 1;
CREATE INDEX idx_clusters_undated ON event_clusters(undated_doc) WHERE undated_doc IS NOT NULL;

CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    doc_id        TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    cluster_id    INTEGER NOT NULL REFERENCES event_clusters(id),
    plover        TEXT NOT NULL,
    cameo         TEXT NOT NULL,
    source_text   TEXT,
    source_start  INTEGER,
    source_end    INTEGER,
    source_entity TEXT,
    source_country TEXT,
    source_sector TEXT,
    source_role   TEXT,
    target_text   TEXT,
    target_start  INTEGER,
    target_end    INTEGER,
    target_entity TEXT,
    target_country TEXT,
    target_sector TEXT,
    target_role   TEXT,
    start         INTEGER NOT NULL,
    "end"         INTEGER NOT NULL,
    "trigger"     TEXT NOT NULL,
    trigger_start INTEGER NOT NULL,
    trigger_end   INTEGER NOT NULL,
    mode          TEXT NOT NULL,
    negated       INTEGER NOT NULL,
    date          TEXT,
    date_precision TEXT,
    date_source   TEXT,
    location      TEXT,
    goldstein     REAL,
    quad          INTEGER,
    sentence      INTEGER NOT NULL,
    confidence    REAL NOT NULL,
    provenance    TEXT NOT NULL,
    rule          TEXT NOT NULL,
    date_lo       TEXT,                     -- derived: the days the date covers
    date_hi       TEXT,
    date_width    INTEGER,
    source_key    TEXT NOT NULL,            -- derived: country, else entity id, else text
    target_key    TEXT NOT NULL,
    UNIQUE (doc_id, idx)
);
CREATE INDEX idx_events_cluster ON events(cluster_id);
CREATE INDEX idx_events_source_country ON events(source_country, cluster_id);
CREATE INDEX idx_events_source_entity ON events(source_entity, cluster_id);

CREATE TABLE facts (
    id            INTEGER PRIMARY KEY,
    doc_id        TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    indicator     TEXT NOT NULL,
    value         REAL,
    unit          TEXT,
    start         INTEGER NOT NULL,
    "end"         INTEGER NOT NULL,
    countries     TEXT NOT NULL,            -- JSON list, as written
    period        TEXT,
    currency      TEXT,
    original      TEXT NOT NULL,
    change_pct    REAL,
    change_basis  TEXT,
    qualifier     TEXT,
    attributed_to TEXT,
    extra         TEXT NOT NULL,
    sentence      INTEGER NOT NULL,
    confidence    REAL NOT NULL,
    provenance    TEXT NOT NULL,
    UNIQUE (doc_id, idx)
);
CREATE INDEX idx_facts_indicator ON facts(indicator, period);
CREATE INDEX idx_facts_period ON facts(period);

CREATE TABLE fact_countries (
    country       TEXT NOT NULL,
    doc_id        TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    fact_idx      INTEGER NOT NULL,
    PRIMARY KEY (country, doc_id, fact_idx)
) WITHOUT ROWID;
CREATE INDEX idx_fact_countries_doc ON fact_countries(doc_id);

CREATE TABLE relations (
    id            INTEGER PRIMARY KEY,
    doc_id        TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    countries     TEXT NOT NULL,
    level         TEXT NOT NULL,
    rung          INTEGER NOT NULL,
    start         INTEGER NOT NULL,
    "end"         INTEGER NOT NULL,
    since         TEXT,
    as_of         TEXT,
    sentence      INTEGER NOT NULL,
    confidence    REAL NOT NULL,
    provenance    TEXT NOT NULL,
    UNIQUE (doc_id, idx)
);

CREATE TABLE relation_countries (
    country       TEXT NOT NULL,
    doc_id        TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    relation_idx  INTEGER NOT NULL,
    PRIMARY KEY (country, doc_id, relation_idx)
) WITHOUT ROWID;
CREATE INDEX idx_relation_countries_doc ON relation_countries(doc_id);

CREATE TABLE projects (
    id            INTEGER PRIMARY KEY,
    doc_id        TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    project_id    TEXT NOT NULL,
    name          TEXT NOT NULL,
    start         INTEGER NOT NULL,
    "end"         INTEGER NOT NULL,
    countries     TEXT NOT NULL,
    sector        TEXT,
    mentions      TEXT NOT NULL,
    stated_countries TEXT NOT NULL,
    sentence      INTEGER NOT NULL,
    confidence    REAL NOT NULL,
    provenance    TEXT NOT NULL,
    UNIQUE (doc_id, idx)
);
CREATE INDEX idx_projects_project ON projects(project_id);

CREATE TABLE project_countries (
    country       TEXT NOT NULL,
    doc_id        TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    project_idx   INTEGER NOT NULL,
    PRIMARY KEY (country, doc_id, project_idx)
) WITHOUT ROWID;
CREATE INDEX idx_project_countries_doc ON project_countries(doc_id);

CREATE TABLE project_milestones (
    id            INTEGER PRIMARY KEY,
    doc_id        TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    project_idx   INTEGER NOT NULL,
    idx           INTEGER NOT NULL,
    status        TEXT NOT NULL,
    date          TEXT,
    start         INTEGER NOT NULL,
    "end"         INTEGER NOT NULL,
    UNIQUE (doc_id, project_idx, idx)
);

CREATE TABLE failures (
    id            INTEGER PRIMARY KEY,
    source        TEXT NOT NULL,
    line          INTEGER,
    stage         TEXT NOT NULL,
    reason        TEXT NOT NULL,
    run_id        TEXT,
    created       TEXT NOT NULL
);
-- The same failure recorded twice in one run is one row (NULLs would defeat a plain UNIQUE).
CREATE UNIQUE INDEX idx_failures_unique
    ON failures(source, COALESCE(line, -1), stage, reason, COALESCE(run_id, ''));
CREATE INDEX idx_failures_run ON failures(run_id);

CREATE TABLE runs (
    run_id        TEXT PRIMARY KEY,
    started       TEXT NOT NULL,
    finished      TEXT,
    counts        TEXT NOT NULL DEFAULT '{}',
    argv          TEXT NOT NULL DEFAULT '[]'
);
"""

# Version 2: indexes for a large store (1M events: benchmarks/README.md has the figures).
# The pair timeline reads only its covering index, never the table; the entity page finds
# an entity's documents, aliases, surface forms and roles in indexes that hold what it
# counts. Indexes that became a prefix of a new one are dropped: they only slowed writes.
_V2 = """
CREATE INDEX idx_clusters_timeline ON event_clusters(
    key_a, key_b, date_lo, date_width, plover, mode, negated, n_sources, goldstein);
DROP INDEX idx_clusters_pair;
CREATE INDEX idx_mentions_entity_text ON mentions(entity_id, text, role);
CREATE INDEX idx_mentions_entity_recent ON mentions(entity_id);
CREATE INDEX idx_document_entities_entity_doc ON document_entities(entity_id, doc_id);
DROP INDEX idx_document_entities_entity;
CREATE INDEX idx_document_entities_roles ON document_entities(entity_id, roles)
    WHERE roles != '[]';
CREATE INDEX idx_entity_aliases_entity_doc ON entity_aliases(entity_id, alias, doc_id);
DROP INDEX idx_entity_aliases_entity;
"""

# Version 3: the event list of one country (either side of the pair) reads each side's
# clusters newest first from an index and stops at the page, instead of collecting and
# sorting all of a busy country's clusters (85,000 of 572,000 in the 1M-event benchmark
# store: 140-220 ms to 5 ms for the page with its evidence). date_hi is in the index so that ``since`` is checked
# without reading the row. The key_b index is a prefix of its new one: dropped.
_V3 = """
CREATE INDEX idx_clusters_a_recent ON event_clusters(key_a, date_lo, date_hi);
CREATE INDEX idx_clusters_b_recent ON event_clusters(key_b, date_lo, date_hi);
DROP INDEX idx_clusters_key_b;
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3)
SCHEMA_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    """Return the schema version stored in the database (0 for a new database)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(
    conn: sqlite3.Connection, *, path: str, migrations: Sequence[str] = MIGRATIONS
) -> tuple[int, int]:
    """Apply every migration the database lacks, each in its own transaction.

    Returns ``(version_before, version_after)``. Raises SchemaTooNewError when the database
    is newer than ``migrations`` and StoreError when a migration fails (the database then
    stays at the last version that succeeded).
    """
    before = user_version(conn)
    check_not_too_new(before, path=path, known=len(migrations))
    for number in range(before + 1, len(migrations) + 1):
        _apply(conn, number, migrations[number - 1], path=path)
    return before, len(migrations)


def check_not_too_new(version: int, *, path: str, known: int) -> None:
    """Raise SchemaTooNewError when ``version`` is beyond the ``known`` migrations."""
    if version > known:
        raise SchemaTooNewError(
            f"{path} has schema version {version}, but this dyadwatch knows schema versions "
            f"up to {known}. Upgrade dyadwatch (pip install --upgrade dyadwatch) to open it."
        )


def _apply(conn: sqlite3.Connection, number: int, script: str, *, path: str) -> None:
    # executescript runs the script as written, so the BEGIN/COMMIT here make the schema
    # change and the version bump one atomic step.
    try:
        conn.executescript(
            f"BEGIN IMMEDIATE;\n{script}\n;PRAGMA user_version = {int(number)};\nCOMMIT;"
        )
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise StoreError(
            f"Migrating {path} to schema version {number} failed ({exc}); the database was "
            f"left at version {number - 1}. Restore a backup or report this as a bug."
        ) from exc
