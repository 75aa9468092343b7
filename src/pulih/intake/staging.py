"""From a file's cells to checked, normalised rows: every row accepted, rejected or a duplicate.

Normalisation of dates, names, money and regions is vectorised (intake.normalize,
intake.regions). The identifier rules are the registry's own functions (parse_nik,
nik_mismatches, normalize_phone, normalize_nib, business_size_class), called once per row in
check_rows, so a row the registry form would refuse is refused here with the same words; only
rows that intake.precheck proves certainly valid, set-based, skip that loop.
"""

from __future__ import annotations

import logging
import multiprocessing
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date
from functools import partial
from typing import Protocol

import polars as pl
from django.conf import settings
from django.db import connection
from django.utils import translation

from pulih.accounts.selectors import codes_cover
from pulih.helper_process import django_setup
from pulih.intake import normalize
from pulih.intake.error_codes import IntakeErrorCode as E, row_message
from pulih.intake.precheck import CERTAIN, precheck
from pulih.intake.reader import PROBLEM, ROW, Table
from pulih.intake.regions import RegionMatcher
from pulih.reference.selectors import district_code_set
from pulih.registry import services
from pulih.registry.error_codes import RegistryError
from pulih.registry.identifiers import (
    business_size_class,
    nik_mismatches,
    normalize_nib,
    normalize_phone,
    parse_nik,
    validate_birth_date,
)

ACCEPTED = "accepted"
REJECTED = "rejected"
DUPLICATE = "duplicate"

# "Bidang Usaha" as senders write it -> KBLI 2020 section. First match wins, so the more
# specific words come first.
SECTOR_WORDS: tuple[tuple[str, str], ...] = (
    ("kuliner", "I"), ("makan", "I"), ("minum", "I"), ("warung makan", "I"), ("catering", "I"),
    ("katering", "I"), ("restoran", "I"), ("kafe", "I"), ("cafe", "I"),
    ("olahan", "C"), ("produksi", "C"), ("kerajinan", "C"), ("kriya", "C"), ("konveksi", "C"),
    ("jahit", "C"), ("fesyen", "C"), ("fashion", "C"), ("batik", "C"), ("industri", "C"),
    ("dagang", "G"), ("toko", "G"), ("warung", "G"), ("kelontong", "G"), ("jual", "G"),
    ("retail", "G"), ("grosir", "G"), ("pedagang", "G"), ("perdagangan", "G"),
    ("tani", "A"), ("pertanian", "A"), ("ternak", "A"), ("peternakan", "A"), ("ikan", "A"),
    ("perikanan", "A"), ("kebun", "A"),
    ("ojek", "H"), ("angkut", "H"), ("transport", "H"), ("kurir", "H"),
    ("bengkel", "G"), ("reparasi", "S"), ("salon", "S"), ("laundry", "S"), ("cukur", "S"),
    ("jasa", "S"),
    ("digital", "J"), ("aplikasi", "J"), ("percetakan", "C"), ("fotografi", "M"),
    ("pendidikan", "P"), ("kursus", "P"), ("kesehatan", "Q"), ("seni", "R"),
    ("konstruksi", "F"), ("bangunan", "F"), ("penginapan", "I"), ("homestay", "I"),
)  # fmt: skip
# KBLI 2020 two-digit divisions by section.
KBLI_DIVISIONS: tuple[tuple[int, int, str], ...] = (
    (1, 3, "A"), (5, 9, "B"), (10, 33, "C"), (35, 35, "D"), (36, 39, "E"), (41, 43, "F"),
    (45, 47, "G"), (49, 53, "H"), (55, 56, "I"), (58, 63, "J"), (64, 66, "K"), (68, 68, "L"),
    (69, 75, "M"), (77, 82, "N"), (84, 84, "O"), (85, 85, "P"), (86, 88, "Q"), (90, 93, "R"),
    (94, 96, "S"), (97, 98, "T"), (99, 99, "U"),
)  # fmt: skip
_DIGITS = re.compile(r"\D")
# At the start of a word ("makan" in "makanan", not "ikan" in "pendidikan"), longest first
# ("jasa jahit" is sewing, not services).
_SECTOR_PATTERNS = [
    (re.compile(rf"\b{re.escape(word)}"), section)
    for word, section in sorted(SECTOR_WORDS, key=lambda pair: -len(pair[0]))
]


_MATCHERS: dict[int, RegionMatcher] = {}
_MATCHERS_LOCK = threading.Lock()  # one build at a time; a second caller waits for it
log = logging.getLogger(__name__)


def region_matcher() -> RegionMatcher:
    """Built once per process and region-table size (the table changes only with a new
    release of the reference data): loading 90,000 names costs about a second."""
    from pulih.reference.models import Region

    with _MATCHERS_LOCK:
        size = Region.objects.count()
        if size not in _MATCHERS:
            _MATCHERS.clear()
            _MATCHERS[size] = RegionMatcher.load()
        return _MATCHERS[size]


@contextmanager
def region_matcher_ahead() -> Iterator[None]:
    """region_matcher() built on a thread of its own while the block reads the file, which
    Polars does without holding the GIL: the second of loading the region names is hidden
    behind the read instead of following it. regions_match() in the block waits for the
    build. Not inside a transaction (a test's): the thread's own connection would not see
    its rows. A failed build only leaves the matcher to be built when it is first needed."""
    if connection.in_atomic_block:
        yield
        return

    def build() -> None:
        try:
            region_matcher()
        except Exception:  # noqa: BLE001 - regions_match() builds it again and raises there
            log.warning("building the region matcher ahead failed", exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=build, name="pulih-regions", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()


def regions_match(col: Mapping[str, pl.Series]) -> pl.DataFrame:
    """village_code and region_problem for mapped columns (village_code, province, city,
    district, village, nik; any may be empty): the NIK's district breaks ties."""
    nik_digits = col["nik"].str.replace_all(r"[\s.\-]", "")
    nik_district = pl.select(
        pl.when(nik_digits.str.contains(r"^\d{6}")).then(
            pl.concat_str(
                nik_digits.str.slice(0, 2),
                pl.lit("."),
                nik_digits.str.slice(2, 2),
                pl.lit("."),
                nik_digits.str.slice(4, 2),
            )
        )
    ).to_series()
    return region_matcher().match(
        pl.DataFrame(
            {
                "village_code_raw": col["village_code"],
                "province": col["province"],
                "city": col["city"],
                "district": col["district"],
                "village": col["village"],
                "nik_district": nik_district,
            }
        )
    )


def kbli_section_of(code: str, sector: str) -> str:
    """The section from a 5-digit KBLI code when there is one, else from the words."""
    digits = _DIGITS.sub("", code)
    if len(digits) >= 2:
        division = int(digits[:2])
        for low, high, section in KBLI_DIVISIONS:
            if low <= division <= high:
                return section
    words = sector.lower()
    for pattern, section in _SECTOR_PATTERNS:
        if pattern.search(words):
            return section
    return ""


STAGED_SCHEMA = {
    ROW: pl.UInt32,
    "state": pl.String,
    "reasons": pl.String,
    "nik": pl.String,
    "nik_hash": pl.String,
    "full_name": pl.String,
    "name_titles": pl.String,
    "birth_place": pl.String,
    "birth_date": pl.Date,
    "sex": pl.String,
    "nik_birth_date_mismatch": pl.Boolean,
    "nik_sex_mismatch": pl.Boolean,
    "phone": pl.String,
    "email": pl.String,
    "address": pl.String,
    "rt": pl.String,
    "rw": pl.String,
    "village_code": pl.String,
    "postcode": pl.String,
    "business_name": pl.String,
    "business_address": pl.String,
    "kbli_section": pl.String,
    "kbli_code": pl.String,
    "description": pl.String,
    "nib": pl.String,
    "capital": pl.Int64,
    "annual_sales": pl.Int64,
    "monthly_turnover": pl.Int64,
    "employees": pl.Int64,
    "started_year": pl.Int64,
    "size_class": pl.String,
}

# What check_rows takes, in the order it unpacks each row.
PREPARED_SCHEMA = {
    ROW: pl.UInt32,
    "problem": pl.String,
    "nik_raw": pl.String,
    "name": pl.String,
    "name_titles": pl.String,
    "place": pl.String,
    "bdate_raw": pl.String,
    "bdate": pl.Date,
    "sex_raw": pl.String,
    "sex": pl.String,
    "phone_raw": pl.String,
    "email": pl.String,
    "address": pl.String,
    "rt": pl.String,
    "rw": pl.String,
    "village_code": pl.String,
    "region_problem": pl.String,
    "village_raw": pl.String,
    "postcode": pl.String,
    "business_name": pl.String,
    "sector": pl.String,
    "business_address": pl.String,
    "kbli_code": pl.String,
    "kbli_section": pl.String,
    "nib_raw": pl.String,
    "capital_raw": pl.String,
    "sales_raw": pl.String,
    "turnover_raw": pl.String,
    "capital": pl.Int64,
    "sales": pl.Int64,
    "turnover": pl.Int64,
    "employees_raw": pl.String,
    "employees_n": pl.Int64,
    "started_raw": pl.String,
    "started_n": pl.Int64,
}


def _column(table: Table, mapping: dict[str, str], key: str) -> pl.Series:
    for header, field in mapping.items():
        if field == key and header in table.frame.columns:
            return table.frame[header].cast(pl.String).fill_null("").str.strip_chars()
    return pl.repeat("", table.frame.height, dtype=pl.String, eager=True).alias(key)


def _int_column(raw: pl.Series) -> pl.Series:
    text = raw.str.replace_all(r"[.,\s]", "")
    return text.cast(pl.Int64, strict=False)


def stage(
    table: Table,
    mapping: dict[str, str],
    *,
    scope: list[str] | None,
    existing_region: Callable[[list[str]], dict[str, str]],
    today: date,
) -> pl.DataFrame:
    """One row per data row of the file with its state, reasons and normalised fields.

    `scope` is the region codes the importing user may write in (None: everywhere);
    `existing_region(nik_hashes)` gives the region of persons already registered, so that a
    row about someone outside the user's regions is refused rather than touching them.

    Rows that the set-based precheck finds certainly valid are staged at once; the others
    (a few in a hundred in real lists) go through check_rows, the registry's own functions.
    """
    return _stage(
        table,
        mapping,
        scope=scope,
        existing_region=existing_region,
        today=today,
        checked=_checked_set_based_first,
    )


def stage_per_row(
    table: Table,
    mapping: dict[str, str],
    *,
    scope: list[str] | None,
    existing_region: Callable[[list[str]], dict[str, str]],
    today: date,
) -> pl.DataFrame:
    """stage() with every row through check_rows: the reference that stage() must equal."""
    return _stage(
        table,
        mapping,
        scope=scope,
        existing_region=existing_region,
        today=today,
        checked=_checked_per_row,
    )


class _Checked(Protocol):
    def __call__(
        self,
        prepared: pl.DataFrame,
        *,
        check: Callable[[pl.DataFrame], pl.DataFrame],
        districts: frozenset[str],
        today: date,
        in_scope: Callable[[str], bool],
    ) -> pl.DataFrame: ...


def _stage(
    table: Table,
    mapping: dict[str, str],
    *,
    scope: list[str] | None,
    existing_region: Callable[[list[str]], dict[str, str]],
    today: date,
    checked: _Checked,
) -> pl.DataFrame:
    frame = table.frame
    col = {key: _column(table, mapping, key) for key in (
        "nik", "full_name", "birth_place", "birth_date", "place_date", "sex", "address", "rt_rw",
        "rt", "rw", "village", "district", "city", "province", "village_code", "postcode",
        "phone", "email", "business_name", "business_sector", "kbli_code", "nib",
        "business_address", "capital", "annual_sales", "monthly_turnover", "employees",
        "started_year",
    )}  # fmt: skip

    # Names and titles; birth place and date, from their own columns or a "Tempat/Tgl Lahir" one.
    names, titles = normalize.split_name_titles(col["full_name"])
    pd_place, pd_date = normalize.split_place_date(col["place_date"])
    # "JAKARTA, kemarin": the part after the comma was meant as the date and is reported as
    # unreadable, rather than silently replaced by the NIK's date.
    after_comma = col["place_date"].str.extract(r",\s*([^,]*)$", 1).fill_null("")
    pd_date = pl.select(
        pl.when((pd_date == "") & (after_comma != "")).then(after_comma).otherwise(pd_date)
    ).to_series()
    birth_place_raw = pl.select(
        pl.when(col["birth_place"] != "").then(col["birth_place"]).otherwise(pd_place)
    ).to_series()
    birth_date_raw = pl.select(
        pl.when(col["birth_date"] != "").then(col["birth_date"]).otherwise(pd_date)
    ).to_series()
    birth_dates = normalize.parse_dates(birth_date_raw, today=today)
    sexes = normalize.parse_sex(col["sex"])
    rt_from_pair, rw_from_pair = normalize.split_rt_rw(col["rt_rw"])
    rts = pl.select(
        pl.when(col["rt"] != "").then(normalize.pad_rt(col["rt"])).otherwise(rt_from_pair)
    ).to_series()
    rws = pl.select(
        pl.when(col["rw"] != "").then(normalize.pad_rt(col["rw"])).otherwise(rw_from_pair)
    ).to_series()
    money = {
        key: normalize.parse_money(col[key])
        for key in ("capital", "annual_sales", "monthly_turnover")
    }
    sector_pairs = pl.DataFrame({"code": col["kbli_code"], "sector": col["business_sector"]})
    distinct = sector_pairs.unique()
    distinct = distinct.with_columns(
        pl.Series(
            "section",
            [kbli_section_of(c, t) for c, t in distinct.iter_rows()],
            dtype=pl.String,
        )
    )
    sections = sector_pairs.join(
        distinct, on=["code", "sector"], how="left", maintain_order="left"
    )["section"]
    employees = _int_column(col["employees"])
    started = _int_column(col["started_year"])

    regions = regions_match(col)

    prepared = pl.DataFrame(
        {
            ROW: frame[ROW],
            "problem": frame[PROBLEM],
            "nik_raw": col["nik"],
            "name": names,
            "name_titles": titles,
            "place": birth_place_raw,
            "bdate_raw": birth_date_raw,
            "bdate": birth_dates,
            "sex_raw": col["sex"],
            "sex": sexes,
            "phone_raw": col["phone"],
            "email": col["email"],
            "address": col["address"],
            "rt": rts,
            "rw": rws,
            "village_code": regions["village_code"],
            "region_problem": regions["region_problem"],
            "village_raw": col["village"],
            "postcode": col["postcode"],
            "business_name": col["business_name"],
            "sector": col["business_sector"],
            "business_address": col["business_address"],
            "kbli_code": col["kbli_code"],
            "kbli_section": sections,
            "nib_raw": col["nib"],
            "capital_raw": col["capital"],
            "sales_raw": col["annual_sales"],
            "turnover_raw": col["monthly_turnover"],
            "capital": money["capital"],
            "sales": money["annual_sales"],
            "turnover": money["monthly_turnover"],
            "employees_raw": col["employees"],
            "employees_n": employees,
            "started_raw": col["started_year"],
            "started_n": started,
        },
        schema=PREPARED_SCHEMA,
    )
    districts = district_code_set()
    check = partial(
        check_rows,
        districts=districts,
        today=today,
        width=len(table.headers),
        scope=scope,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    in_scope = partial(codes_cover, scope)
    staged = checked(prepared, check=check, districts=districts, today=today, in_scope=in_scope)
    del prepared
    if scope is not None:
        # With no scope every region is inside it: the look-up could refuse nobody.
        staged = _refuse_out_of_scope_persons(staged, existing_region, in_scope)
    return mark_duplicates(staged)


def _checked_per_row(
    prepared: pl.DataFrame,
    *,
    check: Callable[[pl.DataFrame], pl.DataFrame],
    districts: frozenset[str],
    today: date,
    in_scope: Callable[[str], bool],
) -> pl.DataFrame:
    """Every row through `check` (check_rows)."""
    return _in_slices(prepared, check)


def _checked_set_based_first(
    prepared: pl.DataFrame,
    *,
    check: Callable[[pl.DataFrame], pl.DataFrame],
    districts: frozenset[str],
    today: date,
    in_scope: Callable[[str], bool],
) -> pl.DataFrame:
    """Certain rows staged by the precheck, the rest by `check`. Not in file order:
    mark_duplicates puts the rows back in order."""
    fields = precheck(prepared, districts=districts, today=today, in_scope=in_scope)
    certain = fields.get_column(CERTAIN)
    accepted = fields.filter(certain)
    hashes = services.nik_hashes(accepted.get_column("nik").to_list())
    accepted = accepted.with_columns(
        pl.lit(ACCEPTED).alias("state"),
        pl.lit("").alias("reasons"),
        pl.Series("nik_hash", hashes, dtype=pl.String),
    ).select(pl.col(name).cast(dtype) for name, dtype in STAGED_SCHEMA.items())
    del fields
    return pl.concat([accepted, _in_slices(prepared.filter(~certain), check)])


SLICE_ROWS = 50_000


def _in_slices(
    prepared: pl.DataFrame, check: Callable[[pl.DataFrame], pl.DataFrame]
) -> pl.DataFrame:
    """The row checks in slices (bounded memory), every other slice in a second process."""
    slices = [prepared.slice(i, SLICE_ROWS) for i in range(0, prepared.height, SLICE_ROWS)]
    # Below this many rows starting a second interpreter costs more than it saves.
    if prepared.height < settings.PULIH_INTAKE_PARALLEL_MIN_ROWS:
        return pl.concat([check(part) for part in slices]) if slices else check(prepared)
    # Spawn, not fork: Polars' thread pool does not survive a fork.
    with ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=django_setup
    ) as pool:
        futures = {i: pool.submit(check, part) for i, part in enumerate(slices) if i % 2}
        parts = [futures[i].result() if i % 2 else check(part) for i, part in enumerate(slices)]
    return pl.concat(parts)


def check_rows(
    prepared: pl.DataFrame,
    *,
    districts: frozenset[str],
    today: date,
    width: int,
    scope: list[str] | None,
    language: str,
) -> pl.DataFrame:
    """The registry's identifier rules over a slice of normalised rows; a frame of STAGED_SCHEMA."""
    translation.activate(language)
    district_exists = districts.__contains__
    in_scope = partial(codes_cover, scope)
    out: dict[str, list[object]] = {k: [] for k in STAGED_SCHEMA if k not in (ROW,)}
    reasons_out = out["reasons"]
    columns = prepared.drop(ROW).iter_rows()
    for (
        problem, nik_raw, name, name_titles, place, bdate_raw, bdate, sex_raw, sex,
        phone_raw, email, address, rt, rw, village_code, region_problem, village_raw, postcode,
        business_name, sector, business_address, kbli_code, kbli_section, nib_raw,
        capital_raw, sales_raw, turnover_raw, capital, sales, turnover,
        employees_raw, employees_n, started_raw, started_n,
    ) in columns:  # fmt: skip
        reasons: list[str] = []
        if problem:
            found, _expected = problem.split("/")
            reasons.append(row_message(E.ROW_COLUMNS, found=found, expected=width))
        nik_value = ""
        nik = None
        try:
            nik = parse_nik(nik_raw, district_exists=district_exists, today=today)
            nik_value = nik.value
        except RegistryError as exc:
            reasons.append(exc.message)
        if not name:
            reasons.append(row_message(E.NAME_MISSING))
        elif len(name) > 150:
            reasons.append(row_message(E.NAME_TOO_LONG))
        if bdate_raw and bdate is None:
            reasons.append(row_message(E.BIRTH_DATE_UNREADABLE, value=bdate_raw))
        elif bdate is not None:
            try:
                validate_birth_date(bdate, today=today)
            except RegistryError as exc:
                reasons.append(exc.message)
        if sex_raw and sex is None:
            reasons.append(row_message(E.SEX_UNREADABLE, value=sex_raw))
        bd_mismatch = sex_mismatch = False
        if nik is not None:
            # A list without birth date or sex columns takes them from the NIK, as the KTP does.
            if bdate is None and not bdate_raw:
                bdate = nik.birth_date
            if sex is None and not sex_raw:
                sex = nik.sex
            codes = {e.code for e in nik_mismatches(nik, birth_date=bdate, sex=sex)}
            bd_mismatch = "nik_birth_date_mismatch" in codes
            sex_mismatch = "nik_sex_mismatch" in codes
        phone = ""
        if phone_raw:
            try:
                phone = normalize_phone(phone_raw)
            except RegistryError as exc:
                reasons.append(exc.message)
        if not address:
            reasons.append(row_message(E.ADDRESS_MISSING))
        if region_problem:
            reasons.append(row_message(region_problem, value=village_raw))
        elif village_code and not in_scope(village_code):
            reasons.append(row_message(E.REGION_OUT_OF_SCOPE))
        if not business_name and sector:
            business_name = sector
        if not business_name:
            reasons.append(row_message(E.BUSINESS_NAME_MISSING))
        nib = ""
        if nib_raw:
            try:
                nib = normalize_nib(nib_raw)
            except RegistryError as exc:
                reasons.append(exc.message)
        for label, raw, value in (
            ("modal usaha", capital_raw, capital),
            ("penjualan tahunan", sales_raw, sales),
            ("omzet per bulan", turnover_raw, turnover),
        ):
            if raw and value is None:
                reasons.append(row_message(E.MONEY_UNREADABLE, value=raw, field=label))
        size = ""
        if capital is not None or sales is not None:
            try:
                size = str(business_size_class(capital=capital, annual_sales=sales))
            except RegistryError as exc:
                reasons.append(exc.message)
        if employees_raw and (employees_n is None or employees_n < 0):
            reasons.append(
                row_message(E.NUMBER_UNREADABLE, value=employees_raw, field="jumlah pekerja")
            )
        if started_raw and (started_n is None or not 1900 <= started_n <= today.year):
            reasons.append(
                row_message(E.NUMBER_UNREADABLE, value=started_raw, field="tahun mulai usaha")
            )
        out["state"].append(REJECTED if reasons else ACCEPTED)
        reasons_out.append(" ".join(reasons))
        out["nik"].append(nik_value)
        out["nik_hash"].append(services.nik_hash(nik_value) if nik_value and not reasons else "")
        out["full_name"].append(name[:150])
        out["name_titles"].append(name_titles[:80])
        out["birth_place"].append(place[:80])
        out["birth_date"].append(bdate)
        out["sex"].append(sex or "")
        out["nik_birth_date_mismatch"].append(bd_mismatch)
        out["nik_sex_mismatch"].append(sex_mismatch)
        out["phone"].append(phone)
        out["email"].append(email[:254])
        out["address"].append(" ".join(address.split())[:250])
        out["rt"].append(rt or "")
        out["rw"].append(rw or "")
        out["village_code"].append(village_code or "")
        out["postcode"].append(postcode[:5] if postcode.isdigit() else "")
        out["business_name"].append(" ".join(business_name.split())[:150])
        # Only a real business-address column may change an existing business's address; a new
        # business without one takes the owner's address (pipeline._business_row).
        out["business_address"].append(" ".join(business_address.split())[:250])
        out["kbli_section"].append(kbli_section)
        out["kbli_code"].append(_DIGITS.sub("", kbli_code)[:5])
        out["description"].append(sector[:500])
        out["nib"].append(nib)
        out["capital"].append(capital)
        out["annual_sales"].append(sales)
        out["monthly_turnover"].append(turnover)
        out["employees"].append(employees_n if employees_raw else None)
        out["started_year"].append(started_n if started_raw else None)
        out["size_class"].append(size)

    return pl.DataFrame(
        {ROW: prepared[ROW], **out},
        schema={ROW: pl.UInt32, **{k: STAGED_SCHEMA[k] for k in out}},
    )


def _refuse_out_of_scope_persons(
    staged: pl.DataFrame,
    existing_region: Callable[[list[str]], dict[str, str]],
    in_scope: Callable[[str], bool],
) -> pl.DataFrame:
    hashes = staged.filter(pl.col("state") == ACCEPTED)["nik_hash"].to_list()
    regions = existing_region(hashes)
    outside = [h for h, region in regions.items() if not in_scope(region)]
    if not outside:
        return staged
    hit = pl.col("nik_hash").is_in(outside) & (pl.col("state") == ACCEPTED)
    return staged.with_columns(
        pl.when(hit).then(pl.lit(REJECTED)).otherwise(pl.col("state")).alias("state"),
        pl.when(hit)
        .then(pl.lit(row_message(E.PERSON_OUT_OF_SCOPE)))
        .otherwise(pl.col("reasons"))
        .alias("reasons"),
    )


def mark_duplicates(staged: pl.DataFrame) -> pl.DataFrame:
    """Of accepted rows sharing a NIK the first in the file is kept; later ones point at it."""
    accepted = pl.col("state") == ACCEPTED
    # Grouped by the NIK as a number (every staged NIK is 16 ASCII digits, or "" where it did
    # not parse, which becomes null): hashing integers is cheaper than hashing text.
    nik_key = pl.col("nik").cast(pl.UInt64, strict=False)
    first = pl.when(accepted).then(pl.col(ROW)).min().over(nik_key).alias("first_row")
    dup = accepted & (pl.col(ROW) != pl.col("first_row"))
    template = row_message(E.DUPLICATE_IN_FILE, row="{row}")
    head, _, tail = template.partition("{row}")
    return (
        staged.lazy()
        .sort(ROW)
        .with_columns(first)
        .with_columns(
            pl.when(dup).then(pl.lit(DUPLICATE)).otherwise(pl.col("state")).alias("state"),
            pl.when(dup)
            .then(pl.concat_str(pl.lit(head), pl.col("first_row").cast(pl.String), pl.lit(tail)))
            .otherwise(pl.col("reasons"))
            .alias("reasons"),
        )
        .collect()
    )
