"""Screening lists as data: read a reference file with the intake reader, keep its entries,
and find the registry persons on it, exact NIK hits first."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from pulih.intake import normalize
from pulih.intake.columns import guess_mapping
from pulih.intake.reader import ROW, Table, check_file, file_format, read_table
from pulih.intake.staging import regions_match
from pulih.linkage.error_codes import LinkageError, LinkageErrorCode as E
from pulih.linkage.evidence import Side, oriented
from pulih.linkage.models import ScreeningEntry, ScreeningList
from pulih.linkage.names import explain_name_pair, prepare_names
from pulih.privacy import crypto
from pulih.registry.bulk import writer_for_connection
from pulih.registry.identifiers import mask_nik
from pulih.registry.models import Person

NIK_PURPOSE = "nik"
ENTRY_COLUMNS = ["record_id", "nik", "nik_hash", "name", "birth_date", "sex", "village_code"]


def _column(table: Table, mapping: dict[str, str], key: str) -> pl.Series:
    for header, field in mapping.items():
        if field == key:
            return table.frame[header].cast(pl.String).fill_null("").str.strip_chars()
    return pl.Series(key, [""] * table.frame.height, dtype=pl.String)


def read_list(path: Path, original_name: str, *, sheet: str = "") -> tuple[pl.DataFrame, int]:
    """The usable entries of a list file (row_number, nik, name, birth_date, sex,
    village_code) and how many rows were refused."""
    fmt = file_format(original_name)
    check_file(path, fmt, max_bytes=settings.PULIH_INTAKE_MAX_BYTES)
    table = read_table(path, fmt, sheet=sheet, max_rows=settings.PULIH_INTAKE_MAX_ROWS)
    mapping = guess_mapping(table.headers)
    fields = set(mapping.values())
    if "nik" not in fields and not (
        {"full_name"} <= fields and fields & {"birth_date", "place_date"}
    ):
        raise LinkageError(E.LIST_NO_COLUMNS)
    col = {
        key: _column(table, mapping, key)
        for key in (
            "nik", "full_name", "birth_date", "place_date", "sex", "village_code",
            "village", "district", "city", "province",
        )
    }  # fmt: skip
    names, _titles = normalize.split_name_titles(col["full_name"])
    _place, place_date = normalize.split_place_date(col["place_date"])
    raw_dates = pl.select(
        pl.when(col["birth_date"] != "").then(col["birth_date"]).otherwise(place_date)
    ).to_series()
    birth_dates = normalize.parse_dates(raw_dates, today=timezone.localdate())
    nik = col["nik"].str.replace_all(r"[\s.\-]", "")
    nik = pl.select(pl.when(nik.str.contains(r"^\d{16}$")).then(nik)).to_series()
    regions = regions_match(col)
    frame = pl.DataFrame(
        {
            "row_number": table.frame[ROW].cast(pl.Int64),
            "nik": nik,
            "name": names,
            "birth_date": birth_dates.cast(pl.String)
            if birth_dates.dtype == pl.Date
            else birth_dates,
            "sex": normalize.parse_sex(col["sex"]),
            "village_code": regions["village_code"],
        }
    ).with_columns(
        pl.when(pl.col(c).cast(pl.String).str.len_chars() > 0).then(pl.col(c).cast(pl.String))
        for c in ("name", "birth_date", "sex", "village_code")
    )
    usable = pl.col("nik").is_not_null() | (
        pl.col("name").is_not_null() & pl.col("birth_date").is_not_null()
    )
    kept = frame.filter(usable)
    return kept, frame.height - kept.height


def entries_write(list_id: int, entries: pl.DataFrame) -> None:
    """Bulk insert (executemany on SQLite, COPY on PostgreSQL), NIKs encrypted and indexed."""
    writer = writer_for_connection()
    columns = [
        "screening_list_id", "row_number", "nik_hash", "nik_ciphertext", "nik_masked",
        "full_name", "birth_date", "sex", "region_code", "note",
    ]  # fmt: skip
    rows: list[tuple[Any, ...]] = []
    for row_number, nik, name, birth, sex, village in entries.select(
        "row_number", "nik", "name", "birth_date", "sex", "village_code"
    ).iter_rows():
        rows.append(
            (
                list_id,
                row_number,
                crypto.blind_index(nik, purpose=NIK_PURPOSE) if nik else "",
                crypto.encrypt(nik, purpose=NIK_PURPOSE) if nik else "",
                mask_nik(nik) if nik else "",
                (name or "")[:150],
                date.fromisoformat(birth) if birth else None,
                sex or "",
                village or "",
                "",
            )
        )
        if len(rows) >= 20_000:
            writer.insert("linkage_screeningentry", columns, rows)
            rows = []
    if rows:
        writer.insert("linkage_screeningentry", columns, rows)


def entries_frame(screening_list: ScreeningList) -> pl.DataFrame:
    """The list's entries in pulih.linkage.prepare's layout (record_id = entry id), with the
    NIK decrypted for comparison and its blind index kept for decisions."""
    columns: dict[str, list[Any]] = {c: [] for c in ENTRY_COLUMNS}
    for pk, ciphertext, nik_hash, name, birth, sex, region in (
        ScreeningEntry.objects.filter(screening_list=screening_list)
        .values_list(
            "pk", "nik_ciphertext", "nik_hash", "full_name", "birth_date", "sex", "region_code"
        )
        .iterator(chunk_size=10_000)
    ):
        columns["record_id"].append(str(pk))
        columns["nik"].append(
            crypto.decrypt(ciphertext, purpose=NIK_PURPOSE) if ciphertext else None
        )
        columns["nik_hash"].append(nik_hash or None)
        columns["name"].append(name or None)
        columns["birth_date"].append(birth.isoformat() if birth else None)
        columns["sex"].append(sex or None)
        columns["village_code"].append(region or None)
    return pl.DataFrame(columns, schema={c: pl.String for c in ENTRY_COLUMNS})


def exact_nik_hits(screening_list: ScreeningList) -> list[tuple[int, int]]:
    """(person id, entry id) for every entry whose NIK is a registry person's, by blind index
    in the database. A merged person's NIK counts for the person it was merged into."""
    entry_by_hash: dict[str, list[int]] = {}
    for pk, nik_hash in (
        ScreeningEntry.objects.filter(screening_list=screening_list)
        .exclude(nik_hash="")
        .values_list("pk", "nik_hash")
        .iterator(chunk_size=10_000)
    ):
        entry_by_hash.setdefault(nik_hash, []).append(pk)
    persons = Person.objects.filter(
        nik_hash__in=ScreeningEntry.objects.filter(screening_list=screening_list)
        .exclude(nik_hash="")
        .values("nik_hash")
    ).values_list(Coalesce(F("merged_into_id"), F("pk")), "nik_hash")
    return [
        (person_id, entry_id)
        for person_id, nik_hash in persons.iterator(chunk_size=10_000)
        for entry_id in entry_by_hash.get(nik_hash, [])
    ]


def names_agree(a: str, b: str) -> bool:
    """Whether a list entry's name is plainly the registry's (same after preparation, or one
    is the other's first part): an exact NIK hit with such a name needs no officer."""
    if not b:
        return True
    prepared = prepare_names(pl.Series([a, b]))
    keys = prepared["name_key_sorted"].to_list()
    if keys[0] == keys[1]:
        return True
    left, right = (set((k or "").split()) for k in keys)
    return bool(left and right) and (left <= right or right <= left)


def names_agree_many(a: pl.Series, b: pl.Series) -> pl.Series:
    """names_agree for many pairs at once (same result row by row; tests prove it)."""
    left = prepare_names(a)["name_key_sorted"].fill_null("")
    right = prepare_names(b)["name_key_sorted"].fill_null("")
    frame = pl.DataFrame({"b": b.fill_null(""), "l": left, "r": right}).with_columns(
        pl.col("l").str.split(" ").list.eval(pl.element().filter(pl.element() != "")).alias("ls"),
        pl.col("r").str.split(" ").list.eval(pl.element().filter(pl.element() != "")).alias("rs"),
    )
    subset = (
        (pl.col("ls").list.len() > 0)
        & (pl.col("rs").list.len() > 0)
        & (
            (pl.col("ls").list.set_difference("rs").list.len() == 0)
            | (pl.col("rs").list.set_difference("ls").list.len() == 0)
        )
    )
    return frame.select(
        ((pl.col("b") == "") | (pl.col("l") == pl.col("r")) | subset).alias("agree")
    )["agree"]


def exact_hit_evidence(side: Side, entry: Side) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"field": "identity", "level": "nik_exact", "text": _("NIK sama"), "weight": 0.0}
    ]
    if entry.name:
        reasons = explain_name_pair(side.name, entry.name)
        if names_agree(side.name, entry.name):
            text = _("nama sesuai: %(a)s/%(b)s") % {"a": side.name, "b": entry.name}
        else:
            text = _("nama berbeda: %(a)s/%(b)s") % {"a": side.name, "b": entry.name}
        if reasons:
            text += f" ({'; '.join(reasons)})"
        out.append({"field": "name", "level": "", "text": text, "weight": 0.0})
    if entry.birth_date:
        same = entry.birth_date == side.birth_date
        out.append(
            {
                "field": "birth_date",
                "level": "same" if same else "differs",
                "text": _("tanggal lahir sama")
                if same
                else _("tanggal lahir berbeda: %(a)s/%(b)s")
                % {"a": side.birth_date, "b": entry.birth_date},
                "weight": 0.0,
            }
        )
    return out


def current_entries(kind: str) -> tuple[pl.DataFrame, dict[str, tuple[str, int]]]:
    """The entries of the current version of every list of `kind`, in prepare's layout, and
    each entry's (source, row number)."""
    frames, where = [], {}
    for screening_list in ScreeningList.objects.filter(kind=kind, superseded_at__isnull=True):
        frame = entries_frame(screening_list)
        frames.append(frame)
        rows = ScreeningEntry.objects.filter(screening_list=screening_list).values_list(
            "pk", "row_number"
        )
        where.update({str(pk): (screening_list.source, row) for pk, row in rows.iterator()})
    if not frames:
        return pl.DataFrame(schema={c: pl.String for c in ENTRY_COLUMNS}), where
    return pl.concat(frames), where


def screen_frame(frame: pl.DataFrame, *, kind: str, engine: str = "duckdb") -> pl.DataFrame:
    """The best entry each record of `frame` matched among the current lists of `kind`
    (see screen_frames)."""
    entries, where = current_entries(kind)
    return screen_frames(frame, entries, where, engine=engine)


def screen_frames(
    frame: pl.DataFrame,
    entries: pl.DataFrame,
    where: dict[str, tuple[str, int]],
    *,
    engine: str = "duckdb",
) -> pl.DataFrame:
    """record_id, list_hit, list_match ("nik" or "probable"), list_probability, list_source,
    list_row for every record of `frame` that matched an entry (`entries` in prepare's layout
    with record_id = entry id; `where` maps an entry id to its list's source and row). Exact
    NIK agreement is found by a join, so it never depends on the model."""
    from pulih.linkage import pipeline
    from pulih.linkage.prepare import conform

    records = conform(frame)
    schema = {
        "record_id": pl.String, "list_hit": pl.Boolean, "list_match": pl.String,
        "list_probability": pl.Float64, "list_source": pl.String, "list_row": pl.Int64,
    }  # fmt: skip
    if entries.height == 0 or records.height == 0:
        return pl.DataFrame(schema=schema)
    digits = pl.col("nik").str.replace_all(r"[\s.\-]", "")
    exact = (
        records.select("record_id", digits.alias("nik"))
        .drop_nulls("nik")
        .join(entries.select(pl.col("record_id").alias("entry_id"), "nik").drop_nulls("nik"), on="nik")
        .select("record_id", "entry_id", pl.lit("nik").alias("list_match"), pl.lit(1.0).alias("list_probability"))
    )  # fmt: skip
    result = pipeline.link(records, entries.drop("nik_hash", strict=False), engine=engine)
    probable = (
        pl.DataFrame([oriented(p, left_source="records_0") for p in result.pairs.iter_rows(named=True)])
        if result.pairs.height
        else pl.DataFrame(schema={"unique_id_l": pl.String, "unique_id_r": pl.String, "match_probability": pl.Float64})
    )  # fmt: skip
    probable = probable.select(
        pl.col("unique_id_l").alias("record_id"),
        pl.col("unique_id_r").alias("entry_id"),
        pl.lit("probable").alias("list_match"),
        pl.col("match_probability").alias("list_probability"),
    )
    best = (
        pl.concat([exact, probable])
        .sort(["record_id", "list_probability"], descending=[False, True])
        .unique("record_id", keep="first", maintain_order=True)
    )
    source = pl.Series([where[e][0] for e in best["entry_id"]], dtype=pl.String)
    row = pl.Series([where[e][1] for e in best["entry_id"]], dtype=pl.Int64)
    return best.select(
        "record_id",
        pl.lit(True).alias("list_hit"),
        "list_match",
        "list_probability",
    ).with_columns(list_source=source, list_row=row)
