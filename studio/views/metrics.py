"""/metrics for Prometheus: django-prometheus's and Signet's metrics of every local process."""

import hmac
import os

from django.conf import settings
from django.http import Http404, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from studio.observability.metrics import StateCollector


def metrics(request):
    token = settings.SIGNET_METRICS_TOKEN
    if not token and not settings.SIGNET_METRICS_OPEN:
        # As if there were no such page: a closed endpoint need not announce itself.
        raise Http404
    if token and not hmac.compare_digest(
        request.headers.get("Authorization", ""), f"Bearer {token}"
    ):
        return HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    state = CollectorRegistry()
    state.register(StateCollector())
    return HttpResponse(
        generate_latest(registry) + generate_latest(state), content_type=CONTENT_TYPE_LATEST
    )
