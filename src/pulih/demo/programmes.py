"""Demo programmes for `make run`: the BPUM 2021 (DKI) definition, and a capital grant in Kota
Bandung that is open this year, so the demo owner can apply and officers can run a round."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone

from pulih.accounts.models import User
from pulih.programmes import services
from pulih.programmes.models import Programme, RoundStatus

BPUM = Path(__file__).resolve().parents[1] / "programmes" / "definitions" / "bpum-2021-dki.toml"

BANDUNG_GRANT = """
# A demo capital grant of Kota Bandung, open during {year}.
[programme]
code = "modal-umkm-bandung-{year}"
name = "Bantuan Modal Usaha Mikro Kota Bandung {year}"
kind = "capital"
agency = "Dinas Koperasi dan UKM Kota Bandung"
description = "Hibah modal kerja Rp1.500.000 bagi usaha mikro di Kota Bandung (data demo)."

[[declaration]]
field = "savings_balance"
label = "Saldo tabungan (Rp)"
type = "money"

[[declaration]]
field = "has_bank_credit"
label = "Sedang menerima kredit bank atau KUR"
type = "yes_no"

[[rule]]
code = "usaha_mikro"
check = "business_size"
sizes = ["mikro"]
label = "usaha mikro"

[[rule]]
code = "domisili_bandung"
check = "business_region"
regions = ["32.73"]
label = "domisili usaha di Kota Bandung"

[[rule]]
code = "bukan_aparatur"
check = "not_listed"
lists = ["asn", "tni", "polri", "bumn", "bumd"]
label = "tidak tercantum di daftar ASN/TNI/Polri/BUMN/BUMD"

[[rule]]
code = "tanpa_kredit"
check = "declared_is"
field = "has_bank_credit"
value = false
label = "tidak sedang menerima kredit bank/KUR"

[[rule]]
code = "saldo"
check = "declared_at_most"
field = "savings_balance"
max = 2_000_000
label = "saldo tabungan <= Rp2.000.000"

[[round]]
code = "tahap-1"
name = "Tahap 1"
opens = {year}-01-01
closes = {year}-12-31
amount = 1_500_000
budget = 1_500_000_000
banks = ["BJB", "BRI"]
appeal_days = 14
"""


def demo_programmes_create(actor: User) -> list[Programme]:
    """Both programmes, their rounds open; loading them again changes nothing."""
    year = timezone.localdate().year
    programmes = []
    for source in (BPUM.read_text(), BANDUNG_GRANT.replace("{year}", str(year))):
        version = services.programme_load(actor=actor, source=source, note="Data demo")
        for round_obj in version.programme.rounds.filter(status=RoundStatus.DRAFT):
            services.round_transition(actor=actor, round_obj=round_obj, to=RoundStatus.OPEN)
        programmes.append(version.programme)
    return programmes
