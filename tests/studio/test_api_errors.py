"""Every API error is JSON with a 4xx, never a 500 or an HTML page, whatever the input."""

import pytest

from studio.models import ApiToken

pytestmark = pytest.mark.django_db


def api_token_for(creator) -> str:
    key = ApiToken.new_key()
    ApiToken.objects.create(creator=creator, key_sha256=ApiToken.hash_key(key))
    return key


def _multipart(filename: bytes) -> tuple[bytes, str]:
    boundary = b"signetboundary"
    body = b"".join(
        [
            b"--" + boundary + b"\r\n",
            b'Content-Disposition: form-data; name="portrait"; filename="' + filename + b'"\r\n',
            b"Content-Type: image/jpeg\r\n\r\n",
            b"\xff\xd8\xff\xe0not really a jpeg\r\n",
            b"--" + boundary + b"--\r\n",
        ]
    )
    return body, f"multipart/form-data; boundary={boundary.decode()}"


def test_a_5000_digit_binding_value_is_refused_with_400(client):
    # The C2PA API sends base64 (Signet also reads its decimal ID); anything else is refused.
    for value in ("9" * 5000, "-1", "12a", "", "١٢٣"):  # the last: Arabic-Indic digits
        response = client.post(
            "/api/v1/matches/byBinding",
            {"alg": "signet.spread-spectrum", "value": value},
            content_type="application/json",
        )
        assert response.status_code == 400, value
        assert response.json()["error"]["code"] == "input_refused"
    huge_alg = client.post(
        "/api/v1/matches/byBinding",
        {"alg": "a" * 5000, "value": "1"},
        content_type="application/json",
    )
    assert huge_alg.status_code == 400
    number = client.post(  # a bare 5000-digit JSON number, not a string
        "/api/v1/matches/byBinding",
        b'{"alg": "x", "value": ' + b"9" * 5000 + b"}",
        content_type="application/json",
    )
    assert number.status_code == 400
    for value in ("123", "9" * 20, "MTIz"):  # well formed, naming no output: no match, no 500
        genuine = client.post(
            "/api/v1/matches/byBinding",
            {"alg": "x", "value": value},
            content_type="application/json",
        )
        assert genuine.status_code == 200 and genuine.json() == {"matches": []}


def test_a_non_utf8_file_name_on_the_job_api_gets_json(client, consented_creator):
    token = api_token_for(consented_creator)
    body, content_type = _multipart(b"\xff\xfe\xfa portrait.jpg")
    response = client.generic(
        "POST",
        "/api/v1/jobs",
        body,
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
    assert "error" in response.json()


def test_api_errors_from_django_itself_are_json(client):
    wrong_method = client.get("/api/v1/verify")
    assert wrong_method.status_code == 405 and wrong_method.json()["error"]["code"]
    assert wrong_method["Allow"] == "POST"
    unknown = client.get("/api/v1/nothing-here")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    not_json = client.post(
        "/api/v1/matches/byBinding", b"\xff\xfe{", content_type="application/json"
    )
    assert not_json.status_code == 400 and not_json.json()["error"]
