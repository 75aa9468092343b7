"""The same model on Splink's Spark backend (local[2], the machine's Java 17) agrees with DuckDB."""

import os
import shutil

import polars as pl
import pytest

from pulih.linkage import pipeline
from pulih.linkage.synthetic import population


@pytest.fixture(scope="module")
def spark():
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("Java is required for the Spark linkage test in CI.")
        pytest.skip("Java is not installed: the Spark engine cannot start here.")
    os.environ.setdefault("PULIH_SPARK_MASTER", "local[2]")
    os.environ.setdefault("PULIH_SPARK_PARTITIONS", "1")  # a few hundred rows: one task each
    from pulih.linkage.engines import spark_session

    session = spark_session()
    yield session
    session.stop()


# Spark touches no database, so the PostgreSQL pass of `make test` leaves it to the SQLite one.
@pytest.mark.database_free
def test_spark_and_duckdb_score_and_cluster_the_same(spark):
    frame = population(400, seed=5).drop("person_id")
    duck = pipeline.dedupe(frame, engine="duckdb")
    on_spark = pipeline.dedupe(frame, engine="spark", trained=duck.model)

    def scored(result: pipeline.LinkResult) -> pl.DataFrame:
        return result.pairs.select("unique_id_l", "unique_id_r", "match_probability").sort(
            "unique_id_l", "unique_id_r"
        )

    a, b = scored(duck), scored(on_spark)
    assert a.height > 20  # the set has duplicates to find
    assert a.select("unique_id_l", "unique_id_r").equals(b.select("unique_id_l", "unique_id_r"))
    assert (a["match_probability"] - b["match_probability"]).abs().max() < 1e-9
    assert duck.clusters is not None and on_spark.clusters is not None

    def groups(clusters: pl.DataFrame) -> set[frozenset[str]]:
        return {
            frozenset(ids)
            for ids in clusters.group_by("cluster_id").agg("record_id")["record_id"].to_list()
        }

    assert groups(duck.clusters) == groups(on_spark.clusters)
