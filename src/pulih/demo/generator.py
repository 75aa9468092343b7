"""Synthetic business owners, businesses and products, generated column-wise with numpy (no DB).

Reproducible: chunk k of a run is drawn from `default_rng([seed, start])`, and NIKs are kept
unique across the run by redrawing serials against the NIKs of earlier chunks, so the same
seed and chunk size always give the same rows.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from faker.providers.address.id_ID import Provider as FakerAddress
from faker.providers.person.id_ID import Provider as FakerPerson

from pulih.demo import catalog as C

# Timestamps fall in the 24 months before this moment (UTC), never before now(): a rerun
# next month must write the same rows.
REFERENCE_TIME = np.datetime64("2026-06-30T10:00:00", "s")
SUBMISSION_WINDOW_DAYS = 730
BIRTH_FIRST = np.datetime64("1955-01-01", "D")
BIRTH_LAST = np.datetime64("2004-12-31", "D")
# Generated serials stay at or below this; the ones above are left for hand-made demo
# records (the demo owner login), which therefore never collide with a generated NIK.
MAX_GENERATED_SERIAL = 9000
FEMALE_SHARE = 0.55
SECOND_BUSINESS_SHARE = 0.10
SIZE_SHARES = (0.90, 0.08, 0.02)  # mikro, kecil, menengah
# Urban kelurahan hold far more people (and shops) than rural desa.
KELURAHAN_WEIGHT = 8.0

_SECONDS_PER_DAY = 86_400
_WIB_OFFSET = np.timedelta64(7 * 3600, "s")
_NOT_ALNUM_DOT = re.compile(r"[^a-z0-9.]")


def _unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _weighted(pairs: Sequence[tuple[str, float]]) -> tuple[np.ndarray, np.ndarray]:
    names = np.array([name for name, _ in pairs])
    weights = np.array([w for _, w in pairs], dtype=float)
    return names, weights / weights.sum()


def _name_pool(
    faker_names: Sequence[str], common: Sequence[str], common_weight: float
) -> tuple[np.ndarray, np.ndarray]:
    faker_only = [n for n in _unique(faker_names) if n not in common]
    return _weighted([(n, 1.0) for n in faker_only] + [(n, common_weight) for n in common])


def old_spelling(name: str) -> str:
    """The pre-1972 spelling some older people keep on their KTP (Djoko, Tjahjo, Soekarno)."""
    out = name.replace("j", "dj").replace("J", "Dj")
    out = out.replace("c", "tj").replace("C", "Tj")
    out = out.replace("y", "j").replace("Y", "J")
    out = out.replace("kh", "ch").replace("Kh", "Ch")
    return out.replace("u", "oe").replace("U", "Oe")


_MALE_GIVEN = _name_pool(FakerPerson.first_names_male, C.COMMON_MALE_NAMES, 8.0)
_FEMALE_GIVEN = _name_pool(FakerPerson.first_names_female, C.COMMON_FEMALE_NAMES, 5.0)
_MALE_SECOND = np.array(_unique(FakerPerson.last_names_male))
_FEMALE_SECOND = np.array(_unique(FakerPerson.last_names_female))
_MUHAMMAD = _weighted(C.MUHAMMAD_VARIANTS)
_STREETS = np.array(_unique([*FakerAddress.streets, *C.EXTRA_STREETS]))
_PREFIXES = _weighted(C.MOBILE_PREFIXES)
_EMAIL_DOMAINS = _weighted(C.EMAIL_DOMAINS)
_STATUSES = _weighted(C.STATUS_WEIGHTS)
_IMPACTS = _weighted(C.PANDEMIC_IMPACT_WEIGHTS)
_TRADE_P = {
    "L": np.array([t.weight_male for t in C.TRADES]) / sum(t.weight_male for t in C.TRADES),
    "P": np.array([t.weight_female for t in C.TRADES]) / sum(t.weight_female for t in C.TRADES),
}
_PRODUCT_OFFSET = np.cumsum([0] + [len(t.products) for t in C.TRADES])
_PRODUCTS = [p for t in C.TRADES for p in t.products]
_PRODUCT_MIN_PRICE = np.array([p.min_price for p in _PRODUCTS], dtype=float)
_PRODUCT_MAX_PRICE = np.array([p.max_price for p in _PRODUCTS], dtype=float)
_PRODUCT_DESCRIPTIONS = (
    "Melayani pesanan lewat WhatsApp.",
    "Harga dapat berubah mengikuti harga bahan baku.",
    "Bisa pesan antar di sekitar kelurahan.",
    "Harga khusus untuk pembelian dalam jumlah banyak.",
)


@dataclass
class VillagePool:
    """The villages people are drawn from, with their NIK district prefix and postcode."""

    codes: np.ndarray
    weights: np.ndarray
    district_number: np.ndarray  # "32.73.01.1001" -> 327301, the first six NIK digits
    postcodes: np.ndarray
    provinces: np.ndarray
    # Codes are sorted, so each city's villages are one slice: [city_start, city_end).
    city_start: np.ndarray
    city_end: np.ndarray

    @classmethod
    def of(cls, codes: Sequence[str]) -> VillagePool:
        if not codes:
            raise ValueError("Tidak ada kelurahan/desa untuk data demo.")
        ordered = sorted(set(codes))
        weights = np.array([KELURAHAN_WEIGHT if c[9] == "1" else 1.0 for c in ordered])
        cities = np.array([c[:5] for c in ordered])
        return cls(
            codes=np.array(ordered),
            weights=weights / weights.sum(),
            district_number=np.array(
                [int(c[:8].replace(".", "")) for c in ordered], dtype=np.int64
            ),
            postcodes=np.array([_postcode(c) for c in ordered]),
            provinces=np.array([c[:2] for c in ordered]),
            city_start=np.searchsorted(cities, cities, side="left"),
            city_end=np.searchsorted(cities, cities, side="right"),
        )


def _postcode(village_code: str) -> str:
    """A stable, plausible five-digit postcode: province range, then district, then village."""
    low, high = C.POSTCODE_PREFIXES.get(village_code[:2], (10, 99))
    district_crc = zlib.crc32(village_code[:8].encode())
    prefix = low + district_crc % (high - low + 1)
    return f"{prefix:02d}{district_crc % 90 + 10:02d}{zlib.crc32(village_code.encode()) % 10}"


class TakenNiks:
    """NIKs (as integers) already handed out in this run; a sorted array, 8 bytes per person."""

    def __init__(self) -> None:
        self._sorted = np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._sorted)

    def contains(self, values: np.ndarray) -> np.ndarray:
        if not len(self._sorted):
            return np.zeros(len(values), dtype=bool)
        pos = np.minimum(np.searchsorted(self._sorted, values), len(self._sorted) - 1)
        return self._sorted[pos] == values

    def add(self, values: np.ndarray) -> None:
        self._sorted = np.union1d(self._sorted, values)


@dataclass
class DemoChunk:
    """One chunk of generated rows. Businesses point at persons, products at businesses, by
    position within the chunk (`owner`, `business`)."""

    start: int
    persons: dict[str, Any]
    businesses: dict[str, Any]
    products: dict[str, Any]
    size: int = field(init=False)

    def __post_init__(self) -> None:
        self.size = len(self.persons["nik"])


def demo_chunks(
    *,
    people: int,
    villages: Sequence[str],
    seed: int = 2020,
    chunk_size: int = 50_000,
    start: int = 0,
) -> Iterator[DemoChunk]:
    """The whole run, chunk by chunk; NIKs are unique across all chunks of the run."""
    pool = VillagePool.of(villages)
    taken = TakenNiks()
    for chunk_start in range(start, start + people, chunk_size):
        count = min(chunk_size, start + people - chunk_start)
        yield chunk_generate(count=count, start=chunk_start, villages=pool, seed=seed, taken=taken)


def chunk_generate(
    *,
    count: int,
    start: int,
    villages: VillagePool | Sequence[str],
    seed: int,
    taken: TakenNiks | None = None,
) -> DemoChunk:
    """People `start` .. `start + count - 1` of a run; `taken` carries NIKs between chunks."""
    pool = villages if isinstance(villages, VillagePool) else VillagePool.of(villages)
    rng = np.random.default_rng([seed, start])
    persons = _persons(rng, count, pool, taken if taken is not None else TakenNiks())
    businesses = _businesses(rng, persons, pool)
    products = _products(rng, businesses)
    _person_dates_from_businesses(persons, businesses)
    for key in ("_given", "_village", "_province", "_young"):
        persons.pop(key)
    businesses.pop("_item")
    businesses.pop("_trade")
    return DemoChunk(start=start, persons=persons, businesses=businesses, products=products)


# --- persons -----------------------------------------------------------------------------------


def _persons(
    rng: np.random.Generator, n: int, pool: VillagePool, taken: TakenNiks
) -> dict[str, Any]:
    village = rng.choice(len(pool.codes), size=n, p=pool.weights)
    female = rng.random(n) < FEMALE_SHARE
    sex = np.where(female, "P", "L")
    birth = _birth_dates(rng, n)
    years = birth.astype("datetime64[Y]").astype(int) + 1970
    names, given = _full_names(rng, female, years)
    nik = _niks(rng, pool.district_number[village], birth, female, taken)
    province = pool.provinces[village]
    return {
        "full_name": names,
        "nik": nik.astype("U16"),
        "birth_date": birth,
        "sex": sex,
        "birth_place": _birth_places(rng, province),
        "phone": _phones(rng, n),
        "email": _emails(rng, given, names, years),
        **_addresses(rng, n),
        "village_code": pool.codes[village],
        "postcode": pool.postcodes[village],
        "_given": given,
        "_village": village,
        "_province": province,
        "_young": years >= 1988,
    }


def _birth_dates(rng: np.random.Generator, n: int) -> np.ndarray:
    """Owners' ages peak in their forties; a normal around 1979, redrawn uniformly outside 1955-2004."""
    span = int((BIRTH_LAST - BIRTH_FIRST).astype(int))
    centre = int((np.datetime64("1979-06-01", "D") - BIRTH_FIRST).astype(int))
    offset = rng.normal(centre, 11 * 365, n)
    outside = (offset < 0) | (offset > span)
    offset[outside] = rng.uniform(0, span, int(outside.sum()))
    return BIRTH_FIRST + offset.astype(np.int64)


def _full_names(
    rng: np.random.Generator, female: np.ndarray, years: np.ndarray
) -> tuple[list[str], list[str]]:
    n = len(female)
    given_all = np.where(
        female,
        rng.choice(_FEMALE_GIVEN[0], size=n, p=_FEMALE_GIVEN[1]),
        rng.choice(_MALE_GIVEN[0], size=n, p=_MALE_GIVEN[1]),
    ).tolist()
    second_all = np.where(
        female, rng.choice(_FEMALE_SECOND, size=n), rng.choice(_MALE_SECOND, size=n)
    ).tolist()
    father = rng.choice(_MALE_GIVEN[0], size=n, p=_MALE_GIVEN[1]).tolist()
    muhammad = rng.choice(_MUHAMMAD[0], size=n, p=_MUHAMMAD[1]).tolist()
    degree = rng.choice(np.array(C.DEGREE_SUFFIXES), size=n).tolist()
    old = (years < 1972).tolist()
    hajj_age = (years < 1970).tolist()
    names: list[str] = []
    given_names: list[str] = []
    for i, (is_female, u) in enumerate(
        zip(female.tolist(), rng.random((n, 6)).tolist(), strict=True)
    ):
        sex = "P" if is_female else "L"
        given, second = given_all[i], second_all[i]
        if old[i] and u[0] < 0.08:
            given, second = old_spelling(given), old_spelling(second)
        if u[1] < 0.2:
            parts = [given]  # many Indonesians have a single name
        elif u[1] < 0.25:
            parts = [given, "binti" if is_female else "bin", father[i]]
        else:
            parts = [given, second]
        if sex == "L" and u[2] < 0.12:
            parts.insert(0, muhammad[i])
        if u[3] < (0.03 if old[i] else 0.01):
            parts.insert(0, C.OLD_ACADEMIC_PREFIX[sex][int(u[3] * 1000) % 2])
        if u[4] < (0.14 if hajj_age[i] else 0.03):
            parts.insert(0, C.HAJJ_PREFIX[sex])
        name = " ".join(parts)
        if u[5] < 0.06:
            name = f"{name}, {degree[i]}"
        names.append(name)
        given_names.append(given)
    return names, given_names


def _niks(
    rng: np.random.Generator,
    district: np.ndarray,
    birth: np.ndarray,
    female: np.ndarray,
    taken: TakenNiks,
) -> np.ndarray:
    """PPKKCC DDMMYY SSSS as int64, unique against the chunk and everything in `taken`."""
    months = birth.astype("datetime64[M]")
    year = (months.astype("datetime64[Y]").astype(np.int64) + 1970) % 100
    month = months.astype(np.int64) % 12 + 1
    day = (birth - months).astype(np.int64) + 1 + np.where(female, 40, 0)
    base = district * 10**10 + (day * 10_000 + month * 100 + year) * 10**4
    serial = _serials(rng, len(base))
    nik = base + serial
    while True:
        duplicate = taken.contains(nik)
        _, first = np.unique(nik, return_index=True)
        repeated = np.ones(len(nik), dtype=bool)
        repeated[first] = False
        duplicate |= repeated
        if not duplicate.any():
            break
        nik[duplicate] = base[duplicate] + _serials(rng, int(duplicate.sum()))
    taken.add(nik)
    return nik


def nik_compose(district_code: str, birth_date: date, sex: str, serial: int) -> str:
    """One NIK, PPKKCC DDMMYY SSSS: what _niks builds column-wise, for hand-made demo records."""
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{district_code.replace('.', '')}{day:02d}{birth_date:%m%y}{serial:04d}"


def _serials(rng: np.random.Generator, n: int) -> np.ndarray:
    # Serials count up per district and birth date, so low numbers are the common ones.
    return 1 + np.minimum(rng.exponential(250, n).astype(np.int64), MAX_GENERATED_SERIAL - 1)


def _birth_places(rng: np.random.Generator, province: np.ndarray) -> list[str]:
    out = []
    for prov, (u, v) in zip(
        province.tolist(), rng.random((len(province), 2)).tolist(), strict=True
    ):
        if u < 0.03:
            out.append("")
            continue
        local = C.BIRTH_PLACES_BY_PROVINCE.get(prov)
        places = local if local and u < 0.85 else FakerAddress.cities
        out.append(places[int(v * len(places))])
    return out


def _phones(rng: np.random.Generator, n: int) -> list[str]:
    prefix = rng.choice(_PREFIXES[0], size=n, p=_PREFIXES[1]).tolist()
    long = (rng.random(n) < 0.6).tolist()
    subscriber = rng.integers(0, 10**8, n).tolist()
    out = []
    for i, style in enumerate(rng.random(n).tolist()):
        if style < 0.05:
            out.append("")
            continue
        digits = f"{subscriber[i]:08d}" if long[i] else f"{subscriber[i] % 10**7:07d}"
        number = f"{prefix[i]}{digits}"
        if style < 0.75:
            out.append(number)
        elif style < 0.92:
            out.append(f"{number[:4]}-{number[4:8]}-{number[8:]}")
        else:
            out.append(f"+62{number[1:]}")
    return out


def _emails(
    rng: np.random.Generator, given: list[str], names: list[str], years: np.ndarray
) -> list[str]:
    n = len(given)
    domain = rng.choice(_EMAIL_DOMAINS[0], size=n, p=_EMAIL_DOMAINS[1]).tolist()
    two_digit_year = (years % 100).tolist()
    out = []
    for i, (u, v) in enumerate(rng.random((n, 2)).tolist()):
        if u >= 0.3:
            out.append("")
            continue
        last = names[i].split(",")[0].split()[-1]
        local = given[i] if last == given[i] else f"{given[i]}{'.' if v < 0.3 else ''}{last}"
        local = _NOT_ALNUM_DOT.sub("", local.lower())
        if v < 0.6:
            local = f"{local}{two_digit_year[i]:02d}"
        out.append(f"{local}@{domain[i]}")
    return out


def _addresses(rng: np.random.Generator, n: int) -> dict[str, list[str]]:
    street = rng.choice(_STREETS, size=n).tolist()
    housing = rng.choice(np.array(C.HOUSING_NAMES), size=n).tolist()
    number = (1 + rng.exponential(30, n).astype(int)).tolist()
    gang = rng.integers(1, 12, n).tolist()
    block = rng.integers(0, 8, n).tolist()
    rt = rng.integers(1, 16, n)
    rw = rng.integers(1, 13, n)
    addresses = []
    for i, style in enumerate(rng.random(n).tolist()):
        s, no = street[i], number[i]
        if style < 0.55:
            text = f"Jl. {s} No. {no}"
        elif style < 0.6:
            text = f"Jln. {s} No. {no}"
        elif style < 0.65:
            text = f"Jalan {s} No. {no}"
        elif style < 0.8:
            text = f"Gg. {s} No. {no}"
        elif style < 0.9:
            text = f"Jl. {s} Gg. {gang[i]} No. {no}"
        elif style < 0.95:
            text = f"Perum {housing[i]} Blok {'ABCDEFGH'[block[i]]} No. {no}"
        else:
            text = f"Komp. {housing[i]} Blok {'ABCDEFGH'[block[i]]}{gang[i]} No. {no}"
        addresses.append(text)
    return {
        "address": addresses,
        "rt": [f"{v:03d}" for v in rt.tolist()],
        "rw": [f"{v:03d}" for v in rw.tolist()],
    }


# --- businesses --------------------------------------------------------------------------------


def _businesses(
    rng: np.random.Generator, persons: dict[str, Any], pool: VillagePool
) -> dict[str, Any]:
    n = len(persons["nik"])
    per_person = 1 + (rng.random(n) < SECOND_BUSINESS_SHARE)
    owner = np.repeat(np.arange(n), per_person)
    m = len(owner)
    sex = persons["sex"][owner]
    trade = np.empty(m, dtype=np.int64)
    for code, p in _TRADE_P.items():
        mask = sex == code
        trade[mask] = rng.choice(len(C.TRADES), size=int(mask.sum()), p=p)

    section = np.array([t.section for t in C.TRADES])[trade]
    kbli_code = np.empty(m, dtype="U5")
    ekraf: list[str | None] = [None] * m
    item = np.full(m, "", dtype=object)
    is_ekraf = rng.random(m) < np.array([t.ekraf_share for t in C.TRADES])[trade]
    pick = rng.random((m, 3))
    for k, t in enumerate(C.TRADES):
        rows = np.flatnonzero(trade == k)
        kbli_code[rows] = np.array(t.kbli_codes)[(pick[rows, 0] * len(t.kbli_codes)).astype(int)]
        if t.items:
            item[rows] = np.array(t.items, dtype=object)[(pick[rows, 1] * len(t.items)).astype(int)]
        if t.ekraf_subsectors:
            subsector = (pick[rows, 2] * len(t.ekraf_subsectors)).astype(int)
            for row, s in zip(rows.tolist(), subsector.tolist(), strict=True):
                if is_ekraf[row]:
                    ekraf[row] = t.ekraf_subsectors[s]

    money = _money(rng, m)
    birth_year = persons["birth_date"][owner].astype("datetime64[Y]").astype(int) + 1970
    started = 2022 - rng.exponential(7, m).astype(np.int64)
    started = np.minimum(np.maximum(started, np.maximum(birth_year + 17, 1980)), 2022)
    started_year: list[int | None] = [
        None if u < 0.05 else int(y)
        for u, y in zip(rng.random(m).tolist(), started.tolist(), strict=True)
    ]

    # Most work where they live; the others elsewhere in the same city or regency.
    home = persons["_village"][owner]
    start, end = pool.city_start[home], pool.city_end[home]
    elsewhere = start + (rng.random(m) * (end - start)).astype(np.int64)
    village = pool.codes[np.where(rng.random(m) < 0.9, home, elsewhere)]
    own_address = _addresses(rng, m)["address"]
    at_home = rng.random(m) < 0.75
    address = [
        persons["address"][o] if home else a
        for o, home, a in zip(owner.tolist(), at_home.tolist(), own_address, strict=True)
    ]

    status = rng.choice(_STATUSES[0], size=m, p=_STATUSES[1])
    dates = _registration_dates(rng, status)
    reason_pick = rng.random(m)
    status_reason = [
        C.NEEDS_FIX_REASONS[int(u * len(C.NEEDS_FIX_REASONS))]
        if s == "needs_fix"
        else C.REJECTED_REASONS[int(u * len(C.REJECTED_REASONS))]
        if s == "rejected"
        else ""
        for s, u in zip(status.tolist(), reason_pick.tolist(), strict=True)
    ]
    impact = rng.choice(_IMPACTS[0], size=m, p=_IMPACTS[1])
    note_pick = rng.random((m, 2))
    impact_note = [
        C.PANDEMIC_NOTES[imp][int(v * len(C.PANDEMIC_NOTES[imp]))] if u < 0.4 else ""
        for imp, (u, v) in zip(impact.tolist(), note_pick.tolist(), strict=True)
    ]
    nib_pick = rng.integers(10**12, 10**13, m)
    has_nib = rng.random(m) < 0.45
    return {
        "owner": owner,
        "name": _business_names(rng, trade, owner, item, persons),
        "kbli_section": section,
        "kbli_code": kbli_code,
        "ekraf_subsector": ekraf,
        "description": _descriptions(rng, trade, item, started),
        "started_year": started_year,
        **money,
        "online_channels": _channels(rng, trade, is_ekraf),
        "pandemic_impact": impact,
        "pandemic_impact_note": impact_note,
        "nib": [
            str(v) if has else ""
            for v, has in zip(nib_pick.tolist(), has_nib.tolist(), strict=True)
        ],
        "address": address,
        "village_code": village,
        "status": status,
        "status_reason": status_reason,
        **dates,
        "_item": item,
        "_trade": trade,
    }


def _money(rng: np.random.Generator, m: int) -> dict[str, Any]:
    """Capital and annual sales inside the PP 7/2021 band of a drawn size class, never above menengah."""
    billion = 1_000_000_000
    size = rng.choice(3, size=m, p=SIZE_SHARES)
    sales = rng.lognormal(np.log(120_000_000), 1.0, m)
    capital = rng.lognormal(np.log(15_000_000), 1.2, m)
    soft = rng.uniform(0.3, 1.0, m)
    # Micro: log-normal, pulled back under the ceiling rather than piled up on it.
    sales = np.where(sales > 2 * billion, 2 * billion * soft, np.maximum(sales, 3_000_000))
    capital = np.where(capital > billion, billion * soft, np.maximum(capital, 500_000))
    small, medium = size == 1, size == 2
    sales[small] = np.exp(
        rng.uniform(np.log(2.1 * billion), np.log(15 * billion), int(small.sum()))
    )
    capital[small] = np.exp(rng.uniform(np.log(200_000_000), np.log(5 * billion), int(small.sum())))
    sales[medium] = np.exp(
        rng.uniform(np.log(15.5 * billion), np.log(50 * billion), int(medium.sum()))
    )
    capital[medium] = np.exp(rng.uniform(np.log(billion), np.log(10 * billion), int(medium.sum())))
    # Whole hundreds of thousands, rounded down: a rounded figure never crosses a ceiling.
    sales_int = (sales // 100_000).astype(np.int64) * 100_000
    capital_int = (capital // 100_000).astype(np.int64) * 100_000
    no_capital = (rng.random(m) < 0.08) & (size == 0)
    turnover = (sales_int / 12 * rng.uniform(0.5, 1.15, m) // 50_000).astype(np.int64) * 50_000
    no_turnover = rng.random(m) < 0.15
    employees = np.where(
        size == 0,
        np.minimum(rng.geometric(0.45, m) - 1, 9),
        np.where(size == 1, rng.integers(5, 20, m), rng.integers(15, 21, m)),
    )
    return {
        "capital": [
            None if skip else int(c)
            for c, skip in zip(capital_int.tolist(), no_capital.tolist(), strict=True)
        ],
        "annual_sales": sales_int,
        "monthly_turnover": [
            None if skip else int(t)
            for t, skip in zip(turnover.tolist(), no_turnover.tolist(), strict=True)
        ],
        "employees": employees.astype(np.int64),
    }


def _business_names(
    rng: np.random.Generator,
    trade: np.ndarray,
    owner: np.ndarray,
    item: np.ndarray,
    persons: dict[str, Any],
) -> list[str]:
    words = C.NAME_WORDS
    sexes, provinces = persons["sex"].tolist(), persons["_province"].tolist()
    young, given = persons["_young"].tolist(), persons["_given"]
    names = []
    for t, o, it, u in zip(
        trade.tolist(),
        owner.tolist(),
        item.tolist(),
        rng.random((len(trade), 4)).tolist(),
        strict=True,
    ):
        templates = C.TRADES[t].names
        honorifics = C.HONORIFICS.get(provinces[o], C.HONORIFICS["default"])[sexes[o]]
        # The last honorific is the one for a young owner (Mbak, Mas; Kang, Teh in Sunda).
        hon = honorifics[-1] if young[o] and u[1] < 0.6 else honorifics[int(u[1] * 2)]
        name = templates[int(u[0] * len(templates))].format(
            hon=hon,
            owner=given[o],
            word=words[int(u[2] * len(words))],
            item=it,
            cafe=f"{C.CAFE_FIRST[int(u[3] * 10)]} {C.CAFE_SECOND[int(u[3] * 100) % 10]}",
        )
        names.append(" ".join(name.split()))
    return names


def _descriptions(
    rng: np.random.Generator, trade: np.ndarray, item: np.ndarray, started: np.ndarray
) -> list[str]:
    out = []
    for k, it, year, (u, v) in zip(
        trade.tolist(),
        item.tolist(),
        started.tolist(),
        rng.random((len(trade), 2)).tolist(),
        strict=True,
    ):
        if u < 0.15:
            out.append("")
            continue
        templates = C.TRADES[k].descriptions
        out.append(templates[int(v * len(templates))].format(item=it or "pilihan", year=year))
    return out


def _channels(rng: np.random.Generator, trade: np.ndarray, is_ekraf: np.ndarray) -> list[list[str]]:
    m = len(trade)
    names = [c for c, _ in C.CHANNEL_SHARES] + [c for c, _ in C.FOOD_CHANNEL_SHARES]
    shares = np.array([s for _, s in C.CHANNEL_SHARES] + [s for _, s in C.FOOD_CHANNEL_SHARES])
    food = np.array([t.sells_food for t in C.TRADES])[trade]
    offline = rng.random(m) < 0.3
    # Creative businesses sell online more often than a kelontong does.
    boost = np.where(is_ekraf, 1.4, 1.0)[:, None]
    chosen = rng.random((m, len(names))) < shares[None, :] * boost
    chosen[:, len(C.CHANNEL_SHARES) :] &= food[:, None]
    chosen[offline] = False
    bits = (chosen * (1 << np.arange(len(names)))).sum(axis=1)
    cache: dict[int, list[str]] = {}
    out = []
    for b in bits.tolist():
        if b not in cache:
            cache[b] = sorted(names[j] for j in range(len(names)) if b >> j & 1)
        out.append(cache[b])
    return out


def _registration_dates(rng: np.random.Generator, status: np.ndarray) -> dict[str, np.ndarray]:
    """created, submitted and decided times (UTC, datetime64[s], NaT where none)."""
    m = len(status)
    ref_day = REFERENCE_TIME.astype("datetime64[D]").astype("datetime64[s]")
    day = rng.integers(1, SUBMISSION_WINDOW_DAYS + 1, m) * _SECONDS_PER_DAY
    # Office and evening hours, 07:00-22:00 WIB.
    time_of_day = rng.integers(7 * 3600, 22 * 3600, m)
    moment = (
        ref_day - day.astype("timedelta64[s]") + time_of_day.astype("timedelta64[s]") - _WIB_OFFSET
    )
    draft = status == "draft"
    decided_status = np.isin(status, ["verified", "needs_fix", "rejected"])
    lead = (
        (600 + rng.exponential(2 * _SECONDS_PER_DAY, m)).astype(np.int64).astype("timedelta64[s]")
    )
    wait = (
        (3600 + rng.exponential(6 * _SECONDS_PER_DAY, m)).astype(np.int64).astype("timedelta64[s]")
    )
    nat = np.datetime64("NaT", "s")
    submitted = np.where(draft, nat, moment)
    created = np.where(draft, moment, moment - lead)
    decided = np.minimum(moment + wait, REFERENCE_TIME)
    decided = np.maximum(decided, moment + np.timedelta64(60, "s"))
    decided = np.where(decided_status, decided, nat)
    return {"created_at": created, "submitted_at": submitted, "decided_at": decided}


def _person_dates_from_businesses(persons: dict[str, Any], businesses: dict[str, Any]) -> None:
    """A person appears with their first business and is verified with their first verified one."""
    owner = businesses["owner"]
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    persons["created_at"] = np.minimum.reduceat(businesses["created_at"], starts)
    verified = np.where(
        businesses["status"] == "verified", businesses["decided_at"], np.datetime64("NaT", "s")
    )
    # NaT sorts last in numpy's minimum only with fmin; fmin ignores NaT like NaN.
    persons["verified_at"] = np.fmin.reduceat(verified, starts)


# --- products ----------------------------------------------------------------------------------


def _products(rng: np.random.Generator, businesses: dict[str, Any]) -> dict[str, Any]:
    trade = businesses["_trade"]
    m = len(trade)
    kinds = np.array([len(t.products) for t in C.TRADES])[trade]
    per_business = np.minimum(rng.choice([1, 2, 3], size=m, p=[0.35, 0.4, 0.25]), kinds)
    business = np.repeat(np.arange(m), per_business)
    first = np.repeat(np.cumsum(per_business) - per_business, per_business)
    position = np.arange(len(business)) - first
    base = rng.integers(0, 1 << 30, m)
    kind = _PRODUCT_OFFSET[trade[business]] + (base[business] + position) % kinds[business]
    u = rng.random((len(business), 3))
    low, high = np.log(_PRODUCT_MIN_PRICE[kind]), np.log(_PRODUCT_MAX_PRICE[kind])
    price = np.exp(low + u[:, 0] * (high - low))
    step = np.where(price < 100_000, 500, np.where(price < 1_000_000, 1_000, 50_000))
    price = np.maximum(step, np.round(price / step).astype(np.int64) * step)
    items = businesses["_item"].tolist()
    names = [
        " ".join(_PRODUCTS[k].name.format(item=items[b]).split())
        if "{" in _PRODUCTS[k].name
        else _PRODUCTS[k].name
        for k, b in zip(kind.tolist(), business.tolist(), strict=True)
    ]
    described = u[:, 1] < 0.4
    which = (u[:, 2] * len(_PRODUCT_DESCRIPTIONS)).astype(int)
    return {
        "business": business,
        "name": names,
        "unit": [_PRODUCTS[k].unit for k in kind.tolist()],
        "price": price.astype(np.int64),
        "description": [
            _PRODUCT_DESCRIPTIONS[w] if d else ""
            for w, d in zip(which.tolist(), described.tolist(), strict=True)
        ],
    }
