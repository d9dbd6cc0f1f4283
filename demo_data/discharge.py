"""Planned discharge dates: when each inpatient stay's expected discharge was first documented.

SAFER asks for an expected discharge date within 24 hours of admission. Most stays get one in
their first hours, some only days later, some never. The date itself is the stay's end as the
simulation has it (the generator's plan holds); what is drawn is when, or whether, it was
written down. From a random stream of its own (``<seed>:discharge``), so every other record is
what it was without it.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from demo_data.ground_truth import census_dates
from demo_data.records import EncounterRec
from demo_data.timeutil import DAY, HOUR, Instant, berlin_date, fhir_datetime, local

# Shares of stays whose planned discharge is never documented, or documented after 24 hours.
MISSING_SHARE = 0.08
LATE_SHARE = 0.15
# Hours after admission: on time within the first day, late within the next three.
ON_TIME_HOURS = (0.5, 23.5)
LATE_HOURS = (25.0, 96.0)
# SAFER's long stays: patients in hospital for more than 7 ("stranded") and 21 days.
STRANDED_DAYS = (7, 21)
# A discharge before 12:00 Berlin time counts as before noon.
NOON = 12


def plan_discharges(encounters: list[EncounterRec], as_of: Instant, rng: random.Random) -> None:
    """Set ``planned_end_recorded`` of the inpatient stays whose plan was written by ``as_of``.

    A plan drawn for after the stay ended (a short stay) or after ``as_of`` is not there (yet).
    """
    for record in encounters:
        if record.stay.cls != "IMP" or not record.periods:
            continue
        # Three draws per stay whatever the outcome, so one stay's fate never shifts another's.
        draw = rng.random()
        on_time = rng.uniform(*ON_TIME_HOURS)
        late = rng.uniform(*LATE_HOURS)
        if draw < MISSING_SHARE:
            continue
        hours = late if draw < MISSING_SHARE + LATE_SHARE else on_time
        recorded = record.stay.start + int(hours * HOUR)
        if recorded > as_of or (record.end is not None and recorded >= record.end):
            continue
        record.planned_end_recorded = recorded


def _ward_date(table: dict[str, dict[str, list[int]]], ward: str, day: str) -> list[int]:
    return table.setdefault(ward, {}).setdefault(day, [0, 0])


def discharge_truth(
    encounters: list[EncounterRec], window_start: Instant, as_of: Instant
) -> dict[str, Any]:
    """The SAFER figures of docs/DATA_MODEL.md (``discharge_flow``), from the records."""
    dates = set(census_dates(window_start, as_of))
    # Stays admitted up to the day before yesterday have all had their first 24 hours.
    last_admission = (berlin_date(as_of) - timedelta(days=2)).isoformat()
    edd: dict[str, dict[str, list[int]]] = {}
    noon: dict[str, dict[str, list[int]]] = {}
    current: dict[str, list[list[str]]] = {}
    stranded: dict[str, dict[str, int]] = {}
    for record in encounters:
        if record.stay.cls != "IMP" or not record.periods:
            continue
        stay = record.stay
        admitted = berlin_date(stay.start).isoformat()
        if admitted in dates and admitted <= last_admission:
            counts = _ward_date(edd, record.periods[0].ward.id, admitted)
            counts[0] += 1
            recorded = record.planned_end_recorded
            counts[1] += recorded is not None and recorded - stay.start <= DAY
        if record.current:
            ward = record.periods[-1].ward.id
            current.setdefault(ward, []).append([fhir_datetime(stay.start), stay.department])
            days = (as_of - stay.start) / DAY
            over = stranded.setdefault(ward, {"over_7": 0, "over_21": 0})
            over["over_7"] += days > STRANDED_DAYS[0]
            over["over_21"] += days > STRANDED_DAYS[1]
            continue
        left = berlin_date(stay.end).isoformat()
        if left in dates:
            counts = _ward_date(noon, record.periods[-1].ward.id, left)
            counts[0] += 1
            counts[1] += local(stay.end).hour < NOON
    return {
        "edd_within_24h": edd,
        "discharges_before_noon": noon,
        "current_stays": current,
        "stranded": stranded,
    }
