"""`pulih programme load FILE` and friends: programmes from the command line.

    pulih programme load src/pulih/programmes/definitions/bpum-2021-dki.toml [--note TEXT]
    pulih programme evaluate bpum-2021-dki tahap-1 [--json]
    pulih programme what-if bpum-2021-dki tahap-1 [--file CHANGED.toml] [--amount N] [--json]

Actions are recorded under --user (default: the command-line system account).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pulih.accounts.models import Role, User
from pulih.accounts.services import system_user_get_or_create
from pulih.programmes import services
from pulih.programmes.error_codes import ProgrammeError
from pulih.programmes.models import Round


class Command(BaseCommand):
    help = "Program bantuan: muat definisi, periksa kelayakan, simulasi."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Muat berkas definisi (TOML) sebagai versi baru")
        load.add_argument("file")
        load.add_argument("--note", default="")
        load.add_argument("--user", default="")
        for name in ("evaluate", "what-if"):
            action = sub.add_parser(name)
            action.add_argument("programme")
            action.add_argument("round")
            action.add_argument("--user", default="")
            action.add_argument("--json", action="store_true")
            if name == "what-if":
                action.add_argument("--file", default="", help="Definisi yang belum disimpan")
                action.add_argument("--amount", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["user"])
        try:
            if options["action"] == "load":
                self._load(actor, options)
            elif options["action"] == "evaluate":
                run = services.eligibility_run(actor=actor, round_obj=self._round(options))
                out = {"run": run.pk, "applications": run.applications, "eligible": run.eligible,
                       "failures": run.failures}  # fmt: skip
                self._print(out, options["json"])
            else:
                source = Path(options["file"]).read_text() if options["file"] else None
                result = services.what_if(
                    actor=actor,
                    round_obj=self._round(options),
                    source=source,
                    amount=options["amount"] or None,
                )
                self._print(asdict(result), options["json"])
        except ProgrammeError as exc:
            raise CommandError(exc.message) from exc

    def _load(self, actor: User, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Berkas {path} tidak ada.")
        version = services.programme_load(
            actor=actor, source=path.read_text(), note=options["note"]
        )
        rounds = ", ".join(version.programme.rounds.order_by("code").values_list("code", flat=True))
        self.stdout.write(
            f"{version.programme.code} versi {version.number} tersimpan; putaran: {rounds or '-'}"
        )

    def _round(self, options: dict[str, Any]) -> Round:
        found = Round.objects.filter(
            programme__code=options["programme"], code=options["round"]
        ).first()
        if found is None:
            raise CommandError(f"Putaran {options['programme']}/{options['round']} tidak ada.")
        return found

    def _actor(self, username: str) -> User:
        if not username:
            return system_user_get_or_create(
                username="sistem.program", role=Role.ADMIN, full_name="Program dari baris perintah",
                agency="Pulih",
            )  # fmt: skip
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Pengguna {username} tidak ada.")
        return user

    def _print(self, out: dict[str, Any], as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(out, default=str))
            return
        for key, value in out.items():
            self.stdout.write(f"{key}: {value}")
