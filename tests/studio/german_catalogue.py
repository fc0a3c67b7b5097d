"""Signet's German catalogue (locale/de/LC_MESSAGES/django.po) read as (English, German) pairs.

makemessages wraps long entries over several lines, so each entry's quoted lines are joined;
obsolete entries (#~) are left out.
"""

import re
from pathlib import Path

PO = Path(__file__).resolve().parents[2] / "locale" / "de" / "LC_MESSAGES" / "django.po"


def _unquote(lines: list[str]) -> str:
    text = "".join(re.fullmatch(r'(?:msgid |msgstr )?"(.*)"', line).group(1) for line in lines)
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def german_pairs() -> list[tuple[str, str]]:
    """Every (msgid, msgstr) but the header, in the catalogue's order."""
    pairs = []
    for entry in PO.read_text().split("\n\n"):
        lines = [line for line in entry.splitlines() if line and not line.startswith("#")]
        starts = [i for i, line in enumerate(lines) if line.startswith(("msgid ", "msgstr "))]
        if len(starts) != 2:
            continue
        english, german = _unquote(lines[: starts[1]]), _unquote(lines[starts[1] :])
        if english:
            pairs.append((english, german))
    return pairs
