"""The early warning board of one ward: NEWS2 of every patient lying there now.

It names patients: the page audits what it lists (``components.audit.audit_list``). The score
comes from ``services.domain.news2.ward_scores``, the same call the handover makes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from services.domain.news2 import BANDS, ward_scores
from services.domain.ordering import natural_key, natural_sort
from services.domain.people import age_years, display_names
from services.domain.stays import with_place_names
from services.domain.timeline import stay_ids

__all__ = ["SORTS", "AcuityBoard", "acuity_view", "contacts_of", "sorted_board"]

SORTS = ("risk", "elapsed", "bed")


@dataclass(frozen=True)
class AcuityBoard:
    """``board``: one row per patient on the ward (``source``, ``encounter_id``, ``patient_id``,
    ``patient``, ``age``, ``room``, ``bed``, ``admitted`` and ``news2.LATEST_COLUMNS``), riskiest
    first; ``counts``: patients per band (complete sets), incomplete sets, overdue sets."""

    board: pd.DataFrame
    counts: dict[str, int]


def _stays(
    placed: pd.DataFrame,
    locations: pd.DataFrame,
    ward_id: str,
    now: pd.Timestamp,
    patients: pd.DataFrame | None,
) -> pd.DataFrame:
    here = placed[placed["ward_id"] == ward_id]
    stays = with_place_names(here, locations).rename(columns={"start": "admitted"})
    if patients is not None and not patients.empty:
        people = patients.drop_duplicates(["source", "id"])
        named = pd.DataFrame(
            {
                "source": people["source"],
                "patient_id": people["id"],
                "patient": display_names(people),
                "age": age_years(people["birth_date"], now.date()),
            }
        )
        stays = stays.merge(named, on=["source", "patient_id"], how="left")
    else:
        stays = stays.assign(patient=None, age=pd.Series(pd.NA, index=stays.index, dtype="Float64"))
    stays["patient"] = stays["patient"].fillna(stays["patient_id"])
    return stays[
        ["source", "encounter_id", "patient_id", "patient", "age", "room", "bed", "admitted"]
    ]


def contacts_of(encounter_ids: pd.Series, contacts: pd.DataFrame | None) -> list[str]:
    """Every Encounter id of these stays, their lower contact levels (MII) included: what a
    search for their observations must name."""
    ids = set(encounter_ids.dropna())
    if contacts is not None and not contacts.empty:
        ids |= set(contacts.loc[contacts["stay_id"].isin(ids), "encounter_id"].dropna())
    return sorted(ids)


def sorted_board(board: pd.DataFrame, by: str) -> pd.DataFrame:
    """``risk``: highest band first (an incomplete set by the band its points reach), overdue
    before on time, more points first; ``elapsed``: longest since the last set first, stays
    without a set on top; ``bed``: room and bed in natural order."""
    if board.empty:
        return board
    if by == "bed":
        return natural_sort(board, ["room", "bed", "patient"]).reset_index(drop=True)
    elapsed = board["elapsed"].where(board["elapsed"].notna(), pd.Timedelta.max)
    if by == "elapsed":
        keys = board.assign(_elapsed=elapsed)
        return keys.sort_values("_elapsed", ascending=False, kind="stable").drop(columns="_elapsed")
    rank = board["band"].map({band: n for n, band in enumerate(BANDS)}).fillna(-1)
    keys = board.assign(
        _rank=rank,
        _overdue=board["overdue"].astype(int),
        _points=board["partial"].astype("Float64").fillna(-1),
        _bed=natural_key(board["room"].fillna("") + " " + board["bed"].fillna("")),
    )
    ordered = keys.sort_values(
        ["_rank", "_overdue", "_points", "_bed"],
        ascending=[False, False, False, True],
        kind="stable",
    )
    return ordered.drop(columns=["_rank", "_overdue", "_points", "_bed"]).reset_index(drop=True)


def acuity_view(
    placed: pd.DataFrame,
    locations: pd.DataFrame,
    observations: pd.DataFrame,
    ward_id: str,
    now: pd.Timestamp,
    patients: pd.DataFrame | None = None,
    flags: pd.DataFrame | None = None,
    *,
    contacts: pd.DataFrame | None = None,
    sort: str = "risk",
) -> AcuityBoard:
    """NEWS2 of every patient lying on ``ward_id`` at ``now``; ``observations``: the NEWS2
    observations of their stays (``queries.vital_signs_of``); ``flags``: the patients' Flags
    (SpO2 scale 2); ``contacts``: the stays' contact levels (``encounter_contact``), for
    observations that point at a lower level."""
    if not observations.empty:
        observations = observations.assign(encounter_id=stay_ids(observations, contacts))
    stays = _stays(placed, locations, ward_id, now, patients)
    scores = ward_scores(stays, observations, flags, now)
    board = stays.merge(scores, on="encounter_id", how="left")
    complete = board[board["status"] == "complete"]
    counts = {band: int((complete["band"] == band).sum()) for band in BANDS}
    counts["incomplete"] = int((board["status"] == "incomplete").sum())
    counts["overdue"] = int(board["overdue"].sum())
    return AcuityBoard(sorted_board(board, sort), counts)
