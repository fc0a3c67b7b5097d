"""Pages show times on the visitor's clock: the browser's time zone, kept in a cookie, is used
when it names a real zone, and anything else a visitor puts there leaves UTC without an error."""

from datetime import UTC, datetime

import pytest

from studio.models import GenerationJob
from tests.studio.factories import submit_job

pytestmark = pytest.mark.django_db

MADE = datetime(2026, 12, 7, 4, 34, tzinfo=UTC)


@pytest.fixture
def job_made_at_0434_utc(consented_creator, tmp_path):
    job = submit_job(consented_creator, tmp_path)
    GenerationJob.objects.filter(pk=job.pk).update(created_at=MADE)
    return job


def _dashboard(client, creator, zone=None):
    client.force_login(creator)
    if zone is not None:
        client.cookies["signet_tz"] = zone
    return client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="de").content.decode()


def test_the_dashboard_shows_the_time_on_the_visitors_clock(
    client, consented_creator, job_made_at_0434_utc
):
    assert "07.12.2026 04:34" in _dashboard(client, consented_creator)
    assert "07.12.2026 05:34" in _dashboard(client, consented_creator, "Europe/Berlin")
    assert "06.12.2026 23:34" in _dashboard(client, consented_creator, "America/New_York")
    page = client.get(f"/jobs/{job_made_at_0434_utc.public_id}/", HTTP_ACCEPT_LANGUAGE="de")
    assert "06.12.2026 23:34" in page.content.decode()


@pytest.mark.parametrize(
    "forged",
    ["Mars/Olympus_Mons", "../../etc/passwd", "Europe/Berlin\\x00", "", "UTC; Path=/", "A" * 5000],
)
def test_a_forged_time_zone_leaves_utc(client, consented_creator, job_made_at_0434_utc, forged):
    page = _dashboard(client, consented_creator, forged)
    assert "07.12.2026 04:34" in page


def test_the_zone_does_not_leak_into_the_next_request(
    client, consented_creator, job_made_at_0434_utc
):
    _dashboard(client, consented_creator, "Asia/Tokyo")
    other = client.__class__()
    assert "07.12.2026 04:34" in _dashboard(other, consented_creator)
