"""Extractors for where: Encounter (with its ward, room and bed periods) and Location."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from services.codes import (
    AGE_GROUP,
    BED_BLOCK_REASON,
    BED_BLOCK_REASON_EXT,
    BED_CATEGORY,
    BED_RESERVATION_EXT,
    BED_STATUS,
    FACHABTEILUNG,
    FACHABTEILUNG_ERWEITERT,
    KONTAKTEBENE,
    PHYSICAL_TYPE,
    PLANNED_END,
    PLANNED_END_RECORDED,
)
from services.frames.base import Collector, Kind, Table, get, items, ref_id
from services.frames.contacts import CONTACT_COLUMNS, collapse, fill_hospitals
from services.frames.fields import code_of, codings, identifier, obj, text, when

__all__ = ["ENCOUNTER", "LOCATION", "with_hierarchy"]


def _planned_end(res: dict, out: Collector) -> tuple[str | None, str | None]:
    """The planned discharge and when it was first documented (either may be missing)."""
    found: dict[str, Any] = {}
    for ext in items(res.get("extension"), out, "extension"):
        if ext.get("url") in (PLANNED_END, PLANNED_END_RECORDED):
            found.setdefault(ext["url"], ext.get("valueDateTime"))
    return found.get(PLANNED_END), found.get(PLANNED_END_RECORDED)


def _block_reason(res: dict, out: Collector) -> str | None:
    """Why a bed cannot take a patient: the coded reason of the block-reason extension, else its
    text (a source may write the reason in words only)."""
    for ext in items(res.get("extension"), out, "extension"):
        if ext.get("url") == BED_BLOCK_REASON_EXT:
            concept = ext.get("valueCodeableConcept")
            return code_of(concept, out, BED_BLOCK_REASON) or text(
                get(concept, "text"), out, "block_reason"
            )
    return None


def _reservation(res: dict, out: Collector) -> tuple[str | None, str | None]:
    """The Task a bed is held for and until when (``bis``), from the reservation extension."""
    for ext in items(res.get("extension"), out, "extension"):
        if ext.get("url") != BED_RESERVATION_EXT:
            continue
        task = until = None
        for part in items(ext.get("extension"), out, "extension"):
            if part.get("url") == "auftrag":
                task = ref_id(part.get("valueReference"), "Task")
            elif part.get("url") == "bis":
                until = when(part.get("valueDateTime"), out, "reserved_until")
        return task, until
    return None, None


def _department(concept: object, out: Collector) -> str | None:
    return code_of(concept, out, FACHABTEILUNG) or code_of(concept, out, FACHABTEILUNG_ERWEITERT)


def _provider(reference: object, level: str | None, out: Collector) -> str | None:
    """The hospital of a contact: a literal Organization reference, else a logical one.

    Only a stay's own level names its hospital by identifier: the serviceProvider of an MII
    Abteilungs- or Versorgungsstellenkontakt identifies a department, not a hospital.
    """
    literal = ref_id(reference, "Organization")
    if literal is not None or level not in (None, "einrichtungskontakt"):
        return literal
    return text(get(reference, "identifier", "value"), out, "hospital_id")


def _encounter(res: dict, out: Collector) -> None:
    enc_id = res["id"]
    case_system, case_number = identifier(
        items(res.get("identifier"), out, "identifier"), "VN", out
    )
    level = code_of(res.get("type"), out, KONTAKTEBENE)
    # MII links the levels by literal reference, by the case number of the stay, or both.
    part_of = res.get("partOf")
    participants = items(res.get("participant"), out, "participant")
    attending = ref_id(get(participants, 0, "individual"), "Practitioner")
    period = res.get("period")
    if not isinstance(get(period, "start"), str):
        out.warn("encounter_without_start")
    planned_end, planned_end_recorded = _planned_end(res, out)
    out.add(
        "encounter",
        enc_id,
        ref_id(res.get("subject"), "Patient"),
        _provider(res.get("serviceProvider"), level, out),
        text(case_number, out, "case_number"),
        text(case_system, out, "case_system"),
        text(res.get("status"), out, "status"),
        text(get(res, "class", "code"), out, "class"),
        level,
        ref_id(part_of, "Encounter"),
        text(get(part_of, "identifier", "value"), out, "part_of_case"),
        text(get(part_of, "identifier", "system"), out, "part_of_case_system"),
        _department(res.get("serviceType"), out),
        when(get(period, "start"), out, "start"),
        when(get(period, "end"), out, "end"),
        when(planned_end, out, "planned_end"),
        attending,
        code_of(get(res, "hospitalization", "admitSource"), out),
        code_of(get(res, "hospitalization", "dischargeDisposition"), out),
        when(get(res, "meta", "lastUpdated"), out, "last_updated"),
        when(planned_end_recorded, out, "planned_end_recorded"),
    )
    for entry in items(res.get("diagnosis"), out, "diagnosis"):
        condition = ref_id(entry.get("condition"), "Condition")
        # One row per role: MII exports give one diagnosis several (AD and CC, say).
        uses = [c.get("code") for c in codings(entry.get("use"), out)] or [None]
        for use in uses:
            out.add(
                "encounter_diagnosis", enc_id, condition, text(use, out, "code"), entry.get("rank")
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
                "case_system",
                "status",
                "class",
                "contact_level",
                "part_of_id",
                "part_of_case",
                "part_of_case_system",
                "department",
                "start",
                "end",
                "planned_end",
                "attending_id",
                "admit_source",
                "discharge_disposition",
                "last_updated",
                "planned_end_recorded",
            ),
            times=("start", "end", "planned_end", "last_updated", "planned_end_recorded"),
        ),
        "encounter_location": Table(
            ("encounter_id", "location_id", "physical_type", "status", "start", "end"),
            times=("start", "end"),
        ),
        "encounter_diagnosis": Table(
            ("encounter_id", "condition_id", "use", "rank"), numbers=("rank",)
        ),
        # Filled when the tables are finished (services.frames.contacts), empty as extracted.
        "encounter_contact": Table(CONTACT_COLUMNS),
    },
    finish=collapse,
)


def _location(res: dict, out: Collector) -> None:
    category = age_group = department = None
    for coding in codings(res.get("type"), out):
        system = coding.get("system")
        if system == BED_CATEGORY:
            category = text(coding.get("code"), out, "code")
        elif system == AGE_GROUP:
            age_group = text(coding.get("code"), out, "code")
        elif system in (FACHABTEILUNG, FACHABTEILUNG_ERWEITERT):
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
        _provider(res.get("managingOrganization"), None, out),
        text(res.get("status"), out, "status"),
        bed_status,
        _block_reason(res, out),
        department,
        category,
        age_group,
        *_reservation(res, out),
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
                "block_reason",
                "department",
                "bed_category",
                "age_group",
                "reserved_for",
                "reserved_until",
            ),
            times=("reserved_until",),
        )
    },
    finish=lambda tables: {**tables, "location": _location_hospitals(tables["location"])},
)


def _location_hospitals(locations: pd.DataFrame) -> pd.DataFrame:
    """``hospital_id`` where empty: the nearest enclosing Location's, else as for stays.

    ISiK rooms and beds often leave ``managingOrganization`` to their Standort.
    """
    missing = locations["hospital_id"].isna()
    if not missing.any():
        return locations
    keys = list(zip(locations["source"], locations["id"], strict=True))
    parent = dict(zip(keys, locations["part_of"], strict=True))
    hospital = dict(zip(keys, locations["hospital_id"], strict=True))

    def inherited(key: tuple) -> object:
        seen = set()
        while key in parent and key not in seen:
            if isinstance(hospital.get(key), str):
                return hospital[key]
            seen.add(key)
            key = (key[0], parent[key])
        return None

    out = locations.copy()
    out["hospital_id"] = pd.Series(
        [hospital[k] if isinstance(hospital[k], str) else inherited(k) for k in keys],
        index=out.index,
        dtype=out["hospital_id"].dtype,
    )
    return fill_hospitals(out)


def with_hierarchy(locations: pd.DataFrame) -> pd.DataFrame:
    """Add ``ward_id`` and ``room_id`` to every location by walking ``partOf`` upwards.

    A Location is its own ward (room) when it is one, else its nearest enclosing one; None where
    the chain ends (no parent, a parent not read, a cycle) before one. Ids are taken as unique
    across sources: where one repeats, its last row names its parent and type.
    """
    out = locations.copy()
    ids = locations["id"].to_numpy(dtype=object)
    # Ids and parents numbered together (an id's number is below every number of a parent that
    # is no id); one node per id, the walk a few vectorised steps for all nodes at once: at
    # network scale (100k Locations) a walk per Location in Python took most of a second.
    numbers, _ = pd.factorize(np.concatenate([ids, locations["part_of"].to_numpy(dtype=object)]))
    own, up = numbers[: len(ids)], numbers[len(ids) :]
    nodes = int(own.max()) + 1 if len(own) else 0
    named = own >= 0
    last = np.full(nodes, -1)
    np.maximum.at(last, own[named], np.flatnonzero(named))
    parents = np.where(up < nodes, up, -1)[last]
    # Position -1 (none found) picks the None appended.
    choices = np.append(ids[last], None)
    for column, wanted in (("ward_id", "wa"), ("room_id", "ro")):
        is_kind = locations["physical_type"].eq(wanted).fillna(False).to_numpy(dtype=bool)[last]
        found = np.full(len(ids), -1)
        found[named] = _first_of_kind(parents, is_kind)[own[named]]
        out[column] = choices[found].tolist()
    return out


def _first_of_kind(parents: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Per node, the first node at or above it (``parents``: the parent's position, -1 for
    none) that is ``wanted``; -1 where the chain ends, or runs into a cycle, before one."""
    found = np.full(len(parents), -1)
    walking = np.arange(len(parents))
    at = walking.copy()
    # Brent's cycle check, one clock for all walks: a walk that comes back to the node it kept
    # has seen every node of its chain and stops.
    kept, power, steps = np.full(len(parents), -1), 1, 0
    while len(walking):
        hit = wanted[at]
        found[walking[hit]] = at[hit]
        up = parents[at]
        going = ~hit & (up >= 0) & (up != kept)
        walking, at, kept = walking[going], up[going], kept[going]
        steps += 1
        if steps == power:
            kept, power = at.copy(), power * 2
    return found
