"""Extractors for where: Encounter (with its ward, room and bed periods) and Location."""

from __future__ import annotations

import pandas as pd

from services.codes import (
    AGE_GROUP,
    BED_CATEGORY,
    BED_STATUS,
    FACHABTEILUNG,
    KONTAKTEBENE,
    PHYSICAL_TYPE,
    PLANNED_END,
)
from services.frames.base import Collector, Kind, Table, get, items, ref_id
from services.frames.fields import code_of, codings, identifier, obj, text, when

__all__ = ["ENCOUNTER", "LOCATION", "with_hierarchy"]


def _planned_end(res: dict, out: Collector) -> str | None:
    for ext in items(res.get("extension"), out, "extension"):
        if ext.get("url") == PLANNED_END:
            return ext.get("valueDateTime")
    return None


def _encounter(res: dict, out: Collector) -> None:
    enc_id = res["id"]
    _, case_number = identifier(items(res.get("identifier"), out, "identifier"), "VN", out)
    participants = items(res.get("participant"), out, "participant")
    attending = ref_id(get(participants, 0, "individual"), "Practitioner")
    period = res.get("period")
    if not isinstance(get(period, "start"), str):
        out.warn("encounter_without_start")
    out.add(
        "encounter",
        enc_id,
        ref_id(res.get("subject"), "Patient"),
        ref_id(res.get("serviceProvider"), "Organization"),
        text(case_number, out, "case_number"),
        text(res.get("status"), out, "status"),
        text(get(res, "class", "code"), out, "class"),
        code_of(res.get("type"), out, KONTAKTEBENE),
        code_of(res.get("serviceType"), out, FACHABTEILUNG),
        when(get(period, "start"), out, "start"),
        when(get(period, "end"), out, "end"),
        when(_planned_end(res, out), out, "planned_end"),
        attending,
        code_of(get(res, "hospitalization", "admitSource"), out),
        code_of(get(res, "hospitalization", "dischargeDisposition"), out),
        when(get(res, "meta", "lastUpdated"), out, "last_updated"),
    )
    for entry in items(res.get("location"), out, "location"):
        out.add(
            "encounter_location",
            enc_id,
            ref_id(entry.get("location"), "Location"),
            code_of(entry.get("physicalType"), out, PHYSICAL_TYPE),
            text(get(entry, "status"), out, "location_status"),
            when(get(entry, "period", "start"), out, "start"),
            when(get(entry, "period", "end"), out, "end"),
        )


ENCOUNTER = Kind(
    "Encounter",
    _encounter,
    {
        "encounter": Table(
            (
                "id",
                "patient_id",
                "hospital_id",
                "case_number",
                "status",
                "class",
                "contact_level",
                "department",
                "start",
                "end",
                "planned_end",
                "attending_id",
                "admit_source",
                "discharge_disposition",
                "last_updated",
            ),
            times=("start", "end", "planned_end", "last_updated"),
        ),
        "encounter_location": Table(
            ("encounter_id", "location_id", "physical_type", "status", "start", "end"),
            times=("start", "end"),
        ),
    },
)


def _location(res: dict, out: Collector) -> None:
    category = age_group = department = None
    for coding in codings(res.get("type"), out):
        system = coding.get("system")
        if system == BED_CATEGORY:
            category = text(coding.get("code"), out, "code")
        elif system == AGE_GROUP:
            age_group = text(coding.get("code"), out, "code")
        elif system == FACHABTEILUNG:
            department = text(coding.get("code"), out, "code")
    # A bed whose status is unreadable stays on the bed board, with the status null.
    op_status = obj(res.get("operationalStatus"), out, "operational_status")
    bed_status = None
    if op_status is not None:
        bed_status = text(op_status.get("code"), out, "operational_status")
        if op_status.get("system") not in (None, BED_STATUS):
            out.warn("unknown_bed_status_system")
    out.add(
        "location",
        res["id"],
        text(res.get("name"), out, "name"),
        text(get(res, "alias", 0), out, "alias"),
        code_of(res.get("physicalType"), out, PHYSICAL_TYPE),
        ref_id(res.get("partOf"), "Location"),
        ref_id(res.get("managingOrganization"), "Organization"),
        text(res.get("status"), out, "status"),
        bed_status,
        department,
        category,
        age_group,
    )


LOCATION = Kind(
    "Location",
    _location,
    {
        "location": Table(
            (
                "id",
                "name",
                "alias",
                "physical_type",
                "part_of",
                "hospital_id",
                "status",
                "operational_status",
                "department",
                "bed_category",
                "age_group",
            )
        )
    },
)


def with_hierarchy(locations: pd.DataFrame) -> pd.DataFrame:
    """Add ``ward_id`` and ``room_id`` to every location by walking ``partOf`` upwards."""
    parent = dict(zip(locations["id"], locations["part_of"], strict=True))
    kind = dict(zip(locations["id"], locations["physical_type"], strict=True))

    def ancestor(loc_id: str, wanted: str) -> str | None:
        seen = set()
        while isinstance(loc_id, str) and loc_id not in seen:
            if kind.get(loc_id) == wanted:
                return loc_id
            seen.add(loc_id)
            loc_id = parent.get(loc_id)
        return None

    out = locations.copy()
    out["ward_id"] = [ancestor(i, "wa") for i in out["id"]]
    out["room_id"] = [ancestor(i, "ro") for i in out["id"]]
    return out
