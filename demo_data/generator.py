"""``generate(seed, scale, as_of)``: the whole synthetic network, its manifest and ground truth."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from demo_data import resources as fhir
from demo_data.clinical import Clinical, generate_clinical
from demo_data.ground_truth import compute_ground_truth
from demo_data.hospitals import Hospital, build_hospitals
from demo_data.records import EncounterRec, PatientRec, WardPeriod
from demo_data.simulate import Simulation, simulate
from demo_data.staff import Staff, build_staff
from demo_data.timeutil import fhir_datetime, to_instant

PRESETS = {"test": 0.12, "demo": 1.0}
KINDS = (
    "Organization",
    "Location",
    "Practitioner",
    "PractitionerRole",
    "Patient",
    "Encounter",
    "Condition",
    "Procedure",
    "MedicationRequest",
    "Observation",
    "Task",
)
# What each kind references; generating a kind brings these along so references resolve.
REFERENCES = {
    "Organization": (),
    "Location": ("Organization",),
    "Practitioner": (),
    "PractitionerRole": ("Practitioner", "Organization", "Location"),
    "Patient": ("Organization",),
    "Encounter": ("Patient", "Organization", "Location", "Practitioner"),
    "Condition": ("Patient", "Encounter"),
    "Procedure": ("Patient", "Encounter"),
    "MedicationRequest": ("Patient", "Encounter", "Practitioner"),
    "Observation": ("Patient", "Encounter"),
    "Task": ("Patient", "Encounter", "Location", "Practitioner"),
}
FORMAT_VERSION = 1


def resolve_kinds(kinds: Iterable[str] | None) -> list[str]:
    """The requested kinds plus everything they reference, in load order."""
    if kinds is None:
        return list(KINDS)
    wanted: list[str] = []
    pending = list(kinds)
    while pending:
        kind = pending.pop()
        if kind not in REFERENCES:
            raise ValueError(f"unknown resource kind {kind!r}; known: {', '.join(KINDS)}")
        if kind not in wanted:
            wanted.append(kind)
            pending.extend(REFERENCES[kind])
    return [kind for kind in KINDS if kind in wanted]


@dataclass
class Network:
    """A generated network: the records, the FHIR resources per type, manifest and ground truth."""

    seed: int
    scale: float
    as_of: datetime
    kinds: list[str]
    hospitals: list[Hospital]
    staff: Staff
    simulation: Simulation
    patients: list[PatientRec]
    encounters: list[EncounterRec]
    clinical: Clinical
    resources: dict[str, list[dict[str, Any]]]
    manifest: dict[str, Any]
    ground_truth: dict[str, Any]

    def all_resources(self) -> Iterator[dict[str, Any]]:
        """Every resource in load order (referenced resources first)."""
        for kind in self.kinds:
            yield from self.resources[kind]


def _emit(
    simulation: Simulation, staff: Staff, rng: random.Random
) -> tuple[list[PatientRec], list[EncounterRec]]:
    """Contacts overlapping the window, numbered per hospital, with their Patient records."""
    as_of = simulation.as_of
    order = {hospital.key: index for index, hospital in enumerate(simulation.hospitals)}
    emitted = [s for s in simulation.stays if s.start < as_of and s.end > simulation.window_start]
    emitted.sort(key=lambda s: (order[s.hospital.key], s.start, s.index))
    patients: dict[tuple[int, str], PatientRec] = {}
    counters: dict[str, int] = {}
    encounters = []
    for stay in emitted:
        key = stay.hospital.key
        patient_key = (stay.person.index, key)
        if patient_key not in patients:
            counters[f"pat-{key}"] = counters.get(f"pat-{key}", 0) + 1
            number = counters[f"pat-{key}"]
            patients[patient_key] = PatientRec(
                id=f"pat-{key}-{number:06d}",
                person=stay.person,
                hospital=stay.hospital,
                number=f"{40_000_000 + number * 7:08d}",
            )
        counters[f"enc-{key}"] = counters.get(f"enc-{key}", 0) + 1
        number = counters[f"enc-{key}"]
        periods = [
            WardPeriod(s.ward, s.bed, s.start, None if s.end > as_of else s.end)
            for s in stay.segments
            if s.start < as_of
        ]
        encounters.append(
            EncounterRec(
                id=f"enc-{key}-{number:06d}",
                case_number=f"{25_000_000 + number:08d}",
                stay=stay,
                patient=patients[patient_key],
                attending=staff.physician(rng, key, stay.department),
                periods=periods,
                current=stay.end > as_of,
            )
        )
    return list(patients.values()), encounters


def _resources(
    kinds: list[str],
    simulation: Simulation,
    staff: Staff,
    patients: list[PatientRec],
    encounters: list[EncounterRec],
    clinical: Clinical,
) -> dict[str, list[dict[str, Any]]]:
    hospitals = simulation.hospitals
    wards = [(h, w) for h in hospitals for w in h.wards]
    builders = {
        "Organization": lambda: [fhir.organization(h) for h in hospitals],
        "Location": lambda: (
            [fhir.ward_location(h, w) for h, w in wards]
            + [fhir.room_location(h, r) for h, w in wards for r in w.rooms]
            + [
                fhir.bed_location(h, b, simulation.bed_status[b.id])
                for h, w in wards
                for b in w.beds
            ]
        ),
        "Practitioner": lambda: [fhir.practitioner(m) for m in staff.members],
        "PractitionerRole": lambda: [fhir.practitioner_role(m) for m in staff.members],
        "Patient": lambda: [fhir.patient(p) for p in patients],
        "Encounter": lambda: [fhir.encounter(e) for e in encounters],
        "Condition": lambda: [fhir.condition(x) for x in clinical.conditions],
        "Procedure": lambda: [fhir.procedure(x) for x in clinical.procedures],
        "MedicationRequest": lambda: [fhir.medication_request(x) for x in clinical.medications],
        "Observation": lambda: [fhir.observation(x) for x in clinical.observations],
        "Task": lambda: [fhir.task(x) for x in clinical.tasks],
    }
    return {kind: builders[kind]() for kind in kinds}


def _manifest(
    seed: int, scale: float, simulation: Simulation, kinds: list[str], counts: dict[str, int]
) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "seed": seed,
        "scale": scale,
        "preset": next((name for name, value in PRESETS.items() if value == scale), None),
        "as_of": fhir_datetime(simulation.as_of),
        "window_start": fhir_datetime(simulation.window_start),
        "kinds": kinds,
        "hospitals": [
            {
                "id": hospital.id,
                "key": hospital.key,
                "name": hospital.name,
                "short_name": hospital.short_name,
                "iknr": hospital.iknr,
                "city": hospital.city,
                "wards": [
                    {
                        "id": ward.id,
                        "alias": ward.alias,
                        "name": ward.name,
                        "department": ward.department,
                        "kind": ward.kind,
                        "beds": len(ward.beds),
                    }
                    for ward in hospital.wards
                ],
            }
            for hospital in simulation.hospitals
        ],
        "counts": counts,
        "total": sum(counts.values()),
    }


def generate(
    seed: int, scale: float, as_of: datetime, kinds: Iterable[str] | None = None
) -> Network:
    """Generate the network for ``seed`` and ``scale`` as seen at ``as_of``.

    Scale 1 is the demo network; the same seed, scale and as-of always give the same network.
    ``kinds`` limits the resource types (their referenced types come along).
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    chosen = resolve_kinds(kinds)
    instant = to_instant(as_of)
    hospitals = build_hospitals(scale)
    simulation = simulate(hospitals, instant, random.Random(f"{seed}:simulate"))
    staff = build_staff(hospitals, random.Random(f"{seed}:staff"))
    patients, encounters = _emit(simulation, staff, random.Random(f"{seed}:attending"))
    clinical = Clinical()
    if any(kind in chosen for kind in KINDS[6:]):
        clinical = generate_clinical(encounters, staff, instant, random.Random(f"{seed}:clinical"))
    resources = _resources(chosen, simulation, staff, patients, encounters, clinical)
    counts = {kind: len(resources[kind]) for kind in chosen}
    ground_truth = compute_ground_truth(simulation, patients, encounters, clinical, chosen, counts)
    ground_truth["as_of"] = fhir_datetime(instant)
    return Network(
        seed=seed,
        scale=scale,
        as_of=as_of,
        kinds=chosen,
        hospitals=hospitals,
        staff=staff,
        simulation=simulation,
        patients=patients,
        encounters=encounters,
        clinical=clinical,
        resources=resources,
        manifest=_manifest(seed, scale, simulation, chosen, counts),
        ground_truth=ground_truth,
    )
