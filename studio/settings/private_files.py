"""Files that hold personal data are created readable by Signet's own user only."""

import os
from pathlib import Path


def private_file_ensure(path: Path) -> None:
    """Create `path` empty with mode 0600 if missing; narrow it to 0600 if it exists."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists():
        os.chmod(path, 0o600)
        return
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
