"""A creator who forgot their password, in real headless Chromium: from the login page to the
mailed link, a new password, and a login with it."""

import re

import pytest

from tests.studio.factories import make_creator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_forgot_password_from_the_login_page_to_a_login_with_the_new_one(
    page, live_server, mailoutbox
):
    creator = make_creator("forgetful@example.com")
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("#forgot-password")
    page.fill("#id_email", creator.email)
    page.click("#send-reset-link")
    page.wait_for_selector("#password-reset-sent")
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/\S+/", mailoutbox[0].body).group(0)

    page.goto(link)
    assert "/set-password/" in page.url  # the token left the address bar before the form
    page.fill("#id_new_password1", "remembered-at-last-58")
    page.fill("#id_new_password2", "remembered-at-last-58")
    page.click("#set-new-password")
    page.wait_for_selector("#password-reset-complete")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", creator.email)
    page.fill("#id_password", "remembered-at-last-58")
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")
