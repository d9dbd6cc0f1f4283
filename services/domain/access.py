"""Who may open which person's record (the roles matrix of DESIGN.md, applied to one person).

- physician: a person known at the physician's own facility opens directly; a person known only
  at other facilities opens after the physician states a reason (break-glass, audited);
- nurse: never by record: nurses hold no ``PATIENT_RECORD``; what they see of a patient comes from
  their wards' pages, narrowed to their wards;
- manager and admin: never.

A break-glass reason is one occasion from a short list (``BreakGlassReason``) plus free text in
words: the list makes the audit trail countable, the words make it explainable. ``compose_reason``
writes both as one text (``"emergency: …"``), which is what the AuditEvent carries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum

from services.roles import Role, User

__all__ = [
    "MIN_REASON_LENGTH",
    "Access",
    "BreakGlassReason",
    "access_to",
    "compose_reason",
    "reason_kind",
    "reason_ok",
    "reason_words",
]

# Letters, not keystrokes: "x", "ok" or ten dots do not pass as a justification.
MIN_REASON_LENGTH = 10


class Access(StrEnum):
    DIRECT = "direct"
    BREAK_GLASS = "break_glass"
    DENIED = "denied"


class BreakGlassReason(StrEnum):
    """Occasions for reading another facility's data (catalogue: ``break_glass.<value>``)."""

    EMERGENCY = "emergency"
    ADMISSION = "admission"
    CO_TREATMENT = "co_treatment"
    FOLLOW_UP = "follow_up"


def access_to(user: User, hospitals: Iterable[str], on_users_wards: bool = False) -> Access:
    """How ``user`` may open a person seen at ``hospitals`` (ids of the person's Patient records).

    ``on_users_wards``: the person lies on one of the user's wards now (only nurses ask). A
    physician without a hospital has no own facility: everything would be break-glass, so
    nothing opens.
    """
    seen_at = {h for h in hospitals if h}
    if user.role == Role.PHYSICIAN:
        if not user.hospital_id:
            return Access.DENIED
        if user.hospital_id in seen_at:
            return Access.DIRECT
        return Access.BREAK_GLASS if seen_at else Access.DENIED
    if user.role == Role.NURSE:
        return Access.DIRECT if on_users_wards else Access.DENIED
    return Access.DENIED


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def reason_kind(reason: str | None) -> BreakGlassReason | None:
    """The listed occasion a composed reason starts with, if any."""
    if not isinstance(reason, str) or not reason:
        return None
    head, sep, _ = reason.partition(":")
    try:
        return BreakGlassReason(head.strip()) if sep else None
    except ValueError:
        return None


def reason_words(reason: object, translate: Callable[[str], str]) -> str:
    """A composed reason as a reader sees it: the occasion in words (``break_glass.<value>``),
    then the text; a reason without a listed occasion as written; none (or a table's null) as
    an empty text."""
    if not isinstance(reason, str):
        return ""
    kind = reason_kind(reason)
    if kind is None:
        return reason
    return f"{translate(f'break_glass.{kind.value}')}:{reason.partition(':')[2]}"


def compose_reason(kind: BreakGlassReason | str | None, text: str | None) -> str | None:
    """``"<occasion>: <text>"`` when the occasion is listed and the text says something."""
    try:
        occasion = BreakGlassReason(kind) if kind is not None else None
    except ValueError:
        return None
    words = " ".join((text or "").split())
    if occasion is None or _letters(words) < MIN_REASON_LENGTH:
        return None
    return f"{occasion.value}: {words}"


def reason_ok(reason: str | None) -> bool:
    """A break-glass reason is words, not a keystroke: at least ``MIN_REASON_LENGTH`` letters
    besides a listed occasion (punctuation, digits and spaces do not count)."""
    if reason is None:
        return False
    kind = reason_kind(reason)
    text = reason.partition(":")[2] if kind else reason
    return _letters(text) >= MIN_REASON_LENGTH
