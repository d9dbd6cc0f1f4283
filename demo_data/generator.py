"""``generate(seed, scale, as_of)``: the whole synthetic network, its manifest and ground truth."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from demo_data import mii
from demo_data import resources as fhir
from demo_data.acuity import Acuity, generate_acuity
from demo_data.admissions import Admissions, generate_admissions
from demo_data.cleaning import generate_cleaning
from demo_data.clinical import Clinical, generate_clinical
from demo_data.discharge import discharge_truth, plan_discharges
from demo_data.documents import generate_documents
from demo_data.ground_truth import compute_ground_truth
from demo_data.hospitals import Hospital, build_hospitals
from demo_data.intensive import (
    Intensive,
    device_resource,
    generate_intensive,
    ventilation_resource,
)
from demo_data.nursing import Nursing, generate_nursing
from demo_data.records import DocumentRec, EncounterRec, PatientRec, WardPeriod
from demo_data.roster import Roster, generate_roster, staffing_truth
from demo_data.safety import Safety, generate_safety
from demo_data.simulate import Simulation, simulate
from demo_data.staff import Staff, build_staff
from demo_data.timeutil import fhir_datetime, to_instant
from demo_data.transfers import Transfers, generate_transfers

PRESETS = {"test": 0.12, "demo": 1.0}
SHAPES = ("flat", "mii")
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
    "ServiceRequest",
    "Task",
    "AllergyIntolerance",
    "Flag",
    "MedicationStatement",
    "Binary",
    "DocumentReference",
    "Appointment",
    "Device",
    "MeasureReport",
)
# The MII shape gives medication as administrations of catalogue Medications.
MII_KINDS = (
    *KINDS[:8],
    "Medication",
    "MedicationAdministration",
    *KINDS[9:],
)
KINDS_BY_SHAPE = {"flat": KINDS, "mii": MII_KINDS}
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
    "Medication": (),
    "MedicationAdministration": ("Patient", "Encounter", "Medication"),
    "Observation": ("Patient", "Encounter"),
    "ServiceRequest": ("Patient", "Encounter", "Practitioner", "Organization"),
    "Task": (
        "ServiceRequest",
        "Organization",
        "Patient",
        "Encounter",
        "Location",
        "Practitioner",
        "Procedure",
        "MedicationRequest",
        "MedicationAdministration",
    ),
    "AllergyIntolerance": ("Patient", "Encounter"),
    "Flag": ("Patient", "Encounter"),
    "MedicationStatement": ("Patient",),
    "Binary": ("Patient",),
    "DocumentReference": ("Patient", "Encounter", "Practitioner", "Organization", "Binary"),
    "Appointment": ("Location", "PractitionerRole"),
    "Device": ("Organization", "Location"),
    "MeasureReport": ("Organization",),
}
# Kinds that carry what ``demo_data.intensive`` draws (ventilations are Procedures).
INTENSIVE_KINDS = ("Procedure", "Device", "MeasureReport")
# Kinds that carry what ``demo_data.safety`` draws (problem-list Conditions among the Conditions).
SAFETY_KINDS = ("Condition", "AllergyIntolerance", "Flag", "MedicationStatement")
# Kinds that carry the transfer requests between hospitals (``demo_data.transfers``).
TRANSFER_KINDS = ("ServiceRequest", "Task")
# Kinds that carry what ``demo_data.documents`` writes; a letter names the home medication too.
DOCUMENT_KINDS = ("Binary", "DocumentReference")
FORMAT_VERSION = 1


def resolve_kinds(kinds: Iterable[str] | None, shape: str = "flat") -> list[str]:
    """The requested kinds of ``shape`` plus everything they reference, in load order."""
    if shape not in KINDS_BY_SHAPE:
        raise ValueError(f"unknown shape {shape!r}; known: {', '.join(SHAPES)}")
    known = KINDS_BY_SHAPE[shape]
    if kinds is None:
        return list(known)
    wanted: list[str] = []
    pending = list(kinds)
    while pending:
        kind = pending.pop()
        if kind not in known:
            raise ValueError(
                f"unknown resource kind {kind!r} for the {shape} shape; known: {', '.join(known)}"
            )
        if kind not in wanted:
            wanted.append(kind)
            # A kind the shape lacks (MII has no MedicationRequest) is not referenced there.
            pending.extend(r for r in REFERENCES[kind] if r in known)
    return [kind for kind in known if kind in wanted]


@dataclass
class Network:
    """A generated network: the records, the FHIR resources per type, manifest and ground truth."""

    seed: int
    scale: float
    as_of: datetime
    shape: str
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
    mii: mii.MiiRecords | None = None
    safety: Safety | None = None
    documents: list[DocumentRec] | None = None
    roster: Roster | None = None
    transfers: Transfers | None = None
    admissions: Admissions | None = None

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


Builders = dict[str, Callable[[], list[dict[str, Any]]]]


def _builders(
    simulation: Simulation,
    staff: Staff,
    patients: list[PatientRec],
    encounters: list[EncounterRec],
    clinical: Clinical,
    safety: Safety,
    documents: list[DocumentRec],
    roster: Roster,
    transfers: Transfers,
    admissions: Admissions,
    intensive: Intensive,
) -> Builders:
    """Per kind, how the flat shape writes it; called only for the kinds generated."""
    hospitals = simulation.hospitals
    wards = [(h, w) for h in hospitals for w in h.wards]
    return {
        "Organization": lambda: [fhir.organization(h) for h in hospitals],
        "Location": lambda: (
            [fhir.ward_location(h, w) for h, w in wards]
            + [fhir.room_location(h, r) for h, w in wards for r in w.rooms]
            + [
                fhir.bed_location(
                    h, b, simulation.bed_status[b.id], simulation.block_reason.get(b.id)
                )
                for h, w in wards
                for b in w.beds
            ]
        ),
        "Practitioner": lambda: [fhir.practitioner(m) for m in (*staff.members, *roster.pool)],
        "PractitionerRole": lambda: [
            fhir.practitioner_role(m) for m in (*staff.members, *roster.pool)
        ],
        "Patient": lambda: [fhir.patient(p) for p in patients],
        "Encounter": lambda: (
            [fhir.encounter(e) for e in encounters] + [x.encounter for x in admissions.waiting]
        ),
        "Condition": lambda: (
            [fhir.condition(x) for x in clinical.conditions]
            + [fhir.problem(x) for x in safety.problems]
        ),
        "Procedure": lambda: (
            [fhir.procedure(x) for x in clinical.procedures]
            + [ventilation_resource(x) for x in intensive.ventilations]
        ),
        "MedicationRequest": lambda: [fhir.medication_request(x) for x in clinical.medications],
        "Observation": lambda: [fhir.observation(x) for x in clinical.observations],
        "ServiceRequest": lambda: [x.resources[0] for x in transfers.requests],
        "Task": lambda: (
            [fhir.task(x) for x in clinical.all_tasks]
            + [x.resources[1] for x in transfers.requests]
            + [x.task for x in admissions.waiting]
        ),
        "AllergyIntolerance": lambda: [fhir.allergy_intolerance(x) for x in safety.allergies],
        "Flag": lambda: [fhir.flag(x) for x in safety.flags],
        "MedicationStatement": lambda: [fhir.medication_statement(x) for x in safety.statements],
        "Binary": lambda: [fhir.binary(x) for x in documents if x.binary_id],
        "DocumentReference": lambda: [fhir.document_reference(x) for x in documents],
        "Appointment": lambda: [fhir.duty_shift(x, simulation.as_of) for x in roster.shifts],
        "Device": lambda: [device_resource(x) for x in intensive.devices],
        "MeasureReport": lambda: list(intensive.reports),
    }


def _mii_builders(
    simulation: Simulation,
    patients: list[PatientRec],
    encounters: list[EncounterRec],
    clinical: Clinical,
    safety: Safety,
    transfers: Transfers,
    intensive: Intensive,
    records: mii.MiiRecords,
) -> Builders:
    """Where the MII shape writes other FHIR than the flat one (``demo_data.mii``): ISiK
    locations, pseudonyms, contact levels, clinical resources pointing at a level, medication
    as administrations. Every other kind is written alike: a problem-list item names no
    contact, a document and a transfer request name the stay, whose id both shapes share."""
    wards = [(h, w) for h in simulation.hospitals for w in h.wards]
    return {
        "Location": lambda: (
            [mii.ward_location(h, w) for h, w in wards]
            + [mii.room_location(h, w, r) for h, w in wards for r in w.rooms]
            + [
                mii.bed_location(
                    h, b, simulation.bed_status[b.id], simulation.block_reason.get(b.id)
                )
                for h, w in wards
                for b in w.beds
            ]
        ),
        "Patient": lambda: [mii.patient(p, records.pseudonyms.get(p.id)) for p in patients],
        # The waiting admissions are written in the flat shape only (docs/DATA_MODEL.md).
        "Encounter": lambda: [r for e in encounters for r in mii.encounters(e, records)],
        "Condition": lambda: (
            [mii.condition(x, records) for x in clinical.conditions]
            + [fhir.problem(x) for x in safety.problems]
        ),
        "Procedure": lambda: (
            [mii.procedure(x, records) for x in clinical.procedures]
            + [mii.ventilation(x, records) for x in intensive.ventilations]
        ),
        "Medication": lambda: [
            mii.medication(key, code) for (key, _), code in records.medications.items()
        ],
        "MedicationAdministration": lambda: [
            mii.medication_administration(x, records) for x in clinical.medications
        ],
        "Observation": lambda: [mii.observation(x, records) for x in clinical.observations],
        "Task": lambda: (
            [mii.task(x, records) for x in clinical.all_tasks]
            + [x.resources[1] for x in transfers.requests]
        ),
    }


def _manifest(
    seed: int,
    scale: float,
    shape: str,
    simulation: Simulation,
    kinds: list[str],
    counts: dict[str, int],
) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "seed": seed,
        "scale": scale,
        "shape": shape,
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
    seed: int,
    scale: float,
    as_of: datetime,
    kinds: Iterable[str] | None = None,
    shape: str = "flat",
) -> Network:
    """Generate the network for ``seed`` and ``scale`` as seen at ``as_of``.

    Scale 1 is the demo network; the same seed, scale and as-of always give the same network.
    ``kinds`` limits the resource types (their referenced types come along). ``shape`` ``mii``
    writes the same people, stays, beds and tasks as MII Kerndatensatz / ISiK resources.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    chosen = resolve_kinds(kinds, shape)
    instant = to_instant(as_of)
    hospitals = build_hospitals(scale)
    simulation = simulate(hospitals, instant, random.Random(f"{seed}:simulate"))
    staff = build_staff(hospitals, random.Random(f"{seed}:staff"))
    patients, encounters = _emit(simulation, staff, random.Random(f"{seed}:attending"))
    plan_discharges(encounters, instant, random.Random(f"{seed}:discharge"))
    clinical = Clinical()
    if any(kind in chosen for kind in KINDS_BY_SHAPE[shape][6:]):
        clinical = generate_clinical(encounters, staff, instant, random.Random(f"{seed}:clinical"))
    if "Task" in chosen:
        clinical.cleaning = generate_cleaning(
            encounters, staff, instant, random.Random(f"{seed}:cleaning")
        )
    safety = Safety()
    if any(kind in chosen for kind in (*SAFETY_KINDS, *DOCUMENT_KINDS)):
        safety = generate_safety(patients, encounters, instant, random.Random(f"{seed}:safety"))
    acuity = Acuity()
    if "Observation" in chosen:
        acuity = generate_acuity(
            encounters,
            clinical,
            instant,
            random.Random(f"{seed}:acuity"),
            with_flags="Flag" in chosen,
        )
        safety.flags.extend(acuity.flags)
    documents: list[DocumentRec] = []
    if any(kind in chosen for kind in DOCUMENT_KINDS):
        documents = generate_documents(
            encounters, clinical, safety, instant, random.Random(f"{seed}:documents")
        )
    # The roster's pool nurses are Practitioners too, so it is drawn whenever staff is written.
    roster = Roster()
    if any(kind in chosen for kind in ("Practitioner", "Appointment")):
        roster = generate_roster(
            hospitals,
            staff,
            simulation.window_start,
            instant,
            random.Random(f"{seed}:roster"),
        )
    transfers = Transfers()
    if any(kind in chosen for kind in TRANSFER_KINDS):
        transfers = generate_transfers(
            hospitals, encounters, safety.flags, instant, random.Random(f"{seed}:transfers")
        )
    # The waiting admissions are written in the flat shape only (docs/DATA_MODEL.md).
    admissions = Admissions()
    if shape == "flat" and all(kind in chosen for kind in ("Encounter", "Task")):
        admissions = generate_admissions(
            hospitals, patients, encounters, instant, random.Random(f"{seed}:admissions")
        )
    intensive = Intensive()
    if any(kind in chosen for kind in INTENSIVE_KINDS):
        intensive = generate_intensive(
            hospitals,
            encounters,
            simulation.bed_status,
            simulation.block_reason,
            simulation.window_start,
            instant,
            random.Random(f"{seed}:intensive"),
        )
    if "Procedure" not in chosen:
        intensive.ventilations = []
    # Drawn after every other kind, from a stream of its own: nothing else changes with it.
    nursing = Nursing()
    if all(kind in chosen for kind in ("Flag", "Observation")):
        nursing = generate_nursing(encounters, instant, random.Random(f"{seed}:nursing"))
        safety.flags.extend(nursing.flags)
        clinical.observations.extend(nursing.observations)
    builders = _builders(
        simulation,
        staff,
        patients,
        encounters,
        clinical,
        safety,
        documents,
        roster,
        transfers,
        admissions,
        intensive,
    )
    records = None
    if shape == "mii":
        records = mii.build_mii_records(
            patients, encounters, clinical, random.Random(f"{seed}:pseudonym")
        )
        builders |= _mii_builders(
            simulation, patients, encounters, clinical, safety, transfers, intensive, records
        )
    resources = {kind: builders[kind]() for kind in chosen}
    counts = {kind: len(resources[kind]) for kind in chosen}
    ground_truth = compute_ground_truth(
        simulation,
        patients,
        encounters,
        clinical,
        chosen,
        counts,
        safety,
        documents,
        transfers,
        admissions,
        intensive.ventilations,
    )
    ground_truth["as_of"] = fhir_datetime(instant)
    ground_truth["discharge_flow"] = discharge_truth(encounters, simulation.window_start, instant)
    if "Observation" in chosen:
        ground_truth["news2"] = acuity.truth
    if nursing.truth:
        ground_truth["nursing"] = nursing.truth
    if "Appointment" in chosen:
        ground_truth["staffing"] = staffing_truth(roster, encounters, instant)
    if intensive.truth:
        ground_truth["divi"] = intensive.truth
    if records is not None:
        ground_truth["mii"] = mii.ground_truth(patients, encounters, records, chosen)
    return Network(
        seed=seed,
        scale=scale,
        as_of=as_of,
        shape=shape,
        kinds=chosen,
        hospitals=hospitals,
        staff=staff,
        simulation=simulation,
        patients=patients,
        encounters=encounters,
        clinical=clinical,
        resources=resources,
        manifest=_manifest(seed, scale, shape, simulation, chosen, counts),
        ground_truth=ground_truth,
        mii=records,
        safety=safety,
        documents=documents,
        roster=roster,
        transfers=transfers,
        admissions=admissions,
    )
