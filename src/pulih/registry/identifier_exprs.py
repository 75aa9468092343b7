"""The registry's identifier rules (identifiers.py) as Polars expressions, for whole frames at once.

Bulk paths must reach the verdicts of the one-record functions. For a compacted NIK and for
the business size the expressions reproduce parse_nik, nik_mismatches and business_size_class
outright. The phone and NIB expressions are deliberately narrower: each gives the function's
result where the text is of a plain form whose outcome is certain, and null wherever the
function would refuse it or the expression is not sure, so that a caller sends those rows to
the function itself. tests/test_identifier_exprs.py, linkage/tests/test_anomalies.py and
intake/tests/test_precheck.py hold them to it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import polars as pl

from pulih.registry.identifiers import (
    ANNUAL_SALES_LIMITS,
    CAPITAL_LIMITS,
    FEMALE,
    FEMALE_DAY_OFFSET,
    MALE,
    NIB_LENGTH,
    NIK_LENGTH,
    PHONE_COUNTRY_CODE,
    PHONE_NSN_MAX,
    PHONE_NSN_MIN,
    mask_nik,
    mask_phone,
)


@dataclass(frozen=True)
class NikChecks:
    """parse_nik over a column of compacted NIKs: which of its checks fails first, if any.

    The failure flags are exclusive and follow parse_nik's order; `parsed` is the row where
    none fails, and there `birth_date` and `sex` are the Nik's fields.
    """

    present: pl.Expr
    not_digits: pl.Expr
    wrong_length: pl.Expr
    unknown_district: pl.Expr
    invalid_date: pl.Expr
    zero_serial: pl.Expr
    parsed: pl.Expr
    birth_date: pl.Expr
    sex: pl.Expr


# Working columns that nik_checks adds to a frame; callers select what they need.
NIK_WORK_PREFIX = "__nik_"


def _possible_date(year: pl.Expr, month: pl.Expr, day: pl.Expr, today: date) -> pl.Expr:
    """Whether year-month-day is a real date no later than today. In integers: building
    dates (or parsing them from text) to find the impossible ones costs ten times more."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = (
        pl.when(month == 2)
        .then(28 + leap.cast(pl.Int32))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )
    return (
        month.is_between(1, 12)
        & day.is_between(1, month_days)
        & (year * 10_000 + month * 100 + day <= today.year * 10_000 + today.month * 100 + today.day)
    )


def nik_checks(
    frame: pl.LazyFrame, nik: pl.Expr, *, district_codes: Collection[str] | None, today: date
) -> tuple[pl.LazyFrame, NikChecks]:
    """`frame` with working columns (named NIK_WORK_PREFIX...) and the checks as expressions
    over them: each is computed once however often a caller uses it. `nik` is the compacted
    text (separators removed, as identifiers.compact_nik does); `district_codes` None skips
    the district check."""

    def work(name: str) -> pl.Expr:
        return pl.col(NIK_WORK_PREFIX + name)

    text = work("text")
    frame = frame.with_columns(nik.alias(NIK_WORK_PREFIX + "text"))
    known = (
        pl.format(
            "{}.{}.{}", text.str.slice(0, 2), text.str.slice(2, 2), text.str.slice(4, 2)
        ).is_in(pl.lit(pl.Series(sorted(district_codes), dtype=pl.String)).implode())
        if district_codes is not None
        else pl.lit(True)
    )
    present = text.is_not_null() & (text.str.len_chars() > 0)
    not_digits = present & ~text.str.contains(r"^[0-9]+$")
    wrong_length = present & ~not_digits & (text.str.len_chars() != NIK_LENGTH)
    frame = frame.with_columns(
        text.str.slice(6, 2).cast(pl.Int32, strict=False).alias(NIK_WORK_PREFIX + "dd"),
        text.str.slice(8, 2).cast(pl.Int32, strict=False).alias(NIK_WORK_PREFIX + "mm"),
        text.str.slice(10, 2).cast(pl.Int32, strict=False).alias(NIK_WORK_PREFIX + "yy"),
        known.alias(NIK_WORK_PREFIX + "known"),
        present.alias(NIK_WORK_PREFIX + "present"),
        not_digits.alias(NIK_WORK_PREFIX + "not_digits"),
        wrong_length.alias(NIK_WORK_PREFIX + "wrong_length"),
        (text.str.slice(12, 4) == "0000").alias(NIK_WORK_PREFIX + "zero"),
    )
    dd, mm, yy = work("dd"), work("mm"), work("yy")
    day = pl.when(dd > FEMALE_DAY_OFFSET).then(dd - FEMALE_DAY_OFFSET).otherwise(dd)
    # The most recent century that keeps the date in the past, as identifiers._nik_birth_date.
    year = (
        pl.when(_possible_date(2000 + yy, mm, day, today))
        .then(2000 + yy)
        .when(_possible_date(1900 + yy, mm, day, today))
        .then(1900 + yy)
    )
    frame = frame.with_columns(year.alias(NIK_WORK_PREFIX + "year"))
    found = work("year").is_not_null()
    structural = work("present") & ~work("not_digits") & ~work("wrong_length")
    known, zero = work("known"), work("zero")
    frame = frame.with_columns(
        # pl.date() refuses impossible parts even where the year is null: give it harmless ones.
        pl.when(found)
        .then(
            pl.date(
                work("year"),
                pl.when(found).then(mm).otherwise(1),
                pl.when(found).then(day).otherwise(1),
            )
        )
        .alias(NIK_WORK_PREFIX + "birth_date"),
        (structural & ~known).alias(NIK_WORK_PREFIX + "unknown_district"),
        (structural & known & ~found).alias(NIK_WORK_PREFIX + "invalid_date"),
        (structural & known & found & zero).alias(NIK_WORK_PREFIX + "zero_serial"),
        (structural & known & found & ~zero).alias(NIK_WORK_PREFIX + "parsed"),
        pl.when(dd > FEMALE_DAY_OFFSET)
        .then(pl.lit(FEMALE))
        .otherwise(pl.lit(MALE))
        .alias(NIK_WORK_PREFIX + "sex"),
    )
    return frame, NikChecks(
        present=work("present"),
        not_digits=work("not_digits"),
        wrong_length=work("wrong_length"),
        unknown_district=work("unknown_district"),
        invalid_date=work("invalid_date"),
        zero_serial=work("zero_serial"),
        parsed=work("parsed"),
        birth_date=work("birth_date"),
        sex=work("sex"),
    )


def nik_mismatch_flags(
    checks: NikChecks, *, birth_date: pl.Expr, sex: pl.Expr
) -> tuple[pl.Expr, pl.Expr]:
    """nik_mismatches' two findings (birth date, sex) where the NIK parsed. `sex` is compared as
    given: pass it stripped and upper-cased, as nik_mismatches compares it."""
    nik_date = checks.birth_date
    date_mismatch = (
        checks.parsed
        & birth_date.is_not_null()
        & (
            (birth_date.dt.day() != nik_date.dt.day())
            | (birth_date.dt.month() != nik_date.dt.month())
            # Only the two year digits are in the NIK; the century was a guess.
            | (birth_date.dt.year() % 100 != nik_date.dt.year() % 100)
        )
    )
    sex_mismatch = (
        checks.parsed & sex.is_not_null() & (sex.str.len_chars() > 0) & (sex != checks.sex)
    )
    return date_mismatch, sex_mismatch


# normalize_phone's separators among ASCII, plus digits and "+": the forms the expression knows.
_PLAIN_PHONE = r"^[0-9 .\-()+]*$"
_NATIONAL_NUMBER = rf"^[1-9][0-9]{{{PHONE_NSN_MIN - 1},{PHONE_NSN_MAX - 1}}}$"


def phone_certain(raw: pl.Expr) -> pl.Expr:
    """normalize_phone(raw) where the text is plain ASCII and the number is valid; else null."""
    code = PHONE_COUNTRY_CODE
    # One anchored replace does normalize_phone's if/elif chain: the alternatives are tried in
    # its order at the first character only, and the first that matches is the one removed.
    national = raw.str.replace_all(r"[ .\-()]", "").str.replace(rf"^(?:\+{code}|{code}|0)", "")
    ok = raw.str.contains(_PLAIN_PHONE) & national.str.contains(_NATIONAL_NUMBER)
    return pl.when(ok).then(pl.lit("+" + code) + national)


def nib_certain(raw: pl.Expr) -> pl.Expr:
    """normalize_nib(raw) where the text is ASCII digits and spaces making a valid NIB; else null."""
    value = raw.str.replace_all(" ", "", literal=True)
    ok = raw.str.contains(r"^[0-9 ]*$") & value.str.contains(rf"^[0-9]{{{NIB_LENGTH}}}$")
    return pl.when(ok).then(value)


def _size_rank(amount: pl.Expr, limits: tuple[int, int, int]) -> pl.Expr:
    # Null above the last limit, where identifiers._size_rank refuses.
    return (
        pl.when(amount <= limits[0])
        .then(0)
        .when(amount <= limits[1])
        .then(1)
        .when(amount <= limits[2])
        .then(2)
    )


def size_class_certain(*, capital: pl.Expr, annual_sales: pl.Expr) -> pl.Expr:
    """business_size_class as text where it returns a class, "" where neither figure is
    given (the caller does not ask it then), null where it refuses."""
    # Imported here, as identifiers does, so that models may use this module without a cycle.
    from pulih.registry.models import SizeClass

    classes = [str(c) for c in (SizeClass.MIKRO, SizeClass.KECIL, SizeClass.MENENGAH)]
    refused = pl.lit(False)
    for amount, limits in ((capital, CAPITAL_LIMITS), (annual_sales, ANNUAL_SALES_LIMITS)):
        rank = _size_rank(amount, limits)
        refused = refused | (amount.is_not_null() & ((amount < 0) | rank.is_null()))
    # The larger class wins, as business_size_class decides.
    rank = pl.max_horizontal(
        _size_rank(capital, CAPITAL_LIMITS), _size_rank(annual_sales, ANNUAL_SALES_LIMITS)
    )
    return (
        pl.when(refused)
        .then(pl.lit(None, dtype=pl.String))
        .when(rank.is_null())
        .then(pl.lit(""))
        .otherwise(rank.replace_strict(dict(enumerate(classes)), return_dtype=pl.String))
    )


# The forms a staged, accepted row already has (compact NIK, E.164 phone): for those the masks
# are a few string slices, done in Polars for a whole column; anything else goes through the
# one-value functions (tests/test_identifier_exprs.py: equal output).
_COMPACT_NIK = rf"^[0-9]{{{NIK_LENGTH}}}$"
_E164_PHONE = rf"^\+{PHONE_COUNTRY_CODE}[1-9][0-9]{{{PHONE_NSN_MIN - 1},{PHONE_NSN_MAX - 1}}}$"


def mask_niks(values: pl.Series) -> pl.Series:
    """mask_nik() of each value of a column."""
    if values.str.contains(_COMPACT_NIK).fill_null(False).all():
        return values.str.slice(0, 6) + "******" + values.str.slice(12)
    return pl.Series(values.name, [mask_nik(v) for v in values], dtype=pl.String)


def mask_phones(values: pl.Series) -> pl.Series:
    """mask_phone() of each value of a column; an empty or missing value becomes empty."""
    given = values.drop_nulls()
    if not given.filter(given != "").str.contains(_E164_PHONE).all():
        return pl.Series(values.name, [mask_phone(v) if v else "" for v in values], dtype=pl.String)
    phone = pl.col("phone")
    national = phone.str.slice(1 + len(PHONE_COUNTRY_CODE))
    stars = pl.lit("*" * (PHONE_NSN_MAX - 7)).str.slice(0, national.str.len_chars() - 7)
    masked = pl.concat_str(
        pl.lit(f"+{PHONE_COUNTRY_CODE}"), national.str.slice(0, 3), stars, national.str.slice(-4)
    )
    empty = phone.is_null() | (phone == "")
    out = pl.when(empty).then(pl.lit("")).otherwise(masked).alias(values.name)
    return values.to_frame("phone").select(out).to_series()
