"""Extractor for nursing work: Task."""

from __future__ import annotations

from services.codes import NURSING_TASK
from services.frames.base import Collector, Kind, Table, first_code, get, ref_id
from services.frames.fields import text, when

__all__ = ["TASK"]


def _task(res: dict, out: Collector) -> None:
    code, display = first_code(res.get("code"), NURSING_TASK)
    if code is None:
        code, display = first_code(res.get("code"))
    notes = [n.get("text") for n in res.get("note") or () if isinstance(n, dict)]
    out.add(
        "task",
        res["id"],
        get(res, "meta", "versionId"),
        text(res.get("status"), out, "status"),
        text(res.get("priority"), out, "priority") or "routine",
        code,
        display or get(res, "code", "text"),
        ref_id(res.get("for"), "Patient"),
        ref_id(res.get("encounter"), "Encounter"),
        ref_id(res.get("location"), "Location"),
        ref_id(res.get("owner"), "Practitioner"),
        first_code(res.get("performerType"))[0],
        when(get(res, "restriction", "period", "end"), out, "due"),
        when(res.get("authoredOn"), out, "authored_on"),
        when(res.get("lastModified"), out, "last_modified"),
        when(get(res, "executionPeriod", "start"), out, "exec_start"),
        when(get(res, "executionPeriod", "end"), out, "exec_end"),
        text(notes[-1], out, "note") if notes else None,
    )


TASK = Kind(
    "Task",
    _task,
    {
        "task": Table(
            (
                "id",
                "version",
                "status",
                "priority",
                "code",
                "display",
                "patient_id",
                "encounter_id",
                "ward_id",
                "owner_id",
                "performer_type",
                "due",
                "authored_on",
                "last_modified",
                "exec_start",
                "exec_end",
                "note",
            ),
            times=("due", "authored_on", "last_modified", "exec_start", "exec_end"),
        )
    },
)
