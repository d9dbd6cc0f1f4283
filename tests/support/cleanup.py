"""Taking a test's own resources off the test server again, with the audit trail they left.

Every write of the dashboard is audited, and the server refuses deleting a resource an
``AuditEvent`` still names: the events that name it go first. Written with the platform's admin
client (the dashboard deletes nothing)."""

from __future__ import annotations

from services.fhir_http import FhirHttp


def audit_events(http: FhirHttp, path: str) -> list[dict]:
    """The AuditEvents that name ``path`` (``Task/tsk-1``) as their entity, read past the
    server's stored searches."""
    bundle = http.get_json("AuditEvent", params={"entity": path, "_count": "200"}, no_cache=True)
    return [entry["resource"] for entry in bundle.get("entry") or []]


def delete_audited(http: FhirHttp, path: str) -> None:
    """Delete ``path`` together with the AuditEvents that name it."""
    for event in audit_events(http, path):
        http.send_json("DELETE", f"AuditEvent/{event['id']}")
    http.send_json("DELETE", path)
