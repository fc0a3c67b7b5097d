import hashlib
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from studio.audit_key import audit_key_path
from studio.models import AuditEvent
from studio.models.audit import AuditLogIsAppendOnly
from studio.services.audit import audit_chain_verify, audit_event_hash, audit_record

pytestmark = pytest.mark.django_db


def _events(count=4):
    return [audit_record("test.event", details={"n": n}) for n in range(count)]


@pytest.fixture
def owner_cursor():
    """A cursor of someone with full write access to the database, who first switches off the
    append-only trigger (as the table's owner can). Rolled back with the test's transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE studio_auditevent DISABLE TRIGGER USER")
        yield cursor


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_itself_refuses_to_change_or_delete_an_event():
    event = _events(1)[0]
    for statement in (
        "UPDATE studio_auditevent SET action = 'forged' WHERE id = %s",
        "DELETE FROM studio_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_an_event_edited_and_re_chained_without_the_key_is_found(owner_cursor):
    """The attacker edits event 2 and recomputes every later hash, as plain SHA-256 (the old
    scheme) and with a key of their own; without the audit key the chain still breaks there."""
    events = _events(4)
    for forge in (
        lambda event: audit_event_hash(event, key=b"attacker's own key, not the audit key"),
        lambda event: hashlib.sha256(str(event.pk).encode()).hexdigest(),
    ):
        previous = events[0].event_hash
        for event in AuditEvent.objects.filter(sequence__gte=events[1].sequence).order_by("sequence"):
            if event.sequence == events[1].sequence:
                event.details = {"n": 1, "note": "nothing happened here"}
            event.previous_hash = previous
            event.event_hash = forge(event)
            owner_cursor.execute(
                "UPDATE studio_auditevent SET details = %s, previous_hash = %s, event_hash = %s "
                "WHERE id = %s",
                [json.dumps(event.details), event.previous_hash, event.event_hash, event.pk],
            )
            previous = event.event_hash
        owner_cursor.execute("UPDATE studio_auditchainhead SET last_hash = %s", [previous])
        check = audit_chain_verify()
        assert not check.intact and check.first_broken_sequence == events[1].sequence
        assert check.problem == "event content was changed"
        with pytest.raises(CommandError, match=f"BROKEN at event #{events[1].sequence}"):
            call_command("audit_verify")


def test_the_audit_key_lives_outside_the_database(settings):
    key_file = audit_key_path()
    assert key_file.is_file() and key_file.parent == Path(settings.SIGNET_KEYS_DIR)
    assert key_file.stat().st_mode & 0o777 == 0o600
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (our own table names)
            assert key_file.read_text().strip() not in repr(cursor.fetchall())


def test_events_cannot_be_edited_or_deleted_through_the_orm():
    event = _events(1)[0]
    event.action = "forged"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_each_event_links_to_the_previous_one():
    events = _events(3)
    assert events[1].previous_hash == events[0].event_hash
    assert events[2].previous_hash == events[1].event_hash
    check = audit_chain_verify()
    assert check.intact and check.events_checked == 3


def test_a_row_changed_behind_the_orms_back_is_found(capsys, owner_cursor):
    events = _events(4)
    owner_cursor.execute(
        "UPDATE studio_auditevent SET details = %s WHERE id = %s", ['{"n": 99}', events[2].pk]
    )
    check = audit_chain_verify()
    assert not check.intact
    assert check.first_broken_sequence == events[2].sequence
    with pytest.raises(CommandError, match=f"BROKEN at event #{events[2].sequence}"):
        call_command("audit_verify")


def test_a_deleted_row_is_found(owner_cursor):
    events = _events(4)
    owner_cursor.execute("DELETE FROM studio_auditevent WHERE id = %s", [events[1].pk])
    check = audit_chain_verify()
    assert not check.intact and check.first_broken_sequence == events[1].sequence


def test_audit_verify_reports_an_intact_chain(capsys):
    _events(2)
    call_command("audit_verify")
    assert "intact: 2 events" in capsys.readouterr().out


def test_two_processes_making_the_audit_key_at_once_never_read_a_half_written_one(
    settings, tmp_path, monkeypatch
):
    """The first writer is held between creating its key and writing it; the second, starting
    in that moment, must get a whole key (the one both then use), not an empty file."""
    import threading

    import studio.audit_key as audit_key_module

    settings.SIGNET_AUDIT_KEY = str(tmp_path / "keys" / "audit.key")
    first_is_writing, second_is_done = threading.Event(), threading.Event()
    real_token_hex = audit_key_module.secrets.token_hex

    def held_token_hex(length):
        if threading.current_thread().name == "first":
            first_is_writing.set()
            second_is_done.wait(timeout=10)
        return real_token_hex(length)

    monkeypatch.setattr(audit_key_module.secrets, "token_hex", held_token_hex)
    keys, errors = {}, {}

    def make(name):
        try:
            keys[name] = audit_key_module.audit_key()
        except Exception as error:  # noqa: BLE001 (the test reports what the reader saw)
            errors[name] = error
        finally:
            if name == "second":
                second_is_done.set()

    first = threading.Thread(target=make, args=("first",), name="first")
    first.start()
    assert first_is_writing.wait(timeout=10)
    make("second")
    first.join(timeout=10)
    assert errors == {}
    assert keys["first"] == keys["second"] and len(keys["first"]) == 32
    assert Path(settings.SIGNET_AUDIT_KEY).stat().st_mode & 0o777 == 0o600
    assert [p.name for p in (tmp_path / "keys").iterdir()] == ["audit.key"]
