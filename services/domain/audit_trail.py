"""Filtering the audit trail for the admin page."""

from __future__ import annotations

import pandas as pd

__all__ = ["filter_trail"]


def filter_trail(
    trail: pd.DataFrame,
    *,
    users: list[str] | None = None,
    actions: list[str] | None = None,
    patient: str = "",
    break_glass_only: bool = False,
) -> pd.DataFrame:
    """Newest first, narrowed by the admin's choices; an empty choice keeps everything."""
    keep = pd.Series(True, index=trail.index)
    if users:
        keep &= trail["user"].isin(users)
    if actions:
        keep &= trail["action"].isin(actions)
    if patient.strip():
        keep &= trail["patient_id"].fillna("").str.contains(patient.strip(), regex=False)
    if break_glass_only:
        keep &= trail["purpose"] == "ETREAT"
    return trail[keep].sort_values("recorded", ascending=False).reset_index(drop=True)
