"""Plain records of everything the network contains, before they become FHIR resources.

Ground truth is computed from these records (and the simulation), never from FHIR JSON, so a bug
in the FHIR mapping shows up as a mismatch in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from demo_data.codes import Code
from demo_data.hospitals import Bed, Hospital, Ward
from demo_data.simulate import Person, Stay
from demo_data.staff import StaffMember
from demo_data.timeutil import Instant


@dataclass
class PatientRec:
    """A person's Patient record at one hospital."""

    id: str
    person: Person
    hospital: Hospital
    number: str


@dataclass
class WardPeriod:
    """Where the patient lay from ``start`` to ``end`` (None: lies there now)."""

    ward: Ward
    bed: Bed
    start: Instant
    end: Instant | None


@dataclass
class EncounterRec:
    """An emitted contact with its ward periods cut at the as-of instant."""

    id: str
    case_number: str
    stay: Stay
    patient: PatientRec
    attending: StaffMember
    periods: list[WardPeriod]
    current: bool

    @property
    def end(self) -> Instant | None:
        """The end of the contact, None while it is in progress."""
        return None if self.current else self.stay.end


@dataclass
class ConditionRec:
    """A diagnosis of an encounter."""

    id: str
    encounter: EncounterRec
    code: Code
    recorded: Instant
    onset: Instant
    clinical_status: str


@dataclass
class ProcedureRec:
    """A performed procedure (OPS)."""

    id: str
    encounter: EncounterRec
    code: Code
    performed: Instant


@dataclass
class MedicationRec:
    """A medication order (ATC) with its period."""

    id: str
    encounter: EncounterRec
    code: Code
    dosage: str
    authored: Instant
    start: Instant
    end: Instant
    status: str
    requester: StaffMember


@dataclass
class ObservationRec:
    """A vital sign or lab value; blood pressure carries its two components."""

    id: str
    encounter: EncounterRec
    category: str
    code: Code
    unit: str
    effective: Instant
    value: float | None = None
    low: float | None = None
    high: float | None = None
    interpretation: str | None = None
    components: list[tuple[Code, float]] = field(default_factory=list)


@dataclass
class TaskRec:
    """A nursing task on the ward the patient lay on at the time."""

    id: str
    encounter: EncounterRec
    ward: Ward
    code: str
    status: str
    priority: str
    authored: Instant
    due: Instant
    last_modified: Instant
    started: Instant | None = None
    finished: Instant | None = None
    owner: StaffMember | None = None
    note: str | None = None

    @property
    def is_open(self) -> bool:
        """Whether the task still waits for someone (requested, ready or in progress)."""
        return self.status in ("requested", "ready", "in-progress")

    def is_overdue(self, as_of: Instant) -> bool:
        """Open and due before ``as_of``."""
        return self.is_open and self.due < as_of
