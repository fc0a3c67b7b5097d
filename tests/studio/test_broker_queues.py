"""A new embedded (SQLite) broker: the processes bin/run starts together all stay up.

Kombu's SQLite transport creates a queue's row on first use with no lock across processes; two
workers starting together on a new broker file lost the race about half the time, and the loser
exited ('UNIQUE constraint failed: kombu_queue.name'). bin/run declares the queues first."""

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.worker_process import REPO_ROOT, worker_env

pytestmark = pytest.mark.django_db(transaction=True)


def test_processes_started_together_on_a_new_sqlite_broker_all_stay_up(tmp_path):
    env = worker_env(f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}")
    declared = subprocess.run(
        [sys.executable, "manage.py", "broker_queues_declare"], cwd=REPO_ROOT, env=env,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert declared.returncode == 0, declared.stderr
    assert "cpu, gpu" in declared.stdout

    commands = [
        ["worker", "-Q", "cpu,gpu", "-c", "1", "--without-mingle", "--without-gossip"],
        ["worker", "-Q", "cpu,gpu", "-c", "1", "--without-mingle", "--without-gossip"],
        ["beat", "--schedule", str(tmp_path / "celerybeat-schedule")],
    ]
    logs = [tmp_path / f"process-{index}.log" for index in range(len(commands))]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "studio", *command, "--loglevel=INFO",
             *(["-n", f"worker{index}@%h"] if command[0] == "worker" else [])],
            cwd=REPO_ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        for index, (command, log) in enumerate(zip(commands, logs, strict=True))
    ]
    try:
        deadline = time.monotonic() + 90
        while not all("ready." in logs[i].read_text() for i in (0, 1)):
            assert all(p.poll() is None for p in processes), [log.read_text()[-1500:] for log in logs]
            assert time.monotonic() < deadline, [log.read_text()[-1500:] for log in logs]
            time.sleep(0.3)
        time.sleep(3)  # beat sends its first sweep at start: the queue is in use by all three
        assert all(p.poll() is None for p in processes), [log.read_text()[-1500:] for log in logs]
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=10)
