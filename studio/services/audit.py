"""Appending to the audit log and checking its keyed hash chain (HMAC-SHA256).

The key lives outside the database (studio/audit_key.py): someone who edits an event and
re-computes the chain without the key leaves a chain that `audit_verify` finds broken. On
PostgreSQL a trigger also refuses UPDATE and DELETE on the table (migration 0004).
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from studio.audit_key import audit_key
from studio.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
# Sent after each event is written (action, subject_id, details): metrics count from it.
audit_recorded = Signal()


def _actor_label(actor) -> str:
    if actor is None:
        return "system"
    return f"user:{actor.pk}"


def audit_event_hash(event: AuditEvent, key: bytes | None = None) -> str:
    """HMAC-SHA256, keyed with the audit key, over everything an event says, including the hash
    of the one before it."""
    canonical = json.dumps(
        [
            event.sequence,
            event.created_at.isoformat(),
            event.actor_label,
            event.action,
            event.subject_type,
            event.subject_id,
            event.details,
            event.previous_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hmac.new(key or audit_key(), canonical.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def audit_record(
    action: str,
    *,
    actor=None,
    subject: Any = None,
    details: dict | None = None,
) -> AuditEvent:
    """Append one event. The chain head row is locked so concurrent writers queue up."""
    head, _ = AuditChainHead.objects.get_or_create(pk=1)
    head = AuditChainHead.objects.select_for_update().get(pk=head.pk)
    subject_type = type(subject).__name__ if subject is not None else ""
    subject_id = str(getattr(subject, "public_id", None) or getattr(subject, "pk", "") or "")
    # A round trip through JSON fixes the exact form that is hashed and later re-read.
    clean_details = json.loads(json.dumps(details or {}, default=str))
    created_at = timezone.now()
    sequence = head.sequence + 1
    event = AuditEvent(
        sequence=sequence,
        created_at=created_at,
        actor=actor if actor is not None and actor.pk else None,
        actor_label=_actor_label(actor),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        details=clean_details,
        previous_hash=head.last_hash,
    )
    event.event_hash = audit_event_hash(event)
    event.save()
    head.sequence = sequence
    head.last_hash = event.event_hash
    head.save(update_fields=["sequence", "last_hash"])
    audit_recorded.send(audit_record, action=action, subject_id=subject_id, details=clean_details)
    return event


# How long one person's look at one file counts as the same viewing (a player's range requests).
VIEWING_WINDOW_SECONDS = 15 * 60


def audit_record_viewing(action: str, *, actor, subject: Any, details: dict | None = None) -> None:
    """Record that `actor` opened `subject`: once per viewing, not once per byte range.

    Every request counts, whatever its Range header: a suffix range ("bytes=-N") or one starting
    past byte 0 can carry the whole file, so "only requests from byte 0 open a viewing" let a
    moderator fetch files unlogged. The first request of an actor, subject and details within
    VIEWING_WINDOW_SECONDS is the one written.
    """
    subject_id = str(getattr(subject, "public_id", None) or getattr(subject, "pk", "") or "")
    fingerprint = hashlib.sha256(
        json.dumps(
            [action, actor.pk, type(subject).__name__, subject_id, details or {}],
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()
    key = f"audit-viewing:{fingerprint}"
    if not cache.add(key, True, VIEWING_WINDOW_SECONDS):
        return
    try:
        audit_record(action, actor=actor, subject=subject, details=details)
    except BaseException:
        cache.delete(key)  # unrecorded: the next request must try again
        raise


@dataclass(frozen=True)
class ChainCheck:
    events_checked: int
    intact: bool
    first_broken_sequence: int | None
    problem: str


def audit_chain_verify() -> ChainCheck:
    """Walk the chain in order; report the first event whose hash or link does not hold."""
    key = audit_key()
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for event in AuditEvent.objects.order_by("sequence").iterator():
        if event.sequence != expected_sequence:
            return ChainCheck(checked, False, expected_sequence, "an event is missing")
        if event.previous_hash != previous_hash:
            return ChainCheck(checked, False, event.sequence, "link to the previous event broken")
        recomputed = audit_event_hash(event, key)
        if not hmac.compare_digest(recomputed, event.event_hash):
            return ChainCheck(checked, False, event.sequence, "event content was changed")
        previous_hash = event.event_hash
        expected_sequence += 1
        checked += 1
    return ChainCheck(checked, True, None, "")
