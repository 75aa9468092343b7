"""Forms of the linkage screens; services do the real checking."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pulih.intake.forms import upload_size_check
from pulih.linkage.models import ListKind, Outcome


class ScreeningListForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis daftar"), choices=ListKind.choices)
    source = forms.CharField(
        label=_("Sumber"), max_length=150, help_text=_("mis. BKD Provinsi DKI Jakarta")
    )
    as_of = forms.DateField(label=_("Tanggal data"), widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label=_("Berkas daftar (.xlsx atau .csv)"))
    sheet = forms.CharField(label=_("Lembar Excel (boleh kosong)"), max_length=120, required=False)

    def clean_as_of(self) -> object:
        value = self.cleaned_data["as_of"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Tanggal data tidak boleh di masa depan."))
        return value

    def clean_file(self) -> object:
        return upload_size_check(self.cleaned_data["file"])


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Keputusan"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Alasan"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    keep = forms.IntegerField(required=False, widget=forms.HiddenInput)
