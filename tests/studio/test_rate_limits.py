"""Rate limits as an attacker and as a patient client meet them."""

import os
import threading

import pytest
from django.core.cache import caches
from django.test import RequestFactory

from studio.errors import RateLimited
from studio.rate_limits import rate_limit_hit

pytestmark = pytest.mark.django_db


def _verify(client, **extra):
    return client.post("/api/v1/verify", {}, **extra)  # no file: 400 when let in, 429 when not


def test_a_limited_client_is_let_back_in_when_its_window_ends(client, settings, ratelimit_clock):
    settings.SIGNET_VERIFY_RATE_LIMIT_PER_MINUTE = 3
    assert [_verify(client).status_code for _ in range(3)] == [400, 400, 400]
    refused = _verify(client)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    retry_after = int(refused["Retry-After"])
    assert 1 <= retry_after <= 60
    # The old limiter pushed the expiry back with every refused request: knock every 20 s.
    for _ in range(retry_after // 20):
        ratelimit_clock.now += 20
        assert _verify(client).status_code == 429
    ratelimit_clock.now += retry_after % 20 + 1
    assert _verify(client).status_code == 400  # let back in once the window ended
    # And a client that comes back every few minutes is never refused.
    for _ in range(5):
        ratelimit_clock.now += 180
        assert _verify(client).status_code == 400


def test_two_clients_behind_a_trusted_proxy_are_counted_apart(client, settings):
    settings.SIGNET_TRUSTED_PROXY_COUNT = 1
    settings.SIGNET_VERIFY_RATE_LIMIT_PER_MINUTE = 2
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    alice = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    bob = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.2"}
    assert [_verify(client, **alice).status_code for _ in range(3)] == [400, 400, 429]
    assert _verify(client, **bob).status_code == 400
    # Alice cannot dodge her limit by writing her own X-Forwarded-For entry in front.
    forged = {**proxy, "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.1"}
    assert _verify(client, **forged).status_code == 429


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, settings):
    settings.SIGNET_TRUSTED_PROXY_COUNT = 0
    settings.SIGNET_VERIFY_RATE_LIMIT_PER_MINUTE = 2
    codes = [
        _verify(client, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)
    ]
    assert codes == [400, 400, 429]


@pytest.mark.parametrize("backend", ["locmem", "redis"])
def test_the_count_is_atomic_under_concurrent_requests(settings, backend):
    """60 requests at once against a limit of 30: exactly 30 get through (the old counter let
    34 through)."""
    if backend == "redis":
        url = os.environ.get("CELERY_BROKER_URL", "")
        if not url.startswith("redis"):
            pytest.skip("no Redis in this run")
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        }
    caches["default"].clear()
    settings.SIGNET_VERIFY_RATE_LIMIT_PER_MINUTE = 30
    request = RequestFactory().post("/api/v1/verify", REMOTE_ADDR="192.0.2.50")
    allowed, refused, start = [], [], threading.Barrier(60)

    def hit():
        start.wait()
        try:
            rate_limit_hit(request, "verify")
            allowed.append(1)
        except RateLimited:
            refused.append(1)

    threads = [threading.Thread(target=hit) for _ in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (len(allowed), len(refused)) == (30, 30)
    caches["default"].clear()


@pytest.mark.parametrize(
    ("name", "method", "path", "data"),
    [
        ("lookup", "post", "/api/v1/matches/byBinding", {"alg": "x", "value": "1"}),
        ("lookup", "get", "/api/v1/manifests/urn:c2pa:nothing", None),
        ("report", "post", "/verify/report/", {"token": "forged", "message": "m"}),
        ("signup", "post", "/accounts/signup/", {"email": "not an e-mail"}),
        ("login", "post", "/accounts/login/", {"username": "a@example.com", "password": "x"}),
        ("api_jobs", "post", "/api/v1/jobs", {}),
    ],
)
def test_every_public_door_has_a_limit(client, settings, name, method, path, data):
    settings.SIGNET_RATE_LIMITS = {**settings.SIGNET_RATE_LIMITS, name: "2/m"}
    send = getattr(client, method)
    kwargs = {"content_type": "application/json"} if path.endswith("byBinding") else {}
    codes = [send(path, data, **kwargs).status_code for _ in range(3)]
    assert codes[:2] != [429, 429] and codes[2] == 429, codes


def test_a_flood_of_selfies_or_consent_recordings_is_refused_with_429(
    creator_client, settings, ratelimit_clock
):
    # Each selfie runs face detection and each recording the liveness checks: seconds of CPU
    # a client could otherwise ask for without end.
    settings.SIGNET_RATE_LIMITS = {**settings.SIGNET_RATE_LIMITS, "consent_uploads": "3/h"}
    json = {"HTTP_ACCEPT": "application/json"}
    answers = [creator_client.post("/enrol/", {}, **json).status_code for _ in range(2)]
    answers.append(creator_client.post("/consent/", {"signature_name": "A B"}, **json).status_code)
    assert answers == [400, 400, 400]  # let in: each refused for what it lacks
    for refused in (
        creator_client.post("/enrol/", {}, **json),
        creator_client.post("/consent/", {}, **json),
        creator_client.post("/enrol/", {}),
    ):
        assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert refused.status_code == 429 and "Too many requests" in refused.content.decode()
    ratelimit_clock.now += 3601
    assert creator_client.post("/enrol/", {}, **json).status_code == 400
