"""Data quality per source: what a source's data lacks or gets wrong, counted, with examples.

Every check is a pure function over the tables of ``services.frames`` (and the extractors'
warning counters) and gives one row per source and check: ``count`` and up to three
``examples``, each a ``Type/id`` of a resource with the defect.

Disclosure: examples name resources by id only, never a name or an identifier value. Managers
see aggregates only (``services.domain.disclosure``: nothing that identifies a person or a stay),
so ``for_role`` keeps for them only examples of resources that describe neither: Locations,
Organizations and Medications. Patient, stay and clinical ids (Encounter, Condition, Procedure,
MedicationRequest, ...) reach administrators only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Protocol

import pandas as pd

from services.codes import KNOWN_CODE_SYSTEMS
from services.config import StaleStays
from services.domain.stays import begun, stale_stays
from services.roles import Role

__all__ = [
    "CHECKS",
    "EXAMPLES",
    "MANAGER_EXAMPLE_TYPES",
    "QUALITY_KINDS",
    "REPORT_COLUMNS",
    "for_role",
    "open_stays_too_old",
    "partial_dates",
    "patients_without_identifier",
    "quality_report",
    "quality_view",
    "repaired_resources",
    "stays_without_ward",
    "unknown_code_systems",
    "unresolved_references",
]

EXAMPLES = 3
# What the page reads: the kinds the checks look at. Observations, the largest kind by far, are
# left out; their references are the same kinds' and add reading time, not findings.
QUALITY_KINDS = (
    "Organization",
    "Location",
    "Patient",
    "Encounter",
    "Condition",
    "Procedure",
    "MedicationRequest",
)
CHECKS = (
    "open_stays_too_old",
    "stays_without_ward",
    "patients_without_identifier",
    "unresolved_references",
    "unknown_code_systems",
    "partial_dates",
    "repaired_resources",
)
REPORT_COLUMNS = ["source", "check", "detail", "count", "examples"]
# (table, id column, resource type of the row, reference column, target table)
_REFERENCES = (
    ("patient", "id", "Patient", "hospital_id", "organization"),
    ("encounter", "id", "Encounter", "patient_id", "patient"),
    ("encounter", "id", "Encounter", "hospital_id", "organization"),
    ("encounter_location", "encounter_id", "Encounter", "location_id", "location"),
    ("location", "id", "Location", "part_of", "location"),
    ("location", "id", "Location", "hospital_id", "organization"),
    ("condition", "id", "Condition", "patient_id", "patient"),
    ("condition", "id", "Condition", "encounter_id", "encounter"),
    ("procedure", "id", "Procedure", "patient_id", "patient"),
    ("procedure", "id", "Procedure", "encounter_id", "encounter"),
    ("medication_request", "id", "MedicationRequest", "patient_id", "patient"),
    ("medication_request", "id", "MedicationRequest", "encounter_id", "encounter"),
)
_CODED = (
    ("condition", "Condition"),
    ("procedure", "Procedure"),
    ("medication_request", "MedicationRequest"),
)
_IDENTIFIER_COLUMNS = ("kvnr", "mrn", "identifier", "pseudonym")
# Resource types whose ids say nothing about a person or a stay.
MANAGER_EXAMPLE_TYPES = frozenset({"Location", "Organization", "Medication"})


def _row(source: str, check: str, ids: Iterable[str], detail: str = "", count: int | None = None):
    ids = list(ids)
    return {
        "source": source,
        "check": check,
        "detail": detail,
        "count": len(ids) if count is None else count,
        "examples": tuple(sorted(ids)[:EXAMPLES]),
    }


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    frame["count"] = frame["count"].astype("int64")
    return frame


def open_stays_too_old(
    encounters: pd.DataFrame, now: pd.Timestamp, rule: StaleStays | None = None
) -> pd.DataFrame:
    """Inpatient stays still ``in-progress`` for longer than their source's limit: the same rule
    (``services.domain.stays.stale_stays``) that keeps them out of the current inpatients."""
    stale = stale_stays(encounters, now, rule)
    rows = []
    for source in sorted(encounters["source"].dropna().unique()):
        old = stale[stale["source"] == source]
        limit = int(old["limit_days"].iloc[0]) if len(old) else 0
        rows.append(_row(str(source), "open_stays_too_old", "Encounter/" + old["id"], f"{limit}"))
    return _frame(rows)


def stays_without_ward(encounters: pd.DataFrame, enc_locations: pd.DataFrame) -> pd.DataFrame:
    """Inpatient stays with no location at all. The tables are stays already (contact levels
    collapsed, ``services.frames.contacts``): a ward on any level of a stay places the stay."""
    placed = set(zip(enc_locations["source"], enc_locations["encounter_id"], strict=True))
    rows = []
    for source, group in encounters.groupby("source", sort=True):
        # A stay not begun (waiting for a bed, or cancelled before) has no place by rights.
        inpatient = group[(group["class"] == "IMP") & begun(group)]
        missing = [i for i in inpatient["id"] if (source, i) not in placed]
        rows.append(_row(str(source), "stays_without_ward", ["Encounter/" + i for i in missing]))
    return _frame(rows)


def patients_without_identifier(patients: pd.DataFrame) -> pd.DataFrame:
    """Patients with neither a KVNR nor a local number (nor any identifier column the table has)."""
    columns = [c for c in _IDENTIFIER_COLUMNS if c in patients.columns]
    none = patients[patients[columns].isna().all(axis=1)] if columns else patients
    rows = [
        _row(str(source), "patients_without_identifier", "Patient/" + group["id"])
        for source, group in none.groupby("source", sort=True)
    ]
    return _frame(rows)


def unresolved_references(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """References to resources of a kind that was read whose target was not among them.

    A kind that was not read at all is not checked: absent is not the same as unresolved.
    """
    rows = []
    for table, id_column, kind, column, target in _REFERENCES:
        frame, targets = tables.get(table), tables.get(target)
        if frame is None or targets is None or column not in frame.columns:
            continue
        known = set(zip(targets["source"], targets["id"], strict=True))
        contacts = tables.get("encounter_contact")
        if target == "encounter" and contacts is not None:
            # A reference to an Abteilungs- or Versorgungsstellenkontakt resolves to its stay.
            known |= set(zip(contacts["source"], contacts["encounter_id"], strict=True))
        pointing = frame[frame[column].notna()]
        for source, group in pointing.groupby("source", sort=True):
            missing = group[[(source, v) not in known for v in group[column]]]
            if len(missing):
                ids = {f"{kind}/{i}" for i in missing[id_column]}
                rows.append(
                    _row(
                        str(source),
                        "unresolved_references",
                        ids,
                        f"{table}.{column}",
                        count=len(missing),
                    )
                )
    return _frame(rows)


def unknown_code_systems(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Diagnoses, procedures and medications coded in a system the dashboard does not know."""
    rows = []
    for table, kind in _CODED:
        frame = tables.get(table)
        if frame is None:
            continue
        odd = frame[frame["system"].notna() & ~frame["system"].isin(KNOWN_CODE_SYSTEMS)]
        for (source, system), group in odd.groupby(["source", "system"], sort=True):
            rows.append(
                _row(str(source), "unknown_code_systems", kind + "/" + group["id"], str(system))
            )
    return _frame(rows)


def partial_dates(warnings_by_source: Mapping[str, Counter]) -> pd.DataFrame:
    """Dates given as a year or a year and month, per column (counted by the extractors)."""
    rows = [
        _row(source, "partial_dates", [], name.removeprefix("partial_"), count=count)
        for source, warnings in sorted(warnings_by_source.items())
        for name, count in sorted(warnings.items())
        if name.startswith("partial_") and count
    ]
    return _frame(rows)


def repaired_resources(warnings_by_source: Mapping[str, Counter]) -> pd.DataFrame:
    """What the extractors had to skip or repair (``Collector`` warnings), per warning."""
    rows = [
        _row(source, "repaired_resources", [], name, count=count)
        for source, warnings in sorted(warnings_by_source.items())
        for name, count in sorted(warnings.items())
        if not name.startswith("partial_") and count
    ]
    return _frame(rows)


def quality_report(
    tables: Mapping[str, pd.DataFrame],
    warnings_by_source: Mapping[str, Counter],
    now: pd.Timestamp,
    rule: StaleStays | None = None,
) -> pd.DataFrame:
    """Every check on what was read: one row per source, check and detail."""
    parts = [
        unresolved_references(tables),
        unknown_code_systems(tables),
        partial_dates(warnings_by_source),
        repaired_resources(warnings_by_source),
    ]
    encounters = tables.get("encounter")
    if encounters is not None:
        parts.insert(0, open_stays_too_old(encounters, now, rule))
        enc_locations = tables.get("encounter_location")
        if enc_locations is not None:
            parts.insert(1, stays_without_ward(encounters, enc_locations))
    patients = tables.get("patient")
    if patients is not None:
        parts.insert(2, patients_without_identifier(patients))
    report = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    if report.empty:
        return _frame([])
    order = {check: n for n, check in enumerate(CHECKS)}
    report = report.assign(_order=report["check"].map(order))
    return (
        report.sort_values(["source", "_order", "detail"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def for_role(report: pd.DataFrame, role: Role | str) -> pd.DataFrame:
    """The report as ``role`` may see it: managers only get examples of ``MANAGER_EXAMPLE_TYPES``;
    any role other than admin gets none."""
    if Role(role) == Role.ADMIN:
        return report
    allowed = MANAGER_EXAMPLE_TYPES if Role(role) == Role.MANAGER else frozenset()
    return report.assign(
        examples=[
            tuple(e for e in examples if e.split("/")[0] in allowed)
            for examples in report["examples"]
        ]
    )


class _Read(Protocol):
    tables: dict[str, pd.DataFrame]
    warnings_by_source: dict[str, Counter]


def quality_view(
    reads: Iterable[_Read], now: pd.Timestamp, rule: StaleStays, role: Role | str
) -> pd.DataFrame:
    """The page's report: the tables of several reads (one per kind) checked together, as
    ``role`` may see it."""
    tables: dict[str, list[pd.DataFrame]] = {}
    warnings: dict[str, Counter] = {}
    for read in reads:
        for name, frame in read.tables.items():
            tables.setdefault(name, []).append(frame)
        for source, counts in read.warnings_by_source.items():
            warnings.setdefault(source, Counter()).update(counts)
    merged = {
        name: pd.concat(frames, ignore_index=True).drop_duplicates()
        if len(frames) > 1
        else frames[0]
        for name, frames in tables.items()
    }
    return for_role(quality_report(merged, warnings, now, rule), role)
