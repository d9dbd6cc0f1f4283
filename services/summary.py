"""The patient summary of one Patient record: the source's own ``$summary`` where it offers one,
else the document the dashboard assembles from the record it already read.

Whether a source offers the operation is read from its CapabilityStatement (``summary_offered``);
a source that lists it but answers 404, 405 or 501, or 400 the way HAPI refuses an operation it
does not know, is taken as not offering it after all. Either way the page gets a document and the
reason it is the assembled one (``SummaryResult.why``), said in words there. The document is read
back by ``services.domain.summary.summary_view``, so both origins are shown alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from services.codes import IPS_OPERATION
from services.domain.summary import assemble_summary, record_tables
from services.errors import DataError, InvalidData, NotFound, ServerError
from services.fhir_http import FhirHttp
from services.patient_record import PatientRecord
from services.platform import Platform

__all__ = ["AUTHOR", "SummaryResult", "patient_summary", "record_summaries", "summary_offered"]

# Author of an assembled summary: the dashboard put it together, no clinician signed it.
AUTHOR = "MEDI:CUS Klinik-Dashboard"

Origin = Literal["server", "assembled"]
# Answers of a server that does not know the operation: HAPI says 400 ("does not know how to
# handle"), others 404, 405 or 501.
_UNKNOWN_OPERATION = (400, 404, 405, 501)


@dataclass(frozen=True)
class SummaryResult:
    """One record's summary document.

    ``why`` (assembled only): ``not_offered`` (the CapabilityStatement does not list
    ``$summary``), ``unsupported`` (the server refused it as unknown) or ``failed`` (the source
    failed; ``error_key`` and ``detail`` say how)."""

    source: str
    patient_id: str
    hospital_id: str | None
    origin: Origin
    bundle: dict[str, Any]
    why: str | None = None
    error_key: str | None = None
    detail: str | None = None


def summary_offered(capability: Mapping[str, Any]) -> bool:
    """Whether a CapabilityStatement lists ``$summary`` on Patient (by name or by the IPS
    OperationDefinition)."""
    for rest in capability.get("rest") or []:
        for resource in rest.get("resource") or []:
            if resource.get("type") != "Patient":
                continue
            for operation in resource.get("operation") or []:
                if operation.get("name") == "summary" or operation.get("definition") in (
                    IPS_OPERATION,
                ):
                    return True
    return False


def _document(http: FhirHttp, patient_id: str) -> dict[str, Any]:
    bundle = http.get_json(f"Patient/{patient_id}/$summary")
    entries = bundle.get("entry") or []
    first = entries[0].get("resource", {}) if entries and isinstance(entries[0], dict) else {}
    if bundle.get("type") != "document" or first.get("resourceType") != "Composition":
        raise InvalidData("$summary gave no IPS document", source=http.source.name)
    return bundle


def patient_summary(
    platform: Platform,
    record: tuple[str, str, str | None],
    offered: bool,
    assemble: Callable[[], dict[str, Any]],
) -> SummaryResult:
    """The summary of ``record`` (source, Patient id, hospital): the source's when ``offered``
    and it answers, else ``assemble()``'s, with the reason."""
    source, patient_id, hospital_id = record

    def assembled(why: str, error: DataError | None = None) -> SummaryResult:
        return SummaryResult(
            source,
            patient_id,
            hospital_id,
            "assembled",
            assemble(),
            why=why,
            error_key=error.message_key if error else None,
            detail=error.detail if error else None,
        )

    if not offered:
        return assembled("not_offered")
    try:
        bundle = _document(platform.http(source), patient_id)
    except (NotFound, ServerError) as exc:
        if exc.status in _UNKNOWN_OPERATION:
            return assembled("unsupported", exc)
        return assembled("failed", exc)
    except DataError as exc:
        return assembled("failed", exc)
    return SummaryResult(source, patient_id, hospital_id, "server", bundle)


def record_summaries(
    platform: Platform,
    record: PatientRecord,
    records: Iterable[tuple[str, str, str | None]],
    person: Mapping[str, Any],
    now: pd.Timestamp,
    offered: Callable[[str], bool],
) -> list[SummaryResult]:
    """One summary per Patient record of a person (one per hospital, never merged), each from
    its source or assembled from ``record`` (the person's record as read); ``offered(source)``
    says whether the source lists ``$summary``."""
    results = []
    for source, patient_id, hospital_id in records:

        def assemble(source: str = source, patient_id: str = patient_id) -> dict[str, Any]:
            patients = record.patients
            own = patients[patients["source"].eq(source) & patients["id"].eq(patient_id)]
            tables = record_tables(record.tables, source, patient_id)
            return assemble_summary(tables, own, person, now, AUTHOR)

        results.append(
            patient_summary(platform, (source, patient_id, hospital_id), offered(source), assemble)
        )
    return results
