"""`pulih api_token USERNAME --name NAME`: a new API token, printed once and never stored in clear."""

from argparse import ArgumentParser

from django.core.management.base import BaseCommand, CommandError

from pulih.accounts.models import ApiToken, User
from pulih.accounts.services import api_token_create

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 80


class Command(BaseCommand):
    help = (
        "Buat token API untuk seorang pengguna. Token dicetak sekali saja; "
        "yang disimpan hanya sidiknya (SHA-256)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", help="Nama pengguna pemilik token.")
        parser.add_argument(
            "--name", required=True, help="Untuk apa token ini, mis. 'sinkronisasi dashboard'."
        )

    def handle(self, *args: object, username: str, name: str, **options: object) -> None:
        name = name.strip()
        if not name:
            raise CommandError("--name tidak boleh kosong.")
        if len(name) > NAME_MAX_LENGTH:
            raise CommandError(f"--name paling panjang {NAME_MAX_LENGTH} karakter.")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Pengguna {username!r} tidak ditemukan.")
        if not user.is_active:
            raise CommandError(f"Pengguna {username!r} tidak aktif; tokennya tidak akan diterima.")
        token, key = api_token_create(user=user, name=name)
        # The key alone on stdout, so a script can capture it; the notice goes to stderr.
        self.stdout.write(key)
        self.stderr.write(
            f"Token {token.name!r} ({token.prefix}…) untuk {user.username} dibuat. "
            "Simpan sekarang: token ini tidak akan ditampilkan lagi."
        )
