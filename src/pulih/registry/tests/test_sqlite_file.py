"""SQLite database files as Pulih makes them: 16 KiB pages, and a long load's WAL copied into
the database file by a background checkpointer while the load goes on."""

import sqlite3
import time

import pytest
from django.conf import settings

from pulih.registry.bulk import _Checkpointer

pytestmark = pytest.mark.database_free


def test_a_new_database_file_gets_16_kib_pages_and_wal(tmp_path):
    link = sqlite3.connect(tmp_path / "baru.sqlite3", isolation_level=None)
    link.executescript(settings.SQLITE_INIT_COMMAND)  # as Django runs it on every connection
    link.execute("CREATE TABLE t (x TEXT)")
    assert link.execute("PRAGMA page_size").fetchone()[0] == 16384
    assert link.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    link.close()
    again = sqlite3.connect(tmp_path / "baru.sqlite3", isolation_level=None)
    again.executescript(settings.SQLITE_INIT_COMMAND)  # an existing file keeps its pages
    assert again.execute("PRAGMA page_size").fetchone()[0] == 16384
    again.close()


def test_checkpointer_copies_committed_pages_into_the_file_while_the_load_goes_on(tmp_path):
    path = tmp_path / "muat.sqlite3"
    load = sqlite3.connect(path, isolation_level=None)
    load.execute("PRAGMA journal_mode=WAL")
    load.execute("PRAGMA wal_autocheckpoint=0")  # as during a bulk load: this one never does
    load.execute("CREATE TABLE t (x TEXT)")
    load.execute("BEGIN IMMEDIATE")
    load.executemany("INSERT INTO t VALUES (?)", [("x" * 200,) for _ in range(30_000)])
    load.execute("COMMIT")
    before = path.stat().st_size
    assert before < 1 << 20  # the rows are in the WAL only

    checkpointer = _Checkpointer(str(path))
    checkpointer.INTERVAL_SECONDS = 0.05
    checkpointer.start()
    try:
        load.execute("BEGIN IMMEDIATE")  # the load goes on writing meanwhile
        deadline = time.monotonic() + 20
        while path.stat().st_size < 4 << 20 and time.monotonic() < deadline:
            load.execute("INSERT INTO t VALUES ('lagi')")
            time.sleep(0.05)
        load.execute("COMMIT")
        assert path.stat().st_size >= 4 << 20  # the committed pages reached the database file
    finally:
        checkpointer.stop()
    assert not checkpointer.is_alive()
    assert load.execute("SELECT count(*) FROM t").fetchone()[0] > 30_000
    load.close()


def test_checkpointer_on_a_file_it_cannot_open_just_stops(tmp_path):
    checkpointer = _Checkpointer(str(tmp_path / "tidak-ada" / "db.sqlite3"))
    checkpointer.start()
    checkpointer.join(timeout=5)
    assert not checkpointer.is_alive()
