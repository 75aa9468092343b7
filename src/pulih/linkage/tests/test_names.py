"""Preparing Indonesian names for linkage: titles, bin/binti, Muhammad, old spellings, explanations."""

import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

from pulih.linkage.names import (
    NAME_COLUMNS,
    explain_name_pair,
    explain_name_pairs,
    fold_name,
    prepare_names,
    spread_distinct,
)

# Pure functions and engines: the PostgreSQL pass of `make test` deselects these.
pytestmark = pytest.mark.database_free


def prepared(name: str | None) -> dict[str, object]:
    return prepare_names(pl.Series("name", [name], dtype=pl.String)).row(0, named=True)


def key(name: str) -> str:
    value = prepared(name)["name_key"]
    assert isinstance(value, str)
    return value


# --- old spellings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("Soekarno", "Sukarno", "SUKARNO"),
        ("Djoko", "Joko", "YOKO"),
        ("Tjahjo", "Cahyo", "CAHYO"),
        ("Chairul", "Khairul", "KHAIRUL"),
        ("Soerjo", "Suryo", "SURYO"),
        ("Njoman", "Nyoman", "NYOMAN"),
        ("Sjamsul", "Syamsul", "SYAMSUL"),
        ("Soeharto", "Suharto", "SUHARTO"),
        ("Djojohadikoesoemo", "Joyohadikusumo", "YOYOHADIKUSUMO"),
        ("Tjoet Njak Dhien", "Cut Nyak Dhien", "CUT NYAK DHIEN"),
        ("Widjaja", "Wijaya", "WIYAYA"),
        ("Widja", "Widya", "WIYA"),
        ("Prasetjo", "Prasetyo", "PRASECO"),
    ],
)
def test_old_and_new_spelling_give_one_key(old, new, expected):
    assert key(old) == expected
    assert key(new) == expected
    assert key(old.upper()) == key(new.lower()) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [("Abdullah", "Abdulah"), ("Rizky Annanda", "Rizky Ananda"), ("Sitti Aminah", "Siti Aminah")],
)
def test_doubled_letters_do_not_change_the_key(a, b):
    assert key(a) == key(b)


def test_achmad_and_ahmad_stay_apart_since_only_ch_to_kh_is_folded():
    assert key("Achmad") == "AKHMAD"
    assert key("Ahmad") == "AHMAD"


# --- Muhammad ----------------------------------------------------------------------------------


MUHAMMAD_SPELLINGS = [
    "Muhammad",
    "Mohammad",
    "Mohamad",
    "Mochammad",
    "Muhamad",
    "Muchammad",
    "Mochamad",
    "Mohammed",
    "Moch",
    "Moch.",
    "Moh",
    "Moh.",
    "Muh",
    "Muh.",
    "Mhd",
    "Mhd.",
    "Md",
    "Md.",
    "M.",
    "M",
    "MOCHAMMAD",
    "muhammad",
]


@pytest.mark.parametrize("spelling", MUHAMMAD_SPELLINGS)
def test_every_muhammad_spelling_folds_to_muhammad(spelling):
    row = prepared(f"{spelling} Rizki Santoso")
    assert row["name_key"] == "MUHAMMAD RIZKI SANTOSO"
    assert row["name_first"] == "RIZKI"
    assert row["name_last"] == "SANTOSO"
    assert row["name_tokens"] == 3


@pytest.mark.parametrize(
    ("name", "expected_key", "expected_first"),
    [
        ("M. Joko Santoso", "MUHAMMAD YOKO SANTOSO", "YOKO"),
        ("M.Joko", "MUHAMMAD YOKO", "YOKO"),
        ("Joko M.", "YOKO M", "YOKO"),  # a last initial, not Muhammad
        ("Joko M. Santoso", "YOKO M SANTOSO", "YOKO"),
        ("M.", "M", "M"),
        ("Muhammad", "MUHAMMAD", "MUHAMMAD"),
        ("Moch.", "MUHAMMAD", "MUHAMMAD"),
        ("Joko Muhammad", "YOKO MUHAMMAD", "YOKO"),
        ("Muhammadiyah", "MUHAMADIYAH", "MUHAMADIYAH"),  # a word that starts like it
    ],
)
def test_lone_m_is_muhammad_only_as_first_of_several_words(name, expected_key, expected_first):
    row = prepared(name)
    assert row["name_key"] == expected_key
    assert row["name_first"] == expected_first


# --- titles, degrees, punctuation ------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "H. Ahmad Yusuf",
        "Hj. Ahmad Yusuf",
        "Dr. Ahmad Yusuf",
        "Drs. Ahmad Yusuf",
        "Ir. Ahmad Yusuf",
        "Prof. Ahmad Yusuf",
        "Ahmad Yusuf, S.E.",
        "Ahmad Yusuf, S.Pd.",
        "Ahmad Yusuf, S.Kom.",
        "Ahmad Yusuf, M.M.",
        "Ahmad Yusuf, SE",
        "Ahmad Yusuf S.Pd",
        "Prof. Dr. Ir. H. Ahmad Yusuf, S.E., M.M.",
        "DRS. H. AHMAD YUSUF, S.KOM",
        "  ahmad   yusuf ",
        "1. Ahmad Yusuf",
        "'Ahmad Yusuf'",
    ],
)
def test_titles_degrees_and_noise_are_removed(raw):
    row = prepared(raw)
    assert row["name_clean"] == "AHMAD YUSUF"
    assert row["name_key"] == "AHMAD YUSUF"


@pytest.mark.parametrize(
    ("raw", "clean", "key"),
    [
        ("Ma'ruf Amin", "MA'RUF AMIN", "MARUF AMIN"),
        ("Ma\u2019ruf Amin", "MA'RUF AMIN", "MARUF AMIN"),
        ("Abdul-Rahman", "ABDUL RAHMAN", "ABDUL RAHMAN"),
        ("Siti Nur'aini", "SITI NUR'AINI", "SITI NURAINI"),
        ("José Ané", "JOSE ANE", "YOSE ANE"),
        ("Budi (Alm.)", "BUDI ALM", "BUDI ALM"),
    ],
)
def test_punctuation_is_removed_except_an_inner_apostrophe(raw, clean, key):
    row = prepared(raw)
    assert (row["name_clean"], row["name_key"]) == (clean, key)


# --- single names, bin/binti, swapped parts, Balinese names -----------------------------------


@pytest.mark.parametrize("raw", ["Sutrisno", "SUTRISNO", "H. Sutrisno", "Sutrisno, S.E."])
def test_a_single_name_has_no_last_name(raw):
    row = prepared(raw)
    assert row["name_key"] == row["name_key_sorted"] == row["name_first"] == "SUTRISNO"
    assert row["name_last"] is None
    assert row["name_tokens"] == 1


@pytest.mark.parametrize(
    ("raw", "clean", "core", "key"),
    [
        ("Ahmad bin Yusuf", "AHMAD BIN YUSUF", "AHMAD", "AHMAD"),
        ("AHMAD BIN YUSUF", "AHMAD BIN YUSUF", "AHMAD", "AHMAD"),
        ("Siti Aminah binti Abdullah", "SITI AMINAH BINTI ABDULLAH", "SITI AMINAH", "SITI AMINAH"),
        ("H. Djoko bin Soeparman, S.E.", "DJOKO BIN SOEPARMAN", "DJOKO", "YOKO"),
        ("Ahmad Bintoro", "AHMAD BINTORO", "AHMAD BINTORO", "AHMAD BINTORO"),
        ("Bin Yusuf", "BIN YUSUF", "BIN YUSUF", "BIN YUSUF"),
    ],
)
def test_bin_and_binti_keep_the_father_in_clean_but_not_in_the_key(raw, clean, core, key):
    row = prepared(raw)
    assert (row["name_clean"], row["name_core"], row["name_key"]) == (clean, core, key)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Joko Santoso", "Santoso Joko"),
        ("Djoko Santoso", "Santoso Joko"),
        ("Siti Nur Aminah", "Aminah Siti Nur"),
    ],
)
def test_swapped_name_parts_share_the_sorted_key(a, b):
    first, second = prepared(a), prepared(b)
    assert first["name_key"] != second["name_key"]
    assert first["name_key_sorted"] == second["name_key_sorted"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("I Made Sukarta", "MADE SUKARTA"),
        ("Made Sukarta", "MADE SUKARTA"),
        ("I Md. Sukarta", "MADE SUKARTA"),
        ("Ni Luh Putu Ariani", "LUH PUTU ARIANI"),
        ("Ni Md Ariani", "MADE ARIANI"),
        ("I", "I"),
    ],
)
def test_balinese_article_is_dropped_and_md_after_it_is_made(raw, expected):
    assert key(raw) == expected


# --- shape of the output -----------------------------------------------------------------------


def test_nulls_and_empty_cells_give_null_rows_in_place():
    values = ["Joko", None, "", "   ", "...", "Joko", "Santoso Joko"]
    out = prepare_names(pl.Series("name", values, dtype=pl.String))
    assert out.columns == list(NAME_COLUMNS)
    assert out.height == len(values)
    assert out["name_key"].to_list() == ["YOKO", None, None, None, None, "YOKO", "SANTOSO YOKO"]
    assert out.row(1) == (None,) * len(NAME_COLUMNS)
    assert out.schema["name_tokens"] == pl.Int32


def test_an_all_null_series_prepares():
    out = prepare_names(pl.Series("name", [None, None], dtype=pl.String))
    assert out.height == 2
    assert out["name_key"].null_count() == 2


def test_many_rows_keep_their_order():
    names = ["Djoko", "Joko", "Moch. Ali", "Ali", None] * 1000
    out = prepare_names(pl.Series("name", names))
    assert out["name_key"].to_list() == ["YOKO", "YOKO", "MUHAMMAD ALI", "ALI", None] * 1000


def test_texts_sharing_a_hash_still_get_their_own_rows(monkeypatch):
    monkeypatch.setattr(pl.Expr, "hash", lambda self, *args, **kwargs: pl.lit(7, pl.UInt64))
    values = pl.Series(["Djoko", "Ali", None, "Djoko", "Moch. Ali"])
    out = spread_distinct(values, lambda d: d.str.len_chars().to_frame("length"))
    assert out["length"].to_list() == [5, 3, None, 5, 9]
    keys = prepare_names(values)["name_key"].to_list()
    assert keys == ["YOKO", "ALI", None, "YOKO", "MUHAMMAD ALI"]


# --- the Python twin of the folding --------------------------------------------------------------


@pytest.mark.parametrize(
    ("core", "expected"),
    [
        ("MOCH DJOKO", "MUHAMMAD YOKO"),
        ("M SOEKARNO", "MUHAMMAD SUKARNO"),
        ("I MD SUKARTA", "MADE SUKARTA"),
        ("MA'RUF", "MARUF"),
        ("TJAHJO", "CAHYO"),
    ],
)
def test_fold_name_folds_an_upper_case_core(core, expected):
    assert fold_name(core) == expected


NAME_LIKE = st.text(alphabet="ADEHIJKMNOSTUCY '.-", max_size=24)
NAME_WORDS = st.lists(
    st.sampled_from(
        ["M", "MD", "I", "NI", "MOCH", "MUHAMMAD", "DJOKO", "TJAHJO", "SOERJO", "CHAIRUL", "BIN"]
        + ["NJOMAN", "SJAMSUL", "MA'RUF", "AA", "JJ", "OEO", "H.", "S.E.", "MOHAMMED", "MOKHD"]
    ),
    max_size=5,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(NAME_LIKE, NAME_WORDS, st.text(max_size=16), st.none()), max_size=40))
def test_series_key_equals_python_folding_of_each_core(values):
    out = prepare_names(pl.Series("name", values, dtype=pl.String))
    assert out.height == len(values)
    for core, key_value in zip(out["name_core"], out["name_key"], strict=True):
        if core is None:
            assert key_value is None
        else:
            assert key_value == fold_name(core)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(NAME_LIKE, NAME_WORDS), max_size=20))
def test_a_key_folds_to_itself(values):
    keys = prepare_names(pl.Series("name", values, dtype=pl.String))["name_key"]
    assert all(k is None or fold_name(k) == k for k in keys)


# --- explanations for the review screen ----------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "reasons"),
    [
        ("Djoko Santoso", "Joko Santoso", ["ejaan lama (Djoko/Joko)"]),
        ("Soekarno", "Sukarno", ["ejaan lama (Soekarno/Sukarno)"]),
        ("Tjahjo", "CAHYO", ["ejaan lama (Tjahjo/Cahyo)"]),
        ("Moch. Joko", "Muhammad Joko", ["variasi Muhammad (Moch./Muhammad)"]),
        ("M. Rizki", "Mohammad Rizki", ["variasi Muhammad (M./Mohammad)"]),
        ("H. Ahmad, S.E.", "Ahmad", ["gelar berbeda (H., S.E.)"]),
        ("Dr. Ahmad", "Prof. Ahmad", ["gelar berbeda (Dr., Prof.)"]),
        ("Joko Santoso", "Santoso Joko", ["urutan nama tertukar"]),
        ("Ahmad bin Yusuf", "Ahmad", ["bin/binti"]),
        ("Ahmad bin Yusuf", "Ahmad Yusuf", ["bin/binti"]),
        ("Joko", "Joko Santoso", ["nama tunggal vs nama lengkap"]),
        ("Joko Budi Santoso", "Joko Santoso", ["nama tidak lengkap"]),
        ("Joko Santoso", "Joko Santosa", ["salah ketik"]),
        ("Joko S.", "Joko Santoso", ["inisial (S./Santoso)"]),
        ("Abdullah", "Abdulah", ["huruf ganda (Abdullah/Abdulah)"]),
        ("Ma'ruf", "Maruf", ["tanda petik (Ma'ruf/Maruf)"]),
        ("I Made Sukarta", "Made Sukarta", ["sebutan I/Ni"]),
        ("Muhammad Joko", "Joko", ["Muhammad tidak ditulis"]),
        (
            "H. Djoko Santoso",
            "Santoso Joko",
            ["gelar berbeda (H.)", "ejaan lama (Djoko/Joko)", "urutan nama tertukar"],
        ),
    ],
)
def test_explain_names_the_differences(a, b, reasons):
    assert explain_name_pair(a, b) == reasons


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Joko Santoso", "JOKO SANTOSO"),
        ("M. Joko", "M Joko"),
        ("  joko  santoso", "Joko Santoso"),
        ("Budi", "Ahmad"),
        ("Joko", ""),
        ("", ""),
    ],
)
def test_explain_is_empty_for_the_same_name_or_unrelated_names(a, b):
    assert explain_name_pair(a, b) == []


def test_explain_many_pairs_at_once_agrees_with_one_by_one():
    pairs = [("Djoko", "Joko"), ("H. Ahmad", "Ahmad"), ("Budi", "Ahmad"), ("Moch. Ali", "Ali")]
    assert explain_name_pairs(pairs) == [explain_name_pair(a, b) for a, b in pairs]


@settings(max_examples=200, deadline=None)
@given(st.one_of(NAME_LIKE, NAME_WORDS, st.text(max_size=20)), st.one_of(NAME_LIKE, NAME_WORDS))
def test_explain_answers_any_pair_without_error(a, b):
    reasons = explain_name_pair(a, b)
    assert all(isinstance(reason, str) and reason for reason in reasons)
    assert explain_name_pair(a, a) == []
