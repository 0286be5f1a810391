"""Peak memory of ``dyadwatch ingest --workers 2`` for two corpus sizes.

The command runs in a child process; every 50 ms the resident memory (RSS) of it and of
all its descendants (the forkserver and the workers) is added up, from /proc, and the
highest sum is kept. Summed RSS counts pages the processes share (Python, libraries) once
per process; the proportional set size (PSS), which splits them, is reported beside it. Streaming means the peak depends on the model and the batches in
flight, not on how many documents the input holds: the two sizes should give about the
same peak. Linux only (it reads /proc).

Usage: python benchmarks/bench_memory.py [--sizes 100 400] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if str(Path(__file__).resolve().parent) not in sys.path:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import build_corpus  # noqa: E402

_PAGE = os.sysconf("SC_PAGE_SIZE")


_TICK = os.sysconf("SC_CLK_TCK")


def _stats() -> dict[int, tuple[int, float]]:
    """Parent pid and CPU seconds used so far (user + system) of every process."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rpartition(")")[2].split()
            found[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK)
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def tree(root: int) -> dict[int, float]:
    """``root`` and its descendants, each with the CPU seconds it has used so far."""
    stats = _stats()
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _) in stats.items() if ppid == parent]
        found.update(children)
        frontier += children
    return {pid: stats[pid][1] for pid in found if pid in stats}


def watch(argv: list[str], *, every: float = 0.05, memory: bool = True) -> dict[str, Any]:
    """Run ``argv``; its exit code, seconds, peak tree RSS and PSS (MB), peak RSS of the
    main process, most processes seen, and CPU seconds the tree used (``cores_used`` is
    that over the wall time: how much of the machine the run actually got).

    Watching costs CPU (reading /proc every ``every`` seconds; PSS walks each process's
    memory map): a run that needs every core loses what the watcher takes. For timing,
    watch with ``memory=False`` (no RSS or PSS) and a longer ``every``; the CPU seconds of
    the last interval of each process are then missed (under 1% of a 20 s run at 0.25 s).
    """
    began = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = peak_pss = processes = main = 0
    cpu: dict[int, float] = {}
    while process.poll() is None:
        members = tree(process.pid)
        for pid, seconds in members.items():
            cpu[pid] = max(cpu.get(pid, 0.0), seconds)
        if memory:
            peak = max(peak, sum(_rss(pid) for pid in members))
            peak_pss = max(peak_pss, sum(_pss(pid) for pid in members))
            main = max(main, _rss(process.pid))
        processes = max(processes, len(members))
        time.sleep(every)
    seconds = time.perf_counter() - began
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    return {"exit_code": process.returncode, "seconds": round(seconds, 1),
            "peak_rss_mb": round(peak / 2**20), "peak_pss_mb": round(peak_pss / 2**20),
            "peak_main_mb": round(main / 2**20), "processes": processes,
            "cpu_seconds": round(sum(cpu.values()), 1),
            "cores_used": round(sum(cpu.values()) / seconds, 2),
            "stderr_tail": stderr.strip().splitlines()[-3:]}


def ingest_argv(corpus: Path, database: Path, workers: int) -> list[str]:
    """The ``dyadwatch ingest`` command line of this environment."""
    script = Path(sys.executable).with_name("dyadwatch")
    return [str(script), "ingest", str(corpus), "--db", str(database),
            "--workers", str(workers), "--quiet"]


def run(*, sizes: tuple[int, ...] = (100, 400), workers: int = 2,
        log: Callable[[str], None] = print) -> dict[str, Any]:
    """Peak tree RSS of ingest for each corpus size."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="dyadwatch-bench-") as directory:
        folder = Path(directory)
        for size in sizes:
            corpus = build_corpus(size, folder)
            results[str(size)] = watch(ingest_argv(corpus, folder / f"m{size}.db", workers))
            log(f"  {size} documents: {results[str(size)]}")
    smallest, largest = results[str(min(sizes))], results[str(max(sizes))]
    return {"workers": workers, "runs": results,
            "largest_over_smallest": round(largest["peak_rss_mb"]
                                           / max(1, smallest["peak_rss_mb"]), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 400])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps(run(sizes=tuple(args.sizes), workers=args.workers), indent=2))


if __name__ == "__main__":
    main()
