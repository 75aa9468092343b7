"""The merge's updates of existing rows keep their references checked, also on PostgreSQL where
the bulk session turns the foreign-key triggers off."""

import pytest
from django.db import IntegrityError, connection, transaction

from pulih.intake import pipeline
from pulih.registry.bulk import DanglingReference, writer_for_connection
from pulih.registry.models import Person
from pulih.testing.factories import registration_make

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
STAMP = "2026-12-05 10:00:00+00"


def _move(person: Person, village: str) -> None:
    pipeline._update_grouped(
        "registry_person", [(person.pk, {"village_id": village, "region_code": village})], STAMP
    )


@postgres_only
def test_update_to_a_village_that_does_not_exist_is_refused_with_triggers_off():
    person = registration_make().owner
    writer = writer_for_connection()
    with pytest.raises(DanglingReference, match="reference_region"), writer.session():
        assert writer.triggers_off
        with transaction.atomic():
            _move(person, "99.99.99.9999")
    person.refresh_from_db()
    assert person.village_id != "99.99.99.9999"


def test_update_to_an_existing_village_is_written():
    person = registration_make().owner
    other = (
        type(person.village).objects.filter(level=4).exclude(code=person.village_id).first().code
    )
    writer = writer_for_connection()
    try:
        with writer.session(), transaction.atomic():
            _move(person, other)
    except IntegrityError:  # pragma: no cover - would mean the check refused a real village
        pytest.fail("an existing village was refused")
    person.refresh_from_db()
    assert person.village_id == other
