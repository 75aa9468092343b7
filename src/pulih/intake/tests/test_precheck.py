"""The set-based precheck against check_rows, the per-row authority it lets rows skip.

The one property that matters: a row the precheck calls certain is accepted by check_rows with
exactly the same staged fields. Rows are generated at the level check_rows reads (after the
shared normalisers), with the faults and oddities real lists bring.
"""

import sys
from datetime import date
from functools import partial
from pathlib import Path

import polars as pl
import pytest
from django.conf import settings
from hypothesis import given, settings as hypothesis_settings, strategies as st
from polars.testing import assert_frame_equal

from pulih.accounts.selectors import codes_cover
from pulih.intake.columns import guess_mapping
from pulih.intake.precheck import _ODD_SPACE, CERTAIN, precheck
from pulih.intake.reader import ROW, read_table
from pulih.intake.staging import (
    ACCEPTED,
    PREPARED_SCHEMA,
    STAGED_SCHEMA,
    _checked_set_based_first,
    check_rows,
    stage,
    stage_per_row,
)
from pulih.intake.tests.files import HEADERS, row, write_csv
from pulih.testing.factories import build_nik

TODAY = date(2026, 11, 22)
DISTRICTS = frozenset({"31.71.01", "31.75.07", "32.73.01"})
WIDTH = 16


def _nik(district: str, day: int, month: int, year: int, serial: int) -> str:
    return f"{district.replace('.', '')}{day:02d}{month:02d}{year:02d}{serial:04d}"


def _separated(text: str, seps: list[str]) -> str:
    return "".join(ch + sep for ch, sep in zip(text, seps + [""] * len(text), strict=False))


# Valid NIKs as lists write them, with the separators copied from a KTP.
plain_nik = st.builds(
    lambda district, born, female, serial, seps: _separated(
        _nik(district, born.day + 40 * female, born.month, born.year % 100, serial), seps
    ),
    st.sampled_from(sorted(DISTRICTS)),
    st.dates(date(1901, 1, 1), TODAY),
    st.booleans(),
    st.integers(1, 9999),
    st.lists(st.sampled_from(["", "", "", "", " ", ".", "-"])),
)
# Dates at the edges: today and tomorrow (which century), leap days, month lengths, women's +40.
EDGE_NIKS = [
    _nik("31.75.07", 22, 11, 26, 1), _nik("31.75.07", 23, 11, 26, 1),
    _nik("31.75.07", 62, 11, 26, 1), _nik("31.75.07", 63, 11, 26, 1),
    _nik("31.75.07", 31, 12, 26, 1), _nik("31.75.07", 1, 1, 27, 1),
    _nik("31.75.07", 29, 2, 0, 1), _nik("31.75.07", 69, 2, 0, 1), _nik("31.75.07", 29, 2, 1, 1),
    _nik("31.75.07", 29, 2, 96, 1), _nik("31.75.07", 30, 2, 96, 1), _nik("31.75.07", 31, 4, 80, 1),
    _nik("31.75.07", 30, 4, 80, 1), _nik("31.75.07", 71, 1, 80, 1), _nik("31.75.07", 72, 1, 80, 1),
    _nik("31.75.07", 40, 1, 80, 1), _nik("31.75.07", 0, 1, 80, 1), _nik("31.75.07", 1, 0, 80, 1),
    _nik("31.75.07", 1, 13, 80, 1), _nik("31.75.07", 1, 1, 80, 0), _nik("99.99.99", 1, 1, 80, 1),
    "3175 0752.0385-0001", "3175\t0752 0385 0001", "3175\u20130752 0385 0001", "317507520385000",
    "31750752038500011", "31750752O3850001", "\uff13175075203850001", "3175/0752/0385/0001",
    " 3175075203850001", "3175075203850001.", "", "-", "3175075203850001x",
]  # fmt: skip
odd_nik = (
    st.sampled_from(EDGE_NIKS)
    | st.builds(
        lambda district, day, month, year, serial, seps: _separated(
            _nik(district, day, month, year, serial), seps
        ),
        st.sampled_from([*sorted(DISTRICTS), "99.99.99"]),
        # Women's days are 41-71; 40, 0 and 72+ are impossible; 29-31 test month lengths.
        st.sampled_from([0, 1, 12, 28, 29, 30, 31, 32, 40, 41, 52, 69, 70, 71, 72]),
        st.integers(0, 14),
        # Two-digit years either side of today's (26) and the century boundary.
        st.sampled_from([0, 1, 4, 25, 26, 27, 50, 99]),
        st.sampled_from([0, 1, 9999]),
        st.lists(st.sampled_from(["", "", " ", ".", "-", "\t", "\u2013", "/", "x", "\u00a0"])),
    )
    | st.text(alphabet="0123456789 .-\uff10A", max_size=20)
)
spaced_text = ["Jl.  Raya   Bekasi", "Jl.\tRaya", "Jl.\u00a0Raya", "Jl.\x1cRaya",
               "Gg. Mawar\u3000No. 2", "x" * 260, " Jl. Raya "]  # fmt: skip
MONEY_ODD = [("banyak", None), ("-5", -5), ("x", 1_000_000_001), ("x", 5_000_000_000),
             ("x", 10_000_000_001), ("x", 2_000_000_000), ("x", 15_000_000_001),
             ("x", 50_000_000_000), ("x", 50_000_000_001), ("", 7), ("x", 0)]  # fmt: skip

# Per field: plain values (certain when all of a row's fields are plain) and odd ones (faults,
# boundaries, look-alike characters, unusual whitespace) for a few fields of each row.
FIELDS: dict[str, tuple[list, list]] = {
    "problem": ([None, ""], ["17/16"]),
    "name": (["Siti Aminah", "Ni\u00f1o"], ["", "A", "a" * 150, "a" * 151, "Siti\u00a0Aminah"]),
    "name_titles": (["", "H., S.E."], ["t" * 90]),
    "place": (["", "JAKARTA"], ["p" * 90]),
    "birth": ([("", None), ("12-03-1985", "date")],
              [("kemarin", None), ("", "date"), ("x", "future"), ("x", "old"),
               ("x", "1900-01-01"), ("x", "today")]),
    "sex": ([("", None), ("L", "L"), ("P", "P"), ("Wanita", "P")],
            [("X", None), ("", "l"), ("", ""), ("", "P"), ("x", " P")]),
    "phone_raw": (["", "0812-3456-7890", "+62 812 3456 7890", "6281234567890", "(021) 555-1234"],
                  ["0812 3456 789", "12345", "+0812345678", "620812345678", "+62812345678901",
                   "0812\u00a03456\u00a07890", "\uff10812345678901", "081234567890123",
                   "08123456789x", "+62 0812 3456 789", "()", "62 812345", "0 8 1 2 3 4 5 6 7"]),
    "email": (["", "siti@example.id"], ["e" * 260]),
    "address": (["Jl. Raya Bekasi No. 5"], ["", *spaced_text]),
    "rt": (["005"], [None, ""]),
    "rw": (["002"], [None, ""]),
    "village_code": (["31.75.07.1002"], [None, "", "32.73.01.1001", "31.75"]),
    "region_problem": ([None], ["", "region_not_found", "region_ambiguous", "region_missing"]),
    "village_raw": (["Pondok Bambu"], [""]),
    "postcode": (["", "13430"], ["134301234", "1343a", "\u0661\u0662\u0663", "\u00b2", "0"]),
    "business_name": (["Warung Berkah", ""], spaced_text),
    "sector": (["Kuliner"], ["", "Kerajinan\u00a0Tangan", "s" * 510]),
    "business_address": ([""], ["Jl. Raya Bekasi No. 5", *spaced_text]),
    "kbli_code": (["", "56101"], ["56.10.1", "\u0665\u0666\u0661", "KBLI 47"]),
    "kbli_section": (["I"], [None, "", "C"]),
    "nib_raw": (["", "1234567890123"],
                ["1234 5678 90123", "123456789012", "12345678901234", "123456789012A",
                 "\uff11234567890123", "1234567890123\u00a0", "12345 67890 123"]),
    "capital": ([("", None), ("1 M", 1_000_000_000)], MONEY_ODD),
    "sales": ([("", None), ("2 M", 2_000_000_000)], MONEY_ODD),
    "turnover": ([("", None), ("Rp2.400.000", 2_400_000)], MONEY_ODD),
    "employees": ([("", None), ("5", 5)], [("-1", -1), ("x", None), ("0", 0), ("", 3)]),
    "started": ([("", None), ("2010", 2010)],
                [("1899", 1899), ("1900", 1900), ("2026", 2026), ("2027", 2027), ("x", None),
                 ("", 1500)]),
}  # fmt: skip


@st.composite
def prepared_row(draw: st.DrawFn) -> dict:
    """A plain row with a few of its fields odd."""
    odd = draw(st.sets(st.sampled_from(sorted([*FIELDS, "nik_raw"])), max_size=3))
    values = {
        name: draw(st.sampled_from(odd_values if name in odd else plain))
        for name, (plain, odd_values) in FIELDS.items()
    }
    values["nik_raw"] = draw(odd_nik if "nik_raw" in odd else plain_nik)
    values["bdate"] = draw(st.dates(date(1900, 1, 1), TODAY))
    return values


# Fields drawn as (text as written, value the normalisers made of it).
PAIRS = {
    "sex": ("sex_raw", "sex"),
    "capital": ("capital_raw", "capital"),
    "sales": ("sales_raw", "sales"),
    "turnover": ("turnover_raw", "turnover"),
    "employees": ("employees_raw", "employees_n"),
    "started": ("started_raw", "started_n"),
}
BIRTH_DATES = {
    "future": date(2026, 11, 23),
    "old": date(1899, 12, 31),
    "1900-01-01": date(1900, 1, 1),
    "today": TODAY,
}


def _prepared(rows: list[dict]) -> pl.DataFrame:
    """The frame check_rows takes, from drawn rows (numbered from 2, as the reader does)."""
    records = []
    for number, drawn in enumerate(rows, start=2):
        record = {ROW: number} | {k: v for k, v in drawn.items() if k in PREPARED_SCHEMA}
        for name, (raw_column, value_column) in PAIRS.items():
            record[raw_column], record[value_column] = drawn[name]
        record["bdate_raw"], kind = drawn["birth"]
        record["bdate"] = drawn["bdate"] if kind == "date" else BIRTH_DATES.get(kind)
        records.append(record)
    return pl.DataFrame(records, schema=PREPARED_SCHEMA, orient="row")


def _per_row(prepared: pl.DataFrame, scope: list[str] | None) -> pl.DataFrame:
    return check_rows(
        prepared,
        districts=DISTRICTS,
        today=TODAY,
        width=WIDTH,
        scope=scope,
        language=settings.LANGUAGE_CODE,
    )


@pytest.mark.database_free
@hypothesis_settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(prepared_row(), min_size=1, max_size=12), scope=st.sampled_from([None, ["31"]])
)
def test_a_row_the_precheck_accepts_is_accepted_by_check_rows_with_the_same_fields(rows, scope):
    prepared = _prepared(rows)
    fields = precheck(
        prepared, districts=DISTRICTS, today=TODAY, in_scope=partial(codes_cover, scope)
    )
    exact = _per_row(prepared, scope)
    for quick, slow in zip(fields.iter_rows(named=True), exact.iter_rows(named=True), strict=True):
        if not quick.pop(CERTAIN):
            continue
        assert (slow["state"], slow["reasons"]) == (ACCEPTED, "")
        assert quick == {k: v for k, v in slow.items() if k in quick}


@pytest.mark.database_free
@hypothesis_settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(prepared_row(), min_size=0, max_size=12), scope=st.sampled_from([None, ["31"]])
)
def test_checking_certain_rows_set_based_stages_what_check_rows_stages(rows, scope):
    """Every staged column, nik_hash included, and the same dtypes (in file order)."""
    prepared = _prepared(rows)
    check = partial(
        check_rows, districts=DISTRICTS, today=TODAY, width=WIDTH, scope=scope,
        language=settings.LANGUAGE_CODE,
    )  # fmt: skip
    quick = _checked_set_based_first(
        prepared, check=check, districts=DISTRICTS, today=TODAY,
        in_scope=partial(codes_cover, scope),
    )  # fmt: skip
    assert quick.schema == pl.Schema(STAGED_SCHEMA)
    assert_frame_equal(quick.sort(ROW), _per_row(prepared, scope), check_exact=True)


@pytest.mark.database_free
@pytest.mark.parametrize("scope", [None, ["31"]])
def test_each_odd_value_alone_in_a_plain_row_keeps_the_property(scope):
    """Every odd value of every field, one at a time, in plain rows of both extremes."""
    bases = [
        {name: plain[0] for name, (plain, _) in FIELDS.items()},
        {name: plain[-1] for name, (plain, _) in FIELDS.items()},
    ]
    rows = [
        base | {"nik_raw": nik, "bdate": date(1985, 3, 12)} for base in bases for nik in EDGE_NIKS
    ]
    rows += [
        base | {name: value, "nik_raw": _nik("31.75.07", 52, 3, 85, 1), "bdate": date(1985, 3, 12)}
        for base in bases
        for name, (_, odd) in FIELDS.items()
        for value in odd
    ]
    prepared = _prepared(rows)
    fields = precheck(
        prepared, districts=DISTRICTS, today=TODAY, in_scope=partial(codes_cover, scope)
    )
    exact = _per_row(prepared, scope)
    for quick, slow in zip(fields.iter_rows(named=True), exact.iter_rows(named=True), strict=True):
        if quick.pop(CERTAIN):
            assert (slow["state"], slow["reasons"]) == (ACCEPTED, ""), (quick, slow)
            assert quick == {k: v for k, v in slow.items() if k in quick}
    # Both ways were taken: the plain bases with an edge NIK that parses are certain.
    assert 0 < fields[CERTAIN].sum() < prepared.height


@pytest.mark.database_free
def test_plain_rows_in_every_common_form_are_certain():
    """The precheck must know the forms real lists use, or every row goes the slow way."""
    base = {
        "problem": None, "name": "Siti Aminah", "name_titles": "", "place": "JAKARTA",
        "birth": ("", None), "bdate": date(1985, 3, 12), "sex": ("", None), "phone_raw": "",
        "email": "", "address": "Jl.  Raya Bekasi No. 5", "rt": "005", "rw": "002",
        "village_code": "31.75.07.1002", "region_problem": None, "village_raw": "Pondok Bambu",
        "postcode": "", "business_name": "", "sector": "Kuliner", "business_address": "",
        "kbli_code": "", "kbli_section": "I", "nib_raw": "", "capital": ("", None),
        "sales": ("", None), "turnover": ("Rp2.400.000", 2_400_000),
        "employees": ("", None), "started": ("", None),
    }  # fmt: skip
    nik = _nik("31.75.07", 52, 3, 85, 1)
    variants = [
        {"nik_raw": nik},
        {"nik_raw": "3175 0752 0385 0001"},
        {"nik_raw": "31.75.07-520385-0001"},
        {"nik_raw": nik, "birth": ("12-03-1985", "date"), "sex": ("P", "P")},
        # Flagged, not refused: another year, and another sex.
        {"nik_raw": nik, "birth": ("12-03-1986", "date"), "bdate": date(1986, 3, 12)},
        {"nik_raw": nik, "sex": ("Pria", "L")},
        # The same two year digits in another century is no mismatch.
        {
            "nik_raw": _nik("31.75.07", 12, 3, 5, 1),
            "birth": ("x", "date"),
            "bdate": date(1905, 3, 12),
        },
        {"nik_raw": nik, "birth": ("x", "date"), "bdate": date(1985, 4, 12)},
        {"nik_raw": nik, "birth": ("x", "date"), "bdate": date(1985, 3, 13)},
        {"nik_raw": _nik("31.75.07", 29, 2, 0, 7)},  # 29 February 2000
        {"nik_raw": _nik("31.75.07", 1, 1, 27, 7)},  # '27 is 1927 on TODAY
        *(
            {"nik_raw": nik, "phone_raw": p}
            for p in (
                "0812-3456-7890",
                "+62 812 3456 7890",
                "6281234567890",
                "(021) 555-1234",
            )
        ),  # fmt: skip
        {"nik_raw": nik, "nib_raw": "1234 5678 90123", "capital": ("1 M", 1_000_000_000)},
        {"nik_raw": nik, "employees": ("5", 5), "started": ("2010", 2010), "postcode": "13430"},
        {"nik_raw": nik, "kbli_code": "56.10.1", "business_name": "Warung  Berkah"},
    ]
    prepared = _prepared([base | v for v in variants])
    for scope in (None, ["31"]):
        fields = precheck(
            prepared, districts=DISTRICTS, today=TODAY, in_scope=partial(codes_cover, scope)
        )
        assert fields[CERTAIN].all()
        assert_frame_equal(
            fields.drop(CERTAIN),
            _per_row(prepared, scope).select(fields.drop(CERTAIN).columns),
            check_exact=True,
        )


@pytest.mark.database_free
def test_odd_space_is_every_separator_python_splits_on_but_the_space():
    spaces = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    frame = pl.DataFrame({"ch": list(spaces) + ["a", "\u200b"]})
    odd = frame.select(pl.col("ch").str.contains(_ODD_SPACE))["ch"].to_list()
    assert odd == [ch != " " for ch in spaces] + [False, False]


def _mixed_rows() -> list[list[str]]:
    """Plain rows, rows with each fault, duplicates and oddities, as a list would send them."""
    rows = [row(n) for n in range(1, 30)]
    rows += [
        row(30, nik="317507520385001"),
        row(31, nik="31750752O3850001"),
        row(32, nik="9999995203850001"),
        row(33, nik="3175073213850001"),
        row(34, nik="3175075203850000"),
        row(35, nik=""),
        row(36, name="  "),
        row(37, place_date="JAKARTA, kemarin"),
        row(38, place_date="JAKARTA, 31-02-1985"),
        row(39, place_date="JAKARTA, 12-03-2099"),
        row(40, sex="X"),
        row(41, address=""),
        row(42, village=""),
        row(43, village="Desa Tidak Ada"),
        row(44, phone="12345"),
        row(45, business="", sector=""),
        row(46, turnover="banyak"),
        row(47, sex="L"),  # the NIK says a woman: flagged, not refused
        row(48, nik=build_nik("31.75.07", date(1985, 3, 12), "P", 48).replace("3175", "3175 ")),
        row(49, phone="+62 812 3456 7890", address="Jl.\u00a0Raya  Bekasi"),
        row(50, village="Kelurahan Pondok Bambu", district="Kec. Duren Sawit"),
        row(1),  # a duplicate of the first row
        row(51, name="SITI AMINAH, S.E.", business="  Warung   Berkah "),
        row(52, city="KOTA BANDUNG", province="JAWA BARAT"),  # outside a Jakarta officer's scope
    ]
    return rows


@pytest.mark.django_db
@pytest.mark.parametrize("scope", [None, ["31"], ["31.75"]])
def test_stage_equals_the_all_rows_per_row_path(tmp_path: Path, scope):
    path = write_csv(tmp_path / "daftar.csv", _mixed_rows())
    table = read_table(path, "csv")
    mapping = guess_mapping(HEADERS)
    hash_elsewhere = {}

    def existing_region(hashes: list[str]) -> dict[str, str]:
        # The person of the second row is registered in Bandung.
        hash_elsewhere.setdefault("h", hashes[1] if len(hashes) > 1 else "")
        return {hash_elsewhere["h"]: "32.73.01.1001"}

    kwargs = {"scope": scope, "existing_region": existing_region, "today": TODAY}
    quick = stage(table, mapping, **kwargs)
    exact = stage_per_row(table, mapping, **kwargs)
    assert quick.schema == exact.schema
    assert_frame_equal(quick, exact, check_exact=True)
    # The mix really took both ways.
    assert 0 < (quick["state"] == ACCEPTED).sum() < quick.height
