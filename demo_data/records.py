"""Plain records of everything the network contains, before they become FHIR resources.

Ground truth is computed from these records (and the simulation), never from FHIR JSON, so a bug
in the FHIR mapping shows up as a mismatch in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from demo_data.codes import SYS_ISOLATION, Code
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
    # When the planned discharge was first documented (``demo_data.discharge``); None: not yet.
    planned_end_recorded: Instant | None = None

    @property
    def end(self) -> Instant | None:
        """The end of the contact, None while it is in progress."""
        return None if self.current else self.stay.end


@dataclass
class WardContact:
    """A Versorgungsstellenkontakt (MII shape): one ward period of a stay."""

    id: str
    period: WardPeriod


@dataclass
class DepartmentContact:
    """An Abteilungskontakt (MII shape): consecutive ward periods in one department.

    ``logical_part_of``: the contact names its Einrichtungskontakt by case number only.
    """

    id: str
    department: str
    start: Instant
    end: Instant | None
    logical_part_of: bool
    wards: list[WardContact] = field(default_factory=list)


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
    # A coded value (SNOMED CT), such as the ACVPU level of consciousness.
    value_code: Code | None = None
    # Code systems of ``code`` and ``value_code`` when not LOINC and SNOMED CT (nursing findings).
    code_system: str | None = None
    value_system: str | None = None


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
    # The order: its text, and the medication order or the operation it is about.
    description: str | None = None
    medication: MedicationRec | None = None
    procedure: ProcedureRec | None = None
    # What the nurse noted on completing it (``owner`` at ``finished``).
    note: str | None = None
    # A cleaning task (``bettenreinigung``): the bed the stay left, cleaned after ``authored``.
    bed: Bed | None = None

    @property
    def is_open(self) -> bool:
        """Whether the task still waits for someone (requested, ready or in progress)."""
        return self.status in ("requested", "ready", "in-progress")

    def is_overdue(self, as_of: Instant) -> bool:
        """Open and due before ``as_of``."""
        return self.is_open and self.due < as_of


@dataclass
class AllergyRec:
    """An allergy or intolerance recorded at one hospital, or the statement that none is known
    (``substance`` ``NO_KNOWN_ALLERGY``, no category, criticality or reaction)."""

    id: str
    patient: PatientRec
    encounter: EncounterRec
    substance: Code
    recorded: Instant
    category: str | None = None
    criticality: str | None = None
    verification: str = "confirmed"
    reaction: Code | None = None


@dataclass
class FlagRec:
    """A flag of a stay, active while the stay is current: an isolation flag, or (``system``
    NEWS2) a physician's order to score SpO2 on NEWS2 scale 2."""

    id: str
    encounter: EncounterRec
    code: str
    start: Instant
    end: Instant | None
    system: str = SYS_ISOLATION

    @property
    def active(self) -> bool:
        return self.end is None


@dataclass
class ProblemRec:
    """An entry of a hospital's problem list (Condition, category problem-list-item)."""

    id: str
    patient: PatientRec
    code: Code
    onset: Instant
    recorded: Instant
    clinical_status: str


@dataclass
class StatementRec:
    """Medication the patient takes at home, as a hospital recorded it (MedicationStatement)."""

    id: str
    patient: PatientRec
    code: Code
    dosage: str
    start: Instant
    recorded: Instant


@dataclass
class DocumentRec:
    """A letter or report written for a past contact: its text, and how the content is kept.

    ``storage``: ``inline`` (text/plain in ``attachment.data``), ``binary-text`` (text/plain in
    a Binary named by ``attachment.url``) or ``binary-pdf`` (a PDF of the text in a Binary).
    """

    id: str
    encounter: EncounterRec
    kind: str
    title: str
    author: StaffMember
    date: Instant
    text: str
    storage: str

    @property
    def binary_id(self) -> str | None:
        return None if self.storage == "inline" else f"bin-{self.id.removeprefix('doc-')}"
