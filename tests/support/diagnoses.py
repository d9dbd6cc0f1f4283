"""Diagnoses arranged on a test server the ways real exports link and mark them: a Condition
that names its Encounter or only is named by it, and the ``Encounter.diagnosis`` entry that
gives it a role."""

from __future__ import annotations

import pandas as pd

from services.codes import CONDITION_CATEGORY, ICD10GM

# The code system of the roles, and the ValueSet URL UKW's export writes them under instead.
DIAGNOSIS_ROLE = "http://terminology.hl7.org/CodeSystem/diagnosis-role"
DIAGNOSIS_ROLE_AS_UKW = "http://hl7.org/fhir/ValueSet/diagnosis-role"


def _coded(system: str, code: str) -> dict:
    return {"coding": [{"system": system, "code": code}]}


def diagnosis(id_: str, stay: dict, code: str, recorded: pd.Timestamp, *, linked: bool) -> dict:
    """An encounter diagnosis of the Encounter ``stay``'s patient; ``linked``: it names the
    Encounter itself, otherwise only the Encounter names it (as UKHD's export writes them)."""
    res = {
        "resourceType": "Condition",
        "id": id_,
        "clinicalStatus": _coded(
            "http://terminology.hl7.org/CodeSystem/condition-clinical", "active"
        ),
        "verificationStatus": _coded(
            "http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed"
        ),
        "category": [_coded(CONDITION_CATEGORY, "encounter-diagnosis")],
        "code": _coded(ICD10GM, code),
        "subject": stay["subject"],
        "recordedDate": recorded.isoformat(),
    }
    if linked:
        res["encounter"] = {"reference": f"Encounter/{stay['id']}"}
    return res


def named(
    condition: dict, *roles: str, rank: int | None = None, system: str = DIAGNOSIS_ROLE
) -> dict:
    """An ``Encounter.diagnosis`` entry naming ``condition`` in ``roles`` of ``system``."""
    entry: dict = {"condition": {"reference": f"Condition/{condition['id']}"}}
    if roles:
        entry["use"] = {"coding": [{"system": system, "code": r} for r in roles]}
    if rank is not None:
        entry["rank"] = rank
    return entry
