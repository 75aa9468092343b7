"""Synthetic people with planted duplicates and the truth, for testing and benchmarking identity resolution."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl

from pulih.demo import catalog as C
from pulih.demo.generator import (
    FEMALE_SHARE,
    TakenNiks,
    VillagePool,
    _addresses,
    _birth_dates,
    _full_names,
    _niks,
    _phones,
    old_spelling,
)

# Share of duplicated persons that get two extra records rather than one.
TWO_DUPLICATES_SHARE = 0.15
# Different people given the name and birth year of someone in the same city: the pairs a
# matcher must keep apart although name, year and city agree.
NAMESAKE_SHARE = 0.01
# Older Indonesians whose birth date was unknown are often registered on 1 January.
FIRST_OF_JANUARY_SHARE = 0.02
# Balinese outside Bali (transmigrants, Jakarta workers); most people inside it.
BALINESE_SHARE = {"51": 0.85, "default": 0.02}
# Duplicates that moved stay in the same city or regency this often.
MOVED_SAME_CITY_SHARE = 0.8

# Probability that a duplicate record gets each corruption (independently; a record that draws
# none gets one of the always-possible kinds). Guesses at what lists sent by different agencies
# look like: phones and address spellings drift most, NIKs are often left blank.
CORRUPTION_RATES: dict[str, float] = {
    "name_typo": 0.15,
    "name_spelling": 0.10,
    "name_muhammad": 0.50,  # of names that have a Muhammad
    "name_title": 0.10,
    "name_swap": 0.05,
    "name_given_only": 0.08,
    "nik_missing": 0.15,
    "nik_typo": 0.06,
    "birth_slip": 0.08,
    "birth_missing": 0.02,
    "moved": 0.12,
    "phone_changed": 0.25,
    "address_format": 0.35,
}
CORRUPTION_KINDS = tuple(CORRUPTION_RATES)
# Kinds that can hit any record, drawn (with these weights) for records that drew nothing.
_FALLBACK = {
    "name_typo": 3.0,
    "nik_missing": 2.0,
    "nik_typo": 1.0,
    "birth_slip": 1.0,
    "moved": 1.0,
    "phone_changed": 2.0,
    "address_format": 2.0,
}

_BIRTH_ORDER = (
    ("Wayan", 3), ("Putu", 3), ("Gede", 2), ("Made", 4), ("Kadek", 3), ("Nengah", 1),
    ("Nyoman", 3), ("Komang", 3), ("Ketut", 3),
)  # fmt: skip
_BALINESE_MALE = (
    "Sudarma", "Suarta", "Artawan", "Sukadana", "Mahendra", "Wirawan", "Arsana", "Parwata",
    "Suardana", "Budiasa", "Darmawan", "Sutama", "Wiratama", "Adnyana", "Suweta",
)  # fmt: skip
_BALINESE_FEMALE = (
    "Ariani", "Sriani", "Astuti", "Suastini", "Widiastuti", "Sukerti", "Darmini", "Ayu Lestari",
    "Suryani", "Wahyuni", "Sumerti", "Rai Wulandari", "Kartini", "Puspawati", "Yuliantari",
)  # fmt: skip

_TITLES = frozenset(
    {C.HAJJ_PREFIX["L"], C.HAJJ_PREFIX["P"], "Dr.", "Prof."}
    | {t for pair in C.OLD_ACADEMIC_PREFIX.values() for t in pair}
)
_MUHAMMADS = tuple(v for v, _ in C.MUHAMMAD_VARIANTS) + ("Moch.", "Moh.", "Muh.")
_MUHAMMAD_SET = frozenset(_MUHAMMADS)
_ARTICLES = frozenset({"I", "Ni"})
_PATRONYMIC = frozenset({"bin", "binti"})
_OLD_MARKERS = ("dj", "tj", "oe", "Dj", "Tj", "Oe", "nj", "sj")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"

_STREET_WORDS = re.compile(r"^(Jl\.|Jln\.|Jalan)\s")
_NUMBER = re.compile(r"\bNo\.\s(\S+)")
_RT_RW = re.compile(r"RT (\d{3})/RW (\d{3})$")


# --- villages ----------------------------------------------------------------------------------


def _villages_csv() -> Path:
    # The CSV the reference app loads (pulih.reference.services), read without Django so the
    # generator needs no database.
    root = Path(__file__).resolve().parents[3]
    node_modules = Path(os.environ.get("PULIH_NODE_MODULES", root / "node_modules"))
    return node_modules / "idn-area-data" / "data" / "villages.csv"


@lru_cache(maxsize=8)
def village_pool(regions: str) -> VillagePool:
    """Villages at or under the comma-separated region codes ("31", "32.73,33")."""
    prefixes = [r.strip() for r in regions.split(",") if r.strip()]
    codes = pl.read_csv(_villages_csv(), columns=["code"], schema_overrides={"code": pl.String})
    wanted = pl.any_horizontal(
        [(pl.col("code") == p) | pl.col("code").str.starts_with(f"{p}.") for p in prefixes]
    )
    selected = codes.filter(wanted)["code"].to_list()
    if not selected:
        raise ValueError(f"Tidak ada kelurahan/desa di wilayah {regions}.")
    return VillagePool.of(selected)


# --- people ------------------------------------------------------------------------------------


def population(
    people: int, *, duplicate_rate: float = 0.10, seed: int = 1, regions: str = "31"
) -> pl.DataFrame:
    """`people` persons, one record each, plus about duplicate_rate * people corrupted copies.

    Columns: record_id, person_id (the truth), nik, name, birth_date, sex, address,
    village_code, phone; rows in random order. Deterministic for a seed.
    """
    frame, _ = _generate(people, duplicate_rate=duplicate_rate, seed=seed, regions=regions)
    return frame.drop("_row")


def population_annotated(
    people: int, *, duplicate_rate: float = 0.10, seed: int = 1, regions: str = "31"
) -> pl.DataFrame:
    """population() plus `corruptions`: the kinds applied to each copy (empty for originals)."""
    frame, kinds = _generate(people, duplicate_rate=duplicate_rate, seed=seed, regions=regions)
    lists = kinds.group_by("_row").agg(pl.col("kind").alias("corruptions"))
    return (
        frame.join(lists, on="_row", how="left", maintain_order="left")
        .with_columns(pl.col("corruptions").fill_null(pl.lit([], dtype=pl.List(pl.String))))
        .drop("_row")
    )


def _generate(
    people: int, *, duplicate_rate: float, seed: int, regions: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The shuffled records with `_row` (position before shuffling), and (`_row`, kind) pairs."""
    if people < 1 or duplicate_rate < 0:
        raise ValueError("people must be positive and duplicate_rate not negative")
    pool = village_pool(regions)
    rng = np.random.default_rng(seed)
    base = _persons(rng, people, pool, regions)
    extra = round(duplicate_rate * people)
    two = min(int(extra * TWO_DUPLICATES_SHARE) // 2, people)
    one = extra - 2 * two
    if one + two > people:
        raise ValueError("duplicate_rate too high: at most two copies per person")
    chosen = rng.choice(people, size=one + two, replace=False)
    source = np.concatenate([chosen, chosen[one:]])
    copies, kinds = _duplicates(rng, base, source, pool)
    frame = pl.concat([base, copies]).with_row_index("_row")
    # Copies sit among the originals in random order: a matcher cannot lean on row order.
    frame = frame[rng.permutation(frame.height)]
    width = len(str(frame.height))
    record_id = "R" + pl.int_range(1, frame.height + 1).cast(pl.String).str.zfill(width)
    frame = frame.with_columns(record_id.alias("record_id")).select(
        "_row", "record_id", "person_id", "nik", "name", "birth_date", "sex", "address",
        "village_code", "phone",
    )  # fmt: skip
    return frame, kinds.with_columns(pl.col("_row") + base.height)


def _persons(rng: np.random.Generator, n: int, pool: VillagePool, regions: str) -> pl.DataFrame:
    village = rng.choice(len(pool.codes), size=n, p=pool.weights)
    female = rng.random(n) < FEMALE_SHARE
    birth = _birth_dates(rng, n)
    years = birth.astype("datetime64[Y]")
    older = years.astype(int) + 1970 < 1970
    january = rng.random(n) < np.where(older, FIRST_OF_JANUARY_SHARE * 3, FIRST_OF_JANUARY_SHARE)
    birth[january] = years[january].astype("datetime64[D]")

    # Namesakes: same sex, name and birth year as an earlier person, living in the same city.
    namesake = np.flatnonzero(rng.random(n) < NAMESAKE_SHARE)
    namesake = namesake[namesake > 0]
    model = (rng.random(len(namesake)) * namesake).astype(np.int64)
    female[namesake] = female[model]
    birth[namesake] = years[model].astype("datetime64[D]") + rng.integers(0, 365, len(namesake))
    start, end = pool.city_start[village[model]], pool.city_end[village[model]]
    village[namesake] = start + (rng.random(len(namesake)) * (end - start)).astype(np.int64)

    years_int = birth.astype("datetime64[Y]").astype(int) + 1970
    names, _ = _full_names(rng, female, years_int)
    _balinese(rng, names, female, regions)
    for target, src in zip(namesake.tolist(), model.tolist(), strict=True):
        names[target] = names[src]

    nik = _niks(rng, pool.district_number[village], birth, female, TakenNiks())
    # Built in polars from numbers and indexes: a Series from a numpy string array is made one
    # Python string at a time, seconds at a million rows.
    codes = pl.Series("village_code", pool.codes.tolist(), dtype=pl.String)
    return pl.DataFrame(
        {
            "person_id": np.arange(n, dtype=np.int64),
            "nik": pl.Series("nik", nik).cast(pl.String),
            "name": pl.Series("name", names, dtype=pl.String),
            "birth_date": pl.Series("birth_date", birth).cast(pl.Date),
            "sex": pl.Series("sex", female).replace_strict({True: "P", False: "L"}),
            "address": pl.Series("address", _address_lines(rng, n), dtype=pl.String),
            "village_code": codes.gather(village),
            "phone": _phone_numbers(rng, n),
        }
    )


def _balinese(rng: np.random.Generator, names: list[str], female: np.ndarray, regions: str) -> None:
    share = BALINESE_SHARE.get(regions.strip()[:2], BALINESE_SHARE["default"])
    rows = np.flatnonzero(rng.random(len(names)) < share)
    orders = np.array([o for o, _ in _BIRTH_ORDER])
    weights = np.array([w for _, w in _BIRTH_ORDER], dtype=float)
    order = rng.choice(orders, size=len(rows), p=weights / weights.sum()).tolist()
    pick = rng.random((len(rows), 2)).tolist()
    for row, birth_order, (u, v) in zip(rows.tolist(), order, pick, strict=True):
        is_female = bool(female[row])
        pool = _BALINESE_FEMALE if is_female else _BALINESE_MALE
        own = pool[int(v * len(pool))]
        # "I"/"Ni" is often left off forms.
        article = ("Ni " if is_female else "I ") if u < 0.7 else ""
        names[row] = f"{article}{birth_order} {own}"


def _address_lines(rng: np.random.Generator, n: int) -> list[str]:
    parts = _addresses(rng, n)
    return [
        f"{a} RT {rt}/RW {rw}"
        for a, rt, rw in zip(parts["address"], parts["rt"], parts["rw"], strict=True)
    ]


def _phone_numbers(rng: np.random.Generator, n: int) -> pl.Series:
    """The demo's phones in the +62 form intake stores them in; blank ones become null."""
    digits = pl.col("phone").str.replace_all(r"[^0-9+]", "")
    return (
        pl.DataFrame({"phone": _phones(rng, n)}, schema={"phone": pl.String})
        .select(
            pl.when(digits == "")
            .then(None)
            .otherwise(digits.str.replace(r"^0", "+62"))
            .alias("phone")
        )
        .to_series()
    )


# --- duplicates --------------------------------------------------------------------------------


def _duplicates(
    rng: np.random.Generator, base: pl.DataFrame, source: np.ndarray, pool: VillagePool
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Copies of base rows `source`, each with at least one corruption, and (copy, kind) pairs."""
    copies = base[source]
    m = copies.height
    names = copies["name"].to_list()
    parsed = [_NameParts.of(n) for n in names]
    applicable = {kind: np.ones(m, dtype=bool) for kind in CORRUPTION_KINDS}
    applicable["name_muhammad"] = np.array([p.muhammad != "" for p in parsed], dtype=bool)
    applicable["name_swap"] = np.array([p.can_swap() for p in parsed], dtype=bool)
    applicable["name_given_only"] = np.array([len(p.core) >= 2 for p in parsed], dtype=bool)
    applicable["name_spelling"] = np.array(
        [_respelled(" ".join(p.core)) != " ".join(p.core) for p in parsed], dtype=bool
    )
    phone_present = copies["phone"].is_not_null().to_numpy()

    drawn = {
        kind: applicable[kind] & (rng.random(m) < rate) for kind, rate in CORRUPTION_RATES.items()
    }
    # Pairs where one kind makes the other meaningless.
    drawn["nik_typo"] &= ~drawn["nik_missing"]
    drawn["birth_slip"] &= ~drawn["birth_missing"]
    drawn["name_swap"] &= ~drawn["name_given_only"]
    none = ~np.logical_or.reduce(list(drawn.values()))
    fallback = np.array(list(_FALLBACK))
    weights = np.array(list(_FALLBACK.values()))
    forced = rng.choice(fallback, size=int(none.sum()), p=weights / weights.sum())
    for kind in _FALLBACK:
        drawn[kind][np.flatnonzero(none)[forced == kind]] = True

    new_names = _names_corrupt(rng, parsed, names, copies["sex"].to_numpy() == "P", drawn)
    new_niks = _niks_corrupt(rng, copies["nik"], drawn)
    new_births = _births_corrupt(rng, copies["birth_date"], drawn)
    village_code = copies["village_code"].to_numpy().copy()
    address = copies["address"].to_list()
    moved = np.flatnonzero(drawn["moved"])
    if len(moved):
        home = np.searchsorted(pool.codes, village_code[moved])
        same_city = rng.random(len(moved)) < MOVED_SAME_CITY_SHARE
        start = np.where(same_city, pool.city_start[home], 0)
        end = np.where(same_city, pool.city_end[home], len(pool.codes))
        new = start + (rng.random(len(moved)) * (end - start)).astype(np.int64)
        # A one-village city would leave the person where they were; step to a neighbour.
        new = np.where(new == home, (home + 1) % len(pool.codes), new)
        village_code[moved] = pool.codes[new]
        for row, line in zip(moved.tolist(), _address_lines(rng, len(moved)), strict=True):
            address[row] = line
    restyled = np.flatnonzero(drawn["address_format"])
    for row, u in zip(restyled.tolist(), rng.random((len(restyled), 3)).tolist(), strict=True):
        address[row] = _address_restyle(address[row], u)

    phone = copies["phone"].to_list()
    changed = np.flatnonzero(drawn["phone_changed"])
    # Two draws per record, so that nearly every record that must gain a number gets one.
    fresh = (
        pl.DataFrame(
            {
                "a": _phone_numbers(rng, len(changed)),
                "b": _phone_numbers(rng, len(changed)),
            }
        )
        .select(pl.coalesce("a", "b"))
        .to_series()
        .to_list()
    )
    # A record without a phone can only gain one; one with a phone loses it 40% of the time.
    dropped = (rng.random(len(changed)) < 0.4) & phone_present[changed]
    for row, number, drop in zip(changed.tolist(), fresh, dropped.tolist(), strict=True):
        phone[row] = None if drop else (number or "+6281" + f"{row % 10**9:09d}")

    kinds = pl.concat(
        [
            pl.DataFrame(
                {"_row": np.flatnonzero(drawn[kind]).astype(np.uint32), "kind": kind},
                schema={"_row": pl.UInt32, "kind": pl.String},
            )
            for kind in CORRUPTION_KINDS
        ]
    )
    copies = copies.with_columns(
        pl.Series("name", new_names, dtype=pl.String),
        new_niks,
        new_births,
        pl.Series("address", address, dtype=pl.String),
        pl.Series("village_code", village_code, dtype=pl.String),
        pl.Series("phone", phone, dtype=pl.String),
    )
    return copies, kinds


class _NameParts:
    """A name taken apart: titles, a Muhammad, a Balinese I/Ni, the core names, a degree."""

    __slots__ = ("titles", "muhammad", "article", "core", "degree")

    def __init__(
        self, titles: list[str], muhammad: str, article: str, core: list[str], degree: str
    ) -> None:
        self.titles, self.muhammad, self.article = titles, muhammad, article
        self.core, self.degree = core, degree

    @classmethod
    def of(cls, name: str) -> _NameParts:
        head, _, degree = name.partition(", ")
        tokens = head.split()
        titles: list[str] = []
        while tokens and tokens[0] in _TITLES:
            titles.append(tokens.pop(0))
        muhammad = tokens.pop(0) if len(tokens) > 1 and tokens[0] in _MUHAMMAD_SET else ""
        article = tokens.pop(0) if len(tokens) > 1 and tokens[0] in _ARTICLES else ""
        return cls(titles, muhammad, article, tokens, degree)

    def can_swap(self) -> bool:
        return len(self.core) >= 2 and not _PATRONYMIC.intersection(self.core)

    def text(self) -> str:
        words = [*self.titles, self.muhammad, self.article, *self.core]
        head = " ".join(w for w in words if w)
        return f"{head}, {self.degree}" if self.degree else head


def _respelled(text: str) -> str:
    """Old spelling to new (Djoko -> Joko, Soekarno -> Sukarno), or new to old."""
    if not any(marker in text for marker in _OLD_MARKERS):
        return old_spelling(text)
    out = text.replace("oe", "u").replace("Oe", "U")
    out = out.replace("tj", "c").replace("Tj", "C")
    out = out.replace("nj", "ny").replace("sj", "sy")
    out = out.replace("dj", "\0").replace("Dj", "\1")
    out = out.replace("j", "y").replace("J", "Y")
    out = out.replace("\0", "j").replace("\1", "J")
    return out.replace("ch", "kh").replace("Ch", "Kh")


def _typo(word: str, u: Sequence[float]) -> str:
    """One substituted, deleted or transposed letter (never the first, people get that right)."""
    if len(word) < 3:
        return word + _LETTERS[int(u[1] * 26)]
    pos = 1 + int(u[1] * (len(word) - 1))
    if u[0] < 0.45:
        letter = _LETTERS[int(u[2] * 26)]
        if letter == word[pos].lower():
            letter = _LETTERS[(int(u[2] * 26) + 1) % 26]
        return word[:pos] + letter + word[pos + 1 :]
    if u[0] < 0.75 or pos == len(word) - 1 or word[pos] == word[pos + 1]:
        return word[:pos] + word[pos + 1 :]
    return word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]


def _names_corrupt(
    rng: np.random.Generator,
    parsed: list[_NameParts],
    names: list[str],
    female: np.ndarray,
    drawn: dict[str, np.ndarray],
) -> list[str]:
    out = list(names)
    name_kinds = [k for k in CORRUPTION_KINDS if k.startswith("name_")]
    touched = np.flatnonzero(np.logical_or.reduce([drawn[k] for k in name_kinds]))
    flags = {k: drawn[k][touched].tolist() for k in name_kinds}
    draws = rng.random((len(touched), 6)).tolist()
    for i, (row, u) in enumerate(zip(touched.tolist(), draws, strict=True)):
        p = parsed[row]
        p = _NameParts(list(p.titles), p.muhammad, p.article, list(p.core), p.degree)
        if flags["name_muhammad"][i]:
            others = [v for v in _MUHAMMADS if v != p.muhammad]
            p.muhammad = others[int(u[0] * len(others))]
        if flags["name_title"][i]:
            _title_toggle(p, u[1], bool(female[row]))
        if flags["name_given_only"][i]:
            p.core = p.core[:1]
        if flags["name_swap"][i]:
            p.core = [*p.core[1:], p.core[0]]
        if flags["name_spelling"][i]:
            p.core = _respelled(" ".join(p.core)).split()
        if flags["name_typo"][i]:
            at = int(u[2] * len(p.core))
            p.core[at] = _typo(p.core[at], u[3:6])
        out[row] = p.text()
    return out


def _title_toggle(p: _NameParts, u: float, female: bool) -> None:
    """Drop the titles or degree a name has, or add a hajj title or a degree it lacks."""
    if p.titles or p.degree:
        if p.titles and (not p.degree or u < 0.5):
            p.titles = []
        else:
            p.degree = ""
    elif u < 0.5:
        p.titles = [C.HAJJ_PREFIX["P" if female else "L"]]
    else:
        p.degree = C.DEGREE_SUFFIXES[int(u * 1000) % len(C.DEGREE_SUFFIXES)]


def _niks_corrupt(
    rng: np.random.Generator, nik: pl.Series, drawn: dict[str, np.ndarray]
) -> pl.Series:
    values = nik.cast(pl.Int64).to_numpy().copy()
    rows = np.flatnonzero(drawn["nik_typo"])
    pos = rng.integers(0, 16, len(rows))  # digit position from the left
    power = 10 ** (15 - pos).astype(np.int64)
    digit = values[rows] // power % 10
    # Transposing with the next digit needs a next digit that differs; otherwise change one.
    nxt_power = np.maximum(power // 10, 1)
    nxt = values[rows] // nxt_power % 10
    transpose = (rng.random(len(rows)) < 0.4) & (pos < 15) & (nxt != digit)
    changed = (digit + rng.integers(1, 10, len(rows))) % 10
    delta = np.where(
        transpose,
        (nxt - digit) * power + (digit - nxt) * nxt_power,
        (changed - digit) * power,
    )
    values[rows] += delta
    text = pl.Series("nik", values).cast(pl.String).str.zfill(16)
    return pl.select(
        pl.when(pl.Series(drawn["nik_missing"])).then(None).otherwise(text).alias("nik")
    ).to_series()


def _births_corrupt(
    rng: np.random.Generator, birth: pl.Series, drawn: dict[str, np.ndarray]
) -> pl.Series:
    out: list[date | None] = birth.to_list()
    rows = np.flatnonzero(drawn["birth_slip"])
    for row, u in zip(rows.tolist(), rng.random((len(rows), 2)).tolist(), strict=True):
        out[row] = _birth_slip(out[row], u)
    for row in np.flatnonzero(drawn["birth_missing"]).tolist():
        out[row] = None
    return pl.Series("birth_date", out, dtype=pl.Date)


def _birth_slip(day: date | None, u: Sequence[float]) -> date | None:
    """Day and month swapped where that is a date, else one day off, or the year off by one."""
    if day is None:
        return None
    if u[0] < 0.4 and day.day <= 12 and day.day != day.month:
        return day.replace(month=day.day, day=day.month)
    if u[0] < 0.7 or (day.month == 2 and day.day == 29):
        return day + timedelta(days=1 if u[1] < 0.5 else -1)
    return day.replace(year=day.year + (1 if u[1] < 0.5 else -1))


_STREET_STYLES = ("Jl.", "Jln.", "Jalan", "JL.")
_RT_RW_STYLES: tuple[Callable[[int, int], str], ...] = (
    lambda rt, rw: f"RT {rt}/RW {rw}",
    lambda rt, rw: f"RT.{rt:03d} RW.{rw:03d}",
    lambda rt, rw: f"RT {rt:02d} RW {rw:02d}",
    lambda rt, rw: f"Rt.{rt}/Rw.{rw}",
    lambda rt, rw: f"RT{rt:03d}/RW{rw:03d}",
)


def _address_restyle(address: str, u: Sequence[float]) -> str:
    """The same address as another clerk types it: street word, house number, RT/RW."""
    out = address
    street = _STREET_WORDS.match(out)
    if street and u[0] < 0.7:
        others = [s for s in _STREET_STYLES if s != street.group(1)]
        out = others[int(u[0] / 0.7 * len(others))] + out[street.end(1) :]
    if u[1] < 0.5:
        out = _NUMBER.sub(r"No.\1" if u[1] < 0.25 else r"No \1", out)
    rt_rw = _RT_RW.search(out)
    if rt_rw:
        style = _RT_RW_STYLES[int(u[2] * len(_RT_RW_STYLES))]
        out = out[: rt_rw.start()] + style(int(rt_rw.group(1)), int(rt_rw.group(2)))
    if out == address:
        out = out.upper()
    return out


# --- scoring -----------------------------------------------------------------------------------


def pairwise_scores(truth: pl.Series, predicted: pl.Series) -> dict[str, float]:
    """Precision, recall and F1 over same-person record pairs, from two cluster labels.

    Counts pairs per group (n * (n - 1) / 2) instead of listing them, so a million records
    score in well under a second.
    """
    if len(truth) != len(predicted):
        raise ValueError("truth and predicted must label the same records")
    frame = pl.DataFrame({"truth": truth, "predicted": predicted})

    def pairs(*keys: str) -> int:
        sizes = frame.group_by(list(keys)).len()["len"].cast(pl.Int64)
        return int((sizes * (sizes - 1) // 2).sum())

    true_pairs = pairs("truth")
    predicted_pairs = pairs("predicted")
    both = pairs("truth", "predicted")
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_pairs": true_pairs,
        "predicted_pairs": predicted_pairs,
        "true_positive_pairs": both,
    }
