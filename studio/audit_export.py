"""Audit events as JSON Lines, for admins who take the trail elsewhere."""

import json
from collections.abc import Iterable, Iterator

from studio.models import AuditEvent


def audit_events_jsonl(events: Iterable[AuditEvent]) -> Iterator[str]:
    for event in events:
        yield (
            json.dumps(
                {
                    "sequence": event.sequence,
                    "created_at": event.created_at.isoformat(),
                    "actor": event.actor_label,
                    "action": event.action,
                    "subject_type": event.subject_type,
                    "subject_id": event.subject_id,
                    "details": event.details,
                    "previous_hash": event.previous_hash,
                    "event_hash": event.event_hash,
                },
                sort_keys=True,
            )
            + "\n"
        )
