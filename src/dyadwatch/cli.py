"""The ``dyadwatch`` command: a thin shell over dyadwatch.api and dyadwatch.store.

Exit status: 0 when everything went in, 1 when some inputs failed (each reported), 2 on
usage errors (bad flags, missing paths, a database that cannot be opened).
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .errors import DyadwatchError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="News about international relations in; a provenance-backed record out.")
registry_app = typer.Typer(help="Inspect and check actor registry files.", no_args_is_help=True)
app.add_typer(registry_app, name="registry")

console = Console(stderr=True)
out = Console(soft_wrap=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


DbOption = Annotated[Path | None, typer.Option("--db", help="SQLite file (default: $DYADWATCH_DB, then ./dyadwatch.db).")]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
LimitOption = Annotated[int, typer.Option("--limit", min=1, max=100_000, help="Rows at most.")]


def db_path(db: Path | None) -> Path:
    """--db, else $DYADWATCH_DB, else ./dyadwatch.db."""
    return Path(db or os.environ.get("DYADWATCH_DB") or "dyadwatch.db")


def fail(message: str, code: int = 2) -> None:
    """Print one clear sentence and exit with ``code``."""
    from rich.markup import escape  # messages hold brackets: pip install 'dyadwatch[spark]'

    console.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)


def open_readonly(db: Path | None) -> Any:
    from .store import Store

    path = db_path(db)
    if not path.exists():
        fail(f"no database at {path}: run `dyadwatch ingest PATH --db {path}` first, "
             "or pass --db FILE.")
    try:
        return Store(path, readonly=True)
    except DyadwatchError as exc:
        fail(str(exc))


def emit(rows: list[dict[str, Any]], fmt: Format, *, columns: list[str] | None = None,
         title: str | None = None) -> None:
    """Print rows as a table, JSON lines or CSV."""
    if fmt is Format.json:
        for row in rows:
            out.print(json.dumps(row, ensure_ascii=False, default=str), markup=False,
                      highlight=False)
        return
    columns = columns or (list(rows[0].keys()) if rows else [])
    if fmt is Format.csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(row.get(k)) for k in columns})
        sys.stdout.write(buffer.getvalue())
        return
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    out.print(table)
    if not rows:
        console.print("(no rows)")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


# --- ingest ------------------------------------------------------------------------------


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, http(s) URLs, feed files (.urls, .feed: one URL a line), or - for JSONL on stdin.")],
    db: DbOption = None,
    registry: Annotated[list[Path], typer.Option("--registry", help="Extra registry file(s).")] = [],  # noqa: B006
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, max=256, help="Processes running the pipeline (1: this one). Stored sources are skipped, so a rerun resumes.")] = 1,
    allow_private: Annotated[bool, typer.Option("--allow-private", help="Let URLs reach private, loopback and link-local addresses (refused by default).")] = False,
) -> None:
    """Read articles, run the pipeline and store the record; failures are listed, not fatal."""
    from . import api
    from .readers.url import is_url
    from .registry import load_registry
    from .runners.local import PipelineSpec

    missing = [p for p in paths if p != "-" and not is_url(p) and not Path(p).exists()]
    if missing and len(missing) == len(paths):
        fail(f"no such file or directory: {', '.join(missing)}")
    try:
        if workers > 1:  # the workers build it; here the registry files are only checked
            load_registry(tuple(str(path) for path in registry))
            pipeline: Any = PipelineSpec(registry_files=tuple(str(path) for path in registry))
        else:
            pipeline = api.build_pipeline(registry_files=registry)
    except DyadwatchError as exc:
        fail(str(exc))
    progress = Progress(TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                        console=console, disable=quiet, transient=True)
    with progress:
        task = progress.add_task("ingest", total=None, rate="")

        def tick(_result: Any, _outcome: str) -> None:
            progress.advance(task)
            elapsed = progress.tasks[0].elapsed or 0
            done = progress.tasks[0].completed
            if elapsed > 0:
                progress.update(task, rate=f"{done / elapsed:.1f} docs/s")

        try:
            report = api.ingest(paths, db_path=db_path(db), stdin=sys.stdin.buffer,
                                pipeline=pipeline, on_result=tick, workers=workers,
                                allow_private=allow_private)
        except DyadwatchError as exc:
            fail(str(exc))
    _summary(report)
    raise typer.Exit(0 if report.ok else 1)


def _summary(report: Any) -> None:
    from .store import Store

    counts = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items())) or "nothing read"
    console.print(f"[bold]ingest[/] run {report.run_id} into {report.db_path}: {counts}")
    for failure in report.failures:
        console.print(f"  [red]failed[/] {failure}")
    store = Store(report.db_path, readonly=True)
    try:
        totals = store.counts()
    finally:
        store.close()
    console.print("  store now holds: " + ", ".join(f"{k} {v}" for k, v in totals.items()))


# --- listings ------------------------------------------------------------------------------


@app.command()
def documents(db: DbOption = None, fmt: FormatOption = Format.table, limit: LimitOption = 100,
              offset: int = 0) -> None:
    """List stored documents with their metadata."""
    store = open_readonly(db)
    rows = store.documents(limit=limit, offset=offset)
    emit(rows, fmt, columns=["doc_id", "published", "outlet", "kind", "title", "source"]
         if fmt is Format.table else None)


@app.command()
def show(doc_id: str, db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """One document: its text with entities, events and boilerplate marked."""
    from .store import NotFound

    store = open_readonly(db)
    try:
        document = store.load(doc_id)
    except (NotFound, KeyError):
        fail(f"no document {doc_id!r} in {db_path(db)}; `dyadwatch documents` lists the ids.")
    if fmt is Format.json:
        out.print(json.dumps(document.to_dict(), ensure_ascii=False, default=str),
                  markup=False, highlight=False)
        return
    from .render import render_document

    out.print(render_document(document))


@app.command()
def entities(db: DbOption = None, fmt: FormatOption = Format.table, limit: LimitOption = 100,
             type: Annotated[str | None, typer.Option("--type")] = None,
             country: Annotated[str | None, typer.Option("--country")] = None) -> None:
    """Entities across documents, with their mentions and documents."""
    store = open_readonly(db)
    emit(store.entities(type=type, country=country, limit=limit), fmt)


@app.command()
def entity(name: str, db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """One entity: aliases seen, roles, documents, and the evidence for each merge."""
    from .store import NotFound

    store = open_readonly(db)
    try:
        row = store.entity(name)
    except (NotFound, KeyError):
        fail(f"no entity {name!r}; `dyadwatch entities` lists them.")
    if fmt is Format.json:
        out.print(json.dumps(row, ensure_ascii=False, default=str), markup=False, highlight=False)
        return
    for key, value in row.items():
        out.print(f"[bold]{key}[/]: {_cell(value)}")


@app.command()
def events(
    db: DbOption = None, fmt: FormatOption = Format.table, limit: LimitOption = 100,
    between: Annotated[tuple[str, str] | None, typer.Option("--between", help="Two country codes.")] = None,
    type: Annotated[str | None, typer.Option("--type", help="PLOVER type.")] = None,
    since: Annotated[str | None, typer.Option("--since")] = None,
    until: Annotated[str | None, typer.Option("--until")] = None,
    min_sources: Annotated[int, typer.Option("--min-sources")] = 1,
) -> None:
    """Events, one row per event (coreferent reports merged), with their evidence."""
    store = open_readonly(db)
    rows = store.events(between=tuple(c.upper() for c in between) if between else None,
                        type=type.upper() if type else None, since=since, until=until,
                        min_sources=min_sources, limit=limit)
    if fmt is not Format.table:
        emit(rows, fmt)
        return
    for row in rows:  # one line of evidence per event in the table; all of it in json/csv
        first = (row.get("evidence") or [{}])[0]
        row["actors"] = f"{first.get('source_text', '?')} -> {first.get('target_text') or '-'}"
        row["evidence_text"] = (first.get("text") or "")[:160]
    emit(rows, fmt, columns=["date", "plover", "cameo", "source", "target", "mode",
                             "n_sources", "actors", "evidence_text"])


@app.command()
def timeline(a: str, b: str, db: DbOption = None, fmt: FormatOption = Format.table,
             by: Annotated[str, typer.Option("--by", help="month or year")] = "month") -> None:
    """Events per period between two countries, with the Goldstein sum and mean."""
    if by not in ("month", "year"):
        fail("--by takes month or year")
    store = open_readonly(db)
    rows = store.timeline(a.upper(), b.upper(), by=by)
    if fmt is Format.table:
        for row in rows:
            row["counts"] = ", ".join(f"{t} {n}" for t, n in row["counts"].items() if n)
            row["goldstein_mean"] = round(row["goldstein_mean"] or 0.0, 2)
            row["goldstein_sum"] = round(row["goldstein_sum"] or 0.0, 2)
    emit(rows, fmt)


@app.command()
def facts(db: DbOption = None, fmt: FormatOption = Format.table, limit: LimitOption = 100,
          indicator: Annotated[str | None, typer.Option("--indicator")] = None,
          country: Annotated[str | None, typer.Option("--country")] = None) -> None:
    """Figures (trade, investment, loans, aid…) with period, change and source."""
    store = open_readonly(db)
    rows = store.facts(indicator=indicator, country=country.upper() if country else None,
                       limit=limit)
    columns = ["period", "indicator", "countries", "value", "unit", "change_pct", "qualifier",
               "attributed_to", "original", "outlet"] if fmt is Format.table else None
    emit(rows, fmt, columns=columns)


@app.command()
def relations(a: Annotated[str | None, typer.Argument()] = None,
              b: Annotated[str | None, typer.Argument()] = None,
              db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """The partnership ladder of a pair over time (all pairs without arguments)."""
    store = open_readonly(db)
    rows = store.relations(a.upper() if a else None, b.upper() if b else None)
    columns = ["date", "countries", "level", "rung", "since", "as_of", "outlet", "text"] \
        if fmt is Format.table else None
    emit(rows, fmt, columns=columns)


@app.command()
def projects(db: DbOption = None, fmt: FormatOption = Format.table,
             country: Annotated[str | None, typer.Option("--country")] = None) -> None:
    """Named projects with their countries and milestones."""
    store = open_readonly(db)
    emit(store.projects(country=country.upper() if country else None), fmt)


@app.command()
def conflicts(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Where sources disagree: figures, event dates, partnership levels, project countries."""
    from .conflicts import conflicts_from_store

    store = open_readonly(db)
    rows = conflicts_from_store(store)
    if fmt is Format.table:
        for row in rows:
            row["evidence"] = " | ".join(f"{i.get('source')}: {i.get('evidence')}"
                                         for i in row.get("items", []))
        emit(rows, fmt, columns=["kind", "key", "note", "evidence"])
        return
    emit(rows, fmt)


@app.command()
def search(query: str, db: DbOption = None, fmt: FormatOption = Format.table,
           limit: LimitOption = 20) -> None:
    """Full-text search over sentences."""
    store = open_readonly(db)
    columns = ["published", "outlet", "doc_id", "sentence", "text"] if fmt is Format.table else None
    emit(store.search(query, limit=limit), fmt, columns=columns)


@app.command()
def failures(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Inputs that could not be processed, with the reason."""
    store = open_readonly(db)
    emit(store.failures(), fmt)


@app.command()
def export(out_dir: Annotated[Path, typer.Option("--out")],
           fmt: Annotated[str, typer.Option("--format")] = "jsonl", db: DbOption = None) -> None:
    """Export every table as csv, jsonl or parquet files."""
    from .store import export as export_tables

    if fmt not in ("csv", "jsonl", "parquet"):
        fail(f"--format must be csv, jsonl or parquet, not {fmt!r}")
    store = open_readonly(db)
    for path in export_tables(store, fmt=fmt, out_dir=out_dir):
        console.print(f"wrote {path}")


# --- code and eval ------------------------------------------------------------------------------


@app.command()
def code(
    text: Annotated[str | None, typer.Argument(help="Text to code; omit with --jsonl.")] = None,
    jsonl: Annotated[Path | None, typer.Option("--jsonl", help='JSON lines {"text":…, "date":…}; - for stdin.')] = None,
    date: Annotated[str | None, typer.Option("--date", help="Publication date YYYY-MM-DD.")] = None,
) -> None:
    """Run the pipeline on a text without storing; print one JSON line per input."""
    from . import api
    from .render import coded_json

    if (text is None) == (jsonl is None):
        fail("give a TEXT or --jsonl FILE (one of them)")
    if date is not None:
        _check_date(date)
    if text is not None:
        out.print(json.dumps(coded_json(api.code_text(text, date=date)), ensure_ascii=False),
                  markup=False, highlight=False, soft_wrap=True)
        return
    handle = sys.stdin if str(jsonl) == "-" else _open_text(jsonl)
    bad = 0
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            doc = api.code_text(str(item["text"]), date=item.get("date") or date)
            record = coded_json(doc)
        except (ValueError, KeyError, TypeError) as exc:
            bad += 1
            record = {"line": number, "error": f"{jsonl}:{number}: {exc!r}"}
        out.print(json.dumps(record, ensure_ascii=False), markup=False, highlight=False,
                  soft_wrap=True)
    raise typer.Exit(1 if bad else 0)


def _check_date(value: str) -> None:
    from datetime import date as date_type

    try:
        date_type.fromisoformat(value)
    except ValueError:
        fail(f"--date {value!r} is not a date: use YYYY-MM-DD")


def _open_text(path: Path | None) -> Any:
    if path is None or not path.exists():
        fail(f"no such file: {path}")
    return path.open(encoding="utf-8")


@app.command("eval")
def evaluate(
    gold: Annotated[Path, typer.Argument(help="A *.gold.json file, or a sentence set such as plover_gsr.json.")],
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Folder of the gold's articles.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    details: Annotated[bool, typer.Option("--details", help="Show matched, missed and false items.")] = False,
) -> None:
    """Score the system against gold (a corpus gold file, or a coded sentence set)."""
    from . import api
    from .evaluate import code_with_pipeline, run_eval, score_gsr

    if not gold.exists():
        fail(f"no gold file at {gold}")
    data = json.loads(gold.read_text(encoding="utf-8"))
    if isinstance(data, list):
        results = score_gsr(data, code_with_pipeline)
    else:
        if corpus is None or not corpus.is_dir():
            fail("a corpus gold file needs --corpus DIR (the folder of its articles)")
        with tempfile.TemporaryDirectory(prefix="dyadwatch-eval-") as tmp:
            results = run_eval(gold, corpus,
                               process=lambda paths: api.process_files(paths, db_path=Path(tmp) / "eval.db"))
    if not details:
        results.pop("details", None)
    if as_json:
        out.print(json.dumps(results, ensure_ascii=False, default=str), markup=False,
                  highlight=False, soft_wrap=True)
        return
    from .render import eval_table

    out.print(eval_table(results))


# --- registry ------------------------------------------------------------------------------------


@registry_app.command("check")
def registry_check(path: Path) -> None:
    """Validate a registry file: duplicate ids, unknown codes, overlapping terms, bad dates."""
    from .registry import check_registry_file

    if not path.exists():
        fail(f"no such file: {path}")
    problems = check_registry_file(path)
    for problem in problems:
        console.print(f"[red]{problem}[/]")
    if problems:
        raise typer.Exit(1)
    console.print(f"{path}: ok")


# --- serve ---------------------------------------------------------------------------------------


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to bind; 127.0.0.1 keeps it on this machine.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Run the analyst's workbench (web UI and JSON API) over the store, read-only."""
    try:
        from .web import serve as serve_app
    except ImportError as exc:
        fail(f"the web server needs the web extra ({exc.name} is missing): "
             "pip install 'dyadwatch[web]'")
    path = db_path(db)
    if not path.exists():
        fail(f"no database at {path}: run `dyadwatch ingest PATH --db {path}` first, "
             "or pass --db FILE.")
    console.print(f"[bold]dyadwatch[/] workbench on http://{host}:{port}/ over {path} "
                  "(read-only; Ctrl+C stops it)")
    try:
        serve_app(path, host=host, port=port)
    except DyadwatchError as exc:
        fail(str(exc))


# --- scale: Spark and Parquet ----------------------------------------------------------------


@app.command("spark-ingest")
def spark_ingest(
    paths: Annotated[list[str], typer.Argument(help="Files and folders (large JSONL files are split among tasks).")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the Parquet tables.")],
    master: Annotated[str | None, typer.Option("--master", help="Spark master URL (default: spark-submit's, else local[*]).")] = None,
    conf: Annotated[list[str], typer.Option("--conf", help="Spark setting KEY=VALUE (repeatable).")] = [],  # noqa: B006
    registry: Annotated[list[Path], typer.Option("--registry", help="Extra registry file(s).")] = [],  # noqa: B006
    partition_size: Annotated[int, typer.Option("--partition-size", min=1, help="Files (or JSONL pieces) per Spark task.")] = 32,
    chunk_mb: Annotated[int, typer.Option("--chunk-mb", min=1, help="Split JSONL files larger than this many MB.")] = 32,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an earlier spark-ingest output in --out.")] = False,
) -> None:
    """Run the pipeline on Spark; write Parquet tables partitioned by publication month."""
    from .readers.url import is_url
    from .runners import PipelineSpec
    from .runners.spark import spark_ingest as run_spark

    if all(p != "-" and not is_url(p) and not Path(p).exists() for p in paths):
        fail(f"no such file or directory: {', '.join(paths)}")
    settings = dict(item.partition("=")[::2] for item in conf)
    if any(not key or not value for key, value in settings.items()):
        fail(f"--conf takes KEY=VALUE, e.g. spark.executor.memory=4g; got {conf}")
    missing = [str(path) for path in registry if not path.is_file()]
    if missing:
        fail(f"no such registry file: {', '.join(missing)}")
    spec = PipelineSpec(registry_files=tuple(str(path.resolve()) for path in registry))
    try:
        report = run_spark(paths, out=out, master=master, config=settings, pipeline=spec,
                           partition_size=partition_size, chunk_bytes=chunk_mb << 20,
                           overwrite=overwrite)
    except DyadwatchError as exc:
        fail(str(exc))
    console.print(f"[bold]spark-ingest[/] {report.units} input(s) in {report.partitions} task(s) "
                  f"into {report.out}: documents {report.documents}, failed {report.failures}")
    console.print(f"  load it with: dyadwatch load {report.out} --db FILE")
    raise typer.Exit(0 if not report.failures else 1)


@app.command()
def load(
    parquet_dir: Annotated[Path, typer.Argument(help="The --out directory of a spark-ingest run.")],
    db: DbOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Write the Parquet output of spark-ingest into the store, in input order."""
    from .runners.parquet import load as load_parquet

    progress = Progress(TextColumn("[bold]load"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, disable=quiet, transient=True)
    with progress:
        task = progress.add_task("load", total=None)
        try:
            report = load_parquet(parquet_dir, db_path=db_path(db),
                                  on_result=lambda *_: progress.advance(task))
        except DyadwatchError as exc:
            fail(str(exc))
    _summary(report)
    raise typer.Exit(0 if report.ok else 1)


def main() -> None:
    """Entry point of the ``dyadwatch`` script."""
    try:
        app()
    except DyadwatchError as exc:
        console.print(f"[bold red]error:[/] {exc}")
        sys.exit(2)
