"""The extractors, kind by kind: values and dtypes of the tables, nulls and warnings for malformed
resources, the generated network end to end, and docs/FRAMES.md against the Table specs."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from demo_data import PRESETS, generate
from demo_data.timeutil import BERLIN
from services.audit import AuditRecord, audit_event
from services.codes import (
    ACT_CODE,
    AGE_GROUP,
    ATC,
    BED_BLOCK_REASON,
    BED_BLOCK_REASON_EXT,
    BED_CATEGORY,
    BED_STATUS,
    FACHABTEILUNG,
    ICD10GM,
    IDENTIFIER_TYPE_DE,
    IDENTIFIER_TYPE_V2,
    IKNR,
    INTERPRETATION,
    KONTAKTEBENE,
    KVNR,
    LOINC,
    MOBILITY_FINDING,
    NURSING_TASK,
    OPS,
    PAIN_NRS,
    PHYSICAL_TYPE,
    PLANNED_END,
    PLANNED_END_RECORDED,
    ROLE,
    SHIFT,
    SNOMED,
)
from services.frames import KINDS, Collector, Kind, Table, to_frame, with_hierarchy
from services.frames.base import ref_id
from services.report_writes import operating_response
from services.roles import Role, User
from tests.support.realdata import export_resources, of_kind

pytestmark = pytest.mark.unit

DOC = Path(__file__).resolve().parents[2] / "docs" / "FRAMES.md"
TZ = "Europe/Berlin"
TIME = f"datetime64[us, {TZ}]"
SOURCE = "Klinikum Neckarsteig Stuttgart"
AS_OF = datetime(2025, 11, 28, 10, 0, tzinfo=BERLIN)
MR_SYSTEM = "https://fhir.medicus-bw.de/sid/260001012/patientennummer"
PZN = "http://fhir.de/CodeSystem/ifa/pzn"
PRIMARY = {
    "Patient": "patient",
    "Practitioner": "practitioner",
    "PractitionerRole": "practitioner_role",
    "Organization": "organization",
    "Encounter": "encounter",
    "Location": "location",
    "Condition": "condition",
    "Procedure": "procedure",
    "MedicationRequest": "medication_request",
    "MedicationAdministration": "medication_administration",
    "MedicationStatement": "medication_statement",
    "Medication": "medication",
    "Observation": "observation",
    "DiagnosticReport": "diagnostic_report",
    "ServiceRequest": "service_request",
    "Consent": "consent",
    "Task": "task",
    "AuditEvent": "audit_event",
    "AllergyIntolerance": "allergy_intolerance",
    "Flag": "flag",
    "DocumentReference": "document_reference",
    "Appointment": "duty",
    "Device": "device",
    "MeasureReport": "measure_report",
    "QuestionnaireResponse": "questionnaire_response",
}


# --- helpers -------------------------------------------------------------------------------------


def collect(resources: list, primary: str, **options) -> tuple[dict[str, pd.DataFrame], Counter]:
    collector = Collector(KINDS, primary, source=SOURCE, **options)
    collector.feed(resources)
    return collector.frames(), collector.warnings


def assert_row(row: dict, expected: dict) -> None:
    """``row`` has exactly the expected values; None means null; times are Berlin times."""
    assert list(row) == list(expected)
    for column, value in expected.items():
        if value is None:
            assert pd.isna(row[column]), (column, row[column])
        else:
            assert row[column] == value, (column, row[column], value)
        if isinstance(value, pd.Timestamp):
            assert str(row[column].tz) == TZ, column


def ref(kind: str, id_: str) -> dict:
    return {"reference": f"{kind}/{id_}"}


def coded(system: str, code: str, display: str | None = None) -> dict:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def typed_id(type_code: str, system: str, value, type_system: str = IDENTIFIER_TYPE_V2) -> dict:
    return {"type": coded(type_system, type_code), "system": system, "value": value}


def at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def expected_dtype(spec: Table, column: str) -> str:
    if column in spec.times:
        return TIME
    if column in spec.dates:
        return "object"
    if column in spec.numbers:
        return "Float64"
    return "str"


def assert_typed(frame: pd.DataFrame, spec: Table) -> None:
    """Columns in order, each of the dtype its Table spec promises; dates hold date objects."""
    assert list(frame.columns) == ["source", *spec.columns]
    assert {c: str(t) for c, t in frame.dtypes.items()} == {
        c: expected_dtype(spec, c) for c in frame.columns
    }
    for column in spec.dates:
        assert all(type(v) is date for v in frame[column].dropna()), column
    if len(frame):
        assert (frame["source"] == SOURCE).all()


def nulls(record: dict, *columns: str) -> None:
    for column in columns:
        assert pd.isna(record[column]), (column, record[column])


def spec_of(table: str) -> Table:
    return next(k.tables[table] for k in KINDS.values() if table in k.tables)


# --- one realistic resource (or a few) per kind ---------------------------------------------------


def test_patient():
    patient = {
        "resourceType": "Patient",
        "id": "pat-kns-000042",
        "meta": {"versionId": "2", "lastUpdated": "2025-11-28T09:15:02.123+01:00"},
        "identifier": [
            typed_id("KVZ10", KVNR, "M857593316", IDENTIFIER_TYPE_DE),
            typed_id("MR", MR_SYSTEM, "40000042"),
        ],
        "name": [
            {"use": "official", "family": "Müller-Lüdenscheidt", "given": ["Jürgen", "Björn"]},
            {"use": "maiden", "family": "Schäfer"},
        ],
        "gender": "male",
        "birthDate": "1948-02-29",
        "address": [{"line": ["Schloßstraße 18"], "city": "Tübingen", "postalCode": "72070"}],
        "managingOrganization": {
            "reference": "https://fhir.medicus-bw.de/fhir/Organization/org-kns/_history/3"
        },
    }
    tables, warnings = collect([patient], "Patient")
    assert set(tables) == {"patient"} and not warnings
    frame = tables["patient"]
    assert_typed(frame, spec_of("patient"))
    row = frame.iloc[0].to_dict()
    assert_row(
        row,
        {
            "source": SOURCE,
            "id": "pat-kns-000042",
            "hospital_id": "org-kns",
            "kvnr": "M857593316",
            "mrn": "40000042",
            "mrn_system": MR_SYSTEM,
            "pseudonym": None,
            "family": "Müller-Lüdenscheidt",
            "given": "Jürgen Björn",
            "gender": "male",
            "birth_date": date(1948, 2, 29),
            "city": "Tübingen",
            "last_updated": at("2025-11-28T09:15:02.123+01:00"),
        },
    )
    assert row["last_updated"].utcoffset() == timedelta(hours=1)


def test_practitioner():
    practitioner = {
        "resourceType": "Practitioner",
        "id": "pra-kns-0004",
        "identifier": [{"system": "https://fhir.medicus-bw.de/sid/mitarbeiter", "value": "3213"}],
        "name": [
            {
                "use": "official",
                "family": "Weiß",
                "given": ["Anna-Lena", "Sophie"],
                "prefix": ["Dr. med."],
            },
            {"use": "maiden", "family": "Groß"},
        ],
        "gender": "female",
    }
    tables, warnings = collect([practitioner], "Practitioner")
    assert not warnings
    assert_typed(tables["practitioner"], spec_of("practitioner"))
    assert_row(
        tables["practitioner"].iloc[0].to_dict(),
        {
            "source": SOURCE,
            "id": "pra-kns-0004",
            "family": "Weiß",
            "given": "Anna-Lena Sophie",
        },
    )


def test_practitioner_role_one_row_per_ward():
    nurse = {
        "resourceType": "PractitionerRole",
        "id": "prr-kns-0005",
        "practitioner": ref("Practitioner", "pra-kns-0005"),
        "organization": ref("Organization", "org-kns"),
        "code": [coded(ROLE, "nurse", "Pflege"), coded(SHIFT, "spaet", "Spätdienst")],
        "location": [ref("Location", "loc-kns-w01"), ref("Location", "loc-kns-w02")],
        "availableTime": [{"availableStartTime": "14:00:00", "availableEndTime": "22:00:00"}],
    }
    physician = {
        "resourceType": "PractitionerRole",
        "id": "prr-kns-0004",
        "practitioner": ref("Practitioner", "pra-kns-0004"),
        "organization": ref("Organization", "org-kns"),
        "code": [coded(ROLE, "physician", "Arzt")],
        "specialty": [
            coded(SNOMED, "394579002", "Kardiologie"),
            coded(FACHABTEILUNG, "0300", "Kardiologie"),
        ],
    }
    tables, warnings = collect([nurse, physician], "PractitionerRole")
    assert not warnings
    frame = tables["practitioner_role"]
    assert_typed(frame, spec_of("practitioner_role"))
    assert list(frame["id"]) == ["prr-kns-0005", "prr-kns-0005", "prr-kns-0004"]
    assert list(frame["ward_id"].iloc[:2]) == ["loc-kns-w01", "loc-kns-w02"]
    assert pd.isna(frame["ward_id"].iloc[2])
    assert list(frame["practitioner_id"]) == ["pra-kns-0005"] * 2 + ["pra-kns-0004"]
    assert (frame["hospital_id"] == "org-kns").all()
    assert list(frame["role"]) == ["nurse", "nurse", "physician"]
    assert list(frame["shift"].iloc[:2]) == ["spaet", "spaet"] and pd.isna(frame["shift"].iloc[2])
    assert frame["department"].iloc[:2].isna().all() and frame["department"].iloc[2] == "0300"


def test_organization():
    organization = {
        "resourceType": "Organization",
        "id": "org-kst",
        "identifier": [
            {"system": "https://fhir.medicus-bw.de/sid/standort", "value": "77"},
            typed_id("XX", IKNR, "260840123"),
        ],
        "type": [coded("http://terminology.hl7.org/CodeSystem/organization-type", "prov")],
        "name": "Klinikverbund Südwürttemberg Tübingen",
        "alias": ["KST", "Südwürttemberg"],
        "address": [{"city": "Tübingen", "state": "DE-BW", "country": "DE"}],
    }
    tables, warnings = collect([organization], "Organization")
    assert not warnings
    assert_typed(tables["organization"], spec_of("organization"))
    assert_row(
        tables["organization"].iloc[0].to_dict(),
        {
            "source": SOURCE,
            "id": "org-kst",
            "name": "Klinikverbund Südwürttemberg Tübingen",
            "alias": "KST",
            "iknr": "260840123",
            "city": "Tübingen",
        },
    )


def place(location: str, physical: str, status: str, start: str, end: str | None = None) -> dict:
    period = {"start": start} | ({"end": end} if end else {})
    return {
        "location": ref("Location", location),
        "status": status,
        "physicalType": coded(PHYSICAL_TYPE, physical),
        "period": period,
    }


def test_encounter_diagnoses_keep_every_role_the_source_gives_them():
    role = "http://terminology.hl7.org/CodeSystem/diagnosis-role"
    absent = {
        "extension": [
            {
                "url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason",
                "valueCode": "unknown",
            }
        ]
    }
    marked = {
        "resourceType": "Encounter",
        "id": "0061845260-e",
        "status": "finished",
        "diagnosis": [
            {"condition": ref("Condition", "0061845260-2-p"), "use": absent},
            {
                "condition": ref("Condition", "0061845260-1-p"),
                "use": {"coding": [{"system": role, "code": "AD"}, {"system": role, "code": "CC"}]},
                "rank": 1,
            },
            {"condition": ref("Condition", "0061845260-3-p"), "rank": "zwei"},
            "not an entry",
        ],
    }
    unshaped = {"resourceType": "Encounter", "id": "e2", "diagnosis": {"condition": "x"}}
    tables, warnings = collect([marked, unshaped], "Encounter")
    rows = tables["encounter_diagnosis"]
    read = rows[["encounter_id", "condition_id", "use"]].astype(object)
    assert read.where(read.notna(), None).values.tolist() == [
        ["0061845260-e", "0061845260-2-p", None],
        ["0061845260-e", "0061845260-1-p", "AD"],
        ["0061845260-e", "0061845260-1-p", "CC"],
        ["0061845260-e", "0061845260-3-p", None],
    ]
    assert rows["rank"].tolist() == [pd.NA, 1, 1, pd.NA]
    assert warnings["bad_diagnosis"] == 2 and warnings["bad_rank"] == 1


def test_encounter_across_the_switch_to_summer_time():
    admitted, moved = "2025-03-29T22:47:00+01:00", "2025-03-30T09:05:00+02:00"
    current = {
        "resourceType": "Encounter",
        "id": "enc-kns-000311",
        "meta": {"versionId": "4", "lastUpdated": "2025-03-30T07:05:00.512Z"},
        "identifier": [
            typed_id("VN", "https://fhir.medicus-bw.de/sid/260001012/fallnummer", "25000311")
        ],
        "status": "in-progress",
        "class": {"system": ACT_CODE, "code": "IMP", "display": "inpatient encounter"},
        "type": [coded(KONTAKTEBENE, "einrichtungskontakt", "Einrichtungskontakt")],
        "serviceType": coded(FACHABTEILUNG, "3600", "Intensivmedizin"),
        "subject": ref("Patient", "pat-kns-000042"),
        "participant": [
            {
                "type": [
                    coded("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "ATND")
                ],
                "individual": ref("Practitioner", "pra-kns-0004"),
            }
        ],
        "period": {"start": admitted},
        "hospitalization": {
            "admitSource": coded(
                "https://fhir.medicus-bw.de/CodeSystem/aufnahmeanlass", "notfall", "Notfall"
            )
        },
        "serviceProvider": ref("Organization", "org-kns"),
        "extension": [
            {"url": "http://example.org/fhir/StructureDefinition/anderes", "valueString": "x"},
            {"url": PLANNED_END, "valueDateTime": "2025-04-04T11:00:00+02:00"},
            {"url": PLANNED_END_RECORDED, "valueDateTime": "2025-03-29T16:40:00+01:00"},
        ],
        "location": [
            place("loc-kns-w04", "wa", "completed", admitted, moved),
            place("loc-kns-w04-r01-b2", "bd", "completed", admitted, moved),
            place("loc-kns-w02", "wa", "active", moved),
            place("loc-kns-w02-r03-b1", "bd", "active", moved),
        ],
    }
    finished = {
        "resourceType": "Encounter",
        "id": "enc-kns-000207",
        "status": "finished",
        "class": {"system": ACT_CODE, "code": "IMP"},
        "subject": ref("Patient", "pat-kns-000042"),
        "period": {"start": "2025-03-03T08:10:00+01:00", "end": "2025-03-12T10:30:00+01:00"},
        "hospitalization": {
            "dischargeDisposition": coded(
                "https://fhir.medicus-bw.de/CodeSystem/entlassart", "verlegung", "Verlegung"
            )
        },
        "serviceProvider": ref("Organization", "org-kns"),
    }
    tables, warnings = collect([current, finished], "Encounter")
    assert set(tables) == set(KINDS["Encounter"].tables) and not warnings
    # As extracted, no contact is mapped yet: services.frames.finish fills the mapping.
    assert tables["encounter_contact"].empty
    stays, places = tables["encounter"], tables["encounter_location"]
    assert_typed(stays, spec_of("encounter"))
    assert_typed(places, spec_of("encounter_location"))

    now = stays.iloc[0].to_dict()
    assert_row(
        now,
        {
            "source": SOURCE,
            "id": "enc-kns-000311",
            "patient_id": "pat-kns-000042",
            "hospital_id": "org-kns",
            "case_number": "25000311",
            "case_system": "https://fhir.medicus-bw.de/sid/260001012/fallnummer",
            "status": "in-progress",
            "class": "IMP",
            "contact_level": "einrichtungskontakt",
            "part_of_id": None,
            "part_of_case": None,
            "part_of_case_system": None,
            "department": "3600",
            "start": at(admitted),
            "end": None,
            "planned_end": at("2025-04-04T11:00:00+02:00"),
            "attending_id": "pra-kns-0004",
            "admit_source": "notfall",
            "discharge_disposition": None,
            "last_updated": at("2025-03-30T09:05:00.512+02:00"),
            "planned_end_recorded": at("2025-03-29T16:40:00+01:00"),
        },
    )
    assert now["start"].utcoffset() == timedelta(hours=1)
    assert now["last_updated"].utcoffset() == timedelta(hours=2)

    past = stays.iloc[1].to_dict()
    assert past["end"] == at("2025-03-12T10:30:00+01:00")
    assert past["discharge_disposition"] == "verlegung"
    nulls(
        past,
        "case_number",
        "contact_level",
        "department",
        "planned_end",
        "planned_end_recorded",
        "attending_id",
    )

    assert (places["encounter_id"] == "enc-kns-000311").all()
    assert list(places["location_id"]) == [
        "loc-kns-w04",
        "loc-kns-w04-r01-b2",
        "loc-kns-w02",
        "loc-kns-w02-r03-b1",
    ]
    assert list(places["physical_type"]) == ["wa", "bd", "wa", "bd"]
    assert list(places["status"]) == ["completed", "completed", "active", "active"]
    assert list(places["start"]) == [at(admitted)] * 2 + [at(moved)] * 2
    assert places["end"].iloc[2:].isna().all()
    # One hour of the night does not exist in Berlin: the first ward held the patient 9 h 18 min.
    assert places["end"].iloc[0] - places["start"].iloc[0] == pd.Timedelta(hours=9, minutes=18)
    assert places["start"].iloc[2].utcoffset() == timedelta(hours=2)


def test_location_ward_room_bed():
    ward = {
        "resourceType": "Location",
        "id": "loc-ksa-w05",
        "status": "active",
        "name": "Station 5B Pädiatrie",
        "alias": ["5B"],
        "physicalType": coded(PHYSICAL_TYPE, "wa", "Ward"),
        "type": [coded(FACHABTEILUNG, "1000", "Pädiatrie")],
        "managingOrganization": ref("Organization", "org-ksa"),
    }
    room = {
        "resourceType": "Location",
        "id": "loc-ksa-w05-r03",
        "status": "active",
        "name": "Zimmer 5B-03",
        "physicalType": coded(PHYSICAL_TYPE, "ro", "Room"),
        "partOf": ref("Location", "loc-ksa-w05"),
        "managingOrganization": ref("Organization", "org-ksa"),
    }
    bed = {
        "resourceType": "Location",
        "id": "loc-ksa-w05-r03-b2",
        "status": "active",
        "name": "5B-03-2",
        "physicalType": coded(PHYSICAL_TYPE, "bd", "Bed"),
        "partOf": ref("Location", "loc-ksa-w05-r03"),
        "managingOrganization": ref("Organization", "org-ksa"),
        "operationalStatus": {"system": BED_STATUS, "code": "H", "display": "Housekeeping"},
        "type": [
            coded(BED_CATEGORY, "imc", "Intermediate Care"),
            coded(AGE_GROUP, "paediatric", "Kinder"),
        ],
    }
    tables, warnings = collect([ward, room, bed], "Location")
    assert not warnings
    frame = tables["location"]
    assert_typed(frame, spec_of("location"))
    rows = {r["id"]: r for r in frame.to_dict("records")}
    assert_row(
        rows["loc-ksa-w05-r03-b2"],
        {
            "source": SOURCE,
            "id": "loc-ksa-w05-r03-b2",
            "name": "5B-03-2",
            "alias": None,
            "physical_type": "bd",
            "part_of": "loc-ksa-w05-r03",
            "hospital_id": "org-ksa",
            "status": "active",
            "operational_status": "H",
            "block_reason": None,
            "department": None,
            "bed_category": "imc",
            "age_group": "paediatric",
            "reserved_for": None,
            "reserved_until": None,
        },
    )
    assert rows["loc-ksa-w05"]["name"] == "Station 5B Pädiatrie"
    assert rows["loc-ksa-w05"]["alias"] == "5B"
    assert rows["loc-ksa-w05"]["department"] == "1000"
    nulls(rows["loc-ksa-w05"], "part_of", "operational_status", "bed_category", "age_group")
    assert rows["loc-ksa-w05-r03"]["part_of"] == "loc-ksa-w05"

    placed = with_hierarchy(frame).set_index("id")
    assert placed.loc["loc-ksa-w05-r03-b2", "ward_id"] == "loc-ksa-w05"
    assert placed.loc["loc-ksa-w05-r03-b2", "room_id"] == "loc-ksa-w05-r03"
    assert placed.loc["loc-ksa-w05", "ward_id"] == "loc-ksa-w05"
    assert pd.isna(placed.loc["loc-ksa-w05", "room_id"])


def test_location_block_reason_coded_or_in_words():
    def bed(id_: str, reason: dict | None) -> dict:
        res = {
            "resourceType": "Location",
            "id": id_,
            "physicalType": coded(PHYSICAL_TYPE, "bd", "Bed"),
            "operationalStatus": {"system": BED_STATUS, "code": "C"},
        }
        if reason is not None:
            res["extension"] = [
                {"url": "https://example.org/other", "valueString": "nicht dies"},
                {"url": BED_BLOCK_REASON_EXT, "valueCodeableConcept": reason},
            ]
        return res

    tables, warnings = collect(
        [
            bed("coded", coded(BED_BLOCK_REASON, "wartung", "Wartung oder Reparatur")),
            bed("words", {"text": "Wasserschaden"}),
            bed("other-system", {"coding": [{"system": "urn:x", "code": "z"}], "text": "Umbau"}),
            bed("none", None),
        ],
        "Location",
    )
    assert not warnings
    reasons = dict(zip(tables["location"]["id"], tables["location"]["block_reason"], strict=True))
    assert reasons["coded"] == "wartung"
    assert reasons["words"] == "Wasserschaden"
    assert reasons["other-system"] == "Umbau"
    assert pd.isna(reasons["none"])


def test_condition_prefers_icd_10_gm():
    infarct = {
        "resourceType": "Condition",
        "id": "con-kns-0000311",
        "clinicalStatus": coded(
            "http://terminology.hl7.org/CodeSystem/condition-clinical", "active"
        ),
        "verificationStatus": coded(
            "http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed"
        ),
        "category": [coded("http://terminology.hl7.org/CodeSystem/condition-category", "x")],
        "code": {
            "coding": [
                {"system": SNOMED, "code": "54329005", "display": "Anterior myocardial infarction"},
                {
                    "system": ICD10GM,
                    "version": "2025",
                    "code": "I21.0",
                    "display": "Akuter transmuraler Myokardinfarkt der Vorderwand",
                },
            ],
            "text": "Vorderwandinfarkt",
        },
        "subject": ref("Patient", "pat-kns-000042"),
        "encounter": ref("Encounter", "enc-kns-000311"),
        "onsetDateTime": "2025-03-29T21:40:00+01:00",
        "recordedDate": "2025-03-30T01:05:00+01:00",
    }
    arthrosis = {
        "resourceType": "Condition",
        "id": "con-kns-0000312",
        "code": {
            "coding": [{"system": SNOMED, "code": "239872002"}],
            "text": "Hüftgelenksarthrose links",
        },
        "subject": ref("Patient", "pat-kns-000042"),
    }
    tables, warnings = collect([infarct, arthrosis], "Condition")
    assert not warnings
    frame = tables["condition"]
    assert_typed(frame, spec_of("condition"))
    first, second = frame.to_dict("records")
    assert_row(
        first,
        {
            "source": SOURCE,
            "id": "con-kns-0000311",
            "patient_id": "pat-kns-000042",
            "encounter_id": "enc-kns-000311",
            "system": ICD10GM,
            "code": "I21.0",
            "display": "Akuter transmuraler Myokardinfarkt der Vorderwand",
            "clinical_status": "active",
            "verification_status": "confirmed",
            "onset": at("2025-03-29T21:40:00+01:00"),
            "recorded": at("2025-03-30T01:05:00+01:00"),
            "category": "x",
        },
    )
    assert (second["system"], second["code"]) == (SNOMED, "239872002")
    assert second["display"] == "Hüftgelenksarthrose links"
    nulls(
        second,
        "encounter_id",
        "clinical_status",
        "verification_status",
        "onset",
        "recorded",
        "category",
    )


def test_procedure():
    ptca = {
        "resourceType": "Procedure",
        "id": "pro-kns-0000311",
        "status": "completed",
        "code": coded(OPS, "8-837.00", "Ballon-Angioplastie: Eine Koronararterie"),
        "subject": ref("Patient", "pat-kns-000042"),
        "encounter": ref("Encounter", "enc-kns-000311"),
        "performedDateTime": "2025-03-30T04:15:00+02:00",
    }
    wound = {
        "resourceType": "Procedure",
        "id": "pro-kns-0000312",
        "status": "completed",
        "code": {"coding": [{"system": OPS, "code": "5-896.1a"}], "text": "Wunddébridement"},
        "subject": ref("Patient", "pat-kns-000042"),
        "performedPeriod": {
            "start": "2025-04-02T13:00:00+02:00",
            "end": "2025-04-02T13:40:00+02:00",
        },
    }
    tables, warnings = collect([ptca, wound], "Procedure")
    assert not warnings
    frame = tables["procedure"]
    assert_typed(frame, spec_of("procedure"))
    first, second = frame.to_dict("records")
    assert_row(
        first,
        {
            "source": SOURCE,
            "id": "pro-kns-0000311",
            "patient_id": "pat-kns-000042",
            "encounter_id": "enc-kns-000311",
            "system": OPS,
            "code": "8-837.00",
            "display": "Ballon-Angioplastie: Eine Koronararterie",
            "status": "completed",
            "performed": at("2025-03-30T02:15:00Z"),
        },
    )
    assert second["code"] == "5-896.1a" and second["display"] == "Wunddébridement"
    assert second["performed"] == at("2025-04-02T13:00:00+02:00")


def test_medication_request():
    aspirin = {
        "resourceType": "MedicationRequest",
        "id": "med-kns-0000311",
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [
                {"system": PZN, "code": "01343658"},
                {"system": ATC, "code": "B01AC06", "display": "Acetylsalicylsäure"},
            ]
        },
        "subject": ref("Patient", "pat-kns-000042"),
        "encounter": ref("Encounter", "enc-kns-000311"),
        "authoredOn": "2025-03-30T03:20:00+02:00",
        "requester": ref("Practitioner", "pra-kns-0004"),
        "dosageInstruction": [{"text": "100 mg p.o. 1-0-0 nach dem Frühstück"}, {"text": "x"}],
        "dispenseRequest": {
            "validityPeriod": {
                "start": "2025-03-30T08:00:00+02:00",
                "end": "2025-04-04T11:00:00+02:00",
            }
        },
    }
    pzn_only = {
        "resourceType": "MedicationRequest",
        "id": "med-kns-0000312",
        "status": "completed",
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [{"system": PZN, "code": "04114918"}],
            "text": "Novaminsulfon 500 mg Tropfen",
        },
        "subject": ref("Patient", "pat-kns-000042"),
    }
    tables, warnings = collect([aspirin, pzn_only], "MedicationRequest")
    assert not warnings
    frame = tables["medication_request"]
    assert_typed(frame, spec_of("medication_request"))
    first, second = frame.to_dict("records")
    assert_row(
        first,
        {
            "source": SOURCE,
            "id": "med-kns-0000311",
            "patient_id": "pat-kns-000042",
            "encounter_id": "enc-kns-000311",
            "system": ATC,
            "code": "B01AC06",
            "display": "Acetylsalicylsäure",
            "status": "active",
            "authored_on": at("2025-03-30T03:20:00+02:00"),
            "start": at("2025-03-30T08:00:00+02:00"),
            "end": at("2025-04-04T11:00:00+02:00"),
            "dosage": "100 mg p.o. 1-0-0 nach dem Frühstück",
            "medication_id": None,
        },
    )
    assert (second["system"], second["code"]) == (PZN, "04114918")
    assert second["display"] == "Novaminsulfon 500 mg Tropfen"
    nulls(second, "encounter_id", "authored_on", "start", "end", "dosage", "medication_id")


def quantity(value, unit: str | None = None, code: str | None = None) -> dict:
    out = {"value": value, "system": "http://unitsofmeasure.org"}
    if unit:
        out["unit"] = unit
    if code:
        out["code"] = code
    return out


def test_observation_one_row_per_value():
    category = "http://terminology.hl7.org/CodeSystem/observation-category"
    potassium = {
        "resourceType": "Observation",
        "id": "obs-kns-0000311",
        "status": "final",
        "category": [coded(category, "laboratory")],
        "code": coded(LOINC, "2823-3", "Kalium im Serum"),
        "subject": ref("Patient", "pat-kns-000042"),
        "encounter": ref("Encounter", "enc-kns-000311"),
        "effectiveDateTime": "2025-03-30T06:30:00+02:00",
        "valueQuantity": quantity(5.9, "mmol/l", "mmol/L"),
        "referenceRange": [
            {"low": quantity(3.5, code="mmol/L"), "high": quantity(5.1, code="mmol/L")}
        ],
        "interpretation": [coded(INTERPRETATION, "H", "Hoch")],
    }
    blood_pressure = {
        "resourceType": "Observation",
        "id": "obs-kns-0000312",
        "status": "final",
        "category": [coded(category, "vital-signs")],
        "code": coded(LOINC, "85354-9", "Blutdruck"),
        "subject": ref("Patient", "pat-kns-000042"),
        "encounter": ref("Encounter", "enc-kns-000311"),
        "effectiveDateTime": "2025-03-30T07:00:00+02:00",
        "interpretation": [coded(INTERPRETATION, "H")],
        "component": [
            {
                "code": coded(LOINC, "8480-6", "Systolischer Blutdruck"),
                "valueQuantity": quantity(142, "mmHg", "mm[Hg]"),
            },
            {
                "code": coded(LOINC, "8462-4", "Diastolischer Blutdruck"),
                "valueQuantity": quantity(91, "mmHg", "mm[Hg]"),
                "referenceRange": [{"high": quantity(90)}],
            },
        ],
    }
    heart_rate = {
        "resourceType": "Observation",
        "id": "obs-kns-0000313",
        "status": "final",
        "category": [coded(category, "vital-signs")],
        "code": {"coding": [{"system": LOINC, "code": "8867-4"}], "text": "Herzfrequenz"},
        "subject": ref("Patient", "pat-kns-000042"),
        "effectivePeriod": {"start": "2025-03-30T07:00:00+02:00"},
        "valueQuantity": quantity(88, "/min"),
    }
    tables, warnings = collect([potassium, blood_pressure, heart_rate], "Observation")
    assert not warnings
    frame = tables["observation"]
    assert_typed(frame, spec_of("observation"))
    assert list(frame["id"]) == [
        "obs-kns-0000311",
        "obs-kns-0000312",
        "obs-kns-0000312",
        "obs-kns-0000313",
    ]
    assert frame["value"].tolist() == [5.9, 142.0, 91.0, 88.0]
    assert frame["ref_low"].tolist() == [3.5, pd.NA, pd.NA, pd.NA]
    assert frame["ref_high"].tolist() == [5.1, pd.NA, 90.0, pd.NA]
    assert list(frame["code"]) == ["2823-3", "8480-6", "8462-4", "8867-4"]
    assert list(frame["display"]) == [
        "Kalium im Serum",
        "Systolischer Blutdruck",
        "Diastolischer Blutdruck",
        "Herzfrequenz",
    ]
    assert list(frame["unit"]) == ["mmol/L", "mm[Hg]", "mm[Hg]", "/min"]
    assert list(frame["category"]) == ["laboratory", "vital-signs", "vital-signs", "vital-signs"]
    assert list(frame["interpretation"].iloc[:3]) == ["H", "H", "H"]
    assert pd.isna(frame["interpretation"].iloc[3])
    assert list(frame["panel_code"].iloc[1:3]) == ["85354-9", "85354-9"]
    assert frame["panel_code"].iloc[[0, 3]].isna().all()
    assert (frame["status"] == "final").all()
    assert list(frame["effective"]) == [
        at("2025-03-30T06:30:00+02:00"),
        at("2025-03-30T07:00:00+02:00"),
        at("2025-03-30T07:00:00+02:00"),
        at("2025-03-30T05:00:00Z"),
    ]
    assert list(frame["encounter_id"].iloc[:3]) == ["enc-kns-000311"] * 3
    assert pd.isna(frame["encounter_id"].iloc[3])


def test_task_claimed_and_unclaimed():
    claimed = {
        "resourceType": "Task",
        "id": "tsk-kns-0000311",
        "meta": {"versionId": "3", "lastUpdated": "2025-03-30T10:40:00+02:00"},
        "status": "in-progress",
        "intent": "order",
        "priority": "urgent",
        "code": {
            "coding": [
                {"system": SNOMED, "code": "225358003", "display": "Wound care"},
                {"system": NURSING_TASK, "code": "wundversorgung", "display": "Wundversorgung"},
            ]
        },
        "for": ref("Patient", "pat-kns-000042"),
        "encounter": ref("Encounter", "enc-kns-000311"),
        "location": ref("Location", "loc-kns-w02"),
        "owner": {
            "reference": "https://fhir.medicus-bw.de/fhir/Practitioner/pra-kns-0005/_history/2"
        },
        "authoredOn": "2025-03-30T08:15:00+02:00",
        "lastModified": "2025-03-30T10:40:00+02:00",
        "restriction": {"period": {"end": "2025-03-30T11:00:00+02:00"}},
        "executionPeriod": {"start": "2025-03-30T10:35:00+02:00"},
        "description": "Verbandswechsel Leiste rechts, Wunde beurteilen",
        "focus": {"reference": "Procedure/pro-kns-0000007"},
        "basedOn": [{"reference": "https://fhir.medicus-bw.de/fhir/ServiceRequest/srq-1"}],
        "note": [
            {"text": "Verbandswechsel Leiste rechts"},
            {
                "authorReference": ref("Practitioner", "pra-kns-0005"),
                "time": "2025-03-30T10:40:00+02:00",
                "text": "Verband gewechselt, Wunde reizlos, Schmerz 2/10",
            },
        ],
    }
    unclaimed = {
        "resourceType": "Task",
        "id": "tsk-kns-0000312",
        "status": "requested",
        "intent": "order",
        "code": {"coding": [{"system": NURSING_TASK, "code": "vitalzeichen"}], "text": "Messen"},
        "for": ref("Patient", "pat-kns-000042"),
        "location": ref("Location", "loc-kns-w02"),
        "performerType": [coded(SNOMED, "224535009", "Registered nurse")],
        "restriction": {"period": {"end": "2025-03-30T02:30:00+02:00"}},
    }
    tables, warnings = collect([claimed, unclaimed], "Task")
    assert not warnings
    frame = tables["task"]
    assert_typed(frame, spec_of("task"))
    first, second = frame.to_dict("records")
    assert_row(
        first,
        {
            "source": SOURCE,
            "id": "tsk-kns-0000311",
            "version": "3",
            "status": "in-progress",
            "priority": "urgent",
            "code": "wundversorgung",
            "display": "Wundversorgung",
            "patient_id": "pat-kns-000042",
            "encounter_id": "enc-kns-000311",
            "ward_id": "loc-kns-w02",
            "owner_id": "pra-kns-0005",
            "performer_type": None,
            "due": at("2025-03-30T11:00:00+02:00"),
            "authored_on": at("2025-03-30T08:15:00+02:00"),
            "last_modified": at("2025-03-30T10:40:00+02:00"),
            "exec_start": at("2025-03-30T10:35:00+02:00"),
            "exec_end": None,
            "note": "Verband gewechselt, Wunde reizlos, Schmerz 2/10",
            "description": "Verbandswechsel Leiste rechts, Wunde beurteilen",
            "focus": "Procedure/pro-kns-0000007",
            "based_on": "ServiceRequest/srq-1",
        },
    )
    notes = tables["task_note"]
    assert_typed(notes, spec_of("task_note"))
    assert_row(
        notes.to_dict("records")[1],
        {
            "source": SOURCE,
            "task_id": "tsk-kns-0000311",
            "time": at("2025-03-30T10:40:00+02:00"),
            "author_id": "pra-kns-0005",
            "author": None,
            "text": "Verband gewechselt, Wunde reizlos, Schmerz 2/10",
        },
    )
    assert notes["text"].iloc[0] == "Verbandswechsel Leiste rechts"
    assert pd.isna(notes["time"].iloc[0]) and len(notes) == 2, "unclaimed: no notes"
    assert pd.isna(second["description"]) and pd.isna(second["focus"])
    assert second["priority"] == "routine"  # FHIR's reading of a Task without priority
    assert (second["code"], second["display"]) == ("vitalzeichen", "Messen")
    assert second["performer_type"] == "224535009"
    # 02:30 on the night of the switch does not exist in Berlin; the instant is 01:30 CET = 00:30Z.
    assert second["due"] == at("2025-03-30T00:30:00Z")
    assert second["due"].utcoffset() == timedelta(hours=1)
    nulls(second, "version", "encounter_id", "owner_id", "authored_on", "exec_start", "note")


def test_audit_event_break_glass_read():
    event = {
        "resourceType": "AuditEvent",
        "id": "aud-000311",
        "type": {
            "system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
            "code": "rest",
        },
        "subtype": [{"system": "http://hl7.org/fhir/restful-interaction", "code": "read"}],
        "action": "R",
        "recorded": "2025-03-30T08:12:33.456Z",
        "outcome": "0",
        "agent": [
            {
                "altId": "dr.schaefer",
                "name": "Dr. Jörg Schäfer",
                "role": [{"text": "physician"}],
                "who": ref("Practitioner", "pra-ksa-0002"),
                "requestor": True,
            }
        ],
        "source": {"site": "timeline", "observer": {"display": "MEDI:CUS Klinik-Dashboard"}},
        "entity": [
            {"what": ref("Encounter", "enc-kns-000311")},
            {"what": ref("Patient", "pat-kns-000042")},
        ],
        "purposeOfEvent": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
                        "code": "ETREAT",
                    }
                ],
                "text": "Übernahme aus dem Klinikum Neckarsteig, Vorbefunde nötig",
            }
        ],
    }
    tables, warnings = collect([event], "AuditEvent")
    assert not warnings
    assert_typed(tables["audit_event"], spec_of("audit_event"))
    assert_row(
        tables["audit_event"].iloc[0].to_dict(),
        {
            "source": SOURCE,
            "id": "aud-000311",
            "recorded": at("2025-03-30T10:12:33.456+02:00"),
            "action": "R",
            "interaction": "read",
            "user": "dr.schaefer",
            "user_name": "Dr. Jörg Schäfer",
            "role": "physician",
            "patient_id": "pat-kns-000042",
            "patient_ids": "pat-kns-000042",
            "resource": "Encounter/enc-kns-000311",
            "page": "timeline",
            "purpose": "ETREAT",
            "reason": "Übernahme aus dem Klinikum Neckarsteig, Vorbefunde nötig",
        },
    )


def medication_statement() -> dict:
    return {
        "resourceType": "MedicationStatement",
        "id": "ms-kns-0000311",
        "status": "active",
        "medicationReference": ref("Medication", "mdc-kns-001"),
        "subject": ref("Patient", "pat-kns-000042"),
        "context": ref("Encounter", "enc-kns-000311"),
        "effectivePeriod": {"start": "2025-01-10T08:00:00+01:00"},
        "dosage": [{"text": "1-0-0"}],
    }


def service_request() -> dict:
    return {
        "resourceType": "ServiceRequest",
        "id": "sr-kns-0000311",
        "status": "completed",
        "intent": "order",
        "category": [coded(SNOMED, "108252007", "Laboratory procedure")],
        "code": coded(LOINC, "24323-8", "Basisprofil Labor"),
        "subject": ref("Patient", "pat-kns-000042"),
        "encounter": ref("Encounter", "enc-kns-000311"),
        "authoredOn": "2025-03-30T06:00:00+02:00",
        "occurrenceDateTime": "2025-03-30T06:30:00+02:00",
    }


def test_medication_administration_and_statement_name_their_medication():
    administration = {
        "resourceType": "MedicationAdministration",
        "id": "ma-1",
        "status": "completed",
        "medicationReference": ref("Medication", "mdc-1"),
        "subject": ref("Patient", "pat-1"),
        "context": ref("Encounter", "enc-1"),
        "effectiveDateTime": "2024-02-10T17:54:21+01:00",
        "dosage": {"text": "5 mg p.o."},
    }
    coded_itself = {
        "resourceType": "MedicationAdministration",
        "id": "ma-2",
        "status": "in-progress",
        "medicationCodeableConcept": coded(ATC, "C07AB02", "Metoprolol"),
        "subject": ref("Patient", "pat-1"),
        "context": ref("EpisodeOfCare", "eoc-1"),
        "effectivePeriod": {
            "start": "2024-02-11T08:00:00+01:00",
            "end": "2024-02-11T08:30:00+01:00",
        },
    }
    tables, warnings = collect([administration, coded_itself], "MedicationAdministration")
    assert not warnings
    frame = tables["medication_administration"]
    assert_typed(frame, spec_of("medication_administration"))
    first, second = frame.to_dict("records")
    assert_row(
        first,
        {
            "source": SOURCE,
            "id": "ma-1",
            "patient_id": "pat-1",
            "encounter_id": "enc-1",
            "system": None,
            "code": None,
            "display": None,
            "medication_id": "mdc-1",
            "status": "completed",
            "start": at("2024-02-10T17:54:21+01:00"),
            "end": None,
            "dosage": "5 mg p.o.",
        },
    )
    assert (second["code"], second["display"], second["status"]) == (
        "C07AB02",
        "Metoprolol",
        "in-progress",
    )
    assert second["end"] == at("2024-02-11T08:30:00+01:00")
    nulls(second, "encounter_id", "medication_id", "dosage")

    tables, warnings = collect([medication_statement()], "MedicationStatement")
    assert not warnings
    row = tables["medication_statement"].iloc[0].to_dict()
    assert_typed(tables["medication_statement"], spec_of("medication_statement"))
    assert (row["medication_id"], row["encounter_id"], row["dosage"]) == (
        "mdc-kns-001",
        "enc-kns-000311",
        "1-0-0",
    )
    assert row["start"] == at("2025-01-10T08:00:00+01:00")
    nulls(row, "code", "end")


def test_medication_prefers_atc_and_keeps_the_pzn_and_product_name():
    both = {
        "resourceType": "Medication",
        "id": "01343676",
        "code": {
            "coding": [
                {"system": PZN, "code": "01343682"},
                {"system": ATC, "code": "B01AC06", "display": "Acetylsalicylsäure"},
            ],
            "text": "ASS-ratiopharm 100 mg TAH, Tbl.",
        },
    }
    pzn_only = {
        "resourceType": "Medication",
        "id": "04114918",
        "code": {"coding": [{"system": PZN, "code": "04114918"}], "text": "Novaminsulfon"},
    }
    tables, warnings = collect([both, pzn_only], "Medication")
    assert not warnings
    assert_typed(tables["medication"], spec_of("medication"))
    first, second = tables["medication"].to_dict("records")
    assert_row(
        first,
        {
            "source": SOURCE,
            "id": "01343676",
            "system": ATC,
            "code": "B01AC06",
            "display": "Acetylsalicylsäure",
            "pzn": "01343682",
            "text": "ASS-ratiopharm 100 mg TAH, Tbl.",
        },
    )
    assert (second["system"], second["code"], second["display"], second["pzn"]) == (
        PZN,
        "04114918",
        "Novaminsulfon",
        "04114918",
    )


def test_medication_request_period_from_the_dosage_timing_and_its_medication():
    order = {
        "resourceType": "MedicationRequest",
        "id": "1015830",
        "status": "completed",
        "intent": "order",
        "medicationReference": ref("Medication", "01343676"),
        "subject": ref("Patient", "0002690836"),
        "authoredOn": "2024-04-10T16:04:08+02:00",
        "dosageInstruction": [
            {
                "text": "täglich",
                "timing": {
                    "repeat": {
                        "boundsPeriod": {
                            "start": "2024-04-10T00:00:00+02:00",
                            "end": "2024-07-30T00:00:00+02:00",
                        }
                    }
                },
            }
        ],
    }
    tables, warnings = collect([order], "MedicationRequest")
    assert not warnings
    row = tables["medication_request"].iloc[0].to_dict()
    assert row["medication_id"] == "01343676"
    assert row["start"] == at("2024-04-10T00:00:00+02:00")
    assert row["end"] == at("2024-07-30T00:00:00+02:00")
    nulls(row, "code", "display", "system")


def test_observation_values_that_are_not_numbers_are_kept_as_text():
    base = {"resourceType": "Observation", "status": "final", "subject": ref("Patient", "p")}
    vital_status = {
        **base,
        "id": "vs",
        "category": [coded("http://terminology.hl7.org/CodeSystem/observation-category", "survey")],
        "code": coded(LOINC, "67162-8"),
        "valueCodeableConcept": coded("https://example.org/Vitalstatus", "L"),
    }
    lab = {
        **base,
        "id": "crp",
        # MII labs name the LOINC lab section first; the category column takes the FHIR one.
        "category": [
            {
                "coding": [
                    {"system": LOINC, "code": "26436-6"},
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    },
                ]
            }
        ],
        "code": coded(LOINC, "1988-5", "CRP"),
        "valueString": "< 0.10",
    }
    coded_with_text = {
        **base,
        "id": "blood-group",
        "code": coded(LOINC, "882-1"),
        "valueCodeableConcept": {"coding": [{"code": "A+"}], "text": "A Rh positiv"},
    }
    flag = {**base, "id": "flag", "code": coded(LOINC, "x"), "valueBoolean": False}
    count = {**base, "id": "count", "code": coded(LOINC, "y"), "valueInteger": 3}
    tables, warnings = collect([vital_status, lab, coded_with_text, flag, count], "Observation")
    assert not warnings
    frame = tables["observation"]
    assert_typed(frame, spec_of("observation"))
    assert frame["value_text"].tolist()[:4] == ["L", "< 0.10", "A Rh positiv", "false"]
    assert frame["value"].tolist() == [pd.NA, pd.NA, pd.NA, pd.NA, 3.0]
    assert frame["category"].tolist()[:2] == ["survey", "laboratory"]


def test_diagnostic_report_lists_its_results():
    report = {
        "resourceType": "DiagnosticReport",
        "id": "SWL-1",
        "status": "final",
        "category": [
            {
                "coding": [
                    {"system": LOINC, "code": "26436-6"},
                    {"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "LAB"},
                ]
            }
        ],
        "code": coded(LOINC, "11502-2"),
        "subject": ref("Patient", "p"),
        "encounter": ref("Encounter", "e"),
        "basedOn": [{"identifier": {"value": "x"}}, ref("ServiceRequest", "sr-1")],
        "effectiveDateTime": "2024-12-29T08:24:00+01:00",
        "issued": "2024-12-29T17:51:28+01:00",
        "result": [ref("Observation", "o-1"), ref("Observation", "o-2"), {"display": "lost"}],
        "conclusion": "unauffällig",
    }
    tables, warnings = collect([report], "DiagnosticReport")
    assert not warnings
    assert_typed(tables["diagnostic_report"], spec_of("diagnostic_report"))
    assert_typed(tables["diagnostic_report_result"], spec_of("diagnostic_report_result"))
    assert_row(
        tables["diagnostic_report"].iloc[0].to_dict(),
        {
            "source": SOURCE,
            "id": "SWL-1",
            "patient_id": "p",
            "encounter_id": "e",
            "system": LOINC,
            "code": "11502-2",
            "display": None,
            "category": "LAB",
            "status": "final",
            "effective": at("2024-12-29T08:24:00+01:00"),
            "issued": at("2024-12-29T17:51:28+01:00"),
            "conclusion": "unauffällig",
            "service_request_id": "sr-1",
        },
    )
    results = tables["diagnostic_report_result"]
    assert results["report_id"].tolist() == ["SWL-1"] * 3
    assert results["observation_id"].tolist()[:2] == ["o-1", "o-2"]
    assert pd.isna(results["observation_id"].iloc[2])


def test_service_request():
    tables, warnings = collect([service_request()], "ServiceRequest")
    assert not warnings
    assert_typed(tables["service_request"], spec_of("service_request"))
    assert_row(
        tables["service_request"].iloc[0].to_dict(),
        {
            "source": SOURCE,
            "id": "sr-kns-0000311",
            "patient_id": "pat-kns-000042",
            "encounter_id": "enc-kns-000311",
            "system": LOINC,
            "code": "24323-8",
            "display": "Basisprofil Labor",
            "category": "108252007",
            "status": "completed",
            "intent": "order",
            "authored_on": at("2025-03-30T06:00:00+02:00"),
            "occurrence": at("2025-03-30T06:30:00+02:00"),
        },
    )


def test_consent_of_the_ukw_export():
    (consent,) = of_kind(export_resources("ukw"), "Consent")
    tables, warnings = collect([consent], "Consent")
    assert not warnings
    assert_typed(tables["consent"], spec_of("consent"))
    row = tables["consent"].iloc[0].to_dict()
    assert row["id"] == consent["id"]
    assert row["patient_id"] == consent["patient"]["reference"].split("/")[1]
    assert (row["status"], row["scope"], row["provision_type"]) == ("active", "research", "deny")
    assert row["policy"] == " ".join(p["uri"] for p in consent["policy"])
    assert row["provisions"] == "permit"
    assert row["date"] == at(consent["dateTime"])
    assert row["category"] == consent["category"][1]["coding"][0]["code"]


# --- the generated network --------------------------------------------------------------------


@pytest.fixture(scope="module")
def network_resources() -> dict[str, list[dict]]:
    network = generate(7, PRESETS["test"], AS_OF)
    resources = dict(network.resources)
    # The generator writes no audit trail; the app's own AuditEvents stand in for it.
    nurse = User("pflege.oezdemir", "Ayşe Özdemir", Role.NURSE, wards=("loc-kns-w01",))
    physician = User("dr.schaefer", "Dr. Jörg Schäfer", Role.PHYSICIAN, practitioner_id="p-1")
    manager = User("leitung", "Birgit Größ", Role.MANAGER)
    records = [
        AuditRecord(
            nurse,
            "update",
            "ward_tasks",
            patient_id=task["for"]["reference"].split("/")[1],
            resource=f"Task/{task['id']}",
            when=AS_OF,
        )
        for task in resources["Task"][:20]
    ]
    records += [
        AuditRecord(physician, "read", "timeline", patient_id=p["id"], reason="Mitbehandlung")
        for p in resources["Patient"][:10]
    ]
    records.append(AuditRecord(manager, "search", "capacity", when=AS_OF))
    resources["AuditEvent"] = [
        {**audit_event(rec), "id": f"aud-{n:04d}"} for n, rec in enumerate(records)
    ]
    # Kinds the generator does not write come from the real MII exports, or are made here where
    # neither export has one.
    real = export_resources("ukw") + export_resources("ukhd")
    for kind in ("MedicationAdministration", "Medication", "DiagnosticReport", "Consent"):
        found = of_kind(real, kind)
        # Copies under new ids where an export has few: the chunking tests need a dozen.
        extra = [{**found[0], "id": f"{found[0]['id']}-{n}"} for n in range(12 - len(found))]
        resources.setdefault(kind, found + extra)
    for kind, made in (
        ("MedicationStatement", medication_statement),
        ("ServiceRequest", service_request),
    ):
        resources.setdefault(kind, [{**made(), "id": f"{made()['id']}-{n}"} for n in range(12)])
    # The managers' answers are written by the dashboard, never by the generator.
    answer = operating_response(
        "org-kns", "EINGESCHRAENKT", ("personal",), True, "Birgit Größ", pd.Timestamp(AS_OF)
    )
    resources["QuestionnaireResponse"] = [{**answer, "id": f"qr-{n}"} for n in range(12)]
    return resources


def rows_per_resource(kind: str, resource: dict) -> int:
    if kind == "Observation":
        return max(1, sum(isinstance(c, dict) for c in resource.get("component", ())))
    if kind == "PractitionerRole":
        return max(1, len(resource.get("location", ())))
    if kind == "Appointment":
        roles = [p for p in resource["participant"] if "PractitionerRole/" in str(p["actor"])]
        return max(1, len(roles))
    return 1


@pytest.mark.parametrize("kind", list(KINDS))
def test_network_tables_have_the_documented_columns(network_resources, kind):
    resources = network_resources[kind]
    assert resources
    tables, warnings = collect(resources, kind)
    assert warnings == Counter()
    assert set(tables) == set(KINDS[kind].tables)
    documented = documented_tables()
    for name, spec in KINDS[kind].tables.items():
        assert_typed(tables[name], spec)
        assert [(c, dtype_of(d)) for c, d in documented[name]] == [
            (c, str(t)) for c, t in tables[name].dtypes.items()
        ]
    primary = tables[PRIMARY[kind]]
    assert primary["id"].notna().all()
    assert list(dict.fromkeys(primary["id"])) == [r["id"] for r in resources]
    assert len(primary) == sum(rows_per_resource(kind, r) for r in resources)
    if kind == "Encounter":
        places = tables["encounter_location"]
        assert len(places) == sum(len(r.get("location", ())) for r in resources)
        assert places["location_id"].notna().all() and places["start"].notna().all()
    if kind == "Observation":
        # A number, or a code: the level of consciousness (ACVPU) of a NEWS2 set, a mobility grade.
        coded = primary["code"].isin(["67775-7", MOBILITY_FINDING])
        assert primary.loc[~coded, "value"].notna().all()
        assert primary.loc[coded, "value_code"].notna().all() and coded.any()
        assert primary["code"].eq(MOBILITY_FINDING).any() and primary["code"].eq(PAIN_NRS).any()


def test_network_audit_events_read_back(network_resources):
    tables, _ = collect(network_resources["AuditEvent"], "AuditEvent")
    frame = tables["audit_event"]
    updates = frame[frame["interaction"] == "update"]
    assert len(updates) == 20 and (updates["action"] == "U").all()
    assert updates["resource"].str.startswith("Task/").all()
    assert (updates["recorded"] == pd.Timestamp(AS_OF)).all()
    assert (updates["user_name"] == "Ayşe Özdemir").all()
    reads = frame[frame["interaction"] == "read"]
    assert (reads["purpose"] == "ETREAT").all() and (reads["reason"] == "Mitbehandlung").all()
    search = frame[frame["interaction"] == "search"].iloc[0]
    assert search["purpose"] == "TREAT"
    assert pd.isna(search["patient_id"]) and pd.isna(search["resource"])


# --- malformed resources -------------------------------------------------------------------------

MALFORMED = [
    pytest.param(
        {
            "resourceType": "Patient",
            "id": "pat-1",
            "meta": {"lastUpdated": "gestern"},
            "identifier": [{"system": KVNR, "value": 1234567890}],
            "name": [{"family": 42, "given": ["Jürgen", 7]}],
            "gender": ["male"],
            "birthDate": "29.02.1948",
            "address": {"city": "Ulm"},
            "managingOrganization": [ref("Organization", "org-kns")],
        },
        {"given": "Jürgen"},
        ("hospital_id", "kvnr", "family", "gender", "birth_date", "city", "last_updated"),
        {
            "bad_kvnr": 1,
            "bad_family": 1,
            "bad_gender": 1,
            "bad_birth_date": 1,
            "bad_last_updated": 1,
        },
        id="patient",
    ),
    pytest.param(
        {
            "resourceType": "Practitioner",
            "id": "pra-1",
            "name": [{"family": {"text": "Weiß"}, "given": "Anna"}],
        },
        {},
        ("family", "given"),
        {"bad_family": 1},
        id="practitioner",
    ),
    pytest.param(
        {
            "resourceType": "PractitionerRole",
            "id": "prr-1",
            "practitioner": "Practitioner/pra-1",
            "organization": {"reference": 17},
            "code": {"coding": [{"system": ROLE, "code": "nurse"}]},
            "specialty": [{"coding": "0100"}],
            "location": [{"reference": "Organization/org-kns"}],
        },
        {"role": "nurse"},
        ("practitioner_id", "hospital_id", "shift", "department", "ward_id"),
        {"bad_coding": 1},
        id="practitioner_role",
    ),
    pytest.param(
        {
            "resourceType": "Organization",
            "id": "org-1",
            "identifier": [{"system": IKNR, "value": 260001012}],
            "name": 7,
            "alias": "KNS",
            "address": [{"city": ["Stuttgart"]}],
        },
        {},
        ("name", "alias", "iknr", "city"),
        {"bad_name": 1, "bad_iknr": 1, "bad_city": 1},
        id="organization",
    ),
    pytest.param(
        {
            "resourceType": "Encounter",
            "id": "enc-1",
            "identifier": [typed_id("VN", "urn:fall", 25000103)],
            "status": ["finished"],
            "class": "IMP",
            "subject": {"reference": "Patient"},
            "period": {"start": "gestern um 10", "end": 20251128},
            "participant": {"individual": ref("Practitioner", "pra-1")},
            "extension": [{"url": PLANNED_END, "valueDateTime": "bald"}],
            "hospitalization": [{"admitSource": coded("urn:x", "notfall")}],
        },
        {},
        (
            "patient_id",
            "case_number",
            "status",
            "class",
            "start",
            "end",
            "planned_end",
            "attending_id",
            "admit_source",
        ),
        {
            "bad_case_number": 1,
            "bad_status": 1,
            "bad_start": 1,
            "bad_end": 1,
            "bad_planned_end": 1,
            "bad_participant": 1,
        },
        id="encounter",
    ),
    pytest.param(
        {"resourceType": "Encounter", "id": "enc-2", "period": [{"start": "2025-03-01"}]},
        {},
        ("start", "end"),
        {"encounter_without_start": 1},
        id="encounter-without-start",
    ),
    pytest.param(
        {
            "resourceType": "Location",
            "id": "loc-1",
            "name": ["Station 3A"],
            "status": 1,
            "partOf": "Location/loc-w",
            "physicalType": [coded(PHYSICAL_TYPE, "bd")],
            "operationalStatus": {"system": "urn:bettenstatus", "code": "belegt"},
            "type": coded(BED_CATEGORY, "general"),
        },
        {"operational_status": "belegt", "bed_category": "general", "physical_type": "bd"},
        ("name", "status", "part_of"),
        {"bad_name": 1, "bad_status": 1, "unknown_bed_status_system": 1},
        id="location",
    ),
    pytest.param(
        {
            "resourceType": "Condition",
            "id": "con-1",
            "code": {"coding": {"system": ICD10GM, "code": "I10"}, "text": "Hypertonie"},
            "subject": [ref("Patient", "pat-1")],
            "encounter": ref("Patient", "pat-1"),
            "clinicalStatus": "active",
            "onsetDateTime": "letzte Woche",
            "recordedDate": 20251128,
        },
        {"display": "Hypertonie"},
        ("patient_id", "encounter_id", "system", "code", "clinical_status", "onset", "recorded"),
        {"bad_onset": 1, "bad_recorded": 1, "bad_coding": 1},
        id="condition",
    ),
    pytest.param(
        {
            "resourceType": "Procedure",
            "id": "pro-1",
            "status": True,
            "code": [coded(OPS, "8-837.00")],
            "performedDateTime": 5,
        },
        {"code": "8-837.00", "system": OPS},
        ("status", "performed", "display"),
        {"bad_status": 1, "bad_performed": 1},
        id="procedure",
    ),
    pytest.param(
        {
            "resourceType": "MedicationRequest",
            "id": "med-1",
            "status": 3,
            "medicationCodeableConcept": "Ibuprofen 400",
            "authoredOn": "2025-02-30T10:00:00+01:00",
            "dispenseRequest": {"validityPeriod": [{"start": "2025-02-01T10:00:00+01:00"}]},
            "dosageInstruction": [{"text": ["1-0-1"]}],
        },
        {},
        ("status", "system", "code", "display", "authored_on", "start", "end", "dosage"),
        {"bad_status": 1, "bad_authored_on": 1, "bad_dosage": 1},
        id="medication_request",
    ),
    pytest.param(
        {
            "resourceType": "Observation",
            "id": "obs-1",
            "status": "final",
            "code": coded(LOINC, "2823-3"),
            "effectiveDateTime": "morgen früh",
            "valueQuantity": {"value": "5,9", "unit": "mmol/L"},
            "referenceRange": [{"low": {"value": "niedrig"}, "high": {"value": 5.1}}],
        },
        {"code": "2823-3", "unit": "mmol/L", "ref_high": 5.1},
        ("effective", "value", "ref_low"),
        {"bad_effective": 1, "bad_value": 1, "bad_ref_low": 1},
        id="observation",
    ),
    pytest.param(
        {
            "resourceType": "Observation",
            "id": "obs-2",
            "valueQuantity": [{"value": 7.5}],
            "interpretation": {"coding": [{"system": INTERPRETATION, "code": "H"}]},
        },
        {"interpretation": "H"},
        ("value", "unit", "code"),
        {},
        id="observation-quantity-list",
    ),
    pytest.param(
        {
            "resourceType": "Task",
            "id": "tsk-1",
            "priority": 1,
            "owner": ref("Organization", "org-kns"),
            "restriction": {"period": {"end": "heute Abend"}},
            "lastModified": ["2025-03-30T10:40:00+02:00"],
            "executionPeriod": [{"start": "2025-03-30T10:35:00+02:00"}],
            "note": [{"text": "alt"}, {"text": 5}],
        },
        {"priority": "routine"},
        ("owner_id", "due", "last_modified", "exec_start", "note"),
        {"bad_priority": 1, "bad_due": 1, "bad_last_modified": 1, "bad_note": 1},
        id="task",
    ),
    pytest.param(
        {
            "resourceType": "AuditEvent",
            "id": "aud-1",
            "recorded": "28.11.2025 10:12",
            "action": 1,
            "agent": [{"altId": 7, "name": ["Dr. Schäfer"]}],
            "entity": [{"what": "Patient/pat-1"}],
            "purposeOfEvent": {"text": "Notfall"},
        },
        {},
        ("recorded", "action", "user", "user_name", "patient_id", "resource", "reason"),
        {"bad_recorded": 1, "bad_action": 1, "bad_user": 1, "bad_user_name": 1},
        id="audit_event",
    ),
    # Misshapen repeated elements and objects: the element becomes null with a warning, the
    # resource keeps its row.
    pytest.param(
        {
            "resourceType": "Patient",
            "id": "pat-2",
            "identifier": 5,
            "name": ["Müller"],
            "gender": "female",
            "managingOrganization": ref("Organization", "org-kns"),
        },
        {"gender": "female", "hospital_id": "org-kns"},
        ("kvnr", "mrn", "mrn_system", "family", "given"),
        {"bad_identifier": 1, "bad_name": 1},
        id="patient-containers",
    ),
    pytest.param(
        {
            "resourceType": "Patient",
            "id": "pat-3",
            "identifier": [True, {"system": KVNR, "value": "M857593316"}],
            "name": [{"family": "Weiß"}],
        },
        {"kvnr": "M857593316", "family": "Weiß"},
        ("mrn",),
        {"bad_identifier": 1},
        id="patient-identifier-entry",
    ),
    pytest.param(
        {
            "resourceType": "Patient",
            "id": "pat-4",
            "identifier": [
                {"type": {"coding": 7}, "system": MR_SYSTEM, "value": "1"},
                {"type": coded(IDENTIFIER_TYPE_V2, "MR"), "system": 12, "value": "40000042"},
            ],
        },
        {"mrn": "40000042"},
        ("mrn_system",),
        {"bad_coding": 1, "bad_mrn_system": 1},
        id="patient-identifier-type",
    ),
    pytest.param(
        {"resourceType": "Practitioner", "id": "pra-2", "name": [7]},
        {},
        ("family", "given"),
        {"bad_name": 1},
        id="practitioner-name",
    ),
    pytest.param(
        {
            "resourceType": "PractitionerRole",
            "id": "prr-2",
            "practitioner": ref("Practitioner", "pra-1"),
            "code": [{"coding": True}, coded(SHIFT, "nacht")],
            "specialty": [{"coding": [{"system": FACHABTEILUNG, "code": 100}]}],
            "location": 5,
        },
        {"practitioner_id": "pra-1", "shift": "nacht"},
        ("role", "department", "ward_id"),
        {"bad_coding": 1, "bad_code": 1, "bad_location": 1},
        id="practitioner_role-containers",
    ),
    pytest.param(
        {"resourceType": "Organization", "id": "org-2", "identifier": False, "name": "KNS"},
        {"name": "KNS"},
        ("iknr",),
        {"bad_identifier": 1},
        id="organization-identifier",
    ),
    pytest.param(
        {
            "resourceType": "Encounter",
            "id": "enc-3",
            "identifier": True,
            "status": "finished",
            "type": [{"coding": 5}],
            "serviceType": {"coding": [{"system": FACHABTEILUNG, "code": 300}]},
            "subject": ref("Patient", "pat-1"),
            "period": {"start": "2025-03-01T08:00:00+01:00"},
            "participant": 7,
            "extension": False,
            "hospitalization": {"admitSource": {"coding": 1.5}},
        },
        {"status": "finished", "patient_id": "pat-1", "start": at("2025-03-01T08:00:00+01:00")},
        ("case_number", "contact_level", "department", "attending_id", "admit_source"),
        {
            "bad_identifier": 1,
            "bad_coding": 2,
            "bad_code": 1,
            "bad_participant": 1,
            "bad_extension": 1,
        },
        id="encounter-containers",
    ),
    pytest.param(
        {
            "resourceType": "Encounter",
            "id": "enc-4",
            "period": {"start": "2025-03-01T08:00:00+01:00"},
            "participant": {"individual": ref("Practitioner", "pra-1")},
            "extension": [{"url": PLANNED_END, "valueDateTime": True}, "kaputt"],
        },
        {},
        ("attending_id", "planned_end"),
        {"bad_participant": 1, "bad_extension": 1, "bad_planned_end": 1},
        id="encounter-participant-object",
    ),
    pytest.param(
        {
            "resourceType": "Location",
            "id": "loc-2",
            "name": "3A-12-1",
            "physicalType": coded(PHYSICAL_TYPE, "bd"),
            "operationalStatus": "O",
            "type": [{"coding": 1.5}, coded(BED_CATEGORY, "general")],
        },
        {"name": "3A-12-1", "physical_type": "bd", "bed_category": "general"},
        ("operational_status",),
        {"bad_operational_status": 1, "bad_coding": 1},
        id="location-operational-status",
    ),
    pytest.param(
        {
            "resourceType": "Condition",
            "id": "con-2",
            "code": {"coding": True, "text": "Hypertonie"},
            "clinicalStatus": {"coding": [{"code": 1}]},
            "verificationStatus": {"coding": [5]},
        },
        {"display": "Hypertonie"},
        ("system", "code", "clinical_status", "verification_status"),
        {"bad_coding": 2, "bad_code": 1},
        id="condition-codings",
    ),
    pytest.param(
        {
            "resourceType": "MedicationRequest",
            "id": "med-2",
            "medicationCodeableConcept": {
                "coding": [{"system": ATC, "code": "B01AC06", "display": 5}],
                "text": ["ASS"],
            },
        },
        {"system": ATC, "code": "B01AC06"},
        ("display",),
        {"bad_display": 2},
        id="medication_request-display",
    ),
    pytest.param(
        {
            "resourceType": "Procedure",
            "id": "pro-2",
            "code": {"coding": [{"system": 8, "code": "8-837.00"}]},
        },
        {"code": "8-837.00"},
        ("system",),
        {"bad_system": 1},
        id="procedure-system",
    ),
    pytest.param(
        {
            "resourceType": "Observation",
            "id": "obs-3",
            "category": [{"coding": False}],
            "code": {"coding": 7},
            "component": 5,
            "valueQuantity": {"value": 7.5, "code": 5, "unit": "mmol/L"},
        },
        {"value": 7.5, "unit": "mmol/L"},
        ("category", "code", "display", "panel_code"),
        {"bad_coding": 2, "bad_component": 1, "bad_unit": 1},
        id="observation-containers",
    ),
    pytest.param(
        {
            "resourceType": "Task",
            "id": "tsk-2",
            "meta": {"versionId": 3},
            "status": "ready",
            "code": {"coding": False, "text": 4},
            "performerType": [{"coding": [{"code": True}]}],
            "note": 5,
        },
        {"status": "ready", "priority": "routine"},
        ("version", "code", "display", "performer_type", "note"),
        {"bad_version": 1, "bad_coding": 1, "bad_display": 1, "bad_code": 1, "bad_note": 1},
        id="task-containers",
    ),
    pytest.param(
        {
            "resourceType": "AuditEvent",
            "id": "aud-2",
            "recorded": "2025-03-30T08:12:33Z",
            "action": "R",
            "agent": ["dr.schaefer"],
            "entity": 5,
        },
        {"action": "R", "recorded": at("2025-03-30T08:12:33Z")},
        ("user", "user_name", "role", "patient_id", "resource"),
        {"bad_agent": 1, "bad_entity": 1},
        id="audit_event-containers",
    ),
    pytest.param(
        {
            "resourceType": "AuditEvent",
            "id": "aud-3",
            "subtype": [{"code": 5}],
            "agent": [{"altId": "dr.schaefer", "role": [{"text": 7}]}],
            "source": {"site": 3},
            "entity": [
                "Patient/pat-1",
                {"what": ref("Patient", "pat-1")},
                {"what": {"reference": 4}},
            ],
            "purposeOfEvent": [{"coding": [{"code": 1}], "text": 2}],
        },
        {"user": "dr.schaefer", "patient_id": "pat-1"},
        ("interaction", "role", "resource", "page", "purpose", "reason"),
        {
            "bad_interaction": 1,
            "bad_role": 1,
            "bad_page": 1,
            "bad_entity": 1,
            "bad_resource": 1,
            "bad_code": 1,
            "bad_reason": 1,
        },
        id="audit_event-text",
    ),
]


@pytest.mark.parametrize(("resource", "values", "null_columns", "expected"), MALFORMED)
def test_malformed_fields_become_nulls_and_counted_warnings(
    resource, values, null_columns, expected
):
    kind = KINDS[resource["resourceType"]]
    tables, warnings = collect([resource], kind.resource_type)
    for name, spec in kind.tables.items():
        assert_typed(tables[name], spec)
    primary = tables[PRIMARY[kind.resource_type]]
    assert len(primary) == 1
    row = primary.iloc[0].to_dict()
    assert row["id"] == resource["id"]
    for column, value in values.items():
        assert row[column] == value, column
    nulls(row, *null_columns)
    assert warnings == Counter(expected)
    assert set(warnings) <= documented_warnings()


@pytest.mark.parametrize("kind", list(KINDS))
def test_resources_without_id_or_of_no_kind_give_no_rows(kind):
    page = [
        {"resourceType": kind},
        {"resourceType": kind, "id": 42},
        "kaputt",
        ["not", "a", "resource"],
        {"resourceType": "Basic", "id": "b1"},
        {"resourceType": [kind], "id": "l1"},
        {"resourceType": {"kind": kind}, "id": "d1"},
        {"resourceType": "OperationOutcome", "issue": [{"severity": "warning"}]},
    ]
    tables, warnings = collect(page, kind)
    assert warnings == Counter({"missing_id": 2, "unexpected_resource": 5})
    assert set(tables) == set(KINDS[kind].tables)
    for name, spec in KINDS[kind].tables.items():
        assert tables[name].empty
        assert_typed(tables[name], spec)


WRONG_VALUES = (7, 1.5, True, "kaputt", "/", ["kaputt"], [7], {"kaputt": 1}, [[]], {})


@pytest.mark.parametrize("kind", list(KINDS))
def test_wrong_json_types_anywhere_at_the_top_never_raise(network_resources, kind):
    original = network_resources[kind][0]
    variants = []
    for key in original:
        if key in ("resourceType", "id"):
            continue
        for n, wrong in enumerate(WRONG_VALUES):
            variants.append({**original, key: wrong, "id": f"{original['id']}-{key}-{n}"})
    tables, warnings = collect(variants, kind)
    assert set(warnings) <= documented_warnings()
    for name, spec in KINDS[kind].tables.items():
        assert_typed(tables[name], spec)
    # A misshapen field costs that field, never the resource: every variant keeps its row.
    primary = tables[PRIMARY[kind]]
    assert warnings["malformed_resource"] == 0
    assert set(primary["id"]) == {v["id"] for v in variants}


def json_paths(node, prefix: tuple = ()):
    """Every path to an element below ``node``, parents before children."""
    children = node.items() if isinstance(node, dict) else enumerate(node)
    for key, child in children:
        yield (*prefix, key)
        if isinstance(child, dict | list):
            yield from json_paths(child, (*prefix, key))


def replaced(node, path: tuple, value):
    """A copy of ``node`` with the element at ``path`` replaced; the rest is shared."""
    if not path:
        return value
    head, *rest = path
    if isinstance(node, dict):
        return {**node, head: replaced(node[head], tuple(rest), value)}
    return [replaced(c, tuple(rest), value) if n == head else c for n, c in enumerate(node)]


@pytest.mark.parametrize("kind", list(KINDS))
def test_wrong_json_types_at_any_depth_cost_the_field_not_the_resource(network_resources, kind):
    # The richest resource of the kind: the one with the most elements.
    original = max(network_resources[kind][:200], key=lambda r: sum(1 for _ in json_paths(r)))
    variants = [
        {**replaced(original, path, wrong), "id": f"{original['id']}-{n}-{m}"}
        for n, path in enumerate(json_paths(original))
        if path not in (("resourceType",), ("id",))
        for m, wrong in enumerate(WRONG_VALUES)
    ]
    tables, warnings = collect(variants, kind, chunk_rows=64)
    assert warnings["malformed_resource"] == 0
    assert set(warnings) <= documented_warnings()
    for name, spec in KINDS[kind].tables.items():
        assert_typed(tables[name], spec)
    assert set(tables[PRIMARY[kind]]["id"]) == {v["id"] for v in variants}


# --- references, containers, times and dates that used to cost a resource or a page ---------

REFERENCES = [
    ({"reference": "Patient/pat-1"}, "pat-1"),
    ({"reference": "https://host/fhir/Patient/pat-1"}, "pat-1"),
    ({"reference": "Patient/pat-1/_history/3"}, "pat-1"),
    ({"reference": "Patient/pat-1/_history/"}, "pat-1"),
    ({"reference": "Patient/pat-1/"}, "pat-1"),
    ({"reference": "Patient/"}, None),
    ({"reference": "/"}, None),
    ({"reference": "//"}, None),
    ({"reference": ""}, None),
    ({"reference": "Patient"}, None),
    ({"reference": "/pat-1"}, None),
    ({"reference": "Patient//"}, None),
    ({"reference": "Patient/_history/3"}, None),
    ({"reference": "Organization/org-1"}, None),
    ({"reference": "urn:uuid:5b1a7e1c"}, None),
    ({"reference": "#pat-1"}, None),
    ({"reference": 5}, None),
    ({"reference": ["Patient/pat-1"]}, None),
    ("Patient/pat-1", None),
    (None, None),
]


@pytest.mark.parametrize(("reference", "expected"), REFERENCES)
def test_ref_id_gives_the_id_or_null_for_any_value(reference, expected):
    assert ref_id(reference, "Patient") == expected
    untyped = ref_id(reference)
    assert untyped is None or (isinstance(untyped, str) and untyped)


def test_references_without_an_id_give_null_and_keep_the_page():
    tasks = [
        {"resourceType": "Task", "id": f"tsk-{n}", "for": {"reference": text}, "status": "ready"}
        for n, text in enumerate(["Patient/", "/", "Patient//", "Patient/pat-1"])
    ]
    tables, warnings = collect(tasks, "Task")
    frame = tables["task"]
    assert list(frame["id"]) == ["tsk-0", "tsk-1", "tsk-2", "tsk-3"]
    assert frame["patient_id"].iloc[:3].isna().all() and frame["patient_id"].iloc[3] == "pat-1"
    assert not warnings


@pytest.mark.parametrize("error", [IndexError, KeyError, TypeError, ValueError, AttributeError])
def test_an_extractor_failing_midway_leaves_no_rows_and_is_counted(error):
    def extract(res: dict, out: Collector) -> None:
        out.add("thing", res["id"], "first")
        out.add("part", res["id"])
        if res.get("broken"):
            raise error("a shape nobody foresaw")

    kind = Kind("Basic", extract, {"thing": Table(("id", "value")), "part": Table(("id",))})
    collector = Collector({"Basic": kind}, "Basic", source=SOURCE)
    collector.feed(
        [
            {"resourceType": "Basic", "id": "b1"},
            {"resourceType": "Basic", "id": "b2", "broken": True},
            {"resourceType": "Basic", "id": "b3"},
        ]
    )
    tables = collector.frames()
    assert list(tables["thing"]["id"]) == ["b1", "b3"]
    assert list(tables["part"]["id"]) == ["b1", "b3"]
    assert collector.warnings == Counter({"malformed_resource": 1})


@pytest.mark.parametrize("stamp", [True, False, 20251128, 1.5, ["2025-03-30T10:00:00Z"]])
@pytest.mark.parametrize("kind", ["Patient", "Encounter"])
def test_last_updated_of_another_json_type_is_null_and_counted(kind, stamp):
    resources = [
        {"resourceType": kind, "id": f"r-{n}", "meta": {"lastUpdated": stamp}} for n in range(5)
    ]
    # Chunks of two rows: every chunk holds nothing but the malformed value.
    tables, warnings = collect(resources, kind, chunk_rows=2)
    frame = tables[PRIMARY[kind]]
    assert_typed(frame, spec_of(PRIMARY[kind]))
    assert list(frame["id"]) == [f"r-{n}" for n in range(5)]
    assert frame["last_updated"].isna().all()
    expected = Counter({"bad_last_updated": 5})
    if kind == "Encounter":
        expected["encounter_without_start"] = 5
    assert warnings == expected


TIMED = Table(("when", "day"), times=("when",), dates=("day",))


@pytest.mark.parametrize(
    "values",
    [
        [True, True],
        [False, None],
        [20251128, 5],
        [1.5, None],
        [["2025-03-30T10:00:00Z"], {"at": 1}],
        [True, "2025-03-30T10:00:00+02:00"],
        [0, "2025-03-30"],
        [None, None],
    ],
)
def test_time_and_date_columns_read_only_text(values):
    warnings = Counter()
    frame = to_frame([(SOURCE, v, v) for v in values], TIMED, warnings)
    assert_typed(frame, TIMED)
    strings = [v if isinstance(v, str) else None for v in values]
    # A date without a time reads as midnight UTC.
    expected_times = [
        None if v is None else at(v if "T" in v else f"{v}T00:00:00Z") for v in strings
    ]
    expected_days = [None if v is None else date.fromisoformat(v[:10]) for v in strings]
    for got, want in zip(frame["when"], expected_times, strict=True):
        assert (pd.isna(got) and want is None) or got == want
    for got, want in zip(frame["day"], expected_days, strict=True):
        assert (pd.isna(got) and want is None) or got == want
    bad = sum(v is not None and not isinstance(v, str) for v in values)
    assert warnings == Counter({"bad_when": bad, "bad_day": bad} if bad else {})


def test_a_time_of_day_without_offset_is_read_as_utc_and_counted():
    task = {
        "resourceType": "Task",
        "id": "tsk-1",
        "authoredOn": "2025-03-30T08:15:00",
        "lastModified": "2025-03-30T08:15:00.5",
        "restriction": {"period": {"end": "2025-03-30"}},
        "executionPeriod": {"start": "2025-03-30T10:00:00Z", "end": "2025-03-30T12:00:00+02:00"},
    }
    tables, warnings = collect([task], "Task")
    row = tables["task"].iloc[0].to_dict()
    assert row["authored_on"] == at("2025-03-30T08:15:00Z")
    assert row["last_modified"] == at("2025-03-30T08:15:00.5Z")
    # A date without a time needs no offset (FHIR): read as midnight UTC without a warning.
    assert row["due"] == at("2025-03-30T00:00:00Z")
    assert row["exec_start"] == row["exec_end"] == at("2025-03-30T10:00:00Z")
    assert warnings == Counter({"time_without_offset": 2})


def test_times_before_year_one_are_null_and_counted():
    warnings = Counter()
    frame = to_frame(
        [(SOURCE, "0000-06-01T00:00:00Z", None), (SOURCE, "0001-01-01T00:00:00+14:00", None)],
        TIMED,
        warnings,
    )
    assert_typed(frame, TIMED)
    assert frame["when"].isna().all()
    assert warnings == Counter({"bad_when": 2})


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        ("1948-02-29", date(1948, 2, 29)),
        ("1948-02", date(1948, 2, 1)),
        ("1948", date(1948, 1, 1)),
        ("0001", date(1, 1, 1)),
        ("1948-02-29T10:00:00+01:00", date(1948, 2, 29)),
        ("1948-02-30", None),
        ("1948-13", None),
        ("1948-00", None),
        ("0000", None),
        ("0000-01-01", None),
        ("19480229", None),
        ("1948-2", None),
        ("1948-02-1", None),
        ("48", None),
        ("", None),
        ("29.02.1948", None),
    ],
)
def test_birth_date_reads_full_and_partial_dates(birth, expected):
    patient = {"resourceType": "Patient", "id": "pat-1", "birthDate": birth}
    tables, warnings = collect([patient], "Patient")
    frame = tables["patient"]
    assert_typed(frame, spec_of("patient"))
    got = frame["birth_date"].iloc[0]
    if expected is None:
        assert pd.isna(got) and warnings == Counter({"bad_birth_date": 1})
    elif len(birth) < 10:
        # A year or a year and month is read, and counted for the data-quality page.
        assert got == expected and warnings == Counter({"partial_birth_date": 1})
    else:
        assert got == expected and not warnings


def test_date_columns_are_objects_of_dates_in_every_chunk():
    patients = [
        {"resourceType": "Patient", "id": "p-1", "birthDate": "kaputt"},
        {"resourceType": "Patient", "id": "p-2"},
        {"resourceType": "Patient", "id": "p-3", "birthDate": "1948-02-29"},
    ]
    for chunk_rows in (1, 2, 5000):
        tables, _ = collect(patients, "Patient", chunk_rows=chunk_rows)
        assert_typed(tables["patient"], spec_of("patient"))
        assert tables["patient"]["birth_date"].tolist()[2] == date(1948, 2, 29)
    for page in (patients[:1], patients[1:2], []):
        tables, _ = collect(page, "Patient")
        assert str(tables["patient"]["birth_date"].dtype) == "object"


@pytest.mark.parametrize("location", [5, True, 1.5, "loc-1", {"location": {"reference": "x/y"}}])
def test_an_encounter_location_of_the_wrong_shape_gives_no_rows_and_a_warning(location):
    encounter = {
        "resourceType": "Encounter",
        "id": "enc-1",
        "status": "in-progress",
        "period": {"start": "2025-03-01T08:00:00+01:00"},
        "location": location,
    }
    tables, warnings = collect([encounter], "Encounter")
    assert list(tables["encounter"]["id"]) == ["enc-1"]
    assert tables["encounter"]["status"].iloc[0] == "in-progress"
    assert tables["encounter_location"].empty
    assert_typed(tables["encounter_location"], spec_of("encounter_location"))
    assert warnings == Counter({"bad_location": 1})


def test_encounter_location_entries_that_are_objects_are_kept():
    start = "2025-03-01T08:00:00+01:00"
    bed = place("loc-b1", "bd", "active", start)
    encounter = {
        "resourceType": "Encounter",
        "id": "enc-1",
        "period": {"start": start},
        "location": [
            7,
            place("loc-w1", "wa", "active", start),
            {**bed, "physicalType": {"coding": 5}},
            "loc-r1",
        ],
    }
    tables, warnings = collect([encounter], "Encounter")
    places = tables["encounter_location"]
    assert list(places["location_id"]) == ["loc-w1", "loc-b1"]
    assert places["physical_type"].iloc[0] == "wa" and pd.isna(places["physical_type"].iloc[1])
    assert list(places["start"]) == [at(start)] * 2
    assert list(tables["encounter"]["id"]) == ["enc-1"]
    assert warnings == Counter({"bad_location": 1, "bad_coding": 1})


# --- chunks and repeated calls ----------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_small_chunks_give_the_tables_of_one_chunk(network_resources, kind):
    real = network_resources[kind][:12]
    bare = [{"resourceType": kind, "id": f"bare-{n}"} for n in range(3)]
    odd = [{"resourceType": kind, "id": "odd-1", "meta": {"lastUpdated": "nie"}, "status": 4}]
    pages = [real[:5], bare, real[5:6], odd, real[6:], bare[:1]]
    one = Collector(KINDS, kind, source=SOURCE)
    small = Collector(KINDS, kind, source=SOURCE, chunk_rows=2)
    for page in pages:
        one.feed(page)
        small.feed(page)
    assert len(small.chunks[PRIMARY[kind]]) >= 3
    expected, got = one.frames(), small.frames()
    assert set(got) == set(expected) == set(KINDS[kind].tables)
    for name in expected:
        pd.testing.assert_frame_equal(got[name], expected[name])
    assert small.warnings == one.warnings
    again = small.frames()
    for name in expected:
        pd.testing.assert_frame_equal(again[name], expected[name])
    assert small.warnings == one.warnings


def test_frames_twice_gives_the_same_tables_and_warnings(network_resources):
    broken = {"resourceType": "Observation", "id": "obs-x", "effectiveDateTime": "nie"}
    resources = [*network_resources["Observation"][:50], broken]
    collector = Collector(KINDS, "Observation", source=SOURCE)
    collector.feed(resources)
    first = collector.frames()
    warnings = Counter(collector.warnings)
    assert warnings == Counter({"bad_effective": 1})
    second = collector.frames()
    assert collector.warnings == warnings
    assert set(first) == set(second) == {"observation"}
    pd.testing.assert_frame_equal(first["observation"], second["observation"])


def test_tables_read_between_pages_equal_one_read_at_the_end(network_resources):
    pages = [
        network_resources["Encounter"][:7],
        [{"resourceType": "Encounter", "id": "enc-x", "period": {"start": "bald"}}],
        network_resources["Encounter"][7:20],
    ]
    whole = Collector(KINDS, "Encounter", source=SOURCE)
    for page in pages:
        whole.feed(page)
    expected = whole.frames()
    stepwise = Collector(KINDS, "Encounter", source=SOURCE)
    for page in pages:
        stepwise.feed(page)
        stepwise.frames()
    got = stepwise.frames()
    assert set(got) == set(expected) == set(KINDS["Encounter"].tables)
    for name in expected:
        pd.testing.assert_frame_equal(got[name], expected[name])
    assert stepwise.warnings == whole.warnings == Counter({"bad_start": 1})


# --- docs/FRAMES.md -----------------------------------------------------------------------------


def documented_tables() -> dict[str, list[tuple[str, str]]]:
    """Every ``### `table` `` section of the doc: its (column, dtype) rows, in order."""
    tables: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.fullmatch(r"### `(\w+)`", line)
        if heading:
            current = heading[1]
            tables[current] = []
        elif line.startswith("#"):
            current = None
        elif current and line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            tables[current].append((cells[0].strip("`"), cells[1].replace("`", "")))
    return tables


def documented_kinds() -> dict[str, str]:
    """table -> the ``## Kind`` section it is documented under."""
    sections, kind = {}, None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            kind = line[3:].strip()
        elif match := re.fullmatch(r"### `(\w+)`", line):
            sections[match[1]] = kind
    return sections


def documented_warnings() -> set[str]:
    text = DOC.read_text(encoding="utf-8").split("## Nulls and warnings", 1)[1]
    return set(re.findall(r"^\| `(\w+)` \|", text, flags=re.MULTILINE))


def dtype_of(documented: str) -> str:
    return "object" if documented == "object (datetime.date)" else documented


def test_doc_lists_every_column_of_every_table_in_order():
    documented = documented_tables()
    specs = {name: spec for kind in KINDS.values() for name, spec in kind.tables.items()}
    assert sorted(documented) == sorted(specs)
    for name, spec in specs.items():
        columns = ["source", *spec.columns]
        assert [column for column, _ in documented[name]] == columns, name
        assert [dtype_of(d) for _, d in documented[name]] == [
            expected_dtype(spec, c) for c in columns
        ], name


def test_doc_places_each_table_under_its_kind():
    sections = documented_kinds()
    for kind in KINDS.values():
        for name in kind.tables:
            assert sections[name] == kind.resource_type, name


def test_doc_warning_names_cover_the_fixed_names():
    names = documented_warnings()
    fixed = {
        "unexpected_resource",
        "missing_id",
        "malformed_resource",
        "encounter_without_start",
        "unknown_bed_status_system",
        "bad_value",
    }
    assert fixed <= names
    # Every column that is parsed after collection has its bad_<column> documented.
    for kind in KINDS.values():
        for spec in kind.tables.values():
            for column in (*spec.times, *spec.dates, *spec.numbers):
                assert f"bad_{column}" in names, column
