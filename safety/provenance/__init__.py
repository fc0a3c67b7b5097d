"""C2PA Content Credentials for Signet outputs: certificates, manifests, signing, reading."""

from safety.provenance.certificates import CertificatePaths, create_development_chain
from safety.provenance.errors import ProvenanceError
from safety.provenance.manifest import (
    SIGNET_ASSERTION_LABEL,
    TRAINED_ALGORITHMIC_MEDIA,
    IngredientInfo,
    build_manifest,
    ingredient_from_file,
)
from safety.provenance.reading import (
    ManifestAction,
    ManifestReport,
    ManifestState,
    SignerIdentity,
    SoftBinding,
    ValidationIssue,
    read_manifest,
)
from safety.provenance.signer import SignerConfig, open_signer
from safety.provenance.signing import SIGNABLE_MEDIA_TYPES, sign_media

__all__ = [
    "SIGNABLE_MEDIA_TYPES",
    "SIGNET_ASSERTION_LABEL",
    "TRAINED_ALGORITHMIC_MEDIA",
    "CertificatePaths",
    "IngredientInfo",
    "ManifestAction",
    "ManifestReport",
    "ManifestState",
    "ProvenanceError",
    "SignerConfig",
    "SignerIdentity",
    "SoftBinding",
    "ValidationIssue",
    "build_manifest",
    "create_development_chain",
    "ingredient_from_file",
    "open_signer",
    "read_manifest",
    "sign_media",
]
