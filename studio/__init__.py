"""Signet's Django project and app: the only package that knows Django and the database."""

from studio.celery_app import app as celery_app

__all__ = ["celery_app"]
