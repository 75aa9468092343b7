"""Indonesian addresses made comparable for record linkage: one spelling per word, RT/RW padded.

Decisions where the forms leave a choice:
- "Desa"/"Ds." and "Kel." are one level (KEL): lists mix them for the same village.
- A region word (KEL, KEC, KAB, KOTA, PROV) right after JALAN, GANG, KOMPLEK, PERUMAHAN, BLOK,
  KAMPUNG or DUSUN is part of a street name ("Jl. Kota Bambu"); so is KOTA as the first word.
  Otherwise the street part ends at the first region word.
- RT or RW 0 means "unknown" on forms and reads as null; above 999 is not a real RT.
- The postcode is the last 5-digit number not written after "No"; it stays in address_norm.
- "/" and "-" stay only beside a digit ("No 12/3", "Blok C-2"); between words they are spaces.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from pulih.linkage.names import spread_distinct

ADDRESS_COLUMNS = ("address_norm", "address_street", "rt", "rw", "postcode")

ADDRESS_WORDS: Mapping[str, str] = {
    spelling: canonical
    for canonical, spellings in {
        "JALAN": ("JL", "JLN", "JALAN", "JLAN", "JALN"),
        "GANG": ("GG", "GANG"),
        "NO": ("NO", "NOMOR", "NOMER", "NMR"),
        "BLOK": ("BLOK", "BLK", "BLOCK"),
        "KOMPLEK": ("KOMP", "KOMPL", "KOMPLEK", "KOMPLEKS", "KOMPLEX", "KOMPLK"),
        "PERUMAHAN": ("PERUM", "PERUMAHAN", "PRM"),
        "KAMPUNG": ("KP", "KAMP", "KAMPUNG"),
        "DUSUN": ("DSN", "DUSUN"),
        "KEL": ("KEL", "KELURAHAN", "DESA", "DS"),
        "KEC": ("KEC", "KECAMATAN"),
        "KAB": ("KAB", "KABUPATEN"),
        "KOTA": ("KOTA", "KOTAMADYA", "KODYA"),
        "PROV": ("PROV", "PROP", "PROVINSI", "PROPINSI"),
    }.items()
    for spelling in spellings
}
_REGION_WORDS = ("KEL", "KEC", "KAB", "KOTA", "PROV")
_STREET_WORDS = ("JALAN", "GANG", "KOMPLEK", "PERUMAHAN", "BLOK", "KAMPUNG", "DUSUN")

# Where RT/RW was; a private-use character survives the punctuation and word passes.
_MARK = "\ue000"
_SEP = r"[\s.:,/\-]*"
_N = r"(\d{1,4})"
# "RT/RW 005/002", "RT.RW 5-2", "RT-RW 5/2"
_RT_RW_JOINT = rf"\bRT\s*[./\-]?\s*RW{_SEP}{_N}\s*[/.\-]\s*{_N}\b"
# "RT 5 RW 2", "RT.005/RW.002", "Rt 05/02", "RT005RW002"
_RT_THEN_RW = rf"\bRT{_SEP}{_N}(?:{_SEP}RW{_SEP}|\s*[/\-]\s*){_N}\b"
_RT_ONLY = rf"\bRT{_SEP}{_N}\b"
_RW_ONLY = rf"\bRW{_SEP}{_N}\b"
_ANY_RT_RW = "|".join(
    pattern.replace(_N, r"\d{1,4}") for pattern in (_RT_RW_JOINT, _RT_THEN_RW, _RT_ONLY, _RW_ONLY)
)
_POSTCODE_WORD = r"\b(?:KODE|KD)\.?\s*POS\b[\s.:]*"


def _padded(number: pl.Expr) -> pl.Expr:
    value = number.cast(pl.Int32, strict=False)
    return pl.when(value.is_between(1, 999)).then(value.cast(pl.String).str.zfill(3))


def _words(text: pl.Expr) -> pl.Expr:
    """Punctuation to spaces (bar "/" and "-" beside a digit), then one spelling per word."""
    text = text.str.replace_all(rf"[^\p{{L}}\p{{N}}/\-{_MARK}]+", " ")
    text = text.str.replace_all(r"(?:^|\s)[/\-]+|[/\-]+(?:\s|$)", " ")
    for _ in range(2):  # a second pass for "A/B/C", whose matches overlap
        text = text.str.replace_all(r"(\p{L})[/\-]+(\p{L})", "${1} ${2}")
    text = text.str.replace_all(r"\bNO(\d)", "NO ${1}").str.replace_all(" {2,}", " ")
    words = text.str.strip_chars().str.split(" ").list.eval(pl.element().replace(ADDRESS_WORDS))
    return words.list.join(" ").str.replace_all(r"\bKEL KEL\b", "KEL")  # "Kel/Desa Sukamaju"


_STREET_THEN_REGION = rf"\b({'|'.join(_STREET_WORDS)}) ({'|'.join(_REGION_WORDS)})\b"
_REGION_TO_END = rf"(?:^| )(?:{'|'.join(_REGION_WORDS)})(?: .*)?$"
# Written with a separator other than the space, a number is out of reach of _POSTCODE.
_HOUSE_NUMBER = r"\bNO (\d)"
_POSTCODE = r"(?:^| )([1-9]\d{4})(?: |$)"
# Glued to a region word, it no longer ends the street ("JALAN KOTA BAMBU").
_NOT_REGION = "\x01"
_NOT_SPACE = "\x02"


def _street_and_postcode(norm: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    guarded = (
        norm.str.replace_all(_STREET_THEN_REGION, f"${{1}} ${{2}}{_NOT_REGION}")
        .str.replace(r"^KOTA\b", f"KOTA{_NOT_REGION}")
        .str.replace_all(_HOUSE_NUMBER, f"NO{_NOT_SPACE}${{1}}")
    )
    postcode = guarded.str.extract_all(_POSTCODE).list.last().str.strip_chars()
    street = (
        guarded.str.replace(_REGION_TO_END, "")
        .str.replace_all(_MARK, " ", literal=True)
        .str.replace_all(_POSTCODE, " ")
        .str.replace_all(_NOT_REGION, "", literal=True)
        .str.replace_all(_NOT_SPACE, " ", literal=True)
        .str.replace_all(" {2,}", " ")
        .str.strip_chars()
    )
    return pl.when(street != "").then(street), postcode


def _address_outputs(frame: pl.LazyFrame) -> pl.LazyFrame:
    text = (
        pl.col("raw")
        .str.replace_all(r"[\s\x{200b}\x{feff}]+", " ")
        .str.strip_chars()
        .str.to_uppercase()
    )
    frame = frame.with_columns(t=text)
    t = pl.col("t")
    frame = frame.with_columns(
        joint=t.str.extract_groups(_RT_RW_JOINT),
        rt_then_rw=t.str.extract_groups(_RT_THEN_RW),
        rt_only=t.str.extract(_RT_ONLY, 1),
        rw_only=t.str.extract(_RW_ONLY, 1),
        t=t.str.replace_all(_ANY_RT_RW, f" {_MARK} ").str.replace_all(_POSTCODE_WORD, " "),
    )
    joint, rt_then_rw = pl.col("joint"), pl.col("rt_then_rw")
    frame = frame.with_columns(
        rt=_padded(
            pl.coalesce(joint.struct.field("1"), rt_then_rw.struct.field("1"), pl.col("rt_only"))
        ),
        rw=_padded(
            pl.coalesce(joint.struct.field("2"), rt_then_rw.struct.field("2"), pl.col("rw_only"))
        ),
        words=_words(t),
    )
    rt, rw, words = pl.col("rt"), pl.col("rw"), pl.col("words")
    rt_rw = pl.concat_str(pl.lit("RT ") + rt, pl.lit("RW ") + rw, separator=" ", ignore_nulls=True)
    norm = (
        words.str.replace(_MARK, rt_rw, literal=True)
        .str.replace_all(_MARK, "", literal=True)
        .str.replace_all(" {2,}", " ")
        .str.strip_chars()
    )
    street, postcode = _street_and_postcode(words)
    return frame.select(
        "raw",
        address_norm=pl.when(norm != "").then(norm),
        address_street=street,
        rt=rt,
        rw=rw,
        postcode=postcode,
    )


def _address_table(distinct: pl.Series) -> pl.DataFrame:
    return _address_outputs(distinct.rename("raw").to_frame().lazy()).drop("raw").collect()


def prepare_addresses(s: pl.Series) -> pl.DataFrame:
    """Comparison columns for a Series of raw addresses, one row per input row, in order.

    address_norm ("JALAN MERDEKA NO 5 RT 005 RW 002 KEL SUKAMAJU 40123"), address_street
    ("JALAN MERDEKA NO 5"), rt and rw ("005", "002") and postcode ("40123"); null where absent.
    """
    return spread_distinct(s, _address_table).select(ADDRESS_COLUMNS)
