"""Celery hooks: job id and creator pseudonym in every log line of a task, worker heartbeats,
and a metrics port for workers on machines of their own."""

import os

from celery.signals import task_postrun, task_prerun, worker_ready, worker_shutdown

from studio.observability import context

_heartbeat = None
_task_tokens: dict[str, list] = {}


@task_prerun.connect
def _task_log_context(task_id=None, task=None, args=None, **_kwargs) -> None:
    job_pk = (
        args[0] if args and task is not None and task.name.startswith("studio.tasks.job_") else None
    )
    if job_pk is None:
        return
    from studio.models import GenerationJob

    job = GenerationJob.objects.filter(pk=job_pk).select_related("creator").first()
    if job is None:
        return
    _task_tokens[task_id] = [
        (context.job_id, context.job_id.set(str(job.public_id))),
        (context.creator, context.creator.set(context.creator_pseudonym(job.creator))),
    ]


@task_postrun.connect
def _task_log_context_end(task_id=None, **_kwargs) -> None:
    for variable, token in reversed(_task_tokens.pop(task_id, [])):
        try:
            variable.reset(token)
        except ValueError:  # set in another context (thread pools): just clear it
            variable.set("")


@worker_ready.connect
def _heartbeat_start(sender=None, **_kwargs) -> None:
    global _heartbeat
    from studio.services.workers import HeartbeatThread

    queues = sorted(queue.name for queue in sender.task_consumer.queues) if sender else []
    hostname = getattr(sender, "hostname", None)
    _heartbeat = HeartbeatThread(queues, hostname=hostname)
    _heartbeat.start()
    port = os.environ.get("SIGNET_WORKER_METRICS_PORT")
    if port and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import start_http_server

        start_http_server(int(port), addr=os.environ.get("SIGNET_WORKER_METRICS_ADDR", "127.0.0.1"))


@worker_shutdown.connect
def _heartbeat_stop(**_kwargs) -> None:
    if _heartbeat is not None:
        _heartbeat.stop()
