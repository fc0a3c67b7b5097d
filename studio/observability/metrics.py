"""Signet's own Prometheus metrics, beside django-prometheus's request, database and cache ones.

Counters and histograms live in the process that does the work (gate and verify in the web,
render and seal in workers). With PROMETHEUS_MULTIPROC_DIR set (bin/run sets it), every process
on the machine writes there and /metrics adds them up; workers on other machines export theirs
with SIGNET_WORKER_METRICS_PORT. Jobs by state, queue depth and worker liveness are read from the
database and the broker when /metrics is scraped, so they are the same whichever process answers.
"""

import time

from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

JOB_TRANSITIONS = Counter("signet_job_transitions", "Jobs entering a state", ["state"])
GATE_OUTCOMES = Counter(
    "signet_gate_outcomes", "Safety gate decisions on submitted jobs", ["outcome"]
)
RENDER_SECONDS = Histogram(
    "signet_render_seconds", "Time from a job's render start to sealing start",
    buckets=(1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600),
)  # fmt: skip
SEAL_SECONDS = Histogram(
    "signet_seal_seconds", "Time to watermark, encode, sign and publish one output",
    buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600),
)  # fmt: skip
VERIFY_SECONDS = Histogram(
    "signet_verify_seconds", "Time to answer one verification request", ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)  # fmt: skip
VERIFY_RESULTS = Counter(
    "signet_verify_results", "Verification answers by whether the watermark was found",
    ["watermark_found"],
)  # fmt: skip

QUEUES = ("cpu", "gpu")
_started: dict[tuple[str, str], float] = {}  # (job id, state) -> monotonic time it was entered


def audit_event_observe(action: str, subject_id: str, details: dict) -> None:
    """Count what an audit event says: every job state change and every gate decision."""
    if action.startswith("gate."):
        GATE_OUTCOMES.labels(outcome=action.removeprefix("gate.")).inc()
        return
    if action != "job.transition":
        return
    to_state, from_state = str(details.get("to", "")), str(details.get("from", ""))
    JOB_TRANSITIONS.labels(state=to_state).inc()
    now = time.monotonic()
    started = _started.pop((subject_id, from_state), None)
    if started is not None and from_state == "rendering" and to_state == "sealing":
        RENDER_SECONDS.observe(now - started)
    if started is not None and from_state == "sealing" and to_state in {"released", "in_review"}:
        SEAL_SECONDS.observe(now - started)
    if to_state in {"rendering", "sealing"}:
        _started[(subject_id, to_state)] = now
    if len(_started) > 10_000:  # jobs whose worker died never report back; forget the oldest
        for key in list(_started)[:5_000]:
            _started.pop(key, None)


def verify_observe(*, channel: str, seconds: float, result: dict | None) -> None:
    VERIFY_SECONDS.labels(channel=channel).observe(seconds)
    if result is not None:
        found = bool((result.get("watermark") or {}).get("found"))
        VERIFY_RESULTS.labels(watermark_found="yes" if found else "no").inc()


class StateCollector:
    """Read at scrape time: jobs by state, messages waiting per queue, workers seen per queue."""

    def collect(self):
        from studio.selectors.health import job_counts_by_state, queue_depths, workers_seen

        jobs = GaugeMetricFamily("signet_jobs", "Jobs by current state", labels=["state"])
        for state, count in job_counts_by_state().items():
            jobs.add_metric([state], count)
        yield jobs
        depth = GaugeMetricFamily(
            "signet_queue_depth", "Messages waiting in each Celery queue", labels=["queue"]
        )
        for queue, count in queue_depths(QUEUES).items():
            if count is not None:
                depth.add_metric([queue], count)
        yield depth
        seen = GaugeMetricFamily(
            "signet_worker_seen_recently",
            "1 if a worker consuming the queue sent a heartbeat recently",
            labels=["queue"],
        )
        for queue, report in workers_seen(QUEUES).items():
            seen.add_metric([queue], 1 if report["seen_recently"] else 0)
        yield seen
