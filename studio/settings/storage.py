"""Where stored media live: the local file system by default, S3-compatible object storage when
configured (django-storages' S3 backend), either by one URL or by the usual AWS_* variables:

    SIGNET_STORAGE_URL=s3://ACCESS_KEY:SECRET_KEY@host:port/bucket?secure=false&region=us-east-1
    AWS_STORAGE_BUCKET_NAME=bucket (+ AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...)

Objects are private (no ACL, never a public bucket); the web hands out short-lived presigned URLs
after its own permission checks.
"""

from urllib.parse import parse_qs, unquote, urlsplit

from studio.settings.env import env_int, env_str

PRESIGNED_SECONDS = env_int("SIGNET_STORAGE_PRESIGNED_SECONDS", 300)


def s3_options_from_url(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in {"s3", "s3+http", "s3+https"}:
        raise ValueError("SIGNET_STORAGE_URL must look like s3://KEY:SECRET@host:port/bucket")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    secure = parts.scheme == "s3+https" or (
        parts.scheme == "s3" and query.get("secure", "true").lower() not in {"0", "false", "no"}
    )
    options = {
        "bucket_name": parts.path.strip("/"),
        "region_name": query.get("region", "us-east-1"),
        "addressing_style": "path",
        "signature_version": "s3v4",
        "querystring_auth": True,
        "querystring_expire": PRESIGNED_SECONDS,
        "default_acl": None,
        "file_overwrite": False,
    }
    if parts.hostname:
        port = f":{parts.port}" if parts.port else ""
        options["endpoint_url"] = f"{'https' if secure else 'http'}://{parts.hostname}{port}"
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    return options


def media_storage() -> dict:
    """The STORAGES["default"] entry for this environment."""
    url = env_str("SIGNET_STORAGE_URL")
    if url:
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options_from_url(url)}
    bucket = env_str("AWS_STORAGE_BUCKET_NAME")
    if bucket:
        options = {
            "bucket_name": bucket,
            "querystring_auth": True,
            "querystring_expire": PRESIGNED_SECONDS,
            "default_acl": None,
            "file_overwrite": False,
        }
        endpoint = env_str("AWS_S3_ENDPOINT_URL")
        if endpoint:
            options["endpoint_url"] = endpoint
            options["addressing_style"] = "path"
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
