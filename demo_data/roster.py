"""The nurses' duty roster: who is on duty on which ward in which shift, every day of the window.

Drawn from a random stream of its own (``<seed>:roster``), so the roster changed no other record.
Each ward plans a number of nurses per shift from its beds (``PLAN_PER_BED``); weekends run the
day shifts of general and paediatric wards one nurse short, and a planned nurse falls sick now
and then (``SICK_SHARE``), replaced from the pool only sometimes (``REPLACED_SHARE``) but always
when nobody else is left on the shift, so some shifts fall below the staffing floor. A ward
whose own nurses are too few for the plan (a nurse works about five days a week) gets pool
nurses of its own (ids ``pra-<hospital>-p<nnn>``); they are Practitioners with a
PractitionerRole like every other nurse, but not in ``Staff.nurses``, so the tasks and their
owners stay what they were.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date

from demo_data import names
from demo_data.codes import SHIFTS
from demo_data.hospitals import Hospital, Ward
from demo_data.records import EncounterRec
from demo_data.staff import Staff, StaffMember
from demo_data.timeutil import (
    DAY,
    HOUR,
    Instant,
    at_local,
    berlin_date,
    date_range,
    fhir_datetime,
)

# Nurses planned per bed and shift by ward kind; at least one nurse per shift.
PLAN_PER_BED = {
    "icu": {"frueh": 0.5, "spaet": 0.4, "nacht": 0.3},
    "imc": {"frueh": 0.5, "spaet": 0.4, "nacht": 0.3},
    "paediatric": {"frueh": 0.2, "spaet": 0.15, "nacht": 0.12},
    "general": {"frueh": 0.14, "spaet": 0.1, "nacht": 0.05},
}
SICK_SHARE = 0.07
REPLACED_SHARE = 0.4
# A nurse works about five days in seven: the pool of a shift is its plan times this.
POOL_FACTOR = 1.4


@dataclass
class ShiftRec:
    """One shift of one ward: the nurses on duty and those planned but absent (sick)."""

    id: str
    ward: Ward
    hospital_key: str
    shift: str
    start: Instant
    end: Instant
    on_duty: list[StaffMember] = field(default_factory=list)
    absent: list[StaffMember] = field(default_factory=list)


@dataclass
class Roster:
    """The shifts of every ward and the pool nurses the roster added."""

    shifts: list[ShiftRec] = field(default_factory=list)
    pool: list[StaffMember] = field(default_factory=list)


def planned(ward: Ward, shift: str, weekend: bool) -> int:
    """Nurses the ward plans for the shift; day shifts of normal wards one less at weekends."""
    count = max(1, round(len(ward.beds) * PLAN_PER_BED[ward.kind][shift]))
    if weekend and shift != "nacht" and ward.kind in ("general", "paediatric"):
        count = max(1, count - 1)
    return count


def _pool_nurse(rng: random.Random, ward: Ward, shift: str, number: int) -> StaffMember:
    gender = "female" if rng.random() < 0.8 else "male"
    return StaffMember(
        id=f"pra-{ward.hospital_key}-p{number:03d}",
        role_id=f"prr-{ward.hospital_key}-p{number:03d}",
        hospital_key=ward.hospital_key,
        role="nurse",
        gender=gender,
        given=names.pick_given(rng, gender),
        family=names.pick_family(rng),
        employee_number=f"{rng.randrange(10**8, 10**9)}",
        department=ward.department,
        ward_id=ward.id,
        shift=shift,
    )


def _pools(
    hospital: Hospital, staff: Staff, rng: random.Random, added: list[StaffMember]
) -> dict[tuple[str, str], list[StaffMember]]:
    pools: dict[tuple[str, str], list[StaffMember]] = {}
    for ward in hospital.wards:
        for shift in SHIFTS:
            own = [m for m in staff.nurses.get(ward.id, []) if m.shift == shift]
            needed = math.ceil(planned(ward, shift, weekend=False) * POOL_FACTOR)
            while len(own) < needed:
                nurse = _pool_nurse(rng, ward, shift, len(added) + 1)
                added.append(nurse)
                own.append(nurse)
            pools[(ward.id, shift)] = own
    return pools


def generate_roster(
    hospitals: list[Hospital],
    staff: Staff,
    window_start: Instant,
    as_of: Instant,
    rng: random.Random,
) -> Roster:
    """Early, late and night shifts of every ward for each Berlin date from the window's first
    to as-of's (the night of as-of's date runs into the next morning)."""
    roster = Roster()
    days = date_range(berlin_date(window_start), berlin_date(as_of))
    for hospital in hospitals:
        added: list[StaffMember] = []
        pools = _pools(hospital, staff, rng, added)
        roster.pool.extend(added)
        worked: dict[str, list[int]] = {}
        for index, day in enumerate(days):
            weekend = day.weekday() >= 5
            for ward in hospital.wards:
                for shift, (first, last, _) in SHIFTS.items():
                    pool = pools[(ward.id, shift)]
                    # Who worked least in the last week comes first: about five days in seven.
                    ranked = sorted(
                        pool,
                        key=lambda m: (
                            sum(1 for d in worked.get(m.id, []) if index - d < 7),
                            rng.random(),
                        ),
                    )
                    count = min(planned(ward, shift, weekend), len(ranked))
                    chosen, spare = ranked[:count], ranked[count:]
                    start = at_local(day, first)
                    end = start + ((last - first) % 24) * HOUR
                    record = ShiftRec(
                        id=f"dst-{ward.id.removeprefix('loc-')}-{day:%Y%m%d}-{shift}",
                        ward=ward,
                        hospital_key=hospital.key,
                        shift=shift,
                        start=start,
                        end=end,
                    )
                    for nurse in chosen:
                        if rng.random() < SICK_SHARE:
                            record.absent.append(nurse)
                            if spare and rng.random() < REPLACED_SHARE:
                                record.on_duty.append(spare.pop(0))
                        else:
                            record.on_duty.append(nurse)
                    # Nobody left on the ward: someone from the pool is always called in.
                    if not record.on_duty and spare:
                        record.on_duty.append(spare.pop(0))
                    for nurse in record.on_duty:
                        worked.setdefault(nurse.id, []).append(index)
                    roster.shifts.append(record)
    return roster


def ppugv_windows(day_start: Instant) -> dict[str, tuple[Instant, Instant, Instant]]:
    """The PpUGV shifts of the Berlin date starting at ``day_start``: (start, end, counted at).

    Day 06-22 counted at 12:00, night 22-06 counted at the midnight within it.
    """
    day = berlin_date(day_start)
    following = berlin_date(day_start + DAY + 2 * HOUR)
    return {
        "day": (at_local(day, 6), at_local(day, 22), at_local(day, 12)),
        "night": (at_local(day, 22), at_local(following, 6), at_local(following, 0)),
    }


def staffing_truth(
    roster: Roster, encounters: list[EncounterRec], as_of: Instant
) -> dict[str, dict[str, dict[str, dict[str, object]]]]:
    """``[ward_id][date][day|night]``: ``nurses`` (nurse-hours on duty within the PpUGV shift
    over its hours), ``patients`` (inpatients in the ward at the counting time; one after as-of
    counts those there at as-of) and ``counted_at``."""
    periods: dict[str, list[tuple[Instant, Instant | None]]] = {}
    for record in encounters:
        if record.stay.cls != "IMP":
            continue
        for period in record.periods:
            periods.setdefault(period.ward.id, []).append((period.start, period.end))
    hours: dict[tuple[str, str, str], float] = {}
    dates: dict[str, set[str]] = {}
    for shift in roster.shifts:
        day = berlin_date(shift.start)
        dates.setdefault(shift.ward.id, set()).add(day.isoformat())
        for name, (start, end, _) in ppugv_windows(at_local(day)).items():
            overlap = max(0, min(end, shift.end) - max(start, shift.start))
            key = (shift.ward.id, day.isoformat(), name)
            hours[key] = hours.get(key, 0.0) + overlap * len(shift.on_duty)
    out: dict[str, dict[str, dict[str, dict[str, object]]]] = {}
    for ward_id, days in dates.items():
        for iso in sorted(days):
            windows = ppugv_windows(at_local(date.fromisoformat(iso)))
            for name, (start, end, counted) in windows.items():
                moment = min(counted, as_of)
                patients = sum(
                    1
                    for s, e in periods.get(ward_id, [])
                    if s <= moment and (e is None or moment < e)
                )
                out.setdefault(ward_id, {}).setdefault(iso, {})[name] = {
                    "nurses": hours.get((ward_id, iso, name), 0.0) / (end - start),
                    "patients": patients,
                    "counted_at": fhir_datetime(counted),
                }
    return out
