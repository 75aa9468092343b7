from collections import Counter

import fastexcel
import polars as pl
import pytest

from pulih.demo.generator import demo_chunks
from pulih.demo.pipeline import village_codes_under
from pulih.demo.proposers import (
    HEADERS,
    InvalidKind,
    proposer_frame,
    read_csv,
    write_csv,
    write_xlsx,
)
from pulih.reference.models import Region, RegionLevel
from pulih.reference.selectors import district_code_set
from pulih.registry.error_codes import RegistryError
from pulih.registry.identifiers import parse_nik

pytestmark = pytest.mark.django_db

NIK_KINDS = {
    InvalidKind.NIK_15_DIGITS,
    InvalidKind.NIK_LETTERS,
    InvalidKind.NIK_UNKNOWN_DISTRICT,
    InvalidKind.NIK_IMPOSSIBLE_DATE,
    InvalidKind.NIK_ZERO_SERIAL,
}


@pytest.fixture(scope="module")
def small_list(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN201
    with django_db_blocker.unblock():
        return proposer_frame(rows=3000, regions=["31.71"], seed=3, existing_people=500)


def _compact(nik: str) -> str:
    return nik.replace(" ", "")


def test_list_has_the_headers_senders_use_and_only_text(small_list) -> None:  # noqa: ANN001
    frame, _ = small_list
    assert tuple(frame.columns) == HEADERS
    assert set(frame.dtypes) == {pl.String}
    assert frame["No"].to_list() == [str(i) for i in range(1, 3001)]


def test_planted_rows_come_in_the_asked_shares(small_list) -> None:  # noqa: ANN001
    frame, truth = small_list
    assert truth.rows == frame.height == 3000
    assert truth.invalid_total == 90  # 3%
    assert truth.duplicates == 60  # 2%
    assert truth.existing == 300  # 10%
    assert 0 < truth.existing_changed < truth.existing
    # Spread over every kind, nine each.
    assert set(truth.invalid) == {k.value for k in InvalidKind}
    assert set(truth.invalid.values()) == {9}
    assert truth.accepted == 3000 - 90 - 60 and truth.new == truth.accepted - 300


def test_broken_niks_are_refused_by_the_registry_rule_and_the_others_pass(small_list) -> None:  # noqa: ANN001
    frame, truth = small_list
    districts = district_code_set()
    refused = 0
    for nik in frame["NIK"].to_list():
        try:
            parse_nik(nik, district_exists=districts.__contains__)
        except RegistryError:
            refused += 1
    assert refused == sum(truth.invalid[k.value] for k in NIK_KINDS)


def test_duplicates_repeat_an_earlier_nik(small_list) -> None:  # noqa: ANN001
    frame, truth = small_list
    counts = Counter(_compact(n) for n in frame["NIK"].to_list())
    assert sum(c - 1 for c in counts.values()) == truth.duplicates


def test_existing_rows_are_the_people_pulih_demo_loaded(small_list) -> None:  # noqa: ANN001
    frame, truth = small_list
    loaded = {
        str(nik)
        for chunk in demo_chunks(people=500, villages=village_codes_under(["31.71"]), seed=2020)
        for nik in chunk.persons["nik"]
    }
    firsts = frame.with_columns(pl.col("NIK").str.replace_all(" ", "")).unique(
        "NIK", keep="first", maintain_order=True
    )
    assert sum(nik in loaded for nik in firsts["NIK"].to_list()) == truth.existing


def test_region_names_are_the_names_of_the_region_table(small_list) -> None:  # noqa: ANN001
    frame, _ = small_list
    districts = {
        name.upper()
        for name in Region.objects.filter(
            code__startswith="31.71.", level=RegionLevel.DISTRICT
        ).values_list("name", flat=True)
    }
    written = {d.upper().removeprefix("KEC. ") for d in frame["Kecamatan"].to_list()}
    assert written <= districts
    assert "KOTA ADMINISTRASI JAKARTA PUSAT" in {c.upper() for c in frame["Kabupaten/Kota"]}
    assert {"KOTA ADM. JAKARTA PUSAT", "JAKARTA PUSAT"} <= {
        c.upper() for c in frame["Kabupaten/Kota"]
    }


def test_same_seed_gives_the_same_list_and_another_seed_another() -> None:
    first, truth = proposer_frame(rows=400, regions=["31.71.01"], seed=9, existing_people=50)
    again, truth_again = proposer_frame(rows=400, regions=["31.71.01"], seed=9, existing_people=50)
    other, _ = proposer_frame(rows=400, regions=["31.71.01"], seed=10, existing_people=50)
    assert first.equals(again) and truth == truth_again
    assert not first.equals(other)


def test_csv_in_windows_1252_with_semicolons_reads_back_the_same(tmp_path) -> None:  # noqa: ANN001
    frame, _ = proposer_frame(rows=200, regions=["31.71.01"], seed=4)
    frame = frame.with_columns(
        pl.when(pl.col("No") == "1")
        .then(pl.lit("Ma’ruf Café"))
        .otherwise(pl.col("Nama Lengkap"))
        .alias("Nama Lengkap")
    )
    path = tmp_path / "pengusul.csv"
    write_csv(frame, path, delimiter=";", encoding="cp1252")
    data = path.read_bytes()
    assert b"Ma\x92ruf Caf\xe9" in data  # cp1252 bytes, not UTF-8
    assert data.split(b"\n", 1)[0].startswith(b"No;NIK;Nama Lengkap;")
    assert read_csv(path, delimiter=";", encoding="cp1252").equals(frame)


def test_xlsx_keeps_every_nik_as_text(tmp_path) -> None:  # noqa: ANN001
    frame, _ = proposer_frame(rows=150, regions=["31.71.01"], seed=4)
    path = tmp_path / "pengusul.xlsx"
    write_xlsx(frame, path)
    sheet = fastexcel.read_excel(str(path)).load_sheet(0, dtypes="string").to_polars()
    assert tuple(sheet.columns) == HEADERS
    assert sheet["NIK"].to_list() == frame["NIK"].to_list()
    assert sheet.fill_null("").equals(frame)
