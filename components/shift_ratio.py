"""The current shift's nurse staffing on a ward page: patients per nurse against the ward's PpUGV
floor, from the same view as the staffing page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.data import load
from components.scope import window_stays
from components.session import language, settings, tr
from services import queries
from services.domain.census import midnight
from services.domain.staffing import duty_roster
from services.domain.workload import nurse_roles
from services.i18n import fmt_number
from services.views.staffing import current_shift, duty_day, staffing_view

__all__ = ["shift_ratio"]


def shift_ratio(ward_id: str, locations: pd.DataFrame, moment: pd.Timestamp) -> None:
    """One line: the PpUGV shift now, its patients per nurse, the floor and whether it is met;
    a warning when it is not; nothing without a roster for the ward."""
    lang = language()
    day = duty_day(moment)
    start = midnight(day)
    ward = locations[(locations["id"] == ward_id) | (locations["ward_id"] == ward_id)]
    hospital = ward["hospital_id"].dropna()
    if hospital.empty:
        return
    stay_read = window_stays(start, (str(hospital.iloc[0]),))
    duty_read = load(duty_roster(start, start + pd.Timedelta(days=1)), "Appointments")
    role_read = load(nurse_roles(), "PractitionerRoles")
    org_read = load(queries.organizations(), "Organizations")
    if stay_read.errors or duty_read.errors or role_read.errors:
        return
    view = staffing_view(
        ward,
        org_read["organization"],
        stay_read["encounter"],
        stay_read["encounter_location"],
        duty_read["duty"],
        role_read["practitioner_role"],
        moment,
        day,
        settings().staffing_floors,
        settings().stale_stays,
    )
    row = current_shift(view, ward_id, moment)
    if row is None:
        return
    text = tr(
        "staff.ward_line",
        shift=tr(f"staff.shift.{row['shift']}"),
        ratio=fmt_number(row["ratio"], lang, 1),
        patients=fmt_number(row["patients"], lang),
        nurses=fmt_number(row["nurses"], lang, 1),
        floor=fmt_number(row["floor"], lang, 0),
        status=tr(f"staff.status.{row['status']}"),
    )
    if row["provisional"]:
        text += " " + tr("staff.ward_line.provisional")
    if row["status"] == "not_met":
        st.warning(text)
    else:
        st.caption(text)
