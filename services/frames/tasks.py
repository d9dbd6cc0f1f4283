"""Extractor for nursing work: Task, with the notes written on it."""

from __future__ import annotations

from services.codes import (
    AGE_GROUP,
    BED_CATEGORY,
    BED_REQUEST,
    ISOLATION,
    NURSING_TASK,
    REQUEST_DETAIL,
)
from services.frames.base import Collector, Kind, Table, get, items, ref_id, ref_key
from services.frames.fields import code_of, codings, pick, text, when

__all__ = ["TASK"]


def _request_kind(concept: object) -> str | None:
    """The bettenanfrage code of a Task's ``code``, read without warnings: ``_task`` reports a
    malformed ``code`` once already."""
    listed = concept.get("coding") if isinstance(concept, dict) else None
    for coding in listed if isinstance(listed, list) else ():
        if isinstance(coding, dict) and coding.get("system") == BED_REQUEST:
            code = coding.get("code")
            return code if isinstance(code, str) else None
    return None


def _bed_request(res: dict, out: Collector) -> None:
    """What a request for a bed asks (its inputs) and what it got (the reserved bed)."""
    kind = _request_kind(res.get("code"))
    if kind is None:
        return
    details: dict[str, str | None] = {}
    isolation: list[str] = []
    for entry in items(res.get("input"), out, "input"):
        detail = code_of(entry.get("type"), out, REQUEST_DETAIL)
        if detail == "bettenkategorie":
            details[detail] = code_of(entry.get("valueCodeableConcept"), out, BED_CATEGORY)
        elif detail == "altersgruppe":
            details[detail] = code_of(entry.get("valueCodeableConcept"), out, AGE_GROUP)
        elif detail == "isolation":
            code = code_of(entry.get("valueCodeableConcept"), out, ISOLATION)
            if code:
                isolation.append(code)
        elif detail == "geschlecht":
            details[detail] = text(entry.get("valueCode"), out, "sex")
        elif detail == "grund":
            details[detail] = text(entry.get("valueString"), out, "reason")
    bed = None
    for entry in items(res.get("output"), out, "output"):
        if code_of(entry.get("type"), out, REQUEST_DETAIL) == "bett":
            bed = ref_id(entry.get("valueReference"), "Location")
    out.add(
        "bed_request",
        res["id"],
        kind,
        ref_id(res.get("requester"), "Organization"),
        ref_id(res.get("owner"), "Organization"),
        ref_id(res.get("focus"), "Encounter"),
        details.get("bettenkategorie"),
        details.get("altersgruppe"),
        details.get("geschlecht"),
        ",".join(isolation) or None,
        details.get("grund"),
        code_of(res.get("businessStatus"), out, BED_REQUEST),
        text(get(res, "statusReason", "text"), out, "status_reason"),
        bed,
    )


def _task(res: dict, out: Collector) -> None:
    _bed_request(res, out)
    coding = pick(codings(res.get("code"), out), NURSING_TASK)
    display = text(coding.get("display"), out, "display")
    notes = items(res.get("note"), out, "note")
    said = [text(note.get("text"), out, "note") for note in notes]
    for note, words in zip(notes, said, strict=True):
        out.add(
            "task_note",
            res["id"],
            when(note.get("time"), out, "time"),
            ref_id(note.get("authorReference"), "Practitioner"),
            text(note.get("authorString"), out, "author"),
            words,
        )
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
        said[-1] if said else None,
        text(res.get("description"), out, "description"),
        ref_key(res.get("focus")),
        ref_key(get(res, "basedOn", 0)),
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
                "description",
                "focus",
                "based_on",
            ),
            times=("due", "authored_on", "last_modified", "exec_start", "exec_end"),
        ),
        "task_note": Table(("task_id", "time", "author_id", "author", "text"), times=("time",)),
        "bed_request": Table(
            (
                "task_id",
                "kind",
                "requester_org",
                "target_org",
                "encounter_id",
                "bed_category",
                "age_group",
                "sex",
                "isolation",
                "reason",
                "business_status",
                "status_reason",
                "bed_id",
            )
        ),
    },
)
