"""Who may see what: the role matrix of DESIGN.md as data, and the user's scope in the network.

Pages ask ``allowed(user.role, capability)`` themselves; the menu built from the same matrix only
decides what is offered, never what is permitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["MATRIX", "Capability", "Role", "User", "allowed"]


class Role(StrEnum):
    PHYSICIAN = "physician"
    NURSE = "nurse"
    MANAGER = "manager"
    ADMIN = "admin"


class Capability(StrEnum):
    PATIENT_RECORD = "patient_record"  # search patients, open one patient's record
    TASKS_READ = "tasks_read"
    TASKS_WRITE = "tasks_write"
    BED_BOARD = "bed_board"  # beds with patients in them
    BED_COUNTS = "bed_counts"  # beds as numbers only
    CAPACITY = "capacity"  # aggregate capacity and workload, no names or ids
    AUDIT_LOG = "audit_log"


MATRIX: dict[Role, frozenset[Capability]] = {
    Role.PHYSICIAN: frozenset(
        {Capability.PATIENT_RECORD, Capability.TASKS_READ, Capability.BED_BOARD}
    ),
    Role.NURSE: frozenset(
        {
            Capability.PATIENT_RECORD,
            Capability.TASKS_READ,
            Capability.TASKS_WRITE,
            Capability.BED_BOARD,
        }
    ),
    Role.MANAGER: frozenset({Capability.BED_COUNTS, Capability.CAPACITY}),
    Role.ADMIN: frozenset({Capability.CAPACITY, Capability.AUDIT_LOG}),
}


def allowed(role: Role | str | None, capability: Capability) -> bool:
    """True when ``role`` holds ``capability``; unknown or missing roles hold nothing."""
    try:
        return capability in MATRIX[Role(role)]
    except ValueError:
        return False


@dataclass(frozen=True)
class User:
    """A signed-in person and the part of the network they work in.

    Physicians: a facility and its departments (Fachabteilungsschlüssel). Nurses: a facility and
    wards (Location ids). Managers: facilities (Organization ids); none means the whole network.
    """

    username: str
    name: str
    role: Role
    practitioner_id: str | None = None
    hospital_id: str | None = None
    departments: tuple[str, ...] = ()
    wards: tuple[str, ...] = ()
    facilities: tuple[str, ...] = ()

    def can(self, capability: Capability) -> bool:
        return allowed(self.role, capability)
