"""Real Pulih databases for the tests that need real processes (kill -9, two approvers at once).

One database is prepared (migrated, reference data, a cash round with a proposed list) and
cloned for a second run, so both start from the same rows, ids and ciphertexts.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from pulih.config.secrets import SECRET_NAMES, generate
from pulih.testing.liveserver import LiveServer, _postgres_admin

PEOPLE = 24

SETUP = r"""
from pulih.accounts.models import Role
from pulih.programmes import services
from pulih.programmes.models import RoundStatus
from pulih.programmes.services import ApplicationData
from pulih.programmes.tests.conftest import DKI_VILLAGE, SMALL_CASH
from pulih.testing.factories import registration_make, user_make

officer = user_make(role=Role.OFFICER, regions=("31",), username="petugas")
user_make(role=Role.APPROVER, regions=("31",), username="kabid.satu")
user_make(role=Role.APPROVER, regions=("31",), username="kabid.dua")
version = services.programme_load(actor=officer, source=SMALL_CASH.replace("{budget}", "1000000000"))
round_obj = version.programme.rounds.get(code="tahap-1")
round_obj = services.round_transition(actor=officer, round_obj=round_obj, to=RoundStatus.OPEN)
for i in range(%(people)d):
    business = registration_make(village=DKI_VILLAGE, name=f"Warga {i}")
    services.application_submit(
        actor=officer, round_obj=round_obj,
        data=ApplicationData(person_id=business.owner_id, business_id=business.pk,
                             declarations={"savings_balance": 100_000},
                             bank="BNI" if i %% 4 == 0 else "BRI"),
    )
decision = services.decision_propose(actor=officer, round_obj=round_obj)
print(decision.pk)
"""


def prepared(tmp_path: Path, name: str) -> tuple[LiveServer, int]:
    """A migrated database with a cash round of PEOPLE applicants and a proposed decision."""
    keys = dict(zip(SECRET_NAMES, generate().values(), strict=True))
    server = LiveServer.for_test_run(tmp_path / name, name=name)
    server.env.update(keys)
    server.prepare()
    decision_id = int(server.shell(SETUP % {"people": PEOPLE}).strip().splitlines()[-1])
    return server, decision_id


def clone(source: LiveServer, tmp_path: Path, name: str) -> LiveServer:
    """A second database with the source's rows and keys (and its files under var/)."""
    copy = LiveServer.for_test_run(tmp_path / name, name=name)
    copy.env.update({k: source.env[k] for k in SECRET_NAMES})
    copy.var_dir.mkdir(parents=True, exist_ok=True)
    if source._pg_dbname:
        with _postgres_admin(source.database_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{copy._pg_dbname}"')
            conn.execute(f'CREATE DATABASE "{copy._pg_dbname}" TEMPLATE "{source._pg_dbname}"')
        copy._pg_created = True
    else:
        with sqlite3.connect(source.sqlite_path) as src, sqlite3.connect(copy.sqlite_path) as dst:
            src.backup(dst)
    programmes = source.var_dir / "programmes"
    if programmes.exists():
        shutil.copytree(programmes, copy.var_dir / "programmes")
    return copy
