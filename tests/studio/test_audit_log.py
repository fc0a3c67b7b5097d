import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from studio.models import AuditEvent
from studio.models.audit import AuditLogIsAppendOnly
from studio.services.audit import audit_chain_verify, audit_record

pytestmark = pytest.mark.django_db


def _events(count=4):
    return [audit_record("test.event", details={"n": n}) for n in range(count)]


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


def test_a_row_changed_behind_the_orms_back_is_found(capsys):
    events = _events(4)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE studio_auditevent SET details = %s WHERE id = %s", ['{"n": 99}', events[2].pk]
        )
    check = audit_chain_verify()
    assert not check.intact
    assert check.first_broken_sequence == events[2].sequence
    with pytest.raises(CommandError, match=f"BROKEN at event #{events[2].sequence}"):
        call_command("audit_verify")


def test_a_deleted_row_is_found():
    events = _events(4)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM studio_auditevent WHERE id = %s", [events[1].pk])
    check = audit_chain_verify()
    assert not check.intact and check.first_broken_sequence == events[1].sequence


def test_audit_verify_reports_an_intact_chain(capsys):
    _events(2)
    call_command("audit_verify")
    assert "intact: 2 events" in capsys.readouterr().out
