"""An attacker's second round: API tokens, other people's IDs, redirects, leaks and floods."""

import json
import re
from pathlib import Path

import pytest

from studio.models import ApiToken
from studio.services.accounts import account_delete, moderator_create
from studio.services.api_tokens import api_token_create, api_token_revoke
from studio.services.consent import consent_revoke
from studio.services.jobs import job_render
from tests.studio.factories import PASSWORD, make_creator, submit_job, upload
from tests.studio.two_factor import totp_device

pytestmark = pytest.mark.django_db

NO_SUCH_JOB = "/api/v1/jobs/00000000-0000-0000-0000-000000000000"


def _token_for(user) -> str:
    return api_token_create(creator=user, label="script")[1]


def _bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


# 1. API tokens


def test_a_token_stops_working_when_revoked_or_its_account_is_banned_or_deleted(client, creator):
    revoked, banned, deleted = _token_for(creator), _token_for(creator), _token_for(creator)
    # A valid token gets past authentication: "no such job", not "who are you".
    assert client.get(NO_SUCH_JOB, **_bearer(revoked)).status_code == 404
    token = ApiToken.objects.get(key_sha256=ApiToken.hash_key(revoked))
    api_token_revoke(creator=creator, token_public_id=token.public_id)
    assert client.get(NO_SUCH_JOB, **_bearer(revoked)).status_code == 401

    creator.is_active = False  # what a moderator's ban does
    creator.save(update_fields=["is_active"])
    assert client.get(NO_SUCH_JOB, **_bearer(banned)).status_code == 401

    creator.is_active = True
    creator.save(update_fields=["is_active"])
    account_delete(user=creator)
    assert client.get(NO_SUCH_JOB, **_bearer(deleted)).status_code == 401


def test_a_banned_creators_open_session_ends_with_the_ban(creator_client, consented_creator):
    assert creator_client.get("/dashboard/").status_code == 200
    consented_creator.is_active = False
    consented_creator.save(update_fields=["is_active"])
    for path in ("/dashboard/", "/jobs/new/"):
        answer = creator_client.get(path)
        assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")


def test_a_token_opens_no_page_and_a_session_opens_no_api(client, creator):
    key = _token_for(creator)
    moderator = moderator_create(email="moderator@example.com", password=PASSWORD)
    totp_device(moderator)
    moderator_key = _token_for(moderator)
    for path, token in (
        ("/dashboard/", key),
        ("/jobs/new/", key),
        ("/moderation/", moderator_key),
        ("/moderation/gallery/", moderator_key),
    ):
        answer = client.get(path, **_bearer(token))
        assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/"), path
    for name in ("token", "access_token", "bearer"):
        assert client.get(f"{NO_SUCH_JOB}?{name}={key}").status_code == 401
    # The other way round: a signed-in browser (which a hostile page can make post) is no
    # API client, so the API needs no CSRF token.
    assert client.login(username=creator.username, password=PASSWORD)
    assert client.get(NO_SUCH_JOB).status_code == 401
    assert client.post("/api/v1/jobs", {}).status_code == 401


# 2. Other people's IDs and outputs that are not released


def test_another_creators_job_is_not_found_through_the_api(client, consented_creator, tmp_path):
    job = submit_job(consented_creator, tmp_path)
    other = _token_for(make_creator("other@example.com"))
    assert client.get(f"/api/v1/jobs/{job.public_id}", **_bearer(other)).status_code == 404
    cancel = client.post(f"/api/v1/jobs/{job.public_id}/cancel", **_bearer(other))
    assert cancel.status_code == 404 and cancel.json()["error"]["code"] == "not_found"
    job.refresh_from_db()
    assert not job.cancel_requested and job.state != "cancelled"


@pytest.fixture
def rendered(consented_creator, tmp_path):
    job = submit_job(consented_creator, tmp_path)
    job_render(job.pk)
    job.refresh_from_db()
    assert job.state == "released", job.failure_reason
    return job


def test_another_creators_output_and_poster_are_not_found(client, rendered):
    make_creator("other@example.com")
    assert client.login(username="other@example.com", password=PASSWORD)
    for file in ("video.mp4", "poster.jpg"):
        assert client.get(f"/outputs/{rendered.output.public_id}/{file}").status_code == 404


def test_a_creators_own_revoked_output_is_no_longer_served(client, consented_creator, rendered):
    assert client.login(username=consented_creator.username, password=PASSWORD)
    output = rendered.output
    assert client.get(f"/outputs/{output.public_id}/poster.jpg").status_code == 200
    consent_revoke(creator=consented_creator)
    for file in ("video.mp4", "poster.jpg"):
        assert client.get(f"/outputs/{output.public_id}/{file}").status_code == 404
    status = client.get(f"/jobs/{rendered.public_id}/status").json()
    assert status["video_url"] is None and status["poster_url"] is None


# 3. Account enumeration


def test_logging_in_answers_the_same_for_a_known_and_an_unknown_e_mail(client, creator):
    def login_page(email: str) -> tuple[int, str]:
        answer = client.post("/accounts/login/", {"username": email, "password": "wrong-guess"})
        page = answer.content.decode().replace(email, "EMAIL")
        return answer.status_code, re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)

    # Both pages show the same error (the e-mail is not typed back, but would be masked).
    assert "e-mail and password didn" in login_page("nobody@example.com")[1]

    assert login_page(creator.email) == login_page("nobody@example.com")


# 4. Open redirects


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_next_never_leaves_the_site(client, creator, target):
    login = client.post(
        f"/accounts/login/?next={target}", {"username": creator.email, "password": PASSWORD}
    )
    assert login.status_code == 302 and login["Location"] == "/dashboard/"
    language = client.post("/i18n/setlang/", {"language": "de", "next": target})
    assert language.status_code == 302 and "evil.example" not in language["Location"]
    logout = client.post(f"/accounts/logout/?next={target}")
    assert logout.status_code == 302 and "evil.example" not in logout["Location"]


# 5. The public verifier


def test_the_public_answers_name_no_person_after_the_account_is_deleted(
    client, consented_creator, rendered, tmp_path
):
    output = rendered.output
    sealed_copy = tmp_path / "copy.mp4"
    sealed_copy.write_bytes(Path(output.file.path).read_bytes())
    consent = rendered.consent
    personal = [
        consented_creator.email,
        consented_creator.username,
        consent.signature_name,
        consent.one_time_code,
        output.file.name,
        str(Path(output.file.path).parent),
    ]
    personal = [value for value in personal if value]

    def answers() -> str:
        verify = client.post("/api/v1/verify", {"file": upload(sealed_copy, "v.mp4")})
        page = client.post("/verify/", {"file": upload(sealed_copy, "v.mp4")})
        manifest = client.get(f"/api/v1/manifests/{output.manifest_id}?format=json")
        binding = client.get(
            "/api/v1/matches/byBinding",
            {"alg": output.watermark_alg, "value": str(output.watermark_id)},
        )
        assert {r.status_code for r in (verify, page, manifest, binding)} == {200}
        return json.dumps([verify.json(), manifest.json(), binding.json()]) + page.content.decode()

    for text in (answers(), (account_delete(user=consented_creator), answers())[1]):
        leaked = [value for value in personal if value in text]
        assert not leaked, leaked


# 6. Floods


def test_submitting_jobs_from_the_web_form_is_rate_limited(
    creator_client, consented_creator, settings
):
    settings.SIGNET_RATE_LIMITS = {**settings.SIGNET_RATE_LIMITS, "api_jobs": "2/m"}
    codes = [creator_client.post("/jobs/new/", {}).status_code for _ in range(3)]
    assert codes[:2] == [200, 200] and codes[2] == 429  # (an empty form: 200 with its errors)
    refused = creator_client.post("/jobs/new/", {})
    assert "Too many requests" in refused.content.decode() and refused["Retry-After"]
    # One counter for both doors: the API is no way around the form's limit.
    api = creator_client.post("/api/v1/jobs", {}, **_bearer(_token_for(consented_creator)))
    assert api.status_code == 429


def test_the_verify_page_answers_a_flood_with_429(client, settings):
    settings.SIGNET_VERIFY_RATE_LIMIT_PER_MINUTE = 2
    codes = [client.post("/verify/", {}).status_code for _ in range(3)]
    assert codes == [400, 400, 429]
    refused = client.post("/verify/", {})
    assert "Too many verification requests" in refused.content.decode()
    assert refused["Retry-After"]
