"""The record read against the test server: the generated network's MedicationRequests read as
before, and an MII-shaped record (Medication named by reference, administrations, a lab report
with its results, an order, a broad consent) put on the server for the test reaches the
timeline whole, with one search per kind."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pytest

from demo_data.bundles import read_json
from services.codes import ATC, LOINC, MII_CONSENT_CATEGORY, PZN
from services.domain.consent import broad_consent
from services.domain.timeline import build_timeline, record_ids, with_medication
from services.i18n import fmt_date
from services.patient_record import RECORD_KINDS, read_record, record_patients
from services.search import query
from tests.support.apptest import open_page, texts

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]
SOURCE = "Test"
PREFIX = "mii-test-"
NOW = pd.Timestamp("2025-12-05T12:00:00+01:00").tz_convert("Europe/Berlin")


@pytest.fixture(scope="module")
def medication_requests(test_network) -> dict[str, list[dict]]:
    """The generator's MedicationRequests by Patient id, straight from its bundles."""
    by_patient: dict[str, list[dict]] = defaultdict(list)
    for bundle in test_network.manifest["bundles"]:
        for entry in read_json(test_network.dir / bundle["file"])["entry"]:
            res = entry["resource"]
            if res["resourceType"] == "MedicationRequest":
                by_patient[res["subject"]["reference"].split("/")[1]].append(res)
    return by_patient


def test_generated_medication_requests_read_as_before(platform, medication_requests):
    # The patient with the most orders (ties: smallest id).
    patient_id = max(sorted(medication_requests), key=lambda p: len(medication_requests[p]))
    made = {r["id"]: r for r in medication_requests[patient_id]}
    record = read_record(platform, record_patients([(SOURCE, patient_id, None)]), no_cache=True)
    assert not any(r.errors for r in record.reads)
    assert record.requests == len(RECORD_KINDS)
    frame = record.tables["medication_request"]
    assert sorted(frame["id"]) == sorted(made)
    for row in frame.itertuples(index=False):
        coding = made[row.id]["medicationCodeableConcept"]["coding"][0]
        assert (row.system, row.code) == (ATC, coding["code"])
        assert row.display == coding.get(
            "display", made[row.id]["medicationCodeableConcept"].get("text")
        )
        assert row.start == pd.Timestamp(made[row.id]["dispenseRequest"]["validityPeriod"]["start"])
    # The generator codes every drug itself: nothing named, nothing included, nothing changed.
    assert frame["medication_id"].isna().all()
    assert "medication" not in record.tables
    pd.testing.assert_frame_equal(with_medication(frame, None), frame)
    timeline = build_timeline(record.tables, record.patients, NOW)
    # Home medication (MedicationStatement) shares the lane; the orders are what is compared.
    medication = timeline.marks[timeline.marks["kind"] == "medication"]
    ordered = medication[
        [any(r.startswith("MedicationRequest/") for r in rs) for rs in medication["records"]]
    ]
    shown = [r for rs in ordered["records"] for r in rs if r.startswith("MedicationRequest/")]
    assert sorted(shown) == sorted(f"MedicationRequest/{i}" for i in made)
    assert set(ordered["code"]) == {
        r["medicationCodeableConcept"]["coding"][0]["code"] for r in made.values()
    }


def coded(system: str, code: str, display: str | None = None) -> dict:
    return {
        "coding": [{"system": system, "code": code} | ({"display": display} if display else {})]
    }


def mii_record() -> list[dict]:
    """One pseudonymised person the MII way: no name, drugs as Medication resources."""
    patient = {"reference": f"Patient/{PREFIX}pat"}
    return [
        {
            "resourceType": "Patient",
            "id": f"{PREFIX}pat",
            "gender": "female",
            "birthDate": "1961-05",
        },
        {
            "resourceType": "Medication",
            "id": f"{PREFIX}med",
            "code": {
                "coding": [
                    {"system": PZN, "code": "01343676"},
                    {"system": ATC, "code": "B01AF02", "display": "Apixaban"},
                ],
                "text": "Eliquis 5 mg Filmtabletten",
            },
        },
        {
            "resourceType": "MedicationAdministration",
            "id": f"{PREFIX}ma-1",
            "status": "completed",
            "medicationReference": {"reference": f"Medication/{PREFIX}med"},
            "subject": patient,
            "effectiveDateTime": "2025-11-20T08:00:00+01:00",
        },
        {
            "resourceType": "MedicationAdministration",
            "id": f"{PREFIX}ma-2",
            "status": "completed",
            "medicationReference": {"reference": f"Medication/{PREFIX}med"},
            "subject": patient,
            "effectiveDateTime": "2025-11-25T20:00:00+01:00",
        },
        {
            "resourceType": "MedicationRequest",
            "id": f"{PREFIX}mr",
            "status": "active",
            "intent": "order",
            "medicationReference": {"reference": f"Medication/{PREFIX}med"},
            "subject": patient,
            "authoredOn": "2025-11-19T10:00:00+01:00",
            "dosageInstruction": [{"text": "1-0-1"}],
        },
        {
            "resourceType": "MedicationStatement",
            "id": f"{PREFIX}ms",
            "status": "active",
            "medicationCodeableConcept": coded(ATC, "C07AB02", "Metoprolol"),
            "subject": patient,
            "effectiveDateTime": "2025-01-01T00:00:00+01:00",
        },
        {
            "resourceType": "ServiceRequest",
            "id": f"{PREFIX}sr",
            "status": "completed",
            "intent": "order",
            "code": coded(LOINC, "24326-1", "Elektrolyte"),
            "subject": patient,
            "authoredOn": "2025-11-20T06:00:00+01:00",
        },
        {
            "resourceType": "Observation",
            "id": f"{PREFIX}na",
            "status": "final",
            "category": [
                coded("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory")
            ],
            "code": coded(LOINC, "2951-2", "Natrium"),
            "subject": patient,
            "effectiveDateTime": "2025-11-20T06:30:00+01:00",
            "valueQuantity": {
                "value": 131,
                "unit": "mmol/L",
                "system": "http://unitsofmeasure.org",
                "code": "mmol/L",
            },
            "referenceRange": [{"low": {"value": 135}, "high": {"value": 145}}],
            "interpretation": [
                coded("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "L")
            ],
        },
        {
            "resourceType": "Observation",
            "id": f"{PREFIX}crp",
            "status": "final",
            "code": coded(LOINC, "1988-5", "CRP"),
            "subject": patient,
            "effectiveDateTime": "2025-11-20T06:30:00+01:00",
            "valueString": "< 0.10",
        },
        {
            "resourceType": "Observation",
            "id": f"{PREFIX}vs",
            "status": "final",
            "code": coded(LOINC, "67162-8"),
            "subject": patient,
            "effectiveDateTime": "2025-11-28T09:00:00+01:00",
            "valueCodeableConcept": coded(
                "https://www.medizininformatik-initiative.de/fhir/core/modul-person/CodeSystem/Vitalstatus",
                "L",
            ),
        },
        {
            "resourceType": "DiagnosticReport",
            "id": f"{PREFIX}dr",
            "status": "final",
            "code": coded(LOINC, "11502-2", "Laborbefund"),
            "subject": patient,
            "basedOn": [{"reference": f"ServiceRequest/{PREFIX}sr"}],
            "effectiveDateTime": "2025-11-20T06:30:00+01:00",
            "issued": "2025-11-20T09:00:00+01:00",
            "result": [
                {"reference": f"Observation/{PREFIX}na"},
                {"reference": f"Observation/{PREFIX}crp"},
            ],
        },
        {
            "resourceType": "Consent",
            "id": f"{PREFIX}consent",
            "status": "active",
            "scope": coded("http://terminology.hl7.org/CodeSystem/consentscope", "research"),
            "category": [
                coded(LOINC, "57016-8"),
                coded(MII_CONSENT_CATEGORY, "2.16.840.1.113883.3.1937.777.24.2.184"),
            ],
            "patient": patient,
            "dateTime": "2025-06-14T10:00:00+02:00",
            "policy": [{"uri": "urn:oid:2.16.840.1.113883.3.1937.777.24.2.2079"}],
            "provision": {
                "type": "deny",
                "provision": [
                    {
                        "type": "permit",
                        "code": [
                            coded(
                                "urn:oid:2.16.840.1.113883.3.1937.777.24.5.3",
                                "2.16.840.1.113883.3.1937.777.24.5.3.8",
                                "MDAT speichern, verarbeiten",
                            )
                        ],
                    }
                ],
            },
        },
    ]


def transaction(resources: list[dict], method: str) -> dict:
    def entry(r: dict) -> dict:
        url = f"{r['resourceType']}/{r['id']}"
        return {"request": {"method": method, "url": url}} | (
            {"resource": r} if method == "PUT" else {}
        )

    return {"resourceType": "Bundle", "type": "transaction", "entry": [entry(r) for r in resources]}


@pytest.fixture
def mii_on_server(platform, platform_admin):
    resources = mii_record()
    # Another hospital's record, written and removed as the platform's admin.
    http = platform_admin.http(SOURCE)
    http.send_json("POST", "", transaction(resources, "PUT"))
    try:
        yield resources
    finally:
        # The views audited on the server name the patient: they go first.
        audits = platform.read(
            query("AuditEvent").search(entity=f"Patient/{PREFIX}pat"), no_cache=True
        )["audit_event"]
        made = [{"resourceType": "AuditEvent", "id": i} for i in audits["id"]]
        http.send_json("POST", "", transaction([*made, *resources], "DELETE"))


def test_an_mii_record_reaches_the_timeline_whole(platform, mii_on_server):
    record = read_record(platform, record_patients([(SOURCE, f"{PREFIX}pat", None)]), no_cache=True)
    assert not any(r.errors for r in record.reads)
    # The Medication came along with the medication searches: still one search per kind.
    assert record.requests == len(RECORD_KINDS)
    assert record.tables["medication"]["id"].tolist() == [f"{PREFIX}med"]
    timeline = build_timeline(record.tables, record.patients, NOW)
    shown_kinds = set(RECORD_KINDS) - {"Consent"}
    assert record_ids(timeline) == {
        f"{r['resourceType']}/{r['id']}" for r in mii_on_server if r["resourceType"] in shown_kinds
    }
    marks = timeline.marks.set_index("kind")
    medication = timeline.marks[timeline.marks["kind"] == "medication"]
    by_code = {
        c: sorted(r for rs in g["records"] for r in rs) for c, g in medication.groupby("code")
    }
    assert by_code == {
        "B01AF02": sorted(
            [
                f"MedicationAdministration/{PREFIX}ma-1",
                f"MedicationAdministration/{PREFIX}ma-2",
                f"MedicationRequest/{PREFIX}mr",
            ]
        ),
        "C07AB02": [f"MedicationStatement/{PREFIX}ms"],
    }
    assert set(medication.loc[medication["code"] == "B01AF02", "display"]) == {"Apixaban"}
    report = marks.loc["report"]
    assert report["records"] == (
        f"DiagnosticReport/{PREFIX}dr",
        f"Observation/{PREFIX}na",
        f"Observation/{PREFIX}crp",
    )
    assert report["detail"] == "Natrium: 131 mmol/L; CRP: < 0.10" and report["abnormal"]
    assert marks.loc["order", "code"] == "24326-1"
    # Results live in their report; the coded vital status stands alone, as text.
    assert marks.loc["observation", "records"] == (f"Observation/{PREFIX}vs",)
    assert marks.loc["observation", "detail"] == "L"
    consent = broad_consent(record.tables["consent"], record.patients)
    assert consent[["consent_id", "state", "version"]].values.tolist() == [
        [f"{PREFIX}consent", "given", "1.7.2"]
    ]


def test_the_timeline_page_shows_the_mii_record(users, mii_on_server):
    doctor = users["arzt.demo"]
    at = open_page("pages/patient_search.py", doctor)
    at.session_state["record_person"] = {
        "person": f"record:MEDI:CUS Plattform/{PREFIX}pat",
        "kvnr": None,
        "name": PREFIX,
        "birth_date": None,
        "hospitals": (doctor.hospital_id,),
        "records": (("MEDI:CUS Plattform", f"{PREFIX}pat", doctor.hospital_id),),
        "reason": None,
        "opened_at": NOW.isoformat(),
    }
    at.switch_page("pages/timeline.py")
    at.run()
    assert not at.exception
    page = texts(at)
    signed = fmt_date(pd.Timestamp("2025-06-14T10:00:00+02:00"), "de")
    assert f"Einwilligung (Broad Consent): erteilt am {signed} (MII-Mustertext 1.7.2" in page
    assert at.get("plotly_chart")
    # The timeline's table of facts (the problem and medication tabs hold tables of their own).
    marks = next(d.value for d in at.dataframe if {"Art", "Angabe"} <= set(d.value.columns))
    assert {"Befundberichte", "Aufträge", "Medikation", "Befunde"} <= set(marks["Art"])
    for column in marks.columns:
        assert not marks[column].astype(str).isin(["None", "nan", "NaT", "<NA>"]).any(), column
    report = marks[marks["Art"] == "Befundberichte"].iloc[0]
    # The page writes units the clinical way (UCUM mmol/L as mmol/l); the data keep UCUM (above).
    assert report["Angabe"] == "Natrium: 131 mmol/l; CRP: < 0.10"
