"""Stored media through Django's storage API only (local disk or S3): never by `.path`.

Workers copy what they need into their own scratch folder and upload what they make; the web
answers a download with a short-lived presigned URL when the storage can make one (S3: the
object store then serves the bytes and the Range requests), or streams it with range support.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django.db import transaction
from django.http import HttpResponseRedirect

from studio.ranged_file import ranged_file_response

logger = logging.getLogger(__name__)


@contextmanager
def stored_files_removed_unless_committed():
    """Yields a list: the FieldFiles stored inside a transaction go on it, and are deleted again
    when the block raises (the transaction did not commit). Object storage has no rollback, and
    nothing would ever reference, serve or erase those files."""
    stored: list = []
    try:
        yield stored
    except BaseException:
        for field_file in stored:
            try:
                field_file.storage.delete(field_file.name)
            except Exception:  # the original error matters more; the orphan is logged
                logger.warning("could not remove uncommitted %s", field_file.name, exc_info=True)
        raise


def stored_copy(field, destination: Path) -> Path:
    """Download a stored file into ``destination`` (a path in the worker's scratch folder)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with field.storage.open(field.name, "rb") as source, destination.open("wb") as target:
        shutil.copyfileobj(source, target, length=1 << 20)
    return destination


def _presigns(storage) -> bool:
    return bool(getattr(storage, "querystring_auth", False)) and hasattr(storage, "bucket_name")


def stored_file_response(request, field, content_type: str, filename: str):
    """The response for a download the caller has already allowed."""
    storage = field.storage
    if _presigns(storage):
        url = storage.url(
            field.name,
            parameters={
                "ResponseContentType": content_type,
                "ResponseContentDisposition": f'inline; filename="{filename}"',
            },
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        return response
    return ranged_file_response(request, field, content_type, filename)


def signed_links_retire(field) -> bool:
    """Move a stored file to a new random name in its folder, the old object deleted once the
    transaction commits. A presigned link names its object, so every link handed out before
    stops working at once (a revoked video was otherwise fetchable for up to
    SIGNET_STORAGE_PRESIGNED_SECONDS more). Only where the storage presigns (S3, the one such
    storage Signet configures): a local file is streamed through the checking view on each
    request. The caller saves the field's new name.
    Whether the file moved."""
    if not field or not _presigns(field.storage):
        return False
    storage = field.storage
    old = field.name
    moved = str(PurePosixPath(old).with_name(f"{uuid.uuid4().hex}{PurePosixPath(old).suffix}"))
    try:
        _copy_in_store(storage, old, moved)
    except Exception:  # a store outage must not undo a revocation: old links then run out
        logger.warning("could not move %s; its signed links stay until they expire", old,
                       exc_info=True)
        return False
    field.name = moved
    transaction.on_commit(lambda: _delete_quietly(storage, old))
    return True


def _copy_in_store(storage, name: str, new_name: str) -> None:
    """Copied inside the object store (S3 CopyObject): a creator withdrawing consent over many
    videos must not wait while each one passes through the web process. The key mapping is
    django-storages' own (it has no public copy)."""
    storage.bucket.Object(storage._normalize_name(new_name)).copy_from(
        CopySource={"Bucket": storage.bucket.name, "Key": storage._normalize_name(name)}
    )


def _delete_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # the row names the new object already; the old one is logged, not served
        logger.warning("could not delete the retired %s", name, exc_info=True)
