"""Extractor for the audit trail: AuditEvent."""

from __future__ import annotations

from services.frames.base import Collector, Kind, Table, first_code, get, ref_id
from services.frames.fields import text, when

__all__ = ["AUDIT_EVENT", "audit_row"]


def audit_row(res: dict, out: Collector) -> tuple:
    """The columns of one AuditEvent (shared with the local log, which holds the same JSON)."""
    agent = get(res, "agent", 0) or {}
    patient = next(
        (
            ref_id(e.get("what"), "Patient")
            for e in res.get("entity") or ()
            if ref_id(e.get("what"), "Patient")
        ),
        None,
    )
    other = next(
        (
            get(e, "what", "reference")
            for e in res.get("entity") or ()
            if not ref_id(e.get("what"), "Patient")
        ),
        None,
    )
    return (
        when(res.get("recorded"), out, "recorded"),
        text(res.get("action"), out, "action"),
        get(res, "subtype", 0, "code"),
        text(agent.get("altId"), out, "user"),
        text(agent.get("name"), out, "user_name"),
        get(agent, "role", 0, "text"),
        patient,
        other,
        get(res, "source", "site"),
        first_code(get(res, "purposeOfEvent", 0))[0],
        get(res, "purposeOfEvent", 0, "text"),
    )


def _audit_event(res: dict, out: Collector) -> None:
    out.add("audit_event", res["id"], *audit_row(res, out))


AUDIT_EVENT = Kind(
    "AuditEvent",
    _audit_event,
    {
        "audit_event": Table(
            (
                "id",
                "recorded",
                "action",
                "interaction",
                "user",
                "user_name",
                "role",
                "patient_id",
                "resource",
                "page",
                "purpose",
                "reason",
            ),
            times=("recorded",),
        )
    },
)
