from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pulih.demo.accounts import DEMO_PASSWORD, demo_system_user
from pulih.demo.programmes import demo_programmes_create
from pulih.programmes.models import Programme, ProgrammeVersion, Round, RoundStatus
from pulih.registry.models import Person

pytestmark = pytest.mark.django_db


def test_command_loads_people_and_prints_the_demo_logins() -> None:
    out, err = StringIO(), StringIO()
    call_command(
        "demo",
        "--people",
        "120",
        "--regions",
        "32.73",
        "--chunk-size",
        "50",
        stdout=out,
        stderr=err,
    )
    text = out.getvalue()
    assert Person.objects.filter(account__isnull=True).count() == 120
    assert "pemilik baru" in text and "120" in text
    for username in (
        "pemilik",
        "petugas.dki",
        "petugas.bandung",
        "kabid.dki",
        "mitra",
        "pimpinan",
        "admin",
    ):
        assert username in text
    assert DEMO_PASSWORD in text and "32.73 Kota Bandung" in text
    assert "Program demo: " in text and "Kota Bandung" in text
    assert Round.objects.filter(status=RoundStatus.OPEN).count() >= 2
    # Not a terminal here: one plain progress line per chunk.
    assert err.getvalue().splitlines()[-1].startswith("120/120 orang (100%)")


def test_command_without_accounts_prints_no_logins() -> None:
    out = StringIO()
    call_command(
        "demo", "--people", "10", "--regions", "31", "--no-accounts", stdout=out, stderr=StringIO()
    )
    assert DEMO_PASSWORD not in out.getvalue()


def test_command_refuses_an_unknown_region() -> None:
    with pytest.raises(CommandError, match="tidak dikenal"):
        call_command(
            "demo", "--people", "10", "--regions", "31,77.77", stdout=StringIO(), stderr=StringIO()
        )


def test_demo_programmes_load_once() -> None:
    actor = demo_system_user()
    first = demo_programmes_create(actor)
    counts = (Programme.objects.count(), ProgrammeVersion.objects.count(), Round.objects.count())
    second = demo_programmes_create(actor)
    assert [p.pk for p in first] == [p.pk for p in second]
    assert (
        Programme.objects.count(),
        ProgrammeVersion.objects.count(),
        Round.objects.count(),
    ) == counts
    assert not Round.objects.filter(status=RoundStatus.DRAFT).exists()
