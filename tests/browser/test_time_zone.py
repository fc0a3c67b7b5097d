"""A browser in New York reads the dashboard's times on its own clock, from its first login."""

from datetime import UTC, datetime

import pytest

from studio.models import GenerationJob
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS
from tests.studio.factories import PASSWORD, enrol_and_consent, make_creator, submit_job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_shows_times_in_the_browsers_time_zone(
    playwright_instance, live_server, tmp_path
):
    creator = make_creator("clock@example.com")
    enrol_and_consent(creator, tmp_path)
    job = submit_job(creator, tmp_path)
    made = datetime(2026, 12, 7, 4, 34, tzinfo=UTC)
    GenerationJob.objects.filter(pk=job.pk).update(created_at=made)
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
    try:
        context = browser.new_context(timezone_id="America/New_York", locale="en-US")
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "clock@example.com")
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/dashboard/")
        # 04:34 UTC is 23:34 the evening before in New York.
        assert "12/06/2026 11:34 p.m." in page.inner_text("main")
    finally:
        browser.close()
