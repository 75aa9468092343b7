"""Real processes on a real database of their own (SQLite file, or a PostgreSQL database in the
PostgreSQL pass): two approvers approving one list at the same moment still create each
payment once; `pulih payments batch` killed with SIGKILL at each step of making a batch, then
run again, ends with the same batches, lines and file bytes as a run never interrupted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulih.payments.tests.servers import PEOPLE, clone, prepared
from pulih.testing.liveserver import BIN, LiveServer

APPROVE = r"""
import os, time
from pathlib import Path
from django.db import connection
from pulih.accounts.models import User
from pulih.programmes import services
from pulih.programmes.error_codes import ProgrammeError
from pulih.programmes.models import Decision

approver = User.objects.get(username=os.environ["TEST_APPROVER"])
decision = Decision.objects.get(pk=int(os.environ["TEST_DECISION"]))
connection.ensure_connection()
print("READY", flush=True)
start = Path(os.environ["TEST_START"])
while not start.exists():
    time.sleep(0.0005)
try:
    services.decision_approve(actor=approver, decision=decision)
    print("approved", flush=True)
except ProgrammeError as exc:
    print(exc.code.value, flush=True)
"""

MONEY = r"""
import json
from django.db.models import Count, Sum
from pulih.payments.models import Payment
from pulih.programmes.models import LedgerEntry, Round
round_obj = Round.objects.get()
print(json.dumps({
    "payments": Payment.objects.count(),
    "persons": Payment.objects.values("person").distinct().count(),
    "committed": round_obj.committed,
    "ledger": list(LedgerEntry.objects.values("kind").annotate(n=Count("id"), total=Sum("amount"))
                   .order_by("kind").values_list("kind", "n", "total")),
    "approved": list(round_obj.decisions.values_list("status", "decided_by__username")),
}))
"""

# `pulih payments batch` under a fixed clock (the file says when the batch was made: both runs
# must say the same), stopped where TEST_KILL_AT says: it prints READY there and waits to be
# killed. The stops wrap the real functions; nothing in the product knows about them.
BATCH = r"""
import contextlib, importlib, os, time
from datetime import datetime, timezone
from unittest import mock
from django.core.management import call_command

STOPS = {
    "in_transaction": ("pulih.payments.pipeline.payments_of_batch_set", "after"),
    "before_files": ("pulih.payments.services.batch_files_write", "before"),
    "csv_written": ("pulih.payments.files.transfer_xlsx_write", "before"),
    "xlsx_half_written": ("pulih.payments.files._sheet_rows", "after"),
    "hashes_not_saved": ("pulih.payments.files.transfer_xlsx_write", "after"),
}

def stop():
    print("READY", flush=True)
    time.sleep(300)

def stopping(path, when):
    module_name, name = path.rsplit(".", 1)
    module = importlib.import_module(module_name)
    original = getattr(module, name)
    def wrapper(*args, **kwargs):
        if when == "before":
            stop()
        result = original(*args, **kwargs)
        if when == "after":
            stop()
        return result
    return mock.patch.object(module, name, wrapper)

with contextlib.ExitStack() as stack:
    fixed = datetime(2021, 4, 1, 2, 30, 15, tzinfo=timezone.utc)
    stack.enter_context(mock.patch("django.utils.timezone.now", return_value=fixed))
    if os.environ.get("TEST_KILL_AT"):
        stack.enter_context(stopping(*STOPS[os.environ["TEST_KILL_AT"]]))
    call_command("payments", "batch", "modal-uji", "tahap-1", "BRI", "--json")
"""

DUMP = r"""
import hashlib, json
from django.conf import settings
from pulih.payments import files
from pulih.payments.models import Batch, Payment, TransferLine
from pulih.programmes.models import LedgerEntry, Round, RoundEvent
batches = []
for b in Batch.objects.order_by("reference"):
    folder = files.batch_dir(b)
    on_disk = sorted(p.name for p in folder.iterdir() if p.name != ".lock") if folder.exists() else []
    batches.append({
        "row": [b.reference, b.bank, b.number, b.attempt, b.region_code, b.control_count,
                b.control_total, b.status, b.csv_sha256, b.xlsx_sha256, b.created_at.isoformat()],
        "files": on_disk,
        "bytes": {p: hashlib.sha256((folder / p).read_bytes()).hexdigest() for p in on_disk},
    })
round_obj = Round.objects.get()
print(json.dumps({
    "batches": batches,
    "lines": sorted([b, n, p, a, m, s, name] for b, n, p, a, m, s, name in
        TransferLine.objects.values_list("batch__reference", "line_number", "payment_id",
                                         "attempt", "amount", "status", "full_name")),
    "payments": sorted(list(p) for p in Payment.objects.values_list("id", "status", "bank",
                                                                    "updated_at")),
    "money": [round_obj.committed, round_obj.disbursed, LedgerEntry.objects.count()],
    "events": sorted(RoundEvent.objects.values_list("action", flat=True)),
}, default=str))
"""


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Iterator[tuple[LiveServer, int, Path]]:
    root = tmp_path_factory.mktemp("payments_processes")
    server, decision_id = prepared(root, "pay_base")
    try:
        yield server, decision_id, root
    finally:
        server.stop()


def _shell(server: LiveServer, code: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own venv, fixed argv
        [str(BIN / "pulih"), "shell", "--no-imports", "-c", code],
        env={**server.env, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_ready(process: subprocess.Popen) -> None:
    line = process.stdout.readline()
    if line.strip() != "READY":
        out, err = process.communicate(timeout=60)
        pytest.fail(f"the process ended before its stop: {line}{out}\n{err[-3000:]}")


def test_two_approvers_at_the_same_moment_create_each_payment_once(base):
    server, decision_id, root = base
    both = clone(server, root, "pay_approve")
    start = root / "start-approving"
    try:
        processes = [
            _shell(both, APPROVE, TEST_APPROVER=name, TEST_DECISION=str(decision_id),
                   TEST_START=str(start))
            for name in ("kabid.satu", "kabid.dua")
        ]  # fmt: skip
        for process in processes:
            _wait_ready(process)
        start.touch()  # both are connected and waiting: let them go at once
        outcomes = []
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err[-3000:]
            outcomes.append(out.strip().splitlines()[-1])
        assert sorted(outcomes) == ["approved", "decision_not_proposed"]

        money = json.loads(both.shell(MONEY))
        assert money["payments"] == money["persons"] == PEOPLE
        assert money["committed"] == PEOPLE * 1_200_000
        assert money["ledger"] == [["commit", PEOPLE, PEOPLE * 1_200_000]]
        assert len(money["approved"]) == 1 and money["approved"][0][0] == "approved"
    finally:
        both.stop()


def _kill_at(server: LiveServer, point: str) -> None:
    process = _shell(server, BATCH, TEST_KILL_AT=point)
    _wait_ready(process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL


def _dump(server: LiveServer) -> dict:
    return json.loads(server.shell(DUMP).strip().splitlines()[-1])


def test_kill_9_at_each_step_of_a_batch_then_resume_gives_the_same_files(base):
    server, decision_id, root = base
    killed = clone(server, root, "pay_killed")
    calm = None
    try:
        killed.shell(
            "from pulih.accounts.models import User\n"
            "from pulih.programmes import services\n"
            "from pulih.programmes.models import Decision\n"
            f"services.decision_approve(actor=User.objects.get(username='kabid.satu'), "
            f"decision=Decision.objects.get(pk={decision_id}))"
        )
        calm = clone(killed, root, "pay_calm")

        # 1. inside the transaction that makes the batch's rows: nothing of it stays
        _kill_at(killed, "in_transaction")
        state = _dump(killed)
        assert state["batches"] == []
        assert {p[1] for p in state["payments"]} == {"committed"}
        # 2. rows committed, files not yet begun
        _kill_at(killed, "before_files")
        (batch,) = _dump(killed)["batches"]
        assert batch["row"][8:10] == ["", ""] and batch["files"] == []
        # 3. the resumed run wrote the CSV and is killed before the XLSX
        _kill_at(killed, "csv_written")
        (batch,) = _dump(killed)["batches"]
        assert batch["files"] == [f"{batch['row'][0]}.csv"] and batch["row"][8] == ""
        # 4. killed half-way through the XLSX: a temporary file is left behind
        _kill_at(killed, "xlsx_half_written")
        (batch,) = _dump(killed)["batches"]
        assert any(".tmp" in name for name in batch["files"])
        # 5. both files in place, their hashes not yet recorded
        _kill_at(killed, "hashes_not_saved")
        (batch,) = _dump(killed)["batches"]
        assert batch["row"][8] == "" and len(batch["files"]) == 2
        # 6. run to the end
        resumed = _shell(killed, BATCH)
        out, err = resumed.communicate(timeout=300)
        assert resumed.returncode == 0, err[-3000:]
        assert json.loads(out.strip().splitlines()[-1])["resumed"] == [batch["row"][0]]

        uninterrupted = _shell(calm, BATCH)
        out, err = uninterrupted.communicate(timeout=300)
        assert uninterrupted.returncode == 0, err[-3000:]

        after_kill, expected = _dump(killed), _dump(calm)
        assert after_kill == expected
        (batch,) = after_kill["batches"]
        assert batch["row"][7] == "generated" and batch["row"][5] == PEOPLE - PEOPLE // 4
        assert batch["files"] == [f"{batch['row'][0]}.csv", f"{batch['row'][0]}.xlsx"]
        assert list(batch["bytes"].values()) == batch["row"][8:10]
    finally:
        killed.stop()
        if calm is not None:
            calm.stop()
