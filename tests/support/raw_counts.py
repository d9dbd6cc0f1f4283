"""Counts over the raw resources of an export (plain JSON), computed without the data layer.

A stay is one Einrichtungskontakt, i.e. one root of the ``partOf`` chains, not counting
entered-in-error or cancelled contacts; a stay open for longer than the 99th percentile length of
the finished inpatient stays of that source (at most 365 days) is left open, not current.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from services.config import StaleStays

VOID = {"entered-in-error", "cancelled"}
MEDICATION_KINDS = ("MedicationRequest", "MedicationAdministration", "MedicationStatement")


def unique_resources(raw: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """One resource per ``Type/id``, the latest ``meta.lastUpdated`` winning (as stored)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for resource in raw:
        key = (resource["resourceType"], resource["id"])
        if key not in out or resource["meta"]["lastUpdated"] >= out[key]["meta"]["lastUpdated"]:
            out[key] = resource
    return out


def subject(resource: dict[str, Any]) -> str | None:
    reference = (resource.get("subject") or resource.get("patient") or {}).get("reference", "")
    return reference.split("/")[-1] if reference.startswith("Patient/") else None


def case_key(identifier: dict[str, Any]) -> str:
    return f"case:{identifier.get('system')}|{identifier.get('value')}"


def level(encounter: dict[str, Any]) -> str | None:
    for concept in encounter.get("type", []):
        for coding in concept.get("coding", []):
            if coding.get("system") == "http://fhir.de/CodeSystem/Kontaktebene":
                return coding.get("code")
    return None


def stay_key(encounter: dict[str, Any], encounters: dict[str, dict[str, Any]]) -> str:
    """The Einrichtungskontakt an Encounter belongs to: up the literal ``partOf`` chain inside the
    export; a logical ``partOf`` (by case number) or a case number of its own names it when the
    top of the chain is not in the export."""
    seen = set()
    node = encounter
    while True:
        seen.add(node["id"])
        part_of = node.get("partOf") or {}
        target = part_of.get("reference", "").split("/")[-1]
        if target in encounters and target not in seen:
            node = encounters[target]
            continue
        if part_of.get("identifier"):
            return case_key(part_of["identifier"])
        cases = [
            i
            for i in node.get("identifier", [])
            if any(c.get("code") == "VN" for c in (i.get("type") or {}).get("coding", []))
        ]
        if cases and level(node) == "einrichtungskontakt":
            return case_key(cases[0])
        return f"Encounter/{node['id']}"


def raw_stays(raw: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Stay key -> patient, status, class, start, end of its Einrichtungskontakt (or its widest
    contact when the export lacks that), from the contacts that are not void."""
    unique = unique_resources(raw)
    encounters = {k[1]: r for k, r in unique.items() if k[0] == "Encounter"}
    stays: dict[str, dict[str, Any]] = {}
    for encounter in encounters.values():
        if encounter["status"] in VOID:
            continue
        key = stay_key(encounter, encounters)
        top = level(encounter) == "einrichtungskontakt"
        if key not in stays or top:
            stays[key] = {
                "patient": subject(encounter),
                "status": encounter["status"],
                "class": encounter["class"]["code"],
                "start": encounter.get("period", {}).get("start"),
                "end": encounter.get("period", {}).get("end"),
                "top": top,
            }
    return stays


def per_patient(raw: list[dict[str, Any]], kinds: tuple[str, ...]) -> Counter:
    return Counter(
        subject(r) for (kind, _), r in unique_resources(raw).items() if kind in kinds and subject(r)
    )


def patient_ids(raw: list[dict[str, Any]]) -> list[str]:
    return sorted(r["id"] for r in raw if r["resourceType"] == "Patient")


def stale_limit(stays: dict[str, dict[str, Any]]) -> timedelta:
    """The documented rule (services.config.StaleStays), computed here from the raw stays."""
    rule = StaleStays()
    lengths = sorted(
        datetime.fromisoformat(s["end"]) - datetime.fromisoformat(s["start"])
        for s in stays.values()
        if s["class"] == "IMP" and s["status"] == "finished" and s["start"] and s["end"]
    )
    if len(lengths) < rule.min_finished:
        return timedelta(days=rule.max_days)
    rank = rule.quantile * (len(lengths) - 1)
    low, high = lengths[int(rank)], lengths[min(int(rank) + 1, len(lengths) - 1)]
    found = low + (high - low) * (rank - int(rank))
    return min(max(found, timedelta(days=rule.min_days)), timedelta(days=rule.max_days))


def inpatients_now(stays: dict[str, dict[str, Any]], now: datetime) -> dict[str, int]:
    """``current`` and ``stale`` (left open longer than the limit) in-progress inpatient stays."""
    limit = stale_limit(stays)
    counts = {"current": 0, "stale": 0}
    for stay in stays.values():
        if stay["status"] == "in-progress" and stay["class"] == "IMP" and stay["start"]:
            start = datetime.fromisoformat(stay["start"])
            counts["current" if now - start <= limit else "stale"] += 1
    return counts


def of_kind(resources: dict[tuple[str, str], dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The resources of one kind among ``unique_resources``."""
    return [r for (k, _), r in resources.items() if k == kind]
