"""Writing a bed's state: a completed cleaning task frees the bed it cleaned.

The dashboard does not discharge or move patients (the KIS does); it only ends the cleaning
that a discharge or transfer started. It changes ``Location.operationalStatus`` and nothing
else, sent with ``If-Match`` on the version it read: a bed that the KIS changed in between
(a new patient, a closure) answers 412 and is left as the KIS set it.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.codes import BED_BLOCK_REASON_EXT, BED_STATUS, CLEANING_BED_STATES, FREE_BED_STATE
from services.errors import Conflict
from services.fhir_http import FhirHttp

__all__ = ["BedChange", "free_after_cleaning", "set_bed_status"]

_DISPLAY = {"U": "Unoccupied", "H": "Housekeeping", "K": "Contaminated"}


@dataclass(frozen=True)
class BedChange:
    """What a bed write did: the bed, its state ``before`` and ``after``, the stored version."""

    bed_id: str
    before: str
    after: str
    version: str | None


def _with_status(location: dict, code: str) -> dict:
    out = {k: v for k, v in location.items() if k != "meta"}
    coding = {"system": BED_STATUS, "code": code}
    if code in _DISPLAY:
        coding["display"] = _DISPLAY[code]
    out["operationalStatus"] = coding
    # A reason says why a bed is blocked; a free bed has none.
    if code == FREE_BED_STATE:
        kept = [e for e in out.get("extension") or [] if e.get("url") != BED_BLOCK_REASON_EXT]
        if kept:
            out["extension"] = kept
        else:
            out.pop("extension", None)
    return out


def set_bed_status(
    http: FhirHttp, bed_id: str, code: str, *, only_from: tuple[str, ...]
) -> BedChange | None:
    """Set the bed's operationalStatus to ``code`` if it is one of ``only_from`` now; None when
    it is not (someone else changed the bed since: their state stands). Raises ``Conflict`` when
    the bed changes between the read and the write."""
    location = http.get_json(f"Location/{bed_id}")
    before = (location.get("operationalStatus") or {}).get("code")
    if before not in only_from:
        return None
    version = (location.get("meta") or {}).get("versionId")
    stored = http.send_json(
        "PUT",
        f"Location/{bed_id}",
        _with_status(location, code),
        if_match=f'W/"{version}"' if version else None,
    )
    stored_version = (stored.get("meta") or {}).get("versionId")
    return BedChange(bed_id=bed_id, before=before, after=code, version=stored_version)


def free_after_cleaning(http: FhirHttp, bed_id: str) -> BedChange | None:
    """The bed after its cleaning task was completed: free (U) when it is in housekeeping or
    being disinfected; None when it is in any other state (occupied, closed, isolated) or
    changed while it was written: what the hospital set stands."""
    try:
        return set_bed_status(http, bed_id, FREE_BED_STATE, only_from=CLEANING_BED_STATES)
    except Conflict:
        return None
