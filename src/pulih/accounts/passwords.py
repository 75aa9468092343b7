"""Password rule on top of Django's: letters and digits both, so a long word alone is refused."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MixedCharacterValidator:
    def validate(self, password: str, user: object = None) -> None:
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError(
                _("Kata sandi harus memuat huruf dan angka."), code="password_not_mixed"
            )

    def get_help_text(self) -> str:
        return _("Kata sandi harus memuat huruf dan angka.")
