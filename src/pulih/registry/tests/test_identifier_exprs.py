"""The set-based identifier rules against the one-value functions they stand in for."""

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

from pulih.registry.error_codes import RegistryError
from pulih.registry.identifier_exprs import (
    mask_niks,
    mask_phones,
    nib_certain,
    nik_checks,
    phone_certain,
    size_class_certain,
)
from pulih.registry.identifiers import (
    ANNUAL_SALES_LIMITS,
    CAPITAL_LIMITS,
    business_size_class,
    mask_nik,
    mask_phone,
    normalize_nib,
    normalize_phone,
    parse_nik,
)

pytestmark = pytest.mark.database_free

DISTRICTS = frozenset({"31.71.01", "32.73.01", "33.74.02"})
# Separators people type, and characters that only look like them or like digits.
ODD_CHARACTERS = " .-()+\t\u00a0\u2013\uff10\uff11\u0661/x"


def _one(expr: pl.Expr) -> object:
    return pl.select(expr.alias("out")).item()


phone_text = st.builds(
    lambda prefix, body, seps: (
        prefix + "".join(d + s for d, s in zip(body, seps + [""] * len(body), strict=False))
    ),
    st.sampled_from(["", "0", "62", "+62", "+", "+0", "620", "00", "062", "(021) ", "+62 (0)"]),
    st.text(alphabet="0123456789", max_size=14),
    st.lists(st.sampled_from(["", "", "", " ", "-", ".", "(", ")", "\t", "\u00a0", "+"])),
) | st.text(alphabet="0123456789" + ODD_CHARACTERS, max_size=18)


@settings(max_examples=400, deadline=None)
@given(raw=phone_text)
def test_a_phone_number_the_expression_gives_is_what_normalize_phone_gives(raw):
    found = _one(phone_certain(pl.lit(raw, dtype=pl.String)))
    if found is not None:
        assert normalize_phone(raw) == found


@pytest.mark.parametrize(
    "raw",
    ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "(021) 555-1234", "812.3456.7890"],
)
def test_every_common_way_of_writing_a_phone_number_is_known(raw):
    assert _one(phone_certain(pl.lit(raw))) == normalize_phone(raw)


@settings(max_examples=300, deadline=None)
@given(raw=st.text(alphabet="0123456789 " + ODD_CHARACTERS, max_size=18))
def test_a_nib_the_expression_gives_is_what_normalize_nib_gives(raw):
    found = _one(nib_certain(pl.lit(raw, dtype=pl.String)))
    if found is not None:
        assert normalize_nib(raw) == found
    digits = raw.replace(" ", "")
    if len(digits) == 13 and digits.isascii() and digits.isdigit():
        assert found == normalize_nib(raw)  # the plain form is always known


def _amounts(limits: tuple[int, int, int]) -> st.SearchStrategy[int | None]:
    edges = [edge + step for limit in (0, *limits) for edge in (limit,) for step in (-1, 0, 1)]
    return st.none() | st.sampled_from(edges) | st.integers(-(10**12), 10**12)


@settings(max_examples=300, deadline=None)
@given(capital=_amounts(CAPITAL_LIMITS), sales=_amounts(ANNUAL_SALES_LIMITS))
def test_size_class_is_business_size_class_exactly(capital, sales):
    found = pl.select(
        size_class_certain(
            capital=pl.lit(capital, dtype=pl.Int64), annual_sales=pl.lit(sales, dtype=pl.Int64)
        ).alias("size")
    ).item()
    if capital is None and sales is None:
        assert found == ""
        return
    try:
        expected = str(business_size_class(capital=capital, annual_sales=sales))
    except RegistryError:
        expected = None
    assert found == expected


@settings(max_examples=400, deadline=None)
@given(
    district=st.sampled_from([*sorted(DISTRICTS), "99.99.99"]),
    day=st.integers(0, 75),
    month=st.integers(0, 14),
    year=st.integers(0, 99),
    serial=st.integers(0, 3),
    # Around the century boundary and leap days: which century a two-digit year is in
    # depends on today.
    today=st.dates(date(1999, 12, 30), date(2101, 3, 1)),
)
def test_nik_checks_parse_as_parse_nik_does(district, day, month, year, serial, today):
    nik = f"{district.replace('.', '')}{day:02d}{month:02d}{year:02d}{serial:04d}"
    frame, checks = nik_checks(
        pl.LazyFrame({"nik": [nik]}), pl.col("nik"), district_codes=DISTRICTS, today=today
    )
    parsed, birth_date, sex = (
        frame.select(checks.parsed, checks.birth_date, checks.sex).collect().row(0)
    )
    try:
        expected = parse_nik(nik, district_exists=DISTRICTS.__contains__, today=today)
    except RegistryError:
        assert not parsed
        return
    assert parsed
    assert (birth_date, sex) == (expected.birth_date, expected.sex)


@pytest.mark.parametrize(
    "today", [date(2026, 11, 22), date(2000, 2, 28), date(2000, 2, 29), date(2100, 3, 1)]
)
def test_nik_checks_agree_with_parse_nik_on_every_day_and_month(today):
    """Every DD (women's +40 included) and MM, in years around leap days and centuries."""
    niks = [
        f"317101{day:02d}{month:02d}{year:02d}0001"
        for day in range(0, 76)
        for month in range(0, 15)
        for year in (0, 1, 4, 25, 26, 27, 96, 99)
    ]
    frame, checks = nik_checks(
        pl.LazyFrame({"nik": niks}), pl.col("nik"), district_codes=DISTRICTS, today=today
    )
    found = frame.select(checks.parsed, checks.birth_date, checks.sex).collect().rows()
    for nik, (parsed, birth_date, sex) in zip(niks, found, strict=True):
        try:
            expected = parse_nik(nik, district_exists=DISTRICTS.__contains__, today=today)
        except RegistryError:
            assert not parsed, nik
            continue
        assert (parsed, birth_date, sex) == (True, expected.birth_date, expected.sex), nik


@settings(max_examples=300, deadline=None)
@given(st.lists(st.from_regex(r"\A[0-9]{16}\Z"), min_size=1, max_size=30))
def test_column_masks_of_compact_niks_are_mask_nik_exactly(niks):
    assert mask_niks(pl.Series(niks)).to_list() == [mask_nik(n) for n in niks]


def test_column_masks_of_other_niks_fall_back_to_mask_nik():
    niks = ["3171014708790003", "3171 0147 0879 0003", "317101470879000", "31710147087900O3", ""]
    assert mask_niks(pl.Series(niks)).to_list() == [mask_nik(n) for n in niks]
    assert mask_niks(pl.Series(niks)).to_list()[1:3] == ["317101******0003", "*" * 15]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.just(""), st.from_regex(r"\A\+62[1-9][0-9]{7,11}\Z")), max_size=30))
def test_column_masks_of_e164_phones_are_mask_phone_exactly(phones):
    assert mask_phones(pl.Series(phones, dtype=pl.String)).to_list() == [
        mask_phone(p) if p else "" for p in phones
    ]


def test_column_masks_of_other_phones_fall_back_to_mask_phone():
    phones = ["+6281234567890", "0812-3456-7890", None, "", "+62 21 1234567"]
    assert mask_phones(pl.Series(phones)).to_list() == [
        "+62812****7890",
        "+62812****7890",
        "",
        "",
        "+62211**4567",
    ]
    with pytest.raises(RegistryError):
        mask_phones(pl.Series(["+6281234567890", "12"]))
