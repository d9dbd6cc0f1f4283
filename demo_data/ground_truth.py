"""The numbers the dashboard must show, computed from the simulation records (not from FHIR).

Conventions (also in docs/DATA_MODEL.md):
- census: a ward period counts at a midnight when start <= midnight < end (open periods: no end);
  the dates are the Berlin dates whose midnight lies in the 90-day window up to as-of;
- admissions / discharges: inpatient stays whose first / last ward was the ward, by the Berlin
  date of the stay's start / end (discharges only for finished stays), on the same dates;
- a task is open when requested, ready or in-progress, overdue when open and due before as-of.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from demo_data.clinical import Clinical
from demo_data.hospitals import Hospital
from demo_data.records import EncounterRec, PatientRec
from demo_data.simulate import Simulation
from demo_data.timeutil import Instant, berlin_date, date_range, midnight

STATUS_CODES = ("O", "U", "C", "H", "I", "K")
CATEGORIES = ("icu-high-care", "icu-low-care", "imc", "general")
PATIENT_KINDS = ("Encounter", "Condition", "Procedure", "MedicationRequest", "Observation", "Task")


def census_dates(window_start: Instant, as_of: Instant) -> list[str]:
    """ISO dates whose 00:00 Berlin lies in [window_start, as_of]."""
    first = berlin_date(window_start)
    if midnight(first) < window_start:
        first += timedelta(days=1)
    return [day.isoformat() for day in date_range(first, berlin_date(as_of))]


def _midnights_covered(start: Instant, end: Instant | None, last: Instant) -> Iterable[str]:
    """Berlin dates whose midnight falls in [start, end) (end None: up to ``last``)."""
    day = berlin_date(start)
    if midnight(day) < start:
        day += timedelta(days=1)
    while True:
        moment = midnight(day)
        if moment > last or (end is not None and moment >= end):
            return
        yield day.isoformat()
        day += timedelta(days=1)


def compute_ground_truth(
    simulation: Simulation,
    patients: list[PatientRec],
    encounters: list[EncounterRec],
    clinical: Clinical,
    kinds: list[str],
    counts: dict[str, int],
) -> dict[str, Any]:
    """The ground truth structure of docs/DATA_MODEL.md plus per-ward bed detail and totals."""
    as_of = simulation.as_of
    hospitals: list[Hospital] = simulation.hospitals
    wards = [ward for hospital in hospitals for ward in hospital.wards]
    dates = census_dates(simulation.window_start, as_of)
    census = {ward.id: dict.fromkeys(dates, 0) for ward in wards}
    admissions = {ward.id: dict.fromkeys(dates, 0) for ward in wards}
    discharges = {ward.id: dict.fromkeys(dates, 0) for ward in wards}
    census_now = {ward.id: 0 for ward in wards}
    inpatient = [e for e in encounters if e.stay.cls == "IMP" and e.periods]
    for record in inpatient:
        for period in record.periods:
            for day in _midnights_covered(period.start, period.end, as_of):
                if day in census[period.ward.id]:
                    census[period.ward.id][day] += 1
            if period.end is None:
                census_now[period.ward.id] += 1
        admitted = berlin_date(record.stay.start).isoformat()
        if admitted in admissions[record.periods[0].ward.id]:
            admissions[record.periods[0].ward.id][admitted] += 1
        if not record.current:
            left = berlin_date(record.stay.end).isoformat()
            if left in discharges[record.periods[-1].ward.id]:
                discharges[record.periods[-1].ward.id][left] += 1

    tasks_open = {ward.id: 0 for ward in wards}
    tasks_overdue = {ward.id: 0 for ward in wards}
    if "Task" in kinds:
        for task in clinical.tasks:
            if task.is_open:
                tasks_open[task.ward.id] += 1
                if task.is_overdue(as_of):
                    tasks_overdue[task.ward.id] += 1

    status = simulation.bed_status
    bed_status = {h.id: dict.fromkeys(STATUS_CODES, 0) for h in hospitals}
    bed_status_by_ward = {ward.id: dict.fromkeys(STATUS_CODES, 0) for ward in wards}
    beds_by_ward: dict[str, dict[str, dict[str, int]]] = {}
    for hospital in hospitals:
        for ward in hospital.wards:
            detail: dict[str, dict[str, int]] = {}
            for bed in ward.beds:
                code = status[bed.id]
                bed_status[hospital.id][code] += 1
                bed_status_by_ward[ward.id][code] += 1
                per_category = detail.setdefault(bed.category, dict.fromkeys(STATUS_CODES, 0))
                per_category[code] += 1
            beds_by_ward[ward.id] = detail

    included = [kind for kind in PATIENT_KINDS if kind in kinds]
    patient_resources: dict[str, dict[str, dict[str, int]]] = {}
    by_patient: dict[str, dict[str, int]] = {}
    for record in patients:
        entry = {"Patient": 1, **dict.fromkeys(included, 0)}
        patient_resources.setdefault(record.person.kvnr, {})[record.hospital.id] = entry
        by_patient[record.id] = entry
    if "Encounter" in kinds:
        for record in encounters:
            by_patient[record.patient.id]["Encounter"] += 1
    for kind, items in (
        ("Condition", clinical.conditions),
        ("Procedure", clinical.procedures),
        ("MedicationRequest", clinical.medications),
        ("Observation", clinical.observations),
        ("Task", clinical.tasks),
    ):
        if kind in kinds:
            for item in items:
                by_patient[item.encounter.patient.id][kind] += 1

    classes: dict[str, int] = {}
    for record in encounters:
        classes[record.stay.cls] = classes.get(record.stay.cls, 0) + 1
    multi = sum(1 for per_hospital in patient_resources.values() if len(per_hospital) > 1)
    all_beds = [bed for ward in wards for bed in ward.beds]
    totals = {
        "resources": counts,
        "resources_total": sum(counts.values()),
        "hospitals": len(hospitals),
        "wards": len(wards),
        "rooms": sum(len(ward.rooms) for ward in wards),
        "beds": len(all_beds),
        "bed_status": {code: sum(s[code] for s in bed_status.values()) for code in STATUS_CODES},
        "inpatients_now": sum(census_now.values()),
        "encounters_by_class": dict(sorted(classes.items())),
        "encounters_in_progress": sum(1 for record in encounters if record.current),
        "inter_hospital_transfers": sum(
            1
            for record in encounters
            if not record.current and record.stay.discharge == "verlegung"
        ),
        "persons": len(patient_resources),
        "persons_at_several_hospitals": multi,
        "patients": len(patients),
        "tasks_open": sum(tasks_open.values()),
        "tasks_overdue": sum(tasks_overdue.values()),
    }
    return {
        "as_of": None,
        "census_dates": dates,
        "census": census,
        "census_now": census_now,
        "admissions": admissions,
        "discharges": discharges,
        "tasks_open": tasks_open,
        "tasks_overdue": tasks_overdue,
        "bed_status": bed_status,
        "bed_status_by_ward": bed_status_by_ward,
        "beds_by_ward": beds_by_ward,
        "patient_resources": patient_resources,
        "totals": totals,
    }
