"""Run the evaluation suites and raise eval/floors.json to what the system now scores.

Floors only rise and ceilings only fall (dyadwatch.evaluate.raised_floors): run this after a
change that raised a score, review the diff of eval/floors.json, and commit it with the change.

    .venv/bin/python tools/raise_floors.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from functools import partial
from pathlib import Path

from dyadwatch.evaluate import (
    check_floors,
    code_with_pipeline,
    load_floors,
    process_with_pipeline,
    raised_floors,
    run_suites,
)

ROOT = Path(__file__).resolve().parents[1]
FLOORS = ROOT / "eval" / "floors.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dyadwatch-floors-") as scratch:
        process = partial(process_with_pipeline, db_path=Path(scratch) / "eval.db")
        results = run_suites(args.shared, process=process, code=code_with_pipeline)
    floors = load_floors(FLOORS)
    below = check_floors(results, floors)
    if below:
        print("below the floors (fix these; floors are never lowered):")
        print("\n".join(below))
        return 1
    raised = raised_floors(results, floors)
    FLOORS.write_text(json.dumps(raised, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {FLOORS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
