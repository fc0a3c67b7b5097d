"""Public misuse reports: a verified Signet file can be reported without learning who made it."""

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from studio.errors import InputRefused
from studio.models import MisuseReport, ModerationCase, OutputArtifact
from studio.services.audit import audit_record

REPORT_TOKEN_SALT = "signet.misuse-report"
REPORT_TOKEN_MAX_AGE = 24 * 3600


def report_token_for(record_id: str) -> str:
    """Issued with a verification answer: proof that the reporter held a Signet file."""
    return signing.dumps({"output": record_id}, salt=REPORT_TOKEN_SALT)


@transaction.atomic
def misuse_report_file(*, token: str, message: str, contact: str = "") -> ModerationCase:
    try:
        data = signing.loads(token, salt=REPORT_TOKEN_SALT, max_age=REPORT_TOKEN_MAX_AGE)
    except signing.BadSignature as error:
        raise InputRefused(
            _("This report link expired. Verify the file again, then report it.")
        ) from error
    message = message.strip()
    if len(message) < 10:
        raise InputRefused(_("Please tell us in a sentence or two what is wrong with this video."))
    artifact = OutputArtifact.objects.select_related("job").filter(public_id=data["output"]).first()
    if artifact is None:
        raise InputRefused(_("This file is no longer in Signet's records."))
    case = ModerationCase.objects.filter(
        job=artifact.job, reason=ModerationCase.Reason.MISUSE_REPORT, state__in=["open", "claimed"]
    ).first()
    if case is None:
        case = ModerationCase.objects.create(
            job=artifact.job,
            reason=ModerationCase.Reason.MISUSE_REPORT,
            details={"output": str(artifact.public_id)},
        )
        audit_record(
            "case.opened",
            subject=case,
            details={"reason": case.reason, "output": str(artifact.public_id)},
        )
    MisuseReport.objects.create(
        case=case, output=artifact, message=message[:5000], contact=contact[:200]
    )
    audit_record("report.filed", subject=case, details={"output": str(artifact.public_id)})
    return case
