"""Set-based identity resolution: prepare, train, score pairs, cluster; on DuckDB or Spark.

`dedupe` finds the same person within one set of records; `link` finds each record of one
set in another (a screening list). Both return scored pairs with the level every comparison
reached (for the review queue's evidence) and, for dedupe, clusters.
"""

from __future__ import annotations

import copy
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from splink import Linker, block_on
from splink.blocking_analysis import count_comparisons_from_blocking_rules

from pulih.linkage import model
from pulih.linkage.engines import Engine, engine_get
from pulih.linkage.prepare import prepare

logger = logging.getLogger(__name__)

# Gamma values of the levels the shared-NIK veto looks at (levels count down from the top,
# the null level is -1): see model.identity_comparison and model.name_comparison.
GAMMA_NIK_EXACT = 7
GAMMA_NAME_DIFFERS = 0

# Below this many records random pairs and EM have too little to learn from: the default
# model (trained on the synthetic population, see default_model_train) is used as it is.
MIN_RECORDS_TO_TRAIN = 2_000
DEFAULT_MODEL_PATH = Path(__file__).with_name("default_model.json")
DEFAULT_MODEL_PEOPLE = 200_000


@dataclass
class LinkResult:
    pairs: pl.DataFrame  # unique_id_l, unique_id_r, match_probability, match_weight, gamma_*
    clusters: pl.DataFrame | None  # record_id, cluster_id, match_probability (dedupe only)
    model: dict[str, Any]  # the trained Splink settings, to reuse on another engine
    # Pairs that share a NIK but are clearly different people: an anomaly, never a match.
    shared_nik_pairs: pl.DataFrame


def _linker(engine: Engine, tables: list[pl.DataFrame], settings: Any) -> Linker:
    inputs = [
        engine.db_api.register(engine.to_input(t), dataset_display_name=f"records_{i}")
        for i, t in enumerate(tables)
    ]
    return Linker(inputs if len(inputs) > 1 else inputs[0], settings, log_level=logging.WARNING)


def default_model(*, link_type: str = "dedupe_only", records: int) -> dict[str, Any]:
    """The shipped model, with its prior match probability scaled to `records` (the chance
    that two random records are one person falls as the set grows)."""
    trained = json.loads(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))
    trained["link_type"] = link_type
    people = trained.pop("pulih_trained_on_records", DEFAULT_MODEL_PEOPLE)
    prior = trained["probability_two_random_records_match"] * people / max(records, 2)
    trained["probability_two_random_records_match"] = min(prior, 0.5)
    trained.pop("linker_uid", None)
    return trained


def default_model_train(*, people: int = DEFAULT_MODEL_PEOPLE, seed: int = 2020) -> dict[str, Any]:
    """Train on the synthetic population (pulih.linkage.synthetic) and return the model to
    ship as default_model.json (`pulih linkage_model`)."""
    from pulih.linkage.synthetic import population

    prepared = prepare(population(people, seed=seed).drop("person_id"))
    runner = engine_get("duckdb")
    try:
        linker = _linker(runner, [prepared], model.settings())
        train(linker, records=prepared.height, seed=seed)
        trained = linker.misc.save_model_to_json()
    finally:
        runner.close()
    trained["pulih_trained_on_records"] = prepared.height
    return trained


# EM needs pairs under its blocking rule; fewer than this and a session is skipped (in the
# registry, where every NIK is unique, the NIK session finds none at all).
MIN_PAIRS_FOR_EM = 200


def _pairs_under(linker: Linker, rule: Any) -> int:
    inputs = list(linker._input_tables_dict.values())
    counts = count_comparisons_from_blocking_rules(
        inputs,
        blocking_rules=rule,
        link_type="link_only" if len(inputs) > 1 else "dedupe_only",
        record_sample_proportion=1.0,
    )
    return int(counts[0]["cumulative_comparison_count"])


def train(linker: Linker, *, records: int, seed: int = 2020, learn_m: bool = True) -> None:
    """Unsupervised: u from random pairs, m by EM on pairs that share a NIK, then on pairs
    that share a phone (each session learns the comparisons its blocking leaves free). A
    session without enough pairs is skipped and the starting parameters stay."""
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("nik"), block_on("name_key", "birth_date", "village_code")], recall=0.8
    )
    # With no deterministic matches at all the estimate is 0, which no evidence can outweigh;
    # keep it at one duplicate per fifty records at least. Splink holds the prior only here.
    settings = linker._settings_obj
    floor = 0.02 / max(records, 2)
    if settings._probability_two_random_records_match < floor:
        settings._probability_two_random_records_match = floor
    training.estimate_u_using_random_sampling(max_pairs=min(1_000_000, records * 20), seed=seed)
    if not learn_m:
        return
    for rule in (block_on("nik"), block_on("phone")):
        if _pairs_under(linker, rule) < MIN_PAIRS_FOR_EM:
            logger.info("EM blocked on %s skipped: too few pairs", rule)
            continue
        saved = copy.deepcopy(linker._settings_obj)
        try:
            training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except ValueError as error:
            # Splink refuses an m or u that EM drove to exactly zero (seen on registries whose
            # pairs under a rule are all clear non-matches), and a failed session leaves the
            # settings without the comparisons it had set aside: keep the model from before.
            linker._settings_obj = saved
            logger.warning("EM blocked on %s skipped: %s", rule, error)


def _settings_for(records: int, *, link_type: str, dialect: str) -> tuple[Any, bool]:
    """(settings, whether to train): small sets use the default model as it is; larger ones
    learn their own parameters, starting from the default model's."""
    if DEFAULT_MODEL_PATH.exists():
        shipped = default_model(link_type=link_type, records=records)
        return (
            model.trained_for_dialect(shipped, sql_dialect=dialect, link_type=link_type),
            records >= MIN_RECORDS_TO_TRAIN,
        )
    return model.settings(link_type=link_type), True


def _veto_sql(threshold: float) -> str:
    # Built from constants and a float only: nothing from a user reaches this SQL.
    return (
        "SELECT * FROM {this} WHERE match_probability >= "  # noqa: S608
        f"{threshold} AND NOT ({_shared_nik_condition()})"
    )


def _shared_nik_condition() -> str:
    return (
        f"gamma_identity = {GAMMA_NIK_EXACT} AND gamma_name = {GAMMA_NAME_DIFFERS} "
        "AND birth_date_l IS NOT NULL AND birth_date_r IS NOT NULL "
        "AND birth_date_l <> birth_date_r"
    )


def dedupe(
    frame: pl.DataFrame,
    *,
    engine: str = "duckdb",
    trained: dict[str, Any] | None = None,
    review_threshold: float = model.REVIEW_THRESHOLD,
    match_threshold: float = model.MATCH_THRESHOLD,
    learn_m: bool = True,
) -> LinkResult:
    """Same person within `frame` (pulih.linkage.prepare's input layout).

    `learn_m=False` keeps the default model's m (how one person's records differ) and learns
    only the prior and u from this set: for the registry, where NIKs are unique by
    constraint and the pairs sharing a phone are mostly relatives, EM has nothing sound to
    learn m from."""
    prepared = prepare(frame)
    runner = engine_get(engine)
    try:
        if trained is not None:
            dialect = runner.db_api.sql_dialect.sql_dialect_str
            settings, learn = model.trained_for_dialect(trained, sql_dialect=dialect), False
        else:
            settings, learn = _settings_for(
                prepared.height,
                link_type="dedupe_only",
                dialect=runner.db_api.sql_dialect.sql_dialect_str,
            )
        linker = _linker(runner, [prepared], settings)
        if learn:
            train(linker, records=prepared.height, learn_m=learn_m)
        predictions = linker.inference.predict(threshold_match_probability=review_threshold)
        shared = runner.to_polars(
            predictions.query_sql(f"SELECT * FROM {{this}} WHERE {_shared_nik_condition()}")  # noqa: S608
        )
        kept = predictions.query_sql(_veto_sql(review_threshold))
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            kept, threshold_match_probability=match_threshold
        )
        pairs = runner.to_polars(kept)
        cluster_frame = runner.to_polars(clusters).select(
            pl.col("unique_id").alias("record_id"), "cluster_id"
        )
        trained_model = linker.misc.save_model_to_json()
    finally:
        runner.close()
    return LinkResult(
        pairs=pairs,
        clusters=_with_best_probability(cluster_frame, pairs),
        model=trained_model,
        shared_nik_pairs=shared,
    )


def _with_best_probability(clusters: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    best = (
        pl.concat(
            [
                pairs.select(pl.col("unique_id_l").alias("record_id"), "match_probability"),
                pairs.select(pl.col("unique_id_r").alias("record_id"), "match_probability"),
            ]
        )
        .group_by("record_id")
        .agg(pl.col("match_probability").max())
    )
    return clusters.join(best, on="record_id", how="left")


def dedupe_frame(frame: pl.DataFrame, *, engine: str = "duckdb") -> pl.DataFrame:
    """record_id, cluster_id (equal for records judged the same person), match_probability
    (the best pair the record is in; null when it has none)."""
    result = dedupe(frame, engine=engine)
    assert result.clusters is not None
    return result.clusters


def link(
    records: pl.DataFrame,
    entries: pl.DataFrame,
    *,
    engine: str = "duckdb",
    review_threshold: float = model.REVIEW_THRESHOLD,
    learn_m: bool = False,
) -> LinkResult:
    """Every pair of a record in `records` and an entry in `entries` scored at or above
    `review_threshold`. Exact NIK agreement is always among them (see screening). m stays
    the default model's unless `learn_m`: a list and the registry share too few people for EM."""
    left, right = prepare(records), prepare(entries)
    runner = engine_get(engine)
    try:
        settings, learn = _settings_for(
            left.height + right.height,
            link_type="link_only",
            dialect=runner.db_api.sql_dialect.sql_dialect_str,
        )
        linker = _linker(runner, [left, right], settings)
        if learn:
            train(linker, records=left.height + right.height, learn_m=learn_m)
        predictions = linker.inference.predict(threshold_match_probability=review_threshold)
        shared = runner.to_polars(
            predictions.query_sql(f"SELECT * FROM {{this}} WHERE {_shared_nik_condition()}")  # noqa: S608
        )
        pairs = runner.to_polars(predictions.query_sql(_veto_sql(review_threshold)))
        trained_model = linker.misc.save_model_to_json()
    finally:
        runner.close()
    return LinkResult(pairs=pairs, clusters=None, model=trained_model, shared_nik_pairs=shared)


def model_json(result: LinkResult) -> str:
    return json.dumps(result.model, sort_keys=True)
