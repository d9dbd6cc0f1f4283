"""Extractor for nursing work: Task."""

from __future__ import annotations

from services.codes import NURSING_TASK
from services.frames.base import Collector, Kind, Table, get, items, ref_id
from services.frames.fields import code_of, codings, pick, text, when

__all__ = ["TASK"]


def _task(res: dict, out: Collector) -> None:
    coding = pick(codings(res.get("code"), out), NURSING_TASK)
    display = text(coding.get("display"), out, "display")
    notes = items(res.get("note"), out, "note")
    out.add(
        "task",
        res["id"],
        text(get(res, "meta", "versionId"), out, "version"),
        text(res.get("status"), out, "status"),
        text(res.get("priority"), out, "priority") or "routine",
        text(coding.get("code"), out, "code"),
        display or text(get(res, "code", "text"), out, "display"),
        ref_id(res.get("for"), "Patient"),
        ref_id(res.get("encounter"), "Encounter"),
        ref_id(res.get("location"), "Location"),
        ref_id(res.get("owner"), "Practitioner"),
        code_of(res.get("performerType"), out),
        when(get(res, "restriction", "period", "end"), out, "due"),
        when(res.get("authoredOn"), out, "authored_on"),
        when(res.get("lastModified"), out, "last_modified"),
        when(get(res, "executionPeriod", "start"), out, "exec_start"),
        when(get(res, "executionPeriod", "end"), out, "exec_end"),
        text(notes[-1].get("text"), out, "note") if notes else None,
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
