"""Intensive care for the DIVI report: ventilators and ECMO units at the ICU beds, ventilation
and ECMO of the patients lying there, and the daily reports of the 29 days before as-of.

Drawn from a random stream of its own (``<seed>:intensive``), so every other record is what it
was without it. Every high-care bed carries a ventilator (``inactive`` while the bed is closed
for maintenance); the first ICU ward of a hospital with at least two adult high-care beds has
an ECMO unit at its first high-care bed, two from five such beds. Each ICU bed period in the
window is a ventilation by chance (``MODE_SHARE``): a Procedure coded in SNOMED CT (and OPS
where one exists) from shortly after the patient came to the bed until the patient left it,
``in-progress`` while the patient is still there. A patient in a bed with an ECMO unit is on
ECMO with ``ECMO_SHARE`` and then ventilated invasively as well.

The history: one MeasureReport per hospital with ICU beds and Berlin date for the 29 days
before as-of's date, with the figures at 12:00 of that day (the register's reporting time):
occupied beds and ventilated patients from the bed periods and ventilations then, the beds in
service, their devices and the emergency reserve as they are now (the simulation keeps no past
closures), free = in service minus occupied.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pandas as pd

from demo_data import codes as c
from demo_data.hospitals import Bed, Hospital
from demo_data.records import EncounterRec
from demo_data.resources import coding, concept, period_of, ref
from demo_data.timeutil import HOUR, Instant, at_local, berlin_date, fhir_datetime
from services.domain.divi import (
    DEVICE_TYPE,
    ECMO_UNIT,
    VENTILATION_CODES,
    VENTILATION_MODES,
    VENTILATOR,
    divi_measure_report,
)
from services.domain.reports import DIVI_CATEGORIES, divi_status

ICU = ("icu-high-care", "icu-low-care")
AGE_GROUPS = ("adult", "paediatric")
# Chance of each ventilation mode for a bed period, by bed category.
MODE_SHARE = {
    "icu-high-care": (("invasive", 0.5), ("non_invasive", 0.15)),
    "icu-low-care": (("non_invasive", 0.3),),
}
ECMO_SHARE = 0.6
HISTORY_DAYS = 29
_OPS = {
    "non_invasive": ("8-706", "Anlegen einer Maske zur maschinellen Beatmung"),
    "ecmo": (
        "8-852.0",
        "Veno-venöse extrakorporale Membranoxygenation (ECMO) ohne Herzunterstützung",
    ),
}
_DEVICE_DISPLAY = {VENTILATOR: "Beatmungsgerät", ECMO_UNIT: "ECMO-System"}
_VENTILATOR_SNOMED = ("706172005", "Ventilator")


@dataclass
class DeviceRec:
    id: str
    kind: str
    bed: Bed
    hospital: Hospital
    active: bool


@dataclass
class VentilationRec:
    id: str
    encounter: EncounterRec
    mode: str
    bed: Bed
    start: Instant
    end: Instant | None


@dataclass
class Intensive:
    devices: list[DeviceRec] = field(default_factory=list)
    ventilations: list[VentilationRec] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    truth: dict[str, Any] = field(default_factory=dict)


def _devices(
    hospitals: list[Hospital], status: dict[str, str], reasons: dict[str, str]
) -> list[DeviceRec]:
    out = []
    for hospital in hospitals:
        icu_wards = [w for w in hospital.wards if w.kind == "icu"]
        for ward in icu_wards:
            for bed in ward.beds:
                if bed.category == "icu-high-care":
                    serviced = status.get(bed.id) == "C" and reasons.get(bed.id) == "wartung"
                    out.append(
                        DeviceRec(f"dev-{bed.id[4:]}-v", VENTILATOR, bed, hospital, not serviced)
                    )
        if not icu_wards:
            continue
        high = [
            b for b in icu_wards[0].beds if b.category == "icu-high-care" and b.age_group == "adult"
        ]
        units = 2 if len(high) >= 5 else 1 if len(high) >= 2 else 0
        out += [DeviceRec(f"dev-{b.id[4:]}-e", ECMO_UNIT, b, hospital, True) for b in high[:units]]
    return out


def _ventilations(
    encounters: list[EncounterRec],
    ecmo_beds: set[str],
    window_start: Instant,
    rng: random.Random,
) -> list[VentilationRec]:
    out = []
    for record in encounters:
        number = 0
        for period in record.periods:
            if period.bed is None or period.bed.category not in ICU:
                continue
            if period.end is not None and period.end <= window_start:
                continue
            modes: list[str] = []
            if period.bed.id in ecmo_beds and rng.random() < ECMO_SHARE:
                modes = ["ecmo", "invasive"]
            else:
                draw = rng.random()
                for mode, share in MODE_SHARE[period.bed.category]:
                    if draw < share:
                        modes = [mode]
                        break
                    draw -= share
            if not modes:
                continue
            span = (period.end - period.start) if period.end is not None else 2 * HOUR
            start = period.start + int(rng.random() * min(2 * HOUR, span / 2))
            for mode in modes:
                number += 1
                out.append(
                    VentilationRec(
                        f"vnt-{record.id[4:]}-{number}", record, mode, period.bed, start, period.end
                    )
                )
    return out


def device_resource(record: DeviceRec) -> dict[str, Any]:
    """A ventilator or ECMO unit at its bed."""
    types = [coding(DEVICE_TYPE, record.kind, _DEVICE_DISPLAY[record.kind])]
    if record.kind == VENTILATOR:
        types.append(coding(c.SYS_SNOMED, *_VENTILATOR_SNOMED))
    return {
        "resourceType": "Device",
        "id": record.id,
        "status": "active" if record.active else "inactive",
        "type": {"coding": types, "text": _DEVICE_DISPLAY[record.kind]},
        "owner": ref("Organization", record.hospital.id),
        "location": ref("Location", record.bed.id),
    }


def ventilation_resource(record: VentilationRec) -> dict[str, Any]:
    """A running (or finished) ventilation or ECMO of a stay."""
    code, display = VENTILATION_CODES[record.mode]
    codings = [coding(c.SYS_SNOMED, code, display)]
    if record.mode in _OPS:
        ops = coding(c.SYS_OPS, *_OPS[record.mode])
        ops["version"] = c.OPS_VERSION
        codings.append(ops)
    return {
        "resourceType": "Procedure",
        "id": record.id,
        "status": "in-progress" if record.end is None else "completed",
        "category": concept(c.SYS_SNOMED, "40617009", "Artificial respiration"),
        "code": {"coding": codings},
        "subject": ref("Patient", record.encounter.patient.id),
        "encounter": ref("Encounter", record.encounter.id),
        "performedPeriod": period_of(record.start, record.end),
    }


def _covers(start: Instant, end: Instant | None, moment: Instant) -> bool:
    return start <= moment and (end is None or moment < end)


def _figures(
    hospital: Hospital,
    in_service: dict[str, bool],
    status: dict[str, str] | None,
    occupied: set[str],
    ventilated: list[VentilationRec],
    devices: list[DeviceRec],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Summary, ventilation and capacities of one hospital from who lies where (``occupied``
    bed ids) and, for now, each bed's status; for a past day ``status`` is None and a bed in
    service is free when nobody lies in it."""
    beds = [b for w in hospital.wards for b in w.beds if b.category in ICU]
    ecmo = {d.bed.id for d in devices if d.kind == ECMO_UNIT and d.active}
    ventilator = {d.bed.id for d in devices if d.kind == VENTILATOR and d.active}

    def state(bed: Bed) -> str:
        if status is not None:
            return status[bed.id]
        if not in_service[bed.id]:
            return "C"
        return "O" if bed.id in occupied else "U"

    rows = []
    for category in DIVI_CATEGORIES:
        for age in AGE_GROUPS:
            chosen = [
                b
                for b in beds
                if b.age_group == age
                and (b.id in ecmo if category == "ecmo" else b.category == category)
            ]
            states = [state(b) for b in chosen]
            rows.append(
                {
                    "category": category,
                    "age_group": age,
                    "beds": sum(s != "C" for s in states),
                    "occupied": sum(s == "O" for s in states),
                    "free": sum(s == "U" for s in states),
                    "blocked": sum(s in ("H", "I", "K") for s in states),
                }
            )
    patients: dict[tuple[str, str], set[str]] = {}
    for v in ventilated:
        patients.setdefault((v.mode, v.bed.age_group), set()).add(v.encounter.patient.id)
    ventilation = pd.DataFrame(
        [
            {"mode": m, "age_group": a, "patients": len(patients.get((m, a), ()))}
            for m in VENTILATION_MODES
            for a in AGE_GROUPS
        ]
    )
    capacity = {
        "free_iv": sum(
            1
            for b in beds
            if b.category == "icu-high-care" and b.id in ventilator and state(b) == "U"
        ),
        "free_ecmo": sum(1 for b in beds if b.id in ecmo and state(b) == "U"),
        "reserve_7d": sum(1 for b in beds if state(b) == "C"),
    }
    return pd.DataFrame(rows), ventilation, capacity


def _truth(
    summary: pd.DataFrame, ventilation: pd.DataFrame, capacity: dict[str, int]
) -> dict[str, Any]:
    return {
        "beds": {
            f"{r.category}|{r.age_group}": {
                "beds": int(r.beds),
                "occupied": int(r.occupied),
                "free": int(r.free),
                "blocked": int(r.blocked),
                "status": divi_status(r.beds, r.free),
            }
            for r in summary.itertuples(index=False)
        },
        "ventilation": {
            f"{r.mode}|{r.age_group}": int(r.patients) for r in ventilation.itertuples(index=False)
        },
        **capacity,
    }


def generate_intensive(
    hospitals: list[Hospital],
    encounters: list[EncounterRec],
    status: dict[str, str],
    reasons: dict[str, str],
    window_start: Instant,
    as_of: Instant,
    rng: random.Random,
) -> Intensive:
    """Devices, ventilations, the 29 days of reports and the ground truth ``divi``:
    ``now[hospital_id]`` (beds per ``<category>|<age group>`` with ``status``, ``ventilation``
    per ``<mode>|<age group>``, ``free_iv``, ``free_ecmo``, ``reserve_7d``) and
    ``history[hospital_id][date]`` (the same figures of each stored report)."""
    devices = _devices(hospitals, status, reasons)
    ecmo_beds = {d.bed.id for d in devices if d.kind == ECMO_UNIT and d.active}
    inpatient = [e for e in encounters if e.stay.cls == "IMP"]
    ventilations = _ventilations(inpatient, ecmo_beds, window_start, rng)
    periods = [p for e in inpatient for p in e.periods if p.bed is not None]
    out = Intensive(devices=devices, ventilations=ventilations, truth={"now": {}, "history": {}})
    today = berlin_date(as_of)
    for hospital in hospitals:
        mine = [d for d in devices if d.hospital is hospital]
        icu_beds = [b for w in hospital.wards for b in w.beds if b.category in ICU]
        if not icu_beds:
            continue
        in_service = {b.id: status[b.id] != "C" for b in icu_beds}
        keys = {b.id for b in icu_beds}
        current = [v for v in ventilations if v.end is None and v.bed.id in keys]
        now_figures = _figures(hospital, in_service, status, set(), current, mine)
        out.truth["now"][hospital.id] = _truth(*now_figures)
        history: dict[str, Any] = {}
        for back in range(HISTORY_DAYS, 0, -1):
            day = today - timedelta(days=back)
            noon = at_local(day, 12)
            occupied = {
                p.bed.id for p in periods if p.bed.id in keys and _covers(p.start, p.end, noon)
            }
            running = [
                v for v in ventilations if v.bed.id in keys and _covers(v.start, v.end, noon)
            ]
            summary, ventilation, capacity = _figures(
                hospital, in_service, None, occupied, running, mine
            )
            high = summary[
                (summary["category"] == "icu-high-care") & (summary["age_group"] == "adult")
            ]
            # A hospital whose high care was full that day reports limited operation for staff.
            full = bool((high["free"] == 0).all())
            situation = {
                "situation": "TEILWEISE_EINGESCHRAENKT" if full else "REGULAERER_BETRIEB",
                "limits": ("personal",) if full else (),
            }
            moment = pd.Timestamp(fhir_datetime(noon))
            out.reports.append(
                divi_measure_report(
                    summary,
                    ventilation,
                    capacity,
                    situation,
                    hospital.id,
                    hospital.name,
                    moment,
                    moment,
                )
            )
            history[day.isoformat()] = {
                **_truth(summary, ventilation, capacity),
                "situation": situation["situation"],
            }
        out.truth["history"][hospital.id] = history
    return out


__all__ = [
    "DeviceRec",
    "Intensive",
    "VentilationRec",
    "device_resource",
    "generate_intensive",
    "ventilation_resource",
]
