"""Hardening: the audit chain becomes keyed (HMAC-SHA256 with a key outside the database), and on
PostgreSQL a trigger refuses UPDATE and DELETE on the audit table.

Existing events are re-chained with the key as far as their plain SHA-256 chain is intact; from
the first broken event on, the chain is left as it is, so `audit_verify` reports that event.
"""

import hashlib
import json

from django.db import migrations

GENESIS = "0" * 64
TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION studio_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'studio_auditevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS studio_auditevent_append_only ON studio_auditevent;
CREATE TRIGGER studio_auditevent_append_only
    BEFORE UPDATE OR DELETE ON studio_auditevent
    FOR EACH ROW EXECUTE FUNCTION studio_audit_append_only();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS studio_auditevent_append_only ON studio_auditevent;
DROP FUNCTION IF EXISTS studio_audit_append_only();
"""


def _canonical(event, previous_hash):
    return json.dumps(
        [
            event.sequence,
            event.created_at.isoformat(),
            event.actor_label,
            event.action,
            event.subject_type,
            event.subject_id,
            event.details,
            previous_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    ).encode()


def rechain_with_key(apps, schema_editor):
    import hmac

    from studio.audit_key import audit_key

    AuditEvent = apps.get_model("studio", "AuditEvent")
    AuditChainHead = apps.get_model("studio", "AuditChainHead")
    events = list(AuditEvent.objects.order_by("sequence"))
    intact_prefix = []
    previous = GENESIS
    for expected, event in enumerate(events, start=1):
        intact = (
            event.sequence == expected
            and event.previous_hash == previous
            and hashlib.sha256(_canonical(event, previous)).hexdigest() == event.event_hash
        )
        if not intact:
            break  # from here on the chain stays as it is, for audit_verify to report
        intact_prefix.append(event)
        previous = event.event_hash
    if not intact_prefix:
        return
    key = audit_key()
    previous = GENESIS
    for event in intact_prefix:
        event.previous_hash = previous
        event.event_hash = hmac.new(key, _canonical(event, previous), hashlib.sha256).hexdigest()
        # The historical model has a plain manager; event_hash is unique, so write one by one.
        AuditEvent.objects.filter(pk=event.pk).update(
            previous_hash=event.previous_hash, event_hash=event.event_hash
        )
        previous = event.event_hash
    if len(intact_prefix) == len(events):
        AuditChainHead.objects.filter(pk=1).update(
            sequence=events[-1].sequence, last_hash=previous
        )


def trigger_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(TRIGGER_SQL)  # no parameters: the % in RAISE stays as it is


def trigger_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("studio", "0003_audit_chain_head"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [
        migrations.RunPython(rechain_with_key, migrations.RunPython.noop),
        migrations.RunPython(trigger_create, trigger_drop),
    ]
