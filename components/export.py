"""The CSV download of every page: one writer (``services.export``), every download audited."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from components.audit import audit_export
from components.session import tr
from services.export import to_csv
from services.roles import User

__all__ = ["csv_button"]


def csv_button(
    frame: pd.DataFrame,
    file_name: str,
    *,
    key: str,
    user: User,
    page: str,
    patients: pd.DataFrame | None = None,
    container: Any = st,
) -> None:
    """A download button for ``frame`` as ``file_name``; the click writes the AuditEvent.

    ``patients`` (``source``, ``patient_id``): whose data the file holds, for the audit trail;
    aggregate pages pass none. ``container``: where the button sits (a column), else the page.
    """
    container.download_button(
        tr("download.csv"),
        to_csv(frame),
        file_name=file_name,
        mime="text/csv",
        key=key,
        on_click=audit_export,
        args=(user, page, file_name, len(frame), patients),
    )
