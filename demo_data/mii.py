"""The MII shape: the same network written as MII Kerndatensatz and ISiK sources serve it.

Same records, other FHIR: every stay becomes an Einrichtungskontakt with one Abteilungskontakt
per department period and one Versorgungsstellenkontakt per ward period (``Encounter.partOf``);
wards, rooms and beds carry ISiK profiles and catalogue identifiers; medication is a
MedicationAdministration of a Medication; a share of persons is pseudonymised (no name, no KVNR,
birth month only, a pseudonym). Which level a clinical resource references (``REFERENCE_LEVELS``):
Condition and Procedure the Abteilungskontakt at the recorded / performed time;
MedicationAdministration, Observation and Task the Versorgungsstellenkontakt at that time (short
contacts have none; they would take their Abteilungskontakt).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from demo_data import codes as c
from demo_data import resources as fhir
from demo_data.clinical import Clinical
from demo_data.hospitals import Bed, Hospital, Room, Ward
from demo_data.intensive import VentilationRec, ventilation_resource
from demo_data.records import (
    ConditionRec,
    DepartmentContact,
    EncounterRec,
    MedicationRec,
    ObservationRec,
    PatientRec,
    ProcedureRec,
    TaskRec,
    WardContact,
    WardPeriod,
)
from demo_data.timeutil import Instant

Resource = dict[str, Any]
PSEUDONYMISED_SHARE = 0.2
# Every third Abteilungskontakt names its Einrichtungskontakt by case number only, as the
# Heidelberg export does for about half of them.
LOGICAL_PART_OF_EVERY = 3
LEVELS = ("einrichtungskontakt", "abteilungskontakt", "versorgungsstellenkontakt")
LEVEL_DISPLAY = {
    "einrichtungskontakt": "Einrichtungskontakt",
    "abteilungskontakt": "Abteilungskontakt",
    "versorgungsstellenkontakt": "Versorgungsstellenkontakt",
}
REFERENCE_LEVELS = {
    "Condition": "abteilungskontakt",
    "Procedure": "abteilungskontakt",
    "MedicationAdministration": "versorgungsstellenkontakt",
    "Observation": "versorgungsstellenkontakt",
    "Task": "versorgungsstellenkontakt",
}

Timed = TypeVar("Timed", DepartmentContact, WardContact)


@dataclass
class MiiRecords:
    """What the MII shape adds to the records: contact levels, pseudonyms, medications."""

    contacts: dict[str, list[DepartmentContact]] = field(default_factory=dict)
    pseudonyms: dict[str, str] = field(default_factory=dict)
    medications: dict[tuple[str, str], c.Code] = field(default_factory=dict)

    def ward_contacts(self, encounter_id: str) -> list[WardContact]:
        """The Versorgungsstellenkontakte of a stay in time order."""
        return [w for d in self.contacts[encounter_id] for w in d.wards]


def _span(contact: DepartmentContact | WardContact) -> tuple[Instant, Instant | None]:
    if isinstance(contact, WardContact):
        return contact.period.start, contact.period.end
    return contact.start, contact.end


def _at(contacts: Sequence[Timed], moment: Instant) -> Timed:
    """The contact covering ``moment``, else the last one (as ``ClinicalGenerator._period_at``)."""
    for contact in contacts:
        start, end = _span(contact)
        if start <= moment and (end is None or moment < end):
            return contact
    return contacts[-1]


def _department_contacts(record: EncounterRec, counter: list[int]) -> list[DepartmentContact]:
    """One Abteilungskontakt per run of ward periods in one department."""
    if not record.periods:
        counter[0] += 1
        return [
            DepartmentContact(
                id=f"{record.id}-a1",
                department=record.stay.department,
                start=record.stay.start,
                end=record.end,
                logical_part_of=counter[0] % LOGICAL_PART_OF_EVERY == 0,
            )
        ]
    runs: list[list[WardPeriod]] = []
    for period in record.periods:
        if runs and runs[-1][-1].ward.department == period.ward.department:
            runs[-1].append(period)
        else:
            runs.append([period])
    contacts = []
    ward_number = 0
    for number, run in enumerate(runs, 1):
        counter[0] += 1
        wards = []
        for period in run:
            ward_number += 1
            wards.append(WardContact(f"{record.id}-v{ward_number}", period))
        contacts.append(
            DepartmentContact(
                id=f"{record.id}-a{number}",
                department=run[0].ward.department,
                start=run[0].start,
                end=run[-1].end,
                logical_part_of=counter[0] % LOGICAL_PART_OF_EVERY == 0,
                wards=wards,
            )
        )
    return contacts


def build_mii_records(
    patients: list[PatientRec],
    encounters: list[EncounterRec],
    clinical: Clinical,
    rng: random.Random,
) -> MiiRecords:
    """Contact levels for every stay, pseudonyms for a share of persons, the Medications."""
    out = MiiRecords()
    counter = [0]
    for record in encounters:
        out.contacts[record.id] = _department_contacts(record, counter)
    chosen: dict[int, bool] = {}
    used: set[str] = set()
    for patient in patients:
        index = patient.person.index
        if index not in chosen:
            chosen[index] = rng.random() < PSEUDONYMISED_SHARE
        if chosen[index]:
            pseudonym = f"{rng.getrandbits(48):012x}"
            while pseudonym in used:
                pseudonym = f"{rng.getrandbits(48):012x}"
            used.add(pseudonym)
            out.pseudonyms[patient.id] = pseudonym
    for medication in clinical.medications:
        key = (medication.encounter.stay.hospital.key, medication.code.code)
        out.medications.setdefault(key, medication.code)
    return out


def medication_id(hospital_key: str, atc: str) -> str:
    """The Medication of one ATC code in one hospital's catalogue."""
    return f"mdc-{hospital_key}-{atc.lower()}"


def _profiled(resource: Resource, profile: str) -> Resource:
    """The resource with ``meta.profile`` right after its id, where readers expect it."""
    head = {"resourceType": resource["resourceType"], "id": resource["id"]}
    return {**head, "meta": {"profile": [profile]}, **resource}


# Locations


def _isik(resource: Resource, physical: str, hospital: Hospital, code: str) -> Resource:
    out = _profiled(resource, c.PROFILE_LOCATION[physical])
    identifier = [{"system": c.location_system(hospital.iknr), "value": code}]
    return {**out, "identifier": identifier}


def ward_location(hospital: Hospital, ward: Ward) -> Resource:
    """An ISiK Standort of type ward; the department stays in ``type[0]``."""
    out = _isik(fhir.ward_location(hospital, ward), "wa", hospital, ward.alias)
    out["type"].append(fhir.concept(c.SYS_V3_ROLE_CODE, "HU", "hospital unit"))
    return out


def room_location(hospital: Hospital, ward: Ward, room: Room) -> Resource:
    """An ISiK Raum, part of its ward."""
    number = room.id.rsplit("-r", 1)[1].lstrip("0")
    return _isik(fhir.room_location(hospital, room), "ro", hospital, f"{ward.alias}-{number}")


def bed_location(hospital: Hospital, bed: Bed, status: str, reason: str | None = None) -> Resource:
    """An ISiK Bettenstellplatz, part of its room, with the bed status now."""
    out = _isik(fhir.bed_location(hospital, bed, status, reason), "bd", hospital, bed.name)
    out["name"] = f"Bett {bed.name}"
    return out


# Patients


def patient(record: PatientRec, pseudonym: str | None) -> Resource:
    """The Patient; pseudonymised: no name, no KVNR, no street, birth month only."""
    out = fhir.patient(record)
    if pseudonym is None:
        return _profiled(out, c.PROFILE_PATIENT)
    mr_number = out["identifier"][1]
    return {
        "resourceType": "Patient",
        "id": record.id,
        "meta": {"profile": [c.PROFILE_PATIENT_PSEUDONYMISED]},
        "identifier": [
            {
                "type": fhir.concept(c.SYS_V3_OBSERVATION_VALUE, "PSEUDED", "pseudonymized"),
                "system": c.SYS_PSEUDONYM,
                "value": pseudonym,
            },
            mr_number,
        ],
        "gender": record.person.gender,
        "birthDate": record.person.birth_date.isoformat()[:7],
        "address": [{"type": "both", "postalCode": record.person.postal_code, "country": "DE"}],
        "managingOrganization": out["managingOrganization"],
    }


# Contacts


def _level(code: str) -> list[dict[str, Any]]:
    return [fhir.concept(c.SYS_KONTAKTEBENE, code, LEVEL_DISPLAY[code])]


def einrichtungskontakt(record: EncounterRec) -> Resource:
    """The stay: case number, period, status, class, admission and discharge; no wards and no
    department (those live on the levels below)."""
    out = fhir.encounter(record)
    out.pop("location", None)
    del out["serviceType"]
    return _profiled(out, c.PROFILE_ENCOUNTER)


def _sub_contact(
    record: EncounterRec,
    contact_id: str,
    level: str,
    department: str,
    start: Instant,
    end: Instant | None,
) -> Resource:
    hospital = record.stay.hospital
    return {
        "resourceType": "Encounter",
        "id": contact_id,
        "meta": {"profile": [c.PROFILE_ENCOUNTER]},
        "identifier": [{"system": c.contact_system(hospital.iknr), "value": contact_id}],
        "status": "in-progress" if end is None else "finished",
        "class": fhir.coding(c.SYS_ACT_CODE, record.stay.cls, fhir.CLASS_DISPLAY[record.stay.cls]),
        "type": _level(level),
        "serviceType": fhir.concept(c.SYS_FACHABTEILUNG, department, c.DEPARTMENTS[department]),
        "subject": fhir.ref("Patient", record.patient.id),
        "period": fhir.period_of(start, end),
        "serviceProvider": fhir.ref("Organization", hospital.id),
    }


def abteilungskontakt(record: EncounterRec, contact: DepartmentContact) -> Resource:
    """A department period, part of the stay by reference or by case number."""
    out = _sub_contact(
        record, contact.id, "abteilungskontakt", contact.department, contact.start, contact.end
    )
    if contact.logical_part_of:
        system = c.case_number_system(record.stay.hospital.iknr)
        out["partOf"] = {"identifier": {"system": system, "value": record.case_number}}
    else:
        out["partOf"] = fhir.ref("Encounter", record.id)
    return out


def versorgungsstellenkontakt(
    record: EncounterRec, parent: DepartmentContact, contact: WardContact
) -> Resource:
    """A ward period with its ward, room and bed, part of its Abteilungskontakt."""
    period = contact.period
    out = _sub_contact(
        record,
        contact.id,
        "versorgungsstellenkontakt",
        period.ward.department,
        period.start,
        period.end,
    )
    out["location"] = [
        fhir.location_entry(period.ward.id, "wa", period.start, period.end),
        fhir.location_entry(period.bed.room_id, "ro", period.start, period.end),
        fhir.location_entry(period.bed.id, "bd", period.start, period.end),
    ]
    out["partOf"] = fhir.ref("Encounter", parent.id)
    return out


def encounters(record: EncounterRec, records: MiiRecords) -> list[Resource]:
    """Every contact level of one stay, parents first."""
    out = [einrichtungskontakt(record)]
    for contact in records.contacts[record.id]:
        out.append(abteilungskontakt(record, contact))
        out.extend(versorgungsstellenkontakt(record, contact, w) for w in contact.wards)
    return out


# Clinical resources: the flat resource, pointed at the contact level of its time


def _department_at(records: MiiRecords, encounter: EncounterRec, moment: Instant) -> str:
    return _at(records.contacts[encounter.id], moment).id


def _ward_at(records: MiiRecords, encounter: EncounterRec, moment: Instant | None) -> str:
    wards = records.ward_contacts(encounter.id)
    if not wards:
        start = encounter.stay.start if moment is None else moment
        return _department_at(records, encounter, start)
    return (wards[-1] if moment is None else _at(wards, moment)).id


def _pointed(resource: Resource, key: str, encounter_id: str) -> Resource:
    resource[key] = fhir.ref("Encounter", encounter_id)
    return resource


def condition(record: ConditionRec, records: MiiRecords) -> Resource:
    """A diagnosis of the Abteilungskontakt when it was recorded."""
    contact = _department_at(records, record.encounter, record.recorded)
    return _pointed(fhir.condition(record), "encounter", contact)


def procedure(record: ProcedureRec, records: MiiRecords) -> Resource:
    """A procedure of the Abteilungskontakt when it was performed."""
    contact = _department_at(records, record.encounter, record.performed)
    return _pointed(fhir.procedure(record), "encounter", contact)


def ventilation(record: VentilationRec, records: MiiRecords) -> Resource:
    """A ventilation or ECMO of the Abteilungskontakt when it began."""
    contact = _department_at(records, record.encounter, record.start)
    return _pointed(ventilation_resource(record), "encounter", contact)


def observation(record: ObservationRec, records: MiiRecords) -> Resource:
    """A vital sign or lab value of the ward contact when it was taken."""
    contact = _ward_at(records, record.encounter, record.effective)
    return _pointed(fhir.observation(record), "encounter", contact)


def task(record: TaskRec, records: MiiRecords) -> Resource:
    """A nursing task of the ward contact it was done in; waiting tasks: the current one; a
    cleaning task: the ward contact whose bed it cleans."""
    moment = record.authored - 1 if record.bed is not None else record.started
    contact = _ward_at(records, record.encounter, moment)
    out = _pointed(fhir.task(record), "encounter", contact)
    if record.medication is not None:
        # No MedicationRequest in this shape: the task is about the administration.
        del out["basedOn"]
        out["focus"] = fhir.ref(
            "MedicationAdministration", record.medication.id.replace("med-", "mad-", 1)
        )
    return out


def medication(hospital_key: str, code: c.Code) -> Resource:
    """A hospital catalogue's medication: ATC in ``code`` (the generator has no PZN)."""
    return {
        "resourceType": "Medication",
        "id": medication_id(hospital_key, code.code),
        "meta": {"profile": [c.PROFILE_MEDICATION]},
        "code": {
            "coding": [fhir.coding(c.SYS_ATC, code.code, code.display)],
            "text": code.display,
        },
        "status": "active",
    }


def medication_administration(record: MedicationRec, records: MiiRecords) -> Resource:
    """The medication given over its period (open while still given), on the ward contact."""
    encounter = record.encounter
    running = record.status == "active"
    return {
        "resourceType": "MedicationAdministration",
        "id": record.id.replace("med-", "mad-", 1),
        "meta": {"profile": [c.PROFILE_MEDICATION_ADMINISTRATION]},
        "status": "in-progress" if running else "completed",
        "medicationReference": fhir.ref(
            "Medication", medication_id(encounter.stay.hospital.key, record.code.code)
        ),
        "subject": fhir.ref("Patient", encounter.patient.id),
        "context": fhir.ref("Encounter", _ward_at(records, encounter, record.start)),
        "effectivePeriod": fhir.period_of(record.start, None if running else record.end),
        "dosage": {"text": record.dosage},
    }


def ground_truth(
    patients: list[PatientRec],
    encounters_: list[EncounterRec],
    records: MiiRecords,
    kinds: list[str],
) -> dict[str, Any]:
    """The MII facts a test reconciles: contacts per level, partOf kinds, pseudonymised persons."""
    departments = [d for e in encounters_ for d in records.contacts[e.id]]
    logical = sum(1 for d in departments if d.logical_part_of)
    pseudonymised = [p for p in patients if p.id in records.pseudonyms]
    keys = {
        (p.hospital.id, p.id) if p.id in records.pseudonyms else p.person.kvnr for p in patients
    }
    out: dict[str, Any] = {
        "persons_without_name": len({p.person.index for p in pseudonymised}),
        "patients_pseudonymised": len(pseudonymised),
        "patients_without_kvnr": len(pseudonymised),
        "persons_by_kvnr_or_patient": len(keys),
        "reference_levels": dict(REFERENCE_LEVELS),
    }
    if "Encounter" in kinds:
        out["contacts"] = {
            "einrichtungskontakt": len(encounters_),
            "abteilungskontakt": len(departments),
            "versorgungsstellenkontakt": sum(len(d.wards) for d in departments),
        }
        out["abteilungskontakt_part_of"] = {
            "literal": len(departments) - logical,
            "logical": logical,
        }
        out["versorgungsstellenkontakte_in_progress"] = sum(
            1 for d in departments for w in d.wards if w.period.end is None
        )
    if "Medication" in kinds:
        out["medications"] = len(records.medications)
    return out
