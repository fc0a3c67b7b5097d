"""Signet's HTTP API (django-ninja): the creators' jobs and the public verifier, one schema.

The OpenAPI document is served at /api/v1/openapi.json. Views here are thin: they call the
same services as the pages and the commands.
"""
