"""A ward's task list as the nurse works it: open tasks by urgency, where they are, filters, counts.

The list is built from the cached read of the ward's tasks; a nurse's own writes are laid over it
(``with_own_writes``) so that a claimed or completed task shows its new state at once instead of
after the cache's time-to-live.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from services.codes import BED_CLEANING, OPEN_TASK_STATES
from services.domain.bed_board import isolation_of
from services.domain.people import display_names
from services.domain.stays import with_place_names
from services.domain.tasks import by_urgency, open_tasks, with_overdue
from services.frames import KINDS, Collector
from services.roles import Role, User

__all__ = [
    "OWNER_CHOICES",
    "OwnerChoice",
    "TaskCounts",
    "TaskFilter",
    "filter_tasks",
    "named_notes",
    "only_open",
    "task_frame",
    "task_summary",
    "task_tables",
    "ward_task_list",
    "wards_of",
    "with_own_notes",
    "with_own_writes",
]

OwnerChoice = Literal["all", "mine", "unassigned", "mine_or_unassigned"]
OWNER_CHOICES: tuple[OwnerChoice, ...] = ("all", "mine", "unassigned", "mine_or_unassigned")


@dataclass(frozen=True)
class TaskFilter:
    """The nurse's narrowing of the list; an empty choice keeps everything."""

    statuses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    beds: tuple[str, ...] = ()
    owner: OwnerChoice = "all"


@dataclass(frozen=True)
class TaskCounts:
    """The figures on top of the list."""

    open: int
    overdue: int
    mine: int
    unassigned: int
    in_progress: int


def wards_of(user: User, locations: pd.DataFrame) -> pd.DataFrame:
    """The wards (``id``, ``name``) the user may choose from, in the order of their scope.

    Nurses: their own wards. Physicians: the wards of their departments at their hospital.
    Everybody else: none.
    """
    wards = locations[locations["physical_type"] == "wa"]
    if user.role == Role.NURSE:
        chosen = wards[wards["id"].isin(user.wards)]
        order = {ward: n for n, ward in enumerate(user.wards)}
        chosen = chosen.assign(_order=chosen["id"].map(order)).sort_values("_order")
    elif user.role == Role.PHYSICIAN:
        chosen = wards[
            (wards["hospital_id"] == user.hospital_id) & wards["department"].isin(user.departments)
        ].sort_values("name")
    else:
        chosen = wards.iloc[:0]
    return chosen[["source", "id", "name"]].drop_duplicates("id").reset_index(drop=True)


def task_tables(resources: Iterable[dict], source: str) -> dict[str, pd.DataFrame]:
    """Task resources (as the server returned them) as the ``task`` and ``task_note`` tables."""
    collector = Collector(KINDS, "Task", source=source)
    collector.feed(list(resources))
    return collector.frames()


def only_open(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Tables of a Task read with the tasks that are no longer open (and their notes) left out:
    a refresh by changes brings completed and cancelled tasks, which leave the work list."""
    tasks = tables["task"]
    kept = tasks[tasks["status"].isin(OPEN_TASK_STATES)]
    out = {**tables, "task": kept.reset_index(drop=True)}
    if "task_note" in tables:
        notes = tables["task_note"]
        out["task_note"] = notes[notes["task_id"].isin(kept["id"])].reset_index(drop=True)
    return out


def task_frame(resources: Iterable[dict], source: str) -> pd.DataFrame:
    """Task resources (as the server returned them) as rows of the ``task`` table."""
    return task_tables(resources, source)["task"]


def _version(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").fillna(-1)


def with_own_writes(tasks: pd.DataFrame, written: pd.DataFrame) -> pd.DataFrame:
    """``tasks`` with the rows of ``written`` added or put in place of older versions.

    A row of the read that is already newer than the write (a colleague changed it since) wins.
    """
    if written.empty:
        return tasks
    both = pd.concat([tasks, written], ignore_index=True)
    both["_version"] = _version(both["version"])
    newest = both.sort_values("_version", kind="stable").drop_duplicates(
        ["source", "id"], keep="last"
    )
    return newest.drop(columns="_version").sort_index().reset_index(drop=True)


def with_own_notes(
    notes: pd.DataFrame,
    tasks: pd.DataFrame,
    written: pd.DataFrame,
    written_notes: pd.DataFrame,
) -> pd.DataFrame:
    """``notes`` of the read ``tasks`` with the notes of each task in ``written`` in their place
    where the write is as new as the read or newer (the rule of ``with_own_writes``)."""
    if written.empty:
        return notes
    keys = zip(tasks["source"], tasks["id"], strict=True)
    read = dict(zip(keys, _version(tasks["version"]), strict=True))
    won = {
        key
        for key, version in zip(
            zip(written["source"], written["id"], strict=True),
            _version(written["version"]),
            strict=True,
        )
        if version >= read.get(key, -1)
    }

    def of_won(frame: pd.DataFrame) -> pd.Series:
        keys = zip(frame["source"], frame["task_id"], strict=True)
        return pd.Series([key in won for key in keys], index=frame.index, dtype="bool")

    kept = notes[~of_won(notes)]
    added = written_notes[of_won(written_notes)]
    return pd.concat([kept, added], ignore_index=True) if not added.empty else kept


def named_notes(notes: pd.DataFrame, practitioners: pd.DataFrame | None) -> pd.DataFrame:
    """``source``, ``task_id``, ``time``, ``author`` (a name: the practitioner's, else the
    author as written, else null) and ``text`` of the notes that say something, oldest first."""
    names = _names(practitioners).rename(columns={"id": "author_id", "name": "author_name"})
    out = notes.merge(names, on=["source", "author_id"], how="left")
    out["author"] = out["author_name"].fillna(out["author"])
    said = out["text"].notna() & out["text"].astype("str").str.strip().ne("")
    out = out[said].sort_values("time", kind="stable", na_position="first")
    return out[["source", "task_id", "time", "author", "text"]].reset_index(drop=True)


def _names(frame: pd.DataFrame | None) -> pd.DataFrame:
    """``source``, ``id``, ``name`` of people; an empty table when there are none."""
    if frame is None or frame.empty:
        return pd.DataFrame({"source": [], "id": [], "name": []}, dtype="str")
    people = frame.drop_duplicates(["source", "id"])
    return people.assign(name=display_names(people))[["source", "id", "name"]]


def ward_task_list(
    tasks: pd.DataFrame,
    placements: pd.DataFrame,
    locations: pd.DataFrame,
    ward_id: str,
    now: pd.Timestamp,
    *,
    patients: pd.DataFrame | None = None,
    practitioners: pd.DataFrame | None = None,
    flags: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Open tasks of one ward, overdue first, then priority, then due time.

    Adds ``overdue``; ``room_id``/``bed_id`` and their names ``room``/``bed`` where the patient
    lies now, for a cleaning task the bed it cleans (its ``focus``); ``patient`` and ``owner``
    names where the people are known; ``isolation``: the codes of the patient's active
    isolation flags (``bed_board.isolation_of`` over ``flags``), empty without any.
    """
    ordered = by_urgency(tasks[tasks["ward_id"] == ward_id], now)
    where = placements[["source", "encounter_id", "room_id", "bed_id"]].drop_duplicates(
        ["source", "encounter_id"]
    )
    rows = ordered.merge(where, on=["source", "encounter_id"], how="left")
    rows = _cleaned_beds(rows, locations)
    rows = with_place_names(rows, locations)
    patient_names = _names(patients).rename(columns={"id": "patient_id", "name": "patient"})
    rows = rows.merge(patient_names, on=["source", "patient_id"], how="left")
    owner_names = _names(practitioners).rename(columns={"id": "owner_id", "name": "owner"})
    rows = rows.merge(owner_names, on=["source", "owner_id"], how="left")
    # A reference to somebody the read did not bring along still says who it is.
    rows["owner"] = rows["owner"].fillna(rows["owner_id"])
    rows["patient"] = rows["patient"].fillna(rows["patient_id"])
    rows["isolation"] = isolation_of(rows, flags, now)
    return rows


def _cleaned_beds(rows: pd.DataFrame, locations: pd.DataFrame) -> pd.DataFrame:
    """A cleaning task's place is the bed it cleans (``focus``), not where its patient, who
    has left, lies now."""
    cleaning = rows["code"].eq(BED_CLEANING).fillna(False) & rows["focus"].astype(
        "str"
    ).str.startswith("Location/").fillna(False)
    if not cleaning.any():
        return rows
    out = rows.copy()
    beds = out.loc[cleaning, "focus"].str.removeprefix("Location/")
    rooms = locations.drop_duplicates(["source", "id"]).set_index(["source", "id"])["part_of"]
    keys = pd.MultiIndex.from_arrays([out.loc[cleaning, "source"], beds])
    out["bed_id"] = out["bed_id"].astype("object")
    out["room_id"] = out["room_id"].astype("object")
    out.loc[cleaning, "bed_id"] = beds.to_numpy()
    out.loc[cleaning, "room_id"] = rooms.reindex(keys).to_numpy()
    return out


def filter_tasks(rows: pd.DataFrame, chosen: TaskFilter, me: str | None) -> pd.DataFrame:
    """The rows the nurse's filter keeps, in the order they came."""
    keep = pd.Series(True, index=rows.index)
    if chosen.statuses:
        keep &= rows["status"].isin(chosen.statuses)
    if chosen.kinds:
        keep &= rows["code"].isin(chosen.kinds)
    if chosen.beds:
        keep &= rows["bed_id"].isin(chosen.beds)
    mine = rows["owner_id"].eq(me).fillna(False) if me else pd.Series(False, index=rows.index)
    unassigned = rows["owner_id"].isna()
    if chosen.owner == "mine":
        keep &= mine
    elif chosen.owner == "unassigned":
        keep &= unassigned
    elif chosen.owner == "mine_or_unassigned":
        keep &= mine | unassigned
    return rows[keep].reset_index(drop=True)


def task_summary(
    tasks: pd.DataFrame, ward_id: str, now: pd.Timestamp, me: str | None
) -> TaskCounts:
    """Open, overdue, mine, unassigned and in-progress tasks of one ward at ``now``."""
    flagged = with_overdue(open_tasks(tasks[tasks["ward_id"] == ward_id]), now)
    owners = flagged["owner_id"]
    return TaskCounts(
        open=len(flagged),
        overdue=int(flagged["overdue"].sum()),
        mine=int(owners.eq(me).fillna(False).sum()) if me else 0,
        unassigned=int(owners.isna().sum()),
        in_progress=int((flagged["status"] == "in-progress").sum()),
    )
