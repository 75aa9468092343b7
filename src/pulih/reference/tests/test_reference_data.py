"""Reference data: every Kemendagri region from idn-area-data, the KBLI and ekraf fixtures."""

import pytest

from pulih.reference.models import EkrafSubsector, KbliSection, Region, RegionLevel
from pulih.reference.services import regions_load


@pytest.mark.django_db
def test_every_region_level_is_loaded_with_parents():
    counts = {level: Region.objects.filter(level=level).count() for level in RegionLevel}
    assert counts[RegionLevel.PROVINCE] == 38
    assert counts[RegionLevel.CITY] == 514
    assert 7_200 <= counts[RegionLevel.DISTRICT] <= 7_300
    assert 83_000 <= counts[RegionLevel.VILLAGE] <= 84_000
    assert Region.objects.get(code="31").name == "Daerah Khusus Ibukota Jakarta"
    assert Region.objects.get(code="32.73").name == "Kota Bandung"
    assert Region.objects.get(code="32.73.01.1001").parent_id == "32.73.01"
    assert not Region.objects.filter(level__gt=1, parent__isnull=True).exists()


@pytest.mark.django_db
def test_loading_regions_again_changes_nothing():
    before = Region.objects.count()
    Region.objects.filter(code="32.73").update(name="Nama Lama")
    result = regions_load()
    assert Region.objects.count() == before
    assert result.villages == Region.objects.filter(level=RegionLevel.VILLAGE).count()
    assert Region.objects.get(code="32.73").name == "Kota Bandung"  # renamed back from the data


@pytest.mark.django_db
def test_kbli_sections_and_ekraf_subsectors():
    assert list(KbliSection.objects.values_list("code", flat=True)) == list("ABCDEFGHIJKLMNOPQRSTU")
    assert EkrafSubsector.objects.count() == 17
    assert EkrafSubsector.objects.filter(slug="kuliner", name="Kuliner").exists()


@pytest.mark.django_db
def test_region_api_is_public(client):
    city = client.get("/api/v1/regions/32.73")
    assert city.status_code == 200 and city.json()["name"] == "Kota Bandung"
    children = client.get("/api/v1/regions?parent=32.73").json()
    assert len(children) == 30 and all(c["parent"] == "32.73" for c in children)
    assert len(client.get("/api/v1/regions").json()) == 38
    assert client.get("/api/v1/regions/99.99").status_code == 404
    assert client.get("/api/v1/regions?parent=99.99").status_code == 404
