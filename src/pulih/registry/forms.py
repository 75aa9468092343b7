"""Registry forms: they clean browser input into the services' typed data, nothing more."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pulih.reference.models import EkrafSubsector, KbliSection
from pulih.registry.error_codes import RegistryError, RegistryErrorCode as E
from pulih.registry.models import OnlineChannel, PandemicImpact, Sex
from pulih.registry.services import BusinessData, PersonData, ProductData

# Which form field shows a service error; the rest go to the top of the form.
ERROR_FIELD = {
    E.NIK_EMPTY: "nik",
    E.NIK_NOT_DIGITS: "nik",
    E.NIK_WRONG_LENGTH: "nik",
    E.NIK_UNKNOWN_DISTRICT: "nik",
    E.NIK_INVALID_DATE: "nik",
    E.NIK_ZERO_SERIAL: "nik",
    E.NIK_ALREADY_REGISTERED: "nik",
    E.BIRTH_DATE_IN_FUTURE: "birth_date",
    E.BIRTH_DATE_TOO_OLD: "birth_date",
    E.PHONE_EMPTY: "phone",
    E.PHONE_INVALID: "phone",
    E.NIB_WRONG_FORMAT: "nib",
    E.SIZE_NO_FIGURES: "capital",
    E.SIZE_NEGATIVE_AMOUNT: "capital",
    E.SIZE_ABOVE_MENENGAH: "capital",
    E.REGION_NOT_VILLAGE: "village_code",
    E.PHOTO_TOO_LARGE: "photos",
    E.PHOTO_NOT_IMAGE: "photos",
    E.TOO_MANY_PHOTOS: "photos",
}


def add_service_error(form: forms.Form, err: RegistryError) -> None:
    name = ERROR_FIELD.get(err.code)
    form.add_error(name if name in form.fields else None, err.message)


class RupiahField(forms.CharField):
    """Accepts "Rp2.400.000", "2.400.000" or "2400000"; whole rupiah only."""

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        cleaned = re.sub(r"(?i)^rp\.?\s*", "", text.strip()).replace(".", "").replace(" ", "")
        if cleaned.endswith(",00"):
            cleaned = cleaned[:-3]
        if not cleaned.isdigit():
            raise forms.ValidationError(_("Tulis jumlah rupiah dengan angka, misalnya 2.400.000."))
        return int(cleaned)


class PersonForm(forms.Form):
    full_name = forms.CharField(label=_("Nama lengkap sesuai KTP"), max_length=150)
    nik = forms.CharField(
        label=_("NIK"),
        max_length=24,
        help_text=_("16 digit angka pada KTP."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_place = forms.CharField(label=_("Tempat lahir"), max_length=80, required=False)
    birth_date = forms.DateField(
        label=_("Tanggal lahir"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    sex = forms.ChoiceField(label=_("Jenis kelamin"), choices=Sex.choices, widget=forms.RadioSelect)
    phone = forms.CharField(
        label=_("Nomor HP"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("Surel"), required=False)
    address = forms.CharField(label=_("Alamat (jalan, nomor)"), max_length=250)
    rt = forms.RegexField(
        label="RT",
        regex=r"^\d{1,3}$",
        required=False,
        max_length=3,
        error_messages={"invalid": _("RT berupa angka, paling banyak 3 digit.")},
    )
    rw = forms.RegexField(
        label="RW",
        regex=r"^\d{1,3}$",
        required=False,
        max_length=3,
        error_messages={"invalid": _("RW berupa angka, paling banyak 3 digit.")},
    )
    village_code = forms.CharField(
        label=_("Kelurahan/desa"),
        max_length=13,
        error_messages={"required": _("Pilih kelurahan/desa.")},
    )
    postcode = forms.RegexField(
        label=_("Kode pos"),
        regex=r"^\d{5}$",
        required=False,
        error_messages={"invalid": _("Kode pos terdiri dari 5 digit.")},
    )

    def to_data(self) -> PersonData:
        d = self.cleaned_data
        return PersonData(
            full_name=d["full_name"],
            nik=d["nik"],
            birth_date=d["birth_date"],
            sex=d["sex"],
            address=d["address"],
            village_code=d["village_code"],
            phone=d["phone"],
            birth_place=d["birth_place"],
            email=d["email"],
            rt=d["rt"],
            rw=d["rw"],
            postcode=d["postcode"],
        )


class BusinessForm(forms.Form):
    name = forms.CharField(label=_("Nama usaha"), max_length=150)
    kbli_section = forms.ModelChoiceField(
        label=_("Sektor usaha (KBLI)"),
        queryset=KbliSection.objects.all(),
        empty_label=_("— pilih —"),
    )
    kbli_code = forms.RegexField(
        label=_("Kode KBLI (5 digit, bila tahu)"),
        regex=r"^\d{5}$",
        required=False,
        error_messages={"invalid": _("Kode KBLI terdiri dari 5 digit.")},
    )
    ekraf_subsector = forms.ModelChoiceField(
        label=_("Subsektor ekonomi kreatif"),
        queryset=EkrafSubsector.objects.all(),
        required=False,
        empty_label=_("— bukan ekonomi kreatif —"),
    )
    nib = forms.CharField(
        label=_("NIB (bila ada)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    description = forms.CharField(
        label=_("Uraian usaha"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    started_year = forms.IntegerField(
        label=_("Tahun mulai usaha"), required=False, min_value=1945, max_value=2100
    )
    capital = RupiahField(label=_("Modal usaha, di luar tanah dan bangunan (Rp)"), required=False)
    annual_sales = RupiahField(label=_("Hasil penjualan setahun (Rp)"), required=False)
    monthly_turnover = RupiahField(label=_("Omzet per bulan (Rp)"), required=False)
    employees = forms.IntegerField(
        label=_("Jumlah pekerja"), min_value=0, max_value=10_000, initial=0
    )
    online_channels = forms.MultipleChoiceField(
        label=_("Berjualan daring di"),
        choices=OnlineChannel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    pandemic_impact = forms.ChoiceField(label=_("Dampak pandemi"), choices=PandemicImpact.choices)
    pandemic_impact_note = forms.CharField(
        label=_("Keterangan dampak"), max_length=300, required=False
    )
    address = forms.CharField(label=_("Alamat usaha"), max_length=250)
    village_code = forms.CharField(
        label=_("Kelurahan/desa tempat usaha"),
        max_length=13,
        error_messages={"required": _("Pilih kelurahan/desa.")},
    )

    def to_data(self) -> BusinessData:
        d = self.cleaned_data
        return BusinessData(
            name=d["name"],
            kbli_section=d["kbli_section"].pk,
            kbli_code=d["kbli_code"],
            ekraf_subsector=d["ekraf_subsector"].pk if d["ekraf_subsector"] else None,
            nib=d["nib"],
            description=d["description"],
            started_year=d["started_year"],
            capital=d["capital"],
            annual_sales=d["annual_sales"],
            monthly_turnover=d["monthly_turnover"],
            employees=d["employees"],
            online_channels=tuple(d["online_channels"]),
            pandemic_impact=d["pandemic_impact"],
            pandemic_impact_note=d["pandemic_impact_note"],
            address=d["address"],
            village_code=d["village_code"],
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos in one input; each is checked by the service, not trusted by extension."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*", "data-max-bytes": "0"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Nama produk"), max_length=150)
    description = forms.CharField(
        label=_("Uraian"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    price = RupiahField(label=_("Harga (Rp)"), required=False)
    unit = forms.CharField(label=_("Satuan (mis. bungkus, pcs, kg)"), max_length=30, required=False)
    photos = MultipleImageField(label=_("Foto produk"), required=False)

    def to_data(self) -> ProductData:
        d = self.cleaned_data
        return ProductData(
            name=d["name"], description=d["description"], price=d["price"], unit=d["unit"]
        )


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("verify", _("Verifikasi")),
            ("request_fix", _("Minta perbaikan")),
            ("reject", _("Tolak")),
        ]
    )
    reason = forms.CharField(
        label=_("Alasan / catatan"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari nama, nama usaha, atau NIK"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    region = forms.CharField(label=_("Kode wilayah"), required=False, max_length=13)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from pulih.registry.models import RegistrationStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Semua status"))] + list(RegistrationStatus.choices)

    def clean_region(self) -> str:
        code = self.cleaned_data["region"].strip()
        if code and not re.fullmatch(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?", code):
            raise forms.ValidationError(
                _("Kode wilayah tidak dikenal, contoh: 32.73 atau 31.71.01.")
            )
        return code
