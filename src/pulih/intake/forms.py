"""Forms of the intake screens; services do the real checking."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from pulih.intake.columns import FIELDS


class UploadForm(forms.Form):
    source = forms.CharField(
        label=_("Pengirim berkas"),
        max_length=120,
        help_text=_("mis. Dinas KUMKM Jakarta Timur; kolomnya diingat untuk berkas berikutnya"),
    )
    file = forms.FileField(label=_("Berkas daftar (.xlsx atau .csv)"))
    sheet = forms.CharField(label=_("Lembar Excel (boleh kosong)"), max_length=120, required=False)

    def clean_file(self) -> object:
        return upload_size_check(self.cleaned_data["file"])


def upload_size_check(upload: Any) -> Any:
    """Refuse a file over PULIH_INTAKE_MAX_BYTES before anything reads it."""
    limit = settings.PULIH_INTAKE_MAX_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            _("Berkas terlalu besar: batasnya %(limit)s MB.") % {"limit": limit // 1024**2}
        )
    return upload


def field_choices() -> list[tuple[str, str]]:
    return [("", str(_("— abaikan kolom ini —")))] + [(f.key, str(f.label)) for f in FIELDS]
