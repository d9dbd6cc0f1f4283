"""Extractor for the audit trail: AuditEvent."""

from __future__ import annotations

from services.frames.base import Collector, Kind, Table, get, items, ref_id
from services.frames.fields import code_of, obj, text, when

__all__ = ["AUDIT_EVENT", "audit_row"]


def audit_row(res: dict, out: Collector) -> tuple:
    """The columns of one AuditEvent (shared with the local log, which holds the same JSON)."""
    agent = obj(get(res, "agent", 0), out, "agent") or {}
    entities = items(res.get("entity"), out, "entity")
    patients = [ref_id(e.get("what"), "Patient") for e in entities]
    patient = next((p for p in patients if p), None)
    # A list view names every person it showed; each of them may ask who saw their data.
    # FHIR ids hold no spaces, so one text column carries them all.
    everyone = " ".join(dict.fromkeys(p for p in patients if p)) or None
    other = next(
        (get(e, "what", "reference") for e, p in zip(entities, patients, strict=True) if not p),
        None,
    )
    return (
        when(res.get("recorded"), out, "recorded"),
        text(res.get("action"), out, "action"),
        text(get(res, "subtype", 0, "code"), out, "interaction"),
        text(agent.get("altId"), out, "user"),
        text(agent.get("name"), out, "user_name"),
        text(get(agent, "role", 0, "text"), out, "role"),
        patient,
        everyone,
        text(other, out, "resource"),
        text(get(res, "source", "site"), out, "page"),
        code_of(get(res, "purposeOfEvent", 0), out),
        text(get(res, "purposeOfEvent", 0, "text"), out, "reason"),
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
                "patient_ids",
                "resource",
                "page",
                "purpose",
                "reason",
            ),
            times=("recorded",),
        )
    },
)
