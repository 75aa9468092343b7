"""Why a pair was put in front of an officer, field by field, in plain Indonesian.

The level each comparison reached comes from the scored pair (its gamma_* columns); the
weight of that level from the trained model (log2 of m/u); the wording from here, with the
raw values of both records so that "nama mirip: Djoko/Joko (ejaan lama)" names what differs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils.translation import gettext as _

from pulih.linkage import model
from pulih.linkage.names import explain_name_pair


@dataclass(frozen=True)
class Side:
    """What the officer sees of one record."""

    name: str
    birth_date: str
    sex: str
    nik_masked: str
    region: str
    address: str
    phone_masked: str


@cache
def level_labels() -> dict[str, dict[int, str]]:
    """comparison name -> gamma value -> level label (label_for_charts in pulih.linkage.model)."""
    settings = model.settings().get_settings("duckdb")
    labels: dict[str, dict[int, str]] = {}
    for comparison in settings.comparisons:
        labels[comparison.output_column_name] = {
            level.comparison_vector_value: level.label_for_charts
            for level in comparison.comparison_levels
        }
    return labels


def level_weights(trained: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """comparison name -> level label -> match weight, from a saved Splink model."""
    weights: dict[str, dict[str, float]] = {}
    for comparison in trained.get("comparisons", []):
        per_level: dict[str, float] = {}
        for level in comparison["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            if m and u:
                per_level[level.get("label_for_charts", "")] = math.log2(m / u)
        weights[comparison["output_column_name"]] = per_level
    return weights


def _identity_text(level: str, left: Side, right: Side, reasons: list[str]) -> str:
    dates = {"a": left.birth_date or "-", "b": right.birth_date or "-"}
    texts = {
        "nik_exact": _("NIK sama"),
        "nik_typo_rest_agrees": _(
            "NIK beda satu angka (kemungkinan salah ketik); tanggal lahir dan jenis kelamin sama"
        ),
        "no_nik_date_sex_agree": _(
            "NIK tidak ada di salah satu data; tanggal lahir dan jenis kelamin sama"
        ),
        "no_nik_date_slip": _(
            "NIK tidak ada di salah satu data; tanggal lahir hampir sama: %(a)s/%(b)s"
        )
        % dates,
        "nik_typo_rest_differs": _(
            "NIK beda satu angka, tetapi tanggal lahir atau jenis kelamin berbeda"
        ),
        "other_nik_same_date": _("NIK berbeda; tanggal lahir sama"),
        "other_nik_date_slip": _("NIK berbeda; tanggal lahir hampir sama: %(a)s/%(b)s") % dates,
        "differs": _("NIK dan tanggal lahir berbeda"),
        "null": _("NIK dan tanggal lahir tidak bisa dibandingkan (kosong)"),
    }
    return texts.get(level, level)


def _name_text(level: str, left: Side, right: Side, reasons: list[str]) -> str:
    names = {"a": left.name, "b": right.name}
    why = f" ({'; '.join(reasons)})" if reasons else ""
    texts = {
        "same": _("nama sama"),
        "swapped": _("urutan nama tertukar: %(a)s/%(b)s"),
        "very_similar": _("nama sangat mirip: %(a)s/%(b)s"),
        "given_name_only": _("salah satu hanya nama depan: %(a)s/%(b)s"),
        "similar": _("nama mirip: %(a)s/%(b)s"),
        "one_part_same": _("sebagian nama sama: %(a)s/%(b)s"),
        "differs": _("nama berbeda: %(a)s/%(b)s"),
        "null": _("nama kosong di salah satu data"),
    }
    text = texts.get(level, level)
    if level == "same" and left.name.strip().upper() != right.name.strip().upper():
        text = _("nama sama setelah dirapikan: %(a)s/%(b)s")
    return (text % names if "%(" in text else text) + (why if level not in ("null",) else "")


def _region_text(level: str, left: Side, right: Side, reasons: list[str]) -> str:
    texts = {
        "same_village": _("kelurahan/desa sama"),
        "same_district": _("kecamatan sama, kelurahan/desa berbeda"),
        "same_city": _("kabupaten/kota sama, kecamatan berbeda (pindah?)"),
        "differs": _("wilayah berbeda"),
        "null": _("wilayah kosong di salah satu data"),
    }
    return texts.get(level, level)


def _address_text(level: str, left: Side, right: Side, reasons: list[str]) -> str:
    texts = {
        "same": _("alamat sama"),
        "similar": _("alamat mirip"),
        "close": _("alamat agak mirip"),
        "differs": _("alamat berbeda"),
        "null": _("alamat kosong di salah satu data"),
    }
    return texts.get(level, level)


def _phone_text(level: str, left: Side, right: Side, reasons: list[str]) -> str:
    texts = {
        "same": _("nomor HP sama"),
        "differs": _("nomor HP berbeda"),
        "null": _("nomor HP kosong di salah satu data"),
    }
    return texts.get(level, level)


_TEXTS = {
    "identity": _identity_text,
    "name": _name_text,
    "region": _region_text,
    "address": _address_text,
    "phone": _phone_text,
}


def oriented(
    pair: Mapping[str, Any], *, left_id: int | None = None, left_source: str | None = None
) -> dict[str, Any]:
    """The scored pair with the wanted record on the left: the one with id `left_id`, or the
    one from input `left_source` (Splink orders a pair's sides its own way)."""
    keep = (
        int(pair["unique_id_l"]) == left_id
        if left_id is not None
        else pair.get("source_dataset_l") == left_source
    )
    if keep:
        return dict(pair)
    swapped: dict[str, Any] = {}
    for key, value in pair.items():
        if key.endswith("_l"):
            swapped[key[:-2] + "_r"] = value
        elif key.endswith("_r"):
            swapped[key[:-2] + "_l"] = value
        else:
            swapped[key] = value
    return swapped


def pair_evidence(
    pair: Mapping[str, Any],
    *,
    left: Side,
    right: Side,
    weights: Mapping[str, Mapping[str, float]],
    name_reasons: list[str] | None = None,
) -> list[dict[str, Any]]:
    """One entry per comparison: field, level, plain text, and the level's match weight.

    `name_reasons` are explain_name_pair's for the two names; callers with many pairs get
    them in one pass from explain_name_pairs."""
    if name_reasons is None:
        name_reasons = explain_name_pair(left.name, right.name)
    labels = level_labels()
    out = []
    for field, describe in _TEXTS.items():
        gamma = pair.get(f"gamma_{field}")
        if gamma is None:
            continue
        level = labels[field].get(int(gamma), "")
        out.append(
            {
                "field": field,
                "level": level,
                "text": describe(level, left, right, name_reasons),
                "weight": round(weights.get(field, {}).get(level, 0.0), 2),
            }
        )
    return out
