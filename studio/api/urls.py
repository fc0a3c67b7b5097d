from ninja import NinjaAPI

from studio.api import jobs, verifier
from studio.api.errors import install_error_handlers

api = NinjaAPI(
    title="Signet API",
    version="1",
    description="Creators' jobs (Bearer token) and the public verifier. Errors are "
    '`{"error": {"code": "...", "message": "..."}}`.',
    urls_namespace="api_v1",
    openapi_url="/openapi.json",
    docs_url=None,  # the docs page would load scripts from a CDN; the JSON document is enough
)
install_error_handlers(api)
api.add_router("", jobs.router)
api.add_router("", verifier.router)
