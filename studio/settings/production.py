"""Production: behind TLS. Everything here can still be tuned from the environment.

`DJANGO_SETTINGS_MODULE=studio.settings.production manage.py check --deploy` prints no warning
when DJANGO_SECRET_KEY is a long random value and DJANGO_ALLOWED_HOSTS names the site.
"""

import os

os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "true")
os.environ.setdefault("DJANGO_SECURE_HSTS_SECONDS", str(365 * 24 * 3600))
os.environ.setdefault("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", "true")
os.environ.setdefault("DJANGO_SECURE_HSTS_PRELOAD", "true")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "true")
# Closed unless SIGNET_METRICS_TOKEN is set, or the operator opens it for a proxy that filters.
os.environ.setdefault("SIGNET_METRICS_OPEN", "false")

from studio.settings.base import *  # noqa: E402,F403

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
