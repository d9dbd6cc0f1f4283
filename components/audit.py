"""Recording what a user looked at or changed, from a page."""

from __future__ import annotations

from components.session import platform, settings
from services.audit import AuditRecord, record

__all__ = ["audit"]


def audit(rec: AuditRecord) -> str:
    """Send the audit event; returns where it was kept ("platform" or "local")."""
    return record(platform(), rec, settings().audit_log)
