"""A file response that honours one HTTP byte range: browsers seek in video with Range requests.

Django's FileResponse always sends the whole file; a video element that cannot fetch the end of
an MP4 first may refuse to seek, so this adds the single-range case (RFC 9110 section 14).
"""

import re

from django.http import FileResponse, HttpResponse

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class _Window:
    def __init__(self, handle, remaining: int):
        self.handle = handle
        self.remaining = remaining

    def __iter__(self):
        while self.remaining > 0:
            chunk = self.handle.read(min(64 * 1024, self.remaining))
            if not chunk:
                break
            self.remaining -= len(chunk)
            yield chunk
        self.handle.close()


def ranged_file_response(request, field, content_type: str, filename: str):
    """Stream a stored file (a FieldFile: read through its storage, never by path)."""
    size = field.storage.size(field.name)
    header = request.headers.get("Range", "")
    match = _RANGE.match(header.strip()) if header else None
    if not match or (not match.group(1) and not match.group(2)):
        response = FileResponse(
            field.storage.open(field.name, "rb"), content_type=content_type, filename=filename
        )
        response["Accept-Ranges"] = "bytes"
        return response
    start_text, end_text = match.groups()
    if start_text:
        start = int(start_text)
        end = min(int(end_text), size - 1) if end_text else size - 1
    else:
        start = max(0, size - int(end_text))
        end = size - 1
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    handle = field.storage.open(field.name, "rb")
    handle.seek(start)
    response = FileResponse(_Window(handle, end - start + 1), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
