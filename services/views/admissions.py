"""View of the ward admission queue: who waits for a bed on the ward, with the beds that fit
each, and the ward's beds for a swap.

Built from the admission Tasks (what bed each needs), their Patients (names for the nurse of
the ward), the ward's Locations and its current stays; ``services.admissions`` writes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from services.admissions import admission_queue, beds_for
from services.domain.beds import bed_status_now
from services.domain.people import display_names

__all__ = ["AdmissionView", "admission_view"]


@dataclass(frozen=True)
class AdmissionView:
    """``queue``: the ward's waiting admissions (``admission_queue`` rows plus ``name``);
    ``offered``: Task id -> the free beds that fit it (``beds_for``); ``beds``: the ward's beds
    now (``bed_status_now`` plus ``name`` of whoever lies in each), for a swap."""

    queue: pd.DataFrame
    offered: dict[str, pd.DataFrame]
    beds: pd.DataFrame


def _names(patients: pd.DataFrame | None, lang: str) -> dict[tuple[str, str], str]:
    # By source and id: ids are each server's own, and the queue may hold Tasks of two sources.
    if patients is None or patients.empty:
        return {}
    keys = zip(patients["source"], patients["id"], strict=True)
    return dict(zip(keys, display_names(patients, lang), strict=True))


def _named(rows: pd.DataFrame, names: dict[tuple[str, str], str]) -> pd.Series:
    found = [names.get(key) for key in zip(rows["source"], rows["patient_id"], strict=True)]
    return pd.Series(found, index=rows.index, dtype="object")


def _sexes(source: str | None, *tables: pd.DataFrame | None) -> pd.Series:
    """Patient id -> gender of the records at ``source``, the ward's: a patient queued at
    another source may carry the id of one lying on the ward."""
    frames = [
        t.loc[t["source"] == source, ["id", "gender"]]
        for t in tables
        if t is not None and not t.empty
    ]
    if not frames:
        return pd.Series(dtype="str")
    both = pd.concat(frames).drop_duplicates("id")
    return both.set_index("id")["gender"]


def admission_view(
    tasks: pd.DataFrame,
    requests: pd.DataFrame,
    queue_patients: pd.DataFrame | None,
    locations: pd.DataFrame,
    placements: pd.DataFrame,
    ward_patients: pd.DataFrame | None,
    ward_id: str,
    now: pd.Timestamp,
    lang: str = "de",
) -> AdmissionView:
    """The queue of ``ward_id`` with the beds that fit each admission, and the ward's beds."""
    queue = admission_queue(tasks, requests, (ward_id,), now)
    queue = queue.assign(name=_named(queue, _names(queue_patients, lang)).fillna("–"))
    beds = bed_status_now(locations, placements, now)
    beds = beds[beds["ward_id"] == ward_id]
    beds = beds.assign(patient_name=_named(beds, _names(ward_patients, lang))).sort_values("name")
    hospital = beds["hospital_id"].dropna().iloc[0] if not beds.empty else None
    source = beds["source"].iloc[0] if not beds.empty else None
    sexes = _sexes(source, queue_patients, ward_patients)
    offered = {row["task_id"]: beds_for(beds, row, hospital, sexes) for _, row in queue.iterrows()}
    return AdmissionView(queue, offered, beds.reset_index(drop=True))
