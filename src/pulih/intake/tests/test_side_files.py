"""On SQLite the chunk helper hands each chunk over as a side file that the merge copies with
INSERT ... SELECT (pipeline._Prepared.side), on PostgreSQL as frames that COPY takes as CSV
(pipeline._Prepared.person_frame). The merge from side files needs autocommit (ATTACH), so
test_kill_resume runs it in real processes and compares it with the one-process path; here,
the file and the frames themselves against the tuples they replace."""

import os
import sqlite3
import subprocess
from contextlib import closing
from datetime import date

import pytest
from django.db import connection

from pulih.intake import pipeline
from pulih.intake.tests.files import row, run_import, write_csv
from pulih.privacy import crypto
from pulih.registry.services import NIK_PURPOSE, PHONE_PURPOSE


@pytest.mark.django_db
def test_a_side_file_holds_the_rows_the_tuples_would_have(officer, tmp_path):
    job = run_import(officer, write_csv(tmp_path / "daftar.csv", _varied_rows()))
    common = {
        "path": str(pipeline.merge_path(job)), "start": 0, "chunk_rows": 2,
        "vendor": connection.vendor, "reason_prefix": "Impor x baris ", "frames": False,
    }  # fmt: skip
    plain = list(pipeline.prepare_chunks(**common))
    sided = list(pipeline.prepare_chunks(**common, side_dir=str(tmp_path)))

    assert [p.start for p in sided] == [0, 2, 4]
    for tuples, side in zip(plain, sided, strict=True):
        assert (side.persons, side.businesses, side.created_reasons) == ([], [], [])
        assert side.nik_hashes == tuples.nik_hashes and side.row_numbers == tuples.row_numbers
        with closing(sqlite3.connect(side.side)) as link:
            stored = link.execute("SELECT * FROM prep ORDER BY seq").fetchall()
            typeofs = ", ".join(f"typeof({c})" for c in pipeline.SIDE_COLUMNS)
            types = link.execute(f"SELECT {typeofs} FROM prep ORDER BY seq").fetchall()  # noqa: S608
        expected = [
            (seq, *person, *business, number, reason)
            for seq, (person, business, number, reason) in enumerate(
                zip(tuples.persons, tuples.businesses, tuples.row_numbers,
                    tuples.created_reasons, strict=True)
            )
        ]  # fmt: skip
        # Ciphertexts compared decrypted (their nonces are random), stamps as "stamp".
        assert _comparable(stored, pipeline.SIDE_COLUMNS, side) == (
            _comparable(expected, pipeline.SIDE_COLUMNS, tuples)
        )
        # Stored as sqlite3 would have bound the tuples: 1 == True, but not as a text.
        sqlite_type = {bool: "integer", int: "integer", str: "text", float: "real"}
        assert types == [
            tuple(sqlite_type.get(type(value), "null") for value in r) for r in expected
        ]


@pytest.mark.django_db
def test_frames_hold_the_rows_the_tuples_would_have(officer, tmp_path):
    job = run_import(officer, write_csv(tmp_path / "daftar.csv", _varied_rows()))
    common = {
        "path": str(pipeline.merge_path(job)), "start": 0, "chunk_rows": 2,
        "vendor": connection.vendor, "reason_prefix": "Impor x baris ",
    }  # fmt: skip
    plain = list(pipeline.prepare_chunks(**common, frames=False))
    framed = list(pipeline.prepare_chunks(**common, frames=True))

    assert [p.start for p in framed] == [0, 2, 4]
    for tuples, frames in zip(plain, framed, strict=True):
        assert (frames.persons, frames.businesses, frames.created_reasons) == ([], [], [])
        assert frames.nik_hashes == tuples.nik_hashes
        assert frames.row_numbers == tuples.row_numbers
        assert frames.person_frame is not None and frames.business_frame is not None
        assert frames.person_frame.columns == list(pipeline.PERSON_INSERT_COLUMNS)
        assert frames.business_frame.columns == list(pipeline.BUSINESS_TAIL_COLUMNS)
        assert _comparable(frames.person_frame.rows(), pipeline.PERSON_INSERT_COLUMNS, frames) == (
            _comparable(tuples.persons, pipeline.PERSON_INSERT_COLUMNS, tuples)
        )
        assert _comparable(
            frames.business_frame.rows(), pipeline.BUSINESS_TAIL_COLUMNS, frames
        ) == _comparable(tuples.businesses, pipeline.BUSINESS_TAIL_COLUMNS, tuples)


def _varied_rows():
    return [
        row(1),
        row(2, phone="", sector="", turnover=""),  # empty texts and missing numbers
        row(3, name="Dr. H. Ahmad Fauzi, S.E.", address='Jl. "Melati", Gg. 2\\3'),
        row(4, business="Kopi  KENANGAN\tSenja"),
        row(5),
    ]


def _comparable(rows, columns, prepared):
    """Rows with ciphertexts decrypted, dates as text and each chunk's stamp as "stamp"."""
    out = []
    for values in rows:
        row = {}
        for column, value in zip(columns, values, strict=True):
            if column.endswith("_ciphertext") and value:
                purpose = NIK_PURPOSE if column.startswith("nik") else PHONE_PURPOSE
                value = ("decrypted", crypto.decrypt(value, purpose=purpose))
            elif isinstance(value, date):
                value = value.isoformat()
            elif value == prepared.stamp:
                value = "stamp"
            row[column] = value
        out.append(row)
    return out


@pytest.mark.django_db
def test_side_folders_of_gone_runs_are_removed_and_those_of_live_ones_kept(officer, tmp_path):
    job = run_import(officer, write_csv(tmp_path / "daftar.csv", [row(1)]))
    folder = pipeline.job_dir(job)
    ended = subprocess.Popen(["true"])  # noqa: S607 - a process that is gone by the check
    ended.wait()
    for pid in (ended.pid, os.getpid(), 1):  # killed run, this run, a live other process
        (folder / f"side-{pid}").mkdir()
        (folder / f"side-{pid}" / "chunk-0.sqlite3").write_bytes(b"")
    pipeline._side_dirs_remove(job)
    assert [p.name for p in folder.glob("side-*")] == ["side-1"]
