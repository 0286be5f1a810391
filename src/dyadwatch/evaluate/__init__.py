"""The evaluator: score the system's output against gold, and the gate that keeps it from falling.

- ``run_eval`` / ``score_corpus`` score Documents against a gold corpus (``seeds.gold.json``).
- ``run_gsr`` / ``score_gsr`` code single sentences (``plover_gsr.json``) and score the events.
- ``check_floors`` / ``raised_floors`` compare results with ``eval/floors.json``.
- ``process_with_pipeline`` / ``code_with_pipeline`` are the real system, for ``process``
  and ``code``: they call ``dyadwatch.api.process_files`` and ``dyadwatch.api.code_events``
  (imported only when called, so the scorer works without the pipeline).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..document import Document, Event
from .gate import (
    GATED_CEILINGS,
    GATED_FIGURES,
    check_floors,
    load_floors,
    raised_floors,
    run_suites,
)
from .gsr import load_gsr, run_gsr, score_gsr
from .seeds import load_gold, run_eval, score_corpus
from .view import system_view

__all__ = [
    "GATED_CEILINGS",
    "GATED_FIGURES",
    "GSR_DATE",
    "check_floors",
    "code_with_pipeline",
    "load_floors",
    "load_gold",
    "load_gsr",
    "process_with_pipeline",
    "raised_floors",
    "run_eval",
    "run_gsr",
    "run_suites",
    "score_corpus",
    "score_gsr",
    "system_view",
]

# Every record of plover_gsr.json is dated 2000-01-01; the coder is given that date.
GSR_DATE = "2000-01-01"


def process_with_pipeline(paths: list[Path], *, db_path: Path | None = None) -> dict[str, Document]:
    """Ingest ``paths`` with the full pipeline into a store and return the Documents read back.

    ``db_path`` is the SQLite file to use (a temporary one when None). Raises ImportError
    when ``dyadwatch.api`` does not provide ``process_files``.
    """
    from ..api import process_files  # late: the scorer must not need the pipeline

    if db_path is not None:
        return process_files(list(paths), db_path=Path(db_path))
    with tempfile.TemporaryDirectory(prefix="dyadwatch-eval-") as scratch:
        return process_files(list(paths), db_path=Path(scratch) / "eval.db")


def code_with_pipeline(text: str, *, date: str | None = GSR_DATE) -> list[Event]:
    """Code one sentence with the system's event coder, as of ``date``; returns its events.

    One-sided events are kept (``min_actors=1``): the PLOVER gold sentences code events
    whose recipient is absent ("X mobilised troops"), unlike the dyadic seeds gold.
    Raises ImportError when ``dyadwatch.api`` does not provide ``code_events``.
    """
    from ..api import code_events  # late: the scorer must not need the pipeline

    return list(code_events(text, date=date, min_actors=1))
