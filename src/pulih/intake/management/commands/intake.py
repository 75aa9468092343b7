"""`pulih intake FILE --source NAME [--sheet S] [--json]`: import a proposer list from a terminal.

Runs in this process (no worker needed) with a progress bar on stderr; `--json` prints the
report counts as one JSON object on the last line of stdout. `--resume JOB` continues an import
whose process was killed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from pulih.accounts.models import User
from pulih.intake import pipeline, services
from pulih.intake.error_codes import IntakeError
from pulih.intake.models import IntakeJob, JobStatus
from pulih.intake.system import intake_system_user


class Command(BaseCommand):
    help = "Impor daftar pengusul (XLSX/CSV) ke registri."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="Berkas .xlsx atau .csv")
        parser.add_argument("--source", default="", help="Nama pengirim (templat kolom)")
        parser.add_argument("--sheet", default="", help="Nama lembar Excel (bawaan: yang pertama)")
        parser.add_argument(
            "--user", default="", help="Impor atas nama pengguna ini (cakupan wilayahnya berlaku)"
        )
        parser.add_argument("--resume", type=int, default=0, help="Lanjutkan impor bernomor ini")
        parser.add_argument("--chunk-rows", type=int, default=pipeline.CHUNK_ROWS)
        parser.add_argument("--json", action="store_true", help="Cetak jumlah-jumlah sebagai JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            job = self._job(options)
        except IntakeError as exc:
            raise CommandError(exc.message) from exc
        bar = tqdm(
            total=100, unit="%", desc="Impor", file=sys.stderr,
            disable=not sys.stderr.isatty(),
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}",
        )  # fmt: skip

        def progress(current: IntakeJob) -> None:
            bar.set_postfix_str(
                f"{current.get_phase_display()} {current.rows_merged:,}/{current.rows_accepted:,}"
            )
            bar.n = current.percent
            bar.refresh()

        job = pipeline.job_run(job.pk, chunk_rows=options["chunk_rows"], progress=progress)
        bar.close()
        if job.status == JobStatus.FAILED:
            raise CommandError(job.error_message)
        counts = {"job": job.pk, **job.counts(), "report": str(pipeline.report_path(job))}
        if options["json"]:
            self.stdout.write(json.dumps(counts))
            return
        for key, value in counts.items():
            self.stdout.write(f"{key}: {value}")

    def _job(self, options: dict[str, Any]) -> IntakeJob:
        if options["resume"]:
            job = IntakeJob.objects.filter(pk=options["resume"]).first()
            if job is None:
                raise CommandError(f"Impor {options['resume']} tidak ada.")
            return job
        if not options["file"]:
            raise CommandError("Sebutkan berkasnya, atau --resume NOMOR.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Berkas {path} tidak ada.")
        actor = self._actor(options["user"])
        job = services.job_create(
            actor=actor,
            source_name=options["source"] or path.stem,
            original_name=path.name,
            content=path,
            sheet=options["sheet"],
        )
        return services.job_start(
            actor=actor, job=job, mapping=job.mapping, save_template=False, enqueue=False
        )

    def _actor(self, username: str) -> User:
        if not username:
            return intake_system_user()
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Pengguna {username} tidak ada.")
        return user
