"""Vectorised readers for the cells of proposer lists: dates, names, money, sex, RT/RW, text."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

import polars as pl
from django.utils import timezone

# Excel counts days from 1899-12-30 (the 1900 leap-year bug folded into the epoch).
EXCEL_EPOCH = date(1899, 12, 30)
EARLIEST_SERIAL_DATE = date(1900, 1, 1)

MONTHS: Mapping[str, int] = {
    spelling: number
    for number, spellings in {
        1: ("JANUARI", "JANUARY", "JAN"),
        2: ("FEBRUARI", "PEBRUARI", "FEBRUARY", "FEB", "PEB", "FEBR", "PEBR"),
        3: ("MARET", "MARCH", "MAR", "MRT"),
        4: ("APRIL", "APR"),
        5: ("MEI", "MAY"),
        6: ("JUNI", "JUNE", "JUN"),
        7: ("JULI", "JULY", "JUL"),
        8: ("AGUSTUS", "AUGUST", "AGU", "AGT", "AGS", "AGST", "AGUS", "AUG"),
        9: ("SEPTEMBER", "SEP", "SEPT"),
        10: ("OKTOBER", "OCTOBER", "OKT", "OCT"),
        11: ("NOVEMBER", "NOPEMBER", "NOV", "NOP"),
        12: ("DESEMBER", "DECEMBER", "DES", "DEC"),
    }.items()
    for spelling in spellings
}

_TIME = r"(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?)?"
_ISO_DATE = rf"^(?<y>\d{{4}})[-/.](?<m>\d{{1,2}})[-/.](?<d>\d{{1,2}}){_TIME}$"
_DMY_DATE = (
    rf"^(?<d>\d{{1,2}})(?: ?[-/.] ?| )(?<m>\d{{1,2}})(?: ?[-/.] ?| )(?<y>\d{{4}}|\d{{2}}){_TIME}$"
)
_D_MONTH_Y = r"^(?<d>\d{1,2})[ \-/.,]*(?<mon>[A-Z]+)[ \-/.,]*(?<y>\d{4}|\d{2})$"
_MONTH_D_Y = r"^(?<mon>[A-Z]+)[ .]*(?<d>\d{1,2})(?:ST|ND|RD|TH)?[ ,]*(?<y>\d{4})$"
_COMPACT_DATE = r"^(?<a>\d{2})(?<b>\d{2})(?<c>\d{2})(?<e>\d{2})$"
_SERIAL = r"^(?<n>\d{1,5})(?:\.\d+)?$"
# What split_place_date accepts as the date half; parse_dates decides whether it is real.
_DATE_LIKE = (
    r"\d{1,2}[ \-/.]+(?:\d{1,2}|[A-Za-z]+\.?)[ \-/.,]+\d{2,4}"
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"|[A-Za-z]+\.? \d{1,2},? \d{4}"
    r"|\d{8}"
)

_MONEY_UNITS: Mapping[str, int] = {
    "": 1,
    "RB": 1_000,
    "RIBU": 1_000,
    "K": 1_000,
    "JT": 1_000_000,
    "JTA": 1_000_000,
    "JUTA": 1_000_000,
    "M": 1_000_000_000,
    "MILIAR": 1_000_000_000,
    "MILYAR": 1_000_000_000,
    "T": 1_000_000_000_000,
    "TRILIUN": 1_000_000_000_000,
    "TRILYUN": 1_000_000_000_000,
}
_THOUSANDS_DOT = r"^\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?$"
_THOUSANDS_COMMA = r"^\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?$"
_PLAIN_DECIMAL = r"^\d+(?:[.,]\d{1,2})?$"
# Without a unit "2,5" is more likely a slip than two and a half rupiah; only zero cents pass.
_PLAIN_UNITLESS = r"^\d+(?:,0{1,2})?$|^\d+\.\d+$"

_SEX: Mapping[str, str] = {
    **dict.fromkeys(("L", "LK", "LAKILAKI", "LAKI", "LAKI2", "PRIA", "COWOK", "MALE", "M"), "L"),
    **dict.fromkeys(("P", "PR", "PEREMPUAN", "WANITA", "CEWEK", "W", "FEMALE", "F"), "P"),
}

_RT_RW_PAIR = r"^(?:RT\W*RW|RT)?\W*(?<rt>\d+)(?:\W*RW|\W+)\W*(?<rw>\d+)\W*$"
_RT_OR_RW = r"^(?<kind>RT|RW)?\W*(?<n>\d+)(?:\.0+)?\W*$"

# Canonical spellings; the matching pattern allows any case, dots or none, one space.
PREFIX_TITLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Prof.", ("PROF",)),
    ("Dr.", ("DR",)),
    ("drg.", ("DRG",)),
    ("drh.", ("DRH",)),
    ("Drs.", ("DRS",)),
    ("Dra.", ("DRA",)),
    ("Ir.", ("IR",)),
    ("KH.", ("K.H", "KH")),
    ("H.", ("H", "HAJI")),
    ("Hj.", ("HJ", "HJH", "HAJAH", "HAJJAH")),
    ("Ust.", ("UST", "USTAD", "USTADZ", "USTAZ")),
    ("Ustz.", ("USTZ", "USTADZAH", "USTAZAH")),
    ("Tn.", ("TN",)),
    ("Ny.", ("NY",)),
)
# Degrees whose undotted form is also a plausible name part ("Ma", "Ama") need their dots.
DEGREES: tuple[str, ...] = (
    "S.E.", "S.E.I.", "S.Pd.", "S.Pd.I.", "S.Pd.SD.", "S.Kom.", "S.I.Kom.", "S.H.", "S.H.I.",
    "S.T.", "S.Sos.", "S.Sos.I.", "S.Ag.", "S.Kep.", "S.Ked.", "S.Kes.", "S.K.M.", "S.Psi.",
    "S.Si.", "S.IP.", "S.Ak.", "S.Farm.", "S.Gz.", "S.Hum.", "S.P.", "S.Pt.", "S.TP.", "S.S.",
    "S.Sn.", "S.Th.", "S.Th.I.", "S.Tr.", "S.Keb.", "S.Ds.", "S.M.", "S.Kel.", "S.Pi.",
    "M.M.", "M.Si.", "M.Pd.", "M.Pd.I.", "M.Kom.", "M.H.", "M.Hum.", "M.Ag.", "M.T.",
    "M.Sc.", "M.A.", "M.S.", "M.E.", "M.Kes.", "M.Ak.", "M.Kn.", "M.Psi.", "M.Eng.",
    "M.Farm.", "MBA", "A.Md.", "A.Md.Keb.", "A.Md.Kep.", "A.Md.Kes.", "A.Md.Gz.", "A.Md.Ak.",
    "A.Md.Kom.", "A.Ma.", "A.Ma.Pd.", "Ph.D.", "Sp.A.", "Sp.OG.", "Sp.PD.", "Sp.B.", "Sp.JP.",
    "Sp.M.", "Sp.THT.", "Sp.KK.", "Sp.S.", "Sp.An.", "Sp.Rad.", "Lc.", "B.Sc.", "B.A.",
    "Apt.", "Ak.",
)  # fmt: skip
_DOTS_REQUIRED = frozenset({"M.A.", "M.S.", "M.E.", "B.A.", "A.Ma.", "Ak."})


def _letters_key(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalpha())


def _spelling_pattern(spelling: str, *, dots_required: bool = False) -> str:
    """A regex for "S.Pd.I." that also reads "S.PD.I", "SPdI", "S. Pd. I" (not its end)."""
    parts = [part for part in spelling.split(".") if part]
    return (r"\. ?" if dots_required else r"(?:\. ?| )?").join(parts)


_WORD_END = r"(?:\.|\b)"


_PREFIX_BY_KEY = {
    _letters_key(variant): canonical
    for canonical, variants in PREFIX_TITLES
    for variant in variants
}
_PREFIX_TOKEN = "|".join(
    sorted(
        {_spelling_pattern(v) for _, vs in PREFIX_TITLES for v in vs},
        key=len,
        reverse=True,
    )
)
_PREFIX_BLOCK = rf"(?i)^(?:(?:{_PREFIX_TOKEN})(?:\. ?| ))+"
_PREFIX_ONE = rf"(?i)(?:{_PREFIX_TOKEN}){_WORD_END}"

_DEGREE_BY_KEY = {_letters_key(degree): degree for degree in DEGREES}
_DEGREE = "|".join(
    _spelling_pattern(degree) + _WORD_END
    if degree not in _DOTS_REQUIRED
    else _spelling_pattern(degree, dots_required=True) + r"\."
    for degree in sorted(DEGREES, key=lambda d: len(_letters_key(d)), reverse=True)
)
_DEGREE_BLOCK = rf"(?i)(?:[ ,]+(?:{_DEGREE}))+[ ,.]*$"
_DEGREE_ONE = rf"(?i)\b(?:{_DEGREE})"
_APOSTROPHES = r"['’`‘]"
# Title-casing treats U+02BC as a letter, so "MA'RUF" becomes "Ma'ruf", not "Ma'Ruf".
_LETTER_APOSTROPHE = "\u02bc"


def _squeeze(expr: pl.Expr) -> pl.Expr:
    """Trim and collapse whitespace; no-break and zero-width spaces come in from Excel."""
    return expr.str.replace_all(r"[\s\x{200b}\x{feff}]+", " ").str.strip_chars()


def _title_case(text: pl.Expr) -> pl.Expr:
    return (
        text.str.to_lowercase()
        .str.replace_all(_APOSTROPHES, _LETTER_APOSTROPHE)
        .str.to_titlecase()
        .str.replace_all(_LETTER_APOSTROPHE, "'", literal=True)
    )


def _on_distinct(s: pl.Series, outputs: Callable[[pl.LazyFrame], pl.LazyFrame]) -> pl.DataFrame:
    """Compute the output columns once per distinct value and spread them back in row order.

    `outputs` gets a frame with one String column "raw" and returns it with output columns.
    A 500,000-row list has far fewer distinct cells than rows, so this saves most regex work.
    """
    # One chunk: a Series glued from many reader batches makes every kernel below crawl.
    rows = s.cast(pl.String).rename("raw").rechunk().to_frame()
    distinct = outputs(rows.lazy().unique()).collect()
    joined = rows.join(distinct, on="raw", how="left", nulls_equal=True, maintain_order="left")
    return joined.drop("raw")


def _groups(text: pl.Expr, pattern: str) -> pl.Expr:
    """extract_groups, run only where a plain match (ten times cheaper than captures) says so."""
    return pl.when(text.str.contains(pattern)).then(text).str.extract_groups(pattern)


# --- Dates ---------------------------------------------------------------------------------


def _ymd_date(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    # Through text so that impossible dates (31-02) become null instead of raising.
    text = pl.format("{}-{}-{}", y.cast(pl.String).str.zfill(4), m.str.zfill(2), d.str.zfill(2))
    return text.str.to_date("%Y-%m-%d", strict=False)


def _date_outputs(today: date) -> Callable[[pl.LazyFrame], pl.LazyFrame]:
    century = today.year // 100 * 100

    def outputs(frame: pl.LazyFrame) -> pl.LazyFrame:
        t = pl.col("t")
        iso, dmy, dmon, mondy = (pl.col(c) for c in ("iso", "dmy", "dmon", "mondy"))
        compact = pl.col("compact")
        frame = frame.with_columns(t=_squeeze(pl.col("raw")).str.to_uppercase())
        frame = frame.with_columns(
            iso=_groups(t, _ISO_DATE),
            dmy=_groups(t, _DMY_DATE),
            dmon=_groups(t, _D_MONTH_Y),
            mondy=_groups(t, _MONTH_D_Y),
            compact=_groups(t, _COMPACT_DATE),
            serial=t.str.extract(_SERIAL, 1).cast(pl.Int32, strict=False),
        )
        month_number = pl.coalesce(
            dmon.struct.field("mon"), mondy.struct.field("mon")
        ).replace_strict(MONTHS, default=None, return_dtype=pl.String)
        frame = frame.with_columns(
            y=pl.coalesce(
                iso.struct.field("y"),
                dmy.struct.field("y"),
                dmon.struct.field("y"),
                mondy.struct.field("y"),
            ),
            m=pl.coalesce(iso.struct.field("m"), dmy.struct.field("m"), month_number),
            d=pl.coalesce(
                iso.struct.field("d"),
                dmy.struct.field("d"),
                dmon.struct.field("d"),
                mondy.struct.field("d"),
            ),
        )
        y, m, d = pl.col("y"), pl.col("m"), pl.col("d")
        short_year = y.cast(pl.Int32, strict=False) + century
        this_century = _ymd_date(short_year, m, d)
        # Two-digit years take the most recent century that does not put the date in the future.
        written = (
            pl.when(y.str.len_chars() == 4)
            .then(_ymd_date(y, m, d))
            .when(this_century <= today)
            .then(this_century)
            .otherwise(_ymd_date(short_year - 100, m, d))
        )
        a, b, c, e = (compact.struct.field(k) for k in "abce")
        day_first = _ymd_date(c + e, b, a)  # 17081980
        year_first = _ymd_date(a + b, c, e)  # 19800817
        in_range = (pl.lit(EARLIEST_SERIAL_DATE), pl.lit(today))
        serial = pl.col("serial")
        from_serial = pl.lit(EXCEL_EPOCH) + pl.duration(days=serial)
        # A bare 1980 is a year someone typed, not Excel's 2 June 1905.
        serial_ok = ~(t.str.len_chars().eq(4) & serial.is_between(1900, 2100))
        return frame.select(
            "raw",
            value=pl.coalesce(
                written,
                pl.when(day_first.is_between(*in_range)).then(day_first),
                pl.when(year_first.is_between(*in_range)).then(year_first),
                pl.when(serial_ok & from_serial.is_between(*in_range)).then(from_serial),
            ),
        )

    return outputs


def parse_dates(s: pl.Series, *, today: date | None = None) -> pl.Series:
    """Read dates: day-first, ISO, Indonesian or English month names, Excel serials.

    Two-digit years take the latest century that does not put the date after `today`. Null
    where the cell is empty or the text is not a real date.
    """
    today = today or timezone.localdate()
    out = _on_distinct(s, _date_outputs(today))
    return out.get_column("value").rename(s.name)


def split_place_date(s: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Split "Tempat/Tgl Lahir" ("BANDUNG, 17-08-1980") into a title-cased place and the date text.

    The split is at the comma, slash or space before a date that runs to the end of the cell; a
    cell with no date is all place, a cell with only a date has place "".
    """
    only_date = rf"^(?:{_DATE_LIKE})$"
    date_at_end = rf"[ ,/]+(?:{_DATE_LIKE})$"

    def outputs(frame: pl.LazyFrame) -> pl.LazyFrame:
        t, place = pl.col("t"), pl.col("place")
        frame = frame.with_columns(
            t=_squeeze(pl.col("raw").fill_null("")).str.strip_chars_end(" ,;")
        )
        frame = frame.with_columns(place=t.str.replace(date_at_end, ""))
        date_text = (
            pl.when(t.str.contains(only_date))
            .then(t)
            .otherwise(t.str.slice(place.str.len_chars()).str.strip_chars_start(" ,/"))
        )
        place = pl.when(t.str.contains(only_date)).then(pl.lit("")).otherwise(place)
        return frame.select(
            "raw", place=_title_case(place.str.strip_chars(" ,/-;:")), date=date_text
        )

    out = _on_distinct(s, outputs)
    return out.get_column("place"), out.get_column("date")


# --- Names -----------------------------------------------------------------------------------


def _canonical_titles(found: pl.Expr, by_key: Mapping[str, str]) -> pl.Expr:
    letters = pl.element().str.replace_all(r"[^\p{L}]", "")
    canonical = (
        pl.when(letters == "dr")  # lower-case "dr." is the medical doctor, "Dr." the doctorate
        .then(pl.lit("dr."))
        .otherwise(letters.str.to_uppercase().replace_strict(by_key, default=None))
    )
    return found.list.eval(canonical)


def _name_outputs(frame: pl.LazyFrame) -> pl.LazyFrame:
    t, rest, name = pl.col("t"), pl.col("rest"), pl.col("name")
    # Leading numbering, quotes and dashes ("1. AHMAD", "'SITI") are noise, not name.
    frame = frame.with_columns(
        t=_squeeze(pl.col("raw").fill_null("")).str.replace(r"^[^\p{L}]+", "")
    )
    # Titles are cut off with plain matches: capture groups would cost ten times as much.
    frame = frame.with_columns(rest=t.str.replace(_PREFIX_BLOCK, ""))
    has_name = rest.str.contains(r"^\p{L}")  # "H." alone is a name, not a title
    frame = frame.with_columns(
        rest=pl.when(has_name).then(rest).otherwise(t),
        prefix_block=pl.when(has_name)
        .then(t.str.head(t.str.len_chars() - rest.str.len_chars()))
        .otherwise(pl.lit("")),
    )
    # The leftmost start of a run of degrees reaching the end: "AHMAD, S.E., MM" -> ", S.E., MM"
    frame = frame.with_columns(name=rest.str.replace(_DEGREE_BLOCK, ""))
    frame = frame.with_columns(degree_block=rest.str.slice(name.str.len_chars()))
    name = (
        name.str.replace(r"[^\p{L}.)']+$", "")
        .str.replace(r"(\p{L}{2,})\.$", "${1}")  # a full stop, unless after an initial
        .str.replace_all(r" ?, ?", ", ")
    )
    prefix_titles = _canonical_titles(
        pl.col("prefix_block").str.extract_all(_PREFIX_ONE), _PREFIX_BY_KEY
    ).list.join(", ")
    degrees = _canonical_titles(
        pl.col("degree_block").str.extract_all(_DEGREE_ONE), _DEGREE_BY_KEY
    ).list.join(", ")
    return frame.select(
        "raw",
        name=_title_case(name).str.replace_all(" Bin(ti)? ", " bin${1} "),
        titles=pl.concat_str(prefix_titles, degrees, separator=", ").str.strip_chars(", "),
    )


def split_name_titles(s: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Split a name cell into the title-cased name and its titles and degrees.

    "DR. IR. H. AHMAD SUBARJO, S.E., MM" -> ("Ahmad Subarjo", "Dr., Ir., H., S.E., M.M.").
    Titles count only at the front, degrees only at the end; "M." and "Moch." stay names.
    """
    out = _on_distinct(s, _name_outputs)
    return out.get_column("name"), out.get_column("titles")


# --- Money, sex, RT/RW, text -----------------------------------------------------------------


def _money_outputs(frame: pl.LazyFrame) -> pl.LazyFrame:
    t = (
        _squeeze(pl.col("raw"))
        .str.to_uppercase()
        .str.replace(r"^(?:RP|IDR)\.? ?", "")
        .str.replace(r" ?(?:RUPIAH|RP|IDR)\.?$", "")
        .str.replace(r" ?[,.]?-+$", "")  # "Rp2.400.000,-"
    )
    parts = pl.col("parts")
    frame = frame.with_columns(
        parts=t.str.extract_groups(r"^(?<num>\d[\d.,]*?) ?(?<unit>[A-Z]*)\.?$")
    )
    num, unit = parts.struct.field("num"), parts.struct.field("unit")
    factor = unit.replace_strict(_MONEY_UNITS, default=None, return_dtype=pl.Int64)
    unitless = unit == ""
    decimal_text = (
        pl.when(num.str.contains(_THOUSANDS_DOT))
        .then(num.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True))
        .when(num.str.contains(_THOUSANDS_COMMA))
        .then(num.str.replace_all(",", "", literal=True))
        .when(~unitless & num.str.contains(_PLAIN_DECIMAL))
        .then(num.str.replace(",", ".", literal=True))
        .when(unitless & num.str.contains(_PLAIN_UNITLESS))
        .then(num.str.replace(",", ".", literal=True))
    )
    amount = decimal_text.cast(pl.Float64, strict=False) * factor
    # Rupiah has no minor unit in practice: round half up to whole rupiah.
    return frame.select("raw", value=(amount + 0.5).floor().cast(pl.Int64, strict=False))


def parse_money(s: pl.Series) -> pl.Series:
    """Read a rupiah amount: "Rp2.400.000", "IDR 2,400,000", "2,4 jt", "500 rb", "1,2 M".

    With a unit, a separator before 1-2 final digits is a decimal point; without one, groups of
    three digits are thousands and only zero cents (",00") or float text ("2400000.0") may follow.
    Null where empty, negative or unreadable.
    """
    return _on_distinct(s, _money_outputs).get_column("value").rename(s.name)


def parse_sex(s: pl.Series) -> pl.Series:
    """Sex as "L" or "P" from the ways lists write it (LK, Laki-laki, Pria, Wanita, Female...)."""

    def outputs(frame: pl.LazyFrame) -> pl.LazyFrame:
        key = pl.col("raw").str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
        return frame.select(
            "raw", value=key.replace_strict(_SEX, default=None, return_dtype=pl.String)
        )

    return _on_distinct(s, outputs).get_column("value").rename(s.name)


def _padded(number: pl.Expr) -> pl.Expr:
    # RT 000 does not exist: lists write it for "unknown".
    ok = number.str.contains(r"^\d{1,3}$") & number.str.contains(r"[1-9]")
    return pl.when(ok).then(number.str.zfill(3)).otherwise(pl.lit(""))


def split_rt_rw(s: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Split "RT 005/RW 002", "5/2", "RT.05 RW.02" into zero-padded RT and RW ("" where absent)."""

    def outputs(frame: pl.LazyFrame) -> pl.LazyFrame:
        t = _squeeze(pl.col("raw")).str.to_uppercase()
        pair, one = pl.col("pair"), pl.col("one")
        frame = frame.with_columns(
            pair=t.str.extract_groups(_RT_RW_PAIR), one=t.str.extract_groups(_RT_OR_RW)
        )
        lone_is_rw = one.struct.field("kind") == "RW"
        rt = pl.coalesce(pair.struct.field("rt"), pl.when(~lone_is_rw).then(one.struct.field("n")))
        rw = pl.coalesce(pair.struct.field("rw"), pl.when(lone_is_rw).then(one.struct.field("n")))
        return frame.select("raw", rt=_padded(rt.fill_null("")), rw=_padded(rw.fill_null("")))

    out = _on_distinct(s, outputs)
    return out.get_column("rt"), out.get_column("rw")


def pad_rt(s: pl.Series) -> pl.Series:
    """A lone RT or RW column: "5" -> "005", "RT 05" -> "005", "RW.2" -> "002"; "" otherwise."""

    def outputs(frame: pl.LazyFrame) -> pl.LazyFrame:
        n = _squeeze(pl.col("raw")).str.to_uppercase().str.extract(_RT_OR_RW, 2)
        return frame.select("raw", value=_padded(n.fill_null("")))

    return _on_distinct(s, outputs).get_column("value").rename(s.name)


def clean_text(s: pl.Series, max_length: int) -> pl.Series:
    """Trimmed text with single spaces, cut to max_length; "" where the cell is empty."""
    squeezed = _squeeze(pl.lit(s.cast(pl.String))).fill_null("")
    cut = squeezed.str.slice(0, max_length).str.strip_chars_end()
    return pl.select(cut).to_series().rename(s.name)
