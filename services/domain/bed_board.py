"""The bed board of one ward: every bed, who lies in it, for how long, and the work waiting there.

A bed's status is the effective one of ``beds.bed_status_now`` (a current stay makes a bed
occupied whatever the bed says); the patient's open and overdue tasks are counted at the bed
the patient lies in now.
"""

from __future__ import annotations

import pandas as pd

from services.codes import BED_CATEGORIES, BED_STATES
from services.domain.beds import bed_status_now
from services.domain.people import age_years, display_names
from services.domain.stays import with_place_names
from services.domain.tasks import task_counts

__all__ = ["BOARD_COLUMNS", "free_by_category", "status_counts", "ward_beds"]

BOARD_COLUMNS = [
    "source",
    "bed_id",
    "bed",
    "room_id",
    "room",
    "bed_category",
    "age_group",
    "status",
    "encounter_id",
    "patient_id",
    "patient",
    "age",
    "admitted",
    "days",
    "open",
    "overdue",
]


def ward_beds(
    locations: pd.DataFrame,
    placements: pd.DataFrame,
    tasks: pd.DataFrame,
    ward_id: str,
    now: pd.Timestamp,
    *,
    patients: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per bed of the ward, ordered by room and bed name (``BOARD_COLUMNS``).

    ``placements`` are the current stays (``stays.current_placements``); ``tasks`` any read of
    tasks (only open ones count); ``patients`` the Patient table for names and ages.
    """
    beds = bed_status_now(locations, placements)
    beds = beds[beds["ward_id"] == ward_id]
    beds = with_place_names(beds, locations)
    beds = beds.rename(columns={"start": "admitted", "days_so_far": "days"})
    if patients is not None and not patients.empty:
        people = patients.drop_duplicates(["source", "id"])
        people = pd.DataFrame(
            {
                "source": people["source"],
                "patient_id": people["id"],
                "patient": display_names(people),
                "age": age_years(people["birth_date"], now.date()),
            }
        )
        beds = beds.merge(people, on=["source", "patient_id"], how="left")
    else:
        beds = beds.assign(patient=None, age=pd.Series(pd.NA, index=beds.index, dtype="Float64"))
    counts = task_counts(tasks, now, ["source", "encounter_id"])
    beds = beds.merge(counts, on=["source", "encounter_id"], how="left")
    occupied = beds["encounter_id"].notna()
    for column in ("open", "overdue"):
        beds[column] = beds[column].fillna(0).astype("int64").where(occupied, 0)
    beds["days"] = beds["days"].astype("Int64")
    # Ids are zero-padded ("r02" before "r10"); names are not ("1A-10" sorts before "1A-2").
    return beds.sort_values(["room_id", "bed_id"]).reset_index(drop=True)[BOARD_COLUMNS]


def free_by_category(board: pd.DataFrame) -> pd.DataFrame:
    """Free beds per bed category and age group, for every pair the ward has (zeros too)."""
    if board.empty:
        return pd.DataFrame({"bed_category": [], "age_group": [], "free": []})
    groups = board[["bed_category", "age_group"]].fillna("–")
    free = (board["status"] == "U").groupby([groups["bed_category"], groups["age_group"]]).sum()
    out = free.rename("free").astype("int64").reset_index()
    rank = {category: n for n, category in enumerate(BED_CATEGORIES)}
    out["_rank"] = out["bed_category"].map(rank).fillna(len(rank))
    return out.sort_values(["_rank", "age_group"]).drop(columns="_rank").reset_index(drop=True)


def status_counts(board: pd.DataFrame) -> dict[str, int]:
    """Beds per effective status code, every code present (zeros too)."""
    counts = board["status"].value_counts()
    return {code: int(counts.get(code, 0)) for code in BED_STATES}
