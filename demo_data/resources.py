"""FHIR R4 JSON (as dicts) for every record, exactly as docs/DATA_MODEL.md describes."""

from __future__ import annotations

import base64
from typing import Any

from demo_data import codes as c
from demo_data.codes import Code
from demo_data.hospitals import Bed, Hospital, Room, Ward
from demo_data.pdf import text_pdf
from demo_data.records import (
    AllergyRec,
    ConditionRec,
    DocumentRec,
    EncounterRec,
    FlagRec,
    MedicationRec,
    ObservationRec,
    PatientRec,
    ProblemRec,
    ProcedureRec,
    StatementRec,
    TaskRec,
)
from demo_data.roster import ShiftRec
from demo_data.staff import StaffMember
from demo_data.timeutil import fhir_datetime, fhir_time

Resource = dict[str, Any]
ALL_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
CLASS_DISPLAY = {"IMP": "inpatient encounter", "EMER": "emergency", "AMB": "ambulatory"}
PHYSICAL_DISPLAY = {"wa": "Ward", "ro": "Room", "bd": "Bed"}


def ref(resource_type: str, resource_id: str) -> dict[str, str]:
    """A literal reference ``Type/id``."""
    return {"reference": f"{resource_type}/{resource_id}"}


def coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    """One Coding."""
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    """A CodeableConcept with one Coding."""
    return {"coding": [coding(system, code, display)]}


def _id_type(code: str, system: str = c.SYS_V2_0203) -> dict[str, Any]:
    return concept(system, code)


def _department(code: str) -> dict[str, Any]:
    return concept(c.SYS_FACHABTEILUNG, code, c.DEPARTMENTS[code])


def _quantity(value: float, unit: str) -> dict[str, Any]:
    number: float | int = int(value) if float(value).is_integer() else value
    return {"value": number, "unit": unit, "system": c.SYS_UCUM, "code": unit}


def period_of(start: int | None, end: int | None) -> dict[str, str]:
    """A Period; an open end (None) is left out."""
    out = {}
    if start is not None:
        out["start"] = fhir_datetime(start)
    if end is not None:
        out["end"] = fhir_datetime(end)
    return out


def organization(hospital: Hospital) -> Resource:
    """The hospital."""
    return {
        "resourceType": "Organization",
        "id": hospital.id,
        "identifier": [
            {"type": _id_type("XX"), "system": c.SYS_IKNR, "value": hospital.iknr},
        ],
        "active": True,
        "type": [concept(c.SYS_ORG_TYPE, "prov", "Healthcare Provider")],
        "name": hospital.name,
        "alias": [hospital.short_name],
        "address": [
            {
                "type": "both",
                "line": [hospital.street],
                "city": hospital.city,
                "postalCode": hospital.postal_code,
                "state": "DE-BW",
                "country": "DE",
            }
        ],
    }


def _location(location_id: str, name: str, physical: str, hospital: Hospital) -> Resource:
    return {
        "resourceType": "Location",
        "id": location_id,
        "status": "active",
        "name": name,
        "mode": "instance",
        "physicalType": concept(c.SYS_PHYSICAL_TYPE, physical, PHYSICAL_DISPLAY[physical]),
        "managingOrganization": ref("Organization", hospital.id),
    }


def ward_location(hospital: Hospital, ward: Ward) -> Resource:
    """A ward: department in ``type[0]``, short code in ``alias[0]``."""
    out = _location(ward.id, ward.name, "wa", hospital)
    out["alias"] = [ward.alias]
    out["type"] = [_department(ward.department)]
    return out


def room_location(hospital: Hospital, room: Room) -> Resource:
    """A room, part of its ward."""
    out = _location(room.id, room.name, "ro", hospital)
    out["partOf"] = ref("Location", room.ward_id)
    return out


def bed_location(hospital: Hospital, bed: Bed, status: str, reason: str | None = None) -> Resource:
    """A bed in its room: status now (and why it is blocked), bed category in ``type[0]``, age
    group in ``type[1]``."""
    out = _location(bed.id, bed.name, "bd", hospital)
    out["partOf"] = ref("Location", bed.room_id)
    out["operationalStatus"] = coding(c.SYS_V2_0116, status, c.BED_STATUS_DISPLAY[status])
    if reason is not None:
        out["extension"] = [
            {
                "url": c.EXT_BED_BLOCK_REASON,
                "valueCodeableConcept": concept(
                    c.SYS_BED_BLOCK_REASON, reason, c.BED_BLOCK_REASON_DISPLAY[reason]
                ),
            }
        ]
    out["type"] = [
        concept(c.SYS_BETTENKATEGORIE, bed.category, c.BED_CATEGORY_DISPLAY[bed.category]),
        concept(c.SYS_ALTERSGRUPPE, bed.age_group, c.AGE_GROUP_DISPLAY[bed.age_group]),
    ]
    return out


def practitioner(member: StaffMember) -> Resource:
    """A physician or nurse."""
    qualification = (
        concept(c.SYS_V2_0360, "MD", "Doctor of Medicine")
        if member.role == "physician"
        else concept(c.SYS_V2_0360, "RN", "Registered Nurse")
    )
    name: dict[str, Any] = {"use": "official", "family": member.family, "given": [member.given]}
    if member.role == "physician":
        name["prefix"] = ["Dr. med."]
    return {
        "resourceType": "Practitioner",
        "id": member.id,
        "identifier": [{"system": c.SYS_MITARBEITER, "value": member.employee_number}],
        "active": True,
        "name": [name],
        "gender": member.gender,
        "qualification": [{"code": qualification}],
    }


def practitioner_role(member: StaffMember) -> Resource:
    """Where and as what the member works: department (physicians) or ward and shift (nurses)."""
    out: Resource = {
        "resourceType": "PractitionerRole",
        "id": member.role_id,
        "active": True,
        "practitioner": ref("Practitioner", member.id),
        "organization": ref("Organization", f"org-{member.hospital_key}"),
        "code": [
            concept(c.SYS_ROLLE, member.role, "Arzt" if member.role == "physician" else "Pflege")
        ],
    }
    if member.role == "physician":
        out["specialty"] = [_department(member.department)]
        return out
    if member.shift is None or member.ward_id is None:
        raise ValueError(f"nurse {member.id} has no ward or shift")
    start, end, display = c.SHIFTS[member.shift]
    out["code"].append(concept(c.SYS_SCHICHT, member.shift, display))
    out["location"] = [ref("Location", member.ward_id)]
    out["availableTime"] = [
        {
            "daysOfWeek": ALL_DAYS,
            "availableStartTime": fhir_time(start),
            "availableEndTime": fhir_time(end),
        }
    ]
    return out


def duty_shift(record: ShiftRec, as_of: int) -> Resource:
    """One shift of one ward as an Appointment: the ward and every nurse planned for it; a nurse
    who fell sick stays on it as ``declined``."""
    display = c.SHIFTS[record.shift][2]
    nurses = [(m, "accepted") for m in record.on_duty] + [(m, "declined") for m in record.absent]
    return {
        "resourceType": "Appointment",
        "id": record.id,
        "status": "fulfilled" if record.end <= as_of else "booked",
        "serviceCategory": [concept(c.SYS_SERVICE_CATEGORY, "dienstplan", "Dienstplan")],
        "serviceType": [concept(c.SYS_SCHICHT, record.shift, display)],
        "description": f"{display} {record.ward.name}",
        "start": fhir_datetime(record.start),
        "end": fhir_datetime(record.end),
        "participant": [
            {"actor": ref("Location", record.ward.id), "required": "required", "status": "accepted"}
        ]
        + [
            {
                "type": [concept(c.SYS_PARTICIPATION, "PPRF", "primary performer")],
                "actor": ref("PractitionerRole", member.role_id),
                "required": "required",
                "status": status,
            }
            for member, status in nurses
        ],
    }


def patient(record: PatientRec) -> Resource:
    """A person's record at one hospital: KVNR plus that hospital's patient number."""
    person = record.person
    return {
        "resourceType": "Patient",
        "id": record.id,
        "identifier": [
            {
                "use": "official",
                "type": _id_type("KVZ10", c.SYS_IDTYPE_DE),
                "system": c.SYS_KVNR,
                "value": person.kvnr,
            },
            {
                "use": "usual",
                "type": _id_type("MR"),
                "system": c.patient_number_system(record.hospital.iknr),
                "value": record.number,
            },
        ],
        "active": True,
        "name": [{"use": "official", "family": person.family, "given": [person.given]}],
        "gender": person.gender,
        "birthDate": person.birth_date.isoformat(),
        "address": [
            {
                "type": "both",
                "line": [person.street],
                "city": person.city,
                "postalCode": person.postal_code,
                "country": "DE",
            }
        ],
        "managingOrganization": ref("Organization", record.hospital.id),
    }


def location_entry(location_id: str, physical: str, start: int, end: int | None) -> Resource:
    """An ``Encounter.location`` entry: active while the period is open."""
    return {
        "location": ref("Location", location_id),
        "status": "active" if end is None else "completed",
        "physicalType": concept(c.SYS_PHYSICAL_TYPE, physical, PHYSICAL_DISPLAY[physical]),
        "period": period_of(start, end),
    }


def case_identifier(iknr: str, number: str) -> dict[str, Any]:
    """A stay's case number (Aufnahmenummer, v2-0203 VN) in the hospital's number system."""
    return {"type": _id_type("VN"), "system": c.case_number_system(iknr), "value": number}


def encounter(record: EncounterRec) -> Resource:
    """A contact; inpatient stays carry one ward, room and bed entry per ward period."""
    stay = record.stay
    hospital = stay.hospital
    out: Resource = {
        "resourceType": "Encounter",
        "id": record.id,
        "identifier": [case_identifier(hospital.iknr, record.case_number)],
        "status": "in-progress" if record.current else "finished",
        "class": coding(c.SYS_ACT_CODE, stay.cls, CLASS_DISPLAY[stay.cls]),
        "type": [concept(c.SYS_KONTAKTEBENE, "einrichtungskontakt", "Einrichtungskontakt")],
        "serviceType": _department(stay.department),
        "subject": ref("Patient", record.patient.id),
        "participant": [
            {
                "type": [concept(c.SYS_PARTICIPATION, "ATND", "attender")],
                "individual": ref("Practitioner", record.attending.id),
            }
        ],
        "period": period_of(stay.start, record.end),
        "hospitalization": {
            "admitSource": concept(
                c.SYS_AUFNAHMEANLASS, stay.admit_source, c.ADMIT_SOURCE[stay.admit_source]
            )
        },
        "serviceProvider": ref("Organization", hospital.id),
    }
    if not record.current:
        out["hospitalization"]["dischargeDisposition"] = concept(
            c.SYS_ENTLASSART, stay.discharge, c.DISCHARGE[stay.discharge]
        )
    if record.planned_end_recorded is not None:
        out["extension"] = [
            {"url": c.EXT_PLANNED_END, "valueDateTime": fhir_datetime(stay.end)},
            {
                "url": c.EXT_PLANNED_END_RECORDED,
                "valueDateTime": fhir_datetime(record.planned_end_recorded),
            },
        ]
    locations = []
    for period in record.periods:
        locations.append(location_entry(period.ward.id, "wa", period.start, period.end))
        locations.append(location_entry(period.bed.room_id, "ro", period.start, period.end))
        locations.append(location_entry(period.bed.id, "bd", period.start, period.end))
    if locations:
        out["location"] = locations
    return out


def _code(system: str, code: Code, version: str | None = None) -> dict[str, Any]:
    item = coding(system, code.code, code.display)
    if version:
        item["version"] = version
    return {"coding": [item]}


def condition(record: ConditionRec) -> Resource:
    """A diagnosis (ICD-10-GM)."""
    return {
        "resourceType": "Condition",
        "id": record.id,
        "clinicalStatus": concept(c.SYS_CONDITION_CLINICAL, record.clinical_status),
        "verificationStatus": concept(c.SYS_CONDITION_VER, "confirmed"),
        "category": [
            concept(c.SYS_CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis")
        ],
        "code": _code(c.SYS_ICD10GM, record.code, c.ICD_VERSION),
        "subject": ref("Patient", record.encounter.patient.id),
        "encounter": ref("Encounter", record.encounter.id),
        "onsetDateTime": fhir_datetime(record.onset),
        "recordedDate": fhir_datetime(record.recorded),
    }


def procedure(record: ProcedureRec) -> Resource:
    """A procedure (OPS)."""
    return {
        "resourceType": "Procedure",
        "id": record.id,
        "status": "completed",
        "code": _code(c.SYS_OPS, record.code, c.OPS_VERSION),
        "subject": ref("Patient", record.encounter.patient.id),
        "encounter": ref("Encounter", record.encounter.id),
        "performedDateTime": fhir_datetime(record.performed),
    }


def medication_request(record: MedicationRec) -> Resource:
    """A medication order (ATC) with the medication period as validity period."""
    return {
        "resourceType": "MedicationRequest",
        "id": record.id,
        "status": record.status,
        "intent": "order",
        "medicationCodeableConcept": _code(c.SYS_ATC, record.code),
        "subject": ref("Patient", record.encounter.patient.id),
        "encounter": ref("Encounter", record.encounter.id),
        "authoredOn": fhir_datetime(record.authored),
        "requester": ref("Practitioner", record.requester.id),
        "dosageInstruction": [{"text": record.dosage}],
        "dispenseRequest": {"validityPeriod": period_of(record.start, record.end)},
    }


def observation(record: ObservationRec) -> Resource:
    """A vital sign or lab value (LOINC, UCUM)."""
    category_display = {"vital-signs": "Vital Signs", "survey": "Survey"}.get(
        record.category, "Laboratory"
    )
    out: Resource = {
        "resourceType": "Observation",
        "id": record.id,
        "status": "final",
        "category": [concept(c.SYS_OBS_CATEGORY, record.category, category_display)],
        "code": _code(record.code_system or c.SYS_LOINC, record.code),
        "subject": ref("Patient", record.encounter.patient.id),
        "encounter": ref("Encounter", record.encounter.id),
        "effectiveDateTime": fhir_datetime(record.effective),
    }
    if record.value is not None:
        out["valueQuantity"] = _quantity(record.value, record.unit)
    if record.low is not None and record.high is not None:
        out["referenceRange"] = [
            {"low": _quantity(record.low, record.unit), "high": _quantity(record.high, record.unit)}
        ]
    if record.interpretation:
        out["interpretation"] = [concept(c.SYS_INTERPRETATION, record.interpretation)]
    if record.value_code is not None:
        out["valueCodeableConcept"] = _code(record.value_system or c.SYS_SNOMED, record.value_code)
    if record.components:
        out["component"] = [
            {"code": _code(c.SYS_LOINC, code), "valueQuantity": _quantity(value, record.unit)}
            for code, value in record.components
        ]
    return out


def task(record: TaskRec) -> Resource:
    """A nursing task on a ward: due time in ``restriction.period.end``."""
    out: Resource = {
        "resourceType": "Task",
        "id": record.id,
        "status": record.status,
        "intent": "order",
        "priority": record.priority,
        "code": concept(c.SYS_PFLEGEAUFGABE, record.code, c.TASK_CODES[record.code]),
        "for": ref("Patient", record.encounter.patient.id),
        "encounter": ref("Encounter", record.encounter.id),
        "location": ref("Location", record.ward.id),
        "authoredOn": fhir_datetime(record.authored),
        "lastModified": fhir_datetime(record.last_modified),
        "restriction": {"period": {"end": fhir_datetime(record.due)}},
    }
    if record.owner is not None:
        out["owner"] = ref("Practitioner", record.owner.id)
    else:
        out["performerType"] = [
            concept(c.SYS_SNOMED, c.REGISTERED_NURSE.code, c.REGISTERED_NURSE.display)
        ]
    if record.description:
        out["description"] = record.description
    if record.medication is not None:
        # The task fulfils the medication order and is about it.
        order = ref("MedicationRequest", record.medication.id)
        out["basedOn"] = [order]
        out["focus"] = dict(order)
    elif record.procedure is not None:
        out["focus"] = ref("Procedure", record.procedure.id)
    elif record.bed is not None:
        # The bed to clean; completing the task frees it (docs/DATA_MODEL.md, "Beds over time").
        out["focus"] = ref("Location", record.bed.id)
    if record.started is not None:
        out["executionPeriod"] = period_of(record.started, record.finished)
    if record.note and record.owner is not None and record.finished is not None:
        out["note"] = [
            {
                "authorReference": ref("Practitioner", record.owner.id),
                "time": fhir_datetime(record.finished),
                "text": record.note,
            }
        ]
    return out


def allergy_intolerance(record: AllergyRec) -> Resource:
    """An allergy (SNOMED CT substance), or the statement that no allergy is known."""
    out: Resource = {
        "resourceType": "AllergyIntolerance",
        "id": record.id,
        # Required (ait-1) even for the statement that no allergy is known: it holds now.
        "clinicalStatus": concept(c.SYS_ALLERGY_CLINICAL, "active"),
        "verificationStatus": concept(c.SYS_ALLERGY_VER, record.verification),
        "code": {
            "coding": [coding(c.SYS_SNOMED, record.substance.code, record.substance.display)],
            "text": record.substance.display,
        },
        "patient": ref("Patient", record.patient.id),
        "encounter": ref("Encounter", record.encounter.id),
        "recordedDate": fhir_datetime(record.recorded),
    }
    if record.category is None:
        return out
    out["type"] = "allergy"
    out["category"] = [record.category]
    out["criticality"] = record.criticality
    if record.reaction is not None:
        out["reaction"] = [
            {
                "manifestation": [
                    concept(c.SYS_SNOMED, record.reaction.code, record.reaction.display)
                ],
                "severity": "severe" if record.criticality == "high" else "mild",
            }
        ]
    return out


def flag(record: FlagRec) -> Resource:
    """An isolation flag of a stay, its SpO2 scale 2 order or its resuscitation status (clinical
    flags)."""
    codings = []
    if record.system == c.SYS_NEWS2:
        category = concept(c.SYS_FLAG_CATEGORY, "clinical", "Clinical")
        display = c.SPO2_SCALE_2.display
    elif record.system == c.SYS_RESUSCITATION:
        category = concept(c.SYS_FLAG_CATEGORY, "clinical", "Clinical")
        display, finding = c.RESUSCITATION[record.code]
        codings = [coding(c.SYS_SNOMED, finding.code, finding.display)]
    else:
        category = concept(c.SYS_FLAG_CATEGORY, "safety", "Safety")
        display = c.ISOLATION_FLAGS[record.code]
    return {
        "resourceType": "Flag",
        "id": record.id,
        "status": "active" if record.active else "inactive",
        "category": [category],
        "code": {
            "coding": [coding(record.system, record.code, display), *codings],
            "text": display,
        },
        "subject": ref("Patient", record.encounter.patient.id),
        "encounter": ref("Encounter", record.encounter.id),
        "period": period_of(record.start, record.end),
    }


def problem(record: ProblemRec) -> Resource:
    """An entry of the hospital's problem list (ICD-10-GM), not tied to one stay."""
    return {
        "resourceType": "Condition",
        "id": record.id,
        "clinicalStatus": concept(c.SYS_CONDITION_CLINICAL, record.clinical_status),
        "verificationStatus": concept(c.SYS_CONDITION_VER, "confirmed"),
        "category": [concept(c.SYS_CONDITION_CATEGORY, "problem-list-item", "Problem List Item")],
        "code": _code(c.SYS_ICD10GM, record.code, c.ICD_VERSION),
        "subject": ref("Patient", record.patient.id),
        "onsetDateTime": fhir_datetime(record.onset),
        "recordedDate": fhir_datetime(record.recorded),
    }


def medication_statement(record: StatementRec) -> Resource:
    """Home medication as the hospital recorded it: taken since ``start``, still taken."""
    return {
        "resourceType": "MedicationStatement",
        "id": record.id,
        "status": "active",
        "medicationCodeableConcept": _code(c.SYS_ATC, record.code),
        "subject": ref("Patient", record.patient.id),
        "effectivePeriod": period_of(record.start, None),
        "dateAsserted": fhir_datetime(record.recorded),
        "dosage": [{"text": record.dosage}],
    }


def document_reference(record: DocumentRec) -> Resource:
    """A letter or report of a contact: KDL and LOINC type, the attending physician as author,
    the hospital as custodian; the text inline or the Binary that holds it."""
    kind = c.DOCUMENT_TYPES[record.kind]
    codings = [coding(c.SYS_KDL, kind.kdl.code, kind.kdl.display)]
    if kind.loinc is not None:
        codings.append(coding(c.SYS_LOINC, kind.loinc.code, kind.loinc.display))
    attachment: dict[str, Any] = {"language": "de-DE", "title": record.title}
    if record.storage == "inline":
        attachment["contentType"] = "text/plain; charset=utf-8"
        attachment["data"] = base64.b64encode(record.text.encode("utf-8")).decode("ascii")
    else:
        pdf = record.storage == "binary-pdf"
        attachment["contentType"] = "application/pdf" if pdf else "text/plain; charset=utf-8"
        attachment["url"] = f"Binary/{record.binary_id}"
        attachment["size"] = len(_binary_bytes(record))
    encounter = record.encounter
    return {
        "resourceType": "DocumentReference",
        "id": record.id,
        "status": "current",
        "docStatus": "final",
        "type": {"coding": codings, "text": kind.title},
        "subject": ref("Patient", encounter.patient.id),
        "date": fhir_datetime(record.date),
        "author": [ref("Practitioner", record.author.id)],
        "custodian": ref("Organization", encounter.stay.hospital.id),
        "description": record.title,
        "content": [{"attachment": attachment}],
        "context": {
            "encounter": [ref("Encounter", encounter.id)],
            "period": period_of(encounter.stay.start, encounter.stay.end),
        },
    }


def _binary_bytes(record: DocumentRec) -> bytes:
    if record.storage == "binary-pdf":
        return text_pdf(record.text, record.title)
    return record.text.encode("utf-8")


def binary(record: DocumentRec) -> Resource:
    """The content of a document kept apart from it; readable by those who may read the
    patient's record (``securityContext``)."""
    pdf = record.storage == "binary-pdf"
    return {
        "resourceType": "Binary",
        "id": record.binary_id,
        "contentType": "application/pdf" if pdf else "text/plain; charset=utf-8",
        "securityContext": ref("Patient", record.encounter.patient.id),
        "data": base64.b64encode(_binary_bytes(record)).decode("ascii"),
    }
