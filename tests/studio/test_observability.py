"""JSON logs that name requests and jobs but never people; metrics that move with real jobs."""

import io
import json
import logging
import re
import time
from pathlib import Path

import pytest
from django.conf import settings

from studio.models import GenerationJob, JobState
from studio.observability.logs import ContextFilter, JsonFormatter
from studio.services.publishing import creator_handle
from tests.generation.media_factory import face_path
from tests.studio.factories import PASSWORD, upload, write_speech


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    root.removeHandler(handler)
    root.setLevel(previous)


def test_a_request_log_line_carries_its_id_and_the_pseudonym_not_the_person(
    client, consented_creator, json_log
):
    assert client.login(username=consented_creator.username, password=PASSWORD)
    forged = "x" * 300 + "\nlevel=CRITICAL"  # a client cannot inject a request id of its own shape
    response = client.get("/dashboard/", HTTP_X_REQUEST_ID=forged)
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    kept = client.get("/dashboard/", HTTP_X_REQUEST_ID="proxy-id-12345678")
    assert kept["X-Request-ID"] == "proxy-id-12345678"
    lines = [line for line in json_log() if line["logger"] == "studio.request"]
    first = next(line for line in lines if line["request_id"] == request_id)
    assert first["path"] == "/dashboard/" and first["status"] == 200
    assert first["creator"] == creator_handle(consented_creator)
    everything = json.dumps(json_log())
    assert consented_creator.email not in everything
    assert consented_creator.username not in everything


def _metric(text: str, name: str, **labels) -> float:
    """The value of one sample in Prometheus' text format (0 when it is not there)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        sample, _, value = line.rpartition(" ")
        metric, _, label_text = sample.partition("{")
        found = ",".join(sorted(label_text.rstrip("}").split(","))) if label_text else ""
        if metric == name and found == wanted:
            return float(value)
    return 0.0


@pytest.mark.django_db(transaction=True)
def test_metrics_move_after_a_job_through_a_real_worker(
    client, consented_creator, tmp_path, celery_worker
):
    before = client.get("/metrics").content.decode()
    assert "django_http_requests_total_by_method" in before or "django_http_requests" in before
    assert _metric(before, "signet_jobs", state="released") == 0
    assert client.login(username=consented_creator.username, password=PASSWORD)
    audio = write_speech(tmp_path / "speech.wav", seconds=1.5)
    response = client.post(
        "/jobs/new/",
        {
            "portrait": upload(face_path("obama2.jpg")),
            "audio": upload(audio),
            "label_corner": "top-left",
        },
    )
    assert response.status_code == 302
    job = GenerationJob.objects.get(creator=consented_creator)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and job.state not in {JobState.RELEASED, JobState.FAILED}:
        time.sleep(0.3)
        job.refresh_from_db()
    assert job.state == JobState.RELEASED, job.failure_reason
    after = client.get("/metrics").content.decode()
    assert _metric(after, "signet_jobs", state="released") == 1
    for state in ("queued", "rendering", "sealing", "released"):
        moved = _metric(after, "signet_job_transitions_total", state=state) - _metric(
            before, "signet_job_transitions_total", state=state
        )
        assert moved == 1, (state, moved)
    assert (
        _metric(after, "signet_gate_outcomes_total", outcome="accepted")
        - _metric(before, "signet_gate_outcomes_total", outcome="accepted")
        == 1
    )
    assert (
        _metric(after, "signet_render_seconds_count")
        - _metric(before, "signet_render_seconds_count")
        == 1
    )
    assert (
        _metric(after, "signet_seal_seconds_count") - _metric(before, "signet_seal_seconds_count")
        == 1
    )
    assert _metric(after, "signet_seal_seconds_sum") > _metric(before, "signet_seal_seconds_sum")
    assert "signet_queue_depth" in after
    # The worker's heartbeat row went with the previous test's flush; it beats again within 1 s.
    deadline = time.monotonic() + 10
    while _metric(after, "signet_worker_seen_recently", queue="cpu") != 1:
        assert time.monotonic() < deadline, "no heartbeat from the running worker within 10 s"
        time.sleep(0.5)
        after = client.get("/metrics").content.decode()
    worker_lines = [
        json.loads(line)
        for line in (Path(settings.VAR_DIR) / "worker.log").read_text().splitlines()
        if line.startswith("{")
    ]
    about_job = [line for line in worker_lines if line.get("job_id") == str(job.public_id)]
    assert about_job and all(
        line["creator"] == creator_handle(consented_creator) for line in about_job
    )
    assert consented_creator.email not in json.dumps(worker_lines)
    health = client.get("/healthz").json()
    assert health["workers"]["cpu"]["seen_recently"] is True
    assert health["workers"]["cpu"]["workers"] >= 1


@pytest.mark.django_db
def test_healthz_says_when_no_worker_was_seen(client):
    workers = client.get("/healthz").json()["workers"]
    assert workers["gpu"] == {"seen_recently": False, "last_seen": None, "workers": 0}


@pytest.mark.django_db
def test_metrics_can_require_a_token(client, settings):
    settings.SIGNET_METRICS_TOKEN = "scraper-secret"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scraper-secret").status_code == 200


@pytest.mark.django_db
def test_metrics_are_closed_in_production_until_a_token_is_set(client, settings):
    settings.SIGNET_METRICS_OPEN = False  # what studio.settings.production sets
    settings.SIGNET_METRICS_TOKEN = None
    assert client.get("/metrics").status_code == 404
    settings.SIGNET_METRICS_TOKEN = "scraper-secret"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scraper-secret").status_code == 200


def test_e_mailed_link_secrets_never_reach_the_logs(client, creator, json_log, mailoutbox):
    """Whoever reads the logs must not be able to finish someone's sign-up or set their
    password with a link copied from there."""
    client.post("/accounts/signup/", {"email": "new-person@example.com"})
    client.post("/accounts/password/reset/", {"email": creator.email})
    links = [
        re.search(r"https?://[^/\s]+(/accounts/\S+/)", mail.body).group(1) for mail in mailoutbox
    ]
    assert len(links) == 2
    for link in links:
        assert client.get(link).status_code in (200, 302)
    lines = [line for line in json_log() if line["logger"] == "studio.request"]
    logged = json.dumps(json_log())
    assert any("<token>" in line["path"] for line in lines)
    for link in links:
        secret = link.rstrip("/").rsplit("/", 1)[-1]
        assert secret not in logged
