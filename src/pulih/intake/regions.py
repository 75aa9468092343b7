"""Match the free-text region columns of a proposer list to Kemendagri village codes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum

import polars as pl

from pulih.reference.models import CODE_LENGTH, Region, RegionLevel


class RegionProblem(StrEnum):
    MISSING = "region_missing"  # neither a village name nor a village code
    NOT_FOUND = "region_not_found"  # no village fits every region the row names
    AMBIGUOUS = "region_ambiguous"  # several fit and the tie-breakers do not decide


INPUT_COLUMNS = ("village_code_raw", "province", "city", "district", "village", "nik_district")

# Words that say what kind of area it is, not which; stripped from the front of the key.
_LEVEL_PREFIXES: Mapping[int, tuple[str, ...]] = {
    RegionLevel.PROVINCE: (
        "PROVINSI",
        "PROV",
        "DAERAH KHUSUS IBUKOTA",
        "DAERAH KHUSUS IBU KOTA",
        "DAERAH KHUSUS",
        "DKI",
        "DKJ",
        "DAERAH ISTIMEWA",
        "DI",
        "D I",
    ),
    RegionLevel.DISTRICT: ("KECAMATAN", "KEC"),
    RegionLevel.VILLAGE: ("KELURAHAN", "KEL", "DESA", "DS"),
}
# A city's prefix is stripped once, and city_kind keeps whether it was a kota or a kabupaten.
_CITY_PREFIXES: Mapping[str, tuple[str, ...]] = {
    "KOTA": ("KOTA ADMINISTRASI", "KOTA ADM", "KOTAMADYA", "KOTA MADYA", "KODYA", "KOTA"),
    "KAB": (
        "KABUPATEN ADMINISTRASI",
        "KABUPATEN ADM",
        "KAB ADMINISTRASI",
        "KAB ADM",
        "KABUPATEN",
        "KAB",
    ),
}
# Kelurahan codes have serial 1xxx, desa codes 2xxx: a tie-breaker when the list says which.
_VILLAGE_KINDS: Mapping[str, str] = {"KELURAHAN": "1", "KEL": "1", "DESA": "2", "DS": "2"}
# Abbreviations written on either side (the table itself has "Gn. Kembang", "Kep. Masaloka").
_WORD_EXPANSIONS: Mapping[str, str] = {
    "KEP": "KEPULAUAN",
    "GN": "GUNUNG",
    "KP": "KAMPUNG",
    "TJ": "TANJUNG",
    "TG": "TANJUNG",
    "PERK": "PERKEBUNAN",
}
# Whole-name short forms in everyday use; province names as the table has them after prefixes.
_ALIASES: Mapping[int, Mapping[str, str]] = {
    RegionLevel.PROVINCE: {
        "DKI": "JAKARTA",
        "DKJ": "JAKARTA",
        "DIY": "YOGYAKARTA",
        "JOGJAKARTA": "YOGYAKARTA",
        "JOGJA": "YOGYAKARTA",
        "YOGYA": "YOGYAKARTA",
        "NAD": "ACEH",
        "NANGGROE ACEH DARUSSALAM": "ACEH",
        "BABEL": "KEPULAUAN BANGKA BELITUNG",
        "BANGKA BELITUNG": "KEPULAUAN BANGKA BELITUNG",
        "KEPRI": "KEPULAUAN RIAU",
        "NTB": "NUSA TENGGARA BARAT",
        "NTT": "NUSA TENGGARA TIMUR",
        "JABAR": "JAWA BARAT",
        "JATENG": "JAWA TENGAH",
        "JATIM": "JAWA TIMUR",
        "SUMUT": "SUMATERA UTARA",
        "SUMBAR": "SUMATERA BARAT",
        "SUMSEL": "SUMATERA SELATAN",
        "KALBAR": "KALIMANTAN BARAT",
        "KALTENG": "KALIMANTAN TENGAH",
        "KALSEL": "KALIMANTAN SELATAN",
        "KALTIM": "KALIMANTAN TIMUR",
        "KALTARA": "KALIMANTAN UTARA",
        "SULUT": "SULAWESI UTARA",
        "SULTENG": "SULAWESI TENGAH",
        "SULSEL": "SULAWESI SELATAN",
        "SULTRA": "SULAWESI TENGGARA",
        "SULBAR": "SULAWESI BARAT",
        "MALUT": "MALUKU UTARA",
    },
    RegionLevel.CITY: {
        "JAKPUS": "JAKARTA PUSAT",
        "JAKUT": "JAKARTA UTARA",
        "JAKBAR": "JAKARTA BARAT",
        "JAKSEL": "JAKARTA SELATAN",
        "JAKTIM": "JAKARTA TIMUR",
    },
}

_VILLAGE_CODE_DIGITS = 10
_CITY_CODE_LENGTH = CODE_LENGTH[RegionLevel.CITY]
_DISTRICT_CODE_LENGTH = CODE_LENGTH[RegionLevel.DISTRICT]
_VILLAGE_SERIAL_START = _DISTRICT_CODE_LENGTH + 1  # "32.73.01.1001"[9] == "1": a kelurahan


def _prefix_pattern(prefixes: Iterable[str], *, repeated: bool) -> str:
    alternatives = "|".join(sorted(prefixes, key=len, reverse=True))
    # Only when a name follows: a village really called "Kelurahan" keeps its name.
    return rf"^(?:(?:{alternatives}) )+" if repeated else rf"^(?:{alternatives}) "


def _series(expr: pl.Expr, name: str = "") -> pl.Series:
    return pl.select(expr).to_series().rename(name)


def _plain_upper(s: pl.Series) -> pl.Expr:
    return (
        pl.lit(s.cast(pl.String))
        .str.to_uppercase()
        .str.replace_all(r"['’`\"]", "")  # Ba'u, Soka"an: the mark joins, it does not split
        .str.replace_all(r"[^\p{L}\p{N}]+", " ")
        .str.strip_chars()
    )


def region_key(s: pl.Series, *, level: int) -> pl.Series:
    """A region name as a comparable key: "KEC. DUREN SAWIT" -> "DUREN SAWIT".

    Upper case, punctuation as spaces, the level's prefix dropped ("Kel.", "Kab.", "Provinsi"),
    common abbreviations spelled out. Null where nothing is left. Cities lose "Kota"/"Kabupaten";
    city_kind keeps which it was.
    """
    key = _plain_upper(s)
    if level == RegionLevel.CITY:
        prefixes = [p for kind in _CITY_PREFIXES.values() for p in kind]
        key = key.str.replace(_prefix_pattern(prefixes, repeated=False), "")
    else:
        key = key.str.replace(_prefix_pattern(_LEVEL_PREFIXES[level], repeated=True), "")
    for short, full in _WORD_EXPANSIONS.items():
        key = key.str.replace_all(rf"\b{short}\b", full)
    key = key.replace(_ALIASES.get(level, {}))
    return _series(pl.when(key != "").then(key), s.name)


def city_kind(s: pl.Series) -> pl.Series:
    """Whether a city cell says kota or kabupaten: "KOTA", "KAB", or null when it does not say."""
    upper = _plain_upper(s)
    kind: pl.Expr = pl.lit(None, dtype=pl.String)
    for name, prefixes in _CITY_PREFIXES.items():
        said = upper.str.contains(_prefix_pattern(prefixes, repeated=False))
        kind = pl.when(said).then(pl.lit(name)).otherwise(kind)
    return _series(kind, s.name)


def _village_kind(s: pl.Series) -> pl.Series:
    first_word = _plain_upper(s).str.extract(r"^(\p{L}+) ", 1)
    return _series(first_word.replace_strict(_VILLAGE_KINDS, default=None, return_dtype=pl.String))


def _compact(key: pl.Series) -> pl.Series:
    """The key run together, numerals kept apart: "LUBUKPAKAM_I_II" is not "LUBUKPAKAM_III"."""
    # "Pondok Bambu" and "Pondokbambu" are both written, so words are compared run together.
    marked = pl.lit(key.fill_null("")).str.replace_all(r" ([IVX]+|\d+)\b", "_${1}")
    return _series(marked.str.replace_all(" ", "", literal=True))


def _dotted_code(digits: pl.Series, length: int) -> pl.Series:
    """Digits as a dotted code: 3273011001 -> 32.73.01.1001, 327301 -> 32.73.01; else null."""
    parts = [pl.lit(digits.str.slice(start, 2)) for start in (0, 2, 4)]
    if length > 6:
        parts.append(pl.lit(digits.str.slice(6)))
    dotted = pl.concat_str(parts, separator=".")
    return _series(pl.when(pl.lit(digits).str.len_chars() == length).then(dotted))


def _name_variants(regions: pl.DataFrame) -> pl.DataFrame:
    """code, name and `alternate`: each name as written, plus the variants a list may use.

    "Cemaga Selatan (Setengar)" is also "Cemaga Selatan" and "Setengar"; "Mekarwangi/Sukatani"
    either half. "Lalai I/II" is not split: one half is no name.
    """
    name = pl.col("name")
    halves = name.str.split("/")
    split = (halves.list.len() > 1) & halves.list.eval(
        pl.element().str.contains(r"\p{L}{3}")
    ).list.all()
    alternates = pl.concat_list(
        name.str.replace_all(r"\(.*?\)", " "),
        name.str.extract_all(r"\(.*?\)"),
        pl.when(split).then(halves).otherwise(pl.lit([], dtype=pl.List(pl.String))),
    ).list.eval(pl.element().str.strip_chars("() "))
    variants = (
        regions.select("code", name=alternates, alternate=pl.lit(True))
        .explode("name")
        .filter(pl.col("name").str.contains(r"\p{L}{3}"))
    )
    return pl.concat([regions.select("code", "name", alternate=pl.lit(False)), variants])


def _keyed_names(regions: pl.DataFrame, level: RegionLevel) -> pl.DataFrame:
    """code, compact key and `alternate` for every name variant of one level's regions."""
    part = _name_variants(regions.filter(pl.col("level") == level))
    keys = _compact(region_key(part.get_column("name"), level=level))
    return part.select("code", "alternate", key=keys).filter(pl.col("key") != "").unique()


def _codes_by_key(keyed: pl.DataFrame) -> dict[str, list[str]]:
    flat = keyed.select("key", "code").unique().sort("key", "code")
    index: dict[str, list[str]] = {}
    keys, codes = flat.get_column("key").to_list(), flat.get_column("code").to_list()
    for key, code in zip(keys, codes, strict=True):
        index.setdefault(key, []).append(code)
    return index


class RegionMatcher:
    """All regions indexed by name key, built once per import; match() works on distinct rows."""

    def __init__(self, regions: pl.DataFrame) -> None:
        """`regions`: columns code, name, level (1-4), the shape of reference.Region."""
        self._keys_by_code: dict[int, dict[str, frozenset[str]]] = {}
        for level in (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.DISTRICT):
            grouped = _keyed_names(regions, level).group_by("code").agg("key")
            self._keys_by_code[level] = {
                code: frozenset(keys) for code, keys in grouped.iter_rows()
            }
        villages = _keyed_names(regions, RegionLevel.VILLAGE)
        # A name as the table writes it wins over half of another village's "A/B" name.
        self._villages_by_name = _codes_by_key(villages.filter(~pl.col("alternate")))
        self._villages_by_alternate = _codes_by_key(villages.filter(pl.col("alternate")))
        cities = regions.filter(pl.col("level") == RegionLevel.CITY)
        self._city_kind: dict[str, str | None] = dict(
            zip(
                cities.get_column("code").to_list(),
                city_kind(cities.get_column("name")).to_list(),
                strict=True,
            )
        )
        self._village_codes = frozenset(
            regions.filter(pl.col("level") == RegionLevel.VILLAGE).get_column("code").to_list()
        )

    @classmethod
    def load(cls) -> RegionMatcher:
        """Every region from the database, one query per level."""
        frames = [
            pl.DataFrame(
                list(Region.objects.filter(level=level).values_list("code", "name")),
                schema={"code": pl.String, "name": pl.String},
                orient="row",
            ).with_columns(level=pl.lit(int(level), dtype=pl.Int8))
            for level in RegionLevel
        ]
        return cls(pl.concat(frames))

    def match(self, frame: pl.DataFrame) -> pl.DataFrame:
        """village_code and region_problem per row; `frame` has INPUT_COLUMNS, any may be missing."""
        # One chunk: a frame glued from many reader batches makes unique() and join() crawl.
        inputs = frame.rechunk().select(
            (
                pl.col(c).cast(pl.String).str.strip_chars()
                if c in frame.columns
                else pl.lit(None, dtype=pl.String).alias(c)
            ).fill_null("")
            for c in INPUT_COLUMNS
        )
        distinct = inputs.unique()
        answers = [self._match_one(*row) for row in _distinct_keys(distinct).iter_rows()]
        distinct = distinct.with_columns(
            village_code=pl.Series([code for code, _ in answers], dtype=pl.String),
            region_problem=pl.Series([problem for _, problem in answers], dtype=pl.String),
        )
        joined = inputs.join(distinct, on=list(INPUT_COLUMNS), how="left", maintain_order="left")
        return joined.select("village_code", "region_problem")

    def _match_one(
        self,
        code_given: bool,
        code: str | None,
        village: str,
        village_kind: str | None,
        district: str,
        city: str,
        kind: str | None,
        province: str,
        nik_district: str | None,
    ) -> tuple[str | None, RegionProblem | None]:
        if code in self._village_codes:
            return code, None
        if not village:
            return None, (RegionProblem.NOT_FOUND if code_given else RegionProblem.MISSING)
        named = (
            (RegionLevel.DISTRICT, district),
            (RegionLevel.CITY, city),
            (RegionLevel.PROVINCE, province),
        )

        def fits(codes: Sequence[str]) -> list[str]:
            return [
                c
                for c in codes
                if all(not key or self._is_named(c, level, key) for level, key in named)
                and (not kind or self._city_kind.get(c[:_CITY_CODE_LENGTH]) == kind)
            ]

        candidates = fits(self._villages_by_name.get(village, ())) or fits(
            self._villages_by_alternate.get(village, ())
        )
        # Tie-breakers, in order: "Kel."/"Desa" as the list wrote it, then the NIK's district.
        tie_breakers: tuple[Callable[[str], bool], ...] = (
            lambda c: c[_VILLAGE_SERIAL_START] == village_kind,
            lambda c: c[:_DISTRICT_CODE_LENGTH] == nik_district,
        )
        for keep in tie_breakers:
            if len(candidates) > 1:
                candidates = [c for c in candidates if keep(c)] or candidates
        if len(candidates) == 1:
            return candidates[0], None
        return None, (RegionProblem.AMBIGUOUS if candidates else RegionProblem.NOT_FOUND)

    def _is_named(self, village_code: str, level: RegionLevel, key: str) -> bool:
        """Whether the village's region at `level` (its district, city, province) is called `key`."""
        return key in self._keys_by_code[level].get(village_code[: CODE_LENGTH[level]], ())


def _distinct_keys(distinct: pl.DataFrame) -> pl.DataFrame:
    """The matching keys of each distinct input row, in _match_one's argument order."""

    def col(name: str) -> pl.Series:
        return distinct.get_column(name)

    # A code typed in a number cell arrives as "3273011001.0".
    code_digits = (
        col("village_code_raw").str.replace(r"^(\d+)\.0+$", "${1}").str.replace_all(r"\D", "")
    )
    nik_digits = col("nik_district").str.replace_all(r"\D", "")
    return pl.DataFrame(
        {
            "code_given": col("village_code_raw") != "",
            "code": _dotted_code(code_digits, _VILLAGE_CODE_DIGITS),
            "village": _compact(region_key(col("village"), level=RegionLevel.VILLAGE)),
            "village_kind": _village_kind(col("village")),
            "district": _compact(region_key(col("district"), level=RegionLevel.DISTRICT)),
            "city": _compact(region_key(col("city"), level=RegionLevel.CITY)),
            "kind": city_kind(col("city")),
            "province": _compact(region_key(col("province"), level=RegionLevel.PROVINCE)),
            # A whole NIK in the column works too: its first six digits are the district.
            "nik_district": _dotted_code(nik_digits.str.slice(0, 6), 6),
        }
    )
