"""Writing what the DIVI report needs besides live data: the manager's operating situation
(a QuestionnaireResponse) and the day's report kept as history (a MeasureReport).

The answer is a new resource each time (the latest counts, the earlier ones stay as the record
of who said what when); it is sent with a client-chosen id by PUT, so a retried request stores
it once. The day's report has the id ``divi-<hospital>-<date>``: storing it again the same day
replaces it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import pandas as pd

from services.codes import MEDICUS
from services.domain.divi import LIMITS, OPERATING_QUESTIONNAIRE, OPERATING_SITUATIONS
from services.fhir_http import FhirHttp

__all__ = ["SOON_SHORTAGE", "operating_response", "save_response", "store_report"]

# The manager's answer whether nurses will be short within a week (SANER ``posshortnurse``).
SOON_SHORTAGE = "personal_7d"
_SITUATION_SYSTEM = f"{MEDICUS}/CodeSystem/divi-betriebssituation"


def operating_response(
    hospital_id: str,
    situation: str,
    limits: Iterable[str],
    shortage_soon: bool,
    author: str,
    authored: pd.Timestamp,
) -> dict[str, Any]:
    """The QuestionnaireResponse of one answer: the situation, each limiting reason true or
    false (all false while operation is regular) and the shortage expected within a week."""
    if situation not in OPERATING_SITUATIONS:
        raise ValueError(f"unknown operating situation {situation!r}")
    chosen = set(limits) if situation not in ("REGULAERER_BETRIEB", "KEINE_ANGABE") else set()
    items: list[dict[str, Any]] = [
        {
            "linkId": "betriebssituation",
            "answer": [{"valueCoding": {"system": _SITUATION_SYSTEM, "code": situation}}],
        }
    ]
    items += [{"linkId": x, "answer": [{"valueBoolean": x in chosen}]} for x in LIMITS]
    items.append({"linkId": SOON_SHORTAGE, "answer": [{"valueBoolean": bool(shortage_soon)}]})
    return {
        "resourceType": "QuestionnaireResponse",
        "id": f"divi-bs-{uuid.uuid4().hex[:16]}",
        "questionnaire": OPERATING_QUESTIONNAIRE,
        "status": "completed",
        "subject": {"reference": f"Organization/{hospital_id}"},
        "authored": authored.isoformat(timespec="seconds"),
        "author": {"display": author},
        "item": items,
    }


def save_response(http: FhirHttp, response: dict[str, Any]) -> dict[str, Any]:
    """Store the answer; returns what the server stored."""
    return http.send_json("PUT", f"QuestionnaireResponse/{response['id']}", response)


def store_report(http: FhirHttp, report: dict[str, Any]) -> dict[str, Any]:
    """Store (or replace) the day's MeasureReport; returns what the server stored."""
    return http.send_json("PUT", f"MeasureReport/{report['id']}", report)
