"""The public verifier: check a file. (The C2PA soft-binding resolution API, with its own
specification, is served by studio/views/soft_binding.py.)"""

import re

from ninja import File, Router, UploadedFile

from studio.api.schemas import ERRORS, VerifyOut
from studio.views.verify import verify_request

router = Router(tags=["verify"])
_DECIMAL_ID = re.compile(r"[0-9]{1,19}")


@router.post("/verify", response={200: VerifyOut, **ERRORS}, summary="Check a video or image")
def verify(request, file: File[UploadedFile] = None):
    """C2PA manifest, invisible watermark and Signet's record; never names the creator."""
    return verify_request(request, file, channel="api")
