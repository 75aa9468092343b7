"""On SQLite the chunk helper hands each chunk over as a side file that the merge copies with
INSERT ... SELECT (pipeline._Prepared.side). The merge from side files needs autocommit (ATTACH),
so test_kill_resume runs it in real processes and compares it with the one-process path; here,
the file itself against the tuples it replaces."""

import os
import sqlite3
import subprocess
from contextlib import closing

import pytest
from django.db import connection

from pulih.intake import pipeline
from pulih.intake.tests.files import row, run_import, write_csv


@pytest.mark.django_db
def test_a_side_file_holds_the_rows_the_tuples_would_have(officer, tmp_path):
    job = run_import(officer, write_csv(tmp_path / "daftar.csv", [row(n) for n in range(1, 6)]))
    common = {
        "path": str(pipeline.merge_path(job)), "start": 0, "chunk_rows": 2,
        "vendor": connection.vendor, "reason_prefix": "Impor x baris ",
    }  # fmt: skip
    plain = list(pipeline.prepare_chunks(**common))
    sided = list(pipeline.prepare_chunks(**common, side_dir=str(tmp_path)))

    assert [p.start for p in sided] == [0, 2, 4]
    for tuples, side in zip(plain, sided, strict=True):
        assert (side.persons, side.businesses, side.created_reasons) == ([], [], [])
        assert side.nik_hashes == tuples.nik_hashes and side.row_numbers == tuples.row_numbers
        with closing(sqlite3.connect(side.side)) as link:
            stored = link.execute("SELECT * FROM prep ORDER BY seq").fetchall()
        expected = [
            (seq, *person, *business, number, reason)
            for seq, (person, business, number, reason) in enumerate(
                zip(tuples.persons, tuples.businesses, tuples.row_numbers,
                    tuples.created_reasons, strict=True)
            )
        ]  # fmt: skip
        # Everything but the random nonces of the ciphertexts and the chunk's time stamp.
        varying = {
            i for i, c in enumerate(pipeline.SIDE_COLUMNS) if "ciphertext" in c or c.endswith("_at")
        }
        keep = [i for i in range(len(pipeline.SIDE_COLUMNS)) if i not in varying]
        assert [[r[i] for i in keep] for r in stored] == [[r[i] for i in keep] for r in expected]


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
