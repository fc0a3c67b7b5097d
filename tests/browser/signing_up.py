"""Signing up in the browser as a new creator does: the e-mail first, then the e-mailed link."""

import re
from collections.abc import Callable


def sign_up_by_link(
    page,
    live_server,
    mailoutbox,
    *,
    email: str,
    password: str,
    inbox: str = "Check your inbox",
    check_page: Callable[[str], None] | None = None,
) -> None:
    """`inbox` is what the page says once the link is sent (in the page's language);
    `check_page`, if given, is called with a name on each page of the way."""
    check = check_page or (lambda where: None)
    page.goto(f"{live_server.url}/accounts/signup/")
    check("sign-up")
    page.fill("#id_email", email)
    page.click("button[type=submit]")
    assert inbox in page.inner_text("main")
    check("sign-up link sent")
    link = re.search(r"https?://\S+/accounts/signup/\S+/", mailoutbox[-1].body).group(0)
    page.goto(link)
    check("choose a password")
    page.fill("#id_password1", password)
    page.fill("#id_password2", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
