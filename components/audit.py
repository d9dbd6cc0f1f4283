"""Recording what a user looked at, exported or changed, from a page.

A list view is recorded once per session for as long as it shows the same people: a page rerun
on a click, or a fragment refreshing every minute, shows nothing new and records nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

from components.session import platform, settings
from services.audit import AuditRecord, SignInRecord, outcome_of, record
from services.platform import FrameSet
from services.roles import User

__all__ = ["audit", "audit_export", "audit_list"]

_LISTED = "audit_listed"


def audit(rec: AuditRecord | SignInRecord) -> str:
    """Send the audit event; returns where it was kept ("platform" or "local")."""
    return record(platform(), rec, settings().audit_log)


def _by_source(patients: pd.DataFrame | None) -> dict[str | None, tuple[str, ...]]:
    """Patient ids per source from a frame with ``source`` and ``patient_id`` columns."""
    if patients is None or patients.empty:
        return {}
    known = patients.dropna(subset=["patient_id"])
    # A record whose source is not known (null) goes to the first source, as any event does.
    return {
        (None if pd.isna(source) else source): tuple(sorted(set(group["patient_id"])))
        for source, group in known.groupby("source", sort=True, dropna=False)
    }


def audit_list(
    user: User,
    page: str,
    what: str,
    patients: pd.DataFrame | None,
    reads: Iterable[FrameSet],
) -> None:
    """Record that ``user`` saw the people of ``patients`` (``source``, ``patient_id``) listed.

    Called after the reads, with their outcome: one event per source that holds the people; a
    failed read that showed nobody is recorded too, as the failure it was.
    """
    outcome = outcome_of(*reads)
    groups = _by_source(patients) or {None: ()}
    seen = st.session_state.setdefault(_LISTED, set())
    for source, ids in groups.items():
        key = (page, what, source, ids, outcome)
        if key in seen:
            continue
        audit(
            AuditRecord(
                user=user,
                action="list",
                page=page,
                source=source,
                patient_ids=ids,
                what=what,
                rows=len(ids),
                outcome=outcome,
            )
        )
        seen.add(key)


def audit_export(
    user: User, page: str, file_name: str, rows: int, patients: pd.DataFrame | None = None
) -> None:
    """Record a CSV download: which file, how many rows, whose data (download button callback)."""
    for source, ids in (_by_source(patients) or {None: ()}).items():
        audit(
            AuditRecord(
                user=user,
                action="export",
                page=page,
                source=source,
                patient_ids=ids,
                what=file_name,
                rows=rows,
            )
        )
