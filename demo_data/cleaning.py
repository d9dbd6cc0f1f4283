"""Bed turnaround: a cleaning Task for every bed a stay left in the last days.

The KIS discharges and transfers patients, not the dashboard; what the platform then holds is a
bed in housekeeping and a cleaning Task for the ward. The generator writes both as the bed book
of the simulation has them: the task is made when the patient leaves (``authoredOn`` = the end
of the bed period), work starts when housekeeping does (06:00-20:00) and ends when the bed is
ready again (``simulate.ready_again``: 2 hours, 6 hours of disinfection after a patient in
isolation). Beds still being cleaned at as-of (H, K) have their task open.

Drawn from a random generator of its own (``<seed>:cleaning``), so every other resource and
figure is what it was without them.
"""

from __future__ import annotations

import random

from demo_data.records import EncounterRec, TaskRec
from demo_data.simulate import CLEANING, DISINFECTION, ready_again
from demo_data.staff import Staff
from demo_data.timeutil import DAY, Instant, local

CODE = "bettenreinigung"
# How far back cleanings are written: two weeks of turnaround per ward.
CLEANING_DAYS = 14
ORDER = "Bettplatz {bed} reinigen und aufbereiten"
ORDER_ISOLATION = "Schlussdesinfektion Bettplatz {bed} (Isolierung aufgehoben)"
DONE_NOTES = ("Bett aufbereitet, frei", "Matratze getauscht, Bett frei", None)


def generate_cleaning(
    encounters: list[EncounterRec], staff: Staff, as_of: Instant, rng: random.Random
) -> list[TaskRec]:
    """One cleaning task per bed period that ended in the ``CLEANING_DAYS`` before ``as_of``,
    in the order of the stays; ids ``tsk-<hospital>-r<n>``."""
    counters: dict[str, int] = {}
    out: list[TaskRec] = []
    for encounter in encounters:
        if encounter.stay.cls != "IMP":
            continue
        for period in encounter.periods:
            if period.end is None or period.end < as_of - CLEANING_DAYS * DAY:
                continue
            key = encounter.stay.hospital.key
            counters[key] = counters.get(key, 0) + 1
            isolation = encounter.stay.isolation
            ready = ready_again(period.end, isolation)
            begins = ready - (DISINFECTION if isolation else CLEANING)
            task = TaskRec(
                id=f"tsk-{key}-r{counters[key]:06d}",
                encounter=encounter,
                ward=period.ward,
                code=CODE,
                status="requested",
                priority="routine",
                authored=period.end,
                due=ready,
                last_modified=period.end,
                description=(ORDER_ISOLATION if isolation else ORDER).format(bed=period.bed.name),
                bed=period.bed,
            )
            if begins <= as_of:
                task.started = begins
                task.status = "in-progress"
                task.owner = staff.nurse_on_duty(rng, period.ward.id, local(begins).hour)
                task.last_modified = begins
            if ready <= as_of:
                task.status = "completed"
                task.finished = ready
                task.last_modified = ready
                task.note = rng.choice(DONE_NOTES)
            out.append(task)
    return out
