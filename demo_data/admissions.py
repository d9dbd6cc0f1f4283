"""Patients waiting on a ward for a bed at as-of: the ward admission queue.

Each ward gets a few: persons the hospital treated before who come back through the
emergency department (Encounter ``arrived``) or are announced as a transfer in (``planned``),
each with the admission Task of ``services.transfers.admission_resources`` (the same builder
the dashboard reads). The stays have no place yet, so no census, bed or admission figure of
the ground truth changes. Written in the flat shape only.

Drawn from a random generator of its own (``<seed>:admissions``), so every other resource and
figure is what it was without them.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from demo_data import codes as c
from demo_data.hospitals import Hospital
from demo_data.records import EncounterRec, PatientRec
from demo_data.resources import CLASS_DISPLAY, case_identifier, coding, concept, ref
from demo_data.timeutil import Instant, fhir_datetime, local
from services.transfers import admission_resources

# Waiting admissions per ward: enough that every ward's queue has something to place.
PER_WARD = 2
ORIGINS = (("notfall", "arrived", "Aufnahme aus der Notaufnahme"), ("verlegung", "planned", ""))
REASONS = ("Stationäre Aufnahme zur Diagnostik", "Weiterbehandlung", "Überwachung")
URGENCY = (("routine", 4), ("urgent", 3), ("asap", 1))


@dataclass
class AdmissionRec:
    ward_id: str
    patient: PatientRec
    origin: str
    urgency: str
    bed_category: str
    age_group: str
    encounter: dict[str, Any]
    task: dict[str, Any]


@dataclass
class Admissions:
    waiting: list[AdmissionRec] = field(default_factory=list)


def generate_admissions(
    hospitals: list[Hospital],
    patients: list[PatientRec],
    encounters: list[EncounterRec],
    as_of: Instant,
    rng: random.Random,
) -> Admissions:
    """``PER_WARD`` waiting admissions on every ward, of patients without a current stay."""
    busy = {e.patient.id for e in encounters if e.current}
    out = Admissions()
    for hospital in hospitals:
        idle = [p for p in patients if p.hospital.key == hospital.key and p.id not in busy]
        number = 0
        for ward in hospital.wards:
            kinds = Counter((bed.category, bed.age_group) for bed in ward.beds)
            if not kinds:
                continue
            (category, age_group), _ = kinds.most_common(1)[0]
            fitting = [
                p
                for p in idle
                if (local(as_of).year - p.person.birth_date.year >= 18) == (age_group == "adult")
            ]
            for patient in rng.sample(fitting, min(PER_WARD, len(fitting))):
                idle.remove(patient)
                number += 1
                origin, status, reason = ORIGINS[number % 2]
                urgency = rng.choices([u for u, _ in URGENCY], [w for _, w in URGENCY])[0]
                authored = as_of - 60 * rng.randint(10, 240)
                encounter = {
                    "resourceType": "Encounter",
                    "id": f"enc-{hospital.key}-q{number:04d}",
                    # The KIS numbers a case on arrival; a series apart from the stays' numbers.
                    "identifier": [case_identifier(hospital.iknr, f"{29_000_000 + number:08d}")],
                    "status": status,
                    "class": coding(c.SYS_ACT_CODE, "IMP", CLASS_DISPLAY["IMP"]),
                    "type": [
                        concept(c.SYS_KONTAKTEBENE, "einrichtungskontakt", "Einrichtungskontakt")
                    ],
                    "subject": ref("Patient", patient.id),
                    "hospitalization": {
                        "admitSource": concept(c.SYS_AUFNAHMEANLASS, origin, c.ADMIT_SOURCE[origin])
                    },
                    "serviceProvider": ref("Organization", hospital.id),
                    # Arrival in the emergency department, or when the transfer was announced.
                    "period": {"start": fhir_datetime(authored)},
                }
                task = admission_resources(
                    task_id=f"tsk-{hospital.key}-q{number:04d}",
                    encounter=encounter,
                    ward_id=ward.id,
                    hospital_id=hospital.id,
                    bed_category=category,
                    age_group=age_group,
                    sex=patient.person.gender,
                    isolation=(),
                    urgency=urgency,
                    reason=reason or rng.choice(REASONS),
                    origin=origin,
                    authored=local(authored),
                )
                out.waiting.append(
                    AdmissionRec(
                        ward.id, patient, origin, urgency, category, age_group, encounter, task
                    )
                )
    return out


def admission_truth(admissions: Admissions) -> dict[str, Any]:
    """``admission_queue[ward_id]``: every waiting admission of the ward by Task id."""
    queue: dict[str, dict[str, Any]] = {}
    for rec in admissions.waiting:
        queue.setdefault(rec.ward_id, {})[rec.task["id"]] = {
            "encounter": rec.encounter["id"],
            "patient": rec.patient.id,
            "origin": rec.origin,
            "urgency": rec.urgency,
            "bed_category": rec.bed_category,
            "age_group": rec.age_group,
            "sex": rec.patient.person.gender,
        }
    return {"admission_queue": queue}
