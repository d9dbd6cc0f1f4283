"""The audit trail: every view of one patient's record and every write, as a FHIR AuditEvent.

The event goes to the platform (the source that holds the patient). When the platform refuses it
or cannot be reached, the same event goes to an append-only local log, so nothing is lost; the
admin page reads both.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pandas as pd

from services.errors import DataError
from services.frames import KINDS, Collector
from services.platform import Platform
from services.roles import User

__all__ = ["AuditRecord", "audit_event", "local_log_frame", "read_local_log", "record"]

log = logging.getLogger(__name__)
_lock = threading.Lock()

Action = Literal["read", "update", "create", "search"]
_ACTION_CODE = {"read": "R", "update": "U", "create": "C", "search": "E"}
_INTERACTION = "http://hl7.org/fhir/restful-interaction"
_ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
OBSERVER = "MEDI:CUS Klinik-Dashboard"
LOCAL_SOURCE = "local"


@dataclass(frozen=True)
class AuditRecord:
    """One auditable act of one user; ``reason`` is set for break-glass access."""

    user: User
    action: Action
    page: str
    patient_id: str | None = None
    source: str | None = None
    resource: str | None = None
    reason: str | None = None
    when: datetime = field(default_factory=lambda: datetime.now(UTC))


def audit_event(rec: AuditRecord) -> dict:
    """The FHIR R4 AuditEvent for ``rec``."""
    agent: dict = {
        "altId": rec.user.username,
        "name": rec.user.name,
        "role": [{"text": rec.user.role.value}],
        "requestor": True,
    }
    if rec.user.practitioner_id:
        agent["who"] = {"reference": f"Practitioner/{rec.user.practitioner_id}"}
    event: dict = {
        "resourceType": "AuditEvent",
        "type": {
            "system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
            "code": "rest",
            "display": "RESTful Operation",
        },
        "subtype": [{"system": _INTERACTION, "code": rec.action}],
        "action": _ACTION_CODE[rec.action],
        "recorded": rec.when.isoformat(),
        "outcome": "0",
        "agent": [agent],
        "source": {"site": rec.page, "observer": {"display": OBSERVER}},
        "entity": [],
    }
    if rec.reason:
        # Break-glass: access outside the user's own facility, justified in free text.
        event["purposeOfEvent"] = [
            {"coding": [{"system": _ACT_REASON, "code": "ETREAT"}], "text": rec.reason}
        ]
    else:
        event["purposeOfEvent"] = [{"coding": [{"system": _ACT_REASON, "code": "TREAT"}]}]
    if rec.patient_id:
        event["entity"].append(
            {
                "what": {"reference": f"Patient/{rec.patient_id}"},
                "type": {
                    "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type",
                    "code": "1",
                },
            }
        )
    if rec.resource:
        event["entity"].append({"what": {"reference": rec.resource}})
    if not event["entity"]:
        del event["entity"]
    return event


def record(platform: Platform, rec: AuditRecord, local_log: Path) -> Literal["platform", "local"]:
    """Send the event to the platform; fall back to the local append-only log."""
    event = audit_event(rec)
    try:
        platform.http(rec.source).send_json("POST", "AuditEvent", event)
    except DataError as exc:
        log.warning("audit event kept locally: %s", exc.__class__.__name__)
        _append(local_log, {**event, "_refused": exc.__class__.__name__})
        return "local"
    return "platform"


def _append(path: Path, event: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(event, ensure_ascii=False) + "\n"
    with _lock:
        # O_APPEND: every write lands at the end, whatever else has the file open.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)


def read_local_log(path: Path) -> list[dict]:
    """Events kept locally, oldest first; unreadable lines are skipped."""
    if not path.is_file():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return events


def local_log_frame(path: Path) -> pd.DataFrame:
    """The locally kept events as the same table the platform's AuditEvents give."""
    events = [{**event, "id": f"local-{n}"} for n, event in enumerate(read_local_log(path), 1)]
    collector = Collector(KINDS, "AuditEvent", source=LOCAL_SOURCE)
    collector.feed(events)
    return collector.frames()["audit_event"]
