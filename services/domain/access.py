"""Who may open which person's record (the roles matrix of DESIGN.md, applied to one person).

- physician: a person known at the physician's own facility opens directly; a person known only
  at other facilities opens after the physician states a reason (break-glass, audited);
- nurse: only persons with a current stay on one of the nurse's wards;
- manager and admin: never.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from services.roles import Role, User

__all__ = ["MIN_REASON_LENGTH", "Access", "access_to", "reason_ok"]

# Long enough that "x" or "ok" does not pass as a justification in the audit trail.
MIN_REASON_LENGTH = 10


class Access(StrEnum):
    DIRECT = "direct"
    BREAK_GLASS = "break_glass"
    DENIED = "denied"


def access_to(user: User, hospitals: Iterable[str], on_users_wards: bool = False) -> Access:
    """How ``user`` may open a person seen at ``hospitals`` (ids of the person's Patient records).

    ``on_users_wards``: the person lies on one of the user's wards now (only nurses ask).
    """
    seen_at = {h for h in hospitals if h}
    if user.role == Role.PHYSICIAN:
        if user.hospital_id and user.hospital_id in seen_at:
            return Access.DIRECT
        return Access.BREAK_GLASS if seen_at else Access.DENIED
    if user.role == Role.NURSE:
        return Access.DIRECT if on_users_wards else Access.DENIED
    return Access.DENIED


def reason_ok(reason: str | None) -> bool:
    """A break-glass reason is a sentence, not a keystroke."""
    return reason is not None and len(reason.strip()) >= MIN_REASON_LENGTH
