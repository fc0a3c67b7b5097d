"""Scale-out: the web app under gunicorn, two CPU worker processes and beat, each in a process of
its own with its own (empty) media folder and, for the workers, its own scratch folder. They share
nothing but PostgreSQL/Redis (or the embedded database and broker) and the S3 server.

Jobs are submitted over HTTP to gunicorn (the creators' API), rendered exactly once by one of the
workers, sealed, released, and downloaded over HTTP through gunicorn, which hands out a signed
link to the object store. A worker killed mid-job is survived: beat's sweep queues the job again,
the other worker finishes it, and the bucket holds nothing from the killed attempt.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import av
import pytest
import requests
from kombu import Connection

from studio.models import AuditEvent, GenerationJob, JobState
from studio.services.api_tokens import api_token_create
from tests.generation.media_factory import face_path
from tests.studio.factories import PASSWORD, write_speech
from tests.worker_process import REPO_ROOT, kill_worker, worker_env

JOBS = 4
STALE_SECONDS = 10  # a live worker beats every second; a killed one's job is re-queued after this


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _private_broker(broker_url: str, folder: Path) -> str:
    """A broker of the cluster's own: no other test's worker may take its jobs or sweeps. On Redis
    a database of its own (SIGNET_TEST_SCALE_OUT_REDIS_DB, 13 unless set), emptied before and
    after: a killed worker's unacknowledged job must not be delivered to a later run."""
    if broker_url.startswith("redis"):
        number = os.environ.get("SIGNET_TEST_SCALE_OUT_REDIS_DB", "13")
        return broker_url.rsplit("/", 1)[0] + f"/{number}"
    return f"sqla+sqlite:///{folder / 'broker.sqlite3'}"


def _broker_empty(broker: str) -> None:
    if broker.startswith("redis"):
        with Connection(broker) as connection:
            connection.default_channel.client.flushdb()


def _start(command: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    """A process group of its own (a test may kill a worker and its pool child at once)."""
    with log_path.open("w") as log:
        return subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def _stop_all(processes: list[subprocess.Popen]) -> None:
    """Ask every process to stop at once, then wait for each (and kill what will not stop)."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_worker(process)


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    scratch: Path
    media: Path
    log: Path
    jobs_seen: set = field(default_factory=set)


@dataclass
class Cluster:
    folder: Path
    web: str
    s3: object
    workers: list[Worker]

    def wait_ready(self, seconds: float = 150) -> None:
        """Both workers say "ready." and gunicorn answers."""
        deadline = time.monotonic() + seconds
        for worker in self.workers:
            while "ready." not in worker.log.read_text():
                assert worker.process.poll() is None, worker.log.read_text()[-3000:]
                assert time.monotonic() < deadline, worker.log.read_text()[-3000:]
                time.sleep(0.3)
        while True:
            try:
                requests.get(f"{self.web}/healthz", timeout=30)
                return
            except requests.RequestException:
                log = (self.folder / "gunicorn.log").read_text()
                assert time.monotonic() < deadline, log[-3000:]
                time.sleep(0.3)

    def watch_scratch(self, stop: threading.Event) -> None:
        """Note which worker's private scratch folder holds which job: who is rendering what."""
        while not stop.is_set():
            for worker in self.workers:
                if worker.scratch.exists():
                    worker.jobs_seen.update(entry.name for entry in worker.scratch.iterdir())
            time.sleep(0.05)


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker, s3_server, tmp_path_factory):
    from django.conf import settings

    folder = tmp_path_factory.mktemp("scale-out")
    s3 = s3_server.with_bucket(f"scale-out-{uuid.uuid4().hex[:10]}")
    broker = _private_broker(settings.CELERY_BROKER_URL, folder)
    with django_db_blocker.unblock():
        shared = worker_env(
            broker,
            SIGNET_STORAGE_URL=s3.storage_url(),
            SIGNET_HEARTBEAT_SECONDS="1",
            SIGNET_STALE_JOB_SECONDS=str(STALE_SECONDS),
            SIGNET_SWEEP_SECONDS="2",
        )
    port = _free_port()
    celery = [sys.executable, "-m", "celery", "-A", "studio"]
    processes: list[subprocess.Popen] = []
    _broker_empty(broker)
    try:
        (folder / "web-media").mkdir()
        web_env = {
            **shared, "MEDIA_ROOT": str(folder / "web-media"), "SIGNET_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2", "SIGNET_SCRATCH_DIR": str(folder / "web-scratch"),
        }  # fmt: skip
        gunicorn = [sys.executable, "-m", "gunicorn", "-c", "python:studio.gunicorn_config"]
        processes.append(_start(gunicorn, web_env, folder / "gunicorn.log"))
        workers = []
        for name in ("worker-a", "worker-b"):
            scratch, media = folder / name / "scratch", folder / name / "media"
            scratch.mkdir(parents=True)
            media.mkdir()
            env = {**shared, "SIGNET_SCRATCH_DIR": str(scratch), "MEDIA_ROOT": str(media)}
            command = [
                *celery, "worker", "-Q", "cpu", "-c", "1", "--prefetch-multiplier=1",
                "--without-mingle", "--without-gossip", "--loglevel=INFO", "-n", f"{name}@%h",
            ]  # fmt: skip
            log = folder / f"{name}.log"
            processes.append(_start(command, env, log))
            workers.append(Worker(name, processes[-1], scratch, media, log))
        beat = [*celery, "beat", "--loglevel=INFO", "--schedule", str(folder / "beat-schedule")]
        beat_env = {**shared, "MEDIA_ROOT": str(folder / "web-media")}
        processes.append(_start(beat, beat_env, folder / "beat.log"))

        # Ready is awaited by the first test that submits (the creator's consent is made meanwhile).
        yield Cluster(folder=folder, web=f"http://127.0.0.1:{port}", s3=s3, workers=workers)
    finally:
        _stop_all(processes)
        _broker_empty(broker)


@pytest.fixture
def cluster_media(settings, cluster):
    """This process reads and writes the cluster's bucket too (the creator's consent evidence)."""
    from studio.settings.storage import s3_options_from_url

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_options_from_url(cluster.s3.storage_url()),
        },
    }
    return cluster


@pytest.fixture
def api(cluster_media, consented_creator, tmp_path):
    """Submit jobs over HTTP to gunicorn with the creator's API token."""
    cluster_media.wait_ready()
    _token, key = api_token_create(creator=consented_creator, label="test")
    headers = {"Authorization": f"Bearer {key}"}
    portrait = face_path("obama2.jpg").read_bytes()

    def submit(seconds: float) -> str:
        speech = write_speech(tmp_path / f"speech-{uuid.uuid4().hex}.wav", seconds=seconds)
        answer = requests.post(
            f"{cluster_media.web}/api/v1/jobs", headers=headers, timeout=120,
            files={"portrait": ("portrait.jpg", portrait, "image/jpeg"),
                   "audio": ("speech.wav", speech.read_bytes(), "audio/wav")},
        )  # fmt: skip
        assert answer.status_code == 202, answer.text
        return answer.json()["id"]

    def state(public_id: str) -> dict:
        answer = requests.get(
            f"{cluster_media.web}/api/v1/jobs/{public_id}", headers=headers, timeout=30
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    return submit, state


def _wait_final(state, public_ids, seconds) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        answers = {public_id: state(public_id) for public_id in public_ids}
        if all(a["state"] in ("released", "failed") for a in answers.values()):
            return answers
        assert time.monotonic() < deadline, answers
        time.sleep(0.5)


def _download_and_check(cluster, session_cookie, answer, job, folder: Path) -> None:
    """Played from the web process: gunicorn answers with a signed link to the private bucket,
    the file decodes, and the web's verifier finds its manifest and watermark."""
    web = requests.Session()
    web.cookies.set(*session_cookie)
    first = web.get(cluster.web + answer["video_url"], allow_redirects=False, timeout=30)
    assert first.status_code == 302, first.text[:500]
    signed = first.headers["Location"]
    assert signed.startswith(f"{cluster.s3.endpoint}/{cluster.s3.bucket}/")
    assert "X-Amz-Signature=" in signed
    video = requests.get(signed, timeout=60)
    assert video.status_code == 200 and video.headers["Content-Type"] == "video/mp4"
    assert len(video.content) == job.output.size_bytes
    path = folder / f"{job.public_id}.mp4"
    path.write_bytes(video.content)
    with av.open(str(path)) as container:
        assert sum(1 for _ in container.decode(video=0)) >= 20
    checked = requests.post(
        f"{cluster.web}/api/v1/verify", timeout=120,
        files={"file": ("video.mp4", video.content, "video/mp4")},
    ).json()  # fmt: skip
    assert checked["verdict_code"] == "signed", checked
    assert checked["c2pa"]["trusted"] and checked["watermark"]["found"]
    assert checked["watermark"]["id"] == job.output.watermark_id
    assert checked["record"]["status"] == "released"


def _session_cookie(client, creator) -> tuple[str, str]:
    """A login session in the shared database, which gunicorn reads like any other."""
    from django.conf import settings

    assert client.login(username=creator.username, password=PASSWORD)
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.django_db(transaction=True)
def test_gunicorn_and_two_workers_without_a_shared_disk_render_every_job_once(
    cluster, api, consented_creator, client, tmp_path
):
    submit, state = api
    stop = threading.Event()
    watcher = threading.Thread(target=cluster.watch_scratch, args=(stop,), daemon=True)
    watcher.start()
    try:
        with ThreadPoolExecutor(JOBS) as pool:  # all at once
            public_ids = list(pool.map(submit, [1.0] * JOBS))
        answers = _wait_final(state, public_ids, 300)
    finally:
        stop.set()
        watcher.join()

    cookie = _session_cookie(client, consented_creator)
    keys = set(cluster.s3.keys())
    for public_id, answer in answers.items():
        job = GenerationJob.objects.select_related("output").get(public_id=public_id)
        assert answer["state"] == "released", answer["failure_reason"]
        assert job.state == JobState.RELEASED and job.attempts == 1
        renders = AuditEvent.objects.filter(
            action="job.transition", subject_id=public_id, details__to="rendering"
        )
        assert renders.count() == 1  # rendered exactly once ...
        assert [w.name for w in cluster.workers if public_id in w.jobs_seen] in (
            ["worker-a"], ["worker-b"],
        )  # ... by one worker  # fmt: skip
        for stored in (job.portrait.image, job.audio.file, job.output.file, job.output.poster):
            assert stored.name in keys
        _download_and_check(cluster, cookie, answer, job, tmp_path)

    # Both workers took jobs, and nobody left anything in a scratch or media folder.
    assert all(worker.jobs_seen for worker in cluster.workers)
    for worker in cluster.workers:
        assert not any(worker.scratch.iterdir()) and not any(worker.media.rglob("*"))
    assert not any((cluster.folder / "web-media").rglob("*"))


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_job_is_survived_with_nothing_half_written_in_the_bucket(
    cluster, api, consented_creator, client, tmp_path
):
    submit, state = api
    before = set(cluster.s3.keys())
    # Long enough to be caught rendering: a 3 s clip rendered in under half a second on a
    # fast host and was sealing before the 50 ms poll saw it render.
    public_id = submit(12.0)
    job = GenerationJob.objects.get(public_id=public_id)
    deadline = time.monotonic() + 120
    while True:  # rendering, past its first frames, on one of the workers
        job.refresh_from_db()
        busy = [w for w in cluster.workers if (w.scratch / public_id).exists()]
        if job.state == JobState.RENDERING and job.progress_done > 0 and busy:
            break
        assert job.state in (JobState.QUEUED, JobState.RENDERING), job.failure_reason
        assert time.monotonic() < deadline, f"never seen rendering ({job.state})"
        time.sleep(0.05)
    (victim,) = busy
    (survivor,) = [w for w in cluster.workers if w is not victim]
    kill_worker(victim.process)
    killed_at = time.monotonic()

    answer = _wait_final(state, [public_id], 240)[public_id]
    assert answer["state"] == "released", answer["failure_reason"]
    print(f"released {time.monotonic() - killed_at:.1f} s after its worker was killed")
    job = GenerationJob.objects.select_related("output").get(public_id=public_id)
    assert job.attempts == 2
    assert AuditEvent.objects.filter(
        action="job.transition", subject_id=public_id, details__to="queued",
        details__reason__icontains="worker stopped unexpectedly",
    ).exists()  # fmt: skip
    assert not (survivor.scratch / public_id).exists()  # the survivor cleaned up after itself

    # The bucket gained exactly the job's inputs and its one sealed output and poster, whole.
    client_s3 = cluster.s3.client()
    added = set(cluster.s3.keys()) - before
    expected = {job.portrait.image.name, job.audio.file.name}
    expected |= {job.output.file.name, job.output.poster.name}
    assert added == expected
    head = client_s3.head_object(Bucket=cluster.s3.bucket, Key=job.output.file.name)
    assert head["ContentLength"] == job.output.size_bytes
    uploads = client_s3.list_multipart_uploads(Bucket=cluster.s3.bucket)
    assert not uploads.get("Uploads")
    _download_and_check(cluster, _session_cookie(client, consented_creator), answer, job, tmp_path)
