"""The physician's lists of current inpatients: the start page (admitted by my departments) and
"my patients" (also lying on my departments' wards), with results new since a moment.

Both lists name patients: the pages audit them after showing (``components.audit.audit_list``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from services.domain.ordering import natural_sort
from services.domain.people import display_names
from services.domain.stays import with_place_names
from services.domain.trends import new_results
from services.views.common import wards_of

__all__ = ["MyPatients", "inpatients_start", "my_patients", "of_departments"]

_NEW_COLUMNS = ["source", "patient_id", "new", "new_abnormal", "latest"]


@dataclass(frozen=True)
class MyPatients:
    """- ``rows``: one per current stay, sorted by ward, room and bed: the placement
      (``current_placements``) with ``ward``, ``room``, ``bed`` names, the patient's ``name``,
      ``birth_date``, ``kvnr`` and ``patient_hospital``, and ``new`` / ``new_abnormal`` results;
    - ``with_new``: patients with a new result; ``new_abnormal``: abnormal new results.
    """

    rows: pd.DataFrame
    with_new: int
    new_abnormal: int


def _names(patients: pd.DataFrame | None, lang: str) -> pd.DataFrame:
    if patients is None or patients.empty:
        return pd.DataFrame(columns=["source", "patient_id", "name", "birth_date", "kvnr"])
    named = patients.assign(name=display_names(patients, lang))
    return named.rename(columns={"id": "patient_id"})


def inpatients_start(
    placed: pd.DataFrame,
    locations: pd.DataFrame,
    patients: pd.DataFrame | None,
    departments: Iterable[str] = (),
    lang: str = "de",
) -> pd.DataFrame:
    """The start page's list: stays admitted by ``departments`` (all when none), named, by bed."""
    departments = tuple(departments)
    if departments:
        placed = placed[placed["department"].isin(departments)]
    names = _names(patients, lang)[["source", "patient_id", "name", "birth_date"]]
    rows = with_place_names(placed, locations).merge(names, on=["source", "patient_id"], how="left")
    return natural_sort(rows, ["ward", "room", "bed"])


def of_departments(
    placed: pd.DataFrame, locations: pd.DataFrame, departments: Iterable[str] = ()
) -> pd.DataFrame:
    """Stays admitted by ``departments``, or lying on one of their wards after a transfer
    (every stay when none), with the ward's ``ward_department``."""
    wards = wards_of(locations)[["source", "id", "department"]]
    placed = placed.merge(
        wards.rename(columns={"id": "ward_id", "department": "ward_department"}),
        on=["source", "ward_id"],
        how="left",
    )
    departments = tuple(departments)
    if departments:
        placed = placed[
            placed["department"].isin(departments) | placed["ward_department"].isin(departments)
        ]
    return placed


def my_patients(
    placed: pd.DataFrame,
    locations: pd.DataFrame,
    patients: pd.DataFrame | None,
    observations: pd.DataFrame | None,
    since: pd.Timestamp,
    lang: str = "de",
) -> MyPatients:
    """``placed`` (``of_departments``) named and placed, with results new since ``since``."""
    fresh = (
        new_results(observations, since)
        if observations is not None
        else pd.DataFrame(columns=_NEW_COLUMNS)
    )
    rows = with_place_names(placed, locations).merge(fresh, on=["source", "patient_id"], how="left")
    names = _names(patients, lang).rename(columns={"hospital_id": "patient_hospital"})
    names = names.reindex(
        columns=["source", "patient_id", "name", "birth_date", "kvnr", "patient_hospital"]
    )
    rows = rows.merge(names, on=["source", "patient_id"], how="left")
    rows["new"] = rows["new"].fillna(0).astype("int64")
    rows["new_abnormal"] = rows["new_abnormal"].fillna(0).astype("int64")
    rows = natural_sort(rows, ["ward", "room", "bed"]).reset_index(drop=True)
    return MyPatients(
        rows=rows,
        with_new=int((rows["new"] > 0).sum()),
        new_abnormal=int(rows["new_abnormal"].sum()),
    )
