"""Patient summary (IPS) on hand-made resources: the document assembled per Patient record, read
back into sections with "not recorded" kept apart from "none known", its IPS structure, and the
fall-back when a source does not offer ``$summary`` (faults injected at the HTTP layer)."""

from __future__ import annotations

import httpx
import orjson
import pandas as pd
import pytest

from services.codes import ATC, CONDITION_CATEGORY, ICD10GM, IPS_ABSENT_UNKNOWN, LOINC, SNOMED
from services.config import Settings, SourceConfig
from services.domain.summary import (
    ALLERGIES,
    MEDICATION,
    PROBLEMS,
    RESULTS,
    assemble_summary,
    document_problems,
    record_tables,
    summary_view,
)
from services.patient_record import PatientRecord
from services.platform import Platform
from services.summary import patient_summary, record_summaries, summary_offered
from tests.support.frames import frames

pytestmark = pytest.mark.unit
NOW = pd.Timestamp("2026-11-29T10:00:00+01:00").tz_convert("Europe/Berlin")
PATIENTS = pd.DataFrame(
    [("S", "pa", "h1"), ("S", "pb", "h2"), ("S", "pc", "h3")],
    columns=["source", "id", "hospital_id"],
)
CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
PERSON = {"name": "Erika Mustermann", "birth_date": "1960-04-01", "kvnr": "A123456789"}


def coded(system: str, code: str, display: str | None = None) -> dict:
    return {"coding": [{"system": system, "code": code, "display": display or code}]}


def allergy(id_, patient, code, display, criticality=None, verification="confirmed"):
    out = {
        "resourceType": "AllergyIntolerance",
        "id": id_,
        "patient": {"reference": f"Patient/{patient}"},
        "code": coded(SNOMED, code, display),
        "clinicalStatus": coded(CLINICAL, "active"),
        "verificationStatus": coded(VERIFICATION, verification),
        "recordedDate": "2026-11-02T09:00:00+01:00",
        "reaction": [{"manifestation": [{"text": "Urtikaria"}]}],
    }
    return out | ({"criticality": criticality} if criticality else {})


RESOURCES = [
    allergy("a1", "pa", "764146007", "Penicillin", "high"),
    allergy("a2", "pa", "111088007", "Latex", "low"),
    allergy("a3", "pa", "227493005", "Cashew", verification="entered-in-error"),
    allergy("a4", "pb", "716186003", "No known allergy"),
    {
        "resourceType": "Condition",
        "id": "c1",
        "subject": {"reference": "Patient/pa"},
        "code": coded(ICD10GM, "I48.1", "Vorhofflimmern, persistierend"),
        "clinicalStatus": coded(
            "http://terminology.hl7.org/CodeSystem/condition-clinical", "active"
        ),
        "category": [coded(CONDITION_CATEGORY, "problem-list-item")],
        "onsetDateTime": "2025-03-01",
    },
    {
        "resourceType": "MedicationStatement",
        "id": "m1",
        "status": "active",
        "subject": {"reference": "Patient/pa"},
        "medicationCodeableConcept": coded(ATC, "B01AF02", "Apixaban"),
        "effectivePeriod": {"start": "2026-01-10"},
        "dosage": [{"text": "1-0-1"}],
    },
    {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "category": [
            coded("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory")
        ],
        "subject": {"reference": "Patient/pa"},
        "code": coded(LOINC, "2160-0", "Kreatinin"),
        "effectiveDateTime": "2026-11-28T07:00:00+01:00",
        "valueQuantity": {"value": 1.4, "unit": "mg/dL", "code": "mg/dL"},
    },
]


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    for kind in ("AllergyIntolerance", "Condition", "MedicationStatement", "Observation"):
        out.update(frames([r for r in RESOURCES if r["resourceType"] == kind], kind))
    return out


def summary_of(tables, patient_id: str) -> dict:
    own = PATIENTS[PATIENTS["id"].eq(patient_id)]
    return assemble_summary(record_tables(tables, "S", patient_id), own, PERSON, NOW, "Test")


def test_a_record_with_allergies_problems_medication_and_results(tables):
    bundle = summary_of(tables, "pa")
    assert bundle["type"] == "document"
    assert bundle["entry"][0]["resource"]["resourceType"] == "Composition"
    assert document_problems(bundle) == []
    view = summary_view(bundle)
    assert view.authors == ("Test",)
    allergies = view.section(ALLERGIES)
    assert allergies.state == "known"
    # The entry entered in error says nothing about the patient and is not in the document.
    assert sorted(allergies.rows["code"]) == ["111088007", "764146007"]
    assert allergies.rows.set_index("code").loc["764146007", "high"]
    assert set(allergies.rows["detail"]) == {"Urtikaria"}
    problems = view.section(PROBLEMS)
    assert (problems.state, problems.rows["code"].tolist()) == ("known", ["I48.1"])
    medication = view.section(MEDICATION)
    assert medication.rows[["code", "detail"]].values.tolist() == [["B01AF02", "1-0-1"]]
    results = view.section(RESULTS)
    assert results.rows[["code", "detail"]].values.tolist() == [["2160-0", "1.4 mg/dL"]]


def test_none_known_and_not_recorded_stay_apart(tables):
    stated = summary_view(summary_of(tables, "pb"))
    assert stated.section(ALLERGIES).state == "none_known"
    assert stated.section(ALLERGIES).rows.empty
    # Nothing said about problems or medication at that hospital: not "none".
    assert stated.section(PROBLEMS).state == "not_recorded"
    assert stated.section(MEDICATION).state == "not_recorded"

    silent = summary_of(tables, "pc")
    assert document_problems(silent) == []
    view = summary_view(silent)
    assert [s.code for s in view.sections] == [ALLERGIES, PROBLEMS, MEDICATION]
    for section in view.sections:
        assert section.state == "not_recorded" and section.rows.empty
    entries = silent["entry"][0]["resource"]["section"][0]["entry"]
    first = next(e["resource"] for e in silent["entry"] if e["fullUrl"] == entries[0]["reference"])
    assert first["code"]["coding"][0] == {
        "system": IPS_ABSENT_UNKNOWN,
        "code": "no-allergy-info",
        "display": "No information about allergies",
    }


def test_a_document_of_another_maker_reads_the_same_way():
    def document(*allergies: dict) -> dict:
        entries = [{"fullUrl": f"urn:uuid:{n}", "resource": r} for n, r in enumerate(allergies)]
        composition = {
            "resourceType": "Composition",
            "title": "Patient Summary as of 11/29/2026",
            "date": "2026-11-29T09:00:00Z",
            "section": [
                {
                    "title": "Allergies and Intolerances",
                    "code": coded(LOINC, ALLERGIES),
                    "entry": [{"reference": e["fullUrl"]} for e in entries],
                },
                {"title": "Vital Signs", "code": coded(LOINC, "8716-3"), "entry": []},
            ],
        }
        return {
            "resourceType": "Bundle",
            "type": "document",
            "entry": [{"fullUrl": "urn:uuid:c", "resource": composition}, *entries],
        }

    no_info = {
        "resourceType": "AllergyIntolerance",
        "code": coded(IPS_ABSENT_UNKNOWN, "no-allergy-info"),
    }
    known_none = {
        "resourceType": "AllergyIntolerance",
        "code": coded(IPS_ABSENT_UNKNOWN, "no-known-allergies"),
    }
    void = allergy("x", "p", "764146007", "Penicillin", verification="entered-in-error")
    assert summary_view(document(no_info)).section(ALLERGIES).state == "not_recorded"
    assert summary_view(document(known_none)).section(ALLERGIES).state == "none_known"
    assert summary_view(document(void)).section(ALLERGIES).state == "not_recorded"
    view = summary_view(document(no_info))
    assert view.section("8716-3").title == "Vital Signs"
    assert view.date == pd.Timestamp("2026-11-29T10:00:00+01:00")
    # Without an IPS structure the checks name what is missing.
    problems = document_problems(document(no_info))
    assert "required section 11450-4 missing" in problems
    assert "Composition.type is not LOINC 60591-5" in problems


def test_the_capability_statement_says_whether_summary_is_offered():
    def capability(*operations: dict) -> dict:
        return {"rest": [{"resource": [{"type": "Patient", "operation": list(operations)}]}]}

    assert summary_offered(capability({"name": "summary"}))
    assert summary_offered(
        capability(
            {"name": "ips", "definition": "http://hl7.org/fhir/uv/ips/OperationDefinition/summary"}
        )
    )
    assert not summary_offered(capability({"name": "everything"}))
    assert not summary_offered({})


def platform_answering(status: int, calls: list[str]) -> Platform:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        outcome = {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": "processing", "diagnostics": "HAPI-0335"}],
        }
        return httpx.Response(status, content=orjson.dumps(outcome))

    settings = Settings(
        sources=(SourceConfig(name="S", url="http://fhir.test/fhir", timeout=2.0),),
        retries=0,
        backoff_base=0.001,
    )
    return Platform(settings, transports={"S": httpx.MockTransport(handler)})


@pytest.mark.parametrize(
    ("status", "why", "key"),
    [
        (400, "unsupported", "error.server"),
        (404, "unsupported", "error.not_found"),
        (501, "unsupported", "error.server"),
        (503, "failed", "error.unavailable"),
        (403, "failed", "error.unauthorised"),
    ],
)
def test_a_source_without_the_operation_falls_back_to_the_assembled_summary(
    tables, status, why, key
):
    calls: list[str] = []
    with platform_answering(status, calls) as platform:
        result = patient_summary(
            platform, ("S", "pa", "h1"), True, lambda: summary_of(tables, "pa")
        )
    assert calls == ["/fhir/Patient/pa/$summary"]
    assert (result.origin, result.why, result.error_key) == ("assembled", why, key)
    assert summary_view(result.bundle).section(ALLERGIES).state == "known"


def test_a_source_not_listing_the_operation_is_not_asked(tables):
    calls: list[str] = []
    record = PatientRecord(PATIENTS, tables)
    with platform_answering(200, calls) as platform:
        results = record_summaries(
            platform, record, PATIENTS.itertuples(index=False), PERSON, NOW, lambda s: False
        )
    assert calls == []
    assert [(r.hospital_id, r.origin, r.why) for r in results] == [
        ("h1", "assembled", "not_offered"),
        ("h2", "assembled", "not_offered"),
        ("h3", "assembled", "not_offered"),
    ]
    states = [summary_view(r.bundle).section(ALLERGIES).state for r in results]
    assert states == ["known", "none_known", "not_recorded"]
