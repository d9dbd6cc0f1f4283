"""Extractor for the nurses' duty roster: Appointment, one per ward and shift.

One row per PractitionerRole taking part, so the nurses on duty are a count of rows; a shift
without any keeps one row with no role. The ward is the participant that is a Location.
"""

from __future__ import annotations

from services.codes import SHIFT
from services.frames.base import Collector, Kind, Table, items, ref_id
from services.frames.fields import code_of, text, when

__all__ = ["APPOINTMENT"]


def _appointment(res: dict, out: Collector) -> None:
    participants = items(res.get("participant"), out, "participant")
    wards = [ref_id(p.get("actor"), "Location") for p in participants]
    roles = [
        (ref_id(p.get("actor"), "PractitionerRole"), text(p.get("status"), out, "status"))
        for p in participants
    ]
    base = (
        res["id"],
        text(res.get("status"), out, "status"),
        next((w for w in wards if w), None),
        code_of(res.get("serviceType"), out, SHIFT),
        when(res.get("start"), out, "start"),
        when(res.get("end"), out, "end"),
    )
    taking_part = [(role, status) for role, status in roles if role]
    for role, status in taking_part or [(None, None)]:
        out.add("duty", *base, role, status)


APPOINTMENT = Kind(
    "Appointment",
    _appointment,
    {
        "duty": Table(
            ("id", "status", "ward_id", "shift", "start", "end", "role_id", "participation"),
            times=("start", "end"),
        )
    },
)
