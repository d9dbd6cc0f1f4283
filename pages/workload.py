"""Manager: nursing workload: open and overdue tasks per ward and shift, tasks per nurse on
shift, and the median time to complete a task with its trend."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components.capacity_charts import completion_trend_chart, png_config, workload_chart
from components.data import load
from components.guard import require
from components.kpi import kpi_row
from components.scope import now, places
from components.session import language, tr
from components.status import frame_banners
from services import queries
from services.domain.census import midnight
from services.domain.disclosure import aggregate_only
from services.domain.workload import (
    SHIFTS,
    completed_tasks,
    completion_minutes,
    completion_summary,
    completion_trend,
    nurse_roles,
    nurses_per_shift,
    shift_of,
    tasks_per_nurse,
    workload_by_ward_shift,
)
from services.i18n import fmt_date, fmt_datetime, fmt_number
from services.roles import Capability

user = require(Capability.CAPACITY)
lang = language()
moment = now()
st.title(tr("page.workload"))

window = st.slider(tr("mgr.window"), 7, 90, 30, key="workload_window")
since = midnight(moment.date() - timedelta(days=window - 1))
locations, location_read = places(user.facilities)
org_read = load(queries.organizations(), "Organizations")
wards = locations[locations["physical_type"] == "wa"]
ward_ids = tuple(sorted(wards["id"]))
if not ward_ids:
    frame_banners(location_read, org_read)
    st.info(tr("mgr.no_data"))
    st.stop()
open_read = load(queries.open_tasks_of_wards(ward_ids), "Tasks")
done_read = load(completed_tasks(since, user.facilities), "Tasks")
role_read = load(nurse_roles(), "PractitionerRoles")
frame_banners(location_read, org_read, open_read, done_read, role_read)
st.caption(tr("mgr.as_of", time=fmt_datetime(moment, lang)))

hospital_names = dict(
    zip(org_read["organization"]["id"], org_read["organization"]["name"], strict=True)
)
ward_names = dict(zip(wards["id"], wards["name"], strict=True))
ward_hospital = dict(zip(wards["id"], wards["hospital_id"], strict=True))
open_tasks = open_read["task"]
open_tasks = open_tasks[open_tasks["ward_id"].isin(ward_ids)]
roles = role_read["practitioner_role"]

workload = tasks_per_nurse(workload_by_ward_shift(open_tasks, moment), nurses_per_shift(roles))
workload = workload[workload["ward_id"].isin(ward_ids)]
current_shift = shift_of(pd.Series([moment]))[0]
on_shift = workload[workload["shift"] == current_shift]
nurses_now = nurses_per_shift(roles)
nurses_now = nurses_now[
    nurses_now["ward_id"].isin(ward_ids) & (nurses_now["shift"] == current_shift)
]
staffed = int(nurses_now["nurses"].sum())
kpi_row(
    [
        (tr("mgr.kpi.open"), fmt_number(int(workload["open"].sum()), lang)),
        (tr("mgr.kpi.overdue"), fmt_number(int(workload["overdue"].sum()), lang)),
        (tr("mgr.kpi.shift"), tr(f"mgr.shift.{current_shift}")),
        (
            tr("mgr.kpi.per_nurse"),
            fmt_number(on_shift["open"].sum() / staffed if staffed else None, lang, 1),
        ),
    ],
    help_texts=[None, None, None, tr("mgr.help.per_nurse")],
)


def csv_button(frame: pd.DataFrame, name: str) -> None:
    st.download_button(
        tr("download.csv"),
        aggregate_only(frame).to_csv(index=False).encode("utf-8"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"csv_{name}",
    )


st.subheader(tr("mgr.workload.by_shift"))
order = {code: n for n, code in enumerate(SHIFTS)}
workload = workload.assign(
    ward=workload["ward_id"].map(ward_names).fillna(workload["ward_id"]),
    hospital=workload["ward_id"].map(ward_hospital).map(hospital_names),
    shift_label=workload["shift"].map(lambda s: tr(f"mgr.shift.{s}") if s in SHIFTS else "–"),
    _order=workload["shift"].map(order),
).sort_values(["hospital", "ward", "_order"])
if workload.empty:
    st.info(tr("mgr.workload.none_open"))
else:
    st.plotly_chart(
        workload_chart(
            workload,
            {
                "title": tr("mgr.chart.workload"),
                "open": tr("mgr.kpi.open"),
                "overdue": tr("mgr.kpi.overdue"),
                "count": tr("mgr.col.count"),
            },
        ),
        config=png_config("workload-by-shift"),
    )
shift_table = pd.DataFrame(
    {
        tr("col.hospital"): workload["hospital"],
        tr("col.ward"): workload["ward"],
        tr("mgr.col.shift"): workload["shift_label"],
        tr("mgr.kpi.open"): workload["open"],
        tr("mgr.kpi.overdue"): workload["overdue"],
        tr("mgr.col.nurses"): workload["nurses"],
        tr("mgr.kpi.per_nurse"): workload["per_nurse"].map(lambda v: fmt_number(v, lang, 1)),
    }
)
st.dataframe(aggregate_only(shift_table), hide_index=True)
csv_button(shift_table, "workload-by-shift")
st.caption(tr("mgr.help.shift_of_task"))

st.subheader(tr("mgr.workload.completion", days=window))
done = done_read["task"]
minutes = completion_minutes(done[done["ward_id"].isin(ward_ids)])
minutes = minutes[minutes["finished"] >= since]
trend = completion_trend(minutes, since)
if trend.empty:
    st.info(tr("mgr.workload.none_done"))
else:
    st.plotly_chart(
        completion_trend_chart(
            trend,
            {
                "title": tr("mgr.chart.completion"),
                "completed": tr("mgr.col.completed"),
                "median": tr("mgr.col.median_minutes"),
                "minutes": tr("mgr.col.minutes"),
            },
        ),
        config=png_config("workload-completion"),
    )
    trend_table = pd.DataFrame(
        {
            tr("mgr.col.date"): trend["date"].map(lambda d: fmt_date(d, lang)),
            tr("mgr.col.completed"): trend["completed"],
            tr("mgr.col.median_minutes"): trend["median_minutes"].map(
                lambda v: fmt_number(v, lang, 1)
            ),
        }
    )
    csv_button(trend_table, "workload-completion-trend")
    per_ward = completion_summary(minutes, ["ward_id"])
    ward_table = pd.DataFrame(
        {
            tr("col.hospital"): per_ward["ward_id"].map(ward_hospital).map(hospital_names),
            tr("col.ward"): per_ward["ward_id"].map(ward_names).fillna(per_ward["ward_id"]),
            tr("mgr.col.completed"): per_ward["completed"],
            tr("mgr.col.median_minutes"): per_ward["median_minutes"].map(
                lambda v: fmt_number(v, lang, 1)
            ),
        }
    )
    st.dataframe(aggregate_only(ward_table), hide_index=True)
    csv_button(ward_table, "workload-completion-wards")
st.caption(tr("mgr.png_hint"))
