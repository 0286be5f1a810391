#!/usr/bin/env python3
"""Load: the workbench answering local clients while an ingest writes to the same database.

    .venv/bin/python scripts/load_test.py --clients 8 --max-requests 20000 --out load.json

Ingests a first corpus, starts ``dyadwatch serve`` on 127.0.0.1 (a free port), then starts
a second ingest into the same database and, from its first write until it ends, has
``--clients`` threads on this machine ask for a mix of API routes and pages over keep-alive
connections (at most ``--max-requests`` requests, at most ``--max-seconds`` seconds). Every
answer must be a 200 (no server error, no refused connection), no answer and no log line
of the server or the ingest may say "database is locked", and the ingest must store every
article. Prints p50/p90/p99 latencies and writes the figures as JSON to ``--out``; exits 1
when a check fails. Nothing leaves the loopback interface.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crash_test import DYADWATCH, make_corpus, stored_sources  # noqa: E402

HOST = "127.0.0.1"  # loopback only: the test never sends traffic anywhere else
LOCKED = "database is locked"


@dataclass
class Sample:
    """One request: what was asked, how it ended and how long it took."""

    path: str
    status: int  # 0 when the request failed without an answer
    seconds: float
    problem: str = ""


@dataclass
class Load:
    """The shared state of the client threads."""

    paths: list[str]
    max_requests: int
    deadline: float
    stop: threading.Event = field(default_factory=threading.Event)
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        """True while another request may be sent."""
        with self.lock:
            return (not self.stop.is_set() and len(self.samples) < self.max_requests
                    and time.monotonic() < self.deadline)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def get(connection: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    connection.request("GET", path, headers={"Accept": "application/json"
                                             if path.startswith("/api") else "text/html"})
    response = connection.getresponse()
    return response.status, response.read()


def client(load: Load, port: int, seed: int) -> None:
    """One client: requests from the mix, one after another, on a keep-alive connection."""
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        while load.take():
            path = rng.choice(load.paths)
            started = time.perf_counter()
            try:
                status, body = get(connection, path)
                problem = LOCKED if LOCKED.encode() in body else ""
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
                status, problem = 0, repr(exc)
            load.add(Sample(path, status, time.perf_counter() - started, problem))
    finally:
        connection.close()


def start_server(db: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """``dyadwatch serve`` on 127.0.0.1:port, answering once /api/stats does."""
    server = subprocess.Popen([str(DYADWATCH), "serve", "--db", str(db), "--host", HOST,
                               "--port", str(port)], stdout=log.open("wb"),
                              stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped: {log.read_text(errors='replace')[-2000:]}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            if get(connection, "/api/stats")[0] == 200:
                connection.close()
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not answer within 60 s")


def request_mix(port: int) -> list[str]:
    """API routes and pages, with ids read from the running server."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        _, body = get(connection, "/api/documents?limit=20")
        doc_ids = [row["doc_id"] for row in json.loads(body)["items"]]
        _, body = get(connection, "/api/entities?limit=10")
        entity_ids = [row["id"] for row in json.loads(body)["items"]]
    finally:
        connection.close()
    paths = ["/api/stats", "/api/documents?limit=20", "/api/events?limit=20",
             "/api/events?a=KAZ&b=CHN", "/api/entities?limit=20", "/api/pairs",
             "/api/timeline?a=KAZ&b=CHN", "/api/facts?limit=20", "/api/search?q=agreement",
             "/api/search?q=trade%20ministers", "/api/failures", "/", "/documents",
             "/entities", "/search?q=officials", "/pair/KAZ/CHN"]
    paths += [f"/api/documents/{doc}" for doc in doc_ids[:5]]
    paths += [f"/doc/{doc}" for doc in doc_ids[:5]]
    paths += [f"/api/entities/{entity}" for entity in entity_ids[:5]]
    return paths


_ID_ROUTES = ("/api/documents/", "/api/entities/", "/doc/", "/pair/")


def route_of(path: str) -> str:
    """The route a path belongs to, ids left out: /doc/{id}, not /doc/4f2a…"""
    route = path.split("?")[0]
    for prefix in _ID_ROUTES:
        if route.startswith(prefix):
            return prefix + "{id}"
    return route


def warm_up(paths: list[str], port: int) -> None:
    """Ask for every path once, so that the figures measure a running server, not its
    first-request set-up."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        for path in paths:
            get(connection, path)
    finally:
        connection.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    # Nearest rank: the smallest value with at least ``share`` of the values at or below it.
    index = min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))
    return ordered[index]


def figures(samples: list[Sample], seconds: float) -> dict[str, Any]:
    """Latency percentiles (milliseconds), throughput and outcomes of the samples."""
    latencies = [s.seconds * 1000 for s in samples]
    by_route: dict[str, list[float]] = {}
    for sample in samples:
        by_route.setdefault(route_of(sample.path), []).append(sample.seconds * 1000)
    return {
        "requests": len(samples), "seconds": round(seconds, 2),
        "requests_per_s": round(len(samples) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p90_ms": round(percentile(latencies, 0.90), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies, default=0.0), 1),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else 0.0,
        "statuses": dict(Counter(str(s.status) for s in samples)),
        "by_route_p50_p99_ms": {route: [round(percentile(v, 0.5), 1), round(percentile(v, 0.99), 1)]
                                for route, v in sorted(by_route.items())},
    }


def load_test(workdir: Path, *, articles_before: int, articles_during: int, clients: int,
              max_requests: int, max_seconds: float, seed: int = 8) -> dict[str, Any]:
    """Run the whole load test in ``workdir``; returns the figures and every problem."""
    db = workdir / "load.db"
    first, second = workdir / "first", workdir / "second"
    make_corpus(first, articles_before, seed=seed)
    make_corpus(second, articles_during, seed=seed + 1)
    subprocess.run([str(DYADWATCH), "ingest", str(first), "--db", str(db), "--quiet"],
                   capture_output=True, timeout=1800, check=False)
    port, server_log, ingest_log = free_port(), workdir / "server.log", workdir / "ingest.log"
    server = start_server(db, port, server_log)
    problems: list[str] = []
    try:
        paths = request_mix(port)
        warm_up(paths, port)
        load = Load(paths, max_requests, time.monotonic() + max_seconds)
        stored_at_start = stored_sources(db)
        ingest = subprocess.Popen([str(DYADWATCH), "ingest", str(second), "--db", str(db)],
                                  stdout=ingest_log.open("wb"), stderr=subprocess.STDOUT)
        while ingest.poll() is None and stored_sources(db) == stored_at_start:
            time.sleep(0.02)  # the load starts with the ingest's first write
        stored_before = stored_sources(db)
        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(load, port, seed + i))
                   for i in range(clients)]
        for thread in threads:
            thread.start()
        while ingest.poll() is None and load.take():
            time.sleep(0.05)
        load.stop.set()  # the ingest is over (or the caps are reached): stop the clients
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        stored_during = stored_sources(db) - stored_before
        ingest_code = ingest.wait(timeout=1800)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    result = figures(load.samples, elapsed)
    bad = [s for s in load.samples if s.status != 200 or s.problem]
    problems += [f"{s.path}: status {s.status} {s.problem}".strip() for s in bad[:20]]
    for name, log in (("server", server_log), ("ingest", ingest_log)):
        text = log.read_text(errors="replace")
        if LOCKED in text or "Traceback" in text:
            problems.append(f"the {name} log reports a problem: {text[-1500:]}")
    if ingest_code not in (0, 1):  # 1: the corpus's three broken inputs failed, as they must
        problems.append(f"the ingest during the load exited {ingest_code}")
    stored = stored_sources(db)
    if stored != articles_before + articles_during:
        problems.append(f"the store holds {stored} sources, not "
                        f"{articles_before + articles_during}")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
                   f"{platform.release()}, Python {platform.python_version()}",
        "clients": clients, "max_requests": max_requests, "max_seconds": max_seconds,
        "articles_before": articles_before, "articles_during": articles_during,
        "documents_written_during_load": stored_during, **result,
        "errors": len(bad), "problems": problems, "ok": not problems,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles-before", type=int, default=100)
    parser.add_argument("--articles-during", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--max-seconds", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dyadwatch-load-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        result = load_test(workdir, articles_before=args.articles_before,
                           articles_during=args.articles_during, clients=args.clients,
                           max_requests=args.max_requests, max_seconds=args.max_seconds,
                           seed=args.seed)
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
