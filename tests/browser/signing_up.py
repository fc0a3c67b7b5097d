"""Signing up in the browser as a new creator does: the e-mail first, then the e-mailed link."""

import re


def sign_up_by_link(page, live_server, mailoutbox, *, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("#id_email", email)
    page.click("button[type=submit]")
    assert "Check your inbox" in page.inner_text("main")
    link = re.search(r"https?://\S+/accounts/signup/\S+/", mailoutbox[-1].body).group(0)
    page.goto(link)
    page.fill("#id_password1", password)
    page.fill("#id_password2", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
