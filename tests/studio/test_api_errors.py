"""Every API error is JSON with a 4xx, never a 500 or an HTML page, whatever the input."""

import pytest

from studio.services.api_tokens import api_token_create

pytestmark = pytest.mark.django_db


def api_token_for(creator) -> str:
    _token, key = api_token_create(creator=creator, label="test")
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
    huge = client.post(
        "/api/v1/matches/byBinding",
        {"alg": "signet.spread-spectrum", "value": "9" * 5000},
        content_type="application/json",
    )
    assert huge.status_code == 400 and huge.json()["error"]["code"] == "input_refused"
    number = client.post(  # a bare 5000-digit JSON number, not a string
        "/api/v1/matches/byBinding",
        b'{"alg": "x", "value": ' + b"9" * 5000 + b"}",
        content_type="application/json",
    )
    assert number.status_code == 400
    # The C2PA specification takes any strings: what names no output gets no match, never a 500.
    for alg, value in [
        ("x", "123"), ("x", "9" * 20), ("x", "MTIz"), ("x", "-1"), ("x", "12a"), ("", ""),
        ("x", "١٢٣"), ("a" * 5000, "1"), ("\x00", "1"),
    ]:  # fmt: skip
        answer = client.post(
            "/api/v1/matches/byBinding",
            {"alg": alg, "value": value},
            content_type="application/json",
        )
        assert answer.status_code == 200 and answer.json() == {"matches": []}, (alg, value)


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


def test_a_null_character_in_a_manifest_id_is_refused_not_a_500(client):
    # PostgreSQL text cannot hold NUL: looked up as it came, the ID raised a DataError.
    for path in ("/api/v1/manifests/a%00b", "/api/v1/manifests/a%00b?format=json"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert "null character" in response.json()["error"]["message"]
