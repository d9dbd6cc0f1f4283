"""Extractors for what happened: Condition, Procedure, MedicationRequest, Observation."""

from __future__ import annotations

from services.codes import ATC, ICD10GM, INTERPRETATION, OPS
from services.frames.base import Collector, Kind, Table, codings, first_code, get, ref_id
from services.frames.fields import text, when

__all__ = ["CONDITION", "MEDICATION_REQUEST", "OBSERVATION", "PROCEDURE"]

_CLINICAL = ("patient_id", "encounter_id", "system", "code", "display")


def _coded(res: dict, concept_key: str, preferred_system: str) -> tuple:
    concept = res.get(concept_key)
    code, display = first_code(concept, preferred_system)
    system = preferred_system
    if code is None:
        code, display = first_code(concept)
        system = get(codings(concept), 0, "system")
    return (
        ref_id(res.get("subject"), "Patient"),
        ref_id(res.get("encounter"), "Encounter"),
        system if code else None,
        code,
        display or get(concept, "text"),
    )


def _condition(res: dict, out: Collector) -> None:
    out.add(
        "condition",
        res["id"],
        *_coded(res, "code", ICD10GM),
        first_code(res.get("clinicalStatus"))[0],
        first_code(res.get("verificationStatus"))[0],
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
        *_coded(res, "code", OPS),
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
        *_coded(res, "medicationCodeableConcept", ATC),
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
        return None, None, None
    value = quantity.get("value") if isinstance(quantity, dict) else None
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        out.warn("bad_value")
        value = None
    unit = get(quantity, "code") or get(quantity, "unit")
    return value, unit, get(quantity, "system")


def _observation(res: dict, out: Collector) -> None:
    category, _ = first_code(res.get("category"))
    effective = res.get("effectiveDateTime") or get(res, "effectivePeriod", "start")
    common = (
        ref_id(res.get("subject"), "Patient"),
        ref_id(res.get("encounter"), "Encounter"),
        category,
        text(res.get("status"), out, "status"),
        when(effective, out, "effective"),
    )
    # Blood pressure and other panels carry their values in components: one row per value.
    components = [c for c in res.get("component") or () if isinstance(c, dict)]
    panel_code = first_code(res.get("code"))[0] if components else None
    for part in components or [res]:
        code, display = first_code(part.get("code"))
        value, unit, _ = _value(part, out)
        interpretation, _ = first_code(
            part.get("interpretation") or res.get("interpretation"), INTERPRETATION
        )
        out.add(
            "observation",
            res["id"],
            *common,
            code,
            display or get(part, "code", "text"),
            value,
            unit,
            get(part, "referenceRange", 0, "low", "value"),
            get(part, "referenceRange", 0, "high", "value"),
            interpretation,
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
