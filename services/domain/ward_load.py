"""Which ward carries the most over a window: a ranking of wards by occupancy.

Definitions (the trends page's help says them in words):
- occupancy: the mean midnight census of the window over the ward's beds in service now;
- peak census: the most patients at any midnight of the window;
- tasks per nurse on duty: tasks completed on the ward in the window over the nurse shifts
  worked there (the nurses on duty of every PpUGV shift begun in the window, summed); a ward
  without a roster has no such figure, not zero.
Wards rank by occupancy, then by peak census; a ward without beds in service ranks last.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["completed_per_ward", "nurse_shifts_per_ward", "ward_ranking"]


def completed_per_ward(tasks: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Tasks completed in [start, end) per ward (``ward_id``, ``tasks``); the completion time is
    the end of the task's execution period."""
    done = tasks[
        tasks["status"].eq("completed").fillna(False)
        & tasks["ward_id"].notna()
        & (tasks["exec_end"] >= start)
        & (tasks["exec_end"] < end)
    ]
    return done.groupby("ward_id").size().rename("tasks").reset_index()


def nurse_shifts_per_ward(on_duty: pd.DataFrame) -> pd.DataFrame:
    """Nurse shifts worked per ward (``ward_id``, ``nurse_shifts``) from ``nurses_on_duty``."""
    return on_duty.groupby("ward_id")["nurses"].sum().rename("nurse_shifts").reset_index()


def ward_ranking(
    census: pd.DataFrame,
    beds: pd.DataFrame,
    tasks: pd.DataFrame,
    nurse_shifts: pd.DataFrame,
) -> pd.DataFrame:
    """One row per ward of ``beds``, most loaded first.

    ``census``: ``midnight_census`` rows (``ward_id``, ``census``); ``beds``: ``ward_id``,
    ``hospital_id`` and ``beds`` in service; ``tasks``: ``completed_per_ward``;
    ``nurse_shifts``: ``nurse_shifts_per_ward``. Out: ``hospital_id``, ``ward_id``, ``beds``,
    ``mean_census``, ``peak_census``, ``occupancy``, ``tasks``,
    ``nurse_shifts``, ``tasks_per_nurse`` and ``rank`` (1 = most loaded).
    """
    per_ward = census.groupby("ward_id")["census"].agg(mean_census="mean", peak_census="max")
    out = beds[["hospital_id", "ward_id", "beds"]].merge(
        per_ward.reset_index(), on="ward_id", how="left"
    )
    out["mean_census"] = out["mean_census"].fillna(0.0).astype("float64")
    out["peak_census"] = out["peak_census"].fillna(0).astype("int64")
    in_service = out["beds"].where(out["beds"] > 0)
    out["occupancy"] = (out["mean_census"] / in_service).astype("Float64")
    out = out.merge(tasks, on="ward_id", how="left").merge(nurse_shifts, on="ward_id", how="left")
    out["tasks"] = out["tasks"].fillna(0).astype("int64")
    shifts = out["nurse_shifts"].astype("Float64")
    out["nurse_shifts"] = shifts
    out["tasks_per_nurse"] = (out["tasks"] / shifts.where(shifts > 0)).astype("Float64")
    out = out.sort_values(
        ["occupancy", "peak_census", "ward_id"], ascending=[False, False, True], na_position="last"
    ).reset_index(drop=True)
    out["rank"] = range(1, len(out) + 1)
    return out
