"""Nursing tasks: what is open, what is overdue, and in which order to do it."""

from __future__ import annotations

import pandas as pd

from services.codes import OPEN_TASK_STATES

__all__ = [
    "PRIORITY_RANK",
    "by_urgency",
    "open_tasks",
    "order_text",
    "task_counts",
    "with_overdue",
]

# FHIR request priority, most pressing first.
PRIORITY_RANK = {"stat": 0, "asap": 1, "urgent": 2, "routine": 3}


def open_tasks(tasks: pd.DataFrame) -> pd.DataFrame:
    return tasks[tasks["status"].isin(OPEN_TASK_STATES)]


def with_overdue(tasks: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """Adds ``overdue``: open and due before ``now`` (a task without due time is never overdue)."""
    out = tasks.copy()
    out["overdue"] = out["status"].isin(OPEN_TASK_STATES) & out["due"].notna() & (out["due"] < now)
    return out


def by_urgency(tasks: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """Open tasks: overdue first, then priority, then due time (no due time last), then source
    and id.

    Due times are to the second, so two tasks can share one; the source and id settle that
    tie, else the order would follow the order the server happened to answer in and change
    between two readings of the same tasks.
    """
    out = with_overdue(open_tasks(tasks), now)
    out["_rank"] = out["priority"].map(PRIORITY_RANK).fillna(len(PRIORITY_RANK))
    keys = ["overdue", "_rank", "due", *(c for c in ("source", "id") if c in out.columns)]
    out = out.sort_values(
        keys, ascending=[False] + [True] * (len(keys) - 1), na_position="last", kind="stable"
    )
    return out.drop(columns="_rank").reset_index(drop=True)


def task_counts(tasks: pd.DataFrame, now: pd.Timestamp, by: list[str]) -> pd.DataFrame:
    """Open and overdue tasks per group of ``by`` columns."""
    flagged = with_overdue(open_tasks(tasks), now)
    grouped = flagged.groupby(by, dropna=False)["overdue"]
    return grouped.agg(open="size", overdue="sum").reset_index()


def order_text(tasks: pd.DataFrame) -> pd.Series:
    """What each task is about as ordered (``description``); None where the order says nothing
    beyond the kind of task."""
    if "description" not in tasks.columns:
        return pd.Series(None, index=tasks.index, dtype="object")
    words = tasks["description"].astype("object")
    return words.where(words.notna() & words.astype("str").str.strip().ne(""), None)
