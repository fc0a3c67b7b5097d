"""Audit events as a moderator reads them: a sentence for the action, named fields for details."""

from django.utils.translation import gettext_lazy as _

from studio.models import JobState

ACTION_LABELS = {
    "job.submitted": _("Job submitted"),
    "job.transition": _("State changed"),
    "job.renderer_unavailable": _("Video engine unavailable"),
    "gate.accepted": _("Safety gate: accepted"),
    "gate.held": _("Safety gate: held for review"),
    "gate.refused": _("Safety gate: refused"),
    "case.opened": _("Moderation case opened"),
    "case.claimed": _("Case claimed"),
    "case.decided": _("Case decided"),
    "case.closed": _("Case closed: the consent ended before a decision"),
    "output.published": _("Output published"),
    "output.viewed_by_moderator": _("Output viewed by a moderator"),
    "upload.refused": _("Upload refused"),
    "output.status": _("Output status changed"),
    "case.evidence_viewed": _("Evidence viewed"),
    "job.cancel_requested": _("Cancellation requested"),
    "report.filed": _("Misuse reported"),
    "account.banned": _("Creator banned"),
    "gallery.added": _("Added to the do-not-animate gallery"),
}
FIELD_LABELS = {
    "from": _("from"),
    "to": _("to"),
    "reason": _("reason"),
    "reason_code": _("reason code"),
    "message": _("message"),
    "channel": _("channel"),
    "audio_seconds": _("audio seconds"),
    "distance": _("distance"),
    "accept_threshold": _("accept threshold"),
    "reject_threshold": _("reject threshold"),
    "decision": _("decision"),
    "status": _("status"),
}


def _value(key: str, value) -> str:
    if key in {"from", "to"} and value in JobState.values:
        return str(JobState(value).label)
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list | tuple):
        return ", ".join(_value("", item) for item in value)
    return str(value)


def _fields(details: dict, prefix: str = "") -> list[tuple[str, str]]:
    rows = []
    for key, value in details.items():
        if value in (None, "", [], {}):
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows.extend(_fields(value, prefix=f"{name}."))
            continue
        label = FIELD_LABELS.get(name, name.replace("_", " "))
        rows.append((str(label), _value(key, value)))
    return rows


def audit_event_rows(events) -> list[dict]:
    return [
        {
            "sequence": event.sequence,
            "created_at": event.created_at,
            "actor": event.actor_label,
            "action": str(ACTION_LABELS.get(event.action, event.action)),
            "fields": _fields(event.details or {}),
        }
        for event in events
    ]
