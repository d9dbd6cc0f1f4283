"""Who may see what: the role matrix of DESIGN.md as data, and the user's scope in the network.

``MATRIX`` is the only statement of which role holds which capability. Each page names the one
capability it needs in its ``PageSpec`` (``components.navigation``); the menu and the page's own
check (``components.guard.require_page``) both read that spec, so there is no second spelling.

Nurses hold no ``PATIENT_RECORD``: no network search, no "My patients", no timeline. What a nurse
sees of a patient comes from her wards' pages only (task list, bed board, handover), each read
narrowed to her wards.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["MATRIX", "NETWORK_ROLES", "Capability", "Role", "User", "allowed"]


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
    ACUITY = "acuity"  # the early warning score (NEWS2) of a ward's patients, by name
    CAPACITY = "capacity"  # aggregate capacity and workload, no names or ids
    AUDIT_LOG = "audit_log"
    DATA_QUALITY = "data_quality"  # defects per source; examples by resource id, see data_quality
    STAFFING = "staffing"  # nurses on duty against the PpUGV floors, counts only
    # Ask another hospital for a bed for one of the own hospital's inpatients.
    TRANSFER_REQUEST = "transfer_request"
    # Answer the requests addressed to the own hospitals: accept (reserve a bed), decline, ask
    # back; sees age group, sex, bed category, isolation and urgency, never a name.
    TRANSFER_DECIDE = "transfer_decide"
    # Discharge flow of own wards (nurse) or departments (physician) with the long stays named;
    # managers see the same figures as aggregates under CAPACITY.
    DISCHARGE_PLANNING = "discharge_planning"
    # The own wards' admission queue: give a waiting patient a bed, swap beds within the ward,
    # cancel an admission.
    ADMISSIONS = "admissions"


MATRIX: dict[Role, frozenset[Capability]] = {
    Role.PHYSICIAN: frozenset(
        {
            Capability.PATIENT_RECORD,
            Capability.TASKS_READ,
            Capability.BED_BOARD,
            Capability.TRANSFER_REQUEST,
            Capability.DISCHARGE_PLANNING,
            Capability.ACUITY,
        }
    ),
    Role.NURSE: frozenset(
        {
            Capability.TASKS_READ,
            Capability.TASKS_WRITE,
            Capability.BED_BOARD,
            Capability.ADMISSIONS,
            Capability.DISCHARGE_PLANNING,
            Capability.ACUITY,
        }
    ),
    Role.MANAGER: frozenset(
        {
            Capability.BED_COUNTS,
            Capability.CAPACITY,
            Capability.DATA_QUALITY,
            Capability.STAFFING,
            Capability.TRANSFER_DECIDE,
        }
    ),
    Role.ADMIN: frozenset(
        {Capability.CAPACITY, Capability.AUDIT_LOG, Capability.DATA_QUALITY, Capability.STAFFING}
    ),
}


# Roles whose empty scope means the whole network (aggregates only). For everybody else an empty
# scope means no patients at all: a physician without a hospital sees nothing, never everything.
NETWORK_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


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
