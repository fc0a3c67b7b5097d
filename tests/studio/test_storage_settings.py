"""SIGNET_STORAGE_URL: one line of configuration for S3-compatible object storage."""

import pytest

from studio.settings.storage import media_storage, s3_options_from_url


def test_a_storage_url_names_endpoint_bucket_and_keys():
    options = s3_options_from_url("s3://AK%2F1:s%40cret@127.0.0.1:8333/media?secure=false&region=eu-1")
    assert options["endpoint_url"] == "http://127.0.0.1:8333"
    assert options["bucket_name"] == "media"
    assert (options["access_key"], options["secret_key"]) == ("AK/1", "s@cret")
    assert options["region_name"] == "eu-1"
    # Private objects, handed out only by short-lived signed links.
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["file_overwrite"] is False


def test_https_is_the_default_and_other_schemes_are_refused():
    assert s3_options_from_url("s3://k:s@store.example:443/b")["endpoint_url"].startswith("https://")
    with pytest.raises(ValueError, match="s3://"):
        s3_options_from_url("ftp://k:s@host/b")


def test_without_configuration_media_stay_on_the_local_disk(monkeypatch):
    monkeypatch.delenv("SIGNET_STORAGE_URL", raising=False)
    monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME", raising=False)
    assert media_storage()["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    monkeypatch.setenv("SIGNET_STORAGE_URL", "s3://k:s@127.0.0.1:9000/b?secure=false")
    assert media_storage()["BACKEND"] == "storages.backends.s3.S3Storage"
