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
