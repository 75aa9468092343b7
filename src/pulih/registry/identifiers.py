"""Parsing, checking and masking of NIK, NIB, phone numbers, birth dates and business size."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.utils import timezone
from stdnum.util import clean as stdnum_clean

from pulih.registry.error_codes import RegistryError, RegistryErrorCode

if TYPE_CHECKING:
    from pulih.registry.models import SizeClass

# Same values as pulih.registry.models.Sex; repeated so this module needs no models at import.
MALE = "L"
FEMALE = "P"

NIK_LENGTH = 16
# The civil registry adds 40 to the day of birth for women.
FEMALE_DAY_OFFSET = 40
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

NIB_LENGTH = 13
PHONE_COUNTRY_CODE = "62"
# Shortest landline (area code + 6-digit subscriber) to longest mobile number.
PHONE_NSN_MIN = 8
PHONE_NSN_MAX = 12

RUPIAH_BILLION = 1_000_000_000
# PP 7/2021 art. 35 upper bounds, each inclusive ("paling banyak").
CAPITAL_LIMITS = (1 * RUPIAH_BILLION, 5 * RUPIAH_BILLION, 10 * RUPIAH_BILLION)
ANNUAL_SALES_LIMITS = (2 * RUPIAH_BILLION, 15 * RUPIAH_BILLION, 50 * RUPIAH_BILLION)

_ASCII_DIGITS = re.compile(r"[0-9]+")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


@functools.cache
def _deletion_table(deletechars: str) -> dict[int, int | None]:
    return str.maketrans("", "", deletechars)


def clean(raw: str, deletechars: str = "") -> str:
    """stdnum's clean(), with a fast path for plain ASCII (nearly every cell of a 500,000-row
    list): among ASCII characters stdnum only maps the backtick. Equal for every input
    (tests/test_identifiers.py checks it with hypothesis)."""
    if raw.isascii():
        return raw.replace("`", "'").translate(_deletion_table(deletechars))
    return stdnum_clean(raw, deletechars)


def compact_nik(raw: str) -> str:
    """stdnum's nik.compact(): separators and surrounding spaces removed."""
    return clean(raw, " -.").strip()


def _is_ascii_digits(value: str) -> bool:
    # str.isdigit() also accepts Arabic-Indic and superscript digits, which int() or the
    # civil registry would then treat differently from what the person saw.
    return _ASCII_DIGITS.fullmatch(value) is not None


def _today(today: date | None) -> date:
    # The local date, not the UTC one: between 00:00 and 07:00 WIB they differ.
    return today if today is not None else timezone.localdate()


@dataclass(frozen=True)
class Nik:
    value: str
    district_code: str
    birth_date: date
    sex: str
    serial: str

    @property
    def masked(self) -> str:
        return mask_nik(self.value)


def _default_district_exists(code: str) -> bool:
    # Imported here because it reads the Region table; pure callers pass their own check.
    from pulih.reference.selectors import district_code_set

    return code in district_code_set()


def _nik_birth_date(digits: str, today: date) -> date:
    day = int(digits[0:2])
    month = int(digits[2:4])
    two_digit_year = int(digits[4:6])
    if day > FEMALE_DAY_OFFSET:
        day -= FEMALE_DAY_OFFSET
    # The NIK holds two year digits; a birth date cannot be later than today, so take
    # the most recent century that keeps it in the past.
    for century in (2000, 1900):
        try:
            candidate = date(century + two_digit_year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    raise RegistryError(RegistryErrorCode.NIK_INVALID_DATE)


def parse_nik(
    raw: str,
    *,
    district_exists: Callable[[str], bool] | None = None,
    today: date | None = None,
) -> Nik:
    # stdnum strips the spaces, dots and dashes people type when copying from a KTP, and
    # turns full-width digits and Unicode dashes from phone keyboards and PDFs into ASCII.
    # Its validate() is not used: it reports every failure as one of two generic errors,
    # checks regions against its own list rather than ours, and accepts serial 0000.
    value = compact_nik(raw)
    if not value:
        raise RegistryError(RegistryErrorCode.NIK_EMPTY)
    if not _is_ascii_digits(value):
        raise RegistryError(RegistryErrorCode.NIK_NOT_DIGITS)
    if len(value) != NIK_LENGTH:
        raise RegistryError(RegistryErrorCode.NIK_WRONG_LENGTH, length=len(value))

    district_code = f"{value[0:2]}.{value[2:4]}.{value[4:6]}"
    exists = district_exists if district_exists is not None else _default_district_exists
    if not exists(district_code):
        raise RegistryError(RegistryErrorCode.NIK_UNKNOWN_DISTRICT, code=district_code)

    birth_date = _nik_birth_date(value[6:12], _today(today))
    serial = value[12:16]
    if serial == "0000":
        raise RegistryError(RegistryErrorCode.NIK_ZERO_SERIAL)

    sex = FEMALE if int(value[6:8]) > FEMALE_DAY_OFFSET else MALE
    return Nik(
        value=value,
        district_code=district_code,
        birth_date=birth_date,
        sex=sex,
        serial=serial,
    )


def nik_mismatches(nik: Nik, *, birth_date: date | None, sex: str | None) -> list[RegistryError]:
    """Differences between a parsed NIK and what the person stated.

    Returned, not raised: a registration with a mismatch is flagged for an officer to
    check against the KTP, not refused, because the form entry may be the one at fault.
    """
    found: list[RegistryError] = []
    if birth_date is not None and (
        birth_date.day != nik.birth_date.day
        or birth_date.month != nik.birth_date.month
        # Only the two year digits are in the NIK; the century was a guess.
        or birth_date.year % 100 != nik.birth_date.year % 100
    ):
        found.append(RegistryError(RegistryErrorCode.NIK_BIRTH_DATE_MISMATCH))
    if sex and sex.strip().upper() != nik.sex:
        found.append(RegistryError(RegistryErrorCode.NIK_SEX_MISMATCH))
    return found


def mask_nik(value: str) -> str:
    """First six digits (the district), ****** for the birth date, last four digits."""
    compact = compact_nik(value)
    if len(compact) != NIK_LENGTH or not _is_ascii_digits(compact):
        # Something that is not a NIK might be some other personal number: show none of it.
        return "*" * len(compact)
    return f"{compact[:6]}******{compact[12:]}"


def validate_birth_date(value: date, *, today: date | None = None) -> date:
    if value > _today(today):
        raise RegistryError(RegistryErrorCode.BIRTH_DATE_IN_FUTURE)
    if value < EARLIEST_BIRTH_DATE:
        raise RegistryError(RegistryErrorCode.BIRTH_DATE_TOO_OLD)
    return value


def normalize_nib(raw: str) -> str:
    value = "".join(clean(raw).split())
    if len(value) != NIB_LENGTH or not _is_ascii_digits(value):
        raise RegistryError(RegistryErrorCode.NIB_WRONG_FORMAT)
    return value


def normalize_phone(raw: str) -> str:
    """Any common Indonesian way of writing a phone number, as E.164 ("+6281234567890").

    Mobile numbers have a national significant number starting with 8; landlines start
    with the area code (21 for Jakarta). Both are accepted.
    """
    # stdnum_clean first, as for the NIK, so full-width digits and Unicode dashes count.
    value = _PHONE_SEPARATORS.sub("", clean(raw))
    if not value:
        raise RegistryError(RegistryErrorCode.PHONE_EMPTY)
    if value.startswith("+" + PHONE_COUNTRY_CODE):
        national = value[1 + len(PHONE_COUNTRY_CODE) :]
    elif value.startswith(PHONE_COUNTRY_CODE):
        national = value[len(PHONE_COUNTRY_CODE) :]
    elif value.startswith("0"):
        national = value[1:]
    else:
        national = value
    if (
        not _is_ascii_digits(national)
        or national.startswith("0")
        or not PHONE_NSN_MIN <= len(national) <= PHONE_NSN_MAX
    ):
        raise RegistryError(RegistryErrorCode.PHONE_INVALID)
    return f"+{PHONE_COUNTRY_CODE}{national}"


def mask_phone(e164: str) -> str:
    """Country code, first three national digits, stars, last four: "+62812****7890"."""
    national = normalize_phone(e164)[1 + len(PHONE_COUNTRY_CODE) :]
    hidden = len(national) - 7
    return f"+{PHONE_COUNTRY_CODE}{national[:3]}{'*' * hidden}{national[-4:]}"


def _size_rank(amount: int, limits: tuple[int, int, int]) -> int:
    for rank, limit in enumerate(limits):
        if amount <= limit:
            return rank
    raise RegistryError(RegistryErrorCode.SIZE_ABOVE_MENENGAH)


def business_size_class(*, capital: int | None, annual_sales: int | None) -> SizeClass:
    """Size class under PP 7/2021 art. 35 from capital (without land and buildings) and sales."""
    # Imported here so that models may use this module without an import cycle.
    from pulih.registry.models import SizeClass

    figures = [
        (amount, limits)
        for amount, limits in ((capital, CAPITAL_LIMITS), (annual_sales, ANNUAL_SALES_LIMITS))
        if amount is not None
    ]
    if not figures:
        raise RegistryError(RegistryErrorCode.SIZE_NO_FIGURES)
    if any(amount < 0 for amount, _ in figures):
        raise RegistryError(RegistryErrorCode.SIZE_NEGATIVE_AMOUNT)
    # The larger class wins: programmes for micro businesses (BPUM among them) must not
    # admit a business that exceeds either threshold, and BPK counted 19,358 BPUM 2020
    # recipients that were not micro businesses.
    rank = max(_size_rank(amount, limits) for amount, limits in figures)
    return (SizeClass.MIKRO, SizeClass.KECIL, SizeClass.MENENGAH)[rank]
