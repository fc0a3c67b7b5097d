"""The Content-Security-Policy is on, and the pages' scripts still work under it in Chromium.

The page fixture fails a test on any CSP violation Chromium reports; this test also proves the
check sees one, on a page that breaks the policy on purpose.
"""

import pytest

from tests.browser.conftest import csp_violations_watch
from tests.browser.waiting import wait_until
from tests.generation.media_factory import face_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_policy_is_enforced_and_a_violation_is_seen(page, live_server):
    response = page.goto(f"{live_server.url}/verify/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    other = page.context.new_page()
    seen = csp_violations_watch(other)
    other.goto(f"{live_server.url}/verify/")
    # An injected inline script (what an XSS would add) is refused by the browser.
    other.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__injected = 1'; document.body.appendChild(s); }"
    )
    wait_until(other, "true", timeout=1)
    assert other.evaluate("window.__injected === undefined")
    assert seen and "Content Security Policy" in seen[0][1]
    other.close()


def test_public_pages_load_their_styles_under_the_policy(page, live_server):
    for path in ("/", "/verify/", "/accounts/login/", "/accounts/signup/"):
        page.goto(f"{live_server.url}{path}")
        # The stylesheet applied: the header has its white background from signet.css.
        assert (
            page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor")
            == "rgb(255, 255, 255)"
        )


def test_the_verify_flow_works_under_the_policy(page, live_server):
    page.goto(f"{live_server.url}/verify/")
    page.set_input_files("#id_file", str(face_path("obama.jpg")))
    page.click("#verify-submit")
    page.wait_for_selector("#verdict")
    assert page.get_attribute("#verdict", "data-code") == "no_provenance"
