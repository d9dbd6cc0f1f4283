"""The ward nurse's pages: the start page, the task list, the bed board and the handover of one
ward. They name patients: the pages audit what they list (``components.audit.audit_list``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

import pandas as pd

from services.domain.bed_board import bed_grid, free_by_category, status_counts, ward_beds
from services.domain.beds import has_beds
from services.domain.handover import Handover, handover
from services.domain.news2 import ward_scores
from services.domain.people import display_names
from services.domain.stays import with_place_names
from services.domain.tasks import by_urgency
from services.domain.timeline import stay_ids
from services.domain.ward_tasks import (
    TaskCounts,
    TaskFilter,
    filter_tasks,
    named_notes,
    task_summary,
    ward_task_list,
    with_own_notes,
    with_own_writes,
)
from services.domain.worklist import with_diagnosis_roles
from services.views.common import ward_census

__all__ = [
    "BedBoard",
    "NurseStart",
    "WardTasks",
    "bed_board_view",
    "handover_view",
    "nurse_start",
    "ward_tasks_view",
]


@dataclass(frozen=True)
class NurseStart:
    """Open tasks of the nurse's wards, how many overdue, patients in a bed; ``overdue``: the
    overdue tasks with ``name``, ``room`` and ``bed`` of their patient, most urgent first."""

    open: int
    overdue: int
    in_beds: int
    overdue_rows: pd.DataFrame


@dataclass(frozen=True)
class WardTasks:
    """``counts`` of the ward; ``rows``: its open tasks (``ward_task_list``); ``shown``: those the
    filter keeps; ``owner_names``: practitioner id -> name; ``notes``: the notes on the shown
    tasks (``named_notes``), oldest first."""

    counts: TaskCounts
    rows: pd.DataFrame
    shown: pd.DataFrame
    owner_names: dict[str, str]
    notes: pd.DataFrame


@dataclass(frozen=True)
class BedBoard:
    """``board``: one row per bed of the ward (``ward_beds``), ``free``: free beds per category,
    ``counts``: beds per status, ``unreported``: free beds whose source reports no status (free
    only in that nobody lies in them). Without beds in the source, ``has_beds`` is false and
    ``ward_census`` counts the ward's current inpatients. ``grid``: the board with room sex,
    planned discharge and NEWS2 per bed (``bed_board.bed_grid``), for the one-screen grid."""

    board: pd.DataFrame
    free: pd.DataFrame
    counts: dict[str, int]
    has_beds: bool
    ward_census: pd.DataFrame
    unreported: int = 0
    grid: pd.DataFrame = field(default_factory=pd.DataFrame)


def _people(*tables: pd.DataFrame | None) -> pd.DataFrame | None:
    found = [t for t in tables if t is not None]
    return pd.concat(found, ignore_index=True) if found else None


def nurse_start(
    tasks: pd.DataFrame,
    placed: pd.DataFrame,
    locations: pd.DataFrame,
    patients: pd.DataFrame | None,
    wards: Iterable[str],
    now: pd.Timestamp,
) -> NurseStart:
    """The start page of a nurse of ``wards``: open and overdue work, patients in beds."""
    tasks = by_urgency(tasks[tasks["ward_id"].isin(tuple(wards))], now)
    overdue = tasks[tasks["overdue"]]
    rows = overdue.merge(
        placed[["source", "encounter_id", "room_id", "bed_id"]],
        on=["source", "encounter_id"],
        how="left",
    )
    rows = with_place_names(rows, locations)
    if patients is not None and not patients.empty:
        names = patients.assign(name=display_names(patients))[["source", "id", "name"]]
        rows = rows.merge(
            names,
            left_on=["source", "patient_id"],
            right_on=["source", "id"],
            how="left",
            suffixes=("", "_patient"),
        )
    else:
        rows["name"] = None
    return NurseStart(
        open=len(tasks),
        overdue=int(tasks["overdue"].sum()),
        in_beds=int(placed["bed_id"].notna().sum()),
        overdue_rows=rows,
    )


def ward_tasks_view(
    tasks: pd.DataFrame,
    placed: pd.DataFrame,
    locations: pd.DataFrame,
    ward_id: str,
    now: pd.Timestamp,
    *,
    patient_tables: Iterable[pd.DataFrame | None] = (),
    practitioners: pd.DataFrame | None = None,
    chosen: TaskFilter | None = None,
    me: str | None = None,
    held_back: Iterable[str] = (),
    notes: pd.DataFrame | None = None,
    flags: pd.DataFrame | None = None,
) -> WardTasks:
    """The task list of ``ward_id``: counts for ``me``, every open task, those ``chosen`` keeps
    except the ``held_back`` ids (writes that lost a race, worked on elsewhere); ``notes`` the
    ``task_note`` table of the tasks read; ``flags`` the Flags of the patients (isolation)."""
    if practitioners is not None and not practitioners.empty:
        owner_names = dict(zip(practitioners["id"], display_names(practitioners), strict=True))
    else:
        owner_names = {}
    rows = ward_task_list(
        tasks,
        placed,
        locations,
        ward_id,
        now,
        patients=_people(*patient_tables),
        practitioners=practitioners,
        flags=flags,
    )
    shown = filter_tasks(rows, chosen or TaskFilter(), me)
    shown = shown[~shown["id"].isin(set(held_back))]
    named = _notes_of(notes, shown, practitioners)
    return WardTasks(task_summary(tasks, ward_id, now, me), rows, shown, owner_names, named)


def _notes_of(
    notes: pd.DataFrame | None, tasks: pd.DataFrame, practitioners: pd.DataFrame | None
) -> pd.DataFrame:
    if notes is None:
        columns = ("source", "task_id", "time", "author_id", "author", "text")
        notes = pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    keys = set(zip(tasks["source"], tasks["id"], strict=True))
    mine = pd.Series(
        [key in keys for key in zip(notes["source"], notes["task_id"], strict=True)],
        index=notes.index,
        dtype="bool",
    )
    return named_notes(notes[mine], practitioners)


def bed_board_view(
    locations: pd.DataFrame,
    placed: pd.DataFrame,
    tasks: pd.DataFrame,
    ward_id: str,
    now: pd.Timestamp,
    patients: pd.DataFrame | None = None,
    flags: pd.DataFrame | None = None,
    observations: pd.DataFrame | None = None,
    contacts: pd.DataFrame | None = None,
) -> BedBoard:
    """The bed board of ``ward_id`` now; ``flags`` give the isolation of the patients (and SpO2
    scale 2), ``observations`` their vital signs of the last days (NEWS2 on the grid),
    ``contacts`` the stays' contact levels (``encounter_contact``)."""
    board = ward_beds(locations, placed, tasks, ward_id, now, patients=patients, flags=flags)
    if board.empty and not has_beds(locations):
        census = ward_census(placed[placed["ward_id"] == ward_id], locations, {})
        return BedBoard(board, pd.DataFrame(), {}, False, census)
    if board.empty:
        return BedBoard(board, pd.DataFrame(), {}, True, pd.DataFrame())
    unreported = int((~board["status_known"] & board["status"].eq("U")).sum())
    in_beds = board[board["encounter_id"].notna()]
    if observations is None or observations.empty:
        observations = pd.DataFrame(columns=["encounter_id", "effective", "code", "value"])
    else:
        observations = observations.assign(encounter_id=stay_ids(observations, contacts))
    scores = ward_scores(in_beds, observations, flags, now)
    grid = bed_grid(board, placed, patients, scores, now)
    return BedBoard(
        board,
        free_by_category(board),
        status_counts(board),
        True,
        pd.DataFrame(),
        unreported,
        grid,
    )


def handover_view(
    placed: pd.DataFrame,
    encounter_locations: pd.DataFrame,
    locations: pd.DataFrame,
    open_tasks: pd.DataFrame,
    done_tasks: pd.DataFrame,
    own_writes: pd.DataFrame,
    observations: pd.DataFrame,
    ward_id: str,
    now: pd.Timestamp,
    patients: pd.DataFrame | None = None,
    *,
    notes: pd.DataFrame | None = None,
    own_notes: pd.DataFrame | None = None,
    practitioners: pd.DataFrame | None = None,
    overlap: timedelta = timedelta(0),
    flags: pd.DataFrame | None = None,
    contacts: pd.DataFrame | None = None,
    conditions: pd.DataFrame | None = None,
    diagnosis_roles: pd.DataFrame | None = None,
    procedures: pd.DataFrame | None = None,
    allergies: pd.DataFrame | None = None,
) -> Handover:
    """The handover of ``ward_id`` at ``now``: open and done work with this session's own
    writes laid over, the last vitals, the notes, what happened since the shift began less
    ``overlap``. ``notes``: the ``task_note`` tables of the open and the done read together;
    ``own_notes``: those of ``own_writes``; ``flags``: the Flags of the patients (isolation,
    SpO2 scale 2, resuscitation status); ``contacts``: the stays' contact levels
    (``encounter_contact``); ``conditions``, ``procedures``, ``allergies``: the diagnoses,
    operations and allergies of the stays and patients (``isbar.isbar_facts``);
    ``diagnosis_roles``: the roles the stays' Encounters give their diagnoses
    (``encounter_diagnosis``), which mark the main diagnosis where the source does."""
    read = with_own_writes(open_tasks, done_tasks)
    tasks = with_own_writes(read, own_writes)
    if notes is not None and own_notes is not None:
        notes = with_own_notes(notes, read, own_writes, own_notes)
    named = None if notes is None else named_notes(notes, practitioners)
    return handover(
        placed,
        encounter_locations,
        locations,
        tasks,
        observations,
        ward_id,
        now,
        patients=patients,
        notes=named,
        overlap=overlap,
        flags=flags,
        contacts=contacts,
        conditions=with_diagnosis_roles(conditions, diagnosis_roles),
        procedures=procedures,
        allergies=allergies,
    )
