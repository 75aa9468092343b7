"""`pulih run`: prepare the database (migrate, reference data, optional demo) and serve the app."""

import os
import shutil
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from pulih.reference.models import Region


class Command(BaseCommand):
    help = "Siapkan basis data lalu jalankan Pulih dengan gunicorn (http://127.0.0.1:8000)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("PULIH_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("PULIH_WORKERS", "2"))
        )
        parser.add_argument(
            "--demo-people", type=int, default=0, help="Muat N orang data demo (idempoten)."
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="Siapkan saja, tanpa menjalankan server."
        )

    def handle(self, *args: object, **options: object) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not Region.objects.exists():
            call_command("load_reference", stdout=self.stdout)
        if options["demo_people"]:
            call_command("demo", people=options["demo_people"], stdout=self.stdout)
        call_command("collectstatic", interactive=False, verbosity=0)
        if options["no_serve"]:
            return
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
        self.stdout.write(f"Pulih berjalan di http://{options['bind']}/ (Ctrl+C untuk berhenti)")
        sys.stdout.flush()
        argv = [
            gunicorn,
            "pulih.config.wsgi",
            "--bind",
            str(options["bind"]),
            "--workers",
            str(options["workers"]),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--timeout",
            "120",
        ]
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pulih.config.settings")
        os.environ.setdefault("PULIH_VAR_DIR", str(settings.VAR_DIR))
        # Imports run in the background: one task worker beside the web server, stopped with it.
        pulih = shutil.which("pulih", path=os.path.dirname(sys.executable)) or "pulih"
        worker = subprocess.Popen(  # noqa: S603
            [pulih, "db_worker", "--interval", "0.5", "--no-startup-delay", "--no-reload"]
        )
        server = subprocess.Popen(argv)  # noqa: S603
        try:
            server.wait()
        except KeyboardInterrupt:
            server.send_signal(signal.SIGINT)
            server.wait()
        finally:
            worker.terminate()
            worker.wait(timeout=30)
