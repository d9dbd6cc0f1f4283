"""The bed board of one ward: every bed, who lies in it, for how long, the work waiting there,
why a bed is blocked and the isolation of the patient in it.

A bed's status is the effective one of ``beds.bed_status_now`` (a current stay makes a bed
occupied whatever the bed says); the patient's open and overdue tasks are counted at the bed
the patient lies in now. A patient's isolation is every active Flag of the isolation code
system (``services.codes.ISOLATION``) on that Patient record, whichever stay raised it: a
carrier stays a carrier.
"""

from __future__ import annotations

import pandas as pd

from services.codes import BED_CATEGORIES, BED_STATES, ISOLATION, RESERVED_BED_STATE
from services.domain.beds import bed_status_now, can_take_patient
from services.domain.ordering import natural_sort
from services.domain.people import age_years, display_names
from services.domain.stays import with_place_names
from services.domain.tasks import task_counts
from services.i18n import BERLIN

__all__ = [
    "BOARD_COLUMNS",
    "ROOM_SEXES",
    "bed_grid",
    "free_by_category",
    "isolation_by_patient",
    "isolation_of",
    "status_counts",
    "ward_beds",
]

BOARD_COLUMNS = [
    "source",
    "bed_id",
    "bed",
    "room_id",
    "room",
    "bed_category",
    "age_group",
    "status",
    "status_known",
    "block_reason",
    "encounter_id",
    "patient_id",
    "patient",
    "age",
    "isolation",
    "admitted",
    "days",
    "open",
    "overdue",
]


def isolation_by_patient(flags: pd.DataFrame | None, now: pd.Timestamp) -> pd.DataFrame:
    """``source``, ``patient_id`` and ``isolation``: a tuple of the codes of the patient's active
    isolation flags (status active, started, not ended by ``now``), sorted, each once."""
    columns = ["source", "patient_id", "isolation"]
    if flags is None or flags.empty:
        return pd.DataFrame(columns=columns)
    active = (
        flags["system"].eq(ISOLATION)
        & flags["status"].eq("active")
        & (flags["start"].isna() | (flags["start"] <= now))
        & (flags["end"].isna() | (flags["end"] > now))
    ).fillna(False)
    rows = flags[active.astype(bool)].dropna(subset=["patient_id", "code"])
    if rows.empty:
        return pd.DataFrame(columns=columns)
    grouped = rows.groupby(["source", "patient_id"])["code"].agg(lambda c: tuple(sorted(set(c))))
    return grouped.rename("isolation").reset_index()[columns]


def isolation_of(rows: pd.DataFrame, flags: pd.DataFrame | None, now: pd.Timestamp) -> list:
    """Per row (``source``, ``patient_id``) the codes of the patient's active isolation flags
    (``isolation_by_patient``), a tuple, empty for a row without a patient or flags."""
    found = {
        (source, patient): codes
        for source, patient, codes in isolation_by_patient(flags, now).itertuples(
            index=False, name=None
        )
    }
    return [
        found.get((source, patient), ()) if isinstance(patient, str) else ()
        for source, patient in zip(rows["source"], rows["patient_id"], strict=True)
    ]


def ward_beds(
    locations: pd.DataFrame,
    placements: pd.DataFrame,
    tasks: pd.DataFrame,
    ward_id: str,
    now: pd.Timestamp,
    *,
    patients: pd.DataFrame | None = None,
    flags: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per bed of the ward, ordered by room and bed name, naturally (``BOARD_COLUMNS``).

    ``placements`` are the current stays (``stays.current_placements``); ``tasks`` any read of
    tasks (only open ones count); ``patients`` the Patient table for names and ages; ``flags``
    the Flag table for the isolation of the patient in each bed (``isolation``: a tuple of
    codes, empty for a free bed or a patient without isolation).
    """
    beds = bed_status_now(locations, placements, now)
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
    beds["isolation"] = isolation_of(beds, flags, now)
    counts = task_counts(tasks, now, ["source", "encounter_id"])
    beds = beds.merge(counts, on=["source", "encounter_id"], how="left")
    occupied = beds["encounter_id"].notna()
    for column in ("open", "overdue"):
        beds[column] = beds[column].fillna(0).astype("int64").where(occupied, 0)
    beds["days"] = beds["days"].astype("Int64")
    return natural_sort(beds, ["room", "bed"]).reset_index(drop=True)[BOARD_COLUMNS]


def free_by_category(board: pd.DataFrame) -> pd.DataFrame:
    """Beds that can take a patient now (``beds.can_take_patient``) per bed category and age
    group, for every pair the ward has (zeros too)."""
    if board.empty:
        return pd.DataFrame({"bed_category": [], "age_group": [], "free": []})
    groups = board[["bed_category", "age_group"]].fillna("–")
    free = can_take_patient(board["status"])
    free = free.groupby([groups["bed_category"], groups["age_group"]]).sum()
    out = free.rename("free").astype("int64").reset_index()
    rank = {category: n for n, category in enumerate(BED_CATEGORIES)}
    out["_rank"] = out["bed_category"].map(rank).fillna(len(rank))
    return out.sort_values(["_rank", "age_group"]).drop(columns="_rank").reset_index(drop=True)


def status_counts(board: pd.DataFrame) -> dict[str, int]:
    """Beds per effective status code, every code present (zeros too)."""
    counts = board["status"].value_counts()
    out = {code: int(counts.get(code, 0)) for code in BED_STATES}
    # Reserved is the dashboard's state, not the source's: named only when a bed has it.
    reserved = int(counts.get(RESERVED_BED_STATE, 0))
    return out | ({RESERVED_BED_STATE: reserved} if reserved else {})


# What the sex of the patients in a room says about who can take its free beds.
ROOM_SEXES = ("female", "male", "mixed", "empty", "unknown")


def _room_sex(genders: pd.Series) -> str:
    present = genders.dropna()
    if present.empty:
        return "empty"
    if present.eq("unknown").any():
        return "unknown"
    found = set(present)
    if found <= {"female"}:
        return "female"
    if found <= {"male"}:
        return "male"
    return "mixed"


def bed_grid(
    board: pd.DataFrame,
    placements: pd.DataFrame,
    patients: pd.DataFrame | None,
    scores: pd.DataFrame | None,
    now: pd.Timestamp,
) -> pd.DataFrame:
    """The board (``ward_beds``) with what the one-screen grid adds per bed: ``room_sex`` (the
    sexes of the patients lying in the bed's room now: ``female``, ``male``, ``mixed``,
    ``empty``, or ``unknown`` when a patient's sex is not recorded; a patient of sex ``other``
    makes the room ``mixed``), ``planned_end`` and
    ``discharge`` (``today``, ``tomorrow``, ``later``; null when no date is planned),
    ``news2_band``, ``news2_score`` and ``news2_status`` of the stay's latest set
    (``news2.ward_scores``), and ``kvnr`` and ``birth_date`` to open the patient's record."""
    cells = board.copy()
    people = pd.DataFrame(columns=["source", "patient_id", "gender", "kvnr", "birth_date"])
    if patients is not None and not patients.empty:
        people = patients.drop_duplicates(["source", "id"]).rename(columns={"id": "patient_id"})
        people = people[["source", "patient_id", "gender", "kvnr", "birth_date"]]
    cells = cells.merge(people, on=["source", "patient_id"], how="left")
    occupied = cells["encounter_id"].notna()
    # A patient whose sex the source does not state makes the room's sex unknown, not free.
    gender = cells["gender"].where(cells["gender"].isin(["female", "male", "other"]), "unknown")
    cells["gender"] = gender.where(occupied, None)
    sexes = cells.groupby("room_id", sort=False)["gender"].agg(_room_sex)
    cells["room_sex"] = cells["room_id"].map(sexes).fillna("empty")
    planned = placements.drop_duplicates("encounter_id").set_index("encounter_id")["planned_end"]
    cells["planned_end"] = cells["encounter_id"].map(planned)
    today = now.tz_convert(BERLIN).date()

    def day(when: object) -> str | None:
        if not isinstance(when, pd.Timestamp) or pd.isna(when):
            return None
        days = (when.tz_convert(BERLIN).date() - today).days
        return "today" if days <= 0 else "tomorrow" if days == 1 else "later"

    cells["discharge"] = cells["planned_end"].map(day).astype("object")
    latest = (
        scores.drop_duplicates("encounter_id").set_index("encounter_id")
        if scores is not None and not scores.empty
        else pd.DataFrame(columns=["band", "score", "partial", "status"])
    )
    for column, source in (("news2_band", "band"), ("news2_status", "status")):
        cells[column] = cells["encounter_id"].map(latest[source]).astype("object")
    score = latest["score"].fillna(latest["partial"]) if not latest.empty else latest["score"]
    cells["news2_score"] = cells["encounter_id"].map(score)
    return cells.reset_index(drop=True)
