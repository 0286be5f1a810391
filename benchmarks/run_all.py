"""Run every benchmark, write benchmarks/results.json and the results table of README.md.

Usage: python benchmarks/run_all.py [--quick] [--only throughput workers memory queries]

``--quick`` shrinks every size (for trying the scripts; its figures are not the ones to
report). ``--only`` runs some benchmarks and keeps the others' last results. Timings are
ratios measured within one run wherever a comparison is made, so that other work on the
machine weighs on both sides alike; the load average before and after each is recorded.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

if str(Path(__file__).resolve().parent) not in sys.path:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_memory  # noqa: E402
import bench_queries  # noqa: E402
import bench_throughput  # noqa: E402
from common import machine  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
README = HERE / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
FULL = {"docs": 240, "repeats": 3, "worker_docs": 416, "sizes": (100, 400),
        "events": 1_000_000, "documents": 200_000}
QUICK = {"docs": 48, "repeats": 1, "worker_docs": 64, "sizes": (20, 80), "events": 50_000,
         "documents": 10_000}
TARGETS = {"end_to_end": 0.8, "pipeline": 0.8, "speedup": 1.7, "timeline_ms": 200,
           "events_ms": 200, "search_ms": 300, "memory_ratio": 1.1}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _stamped(section: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    section["measured"] = {"date": before["date"], "load_before": before["load_average"][0],
                           "load_after": machine()["load_average"][0]}
    return section


def run(only: set[str], sizes: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """The chosen benchmarks, each stamped with its date and load; others kept as they were."""
    results = {**previous, "machine": machine(), "sizes": sizes}
    if "throughput" in only:
        log("== throughput and workers")
        before = machine()
        measured = bench_throughput.run(docs=sizes["docs"], repeats=sizes["repeats"],
                                        worker_docs=sizes["worker_docs"], log=log)
        results["throughput"] = _stamped(measured["throughput"], before)
        results["workers"] = _stamped(measured["workers"], machine())
    elif "workers" in only:
        log("== workers")
        before = machine()
        results["workers"] = _stamped(
            bench_throughput.run_workers(worker_docs=sizes["worker_docs"], log=log), before)
    if "memory" in only:
        log("== peak memory")
        before = machine()
        results["memory"] = _stamped(bench_memory.run(sizes=sizes["sizes"], log=log), before)
    if "queries" in only:
        log("== queries")
        before = machine()
        results["queries"] = _stamped(bench_queries.run(
            events=sizes["events"], documents=sizes["documents"], log=log), before)
    return results


def _when(section: dict[str, Any]) -> str:
    measured = section["measured"]
    return (f"measured {measured['date']}, load average {measured['load_before']} before and "
            f"{measured['load_after']} after")


def _met(value: float, target: float, *, below: bool = False) -> str:
    return "met" if (value < target if below else value >= target) else "**not met**"


def table(results: dict[str, Any]) -> str:
    """The Markdown the README shows between its result markers."""
    where = results["machine"]
    lines = [f"Machine: {where['cpu']}, {where['cores']} cores, {where['memory']} memory; "
             f"Python {where['python']}, commit {where['commit']}. Load averages are taken "
             "before and after each part (2 means both cores busy; the benchmark's own "
             "processes count: a run with 2 workers alone makes about 2).", ""]
    if "throughput" in results:
        lines += _throughput_rows(results["throughput"]) + [""]
        lines += _worker_rows(results["workers"]) + [""]
    if "memory" in results:
        lines += _memory_rows(results["memory"]) + [""]
    if "queries" in results:
        lines += _query_rows(results["queries"])
    return "\n".join(lines).rstrip() + "\n"


def _throughput_rows(measured: dict[str, Any]) -> list[str]:
    ratio = measured["ratio_to_bare"]
    rows = [f"**(a) Throughput** on {measured['documents']} documents "
            f"({measured['characters']:,} characters) in {measured['chunks']} chunks of "
            f"{measured['chunk']}, each run by every contender in turn, best of "
            f"{measured['repeats']} per chunk ({_when(measured)}):", "",
            "| | seconds | documents/s | sentences/s | ratio to bare spaCy | per-chunk ratio, quartiles | target |",
            "|---|---:|---:|---:|---:|---:|---|"]
    names = {"bare": "bare spaCy `nlp.pipe`", "pipeline": "pipeline (every stage, no store)",
             "end_to_end": "end to end (`ingest`: read, code, store)"}
    quartiles = measured.get("chunk_ratio_quartiles", {})
    for key, name in names.items():
        target = "" if key == "bare" else (
            f"≥ 0.8: {_met(ratio[key], TARGETS[key])}")
        spread = " / ".join(map(str, quartiles.get(key, [])))
        rows.append(f"| {name} | {measured['seconds'][key]} | "
                    f"{measured['documents_per_second'][key]} | "
                    f"{measured['sentences_per_second'][key]} | {ratio[key]} | {spread} | "
                    f"{target} |")
    stages = measured["stage_seconds"]
    total = sum(stages.values()) or 1
    rows += ["", "Time per stage (one pass): " + ", ".join(
        f"{name} {100 * seconds / total:.0f}%" for name, seconds in stages.items()) + "."]
    return rows


def _worker_rows(workers: dict[str, Any]) -> list[str]:
    rounds = workers.get("rounds", 1)
    rows = [f"**(b) Workers** (`dyadwatch ingest --workers N`, a fresh process each; steady "
            f"= within the run, after the first {workers['warm_up_documents']} documents; the "
            f"median of {rounds} rounds, round {workers.get('round_of_median', 1)}; "
            f"{_when(workers)}):", "",
            "| workers | wall s | first document s | documents/s (wall) | documents/s (steady) "
            "| cores used |",
            "|---:|---:|---:|---:|---:|---:|"]
    for count, run in workers["runs"].items():
        rows.append(f"| {count} | {run['wall_seconds']} | {run['first_document_seconds']} | "
                    f"{run['wall_documents_per_second']} | "
                    f"{run['steady_documents_per_second']} | {run['cores_used']} |")
    every = workers.get("speedups_steady", [workers["speedup_steady"]])
    rows += ["", f"Speedup of 2 workers: {workers['speedup_steady']}× steady "
             f"(target ≥ 1.7: {_met(workers['speedup_steady'], TARGETS['speedup'])}; every "
             f"round: {', '.join(f'{value}×' for value in every)}), "
             f"{workers['speedup_wall']}× wall time including worker start-up."]
    return rows


def _memory_rows(memory: dict[str, Any]) -> list[str]:
    rows = [f"**(c) Peak memory** of `ingest --workers {memory['workers']}` (RSS summed over "
            f"the process tree; {_when(memory)}):", "",
            "| documents | peak RSS MB | peak PSS MB | main process RSS MB | processes | seconds |",
            "|---:|---:|---:|---:|---:|---:|"]
    for size, run in memory["runs"].items():
        rows.append(f"| {size} | {run['peak_rss_mb']} | {run['peak_pss_mb']} | "
                    f"{run['peak_main_mb']} | {run['processes']} | {run['seconds']} |")
    ratio = memory["largest_over_smallest"]
    rows += ["", f"Largest corpus over smallest: {ratio}× (independent of size: "
             f"{_met(ratio, TARGETS['memory_ratio'], below=True)})."]
    return rows


def _query_rows(queries: dict[str, Any]) -> list[str]:
    store = queries["store"]
    rows = [f"**(d) Queries** on a synthetic store of {store['events']:,} events, "
            f"{store['event_clusters']:,} clusters, {store['documents']:,} documents, "
            f"{store['sentences']:,} sentences, {store['mentions']:,} mentions (built in "
            f"{store['seconds']} s); p50 / p95 ms over {queries['calls']} calls. Before: "
            f"schema version {queries['schema_before']} and the former queries; after: "
            f"version {queries['schema_after']} (migrating took {queries['migration_seconds']} s); "
            f"{_when(queries)}.",
            "", "| query | before p50 | before p95 | after p50 | after p95 | target |",
            "|---|---:|---:|---:|---:|---|"]
    for name, timing in queries["queries"].items():
        limit = _query_target(name)
        target = f"< {limit} ms: {_met(timing['after']['p95_ms'], limit, below=True)}" if limit else ""
        rows.append(f"| {name} | {timing['before']['p50_ms']} | {timing['before']['p95_ms']} | "
                    f"{timing['after']['p50_ms']} | {timing['after']['p95_ms']} | {target} |")
    return rows


def _query_target(name: str) -> int | None:
    for prefix, key in (("timeline", "timeline_ms"), ("events", "events_ms"),
                        ("search", "search_ms")):
        if name.startswith(prefix):
            return TARGETS[key]
    return None


def update_readme(markdown: str) -> None:
    """Replace what README.md holds between its result markers."""
    text = README.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{README} has no {START} ... {END} block to update")
    README.write_text(pattern.sub(lambda _: f"{START}\n{markdown}{END}", text), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to try the scripts")
    parser.add_argument("--only", nargs="+",
                        choices=["throughput", "workers", "memory", "queries"],
                        help="throughput includes workers; workers alone runs only (b)",
                        default=["throughput", "memory", "queries"])
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    previous = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    results = run(set(args.only), sizes, previous)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    update_readme(table(results))
    log(f"wrote {RESULTS} and the results in {README}")


if __name__ == "__main__":
    main()
