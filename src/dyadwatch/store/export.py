"""Export the store as flat files for analysis: one file per table, CSV, JSON Lines or Parquet.

Rows are streamed in batches, so an export never holds a whole table in memory. List values
(countries, aliases, stages) are ``|``-joined in CSV, JSON arrays in JSON Lines and list
columns in Parquet; structured values (extra, milestones) are JSON text in CSV and Parquet.
Documents are exported with their normalised text; the raw text and offset map stay in the
database, which remains the complete record.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .store import Store

__all__ = ["export", "EXPORT_FORMATS", "EXPORT_TABLES"]

EXPORT_FORMATS = ("csv", "jsonl", "parquet")
_BATCH = 5_000

# kind of each column: str | int | float | bool | list (of str) | json
_Columns = tuple[tuple[str, str], ...]
_TABLES: dict[str, tuple[str, _Columns]] = {
    "documents": (
        "SELECT d.doc_id, d.source, (SELECT json_group_array(s.source) FROM document_sources s"
        " WHERE s.doc_id = d.doc_id) AS sources, d.content_hash, d.title, d.published,"
        " d.published_time, d.outlet, d.author, d.url, d.dateline, d.language, d.kind,"
        " d.kind_reason, d.encoding, d.stages, d.problems, d.run_id, d.ingested_at, d.text"
        " FROM documents d ORDER BY d.rowid",
        (("doc_id", "str"), ("source", "str"), ("sources", "list"), ("content_hash", "str"),
         ("title", "str"), ("published", "str"), ("published_time", "str"), ("outlet", "str"),
         ("author", "str"), ("url", "str"), ("dateline", "str"), ("language", "str"),
         ("kind", "str"), ("kind_reason", "str"), ("encoding", "str"), ("stages", "list"),
         ("problems", "list"), ("run_id", "str"), ("ingested_at", "str"), ("text", "str")),
    ),
    "sentences": (
        'SELECT doc_id, idx, start, "end", label, text FROM sentences ORDER BY id',
        (("doc_id", "str"), ("idx", "int"), ("start", "int"), ("end", "int"),
         ("label", "str"), ("text", "str")),
    ),
    "mentions": (
        'SELECT doc_id, idx, start, "end", text, type, entity_id, country, sector, role,'
        " sentence, resolved_by, confidence, provenance FROM mentions ORDER BY id",
        (("doc_id", "str"), ("idx", "int"), ("start", "int"), ("end", "int"), ("text", "str"),
         ("type", "str"), ("entity_id", "str"), ("country", "str"), ("sector", "str"),
         ("role", "str"), ("sentence", "int"), ("resolved_by", "str"), ("confidence", "float"),
         ("provenance", "str")),
    ),
    "entities": (
        "SELECT e.id, e.name, e.type, e.country, e.sector, e.registry_id, e.wikidata,"
        " e.n_mentions, e.n_documents, (SELECT json_group_array(alias) FROM (SELECT DISTINCT"
        " a.alias FROM entity_aliases a WHERE a.entity_id = e.id ORDER BY a.alias)) AS aliases"
        " FROM entities e ORDER BY e.id",
        (("id", "str"), ("name", "str"), ("type", "str"), ("country", "str"),
         ("sector", "str"), ("registry_id", "str"), ("wikidata", "str"),
         ("n_mentions", "int"), ("n_documents", "int"), ("aliases", "list")),
    ),
    "events": (
        "SELECT e.id, e.doc_id, e.idx, e.cluster_id, e.plover, e.cameo, e.source_text,"
        " e.source_entity, e.source_country, e.source_sector, e.source_role, e.target_text,"
        " e.target_entity, e.target_country, e.target_sector, e.target_role, e.start, e.\"end\","
        " substr(d.text, e.start + 1, e.\"end\" - e.start) AS text, e.\"trigger\", e.mode,"
        " e.negated, e.date, e.date_precision, e.date_source, e.location, e.goldstein, e.quad,"
        " e.sentence, e.confidence, e.provenance, e.rule"
        " FROM events e JOIN documents d ON d.doc_id = e.doc_id ORDER BY e.id",
        (("id", "int"), ("doc_id", "str"), ("idx", "int"), ("cluster_id", "int"),
         ("plover", "str"), ("cameo", "str"), ("source_text", "str"), ("source_entity", "str"),
         ("source_country", "str"), ("source_sector", "str"), ("source_role", "str"),
         ("target_text", "str"), ("target_entity", "str"), ("target_country", "str"),
         ("target_sector", "str"), ("target_role", "str"), ("start", "int"), ("end", "int"),
         ("text", "str"), ("trigger", "str"), ("mode", "str"), ("negated", "bool"),
         ("date", "str"), ("date_precision", "str"), ("date_source", "str"),
         ("location", "str"), ("goldstein", "float"), ("quad", "int"), ("sentence", "int"),
         ("confidence", "float"), ("provenance", "str"), ("rule", "str")),
    ),
    "event_clusters": (
        "SELECT id, plover, cameo, mode, negated, key_a, key_b, source_key, target_key, date,"
        " date_precision, date_lo, date_hi, n_evidence, n_sources, n_outlets, goldstein"
        " FROM event_clusters ORDER BY id",
        (("id", "int"), ("plover", "str"), ("cameo", "str"), ("mode", "str"),
         ("negated", "bool"), ("key_a", "str"), ("key_b", "str"), ("source_key", "str"),
         ("target_key", "str"), ("date", "str"), ("date_precision", "str"), ("date_lo", "str"),
         ("date_hi", "str"), ("n_evidence", "int"), ("n_sources", "int"),
         ("n_outlets", "int"), ("goldstein", "float")),
    ),
    "facts": (
        "SELECT f.id, f.doc_id, f.idx, f.indicator, f.value, f.unit, f.countries, f.period,"
        " f.currency, f.original, f.change_pct, f.change_basis, f.qualifier, f.attributed_to,"
        " f.extra, f.start, f.\"end\", f.sentence, f.confidence, f.provenance"
        " FROM facts f ORDER BY f.id",
        (("id", "int"), ("doc_id", "str"), ("idx", "int"), ("indicator", "str"),
         ("value", "float"), ("unit", "str"), ("countries", "list"), ("period", "str"),
         ("currency", "str"), ("original", "str"), ("change_pct", "float"),
         ("change_basis", "str"), ("qualifier", "str"), ("attributed_to", "str"),
         ("extra", "json"), ("start", "int"), ("end", "int"), ("sentence", "int"),
         ("confidence", "float"), ("provenance", "str")),
    ),
    "relations": (
        "SELECT r.id, r.doc_id, r.idx, r.countries, r.level, r.rung, r.since, r.as_of,"
        " r.start, r.\"end\", substr(d.text, r.start + 1, r.\"end\" - r.start) AS text,"
        " r.sentence, r.confidence, r.provenance"
        " FROM relations r JOIN documents d ON d.doc_id = r.doc_id ORDER BY r.id",
        (("id", "int"), ("doc_id", "str"), ("idx", "int"), ("countries", "list"),
         ("level", "str"), ("rung", "int"), ("since", "str"), ("as_of", "str"),
         ("start", "int"), ("end", "int"), ("text", "str"), ("sentence", "int"),
         ("confidence", "float"), ("provenance", "str")),
    ),
    "projects": (
        "SELECT p.id, p.doc_id, p.idx, p.project_id, p.name, p.countries, p.sector, p.mentions,"
        " p.stated_countries, (SELECT json_group_array(json_object('status', m.status, 'date',"
        " m.date, 'start', m.start, 'end', m.\"end\")) FROM (SELECT * FROM project_milestones m"
        " WHERE m.doc_id = p.doc_id AND m.project_idx = p.idx ORDER BY m.idx) m) AS milestones,"
        " p.start, p.\"end\", p.sentence, p.confidence, p.provenance FROM projects p ORDER BY p.id",
        (("id", "int"), ("doc_id", "str"), ("idx", "int"), ("project_id", "str"),
         ("name", "str"), ("countries", "list"), ("sector", "str"), ("mentions", "list"),
         ("stated_countries", "list"), ("milestones", "json"), ("start", "int"),
         ("end", "int"), ("sentence", "int"), ("confidence", "float"), ("provenance", "str")),
    ),
    "failures": (
        "SELECT id, source, line, stage, reason, run_id, created FROM failures ORDER BY id",
        (("id", "int"), ("source", "str"), ("line", "int"), ("stage", "str"),
         ("reason", "str"), ("run_id", "str"), ("created", "str")),
    ),
}
EXPORT_TABLES: tuple[str, ...] = tuple(_TABLES)


def export(store: Store, *, fmt: str, out_dir: str | Path) -> list[Path]:
    """Write every table of ``store`` to ``out_dir`` as ``<table>.<fmt>``; return the paths.

    Raises UsageError for an unknown format or an output directory that cannot be made.
    """
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"Unknown export format {fmt!r}. Choose one of {list(EXPORT_FORMATS)}.")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"Cannot create the export directory {out} ({exc}). Choose another --out directory."
        ) from exc
    writer = {"csv": _write_csv, "jsonl": _write_jsonl, "parquet": _write_parquet}[fmt]
    _refuse_links(out, fmt)
    paths = []
    for table, (sql, columns) in _TABLES.items():
        path = out / f"{table}.{fmt}"
        writer(path, columns, _batches(store, sql, columns))
        paths.append(path)
    return paths


def _refuse_links(out: Path, fmt: str) -> None:
    # A link planted where a table file goes would have the export overwrite whatever it
    # points to (a file outside --out); checked for every table before anything is written.
    for table in _TABLES:
        path = out / f"{table}.{fmt}"
        if path.is_symlink():
            raise UsageError(
                f"{path} is a symbolic link (to {path.readlink()}); the export will not write "
                "through it. Remove the link or choose another --out directory."
            )


def _batches(store: Store, sql: str, columns: _Columns) -> Iterator[list[dict[str, Any]]]:
    """Rows of ``sql`` as dicts with list/json/bool columns decoded, ``_BATCH`` at a time."""
    cursor = store.connection().execute(sql)
    names = [name for name, _ in columns]
    kinds = dict(columns)
    while batch := cursor.fetchmany(_BATCH):
        yield [
            {name: _decode(kinds[name], value) for name, value in zip(names, row, strict=True)}
            for row in batch
        ]


def _decode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind in ("list", "json"):
        return json.loads(value)
    if kind == "bool":
        return bool(value)
    return value


def _csv_cell(kind: str, value: Any) -> Any:
    if value is None:
        return ""
    if kind == "list":
        return "|".join(str(item) for item in value)
    if kind == "json":
        return json.dumps(value, ensure_ascii=False)
    if kind == "bool":
        return "true" if value else "false"
    return value


def _write_csv(path: Path, columns: _Columns, batches: Iterator[list[dict[str, Any]]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([name for name, _ in columns])
        for batch in batches:
            writer.writerows(
                [_csv_cell(kind, row[name]) for name, kind in columns] for row in batch
            )


def _write_jsonl(path: Path, columns: _Columns, batches: Iterator[list[dict[str, Any]]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for batch in batches:
            for row in batch:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _write_parquet(
    path: Path, columns: _Columns, batches: Iterator[list[dict[str, Any]]]
) -> None:
    import pyarrow as pa  # heavy: imported only when Parquet is asked for
    import pyarrow.parquet as pq

    types = {
        "str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
        "list": pa.list_(pa.string()), "json": pa.string(),
    }
    schema = pa.schema([(name, types[kind]) for name, kind in columns])
    with pq.ParquetWriter(path, schema) as writer:
        for batch in batches:
            arrays = {
                name: [_parquet_value(kind, row[name]) for row in batch] for name, kind in columns
            }
            writer.write_table(pa.Table.from_pydict(arrays, schema=schema))


def _parquet_value(kind: str, value: Any) -> Any:
    if kind == "json" and value is not None:
        return json.dumps(value, ensure_ascii=False)
    return value
