"""The searches the pages share, as fhirpy search sets (only standard FHIR R4 search).

Page-specific searches live with the page's service module; these are the ones several pages
need, so that equal reads hit the same cache entry.
"""

from __future__ import annotations

from collections.abc import Iterable

from fhirpy.base.searchset import AbstractSearchSet

from services.codes import OPEN_TASK_STATES
from services.search import query

__all__ = [
    "current_stays",
    "locations",
    "open_tasks_of_wards",
    "organizations",
    "practitioner_roles",
    "refs",
]


def refs(resource_type: str, ids: Iterable[str]) -> str:
    """``Type/a,Type/b``: one search parameter that matches any of the ids (OR)."""
    return ",".join(f"{resource_type}/{i}" for i in sorted(set(ids)))


def organizations() -> AbstractSearchSet:
    return query("Organization")


def locations(hospital_ids: Iterable[str] = ()) -> AbstractSearchSet:
    """Wards, rooms and beds; of some hospitals only when ids are given."""
    ids = list(hospital_ids)
    return (
        query("Location").search(organization=refs("Organization", ids))
        if ids
        else query("Location")
    )


def practitioner_roles() -> AbstractSearchSet:
    return query("PractitionerRole").include("PractitionerRole", "practitioner")


def current_stays(
    *,
    ward_ids: Iterable[str] = (),
    hospital_ids: Iterable[str] = (),
    with_patients: bool = False,
) -> AbstractSearchSet:
    """Inpatient stays in progress with their location periods; narrowed to wards or hospitals.

    ``location`` matches a stay that was ever in the ward; callers keep the stays that are
    there now (``services.domain.stays.current_placements``).
    """
    search = query("Encounter").search(status="in-progress", **{"class": "IMP"})
    wards, hospitals = list(ward_ids), list(hospital_ids)
    if wards:
        search = search.search(location=refs("Location", wards))
    if hospitals:
        search = search.search(**{"service-provider": refs("Organization", hospitals)})
    return search.include("Encounter", "subject") if with_patients else search


def open_tasks_of_wards(ward_ids: Iterable[str]) -> AbstractSearchSet:
    """Open tasks of patients whose stay touched these wards (filter by ``ward_id`` after).

    R4 Task has no ``location`` search parameter; the standard chain through the task's
    encounter to the encounter's locations narrows the search on the server instead.
    """
    return query("Task").search(
        status=",".join(OPEN_TASK_STATES), **{"encounter.location": refs("Location", ward_ids)}
    )
