from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from studio.errors import NotAllowed, NotFound
from studio.models import AuditEvent, ModerationCase
from studio.roles import is_moderator


def _require_moderator(user) -> None:
    if not is_moderator(user):
        raise NotAllowed(_("Only moderators can open the moderation queue."))


def cases_queue(user, *, reason: str = "", state: str = "") -> QuerySet[ModerationCase]:
    """Oldest first; unresolved by default."""
    _require_moderator(user)
    cases = ModerationCase.objects.select_related("job", "claimed_by").order_by("created_at")
    if reason:
        cases = cases.filter(reason=reason)
    cases = (
        cases.filter(state=state) if state else cases.exclude(state=ModerationCase.State.RESOLVED)
    )
    return cases


def case_counts(user) -> list[dict]:
    """One row per reason: how many cases are open, claimed and resolved."""
    _require_moderator(user)
    found = {
        (row["reason"], row["state"]): row["n"]
        for row in ModerationCase.objects.values("reason", "state").annotate(n=Count("id"))
    }
    return [
        {
            "reason": value,
            "label": label,
            **{state: found.get((value, state), 0) for state in ModerationCase.State.values},
        }
        for value, label in ModerationCase.Reason.choices
    ]


def case_get_for_moderator(user, public_id) -> ModerationCase:
    _require_moderator(user)
    case = (
        ModerationCase.objects.select_related(
            "job",
            "job__portrait",
            "job__audio",
            "job__consent",
            "job__creator",
            "claimed_by",
            "consent",
            "consent__creator",
        )
        .filter(public_id=public_id)
        .first()
    )
    if case is None:
        raise NotFound(_("No such case."))
    return case


def case_job_history(case: ModerationCase) -> QuerySet[AuditEvent]:
    if case.job is None and case.consent_id is not None:
        return AuditEvent.objects.filter(subject_id=str(case.consent.public_id)).order_by(
            "sequence"
        )
    if case.job is None:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(subject_id=str(case.job.public_id)).order_by("sequence")
