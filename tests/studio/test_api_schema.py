"""The API as a schema: the OpenAPI document, and schemathesis fuzzing a live server + worker."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from studio.services.api_tokens import api_token_create


@pytest.mark.django_db
def test_the_openapi_document_names_every_endpoint(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert {
        "/api/v1/jobs",
        "/api/v1/jobs/{public_id}",
        "/api/v1/jobs/{public_id}/cancel",
        "/api/v1/verify",
    } <= set(paths)
    # The C2PA soft-binding resolution API follows the C2PA's own OpenAPI document instead
    # (tests/studio/test_soft_binding_api.py runs schemathesis against that one).
    create = paths["/api/v1/jobs"]["post"]
    assert create["security"] == [{"CreatorToken": []}]
    body = create["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"portrait", "audio"} <= set(body["required"])
    assert "ErrorOut" in document["components"]["schemas"]
    assert "security" not in paths["/api/v1/verify"]["post"]  # the verifier is public


@pytest.mark.django_db
def test_errors_are_json_in_one_shape(client):
    no_token = client.post("/api/v1/jobs", {})
    assert no_token.status_code == 401
    assert no_token.json()["error"]["code"] == "unauthenticated"
    missing = client.post("/api/v1/verify", {})
    assert missing.status_code == 400 and missing.json()["error"]["fields"] == ["file"]
    unknown = client.get("/api/v1/jobs/not-a-uuid", HTTP_AUTHORIZATION="Bearer x")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"


@pytest.fixture
def api_token(consented_creator, transactional_db):
    _token, key = api_token_create(creator=consented_creator, label="test")
    return key


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_live_api_never_answers_with_a_server_error(
    api_token, live_server, celery_worker, settings
):
    """Schemathesis generates requests from the OpenAPI document (valid and invalid ones, a
    bounded number per operation) against a live server with a real worker: no 5xx, and every
    error in the one JSON shape."""
    settings.SIGNET_VERIFY_RATE_LIMIT_PER_MINUTE = 10_000
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    calls: list[tuple[str, str, int]] = []
    unsatisfiable: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 4
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis_settings(
                max_examples=15,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def exercise(case):
                response = case.call(
                    base_url=live_server.url,
                    headers={"Authorization": f"Bearer {api_token}"},
                    timeout=60,
                )
                calls.append((case.method, case.path, response.status_code))
                assert response.status_code < 500, (
                    case.method, case.formatted_path, response.status_code, response.text[:400],
                )  # fmt: skip
                if response.status_code >= 400:
                    content_type = {k.lower(): v for k, v in response.headers.items()}[
                        "content-type"
                    ]
                    assert str(content_type).count("application/json"), content_type
                    assert {"code", "message"} <= set(response.json()["error"])

            try:
                exercise()
            except Unsatisfiable:
                # Nothing invalid to send (e.g. any string is a valid manifest id): fine.
                assert mode == GenerationMode.NEGATIVE, operation.label
                unsatisfiable.append(operation.label)
    assert len(unsatisfiable) <= 1, unsatisfiable
    assert len(calls) >= 6 * 15
    assert {status for *_, status in calls} & {
        200,
        202,
    }  # some requests were accepted, not all refused
