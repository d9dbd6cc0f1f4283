"""Manager: patient flow over a chosen window: midnight census and occupancy, admissions,
discharges, transfers between wards and hospitals, length of stay, the weekday pattern."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components.capacity_charts import (
    census_chart,
    flows_chart,
    length_of_stay_chart,
    weekday_chart,
)
from components.charts import chart_config
from components.choose import choose_many
from components.data import load
from components.guard import require_page
from components.manager_tables import count_texts, manager_csv, number_texts, percent_texts
from components.scope import places, stored_figures, this_minute, window_stays
from components.session import language, settings, tr
from components.status import frame_banners
from services import queries
from services.domain.census import midnight
from services.domain.labels import label
from services.domain.staffing import duty_roster
from services.domain.workload import completed_tasks, nurse_roles
from services.i18n import fmt_date, fmt_number, fmt_percent
from services.markdown import plain
from services.views.common import names_by_id
from services.views.trends import (
    RANKING_DAYS,
    trend_choices,
    trends_from,
    trends_view,
    ward_load,
    ward_load_from,
)

PAGE = "trends"

user = require_page(__file__)
lang = language()
# To the minute, so that a rerun finds the store's figures computed for the same moment.
moment = this_minute()
st.title(tr("page.trends"))

window = st.slider(tr("mgr.window"), RANKING_DAYS, 180, 90, step=1, key="trend_window")
start = midnight(moment.date() - timedelta(days=window - 1))
locations, location_read = places(user.facilities)
org_read = load(queries.organizations(), "Organizations")

hospital_names = names_by_id(org_read["organization"])
ward_names = names_by_id(locations)
facilities, _ = trend_choices(locations)
left, right = st.columns(2)
chosen = choose_many(
    tr("col.hospital"),
    facilities,
    default=facilities,
    format_func=lambda h: hospital_names.get(h, h),
    key="trend_facilities",
    where=left,
)
_, ward_options = trend_choices(locations, chosen)
chosen_wards = right.multiselect(
    tr("col.ward"),
    ward_options,
    format_func=lambda w: ward_names.get(w, w),
    placeholder=tr("mgr.all_wards"),
    key="trend_wards",
)
wards = chosen_wards or ward_options
stored = stored_figures(start, moment, user.facilities, tuple(wards))
stay_read = window_stays(start, user.facilities) if stored is None else stored[1]
frame_banners(location_read, org_read, stay_read)
stale, inek = settings().stale_stays, settings().inek_mean_days
if stored is None:
    encounters, entries = stay_read["encounter"], stay_read["encounter_location"]
    view = trends_view(
        locations, encounters, entries, start, moment, chosen, wards, stale, inek, hospital_names
    )
else:
    figures = stored[0]
    view = trends_from(
        locations,
        figures.window,
        figures.length,
        figures.length_hospitals,
        chosen,
        wards,
        inek,
        hospital_names,
    )
if not view.has_beds:
    st.info(tr("beds.none_reported"))
if view.totals.empty:
    st.info(tr("mgr.no_data"))
    st.stop()


def show(frame: pd.DataFrame, name: str) -> None:
    st.dataframe(frame, hide_index=True, placeholder="–")
    manager_csv(frame, name, f"csv_{name}", user, PAGE)


# Which ward carries the most this week
week_start = midnight(moment.date() - timedelta(days=RANKING_DAYS - 1))
done_read = load(completed_tasks(week_start, tuple(chosen)), "Tasks")
role_read = load(nurse_roles(), "PractitionerRoles")
# To the end of the day, not to this moment: one search a day that every manager's view shares
# while it is cached (``ward_load`` counts only the shifts that have begun).
tomorrow = midnight(moment.date() + timedelta(days=1))
duty_read = load(duty_roster(week_start, tomorrow), "Appointments")
frame_banners(done_read, role_read, duty_read)
if stored is None:
    ranking = ward_load(
        locations,
        encounters,
        entries,
        done_read["task"],
        duty_read["duty"],
        role_read["practitioner_role"],
        week_start,
        moment,
        wards,
        hospital_names,
        stale,
    )
else:
    ranking = ward_load_from(
        locations,
        stored[0].window,
        done_read["task"],
        duty_read["duty"],
        role_read["practitioner_role"],
        week_start,
        wards,
        hospital_names,
    )
st.subheader(tr("mgr.ranking", days=RANKING_DAYS))
if not ranking.empty and pd.notna(ranking["occupancy"].iloc[0]):
    top = ranking.iloc[0]
    st.markdown(
        tr(
            "mgr.ranking.top",
            ward=plain(top["ward"]),
            hospital=plain(top["hospital"]),
            occupancy=fmt_percent(top["occupancy"], lang),
            peak=fmt_number(top["peak_census"], lang),
            beds=fmt_number(top["beds"], lang),
        )
    )
ranking_table = pd.DataFrame(
    {
        tr("mgr.col.rank"): ranking["rank"],
        tr("col.hospital"): ranking["hospital"],
        tr("col.ward"): ranking["ward"],
        tr("mgr.col.beds"): ranking["beds"],
        tr("col.occupancy"): percent_texts(ranking["occupancy"]),
        tr("mgr.col.peak_census"): ranking["peak_census"],
        tr("mgr.col.tasks_per_nurse"): number_texts(ranking["tasks_per_nurse"], 1),
    }
)
show(ranking_table, "trend-ward-ranking")
st.caption(tr("mgr.ranking.help"))


# Census and occupancy
census_labels = {"title": tr("mgr.chart.census"), "census": tr("mgr.col.census")}
census_labels["occupancy"] = tr("col.occupancy")
st.plotly_chart(census_chart(view.totals, census_labels), config=chart_config("trend-census"))
st.caption(tr("mgr.help.census_denominator", beds=fmt_number(view.in_service, lang)))

# Flows
flow_labels = {"title": tr("mgr.chart.flows"), "count": tr("mgr.col.count")}
flow_labels |= {f: tr(f"mgr.col.{f}") for f in ("admissions", "discharges", "hospital_transfers")}
flow_labels["transfers_in"] = tr("mgr.col.ward_transfers")
st.plotly_chart(flows_chart(view.totals, flow_labels), config=chart_config("trend-flows"))
st.caption(tr("mgr.help.small_counts"))
daily = view.daily
daily_table = pd.DataFrame(
    {
        tr("mgr.col.date"): daily["date"].map(lambda d: fmt_date(d, lang)),
        tr("mgr.col.census"): daily["census"],
        tr("col.occupancy"): percent_texts(daily["occupancy"]),
        tr("mgr.col.admissions"): count_texts(daily["admissions"]),
        tr("mgr.col.discharges"): count_texts(daily["discharges"]),
        tr("mgr.col.ward_transfers"): count_texts(daily["transfers_in"]),
        tr("mgr.col.hospital_transfers"): count_texts(daily["hospital_transfers"]),
    }
)
with st.expander(tr("mgr.table_per_day")):
    st.dataframe(daily_table, hide_index=True, placeholder="–")
manager_csv(daily_table, "trend-days", "csv_trend-days", user, PAGE)

ward = view.per_ward
ward_table = pd.DataFrame(
    {
        tr("col.ward"): ward["ward"],
        tr("mgr.col.mean_census"): number_texts(ward["mean_census"], 1),
        **{
            tr(f"mgr.col.{c}"): count_texts(ward[c])
            for c in ("admissions", "discharges", "transfers_in", "transfers_out")
        },
    }
)
st.markdown(f"**{tr('mgr.per_ward', days=view.days)}**")
show(ward_table, "trend-wards")

if not view.routes.empty:
    routes = view.routes
    st.markdown(f"**{tr('mgr.routes')}**")
    route_table = pd.DataFrame(
        {
            tr("mgr.col.from_ward"): routes["from_ward"],
            tr("mgr.col.to_ward"): routes["to_ward"],
            tr("mgr.col.count"): count_texts(routes["transfers"]),
        }
    )
    show(route_table, "trend-ward-transfers")

# Length of stay by department, in Belegungstage, next to the InEK mean where configured
st.subheader(tr("mgr.los"))
los = view.length_of_stay.assign(label=lambda f: label(f["department"], "mgr.department", tr))
los_labels = {"title": tr("mgr.chart.los"), "days": tr("col.days")}
los_labels |= {"median": tr("mgr.col.median_days"), "mean": tr("mgr.col.mean_days")}
st.plotly_chart(length_of_stay_chart(los, los_labels), config=chart_config("trend-length-of-stay"))
per_hospital = view.length_of_stay_hospitals
los_table = pd.DataFrame(
    {
        tr("col.hospital"): per_hospital["hospital"],
        tr("col.department"): label(per_hospital["department"], "mgr.department", tr),
        tr("mgr.col.stays"): per_hospital["stays"],
    }
    | {
        tr(f"mgr.col.{c}"): number_texts(per_hospital[c], 1)
        for c in ("mean_days", "median_days", "p90_days")
    }
    | {
        tr("mgr.col.inek_mean"): number_texts(per_hospital["inek_mean_days"], 1),
        tr("mgr.col.above_inek"): number_texts(per_hospital["above_inek_days"], 1),
    }
)
show(los_table, "trend-length-of-stay")
st.caption(tr("mgr.los.help"))
missing = los.loc[los["inek_mean_days"].isna(), "label"]
if len(missing) == len(los):
    st.info(tr("mgr.los.inek_none"))
elif len(missing):
    st.info(tr("mgr.los.inek_missing", departments=", ".join(missing)))

# Weekday pattern
st.subheader(tr("mgr.weekdays"))
pattern = view.weekdays.assign(label=lambda f: [tr(f"mgr.weekday.{n}") for n in f["weekday"]])
weekday_labels = {"title": tr("mgr.chart.weekdays"), "per_day": tr("mgr.col.per_day")}
weekday_labels |= {c: tr(f"mgr.col.{c}") for c in ("admissions", "discharges")}
st.plotly_chart(weekday_chart(pattern, weekday_labels), config=chart_config("trend-weekdays"))
weekday_table = pd.DataFrame(
    {tr("mgr.col.weekday"): pattern["label"]}
    | {
        tr(f"mgr.col.{c}"): number_texts(pattern[c], 1)
        for c in ("admissions", "discharges", "census")
    }
    | {tr("mgr.col.days_counted"): pattern["days"]}
)
show(weekday_table, "trend-weekdays")
st.caption(tr("mgr.png_hint"))
