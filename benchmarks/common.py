"""What the benchmarks share: the machine they ran on, the corpus they read, a clock.

The corpus is the sample corpus and the seeds (../shared/seeds), repeated until it holds the
number of documents asked for; each copy gets a line of its own ("Archive copy 3.") so that
every document has new content and is processed and stored, never skipped as a duplicate.
It is written to a temporary JSON Lines file, never into the repository.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from dyadwatch import __version__
from dyadwatch.readers import Article, read_paths

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (ROOT / "corpus" / "sample", ROOT.parent / "shared" / "seeds")
_T = TypeVar("_T")


def _command(*argv: str) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine() -> dict[str, Any]:
    """Date, CPU, cores, memory, load and versions of this run (lscpu, nproc, free -h)."""
    cpu = re.search(r"Model name:\s*(.+)", _command("lscpu"))
    memory = re.search(r"Mem:\s+(\S+)", _command("free", "-h"))
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": cpu.group(1).strip() if cpu else platform.processor(),
        "cores": int(_command("nproc").strip() or os.cpu_count() or 0),
        "memory": memory.group(1) if memory else "",
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "python": platform.python_version(),
        "dyadwatch": __version__,
        "commit": _command("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD").strip(),
    }


def source_articles() -> list[Article]:
    """The articles of the sample corpus and the seeds."""
    found = [item for item in read_paths(list(SOURCES)) if isinstance(item, Article)]
    if not found:
        raise SystemExit(f"no articles under {[str(s) for s in SOURCES]}")
    return found


def build_corpus(n_docs: int, folder: Path) -> Path:
    """Write ``n_docs`` articles (the sources, repeated and varied) as one JSONL file."""
    articles = source_articles()
    path = folder / f"corpus-{n_docs}.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for n in range(n_docs):
            article = articles[n % len(articles)]
            copy = n // len(articles)
            text = article.text if copy == 0 else f"{article.text}\n\nArchive copy {copy}."
            record = {"text": text, "title": article.title, "published": article.published,
                      "outlet": article.outlet, "url": article.url}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def timed(call: Callable[[], _T]) -> tuple[float, _T]:
    """Seconds ``call`` took, and what it returned."""
    began = time.perf_counter()
    result = call()
    return time.perf_counter() - began, result


def median(values: list[float]) -> float:
    """The median, rounded for a report."""
    return round(statistics.median(values), 3)
