"""Bulk writes into the registry tables: executemany on SQLite, COPY on PostgreSQL.

Used by the demo loader and the intake pipeline, which derive rows with the same functions
as registry.services and then write them here without the ORM.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue as queue_module
import sqlite3
import threading
import traceback
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote

import numpy as np
import polars as pl
from django.db import IntegrityError, connection

PERSON_COLUMNS = (
    "full_name", "name_search", "nik_ciphertext", "nik_hash", "nik_masked", "birth_place", "birth_date",
    "sex", "nik_birth_date_mismatch", "nik_sex_mismatch", "phone_ciphertext", "phone_hash",
    "phone_masked", "email", "address", "rt", "rw", "village_id", "region_code", "postcode",
    "verified_at", "created_at", "updated_at",
)  # fmt: skip
BUSINESS_COLUMNS = (
    "id", "owner_id", "name", "name_search", "nib", "kbli_section_id", "kbli_code", "ekraf_subsector_id",
    "description", "started_year", "capital", "annual_sales", "size_class", "employees",
    "monthly_turnover", "online_channels", "pandemic_impact", "pandemic_impact_note", "address",
    "village_id", "region_code", "status", "status_reason", "submitted_at", "decided_at",
    "decided_by_id", "created_at", "updated_at",
)  # fmt: skip
PRODUCT_COLUMNS = ("business_id", "name", "description", "price", "unit", "created_at")
# Rows for a writer: tuples, or (PostgreSQL's fast path) a frame whose columns are in the
# order of the statement's columns, sent as CSV without a Python value per cell.
Rows = Sequence[tuple[Any, ...]] | pl.DataFrame

EVENT_COLUMNS = (
    "business_id",
    "actor_id",
    "action",
    "from_status",
    "to_status",
    "reason",
    "changes",
    "at",
)


class Writer(Protocol):
    vendor: str

    def session(self, *, cache_mb: int = 128, defer_checkpoint: bool = False) -> Any: ...

    def persons_insert(
        self,
        rows: Rows,
        nik_hashes: list[str],
        columns: Sequence[str] = PERSON_COLUMNS,
    ) -> np.ndarray:
        """Insert, skipping NIKs already present; the new id of each row, 0 where skipped."""
        ...

    def ids_allocate(self, table: str, count: int) -> np.ndarray: ...

    def references_check(self, table: str, columns: Sequence[str], rows: Rows) -> None:
        """For values written by other means than insert() (an UPDATE): every foreign key among
        `columns` must point at an existing row. Only PostgreSQL with its triggers off checks
        here; otherwise the database itself does."""
        ...

    def insert(self, table: str, columns: Sequence[str], rows: Rows) -> None: ...

    def keys_in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """The condition "`column` is one of `values`" and its params: one statement without a
        temporary table, which the database answers by probing the column's index per value."""
        ...

    def select_keyed(
        self, table: str, columns: Sequence[str], column: str, values: Sequence[Any]
    ) -> tuple[str, list[Any]]:
        """SELECT `columns` FROM `table` for the rows whose `column` is one of `values` (many):
        the values drive the look-up, one index probe each, with no temporary index built."""
        ...

    def rows_keyed(
        self, table: str, columns: Sequence[str], column: str, values: Sequence[Any]
    ) -> list[tuple[Any, ...]]:
        """select_keyed, run: the rows themselves, once for a key asked twice. On PostgreSQL,
        COPY_KEYS_MIN values or more go to the server by COPY into a temporary table that the
        query joins."""
        ...

    def update_from(
        self,
        table: str,
        *,
        key: str,
        columns: Sequence[str],
        rows: Sequence[tuple[Any, ...]] | pl.DataFrame,
    ) -> None:
        """Set `columns` of the rows whose `key` is each row's first value: the new values go
        to a temporary table in bulk, then one UPDATE ... FROM joins it (both databases). A
        frame (its columns in that order) goes to PostgreSQL as CSV, without a Python tuple
        per row."""
        ...


def _ids_by_hash(found: Sequence[tuple[int, str]], nik_hashes: list[str]) -> np.ndarray:
    by_hash = {h: pk for pk, h in found}
    return np.array([by_hash.get(h, 0) for h in nik_hashes], dtype=np.int64)


class _Checkpointer(threading.Thread):
    """PASSIVE checkpoints, on a connection of its own, while a long load writes with the
    automatic checkpoints off: the pages committed so far are copied into the database file on
    the other core (sqlite3 lets go of the GIL while SQLite works), so the checkpoint left for
    the end of the load is a small one. A passive checkpoint never waits for or blocks the
    writer; one that fails only leaves more for the end."""

    INTERVAL_SECONDS = 1.0

    def __init__(self, path: str) -> None:
        super().__init__(name="pulih-sqlite-checkpoint", daemon=True)
        self.path = path
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            link = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        except sqlite3.Error:
            return
        try:
            link.execute("PRAGMA synchronous = NORMAL")
            while not self.stopping.wait(self.INTERVAL_SECONDS):
                link.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            return
        finally:
            link.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join()


class _SessionSettings:
    """A context manager that sets connection pragmas for the load and puts them back; with
    the automatic checkpoints off, a _Checkpointer copies the committed pages meanwhile."""

    def __init__(self, pragmas: dict[str, int]) -> None:
        self.pragmas = pragmas
        self.saved: dict[str, Any] = {}
        self.checkpointer: _Checkpointer | None = None

    def __enter__(self) -> None:
        with connection.cursor() as cursor:
            for name, value in self.pragmas.items():
                cursor.execute(f"PRAGMA {name}")
                self.saved[name] = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA {name} = {int(value)}")
        in_memory = connection.is_in_memory_db()  # type: ignore[attr-defined]  # SQLite's own
        if self.pragmas.get("wal_autocheckpoint") == 0 and not in_memory:
            self.checkpointer = _Checkpointer(str(connection.settings_dict["NAME"]))
            self.checkpointer.start()

    def __exit__(self, *exc: object) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        with connection.cursor() as cursor:
            for name, value in self.saved.items():
                cursor.execute(f"PRAGMA {name} = {int(value)}")
            if "wal_autocheckpoint" in self.saved and not connection.in_atomic_block:
                # The pages written during the load go to the database file once, here.
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _tuples(rows: Rows | Sequence[tuple[Any, ...]]) -> Iterable[Sequence[Any]]:
    return rows.iter_rows() if isinstance(rows, pl.DataFrame) else rows


def _copy_rows(cursor: Any, table: str, columns: Sequence[str], rows: Rows) -> None:
    """COPY `rows` into `table`: a frame (its columns in the order of `columns`) as CSV, which
    Polars writes in Rust with "" for an empty text and nothing for NULL, as COPY reads them;
    tuples through psycopg's row formatter."""
    names = ", ".join(columns)
    if isinstance(rows, pl.DataFrame):
        if rows.width != len(columns):
            raise ValueError(f"{table}: {rows.width} columns in the frame for {list(columns)}")
        data = rows.write_csv(include_header=False).encode()
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as copy:
            for at in range(0, len(data), 1 << 20):
                copy.write(data[at : at + (1 << 20)])
    else:
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _fetched(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _column_values(columns: Sequence[str], rows: Rows, column: str) -> set[Any]:
    """The distinct non-null values of `column` in `rows`."""
    at = list(columns).index(column)
    if isinstance(rows, pl.DataFrame):
        return set(rows.to_series(at).drop_nulls().unique().to_list())
    return {row[at] for row in rows if row[at] is not None}


class SqliteWriter:
    """executemany on the raw sqlite3 connection. Django opens each atomic block with BEGIN
    IMMEDIATE, so this chunk holds the write lock and new rowids are ours alone."""

    vendor = "sqlite"

    def session(self, *, cache_mb: int = 128, defer_checkpoint: bool = False) -> _SessionSettings:
        # 128 MB instead of SQLite's 2 MB: the random-order index inserts (hashes, names) then
        # mostly hit cached pages; measured 15% faster than 32 MB at 300,000 people.
        pragmas = {"cache_size": -cache_mb * 1000}
        if defer_checkpoint:
            # Checkpointing after every chunk copies the same hot index pages to the database
            # file again and again; once at the end writes each page once.
            pragmas["wal_autocheckpoint"] = 0
        return _SessionSettings(pragmas)

    def _raw(self) -> Any:
        connection.ensure_connection()
        return connection.connection.cursor()

    def persons_insert(
        self,
        rows: Rows,
        nik_hashes: list[str],
        columns: Sequence[str] = PERSON_COLUMNS,
    ) -> np.ndarray:
        marks = ", ".join("?" * len(columns))
        return self._persons_new(
            f"INSERT INTO registry_person ({', '.join(columns)}) VALUES ({marks}) "  # noqa: S608
            "ON CONFLICT (nik_hash) DO NOTHING",
            nik_hashes,
            _tuples(rows),
        )

    def persons_insert_from(
        self, source: str, nik_hashes: list[str], columns: Sequence[str] = PERSON_COLUMNS
    ) -> np.ndarray:
        """persons_insert() of the rows of `source` (a table with `columns` and `seq`, in the
        order of `nik_hashes`): one statement, no Python value per cell."""
        names = ", ".join(columns)
        # "WHERE true": an upsert's SELECT needs a WHERE, or ON CONFLICT reads as a join's ON.
        return self._persons_new(
            f"INSERT INTO registry_person ({names}) SELECT {names} FROM {source} "  # noqa: S608
            "WHERE true ORDER BY seq ON CONFLICT (nik_hash) DO NOTHING",
            nik_hashes,
        )

    def _persons_new(
        self, sql: str, nik_hashes: list[str], rows: Iterable[Sequence[Any]] | None = None
    ) -> np.ndarray:
        cursor = self._raw()
        before = cursor.execute("SELECT COALESCE(MAX(id), 0) FROM registry_person").fetchone()[0]
        if rows is None:
            cursor.execute(sql)
        else:
            cursor.executemany(sql, rows)
        found = cursor.execute(
            "SELECT id, nik_hash FROM registry_person WHERE id > ?", (before,)
        ).fetchall()
        return _ids_by_hash(found, nik_hashes)

    def references_check(self, table: str, columns: Sequence[str], rows: Rows) -> None:
        return  # SQLite checks its own (deferred) foreign keys at commit

    def ids_allocate(self, table: str, count: int) -> np.ndarray:
        # AUTOINCREMENT tables never reuse an id, so start above both the rows and the sequence.
        cursor = self._raw()
        top = cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), "  # noqa: S608
            "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0))",
            (table,),
        ).fetchone()[0]
        return np.arange(top + 1, top + 1 + count, dtype=np.int64)

    def insert(self, table: str, columns: Sequence[str], rows: Rows) -> None:
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
        self._raw().executemany(sql, _tuples(rows))

    def insert_from(
        self, table: str, columns: Sequence[str], select: str, params: Sequence[Any] = ()
    ) -> None:
        """INSERT INTO `table` (`columns`) `select`: rows that are already in the database (an
        attached side file, a temporary table) go in without passing through Python."""
        self._raw().execute(f"INSERT INTO {table} ({', '.join(columns)}) {select}", params)  # noqa: S608

    def keys_in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        # One JSON parameter: SQLite builds the list once and searches the index per value. A
        # join with a temporary key table let the planner scan the registry table instead.
        sql = f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        return sql, [json.dumps(list(values))]

    def select_keyed(
        self, table: str, columns: Sequence[str], column: str, values: Sequence[Any]
    ) -> tuple[str, list[Any]]:
        # CROSS JOIN keeps json_each outermost: `IN (SELECT ... json_each)` first builds a
        # temporary index of all the values (4-5 s for 475,000 NIK hashes; this, about 1 s).
        names = ", ".join(f"t.{c}" for c in columns)
        sql = (
            f"SELECT {names} FROM json_each(%s) AS j CROSS JOIN {table} AS t "  # noqa: S608
            f"ON t.{column} = j.value"
        )
        return sql, [json.dumps(list(values))]

    def rows_keyed(
        self, table: str, columns: Sequence[str], column: str, values: Sequence[Any]
    ) -> list[tuple[Any, ...]]:
        return _fetched(*self.select_keyed(table, columns, column, list(dict.fromkeys(values))))

    def update_from(
        self,
        table: str,
        *,
        key: str,
        columns: Sequence[str],
        rows: Sequence[tuple[Any, ...]] | pl.DataFrame,
    ) -> None:
        if len(rows) == 0:
            return
        names = (key, *columns)
        cursor = self._raw()
        cursor.execute("DROP TABLE IF EXISTS temp.bulk_update")
        cursor.execute(f"CREATE TEMP TABLE bulk_update ({', '.join(names)})")
        cursor.executemany(
            f"INSERT INTO bulk_update VALUES ({', '.join('?' * len(names))})",  # noqa: S608
            _tuples(rows),
        )
        assignments = ", ".join(f"{c} = bulk_update.{c}" for c in columns)
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM bulk_update "  # noqa: S608
            f"WHERE {table}.{key} = bulk_update.{key}"
        )
        cursor.execute("DROP TABLE temp.bulk_update")


def side_file_write(path: str, table: str, frame: pl.DataFrame, *, key: str = "") -> None:
    """A throw-away SQLite file holding `frame` in `table`, written under a temporary name and
    renamed, so a reader never sees half of it. The columns are untyped, so each value keeps
    its own type, as if bound to the real INSERT: integers, texts, NULLs; booleans become 0
    and 1 and dates ISO texts, as sqlite3 binds Python's. The ADBC SQLite driver binds the
    values straight from the frame's Arrow buffers, in C and in the process that calls this
    (the chunk helper): binding them from Python tuples cost the helper more than building
    them (bench/intake). The merge then copies them with one INSERT ... SELECT (see attached)."""
    # Imported here: the driver brings pyarrow (about 60 MB), needed only by the helper.
    import adbc_driver_sqlite.dbapi as adbc_sqlite

    pending = f"{path}.tmp"
    with suppress(FileNotFoundError):
        os.remove(pending)
    plain = frame.with_columns(pl.col(pl.Boolean).cast(pl.Int64), pl.col(pl.Date).cast(pl.String))
    names = [f"{c} INTEGER PRIMARY KEY" if c == key else c for c in plain.columns]
    with adbc_sqlite.connect(pending, autocommit=True) as link, link.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode = OFF")
        cursor.fetchall()
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.execute(f"CREATE TABLE {table} ({', '.join(names)})")
        cursor.execute("BEGIN")
        cursor.adbc_ingest(table, plain, mode="append")
        cursor.execute("COMMIT")
    os.replace(pending, path)


@contextmanager
def attached(path: str, alias: str) -> Iterator[None]:
    """The SQLite file `path` readable as schema `alias` on Django's connection for the block.
    ATTACH and DETACH are refused inside a transaction, so the block opens its own (and the
    caller checks connection.in_atomic_block first)."""
    connection.ensure_connection()
    # Read-only by URI (Django opens SQLite with uri=True): a missing file is an error here,
    # not an empty database created in its place.
    connection.connection.execute(f"ATTACH DATABASE ? AS {alias}", (f"file:{quote(path)}?mode=ro",))
    try:
        yield
    except BaseException:
        if connection.connection is not None:  # a failed rollback closes the connection
            with suppress(sqlite3.Error):
                connection.connection.execute(f"DETACH DATABASE {alias}")
        raise
    connection.connection.execute(f"DETACH DATABASE {alias}")


def _foreign_keys(table: str) -> list[tuple[str, str, str]]:
    """(column, parent table, parent column) of every foreign key a model's table holds."""
    from django.apps import apps
    from django.db.models import ForeignKey

    for model in apps.get_models():
        if model._meta.db_table == table:
            return [
                (str(f.column), f.related_model._meta.db_table, str(f.target_field.column))
                for f in model._meta.concrete_fields
                if isinstance(f, ForeignKey) and getattr(f, "db_constraint", True)
            ]
    return []


class _TriggerFreeSession:
    """`session_replication_role = replica` for this connection while a bulk load runs.

    PostgreSQL checks a foreign key with a trigger per inserted row: a query and a row lock on
    the parent, about a third of a 500,000-row import's time. In this session those triggers
    do not fire, and the writer checks the same references itself, set-based, after each
    insert (PostgresWriter.references_check): every parent must exist, and the parents that
    were not inserted by this very transaction are locked FOR KEY SHARE as the trigger would.
    Only the registry's own bulk writers use it; no table they write has triggers of its own.
    Setting the role needs superuser or, from PostgreSQL 15, `GRANT SET ON PARAMETER
    session_replication_role TO <role>`; without it the load runs with the triggers.
    """

    def __init__(self, writer: PostgresWriter) -> None:
        self.writer = writer

    def __enter__(self) -> None:
        from django.db import DatabaseError, transaction

        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
        except DatabaseError:
            self.writer.triggers_off = False
            return
        self.writer.triggers_off = True
        # Every bulk write on this connection goes through this writer while the triggers are
        # off, so none skips the set-based checks (writer_for_connection hands it out).
        connection.pulih_bulk_writer = self.writer  # type: ignore[attr-defined]

    def __exit__(self, *exc: object) -> None:
        if not self.writer.triggers_off:
            return
        self.writer.triggers_off = False
        connection.pulih_bulk_writer = None  # type: ignore[attr-defined]
        if connection.connection is None:
            return
        from django.db import DatabaseError

        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET session_replication_role")
        except DatabaseError:
            # The connection is broken (the load failed with it); a new one starts with the
            # default role, so close this one rather than hand it on.
            connection.close()


# From this many keys, PostgresWriter.rows_keyed sends them by COPY: 475,000 NIK hashes as one
# array parameter took 3.4 s (2.3 s of it psycopg adapting the values), by COPY and a join
# 0.7 s (bench: the scope check of an officer's 500,000-row import).
COPY_KEYS_MIN = 10_000


class DanglingReference(IntegrityError):
    """A bulk-inserted row points at a row that does not exist (see _TriggerFreeSession)."""


class PostgresWriter:
    """COPY (psycopg 3). Persons go through a temporary table so that ON CONFLICT can skip
    NIKs already present and RETURNING gives the new ids."""

    vendor = "postgresql"

    def __init__(self) -> None:
        self.triggers_off = False
        # Ids this transaction inserted, per table: they need no lock (nobody else sees them).
        self._own: dict[str, set[Any]] = {}
        self._own_txid: int | None = None
        self._sequences: dict[str, str] = {}

    def session(
        self, *, cache_mb: int = 128, defer_checkpoint: bool = False
    ) -> _TriggerFreeSession:
        return _TriggerFreeSession(self)

    def _raw(self) -> Any:
        connection.ensure_connection()
        return connection.connection.cursor()

    def _own_ids(self) -> dict[str, set[Any]]:
        with self._raw() as cursor:
            cursor.execute("SELECT txid_current()")
            txid = cursor.fetchone()[0]
        if txid != self._own_txid:
            self._own, self._own_txid = {}, txid
        return self._own

    def _inserted(self, table: str, ids: Sequence[Any]) -> None:
        if self.triggers_off:
            self._own_ids().setdefault(table, set()).update(ids)

    def references_check(self, table: str, columns: Sequence[str], rows: Rows) -> None:
        """What the skipped foreign-key triggers would have done, one query per reference."""
        if not self.triggers_off or len(rows) == 0:
            return
        own = self._own_ids()
        with self._raw() as cursor:
            for column, parent, parent_column in _foreign_keys(table):
                if column not in columns:
                    continue
                wanted = _column_values(columns, rows, column)
                others = list(wanted - own.get(parent, set()))
                if not others:
                    continue
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT 1 FROM {parent} "  # noqa: S608
                    f"WHERE {parent_column} = ANY(%s) FOR KEY SHARE) locked",
                    (others,),
                )
                found = cursor.fetchone()[0]
                if found != len(others):
                    raise DanglingReference(
                        f"{table}.{column}: {len(others) - found} of {len(others)} values "
                        f"have no row in {parent}"
                    )

    def persons_insert(
        self,
        rows: Rows,
        nik_hashes: list[str],
        columns: Sequence[str] = PERSON_COLUMNS,
    ) -> np.ndarray:
        names = ", ".join(columns)
        with self._raw() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE bulk_person_stage AS SELECT {names} "  # noqa: S608
                "FROM registry_person WITH NO DATA"
            )
            _copy_rows(cursor, "bulk_person_stage", columns, rows)
            cursor.execute(
                f"INSERT INTO registry_person ({names}) SELECT {names} FROM bulk_person_stage "  # noqa: S608
                "ON CONFLICT (nik_hash) DO NOTHING RETURNING id, nik_hash"
            )
            found = cursor.fetchall()
            # Dropped here, not ON COMMIT: inside an outer transaction (tests) there is no commit.
            cursor.execute("DROP TABLE bulk_person_stage")
        self.references_check("registry_person", columns, rows)
        self._inserted("registry_person", [pk for pk, _ in found])
        return _ids_by_hash(found, nik_hashes)

    def ids_allocate(self, table: str, count: int) -> np.ndarray:
        with self._raw() as cursor:
            sequence = self._sequences.get(table)
            if sequence is None:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,))
                sequence = self._sequences[table] = cursor.fetchone()[0]
            # The sequence named once (not looked up per row), the ids as one array value.
            cursor.execute(
                "SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)",
                (sequence, count),
            )
            return np.array(cursor.fetchone()[0] or [], dtype=np.int64)

    def insert(self, table: str, columns: Sequence[str], rows: Rows) -> None:
        if len(rows) == 0:
            return
        with self._raw() as cursor:
            _copy_rows(cursor, table, columns, rows)
        self.references_check(table, columns, rows)
        if "id" in columns:
            self._inserted(table, list(_column_values(columns, rows, "id")))

    def keys_in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        return f"{column} = ANY(%s)", [list(values)]

    def select_keyed(
        self, table: str, columns: Sequence[str], column: str, values: Sequence[Any]
    ) -> tuple[str, list[Any]]:
        names = ", ".join(columns)
        return f"SELECT {names} FROM {table} WHERE {column} = ANY(%s)", [list(values)]  # noqa: S608

    def rows_keyed(
        self, table: str, columns: Sequence[str], column: str, values: Sequence[Any]
    ) -> list[tuple[Any, ...]]:
        values = list(dict.fromkeys(values))  # a key asked twice gives its rows once
        if len(values) < COPY_KEYS_MIN:
            return _fetched(*self.select_keyed(table, columns, column, values))
        from django.db import transaction

        names = ", ".join(f"t.{c}" for c in columns)
        keys = pl.DataFrame({"key": pl.Series(values)})
        # In a transaction of its own (a savepoint inside another): on any failure the table
        # goes with the rollback instead of staying in the session to collide with the next.
        with transaction.atomic(), self._raw() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE bulk_keys AS SELECT {column} AS key FROM {table} "  # noqa: S608
                "WITH NO DATA"
            )
            _copy_rows(cursor, "bulk_keys", ("key",), keys)
            cursor.execute("ANALYZE bulk_keys")  # its size, for the join's plan
            cursor.execute(
                f"SELECT {names} FROM bulk_keys k JOIN {table} t ON t.{column} = k.key"  # noqa: S608
            )
            rows = list(cursor.fetchall())
            cursor.execute("DROP TABLE bulk_keys")
        return rows

    def update_from(
        self,
        table: str,
        *,
        key: str,
        columns: Sequence[str],
        rows: Sequence[tuple[Any, ...]] | pl.DataFrame,
    ) -> None:
        if len(rows) == 0:
            return
        names = ", ".join((key, *columns))
        with self._raw() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE bulk_update AS SELECT {names} FROM {table} "  # noqa: S608
                "WITH NO DATA"
            )
            _copy_rows(cursor, "bulk_update", (key, *columns), rows)
            assignments = ", ".join(f"{c} = bulk_update.{c}" for c in columns)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM bulk_update "  # noqa: S608
                f"WHERE {table}.{key} = bulk_update.{key}"
            )
            cursor.execute("DROP TABLE bulk_update")


WRITERS: dict[str, type[SqliteWriter] | type[PostgresWriter]] = {
    "sqlite": SqliteWriter,
    "postgresql": PostgresWriter,
}


@contextmanager
def replica_role_local() -> Iterator[bool]:
    """`SET LOCAL session_replication_role = replica` for the block, inside the caller's
    transaction: row triggers (the foreign-key checks) do not fire; CHECK and UNIQUE
    constraints apply as always. Yields whether it took: it needs superuser or `GRANT SET ON
    PARAMETER session_replication_role` (PostgreSQL 15), and does nothing on SQLite."""
    from django.db import DatabaseError, transaction

    if connection.vendor != "postgresql":
        yield False
        return
    if not connection.in_atomic_block:
        raise RuntimeError("replica_role_local() belongs inside transaction.atomic()")
    try:
        # In a savepoint: a refused SET must not abort the caller's transaction.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        yield False
        return
    try:
        yield True
    finally:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        except DatabaseError:
            pass  # the transaction failed and rolls back, which resets the role as well


def key_share(table: str, row_id: int) -> None:
    """Hold a parent row as a foreign-key check would (for writes inside replica_role_local)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {table} WHERE id = %s FOR KEY SHARE",  # noqa: S608 - our table
                [row_id],
            )


@contextmanager
def references_checked_in_bulk() -> Iterator[None]:
    """Within the current transaction, the bulk inserts made through writer_for_connection()
    skip PostgreSQL's per-row foreign-key triggers, and the writer checks the same references
    itself, one query per reference (see _TriggerFreeSession).

    For the money steps: approving 400,000 recipients inserts as many payments and ledger
    entries, eight references each, whose deferred per-row checks took ~10 s at commit. Only
    bulk writes belong inside: an ORM insert here would go unchecked.
    """
    if getattr(connection, "pulih_bulk_writer", None):
        yield  # already in a bulk session: its writer checks
        return
    with replica_role_local() as took:
        if not took:
            yield
            return
        writer = PostgresWriter()
        writer.triggers_off = True
        connection.pulih_bulk_writer = writer  # type: ignore[attr-defined]
        try:
            yield
        finally:
            writer.triggers_off = False
            connection.pulih_bulk_writer = None  # type: ignore[attr-defined]


def writer_for_connection() -> SqliteWriter | PostgresWriter:
    active = getattr(connection, "pulih_bulk_writer", None)
    if active is not None:
        return active  # type: ignore[no-any-return]
    if connection.vendor not in WRITERS:
        raise NotImplementedError(f"Bulk writes are not implemented for {connection.vendor}.")
    return WRITERS[connection.vendor]()


class WorkerError(RuntimeError):
    pass


def _spawned_produce(queue: Any, producer: str, kwargs: dict[str, Any], ready: str) -> None:
    try:
        import importlib
        import os
        import time

        from pulih.helper_process import django_setup

        parent = os.getppid()
        django_setup()
        module, name = producer.split(":")
        function = getattr(importlib.import_module(module), name)
        while ready and not os.path.exists(ready):
            if os.getppid() != parent:
                return  # the parent is gone (killed): nobody will read what we make
            time.sleep(0.05)
        for item in function(**kwargs):
            # A parent killed with SIGKILL cannot stop us: notice it and end, rather than wait
            # forever on a full queue.
            while True:
                try:
                    queue.put(item, timeout=1)
                    break
                except queue_module.Full:
                    if os.getppid() != parent:
                        return
            del item
        queue.put(None)
    except BaseException:  # the parent re-raises it; not every exception pickles, text does
        queue.put(WorkerError(traceback.format_exc()))


class spawned_iter:  # noqa: N801 - used like the generator function it replaced
    """The items of `module:function(**kwargs)`, produced one ahead in a fresh interpreter.

    The process starts here, not at the first `next()`: its start-up (an interpreter, Django,
    the input) overlaps whatever the caller does before it asks for the first item. With
    `ready`, the child starts up, then waits for that path to exist before calling the
    producer (for input the caller is still writing). Spawn, unlike fork, is safe with
    libraries that run thread pools (Polars), and the child reads what it needs itself instead
    of inheriting the parent's memory. `close()` stops the child.
    """

    def __init__(self, producer: str, *, ready: str = "", **kwargs: Any) -> None:
        context = multiprocessing.get_context("spawn")
        self.queue = context.Queue(maxsize=2)
        self.worker = context.Process(
            target=_spawned_produce, args=(self.queue, producer, kwargs, ready), daemon=True
        )
        self.worker.start()
        self.done = False

    def __iter__(self) -> spawned_iter:
        return self

    def __next__(self) -> Any:
        if self.done:
            raise StopIteration
        item = self.queue.get()
        if item is None:
            self.close()
            raise StopIteration
        if isinstance(item, WorkerError):
            self.close()
            raise item
        return item

    def close(self) -> None:
        self.done = True
        if self.worker.is_alive():
            self.worker.terminate()
        self.worker.join()


# --- reading many rows, and timestamps as the bulk writers store them -----------------------


def query_frame(sql: str, params: Sequence[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """Rows of a query as a typed frame. PostgreSQL streams them as CSV through COPY, which is
    several times quicker than building a Python tuple per row; SQLite fetches them."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        raw = connection.connection
        with raw.cursor() as cursor:
            chunks = []
            with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
                for block in copy:
                    chunks.append(bytes(block))
        data = b"".join(chunks)
        if not data:
            return pl.DataFrame(schema=schema)
        bools = [name for name, dtype in schema.items() if dtype == pl.Boolean]
        frame = pl.read_csv(
            data,
            has_header=False,
            new_columns=list(schema),
            schema_overrides={
                name: (pl.String if dtype == pl.Boolean else dtype)
                for name, dtype in schema.items()
            },
            infer_schema=False,
        )
        # PostgreSQL writes booleans as t/f; a CASE expression gives 1/0.
        return (
            frame.with_columns(pl.col(b).is_in(["t", "1", "true"]) for b in bools)
            if bools
            else frame
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    frame = pl.DataFrame(rows, schema=list(schema), orient="row")
    return frame.cast({k: v for k, v in schema.items()}, strict=False)


def db_timestamp(value: datetime) -> str:
    """A timestamp as the bulk writers store it: naive UTC text on SQLite (as Django writes
    it), with the offset on PostgreSQL."""
    text = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return f"{text}+00" if connection.vendor == "postgresql" else text
