"""The verifier's verdict in the reader's language, for the page (the API keeps its JSON words).

Mirrors the sentences of studio.services.verification, keyed by verdict code and record status,
so a page in German says the same thing in German.
"""

from django.utils.translation import gettext as _

STATUS_WORDS = {
    "released": lambda: _("released by its creator"),
    "under_review": lambda: _("under review by Signet's moderators"),
    "rejected": lambda: _("rejected by Signet's moderators"),
    "revoked": lambda: _("revoked: its creator withdrew consent or Signet withdrew it"),
}


def status_words(status: str) -> str:
    words = STATUS_WORDS.get(status)
    return words() if words else status


def verdict_words(result: dict) -> str:
    code, record = result.get("verdict_code"), result.get("record")
    tail = ""
    if record:
        tail = " " + _("Signet's record says it is %(status)s.") % {
            "status": status_words(record["status"])
        }
    if code == "tampered" and record:
        return (
            _(
                "Tampered: this file was changed after it was signed. "
                "Its invisible watermark still leads to a Signet record."
            )
            + tail
        )
    sentences = {
        "tampered": lambda: _(
            "Tampered: this file carries a C2PA manifest that does not match its content."
        ),
        "signed": lambda: _("Made with Signet, signed and unaltered.") + tail,
        "re_signed": lambda: (
            _(
                "Made with Signet (its invisible watermark identifies it), but its Content "
                "Credentials were signed by someone this verifier does not trust."
            )
            + tail
        ),
        "signed_elsewhere": lambda: _(
            "This file has valid Content Credentials, but not from a Signet record."
        ),
        "watermark_only": lambda: (
            _(
                "Made with Signet: the signed manifest was stripped (for example by re-encoding), "
                "but the invisible watermark identifies it."
            )
            + tail
        ),
        "no_provenance": lambda: _(
            "No Signet provenance: no Signet manifest or watermark was found in this file."
        ),
    }
    sentence = sentences.get(code)
    return sentence() if sentence else str(result.get("verdict", ""))
