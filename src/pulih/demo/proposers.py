"""Synthetic proposer lists (daftar pengusul) written the way agencies send them, for tests and benchmarks.

The people come from the demo generator: the ones already in the registry are the first
`existing_people` of `demo_chunks(seed=existing_seed)` (what `pulih demo --people M --seed S`
loaded), the others are drawn from a stream `pulih demo` never uses, and their NIKs avoid the
existing ones. On top of those rows the list gets what real lists have: mixed spellings of the
same thing, rows broken in one known way each, and later rows repeating an earlier NIK. The
returned ProposerTruth counts what was planted, so a test can check an import against it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from pulih.demo import catalog as C
from pulih.demo.generator import TakenNiks, VillagePool, chunk_generate
from pulih.demo.pipeline import village_codes_under
from pulih.reference.models import Region, RegionLevel

HEADERS = (
    "No", "NIK", "Nama Lengkap", "Tempat/Tgl Lahir", "Jenis Kelamin", "Alamat", "RT/RW",
    "Kelurahan", "Kecamatan", "Kabupaten/Kota", "Provinsi", "No HP", "Nama Usaha",
    "Bidang Usaha", "NIB", "Omzet per Bulan",
)  # fmt: skip
# `pulih demo` draws chunk k from default_rng([seed, k * chunk_size]); new people start here so
# that even with the same seed they are never the people a demo load wrote.
NEW_PEOPLE_START = 1_000_000_000
DEMO_CHUNK_SIZE = 50_000  # `pulih demo --chunk-size` default: the existing people depend on it
EXACT_DUPLICATE_SHARE = 0.5  # the other duplicates write the same person differently
EXISTING_CHANGED_SHARE = 0.3  # of rows about registered people: a new phone or a new address
NIB_SHARE = 0.4  # of the businesses that have a NIB, the share whose list gives it
REGION_QUERY_BATCH = 500

MONTH_NAMES = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)  # fmt: skip
# How lists name the trade in "Bidang Usaha"; the first spelling is the most common.
SECTOR_WORDS: dict[str, tuple[str, ...]] = {
    "warung_makan": ("Kuliner", "Warung Makan", "Makanan dan Minuman"),
    "kedai_kopi": ("Kuliner", "Kafe", "Minuman"),
    "makanan_ringan": ("Kuliner", "Makanan Ringan", "Olahan Pangan"),
    "kue": ("Kuliner", "Kue dan Roti", "Produksi Kue"),
    "olahan_pangan": ("Olahan Pangan", "Kuliner", "Industri Rumahan"),
    "katering": ("Katering", "Kuliner"),
    "kelontong": ("Perdagangan", "Toko Kelontong", "Warung Sembako"),
    "sayur_buah": ("Perdagangan", "Pedagang Sayur"),
    "konter_pulsa": ("Perdagangan", "Konter Pulsa"),
    "pakaian": ("Perdagangan", "Fesyen", "Jual Pakaian"),
    "konveksi": ("Konveksi", "Fesyen"),
    "batik": ("Kerajinan", "Batik", "Fesyen"),
    "kerajinan": ("Kerajinan", "Kriya"),
    "penjahit": ("Jasa", "Jasa Jahit"),
    "salon": ("Jasa", "Salon"),
    "laundry": ("Jasa", "Laundry"),
    "bengkel": ("Jasa", "Bengkel"),
    "percetakan": ("Percetakan", "Jasa"),
    "fotografi": ("Fotografi", "Jasa"),
    "jasa_digital": ("Jasa Digital", "Jasa"),
    "peternakan": ("Peternakan", "Pertanian"),
    "jamu": ("Jamu", "Olahan Pangan"),
    "angkutan": ("Jasa", "Ojek Online", "Angkutan"),
    "bimbel": ("Pendidikan", "Kursus"),
    "sanggar": ("Seni", "Jasa"),
}
_TRADE_BY_KBLI = {code: t.key for t in C.TRADES for code in t.kbli_codes}
# Made-up village names; ones that happen to exist in the region table are dropped at run time.
UNKNOWN_VILLAGES = (
    "Sukamaju Permai Indah", "Kampung Harapan Baru Jaya", "Mekarsari Raya Timur Laut",
    "Tanjung Sejahtera Indah", "Karang Makmur Utara Baru", "Pondok Bahagia Selatan Raya",
)  # fmt: skip
UNKNOWN_DISTRICT_PREFIXES = ("999999", "319901", "317799")
BAD_PHONES = ("12345", "0000", "08123", "-")
BAD_MONEY = ("banyak", "tidak tentu", "naik turun", "lumayan")


class InvalidKind(StrEnum):
    """One way a row is broken; each planted row is broken in exactly one way."""

    NIK_15_DIGITS = "nik_15_digits"
    NIK_LETTERS = "nik_letters"
    NIK_UNKNOWN_DISTRICT = "nik_unknown_district"
    NIK_IMPOSSIBLE_DATE = "nik_impossible_date"
    NIK_ZERO_SERIAL = "nik_zero_serial"
    BIRTH_DATE_UNREADABLE = "birth_date_unreadable"
    VILLAGE_UNKNOWN = "village_unknown"
    NAME_EMPTY = "name_empty"
    PHONE_BAD = "phone_bad"
    MONEY_UNREADABLE = "money_unreadable"


@dataclass(frozen=True)
class ProposerTruth:
    """What a generated list holds, as a correct import should count it."""

    rows: int
    invalid: dict[str, int]  # InvalidKind value -> rows
    duplicates: int  # later rows repeating the NIK of an earlier valid row
    existing: int  # valid first rows about people already registered
    existing_changed: int  # of those, rows giving a new phone or address

    @property
    def invalid_total(self) -> int:
        return sum(self.invalid.values())

    @property
    def accepted(self) -> int:
        return self.rows - self.invalid_total - self.duplicates

    @property
    def new(self) -> int:
        return self.accepted - self.existing

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "invalid_total": self.invalid_total,
            "accepted": self.accepted,
            "new": self.new,
        }


# --- people ------------------------------------------------------------------------------------


def _chunk_rows(chunk_persons: dict[str, Any], businesses: dict[str, Any]) -> dict[str, np.ndarray]:
    """One row per person: the person's fields and their first business's."""
    owner = businesses["owner"]
    first = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    turnover = np.array(
        [-1 if v is None else v for v in businesses["monthly_turnover"]], dtype=np.int64
    )
    p = chunk_persons
    return {
        "nik": p["nik"].astype(str),
        "full_name": np.array(p["full_name"], dtype=object),
        "birth_place": np.array(p["birth_place"], dtype=object),
        "birth_date": p["birth_date"],
        "sex": p["sex"],
        "address": np.array(p["address"], dtype=object),
        "rt": np.array(p["rt"], dtype=object),
        "rw": np.array(p["rw"], dtype=object),
        "village_code": p["village_code"],
        "phone": np.array(p["phone"], dtype=object),
        "business_name": np.array(businesses["name"], dtype=object)[first],
        "kbli_code": businesses["kbli_code"][first],
        "nib": np.array(businesses["nib"], dtype=object)[first],
        "turnover": turnover[first],
    }


def _people(
    *,
    count: int,
    villages: VillagePool,
    seed: int,
    start: int,
    taken: TakenNiks,
    chunk_size: int = DEMO_CHUNK_SIZE,
) -> dict[str, np.ndarray]:
    parts: list[dict[str, np.ndarray]] = []
    for chunk_start in range(start, start + count, chunk_size):
        size = min(chunk_size, start + count - chunk_start)
        chunk = chunk_generate(
            count=size, start=chunk_start, villages=villages, seed=seed, taken=taken
        )
        parts.append(_chunk_rows(chunk.persons, chunk.businesses))
    return _concat(parts, _chunk_rows_empty())


def _chunk_rows_empty() -> dict[str, np.ndarray]:
    return {
        "nik": np.empty(0, dtype=str),
        "birth_date": np.empty(0, dtype="datetime64[D]"),
        "turnover": np.empty(0, dtype=np.int64),
        **{
            k: np.empty(0, dtype=object)
            for k in (
                "full_name",
                "birth_place",
                "sex",
                "address",
                "rt",
                "rw",
                "village_code",
                "phone",
                "business_name",
                "kbli_code",
                "nib",
            )
        },  # fmt: skip
    }


def _concat(
    parts: list[dict[str, np.ndarray]], empty: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    if not parts:
        return empty
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _take(rows: dict[str, np.ndarray], index: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[index] for k, v in rows.items()}


# --- region names ------------------------------------------------------------------------------


def _city_variants(name: str) -> tuple[str, str, str]:
    """The official name, the abbreviated upper-case one, the bare one."""
    for prefix, short in (
        ("Kota Administrasi ", "KOTA ADM. "),
        ("Kabupaten Administrasi ", "KAB. ADM. "),
        ("Kabupaten ", "KAB. "),
        ("Kota ", "KOTA "),
    ):
        if name.startswith(prefix):
            bare = name[len(prefix) :]
            return name, f"{short}{bare.upper()}", bare
    return name, name.upper(), name


def _province_variants(name: str) -> tuple[str, str, str]:
    if name == "Daerah Khusus Ibukota Jakarta":
        return "DKI Jakarta", "DKI JAKARTA", name
    return name, name.upper(), f"Prov. {name}"


def _region_lookup(villages: Sequence[str]) -> pl.DataFrame:
    """Per village code: its name and the names of its district, city and province, each
    in the spellings lists use (columns village_0..1, district_0..1, city_0..2, province_0..2)."""
    codes = sorted({c[:n] for c in villages for n in (2, 5, 8, 13)})
    names: dict[str, str] = {}
    for i in range(0, len(codes), REGION_QUERY_BATCH):
        names.update(
            Region.objects.filter(code__in=codes[i : i + REGION_QUERY_BATCH]).values_list(
                "code", "name"
            )
        )
    rows = []
    for code in sorted(set(villages)):
        village, district = names[code], names[code[:8]]
        rows.append(
            (
                code,
                village,
                village.upper(),
                district,
                district.upper(),
                *_city_variants(names[code[:5]]),
                *_province_variants(names[code[:2]]),
            )
        )
    columns = ["village_code", "village_0", "village_1", "district_0", "district_1"]
    columns += [f"city_{i}" for i in range(3)] + [f"province_{i}" for i in range(3)]
    return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")


def _unknown_villages() -> list[str]:
    upper = {n.upper() for n in UNKNOWN_VILLAGES}
    real = {
        name.upper()
        for name in Region.objects.filter(level=RegionLevel.VILLAGE).values_list("name", flat=True)
        if name.upper() in upper
    }
    return [n for n in UNKNOWN_VILLAGES if n.upper() not in real]


# --- formatting --------------------------------------------------------------------------------


def _pick(style: pl.Expr, shares: Sequence[float], values: Sequence[pl.Expr]) -> pl.Expr:
    """values[i] where style (uniform 0..1) falls in the i-th share."""
    bounds = np.cumsum(shares) / sum(shares)
    expr = values[-1]
    for bound, value in zip(bounds[-2::-1], values[-2::-1], strict=True):
        expr = pl.when(style < float(bound)).then(value).otherwise(expr)
    return expr


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _millions(value: int) -> str:
    text = f"{value / 1_000_000:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _money_text(turnover: np.ndarray, style: np.ndarray) -> list[str]:
    """Python over the distinct (amount, style) pairs only: amounts are round figures."""
    styles: tuple[Callable[[int], str], ...] = (
        lambda v: f"Rp{_thousands(v)}",
        lambda v: f"Rp {_thousands(v)},-",
        lambda v: f"{_millions(v)} jt",
        str,
        _thousands,
    )
    shares = np.array([0.35, 0.10, 0.20, 0.25, 0.10])
    which = np.searchsorted(np.cumsum(shares), style, side="right").clip(0, len(styles) - 1)
    pairs, inverse = np.unique(np.stack([turnover, which]), axis=1, return_inverse=True)
    texts = np.array(
        ["" if v < 0 else styles[s](int(v)) for v, s in pairs.T.tolist()], dtype=object
    )
    return texts[inverse.ravel()].tolist()


def _nik_text(nik: pl.Expr, style: pl.Expr) -> pl.Expr:
    grouped = pl.concat_str([nik.str.slice(i, 4) for i in (0, 4, 8, 12)], separator=" ")
    return _pick(style, (0.97, 0.03), [nik, grouped])


def _date_text(born: pl.Expr, style: pl.Expr) -> pl.Expr:
    """17-08-1980, 17/08/80, 1980-08-17 or "17 Agustus 1980"."""
    month_name = born.dt.month().replace_strict(
        dict(enumerate(MONTH_NAMES, 1)), return_dtype=pl.String
    )
    return _pick(
        style,
        (0.45, 0.2, 0.15, 0.2),
        [
            born.dt.strftime("%d-%m-%Y"),
            born.dt.strftime("%d/%m/%y"),
            born.dt.strftime("%Y-%m-%d"),
            pl.format("{} {} {}", born.dt.day(), month_name, born.dt.year()),
        ],
    )


def _sex_text(sex: pl.Expr, style: pl.Expr) -> pl.Expr:
    def spelled(male: str, female: str) -> pl.Expr:
        return pl.when(sex == "L").then(pl.lit(male)).otherwise(pl.lit(female))

    return _pick(
        style,
        (0.6, 0.2, 0.15, 0.05),
        [sex, spelled("Laki-laki", "Perempuan"), spelled("LAKI-LAKI", "PEREMPUAN"),
         spelled("Pria", "Wanita")],
    )  # fmt: skip


def _rt_rw_text(rt: pl.Expr, rw: pl.Expr, style: pl.Expr) -> pl.Expr:
    """005/002, RT 5 RW 2, RT 005/RW 002 or 5/2."""
    return _pick(
        style,
        (0.5, 0.2, 0.15, 0.15),
        [
            pl.format("{}/{}", rt.str.zfill(3), rw.str.zfill(3)),
            pl.format("RT {} RW {}", rt, rw),
            pl.format("RT {}/RW {}", rt.str.zfill(3), rw.str.zfill(3)),
            pl.format("{}/{}", rt, rw),
        ],
    )


def _phone_text(phone: pl.Expr, style: pl.Expr) -> pl.Expr:
    """0812..., 0812-3456-7890, +62 812-3456-7890, 62812..., +62812...; empty stays empty."""
    national = phone.str.replace_all(r"\D", "").str.replace(r"^(?:62|0)", "")
    dashed = pl.concat_str(
        [national.str.slice(0, 3), national.str.slice(3, 4), national.str.slice(7)],
        separator="-",
    )
    written = _pick(
        style,
        (0.55, 0.1, 0.15, 0.15, 0.05),
        [
            pl.concat_str(pl.lit("0"), national),
            pl.concat_str(pl.lit("0"), dashed),
            pl.concat_str(pl.lit("+62 "), dashed),
            pl.concat_str(pl.lit("62"), national),
            pl.concat_str(pl.lit("+62"), national),
        ],
    )
    return pl.when(phone == "").then(pl.lit("")).otherwise(written)


def _format(
    raw: dict[str, np.ndarray], regions: pl.DataFrame, rng: np.random.Generator
) -> pl.DataFrame:
    """Every column as text, each row in a randomly drawn one of the spellings lists use."""
    n = len(raw["nik"])
    u = rng.random((n, 16))
    sector_pick = rng.integers(0, 1 << 16, n)
    keep_nib = rng.random(n) < NIB_SHARE
    trade = [_TRADE_BY_KBLI[str(code)] for code in raw["kbli_code"].tolist()]
    sector = [
        "" if uu < 0.03 else SECTOR_WORDS[t][p % len(SECTOR_WORDS[t])]
        for t, p, uu in zip(trade, sector_pick.tolist(), u[:, 15].tolist(), strict=True)
    ]
    frame = pl.DataFrame(
        {
            "nik": raw["nik"],
            "full_name": pl.Series(raw["full_name"].tolist(), dtype=pl.String),
            "birth_place": pl.Series(raw["birth_place"].tolist(), dtype=pl.String),
            "birth_date": raw["birth_date"],
            "sex": raw["sex"].astype(str),
            "address": pl.Series(raw["address"].tolist(), dtype=pl.String),
            "rt": pl.Series(raw["rt"].tolist(), dtype=pl.String).cast(pl.Int32),
            "rw": pl.Series(raw["rw"].tolist(), dtype=pl.String).cast(pl.Int32),
            "village_code": raw["village_code"].astype(str),
            "phone": pl.Series(raw["phone"].tolist(), dtype=pl.String),
            "business_name": pl.Series(raw["business_name"].tolist(), dtype=pl.String),
            "sector": pl.Series(sector, dtype=pl.String),
            "nib": pl.Series(
                [
                    nib if keep else ""
                    for nib, keep in zip(raw["nib"].tolist(), keep_nib.tolist(), strict=True)
                ],
                dtype=pl.String,
            ),
            "money": pl.Series(_money_text(raw["turnover"], u[:, 14]), dtype=pl.String),
            **{f"u{i}": u[:, i] for i in range(14)},
        }
    ).join(regions, on="village_code", how="left", maintain_order="left")

    col = pl.col
    name = col("full_name")
    names = [name, name.str.to_uppercase(), name.str.to_lowercase()]
    place = col("birth_place")
    place_date = (
        pl.when(place == "")
        .then(_date_text(col("birth_date"), col("u2")))
        .otherwise(
            pl.concat_str(
                _pick(col("u3"), (0.5, 0.5), [place.str.to_uppercase(), place]),
                _pick(col("u10"), (0.85, 0.15), [pl.lit(", "), pl.lit(" ")]),
                _date_text(col("birth_date"), col("u2")),
            )
        )
    )

    def upper_or_not(column: str, share: float, style: str) -> pl.Expr:
        return _pick(col(style), (1 - share, share), [col(column), col(column).str.to_uppercase()])

    def region(level: str, style: str, prefix: str) -> pl.Expr:
        # Official name, upper case, or with the level's abbreviation in front ("Kel. Gambir").
        named = col(f"{level}_0")
        with_prefix = pl.concat_str(pl.lit(prefix), named)
        return _pick(col(style), (0.6, 0.35, 0.05), [named, col(f"{level}_1"), with_prefix])

    def one_of(level: str, style: str) -> pl.Expr:
        return _pick(col(style), (1, 1, 1), [col(f"{level}_{i}") for i in range(3)])

    return frame.select(
        pl.lit("").alias("No"),
        _nik_text(col("nik"), col("u0")).alias("NIK"),
        _pick(col("u1"), (0.6, 0.35, 0.05), names).alias("Nama Lengkap"),
        place_date.alias("Tempat/Tgl Lahir"),
        _sex_text(col("sex"), col("u4")).alias("Jenis Kelamin"),
        upper_or_not("address", 0.2, "u7").alias("Alamat"),
        _rt_rw_text(col("rt").cast(pl.String), col("rw").cast(pl.String), col("u5")).alias("RT/RW"),
        region("village", "u8", "Kel. ").alias("Kelurahan"),
        region("district", "u9", "Kec. ").alias("Kecamatan"),
        one_of("city", "u11").alias("Kabupaten/Kota"),
        one_of("province", "u12").alias("Provinsi"),
        _phone_text(col("phone"), col("u6")).alias("No HP"),
        upper_or_not("business_name", 0.2, "u13").alias("Nama Usaha"),
        col("sector").alias("Bidang Usaha"),
        col("nib").alias("NIB"),
        col("money").alias("Omzet per Bulan"),
    )


# --- breaking rows -----------------------------------------------------------------------------

Breaker = Callable[[dict[str, list[str]], np.random.Generator], dict[str, list[str]]]


def _choice(rng: np.random.Generator, options: Sequence[str], n: int) -> list[str]:
    return [options[i] for i in rng.integers(0, len(options), n).tolist()]


def _compact(nik: str) -> str:
    return nik.replace(" ", "")


def _nik_15(cells: dict[str, list[str]], rng: np.random.Generator) -> dict[str, list[str]]:
    return {"NIK": [_compact(v)[:15] for v in cells["NIK"]]}


def _nik_letters(cells: dict[str, list[str]], rng: np.random.Generator) -> dict[str, list[str]]:
    # An O typed for a 0, an I or l for a 1: what retyping a photocopied KTP produces.
    out = []
    for nik, pos in zip(cells["NIK"], rng.integers(6, 16, len(cells["NIK"])).tolist(), strict=True):
        nik = _compact(nik)
        out.append(f"{nik[:pos]}{'O' if nik[pos] == '0' else 'I'}{nik[pos + 1 :]}")
    return {"NIK": out}


def _nik_unknown_district(
    cells: dict[str, list[str]], rng: np.random.Generator
) -> dict[str, list[str]]:
    prefixes = _choice(rng, UNKNOWN_DISTRICT_PREFIXES, len(cells["NIK"]))
    return {"NIK": [p + _compact(v)[6:] for p, v in zip(prefixes, cells["NIK"], strict=True)]}


def _nik_impossible_date(
    cells: dict[str, list[str]], rng: np.random.Generator
) -> dict[str, list[str]]:
    out = []
    for nik, u in zip(cells["NIK"], rng.random(len(cells["NIK"])).tolist(), strict=True):
        nik = _compact(nik)
        female = int(nik[6:8]) > 40
        if u < 0.5:
            out.append(f"{nik[:6]}{72 if female else 32}{nik[8:]}")  # day 32
        else:
            out.append(f"{nik[:8]}13{nik[10:]}")  # month 13
    return {"NIK": out}


def _nik_zero_serial(cells: dict[str, list[str]], rng: np.random.Generator) -> dict[str, list[str]]:
    return {"NIK": [_compact(v)[:12] + "0000" for v in cells["NIK"]]}


def _birth_date_unreadable(
    cells: dict[str, list[str]], rng: np.random.Generator
) -> dict[str, list[str]]:
    # Shaped like a date, so it is read as the date half, but no such day exists.
    out = []
    for nik, kind in zip(cells["NIK"], rng.integers(0, 4, len(cells["NIK"])).tolist(), strict=True):
        nik = _compact(nik)
        day = int(nik[6:8]) % 40
        year = f"19{nik[10:12]}"
        place = "JAKARTA, " if kind % 2 else "Bandung, "
        text = (
            f"31-02-{year}",
            f"{day:02d}-13-{year}",
            f"30 Februari {year}",
            f"{year}-02-30",
        )[kind]
        out.append(place + text)
    return {"Tempat/Tgl Lahir": out}


def _village_unknown(names: list[str]) -> Breaker:
    def breaker(cells: dict[str, list[str]], rng: np.random.Generator) -> dict[str, list[str]]:
        return {"Kelurahan": _choice(rng, names, len(cells["Kelurahan"]))}

    return breaker


def _name_empty(cells: dict[str, list[str]], rng: np.random.Generator) -> dict[str, list[str]]:
    return {"Nama Lengkap": _choice(rng, ("", "", "-"), len(cells["Nama Lengkap"]))}


def _phone_bad(cells: dict[str, list[str]], rng: np.random.Generator) -> dict[str, list[str]]:
    return {"No HP": _choice(rng, BAD_PHONES, len(cells["No HP"]))}


def _money_unreadable(
    cells: dict[str, list[str]], rng: np.random.Generator
) -> dict[str, list[str]]:
    return {"Omzet per Bulan": _choice(rng, BAD_MONEY, len(cells["Omzet per Bulan"]))}


def _breakers(unknown_villages: list[str]) -> dict[InvalidKind, Breaker]:
    return {
        InvalidKind.NIK_15_DIGITS: _nik_15,
        InvalidKind.NIK_LETTERS: _nik_letters,
        InvalidKind.NIK_UNKNOWN_DISTRICT: _nik_unknown_district,
        InvalidKind.NIK_IMPOSSIBLE_DATE: _nik_impossible_date,
        InvalidKind.NIK_ZERO_SERIAL: _nik_zero_serial,
        InvalidKind.BIRTH_DATE_UNREADABLE: _birth_date_unreadable,
        InvalidKind.VILLAGE_UNKNOWN: _village_unknown(unknown_villages),
        InvalidKind.NAME_EMPTY: _name_empty,
        InvalidKind.PHONE_BAD: _phone_bad,
        InvalidKind.MONEY_UNREADABLE: _money_unreadable,
    }


def _break_rows(
    frame: pl.DataFrame, rows: np.ndarray, kinds: np.ndarray, rng: np.random.Generator
) -> pl.DataFrame:
    breakers = _breakers(_unknown_villages())
    for k, breaker in enumerate(breakers.values()):
        index = np.sort(rows[kinds == k])
        if not len(index):
            continue
        cells = {c: frame.get_column(c).gather(index).to_list() for c in frame.columns}
        changed = breaker(cells, rng)
        frame = frame.with_columns(
            frame.get_column(c).scatter(index, pl.Series(values, dtype=pl.String))
            for c, values in changed.items()
        )
    return frame


# --- the list ----------------------------------------------------------------------------------


def proposer_frame(
    *,
    rows: int,
    regions: Sequence[str],
    seed: int,
    existing_people: int = 0,
    existing_seed: int = 2020,
    invalid_share: float = 0.03,
    duplicate_share: float = 0.02,
    existing_share: float = 0.10,
) -> tuple[pl.DataFrame, ProposerTruth]:
    """A proposer list of `rows` rows (all String columns, HEADERS) and what was planted in it.

    `existing_people` and `existing_seed` describe what `pulih demo --people M --regions ...
    --seed S` loaded; `existing_share` of the rows are about those people (at most M rows).
    """
    if rows < 0 or existing_people < 0:
        raise ValueError("rows and existing_people must not be negative")
    villages = village_codes_under(regions)
    pool = VillagePool.of(villages)
    rng = np.random.default_rng([seed, 0x5052_4F50])  # "PROP": apart from the generator's streams

    n_dup = round(rows * duplicate_share)
    n_unique = rows - n_dup
    n_existing = min(round(rows * existing_share), existing_people, n_unique)
    n_invalid = min(round(rows * invalid_share), n_unique - n_existing)
    n_new = n_unique - n_existing

    taken = TakenNiks()
    registered = _people(
        count=existing_people, villages=pool, seed=existing_seed, start=0, taken=taken
    )
    chosen = _take(registered, rng.choice(existing_people, n_existing, replace=False))
    del registered
    fresh = _people(count=n_new, villages=pool, seed=seed, start=NEW_PEOPLE_START, taken=taken)
    order = rng.permutation(n_unique)
    unique = _take(_concat([chosen, fresh], _chunk_rows_empty()), order)
    is_existing = order < n_existing

    # Registered people whose list gives a new phone or a new address.
    existing_rows = np.flatnonzero(is_existing)
    changed = existing_rows[rng.random(len(existing_rows)) < EXISTING_CHANGED_SHARE]
    new_phone = rng.random(len(changed)) < 0.5
    subscriber = rng.integers(10**7, 10**8, len(changed))
    unique["phone"][changed[new_phone]] = [f"0857{s:08d}" for s in subscriber[new_phone].tolist()]
    donors = rng.integers(0, n_unique, int((~new_phone).sum()))
    unique["address"][changed[~new_phone]] = unique["address"][donors]

    # Broken rows are about new people, each broken in one way, the kinds in equal shares.
    invalid_rows = rng.choice(np.flatnonzero(~is_existing), n_invalid, replace=False)
    kinds = rng.permutation(np.arange(n_invalid) % len(InvalidKind))
    valid = np.ones(n_unique, dtype=bool)
    valid[invalid_rows] = False

    # Duplicates repeat a valid row further down, half exactly, half written differently.
    sources = np.sort(rng.choice(np.flatnonzero(valid), n_dup, replace=n_dup > valid.sum()))
    exact = rng.random(n_dup) < EXACT_DUPLICATE_SHARE
    rewritten = sources[~exact]
    formatted = _format(
        _concat([unique, _take(unique, rewritten)], _chunk_rows_empty()),
        _region_lookup(villages),
        rng,
    )
    formatted = _break_rows(formatted, invalid_rows, kinds, rng)

    gather = np.arange(n_unique)
    dup_gather = np.where(exact, sources, 0)
    dup_gather[~exact] = n_unique + np.arange(len(rewritten))
    position = np.r_[
        np.arange(n_unique, dtype=float),
        sources + 0.5 + rng.random(n_dup) * (n_unique - 1 - sources),
    ]
    final = np.r_[gather, dup_gather][np.argsort(position, kind="stable")]
    frame = formatted[final].with_columns(pl.int_range(1, pl.len() + 1).cast(pl.String).alias("No"))
    truth = ProposerTruth(
        rows=rows,
        invalid={kind.value: int((kinds == k).sum()) for k, kind in enumerate(InvalidKind)},
        duplicates=n_dup,
        existing=n_existing,
        existing_changed=len(changed),
    )
    return frame, truth


# --- files -------------------------------------------------------------------------------------


def write_csv(
    frame: pl.DataFrame, path: Path | str, *, delimiter: str = ",", encoding: str = "utf-8"
) -> None:
    """The list as CSV; "cp1252" is what Excel on Indonesian Windows saves (unknown
    characters become "?", as Excel does)."""
    path = Path(path)
    # Empty cells as nothing between the delimiters, as spreadsheet programs write them ("" is
    # what polars writes for an empty string).
    frame = frame.select(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in frame.columns)
    if encoding.replace("-", "").replace("_", "").lower() == "utf8":
        frame.write_csv(path, separator=delimiter, quote_style="necessary")
        return
    text = frame.write_csv(separator=delimiter, quote_style="necessary")
    path.write_bytes(text.encode(encoding, errors="replace"))


def write_xlsx(frame: pl.DataFrame, path: Path | str, *, sheet: str = "Daftar Pengusul") -> None:
    """The list as one XLSX sheet, every cell text: a NIK stored as a number loses digits."""
    import xlsxwriter  # only the demo and benchmarks write workbooks

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        sheet_ = workbook.add_worksheet(sheet)
        write = sheet_.write_string
        for c, header in enumerate(frame.columns):
            write(0, c, header)
        for r, values in enumerate(_rows(frame), start=1):
            for c, value in enumerate(values):
                if value:
                    write(r, c, value)
    finally:
        workbook.close()


def _rows(frame: pl.DataFrame, batch: int = 50_000) -> Iterator[tuple[Any, ...]]:
    for offset in range(0, frame.height, batch):
        yield from frame.slice(offset, batch).iter_rows()


def read_csv(path: Path | str, *, delimiter: str = ",", encoding: str = "utf-8") -> pl.DataFrame:
    """A written list back as all-String columns (for tests and the benchmark's checks)."""
    text = Path(path).read_bytes().decode(encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader)
    data = list(reader)
    return pl.DataFrame(data, schema=dict.fromkeys(header, pl.String), orient="row")
