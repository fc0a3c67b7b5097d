"""Migration 0004 re-keys an existing plain SHA-256 audit chain, and only an intact one."""

import pytest

from tests.studio.test_embedded_default import _manage, embedded_env  # noqa: F401

WRITE_OLD_CHAIN = """
import hashlib, json
from django.utils import timezone
from studio.models import AuditChainHead, AuditEvent
previous = "0" * 64
for n in range(1, 6):
    event = AuditEvent(sequence=n, created_at=timezone.now(), actor_label="system",
                       action="old.event", subject_type="", subject_id="", details={"n": n},
                       previous_hash=previous)
    canonical = json.dumps([event.sequence, event.created_at.isoformat(), event.actor_label,
                            event.action, event.subject_type, event.subject_id, event.details,
                            previous], sort_keys=True, separators=(",", ":"), default=str)
    event.event_hash = hashlib.sha256(canonical.encode()).hexdigest()
    if n == 3 and TAMPER:
        event.details = {"n": 99}  # changed after hashing: the old chain is broken here
    event.save()
    previous = event.event_hash
AuditChainHead.objects.filter(pk=1).update(sequence=5, last_hash=previous)
"""
VERIFY = (
    "from studio.services.audit import audit_chain_verify, audit_record;"
    "c = audit_chain_verify(); print(c.intact, c.first_broken_sequence, c.events_checked)"
)


@pytest.mark.parametrize("tamper", [False, True])
def test_an_existing_chain_is_re_keyed_only_if_intact(embedded_env, tamper):  # noqa: F811
    assert _manage(embedded_env, "migrate", "studio", "0003", "--noinput").returncode == 0
    wrote = _manage(embedded_env, "shell", "-c", f"TAMPER = {tamper}\n" + WRITE_OLD_CHAIN)
    assert wrote.returncode == 0, wrote.stderr[-2000:]
    assert _manage(embedded_env, "migrate", "--noinput").returncode == 0
    intact, broken_at, checked = (
        _manage(embedded_env, "shell", "-c", VERIFY).stdout.strip().splitlines()[-1].split()
    )
    if tamper:
        assert (intact, broken_at, checked) == ("False", "3", "2")
    else:
        assert (intact, broken_at, checked) == ("True", "None", "5")
        more = _manage(
            embedded_env, "shell", "-c", "from studio.services.audit import audit_record;"
            "audit_record('new.event');" + VERIFY,
        )  # fmt: skip
        assert more.stdout.strip().splitlines()[-1].split() == ["True", "None", "6"]
