"""The numbers the dashboard must show, computed from the simulation records (not from FHIR).

Conventions (also in docs/DATA_MODEL.md):
- census: a ward period counts at a midnight when start <= midnight < end (open periods: no end);
  the dates are the Berlin dates whose midnight lies in the 90-day window up to as-of;
- admissions / discharges: inpatient stays whose first / last ward was the ward, by the Berlin
  date of the stay's start / end (discharges only for finished stays), on the same dates;
- a task is open when requested, ready or in-progress, overdue when open and due before as-of.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from demo_data.admissions import Admissions, admission_truth
from demo_data.clinical import Clinical
from demo_data.codes import DOCUMENT_TYPES, NO_KNOWN_ALLERGY, SYS_ISOLATION
from demo_data.hospitals import Hospital
from demo_data.records import DocumentRec, EncounterRec, PatientRec, TaskRec
from demo_data.safety import Safety
from demo_data.simulate import Simulation
from demo_data.timeutil import Instant, berlin_date, date_range, fhir_datetime, midnight
from demo_data.transfers import Transfers, transfer_truth

STATUS_CODES = ("O", "U", "C", "H", "I", "K")
CATEGORIES = ("icu-high-care", "icu-low-care", "imc", "general")
# Medication is MedicationRequest in the flat shape and MedicationAdministration in the MII shape:
# one of them per medication record either way. Encounter counts stays (Einrichtungskontakte).
PATIENT_KINDS = (
    "Encounter",
    "Condition",
    "Procedure",
    "MedicationRequest",
    "MedicationAdministration",
    "Observation",
    "ServiceRequest",
    "Task",
    "AllergyIntolerance",
    "Flag",
    "MedicationStatement",
    "DocumentReference",
)


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
    safety: Safety | None = None,
    documents: list[DocumentRec] | None = None,
    transfers: Transfers | None = None,
    queued: Admissions | None = None,
    ventilations: list | None = None,
) -> dict[str, Any]:
    """The ground truth structure of docs/DATA_MODEL.md plus per-ward bed detail and totals."""
    safety = safety or Safety()
    transfers = transfers or Transfers()
    queued = queued or Admissions()
    documents = documents if "DocumentReference" in kinds else []
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
        for task in clinical.all_tasks:
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
    # The isolation flags of whoever lies in each bed now (active flags of the current stay).
    bed_flags: dict[str, list[str]] = {}
    if "Flag" in kinds:
        in_bed = {
            period.bed.id: record.id
            for record in encounters
            if record.current
            for period in record.periods
            if period.end is None
        }
        flagged: dict[str, list[str]] = {}
        for flag in safety.flags:
            if flag.active and flag.system == SYS_ISOLATION:
                flagged.setdefault(flag.encounter.id, []).append(flag.code)
        bed_flags = {
            bed: sorted(flagged[encounter])
            for bed, encounter in sorted(in_bed.items())
            if encounter in flagged
        }

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
        ("Procedure", [*clinical.procedures, *(ventilations or ())]),
        ("MedicationRequest", clinical.medications),
        ("MedicationAdministration", clinical.medications),
        ("Observation", clinical.observations),
        ("Task", clinical.all_tasks),
        ("Flag", safety.flags),
        ("DocumentReference", documents),
    ):
        if kind in kinds:
            for item in items:
                by_patient[item.encounter.patient.id][kind] += 1
    for kind in ("ServiceRequest", "Task"):
        if kind in kinds:
            for request in transfers.requests:
                by_patient[request.ask.patient_id][kind] += 1
    for kind in ("Encounter", "Task"):
        if kind in kinds:
            for waiting in queued.waiting:
                by_patient[waiting.patient.id][kind] += 1
    for kind, listed in (
        ("Condition", safety.problems),
        ("AllergyIntolerance", safety.allergies),
        ("MedicationStatement", safety.statements),
    ):
        if kind in kinds:
            for entry in listed:
                by_patient[entry.patient.id][kind] += 1

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
        "bed_block_reasons": dict(sorted(simulation.block_reason.items())),
        "bed_flags": bed_flags,
        "bed_turnaround": _turnaround(wards, clinical.cleaning if "Task" in kinds else []),
        "patient_resources": patient_resources,
        "safety": _safety_truth(patients, clinical, safety, kinds),
        "documents": _document_truth(documents),
        **transfer_truth(transfers),
        **admission_truth(queued),
        "totals": totals,
    }


def _turnaround(wards: list, cleaning: list[TaskRec]) -> dict[str, dict[str, Any]]:
    """Per ward with cleanings: how many beds were cleaned (completed cleaning tasks), the
    median minutes from the patient leaving (``authoredOn``) to the bed being free again
    (``executionPeriod.end``), every cleaning as ``[finished, minutes]`` (so a reader can take
    any window) and ``open``: the cleaning tasks still waiting or under way."""
    done: dict[str, list[tuple[Instant, float]]] = {ward.id: [] for ward in wards}
    waiting = {ward.id: 0 for ward in wards}
    for task in cleaning:
        if task.finished is not None:
            done[task.ward.id].append((task.finished, (task.finished - task.authored) / 60))
        elif task.is_open:
            waiting[task.ward.id] += 1
    return {
        ward: {
            "cleaned": len(values),
            "median_minutes": statistics.median(m for _, m in values) if values else None,
            "open": waiting[ward],
            "cleanings": [
                [fhir_datetime(finished), minutes] for finished, minutes in sorted(values)
            ],
        }
        for ward, values in done.items()
        if values or waiting[ward]
    }


def _safety_truth(
    patients: list[PatientRec],
    clinical: Clinical,
    safety: Safety,
    kinds: list[str],
) -> dict[str, dict[str, Any]]:
    """Per person (KVNR) what the safety header, problem list and medication list must show.

    ``allergy_state``: ``known`` (some allergy recorded), ``none_known`` (only statements that
    none is known) or ``not_recorded``; ``allergies``: distinct substances; ``flags_active``:
    isolation codes of current stays; ``problems_active``: ICD codes of active problem-list
    entries and of active diagnoses of current stays; ``problems_resolved``: resolved
    problem-list entries; ``medication_current``: ATC code -> hospitals that record it as taken
    now (active orders and home medication).
    """
    out: dict[str, dict[str, Any]] = {}
    hospital_of = {p.id: p.hospital.id for p in patients}

    def entry(patient: PatientRec) -> dict[str, Any]:
        return out.setdefault(
            patient.person.kvnr,
            {
                "allergy_state": "not_recorded",
                "allergies": [],
                "allergy_records": 0,
                "flags_active": [],
                "problems_active": [],
                "problems_resolved": [],
                "medication_current": {},
            },
        )

    for patient in patients:
        entry(patient)
    if "AllergyIntolerance" in kinds:
        for allergy in safety.allergies:
            person = entry(allergy.patient)
            person["allergy_records"] += 1
            if allergy.substance == NO_KNOWN_ALLERGY:
                if person["allergy_state"] == "not_recorded":
                    person["allergy_state"] = "none_known"
            else:
                person["allergy_state"] = "known"
                if allergy.substance.code not in person["allergies"]:
                    person["allergies"].append(allergy.substance.code)
    if "Flag" in kinds:
        for flag in safety.flags:
            if flag.active:
                entry(flag.encounter.patient)["flags_active"].append(flag.code)
    if "Condition" in kinds:
        for problem in safety.problems:
            key = "problems_active" if problem.clinical_status == "active" else "problems_resolved"
            entry(problem.patient)[key].append(problem.code.code)
        for condition in clinical.conditions:
            if condition.encounter.current and condition.clinical_status == "active":
                entry(condition.encounter.patient)["problems_active"].append(condition.code.code)
    current = []
    if "MedicationRequest" in kinds or "MedicationAdministration" in kinds:
        current += [
            (m.encounter.patient, m.code.code) for m in clinical.medications if m.status == "active"
        ]
    if "MedicationStatement" in kinds:
        current += [(s.patient, s.code.code) for s in safety.statements]
    for patient, atc in current:
        hospitals = entry(patient)["medication_current"].setdefault(atc, [])
        hospitals.append(hospital_of[patient.id])
    for person in out.values():
        for key in ("allergies", "flags_active", "problems_active", "problems_resolved"):
            person[key] = sorted(set(person[key]))
        # A problem active at one hospital is active, whatever another one says.
        person["problems_resolved"] = sorted(
            set(person["problems_resolved"]) - set(person["problems_active"])
        )
        person["medication_current"] = {
            atc: sorted(set(hospitals))
            for atc, hospitals in sorted(person["medication_current"].items())
        }
    return out


def _document_truth(documents: list[DocumentRec]) -> dict[str, list[dict[str, str]]]:
    """Per person (KVNR) their documents in the order written: id, stay, hospital, KDL type,
    how the content is kept (``inline``, ``binary-text``, ``binary-pdf``) and its title."""
    out: dict[str, list[dict[str, str]]] = {}
    for document in sorted(documents, key=lambda d: (d.date, d.id)):
        encounter = document.encounter
        out.setdefault(encounter.patient.person.kvnr, []).append(
            {
                "id": document.id,
                "encounter": encounter.id,
                "hospital": encounter.stay.hospital.id,
                "type": DOCUMENT_TYPES[document.kind].kdl.code,
                "storage": document.storage,
                "title": document.title,
            }
        )
    return out
