"""Safety header, problem list and reconciled medication on hand-made resources of one person at
two hospitals (h1, h2), through the app's own extractors."""

from __future__ import annotations

import pandas as pd
import pytest

from services.codes import ATC, CONDITION_CATEGORY, ICD10GM, SNOMED
from services.domain.medication_list import atc_group, current_medication
from services.domain.problems import icd_chapter, problem_list
from services.domain.safety import allergy_state, safety_header
from tests.support.frames import frames
from tests.support.realdata import export_resources, of_kind

pytestmark = pytest.mark.unit
NOW = pd.Timestamp("2026-11-29T10:00:00+01:00").tz_convert("Europe/Berlin")
PATIENTS = pd.DataFrame(
    [("S", "pa", "h1"), ("S", "pb", "h2")], columns=["source", "id", "hospital_id"]
)
ALLERGY_VER = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"


def ref(kind: str, id_: str) -> dict:
    return {"reference": f"{kind}/{id_}"}


def coded(system: str, code: str, display: str | None = None) -> dict:
    return {"coding": [{"system": system, "code": code, "display": display or code}]}


def allergy(id_, patient, code, display, criticality=None, verification="confirmed", **extra):
    out = {
        "resourceType": "AllergyIntolerance",
        "id": id_,
        "patient": ref("Patient", patient),
        "code": coded(SNOMED, code, display),
        "verificationStatus": coded(ALLERGY_VER, verification),
        "recordedDate": "2026-11-02T09:00:00+01:00",
    }
    if criticality:
        out["criticality"] = criticality
    return out | extra


def tables_of(resources: list[dict], primary: str) -> dict[str, pd.DataFrame]:
    return frames(resources, primary)


NO_ALLERGY = ("716186003", "No known allergy")
PENICILLIN = ("764146007", "Penicillin")
LATEX = ("111088007", "Latex")


def test_nothing_recorded_is_not_recorded_not_none_known():
    empty = tables_of([], "AllergyIntolerance")
    assert allergy_state(empty["allergy_intolerance"]) == "not_recorded"
    assert allergy_state(None) == "not_recorded"
    header = safety_header({}, PATIENTS, NOW)
    assert header.allergy_state == "not_recorded"
    assert header.allergies.empty and header.statements.empty


def test_a_no_known_allergy_statement_is_none_known_with_its_hospital():
    tables = tables_of([allergy("a1", "pb", *NO_ALLERGY)], "AllergyIntolerance")
    header = safety_header(tables, PATIENTS, NOW)
    assert header.allergy_state == "none_known"
    assert header.allergies.empty
    assert header.statements["hospital"].tolist() == ["h2"]


def test_an_allergy_outweighs_a_statement_elsewhere_and_merges_across_hospitals():
    tables = tables_of(
        [
            allergy("a1", "pa", *NO_ALLERGY),
            allergy("a2", "pa", *LATEX, "low"),
            allergy(
                "a3",
                "pb",
                *PENICILLIN,
                "low",
                reaction=[{"manifestation": [coded(SNOMED, "271807003", "Rash")]}],
            ),
            allergy(
                "a4",
                "pa",
                *PENICILLIN,
                "high",
                reaction=[{"manifestation": [coded(SNOMED, "39579001", "Anaphylaxis")]}],
            ),
        ],
        "AllergyIntolerance",
    )
    header = safety_header(tables, PATIENTS, NOW)
    assert header.allergy_state == "known"
    rows = header.allergies
    # High criticality first; the same substance at two hospitals is one row naming both.
    assert rows["substance"].tolist() == ["Penicillin", "Latex"]
    first = rows.iloc[0]
    assert first["high"] and first["criticality"] == "high"
    assert set(first["hospitals"]) == {"h1", "h2"}
    assert set(first["reaction"].split("; ")) == {"Rash", "Anaphylaxis"}
    assert header.high_risk


def test_refuted_and_entered_in_error_say_nothing():
    tables = tables_of(
        [
            allergy("a1", "pa", *PENICILLIN, "high", verification="refuted"),
            allergy("a2", "pb", *NO_ALLERGY, verification="entered-in-error"),
        ],
        "AllergyIntolerance",
    )
    assert allergy_state(tables["allergy_intolerance"]) == "not_recorded"


def flag(id_, patient, code, status, start, end=None):
    return {
        "resourceType": "Flag",
        "id": id_,
        "status": status,
        "code": coded("https://fhir.medicus-bw.de/CodeSystem/isolation", code, code.upper()),
        "subject": ref("Patient", patient),
        "period": {"start": start} | ({"end": end} if end else {}),
    }


def test_flags_active_first_ended_ones_kept_as_earlier():
    tables = tables_of(
        [
            flag(
                "f1",
                "pa",
                "mrsa",
                "inactive",
                "2026-10-01T08:00:00+02:00",
                "2026-10-09T08:00:00+02:00",
            ),
            flag("f2", "pb", "norovirus", "active", "2026-11-27T08:00:00+01:00"),
            flag(
                "f3",
                "pb",
                "3mrgn",
                "active",
                "2026-11-01T08:00:00+01:00",
                "2026-11-05T08:00:00+01:00",
            ),
        ],
        "Flag",
    )
    flags = safety_header(tables, PATIENTS, NOW).flags
    assert flags["code"].tolist()[0] == "norovirus"
    assert dict(zip(flags["code"], flags["active"], strict=True)) == {
        "norovirus": True,
        "mrsa": False,
        "3mrgn": False,
    }


@pytest.mark.parametrize(
    ("code", "chapter"),
    [
        ("A41.9", "I"),
        ("D48.9", "II"),
        ("D50.0", "III"),
        ("E11.90", "IV"),
        ("H59.0", "VII"),
        ("H60.0", "VIII"),
        ("I48.1", "IX"),
        ("S52.50", "XIX"),
        ("T98.3", "XIX"),
        ("Z95.1", "XXI"),
        ("U80.0", "XXII"),
        ("99", None),
        (None, None),
        ("123.4", None),
    ],
)
def test_icd_chapters(code, chapter):
    assert icd_chapter(code) == chapter


def condition(id_, patient, code, status, category=None, encounter=None):
    out = {
        "resourceType": "Condition",
        "id": id_,
        "subject": ref("Patient", patient),
        "code": coded(ICD10GM, code, f"text {code}"),
        "clinicalStatus": coded("http://terminology.hl7.org/CodeSystem/condition-clinical", status),
        "recordedDate": "2026-11-02T09:00:00+01:00",
    }
    if category:
        out["category"] = [coded(CONDITION_CATEGORY, category)]
    if encounter:
        out["encounter"] = ref("Encounter", encounter)
    return out


def encounter(id_, patient, status, end=None):
    return {
        "resourceType": "Encounter",
        "id": id_,
        "status": status,
        "class": {"code": "IMP"},
        "subject": ref("Patient", patient),
        "period": {"start": "2026-11-20T08:00:00+01:00"} | ({"end": end} if end else {}),
    }


def test_problem_list_groups_by_chapter_merges_hospitals_folds_resolved():
    tables = tables_of(
        [
            condition("c1", "pa", "I10.90", "active", "problem-list-item"),
            condition("c2", "pb", "I10.90", "active", "problem-list-item"),
            condition("c3", "pb", "E11.90", "active", "problem-list-item"),
            condition("c4", "pa", "K35.8", "resolved", "problem-list-item"),
            # Diagnoses of stays: the open one counts, the finished one does not.
            condition("c5", "pb", "J18.9", "active", "encounter-diagnosis", "eb"),
            condition("c6", "pa", "S72.0", "active", None, "ea"),
            # Resolved at one hospital, active at the other: active.
            condition("c7", "pa", "E78.0", "resolved", "problem-list-item"),
            condition("c8", "pb", "E78.0", "active", "problem-list-item"),
        ],
        "Condition",
    )
    tables |= tables_of(
        [
            encounter("ea", "pa", "finished", "2026-11-25T08:00:00+01:00"),
            encounter("eb", "pb", "in-progress"),
        ],
        "Encounter",
    )
    problems = problem_list(tables, PATIENTS, NOW)
    active = problems.active
    assert active["code"].tolist() == ["E11.90", "E78.0", "I10.90", "J18.9"]
    assert active["chapter"].tolist() == ["IV", "IV", "IX", "X"]
    hypertension = active[active["code"] == "I10.90"].iloc[0]
    assert set(hypertension["hospitals"]) == {"h1", "h2"}
    assert len(hypertension["records"]) == 2
    assert not active.loc[active["code"] == "J18.9", "problem_list"].iloc[0]
    assert problems.resolved["code"].tolist() == ["K35.8"]


def test_problem_list_of_nothing_is_empty():
    problems = problem_list({}, PATIENTS, NOW)
    assert problems.active.empty and problems.resolved.empty


def medication(kind, id_, patient, atc, status, start, end=None):
    out = {
        "resourceType": kind,
        "id": id_,
        "status": status,
        "medicationCodeableConcept": coded(ATC, atc, f"drug {atc}"),
        "subject": ref("Patient", patient),
    }
    period = {"start": start} | ({"end": end} if end else {})
    if kind == "MedicationRequest":
        out["intent"] = "order"
        out["authoredOn"] = start
        out["dispenseRequest"] = {"validityPeriod": period}
    else:
        out["effectivePeriod"] = period
    return out


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("B01AF02", "anticoagulant"),
        ("B01AB05", "anticoagulant"),
        ("B01AC06", "platelet_inhibitor"),
        ("C09AA05", "raas"),
        ("A10BA02", None),
        (None, None),
    ],
)
def test_atc_groups(code, group):
    assert atc_group(code) == group


def test_reconciled_medication_marks_duplicates_and_same_group():
    tables = {}
    for kind, resources in (
        (
            "MedicationStatement",
            [
                medication("MedicationStatement", "s1", "pa", "B01AF02", "active", "2020-01-01"),
                medication("MedicationStatement", "s2", "pb", "B01AF02", "active", "2021-01-01"),
                medication("MedicationStatement", "s3", "pb", "A10BA02", "completed", "2020-01-01"),
            ],
        ),
        (
            "MedicationRequest",
            [
                medication(
                    "MedicationRequest",
                    "r1",
                    "pb",
                    "B01AB05",
                    "active",
                    "2026-11-20T09:00:00+01:00",
                    "2026-12-05T09:00:00+01:00",
                ),
                medication(
                    "MedicationRequest",
                    "r2",
                    "pb",
                    "C09AA05",
                    "active",
                    "2026-11-01T09:00:00+01:00",
                    "2026-11-10T09:00:00+01:00",
                ),
            ],
        ),
        (
            "MedicationAdministration",
            [
                medication(
                    "MedicationAdministration",
                    "m1",
                    "pa",
                    "N02BE01",
                    "completed",
                    "2026-11-28T09:00:00+01:00",
                ),
                medication(
                    "MedicationAdministration",
                    "m2",
                    "pa",
                    "C01CA03",
                    "in-progress",
                    "2026-11-28T09:00:00+01:00",
                ),
            ],
        ),
    ):
        tables |= tables_of(resources, kind)
    current = current_medication(tables, PATIENTS, NOW).set_index("code")
    # Completed, ended and past administrations are not taken now.
    assert set(current.index) == {"B01AF02", "B01AB05", "C01CA03"}
    apixaban = current.loc["B01AF02"]
    assert apixaban["duplicate"] and set(apixaban["hospitals"]) == {"h1", "h2"}
    assert apixaban["ordered_at"] == ()
    # A date without a time is read as UTC midnight (docs/FRAMES.md).
    assert apixaban["start"] == pd.Timestamp("2020-01-01", tz="UTC")
    heparin = current.loc["B01AB05"]
    assert not heparin["duplicate"] and heparin["ordered_at"] == ("h2",)
    assert heparin["group_conflict"] and apixaban["group_conflict"]
    assert not current.loc["C01CA03", "group_conflict"]


def test_no_medication_is_an_empty_list():
    assert current_medication({}, PATIENTS, NOW).empty


@pytest.mark.parametrize("source", ["ukhd", "ukw"])
def test_real_exports_without_allergy_entries_say_not_recorded(source):
    resources = export_resources(source)
    assert not of_kind(resources, "AllergyIntolerance"), "the export has allergies now"
    patients = of_kind(resources, "Patient")
    tables = frames(patients, "Patient") | frames([], "AllergyIntolerance")
    header = safety_header(tables, tables["patient"], NOW)
    assert header.allergy_state == "not_recorded"
    conditions = frames(of_kind(resources, "Condition"), "Condition")
    assert conditions["condition"]["category"].isna().all()
