"""A real Pulih server (gunicorn in its own process, own database) for browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Not Django's live_server: its transactional flush would wipe the region table that the
# pytest session loads once. This server migrates and loads reference data into a database
# of its own, exactly as `pulih run` does for a newcomer.
BIN = Path(sys.executable).parent
START_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "pgsql://"))


def _postgres_admin(url: str):  # noqa: ANN202 - psycopg is imported lazily
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url)
    params["dbname"] = "postgres"
    return psycopg.connect(make_conninfo(**params), autocommit=True, connect_timeout=5)


def _postgres_url_for(url: str, dbname: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{dbname}"))


@dataclass
class LiveServer:
    """Set up with `start()`, torn down with `stop()`; `shell()` runs code against its database."""

    var_dir: Path
    database_url: str = ""
    env: dict[str, str] = field(default_factory=dict)
    url: str = ""
    _process: subprocess.Popen | None = None
    _pg_dbname: str = ""
    _pg_created: bool = False

    @classmethod
    def for_test_run(
        cls, var_dir: Path, base_env: Mapping[str, str] | None = None, name: str = "browser"
    ) -> LiveServer:
        """SQLite under var_dir, or a fresh PostgreSQL database beside the run's own."""
        base = dict(os.environ if base_env is None else base_env)
        test_db = base.get("DATABASE_URL", "")
        server = cls(var_dir=var_dir)
        if _is_postgres(test_db):
            server._pg_dbname = f"pulih_{name}_{os.getpid()}"
            server.database_url = _postgres_url_for(test_db, server._pg_dbname)
        env = {
            **base,
            "DJANGO_SETTINGS_MODULE": "pulih.config.settings",
            "DATABASE_URL": server.database_url,
            "PULIH_VAR_DIR": str(var_dir),
            "PULIH_ALLOWED_HOSTS": "127.0.0.1",
            "PULIH_DEBUG": "false",
            "PYTHONUNBUFFERED": "1",
        }
        # The test run's own secrets or media settings must not leak into this server.
        for name in (
            "PULIH_MEDIA_ROOT",
            "PULIH_SECRET_KEY",
            "PULIH_FIELD_KEY",
            "PULIH_BLIND_INDEX_KEY",
        ):
            env.pop(name, None)
        server.env = env
        return server

    # --- lifecycle ------------------------------------------------------------------------

    def prepare(self) -> None:
        """The database alone, as `pulih run` leaves it: migrated, with reference data."""
        self.var_dir.mkdir(parents=True, exist_ok=True)
        if self._pg_dbname:
            with _postgres_admin(self.database_url) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self._pg_dbname}"')
                conn.execute(f'CREATE DATABASE "{self._pg_dbname}"')
            self._pg_created = True
        self.manage("run", "--no-serve")

    def start(self) -> None:
        self.prepare()
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        # The child keeps its own handle on the log; ours can close once it has started.
        with (self.var_dir / "gunicorn.log").open("wb") as log:
            self._process = subprocess.Popen(  # noqa: S603 - fixed argv, our own venv
                [
                    str(BIN / "gunicorn"),
                    "pulih.config.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "1",
                    "--threads",
                    "4",
                    "--timeout",
                    "120",
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as resp:  # noqa: S310
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT}s:\n{self.log_tail()}")

    @property
    def sqlite_path(self) -> Path:
        return self.var_dir / "pulih.sqlite3"

    def connect(self):  # noqa: ANN201 - a DB-API connection of either kind
        """A plain connection to this server's database, for polling from the test process."""
        if self._pg_dbname:
            import psycopg

            return psycopg.connect(self.database_url, autocommit=True)
        import sqlite3

        return sqlite3.connect(self.sqlite_path, timeout=30)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self._pg_created:
            with _postgres_admin(self.database_url) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self._pg_dbname}" WITH (FORCE)')
            self._pg_created = False

    def log_tail(self, lines: int = 40) -> str:
        path = self.var_dir / "gunicorn.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # --- talking to its database ------------------------------------------------------------

    def manage(self, *args: str) -> str:
        """Run a `pulih` management command with this server's settings; returns stdout."""
        done = subprocess.run(  # noqa: S603 - fixed argv, our own venv
            [str(BIN / "pulih"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise RuntimeError(f"pulih {args[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def shell(self, code: str) -> str:
        """Run Python in a Django shell against this server's database; returns what it prints."""
        return self.manage("shell", "--no-imports", "-c", code)
