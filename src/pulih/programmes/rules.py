"""Eligibility checks an officer can read, each a pair of Polars expressions over the applicant
frame (programmes.pipeline): whether the applicant passes, and the value the check saw.

A whole round and a single application go through the same expressions (a frame of one row
is still a frame), so the two can only disagree if their inputs do; tests/test_eligibility
proves the inputs agree too. A new check is one entry in CHECKS; no other code changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from pulih.linkage.models import ListKind
from pulih.programmes.error_codes import ProgrammeError, ProgrammeErrorCode as E
from pulih.registry.models import RegistrationStatus, SizeClass

# Values of the list_<kind> columns of the applicant frame.
LIST_HIT = "hit"
LIST_REVIEW = "review"
# Values of the civil_registry column.
CIVIL_MATCH = "match"
CIVIL_ABSENT = "absent"
CIVIL_OTHER_PERSON = "other_person"
CIVIL_BIRTH_DATE = "birth_date_differs"
CIVIL_NO_LIST = "no_list"

LIST_LABELS = {kind.value: str(kind.label) for kind in ListKind}


def list_column(kind: str) -> str:
    return f"list_{kind}"


def rupiah(value: int) -> str:
    return "Rp" + f"{value:,}".replace(",", ".")


def _rupiah_expr(column: pl.Expr) -> pl.Expr:
    """ "Rp1.500.000" from an integer column, set-based."""
    digits = column.cast(pl.Int64).abs().cast(pl.String)
    # Group the digits in threes from the right: reverse, insert dots, reverse back.
    grouped = (
        digits.str.reverse()
        .str.replace_all(r"(\d{3})", "$1.")
        .str.strip_chars_end(".")
        .str.reverse()
    )
    sign = pl.when(column < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str(sign, pl.lit("Rp"), grouped)


@dataclass(frozen=True)
class Rule:
    """One rule of a programme version, as written in its definition file."""

    code: str
    check: str
    label: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """A kind of rule: its parameters, the columns it reads and its two expressions."""

    name: str
    description: str
    params: dict[str, str]  # parameter -> expected type name ("list[str]", "int", "str", "bool")
    columns: Callable[[dict[str, Any]], list[str]]
    passed: Callable[[dict[str, Any]], pl.Expr]
    seen: Callable[[dict[str, Any]], pl.Expr]
    default_label: Callable[[dict[str, Any]], str]
    validate: Callable[[dict[str, Any], str], None] = lambda params, where: None


def _in_regions(column: str, codes: list[str]) -> pl.Expr:
    col = pl.col(column)
    return pl.any_horizontal(
        *[(col == code) | col.str.starts_with(code + ".") for code in codes]
    ).fill_null(False)


def _validate_sizes(params: dict[str, Any], where: str) -> None:
    unknown = set(params["sizes"]) - set(SizeClass.values)
    if unknown:
        raise ProgrammeError(
            E.DEFINITION_BAD_VALUE,
            where=where,
            detail=f"skala {', '.join(sorted(unknown))} tidak dikenal ({', '.join(SizeClass.values)})",
        )


def _validate_lists(params: dict[str, Any], where: str) -> None:
    unknown = set(params["lists"]) - set(ListKind.values)
    if unknown:
        raise ProgrammeError(
            E.DEFINITION_BAD_VALUE,
            where=where,
            detail=f"daftar {', '.join(sorted(unknown))} tidak dikenal ({', '.join(ListKind.values)})",
        )


def _validate_regions(params: dict[str, Any], where: str) -> None:
    from pulih.reference.models import Region

    codes = params["regions"]
    known = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    missing = [c for c in codes if c not in known]
    if missing:
        raise ProgrammeError(
            E.DEFINITION_BAD_VALUE,
            where=where,
            detail=f"kode wilayah {', '.join(missing)} tidak ada",
        )


def _list_seen(kinds: list[str]) -> pl.Expr:
    parts = [
        pl.when(pl.col(list_column(k)) == LIST_HIT)
        .then(pl.lit(f"tercantum di daftar {LIST_LABELS[k]}"))
        .when(pl.col(list_column(k)) == LIST_REVIEW)
        .then(pl.lit(f"kemungkinan tercantum di daftar {LIST_LABELS[k]} (menunggu pemeriksaan)"))
        for k in kinds
    ]
    joined = pl.concat_str(parts, separator="; ", ignore_nulls=True)
    return pl.when(joined == "").then(pl.lit("tidak tercantum")).otherwise(joined)


def _list_passed(kinds: list[str]) -> pl.Expr:
    return pl.all_horizontal(*[pl.col(list_column(k)) == "" for k in kinds])


def _declared(params: dict[str, Any]) -> pl.Expr:
    return pl.col(f"declared_{params['field']}")


def _field_label(params: dict[str, Any]) -> str:
    """The declaration's label without a unit in brackets: "Saldo tabungan"."""
    label = params.get("field_label") or params["field"].replace("_", " ")
    label = re.sub(r"\s*\([^)]*\)\s*$", "", label)
    # "Sedang menerima kredit bank atau KUR" -> "sedang menerima kredit bank atau KUR"
    return label[:1].lower() + label[1:]


_SIZE_LABELS = {s.value: str(s.label).lower() for s in SizeClass}
_STATUS_LABELS = {s.value: str(s.label).lower() for s in RegistrationStatus}

CHECKS: dict[str, Check] = {
    c.name: c
    for c in (
        Check(
            name="business_size",
            description="Skala usaha (PP 7/2021) termasuk salah satu yang disebut.",
            params={"sizes": "list[str]"},
            columns=lambda p: ["size_class"],
            passed=lambda p: pl.col("size_class").is_in(p["sizes"]).fill_null(False),
            seen=lambda p: pl.concat_str(
                pl.lit("skala usaha "),
                pl.col("size_class")
                .replace_strict(_SIZE_LABELS, default="tidak diketahui")
                .fill_null("tidak diketahui"),
            ),
            default_label=lambda p: "usaha " + "/".join(_SIZE_LABELS[s] for s in p["sizes"]),
            validate=_validate_sizes,
        ),
        Check(
            name="business_region",
            description="Usaha berdomisili di salah satu wilayah (kode Kemendagri, tingkat apa pun).",
            params={"regions": "list[str]"},
            columns=lambda p: ["business_region"],
            passed=lambda p: _in_regions("business_region", p["regions"]),
            seen=lambda p: pl.concat_str(pl.lit("usaha di "), pl.col("business_region_name")),
            default_label=lambda p: "domisili usaha di " + ", ".join(p["regions"]),
            validate=_validate_regions,
        ),
        Check(
            name="person_region",
            description="Pemilik beralamat di salah satu wilayah.",
            params={"regions": "list[str]"},
            columns=lambda p: ["person_region"],
            passed=lambda p: _in_regions("person_region", p["regions"]),
            seen=lambda p: pl.concat_str(pl.lit("alamat di "), pl.col("person_region_name")),
            default_label=lambda p: "alamat pemilik di " + ", ".join(p["regions"]),
            validate=_validate_regions,
        ),
        Check(
            name="not_listed",
            description="Tidak tercantum di daftar penyaring yang disebut (ASN, TNI, Polri, ...).",
            params={"lists": "list[str]"},
            columns=lambda p: [list_column(k) for k in p["lists"]],
            passed=lambda p: _list_passed(p["lists"]),
            seen=lambda p: _list_seen(p["lists"]),
            default_label=lambda p: (
                "tidak tercantum di daftar " + "/".join(LIST_LABELS[k] for k in p["lists"])
            ),
            validate=_validate_lists,
        ),
        Check(
            name="in_civil_registry",
            description="NIK ada di data Dukcapil terbaru dengan nama dan tanggal lahir yang sama.",
            params={},
            columns=lambda p: ["civil_registry"],
            passed=lambda p: pl.col("civil_registry") == CIVIL_MATCH,
            seen=lambda p: pl.col("civil_registry").replace_strict(
                {
                    CIVIL_MATCH: "NIK, nama dan tanggal lahir sesuai Dukcapil",
                    CIVIL_ABSENT: "NIK tidak ditemukan di data Dukcapil",
                    CIVIL_OTHER_PERSON: "NIK terdaftar di Dukcapil atas nama orang lain",
                    CIVIL_BIRTH_DATE: "tanggal lahir berbeda dengan data Dukcapil",
                    CIVIL_NO_LIST: "data Dukcapil belum dimuat",
                },
                default="tidak diketahui",
            ),
            default_label=lambda p: "NIK sesuai data Dukcapil",
        ),
        Check(
            name="nik_consistent",
            description="Tanggal lahir dan jenis kelamin sesuai NIK, dan NIK tidak dipakai orang lain.",
            params={},
            columns=lambda p: ["nik_birth_date_mismatch", "nik_sex_mismatch", "shared_nik"],
            passed=lambda p: (
                ~(
                    pl.col("nik_birth_date_mismatch")
                    | pl.col("nik_sex_mismatch")
                    | pl.col("shared_nik")
                )
            ),
            seen=lambda p: pl.concat_str(
                [
                    pl.when(pl.col("nik_birth_date_mismatch")).then(
                        pl.lit("tanggal lahir tidak sesuai NIK")
                    ),
                    pl.when(pl.col("nik_sex_mismatch")).then(
                        pl.lit("jenis kelamin tidak sesuai NIK")
                    ),
                    pl.when(pl.col("shared_nik")).then(pl.lit("NIK dipakai orang lain")),
                ],
                separator="; ",
                ignore_nulls=True,
            ).pipe(lambda text: pl.when(text == "").then(pl.lit("NIK wajar")).otherwise(text)),
            default_label=lambda p: "NIK wajar",
        ),
        Check(
            name="declared_at_most",
            description="Nilai yang dinyatakan pemohon (mis. saldo tabungan) paling banyak sekian.",
            params={"field": "str", "max": "int"},
            columns=lambda p: [f"declared_{p['field']}"],
            passed=lambda p: (_declared(p) <= p["max"]).fill_null(False),
            seen=lambda p: (
                pl.when(_declared(p).is_null())
                .then(pl.lit(f"{_field_label(p)} tidak diisi"))
                .otherwise(pl.concat_str(pl.lit(_field_label(p) + " "), _rupiah_expr(_declared(p))))
            ),
            default_label=lambda p: f"{_field_label(p)} <= {rupiah(p['max'])}",
        ),
        Check(
            name="declared_is",
            description="Pernyataan ya/tidak pemohon bernilai sekian (mis. tidak sedang menerima kredit).",
            params={"field": "str", "value": "bool"},
            columns=lambda p: [f"declared_{p['field']}"],
            passed=lambda p: (_declared(p) == p["value"]).fill_null(False),
            seen=lambda p: pl.concat_str(
                pl.lit(_field_label(p) + ": "),
                _declared(p)
                .cast(pl.String)
                .replace_strict({"true": "ya", "false": "tidak"}, default="tidak diisi")
                .fill_null("tidak diisi"),
            ),
            default_label=lambda p: f"{_field_label(p)}: {'ya' if p['value'] else 'tidak'}",
        ),
        Check(
            name="not_received",
            description="Belum menerima dari program yang disebut (putaran lain, dicatat Pulih).",
            params={"programmes": "list[str]"},
            columns=lambda p: ["received_programmes"],
            passed=lambda p: (
                ~pl.col("received_programmes")
                .list.eval(pl.element().is_in(p["programmes"]))
                .list.any()
                .fill_null(False)
            ),
            seen=lambda p: (
                pl.col("received_programmes")
                .list.eval(pl.element().filter(pl.element().is_in(p["programmes"])))
                .list.join(", ")
                .pipe(
                    lambda text: (
                        pl.when(text.fill_null("") == "")
                        .then(pl.lit("belum pernah menerima"))
                        .otherwise(pl.concat_str(pl.lit("sudah menerima: "), text))
                    )
                )
            ),
            default_label=lambda p: "belum menerima " + ", ".join(p["programmes"]),
        ),
        Check(
            name="business_verified",
            description="Pendaftaran usaha sudah diverifikasi petugas.",
            params={},
            columns=lambda p: ["business_status"],
            passed=lambda p: pl.col("business_status") == RegistrationStatus.VERIFIED.value,
            seen=lambda p: pl.concat_str(
                pl.lit("pendaftaran usaha "),
                pl.col("business_status").replace_strict(_STATUS_LABELS, default="tidak diketahui"),
            ),
            default_label=lambda p: "pendaftaran usaha terverifikasi",
        ),
    )
}

# Applied in every round whatever its definition says: one benefit per person per round.
ONE_PER_PERSON = Rule(
    code="satu_per_orang",
    check="first_for_person",
    label="satu orang satu bantuan per putaran",
)
CHECKS["first_for_person"] = Check(
    name="first_for_person",
    description="Pengajuan pertama atas nama orang itu pada putaran ini (data ganda digabung).",
    params={},
    columns=lambda p: ["person_rank", "first_application_id"],
    passed=lambda p: pl.col("person_rank") == 1,
    seen=lambda p: (
        pl.when(pl.col("person_rank") == 1)
        .then(pl.lit("pengajuan pertama"))
        .otherwise(
            pl.concat_str(
                pl.lit("sudah diajukan sebagai pengajuan #"),
                pl.col("first_application_id").cast(pl.String),
            )
        )
    ),
    default_label=lambda p: ONE_PER_PERSON.label,
)


def rules_with_builtin(rules: list[Rule]) -> list[Rule]:
    return [*rules, ONE_PER_PERSON]


def evaluate(frame: pl.DataFrame, rules: list[Rule]) -> pl.DataFrame:
    """application_id, eligible, and for each rule `<code>` (passed) and `<code>__seen`."""
    exprs: list[pl.Expr] = []
    for rule in rules:
        check = CHECKS[rule.check]
        exprs.append(check.passed(rule.params).fill_null(False).alias(rule.code))
        exprs.append(check.seen(rule.params).fill_null("").alias(f"{rule.code}__seen"))
    out = frame.select(pl.col("application_id"), *exprs)
    if rules:
        eligible = pl.all_horizontal(*[pl.col(r.code) for r in rules])
    else:
        eligible = pl.lit(True)
    return out.with_columns(eligible.alias("eligible"))


def results_json(evaluated: pl.DataFrame, rules: list[Rule]) -> pl.Series:
    """Each row's [[code, passed, seen], ...] as JSON text, built set-based."""
    import json

    if not rules:
        return pl.Series("results", ["[]"] * evaluated.height, dtype=pl.String)
    parts = [
        pl.concat_str(
            pl.lit("[" + json.dumps(rule.code) + ","),
            pl.when(pl.col(rule.code)).then(pl.lit("true")).otherwise(pl.lit("false")),
            pl.lit(","),
            pl.col(f"{rule.code}__seen").map_batches(
                lambda s: (
                    s.map_elements(json.dumps, return_dtype=pl.String)
                    if s.len() < 64
                    else _json_strings(s)
                ),
                return_dtype=pl.String,
            ),
            pl.lit("]"),
        )
        for rule in rules
    ]
    return evaluated.select(
        pl.concat_str([pl.lit("["), pl.concat_str(parts, separator=","), pl.lit("]")]).alias(
            "results"
        )
    )["results"]


def _json_strings(s: pl.Series) -> pl.Series:
    """JSON string literals for a text column: the few distinct values are encoded once."""
    import json

    distinct = s.unique()
    encoded = dict(
        zip(distinct.to_list(), [json.dumps(v or "") for v in distinct.to_list()], strict=True)
    )
    return s.replace_strict(encoded, return_dtype=pl.String)
