"""Preparing Indonesian addresses for linkage: street words, RT/RW, region parts, postcode."""

import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

from pulih.linkage.addresses import ADDRESS_COLUMNS, prepare_addresses

# Pure functions and engines: the PostgreSQL pass of `make test` deselects these.
pytestmark = pytest.mark.database_free


def prepared(address: str | None) -> dict[str, object]:
    return prepare_addresses(pl.Series("address", [address], dtype=pl.String)).row(0, named=True)


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("Jl. Merdeka No. 5", "JALAN MERDEKA NO 5"),
        ("Jl Merdeka No 5", "JALAN MERDEKA NO 5"),
        ("Jln. Merdeka No.5", "JALAN MERDEKA NO 5"),
        ("JLN MERDEKA NO5", "JALAN MERDEKA NO 5"),
        ("Jalan Merdeka Nomor 5", "JALAN MERDEKA NO 5"),
        ("jl.merdeka no.5", "JALAN MERDEKA NO 5"),
        ("  Jl.   Merdeka ,  No. 5 ", "JALAN MERDEKA NO 5"),
        ("Gg. Mawar No. 12", "GANG MAWAR NO 12"),
        ("Gang Mawar Nomer 12", "GANG MAWAR NO 12"),
        ("Jl. Sawo Gg. 3 No. 7", "JALAN SAWO GANG 3 NO 7"),
        ("Perum Griya Asri Blok C No. 7", "PERUMAHAN GRIYA ASRI BLOK C NO 7"),
        ("Perumahan Griya Asri Blk. C No 7", "PERUMAHAN GRIYA ASRI BLOK C NO 7"),
        ("Perum. Griya Asri Blok C-2 No. 7", "PERUMAHAN GRIYA ASRI BLOK C-2 NO 7"),
        ("Komp. Bumi Indah Blok A3 No. 1", "KOMPLEK BUMI INDAH BLOK A3 NO 1"),
        ("Kompleks Bumi Indah Blok A3 No. 1", "KOMPLEK BUMI INDAH BLOK A3 NO 1"),
        ("Komplek Bumi Indah Blok A3 No. 1", "KOMPLEK BUMI INDAH BLOK A3 NO 1"),
        ("Gg. Mawar No. 12/3", "GANG MAWAR NO 12/3"),
        ("Jl. Merdeka / Gg. Sawo - No 5", "JALAN MERDEKA GANG SAWO NO 5"),
        ("Kp. Cibodas", "KAMPUNG CIBODAS"),
    ],
)
def test_street_words_get_one_spelling(raw, norm):
    row = prepared(raw)
    assert row["address_norm"] == norm
    assert row["address_street"] == norm


@pytest.mark.parametrize(
    "raw",
    [
        "Jl. Merdeka No. 5 RT 5 RW 2",
        "Jl. Merdeka No. 5 RT 005 RW 002",
        "Jl. Merdeka No. 5 RT.005/RW.002",
        "Jl. Merdeka No. 5 RT 005/RW 002",
        "Jl. Merdeka No. 5 Rt 05/02",
        "Jl. Merdeka No. 5 RT 05 / 02",
        "Jl. Merdeka No. 5 RT/RW 005/002",
        "Jl. Merdeka No. 5 RT/RW: 5/2",
        "Jl. Merdeka No. 5 RT-RW 05-02",
        "Jl. Merdeka No. 5 Rt.5/Rw.2",
        "Jl. Merdeka No. 5 RT005/RW002",
        "Jl. Merdeka No. 5 RT005RW002",
        "Jl. Merdeka No. 5, RT. 05, RW. 02",
        "Jl. Merdeka No. 5 RT 0005 RW 0002",
    ],
)
def test_rt_rw_in_any_form_is_rewritten_zero_padded(raw):
    row = prepared(raw)
    assert row["address_norm"] == "JALAN MERDEKA NO 5 RT 005 RW 002"
    assert row["address_street"] == "JALAN MERDEKA NO 5"
    assert (row["rt"], row["rw"]) == ("005", "002")


@pytest.mark.parametrize(
    ("raw", "norm", "rt", "rw"),
    [
        ("Jl. Merdeka RT 7", "JALAN MERDEKA RT 007", "007", None),
        ("Jl. Merdeka RW 12", "JALAN MERDEKA RW 012", None, "012"),
        ("Kp. Cibodas RT 000/RW 004", "KAMPUNG CIBODAS RW 004", None, "004"),
        ("RT 5 Jl. Merdeka RW 2", "RT 005 RW 002 JALAN MERDEKA", "005", "002"),
        ("Jl. Merdeka No. 5", "JALAN MERDEKA NO 5", None, None),
        ("Jl. R.W. Monginsidi No. 3", "JALAN R W MONGINSIDI NO 3", None, None),
    ],
)
def test_rt_or_rw_alone_and_unknown_zero(raw, norm, rt, rw):
    row = prepared(raw)
    assert (row["address_norm"], row["rt"], row["rw"]) == (norm, rt, rw)


@pytest.mark.parametrize(
    ("raw", "norm", "street"),
    [
        (
            "Jl. Merdeka No. 5 Kel. Sukamaju Kec. Cibeunying Kota Bandung",
            "JALAN MERDEKA NO 5 KEL SUKAMAJU KEC CIBEUNYING KOTA BANDUNG",
            "JALAN MERDEKA NO 5",
        ),
        (
            "Jl. Merdeka No. 5 Kelurahan Sukamaju Kecamatan Cibeunying",
            "JALAN MERDEKA NO 5 KEL SUKAMAJU KEC CIBEUNYING",
            "JALAN MERDEKA NO 5",
        ),
        ("Gg. Mawar Desa Sukamaju", "GANG MAWAR KEL SUKAMAJU", "GANG MAWAR"),
        ("Gg. Mawar Ds. Sukamaju", "GANG MAWAR KEL SUKAMAJU", "GANG MAWAR"),
        ("Gg. Mawar Kel/Desa Sukamaju", "GANG MAWAR KEL SUKAMAJU", "GANG MAWAR"),
        ("Jl. Raya Bogor Kab. Bogor", "JALAN RAYA BOGOR KAB BOGOR", "JALAN RAYA BOGOR"),
        ("Jl. Raya Bogor Kabupaten Bogor", "JALAN RAYA BOGOR KAB BOGOR", "JALAN RAYA BOGOR"),
        ("Jl. Asia Afrika Kota Bandung", "JALAN ASIA AFRIKA KOTA BANDUNG", "JALAN ASIA AFRIKA"),
        ("Jl. Asia Afrika Kodya Bandung", "JALAN ASIA AFRIKA KOTA BANDUNG", "JALAN ASIA AFRIKA"),
        (
            "Jl. Asia Afrika Bandung Prov. Jawa Barat",
            "JALAN ASIA AFRIKA BANDUNG PROV JAWA BARAT",
            "JALAN ASIA AFRIKA BANDUNG",
        ),
        # A region word naming the street or estate is part of it.
        ("Jl. Kota Bambu Raya No. 9", "JALAN KOTA BAMBU RAYA NO 9", "JALAN KOTA BAMBU RAYA NO 9"),
        (
            "Kota Baru Parahyangan Blok A",
            "KOTA BARU PARAHYANGAN BLOK A",
            "KOTA BARU PARAHYANGAN BLOK A",
        ),
        ("Desa Sukamaju RT 01/02", "KEL SUKAMAJU RT 001 RW 002", None),
    ],
)
def test_region_parts_are_named_one_way_and_left_out_of_the_street(raw, norm, street):
    row = prepared(raw)
    assert (row["address_norm"], row["address_street"]) == (norm, street)


@pytest.mark.parametrize(
    ("raw", "norm", "street", "postcode"),
    [
        (
            "Jl. Merdeka No. 5, RT 005/RW 002, Kel. Sukamaju, Kec. Cibeunying, Kota Bandung 40123",
            "JALAN MERDEKA NO 5 RT 005 RW 002 KEL SUKAMAJU KEC CIBEUNYING KOTA BANDUNG 40123",
            "JALAN MERDEKA NO 5",
            "40123",
        ),
        ("Jl. Kenanga 40123", "JALAN KENANGA 40123", "JALAN KENANGA", "40123"),
        ("Jl. Kenanga Kode Pos 40123", "JALAN KENANGA 40123", "JALAN KENANGA", "40123"),
        ("Jl. Kenanga, Kodepos: 40123", "JALAN KENANGA 40123", "JALAN KENANGA", "40123"),
        ("Jl. Kenanga No. 12345", "JALAN KENANGA NO 12345", "JALAN KENANGA NO 12345", None),
        ("Jl. Kenanga No. 12", "JALAN KENANGA NO 12", "JALAN KENANGA NO 12", None),
        ("Jl. Kenanga 1234", "JALAN KENANGA 1234", "JALAN KENANGA 1234", None),
        ("Jl. Kenanga 01234", "JALAN KENANGA 01234", "JALAN KENANGA 01234", None),
    ],
)
def test_postcode_is_five_digits_not_written_after_no(raw, norm, street, postcode):
    row = prepared(raw)
    assert (row["address_norm"], row["address_street"], row["postcode"]) == (
        norm,
        street,
        postcode,
    )


def test_the_same_address_typed_by_two_clerks_gets_the_same_columns():
    first = prepared("Jl. Merdeka No. 5 RT 5/RW 2 Kel. Sukamaju")
    second = prepared("JALAN MERDEKA NO.5, RT.005 RW.002, DESA SUKAMAJU")
    assert first == second


def test_nulls_and_empty_cells_give_null_rows_in_place():
    values = ["Jl. Merdeka", None, "", "   ", "Jl. Merdeka"]
    out = prepare_addresses(pl.Series("address", values, dtype=pl.String))
    assert out.columns == list(ADDRESS_COLUMNS)
    assert out["address_norm"].to_list() == ["JALAN MERDEKA", None, None, None, "JALAN MERDEKA"]
    assert out.row(1) == (None,) * len(ADDRESS_COLUMNS)
    assert out.row(2) == (None,) * len(ADDRESS_COLUMNS)


def test_many_rows_keep_their_order():
    values = ["Jl. A RT 1/2", "Gg. B", None, "Jl. A RT 1/2"] * 500
    out = prepare_addresses(pl.Series("address", values))
    assert out["address_street"].to_list() == ["JALAN A", "GANG B", None, "JALAN A"] * 500
    assert out["rt"].to_list() == ["001", None, None, "001"] * 500


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=40), st.none()), max_size=30))
def test_any_text_gives_one_row_per_cell_with_padded_rt_rw(values):
    out = prepare_addresses(pl.Series("address", values, dtype=pl.String))
    assert out.height == len(values)
    for column in ("rt", "rw"):
        assert all(v is None or (len(v) == 3 and v.isdigit()) for v in out[column])
    assert all(v is None or (len(v) == 5 and v.isdigit()) for v in out["postcode"])
