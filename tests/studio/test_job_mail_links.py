"""A mail about a video ends with the link to its page, on the site's own address (a worker has
no request to take it from), in the creator's language; the link opens only for its creator."""

import os
import secrets
import subprocess
import sys

import pytest
from django.core import mail
from django.test import override_settings

from studio.models import ConsentRecord, ModerationCase
from studio.services.accounts import moderator_create
from studio.services.moderation import case_decide
from studio.tasks import job_render
from tests.studio.factories import PASSWORD, make_creator, submit_job
from tests.worker_process import REPO_ROOT

pytestmark = pytest.mark.django_db

SITE = "https://signet.example.org"


def page_link_in(body: str) -> str:
    for word in body.split():
        if word.startswith(SITE):
            return word
    raise AssertionError(f"no link to {SITE} in: {body}")


@override_settings(SIGNET_HOLD_FIRST_JOBS=1, SIGNET_SITE_URL=SITE)
def test_the_held_and_the_released_mail_link_to_the_videos_page(client, consented_creator, tmp_path):
    job = submit_job(consented_creator, tmp_path)
    job_render(job.pk)
    held = next(m for m in mail.outbox if "waiting for a moderator" in m.subject)
    link = page_link_in(held.body)
    assert link == f"{SITE}/jobs/{job.public_id}/"

    moderator = moderator_create(email="moderator@example.com", password=PASSWORD)
    case_decide(case=ModerationCase.objects.get(job=job), moderator=moderator, decision="approve")
    released = next(m for m in mail.outbox if "released" in m.subject)
    assert page_link_in(released.body) == link
    assert "Your video's page:" in released.body

    path = link.removeprefix(SITE)
    assert client.login(username=consented_creator.username, password=PASSWORD)
    page = client.get(path)
    assert page.status_code == 200 and f"/outputs/{job.output.public_id}/video.mp4" in (
        page.content.decode()
    )
    # Forwarded or guessed, the link opens nothing for anyone else.
    client.logout()
    other = make_creator("other@example.com")
    assert client.login(username=other.username, password=PASSWORD)
    assert client.get(path).status_code == 404


@override_settings(SIGNET_HOLD_FIRST_JOBS=1, SIGNET_SITE_URL=SITE)
def test_the_link_line_speaks_the_creators_language(consented_creator, tmp_path):
    ConsentRecord.objects.filter(creator=consented_creator).update(language="de")
    job = submit_job(consented_creator, tmp_path)
    job_render(job.pk)
    assert f"Die Seite Ihres Videos: {SITE}/jobs/{job.public_id}/" in mail.outbox[-1].body


def site_url_under(**environment: str) -> str:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SIGNET_SITE"))},
        "DJANGO_SETTINGS_MODULE": "studio.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        **environment,
    }
    run = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SIGNET_SITE_URL)"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return run.stdout.strip()


def test_production_links_go_to_the_site_over_https_unless_told_otherwise():
    assert site_url_under(DJANGO_ALLOWED_HOSTS="signet.example.org,www.signet.example.org") == (
        "https://signet.example.org"
    )
    assert site_url_under(
        DJANGO_ALLOWED_HOSTS=".example.org", SIGNET_SITE_URL="https://studio.example.org/"
    ) == "https://studio.example.org"


@override_settings(SIGNET_SITE_URL=SITE)
def test_the_expiry_and_decision_mails_link_to_the_page_that_acts_on_them(
    consented_creator, mailoutbox
):
    from datetime import timedelta

    from django.utils import timezone

    from studio.models import ApiToken
    from studio.services.api_tokens import api_token_create, api_tokens_warn_expiring
    from studio.services.consent_expiry import consent_warn_expiring
    from tests.studio.factories import grant_held_consent

    token, _key = api_token_create(creator=consented_creator, label="laptop")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(days=3))
    api_tokens_warn_expiring()
    assert f"Your API tokens page: {SITE}/accounts/tokens/" in mailoutbox[-1].body

    ConsentRecord.objects.filter(creator=consented_creator).update(
        expires_at=timezone.now() + timedelta(days=5)
    )
    consent_warn_expiring()
    assert f"Your consent page: {SITE}/consent/" in mailoutbox[-1].body

    moderator = moderator_create(email="moderator@example.com", password=PASSWORD)
    renewal = grant_held_consent(consented_creator)
    case_decide(
        case=ModerationCase.objects.get(consent=renewal), moderator=moderator,
        decision="reject", reason="The code cannot be heard.",
    )  # fmt: skip
    assert "not accepted" in mailoutbox[-1].subject
    assert f"Your consent page: {SITE}/consent/" in mailoutbox[-1].body
