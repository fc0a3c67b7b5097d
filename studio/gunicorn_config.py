"""gunicorn's settings for Signet's web process (`gunicorn -c python:studio.gunicorn_config`).

Every value comes from the environment so bin/run, the Procfile and a systemd unit share this file.
"""

import os

bind = os.environ.get("SIGNET_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("SIGNET_WEB_THREADS", "4"))
# Uploads of up to a few hundred MB and the verifier's checks can take a while on a small machine.
timeout = int(os.environ.get("SIGNET_WEB_TIMEOUT", "300"))
graceful_timeout = 30
wsgi_app = "studio.wsgi:application"
# Requests are logged by Signet's own middleware as JSON, with their request id.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


def child_exit(server, worker) -> None:
    """With several processes writing metrics to one folder, a dead worker's live gauges go."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
