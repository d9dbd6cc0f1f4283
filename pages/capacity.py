"""Manager: beds now per facility, ward and bed category, the network at one glance, the last
90 days of occupancy, and the SANER bed capacity report (the DIVI report has a page of its
own)."""

from __future__ import annotations

import json
from datetime import timedelta

import pandas as pd
import streamlit as st

from components.capacity_charts import census_chart, occupancy_chart
from components.charts import chart_config
from components.choose import choose_many, choose_one
from components.data import load
from components.guard import require_page
from components.kpi import kpi_row
from components.manager_tables import (
    bed_table,
    category_columns,
    count_texts,
    manager_csv,
    number_texts,
    percent_texts,
)
from components.scope import now, places, stored_figures, window_stays
from components.session import language, settings, tr
from components.status import frame_banners
from components.ward_census import census_without_beds
from services import queries
from services.analytics import StoreFigures
from services.domain.census import midnight
from services.i18n import fmt_date, fmt_datetime, fmt_number, fmt_percent
from services.platform import FrameSet
from services.views.capacity import (
    CapacityNow,
    CapacityWards,
    capacity_from,
    capacity_now,
    capacity_reports,
    capacity_turnaround,
    capacity_wards,
    capacity_wards_from,
)

TREND_DAYS = 90
# Two weeks of cleanings: enough per ward for a median, recent enough to act on.
TURNAROUND_DAYS = 14
PAGE = "capacity"


def fetched(*reads: FrameSet) -> tuple:
    """What identifies the data behind some reads: which source delivered what, and when."""
    return tuple(
        sorted(
            (s.source, s.resource_type, s.fetched_at.isoformat()) for r in reads for s in r.stats
        )
    )


# The views are cached per minute and per read, so a rerun (a click on a widget) only draws.
# ``_stored``: the figures computed in the store, when the page reads them instead of the stays.
@st.cache_data(ttl=120, show_spinner=False)
def beds_now(
    key: tuple,
    minute: pd.Timestamp,
    _locations: pd.DataFrame,
    _orgs: FrameSet,
    _stays: FrameSet,
    _stored: StoreFigures | None,
) -> CapacityNow:
    organizations = _orgs["organization"]
    if _stored is not None:
        return capacity_from(_locations, organizations, _stored.window.placements, minute)
    encounters, entries = _stays["encounter"], _stays["encounter_location"]
    return capacity_now(
        _locations, organizations, encounters, entries, minute, settings().stale_stays
    )


@st.cache_data(ttl=120, show_spinner=False)
def per_ward(
    key: tuple,
    minute: pd.Timestamp,
    first: pd.Timestamp,
    hospitals: tuple,
    _now: CapacityNow,
    _stays: FrameSet,
    _stored: StoreFigures | None,
) -> CapacityWards:
    if _stored is not None:
        return capacity_wards_from(_now, _stored.window, hospitals)
    encounters, entries = _stays["encounter"], _stays["encounter_location"]
    return capacity_wards(
        _now, encounters, entries, first, minute, hospitals, settings().stale_stays
    )


user = require_page(__file__)
lang = language()
moment = now()
st.title(tr("page.capacity"))

locations, location_read = places(user.facilities)
org_read = load(queries.organizations(), "Organizations")
start = midnight(moment.date() - timedelta(days=TREND_DAYS - 1))
minute = moment.floor("min")
stored = stored_figures(start, minute, user.facilities, movements=False)
stay_read = window_stays(start, user.facilities) if stored is None else stored[1]
frame_banners(location_read, org_read, stay_read)
st.caption(tr("mgr.as_of", time=fmt_datetime(moment, lang)))

figures = stored[0] if stored is not None else None
# The reads are shared by every manager; the scope narrows them after reading, so it keys too.
data_key = (fetched(location_read, org_read, stay_read), user.facilities)
view = beds_now(data_key, minute, locations, org_read, stay_read, figures)
if not view.has_beds:
    census_without_beds(view.ward_census)
    st.stop()
if view.beds.empty:
    st.info(tr("mgr.no_beds"))
    st.stop()


def csv(frame: pd.DataFrame, name: str, key: str) -> None:
    manager_csv(frame, name, key, user, PAGE)


def name_of(hospital_id: str) -> str:
    return view.hospital_name(hospital_id)


# Network at one glance
network = view.network.iloc[0]
kpi_row(
    [
        (tr(f"col.{c}"), fmt_number(network[c], lang))
        for c in ("total", "occupied", "free", "blocked")
    ]
    + [(tr("col.occupancy"), fmt_percent(network["occupancy"], lang))],
    help_texts=[None, None, None, tr("mgr.help.blocked"), tr("mgr.help.occupancy")],
)

st.subheader(tr("mgr.overview"))
overview = view.overview.assign(hospital=view.overview["hospital"].fillna(tr("network.total")))
overview_table = bed_table(overview, {tr("col.hospital"): overview["hospital"]})
left, right = st.columns([3, 2])
left.dataframe(overview_table, hide_index=True, placeholder="–")
with left:
    csv(overview_table, "capacity-overview", "csv_overview")
chart_labels = {
    "title": tr("mgr.chart.occupancy_by_hospital"),
    "occupancy": tr("col.occupancy"),
    "percent": "{:.0f} %",
    **{f"light.{c}": tr(f"mgr.light.{c}") for c in ("green", "amber", "red")},
}
right.plotly_chart(
    occupancy_chart(overview.rename(columns={"hospital": "name"}), "name", chart_labels),
    config=chart_config("capacity-overview"),
)
st.caption(tr("mgr.png_hint"))

# Per facility and ward, by bed category and age group
st.subheader(tr("mgr.by_ward"))
chosen = choose_many(
    tr("col.hospital"),
    view.facilities,
    default=view.facilities,
    format_func=name_of,
    key="capacity_facilities",
)
wards = per_ward(data_key, minute, start, tuple(chosen), view, stay_read, figures)
detail = wards.detail
leading = {tr("col.hospital"): detail["hospital"], tr("col.ward"): detail["ward"]}
detail_table = bed_table(detail, leading | category_columns(detail))
st.dataframe(detail_table, hide_index=True, placeholder="–")
csv(detail_table, "capacity-wards", "csv_wards")
category_table = bed_table(wards.by_category, category_columns(wards.by_category))
st.markdown(f"**{tr('mgr.by_category')}**")
st.dataframe(category_table, hide_index=True, placeholder="–")
csv(category_table, "capacity-categories", "csv_categories")

# Bed turnaround: discharge to free bed, from the completed cleaning tasks
st.subheader(tr("mgr.turnaround", days=TURNAROUND_DAYS))
since = midnight(moment.date() - timedelta(days=TURNAROUND_DAYS - 1))
cleaning_read = load(queries.cleanings_since(since), "Tasks")
frame_banners(cleaning_read)
turnaround = capacity_turnaround(view, cleaning_read["task"], since, tuple(chosen))
if turnaround.empty:
    st.info(tr("mgr.turnaround.none"))
else:
    turnaround_table = pd.DataFrame(
        {
            tr("col.hospital"): turnaround["hospital"],
            tr("col.ward"): turnaround["ward"],
            tr("mgr.col.cleaned"): count_texts(turnaround["cleaned"]),
            tr("mgr.col.turnaround_median"): number_texts(turnaround["median_hours"], 1),
            tr("mgr.col.turnaround_p90"): number_texts(turnaround["p90_hours"], 1),
        }
    )
    st.dataframe(turnaround_table, hide_index=True, placeholder="–")
    csv(turnaround_table, "capacity-turnaround", "csv_turnaround")
st.caption(tr("mgr.turnaround.help"))

# The last 90 days
st.subheader(tr("mgr.last_days", days=TREND_DAYS))
totals = wards.totals
trend_labels = {
    "title": tr("mgr.chart.census"),
    "census": tr("mgr.col.census"),
    "occupancy": tr("col.occupancy"),
}
st.plotly_chart(census_chart(totals, trend_labels), config=chart_config("capacity-census"))
trend_table = pd.DataFrame(
    {
        tr("mgr.col.date"): totals["date"].map(lambda d: fmt_date(d, lang)),
        tr("mgr.col.census"): totals["census"],
        tr("col.occupancy"): percent_texts(totals["occupancy"]),
    }
)
csv(trend_table, "capacity-census", "csv_census")
st.caption(tr("mgr.help.census_denominator", beds=fmt_number(wards.in_service, lang)))

# Reports
st.subheader(tr("mgr.reports"))
hospital = choose_one(
    tr("mgr.report_facility"),
    view.facilities,
    format_func=name_of,
    key="report_facility",
)
reports = capacity_reports(view, hospital, moment)
report = reports.measure_report
st.markdown(f"**{tr('mgr.saner.title')}**")
st.caption(tr("mgr.saner.help", day=fmt_date(moment, lang)))
st.json(report, expanded=False)
st.download_button(
    tr("download.json"),
    json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8"),
    file_name=f"{report['id']}.json",
    mime="application/fhir+json",
    key="saner_json",
)
st.caption(tr("mgr.divi_elsewhere"))
