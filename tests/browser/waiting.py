"""Waiting for the page, under the Content-Security-Policy.

Playwright's `wait_for_function` with a string compiles it inside the page, which a policy
without 'unsafe-eval' forbids; `page.evaluate` runs through the DevTools protocol, which the
policy does not govern. So: poll with evaluate.
"""

import time


def wait_until(page, expression: str, *, timeout: float = 30.0, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if page.evaluate(expression):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(interval * 1000)
