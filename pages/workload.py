"""Manager: nursing workload: open and overdue tasks per ward and shift, tasks per nurse on
shift, and the median time to complete a task with its trend."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components.capacity_charts import completion_trend_chart, workload_chart
from components.charts import chart_config
from components.data import load
from components.guard import require_page
from components.kpi import kpi_row
from components.manager_tables import manager_csv, number_texts
from components.scope import now, places
from components.session import language, tr
from components.status import frame_banners
from services import queries
from services.domain.census import midnight
from services.domain.workload import SHIFTS, completed_tasks, nurse_roles
from services.i18n import fmt_date, fmt_datetime, fmt_number
from services.views.common import wards_of
from services.views.workload import workload_view

PAGE = "workload"

user = require_page(__file__)
lang = language()
moment = now()
st.title(tr("page.workload"))

window = st.slider(tr("mgr.window"), 7, 90, 30, key="workload_window")
since = midnight(moment.date() - timedelta(days=window - 1))
locations, location_read = places(user.facilities)
org_read = load(queries.organizations(), "Organizations")
ward_ids = tuple(sorted(wards_of(locations)["id"]))
if not ward_ids:
    frame_banners(location_read, org_read)
    st.info(tr("mgr.no_data"))
    st.stop()
open_read = load(queries.open_tasks_of_wards(ward_ids), "Tasks")
done_read = load(completed_tasks(since, user.facilities), "Tasks")
role_read = load(nurse_roles(), "PractitionerRoles")
frame_banners(location_read, org_read, open_read, done_read, role_read)
st.caption(tr("mgr.as_of", time=fmt_datetime(moment, lang)))

view = workload_view(
    locations,
    org_read["organization"],
    open_read["task"],
    done_read["task"],
    role_read["practitioner_role"],
    moment,
    since,
)
kpi_row(
    [
        (tr("mgr.kpi.open"), fmt_number(view.open, lang)),
        (tr("mgr.kpi.overdue"), fmt_number(view.overdue, lang)),
        (tr("mgr.kpi.shift"), tr(f"mgr.shift.{view.shift}")),
        (tr("mgr.kpi.per_nurse"), fmt_number(view.per_nurse, lang, 1)),
    ],
    help_texts=[None, None, None, tr("mgr.help.per_nurse")],
)


def show(frame: pd.DataFrame, name: str) -> None:
    st.dataframe(frame, hide_index=True, placeholder="–")
    manager_csv(frame, name, f"csv_{name}", user, PAGE)


st.subheader(tr("mgr.workload.by_shift"))
workload = view.by_shift.assign(
    shift_label=lambda f: f["shift"].map(lambda s: tr(f"mgr.shift.{s}") if s in SHIFTS else "–")
)
if workload.empty:
    st.info(tr("mgr.workload.none_open"))
else:
    labels = {"title": tr("mgr.chart.workload"), "count": tr("mgr.col.count")}
    labels |= {k: tr(f"mgr.kpi.{k}") for k in ("open", "overdue")}
    st.plotly_chart(workload_chart(workload, labels), config=chart_config("workload-by-shift"))
shift_table = pd.DataFrame(
    {
        tr("col.hospital"): workload["hospital"],
        tr("col.ward"): workload["ward"],
        tr("mgr.col.shift"): workload["shift_label"],
        tr("mgr.kpi.open"): workload["open"],
        tr("mgr.kpi.overdue"): workload["overdue"],
        tr("mgr.col.nurses"): workload["nurses"],
        tr("mgr.kpi.per_nurse"): number_texts(workload["per_nurse"], 1),
    }
)
show(shift_table, "workload-by-shift")
st.caption(tr("mgr.help.shift_of_task"))

st.subheader(tr("mgr.workload.completion", days=window))
trend = view.trend
if trend.empty:
    st.info(tr("mgr.workload.none_done"))
else:
    labels = {"title": tr("mgr.chart.completion"), "minutes": tr("mgr.col.minutes")}
    labels |= {"completed": tr("mgr.col.completed"), "median": tr("mgr.col.median_minutes")}
    st.plotly_chart(
        completion_trend_chart(trend, labels), config=chart_config("workload-completion")
    )
    trend_table = pd.DataFrame(
        {
            tr("mgr.col.date"): trend["date"].map(lambda d: fmt_date(d, lang)),
            tr("mgr.col.completed"): trend["completed"],
            tr("mgr.col.median_minutes"): number_texts(trend["median_minutes"], 1),
        }
    )
    manager_csv(
        trend_table, "workload-completion-trend", "csv_workload-completion-trend", user, PAGE
    )
    per_ward = view.per_ward
    ward_table = pd.DataFrame(
        {
            tr("col.hospital"): per_ward["hospital"],
            tr("col.ward"): per_ward["ward"],
            tr("mgr.col.completed"): per_ward["completed"],
            tr("mgr.col.median_minutes"): number_texts(per_ward["median_minutes"], 1),
        }
    )
    show(ward_table, "workload-completion-wards")
st.caption(tr("mgr.png_hint"))
