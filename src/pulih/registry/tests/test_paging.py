"""Counts stop at the cap: a province-wide list never counts all its rows."""

import pytest
from django.urls import reverse

from pulih import paging
from pulih.accounts.models import Role
from pulih.registry.models import Business
from pulih.testing.factories import registration_make, user_make


@pytest.mark.django_db
def test_capped_count_is_exact_below_the_cap_and_flagged_above_it():
    for _ in range(4):
        registration_make()
    qs = Business.objects.all()
    assert paging.capped_count(qs, cap=10) == (4, True)
    assert paging.capped_count(qs, cap=3) == (3, False)


@pytest.mark.django_db
def test_queue_and_api_say_more_than_when_the_cap_is_passed(client, monkeypatch):
    for _ in range(4):
        registration_make()
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    officer = user_make(role=Role.OFFICER, regions=("32.73",))
    client.force_login(officer)
    page = client.get(reverse("registry:queue")).content.decode()
    assert "lebih dari 3 pendaftaran" in page
    body = client.get("/api/v1/businesses?region=32.73").json()
    assert body["count"] == 3 and body["count_exact"] is False and len(body["results"]) == 4
    assert client.get(reverse("registry:queue"), {"page": 2}).status_code == 200
