"""Shared by the benchmarks: run a command in its own process and measure it (wall time, peak
memory of its whole process tree), and give each round a fresh copy of a prepared database
(SQLite: the file; PostgreSQL: CREATE DATABASE ... TEMPLATE ...)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PULIH = [sys.executable, "-m", "pulih"]
PG_URL = "postgres://postgres@127.0.0.1:5432"


class BenchError(RuntimeError):
    pass


@dataclass
class Measured:
    """One process run to its end: wall seconds, peak memory, its last stdout line, and the CPU
    seconds (user + system) of the process and the helpers it waited for (not a database
    server's own processes)."""

    seconds: float
    peak_mb: float
    output: dict[str, Any]
    cpu_seconds: float = float("nan")
    # CPU seconds of the local PostgreSQL server's processes during the run (see server_cpu).
    server_cpu_seconds: float = float("nan")


def _proc_stats() -> Iterator[tuple[int, str, list[str]]]:
    """(pid, command name, the stat fields after the name) of every process that can be read.
    The name is in parentheses and may hold spaces, so the fields are split after its ")"."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        head, tail = stat.rsplit(")", 1)
        yield int(entry.name), head.split("(", 1)[1], tail.split()


def _process_tree(root: int) -> list[int]:
    # ppid is the 2nd field after the name.
    parent = {pid: int(fields[1]) for pid, _name, fields in _proc_stats()}
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, ppid in parent.items() if ppid in frontier]
        tree += frontier
    return tree


def server_cpu(name: str = "postgres") -> float:
    """CPU seconds (user + system) so far of every process called `name` on this machine, with
    the children each has waited for: the postmaster reaps its ended backends, so a backend's
    time stays counted after it exits. The difference over a run is what a local server spent
    on it (and on anything else it served meanwhile); NaN when none can be read (a server on
    another machine, or another user's processes)."""
    # utime, stime, cutime and cstime: fields 14-17 of stat, 12-15 after the name.
    ticks = [sum(int(v) for v in f[11:15]) for _pid, n, f in _proc_stats() if n == name]
    return sum(ticks) / os.sysconf("SC_CLK_TCK") if ticks else float("nan")


def _memory_kb(pid: int) -> int:
    """Proportional set size: shared pages split between the processes sharing them, so the
    sum over a process tree does not count a worker's inherited pages twice."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory(threading.Thread):
    """Samples the summed memory of a process and all its descendants (worker pools included)."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            # Without the root: that is the small wrapper process, not the command.
            total = sum(_memory_kb(pid) for pid in _process_tree(self.pid)[1:])
            self.peak_kb = max(self.peak_kb, total)


# Starts the measured command as a fresh fork of this small process and reports its ru_maxrss.
# Linux carries a process's peak RSS across exec(), and Popen's vfork child shares this
# benchmark's memory until it execs: started straight from here, a command would report this
# (large, it holds the generated list) process's peak whenever that is the higher one.
WRAPPER = """
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(f"{usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
sys.exit(os.waitstatus_to_exitcode(status))
"""

# A fixed amount of plain Python work, timed in a fresh interpreter: these machines differ
# (and vary during a session) by a factor of two or three, and the targets are in seconds, so
# every run says how fast its machine was.
_CALIBRATION = "s = 0\nfor i in range(20_000_000):\n    s += i"


def machine_speed(runs: int = 3) -> float:
    """Median seconds of a Python loop of 20 million additions."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", _CALIBRATION], check=True)
        times.append(time.perf_counter() - began)
    return sorted(times)[len(times) // 2]


def run_measured(cmd: list[str], env: dict[str, str], log: Path) -> Measured:
    """Wall time from start to exit, and peak memory of the command with its children.

    Peak memory is the larger of the command's ru_maxrss (the largest single process in its
    tree, exact even for a short spike) and the sampled sum over its process tree (which
    catches worker processes running side by side).
    """
    out, err = log.with_suffix(".out"), log.with_suffix(".err")
    maxrss = log.with_suffix(".maxrss")
    with out.open("wb") as stdout, err.open("wb") as stderr:
        server_before = server_cpu()
        began = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", WRAPPER, str(maxrss), *cmd],
            env=env,
            stdout=stdout,
            stderr=stderr,
            cwd=ROOT,
        )
        sampler = TreeMemory(proc.pid)
        sampler.start()
        proc.wait()
        seconds = time.perf_counter() - began
        server_seconds = server_cpu() - server_before
        sampler.done.set()
        sampler.join()
    if proc.returncode:
        tail = err.read_text(errors="replace").strip().splitlines()[-15:]
        raise BenchError(f"{' '.join(cmd[2:])} exited {proc.returncode}:\n" + "\n".join(tail))
    lines = out.read_text().strip().splitlines()
    try:
        output = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError as exc:
        raise BenchError(f"{' '.join(cmd[2:])}: last line is not JSON: {lines[-1]!r}") from exc
    rss_kb, cpu = maxrss.read_text().split()
    peak_kb = max(int(rss_kb), sampler.peak_kb)
    return Measured(
        seconds=seconds,
        peak_mb=peak_kb / 1024,
        output=output,
        cpu_seconds=float(cpu),
        server_cpu_seconds=server_seconds,
    )


def run_checked(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise BenchError(f"{' '.join(cmd[2:])} exited {done.returncode}:\n{done.stderr[-3000:]}")


# --- databases ---------------------------------------------------------------------------------


class Sqlite:
    label = "SQLite"

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "sqlite"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.template = self.dir / "template.sqlite3"
        self.current = self.dir / "round.sqlite3"

    def template_create(self) -> str:
        return f"sqlite:///{self.template}"

    def after_template(self) -> None:
        # Fold the WAL into the main file so that copying one file copies everything.
        with sqlite3.connect(self.template) as con:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.execute("PRAGMA journal_mode=DELETE")
        con.close()

    def fresh(self) -> str:
        self.drop()
        shutil.copyfile(self.template, self.current)
        return f"sqlite:///{self.current}"

    def drop(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.current}{suffix}").unlink(missing_ok=True)

    def drop_template(self) -> None:
        self.template.unlink(missing_ok=True)


class Postgres:
    label = "PostgreSQL"

    def __init__(self, url: str, name: str) -> None:
        self.url = url.rstrip("/")
        self.database = name
        self.template = f"{name}_template"

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(f"{self.url}/postgres", autocommit=True, connect_timeout=3)

    def reachable(self) -> str:
        """The server version, or "" when nobody answers."""
        try:
            with self._admin() as con:
                return str(con.execute("SHOW server_version").fetchone()[0])
        except Exception:  # noqa: BLE001 - any failure to connect means "skip PostgreSQL"
            return ""

    def _recreate(self, name: str, template: str = "") -> None:
        with self._admin() as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            suffix = f' TEMPLATE "{template}"' if template else ""
            con.execute(f'CREATE DATABASE "{name}"{suffix}')

    def template_create(self) -> str:
        self._recreate(self.template)
        return f"{self.url}/{self.template}"

    def after_template(self) -> None:
        import psycopg

        # Statistics as autovacuum would have them on a registry that has been running a while.
        with psycopg.connect(f"{self.url}/{self.template}", autocommit=True) as con:
            con.execute("VACUUM ANALYZE")

    def fresh(self) -> str:
        self._recreate(self.database, self.template)
        return f"{self.url}/{self.database}"

    def drop(self) -> None:
        with self._admin() as con:
            con.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def drop_template(self) -> None:
        with self._admin() as con:
            con.execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
