"""What a generated network should show, computed from its raw bundles and ground truth without
the app's extractors, and the comparisons the integration tests of both shapes share."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from demo_data.bundles import read_json
from services.codes import FACHABTEILUNG, KONTAKTEBENE, PHYSICAL_TYPE
from services.domain.beds import occupancy
from services.roles import User

HEAD = "einrichtungskontakt"


def resources(data_dir: Path, manifest: dict[str, Any]) -> Iterator[dict]:
    """Every resource of the network's bundles, in load order."""
    for bundle in manifest["bundles"]:
        for entry in read_json(data_dir / bundle["file"])["entry"]:
            yield entry["resource"]


def ref_id(reference: dict | None) -> str | None:
    return reference["reference"].split("/")[1] if reference and "reference" in reference else None


def main_diagnosis(conditions: list[dict]) -> dict | None:
    """The stay's main diagnosis as the app defines it: the encounter diagnosis recorded first,
    of several recorded at one moment the one whose onset is latest."""
    if not conditions:
        return None
    earliest = min(datetime.fromisoformat(c["recordedDate"]) for c in conditions)
    together = [c for c in conditions if datetime.fromisoformat(c["recordedDate"]) == earliest]
    return max(together, key=lambda c: datetime.fromisoformat(c["onsetDateTime"]))


def _code(concept: dict | None, system: str) -> str | None:
    for coding in (concept or {}).get("coding", []):
        if coding.get("system") == system:
            return coding.get("code")
    return None


def _level(encounter: dict) -> str | None:
    return next(filter(None, (_code(t, KONTAKTEBENE) for t in encounter.get("type", []))), None)


@dataclass
class RawStay:
    """One stay as the bundles hold it: a flat Encounter, or an Einrichtungskontakt with its
    levels below (``members``, every Encounter of the stay)."""

    id: str
    hospital: str | None
    cls: str
    status: str
    start: datetime
    end: datetime | None
    patient: str
    department: str | None
    ward_now: str | None
    bed_now: str | None
    members: list[str] = field(default_factory=list)


def raw_stays(items: list[dict]) -> dict[str, RawStay]:
    """The stays of the bundles, by stay id, following ``partOf`` (literal or by case number)."""
    encounters = {r["id"]: r for r in items if r["resourceType"] == "Encounter"}
    by_case = {
        (i["system"], i["value"]): e["id"]
        for e in encounters.values()
        if _level(e) == HEAD and "partOf" not in e
        for i in e.get("identifier", [])
    }

    def head_of(encounter: dict) -> str:
        while "partOf" in encounter:
            part = encounter["partOf"]
            named = part.get("identifier", {})
            parent = ref_id(part) or by_case[(named.get("system"), named.get("value"))]
            encounter = encounters[parent]
        return encounter["id"]

    members: dict[str, list[dict]] = {}
    for encounter in encounters.values():
        members.setdefault(head_of(encounter), []).append(encounter)
    out = {}
    for stay_id, group in members.items():
        head = encounters[stay_id]
        departments = [m for m in group if _level(m) == "abteilungskontakt"] or [head]
        current = [m for m in departments if m["status"] == "in-progress"] or sorted(
            departments, key=lambda m: m["period"]["start"]
        )[-1:]
        now = {
            _code(place.get("physicalType"), PHYSICAL_TYPE): ref_id(place["location"])
            for m in group
            if m["status"] == "in-progress"
            for place in m.get("location", [])
            if place.get("status") == "active"
        }
        period = head["period"]
        out[stay_id] = RawStay(
            id=stay_id,
            hospital=ref_id(head.get("serviceProvider")),
            cls=head["class"]["code"],
            status=head["status"],
            start=datetime.fromisoformat(period["start"]),
            end=datetime.fromisoformat(period["end"]) if "end" in period else None,
            patient=ref_id(head["subject"]),
            department=_code(current[0].get("serviceType"), FACHABTEILUNG),
            ward_now=now.get("wa"),
            bed_now=now.get("bd"),
            members=[m["id"] for m in group],
        )
    return out


def ward_departments(manifest: dict[str, Any]) -> dict[str, str]:
    return {w["id"]: w["department"] for h in manifest["hospitals"] for w in h["wards"]}


def my_patients(stays: dict[str, RawStay], doctor: User, wards: dict[str, str]) -> list[RawStay]:
    """The stays the physician's "my patients" page lists: current inpatients of the doctor's
    hospital in a department of theirs, or lying on one of its wards."""
    return [
        s
        for s in stays.values()
        if s.status == "in-progress"
        and s.cls == "IMP"
        and s.hospital == doctor.hospital_id
        and (s.department in doctor.departments or wards.get(s.ward_now) in doctor.departments)
    ]


def ward_day_mismatches(frame: pd.DataFrame, figure: str, expected: dict) -> list[tuple]:
    """The (ward, day) pairs of the ground truth where ``frame[figure]`` says otherwise."""
    table = {
        (ward, day.isoformat()): n
        for ward, day, n in frame[["ward_id", "date", figure]].itertuples(False)
    }
    return [
        (ward, day)
        for ward, per_day in expected.items()
        for day, count in per_day.items()
        if table.get((ward, day), 0) != count
    ]


def bed_status_mismatches(beds: pd.DataFrame, truth: dict[str, Any]) -> list[tuple]:
    """Hospitals and wards whose bed status counts differ from the ground truth."""
    out = []
    for hospital, counts in truth["bed_status"].items():
        got = beds[beds["hospital_id"] == hospital]["status"].value_counts()
        if {code: int(got.get(code, 0)) for code in counts} != counts:
            out.append((hospital, dict(got)))
    per_ward = occupancy(beds, ["ward_id"]).set_index("ward_id")
    for ward, counts in truth["bed_status_by_ward"].items():
        row = per_ward.loc[ward]
        if (row["occupied"], row["free"]) != (counts["O"], counts["U"]):
            out.append((ward, (row["occupied"], row["free"])))
    return out


def news2_cells(truth: dict[str, Any], ward_id: str) -> list[str]:
    """The NEWS2 column of the early warning board of ``ward_id`` in German, sorted, as the
    ground truth (``news2``) says it must read."""
    cells = []
    for entry in truth["news2"].values():
        if entry["ward_id"] != ward_id:
            continue
        if entry["status"] == "complete":
            cells.append(str(entry["score"]))
        elif entry["status"] == "incomplete":
            cells.append(f"unvollständig (mind. {entry['partial']})")
        elif entry["status"] == "not_applicable":
            cells.append("kein NEWS2 unter 16 Jahren")
        else:
            cells.append("keine Vitalzeichen")
    return sorted(cells)
