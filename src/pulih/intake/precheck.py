"""The set-based twin of staging.check_rows: which rows its rules certainly accept, staged at once.

check_rows stays the authority. A row counts as certain here only when every cell it looks at
has a plain form whose outcome these expressions know exactly (a NIK of ASCII digits and
separators, a phone number of digits and separators, whitespace that is only spaces, ...) and
no rule would give a reason; every other row, whatever its fault or oddity, goes to check_rows,
which writes the reasons. tests/test_precheck.py holds the one property that matters: a row
accepted here is accepted there, with the same staged fields.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl

from pulih.intake.reader import ROW
from pulih.registry.identifier_exprs import (
    NIK_WORK_PREFIX,
    nib_certain,
    nik_checks,
    nik_mismatch_flags,
    phone_certain,
    size_class_certain,
)
from pulih.registry.identifiers import EARLIEST_BIRTH_DATE, FEMALE, MALE

CERTAIN = "__certain"
# Every character Python's str.split() splits on apart from the plain space: where one of
# these occurs, " ".join(text.split()) is not a mere squeeze of spaces. (Polars' \s lacks
# \x1c-\x1f, which Python counts as whitespace; tests/test_precheck.py checks the list.)
_ODD_SPACE = (
    r"[\t\n\x0b\x0c\r\x1c-\x1f\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}"
    r"\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
)
_ASCII = r"^[\x00-\x7f]*$"
_BIRTH_DATE, _SEX, _PHONE, _NIB, _SIZE, _BUSINESS_NAME = (
    f"__pre_{name}" for name in ("birth_date", "sex", "phone", "nib", "size", "business_name")
)


def _blank(name: str) -> pl.Expr:
    """Python's `not value` for a text cell that may be None."""
    return pl.col(name).is_null() | (pl.col(name) == "")


def _filled(name: str) -> pl.Expr:
    return ~_blank(name)


def _plain_spaces(text: pl.Expr) -> pl.Expr:
    return text.is_not_null() & ~text.str.contains(_ODD_SPACE)


def _squeezed(text: pl.Expr) -> pl.Expr:
    """ " ".join(text.split()) for text whose only whitespace is the plain space."""
    # " {2,}", not " +": rewriting every single space with itself costs six times as much.
    return text.str.replace_all(" {2,}", " ").str.strip_chars(" ")


def precheck(
    prepared: pl.DataFrame,
    *,
    districts: frozenset[str],
    today: date,
    in_scope: Callable[[str], bool],
) -> pl.DataFrame:
    """`prepared` (the frame check_rows takes) with a boolean CERTAIN column and, where it is
    true, the staged fields of STAGED_SCHEMA except state, reasons and nik_hash."""
    # The scope rule is Python (accounts.selectors.codes_cover): asked once per distinct code.
    codes = prepared["village_code"].drop_nulls().unique().to_list()
    codes_inside = pl.Series([c for c in codes if c and in_scope(c)], dtype=pl.String)

    nik_raw = pl.col("nik_raw")
    # Only digits and the separators compact_nik removes: there it is exactly this replace.
    nik_value = nik_raw.str.replace_all(r"[ .\-]", "")
    frame, nik = nik_checks(prepared.lazy(), nik_value, district_codes=districts, today=today)
    nik_ok = nik_raw.str.contains(r"^[0-9 .\-]*$") & nik.parsed

    bdate, sex = pl.col("bdate"), pl.col("sex")
    # Computed once as columns: each is used both to decide and as an output.
    frame = frame.with_columns(
        # A list without birth date or sex columns takes them from the NIK, as the KTP does.
        pl.when(bdate.is_null() & _blank("bdate_raw"))
        .then(nik.birth_date)
        .otherwise(bdate)
        .alias(_BIRTH_DATE),
        pl.when(sex.is_null() & _blank("sex_raw")).then(nik.sex).otherwise(sex).alias(_SEX),
        phone_certain(pl.col("phone_raw")).alias(_PHONE),
        nib_certain(pl.col("nib_raw")).alias(_NIB),
        size_class_certain(capital=pl.col("capital"), annual_sales=pl.col("sales")).alias(_SIZE),
        pl.when(_blank("business_name") & _filled("sector"))
        .then(pl.col("sector"))
        .otherwise(pl.col("business_name"))
        .alias(_BUSINESS_NAME),
    )
    birth_date, sex_out, business_name = pl.col(_BIRTH_DATE), pl.col(_SEX), pl.col(_BUSINESS_NAME)
    phone, nib, size = pl.col(_PHONE), pl.col(_NIB), pl.col(_SIZE)
    date_mismatch, sex_mismatch = nik_mismatch_flags(nik, birth_date=birth_date, sex=sex_out)
    birth_date_ok = bdate.is_null() | ((bdate <= pl.lit(today)) & (bdate >= EARLIEST_BIRTH_DATE))
    postcode, kbli_code = pl.col("postcode"), pl.col("kbli_code")

    certain = (
        _blank("problem")
        & nik_ok
        & pl.col("name").str.len_chars().is_between(1, 150)
        & (bdate.is_not_null() | _blank("bdate_raw"))
        & birth_date_ok
        & (sex.is_not_null() | _blank("sex_raw"))
        & sex_out.is_in([MALE, FEMALE])
        & (_blank("phone_raw") | phone.is_not_null())
        & (pl.col("address") != "")
        & _plain_spaces(pl.col("address"))
        & _blank("region_problem")
        & (_blank("village_code") | pl.col("village_code").is_in(codes_inside.implode()))
        & (business_name != "")
        & _plain_spaces(business_name)
        & _plain_spaces(pl.col("business_address"))
        & (_blank("nib_raw") | nib.is_not_null())
        & (_blank("capital_raw") | pl.col("capital").is_not_null())
        & (_blank("sales_raw") | pl.col("sales").is_not_null())
        & (_blank("turnover_raw") | pl.col("turnover").is_not_null())
        & size.is_not_null()
        & (_blank("employees_raw") | (pl.col("employees_n") >= 0))
        & (_blank("started_raw") | pl.col("started_n").is_between(1900, today.year))
        # check_rows slices these as text: a missing one is its business, not ours.
        & pl.all_horizontal(
            pl.col(c).is_not_null()
            for c in ("name_titles", "place", "email", "sector", "postcode", "kbli_code")
        )
        # str.isdigit() and the \D of check_rows take non-ASCII digits too.
        & postcode.str.contains(_ASCII)
        & kbli_code.str.contains(_ASCII)
    ).fill_null(False)

    return frame.select(
        ROW,
        certain.alias(CERTAIN),
        nik=pl.col(NIK_WORK_PREFIX + "text"),
        full_name=pl.col("name").str.slice(0, 150),
        name_titles=pl.col("name_titles").str.slice(0, 80),
        birth_place=pl.col("place").str.slice(0, 80),
        birth_date=birth_date,
        sex=sex_out,
        nik_birth_date_mismatch=date_mismatch.fill_null(False),
        nik_sex_mismatch=sex_mismatch.fill_null(False),
        phone=pl.when(_blank("phone_raw")).then(pl.lit("")).otherwise(phone),
        email=pl.col("email").str.slice(0, 254),
        address=_squeezed(pl.col("address")).str.slice(0, 250),
        rt=pl.col("rt").fill_null(""),
        rw=pl.col("rw").fill_null(""),
        village_code=pl.col("village_code").fill_null(""),
        postcode=pl.when(postcode.str.contains(r"^[0-9]+$"))
        .then(postcode.str.slice(0, 5))
        .otherwise(pl.lit("")),
        business_name=_squeezed(business_name).str.slice(0, 150),
        business_address=_squeezed(pl.col("business_address")).str.slice(0, 250),
        kbli_section=pl.col("kbli_section"),
        kbli_code=kbli_code.str.replace_all(r"[^0-9]", "").str.slice(0, 5),
        description=pl.col("sector").str.slice(0, 500),
        nib=pl.when(_blank("nib_raw")).then(pl.lit("")).otherwise(nib),
        capital=pl.col("capital"),
        annual_sales=pl.col("sales"),
        monthly_turnover=pl.col("turnover"),
        employees=pl.when(_filled("employees_raw")).then(pl.col("employees_n")),
        started_year=pl.when(_filled("started_raw")).then(pl.col("started_n")),
        size_class=size,
    ).collect()
