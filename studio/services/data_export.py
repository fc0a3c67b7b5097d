"""A creator downloads a copy of their data; the download is in the audit log."""

from studio.selectors.data_export import creator_data_export
from studio.services.audit import audit_record


def account_data_export(*, creator) -> dict:
    data = creator_data_export(creator)
    audit_record("account.data_exported", actor=creator, subject=creator, details={})
    return data
