"""The raw C2PA manifest store (JUMBF) embedded in a signed MP4, as the resolution API serves it.

An MP4 carries its manifest store in a top-level ``uuid`` box with the C2PA UUID; the box holds a
version/flags word, the purpose ``"manifest"`` (NUL-terminated), an 8-byte offset, then the store.
"""

from __future__ import annotations

import os
import struct
from typing import BinaryIO

C2PA_UUID = bytes.fromhex("d8fec3d61b0e483c92975828877ec481")
MEDIA_TYPE = "application/c2pa"
_MAX_BOX_BYTES = 64 * 1024 * 1024


def manifest_store_bytes(source: str | os.PathLike[str] | BinaryIO) -> bytes | None:
    """The embedded manifest store of an MP4 (BMFF) file, or None when it has none.

    ``source`` is a path or a seekable binary file already open (a stored file that has no
    path on this disk, such as one in object storage)."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            return _store_from_boxes(handle)
    return _store_from_boxes(source)


def _store_from_boxes(handle: BinaryIO) -> bytes | None:
    while True:
        header = handle.read(8)
        if len(header) < 8:
            return None
        size, kind = struct.unpack(">I4s", header)
        header_size = 8
        if size == 1:
            size = struct.unpack(">Q", handle.read(8))[0]
            header_size = 16
        if size == 0 or size < header_size:
            return None
        if kind == b"uuid" and size - header_size <= _MAX_BOX_BYTES:
            body = handle.read(size - header_size)
            if body[:16] == C2PA_UUID:
                return _store_from_box(body[16:])
            continue
        handle.seek(size - header_size, os.SEEK_CUR)


def _store_from_box(payload: bytes) -> bytes | None:
    purpose_end = payload.find(b"\x00", 4)
    if purpose_end < 0 or payload[4:purpose_end] != b"manifest":
        return None
    store = payload[purpose_end + 1 + 8 :]
    return store if store[4:8] == b"jumb" else None
