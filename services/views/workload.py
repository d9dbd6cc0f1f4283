"""The workload page: open and overdue tasks per ward and shift, nurses on shift, and the time
to complete a task over a window."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from services.domain.workload import (
    SHIFTS,
    completion_minutes,
    completion_summary,
    completion_trend,
    nurses_per_shift,
    shift_of,
    tasks_per_nurse,
    workload_by_ward_shift,
)
from services.views.common import aggregates_only, named, names_by_id, wards_of

__all__ = ["WorkloadView", "workload_view"]


@dataclass(frozen=True)
class WorkloadView:
    """- ``by_shift``: per ward (``hospital``, ``ward`` names) and ``shift`` the ``open`` and
      ``overdue`` tasks, the ``nurses`` of that shift and ``per_nurse``, ordered by hospital,
      ward and shift;
    - ``open``, ``overdue``: totals; ``shift``: the current shift's code; ``per_nurse``: open
      tasks of the current shift per nurse on it (None without nurses);
    - ``trend``: completed tasks and median minutes per day since the window's start;
    - ``per_ward``: completed tasks and median minutes per ward (``hospital``, ``ward``).
    """

    by_shift: pd.DataFrame
    open: int
    overdue: int
    shift: str
    per_nurse: float | None
    trend: pd.DataFrame
    per_ward: pd.DataFrame

    def __post_init__(self) -> None:
        aggregates_only(self)


def workload_view(
    locations: pd.DataFrame,
    organizations: pd.DataFrame,
    open_tasks: pd.DataFrame,
    done_tasks: pd.DataFrame,
    roles: pd.DataFrame,
    now: pd.Timestamp,
    since: pd.Timestamp,
) -> WorkloadView:
    """Open work now and completed work since ``since`` on the wards among ``locations``."""
    wards = wards_of(locations)
    ward_ids = set(wards["id"])
    hospital_names = names_by_id(organizations)
    ward_names = names_by_id(wards)
    ward_hospital = dict(zip(wards["id"], wards["hospital_id"], strict=True))
    nurses = nurses_per_shift(roles)
    workload = tasks_per_nurse(
        workload_by_ward_shift(open_tasks[open_tasks["ward_id"].isin(ward_ids)], now), nurses
    )
    workload = workload[workload["ward_id"].isin(ward_ids)]
    current = shift_of(pd.Series([now]))[0]
    on_shift = workload[workload["shift"] == current]
    staffed = int(
        nurses[nurses["ward_id"].isin(ward_ids) & (nurses["shift"] == current)]["nurses"].sum()
    )
    order = {code: n for n, code in enumerate(SHIFTS)}
    by_shift = (
        workload.assign(
            ward=named(workload["ward_id"], ward_names),
            hospital=workload["ward_id"].map(ward_hospital).map(hospital_names),
            _order=workload["shift"].map(order),
        )
        .sort_values(["hospital", "ward", "_order"])
        .drop(columns=["_order"])
    )
    minutes = completion_minutes(done_tasks[done_tasks["ward_id"].isin(ward_ids)])
    minutes = minutes[minutes["finished"] >= since]
    per_ward = completion_summary(minutes, ["ward_id"])
    per_ward.insert(0, "hospital", per_ward["ward_id"].map(ward_hospital).map(hospital_names))
    per_ward.insert(2, "ward", named(per_ward["ward_id"], ward_names))
    return WorkloadView(
        by_shift=by_shift,
        open=int(workload["open"].sum()),
        overdue=int(workload["overdue"].sum()),
        shift=current,
        per_nurse=on_shift["open"].sum() / staffed if staffed else None,
        trend=completion_trend(minutes, since),
        per_ward=per_ward,
    )
