"""Extractors for what happened: Condition, Procedure, medication (MedicationRequest,
MedicationAdministration, MedicationStatement and the Medication they name), Observation,
DiagnosticReport, ServiceRequest and Consent; and for what keeps a patient safe:
AllergyIntolerance and Flag."""

from __future__ import annotations

from services.codes import (
    ALLERGY_CLINICAL,
    ALLERGY_VERIFICATION,
    ATC,
    CONDITION_CATEGORY,
    FLAG_CATEGORY,
    ICD10GM,
    INTERPRETATION,
    LOINC,
    MII_CONSENT_CATEGORY,
    OBSERVATION_CATEGORY,
    OPS,
    PZN,
    REPORT_SECTION,
    SNOMED,
)
from services.frames.base import Collector, Kind, Table, get, items, ref_id
from services.frames.fields import code_of, codings, first_coding, pick, text, when

__all__ = [
    "ALLERGY_INTOLERANCE",
    "CONDITION",
    "CONSENT",
    "DIAGNOSTIC_REPORT",
    "FLAG",
    "MEDICATION",
    "MEDICATION_ADMINISTRATION",
    "MEDICATION_REQUEST",
    "MEDICATION_STATEMENT",
    "OBSERVATION",
    "PROCEDURE",
    "SERVICE_REQUEST",
]

_CLINICAL = ("patient_id", "encounter_id", "system", "code", "display")


def _coded(
    res: dict,
    concept_key: str,
    preferred_system: str | None,
    out: Collector,
    encounter_key: str = "encounter",
) -> tuple:
    concept = res.get(concept_key)
    coding = pick(codings(concept, out), preferred_system)
    code = text(coding.get("code"), out, "code")
    return (
        ref_id(res.get("subject"), "Patient"),
        ref_id(res.get(encounter_key), "Encounter"),
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
        _preferred_code(res.get("category"), CONDITION_CATEGORY, out),
    )


CONDITION = Kind(
    "Condition",
    _condition,
    {
        "condition": Table(
            (
                "id",
                *_CLINICAL,
                "clinical_status",
                "verification_status",
                "onset",
                "recorded",
                "category",
            ),
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


def _preferred_code(concept: object, system: str, out: Collector) -> str | None:
    """The code of the first coding of ``system``, else of the first coding."""
    codes = codings(concept, out)
    coding = first_coding(codes, system)
    return text((coding or first_coding(codes)).get("code"), out, "code")


def _medication_request(res: dict, out: Collector) -> None:
    validity = get(res, "dispenseRequest", "validityPeriod")
    # MII exports carry the period of an order in its dosage timing, not as a validity period.
    bounds = get(res, "dosageInstruction", 0, "timing", "repeat", "boundsPeriod")
    out.add(
        "medication_request",
        res["id"],
        *_coded(res, "medicationCodeableConcept", ATC, out),
        text(res.get("status"), out, "status"),
        when(res.get("authoredOn"), out, "authored_on"),
        when(get(validity, "start") or get(bounds, "start"), out, "start"),
        when(get(validity, "end") or get(bounds, "end"), out, "end"),
        text(get(res, "dosageInstruction", 0, "text"), out, "dosage"),
        ref_id(res.get("medicationReference"), "Medication"),
    )


MEDICATION_REQUEST = Kind(
    "MedicationRequest",
    _medication_request,
    {
        "medication_request": Table(
            ("id", *_CLINICAL, "status", "authored_on", "start", "end", "dosage", "medication_id"),
            times=("authored_on", "start", "end"),
        )
    },
)

_MEDICATION_USE = ("id", *_CLINICAL, "medication_id", "status", "start", "end", "dosage")


def _medication_use(table: str, *dosage: str | int):
    """Extractor of MedicationAdministration or MedicationStatement: the same elements but for
    where the dosage text sits (``dosage`` path)."""

    def extract(res: dict, out: Collector) -> None:
        period = res.get("effectivePeriod")
        out.add(
            table,
            res["id"],
            *_coded(res, "medicationCodeableConcept", ATC, out, encounter_key="context"),
            ref_id(res.get("medicationReference"), "Medication"),
            text(res.get("status"), out, "status"),
            when(res.get("effectiveDateTime") or get(period, "start"), out, "start"),
            when(get(period, "end"), out, "end"),
            text(get(res, *dosage, "text"), out, "dosage"),
        )

    return extract


MEDICATION_ADMINISTRATION = Kind(
    "MedicationAdministration",
    _medication_use("medication_administration", "dosage"),
    {"medication_administration": Table(_MEDICATION_USE, times=("start", "end"))},
)

MEDICATION_STATEMENT = Kind(
    "MedicationStatement",
    _medication_use("medication_statement", "dosage", 0),
    {"medication_statement": Table(_MEDICATION_USE, times=("start", "end"))},
)


def _medication(res: dict, out: Collector) -> None:
    concept = res.get("code")
    codes = codings(concept, out)
    coding = pick(codes, ATC)
    code = text(coding.get("code"), out, "code")
    product = text(get(concept, "text"), out, "text")
    out.add(
        "medication",
        res["id"],
        text(coding.get("system"), out, "system") if code else None,
        code,
        text(coding.get("display"), out, "display") or product,
        text(first_coding(codes, PZN).get("code"), out, "pzn"),
        product,
    )


MEDICATION = Kind(
    "Medication",
    _medication,
    {"medication": Table(("id", "system", "code", "display", "pzn", "text"))},
)


def _value(node: dict, out: Collector) -> tuple:
    quantity = node.get("valueQuantity")
    if quantity is None:
        value = node.get("valueInteger")
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            out.warn("bad_value")
            value = None
        return value, None
    value = quantity.get("value") if isinstance(quantity, dict) else None
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        out.warn("bad_value")
        value = None
    unit = text(get(quantity, "code"), out, "unit") or text(get(quantity, "unit"), out, "unit")
    return value, unit


def _value_text(node: dict, out: Collector) -> str | None:
    """A value that is not a number, as text: a coded value's display (else its text, else its
    code), a string, a time, or ``true``/``false``."""
    concept = node.get("valueCodeableConcept")
    if concept is not None:
        coding = first_coding(codings(concept, out))
        return (
            text(coding.get("display"), out, "value_text")
            or text(get(concept, "text"), out, "value_text")
            or text(coding.get("code"), out, "value_text")
        )
    for key in ("valueString", "valueDateTime", "valueTime"):
        if key in node:
            return text(node[key], out, "value_text")
    if "valueBoolean" in node:
        flag = node["valueBoolean"]
        if isinstance(flag, bool):
            return "true" if flag else "false"
        out.warn("bad_value_text")
    return None


def _value_code(node: dict, out: Collector) -> str | None:
    """The code of a coded value (its first coding), for values read by code, not by words."""
    concept = node.get("valueCodeableConcept")
    if concept is None:
        return None
    return text(first_coding(codings(concept, out)).get("code"), out, "value_code")


def _observation(res: dict, out: Collector) -> None:
    effective = res.get("effectiveDateTime") or get(res, "effectivePeriod", "start")
    common = (
        ref_id(res.get("subject"), "Patient"),
        ref_id(res.get("encounter"), "Encounter"),
        _preferred_code(res.get("category"), OBSERVATION_CATEGORY, out),
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
            _value_text(part, out),
            _value_code(part, out),
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
                "value_text",
                "value_code",
            ),
            times=("effective",),
            numbers=("value", "ref_low", "ref_high"),
        )
    },
)


def _diagnostic_report(res: dict, out: Collector) -> None:
    effective = res.get("effectiveDateTime") or get(res, "effectivePeriod", "start")
    based_on = next(
        (
            found
            for entry in items(res.get("basedOn"), out, "based_on")
            if (found := ref_id(entry, "ServiceRequest"))
        ),
        None,
    )
    out.add(
        "diagnostic_report",
        res["id"],
        *_coded(res, "code", LOINC, out),
        _preferred_code(res.get("category"), REPORT_SECTION, out),
        text(res.get("status"), out, "status"),
        when(effective, out, "effective"),
        when(res.get("issued"), out, "issued"),
        text(res.get("conclusion"), out, "conclusion"),
        based_on,
    )
    for entry in items(res.get("result"), out, "result"):
        out.add("diagnostic_report_result", res["id"], ref_id(entry, "Observation"))


DIAGNOSTIC_REPORT = Kind(
    "DiagnosticReport",
    _diagnostic_report,
    {
        "diagnostic_report": Table(
            (
                "id",
                *_CLINICAL,
                "category",
                "status",
                "effective",
                "issued",
                "conclusion",
                "service_request_id",
            ),
            times=("effective", "issued"),
        ),
        "diagnostic_report_result": Table(("report_id", "observation_id")),
    },
)


def _service_request(res: dict, out: Collector) -> None:
    occurrence = res.get("occurrenceDateTime") or get(res, "occurrencePeriod", "start")
    out.add(
        "service_request",
        res["id"],
        *_coded(res, "code", None, out),
        code_of(res.get("category"), out),
        text(res.get("status"), out, "status"),
        text(res.get("intent"), out, "intent"),
        when(res.get("authoredOn"), out, "authored_on"),
        when(occurrence, out, "occurrence"),
    )


SERVICE_REQUEST = Kind(
    "ServiceRequest",
    _service_request,
    {
        "service_request": Table(
            ("id", *_CLINICAL, "category", "status", "intent", "authored_on", "occurrence"),
            times=("authored_on", "occurrence"),
        )
    },
)


def _consent(res: dict, out: Collector) -> None:
    policies = [
        uri
        for p in items(res.get("policy"), out, "policy")
        if (uri := text(p.get("uri"), out, "policy"))
    ]
    provision = res.get("provision")
    nested = items(get(provision, "provision"), out, "provision")
    types = sorted({kind for p in nested if isinstance(kind := p.get("type"), str)})
    out.add(
        "consent",
        res["id"],
        ref_id(res.get("patient"), "Patient"),
        text(res.get("status"), out, "status"),
        code_of(res.get("scope"), out),
        code_of(res.get("category"), out, MII_CONSENT_CATEGORY),
        when(res.get("dateTime"), out, "date"),
        " ".join(policies) or None,
        text(get(provision, "type"), out, "provision_type"),
        " ".join(types) or None,
        when(get(res, "meta", "lastUpdated"), out, "last_updated"),
    )


CONSENT = Kind(
    "Consent",
    _consent,
    {
        "consent": Table(
            (
                "id",
                "patient_id",
                "status",
                "scope",
                "category",
                "date",
                "policy",
                "provision_type",
                "provisions",
                "last_updated",
            ),
            times=("date", "last_updated"),
        )
    },
)


def _allergy_intolerance(res: dict, out: Collector) -> None:
    categories = res.get("category")
    category = None
    if isinstance(categories, list):
        category = " ".join(sorted({c for c in categories if isinstance(c, str)})) or None
        if len(categories) != sum(isinstance(c, str) for c in categories):
            out.warn("bad_category")
    elif categories is not None:
        out.warn("bad_category")
    reactions = items(res.get("reaction"), out, "reaction")
    manifestations = [
        name
        for reaction in reactions
        for concept in items(reaction.get("manifestation"), out, "manifestation")
        if (
            name := text(first_coding(codings(concept, out)).get("display"), out, "reaction")
            or text(concept.get("text"), out, "reaction")
        )
    ]
    severities = [
        severity
        for reaction in reactions
        if (severity := text(reaction.get("severity"), out, "severity"))
    ]
    out.add(
        "allergy_intolerance",
        res["id"],
        ref_id(res.get("patient"), "Patient"),
        ref_id(res.get("encounter"), "Encounter"),
        *_coded(res, "code", SNOMED, out)[2:],
        text(get(res, "code", "text"), out, "text"),
        code_of(res.get("clinicalStatus"), out, ALLERGY_CLINICAL)
        or code_of(res.get("clinicalStatus"), out),
        code_of(res.get("verificationStatus"), out, ALLERGY_VERIFICATION)
        or code_of(res.get("verificationStatus"), out),
        text(res.get("type"), out, "type"),
        category,
        text(res.get("criticality"), out, "criticality"),
        "; ".join(dict.fromkeys(manifestations)) or None,
        severities[0] if len(set(severities)) == 1 else _worst(severities),
        when(res.get("recordedDate"), out, "recorded"),
        when(res.get("onsetDateTime"), out, "onset"),
    )


_SEVERITY_ORDER = ("mild", "moderate", "severe")


def _worst(severities: list[str]) -> str | None:
    known = [s for s in severities if s in _SEVERITY_ORDER]
    return max(known, key=_SEVERITY_ORDER.index) if known else None


ALLERGY_INTOLERANCE = Kind(
    "AllergyIntolerance",
    _allergy_intolerance,
    {
        "allergy_intolerance": Table(
            (
                "id",
                "patient_id",
                "encounter_id",
                "system",
                "code",
                "display",
                "text",
                "clinical_status",
                "verification_status",
                "type",
                "category",
                "criticality",
                "reaction",
                "severity",
                "recorded",
                "onset",
            ),
            times=("recorded", "onset"),
        )
    },
)


def _flag(res: dict, out: Collector) -> None:
    period = res.get("period")
    out.add(
        "flag",
        res["id"],
        *_coded(res, "code", None, out),
        text(get(res, "code", "text"), out, "text"),
        text(res.get("status"), out, "status"),
        _preferred_code(res.get("category"), FLAG_CATEGORY, out),
        when(get(period, "start"), out, "start"),
        when(get(period, "end"), out, "end"),
    )


FLAG = Kind(
    "Flag",
    _flag,
    {
        "flag": Table(
            ("id", *_CLINICAL, "text", "status", "category", "start", "end"),
            times=("start", "end"),
        )
    },
)
