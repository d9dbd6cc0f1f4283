"""Bed capacity reports for a facility and day: a SANER-style MeasureReport and a DIVI-style
ICU summary.

Counts come from the bed status now (``services.domain.beds.bed_status_now``):
- beds: every bed in service (closed beds are out of service and left out);
- occupied: status O; available: free and ready (U); beds being cleaned, isolated or
  contaminated are neither (they are blocked for now);
- ICU: the bed categories ``icu-high-care`` and ``icu-low-care``.
The DIVI intensive care register asks for low care, high care and ECMO, for adults and children;
the platform has no ECMO category, so ECMO is reported as not recorded.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = [
    "DIVI_CATEGORIES",
    "MEASURE",
    "MEASURED_VALUES",
    "bed_counts",
    "divi_icu_summary",
    "saner_measure_report",
]

MEASURE = "http://hl7.org/fhir/uv/saner/Measure/CDCPatientImpactAndHospitalCapacity"
MEASURED_VALUES = "http://hl7.org/fhir/uv/saner/CodeSystem/MeasuredValues"
MEASURE_GROUPS = "http://hl7.org/fhir/uv/saner/CodeSystem/MeasureGroupSystem"
MEASURE_POPULATION = "http://terminology.hl7.org/CodeSystem/measure-population"
ICU = ("icu-high-care", "icu-low-care")
DIVI_CATEGORIES = ("icu-low-care", "icu-high-care", "ecmo")

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
        "available": int((in_service["status"] == "U").sum()),
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


def divi_icu_summary(beds: pd.DataFrame) -> pd.DataFrame:
    """Per DIVI category and age group: beds in service, occupied, free, blocked.

    ECMO rows are present with missing counts: the platform does not record ECMO places.
    """
    rows = []
    for category in DIVI_CATEGORIES:
        for age_group in ("adult", "paediatric"):
            part = beds[(beds["bed_category"] == category) & (beds["age_group"] == age_group)]
            recorded = category != "ecmo"
            counts = bed_counts(part)
            blocked = int(part["status"].isin(("H", "I", "K")).sum())
            rows.append(
                {
                    "category": category,
                    "age_group": age_group,
                    "beds": counts["beds"] if recorded else pd.NA,
                    "occupied": counts["occupied"] if recorded else pd.NA,
                    "free": counts["available"] if recorded else pd.NA,
                    "blocked": blocked if recorded else pd.NA,
                }
            )
    out = pd.DataFrame(rows)
    for column in ("beds", "occupied", "free", "blocked"):
        out[column] = out[column].astype("Int64")
    return out
