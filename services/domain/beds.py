"""Beds: the status of every bed now, and occupancy figures at any level.

Definitions used everywhere (documented for managers in the capacity page's help):
- occupied: a current stay's bed entry points at the bed (status O), whatever the bed says;
- free: can take a patient now (``can_take_patient``): unoccupied (U), not closed, not being
  cleaned or disinfected, not isolated. A source that reports no ``operationalStatus`` for a
  bed makes it free whenever nobody lies in it (``status_known`` is then false);
- blocked: closed (C), housekeeping (H), isolated (I) or contaminated (K) and not occupied;
- reserved (R): reports U but is held for an accepted transfer until its reservation ends
  (``services.transfers``); not free while it lasts, counted among the blocked beds;
- occupancy: occupied / (total - closed). Closed beds are out of service and do not count.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from services.codes import (
    BED_CLEANING,
    BED_STATES,
    BLOCKED_BED_STATES,
    FREE_BED_STATE,
    RESERVED_BED_STATE,
)

__all__ = [
    "BLOCKED",
    "NOT_FREE",
    "bed_status_now",
    "bed_turnaround",
    "can_take_patient",
    "has_beds",
    "has_wards",
    "in_service",
    "occupancy",
]

BLOCKED = BLOCKED_BED_STATES
# Every state a bed nobody lies in may have on the pages: the blocked ones and reserved.
NOT_FREE = (*BLOCKED_BED_STATES, RESERVED_BED_STATE)


def can_take_patient(status: pd.Series) -> pd.Series:
    """Whether each bed (effective status of ``bed_status_now``) can take a patient now: the one
    definition of a free bed that the bed board, capacity pages and reports count."""
    return status.eq(FREE_BED_STATE).fillna(False).astype(bool)


# The Location columns the status of a bed is decided from.
_STATE_INPUT = ("source", "id", "physical_type", "status", "operational_status", "reserved_until")


def bed_status_now(
    locations: pd.DataFrame,
    placements: pd.DataFrame,
    at: pd.Timestamp | None = None,
    *,
    keep: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Every bed with its effective status and, if occupied, the stay in it.

    ``keep``: the other Location columns to carry (all when None). A page that counts beds
    keeps the few it groups by: carrying every column of 66k beds through the filter and the
    join took a fifth of the time at network scale.

    A free bed held for a transfer whose reservation runs beyond ``at`` is R (reserved); an
    ended reservation holds nothing. Without ``at`` reservations are not looked at.

    ``status_known`` says whether the source reported the bed's state (a v2-0116 code) or the
    bed is occupied; a free bed without a reported state is free only in that nobody lies in
    it. ``block_reason`` is kept for blocked beds only.

    ``locations`` must carry ``ward_id``/``room_id`` (``services.frames.with_hierarchy``).
    """
    if keep is not None:
        wanted = [*_STATE_INPUT, "block_reason", *keep]
        locations = locations[[c for c in dict.fromkeys(wanted) if c in locations.columns]]
    beds = locations[locations["physical_type"] == "bd"]
    beds = beds[beds["status"].fillna("active") != "inactive"]
    if "block_reason" not in beds.columns:
        beds = beds.assign(block_reason=pd.Series(pd.NA, index=beds.index, dtype="str"))
    in_bed = placements.dropna(subset=["bed_id"]).drop_duplicates(["source", "bed_id"])
    # Keys of one type whatever the source holds: a read without beds gives an all-null column
    # that pandas would otherwise type as float and refuse to merge with text ids.
    beds = beds.astype({"source": "str", "id": "str"})
    in_bed = in_bed.astype({"source": "str", "bed_id": "str"})
    out = beds.merge(
        in_bed[["source", "bed_id", "encounter_id", "patient_id", "start", "days_so_far"]],
        left_on=["source", "id"],
        right_on=["source", "bed_id"],
        how="left",
    ).drop(columns=["bed_id"])
    occupied = out["encounter_id"].notna()
    reported = out["operational_status"]
    status = reported.fillna(FREE_BED_STATE)
    out["status"] = status.where(~occupied, "O")
    # A bed marked occupied with nobody in it is free for planning purposes.
    out.loc[~occupied & (out["status"] == "O"), "status"] = FREE_BED_STATE
    if at is not None and "reserved_until" in out.columns:
        held = out["reserved_until"].gt(at).fillna(False).astype(bool)
        out.loc[held & (out["status"] == FREE_BED_STATE), "status"] = RESERVED_BED_STATE
    out["status_known"] = (occupied | reported.isin(BED_STATES)).astype(bool)
    out["block_reason"] = out["block_reason"].where(out["status"].isin(BLOCKED_BED_STATES))
    return out.rename(columns={"id": "bed_id"})


def in_service(beds: pd.DataFrame) -> int:
    """Beds in service among ``beds`` (rows of ``bed_status_now``): all but the closed ones; the
    denominator of occupancy. A bed without a reported state counts as in service."""
    return int((beds["status"] != "C").sum())


def has_wards(locations: pd.DataFrame) -> bool:
    """Whether the source names wards at all; research exports often hold no Location."""
    return bool((locations["physical_type"] == "wa").any())


def has_beds(locations: pd.DataFrame) -> bool:
    """Whether the source names beds at all; many real sources report wards only."""
    return bool((locations["physical_type"] == "bd").any())


def occupancy(beds: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Totals, occupied, free, blocked, closed and occupancy per group of ``by`` columns.

    With a ``status_known`` column (``bed_status_now``), ``blocked`` and ``closed`` are missing
    for a group that has a free bed without a reported state."""
    beds = beds[beds["status"].notna()]
    status = beds["status"]
    if by:
        keys = [beds[c].fillna("–") for c in by]
    else:
        keys = [pd.Series("all", index=beds.index, name="row_0")]
    flags = {
        "total": pd.Series(True, index=beds.index),
        "occupied": status.eq("O"),
        "free": can_take_patient(status),
        "blocked": status.isin(NOT_FREE),
        "closed": status.eq("C"),
    }
    if "status_known" in beds.columns:
        flags["unknown"] = ~beds["status_known"].astype(bool)
    # One count per group of every flag at once: a crosstab per figure grouped the 100k beds
    # of the network three times over.
    counts = pd.DataFrame(
        {name: flag.fillna(False).astype("int64") for name, flag in flags.items()}
    )
    out = counts.groupby(keys, sort=True).sum()
    if "unknown" in out.columns:
        # A free bed whose source reports no state might be closed or being cleaned: the
        # group's blocked and closed counts are then unknown, not zero.
        unknown = out.pop("unknown") > 0
        for column in ("blocked", "closed"):
            out[column] = out[column].astype("Int64").mask(unknown)
    in_service = out["total"] - out["closed"].fillna(0)
    out["occupancy"] = (out["occupied"] / in_service.where(in_service > 0)).astype("Float64")
    return out.reset_index()


def bed_turnaround(tasks: pd.DataFrame, since: pd.Timestamp, by: list[str]) -> pd.DataFrame:
    """Bed turnaround per group of ``by`` columns from the cleaning tasks among ``tasks``.

    A discharge or transfer out makes the cleaning task (``authored_on``); its completion frees
    the bed (``exec_end``). Over the cleanings completed from ``since`` on: ``cleaned`` (how
    many), ``median_hours`` and ``p90_hours`` from the patient leaving to the bed free again.
    A task without either time is not counted: its turnaround is not known. The bed status
    alone cannot give this figure, it says what a bed is now, not since when.
    """
    done = tasks[
        tasks["code"].eq(BED_CLEANING).fillna(False)
        & tasks["status"].eq("completed").fillna(False)
        & tasks["authored_on"].notna()
        & tasks["exec_end"].notna()
    ]
    done = done[(done["exec_end"] >= since) & (done["exec_end"] >= done["authored_on"])]
    hours = (done["exec_end"] - done["authored_on"]).dt.total_seconds() / 3600
    grouped = done.assign(hours=hours).groupby(by, dropna=False)["hours"]
    out = grouped.agg(cleaned="size", median_hours="median", p90_hours=lambda h: h.quantile(0.9))
    return out.reset_index()
