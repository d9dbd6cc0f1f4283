"""FHIR resources to tidy DataFrames: one extractor per resource kind.

Every table has a ``source`` column first (the display name of the FHIR source the row came from);
the other columns are listed in each kind's ``Table`` and documented in docs/FRAMES.md.
"""

from services.frames.audit import AUDIT_EVENT
from services.frames.base import Collector, Kind, Table, to_frame
from services.frames.clinical import CONDITION, MEDICATION_REQUEST, OBSERVATION, PROCEDURE
from services.frames.people import ORGANIZATION, PATIENT, PRACTITIONER, PRACTITIONER_ROLE
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
        OBSERVATION,
        TASK,
        AUDIT_EVENT,
    )
}

__all__ = ["KINDS", "Collector", "Kind", "Table", "to_frame", "with_hierarchy"]
