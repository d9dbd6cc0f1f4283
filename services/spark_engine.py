"""Apache Spark as the store's query engine, for when one machine's DuckDB is not enough.

The store's queries are written once (``services.store``) against views named after the tables;
this module gives them to Spark over the same Parquet layout that DuckDB reads. ``local[N]``
runs Spark inside this process's JVM; a ``spark://`` or ``k8s://`` master sends the same query
to a cluster, which then needs the store on storage every executor reaches (docs/DEPLOYMENT.md).

The session is started on first use and kept: starting the JVM costs tens of seconds, a query
on a warm session well under one. Each query gets a session of its own on that context, so the
temporary views of concurrent queries never meet.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
from pyspark.sql import SparkSession

__all__ = ["query", "stop"]

_lock = threading.Lock()
_root: dict[str, SparkSession] = {}

# UTC inside Spark, so timestamps leave it as instants; double-quoted identifiers as in DuckDB
# and standard SQL, so one query text serves both engines; no web UI on a shared machine.
_CONFIG = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.ansi.doubleQuotedIdentifiers": "true",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.sql.shuffle.partitions": "4",
}


def _session(master: str) -> SparkSession:
    with _lock:
        if master not in _root:
            builder = SparkSession.builder.master(master).appName("medicus-store")
            for key, value in _CONFIG.items():
                builder = builder.config(key, value)
            session = builder.getOrCreate()
            session.sparkContext.setLogLevel("ERROR")
            _root[master] = session
        return _root[master].newSession()


def query(
    master: str,
    views: dict[str, list[str]],
    statements: list[tuple[str, list[Any]]],
    relations: Iterable[tuple[str, str, list[Any]]] = (),
) -> list[pa.Table]:
    """Run ``statements`` (SQL with ``?`` parameters) over ``views`` (name -> Parquet files)
    and ``relations`` (name, SQL, parameters), each computed once and cached for the rest."""
    spark = _session(master)
    for name, files in views.items():
        spark.read.parquet(*files).createOrReplaceTempView(name)
    kept = []
    try:
        for name, sql, params in relations:
            frame = spark.sql(sql, args=params).cache()
            frame.createOrReplaceTempView(name)
            kept.append(frame)
        return [spark.sql(sql, args=params).toArrow() for sql, params in statements]
    finally:
        for frame in kept:
            frame.unpersist()


def stop() -> None:
    """End every Spark context this process started."""
    with _lock:
        for session in _root.values():
            session.stop()
        _root.clear()
