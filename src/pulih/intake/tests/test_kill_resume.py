"""kill -9 at any point, then resume: the registry ends exactly as an uninterrupted import leaves it.

Real processes on a real database of their own (SQLite file, or a PostgreSQL database in the
PostgreSQL pass): `pulih intake` is started, killed with SIGKILL while staging and again in
the middle of the merge (with small chunks, almost surely inside an open transaction), then
resumed with `pulih intake --resume`. A second database gets the same file without
interruption. Both end states are compared by natural keys, since PostgreSQL sequences do not
roll back and ids may differ.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from pulih.config.secrets import SECRET_NAMES, generate
from pulih.intake.tests.files import row, write_csv
from pulih.testing.factories import build_nik
from pulih.testing.liveserver import BIN, LiveServer

CHUNK_ROWS = "150"

DUMP = r"""
import json
from pulih.registry.models import Business, Person, RegistrationEvent
from pulih.intake.models import IntakeJob, IntakeRecord, ProposedChange
persons = sorted(
    [*p[:-1], p[-1] is None] for p in Person.objects.values_list(
        "nik_hash", "full_name", "name_titles", "name_search", "nik_masked", "birth_place",
        "birth_date", "sex", "phone_hash", "phone_masked", "email", "address", "rt", "rw",
        "village_id", "region_code", "district_code", "postcode", "nik_birth_date_mismatch",
        "nik_sex_mismatch", "verified_at",
    )
)
businesses = sorted(
    list(b) for b in Business.objects.values_list(
        "owner__nik_hash", "name", "name_search", "nib", "status", "kbli_section_id",
        "kbli_code", "description", "started_year", "capital", "annual_sales", "employees",
        "monthly_turnover", "online_channels", "pandemic_impact", "address", "village_id",
        "region_code", "size_class",
    )
)
events = sorted(
    list(e) for e in RegistrationEvent.objects.values_list(
        "business__owner__nik_hash", "business__name", "actor__username", "action",
        "from_status", "to_status", "reason", "changes",
    )
)
records = sorted(
    list(r) for r in IntakeRecord.objects.filter(job__original_name="utama.csv").values_list(
        "row_number", "person__nik_hash", "business__name", "outcome",
    )
)
changes = sorted(
    list(c) for c in ProposedChange.objects.values_list(
        "row_number", "person__nik_hash", "field", "value_key", "status",
    )
)
job = IntakeJob.objects.filter(original_name="utama.csv").get()
print(json.dumps({
    "persons": persons, "businesses": businesses, "events": events, "records": records,
    "changes": changes, "counts": job.counts(), "status": job.status,
    "merged": job.rows_merged,
}, default=str))
"""

VERIFY_FIRST = r"""
from pulih.intake.system import intake_system_user
from pulih.registry.models import Business
from pulih.registry.services import registration_verify
actor = intake_system_user()
for business in Business.objects.order_by("id")[:40]:
    registration_verify(actor=actor, business=business)
"""


def _nik(i: int) -> str:
    return build_nik("31.75.07", date(1950 + i // 9000, 1 + i % 12, 1 + i % 28), "L", i % 9000 + 1)


def _rows(range_: range, **changes: str) -> list[list[str]]:
    return [
        row(
            i,
            nik=_nik(i),
            sex="L",
            name=f"Warga {i}",
            place_date=f"JAKARTA, {date(1950 + i // 9000, 1 + i % 12, 1 + i % 28):%d-%m-%Y}",
            business=f"Usaha {i}",
            **changes,
        )  # fmt: skip
        for i in range_
    ]


def _server(
    tmp_path: Path, name: str, keys: dict[str, str], *, parallel_min_rows: str = "1000"
) -> LiveServer:
    server = LiveServer.for_test_run(tmp_path / name, name=f"kill_{name}")
    server.env.update(keys)
    # By default small enough that this file takes the two-process paths of a large import.
    server.env["PULIH_INTAKE_PARALLEL_MIN_ROWS"] = parallel_min_rows
    server.env["PULIH_INTAKE_REPORT_HELPER_MIN_ROWS"] = "1"
    server.prepare()
    return server


def _intake(server: LiveServer, *args: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own venv, fixed argv
        [str(BIN / "pulih"), "intake", *args, "--chunk-rows", CHUNK_ROWS, "--json"],
        env=server.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _job_id(server: LiveServer) -> int:
    return json.loads(server.shell(
        "from pulih.intake.models import IntakeJob\n"
        "print(IntakeJob.objects.get(original_name='utama.csv').pk)"
    ))  # fmt: skip


def _job_state(server: LiveServer) -> tuple[str, int, int] | None:
    try:
        conn = server.connect()
    except Exception:  # the database is being written; try again
        return None
    try:
        cur = conn.cursor()
        cur.execute(
            "SELECT phase, rows_merged, rows_accepted FROM intake_intakejob "
            "WHERE original_name = 'utama.csv' ORDER BY id DESC LIMIT 1"
        )
        found = cur.fetchone()
        return tuple(found) if found else None
    except Exception:
        return None
    finally:
        conn.close()


def _kill_when(server: LiveServer, process: subprocess.Popen, ready, timeout: float = 120) -> str:
    """SIGKILL the import once `ready(state)` holds; returns what the job showed at that moment."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = _job_state(server)
        if process.poll() is not None:
            pytest.fail(f"the import finished before it could be killed (last state {state})")
        if state and ready(state):
            process.send_signal(signal.SIGSTOP)  # freeze it exactly here, then kill
            frozen = _job_state(server) or state
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return f"{frozen[0]} {frozen[1]}/{frozen[2]}"
        time.sleep(0.005)
    pytest.fail("the import never reached the state to kill it in")


def test_kill_9_at_any_point_then_resume_equals_an_uninterrupted_import(tmp_path):
    # Both databases share keys, so that blind indexes (nik_hash) compare across them.
    keys = dict(zip(SECRET_NAMES, generate().values(), strict=True))
    killed = _server(tmp_path, "a", keys)
    # The uninterrupted import takes the one-process path (on SQLite: tuples, where the helper
    # of the killed one hands over side files), so the comparison also shows that both paths
    # write the same registry.
    calm = _server(tmp_path, "b", keys, parallel_min_rows="1000000000")
    try:
        first = write_csv(tmp_path / "awal.csv", _rows(range(1, 201)))
        main_rows = (
            _rows(range(1, 51), address="Jl. Pindah 7")  # existing; 1-40 verified: proposals
            + _rows(range(1000, 4000))
            + _rows(range(1000, 1030))  # duplicates inside the file
            + [row(9000, nik="123"), row(9001, village="Tidak Ada")]
        )
        main = write_csv(tmp_path / "utama.csv", main_rows)
        for server in (killed, calm):
            server.manage("intake", str(first), "--source", "Dinas Awal")
            server.shell(VERIFY_FIRST)

        # 1. killed while reading and checking the file
        process = _intake(killed, str(main), "--source", "Dinas Uji")
        where_1 = _kill_when(killed, process, lambda s: s[0] in ("reading", "checking", "merging"))
        job_id = _job_id(killed)
        # 2. resumed, then killed again in the middle of the merge
        process = _intake(killed, "--resume", str(job_id))
        where_2 = _kill_when(killed, process, lambda s: s[0] == "merging" and 0 < s[1] < s[2] // 2)
        # 3. resumed to the end
        resumed = _intake(killed, "--resume", str(job_id))
        out, _ = resumed.communicate(timeout=300)
        assert resumed.returncode == 0, out
        calm.manage("intake", str(main), "--source", "Dinas Uji")

        after_kill = json.loads(killed.shell(DUMP))
        uninterrupted = json.loads(calm.shell(DUMP))
        assert after_kill["status"] == "done", (where_1, where_2)
        assert after_kill["counts"]["rows_created"] == 3000
        assert after_kill["counts"]["rows_duplicate"] == 30
        assert after_kill["counts"]["changes_proposed"] == 40
        for key in ("persons", "businesses", "events", "records", "changes", "counts", "merged"):
            assert after_kill[key] == uninterrupted[key], (key, where_1, where_2)
        report = json.loads(out.strip().splitlines()[-1])
        assert report["rows_created"] == 3000
        # Written by the report helper of the last run; the killed runs' helpers left nothing.
        refused = list(openpyxl.load_workbook(report["report"], read_only=True)["Ditolak"].values)
        assert [r[1] for r in refused[1:]].count("Duplikat") == 30
        assert len(refused) == 1 + 32
        assert not list(Path(report["report"]).parent.glob("*.tmp.xlsx"))
        assert not list(Path(report["report"]).parent.glob("side-*"))  # side files removed
    finally:
        killed.stop()
        calm.stop()


FAIL_ON_NAMES = {
    # A real database error inside a chunk: a trigger refuses the businesses named in a table.
    # ENABLE ALWAYS, since the PostgreSQL bulk load switches ordinary triggers off.
    "postgresql": [
        "CREATE TABLE test_fail (name text)",
        "CREATE FUNCTION test_fail_check() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF EXISTS (SELECT 1 FROM test_fail WHERE name = NEW.name) THEN "
        "RAISE EXCEPTION 'gagal: %', NEW.name; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER test_fail BEFORE INSERT ON registry_business FOR EACH ROW "
        "EXECUTE FUNCTION test_fail_check()",
        "ALTER TABLE registry_business ENABLE ALWAYS TRIGGER test_fail",
    ],
    "sqlite": [
        "CREATE TABLE test_fail (name TEXT)",
        "CREATE TRIGGER test_fail BEFORE INSERT ON registry_business "
        "WHEN EXISTS (SELECT 1 FROM test_fail WHERE name = NEW.name) "
        "BEGIN SELECT RAISE(ABORT, 'gagal'); END",
    ],
}


def _sql(server: LiveServer, *statements: str) -> None:
    conn = server.connect()
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def _merged_after_failure(server: LiveServer, *args: str) -> int:
    """Run `pulih intake *args`, which must fail; the checkpoint it left."""
    process = _intake(server, *args)
    process.communicate(timeout=300)
    assert process.returncode != 0
    state = _job_state(server)
    assert state is not None, "no job"
    return state[1]


def test_a_chunk_failing_in_either_lane_leaves_whole_chunks_and_the_resume_completes(tmp_path):
    # On PostgreSQL a large merge runs two chunks at a time on two connections (lanes), each
    # committing after the one before it. A chunk failing must leave exactly the chunks before
    # it (the one after it, in the other lane, rolls back), and the resumed run the state of an
    # uninterrupted import. The same chunk fails first as a run's third chunk (written beside
    # the one before it), then as the first chunk of the resumed run (which locks the job
    # first), then a later chunk fails.
    keys = dict(zip(SECRET_NAMES, generate().values(), strict=True))
    failing = _server(tmp_path, "a", keys)
    calm = _server(tmp_path, "b", keys, parallel_min_rows="1000000000")
    try:
        rows = _rows(range(1000, 2000))  # 1,000 new people: chunks of 150, in file order
        rows[310][12] = "Usaha Gagal Genap"  # chunk 2
        rows[760][12] = "Usaha Gagal Ganjil"  # chunk 5, the resumed run's fourth
        main = write_csv(tmp_path / "utama.csv", rows)
        vendor = "postgresql" if failing.database_url.startswith("postgres") else "sqlite"
        _sql(failing, *FAIL_ON_NAMES[vendor], "INSERT INTO test_fail VALUES ('Usaha Gagal Genap')")

        # chunks 0 and 1 merged; 2 and 3 not
        assert _merged_after_failure(failing, str(main), "--source", "Dinas Uji") == 300

        job_id = _job_id(failing)
        assert _merged_after_failure(failing, "--resume", str(job_id)) == 300

        _sql(failing, "UPDATE test_fail SET name = 'Usaha Gagal Ganjil'")
        # 2, 3 and 4 merged; not 5 and 6
        assert _merged_after_failure(failing, "--resume", str(job_id)) == 750

        _sql(failing, "DELETE FROM test_fail")
        last = _intake(failing, "--resume", str(job_id))
        out, _ = last.communicate(timeout=300)
        assert last.returncode == 0, out
        calm.manage("intake", str(main), "--source", "Dinas Uji")

        resumed = json.loads(failing.shell(DUMP))
        uninterrupted = json.loads(calm.shell(DUMP))
        assert resumed["status"] == "done"
        assert resumed["counts"]["rows_created"] == 1000
        for key in ("persons", "businesses", "events", "records", "changes", "counts", "merged"):
            assert resumed[key] == uninterrupted[key], key
    finally:
        failing.stop()
        calm.stop()
