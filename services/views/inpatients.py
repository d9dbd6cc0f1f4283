"""The physician's lists of current inpatients: the start page (admitted by my departments) and
"my patients" (also lying on my departments' wards), with results new since a moment.

Both lists name patients: the pages audit them after showing (``components.audit.audit_list``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from services.domain.news2 import ward_scores
from services.domain.ordering import natural_sort
from services.domain.people import age_years, display_names
from services.domain.stays import with_place_names
from services.domain.timeline import stay_ids
from services.domain.trends import new_results
from services.domain.worklist import main_diagnoses, ranked_worklist, with_diagnosis_roles
from services.views.common import wards_of

__all__ = [
    "MyPatients",
    "Worklist",
    "my_patients",
    "of_departments",
    "physician_worklist",
]

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


@dataclass(frozen=True)
class Worklist:
    """- ``rows``: the current stays of the start page ranked by risk
      (``worklist.ranked_worklist``), named and placed (``name``, ``birth_date``, ``kvnr``,
      ``patient_hospital``, ``ward``, ``room``, ``bed``), with the stay's ``diagnosis``;
    - ``scores``: the NEWS2 of each stay's latest set (``news2.ward_scores``);
    - how many stays have abnormal vitals, new abnormal results, a discharge planned for today
      or tomorrow, a new admission.
    """

    rows: pd.DataFrame
    scores: pd.DataFrame
    abnormal_vitals: int
    abnormal_results: int
    discharges: int
    admissions: int


def physician_worklist(
    placed: pd.DataFrame,
    locations: pd.DataFrame,
    patients: pd.DataFrame | None,
    now: pd.Timestamp,
    since: pd.Timestamp,
    *,
    departments: Iterable[str] = (),
    vitals: pd.DataFrame | None = None,
    results: pd.DataFrame | None = None,
    conditions: pd.DataFrame | None = None,
    diagnosis_roles: pd.DataFrame | None = None,
    flags: pd.DataFrame | None = None,
    contacts: pd.DataFrame | None = None,
    lang: str = "de",
) -> Worklist:
    """The start page's worklist: the stays admitted by ``departments`` (all when none) ranked
    by risk at ``now``.

    ``vitals``: the stays' NEWS2 observations of the last days (``queries.vital_signs_of``);
    ``results``: the patients' observations since ``since`` (new results); ``conditions``: the
    stays' diagnoses, with ``diagnosis_roles`` (``encounter_diagnosis``) marking the main one
    where the source does; ``flags``: the patients' Flags (SpO2 scale 2); ``contacts``: the
    stays' contact levels (``encounter_contact``), for observations that point at a lower
    level.
    """
    departments = tuple(departments)
    if departments:
        placed = placed[placed["department"].isin(departments)]
    names = _names(patients, lang).rename(columns={"hospital_id": "patient_hospital"})
    names = names.reindex(
        columns=["source", "patient_id", "name", "birth_date", "kvnr", "patient_hospital"]
    )
    rows = with_place_names(placed, locations).merge(names, on=["source", "patient_id"], how="left")
    rows = rows.assign(
        age=age_years(rows["birth_date"], now.date()), admitted=rows["start"]
    ).reset_index(drop=True)
    if vitals is None or vitals.empty:
        vitals = pd.DataFrame(
            columns=["source", "encounter_id", "effective", "code", "value", "unit", "status"]
        )
    else:
        vitals = vitals.assign(encounter_id=stay_ids(vitals, contacts))
    scores = ward_scores(rows, vitals, flags, now)
    fresh = (
        new_results(results, since)
        if results is not None and not results.empty
        else pd.DataFrame(columns=_NEW_COLUMNS)
    )
    conditions = with_diagnosis_roles(conditions, diagnosis_roles)
    if conditions is not None and not conditions.empty:
        conditions = conditions.assign(encounter_id=stay_ids(conditions, contacts))
    rows = rows.merge(main_diagnoses(conditions), on=["source", "encounter_id"], how="left")
    ranked = ranked_worklist(rows, scores, fresh, now)
    return Worklist(
        rows=ranked,
        scores=scores,
        abnormal_vitals=int((ranked["vitals_level"] > 0).sum()),
        abnormal_results=int((ranked["new_abnormal"] > 0).sum()),
        discharges=int(ranked["discharge"].notna().sum()),
        admissions=int(ranked["new_admission"].sum()),
    )
