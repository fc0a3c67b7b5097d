"""The one error type this package raises for provenance work that cannot be done."""


class ProvenanceError(Exception):
    """Signing failed, a signer could not be built, or an input could not be read at all.

    Messages name the file and the step that failed; they never carry key material.
    """
