"""Writing nursing tasks: claim, start, complete, each guarded by the version the nurse saw.

A change is applied to the version the nurse was looking at and sent with ``If-Match`` on that
version. If a colleague changed the task in the meantime, the server answers 412 and the nurse
gets a ``Conflict`` carrying the task as it is now; nothing is overwritten silently.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from services.errors import Conflict, DataError
from services.fhir_http import FhirHttp

__all__ = ["Action", "change_task"]

Action = Literal["claim", "start", "complete"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _apply(task: dict, action: Action, practitioner_id: str | None, note: str) -> dict:
    out = dict(task)
    moment = _now()
    if practitioner_id:
        out["owner"] = {"reference": f"Practitioner/{practitioner_id}"}
    if action == "start":
        out["status"] = "in-progress"
        out["executionPeriod"] = {**(task.get("executionPeriod") or {}), "start": moment}
    elif action == "complete":
        out["status"] = "completed"
        period = dict(task.get("executionPeriod") or {})
        period.setdefault("start", moment)
        period["end"] = moment
        out["executionPeriod"] = period
    if note.strip():
        entry = {"text": note.strip(), "time": moment}
        if practitioner_id:
            entry["authorReference"] = {"reference": f"Practitioner/{practitioner_id}"}
        out["note"] = [*(task.get("note") or []), entry]
    out["lastModified"] = moment
    out.pop("meta", None)
    return out


def change_task(
    http: FhirHttp,
    task_id: str,
    seen_version: str,
    action: Action,
    *,
    practitioner_id: str | None,
    note: str = "",
) -> dict:
    """Apply ``action`` to the version ``seen_version`` of the task; returns the stored task.

    Raises ``Conflict`` (with ``current`` set to the task as it is now) when somebody else
    changed it since that version.
    """
    seen = http.get_json(f"Task/{task_id}/_history/{seen_version}")
    changed = _apply(seen, action, practitioner_id, note)
    try:
        return http.send_json("PUT", f"Task/{task_id}", changed, if_match=f'W/"{seen_version}"')
    except Conflict as exc:
        try:
            exc.current = http.get_json(f"Task/{task_id}")
        except DataError:
            exc.current = None
        raise
