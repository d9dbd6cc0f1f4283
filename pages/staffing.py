"""Manager and admin: nurses on duty against the PpUGV staffing floors: the duty day's shifts per
ward, the month so far, and the quarterly report as CSV."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components.choose import choose_one
from components.data import load
from components.guard import require_page
from components.kpi import kpi_row
from components.manager_tables import manager_csv, number_texts, percent_texts
from components.scope import now, places, window_stays
from components.session import language, settings, tr
from components.status import frame_banners
from services import queries
from services.domain.census import midnight
from services.domain.staffing import duty_roster, quarter_of
from services.domain.workload import nurse_roles
from services.i18n import fmt_date, fmt_datetime, fmt_number
from services.views.staffing import duty_day, staffing_view

PAGE = "staffing"

user = require_page(__file__)
lang = language()
moment = now()
st.title(tr("page.staffing"))
st.caption(tr("staff.intro"))

day = duty_day(moment)
current, _ = quarter_of(day)
previous, _ = quarter_of(current - timedelta(days=1))
quarter = choose_one(
    tr("staff.quarter"),
    [current, previous],
    format_func=lambda q: tr("staff.quarter_label", quarter=(q.month - 1) // 3 + 1, year=q.year),
    key="staffing_quarter",
)
begin = min(quarter, day.replace(day=1))
locations, location_read = places(user.facilities)
org_read = load(queries.organizations(), "Organizations")
role_read = load(nurse_roles(), "PractitionerRoles")
duty_read = load(duty_roster(midnight(begin), midnight(day + timedelta(days=1))), "Appointments")
stay_read = window_stays(midnight(begin), user.facilities)
frame_banners(location_read, org_read, role_read, duty_read, stay_read)
st.caption(tr("mgr.as_of", time=fmt_datetime(moment, lang)))

view = staffing_view(
    locations,
    org_read["organization"],
    stay_read["encounter"],
    stay_read["encounter_location"],
    duty_read["duty"],
    role_read["practitioner_role"],
    moment,
    quarter,
    settings().staffing_floors,
    settings().stale_stays,
)
if not view.has_roster:
    st.info(tr("staff.no_roster"))
    st.stop()


def words(values: pd.Series, prefix: str) -> pd.Series:
    return values.map(lambda v: tr(f"{prefix}.{v}") if isinstance(v, str) else tr(f"{prefix}.none"))


def month_text(month: str) -> str:
    year, number = month.split("-")
    return f"{number}.{year}" if lang == "de" else month


today, month = view.today, view.month
below_today = int((today["status"] == "not_met").sum())
judged_month = month[month["status"] != "no_floor"]
shifts_month = int(judged_month["shifts"].sum())
share = judged_month["below"].sum() / shifts_month if shifts_month else None
wards_missing = judged_month.loc[judged_month["status"] == "not_met", "ward_id"].nunique()
kpi_row(
    [
        (tr("staff.kpi.below_today"), fmt_number(below_today, lang)),
        (tr("staff.kpi.below_month"), percent_texts(pd.Series([share])).iloc[0]),
        (tr("staff.kpi.wards_month"), fmt_number(wards_missing, lang)),
    ]
)

st.subheader(tr("staff.today", day=fmt_date(view.day, lang)))
if today.empty:
    st.info(tr("staff.today_none"))
else:
    counted = [
        tr("staff.counted.provisional") if p else tr("staff.counted.final", time=t)
        for p, t in zip(
            today["provisional"],
            today["shift"].map({"day": "12:00", "night": "00:00"}),
            strict=True,
        )
    ]
    today_table = pd.DataFrame(
        {
            tr("col.hospital"): today["hospital"],
            tr("col.ward"): today["ward"],
            tr("staff.col.area"): words(today["area"], "staff.area"),
            tr("staff.col.shift"): words(today["shift"], "staff.shift"),
            tr("staff.col.nurses"): number_texts(today["nurses"], 2),
            tr("staff.col.patients"): today["patients"],
            tr("staff.col.counted"): counted,
            tr("staff.col.ratio"): number_texts(today["ratio"], 2),
            tr("staff.col.floor"): number_texts(today["floor"], 0),
            tr("staff.col.margin"): number_texts(today["margin"], 2),
            tr("staff.col.status"): words(today["status"], "staff.status"),
        }
    )
    st.dataframe(today_table, hide_index=True, placeholder="–")
    manager_csv(today_table, "staffing-today", "csv_staffing-today", user, PAGE)
    st.caption(tr("staff.provisional_help"))


def averages(frame: pd.DataFrame, with_month: bool) -> pd.DataFrame:
    leading = {tr("col.hospital"): frame["hospital"], tr("col.ward"): frame["ward"]}
    leading[tr("staff.col.area")] = words(frame["area"], "staff.area")
    if with_month:
        leading[tr("staff.col.month")] = frame["month"].map(month_text)
    return pd.DataFrame(
        {
            **leading,
            tr("staff.col.shift"): words(frame["shift"], "staff.shift"),
            tr("staff.col.shifts"): frame["shifts"],
            tr("staff.col.mean_patients"): number_texts(frame["mean_patients"], 2),
            tr("staff.col.mean_nurses"): number_texts(frame["mean_nurses"], 2),
            tr("staff.col.ratio"): number_texts(frame["ratio"], 2),
            tr("staff.col.floor"): number_texts(frame["floor"], 0),
            tr("staff.col.status"): words(frame["status"], "staff.status"),
            tr("staff.col.below"): frame["below"],
            tr("staff.col.below_share"): percent_texts(frame["below_share"]),
        }
    )


st.subheader(tr("staff.month", month=month_text(f"{view.day.year:04d}-{view.day.month:02d}")))
st.caption(tr("staff.month_help"))
month_table = averages(month, with_month=False)
st.dataframe(month_table, hide_index=True, placeholder="–")
manager_csv(month_table, "staffing-month", "csv_staffing-month", user, PAGE)

st.subheader(tr("staff.report"))
st.caption(tr("staff.report_help"))
if view.report.empty:
    st.info(tr("staff.report_none"))
else:
    report_table = averages(view.report, with_month=True)
    st.dataframe(report_table, hide_index=True, placeholder="–")
    name = f"ppugv-{quarter.year}-q{(quarter.month - 1) // 3 + 1}"
    manager_csv(report_table, name, f"csv_{name}", user, PAGE)
