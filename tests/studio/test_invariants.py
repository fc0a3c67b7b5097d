"""Invariants that hold for the code as a whole: one publish path, nothing fetched from outside."""

import ast
import socket
from pathlib import Path

import pytest

from tests.studio.factories import submit_job, upload

STUDIO = Path(__file__).resolve().parents[2] / "studio"


def _creations_of_output_artifacts() -> list[str]:
    found = []
    for path in STUDIO.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            call = node if isinstance(node, ast.Call) else None
            if call is None:
                continue
            name = ast.unparse(call.func)
            if name in {"OutputArtifact", "OutputArtifact.objects.create", "OutputArtifact.objects.get_or_create",
                        "OutputArtifact.objects.bulk_create", "OutputArtifact.objects.update_or_create"}:  # fmt: skip
                found.append(f"{path.relative_to(STUDIO.parent)}:{call.lineno}")
    return found


def test_exactly_one_code_path_creates_a_published_output():
    creations = _creations_of_output_artifacts()
    assert len(creations) == 1 and creations[0].startswith("studio/services/publishing.py"), (
        creations
    )


@pytest.fixture
def no_outside_network(monkeypatch):
    """Any connection to an address off this machine fails the test (models must be local)."""
    attempts = []
    original = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in (
            "127.0.0.1",
            "::1",
            "localhost",
        ):
            attempts.append(address)
            raise OSError(f"test forbids network access to {address!r}")
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield attempts
    assert not attempts, f"something tried to reach the network: {attempts}"


@pytest.mark.django_db
def test_gate_render_seal_and_verify_need_no_network(
    no_outside_network, consented_creator, tmp_path, client
):
    from studio.services.jobs import job_render

    job = submit_job(consented_creator, tmp_path, seconds=1.0)
    job_render(job.pk)
    job.refresh_from_db()
    assert job.state == "released", job.failure_reason
    body = client.post(
        "/api/v1/verify", {"file": upload(Path(job.output.file.path), "v.mp4")}
    ).json()
    assert body["verdict_code"] == "signed"
