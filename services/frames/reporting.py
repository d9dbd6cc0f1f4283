"""Extractors for what the capacity reports read besides beds and stays: medical devices
(ventilators, ECMO units), stored reports (MeasureReport) and the managers' answers
(QuestionnaireResponse)."""

from __future__ import annotations

from services.frames.base import Collector, Kind, Table, get, items, ref_id, ref_key
from services.frames.fields import code_of, codings, first_coding, text, when

__all__ = ["DEVICE", "MEASURE_REPORT", "QUESTIONNAIRE_RESPONSE"]

_SITUATION_EXT = "https://fhir.medicus-bw.de/StructureDefinition/divi-betriebssituation"


def _device(res: dict, out: Collector) -> None:
    out.add(
        "device",
        res["id"],
        text(res.get("status"), out, "status"),
        text(first_coding(codings(res.get("type"), out)).get("code"), out, "code"),
        ref_id(res.get("location"), "Location"),
        ref_id(res.get("owner"), "Organization"),
    )


DEVICE = Kind(
    "Device",
    _device,
    {"device": Table(("id", "status", "type", "location_id", "organization_id"))},
)


def _measure_report(res: dict, out: Collector) -> None:
    situation = None
    for extension in items(res.get("extension"), out, "extension"):
        if extension.get("url") == _SITUATION_EXT:
            situation = code_of(extension.get("valueCodeableConcept"), out)
    out.add(
        "measure_report",
        res["id"],
        text(res.get("measure"), out, "measure"),
        text(res.get("status"), out, "status"),
        ref_id(res.get("reporter"), "Organization"),
        when(get(res, "period", "start"), out, "period_start"),
        when(res.get("date"), out, "date"),
        situation,
    )
    for group in items(res.get("group"), out, "group"):
        group_code = code_of(group.get("code"), out)
        for population in items(group.get("population"), out, "population"):
            count = population.get("count")
            if isinstance(count, bool) or not isinstance(count, int):
                if count is not None:
                    out.warn("bad_count")
                count = None
            out.add(
                "measure_population",
                res["id"],
                group_code,
                code_of(population.get("code"), out),
                count,
            )


MEASURE_REPORT = Kind(
    "MeasureReport",
    _measure_report,
    {
        "measure_report": Table(
            ("id", "measure", "status", "hospital_id", "period_start", "date", "situation"),
            times=("period_start", "date"),
        ),
        "measure_population": Table(("id", "group", "code", "count"), numbers=("count",)),
    },
)


def _answer_value(answer: dict, out: Collector) -> str | None:
    """An answer as text: a coding's code, a boolean as ``true``/``false``, a string as is."""
    if "valueCoding" in answer:
        coding = answer["valueCoding"]
        return text(coding.get("code"), out, "code") if isinstance(coding, dict) else None
    if "valueBoolean" in answer:
        value = answer["valueBoolean"]
        if isinstance(value, bool):
            return "true" if value else "false"
        out.warn("bad_answer")
        return None
    return text(answer.get("valueString"), out, "answer")


def _questionnaire_response(res: dict, out: Collector) -> None:
    out.add(
        "questionnaire_response",
        res["id"],
        text(res.get("questionnaire"), out, "questionnaire"),
        text(res.get("status"), out, "status"),
        ref_key(res.get("subject")),
        when(res.get("authored"), out, "authored"),
        text(get(res, "author", "display"), out, "author"),
    )
    for item in items(res.get("item"), out, "item"):
        for answer in items(item.get("answer"), out, "answer"):
            out.add(
                "questionnaire_answer",
                res["id"],
                text(item.get("linkId"), out, "link_id"),
                _answer_value(answer, out),
            )


QUESTIONNAIRE_RESPONSE = Kind(
    "QuestionnaireResponse",
    _questionnaire_response,
    {
        "questionnaire_response": Table(
            ("id", "questionnaire", "status", "subject", "authored", "author"),
            times=("authored",),
        ),
        "questionnaire_answer": Table(("id", "link_id", "value")),
    },
)
