"""The bulk writers: on PostgreSQL the load skips per-row foreign-key triggers and checks the
same references itself, so a dangling reference still never reaches the database."""

import pytest
from django.db import connection, transaction

from pulih.registry import bulk
from pulih.registry.bulk import (
    DanglingReference,
    references_checked_in_bulk,
    writer_for_connection,
)
from pulih.registry.models import Business, RegistrationEvent
from pulih.testing.factories import registration_make

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")

EVENT_COLUMNS = ("business_id", "actor_id", "action", "from_status", "to_status", "reason",
                 "changes", "at")  # fmt: skip


def _role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return cursor.fetchone()[0]


def _event(business_id: int, actor_id: int) -> tuple:
    return (business_id, actor_id, "edited", "", "", "uji", "{}", "2026-12-04 10:00:00+00")


@pytest.fixture
def business() -> Business:
    return registration_make()


@postgres_only
def test_postgres_session_turns_triggers_off_and_back_on(business: Business) -> None:
    writer = writer_for_connection()
    with writer.session():
        assert _role() == "replica"
        assert writer.triggers_off
    assert _role() == "origin"
    assert not writer.triggers_off


def test_rows_pointing_at_existing_parents_are_written(business: Business) -> None:
    writer = writer_for_connection()
    actor = business.owner.account_id
    with writer.session(), transaction.atomic():
        writer.insert("registry_registrationevent", EVENT_COLUMNS, [_event(business.pk, actor)])
    assert RegistrationEvent.objects.filter(business=business, reason="uji").count() == 1


@postgres_only
def test_row_pointing_at_a_missing_parent_is_refused_and_nothing_is_kept(
    business: Business,
) -> None:
    # SQLite checks its (deferred) foreign keys itself at commit; PostgreSQL's triggers are off
    # in the session, so the writer must refuse the row itself, before anything is kept.
    writer = writer_for_connection()
    actor = business.owner.account_id
    missing = Business.objects.order_by("-id").values_list("id", flat=True)[0] + 1000
    rows = [_event(business.pk, actor), _event(missing, actor)]
    with pytest.raises(DanglingReference, match="registry_business"), writer.session():
        with transaction.atomic():
            writer.insert("registry_registrationevent", EVENT_COLUMNS, rows)
    assert not RegistrationEvent.objects.filter(reason="uji").exists()
    assert _role() == "origin"


@postgres_only
def test_a_session_hands_its_checking_writer_to_every_bulk_write(business: Business) -> None:
    # Code inside the session that asks for a writer of its own still gets the checking one:
    # otherwise its rows would skip both the triggers and the checks.
    outer = writer_for_connection()
    with outer.session():
        assert writer_for_connection() is outer
    assert writer_for_connection() is not outer


@postgres_only
def test_in_a_transaction_bulk_references_are_checked_and_the_triggers_come_back(
    business: Business,
) -> None:
    actor = business.owner.account_id
    missing = Business.objects.order_by("-id").values_list("id", flat=True)[0] + 1000
    with transaction.atomic():
        with references_checked_in_bulk():
            assert _role() == "replica"
            writer = writer_for_connection()
            assert writer.triggers_off
            writer.insert("registry_registrationevent", EVENT_COLUMNS, [_event(business.pk, actor)])
            with pytest.raises(DanglingReference, match="registry_business"):
                with transaction.atomic():
                    writer.insert(
                        "registry_registrationevent", EVENT_COLUMNS, [_event(missing, actor)]
                    )
        assert _role() == "origin"
        assert not writer_for_connection().triggers_off
    assert RegistrationEvent.objects.filter(reason="uji").count() == 1


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite only")
def test_on_sqlite_the_block_changes_nothing(business: Business) -> None:
    with transaction.atomic(), references_checked_in_bulk():
        writer = writer_for_connection()
        writer.insert(
            "registry_registrationevent",
            EVENT_COLUMNS,
            [_event(business.pk, business.owner.account_id)],
        )
    assert RegistrationEvent.objects.filter(reason="uji").count() == 1


@pytest.mark.parametrize("copy_keys_min", [1, 1_000_000], ids=["by-copy", "as-array"])
def test_rows_keyed_finds_the_same_rows_whether_keys_are_copied_or_sent_as_an_array(
    monkeypatch: pytest.MonkeyPatch, copy_keys_min: int
) -> None:
    # Text keys with what CSV must quote or escape: a comma, quotes, a backslash, a line break,
    # and an empty one; some asked twice, some with no row.
    names = ['Siti, "Ani"', "Back\\slash", "Dua\nbaris", "Biasa"]
    people = [registration_make().owner for _ in names]
    for person, name in zip(people, names, strict=True):
        type(person).objects.filter(pk=person.pk).update(full_name=name)
    monkeypatch.setattr(bulk, "COPY_KEYS_MIN", copy_keys_min)
    asked = [*names, names[0], "tidak ada", ""]
    writer = writer_for_connection()
    got = writer.rows_keyed("registry_person", ("id", "full_name"), "full_name", asked)
    assert sorted(got) == sorted((p.pk, n) for p, n in zip(people, names, strict=True))
    by_id = writer.rows_keyed("registry_person", ("id",), "id", [people[0].pk, people[0].pk, 10**9])
    assert by_id == [(people[0].pk,)]


@postgres_only
def test_rows_keyed_by_copy_leaves_no_table_behind_when_it_fails(
    business: Business, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    monkeypatch.setattr(bulk, "COPY_KEYS_MIN", 1)
    writer = writer_for_connection()
    with pytest.raises(psycopg.errors.UndefinedColumn):
        writer.rows_keyed("registry_person", ("no_such_column",), "nik_hash", ["a", "b"])
    # The failed call's temporary table went with its savepoint: the next call creates its own.
    hashes = [business.owner.nik_hash, "b"]
    assert writer.rows_keyed("registry_person", ("id",), "nik_hash", hashes) == [
        (business.owner_id,)
    ]
