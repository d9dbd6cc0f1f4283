"""Extractors for what happened: Condition, Procedure, MedicationRequest, Observation."""

from __future__ import annotations

from services.codes import ATC, ICD10GM, INTERPRETATION, OPS
from services.frames.base import Collector, Kind, Table, get, items, ref_id
from services.frames.fields import code_of, codings, first_coding, pick, text, when

__all__ = ["CONDITION", "MEDICATION_REQUEST", "OBSERVATION", "PROCEDURE"]

_CLINICAL = ("patient_id", "encounter_id", "system", "code", "display")


def _coded(res: dict, concept_key: str, preferred_system: str, out: Collector) -> tuple:
    concept = res.get(concept_key)
    coding = pick(codings(concept, out), preferred_system)
    code = text(coding.get("code"), out, "code")
    return (
        ref_id(res.get("subject"), "Patient"),
        ref_id(res.get("encounter"), "Encounter"),
        text(coding.get("system"), out, "system") if code else None,
        code,
        text(coding.get("display"), out, "display") or text(get(concept, "text"), out, "display"),
    )


def _condition(res: dict, out: Collector) -> None:
    out.add(
        "condition",
        res["id"],
        *_coded(res, "code", ICD10GM, out),
        code_of(res.get("clinicalStatus"), out),
        code_of(res.get("verificationStatus"), out),
        when(res.get("onsetDateTime"), out, "onset"),
        when(res.get("recordedDate"), out, "recorded"),
    )


CONDITION = Kind(
    "Condition",
    _condition,
    {
        "condition": Table(
            ("id", *_CLINICAL, "clinical_status", "verification_status", "onset", "recorded"),
            times=("onset", "recorded"),
        )
    },
)


def _procedure(res: dict, out: Collector) -> None:
    performed = res.get("performedDateTime") or get(res, "performedPeriod", "start")
    out.add(
        "procedure",
        res["id"],
        *_coded(res, "code", OPS, out),
        text(res.get("status"), out, "status"),
        when(performed, out, "performed"),
    )


PROCEDURE = Kind(
    "Procedure",
    _procedure,
    {"procedure": Table(("id", *_CLINICAL, "status", "performed"), times=("performed",))},
)


def _medication_request(res: dict, out: Collector) -> None:
    validity = get(res, "dispenseRequest", "validityPeriod")
    out.add(
        "medication_request",
        res["id"],
        *_coded(res, "medicationCodeableConcept", ATC, out),
        text(res.get("status"), out, "status"),
        when(res.get("authoredOn"), out, "authored_on"),
        when(get(validity, "start"), out, "start"),
        when(get(validity, "end"), out, "end"),
        text(get(res, "dosageInstruction", 0, "text"), out, "dosage"),
    )


MEDICATION_REQUEST = Kind(
    "MedicationRequest",
    _medication_request,
    {
        "medication_request": Table(
            ("id", *_CLINICAL, "status", "authored_on", "start", "end", "dosage"),
            times=("authored_on", "start", "end"),
        )
    },
)


def _value(node: dict, out: Collector) -> tuple:
    quantity = node.get("valueQuantity")
    if quantity is None:
        return None, None
    value = quantity.get("value") if isinstance(quantity, dict) else None
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        out.warn("bad_value")
        value = None
    unit = text(get(quantity, "code"), out, "unit") or text(get(quantity, "unit"), out, "unit")
    return value, unit


def _observation(res: dict, out: Collector) -> None:
    effective = res.get("effectiveDateTime") or get(res, "effectivePeriod", "start")
    common = (
        ref_id(res.get("subject"), "Patient"),
        ref_id(res.get("encounter"), "Encounter"),
        code_of(res.get("category"), out),
        text(res.get("status"), out, "status"),
        when(effective, out, "effective"),
    )
    # Blood pressure and other panels carry their values in components: one row per value.
    components = items(res.get("component"), out, "component")
    panel_code = code_of(res.get("code"), out) if components else None
    overall = res.get("interpretation")
    for part in components or [res]:
        coding = first_coding(codings(part.get("code"), out))
        value, unit = _value(part, out)
        display = text(coding.get("display"), out, "display")
        out.add(
            "observation",
            res["id"],
            *common,
            text(coding.get("code"), out, "code"),
            display or text(get(part, "code", "text"), out, "display"),
            value,
            unit,
            get(part, "referenceRange", 0, "low", "value"),
            get(part, "referenceRange", 0, "high", "value"),
            code_of(part.get("interpretation") or overall, out, INTERPRETATION),
            panel_code,
        )


OBSERVATION = Kind(
    "Observation",
    _observation,
    {
        "observation": Table(
            (
                "id",
                "patient_id",
                "encounter_id",
                "category",
                "status",
                "effective",
                "code",
                "display",
                "value",
                "unit",
                "ref_low",
                "ref_high",
                "interpretation",
                "panel_code",
            ),
            times=("effective",),
            numbers=("value", "ref_low", "ref_high"),
        )
    },
)
