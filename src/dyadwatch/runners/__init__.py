"""Runners: the same pipeline over many articles, in worker processes or on a Spark cluster.

``run_local`` runs the pipeline in N processes beside the single writer (what
``dyadwatch ingest --workers N`` uses), which hands back each document as the rows the
store keeps (a ``Coded``); ``spark_ingest`` runs it on Spark and writes
Parquet (the ``dyadwatch[spark]`` extra; pyspark is imported only when it runs); ``load``
writes that Parquet into a store, in input order.
"""

from __future__ import annotations

from .local import DEFAULT_BATCH_SIZE, Coded, PipelineSpec, Skipped, run_local, skip_stored
from .parquet import load, read_parquet
from .spark import SparkReport, spark_ingest, spark_session

__all__ = [
    "PipelineSpec",
    "Coded",
    "Skipped",
    "run_local",
    "skip_stored",
    "DEFAULT_BATCH_SIZE",
    "load",
    "read_parquet",
    "spark_ingest",
    "spark_session",
    "SparkReport",
]
