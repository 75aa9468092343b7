"""Reading the cells of proposer lists: dates, place and date of birth, names, money, sex, RT/RW."""

from datetime import date

import polars as pl
import pytest

from pulih.intake.normalize import (
    clean_text,
    pad_rt,
    parse_dates,
    parse_money,
    parse_sex,
    split_name_titles,
    split_place_date,
    split_rt_rw,
)

TODAY = date(2026, 11, 22)
AUG_17_1980 = date(1980, 8, 17)


def one(values: list[str | None]) -> pl.Series:
    return pl.Series("cell", values, dtype=pl.String)


# --- parse_dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17-08-1980", AUG_17_1980),
        ("17/08/1980", AUG_17_1980),
        ("17.08.1980", AUG_17_1980),
        ("17-8-1980", AUG_17_1980),
        ("7-8-1980", date(1980, 8, 7)),
        ("17 08 1980", AUG_17_1980),
        ("  17 - 08 - 1980 ", AUG_17_1980),
        ("17/08/80", AUG_17_1980),
        ("1980-08-17", AUG_17_1980),
        ("1980/08/17", AUG_17_1980),
        ("1980-08-17 00:00:00", AUG_17_1980),
        ("1980-08-17T00:00:00", AUG_17_1980),
        ("1980-08-17 00:00:00.000", AUG_17_1980),
        ("17/08/1980 00:00", AUG_17_1980),
        ("17 Agustus 1980", AUG_17_1980),
        ("17 AGUSTUS 1980", AUG_17_1980),
        ("17 agustus 1980", AUG_17_1980),
        ("17 Agt 1980", AUG_17_1980),
        ("17 Ags 1980", AUG_17_1980),
        ("17 Agst. 1980", AUG_17_1980),
        ("17-Agu-1980", AUG_17_1980),
        ("17-AGU-80", AUG_17_1980),
        ("17Agustus1980", AUG_17_1980),
        ("17 Aug 1980", AUG_17_1980),
        ("17 August 1980", AUG_17_1980),
        ("August 17, 1980", AUG_17_1980),
        ("Aug 17 1980", AUG_17_1980),
        ("29450", AUG_17_1980),
        ("29450.0", AUG_17_1980),
        ("29450.5", AUG_17_1980),  # a datetime serial: the time is dropped
        ("17081980", AUG_17_1980),
        ("19800817", AUG_17_1980),
    ],
)
def test_dates_in_every_common_spelling(text, expected):
    assert parse_dates(one([text]), today=TODAY).to_list() == [expected]


@pytest.mark.parametrize(
    ("month", "number"),
    [
        *[(m, 1) for m in ("Januari", "January", "Jan")],
        *[(m, 2) for m in ("Februari", "Pebruari", "February", "Feb", "Peb")],
        *[(m, 3) for m in ("Maret", "March", "Mar")],
        *[(m, 4) for m in ("April", "Apr")],
        *[(m, 5) for m in ("Mei", "May")],
        *[(m, 6) for m in ("Juni", "June", "Jun")],
        *[(m, 7) for m in ("Juli", "July", "Jul")],
        *[(m, 8) for m in ("Agustus", "Agu", "Agt", "Ags", "Agst", "Aug")],
        *[(m, 9) for m in ("September", "Sep", "Sept")],
        *[(m, 10) for m in ("Oktober", "October", "Okt", "Oct")],
        *[(m, 11) for m in ("November", "Nopember", "Nov", "Nop")],
        *[(m, 12) for m in ("Desember", "December", "Des", "Dec")],
    ],
)
def test_indonesian_and_english_month_names(month, number):
    assert parse_dates(one([f"5 {month} 1990"]), today=TODAY).to_list() == [date(1990, number, 5)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17/08/26", date(2026, 8, 17)),  # this century: not in the future yet
        ("22/11/26", date(2026, 11, 22)),  # today itself
        ("23/11/26", date(1926, 11, 23)),  # tomorrow in 2026, so 1926
        ("01/01/00", date(2000, 1, 1)),
        ("29/02/00", date(2000, 2, 29)),
        ("31/12/99", date(1999, 12, 31)),
    ],
)
def test_two_digit_years_take_the_latest_century_not_in_the_future(text, expected):
    assert parse_dates(one([text]), today=TODAY).to_list() == [expected]


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "-",
        "abc",
        "31-02-1980",  # no such day
        "29-02-1981",
        "17-13-1980",  # day-first always: 13 is not a month
        "08/17/1980",
        "17 Agustos 1980",  # unknown month
        "1980",  # a bare year is not a date (nor serial 1980, 2 June 1905)
        "17-08",
        "1",  # serial for 1899-12-31, before 1900
        "47000",  # serial for 2028, in the future
        "99999",
        "-29450",
        "17081980123",
        "00000000",
    ],
)
def test_empty_or_unreadable_dates_are_null(text):
    assert parse_dates(one([text]), today=TODAY).to_list() == [None]


def test_dates_keep_row_order_and_repeat_for_repeated_cells():
    cells = ["17-08-1980", None, "1980-08-17", "17-08-1980", "x", "01/01/2000"]
    assert parse_dates(one(cells), today=TODAY).to_list() == [
        AUG_17_1980,
        None,
        AUG_17_1980,
        AUG_17_1980,
        None,
        date(2000, 1, 1),
    ]


def test_dates_default_to_the_local_date_for_two_digit_years():
    assert parse_dates(one(["17/08/80"])).dtype == pl.Date
    assert parse_dates(one(["17/08/80"])).to_list() == [AUG_17_1980]


# --- split_place_date ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "place", "date_text"),
    [
        ("BANDUNG, 17-08-1980", "Bandung", "17-08-1980"),
        ("Bandung / 17 Agustus 1980", "Bandung", "17 Agustus 1980"),
        ("Kab. Bogor,17/08/80", "Kab. Bogor", "17/08/80"),
        ("KOTA TANJUNG PINANG, 1980-08-17", "Kota Tanjung Pinang", "1980-08-17"),
        ("Bandung/17/08/1980", "Bandung", "17/08/1980"),
        ("Kab. Bogor, Jawa Barat, 17-08-1980", "Kab. Bogor, Jawa Barat", "17-08-1980"),
        ("17 Agustus 1980", "", "17 Agustus 1980"),
        ("BANDUNG,17-08-1980,", "Bandung", "17-08-1980"),
        ("Medan, 31-02-1980", "Medan", "31-02-1980"),  # parse_dates judges the date
        ("JAKARTA 17-08-1980", "Jakarta", "17-08-1980"),
        ("Bandung, August 17, 1980", "Bandung", "August 17, 1980"),
        ("Bandung , 17-Agu-80", "Bandung", "17-Agu-80"),
        ("17-08-1980", "", "17-08-1980"),
        ("Bandung", "Bandung", ""),
        ("", "", ""),
        (None, "", ""),
    ],
)
def test_place_and_date_of_birth_split_at_the_date(cell, place, date_text):
    places, dates = split_place_date(one([cell]))
    assert (places.to_list(), dates.to_list()) == ([place], [date_text])


def test_split_date_text_reads_as_a_date():
    _, dates = split_place_date(one(["Kab. Bogor,17/08/80", "Bandung / 17 Agustus 1980"]))
    assert parse_dates(dates, today=TODAY).to_list() == [AUG_17_1980, AUG_17_1980]


# --- split_name_titles ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "name", "titles"),
    [
        # Case and spacing
        ("AHMAD SUBARJO", "Ahmad Subarjo", ""),
        ("siti nurhaliza", "Siti Nurhaliza", ""),
        ("  AHMAD    SUBARJO  ", "Ahmad Subarjo", ""),
        ("SUKARNO", "Sukarno", ""),
        ("MA'RUF AMIN", "Ma'ruf Amin", ""),
        ("NUR’AINI", "Nur'aini", ""),
        ("AHMAD BIN ABDULLAH", "Ahmad bin Abdullah", ""),
        ("SITI BINTI H. ABDULLAH", "Siti binti H. Abdullah", ""),  # the father's title stays
        ("I WAYAN SUDIRTA", "I Wayan Sudirta", ""),
        # Muhammad abbreviations are names, not titles
        ("M. YUSUF", "M. Yusuf", ""),
        ("MOCH. RIDWAN", "Moch. Ridwan", ""),
        ("MUH. ALI", "Muh. Ali", ""),
        ("M YUSUF", "M Yusuf", ""),
        # Noise around the name
        ("1. AHMAD", "Ahmad", ""),
        ("'SITI AMINAH", "Siti Aminah", ""),
        ("- Budi -", "Budi", ""),
        ("Budi Santoso.", "Budi Santoso", ""),
        ("Budi S.", "Budi S.", ""),  # an initial keeps its full stop
        # Prefix titles, with or without the dot, any case
        ("H. AHMAD", "Ahmad", "H."),
        ("H AHMAD DAHLAN", "Ahmad Dahlan", "H."),
        ("h.ahmad", "Ahmad", "H."),
        ("HAJI AHMAD", "Ahmad", "H."),
        ("HJ. SITI AMINAH", "Siti Aminah", "Hj."),
        ("Hj Siti", "Siti", "Hj."),
        ("HAJJAH FATIMAH", "Fatimah", "Hj."),
        ("KH. Ahmad Dahlan", "Ahmad Dahlan", "KH."),
        ("K.H. Ahmad Dahlan", "Ahmad Dahlan", "KH."),
        ("DR. SITI", "Siti", "Dr."),
        ("dr. Siti", "Siti", "dr."),
        ("Drs. Bambang", "Bambang", "Drs."),
        ("DRA SRI", "Sri", "Dra."),
        ("IR SOEKARNO", "Soekarno", "Ir."),
        ("Prof. Dr. Ir. H. Ahmad", "Ahmad", "Prof., Dr., Ir., H."),
        ("UST. ABDUL SOMAD", "Abdul Somad", "Ust."),
        ("H.M. YUSUF", "M. Yusuf", "H."),
        # Words that only look like titles
        ("Haji", "Haji", ""),  # nothing else: it is the name
        ("AHMAD HAJI", "Ahmad Haji", ""),  # only counts in first position
        ("IRWAN", "Irwan", ""),
        ("HARTONO", "Hartono", ""),
        ("DRAJAT", "Drajat", ""),
        ("NYOMAN", "Nyoman", ""),
        # Degrees at the end, after a comma or not
        ("BUDI SANTOSO, S.E.", "Budi Santoso", "S.E."),
        ("Budi Santoso, SE", "Budi Santoso", "S.E."),
        ("Budi Santoso SE", "Budi Santoso", "S.E."),
        ("Budi Santoso,SE.", "Budi Santoso", "S.E."),
        ("Budi Santoso, S.Pd.", "Budi Santoso", "S.Pd."),
        ("Budi Santoso S.Pd.I", "Budi Santoso", "S.Pd.I."),
        ("Budi, S.Kom., M.Kom.", "Budi", "S.Kom., M.Kom."),
        ("Budi S.H., M.H.", "Budi", "S.H., M.H."),
        ("Budi, ST", "Budi", "S.T."),
        ("Budi, S.Sos", "Budi", "S.Sos."),
        ("Budi, S.Ag", "Budi", "S.Ag."),
        ("Budi, S.Kep", "Budi", "S.Kep."),
        ("Budi, S.Ked", "Budi", "S.Ked."),
        ("Budi, S.Psi", "Budi", "S.Psi."),
        ("Budi, S.Si", "Budi", "S.Si."),
        ("Budi, S.IP", "Budi", "S.IP."),
        ("Budi, S.Ak", "Budi", "S.Ak."),
        ("Budi, MM", "Budi", "M.M."),
        ("Budi, M.Si", "Budi", "M.Si."),
        ("Budi, M.Pd", "Budi", "M.Pd."),
        ("Budi, MBA", "Budi", "MBA"),
        ("Rina, A.Md.", "Rina", "A.Md."),
        ("Rina Amd", "Rina", "A.Md."),
        ("Rina A.Md.Keb", "Rina", "A.Md.Keb."),
        ("Budi, Ph.D.", "Budi", "Ph.D."),
        ("dr. Siti Rahma, Sp.A", "Siti Rahma", "dr., Sp.A."),
        ("Abdul Somad, Lc.", "Abdul Somad", "Lc."),
        ("Budi, B.Sc.", "Budi", "B.Sc."),
        ("Siti, M.A.", "Siti", "M.A."),
        ("SITI MA", "Siti Ma", ""),  # undotted "MA" is a name part
        # Everything at once
        (
            "DR. IR. H. AHMAD SUBARJO, S.E., MM",
            "Ahmad Subarjo",
            "Dr., Ir., H., S.E., M.M.",
        ),
        ("Drs. H. Ahmad, M.Si", "Ahmad", "Drs., H., M.Si."),
        ("Prof.Dr.Ir.Ahmad,M.Sc", "Ahmad", "Prof., Dr., Ir., M.Sc."),
        ("Ahmad S.E.,M.M", "Ahmad", "S.E., M.M."),
        ("H. Ahmad bin H. Umar, S.Ag", "Ahmad bin H. Umar", "H., S.Ag."),
        ("ÉLODIE SE", "Élodie", "S.E."),
        ("AHMAD (ALM)", "Ahmad (Alm)", ""),
        # Nothing there
        ("", "", ""),
        (None, "", ""),
        ("  ", "", ""),
    ],
)
def test_names_are_title_cased_and_titles_kept_apart(cell, name, titles):
    names, found = split_name_titles(one([cell]))
    assert (names.to_list(), found.to_list()) == ([name], [titles])


# --- parse_money ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("Rp2.400.000", 2_400_000),
        ("Rp 2.400.000,00", 2_400_000),
        ("Rp. 2.400.000", 2_400_000),
        ("Rp2.400.000,-", 2_400_000),
        ("IDR 2,400,000", 2_400_000),
        ("2,400,000.00", 2_400_000),
        ("2400000", 2_400_000),
        ("2.400.000", 2_400_000),
        ("2400000,00", 2_400_000),
        ("2400000.0", 2_400_000),  # a float read as text
        ("2399999.9999999995", 2_400_000),
        ("2.400.000 rupiah", 2_400_000),
        ("2,4 jt", 2_400_000),
        ("2,4 juta", 2_400_000),
        ("2.4jt", 2_400_000),
        ("2,4JT", 2_400_000),
        ("Rp 2,4 jt", 2_400_000),
        ("1.500 rb", 1_500_000),  # three digits after the dot: thousands, even with a unit
        ("500 rb", 500_000),
        ("500 ribu", 500_000),
        ("500rb", 500_000),
        ("500K", 500_000),
        ("1,2 M", 1_200_000_000),
        ("1,2 miliar", 1_200_000_000),
        ("1,2 milyar", 1_200_000_000),
        ("1 T", 1_000_000_000_000),
        ("1 triliun", 1_000_000_000_000),
        ("0", 0),
        ("1.250.000,50", 1_250_001),  # cents round half up
    ],
)
def test_money_in_every_common_spelling(text, amount):
    assert parse_money(one([text])).to_list() == [amount]


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "-",
        "Rp -",
        "abc",
        "-2400000",
        "Rp -2.400.000",
        "2,4",  # no unit: a slip, not two rupiah forty
        "2.40.000",  # thousands come in threes
        "2.400.00",
        "2,4 kg",
        "2 jt 400 rb",
        "1.2.3",
    ],
)
def test_empty_negative_or_unreadable_money_is_null(text):
    assert parse_money(one([text])).to_list() == [None]


def test_money_is_whole_rupiah():
    assert parse_money(one(["2,4 jt"])).dtype == pl.Int64


# --- parse_sex -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        *[
            (t, "L")
            for t in ("L", "l", "LK", "L/K", "LAKI-LAKI", "Laki laki", "laki2", "Pria", "Male", "M")
        ],
        *[(t, "P") for t in ("P", "PR", "PEREMPUAN", "Perempuan", "Wanita", "W", "Female", "F")],
        (" L ", "L"),
        *[(t, None) for t in (None, "", "X", "L/P", "0", "1")],
    ],
)
def test_sex_reads_as_l_or_p(text, sex):
    assert parse_sex(one([text])).to_list() == [sex]


# --- RT/RW ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rt", "rw"),
    [
        ("RT 005/RW 002", "005", "002"),
        ("RT 005 / RW 002", "005", "002"),
        ("005/002", "005", "002"),
        ("5/2", "005", "002"),
        ("RT.05 RW.02", "005", "002"),
        ("RT 5 RW 2", "005", "002"),
        ("rt 5 rw 2", "005", "002"),
        ("05 / 02", "005", "002"),
        ("RT/RW 005/002", "005", "002"),
        ("RT005RW002", "005", "002"),
        ("5-2", "005", "002"),
        ("RT 05", "005", ""),
        ("RW 02", "", "002"),
        ("0052", "", ""),  # four digits: neither
        ("1234/5", "", "005"),
        ("000/000", "", ""),  # RT 000 does not exist
        ("abc", "", ""),
        ("", "", ""),
        (None, "", ""),
    ],
)
def test_rt_rw_split_and_zero_padded(text, rt, rw):
    rts, rws = split_rt_rw(one([text]))
    assert (rts.to_list(), rws.to_list()) == ([rt], [rw])


@pytest.mark.parametrize(
    ("text", "padded"),
    [
        ("5", "005"),
        ("05", "005"),
        ("005", "005"),
        ("RT 05", "005"),
        ("RW.2", "002"),
        ("5.0", "005"),  # a number cell read as text
        ("1234", ""),
        ("0", ""),
        ("x", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_lone_rt_or_rw_column_is_zero_padded(text, padded):
    assert pad_rt(one([text])).to_list() == [padded]


# --- clean_text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "max_length", "cleaned"),
    [
        ("  Jl.  Merdeka   No. 5 ", 100, "Jl. Merdeka No. 5"),
        ("Jl.\tMerdeka\nNo. 5", 100, "Jl. Merdeka No. 5"),
        ("Jl.\u00a0Merdeka", 100, "Jl. Merdeka"),  # no-break space from Excel
        ("abcdef  gh", 8, "abcdef g"),
        ("abcdef  gh", 7, "abcdef"),  # no trailing space after the cut
        ("", 10, ""),
        ("   ", 10, ""),
        (None, 10, ""),
    ],
)
def test_clean_text_trims_collapses_and_cuts(text, max_length, cleaned):
    assert clean_text(one([text]), max_length).to_list() == [cleaned]


# --- Shape of the results ------------------------------------------------------------------


def test_results_have_the_input_height_and_order_over_many_repeated_cells():
    cells = ["Rp2.400.000", "2,4 jt", None, "x"] * 2_500
    amounts = parse_money(one(cells))
    assert amounts.len() == len(cells)
    assert amounts.head(4).to_list() == [2_400_000, 2_400_000, None, None]
    assert amounts.tail(4).to_list() == [2_400_000, 2_400_000, None, None]


def test_a_series_glued_from_many_chunks_reads_the_same():
    chunked = pl.concat([one(["H. AHMAD, SE"]), one(["siti"])] * 50, rechunk=False)
    names, titles = split_name_titles(chunked)
    assert names.to_list() == ["Ahmad", "Siti"] * 50
    assert titles.to_list() == ["H., S.E.", ""] * 50
