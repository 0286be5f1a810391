"""``dyadwatch ingest ...`` exactly as the command runs it, noting when each input is done.

Usage: python benchmarks/timed_ingest.py TIMES.json ingest CORPUS --db DB --workers N --quiet

The command line after TIMES.json goes to dyadwatch's own CLI, unchanged; the only
addition is a clock reading (``time.perf_counter``) each time an input's result reaches
the CLI, written to TIMES.json as a list of seconds since this process started. Benchmark
(b) takes the steady rate from it: documents over the seconds between the end of the
first fifth and the last document, within one run, so that start-up (the processes, the
model in each worker) is left out without subtracting a second, shorter run.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()


def main(argv: list[str]) -> int:
    from dyadwatch import api
    from dyadwatch.cli import app

    times: list[float] = []
    ingest = api.ingest

    def timed_ingest(*args: Any, on_result: Any = None, **kwargs: Any) -> Any:
        def noted(result: Any, outcome: str) -> None:
            times.append(round(time.perf_counter() - STARTED, 4))
            if on_result is not None:
                on_result(result, outcome)

        return ingest(*args, on_result=noted, **kwargs)

    api.ingest = timed_ingest  # the CLI calls api.ingest at run time
    try:
        code = app(argv[1:], prog_name="dyadwatch", standalone_mode=False)
    finally:
        Path(argv[0]).write_text(json.dumps(times), encoding="utf-8")
    return int(code or 0)


if __name__ == "__main__":  # the guard the worker processes need
    sys.exit(main(sys.argv[1:]))
