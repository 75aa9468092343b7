"""Programme forms: they clean browser input into the services' typed values, nothing more.

Declarations are programme-defined, so the apply and appeal-review forms build their fields
from the definition ([[declaration]]: money, yes_no or text). A refused value comes back from
the service as a ProgrammeError and is shown next to the field it is about.
"""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from pulih.programmes.error_codes import ProgrammeError, ProgrammeErrorCode as E
from pulih.programmes.models import ApplicationStatus
from pulih.programmes.services import ApplicationData
from pulih.registry.forms import RupiahField
from pulih.registry.models import Business

DEFINITION_MAX_BYTES = 256 * 1024
EVIDENCE_MAX_SIDE = 2400
EVIDENCE_MAX_PIXELS = 40_000_000
_EVIDENCE_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|pdf)$")
_REGION = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
YES_NO = [("ya", _("Ya")), ("tidak", _("Tidak"))]

# Which field shows a service error; the rest go to the top of the form.
ERROR_FIELD = {
    E.BANK_UNKNOWN: "bank",
    E.BUSINESS_NOT_OWNED: "business",
    E.REASON_REQUIRED: "note",
}


def _choices(field: forms.Field, choices: Any) -> None:
    cast(forms.ChoiceField, field).choices = choices


def evidence_max_bytes() -> int:
    return int(getattr(settings, "PULIH_APPEAL_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024))


def add_service_error(form: forms.Form, err: ProgrammeError) -> None:
    """Put the service's message on the field it is about (a declaration by its label)."""
    name: str | None = ERROR_FIELD.get(err.code)
    if err.code in (E.DECLARATION_MISSING, E.DECLARATION_BAD):
        label = str(err.params.get("label", ""))
        name = next(
            (n for n, f in form.fields.items() if n.startswith("decl_") and f.label == label),
            None,
        )
    elif err.code.value.startswith("definition_"):
        name = "source"
    form.add_error(name if name in form.fields else None, err.message)


# --- definitions --------------------------------------------------------------------------------


class DefinitionForm(forms.Form):
    """The definition text of an existing programme, with a note on what changed."""

    source = forms.CharField(
        label=_("Berkas definisi (TOML)"),
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "false", "class": "code"}),
        max_length=DEFINITION_MAX_BYTES,
        strip=False,
    )
    note = forms.CharField(
        label=_("Catatan perubahan"),
        max_length=300,
        help_text=_("Apa yang diubah dan mengapa; tersimpan bersama versi ini."),
    )


class ProgrammeNewForm(forms.Form):
    """A new programme: a definition file uploaded, or its text pasted."""

    file = forms.FileField(
        label=_("Unggah berkas definisi (.toml)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".toml,text/plain"}),
    )
    source = forms.CharField(
        label=_("atau tempel isinya di sini"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "false", "class": "code"}),
        max_length=DEFINITION_MAX_BYTES,
        strip=False,
    )
    note = forms.CharField(label=_("Catatan"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        upload = data.get("file")
        if upload:
            if upload.size > DEFINITION_MAX_BYTES:
                self.add_error("file", _("Berkas definisi terlalu besar (paling besar 256 KB)."))
                return data
            try:
                data["source"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", _("Berkas definisi harus berupa teks UTF-8 (.toml)."))
                return data
        if not (data.get("source") or "").strip():
            self.add_error("source", _("Unggah berkas definisi atau tempel isinya."))
        return data


class RoundTransitionForm(forms.Form):
    to = forms.ChoiceField(choices=[])
    reason = forms.CharField(label=_("Alasan"), max_length=300, required=False)


# --- applications -------------------------------------------------------------------------------


class ApplicationFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari nama atau NIK"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua status")), *ApplicationStatus.choices],
    )
    rule = forms.ChoiceField(label=_("Gagal syarat"), required=False, choices=[])
    region = forms.CharField(label=_("Wilayah (kode)"), max_length=13, required=False)

    def __init__(self, *args: Any, rule_labels: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["rule"], [("", _("Semua")), *rule_labels.items()])

    def clean_region(self) -> str:
        value = self.cleaned_data["region"].strip()
        if value and not _REGION.match(value):
            raise forms.ValidationError(_("Tulis kode wilayah Kemendagri, misalnya 31.71."))
        return value


def _declaration_field(spec: dict[str, Any], *, required: bool) -> forms.Field:
    label = spec["label"]
    # The same words as the service's refusal, whichever notices first.
    errors = {"required": ProgrammeError(E.DECLARATION_MISSING, label=label).message}
    if spec["type"] == "money":
        return forms.CharField(
            label=label,
            required=required,
            max_length=40,
            help_text=_("Tulis dengan angka, misalnya 1.500.000."),
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            error_messages=errors,
        )
    if spec["type"] == "yes_no":
        return forms.ChoiceField(
            label=label,
            required=required,
            choices=YES_NO,
            widget=forms.RadioSelect,
            error_messages=errors,
        )
    return forms.CharField(label=label, required=required, max_length=300, error_messages=errors)


def _declaration_initial(spec: dict[str, Any], value: Any) -> Any:
    if value is None:
        return None
    if spec["type"] == "yes_no":
        return "ya" if value else "tidak"
    if spec["type"] == "money" and isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return value


class DeclarationsMixin:
    """Fields decl_<field> for the programme's declarations."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def add_declarations(
        self, specs: list[dict[str, Any]], *, optional: bool = False, initial: dict[str, Any]
    ) -> None:
        self.declaration_specs = specs
        for spec in specs:
            name = f"decl_{spec['field']}"
            self.fields[name] = _declaration_field(spec, required=spec["required"] and not optional)
            self.fields[name].initial = _declaration_initial(spec, initial.get(spec["field"]))

    def declarations(self, *, only_filled: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for spec in self.declaration_specs:
            value = self.cleaned_data.get(f"decl_{spec['field']}")
            if only_filled and (value is None or value == ""):
                continue
            out[spec["field"]] = value
        return out


class ApplyForm(DeclarationsMixin, forms.Form):
    """An application: which business, the programme's declarations, the paying bank."""

    business = forms.TypedChoiceField(label=_("Usaha yang diajukan"), coerce=int, choices=[])
    bank = forms.ChoiceField(label=_("Bank penyalur"), required=False, choices=[])

    def __init__(
        self,
        *args: Any,
        businesses: list[Business],
        declarations: list[dict[str, Any]],
        banks: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(
            self.fields["business"], [(b.pk, f"{b.name} · {b.village.name}") for b in businesses]
        )
        if len(businesses) == 1:
            self.fields["business"].initial = businesses[0].pk
        self.add_declarations(declarations, initial={})
        if banks:
            _choices(self.fields["bank"], [(b, b) for b in banks])
            self.fields["bank"].required = True
            self.fields["bank"].initial = banks[0]
            self.fields["bank"].help_text = _("Bantuan disalurkan ke rekening di bank ini.")
        else:
            del self.fields["bank"]
        # Keep the bank last: declarations come between the business and it.
        if "bank" in self.fields:
            self.fields["bank"] = self.fields.pop("bank")

    def to_data(self, *, person_id: int) -> ApplicationData:
        return ApplicationData(
            person_id=person_id,
            business_id=self.cleaned_data["business"],
            declarations=self.declarations(),
            bank=self.cleaned_data.get("bank") or "",
        )


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("Cari orang terdaftar"), max_length=100, required=False)


class IntakeApplicationsForm(forms.Form):
    job = forms.TypedChoiceField(
        label=_("Daftar pengusul yang sudah diimpor"), coerce=int, choices=[]
    )

    def __init__(self, *args: Any, jobs: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(
            self.fields["job"],
            [
                (
                    j.pk,
                    f"{j.original_name} · {j.source.name} · {j.created_at:%d-%m-%Y} "
                    f"({j.rows_accepted} baris diterima)",
                )
                for j in jobs
            ],
        )


class WhatIfForm(forms.Form):
    source = forms.CharField(
        label=_("Salinan definisi (boleh diubah)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "code"}),
        max_length=DEFINITION_MAX_BYTES,
        strip=False,
    )
    amount = RupiahField(
        label=_("Nilai per penerima (Rp)"),
        required=False,
        help_text=_("Kosongkan untuk memakai nilai di definisi."),
    )

    def clean_amount(self) -> int | None:
        value = self.cleaned_data.get("amount")
        if value is not None and value <= 0:
            raise forms.ValidationError(_("Nilai per penerima harus lebih dari 0."))
        return value


# --- decisions ----------------------------------------------------------------------------------


class ProposeForm(forms.Form):
    note = forms.CharField(label=_("Catatan untuk penyetuju"), max_length=1000, required=False)


class ApproveForm(forms.Form):
    note = forms.CharField(label=_("Catatan (boleh kosong)"), max_length=1000, required=False)


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("Alasan dikembalikan"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Tulis alasan mengapa daftar ini dikembalikan.")},
    )


# --- appeals ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedEvidence:
    content: bytes
    extension: str  # jpg | pdf


def _prepare_evidence(upload: UploadedFile) -> PreparedEvidence:
    """A PDF as it is, or an image re-encoded as JPEG (drops EXIF location, bounds the size)."""
    max_bytes = evidence_max_bytes()
    too_large = forms.ValidationError(
        _("Berkas bukti terlalu besar (paling besar %(mb)s MB).") % {"mb": max_bytes // 1048576}
    )
    if upload.size is None or upload.size > max_bytes:
        raise too_large
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return PreparedEvidence(content=upload.read(), extension="pdf")
    not_allowed = forms.ValidationError(_("Bukti harus berupa foto (JPG/PNG) atau PDF."))
    try:
        with Image.open(upload) as probe:
            probe.verify()
            if probe.width * probe.height > EVIDENCE_MAX_PIXELS:
                raise too_large
        upload.seek(0)
        with Image.open(upload) as opened:
            upright = ImageOps.exif_transpose(opened).convert("RGB")
        upright.thumbnail((EVIDENCE_MAX_SIDE, EVIDENCE_MAX_SIDE))
        out = io.BytesIO()
        upright.save(out, format="JPEG", quality=85, optimize=True)
    except forms.ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_allowed from None
    return PreparedEvidence(content=out.getvalue(), extension="jpg")


def evidence_dir() -> Path:
    return Path(settings.PULIH_PROGRAMMES_DIR) / "appeals"


def evidence_store(prepared: PreparedEvidence) -> str:
    """Write the file under a random name (never the uploader's) and return that name."""
    folder = evidence_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{prepared.extension}"
    tmp = folder / f".{name}.tmp"
    tmp.write_bytes(prepared.content)
    tmp.replace(folder / name)
    return name


def evidence_discard(name: str) -> None:
    path = evidence_path(name)
    if path is not None:
        path.unlink(missing_ok=True)


def evidence_path(name: str) -> Path | None:
    """The stored file of an appeal, or None for a name we did not make."""
    if not _EVIDENCE_NAME.match(name or ""):
        return None
    return evidence_dir() / name


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan sanggahan"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Jelaskan mengapa menurut Anda syarat itu terpenuhi."),
        error_messages={"required": _("Tulis alasan sanggahan Anda.")},
    )
    evidence = forms.FileField(
        label=_("Bukti pendukung (foto atau PDF, boleh kosong)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )

    def clean_evidence(self) -> PreparedEvidence | None:
        upload = self.cleaned_data.get("evidence")
        if not upload:
            return None
        return _prepare_evidence(upload)


class AppealReviewForm(DeclarationsMixin, forms.Form):
    note = forms.CharField(
        label=_("Hasil pemeriksaan"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ditunjukkan kepada pemohon."),
        error_messages={"required": _("Tulis hasil pemeriksaan sanggahan.")},
    )

    def __init__(
        self,
        *args: Any,
        declarations: list[dict[str, Any]],
        current: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.add_declarations(declarations, optional=True, initial=current)
        self.current = current

    def corrected(self) -> dict[str, Any]:
        """Only the declarations the officer changed."""
        changed: dict[str, Any] = {}
        for spec in self.declaration_specs:
            name = f"decl_{spec['field']}"
            if name in self.changed_data:
                value = self.cleaned_data.get(name)
                if value not in (None, ""):
                    changed[spec["field"]] = value
        return changed
