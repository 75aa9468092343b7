"""Matching the region columns of a proposer list to village codes, against the real table."""

import polars as pl
import pytest

from pulih.intake.regions import INPUT_COLUMNS, RegionMatcher, city_kind, region_key
from pulih.reference.models import Region, RegionLevel

pytestmark = pytest.mark.django_db

PONDOK_BAMBU = "31.75.07.1002"  # Kel. Pondok Bambu, Kec. Duren Sawit, Kota Adm. Jakarta Timur
PADASUKA_KOTA = "32.73.14.1001"  # Kota Bandung, Kec. Cibeunying Kidul
PADASUKA_CIMENYAN = "32.04.06.1001"  # Kabupaten Bandung, Kec. Cimenyan
PADASUKA_KUTAWARINGIN = "32.04.46.2008"  # Kabupaten Bandung, Kec. Kutawaringin
CIJAGRA_KOTA = "32.73.13.1001"  # Kota Bandung, Kec. Lengkong
CIJAGRA_KAB = "32.04.35.2004"  # Kabupaten Bandung, Kec. Paseh


@pytest.fixture(scope="module")
def matcher(django_db_setup, django_db_blocker):  # noqa: ANN001
    # Built once: every test below reads the same immutable index.
    with django_db_blocker.unblock():
        return RegionMatcher.load()


def frame(*rows: dict[str, str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        [{c: row.get(c) for c in INPUT_COLUMNS} for row in rows],
        schema={c: pl.String for c in INPUT_COLUMNS},
    )


def match_one(matcher: RegionMatcher, **row: str | None) -> tuple[str | None, str | None]:
    result = matcher.match(frame(row))
    assert result.height == 1
    return result.row(0)


# --- region_key and city_kind --------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "text", "key"),
    [
        (RegionLevel.PROVINCE, "Daerah Khusus Ibukota Jakarta", "JAKARTA"),
        (RegionLevel.PROVINCE, "DKI JAKARTA", "JAKARTA"),
        (RegionLevel.PROVINCE, "Prov. DKI Jakarta", "JAKARTA"),
        (RegionLevel.PROVINCE, "DKI", "JAKARTA"),
        (RegionLevel.PROVINCE, "Daerah Istimewa Yogyakarta", "YOGYAKARTA"),
        (RegionLevel.PROVINCE, "D.I. Yogyakarta", "YOGYAKARTA"),
        (RegionLevel.PROVINCE, "DIY", "YOGYAKARTA"),
        (RegionLevel.PROVINCE, "PROVINSI JAWA BARAT", "JAWA BARAT"),
        (RegionLevel.PROVINCE, "Jabar", "JAWA BARAT"),
        (RegionLevel.PROVINCE, "NTB", "NUSA TENGGARA BARAT"),
        (RegionLevel.PROVINCE, "Bangka Belitung", "KEPULAUAN BANGKA BELITUNG"),
        (RegionLevel.PROVINCE, "Kep. Riau", "KEPULAUAN RIAU"),
        (RegionLevel.CITY, "Kota Administrasi Jakarta Timur", "JAKARTA TIMUR"),
        (RegionLevel.CITY, "KOTA ADM. JAKARTA TIMUR", "JAKARTA TIMUR"),
        (RegionLevel.CITY, "Kotamadya Jakarta Timur", "JAKARTA TIMUR"),
        (RegionLevel.CITY, "Jakarta Timur", "JAKARTA TIMUR"),
        (RegionLevel.CITY, "JAKTIM", "JAKARTA TIMUR"),
        (RegionLevel.CITY, "Kabupaten Bandung", "BANDUNG"),
        (RegionLevel.CITY, "KAB. BANDUNG", "BANDUNG"),
        (RegionLevel.CITY, "Kota Bandung", "BANDUNG"),
        (RegionLevel.CITY, "Kab. Adm. Kep. Seribu", "KEPULAUAN SERIBU"),
        (RegionLevel.CITY, "Kabupaten Administrasi Kepulauan Seribu", "KEPULAUAN SERIBU"),
        (RegionLevel.CITY, "Kabupaten Kotabaru", "KOTABARU"),
        (RegionLevel.CITY, "Kabupaten Toli-Toli", "TOLI TOLI"),
        (RegionLevel.DISTRICT, "KEC. DUREN SAWIT", "DUREN SAWIT"),
        (RegionLevel.DISTRICT, "Kecamatan Cibeunying Kidul", "CIBEUNYING KIDUL"),
        (RegionLevel.DISTRICT, "Kota Baru", "KOTA BARU"),  # a district may be called "Kota ..."
        (RegionLevel.DISTRICT, "Ma'u", "MAU"),
        (RegionLevel.VILLAGE, "KEL. PONDOK BAMBU", "PONDOK BAMBU"),
        (RegionLevel.VILLAGE, "Kelurahan Pondok Bambu", "PONDOK BAMBU"),
        (RegionLevel.VILLAGE, "DESA SUKAMAJU", "SUKAMAJU"),
        (RegionLevel.VILLAGE, "Ds. Sukamaju", "SUKAMAJU"),
        (RegionLevel.VILLAGE, "Kel. Desa Baru", "BARU"),
        (RegionLevel.VILLAGE, "Kelurahan", "KELURAHAN"),  # a village really named so
        (RegionLevel.VILLAGE, "Kelapa Gading", "KELAPA GADING"),
        (RegionLevel.VILLAGE, "Gn. Kembang", "GUNUNG KEMBANG"),
        (RegionLevel.VILLAGE, 'Soka"an', "SOKAAN"),
        (RegionLevel.VILLAGE, "  kel.pondok   bambu ", "PONDOK BAMBU"),
        (RegionLevel.VILLAGE, "", None),
        (RegionLevel.VILLAGE, "  -  ", None),
        (RegionLevel.VILLAGE, None, None),
    ],
)
def test_region_key_drops_case_punctuation_and_the_level_prefix(level, text, key):
    assert region_key(pl.Series([text], dtype=pl.String), level=level).to_list() == [key]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Kota Administrasi Jakarta Timur", "KOTA"),
        ("KOTA ADM. JAKARTA TIMUR", "KOTA"),
        ("Kotamadya Bandung", "KOTA"),
        ("Kota Bandung", "KOTA"),
        ("Kabupaten Bandung", "KAB"),
        ("KAB. BANDUNG", "KAB"),
        ("Kab. Adm. Kep. Seribu", "KAB"),
        ("Bandung", None),
        ("Kotabaru", None),
        ("JAKTIM", None),
        ("", None),
        (None, None),
    ],
)
def test_city_kind_keeps_whether_the_list_said_kota_or_kabupaten(text, kind):
    assert city_kind(pl.Series([text], dtype=pl.String)).to_list() == [kind]


# --- RegionMatcher -------------------------------------------------------------------------


def test_matcher_loads_with_one_query_per_level(django_assert_num_queries):
    with django_assert_num_queries(4):
        RegionMatcher.load()


@pytest.mark.parametrize(
    ("row", "code"),
    [
        # Jakarta Timur written every way
        (
            {
                "city": "KOTA ADM. JAKARTA TIMUR",
                "district": "KEC. DUREN SAWIT",
                "village": "KEL. PONDOK BAMBU",
            },
            PONDOK_BAMBU,
        ),
        ({"city": "Jakarta Timur", "village": "Pondok Bambu"}, PONDOK_BAMBU),
        ({"city": "Kotamadya Jakarta Timur", "village": "Pondok Bambu"}, PONDOK_BAMBU),
        ({"city": "JAKTIM", "village": "Pondokbambu"}, PONDOK_BAMBU),
        ({"province": "DKI JAKARTA", "village": "PONDOK BAMBU"}, PONDOK_BAMBU),
        ({"district": "Durensawit", "village": "Pondok Bambu"}, PONDOK_BAMBU),
        ({"village": "Pondok Bambu"}, PONDOK_BAMBU),  # only one in Indonesia
        # Kota and Kabupaten Bandung both have a Padasuka and a Cijagra
        ({"city": "Kota Bandung", "village": "Padasuka"}, PADASUKA_KOTA),
        ({"city": "KOTA BANDUNG", "village": "CIJAGRA"}, CIJAGRA_KOTA),
        ({"city": "Kabupaten Bandung", "village": "Cijagra"}, CIJAGRA_KAB),
        (
            {"city": "KAB. BANDUNG", "district": "Cimenyan", "village": "Padasuka"},
            PADASUKA_CIMENYAN,
        ),
        ({"district": "Paseh", "village": "Cijagra"}, CIJAGRA_KAB),
        # The province narrows too
        ({"province": "D.I. Yogyakarta", "village": "Ngupasan"}, "34.71.10.1001"),
        ({"province": "Banten", "district": "Baros", "village": "Baros"}, "36.04.22.2001"),
        ({"province": "Jawa Barat", "district": "Baros", "village": "Baros"}, "32.72.05.1001"),
        # Abbreviations and names the table writes with extras
        ({"city": "Kab. Adm. Kep. Seribu", "village": "Pulau Panggang"}, "31.01.01.1001"),
        ({"village": "Cemaga Selatan"}, "21.03.18.2002"),  # "Cemaga Selatan (Setengar)"
        ({"village": "Setengar"}, "21.03.18.2002"),
        (
            {"district": "Haurwangi", "village": "Sukatani"},
            "32.03.31.2004",
        ),  # "Mekarwangi/Sukatani"
        ({"district": "Haurwangi", "village": "Mekarwangi"}, "32.03.31.2005"),  # its own name wins
        ({"district": "Lubuk Pakam", "village": "Lubuk Pakam III"}, "12.07.28.1008"),
        ({"district": "Lubuk Pakam", "village": "Lubuk Pakam I, II"}, "12.07.28.1007"),
        ({"district": "Ma'u", "village": "Balodano"}, "12.04.28.2001"),
        # A code, dotted or not, is used when the table knows it
        ({"village_code_raw": "3273011001"}, "32.73.01.1001"),
        ({"village_code_raw": "32.73.01.1001"}, "32.73.01.1001"),
        ({"village_code_raw": "3273011001.0"}, "32.73.01.1001"),  # from a number cell
        ({"village_code_raw": " 32.73.01.1001 ", "village": "Anything Else"}, "32.73.01.1001"),
        ({"village_code_raw": "99.99.99.9999", "village": "Pondok Bambu"}, PONDOK_BAMBU),
    ],
)
def test_rows_are_matched_to_their_village(matcher, row, code):
    assert match_one(matcher, **row) == (code, None)


@pytest.mark.parametrize(
    ("row", "code"),
    [
        # Several Padasuka in Kabupaten Bandung: the district that issued the NIK decides
        ({"city": "Kab. Bandung", "village": "Padasuka", "nik_district": "32.04.46"}, PADASUKA_KUTAWARINGIN),
        ({"city": "Kab. Bandung", "village": "Padasuka", "nik_district": "320446"}, PADASUKA_KUTAWARINGIN),
        ({"city": "Kab. Bandung", "village": "Padasuka", "nik_district": "3204461708800001"}, PADASUKA_KUTAWARINGIN),
        ({"city": "Bandung", "village": "Padasuka", "nik_district": "32.73.14"}, PADASUKA_KOTA),
        # A kelurahan and a desa of one name in one district: "Kel." or "Desa" decides
        ({"district": "Pasir Limau Kapas", "village": "Kel. Panipahan"}, "14.07.06.1007"),
        ({"district": "Pasir Limau Kapas", "village": "Desa Panipahan"}, "14.07.06.2001"),
    ],
)  # fmt: skip
def test_tie_breakers_decide_between_villages_of_one_name(matcher, row, code):
    assert match_one(matcher, **row) == (code, None)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({}, "region_missing"),
        ({"city": "Kota Bandung", "district": "Lengkong"}, "region_missing"),
        ({"village": "  "}, "region_missing"),
        ({"village": "Kel."}, "region_not_found"),
        ({"village": "Desa Entah Berantah"}, "region_not_found"),
        ({"village_code_raw": "99.99.99.9999"}, "region_not_found"),
        ({"village_code_raw": "32.73"}, "region_not_found"),
        ({"city": "Kota Bandung", "village": "Pondok Bambu"}, "region_not_found"),
        ({"district": "Cakung", "village": "Pondok Bambu"}, "region_not_found"),
        ({"province": "Jawa Tengah", "village": "Ngupasan"}, "region_not_found"),
        ({"city": "Kota Bandung", "village": "Cimenyan"}, "region_not_found"),
        ({"city": "JAKTIM", "village": "Pondok Bambu Raya"}, "region_not_found"),
        ({"village": "Sidomulyo"}, "region_ambiguous"),
        ({"city": "Bandung", "village": "Padasuka"}, "region_ambiguous"),
        ({"city": "Kabupaten Bandung", "village": "Padasuka"}, "region_ambiguous"),
        # The NIK's district has none of them: still undecided
        ({"city": "Kab. Bandung", "village": "Padasuka", "nik_district": "32.73.14"}, "region_ambiguous"),
        ({"district": "Pasir Limau Kapas", "village": "Panipahan"}, "region_ambiguous"),
    ],
)  # fmt: skip
def test_rows_without_exactly_one_village_say_why(matcher, row, problem):
    assert match_one(matcher, **row) == (None, problem)


def test_match_keeps_height_and_order_and_tolerates_missing_columns(matcher):
    rows = pl.DataFrame(
        {
            "village": ["Pondok Bambu", None, "Padasuka", "Pondok Bambu", "Sidomulyo"] * 1000,
            "city": ["Jakarta Timur", None, "Kota Bandung", None, None] * 1000,
            "unrelated": list(range(5000)),
        }
    )
    result = matcher.match(rows)
    assert result.columns == ["village_code", "region_problem"]
    assert result.height == 5000
    expected = [
        (PONDOK_BAMBU, None),
        (None, "region_missing"),
        (PADASUKA_KOTA, None),
        (PONDOK_BAMBU, None),
        (None, "region_ambiguous"),
    ]
    assert result.head(5).rows() == expected
    assert result.tail(5).rows() == expected


def test_match_reads_a_frame_glued_from_many_reader_batches(matcher):
    batches = [frame({"city": "Jakarta Timur", "village": "Pondok Bambu"}), frame({})] * 200
    result = matcher.match(pl.concat(batches, rechunk=False))
    assert result.get_column("village_code").to_list() == [PONDOK_BAMBU, None] * 200


def test_match_of_an_empty_frame_is_empty(matcher):
    result = matcher.match(frame())
    assert result.height == 0
    assert result.schema == pl.Schema({"village_code": pl.String, "region_problem": pl.String})


def test_every_village_in_the_table_is_found_by_its_own_names(matcher):
    """Each village is found by its own names and its district's, city's and province's."""
    villages = Region.objects.filter(level=RegionLevel.VILLAGE).values_list(
        "code", "name", "parent__name", "parent__parent__name", "parent__parent__parent__name"
    )
    table = pl.DataFrame(
        list(villages),
        schema=["code", "village", "district", "city", "province"],
        orient="row",
    )
    found = table.with_columns(matcher.match(table))
    assert found.filter(pl.col("village_code") != pl.col("code")).height == 0
    problems = found.get_column("region_problem").drop_nulls()
    # Twins: two villages of one name in one district, neither marked "Kel." nor "Desa".
    assert problems.unique().to_list() == ["region_ambiguous"]
    assert problems.len() < 50


def test_match_reads_codes_from_number_columns(matcher):
    result = matcher.match(pl.DataFrame({"village_code_raw": [3273011001, None]}))
    assert result.rows() == [("32.73.01.1001", None), (None, "region_missing")]
