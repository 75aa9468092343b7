"""Set-based work on a round: the applicant frame (every rule input of every application in
one columnar frame), evaluation of the rules over it, what-if, and the choice of recipients
within quotas and budget.

The frame is built by one function for a whole round or for a list of application ids, so
evaluating one application (an owner applying, an officer re-checking an appeal) runs the
same queries and the same expressions as evaluating half a million.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings

from pulih.linkage.models import CandidateKind, CandidateStatus, ListKind, Outcome
from pulih.linkage.screening import names_agree_many
from pulih.programmes import rules as R
from pulih.programmes.models import ApplicationStatus, Round
from pulih.registry.bulk import (
    db_timestamp,
    key_share,
    query_frame,
    replica_role_local,
    writer_for_connection,
)

# Up to this many applications, rule inputs are looked up from the applications' side.
FEW_APPLICATIONS = 1000
STOP_LIST_KINDS = [k.value for k in ListKind if k != ListKind.CIVIL_REGISTRY]
DECLARATION_DTYPES = {"money": pl.Int64, "yes_no": pl.Boolean, "text": pl.String}
# Statuses an evaluation may move; later ones are held by a decision (an amendment moves them).
OPEN_STATUSES = (
    ApplicationStatus.SUBMITTED.value,
    ApplicationStatus.ELIGIBLE.value,
    ApplicationStatus.INELIGIBLE.value,
    ApplicationStatus.RESERVE.value,
)

_BASE_COLUMNS = {
    "application_id": pl.Int64,
    "person_id": pl.Int64,
    "identity_id": pl.Int64,
    "business_id": pl.Int64,
    "declarations": pl.String,
    "bank": pl.String,
    "status": pl.String,
    "business_region": pl.String,
    "person_region": pl.String,
    "size_class": pl.String,
    "business_status": pl.String,
    "nik_birth_date_mismatch": pl.Boolean,
    "nik_sex_mismatch": pl.Boolean,
}


def _base(round_id: int, application_ids: list[int] | None) -> pl.DataFrame:
    where, params = "a.round_id = %s", [round_id]
    if application_ids is not None:
        match, extra = writer_for_connection().keys_in("a.id", application_ids)
        # "+a.round_id": not an index condition, so SQLite looks the few ids up by key
        # instead of walking the round's (round, status, id) index.
        where = f"+a.round_id = %s AND {match}"
        params += extra
    sql = f"""
        SELECT a.id, a.person_id, COALESCE(p.merged_into_id, p.id), a.business_id,
               a.declarations, a.bank, a.status, b.region_code, p.region_code,
               b.size_class, b.status, p.nik_birth_date_mismatch, p.nik_sex_mismatch
        FROM programmes_application a
        CROSS JOIN registry_person p
        CROSS JOIN registry_business b
        WHERE {where} AND p.id = a.person_id AND b.id = a.business_id
    """  # noqa: S608 - only placeholders and fixed column names are interpolated
    # (CROSS JOIN: SQLite keeps the applications outermost, by id for a few of them.)
    return query_frame(sql, params, _BASE_COLUMNS).sort("application_id")


def _subquery(round_id: int, application_ids: list[int] | None) -> tuple[str, list[Any]]:
    """Application ids of the round (or the given ones) as SQL, for the look-ups below."""
    if application_ids is None:
        return "SELECT id FROM programmes_application WHERE round_id = %s", [round_id]
    match, params = writer_for_connection().keys_in("id", application_ids)
    return (
        f"SELECT id FROM programmes_application WHERE round_id = %s AND {match}",  # noqa: S608
        [round_id, *params],
    )


def _listed_persons(kinds: list[str], identities: list[int] | None = None) -> pl.DataFrame:
    """Registry persons whose NIK is on a current list of one of `kinds`: (identity, kind,
    nik_hash). For a whole round, driven from the entries through the NIK's unique index (the
    cost follows the lists, not the round); for a few identities, from their persons."""
    marks = ", ".join(["%s"] * len(kinds))
    schema = {"identity_id": pl.Int64, "kind": pl.String, "nik_hash": pl.String}
    if identities is None:
        return query_frame(
            f"""
            SELECT COALESCE(p.merged_into_id, p.id), sl.kind, e.nik_hash
            FROM linkage_screeninglist sl
            JOIN linkage_screeningentry e ON e.screening_list_id = sl.id
            JOIN registry_person p ON p.nik_hash = e.nik_hash
            WHERE sl.superseded_at IS NULL AND sl.kind IN ({marks}) AND e.nik_hash <> ''
            """,  # noqa: S608 - only placeholders are interpolated
            kinds,
            schema,
        ).unique()
    writer = writer_for_connection()
    by_id, params = writer.keys_in("p.id", identities)
    by_merge, more = writer.keys_in("p.merged_into_id", identities)
    # CROSS JOIN: SQLite starts from the persons, then probes (list, NIK) per list.
    tail = f"""
        CROSS JOIN linkage_screeninglist sl CROSS JOIN linkage_screeningentry e
        WHERE sl.superseded_at IS NULL AND sl.kind IN ({marks})
          AND e.screening_list_id = sl.id AND e.nik_hash = p.nik_hash
    """  # noqa: S608
    return query_frame(
        f"""
        SELECT COALESCE(p.merged_into_id, p.id), sl.kind, e.nik_hash FROM registry_person p
        {tail} AND {by_id}
        UNION
        SELECT COALESCE(p.merged_into_id, p.id), sl.kind, e.nik_hash FROM registry_person p
        {tail} AND p.merged_into_id IS NOT NULL AND {by_merge}
        """,  # noqa: S608
        [*kinds, *params, *kinds, *more],
        schema,
    )


def _list_status(base: pl.DataFrame) -> pl.DataFrame:
    """list_<kind> per application: "hit", "review" or "" for every stop-list kind.

    An exact NIK hit on a current list (the NIK of the applicant or of anyone merged into the
    same identity) is a hit whatever any model said; probable hits come from the linkage
    review queue. An officer's decision on a pair wins over both.
    """
    identities = base.select("identity_id").unique()
    few = identities.height <= FEW_APPLICATIONS
    exact = (
        _listed_persons(STOP_LIST_KINDS, identities["identity_id"].to_list() if few else None)
        .join(identities, on="identity_id", how="semi")
        .with_columns(
            pl.concat_str(
                pl.lit("list:"), "kind", pl.lit(":"), pl.col("identity_id").cast(pl.String),
                pl.lit(":nik:"), "nik_hash",
            ).alias("pair_key"),
            pl.lit(R.LIST_HIT).alias("state"),
        )
        .select("identity_id", "kind", "pair_key", "state")
    )  # fmt: skip
    candidates = (
        query_frame(
            "SELECT c.person_id, c.list_kind, c.pair_key, c.status FROM linkage_matchcandidate c "
            "WHERE c.kind = %s AND c.current = %s",
            [CandidateKind.LIST_HIT.value, True],
            {
                "identity_id": pl.Int64,
                "kind": pl.String,
                "pair_key": pl.String,
                "status": pl.String,
            },
        )  # fmt: skip
        .join(identities, on="identity_id", how="semi")
        .with_columns(
            pl.when(pl.col("status") == CandidateStatus.CONFIRMED.value)
            .then(pl.lit(R.LIST_HIT))
            .otherwise(pl.lit(R.LIST_REVIEW))
            .alias("state")
        )
        .drop("status")
    )
    pairs = pl.concat([exact, candidates]).unique(["identity_id", "kind", "pair_key"], keep="first")
    decided = _decisions(pairs["pair_key"].to_list())
    pairs = pairs.join(decided, on="pair_key", how="left").with_columns(
        pl.when(pl.col("outcome") == Outcome.ON_LIST.value)
        .then(pl.lit(R.LIST_HIT))
        .when(pl.col("outcome") == Outcome.NOT_ON_LIST.value)
        .then(pl.lit(""))
        .otherwise(pl.col("state"))
        .alias("state")
    )
    # hit > review > "" per identity and kind
    rank = {"": 0, R.LIST_REVIEW: 1, R.LIST_HIT: 2}
    per = (
        pairs.with_columns(pl.col("state").replace_strict(rank, return_dtype=pl.Int8).alias("r"))
        .group_by("identity_id", "kind")
        .agg(pl.col("r").max())
        .with_columns(
            pl.col("r").replace_strict({v: k for k, v in rank.items()}, return_dtype=pl.String)
        )
    )
    per = (
        per.pivot(on="kind", index="identity_id", values="r")
        if per.height
        else pl.DataFrame(schema={"identity_id": pl.Int64})
    )
    out = base.select("application_id", "identity_id").join(per, on="identity_id", how="left")
    return out.select(
        "application_id",
        *[
            (pl.col(k) if k in per.columns else pl.lit(None, dtype=pl.String))
            .fill_null("")
            .alias(R.list_column(k))
            for k in STOP_LIST_KINDS
        ],
    )


def _decisions(pair_keys: list[str]) -> pl.DataFrame:
    """The latest officer decision on each pair."""
    schema = {"pair_key": pl.String, "outcome": pl.String, "decided_at": pl.String, "id": pl.Int64}
    if not pair_keys:
        return pl.DataFrame(schema={"pair_key": pl.String, "outcome": pl.String})
    match, params = writer_for_connection().keys_in("pair_key", list(dict.fromkeys(pair_keys)))
    found = query_frame(
        f"SELECT pair_key, outcome, decided_at, id FROM linkage_matchdecision WHERE {match}",  # noqa: S608
        params,
        schema,
    )
    return found.sort("decided_at", "id").group_by("pair_key").agg(pl.col("outcome").last())


def _shared_nik(base: pl.DataFrame) -> pl.DataFrame:
    """Whether a person's NIK is also used by someone else and no officer found them the same."""
    found = query_frame(
        "SELECT c.person_id, c.other_person_id, c.pair_key FROM linkage_matchcandidate c "
        "WHERE c.kind = %s AND c.current = %s",
        [CandidateKind.SHARED_NIK.value, True],
        {"a": pl.Int64, "b": pl.Int64, "pair_key": pl.String},
    )
    decided = _decisions(found["pair_key"].to_list())
    flagged = (
        found.join(decided, on="pair_key", how="left")
        .filter(pl.col("outcome").fill_null("") != Outcome.SAME_PERSON.value)
        .select(pl.concat_list("a", "b").alias("identity_id"))
        .explode("identity_id")
        .unique()
        .with_columns(pl.lit(True).alias("shared_nik"))
    )
    return (
        base.select("application_id", "identity_id")
        .join(flagged, on="identity_id", how="left")
        .select("application_id", pl.col("shared_nik").fill_null(False))
    )


def _civil_registry(base: pl.DataFrame, round_id: int, ids: list[int] | None) -> pl.DataFrame:
    """match / absent / other_person / birth_date_differs against the current Dukcapil lists."""
    lists = query_frame(
        "SELECT id FROM linkage_screeninglist WHERE kind = %s AND superseded_at IS NULL",
        [ListKind.CIVIL_REGISTRY.value],
        {"id": pl.Int64},
    )
    if lists.height == 0:
        return base.select("application_id", pl.lit(R.CIVIL_NO_LIST).alias("civil_registry"))
    # Equal names and birth dates are decided in the database; only the other pairs come back
    # with both names, for the same-person-written-differently check (names_agree_many).
    columns = """
        a.id,
        CASE WHEN lower(e.full_name) = lower(p.full_name) OR e.full_name = '' THEN 1 ELSE 0 END,
        CASE WHEN e.birth_date IS NULL OR e.birth_date = p.birth_date THEN 1 ELSE 0 END,
        CASE WHEN lower(e.full_name) = lower(p.full_name) THEN '' ELSE e.full_name END,
        CASE WHEN lower(e.full_name) = lower(p.full_name) THEN '' ELSE p.full_name END
    """
    if ids is None:
        # The whole round: walk the extract's entries to the persons by the NIK's unique index.
        sql = f"""
            SELECT {columns}
            FROM linkage_screeninglist sl
            JOIN linkage_screeningentry e ON e.screening_list_id = sl.id
            JOIN registry_person p ON p.nik_hash = e.nik_hash
            JOIN programmes_application a ON a.person_id = p.id AND a.round_id = %s
            WHERE sl.kind = %s AND sl.superseded_at IS NULL
        """  # noqa: S608
        params: list[Any] = [round_id, ListKind.CIVIL_REGISTRY.value]
    else:
        # A few applications: from them to the entries by the (list, NIK) index.
        match, extra = writer_for_connection().keys_in("a.id", ids)
        # CROSS JOIN keeps SQLite's order: the applications first, not the whole extract.
        sql = f"""
            SELECT {columns}
            FROM programmes_application a
            CROSS JOIN registry_person p
            CROSS JOIN linkage_screeninglist sl
            CROSS JOIN linkage_screeningentry e
            WHERE {match} AND p.id = a.person_id
              AND sl.kind = %s AND sl.superseded_at IS NULL
              AND e.screening_list_id = sl.id AND e.nik_hash = p.nik_hash
        """  # noqa: S608
        params = [*extra, ListKind.CIVIL_REGISTRY.value]
    joined = query_frame(
        sql,
        params,
        {"application_id": pl.Int64, "name_ok": pl.Boolean, "birth_ok": pl.Boolean,
         "entry_name": pl.String, "full_name": pl.String},
    )  # fmt: skip
    if joined.height and not bool(joined["name_ok"].all()):
        positions = pl.Series(range(joined.height)).filter(~joined["name_ok"])
        differ = joined.filter(~pl.col("name_ok"))
        agree = joined["name_ok"].scatter(
            positions, names_agree_many(differ["full_name"], differ["entry_name"])
        )
        joined = joined.with_columns(agree.alias("name_ok"))
    # Several entries for one NIK (two lists): the best one counts.
    best = (
        joined.with_columns(
            pl.when(pl.col("name_ok") & pl.col("birth_ok"))
            .then(pl.lit(3))
            .when(pl.col("name_ok"))
            .then(pl.lit(2))
            .otherwise(pl.lit(1))
            .alias("score")
        )
        .group_by("application_id")
        .agg(pl.col("score").max())
    )
    return (
        base.select("application_id")
        .join(best, on="application_id", how="left")
        .select(
            "application_id",
            pl.col("score")
            .replace_strict(
                {3: R.CIVIL_MATCH, 2: R.CIVIL_BIRTH_DATE, 1: R.CIVIL_OTHER_PERSON},
                default=R.CIVIL_ABSENT,
                return_dtype=pl.String,
            )
            .fill_null(R.CIVIL_ABSENT)
            .alias("civil_registry"),
        )
    )


def _received(base: pl.DataFrame, round_id: int, ids: list[int] | None) -> pl.DataFrame:
    """Codes of the programmes each identity has a benefit from in another round."""
    apps_sql, params = _subquery(round_id, ids)
    identities = f"""
        SELECT COALESCE(p.merged_into_id, p.id) FROM programmes_application a
        JOIN registry_person p ON p.id = a.person_id WHERE a.id IN ({apps_sql})
    """  # noqa: S608
    found = query_frame(
        f"""
        SELECT COALESCE(q.merged_into_id, q.id), pr.code
        FROM payments_payment pay
        JOIN registry_person q ON q.id = pay.person_id
        JOIN programmes_round r ON r.id = pay.round_id
        JOIN programmes_programme pr ON pr.id = r.programme_id
        WHERE pay.status <> 'cancelled' AND pay.round_id <> %s
          AND COALESCE(q.merged_into_id, q.id) IN ({identities})
        UNION
        SELECT COALESCE(q.merged_into_id, q.id), pr.code
        FROM payments_handover h
        JOIN registry_person q ON q.id = h.person_id
        JOIN programmes_round r ON r.id = h.round_id
        JOIN programmes_programme pr ON pr.id = r.programme_id
        WHERE h.status <> 'cancelled' AND h.round_id <> %s
          AND COALESCE(q.merged_into_id, q.id) IN ({identities})
        """,  # noqa: S608
        [round_id, *params, round_id, *params],
        {"identity_id": pl.Int64, "code": pl.String},
    )
    per = found.group_by("identity_id").agg(
        pl.col("code").unique().sort().alias("received_programmes")
    )
    return (
        base.select("application_id", "identity_id")
        .join(per, on="identity_id", how="left")
        .select(
            "application_id",
            pl.col("received_programmes").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        )
    )


def _person_rank(round_id: int, base: pl.DataFrame) -> pl.DataFrame:
    """Each application's place among the round's live applications of the same identity.

    Over the whole round's applications of those identities (a single application is first
    or not among all): the base frame when it is the whole round, else the applications of
    the persons who are, or were merged into, the base's identities (two index look-ups)."""
    from pulih.programmes.models import Application

    if base.height and base.height == Application.objects.filter(round_id=round_id).count():
        everyone = base.select("application_id", "identity_id", "status")
    else:
        identities = base["identity_id"].unique().to_list()
        writer = writer_for_connection()
        by_id, params = writer.keys_in("p.id", identities)
        by_merge, more = writer.keys_in("p.merged_into_id", identities)
        # CROSS JOIN: SQLite then starts from the few persons (PostgreSQL plans it as a join);
        # without it SQLite walks the round's applications instead.
        everyone = query_frame(
            f"""
            SELECT a.id, COALESCE(p.merged_into_id, p.id), a.status
            FROM registry_person p CROSS JOIN programmes_application a
            WHERE a.person_id = p.id AND a.round_id = %s AND {by_id}
            UNION
            SELECT a.id, COALESCE(p.merged_into_id, p.id), a.status
            FROM registry_person p CROSS JOIN programmes_application a
            WHERE a.person_id = p.id AND a.round_id = %s
              AND p.merged_into_id IS NOT NULL AND {by_merge}
            """,  # noqa: S608 - only placeholders are interpolated
            [round_id, *params, round_id, *more],
            {"application_id": pl.Int64, "identity_id": pl.Int64, "status": pl.String},
        )
    ranked = (
        everyone.filter(pl.col("status") != ApplicationStatus.WITHDRAWN.value)
        .sort("application_id")
        .with_columns(
            pl.col("application_id").cum_count().over("identity_id").alias("person_rank"),
            pl.col("application_id").first().over("identity_id").alias("first_application_id"),
        )
    )
    return (
        base.select("application_id")
        .join(
            ranked.select("application_id", "person_rank", "first_application_id"),
            on="application_id",
            how="left",
        )
        .with_columns(pl.col("person_rank").fill_null(2))
    )


_REGION_NAMES: dict[int, pl.DataFrame] = {}


def _region_names() -> pl.DataFrame:
    """village code -> "Kel. X, Kota Y" (the reference table changes only with a new release)."""
    from pulih.reference.models import Region

    size = Region.objects.count()
    if size not in _REGION_NAMES:
        regions = pl.DataFrame(
            list(Region.objects.values_list("code", "name", "level")),
            schema={"code": pl.String, "name": pl.String, "level": pl.Int64},
            orient="row",
        )
        villages = regions.filter(pl.col("level") == 4).with_columns(
            pl.col("code").str.slice(0, 5).alias("city")
        )
        cities = regions.filter(pl.col("level") == 2).select(
            pl.col("code").alias("city"), pl.col("name").alias("city_name")
        )
        _REGION_NAMES.clear()
        _REGION_NAMES[size] = villages.join(cities, on="city", how="left").select(
            "code",
            pl.concat_str("name", pl.lit(", "), pl.col("city_name").fill_null("")).alias(
                "region_name"
            ),
        )
    return _REGION_NAMES[size]


def applicant_frame(
    round_obj: Round,
    declarations: list[dict[str, Any]],
    *,
    application_ids: list[int] | None = None,
) -> pl.DataFrame:
    """Every input of every rule for the round's applications (or the given ones)."""
    ids = application_ids
    base = _base(round_obj.pk, ids)
    if base.height == 0:
        return _with_declarations(base, declarations).with_columns(
            *[pl.lit("").alias(R.list_column(k)) for k in STOP_LIST_KINDS],
            pl.lit(False).alias("shared_nik"),
            pl.lit(R.CIVIL_NO_LIST).alias("civil_registry"),
            pl.lit([], dtype=pl.List(pl.String)).alias("received_programmes"),
            pl.lit(1, dtype=pl.UInt32).alias("person_rank"),
            pl.lit(0, dtype=pl.Int64).alias("first_application_id"),
            pl.lit("").alias("business_region_name"),
            pl.lit("").alias("person_region_name"),
        )
    names = _region_names()
    frame = (
        base.join(_list_status(base), on="application_id", how="left")
        .join(_shared_nik(base), on="application_id", how="left")
        .join(_civil_registry(base, round_obj.pk, ids), on="application_id", how="left")
        .join(_received(base, round_obj.pk, ids), on="application_id", how="left")
        .join(_person_rank(round_obj.pk, base), on="application_id", how="left")
        .join(
            names.rename({"code": "business_region", "region_name": "business_region_name"}),
            on="business_region",
            how="left",
        )
        .join(
            names.rename({"code": "person_region", "region_name": "person_region_name"}),
            on="person_region",
            how="left",
        )
        .with_columns(
            pl.col("business_region_name").fill_null(pl.col("business_region")),
            pl.col("person_region_name").fill_null(pl.col("person_region")),
        )
    )
    return _with_declarations(frame, declarations).sort("application_id")


def _with_declarations(frame: pl.DataFrame, declarations: list[dict[str, Any]]) -> pl.DataFrame:
    if not declarations:
        return frame
    dtype = pl.Struct({d["field"]: DECLARATION_DTYPES[d["type"]] for d in declarations})
    decoded = frame["declarations"].fill_null("{}").str.json_decode(dtype)
    return frame.with_columns(
        decoded.struct.field(d["field"]).alias(f"declared_{d['field']}") for d in declarations
    )


# --- declarations written in a proposer list ---------------------------------------------------

YES = {"ya", "y", "yes", "benar", "ada", "1", "true"}
NO = {"tidak", "tdk", "t", "no", "n", "tidak ada", "belum", "0", "false"}


def declarations_from_file(
    path: Path, file_format: str, sheet: str, declarations: list[dict[str, Any]]
) -> pl.DataFrame:
    """row_number and one column per programme declaration found in a proposer list's headers
    (matched by field name or label: "Saldo Tabungan", "saldo_tabungan", "Saldo tabungan (Rp)").
    Cells that do not read as their type are left empty; the rule then says "tidak diisi"."""
    from pulih.intake.columns import header_key
    from pulih.intake.normalize import parse_money
    from pulih.intake.reader import ROW, read_table

    table = read_table(path, file_format, sheet=sheet)
    by_key = {header_key(h): h for h in table.headers}
    columns: list[pl.Series] = [table.frame[ROW].cast(pl.Int64).alias("row_number")]
    for spec in declarations:
        wanted = {
            header_key(spec["field"].replace("_", " ")),
            header_key(spec["label"]),
            header_key(spec["label"].split("(")[0]),
            *(header_key(c) for c in spec.get("columns", [])),
        }
        header = next((by_key[k] for k in wanted if k in by_key), None)
        if header is None:
            continue
        raw = table.frame[header].cast(pl.String).fill_null("").str.strip_chars()
        if spec["type"] == "money":
            value = parse_money(raw).cast(pl.Int64)
        elif spec["type"] == "yes_no":
            lowered = raw.str.to_lowercase()
            value = pl.select(
                pl.when(lowered.is_in(list(YES)))
                .then(True)
                .when(lowered.is_in(list(NO)))
                .then(False)
            ).to_series()
        else:
            value = pl.select(pl.when(raw != "").then(raw.str.slice(0, 300))).to_series()
        columns.append(value.alias(spec["field"]))
    return pl.DataFrame(columns)


# --- evaluation -------------------------------------------------------------------------------


@dataclass
class Evaluated:
    frame: pl.DataFrame  # application_id, eligible, results (JSON), status, region columns
    failures: dict[str, int]


def evaluate(frame: pl.DataFrame, rules: list[R.Rule]) -> Evaluated:
    """Each application's outcome under `rules` (the built-in one-per-person rule included)."""
    all_rules = R.rules_with_builtin(rules)
    result = R.evaluate(frame, all_rules)
    failures = {rule.code: int((~result[rule.code]).sum()) for rule in all_rules}
    out = frame.select("application_id", "status", "business_region").with_columns(
        result["eligible"], R.results_json(result, all_rules)
    )
    return Evaluated(out, failures)


def evaluation_write(evaluated: pl.DataFrame, *, version_id: int, at: datetime) -> None:
    """Store results on every application, and move the status of those no decision holds."""
    new_status = (
        pl.when(~pl.col("status").is_in(OPEN_STATUSES))
        .then(pl.col("status"))
        .when(pl.col("eligible"))
        .then(
            pl.when(pl.col("status") == ApplicationStatus.RESERVE.value)
            .then(pl.col("status"))
            .otherwise(pl.lit(ApplicationStatus.ELIGIBLE.value))
        )
        .otherwise(pl.lit(ApplicationStatus.INELIGIBLE.value))
    )
    rows = evaluated.select(
        pl.col("application_id"),
        pl.col("eligible"),
        pl.col("results"),
        new_status.alias("status"),
    )
    stamp = db_timestamp(at)
    rows = rows.select(
        "application_id", "eligible", "results", "status",
        pl.lit(version_id, dtype=pl.Int64).alias("evaluated_version_id"),
        pl.lit(stamp).alias("evaluated_at"), pl.lit(stamp).alias("updated_at"),
    )  # fmt: skip
    # The one new reference is the version, held here as its trigger would; the per-row
    # trigger checks at commit took ~2 s for 500,000 rows.
    key_share("programmes_programmeversion", version_id)
    with replica_role_local():
        writer_for_connection().update_from(
            "programmes_application",
            key="id",
            columns=("eligible", "results", "status", "evaluated_version_id", "evaluated_at",
                     "updated_at"),
            rows=rows,
        )  # fmt: skip


# --- what-if and selection ---------------------------------------------------------------------


def snapshot_path(round_obj: Round) -> Path:
    return Path(settings.PULIH_PROGRAMMES_DIR) / f"round-{round_obj.pk}" / "applicants.parquet"


def snapshot_write(round_obj: Round, frame: pl.DataFrame) -> None:
    """The frame of the latest evaluation, so what-if answers without touching the database."""
    path = snapshot_path(round_obj)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    frame.write_parquet(tmp)
    os.replace(tmp, path)


def snapshot_read(round_obj: Round) -> pl.DataFrame | None:
    path = snapshot_path(round_obj)
    return pl.read_parquet(path) if path.exists() else None


@dataclass
class WhatIf:
    applicants: int
    eligible: int
    cost: int
    within_budget: int  # recipients the budget allows (after what is already committed)
    failures: dict[str, int]
    by_city: list[dict[str, Any]]
    by_district: list[dict[str, Any]]


def what_if(frame: pl.DataFrame, rules: list[R.Rule], *, amount: int, budget_left: int) -> WhatIf:
    """How many pass, what it costs and where, under rules and an amount not yet saved."""
    all_rules = R.rules_with_builtin(rules)
    result = R.evaluate(frame, all_rules)
    live = frame["status"] != ApplicationStatus.WITHDRAWN.value
    passed = result["eligible"] & live
    eligible = int(passed.sum())
    where = frame.select(
        pl.col("business_region").str.slice(0, 5).alias("city"),
        pl.col("business_region").str.slice(0, 8).alias("district"),
        pl.col("business_region_name"),
    ).with_columns(passed.alias("passed"), live.alias("live"))

    def split(level: str) -> list[dict[str, Any]]:
        grouped = (
            where.filter(pl.col("live"))
            .group_by(level)
            .agg(pl.len().alias("applicants"), pl.col("passed").sum().alias("eligible"))
            .with_columns((pl.col("eligible") * amount).alias("cost"))
            .sort(level)
        )
        return grouped.rename({level: "region"}).to_dicts()

    return WhatIf(
        applicants=int(live.sum()),
        eligible=eligible,
        cost=eligible * amount,
        within_budget=min(eligible, max(budget_left, 0) // amount),
        failures={rule.code: int((~result[rule.code] & live).sum()) for rule in all_rules},
        by_city=split("city"),
        by_district=split("district"),
    )


def select_recipients(
    candidates: pl.DataFrame, *, quotas: dict[str, int], already: dict[str, int], slots: int
) -> pl.DataFrame:
    """The first `slots` candidates in order (application id) that fit their region's quota.

    `candidates`: application_id, business_region, ...; `already`: recipients each quota region
    has from earlier decisions. Quotas never nest (definition.py refuses it), so a candidate
    counts against at most one quota and the choice is a rank within groups.
    """
    if candidates.height == 0:
        return candidates
    frame = candidates.sort("application_id").with_columns(
        pl.lit(None, dtype=pl.String).alias("quota")
    )
    for code in quotas:
        inside = (pl.col("business_region") == code) | pl.col("business_region").str.starts_with(
            code + "."
        )
        frame = frame.with_columns(
            pl.when(inside).then(pl.lit(code)).otherwise(pl.col("quota")).alias("quota")
        )
    limits = pl.DataFrame(
        {
            "quota": list(quotas),
            "room": [max(quotas[q] - already.get(q, 0), 0) for q in quotas],
        },
        schema={"quota": pl.String, "room": pl.Int64},
    )
    frame = (
        frame.with_columns(pl.col("application_id").cum_count().over("quota").alias("place"))
        .join(limits, on="quota", how="left")
        .filter(pl.col("quota").is_null() | (pl.col("place") <= pl.col("room")))
        .sort("application_id")
        .head(max(slots, 0))
    )
    return frame.drop("quota", "place", "room")
