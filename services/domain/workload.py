"""Nursing workload: open and overdue tasks per ward and shift, per nurse, and how long work takes.

- A task belongs to the shift in which it is due (Berlin wall-clock hour of
  ``restriction.period.end``): early 06-14, late 14-22, night 22-06; without due time: none.
- Nurses on a shift: the nurses whose PractitionerRole names the ward and that shift.
- Time to complete: ``executionPeriod`` end - start of completed tasks, in minutes; its trend is
  the median per Berlin day on which the work was finished.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from fhirpy.base.searchset import AbstractSearchSet

from services.domain.tasks import open_tasks, with_overdue
from services.queries import refs
from services.search import query

__all__ = [
    "SHIFTS",
    "completed_tasks",
    "completion_minutes",
    "completion_summary",
    "completion_trend",
    "nurse_roles",
    "nurses_per_shift",
    "shift_of",
    "tasks_per_nurse",
    "workload_by_ward_shift",
]

BERLIN = "Europe/Berlin"
# Shift codes of MEDICUS/CodeSystem/schicht with their first and last-plus-one hour.
SHIFTS = {"frueh": (6, 14), "spaet": (14, 22), "nacht": (22, 6)}


def completed_tasks(since: pd.Timestamp, hospital_ids: Iterable[str] = ()) -> AbstractSearchSet:
    """Tasks completed with an execution period overlapping [since, now); of some hospitals
    (through the task's encounter) when ids are given."""
    search = (
        query("Task")
        .search(status="completed", period=f"ge{since.isoformat()}")
        .elements("status", "location", "executionPeriod")
    )
    hospitals = list(hospital_ids)
    if hospitals:
        search = search.search(**{"encounter.service-provider": refs("Organization", hospitals)})
    return search


def nurse_roles() -> AbstractSearchSet:
    """Nurses' roles (ward and shift) without the Practitioner resources and their names."""
    return query("PractitionerRole").search(role="nurse")


def shift_of(times: pd.Series) -> pd.Series:
    """The shift code of each time (Berlin hour); missing times give a missing shift."""
    hours = times.dt.tz_convert(BERLIN).dt.hour
    shift = pd.Series(pd.NA, index=times.index, dtype="str")
    shift[(hours >= 6) & (hours < 14)] = "frueh"
    shift[(hours >= 14) & (hours < 22)] = "spaet"
    shift[(hours >= 22) | (hours < 6)] = "nacht"
    return shift


def workload_by_ward_shift(tasks: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """Open and overdue tasks per ward and shift of their due time; a task on no ward (a
    transfer request between hospitals) is no ward's work."""
    flagged = with_overdue(open_tasks(tasks[tasks["ward_id"].notna()]), now)
    flagged = flagged.assign(shift=shift_of(flagged["due"]))
    grouped = flagged.groupby(["ward_id", "shift"], dropna=False)["overdue"]
    out = grouped.agg(open="size", overdue="sum").reset_index()
    out["overdue"] = out["overdue"].astype("int64")
    return out


def nurses_per_shift(roles: pd.DataFrame) -> pd.DataFrame:
    """Nurses per ward and shift from the PractitionerRole table."""
    nurses = roles[(roles["role"] == "nurse") & roles["ward_id"].notna() & roles["shift"].notna()]
    out = nurses.groupby(["ward_id", "shift"])["practitioner_id"].nunique()
    return out.rename("nurses").reset_index()


def tasks_per_nurse(workload: pd.DataFrame, nurses: pd.DataFrame) -> pd.DataFrame:
    """``workload`` with ``nurses`` and open tasks per nurse of the ward on that shift."""
    out = workload.merge(nurses, on=["ward_id", "shift"], how="left")
    out["nurses"] = out["nurses"].fillna(0).astype("int64")
    per = out["open"] / out["nurses"].where(out["nurses"] > 0)
    out["per_nurse"] = per.astype("Float64")
    return out


def completion_minutes(tasks: pd.DataFrame) -> pd.DataFrame:
    """Completed tasks with both execution times: ward_id, finished, minutes."""
    done = tasks[
        (tasks["status"] == "completed") & tasks["exec_start"].notna() & tasks["exec_end"].notna()
    ]
    minutes = (done["exec_end"] - done["exec_start"]).dt.total_seconds() / 60
    return pd.DataFrame(
        {"ward_id": done["ward_id"], "finished": done["exec_end"], "minutes": minutes}
    ).reset_index(drop=True)


def completion_summary(minutes: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Completed tasks and median minutes to complete per group of ``by`` columns."""
    grouped = minutes.groupby(by, dropna=False)["minutes"]
    return grouped.agg(completed="size", median_minutes="median").reset_index()


def completion_trend(minutes: pd.DataFrame, since: pd.Timestamp) -> pd.DataFrame:
    """Per Berlin day from ``since``: tasks completed and their median minutes."""
    recent = minutes[minutes["finished"] >= since]
    day = recent["finished"].dt.tz_convert(BERLIN).dt.date.rename("date")
    grouped = recent["minutes"].groupby(day)
    return grouped.agg(completed="size", median_minutes="median").reset_index()
