"""Tests for NIK, NIB, phone, birth-date and business-size checks."""

from dataclasses import FrozenInstanceError
from datetime import date

import pytest
from django.utils.functional import Promise
from hypothesis import given, strategies as st
from stdnum.id import nik as stdnum_nik
from stdnum.util import clean as stdnum_clean

from pulih.registry import identifiers
from pulih.registry.error_codes import MESSAGES, RegistryError, RegistryErrorCode
from pulih.registry.identifiers import (
    Nik,
    business_size_class,
    mask_nik,
    mask_phone,
    nik_mismatches,
    normalize_nib,
    normalize_phone,
    parse_nik,
    validate_birth_date,
)
from pulih.registry.models import SizeClass

E = RegistryErrorCode
TODAY = date(2026, 11, 22)
KNOWN_DISTRICTS = frozenset({"31.71.01", "32.73.01", "33.74.05"})
BN = 1_000_000_000


def known(code: str) -> bool:
    return code in KNOWN_DISTRICTS


def parse(raw: str) -> Nik:
    return parse_nik(raw, district_exists=known, today=TODAY)


def refused(raw: str) -> RegistryError:
    with pytest.raises(RegistryError) as info:
        parse(raw)
    return info.value


def build_nik(district: str, day: int, month: int, year: int, sex: str, serial: int) -> str:
    dd = day + 40 if sex == "P" else day
    return f"{district.replace('.', '')}{dd:02d}{month:02d}{year % 100:02d}{serial:04d}"


# --- RegistryError and messages ----------------------------------------------------------


def test_every_error_code_has_a_message():
    assert set(MESSAGES) == set(RegistryErrorCode)


def test_messages_are_lazy_so_the_active_language_applies_when_shown():
    assert all(isinstance(message, Promise) for message in MESSAGES.values())


def test_registry_error_is_a_value_error_with_code_and_params():
    err = RegistryError(E.NIK_WRONG_LENGTH, length=15)
    assert isinstance(err, ValueError)
    assert err.code is E.NIK_WRONG_LENGTH
    assert err.params == {"length": 15}


def test_registry_error_message_fills_placeholders_and_is_its_str():
    err = RegistryError(E.PHOTO_TOO_LARGE, max_mb=5)
    assert err.message == "Foto terlalu besar: maksimum 5 MB."
    assert str(err) == err.message


def test_registry_error_without_params_returns_the_plain_message():
    assert str(RegistryError(E.NIB_WRONG_FORMAT)) == "NIB harus 13 digit angka."


def test_registry_error_accepts_a_param_named_code():
    err = RegistryError(E.NIK_UNKNOWN_DISTRICT, code="99.99.99")
    assert err.code is E.NIK_UNKNOWN_DISTRICT
    assert "99.99.99" in err.message


def test_transition_message_names_both_states():
    err = RegistryError(E.TRANSITION_NOT_ALLOWED, **{"from": "Draf", "to": "Disetujui"})
    assert err.message == "Status Draf tidak dapat diubah menjadi Disetujui."


def test_nik_already_registered_message_reveals_nobody():
    err = RegistryError(E.NIK_ALREADY_REGISTERED)
    assert err.message == "NIK ini sudah terdaftar. Silakan hubungi dinas untuk bantuan."
    assert "%(" not in str(MESSAGES[E.NIK_ALREADY_REGISTERED])


# --- parse_nik: valid numbers ----------------------------------------------------------------


def test_valid_nik_parses_into_its_parts():
    nik = parse("3171011708450001")
    assert nik == Nik(
        value="3171011708450001",
        district_code="31.71.01",
        birth_date=date(1945, 8, 17),
        sex="L",
        serial="0001",
    )


def test_nik_with_day_plus_40_is_female():
    nik = parse("3171015708450001")
    assert nik.sex == "P"
    assert nik.birth_date == date(1945, 8, 17)


def test_nik_with_plain_day_is_male():
    assert parse("3171011708450001").sex == "L"


@pytest.mark.parametrize(("dd", "day"), [("41", 1), ("50", 10), ("69", 29), ("70", 30), ("71", 31)])
def test_nik_womens_days_41_to_71_are_valid(dd, day):
    nik = parse(f"317101{dd}0180" + "0001")
    assert nik.sex == "P"
    assert nik.birth_date == date(1980, 1, day)


def test_nik_day_31_is_the_last_male_day():
    assert parse("3171013101800001").birth_date == date(1980, 1, 31)


@pytest.mark.parametrize(
    "ddmmyy",
    [
        "000180",  # day 00
        "320180",  # day 32
        "400180",  # 40 is neither a man's day nor a woman's (41-71)
        "720180",  # woman's day 32
        "010080",  # month 00
        "011380",  # month 13
        "310480",  # 31 April
        "300280",  # 30 February
        "290201",  # 29 February 2001 is not a leap day
        "690201",  # the same for a woman
        "290225",  # 2025 is not a leap year either
    ],
)
def test_nik_with_impossible_date_is_refused(ddmmyy):
    assert refused(f"317101{ddmmyy}0001").code is E.NIK_INVALID_DATE


def test_nik_leap_day_in_2000_is_valid():
    assert parse("3171012902000001").birth_date == date(2000, 2, 29)


def test_nik_leap_day_for_a_woman_born_2000_is_valid():
    nik = parse("3171016902000001")
    assert (nik.birth_date, nik.sex) == (date(2000, 2, 29), "P")


def test_nik_leap_day_in_1996_is_valid():
    assert parse("3171012902960001").birth_date == date(1996, 2, 29)


@pytest.mark.parametrize(
    ("ddmmyy", "expected"),
    [
        ("221126", date(2026, 11, 22)),  # today itself is in this century
        ("231126", date(1926, 11, 23)),  # tomorrow in 2026 would be in the future
        ("011226", date(1926, 12, 1)),
        ("010100", date(2000, 1, 1)),
        ("311225", date(2025, 12, 31)),
        ("010127", date(1927, 1, 1)),
        ("170880", date(1980, 8, 17)),
        ("311299", date(1999, 12, 31)),
    ],
)
def test_nik_year_takes_the_latest_century_not_after_today(ddmmyy, expected):
    assert parse(f"317101{ddmmyy}0001").birth_date == expected


def test_nik_century_follows_the_today_argument():
    nik = parse_nik("3171011708450001", district_exists=known, today=date(2040, 1, 1))
    assert nik.birth_date == date(1945, 8, 17)
    nik = parse_nik("3171011708450001", district_exists=known, today=date(2045, 8, 17))
    assert nik.birth_date == date(2045, 8, 17)


@pytest.mark.parametrize(
    "raw",
    [
        "3171 0117 0845 0001",
        "317101 170845 0001",
        "3171-0117-0845-0001",
        "3171.0117.0845.0001",
        "  3171011708450001  ",
        "\t3171011708450001\n",
        " 3171 01.17-0845 0001 ",
        "3171\u20130117\u20130845\u20130001",  # en dash, as pasted from a document
        "３１７１０１１７０８４５０００１",  # full-width digits from a phone keyboard
    ],
)
def test_nik_typed_with_spaces_dots_or_dashes_is_accepted(raw):
    assert parse(raw).value == "3171011708450001"


def test_nik_masked_property_hides_the_birth_date():
    assert parse("3171011708450001").masked == "317101******0001"


def test_nik_is_immutable():
    nik = parse("3171011708450001")
    with pytest.raises(FrozenInstanceError):
        nik.serial = "0002"  # type: ignore[misc]


def test_nik_district_check_receives_the_dotted_code():
    seen: list[str] = []

    def record(code: str) -> bool:
        seen.append(code)
        return True

    parse_nik("3273011203800001", district_exists=record, today=TODAY)
    assert seen == ["32.73.01"]


def test_nik_without_today_uses_the_local_date():
    # A date long past is in the 1900s whatever today is (until 2080).
    assert parse_nik("3171011708800001", district_exists=known).birth_date == date(1980, 8, 17)


# --- parse_nik: refusals ---------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "   ", "\n", " - . ", "----"])
def test_empty_nik_is_refused_as_empty(raw):
    assert refused(raw).code is E.NIK_EMPTY


@pytest.mark.parametrize(
    "raw",
    [
        "31710117084500O1",  # letter O for zero
        "3171011708450001x",
        "abc",
        "3171/0117/0845/0001",
        "+3171011708450001",
        "\u0663\u0661\u0667\u0661\u0660\u0661\u0661\u0667\u0660\u0668\u0664\u0665\u0660\u0660\u0660\u0661",
    ],
)
def test_nik_with_non_digit_characters_is_refused(raw):
    assert refused(raw).code is E.NIK_NOT_DIGITS


@pytest.mark.parametrize("raw", ["317101170845000", "31710117084500011", "1"])
def test_nik_of_wrong_length_is_refused_with_the_length(raw):
    err = refused(raw)
    assert err.code is E.NIK_WRONG_LENGTH
    assert err.params == {"length": len(raw)}
    assert str(len(raw)) in err.message


def test_nik_length_is_counted_after_removing_spaces():
    err = refused("3171 0117 0845 000")
    assert err.params == {"length": 15}


def test_nik_with_unknown_district_is_refused_with_the_code():
    err = refused("9999991708450001")
    assert err.code is E.NIK_UNKNOWN_DISTRICT
    assert err.params == {"code": "99.99.99"}
    assert "99.99.99" in err.message


def test_nik_with_zero_serial_is_refused():
    assert refused("3171011708450000").code is E.NIK_ZERO_SERIAL


def test_nik_with_serial_0001_is_accepted():
    assert parse("3171011708450001").serial == "0001"


def test_nik_with_serial_9999_is_accepted():
    assert parse("3171011708459999").serial == "9999"


# --- parse_nik: properties -------------------------------------------------------------------


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    sex=st.sampled_from(["L", "P"]),
    district=st.sampled_from(sorted(KNOWN_DISTRICTS)),
    serial=st.integers(min_value=1, max_value=9999),
)
def test_nik_built_from_valid_parts_parses_back_to_them(born, sex, district, serial):
    nik = parse(build_nik(district, born.day, born.month, born.year, sex, serial))
    recent = born.replace(year=2000 + born.year % 100)
    expected = recent if recent <= TODAY else born.replace(year=1900 + born.year % 100)
    assert nik.district_code == district
    assert nik.birth_date == expected
    assert (nik.birth_date.day, nik.birth_date.month) == (born.day, born.month)
    assert nik.birth_date.year % 100 == born.year % 100
    assert nik.birth_date <= TODAY
    assert nik.sex == sex
    assert nik.serial == f"{serial:04d}"


@given(st.text(alphabet="0123456789", min_size=1, max_size=40).filter(lambda s: len(s) != 16))
def test_any_digit_string_not_16_long_is_refused_for_length(raw):
    err = refused(raw)
    assert err.code is E.NIK_WRONG_LENGTH
    assert err.params == {"length": len(raw)}


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    sex=st.sampled_from(["L", "P"]),
    district=st.sampled_from(sorted(KNOWN_DISTRICTS)),
)
def test_any_nik_with_serial_0000_is_refused(born, sex, district):
    raw = build_nik(district, born.day, born.month, born.year, sex, 0)
    assert refused(raw).code is E.NIK_ZERO_SERIAL


@given(st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_masking_keeps_first_6_and_last_4_and_hides_the_middle(value):
    masked = mask_nik(value)
    assert len(masked) == 16
    assert masked[:6] == value[:6]
    assert masked[12:] == value[12:]
    assert masked[6:12] == "******"


# --- nik_mismatches --------------------------------------------------------------------------


def test_no_mismatch_when_stated_data_agrees_with_the_nik():
    nik = parse("3171015708450001")
    assert nik_mismatches(nik, birth_date=date(1945, 8, 17), sex="P") == []


def test_no_mismatch_reported_when_nothing_is_stated():
    assert nik_mismatches(parse("3171011708450001"), birth_date=None, sex=None) == []


def test_stated_birth_day_that_differs_is_flagged():
    found = nik_mismatches(parse("3171011708450001"), birth_date=date(1945, 8, 18), sex="L")
    assert [err.code for err in found] == [E.NIK_BIRTH_DATE_MISMATCH]


def test_stated_birth_month_that_differs_is_flagged():
    found = nik_mismatches(parse("3171011708450001"), birth_date=date(1945, 9, 17), sex=None)
    assert [err.code for err in found] == [E.NIK_BIRTH_DATE_MISMATCH]


def test_stated_birth_year_with_other_last_two_digits_is_flagged():
    found = nik_mismatches(parse("3171011708450001"), birth_date=date(1946, 8, 17), sex=None)
    assert [err.code for err in found] == [E.NIK_BIRTH_DATE_MISMATCH]


def test_stated_birth_year_in_another_century_is_not_flagged():
    # The NIK holds two year digits; 1920 and 2020 look the same in it.
    nik = parse("3171010101200001")
    assert nik.birth_date == date(2020, 1, 1)
    assert nik_mismatches(nik, birth_date=date(1920, 1, 1), sex=None) == []


def test_stated_sex_that_differs_is_flagged():
    found = nik_mismatches(parse("3171011708450001"), birth_date=None, sex="P")
    assert [err.code for err in found] == [E.NIK_SEX_MISMATCH]


def test_stated_sex_is_compared_ignoring_case_and_spaces():
    assert nik_mismatches(parse("3171015708450001"), birth_date=None, sex=" p ") == []


def test_both_mismatches_are_returned_not_raised():
    found = nik_mismatches(parse("3171011708450001"), birth_date=date(1950, 1, 1), sex="P")
    assert all(isinstance(err, RegistryError) for err in found)
    assert [err.code for err in found] == [E.NIK_BIRTH_DATE_MISMATCH, E.NIK_SEX_MISMATCH]


# --- mask_nik --------------------------------------------------------------------------------


def test_mask_nik_shows_district_and_serial_only():
    assert mask_nik("3171011708450001") == "317101******0001"


def test_mask_nik_accepts_typed_separators():
    assert mask_nik("3171 0117 0845 0001") == "317101******0001"


@pytest.mark.parametrize(
    "value", ["317101170845000", "12345", "31710117084500011", "abcdefghijklmnop"]
)
def test_mask_nik_hides_everything_in_something_that_is_not_a_nik(value):
    assert mask_nik(value) == "*" * len(value)


def test_mask_nik_of_empty_string_is_empty():
    assert mask_nik("") == ""


# --- validate_birth_date ---------------------------------------------------------------------


def test_birth_date_today_is_accepted():
    assert validate_birth_date(TODAY, today=TODAY) == TODAY


def test_birth_date_tomorrow_is_in_the_future():
    with pytest.raises(RegistryError) as info:
        validate_birth_date(date(2026, 11, 23), today=TODAY)
    assert info.value.code is E.BIRTH_DATE_IN_FUTURE


def test_birth_date_on_1_january_1900_is_accepted():
    assert validate_birth_date(date(1900, 1, 1), today=TODAY) == date(1900, 1, 1)


def test_birth_date_before_1900_is_too_old():
    with pytest.raises(RegistryError) as info:
        validate_birth_date(date(1899, 12, 31), today=TODAY)
    assert info.value.code is E.BIRTH_DATE_TOO_OLD


def test_birth_date_without_today_uses_the_local_date():
    assert validate_birth_date(date(1980, 8, 17)) == date(1980, 8, 17)
    with pytest.raises(RegistryError) as info:
        validate_birth_date(date(9999, 12, 31))
    assert info.value.code is E.BIRTH_DATE_IN_FUTURE


# --- normalize_nib ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["1234567890123", " 1234567890123 ", "1234 5678 90123", "１２３４５６７８９０１２３"]
)
def test_nib_of_13_digits_is_accepted_without_spaces(raw):
    assert normalize_nib(raw) == "1234567890123"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "123456789012",  # 12 digits
        "12345678901234",  # 14 digits
        "123456789012A",
        "1234-5678-90123",
    ],
)
def test_nib_not_of_13_digits_is_refused(raw):
    with pytest.raises(RegistryError) as info:
        normalize_nib(raw)
    assert info.value.code is E.NIB_WRONG_FORMAT


# --- normalize_phone -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "0812-3456-7890",
        "0812 3456 7890",
        "081234567890",
        "+62 812 3456 7890",
        "+62-812-3456-7890",
        "+6281234567890",
        "6281234567890",
        "62 812.3456.7890",
        "81234567890",
        " 0812-3456-7890 ",
        "0812\u20133456\u20137890",  # en dash
        "０８１２３４５６７８９０",  # full-width digits
    ],
)
def test_mobile_number_in_any_common_form_becomes_e164(raw):
    assert normalize_phone(raw) == "+6281234567890"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(021) 5551234", "+62215551234"),
        ("021-555-1234", "+62215551234"),
        ("+62 21 5551234", "+62215551234"),
        ("(022) 4201234", "+62224201234"),
    ],
)
def test_landline_number_becomes_e164(raw, expected):
    assert normalize_phone(raw) == expected


def test_phone_with_8_national_digits_is_the_shortest_accepted():
    assert normalize_phone("021-555-123") == "+6221555123"


def test_phone_with_12_national_digits_is_the_longest_accepted():
    assert normalize_phone("0812-3456-78901") == "+62812345678901"


@pytest.mark.parametrize(
    "raw",
    [
        "021-555-12",  # 7 national digits
        "0812-3456-789012",  # 13 national digits
        "0812",
        "00812-3456-7890",  # national number starting with 0
        "+62 0812 3456 7890",  # trunk 0 after the country code
        "62 0812 3456 7890",
        "+1 555 123 4567",  # not Indonesian
        "+44 20 7946 0958",
        "0812-ABCD-7890",
        "0812/3456/7890",
        "+",
        "+62",
        "٠٨١٢٣٤٥٦٧٨٩٠",  # Arabic-Indic digits
    ],
)
def test_phone_that_is_not_an_indonesian_number_is_invalid(raw):
    with pytest.raises(RegistryError) as info:
        normalize_phone(raw)
    assert info.value.code is E.PHONE_INVALID


@pytest.mark.parametrize("raw", ["", "   ", "--", "( )", " . "])
def test_empty_phone_is_refused_as_empty(raw):
    with pytest.raises(RegistryError) as info:
        normalize_phone(raw)
    assert info.value.code is E.PHONE_EMPTY


def test_normalized_phone_normalizes_to_itself():
    assert normalize_phone(normalize_phone("0812-3456-7890")) == "+6281234567890"


# --- mask_phone ------------------------------------------------------------------------------


def test_mask_phone_keeps_prefix_first_three_and_last_four_digits():
    assert mask_phone("+6281234567890") == "+62812****7890"


def test_mask_phone_of_a_landline():
    assert mask_phone("+62215551234") == "+62215**1234"


def test_mask_phone_of_the_shortest_number_hides_one_digit():
    assert mask_phone("+6221555123") == "+62215*5123"


def test_mask_phone_accepts_a_number_as_typed():
    assert mask_phone("0812-3456-7890") == "+62812****7890"


def test_mask_phone_refuses_what_is_not_a_phone_number():
    with pytest.raises(RegistryError) as info:
        mask_phone("12")
    assert info.value.code is E.PHONE_INVALID


# --- business_size_class ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("capital", "expected"),
    [
        (0, SizeClass.MIKRO),
        (1 * BN, SizeClass.MIKRO),
        (1 * BN + 1, SizeClass.KECIL),
        (5 * BN, SizeClass.KECIL),
        (5 * BN + 1, SizeClass.MENENGAH),
        (10 * BN, SizeClass.MENENGAH),
    ],
)
def test_size_by_capital_alone_with_upper_bounds_inclusive(capital, expected):
    assert business_size_class(capital=capital, annual_sales=None) == expected


@pytest.mark.parametrize(
    ("annual_sales", "expected"),
    [
        (0, SizeClass.MIKRO),
        (2 * BN, SizeClass.MIKRO),
        (2 * BN + 1, SizeClass.KECIL),
        (15 * BN, SizeClass.KECIL),
        (15 * BN + 1, SizeClass.MENENGAH),
        (50 * BN, SizeClass.MENENGAH),
    ],
)
def test_size_by_annual_sales_alone_with_upper_bounds_inclusive(annual_sales, expected):
    assert business_size_class(capital=None, annual_sales=annual_sales) == expected


def test_size_class_values_are_the_stored_strings():
    assert business_size_class(capital=1 * BN, annual_sales=None) == "mikro"
    assert business_size_class(capital=1 * BN + 1, annual_sales=None) == "kecil"
    assert business_size_class(capital=5 * BN + 1, annual_sales=None) == "menengah"


@pytest.mark.parametrize(
    ("capital", "annual_sales", "expected"),
    [
        (1 * BN, 2 * BN, SizeClass.MIKRO),
        (1 * BN, 2 * BN + 1, SizeClass.KECIL),
        (1 * BN + 1, 2 * BN, SizeClass.KECIL),
        (100_000_000, 15 * BN + 1, SizeClass.MENENGAH),
        (5 * BN + 1, 300_000_000, SizeClass.MENENGAH),
        (5 * BN, 15 * BN, SizeClass.KECIL),
    ],
)
def test_size_with_both_figures_takes_the_larger_class(capital, annual_sales, expected):
    assert business_size_class(capital=capital, annual_sales=annual_sales) == expected


@pytest.mark.parametrize(
    ("capital", "annual_sales"),
    [
        (10 * BN + 1, None),
        (None, 50 * BN + 1),
        (10 * BN + 1, 1 * BN),
        (1 * BN, 50 * BN + 1),
    ],
)
def test_size_above_menengah_on_either_figure_is_refused(capital, annual_sales):
    with pytest.raises(RegistryError) as info:
        business_size_class(capital=capital, annual_sales=annual_sales)
    assert info.value.code is E.SIZE_ABOVE_MENENGAH


def test_size_without_figures_is_refused():
    with pytest.raises(RegistryError) as info:
        business_size_class(capital=None, annual_sales=None)
    assert info.value.code is E.SIZE_NO_FIGURES


@pytest.mark.parametrize(
    ("capital", "annual_sales"), [(-1, None), (None, -1), (-1, 1 * BN), (1 * BN, -1), (-1, 60 * BN)]
)
def test_size_with_a_negative_amount_is_refused(capital, annual_sales):
    with pytest.raises(RegistryError) as info:
        business_size_class(capital=capital, annual_sales=annual_sales)
    assert info.value.code is E.SIZE_NEGATIVE_AMOUNT


# --- with the real region table --------------------------------------------------------------


@pytest.mark.django_db
def test_parse_nik_checks_the_district_against_the_region_table():
    from pulih.reference.selectors import district_code_set

    # The code set is cached per process; start from this database's regions.
    district_code_set.cache_clear()
    nik = parse_nik("3273011203800001", today=TODAY)
    assert nik.district_code == "32.73.01"
    assert nik.birth_date == date(1980, 3, 12)
    assert nik.sex == "L"
    with pytest.raises(RegistryError) as info:
        parse_nik("9999991203800001", today=TODAY)
    assert info.value.code is E.NIK_UNKNOWN_DISTRICT


@given(st.text(max_size=30), st.sampled_from(["", " -.", " -:"]))
def test_fast_clean_equals_stdnum_clean(text, deletechars):
    assert identifiers.clean(text, deletechars) == stdnum_clean(text, deletechars)


@given(st.text(alphabet="0123456789 .-`'\u2013\uff10\uff11", max_size=24))
def test_compact_nik_equals_stdnum_compact(text):
    assert identifiers.compact_nik(text) == stdnum_nik.compact(text)
