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

__all__ = ["RESTORED", "Action", "change_task", "put_task", "undo_change"]

# What taking a change back restores from the version before it; the notes stay: what a nurse
# wrote is kept even when the step is taken back.
RESTORED = ("status", "owner", "performerType", "executionPeriod")

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


def _version(http: FhirHttp, task_id: str, version: str, *known: dict | None) -> dict:
    """Version ``version`` of the task: one of ``known`` when it is that version (a version
    never changes once stored), else read from the server."""
    for task in known:
        if task is not None and task.get("meta", {}).get("versionId") == version:
            return task
    return http.get_json(f"Task/{task_id}/_history/{version}")


def put_task(http: FhirHttp, task_id: str, changed: dict, version: str) -> dict:
    """PUT a Task with If-Match on the version seen; a lost race raises ``Conflict`` carrying
    the Task as it now is (None when it cannot be read)."""
    try:
        return http.send_json("PUT", f"Task/{task_id}", changed, if_match=f'W/"{version}"')
    except Conflict as exc:
        try:
            exc.current = http.get_json(f"Task/{task_id}")
        except DataError:
            exc.current = None
        raise


def change_task(
    http: FhirHttp,
    task_id: str,
    seen_version: str,
    action: Action,
    *,
    practitioner_id: str | None,
    note: str = "",
    known: dict | None = None,
) -> dict:
    """Apply ``action`` to the version ``seen_version`` of the task; returns the stored task.

    ``known``: the task as the caller already holds it (what its own last write stored); used
    instead of reading that version when it is that version. Raises ``Conflict`` (with
    ``current`` set to the task as it is now) when somebody else changed it since that version.
    """
    seen = _version(http, task_id, seen_version, known)
    return put_task(http, task_id, _apply(seen, action, practitioner_id, note), seen_version)


def undo_change(
    http: FhirHttp,
    task_id: str,
    done_version: str,
    before_version: str,
    known: tuple[dict | None, ...] = (),
) -> dict:
    """Take back the change that made ``done_version`` out of ``before_version``: a new version
    with the status, owner and work period of ``before_version`` (``RESTORED``) and everything
    else, notes included, as in ``done_version``; returns the stored task. ``known``: versions
    of the task the caller holds (its own writes), read from the server only when missing.

    Raises ``Conflict`` when the task changed again after ``done_version``.
    """
    done = _version(http, task_id, done_version, *known)
    before = _version(http, task_id, before_version, *known)
    restored = {k: v for k, v in done.items() if k not in RESTORED and k != "meta"}
    restored |= {k: before[k] for k in RESTORED if k in before}
    restored["lastModified"] = _now()
    return put_task(http, task_id, restored, done_version)
