"""FHIR resources to tidy DataFrames: one extractor per resource kind.

Every table has a ``source`` column first (the display name of the FHIR source the row came from);
the other columns are listed in each kind's ``Table`` and documented in docs/FRAMES.md.
"""

from services.frames.audit import AUDIT_EVENT
from services.frames.base import Collector, Kind, Table, Tables, to_frame
from services.frames.clinical import (
    ALLERGY_INTOLERANCE,
    CONDITION,
    CONSENT,
    DIAGNOSTIC_REPORT,
    FLAG,
    MEDICATION,
    MEDICATION_ADMINISTRATION,
    MEDICATION_REQUEST,
    MEDICATION_STATEMENT,
    OBSERVATION,
    PROCEDURE,
    SERVICE_REQUEST,
)
from services.frames.documents import DOCUMENT_REFERENCE
from services.frames.people import ORGANIZATION, PATIENT, PRACTITIONER, PRACTITIONER_ROLE
from services.frames.reporting import DEVICE, MEASURE_REPORT, QUESTIONNAIRE_RESPONSE
from services.frames.roster import APPOINTMENT
from services.frames.stays import ENCOUNTER, LOCATION, with_hierarchy
from services.frames.tasks import TASK

KINDS: dict[str, Kind] = {
    kind.resource_type: kind
    for kind in (
        PATIENT,
        PRACTITIONER,
        PRACTITIONER_ROLE,
        ORGANIZATION,
        ENCOUNTER,
        LOCATION,
        CONDITION,
        PROCEDURE,
        MEDICATION_REQUEST,
        MEDICATION_ADMINISTRATION,
        MEDICATION_STATEMENT,
        MEDICATION,
        OBSERVATION,
        DIAGNOSTIC_REPORT,
        SERVICE_REQUEST,
        CONSENT,
        ALLERGY_INTOLERANCE,
        FLAG,
        DOCUMENT_REFERENCE,
        TASK,
        AUDIT_EVENT,
        APPOINTMENT,
        DEVICE,
        MEASURE_REPORT,
        QUESTIONNAIRE_RESPONSE,
    )
}


def finish(tables: Tables) -> Tables:
    """The tables of a whole read as pages use them: each kind's ``finish`` over its tables.

    Runs once over all sources of a read (``Platform``), after extraction, so that a stay whose
    contact levels came in different pages of the search is still one stay.
    """
    for kind in KINDS.values():
        first = next(iter(kind.tables))
        if kind.finish is not None and first in tables:
            tables = kind.finish(tables)
    return tables


__all__ = ["KINDS", "Collector", "Kind", "Table", "finish", "to_frame", "with_hierarchy"]
