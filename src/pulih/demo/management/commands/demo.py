"""`pulih demo --people N`: synthetic owners, businesses and products, and one login per role."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from pulih.demo.accounts import demo_accounts_create, demo_system_user
from pulih.demo.pipeline import DemoLoadError, demo_load
from pulih.demo.programmes import demo_programmes_create

BAR_WIDTH = 30


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")  # Indonesian thousands separator


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} mnt {secs} dtk" if minutes else f"{seconds:.1f} dtk".replace(".", ",")


class ProgressLine:
    """A redrawn bar on a terminal; one plain line per chunk when stderr is a file or pipe."""

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.began = time.perf_counter()

    def _write(self, text: str) -> None:
        # Plain, not the error colour Django gives stderr; no added newline for the redrawn bar.
        self.stream.write(text, style_func=str, ending="")
        self.stream.flush()

    def __call__(self, done: int, total: int) -> None:
        share = done / total if total else 1.0
        elapsed = _duration(time.perf_counter() - self.began)
        counts = f"{_number(done)}/{_number(total)} orang"
        if self.tty:
            filled = int(share * BAR_WIDTH)
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            self._write(
                f"\r[{bar}] {share:4.0%} {counts} · {elapsed}" + ("\n" if done >= total else "")
            )
        else:
            self._write(f"{counts} ({share:.0%}), {elapsed}\n")


class Command(BaseCommand):
    help = "Muat data demo sintetis (pemilik, usaha, produk) dan akun demo per peran."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--people", type=int, required=True, help="jumlah pemilik usaha yang dibuat"
        )
        parser.add_argument(
            "--regions",
            default="31,32.73,33",
            help="kode wilayah dipisah koma, tingkat apa pun (bawaan: DKI Jakarta, Kota Bandung, Jawa Tengah)",
        )
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument("--chunk-size", type=int, default=50_000)
        parser.add_argument("--no-accounts", action="store_true", help="tanpa akun demo")

    def handle(self, *args: Any, **options: Any) -> None:
        regions = [c.strip() for c in options["regions"].split(",") if c.strip()]
        if options["people"] < 0 or options["chunk_size"] < 1:
            raise CommandError("--people tidak boleh negatif dan --chunk-size minimal 1.")
        try:
            result = demo_load(
                people=options["people"],
                regions=regions,
                seed=options["seed"],
                chunk_size=options["chunk_size"],
                progress=ProgressLine(self.stderr) if options["people"] else None,
            )
        except DemoLoadError as exc:
            raise CommandError(str(exc)) from exc

        out = self.stdout
        out.write(
            f"Data demo dari {_number(result.villages)} kelurahan/desa di {', '.join(regions)}, "
            f"dalam {_duration(result.seconds)}:"
        )
        for label, count in (
            ("pemilik baru", result.persons_created),
            ("pemilik sudah ada (dilewati)", result.persons_existing),
            ("usaha", result.businesses_created),
            ("produk", result.products_created),
            ("riwayat pendaftaran", result.events_created),
        ):
            out.write(f"  {label:<30} {_number(count):>12}")
        if options["no_accounts"]:
            return
        logins = demo_accounts_create()
        programmes = demo_programmes_create(demo_system_user())
        out.write("")
        out.write("Program demo: " + "; ".join(p.name for p in programmes))
        out.write("")
        out.write("Akun demo:")
        rows = [("Nama pengguna", "Kata sandi", "Peran", "Cakupan")] + [
            (login.username, login.password, login.role, login.scope) for login in logins
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for n, row in enumerate(rows):
            out.write(
                "  "
                + "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )
            if n == 0:
                out.write("  " + "  ".join("-" * width for width in widths))
