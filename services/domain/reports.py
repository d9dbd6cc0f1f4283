"""Bed capacity reports for a facility and day: a SANER-style MeasureReport, and the DIVI
register's categories and rating (the register's report itself: ``services.domain.divi``).

Counts come from the bed status now (``services.domain.beds.bed_status_now``):
- beds: every bed in service (closed beds are out of service and left out);
- occupied: status O; available: can take a patient now (``beds.can_take_patient``); beds being
  cleaned, isolated or contaminated are neither (they are blocked for now);
- ICU: the bed categories ``icu-high-care`` and ``icu-low-care``.
The DIVI intensive care register asks for low care, high care and ECMO, for adults and children.

Status per category (the register's rating, ``divi_status``), from the beds in service now:
``NICHT_VERFUEGBAR`` (ausgelastet) when none is free; ``BEGRENZT`` when some are free but no more
than ``LIMITED_SHARE`` of the beds in service, or a single one; ``VERFUEGBAR`` above;
``KEINE_ANGABE`` where the category has no bed in service or is not recorded. The register leaves
the rating to the hospital; these thresholds are ours (docs/DATA_MODEL.md).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from services.domain.beds import can_take_patient

__all__ = [
    "DIVI_CATEGORIES",
    "DIVI_STATUS",
    "LIMITED_SHARE",
    "MEASURE",
    "MEASURED_VALUES",
    "bed_counts",
    "divi_status",
    "saner_measure_report",
]

MEASURE = "http://hl7.org/fhir/uv/saner/Measure/CDCPatientImpactAndHospitalCapacity"
MEASURED_VALUES = "http://hl7.org/fhir/uv/saner/CodeSystem/MeasuredValues"
MEASURE_GROUPS = "http://hl7.org/fhir/uv/saner/CodeSystem/MeasureGroupSystem"
MEASURE_POPULATION = "http://terminology.hl7.org/CodeSystem/measure-population"
ICU = ("icu-high-care", "icu-low-care")
DIVI_CATEGORIES = ("icu-low-care", "icu-high-care", "ecmo")
DIVI_STATUS = ("VERFUEGBAR", "BEGRENZT", "NICHT_VERFUEGBAR", "KEINE_ANGABE")
LIMITED_SHARE = 0.2

_POPULATIONS = {
    "Beds": (
        ("numTotBeds", "All Hospital Beds", "initial-population", "beds"),
        ("numTotBedsOcc", "Hospital Beds Occupied", "numerator", "occupied"),
        ("numTotBedsAvail", "Hospital Beds Available", "numerator", "available"),
    ),
    "ICUBeds": (
        ("numICUBeds", "ICU Beds", "initial-population", "beds"),
        ("numICUBedsOcc", "ICU Beds Occupied", "numerator", "occupied"),
        ("numICUBedsAvail", "ICU Beds Available", "numerator", "available"),
    ),
}


def bed_counts(beds: pd.DataFrame) -> dict[str, int]:
    """Beds in service, occupied and available among ``beds`` (rows of ``bed_status_now``)."""
    in_service = beds[beds["status"] != "C"]
    return {
        "beds": len(in_service),
        "occupied": int((in_service["status"] == "O").sum()),
        "available": int(can_take_patient(in_service["status"]).sum()),
    }


def saner_measure_report(
    beds: pd.DataFrame,
    hospital_id: str,
    hospital_name: str,
    day: pd.Timestamp,
    generated: pd.Timestamp,
) -> dict[str, Any]:
    """A FHIR R4 MeasureReport (summary) of one hospital's beds on ``day``."""
    mine = beds[beds["hospital_id"] == hospital_id]
    counts = {
        "Beds": bed_counts(mine),
        "ICUBeds": bed_counts(mine[mine["bed_category"].isin(ICU)]),
    }
    start = day.tz_convert("Europe/Berlin").normalize()
    end = start + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)
    groups = []
    for group, populations in _POPULATIONS.items():
        groups.append(
            {
                "code": {"coding": [{"system": MEASURE_GROUPS, "code": group}]},
                "population": [
                    {
                        "code": {
                            "coding": [
                                {"system": MEASURED_VALUES, "code": code, "display": display},
                                {"system": MEASURE_POPULATION, "code": role},
                            ]
                        },
                        "count": counts[group][key],
                    }
                    for code, display, role, key in populations
                ],
            }
        )
    return {
        "resourceType": "MeasureReport",
        "id": f"bed-capacity-{hospital_id}-{start.date().isoformat()}",
        "status": "complete",
        "type": "summary",
        "measure": MEASURE,
        "date": generated.isoformat(timespec="seconds"),
        "period": {
            "start": start.isoformat(timespec="seconds"),
            "end": end.isoformat(timespec="seconds"),
        },
        "reporter": {"reference": f"Organization/{hospital_id}", "display": hospital_name},
        "group": groups,
    }


def divi_status(beds: object, free: object) -> str:
    """The register's rating of one category from its beds in service and free beds."""
    if pd.isna(beds) or pd.isna(free) or beds == 0:
        return "KEINE_ANGABE"
    if free == 0:
        return "NICHT_VERFUEGBAR"
    if free == 1 or free <= LIMITED_SHARE * beds:
        return "BEGRENZT"
    return "VERFUEGBAR"
