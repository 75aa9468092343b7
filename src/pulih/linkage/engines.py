"""Where Splink runs: DuckDB in this process by default, Spark for national scale.

Both take the same prepared Polars frame and give Polars frames back through Arrow, so the
pipeline above them does not know which one it used.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
from splink.internals.database_api import DatabaseAPISubClass
from splink.internals.splink_dataframe import SplinkDataFrame


@dataclass
class Engine:
    name: str
    db_api: DatabaseAPISubClass
    # What db_api.register accepts, from a Polars frame.
    to_input: Callable[[pl.DataFrame], Any]
    close: Callable[[], None]

    def to_polars(self, table: SplinkDataFrame) -> pl.DataFrame:
        frame = pl.from_arrow(table.as_pyarrow_table())
        assert isinstance(frame, pl.DataFrame)
        return frame


def _threads() -> int:
    return int(os.environ.get("PULIH_LINKAGE_THREADS", "0")) or (os.cpu_count() or 1)


def duckdb_engine() -> Engine:
    import duckdb
    from splink import DuckDBAPI

    connection = duckdb.connect(":memory:")
    connection.execute(f"SET threads = {_threads()}")
    # Keep DuckDB's own buffers well under the 3 GB a million-person run may use in all.
    memory = os.environ.get("PULIH_LINKAGE_DUCKDB_MEMORY", "1500MB")
    connection.execute(f"SET memory_limit = '{memory}'")
    connection.execute("SET preserve_insertion_order = false")
    return Engine(
        name="duckdb",
        db_api=DuckDBAPI(connection=connection),
        to_input=lambda frame: frame.to_arrow(),
        close=connection.close,
    )


def spark_session() -> Any:
    """A local Spark session with Splink's similarity functions (their jar ships in the
    splink wheel), or the active one when running inside a cluster."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    master = os.environ.get("PULIH_SPARK_MASTER", f"local[{_threads()}]")
    return (
        SparkSession.builder.master(master)
        .appName("pulih-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.memory", os.environ.get("PULIH_SPARK_DRIVER_MEMORY", "2g"))
        .config(
            "spark.sql.shuffle.partitions",
            os.environ.get("PULIH_SPARK_PARTITIONS", str(max(2 * _threads(), 4))),
        )
        .config("spark.default.parallelism", str(max(2 * _threads(), 4)))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={tempfile.gettempdir()}")
        .getOrCreate()
    )


def spark_engine() -> Engine:
    from splink import SparkAPI

    spark = spark_session()
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(
        os.environ.get("PULIH_SPARK_CHECKPOINT_DIR", tempfile.gettempdir())
    )
    return Engine(
        name="spark",
        db_api=SparkAPI(spark_session=spark, break_lineage_method="persist"),
        to_input=lambda frame: frame.to_arrow(),
        close=lambda: None,  # the session is shared; the caller that made it stops it
    )


ENGINES: dict[str, Callable[[], Engine]] = {"duckdb": duckdb_engine, "spark": spark_engine}


def engine_get(name: str) -> Engine:
    try:
        return ENGINES[name]()
    except KeyError:
        raise ValueError(
            f"Mesin tautan tidak dikenal: {name}. Pilih salah satu: {', '.join(ENGINES)}."
        ) from None
