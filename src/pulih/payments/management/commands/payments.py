"""`pulih payments ...`: disbursement from the command line.

    pulih payments batch PROGRAMME ROUND BANK [--follow-up] [--user U] [--json]
    pulih payments return BATCH_REFERENCE FILE [--user U] [--json]
    pulih payments files BATCH_REFERENCE

`batch` first finishes the files of any batch of the bank a stopped run left without them,
then makes a new batch; run again after a crash, it ends where an uninterrupted run ends.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pulih.accounts.models import Role, User
from pulih.accounts.services import system_user_get_or_create
from pulih.intake.error_codes import IntakeError
from pulih.payments import services
from pulih.payments.error_codes import PaymentError, PaymentErrorCode
from pulih.payments.models import Batch, ImportStatus
from pulih.programmes.models import Round


class Command(BaseCommand):
    help = "Penyaluran: batch transfer bank, berkas balikan bank."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        batch = sub.add_parser("batch", help="Buat batch transfer untuk satu bank")
        batch.add_argument("programme")
        batch.add_argument("round")
        batch.add_argument("bank")
        batch.add_argument("--follow-up", action="store_true", help="Kirim ulang yang gagal")
        returned = sub.add_parser("return", help="Impor berkas balikan bank")
        returned.add_argument("batch")
        returned.add_argument("file")
        written = sub.add_parser("files", help="Tulis (ulang) berkas batch dan periksa hash-nya")
        written.add_argument("batch")
        for action in (batch, returned, written):
            action.add_argument("--user", default="")
            action.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["user"])
        try:
            out = getattr(self, f"_{options['action']}")(actor, options)
        except (PaymentError, IntakeError) as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(out, default=str))
        else:
            for key, value in out.items():
                self.stdout.write(f"{key}: {value}")

    def _batch(self, actor: User, options: dict[str, Any]) -> dict[str, Any]:
        round_obj = Round.objects.filter(
            programme__code=options["programme"], code=options["round"]
        ).first()
        if round_obj is None:
            raise CommandError(f"Putaran {options['programme']}/{options['round']} tidak ada.")
        bank = options["bank"].strip().upper()
        resumed = services.batch_files_resume(round_obj=round_obj, bank=bank)
        make = (
            services.batch_follow_up_generate if options["follow_up"] else services.batch_generate
        )
        try:
            batch = make(actor=actor, round_obj=round_obj, bank=bank)
        except PaymentError as exc:
            if exc.code != PaymentErrorCode.NOTHING_TO_BATCH or not resumed:
                raise
            batch = resumed[-1]
        return {
            "batch": batch.reference, "lines": batch.control_count, "total": batch.control_total,
            "attempt": batch.attempt, "csv_sha256": batch.csv_sha256,
            "xlsx_sha256": batch.xlsx_sha256, "resumed": [b.reference for b in resumed],
        }  # fmt: skip

    def _return(self, actor: User, options: dict[str, Any]) -> dict[str, Any]:
        batch = self._batch_of(options["batch"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Berkas {path} tidak ada.")
        with path.open("rb") as content:
            item, _ = services.return_import_create(
                actor=actor, batch=batch, content=content, original_name=path.name
            )
        # Here and now, whatever the size: the command is the background.
        item = services.return_import_run(import_id=item.pk)
        if item.status == ImportStatus.FAILED:
            raise CommandError(item.error_message)
        return {
            "import": item.pk, "rows": item.rows_read, "paid": item.paid_count,
            "paid_total": item.paid_total, "failed": item.failed_count,
            "failed_total": item.failed_total, "already": item.already_count,
            "rejected": item.rejected_count, "not_in_file": item.missing_count,
        }  # fmt: skip

    def _files(self, actor: User, options: dict[str, Any]) -> dict[str, Any]:
        batch = services.batch_files_write(batch=self._batch_of(options["batch"]))
        return {"batch": batch.reference, "csv_sha256": batch.csv_sha256,
                "xlsx_sha256": batch.xlsx_sha256}  # fmt: skip

    def _batch_of(self, reference: str) -> Batch:
        batch = Batch.objects.filter(reference=reference.strip().upper()).first()
        if batch is None:
            raise CommandError(f"Batch {reference} tidak ada.")
        return batch

    def _actor(self, username: str) -> User:
        if not username:
            return system_user_get_or_create(
                username="sistem.penyaluran", role=Role.ADMIN,
                full_name="Penyaluran dari baris perintah", agency="Pulih",
            )  # fmt: skip
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Pengguna {username} tidak ada.")
        return user
