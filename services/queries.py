"""The searches the pages share, as fhirpy search sets (only standard FHIR R4 search).

Page-specific searches live with the page's service module; these are the ones several pages
need, so that equal reads hit the same cache entry.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from fhirpy.base.searchset import AbstractSearchSet

from services.codes import BED_CLEANING, LOINC, NEWS2_LOINC, NURSING_TASK, OPEN_TASK_STATES
from services.search import query

__all__ = [
    "cleanings_since",
    "current_stays",
    "flags_of_patients",
    "locations",
    "open_tasks_of_wards",
    "organizations",
    "practitioner_roles",
    "refs",
    "tasks_of_wards",
    "vital_signs_of",
]


def refs(resource_type: str, ids: Iterable[str]) -> str:
    """``Type/a,Type/b``: one search parameter that matches any of the ids (OR)."""
    return ",".join(f"{resource_type}/{i}" for i in sorted(set(ids)))


def organizations() -> AbstractSearchSet:
    return query("Organization")


def locations() -> AbstractSearchSet:
    """Wards, rooms and beds of every hospital; a scope is applied after reading
    (``services.domain.stays.locations_in``), since sources without Organization resources
    name the hospital by identifier or only on the ward."""
    return query("Location")


def practitioner_roles() -> AbstractSearchSet:
    return query("PractitionerRole").include("PractitionerRole", "practitioner")


def current_stays(*, ward_ids: Iterable[str] = ()) -> AbstractSearchSet:
    """Inpatient stays in progress with their location periods; narrowed to wards when given.

    ``location`` matches a stay that was ever in the ward; callers keep the stays that are
    there now (``services.domain.stays.current_placements``). A hospital scope is applied after
    reading (``services.domain.stays.in_hospitals``): MII contact levels below the stay name
    their department, not the hospital, so no search parameter finds all of a hospital's levels.
    Patients are read afterwards for the stays kept (``components.scope.stays``), so that no
    identities of other hospitals are fetched.
    """
    search = query("Encounter").search(status="in-progress", **{"class": "IMP"})
    wards = list(ward_ids)
    if wards:
        search = search.search(location=refs("Location", wards))
    return search


def contacts_of_patients(patient_ids: Iterable[str], since: pd.Timestamp) -> AbstractSearchSet:
    """Every Encounter of these Patients, at any contact level, that lasted until ``since`` or
    later: the earlier ward contacts of their stays (MII), which a ward's search does not match.
    ``date`` matches an Encounter whose period reaches ``since``, an open one included."""
    return query("Encounter").search(
        subject=refs("Patient", patient_ids), date=f"ge{since.isoformat()}"
    )


def flags_of_patients(patient_ids: Iterable[str]) -> AbstractSearchSet:
    """Flags of these Patient records; the caller keeps the active isolation flags
    (``services.domain.bed_board.isolation_by_patient``): R4 Flag has no ``status`` search
    parameter, and HAPI refuses one it does not know."""
    return query("Flag").search(patient=refs("Patient", patient_ids))


def open_tasks_of_wards(ward_ids: Iterable[str]) -> AbstractSearchSet:
    """Open tasks of patients whose stay touched these wards (filter by ``ward_id`` after).

    R4 Task has no ``location`` search parameter; the standard chain through the task's
    encounter to the encounter's locations narrows the search on the server instead.
    """
    return query("Task").search(
        status=",".join(OPEN_TASK_STATES), **{"encounter.location": refs("Location", ward_ids)}
    )


def tasks_of_wards(ward_ids: Iterable[str]) -> AbstractSearchSet:
    """``open_tasks_of_wards`` without its status filter: the search for what changed since a
    read of the open tasks, where a task that was completed or cancelled must arrive too."""
    return query("Task").search(**{"encounter.location": refs("Location", ward_ids)})


def cleanings_since(since: pd.Timestamp) -> AbstractSearchSet:
    """Cleaning tasks completed and last changed from ``since`` on, of every ward (the bed
    turnaround on the manager pages; a scope is applied after reading, by ward)."""
    return query("Task").search(
        code=f"{NURSING_TASK}|{BED_CLEANING}",
        status="completed",
        modified=f"ge{since.isoformat()}",
    )


def vital_signs_of(encounter_ids: Iterable[str], since: pd.Timestamp) -> AbstractSearchSet:
    """The NEWS2 observations (``services.codes.NEWS2_LOINC``) of these stays from ``since`` on:
    the early warning board's read of a ward.

    ``combo-code`` matches a component's code too: systolic pressure usually comes as a
    component of the blood pressure panel, whose own code is the panel's.
    """
    codes = ",".join(f"{LOINC}|{code}" for codes in NEWS2_LOINC.values() for code in codes)
    return query("Observation").search(
        encounter=refs("Encounter", encounter_ids),
        date=f"ge{since.isoformat()}",
        **{"combo-code": codes},
    )
